//! pnpm-lock.yaml (lockfile v6 and later).

use harden_model::Span;
use std::collections::BTreeMap;

use super::{Dependency, Ecosystem, Problem, Requirement, RequirementKind, override_target};

/// Checks npm requirements against a pnpm-lock.yaml (lockfile v6 and later): the importer of the
/// manifest's directory must record the same specifier and a version that satisfies it.
pub fn check_pnpm(
    requirements: &[Requirement],
    text: &str,
    importer: &str,
    lockfile: &str,
) -> Vec<Problem> {
    let Ok(documents) = crate::yaml::parse(text) else {
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
