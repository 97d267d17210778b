use harden_model::{GateMeta, OptionKind};
use serde_json::{Map, Value, json};

use crate::keys::{self, Key, Ty};

/// A JSON Schema (draft 2020-12) of `harden.toml` for editors (taplo, Even Better TOML), built from
/// the same key tables the validator uses and from the gate catalogue's option specs.
pub fn json_schema(catalogue: &[&'static GateMeta]) -> Value {
    let mut root = object(keys::ROOT);
    let props = root["properties"]
        .as_object_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    let mut props: Map<String, Value> = props;
    props.insert(
        "version".into(),
        json!({"const": 1, "description": "Config format version."}),
    );
    props.insert("service".into(), object(keys::SERVICE));
    props.insert(
        "profiles".into(),
        json!({
            "type": "object",
            "description": "Custom profiles.",
            "additionalProperties": object(keys::PROFILE),
        }),
    );
    props.insert("contracts".into(), object(keys::CONTRACTS));
    let mut deploy = object(keys::DEPLOY);
    deploy["properties"]["flags"] = json!({
        "type": "object",
        "description": "Required flags and their allowed values.",
        "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    });
    deploy["properties"]["secrets"] = object(keys::DEPLOY_SECRETS);
    props.insert("deploy".into(), deploy);
    props.insert(
        "preflight".into(),
        json!({"type": "array", "items": object(keys::PREFLIGHT)}),
    );
    props.insert(
        "drill".into(),
        json!({"type": "array", "items": object(keys::DRILL)}),
    );
    let mut waiver = object(keys::WAIVER);
    waiver["properties"]["fingerprint"]["pattern"] = json!("^[0-9a-f]{32}$");
    waiver["properties"]["gate"]["enum"] = catalogue.iter().map(|g| json!(g.id.as_str())).collect();
    props.insert("waiver".into(), json!({"type": "array", "items": waiver}));
    props.insert("runbooks".into(), object(keys::RUNBOOKS));
    let mut target = object(keys::TARGET);
    let mut identity = object(keys::IDENTITY);
    identity["properties"]["login"] = object(keys::LOGIN);
    target["properties"]["identity"] = json!({"type": "array", "items": identity});
    target["properties"]["bodies"] = json!({
        "type": "object",
        "description": "Bodies for creating objects, by operation (\"POST /items\"), as JSON in a string.",
        "additionalProperties": {"type": "string"},
    });
    target["properties"]["path-values"] = json!({
        "type": "object",
        "description": "Values for path parameters, by parameter name.",
        "additionalProperties": {"type": ["string", "integer"]},
    });
    props.insert("target".into(), target);
    let mut gates = Map::new();
    for gate in catalogue {
        let mut table = object(keys::GATE_COMMON);
        table["properties"]["severity"]["enum"] =
            json!(["info", "low", "medium", "high", "critical"]);
        table["description"] = json!(format!("{}: {}", gate.id, gate.title));
        for option in gate.options {
            table["properties"][option.key] = option_schema(option.kind, option.help);
        }
        gates.insert(gate.id.to_string(), table);
    }
    props.insert(
        "gates".into(),
        json!({
            "type": "object",
            "properties": gates,
            "additionalProperties": false,
        }),
    );
    props.insert("ledger".into(), object(keys::LEDGER));
    props.insert("smoke".into(), object(keys::SMOKE));
    props.insert("exit-criteria".into(), object(keys::EXIT_CRITERIA));
    props.insert(
        "decision".into(),
        json!({"type": "array", "items": object(keys::DECISION)}),
    );
    props.insert("readiness".into(), object(keys::READINESS));
    props.insert("security-audit".into(), object(keys::SECURITY_AUDIT));
    let mut secrets = object(keys::SECRETS);
    secrets["properties"]["rule"] = json!({"type": "array", "items": object(keys::SECRETS_RULE)});
    props.insert("secrets".into(), secrets);
    props.insert("repository".into(), object(keys::REPOSITORY));
    root["properties"] = Value::Object(props);
    root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    root["title"] = json!("harden.toml");
    root
}

fn object(keys: &[Key]) -> Value {
    let mut properties = Map::new();
    for key in keys {
        properties.insert(key.name.to_owned(), type_schema(key.ty, key.help));
    }
    let required: Vec<&str> = keys.iter().filter(|k| k.required).map(|k| k.name).collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn type_schema(ty: Ty, help: &str) -> Value {
    let mut schema = match ty {
        Ty::Str => json!({"type": "string", "minLength": 1}),
        Ty::StrList => json!({"type": "array", "items": {"type": "string"}}),
        Ty::Bool => json!({"type": "boolean"}),
        Ty::Int => json!({"type": "integer", "minimum": 0}),
        Ty::Date => json!({"type": "string", "format": "date"}),
        Ty::Duration => json!({"type": "string", "pattern": "^[0-9]+[smhdw]$"}),
        Ty::Number => json!({"type": "number", "minimum": 0}),
        Ty::Table => json!({"type": "object"}),
        Ty::TableArray => json!({"type": "array", "items": {"type": "object"}}),
    };
    schema["description"] = json!(help);
    schema
}

fn option_schema(kind: OptionKind, help: &str) -> Value {
    if let OptionKind::Choice(values) = kind {
        return json!({"type": "string", "enum": values, "description": help});
    }
    let ty = match kind {
        OptionKind::Bool => Ty::Bool,
        OptionKind::Integer => Ty::Int,
        OptionKind::String | OptionKind::Choice(_) => Ty::Str,
        OptionKind::StringList => Ty::StrList,
        OptionKind::Duration => Ty::Duration,
    };
    type_schema(ty, help)
}
