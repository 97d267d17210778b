use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A secret value found by a gate. It can be compared and hashed, but never shown: `Display` and
/// `Debug` print its first four characters, its length and a short digest (`AKIA…(20)#4be1`), and
/// it has no `Serialize`, so it cannot reach a report or the ledger by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a raw secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for matching and hashing only. Callers must not print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The masked form, safe to show anywhere.
    pub fn redacted(&self) -> Redacted {
        Redacted(self.mask())
    }

    /// A digest of the value under `key`, used in fingerprints so that the same secret found in
    /// many places or commits yields one fingerprint without storing the value.
    pub fn keyed_digest(&self, key: &[u8]) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"harden/secret/1\0");
        hasher.update(key);
        hasher.update(b"\0");
        hasher.update(self.0.as_bytes());
        hex::encode(hasher.finalize())
    }

    fn mask(&self) -> String {
        let head: String = self.0.chars().take(4).collect();
        let length = self.0.chars().count();
        let digest = &self.keyed_digest(b"display")[..4];
        if length <= 8 {
            // Short values would be nearly revealed by four characters.
            format!("…({length})#{digest}")
        } else {
            format!("{head}…({length})#{digest}")
        }
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.mask())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.mask())
    }
}

/// Text that is safe to show: either masked secret material or text the producer vouches contains
/// none (a config line, a command). Only this type goes into finding snippets.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Redacted(String);

impl Redacted {
    /// Text the caller knows holds no secret (e.g. a workflow line without credentials).
    pub fn known_safe(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// `line` with every occurrence of `secret` replaced by its mask.
    pub fn masking(line: &str, secret: &Secret) -> Self {
        if secret.expose().is_empty() {
            return Self(line.to_owned());
        }
        Self(line.replace(secret.expose(), &secret.mask()))
    }

    /// The safe text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redacted({:?})", self.0)
    }
}

/// `text` with the credentials of any URL in it masked: `scheme://user:secret@host` becomes
/// `scheme://user:***@host`, and the value of `password=`/`token=`-like query parameters becomes
/// `***`. Used for anything that echoes configuration or connection strings back to a person.
pub fn mask_url_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        // The URL runs to the next character that cannot be part of it.
        let end = after
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>' | '\\'))
            .unwrap_or(after.len());
        let (url, tail) = after.split_at(end);
        let (authority_and_path, query) = match url.find('?') {
            Some(q) => (&url[..q], Some(&url[q + 1..])),
            None => (url, None),
        };
        // Userinfo ends at the last `@` (a password may contain `/` or `@`).
        match authority_and_path.rfind('@') {
            Some(at) => {
                let userinfo = &authority_and_path[..at];
                let user = userinfo.split(':').next().unwrap_or_default();
                if userinfo.contains(':') {
                    out.push_str(user);
                    out.push_str(":***");
                } else {
                    out.push_str(user);
                }
                out.push_str(&authority_and_path[at..]);
            }
            None => out.push_str(authority_and_path),
        }
        if let Some(query) = query {
            out.push('?');
            let masked: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if is_secret_parameter(key) => format!("{key}=***"),
                    _ => pair.to_owned(),
                })
                .collect();
            out.push_str(&masked.join("&"));
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

fn is_secret_parameter(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "pass",
        "secret",
        "token",
        "key",
        "auth",
        "credential",
        "sig",
    ]
    .iter()
    .any(|word| key.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_credentials_are_masked() {
        for (given, shown) in [
            (
                // Assembled from parts: harden scans its own sources for credentials.
                concat!("postgres://u:", "s3cret@db:5432/x"),
                "postgres://u:***@db:5432/x",
            ),
            (
                concat!("postgres://u:", "pa/ss@db/x"),
                "postgres://u:***@db/x",
            ),
            (
                "postgres://u@db?password=s3cret",
                "postgres://u@db?password=***",
            ),
            (
                "postgres://db?user=u&password=s3cret",
                "postgres://db?user=u&password=***",
            ),
            (
                "url = \"https://a:b@h/p\" # c",
                "url = \"https://a:***@h/p\" # c",
            ),
            ("no url here", "no url here"),
            ("https://h/p?x=1", "https://h/p?x=1"),
        ] {
            assert_eq!(mask_url_credentials(given), shown, "{given}");
        }
    }

    const CANARY: &str = "hk_live_CANARY0123456789abcdefXYZ";

    #[test]
    fn secret_never_shows_in_full() {
        let secret = Secret::new(CANARY);
        for shown in [
            secret.to_string(),
            format!("{secret:?}"),
            secret.redacted().to_string(),
            format!("{:?}", secret.redacted()),
            Redacted::masking(&format!("token = \"{CANARY}\""), &secret).to_string(),
        ] {
            assert!(!shown.contains(CANARY), "{shown}");
            assert!(!shown.contains(&CANARY[4..]), "{shown}");
        }
        assert!(secret.to_string().starts_with("hk_l…(33)#"));
    }

    #[test]
    fn short_secrets_show_no_characters() {
        assert!(Secret::new("hunter2").to_string().starts_with("…(7)#"));
    }

    #[test]
    fn keyed_digest_depends_on_key_and_value() {
        let a = Secret::new("value-a");
        assert_eq!(a.keyed_digest(b"k1"), a.keyed_digest(b"k1"));
        assert_ne!(a.keyed_digest(b"k1"), a.keyed_digest(b"k2"));
        assert_ne!(
            a.keyed_digest(b"k1"),
            Secret::new("value-b").keyed_digest(b"k1")
        );
    }
}
