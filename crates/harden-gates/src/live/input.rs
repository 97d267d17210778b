use harden_config::OptionValue;
use harden_engine::{Gate, GateCx, GateError, GateOutput, HttpRequest};
use harden_formats::openapi::{Operation, ParameterIn};
use harden_model::{
    GateId, GateMeta, Location, OptionKind, OptionSpec, ProfileLevel, Round, Severity, Target,
};
use serde_json::{Value, json};

use super::contract::{self, Created, Scope};
use super::values::{self, Rng};

/// `R5.input.rejected`: input the contract forbids is refused with a 4xx, never a crash.
pub(crate) struct InputRejected;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R5.input.rejected"),
    round: Round::R5,
    title: "Invalid input is rejected with a 4xx, never a server error",
    severity: Severity::High,
    target: Target::Service,
    min_profile: ProfileLevel::Production,
    rationale: "Validation belongs at the trust boundary: input the contract forbids must be \
refused with a 4xx before it reaches code that assumes it is well-formed. A 5xx on bad input is \
a crash someone can trigger at will (and often a leak of internals); a 2xx for input the schema \
forbids means the contract is not what the service enforces. For every operation of `[contracts] \
openapi` that is not destructive (DELETE and `[target] destructive` are never called), the \
gate derives negative cases from the schemas: malformed JSON, a wrong content type, a body of \
the wrong shape, each required field missing, each field of the wrong type, values below the \
minimum, above the maximum or over `maxLength`, values outside an enum, an oversized body, and \
query and path parameters of the wrong type or out of range. Cases are chosen by a seeded \
generator: the same `seed`, the same requests. A 5xx fails the gate; a 2xx for a case the \
schema forbids is a lower-severity finding. Requests go as the first `[[target.identity]]` when \
there is one; a protected operation that refuses that identity's valid request (401/403) checks \
the caller before the input, so it is sent only what is parsed before that (malformed JSON, a \
wrong content type) and the evidence counts it; objects are created to address item routes and deleted afterwards, and PUT or \
PATCH of an object goes only to those (never to one named by `path-values`).",
    evidence: &["operations", "cases", "requests"],
    options: &[
        OptionSpec {
            key: "seed",
            kind: OptionKind::Integer,
            help: "Seed of the case generator (default 0): the same seed sends the same requests.",
        },
        OptionSpec {
            key: "cases-per-operation",
            kind: OptionKind::Integer,
            help: "Most negative cases sent to one operation (default 16), besides the two valid requests.",
        },
        OptionSpec {
            key: "max-requests",
            kind: OptionKind::Integer,
            help: "Most requests of the whole gate (default 200).",
        },
        OptionSpec {
            key: "oversized-kib",
            kind: OptionKind::Integer,
            help: "Size of the oversized body in KiB (default 1024; 0 leaves the case out).",
        },
    ],
    items: None,
};

fn integer(cx: &GateCx<'_>, key: &str, default: u64) -> u64 {
    match cx.option(key) {
        Some(OptionValue::Integer(n)) => *n,
        _ => default,
    }
}

/// One negative case: what it sends and whether the schema forbids it outright.
#[derive(Default)]
struct Case {
    /// Stable name, for the finding's identity (`missing:title`).
    key: String,
    /// What it is, for people.
    what: String,
    target: String,
    content_type: Option<&'static str>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    forbidden: bool,
}

/// The operation's valid request: path, query and body a reviewer would expect to work.
struct Valid {
    path: String,
    query: Vec<(String, String)>,
    body: Option<Value>,
}

fn with_query(path: &str, query: &[(String, String)]) -> String {
    if query.is_empty() {
        return path.to_owned();
    }
    let pairs: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{k}={}", contract::encode(v)))
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

/// The valid request, and the same with every optional query and header parameter set: a
/// 5xx to either is a failure no invalid input is needed for.
fn positive(operation: &Operation, valid: &Valid) -> Vec<Case> {
    let body = valid
        .body
        .as_ref()
        .map(|b| serde_json::to_vec(b).unwrap_or_default());
    let content_type = valid.body.as_ref().map(|_| "application/json");
    let mut out = vec![Case {
        key: "valid".into(),
        what: "a valid request".into(),
        target: with_query(&valid.path, &valid.query),
        content_type,
        body: body.clone(),
        ..Case::default()
    }];
    let optional: Vec<_> = operation
        .parameters
        .iter()
        .filter(|p| !p.required && matches!(p.location, ParameterIn::Query | ParameterIn::Header))
        .filter_map(|p| {
            p.schema
                .as_ref()
                .map(|s| (p, values::valid_named(s, &p.name, "harden")))
        })
        .collect();
    if !optional.is_empty() {
        let mut query = valid.query.clone();
        let mut headers = Vec::new();
        for (parameter, value) in optional {
            let text = values::scalar_text(&value);
            if parameter.location == ParameterIn::Query {
                query.push((parameter.name.clone(), text));
            } else if !text.contains(['\r', '\n']) {
                headers.push((parameter.name.clone(), text));
            }
        }
        out.push(Case {
            key: "optional".into(),
            what: "a valid request with every optional parameter".into(),
            target: with_query(&valid.path, &query),
            content_type,
            headers,
            body,
            ..Case::default()
        });
    }
    out
}

fn json_case(key: String, what: String, valid: &Valid, body: &Value, forbidden: bool) -> Case {
    Case {
        key,
        what,
        target: with_query(&valid.path, &valid.query),
        content_type: Some("application/json"),
        body: Some(serde_json::to_vec(body).unwrap_or_default()),
        forbidden,
        ..Case::default()
    }
}

/// One operation's cases and the statuses its cases were answered with, in case order.
struct Plan<'a> {
    operation: &'a Operation,
    label: String,
    positives: Vec<Case>,
    negatives: Vec<Case>,
    statuses: Vec<String>,
}

/// One phase of every plan's cases (`which` picks the valid or the negative ones), taken out
/// of the plans, each with the index of its plan, in plan order.
fn take_phase<'a>(
    plans: &mut [Plan<'a>],
    which: impl for<'p> Fn(&'p mut Plan<'a>) -> &'p mut Vec<Case>,
) -> Vec<(usize, Case)> {
    let mut phase = Vec::new();
    for (i, plan) in plans.iter_mut().enumerate() {
        phase.extend(std::mem::take(which(plan)).into_iter().map(|c| (i, c)));
    }
    phase
}

/// Sends cases and judges their answers.
struct Judge<'a, 'c> {
    cx: &'a GateCx<'c>,
    service: &'a dyn harden_engine::Service,
    operations: &'a [Operation],
    identity: Option<String>,
    created: &'a mut Vec<Created>,
}

impl Judge<'_, '_> {
    /// Sends `cases` (each with the index of its plan) together, as many at once as the
    /// prober's limits allow; answers come back, and stay in the transcript, in case order.
    fn send(
        &mut self,
        plans: &mut [Plan<'_>],
        cases: Vec<(usize, Case)>,
        out: &mut GateOutput,
    ) -> Result<(), GateError> {
        let requests: Vec<HttpRequest> = cases
            .iter()
            .map(|(i, case)| {
                let mut request = HttpRequest {
                    method: plans[*i].operation.method.clone(),
                    target: case.target.clone(),
                    body: case.body.clone(),
                    identity: self.identity.clone(),
                    ..HttpRequest::default()
                };
                if let Some(kind) = case.content_type {
                    request.headers.push(("Content-Type".into(), kind.into()));
                }
                request.headers.extend(case.headers.iter().cloned());
                request
            })
            .collect();
        let responses = self.service.send_many(&requests);
        for ((i, case), response) in cases.into_iter().zip(responses) {
            let plan = &mut plans[i];
            let response = response.map_err(|error| GateError::Failed {
                message: format!("{} {}: {error}", plan.operation.method, case.target),
                location: None,
            })?;
            out.add("requests", 1);
            out.add("cases", 1);
            plan.statuses.push(response.status.to_string());
            self.judge(plan, &case, &response, out);
        }
        Ok(())
    }

    fn judge(
        &mut self,
        plan: &Plan<'_>,
        case: &Case,
        response: &harden_engine::HttpResponse,
        out: &mut GateOutput,
    ) {
        let operation = plan.operation;
        let label = &plan.label;
        if operation.method == "POST" && (200..300).contains(&response.status) {
            // An accepted create made an object: it goes with the others.
            if let Some(item) = contract::item_operations(self.operations, &operation.path).first()
            {
                let parameter = contract::last_parameter(&item.path).unwrap_or("id");
                if let Some(id) = contract::id_of(response, parameter) {
                    self.created.push(Created {
                        by: label.clone(),
                        template: item.path.clone(),
                        path: item.path.replace(&format!("{{{parameter}}}"), &id),
                        id,
                        marker: String::new(),
                        owner: self.identity.clone(),
                    });
                }
            }
        }
        let (problem, severity) = match response.status {
            status if contract::crashed(status) => ("fails with", Severity::High),
            200..=299 if case.forbidden => ("accepts", Severity::Low),
            _ => return,
        };
        let with = if problem == "accepts" {
            String::new()
        } else {
            format!(" {}", response.status)
        };
        let base = self.service.base_url();
        out.finding(
            self.cx
                .finding(
                    format!("{label} {problem}{with} {}", case.what),
                    Location::Http {
                        method: operation.method.clone(),
                        url: format!("{}{}", base.trim_end_matches('/'), case.target),
                        status: Some(response.status),
                        summary: format!(
                            "{} {} with {} → {}",
                            operation.method, case.target, case.what, response.status
                        ),
                        exchange: super::exchange(self.service, response),
                    },
                )
                .identity(format!("{label}:{}", case.key))
                .severity(severity)
                .help(if severity == Severity::High {
                    "validate the input against the contract at the boundary and answer 400/422; never let it reach code that assumes it is valid"
                } else {
                    "enforce the contract's constraint (or correct the contract if the service is right)"
                })
                .build(),
        );
    }
}

/// The cases a server reads before it knows who is asking: the body's syntax and media type.
/// (A body of the wrong shape is well-formed JSON: its schema is checked with the rest, after.)
const PARSED_FIRST: [&str; 2] = ["malformed-json", "content-type"];

/// Every negative case of `operation`, in a fixed order.
fn cases(operation: &Operation, valid: &Valid, oversized: usize, rng: &mut Rng) -> Vec<Case> {
    let mut out = Vec::new();
    let target = with_query(&valid.path, &valid.query);
    if let (Some((schema, _)), Some(body)) = (&operation.body, &valid.body) {
        let schema = values::flatten(schema);
        let text = serde_json::to_string(body).unwrap_or_default();
        out.push(Case {
            key: "malformed-json".into(),
            what: "malformed JSON".into(),
            target: target.clone(),
            content_type: Some("application/json"),
            body: Some(
                format!("{},, \"unterminated", &text[..text.len().saturating_sub(1)]).into_bytes(),
            ),
            forbidden: true,
            ..Case::default()
        });
        out.push(Case {
            key: "content-type".into(),
            what: "a valid body sent as text/plain".into(),
            target: target.clone(),
            content_type: Some("text/plain"),
            body: Some(text.clone().into_bytes()),
            forbidden: true,
            ..Case::default()
        });
        if values::main_type(&schema) == Some("object") || schema.get("properties").is_some() {
            out.push(json_case(
                "shape".into(),
                "a JSON array instead of an object".into(),
                valid,
                &json!([body]),
                true,
            ));
            for name in values::required(&schema) {
                let mut missing = body.clone();
                if let Some(object) = missing.as_object_mut() {
                    object.remove(&name);
                }
                out.push(json_case(
                    format!("missing:{name}"),
                    format!("the required field `{name}` left out"),
                    valid,
                    &missing,
                    true,
                ));
            }
            for (name, property) in values::properties(&schema) {
                let mut changed = body.clone();
                changed[&name] = values::wrong_type(&property, rng);
                out.push(json_case(
                    format!("type:{name}"),
                    format!("`{name}` of the wrong type"),
                    valid,
                    &changed,
                    true,
                ));
                for invalid in values::out_of_bounds(&property) {
                    let mut changed = body.clone();
                    changed[&name] = invalid.value;
                    out.push(json_case(
                        format!(
                            "bounds:{name}:{}",
                            if invalid.forbidden {
                                "declared"
                            } else {
                                "open"
                            }
                        ),
                        format!("`{name}` = {}", invalid.what),
                        valid,
                        &changed,
                        invalid.forbidden,
                    ));
                }
            }
            if oversized > 0 {
                let mut big = body.clone();
                if let Some(object) = big.as_object_mut() {
                    object.insert("harden_padding".into(), json!("h".repeat(oversized)));
                }
                out.push(json_case(
                    "oversized".into(),
                    format!("a body of {} KiB", oversized >> 10),
                    valid,
                    &big,
                    false,
                ));
            }
        }
    }
    for parameter in &operation.parameters {
        let Some(schema) = &parameter.schema else {
            continue;
        };
        match parameter.location {
            ParameterIn::Query => {
                if parameter.required {
                    let query: Vec<(String, String)> = valid
                        .query
                        .iter()
                        .filter(|(k, _)| *k != parameter.name)
                        .cloned()
                        .collect();
                    out.push(Case {
                        key: format!("missing-query:{}", parameter.name),
                        what: format!("the required query parameter `{}` left out", parameter.name),
                        target: with_query(&valid.path, &query),
                        content_type: None,
                        body: None,
                        forbidden: true,
                        ..Case::default()
                    });
                }
                let mut bad: Vec<(String, String, String, bool)> = Vec::new();
                // In a query string only a scalar has a type to get wrong: one value is also
                // an array of one, and text is a string.
                if let Some(text) = values::wrong_text(schema) {
                    bad.push((
                        format!("query-type:{}", parameter.name),
                        text.to_owned(),
                        format!("the query parameter `{}` of the wrong type", parameter.name),
                        true,
                    ));
                }
                for invalid in values::out_of_bounds(schema) {
                    bad.push((
                        format!("query-bounds:{}", parameter.name),
                        invalid
                            .text
                            .clone()
                            .unwrap_or_else(|| values::scalar_text(&invalid.value)),
                        format!(
                            "the query parameter `{}` = {}",
                            parameter.name, invalid.what
                        ),
                        invalid.forbidden,
                    ));
                }
                for (key, value, what, forbidden) in bad {
                    let mut query: Vec<(String, String)> = valid
                        .query
                        .iter()
                        .filter(|(k, _)| *k != parameter.name)
                        .cloned()
                        .collect();
                    query.push((parameter.name.clone(), value));
                    out.push(Case {
                        key,
                        what,
                        target: with_query(&valid.path, &query),
                        content_type: valid.body.as_ref().map(|_| "application/json"),
                        body: valid
                            .body
                            .as_ref()
                            .map(|b| serde_json::to_vec(b).unwrap_or_default()),
                        forbidden,
                        ..Case::default()
                    });
                }
            }
            ParameterIn::Path
                if values::main_type(schema).is_some_and(|t| t == "integer" || t == "number") =>
            {
                let bad = operation
                    .path
                    .replace(&format!("{{{}}}", parameter.name), "harden-not-a-number");
                // The other parameters keep their values: rebuild from the valid path.
                let target = rebuild(&operation.path, &valid.path, &bad);
                out.push(Case {
                    key: format!("path-type:{}", parameter.name),
                    what: format!("the path parameter `{}` not a number", parameter.name),
                    target: with_query(&target, &valid.query),
                    content_type: valid.body.as_ref().map(|_| "application/json"),
                    body: valid
                        .body
                        .as_ref()
                        .map(|b| serde_json::to_vec(b).unwrap_or_default()),
                    forbidden: true,
                    ..Case::default()
                });
            }
            _ => {}
        }
    }
    out
}

/// `valid` (a concrete path of `template`) with the segments `changed` alters.
fn rebuild(template: &str, valid: &str, changed: &str) -> String {
    let (t, v, c): (Vec<&str>, Vec<&str>, Vec<&str>) = (
        template.split('/').collect(),
        valid.split('/').collect(),
        changed.split('/').collect(),
    );
    if t.len() != v.len() || t.len() != c.len() {
        return valid.to_owned();
    }
    t.iter()
        .zip(v.iter().zip(&c))
        .map(|(t, (v, c))| if t == c { *v } else { *c })
        .collect::<Vec<_>>()
        .join("/")
}

impl Gate for InputRejected {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let service = cx.service()?;
        let operations = contract::operations(cx)?;
        let scope = Scope::of_contract(cx, &operations);
        let seed = integer(cx, "seed", 0);
        let per_operation = integer(cx, "cases-per-operation", 16) as usize;
        let budget = integer(cx, "max-requests", 200);
        let oversized = integer(cx, "oversized-kib", 1024) as usize * 1024;
        let identity = service.identities().into_iter().next();
        if let Some(name) = &identity {
            service
                .identity(name)
                .map_err(|e| GateError::Skip(e.to_string()))?;
        }
        out.fact("seed", seed.to_string());
        let start = service.sent();
        let spent = |service: &dyn harden_engine::Service| u64::from(service.sent() - start);
        // Objects to address item routes with, created through the contract.
        let (mut created, values) = contract::create_all(
            service,
            &operations,
            &scope,
            identity.as_deref(),
            "harden-input",
            out,
        )?;
        // Every operation's cases are planned first; then the valid requests of all of them go
        // out together, then the negative cases: no operation waits for the slowest answer of
        // the one before (a barrier per operation cost a third of the run on a slow server).
        let mut plans: Vec<Plan> = Vec::new();
        let mut planned = 0u64;
        let mut not_reached = 0;
        for operation in &operations {
            let label = contract::label(operation);
            if scope.never_call(operation) {
                out.add("destructive operations, not called", 1);
                continue;
            }
            let Ok(path) = contract::path_for(operation, &created, &values) else {
                out.add("operations without a value for a path parameter", 1);
                continue;
            };
            // A change to an object is only sent to one the gates created: `path-values` may
            // name real data, which invalid (or valid) input must not overwrite.
            let changes = matches!(operation.method.as_str(), "PUT" | "PATCH");
            let own = created.iter().any(|c| c.template == operation.path);
            if changes && operation.path.contains('{') && !own {
                out.add("changes to objects harden did not create, not sent", 1);
                continue;
            }
            let query: Vec<(String, String)> = operation
                .parameters
                .iter()
                .filter(|p| p.location == ParameterIn::Query && p.required)
                .map(|p| {
                    let value = p
                        .schema
                        .as_ref()
                        .map_or_else(|| json!("1"), |s| values::valid(s, "harden"));
                    (p.name.clone(), values::scalar_text(&value))
                })
                .collect();
            // Everything random about the operation's cases comes from this stream.
            let mut rng = Rng::new(seed, &label);
            let marker = format!("harden-input-{:04x}", rng.next() & 0xffff);
            let valid = Valid {
                path,
                query,
                body: operation
                    .body
                    .as_ref()
                    .map(|(schema, _)| values::valid(schema, &marker)),
            };
            // The negative cases change what the schema describes; the valid request is the
            // configured body where there is one (the schema alone may not make a valid one).
            let configured = scope.body_for(operation, &marker);
            let mut negative = cases(operation, &valid, oversized, &mut rng);
            let mut order: Vec<usize> = (0..negative.len()).collect();
            rng.shuffle(&mut order);
            order.truncate(per_operation);
            order.sort_unstable();
            let positives = positive(
                operation,
                &Valid {
                    path: valid.path.clone(),
                    query: valid.query.clone(),
                    body: configured.or_else(|| valid.body.clone()),
                },
            );
            let negatives: Vec<Case> = order
                .iter()
                .map(|&i| std::mem::take(&mut negative[i]))
                .collect();
            let cost = (positives.len() + negatives.len()) as u64;
            if spent(service) + planned + cost > budget {
                not_reached += 1;
                continue;
            }
            planned += cost;
            out.examined("operations", 1);
            plans.push(Plan {
                operation,
                label,
                positives,
                negatives,
                statuses: Vec::new(),
            });
        }
        let mut judge = Judge {
            cx,
            service,
            operations: &operations,
            identity: identity.clone(),
            created: &mut created,
        };
        cx.progress("the valid requests");
        let phase = take_phase(&mut plans, |plan| &mut plan.positives);
        judge.send(&mut plans, phase, out)?;
        for plan in &mut plans {
            // A protected operation that refuses the identity's valid request (401/403) checks
            // who is asking before it reads the input: per-field cases would only be refused at
            // the door again. What is parsed before that check still is sent. (A public one,
            // a login, refuses the made-up credentials in its body: its cases go on.)
            if !scope.is_public(plan.operation)
                && plan
                    .statuses
                    .first()
                    .is_some_and(|s| s == "401" || s == "403")
            {
                plan.negatives
                    .retain(|case| PARSED_FIRST.contains(&case.key.as_str()));
                out.add(
                    "operations that refused the identity (401/403): only malformed-body cases sent",
                    1,
                );
            }
        }
        cx.progress("the negative cases");
        let phase = take_phase(&mut plans, |plan| &mut plan.negatives);
        judge.send(&mut plans, phase, out)?;
        for plan in &plans {
            out.fact(&plan.label, plan.statuses.join(", "));
        }
        if not_reached > 0 {
            out.fact(
                "operations not reached",
                format!("{not_reached} (max-requests {budget} spent)"),
            );
        }
        contract::cleanup(service, &operations, &created, out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_keep_their_other_values() {
        assert_eq!(
            rebuild(
                "/orgs/{org}/items/{id}",
                "/orgs/acme/items/7",
                "/orgs/{org}/items/harden-not-a-number"
            ),
            "/orgs/acme/items/harden-not-a-number"
        );
        assert_eq!(
            with_query("/x", &[("q".into(), "a b".into())]),
            "/x?q=a%20b"
        );
    }
}
