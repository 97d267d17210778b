//! Composer (PHP): `composer.lock` and the requirements of `composer.json`.
//!
//! `composer.lock` lists every installed package under `packages` (and `packages-dev`), each an
//! object with its `name` (`vendor/package`), `version` as tagged (`v6.4.1`, `2.0.0`, or
//! `dev-main` for a branch), and where it came from: `source` (a VCS and commit) and `dist` (an
//! archive, with a `shasum` that is often empty; a `path` repository is the project's own code).
//! The lockfile does not say which packages `composer.json` asks for: the inventory reads that
//! from the manifest beside it.

use super::json_keys::json_key_spans;
use super::{Dependency, Ecosystem, Locator, Problem, Requirement, RequirementKind, unparsable};

/// Every package the lockfile pins, in file order.
pub fn composer_lock(path: &str, text: &str) -> Result<Vec<Dependency>, Box<Problem>> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Box::new(unparsable(path, text, None, format!("not JSON: {e}"))))?;
    if value.get("packages").is_none() {
        return Err(Box::new(unparsable(
            path,
            text,
            None,
            "no `packages` list: not a composer.lock",
        )));
    }
    let locator = Locator::new(text);
    let mut names = NameCursor { text, at: 0 };
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

/// Finds each package's `"name": "<name>"` in turn, moving forward only: the packages are
/// written in the order serde_json returns them, and a name also appears earlier as a key of
/// another package's `require` (which is followed by `:`, not preceded by `"name":`).
struct NameCursor<'t> {
    text: &'t str,
    at: usize,
}

impl NameCursor<'_> {
    fn next(&mut self, name: &str) -> Option<std::ops::Range<usize>> {
        let literal = serde_json::to_string(name).ok()?;
        let bytes = self.text.as_bytes();
        let mut from = self.at;
        while let Some(offset) = self.text.get(from..)?.find("\"name\"") {
            let key_end = from + offset + "\"name\"".len();
            let mut i = key_end;
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            if bytes.get(i) == Some(&b':') {
                i += 1;
                while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                    i += 1;
                }
                if self.text.get(i..)?.starts_with(&literal) {
                    self.at = i + literal.len();
                    return Some(i + 1..i + literal.len() - 1);
                }
            }
            from = key_end;
        }
        None
    }
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
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Box::new(unparsable(path, text, None, format!("not JSON: {e}"))))?;
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
    fn a_file_that_is_no_lockfile_is_located() {
        assert!(composer_lock("composer.lock", "{\"name\": \"acme/app\"}").is_err());
        assert!(composer_lock("composer.lock", "[").is_err());
    }
}
