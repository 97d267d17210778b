use std::collections::BTreeMap;
use std::sync::Arc;

use harden_engine::{Gate, GateCx, GateError, GateOutput};

use crate::classify::FileKind;
use harden_formats::yaml::{Node, Value};
use harden_model::{GateId, GateMeta, Items, ProfileLevel, Round, Severity, Span, Target};

/// `R0.contracts.present`: the API's shapes are written down, readable and whole.
pub(crate) struct ContractsPresent;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R0.contracts.present"),
    round: Round::R0,
    title: "API contracts are present, readable and resolve",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "\"What are the API shapes? What events will be emitted?\" has to be answered in a \
file before anything else is hardened: the live gates, the breaking-change check and every \
consumer read it. This gate finds OpenAPI 3.0 and 3.1, Swagger 2.0, AsyncAPI 2.x and 3.x and \
JSON Schema documents (those `[contracts] openapi` names, and any YAML or JSON file whose root \
says what it is) and checks each one against its specification (version, `info.title` and \
`info.version`, `paths` or `channels` where the version requires them, path keys starting with \
`/`, operations with `responses` where required) and that every `$ref` resolves: local pointers, \
and files of the repository relative to the document (remote references are counted, not \
fetched). A repository that serves HTTP (routes declared in FastAPI, Flask, Django, Express, \
axum, actix, gin, echo, Spring, Rails, ASP.NET Core, Laravel, Symfony or Phoenix code that runs on \
a server, not in a browser), or deploys a service that listens on a port (`EXPOSE` in \
the final stage of a deployed Dockerfile not built on a static file server, a `containerPort` of a \
Kubernetes workload; database, cache and broker ports aside), and has no contract fails; where \
its code uses a library that builds the contract (FastAPI, drf-spectacular, Django Ninja, \
flask-smorest, @nestjs/swagger, @hono/zod-openapi, @fastify/swagger, swagger-jsdoc, utoipa, \
poem-openapi, swag, swagger-core's annotations, Swashbuckle, NSwag, Microsoft.AspNetCore.OpenApi, \
L5-Swagger, swagger-php, OpenApiSpex, phoenix_swagger), the finding names it and how to write its \
document to a file to commit. \
OpenAPI 3.0, 3.1 and Swagger 2.0 documents are validated \
against the OpenAPI Initiative's schemas and AsyncAPI documents of every release from 2.0.0 to \
3.1.0 against the AsyncAPI Initiative's, bundled (no network); other versions and JSON Schema \
documents get the structural checks above.",
    evidence: &["contracts", "references", "HTTP services"],
    options: &[],
    items: Some(Items {
        name: "API contracts or HTTP routes",
        globs: &["**/*.yaml", "**/*.yml", "**/*.json"],
    }),
};

/// What kind of contract a document is, from its root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    OpenApi30,
    OpenApi31,
    Swagger2,
    AsyncApi2,
    AsyncApi3,
    JsonSchema,
    /// A GraphQL schema (SDL): the contract of a GraphQL API, counted, not checked here.
    GraphQl,
}

fn text(node: Option<&Node>) -> Option<String> {
    node.and_then(Node::scalar_text)
}

fn kind_of(root: &Node) -> Option<Kind> {
    if let Some(version) = text(root.get("openapi")) {
        // 3.1 and later share 3.1's rules (`responses` optional, `webhooks`).
        return Some(if version.starts_with("3.0") || !version.starts_with('3') {
            Kind::OpenApi30
        } else {
            Kind::OpenApi31
        });
    }
    if root.get("swagger").is_some() {
        return Some(Kind::Swagger2);
    }
    if let Some(version) = text(root.get("asyncapi")) {
        return Some(if version.starts_with('3') {
            Kind::AsyncApi3
        } else {
            Kind::AsyncApi2
        });
    }
    text(root.get("$schema"))
        .filter(|s| s.contains("json-schema.org"))
        .map(|_| Kind::JsonSchema)
}

fn is_map(node: Option<&Node>) -> bool {
    matches!(node.map(|n| &n.value), Some(Value::Map(_)))
}

/// The specifications' own JSON Schemas (copied unchanged, see schemas/*/README.md), with the
/// `openapi`/`swagger` major.minor or the exact `asyncapi` version each judges: Swagger 2.0,
/// OpenAPI 3.0 and 3.1, every AsyncAPI release from 2.0.0 to 3.1.0 (each AsyncAPI schema admits
/// only its own version).
const SCHEMAS: [(Kind, &str, &str); 12] = [
    (
        Kind::Swagger2,
        "",
        include_str!("../../schemas/openapi/2.0.json"),
    ),
    (
        Kind::OpenApi30,
        "",
        include_str!("../../schemas/openapi/3.0.json"),
    ),
    (
        Kind::OpenApi31,
        "",
        include_str!("../../schemas/openapi/3.1.json"),
    ),
    (
        Kind::AsyncApi2,
        "2.0.0",
        include_str!("../../schemas/asyncapi/2.0.0.json"),
    ),
    (
        Kind::AsyncApi2,
        "2.1.0",
        include_str!("../../schemas/asyncapi/2.1.0.json"),
    ),
    (
        Kind::AsyncApi2,
        "2.2.0",
        include_str!("../../schemas/asyncapi/2.2.0.json"),
    ),
    (
        Kind::AsyncApi2,
        "2.3.0",
        include_str!("../../schemas/asyncapi/2.3.0.json"),
    ),
    (
        Kind::AsyncApi2,
        "2.4.0",
        include_str!("../../schemas/asyncapi/2.4.0.json"),
    ),
    (
        Kind::AsyncApi2,
        "2.5.0",
        include_str!("../../schemas/asyncapi/2.5.0.json"),
    ),
    (
        Kind::AsyncApi2,
        "2.6.0",
        include_str!("../../schemas/asyncapi/2.6.0.json"),
    ),
    (
        Kind::AsyncApi3,
        "3.0.0",
        include_str!("../../schemas/asyncapi/3.0.0.json"),
    ),
    (
        Kind::AsyncApi3,
        "3.1.0",
        include_str!("../../schemas/asyncapi/3.1.0.json"),
    ),
];

/// Each schema compiled when a document first needs it (the AsyncAPI ones take most of a second),
/// once per run. `None` for one that does not compile offline: the structural checks stand in.
static SPECIFICATIONS: [std::sync::OnceLock<Option<jsonschema::Validator>>; SCHEMAS.len()] =
    [const { std::sync::OnceLock::new() }; SCHEMAS.len()];

/// The schema that judges a document: by kind, and for AsyncAPI by the exact version; `None`
/// where the structural checks stand in (a version no schema here describes).
fn specification(kind: Kind, root: &Node) -> Option<&'static jsonschema::Validator> {
    let version = text(root.get("asyncapi")).unwrap_or_default();
    let index = SCHEMAS.iter().position(|(judged, exact, _)| {
        *judged == kind && (exact.is_empty() || *exact == version)
    })?;
    SPECIFICATIONS[index]
        .get_or_init(|| {
            serde_json::from_str::<serde_json::Value>(SCHEMAS[index].2)
                .ok()
                .and_then(|schema| jsonschema::validator_for(&schema).ok())
        })
        .as_ref()
}

/// A YAML node as JSON, for the schema validator (keys as written, plain floats as numbers).
fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.text.clone(), to_json(v)))
                .collect(),
        ),
    }
}

/// The most errors reported per document; the rest are counted.
const MAX_SCHEMA_ERRORS: usize = 25;

/// The document's errors against its specification's schema, each at the node it is about (or
/// the nearest one that exists).
fn schema_errors(validator: &jsonschema::Validator, root: &Node) -> (Vec<(String, Span)>, usize) {
    let mut instance = to_json(root);
    // `swagger: 2.0` unquoted is a YAML number: the version is meant, and written, as text.
    for key in ["swagger", "openapi"] {
        if let Some(version) = instance.get_mut(key)
            && let Some(number) = version.as_f64()
        {
            *version = serde_json::Value::String(format!("{number:?}"));
        }
    }
    let mut shown = Vec::new();
    let mut total = 0;
    for error in validator.iter_errors(&instance) {
        total += 1;
        if shown.len() >= MAX_SCHEMA_ERRORS {
            continue;
        }
        let pointer = error.instance_path().to_string();
        let mut at = pointer.as_str();
        let node = loop {
            if let Some(node) = root.pointer(at) {
                break node;
            }
            match at.rfind('/') {
                Some(cut) => at = &at[..cut],
                None => break root,
            }
        };
        let place = if pointer.is_empty() {
            "the document".to_owned()
        } else {
            format!("`{pointer}`")
        };
        // The validator's message starts with the offending value, which may be a whole
        // schema: what it says about the value is enough.
        let mut message = error.to_string();
        if message.starts_with(['{', '[']) {
            message = match message.rfind(['}', ']']) {
                Some(end) => format!("the value{}", &message[end + 1..]),
                None => message,
            };
        }
        let message: String = message.chars().take(200).collect();
        shown.push((
            format!(
                "{place} does not follow the specification: {}",
                crate::support::shown_text(&message)
            ),
            node.span,
        ));
    }
    (shown, total)
}

/// What is missing from a document's required structure, each with where to point.
fn structure(kind: Kind, root: &Node) -> Vec<(String, Span)> {
    let mut problems = Vec::new();
    if matches!(kind, Kind::JsonSchema | Kind::GraphQl) {
        return problems;
    }
    let root_span = root.span;
    // `swagger: 2.0` unquoted is the number 2.
    if kind == Kind::Swagger2 && !matches!(text(root.get("swagger")).as_deref(), Some("2.0" | "2"))
    {
        problems.push((
            "`swagger` must be \"2.0\"".into(),
            root.get("swagger").map_or(root_span, |n| n.span),
        ));
    }
    if kind == Kind::OpenApi30 && !text(root.get("openapi")).is_some_and(|v| v.starts_with("3.0."))
    {
        problems.push((
            "`openapi` must be a 3.0.x or 3.1.x version string".into(),
            root.get("openapi").map_or(root_span, |n| n.span),
        ));
    }
    match root.get("info") {
        Some(info) if is_map(Some(info)) => {
            for key in ["title", "version"] {
                if info.get(key).is_none() {
                    problems.push((format!("`info.{key}` is required"), info.span));
                }
            }
        }
        _ => problems.push((
            "`info` with `title` and `version` is required".into(),
            root_span,
        )),
    }
    let missing = match kind {
        Kind::OpenApi30 | Kind::Swagger2 if !is_map(root.get("paths")) => {
            Some("`paths` is required")
        }
        Kind::OpenApi31
            if ["paths", "webhooks", "components"]
                .iter()
                .all(|k| root.get(k).is_none()) =>
        {
            Some("one of `paths`, `webhooks` or `components` is required")
        }
        Kind::AsyncApi2 if !is_map(root.get("channels")) => Some("`channels` is required"),
        _ => None,
    };
    if let Some(missing) = missing {
        problems.push((missing.into(), root_span));
    }
    // Path items: keys start with `/`; operations answer (`responses` is optional from 3.1).
    if let Some(paths) = root.get("paths") {
        for (key, item) in paths.entries() {
            if !key.text.starts_with('/') && !key.text.starts_with("x-") {
                problems.push((format!("path `{}` must start with /", key.text), key.span));
            }
            if matches!(kind, Kind::OpenApi30 | Kind::Swagger2) {
                for (method, operation) in item.entries() {
                    let verb = matches!(
                        method.text.as_str(),
                        "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
                    );
                    if verb && operation.get("responses").is_none() {
                        problems.push((
                            format!(
                                "{} {} has no `responses`",
                                method.text.to_uppercase(),
                                key.text
                            ),
                            method.span,
                        ));
                    }
                }
            }
        }
    }
    problems
}

/// Every `$ref` string under `node`, with its node and the resource it is relative to: the
/// document, or the nearest enclosing object with its own `$id` (a JSON Schema bundling others).
fn references<'n>(node: &'n Node, base: &'n Node, out: &mut Vec<(&'n str, &'n Node, &'n Node)>) {
    match &node.value {
        Value::Map(entries) => {
            // `$id` with a string names a resource; `properties: {$id: {...}}` is a property.
            let base = if entries
                .iter()
                .any(|(k, v)| k.text == "$id" && matches!(v.value, Value::Str(_)))
            {
                node
            } else {
                base
            };
            for (key, value) in entries {
                if key.text == "$ref"
                    && let Value::Str(target) = &value.value
                {
                    out.push((target.as_str(), value, base));
                } else if !matches!(
                    key.text.as_str(),
                    "example" | "examples" | "x-examples" | "default" | "const" | "enum"
                ) {
                    // Examples and defaults are data: a `$ref` there is not a reference.
                    references(value, base, out);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|item| references(item, base, out)),
        _ => {}
    }
}

/// The root keys that make a document a contract.
static ROOT_KEYS: std::sync::LazyLock<crate::support::Markers> = std::sync::LazyLock::new(|| {
    crate::support::Markers::exact(&["openapi", "swagger", "asyncapi", "$schema"])
});

/// Whether `bytes` may hold a contract: one of [`ROOT_KEYS`] written as a key, at the start of
/// a line (YAML, optionally quoted) or in quotes (JSON), followed by `:`. `$schema` counts only
/// in a document that names json-schema.org. A cheap superset of what [`kind_of`] accepts: a
/// nested key matches too, and is then parsed and turned down.
fn names_a_specification(bytes: &[u8]) -> bool {
    ROOT_KEYS.find_iter(bytes).any(|(pattern, start, end)| {
        let before = start.checked_sub(1).map(|i| bytes[i]);
        let quoted = matches!(before, Some(b'"' | b'\''));
        // Where a key may stand: the start of the file (after a byte-order mark) or of a line,
        // or after `{` or `,` of a flow mapping (`{openapi: 3.1.0, ...}`).
        let key_start = |at: usize| {
            let head = &bytes[..at];
            let head = head
                .strip_prefix(b"\xEF\xBB\xBF".as_slice())
                .unwrap_or(head);
            let trimmed = head.trim_ascii_end();
            trimmed.is_empty()
                || head.ends_with(b"\n")
                || trimmed.ends_with(b"{")
                || trimmed.ends_with(b",") && !trimmed.contains(&b'\n')
        };
        let line_start = if quoted {
            key_start(start - 1)
        } else {
            key_start(start)
        };
        if !(line_start || before == Some(b'"')) {
            return false;
        }
        let mut rest = &bytes[end..];
        if quoted {
            match rest.first() {
                Some(b'"' | b'\'') => rest = &rest[1..],
                _ => return false,
            }
        }
        let after = rest.iter().find(|b| !matches!(b, b' ' | b'\t'));
        after == Some(&b':')
            && (pattern != 3 || memchr::memmem::find(bytes, b"json-schema.org").is_some())
    })
}

/// A way of declaring a route (`@app.get(`) and the framework that writes it.
type RouteMarker = (&'static str, &'static str);

/// Route declarations by file extension.
const ROUTES: &[(&[&str], &[RouteMarker])] = &[
    (
        &["py"],
        &[
            ("@app.get(", "FastAPI/Flask"),
            ("@app.post(", "FastAPI/Flask"),
            ("@router.get(", "FastAPI"),
            ("@router.post(", "FastAPI"),
            ("@app.route(", "Flask"),
            ("@bp.route(", "Flask"),
            ("urlpatterns", "Django"),
        ],
    ),
    (
        &["js", "ts", "mjs", "cjs"],
        &[
            ("export async function GET(", "Next.js"),
            ("export async function POST(", "Next.js"),
            ("export function GET(", "Next.js"),
            ("app.get(", "Express"),
            ("app.post(", "Express"),
            ("router.get(", "Express"),
            ("router.post(", "Express"),
        ],
    ),
    (
        &["rs"],
        &[
            (".route(\"", "axum"),
            ("#[get(\"", "actix"),
            ("#[post(\"", "actix"),
            ("web::resource(", "actix"),
        ],
    ),
    (
        &["go"],
        &[
            (".GET(\"", "gin/echo"),
            (".POST(\"", "gin/echo"),
            ("http.HandleFunc(\"", "net/http"),
            (".HandleFunc(\"", "net/http"),
        ],
    ),
    (
        &["java", "kt"],
        &[
            ("@GetMapping", "Spring"),
            ("@PostMapping", "Spring"),
            ("@RequestMapping", "Spring"),
        ],
    ),
    (&["rb"], &[("routes.draw do", "Rails")]),
    (
        &["cs"],
        &[
            ("[HttpGet", "ASP.NET Core"),
            ("[HttpPost", "ASP.NET Core"),
            (".MapGet(", "ASP.NET Core"),
            (".MapPost(", "ASP.NET Core"),
            (".MapControllers(", "ASP.NET Core"),
        ],
    ),
    (
        &["php"],
        &[
            ("Route::get(", "Laravel"),
            ("Route::post(", "Laravel"),
            ("#[Route(", "Symfony"),
            ("@Route(", "Symfony"),
        ],
    ),
    (
        &["ex"],
        &[
            // A scope's pipeline, written in the router itself: `use Phoenix.Router` is most
            // often in the web module's `router` macro (`lib/app_web.ex`), not the router.
            ("pipe_through", "Phoenix"),
            ("use Plug.Router", "Plug"),
        ],
    ),
];

/// Extensions whose routes are read though no other gate reads their language.
const ROUTE_ONLY_EXTENSIONS: &[&str] = &["php", "ex"];

/// The route declarations of each entry of [`ROUTES`], to search for at once: most files hold
/// none, and one search of the bytes (aho-corasick's packed searcher) says so before their lines
/// are compared one by one.
static ROUTE_WORDS: std::sync::LazyLock<Vec<crate::support::Markers>> =
    std::sync::LazyLock::new(|| {
        ROUTES
            .iter()
            .map(|(_, markers)| {
                let words: Vec<&str> = markers.iter().map(|(word, _)| *word).collect();
                crate::support::Markers::exact(&words)
            })
            .collect()
    });

/// Where a repository declares HTTP routes: the first production file and line, by framework.
fn http_route(path: &str, text: &str) -> Option<(u32, &'static str)> {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    let index = ROUTES
        .iter()
        .position(|(extensions, _)| extensions.contains(&extension))?;
    let markers = ROUTES[index].1;
    if !ROUTE_WORDS[index].is_match(text) {
        return None;
    }
    for (index, line) in text.lines().enumerate() {
        if let Some((_, framework)) = markers.iter().find(|(m, _)| line.contains(m)) {
            // actix writes `.route("/", web::get().to(home))` as axum writes `.route("/", get(h))`.
            let framework = if *framework == "axum" && line.contains("web::") {
                "actix"
            } else {
                framework
            };
            return Some((u32::try_from(index + 1).unwrap_or(u32::MAX), framework));
        }
    }
    None
}

/// A library that builds a contract from the code: what the source says when it uses it, its
/// name, and how its document is written to a file.
struct Generator {
    marker: &'static str,
    name: &'static str,
    export: &'static str,
}

/// Contract generators by language, each from its project's documentation. A repository that
/// uses one has a contract at run or build time but none committed: the finding says which and
/// how to write it out, instead of asking for one written by hand.
const GENERATORS: &[(&[&str], &[Generator])] = &[
    (
        &["py"],
        &[
            Generator {
                marker: "FastAPI(",
                name: "FastAPI",
                export: "write `app.openapi()` to openapi.json (`json.dump(app.openapi(), file)`)",
            },
            Generator {
                marker: "drf_spectacular",
                name: "drf-spectacular",
                export: "run `./manage.py spectacular --file openapi.yaml`",
            },
            Generator {
                marker: "NinjaAPI(",
                name: "Django Ninja",
                export: "run `./manage.py export_openapi_schema --output openapi.json`",
            },
            Generator {
                marker: "flask_smorest",
                name: "flask-smorest",
                export: "run `flask openapi write openapi.json`",
            },
        ],
    ),
    (
        &["ts", "tsx", "js", "mjs", "cjs"],
        &[
            Generator {
                marker: "SwaggerModule",
                name: "@nestjs/swagger",
                export: "write what `SwaggerModule.createDocument(app, config)` returns to openapi.json",
            },
            Generator {
                marker: "OpenAPIHono",
                name: "@hono/zod-openapi",
                export: "write what `app.getOpenAPIDocument(...)` returns to openapi.json",
            },
            Generator {
                marker: "@fastify/swagger",
                name: "@fastify/swagger",
                export: "write `fastify.swagger({ yaml: true })` to openapi.yaml once the server is ready",
            },
            Generator {
                marker: "swagger-jsdoc",
                name: "swagger-jsdoc",
                export: "write what `swaggerJsdoc(options)` returns to openapi.json",
            },
        ],
    ),
    (
        &["rs"],
        &[
            Generator {
                marker: "utoipa",
                name: "utoipa",
                export: "write `ApiDoc::openapi().to_pretty_json()` to openapi.json",
            },
            Generator {
                marker: "poem_openapi",
                name: "poem-openapi",
                export: "write `OpenApiService::spec_yaml()` to openapi.yaml",
            },
        ],
    ),
    (
        &["go"],
        &[Generator {
            marker: "github.com/swaggo/",
            name: "swag",
            export: "run `swag init`, which writes docs/swagger.yaml",
        }],
    ),
    (
        &["java", "kt"],
        &[Generator {
            // swagger-core's annotations, read by springdoc-openapi, Quarkus (SmallRye),
            // Micronaut and JAX-RS alike.
            marker: "io.swagger.v3.oas.annotations",
            name: "swagger-core annotations",
            export: "have the framework's OpenAPI plugin write the document in the build (springdoc-openapi's Maven or Gradle plugin, Quarkus' `quarkus.smallrye-openapi.store-schema-directory`, Micronaut's compile-time generation)",
        }],
    ),
    (
        &["cs"],
        &[
            Generator {
                marker: "AddSwaggerGen",
                name: "Swashbuckle",
                export: "run `dotnet swagger tofile --output openapi.json <assembly> v1` (Swashbuckle.AspNetCore.Cli)",
            },
            Generator {
                marker: "AddOpenApiDocument",
                name: "NSwag",
                export: "have NSwag.MSBuild or `nswag run` write the document in the build",
            },
            Generator {
                marker: "AddOpenApi(",
                name: "Microsoft.AspNetCore.OpenApi",
                export: "add Microsoft.Extensions.ApiDescription.Server, which writes the document at build time (`OpenApiDocumentsDirectory`)",
            },
        ],
    ),
    (
        &["php"],
        &[
            Generator {
                marker: "L5Swagger",
                name: "L5-Swagger",
                export: "run `php artisan l5-swagger:generate`",
            },
            Generator {
                marker: "OpenApi\\Attributes",
                name: "swagger-php",
                export: "run `./vendor/bin/openapi src -o openapi.yaml`",
            },
        ],
    ),
    (
        &["ex"],
        &[
            Generator {
                marker: "OpenApiSpex",
                name: "OpenApiSpex",
                export: "run `mix openapi.spec.yaml --spec <YourAppWeb.ApiSpec>`",
            },
            Generator {
                marker: "PhoenixSwagger",
                name: "phoenix_swagger",
                export: "run `mix phx.swagger.generate`",
            },
        ],
    ),
];

/// Each language's [`GENERATORS`] markers, to search a file for at once.
static GENERATOR_WORDS: std::sync::LazyLock<Vec<crate::support::Markers>> =
    std::sync::LazyLock::new(|| {
        GENERATORS
            .iter()
            .map(|(_, generators)| {
                let words: Vec<&str> = generators.iter().map(|g| g.marker).collect();
                crate::support::Markers::exact(&words)
            })
            .collect()
    });

/// The contract generator `text` (the file at `path`) uses, and the line that says so.
fn contract_generator(path: &str, text: &str) -> Option<(u32, &'static Generator)> {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    let index = GENERATORS
        .iter()
        .position(|(extensions, _)| extensions.contains(&extension))?;
    if !GENERATOR_WORDS[index].is_match(text) {
        return None;
    }
    text.lines().enumerate().find_map(|(number, line)| {
        GENERATORS[index]
            .1
            .iter()
            .find(|g| line.contains(g.marker))
            .map(|g| (u32::try_from(number + 1).unwrap_or(u32::MAX), g))
    })
}

/// Ports that carry no HTTP API of the project's own: databases, caches, brokers, search engines,
/// mail, SSH, DNS.
const NOT_AN_API_PORT: &[u16] = &[
    22, 25, 53, 1433, 1521, 2181, 3306, 4222, 5432, 5672, 6379, 6650, 9042, 9092, 9200, 9300,
    11211, 26257, 27017,
];

/// Whether a port (`8080`, `8080/tcp`, `${PORT}`) is one an API may listen on: any but
/// [`NOT_AN_API_PORT`]; a variable counts, it is still a port the service opens.
fn api_port(port: &str) -> bool {
    let number = port.split('/').next().unwrap_or(port);
    number
        .parse::<u16>()
        .map_or(!number.is_empty(), |n| !NOT_AN_API_PORT.contains(&n))
}

/// The port a Dockerfile's final image exposes, and the line: a service the repository deploys.
/// A final stage built on a static file server or proxy (nginx, httpd, Caddy) serves files, not
/// an API, and is left alone.
fn dockerfile_port(text: &str) -> Option<(u32, String)> {
    let dockerfile = harden_formats::dockerfile::parse(text);
    let last = dockerfile.stages.last()?;
    let image = last.image.to_ascii_lowercase();
    // The last path segment, then without digest and tag: a registry's port
    // (`registry.example.test:5000/nginx:1.27`) is not the tag.
    let name = image
        .rsplit('/')
        .next()
        .unwrap_or(&image)
        .split(['@', ':'])
        .next()
        .unwrap_or_default();
    if name.contains("nginx") || name == "httpd" || name == "caddy" {
        return None;
    }
    last.instructions
        .iter()
        .filter(|i| i.keyword == "EXPOSE")
        .find_map(|i| {
            i.arguments
                .split_whitespace()
                .find(|port| api_port(port))
                .map(|port| (i.span.start.line, port.to_owned()))
        })
}

/// The first container port of a Kubernetes workload (`Deployment`, `StatefulSet`, `DaemonSet`,
/// `ReplicaSet`, `Pod`) among `documents`, and its line.
fn workload_port(documents: &[Node]) -> Option<(u32, String)> {
    for document in documents {
        let kind = text(document.get("kind")).unwrap_or_default();
        let pod = match kind.as_str() {
            "Pod" => document.get("spec"),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => document
                .get("spec")
                .and_then(|s| s.get("template"))
                .and_then(|t| t.get("spec")),
            _ => None,
        };
        let Some(pod) = pod else { continue };
        let containers = pod.get("containers").map(Node::items).unwrap_or_default();
        for container in containers {
            let ports = container.get("ports").map(Node::items).unwrap_or_default();
            for port in ports {
                if let Some(node) = port.get("containerPort")
                    && let Some(number) = node.scalar_text()
                    && api_port(&number)
                {
                    return Some((node.span.start.line, number));
                }
            }
        }
    }
    None
}

/// Files a contract's references may read, parsed once (shared with the run's other gates).
type Parsed = BTreeMap<String, Option<Arc<crate::support::YamlDocuments>>>;

/// The first document of a parsed YAML or JSON file.
fn first(documents: &crate::support::YamlDocuments) -> Option<&Node> {
    documents.as_ref().ok()?.first()
}

fn parsed<'p>(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
    cache: &'p mut Parsed,
    path: &str,
) -> Result<Option<&'p Node>, GateError> {
    if !cache.contains_key(path) {
        let documents = if cx.repo().is_file(path) {
            crate::support::read_parsed_into(cx, out, path)?.map(|bytes| {
                crate::support::yaml_documents(cx.cache(), path, &harden_engine::lossy_text(&bytes))
            })
        } else {
            None
        };
        cache.insert(path.to_owned(), documents);
    }
    Ok(cache
        .get(path)
        .and_then(Option::as_ref)
        .and_then(|documents| first(documents)))
}

/// Whether a document sits in a directory of specifications (`specs/openapi.yaml`): `spec` is
/// also RSpec's test directory, but a JSON or YAML document there that says it is a contract
/// is one, unless another directory says tests (`spec/fixtures/`).
fn specifications_dir(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let dirs: Vec<&str> = lower.split('/').rev().skip(1).collect();
    dirs.iter().any(|d| matches!(*d, "spec" | "specs"))
        && !dirs.iter().any(|d| {
            matches!(
                *d,
                "test" | "tests" | "__tests__" | "fixtures" | "testdata" | "e2e" | "support"
            )
        })
}

/// Whether a classified file is code that runs on a server, whose routes count. Code that runs in
/// a browser declares no server's routes (papercups' RunKit snippet: an Express endpoint in a
/// string of a React component).
fn server_code(class: &crate::classify::FileClass) -> bool {
    class.deployed
        && (class.language().is_some() || ROUTE_ONLY_EXTENSIONS.contains(&class.extension.as_str()))
        && !(class.language() == Some(crate::classify::Language::JavaScript)
            && crate::r7::resilience_bounds::browser_side(&class.path))
}

/// The first contract generator the shipped code uses: the file, the line, which one. Read only
/// where a repository serves HTTP without a contract.
fn generator(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
    classified: &[crate::classify::FileClass],
) -> Result<Option<(String, u32, &'static Generator)>, GateError> {
    for class in classified {
        if class.test_support
            || class.role() == crate::paths::PathRole::Vendored
            || !server_code(class)
        {
            continue;
        }
        let Some(bytes) = crate::support::read_parsed_into(cx, out, &class.path)? else {
            continue;
        };
        if let Some((line, generator)) =
            contract_generator(&class.path, &harden_engine::lossy_text(&bytes))
        {
            return Ok(Some((class.path.clone(), line, generator)));
        }
    }
    Ok(None)
}

/// The message and help of a missing contract: `what` the repository does, and either the
/// generator its code uses (where, and how to write its document out) or `by_hand`.
fn without_contract(
    what: String,
    by_hand: &str,
    generator: Option<(String, u32, &'static Generator)>,
) -> (String, String) {
    match generator {
        Some((at, line, generator)) => (
            format!(
                "{what}: {} builds one from the code ({at}:{line}), none is committed",
                generator.name
            ),
            format!(
                "{}, commit it and name it in `[contracts] openapi`; have CI write it again and fail on a difference, so it stays the code's",
                generator.export
            ),
        ),
        None => (what, by_hand.to_owned()),
    }
}

impl Gate for ContractsPresent {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let classified = crate::classify::classified(cx)?;
        let configured = &cx.config().contracts.openapi;
        let mut cache: Parsed = BTreeMap::new();
        let mut contracts: Vec<(String, Kind)> = Vec::new();
        let mut route: Option<(String, u32, &'static str)> = None;
        // A deployed service's port, where no route in code says it serves HTTP.
        let mut exposed: Option<(String, u32, String)> = None;
        for class in classified.iter() {
            let path = &class.path;
            if class.kind == FileKind::Dockerfile
                && class.deployed
                && !class.test_support
                && exposed.is_none()
            {
                if let Some(bytes) = crate::support::read_parsed_into(cx, out, path)?
                    && let Some((line, port)) = dockerfile_port(&harden_engine::lossy_text(&bytes))
                {
                    exposed = Some((path.clone(), line, format!("its image exposes port {port}")));
                }
                continue;
            }
            let document = matches!(class.extension.as_str(), "yml" | "yaml" | "json");
            let graphql = class.kind == FileKind::GraphQl;
            // A contract may live in docs/ or be generated from another definition; routes count
            // only in the code that ships.
            if (class.test_support && !(document && specifications_dir(path)))
                || class.role() == crate::paths::PathRole::Vendored
                || (!document && !graphql && !server_code(class))
            {
                continue;
            }
            if !document && !graphql && route.is_some() {
                continue;
            }
            let Some(bytes) = crate::support::read_parsed_into(cx, out, path)? else {
                continue;
            };
            if document
                && class.deployed
                && exposed.is_none()
                && memchr::memmem::find(&bytes, b"containerPort").is_some()
            {
                let text = harden_engine::lossy_text(&bytes);
                if let Ok(documents) = &*crate::support::yaml_documents(cx.cache(), path, &text)
                    && let Some((line, port)) = workload_port(documents)
                {
                    exposed = Some((
                        path.clone(),
                        line,
                        format!("a Kubernetes workload listens on port {port}"),
                    ));
                }
            }
            // Most YAML and JSON files are no contract (lockfiles, manifests, fixtures): a
            // root key that names a specification is looked for in the bytes before any text
            // is decoded or parsed.
            let named = document && configured.iter().any(|c| c == path);
            if document && !named && !names_a_specification(&bytes) {
                continue;
            }
            let content = harden_engine::lossy_text(&bytes);
            if graphql {
                // A schema defines its root types; an introspection query does not.
                if content.contains("type Query") || content.contains("schema {") {
                    contracts.push((path.clone(), Kind::GraphQl));
                }
                continue;
            }
            if !document {
                if let Some((line, framework)) = http_route(path, &content) {
                    route = Some((path.clone(), line, framework));
                }
                continue;
            }
            let documents = crate::support::yaml_documents(cx.cache(), path, &content);
            let root = match &*documents {
                Ok(documents) if !documents.is_empty() => &documents[0],
                Err(e) if named => {
                    out.finding(
                        cx.finding(
                            format!("the contract {path} is not readable: {}", e.message),
                            crate::support::span_location(
                                path,
                                crate::support::point(e.line, e.column),
                            ),
                        )
                        .identity(format!("unreadable:{path}"))
                        .build(),
                    );
                    continue;
                }
                // An empty file, or YAML that does not parse and no one named as a contract.
                _ => continue,
            };
            let Some(kind) = kind_of(root) else {
                if named {
                    out.finding(
                        cx.finding(format!("{path} is named in [contracts] but is no OpenAPI, AsyncAPI or JSON Schema document"), crate::support::span_location(path, root.span))
                            .identity(format!("unknown:{path}"))
                            .build(),
                    );
                }
                continue;
            };
            contracts.push((path.clone(), kind));
            // The specification's own schema where there is one; the hand-written checks of
            // the required structure otherwise.
            let problems = match specification(kind, root) {
                Some(validator) => {
                    let (shown, total) = schema_errors(validator, root);
                    if total > shown.len() {
                        out.count("schema errors not listed", (total - shown.len()) as u64);
                    }
                    shown
                }
                None => structure(kind, root),
            };
            for (problem, span) in problems {
                out.finding(
                    cx.finding(
                        format!("{path}: {problem}"),
                        crate::support::span_location(path, span),
                    )
                    .identity(format!("structure:{path}:{problem}"))
                    .help("complete the document as its specification requires")
                    .build(),
                );
            }
            cache.insert(path.clone(), Some(Arc::clone(&documents)));
        }
        // References, resolved against the repository's files.
        let (mut resolved, mut remote) = (0u64, 0u64);
        for (path, _) in &contracts {
            let Some(documents) = cache.get(path).cloned().flatten() else {
                continue;
            };
            let Some(root) = first(&documents) else {
                continue;
            };
            let mut refs = Vec::new();
            references(root, root, &mut refs);
            let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
            for (target, node, base) in refs {
                if target.starts_with("http://") || target.starts_with("https://") {
                    remote += 1;
                    continue;
                }
                let (file, pointer) = target.split_once('#').unwrap_or((target, ""));
                let found = if file.is_empty() {
                    base.pointer(pointer).is_some()
                } else {
                    match harden_formats::yaml::join_relative(dir, file) {
                        Some(other) => parsed(cx, out, &mut cache, &other)?
                            .is_some_and(|document| document.pointer(pointer).is_some()),
                        None => false,
                    }
                };
                if found {
                    resolved += 1;
                } else {
                    out.finding(
                        cx.finding(format!("{path}: the $ref `{target}` resolves to nothing"), crate::support::span_location(path, node.span))
                            .identity(format!("ref:{path}:{target}"))
                            .help("point it at an existing file and JSON pointer (`schemas.yaml#/Item`, `#/components/schemas/Item`)")
                            .build(),
                    );
                }
            }
        }
        if !contracts.is_empty() {
            out.examined("contracts", contracts.len() as u64);
            out.add("references", resolved);
            if remote > 0 {
                out.count("remote references (not fetched)", remote);
            }
            let kinds: Vec<String> = contracts
                .iter()
                .map(|(path, kind)| format!("{path} ({kind:?})"))
                .collect();
            out.fact("contracts", kinds.join(", "));
        } else if let Some((path, line, framework)) = route {
            out.examined("HTTP services", 1);
            let (message, help) = without_contract(
                format!(
                    "the repository serves HTTP ({framework} routes, first in {path}) but has no API contract"
                ),
                "write openapi.yaml (OpenAPI 3.1) describing the routes, or have a library build it from the code and commit what it writes, and name it in `[contracts] openapi`",
                generator(cx, out, &classified)?,
            );
            out.finding(
                cx.finding(
                    message,
                    crate::support::span_location(&path, crate::support::point(line, 1)),
                )
                .identity("no-contract")
                .help(help)
                .build(),
            );
        } else if let Some((path, line, what)) = exposed {
            out.examined("deployed services", 1);
            // Routes no reader knows (NestJS decorators, poem's) may still be built into one.
            let (message, help) = without_contract(
                format!(
                    "the repository deploys a service ({what}, {path}) but has no API contract"
                ),
                "write openapi.yaml (OpenAPI 3.1) or asyncapi.yaml describing what the service answers on that port, and name it in `[contracts] openapi`",
                generator(cx, out, &classified)?,
            );
            out.finding(
                cx.finding(
                    message,
                    crate::support::span_location(&path, crate::support::point(line, 1)),
                )
                .identity("no-contract")
                .help(help)
                .build(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        harden_formats::yaml::parse(text).unwrap().remove(0)
    }

    #[test]
    fn kinds_and_structure() {
        let complete = root(
            "openapi: 3.0.3\ninfo:\n  title: Shop\n  version: '1'\npaths:\n  /items:\n    get:\n      responses:\n        '200':\n          description: ok\n",
        );
        assert_eq!(kind_of(&complete), Some(Kind::OpenApi30));
        assert!(structure(Kind::OpenApi30, &complete).is_empty());
        let broken = root("openapi: 3.0.3\ninfo:\n  title: Shop\npaths:\n  items:\n    post: {}\n");
        let problems: Vec<String> = structure(Kind::OpenApi30, &broken)
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(
            problems,
            [
                "`info.version` is required",
                "path `items` must start with /",
                "POST items has no `responses`"
            ]
        );
        let json = root(
            "{\"asyncapi\": \"2.6.0\", \"info\": {\"title\": \"Events\", \"version\": \"1\"}, \"channels\": {}}",
        );
        assert_eq!(kind_of(&json), Some(Kind::AsyncApi2));
        assert!(structure(Kind::AsyncApi2, &json).is_empty());
    }

    #[test]
    fn the_specifications_compile_offline_and_judge() {
        let any = root("openapi: 3.0.3\n");
        for kind in [Kind::Swagger2, Kind::OpenApi30, Kind::OpenApi31] {
            assert!(specification(kind, &any).is_some(), "{kind:?}");
        }
        for (kind, version, _) in SCHEMAS.iter().filter(|(_, v, _)| !v.is_empty()) {
            let document = root(&format!("asyncapi: {version}\n"));
            assert!(specification(*kind, &document).is_some(), "{version}");
        }
        assert!(specification(Kind::AsyncApi2, &root("asyncapi: 2.7.0\n")).is_none());
        // An older release's schema judges its own documents (`info.version` is missing).
        let old = root("asyncapi: 2.0.0\ninfo:\n  title: Events\nchannels: {}\n");
        assert!(
            !schema_errors(specification(Kind::AsyncApi2, &old).unwrap(), &old)
                .0
                .is_empty()
        );
        let events = root(
            "asyncapi: 2.6.0\ninfo:\n  title: Events\n  version: '1'\nchannels:\n  item/created:\n    subscribe:\n      message:\n        payload:\n          type: object\n",
        );
        let (errors, _) = schema_errors(specification(Kind::AsyncApi2, &events).unwrap(), &events);
        assert!(errors.is_empty(), "{errors:?}");
        let broken = root("asyncapi: 2.6.0\ninfo:\n  title: Events\nchannels: {}\n");
        assert!(
            !schema_errors(specification(Kind::AsyncApi2, &broken).unwrap(), &broken)
                .0
                .is_empty()
        );
        let good = root(
            "openapi: 3.0.3\ninfo:\n  title: Shop\n  version: '1.0'\npaths:\n  /items:\n    get:\n      parameters:\n        - name: limit\n          in: query\n          schema:\n            type: number\n            maximum: 1.5\n      responses:\n        '200':\n          description: ok\n",
        );
        let (errors, _) = schema_errors(specification(Kind::OpenApi30, &any).unwrap(), &good);
        assert!(errors.is_empty(), "{errors:?}");
        let bad = root("openapi: 3.0.3\ninfo:\n  title: Shop\n  version: 1\npaths:\n  items: {}\n");
        let (errors, total) = schema_errors(specification(Kind::OpenApi30, &any).unwrap(), &bad);
        assert!(total >= 2, "{errors:?}");
        // At the offending node's line, not the document's.
        assert!(
            errors.iter().any(|(_, span)| span.start.line == 4),
            "{errors:?}"
        );
    }

    #[test]
    fn references_skip_examples_and_follow_embedded_resources() {
        let document = root(
            "a:\n  $ref: '#/b'\nexamples:\n  - $ref: '#/not/a/reference'\nbundled:\n  $id: http://example.test/inner\n  x:\n    $ref: '#/definitions/y'\n  definitions:\n    y: {}\n",
        );
        let mut refs = Vec::new();
        references(&document, &document, &mut refs);
        let targets: Vec<&str> = refs.iter().map(|(t, _, _)| *t).collect();
        assert_eq!(targets, ["#/b", "#/definitions/y"]);
        // Resolved inside the bundled resource, where its own pointers start.
        assert!(refs[1].2.pointer("/definitions/y").is_some());
    }

    #[test]
    fn a_specification_is_named_by_a_root_key_before_anything_is_parsed() {
        for contract in [
            "openapi: 3.1.0\ninfo: {}\n",
            "# api\n\"swagger\": \"2.0\"\n",
            "{\n  \"asyncapi\" : \"3.0.0\"\n}",
            "{\"info\":{},\"openapi\":\"3.0.3\"}",
            "$schema: https://json-schema.org/draft/2020-12/schema\n",
            "\u{feff}openapi: 3.0.3\n",
            "{openapi: 3.1.0, info: {title: x, version: '1'}}",
        ] {
            assert!(names_a_specification(contract.as_bytes()), "{contract}");
        }
        for other in [
            "name: app\ndependencies:\n  swagger-ui: 5.0.0\n",
            "{\"dependencies\": {\"openapi-types\": \"12.1.3\"}}",
            "description: generated from an openapi: document\n",
            "$schema: ./local-schema.json\n",
        ] {
            assert!(!names_a_specification(other.as_bytes()), "{other}");
        }
    }

    #[test]
    fn the_byte_search_finds_every_route_declaration() {
        for ((_, markers), words) in ROUTES.iter().zip(ROUTE_WORDS.iter()) {
            for (word, _) in *markers {
                assert!(words.is_match(format!("x = {word}")), "{word}");
            }
        }
        assert!(!ROUTE_WORDS[0].is_match("def handler(request):\n    return 1\n"));
        // Another language's declaration is not looked for.
        assert_eq!(http_route("app/main.rs", "router.get(\"/\", h);\n"), None);
    }

    #[test]
    fn routes_name_their_framework() {
        assert_eq!(
            http_route(
                "src/startup.rs",
                "App::new()\n    .route(\"/\", web::get().to(home))\n"
            ),
            Some((2, "actix"))
        );
        assert_eq!(
            http_route("src/main.rs", "Router::new().route(\"/items\", get(list))"),
            Some((1, "axum"))
        );
        assert_eq!(http_route("src/lib.rs", "let route = 1;"), None);
        for (path, text, framework) in [
            (
                "config/routes.rb",
                "Rails.application.routes.draw do\n  resources :stories\nend\n",
                "Rails",
            ),
            (
                "Api/ItemsController.cs",
                "public class ItemsController {\n    [HttpGet(\"{id}\")]\n",
                "ASP.NET Core",
            ),
            (
                "Program.cs",
                "var app = builder.Build();\napp.MapGet(\"/\", () => \"ok\");\n",
                "ASP.NET Core",
            ),
            (
                "routes/api.php",
                "<?php\nRoute::get('/user', [UserController::class, 'show']);\n",
                "Laravel",
            ),
            (
                "src/Controller/EntryController.php",
                "<?php\nclass EntryController {\n    #[Route('/entries', name: 'entries')]\n",
                "Symfony",
            ),
            (
                "lib/app_web/router.ex",
                "defmodule AppWeb.Router do\n  use AppWeb, :router\n\n  scope \"/api\", AppWeb do\n    pipe_through :api\n",
                "Phoenix",
            ),
            (
                "lib/chat_api_web/router.ex",
                "  scope \"/api\", ChatApiWeb do\n    pipe_through(:api)\n",
                "Phoenix",
            ),
        ] {
            assert_eq!(
                http_route(path, text).map(|(_, f)| f),
                Some(framework),
                "{path}"
            );
        }
    }

    #[test]
    fn a_deployed_service_is_known_by_the_port_it_opens() {
        let go = "FROM golang:1.23 AS build\nEXPOSE 9999\nRUN go build\nFROM debian:12-slim\nEXPOSE 5432 8080/tcp\n";
        assert_eq!(dockerfile_port(go), Some((5, "8080/tcp".to_owned())));
        assert_eq!(
            dockerfile_port("FROM python:3.12\nEXPOSE ${PORT}\n"),
            Some((2, "${PORT}".to_owned()))
        );
        // Files served by a web server, a database image, nothing exposed.
        for other in [
            "FROM node:22 AS build\nRUN npm run build\nFROM nginxinc/nginx-unprivileged:1.27\nEXPOSE 8080\n",
            "FROM httpd:2.4\nEXPOSE 80\n",
            "FROM registry.example.test:5000/nginx:1.27\nEXPOSE 8080\n",
            "FROM postgres:16\nEXPOSE 5432\n",
            "FROM debian:12\nCMD [\"worker\"]\n",
        ] {
            assert_eq!(dockerfile_port(other), None, "{other}");
        }
        let manifests = harden_formats::yaml::parse(
            "kind: Service\nspec:\n  ports:\n    - port: 80\n---\nkind: StatefulSet\nspec:\n  template:\n    spec:\n      containers:\n        - name: db\n          ports:\n            - containerPort: 5432\n---\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          ports:\n            - name: http\n              containerPort: 3000\n",
        )
        .unwrap();
        assert_eq!(workload_port(&manifests), Some((23, "3000".to_owned())));
        assert_eq!(workload_port(&manifests[..2]), None);
    }

    #[test]
    fn specifications_directories() {
        assert!(specifications_dir("specs/openapi.yaml"));
        assert!(specifications_dir("api/spec/orders.json"));
        assert!(!specifications_dir("spec/fixtures/openapi.yaml"));
        assert!(!specifications_dir("tests/specs/openapi.yaml"));
        assert!(!specifications_dir("openapi.yaml"));
        assert!(!specifications_dir("spec.yaml"));
    }

    /// Each generator is told by its own words in its own language, at the line they are on;
    /// another language's file, or code that only mentions a document, names none.
    #[test]
    fn a_contract_generator_is_named_by_the_code_that_uses_it() {
        let found =
            |path: &str, text: &str| contract_generator(path, text).map(|(l, g)| (l, g.name));
        for (path, text, want) in [
            (
                "app/main.py",
                "import os\napp = FastAPI(title=\"x\")\n",
                (2, "FastAPI"),
            ),
            (
                "proj/settings.py",
                "INSTALLED_APPS = [\n    \"drf_spectacular\",\n]\n",
                (2, "drf-spectacular"),
            ),
            ("api/api.py", "api = NinjaAPI()\n", (1, "Django Ninja")),
            (
                "src/main.ts",
                "const document = SwaggerModule.createDocument(app, config);\n",
                (1, "@nestjs/swagger"),
            ),
            (
                "src/app.ts",
                "const app = new OpenAPIHono();\n",
                (1, "@hono/zod-openapi"),
            ),
            (
                "src/server.mjs",
                "await app.register(import('@fastify/swagger'));\n",
                (1, "@fastify/swagger"),
            ),
            ("src/docs.rs", "use utoipa::OpenApi;\n", (1, "utoipa")),
            (
                "cmd/api/main.go",
                "import (\n\t_ \"github.com/swaggo/files\"\n)\n",
                (2, "swag"),
            ),
            (
                "src/Api.kt",
                "import io.swagger.v3.oas.annotations.Operation\n",
                (1, "swagger-core annotations"),
            ),
            (
                "Program.cs",
                "builder.Services.AddSwaggerGen();\n",
                (1, "Swashbuckle"),
            ),
            (
                "Program.cs",
                "builder.Services.AddOpenApi();\n",
                (1, "Microsoft.AspNetCore.OpenApi"),
            ),
            (
                "Startup.cs",
                "services.AddOpenApiDocument();\n",
                (1, "NSwag"),
            ),
            (
                "app/Http/Api.php",
                "<?php\nuse OpenApi\\Attributes as OA;\n",
                (2, "swagger-php"),
            ),
            (
                "lib/app_web/api_spec.ex",
                "  alias OpenApiSpex.{Info, OpenApi}\n",
                (1, "OpenApiSpex"),
            ),
        ] {
            assert_eq!(found(path, text), Some(want), "{path}: {text}");
        }
        for (path, text) in [
            // The words of another language's library.
            ("src/main.rs", "builder.Services.AddSwaggerGen();\n"),
            // A document read, not built; a word that only starts like one.
            (
                "app/main.py",
                "spec = load(\"openapi.json\")\nclass FastAPIish: pass\n",
            ),
            ("README.md", "app = FastAPI()\n"),
        ] {
            assert_eq!(found(path, text), None, "{path}: {text}");
        }
    }
}
