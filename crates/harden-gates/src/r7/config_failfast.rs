use crate::classify::{FileKind, Language};
use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{GateId, GateMeta, Items, Location, ProfileLevel, Round, Severity, Target};

/// `R7.config.failfast`: required configuration stops the process when it is missing.
pub(crate) struct ConfigFailfast;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R7.config.failfast"),
    round: Round::R7,
    title: "Required configuration fails fast instead of defaulting silently",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "A service that starts without its database URL or signing secret and quietly \
uses a default (`localhost`, `dev-secret`, an empty string) fails later and stranger: writes go to \
the wrong place, tokens are signed with a key in the source. Silence is a failure mode. Secrets \
and endpoints must be required: read so that a missing value stops the process at startup \
(`os.environ[\"X\"]`, `env::var(\"X\")?` or `.expect`, a pydantic field without default, Spring \
`@Value(\"${x}\")`, an envalid or zod schema without `default`). This gate reports reads of \
secret-like keys (`*_SECRET`, `*_TOKEN`, `*_PASSWORD`, `API_KEY`, ...) and endpoint-like keys \
(`*_URL`, `*_HOST`, `*_ENDPOINT`, `*_DSN`, ...) that fall back to a default in production code: \
Python `os.getenv`/`os.environ.get` with a default and pydantic `BaseSettings` fields with one, \
JavaScript `process.env.X || ...`/`?? ...` and envalid/zod defaults, Go `getEnv(\"X\", \"...\")` \
helpers, Rust `env::var(..).unwrap_or(..)`, fields under `#[serde(default)]` in a struct an \
envy, figment or config loader fills and the config crate's `set_default`, Spring `@Value(\"${x:default}\")` and \
`getOrDefault`. Secrets with a default fail more severely than endpoints. Test code is not \
judged.",
    evidence: &["source files", "required reads", "defaulted reads"],
    options: &[],
    items: Some(Items {
        name: "configuration reads in source files",
        globs: &[
            "**/*.py",
            "**/*.js",
            "**/*.mjs",
            "**/*.cjs",
            "**/*.ts",
            "**/*.go",
            "**/*.rs",
            "**/*.java",
            "**/*.kt",
        ],
    }),
};

/// Words one of which every read this gate understands contains, as code cases them (see
/// [`crate::support::Markers`]; the camel-case forms are the helpers' own names).
const MARKER_WORDS: &[&str] = &[
    "getenv",
    "getEnv",
    "GetEnv",
    "environ",
    "process.env",
    "env::var",
    "@Value",
    "BaseSettings",
    // envalid and zod schemas are read from `process.env` in the same file.
    "envOr",
    // Rust config crates: envy, figment, config.
    "envy",
    "figment",
    "set_default",
    "EnvOr",
    "LookupEnv",
];

/// A file without one of [`MARKER_WORDS`] reads no configuration.
static MARKERS: std::sync::LazyLock<crate::support::Markers> =
    std::sync::LazyLock::new(|| crate::support::Markers::cased(MARKER_WORDS));

/// The lines of a file worth reading: a marker's, or an envalid or zod field's `default`.
static LINE_MARKERS: std::sync::LazyLock<crate::support::Markers> =
    std::sync::LazyLock::new(|| {
        crate::support::Markers::cased(&[MARKER_WORDS, &["default"]].concat())
    });

/// What a configuration key holds, judged from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Secret,
    Endpoint,
    Other,
}

fn words(key: &str) -> Vec<String> {
    key.split(['_', '.', '-'])
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect()
}

fn key_kind(key: &str) -> KeyKind {
    let words = words(key);
    let Some(last) = words.last().map(String::as_str) else {
        return KeyKind::Other;
    };
    if matches!(
        last,
        "URL" | "URI" | "HOST" | "HOSTNAME" | "ENDPOINT" | "ADDR" | "ADDRESS" | "DSN"
    ) {
        return KeyKind::Endpoint;
    }
    // The secret is what the name ends with: `JWT_SECRET`, `STRIPE_API_KEY`; `TOKEN_TTL` and
    // `RESET_PASSWORD_LOCK_TIME` are settings about a secret, not the secret.
    let secret_word = matches!(
        last,
        "SECRET"
            | "TOKEN"
            | "PASSWORD"
            | "PASSWD"
            | "CREDENTIAL"
            | "CREDENTIALS"
            | "APIKEY"
            | "PASSPHRASE"
    );
    let keyed = last == "KEY"
        && words.len() >= 2
        && matches!(
            words[words.len() - 2].as_str(),
            "API"
                | "ACCESS"
                | "PRIVATE"
                | "SIGNING"
                | "ENCRYPTION"
                | "MASTER"
                | "SECRET"
                | "CLIENT"
                | "WEBHOOK"
                | "JWT"
                | "SESSION"
                | "HMAC"
        );
    if secret_word || keyed {
        KeyKind::Secret
    } else {
        KeyKind::Other
    }
}

/// One read of a configuration key on a line: the key, the default it falls back to (`None`:
/// the read is required), and the column.
#[derive(Debug, PartialEq, Eq)]
struct Read {
    key: String,
    default: Option<String>,
    column: usize,
}

/// The first quoted string of `text` (`"x"`, `'x'`, `` `x` ``), if `text` starts with one.
fn leading_string(text: &str) -> Option<&str> {
    let text = text.trim_start();
    let quote = text
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let end = text[1..].find(quote)?;
    Some(&text[1..=end])
}

/// The arguments of a call starting right after its `(` in `rest`: the first argument (a
/// string key) and whether a second follows.
fn call_key_and_default(rest: &str) -> Option<(String, Option<String>)> {
    let key = leading_string(rest)?.to_owned();
    let after = rest.trim_start();
    let after = &after[key.len() + 2..];
    let after = after.trim_start();
    let default = after.strip_prefix(',').map(|d| {
        let d = d.trim_start();
        // `os.getenv("X", default="...")`
        let d = d.strip_prefix("default=").unwrap_or(d).trim_start();
        leading_string(d).map_or_else(
            || {
                d.split([')', ','])
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            },
            |s| format!("\"{s}\""),
        )
    });
    Some((key, default))
}

fn python_reads(line: &str) -> Vec<Read> {
    let mut reads = Vec::new();
    for call in ["os.getenv(", "os.environ.get(", "environ.get(", "getenv("] {
        if let Some(at) = line.find(call)
            && let Some((key, default)) = call_key_and_default(&line[at + call.len()..])
        {
            reads.push(Read {
                key,
                default: default.filter(|d| d != "None"),
                column: at,
            });
            return reads;
        }
    }
    if let Some(at) = line.find("os.environ[")
        && let Some(key) = leading_string(&line[at + "os.environ[".len()..])
    {
        reads.push(Read {
            key: key.to_owned(),
            default: None,
            column: at,
        });
    }
    reads
}

fn js_reads(line: &str) -> Vec<Read> {
    let mut reads = Vec::new();
    let mut from = 0;
    while let Some(found) = line[from..].find("process.env.") {
        let at = from + found;
        let rest = &line[at + "process.env.".len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let key = rest[..end].to_owned();
        let after = rest[end..].trim_start();
        let default = after
            .strip_prefix("||")
            .or_else(|| after.strip_prefix("??"))
            .map(|d| {
                let d = d.trim_start();
                leading_string(d).map_or_else(
                    || {
                        d.split([';', ',', ')'])
                            .next()
                            .unwrap_or_default()
                            .trim()
                            .to_owned()
                    },
                    |s| format!("\"{s}\""),
                )
            });
        if !key.is_empty() {
            reads.push(Read {
                key,
                default,
                column: at,
            });
        }
        from = at + "process.env.".len() + end;
    }
    // envalid `KEY: str({ default: "..." })` and zod `KEY: z.string().default("...")`.
    let trimmed = line.trim_start();
    if let Some((key, rest)) = trimmed.split_once(':')
        && key
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && !key.is_empty()
        && (rest.contains("default:") || rest.contains(".default("))
        && (rest.contains("str(") || rest.contains("url(") || rest.contains("z."))
    {
        let marker = if rest.contains("default:") {
            "default:"
        } else {
            ".default("
        };
        let value = rest.split(marker).nth(1).unwrap_or_default();
        reads.push(Read {
            key: key.to_owned(),
            default: Some(
                leading_string(value)
                    .map_or_else(|| value.trim().to_owned(), |s| format!("\"{s}\"")),
            ),
            column: line.len() - trimmed.len(),
        });
    }
    reads
}

fn go_reads(line: &str) -> Vec<Read> {
    // The common helpers: `getEnv("X", "fallback")`, `envOr("X", ...)`, `GetEnvOrDefault`.
    for call in [
        "getEnv(",
        "getenv(",
        "GetEnv(",
        "envOr(",
        "EnvOr(",
        "GetEnvOrDefault(",
        "getEnvOrDefault(",
        "LookupEnvOrString(",
    ] {
        if let Some(at) = line.find(call)
            && !line[..at].ends_with("os.")
            && let Some((key, default)) = call_key_and_default(&line[at + call.len()..])
        {
            return vec![Read {
                key,
                default,
                column: at,
            }];
        }
    }
    Vec::new()
}

fn rust_reads(line: &str) -> Vec<Read> {
    let Some(at) = line.find("env::var(") else {
        return Vec::new();
    };
    let Some(key) = leading_string(&line[at + "env::var(".len()..]) else {
        return Vec::new();
    };
    let rest = &line[at..];
    let default = ["unwrap_or_default()", "unwrap_or(", "unwrap_or_else("]
        .iter()
        .find(|m| rest.contains(**m))
        .map(|m| {
            let after = rest.split(m).nth(1).unwrap_or_default();
            leading_string(after.trim_start_matches("|_|").trim_start()).map_or_else(
                || (*m).trim_end_matches('(').to_owned(),
                |s| format!("\"{s}\""),
            )
        });
    vec![Read {
        key: key.to_owned(),
        default,
        column: at,
    }]
}

/// Configuration a Rust config crate (envy, figment, config) reads into a struct: a field under
/// `#[serde(default)]` or `#[serde(default = "f")]` falls back silently where a plain field
/// would make deserialising fail at startup, and so does `.set_default("key", value)`. Only in
/// files that use one of those crates: elsewhere `serde(default)` is no configuration.
fn rust_config_reads(text: &str, production_lines: usize) -> Vec<(usize, Read)> {
    const CRATES: [&str; 6] = [
        "envy::",
        "figment::",
        "Figment::",
        "config::Config",
        "Config::builder()",
        "ConfigBuilder",
    ];
    // `config::Config` as the config crate's path, not `crate::config::Config`.
    let named = |c: &str| {
        text.match_indices(c).any(|(at, _)| {
            !text[..at]
                .chars()
                .next_back()
                .is_some_and(|b| b.is_alphanumeric() || b == '_' || b == ':')
        })
    };
    if !CRATES.iter().any(|c| named(c)) {
        return Vec::new();
    }
    let mut reads = Vec::new();
    // The default an attribute above the next field gives it.
    let mut pending: Option<String> = None;
    for (index, line) in text.lines().enumerate().take(production_lines) {
        let trimmed = line.trim();
        let indent = line.len() - line.trim_start().len();
        if let Some(at) = line.find(".set_default(")
            && let Some(key) = leading_string(&line[at + ".set_default(".len()..])
        {
            let value = line[at..]
                .split_once(',')
                .map(|(_, rest)| rest.trim().trim_end_matches([')', '?', ';']).trim())
                .unwrap_or_default();
            reads.push((
                index,
                Read {
                    key: key.to_owned(),
                    default: Some(value.to_owned()),
                    column: at,
                },
            ));
            continue;
        }
        if let Some(arguments) = trimmed.strip_prefix("#[serde(") {
            // `default` or `default = "f"` as an argument, not `rename = "default_region"`.
            if let Some(default) = arguments
                .trim_end_matches([']', ')'])
                .split(',')
                .map(str::trim)
                .find(|a| *a == "default" || a.starts_with("default ") || a.starts_with("default="))
            {
                pending = Some(
                    default["default".len()..]
                        .trim_start()
                        .strip_prefix('=')
                        .and_then(leading_string)
                        .map_or_else(|| "Default::default()".to_owned(), |f| format!("{f}()")),
                );
            }
            continue;
        }
        if trimmed.starts_with("#[") || trimmed.starts_with("//") {
            continue;
        }
        let Some(default) = pending.take() else {
            continue;
        };
        // `pub database_url: String,`: a field; anything else (`struct`) ends the attribute.
        let field = trimmed
            .strip_prefix("pub(crate) ")
            .or_else(|| trimmed.strip_prefix("pub "))
            .unwrap_or(trimmed);
        if let Some((name, _)) = field.split_once(':')
            && !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            reads.push((
                index,
                Read {
                    key: name.to_owned(),
                    default: Some(default),
                    column: indent,
                },
            ));
        }
    }
    reads
}

fn jvm_reads(line: &str) -> Vec<Read> {
    // Spring `@Value("${db.url:jdbc:h2:mem}")`: the default follows the first `:`.
    if let Some(at) = line.find("@Value(")
        && let Some(expression) = leading_string(&line[at + "@Value(".len()..])
        && let Some(inner) = expression
            .strip_prefix("${")
            .and_then(|e| e.strip_suffix('}'))
    {
        let (key, default) = match inner.split_once(':') {
            Some((key, default)) => (key, Some(format!("\"{default}\""))),
            None => (inner, None),
        };
        return vec![Read {
            key: key.to_owned(),
            default,
            column: at,
        }];
    }
    if let Some(at) = line.find("getenv().getOrDefault(")
        && let Some((key, default)) =
            call_key_and_default(&line[at + "getenv().getOrDefault(".len()..])
    {
        return vec![Read {
            key,
            default,
            column: at,
        }];
    }
    Vec::new()
}

/// pydantic `BaseSettings` fields with a default: `database_url: str = "postgres://..."`.
fn pydantic_reads(text: &str) -> Vec<(usize, Read)> {
    let mut reads = Vec::new();
    let mut in_settings: Option<usize> = None;
    for (index, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if trimmed.starts_with("class ") {
            // A class nested in the settings class (`class Config:`) does not end it.
            if in_settings.is_none_or(|outer| indent <= outer) {
                in_settings = (trimmed.contains("BaseSettings")).then_some(indent);
            }
            continue;
        }
        let Some(class_indent) = in_settings else {
            continue;
        };
        if !trimmed.is_empty() && indent <= class_indent {
            in_settings = None;
            continue;
        }
        if let Some((field, rest)) = trimmed.split_once(':')
            && field
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && let Some((_, default)) = rest.split_once('=')
        {
            let default = default.trim();
            if default.starts_with("Field(") && !default.contains("default") {
                continue;
            }
            // `Field(default="...")` and `'...'`: the literal, as the other readers give it.
            let inner = default
                .strip_prefix("Field(")
                .and_then(|f| f.split("default=").nth(1))
                .unwrap_or(default);
            let default =
                leading_string(inner).map_or_else(|| default.to_owned(), |l| format!("\"{l}\""));
            reads.push((
                index,
                Read {
                    key: field.to_owned(),
                    default: Some(default),
                    column: indent,
                },
            ));
        }
    }
    reads
}

/// Whether an endpoint's default sends production traffic somewhere only a developer's
/// machine answers (loopback, a container host alias), or carries credentials. A public
/// default (`https://gitlab.com`), a relative path (`/static/`), a bind address (`0.0.0.0`),
/// an empty value (the feature stays off) or another variable are deliberate choices.
fn points_nowhere(default: &str) -> bool {
    let Some(literal) = default.strip_prefix('"').and_then(|d| d.strip_suffix('"')) else {
        return false;
    };
    let lower = literal.to_ascii_lowercase();
    ["localhost", "127.0.0.1", "[::1]", "host.docker.internal"]
        .iter()
        .any(|h| lower.contains(h))
        || (lower.contains("://") && lower.contains('@'))
}

fn reads_of(path: &str, text: &str) -> Vec<(usize, Read)> {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    let per_line: fn(&str) -> Vec<Read> = match extension {
        "py" => python_reads,
        "js" | "mjs" | "cjs" | "ts" | "mts" | "cts" => js_reads,
        "go" => go_reads,
        "rs" => rust_reads,
        "java" | "kt" => jvm_reads,
        _ => return Vec::new(),
    };
    let mut reads = Vec::new();
    let production_lines = crate::support::production_lines(text, extension == "rs");
    for (index, line) in crate::support::marked_line_texts(text, &LINE_MARKERS) {
        if index >= production_lines {
            break;
        }
        reads.extend(per_line(line).into_iter().map(|r| (index, r)));
    }
    if extension == "py" && text.contains("BaseSettings") {
        reads.extend(pydantic_reads(text));
    }
    if extension == "rs" {
        reads.extend(rust_config_reads(text, production_lines));
    }
    reads
}

impl Gate for ConfigFailfast {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let classified = crate::classify::classified(cx)?;
        let (mut required, mut defaulted) = (0u64, 0u64);
        for class in classified.iter() {
            let path = &class.path;
            // Components (`.jsx`, `.tsx`) read build-time configuration inlined by the bundler,
            // not the process's environment.
            if !matches!(
                class.kind,
                FileKind::Source(
                    Language::Python
                        | Language::JavaScript
                        | Language::Go
                        | Language::Rust
                        | Language::Jvm
                )
            ) || matches!(class.extension.as_str(), "jsx" | "tsx")
                || !class.production_source()
                || crate::paths::tooling(path)
            {
                continue;
            }
            let Some(bytes) = crate::support::read_source_into(cx, out, path)? else {
                continue;
            };
            // Most files read no configuration: a byte search decides before any line is read.
            if !MARKERS.is_match(&bytes[..]) {
                continue;
            }
            let text = harden_engine::lossy_text(&bytes);
            let reads = reads_of(path, &text);
            if reads.is_empty() {
                continue;
            }
            out.examined("source files", 1);
            for (index, read) in reads {
                let Some(default) = read
                    .default
                    .as_ref()
                    .filter(|d| !matches!(d.as_str(), "undefined" | "null" | "None" | "nil"))
                else {
                    required += 1;
                    continue;
                };
                let kind = key_kind(&read.key);
                // `AUTH_ID_TOKEN: z.enum(["true", "false"]).default("true")` is a switch
                // about tokens, not a token.
                let flag = matches!(
                    default.trim_matches('"').to_ascii_lowercase().as_str(),
                    "true" | "false" | "0" | "1" | "yes" | "no" | "on" | "off"
                );
                if kind == KeyKind::Other
                    || flag
                    || (kind == KeyKind::Endpoint && !points_nowhere(default))
                {
                    continue;
                }
                // An empty default the code refuses a few lines on (lldap's `set-password`:
                // `ensure!(password.len() >= 8, ...)`) stops the process all the same.
                if empty_default(default) && refused_when_empty(&text, index) {
                    required += 1;
                    continue;
                }
                defaulted += 1;
                let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
                let column = u32::try_from(read.column + 1).unwrap_or(1);
                let (what, severity) = match kind {
                    KeyKind::Secret => ("the secret", Severity::High),
                    _ => ("the endpoint", Severity::Medium),
                };
                let source_line = text.lines().nth(index).unwrap_or_default();
                // A secret's default, or an endpoint with credentials in it, is masked in the
                // message and in the quoted line: it may be a real one.
                // A secret's default is masked whatever its form (a literal, an expression
                // holding one); an endpoint's when it carries credentials.
                let literal = default
                    .strip_prefix('"')
                    .and_then(|d| d.strip_suffix('"'))
                    .unwrap_or(default);
                // Code without a literal (`unwrap_or_default()`, another variable) is shown.
                let has_literal = default.contains(['"', '\'', '`']);
                let masked = ((kind == KeyKind::Secret && has_literal) || literal.contains('@'))
                    .then(|| harden_model::Secret::new(literal));
                let shown_default = masked
                    .as_ref()
                    .map_or_else(|| crate::support::shown_text(default), ToString::to_string);
                let snippet = masked.as_ref().map_or_else(
                    || crate::support::shown(source_line.trim()),
                    |secret| harden_model::Redacted::masking(source_line.trim(), secret),
                );
                out.finding(
                    cx.finding(
                        format!(
                            "{what} {} falls back to a default ({shown_default}) when it is not configured: a missing value goes unnoticed",
                            read.key,
                        ),
                        Location::File {
                            path: path.clone(),
                            span: Some(crate::support::point(line, column)),
                            snippet: Some(snippet),
                            logical: None,
                        },
                    )
                    .identity(format!("default:{}", read.key))
                    .severity(severity)
                    .help("read it as required, so the process refuses to start without it (`os.environ[\"X\"]`, `env::var(\"X\")?`, no default in the settings class or schema)")
                    .build(),
                );
            }
        }
        out.add("required reads", required);
        out.add("defaulted reads", defaulted);
        Ok(())
    }
}

/// A default that is no value: `unwrap_or_default()` or an empty string (the readers write a
/// literal default in double quotes, whatever its quotes were).
fn empty_default(default: &str) -> bool {
    matches!(default, "unwrap_or_default()" | "\"\"")
}

/// The name a line assigns to (`let mut password: String =`, `token :=`, `const key =`,
/// `SECRET =`), if it assigns: the identifier before its first `=` that is no comparison or arm.
fn assigned_name(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    let at = (0..bytes.len()).find(|&i| {
        bytes[i] == b'='
            && !matches!(bytes.get(i + 1), Some(b'=' | b'>'))
            && (i == 0 || !matches!(bytes[i - 1], b'=' | b'!' | b'<' | b'>'))
    })?;
    let left = line[..at].trim_end().trim_end_matches(':').trim_end();
    // Without a type annotation (`let x: String`).
    let left = left
        .split_once(':')
        .map_or(left, |(name, _)| name.trim_end());
    let start = left
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |p| p + 1);
    let name = &left[start..];
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

/// Lines after a read where a check of its value counts as the read's own.
const CHECK_REACH: usize = 12;

/// Whether the variable the read at line `index` of `text` is assigned to (`let password =`,
/// `token := ...`, `const key = ...`, a few lines up when the read sits in a `match`) is tested
/// for being empty within the next [`CHECK_REACH`] lines by a statement that stops the process or
/// the call (`ensure!(password.len() >= 8, ...)`, `if token == "" { log.Fatal(...) }`,
/// `if (!key) throw ...`, `if not key: raise ...`).
fn refused_when_empty(text: &str, index: usize) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    let Some(name) = (index.saturating_sub(4)..=index)
        .rev()
        .filter_map(|i| lines.get(i))
        .find_map(|line| assigned_name(line))
    else {
        return false;
    };
    let tests_empty = |line: &str| {
        [
            format!("{name}.is_empty()"),
            format!("{name}.len()"),
            format!("{name} == \"\""),
            format!("{name} === \"\""),
            format!("{name} === ''"),
            format!("len({name})"),
            format!("!{name}"),
            format!("not {name}"),
        ]
        .iter()
        .any(|test| {
            line.match_indices(test.as_str()).any(|(at, _)| {
                // `!name` and `not name` must not be the start of a longer name.
                !line[at + test.len()..]
                    .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
        })
    };
    let refuses = |line: &str| {
        [
            "ensure!",
            "bail!",
            "assert!",
            "panic!",
            "return Err",
            "Err(",
            "exit(",
            "Exit(",
            "Fatal",
            "throw ",
            "raise ",
            "abort",
        ]
        .iter()
        .any(|stop| line.contains(stop))
    };
    (index + 1..lines.len().min(index + 1 + CHECK_REACH)).any(|i| {
        // The statement around the test: `ensure!(` may open the line before it.
        let statement = i.saturating_sub(2).max(index + 1)..lines.len().min(i + 3);
        tests_empty(lines[i]) && statement.into_iter().any(|j| refuses(lines[j]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_default_refused_a_few_lines_on_is_a_required_read() {
        let lldap = "fn main() -> Result<()> {\n    let password = match opts.password {\n        Some(v) => v,\n        None => env::var(\"LLDAP_USER_PASSWORD\").unwrap_or_default(),\n    };\n\n    ensure!(\n        opts.bypass_password_policy || password.len() >= 8,\n        \"too short\"\n    );\n";
        assert!(refused_when_empty(lldap, 3));
        let go = "token := os.Getenv(\"API_TOKEN\")\nif token == \"\" {\n\tlog.Fatal(\"API_TOKEN is required\")\n}\n";
        assert!(refused_when_empty(go, 0));
        let js = "const key = process.env.API_KEY || '';\nif (!key) throw new Error('API_KEY is required');\n";
        assert!(refused_when_empty(js, 0));
        // Tested, but only to skip a feature: the process runs on without it.
        let skipped = "let token = env::var(\"API_TOKEN\").unwrap_or_default();\nif token.is_empty() {\n    info!(\"no token: uploads off\");\n}\n";
        assert!(!refused_when_empty(skipped, 0));
        // Another variable's check is not this one's.
        let other = "let token = env::var(\"API_TOKEN\").unwrap_or_default();\nensure!(!tokens.is_empty(), \"no tokens\");\n";
        assert!(!refused_when_empty(other, 0));
        // Too far on to be the read's own check.
        let far = format!(
            "let token = env::var(\"API_TOKEN\").unwrap_or_default();\n{}ensure!(!token.is_empty(), \"x\");\n",
            "work();\n".repeat(CHECK_REACH + 1)
        );
        assert!(!refused_when_empty(&far, 0));
    }

    #[test]
    fn rust_config_structs_and_set_default() {
        let envy = "#[derive(Deserialize)]\nstruct S {\n    #[serde(rename = \"default_region\")]\n    region: String,\n    #[serde(default)]\n    api_token: String,\n}\nfn load() { envy::from_env::<S>() }\n";
        let reads = rust_config_reads(envy, 100);
        let keys: Vec<&str> = reads.iter().map(|(_, r)| r.key.as_str()).collect();
        assert_eq!(keys, ["api_token"]);
        // The project's own `config` module is no config crate.
        let own = "use crate::config::Config;\n#[derive(Deserialize)]\nstruct Page {\n    #[serde(default)]\n    next_page_token: Option<String>,\n}\n";
        assert!(rust_config_reads(own, 100).is_empty());
        let layered = "let c = config::Config::builder()\n    .set_default(\"db.password\", \"changeme\")?;\n";
        assert_eq!(rust_config_reads(layered, 100)[0].1.key, "db.password");
    }

    #[test]
    fn keys_by_name() {
        for key in [
            "JWT_SECRET",
            "API_KEY",
            "STRIPE_API_KEY",
            "DB_PASSWORD",
            "GITHUB_TOKEN",
            "secret_key",
        ] {
            assert_eq!(key_kind(key), KeyKind::Secret, "{key}");
        }
        for key in ["DATABASE_URL", "REDIS_HOST", "SENTRY_DSN", "api.endpoint"] {
            assert_eq!(key_kind(key), KeyKind::Endpoint, "{key}");
        }
        for key in [
            "TOKEN_TTL",
            "PASSWORD_MIN_LENGTH",
            "LOG_LEVEL",
            "KEY_ID",
            "PORT",
            "RESET_PASSWORD_LOCK_TIME",
            "LANGFUSE_CACHE_API_KEY_TTL_SECONDS",
        ] {
            assert_eq!(key_kind(key), KeyKind::Other, "{key}");
        }
    }

    #[test]
    fn endpoint_defaults_that_matter() {
        assert!(points_nowhere("\"redis://localhost:6379\""));
        assert!(points_nowhere("\"postgres://app:pw@db/app\""));
        for fine in [
            "\"https://gitlab.com\"",
            "\"/static/\"",
            "\"0.0.0.0\"",
            "\"\"",
            "os.environ.get(\"X\")",
        ] {
            assert!(!points_nowhere(fine), "{fine}");
        }
    }

    #[test]
    fn reads_and_their_defaults_per_language() {
        let first = |reads: Vec<Read>| reads.into_iter().next().map(|r| (r.key, r.default));
        assert_eq!(
            first(python_reads(
                "SECRET = os.getenv(\"JWT_SECRET\", \"dev-secret\")"
            )),
            Some(("JWT_SECRET".into(), Some("\"dev-secret\"".into())))
        );
        assert_eq!(
            first(python_reads("url = os.environ[\"DATABASE_URL\"]")),
            Some(("DATABASE_URL".into(), None))
        );
        assert_eq!(
            first(python_reads("dsn = os.environ.get('SENTRY_DSN', None)")),
            Some(("SENTRY_DSN".into(), None))
        );
        assert_eq!(
            first(js_reads(
                "const url = process.env.REDIS_URL || 'redis://localhost:6379';"
            )),
            Some((
                "REDIS_URL".into(),
                Some("\"redis://localhost:6379\"".into())
            ))
        );
        // An empty default in single quotes is written as `""`, what `empty_default` knows.
        let empty = first(js_reads("const key = process.env.API_KEY || '';"));
        assert!(
            empty
                .and_then(|(_, d)| d)
                .is_some_and(|d| empty_default(&d))
        );
        assert_eq!(
            first(js_reads("  JWT_SECRET: str({ default: 'changeme' }),")),
            Some(("JWT_SECRET".into(), Some("\"changeme\"".into())))
        );
        assert_eq!(
            first(go_reads(
                "dsn := getEnv(\"DATABASE_URL\", \"postgres://localhost/app\")"
            )),
            Some((
                "DATABASE_URL".into(),
                Some("\"postgres://localhost/app\"".into())
            ))
        );
        assert!(go_reads("v := os.Getenv(\"DATABASE_URL\")").is_empty());
        assert_eq!(
            first(rust_reads(
                "let key = env::var(\"API_KEY\").unwrap_or_default();"
            )),
            Some(("API_KEY".into(), Some("unwrap_or_default()".into())))
        );
        assert_eq!(
            first(rust_reads("let key = std::env::var(\"API_KEY\")?;")),
            Some(("API_KEY".into(), None))
        );
        assert_eq!(
            first(jvm_reads("@Value(\"${db.url:jdbc:h2:mem:test}\")")),
            Some(("db.url".into(), Some("\"jdbc:h2:mem:test\"".into())))
        );
        let settings = "class Settings(BaseSettings):\n    database_url: str = \"sqlite:///dev.db\"\n    secret_key: str\n\nother: int = 1\n";
        let reads = pydantic_reads(settings);
        assert_eq!(reads.len(), 1);
        assert_eq!(reads[0].1.key, "database_url");
    }
}
