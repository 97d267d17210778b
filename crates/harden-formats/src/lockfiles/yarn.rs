//! yarn.lock (classic and berry).

use std::collections::{BTreeSet, HashSet};

use super::{Dependency, Ecosystem, Problem, Requirement, RequirementKind, line_span};

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
    let mut keys: HashSet<&str> = HashSet::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with(' ') && l.trim_end().ends_with(':'))
    {
        for key in line.trim_end().trim_end_matches(':').split(", ") {
            keys.insert(key.trim_matches('"'));
        }
    }
    let names: HashSet<&str> = keys.iter().map(|key| yarn_key_name(key)).collect();
    requirements
        .iter()
        .filter(|r| r.kind == RequirementKind::Registry)
        .filter(|r| {
            let classic = format!("{}@{}", r.name, r.requirement);
            let berry = format!("{}@npm:{}", r.name, r.requirement);
            !(keys.contains(classic.as_str())
                || keys.contains(berry.as_str())
                || (overridden.contains(&r.name) && names.contains(r.name.as_str())))
        })
        .map(|r| Problem::NotLocked {
            requirement: r.clone(),
            lockfile: lockfile.to_owned(),
        })
        .collect()
}

/// The package name of a yarn.lock key (`lodash@^4.17.0`, `@babel/core@npm:^7.0.0`).
fn yarn_key_name(key: &str) -> &str {
    let from = usize::from(key.starts_with('@'));
    key[from..].find('@').map_or(key, |at| &key[..from + at])
}

/// The package a yarn.lock key installs: `lodash` for `lodash@^4`, `real` for the alias
/// `foo@npm:real@^1.0.0` (classic), the key's name for a berry range `foo@npm:^1.0.0`.
fn aliased_name(key: &str) -> &str {
    let name = yarn_key_name(key);
    match key[name.len()..].strip_prefix("@npm:") {
        Some(target) if yarn_key_name(target).len() < target.len() => yarn_key_name(target),
        _ => name,
    }
}

/// Every package a yarn.lock pins (classic v1 and berry): name, version, resolved source and
/// integrity, the entry's line. Workspace, link, file and portal entries are the project's own
/// code, not packages.
pub fn yarn_lock(path: &str, text: &str) -> Vec<Dependency> {
    struct Entry<'t> {
        name: String,
        line: usize,
        text: &'t str,
        version: Option<String>,
        source: Option<String>,
        integrity: Option<String>,
    }
    let mut out: Vec<Dependency> = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut flush = |entry: Option<Entry>, out: &mut Vec<Dependency>| {
        let Some(entry) = entry else { return };
        let Some(version) = entry.version else { return };
        if seen.insert((entry.name.clone(), version.clone())) {
            out.push(Dependency {
                ecosystem: Ecosystem::Npm,
                name: entry.name,
                version,
                direct: false,
                source: entry.source,
                integrity: entry.integrity,
                path: path.to_owned(),
                span: line_span(entry.line, entry.text),
            });
        }
    };
    let mut current: Option<Entry> = None;
    for (index, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            flush(current.take(), &mut out);
            let header = line.trim_end().trim_end_matches(':');
            let key = header
                .split(", ")
                .next()
                .unwrap_or_default()
                .trim_matches('"');
            let local = ["@workspace:", "@link:", "@file:", "@portal:"]
                .iter()
                .any(|p| key.contains(p));
            if key == "__metadata" || local {
                continue;
            }
            current = Some(Entry {
                name: aliased_name(key).to_owned(),
                line: index,
                text: line,
                version: None,
                source: None,
                integrity: None,
            });
            continue;
        }
        let Some(entry) = current.as_mut() else {
            continue;
        };
        // Only the entry's own fields (two spaces), not its dependency lists (four).
        if line.starts_with("    ") {
            continue;
        }
        let field = line.trim();
        let (name, value) = match field.split_once(": ") {
            Some((name, value)) => (name, value),
            None => field.split_once(' ').unwrap_or((field, "")),
        };
        let value = value.trim().trim_matches('"').to_owned();
        match name {
            "version" => entry.version = Some(value),
            "resolved" => entry.source = Some(value),
            // Berry names the package it resolved to, which an alias's key does not.
            "resolution" => {
                yarn_key_name(&value).clone_into(&mut entry.name);
                entry.source = Some(value);
            }
            "integrity" | "checksum" => entry.integrity = Some(value),
            _ => {}
        }
    }
    flush(current, &mut out);
    out
}
