//! Where the object keys of a JSON text are written, by their path of keys.
//!
//! serde_json keeps no positions, and searching the text for `"name"` from the start for each
//! package made large lockfiles quadratic and pointed at the wrong place (the first `"lodash"` of a
//! package-lock v1 is often another package's `requires` entry). One forward pass tracks the path
//! of keys and the line and column as it goes, so a minified one-line file costs the same.

use std::collections::HashMap;

use harden_model::{LineCol, Span};

/// The path of keys from the top of the document to a key, the key last. An array element
/// contributes `""`.
pub(crate) type KeyPath<'t> = Vec<&'t str>;

/// The span of every key whose parent path (the keys of the objects around it, outermost first)
/// `keep` accepts. Text between keys is not validated: callers parse it with serde_json first.
pub(crate) fn json_key_spans(
    text: &str,
    keep: impl Fn(&[&str]) -> bool,
) -> HashMap<KeyPath<'_>, Span> {
    let bytes = text.as_bytes();
    let mut spans = HashMap::new();
    // The key each enclosing container sits under; the top container has none.
    let mut path: Vec<&str> = Vec::new();
    let mut depth = 0usize;
    let mut last_key: Option<&str> = None;
    let mut at = Cursor::default();
    while at.offset < bytes.len() {
        match bytes[at.offset] {
            b'"' => {
                at.advance(bytes);
                let start = at;
                while at.offset < bytes.len() && bytes[at.offset] != b'"' {
                    if bytes[at.offset] == b'\\' {
                        at.advance(bytes);
                    }
                    at.advance(bytes);
                }
                let end = at;
                at.advance(bytes);
                let mut after = at.offset;
                while after < bytes.len() && bytes[after].is_ascii_whitespace() {
                    after += 1;
                }
                if bytes.get(after) == Some(&b':')
                    && let Some(key) = text.get(start.offset..end.offset.min(bytes.len()))
                {
                    last_key = Some(key);
                    if keep(&path) {
                        let mut full = path.clone();
                        full.push(key);
                        spans.entry(full).or_insert(Span {
                            start: start.line_col(),
                            end: end.line_col(),
                        });
                    }
                }
            }
            b'{' | b'[' => {
                if depth > 0 {
                    path.push(last_key.take().unwrap_or(""));
                }
                depth += 1;
                last_key = None;
                at.advance(bytes);
            }
            b'}' | b']' => {
                if depth > 1 {
                    path.pop();
                }
                depth = depth.saturating_sub(1);
                last_key = None;
                at.advance(bytes);
            }
            b',' => {
                last_key = None;
                at.advance(bytes);
            }
            _ => at.advance(bytes),
        }
    }
    spans
}

/// A byte offset with its line and column (in characters), moved forward one byte at a time.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    offset: usize,
    line: u32,
    column: u32,
}

impl Default for Cursor {
    fn default() -> Self {
        Self {
            offset: 0,
            line: 1,
            column: 1,
        }
    }
}

impl Cursor {
    fn advance(&mut self, bytes: &[u8]) {
        let Some(&byte) = bytes.get(self.offset) else {
            return;
        };
        self.offset += 1;
        if byte == b'\n' {
            self.line = self.line.saturating_add(1);
            self.column = 1;
        } else if bytes
            .get(self.offset)
            .is_none_or(|&next| next & 0xC0 != 0x80)
        {
            // The last byte of a character: the next one starts a new column.
            self.column = self.column.saturating_add(1);
        }
    }

    fn line_col(self) -> LineCol {
        LineCol {
            line: self.line,
            column: self.column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(spans: &HashMap<KeyPath<'_>, Span>, path: &[&str]) -> (u32, u32) {
        let span = spans[path];
        (span.start.line, span.start.column)
    }

    #[test]
    fn keys_are_found_under_their_own_parents() {
        let text = "{\n  \"dependencies\": {\n    \"a\": {\"requires\": {\"lodash\": \"^4\"},\n      \"dependencies\": {\"lodash\": {\"version\": \"3.0.0\"}}},\n    \"lodash\": {\"version\": \"4.17.21\"}\n  }\n}\n";
        let spans = json_key_spans(text, |_| true);
        assert_eq!(at(&spans, &["dependencies", "lodash"]), (5, 6));
        assert_eq!(
            at(&spans, &["dependencies", "a", "requires", "lodash"]),
            (3, 25)
        );
        assert_eq!(
            at(&spans, &["dependencies", "a", "dependencies", "lodash"]),
            (4, 25)
        );
    }

    #[test]
    fn columns_count_characters_and_values_are_not_keys() {
        let text = r#"{"é": "x:", "arr": [{"k": 1}, {"k": 2}], "after": "\"q\":"}"#;
        let spans = json_key_spans(text, |_| true);
        assert_eq!(at(&spans, &["é"]), (1, 3));
        assert_eq!(at(&spans, &["arr", "", "k"]), (1, 23));
        assert_eq!(at(&spans, &["after"]), (1, 43));
        assert_eq!(spans.len(), 4, "{spans:?}");
    }

    #[test]
    fn only_the_kept_parents_are_recorded() {
        let text = r#"{"packages": {"": {"name": "x"}, "node_modules/a": {"version": "1"}}}"#;
        let spans = json_key_spans(text, |parent| parent == ["packages"]);
        let mut keys: Vec<_> = spans.keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            vec![vec!["packages", ""], vec!["packages", "node_modules/a"]]
        );
    }

    #[test]
    fn broken_text_ends_without_panicking() {
        for text in ["\"", "{\"a\\", "}}]]{", "{\"a\": {\"b\":", "\"\u{e9}"] {
            let _ = json_key_spans(text, |_| true);
        }
    }
}
