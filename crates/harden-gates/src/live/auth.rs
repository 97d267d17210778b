use harden_engine::{
    Forgery, Gate, GateCx, GateError, GateOutput, HttpRequest, HttpResponse, Service,
};
use harden_formats::openapi::{Operation, Security};
use harden_model::{GateId, GateMeta, Location, ProfileLevel, Round, Severity, Target};

use super::contract::{self, Scope};
use super::values;

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
calls each operation that is not public (declared `security: []`, declaring nothing where \
the contract declares security elsewhere, or listed in `[target] public`; a contract that \
declares no security at all, with no `public` list, is skipped with that reason rather than \
guessed) without any credential (the headers `[target] headers` adds \
are left off) and with a made-up bearer token; when the first `[[target.identity]]` holds a \
JWT, also with that token forged three ways: `alg: none`, an altered signature, and expired \
(signed properly when `jwt-key-env` gives the service's HMAC key). Each must be refused with \
401 or 403 (a GET may redirect to a login page). A 2xx fails; a 5xx fails at lower severity \
(the service crashed instead of refusing). DELETE and the `[target] destructive` patterns are \
never called; path parameters take `[target] path-values`, else a value valid for their \
schema (an anonymous caller must be refused whether the object exists or not). Evidence \
lists every operation with the statuses seen.",
    evidence: &["operations", "requests"],
    options: &[],
    items: None,
};

/// Who calls, and how: anonymous and forged callers never carry the `[target]` headers.
struct Caller {
    who: String,
    identity: Option<String>,
    forgery: Option<Forgery>,
    headers: Vec<(String, String)>,
}

fn callers(jwt_identity: Option<&str>) -> Vec<Caller> {
    let mut callers = vec![
        Caller {
            who: "without credentials".into(),
            identity: None,
            forgery: None,
            headers: Vec::new(),
        },
        Caller {
            who: "with a made-up bearer token".into(),
            identity: None,
            forgery: None,
            headers: vec![(
                "Authorization".to_owned(),
                "Bearer harden-forged-token-0000000000".to_owned(),
            )],
        },
    ];
    if let Some(name) = jwt_identity {
        callers.extend(Forgery::ALL.into_iter().map(|forgery| Caller {
            who: format!("with {} of {name}", forgery.describe()),
            identity: Some(name.to_owned()),
            forgery: Some(forgery),
            headers: Vec::new(),
        }));
    }
    callers
}

/// The first identity, if its credential is a JWT its own service accepts: forgeries of it are
/// only telling when the genuine token works. Facts say why forgeries are not tried.
fn jwt_identity(
    service: &dyn Service,
    operations: &[Operation],
    scope: &Scope,
    out: &mut GateOutput,
) -> Result<Option<String>, GateError> {
    let Some(name) = service.identities().into_iter().next() else {
        return Ok(None);
    };
    let info = match service.identity(&name) {
        Ok(info) => info,
        Err(error) => {
            out.fact("JWT forgeries", format!("not tried: {error}"));
            return Ok(None);
        }
    };
    if !info.jwt {
        out.fact(
            "JWT forgeries",
            format!("not tried: {name}'s credential is not a JWT"),
        );
        return Ok(None);
    }
    // A protected GET that needs no object: the genuine token must be accepted there.
    let Some(probe) = operations.iter().find(|o| {
        o.method == "GET" && !scope.is_public(o) && contract::concrete(o, &scope.values).is_ok()
    }) else {
        out.fact(
            "JWT forgeries",
            "not tried: no protected GET to check the genuine token on",
        );
        return Ok(None);
    };
    let path = contract::concrete_or_placeholder(probe, &scope.values);
    let genuine = contract::send(
        service,
        &contract::request("GET", &path, None, Some(&name)),
        out,
    )?;
    if !(200..300).contains(&genuine.status) {
        out.fact(
            "JWT forgeries",
            format!(
                "not tried: {name}'s own token got {} from GET {path}",
                genuine.status
            ),
        );
        return Ok(None);
    }
    if !info.can_sign {
        out.fact(
            "expired token",
            format!("sent with the issued signature (no jwt-key-env for {name}): it shows the claims are verified, not the expiry check alone"),
        );
    }
    Ok(Some(name))
}

impl Gate for AuthEnforced {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let service = cx.service()?;
        let operations = contract::operations(cx)?;
        let scope = Scope::of_contract(cx, &operations);
        // A contract that declares no security anywhere (most real ones) does not say which
        // operations must be protected; calling them all "protected" would report a public
        // API's every route. The user says which are public, or the contract says it.
        if scope.public.is_empty()
            && operations
                .iter()
                .all(|o| o.security == Security::Undeclared)
        {
            return Err(GateError::Skip(format!(
                "the contract declares no security for any of its {} operations, so harden cannot tell which must be protected: list the public ones in [target] public (every other one is then judged), or declare `security` in the contract",
                operations.len()
            )));
        }
        let public = operations.iter().filter(|o| scope.is_public(o)).count();
        if public == operations.len() {
            return Err(GateError::Skip(format!(
                "every one of the contract's {public} operations is public (declared `security: []` or listed in [target] public): none must refuse anonymous callers"
            )));
        }
        let jwt = jwt_identity(service, &operations, &scope, out)?;
        let callers = callers(jwt.as_deref());
        let base = service.base_url();
        for operation in &operations {
            let label = contract::label(operation);
            if scope.is_public(operation) {
                out.add("public operations", 1);
                continue;
            }
            if scope.never_call(operation) {
                out.add("destructive operations, not called", 1);
                continue;
            }
            let path = contract::concrete_or_placeholder(operation, &scope.values);
            out.examined("operations", 1);
            cx.progress(&label);
            let body = operation
                .body
                .as_ref()
                .map(|(schema, _)| values::valid(schema, "harden-auth"));
            let mut statuses = Vec::new();
            let mut anonymous_refused = false;
            for (index, caller) in callers.iter().enumerate() {
                // Forgeries only tell something where the anonymous caller was refused.
                if caller.forgery.is_some() && !anonymous_refused {
                    break;
                }
                let mut request = contract::request(
                    &operation.method,
                    &path,
                    body.as_ref(),
                    caller.identity.as_deref(),
                );
                request.headers.extend(caller.headers.iter().cloned());
                request.forgery = caller.forgery;
                request.bare = true;
                let response = contract::send(service, &request, out)?;
                statuses.push(response.status.to_string());
                let refused = contract::refused(
                    &operation.method,
                    response.status,
                    response.header("location"),
                );
                if index == 0 {
                    anonymous_refused = refused;
                }
                if !refused {
                    report(
                        cx,
                        out,
                        service,
                        &base,
                        operation,
                        &path,
                        &caller.who,
                        &request,
                        &response,
                    );
                }
            }
            out.fact(&label, statuses.join(", "));
        }
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)] // One finding's parts, from the one caller.
fn report(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
    service: &dyn Service,
    base: &str,
    operation: &Operation,
    path: &str,
    who: &str,
    request: &HttpRequest,
    response: &HttpResponse,
) {
    let label = contract::label(operation);
    let (problem, severity) = match response.status {
        200..=299 => ("answers", Severity::Critical),
        status if contract::crashed(status) => ("fails with", Severity::Medium),
        _ => return,
    };
    out.finding(
        cx.finding(
            format!("{label} {problem} {} {who}", response.status),
            Location::Http {
                method: request.method.clone(),
                url: format!("{}{path}", base.trim_end_matches('/')),
                status: Some(response.status),
                summary: format!("{} {path} {who} → {}", request.method, response.status),
                exchange: super::exchange(service, response),
            },
        )
        .identity(format!("{label} {who}"))
        .severity(severity)
        .help(if request.forgery.is_some() {
            "verify the token's signature with a fixed algorithm list (never `none`) and check `exp`"
        } else {
            "require authentication on the route (or list it in [target] public if it is meant to be open)"
        })
        .build(),
    );
}
