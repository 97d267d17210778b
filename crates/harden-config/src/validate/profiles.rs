//! `[profiles.<name>]`: custom profiles and their include/exclude patterns.

use super::{
    BTreeMap, Checker, CustomProfile, GateMeta, Item, ProfileLevel, Range, Section, Value, keys,
};

impl Checker<'_> {
    /// Gate patterns (`R4.*`, exact ids) that must select at least one known gate.
    pub(crate) fn patterns(
        &mut self,
        section: &Section<'_>,
        key: &str,
        catalogue: &[&'static GateMeta],
    ) -> Vec<String> {
        let Some((item, span)) = Self::value(section, key) else {
            return Vec::new();
        };
        let patterns = self.strings_of(item, span, &section.qualified(key));
        let elements: Vec<Option<Range<usize>>> = item
            .as_array()
            .map(|a| a.iter().map(Value::span).collect())
            .unwrap_or_default();
        for (pattern, span) in patterns.iter().zip(elements) {
            if !catalogue.iter().any(|g| g.id.matches_pattern(pattern)) {
                self.error(
                    span,
                    format!("`{pattern}` matches no gate"),
                    Some(
                        "a gate id (see `harden gates`) or a prefix pattern such as `R4.*`".into(),
                    ),
                );
            }
        }
        patterns
    }

    pub(crate) fn profiles(
        &mut self,
        item: &Item,
        catalogue: &[&'static GateMeta],
    ) -> BTreeMap<String, CustomProfile> {
        let mut profiles = BTreeMap::new();
        let Some(table) = item.as_table_like() else {
            self.error(
                item.span(),
                "`profiles` must be a table of profiles",
                Some("[profiles.<name>] tables".into()),
            );
            return profiles;
        };
        for (name, entry) in table.iter() {
            let key_span = table.get_key_value(name).and_then(|(k, _)| k.span());
            if ProfileLevel::parse(name).is_some() {
                self.error(
                    key_span.clone(),
                    format!("`{name}` is a built-in profile and cannot be redefined"),
                    Some(format!("another name, with `extends = \"{name}\"`")),
                );
            }
            let Some(section) = self.section(entry, &format!("profiles.{name}"), keys::PROFILE)
            else {
                continue;
            };
            let extends = match self.string(&section, "extends") {
                Some(text) => {
                    if let Some(level) = ProfileLevel::parse(&text) {
                        level
                    } else {
                        let span = section.table.get("extends").and_then(Item::span);
                        self.error(
                            span,
                            format!("`{text}` is not a built-in profile"),
                            Some("prototype or production".into()),
                        );
                        ProfileLevel::Production
                    }
                }
                None => ProfileLevel::Production,
            };
            let include = self.patterns(&section, "include", catalogue);
            let exclude = self.patterns(&section, "exclude", catalogue);
            profiles.insert(
                name.to_owned(),
                CustomProfile {
                    extends,
                    include,
                    exclude,
                },
            );
        }
        profiles
    }
}
