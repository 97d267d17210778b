//! Values from JSON Schemas (OpenAPI's dialect): one valid instance for creating objects, and
//! seeded, deterministic invalid ones for probing validation. Hand-written: the generators
//! available (proptest strategies, schemathesis) are property-testing engines that shrink and
//! explore; harden needs a short, reproducible list of cases a reviewer can read.

use serde_json::{Map, Value, json};

/// SplitMix64: small, fast and the same on every platform, which is what a reproducible run
/// needs (the request sequence follows from the seed alone).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64, salt: &str) -> Self {
        // FNV-1a of the salt, so every operation gets its own stream from one seed.
        let mut hash = 0xcbf2_9ce4_8422_2325_u64;
        for byte in salt.bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        Self(seed ^ hash)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// Fisher–Yates.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Deepest nesting generated.
const MAX_DEPTH: usize = 6;

fn types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ if schema.get("properties").is_some() => vec!["object"],
        _ if schema.get("items").is_some() => vec!["array"],
        _ => Vec::new(),
    }
}

/// The schema's main type, `null` aside.
pub(crate) fn main_type(schema: &Value) -> Option<&str> {
    types(schema).into_iter().find(|t| *t != "null")
}

/// `allOf` merged into one object schema; `oneOf`/`anyOf` as their first branch.
pub(crate) fn flatten(schema: &Value) -> Value {
    if let Some(Value::Array(parts)) = schema.get("allOf") {
        let mut merged = schema.clone();
        if let Some(object) = merged.as_object_mut() {
            object.remove("allOf");
        }
        for part in parts {
            let part = flatten(part);
            for key in ["properties"] {
                if let Some(Value::Object(props)) = part.get(key) {
                    let target = merged
                        .as_object_mut()
                        .map(|m| m.entry(key).or_insert_with(|| json!({})));
                    if let Some(Value::Object(target)) = target {
                        for (k, v) in props {
                            target.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
            if let Some(Value::Array(required)) = part.get("required")
                && let Some(object) = merged.as_object_mut()
            {
                let list = object.entry("required").or_insert_with(|| json!([]));
                if let Some(list) = list.as_array_mut() {
                    list.extend(required.iter().cloned());
                }
            }
            if merged.get("type").is_none()
                && let Some(t) = part.get("type")
                && let Some(object) = merged.as_object_mut()
            {
                object.insert("type".into(), t.clone());
            }
        }
        return merged;
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(parts)) = schema.get(key)
            && let Some(first) = parts
                .iter()
                .find(|p| main_type(p).is_some() || p.get("properties").is_some())
        {
            return flatten(first);
        }
    }
    schema.clone()
}

/// The required property names of an object schema.
pub(crate) fn required(schema: &Value) -> Vec<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The writable properties of an object schema, in document order.
pub(crate) fn properties(schema: &Value) -> Vec<(String, Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .map(|(k, v)| (k.clone(), flatten(v)))
                .filter(|(_, v)| v.get("readOnly") != Some(&Value::Bool(true)))
                .collect()
        })
        .unwrap_or_default()
}

fn number(schema: &Value, key: &str) -> Option<f64> {
    schema.get(key).and_then(Value::as_f64).or_else(|| {
        schema
            .get(key)
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
    })
}

/// A valid instance of `schema`; strings carry `marker`, so objects made with it can be
/// recognised wherever they show up later.
pub(crate) fn valid(schema: &Value, marker: &str) -> Value {
    valid_at(schema, None, marker, 0)
}

/// A valid value of parameter `name`, its name hinting at what an unformatted string holds.
pub(crate) fn valid_named(schema: &Value, name: &str, marker: &str) -> Value {
    valid_at(schema, Some(name), marker, 0)
}

/// Property names of free text, where the marker goes even when the property is optional.
const TEXT_NAMES: &[&str] = &[
    "name",
    "title",
    "memo",
    "description",
    "note",
    "comment",
    "label",
    "text",
    "body",
    "content",
    "summary",
    "message",
    "subject",
];

fn is_free_text(schema: &Value) -> bool {
    main_type(schema) == Some("string")
        && schema.get("format").is_none()
        && schema.get("enum").is_none()
        && schema.get("pattern").is_none()
        && schema.get("default").is_none()
}

fn valid_at(schema: &Value, name: Option<&str>, marker: &str, depth: usize) -> Value {
    let schema = flatten(schema);
    if let Some(value) = schema.get("const") {
        return value.clone();
    }
    // A scalar's example is taken as given; free text gets the marker instead, and objects
    // are built property by property so that their strings carry it too.
    let free_text = main_type(&schema) == Some("string")
        && schema.get("format").is_none()
        && schema.get("enum").is_none();
    if !free_text && !matches!(main_type(&schema), Some("object" | "array")) {
        for key in ["example", "default"] {
            if let Some(value) = schema.get(key).filter(|v| !v.is_object() && !v.is_array()) {
                return value.clone();
            }
        }
    }
    if let Some(Value::Array(options)) = schema.get("enum")
        && let Some(first) = options.iter().find(|o| !o.is_null())
    {
        return first.clone();
    }
    match main_type(&schema) {
        Some("object") | None if schema.get("properties").is_some() => {
            let mut object = Map::new();
            if depth < MAX_DEPTH {
                let required = required(&schema);
                for (name, property) in properties(&schema) {
                    // An optional property is left to the server's default (a valid-looking
                    // value of ours can still break a rule the schema does not state), but
                    // free text takes the marker.
                    let text = is_free_text(&property) && {
                        let lower = name.to_ascii_lowercase();
                        TEXT_NAMES.iter().any(|t| lower.contains(t))
                    };
                    if !required.contains(&name) && !text {
                        continue;
                    }
                    let value = valid_at(&property, Some(&name), marker, depth + 1);
                    object.insert(name, value);
                }
            }
            Value::Object(object)
        }
        Some("object") => json!({}),
        Some("array") => {
            let items = schema
                .get("items")
                .cloned()
                .unwrap_or(json!({"type": "string"}));
            let count = number(&schema, "minItems").unwrap_or(1.0).max(1.0) as usize;
            if depth >= MAX_DEPTH {
                return json!([]);
            }
            Value::Array(
                (0..count.min(3))
                    .map(|_| valid_at(&items, None, marker, depth + 1))
                    .collect(),
            )
        }
        Some("integer") => {
            let low = number(&schema, "minimum").map_or(1, |m| m.ceil() as i64);
            let high = number(&schema, "maximum").map_or(i64::MAX, |m| m.floor() as i64);
            json!(low.max(1).min(high))
        }
        Some("number") => {
            let low = number(&schema, "minimum").unwrap_or(1.0);
            let high = number(&schema, "maximum").unwrap_or(f64::MAX);
            json!(low.max(1.0).min(high))
        }
        Some("boolean") => json!(true),
        Some("string") => json!(string(&schema, name, marker)),
        _ => json!(marker),
    }
}

fn string(schema: &Value, name: Option<&str>, marker: &str) -> String {
    // A name says what an unformatted string holds often enough to use it.
    let lower = name.map(str::to_ascii_lowercase);
    // Conditional request headers hold entity tags: a quoted string.
    if lower
        .as_deref()
        .is_some_and(|n| n == "if-match" || n == "if-none-match")
    {
        return "\"1\"".to_owned();
    }
    let hinted = lower.and_then(|n| {
        if n.contains("email") {
            Some("email")
        } else if ["url", "uri", "link", "href", "website"]
            .iter()
            .any(|w| n.contains(w))
        {
            Some("uri")
        } else {
            None
        }
    });
    let text = match schema.get("format").and_then(Value::as_str).or(hinted) {
        Some("email") => format!("{marker}@example.com"),
        Some("uuid") => uuid_from(marker),
        Some("date-time") => "2026-01-01T00:00:00Z".to_owned(),
        Some("date") => "2026-01-01".to_owned(),
        Some("time") => "12:00:00".to_owned(),
        Some("uri" | "url") => format!("https://example.com/{marker}"),
        Some("ipv4") => "192.0.2.10".to_owned(),
        Some("ipv6") => "2001:db8::10".to_owned(),
        Some("hostname") => "example.com".to_owned(),
        _ => marker.to_owned(),
    };
    let min = number(schema, "minLength").unwrap_or(0.0) as usize;
    let max = number(schema, "maxLength").map_or(usize::MAX, |m| m as usize);
    let mut text = text;
    while text.chars().count() < min {
        text.push('x');
    }
    if text.chars().count() > max {
        text = text.chars().take(max).collect();
    }
    text
}

/// A UUID-shaped string derived from `text` (not random: the same marker, the same value).
pub(crate) fn uuid_from(text: &str) -> String {
    let mut rng = Rng::new(0, text);
    let (a, b) = (rng.next(), rng.next());
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// A value of the wrong type for a query or path parameter of type `schema`: text that is
/// plainly not a number or a boolean (`1.5` for an integer filter is leniency, not a bug).
pub(crate) fn wrong_text(schema: &Value) -> Option<&'static str> {
    match main_type(&flatten(schema)) {
        Some("integer" | "number") => Some("harden-not-a-number"),
        Some("boolean") => Some("harden-not-a-boolean"),
        _ => None,
    }
}

/// A JSON scalar as it goes into a URL.
pub(crate) fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A value of the wrong type for `schema`, one of several chosen by `rng` (a seed decides).
pub(crate) fn wrong_type(schema: &Value, rng: &mut Rng) -> Value {
    let candidates = match main_type(&flatten(schema)) {
        Some("string") => vec![
            json!(12345),
            json!(true),
            json!(["harden"]),
            json!({"harden": 1}),
        ],
        Some("integer") => vec![
            json!("harden-not-a-number"),
            json!(1.5),
            json!(true),
            json!([1]),
        ],
        Some("number") => vec![json!("harden-not-a-number"), json!(true), json!([1])],
        Some("boolean") => vec![json!("harden-not-a-boolean"), json!(2), json!([true])],
        Some("array") => vec![json!({"harden": "not-an-array"}), json!("harden"), json!(7)],
        Some("object") => vec![json!("harden-not-an-object"), json!([1]), json!(7)],
        _ => vec![json!({"harden": ["unexpected"]})],
    };
    let index = rng.below(candidates.len());
    candidates[index].clone()
}

/// A value outside the declared range, length or enumeration of `schema`, with what it breaks;
/// `forbidden` says whether the schema itself rules it out.
#[derive(Default)]
pub(crate) struct Invalid {
    pub(crate) value: Value,
    /// How it is written in a URL, when not as the JSON value is (a number JSON cannot hold).
    pub(crate) text: Option<String>,
    pub(crate) what: String,
    pub(crate) forbidden: bool,
}

/// Out-of-range, over-long and off-enumeration values for `schema`.
pub(crate) fn out_of_bounds(schema: &Value) -> Vec<Invalid> {
    let schema = flatten(schema);
    let mut out = Vec::new();
    if schema.get("enum").is_some() {
        out.push(Invalid {
            value: json!("harden-not-in-enum"),
            what: "a value outside its enum".into(),
            forbidden: true,
            ..Invalid::default()
        });
    }
    match main_type(&schema) {
        Some("integer" | "number") => {
            // Bounds at the edge of 64 bits have no integer beyond them to send.
            if let Some(below) = number(&schema, "minimum")
                .filter(|m| *m > i64::MIN as f64)
                .and_then(|m| (m.ceil() as i64).checked_sub(1))
            {
                out.push(Invalid {
                    value: json!(below),
                    what: format!("{below} (below its minimum)"),
                    forbidden: true,
                    ..Invalid::default()
                });
            }
            if let Some(above) = number(&schema, "maximum")
                .filter(|m| *m < i64::MAX as f64)
                .and_then(|m| (m.floor() as i64).checked_add(1))
            {
                out.push(Invalid {
                    value: json!(above),
                    what: format!("{above} (above its maximum)"),
                    forbidden: true,
                    ..Invalid::default()
                });
            }
            if schema.get("minimum").is_none() && schema.get("maximum").is_none() {
                out.push(Invalid {
                    value: json!(9_223_372_036_854_775_807_i64),
                    what: "the largest 64-bit integer".into(),
                    forbidden: false,
                    ..Invalid::default()
                });
                // Beyond 64 bits: what overflows a database driver.
                out.push(Invalid {
                    value: json!(-1e23),
                    text: Some("-99999999999999999999999".into()),
                    what: "an integer beyond 64 bits".into(),
                    forbidden: false,
                });
            }
        }
        Some("string") if schema.get("enum").is_none() && schema.get("format").is_none() => {
            match number(&schema, "maxLength") {
                Some(max) => out.push(Invalid {
                    value: json!("h".repeat(max as usize + 1)),
                    what: format!("{} characters (over its maxLength {max})", max as usize + 1),
                    forbidden: true,
                    ..Invalid::default()
                }),
                None => out.push(Invalid {
                    value: json!("h".repeat(10_000)),
                    what: "10000 characters (no maxLength declared)".into(),
                    forbidden: false,
                    ..Invalid::default()
                }),
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_stream() {
        let a: Vec<u64> = {
            let mut r = Rng::new(7, "POST /notes");
            (0..4).map(|_| r.next()).collect()
        };
        let mut r = Rng::new(7, "POST /notes");
        assert_eq!(a, (0..4).map(|_| r.next()).collect::<Vec<_>>());
        let mut other = Rng::new(8, "POST /notes");
        assert_ne!(a[0], other.next());
    }

    #[test]
    fn valid_instances_follow_the_schema() {
        let schema = json!({
            "type": "object",
            "required": ["title", "count", "homepage_url"],
            "allOf": [{"properties": {"owner": {"type": "string", "format": "email"}}}],
            "properties": {
                "id": {"type": "integer", "readOnly": true},
                "title": {"type": "string", "minLength": 3, "maxLength": 40},
                "count": {"type": "integer", "minimum": 5, "maximum": 9},
                "kind": {"type": "string", "enum": ["a", "b"]},
                "summary": {"type": "string"},
                "unit": {"type": "string", "default": "sat"},
                "homepage_url": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}}
            }
        });
        let value = valid(&schema, "harden-m1");
        assert_eq!(
            value,
            // Optional fields are left to the server, but free text carries the marker; a
            // name tells a URL from text.
            json!({
                "title": "harden-m1",
                "count": 5,
                "summary": "harden-m1",
                "homepage_url": "https://example.com/harden-m1"
            })
        );
        let mut rng = Rng::new(1, "x");
        let wrong = wrong_type(&json!({"type": "integer"}), &mut rng);
        assert!(!wrong.is_i64(), "{wrong}");
        let bounds = out_of_bounds(&json!({"type": "integer", "minimum": 1, "maximum": 10}));
        assert_eq!(
            bounds.iter().map(|b| b.value.clone()).collect::<Vec<_>>(),
            [json!(0), json!(11)]
        );
        let long = out_of_bounds(&json!({"type": "string", "maxLength": 3}));
        assert_eq!(long[0].value, json!("hhhh"));
        assert!(long[0].forbidden);
        assert!(!out_of_bounds(&json!({"type": "string"}))[0].forbidden);
        // A maximum beyond 64 bits has nothing above it to send.
        let edge = out_of_bounds(
            &json!({"type": "integer", "minimum": 0, "maximum": 9_223_372_036_854_775_808_u64}),
        );
        assert_eq!(
            edge.iter().map(|b| b.value.clone()).collect::<Vec<_>>(),
            [json!(-1)]
        );
        // Unbounded: the largest 64-bit integer, and one beyond (LNbits's filters overflow).
        let open = out_of_bounds(&json!({"type": "integer"}));
        assert_eq!(open[1].text.as_deref(), Some("-99999999999999999999999"));
        assert!(!open[1].forbidden);
        assert_eq!(uuid_from("x").len(), 36);
    }
}
