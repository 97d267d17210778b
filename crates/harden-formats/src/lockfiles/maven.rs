//! Maven: the dependencies a `pom.xml` declares.
//!
//! Maven records no lockfile: what a build resolves is only known by running Maven. What a POM
//! says is still worth reading: its direct dependencies, each with a version written in it, taken
//! from its `<dependencyManagement>`, or from a property (`${jackson.version}`) of its own or of
//! a parent POM in the repository. The POM reference (maven.apache.org/pom.html) defines the
//! elements read here: `project/{groupId,artifactId,version}`, `project/parent` with its
//! `relativePath` (default `../pom.xml`), `project/properties`, `project/dependencies` and
//! `project/dependencyManagement/dependencies`. Dependencies of `<profiles>` and plugins are not
//! read: a profile is switched on at build time, and plugins do not ship.

use std::collections::BTreeMap;

use harden_model::Span;

/// One `<dependency>` as written: every field before properties are substituted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PomDependency {
    /// `groupId`.
    pub group: String,
    /// `artifactId`.
    pub artifact: String,
    /// `version`, when written (empty when written empty).
    pub version: Option<String>,
    /// `scope` (`compile` when not written).
    pub scope: Option<String>,
    /// `type` (`jar` when not written): with the classifier, part of what management matches.
    pub kind: Option<String>,
    /// `classifier`.
    pub classifier: Option<String>,
    /// Where `<dependency>` opens.
    pub span: Span,
}

impl PomDependency {
    /// What `<dependencyManagement>` matches a dependency on, besides its coordinates: its type
    /// (`jar` by default) and classifier.
    pub fn management_key(&self) -> (&str, &str) {
        (
            self.kind
                .as_deref()
                .filter(|k| !k.is_empty())
                .unwrap_or("jar"),
            self.classifier.as_deref().unwrap_or_default(),
        )
    }
}

/// `project/parent`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PomParent {
    /// `groupId`, which a child without a group of its own inherits.
    pub group: Option<String>,
    /// `artifactId`.
    pub artifact: Option<String>,
    /// `version`, which a child without a version of its own inherits.
    pub version: Option<String>,
    /// `relativePath`: `None` when not written (Maven then looks at `../pom.xml`); an empty
    /// element says the parent is not in the repository.
    pub relative_path: Option<String>,
}

/// What one POM declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pom {
    /// `project/groupId`.
    pub group: Option<String>,
    /// `project/artifactId`.
    pub artifact: Option<String>,
    /// `project/version`.
    pub version: Option<String>,
    /// `project/parent`, when there is one.
    pub parent: Option<PomParent>,
    /// `project/properties`, by name (values over [`MAX_PROPERTY_BYTES`] are left out: no
    /// version or coordinate is that long).
    pub properties: BTreeMap<String, String>,
    /// `project/dependencies`.
    pub dependencies: Vec<PomDependency>,
    /// `project/dependencyManagement/dependencies`: versions for dependencies declared without
    /// one, here or in a child.
    pub managed: Vec<PomDependency>,
}

/// The longest property value kept, and the longest a substitution may grow to.
pub const MAX_PROPERTY_BYTES: usize = 1024;

/// How many element names from the root the reader keeps: what it reads lies at most five deep
/// (`project/dependencyManagement/dependencies/dependency/version`); deeper elements are only
/// counted, so a hostile nesting costs nothing per level.
const NAMED_DEPTH: usize = 5;

/// Which part of a POM the reader is in, from the names of the open elements.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Dependency { managed: bool },
    Other,
}

fn place(names: &[String]) -> Place {
    match names {
        [p, d, e] if p == "project" && d == "dependencies" && e == "dependency" => {
            Place::Dependency { managed: false }
        }
        [p, m, d, e]
            if p == "project"
                && m == "dependencyManagement"
                && d == "dependencies"
                && e == "dependency" =>
        {
            Place::Dependency { managed: true }
        }
        _ => Place::Other,
    }
}

/// Reads a POM. A file that is not well-formed XML (truncated included), or whose root is not
/// `<project>`, is an error with the line and column where reading stopped.
pub fn pom(path: &str, text: &str) -> Result<Pom, Box<super::Problem>> {
    use quick_xml::events::Event;
    let lines = harden_model::LineIndex::new(text);
    let mut reader = quick_xml::Reader::from_str(text);
    let mut pom = Pom::default();
    // The names of the first open elements from the root, and how deep the reader is.
    let mut names: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<PomDependency> = None;
    let mut value = String::new();
    let error = |at: usize, message: String| {
        let at = at.min(text.len());
        Box::new(super::unparsable(path, text, Some(at..at), message))
    };
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            error(
                usize::try_from(reader.error_position()).unwrap_or(usize::MAX),
                format!("not well-formed XML: {e}"),
            )
        })?;
        let (element, empty) = match event {
            Event::Start(element) => (element, false),
            Event::Empty(element) => (element, true),
            Event::Text(part) => {
                value.push_str(&part.decode().unwrap_or_default());
                continue;
            }
            Event::GeneralRef(reference) => {
                // The five predefined entities and character references. A POM declares no
                // DTD: any other entity is kept as written, so no version is read from it.
                let name = reference.decode().unwrap_or_default();
                match reference.resolve_char_ref() {
                    Ok(Some(c)) => value.push(c),
                    _ => match name.as_ref() {
                        "lt" => value.push('<'),
                        "gt" => value.push('>'),
                        "amp" => value.push('&'),
                        "apos" => value.push('\''),
                        "quot" => value.push('"'),
                        other => {
                            value.push('&');
                            value.push_str(other);
                            value.push(';');
                        }
                    },
                }
                continue;
            }
            Event::CData(part) => {
                value.push_str(&String::from_utf8_lossy(&part));
                continue;
            }
            Event::End(_) => {
                close(&mut pom, &names, depth, &mut current, value.trim());
                if depth <= NAMED_DEPTH {
                    names.pop();
                }
                depth -= 1;
                value.clear();
                continue;
            }
            Event::Eof if depth > 0 => {
                return Err(error(
                    text.len(),
                    format!(
                        "the file ends inside <{}>",
                        names.last().map_or("", String::as_str)
                    ),
                ));
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = String::from_utf8_lossy(element.local_name().as_ref()).into_owned();
        if depth == 0 && name != "project" {
            return Err(error(
                at,
                format!("the root element is <{name}>: expected <project>"),
            ));
        }
        depth += 1;
        if depth <= NAMED_DEPTH {
            names.push(name);
        }
        value.clear();
        if depth <= NAMED_DEPTH && matches!(place(&names), Place::Dependency { .. }) {
            let opens = text
                .get(at.min(text.len())..)
                .and_then(|rest| rest.find('<'))
                .map_or(at, |offset| at + offset);
            let position = lines.line_col(text, opens.min(text.len()));
            current = Some(PomDependency {
                group: String::new(),
                artifact: String::new(),
                version: None,
                scope: None,
                kind: None,
                classifier: None,
                span: Span {
                    start: position,
                    end: position,
                },
            });
        }
        // `<version/>` is an element with no text: closed at once.
        if empty {
            close(&mut pom, &names, depth, &mut current, "");
            if depth <= NAMED_DEPTH {
                names.pop();
            }
            depth -= 1;
        }
    }
    if pom.artifact.is_none() && pom.dependencies.is_empty() {
        return Err(error(
            0,
            "no <artifactId> and no dependencies: not a Maven POM".into(),
        ));
    }
    Ok(pom)
}

/// What the element closing at `depth` (its path `names` from the root, as far as kept) with
/// text `text` sets.
fn close(
    pom: &mut Pom,
    names: &[String],
    depth: usize,
    current: &mut Option<PomDependency>,
    text: &str,
) {
    if depth > NAMED_DEPTH {
        return;
    }
    let path: Vec<&str> = names.iter().map(String::as_str).collect();
    match path.as_slice() {
        ["project", "groupId"] => pom.group = Some(text.to_owned()),
        ["project", "artifactId"] => pom.artifact = Some(text.to_owned()),
        ["project", "version"] => pom.version = Some(text.to_owned()),
        ["project", "parent"] => {
            pom_parent(&mut pom.parent);
        }
        ["project", "parent", "groupId"] => {
            pom_parent(&mut pom.parent).group = Some(text.to_owned());
        }
        ["project", "parent", "artifactId"] => {
            pom_parent(&mut pom.parent).artifact = Some(text.to_owned());
        }
        ["project", "parent", "version"] => {
            pom_parent(&mut pom.parent).version = Some(text.to_owned());
        }
        ["project", "parent", "relativePath"] => {
            pom_parent(&mut pom.parent).relative_path = Some(text.to_owned());
        }
        ["project", "properties", name] => {
            if text.len() <= MAX_PROPERTY_BYTES {
                pom.properties.insert((*name).to_owned(), text.to_owned());
            }
        }
        [rest @ .., field] if matches!(place(&names[..rest.len()]), Place::Dependency { .. }) => {
            if let Some(dependency) = current.as_mut() {
                let text = text.to_owned();
                match *field {
                    "groupId" => dependency.group = text,
                    "artifactId" => dependency.artifact = text,
                    "version" => dependency.version = Some(text),
                    "scope" => dependency.scope = Some(text),
                    "type" => dependency.kind = Some(text),
                    "classifier" => dependency.classifier = Some(text),
                    _ => {}
                }
            }
        }
        _ => {
            if let Place::Dependency { managed } = place(names)
                && let Some(dependency) = current.take()
            {
                if managed {
                    pom.managed.push(dependency);
                } else {
                    pom.dependencies.push(dependency);
                }
            }
        }
    }
}

fn pom_parent(parent: &mut Option<PomParent>) -> &mut PomParent {
    parent.get_or_insert_with(PomParent::default)
}

/// `text` with each `${name}` replaced by `lookup(name)`, repeatedly (a property may name
/// another) up to a bound; `None` when a name is unknown, the substitution does not settle, or
/// it grows past [`MAX_PROPERTY_BYTES`] (checked before anything is copied).
pub fn substitute<'v>(text: &str, lookup: &dyn Fn(&str) -> Option<&'v str>) -> Option<String> {
    if text.len() > MAX_PROPERTY_BYTES {
        return None;
    }
    let mut value = text.to_owned();
    // Properties that refer to each other in a cycle never settle; real POMs nest a few deep.
    for _ in 0..16 {
        let Some(start) = value.find("${") else {
            return Some(value);
        };
        let end = start + value[start..].find('}')?;
        let replacement = lookup(&value[start + 2..end])?;
        if value.len() - (end + 1 - start) + replacement.len() > MAX_PROPERTY_BYTES {
            return None;
        }
        value.replace_range(start..=end, replacement);
    }
    None
}

/// The one version `version` names: Maven also takes ranges (`[1.0,2.0)`), which say nothing
/// about what a build resolves, and the `LATEST` and `RELEASE` keywords; `[1.5]` pins 1.5.
pub fn exact_version(version: &str) -> Option<&str> {
    let version = version
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .filter(|v| !v.contains(','))
        .unwrap_or(version);
    let plain = !version.is_empty()
        && version.starts_with(|c: char| c.is_ascii_alphanumeric())
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b));
    (plain && !matches!(version, "LATEST" | "RELEASE")).then_some(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.acme</groupId>
    <artifactId>acme-parent</artifactId>
    <version>2.1.0</version>
  </parent>
  <artifactId>billing</artifactId>
  <properties>
    <jackson.version>2.15.2</jackson.version>
    <!-- <netty.version>4.1.0</netty.version> -->
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>io.netty</groupId>
        <artifactId>netty-all</artifactId>
        <version>4.1.94.Final</version>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
      <version>${jackson.version}</version>
    </dependency>
    <dependency>
      <groupId>io.netty</groupId>
      <artifactId>netty-all</artifactId>
    </dependency>
    <dependency>
      <groupId>junit</groupId>
      <artifactId>junit</artifactId>
      <version>4.13.2</version>
      <scope>test</scope>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.11.0</version>
        <dependencies>
          <dependency>
            <groupId>org.ow2.asm</groupId>
            <artifactId>asm</artifactId>
            <version>9.5</version>
          </dependency>
        </dependencies>
      </plugin>
    </plugins>
  </build>
  <profiles>
    <profile>
      <dependencies>
        <dependency><groupId>p</groupId><artifactId>q</artifactId><version>1</version></dependency>
      </dependencies>
    </profile>
  </profiles>
</project>
"#;

    #[test]
    fn a_pom_declares_its_dependencies_managed_versions_and_properties() {
        let pom = pom("pom.xml", POM).unwrap();
        assert_eq!(pom.artifact.as_deref(), Some("billing"));
        assert_eq!(pom.version, None);
        assert_eq!(
            pom.parent,
            Some(PomParent {
                group: Some("org.acme".into()),
                artifact: Some("acme-parent".into()),
                version: Some("2.1.0".into()),
                relative_path: None
            })
        );
        assert_eq!(
            pom.properties.len(),
            1,
            "a commented property is no property"
        );
        assert_eq!(pom.properties["jackson.version"], "2.15.2");
        let names: Vec<(&str, Option<&str>, Option<&str>, u32)> = pom
            .dependencies
            .iter()
            .map(|d| {
                (
                    d.artifact.as_str(),
                    d.version.as_deref(),
                    d.scope.as_deref(),
                    d.span.start.line,
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("jackson-databind", Some("${jackson.version}"), None, 24),
                ("netty-all", None, None, 29),
                ("junit", Some("4.13.2"), Some("test"), 33),
            ],
            "plugin and profile dependencies are not the project's"
        );
        assert_eq!(pom.managed.len(), 1);
        assert_eq!(pom.managed[0].version.as_deref(), Some("4.1.94.Final"));
    }

    #[test]
    fn an_empty_relative_path_says_the_parent_is_elsewhere() {
        let text = "<project><parent><relativePath/></parent><artifactId>a</artifactId></project>";
        assert_eq!(
            pom("pom.xml", text).unwrap().parent.unwrap().relative_path,
            Some(String::new())
        );
    }

    fn error_line(text: &str) -> u32 {
        match *pom("pom.xml", text).unwrap_err() {
            super::super::Problem::Unparsable { span, .. } => span.start.line,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn what_is_not_a_pom_is_an_error_with_its_line() {
        assert_eq!(error_line("<project>\n  <dependencies>\n</project>"), 3);
        assert_eq!(
            error_line("<project>\n  <artifactId>a</artifactId>\n  <dependencies>\n"),
            4,
            "a truncated POM"
        );
        assert!(pom("pom.xml", "<Project/>").is_err());
        assert!(pom("pom.xml", "<settings><x/></settings>").is_err());
    }

    /// Empty elements, a relative path written empty with a closing tag, CDATA, entities,
    /// exclusions, type and classifier, and a prefixed root.
    #[test]
    fn how_elements_are_written_does_not_change_what_is_read() {
        let text = r#"<m:project xmlns:m="http://maven.apache.org/POM/4.0.0">
  <m:parent><m:relativePath></m:relativePath></m:parent>
  <m:artifactId><![CDATA[app]]></m:artifactId>
  <m:properties><a.version>1.&lt;2</a.version><empty/><b>2.&unknown;0</b></m:properties>
  <m:dependencies>
    <m:dependency>
      <m:groupId>g</m:groupId><m:artifactId>x</m:artifactId><m:version/>
      <m:exclusions><m:exclusion><m:groupId>other</m:groupId><m:artifactId>y</m:artifactId></m:exclusion></m:exclusions>
    </m:dependency>
    <m:dependency>
      <m:groupId>g</m:groupId><m:artifactId>x</m:artifactId><m:version>1.0</m:version>
      <m:type>test-jar</m:type><m:classifier>tests</m:classifier>
    </m:dependency>
  </m:dependencies>
</m:project>"#;
        let pom = pom("pom.xml", text).unwrap();
        assert_eq!(pom.artifact.as_deref(), Some("app"));
        assert_eq!(pom.parent.unwrap().relative_path, Some(String::new()));
        assert_eq!(pom.properties["a.version"], "1.<2");
        assert_eq!(pom.properties["empty"], "");
        assert_eq!(pom.properties["b"], "2.&unknown;0");
        assert_eq!(exact_version(&pom.properties["b"]), None);
        let [plain, tests] = pom.dependencies.as_slice() else {
            panic!("{:?}", pom.dependencies)
        };
        assert_eq!((plain.group.as_str(), plain.artifact.as_str()), ("g", "x"));
        assert_eq!(plain.version.as_deref(), Some(""));
        assert_eq!(plain.management_key(), ("jar", ""));
        assert_eq!(tests.management_key(), ("test-jar", "tests"));
    }

    /// A hostile nesting is read in time linear in its depth (no path copied per level), and a
    /// property too long to be a version is not kept.
    #[test]
    fn deep_nesting_and_long_properties_are_bounded() {
        let depth = 200_000;
        let text = format!(
            "<project><artifactId>a</artifactId><properties><long>{}</long></properties>{}{}</project>",
            "9".repeat(MAX_PROPERTY_BYTES + 1),
            "<x>".repeat(depth),
            "</x>".repeat(depth)
        );
        let pom = pom("pom.xml", &text).unwrap();
        assert!(pom.properties.is_empty());
    }

    #[test]
    fn properties_settle_or_say_they_cannot() {
        let properties: BTreeMap<&str, &str> = [
            ("a", "${b}.1"),
            ("b", "2.${c}"),
            ("c", "0"),
            ("loop", "${loop}"),
        ]
        .into_iter()
        .collect();
        let lookup = |name: &str| properties.get(name).copied();
        assert_eq!(substitute("${a}", &lookup).as_deref(), Some("2.0.1"));
        assert_eq!(substitute("1.0", &lookup).as_deref(), Some("1.0"));
        assert_eq!(substitute("${missing}", &lookup), None);
        assert_eq!(substitute("${loop}", &lookup), None);
        assert_eq!(substitute("${a", &lookup), None);
        let long = "x".repeat(MAX_PROPERTY_BYTES);
        let grows = |name: &str| (name == "long").then_some(long.as_str());
        assert_eq!(
            substitute("${long}${long}", &grows),
            None,
            "checked before copying"
        );
        assert_eq!(exact_version("4.1.94.Final"), Some("4.1.94.Final"));
        assert_eq!(exact_version("[1.5]"), Some("1.5"));
        for range in [
            "[1.0,2.0)",
            "(,1.0]",
            "",
            "${x}",
            "LATEST",
            "RELEASE",
            "1.0 beta",
        ] {
            assert_eq!(exact_version(range), None, "{range}");
        }
    }
}
