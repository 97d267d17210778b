//! bun.lock, Bun's text lockfile (`lockfileVersion` 0 and 1, Bun 1.1.39 and later).
//!
//! The file is JSON with a comma after the last member of every object and array, which JSON
//! does not allow. `workspaces` maps each workspace's directory (`""` for the root) to the
//! dependencies its package.json asks for, as written; `packages` maps an install path to
//! `["name@version", registry, {dependencies}, "integrity"]`, or `["name@workspace:dir"]` for a
//! workspace's own package.

use std::collections::{BTreeMap, BTreeSet};

use super::{Dependency, Ecosystem, Locator, Problem, Requirement, RequirementKind};

/// The sections of a workspace entry that name its direct dependencies.
const SECTIONS: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
];

/// `text` with the commas that close an object or an array blanked, so that serde_json reads
/// it; every other byte, and so every offset, stays where it was. Written by hand: a JSON5
/// parser would accept far more than Bun writes (comments, unquoted keys) and give no better
/// errors, and this is one pass that skips strings.
fn without_trailing_commas(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut in_string = false;
    let mut escaped = false;
    let mut pending: Option<usize> = None;
    for index in 0..bytes.len() {
        let byte = bytes[index];
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => {
                in_string = true;
                pending = None;
            }
            b',' => pending = Some(index),
            b'}' | b']' => {
                if let Some(comma) = pending.take() {
                    bytes[comma] = b' ';
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => pending = None,
        }
    }
    // Only ASCII commas were replaced by ASCII spaces: still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned())
}

fn parsed(path: &str, text: &str) -> Result<serde_json::Value, Box<Problem>> {
    serde_json::from_str(&without_trailing_commas(text)).map_err(|e| super::not_json(path, &e))
}

/// Name and version of a `packages` entry's first element (`@babel/core@7.28.6`): `None` for
/// what is not a registry version (`frontend@workspace:frontend`, `x@github:o/r#sha`,
/// `y@file:../y`).
fn name_and_version(locator: &str) -> Option<(&str, &str)> {
    let from = usize::from(locator.starts_with('@'));
    let at = locator[from..].find('@')? + from;
    let (name, version) = (&locator[..at], &locator[at + 1..]);
    (!name.is_empty() && !version.is_empty() && !version.contains(':')).then_some((name, version))
}

/// Where each `packages` entry's key is written, read from the lines after `"packages"` (Bun
/// writes one entry a line, `    "name": [...]`): serde_json's map keeps no positions and no
/// order.
fn entry_places(text: &str) -> std::collections::HashMap<&str, std::ops::Range<usize>> {
    let mut places = std::collections::HashMap::new();
    let Some(section) = text.find("\"packages\"") else {
        return places;
    };
    let mut offset = section;
    for line in text[section..].split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        if let Some(rest) = line.trim_start().strip_prefix('"')
            && let Some(end) = rest.find("\": [")
        {
            let start = offset + indent;
            places.insert(&rest[..end], start..start + end + 2);
        }
        offset += line.len();
    }
    places
}

/// Where the workspace `importer` records its requirement of `name`: the name's key after the
/// workspace's own key in `workspaces`.
fn recorded_place(text: &str, importer: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let workspaces = text.find("\"workspaces\"")?;
    let key = format!("{}: {{", serde_json::Value::String(importer.to_owned()));
    let workspace = workspaces + text[workspaces..].find(&key)?;
    let quoted = format!("{}:", serde_json::Value::String(name.to_owned()));
    let at = workspace + text[workspace..].find(&quoted)?;
    Some(at..at + quoted.len() - 1)
}

/// What a bun.lock locks, read once for the inventory and for the manifests' checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BunLock {
    /// Every registry package, direct where a workspace's package.json names it.
    pub packages: Vec<Dependency>,
    /// Each workspace's requirements as Bun recorded them, by the workspace's directory (`""`
    /// for the root).
    workspaces: BTreeMap<String, BTreeMap<String, String>>,
    /// The version installed at the top level, by package name.
    top_level: BTreeMap<String, String>,
}

/// Every registry package a bun.lock pins.
pub fn bun_lock(path: &str, text: &str) -> Result<Vec<Dependency>, Box<Problem>> {
    bun_lock_parsed(path, text).map(|lock| lock.packages)
}

/// A bun.lock, parsed once.
pub fn bun_lock_parsed(path: &str, text: &str) -> Result<BunLock, Box<Problem>> {
    let root = parsed(path, text)?;
    let workspaces: BTreeMap<String, BTreeMap<String, String>> = root
        .get("workspaces")
        .and_then(serde_json::Value::as_object)
        .into_iter()
        .flatten()
        .map(|(directory, workspace)| {
            let recorded = SECTIONS
                .iter()
                .filter_map(|section| workspace.get(section)?.as_object())
                .flatten()
                .filter_map(|(name, spec)| Some((name.clone(), spec.as_str()?.to_owned())))
                .collect();
            (directory.clone(), recorded)
        })
        .collect();
    let direct: BTreeSet<&str> = workspaces
        .values()
        .flat_map(BTreeMap::keys)
        .map(String::as_str)
        .collect();
    let entries = root
        .get("packages")
        .and_then(serde_json::Value::as_object)
        .into_iter()
        .flatten();
    let locator = Locator::new(text);
    let places = entry_places(text);
    let mut packages = Vec::new();
    let mut top_level = BTreeMap::new();
    let mut seen: BTreeSet<(&str, &str)> = BTreeSet::new();
    for (key, entry) in entries {
        let Some(entry) = entry.as_array() else {
            continue;
        };
        let Some((name, version)) = entry
            .first()
            .and_then(serde_json::Value::as_str)
            .and_then(name_and_version)
        else {
            continue;
        };
        if key == name {
            top_level.insert(name.to_owned(), version.to_owned());
        }
        if !seen.insert((name, version)) {
            continue;
        }
        // The install path's last part is the name it is installed under (`frontend/react`
        // is a second `react` for `frontend`): direct when a workspace asks for that name.
        let installed_as = key.rsplit_once('/').map_or(key.as_str(), |(parent, last)| {
            if parent.starts_with('@') && !parent.contains('/') {
                key.as_str()
            } else {
                last
            }
        });
        packages.push(Dependency {
            ecosystem: Ecosystem::Npm,
            name: name.to_owned(),
            version: version.to_owned(),
            direct: direct.contains(installed_as) || direct.contains(name),
            source: entry
                .get(1)
                .and_then(serde_json::Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            integrity: entry
                .iter()
                .rev()
                .find_map(serde_json::Value::as_str)
                .filter(|s| s.starts_with("sha"))
                .map(str::to_owned),
            path: path.to_owned(),
            span: locator.span(places.get(key.as_str()).cloned()),
        });
    }
    Ok(BunLock {
        packages,
        workspaces,
        top_level,
    })
}

/// Requirements of an npm manifest that its workspace's entry in bun.lock does not record as
/// written (`importer` is the manifest's directory relative to the lockfile's, `""` at the
/// root): Bun records each workspace's package.json there, so a requirement missing or written
/// otherwise means the lockfile was not updated with the manifest (`bun install
/// --frozen-lockfile` refuses it). `text` is the lockfile's, for where a record is written.
pub fn check_bun(
    requirements: &[Requirement],
    lock: &BunLock,
    text: &str,
    importer: &str,
    lockfile: &str,
) -> Vec<Problem> {
    let recorded = lock.workspaces.get(importer);
    // The lockfile's lines are indexed once, and only when a record must be pointed at.
    let locator = std::cell::OnceCell::new();
    let mut problems = Vec::new();
    for requirement in requirements
        .iter()
        .filter(|r| r.kind == RequirementKind::Registry)
    {
        match recorded.and_then(|r| r.get(&requirement.name)) {
            None => problems.push(Problem::NotLocked {
                requirement: requirement.clone(),
                lockfile: lockfile.to_owned(),
            }),
            Some(spec) if *spec != requirement.requirement => problems.push(Problem::Mismatch {
                requirement: requirement.clone(),
                locked: Dependency {
                    ecosystem: Ecosystem::Npm,
                    name: requirement.name.clone(),
                    version: format!(
                        "{}, recorded for `{spec}` (out of date)",
                        lock.top_level
                            .get(&requirement.name)
                            .map_or("?", String::as_str)
                    ),
                    direct: true,
                    source: None,
                    integrity: None,
                    path: lockfile.to_owned(),
                    span: locator
                        .get_or_init(|| Locator::new(text))
                        .span(recorded_place(text, importer, &requirement.name)),
                },
            }),
            Some(_) => {}
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"{
  "lockfileVersion": 1,
  "workspaces": {
    "": {
      "name": "shop",
    },
    "web": {
      "name": "web",
      "dependencies": {
        "react": "^19.2.0",
        "@tanstack/react-query": "^5.90.0",
      },
      "devDependencies": {
        "vitest": "^3.2.0",
      },
    },
  },
  "packages": {
    "@tanstack/react-query": ["@tanstack/react-query@5.90.2", "", { "dependencies": { "@tanstack/query-core": "5.90.2" } }, "sha512-AAAA"],

    "@tanstack/query-core": ["@tanstack/query-core@5.90.2", "", {}, "sha512-BBBB"],

    "react": ["react@19.2.0", "", {}, "sha512-CCCC"],

    "vitest": ["vitest@3.2.4", "", { "dependencies": { "chai": "^5.2.0" } }, "sha512-DDDD"],

    "web": ["web@workspace:web"],

    "web/chai": ["chai@5.2.1", "", {}, "sha512-EEEE"],
  }
}
"#;

    #[test]
    fn packages_with_versions_integrity_and_lines() {
        let locked = bun_lock("bun.lock", LOCK).unwrap();
        let seen: Vec<(&str, &str, bool, u32)> = locked
            .iter()
            .map(|d| {
                (
                    d.name.as_str(),
                    d.version.as_str(),
                    d.direct,
                    d.span.start.line,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("@tanstack/query-core", "5.90.2", false, 21),
                ("@tanstack/react-query", "5.90.2", true, 19),
                ("react", "19.2.0", true, 23),
                ("vitest", "3.2.4", true, 25),
                ("chai", "5.2.1", false, 29),
            ]
        );
        assert_eq!(locked[1].integrity.as_deref(), Some("sha512-AAAA"));
        assert!(locked.iter().all(Dependency::from_registry));
    }

    #[test]
    fn a_manifest_ahead_of_its_lockfile() {
        let manifest = "{\"dependencies\": {\"react\": \"^19.2.0\", \"@tanstack/react-query\": \"^5.91.0\", \"zod\": \"^4.0.0\"}, \"devDependencies\": {\"vitest\": \"^3.2.0\"}}";
        let requirements = super::super::npm_requirements("web/package.json", manifest).unwrap();
        let problems = check_bun(
            &requirements,
            &bun_lock_parsed("bun.lock", LOCK).unwrap(),
            LOCK,
            "web",
            "bun.lock",
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            matches!(&problems[0], Problem::Mismatch { requirement, locked }
            if requirement.name == "@tanstack/react-query" && locked.version.starts_with("5.90.2"))
        );
        assert!(
            matches!(&problems[1], Problem::NotLocked { requirement, .. } if requirement.name == "zod")
        );
        let current =
            "{\"dependencies\": {\"react\": \"^19.2.0\", \"@tanstack/react-query\": \"^5.90.0\"}}";
        let requirements = super::super::npm_requirements("web/package.json", current).unwrap();
        assert!(
            check_bun(
                &requirements,
                &bun_lock_parsed("bun.lock", LOCK).unwrap(),
                LOCK,
                "web",
                "bun.lock"
            )
            .is_empty()
        );
    }

    #[test]
    fn trailing_commas_go_and_strings_stay() {
        assert_eq!(
            without_trailing_commas("{\"a\": [1, 2,], \"b,}\": \"x,]\",\n}"),
            "{\"a\": [1, 2 ], \"b,}\": \"x,]\" \n}"
        );
        let broken = bun_lock("bun.lock", "{\"packages\": {\"a\": [\"a@1.0.0\" \"\"]}}");
        assert!(matches!(
            broken.map_err(|e| *e),
            Err(Problem::Unparsable { .. })
        ));
    }
}
