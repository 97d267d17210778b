//! What a path is for, judged from its name alone: every gate asks the same classifier, so a
//! localisation catalogue or a test fixture is treated alike everywhere.

/// The role of a file in its repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathRole {
    /// Translations: values are natural-language text (`"API Key": "API-Schlüssel"`).
    Localisation,
    /// Tests, fixtures, snapshots and test data: credentials there are usually made up.
    Test,
    /// Third-party code kept in the repository.
    Vendored,
    /// Build output and generated code.
    Generated,
    /// Documentation and examples: snippets to read, not what the project runs.
    Documentation,
    /// A developer's environment (`.devcontainer/`, `.gitpod`, editor and agent settings):
    /// built on laptops, never deployed.
    Development,
    /// A package manager's lockfile: versions, ranges and hashes written by a tool.
    Lockfile,
    /// Everything else: the project's own code and configuration.
    Source,
}

impl PathRole {
    /// How findings name the role (`None` for source).
    pub(crate) fn label(self) -> Option<&'static str> {
        match self {
            Self::Localisation => Some("localisation file"),
            Self::Test => Some("test code"),
            Self::Vendored => Some("vendored code"),
            Self::Generated => Some("generated file"),
            Self::Lockfile => Some("lockfile"),
            Self::Documentation => Some("documentation"),
            Self::Development => Some("development environment"),
            Self::Source => None,
        }
    }
}

const LOCALISATION_DIRS: &[&str] = &[
    "locale",
    "locales",
    "i18n",
    "l10n",
    // Jellyfin's `Localization/JavaScript/javascript.json`.
    "localization",
    "localisation",
    "translations",
    "translation",
    "lang",
    "langs",
    "languages",
];
const LOCALISATION_EXTENSIONS: &[&str] =
    &["po", "pot", "strings", "stringsdict", "arb", "xlf", "xliff"];
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    // OpenMRS's `test-suite/`: modules that exist to be tested against.
    "test-suite",
    "test-suites",
    "testsuite",
    "__tests__",
    "spec",
    "specs",
    "testdata",
    "test-data",
    "test_data",
    "fixtures",
    "__fixtures__",
    "__snapshots__",
    "__mocks__",
    "e2e",
    "cypress",
    "testing",
    // Benchmarks (Rust's `benches/`, asv's and others' `benchmarks/`): load generators and
    // timing harnesses, never what the project ships.
    "benches",
    "benchmarks",
];
const DOCUMENTATION_DIRS: &[&str] = &[
    "docs",
    "doc",
    "documentation",
    "examples",
    "example",
    "samples",
    "sample",
    "snippets",
    "demo",
    "demos",
    // An API's reference documents (`api-docs/api.yaml`): their values are examples.
    "api-docs",
    "apidocs",
    "api-doc",
];
const DOCUMENTATION_EXTENSIONS: &[&str] = &["md", "mdx", "rst", "adoc"];
const VENDOR_DIRS: &[&str] = &[
    "vendor",
    "vendored",
    "node_modules",
    "third_party",
    "third-party",
    // wallabag's `inc/3rdparty/`.
    "3rdparty",
    "thirdparty",
    "bower_components",
];
const GENERATED_DIRS: &[&str] = &[
    "dist",
    "build",
    "out",
    ".next",
    "generated",
    "__generated__",
];

/// Lockfiles by name (lower-cased).
const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "cargo.lock",
    "go.sum",
    "poetry.lock",
    "uv.lock",
    "pdm.lock",
    "pipfile.lock",
    "gemfile.lock",
    "composer.lock",
    "packages.lock.json",
    "mix.lock",
    "podfile.lock",
    "flake.lock",
    "pubspec.lock",
    "gradle.lockfile",
    "package.resolved",
];

/// The role of `path` (repository-relative, `/`-separated).
pub(crate) fn role(path: &str) -> PathRole {
    // A CI pipeline is what runs with the project's CI secrets, whatever it is called: a
    // workflow named `test.yml` is not test code.
    if matches!(
        harden_formats::pipeline::kind_of(path),
        Some(
            harden_formats::pipeline::Kind::GithubWorkflow | harden_formats::pipeline::Kind::Gitlab
        )
    ) {
        return PathRole::Source;
    }
    let lower = path.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    let (dirs, name) = parts.split_at(parts.len().saturating_sub(1));
    let name = name.first().copied().unwrap_or_default();
    // JVM sources sit in package directories (`src/main/java/com/example/demo/`, JHipster's
    // `io/github/jhipster/sample/`): those names are the package's, not a role, so only the
    // directories up to the source root are judged.
    let source_root = dirs
        .windows(3)
        .position(|w| w[0] == "src" && matches!(w[2], "java" | "kotlin" | "scala" | "groovy"));
    // Gradle's test source sets: `src/integrationTest/java`, `src/testFixtures/java`.
    if let Some(at) = source_root
        && (dirs[at + 1].contains("test") || dirs[at + 1].contains("fixture"))
    {
        return PathRole::Test;
    }
    let dirs = match source_root {
        Some(at) => &dirs[..at + 3],
        None => dirs,
    };
    let in_dir = |set: &[&str]| dirs.iter().any(|d| set.contains(d));
    // Yarn Berry commits its own release bundle and plugins (`.yarn/releases/yarn-4.8.1.cjs`):
    // the package manager's code, minified, not the project's.
    if in_dir(VENDOR_DIRS)
        || dirs
            .windows(2)
            .any(|w| w[0] == ".yarn" && (w[1] == "releases" || w[1] == "plugins"))
    {
        return PathRole::Vendored;
    }
    if in_dir(&[".devcontainer", ".gitpod", ".cursor", ".vscode", ".idea"])
        || name.starts_with(".gitpod")
        // `.worktree-container/`, `.dev-container/`: a hidden directory for a developer's
        // container, never the image that is deployed.
        || dirs
            .iter()
            .any(|d| d.starts_with('.') && d.ends_with("container"))
    {
        return PathRole::Development;
    }
    // `Dockerfile.dev`, `dev.Dockerfile`, `docker-compose.dev-azure.yml`, `compose.local.yaml`,
    // `dev/docker-compose.yml`, `docker/development/compose.yml`, a cloud workstation's image
    // (`workstation/preinstall/Dockerfile`), and the override file compose
    // loads on a developer's machine: the developer's own containers, named or placed so.
    let compose = name.contains("compose");
    if (compose || name.contains("dockerfile") || name.contains("containerfile"))
        && (name
            .split(['.', '-', '_'])
            .any(|w| matches!(w, "dev" | "development" | "local" | "devcontainer"))
            || dirs.iter().any(|d| {
                matches!(
                    *d,
                    "dev" | "development" | "local" | "workstation" | "workstations"
                )
            })
            || compose && name.contains("override"))
    {
        return PathRole::Development;
    }
    // `compose.ci.yaml`, `docker-compose-ci.yml`, `compose.cypress.yaml`: the services a CI job
    // or an end-to-end suite starts beside its tests (a throwaway database and its password),
    // never what is deployed.
    if name.contains("compose")
        && name.split(['.', '-', '_']).any(|w| {
            matches!(
                w,
                "ci" | "e2e" | "cypress" | "playwright" | "selenium" | "integration"
            )
        })
    {
        return PathRole::Test;
    }
    if LOCKFILES.contains(&name) {
        return PathRole::Lockfile;
    }
    let extension = name.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    if LOCALISATION_EXTENSIONS.contains(&extension)
        || in_dir(LOCALISATION_DIRS)
            && matches!(
                extension,
                "json" | "yml" | "yaml" | "properties" | "toml" | "js" | "ts"
            )
        // Laravel's catalogues: `lang/ja/auth.php`, `resources/lang/zh_CN/settings.php`.
        || extension == "php"
            && dirs.windows(2).any(|w| LOCALISATION_DIRS.contains(&w[0]) && locale_tag(w[1]))
        || is_locale_catalogue(name)
        // `locale/translations.go`: catalogues compiled into code.
        || in_dir(LOCALISATION_DIRS)
            && matches!(
                name.split('.').next().unwrap_or_default(),
                "translations" | "translation" | "messages" | "strings"
            )
    {
        return PathRole::Localisation;
    }
    // .NET names a test project for what it tests: `Orders.UnitTests/`, `Api.Tests/`,
    // `Ordering.FunctionalTests/`.
    let dotnet_test_project = |d: &&str| {
        d.rsplit_once('.').is_some_and(|(_, last)| {
            matches!(last, "test" | "tests")
                || (last.ends_with("tests")
                    && ["unit", "integration", "functional", "acceptance", "e2e"]
                        .iter()
                        .any(|kind| last.starts_with(kind)))
        })
    };
    // An end-to-end suite named for its runner at the top of the repository (vaultwarden's
    // `playwright/`: its compose file, `test.env` and package.json start the server under
    // test). Deeper, a `playwright/` directory may be a service that drives a browser.
    let e2e_suite = dirs.first().is_some_and(|d| *d == "playwright");
    if in_dir(TEST_DIRS)
        || e2e_suite
        || dirs.iter().any(dotnet_test_project)
        || dirs.iter().any(|d| test_environment_dir(d))
        || is_test_file(name, extension)
    {
        return PathRole::Test;
    }
    if in_dir(GENERATED_DIRS)
        || name.ends_with(".min.js")
        || extension == "map"
        || name.ends_with(".pb.go")
    {
        return PathRole::Generated;
    }
    if in_dir(DOCUMENTATION_DIRS)
        || dirs.iter().any(|d| examples_dir(d))
        || DOCUMENTATION_EXTENSIONS.contains(&extension)
    {
        return PathRole::Documentation;
    }
    PathRole::Source
}

/// A directory named for the examples it holds in more words than one, the word first or last
/// (lldap's `example_configs/`, `config-examples/`, dagger's `dagger-java-samples/`):
/// configurations and code to copy from, with the defaults of their documentation. Not a
/// migration's directory (`20240325211959_remove_example_table/`, `0042_create_samples`).
fn examples_dir(dir: &str) -> bool {
    // Every path's directories are judged: most names are turned away by one search.
    if !dir.contains("ampl") {
        return false;
    }
    let example = |w: &str| matches!(w, "example" | "examples" | "sample" | "samples");
    let mut words = dir.split(['-', '_', '.']);
    let first = words.next().unwrap_or_default();
    words
        .next_back()
        .is_some_and(|last| example(first) || example(last))
        && !dir
            .split(['-', '_', '.'])
            .any(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()))
}

/// A directory named for the environments tests run in (linkding's
/// `scripts/test-environments/`, `unsecure-test-setups/`): a test word and a setup word. A test
/// word alone is not enough (`ab-test/` holds an experiment's production code).
fn test_environment_dir(dir: &str) -> bool {
    let words: Vec<&str> = dir.split(['-', '_']).collect();
    words
        .iter()
        .any(|w| matches!(*w, "test" | "tests" | "testing"))
        && words.iter().any(|w| {
            matches!(
                *w,
                "env" | "envs" | "environment" | "environments" | "setup" | "setups" | "harness"
            )
        })
}

/// Whether a file is tooling rather than the service's runtime code: seeders, `scripts/`,
/// `dev/` and code generators, migrations, bundler and framework configuration read at build
/// time. The gates that judge what runs in production (fail-fast configuration, mocks,
/// resilience bounds) leave it out; the identity gate does not (a script's cloud login is
/// still a long-lived key).
pub(crate) fn tooling(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    let name = parts.last().copied().unwrap_or_default();
    parts[..parts.len() - 1].iter().any(|d| {
        matches!(
            *d,
            "scripts"
                | "script"
                | "hack"
                | "tools"
                | "seed"
                | "seeds"
                | "seeder"
                | "devtools"
                | "dev"
                | "codegen"
                | "code-generation"
                | "migrations"
        )
    }) || [
        "rollup.",
        "vite.",
        "webpack.",
        "next.config.",
        "babel.",
        "eslint.",
        "postcss.",
        "tailwind.",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

/// Whether `path` lies in a test suite's own directory (`tests/`, `e2e/`, `cypress/`, a
/// top-level `playwright/`, fixtures): narrower than the test [`role`], which also takes files
/// named for tests (`test.env`) and environments named `testing` that may be real servers.
pub(crate) fn in_test_suite(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let dirs: Vec<&str> = lower.split('/').collect();
    let dirs = &dirs[..dirs.len() - 1];
    dirs.first().is_some_and(|d| *d == "playwright")
        || dirs.iter().any(|d| {
            matches!(
                *d,
                "test"
                    | "tests"
                    | "__tests__"
                    | "e2e"
                    | "cypress"
                    | "spec"
                    | "specs"
                    | "fixtures"
                    | "__fixtures__"
                    | "testdata"
                    | "test-data"
            )
        })
}

/// Whether `path` configures a CI service's jobs (GitHub Actions, GitLab CI, Travis CI,
/// CircleCI, Azure Pipelines, Bitbucket Pipelines, Drone, Woodpecker, AppVeyor, Buildkite,
/// Cirrus, Jenkins): the jobs that build and test the project, by each service's documented
/// file name.
pub(crate) fn ci_configuration(path: &str) -> bool {
    use harden_formats::pipeline::Kind;
    // Not a published action's `action.yml`: its defaults are handed to every user of it.
    if matches!(
        harden_formats::pipeline::kind_of(path),
        Some(Kind::GithubWorkflow | Kind::Gitlab)
    ) {
        return true;
    }
    let lower = path.to_ascii_lowercase();
    let (dir, name) = lower.rsplit_once('/').unwrap_or(("", &lower));
    let yaml = std::path::Path::new(name)
        .extension()
        .is_some_and(|e| e == "yml" || e == "yaml");
    matches!(
        name,
        ".travis.yml"
            | "azure-pipelines.yml"
            | "azure-pipelines.yaml"
            | "bitbucket-pipelines.yml"
            | ".drone.yml"
            | ".woodpecker.yml"
            | "appveyor.yml"
            | ".appveyor.yml"
            | ".cirrus.yml"
            | "jenkinsfile"
    ) || (yaml
        && (dir == ".circleci"
            || dir == ".buildkite"
            || dir == ".woodpecker"
            || dir == ".azure-pipelines"
            || dir.ends_with("/.circleci")
            || dir.ends_with("/.buildkite")))
}

/// Whether gates that judge what the project builds and deploys (images, Dockerfiles,
/// manifests and their lockfiles) judge `path`: not tests, documentation, development
/// environments, vendored or generated code.
pub(crate) fn deployed(path: &str) -> bool {
    deployed_as(path, role(path))
}

/// Whether `path` lies in a project template (`runtime/template/pyproject.toml`): copied into
/// new projects, which lock and ship their own dependencies.
pub(crate) fn in_project_template(path: &str) -> bool {
    path.split('/').any(|d| {
        matches!(
            d,
            "template" | "templates" | "scaffold" | "skeleton" | "boilerplate"
        )
    })
}

/// [`deployed`] for a path whose [`role`] is known.
pub(crate) fn deployed_as(path: &str, role: PathRole) -> bool {
    match role {
        PathRole::Source | PathRole::Lockfile => true,
        // `build/` holds build output in JavaScript and Gradle projects but the build's recipes
        // in Go's layout (`build/package/Dockerfile`, `build/ci/`): a Dockerfile or manifest
        // there is something the project builds from, not something a tool wrote.
        PathRole::Generated => {
            let lower = path.to_ascii_lowercase();
            let mut dirs: Vec<&str> = lower.split('/').collect();
            dirs.pop();
            dirs.iter()
                .filter(|d| GENERATED_DIRS.contains(d))
                .all(|d| *d == "build")
        }
        _ => false,
    }
}

/// Whether a file says in its first lines that a tool wrote it (`Code generated ... DO NOT
/// EDIT`, `This file was automatically generated by gh-aw ... DO NOT EDIT`, `@generated`).
pub(crate) fn generated_header(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(16 * 1024)];
    let end = head
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(9)
        .map_or(head.len(), |(i, _)| i);
    let head = harden_engine::lossy_text(&head[..end]);
    (head.contains("DO NOT EDIT") && head.to_ascii_lowercase().contains("generated"))
        || head.contains("@generated")
}

/// `de_DE.json`, `pt-BR.yml`, `messages_fr.properties`, `zh-hans.json`: a file named after a
/// language tag.
/// The ISO 639-1 language codes, each followed by a space.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca \
ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv \
ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks \
ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr \
nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss \
st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh \
zu ";

fn is_locale_catalogue(name: &str) -> bool {
    let Some((stem, extension)) = name.rsplit_once('.') else {
        return false;
    };
    if !matches!(extension, "json" | "yml" | "yaml" | "properties") {
        return false;
    }
    // A Java resource bundle's default catalogue (Spring's `MessageSource`, Bean Validation):
    // the language-tagged ones are judged below.
    if extension == "properties" && matches!(stem, "messages" | "validationmessages") {
        return true;
    }
    locale_tag(stem.strip_prefix("messages_").unwrap_or(stem))
}

/// Whether `tag` (lower case) names a locale: a language, then a region or a script
/// (`ja`, `zh_cn`, `pt-br`, `sr_latn`, `es-419`).
fn locale_tag(tag: &str) -> bool {
    let mut pieces = tag.split(['_', '-']);
    let language = pieces.next().unwrap_or_default();
    // A language is an ISO 639-1 code, or one of the three-letter codes locale files use where
    // there is none: `app-db.yaml` and `pg-ha.yaml` are not catalogues.
    let language_ok = (language.len() == 2
        && ISO_639_1
            .as_bytes()
            .chunks(3)
            .any(|code| &code[..2] == language.as_bytes()))
        || matches!(
            language,
            "fil" | "haw" | "yue" | "ckb" | "ast" | "kab" | "sat" | "mni" | "chr" | "ber"
        );
    // A region (`br`, `419`) or a script (`hans`): `api-keys.yaml` is not Apiese in the Keys
    // script.
    let rest_ok = pieces.all(|p| {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
            || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
            || matches!(
                p,
                "hans"
                    | "hant"
                    | "latn"
                    | "cyrl"
                    | "arab"
                    | "deva"
                    | "beng"
                    | "guru"
                    | "hebr"
                    | "jpan"
                    | "kore"
                    | "thai"
            )
    });
    language_ok
        && rest_ok
        && tag.len() <= 10
        && !matches!(tag, "app" | "api" | "db" | "env" | "key" | "ci")
}

/// `name` and `extension` are lower-cased already.
fn is_test_file(name: &str, extension: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    // `spec` is RSpec's and Jasmine's word for a test in code (`user_spec.rb`, `api.spec.ts`);
    // a JSON or YAML document named so is a specification (gotify's `docs/spec.json`,
    // `api-spec.yaml`).
    let spec_is_test = !matches!(extension, "json" | "yaml" | "yml");
    // A word of the name says so: `test.go`, `.env.test`, `key_for_test_github.pem`.
    let says_test = name.split(['.', '_', '-']).any(|w| {
        matches!(w, "test" | "tests" | "fixture" | "fixtures" | "testdata")
            || (w == "spec" && spec_is_test)
    });
    says_test
        || name.ends_with("_test.go")
        || name.contains(".test.")
        || (name.contains(".spec.") && spec_is_test)
        || extension == "snap"
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || (stem.ends_with("_spec") && spec_is_test)
        || stem.ends_with("test") && extension == "java"
        // PHPUnit's configuration (`phpunit.xml.dist`) sets the test run's environment.
        || stem == "phpunit"
}

/// Whether `path` is test code or a mock package by its name (beyond what [`crate::paths`]
/// calls tests): `mocks/`, `mock_store.go`, `store_mock.go`, `conftest.py`.
/// Takes the path's [`role`], which the caller has already judged.
pub(crate) fn test_support_as(path: &str, role: PathRole) -> bool {
    if role == PathRole::Test {
        return true;
    }
    let lower = path.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    let (dirs, name) = parts.split_at(parts.len() - 1);
    let name = name[0];
    dirs.iter().any(|d| {
        matches!(
            *d,
            "mocks"
                | "mock"
                | "fakes"
                | "fake"
                | "stubs"
                | "testutil"
                | "testutils"
                | "testhelpers"
                | "test_utils"
                | "test-utils"
                | "testhelper"
                | "testsupport"
        )
    }) || dirs.iter().any(|d| {
        // `__e2e__`, `__test__`: the same directories, fenced with underscores.
        let bare = d.trim_matches('_');
        bare != *d && matches!(bare, "e2e" | "test" | "tests" | "mocks" | "fixtures")
    }) || dirs.iter().any(|d| {
        // .NET test projects: `Orders.Tests/`, `Api.IntegrationTests/`, `Web.Specs/`.
        d.rsplit_once('.').is_some_and(|(_, last)| {
            last.ends_with("tests") || last == "test" || last == "specs"
        })
    }) || name == "conftest.py"
        // A test runner's own configuration and setup, its name first or last:
        // `vitest.config.ts`, `jest.setup.js`, `vitest-base.config.ts` (JHipster),
        // `jest_preset.js`, `karma.conf.js`, Angular's `setup-jest.ts`.
        || {
            let words: Vec<&str> = name.split(['.', '-', '_']).collect();
            words
                .iter()
                .any(|w| matches!(*w, "vitest" | "jest" | "playwright" | "cypress" | "karma"))
                && words.iter().any(|w| {
                    matches!(*w, "config" | "conf" | "setup" | "preset" | "workspace")
                })
        }
        // `setupFiles.ts`, as vitest's and jest's `setupFiles` option commonly names it.
        || ["setuptests.", "test-setup.", "testsetup.", "setupfiles.", "setup-tests.", "setup_tests."]
            .iter()
            .any(|prefix| name.starts_with(prefix))
        || name
            .split(['.', '_', '-'])
            .any(|w| matches!(w, "mock" | "mocks" | "fake" | "fakes"))
        // `panel.clienttest.tsx`, `api.servertest.ts`: a project's own kinds of test (in code:
        // `orders.spec.yaml` is a specification, see `is_test_file`).
        || name.split('.').skip(1).any(|w| {
            w.ends_with("test")
                || w.ends_with("tests")
                || (w.ends_with("spec")
                    && !matches!(
                        name.rsplit_once('.').map(|(_, e)| e),
                        Some("json" | "yaml" | "yml")
                    ))
        })
}

/// Whether `rest` (the lines of Rust source from one on) starts with a `#[cfg(test)]` that
/// opens the inline test module (`mod tests {` next): everything from there is test code. A
/// `#[cfg(test)] use ...;` or `mod tests;` is not.
pub(crate) fn rust_test_module_starts(rest: &[&str]) -> bool {
    if !rest
        .first()
        .is_some_and(|l| l.trim_start().starts_with("#[cfg(test)]"))
    {
        return false;
    }
    rest[1..]
        .iter()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with("#["))
        .is_some_and(|l| {
            let l = l.trim();
            (l.starts_with("mod ") || l.starts_with("pub mod ") || l.starts_with("pub(crate) mod "))
                && l.ends_with('{')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_inline_test_module_ends_rust_production_code() {
        let lines = [
            "#[cfg(test)]",
            "use mockall::automock;",
            "#[cfg(test)]",
            "#[allow(dead_code)]",
            "mod tests {",
        ];
        assert!(!rust_test_module_starts(&lines[0..]));
        assert!(rust_test_module_starts(&lines[2..]));
        assert!(!rust_test_module_starts(&["#[cfg(test)]", "mod tests;"]));
    }

    #[test]
    fn tooling_by_directory_and_name() {
        for path in [
            "packages/shared/scripts/seeder/seed.ts",
            "next.config.ts",
            "dev/code-generation/gen_docs_api.py",
            "hack/update-codegen.go",
        ] {
            assert!(tooling(path), "{path}");
        }
        for path in [
            "web/src/env.mjs",
            "mealie/core/release_checker.py",
            "cmd/server/main.go",
        ] {
            assert!(!tooling(path), "{path}");
        }
    }

    #[test]
    fn roles_by_name() {
        for (path, expected) in [
            (
                "internal/locale/translations/de_DE.json",
                PathRole::Localisation,
            ),
            ("web/src/i18n/fr.json", PathRole::Localisation),
            ("locales/pt-BR.yml", PathRole::Localisation),
            (
                "Server/Localization/JavaScript/javascript.json",
                PathRole::Localisation,
            ),
            (
                "app/src/main/res/messages_de.properties",
                PathRole::Localisation,
            ),
            (
                "api/src/main/resources/messages.properties",
                PathRole::Localisation,
            ),
            ("po/de.po", PathRole::Localisation),
            ("locales/zh-hans.json", PathRole::Localisation),
            ("locales/es-419.json", PathRole::Localisation),
            ("k8s/api-keys.yaml", PathRole::Source),
            ("config/app-prod.yaml", PathRole::Source),
            ("deploy/app-db.yaml", PathRole::Source),
            ("deploy/pg-ha.yaml", PathRole::Source),
            ("locales/en-us.json", PathRole::Localisation),
            ("locales/fil.json", PathRole::Localisation),
            ("lib/l10n/app_en.arb", PathRole::Localisation),
            (
                "inc/3rdparty/site_config/standard/example.com.txt",
                PathRole::Vendored,
            ),
            (
                "scripts/test-environments/authelia-oidc/compose.yml",
                PathRole::Test,
            ),
            (
                "scripts/unsecure-test-setups/authelia-oidc/authelia/configuration.yml",
                PathRole::Test,
            ),
            ("src/ab-test/experiment.ts", PathRole::Source),
            ("lang/ja/auth.php", PathRole::Localisation),
            ("resources/lang/zh_CN/settings.php", PathRole::Localisation),
            ("lang/pt_BR/passwords.php", PathRole::Localisation),
            ("app/Lang/LanguageManager.php", PathRole::Source),
            ("lang/app/keys.php", PathRole::Source),
            (
                "internal/reader/fetcher/request_builder_test.go",
                PathRole::Test,
            ),
            (
                "internal/reader/sanitizer/testdata/page.html",
                PathRole::Test,
            ),
            ("src/components/Login.spec.tsx", PathRole::Test),
            ("spec/models/user_spec.rb", PathRole::Test),
            ("src/api_spec.py", PathRole::Test),
            // A document named for a specification is one, not a test.
            ("docs/spec.json", PathRole::Documentation),
            ("api/orders.spec.yaml", PathRole::Source),
            ("openapi_spec.yml", PathRole::Source),
            ("tests/test_auth.py", PathRole::Test),
            ("crates/server/benches/load.rs", PathRole::Test),
            ("benchmarks/bench_query.py", PathRole::Test),
            ("src/__snapshots__/App.test.tsx.snap", PathRole::Test),
            ("vendor/github.com/x/y/z.go", PathRole::Vendored),
            (
                "rust/js_bindings/.yarn/releases/yarn-4.8.1.cjs",
                PathRole::Vendored,
            ),
            (
                ".yarn/plugins/@yarnpkg/plugin-typescript.cjs",
                PathRole::Vendored,
            ),
            ("yarn.lock", PathRole::Lockfile),
            ("locale/translations.go", PathRole::Localisation),
            ("services/api/poetry.lock", PathRole::Lockfile),
            ("tests/fixtures/Cargo.lock", PathRole::Lockfile),
            (
                "docs/versioned_docs/v1/snippets/argo.yaml",
                PathRole::Documentation,
            ),
            (
                "examples/compose/docker-compose.yml",
                PathRole::Documentation,
            ),
            // lldap's configurations for the services it serves, to copy from.
            (
                "example_configs/matrix_synapse.yml",
                PathRole::Documentation,
            ),
            ("deploy/config-examples/app.yaml", PathRole::Documentation),
            // One word is a name, not a role: `sampler/` is code; nor is a migration's name.
            ("src/sampler/mod.rs", PathRole::Source),
            (
                "prisma/migrations/20240325211959_remove_example_table/migration.sql",
                PathRole::Source,
            ),
            ("db/0042_create_samples/up.sql", PathRole::Source),
            (
                "sdk/java/dagger-java-samples/pom.xml",
                PathRole::Documentation,
            ),
            ("README.md", PathRole::Documentation),
            ("deploy/docker-compose.yml", PathRole::Source),
            (".devcontainer/Dockerfile", PathRole::Development),
            (".cursor/Dockerfile", PathRole::Development),
            ("web/dist/app.min.js", PathRole::Generated),
            (".env.test", PathRole::Test),
            (
                "core/integration/private_key_ro_modules_test_github.pem",
                PathRole::Test,
            ),
            (".dagger/modules/engine-dev/test.go", PathRole::Test),
            ("engine/session/git/git.pb.go", PathRole::Generated),
            ("src/latest.ts", PathRole::Source),
            ("config/app.json", PathRole::Source),
            ("config/db.json", PathRole::Source),
            ("src/settings.py", PathRole::Source),
            (".env", PathRole::Source),
            (".worktree-container/Dockerfile", PathRole::Development),
            ("sdk/php/docker/dev.Dockerfile", PathRole::Development),
            ("Dockerfile.dev", PathRole::Development),
            ("docker-compose.dev-azure.yml", PathRole::Development),
            ("compose.local.yaml", PathRole::Development),
            ("dev/app.Dockerfile", PathRole::Development),
            ("docker/development/compose.yml", PathRole::Development),
            ("workstation/preinstall/Dockerfile", PathRole::Development),
            (
                "src/Ordering.UnitTests/Ordering.UnitTests.csproj",
                PathRole::Test,
            ),
            ("src/Orders.FunctionalTests/Fixture.cs", PathRole::Test),
            ("src/Api.Tests/Settings.cs", PathRole::Test),
            ("src/Orders.Api/Orders.Api.csproj", PathRole::Source),
            ("src/Latest.Contests/Program.cs", PathRole::Source),
            ("phpunit.xml.dist", PathRole::Test),
            ("api-docs/api.yaml", PathRole::Documentation),
            ("workstation/commands.sh", PathRole::Source),
            ("docker-compose.override.yml", PathRole::Development),
            ("docker/production/compose.yml", PathRole::Source),
            ("dev/main.go", PathRole::Source),
            ("docker-compose.build.yml", PathRole::Source),
            (".ci/compose.ci.yaml", PathRole::Test),
            ("docker-compose-ci.yml", PathRole::Test),
            (".ci/compose.cypress.yaml", PathRole::Test),
            (".github/workflows/test.yml", PathRole::Source),
            (".github/workflows/e2e-tests.yaml", PathRole::Source),
            ("tests/.github/workflows/ci.yml", PathRole::Test),
            ("docker-compose.e2e.yml", PathRole::Test),
            ("circleci/docker-compose.yml", PathRole::Source),
            ("Dockerfile.devtools", PathRole::Source),
            // Package directories are no roles; the directories above the source root are.
            (
                "src/main/java/io/github/jhipster/sample/web/rest/LabelResource.java",
                PathRole::Source,
            ),
            (
                "src/main/kotlin/com/example/demo/DemoApplication.kt",
                PathRole::Source,
            ),
            (
                "src/test/java/com/example/demo/DemoApplicationTests.java",
                PathRole::Test,
            ),
            (
                "examples/shop/src/main/java/com/acme/Shop.java",
                PathRole::Documentation,
            ),
            (
                "src/testFixtures/java/com/acme/testing/FakeClock.java",
                PathRole::Test,
            ),
            (
                "src/integrationTest/kotlin/com/acme/ShopIT.kt",
                PathRole::Test,
            ),
        ] {
            assert_eq!(role(path), expected, "{path}");
        }
    }

    #[test]
    fn generated_headers() {
        let long = format!(
            "# gh-aw-metadata: {}\n# This file was automatically generated by gh-aw (v0.86.2). DO NOT EDIT.\n",
            "x".repeat(3000)
        );
        assert!(generated_header(long.as_bytes()));
        assert!(generated_header(
            b"// Code generated by protoc-gen-go. DO NOT EDIT.\n"
        ));
        assert!(generated_header(b"# @generated by a tool\n"));
        assert!(!generated_header(
            b"# DO NOT EDIT the secrets below by hand\nkey: v\n"
        ));
        let late = format!("{}# Code generated. DO NOT EDIT.\n", "line\n".repeat(10));
        assert!(!generated_header(late.as_bytes()));
    }

    #[test]
    fn build_recipes_under_build_are_deployed_but_build_output_is_not() {
        assert!(deployed("build/package/Dockerfile"));
        assert!(deployed("build/ci/docker-compose.yml"));
        assert!(deployed("deploy/Dockerfile"));
        assert!(!deployed("dist/Dockerfile"));
        assert!(!deployed("build/dist/Dockerfile"));
        assert!(!deployed("web/out/package.json"));
        assert!(!deployed("docs/Dockerfile"));
        assert!(!deployed(".worktree-container/Dockerfile"));
    }

    #[test]
    fn ci_services_are_known_by_their_documented_file_names() {
        for path in [
            ".github/workflows/test.yml",
            ".gitlab-ci.yml",
            ".travis.yml",
            ".circleci/config.yml",
            "azure-pipelines.yml",
            ".azure-pipelines/build.yaml",
            "bitbucket-pipelines.yml",
            ".drone.yml",
            ".woodpecker/test.yml",
            "appveyor.yml",
            ".buildkite/pipeline.yml",
            ".cirrus.yml",
            "Jenkinsfile",
            "services/api/Jenkinsfile",
        ] {
            assert!(ci_configuration(path), "{path}");
        }
        for path in [
            "action.yml",
            "playwright-action/action.yaml",
            ".github/dependabot.yml",
            ".github/workflows/scripts/check.py",
            "deploy/pipeline.yml",
            "travis.yml.md",
            "docs/.circleci.md",
            "compose.ci.yaml",
        ] {
            assert!(!ci_configuration(path), "{path}");
        }
    }

    #[test]
    fn test_suites_by_their_directories() {
        for path in [
            "playwright/test.env",
            "playwright/compose/docker-compose.yml",
            "tests/e2e/.env",
            "web/cypress/.env",
        ] {
            assert!(in_test_suite(path), "{path}");
            assert_eq!(role(path), PathRole::Test, "{path}");
        }
        // A service that drives a browser, an environment named `testing`, a file named for
        // tests: not a suite's directory.
        for path in [
            "services/playwright/Dockerfile",
            "deploy/testing/.env",
            "config/test.env",
        ] {
            assert!(!in_test_suite(path), "{path}");
        }
        assert_eq!(role("services/playwright/Dockerfile"), PathRole::Source);
    }
}
