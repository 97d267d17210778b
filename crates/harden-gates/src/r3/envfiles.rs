use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{
    GateId, GateMeta, LineCol, Location, ProfileLevel, Redacted, Round, Secret, Severity, Span,
    Target,
};

/// `R3.secrets.envfiles`: no committed `.env`-style file with real secret values.
pub(crate) struct EnvFiles;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R3.secrets.envfiles"),
    round: Round::R3,
    title: "No committed .env files with real values",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Prototype,
    rationale: "A .env file is where local credentials live; committed, it hands them to every \
clone and teaches the team that real values belong in the repository. This gate looks at every \
file git does not ignore named .env, .env.<anything> or <name>.env, except templates \
(.env.example, .env.sample, .env.template, .env.dist, .env.defaults), and fails when one assigns \
a real value to a secret-named key (PASSWORD, SECRET, TOKEN, KEY, CREDENTIAL, DSN, ...) or a value \
the secret rules recognise. Empty values, placeholders and references (${VAR}) pass; the env \
files of test suites and of the test environment (.env.test, .env.testing, .env.ci) are \
counted, not judged (R3.secrets.tree still reads them). Fix: add the \
file to .gitignore, commit a template with empty values instead, and rotate what was committed.",
    evidence: &["files", "env files", "secret values"],
    options: &[],
    items: None,
};

const TEMPLATES: &[&str] = &[
    "example", "sample", "template", "dist", "defaults", "tpl", "schema",
];
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PWD",
    "SECRET",
    "TOKEN",
    "KEY",
    "CREDENTIAL",
    "DSN",
    "AUTH",
    "PRIVATE",
    "CERT",
];

/// Whether `path` is an env file that may hold real values (not a template).
pub(crate) fn is_env_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let env_named = name == ".env"
        || name.starts_with(".env.")
        || std::path::Path::new(&name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("env"));
    // A patch or diff of an env file (`.env.patch`) is lines of `+`/`-` changes, often to
    // commented-out settings, not the file a process reads.
    env_named
        && !name.split('.').any(|part| TEMPLATES.contains(&part))
        && !matches!(name.rsplit('.').next(), Some("patch" | "diff"))
}

/// Whether an env file is named for the test environment (`.env.test`, Laravel's
/// `.env.testing`, `.env.e2e`, `.env.ci`, `test.env`): the settings the test runner loads,
/// committed on purpose (Symfony and Next.js document it), not a deployment's. A developer's
/// own overrides (`.env.test.local`) are still judged.
fn test_environment(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let mut parts = name
        .split('.')
        .filter(|part| !part.is_empty() && *part != "env");
    parts.clone().next().is_some()
        && parts.all(|part| matches!(part, "test" | "testing" | "e2e" | "ci"))
}

fn placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    value.is_empty()
        || value.starts_with('$')
        || value.starts_with('<')
        || [
            "changeme",
            "change_me",
            "change-me",
            "replaceme",
            "replace_me",
            "replace-me",
            "example",
            "xxx",
            "your",
            "todo",
            "placeholder",
            "dummy",
            "secret",
            "password",
            "none",
            "null",
            "false",
            "true",
        ]
        .iter()
        .any(|p| lower == *p || (p.len() > 4 && lower.contains(p)))
}

impl Gate for EnvFiles {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let detector = crate::support::detector()?;
        let mut total = 0;
        let files = cx.repo().files()?;
        // Every file is looked at for its name: a repository without .env files passes.
        out.examined("files", files.len() as u64);
        let mut in_tests = 0;
        for path in files.iter().filter(|p| is_env_file(p)) {
            // A test suite's settings for the server it starts (vaultwarden's
            // `playwright/test.env`) are the suite's, made for it; a credential format in
            // them is still reported by R3.secrets.tree, as test code.
            if crate::paths::in_test_suite(path) || test_environment(path) {
                in_tests += 1;
                continue;
            }
            out.examined("env files", 1);
            let Some(bytes) = crate::support::read_parsed_into(cx, out, path)? else {
                continue;
            };
            let text = harden_engine::lossy_text(&bytes);
            let mut keys: Vec<(String, u32, String)> = Vec::new();
            for (index, line) in text.lines().enumerate() {
                let trimmed = line.trim();
                let trimmed = trimmed
                    .strip_prefix("export ")
                    .unwrap_or(trimmed)
                    .trim_start();
                if trimmed.starts_with('#') {
                    continue;
                }
                let Some((key, value)) = trimmed.split_once('=') else {
                    continue;
                };
                let key = key.trim();
                let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
                let value = value.split(" #").next().unwrap_or(value).trim();
                if placeholder(value)
                    || dev_value(value)
                    || harden_secrets::typed_placeholder(value)
                {
                    continue;
                }
                let upper = key.to_ascii_uppercase();
                let secret_named = SECRET_WORDS.iter().any(|w| upper.contains(w))
                    && !upper.ends_with("_FILE")
                    && !upper.ends_with("_PATH")
                    && !upper.ends_with("_ID");
                // A product's default password is weak, not a leaked value: the secret scan
                // reports it where a deployment reads it.
                let recognised = detector
                    .scan(line)
                    .iter()
                    .any(|m| &*m.rule != super::secret_scan::DEFAULT_PASSWORD);
                if secret_named || recognised {
                    // Shown as `KEY=` and the masked value, never from the raw line: a short
                    // password the detector would not recognise must not reach a report.
                    let shown = format!("{key}={}", Secret::new(value));
                    keys.push((key.to_owned(), index as u32 + 1, shown));
                }
            }
            if keys.is_empty() {
                continue;
            }
            total += keys.len() as u64;
            let (_, line, snippet) = keys[0].clone();
            let names: Vec<&str> = keys.iter().map(|(k, _, _)| k.as_str()).collect();
            let start = LineCol { line, column: 1 };
            out.finding(
                cx.finding(
                    format!(
                        "{path} is committed with real values for {}",
                        names.join(", ")
                    ),
                    Location::File {
                        path: path.clone(),
                        span: Some(Span { start, end: start }),
                        snippet: Some(Redacted::known_safe(snippet)),
                        logical: None,
                    },
                )
                .help("rotate these values, remove the file from git (git rm --cached), add it to .gitignore and commit a template with empty values")
                .build(),
            );
        }
        out.count("secret values", total);
        if in_tests > 0 {
            out.count("env files of test suites (not judged)", in_tests);
        }
        Ok(())
    }
}

/// Values no one guards: small numbers (`MAX_TOKENS=123`, a test PIN) and URLs of this
/// machine (`DATABASE_URL=postgres://app:app@localhost/app`).
fn dev_value(value: &str) -> bool {
    if value.len() <= 8 && value.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host == "127.0.0.1"
        || host == "::1"
        || host == "0.0.0.0"
        || host == "host.docker.internal"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_local_urls_are_dev_values() {
        for dev in [
            "123",
            "postgres://app:app@localhost:5432/app",
            "redis://:pw@127.0.0.1:6379",
            "http://user:pass@[::1]:8080/",
        ] {
            assert!(dev_value(dev), "{dev}");
        }
        for real in [
            // Assembled from parts: harden scans its own sources.
            concat!("postgres://app:s3cr3t", "-Pa55@db.internal/app"),
            "123456789012",
            "Xk9pL2mQ7vR4tZ8w",
        ] {
            assert!(!dev_value(real), "{real}");
        }
    }

    #[test]
    fn env_file_names() {
        for yes in [".env", ".env.local", "config/.env.production", "app.env"] {
            assert!(is_env_file(yes), "{yes}");
        }
        for no in [
            ".env.example",
            ".env.sample",
            "x/.env.template",
            "environment.rs",
            ".envrc",
            "env",
            "patches/external-kafka/.env.patch",
            ".env.diff",
        ] {
            assert!(!is_env_file(no), "{no}");
        }
    }

    #[test]
    fn placeholders_in_the_spellings_templates_use() {
        // wallabag's Symfony `.env`: "change me if you can", in leet.
        assert!(harden_secrets::typed_placeholder("ch4n63m31fy0uc4n"));
        // A weak value of plain words is still a value.
        assert!(!harden_secrets::typed_placeholder("correcthorsebattery"));
        // paperless-ngx's `docker-compose.env`: `PAPERLESS_SECRET_KEY=change-me`.
        for value in [
            "change-me",
            "CHANGE_ME",
            "changeme",
            "replace-me-with-a-key",
            "<key>",
            "",
        ] {
            assert!(placeholder(value), "{value}");
        }
        for value in ["chang3d-v4lue-9f2k", "exchange-rate-key-7"] {
            assert!(!placeholder(value), "{value}");
        }
    }

    #[test]
    fn env_files_of_the_test_environment() {
        for yes in [
            ".env.test",
            "api/.env.testing",
            ".env.e2e",
            ".env.ci",
            "test.env",
        ] {
            assert!(test_environment(yes), "{yes}");
        }
        for no in [
            ".env",
            ".env.production",
            ".env.test.local",
            "app.env",
            ".env.testnet",
        ] {
            assert!(!test_environment(no), "{no}");
        }
    }
}
