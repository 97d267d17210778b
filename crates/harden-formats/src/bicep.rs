//! Azure Bicep files (`.bicep`): the `resource` declarations and the literal values of their
//! bodies, with lines. No Bicep parser is published as a Rust crate; this reader is written from
//! the language's grammar (objects of `key: value` lines, arrays of items, single-quoted strings
//! with `${}` interpolation, `//` and `/* */` comments, `if (...)` and `[for ... : ...]`
//! around a body) and keeps anything computed as an expression's text, which gates leave to
//! the template's caller.

/// A value in a resource body.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `{ key: value ... }`, in order, each entry with the 1-based line of its key.
    Object(Vec<(String, u32, Value)>),
    /// `[ ... ]`.
    Array(Vec<Value>),
    /// A string without interpolation.
    Str(String),
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// Anything computed (a parameter, a function call, an interpolated string), as written.
    Expr(String),
}

impl Value {
    /// The value of `key` in an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The value of `key` in an object and the line it is on.
    pub fn entry(&self, key: &str) -> Option<(u32, &Value)> {
        match self {
            Value::Object(entries) => entries
                .iter()
                .find(|(k, _, _)| k == key)
                .map(|(_, line, v)| (*line, v)),
            _ => None,
        }
    }

    /// A string literal.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A boolean literal.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The items of an array (none for anything else).
    pub fn items(&self) -> &[Value] {
        match self {
            Value::Array(items) => items,
            _ => &[],
        }
    }

    /// The value as Bicep wrote it, roughly: strings and expressions as their text, for
    /// searching a computed value for the words it uses.
    pub fn text(&self) -> String {
        match self {
            Value::Str(s) | Value::Expr(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Int(n) => n.to_string(),
            Value::Array(items) => items.iter().map(Value::text).collect::<Vec<_>>().join(" "),
            Value::Object(entries) => entries
                .iter()
                .map(|(k, _, v)| format!("{k}: {}", v.text()))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// One `resource` declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The symbolic name.
    pub name: String,
    /// The resource type without its API version (`Microsoft.Storage/storageAccounts`).
    pub kind: String,
    /// The 1-based line of the declaration.
    pub line: u32,
    /// The body.
    pub body: Value,
}

/// Most nesting followed; deeper input is cut off rather than risk the stack.
const MAX_DEPTH: usize = 64;

struct Parser<'t> {
    bytes: &'t [u8],
    text: &'t str,
    at: usize,
    line: u32,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Moves one byte on; never past the end, so every slice from `at` stays in bounds.
    fn bump(&mut self) {
        match self.peek() {
            Some(b'\n') => self.line += 1,
            None => return,
            Some(_) => {}
        }
        self.at += 1;
    }

    /// Skips spaces and comments; with `newlines`, line breaks too.
    fn skip(&mut self, newlines: bool) {
        while let Some(b) = self.peek() {
            if b == b' ' || b == b'\t' || b == b'\r' || (newlines && b == b'\n') {
                self.bump();
            } else if self.bytes[self.at..].starts_with(b"//") {
                while self.peek().is_some_and(|b| b != b'\n') {
                    self.bump();
                }
            } else if self.bytes[self.at..].starts_with(b"/*") {
                self.bump();
                self.bump();
                while self.peek().is_some() && !self.bytes[self.at..].starts_with(b"*/") {
                    self.bump();
                }
                self.bump();
                self.bump();
            } else {
                break;
            }
        }
    }

    fn string(&mut self) -> Value {
        // Multi-line strings: '''...''' without escapes or interpolation.
        if self.bytes[self.at..].starts_with(b"'''") {
            for _ in 0..3 {
                self.bump();
            }
            let start = self.at;
            while self.peek().is_some() && !self.bytes[self.at..].starts_with(b"'''") {
                self.bump();
            }
            let content = self.text[start..self.at.min(self.text.len())].to_owned();
            for _ in 0..3 {
                self.bump();
            }
            return Value::Str(content);
        }
        self.bump();
        let mut content = String::new();
        let mut interpolated = false;
        let mut depth = 0;
        while let Some(b) = self.peek() {
            if b == b'\\' {
                self.bump();
                // The escaped character whole: it may be several bytes long.
                if let Some(escaped) = self.text.get(self.at..).and_then(|t| t.chars().next()) {
                    content.push(escaped);
                    for _ in 0..escaped.len_utf8() {
                        self.bump();
                    }
                }
                continue;
            }
            if b == b'$' && self.bytes.get(self.at + 1) == Some(&b'{') {
                interpolated = true;
                depth += 1;
            } else if b == b'}' && depth > 0 {
                depth -= 1;
            } else if b == b'\'' && depth == 0 {
                self.bump();
                break;
            } else if b == b'\n' && depth == 0 {
                break;
            }
            let start = self.at;
            self.bump();
            // A multi-byte character is copied whole (its bytes are never newlines or quotes).
            while self.at < self.bytes.len() && !self.text.is_char_boundary(self.at) {
                self.at += 1;
            }
            content.push_str(&self.text[start..self.at]);
        }
        if interpolated {
            Value::Expr(content)
        } else {
            Value::Str(content)
        }
    }

    /// An expression up to the end of its line (or a closing bracket) at nesting zero.
    fn expression(&mut self) -> Value {
        let start = self.at;
        let mut depth = 0i32;
        while let Some(b) = self.peek() {
            match b {
                b'(' | b'[' | b'{' => depth += 1,
                // The end of the line, or of the enclosing object or array.
                b')' | b']' | b'}' | b'\n' | b',' if depth == 0 => break,
                b')' | b']' | b'}' => depth -= 1,
                b'\'' => {
                    self.string();
                    continue;
                }
                _ => {}
            }
            self.bump();
        }
        let text = self.text[start..self.at.min(self.text.len())].trim();
        match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => text
                .parse()
                .map_or_else(|_| Value::Expr(text.to_owned()), Value::Int),
        }
    }

    fn value(&mut self, depth: usize) -> Value {
        self.skip(false);
        if depth > MAX_DEPTH {
            return self.expression();
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'\'') => {
                let value = self.string();
                // `'a' == x ? ... : ...`: an expression after all.
                self.skip(false);
                match self.peek() {
                    Some(b'\n' | b',' | b'}' | b']') | None => value,
                    _ => {
                        let rest = self.expression();
                        Value::Expr(format!("{} {}", value.text(), rest.text()))
                    }
                }
            }
            _ => self.expression(),
        }
    }

    /// Moves to the next item of an object or array closed by `close`, past separators
    /// (newlines, commas, comments); `false` at the close (consumed) or the end of the input.
    fn next_item(&mut self, close: u8) -> bool {
        loop {
            self.skip(true);
            match self.peek() {
                None => return false,
                Some(b) if b == close => {
                    self.bump();
                    return false;
                }
                Some(b',') => self.bump(),
                Some(_) => return true,
            }
        }
    }

    fn object(&mut self, depth: usize) -> Value {
        self.bump();
        let mut entries = Vec::new();
        loop {
            if !self.next_item(b'}') {
                break;
            }
            let line = self.line;
            let key = if self.peek() == Some(b'\'') {
                self.string().text()
            } else {
                let start = self.at;
                while self
                    .peek()
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'@')
                {
                    self.bump();
                }
                self.text[start..self.at].to_owned()
            };
            self.skip(false);
            if key.is_empty() || self.peek() != Some(b':') {
                // Not `key: value` (a decorator, a spread): skip the line.
                while self.peek().is_some_and(|b| b != b'\n' && b != b'}') {
                    self.bump();
                }
                continue;
            }
            self.bump();
            let value = self.value(depth + 1);
            entries.push((key, line, value));
        }
        Value::Object(entries)
    }

    fn array(&mut self, depth: usize) -> Value {
        self.bump();
        self.skip(true);
        // `[for x in xs: body]`: the body stands for every item.
        if self.bytes[self.at..].starts_with(b"for ") {
            let mut nesting = 0;
            while let Some(b) = self.peek() {
                match b {
                    b'(' | b'[' => nesting += 1,
                    b')' | b']' => nesting -= 1,
                    b':' if nesting == 0 => break,
                    _ => {}
                }
                self.bump();
            }
            self.bump();
            let body = self.value(depth + 1);
            self.skip(true);
            if self.peek() == Some(b']') {
                self.bump();
            }
            return Value::Array(vec![body]);
        }
        let mut items = Vec::new();
        loop {
            if !self.next_item(b']') {
                break;
            }
            let before = self.at;
            items.push(self.value(depth + 1));
            if self.at == before {
                self.bump();
            }
        }
        Value::Array(items)
    }
}

/// The top-level `resource` declarations of a Bicep file, in order (a child declared inside
/// its parent's body is not read; child resources declared at the top level, such as
/// `networkSecurityGroups/securityRules`, are).
/// Reading never fails: what cannot be read is left out or kept as an expression.
pub fn resources(text: &str) -> Vec<Resource> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        at: 0,
        line: 1,
    };
    let mut found = Vec::new();
    while parser.peek().is_some() {
        parser.skip(true);
        let line_start = parser.at == 0 || parser.bytes.get(parser.at - 1) == Some(&b'\n');
        let rest = parser.bytes.get(parser.at..).unwrap_or_default();
        if line_start && rest.starts_with(b"resource ") {
            let line = parser.line;
            // `resource name 'Type@version' [existing] = [if (...)] [[for ...:]] {`
            for _ in 0.."resource ".len() {
                parser.bump();
            }
            parser.skip(false);
            let start = parser.at;
            while parser
                .peek()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                parser.bump();
            }
            let name = text[start..parser.at].to_owned();
            parser.skip(false);
            if parser.peek() != Some(b'\'') {
                continue;
            }
            let kind = parser.string().text();
            let kind = kind.split('@').next().unwrap_or_default().to_owned();
            // `existing` right after the type: a reference to a resource deployed elsewhere.
            parser.skip(false);
            let existing = parser
                .bytes
                .get(parser.at..)
                .is_some_and(|rest| rest.starts_with(b"existing"));
            while let Some(b) = parser.peek() {
                if b == b'{' || b == b'\n' {
                    break;
                }
                parser.bump();
            }
            if parser.peek() == Some(b'{') && !existing {
                let body = parser.object(0);
                found.push(Resource {
                    name,
                    kind,
                    line,
                    body,
                });
            }
            continue;
        }
        while parser.peek().is_some_and(|b| b != b'\n') {
            if parser.peek() == Some(b'\'') {
                parser.string();
                continue;
            }
            parser.bump();
        }
    }
    found.sort_by_key(|r| r.line);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_values_and_lines() {
        let text = "param location string = resourceGroup().location\n\n// a comment with resource 'x'\nresource nsg 'Microsoft.Network/networkSecurityGroups@2023-04-01' = {\n  name: 'web-nsg'\n  location: location\n  properties: {\n    securityRules: [\n      {\n        name: 'ssh'\n        properties: {\n          direction: 'Inbound'\n          access: 'Allow'\n          priority: 100\n          sourceAddressPrefix: '*'\n          destinationPortRanges: [\n            '22'\n            '3389'\n          ]\n        }\n      }\n    ]\n  }\n}\n\nresource sa 'Microsoft.Storage/storageAccounts@2023-01-01' = if (deploy) {\n  name: 'st${uniqueString(resourceGroup().id)}'\n  properties: {\n    allowSharedKeyAccess: false\n    publicNetworkAccess: isPublic ? 'Enabled' : 'Disabled'\n  }\n}\n\nresource old 'Microsoft.Sql/servers@2021-11-01' existing = {\n  name: 'old'\n}\n";
        let found = resources(text);
        assert_eq!(found.len(), 2);
        let nsg = &found[0];
        assert_eq!(
            (nsg.name.as_str(), nsg.kind.as_str(), nsg.line),
            ("nsg", "Microsoft.Network/networkSecurityGroups", 4)
        );
        let rule = &nsg
            .body
            .get("properties")
            .unwrap()
            .get("securityRules")
            .unwrap()
            .items()[0];
        let properties = rule.get("properties").unwrap();
        assert_eq!(
            properties
                .get("sourceAddressPrefix")
                .and_then(Value::as_str),
            Some("*")
        );
        assert_eq!(properties.get("priority"), Some(&Value::Int(100)));
        let ports: Vec<&str> = properties
            .get("destinationPortRanges")
            .unwrap()
            .items()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(ports, ["22", "3389"]);
        assert_eq!(
            properties.entry("sourceAddressPrefix").map(|(l, _)| l),
            Some(15)
        );
        let sa = &found[1];
        let props = sa.body.get("properties").unwrap();
        assert_eq!(
            props.get("allowSharedKeyAccess").and_then(Value::as_bool),
            Some(false)
        );
        assert!(matches!(
            props.get("publicNetworkAccess"),
            Some(Value::Expr(_))
        ));
        assert!(matches!(sa.body.get("name"), Some(Value::Expr(_))));
    }

    #[test]
    fn existing_is_a_keyword_not_a_word_in_a_condition() {
        let found = resources(
            "resource vnet 'Microsoft.Network/virtualNetworks@2023-04-01' = if (empty(existingVnetId)) {\n  name: 'v'\n}\n",
        );
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn loops_and_hostile_input() {
        let found = resources(
            "resource rules 'Microsoft.Network/networkSecurityGroups/securityRules@2023-04-01' = [for r in rules: {\n  name: r.name\n  properties: {\n    access: 'Allow'\n  }\n}]\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0]
                .body
                .get("properties")
                .and_then(|p| p.get("access"))
                .and_then(Value::as_str),
            Some("Allow")
        );
        // Unclosed, deep and odd input reads without panicking; the first three the fuzzer
        // found (a comment, a multi-line string, a character cut at the end of the input).
        for text in [
            "resource a 'T@1' = {\n  b: [\n]}\nx /*",
            "resource a 'T@1' = {\n  s: '''abc",
            "resource a 'T@1' = {\n  s: 'é",
            "resource a 'T@1' = {\n  s: '\\é'\n  t: 'x'\n}",
            "x: [ /*",
            "resource a 'T@1' = {\n  x: [for y in z",
            "resource a 'T@1' = {",
            "resource a 'T@1' = {\n  x: '",
            &format!("resource a 'T@1' = {}", "{a:".repeat(10_000)),
            "resource",
            "resource a",
            "'''",
        ] {
            let _ = resources(text);
        }
    }
}
