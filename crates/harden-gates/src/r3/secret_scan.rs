//! What the secret gates share: the detector built from `[secrets]`, the baseline, the scan of
//! one text (binary files skipped; large ones read as a stream in bounded chunks), and one
//! finding per distinct secret with every place it was found.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

use harden_engine::{BlobOrigin, GateCx, GateError, GateOutput};
use harden_model::{Location, Redacted, Secret, Span};
use harden_secrets::{Detector, DetectorConfig, Match};
use serde::{Deserialize, Serialize};

use crate::paths::PathRole;

/// Texts up to this size are read whole; larger ones are streamed in chunks of this size, so
/// memory stays bounded whatever a repository, a history or standard input holds.
pub(crate) const CHUNK: usize = 8 * 1024 * 1024;

/// Each chunk is scanned with this much of the previous one in front of it, starting at a line
/// boundary, so a secret across a chunk edge is found whole (once: a match belongs to the
/// chunk its start lies in). Far longer than any secret with its name and the lines the
/// detector looks at around a keyword.
const OVERLAP: usize = 256 * 1024;

/// Bytes before a chunk's own part kept as context for the rules that read the lines above a
/// secret.
const CONTEXT: usize = 16 * 1024;

/// The key under which secrets are digested into fingerprints and baselines.
const DIGEST_KEY: &[u8] = b"R3.secrets";

/// The detector for a `[secrets]` configuration, compiled once per process and configuration.
pub(crate) fn detector(config: &DetectorConfig) -> Result<Arc<Detector>, GateError> {
    harden_secrets::cached(config).map_err(|e| GateError::Failed {
        message: format!("secret rules: {e}"),
        location: None,
    })
}

/// `harden secrets baseline` output: fingerprints of accepted secrets, never their values.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version (1).
    pub version: u32,
    /// One entry per accepted secret.
    pub secrets: Vec<BaselineEntry>,
}

/// One accepted secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// Fingerprint of the finding (gate, first path and a keyed digest of the secret).
    pub fingerprint: String,
    /// Gate that reported it.
    pub gate: String,
    /// The masked secret, for people reading the file.
    pub shown: String,
    /// Where it was, `path:line` (and commit for history findings).
    pub locations: Vec<String>,
}

/// Default baseline path, committed with the repository.
pub const DEFAULT_BASELINE: &str = ".harden-secrets-baseline.json";

/// One secret as found: its digest and what is shown of it, never its value (so it can be
/// kept in the history cache).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Hit {
    key: String,
    rule: String,
    description: String,
    /// The masked secret (`sk_l…(32)#4cc6`).
    shown: String,
    /// ` (base64-encoded)` and the like, or empty.
    encoded: String,
    location: Location,
    commit: Option<(String, String, String)>,
    /// What the file is for when it is not the project's own code (`test code`).
    #[serde(default)]
    role: Option<String>,
    /// Why it may not be a working credential (a failed checksum): reported a step lower.
    #[serde(default)]
    doubt: Option<String>,
    /// Why the credential is public by design (a client key): listed in the evidence, not
    /// reported.
    #[serde(default)]
    public: Option<String>,
    /// The front-end variable it is set in (`NEXT_PUBLIC_STRIPE_KEY`): bundled into the code
    /// every browser downloads.
    #[serde(default)]
    shipped_in: Option<String>,
}

/// What scanning one text came to.
pub(crate) enum Scanned {
    Binary,
    /// Read as a stream, in chunks.
    Large(Vec<Hit>),
    /// Not in the object store: a partial clone (`--filter=blob:none`) leaves blobs out.
    Missing,
    Text(Vec<Hit>),
}

/// What a text is read as: whole, as a stream, or not at all (not in the object store).
pub(crate) enum Input<'a> {
    Bytes(Vec<u8>),
    /// Bytes read once in the run for several gates.
    Shared(std::sync::Arc<Vec<u8>>),
    Stream(Box<dyn std::io::Read + Send + 'a>),
    Missing,
}

/// Scans `bytes` of `path` (or of a blob of the history).
pub(crate) fn scan(
    detector: &Detector,
    path: &str,
    bytes: &[u8],
    origin: Option<&BlobOrigin>,
) -> Scanned {
    if is_binary(bytes) {
        return Scanned::Binary;
    }
    Scanned::Text(hits(detector, path, bytes, origin, 0..usize::MAX, 0))
}

fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8000)].contains(&0)
}

/// Scans a stream chunk by chunk: memory stays at about `CHUNK + OVERLAP` whatever its size.
pub(crate) fn scan_stream(
    detector: &Detector,
    path: &str,
    reader: impl std::io::Read,
    origin: Option<&BlobOrigin>,
) -> Result<Scanned, std::io::Error> {
    scan_chunks(detector, path, reader, origin, CHUNK, OVERLAP, CONTEXT)
}

fn scan_chunks(
    detector: &Detector,
    path: &str,
    mut reader: impl std::io::Read,
    origin: Option<&BlobOrigin>,
    chunk: usize,
    overlap: usize,
    context: usize,
) -> Result<Scanned, std::io::Error> {
    let mut buffer: Vec<u8> = Vec::with_capacity(chunk + overlap);
    let mut lines_before: u32 = 0;
    let mut found = Vec::new();
    let mut first = true;
    // Where this chunk's own part starts: what lies before is context carried over from the
    // previous chunk (a rule may need the line above a secret, as `- name: DB_PASSWORD` above
    // `value: ...`), whose matches that chunk already reported.
    let mut owned_from = 0;
    loop {
        // `take` + `read_to_end` fills the spare capacity without zeroing it again for every
        // short read (a pipe hands out 64 KiB at a time).
        let wanted = chunk;
        let read = std::io::Read::read_to_end(
            &mut std::io::Read::take(&mut reader, wanted as u64),
            &mut buffer,
        )?;
        let eof = read < wanted;
        if first {
            if is_binary(&buffer) {
                return Ok(Scanned::Binary);
            }
            first = false;
        }
        // This chunk owns the matches that start before `boundary`; the rest of it is scanned
        // again, from a line start, at the head of the next chunk.
        let boundary = if eof {
            buffer.len()
        } else {
            let from = buffer.len().saturating_sub(overlap);
            buffer[from..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(from, |i| from + i + 1)
        };
        found.extend(hits(
            detector,
            path,
            &buffer,
            origin,
            owned_from..boundary,
            lines_before,
        ));
        if eof {
            break;
        }
        // Keep some lines before the boundary as context, cut at a line start.
        let context_from = boundary.saturating_sub(context);
        let search_from = context_from.saturating_sub(context);
        let keep_from = buffer[search_from..context_from]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(context_from, |i| search_from + i + 1);
        let newlines = memchr::memchr_iter(b'\n', &buffer[..keep_from]).count();
        lines_before = lines_before.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        buffer.drain(..keep_from);
        owned_from = boundary - keep_from;
    }
    Ok(Scanned::Large(found))
}

/// The secrets of `bytes` that start in `owned`, their lines shifted by `lines_before` (where
/// `bytes` sits in a longer stream).
fn hits(
    detector: &Detector,
    path: &str,
    bytes: &[u8],
    origin: Option<&BlobOrigin>,
    owned: std::ops::Range<usize>,
    lines_before: u32,
) -> Vec<Hit> {
    let mut found = detector.scan(bytes);
    // Most texts hold nothing: their path is not even classified.
    if found.is_empty() {
        return Vec::new();
    }
    let named_role = crate::paths::role(path);
    // A compose file that builds and mounts the working copy is a developer's environment,
    // whatever its name (see `crate::iac::develops_working_copy`).
    let role = if named_role == crate::paths::PathRole::Source
        && crate::classify::is_compose(path)
        && crate::iac::develops_working_copy(path, bytes)
    {
        crate::paths::PathRole::Development
    } else {
        named_role
    };
    // Values in a localisation catalogue are words ("API-Schlüssel"), and generated code holds
    // expressions (`"Password: "+fmt.Sprintf(...)`), not settings: only the rules for a
    // provider's token format speak there, not the secret-named-value ones.
    // Third-party code's settings are its authors' business; a provider's token in it is
    // still reported. (The text is read for markers only when a setting rule spoke.)
    if found.iter().any(|m| judges_a_setting(&m.rule))
        && (matches!(
            role,
            crate::paths::PathRole::Localisation
                | crate::paths::PathRole::Generated
                | crate::paths::PathRole::Vendored
        ) || crate::paths::generated_header(bytes)
            || minified(path, bytes))
    {
        found.retain(|m| !judges_a_setting(&m.rule));
    }
    // Nor do the rules for a credential in a slot (a URL's password, a basic or bearer header)
    // speak in third-party code: minified, a vendored bundle fills those slots with code
    // (`.yarn/releases/yarn-4.8.1.cjs`). A built bundle of the project's own stays judged: the
    // values inlined into it are the project's.
    if role == crate::paths::PathRole::Vendored {
        found.retain(|m| {
            !matches!(
                &*m.rule,
                "url-credentials" | "http-basic-auth" | "http-bearer-token"
            )
        });
    }
    // A default password matters where a deployment reads it (see `deployment_configuration`).
    // Judged by the file's name: one that only its content calls a developer's keeps its weak
    // passwords, reported a step lower (a guess from content may be wrong).
    if found.iter().any(|m| &*m.rule == DEFAULT_PASSWORD)
        && !deployment_configuration(path, named_role)
    {
        found.retain(|m| &*m.rule != DEFAULT_PASSWORD);
    }
    // A UUID under a token name in tests and documentation identifies a record or a session
    // (`Checkout(token="1fa9...")`, `DAGGER_SESSION_TOKEN=6753...`); in source it may be a key.
    if matches!(
        role,
        crate::paths::PathRole::Test | crate::paths::PathRole::Documentation
    ) {
        found.retain(|m| !(is_generic(&m.rule) && uuid(m.secret.expose())));
    }
    // A lockfile is hashes, versions and ranges next to package names (`@datadog/...`,
    // `cloudflare`): a token shows there only in its own format (a registry URL's password,
    // an npm token), never as a value "next to a provider's name".
    if role == crate::paths::PathRole::Lockfile {
        found.retain(|m| !is_generic(&m.rule) && !is_near(&m.rule));
    }
    // Everything this (configured) detector found in the text, each range extended to the end
    // of its token: snippets mask them all, so neither a neighbour, an encoded copy nor the
    // tail of an over-long value shows through.
    let masked: Vec<(usize, usize)> = found
        .iter()
        .map(|m| {
            // A key block's armour line (`-----BEGIN RSA PRIVATE KEY-----`) holds nothing
            // secret and says what was found: the mask starts at the body.
            let start = if bytes[m.start..].starts_with(b"-----BEGIN") {
                bytes[m.start..m.end]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(m.start, |i| m.start + i + 1)
            } else {
                m.start
            };
            (start, token_end(bytes, m.end))
        })
        .collect();
    found
        .into_iter()
        .filter(|m| owned.contains(&m.start))
        .map(|mut m| {
            m.position.line = m.position.line.saturating_add(lines_before);
            m.end_position.line = m.end_position.line.saturating_add(lines_before);
            let location = location(path, bytes, &m, origin, &masked);
            Hit {
                key: m.secret.keyed_digest(DIGEST_KEY),
                rule: m.rule.to_string(),
                description: m.description.to_string(),
                shown: m.secret.to_string(),
                encoded: m
                    .encodings
                    .iter()
                    .flat_map(|e| [" (", e.name(), "-encoded)"])
                    .collect(),
                location,
                role: if role == PathRole::Source
                    && (in_example_block(path, bytes, m.start) || example_comment(bytes, m.start))
                {
                    PathRole::Documentation.label()
                } else if role == PathRole::Source
                    && let Some(environment) = environment_section(path, bytes, m.start)
                {
                    // A settings file's `test:` section is no test code, but the same judgement.
                    if environment == PathRole::Test {
                        Some(TEST_SECTION)
                    } else {
                        environment.label()
                    }
                } else {
                    role.label()
                }
                .map(str::to_owned),
                doubt: m.doubt.map(str::to_owned),
                public: m.public.map(str::to_owned),
                shipped_in: m
                    .encodings
                    .is_empty()
                    .then(|| front_end_variable(&bytes[memchr_rev(bytes, m.start)..m.start]))
                    .flatten(),
                commit: origin.map(|o| {
                    (
                        o.commit.id.clone(),
                        o.commit.author.clone(),
                        o.commit.time.strftime("%Y-%m-%d").to_string(),
                    )
                }),
            }
        })
        .collect()
}

/// Whether a script or style sheet is minified (a bundler's output kept under any name:
/// `docs/swagger/swagger-ui-bundle.js`): its first 64 KiB run in lines of hundreds of bytes on
/// average, one of them at least 1,000 long. There a secret's name is followed by code
/// (`"Password:"),g?x.a.createElement(`), not by a value: as in generated code, only the rules
/// for a provider's token format speak.
fn minified(path: &str, bytes: &[u8]) -> bool {
    let extension = path.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    if !matches!(extension, "js" | "mjs" | "cjs" | "css") {
        return false;
    }
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let mut longest = 0;
    let mut lines = 0;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', head).chain(std::iter::once(head.len())) {
        longest = longest.max(end - start);
        lines += 1;
        start = end + 1;
    }
    longest >= 1_000 && head.len() / lines >= 200
}

/// The rule for a product's default or a weak password (`POSTGRES_PASSWORD: postgres`).
pub(crate) const DEFAULT_PASSWORD: &str = "default-password";

/// Whether `at` is on a comment line that calls what it shows an example (kimai's
/// ` * Example: {"type":"kimai",…,"token":"6ccc…"}` in a class's doc block): documentation in
/// the source, judged as a document's example is. The comment marker starts the line and is
/// followed by a space (not `--password`, not `#define`); "example", "for example" or "e.g."
/// is a word among the first 80 bytes after it (not `api.example.com`, not "counterexample").
/// A line longer than 400 bytes before the value is no comment of this kind (a minified
/// bundle's `/*! licence */` first line).
fn example_comment(bytes: &[u8], at: usize) -> bool {
    let from = at.saturating_sub(400);
    match memchr::memrchr(b'\n', &bytes[from..at]) {
        Some(i) => example_comment_line(&bytes[from + i + 1..at]),
        None if from == 0 => example_comment_line(&bytes[..at]),
        None => false,
    }
}

fn example_comment_line(line: &[u8]) -> bool {
    let line = line.trim_ascii_start();
    let Some(rest) = ["/**", "/*", "*", "//", "#", "--", "<!--"]
        .iter()
        .find_map(|marker| line.strip_prefix(marker.as_bytes()))
    else {
        return false;
    };
    if !rest.first().is_some_and(u8::is_ascii_whitespace) {
        return false;
    }
    let head = rest[..rest.len().min(80)].to_ascii_lowercase();
    head.split(|b| !(b.is_ascii_alphabetic() || *b == b'.'))
        .any(|word| matches!(word, b"example" | b"example." | b"e.g." | b"eg."))
}

/// Whether `at` lies inside a `<pre>` or `<code>` element of an HTML template: an example the
/// page shows, as a document would (wallabag's in-app API how-to prints an OAuth client secret
/// and tokens in one).
fn in_example_block(path: &str, bytes: &[u8], at: usize) -> bool {
    let extension = path
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    if !matches!(
        extension.as_str(),
        "html"
            | "htm"
            | "twig"
            | "erb"
            | "hbs"
            | "handlebars"
            | "njk"
            | "jinja"
            | "jinja2"
            | "j2"
            | "liquid"
            | "mustache"
            | "vue"
            | "svelte"
    ) {
        return false;
    }
    let before = &bytes[at.saturating_sub(64 << 10)..at];
    ["pre", "code"].iter().any(|name| {
        let open = format!("<{name}");
        let opened = memchr::memmem::rfind_iter(before, open.as_bytes()).find(|&i| {
            before
                .get(i + open.len())
                .is_some_and(|&b| b == b'>' || b.is_ascii_whitespace())
        });
        let closed = memchr::memmem::rfind(before, format!("</{name}>").as_bytes());
        opened.is_some_and(|o| closed.is_none_or(|c| o > c))
    })
}

/// Configuration a deployment reads: Compose files, manifests and values (YAML), `.env`,
/// properties, INI, TOML, HCL and JSON settings, outside tests, documentation, vendored and
/// generated code. Not source code (a test double's password), not CI pipelines (a throwaway
/// database beside the job), not a developer's own environment (`docker-compose.dev.yml`,
/// `.devcontainer/`), and not what is named an example or a template (`.env.example`,
/// `values.sample.yaml`), whose values are there to be replaced.
fn deployment_configuration(path: &str, role: crate::paths::PathRole) -> bool {
    if role != crate::paths::PathRole::Source || harden_formats::pipeline::kind_of(path).is_some() {
        return false;
    }
    // A package manifest configures a build, and its strings are help texts
    // (`populatedb.help = """... - password: admin"""`).
    if matches!(
        crate::classify::FileClass::of(path).kind,
        crate::classify::FileKind::Manifest
    ) || path.ends_with("composer.json")
    {
        return false;
    }
    let lower = path.to_ascii_lowercase();
    let (dirs, name) = lower.rsplit_once('/').unwrap_or(("", &lower));
    let placeholder_word = |w: &str| {
        matches!(
            w,
            "example"
                | "examples"
                | "sample"
                | "samples"
                | "template"
                | "templates"
                | "dist"
                | "demo"
                | "demos"
                | "test"
                | "tests"
                | "testing"
                | "ci"
                | "dev"
                | "development"
                | "local"
                | "e2e"
                | "fixtures"
                | "quickstart"
                | "tutorial"
        )
    };
    // A Helm chart's `templates/` is what gets deployed; a file named a template is not.
    if name.split(['.', '-', '_']).any(placeholder_word)
        || dirs
            .split('/')
            .any(|d| placeholder_word(d) && !matches!(d, "template" | "templates"))
    {
        return false;
    }
    let extension = name.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    crate::r3::envfiles::is_env_file(path)
        || matches!(
            extension,
            "yml"
                | "yaml"
                | "properties"
                | "ini"
                | "conf"
                | "cfg"
                | "cnf"
                | "toml"
                | "tfvars"
                | "tf"
                | "hcl"
                | "json"
                | "env"
        )
}

/// Prefixes of the variables front-end build tools inline into the bundle they ship (Next.js,
/// Vite, Create React App, Expo, Nuxt, Gatsby, SvelteKit/Astro): a server secret in one of them
/// reaches every visitor.
const FRONT_END_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "VITE_",
    "REACT_APP_",
    "EXPO_PUBLIC_",
    "NUXT_PUBLIC_",
    "GATSBY_",
    "PUBLIC_",
];

/// The front-end variable a value on this line is assigned to, from the text before it on its
/// line (`NEXT_PUBLIC_STRIPE_SECRET=`, `VITE_API_KEY: "`).
fn front_end_variable(before: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(before).ok()?;
    let name = text
        .trim_end_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace())
        .strip_suffix(['=', ':'])?
        .trim_end_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace());
    // The name is the run of ASCII word characters at the end; its start is a char boundary
    // whatever precedes it, since ASCII bytes never sit inside a multi-byte character.
    let start = name
        .bytes()
        .rposition(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .map_or(0, |i| i + 1);
    let name = &name[start..];
    FRONT_END_PREFIXES
        .iter()
        .any(|prefix| name.starts_with(prefix) && name.len() > prefix.len())
        .then(|| name.to_owned())
}

/// `8-4-4-4-12` hexadecimal.
fn uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_near(rule: &str) -> bool {
    static NEAR: OnceLock<Vec<&'static str>> = OnceLock::new();
    NEAR.get_or_init(|| {
        harden_secrets::RULES
            .iter()
            .filter(|r| r.near)
            .map(|r| r.id)
            .collect()
    })
    .contains(&rule)
}

/// Whether `rule` finds a value by where it sits rather than by a format of its own: the
/// secret-named-value rules and the slots of a URL's password, a basic or bearer header, a
/// connection string, a `.netrc` entry and a Docker `auth` field. And a JSON Web Token: its
/// format is the application's own, signed with the application's key, not a provider's; in a
/// test it is the session the test logs in with (PocketBase's API tests hold a hundred, signed
/// with its test data's keys), in a document the example it explains.
fn judged_by_context(rule: &str) -> bool {
    is_generic(rule)
        || matches!(
            rule,
            "jwt"
                // A framework's signing key is any random string under its setting's name.
                | "rails-secret-key-base"
                | "phoenix-secret-key-base"
                | "symfony-app-secret"
                | "url-credentials"
                | "http-basic-auth"
                | "http-bearer-token"
                | "connection-string-password"
                | "netrc-password"
                | "docker-config-auth"
        )
}

/// The ids of the built-in rules `keep` selects, listed once into `ids`.
fn built_in_ids(
    ids: &'static OnceLock<Vec<&'static str>>,
    keep: fn(&harden_secrets::Rule) -> bool,
) -> &'static [&'static str] {
    ids.get_or_init(|| {
        harden_secrets::RULES
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.id)
            .collect()
    })
}

/// Where a hit is, for a value in the `test:` section of a settings file (see
/// [`environment_section`]): judged as test code is, said as what it is.
const TEST_SECTION: &str = "the test environment's settings";

/// Whether the URL a finding's masked line shows reaches a service of the CI job itself:
/// `localhost`, a loopback address, or a host of one label (`postgres`, `db`: a service
/// container's name on the job's network), not a server's domain (`db-prod.acme-billing.net`).
fn job_service_url(location: &harden_model::Location) -> bool {
    let harden_model::Location::File {
        snippet: Some(snippet),
        ..
    } = location
    else {
        return false;
    };
    let text = snippet.to_string();
    let Some(at) = text.rfind('@') else {
        return false;
    };
    let host: String = text[at + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    host == "localhost" || host.starts_with("127.") || (!host.is_empty() && !host.contains('.'))
}

/// Whether `rule` is a built-in secret-named-value rule rather than a provider's format.
fn is_generic(rule: &str) -> bool {
    static GENERIC: OnceLock<Vec<&'static str>> = OnceLock::new();
    built_in_ids(&GENERIC, |r| r.generic).contains(&rule)
}

/// The environment a YAML settings file's top-level section names, when the value at `at` is
/// in a `development:` or `test:` section (Rails' `config/secrets.yml` and `database.yml`, which
/// Rails writes with development and test values and reads production's from the environment):
/// development or test settings, as a developer's container or a test suite is.
fn environment_section(path: &str, bytes: &[u8], at: usize) -> Option<PathRole> {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    if !matches!(extension, "yml" | "yaml") {
        return None;
    }
    // The last line before `at` that starts in the first column and is a key alone; the value's
    // own line must be indented under it.
    let before = &bytes[..at.min(bytes.len())];
    let mut lines = before.split(|&b| b == b'\n').rev();
    if !lines.next()?.first().is_some_and(u8::is_ascii_whitespace) {
        return None;
    }
    let section = lines.find(|line| {
        line.first()
            .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'#')
    })?;
    let key = section.trim_ascii_end().strip_suffix(b":")?;
    match key {
        b"development" | b"dev" => Some(PathRole::Development),
        b"test" => Some(PathRole::Test),
        _ => None,
    }
}

/// A rule that judges a setting's value by the setting's name: the generic rules, and the
/// known weak values (`"Password": "Password"` is a word in a translation catalogue).
fn judges_a_setting(rule: &str) -> bool {
    static KNOWN_VALUES: OnceLock<Vec<&'static str>> = OnceLock::new();
    is_generic(rule) || built_in_ids(&KNOWN_VALUES, |r| r.known_values).contains(&rule)
}

/// Where the token containing `end - 1` stops: at white space, a quote or a delimiter.
fn token_end(bytes: &[u8], end: usize) -> usize {
    bytes[end..]
        .iter()
        .position(|b| b.is_ascii_whitespace() || b"\"'`,;&)}]>@".contains(b))
        .map_or(bytes.len(), |i| end + i)
}

/// The line from `start` to `end` with every masked range replaced by its mask.
fn masked_line(bytes: &[u8], start: usize, end: usize, masked: &[(usize, usize)]) -> String {
    let mut ranges: Vec<(usize, usize)> = masked
        .iter()
        .filter(|&&(s, e)| s < end && start < e)
        .map(|&(s, e)| (s.max(start), e.min(end)))
        .collect();
    ranges.sort_unstable();
    let mut out = String::new();
    let mut at = start;
    for (s, e) in ranges {
        if e <= at {
            continue;
        }
        let s = s.max(at);
        out.push_str(&harden_engine::lossy_text(&bytes[at..s]));
        out.push_str(&Secret::new(harden_engine::lossy_text(&bytes[s..e])).to_string());
        at = e;
    }
    out.push_str(&harden_engine::lossy_text(&bytes[at..end]));
    out
}

fn location(
    path: &str,
    bytes: &[u8],
    found: &Match,
    origin: Option<&BlobOrigin>,
    masked: &[(usize, usize)],
) -> Location {
    let line_start = memchr_rev(bytes, found.start);
    let line_end = bytes[found.start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| found.start + i);
    // Masked by range first (this detector's own matches), then by the built-in rules and
    // URL-credential masking as a second net, and only then cut.
    let masked = crate::support::shown_text(&masked_line(bytes, line_start, line_end, masked));
    let mut snippet: String = masked.trim().chars().take(200).collect();
    if masked.trim().chars().count() > 200 {
        snippet.push('…');
    }
    let span = Some(Span {
        start: found.position,
        end: found.end_position,
    });
    let snippet = Some(Redacted::known_safe(snippet));
    match origin {
        Some(origin) => Location::Commit {
            commit: origin.commit.id.clone(),
            path: path.to_owned(),
            span,
            snippet,
        },
        None => Location::File {
            path: path.to_owned(),
            span,
            snippet,
            logical: Some(found.rule.to_string()),
        },
    }
}

fn memchr_rev(bytes: &[u8], at: usize) -> usize {
    bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

/// Every distinct secret found by one gate, with its locations.
pub(crate) struct Findings {
    secrets: BTreeMap<String, (Hit, Vec<Location>)>,
    baseline: BTreeSet<String>,
    allow_paths: Option<globset::GlobSet>,
    binary: u64,
    streamed: u64,
    missing: u64,
    texts: u64,
    ignore_test_code: bool,
    in_test_code: u64,
}

impl Findings {
    /// Reads the baseline and `allow-paths` of `[secrets]`.
    pub(crate) fn new(cx: &GateCx<'_>) -> Result<Self, GateError> {
        let config = &cx.config().secrets;
        let path = config.baseline.as_deref().unwrap_or(DEFAULT_BASELINE);
        let mut baseline = BTreeSet::new();
        let bytes = if config.ignore_baseline {
            None
        } else if let Some(bytes) = &config.preloaded_baseline {
            Some(bytes.clone())
        } else if cx.repo().is_file(path) {
            Some(cx.repo().read(path)?)
        } else {
            None
        };
        if let Some(bytes) = bytes {
            let parsed: Baseline =
                serde_json::from_slice(&bytes).map_err(|e| GateError::Failed {
                    message: format!(
                        "{path}:{}:{}: not a harden secrets baseline: {e}",
                        e.line(),
                        e.column()
                    ),
                    location: Some(crate::support::file_location(path)),
                })?;
            baseline.extend(parsed.secrets.into_iter().map(|s| s.fingerprint));
        }
        let allow_paths = if config.allow_paths.is_empty() {
            None
        } else {
            Some(harden_engine::glob_set(&config.allow_paths)?)
        };
        Ok(Self {
            secrets: BTreeMap::new(),
            baseline,
            allow_paths,
            binary: 0,
            streamed: 0,
            missing: 0,
            ignore_test_code: config.ignore_test_code,
            in_test_code: 0,
            texts: 0,
        })
    }

    /// Blobs the object store did not have.
    pub(crate) fn missing(&self) -> u64 {
        self.missing
    }

    /// Whether `[secrets] allow-paths` leaves `path` out.
    pub(crate) fn allowed_path(&self, path: &str) -> bool {
        self.allow_paths
            .as_ref()
            .is_some_and(|set| set.is_match(path))
    }

    pub(crate) fn add(&mut self, scanned: Scanned) {
        let scanned_kind = if matches!(scanned, Scanned::Large(_)) {
            Kind::Large
        } else {
            Kind::Other
        };
        match scanned {
            Scanned::Binary => self.binary += 1,
            Scanned::Missing => self.missing += 1,
            Scanned::Large(hits) | Scanned::Text(hits) => {
                if matches!(scanned_kind, Kind::Large) {
                    self.streamed += 1;
                }
                self.texts += 1;
                for hit in hits {
                    // `[secrets] test-code = "ignore"`: counted, not reported.
                    if self.ignore_test_code
                        && (hit.role.as_deref() == PathRole::Test.label()
                            || hit.role.as_deref() == Some(TEST_SECTION))
                    {
                        self.in_test_code += 1;
                        continue;
                    }
                    match self.secrets.entry(hit.key.clone()) {
                        std::collections::btree_map::Entry::Vacant(entry) => {
                            let location = hit.location.clone();
                            entry.insert((hit, vec![location]));
                        }
                        // The same secret in the project's own code and in a test or a
                        // document is the project's: that place leads, and the role with it.
                        // The commit that introduced the secret (history) stays the first one's.
                        std::collections::btree_map::Entry::Occupied(mut entry) => {
                            let (first, locations) = entry.get_mut();
                            if hit.role.is_none() && first.role.is_some() {
                                locations.insert(0, hit.location.clone());
                                let introduced = first.commit.take();
                                *first = Hit {
                                    commit: introduced,
                                    ..hit
                                };
                            } else {
                                locations.push(hit.location);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Counts and findings, one per distinct secret not in the baseline.
    pub(crate) fn report(self, cx: &GateCx<'_>, out: &mut GateOutput, texts: &str) {
        out.examined(texts, self.texts);
        out.count("binary files skipped", self.binary);
        if self.ignore_test_code {
            out.count("in test code, ignored", self.in_test_code);
        }
        out.count("large files read in chunks", self.streamed);
        if self.missing > 0 {
            out.count("blobs missing", self.missing);
        }
        let mut baselined = 0;
        let mut reported = 0;
        let mut client_keys = Vec::new();
        for (key, (hit, mut locations)) in self.secrets {
            if let Some(why) = &hit.public {
                // Meant to ship in client code: listed where it is, no finding (nothing leaked,
                // nothing to rotate).
                client_keys.push(format!(
                    "{} {} at {} ({why})",
                    hit.description,
                    hit.shown,
                    locations[0].short()
                ));
                continue;
            }
            let primary = locations.remove(0);
            let places = locations.len() + 1;
            let encoded = &hit.encoded;
            // A CI job's own settings for the application it tests (`APP_KEY`, `JWT_SECRET` in
            // `env:`) are most often made for the test run. Only a secret-named value with no
            // format of its own, and only where no place it is set is the project's own code or
            // configuration but CI's (koel's `APP_KEY` is also in its PHPUnit configuration,
            // test code): a provider's token format (a Codecov or npm token) and a URL's or
            // connection string's credentials reach a real service, unless the URL names a
            // service of the job itself (fider's `postgres://fider_ci:…@postgres:5432`, a
            // service container's name); and a value also in production configuration is that
            // configuration's.
            let set_by_ci = hit.role.is_none()
                && (is_generic(&hit.rule)
                    || (judged_by_context(&hit.rule) && job_service_url(&primary)))
                && std::iter::once(&primary).chain(&locations).all(|l| {
                    l.path().is_some_and(|path| {
                        crate::paths::ci_configuration(path)
                            || crate::paths::role(path) != crate::paths::PathRole::Source
                    })
                });
            let role = match &hit.role {
                Some(role) => format!(" in {role}"),
                None if set_by_ci => " in CI configuration".to_owned(),
                None => String::new(),
            };
            let introduced = hit
                .commit
                .as_ref()
                .map(|(id, author, date)| {
                    format!(
                        ", introduced in {} by {author} on {date}",
                        &id[..id.len().min(12)]
                    )
                })
                .unwrap_or_default();
            let mut finding = cx
                .finding(
                    format!(
                        "{} {}{encoded}{role}{introduced}{}{}",
                        hit.description,
                        hit.shown,
                        if places > 1 { format!(" in {places} places") } else { String::new() },
                        hit.doubt.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
                    ) + &hit
                        .shipped_in
                        .as_deref()
                        .map(|name| format!(", set in the front-end variable {name}: bundled into the code every browser downloads"))
                        .unwrap_or_default(),
                    primary,
                )
                .identity(&key)
                .help(if hit.rule == DEFAULT_PASSWORD {
                    format!(
                        "rule {}: a default or common password is the first one an attacker tries; set a generated one from a secret store at deploy time",
                        hit.rule
                    )
                } else {
                    format!(
                        "rule {}: revoke and rotate it now, then remove it and load it from a secret store at runtime",
                        hit.rule
                    )
                });
            if hit.rule == DEFAULT_PASSWORD {
                // Known rather than leaked: weak, but no credential of value is exposed.
                finding = finding.severity(harden_model::Severity::High);
            }
            // Where a value sits says how likely it is a live credential of this project's:
            // medium, with the fix that place calls for.
            let role = hit.role.as_deref();
            let likely = if role == PathRole::Documentation.label() && judged_by_context(&hit.rule)
            {
                // A value a document sets beside a secret's name, with no format of its own,
                // is most often the example it illustrates (a database password in an install
                // guide); a provider's token format is not, and stays critical.
                Some(
                    "most likely an example; if it was ever a real credential, rotate it, and write a placeholder (`<password>`) in the document instead",
                )
            } else if role == PathRole::Development.label()
                && (judged_by_context(&hit.rule) || hit.rule == DEFAULT_PASSWORD)
            {
                // A developer's own environment: a compose file for local work, the
                // development section of Rails' settings. (A weak password reaches here only
                // from a file judged a developer's by its content, not its name.)
                Some(
                    "most likely a value of a developer's local environment; if it is used anywhere else, rotate it and read it from the environment there",
                )
            } else if (role == PathRole::Test.label() || role == Some(TEST_SECTION))
                && judged_by_context(&hit.rule)
            {
                // The same for a test's own values: the password a test logs its user in with
                // (paperless-ngx's API tests) is the fixture it needs, not a leak; a provider's
                // token format in a test may be a real one pasted in, and stays critical.
                Some(
                    "most likely the test's own value; if it was ever a real credential, rotate it, and let the test make its value up at run time",
                )
            } else if role == PathRole::Vendored.label() {
                // A dependency's own file (miniflux's history vendored golang.org/x/crypto and
                // its test keys): not this project's credential to rotate, and published by
                // the dependency already.
                Some(
                    "a file of a vendored dependency, most likely its test data; if it is a live credential, tell that project's maintainers, and update or drop the copy",
                )
            } else if set_by_ci {
                Some(
                    "set by a CI job, most likely for the tests it runs; if it is a credential of a real system, rotate it and read it from the CI service's secret store instead",
                )
            } else {
                None
            };
            if let Some(why) = likely {
                finding = finding
                    .severity(harden_model::Severity::Medium)
                    .help(format!("rule {}: {why}", hit.rule));
            }
            if hit.doubt.is_some() {
                // Exposure all the same, but maybe not a working credential: a step lower.
                finding = finding.severity(harden_model::Severity::Medium);
            }
            for other in locations.into_iter().take(50) {
                finding = finding.related(other);
            }
            let finding = finding.build();
            if self.baseline.contains(&finding.fingerprint.to_string()) {
                baselined += 1;
                continue;
            }
            reported += 1;
            out.finding(finding);
        }
        out.count("secrets", reported);
        out.count("baselined", baselined);
        if !client_keys.is_empty() {
            out.count("client keys, public by design", client_keys.len() as u64);
            out.fact("client keys, public by design", client_keys.join("; "));
        }
    }
}

/// Whether a text was streamed, for the counts.
enum Kind {
    Large,
    Other,
}

/// Scans many texts on all cores; `read` fetches one (file or blob) by index, whole or as a
/// stream.
/// Items scanned between two progress reports.
const PROGRESS_EVERY: usize = 256;

pub(crate) fn scan_all<'a, 'r, T: Sync>(
    cx: &GateCx<'_>,
    detector: &Detector,
    items: &[T],
    noun: &str,
    name: impl Fn(&T) -> (&'a str, Option<&'a BlobOrigin>) + Sync,
    read: impl Fn(&T) -> Result<Input<'r>, harden_engine::PortError> + Sync,
) -> Result<Vec<Scanned>, GateError> {
    use rayon::prelude::*;
    let scanned = std::sync::atomic::AtomicUsize::new(0);
    let total = items.len();
    items
        .par_iter()
        .map(|item| {
            let done = scanned.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if done.is_multiple_of(PROGRESS_EVERY) {
                cx.progress(&format!("{done} of {total} {noun} scanned"));
            }
            let (path, origin) = name(item);
            // A blob the object store does not have (a partial clone) is counted; any other
            // read error stops the gate.
            Ok(match read(item)? {
                Input::Missing => Scanned::Missing,
                Input::Bytes(bytes) => scan(detector, path, &bytes, origin),
                Input::Shared(bytes) => scan(detector, path, &bytes, origin),
                Input::Stream(reader) => scan_stream(detector, path, reader, origin)
                    .map_err(|e| harden_engine::PortError::at(path, e))?,
            })
        })
        .collect()
}

/// How to read a file of the working tree: whole up to [`CHUNK`], as a stream beyond (or when
/// its size is not known, as for standard input).
pub(crate) fn read_file<'r>(
    repo: &'r dyn harden_engine::RepoView,
    path: &str,
) -> Result<Input<'r>, harden_engine::PortError> {
    match repo.read_at_most(path, CHUNK as u64)? {
        harden_engine::Bounded::Whole(bytes) => Ok(Input::Bytes(bytes)),
        harden_engine::Bounded::Unread { .. } => Ok(Input::Stream(repo.open(path)?)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_value_set_in_a_front_end_variable_is_named() {
        for (before, name) in [
            (
                "NEXT_PUBLIC_STRIPE_SECRET=",
                Some("NEXT_PUBLIC_STRIPE_SECRET"),
            ),
            ("  VITE_API_KEY: \"", Some("VITE_API_KEY")),
            ("export REACT_APP_TOKEN='", Some("REACT_APP_TOKEN")),
            ("STRIPE_SECRET=", None),
            ("PUBLIC_=", None),
            ("const key = ", None),
            ("# VITE_API_KEY is read from ", None),
            ("clé=", None),
            ("パスワード: ", None),
            ("配置 VITE_KEY=", Some("VITE_KEY")),
        ] {
            assert_eq!(
                super::front_end_variable(before.as_bytes()).as_deref(),
                name,
                "{before}"
            );
        }
    }

    use super::*;

    #[test]
    fn a_comment_that_shows_an_example() {
        let text = b"/**\n * Example: {\"token\":\"6ccc2932\"}\n * token: 6ccc2932\n */\n// e.g. key=abc\n$token = \"6ccc2932\"; // example below\n# For example: SECRET=xyz\n";
        let at =
            |needle: &[u8], nth: usize| memchr::memmem::find_iter(text, needle).nth(nth).unwrap();
        assert!(example_comment(text, at(b"6ccc2932", 0)));
        assert!(!example_comment(text, at(b"6ccc2932", 1)));
        assert!(example_comment(text, at(b"abc", 0)));
        // Code, with a comment after it that says "example": not a comment line.
        assert!(!example_comment(text, at(b"6ccc2932", 2)));
        assert!(example_comment(text, at(b"xyz", 0)));
        // A host named example, a shell option, a C macro: no example comment.
        let other = b"# curl https://api.example.com -H 'Bearer qrs'\n--password tuv \\\n#define EXAMPLE_KEY \"wxy\"\n";
        let at = |needle: &[u8]| memchr::memmem::find(other, needle).unwrap();
        assert!(!example_comment(other, at(b"qrs")));
        assert!(!example_comment(other, at(b"tuv")));
        assert!(!example_comment(other, at(b"wxy")));
        // A minified bundle's licence comment runs on for kilobytes before the value.
        let bundle = format!("/*! Example licence */ {} token=\"zzz\"", "a;".repeat(400));
        let bundle = bundle.as_bytes();
        assert!(!example_comment(
            bundle,
            memchr::memmem::find(bundle, b"zzz").unwrap()
        ));
    }

    #[test]
    fn a_rails_settings_file_names_its_environments() {
        let yml = b"development:\n  secret_key_base: abc\n\ntest:\n  # signed cookies\n  secret_key_base: def\n\nproduction:\n  secret_key_base: ghi\ntop: jkl\n";
        let at = |needle: &[u8]| memchr::memmem::find(yml, needle).unwrap();
        let section = |path: &str, needle: &[u8]| environment_section(path, yml, at(needle));
        assert_eq!(
            section("config/secrets.yml", b"abc"),
            Some(PathRole::Development)
        );
        assert_eq!(section("config/secrets.yml", b"def"), Some(PathRole::Test));
        assert_eq!(section("config/secrets.yml", b"ghi"), None);
        assert_eq!(section("config/secrets.yml", b"jkl"), None);
        assert_eq!(section("config/secrets.rb", b"abc"), None);
    }

    // Assembled from parts: harden scans its own sources, which must hold no credential.
    const STRIPE: &str = concat!("sk_live_", "Zq8RkT2vLm5Np9Wx3Yb7Hc4J");

    fn lines_of(scanned: Scanned) -> Vec<u32> {
        match scanned {
            Scanned::Large(hits) | Scanned::Text(hits) => hits
                .iter()
                .map(|h| h.location.span().map_or(0, |s| s.start.line))
                .collect(),
            _ => panic!("not text"),
        }
    }

    /// A secret across a chunk edge is found once, at its line, wherever the edge falls.
    #[test]
    fn chunk_edges_neither_hide_nor_double_a_secret() {
        let detector = Detector::with_config(&DetectorConfig::default()).unwrap();
        let filler = "lorem ipsum dolor sit amet, consectetur adipiscing elit\n";
        for before in 60..80 {
            let mut text = filler.repeat(before);
            text.push_str("stripe_key = \"");
            text.push_str(STRIPE);
            text.push_str("\"\n");
            text.push_str(&filler.repeat(40));
            let expected = u32::try_from(before + 1).unwrap();
            // Chunks of 4 KiB with 1 KiB of overlap: the secret's line crosses an edge for
            // some values of `before`.
            let scanned =
                scan_chunks(&detector, "big.txt", text.as_bytes(), None, 4096, 1024, 512).unwrap();
            assert_eq!(lines_of(scanned), [expected], "{before} lines before");
            let whole = scan(&detector, "big.txt", text.as_bytes(), None);
            assert_eq!(lines_of(whole), [expected]);
        }
    }

    /// A rule that needs the line above the secret still fires when an edge falls between
    /// the two lines.
    #[test]
    fn two_line_secrets_survive_a_chunk_edge() {
        let detector = Detector::with_config(&DetectorConfig::default()).unwrap();
        let filler = "# lorem ipsum dolor sit amet, consectetur adipiscing elit\n";
        let password = concat!("Vq7", "mR2kX9pL4wZ8tB");
        let mut found_across = 0;
        for before in 0..40 {
            let mut text = filler.repeat(60 + before);
            text.push_str("env:\n  - name: DB_PASSWORD\n    value: \"");
            text.push_str(password);
            text.push_str("\"\n");
            text.push_str(&filler.repeat(200));
            let whole = lines_of(scan(&detector, "k8s.yaml", text.as_bytes(), None));
            let chunked = lines_of(
                scan_chunks(
                    &detector,
                    "k8s.yaml",
                    text.as_bytes(),
                    None,
                    4096,
                    1024,
                    512,
                )
                .unwrap(),
            );
            assert_eq!(chunked, whole, "{before} lines before");
            found_across += usize::from(!whole.is_empty());
        }
        assert_eq!(found_across, 40, "the rule fires at every offset");
    }

    #[test]
    fn a_stream_that_starts_binary_is_skipped_after_its_first_chunk() {
        let detector = Detector::with_config(&DetectorConfig::default()).unwrap();
        let mut bytes = vec![0u8; 10_000];
        bytes.extend_from_slice(format!("key = \"{STRIPE}\"").as_bytes());
        let scanned = scan_chunks(&detector, "x.bin", &bytes[..], None, 4096, 1024, 512).unwrap();
        assert!(matches!(scanned, Scanned::Binary));
    }

    /// Hashes and ranges next to provider-named packages in a lockfile are not tokens; a
    /// token in its own format in a lockfile (a registry URL's password) still is.
    #[test]
    fn lockfiles_speak_only_in_token_formats() {
        let detector = Detector::with_config(&DetectorConfig::default()).unwrap();
        let hash = "aa6f2c1d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49";
        let yarn = format!(
            "\"@datadog/browser-core@^4.0.0\":\n  version \"4.17.0\"\n  resolved \"https://registry.yarnpkg.invalid/@datadog/browser-core/-/browser-core-4.17.0.tgz#{hash}\"\n"
        );
        let poetry = "[package.dependencies]\ncryptography = \">=1.3.4rc1,<46.0\"\nsecretstorage = {version = \">=3.2b1beta7\", markers = \"sys_platform == 'linux'\"}\n";
        for (path, text) in [("yarn.lock", yarn.as_str()), ("poetry.lock", poetry)] {
            let found = hits(&detector, path, text.as_bytes(), None, 0..text.len(), 0);
            assert!(
                found.is_empty(),
                "{path}: {:?}",
                found.iter().map(|h| &h.rule).collect::<Vec<_>>()
            );
        }
        // The same hash beside the provider's name in source code is reported.
        let source = format!("DATADOG_APP_KEY = \"{hash}\"\n");
        assert!(
            !hits(
                &detector,
                "config.py",
                source.as_bytes(),
                None,
                0..source.len(),
                0
            )
            .is_empty()
        );
        let with_token = format!("  resolved \"https://ci:{STRIPE}@npm.internal/a.tgz\"\n");
        assert!(
            !hits(
                &detector,
                "yarn.lock",
                with_token.as_bytes(),
                None,
                0..with_token.len(),
                0
            )
            .is_empty()
        );
    }

    /// A product's default password is reported where a deployment reads it, and nowhere
    /// else; a strong value that merely starts like one is not.
    #[test]
    fn default_passwords_are_found_in_deployment_configuration_only() {
        let detector = Detector::with_config(&DetectorConfig::default()).unwrap();
        let rules = |path: &str, text: &str| -> Vec<String> {
            hits(&detector, path, text.as_bytes(), None, 0..text.len(), 0)
                .into_iter()
                .map(|hit| hit.rule)
                .collect()
        };
        let compose = "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: postgres\n";
        let properties = "spring.datasource.password=changeme\n";
        let queue = "      - RABBITMQ_DEFAULT_PASS=guest # the broker's default\n";
        for (path, text) in [
            ("docker-compose.yml", compose),
            ("deploy/k8s/db.yaml", compose),
            ("src/main/resources/application-prod.properties", properties),
            ("compose.yaml", queue),
            (".env.production", "MINIO_ROOT_PASSWORD=minioadmin\n"),
            (
                "config/settings.json",
                "{\n  \"password\": \"admin\",\n  \"port\": 1\n}\n",
            ),
            ("charts/db/templates/secret.yaml", "  password: changeme\n"),
        ] {
            assert_eq!(rules(path, text), ["default-password"], "{path}");
        }
        for (path, text) in [
            // A developer's own containers, CI's throwaway database, examples, tests, docs.
            ("docker-compose.dev.yml", compose),
            (".devcontainer/docker-compose.yml", compose),
            (".github/workflows/test.yml", compose),
            ("examples/stack/docker-compose.yml", compose),
            (".env.example", "MINIO_ROOT_PASSWORD=minioadmin\n"),
            // A patch to an env file (getsentry/self-hosted's optional modifications).
            (
                "optional-modifications/patches/external-kafka/.env.patch",
                "+KAFKA_SECURITY_PROTOCOL=PLAINTEXT\n+# KAFKA_SASL_PASSWORD=password\n",
            ),
            ("tests/fixtures/app.properties", properties),
            ("docs/install.md", compose),
            // A commented-out setting is not in effect; a manifest's help text; a message
            // catalogue's label.
            (
                "config/application-prod.yml",
                "#     key-store-password: password\n",
            ),
            (
                "pyproject.toml",
                "Populates the database:\n- password: admin\n",
            ),
            (
                "src/main/resources/messages.properties",
                "User.password=Password\n",
            ),
            // Code is not configuration.
            ("src/db.py", "POSTGRES_PASSWORD = \"postgres\"\n"),
            // A strong value, a reference, and a longer value that starts like a default.
            (
                "docker-compose.yml",
                "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n",
            ),
            (
                "docker-compose.yml",
                "      POSTGRES_PASSWORD: postgres-prod-2024\n",
            ),
            (
                "docker-compose.yml",
                "      replicas: 2 # POSTGRES_PASSWORD: postgres\n",
            ),
        ] {
            assert!(rules(path, text).is_empty(), "{path}: {text}");
        }
        // A `#` inside a value is part of it: a strong password, reported as a secret.
        let strong = "spring.datasource.password=postgres#Pr0d2024\n";
        assert!(!rules("app.properties", strong).contains(&DEFAULT_PASSWORD.to_owned()));
    }

    /// Settings in vendored and generated code, and UUIDs under token names in tests and
    /// documentation, are not reported; a provider's key in vendored code is.
    #[test]
    fn roles_and_generated_markers_quiet_the_setting_rules() {
        let detector = Detector::with_config(&DetectorConfig::default()).unwrap();
        let found = |path: &str, text: &str| {
            hits(&detector, path, text.as_bytes(), None, 0..text.len(), 0).len()
        };
        let setting = "token = \"evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA\"\n";
        assert_eq!(
            found("vendor/golang.org/x/crypto/acme/acme_test_data.go", setting),
            0
        );
        assert_eq!(found("internal/acme.go", setting), 1);
        let generated = format!(
            "// Code generated by go generate; DO NOT EDIT.\n\npackage template\n\n{setting}"
        );
        assert_eq!(found("internal/template/views.go", &generated), 0);
        let session = "DAGGER_SESSION_TOKEN=67535545-8a3c-4f79-91b1-c532c45ba2ec\n";
        assert_eq!(found("sdk/CONTRIBUTING.md", session), 0);
        assert_eq!(found("tests/api/test_checkout.py", session), 0);
        assert_eq!(found("deploy/session.env", session), 1);
        let key = format!("stripe_key = \"{STRIPE}\"\n");
        assert_eq!(found("vendor/github.com/x/y/client.go", &key), 1);
        // A minified bundle under any name: a bundled library's settings are code and
        // defaults, not the project's; a provider's token in it is still reported.
        let code = "x.a.createElement(\"label\",null,\"Password:\"),g?x.a.createElement(\"code\",null,g):null,";
        let setting = "{password:\"u7Q2mX9pL4vR8tK3wZ6yB1n\"}";
        let bundle = format!("!function(e,t){{{}{setting}}}();\n", code.repeat(40));
        assert_eq!(found("docs/swagger/swagger-ui-bundle.js", &bundle), 0);
        // The same setting in a file of ordinary lines is judged.
        let ordinary = format!("{code}\n{setting}\n");
        assert_eq!(found("docs/swagger/swagger-ui-bundle.js", &ordinary), 1);
        let with_key = format!(
            "!function(e,t){{var k=\"{STRIPE}\";{}}}();\n",
            code.repeat(40)
        );
        assert_eq!(found("public/app.bundle.js", &with_key), 1);
    }
}
