//! Checks that turn a pattern match into a credible secret.

use base64::Engine as _;

/// Shannon entropy in bits per character.
pub fn shannon_entropy(text: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut total = 0u32;
    for byte in text.bytes() {
        counts[byte as usize] += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    let total = f64::from(total);
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / total;
            -p * p.log2()
        })
        .sum()
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) end in 6 base62 digits encoding the
/// CRC32 of the 30 random characters before them.
pub(crate) fn github_checksum(token: &str) -> bool {
    let Some((_, body)) = token.split_once('_') else {
        return false;
    };
    // The checksum is documented for the 36-character body; longer refresh tokens (`ghr_` with
    // 76 characters) carry no checked suffix here.
    if body.len() != 36 {
        return token.starts_with("ghr_") && body.len() > 36;
    }
    let (random, checksum) = body.split_at(30);
    let mut value = crc32fast::hash(random.as_bytes());
    let mut encoded = [b'0'; 6];
    for slot in encoded.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    encoded == checksum.as_bytes()
}

/// Letters and digits both: configuration words (`production`, `enabled`) are not secrets.
pub(crate) fn mixed_letters_and_digits(value: &str) -> bool {
    value.bytes().any(|b| b.is_ascii_digit()) && value.bytes().any(|b| b.is_ascii_alphabetic())
}

/// A JWT: three base64url parts, the first two JSON objects, the header naming an algorithm.
pub(crate) fn jwt(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return false;
    }
    let decode = |part: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part.trim_end_matches('='))
            .ok()
    };
    let (Some(header), Some(payload)) = (decode(parts[0]), decode(parts[1])) else {
        return false;
    };
    header.starts_with(b"{")
        && payload.starts_with(b"{")
        && String::from_utf8_lossy(&header).contains("\"alg\"")
}

/// Not a reference to a value kept elsewhere (`$VAR`, `%VAR%`, `env:NAME`, `vault:path`).
pub(crate) fn not_a_reference(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    !(value.starts_with('$')
        || value.starts_with('%')
        || value.starts_with('{')
        || value.starts_with('@')
        || [
            "env:", "env.", "vault:", "secret:", "secrets.", "ref+", "arn:", "file:",
        ]
        .iter()
        .any(|p| lower.starts_with(p)))
}

/// A value assigned to a secret-named setting that looks like a credential: not a reference,
/// URL or path, and not a lower-case identifier (`prod/payments/stripe-key`, `read-write`).
pub(crate) fn generic_value(value: &str) -> bool {
    let digit = value.bytes().any(|b| b.is_ascii_digit());
    let upper = value.bytes().any(|b| b.is_ascii_uppercase());
    let lower = value.bytes().any(|b| b.is_ascii_lowercase());
    not_a_reference(value)
        && !value.contains("://")
        && !value.starts_with('/')
        && !value.starts_with("./")
        && (digit || (upper && lower))
        && !looks_like_code(value)
        && !slug(value)
        && !value.starts_with("--")
        && !identity(value)
}

/// Names an account (`ci@project.iam.gserviceaccount.com`, `backup%40corp.example/2025/...`):
/// who, not the secret that proves it.
fn identity(value: &str) -> bool {
    let at = value
        .find('@')
        .map(|i| i + 1)
        .or_else(|| value.find("%40").map(|i| i + 3));
    let Some(at) = at else {
        return false;
    };
    let domain: &str = value[at..]
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .next()
        .unwrap_or_default();
    let mut labels = domain.split('.');
    let top = labels.next_back().unwrap_or_default();
    domain.contains('.')
        && (2..=10).contains(&top.len())
        && top.bytes().all(|b| b.is_ascii_alphabetic())
        && labels.all(|l| !l.is_empty())
}

/// Lower-case words joined by `-`, `_` or `.` (`trace-json-expansion-state`, `encrypted-key-1`):
/// names of things, storage keys and test values, not generated secrets.
fn slug(value: &str) -> bool {
    let parts: Vec<&str> = value.split(['-', '_', '.']).collect();
    let words = parts
        .iter()
        .filter(|p| p.len() >= 3 && p.bytes().all(|b| b.is_ascii_lowercase()))
        .count();
    // Mostly real words: a UUID's hex groups are not.
    parts.len() >= 3
        && words * 2 >= parts.len()
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 12
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Called or dotted names (`config.get_secret()`, `R3.secrets.tree`,
/// `django.contrib.auth.tokens.PasswordResetTokenGenerator`) are code or identifiers, not
/// values: three or more dotted parts, each a word (a class name may be long).
fn looks_like_code(value: &str) -> bool {
    // An index or a call on a name (`user_carts_tokens[0]).update(`, `getToken(`).
    let indexed_or_called = value.match_indices(['[', '(']).any(|(at, _)| {
        let name = value[..at]
            .bytes()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        name >= 3
            && value[at - name..at]
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && value[at - name..at].bytes().any(|b| b.is_ascii_lowercase())
            && (value[at + 1..]
                .starts_with(|c: char| c.is_ascii_digit() || c == ')' || c == '\'' || c == '"'))
    });
    indexed_or_called
        || value.contains("()")
        || type_path(value)
        || (value.split('.').count() >= 3
            && value.split('.').all(|part| {
                part.len() <= 40
                    && part.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                    && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            }))
}

/// A path of names joined by `::` (`::windows_sys::core::HRESULT`, `super::Foundation::NTSTATUS`):
/// the type a Rust or C++ constant is declared with, not its value.
fn type_path(value: &str) -> bool {
    let parts: Vec<&str> = value.trim_start_matches("::").split("::").collect();
    parts.len() >= 2
        && parts.iter().all(|part| {
            part.bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

/// An unquoted value on a secret-named line: as [`generic_value`], and letters with digits.
pub(crate) fn generic_line_value(value: &str) -> bool {
    generic_value(value) && mixed_letters_and_digits(value) && !call_expression(value)
}

/// `models.CharField(max_length=4)`, `auth_header.split(maxsplit=1)`: code calling something,
/// not a value. A random value with parentheses (`v+6mrk#v%6(9lo^l0p(mn`) has no identifier
/// right before them.
fn call_expression(value: &str) -> bool {
    value.split_once('(').is_some_and(|(callee, _)| {
        let last = callee.rsplit(['.', ':']).next().unwrap_or(callee);
        callee.len() >= 2
            && callee
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b':')
            && last
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
    })
}

/// Base64 of `user:password`, both printable and the password not empty.
pub(crate) fn basic_credentials(value: &str) -> bool {
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(value) else {
        return false;
    };
    let Ok(text) = std::str::from_utf8(&decoded) else {
        return false;
    };
    text.split_once(':').is_some_and(|(user, password)| {
        !user.is_empty()
            && password.len() >= 4
            && text.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
    })
}

/// A JWT whose payload claims `"role": "service_role"` (Supabase's key that bypasses row-level
/// security).
pub(crate) fn service_role_jwt(token: &str) -> bool {
    if !jwt(token) {
        return false;
    }
    let payload = token.split('.').nth(1).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .is_some_and(|json| {
            let compact: String = json.chars().filter(|c| !c.is_whitespace()).collect();
            compact.contains("\"role\":\"service_role\"")
        })
}

const LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A PEM private key whose body decodes as base64 (not a placeholder such as `...`).
pub(crate) fn pem_body(block: &str) -> bool {
    let text = block.replace("\\n", "\n");
    let cleaned: String = text
        .lines()
        // Armour headers (`Version: ...`) and the PGP checksum line (`=AbCd`) are not body.
        .filter(|l| !l.contains("-----") && !l.contains(':') && !l.trim_start().starts_with('='))
        .flat_map(str::chars)
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect();
    // Decoded leniently (padding and trailing bits as they come): the point is that the body
    // is base64 of real length, not `...` or `<key here>`.
    let body = cleaned.trim_end_matches('=');
    let body = &body[..body.len() - body.len() % 4];
    body.len() >= 64 && !periodic(body.as_bytes()) && LENIENT.decode(body).is_ok()
}

/// Whether `body` repeats a piece of at most 32 characters from start to end
/// (`privatekeyprivatekey…`, `AAAA…`, `abc123abc123…`): a sample typed into a configuration
/// example, where a key's DER bytes never repeat so.
fn periodic(body: &[u8]) -> bool {
    (1..=32.min(body.len() / 2)).any(|period| body[period..] == body[..body.len() - period])
}

/// Passwords that ship as a product's default or top every guessing list, lower case. A
/// deployment that keeps one is open to the first attempt. Each vendor default is documented
/// by its product: PostgreSQL images' examples (`postgres`), MySQL/MariaDB (`root`), RabbitMQ
/// (`guest`), MinIO (`minioadmin`), Grafana, Jenkins and Keycloak quick starts (`admin`),
/// Elasticsearch 6 (`changeme`), Java keystores (`changeit`), Neo4j (`neo4j`), Oracle (`oracle`,
/// `manager`, `tiger`), Tomcat (`tomcat`), Cassandra (`cassandra`).
const DEFAULT_PASSWORDS: &[&str] = &[
    "postgres",
    "root",
    "toor",
    "admin",
    "administrator",
    "admin123",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "pass",
    "pass123",
    "changeme",
    "change_me",
    "changeit",
    "secret",
    "guest",
    "minioadmin",
    "letmein",
    "welcome",
    "qwerty",
    "qwerty123",
    "abc123",
    "123456",
    "1234567",
    "12345678",
    "123456789",
    "1234567890",
    "12345",
    "1234",
    "111111",
    "000000",
    "neo4j",
    "oracle",
    "manager",
    "tiger",
    "tomcat",
    "cassandra",
    "mysql",
    "mongo",
    "mongodb",
    "redis",
    "rabbitmq",
    "elastic",
    "kibana",
    "test",
    "test123",
    "demo",
    "master",
    "superuser",
];

/// A default or weak password, compared without regard to case.
pub(crate) fn default_password(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    DEFAULT_PASSWORDS.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github_token(prefix: &str, random: &str) -> String {
        let mut value = crc32fast::hash(random.as_bytes());
        let mut encoded = [b'0'; 6];
        for slot in encoded.iter_mut().rev() {
            *slot = BASE62[(value % 62) as usize];
            value /= 62;
        }
        format!("{prefix}_{random}{}", String::from_utf8_lossy(&encoded))
    }

    #[test]
    fn github_checksums() {
        let token = github_token("ghp", "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1");
        assert!(github_checksum(&token));
        let mut broken = token.clone();
        broken.replace_range(10..11, "X");
        assert!(!github_checksum(&broken));
    }

    #[test]
    fn entropy_orders_randomness() {
        assert!(shannon_entropy("aaaaaaaaaaaaaaaa") < 0.1);
        assert!(shannon_entropy("9f8Kq2LmZ7xR4tW1") > 3.5);
    }

    #[test]
    fn jwt_structure() {
        let token = concat!(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.",
            "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmU"
        );
        assert!(jwt(token));
        assert!(!jwt("a.b.c"));
    }

    #[test]
    fn calls_are_code_and_parenthesised_randomness_is_not() {
        assert!(super::call_expression("models.CharField(max_length=4)"));
        assert!(super::call_expression(
            "get_google_flow(local_host).step2_exchange"
        ));
        assert!(super::call_expression("base64.b64decode(auth)"));
        assert!(!super::call_expression(
            "v+6mrkiiue2#v%6(9lo^l0p(mn_+%b@5oq9_w-!ob#pi2)h5h0"
        ));
        assert!(!super::call_expression("Zk29fjQ8LmPq2Zr7"));
    }
}
