//! Manifests and lockfiles: one dependency inventory across ecosystems, and the disagreements
//! between what a manifest asks for and what its lockfile pins.

use std::collections::HashSet;
use std::collections::{BTreeMap, BTreeSet};

use harden_model::{LineCol, Span};

/// A package ecosystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ecosystem {
    /// Rust, Cargo.
    Cargo,
    /// JavaScript: npm, pnpm, yarn.
    Npm,
    /// Python: pip, uv, poetry, pipenv.
    PyPI,
    /// Go modules.
    Go,
}

impl Ecosystem {
    /// The OSV ecosystem name.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
        }
    }
}

/// A pinned dependency, as a lockfile records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Package name.
    pub name: String,
    /// Exact version.
    pub version: String,
    /// Whether a manifest names it directly.
    pub direct: bool,
    /// Where it comes from (registry URL, git URL), if recorded.
    pub source: Option<String>,
    /// Integrity hash, if recorded.
    pub integrity: Option<String>,
    /// Lockfile path.
    pub path: String,
    /// Where in the lockfile.
    pub span: Span,
}

/// What a manifest asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Package name (as locked, after renames).
    pub name: String,
    /// Version requirement as written (empty for path and git dependencies).
    pub requirement: String,
    /// Registry, path, git.
    pub kind: RequirementKind,
    /// Manifest path.
    pub path: String,
    /// Where in the manifest.
    pub span: Span,
}

/// How a dependency is sourced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequirementKind {
    /// From a registry, by version requirement.
    Registry,
    /// A local path.
    Path,
    /// A git repository.
    Git,
}

/// A disagreement the gate reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The manifest has dependencies but no lockfile records them.
    MissingLockfile {
        /// Manifest path.
        manifest: String,
        /// Lockfiles that would do.
        expected: &'static str,
    },
    /// A dependency of the manifest is not in its lockfile.
    NotLocked {
        /// The requirement.
        requirement: Requirement,
        /// The lockfile.
        lockfile: String,
    },
    /// The lockfile pins a version that does not satisfy the manifest.
    Mismatch {
        /// The requirement.
        requirement: Requirement,
        /// The locked entry.
        locked: Dependency,
    },
    /// A requirements file line that does not pin an exact version.
    Unpinned {
        /// File.
        path: String,
        /// Where.
        span: Span,
        /// The line.
        line: String,
    },
    /// A file that cannot be read.
    Unparsable {
        /// File.
        path: String,
        /// Where.
        span: Span,
        /// What is wrong.
        message: String,
    },
}

fn span_at(text: &str, range: Option<std::ops::Range<usize>>) -> Span {
    range.map_or_else(Span::default, |r| {
        Span::from_byte_range(text, r.start, r.end)
    })
}

fn line_span(line: usize, text: &str) -> Span {
    let line = u32::try_from(line + 1).unwrap_or(u32::MAX);
    Span {
        start: LineCol { line, column: 1 },
        end: LineCol {
            line,
            column: u32::try_from(text.chars().count()).unwrap_or(0) + 1,
        },
    }
}

fn unparsable(
    path: &str,
    text: &str,
    span: Option<std::ops::Range<usize>>,
    message: impl Into<String>,
) -> Problem {
    Problem::Unparsable {
        path: path.to_owned(),
        span: span_at(text, span),
        message: message.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Cargo

/// Requirements of one Cargo.toml (`workspace_deps` are the workspace root's
/// `[workspace.dependencies]`, for `dep = { workspace = true }`).
pub fn cargo_requirements(
    path: &str,
    text: &str,
    workspace_deps: &BTreeMap<String, Requirement>,
) -> Result<Vec<Requirement>, Box<Problem>> {
    let document = toml_edit::Document::parse(text.to_owned()).map_err(|e| {
        unparsable(
            path,
            text,
            e.span(),
            format!("invalid TOML: {}", e.message().trim()),
        )
    })?;
    let mut tables: Vec<&dyn toml_edit::TableLike> = Vec::new();
    let root = document.as_table();
    for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(table) = root.get(key).and_then(toml_edit::Item::as_table_like) {
            tables.push(table);
        }
    }
    if let Some(targets) = root.get("target").and_then(toml_edit::Item::as_table_like) {
        for (_, target) in targets.iter() {
            for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
                if let Some(table) = target.get(key).and_then(toml_edit::Item::as_table_like) {
                    tables.push(table);
                }
            }
        }
    }
    let mut out = Vec::new();
    for table in tables {
        for (key, item) in table.iter() {
            let span = span_at(text, table.get_key_value(key).and_then(|(k, _)| k.span()));
            let (mut requirement, mut kind, mut name) =
                (String::new(), RequirementKind::Registry, key.to_owned());
            if let Some(version) = item.as_str() {
                version.clone_into(&mut requirement);
            } else if let Some(spec) = item.as_table_like() {
                if spec.get("workspace").and_then(toml_edit::Item::as_bool) == Some(true) {
                    match workspace_deps.get(key) {
                        Some(inherited) => {
                            out.push(Requirement {
                                path: path.to_owned(),
                                span,
                                ..inherited.clone()
                            });
                        }
                        None => out.push(Requirement {
                            name,
                            requirement,
                            kind,
                            path: path.to_owned(),
                            span,
                        }),
                    }
                    continue;
                }
                if let Some(package) = spec.get("package").and_then(toml_edit::Item::as_str) {
                    package.clone_into(&mut name);
                }
                spec.get("version")
                    .and_then(toml_edit::Item::as_str)
                    .unwrap_or_default()
                    .clone_into(&mut requirement);
                if spec.get("path").is_some() {
                    kind = RequirementKind::Path;
                } else if spec.get("git").is_some() {
                    kind = RequirementKind::Git;
                }
            }
            out.push(Requirement {
                name,
                requirement,
                kind,
                path: path.to_owned(),
                span,
            });
        }
    }
    Ok(out)
}

/// `[workspace.dependencies]` and `[workspace] members` of a root Cargo.toml.
pub fn cargo_workspace(path: &str, text: &str) -> (BTreeMap<String, Requirement>, Vec<String>) {
    let Ok(document) = toml_edit::Document::parse(text.to_owned()) else {
        return (BTreeMap::new(), Vec::new());
    };
    let Some(workspace) = document
        .as_table()
        .get("workspace")
        .and_then(toml_edit::Item::as_table_like)
    else {
        return (BTreeMap::new(), Vec::new());
    };
    let members = workspace
        .get("members")
        .and_then(toml_edit::Item::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut deps = BTreeMap::new();
    if let Some(table) = workspace
        .get("dependencies")
        .and_then(toml_edit::Item::as_table_like)
    {
        for (key, item) in table.iter() {
            let span = span_at(text, table.get_key_value(key).and_then(|(k, _)| k.span()));
            let mut requirement = Requirement {
                name: key.to_owned(),
                requirement: String::new(),
                kind: RequirementKind::Registry,
                path: path.to_owned(),
                span,
            };
            if let Some(version) = item.as_str() {
                version.clone_into(&mut requirement.requirement);
            } else if let Some(spec) = item.as_table_like() {
                if let Some(package) = spec.get("package").and_then(toml_edit::Item::as_str) {
                    package.clone_into(&mut requirement.name);
                }
                spec.get("version")
                    .and_then(toml_edit::Item::as_str)
                    .unwrap_or_default()
                    .clone_into(&mut requirement.requirement);
                if spec.get("path").is_some() {
                    requirement.kind = RequirementKind::Path;
                } else if spec.get("git").is_some() {
                    requirement.kind = RequirementKind::Git;
                }
            }
            deps.insert(key.to_owned(), requirement);
        }
    }
    (deps, members)
}

/// Packages of a Cargo.lock.
pub fn cargo_lock(path: &str, text: &str) -> Result<Vec<Dependency>, Box<Problem>> {
    let document = toml_edit::Document::parse(text.to_owned()).map_err(|e| {
        unparsable(
            path,
            text,
            e.span(),
            format!("invalid TOML: {}", e.message().trim()),
        )
    })?;
    let mut out = Vec::new();
    if let Some(packages) = document
        .as_table()
        .get("package")
        .and_then(toml_edit::Item::as_array_of_tables)
    {
        for package in packages {
            let get = |k: &str| {
                package
                    .get(k)
                    .and_then(toml_edit::Item::as_str)
                    .map(str::to_owned)
            };
            if let (Some(name), Some(version)) = (get("name"), get("version")) {
                out.push(Dependency {
                    ecosystem: Ecosystem::Cargo,
                    name,
                    version,
                    direct: false,
                    source: get("source"),
                    integrity: get("checksum"),
                    path: path.to_owned(),
                    span: span_at(text, package.span()),
                });
            }
        }
    }
    Ok(out)
}

/// Matches requirements to locked packages by name, marks those as direct, and reports what is
/// missing and what does not satisfy its requirement. `satisfies(requirement, version)` is `None`
/// when the requirement is not a range it understands (then only presence is checked).
fn check_locked(
    requirements: &[Requirement],
    locked: &mut [Dependency],
    lockfile: &str,
    missing_counts: fn(&Requirement) -> bool,
    satisfies: fn(&str, &str) -> Option<bool>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for requirement in requirements {
        let candidates: Vec<usize> = locked
            .iter()
            .enumerate()
            .filter(|(_, d)| d.name == requirement.name)
            .map(|(i, _)| i)
            .collect();
        if candidates.is_empty() {
            if missing_counts(requirement) {
                problems.push(Problem::NotLocked {
                    requirement: requirement.clone(),
                    lockfile: lockfile.to_owned(),
                });
            }
            continue;
        }
        for &i in &candidates {
            locked[i].direct = true;
        }
        if requirement.kind != RequirementKind::Registry || requirement.requirement.is_empty() {
            continue;
        }
        let verdicts: Vec<Option<bool>> = candidates
            .iter()
            .map(|&i| satisfies(&requirement.requirement, &locked[i].version))
            .collect();
        if verdicts.iter().all(|v| *v == Some(false)) {
            problems.push(Problem::Mismatch {
                requirement: requirement.clone(),
                locked: locked[candidates[0]].clone(),
            });
        }
    }
    problems
}

/// Checks Cargo requirements against locked packages.
pub fn check_cargo(
    requirements: &[Requirement],
    locked: &mut [Dependency],
    lockfile: &str,
) -> Vec<Problem> {
    check_locked(
        requirements,
        locked,
        lockfile,
        |_| true,
        |requirement, version| {
            let requirement = semver::VersionReq::parse(requirement).ok()?;
            Some(semver::Version::parse(version).is_ok_and(|v| requirement.matches(&v)))
        },
    )
}

// ---------------------------------------------------------------------------------------------
// npm

fn json_key_span(text: &str, section: &str, key: &str) -> Span {
    let section_at = text.find(&format!("\"{section}\"")).unwrap_or(0);
    let needle = format!("\"{key}\"");
    match text[section_at..].find(&needle) {
        Some(offset) => Span::from_byte_range(
            text,
            section_at + offset + 1,
            section_at + offset + needle.len() - 1,
        ),
        None => Span::default(),
    }
}

/// Requirements of a package.json.
pub fn npm_requirements(path: &str, text: &str) -> Result<Vec<Requirement>, Box<Problem>> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| Problem::Unparsable {
        path: path.to_owned(),
        span: Span {
            start: LineCol {
                line: u32::try_from(e.line()).unwrap_or(1).max(1),
                column: u32::try_from(e.column()).unwrap_or(1).max(1),
            },
            end: LineCol {
                line: u32::try_from(e.line()).unwrap_or(1).max(1),
                column: u32::try_from(e.column()).unwrap_or(1).max(1),
            },
        },
        message: format!("invalid JSON: {e}"),
    })?;
    let mut out = Vec::new();
    for section in ["dependencies", "devDependencies", "optionalDependencies"] {
        let Some(deps) = value.get(section).and_then(serde_json::Value::as_object) else {
            continue;
        };
        for (name, spec) in deps {
            let spec = spec.as_str().unwrap_or_default();
            let kind = if spec.starts_with("file:")
                || spec.starts_with("link:")
                || spec.starts_with("workspace:")
            {
                RequirementKind::Path
            } else if spec.contains("://")
                || spec.starts_with("git")
                || spec.contains('/') && !spec.starts_with("npm:")
            {
                RequirementKind::Git
            } else {
                RequirementKind::Registry
            };
            out.push(Requirement {
                name: name.clone(),
                requirement: spec.to_owned(),
                kind,
                path: path.to_owned(),
                span: json_key_span(text, section, name),
            });
        }
    }
    Ok(out)
}

/// Packages of a package-lock.json (v1, v2, v3) or npm-shrinkwrap.json.
pub fn npm_lock(path: &str, text: &str) -> Result<Vec<Dependency>, Box<Problem>> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        unparsable(
            path,
            text,
            None,
            format!("invalid JSON at {}:{}: {e}", e.line(), e.column()),
        )
    })?;
    // Wrong types are a malformed lockfile, not an empty one: otherwise every dependency would
    // read as "not recorded" and the real problem would never be named.
    let malformed = |what: String, at: Option<(&str, &str)>| {
        Box::new(Problem::Unparsable {
            path: path.to_owned(),
            span: at.map_or_else(Span::default, |(section, key)| {
                json_key_span(text, section, key)
            }),
            message: format!("malformed lockfile: {what}"),
        })
    };
    if !value.is_object() {
        return Err(malformed(
            "expected a JSON object at the top".to_owned(),
            None,
        ));
    }
    for section in ["packages", "dependencies"] {
        match value.get(section) {
            None | Some(serde_json::Value::Object(_)) => {}
            Some(_) => {
                return Err(malformed(format!("`{section}` must be an object"), None));
            }
        }
    }
    for section in ["packages", "dependencies"] {
        for (name, entry) in value
            .get(section)
            .and_then(serde_json::Value::as_object)
            .into_iter()
            .flatten()
        {
            let Some(entry) = entry.as_object() else {
                return Err(malformed(
                    format!("`{section}.{name}` must be an object"),
                    Some((section, name)),
                ));
            };
            for field in ["version", "resolved", "integrity"] {
                if entry.get(field).is_some_and(|v| !v.is_string()) {
                    return Err(malformed(
                        format!("`{section}.{name}.{field}` must be a string"),
                        Some((section, name)),
                    ));
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut push = |name: &str, entry: &serde_json::Value| {
        if let Some(version) = entry.get("version").and_then(serde_json::Value::as_str) {
            out.push(Dependency {
                ecosystem: Ecosystem::Npm,
                name: name.to_owned(),
                version: version.to_owned(),
                direct: false,
                source: entry
                    .get("resolved")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned),
                integrity: entry
                    .get("integrity")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned),
                path: path.to_owned(),
                span: Span::default(),
            });
        }
    };
    if let Some(packages) = value.get("packages").and_then(serde_json::Value::as_object) {
        for (key, entry) in packages {
            if let Some(name) = key
                .rsplit("node_modules/")
                .next()
                .filter(|_| key.contains("node_modules/"))
            {
                // A workspace link (`"link": true`) has no version of its own: the linked
                // package's entry, keyed by its path, has it.
                let linked = entry.get("link").and_then(serde_json::Value::as_bool) == Some(true);
                let target = entry
                    .get("resolved")
                    .and_then(serde_json::Value::as_str)
                    .and_then(|path| packages.get(path));
                match (linked, target) {
                    (true, Some(target)) => push(name, target),
                    _ => push(name, entry),
                }
            }
        }
    } else if let Some(deps) = value
        .get("dependencies")
        .and_then(serde_json::Value::as_object)
    {
        for (name, entry) in deps {
            push(name, entry);
        }
    }
    Ok(out)
}

/// Checks npm requirements against a package-lock.
pub fn check_npm(
    requirements: &[Requirement],
    locked: &mut [Dependency],
    lockfile: &str,
    overridden: &BTreeSet<String>,
) -> Vec<Problem> {
    let mut problems = check_locked(
        requirements,
        locked,
        lockfile,
        |requirement| requirement.kind == RequirementKind::Registry,
        |requirement, version| {
            let range = nodejs_semver::Range::parse(requirement).ok()?;
            Some(nodejs_semver::Version::parse(version).is_ok_and(|v| range.satisfies(&v)))
        },
    );
    // An override pins the package whatever the manifest's range says.
    problems.retain(|p| {
        !matches!(p, Problem::Mismatch { requirement, .. } if overridden.contains(&requirement.name))
    });
    problems
}

/// Member globs of a uv workspace root (`[tool.uv.workspace] members` of a pyproject.toml);
/// `exclude` globs come back with a `!`.
pub fn uv_workspace_members(text: &str) -> Vec<String> {
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
        return Vec::new();
    };
    let Some(workspace) = doc
        .get("tool")
        .and_then(|t| t.get("uv"))
        .and_then(|u| u.get("workspace"))
    else {
        return Vec::new();
    };
    let list = |key: &str| -> Vec<String> {
        workspace
            .get(key)
            .and_then(toml_edit::Item::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut globs = list("members");
    globs.extend(list("exclude").into_iter().map(|g| format!("!{g}")));
    globs
}

/// Workspace globs of a package.json (`workspaces: [...]` or `workspaces: {packages: [...]}`).
pub fn npm_workspaces(text: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let list = value.get("workspaces").and_then(|w| {
        w.as_array()
            .or_else(|| w.get("packages").and_then(serde_json::Value::as_array))
    });
    list.into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// Packages whose version a project-wide override decides for every dependent, direct ones
/// included: yarn `resolutions`, npm `overrides` and pnpm `pnpm.overrides` of a package.json.
/// Keys scoped to a parent (`a>b`, `a/b`) leave direct dependencies alone and are not listed.
pub fn npm_overrides(text: &str) -> BTreeSet<String> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return BTreeSet::new();
    };
    let maps = [
        value.get("resolutions"),
        value.get("overrides"),
        value.get("pnpm").and_then(|p| p.get("overrides")),
    ];
    maps.into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_object)
        .flat_map(|map| map.keys())
        .filter_map(|key| override_target(key))
        .collect()
}

/// The package an override key applies to everywhere: `zod`, `undici@7`, `**/ws`,
/// `@types/koa`, `lodash@npm:4.17.21`; `None` for keys scoped under a parent.
pub fn override_target(key: &str) -> Option<String> {
    let key = key.trim_start_matches("**/");
    if key.contains('>') {
        return None;
    }
    let (scope, rest) = match key.strip_prefix('@') {
        Some(rest) => {
            let (scope, rest) = rest.split_once('/')?;
            (Some(scope), rest)
        }
        None => (None, key),
    };
    let name = rest.split('@').next().unwrap_or(rest);
    if name.is_empty() || name.contains('/') {
        return None;
    }
    Some(match scope {
        Some(scope) => format!("@{scope}/{name}"),
        None => name.to_owned(),
    })
}

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

// ---------------------------------------------------------------------------------------------
// Python

/// PEP 503 normalized name.
fn normalize(name: &str) -> String {
    name.trim().to_lowercase().replace(['_', '.'], "-")
}

/// The package name of a PEP 508 requirement (`numpy>=1.26 ; python_version > "3.10"`).
fn pep508_name(spec: &str) -> String {
    normalize(
        spec.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .next()
            .unwrap_or_default(),
    )
}

/// Requirements of a pyproject.toml (`[project] dependencies`, `[tool.poetry.dependencies]`).
pub fn pyproject_requirements(path: &str, text: &str) -> Result<Vec<Requirement>, Box<Problem>> {
    let document = toml_edit::Document::parse(text.to_owned()).map_err(|e| {
        Box::new(unparsable(
            path,
            text,
            e.span(),
            format!("invalid TOML: {}", e.message().trim()),
        ))
    })?;
    let mut out = Vec::new();
    let root = document.as_table();
    if let Some(deps) = root
        .get("project")
        .and_then(|p| p.get("dependencies"))
        .and_then(toml_edit::Item::as_array)
    {
        for value in deps {
            if let Some(spec) = value.as_str() {
                out.push(Requirement {
                    name: pep508_name(spec),
                    requirement: spec.to_owned(),
                    kind: RequirementKind::Registry,
                    path: path.to_owned(),
                    span: span_at(text, value.span()),
                });
            }
        }
    }
    if let Some(deps) = root
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.get("dependencies"))
        .and_then(toml_edit::Item::as_table_like)
    {
        for (name, _) in deps.iter().filter(|(n, _)| *n != "python") {
            let span = span_at(text, deps.get_key_value(name).and_then(|(k, _)| k.span()));
            out.push(Requirement {
                name: normalize(name),
                requirement: String::new(),
                kind: RequirementKind::Registry,
                path: path.to_owned(),
                span,
            });
        }
    }
    Ok(out)
}

/// Package names of a uv.lock, poetry.lock or pdm.lock (`[[package]] name`), normalized.
pub fn python_locked_names(text: &str) -> Vec<String> {
    let Ok(document) = toml_edit::Document::parse(text.to_owned()) else {
        return Vec::new();
    };
    document
        .as_table()
        .get("package")
        .and_then(toml_edit::Item::as_array_of_tables)
        .map(|packages| {
            packages
                .iter()
                .filter_map(|p| {
                    p.get("name")
                        .and_then(toml_edit::Item::as_str)
                        .map(normalize)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Checks pyproject requirements by name against a lock's packages.
pub fn check_python(
    requirements: &[Requirement],
    locked: &[String],
    lockfile: &str,
) -> Vec<Problem> {
    requirements
        .iter()
        .filter(|r| !r.name.is_empty() && !locked.contains(&r.name))
        .map(|r| Problem::NotLocked {
            requirement: r.clone(),
            lockfile: lockfile.to_owned(),
        })
        .collect()
}

/// Lines of a requirements file that do not pin an exact version, and the pinned entries.
pub fn requirements_txt(path: &str, text: &str) -> (Vec<Dependency>, Vec<Problem>) {
    let mut pinned = Vec::new();
    let mut problems = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw
            .split(" #")
            .next()
            .unwrap_or(raw)
            .trim()
            .trim_end_matches('\\')
            .trim();
        if line.is_empty()
            || line.starts_with('#')
            || line.starts_with('-')
            || line.contains("://")
            || line.starts_with('.')
            || line.starts_with('/')
        {
            continue;
        }
        let requirement = line
            .split(';')
            .next()
            .unwrap_or(line)
            .split_whitespace()
            .next()
            .unwrap_or_default();
        match requirement.split_once("==") {
            Some((name, version)) if !version.contains('*') && !version.is_empty() => {
                pinned.push(Dependency {
                    ecosystem: Ecosystem::PyPI,
                    name: name.split('[').next().unwrap_or(name).trim().to_lowercase(),
                    version: version.trim().to_owned(),
                    direct: true,
                    source: None,
                    integrity: raw.contains("--hash=").then(|| "hash".to_owned()),
                    path: path.to_owned(),
                    span: line_span(index, raw),
                });
            }
            _ => problems.push(Problem::Unpinned {
                path: path.to_owned(),
                span: line_span(index, raw),
                line: line.to_owned(),
            }),
        }
    }
    (pinned, problems)
}

// ---------------------------------------------------------------------------------------------
// Go

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_requirements_follow_renames_workspaces_and_sources() {
        let root = "[workspace]\nmembers = [\"crates/*\"]\n[workspace.dependencies]\nserde = \"1.0.200\"\nlocal = { path = \"crates/local\" }\n";
        let (deps, members) = cargo_workspace("Cargo.toml", root);
        assert_eq!(members, ["crates/*"]);
        let member = "[package]\nname = \"app\"\n[dependencies]\nserde = { workspace = true }\nlocal = { workspace = true }\nlog2 = { package = \"log\", version = \"0.4\" }\n[target.'cfg(unix)'.dev-dependencies]\nlibc = \"0.2\"\n";
        let requirements = cargo_requirements("crates/app/Cargo.toml", member, &deps).unwrap();
        let names: Vec<&str> = requirements.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["serde", "local", "log", "libc"]);
        assert_eq!(requirements[0].requirement, "1.0.200");
        assert_eq!(requirements[1].kind, RequirementKind::Path);
        assert_eq!(requirements[2].span.start.line, 6);
        let lock = "version = 4\n[[package]]\nname = \"serde\"\nversion = \"1.0.190\"\n[[package]]\nname = \"local\"\nversion = \"0.1.0\"\n[[package]]\nname = \"log\"\nversion = \"0.4.22\"\n";
        let mut locked = cargo_lock("Cargo.lock", lock).unwrap();
        let problems = check_cargo(&requirements, &mut locked, "Cargo.lock");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            matches!(&problems[0], Problem::Mismatch { requirement, locked } if requirement.name == "serde" && locked.version == "1.0.190")
        );
        assert!(
            matches!(&problems[1], Problem::NotLocked { requirement, .. } if requirement.name == "libc")
        );
    }

    #[test]
    fn npm_ranges_and_lock_versions() {
        let manifest = "{\n  \"dependencies\": {\n    \"express\": \"^4.18.0\",\n    \"left-pad\": \"~1.3.0\",\n    \"local\": \"file:../local\"\n  },\n  \"devDependencies\": { \"jest\": \"^29\" }\n}\n";
        let requirements = npm_requirements("package.json", manifest).unwrap();
        assert_eq!(requirements.len(), 4);
        assert_eq!(requirements[0].span.start.line, 3);
        let lock = r#"{"lockfileVersion": 3, "packages": {"": {}, "node_modules/express": {"version": "4.19.2", "integrity": "sha512-x"}, "node_modules/left-pad": {"version": "1.2.0"}}}"#;
        let mut locked = npm_lock("package-lock.json", lock).unwrap();
        let problems = check_npm(
            &requirements,
            &mut locked,
            "package-lock.json",
            &BTreeSet::new(),
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            matches!(&problems[0], Problem::Mismatch { requirement, .. } if requirement.name == "left-pad")
        );
        assert!(
            matches!(&problems[1], Problem::NotLocked { requirement, .. } if requirement.name == "jest")
        );
    }

    #[test]
    fn requirements_must_pin_exactly() {
        let (pinned, problems) = requirements_txt(
            "requirements.txt",
            "# deps\nrequests==2.32.3 \\\n    --hash=sha256:abc\nflask>=3\n-r base.txt\nDjango[argon2]==5.0.6 ; python_version > '3.10'\nnumpy\n",
        );
        assert_eq!(
            pinned.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
            ["requests", "django"]
        );
        assert_eq!(problems.len(), 2);
    }

    #[test]
    fn go_sum_must_cover_requires() {
        let go_mod = "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgolang.org/x/text v0.14.0 // indirect\n\texample.com/local v0.0.0\n\tgo.opentelemetry.io/otel/log v0.17.0\n)\nrequire github.com/pkg/errors v0.9.1\nreplace example.com/local => ../local\nreplace (\n\tgo.opentelemetry.io/otel/log => go.opentelemetry.io/otel/log v0.16.0\n)\n";
        let requirements = go_requirements("go.mod", go_mod);
        assert_eq!(
            requirements.len(),
            4,
            "the local replacement needs no go.sum entry"
        );
        assert_eq!(
            requirements[2].requirement, "v0.16.0",
            "a replaced version is checked as the replacement"
        );
        let hash = format!("h1:{}=", "Ab+/".repeat(10) + "xyz");
        let go_sum = format!(
            "github.com/google/uuid v1.6.0 {hash}\ngithub.com/google/uuid v1.6.0/go.mod {hash}\ngolang.org/x/text v0.14.0/go.mod {hash}\ngo.opentelemetry.io/otel/log v0.16.0 {hash}\n"
        );
        let problems = check_go(&requirements, &go_sum, "go.sum");
        assert_eq!(problems.len(), 1);
        assert!(
            matches!(&problems[0], Problem::NotLocked { requirement, .. } if requirement.name == "github.com/pkg/errors")
        );
    }

    #[test]
    fn go_sum_lines_with_an_empty_or_invalid_hash_are_malformed_not_recorded() {
        let requirements = go_requirements(
            "go.mod",
            "module m\nrequire (\n\ta.io/x v1.0.0\n\tb.io/y v2.0.0\n\tc.io/z v3.0.0\n)\n",
        );
        let go_sum = "a.io/x v1.0.0 h1:\nb.io/y v2.0.0 h1:not-base64!\nc.io/z v3.0.0\n";
        let problems = check_go(&requirements, go_sum, "go.sum");
        let malformed: Vec<u32> = problems
            .iter()
            .filter_map(|p| match p {
                Problem::Unparsable { span, message, .. }
                    if message.contains("malformed go.sum") =>
                {
                    Some(span.start.line)
                }
                _ => None,
            })
            .collect();
        assert_eq!(malformed, [1, 2, 3]);
        let not_locked = problems
            .iter()
            .filter(|p| matches!(p, Problem::NotLocked { .. }))
            .count();
        assert_eq!(not_locked, 3, "none of the three counts as recorded");
    }

    #[test]
    fn npm_lockfile_with_wrong_types_is_malformed_not_unrecorded() {
        for (lock, expected) in [
            ("[]", "a JSON object at the top"),
            (r#"{"packages": []}"#, "`packages` must be an object"),
            (
                r#"{"packages": {"node_modules/a": "1.0.0"}}"#,
                "`packages.node_modules/a` must be an object",
            ),
            (
                r#"{"packages": {"node_modules/a": {"version": 1}}}"#,
                "`packages.node_modules/a.version` must be a string",
            ),
            (
                r#"{"dependencies": {"a": {"version": "1", "resolved": false}}}"#,
                "`dependencies.a.resolved` must be a string",
            ),
        ] {
            let problem = npm_lock("package-lock.json", lock).unwrap_err();
            match *problem {
                Problem::Unparsable { message, .. } => {
                    assert!(message.contains(expected), "{lock}: {message}");
                }
                other => panic!("{lock}: {other:?}"),
            }
        }
    }

    #[test]
    fn npm_workspace_links_and_pnpm_v6_roots() {
        let lock = r#"{"lockfileVersion": 3, "packages": {"": {}, "node_modules/b": {"resolved": "packages/b", "link": true}, "packages/b": {"name": "b", "version": "1.2.0"}}}"#;
        let mut locked = npm_lock("package-lock.json", lock).unwrap();
        let requirements = npm_requirements(
            "packages/a/package.json",
            "{\"dependencies\": {\"b\": \"^1.0.0\"}}",
        )
        .unwrap();
        assert!(
            check_npm(
                &requirements,
                &mut locked,
                "package-lock.json",
                &BTreeSet::new()
            )
            .is_empty()
        );
        let pnpm = "lockfileVersion: '6.0'\ndependencies:\n  zod:\n    specifier: ^3.23.0\n    version: 3.23.8\n";
        let requirements =
            npm_requirements("package.json", "{\"dependencies\": {\"zod\": \"^3.23.0\"}}").unwrap();
        assert!(check_pnpm(&requirements, pnpm, ".", "pnpm-lock.yaml").is_empty());
    }

    #[test]
    fn yarn_pnpm_and_python_agreement() {
        let requirements = npm_requirements(
            "package.json",
            "{\"dependencies\": {\"left-pad\": \"^1.3.0\", \"react\": \"^18.2.0\"}}",
        )
        .unwrap();
        let yarn =
            "left-pad@^1.3.0:\n  version \"1.3.0\"\n\n\"react@npm:^18.0.0\":\n  version: 18.3.1\n";
        let problems = check_yarn(&requirements, yarn, "yarn.lock", &BTreeSet::new());
        assert_eq!(
            problems.len(),
            1,
            "react was locked for another range: {problems:?}"
        );
        let pnpm = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      left-pad:\n        specifier: ^1.3.0\n        version: 1.3.0\n      react:\n        specifier: ^18.2.0\n        version: 17.0.2(react-dom@17.0.2)\n";
        let problems = check_pnpm(&requirements, pnpm, ".", "pnpm-lock.yaml");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            matches!(&problems[0], Problem::Mismatch { requirement, .. } if requirement.name == "react")
        );
        let pyproject = "[project]\nname = \"ml\"\ndependencies = [\"NumPy>=1.26\", \"scikit_learn ; python_version > '3.9'\"]\n";
        let requirements = pyproject_requirements("pyproject.toml", pyproject).unwrap();
        assert_eq!(
            requirements
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>(),
            ["numpy", "scikit-learn"]
        );
        let uv = "version = 1\n[[package]]\nname = \"numpy\"\nversion = \"2.0.0\"\n";
        assert_eq!(
            check_python(&requirements, &python_locked_names(uv), "uv.lock").len(),
            1
        );
    }

    #[test]
    fn override_keys_name_their_package() {
        for (key, target) in [
            ("zod", Some("zod")),
            ("undici@7", Some("undici")),
            ("**/ws", Some("ws")),
            ("@types/koa", Some("@types/koa")),
            ("lodash@npm:4.17.21", Some("lodash")),
            ("@scope/pkg@^1", Some("@scope/pkg")),
            ("webpack>terser", None),
            ("parent/child", None),
        ] {
            assert_eq!(override_target(key).as_deref(), target, "{key}");
        }
    }

    #[test]
    fn uv_workspace_members_and_excludes() {
        let root = "[project]\nname = \"x\"\n\n[tool.uv.workspace]\nmembers = [\"packages/*\"]\nexclude = [\"packages/old\"]\n";
        assert_eq!(uv_workspace_members(root), ["packages/*", "!packages/old"]);
        assert!(uv_workspace_members("[project]\nname = \"x\"\n").is_empty());
        assert!(uv_workspace_members("not toml [").is_empty());
    }
}
