use harden_engine::{Gate, GateCx, GateError, GateOutput, HttpRequest, HttpResponse};
use harden_model::{GateId, GateMeta, Location, ProfileLevel, Round, Severity, Target};

/// `R7.http.headers`: the security headers a browser or client relies on.
pub(crate) struct HttpHeaders;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R7.http.headers"),
    round: Round::R7,
    title: "Security headers on the service's responses",
    severity: Severity::Medium,
    target: Target::Service,
    min_profile: ProfileLevel::Production,
    rationale: "Security headers are the browser's half of the defence: HSTS keeps clients on \
https, a Content-Security-Policy limits what an injected script can do, `nosniff` stops a \
response from being run as another type, framing protection stops clickjacking, a Referrer-Policy \
keeps URLs with tokens from leaking to other sites, and a `Server` or `X-Powered-By` header with a \
version tells an attacker which exploit to try. This gate fetches the service's root and judges \
each item with its reason: HSTS on https (max-age of at least 6 months, includeSubDomains), a CSP \
that is not defeated ('unsafe-inline' scripts without a nonce or hash, `*` or scheme-only script \
sources, no `object-src`, `base-uri` or `frame-ancestors`), `X-Content-Type-Options: nosniff`, \
framing protection, a Referrer-Policy that does not send full URLs across origins, and no version \
in `Server`/`X-Powered-By`. JSON responses are judged by what applies to an API (HSTS, nosniff, \
disclosure). Fix: set the headers at the edge (proxy, CDN) or in the framework's middleware.",
    evidence: &["requests", "checks"],
    options: &[],
    items: None,
};

/// Six months, the least HSTS max-age preload lists accept.
const HSTS_MIN_AGE: u64 = 15_552_000;

/// One judged item: its name and, when it fails, why.
struct Check {
    item: &'static str,
    problem: Option<String>,
    help: &'static str,
    /// Lower than the gate's where the risk is (a missing header whose browser default is safe).
    severity: Option<Severity>,
}

fn directive<'a>(policy: &'a str, name: &str) -> Option<&'a str> {
    policy.split(';').map(str::trim).find_map(|d| {
        let (key, rest) = d.split_once(char::is_whitespace).unwrap_or((d, ""));
        key.eq_ignore_ascii_case(name).then_some(rest.trim())
    })
}

/// What defeats a CSP, if anything (none for a policy that holds).
fn csp_problems(policy: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let scripts = directive(policy, "script-src").or_else(|| directive(policy, "default-src"));
    match scripts {
        None => problems.push(
            "has neither `script-src` nor `default-src`: scripts may come from anywhere".to_owned(),
        ),
        Some(sources) => {
            let words: Vec<&str> = sources.split_whitespace().collect();
            let pinned = words.iter().any(|w| {
                w.starts_with("'nonce-")
                    || w.starts_with("'sha256-")
                    || w.starts_with("'sha384-")
                    || w.starts_with("'sha512-")
            });
            if words.contains(&"'unsafe-inline'") && !pinned {
                problems.push("allows 'unsafe-inline' scripts without a nonce or hash".to_owned());
            }
            if let Some(broad) = words
                .iter()
                .find(|w| **w == "*" || matches!(**w, "http:" | "https:" | "data:" | "blob:"))
            {
                problems.push(format!("lets scripts load from `{broad}`, any host"));
            }
        }
    }
    let default_none = directive(policy, "default-src").is_some_and(|s| s == "'none'");
    if directive(policy, "object-src").is_none() && !default_none {
        problems.push("has no `object-src` (plugins fall back to the default sources)".to_owned());
    }
    for (name, why) in [
        (
            "base-uri",
            "an injected `<base>` can redirect relative script URLs",
        ),
        ("frame-ancestors", "any site may frame the page"),
    ] {
        if directive(policy, name).is_none() {
            problems.push(format!("has no `{name}`: {why}"));
        }
    }
    problems
}

fn judge(https: bool, response: &HttpResponse) -> Vec<Check> {
    let html = response
        .header("content-type")
        .is_some_and(|t| t.to_ascii_lowercase().contains("text/html"));
    let mut checks = Vec::new();
    if https {
        let hsts = response.header("strict-transport-security");
        let problem = match hsts {
            None => Some(
                "no `Strict-Transport-Security`: a first visit over http can be intercepted"
                    .to_owned(),
            ),
            Some(value) => {
                let lower = value.to_ascii_lowercase();
                let age = lower
                    .split(';')
                    .find_map(|p| p.trim().strip_prefix("max-age="))
                    .and_then(|a| a.trim_matches('"').parse::<u64>().ok());
                match age {
                    None => Some(format!(
                        "`Strict-Transport-Security: {value}` has no valid max-age"
                    )),
                    Some(age) if age < HSTS_MIN_AGE => Some(format!(
                        "HSTS max-age is {age} s, under six months ({HSTS_MIN_AGE} s)"
                    )),
                    Some(_) if !lower.contains("includesubdomains") => {
                        Some("HSTS does not cover subdomains (`includeSubDomains`)".to_owned())
                    }
                    Some(_) => None,
                }
            }
        };
        checks.push(Check { item: "hsts", problem, severity: None, help: "send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every https response" });
    }
    let nosniff = response
        .header("x-content-type-options")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("nosniff"));
    checks.push(Check {
        item: "nosniff",
        problem: (!nosniff).then(|| {
            "no `X-Content-Type-Options: nosniff`: a response may be run as another type".to_owned()
        }),
        help: "send `X-Content-Type-Options: nosniff`",
        severity: None,
    });
    let csp = response.header("content-security-policy");
    if html {
        let problem = match csp {
            None => Some(
                "no `Content-Security-Policy`: an injected script runs with the page's rights"
                    .to_owned(),
            ),
            Some(policy) => {
                let problems = csp_problems(policy);
                (!problems.is_empty())
                    .then(|| format!("the Content-Security-Policy {}", problems.join("; ")))
            }
        };
        checks.push(Check { item: "csp", problem, severity: None, help: "send a CSP with `default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'` and nonces for inline scripts" });
        let framed_by_csp = csp.and_then(|p| directive(p, "frame-ancestors")).is_some();
        let xfo = response.header("x-frame-options").is_some_and(|v| {
            matches!(
                v.trim().to_ascii_uppercase().as_str(),
                "DENY" | "SAMEORIGIN"
            )
        });
        checks.push(Check {
            item: "framing",
            problem: (!framed_by_csp && !xfo).then(|| "neither CSP `frame-ancestors` nor `X-Frame-Options`: the page can be framed (clickjacking)".to_owned()),
            help: "send CSP `frame-ancestors 'none'` (or `X-Frame-Options: DENY`)",
            severity: None,
        });
        let referrer = response
            .header("referrer-policy")
            .map(|v| v.trim().to_ascii_lowercase());
        let problem = match referrer.as_deref() {
            None => Some("no `Referrer-Policy`: current browsers fall back to `strict-origin-when-cross-origin`, older ones send full URLs (tokens in query strings included) to other sites".to_owned()),
            Some(policy @ ("unsafe-url" | "no-referrer-when-downgrade")) => Some(format!("`Referrer-Policy: {policy}` sends full URLs to other sites")),
            Some(_) => None,
        };
        checks.push(Check {
            item: "referrer",
            severity: referrer.is_none().then_some(Severity::Low),
            problem,
            help: "send `Referrer-Policy: strict-origin-when-cross-origin` (or stricter)",
        });
    }
    let disclosed: Vec<String> = [
        "server",
        "x-powered-by",
        "x-aspnet-version",
        "x-aspnetmvc-version",
    ]
    .iter()
    .filter_map(|name| response.header(name).map(|v| (name, v)))
    .filter(|(name, value)| {
        // `Server: nginx` names a product but no version; `X-Powered-By: hidden` (verdaccio's
        // default) names nothing. Either tells an attacker nothing to look up.
        let placeholder = matches!(
            value.trim().to_ascii_lowercase().as_str(),
            "" | "hidden" | "none" | "unknown" | "-" | "n/a" | "redacted" | "private"
        );
        !placeholder && (**name != "server" || value.chars().any(|c| c.is_ascii_digit()))
    })
    .map(|(name, value)| format!("`{name}: {value}`"))
    .collect();
    checks.push(Check {
        item: "disclosure",
        problem: (!disclosed.is_empty()).then(|| {
            let verb = if disclosed.len() == 1 { "tells" } else { "tell" };
            format!("{} {verb} which software and version answer", disclosed.join(", "))
        }),
        help: "drop `X-Powered-By` and the version from `Server` (nginx `server_tokens off;`, Express `app.disable('x-powered-by')`)",
        severity: None,
    });
    checks
}

impl Gate for HttpHeaders {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let service = cx.service()?;
        let base = service.base_url();
        let https = base.starts_with("https://");
        let mut checked = 0;
        for path in service.paths() {
            let response = match service.send(&HttpRequest::get(&path)) {
                Ok(response) => response,
                Err(error) => {
                    return Err(GateError::Failed {
                        message: format!("GET {path} on {base} failed: {error}"),
                        location: None,
                    });
                }
            };
            out.examined("requests", 1);
            let location = Location::Http {
                method: "GET".to_owned(),
                url: format!("{}{path}", base.trim_end_matches('/')),
                status: Some(response.status),
                summary: format!(
                    "GET {path} → {} {}",
                    response.status,
                    response
                        .header("content-type")
                        .unwrap_or("(no content type)")
                ),
                exchange: super::exchange(service, &response),
            };
            let checks = judge(https, &response);
            checked += checks.len() as u64;
            for check in checks {
                if let Some(problem) = check.problem {
                    // `/` keeps the plain item as its identity, so waivers written before
                    // `[target] paths` existed still match.
                    let identity = if path == "/" {
                        check.item.to_owned()
                    } else {
                        format!("{path} {}", check.item)
                    };
                    let problem = if path == "/" {
                        problem
                    } else {
                        format!("{path}: {problem}")
                    };
                    let mut finding = cx
                        .finding(problem, location.clone())
                        .identity(identity)
                        .help(check.help);
                    if let Some(severity) = check.severity {
                        finding = finding.severity(severity);
                    }
                    out.finding(finding.build());
                }
            }
        }
        out.count("checks", checked);
        Ok(())
    }
}
