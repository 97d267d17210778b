use harden_engine::{Gate, GateCx, GateError, GateOutput, HttpRequest, HttpResponse};
use harden_model::{GateId, GateMeta, Location, ProfileLevel, Round, Severity, Target};

/// `R1.http.cors`: the service does not let any web site read its answers with the visitor's
/// credentials.
pub(crate) struct HttpCors;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R1.http.cors"),
    round: Round::R1,
    title: "CORS allows only the origins it means to",
    severity: Severity::High,
    target: Target::Service,
    min_profile: ProfileLevel::Production,
    rationale: "CORS decides which other web sites may read the service's answers from a \
visitor's browser. A service that reflects any `Origin`, or allows `null` (sandboxed frames, \
local files), lets every site read what the visitor can see; with \
`Access-Control-Allow-Credentials: true` that includes the visitor's own data. This gate sends \
a foreign origin and `null` with a GET and a preflight and fails a reflected origin, `null` \
allowed, a wildcard or reflection together with credentials, and a preflight that grants a \
foreign origin write methods or any header. A plain `*` without credentials is what a public \
API may want: recorded as a fact, not a failure. Fix: an allowlist of exact origins in the CORS \
middleware.",
    evidence: &["requests", "facts"],
    options: &[],
    items: None,
};

/// An origin no allowlist should contain (RFC 2606 reserves `.invalid`).
const FOREIGN: &str = "https://attacker.invalid";

fn location(
    service: &dyn harden_engine::Service,
    base: &str,
    method: &str,
    origin: &str,
    response: &HttpResponse,
) -> Location {
    Location::Http {
        method: method.to_owned(),
        url: base.to_owned(),
        status: Some(response.status),
        summary: format!(
            "{method} with Origin: {origin} → Access-Control-Allow-Origin: {}{}",
            response
                .header("access-control-allow-origin")
                .unwrap_or("(none)"),
            if credentials(response) {
                ", credentials allowed"
            } else {
                ""
            }
        ),
        exchange: super::exchange(service, response),
    }
}

fn credentials(response: &HttpResponse) -> bool {
    response
        .header("access-control-allow-credentials")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

impl Gate for HttpCors {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let service = cx.service()?;
        let base = service.base_url();
        let send = |request: HttpRequest| {
            service.send(&request).map_err(|error| GateError::Failed {
                message: format!("{} {base} failed: {error}", request.method),
                location: None,
            })
        };
        for origin in [FOREIGN, "null"] {
            let response = send(HttpRequest::get("/").header("Origin", origin))?;
            out.examined("requests", 1);
            let Some(allowed) = response.header("access-control-allow-origin") else {
                continue;
            };
            let allowed = allowed.trim();
            let with_credentials = credentials(&response);
            let problem = if allowed == origin && origin == "null" {
                Some("the `null` origin is allowed: sandboxed frames and local files of any site can read answers".to_owned())
            } else if allowed == origin {
                Some(format!(
                    "any origin is reflected (`{origin}` was allowed){}",
                    if with_credentials {
                        ", with credentials: any site can read what a signed-in visitor sees"
                    } else {
                        ": any site can read the answers"
                    }
                ))
            } else if allowed == "*" && with_credentials {
                Some("`Access-Control-Allow-Origin: *` together with `Access-Control-Allow-Credentials: true`".to_owned())
            } else {
                if allowed == "*" && origin == FOREIGN {
                    out.fact("wildcard", "Access-Control-Allow-Origin: * without credentials (a public API's choice)");
                }
                None
            };
            if let Some(problem) = problem {
                out.finding(
                    cx.finding(problem, location(service, &base, "GET", origin, &response))
                        .identity(format!("get:{origin}"))
                        .help("allow an explicit list of trusted origins; never echo the request's Origin")
                        .build(),
                );
            }
        }
        let preflight = send(HttpRequest {
            method: "OPTIONS".to_owned(),
            target: "/".to_owned(),
            headers: vec![
                ("Origin".to_owned(), FOREIGN.to_owned()),
                (
                    "Access-Control-Request-Method".to_owned(),
                    "DELETE".to_owned(),
                ),
                (
                    "Access-Control-Request-Headers".to_owned(),
                    "authorization, x-admin".to_owned(),
                ),
            ],
            body: None,
            bare: false,
            ..HttpRequest::default()
        })?;
        out.examined("requests", 1);
        let granted = preflight
            .header("access-control-allow-origin")
            .is_some_and(|a| a.trim() == FOREIGN || (a.trim() == "*" && credentials(&preflight)));
        if granted {
            let methods = preflight
                .header("access-control-allow-methods")
                .unwrap_or("")
                .to_ascii_uppercase();
            let headers = preflight
                .header("access-control-allow-headers")
                .unwrap_or("")
                .to_ascii_lowercase();
            let writes = methods
                .split(',')
                .map(str::trim)
                .any(|m| matches!(m, "*" | "DELETE" | "PUT" | "PATCH"));
            let any_header = headers
                .split(',')
                .map(str::trim)
                .any(|h| h == "*" || h == "x-admin");
            if writes || any_header {
                out.finding(
                    cx.finding(
                        format!(
                            "the preflight grants a foreign origin {}",
                            [writes.then_some("write methods"), any_header.then_some("any request header")]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(" and ")
                        ),
                        location(service, &base, "OPTIONS", FOREIGN, &preflight),
                    )
                    .identity("preflight")
                    .help("answer preflights only for allowed origins, with the methods and headers the API needs")
                    .build(),
                );
            }
        }
        Ok(())
    }
}
