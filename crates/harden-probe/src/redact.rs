//! What a transcript may show of a URL, a header or a body: never a credential in full.

use std::fmt;

/// Query keys whose values are credentials whatever they look like.
const SECRET_KEYS: &[&str] = &[
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "api_key",
    "apikey",
    "key",
    "secret",
    "client_secret",
    "password",
    "passwd",
    "pwd",
    "auth",
    "code",
    "session",
    "sig",
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
];

/// Headers whose values are credentials (the scheme word of `Authorization` is kept).
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "x-auth-token",
    "x-csrf-token",
    "x-xsrf-token",
];

/// The shown form of a secret value: its length only.
fn hidden(value: &str) -> String {
    format!("…({})", value.chars().count())
}

/// A URL that prints without its password and without secret query values.
#[derive(Clone, PartialEq, Eq)]
pub struct MaskedUrl(url::Url);

impl MaskedUrl {
    /// Wraps `url`.
    pub fn new(url: url::Url) -> Self {
        Self(url)
    }

    /// The URL itself, for the request (never for printing).
    pub fn expose(&self) -> &url::Url {
        &self.0
    }
}

impl fmt::Display for MaskedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0.clone();
        if shown.password().is_some() {
            let _ = shown.set_password(Some("…"));
        }
        if shown.query().is_some() {
            let pairs: Vec<(String, String)> = shown
                .query_pairs()
                .map(|(k, v)| {
                    let secret = SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str());
                    let value = if secret { hidden(&v) } else { v.into_owned() };
                    (k.into_owned(), value)
                })
                .collect();
            shown.query_pairs_mut().clear().extend_pairs(pairs);
        }
        // Whatever else the detector recognises (a token in a path segment).
        f.write_str(&harden_secrets::mask(shown.as_str()))
    }
}

impl fmt::Debug for MaskedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MaskedUrl({self})")
    }
}

/// A header as a transcript shows it.
pub(crate) fn header(name: &str, value: &str) -> (String, String) {
    let lower = name.to_ascii_lowercase();
    let shown = if SECRET_HEADERS.contains(&lower.as_str()) {
        match value.split_once(' ') {
            // `Bearer …(40)`: the scheme says what kind of credential was sent.
            Some((scheme, rest)) if lower.ends_with("authorization") => {
                format!("{scheme} {}", hidden(rest))
            }
            _ if lower.ends_with("cookie") => value
                .split(';')
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) => format!("{}={}", k.trim(), hidden(v)),
                    None => pair.trim().to_owned(),
                })
                .collect::<Vec<_>>()
                .join("; "),
            _ => hidden(value),
        }
    } else {
        harden_secrets::mask(value).into_owned()
    };
    (name.to_owned(), shown)
}

/// The first bytes of a body as text, secrets masked.
pub(crate) fn excerpt(body: &[u8], limit: usize) -> String {
    let cut = &body[..body.len().min(limit)];
    let text = String::from_utf8_lossy(cut);
    let mut shown = harden_secrets::mask(&text).into_owned();
    if body.len() > limit {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_hide_passwords_and_secret_query_values() {
        let url = url::Url::parse(
            "https://ops:hunter2-x9@api.internal/v1/items?page=2&access_token=abcdef123456",
        )
        .unwrap();
        let shown = MaskedUrl::new(url).to_string();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("abcdef123456"), "{shown}");
        assert!(shown.contains("page=2"), "{shown}");
    }

    #[test]
    fn credential_headers_keep_only_their_scheme_and_length() {
        let (_, shown) = header("Authorization", "Bearer abc.def.ghi-123456");
        assert_eq!(shown, "Bearer …(18)");
        let (_, shown) = header("Cookie", "session=s3cr3t; theme=dark");
        assert_eq!(shown, "session=…(6); theme=…(4)");
        let (_, shown) = header("Content-Type", "application/json");
        assert_eq!(shown, "application/json");
    }
}
