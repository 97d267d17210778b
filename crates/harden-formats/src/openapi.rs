//! What the live gates read of an OpenAPI (3.x) or Swagger (2.0) document: the GET operations a
//! probe can call as they are, without inventing path parameters.

use crate::yaml::{self, Node, YamlError};

/// Paths of GET operations without path parameters (`/status`, `/api/v1/items`), prefixed with
/// the path of the first server (`servers[0].url`) or Swagger's `basePath`, in document order.
pub fn plain_get_paths(text: &str) -> Result<Vec<String>, YamlError> {
    let documents = yaml::parse(text)?;
    let Some(root) = documents.first() else {
        return Ok(Vec::new());
    };
    let prefix = base_path(root);
    Ok(root
        .get("paths")
        .map(|paths| {
            paths
                .entries()
                .iter()
                .filter(|(path, item)| {
                    path.text.starts_with('/')
                        && !path.text.contains('{')
                        && item.get("get").is_some()
                })
                .map(|(path, _)| format!("{prefix}{}", path.text))
                .collect()
        })
        .unwrap_or_default())
}

/// `/api` of `servers: [{url: https://host/api}]`, `servers: [{url: /api}]` or `basePath: /api`;
/// empty when there is none (or the URL has variables).
fn base_path(root: &Node) -> String {
    let url = root
        .get("servers")
        .and_then(|servers| match &servers.value {
            yaml::Value::Seq(items) => items.first(),
            _ => None,
        })
        .and_then(|server| server.get("url"))
        .and_then(Node::as_str)
        .or_else(|| root.get("basePath").and_then(Node::as_str))
        .unwrap_or_default();
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |at| &rest[at..]),
        None => url,
    };
    if path.contains('{') || !path.starts_with('/') {
        return String::new();
    }
    path.trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::{join, operations_with, plain_get_paths};

    #[test]
    fn references_to_other_files_are_followed() {
        let root = "openapi: 3.0.3\npaths:\n  /items:\n    $ref: paths/items.yaml\n";
        let files = |path: &str| -> Option<String> {
            match path {
                "paths/items.yaml" => Some("post:\n  requestBody:\n    content:\n      application/json:\n        schema: {$ref: '../schemas.yaml#/Item'}\n".into()),
                "schemas.yaml" => Some("Item:\n  type: object\n  properties:\n    name: {$ref: '#/Name'}\n    self: {$ref: '#/Item'}\nName: {type: string, maxLength: 9}\n".into()),
                _ => None,
            }
        };
        let operations = operations_with(root, &files).unwrap();
        assert_eq!(operations.len(), 1);
        let (schema, _) = operations[0].body.clone().unwrap();
        assert_eq!(schema["properties"]["name"]["maxLength"], 9);
        // A file that refers to itself ends, bounded.
        assert!(schema["properties"]["self"]["properties"]["self"].is_object());
        // A file that does not parse is named.
        let broken = |_: &str| Some("a: [".to_owned());
        let error = operations_with(root, &broken).unwrap_err();
        assert!(error.message.contains("in paths/items.yaml"), "{error}");
        assert_eq!(join("openapi", "../x.yaml"), "../x.yaml");
        assert_eq!(join("a/b.yaml", "./c/../d.yaml"), "a/d.yaml");
    }

    #[test]
    fn get_operations_without_parameters_under_the_server_path() {
        let yaml = "openapi: 3.0.3\nservers:\n  - url: https://api.example.test/v1/\npaths:\n  /items:\n    get: {}\n    post: {}\n  /items/{id}:\n    get: {}\n  /health:\n    get:\n      summary: liveness\n  /upload:\n    put: {}\n";
        assert_eq!(plain_get_paths(yaml).unwrap(), ["/v1/items", "/v1/health"]);
        let json = r#"{"swagger": "2.0", "basePath": "/api", "paths": {"/status": {"get": {}}}}"#;
        assert_eq!(plain_get_paths(json).unwrap(), ["/api/status"]);
        let templated = "servers: [{url: '{scheme}://host/{base}'}]\npaths: {/a: {get: {}}}\n";
        assert_eq!(plain_get_paths(templated).unwrap(), ["/a"]);
        assert!(plain_get_paths("paths: [").is_err());
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterIn {
    /// In the path template (`/items/{id}`).
    Path,
    /// In the query string.
    Query,
    /// A header.
    Header,
    /// A cookie.
    Cookie,
}

/// One parameter of an operation, `$ref`s resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Name.
    pub name: String,
    /// Where it goes.
    pub location: ParameterIn,
    /// Whether it must be sent (path parameters always must).
    pub required: bool,
    /// Its schema as JSON, `$ref`s inlined (bounded depth), if it has one.
    pub schema: Option<serde_json::Value>,
}

/// What an operation declares about authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Security {
    /// Requirements (scheme names), from the operation or the document.
    Required(Vec<String>),
    /// `security: []` (or an empty requirement `{}`): declared public.
    Public,
    /// Nothing declared anywhere: the contract does not say.
    Undeclared,
}

/// One operation of the contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `GET`, `POST`...
    pub method: String,
    /// The path template, with the server's base path (`/v1/items/{id}`).
    pub path: String,
    /// `operationId`, if given.
    pub operation_id: Option<String>,
    /// Path-level and operation-level parameters (the operation's win by name and place).
    pub parameters: Vec<Parameter>,
    /// The JSON request body's schema (`application/json` or Swagger's `in: body`), `$ref`s
    /// inlined, and whether the body is required.
    pub body: Option<(serde_json::Value, bool)>,
    /// What it declares about authentication.
    pub security: Security,
    /// Where the operation is written.
    pub span: harden_model::Span,
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// Deepest `$ref` chain or inlined schema nesting followed (cycles end here too).
const MAX_REF_DEPTH: usize = 12;

/// Every operation of an OpenAPI 3.x or Swagger 2.0 document, in document order. Local `$ref`s
/// (`#/components/...`, `#/definitions/...`) are resolved; a reference to another file is kept
/// as `{"$ref": ...}`.
pub fn operations(text: &str) -> Result<Vec<Operation>, YamlError> {
    operations_with(text, &|_| None)
}

/// Files one contract may reference.
const MAX_FILES: usize = 64;
/// References to other files replaced in one contract, at most.
const MAX_INLINED: usize = 20_000;

/// [`operations`] of a contract split over several files: `load` gives the text of a file
/// named by a `$ref` (`schemas/item.yaml#/Item`), as a path relative to the root document's
/// directory (`..` kept for the caller to confine), or `None` when it cannot be read (the
/// reference then stays as it is). A referenced file that does not parse is an error naming it.
pub fn operations_with(
    text: &str,
    load: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Operation>, YamlError> {
    let mut documents = yaml::parse(text)?;
    if documents.is_empty() {
        return Ok(Vec::new());
    }
    let mut root = documents.swap_remove(0);
    let mut files = Files {
        load,
        parsed: Vec::new(),
        inlined: 0,
    };
    inline_external(&mut root, "", &mut files, 0)?;
    Ok(operations_of(&root))
}

/// Parsed files, by path, loaded at most once each.
struct Files<'a> {
    load: &'a dyn Fn(&str) -> Option<String>,
    parsed: Vec<(String, Option<Node>)>,
    /// References replaced so far: a file that refers to itself twice per level must not
    /// grow without bound.
    inlined: usize,
}

impl Files<'_> {
    fn get(&mut self, path: &str) -> Result<Option<Node>, YamlError> {
        if let Some((_, node)) = self.parsed.iter().find(|(p, _)| p == path) {
            return Ok(node.clone());
        }
        if self.parsed.len() >= MAX_FILES {
            return Ok(None);
        }
        let node = match (self.load)(path) {
            Some(text) => yaml::parse(&text)
                .map_err(|e| YamlError {
                    message: format!(
                        "in {path} (line {}, column {}): {}",
                        e.line, e.column, e.message
                    ),
                    ..e
                })?
                .into_iter()
                .next(),
            None => None,
        };
        self.parsed.push((path.to_owned(), node.clone()));
        Ok(node)
    }
}

/// `path` of a `$ref` joined to the directory of `base` (`a/b.yaml` + `c.yaml` = `a/c.yaml`),
/// `.` segments dropped and `..` applied while there is a directory to leave.
fn join(base: &str, path: &str) -> String {
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.retain(|p| !p.is_empty());
    parts.join("/")
}

/// Replaces every `$ref` to another file under `node` (of the document `file`, "" for the root)
/// by what it points to, itself inlined; references within that file are inlined too, since
/// the root's own (`#/...`) are resolved against the root later.
fn inline_external(
    node: &mut Node,
    file: &str,
    files: &mut Files<'_>,
    depth: usize,
) -> Result<(), YamlError> {
    if depth > MAX_REF_DEPTH * 4 {
        return Ok(());
    }
    let reference = node.get("$ref").and_then(Node::as_str).map(str::to_owned);
    if let Some(reference) = reference {
        let (target, pointer) = reference
            .split_once('#')
            .unwrap_or((reference.as_str(), ""));
        let target_file = if target.is_empty() {
            // A local reference: the root's stay for later; another file's are resolved here.
            if file.is_empty() {
                return Ok(());
            }
            file.to_owned()
        } else if target.contains("://") {
            return Ok(());
        } else {
            join(if file.is_empty() { "openapi" } else { file }, target)
        };
        if files.inlined >= MAX_INLINED {
            return Ok(());
        }
        if let Some(document) = files.get(&target_file)? {
            let found = if pointer.is_empty() {
                Some(&document)
            } else {
                lookup(&document, pointer)
            };
            if let Some(found) = found {
                files.inlined += 1;
                *node = found.clone();
                return inline_external(node, &target_file, files, depth + 1);
            }
        }
        return Ok(());
    }
    match &mut node.value {
        yaml::Value::Seq(items) => {
            for item in items {
                inline_external(item, file, files, depth + 1)?;
            }
        }
        yaml::Value::Map(entries) => {
            for (_, value) in entries {
                inline_external(value, file, files, depth + 1)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn operations_of(root: &Node) -> Vec<Operation> {
    let prefix = base_path(root);
    let global = security_of(root.get("security"));
    let mut found = Vec::new();
    for (path, item) in root.get("paths").map(Node::entries).unwrap_or_default() {
        let item = resolve(root, item, 0);
        let shared = item.get("parameters");
        for (method, operation) in item.entries() {
            if !METHODS.contains(&method.text.as_str()) {
                continue;
            }
            let operation = resolve(root, operation, 0);
            let mut parameters = parameters_of(root, shared);
            for own in parameters_of(root, operation.get("parameters")) {
                parameters.retain(|p| !(p.name == own.name && p.location == own.location));
                parameters.push(own);
            }
            let swagger_body = swagger_body(root, shared, operation.get("parameters"));
            let body = operation
                .get("requestBody")
                .map(|b| resolve(root, b, 0))
                .and_then(|b| {
                    let schema = b
                        .get("content")?
                        .entries()
                        .iter()
                        .find(|(kind, _)| kind.text.contains("json"))?
                        .1
                        .get("schema")?;
                    let required = matches!(
                        b.get("required").map(|r| &r.value),
                        Some(yaml::Value::Bool(true))
                    );
                    Some((to_json(root, schema, 0), required))
                })
                .or(swagger_body);
            let security = match security_of(operation.get("security")) {
                Security::Undeclared => global.clone(),
                declared => declared,
            };
            found.push(Operation {
                method: method.text.to_ascii_uppercase(),
                path: format!("{prefix}{}", path.text),
                operation_id: operation
                    .get("operationId")
                    .and_then(Node::as_str)
                    .map(str::to_owned),
                parameters,
                body,
                security,
                span: method.span,
            });
        }
    }
    found
}

/// The node a `$ref` points to (local pointers only), followed a bounded number of times.
fn resolve<'a>(root: &'a Node, node: &'a Node, depth: usize) -> &'a Node {
    let Some(pointer) = node.get("$ref").and_then(Node::as_str) else {
        return node;
    };
    if depth >= MAX_REF_DEPTH {
        return node;
    }
    match pointer.strip_prefix('#') {
        Some(pointer) => match lookup(root, pointer) {
            Some(target) => resolve(root, target, depth + 1),
            None => node,
        },
        None => node,
    }
}

/// RFC 6901 pointer lookup (`/components/schemas/Item`).
fn lookup<'a>(root: &'a Node, pointer: &str) -> Option<&'a Node> {
    let mut node = root;
    for part in pointer.split('/').skip(1) {
        let part = part.replace("~1", "/").replace("~0", "~");
        node = match &node.value {
            yaml::Value::Map(_) => node.get(&part)?,
            yaml::Value::Seq(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// A node as JSON with local `$ref`s inlined, to a bounded depth (a cycle ends as its `$ref`).
fn to_json(root: &Node, node: &Node, depth: usize) -> serde_json::Value {
    use serde_json::Value as J;
    let resolved = resolve(root, node, 0);
    if depth >= MAX_REF_DEPTH {
        return node
            .get("$ref")
            .and_then(Node::as_str)
            .map_or(J::Null, |r| serde_json::json!({ "$ref": r }));
    }
    match &resolved.value {
        yaml::Value::Null => J::Null,
        yaml::Value::Bool(b) => J::Bool(*b),
        yaml::Value::Int(i) => J::from(*i),
        // A non-finite float (`.inf`, `.nan`) has no JSON number: kept as its text.
        yaml::Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or_else(|| J::String(f.to_string()), J::Number)
        }
        yaml::Value::Str(s) => J::String(s.clone()),
        yaml::Value::Seq(items) => {
            J::Array(items.iter().map(|i| to_json(root, i, depth + 1)).collect())
        }
        yaml::Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.text.clone(), to_json(root, v, depth + 1)))
                .collect(),
        ),
    }
}

fn parameters_of(root: &Node, list: Option<&Node>) -> Vec<Parameter> {
    let Some(yaml::Value::Seq(items)) = list.map(|l| &l.value) else {
        return Vec::new();
    };
    items
        .iter()
        .map(|item| resolve(root, item, 0))
        .filter_map(|p| {
            let location = match p.get("in").and_then(Node::as_str)? {
                "path" => ParameterIn::Path,
                "query" => ParameterIn::Query,
                "header" => ParameterIn::Header,
                "cookie" => ParameterIn::Cookie,
                _ => return None,
            };
            let required = location == ParameterIn::Path
                || matches!(
                    p.get("required").map(|r| &r.value),
                    Some(yaml::Value::Bool(true))
                );
            // OpenAPI 3 keeps the type under `schema`; Swagger 2 on the parameter itself.
            let schema = p.get("schema").map(|s| to_json(root, s, 0)).or_else(|| {
                p.get("type").map(|_| {
                    let mut schema = to_json(root, p, 0);
                    if let Some(object) = schema.as_object_mut() {
                        for key in ["name", "in", "required", "description"] {
                            object.remove(key);
                        }
                    }
                    schema
                })
            });
            Some(Parameter {
                name: p.get("name").and_then(Node::as_str)?.to_owned(),
                location,
                required,
                schema,
            })
        })
        .collect()
}

/// Swagger 2.0's `in: body` parameter, as a request body.
fn swagger_body(
    root: &Node,
    shared: Option<&Node>,
    own: Option<&Node>,
) -> Option<(serde_json::Value, bool)> {
    [own, shared]
        .into_iter()
        .flatten()
        .find_map(|list| match &list.value {
            yaml::Value::Seq(items) => items.iter().map(|i| resolve(root, i, 0)).find_map(|p| {
                (p.get("in").and_then(Node::as_str) == Some("body")).then(|| {
                    let required = matches!(
                        p.get("required").map(|r| &r.value),
                        Some(yaml::Value::Bool(true))
                    );
                    (
                        p.get("schema")
                            .map_or(serde_json::Value::Null, |s| to_json(root, s, 0)),
                        required,
                    )
                })
            }),
            _ => None,
        })
}

fn security_of(node: Option<&Node>) -> Security {
    match node.map(|n| &n.value) {
        Some(yaml::Value::Seq(requirements)) => {
            let schemes: Vec<String> = requirements
                .iter()
                .flat_map(|r| r.entries().iter().map(|(k, _)| k.text.clone()))
                .collect();
            // `[]`, or a list holding `{}` (optional authentication): anyone may call it.
            if requirements.is_empty() || requirements.iter().any(|r| r.entries().is_empty()) {
                Security::Public
            } else {
                Security::Required(schemes)
            }
        }
        _ => Security::Undeclared,
    }
}

#[cfg(test)]
mod catalogue_tests {
    use super::{ParameterIn, Security, operations};

    const SPEC: &str = r"
openapi: 3.1.0
servers: [{url: /api}]
security: [{bearer: []}]
components:
  parameters:
    Id: {name: id, in: path, schema: {type: integer}}
  schemas:
    Item:
      type: object
      required: [title]
      properties:
        title: {type: string, maxLength: 80}
        parent: {$ref: '#/components/schemas/Item'}
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: q, in: query, schema: {type: string}}
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Item'}
  /items/{id}:
    parameters: [{$ref: '#/components/parameters/Id'}]
    get: {}
    delete: {}
  /health:
    get:
      security: []
";

    #[test]
    fn operations_with_parameters_bodies_and_security() {
        let ops = operations(SPEC).unwrap();
        let names: Vec<String> = ops
            .iter()
            .map(|o| format!("{} {}", o.method, o.path))
            .collect();
        assert_eq!(
            names,
            [
                "GET /api/items",
                "POST /api/items",
                "GET /api/items/{id}",
                "DELETE /api/items/{id}",
                "GET /api/health"
            ]
        );
        assert_eq!(ops[0].operation_id.as_deref(), Some("listItems"));
        assert_eq!(ops[0].parameters[0].location, ParameterIn::Query);
        let (body, required) = ops[1].body.clone().unwrap();
        assert!(required);
        assert_eq!(body["required"][0], "title");
        // A recursive schema is inlined to a bounded depth, not forever.
        assert_eq!(body["properties"]["parent"]["type"], "object");
        let id = &ops[2].parameters[0];
        assert_eq!(
            (id.name.as_str(), id.location, id.required),
            ("id", ParameterIn::Path, true)
        );
        assert_eq!(id.schema.as_ref().unwrap()["type"], "integer");
        assert_eq!(ops[2].security, Security::Required(vec!["bearer".into()]));
        assert_eq!(ops[4].security, Security::Public);
        assert_eq!(ops[4].span.start.line, 32);
    }

    #[test]
    fn swagger_two_bodies_and_undeclared_security() {
        let swagger = r##"{"swagger": "2.0", "basePath": "/v2", "paths": {"/pets/{petId}": {"put": {
            "parameters": [{"name": "petId", "in": "path", "type": "string"},
                           {"name": "body", "in": "body", "required": true, "schema": {"$ref": "#/definitions/Pet"}}]}}},
            "definitions": {"Pet": {"type": "object", "properties": {"name": {"type": "string"}}}}}"##;
        let ops = operations(swagger).unwrap();
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].path, "/v2/pets/{petId}");
        assert_eq!(
            ops[0].parameters[0].schema.as_ref().unwrap()["type"],
            "string"
        );
        assert_eq!(
            ops[0].body.as_ref().unwrap().0["properties"]["name"]["type"],
            "string"
        );
        assert_eq!(ops[0].security, Security::Undeclared);
        let broken = operations("paths:\n  /a:\n    get: [\n");
        assert!(broken.unwrap_err().line >= 3);
    }
}
