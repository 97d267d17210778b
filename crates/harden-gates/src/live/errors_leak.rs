use harden_engine::{Gate, GateCx, GateError, GateOutput, HttpError, HttpRequest};
use harden_model::{GateId, GateMeta, Location, ProfileLevel, Round, Severity, Target};

/// `R3.errors.leak`: provoked errors tell the caller nothing about the inside.
pub(crate) struct ErrorsLeak;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R3.errors.leak"),
    round: Round::R3,
    title: "Error responses show no internals",
    severity: Severity::High,
    target: Target::Service,
    min_profile: ProfileLevel::Production,
    rationale: "An error page is often the first thing an attacker reads: a stack trace names the \
framework, its version and the code's layout, a SQL fragment shows the schema and invites \
injection, a debug page may hold settings and secrets. This gate provokes errors the way a \
scanner does (an unknown path, malformed JSON, a wrong method, a wrong content type, an \
over-long header) and fails any answer showing a stack trace, a framework's debug page, a SQL \
error, an internal file path, a password hash, or anything the secret detector recognises. \
Fix: a production error handler that logs the detail with the request id and answers with a \
generic message.",
    evidence: &["requests"],
    options: &[],
    items: None,
};

/// Marks of internals in an answer, and what they show.
const MARKS: &[(&str, &str)] = &[
    ("traceback (most recent call last)", "a Python stack trace"),
    ("at java.", "a Java stack trace"),
    ("at org.springframework", "a Java stack trace"),
    ("exception in thread", "a Java stack trace"),
    ("goroutine 1 [", "a Go stack trace"),
    ("panic: ", "a Go panic"),
    ("    at ", "a JavaScript stack trace"),
    ("node_modules/", "an internal file path"),
    ("/var/www/", "an internal file path"),
    ("/usr/src/app", "an internal file path"),
    ("c:\\inetpub", "an internal file path"),
    (
        "you're seeing this error because you have debug = true",
        "Django's debug page",
    ),
    ("werkzeug debugger", "the Werkzeug debugger"),
    ("whoops! there was an error", "Laravel's debug page"),
    ("actioncontroller::", "a Rails error page"),
    ("server error in '/' application", "an ASP.NET error page"),
    ("sqlstate[", "a SQL error"),
    ("syntax error at or near", "a SQL error"),
    ("you have an error in your sql syntax", "a SQL error"),
    ("ora-0", "an Oracle error"),
    ("sqlite3::", "a SQL error"),
    ("pg::", "a SQL error"),
    ("$2b$", "a password hash"),
    ("$2y$", "a password hash"),
    ("$argon2", "a password hash"),
];

/// What an answer shows that it should not.
fn leaks(body: &str) -> Option<&'static str> {
    if harden_secrets::mask(body) != body {
        return Some("a credential");
    }
    let lower = body.to_ascii_lowercase();
    MARKS
        .iter()
        .find(|(mark, _)| lower.contains(mark))
        .map(|(_, what)| *what)
}

/// Requests that make services fail, each with what it tries.
fn provocations() -> Vec<(&'static str, HttpRequest)> {
    let json = |body: &str| HttpRequest {
        method: "POST".to_owned(),
        target: "/".to_owned(),
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body: Some(body.as_bytes().to_vec()),
        bare: false,
        ..HttpRequest::default()
    };
    vec![
        (
            "an unknown path",
            HttpRequest::get("/harden-probe-missing-7f3a/..%2f..%2fetc"),
        ),
        ("malformed JSON", json("{\"id\": [1, 2,, \"unterminated")),
        (
            "a wrong method",
            HttpRequest {
                method: "DELETE".to_owned(),
                ..HttpRequest::get("/")
            },
        ),
        (
            "a wrong content type",
            HttpRequest {
                method: "POST".to_owned(),
                target: "/".to_owned(),
                headers: vec![(
                    "Content-Type".to_owned(),
                    "application/x-harden-unknown".to_owned(),
                )],
                body: Some(b"\x00\x01\x02".to_vec()),
                bare: false,
                ..HttpRequest::default()
            },
        ),
        (
            "an over-long header",
            HttpRequest::get("/").header("X-Harden-Long", &"A".repeat(16 * 1024)),
        ),
    ]
}

impl Gate for ErrorsLeak {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let service = cx.service()?;
        let base = service.base_url();
        let mut unanswered = Vec::new();
        for (what, request) in provocations() {
            let response = match service.send(&request) {
                Ok(response) => response,
                // A service that closes the connection or takes too long reveals nothing by
                // that answer; but a gate that got no answer at all has judged nothing.
                Err(error @ HttpError::Timeout(_)) => {
                    unanswered.push(format!("{what}: {error}"));
                    continue;
                }
                Err(HttpError::Failed(message))
                    if message.starts_with("not sent")
                        || message.to_ascii_lowercase().contains("connect") =>
                {
                    unanswered.push(format!("{what}: {message}"));
                    continue;
                }
                // A connection closed on a malformed request is an answer that shows nothing.
                Err(HttpError::Failed(_)) => {
                    out.examined("requests", 1);
                    continue;
                }
                Err(error) => {
                    return Err(GateError::Failed {
                        message: format!("{} {base} failed: {error}", request.method),
                        location: None,
                    });
                }
            };
            out.examined("requests", 1);
            let body = harden_engine::lossy_text(&response.body);
            if let Some(shown) = leaks(&body) {
                let target = request.target.split('?').next().unwrap_or("/");
                out.finding(
                    cx.finding(
                        format!("{what} is answered with {shown} ({})", response.status),
                        Location::Http {
                            method: request.method.clone(),
                            url: format!("{}{}", base.trim_end_matches('/'), target),
                            status: Some(response.status),
                            summary: format!("{} {target} ({what}) → {}", request.method, response.status),
                            exchange: super::exchange(service, &response),
                        },
                    )
                    .identity(format!("{what}:{shown}"))
                    .help("log the detail with the request id; answer with a generic message and the id")
                    .build(),
                );
            }
        }
        if unanswered.len() == provocations().len() {
            return Err(GateError::Failed {
                message: format!(
                    "none of the {} provocations was answered, nothing could be judged (first: {})",
                    unanswered.len(),
                    unanswered[0]
                ),
                location: None,
            });
        }
        for item in unanswered {
            out.not_examined(&item, "no answer");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::leaks;

    #[test]
    fn internals_are_recognised_and_plain_errors_are_not() {
        assert_eq!(
            leaks("Traceback (most recent call last):\n  File \"/app/x.py\""),
            Some("a Python stack trace")
        );
        assert_eq!(
            leaks("ERROR: syntax error at or near \"FROM\""),
            Some("a SQL error")
        );
        assert_eq!(
            leaks("{\"error\":\"not found\",\"request_id\":\"01HZX3\"}"),
            None
        );
        assert_eq!(
            leaks("<h1>404 Not Found</h1><hr><center>nginx</center>"),
            None
        );
    }
}
