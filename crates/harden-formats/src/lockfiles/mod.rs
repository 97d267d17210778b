//! Manifests and lockfiles: one dependency inventory across ecosystems, and the disagreements
//! between what a manifest asks for and what its lockfile pins.

use harden_model::{LineCol, Span};

mod bun;
mod cargo;
mod composer;
mod go;
mod gradle;
mod json_keys;
mod maven;
mod npm;
mod nuget;
mod pnpm;
mod python;
mod ruby;
mod yarn;

pub use bun::{BunLock, bun_lock, bun_lock_parsed, check_bun};
pub use cargo::{cargo_lock, cargo_requirements, cargo_workspace, check_cargo};
pub use composer::{
    composer_lock, composer_package_name, composer_provided, composer_requirements,
};
pub use go::{check_go, go_mod_lock, go_requirements};
pub use gradle::gradle_lockfile;
pub use maven::{
    MAX_PROPERTY_BYTES, Pom, PomDependency, PomParent, exact_version, pom, substitute,
};
pub use npm::{
    NpmLock, check_npm, npm_lock, npm_lock_inventory, npm_lock_parsed, npm_overrides,
    npm_requirements, npm_workspaces, override_target,
};
pub use nuget::{
    is_dotnet_project, is_nuget_lockfile, nuget_lock, nuget_lockfile_names,
    project_package_references, project_references_packages,
};
pub use pnpm::{check_pnpm, pnpm_lock};
pub use python::{
    TomlLock, check_python, pipfile_lock, pyproject_requirements, python_locked_names,
    requirements_txt, toml_lock, toml_lock_parsed, uv_workspace_members,
};
pub use ruby::{gemfile_lock, gemfile_lock_dependencies, gemfile_requirements};
pub use yarn::{check_yarn, yarn_lock};

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
    /// Ruby: Bundler.
    RubyGems,
    /// .NET: NuGet.
    NuGet,
    /// PHP: Composer.
    Packagist,
    /// Java and the JVM: Maven coordinates, as Gradle locks them.
    Maven,
}

impl Ecosystem {
    /// The OSV ecosystem name.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Maven => "Maven",
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

impl Dependency {
    /// Whether it comes from its ecosystem's registry rather than from the project itself:
    /// workspace members, path and git dependencies and workspace links are the project's own
    /// code (a local crate that shares a name with a published one is not that crate).
    pub fn from_registry(&self) -> bool {
        // npm v1 lockfiles write a git or file dependency's source as its "version"
        // (`git+https://TOKEN@host/o/r.git#sha`): not a registry version, and not to be shown.
        if self.version.contains("://") || self.version.starts_with("file:") {
            return false;
        }
        match (self.ecosystem, self.source.as_deref()) {
            (Ecosystem::Cargo, source) => {
                source.is_some_and(|s| s.starts_with("registry+") || s.starts_with("sparse+"))
            }
            (_, Some(source)) => !["link:", "file:", "git+", "workspace:"]
                .iter()
                .any(|local| source.starts_with(local)),
            (_, None) => true,
        }
    }
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

/// The lockfiles the inventory reads, by file name (and `requirements*.txt`).
pub const LOCKFILE_NAMES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "Pipfile.lock",
    "go.mod",
    "Gemfile.lock",
    "packages.lock.json",
    "composer.lock",
    "gradle.lockfile",
];

/// Bun's binary lockfile, written by Bun before 1.2 (and after, on request): it pins the
/// packages, but its format is Bun's internal one, with no published description, so harden does
/// not read it. Gates say so rather than call the manifest unlocked.
pub const BUN_BINARY_LOCKFILE: &str = "bun.lockb";

/// Why [`BUN_BINARY_LOCKFILE`] is not read, and what makes it readable.
pub const BUN_BINARY_UNREAD: &str = "Bun's binary lockfile, whose format is not published; harden \
reads the text bun.lock Bun writes by default since 1.2";

/// Whether `path` is a file the inventory reads.
pub fn is_lockfile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    LOCKFILE_NAMES.contains(&name)
        || nuget::is_nuget_lockfile(name)
        || (name.starts_with("requirements")
            && std::path::Path::new(name)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("txt")))
}

/// Every package the lockfile at `path` pins; `None` when `path` is not a lockfile. A file that
/// cannot be parsed is an [`Problem::Unparsable`] with where and what.
pub fn locked_packages(path: &str, text: &str) -> Option<Result<Vec<Dependency>, Box<Problem>>> {
    let name = path.rsplit('/').next().unwrap_or(path);
    Some(match name {
        "Cargo.lock" => cargo_lock(path, text),
        "package-lock.json" | "npm-shrinkwrap.json" => npm_lock_inventory(path, text),
        "yarn.lock" => Ok(yarn_lock(path, text)),
        "pnpm-lock.yaml" => pnpm_lock(path, &crate::yaml::parse(text)),
        "bun.lock" => bun_lock(path, text),
        "uv.lock" | "poetry.lock" | "pdm.lock" => toml_lock(path, text),
        "Pipfile.lock" => pipfile_lock(path, text),
        "go.mod" => Ok(go_mod_lock(path, text)),
        "Gemfile.lock" => Ok(gemfile_lock(path, text)),
        _ if nuget::is_nuget_lockfile(name) => nuget_lock(path, text),
        "composer.lock" => composer_lock(path, text),
        "gradle.lockfile" => Ok(gradle_lockfile(path, text)),
        _ if is_lockfile(path) => Ok(requirements_txt(path, text).0),
        _ => return None,
    })
}

fn span_at(text: &str, range: Option<std::ops::Range<usize>>) -> Span {
    range.map_or_else(Span::default, |r| {
        Span::from_byte_range(text, r.start, r.end)
    })
}

/// Positions in one file, its lines indexed once: a lockfile of thousands of packages is not
/// rescanned from its start for each package's span.
struct Locator<'t> {
    text: &'t str,
    lines: harden_model::LineIndex,
}

impl<'t> Locator<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            lines: harden_model::LineIndex::new(text),
        }
    }

    fn span(&self, range: Option<std::ops::Range<usize>>) -> Span {
        range.map_or_else(Span::default, |r| Span {
            start: self.lines.line_col(self.text, r.start),
            end: self.lines.line_col(self.text, r.end.max(r.start)),
        })
    }
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

/// A JSON manifest or lockfile that does not parse, at serde_json's line and column.
fn not_json(path: &str, error: &serde_json::Error) -> Box<Problem> {
    let at = LineCol {
        line: u32::try_from(error.line()).unwrap_or(1).max(1),
        column: u32::try_from(error.column()).unwrap_or(1).max(1),
    };
    Box::new(Problem::Unparsable {
        path: path.to_owned(),
        span: Span { start: at, end: at },
        message: format!("invalid JSON: {error}"),
    })
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

/// The requirements no locked package answers, by name (compared without regard to case where
/// the ecosystem's names are: Composer's). For lockfiles whose requirement syntax harden does
/// not evaluate (Composer constraints, RubyGems requirements): a package the manifest asks for
/// and the lockfile lacks is what makes an install fail or resolve anew.
/// `locked` holds the lockfile's names in lower case, built once for every manifest it answers
/// for (a root composer.lock answers for each package of its path repositories).
pub fn check_presence<S: std::hash::BuildHasher>(
    requirements: &[Requirement],
    locked: &std::collections::HashSet<String, S>,
    lockfile: &str,
) -> Vec<Problem> {
    requirements
        .iter()
        .filter(|r| !locked.contains(&r.name.to_ascii_lowercase()))
        .map(|r| Problem::NotLocked {
            requirement: r.clone(),
            lockfile: lockfile.to_owned(),
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

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

    /// What `check_npm` finds for a package.json and a package-lock.json, with the locked
    /// packages it marked.
    fn npm_problems(manifest: &str, lock: &str) -> (Vec<Problem>, Vec<Dependency>) {
        let requirements = npm_requirements("package.json", manifest).unwrap();
        let mut locked = npm_lock("package-lock.json", lock).unwrap();
        let problems = check_npm(
            &requirements,
            &mut locked,
            "package-lock.json",
            &BTreeSet::new(),
        );
        (problems, locked)
    }

    #[test]
    fn npm_ranges_and_lock_versions() {
        let manifest = "{\n  \"dependencies\": {\n    \"express\": \"^4.18.0\",\n    \"left-pad\": \"~1.3.0\",\n    \"local\": \"file:../local\"\n  },\n  \"devDependencies\": { \"jest\": \"^29\" }\n}\n";
        let requirements = npm_requirements("package.json", manifest).unwrap();
        assert_eq!(requirements.len(), 4);
        assert_eq!(requirements[0].span.start.line, 3);
        let lock = r#"{"lockfileVersion": 3, "packages": {"": {}, "node_modules/express": {"version": "4.19.2", "integrity": "sha512-x"}, "node_modules/left-pad": {"version": "1.2.0"}}}"#;
        let (problems, _) = npm_problems(manifest, lock);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            matches!(&problems[0], Problem::Mismatch { requirement, .. } if requirement.name == "left-pad")
        );
        assert!(
            matches!(&problems[1], Problem::NotLocked { requirement, .. } if requirement.name == "jest")
        );
    }

    /// vaultwarden's Playwright suite: `"maildev": "npm:@timshel_npm/maildev@3.2.19"` is
    /// locked as `node_modules/maildev` named `@timshel_npm/maildev`.
    #[test]
    fn an_npm_alias_is_checked_against_the_package_it_installs() {
        let manifest = r#"{"devDependencies": {"maildev": "npm:@timshel_npm/maildev@3.2.19", "old-ws": "npm:ws@^7", "gone": "npm:left-pad@^1", "bare": "npm:@types/node", "plain": "npm:react"}}"#;
        let lock = r#"{"lockfileVersion": 3, "packages": {"": {},
          "node_modules/maildev": {"name": "@timshel_npm/maildev", "version": "3.2.19"},
          "node_modules/old-ws": {"name": "ws", "version": "8.0.0"},
          "node_modules/bare": {"name": "@types/node", "version": "20.0.0"},
          "node_modules/plain": {"name": "react", "version": "18.0.0"}}}"#;
        let (problems, locked) = npm_problems(manifest, lock);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            matches!(&problems[0], Problem::NotLocked { requirement, .. } if requirement.name == "left-pad")
        );
        assert!(
            matches!(&problems[1], Problem::Mismatch { requirement, .. } if requirement.name == "ws" && requirement.requirement == "^7")
        );
        assert!(locked.iter().all(|d| d.direct));
        // An override written with the alias's name pins what it installs.
        let requirements = npm_requirements("package.json", manifest).unwrap();
        let mut locked = npm_lock("package-lock.json", lock).unwrap();
        let overridden: BTreeSet<String> = ["old-ws".to_owned()].into();
        let problems = check_npm(&requirements, &mut locked, "package-lock.json", &overridden);
        assert_eq!(problems.len(), 1, "{problems:?}");
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
        assert!(
            check_pnpm(
                &requirements,
                &crate::yaml::parse(pnpm),
                ".",
                "pnpm-lock.yaml"
            )
            .is_empty()
        );
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
        let problems = check_pnpm(
            &requirements,
            &crate::yaml::parse(pnpm),
            ".",
            "pnpm-lock.yaml",
        );
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

    fn listed(path: &str, text: &str) -> Vec<(String, String, bool)> {
        locked_packages(path, text)
            .expect("a lockfile")
            .expect("parsed")
            .into_iter()
            .map(|d| (d.name, d.version, d.direct))
            .collect()
    }

    fn own(name: &str, version: &str, direct: bool) -> (String, String, bool) {
        (name.to_owned(), version.to_owned(), direct)
    }

    #[test]
    fn yarn_classic_and_berry_list_packages_not_workspaces() {
        let classic = "# yarn lockfile v1\n\n\"@scope/pkg@^1.0.0\", \"@scope/pkg@^1.1.0\":\n  version \"1.2.0\"\n  resolved \"https://registry.example/@scope/pkg/-/pkg-1.2.0.tgz\"\n  integrity sha512-abc\n  dependencies:\n    other \"^2.0.0\"\n\nother@^2.0.0:\n  version \"2.0.1\"\n";
        assert_eq!(
            listed("web/yarn.lock", classic),
            [
                own("@scope/pkg", "1.2.0", false),
                own("other", "2.0.1", false)
            ]
        );
        let berry = "__metadata:\n  version: 8\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n\n\"left-pad@npm:^1.3.0\":\n  version: 1.3.0\n  resolution: \"left-pad@npm:1.3.0\"\n  checksum: 10c0/abc\n";
        let packages = locked_packages("yarn.lock", berry).unwrap().unwrap();
        assert_eq!(packages.len(), 1);
        assert_eq!(
            (packages[0].name.as_str(), packages[0].version.as_str()),
            ("left-pad", "1.3.0")
        );
        assert_eq!(packages[0].integrity.as_deref(), Some("10c0/abc"));
        assert_eq!(packages[0].span.start.line, 7);
    }

    /// Lockfile v1 nests the copies npm could not hoist: the inventory lists them, the
    /// manifest check reads the top level a requirement resolves to.
    #[test]
    fn package_lock_v1_nested_copies_are_in_the_inventory_only() {
        let v1 = "{\n  \"lockfileVersion\": 1,\n  \"dependencies\": {\n    \"lodash\": {\"version\": \"4.17.21\"},\n    \"old-tool\": {\"version\": \"1.0.0\", \"dependencies\": {\n      \"lodash\": {\"version\": \"4.17.10\"}\n    }}\n  }\n}\n";
        let mut inventory = listed("package-lock.json", v1);
        inventory.sort();
        assert_eq!(
            inventory,
            [
                own("lodash", "4.17.10", false),
                own("lodash", "4.17.21", false),
                own("old-tool", "1.0.0", false)
            ]
        );
        assert_eq!(npm_lock("package-lock.json", v1).unwrap().len(), 2);
    }

    /// A v1 git dependency's "version" is its URL, credentials and all: not a registry package,
    /// so it is neither matched against advisories nor written into an SBOM.
    #[test]
    fn url_versions_are_not_registry_packages() {
        let v1 = "{\"lockfileVersion\": 1, \"dependencies\": {\"private\": {\"version\": \"git+https://TOKEN@git.example/o/r.git#abc\"}, \"left-pad\": {\"version\": \"1.3.0\"}}}";
        let registry: Vec<String> = locked_packages("package-lock.json", v1)
            .unwrap()
            .unwrap()
            .into_iter()
            .filter(Dependency::from_registry)
            .map(|d| d.name)
            .collect();
        assert_eq!(registry, ["left-pad"]);
    }

    #[test]
    fn pnpm_lists_v5_v6_and_v9_keys_with_direct_ones_marked() {
        let v9 = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      react:\n        specifier: ^18.0.0\n        version: 18.2.0\npackages:\n  react@18.2.0:\n    resolution: {integrity: sha512-r}\n  '@babel/core@7.1.0(supports-color@8.0.0)':\n    resolution: {integrity: sha512-b}\n";
        assert_eq!(
            listed("pnpm-lock.yaml", v9),
            [
                own("react", "18.2.0", true),
                own("@babel/core", "7.1.0", false)
            ]
        );
        let v6 = "lockfileVersion: '6.0'\ndependencies:\n  lodash:\n    specifier: ^4.0.0\n    version: 4.17.21\npackages:\n  /lodash@4.17.21:\n    resolution: {integrity: sha512-l}\n";
        assert_eq!(
            listed("pnpm-lock.yaml", v6),
            [own("lodash", "4.17.21", true)]
        );
        let v5 = "lockfileVersion: 5.4\npackages:\n  /@types/node/18.0.0:\n    resolution: {integrity: sha512-t}\n  /ws/8.0.0_bufferutil@4.0.0:\n    resolution: {integrity: sha512-w}\n";
        assert_eq!(
            listed("pnpm-lock.yaml", v5),
            [
                own("@types/node", "18.0.0", false),
                own("ws", "8.0.0", false)
            ]
        );
        assert!(
            locked_packages("pnpm-lock.yaml", "packages: [\n")
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn aliases_are_listed_under_the_package_they_install() {
        let v3 = r#"{"lockfileVersion": 3, "packages": {"": {"dependencies": {"old-ws": "npm:ws@^7"}},
          "node_modules/old-ws": {"name": "ws", "version": "7.4.0", "resolved": "https://registry.example/ws/-/ws-7.4.0.tgz"}}}"#;
        assert_eq!(listed("package-lock.json", v3), [own("ws", "7.4.0", true)]);
        let v1 = r#"{"lockfileVersion": 1, "dependencies": {"types-x": {"version": "npm:@types/node@18.0.0"}}}"#;
        assert_eq!(
            listed("package-lock.json", v1),
            [own("@types/node", "18.0.0", false)]
        );
        let classic = "# yarn lockfile v1\n\n\"old-ws@npm:ws@^7.0.0\":\n  version \"7.4.0\"\n";
        assert_eq!(listed("yarn.lock", classic), [own("ws", "7.4.0", false)]);
        let berry = "__metadata:\n  version: 6\n\n\"old-ws@npm:ws@^7.0.0\":\n  version: 7.4.0\n  resolution: \"ws@npm:7.4.0\"\n\n\"left@npm:^1.0.0\":\n  version: 1.0.0\n  resolution: \"left@npm:1.0.0\"\n";
        assert_eq!(
            listed("yarn.lock", berry),
            [own("ws", "7.4.0", false), own("left", "1.0.0", false)]
        );
        let v5 = "lockfileVersion: 5.4\npackages:\n  /lodash_fork/1.0.0_react@18.0.0:\n    resolution: {integrity: sha512-x}\n";
        assert_eq!(
            listed("pnpm-lock.yaml", v5),
            [own("lodash_fork", "1.0.0", false)]
        );
    }

    #[test]
    fn python_git_checkouts_are_not_registry_releases() {
        let uv = "version = 1\n\n[[package]]\nname = \"flask\"\nversion = \"2.0.0\"\nsource = { git = \"https://git.example/flask?rev=main#abc\" }\n";
        let poetry = "[[package]]\nname = \"flask\"\nversion = \"2.0.0\"\n\n[package.source]\ntype = \"git\"\nurl = \"https://git.example/flask.git\"\nreference = \"main\"\n";
        for (path, text) in [("uv.lock", uv), ("poetry.lock", poetry)] {
            let packages = locked_packages(path, text).unwrap().unwrap();
            assert_eq!(packages.len(), 1, "{path}");
            assert!(
                !packages[0].from_registry(),
                "{path}: {:?}",
                packages[0].source
            );
        }
    }

    #[test]
    fn python_locks_list_versions_and_leave_the_project_out() {
        let uv = "version = 1\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\ndependencies = [{ name = \"Requests\" }]\n\n[[package]]\nname = \"requests\"\nversion = \"2.31.0\"\nsource = { registry = \"https://pypi.example/simple\" }\n\n[[package]]\nname = \"idna\"\nversion = \"3.6\"\nsource = { registry = \"https://pypi.example/simple\" }\n";
        assert_eq!(
            listed("uv.lock", uv),
            [own("requests", "2.31.0", true), own("idna", "3.6", false)]
        );
        // Each package is placed at its `[[package]]` header, the whole header.
        let packages = locked_packages("uv.lock", uv).unwrap().unwrap();
        assert_eq!(
            packages
                .iter()
                .map(|p| (
                    p.name.as_str(),
                    (p.span.start.line, p.span.start.column),
                    p.span.end.line >= p.span.start.line
                ))
                .collect::<Vec<_>>(),
            [("requests", (9, 1), true), ("idna", (14, 1), true)]
        );
        // An sdist's hash is the package's integrity; pdm writes the same tables; TOML's inline
        // form of them is the same data.
        let hashed = "[[package]]\nname = \"idna\"\nversion = \"3.6\"\nsdist = { url = \"https://files.example/idna-3.6.tar.gz\", hash = \"sha256:9ecd\" }\n";
        for path in ["uv.lock", "pdm.lock"] {
            let packages = locked_packages(path, hashed).unwrap().unwrap();
            assert_eq!(
                packages[0].integrity.as_deref(),
                Some("sha256:9ecd"),
                "{path}"
            );
        }
        let inline = "package = [{ name = \"idna\", version = \"3.6\" }]\n";
        assert_eq!(listed("poetry.lock", inline), [own("idna", "3.6", false)]);
        let poetry = "[[package]]\nname = \"django\"\nversion = \"4.2.1\"\n";
        assert_eq!(
            listed("poetry.lock", poetry),
            [own("django", "4.2.1", false)]
        );
        let pipfile = "{\n  \"default\": {\n    \"flask\": {\"version\": \"==2.0.0\", \"hashes\": [\"sha256:aa\"]},\n    \"local\": {\"path\": \".\"}\n  },\n  \"develop\": {}\n}";
        let packages = locked_packages("Pipfile.lock", pipfile).unwrap().unwrap();
        assert_eq!(packages.len(), 1);
        assert_eq!(
            (packages[0].version.as_str(), packages[0].span.start.line),
            ("2.0.0", 3)
        );
        let error = locked_packages("uv.lock", "version = 1\n[[package]\n")
            .unwrap()
            .unwrap_err();
        assert!(
            matches!(&*error, Problem::Unparsable { span, message, .. }
                if span.start.line == 2 && message.starts_with("not TOML: ")),
            "{error:?}"
        );
    }

    #[test]
    fn go_mod_lists_requirements_with_indirect_ones_marked() {
        let text = "module example.test/app\n\ngo 1.21\n\nrequire (\n\tgithub.com/a/b v1.2.3\n\tgolang.org/x/net v0.0.0-20230102030405-abcdef123456 // indirect\n)\n\nreplace github.com/a/b => github.com/c/b v1.2.4\n";
        assert_eq!(
            listed("go.mod", text),
            [
                own("github.com/c/b", "v1.2.4", true),
                own(
                    "golang.org/x/net",
                    "v0.0.0-20230102030405-abcdef123456",
                    false
                )
            ]
        );
        assert!(locked_packages("README.md", "").is_none());
        assert!(is_lockfile("deploy/requirements-prod.txt"));
    }
}
