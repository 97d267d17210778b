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
    use super::plain_get_paths;

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
