//! pnpm-lock.yaml (lockfile v6 and later).

use harden_model::Span;
use std::collections::{BTreeMap, BTreeSet};

use super::{Dependency, Ecosystem, Problem, Requirement, RequirementKind, override_target};

/// Checks npm requirements against a pnpm-lock.yaml (lockfile v6 and later): the importer of the
/// manifest's directory must record the same specifier and a version that satisfies it.
pub fn check_pnpm(
    requirements: &[Requirement],
    parsed: &Result<Vec<crate::yaml::Node>, crate::yaml::YamlError>,
    importer: &str,
    lockfile: &str,
) -> Vec<Problem> {
    let Ok(documents) = parsed else {
        return vec![Problem::Unparsable {
            path: lockfile.to_owned(),
            span: Span::default(),
            message: "invalid YAML".into(),
        }];
    };
    let Some(root) = documents.first() else {
        return Vec::new();
    };
    // Lockfile v6 without workspaces keeps the root project's sections at the top level.
    let importer_node = match root.get("importers") {
        Some(importers) => importers.get(importer),
        None if importer == "." => Some(root),
        None => None,
    };
    // Overrides (from pnpm-workspace.yaml or package.json) are recorded in the lockfile, and
    // an overridden direct dependency's specifier is the override's value.
    let overrides: BTreeMap<String, String> = root
        .get("overrides")
        .map(|node| match &node.value {
            crate::yaml::Value::Map(entries) => entries
                .iter()
                .filter_map(|(key, value)| {
                    Some((override_target(&key.text)?, value.scalar_text()?))
                })
                .collect(),
            _ => BTreeMap::new(),
        })
        .unwrap_or_default();
    let mut problems = Vec::new();
    for requirement in requirements
        .iter()
        .filter(|r| r.kind == RequirementKind::Registry)
    {
        let entry = importer_node.and_then(|node| {
            ["dependencies", "devDependencies", "optionalDependencies"]
                .iter()
                .find_map(|section| node.get(section).and_then(|s| s.get(&requirement.name)))
        });
        let Some(entry) = entry else {
            problems.push(Problem::NotLocked {
                requirement: requirement.clone(),
                lockfile: lockfile.to_owned(),
            });
            continue;
        };
        let specifier = entry
            .get("specifier")
            .and_then(crate::yaml::Node::scalar_text)
            .unwrap_or_default();
        let version = entry
            .get("version")
            .and_then(crate::yaml::Node::scalar_text)
            .unwrap_or_default();
        let bare = version.split('(').next().unwrap_or_default().to_owned();
        let wanted = overrides
            .get(&requirement.name)
            .unwrap_or(&requirement.requirement);
        let satisfied = (specifier == requirement.requirement || specifier == *wanted)
            && nodejs_semver::Range::parse(wanted)
                .ok()
                .zip(nodejs_semver::Version::parse(&bare).ok())
                .is_none_or(|(range, v)| range.satisfies(&v));
        if !satisfied {
            problems.push(Problem::Mismatch {
                requirement: requirement.clone(),
                locked: Dependency {
                    ecosystem: Ecosystem::Npm,
                    name: requirement.name.clone(),
                    version: if specifier == requirement.requirement {
                        bare
                    } else {
                        format!("{bare}, recorded for `{specifier}` (out of date)")
                    },
                    direct: true,
                    source: None,
                    integrity: None,
                    path: lockfile.to_owned(),
                    span: entry.span,
                },
            });
        }
    }
    problems
}

/// Name and version of a pnpm `packages` key: `/lodash@4.17.21` (v6), `lodash@4.17.21` (v9),
/// `/@babel/core/7.0.0` (v5), with any peer suffix `(react@18.2.0)` or `_react@18.2.0` dropped.
fn pnpm_key(key: &str, v5: bool) -> Option<(String, String)> {
    let bare = key.trim_start_matches('/');
    let bare = bare.split('(').next().unwrap_or(bare);
    if v5 {
        // The version follows the last `/`; the peer suffix follows the version's first `_`
        // (a scoped peer's `/` is written `+`). A name may hold `_` itself.
        let (name, version) = bare.rsplit_once('/')?;
        let version = version.split('_').next().unwrap_or(version);
        return Some((name.to_owned(), version.to_owned()));
    }
    let from = usize::from(bare.starts_with('@'));
    let at = bare[from..].find('@')? + from;
    Some((bare[..at].to_owned(), bare[at + 1..].to_owned()))
}

/// Every package a pnpm-lock.yaml pins (lockfile v5 to v9), direct where an importer names it,
/// from the lockfile's parse (shared with [`check_pnpm`]: a lockfile of a large workspace is
/// parsed once, not once per member and gate).
pub fn pnpm_lock(
    path: &str,
    parsed: &Result<Vec<crate::yaml::Node>, crate::yaml::YamlError>,
) -> Result<Vec<Dependency>, Box<Problem>> {
    let documents = parsed.as_ref().map_err(|e| {
        Box::new(Problem::Unparsable {
            path: path.to_owned(),
            span: Span {
                start: harden_model::LineCol {
                    line: e.line,
                    column: e.column,
                },
                end: harden_model::LineCol {
                    line: e.line,
                    column: e.column,
                },
            },
            message: e.message.clone(),
        })
    })?;
    let Some(root) = documents.first() else {
        return Ok(Vec::new());
    };
    let v5 = root
        .get("lockfileVersion")
        .and_then(crate::yaml::Node::scalar_text)
        .is_some_and(|v| v.starts_with('5'));
    let mut direct: BTreeSet<String> = BTreeSet::new();
    let importers: Vec<&crate::yaml::Node> = match root.get("importers") {
        Some(importers) => importers.entries().iter().map(|(_, node)| node).collect(),
        None => vec![root],
    };
    for importer in importers {
        for section in ["dependencies", "devDependencies", "optionalDependencies"] {
            if let Some(node) = importer.get(section) {
                direct.extend(node.entries().iter().map(|(key, _)| key.text.clone()));
            }
        }
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    if let Some(packages) = root.get("packages") {
        for (key, node) in packages.entries() {
            let Some((name, version)) = pnpm_key(&key.text, v5) else {
                continue;
            };
            // Local and linked packages are the project's own code.
            if version.starts_with("link:") || version.starts_with("file:") {
                continue;
            }
            if !seen.insert((name.clone(), version.clone())) {
                continue;
            }
            let resolution = node.get("resolution");
            out.push(Dependency {
                ecosystem: Ecosystem::Npm,
                direct: direct.contains(&name),
                name,
                version,
                source: resolution
                    .and_then(|r| r.get("tarball"))
                    .and_then(crate::yaml::Node::scalar_text),
                integrity: resolution
                    .and_then(|r| r.get("integrity"))
                    .and_then(crate::yaml::Node::scalar_text),
                path: path.to_owned(),
                span: key.span,
            });
        }
    }
    Ok(out)
}
