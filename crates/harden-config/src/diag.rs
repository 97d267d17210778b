use std::fmt;

use harden_model::{line_col_at, mask_url_credentials};

/// One problem in a config file, with its place and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, as the user named it.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// Width of the offending text in characters (at least 1), for the caret line.
    pub width: u32,
    /// What is wrong.
    pub message: String,
    /// The form that was expected, if there is one to state.
    pub expected: Option<String>,
    /// The source line, for display.
    pub source_line: String,
}

impl Diagnostic {
    /// A diagnostic for byte range `span` of `text`.
    pub fn at(
        path: &str,
        text: &str,
        span: std::ops::Range<usize>,
        message: &str,
        expected: Option<String>,
    ) -> Self {
        let start = line_col_at(text, span.start);
        let end = line_col_at(text, span.end);
        // Lines are shown back to the user: never with a credential in a URL.
        let source_line = mask_url_credentials(
            text.lines()
                .nth(start.line as usize - 1)
                .unwrap_or_default(),
        );
        let width = if end.line == start.line {
            end.column.saturating_sub(start.column).max(1)
        } else {
            (source_line.chars().count() as u32 + 1)
                .saturating_sub(start.column)
                .max(1)
        };
        // Masking may have shortened the line: keep the carets on it.
        let room = (source_line.chars().count() as u32 + 1)
            .saturating_sub(start.column)
            .max(1);
        let width = width.min(room);
        Self {
            path: path.to_owned(),
            line: start.line,
            column: start.column,
            width,
            message: mask_url_credentials(message),
            expected,
            source_line,
        }
    }
}

// Rendered by hand: the form is three short lines in the style of rustc, and the snippet crates
// would add a dependency tree larger than this function for no behaviour we need.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        writeln!(f, "  --> {}:{}:{}", self.path, self.line, self.column)?;
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        writeln!(f, "{pad} |")?;
        writeln!(f, "{number} | {}", self.source_line)?;
        let lead: String = self
            .source_line
            .chars()
            .take(self.column as usize - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "{pad} | {lead}{}", "^".repeat(self.width as usize))?;
        if let Some(expected) = &self.expected {
            write!(f, "\n{pad} = expected {expected}")?;
        }
        Ok(())
    }
}

/// Every problem found in a config file. Nothing runs while there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        if self.0.len() > 1 {
            write!(f, "\n\n{} errors in {}", self.0.len(), self.0[0].path)?;
        }
        Ok(())
    }
}
