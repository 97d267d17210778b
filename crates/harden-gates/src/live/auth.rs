use harden_config::OptionValue;
use harden_engine::{Gate, GateCx, GateError, GateOutput, HttpRequest};
use harden_formats::openapi::{self, Operation, ParameterIn, Security};
use harden_model::{
    GateId, GateMeta, Location, OptionKind, OptionSpec, ProfileLevel, Round, Severity, Target,
};

/// `R1.auth.enforced`: every operation of the contract that is not public refuses a caller
/// without credentials and one with a forged token.
pub(crate) struct AuthEnforced;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R1.auth.enforced"),
    round: Round::R1,
    title: "Every non-public operation rejects anonymous and forged callers",
    severity: Severity::Critical,
    target: Target::Service,
    min_profile: ProfileLevel::Production,
    rationale: "An operation that answers without credentials hands its data or its action to \
anyone who finds the URL. This gate reads the OpenAPI documents of `[contracts] openapi`, and \
calls each operation that is not public (declared `security: []`, or listed in `public`) twice \
(a contract that declares no security at all, with no `public` list, is skipped with that \
reason rather than guessed): \
without any credential (the headers `[target] headers` adds are left off) and with a made-up \
bearer token. Both must be refused with 401 or 403 (a GET may redirect to a login page). A 2xx \
fails; a 5xx fails at lower severity (the service crashed instead of refusing). DELETE and the \
`destructive` patterns are never called; operations whose path parameters have no value in \
`path-values` are counted, not called. Evidence lists every operation with the statuses seen.",
    evidence: &["operations", "requests"],
    options: &[
        OptionSpec {
            key: "public",
            kind: OptionKind::StringList,
            help: "Operations anyone may call, as \"GET /health\" or a path (\"/docs*\", every method); contracts rarely say.",
        },
        OptionSpec {
            key: "destructive",
            kind: OptionKind::StringList,
            help: "Operations never to call besides every DELETE, as \"POST /admin/reset*\" or a path.",
        },
        OptionSpec {
            key: "path-values",
            kind: OptionKind::StringList,
            help: "Values for path parameters, as \"id=42\" (used wherever a parameter of that name appears).",
        },
    ],
    items: None,
};

fn list(cx: &GateCx<'_>, key: &str) -> Vec<String> {
    match cx.option(key) {
        Some(OptionValue::StringList(items)) => items.clone(),
        _ => Vec::new(),
    }
}

/// `pattern` is `METHOD /path` or `/path`, `*` matching any run of characters.
fn matches(pattern: &str, operation: &Operation) -> bool {
    let (method, path) = match pattern.split_once(' ') {
        Some((method, path)) => (Some(method), path.trim()),
        None => (None, pattern.trim()),
    };
    method.is_none_or(|m| m.eq_ignore_ascii_case(&operation.method)) && glob(path, &operation.path)
}

fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            text.starts_with(head)
                && (0..=text.len() - head.len())
                    .filter(|&i| text.is_char_boundary(head.len() + i))
                    .any(|i| glob(rest, &text[head.len() + i..]))
        }
    }
}

/// The operation's path with its parameters filled in, or the first parameter without a value.
fn concrete(operation: &Operation, values: &[(String, String)]) -> Result<String, String> {
    let mut path = operation.path.clone();
    for parameter in operation
        .parameters
        .iter()
        .filter(|p| p.location == ParameterIn::Path)
    {
        let value = values
            .iter()
            .find(|(name, _)| *name == parameter.name)
            .map(|(_, v)| v)
            .ok_or_else(|| parameter.name.clone())?;
        path = path.replace(&format!("{{{}}}", parameter.name), value);
    }
    if let Some(start) = path.find('{') {
        let name = path[start + 1..].split('}').next().unwrap_or_default();
        return Err(name.to_owned());
    }
    Ok(path)
}

/// Refused as it should be: 401, 403, or for a GET a redirect towards a login page.
fn refused(method: &str, status: u16, location: Option<&str>) -> bool {
    matches!(status, 401 | 403)
        || (method == "GET"
            && (300..400).contains(&status)
            && location.is_some_and(|l| {
                let l = l.to_ascii_lowercase();
                ["login", "signin", "sign_in", "auth", "sso"]
                    .iter()
                    .any(|w| l.contains(w))
            }))
}

impl Gate for AuthEnforced {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let service = cx.service()?;
        let documents = &cx.config().contracts.openapi;
        if documents.is_empty() {
            return Err(GateError::Skip(
                "no OpenAPI document in [contracts] openapi: the gate calls the operations a contract declares".into(),
            ));
        }
        let mut operations = Vec::new();
        for document in documents {
            let bytes = cx.repo().read(document).map_err(|e| GateError::Failed {
                message: format!("reading {document}: {e}"),
                location: None,
            })?;
            let text = String::from_utf8_lossy(&bytes);
            operations.extend(openapi::operations(&text).map_err(|e| GateError::Failed {
                message: format!(
                    "{document}:{}:{}: not a readable OpenAPI document: {}",
                    e.line, e.column, e.message
                ),
                location: None,
            })?);
        }
        let public = list(cx, "public");
        // A contract that declares no security anywhere (most real ones) does not say which
        // operations must be protected; calling them all "protected" would report a public
        // API's every route. The user says which are public, or the contract says it.
        if public.is_empty()
            && operations
                .iter()
                .all(|o| o.security == Security::Undeclared)
        {
            return Err(GateError::Skip(format!(
                "the contract declares no security for any of its {} operations, so harden cannot tell which must be protected: list the public ones in [gates.\"R1.auth.enforced\"] public (every other one is then judged), or declare `security` in the contract",
                operations.len()
            )));
        }
        let destructive = list(cx, "destructive");
        let values: Vec<(String, String)> = list(cx, "path-values")
            .iter()
            .filter_map(|v| {
                v.split_once('=')
                    .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            })
            .collect();
        let base = service.base_url();
        for operation in &operations {
            let label = format!("{} {}", operation.method, operation.path);
            if operation.security == Security::Public
                || public.iter().any(|p| matches(p, operation))
            {
                out.add("public operations", 1);
                continue;
            }
            if operation.method == "DELETE" || destructive.iter().any(|p| matches(p, operation)) {
                out.add("destructive operations, not called", 1);
                continue;
            }
            let path = match concrete(operation, &values) {
                Ok(path) => path,
                Err(name) => {
                    out.add("operations without a value for a path parameter", 1);
                    out.fact(
                        &label,
                        format!("not called: no value for `{name}` (path-values)"),
                    );
                    continue;
                }
            };
            out.examined("operations", 1);
            let body = operation.body.as_ref().map(|_| b"{}".to_vec());
            let mut statuses = Vec::new();
            for (who, headers) in [
                ("without credentials", Vec::new()),
                (
                    "with a forged bearer token",
                    vec![(
                        "Authorization".to_owned(),
                        "Bearer harden-forged-token-0000000000".to_owned(),
                    )],
                ),
            ] {
                let mut headers = headers;
                if body.is_some() {
                    headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
                }
                let request = HttpRequest {
                    method: operation.method.clone(),
                    target: path.clone(),
                    headers,
                    body: body.clone(),
                    bare: true,
                };
                let response = service.send(&request).map_err(|error| GateError::Failed {
                    message: format!("{label} {who}: {error}"),
                    location: None,
                })?;
                out.add("requests", 1);
                statuses.push(response.status.to_string());
                if refused(
                    &operation.method,
                    response.status,
                    response.header("location"),
                ) {
                    continue;
                }
                let (problem, severity) = match response.status {
                    200..=299 => ("answers", Severity::Critical),
                    500..=599 => ("fails with", Severity::Medium),
                    _ => continue,
                };
                out.finding(
                    cx.finding(
                        format!("{label} {problem} {} {who}", response.status),
                        Location::Http {
                            method: operation.method.clone(),
                            url: format!("{}{path}", base.trim_end_matches('/')),
                            status: Some(response.status),
                            summary: format!("{} {path} {who} → {}", operation.method, response.status),
                            exchange: super::exchange(service, &response),
                        },
                    )
                    .identity(format!("{label} {who}"))
                    .severity(severity)
                    .help("require authentication on the route (or list it in `public` if it is meant to be open)")
                    .build(),
                );
            }
            out.fact(&label, statuses.join(", "));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{glob, refused};

    #[test]
    fn patterns_and_refusals() {
        assert!(glob("/docs*", "/docs/index.html"));
        assert!(glob("/api/*/admin", "/api/v1/admin"));
        assert!(!glob("/health", "/healthz"));
        assert!(refused("GET", 302, Some("/login?next=/items")));
        assert!(!refused("POST", 302, Some("/login")));
        assert!(!refused("GET", 404, None));
        assert!(refused("POST", 401, None));
    }
}
