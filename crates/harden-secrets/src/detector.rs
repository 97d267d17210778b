use std::sync::{Arc, OnceLock};

use harden_model::{LineCol, Secret};
use regex_automata::util::syntax;
use regex_automata::{Input, meta};

use crate::decode::{self, Encoding};
use crate::keywords::{Hit, Keywords};
use crate::rules::Rule;
use crate::validate::shannon_entropy;

/// A secret found in a text.
#[derive(Debug, Clone)]
pub struct Match {
    /// Rule id.
    pub rule: Arc<str>,
    /// What the rule finds.
    pub description: Arc<str>,
    /// The secret (masked when shown).
    pub secret: Secret,
    /// Byte range of the secret, or of the encoded run it was decoded from.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
    /// Position of the first character of the range.
    pub position: LineCol,
    /// Position just past the range.
    pub end_position: LineCol,
    /// The layers the secret was hidden under, outermost first (empty when in clear text).
    pub encodings: Vec<Encoding>,
    /// Why it may not be a working credential, though it is still exposure (a token whose
    /// checksum does not match: truncated or altered).
    pub doubt: Option<&'static str>,
    /// Why the credential is public by design, where it is (see
    /// [`crate::rules::Rule::public`]).
    pub public: Option<&'static str>,
}

/// The doubt of a token that fails its format's checksum.
pub const CHECKSUM_DOUBT: &str =
    "its checksum does not match: a truncated or altered token, still exposure";

/// Why a provider's token may be made up though it has no checksum to fail: no digit in it.
pub const LETTERS_ONLY_DOUBT: &str =
    "not one digit in its random characters: most likely made up for a test or a document";

/// Whether `value` is a long token of letters in both cases and no digit at all. A provider's
/// token is random over letters and digits, so one of 40 or more such characters holds a digit
/// but about once in 1,100 ((52/62)^40; once in 1.8 million for a fine-grained GitHub token's
/// 82): hedgedoc's tests validate `github_pat_mXqBhOix…`, typed letter by letter. The prefix
/// (up to its last `_` or `-` in the first 12 bytes: `github_pat_`, `sk-proj-`) is not random
/// and is not counted. Only a doubt, never a reason to drop: the finding stays, a step lower.
fn letters_only_token(value: &str) -> bool {
    let bytes = value.as_bytes();
    let prefix = bytes[..bytes.len().min(12)]
        .iter()
        .rposition(|b| matches!(b, b'_' | b'-'))
        .map_or(0, |i| i + 1);
    let random = &bytes[prefix..];
    random.iter().filter(|b| b.is_ascii_alphabetic()).count() >= 40
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-'))
        && random.iter().any(u8::is_ascii_uppercase)
        && random.iter().any(u8::is_ascii_lowercase)
}

/// A rule written in `harden.toml` (or anywhere else outside the built-in set).
#[derive(Debug, Clone, PartialEq)]
pub struct CustomRule {
    /// Stable id; must not collide with a built-in id.
    pub id: String,
    /// What it finds.
    pub description: String,
    /// Regular expression; the secret is the first capture group that takes part.
    pub pattern: String,
    /// Keywords that gate the rule; without any, the rule runs on every text.
    pub keywords: Vec<String>,
    /// Minimum Shannon entropy of the secret, bits per character.
    pub min_entropy: Option<f64>,
}

/// Adjustments to the built-in set: rules added, rules turned off, values allowed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DetectorConfig {
    /// Built-in rule ids to turn off.
    pub disabled: Vec<String>,
    /// Rules to add.
    pub custom: Vec<CustomRule>,
    /// Regular expressions; a secret value matching any of them is not reported.
    pub allow: Vec<String>,
}

struct Compiled {
    id: Arc<str>,
    description: Arc<str>,
    pattern: Arc<str>,
    /// Compiled on the first search that needs it: most runs (and every masking of output)
    /// never reach most rules, and compiling all of them cost every command ~30 ms at start.
    regex: OnceLock<Pattern>,
    min_entropy: Option<f64>,
    validator: Option<fn(&str) -> bool>,
    multiline: bool,
    near: bool,
    generic: bool,
    following_lines: u8,
    ignore_names: &'static [&'static str],
    checksum: bool,
    known_values: bool,
    /// See [`crate::rules::Rule::keyword_check`].
    keyword_check: Option<crate::rules::KeywordCheck>,
    /// See [`crate::rules::Rule::public`].
    public: Option<&'static str>,
    /// The rule's keywords, in lower case.
    keywords: Vec<String>,
    /// Whether every match starts with one of the keywords at a word boundary; worked out
    /// from the pattern on the rule's first keyword hit.
    starts_at_boundary: OnceLock<bool>,
    /// Whether a search over a whole text is cheap: the pattern opens with a literal the
    /// regex engine can jump to. Patterns that open with a class or an anchor (the
    /// secret-named-setting rules) are only ever searched in their windows.
    whole_text_ok: bool,
}

/// A rule's regex and its named groups.
struct Pattern {
    regex: meta::Regex,
    /// Index of the group named `secret`, if the pattern names it.
    secret_group: Option<usize>,
    /// Index of the group named `name` (the setting's name), if any.
    name_group: Option<usize>,
}

impl Pattern {
    fn of(regex: meta::Regex) -> Self {
        let group = |name: &str| {
            regex
                .group_info()
                .to_index(regex_automata::PatternID::ZERO, name)
        };
        Self {
            secret_group: group("secret"),
            name_group: group("name"),
            regex,
        }
    }
}

impl Compiled {
    /// A rule; `regex` is given when it was compiled already (custom rules are compiled when
    /// the detector is built, so that a bad one is reported then).
    fn new(
        id: &str,
        description: &str,
        pattern: &str,
        regex: Option<meta::Regex>,
        multiline: bool,
    ) -> Self {
        let names_a_setting = pattern.contains("?P<name>") || pattern.contains("?<name>");
        let line_anchored = pattern.starts_with('^') || pattern.contains(")^");
        let whole_text_ok = !names_a_setting && !line_anchored;
        let lazy = OnceLock::new();
        if let Some(regex) = regex {
            let _ = lazy.set(Pattern::of(regex));
        }
        Self {
            id: Arc::from(id),
            description: Arc::from(description),
            pattern: Arc::from(pattern),
            regex: lazy,
            min_entropy: None,
            validator: None,
            multiline,
            near: false,
            generic: false,
            following_lines: 0,
            ignore_names: &[],
            checksum: false,
            known_values: false,
            keyword_check: None,
            public: None,
            keywords: Vec::new(),
            starts_at_boundary: OnceLock::new(),
            whole_text_ok,
        }
    }

    /// See [`Compiled::starts_at_boundary`] (the field).
    fn starts_at_boundary(&self) -> bool {
        *self
            .starts_at_boundary
            .get_or_init(|| starts_with_keyword_at_boundary(&self.pattern, &self.keywords))
    }

    /// The rule's regex, compiled on first use. Built-in patterns are known to compile (a test
    /// compiles every one); should one not, it matches nothing rather than failing a scan.
    fn pattern(&self) -> &Pattern {
        self.regex.get_or_init(|| {
            Pattern::of(compile(&self.pattern).unwrap_or_else(|_| {
                meta::Regex::new_many::<&str>(&[]).unwrap_or_else(|_| unreachable!())
            }))
        })
    }
}

/// Compiled rules and their keyword prefilter.
pub struct Detector {
    rules: Vec<Compiled>,
    keywords: Keywords,
    /// For each keyword pattern, the rules that list it.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules without keywords, run on every text.
    always: Vec<usize>,
    allow: Vec<meta::Regex>,
}

/// How far around a keyword a single-line rule looks (bounded so that minified one-line files
/// cost no more than ordinary ones).
const LINE_REACH: usize = 1024;
/// How far after a keyword a multi-line rule (a key block) looks.
const BLOCK_REACH: usize = 64 * 1024;
/// Keyword windows of one rule in one text beyond which the rule runs on the whole text.
const DENSE_WINDOWS: usize = 32;
/// Encoded layers inside encoded layers, at most.
const MAX_DEPTH: u8 = 2;
/// Decoded bytes examined per scanned text, at most.
const DECODE_BUDGET: usize = 8 << 20;

/// Whether a token that fails its checksum reads as typed by a person rather than minted: a
/// real one is random (base62), so a word or a counting run in it (`NotARealToken…0123456789`)
/// makes it a made-up value for a test or a document, not a damaged credential. The four-letter
/// words are what a random 36-character body holds by chance most often: about once in seven
/// thousand bodies, which are then dropped like the made-up ones.
fn made_up(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    let body = &lower[lower.find('_').map_or(0, |i| i + 1)..];
    [
        "test", "fake", "mock", "demo", "token", "sample", "secret", "invalid", "notreal",
        "example", "abcdef", "01234", "12345", "23456", "34567", "45678", "56789",
    ]
    .iter()
    .any(|word| body.contains(word))
}

/// Whether a value set under a secret's name is a placeholder, also written in leet
/// (`change-me`, `<key>`, `ch4n63m31fy0uc4n`): for other gates that read settings (committed
/// env files), where a value of sample words may still be a real, weak one.
pub fn typed_placeholder(value: &str) -> bool {
    let plain = unleet(&value.to_ascii_lowercase()).replace(['-', '_'], "");
    placeholder(value)
        || ["changeme", "replaceme", "changethis"]
            .iter()
            .any(|w| plain.contains(w))
}

/// Values that look like secrets but are documentation, placeholders or references.
fn placeholder(secret: &str) -> bool {
    // `replace-me` and `replace_me` alike.
    let lower = secret.to_ascii_lowercase().replace('-', "_");
    [
        // A masked secret (`sk_l…(40)#20b7`) in a report or snapshot is not a secret.
        "…",
        "example",
        // A value with its tail blanked out (`d2dc414f9953226bad0a356c794XXXXX`).
        "xxxx",
        // Counting, the way examples are typed (`unkey_1234567890abcdef`): a random value holds
        // nine ascending digits or eight ascending letters by chance almost never.
        "123456789",
        "abcdefgh",
        "changeme",
        "change_me",
        "change-me",
        "your_",
        "your-",
        "yourkey",
        "${",
        "{{",
        "$(",
        "placeholder",
        "dummy",
        "redacted",
        "insert",
        "****",
        "....",
        "replace_me",
        "replaceme",
        // `REPLACE_WITH_32_CHAR_KEY`, `replace-this-secret`.
        "replace_with",
        "replace_this",
        "random_string",
        "_here",
        // SOPS and similar tools: an encrypted value is not a secret in clear.
        "enc[",
        "...",
    ]
    .iter()
    .any(|marker| lower.contains(marker))
        // The same fillers run together in camel case (`SomeRandomString`,
        // `SomeRandom32CharString`, Laravel's old `.env.example` values).
        // Also in leet (`S0m3R@nd0mStr1ngOf32Ch@rsEx@ctly`, Firefly III's compose file).
        || {
            let joined = lower.replace('_', "");
            let read = unleet(&joined);
            ["somerandom", "randomstring", "randomchar", "randomkey", "randomsecret"]
                .iter()
                .any(|marker| joined.contains(marker) || read.contains(marker))
        }
        || angle_placeholder(secret)
        // A fill-in written in camel case (`yourWeak(!)Password`, `YourApiKey`).
        || secret
            .strip_prefix("your")
            .or_else(|| secret.strip_prefix("Your"))
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        || secret
            .chars()
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            < 5
        || repeated_run(secret)
        // Format-string holes: `{password}`, `%(password)s`, `%s`.
        || (secret.starts_with('{') && secret.ends_with('}'))
        || secret.starts_with("%(")
        || secret == "%s"
        || OBVIOUS
            .iter()
            .any(|word| lower == *word || lower.strip_suffix("123") == Some(word))
}

/// Whether a user's pattern may match across a line break (dot-all flag, `\n`, `\s`), so
/// its windows must reach past the keyword's line.
fn may_cross_lines(pattern: &str) -> bool {
    let dot_all = pattern.match_indices("(?").any(|(at, _)| {
        pattern[at + 2..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic() || *c == '-')
            .any(|c| c == 's')
    });
    dot_all || pattern.contains("\\n") || pattern.contains("\\s")
}

/// File extensions: a setting "named" `token.rs` or `secret.json` is a file, not a setting.
const FILE_EXTENSIONS: &[&str] = &[
    "rs", "py", "js", "ts", "tsx", "jsx", "go", "rb", "java", "kt", "cs", "php", "c", "h", "cc",
    "cpp", "hpp", "sh", "json", "yaml", "yml", "toml", "md", "txt", "html", "css", "xml", "lock",
    "cfg", "ini", "swift", "scala", "sql", "proto", "list", "log", "csv", "tsv", "gz", "zip",
    "tar", "bin", "dat", "out", "tmp", "bak", "sum", "mod", "lst", "jar", "whl", "tgz", "so",
    "dll", "exe",
];

/// A file name (`src/token.rs`, `client_secret.json`), not a setting.
fn file_like(name: &[u8]) -> bool {
    let Some(dot) = name.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    let extension = name[dot + 1..].to_ascii_lowercase();
    FILE_EXTENSIONS.iter().any(|e| e.as_bytes() == extension)
}

/// Words a segment of a secret-named setting ends with (`mysqlpassword`, `apitoken`,
/// `secretkey`): `tokenizerModel` or `passengerCount` contain a word but name no secret.
const SECRET_SEGMENT_ENDINGS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "pw",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "key",
    "credential",
    "credentials",
    "salt",
    "auth",
];

/// What a `…_key` names when it is a record's or a document's identifier rather than a
/// credential: `test_spreadsheet_key` (gspread's `open_by_key`), `cache_key`, `idempotency_key`,
/// `partition_key`, RabbitMQ's `routing_key`. Only the word right before a final `key` counts:
/// `sheets_api_key` is an API key.
const IDENTIFIER_KEY_KINDS: &[&str] = &[
    "spreadsheet",
    "sheet",
    "cache",
    "idempotency",
    "dedup",
    "dedupe",
    "deduplication",
    "partition",
    "sort",
    "foreign",
    "routing",
    "lookup",
];

fn identifier_key(segments: &[String]) -> bool {
    match segments {
        [.., kind, last] => last == "key" && IDENTIFIER_KEY_KINDS.contains(&kind.as_str()),
        _ => false,
    }
}

fn names_a_secret(segments: &[String]) -> bool {
    segments
        .iter()
        .any(|s| SECRET_SEGMENT_ENDINGS.iter().any(|w| s.ends_with(w)))
}

/// A setting's name in lower-case segments: split at `_`, `.`, `-`, `/` and where a lower-case
/// letter or digit is followed by an upper-case one (`dbPasswordHash` → db, password, hash).
fn name_segments(name: &[u8]) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut previous: u8 = 0;
    for &b in name {
        let boundary = matches!(b, b'_' | b'.' | b'-' | b'/')
            || (b.is_ascii_uppercase()
                && (previous.is_ascii_lowercase() || previous.is_ascii_digit()));
        if boundary && !current.is_empty() {
            segments.push(std::mem::take(&mut current));
        }
        if b.is_ascii_alphanumeric() {
            current.push(b.to_ascii_lowercase() as char);
        }
        previous = b;
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .to_ascii_lowercase()
        .windows(needle.len())
        .any(|w| w == needle)
}

/// `<TOKEN>`, `<your key>`, `prefix_<name>`: a name in angle brackets stands for a value.
fn angle_placeholder(secret: &str) -> bool {
    secret.starts_with('<')
        || secret.match_indices('<').any(|(at, _)| {
            let rest = &secret[at + 1..];
            rest.find('>').is_some_and(|close| {
                close > 0
                    && rest[..close]
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b' '))
            })
        })
}

/// Eight or more of the same character in a row near the end (`sk_live_000000000000`): a
/// filler, not a key. Only the tail is judged: some formats start with a fixed run (Twitter
/// bearer tokens open with twenty-one `A`s).
fn repeated_run(secret: &str) -> bool {
    let bytes = secret.as_bytes();
    let bytes = &bytes[bytes.len().saturating_sub(16)..];
    let mut run = 1;
    for pair in bytes.windows(2) {
        run = if pair[0] == pair[1] { run + 1 } else { 1 };
        if run >= 8 {
            return true;
        }
    }
    false
}

/// Well-known values from providers' documentation and tutorials: published, never live.
const DOCUMENTED: &[&str] = &[
    // The jwt.io example token's signature.
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    // Stripe's documentation test keys.
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
    // The storage emulator's (Azurite) published account key.
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
];

/// Keys meant to be public, though their settings are named like secrets: Stripe publishable
/// keys and PostHog project keys.
const PUBLIC_PREFIXES: &[&str] = &["pk_live_", "pk_test_", "phc_", "pk.eyJ"];

/// Words that mark a value assigned to a secret-named setting as a sample (`test-api-key-1`),
/// judged only for the generic rules: provider formats carry their own structure.
const SAMPLE_WORDS: &[&str] = &[
    "test",
    "sample",
    "fake",
    "mock",
    "demo",
    "foo",
    "bar",
    "foobar",
    "abc123",
    "123456",
    "qwerty",
    "secret123",
    "password1",
    "hunter2",
    "lorem",
    "ipsum",
    "dummy",
    "example",
    "password",
    "passwd",
    "secret",
    "token",
    "credentials",
    "email",
    "username",
    "pass",
    "wrong",
    "invalid",
    // `whsec_not!base64`, `not-a-real-key`.
    "not",
    // `SecurePass123!`, `secure_password`.
    "secure",
];

/// A value made of sample words (`test-api-key-1234`, `demo_token_2024`): judged word by word,
/// so `Latest2024Prod!x` is not a sample for containing "test".
fn sample_value(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    // Runs people type as fillers (`sk-lf-1234567890`), and values of letters only: a random
    // secret of twelve or more characters almost always has a digit or a symbol, an identifier
    // (`maxCompletionTokens`) never does.
    ["1234567", "abcdefg", "0000000", "abc123", "123abc"]
        .iter()
        .any(|run| lower.contains(run))
        || ["password", "secret", "changeme"]
            .iter()
            .any(|w| lower.starts_with(w) || unleet(&lower).starts_with(w))
        // A sample word and then digits (`test123TEST`, `demo2024`).
        || lower
            .split(|c: char| !c.is_ascii_alphabetic())
            .next()
            .is_some_and(|word| {
                word.len() >= 4
                    && SAMPLE_WORDS.contains(&word)
                    && lower[word.len()..].starts_with(|c: char| c.is_ascii_digit())
            })
        // Letters only, or words of letters joined by dots: the name of another setting
        // (`GP_PASSWORD_RESET_VALIDTIME = "security.validTime"`), not a value of its own.
        || value
            .split('.')
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphabetic()))
        || value
            .split(|c: char| !c.is_ascii_alphanumeric())
            .map(str::to_ascii_lowercase)
            .any(|word| {
                // `pass2`, `password1` and `secret123` are the same sample word.
                let bare = word.trim_end_matches(|c: char| c.is_ascii_digit());
                SAMPLE_WORDS.contains(&word.as_str()) || (!bare.is_empty() && SAMPLE_WORDS.contains(&bare))
            })
        || alphabet_walk(value)
        || version_requirement(value)
        || validation_rules(value)
        // Words run together in camel case (`updatedSecretKey123`): only long sample words
        // count, as a random value holds a short capitalised word by chance.
        || name_segments(value.as_bytes()).iter().any(|segment| {
            split_digits(segment)
                .iter()
                .any(|word| word.len() >= 5 && SAMPLE_WORDS.contains(word))
        })
}

/// A package version or requirement (`~1.4.0-beta.18`, `^2.0.5`, `>=3.1`): package.json names
/// a dependency `better-auth`, and its value is the version wanted, not a credential.
fn version_requirement(value: &str) -> bool {
    let bare = value.trim_start_matches(['^', '~', '=', '>', '<', 'v', ' ']);
    let (core, label) = bare
        .split_once(['-', '+'])
        .map_or((bare, ""), |(core, label)| (core, label));
    let numbers: Vec<&str> = core.split('.').collect();
    (2..=4).contains(&numbers.len())
        && numbers
            .iter()
            .all(|n| (1..=8).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()))
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+'))
}

/// A validator's rule list (Laravel's `'password' => 'required|min:8|confirmed'`): what a
/// password must be, not one.
fn validation_rules(value: &str) -> bool {
    let names: Vec<&str> = value
        .split('|')
        .map(|rule| rule.split(':').next().unwrap_or_default())
        .collect();
    names.len() >= 2
        && names
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        && names.iter().any(|n| {
            matches!(
                *n,
                "required" | "nullable" | "sometimes" | "confirmed" | "string" | "min" | "max"
            )
        })
}

/// Letters that people type for others that look alike (`P@ssw0rd`, `s3cr3t`), read back.
fn unleet(lower: &str) -> String {
    lower
        .chars()
        .map(|c| match c {
            '@' | '4' => 'a',
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '$' | '5' => 's',
            '6' | '9' => 'g',
            '7' => 't',
            other => other,
        })
        .collect()
}

/// Letters that walk the alphabet (`Ab3+/Cd4ef5GH6ij7KL8`): typed as a filler, not generated.
/// Or letters and digits that count up together (`def456ghi789`, `abc123def456`): a random
/// value steps to the next character about once in sixty.
fn alphabet_walk(value: &str) -> bool {
    let walks = |chars: &[u8], min: usize| {
        chars.len() >= min
            && chars.windows(2).filter(|w| w[1] == w[0] + 1).count() * 10 >= (chars.len() - 1) * 7
    };
    let letters: Vec<u8> = value
        .bytes()
        .filter(u8::is_ascii_alphabetic)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let alphanumerics: Vec<u8> = value
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    walks(&letters, 10) || walks(&alphanumerics, 8)
}

/// `key123abc` → `key`, `123`, `abc`.
fn split_digits(segment: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = segment.as_bytes();
    for i in 1..bytes.len() {
        if bytes[i].is_ascii_digit() != bytes[i - 1].is_ascii_digit() {
            parts.push(&segment[start..i]);
            start = i;
        }
    }
    parts.push(&segment[start..]);
    parts
}

/// Values people write where a secret will go, not secrets themselves.
const OBVIOUS: &[&str] = &[
    "password",
    "secret",
    "passwd",
    "admin",
    "letmein",
    "username",
    "token",
    "mypassword",
];

/// Whether the name at `start..end` is a `data-` attribute inside a `<script` tag on its line.
fn script_tag_attribute(text: &[u8], start: usize, end: usize) -> bool {
    let line_start = text[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let before = text[line_start..start].to_ascii_lowercase();
    let Some(tag) = before.windows(7).rposition(|w| w == b"<script") else {
        return false;
    };
    let data =
        before.ends_with(b"data-") || text[start..end].to_ascii_lowercase().starts_with(b"data-");
    data && !before[tag..].contains(&b'>')
}

/// 32 hexadecimal digits: the shape of every Algolia API key.
fn algolia_shaped(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether the value at `at` sits in an Algolia search configuration (`indexName` or
/// `algolia` within a few lines).
fn search_only_key(text: &[u8], at: usize) -> bool {
    let from = at.saturating_sub(400);
    let to = (at + 400).min(text.len());
    let window = text[from..to].to_ascii_lowercase();
    [b"indexname".as_slice(), b"algolia".as_slice()]
        .iter()
        .any(|word| window.windows(word.len()).any(|w| w == *word))
}

/// base64url of a JSON object naming an algorithm, with no payload or signature after it.
fn jwt_header_only(value: &str) -> bool {
    value.starts_with("eyJ")
        && !value.contains('.')
        && base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            value.trim_end_matches('='),
        )
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .is_some_and(|json| json.trim_start().starts_with('{') && json.contains("\"alg\""))
}

/// Whether a setting's name is a product analytics client's key: the product's name and no
/// word of a server-side credential.
fn analytics_client_key(name: &[u8]) -> bool {
    let segments = name_segments(name);
    let has = |word: &str| segments.iter().any(|s| s == word);
    let product = [
        "posthog",
        "mixpanel",
        "amplitude",
        "plausible",
        "fathom",
        "umami",
    ]
    .iter()
    .any(|p| has(p))
        || ((has("segment") || has("rudderstack")) && has("write"));
    product
        && !segments.iter().any(|s| {
            [
                "secret",
                "personal",
                "private",
                "admin",
                "management",
                "password",
            ]
            .iter()
            .any(|w| s.contains(w))
        })
}

/// Whether `value` is its setting's `name`, or that name with words around it, no digit and no
/// symbol but separators (`Jellyfin-IsApiKey`): a label, where a key that starts with its name
/// (`apikey-7f8a9b2c…`) or a password that spells it (`prod-db-password-Xq!z%Wk`) still has a
/// random part.
fn labelled_by_name(name: &[u8], value: &str) -> bool {
    let fold = |bytes: &[u8]| -> Vec<u8> {
        bytes
            .iter()
            .filter(|b| b.is_ascii_alphanumeric())
            .map(u8::to_ascii_lowercase)
            .collect()
    };
    let (name, folded) = (fold(name), fold(value.as_bytes()));
    if name.is_empty() || name == folded {
        return !name.is_empty();
    }
    // A reference in code may lead with `&` or `*` and close a call (`&TestConfig::
    // delegated_credential),`).
    let bare = value
        .trim_start_matches(['&', '*'])
        .trim_end_matches([')', ',', ';']);
    name.len() >= 6
        && memchr::memmem::find(&folded, &name).is_some()
        && bare
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || matches!(b, b'-' | b'_' | b'.' | b':' | b' '))
}

/// Whether the name at `start..end` is the `token` query parameter of a Firebase Storage
/// download URL (`https://firebasestorage.googleapis.com/v0/b/<bucket>/o/<object>?alt=media
/// &token=…`, or a bucket on `firebasestorage.app`).
fn firebase_download_token(text: &[u8], start: usize, end: usize) -> bool {
    if !text[start..end].eq_ignore_ascii_case(b"token")
        || start == 0
        || !matches!(text[start - 1], b'&' | b'?')
    {
        return false;
    }
    // The URL: from its scheme to the quote or line end that closes it, 2 KiB at most each way
    // of the parameter. Spaces may be inside (a decoded `%20` in the object's name).
    let closes = |b: &u8| matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>' | b'\n');
    let floor = start.saturating_sub(2048);
    let ceiling = (end + 2048).min(text.len());
    let opened = text[floor..start]
        .iter()
        .rposition(closes)
        .map_or(floor, |p| floor + p + 1);
    let Some(scheme) = memchr::memmem::rfind(&text[opened..start], b"://") else {
        return false;
    };
    let url_end = text[end..ceiling]
        .iter()
        .position(closes)
        .map_or(ceiling, |p| end + p);
    let (before, url) = (
        &text[opened + scheme..start],
        &text[opened + scheme..url_end],
    );
    (before.starts_with(b"://firebasestorage.googleapis.com/")
        || contains(
            before.split(|&b| b == b'/').nth(2).unwrap_or_default(),
            b".firebasestorage.app",
        ))
        && contains(before, b"/o/")
        && contains(url, b"alt=media")
}

/// A Vue (`:name=` / `v-bind:name=`) or Angular (`[name]=`) attribute binding at `name`.
fn template_binding(text: &[u8], start: usize, end: usize) -> bool {
    let opened = start > 0 && matches!(text[start - 1], b':' | b'[');
    let rest = &text[end..text.len().min(end + 3)];
    opened && (rest.starts_with(b"=\"") || rest.starts_with(b"]=\""))
}

/// A member or call expression (`inheritedProperties?.auth`, `user.tokens[0]`, `getKey()`).
/// Code that follows a label rather than a value (`"Password:"),g?x.a.createElement(`): a
/// member call, a `.` then a name of three or more letters then `(`.
fn member_call(value: &str) -> bool {
    value.match_indices('(').any(|(at, _)| {
        let before = &value.as_bytes()[..at];
        let name = before
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        name >= 3 && before.len() > name && before[before.len() - name - 1] == b'.'
    })
}

/// A generic type as a declaration writes it: a capitalised name, then `[...]` of names,
/// commas, dots, spaces and `|` (`Optional[str]`, `List[SecretStr]`, `Dict[str, str]`).
fn type_annotation(value: &str) -> bool {
    let Some((name, rest)) = value.split_once('[') else {
        return false;
    };
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
        && rest.ends_with(']')
        && rest.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b',' | b'.' | b' ' | b'|' | b'[' | b']')
        })
}

fn expression(value: &str) -> bool {
    value
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'$'))
        && value
            .bytes()
            .any(|b| matches!(b, b'.' | b'?' | b'(' | b'['))
        && value.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'$' | b'.' | b'?' | b'!' | b'(' | b')' | b'[' | b']'
                )
        })
}

/// Rules that take whatever sits in a slot (a header, a URL's password): a provider's token
/// found inside the same text is the better finding.
const UNSTRUCTURED: &[&str] = &["http-basic-auth", "http-bearer-token", "url-credentials"];

/// Credentials that are sample words, or a password equal to its user name
/// (`test:password`, `invalid:invalid`, `AccountSid:AuthToken`): documentation and tests.
fn placeholder_credentials(user: &str, password: &str) -> bool {
    password.eq_ignore_ascii_case(user)
        || placeholder(password)
        || sample_value(password)
        || DOCUMENTED_CREDENTIALS.contains(&(user, password))
}

/// A JWT's header alone (`eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9`, `{"alg":"HS256","typ":"JWT"}`):
/// one base64url segment that decodes to a JSON object of JOSE header parameters only. It names
/// an algorithm and signs nothing; a token has a payload and a signature after it.
fn jose_header_alone(value: &str) -> bool {
    const JOSE_HEADER: &[&str] = &[
        "alg", "typ", "cty", "kid", "jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256", "crit", "enc",
        "zip", "b64",
    ];
    if !value.starts_with("eyJ") || value.contains('.') {
        return false;
    }
    let Ok(bytes) = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        value.trim_end_matches('='),
    ) else {
        return false;
    };
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes).is_ok_and(
        |header| !header.is_empty() && header.keys().all(|key| JOSE_HEADER.contains(&key.as_str())),
    )
}

/// Credentials that specifications print as their example, copied into tests and docs
/// everywhere: RFC 7617's (and RFC 2617's) basic authentication example.
const DOCUMENTED_CREDENTIALS: &[(&str, &str)] = &[("Aladdin", "open sesame")];

/// Rules with no format of their own (a password in a URL, a basic or bearer header, a
/// connection string) take whatever text sits in the slot: placeholders are judged as for
/// the generic rules, and a basic header by what it decodes to.
fn unstructured_placeholder(rule: &str, text: &[u8], start: usize, value: &str) -> bool {
    match rule {
        "http-basic-auth" => {
            let decoded = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, value)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok());
            decoded
                .as_deref()
                .and_then(|d| d.split_once(':'))
                .is_some_and(|(user, password)| placeholder_credentials(user, password))
        }
        "url-credentials" => {
            // The user sits between `://` and the `:` before the password.
            let before = &text[..start.saturating_sub(1)];
            let user_start = before.iter().rposition(|&b| b == b'/').map_or(0, |p| p + 1);
            let user = String::from_utf8_lossy(&before[user_start..]);
            // `$DB_PASS`, `%PASSWORD%`: filled in where the URL is used. A percent-encoded
            // password (`P%40ssword%21`) is judged as it decodes.
            !crate::validate::not_a_reference(value)
                || placeholder_credentials(&user, value)
                || placeholder_credentials(&user, &crate::decode::percent_decoded(value))
        }
        "docker-config-auth" => {
            let decoded = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, value)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok());
            decoded
                .as_deref()
                .and_then(|d| d.split_once(':'))
                .is_some_and(|(user, password)| placeholder_credentials(user, password))
        }
        // A key given a name that says it is made up (`TEST_FAKE_RSA_KEY_0`, `dummy_key:`):
        // a generated key carries no mark of its own, the name is what its author wrote.
        "private-key" => named_as_sample(text, start),
        "http-bearer-token" => sample_value(value) || jose_header_alone(value),
        "connection-string-password" => sample_value(value),
        // A netrc password is often letters only: judged by its words, not by that.
        "netrc-password" => {
            let lower = value.to_ascii_lowercase();
            let bare = lower.trim_end_matches(|c: char| c.is_ascii_digit());
            SAMPLE_WORDS.contains(&bare)
                || OBVIOUS.contains(&bare)
                || (lower.bytes().all(|b| b.is_ascii_alphanumeric())
                    && SAMPLE_WORDS
                        .iter()
                        .any(|w| w.len() >= 4 && lower.contains(w)))
        }
        _ => false,
    }
}

/// Words of a name that say its value is made up.
const MADE_UP_NAME_WORDS: &[&str] = &["fake", "dummy", "mock", "sample", "example"];

/// Whether the name a value at `start` is assigned to, on its line or (for a YAML or TOML
/// block that starts on the next line) the line before, has a word saying it is made up.
fn named_as_sample(text: &[u8], start: usize) -> bool {
    let start = start.min(text.len());
    let line_start = memchr::memrchr(b'\n', &text[..start]).map_or(0, |p| p + 1);
    let mut name = &text[line_start..start];
    if name.iter().all(u8::is_ascii_whitespace) && line_start > 0 {
        let previous = memchr::memrchr(b'\n', &text[..line_start - 1]).map_or(0, |p| p + 1);
        name = &text[previous..line_start - 1];
    }
    // Only the text before the value's opening (`= "`, `: |`): a comment after it is not
    // the name.
    name.split(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'))
        .flat_map(name_segments)
        .any(|segment| MADE_UP_NAME_WORDS.contains(&segment.as_str()))
}

/// Why a detector configuration cannot be compiled: which part of it, so that a config reader
/// points at the right key without reading the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectorError {
    /// `disable` names no built-in rule.
    #[error("cannot disable `{0}`: no built-in rule has that id")]
    UnknownDisabled(String),
    /// A custom rule reuses an id.
    #[error("custom rule `{0}`: the id is already taken")]
    IdTaken(String),
    /// A custom rule has an empty keyword.
    #[error("custom rule {0}: an empty keyword would make every byte a keyword hit")]
    EmptyKeyword(String),
    /// A custom rule's entropy is out of range.
    #[error("custom rule {0}: entropy is measured in bits per byte, from 0 to 8")]
    Entropy(String),
    /// A custom rule's regex does not compile.
    #[error("custom rule {rule}: {message}")]
    Regex {
        /// The rule.
        rule: String,
        /// The regex engine's message.
        message: String,
    },
    /// A custom rule's regex matches the empty string.
    #[error("custom rule {0}: the regex matches the empty string")]
    EmptyMatch(String),
    /// Every rule is disabled and none added.
    #[error("no secret rule is active: every built-in rule is disabled and none is added")]
    NoRuleActive,
    /// An allow pattern does not compile, or matches the empty string.
    #[error("allow pattern {pattern}: {message}")]
    Allow {
        /// The pattern.
        pattern: String,
        /// What is wrong.
        message: String,
    },
    /// The keyword automaton could not be built.
    #[error("keywords: {0}")]
    Keywords(String),
}

impl DetectorError {
    /// The key of a `[[secrets.rule]]` table the error is about, for custom-rule errors.
    pub fn rule_key(&self) -> Option<&'static str> {
        match self {
            Self::IdTaken(_) => Some("id"),
            Self::EmptyKeyword(_) => Some("keywords"),
            Self::Entropy(_) => Some("entropy"),
            Self::Regex { .. } | Self::EmptyMatch(_) => Some("regex"),
            _ => None,
        }
    }
}

/// Whether `\b` (ASCII) holds before `at`.
fn at_word_boundary(text: &[u8], at: usize) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let before = at > 0 && word(text[at - 1]);
    let after = text.get(at).is_some_and(|&b| word(b));
    before != after
}

/// Whether every match of `pattern` opens with `\b` and then one of `keywords` (ASCII case
/// aside), read from the pattern's syntax: `\b(re_[A-Za-z0-9]{8}…)`, `(?i)\b((?:pat|sat)\.…)`.
/// Such a rule needs no window where its keyword sits inside a word (`re_` in `store_`, `tk_`
/// in `task_`): no match starts there. Unsure (an alternation of other shapes, a class first,
/// too many literals to list) is `false`, which only costs windows.
fn starts_with_keyword_at_boundary(pattern: &str, keywords: &[String]) -> bool {
    use regex_syntax::hir::{Hir, HirKind, Look, literal::Extractor};
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
    else {
        return false;
    };
    let HirKind::Concat(parts) = hir.kind() else {
        return false;
    };
    let [first, rest @ ..] = parts.as_slice() else {
        return false;
    };
    if !matches!(
        first.kind(),
        HirKind::Look(Look::WordAscii | Look::WordUnicode)
    ) {
        return false;
    }
    let prefixes = Extractor::new().extract(&Hir::concat(rest.to_vec()));
    let Some(literals) = prefixes.literals() else {
        return false;
    };
    !literals.is_empty()
        && literals.iter().all(|literal| {
            keywords.iter().any(|keyword| {
                literal
                    .as_bytes()
                    .get(..keyword.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(keyword.as_bytes()))
            })
        })
}

fn compile(pattern: &str) -> Result<meta::Regex, String> {
    // Rules describe ASCII token formats; matching bytes (not UTF-8 text) lets files with
    // invalid UTF-8 be scanned without a lossy copy, and keeps `\b` on the fast DFA path.
    meta::Builder::new()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .configure(meta::Config::new().utf8_empty(false))
        .build(pattern)
        .map_err(|e| e.to_string())
}

struct Found {
    rule: usize,
    start: usize,
    end: usize,
    value: String,
    encodings: Vec<Encoding>,
    doubt: Option<&'static str>,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector")
            .field("rules", &self.rules.len())
            .finish_non_exhaustive()
    }
}

impl Detector {
    /// Compiles `rules` as they are.
    pub fn new(rules: &'static [Rule]) -> Result<Self, DetectorError> {
        Self::build(rules, &DetectorConfig::default())
    }

    /// The built-in rules adjusted by `config`. Errors name the offending rule or pattern; a
    /// configuration that leaves no rule active is an error, not a scanner that finds nothing.
    pub fn with_config(config: &DetectorConfig) -> Result<Self, DetectorError> {
        Self::build(crate::RULES, config)
    }

    fn build(rules: &'static [Rule], config: &DetectorConfig) -> Result<Self, DetectorError> {
        for id in &config.disabled {
            if !rules.iter().any(|r| r.id == id) {
                return Err(DetectorError::UnknownDisabled(id.clone()));
            }
        }
        let mut compiled = Vec::new();
        let mut keyword_lists: Vec<Vec<String>> = Vec::new();
        for rule in rules {
            if config.disabled.iter().any(|d| d == rule.id) {
                continue;
            }
            compiled.push(Compiled {
                min_entropy: rule.min_entropy,
                validator: rule.validator,
                ignore_names: rule.ignore_names,
                following_lines: rule.following_lines,
                checksum: rule.checksum,
                known_values: rule.known_values,
                keyword_check: rule.keyword_check,
                public: rule.public,
                generic: rule.generic,
                near: rule.near,
                ..Compiled::new(
                    rule.id,
                    rule.description,
                    rule.pattern,
                    None,
                    rule.multiline,
                )
            });
            keyword_lists.push(rule.keywords.iter().map(|k| (*k).to_owned()).collect());
        }
        for custom in &config.custom {
            if rules.iter().any(|r| r.id == custom.id)
                || compiled.iter().any(|c| *c.id == *custom.id)
            {
                return Err(DetectorError::IdTaken(custom.id.clone()));
            }
            if custom.keywords.iter().any(String::is_empty) {
                return Err(DetectorError::EmptyKeyword(custom.id.clone()));
            }
            if custom
                .min_entropy
                .is_some_and(|e| !(0.0..=8.0).contains(&e))
            {
                return Err(DetectorError::Entropy(custom.id.clone()));
            }
            let regex = compile(&custom.pattern).map_err(|message| DetectorError::Regex {
                rule: custom.id.clone(),
                message,
            })?;
            if regex.is_match(b"") {
                return Err(DetectorError::EmptyMatch(custom.id.clone()));
            }
            let multiline = may_cross_lines(&custom.pattern);
            compiled.push(Compiled {
                min_entropy: custom.min_entropy,
                ..Compiled::new(
                    &custom.id,
                    &custom.description,
                    &custom.pattern,
                    Some(regex),
                    multiline,
                )
            });
            keyword_lists.push(custom.keywords.clone());
        }
        if compiled.is_empty() {
            return Err(DetectorError::NoRuleActive);
        }
        for (rule, list) in compiled.iter_mut().zip(&keyword_lists) {
            rule.keywords = list.iter().map(|k| k.to_ascii_lowercase()).collect();
        }
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (index, list) in keyword_lists.iter().enumerate() {
            if list.is_empty() {
                always.push(index);
            }
            for keyword in list {
                let keyword = keyword.to_ascii_lowercase();
                if let Some(at) = keywords.iter().position(|k| *k == keyword) {
                    keyword_rules[at].push(index);
                } else {
                    keywords.push(keyword);
                    keyword_rules.push(vec![index]);
                }
            }
        }
        let keywords = Keywords::new(&keywords).map_err(DetectorError::Keywords)?;
        let allow = config
            .allow
            .iter()
            .map(|pattern| {
                let regex = compile(pattern).map_err(|message| DetectorError::Allow {
                    pattern: pattern.clone(),
                    message,
                })?;
                if regex.is_match(b"") {
                    // `""` or `.*` would silently allow every secret.
                    return Err(DetectorError::Allow {
                        pattern: pattern.clone(),
                        message: "it matches the empty string, so it would allow every secret"
                            .into(),
                    });
                }
                Ok(regex)
            })
            .collect::<Result<_, DetectorError>>()?;
        Ok(Self {
            rules: compiled,
            keywords,
            keyword_rules,
            always,
            allow,
        })
    }

    /// Number of active rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Ids of the active rules, in order.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| &*r.id)
    }

    /// Every secret in `text`, in order of position: one match per occurrence, including
    /// secrets inside base64, URL-encoded and hex runs (located at the run).
    pub fn scan(&self, text: impl AsRef<[u8]>) -> Vec<Match> {
        let text = text.as_ref();
        let mut budget = DECODE_BUDGET;
        let mut found = self.scan_layer(text, 0, &mut budget);
        found.sort_by_key(|f| (f.start, f.end));
        // Positions in one pass over the text, matches being sorted.
        let mut cursor = Cursor::default();
        found
            .into_iter()
            .map(|f| {
                let position = cursor.advance(text, f.start);
                let end_position = Cursor { ..cursor }.advance(text, f.end);
                let rule = &self.rules[f.rule];
                Match {
                    rule: rule.id.clone(),
                    description: rule.description.clone(),
                    secret: Secret::new(f.value),
                    start: f.start,
                    end: f.end,
                    position,
                    end_position,
                    encodings: f.encodings,
                    doubt: f.doubt,
                    public: rule.public,
                }
            })
            .collect()
    }

    fn scan_layer(&self, text: &[u8], depth: u8, budget: &mut usize) -> Vec<Found> {
        let mut found = self.scan_clear(text);
        if depth >= MAX_DEPTH {
            return found;
        }
        let mut clear = found.len();
        for layer in decode::layers(text) {
            let Some(left) = budget.checked_sub(layer.decoded.len()) else {
                break;
            };
            *budget = left;
            for mut inner in self.scan_layer(&layer.decoded, depth + 1, budget) {
                inner.start = layer.start;
                inner.end = layer.end;
                inner.encodings.insert(0, layer.encoding);
                // The same value found in clear inside the run (a URL whose password is
                // readable through its escapes) is reported once, in clear.
                let duplicate = found.iter().enumerate().any(|(i, f)| {
                    f.value == inner.value
                        && ((f.start == inner.start && f.end == inner.end)
                            || (i < clear && f.start < inner.end && inner.start < f.end))
                });
                if !duplicate {
                    // A provider's token inside the run says more than a generic or slot
                    // rule's reading of the run: report the token only. That reading may run
                    // on past the run (`secret=Z2hw…==#owner/repo` in a URL): it starts in it.
                    if !self.rules[inner.rule].generic {
                        let (start, end) = (inner.start, inner.end);
                        let before = found.len();
                        let mut index = 0;
                        found.retain(|f| {
                            index += 1;
                            !(index <= clear
                                && (self.rules[f.rule].generic
                                    || UNSTRUCTURED.contains(&&*self.rules[f.rule].id))
                                && f.start >= start
                                && f.start < end)
                        });
                        // Only clear matches were removed.
                        clear -= before - found.len();
                    }
                    found.push(inner);
                }
            }
        }
        found
    }

    /// Matches in the text itself: rules run only on the windows around their keywords.
    fn scan_clear(&self, text: &[u8]) -> Vec<Found> {
        let mut windows: Vec<(usize, usize, usize)> = Vec::new();
        let mut hits: Vec<Hit> = Vec::new();
        self.keywords.find_all(text, &mut hits);
        for hit in hits {
            for &rule in &self.keyword_rules[hit.keyword] {
                let compiled = &self.rules[rule];
                if compiled
                    .keyword_check
                    .is_some_and(|holds| !holds(text, hit.start, hit.end))
                    || (!at_word_boundary(text, hit.start) && compiled.starts_at_boundary())
                {
                    continue;
                }
                let (start, end) = if self.rules[rule].multiline {
                    (
                        line_start(text, hit.start),
                        (hit.end + BLOCK_REACH).min(text.len()),
                    )
                } else {
                    let mut end = line_end(text, hit.end);
                    for _ in 0..self.rules[rule].following_lines {
                        end = line_end(text, end);
                    }
                    (line_start(text, hit.start), end)
                };
                windows.push((rule, start, end));
            }
        }
        windows.extend(self.always.iter().map(|&rule| (rule, 0, text.len())));
        windows.sort_unstable();
        // A rule whose keyword is everywhere in this text (a short prefix in a large file) is
        // cheaper searched once over the whole text: the regex engine's own prefilter then
        // skips ahead, instead of one search call per line.
        let mut dense: Vec<usize> = Vec::new();
        for run in windows.chunk_by(|a, b| a.0 == b.0) {
            if run.len() > DENSE_WINDOWS && self.rules[run[0].0].whole_text_ok {
                dense.push(run[0].0);
            }
        }
        if !dense.is_empty() {
            windows.retain(|w| !dense.contains(&w.0));
            windows.extend(dense.iter().map(|&rule| (rule, 0, text.len())));
            windows.sort_unstable();
        }
        let mut found: Vec<Found> = Vec::new();
        // Text a format rule recognised but its validator refused (a GitHub token with a wrong
        // checksum): not a secret, and no generic rule may report it for its name.
        let mut vetoed: Vec<(usize, usize)> = Vec::new();
        let mut at = 0;
        while at < windows.len() {
            let (rule, mut start, mut end) = windows[at];
            at += 1;
            // Merge the overlapping windows of one rule so that no text is searched twice.
            while at < windows.len() && windows[at].0 == rule && windows[at].1 <= end {
                end = end.max(windows[at].2);
                at += 1;
            }
            start = start.min(end);
            self.search(rule, text, (start, end), &mut found, &mut vetoed);
        }
        found.retain(|f| !decode::inside_binary_payload(text, f.start, f.end));
        found
    }

    fn search(
        &self,
        index: usize,
        text: &[u8],
        (start, end): (usize, usize),
        found: &mut Vec<Found>,
        vetoed: &mut Vec<(usize, usize)>,
    ) {
        let rule = &self.rules[index];
        let pattern = rule.pattern();
        let input = Input::new(text).span(start..end);
        for captures in pattern.regex.captures_iter(input) {
            let group = pattern
                .secret_group
                .and_then(|index| captures.get_group(index))
                .or_else(|| {
                    (1..captures.group_len())
                        .filter(|&g| Some(g) != pattern.name_group)
                        .find_map(|g| captures.get_group(g))
                });
            let Some(span) = group.or_else(|| captures.get_match().map(|m| m.span())) else {
                continue;
            };
            if let Some(name) = pattern.name_group.and_then(|g| captures.get_group(g)) {
                // A name right after `/` is the last part of a path (`data/boost-tokenizer.list`).
                let in_path = name.start > 0 && matches!(text[name.start - 1], b'/' | b'\\');
                if rule.generic && in_path {
                    continue;
                }
                let name = &text[name.start..name.end];
                let segments = name_segments(name);
                // Anti-forgery tokens (`csrfmiddlewaretoken`) are handed to every visitor, and
                // so are CAPTCHA site keys (`recaptcha_site_key`, `TURNSTILE_SITEKEY`): the
                // secret of those services is the one named secret.
                if rule.generic
                    && (segments
                        .iter()
                        .any(|s| s.starts_with("csrf") || s.starts_with("xsrf") || s == "sitekey")
                        || segments.windows(2).any(|w| w[0] == "site" && w[1] == "key"))
                    && !segments.iter().any(|s| s.contains("secret"))
                {
                    continue;
                }
                if rule.generic && identifier_key(&segments) {
                    continue;
                }
                if (rule.generic && (file_like(name) || !names_a_secret(&segments)))
                    || segments
                        .iter()
                        .any(|segment| rule.ignore_names.iter().any(|word| segment == word))
                    || rule
                        .ignore_names
                        .iter()
                        .any(|word| word.contains('.') && contains(name, word.as_bytes()))
                {
                    continue;
                }
            }
            // A value right after `/` or `#` is part of a path or a link's fragment (a commit id
            // in a URL, `…/tokens/#get-s3-api-credentials-from-an-api-token`), not the key; one
            // right after `](` is a Markdown link's target (a changelog's `([0612f4d](0612f4d…))`).
            if rule.near
                && span.start > 0
                && (matches!(text[span.start - 1], b'/' | b'#')
                    || text[..span.start].ends_with(b"]("))
            {
                continue;
            }
            let value = String::from_utf8_lossy(&text[span.start..span.end]).into_owned();
            // A rule for known values (default passwords) is judged by its list alone: the
            // placeholder checks below exist to drop exactly such words.
            if rule.known_values {
                // A commented-out line (`#   key-store-password: password`) is not in effect.
                let before = &text[line_start(text, span.start)..span.start];
                let code = before.trim_ascii_start();
                // So is one after a comment mark (`x: 1 # password: admin`).
                let commented = code.starts_with(b"#")
                    || code.starts_with(b";")
                    || code.starts_with(b"//")
                    || before
                        .windows(2)
                        .any(|w| matches!(w[0], b' ' | b'\t') && w[1] == b'#');
                // An allowed value stays allowed, as for every other rule.
                if !commented
                    && rule.validator.is_some_and(|known| known(&value))
                    && !self.allowed(&value)
                {
                    claim(found, index, span.start, span.end, value, None);
                }
                continue;
            }
            if rule.generic
                && PUBLIC_PREFIXES
                    .iter()
                    .any(|p| value.as_bytes().starts_with(p.as_bytes()))
            {
                continue;
            }
            // Credentials of a database on this machine (`postgres://postgres:postgres@
            // localhost/app` in a dev `.env` or a Makefile) open nothing anyone else can reach.
            if &*rule.id == "url-credentials"
                && let Some(host) = pattern.name_group.and_then(|g| captures.get_group(g))
                && loopback_host(&String::from_utf8_lossy(&text[host.start..host.end]))
            {
                continue;
            }
            // `ALGOLIA_SEARCH_KEY=…`: a search-only key, public by design (it ships to every
            // browser). Named admin or write, it is the secret the rule is for.
            if &*rule.id == "algolia-admin-key"
                && let Some(whole) = captures.get_match()
            {
                let named =
                    String::from_utf8_lossy(&text[whole.start()..span.start]).to_ascii_lowercase();
                if named.contains("search") && !named.contains("admin") && !named.contains("write")
                {
                    continue;
                }
            }
            if rule.generic {
                // The value repeats its own name (`PER_1000_TOKENS: "PER_1000_TOKENS"`), or is
                // a label made of it and words (Jellyfin's claim type `IsApiKey =
                // "Jellyfin-IsApiKey"`).
                if let Some(name) = pattern.name_group.and_then(|g| captures.get_group(g))
                    && labelled_by_name(&text[name.start..name.end], &value)
                {
                    continue;
                }
                // A template binding (`:inherited-auth="props?.auth"`, `[authToken]=
                // "session.token"`): the attribute's value is an expression, not text.
                if let Some(name) = pattern.name_group.and_then(|g| captures.get_group(g))
                    && template_binding(text, name.start, name.end)
                    && expression(&value)
                {
                    continue;
                }
                // Algolia's search-only keys are public by design: DocSearch configurations
                // (`appId`, `apiKey`, `indexName`) ship them to every browser.
                // An admin or write key named as such is a secret wherever it sits.
                let named_private = pattern
                    .name_group
                    .and_then(|g| captures.get_group(g))
                    .is_some_and(|name| {
                        name_segments(&text[name.start..name.end])
                            .iter()
                            .any(|s| matches!(s.as_str(), "admin" | "write" | "secret" | "private"))
                    });
                // Only a key-named setting with a key of Algolia's shape (32 hex digits): a
                // password or token near the word "algolia" is still a secret.
                let key_named = pattern
                    .name_group
                    .and_then(|g| captures.get_group(g))
                    .is_some_and(|name| {
                        let segments = name_segments(&text[name.start..name.end]);
                        segments.iter().any(|s| s.ends_with("key"))
                            && !segments.iter().any(|s| {
                                ["password", "passwd", "secret", "token"]
                                    .iter()
                                    .any(|w| s.contains(w))
                            })
                    });
                if !named_private
                    && key_named
                    && algolia_shaped(&value)
                    && search_only_key(text, span.start)
                {
                    continue;
                }
                // A product analytics client key (PostHog's project key, Mixpanel's project
                // token, Amplitude's API key, Segment's write key) is written into every page
                // that sends events: papercups' `REACT_APP_POSTHOG_TOKEN` default. Their
                // secrets are named so (`POSTHOG_PERSONAL_API_KEY`, `MIXPANEL_API_SECRET`).
                if let Some(name) = pattern.name_group.and_then(|g| captures.get_group(g))
                    && analytics_client_key(&text[name.start..name.end])
                {
                    continue;
                }
                // A `data-*` attribute of a `<script>` tag (`<script src=".../bugsnag.js"
                // data-apikey="...">`) configures a browser library: every visitor gets it.
                if let Some(name) = pattern.name_group.and_then(|g| captures.get_group(g))
                    && script_tag_attribute(text, name.start, name.end)
                {
                    continue;
                }
                // The `token` of a Firebase Storage download URL (`…/o/img%2Fic.svg?alt=media
                // &token=506faab0-…`) lets anyone with the URL read that one file: the app
                // ships it to be read (Now in Android's topic images), like a public link.
                if let Some(name) = pattern.name_group.and_then(|g| captures.get_group(g))
                    && firebase_download_token(text, name.start, name.end)
                {
                    continue;
                }
                // A JWT header alone (`eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9`) signs nothing,
                // a member call is code after a label, and a type is a declaration's
                // (`SFTP_PASSWORD: Optional[str]`).
                if jwt_header_only(&value) || member_call(&value) || type_annotation(&value) {
                    continue;
                }
                // Base64 of a sample phrase (`bXktc2VjcmV0LWtleQ==` is "my-secret-key"): the
                // encoding makes any text look random, so the value is judged by what it
                // decodes to, as it would be written plain.
                if crate::decode::base64_text(&value)
                    .is_some_and(|plain| placeholder(&plain) || sample_value(&plain))
                {
                    continue;
                }
                // A UUID under a password-ish name is an identifier (passkey authenticator ids
                // named after password managers: `OnePassword = "bada5566-…"`); under a key,
                // token or secret name it may be a credential.
                if uuid_shaped(&value)
                    && pattern
                        .name_group
                        .and_then(|g| captures.get_group(g))
                        .is_some_and(|name| {
                            let name = String::from_utf8_lossy(&text[name.start..name.end])
                                .to_ascii_lowercase();
                            !["key", "token", "secret", "credential", "auth"]
                                .iter()
                                .any(|w| name.contains(w))
                        })
                {
                    continue;
                }
            }
            if rule.generic && vetoed.iter().any(|&(s, e)| s < span.end && span.start < e) {
                continue;
            }
            let mut doubt = None;
            if rule.validator.is_some_and(|valid| !valid(&value)) {
                // No generic rule may report it for its name either way.
                vetoed.push((span.start, span.end));
                if !rule.checksum || made_up(&value) {
                    continue;
                }
                doubt = Some(CHECKSUM_DOUBT);
            } else if !rule.generic && !rule.checksum && letters_only_token(&value) {
                doubt = Some(LETTERS_ONLY_DOUBT);
            }
            if unstructured_placeholder(&rule.id, text, span.start, &value) {
                // Nor may a generic rule report the same sample for its name.
                vetoed.push((span.start, span.end));
                continue;
            }
            if placeholder(&value)
                || DOCUMENTED.iter().any(|d| value.contains(d))
                || (rule.generic && sample_value(&value))
                || rule
                    .min_entropy
                    .is_some_and(|min| shannon_entropy(&value) < min)
                || self.allowed(&value)
            {
                continue;
            }
            claim(found, index, span.start, span.end, value, doubt);
        }
    }

    /// Whether a value matches one of the configured allow patterns.
    fn allowed(&self, value: &str) -> bool {
        self.allow
            .iter()
            .any(|allow| allow.is_match(value.as_bytes()))
    }
}

/// Records a match unless an earlier (more specific) rule already claimed the text.
fn claim(
    found: &mut Vec<Found>,
    rule: usize,
    start: usize,
    end: usize,
    value: String,
    doubt: Option<&'static str>,
) {
    if found.iter().any(|m| m.start < end && start < m.end) {
        return;
    }
    found.push(Found {
        rule,
        start,
        end,
        value,
        encodings: Vec::new(),
        doubt,
    });
}

fn line_start(text: &[u8], at: usize) -> usize {
    let from = at.saturating_sub(LINE_REACH);
    memchr::memrchr(b'\n', &text[from..at]).map_or(from, |i| from + i + 1)
}

/// Just past the end of the line (its newline included, so that a pattern can see where a
/// token stops).
fn line_end(text: &[u8], at: usize) -> usize {
    let to = (at + LINE_REACH).min(text.len());
    memchr::memchr(b'\n', &text[at..to]).map_or(to, |i| at + i + 1)
}

/// Line and column of increasing offsets, counted once.
#[derive(Default, Clone, Copy)]
struct Cursor {
    offset: usize,
    line: u32,
    line_start: usize,
}

impl Cursor {
    fn advance(&mut self, text: &[u8], to: usize) -> LineCol {
        let to = to.min(text.len());
        if to >= self.offset {
            for i in memchr::memchr_iter(b'\n', &text[self.offset..to]) {
                self.line += 1;
                self.line_start = self.offset + i + 1;
            }
            self.offset = to;
        }
        // Columns count characters, as editors do: skip UTF-8 continuation bytes.
        let column = text[self.line_start..to]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        LineCol {
            line: self.line + 1,
            column: column as u32 + 1,
        }
    }
}

/// Five groups of hex digits, 8-4-4-4-12, whatever the version and variant digits say.
fn uuid_shaped(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `localhost`, `127.0.0.1` and the rest of 127/8, `0.0.0.0`, `host.docker.internal`.
pub(crate) fn loopback_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "0.0.0.0"
        || host == "host.docker.internal"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod lazy_rules {
    use super::*;

    /// Built-in rules are compiled on first use, not when the detector is built: each must
    /// compile (a rule that did not would silently match nothing), and naming a setting must be
    /// read from the pattern as the compiled regex reads it.
    #[test]
    fn every_built_in_rule_compiles_and_its_groups_agree_with_its_text() {
        for rule in crate::rules::RULES {
            let regex = compile(rule.pattern).unwrap_or_else(|e| panic!("{}: {e}", rule.id));
            let pattern = Pattern::of(regex);
            let compiled = Compiled::new(rule.id, rule.description, rule.pattern, None, false);
            let line_anchored = rule.pattern.starts_with('^') || rule.pattern.contains(")^");
            assert_eq!(
                compiled.whole_text_ok,
                pattern.name_group.is_none() && !line_anchored,
                "{}",
                rule.id
            );
        }
    }
}

#[cfg(test)]
mod word_boundary {
    use super::*;

    fn keywords(list: &[&str]) -> Vec<String> {
        list.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn a_label_holds_its_name_and_words_only() {
        assert!(labelled_by_name(b"PER_1000_TOKENS", "PER_1000_TOKENS"));
        assert!(labelled_by_name(b"IsApiKey", "Jellyfin-IsApiKey"));
        // aws-lc's test flags: the flag's name and the member it sets.
        assert!(labelled_by_name(
            b"delegated-credential",
            "&TestConfig::delegated_credential),"
        ));
        assert!(!labelled_by_name(b"ApiKey", "apikey-7f8a9b2c4d5e6f7a"));
        assert!(!labelled_by_name(
            b"DB_PASSWORD",
            "prod-db-password-Xq!z%Wk"
        ));
        assert!(
            !labelled_by_name(b"key", "my-key"),
            "a short name is a word"
        );
        assert!(!labelled_by_name(b"", ""));
    }

    #[test]
    fn patterns_that_open_with_a_keyword_at_a_boundary_are_recognised() {
        for (pattern, list) in [
            (r"\b(re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24})\b", &["re_"][..]),
            (r"\b((?:pat|sat)\.[A-Za-z0-9_-]{22})\b", &["pat.", "sat."]),
            (r"(?i)\b(dapi[a-f0-9]{32})\b", &["dapi"]),
            (
                r"\b(p(?:ti|tr|ts)_[a-z2-7]{32})\b",
                &["pti_", "ptr_", "pts_"],
            ),
        ] {
            assert!(
                starts_with_keyword_at_boundary(pattern, &keywords(list)),
                "{pattern}"
            );
        }
        for (pattern, list) in [
            // The keyword is not where a match starts.
            (
                r"\b([A-Za-z0-9]{52}JQQJ9[A-Za-z0-9]{4}AZDO)\b",
                &["azdo"][..],
            ),
            // A second alternative opens with the provider's name anywhere.
            (
                r"\b(key-[0-9a-f]{32})\b|(?i:mailgun)[^\n]{0,40}?\b([0-9a-f]{32})\b",
                &["key-", "mailgun"],
            ),
            // No boundary first.
            (r"(re_[A-Za-z0-9]{8})", &["re_"]),
            (r"(?:^|[^0-9A-Za-z_/-])(1//0[0-9A-Za-z_-]{40,})", &["1//0"]),
            // One listed keyword does not open every match.
            (r"\b((?:pat|sat)\.[A-Za-z0-9_-]{22})\b", &["pat."]),
        ] {
            assert!(
                !starts_with_keyword_at_boundary(pattern, &keywords(list)),
                "{pattern}"
            );
        }
    }

    #[test]
    fn a_keyword_inside_a_word_opens_no_window_for_such_a_rule() {
        let detector = Detector::new(crate::RULES).unwrap();
        let token = concat!("re_", "Ab3dE5gH", "_", "Jk7mN9pQ2rS4tU6vW8xY0zA1");
        // A Resend key on its own is found; glued after a word it is not a match either way.
        assert!(
            detector
                .scan(format!("RESEND={token}\n"))
                .iter()
                .any(|m| &*m.rule == "resend-api-key")
        );
        assert!(
            detector
                .scan(format!("x = store{token}\n"))
                .iter()
                .all(|m| &*m.rule != "resend-api-key")
        );
        assert!(at_word_boundary(b"a re_", 2));
        assert!(!at_word_boundary(b"store_", 3));
        assert!(at_word_boundary(b"x://", 1));
        assert!(!at_word_boundary(b" ://", 1));
    }
}
