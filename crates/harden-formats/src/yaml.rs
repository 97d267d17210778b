//! YAML with a position on every node, aliases resolved and `<<` merge keys applied.
//!
//! saphyr's event parser reads the text (YAML 1.2); this module builds a small owned tree from
//! its events in the same pass, with harden's 1-based lines and columns, resolving scalars as
//! saphyr's loader does (YAML 1.2 core schema), refusing duplicate keys, bounding alias
//! expansion against "billion laughs" input and nesting against the stack.
//!
//! Written here rather than converting saphyr's loaded tree: loading builds a hashed tree only
//! to be copied into this one, and bounding the depth first took a second pass over the events;
//! one pass over the events is two to three times faster on large documents (lockfiles,
//! generated OpenAPI). A test holds it to saphyr's loader on the same inputs.

use std::borrow::Cow;
use std::collections::HashMap;

use harden_model::{LineCol, Span};
use saphyr::Scalar;
use saphyr_parser::{Event, Parser, ScanError};

/// Deepest nesting accepted; deeper documents are rejected rather than risk the stack.
const MAX_DEPTH: usize = 256;

/// A YAML node and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it is in the file.
    pub span: Span,
}

/// The value of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A plain (unquoted) floating-point number: `1.5` is a number where `"1.5"` is a string,
    /// which a schema validator must be told.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order, with each key's own span.
    Map(Vec<(Key, Node)>),
}

/// A mapping key.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key as text.
    pub text: String,
    /// Where it is.
    pub span: Span,
}

/// A file that is not valid YAML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct YamlError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

impl Node {
    /// The node as a string, if it is a scalar (booleans and numbers as written in YAML 1.2).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar rendered as text (`true`, `3`, `x`), `None` for collections and null.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// The value under `key`, for mappings.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .find(|(k, _)| k.text == key)
            .map(|(_, v)| v)
    }

    /// The key and value under `key`, for mappings.
    pub fn get_entry(&self, key: &str) -> Option<(&Key, &Node)> {
        self.entries()
            .iter()
            .find(|(k, _)| k.text == key)
            .map(|(k, v)| (k, v))
    }

    /// Mapping entries (empty for anything else).
    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// Sequence items (empty for anything else).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The node a JSON pointer names under this one (`/components/schemas/Item`; `~1`, `~0`
    /// and, as written in a URI fragment, `%7B` escapes undone); `""` is the node itself.
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        let mut node = self;
        for token in pointer.split('/').skip(1) {
            let token = percent_decode(&token.replace("~1", "/").replace("~0", "~"));
            node = match &node.value {
                Value::Map(_) => node.get(&token)?,
                Value::Seq(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }
}

/// `%7B` and friends in a pointer written into a URI fragment.
fn percent_decode(token: &str) -> String {
    if !token.contains('%') {
        return token.to_owned();
    }
    let bytes = token.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(value) = token
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(value);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `relative` read from the repository directory `dir` (`/`-separated), `.` and `..` resolved:
/// where a `$ref` or a runbook link points. `None` when it climbs out of the repository.
pub fn join_relative(dir: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

fn position(marker: saphyr::Marker) -> LineCol {
    LineCol {
        line: u32::try_from(marker.line()).unwrap_or(u32::MAX).max(1),
        column: u32::try_from(marker.col())
            .unwrap_or(u32::MAX)
            .saturating_add(1),
    }
}

/// Alias expansion budget, in nodes, as saphyr's loader counts them (its default).
const ALIAS_BUDGET: usize = 100_000;

fn error_at(marker: saphyr::Marker, message: impl Into<String>) -> YamlError {
    let at = position(marker);
    YamlError {
        line: at.line,
        column: at.column,
        message: message.into(),
    }
}

fn scan_error(error: &ScanError) -> YamlError {
    error_at(*error.marker(), error.info())
}

/// Parses every document of `text`.
pub fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut builder = Builder::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| scan_error(&e))?;
        builder.on(event, span)?;
    }
    Ok(builder.documents)
}

/// A collection being read.
struct Open {
    /// Sequence items, or mapping entries with their keys' identities (for duplicates).
    items: Collection,
    start: saphyr::Marker,
    anchor: usize,
    /// Nesting levels below this one reached so far (0: only scalars inside).
    height: usize,
}

enum Collection {
    Seq(Vec<Node>),
    Map {
        entries: Vec<(Node, Node)>,
        identities: std::collections::HashSet<String>,
        /// A key read, waiting for its value, with where it starts.
        key: Option<(Node, saphyr::Marker)>,
    },
}

/// Builds [`Node`]s from parser events.
#[derive(Default)]
struct Builder {
    documents: Vec<Node>,
    stack: Vec<Open>,
    /// Anchored nodes by anchor id, with their heights.
    anchors: HashMap<usize, (Node, usize)>,
    /// The document being read, once its root is complete.
    root: Option<Node>,
    /// Alias nodes expanded so far.
    expanded: usize,
}

impl Builder {
    fn on(&mut self, event: Event<'_>, span: saphyr_parser::Span) -> Result<(), YamlError> {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::Nothing => {}
            Event::DocumentEnd => {
                let root = self.root.take().unwrap_or(Node {
                    value: Value::Null,
                    span: Span {
                        start: position(span.start),
                        end: position(span.end),
                    },
                });
                self.documents.push(root);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() + 1 > MAX_DEPTH {
                    return Err(error_at(
                        span.start,
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let items = if matches!(event, Event::SequenceStart(..)) {
                    Collection::Seq(Vec::new())
                } else {
                    Collection::Map {
                        entries: Vec::new(),
                        identities: std::collections::HashSet::new(),
                        key: None,
                    }
                };
                self.stack.push(Open {
                    items,
                    start: span.start,
                    anchor,
                    height: 0,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = self.stack.pop() else {
                    return Ok(());
                };
                let value = match open.items {
                    Collection::Seq(items) => Value::Seq(items),
                    Collection::Map { entries, .. } => merged(entries),
                };
                let node = Node {
                    value,
                    span: Span {
                        start: position(open.start),
                        end: position(span.start),
                    },
                };
                self.insert(node, open.anchor, open.height + 1)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let value = Scalar::parse_from_cow_and_metadata(text, style, tag.as_ref())
                    .map_or(Value::Null, |scalar| scalar_value(&scalar));
                let node = Node {
                    value,
                    span: Span {
                        start: position(span.start),
                        end: position(span.end),
                    },
                };
                self.insert(node, anchor, 0)?;
            }
            Event::Alias(anchor) => {
                let Some((anchored, height)) = self.anchors.get(&anchor) else {
                    let node = Node {
                        value: Value::Null,
                        span: Span {
                            start: position(span.start),
                            end: position(span.end),
                        },
                    };
                    return self.insert(node, 0, 0);
                };
                let height = *height;
                if self.stack.len() + height > MAX_DEPTH {
                    return Err(error_at(
                        span.start,
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let mut budget = ALIAS_BUDGET - self.expanded;
                if !count_within(anchored, &mut budget) {
                    return Err(error_at(
                        span.start,
                        "alias expansion exceeded the maximum node budget (possible billion-laughs attack)",
                    ));
                }
                self.expanded = ALIAS_BUDGET - budget;
                let mut node = anchored.clone();
                node.span = Span {
                    start: position(span.start),
                    end: position(span.end),
                };
                self.insert(node, 0, height)?;
            }
        }
        Ok(())
    }

    /// Places a complete node in the collection being read, or as the document's root.
    fn insert(&mut self, node: Node, anchor: usize, height: usize) -> Result<(), YamlError> {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), height));
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        parent.height = parent.height.max(height);
        match &mut parent.items {
            Collection::Seq(items) => items.push(node),
            Collection::Map {
                entries,
                identities,
                key,
            } => match key.take() {
                None => {
                    let start = node.span.start;
                    *key = Some((node, marker_of(start)));
                }
                Some((key_node, key_start)) => {
                    if !identities.insert(identity(&key_node)) {
                        return Err(error_at(key_start, "duplicated key in mapping"));
                    }
                    entries.push((key_node, node));
                }
            },
        }
        Ok(())
    }
}

/// A key's position as the marker errors are reported at (1-based line, 0-based column).
fn marker_of(at: LineCol) -> saphyr::Marker {
    saphyr::Marker::new(0, at.line as usize, at.column.saturating_sub(1) as usize)
}

/// What makes two keys the same key: equal values, as saphyr's loader compares them.
fn identity(node: &Node) -> String {
    match &node.value {
        Value::Null => "~".to_owned(),
        Value::Bool(b) => format!("b{b}"),
        Value::Int(i) => format!("i{i}"),
        // -0.0 and 0.0 compare equal, as do two NaNs.
        Value::Float(f) if f.is_nan() => "fNaN".to_owned(),
        Value::Float(f) => format!("f{}", if *f == 0.0 { 0.0 } else { *f }),
        // Quoted, so a string holding the separators below cannot pass for a collection.
        Value::Str(s) => format!("s{s:?}"),
        Value::Seq(items) => {
            let inner: Vec<String> = items.iter().map(identity).collect();
            format!("[{}]", inner.join(","))
        }
        Value::Map(entries) => {
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{:?}:{}", k.text, identity(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
    }
}

/// Whether `node` has at most `budget` nodes, counted as saphyr's loader counts an alias's
/// expansion (each item and each mapping value, and each key once); `budget` keeps what is left.
fn count_within(node: &Node, budget: &mut usize) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    match &node.value {
        Value::Seq(items) => items.iter().all(|item| count_within(item, budget)),
        Value::Map(entries) => entries.iter().all(|(_, value)| {
            if *budget == 0 {
                return false;
            }
            *budget -= 1;
            count_within(value, budget)
        }),
        _ => true,
    }
}

fn scalar_value(value: &Scalar<'_>) -> Value {
    match value {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::Int(*i),
        Scalar::FloatingPoint(f) => Value::Float(f.into_inner()),
        Scalar::String(s) => Value::Str(Cow::to_string(s)),
    }
}

/// A mapping's entries with `<<` merge keys applied: the entries of the merged mapping(s)
/// that the mapping does not set itself.
fn merged(raw: Vec<(Node, Node)>) -> Value {
    let mut entries: Vec<(Key, Node)> = Vec::with_capacity(raw.len());
    let mut merged: Vec<(Key, Node)> = Vec::new();
    for (key, value) in raw {
        let text = key.scalar_text().unwrap_or_default();
        if text == "<<" {
            let sources: Vec<&Node> = match &value.value {
                Value::Seq(items) => items.iter().collect(),
                _ => vec![&value],
            };
            for source in sources {
                merged.extend(source.entries().iter().cloned());
            }
            continue;
        }
        entries.push((
            Key {
                text,
                span: key.span,
            },
            value,
        ));
    }
    for (key, value) in merged {
        if !entries.iter().any(|(k, _)| k.text == key.text) {
            entries.push((key, value));
        }
    }
    Value::Map(entries)
}

/// The conversion of saphyr's loaded tree this module's one-pass builder replaced, kept as the
/// reference the builder must agree with.
#[cfg(test)]
mod reference {
    use super::{Key, MAX_DEPTH, Node, Value, YamlError, position};
    use harden_model::Span;
    use saphyr::{LoadableYamlNode as _, MarkedYaml, Scalar, YamlData};

    fn span_of(node: &MarkedYaml<'_>) -> Span {
        Span {
            start: position(node.span.start),
            end: position(node.span.end),
        }
    }

    /// Parses every document of `text`.
    pub(super) fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
        check_depth(text)?;
        let documents = MarkedYaml::load_from_str(text).map_err(|error| {
            let marker = error.marker();
            YamlError {
                line: u32::try_from(marker.line()).unwrap_or(u32::MAX).max(1),
                column: u32::try_from(marker.col())
                    .unwrap_or(u32::MAX)
                    .saturating_add(1),
                message: error.info().to_owned(),
            }
        })?;
        documents.iter().map(|d| convert(d, 0)).collect()
    }

    /// Rejects documents nested deeper than [`MAX_DEPTH`] before a tree is built: saphyr's loader
    /// and the tree's destructor recurse once per level, so a few kilobytes of `- - - …` would
    /// overflow the stack. The event parser keeps its state on the heap, so counting depth over
    /// its events is safe at any depth. An alias counts as deep as the node it names, so chains
    /// of anchors cannot build a deep tree out of shallow pieces.
    fn check_depth(text: &str) -> Result<(), YamlError> {
        use saphyr_parser::{Event, Parser};
        // Open collections: (anchor id, depth, deepest level reached inside).
        let mut open: Vec<(usize, usize, usize)> = Vec::new();
        // Height of each anchored collection, by anchor id.
        let mut heights: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
        for event in Parser::new_from_str(text) {
            // Syntax errors are reported by the real parse, with its message.
            let Ok((event, span)) = event else {
                return Ok(());
            };
            let depth = open.len();
            let reached = match event {
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    open.push((anchor, depth + 1, depth + 1));
                    depth + 1
                }
                Event::Alias(anchor) => depth + heights.get(&anchor).copied().unwrap_or(0),
                Event::SequenceEnd | Event::MappingEnd => {
                    if let Some((anchor, at, deepest)) = open.pop() {
                        if anchor != 0 {
                            heights.insert(anchor, deepest + 1 - at);
                        }
                        if let Some(parent) = open.last_mut() {
                            parent.2 = parent.2.max(deepest);
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            if let Some(parent) = open.last_mut() {
                parent.2 = parent.2.max(reached);
            }
            if reached > MAX_DEPTH {
                return Err(YamlError {
                    line: u32::try_from(span.start.line()).unwrap_or(u32::MAX).max(1),
                    column: u32::try_from(span.start.col())
                        .unwrap_or(u32::MAX)
                        .saturating_add(1),
                    message: format!("nesting deeper than {MAX_DEPTH} levels"),
                });
            }
        }
        Ok(())
    }

    fn too_deep(node: &MarkedYaml<'_>) -> YamlError {
        let span = span_of(node);
        YamlError {
            line: span.start.line,
            column: span.start.column,
            message: format!("nesting deeper than {MAX_DEPTH} levels"),
        }
    }

    fn scalar(value: &Scalar<'_>) -> Value {
        match value {
            Scalar::Null => Value::Null,
            Scalar::Boolean(b) => Value::Bool(*b),
            Scalar::Integer(i) => Value::Int(*i),
            Scalar::FloatingPoint(f) => Value::Float(f.into_inner()),
            Scalar::String(s) => Value::Str(s.to_string()),
        }
    }

    fn convert(node: &MarkedYaml<'_>, depth: usize) -> Result<Node, YamlError> {
        if depth > MAX_DEPTH {
            return Err(too_deep(node));
        }
        let span = span_of(node);
        let value = match &node.data {
            YamlData::Value(value) => scalar(value),
            YamlData::Representation(text, _, _) => Value::Str(text.to_string()),
            YamlData::Sequence(items) => Value::Seq(
                items
                    .iter()
                    .map(|i| convert(i, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            YamlData::Mapping(map) => {
                let mut entries: Vec<(Key, Node)> = Vec::new();
                let mut merged: Vec<(Key, Node)> = Vec::new();
                for (key, value) in map {
                    let key_node = convert(key, depth + 1)?;
                    let text = key_node.scalar_text().unwrap_or_default();
                    let value = convert(value, depth + 1)?;
                    if text == "<<" {
                        // Merge keys: entries of the merged mapping(s) that the mapping does not set itself.
                        let sources: Vec<&Node> = match &value.value {
                            Value::Seq(items) => items.iter().collect(),
                            _ => vec![&value],
                        };
                        for source in sources {
                            merged.extend(source.entries().iter().cloned());
                        }
                        continue;
                    }
                    entries.push((
                        Key {
                            text,
                            span: key_node.span,
                        },
                        value,
                    ));
                }
                for (key, value) in merged {
                    if !entries.iter().any(|(k, _)| k.text == key.text) {
                        entries.push((key, value));
                    }
                }
                Value::Map(entries)
            }
            YamlData::Tagged(_, inner) => return convert(inner, depth + 1),
            YamlData::Alias(_) | YamlData::BadValue => Value::Null,
        };
        Ok(Node { value, span })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both builders on `text`: the same documents, or errors at the same place (the deep and
    /// the alias-bomb cases may name different first offences; their own tests cover them).
    fn agree(text: &str) {
        let (one_pass, loaded) = (parse(text), reference::parse(text));
        match (&one_pass, &loaded) {
            // Compared as printed: NaN is not equal to itself.
            (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{text}"),
            (Err(a), Err(b)) => {
                assert_eq!((a.line, a.column), (b.line, b.column), "{text}: {a} / {b}");
            }
            _ => panic!("{text}: {one_pass:?} against {loaded:?}"),
        }
    }

    #[test]
    fn the_one_pass_builder_agrees_with_saphyrs_loader() {
        for text in [
            "",
            "---\n...\n",
            "a: 1\nb: [x, 'y', \"z\", 1.5, -0.0, .inf, .nan, ~, null, true, False, 0x1f, 0o17]\n",
            "- !!str 1\n- !!int 2\n- !!float 3\n- !!bool true\n- !!null ~\n- !!int x\n",
            "base: &b {x: 1, y: 2}\nder:\n  <<: *b\n  y: 3\nboth:\n  <<: [*b, {z: 4}]\n",
            "a: &x [1, [2, [3]]]\nb: *x\nc: *x\n",
            "? [complex, key]\n: value\n? {m: 1}\n: other\n",
            "---\na: 1\n---\nb: 2\n--- just text\n",
            "key: |\n  literal\n  block\nfolded: >\n  folded\n  text\n",
            "a: 1\na: 2\n",
            "1: a\n'1': b\n",
            "x: [1, 2\n",
            "k: v\n  bad: indent\n",
            "\"quoted key\": {nested: {deeper: [a, {b: c}]}}\n",
            "empty:\nalso: ''\n",
            "anchored: &a {k: v}\nref: *a\n",
            "- &s scalar\n- *s\n- {*s : 1}\n",
        ] {
            agree(text);
        }
        // Where they differ, on purpose: saphyr's loader wraps a scalar with an application
        // tag (CloudFormation's `!Ref`) in a node without a position; it keeps its own here.
        let tagged = parse("a: 1\nb: !Ref Bucket\n").unwrap();
        let node = tagged[0].get("b").unwrap();
        assert_eq!(node.as_str(), Some("Bucket"));
        assert_eq!((node.span.start.line, node.span.start.column), (2, 4));
    }

    /// Every YAML file under `HARDEN_YAML_CORPUS` (real repositories), read by both builders.
    /// Run with `HARDEN_YAML_CORPUS=DIR cargo test -p harden-formats -- --ignored corpus`.
    #[test]
    #[ignore = "needs a corpus of real YAML files"]
    #[allow(
        clippy::disallowed_methods,
        reason = "a developer's check over a directory of real files, outside any repository view"
    )]
    fn the_one_pass_builder_agrees_on_a_corpus() {
        let root = std::env::var("HARDEN_YAML_CORPUS").expect("HARDEN_YAML_CORPUS");
        let mut pending = vec![std::path::PathBuf::from(root)];
        let mut files = 0;
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                let kind = entry.file_type().unwrap();
                if kind.is_dir() && path.file_name().is_some_and(|n| n != ".git") {
                    pending.push(path);
                } else if kind.is_file()
                    && path.extension().is_some_and(|e| e == "yml" || e == "yaml")
                    && let Ok(text) = std::fs::read_to_string(&path)
                {
                    files += 1;
                    agree(&text);
                }
            }
        }
        assert!(files > 0);
        eprintln!("{files} files agree");
    }

    #[test]
    fn pointers_resolve_with_escapes_and_paths_join() {
        let document = parse(
            "components:\n  schemas:\n    a/b:\n      type: string\n    'c d': {}\nlist:\n  - x\n",
        )
        .unwrap()
        .remove(0);
        assert!(document.pointer("/components/schemas/a~1b").is_some());
        assert!(document.pointer("/components/schemas/c%20d").is_some());
        assert!(document.pointer("/list/0").is_some());
        assert!(document.pointer("/components/schemas/missing").is_none());
        assert_eq!(document.pointer("").map(|n| n.span), Some(document.span));
        assert_eq!(
            join_relative("api/v1", "../common/errors.yaml").as_deref(),
            Some("api/common/errors.yaml")
        );
        assert_eq!(join_relative("", "./a.yaml").as_deref(), Some("a.yaml"));
        assert_eq!(join_relative("", "../outside.yaml"), None);
    }

    #[test]
    fn plain_floats_are_numbers_and_quoted_ones_strings() {
        let root = parse("a: 1.5\nb: '1.5'\nc: 2.0\n").unwrap().remove(0);
        assert_eq!(root.get("a").unwrap().value, Value::Float(1.5));
        assert_eq!(root.get("b").unwrap().value, Value::Str("1.5".into()));
        // As text, a float reads as before.
        assert_eq!(root.get("c").unwrap().scalar_text().as_deref(), Some("2"));
    }

    #[test]
    fn positions_are_one_based_and_aliases_resolve() {
        let text = "defaults: &d\n  shell: bash\njob:\n  <<: *d\n  run: |\n    echo hi\n";
        let docs = parse(text).unwrap();
        let job = docs[0].get("job").unwrap();
        assert_eq!(
            job.get("shell").unwrap().as_str(),
            Some("bash"),
            "merge key applied"
        );
        let (key, run) = job.get_entry("run").unwrap();
        assert_eq!((key.span.start.line, key.span.start.column), (5, 3));
        assert_eq!(run.as_str(), Some("echo hi\n"));
        assert_eq!(
            run.span.start.line, 6,
            "a block scalar starts at its first content line"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_at_its_line_not_a_stack_overflow() {
        use std::fmt::Write as _;
        // On a thread with a rayon worker's stack (2 MiB), where gates run.
        let deep = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(|| {
                let block = format!("on: push\nx:\n{}a\n", "- ".repeat(5_000));
                let flow = format!("x: {}{}\n", "[".repeat(5_000), "]".repeat(5_000));
                let map = (0..2_000).fold(String::from("v"), |inner, _| format!("{{k: {inner}}}"));
                [block, flow, format!("x: {map}\n")].map(|text| parse(&text).unwrap_err())
            })
            .unwrap()
            .join()
            .unwrap();
        for error in deep {
            // saphyr's own limit on flow collections may speak first.
            assert!(
                error.message.contains("nesting deeper than 256")
                    || error.message.contains("recursion limit"),
                "{error}"
            );
            assert!(error.line <= 3, "{error}");
        }
        // Anchors that each stay shallow but build a deep tree through aliases.
        let mut text = format!("a0: &a0 {}1{}\n", "[".repeat(200), "]".repeat(200));
        for i in 1..4 {
            writeln!(text, "a{i}: &a{i} [[*a{}]]", i - 1).unwrap();
        }
        writeln!(text, "z: {}*a3{}", "[".repeat(100), "]".repeat(100)).unwrap();
        let error = parse(&text).unwrap_err();
        assert!(error.message.contains("nesting deeper"), "{error}");
        assert_eq!(error.line, 5, "{error}");
        // 256 levels are still fine.
        let fine = format!("x: {}1{}\n", "[".repeat(255), "]".repeat(255));
        assert!(parse(&fine).is_ok());
    }

    #[test]
    fn malformed_yaml_is_an_error_with_a_position() {
        let error = parse("a: [1, 2\nb: c\n").unwrap_err();
        assert!(error.line >= 1 && error.column >= 1, "{error}");
        assert!(parse("a: b: c\n").is_err());
    }

    #[test]
    fn yaml_1_2_keeps_on_a_string() {
        let docs = parse("on: push\n").unwrap();
        assert_eq!(docs[0].entries()[0].0.text, "on");
    }

    #[test]
    fn alias_bombs_are_refused_not_expanded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            let refs = vec![format!("*a{p}"); 10].join(", ");
            let line = format!("a{i}: &a{i} [{refs}]\n");
            text.push_str(&line);
        }
        assert!(parse(&text).is_err());
    }
}
