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
        let text = harden_engine::lossy_text(&bytes);
        // Files the contract references are read from the repository, never from outside it.
        let directory = document.rsplit_once('/').map_or("", |(d, _)| d);
        let load = |path: &str| -> Option<String> {
            let full = inside_repository(directory, path)?;
            let bytes = cx.repo().read(&full).ok()?;
            Some(harden_engine::lossy_text(&bytes).into_owned())
        };
        operations.extend(openapi::operations_with(&text, &load).map_err(|e| {
            GateError::Failed {
                message: format!(
                    "{document}:{}:{}: not a readable OpenAPI document: {}",
                    e.line, e.column, e.message
                ),
                location: None,
            }
        })?);
    }
    Ok(operations)
}

/// `path` (relative to `directory`) as a repository path, or `None` when it leaves the
/// repository or is absolute.
fn inside_repository(directory: &str, path: &str) -> Option<String> {
    if path.starts_with('/') || path.contains('\\') {
        return None;
    }
    harden_formats::yaml::join_relative(directory, path)
}

/// What `[target]` adds to the contract.
pub(crate) struct Scope {
    pub(crate) public: Vec<String>,
    pub(crate) destructive: Vec<String>,
    pub(crate) values: Vec<(String, String)>,
    pub(crate) objects: Vec<String>,
    /// Bodies for creating objects, by operation pattern, `${marker}` left in.
    pub(crate) bodies: Vec<(String, String)>,
    /// Operations that declare no security are public: the contract declares it elsewhere, so
    /// its silence on one operation means "no requirement" (OpenAPI's own reading).
    pub(crate) undeclared_public: bool,
}

impl Scope {
    pub(crate) fn of(cx: &GateCx<'_>) -> Self {
        let target = cx.config().target.as_ref();
        Self {
            public: target.map(|t| t.public.clone()).unwrap_or_default(),
            destructive: target.map(|t| t.destructive.clone()).unwrap_or_default(),
            values: target.map(|t| t.path_values.clone()).unwrap_or_default(),
            objects: target.map(|t| t.objects.clone()).unwrap_or_default(),
            bodies: target.map(|t| t.bodies.clone()).unwrap_or_default(),
            undeclared_public: false,
        }
    }

    /// [`Scope::of`], reading silence on security as OpenAPI does: public where the contract
    /// declares security elsewhere.
    pub(crate) fn of_contract(cx: &GateCx<'_>, operations: &[Operation]) -> Self {
        Self {
            undeclared_public: operations
                .iter()
                .any(|o| o.security != openapi::Security::Undeclared),
            ..Self::of(cx)
        }
    }

    /// Declared `security: []` or listed in `public`.
    pub(crate) fn is_public(&self, operation: &Operation) -> bool {
        operation.security == openapi::Security::Public
            || (self.undeclared_public && operation.security == openapi::Security::Undeclared)
            || self.public.iter().any(|p| matches(p, operation))
    }

    /// Listed in `[target] public` by the user: open content by intent (a contract's
    /// `security: []` only says no credential is needed, not that everyone sees everything).
    pub(crate) fn configured_public(&self, operation: &Operation) -> bool {
        self.public.iter().any(|p| matches(p, operation))
    }

    /// Listed in `destructive` (DELETE is judged by the caller: deleting what a gate created
    /// itself is allowed).
    pub(crate) fn is_destructive(&self, operation: &Operation) -> bool {
        self.destructive.iter().any(|p| matches(p, operation))
    }

    /// The body `[target] bodies` gives for `operation`, with `marker` in it.
    pub(crate) fn body_for(&self, operation: &Operation, marker: &str) -> Option<Value> {
        self.bodies
            .iter()
            .find(|(pattern, _)| matches(pattern, operation))
            .and_then(|(_, text)| serde_json::from_str(&text.replace("${marker}", marker)).ok())
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

/// What a path segment or query value may hold as is: RFC 3986's unreserved characters.
pub(crate) const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub(crate) fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, UNRESERVED).to_string()
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

/// A server error that is a failure, not a deliberate answer: 501 (not implemented) and 503
/// (switched off, overloaded) say what they mean.
pub(crate) fn crashed(status: u16) -> bool {
    (500..600).contains(&status) && !matches!(status, 501 | 503)
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

/// The start of an answer's body, masked, for a fact: why the service said no.
fn excerpt(body: &[u8]) -> String {
    let text: String = harden_engine::lossy_text(body).chars().take(160).collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        String::new()
    } else {
        format!(" ({})", harden_secrets::mask(&text))
    }
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
/// item operations `P/{id}`, not destructive.
fn creators<'o>(operations: &'o [Operation], scope: &Scope) -> Vec<(&'o Operation, &'o Operation)> {
    operations
        .iter()
        .filter(|o| o.method == "POST" && !scope.never_call(o))
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

/// Values of path parameters, by name (a later one wins).
pub(crate) type PathValues = Vec<(String, String)>;

/// The names a nested route gives the id of an object of collection `path`: `/buckets` makes
/// `bucket_id` and `bucketId` (`/orgs/{org_id}/projects`).
pub(crate) fn aliases(path: &str) -> Vec<String> {
    let Some(segment) = path
        .rsplit('/')
        .find(|s| !s.is_empty() && !s.starts_with('{'))
    else {
        return Vec::new();
    };
    let singular = if let Some(stem) = segment.strip_suffix("ies") {
        format!("{stem}y")
    } else {
        segment.strip_suffix('s').unwrap_or(segment).to_owned()
    };
    vec![format!("{singular}_id"), format!("{singular}Id")]
}

/// Creates one object through every creator of the contract as `identity`, nested ones too:
/// an object of `/buckets` gives `bucket_id` to `/buckets/{bucket_id}/collections`. Returns
/// the objects in creation order and the path values they add.
pub(crate) fn create_all(
    service: &dyn Service,
    operations: &[Operation],
    scope: &Scope,
    identity: Option<&str>,
    prefix: &str,
    out: &mut GateOutput,
) -> Result<(Vec<Created>, PathValues), GateError> {
    let candidates = creators(operations, scope);
    let mut values = scope.values.clone();
    let mut created = Vec::new();
    let mut tried = vec![false; candidates.len()];
    // Each round can open the next level of nesting; a few levels are all real APIs use.
    for _ in 0..4 {
        let mut progress = false;
        for (index, (creator, item)) in candidates.iter().enumerate() {
            if tried[index] || concrete(creator, &values).is_err() {
                continue;
            }
            tried[index] = true;
            progress = true;
            let marker = format!(
                "{prefix}-{index}-{}",
                &values::uuid_from(&creator.path)[..8]
            );
            let body = scope.body_for(creator, &marker);
            if let Some(object) = create(
                service,
                creator,
                item,
                &values,
                (identity, body),
                &marker,
                out,
            )? {
                for alias in aliases(&creator.path) {
                    values.push((alias, object.id.clone()));
                }
                created.push(object);
            }
        }
        if !progress {
            break;
        }
    }
    Ok((created, values))
}

/// The path to call `operation` on: the object the gate created for its template, else the
/// path values.
pub(crate) fn path_for(
    operation: &Operation,
    created: &[Created],
    values: &[(String, String)],
) -> Result<String, String> {
    if let Some(object) = created.iter().find(|c| c.template == operation.path) {
        return Ok(object.path.clone());
    }
    concrete(operation, values)
}

/// Creates one object through `creator` as `identity`; `None` when the service did not
/// create one (its answer is recorded as a fact).
fn create(
    service: &dyn Service,
    creator: &Operation,
    item: &Operation,
    values: &[(String, String)],
    (identity, body): (Option<&str>, Option<Value>),
    marker: &str,
    out: &mut GateOutput,
) -> Result<Option<Created>, GateError> {
    let Ok(mut path) = concrete(creator, values) else {
        return Ok(None);
    };
    // Required query parameters get valid values too.
    let query: Vec<String> = creator
        .parameters
        .iter()
        .filter(|p| p.location == ParameterIn::Query && p.required)
        .map(|p| {
            let value = p.schema.as_ref().map_or_else(
                || marker.to_owned(),
                |s| values::scalar_text(&values::valid_named(s, &p.name, marker)),
            );
            format!("{}={}", p.name, encode(&value))
        })
        .collect();
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    let body = body.or_else(|| {
        creator
            .body
            .as_ref()
            .map(|(schema, _)| values::valid(schema, marker))
    });
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
                "answered {}: no object to work with{}{}",
                response.status,
                excerpt(&response.body),
                if (200..300).contains(&response.status) {
                    " (no id in the answer or Location)"
                } else {
                    ""
                }
            ),
        );
        return Ok(None);
    };
    let mut values = values.to_vec();
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
    // Children before their parents.
    for object in created.iter().rev() {
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

    fn operation(method: &str, security: openapi::Security) -> Operation {
        Operation {
            method: method.into(),
            path: "/items".into(),
            operation_id: None,
            parameters: Vec::new(),
            body: None,
            security,
            span: harden_model::Span::default(),
        }
    }

    #[test]
    fn referenced_files_stay_in_the_repository() {
        assert_eq!(
            inside_repository("api", "schemas/a.yaml").as_deref(),
            Some("api/schemas/a.yaml")
        );
        assert_eq!(
            inside_repository("api", "../common.yaml").as_deref(),
            Some("common.yaml")
        );
        assert_eq!(inside_repository("api", "../../etc/passwd"), None);
        assert_eq!(inside_repository("", "/etc/passwd"), None);
    }

    #[test]
    fn disabled_features_are_not_crashes() {
        assert!(crashed(500) && crashed(502) && crashed(520));
        // "Block explorer is not enabled" (LNbits) is an answer, not a failure.
        assert!(!crashed(503) && !crashed(501) && !crashed(404));
    }

    #[test]
    fn silence_is_public_where_the_contract_declares_security_elsewhere() {
        let mut scope = Scope {
            public: Vec::new(),
            destructive: Vec::new(),
            values: Vec::new(),
            objects: Vec::new(),
            bodies: Vec::new(),
            undeclared_public: false,
        };
        let silent = operation("GET", openapi::Security::Undeclared);
        assert!(!scope.is_public(&silent));
        // FastAPI writes no `security` for routes without an auth dependency.
        scope.undeclared_public = true;
        assert!(scope.is_public(&silent));
        assert!(!scope.is_public(&operation(
            "GET",
            openapi::Security::Required(vec!["key".into()])
        )));
    }

    #[test]
    fn nested_routes_name_their_parents() {
        assert_eq!(aliases("/v1/buckets"), ["bucket_id", "bucketId"]);
        assert_eq!(
            aliases("/orgs/{org}/categories"),
            ["category_id", "categoryId"]
        );
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
