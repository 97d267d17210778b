//! Terraform configuration (`.tf`, HCL native syntax), parsed by hcl-edit, which keeps each
//! block's and expression's byte span so findings point at the line that says it. Gates read
//! the literal values they judge; anything computed (variables, references, function calls) is
//! the module caller's decision and comes back as `None`.

use std::ops::Range;

pub use hcl_edit::Span;
pub use hcl_edit::expr::Expression;
pub use hcl_edit::structure::{Block, Body};

/// A `.tf` file that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct TerraformError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What the parser expected.
    pub message: String,
}

/// One parsed `.tf` file.
#[derive(Debug)]
pub struct Terraform {
    body: Body,
    /// The file's text, for the raw text of a span.
    text: String,
    /// Byte offset of each line's start, for turning spans into lines.
    line_starts: Vec<usize>,
}

/// A `resource "TYPE" "NAME" { ... }` block.
#[derive(Debug, Clone, Copy)]
pub struct Resource<'t> {
    /// The resource type, e.g. `aws_security_group`.
    pub kind: &'t str,
    /// The resource name.
    pub name: &'t str,
    /// The block: its body holds the arguments and nested blocks.
    pub block: &'t Block,
}

impl Terraform {
    /// Parses a file's text.
    pub fn parse(text: &str) -> Result<Self, TerraformError> {
        let body = hcl_edit::parser::parse_body(text).map_err(|e| TerraformError {
            line: u32::try_from(e.location().line()).unwrap_or(u32::MAX),
            column: u32::try_from(e.location().column()).unwrap_or(u32::MAX),
            message: e.message().to_owned(),
        })?;
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Ok(Self {
            body,
            text: text.to_owned(),
            line_starts,
        })
    }

    /// The file's top-level body.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// Every managed resource of the file, in order.
    pub fn resources(&self) -> impl Iterator<Item = Resource<'_>> {
        self.body.get_blocks("resource").filter_map(|block| {
            let [kind, name] = block.labels.as_slice() else {
                return None;
            };
            Some(Resource {
                kind: kind.as_str(),
                name: name.as_str(),
                block,
            })
        })
    }

    /// The text a span covers, as written (empty for `None` or a span outside the file).
    pub fn source(&self, span: Option<Range<usize>>) -> &str {
        span.and_then(|s| self.text.get(s)).unwrap_or_default()
    }

    /// The 1-based line and column of a parsed item (a block, an attribute, an expression).
    pub fn position(&self, item: &impl Span) -> (u32, u32) {
        self.position_of(item.span())
    }

    /// The 1-based line and column where a byte span starts (the file's start for `None`).
    pub fn position_of(&self, span: Option<Range<usize>>) -> (u32, u32) {
        let offset = span.map_or(0, |s| s.start);
        let line = self.line_starts.partition_point(|start| *start <= offset);
        let column = offset - self.line_starts[line.saturating_sub(1)] + 1;
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }
}

/// The value of argument `key` of a body, if set.
pub fn argument<'b>(body: &'b Body, key: &str) -> Option<&'b Expression> {
    body.get_attribute(key).map(|attribute| &attribute.value)
}

/// A literal string (not a template with interpolations).
pub fn literal_str(expression: &Expression) -> Option<&str> {
    expression.as_str()
}

/// A literal boolean; `"true"` and `"false"` as strings count, as Terraform converts them.
pub fn literal_bool(expression: &Expression) -> Option<bool> {
    match expression {
        Expression::Bool(value) => Some(*value.value()),
        Expression::String(value) => match value.value().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A literal whole number; numeric strings (`"22"`) count, as Terraform converts them.
pub fn literal_integer(expression: &Expression) -> Option<i64> {
    match expression {
        Expression::Number(number) => number.value().as_i64(),
        Expression::String(value) => value.value().trim().parse().ok(),
        _ => None,
    }
}

/// The literal strings of an array (`["0.0.0.0/0", var.x]` gives `["0.0.0.0/0"]`) or of a
/// single string.
pub fn literal_strings(expression: &Expression) -> Vec<&str> {
    match expression {
        Expression::Array(array) => array.iter().filter_map(Expression::as_str).collect(),
        Expression::String(value) => vec![value.value().as_str()],
        _ => Vec::new(),
    }
}

/// The value of `key` in an object expression (`{ key = value }`, `{ "key" = value }`).
pub fn object_value<'e>(expression: &'e Expression, key: &str) -> Option<&'e Expression> {
    let object = expression.as_object()?;
    object.iter().find_map(|(k, v)| {
        let name = match k {
            hcl_edit::expr::ObjectKey::Ident(ident) => ident.as_str(),
            hcl_edit::expr::ObjectKey::Expression(e) => e.as_str()?,
        };
        (name == key).then(|| v.expr())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_and_their_positions() {
        let text = "variable \"x\" {}\n\nresource \"aws_security_group\" \"web\" {\n  name = \"web\"\n  ingress {\n    from_port   = 22\n    to_port     = \"22\"\n    cidr_blocks = [\"0.0.0.0/0\", var.extra]\n  }\n  enabled = \"true\"\n}\n";
        let tf = Terraform::parse(text).unwrap();
        let resources: Vec<_> = tf.resources().collect();
        assert_eq!(resources.len(), 1);
        let web = resources[0];
        assert_eq!((web.kind, web.name), ("aws_security_group", "web"));
        assert_eq!(tf.position(web.block), (3, 1));
        let ingress = web.block.body.get_blocks("ingress").next().unwrap();
        assert_eq!(tf.position(ingress), (5, 3));
        assert_eq!(
            argument(&ingress.body, "from_port").and_then(literal_integer),
            Some(22)
        );
        assert_eq!(
            argument(&ingress.body, "to_port").and_then(literal_integer),
            Some(22)
        );
        let cidrs = argument(&ingress.body, "cidr_blocks").unwrap();
        assert_eq!(literal_strings(cidrs), ["0.0.0.0/0"]);
        assert_eq!(tf.position(cidrs), (8, 19));
        assert_eq!(
            argument(&web.block.body, "enabled").and_then(literal_bool),
            Some(true)
        );
        assert_eq!(argument(&web.block.body, "missing"), None);
        let object = Terraform::parse("x = { properties = { \"allow\" = false } }\n").unwrap();
        let x = argument(object.body(), "x").unwrap();
        let properties = object_value(x, "properties").unwrap();
        assert_eq!(
            object_value(properties, "allow").and_then(literal_bool),
            Some(false)
        );
        assert_eq!(object_value(properties, "other"), None);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        for depth in [300, 5_000, 100_000] {
            let text = format!("x = {}{}\n", "[".repeat(depth), "]".repeat(depth));
            let error = Terraform::parse(&text).unwrap_err();
            // hcl-edit refuses nesting deeper than 64 levels with an error of its own.
            assert!(error.message.contains("nesting depth"), "{}", error.message);
        }
        let text = format!("x = {}1{}\n", "{a = ".repeat(5_000), "}".repeat(5_000));
        assert!(Terraform::parse(&text).is_err());
        // Brackets inside strings and comments do not count.
        let text = format!("x = \"{}\" # {}\n", "[".repeat(1_000), "{".repeat(1_000));
        assert!(Terraform::parse(&text).is_ok());
    }

    #[test]
    fn errors_have_a_line_and_column() {
        let error = Terraform::parse("resource \"a\" \"b\" {\n  x = \n}\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.column >= 1);
        assert!(!error.message.is_empty());
    }
}
