//! What the contract-driven gates share: the operation catalogue of `[contracts] openapi`, the
//! scope `[target]` sets around it (public, destructive, path values), requests as an
//! identity, and the objects the gates create and delete again.

use harden_engine::{GateCx, GateError, GateOutput, HttpRequest, HttpResponse, Service};
use harden_formats::openapi::{self, Operation, ParameterIn};
use serde_json::Value;

use super::values;

/// The operations of every document of `[contracts] openapi`, in order; skipped when there is
/// none, failed with file:line:column when one does not parse.
pub(crate) fn operations(cx: &GateCx<'_>) -> Result<Vec<Operation>, GateError> {
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
    Ok(operations)
}

/// What `[target]` adds to the contract.
pub(crate) struct Scope {
    pub(crate) public: Vec<String>,
    pub(crate) destructive: Vec<String>,
    pub(crate) values: Vec<(String, String)>,
    pub(crate) objects: Vec<String>,
}

impl Scope {
    pub(crate) fn of(cx: &GateCx<'_>) -> Self {
        let target = cx.config().target.as_ref();
        Self {
            public: target.map(|t| t.public.clone()).unwrap_or_default(),
            destructive: target.map(|t| t.destructive.clone()).unwrap_or_default(),
            values: target.map(|t| t.path_values.clone()).unwrap_or_default(),
            objects: target.map(|t| t.objects.clone()).unwrap_or_default(),
        }
    }

    /// Declared `security: []` or listed in `public`.
    pub(crate) fn is_public(&self, operation: &Operation) -> bool {
        operation.security == openapi::Security::Public
            || self.public.iter().any(|p| matches(p, operation))
    }

    /// Listed in `destructive` (DELETE is judged by the caller: deleting what a gate created
    /// itself is allowed).
    pub(crate) fn is_destructive(&self, operation: &Operation) -> bool {
        self.destructive.iter().any(|p| matches(p, operation))
    }

    /// Never called on anything but what the gates created: DELETE, or a `destructive` pattern.
    pub(crate) fn never_call(&self, operation: &Operation) -> bool {
        operation.method == "DELETE" || self.is_destructive(operation)
    }
}

/// `pattern` is `METHOD /path` or `/path`, `*` matching any run of characters.
pub(crate) fn matches(pattern: &str, operation: &Operation) -> bool {
    let (method, path) = match pattern.split_once(' ') {
        Some((method, path)) => (Some(method), path.trim()),
        None => (None, pattern.trim()),
    };
    method.is_none_or(|m| m.eq_ignore_ascii_case(&operation.method)) && glob(path, &operation.path)
}

pub(crate) fn glob(pattern: &str, text: &str) -> bool {
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

/// `METHOD /path`, how evidence names an operation.
pub(crate) fn label(operation: &Operation) -> String {
    format!("{} {}", operation.method, operation.path)
}

fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The operation's path with its parameters filled from `values`, or the first parameter
/// without a value.
pub(crate) fn concrete(
    operation: &Operation,
    values: &[(String, String)],
) -> Result<String, String> {
    let mut path = operation.path.clone();
    for parameter in operation
        .parameters
        .iter()
        .filter(|p| p.location == ParameterIn::Path)
    {
        let Some((_, value)) = values
            .iter()
            .rev()
            .find(|(name, _)| *name == parameter.name)
        else {
            return Err(parameter.name.clone());
        };
        path = path.replace(&format!("{{{}}}", parameter.name), &encode(value));
    }
    if let Some(start) = path.find('{') {
        let name = path[start + 1..].split('}').next().unwrap_or_default();
        return Err(name.to_owned());
    }
    Ok(path)
}

/// The path with every parameter filled: from `values`, else a valid value of its schema (a
/// check that does not need the object to exist, such as refusing an anonymous caller).
pub(crate) fn concrete_or_placeholder(
    operation: &Operation,
    values: &[(String, String)],
) -> String {
    let mut all = Vec::new();
    for parameter in operation
        .parameters
        .iter()
        .filter(|p| p.location == ParameterIn::Path)
    {
        let value = parameter
            .schema
            .as_ref()
            .map(|s| values::valid(s, "harden"))
            .map_or_else(|| "1".to_owned(), |v| values::scalar_text(&v));
        all.push((parameter.name.clone(), value));
    }
    all.extend(values.iter().cloned());
    let mut path = concrete(operation, &all).unwrap_or_else(|_| operation.path.clone());
    // A template parameter the contract forgot to declare.
    while let Some(start) = path.find('{') {
        let Some(end) = path[start..].find('}') else {
            break;
        };
        path.replace_range(start..=start + end, "1");
    }
    path
}

/// Refused as it should be: 401, 403, or for a GET a redirect towards a login page.
pub(crate) fn refused(method: &str, status: u16, location: Option<&str>) -> bool {
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

/// A request as `identity` (or with the `[target]` headers when there is none), with a JSON
/// body when given.
pub(crate) fn request(
    method: &str,
    target: &str,
    body: Option<&Value>,
    identity: Option<&str>,
) -> HttpRequest {
    let mut headers = Vec::new();
    if body.is_some() {
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    }
    HttpRequest {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
        body: body.map(|b| serde_json::to_vec(b).unwrap_or_default()),
        identity: identity.map(str::to_owned),
        ..HttpRequest::default()
    }
}

/// Sends `request`, counting it; a failure to get any answer ends the gate.
pub(crate) fn send(
    service: &dyn Service,
    request: &HttpRequest,
    out: &mut GateOutput,
) -> Result<HttpResponse, GateError> {
    let response = service.send(request).map_err(|error| GateError::Failed {
        message: format!("{} {}: {error}", request.method, request.target),
        location: None,
    })?;
    out.add("requests", 1);
    Ok(response)
}

/// The operations on one item of the collection at `path`: `path/{param}`.
pub(crate) fn item_operations<'o>(
    operations: &'o [Operation],
    collection: &str,
) -> Vec<&'o Operation> {
    let prefix = format!("{}/{{", collection.trim_end_matches('/'));
    operations
        .iter()
        .filter(|o| {
            o.path.strip_prefix(&prefix).is_some_and(|rest| {
                rest.ends_with('}') && !rest.contains('/') && rest.matches('}').count() == 1
            })
        })
        .collect()
}

/// The name of the last path parameter of `template` (`/notes/{noteId}` → `noteId`).
pub(crate) fn last_parameter(template: &str) -> Option<&str> {
    let start = template.rfind('{')?;
    template[start + 1..].strip_suffix('}')
}

/// The id of the object an answer describes: a field named like the item's path parameter,
/// `id`, or the same under `data`; else the last segment of `Location`.
pub(crate) fn id_of(response: &HttpResponse, parameter: &str) -> Option<String> {
    let json: Option<Value> = serde_json::from_slice(&response.body).ok();
    let stem = parameter
        .strip_suffix("Id")
        .or_else(|| parameter.strip_suffix("_id"))
        .unwrap_or(parameter);
    let candidates = [parameter, "id", "uuid", "_id", stem];
    let from_json = json.as_ref().and_then(|json| {
        [json, json.get("data").unwrap_or(&Value::Null)]
            .into_iter()
            .find_map(|object| {
                candidates.iter().find_map(|key| match object.get(*key) {
                    Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                    Some(Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                })
            })
    });
    from_json.or_else(|| {
        response
            .header("location")
            .and_then(|l| l.split(['?', '#']).next())
            .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
            .filter(|segment| !segment.is_empty())
            .map(str::to_owned)
    })
}

/// Whether `body` (JSON) holds an object whose `id` (or `key`) equals `id`.
pub(crate) fn lists_id(body: &[u8], keys: &[&str], id: &str) -> bool {
    fn walk(value: &Value, keys: &[&str], id: &str, depth: usize) -> bool {
        if depth > 12 {
            return false;
        }
        match value {
            Value::Object(map) => {
                keys.iter().any(|k| match map.get(*k) {
                    Some(Value::String(s)) => s == id,
                    Some(Value::Number(n)) => n.to_string() == id,
                    _ => false,
                }) || map.values().any(|v| walk(v, keys, id, depth + 1))
            }
            Value::Array(items) => items.iter().any(|v| walk(v, keys, id, depth + 1)),
            _ => false,
        }
    }
    serde_json::from_slice::<Value>(body).is_ok_and(|json| walk(&json, keys, id, 0))
}

/// An object a gate created as some identity.
#[derive(Debug, Clone)]
pub(crate) struct Created {
    /// The operation that created it (`POST /notes`).
    pub(crate) by: String,
    /// The item path template (`/notes/{id}`).
    pub(crate) template: String,
    /// The item's concrete path.
    pub(crate) path: String,
    /// Its id.
    pub(crate) id: String,
    /// The marker its strings carry.
    pub(crate) marker: String,
    /// Who created it.
    pub(crate) owner: Option<String>,
}

/// The POST operations that create items the contract can address: a collection `P` with
/// item operations `P/{id}`, callable (no unresolved parameters, not destructive or public).
pub(crate) fn creators<'o>(
    operations: &'o [Operation],
    scope: &Scope,
) -> Vec<(&'o Operation, &'o Operation)> {
    operations
        .iter()
        .filter(|o| o.method == "POST" && !scope.never_call(o))
        .filter(|o| concrete(o, &scope.values).is_ok())
        .filter_map(|o| {
            let items = item_operations(operations, &o.path);
            let item = items
                .iter()
                .find(|i| i.method == "GET")
                .or_else(|| items.first())?;
            Some((o, *item))
        })
        .collect()
}

/// Creates one object through `creator` as `identity`; `None` when the service did not
/// create one (its answer is recorded as a fact).
pub(crate) fn create(
    service: &dyn Service,
    creator: &Operation,
    item: &Operation,
    scope: &Scope,
    identity: Option<&str>,
    marker: &str,
    out: &mut GateOutput,
) -> Result<Option<Created>, GateError> {
    let Ok(path) = concrete(creator, &scope.values) else {
        return Ok(None);
    };
    let body = creator
        .body
        .as_ref()
        .map(|(schema, _)| values::valid(schema, marker));
    let response = send(
        service,
        &request("POST", &path, body.as_ref(), identity),
        out,
    )?;
    let parameter = last_parameter(&item.path).unwrap_or("id").to_owned();
    let id = (200..300)
        .contains(&response.status)
        .then(|| id_of(&response, &parameter))
        .flatten();
    let Some(id) = id else {
        out.fact(
            &format!(
                "{} as {}",
                label(creator),
                identity.unwrap_or("the configured caller")
            ),
            format!(
                "answered {}: no object to work with{}",
                response.status,
                if (200..300).contains(&response.status) {
                    " (no id in the answer or Location)"
                } else {
                    ""
                }
            ),
        );
        return Ok(None);
    };
    let mut values = scope.values.clone();
    values.push((parameter, id.clone()));
    let path = concrete(item, &values).unwrap_or_else(|_| item.path.clone());
    out.add("objects created", 1);
    Ok(Some(Created {
        by: label(creator),
        template: item.path.clone(),
        path,
        id,
        marker: marker.to_owned(),
        owner: identity.map(str::to_owned),
    }))
}

/// Deletes what the gate created, as its owner, where the contract has a DELETE for it; what
/// stays is said in the evidence.
pub(crate) fn cleanup(
    service: &dyn Service,
    operations: &[Operation],
    created: &[Created],
    out: &mut GateOutput,
) {
    let mut left = Vec::new();
    for object in created {
        let deletable = operations
            .iter()
            .any(|o| o.method == "DELETE" && o.path == object.template);
        let deleted = deletable
            && service
                .send(&request(
                    "DELETE",
                    &object.path,
                    None,
                    object.owner.as_deref(),
                ))
                .is_ok_and(|r| {
                    out.add("requests", 1);
                    (200..300).contains(&r.status) || r.status == 404
                });
        if deleted {
            out.add("objects deleted afterwards", 1);
        } else {
            left.push(format!("{} ({})", object.path, object.by));
        }
    }
    if !left.is_empty() {
        out.fact(
            "left behind",
            format!(
                "{} (the contract has no DELETE for them, or it failed): {}",
                left.len(),
                left.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn ids_are_found_in_answers() {
        let answer = |body: &str, location: Option<&str>| HttpResponse {
            status: 201,
            headers: location
                .map(|l| vec![("location".to_owned(), l.to_owned())])
                .unwrap_or_default(),
            body: body.as_bytes().to_vec(),
            truncated: false,
            elapsed: std::time::Duration::ZERO,
            exchange: 0,
        };
        assert_eq!(
            id_of(&answer(r#"{"id": 7}"#, None), "id").as_deref(),
            Some("7")
        );
        assert_eq!(
            id_of(&answer(r#"{"data": {"noteId": "n-1"}}"#, None), "noteId").as_deref(),
            Some("n-1")
        );
        assert_eq!(
            id_of(&answer("", Some("/notes/42?x=1")), "id").as_deref(),
            Some("42")
        );
        assert!(lists_id(
            br#"{"items": [{"id": 3}, {"id": 42}]}"#,
            &["id"],
            "42"
        ));
        assert!(!lists_id(
            br#"{"items": [{"id": 3, "count": 42}]}"#,
            &["id"],
            "42"
        ));
    }
}
