//! Gradle dependency locking: `gradle.lockfile`.
//!
//! Gradle writes one line per resolved module, `group:artifact:version=configuration,...`
//! (Gradle's documentation, "Locking dependency versions"), `#` comments, and a closing
//! `empty=...` line naming the configurations that resolved nothing. The modules are Maven
//! coordinates: the inventory names them `group:artifact`, as OSV's Maven ecosystem does.

use super::{Dependency, Ecosystem, line_span};

/// Every module the lockfile pins, in file order.
pub fn gradle_lockfile(path: &str, text: &str) -> Vec<Dependency> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let coordinates = line.split_once('=').map_or(line, |(module, _)| module);
        let mut parts = coordinates.split(':');
        let (Some(group), Some(artifact), Some(version), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if [group, artifact, version].iter().any(|p| p.is_empty()) {
            continue;
        }
        out.push(Dependency {
            ecosystem: Ecosystem::Maven,
            name: format!("{group}:{artifact}"),
            version: version.to_owned(),
            direct: false,
            source: None,
            integrity: None,
            path: path.to_owned(),
            span: line_span(index, line),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_are_read_with_their_lines_and_the_rest_skipped() {
        let lock = "\
# This is a Gradle generated file for dependency locking.
# Manual edits can break the build and are not advised.
com.acme:billing-core:2.4.1=compileClasspath,runtimeClasspath
org.example.logging:logger:1.0.0-rc1=runtimeClasspath
not a module line
empty=annotationProcessor,testCompileClasspath
";
        let modules = gradle_lockfile("app/gradle.lockfile", lock);
        let listed: Vec<(&str, &str, u32)> = modules
            .iter()
            .map(|m| (m.name.as_str(), m.version.as_str(), m.span.start.line))
            .collect();
        assert_eq!(
            listed,
            [
                ("com.acme:billing-core", "2.4.1", 3),
                ("org.example.logging:logger", "1.0.0-rc1", 4),
            ]
        );
        assert!(modules.iter().all(|m| m.ecosystem == Ecosystem::Maven));
    }
}
