//! Cargo: Cargo.toml requirements (workspaces, renames) and Cargo.lock.

use std::collections::BTreeMap;

use super::{
    Dependency, Ecosystem, Locator, Problem, Requirement, RequirementKind, check_locked, span_at,
    unparsable,
};

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
    let locator = Locator::new(text);
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
                    // Set below: what a workspace member depends on is direct.
                    direct: false,
                    source: get("source"),
                    integrity: get("checksum"),
                    path: path.to_owned(),
                    span: locator.span(package.span()),
                });
            }
        }
        // Workspace members (no source) list their dependencies as `name` or `name version`.
        let direct: std::collections::HashSet<&str> = packages
            .iter()
            .filter(|p| p.get("source").is_none())
            .filter_map(|p| p.get("dependencies").and_then(toml_edit::Item::as_array))
            .flat_map(|deps| deps.iter().filter_map(|d| d.as_str()?.split(' ').next()))
            .collect();
        for dependency in &mut out {
            dependency.direct =
                dependency.source.is_some() && direct.contains(dependency.name.as_str());
        }
    }
    Ok(out)
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
