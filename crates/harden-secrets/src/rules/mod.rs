//! The built-in rules, written from the providers' published token formats.
//!
//! Order matters: when two rules match overlapping text, the earlier one claims it, so specific
//! formats come before the generic ones they would also satisfy (a Supabase service key before
//! JWTs, a GCP service-account file before private keys, every provider before the
//! secret-named-assignment rules at the end).

use crate::validate;

mod named;
mod tokens;

/// A check of the text around a keyword occurrence: the text, where the keyword starts and
/// where it ends (see [`Rule::keyword_check`]).
pub type KeywordCheck = fn(&[u8], usize, usize) -> bool;

/// One kind of credential.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable id (`github-pat`).
    pub id: &'static str,
    /// What it finds.
    pub description: &'static str,
    /// Literal strings one of which must occur for the rule to run (case-insensitive); the
    /// pattern is only tried on the lines around an occurrence.
    pub keywords: &'static [&'static str],
    /// The pattern; the secret is the first capture group that took part in the match (or the
    /// whole match without groups).
    pub pattern: &'static str,
    /// Reject matches whose secret has less entropy (bits per character).
    pub min_entropy: Option<f64>,
    /// A format check the secret must pass.
    pub validator: Option<fn(&str) -> bool>,
    /// The match spans lines (key blocks): search up to 64 KiB after a keyword, not one line.
    pub multiline: bool,
    /// The secret has no form of its own and is recognised by the provider's name before it:
    /// a value right after `/` is part of a path or URL (a commit id in a link), not it.
    pub near: bool,
    /// A secret-named-setting rule: judged by the setting's name (`name` group), so sample
    /// values (`test-key-1`), file-like names and values a format rule refused are dropped.
    pub generic: bool,
    /// Lines after the keyword's line that a match may reach (a YAML `name:`/`value:` pair).
    pub following_lines: u8,
    /// Words that, as a whole segment of the capture group named `name` (the setting's name,
    /// split at `_`, `.`, `-` and lower-to-upper case changes), mean the value is not a secret
    /// (`token_url`, `passwordHash`); `account_token` is not `count`.
    pub ignore_names: &'static [&'static str],
    /// The validator is a checksum: a value it refuses is a truncated or altered token, which is
    /// still exposure, reported with that doubt instead of dropped.
    pub checksum: bool,
    /// Fires only on a value its validator knows (a vendor's default password): the
    /// placeholder judgement, which drops exactly such words, does not apply.
    pub known_values: bool,
    /// A check of the text around a keyword occurrence (the text, where the keyword starts and
    /// where it ends) that every match of the pattern passes at one of the keyword occurrences
    /// inside it: an occurrence that fails it opens no window. For keywords common in ordinary
    /// text (`pat` in every `path`, `://` in every URL, `token` in every tokenizer), where most
    /// windows would be searched for nothing.
    pub keyword_check: Option<KeywordCheck>,
    /// The credential is public by design, and why: a client key the provider expects in the
    /// code every browser or app downloads (a Sentry DSN's public key). Still found, so that a
    /// team can see where its keys are; the gates list it in their evidence rather than report
    /// it: nothing leaked, nothing to rotate.
    pub public: Option<&'static str>,
}

const fn rule(
    id: &'static str,
    description: &'static str,
    keywords: &'static [&'static str],
    pattern: &'static str,
) -> Rule {
    Rule {
        id,
        description,
        keywords,
        pattern,
        min_entropy: None,
        validator: None,
        multiline: false,
        near: false,
        generic: false,
        following_lines: 0,
        ignore_names: &[],
        checksum: false,
        known_values: false,
        keyword_check: None,
        public: None,
    }
}

/// After an Airtable `pat`: fourteen letters or digits, then `.` (the token's id and secret
/// halves). `path`, `pattern` and `patch` fail at once.
fn airtable_shape(text: &[u8], _start: usize, at: usize) -> bool {
    text.get(at..at + 15)
        .is_some_and(|after| after[..14].iter().all(u8::is_ascii_alphanumeric) && after[14] == b'.')
}

/// After a URL's `://`: the pattern's user and password reach its `@` with no white space,
/// quote, bracket or `/` between (at most 64 + 1 + 128 bytes), so the first of those or `@`
/// must be `@`. Most URLs (`https://host/path`) meet `/` or a quote first.
fn credentials_follow(text: &[u8], _start: usize, at: usize) -> bool {
    let rest = &text[at.min(text.len())..];
    rest.iter()
        .take(194)
        .find(|&&b| {
            b == b'@'
                || b == b'/'
                || b.is_ascii_whitespace()
                || matches!(b, b'\'' | b'"' | b'`' | b'[' | b']')
        })
        .is_some_and(|&b| b == b'@')
}

/// Bytes a setting's name is made of: the `name` group's class (`[a-z0-9_.-]`, either case).
/// What a name rule puts between a name and its value (`:`, `=`, a quote, a blank, `>`, a line
/// break) is none of them, so where a maximal run of them ends is where every match's name ends.
fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// How far a check reads: a single-line rule's window reaches this far past its keyword
/// (the detector's `LINE_REACH`), so no match ends further.
const CHECK_REACH: usize = 1024;

/// The text after the setting's name the keyword at `at` belongs to (from the first byte that
/// cannot be part of a name), within reach.
fn after_name(text: &[u8], at: usize) -> Option<&[u8]> {
    let rest = &text[at.min(text.len())..];
    let rest = &rest[..rest.len().min(CHECK_REACH)];
    let end = rest.iter().position(|&b| !name_byte(b))?;
    Some(&rest[end..])
}

/// `rest` without up to `most` leading quotes or brackets out of `set`, and whether a quote
/// was among them.
fn strip_quotes<'a>(mut rest: &'a [u8], most: usize, set: &[u8]) -> (&'a [u8], bool) {
    let mut quoted = false;
    for _ in 0..most {
        match rest.first() {
            Some(b) if set.contains(b) => {
                quoted |= matches!(b, b'"' | b'\'');
                rest = &rest[1..];
            }
            _ => break,
        }
    }
    (rest, quoted)
}

/// `rest` without leading blanks (space, tab).
fn strip_blanks(rest: &[u8]) -> &[u8] {
    let blanks = rest
        .iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t'))
        .count();
    &rest[blanks..]
}

/// `name = "…"`, `name: "…"`, `name := "…"`, `name ??= "…"`, `"name": "…"`, `name: &str = "…"`,
/// `["name"] = "…"`, `"name" value="…"` (generic-secret-assignment): after the name, up to two
/// quotes or brackets, blanks, then `:` `=` `?` `|`, or a quote's `value`.
fn assignment_follows(text: &[u8], _start: usize, end: usize) -> bool {
    let Some(rest) = after_name(text, end) else {
        return false;
    };
    let (rest, quoted) = strip_quotes(rest, 2, b"\"']");
    match strip_blanks(rest).first() {
        Some(b':' | b'=' | b'?' | b'|') => true,
        Some(b'v' | b'V') => quoted,
        _ => false,
    }
}

/// `("name", "…")` (generic-secret-argument): a quote right after the name, blanks, a comma.
fn argument_follows(text: &[u8], _start: usize, end: usize) -> bool {
    after_name(text, end).is_some_and(|rest| {
        matches!(rest.first(), Some(b'"' | b'\''))
            && strip_blanks(&rest[1..]).first() == Some(&b',')
    })
}

/// `NAME=…`, `name: …` (generic-secret-line; secret-setting-in-text): blanks, then `:` or `=`.
fn line_setting_follows(text: &[u8], _start: usize, end: usize) -> bool {
    after_name(text, end)
        .is_some_and(|rest| matches!(strip_blanks(rest).first(), Some(b':' | b'=')))
}

/// `name=…` inside a line (generic-secret-pair): `=` right after the name.
fn pair_follows(text: &[u8], _start: usize, end: usize) -> bool {
    after_name(text, end).is_some_and(|rest| rest.first() == Some(&b'='))
}

/// `- name: NAME` then `value: …` on the next line (kubernetes-env-secret): an optional quote,
/// then the line ends.
fn env_list_name_follows(text: &[u8], _start: usize, end: usize) -> bool {
    after_name(text, end).is_some_and(|rest| {
        let (rest, _) = strip_quotes(rest, 1, b"\"'");
        let blanks = rest
            .iter()
            .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\r' | b'\x0B' | b'\x0C'))
            .count();
        rest.get(blanks) == Some(&b'\n')
    })
}

/// `<name>…</` (xml-element-secret): `>` right after the name.
fn element_follows(text: &[u8], _start: usize, end: usize) -> bool {
    after_name(text, end).is_some_and(|rest| rest.first() == Some(&b'>'))
}

/// A name that ends in the keyword `key` (generic-key-assignment): `db_key`, `cosmos.key` or
/// `cosmosDbKey` before it, then up to two quotes or brackets, white space and `:` or `=`, or a
/// quote and `,`. `monkey`, `keys`, `key_id` and `key)` fail.
fn key_name_ends(text: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| text[i]);
    let joined = match before {
        Some(b'_' | b'.' | b'-') => true,
        Some(b) => b.is_ascii_alphanumeric() && text[start] == b'K',
        None => false,
    };
    if !joined {
        return false;
    }
    let rest = &text[end.min(text.len())..];
    let rest = &rest[..rest.len().min(CHECK_REACH)];
    let (rest, quoted) = strip_quotes(rest, 2, b"\"']");
    let blanks = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
    match rest.get(blanks) {
        Some(b':' | b'=') => true,
        Some(b',') => quoted,
        _ => false,
    }
}

/// A command-line flag (cli-secret-argument): the name ends in the keyword (`--password`,
/// `--api-key`, `-credentials`) and starts with `-` (`--db-password`), then `=`, white space or
/// a quote follows. `-u ` and `--user` are flags already. Prose (`the token is`) fails.
fn flag_follows(text: &[u8], start: usize, end: usize) -> bool {
    if text[start] == b'-' {
        return true;
    }
    let flag_byte = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-';
    let run = text[start.saturating_sub(CHECK_REACH)..start]
        .iter()
        .rev()
        .take_while(|b| flag_byte(b))
        .count();
    if run == 0 || text[start - run] != b'-' {
        return false;
    }
    let mut rest = &text[end.min(text.len())..];
    if rest.first().is_some_and(|b| b.eq_ignore_ascii_case(&b's')) {
        rest = &rest[1..];
    }
    matches!(rest.first(), Some(b'=' | b'"' | b'\''))
        || rest.first().is_some_and(u8::is_ascii_whitespace)
}

/// A `.netrc` entry's first word (netrc-password): only blanks before it on its line, and
/// `machine` (in lower case, as the pattern has it) followed by white space. `state machine`
/// and `Machine learning` in prose and code fail, and spare the rule's 64 KiB windows.
fn netrc_entry_starts(text: &[u8], start: usize, end: usize) -> bool {
    let indent = text[start.saturating_sub(CHECK_REACH)..start]
        .iter()
        .rev()
        .take_while(|&&b| b != b'\n')
        .all(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\x0B' | b'\x0C'));
    let word = &text[start..end];
    if !word.eq_ignore_ascii_case(b"machine") {
        // `default login`.
        return indent;
    }
    indent && word == b"machine" && text.get(end).is_some_and(u8::is_ascii_whitespace)
}

/// After a provider's name (a rule that finds a key near it): a value of at least `LEN`
/// letters, digits, `_` or `-` in a row begins within `REACH` bytes, on the same line. Every
/// match of the rules it is given to holds one (`nrel` and 40 letters and digits within 40
/// bytes); prose and code that only name the provider (`probably`, `unrelated`,
/// `bot.send(...)`) have none.
fn value_follows<const REACH: usize, const LEN: usize>(
    text: &[u8],
    _start: usize,
    end: usize,
) -> bool {
    let region = &text[end.min(text.len())..(end + REACH + LEN).min(text.len())];
    let line = memchr::memchr(b'\n', region).map_or(region, |at| &region[..at]);
    let mut run = 0;
    line.iter().any(|&b| {
        run = if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-') {
            run + 1
        } else {
            0
        };
        run >= LEN
    })
}

/// Names of settings that hold something about a secret, not the secret.
const NOT_SECRET_NAMES: &[&str] = &[
    "hash",
    "digest",
    "checksum",
    "sha1",
    "sha256",
    "md5",
    "uuid",
    "url",
    "uri",
    "endpoint",
    "path",
    "file",
    "dir",
    "type",
    "length",
    "count",
    "policy",
    "format",
    "regex",
    "pattern",
    "field",
    "header",
    "param",
    "prefix",
    "label",
    "version",
    "expiry",
    "expires",
    "expiration",
    "ttl",
    "public",
    "name",
    "placeholder",
    "example",
    "variable",
    "ref",
    "arn",
    "location",
    "id",
    "publishable",
    // Values named as not working: test fixtures of failure paths.
    "invalid",
    "wrong",
    "bogus",
    "fake",
    "dummy",
    "mock",
    // Anti-forgery tokens are handed to every visitor of a page: not credentials.
    "csrf",
    "xsrf",
    "authenticity",
];

const fn generic(rule: Rule) -> Rule {
    Rule {
        generic: true,
        ignore_names: NOT_SECRET_NAMES,
        ..rule
    }
}

/// A rule whose secret has no distinctive prefix, so it is only recognised next to the
/// provider's name (`DATADOG_API_KEY=...`); it must also look random.
const fn near(
    id: &'static str,
    description: &'static str,
    keywords: &'static [&'static str],
    pattern: &'static str,
) -> Rule {
    Rule {
        min_entropy: Some(3.0),
        validator: Some(validate::mixed_letters_and_digits),
        near: true,
        ..rule(id, description, keywords, pattern)
    }
}

const fn checked(rule: Rule, validator: fn(&str) -> bool) -> Rule {
    Rule {
        validator: Some(validator),
        ..rule
    }
}

/// A rule whose tokens carry a checksum (`validator`): a failing one is reported as doubtful.
const fn checksummed(rule: Rule, validator: fn(&str) -> bool) -> Rule {
    Rule {
        validator: Some(validator),
        checksum: true,
        ..rule
    }
}

/// A rule whose windows open only at keywords around which `check` holds (see
/// [`Rule::keyword_check`]).
const fn opened_by(rule: Rule, check: KeywordCheck) -> Rule {
    Rule {
        keyword_check: Some(check),
        ..rule
    }
}

const fn public(rule: Rule, why: &'static str) -> Rule {
    Rule {
        public: Some(why),
        ..rule
    }
}

const fn entropy(rule: Rule, bits: f64) -> Rule {
    Rule {
        min_entropy: Some(bits),
        ..rule
    }
}

const fn multiline(rule: Rule) -> Rule {
    Rule {
        multiline: true,
        ..rule
    }
}

/// The name of a setting that holds a secret, as a capture group `name` (case-insensitive).
macro_rules! secret_name {
    () => {
        // Either a name that ends in a short word (`DB_PASS`, `smtp_pw`, `redis_auth`), or a
        // name that contains one of the long ones anywhere (`dbPasswordProd`, `API_KEY_V2`).
        r"(?P<name>[a-z0-9_.-]*(?:(?:[_.-]|\b)(?:pass|pw|auth)|(?:password|passphrase|passwd|pwd|secret|token|api[_.-]?key|apikey|access[_.-]?key|private[_.-]?key|auth[_.-]?key|credentials?|signing[_.-]?key|encryption[_.-]?key|master[_.-]?key|account[_.-]?key|azure[a-z0-9_.-]*key|app[_.-]?key|client[_.-]?key|license[_.-]?key|(?:\b|[_.-])salt(?:\b|[_.-]))[a-z0-9_.-]*))"
    };
}

/// Literals one of which a secret-named setting contains.
const GENERIC_KEYWORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "api-key",
    "api.key",
    "access_key",
    "accesskey",
    "access.key",
    "private_key",
    "privatekey",
    "auth_key",
    "authkey",
    "credential",
    "signing",
    "encryption",
    "master_key",
    "masterkey",
    "account_key",
    "accountkey",
    "app_key",
    "appkey",
    "client_key",
    "license",
    "salt",
    "azure",
    "pass",
    "_pw",
    "-pw",
    ".pw",
    "auth",
    "passphrase",
];

/// Every built-in rule, in the order they claim text: the first providers, then the tokens
/// with a prefix of their own ([`tokens`]), then keys recognised next to their provider's name
/// ([`named`]), then keys, URLs and secret-named settings.
pub static RULES: &[Rule] = &ALL;

static ALL: [Rule; count(PARTS)] = join(PARTS);

const PARTS: &[&[Rule]] = &[PROVIDERS, tokens::TOKENS, named::NAMED, GENERAL];

/// A placeholder for [`join`] to fill.
const NONE: Rule = rule("", "", &[], "");

const fn count(parts: &[&[Rule]]) -> usize {
    let mut total = 0;
    let mut i = 0;
    while i < parts.len() {
        total += parts[i].len();
        i += 1;
    }
    total
}

/// The parts, one after another, as one array: built at compile time, so the order (which
/// rule claims a span first) is fixed in one place.
const fn join<const N: usize>(parts: &[&[Rule]]) -> [Rule; N] {
    let mut all = [NONE; N];
    let mut at = 0;
    let mut i = 0;
    while i < parts.len() {
        let mut j = 0;
        while j < parts[i].len() {
            all[at] = parts[i][j];
            at += 1;
            j += 1;
        }
        i += 1;
    }
    all
}

/// The first providers' rules.
const PROVIDERS: &[Rule] = &[
    // ---- Cloud providers -------------------------------------------------------------------
    rule(
        "aws-access-key-id",
        "AWS access key id",
        &["akia", "asia", "abia", "acca", "a3t"],
        r"\b((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})\b",
    ),
    entropy(
        rule(
            "aws-secret-access-key",
            "AWS secret access key next to its name",
            &[
                "aws_secret",
                "secret_access_key",
                "secretaccesskey",
                "aws-secret",
            ],
            r#"(?i)(?:aws[_-]?secret[_-]?access[_-]?key|secret[_-]?access[_-]?key|secretaccesskey|aws[_-]?secret[_-]?key)(?:[ \t]+|["']?\s*(?::\s*&?(?:'static\s+)?[A-Za-z][A-Za-z0-9_<>\[\]|?]*\s*)?(?:[:=]|:=|=>)\s*|["']\s+value\s*=\s*)["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+]|$)"#,
        ),
        4.0,
    ),
    rule(
        "aws-session-token",
        "AWS temporary session token",
        &["iqojb3jpz2lux2vj", "fwogzxivyxdze", "fqogzxivyxdze"],
        r"\b((?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE|FQoGZXIvYXdzE)[A-Za-z0-9/+=]{100,1200})",
    ),
    rule(
        "amazon-mws-token",
        "Amazon Marketplace Web Service auth token",
        &["amzn.mws."],
        r"\b(amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    multiline(checked(
        rule(
            "gcp-service-account-key",
            "Google Cloud service-account key file (JSON with a private key)",
            &["service_account"],
            r#"(?s)"type"\s*:\s*"service_account".{0,4000}?"private_key"\s*:\s*"(-----BEGIN PRIVATE KEY-----[^"]{64,}?-----END PRIVATE KEY-----(?:\\n)?)""#,
        ),
        validate::pem_body,
    )),
    rule(
        "gcp-oauth-client-secret",
        "Google OAuth client secret",
        &["gocspx-"],
        r"\b(GOCSPX-[A-Za-z0-9_-]{28})(?:[^A-Za-z0-9_-]|$)",
    ),
    rule(
        "google-api-key",
        "Google API key (also Firebase and Gemini)",
        &["aiza"],
        r"\b(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)",
    ),
    rule(
        "google-oauth-access-token",
        "Google OAuth access token",
        &["ya29."],
        r"\b(ya29\.[0-9A-Za-z_-]{50,})",
    ),
    entropy(
        rule(
            "google-oauth-refresh-token",
            "Google OAuth refresh token",
            &["1//0"],
            r"(?:^|[^0-9A-Za-z_/-])(1//0[0-9A-Za-z_-]{40,})",
        ),
        4.0,
    ),
    rule(
        "firebase-cloud-messaging-key",
        "Firebase Cloud Messaging legacy server key",
        &["aaaa"],
        r"\b(AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{120,160})",
    ),
    rule(
        "azure-storage-account-key",
        "Azure storage or Cosmos DB account key in a connection string",
        &["accountkey="],
        r"(?i)AccountKey=([A-Za-z0-9+/]{86}==)",
    ),
    rule(
        "azure-shared-access-key",
        "Azure Service Bus, Event Hubs or IoT Hub shared access key",
        &["sharedaccesskey="],
        r"(?i)SharedAccessKey=([A-Za-z0-9+/]{42,44}=)",
    ),
    rule(
        "azure-sas-token",
        "Azure shared access signature (SAS) token",
        &["sig="],
        r"(?:[?&]|\b)sv=\d{4}-\d{2}-\d{2}[^\s\x22'<>]{0,400}?[?&]sig=([A-Za-z0-9%/+]{40,100})|[?&]sig=([A-Za-z0-9%/+]{40,100})[^\s\x22'<>]{0,400}?&sv=\d{4}-\d{2}-\d{2}",
    ),
    rule(
        "azure-ad-client-secret",
        "Microsoft Entra ID (Azure AD) application client secret",
        &["q~"],
        r"(?:^|[^A-Za-z0-9_~.-])([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?:[^A-Za-z0-9_~.-]|$)",
    ),
    rule(
        "azure-devops-pat",
        "Azure DevOps personal access token",
        &["azdo"],
        r"\b([A-Za-z0-9]{52}JQQJ9[9A-D][A-Za-z0-9]{4}AZDO[A-Za-z0-9]{4})\b",
    ),
    opened_by(
        near(
            "azure-devops-legacy-pat",
            "Azure DevOps personal access token (52 characters) next to its name",
            &["azure", "devops", "ado_", "azdo"],
            r"(?i)(?:azure|devops|ado_|azdo)[^\n]{0,40}?\b([a-z2-7]{52})\b",
        ),
        value_follows::<40, 52>,
    ),
    rule(
        "alibaba-access-key-id",
        "Alibaba Cloud AccessKey ID",
        &["ltai"],
        r"\b(LTAI[A-Za-z0-9]{12,20})\b",
    ),
    rule(
        "tencent-secret-id",
        "Tencent Cloud SecretId",
        &["akid"],
        r"\b(AKID[A-Za-z0-9]{32})\b",
    ),
    near(
        "ibm-cloud-api-key",
        "IBM Cloud API key next to its name",
        &["ibm"],
        r"(?i)ibm[^\n]{0,40}?(?:api|key)[^\n]{0,30}?(?:^|[^A-Za-z0-9_-])([A-Za-z0-9_-]{44})(?:[^A-Za-z0-9_-]|$)",
    ),
    // ---- Source hosting --------------------------------------------------------------------
    checksummed(
        rule(
            "github-pat",
            "GitHub personal access token (classic)",
            &["ghp_"],
            r"\b(ghp_[A-Za-z0-9]{30,36})\b",
        ),
        validate::github_checksum,
    ),
    checksummed(
        rule(
            "github-oauth",
            "GitHub OAuth access token",
            &["gho_"],
            r"\b(gho_[A-Za-z0-9]{30,36})\b",
        ),
        validate::github_checksum,
    ),
    checksummed(
        rule(
            "github-app-token",
            "GitHub App user-to-server or installation token",
            &["ghu_", "ghs_"],
            r"\b(gh[us]_[A-Za-z0-9]{30,36})\b",
        ),
        validate::github_checksum,
    ),
    checksummed(
        rule(
            "github-refresh-token",
            "GitHub refresh token",
            &["ghr_"],
            r"\b(ghr_[A-Za-z0-9]{30,76})\b",
        ),
        validate::github_checksum,
    ),
    rule(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        &["github_pat_"],
        r"\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b",
    ),
    rule(
        "gitlab-pat",
        "GitLab personal, project or group access token",
        &["glpat-"],
        r"\b(glpat-[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{2}\.[0-9a-z]{9})?)",
    ),
    rule(
        "gitlab-pipeline-trigger-token",
        "GitLab pipeline trigger token",
        &["glptt-"],
        r"\b(glptt-[A-Za-z0-9_-]{20,})",
    ),
    rule(
        "gitlab-runner-token",
        "GitLab runner authentication token",
        &["glrt-"],
        r"\b(glrt-[A-Za-z0-9_-]{20,300})",
    ),
    rule(
        "gitlab-runner-registration-token",
        "GitLab runner registration token",
        &["gr1348941"],
        r"\b(GR1348941[A-Za-z0-9_-]{20})\b",
    ),
    rule(
        "gitlab-deploy-token",
        "GitLab deploy token",
        &["gldt-"],
        r"\b(gldt-[A-Za-z0-9_-]{20,})",
    ),
    rule(
        "gitlab-oauth-app-secret",
        "GitLab OAuth application secret",
        &["gloas-"],
        r"\b(gloas-[A-Za-z0-9_-]{20,})",
    ),
    rule(
        "gitlab-feed-token",
        "GitLab feed token",
        &["glft-"],
        r"\b(glft-[A-Za-z0-9_-]{20,})",
    ),
    rule(
        "gitlab-incoming-mail-token",
        "GitLab incoming mail token",
        &["glimt-"],
        r"\b(glimt-[A-Za-z0-9_-]{20,})",
    ),
    rule(
        "gitlab-agent-token",
        "GitLab agent for Kubernetes token",
        &["glagent-"],
        r"\b(glagent-[A-Za-z0-9_-]{20,})",
    ),
    rule(
        "gitlab-scim-token",
        "GitLab SCIM OAuth token",
        &["glsoat-"],
        r"\b(glsoat-[A-Za-z0-9_-]{20,})",
    ),
    rule(
        "gitlab-cicd-job-token",
        "GitLab CI/CD job token",
        &["glcbt-"],
        r"\b(glcbt-[0-9a-f]{1,5}_[A-Za-z0-9_-]{20})",
    ),
    rule(
        "bitbucket-app-password",
        "Bitbucket app password",
        &["atbb"],
        r"\b(ATBB[A-Za-z0-9_=.-]{32,})",
    ),
    rule(
        "atlassian-api-token",
        "Atlassian (Jira, Confluence, Bitbucket) API or access token",
        &["atatt3", "atctt3"],
        r"\b(AT[AC]TT3[A-Za-z0-9_=-]{180,})",
    ),
    // ---- Package registries -----------------------------------------------------------------
    rule(
        "npm-token",
        "npm access token",
        &["npm_"],
        r"\b(npm_[A-Za-z0-9]{36})\b",
    ),
    rule(
        "pypi-token",
        "PyPI (or TestPyPI) upload token",
        &["pypi-ageichlwas5vcmc", "pypi-agendgvzdc5wexbplm9yzw"],
        r"\b(pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,})",
    ),
    rule(
        "crates-io-token",
        "crates.io API token",
        &["cio"],
        r"\b(cio[A-Za-z0-9]{32})\b",
    ),
    rule(
        "rubygems-api-key",
        "RubyGems API key",
        &["rubygems_"],
        r"\b(rubygems_[a-f0-9]{48})\b",
    ),
    rule(
        "nuget-api-key",
        "NuGet API key",
        &["oy2"],
        r"\b(oy2[a-z0-9]{43})\b",
    ),
    rule(
        "docker-hub-token",
        "Docker Hub personal or organization access token",
        &["dckr_pat_", "dckr_oat_"],
        r"\b(dckr_(?:pat|oat)_[A-Za-z0-9_-]{24,})",
    ),
    rule(
        "jfrog-api-key",
        "JFrog Artifactory API key",
        &["akcp"],
        r"\b(AKCp[A-Za-z0-9]{69})\b",
    ),
    rule(
        "jfrog-reference-token",
        "JFrog reference (identity) token",
        &["cmvmdgtuojaxoj"],
        r"\b(cmVmdGtuOjAxOj[A-Za-z0-9]{50})",
    ),
    rule(
        "clojars-token",
        "Clojars deploy token",
        &["clojars_"],
        r"\b(CLOJARS_[a-z0-9]{60})\b",
    ),
    checked(
        rule(
            "npmrc-auth",
            "Registry credential in an .npmrc file (_authToken, _auth, _password)",
            &["_authtoken", "_auth", "_password"],
            // The value runs to the end of its line, as in an .npmrc: not code that assigns a
            // `_password` field (`_password = _session.Auth.GetAnsiHash(...)`, Jellyfin's C#).
            r"(?m)^\s*(?://[^\s=]+:)?_(?:authToken|auth|password)\s*=\s*[\x22']?([A-Za-z0-9+/=_.:-]{16,})[\x22']?[ \t]*\r?$",
        ),
        validate::not_a_reference,
    ),
    checked(
        rule(
            "docker-config-auth",
            "Registry credential in a Docker config.json (auth: base64 of user:password)",
            &["\"auth\""],
            r#""auth"\s*:\s*"([A-Za-z0-9+/]{8,}={0,2})""#,
        ),
        validate::basic_credentials,
    ),
    // ---- Payments ---------------------------------------------------------------------------
    rule(
        "stripe-secret-key",
        "Stripe secret or restricted key (live or test)",
        &[
            "sk_live_", "rk_live_", "sk_test_", "rk_test_", "sk_prod_", "rk_prod_",
        ],
        r"\b([sr]k_(?:live|test|prod)_[A-Za-z0-9]{24,247})\b",
    ),
    rule(
        "stripe-webhook-secret",
        "Stripe webhook signing secret",
        &["whsec_"],
        r"\b(whsec_[A-Za-z0-9+/=]{32,})",
    ),
    rule(
        "square-access-token",
        "Square access token",
        &["eaaa", "sq0atp-"],
        r"\b(EAAA[A-Za-z0-9_-]{60}|sq0atp-[A-Za-z0-9_-]{22})(?:[^A-Za-z0-9_-]|$)",
    ),
    rule(
        "square-oauth-secret",
        "Square OAuth application secret",
        &["sq0csp-"],
        r"\b(sq0csp-[A-Za-z0-9_-]{43})",
    ),
    rule(
        "braintree-access-token",
        "PayPal Braintree access token",
        &["access_token$"],
        r"\b(access_token\$(?:production|sandbox)\$[a-z0-9]{16}\$[a-f0-9]{32})\b",
    ),
    near(
        "paypal-client-secret",
        "PayPal REST client secret next to its name",
        &["paypal"],
        r"(?i)paypal[^\n]{0,40}?secret[^\n]{0,30}?(?:^|[^A-Za-z0-9_-])([A-Za-z0-9_-]{80})(?:[^A-Za-z0-9_-]|$)",
    ),
    entropy(
        rule(
            "adyen-api-key",
            "Adyen API key",
            &["aqe"],
            r"\b(AQE[A-Za-z0-9]{5}[A-Za-z0-9+/=_-]{60,300})",
        ),
        4.5,
    ),
    near(
        "razorpay-key-secret",
        "Razorpay key secret next to its name",
        &["razorpay"],
        r"(?i)razorpay[^\n]{0,30}?secret[^\n]{0,30}?\b([A-Za-z0-9]{24})\b",
    ),
    rule(
        "plaid-access-token",
        "Plaid access token",
        &["access-production-", "access-development-"],
        r"\b(access-(?:production|development)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    rule(
        "flutterwave-secret-key",
        "Flutterwave secret key",
        &["flwseck-"],
        r"\b(FLWSECK-[a-f0-9]{32}-X)",
    ),
    rule(
        "shippo-token",
        "Shippo live API token",
        &["shippo_live_"],
        r"\b(shippo_live_[a-f0-9]{40})\b",
    ),
    rule(
        "easypost-api-key",
        "EasyPost API key",
        &["ezak"],
        r"\b(EZ[AT]K[A-Za-z0-9]{54})\b",
    ),
    rule(
        "duffel-token",
        "Duffel live access token",
        &["duffel_live_"],
        r"\b(duffel_live_[A-Za-z0-9_=-]{43})",
    ),
    rule(
        "coinbase-access-token",
        "Coinbase Commerce or exchange key in a secret-named setting",
        &["coinbase"],
        r"(?i)coinbase[^\n]{0,40}?(?:secret|key|token)[^\n]{0,30}?(?:^|[^A-Za-z0-9+/_-])([A-Za-z0-9+/_-]{32,88}={0,2})(?:[^A-Za-z0-9+/=_-]|$)",
    ),
    // ---- Messaging --------------------------------------------------------------------------
    rule(
        "slack-bot-token",
        "Slack bot token",
        &["xoxb-"],
        r"\b(xoxb-[0-9]{10,13}-(?:[0-9]{10,13}-)?[A-Za-z0-9]{24,34})\b",
    ),
    rule(
        "slack-user-token",
        "Slack user token",
        &["xoxp-"],
        r"\b(xoxp-[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-[a-f0-9]{32})\b",
    ),
    rule(
        "slack-app-token",
        "Slack app-level token",
        &["xapp-"],
        r"\b(xapp-\d-[A-Z0-9]{9,12}-\d{10,14}-[a-f0-9]{64})\b",
    ),
    rule(
        "slack-config-token",
        "Slack configuration access or refresh token",
        &["xoxe"],
        r"\b(xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{140,170})\b",
    ),
    rule(
        "slack-legacy-token",
        "Slack legacy workspace, app or refresh token",
        &["xoxa-", "xoxo-", "xoxr-", "xoxs-"],
        r"\b(xox[aors]-\d{1,13}-[0-9A-Za-z-]{10,160})\b",
    ),
    rule(
        "slack-webhook",
        "Slack incoming webhook",
        &["hooks.slack.com"],
        r"(https://hooks\.slack\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{20,32})",
    ),
    rule(
        "slack-workflow-webhook",
        "Slack workflow webhook",
        &["hooks.slack.com"],
        r"(https://hooks\.slack\.com/(?:workflows|triggers)/T[A-Z0-9]{8,12}/[A-Za-z0-9/_-]{20,200})",
    ),
    rule(
        "discord-webhook",
        "Discord webhook URL",
        &["discord.com/api/webhooks", "discordapp.com/api/webhooks"],
        r"(https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{17,20}/[A-Za-z0-9_-]{60,68})",
    ),
    opened_by(
        rule(
            "discord-bot-token",
            "Discord bot token",
            &["discord", "bot"],
            r"(?i:discord|bot)[^\n]{0,40}?\b([MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40})(?:[^A-Za-z0-9_-]|$)",
        ),
        value_follows::<40, 24>,
    ),
    rule(
        "telegram-bot-token",
        "Telegram bot token",
        &[":aa", "telegram", "tg_bot", "tg_token"],
        r"\b(\d{8,10}:AA[A-Za-z0-9_-]{33})(?:[^A-Za-z0-9_-]|$)|(?i:telegram|tg_bot|tg_token)[^\n]{0,40}?\b(\d{8,10}:[A-Za-z0-9_-]{35})(?:[^A-Za-z0-9_-]|$)",
    ),
    rule(
        "twilio-api-key",
        "Twilio API key SID and secret",
        &["twilio"],
        r"(?i)twilio[^\n]{0,40}?\b(SK[0-9a-f]{32})\b",
    ),
    near(
        "twilio-auth-token",
        "Twilio auth token next to its name",
        &["twilio"],
        r"(?i)twilio[^\n]{0,20}?(?:auth|token|secret)[^\n]{0,30}?\b([0-9a-f]{32})\b",
    ),
    rule(
        "sendgrid-api-key",
        "SendGrid API key",
        &["sg."],
        r"\b(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)",
    ),
    rule(
        "mailgun-api-key",
        "Mailgun API key",
        &["key-", "mailgun"],
        r"\b(key-[0-9a-f]{32})\b|(?i:mailgun)[^\n]{0,40}?\b([0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})\b",
    ),
    rule(
        "mailchimp-api-key",
        "Mailchimp API key",
        &["-us"],
        r"\b([0-9a-f]{32}-us\d{1,2})\b",
    ),
    rule(
        "postmark-server-token",
        "Postmark server or account token",
        &["postmark"],
        r"(?i)postmark[^\n]{0,20}?(?:key|token|secret|auth|pass)[^\n]{0,30}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    rule(
        "brevo-api-key",
        "Brevo (Sendinblue) API key",
        &["xkeysib-", "xsmtpsib-"],
        r"\b(x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16})\b",
    ),
    rule(
        "microsoft-teams-webhook",
        "Microsoft Teams incoming webhook URL",
        &["webhook.office.com"],
        r"(https://[a-z0-9-]+\.webhook\.office\.com/webhookb2/[a-f0-9-]{36}@[a-f0-9-]{36}/IncomingWebhook/[A-Za-z0-9]{32}/[a-f0-9-]{36})",
    ),
    rule(
        "twitter-bearer-token",
        "Twitter/X API bearer token",
        &["aaaaaaaaaaaaaaaaaaaaa"],
        r"\b(AAAAAAAAAAAAAAAAAAAAA[A-Za-z0-9%]{30,120})",
    ),
    entropy(
        rule(
            "facebook-access-token",
            "Facebook (Meta) access token",
            &["eaa"],
            r"\b(EAA[A-Za-z0-9]{90,})",
        ),
        4.0,
    ),
    // ---- AI APIs ----------------------------------------------------------------------------
    rule(
        "openai-api-key",
        "OpenAI API key (project, service account, admin or legacy)",
        &[
            "sk-proj-",
            "sk-svcacct-",
            "sk-admin-",
            "t3blbkfj",
            "sk-none-",
        ],
        r"\b(sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{40,200}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})(?:[^A-Za-z0-9_-]|$)",
    ),
    opened_by(
        entropy(
            rule(
                "openai-legacy-api-key",
                "OpenAI API key (48-character form) next to its name",
                &["openai"],
                r"(?i:openai)[^\n]{0,40}?\b(sk-[A-Za-z0-9]{48})\b",
            ),
            4.0,
        ),
        value_follows::<43, 48>,
    ),
    rule(
        "anthropic-api-key",
        "Anthropic API key",
        &["sk-ant-"],
        r"\b(sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,120})(?:[^A-Za-z0-9_-]|$)",
    ),
    rule(
        "huggingface-token",
        "Hugging Face access or organisation token",
        &["hf_", "api_org_"],
        r"\b(hf_[A-Za-z0-9]{34,40}|api_org_[A-Za-z0-9]{34,40})\b",
    ),
    near(
        "cohere-api-key",
        "Cohere API key next to its name",
        &["cohere", "co_api_key"],
        r"(?i)(?:cohere|co_api_key)[^\n]{0,40}?\b([A-Za-z0-9]{40})\b",
    ),
    rule(
        "replicate-api-token",
        "Replicate API token",
        &["r8_"],
        r"\b(r8_[A-Za-z0-9]{37,40})\b",
    ),
    rule(
        "groq-api-key",
        "Groq API key",
        &["gsk_"],
        r"\b(gsk_[A-Za-z0-9]{52})\b",
    ),
    rule(
        "perplexity-api-key",
        "Perplexity API key",
        &["pplx-"],
        r"\b(pplx-[A-Za-z0-9]{48})\b",
    ),
    rule(
        "xai-api-key",
        "xAI API key",
        &["xai-"],
        r"\b(xai-[A-Za-z0-9]{80})\b",
    ),
    rule(
        "openrouter-api-key",
        "OpenRouter API key",
        &["sk-or-v1-"],
        r"\b(sk-or-v1-[a-f0-9]{64})\b",
    ),
    rule(
        "langsmith-api-key",
        "LangSmith API key",
        &["lsv2_"],
        r"\b(lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10})\b",
    ),
    rule(
        "langfuse-secret-key",
        "Langfuse secret key",
        &["sk-lf-"],
        r"\b(sk-lf-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    rule(
        "pinecone-api-key",
        "Pinecone API key",
        &["pcsk_"],
        r"\b(pcsk_[A-Za-z0-9]{4,8}_[A-Za-z0-9]{50,80})\b",
    ),
    near(
        "mistral-api-key",
        "Mistral AI API key next to its name",
        &["mistral"],
        r"(?i)mistral[^\n]{0,40}?\b([A-Za-z0-9]{32})\b",
    ),
    // ---- Observability ----------------------------------------------------------------------
    near(
        "datadog-api-key",
        "Datadog API key next to its name",
        &["datadog", "dd_api_key", "dd-api-key"],
        r"(?i)(?:datadog|dd[_-]api[_-]key)[^\n]{0,40}?\b([a-f0-9]{32})\b",
    ),
    near(
        "datadog-app-key",
        "Datadog application key next to its name",
        &[
            "datadog",
            "dd_app_key",
            "dd_application_key",
            "dd-application-key",
        ],
        r"(?i)(?:datadog|dd[_-]app(?:lication)?[_-]key)[^\n]{0,40}?\b([a-f0-9]{40})\b",
    ),
    rule(
        "new-relic-user-key",
        "New Relic user API key",
        &["nrak-"],
        r"\b(NRAK-[A-Z0-9]{27})\b",
    ),
    rule(
        "new-relic-insert-key",
        "New Relic insights insert or query key",
        &["nrii-", "nriq-"],
        r"\b(NRI[IQ]-[A-Za-z0-9_-]{32})(?:[^A-Za-z0-9_-]|$)",
    ),
    rule(
        "new-relic-license-key",
        "New Relic ingest license key",
        &["nral"],
        r"\b([a-f0-9]{36}NRAL)\b",
    ),
    // https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/#browser-key
    public(
        rule(
            "new-relic-browser-key",
            "New Relic browser API key",
            &["nrjs-"],
            r"\b(NRJS-[a-f0-9]{19})\b",
        ),
        "the browser agent sends it from every page it monitors",
    ),
    // https://docs.sentry.io/concepts/key-terms/dsn-explainer/: the DSN's public key only lets
    // events be sent, and client SDKs ship it; the secret key of the older DSN form
    // (`https://public:secret@...`) is another matter, found by the rule after this one.
    public(
        rule(
            "sentry-dsn",
            "Sentry DSN",
            &["sentry.io", "@o"],
            r"https://([a-f0-9]{32})@(?:o\d+\.ingest\.(?:[a-z]{2}\.)?sentry\.io|sentry\.io)/\d+",
        ),
        "a DSN's key only lets anyone send events to the project, and Sentry's client SDKs ship it",
    ),
    rule(
        "sentry-dsn-secret",
        "Sentry DSN with its secret key (the older DSN form)",
        &["sentry.io", "@o"],
        r"https://[a-f0-9]{32}:([a-f0-9]{32})@(?:o\d+\.ingest\.(?:[a-z]{2}\.)?sentry\.io|sentry\.io)/\d+",
    ),
    rule(
        "sentry-auth-token",
        "Sentry organization or user auth token",
        &["sntrys_", "sntryu_"],
        r"\b(sntrys_eyJ[A-Za-z0-9+/=_]{60,}|sntryu_[a-f0-9]{64})",
    ),
    rule(
        "grafana-service-account-token",
        "Grafana service account token",
        &["glsa_"],
        r"\b(glsa_[A-Za-z0-9]{32}_[a-f0-9]{8})\b",
    ),
    rule(
        "grafana-cloud-token",
        "Grafana Cloud access policy token",
        &["glc_"],
        r"\b(glc_[A-Za-z0-9+/]{32,400}={0,2})",
    ),
    rule(
        "grafana-api-key",
        "Grafana API key (legacy)",
        &["eyjrijoi"],
        r"\b(eyJrIjoi[A-Za-z0-9+/]{60,}={0,2})",
    ),
    rule(
        "honeycomb-ingest-key",
        "Honeycomb ingest key",
        &["hcaik_", "hcxik_"],
        r"\b(hc[ax]ik_[a-z0-9]{58})\b",
    ),
    near(
        "honeycomb-api-key",
        "Honeycomb configuration key next to its name",
        &["honeycomb"],
        r"(?i)honeycomb[^\n]{0,40}?\b([A-Za-z0-9]{22})\b",
    ),
    rule(
        "dynatrace-token",
        "Dynatrace API token",
        &["dt0c01."],
        r"\b(dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64})\b",
    ),
    rule(
        "splunk-hec-token",
        "Splunk HTTP Event Collector token",
        &["splunk"],
        r"(?i)splunk[^\n]{0,20}?(?:key|token|secret|auth|pass)[^\n]{0,30}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    rule(
        "launchdarkly-key",
        "LaunchDarkly SDK or API access key",
        &["sdk-", "api-"],
        r"\b((?:sdk|api)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    // ---- Infrastructure and SaaS ------------------------------------------------------------
    rule(
        "vault-token",
        "HashiCorp Vault service, batch or recovery token",
        &["hvs.", "hvb.", "hvr."],
        r"\b(hv[sbr]\.[A-Za-z0-9_-]{24,})",
    ),
    near(
        "vault-legacy-token",
        "HashiCorp Vault token (legacy s. form) next to its name",
        &["vault"],
        r"(?i)vault[^\n]{0,40}?\b(s\.[A-Za-z0-9]{24})\b",
    ),
    rule(
        "terraform-cloud-token",
        "Terraform Cloud / HCP Terraform API token",
        &[".atlasv1."],
        r"\b([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,100})",
    ),
    rule(
        "doppler-token",
        "Doppler service token",
        &["dp.st."],
        r"\b(dp\.st\.[A-Za-z0-9_-]{2,35}\.[A-Za-z0-9]{40,44})\b",
    ),
    rule(
        "doppler-personal-token",
        "Doppler personal, CLI, service account, SCIM or audit token",
        &["dp.pt.", "dp.ct.", "dp.sa.", "dp.scim.", "dp.audit."],
        r"\b(dp\.(?:pt|ct|sa|scim|audit)\.[A-Za-z0-9]{40,44})\b",
    ),
    rule(
        "onepassword-service-account-token",
        "1Password service account token",
        &["ops_eyj"],
        r"\b(ops_eyJ[A-Za-z0-9+/=_-]{100,})",
    ),
    rule(
        "onepassword-secret-key",
        "1Password account secret key",
        &["a3-"],
        r"\b(A3-[A-Z0-9]{6}-(?:[A-Z0-9]{6}|[A-Z0-9]{11})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})\b",
    ),
    rule(
        "digitalocean-token",
        "DigitalOcean personal access, OAuth or refresh token",
        &["dop_v1_", "doo_v1_", "dor_v1_"],
        r"\b(do[opr]_v1_[a-f0-9]{64})\b",
    ),
    rule(
        "heroku-api-key",
        "Heroku platform API key",
        &["hrku-"],
        r"\b(HRKU-[A-Za-z0-9_-]{20,100})(?:[^A-Za-z0-9_-]|$)",
    ),
    rule(
        "heroku-legacy-api-key",
        "Heroku API key (UUID form) next to its name",
        &["heroku"],
        r"(?i)heroku[^\n]{0,20}?(?:key|token|secret|auth|pass)[^\n]{0,30}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    near(
        "cloudflare-api-token",
        "Cloudflare API token next to its name",
        &["cloudflare", "cf_api_token", "cf_token"],
        r"(?i)(?:cloudflare|cf_api_token|cf_token)[^\n]{0,40}?\b([A-Za-z0-9_-]{40})(?:[^A-Za-z0-9_-]|$)",
    ),
    near(
        "cloudflare-global-api-key",
        "Cloudflare global API key next to its name",
        &["cloudflare", "cf_api_key", "cf_key"],
        r"(?i)(?:cloudflare|cf_api_key|cf_key)[^\n]{0,40}?\b([a-f0-9]{37})\b",
    ),
    rule(
        "cloudflare-origin-ca-key",
        "Cloudflare Origin CA key",
        &["v1.0-"],
        r"\b(v1\.0-[a-f0-9]{24}-[a-f0-9]{146})\b",
    ),
    near(
        "fastly-api-token",
        "Fastly API token next to its name",
        &["fastly"],
        r"(?i)fastly[^\n]{0,40}?\b([A-Za-z0-9_-]{32})(?:[^A-Za-z0-9_-]|$)",
    ),
    rule(
        "shopify-token",
        "Shopify access token or shared secret",
        &["shpat_", "shpca_", "shppa_", "shpss_"],
        r"\b(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\b",
    ),
    rule(
        "linear-api-key",
        "Linear API key",
        &["lin_api_"],
        r"\b(lin_api_[A-Za-z0-9]{40})\b",
    ),
    rule(
        "notion-token",
        "Notion integration token",
        &["secret_", "ntn_"],
        r"\b(secret_[A-Za-z0-9]{43}|ntn_[0-9]{11}[A-Za-z0-9]{35})\b",
    ),
    rule(
        "postman-api-key",
        "Postman API key",
        &["pmak-"],
        r"\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b",
    ),
    near(
        "okta-api-token",
        "Okta API token next to its name",
        &["okta", "ssws"],
        r"(?i)(?:okta|ssws)[^\n]{0,40}?\b(00[A-Za-z0-9_-]{40})(?:[^A-Za-z0-9_-]|$)",
    ),
    near(
        "auth0-client-secret",
        "Auth0 client secret next to its name",
        &["auth0"],
        r"(?i)auth0[^\n]{0,40}?secret[^\n]{0,30}?(?:^|[^A-Za-z0-9_-])([A-Za-z0-9_-]{64})(?:[^A-Za-z0-9_-]|$)",
    ),
    checked(
        rule(
            "supabase-service-role-key",
            "Supabase service-role key (a JWT with the service_role claim)",
            &["eyj"],
            r"\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})",
        ),
        validate::service_role_jwt,
    ),
    rule(
        "supabase-secret-key",
        "Supabase secret API key or personal access token",
        &["sb_secret_", "sbp_"],
        r"\b(sb_secret_[A-Za-z0-9_-]{31,}|sbp_[a-f0-9]{40})",
    ),
    rule(
        "netlify-token",
        "Netlify personal access token",
        &["nfp_"],
        r"\b(nfp_[A-Za-z0-9]{36})\b",
    ),
    near(
        "vercel-token",
        "Vercel access token next to its name",
        &["vercel"],
        r"(?i)vercel[^\n]{0,40}?\b([A-Za-z0-9]{24})\b",
    ),
    rule(
        "flyio-token",
        "Fly.io access token",
        &["fo1_", "fm1r_", "fm1a_", "fm2_"],
        r"\b(fo1_[A-Za-z0-9_-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3})",
    ),
    rule(
        "render-api-key",
        "Render API key",
        &["rnd_"],
        r"\b(rnd_[A-Za-z0-9]{32})\b",
    ),
    rule(
        "pulumi-access-token",
        "Pulumi access token",
        &["pul-"],
        r"\b(pul-[a-f0-9]{40})\b",
    ),
    rule(
        "buildkite-token",
        "Buildkite API access token",
        &["bkua_"],
        r"\b(bkua_[a-f0-9]{40})\b",
    ),
    rule(
        "circleci-token",
        "CircleCI personal or project API token",
        &["ccipat_", "ccipr_"],
        r"\b(CCIP(?:AT|RJ)_[A-Za-z0-9]{22}_[a-f0-9]{40})\b",
    ),
    rule(
        "sonarqube-token",
        "SonarQube or SonarCloud token",
        &["sqp_", "squ_", "sqa_"],
        r"\b(sq[pua]_[a-f0-9]{40})\b",
    ),
    rule(
        "snyk-token",
        "Snyk API token next to its name",
        &["snyk"],
        r"(?i)snyk[^\n]{0,20}?(?:key|token|secret|auth|pass)[^\n]{0,30}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    rule(
        "databricks-token",
        "Databricks personal access token",
        &["dapi"],
        r"\b(dapi[a-f0-9]{32}(?:-\d)?)\b",
    ),
    rule(
        "planetscale-token",
        "PlanetScale service token, password or OAuth token",
        &["pscale_"],
        r"\b(pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,64})",
    ),
    rule(
        "neon-api-key",
        "Neon API key",
        &["napi_"],
        r"\b(napi_[a-z0-9]{64})\b",
    ),
    rule(
        "age-secret-key",
        "age encryption secret key",
        &["age-secret-key-1"],
        r"\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b",
    ),
    rule(
        "mapbox-secret-token",
        "Mapbox secret access token",
        &["sk.eyj"],
        r"\b(sk\.eyJ[A-Za-z0-9_-]{50,}\.[A-Za-z0-9_-]{20,})",
    ),
    near(
        "algolia-admin-key",
        "Algolia admin API key next to its name",
        &["algolia"],
        r"(?i)algolia[^\n]{0,40}?\b([a-f0-9]{32})\b",
    ),
    rule(
        "contentful-token",
        "Contentful personal access token",
        &["cfpat-"],
        r"\b(CFPAT-[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)",
    ),
    rule(
        "typeform-token",
        "Typeform personal access token",
        &["tfp_"],
        r"\b(tfp_[A-Za-z0-9_-]{44}_[A-Za-z0-9_-]{14})(?:[^A-Za-z0-9_-]|$)",
    ),
    Rule {
        keyword_check: Some(airtable_shape),
        ..rule(
            "airtable-token",
            "Airtable personal access token",
            &["pat"],
            r"\b(pat[A-Za-z0-9]{14}\.[a-f0-9]{64})\b",
        )
    },
    rule(
        "figma-token",
        "Figma personal access token",
        &["figd_"],
        r"\b(figd_[A-Za-z0-9_-]{40})(?:[^A-Za-z0-9_-]|$)",
    ),
    rule(
        "dropbox-token",
        "Dropbox short-lived access token",
        &["sl."],
        r"\b(sl\.[A-Za-z0-9_-]{130,})",
    ),
    rule(
        "hubspot-private-app-token",
        "HubSpot private app access token",
        &["pat-na", "pat-eu"],
        r"\b(pat-(?:na|eu)\d-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})\b",
    ),
    rule(
        "salesforce-access-token",
        "Salesforce access token",
        &["00d"],
        r"\b(00D[A-Za-z0-9]{12}![A-Za-z0-9._]{90,110})",
    ),
    rule(
        "tailscale-key",
        "Tailscale auth, API or OAuth client key",
        &["tskey-"],
        r"\b(tskey-(?:auth|api|client|scim|webhook)-[A-Za-z0-9]{10,}-[A-Za-z0-9]{30,})\b",
    ),
    near(
        "ngrok-authtoken",
        "ngrok authtoken next to its name",
        &["ngrok"],
        r"(?i)ngrok[^\n]{0,40}?\b([0-9A-Za-z]{26,27}_[0-9A-Za-z]{20,21})\b",
    ),
    rule(
        "prefect-api-key",
        "Prefect Cloud API key",
        &["pnu_"],
        r"\b(pnu_[A-Za-z0-9]{36})\b",
    ),
    rule(
        "scalingo-token",
        "Scalingo API token",
        &["tk-us-"],
        r"\b(tk-us-[A-Za-z0-9_-]{48})(?:[^A-Za-z0-9_-]|$)",
    ),
    rule(
        "infracost-api-key",
        "Infracost API key",
        &["ico-"],
        r"\b(ico-[A-Za-z0-9]{32})\b",
    ),
    rule(
        "readme-api-key",
        "ReadMe API key",
        &["rdme_"],
        r"\b(rdme_[a-z0-9]{70})\b",
    ),
    rule(
        "frameio-token",
        "Frame.io developer token",
        &["fio-u-"],
        r"\b(fio-u-[A-Za-z0-9_=-]{64})",
    ),
    rule(
        "harness-token",
        "Harness personal or service account token",
        &["pat.", "sat."],
        r"\b((?:pat|sat)\.[A-Za-z0-9_-]{22}\.[a-f0-9]{24}\.[A-Za-z0-9]{20})\b",
    ),
    rule(
        "octopus-deploy-api-key",
        "Octopus Deploy API key",
        &["api-"],
        r"\b(API-[A-Z0-9]{26,32})\b",
    ),
    rule(
        "lob-api-key",
        "Lob live API key",
        &["live_"],
        r"\b(live_[a-f0-9]{35})\b",
    ),
    near(
        "twitch-client-secret",
        "Twitch client secret or OAuth token next to its name",
        &["twitch"],
        r"(?i)twitch[^\n]{0,40}?\b([a-z0-9]{30})\b",
    ),
    rule(
        "asana-pat",
        "Asana personal access token",
        &["asana"],
        r"\b([12]/\d{13,16}(?:/\d{13,16})?:[a-f0-9]{32})\b",
    ),
    rule(
        "zapier-webhook",
        "Zapier catch hook URL",
        &["hooks.zapier.com"],
        r"(https://hooks\.zapier\.com/hooks/catch/\d+/[A-Za-z0-9]+/?)",
    ),
    rule(
        "sourcegraph-token",
        "Sourcegraph access token",
        &["sgp_"],
        r"\b(sgp_(?:local_|[A-Za-z0-9]{16}_)?[a-f0-9]{40})\b",
    ),
    rule(
        "deno-deploy-token",
        "Deno Deploy access token",
        &["ddp_", "ddw_"],
        r"\b(dd[pw]_[A-Za-z0-9]{36})\b",
    ),
    rule(
        "gitlab-feature-flag-token",
        "GitLab feature flags client token",
        &["glffct-"],
        r"\b(glffct-[A-Za-z0-9_-]{20,})",
    ),
    rule(
        "yandex-cloud-key",
        "Yandex Cloud API key or IAM token",
        &["aqvn", "t1.9eu"],
        r"\b(AQVN[A-Za-z0-9_-]{35,38}|t1\.9eu[A-Za-z0-9_.-]{60,})",
    ),
    rule(
        "mollie-api-key",
        "Mollie live API key",
        &["live_"],
        r"\b(live_[A-Za-z0-9]{30})\b",
    ),
    opened_by(
        near(
            "ably-api-key",
            "Ably API key next to its name",
            &["ably"],
            r"(?i)ably[^\n]{0,40}?\b([A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{6}:[A-Za-z0-9_-]{43})",
        ),
        value_follows::<54, 43>,
    ),
    near(
        "wandb-api-key",
        "Weights & Biases API key next to its name",
        &["wandb"],
        r"(?i)wandb[^\n]{0,40}?\b([a-f0-9]{40})\b",
    ),
    opened_by(
        near(
            "azure-openai-key",
            "Azure OpenAI or Cognitive Services key next to its name",
            &["azure", "cognitive"],
            r"(?i)(?:azure|cognitive)[^\n]{0,40}?(?:key|token|secret)[^\n]{0,30}?\b([a-f0-9]{32})\b",
        ),
        value_follows::<76, 32>,
    ),
    near(
        "pagerduty-api-key",
        "PagerDuty API key next to its name",
        &["pagerduty"],
        r"(?i)pagerduty[^\n]{0,60}?(?:^|[^A-Za-z0-9_+-])([A-Za-z0-9_+-]{20})(?:[^A-Za-z0-9_+-]|$)",
    ),
    near(
        "gocardless-token",
        "GoCardless access token next to its name",
        &["gocardless"],
        r"(?i)gocardless[^\n]{0,40}?\b((?:live|sandbox)_[A-Za-z0-9_=-]{40})",
    ),
    near(
        "azure-storage-key",
        "Azure storage account key next to its name",
        &[
            "account_key",
            "accountkey",
            "storage_key",
            "storagekey",
            "azure_storage",
            "account.key",
        ],
        r"(?i)(?:account[_.]?key|storage[_.]?key|azure_storage)[^\n]{0,40}?(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{86}==)",
    ),
    // A `machine` entry or the `default` one. Anonymous FTP's login (`login anonymous password
    // guest@`, an address by convention) opens what is public.
    Rule {
        ignore_names: &["anonymous"],
        keyword_check: Some(netrc_entry_starts),
        ..multiline(rule(
            "netrc-password",
            "Password in a .netrc or _netrc entry",
            &["machine", "default login"],
            r#"(?m)^\s*(?:machine\s+\S+|default)[ \t\r\n]+(?:login\s+(?P<name>\S+)[ \t\r\n]+)?password\s+(?P<secret>[^\s"'`]{6,128})"#,
        ))
    },
];

/// Keys and key files, credentials in URLs and headers, and secret-named settings: after every
/// provider's rule, which is more specific.
const GENERAL: &[Rule] = &[
    // ---- Keys and key files -----------------------------------------------------------------
    multiline(checked(
        rule(
            "private-key",
            "PEM private key (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted or not)",
            &["private key-----"],
            r"(-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----)",
        ),
        validate::pem_body,
    )),
    multiline(checked(
        rule(
            "pgp-private-key",
            "PGP private key block",
            &["pgp private key block"],
            r"(-----BEGIN PGP PRIVATE KEY BLOCK-----[\s\S]+?-----END PGP PRIVATE KEY BLOCK-----)",
        ),
        validate::pem_body,
    )),
    multiline(rule(
        "putty-private-key",
        "PuTTY private key file",
        &["putty-user-key-file-"],
        r"(PuTTY-User-Key-File-[23]: [^\r\n\\]+[\s\S]{0,8000}?Private-Lines: \d+(?:\r?\n|(?:\\r)?\\n)(?:[A-Za-z0-9+/=\r\n]|\\r|\\n){40,}?Private-MAC: [0-9a-f]{40,64})",
    )),
    checked(
        rule(
            "jwt",
            "JSON Web Token",
            &["eyj"],
            r"\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})",
        ),
        validate::jwt,
    ),
    // ---- Credentials in URLs, headers and connection strings --------------------------------
    Rule {
        // Documentation hosts (RFC 2606) hold no real credentials.
        ignore_names: &[
            "example.com",
            "example.org",
            "example.net",
            ".example",
            ".invalid",
        ],
        keyword_check: Some(credentials_follow),
        ..entropy(
            rule(
                "url-credentials",
                "Password in a URL or connection string",
                &["://"],
                r"(?i)\b(?:jdbc:)?[a-z][a-z0-9+.-]{1,30}://[^\s:/@'\x22`\[\]]{0,64}:(?P<secret>[^\s@/'\x22`\[\]]{6,128})@(?P<name>[A-Za-z0-9.\-]+)",
            ),
            2.5,
        )
    },
    entropy(
        checked(
            rule(
                "connection-string-password",
                "Password in a key=value connection string (ADO.NET, JDBC, ODBC)",
                &["password=", "pwd="],
                r"(?i)(?:server|data source|host|jdbc:[a-z]+:|driver=|uid=|user id=)[^\n]{0,200}?(?:^|[;&?\s])(?:password|pwd)\s*=\s*([^;&\s'\x22,)]{6,128})",
            ),
            validate::not_a_reference,
        ),
        2.5,
    ),
    checked(
        rule(
            "http-basic-auth",
            "HTTP basic authentication credentials in an Authorization header",
            &["basic "],
            r"(?i)\bbasic\s+([A-Za-z0-9+/]{8,}={0,2})",
        ),
        validate::basic_credentials,
    ),
    entropy(
        checked(
            rule(
                "http-bearer-token",
                "Bearer token in an Authorization header",
                &["bearer "],
                r"(?i)\bbearer\s+([A-Za-z0-9_.~+/-]{20,512}=*)",
            ),
            validate::mixed_letters_and_digits,
        ),
        3.5,
    ),
    // ---- Secret-named settings (last: every specific rule goes first) -----------------------
    opened_by(
        generic(entropy(
            checked(
                rule(
                    "generic-secret-assignment",
                    "High-entropy value assigned to a secret-named variable",
                    GENERIC_KEYWORDS,
                    concat!(
                        r#"(?i)(?:\b|\$)"#,
                        secret_name!(),
                        r#"(?:["'\]]{0,2}[ \t]*(?::[ \t]*&?(?:'static[ \t]+)?[A-Za-z][A-Za-z0-9_<>\[\]|?]*[ \t]*)?(?:[:=]|:=|=>|\?\?=|\|\|=|\|\|)|["'][ \t]+value[ \t]*=)[ \t]*["'`](?P<secret>[^\s"'`\\]{12,128})["'`]"#
                    ),
                ),
                validate::generic_value,
            ),
            3.3,
        )),
        assignment_follows,
    ),
    opened_by(
        generic(entropy(
            checked(
                rule(
                    "generic-secret-argument",
                    "High-entropy value passed with a secret name to a call (define, setProperty, getenv default)",
                    GENERIC_KEYWORDS,
                    concat!(
                        r#"(?i)\([ \t]*["']"#,
                        secret_name!(),
                        r#"["'][ \t]*,[ \t]*["'](?P<secret>[^\s"'\\]{12,128})["'][ \t]*\)"#
                    ),
                ),
                validate::generic_value,
            ),
            3.3,
        )),
        argument_follows,
    ),
    opened_by(
        generic(entropy(
            checked(
                rule(
                    "generic-secret-line",
                    "High-entropy unquoted value of a secret-named setting (.env, YAML, properties, Dockerfile)",
                    GENERIC_KEYWORDS,
                    concat!(
                        // `@name = value`: a variable of an HTTP client's request file (`.http`).
                        r"(?im)^[ \t]*(?:export[ \t]+|-[ \t]+|(?:ARG|ENV)[ \t]+|set[ \t]+|@)?",
                        secret_name!(),
                        // `#` starts a comment only after a space (`KEY=v+6m#v%6(9l` is one value,
                        // as dotenv reads it).
                        r"[ \t]*[:=][ \t]*(?P<secret>[A-Za-z0-9+/_\-.~!@%^*=$&][A-Za-z0-9+/_\-.~!@%^*=$&#()]{11,127})(?:[ \t]+#[^\n]*)?[ \t]*\r?$"
                    ),
                ),
                validate::generic_line_value,
            ),
            3.5,
        )),
        line_setting_follows,
    ),
    opened_by(
        generic(entropy(
            checked(
                rule(
                    "generic-secret-pair",
                    "High-entropy secret-named key=value pair inside a line (logs, commands, query strings)",
                    GENERIC_KEYWORDS,
                    concat!(
                        r"(?i)(?:^|[\s;,&?({\[])",
                        secret_name!(),
                        r"=(?P<secret>[^\s\x22'`&;,)}\]]{12,128})(?:[\s\x22'`&;,)}\]]|$)"
                    ),
                ),
                validate::generic_line_value,
            ),
            3.5,
        )),
        pair_follows,
    ),
    opened_by(
        generic(entropy(
            checked(
                rule(
                    "cli-secret-argument",
                    "Secret passed as a command-line argument (--password X, --token=X, -u user:pass)",
                    &[
                        "password",
                        "passwd",
                        "pass",
                        "secret",
                        "token",
                        "key",
                        "credential",
                        "-u ",
                        "--user",
                    ],
                    r#"(?i)(?:^|[\s"'\[,])--?(?P<name>[a-z0-9-]*(?:password|passwd|pass|secret|token|api-?key|apikey|access-?key|auth-?key|credentials?|requirepass))(?:(?:=|\s+)["']?|["']\s*,\s*["'])(?P<secret>[^\s"'`]{8,128})(?:[\s"'`]|$)|(?:^|\s)(?:-u|--user)\s+["']?[A-Za-z0-9_][A-Za-z0-9._+@-]*:(?P<secret2>[^\s"'@`\\/][^\s"'@`]{5,127})(?:[\s"'`]|$)"#,
                ),
                validate::generic_value,
            ),
            3.0,
        )),
        flag_follows,
    ),
    generic(entropy(
        checked(
            rule(
                "cli-password-short-flag",
                "Password given to a command's short flag (docker login -p X, mysql -pX, htpasswd -b file user X, psexec -u user -p X, sshpass -p X, echo X | docker login --password-stdin)",
                &[
                    "login",
                    "mysql",
                    "htpasswd",
                    "mariadb",
                    "psexec",
                    "paexec",
                    "sshpass",
                    "password-stdin",
                ],
                concat!(
                    r#"(?i)\b(?:docker|podman|nerdctl|buildah|skopeo|oras|helm(?:[ \t]+registry)?)[ \t]+login\b[^\n]*?[ \t](?-i:-p)[ \t]+["']?(?P<login>[^\s"'`$][^\s"'`]{5,127})"#,
                    r#"|\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mariadb|mariadb-dump)\b[^\n]*?[ \t](?-i:-p)["']?(?P<mysql>[^\s"'`$-][^\s"'`]{5,127})"#,
                    r#"|\bhtpasswd(?:[ \t]+-[a-z]+)*[ \t]+-[a-z]*b[a-z]*(?:[ \t]+-[a-z]+)*[ \t]+\S+[ \t]+\S+[ \t]+["']?(?P<htpasswd>[^\s"'`$][^\s"'`]{5,127})"#,
                    // Sysinternals PsExec (and PAExec, its open clone): `-u user -p password`
                    // runs a command on another host as that account.
                    r#"|\b(?:psexec|psexec64|paexec)(?:\.exe)?\b[^\n]*?[ \t](?-i:-p)[ \t]+["']?(?P<psexec>[^\s"'`$%-][^\s"'`]{5,127})"#,
                    // sshpass(1): `-p password` hands the password to ssh.
                    r#"|\bsshpass(?:[ \t]+-[a-oq-zA-Z])*[ \t]+(?-i:-p)[ \t]*["']?(?P<sshpass>[^\s"'`$-][^\s"'`]{5,127})"#,
                    // `echo 'X' | docker login --password-stdin`: the flag meant to keep the
                    // password off the command line, given a literal.
                    r#"|\b(?:echo(?:[ \t]+-[neE]+)?|printf(?:[ \t]+["']%s["'])?)[ \t]+["']?(?P<stdin>[^\s"'`$|-][^\s"'`|]{5,127})["']?[ \t]*\|[ \t]*(?:docker|podman|nerdctl|buildah|skopeo|oras|helm)\b[^\n|]*--password-stdin"#,
                ),
            ),
            validate::generic_value,
        ),
        3.0,
    )),
    opened_by(
        generic(entropy(
            checked(
                rule(
                    "secret-setting-in-text",
                    "Value of an upper-case secret setting written inside a line (a log's `DB_PASSWORD: x`)",
                    &[
                        "password",
                        "passwd",
                        "secret",
                        "token",
                        "private_key",
                        "api_key",
                        "access_key",
                    ],
                    concat!(
                        r#"(?:^|[\s,;(\[{])(?P<name>[A-Z][A-Z0-9_]*(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_KEY|ACCESS_KEY|PRIVATE_KEY|SECRET_KEY|AUTH_KEY)[A-Z0-9_]*)"#,
                        r#":[ \t]+(?P<secret>[^\s"'`,;]{12,128})(?:[\s,;]|$)"#,
                    ),
                ),
                validate::generic_value,
            ),
            3.5,
        )),
        line_setting_follows,
    ),
    Rule {
        following_lines: 1,
        ..opened_by(
            generic(entropy(
                checked(
                    rule(
                        "kubernetes-env-secret",
                        "Secret in a Kubernetes or Compose env list (name: on one line, value: on the next)",
                        GENERIC_KEYWORDS,
                        concat!(
                            r#"(?i)-\s*name:\s*["']?"#,
                            secret_name!(),
                            r#"["']?\s*\r?\n\s*value:\s*["']?(?P<secret>[^\s"'`]{8,128})(?:[\s"'`]|$)"#
                        ),
                    ),
                    validate::generic_value,
                ),
                3.3,
            )),
            env_list_name_follows,
        )
    },
    opened_by(
        generic(entropy(
            checked(
                rule(
                    "generic-key-assignment",
                    "Long random value of a setting whose name ends in KEY",
                    &["key"],
                    // `db_key`, `cosmos.key`, and camel case: `cosmosDbKey`, `PresharedKey`.
                    r#"(?i)\b(?P<name>[a-z0-9_.-]*(?:[_.-]key|[a-z0-9](?-i:K)ey))(?:["'\]]{0,2}\s*(?:[:=]|:=|=>)|["']\]?\s*,)\s*["'`]?(?P<secret>[A-Za-z0-9+/_-]{32,128}={0,2})(?:["'`\s,;]|$)"#,
                ),
                validate::generic_value,
            ),
            4.2,
        )),
        key_name_ends,
    ),
    opened_by(
        generic(entropy(
            checked(
                rule(
                    "xml-element-secret",
                    "High-entropy text of a secret-named XML element (<apiKey>...</apiKey>)",
                    GENERIC_KEYWORDS,
                    concat!(r"(?i)<", secret_name!(), r">(?P<secret>[^<\s]{12,128})</"),
                ),
                validate::generic_value,
            ),
            3.3,
        )),
        element_follows,
    ),
    // ---- Default and weak passwords --------------------------------------------------------
    // A vendor's default (`postgres`, `minioadmin`, RabbitMQ's `guest`) or a password from the
    // top of every guessing list, set in configuration: not a leaked secret but a known one.
    // Only these values fire; the gate keeps the finding for deployment configuration.
    Rule {
        known_values: true,
        ..checked(
            rule(
                "default-password",
                "Default or weak password set in configuration",
                &["password", "passwd", "pwd", "_pass"],
                r#"(?im)(?:^|[ \t,{"'-])(?P<name>[a-z0-9_.-]*(?:password|passwd|pwd|_pass))["']?[ \t]*[:=][ \t]*["']?(?P<secret>[A-Za-z0-9@!_.$-]{2,32})["']?[ \t]*[,}\]]?(?:[ \t]+#.*)?[ \t\r]*$"#,
            ),
            validate::default_password,
        )
    },
];

#[cfg(test)]
mod keyword_checks {
    use super::{RULES, Rule};

    fn rule(id: &str) -> &'static Rule {
        RULES.iter().find(|r| r.id == id).expect("a built-in rule")
    }

    /// Every match of `rule` in `text` passes its check at one of the rule's keywords inside
    /// it (the check only spares windows that could hold no match), and `expected` matches are
    /// found.
    fn holds(id: &str, text: &str, expected: usize) {
        let rule = rule(id);
        let check = rule.keyword_check.expect("the rule has a check");
        let regex = regex_automata::meta::Regex::new(rule.pattern).expect("the pattern compiles");
        let lower = text.to_ascii_lowercase();
        let mut found = 0;
        for m in regex.find_iter(text.as_bytes()) {
            let passes = rule.keywords.iter().any(|keyword| {
                lower[m.start()..m.end()]
                    .match_indices(keyword)
                    .any(|(at, k)| check(text.as_bytes(), m.start() + at, m.start() + at + k.len()))
            });
            assert!(passes, "{id}: {text}");
            found += 1;
        }
        assert_eq!(found, expected, "{id}: {text}");
    }

    /// The check fails at the first occurrence of `keyword` in each of `texts`.
    fn fails(id: &str, keyword: &str, texts: &[&str]) {
        let check = rule(id).keyword_check.expect("the rule has a check");
        for text in texts {
            let at = text
                .to_ascii_lowercase()
                .find(keyword)
                .expect("the keyword");
            assert!(
                !check(text.as_bytes(), at, at + keyword.len()),
                "{id}: {text}"
            );
        }
    }

    #[test]
    fn checks_around_a_keyword_keep_every_match() {
        let hex = "0123456789abcdef".repeat(4);
        holds(
            "airtable-token",
            &format!("AIRTABLE=patAbCdEfGh123456.{hex}"),
            1,
        );
        holds(
            "airtable-token",
            &format!("x = \"patAbCdEfGh123456.{hex}\"; path"),
            1,
        );
        // Split so that harden's own scan of this file finds no credentials in it.
        for url in [
            concat!(
                "postgres://app:",
                "s3cr3t-Pa55word",
                "@db.internal:5432/app"
            ),
            concat!("jdbc:mysql://root:", "Sup3rS3cret!", "@mysql.internal/db"),
            concat!("redis://:", "hunter2hunter2", "@cache:6379/0"),
            concat!("amqps://user:", "p4ss:w0rd", "@broker"),
            concat!(
                "DATABASE_URL='mongodb+srv://admin:",
                "Zx9QwErTy",
                "@cluster0.internal/db'"
            ),
        ] {
            holds("url-credentials", url, 1);
        }
        let value = concat!("Qx7", "vT2mLp9", "Zr4sWk8");
        for (id, line) in [
            (
                "generic-secret-assignment",
                format!("api_key = \"{value}\""),
            ),
            (
                "generic-secret-assignment",
                format!("\"dbPassword\": \"{value}\","),
            ),
            (
                "generic-secret-assignment",
                format!("const TOKEN: &str = \"{value}\";"),
            ),
            (
                "generic-secret-assignment",
                format!("$settings['secret'] = '{value}';"),
            ),
            (
                "generic-secret-assignment",
                format!("auth_token ??= \"{value}\""),
            ),
            (
                "generic-secret-assignment",
                format!("<add key=\"ApiKey\" value=\"{value}\"/>"),
            ),
            (
                "generic-secret-argument",
                format!("define('AUTH_SALT', '{value}');"),
            ),
            ("generic-secret-line", format!("DB_PASSWORD={value}")),
            ("generic-secret-line", format!("  client_secret : {value}")),
            (
                "generic-secret-pair",
                format!("curl host?x=1&access_token={value}&y"),
            ),
            (
                "secret-setting-in-text",
                format!("found DB_PASSWORD: {value} in log"),
            ),
            (
                "kubernetes-env-secret",
                format!("- name: \"API_TOKEN\"  \r\n  value: {value}"),
            ),
            ("xml-element-secret", format!("<apiKey>{value}</apiKey>")),
            (
                "generic-key-assignment",
                format!("cosmosDbKey: \"{value}{value}\""),
            ),
            (
                "generic-key-assignment",
                format!("[\"storage.key\"] = \"{value}{value}\""),
            ),
            (
                "generic-key-assignment",
                format!("('db-key', '{value}{value}')"),
            ),
            ("cli-secret-argument", format!("tool --api-key {value}")),
            ("cli-secret-argument", format!("tool --db-password={value}")),
            (
                "cli-secret-argument",
                format!("[\"--credentials\", \"{value}\"]"),
            ),
            ("cli-secret-argument", format!("curl -u admin:{value} host")),
        ] {
            holds(id, &line, 1);
        }
    }

    #[test]
    fn common_text_fails_the_checks() {
        fails(
            "airtable-token",
            "pat",
            &["path", "pattern = 1", "patch(", "pat", "patAbCdEfGh12345.x"],
        );
        fails(
            "url-credentials",
            "://",
            &[
                "https://example.com/path",
                "see https://docs.rs/regex",
                "\"http://\"",
                "git://host user@other",
                "://",
            ],
        );
        let code = [
            "let n = token.len();",
            "fn token(&self) -> Token {",
            "tokens.push(t)",
            "the secret is passed to",
            "passwordHash(",
            "auth",
        ];
        for id in [
            "generic-secret-assignment",
            "generic-secret-argument",
            "generic-secret-line",
            "generic-secret-pair",
            "kubernetes-env-secret",
            "xml-element-secret",
        ] {
            let keyword = |t: &str| {
                ["token", "secret", "password", "auth"]
                    .into_iter()
                    .find(|k| t.contains(k))
                    .unwrap()
            };
            for text in code {
                fails(id, keyword(text), &[text]);
            }
        }
        fails(
            "generic-secret-argument",
            "token",
            &["f(\"token\")", "(\"token\" + x, \"y\")"],
        );
        fails("generic-secret-line", "token", &["token(a) = b"]);
        fails("generic-secret-pair", "token", &["token = x"]);
        fails("xml-element-secret", "token", &["<token/>"]);
        fails(
            "generic-key-assignment",
            "key",
            &[
                "monkey = 1",
                "keys: Vec",
                "key_id = 3",
                "map.get(key)",
                "self.key(k)",
            ],
        );
        fails(
            "cli-secret-argument",
            "token",
            &["the token is", "--token-file x", "token=abc", "get_token x"],
        );
    }
}
