//! npm: package.json requirements, workspaces and overrides, and package-lock.json.

use harden_model::Span;
use std::collections::BTreeSet;

use super::json_keys::json_key_spans;
use super::{
    Dependency, Ecosystem, Problem, Requirement, RequirementKind, check_locked, unparsable,
};

/// The sections of a package.json that list requirements.
const REQUIREMENT_SECTIONS: [&str; 3] = ["dependencies", "devDependencies", "optionalDependencies"];

/// Whether a key under `parent` names a package of a package-lock: `packages` (v2, v3), or a
/// `dependencies` object at the top or nested under another package's (v1).
fn locks_packages(parent: &[&str]) -> bool {
    parent == ["packages"]
        || (parent.len() % 2 == 1 && parent.iter().step_by(2).all(|&key| key == "dependencies"))
}

/// Requirements of a package.json.
pub fn npm_requirements(path: &str, text: &str) -> Result<Vec<Requirement>, Box<Problem>> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| super::not_json(path, &e))?;
    let spans = json_key_spans(text, |parent| {
        parent.len() == 1 && REQUIREMENT_SECTIONS.contains(&parent[0])
    });
    let mut out = Vec::new();
    for section in REQUIREMENT_SECTIONS {
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
                span: spans
                    .get([section, name.as_str()].as_slice())
                    .copied()
                    .unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

/// What a package-lock.json or npm-shrinkwrap.json locks, read once for both of its uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpmLock {
    /// Every package, the copies nested under other packages (lockfile v1) included: the
    /// inventory.
    pub packages: Vec<Dependency>,
    /// How many of `packages`, from the first, a manifest's requirements are checked against:
    /// all of them in lockfile v2 and v3, the top level in v1.
    pub top_level: usize,
}

impl NpmLock {
    /// The packages a manifest's requirements are checked against.
    pub fn top_level(&self) -> &[Dependency] {
        &self.packages[..self.top_level]
    }
}

/// Every package a package-lock.json or npm-shrinkwrap.json locks, the copies nested under
/// other packages (lockfile v1) included: the inventory.
pub fn npm_lock_inventory(path: &str, text: &str) -> Result<Vec<Dependency>, Box<Problem>> {
    npm_lock_parsed(path, text).map(|lock| lock.packages)
}

/// Packages of a package-lock.json (v1, v2, v3) or npm-shrinkwrap.json.
pub fn npm_lock(path: &str, text: &str) -> Result<Vec<Dependency>, Box<Problem>> {
    npm_lock_parsed(path, text).map(|mut lock| {
        lock.packages.truncate(lock.top_level);
        lock.packages
    })
}

/// The fields of a package-lock entry a [`Dependency`] is made of.
struct Fields<'a> {
    version: Option<&'a str>,
    resolved: Option<&'a str>,
    integrity: Option<&'a str>,
    name: Option<&'a str>,
}

/// The dependency a package-lock entry at `key` (a path of keys) locks, named `name` where it
/// is installed; `linked` is the workspace path a link entry points at.
fn entry_dependency(
    path: &str,
    name: &str,
    entry: &Fields<'_>,
    key: &[&str],
    linked: Option<&str>,
    direct: &BTreeSet<&str>,
    span: Span,
) -> Option<Dependency> {
    let version = entry.version?;
    let top = key.len() == 2
        && (key[0] == "dependencies"
            || key[1]
                .strip_prefix("node_modules/")
                .is_some_and(|installed| installed == name));
    // An alias (`"foo": "npm:real@^1"`) installs `real` under the name `foo`: the package is
    // `real`, named by the entry (v2, v3) or its version (v1).
    let (package, version) = match version.strip_prefix("npm:") {
        Some(target) => match target.rsplit_once('@').filter(|(n, _)| !n.is_empty()) {
            Some((real, version)) => (real, version),
            None => (name, target),
        },
        None => (
            entry.name.filter(|_| linked.is_none()).unwrap_or(name),
            version,
        ),
    };
    Some(Dependency {
        ecosystem: Ecosystem::Npm,
        name: package.to_owned(),
        version: version.to_owned(),
        direct: top && direct.contains(name),
        // A workspace link is the project's own package, not one from the registry.
        source: linked
            .map(|path| format!("link:{path}"))
            .or_else(|| entry.resolved.map(str::to_owned)),
        integrity: entry.integrity.map(str::to_owned),
        path: path.to_owned(),
        span,
    })
}

/// A field that may be absent but, when present, must be a string (`null` is not one): as the
/// general reader judges a lockfile, so the typed one never accepts what it would refuse.
fn present_str<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de str>, D::Error> {
    <&'de str as serde::Deserialize>::deserialize(d).map(Some)
}

fn present_map<'de, D, V>(d: D) -> Result<Option<std::collections::BTreeMap<&'de str, V>>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: serde::Deserialize<'de>,
{
    <std::collections::BTreeMap<&'de str, V> as serde::Deserialize>::deserialize(d).map(Some)
}

/// A `T` read from a JSON object only: serde's derived structs also take arrays (fields by
/// position), which the general reader refuses, and the typed reader must never accept more.
struct Object<T>(T);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Object<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Object<T>, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Object)
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// A lockfile v2/v3 read into borrowed, typed fields: only what the inventory uses, the rest
/// skipped by the parser. Anything unusual (a v1 lockfile, an escaped string, a field of
/// another type) makes it fail, and the general reader decides instead.
#[derive(serde::Deserialize)]
struct TypedLock<'a> {
    #[serde(borrow, default, deserialize_with = "present_map")]
    packages: Option<std::collections::BTreeMap<&'a str, Object<TypedEntry<'a>>>>,
    #[serde(borrow, default, deserialize_with = "present_map")]
    #[allow(dead_code, reason = "read to check its entries' types")]
    dependencies: Option<std::collections::BTreeMap<&'a str, Object<TypedV1Entry<'a>>>>,
}

/// The keys of a JSON object, its values skipped by the parser.
struct Keys<'a>(Vec<&'a str>);

impl<'de> serde::Deserialize<'de> for Keys<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Keys<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Keys<'de>, A::Error> {
                let mut keys = Vec::new();
                while let Some((key, serde::de::IgnoredAny)) = map.next_entry::<&'de str, _>()? {
                    keys.push(key);
                }
                Ok(Keys(keys))
            }
        }
        d.deserialize_map(Visit)
    }
}

fn present_keys<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Keys<'de>>, D::Error> {
    <Keys<'de> as serde::Deserialize>::deserialize(d).map(Some)
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TypedEntry<'a> {
    #[serde(borrow, default, deserialize_with = "present_str")]
    version: Option<&'a str>,
    #[serde(borrow, default, deserialize_with = "present_str")]
    resolved: Option<&'a str>,
    #[serde(borrow, default, deserialize_with = "present_str")]
    integrity: Option<&'a str>,
    #[serde(borrow, default, deserialize_with = "present_str")]
    name: Option<&'a str>,
    #[serde(default)]
    link: Option<bool>,
    #[serde(borrow, default, deserialize_with = "present_keys")]
    dependencies: Option<Keys<'a>>,
    #[serde(borrow, default, deserialize_with = "present_keys")]
    dev_dependencies: Option<Keys<'a>>,
    #[serde(borrow, default, deserialize_with = "present_keys")]
    optional_dependencies: Option<Keys<'a>>,
    #[serde(borrow, default, deserialize_with = "present_keys")]
    peer_dependencies: Option<Keys<'a>>,
}

/// A v1-style `dependencies` entry of a v2 lockfile: only checked, as the general reader
/// checks it.
#[derive(serde::Deserialize)]
struct TypedV1Entry<'a> {
    #[serde(borrow, default, deserialize_with = "present_str")]
    #[allow(dead_code, reason = "read to check its type")]
    version: Option<&'a str>,
    #[serde(borrow, default, deserialize_with = "present_str")]
    #[allow(dead_code, reason = "read to check its type")]
    resolved: Option<&'a str>,
    #[serde(borrow, default, deserialize_with = "present_str")]
    #[allow(dead_code, reason = "read to check its type")]
    integrity: Option<&'a str>,
}

impl<'a> TypedEntry<'a> {
    fn fields(&self) -> Fields<'a> {
        Fields {
            version: self.version,
            resolved: self.resolved,
            integrity: self.integrity,
            name: self.name,
        }
    }
}

/// [`npm_lock_parsed`] for the common case, a lockfile v2 or v3 in the shape npm writes, read
/// without building a JSON tree (three times faster on large lockfiles); `None` hands the
/// lockfile to the general reader, which also words every error.
fn typed_lock(path: &str, text: &str) -> Option<NpmLock> {
    let Object(lock): Object<TypedLock<'_>> = serde_json::from_str(text).ok()?;
    let packages = lock.packages?;
    let direct: BTreeSet<&str> = packages
        .get("")
        .map(|Object(root)| {
            [
                &root.dependencies,
                &root.dev_dependencies,
                &root.optional_dependencies,
                &root.peer_dependencies,
            ]
            .into_iter()
            .flatten()
            .flat_map(|section| section.0.iter().copied())
            .collect()
        })
        .unwrap_or_default();
    // The keys are borrowed from `text` (a key with an escape fails the typed read): where
    // each is written is its offset into it, found through an index of line starts instead of
    // a second tokenising pass (which took as long as the parse on large lockfiles).
    let lines = harden_model::LineIndex::new(text);
    let key_span = |key: &str| {
        let start = key.as_ptr().addr().wrapping_sub(text.as_ptr().addr());
        // Not reached (every key is a slice of `text`); no place rather than a wrong one.
        if start > text.len() {
            return Span::default();
        }
        Span {
            start: lines.line_col(text, start),
            end: lines.line_col(text, start + key.len()),
        }
    };
    let mut out = Vec::new();
    for (key, Object(entry)) in &packages {
        let Some(name) = key
            .rsplit("node_modules/")
            .next()
            .filter(|_| key.contains("node_modules/"))
        else {
            continue;
        };
        let target = entry
            .resolved
            .and_then(|path| packages.get(path))
            .map(|Object(target)| target);
        let span = key_span(key);
        let dependency = match (entry.link == Some(true), target) {
            (true, Some(target)) => entry_dependency(
                path,
                name,
                &target.fields(),
                &["packages", key],
                entry.resolved,
                &direct,
                span,
            ),
            _ => entry_dependency(
                path,
                name,
                &entry.fields(),
                &["packages", key],
                None,
                &direct,
                span,
            ),
        };
        out.extend(dependency);
    }
    Some(NpmLock {
        top_level: out.len(),
        packages: out,
    })
}

/// Both views of a package-lock.json or npm-shrinkwrap.json from one parse.
pub fn npm_lock_parsed(path: &str, text: &str) -> Result<NpmLock, Box<Problem>> {
    if let Some(lock) = typed_lock(path, text) {
        return Ok(lock);
    }
    value_lock(path, text)
}

/// [`npm_lock_parsed`] through a JSON tree: every lockfile version, and the wording of every
/// problem.
fn value_lock(path: &str, text: &str) -> Result<NpmLock, Box<Problem>> {
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
            span: at
                .and_then(|(section, key)| {
                    json_key_spans(text, |parent| parent == [section])
                        .get([section, key].as_slice())
                        .copied()
                })
                .unwrap_or_default(),
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
    // The root package's own dependencies are the direct ones (lockfile v2 and v3).
    let root = value.pointer("/packages/");
    let direct: BTreeSet<&str> = [
        "dependencies",
        "devDependencies",
        "optionalDependencies",
        "peerDependencies",
    ]
    .iter()
    .filter_map(|section| root?.get(section)?.as_object())
    .flat_map(|deps| deps.keys().map(String::as_str))
    .collect();
    let spans = json_key_spans(text, locks_packages);
    let mut out = Vec::new();
    // `key`: where the entry is written, as a path of keys.
    let dependency = |name: &str, entry: &serde_json::Value, key: &[&str], linked: Option<&str>| {
        let field = |f: &str| entry.get(f).and_then(serde_json::Value::as_str);
        let fields = Fields {
            version: field("version"),
            resolved: field("resolved"),
            integrity: field("integrity"),
            name: field("name"),
        };
        let span = spans.get(key).copied().unwrap_or_default();
        entry_dependency(path, name, &fields, key, linked, &direct, span)
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
                let resolved = entry.get("resolved").and_then(serde_json::Value::as_str);
                let target = resolved.and_then(|path| packages.get(path));
                match (linked, target) {
                    (true, Some(target)) => {
                        out.extend(dependency(name, target, &["packages", key], resolved));
                    }
                    _ => out.extend(dependency(name, entry, &["packages", key], None)),
                }
            }
        }
    } else if let Some(deps) = value
        .get("dependencies")
        .and_then(serde_json::Value::as_object)
    {
        // Lockfile v1 nests the copies npm could not hoist under the package that needs them:
        // each is locked as much as the top-level ones, so the inventory has them; a manifest's
        // requirement is checked against the top level only. (serde_json bounds the depth.)
        // The top level is read first, whole: its entries come first in the list.
        let mut pending: Vec<(Vec<&str>, &serde_json::Map<String, serde_json::Value>)> =
            vec![(vec!["dependencies"], deps)];
        let mut top_level = None;
        while let Some((parent, level)) = pending.pop() {
            for (name, entry) in level {
                let mut key = parent.clone();
                key.push(name);
                out.extend(dependency(name, entry, &key, None));
                if let Some(nested) = entry
                    .get("dependencies")
                    .and_then(serde_json::Value::as_object)
                {
                    key.push("dependencies");
                    pending.push((key, nested));
                }
            }
            top_level.get_or_insert(out.len());
        }
        let top_level = top_level.unwrap_or(out.len());
        return Ok(NpmLock {
            packages: out,
            top_level,
        });
    }
    Ok(NpmLock {
        top_level: out.len(),
        packages: out,
    })
}

/// Checks npm requirements against a package-lock.
pub fn check_npm(
    requirements: &[Requirement],
    locked: &mut [Dependency],
    lockfile: &str,
    overridden: &BTreeSet<String>,
) -> Vec<Problem> {
    // An alias (`"maildev": "npm:@timshel_npm/maildev@3.2.19"`) is locked under the package it
    // installs, as the inventory lists it: the requirement is that package's range. An override
    // may name either.
    let mut overridden = overridden.clone();
    let requirements: Vec<Requirement> = requirements
        .iter()
        .map(|requirement| {
            let aliased = requirement.requirement.strip_prefix("npm:").map(|target| {
                // `pkg@^1`, `@scope/pkg@^1`, or no range at all (`pkg`, `@scope/pkg`).
                let from = usize::from(target.starts_with('@'));
                match target[from..].find('@') {
                    Some(at) => (&target[..from + at], &target[from + at + 1..]),
                    None => (target, ""),
                }
            });
            match aliased.filter(|(real, _)| !real.is_empty()) {
                Some((real, range)) => {
                    if overridden.contains(&requirement.name) {
                        overridden.insert(real.to_owned());
                    }
                    Requirement {
                        name: real.to_owned(),
                        requirement: range.to_owned(),
                        ..requirement.clone()
                    }
                }
                None => requirement.clone(),
            }
        })
        .collect();
    let mut problems = check_locked(
        &requirements,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the typed reader accepts a lockfile, it reads what the general reader reads.
    fn same(text: &str) {
        if let Some(typed) = typed_lock("package-lock.json", text) {
            assert_eq!(Ok(typed), value_lock("package-lock.json", text), "{text}");
        }
    }

    #[test]
    fn the_typed_reader_agrees_with_the_general_one() {
        let v3 = r#"{"name":"app","lockfileVersion":3,"packages":{
            "":{"name":"app","dependencies":{"left-pad":"^1.3.0","alias":"npm:real@^2"},"devDependencies":{"jest":"^29"}},
            "node_modules/left-pad":{"version":"1.3.0","resolved":"https://r.example/left-pad-1.3.0.tgz","integrity":"sha512-x"},
            "node_modules/alias":{"name":"real","version":"2.0.1"},
            "node_modules/jest":{"version":"29.7.0","dev":true,"funding":"café ☕"}, "node_modules/jest/node_modules/left-pad":{"version":"1.1.0"},
            "node_modules/@scope/pkg":{"version":"npm:other@3.0.0"},
            "node_modules/member":{"resolved":"packages/member","link":true},
            "packages/member":{"name":"member","version":"0.1.0"}
        }}"#;
        let typed = typed_lock("package-lock.json", v3).unwrap();
        same(v3);
        // Columns count characters: the key after `café ☕` on its line.
        let nested = typed
            .packages
            .iter()
            .find(|p| p.version == "1.1.0")
            .unwrap();
        assert_eq!((nested.span.start.line, nested.span.start.column), (5, 86));
        // Windows line ends, a name in another script, a key written twice (the first place
        // counts, as the general reader has it).
        same(&v3.replace('\n', "\r\n"));
        let unusual = "{\"lockfileVersion\":3,\"packages\":{\"\":{},\r\n\"node_modules/日本語\":{\"version\":\"1.0.0\"}, \"node_modules/a\":{\"version\":\"1.0.0\"},\n\"node_modules/a\":{\"version\":\"2.0.0\"}}}";
        let typed = typed_lock("package-lock.json", unusual).unwrap();
        same(unusual);
        let spans: Vec<_> = typed
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.span.start.line,
                    p.span.start.column,
                    p.span.end.column,
                )
            })
            .collect();
        assert_eq!(spans, [("a", 2, 42, 56), ("日本語", 2, 2, 18)]);
        let v2 = r#"{"lockfileVersion":2,"packages":{"":{},"node_modules/a":{"version":"1.0.0"}},
            "dependencies":{"a":{"version":"1.0.0"}}}"#;
        assert!(typed_lock("package-lock.json", v2).is_some());
        same(v2);
        // Handed to the general reader: v1, null fields, other types, escaped strings.
        for text in [
            r#"{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dependencies":{"b":{"version":"2.0.0"}}}}}"#,
            r#"{"packages":{"node_modules/a":{"version":null}}}"#,
            r#"{"packages":{"node_modules/a":{"version":1}}}"#,
            r#"{"packages":null}"#,
            r#"{"packages":{"node_modules/a":{"version":"1.0.0"}},"dependencies":{"a":{"resolved":null}}}"#,
            r#"{"packages":{"node_modules/a":{"version":"1.0.0","resolved":"https:\/\/r.example\/a.tgz"}}}"#,
            "[]",
            // Arrays where objects belong: serde would read them by position.
            r#"{"packages":{"node_modules/a":["1.0.0"]}}"#,
            r#"[{"packages":{"node_modules/a":{"version":"1.0.0"}}}]"#,
            r#"{"packages":{"node_modules/a":{"version":"1.0.0"}},"dependencies":{"a":["1.0.0"]}}"#,
        ] {
            assert!(typed_lock("package-lock.json", text).is_none(), "{text}");
        }
    }

    /// Every package-lock.json under `HARDEN_NPM_CORPUS` (real repositories), read both ways.
    /// Run with `HARDEN_NPM_CORPUS=DIR cargo test -p harden-formats -- --ignored npm_corpus`.
    #[test]
    #[ignore = "needs a corpus of real lockfiles"]
    #[allow(
        clippy::disallowed_methods,
        reason = "a developer's check over a directory of real files, outside any repository view"
    )]
    fn npm_corpus_reads_the_same_both_ways() {
        let root = std::env::var("HARDEN_NPM_CORPUS").expect("HARDEN_NPM_CORPUS");
        let mut pending = vec![std::path::PathBuf::from(root)];
        let (mut files, mut typed) = (0, 0);
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                let kind = entry.file_type().unwrap();
                if kind.is_dir() && path.file_name().is_some_and(|n| n != ".git") {
                    pending.push(path);
                } else if kind.is_file()
                    && path.file_name().is_some_and(|n| n == "package-lock.json")
                    && let Ok(text) = std::fs::read_to_string(&path)
                {
                    files += 1;
                    typed += usize::from(typed_lock("package-lock.json", &text).is_some());
                    same(&text);
                }
            }
        }
        assert!(files > 0);
        eprintln!("{files} lockfiles agree, {typed} read by the typed reader");
    }
}
