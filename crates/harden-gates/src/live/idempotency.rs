use harden_config::OptionValue;
use harden_engine::{Gate, GateCx, GateError, GateOutput, HttpResponse, Service};
use harden_formats::openapi::{Operation, ParameterIn};
use harden_model::{
    GateId, GateMeta, Location, OptionKind, OptionSpec, ProfileLevel, Round, Severity, Target,
};
use serde_json::Value;

use super::contract::{self, Created, Scope};
use super::values;

/// `R6.idempotency`: a create sent twice with the same key makes one object.
pub(crate) struct Idempotency;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R6.idempotency"),
    round: Round::R6,
    title: "A request replayed with the same idempotency key creates nothing twice",
    severity: Severity::Medium,
    target: Target::Service,
    min_profile: ProfileLevel::Production,
    rationale: "Clients, proxies and queues retry: a timeout after the server committed makes \
the client send the same create again. An API that promises idempotency must answer the replay \
without a second object (a second charge, a second order). The gate judges the operations of \
`[contracts] openapi` that declare the idempotency header (`header`, default `Idempotency-Key`) \
as a parameter, those listed in `operations`, and those of `keys`, where the API has its own \
key: a client-chosen id in the path (`\"PUT /payments/{paymentId}\"`) or a body field given by \
a JSON pointer (`\"POST /transfers /reference\"`). Each is sent twice with the same key and a \
valid body; two different ids in the answers (or two objects with the request's marker in the \
collection's list) fail the gate, as does a 5xx on the replay. Refusing the replay (409, 422) \
passes. With none of these, the gate is skipped: it does not guess which creates must be \
idempotent. Objects made are deleted afterwards where the contract allows.",
    evidence: &["operations", "requests"],
    options: &[
        OptionSpec {
            key: "header",
            kind: OptionKind::String,
            help: "The idempotency header (default Idempotency-Key).",
        },
        OptionSpec {
            key: "operations",
            kind: OptionKind::StringList,
            help: "Operations that must honour the header though the contract does not declare it, as \"POST /orders\".",
        },
        OptionSpec {
            key: "keys",
            kind: OptionKind::StringList,
            help: "Operations with their own key: \"PUT /payments/{paymentId}\" (a client-chosen path id) or \"POST /transfers /reference\" (a body field, by JSON pointer).",
        },
    ],
    items: None,
};

/// Where an operation's idempotency key goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Header(String),
    Path(String),
    Body(String),
}

fn strings(cx: &GateCx<'_>, key: &str) -> Vec<String> {
    match cx.option(key) {
        Some(OptionValue::StringList(items)) => items.clone(),
        _ => Vec::new(),
    }
}

/// The operations judged, each with where its key goes.
fn judged<'o>(
    cx: &GateCx<'_>,
    operations: &'o [Operation],
    header: &str,
) -> Vec<(&'o Operation, Key)> {
    let listed = strings(cx, "operations");
    let keys = strings(cx, "keys");
    let mut out = Vec::new();
    for operation in operations {
        if let Some(entry) = keys.iter().find(|k| {
            let pattern: Vec<&str> = k.split_whitespace().take(2).collect();
            contract::matches(&pattern.join(" "), operation)
        }) {
            let pointer = entry.split_whitespace().nth(2);
            let key = match pointer {
                Some(pointer) => Key::Body(pointer.to_owned()),
                None => match contract::last_parameter(&operation.path) {
                    Some(name) => Key::Path(name.to_owned()),
                    None => continue,
                },
            };
            out.push((operation, key));
            continue;
        }
        let declared = operation
            .parameters
            .iter()
            .any(|p| p.location == ParameterIn::Header && p.name.eq_ignore_ascii_case(header));
        if declared || listed.iter().any(|p| contract::matches(p, operation)) {
            out.push((operation, Key::Header(header.to_owned())));
        }
    }
    out
}

/// Sets the field at JSON `pointer` to `value`, adding it when its parent object exists.
fn set_at(body: Option<&mut Value>, pointer: &str, value: &str) -> bool {
    let Some(body) = body else {
        return false;
    };
    if let Some(slot) = body.pointer_mut(pointer) {
        *slot = Value::String(value.to_owned());
        return true;
    }
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return false;
    };
    let key = key.replace("~1", "/").replace("~0", "~");
    match body.pointer_mut(parent) {
        Some(Value::Object(object)) => {
            object.insert(key, Value::String(value.to_owned()));
            true
        }
        _ => false,
    }
}

/// JSON objects in `body` with a string field containing `marker`.
fn marked_objects(body: &[u8], marker: &str) -> usize {
    fn walk(value: &Value, marker: &str, depth: usize) -> usize {
        if depth > 12 {
            return 0;
        }
        match value {
            Value::Object(map) => {
                let own = map
                    .values()
                    .any(|v| v.as_str().is_some_and(|s| s.contains(marker)));
                usize::from(own)
                    + map
                        .values()
                        .filter(|v| !v.is_string())
                        .map(|v| walk(v, marker, depth + 1))
                        .sum::<usize>()
            }
            Value::Array(items) => items.iter().map(|v| walk(v, marker, depth + 1)).sum(),
            _ => 0,
        }
    }
    serde_json::from_slice::<Value>(body).map_or(0, |json| walk(&json, marker, 0))
}

/// A fresh key value fitting the parameter's schema.
fn key_value(operation: &Operation, name: &str, stamp: &str) -> String {
    let schema = operation
        .parameters
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.schema.clone())
        .unwrap_or(Value::Null);
    match (
        values::main_type(&schema),
        schema.get("format").and_then(Value::as_str),
    ) {
        (Some("integer" | "number"), _) => {
            let digits: String = stamp.chars().filter(char::is_ascii_digit).collect();
            digits
                .trim_start_matches('0')
                .chars()
                .take(15)
                .collect::<String>()
        }
        (_, Some("uuid")) => values::uuid_from(stamp),
        _ => stamp.to_owned(),
    }
}

impl Gate for Idempotency {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let service = cx.service()?;
        let operations = contract::operations(cx)?;
        let header = match cx.option("header") {
            Some(OptionValue::String(h)) => h.clone(),
            _ => "Idempotency-Key".to_owned(),
        };
        let judged = judged(cx, &operations, &header);
        if judged.is_empty() {
            return Err(GateError::Skip(format!(
                "no operation of the contract declares the {header} header, and none is listed in [gates.\"R6.idempotency\"] operations or keys: harden does not guess which creates must be idempotent"
            )));
        }
        let scope = Scope::of(cx);
        let identity = service.identities().into_iter().next();
        if let Some(name) = &identity {
            service
                .identity(name)
                .map_err(|e| GateError::Skip(e.to_string()))?;
        }
        // Keys must be new to the service on every run: a stamp from the clock.
        let stamp = cx.clock().now().as_second();
        let base = service.base_url();
        let mut created = Vec::new();
        for (index, (operation, key)) in judged.into_iter().enumerate() {
            let label = contract::label(operation);
            if scope.is_destructive(operation) || operation.method == "DELETE" {
                out.add("destructive operations, not called", 1);
                continue;
            }
            let marker = format!("harden-idem-{stamp}-{index}");
            let mut values_for_path = scope.values.clone();
            let mut body = scope.body_for(operation, &marker).or_else(|| {
                operation
                    .body
                    .as_ref()
                    .map(|(schema, _)| values::valid(schema, &marker))
            });
            let mut request_headers = Vec::new();
            match &key {
                Key::Header(name) => request_headers.push((name.clone(), marker.clone())),
                Key::Path(name) => {
                    values_for_path.push((name.clone(), key_value(operation, name, &marker)));
                }
                Key::Body(pointer) => {
                    if !set_at(body.as_mut(), pointer, &marker) {
                        out.fact(
                            &label,
                            format!("not judged: the body has no field at {pointer}"),
                        );
                        continue;
                    }
                }
            }
            let Ok(path) = contract::concrete(operation, &values_for_path) else {
                out.add("operations without a value for a path parameter", 1);
                continue;
            };
            let mut request =
                contract::request(&operation.method, &path, body.as_ref(), identity.as_deref());
            request.headers.extend(request_headers);
            let first = contract::send(service, &request, out)?;
            if !(200..300).contains(&first.status) {
                out.fact(
                    &label,
                    format!("not judged: the first request answered {}", first.status),
                );
                continue;
            }
            let replay = contract::send(service, &request, out)?;
            out.examined("operations", 1);
            out.fact(
                &label,
                format!("{} then {} on replay", first.status, replay.status),
            );
            let item = contract::item_operations(&operations, &operation.path)
                .first()
                .map(|o| (*o).clone())
                .or_else(|| matches!(key, Key::Path(_)).then(|| operation.clone()));
            let parameter = item
                .as_ref()
                .and_then(|i| contract::last_parameter(&i.path).map(str::to_owned))
                .unwrap_or_else(|| "id".to_owned());
            let ids: Vec<String> = [&first, &replay]
                .iter()
                .filter(|r| (200..300).contains(&r.status))
                .filter_map(|r| contract::id_of(r, &parameter))
                .collect();
            if let Some(item) = &item {
                let mut seen = Vec::new();
                for id in &ids {
                    if seen.contains(id) {
                        continue;
                    }
                    seen.push(id.clone());
                    let mut values = scope.values.clone();
                    values.push((parameter.clone(), id.clone()));
                    if let Ok(path) = contract::concrete(item, &values) {
                        created.push(Created {
                            by: label.clone(),
                            template: item.path.clone(),
                            path,
                            id: id.clone(),
                            marker: marker.clone(),
                            owner: identity.clone(),
                        });
                    }
                }
            }
            let duplicate = if contract::crashed(replay.status) {
                Some(format!("the replay fails with {}", replay.status))
            } else if !(200..300).contains(&replay.status) {
                None
            } else if ids.len() == 2 && ids[0] != ids[1] {
                Some(format!(
                    "the replay created a second object ({} and {})",
                    ids[0], ids[1]
                ))
            } else if ids.len() == 2 {
                None
            } else {
                Self::count_in_list(
                    service,
                    &operations,
                    operation,
                    &scope,
                    identity.as_deref(),
                    &marker,
                    out,
                )?
            };
            if let Some(problem) = duplicate {
                out.finding(
                    cx.finding(
                        format!("{label} sent twice with the same key: {problem}"),
                        location(service, &base, &request.method, &path, &replay),
                    )
                    .identity(label.clone())
                    .help("store the key with the result of the first request and answer a replay with that result (or 409 while it is still running)")
                    .build(),
                );
            }
        }
        contract::cleanup(service, &operations, &created, out);
        Ok(())
    }
}

impl Idempotency {
    /// With no ids in the answers, the collection's list tells: how many objects carry the
    /// marker. `None` when it cannot tell (recorded as a fact) or when there is one.
    #[allow(clippy::too_many_arguments)] // The request's whole context, from the one caller.
    fn count_in_list(
        service: &dyn Service,
        operations: &[Operation],
        operation: &Operation,
        scope: &Scope,
        identity: Option<&str>,
        marker: &str,
        out: &mut GateOutput,
    ) -> Result<Option<String>, GateError> {
        let collection = match contract::last_parameter(&operation.path) {
            Some(name) if operation.path.ends_with(&format!("/{{{name}}}")) => {
                operation.path[..operation.path.len() - name.len() - 3].to_owned()
            }
            _ => operation.path.clone(),
        };
        let list = operations
            .iter()
            .find(|o| o.method == "GET" && o.path == collection)
            .and_then(|o| contract::concrete(o, &scope.values).ok());
        let Some(list) = list else {
            out.fact(
                &contract::label(operation),
                "could not tell: no id in the answers and no list to count in",
            );
            return Ok(None);
        };
        let response = contract::send(
            service,
            &contract::request("GET", &list, None, identity),
            out,
        )?;
        let count = marked_objects(&response.body, marker);
        Ok((count > 1)
            .then(|| format!("GET {list} lists {count} objects made by the two requests")))
    }
}

fn location(
    service: &dyn Service,
    base: &str,
    method: &str,
    path: &str,
    response: &HttpResponse,
) -> Location {
    Location::Http {
        method: method.to_owned(),
        url: format!("{}{path}", base.trim_end_matches('/')),
        status: Some(response.status),
        summary: format!("{method} {path} replayed → {}", response.status),
        exchange: super::exchange(service, response),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_go_where_the_pointer_says() {
        let mut body = serde_json::json!({"order": {"item": "x"}});
        assert!(set_at(Some(&mut body), "/order/reference", "k1"));
        assert!(set_at(Some(&mut body), "/order/item", "k2"));
        assert_eq!(
            body,
            serde_json::json!({"order": {"item": "k2", "reference": "k1"}})
        );
        assert!(!set_at(Some(&mut body), "/missing/reference", "k3"));
        assert!(!set_at(None, "/reference", "k4"));
    }

    #[test]
    fn marked_objects_are_counted_once_each() {
        let body =
            br#"{"items": [{"title": "m-1", "body": "m-1"}, {"title": "m-1"}, {"title": "x"}]}"#;
        assert_eq!(marked_objects(body, "m-1"), 2);
        assert_eq!(marked_objects(b"not json", "m-1"), 0);
    }
}
