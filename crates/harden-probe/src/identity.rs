//! Callers the prober acts as: a credential header, given or obtained by a login request.
//! Secrets stay here: gates name an identity and get back only what they may know of it.

use std::fmt;

/// A caller, its secrets already read from the environment.
#[derive(Clone)]
pub struct Identity {
    /// Its name, for evidence.
    pub name: String,
    /// How its credential is sent or obtained.
    pub credential: Credential,
    /// The service's JWT HMAC key, to sign an expired token properly (test environments).
    pub jwt_key: Option<Vec<u8>>,
}

/// How an identity's credential is sent or obtained.
#[derive(Clone)]
pub enum Credential {
    /// One header sent as is (bearer, basic, an API key, a whole header line).
    Header {
        /// Header name.
        name: String,
        /// Its value, a secret.
        value: String,
    },
    /// A login request whose answer yields the credential.
    Login(Login),
    /// The credential could not be read (an unset variable): why.
    Unavailable(String),
}

/// A login request and where its answer keeps the credential.
#[derive(Clone)]
pub struct Login {
    /// Method.
    pub method: String,
    /// Path on the target.
    pub path: String,
    /// Body, the variables already substituted.
    pub body: String,
    /// The values substituted into the body (masked wherever they would show).
    pub secrets: Vec<String>,
    /// Content type of the body.
    pub content_type: String,
    /// JSON pointer to the token; `None`: the answer's cookies are the credential.
    pub token: Option<String>,
    /// Header the token is sent in.
    pub header: String,
    /// Word before the token (`Bearer`).
    pub scheme: Option<String>,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.credential {
            Credential::Header { name, .. } => format!("header {name}"),
            Credential::Login(login) => format!("login {} {}", login.method, login.path),
            Credential::Unavailable(why) => format!("unavailable: {why}"),
        };
        f.debug_struct("Identity")
            .field("name", &self.name)
            .field("credential", &kind)
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// The values that must never show in a transcript, as far as known before any request.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        match &self.credential {
            Credential::Header { value, .. } => {
                out.push(value.clone());
                // The token alone, without its scheme word.
                if let Some((_, token)) = value.split_once(' ') {
                    out.push(token.trim().to_owned());
                }
            }
            Credential::Login(login) => out.extend(login.secrets.iter().cloned()),
            Credential::Unavailable(_) => {}
        }
        if let Some(key) = &self.jwt_key {
            out.push(String::from_utf8_lossy(key).into_owned());
        }
        out
    }
}

/// The credential carried by a login answer: the token at `pointer`, or the cookies set.
pub(crate) fn credential_from_login(
    login: &Login,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<(String, String), String> {
    if !(200..300).contains(&status) {
        return Err(format!(
            "login {} {} answered {status}",
            login.method, login.path
        ));
    }
    let Some(pointer) = &login.token else {
        let cookies: Vec<&str> = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| v.split(';').next())
            .map(str::trim)
            .filter(|pair| pair.split_once('=').is_some_and(|(_, v)| !v.is_empty()))
            .collect();
        if cookies.is_empty() {
            return Err(format!(
                "login {} {} set no cookie and no token pointer is configured",
                login.method, login.path
            ));
        }
        return Ok(("Cookie".to_owned(), cookies.join("; ")));
    };
    let json: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| format!("login {} {} did not answer JSON", login.method, login.path))?;
    let token = json
        .pointer(pointer)
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| format!("the login answer has no string at {pointer}"))?;
    let value = match &login.scheme {
        Some(scheme) => format!("{scheme} {token}"),
        None if login.header.eq_ignore_ascii_case("authorization") => format!("Bearer {token}"),
        None => token.to_owned(),
    };
    Ok((login.header.clone(), value))
}

/// Runs of token characters in a header value that are JWTs, as byte ranges.
pub(crate) fn jwt_ranges(value: &str) -> Vec<std::ops::Range<usize>> {
    let token_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in value
        .char_indices()
        .chain(std::iter::once((value.len(), ' ')))
    {
        match (token_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if crate::jwt::is_jwt(&value[s..i]) {
                    out.push(s..i);
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(token: Option<&str>) -> Login {
        Login {
            method: "POST".into(),
            path: "/login".into(),
            body: String::new(),
            secrets: Vec::new(),
            content_type: "application/json".into(),
            token: token.map(str::to_owned),
            header: "Authorization".into(),
            scheme: None,
        }
    }

    #[test]
    fn a_login_answer_yields_a_token_or_cookies() {
        let answer = br#"{"data": {"token": "abc123"}}"#;
        assert_eq!(
            credential_from_login(&login(Some("/data/token")), 200, &[], answer),
            Ok(("Authorization".into(), "Bearer abc123".into()))
        );
        assert!(
            credential_from_login(&login(Some("/token")), 200, &[], answer)
                .unwrap_err()
                .contains("no string at /token")
        );
        assert!(
            credential_from_login(&login(None), 401, &[], b"")
                .unwrap_err()
                .contains("answered 401")
        );
        let cookies = [
            (
                "set-cookie".to_owned(),
                "sid=s3cr3t; HttpOnly; Path=/".to_owned(),
            ),
            ("Set-Cookie".to_owned(), "csrftoken=t0k; Path=/".to_owned()),
            ("set-cookie".to_owned(), "gone=; Max-Age=0".to_owned()),
        ];
        assert_eq!(
            credential_from_login(&login(None), 204, &cookies, b""),
            Ok(("Cookie".into(), "sid=s3cr3t; csrftoken=t0k".into()))
        );
    }

    #[test]
    fn jwts_are_found_inside_header_values() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";
        let value = format!("Bearer {jwt}");
        let found = jwt_ranges(&value);
        assert_eq!((found.len(), &value[found[0].clone()]), (1, jwt));
        let cookie = format!("theme=dark; session={jwt}");
        let found = jwt_ranges(&cookie);
        assert_eq!(&cookie[found[0].clone()], jwt);
        assert!(jwt_ranges("Bearer opaque.token.value").is_empty());
    }
}
