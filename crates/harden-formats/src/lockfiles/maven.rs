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
    /// `version`, when written.
    pub version: Option<String>,
    /// `scope` (`compile` when not written).
    pub scope: Option<String>,
    /// Where `<dependency>` opens.
    pub span: Span,
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
    /// `project/properties`, by name.
    pub properties: BTreeMap<String, String>,
    /// `project/dependencies`.
    pub dependencies: Vec<PomDependency>,
    /// `project/dependencyManagement/dependencies`: versions for dependencies declared without
    /// one, here or in a child.
    pub managed: Vec<PomDependency>,
}

/// Reads a POM. A file that is not well-formed XML, or whose root is not `<project>`, is an
/// error with the line and column where reading stopped.
pub fn pom(path: &str, text: &str) -> Result<Pom, Box<super::Problem>> {
    use quick_xml::events::Event;
    let lines = harden_model::LineIndex::new(text);
    let mut reader = quick_xml::Reader::from_str(text);
    let mut pom = Pom::default();
    // Local names of the open elements, from the root.
    let mut open: Vec<String> = Vec::new();
    let mut current: Option<PomDependency> = None;
    let mut value = String::new();
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            let position = usize::try_from(reader.error_position())
                .unwrap_or(usize::MAX)
                .min(text.len());
            Box::new(super::unparsable(
                path,
                text,
                Some(position..position),
                format!("not well-formed XML: {e}"),
            ))
        })?;
        match event {
            Event::Start(element) => {
                let name = String::from_utf8_lossy(element.local_name().as_ref()).into_owned();
                if open.is_empty() && name != "project" {
                    return Err(Box::new(super::unparsable(
                        path,
                        text,
                        Some(at.min(text.len())..at.min(text.len())),
                        format!("the root element is <{name}>: expected <project>"),
                    )));
                }
                open.push(name);
                value.clear();
                if is_dependency(&open) {
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
                        span: Span {
                            start: position,
                            end: position,
                        },
                    });
                }
            }
            Event::Empty(element) => {
                // `<relativePath/>`: the parent is looked up in repositories, not here.
                let name = element.local_name();
                if open == ["project", "parent"] && name.as_ref() == b"relativePath" {
                    pom.parent
                        .get_or_insert_with(PomParent::default)
                        .relative_path = Some(String::new());
                }
            }
            Event::Text(part) => {
                value.push_str(&part.decode().unwrap_or_default());
            }
            Event::GeneralRef(reference) => {
                // The five predefined entities and character references; others are left as
                // written (a POM declares no DTD).
                let name = reference.decode().unwrap_or_default();
                match reference.resolve_char_ref() {
                    Ok(Some(c)) => value.push(c),
                    _ => value.push_str(match name.as_ref() {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "apos" => "'",
                        "quot" => "\"",
                        _ => "",
                    }),
                }
            }
            Event::CData(part) => value.push_str(&String::from_utf8_lossy(&part)),
            Event::End(_) => {
                let text_value = value.trim().to_owned();
                let path_now: Vec<&str> = open.iter().map(String::as_str).collect();
                match path_now.as_slice() {
                    ["project", "groupId"] => pom.group = Some(text_value),
                    ["project", "artifactId"] => pom.artifact = Some(text_value),
                    ["project", "version"] => pom.version = Some(text_value),
                    ["project", "parent", "groupId"] => {
                        pom.parent.get_or_insert_with(PomParent::default).group = Some(text_value);
                    }
                    ["project", "parent", "artifactId"] => {
                        pom.parent.get_or_insert_with(PomParent::default).artifact =
                            Some(text_value);
                    }
                    ["project", "parent", "version"] => {
                        pom.parent.get_or_insert_with(PomParent::default).version =
                            Some(text_value);
                    }
                    ["project", "parent", "relativePath"] => {
                        pom.parent
                            .get_or_insert_with(PomParent::default)
                            .relative_path = Some(text_value);
                    }
                    ["project", "parent"] => {
                        pom.parent.get_or_insert_with(PomParent::default);
                    }
                    ["project", "properties", name] => {
                        pom.properties.insert((*name).to_owned(), text_value);
                    }
                    [.., "dependency", field] if is_dependency(&open[..open.len() - 1]) => {
                        if let Some(dependency) = current.as_mut() {
                            match *field {
                                "groupId" => dependency.group = text_value,
                                "artifactId" => dependency.artifact = text_value,
                                "version" => dependency.version = Some(text_value),
                                "scope" => dependency.scope = Some(text_value),
                                _ => {}
                            }
                        }
                    }
                    _ if is_dependency(&open) => {
                        if let Some(dependency) = current.take() {
                            if open[1] == "dependencies" {
                                pom.dependencies.push(dependency);
                            } else {
                                pom.managed.push(dependency);
                            }
                        }
                    }
                    _ => {}
                }
                open.pop();
                value.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if pom.artifact.is_none() && pom.dependencies.is_empty() {
        return Err(Box::new(super::unparsable(
            path,
            text,
            None,
            "no <project> element: not a Maven POM",
        )));
    }
    Ok(pom)
}

/// Whether `open` is a dependency this reader keeps: `project/dependencies/dependency` or
/// `project/dependencyManagement/dependencies/dependency`.
fn is_dependency(open: &[String]) -> bool {
    let path: Vec<&str> = open.iter().map(String::as_str).collect();
    matches!(
        path.as_slice(),
        ["project", "dependencies", "dependency"]
            | [
                "project",
                "dependencyManagement",
                "dependencies",
                "dependency"
            ]
    )
}

/// `text` with each `${name}` replaced by `lookup(name)`, repeatedly (a property may name
/// another) up to a bound; `None` when a name is unknown or the substitution does not settle.
pub fn substitute(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut value = text.to_owned();
    // Properties that refer to each other in a cycle never settle; real POMs nest a few deep.
    for _ in 0..16 {
        let Some(start) = value.find("${") else {
            return Some(value);
        };
        let end = start + value[start..].find('}')?;
        let replacement = lookup(&value[start + 2..end])?;
        value.replace_range(start..=end, &replacement);
        if value.len() > 4096 {
            return None;
        }
    }
    None
}

/// Whether `version` names one version: Maven also takes ranges (`[1.0,2.0)`), which say
/// nothing about what a build resolves.
pub fn is_exact_version(version: &str) -> bool {
    !version.is_empty()
        && !version.starts_with(['[', '('])
        && !version.contains(',')
        && !version.contains("${")
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

    #[test]
    fn what_is_not_a_pom_is_an_error_with_its_line() {
        let error = pom("pom.xml", "<project>\n  <dependencies>\n</project>").unwrap_err();
        assert!(
            matches!(*error, super::super::Problem::Unparsable { ref span, .. } if span.start.line >= 2),
            "{error:?}"
        );
        assert!(pom("pom.xml", "<Project/>").is_err());
        assert!(pom("pom.xml", "<settings><x/></settings>").is_err());
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
        let lookup = |name: &str| properties.get(name).map(|v| (*v).to_owned());
        assert_eq!(substitute("${a}", &lookup).as_deref(), Some("2.0.1"));
        assert_eq!(substitute("1.0", &lookup).as_deref(), Some("1.0"));
        assert_eq!(substitute("${missing}", &lookup), None);
        assert_eq!(substitute("${loop}", &lookup), None);
        assert_eq!(substitute("${a", &lookup), None);
        assert!(is_exact_version("4.1.94.Final"));
        for range in ["[1.0,2.0)", "(,1.0]", "[1.5]", "", "${x}"] {
            assert!(!is_exact_version(range), "{range}");
        }
    }
}
