use std::fmt;

use harden_model::LineIndex;

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
        Self::at_indexed(path, text, &LineIndex::new(text), span, message, expected)
    }

    /// [`Diagnostic::at`] with the text's line index built once for many diagnostics (a file
    /// with thousands of errors would otherwise be walked once per error).
    pub fn at_indexed(
        path: &str,
        text: &str,
        lines: &LineIndex,
        span: std::ops::Range<usize>,
        message: &str,
        expected: Option<String>,
    ) -> Self {
        let start = lines.line_col(text, span.start);
        let end = lines.line_col(text, span.end);
        // Lines are shown back to the user: never with a secret or a credential in a URL (a
        // token pasted into harden.toml by mistake is as secret as one in a source file).
        let source_line = harden_secrets::mask(lines.line(text, start.line)).into_owned();
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
            message: harden_secrets::mask(message).into_owned(),
            expected,
            source_line,
        }
    }
}

// Rendered by hand: the form is three short lines in the style of rustc, and the snippet crates
// would add a dependency tree larger than this function for no behaviour we need.
/// Characters of a source line shown around the column: a minified or generated line can be
/// hundreds of kilobytes long, and the reader needs the place, not the line.
const SHOWN_CHARS: usize = 120;

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        writeln!(f, "  --> {}:{}:{}", self.path, self.line, self.column)?;
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        writeln!(f, "{pad} |")?;
        let chars: Vec<char> = self.source_line.chars().collect();
        let column = (self.column as usize).saturating_sub(1).min(chars.len());
        // A window of the line around the column, marked with … where it was cut.
        let from = if chars.len() > SHOWN_CHARS {
            column.saturating_sub(SHOWN_CHARS / 3)
        } else {
            0
        };
        let to = (from + SHOWN_CHARS).min(chars.len());
        let head = if from > 0 { "…" } else { "" };
        let tail = if to < chars.len() { "…" } else { "" };
        let shown: String = chars[from..to].iter().collect();
        writeln!(f, "{number} | {head}{shown}{tail}")?;
        let lead: String = chars[from..column.max(from)]
            .iter()
            .map(|&c| if c == '\t' { '\t' } else { ' ' })
            .chain(head.chars().map(|_| ' '))
            .collect();
        let width = (self.width as usize).min(to.saturating_sub(column).max(1));
        write!(f, "{pad} | {lead}{}", "^".repeat(width))?;
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
