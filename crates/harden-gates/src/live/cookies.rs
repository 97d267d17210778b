use harden_engine::{Gate, GateCx, GateError, GateOutput, HttpRequest};
use harden_model::{GateId, GateMeta, Location, ProfileLevel, Round, Severity, Target};

/// `R7.http.cookies`: cookies the service sets carry the attributes that keep them private.
pub(crate) struct HttpCookies;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R7.http.cookies"),
    round: Round::R7,
    title: "Cookies set with Secure, HttpOnly, SameSite and valid prefixes",
    severity: Severity::Medium,
    target: Target::Service,
    min_profile: ProfileLevel::Production,
    rationale: "A session cookie without `HttpOnly` is readable by any injected script, without \
`Secure` it travels in clear over http, and without `SameSite` it rides along on cross-site \
requests (CSRF). Prefixes are promises the browser enforces: `__Secure-` needs `Secure`, \
`__Host-` also needs `Path=/` and no `Domain`. This gate reads every `Set-Cookie` of the \
service's root and health paths and fails a cookie without `Secure` on https, a session-like \
cookie (session, sid, auth, token, jwt...) without `HttpOnly`, a cookie without `SameSite` (or \
`SameSite=None` without `Secure`), and a broken prefix. Fix: set the attributes in the \
framework's session and cookie settings.",
    evidence: &["requests", "cookies"],
    options: &[],
    items: None,
};

/// Paths whose answers usually set the cookies a visitor gets.
const PATHS: &[&str] = &["/", "/login"];

/// Words in a cookie's name that say it identifies a session or carries a credential.
const SESSION_WORDS: &[&str] = &[
    "session", "sess", "sid", "auth", "token", "jwt", "login", "remember", "csrf", "xsrf", "id",
];

fn session_like(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| SESSION_WORDS.contains(&word))
        || ["session", "sess", "auth", "token", "jwt"]
            .iter()
            .any(|w| lower.contains(w))
}

/// What is wrong with one `Set-Cookie` value.
fn problems(https: bool, set_cookie: &str) -> (String, Vec<String>) {
    let mut parts = set_cookie.split(';').map(str::trim);
    let name = parts
        .next()
        .and_then(|pair| pair.split_once('=').map(|(n, _)| n.trim().to_owned()))
        .unwrap_or_default();
    let attributes: Vec<(String, String)> = parts
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().to_owned()),
            None => (a.to_ascii_lowercase(), String::new()),
        })
        .collect();
    let has = |key: &str| attributes.iter().any(|(k, _)| k == key);
    let value = |key: &str| {
        attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let secure = has("secure");
    let mut found = Vec::new();
    if https && !secure {
        found.push("no `Secure`: it can travel over plain http".to_owned());
    }
    if session_like(&name) && !has("httponly") {
        found.push("no `HttpOnly` on a session cookie: any injected script can read it".to_owned());
    }
    match value("samesite").as_deref() {
        None => found.push("no `SameSite`: it rides along on cross-site requests".to_owned()),
        Some("none") if !secure => {
            found.push("`SameSite=None` without `Secure` is refused by browsers".to_owned());
        }
        _ => {}
    }
    if name.starts_with("__Secure-") && !secure {
        found.push("the `__Secure-` prefix requires `Secure`".to_owned());
    }
    if name.starts_with("__Host-")
        && (!secure || has("domain") || value("path").as_deref() != Some("/"))
    {
        found.push("the `__Host-` prefix requires `Secure`, `Path=/` and no `Domain`".to_owned());
    }
    (name, found)
}

impl Gate for HttpCookies {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let service = cx.service()?;
        let base = service.base_url();
        let https = base.starts_with("https://");
        let mut cookies = 0;
        let mut seen = std::collections::BTreeSet::new();
        let mut paths = service.paths();
        paths.extend(
            PATHS
                .iter()
                .map(|p| (*p).to_owned())
                .filter(|p| !paths.contains(p))
                .collect::<Vec<_>>(),
        );
        for path in &paths {
            let response = match service.send(&HttpRequest::get(path)) {
                Ok(response) => response,
                Err(error) => {
                    return Err(GateError::Failed {
                        message: format!("GET {path} on {base} failed: {error}"),
                        location: None,
                    });
                }
            };
            out.examined("requests", 1);
            for set_cookie in response.headers_named("set-cookie") {
                let (name, found) = problems(https, set_cookie);
                if !seen.insert(name.clone()) {
                    continue;
                }
                cookies += 1;
                if found.is_empty() {
                    continue;
                }
                let location = Location::Http {
                    method: "GET".to_owned(),
                    url: format!("{}{}", base.trim_end_matches('/'), path),
                    status: Some(response.status),
                    summary: format!("Set-Cookie: {name}=…"),
                    exchange: super::exchange(service, &response),
                };
                out.finding(
                    cx.finding(format!("cookie `{name}`: {}", found.join("; ")), location)
                        .identity(&name)
                        .help("set `Secure; HttpOnly; SameSite=Lax` (or `Strict`) where the cookie is created")
                        .build(),
                );
            }
        }
        out.count("cookies", cookies);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::problems;

    #[test]
    fn attributes_are_judged_per_cookie() {
        let (_, found) = problems(
            true,
            "__Host-sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax",
        );
        assert!(found.is_empty(), "{found:?}");
        let (_, found) = problems(true, "sessionid=abc; Path=/");
        assert_eq!(found.len(), 3, "{found:?}");
        let (_, found) = problems(false, "theme=dark; SameSite=Lax");
        assert!(found.is_empty(), "{found:?}");
        let (_, found) = problems(
            true,
            "__Host-id=1; Secure; Domain=example.org; Path=/; SameSite=Strict; HttpOnly",
        );
        assert_eq!(found.len(), 1, "{found:?}");
    }
}
