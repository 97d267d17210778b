//! Composer (PHP): `composer.lock` and the requirements of `composer.json`.
//!
//! `composer.lock` lists every installed package under `packages` (and `packages-dev`), each an
//! object with its `name` (`vendor/package`), `version` as tagged (`v6.4.1`, `2.0.0`, or
//! `dev-main` for a branch), and where it came from: `source` (a VCS and commit) and `dist` (an
//! archive, with a `shasum` that is often empty; a `path` repository is the project's own code).
//! The lockfile does not say which packages `composer.json` asks for: the inventory reads that
//! from the manifest beside it.

use super::json_keys::json_key_spans;
use super::{
    Dependency, Ecosystem, Locator, Problem, Requirement, RequirementKind, not_json, unparsable,
};

/// Every package the lockfile pins, in file order.
pub fn composer_lock(path: &str, text: &str) -> Result<Vec<Dependency>, Box<Problem>> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| not_json(path, &e))?;
    if value.get("packages").is_none() {
        return Err(Box::new(unparsable(
            path,
            text,
            None,
            "no `packages` list: not a composer.lock",
        )));
    }
    let locator = Locator::new(text);
    let mut names = NameCursor::new(text);
    let mut out = Vec::new();
    for section in ["packages", "packages-dev"] {
        let Some(packages) = value.get(section).and_then(serde_json::Value::as_array) else {
            continue;
        };
        for package in packages {
            let field = |key: &str| package.get(key).and_then(serde_json::Value::as_str);
            let (Some(name), Some(version)) = (field("name"), field("version")) else {
                continue;
            };
            let dist = |key: &str| {
                package
                    .get("dist")
                    .and_then(|d| d.get(key))
                    .and_then(serde_json::Value::as_str)
            };
            let source = if dist("type") == Some("path") {
                // A path repository: the project's own code.
                Some(format!("file:{}", dist("url").unwrap_or_default()))
            } else {
                package
                    .get("source")
                    .and_then(|s| s.get("url"))
                    .and_then(serde_json::Value::as_str)
                    .or_else(|| dist("url"))
                    .map(str::to_owned)
            };
            out.push(Dependency {
                ecosystem: Ecosystem::Packagist,
                name: name.to_owned(),
                version: version.to_owned(),
                direct: false,
                source,
                integrity: dist("shasum")
                    .filter(|s| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()))
                    .map(|s| format!("sha1:{s}")),
                path: path.to_owned(),
                span: locator.span(names.next(name)),
            });
        }
    }
    Ok(out)
}

/// Where each package's `"name"` is written. One pass collects every `"name": "<string>"` in the
/// file with its decoded value (Composer writes `\/` for `/` in some versions); packages then
/// take them in order, each looking a bounded way ahead (an `authors` entry has a `"name"` too),
/// so a file whose names cannot be found costs no more than one that can.
struct NameCursor {
    names: Vec<(String, std::ops::Range<usize>)>,
    next: usize,
}

/// How many `"name"` keys a package may be ahead of the previous one's (its authors', its
/// funding's).
const NAME_LOOKAHEAD: usize = 64;

impl NameCursor {
    fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut names = Vec::new();
        let mut from = 0;
        while let Some(offset) = text.get(from..).and_then(|rest| rest.find("\"name\"")) {
            let mut i = from + offset + "\"name\"".len();
            from = i;
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            if bytes.get(i) != Some(&b':') {
                continue;
            }
            i += 1;
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            if bytes.get(i) != Some(&b'"') {
                continue;
            }
            // The string's end: the next quote not escaped.
            let mut end = i + 1;
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            let Some(literal) = text.get(i..=end.min(bytes.len().saturating_sub(1))) else {
                continue;
            };
            if let Ok(value) = serde_json::from_str::<String>(literal) {
                names.push((value, i + 1..end));
            }
            from = end.min(bytes.len());
        }
        Self { names, next: 0 }
    }

    fn next(&mut self, name: &str) -> Option<std::ops::Range<usize>> {
        let ahead = self.names.get(self.next..)?;
        let found = ahead
            .iter()
            .take(NAME_LOOKAHEAD)
            .position(|(value, _)| value == name)?;
        self.next += found + 1;
        Some(ahead[found].1.clone())
    }
}

/// The names a composer.json or composer.lock satisfies without a package of that name: what
/// the manifest's, or each locked package's, `provide` and `replace` list
/// (`psr/http-client-implementation`, provided by guzzlehttp/guzzle), lower case.
pub fn composer_provided(text: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let keys = |package: &serde_json::Value| -> Vec<String> {
        ["provide", "replace"]
            .iter()
            .filter_map(|section| package.get(section)?.as_object())
            .flat_map(|names| names.keys().map(|k| k.to_ascii_lowercase()))
            .collect()
    };
    let locked: Vec<&serde_json::Value> = ["packages", "packages-dev"]
        .iter()
        .filter_map(|section| value.get(section)?.as_array())
        .flatten()
        .collect();
    if locked.is_empty() {
        keys(&value)
    } else {
        locked.into_iter().flat_map(keys).collect()
    }
}

/// A composer.json's own package name (`acme/billing`), lower case.
pub fn composer_package_name(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(value.get("name")?.as_str()?.to_ascii_lowercase())
}

/// Packages Composer provides itself or checks against the platform (`php`, `ext-json`,
/// `lib-openssl`, `composer-plugin-api`): no registry package, nothing to lock.
fn is_platform(name: &str) -> bool {
    matches!(
        name,
        "php" | "php-64bit" | "php-ipv6" | "php-zts" | "php-debug" | "hhvm" | "composer"
    ) || ["ext-", "lib-", "composer-"]
        .iter()
        .any(|prefix| name.starts_with(prefix))
}

/// What `composer.json` asks for under `require` and `require-dev`, platform packages left out.
pub fn composer_requirements(path: &str, text: &str) -> Result<Vec<Requirement>, Box<Problem>> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| not_json(path, &e))?;
    let sections = ["require", "require-dev"];
    let spans = json_key_spans(text, |parent| {
        parent.len() == 1 && sections.contains(&parent[0])
    });
    let mut out = Vec::new();
    for section in sections {
        let Some(packages) = value.get(section).and_then(serde_json::Value::as_object) else {
            continue;
        };
        for (name, constraint) in packages {
            if is_platform(&name.to_ascii_lowercase()) {
                continue;
            }
            out.push(Requirement {
                name: name.to_ascii_lowercase(),
                requirement: constraint.as_str().unwrap_or_default().to_owned(),
                kind: RequirementKind::Registry,
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

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"{
    "_readme": ["This file locks the dependencies of your project"],
    "content-hash": "0f0e0d0c",
    "packages": [
        {
            "name": "acme/http",
            "version": "v2.3.0",
            "source": {"type": "git", "url": "https://git.example/acme/http.git", "reference": "abc"},
            "dist": {"type": "zip", "url": "https://dist.example/acme/http.zip", "reference": "abc", "shasum": ""},
            "require": {"acme/log": "^1.0", "php": ">=8.1"},
            "authors": [{"name": "Someone"}]
        },
        {
            "name": "acme/log",
            "version": "1.4.2",
            "dist": {"type": "zip", "url": "https://dist.example/acme/log.zip", "shasum": "0123456789abcdef0123456789abcdef01234567"}
        },
        {
            "name": "acme/billing",
            "version": "dev-main",
            "dist": {"type": "path", "url": "packages/billing", "reference": "def"}
        }
    ],
    "packages-dev": [
        {"name": "acme/test-kit", "version": "0.9.0"}
    ]
}"#;

    #[test]
    fn packages_and_dev_packages_are_listed_at_their_names() {
        let packages = composer_lock("composer.lock", LOCK).unwrap();
        let listed: Vec<(&str, &str, u32)> = packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.span.start.line))
            .collect();
        assert_eq!(
            listed,
            [
                ("acme/http", "v2.3.0", 6),
                ("acme/log", "1.4.2", 14),
                ("acme/billing", "dev-main", 19),
                ("acme/test-kit", "0.9.0", 25),
            ]
        );
        assert!(packages[0].from_registry());
        assert!(
            !packages[2].from_registry(),
            "a path repository is the project's"
        );
        assert_eq!(
            packages[1].integrity.as_deref(),
            Some("sha1:0123456789abcdef0123456789abcdef01234567")
        );
        assert_eq!(packages[0].integrity, None, "an empty shasum is no hash");
    }

    #[test]
    fn names_written_with_escaped_slashes_are_found() {
        let lock = r#"{"packages": [
{"name": "acme\/http", "version": "1.0.0"},
{"name": "acme\/log", "version": "2.0.0"}]}"#;
        let lines: Vec<u32> = composer_lock("composer.lock", lock)
            .unwrap()
            .iter()
            .map(|p| p.span.start.line)
            .collect();
        assert_eq!(lines, [2, 3]);
    }

    #[test]
    fn requirements_leave_the_platform_out() {
        let manifest = r#"{"require": {"php": "^8.2", "ext-json": "*", "Acme/HTTP": "^2.3"},
            "require-dev": {"acme/test-kit": "^0.9", "composer-runtime-api": "^2"}}"#;
        let names: Vec<String> = composer_requirements("composer.json", manifest)
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["acme/http", "acme/test-kit"]);
    }

    #[test]
    fn provided_and_replaced_names_are_listed() {
        let lock = r#"{"packages": [{"name": "acme/http", "version": "1.0.0",
            "provide": {"PSR/http-client-implementation": "1.0"}, "replace": {"acme/http-lite": "self.version"}}]}"#;
        assert_eq!(
            composer_provided(lock),
            ["psr/http-client-implementation", "acme/http-lite"]
        );
        let manifest = r#"{"name": "Acme/Shop", "provide": {"acme/cart-implementation": "1.0"}}"#;
        assert_eq!(composer_provided(manifest), ["acme/cart-implementation"]);
        assert_eq!(
            composer_package_name(manifest).as_deref(),
            Some("acme/shop")
        );
    }

    #[test]
    fn a_file_that_is_no_lockfile_is_located() {
        assert!(composer_lock("composer.lock", "{\"name\": \"acme/app\"}").is_err());
        assert!(composer_lock("composer.lock", "[").is_err());
        let Err(problem) = composer_lock("composer.lock", "{\n  \"packages\": [,]\n}") else {
            panic!("not JSON");
        };
        let Problem::Unparsable { span, .. } = *problem else {
            panic!("{problem:?}");
        };
        assert_eq!(
            (span.start.line, span.start.column),
            (2, 16),
            "where the JSON breaks"
        );
    }
}
