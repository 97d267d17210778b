//! Go modules: go.mod and go.sum.

use std::collections::HashSet;

use super::{Dependency, Ecosystem, Problem, Requirement, RequirementKind, line_span};

/// A go.mod `replace`: module, optional version, and the replacement module and version (`None`
/// for a local directory).
type GoReplace = (String, Option<String>, Option<(String, String)>);

/// `require` entries of a go.mod, with `replace` directives applied: a module replaced by a
/// local path needs no go.sum entry; one replaced by another module version is checked as that.
pub fn go_requirements(path: &str, text: &str) -> Vec<Requirement> {
    let mut requires = Vec::new();
    let mut replaces: Vec<GoReplace> = Vec::new();
    let mut block: Option<&str> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.split("//").next().unwrap_or(raw).trim();
        let (directive, entry) = match block {
            Some(_) if line == ")" => {
                block = None;
                continue;
            }
            Some(directive) => (directive, line),
            None => {
                if let Some(directive) = ["require", "replace"]
                    .into_iter()
                    .find(|d| line == format!("{d} ("))
                {
                    block = Some(directive);
                    continue;
                }
                match ["require", "replace"].into_iter().find_map(|d| {
                    line.strip_prefix(d)
                        .filter(|r| r.starts_with(' '))
                        .map(|r| (d, r.trim()))
                }) {
                    Some(found) => found,
                    None => continue,
                }
            }
        };
        if directive == "require" {
            let mut words = entry.split_whitespace();
            if let (Some(module), Some(version)) = (words.next(), words.next()) {
                requires.push(Requirement {
                    name: module.to_owned(),
                    requirement: version.to_owned(),
                    kind: RequirementKind::Registry,
                    path: path.to_owned(),
                    span: line_span(index, raw),
                });
            }
        } else if let Some((old, new)) = entry.split_once("=>") {
            let mut old_words = old.split_whitespace();
            let old_module = old_words.next().unwrap_or_default().to_owned();
            let old_version = old_words.next().map(str::to_owned);
            let mut new_words = new.split_whitespace();
            let target = match (new_words.next(), new_words.next()) {
                (Some(module), Some(version)) => Some((module.to_owned(), version.to_owned())),
                _ => None, // a local directory
            };
            replaces.push((old_module, old_version, target));
        }
    }
    requires
        .into_iter()
        .filter_map(|mut requirement| {
            let replace = replaces.iter().find(|(module, version, _)| {
                *module == requirement.name
                    && version
                        .as_ref()
                        .is_none_or(|v| *v == requirement.requirement)
            });
            match replace {
                None => Some(requirement),
                Some((_, _, None)) => None,
                Some((_, _, Some((module, version)))) => {
                    requirement.name.clone_from(module);
                    requirement.requirement.clone_from(version);
                    Some(requirement)
                }
            }
        })
        .collect()
}

/// Checks go.mod requirements against go.sum lines. A line records a module only with a
/// well-formed hash (`h1:` and the base64 of a SHA-256); any other line is malformed, reported
/// at its line rather than counted as a record.
pub fn check_go(requirements: &[Requirement], go_sum: &str, lockfile: &str) -> Vec<Problem> {
    let mut recorded: HashSet<(&str, &str)> = HashSet::new();
    let mut problems = Vec::new();
    for (index, line) in go_sum.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let hash_ok = |hash: &str| {
            hash.strip_prefix("h1:").is_some_and(|b64| {
                b64.len() == 44
                    && b64.ends_with('=')
                    && b64[..43]
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
            })
        };
        match fields.as_slice() {
            [module, version, hash] if hash_ok(hash) => {
                let version = version.strip_suffix("/go.mod").unwrap_or(version);
                recorded.insert((module, version));
            }
            _ => problems.push(Problem::Unparsable {
                path: lockfile.to_owned(),
                span: line_span(index, line),
                message:
                    "malformed go.sum line: expected `module version[/go.mod] h1:<base64 SHA-256>`"
                        .to_owned(),
            }),
        }
    }
    problems.extend(
        requirements
            .iter()
            .filter(|r| !recorded.contains(&(r.name.as_str(), r.requirement.as_str())))
            .map(|r| Problem::NotLocked {
                requirement: r.clone(),
                lockfile: lockfile.to_owned(),
            }),
    );
    problems
}

/// Every module a go.mod requires (after `replace`), with its version: since Go 1.17 go.mod
/// lists every module the build needs, those only needed by others marked `// indirect`.
pub fn go_mod_lock(path: &str, text: &str) -> Vec<Dependency> {
    let lines: Vec<&str> = text.lines().collect();
    go_requirements(path, text)
        .into_iter()
        .map(|requirement| {
            let line = requirement.span.start.line as usize;
            let indirect = lines
                .get(line.saturating_sub(1))
                .is_some_and(|l| l.contains("// indirect"));
            Dependency {
                ecosystem: Ecosystem::Go,
                name: requirement.name,
                version: requirement.requirement,
                direct: !indirect,
                source: None,
                integrity: None,
                path: path.to_owned(),
                span: requirement.span,
            }
        })
        .collect()
}
