//! yarn.lock (classic and berry).

use std::collections::BTreeSet;

use super::{Problem, Requirement, RequirementKind};

/// Checks npm requirements against a yarn.lock: yarn records each requested range as a key
/// (`name@^1.2.0` classic, `name@npm:^1.2.0` berry), so a changed requirement has no entry.
/// A package overridden by `resolutions` needs only some entry: yarn rewrites its key to the
/// resolution (`@types/koa@npm:2.15.1`).
pub fn check_yarn(
    requirements: &[Requirement],
    text: &str,
    lockfile: &str,
    overridden: &BTreeSet<String>,
) -> Vec<Problem> {
    let mut keys: Vec<String> = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with(' ') && l.trim_end().ends_with(':'))
    {
        for key in line.trim_end().trim_end_matches(':').split(", ") {
            keys.push(key.trim_matches('"').to_owned());
        }
    }
    requirements
        .iter()
        .filter(|r| r.kind == RequirementKind::Registry)
        .filter(|r| {
            let classic = format!("{}@{}", r.name, r.requirement);
            let berry = format!("{}@npm:{}", r.name, r.requirement);
            let any = format!("{}@", r.name);
            !keys.iter().any(|k| {
                *k == classic
                    || *k == berry
                    || (overridden.contains(&r.name) && k.starts_with(&any))
            })
        })
        .map(|r| Problem::NotLocked {
            requirement: r.clone(),
            lockfile: lockfile.to_owned(),
        })
        .collect()
}
