//! Python: pyproject.toml, requirements files, and the locks of uv, poetry and pipenv.

use std::collections::HashSet;

use toml::de::{DeTable, DeValue};

use super::json_keys::json_key_spans;
use super::{
    Dependency, Ecosystem, Locator, Problem, Requirement, RequirementKind, line_span, span_at,
    unparsable,
};

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

/// Package names of a uv.lock, poetry.lock or pdm.lock (`[[package]] name`), normalized; none
/// when it is not TOML.
pub fn python_locked_names(text: &str) -> Vec<String> {
    toml_lock_parsed("", text)
        .map(|lock| lock.names)
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

/// What a uv.lock, poetry.lock or pdm.lock locks, read once for both of its uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlLock {
    /// The packages it pins: the inventory (see [`toml_lock`]).
    pub packages: Vec<Dependency>,
    /// The names of all its `[[package]]` tables, the project's own included, normalized: what
    /// a pyproject's requirements are checked against.
    pub names: Vec<String>,
}

/// Every package a uv.lock or poetry.lock pins (`[[package]]` tables with `name` and `version`).
/// A uv.lock's editable, virtual and directory sources are the project's own code, as is a
/// package without a version. Direct: the uv project's own package lists it as a dependency.
pub fn toml_lock(path: &str, text: &str) -> Result<Vec<Dependency>, Box<Problem>> {
    toml_lock_parsed(path, text).map(|lock| lock.packages)
}

/// The value under `key` of a parsed TOML table.
fn field<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a DeValue<'i>> {
    table.get(key).map(toml::Spanned::get_ref)
}

/// The string under `key` of a parsed TOML table.
fn string<'a>(table: &'a DeTable<'_>, key: &str) -> Option<&'a str> {
    field(table, key).and_then(DeValue::as_str)
}

/// Both views of a uv.lock, poetry.lock or pdm.lock from one parse. `package` is read as TOML's
/// data model has it: the `[[package]]` tables lockfiles write, or the same tables written
/// inline (`package = [{ ... }]`).
pub fn toml_lock_parsed(path: &str, text: &str) -> Result<TomlLock, Box<Problem>> {
    let document = DeTable::parse(text).map_err(|e| {
        Box::new(unparsable(
            path,
            text,
            e.span(),
            format!("not TOML: {}", e.message()),
        ))
    })?;
    let Some(packages) = field(document.get_ref(), "package").and_then(DeValue::as_array) else {
        return Ok(TomlLock {
            packages: Vec::new(),
            names: Vec::new(),
        });
    };
    let packages: Vec<(&DeTable<'_>, std::ops::Range<usize>)> = packages
        .iter()
        .filter_map(|p| p.get_ref().as_table().map(|t| (t, p.span())))
        .collect();
    let names = packages
        .iter()
        .filter_map(|(p, _)| string(p, "name").map(normalize))
        .collect();
    let local = |package: &DeTable<'_>| {
        let source = field(package, "source").and_then(DeValue::as_table);
        source.is_some_and(|source| {
            ["editable", "virtual", "directory", "path"]
                .iter()
                .any(|k| source.contains_key(*k))
        }) || source
            .and_then(|s| string(s, "type"))
            .is_some_and(|t| t == "directory" || t == "file")
    };
    let locator = Locator::new(text);
    // The project's own packages name its direct dependencies.
    let mut direct: HashSet<String> = HashSet::new();
    for (package, _) in packages.iter().filter(|(p, _)| local(p)) {
        if let Some(dependencies) = field(package, "dependencies").and_then(DeValue::as_array) {
            direct.extend(
                dependencies
                    .iter()
                    .filter_map(|d| string(d.get_ref().as_table()?, "name").map(normalize)),
            );
        }
    }
    let packages = packages
        .iter()
        .filter(|(p, _)| !local(p))
        .filter_map(|(package, span)| {
            let name = string(package, "name")?.to_owned();
            let version = string(package, "version")?.to_owned();
            let source = field(package, "source")
                .and_then(DeValue::as_table)
                .and_then(|s| {
                    let text = |key: &str| string(s, key);
                    // A git checkout is not the registry's release of that name and version,
                    // and says so the way SPDX and npm write VCS sources: `git+URL`.
                    let git = text("git") // uv
                        .or_else(|| text("url").filter(|_| text("type") == Some("git"))); // poetry
                    match git {
                        Some(url) if url.starts_with("git+") => Some(url.to_owned()),
                        Some(url) => Some(format!("git+{url}")),
                        None => text("registry").or_else(|| text("url")).map(str::to_owned),
                    }
                });
            let integrity = field(package, "sdist")
                .and_then(DeValue::as_table)
                .and_then(|s| string(s, "hash"))
                .map(str::to_owned);
            Some(Dependency {
                ecosystem: Ecosystem::PyPI,
                direct: direct.contains(&normalize(&name)),
                name,
                version,
                source,
                integrity,
                path: path.to_owned(),
                span: locator.span(Some(span.clone())),
            })
        })
        .collect();
    Ok(TomlLock { packages, names })
}

/// Every package a Pipfile.lock pins (`default` and `develop`, `"version": "==1.2.3"`).
pub fn pipfile_lock(path: &str, text: &str) -> Result<Vec<Dependency>, Box<Problem>> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Box::new(Problem::Unparsable {
            path: path.to_owned(),
            span: line_span(e.line().saturating_sub(1), ""),
            message: format!("not JSON: {e}"),
        })
    })?;
    let spans = json_key_spans(text, |parent| {
        parent == ["default"] || parent == ["develop"]
    });
    let mut out = Vec::new();
    for section in ["default", "develop"] {
        let Some(packages) = value.get(section).and_then(serde_json::Value::as_object) else {
            continue;
        };
        for (name, entry) in packages {
            let Some(version) = entry
                .get("version")
                .and_then(serde_json::Value::as_str)
                .and_then(|v| v.strip_prefix("=="))
            else {
                continue;
            };
            out.push(Dependency {
                ecosystem: Ecosystem::PyPI,
                name: name.clone(),
                version: version.to_owned(),
                direct: false,
                source: entry
                    .get("index")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned),
                integrity: entry
                    .get("hashes")
                    .and_then(serde_json::Value::as_array)
                    .and_then(|h| h.first())
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned),
                path: path.to_owned(),
                span: spans
                    .get([section, name.as_str()].as_slice())
                    .copied()
                    .unwrap_or_default(),
            });
        }
    }
    Ok(out)
}
