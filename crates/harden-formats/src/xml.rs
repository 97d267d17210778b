//! What the XML readers share (Liquibase changelogs, .NET project files).

use quick_xml::events::BytesStart;

/// The value of the attribute `name` (by local name, namespace prefix ignored), with entities
/// and whitespace normalised as XML 1.0 says.
pub(crate) fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name.as_bytes())
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(std::borrow::Cow::into_owned)
        })
}
