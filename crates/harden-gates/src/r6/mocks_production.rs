use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{GateId, GateMeta, Items, Location, ProfileLevel, Round, Severity, Target};

/// `R6.mocks.production`: no mock, fake or stub reachable from the code that ships.
pub(crate) struct MocksProduction;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R6.mocks.production"),
    round: Round::R6,
    title: "No mocks, fakes or test switches in production code paths",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "A mock in a production path answers for a real system: a payment that always \
succeeds, an email never sent, a permission check that says yes. It gets there through an import \
of a mocking library from non-test code, a test-only crate or package declared as a runtime \
dependency (so it ships in the build), or a switch (`MOCK_MODE`, `USE_FAKE_PAYMENTS`) that \
production code reads and that may default to on. This gate reports imports of mocking libraries \
(unittest.mock, mock, responses, moto, freezegun; jest, vitest, sinon, nock, msw, \
@testing-library; gomock, testify/mock, sqlmock, httpmock; mockall, mockito, wiremock; Mockito, \
MockK, EasyMock, WireMock) and of a repository's own `mocks` packages from non-test code, test-only \
libraries in runtime dependency sections, and environment switches named MOCK, FAKE or STUB read \
by production code (more severely when they default to on). Test code is recognised by each \
ecosystem's conventions (`tests/`, `*_test.go`, `*.test.ts`, `__tests__`, `__mocks__`, \
`src/test/`, `conftest.py`, everything after `#[cfg(test)]`), and so are mock packages \
themselves (`mocks/`, `mock_*.go`); generated gRPC stubs are not mocks, and seeders, scripts and \
code generators (`scripts/`, `dev/`) fake data on purpose, away from production. Nothing is loaded by a \
TypeScript declaration file (`vitest.d.ts`) or a type-only import (`import type ... from \
\"vitest\"`), and a test-only package that the package's own production code imports (a script \
sandbox that implements `expect` with chai) runs in production and belongs in `dependencies`. A \
front end's package.json (a browser framework, no server framework) is not judged for test-only \
dependencies: they are bundled at build time, never installed where the front end is served.",
    evidence: &["source files", "manifests"],
    options: &[],
    items: Some(Items {
        name: "source files",
        globs: &[
            "**/*.py",
            "**/*.js",
            "**/*.mjs",
            "**/*.cjs",
            "**/*.ts",
            "**/*.tsx",
            "**/*.jsx",
            "**/*.go",
            "**/*.rs",
            "**/*.java",
            "**/*.kt",
        ],
    }),
};

use crate::classify::{FileKind, Language};

const PYTHON_MOCKS: &[&str] = &[
    "unittest.mock",
    "mock",
    "pytest_mock",
    "responses",
    "httpretty",
    "moto",
    "freezegun",
    "requests_mock",
    "respx",
    "aioresponses",
];
const JS_MOCKS: &[&str] = &[
    "sinon",
    "nock",
    "msw",
    "jest-mock",
    "jest-mock-extended",
    "@jest/globals",
    "vitest",
    "testdouble",
    "fetch-mock",
    "axios-mock-adapter",
    "mockjs",
    "ts-mockito",
    "mock-fs",
    "@testing-library",
];
const GO_MOCKS: &[&str] = &[
    "github.com/golang/mock",
    "go.uber.org/mock",
    "github.com/stretchr/testify/mock",
    "github.com/DATA-DOG/go-sqlmock",
    "github.com/jarcoal/httpmock",
    "github.com/h2non/gock",
];
const RUST_MOCKS: &[&str] = &[
    "mockall",
    "mockito",
    "wiremock",
    "httpmock",
    "mockall_double",
];
const JVM_MOCKS: &[&str] = &[
    "org.mockito",
    "io.mockk",
    "org.easymock",
    "com.github.tomakehurst.wiremock",
    "org.powermock",
];

/// Words one of which every import or switch this gate reports contains (library names,
/// `mock`, `fake`, `stub`), as code cases them (see [`crate::support::Markers`]).
static MARKERS: std::sync::LazyLock<crate::support::Markers> = std::sync::LazyLock::new(|| {
    crate::support::Markers::cased(&[
        "mock",
        "fake",
        "stub",
        "sinon",
        "nock",
        "msw",
        "jest",
        "vitest",
        "testing-library",
        "responses",
        "httpretty",
        "moto",
        "freezegun",
        "respx",
        "aioresponses",
        "testdouble",
        "gock",
    ])
});

/// Runtime-dependency sections and the test-only libraries that must not be in them.
const CARGO_TEST_ONLY: &[&str] = &[
    "mockall",
    "mockito",
    "wiremock",
    "httpmock",
    "rstest",
    "serial_test",
    "insta",
    "pretty_assertions",
    "proptest",
    "quickcheck",
    "criterion",
    "assert_cmd",
    "assert_fs",
    "test-case",
    "tokio-test",
];
const NPM_TEST_ONLY: &[&str] = &[
    "jest",
    "vitest",
    "mocha",
    "sinon",
    "nock",
    "msw",
    "chai",
    "supertest",
    "ts-jest",
    "jest-mock",
    "@testing-library/",
    "@jest/globals",
];

/// .NET mocking libraries, by namespace.
const CSHARP_MOCKS: &[&str] = &[
    "Moq",
    "NSubstitute",
    "FakeItEasy",
    "Rhino.Mocks",
    "Telerik.JustMock",
];

/// The module or package a line imports, in `language`; several for a Go import block line.
fn imported(line: &str, language: Language) -> Option<String> {
    let line = line.trim();
    match language {
        Language::Python => {
            if let Some(rest) = line.strip_prefix("from ") {
                let module = rest.split_whitespace().next()?;
                let imported = rest.split(" import ").nth(1).unwrap_or_default();
                // `from unittest import mock`
                if module == "unittest" && imported.split(',').any(|n| n.trim() == "mock") {
                    return Some("unittest.mock".into());
                }
                Some(module.to_owned())
            } else {
                let rest = line.strip_prefix("import ")?;
                Some(rest.split([',', ' ']).next()?.to_owned())
            }
        }
        Language::JavaScript => {
            let quoted = |after: &str| -> Option<String> {
                let at = line.find(after)? + after.len();
                let rest = line[at..].trim_start();
                let quote = rest
                    .chars()
                    .next()
                    .filter(|c| matches!(c, '"' | '\'' | '`'))?;
                let end = rest[1..].find(quote)?;
                Some(rest[1..=end].to_owned())
            };
            // A type-only import (`import type { Mock } from "vitest"`, `import { type Mock }
            // from ...`) is erased when the code is compiled: nothing is loaded at run time.
            if type_only_import(line) {
                return None;
            }
            // `} from 'msw'` closes a multi-line import.
            if line.starts_with("import ") || line.starts_with("export ") || line.starts_with('}') {
                quoted(" from ").or_else(|| quoted("import "))
            } else {
                quoted("require(").or_else(|| quoted("import("))
            }
        }
        Language::Go => {
            let rest = line.strip_prefix("import ").unwrap_or(line);
            let start = rest.find('"')? + 1;
            let end = rest[start..].find('"')? + start;
            Some(rest[start..end].to_owned())
        }
        Language::Rust => {
            if line.starts_with("#[automock") || line.starts_with("#[mockall::automock") {
                return Some("mockall".into());
            }
            let rest = line
                .strip_prefix("pub use ")
                .or_else(|| line.strip_prefix("use "))
                .or_else(|| line.strip_prefix("extern crate "))?;
            Some(rest.split([':', ';', ' ', '{']).next()?.to_owned())
        }
        Language::Jvm => {
            let rest = line.strip_prefix("import ")?;
            let rest = rest.strip_prefix("static ").unwrap_or(rest);
            Some(rest.trim_end_matches(';').to_owned())
        }
        // Ruby's doubles (rspec-mocks) live in spec/, which is test code by its path.
        Language::Ruby => None,
        Language::CSharp => {
            let rest = line
                .strip_prefix("global using ")
                .or_else(|| line.strip_prefix("using "))?;
            // `using var x = ...;` and `using (...)` are statements, not imports.
            if rest.starts_with("var ") || rest.starts_with('(') {
                return None;
            }
            let rest = rest.strip_prefix("static ").unwrap_or(rest);
            Some(rest.trim_end_matches(';').trim().to_owned())
        }
    }
}

/// A TypeScript import or re-export of types alone.
fn type_only_import(line: &str) -> bool {
    if line.starts_with("import type ") || line.starts_with("export type ") {
        return true;
    }
    let Some(rest) = line.strip_prefix("import {") else {
        return false;
    };
    let Some((names, _)) = rest.split_once('}') else {
        return false;
    };
    let mut names = names
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .peekable();
    names.peek().is_some() && names.all(|n| n.starts_with("type "))
}

fn is_mock_library(module: &str, language: Language) -> Option<&'static str> {
    let (list, separator): (&[&str], char) = match language {
        Language::Python => (PYTHON_MOCKS, '.'),
        Language::JavaScript => (JS_MOCKS, '/'),
        Language::Go => (GO_MOCKS, '/'),
        Language::Rust => (RUST_MOCKS, ':'),
        Language::Jvm => (JVM_MOCKS, '.'),
        Language::CSharp => (CSHARP_MOCKS, '.'),
        Language::Ruby => return None,
    };
    list.iter().copied().find(|name| {
        module == *name
            || module
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(separator) || name.ends_with('/'))
    })
}

/// A Go import of the repository's own mock packages (`.../internal/mocks`, `.../mock`).
fn own_mock_package(module: &str) -> bool {
    module
        .rsplit('/')
        .next()
        .is_some_and(|last| matches!(last, "mocks" | "mock" | "fakes"))
}

/// The name of an environment variable read on `line`, if any.
fn env_read(line: &str) -> Option<(&str, usize)> {
    const READS: &[&str] = &[
        "os.getenv(",
        "os.environ.get(",
        "os.environ[",
        "process.env.",
        "process.env[",
        "os.Getenv(",
        "os.LookupEnv(",
        "env::var(",
        "env::var_os(",
        "System.getenv(",
    ];
    for read in READS {
        let Some(at) = line.find(read) else { continue };
        let rest = line[at + read.len()..].trim_start_matches(['"', '\'', '`']);
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end > 0 {
            return Some((&rest[..end], at));
        }
    }
    None
}

/// Whether a variable's name says it turns on a mock, fake or stub.
fn test_switch(name: &str) -> bool {
    name.split('_').any(|w| {
        matches!(
            w.to_ascii_uppercase().as_str(),
            "MOCK" | "MOCKS" | "MOCKED" | "FAKE" | "FAKES" | "STUB" | "STUBS" | "STUBBED"
        )
    })
}

/// Whether the read of `name` at the start of `rest` falls back to a value that turns the
/// switch on: the call's default argument (`os.getenv("X", "true")`), or the operand of
/// `||`/`??`/`unwrap_or` right after it. A comparison (`== "true"`) is not a default.
fn defaults_on(rest: &str, name: &str) -> bool {
    let Some(at) = rest.find(name) else {
        return false;
    };
    let after = rest[at + name.len()..]
        .trim_start_matches(['"', '\'', '`', ']'])
        .trim_start();
    let default = after.strip_prefix(',').or_else(|| {
        let after = after.trim_start_matches(')').trim_start();
        after
            .strip_prefix("||")
            .or_else(|| after.strip_prefix("??"))
            .or_else(|| after.strip_prefix(".unwrap_or("))
    });
    let Some(default) = default else {
        return false;
    };
    let default = default.trim_start();
    let default = default.strip_prefix("default=").unwrap_or(default);
    let value: String = default
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    matches!(
        value.to_ascii_lowercase().as_str(),
        "true" | "1" | "yes" | "on"
    )
}

fn at(path: &str, line: u32, column: u32, snippet: &str) -> Location {
    Location::File {
        path: path.to_owned(),
        span: Some(crate::support::point(line, column)),
        snippet: Some(crate::support::shown(snippet.trim())),
        logical: None,
    }
}

fn check_source(cx: &GateCx<'_>, out: &mut GateOutput, path: &str, language: Language, text: &str) {
    // One finding per library and file: `use mockall::automock;` and `#[automock]` are one.
    let mut reported: Vec<String> = Vec::new();
    // Go: only `import "x"` and the lines of an `import ( ... )` block import.
    let mut go_imports = false;
    let lines: Vec<&str> = text.lines().collect();
    // Every import and switch reported names a marker: the other lines are only followed for
    // the structure around them (Go's import blocks, Rust's test module).
    let mut marked = crate::support::marked_lines(text, &MARKERS)
        .into_iter()
        .peekable();
    for (index, line) in lines.iter().copied().enumerate() {
        while marked.next_if(|&m| m < index).is_some() {}
        let is_marked = marked.peek() == Some(&index);
        if language == Language::Go {
            let trimmed = line.trim();
            if trimmed.starts_with("import (") {
                go_imports = true;
                continue;
            }
            if go_imports && trimmed.starts_with(')') {
                go_imports = false;
            }
            if !go_imports && !trimmed.starts_with("import ") {
                if is_marked
                    && let Some((name, column)) =
                        env_read(line).filter(|(name, _)| test_switch(name))
                {
                    report_switch(cx, out, path, index, line, name, column);
                }
                continue;
            }
        }
        // Rust keeps unit tests in the same file: the `#[cfg(test)] mod tests { ... }`.
        if language == Language::Rust && crate::paths::rust_test_module_starts(&lines[index..]) {
            break;
        }
        if !is_marked {
            continue;
        }
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if let Some(module) = imported(line, language) {
            let library = is_mock_library(&module, language);
            let own = language == Language::Go && own_mock_package(&module);
            let key = library.map_or_else(|| module.clone(), str::to_owned);
            if (library.is_some() || own) && !reported.contains(&key) {
                reported.push(key);
                let what = library.map_or_else(
                    || format!("the mock package {module}"),
                    |l| format!("the mocking library {l}"),
                );
                out.finding(
                    cx.finding(
                        format!("production code imports {what}"),
                        at(path, number, 1, line),
                    )
                    .identity(format!("import:{module}"))
                    .help("move the code that needs it under the tests, or inject the real implementation and keep the double in test code")
                    .build(),
                );
            }
        }
        if let Some((name, column)) = env_read(line).filter(|(name, _)| test_switch(name)) {
            report_switch(cx, out, path, index, line, name, column);
        }
    }
}

fn report_switch(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
    path: &str,
    index: usize,
    line: &str,
    name: &str,
    column: usize,
) {
    let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
    let on = defaults_on(&line[column..], name);
    out.finding(
        cx.finding(
            if on {
                format!("production code reads the test switch {name}, and it defaults to on")
            } else {
                format!("production code reads the test switch {name}: one variable away from mocks in production")
            },
            at(path, number, u32::try_from(column + 1).unwrap_or(1), line),
        )
        .identity(format!("switch:{name}"))
        .severity(if on { Severity::High } else { Severity::Medium })
        .help("wire test doubles in test setup, not by an environment switch the deployed code honours")
        .build(),
    );
}

/// The 1-based line of the first `needle` after `section` in `text` (1 if not found).
fn line_after(text: &str, section: &str, needle: &str) -> u32 {
    let from = text.find(section).unwrap_or(0);
    let at = text[from..].find(needle).map_or(0, |n| from + n);
    u32::try_from(text[..at].matches('\n').count() + 1).unwrap_or(1)
}

fn check_cargo(cx: &GateCx<'_>, out: &mut GateOutput, path: &str, text: &str) {
    let Ok(document) = text.parse::<toml_edit::DocumentMut>() else {
        return;
    };
    let mut sections: Vec<(String, &dyn toml_edit::TableLike)> = Vec::new();
    if let Some(table) = document.get("dependencies").and_then(|d| d.as_table_like()) {
        sections.push(("[dependencies]".into(), table));
    }
    if let Some(targets) = document.get("target").and_then(|t| t.as_table_like()) {
        for (target, item) in targets.iter() {
            if let Some(table) = item.get("dependencies").and_then(|d| d.as_table_like()) {
                sections.push((format!("[target.{target}.dependencies]"), table));
            }
        }
    }
    for (section, table) in sections {
        for (name, _) in table.iter() {
            if CARGO_TEST_ONLY.contains(&name) {
                let line = line_after(text, "\n[dependencies]", &format!("\n{name}"));
                out.finding(
                    cx.finding(
                        format!("the test-only crate {name} is a runtime dependency ({section}): it is built into the release"),
                        at(path, line + 1, 1, name),
                    )
                    .identity(format!("cargo:{name}"))
                    .help("move it to [dev-dependencies]")
                    .build(),
                );
            }
        }
    }
}

/// A test-only package in a `package.json`'s `dependencies`: the manifest, the package and the
/// line it is named on.
struct TestOnlyDependency {
    manifest: String,
    name: String,
    line: u32,
}

fn test_only_dependencies(path: &str, text: &str) -> Vec<TestOnlyDependency> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let Some(dependencies) = value.get("dependencies").and_then(|d| d.as_object()) else {
        return Vec::new();
    };
    dependencies
        .keys()
        .filter(|name| {
            NPM_TEST_ONLY.iter().any(|t| {
                if t.ends_with('/') {
                    name.starts_with(t)
                } else {
                    name == t
                }
            })
        })
        .map(|name| TestOnlyDependency {
            manifest: path.to_owned(),
            name: name.clone(),
            line: line_after(text, "\"dependencies\"", &format!("\"{name}\"")),
        })
        .collect()
}

/// Whether the production code of the package whose manifest is `manifest` imports `name`
/// (or a module under it): then the package runs in production and belongs in
/// `dependencies`, as chai does in a script sandbox that implements `expect` with it. Files
/// of a package nested below (a manifest of its own) belong to that package.
fn imported_by_production(
    cx: &GateCx<'_>,
    classified: &[crate::classify::FileClass],
    packages: &crate::support::NpmPackages<'_>,
    manifest: &str,
    name: &str,
) -> Result<bool, GateError> {
    for class in classified {
        if class.kind != FileKind::Source(Language::JavaScript)
            || !class.production_source()
            || class.test_support
            || packages.manifest_of(&class.path) != Some(manifest)
        {
            continue;
        }
        let Some(bytes) =
            crate::support::read_parsed(cx, &crate::support::NotExamined::default(), &class.path)?
        else {
            continue;
        };
        if memchr::memmem::find(&bytes, name.as_bytes()).is_none() {
            continue;
        }
        let text = harden_engine::lossy_text(&bytes);
        if text.lines().any(|line| {
            imported(line, Language::JavaScript).is_some_and(|module| {
                module == name
                    || module
                        .strip_prefix(name)
                        .is_some_and(|r| r.starts_with('/'))
            })
        }) {
            return Ok(true);
        }
    }
    Ok(false)
}

impl Gate for MocksProduction {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let classified = crate::classify::classified(cx)?;
        let mut tests = 0u64;
        let mut tooling = 0u64;
        let mut front_ends = 0u64;
        let mut test_only = Vec::new();
        for class in classified.iter() {
            let path = &class.path;
            let name = path.rsplit('/').next().unwrap_or(path);
            let manifest = matches!(name, "Cargo.toml" | "package.json");
            let language = match class.kind {
                FileKind::Source(Language::Ruby) => continue,
                FileKind::Source(language) => Some(language),
                _ if manifest => None,
                _ => continue,
            };
            // A declaration file (`vitest.d.ts`) holds types only: nothing in it runs.
            if [".d.ts", ".d.mts", ".d.cts"]
                .iter()
                .any(|d| name.ends_with(d))
            {
                continue;
            }
            // A test helper package's manifest too (lldap's `crates/test-utils/Cargo.toml`,
            // which lists mockall for the suites that depend on it as a dev-dependency).
            if class.test_support {
                tests += 1;
                continue;
            }
            // Seeders, code generators and scripts fake data on purpose, away from production.
            if language.is_some() && crate::paths::tooling(path) {
                tooling += 1;
                continue;
            }
            if !class.deployed {
                continue;
            }
            let read = if language.is_some() {
                crate::support::read_source_into
            } else {
                crate::support::read_parsed_into
            };
            let Some(bytes) = read(cx, out, path)? else {
                continue;
            };
            // Most files name no double at all: a byte search decides before any line is read.
            if language.is_some() && !MARKERS.is_match(&bytes[..]) {
                out.examined("source files", 1);
                continue;
            }
            let text = harden_engine::lossy_text(&bytes);
            // Generated gRPC and protobuf code holds "stubs" that are clients, not doubles.
            if crate::paths::generated_header(&bytes) {
                continue;
            }
            match (language, name) {
                (Some(language), _) => {
                    out.examined("source files", 1);
                    check_source(cx, out, path, language, &text);
                }
                (None, "Cargo.toml") => {
                    out.examined("manifests", 1);
                    check_cargo(cx, out, path, &text);
                }
                (None, _) => {
                    out.examined("manifests", 1);
                    // A front end's dependencies are bundled at build time, not installed
                    // where it is served (gotify's React UI lists vitest beside vite).
                    if crate::r7::resilience_bounds::front_end_package(&text) {
                        front_ends += 1;
                        continue;
                    }
                    test_only.extend(test_only_dependencies(path, &text));
                }
            }
        }
        let packages = crate::support::NpmPackages::of(&classified);
        for dependency in test_only {
            // A mocking library the production code imports is reported at the import; the
            // manifest's entry stays a finding with it.
            if is_mock_library(&dependency.name, Language::JavaScript).is_none()
                && imported_by_production(
                    cx,
                    &classified,
                    &packages,
                    &dependency.manifest,
                    &dependency.name,
                )?
            {
                out.count("test-only packages the production code imports", 1);
                continue;
            }
            let TestOnlyDependency {
                manifest,
                name,
                line,
            } = dependency;
            out.finding(
                cx.finding(
                    format!("the test-only package {name} is in dependencies: it is installed in production"),
                    at(&manifest, line, 1, &name),
                )
                .identity(format!("npm:{name}"))
                .help("move it to devDependencies")
                .build(),
            );
        }
        out.count("test and mock files (not judged)", tests);
        if front_ends > 0 {
            out.count(
                "front-end package manifests (bundled, dependencies not judged)",
                front_ends,
            );
        }
        if tooling > 0 {
            out.count("scripts and build tooling (not judged)", tooling);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_of_mocking_libraries_by_language() {
        let cases = [
            ("from unittest import mock", Language::Python, true),
            ("from unittest.mock import patch", Language::Python, true),
            ("import mockito", Language::Python, false),
            ("from mockingbird import x", Language::Python, false),
            (
                "import { setupServer } from 'msw/node';",
                Language::JavaScript,
                true,
            ),
            (
                "const nock = require(\"nock\");",
                Language::JavaScript,
                true,
            ),
            (
                "import { render } from '@testing-library/react'",
                Language::JavaScript,
                true,
            ),
            ("import vite from 'vite'", Language::JavaScript, false),
            ("\t\"github.com/stretchr/testify/mock\"", Language::Go, true),
            (
                "\t\"github.com/stretchr/testify/assert\"",
                Language::Go,
                false,
            ),
            ("use mockall::predicate::*;", Language::Rust, true),
            ("use mockingbird::x;", Language::Rust, false),
            (
                "import static org.mockito.Mockito.when;",
                Language::Jvm,
                true,
            ),
        ];
        for (line, language, expected) in cases {
            let found = imported(line, language)
                .and_then(|m| is_mock_library(&m, language))
                .is_some();
            assert_eq!(found, expected, "{line}");
        }
        assert!(own_mock_package("example.com/app/internal/mocks"));
    }

    #[test]
    fn type_only_imports_load_nothing() {
        for line in [
            "import type { Assertion } from \"vitest\"",
            "import { type Mock, type MockInstance } from \"vitest\"",
            "export type { Mock } from \"vitest\"",
        ] {
            assert_eq!(imported(line, Language::JavaScript), None, "{line}");
        }
        for line in [
            "import { type Mock, vi } from \"vitest\"",
            "import { vi } from \"vitest\"",
        ] {
            assert_eq!(
                imported(line, Language::JavaScript).as_deref(),
                Some("vitest"),
                "{line}"
            );
        }
    }

    /// Lines without a marker are not read: every library and switch reported must hold one.
    #[test]
    fn every_reported_name_holds_a_marker() {
        let lists = [PYTHON_MOCKS, JS_MOCKS, GO_MOCKS, RUST_MOCKS, JVM_MOCKS];
        for name in lists.iter().flat_map(|l| l.iter()) {
            assert!(MARKERS.is_match(name), "{name} holds no marker");
        }
        for switch in ["MOCK_MODE", "USE_FAKE_PAYMENTS", "ENABLE_STUBS"] {
            assert!(test_switch(switch) && MARKERS.is_match(switch), "{switch}");
        }
    }

    #[test]
    fn test_code_and_mock_packages_by_name() {
        for path in [
            "app/tests/test_api.py",
            "conftest.py",
            "internal/store/mocks/store.go",
            "internal/store/mock_store.go",
            "web/src/__mocks__/api.ts",
            "src/test/java/AppTest.java",
            "pkg/api/client_test.go",
            "vitest-base.config.ts",
            "web/jest_preset.js",
            "src-ui/setup-jest.ts",
            "karma.conf.js",
            "packages/cli/setupFiles.ts",
            "src/orders.spec.ts",
            "test-suite/module/omod/src/main/java/org/acme/TestModuleController.java",
        ] {
            assert!(
                crate::paths::test_support_as(path, crate::paths::role(path)),
                "{path}"
            );
        }
        for path in [
            "app/payments.py",
            "internal/store/store.go",
            "src/mockingbird.rs",
            "src/jester.ts",
            "app/playwright_pool.py",
            "src/setup/config.ts",
            "api/orders.spec.yaml",
            "docs/spec.json",
        ] {
            assert!(
                !crate::paths::test_support_as(path, crate::paths::role(path)),
                "{path}"
            );
        }
    }

    #[test]
    fn switches_and_their_defaults() {
        let line = "USE_FAKE = os.getenv(\"USE_FAKE_PAYMENTS\", \"true\") == \"true\"";
        let (name, at) = env_read(line).unwrap();
        assert_eq!(name, "USE_FAKE_PAYMENTS");
        assert!(test_switch(name) && defaults_on(&line[at..], name));
        // A comparison is not a default.
        let line = "if os.getenv(\"USE_MOCK\") == \"true\":";
        let (name, at) = env_read(line).unwrap();
        assert!(!defaults_on(&line[at..], name));
        assert!(defaults_on("process.env.MOCK_API ?? 'true'", "MOCK_API"));
        assert!(test_switch("MOCK_MODE"));
        assert!(!test_switch("MOCKINGBIRD_URL"));
        let (name, _) = env_read("if (process.env.STUB_EMAIL) {").unwrap();
        assert_eq!(name, "STUB_EMAIL");
    }
}
