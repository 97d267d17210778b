use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{GateId, Redacted, Severity};

/// A 1-based line and column (columns count characters).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// A region of a text file: start and end positions (end inclusive of its last character's line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Span {
    /// First character.
    pub start: LineCol,
    /// Position just after the last character.
    pub end: LineCol,
}

impl Default for Span {
    /// The start of a file (1:1), for nodes that have no position of their own.
    fn default() -> Self {
        let start = LineCol { line: 1, column: 1 };
        Span { start, end: start }
    }
}

impl Span {
    /// The span of byte range `start..end` in `text`.
    pub fn from_byte_range(text: &str, start: usize, end: usize) -> Span {
        Span {
            start: line_col_at(text, start),
            end: line_col_at(text, end.max(start)),
        }
    }

    /// A span covering one whole line (1-based), for findings about a line as a whole.
    pub fn line(text: &str, line: u32) -> Span {
        let length = text
            .lines()
            .nth(line.saturating_sub(1) as usize)
            .map_or(0, |l| l.chars().count() as u32);
        Span {
            start: LineCol { line, column: 1 },
            end: LineCol {
                line,
                column: length + 1,
            },
        }
    }
}

/// Converts a byte offset into a 1-based line and character column.
pub fn line_col_at(text: &str, offset: usize) -> LineCol {
    let offset = offset.min(text.len());
    let mut boundary = offset;
    while !text.is_char_boundary(boundary) {
        boundary -= 1;
    }
    let before = &text[..boundary];
    let line = before.bytes().filter(|&b| b == b'\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u32 + 1;
    LineCol { line, column }
}

#[cfg(test)]
mod line_index_tests {
    use super::*;

    #[test]
    fn paths_that_are_not_utf8_are_escaped_byte_by_byte() {
        assert_eq!(escape_path(b"plain/caf\xC3\xA9.env"), "plain/café.env");
        assert_eq!(escape_path(b"bad\xFF\xFEname.env"), "bad\\xFF\\xFEname.env");
        assert_eq!(escape_path(b"\xC3"), "\\xC3");
        assert_eq!(escape_path(br"a\xFF.env"), r"a\x5CxFF.env");
        assert_ne!(escape_path(br"a\xFF.env"), escape_path(b"a\xFF.env"));
    }

    #[test]
    fn agrees_with_walking_the_text() {
        let text = "a: 1\r\nbé: 2\n\nlast";
        let index = LineIndex::new(text);
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            assert_eq!(index.line(text, u32::try_from(n + 1).unwrap()), *line);
        }
        assert_eq!(index.line(text, 99), "");
        for offset in 0..=text.len() {
            assert_eq!(
                index.line_col(text, offset),
                line_col_at(text, offset),
                "{offset}"
            );
        }
    }

    #[test]
    fn agrees_on_long_lines_of_mixed_widths() {
        // Lines longer than the counting blocks, with characters of 1 to 4 bytes straddling
        // their edges, and text ending exactly on a block edge.
        let line: String = "aé€😀".repeat(40);
        for text in [
            format!("{line}\n{line}\nx"),
            "b".repeat(128),
            format!("{}\n", "é".repeat(64)),
        ] {
            let index = LineIndex::new(&text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(
                    index.line_col(&text, offset),
                    line_col_at(&text, offset),
                    "{offset}"
                );
            }
        }
    }
}

/// A file name or path as text: valid UTF-8 kept as it is, every other byte written `\xNN`. Paths
/// are bytes on Unix; a lossy conversion would show two different names alike and could not be
/// opened again, so adapters keep the real path beside this spelling.
pub fn escape_path(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len());
    let push_valid = |out: &mut String, valid: &str| {
        // A literal backslash is escaped too, so `\xFF` typed in a name and a raw 0xFF byte
        // are never shown alike.
        for c in valid.chars() {
            if c == '\\' {
                out.push_str("\\x5C");
            } else {
                out.push(c);
            }
        }
    };
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                push_valid(&mut out, valid);
                return out;
            }
            Err(error) => {
                let (valid, after) = rest.split_at(error.valid_up_to());
                push_valid(&mut out, std::str::from_utf8(valid).unwrap_or_default());
                let bad = error.error_len().unwrap_or(after.len()).max(1);
                for byte in &after[..bad] {
                    let _ = write!(out, "\\x{byte:02X}");
                }
                rest = &after[bad..];
            }
        }
    }
}

/// Where each line of a text starts, so that the n-th line or the position of an offset is
/// found in O(log n) rather than by walking the text from its start (which, once per finding,
/// made gates quadratic in the size of a file). Columns count characters: a running count of
/// them every [`CHAR_BLOCK`] bytes bounds the work per position on a long line (a minified
/// lockfile is one line of megabytes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// `chars[k]`: the characters in the text's first `k * CHAR_BLOCK` bytes.
    chars: Vec<usize>,
}

/// Bytes between two running character counts of a [`LineIndex`].
const CHAR_BLOCK: usize = 64;

/// Whether `byte` starts a character (is not a UTF-8 continuation byte).
fn starts_char(byte: u8) -> bool {
    byte & 0xC0 != 0x80
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        // memchr's vectorised search: lockfiles of megabytes are indexed whole.
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let mut chars = Vec::with_capacity(text.len() / CHAR_BLOCK + 1);
        let mut count = 0;
        chars.push(0);
        for block in text.as_bytes().chunks_exact(CHAR_BLOCK) {
            count += block.iter().filter(|&&b| starts_char(b)).count();
            chars.push(count);
        }
        Self { starts, chars }
    }

    /// The characters in `text[..offset]`.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / CHAR_BLOCK;
        let counted = self.chars.get(block).copied().unwrap_or(0);
        let from = (block * CHAR_BLOCK).min(offset);
        counted
            + text.as_bytes()[from..offset]
                .iter()
                .filter(|&&b| starts_char(b))
                .count()
    }

    /// Line `line` (1-based) of `text`, without its line ending; empty past the end.
    pub fn line<'t>(&self, text: &'t str, line: u32) -> &'t str {
        let index = line.saturating_sub(1) as usize;
        let Some(&start) = self.starts.get(index) else {
            return "";
        };
        if start > text.len() || (start == text.len() && index > 0) {
            return "";
        }
        let end = self
            .starts
            .get(index + 1)
            .map_or(text.len(), |&next| next - 1);
        let line = text.get(start..end).unwrap_or_default();
        line.strip_suffix('\r').unwrap_or(line)
    }

    /// The 1-based line and column (in characters) of byte `offset` of `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let index = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts[index];
        LineCol {
            line: u32::try_from(index + 1).unwrap_or(u32::MAX),
            column: u32::try_from(self.chars_before(text, offset) - self.chars_before(text, start))
                .unwrap_or(u32::MAX)
                .saturating_add(1),
        }
    }
}

/// One request to a running service and what came back, as the transcript keeps it: URLs and
/// headers with credentials masked, the body as a digest and a short redacted excerpt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HttpExchange {
    /// The gate that sent it, when a gate did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
    /// Method.
    pub method: String,
    /// The URL, masked.
    pub url: String,
    /// Request headers, credentials masked.
    pub request_headers: Vec<(String, String)>,
    /// SHA-256 of the request body sent (never for a login request: its body holds the
    /// password), so a run can be compared request by request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body_sha256: Option<String>,
    /// Bytes of the request body sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body_bytes: Option<usize>,
    /// Status, when an answer came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Response headers, credentials masked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_headers: Vec<(String, String)>,
    /// Where a redirect pointed (not followed), masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<String>,
    /// Milliseconds from sending to the end of the kept body (or to the error).
    pub elapsed_ms: u64,
    /// SHA-256 of the kept body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<String>,
    /// Bytes of body kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_bytes: Option<usize>,
    /// The start of the body as text, secrets masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// Why there was no answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Where a finding is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Location {
    /// A file of the working tree.
    File {
        /// Repository-relative path with `/` separators.
        path: String,
        /// Where in the file, if the finding is about a region rather than the whole file.
        #[serde(skip_serializing_if = "Option::is_none")]
        span: Option<Span>,
        /// The offending text with any secret masked.
        #[serde(skip_serializing_if = "Option::is_none")]
        snippet: Option<Redacted>,
        /// A logical address such as `jobs.build.steps[2].uses`.
        #[serde(skip_serializing_if = "Option::is_none")]
        logical: Option<String>,
    },
    /// A file as it was in a commit of the history.
    Commit {
        /// Full commit id.
        commit: String,
        /// Repository-relative path.
        path: String,
        /// Where in the file.
        #[serde(skip_serializing_if = "Option::is_none")]
        span: Option<Span>,
        /// The offending text with any secret masked.
        #[serde(skip_serializing_if = "Option::is_none")]
        snippet: Option<Redacted>,
    },
    /// An HTTP exchange with a running service.
    Http {
        /// Request method.
        method: String,
        /// Request URL with credentials removed.
        url: String,
        /// Response status, if a response came.
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        /// One-line summary of the exchange.
        summary: String,
        /// The request and response that show the finding, redacted, for a reader to replay.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exchange: Option<Box<HttpExchange>>,
    },
    /// A place in harden's own configuration.
    Config {
        /// Path of the config file.
        path: String,
        /// Where in it.
        #[serde(skip_serializing_if = "Option::is_none")]
        span: Option<Span>,
    },
}

impl Location {
    /// The location kind as a stable word.
    pub fn kind(&self) -> &'static str {
        match self {
            Location::File { .. } => "file",
            Location::Commit { .. } => "commit",
            Location::Http { .. } => "http",
            Location::Config { .. } => "config",
        }
    }

    /// The repository path, for locations in files.
    pub fn path(&self) -> Option<&str> {
        match self {
            Location::File { path, .. }
            | Location::Commit { path, .. }
            | Location::Config { path, .. } => Some(path),
            Location::Http { .. } => None,
        }
    }

    /// The span, where there is one.
    pub fn span(&self) -> Option<Span> {
        match self {
            Location::File { span, .. }
            | Location::Commit { span, .. }
            | Location::Config { span, .. } => *span,
            Location::Http { .. } => None,
        }
    }

    /// A short human form: `path:line:col`, or `METHOD url`.
    pub fn short(&self) -> String {
        match self {
            Location::Http { method, url, .. } => format!("{method} {url}"),
            other => {
                let path = other.path().unwrap_or_default();
                match other.span() {
                    Some(span) => format!("{path}:{}:{}", span.start.line, span.start.column),
                    None => path.to_owned(),
                }
            }
        }
    }
}

/// A stable identity for a finding, independent of line numbers and byte offsets: a digest of the
/// gate id, the location kind, the path and the matched content. Moving unrelated lines does not
/// change it, so waivers by fingerprint survive edits elsewhere in the file.
#[derive(
    Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// Computes a fingerprint. `content` is what identifies the problem (the matched text, a
    /// keyed digest of a secret, the name of a missing document), never a position.
    pub fn compute(gate: &GateId, location_kind: &str, path: &str, content: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        for part in [
            gate.as_str().as_bytes(),
            location_kind.as_bytes(),
            path.as_bytes(),
        ] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part);
        }
        hasher.update((content.len() as u64).to_be_bytes());
        hasher.update(content);
        Self(hex::encode(&hasher.finalize()[..16]))
    }

    /// Parses a fingerprint given by a user (32 lowercase hex digits).
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Self(text.to_owned()))
    }

    /// The hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({})", self.0)
    }
}

/// One concrete problem a gate saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Finding {
    /// The gate that saw it.
    pub gate: GateId,
    /// Severity after any configured remap.
    pub severity: Severity,
    /// What is wrong. Never contains secret material.
    pub message: String,
    /// Where it is.
    pub location: Location,
    /// Other relevant places (e.g. the config line that set a policy).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Location>,
    /// Stable identity.
    pub fingerprint: Fingerprint,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The waiver covering it; set only by the engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived_by: Option<String>,
    /// For a known vulnerability (`R4.vulns`): the package and the advisory, so reports,
    /// SARIF and waivers (`advisory = "CVE-..."`) can use them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerability: Option<Vulnerability>,
}

/// A locked package affected by a published advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Vulnerability {
    /// OSV ecosystem (`crates.io`, `npm`, `PyPI`, `Go`).
    pub ecosystem: String,
    /// Package name.
    pub package: String,
    /// The locked version.
    pub version: String,
    /// Whether a manifest names the package directly (`false`: pulled in by another).
    pub direct: bool,
    /// The advisory's ids, its own first, then aliases (CVE, GHSA, RUSTSEC, PYSEC...).
    pub ids: Vec<String>,
    /// One line.
    pub summary: String,
    /// Versions that fix it, as the advisory states them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<String>,
    /// The CVSS vector scored, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss: Option<String>,
    /// Its base score, as text (`9.8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<String>,
    /// Where to read more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Builds a [`Finding`]; the fingerprint is derived from the location and the identifying content.
#[derive(Debug)]
pub struct FindingBuilder {
    gate: GateId,
    severity: Severity,
    message: String,
    location: Location,
    related: Vec<Location>,
    help: Option<String>,
    identity: Vec<u8>,
    vulnerability: Option<Vulnerability>,
}

impl FindingBuilder {
    /// Starts a finding at its one primary location.
    pub fn new(
        gate: GateId,
        severity: Severity,
        message: impl Into<String>,
        location: Location,
    ) -> Self {
        Self {
            gate,
            severity,
            message: message.into(),
            location,
            related: Vec::new(),
            help: None,
            identity: Vec::new(),
            vulnerability: None,
        }
    }

    /// The content that identifies this problem (not its position).
    #[must_use]
    pub fn identity(mut self, content: impl AsRef<[u8]>) -> Self {
        self.identity = content.as_ref().to_vec();
        self
    }

    /// A severity other than the gate's default, for this finding only.
    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// A remediation hint.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The vulnerability this finding reports.
    #[must_use]
    pub fn vulnerability(mut self, vulnerability: Vulnerability) -> Self {
        self.vulnerability = Some(vulnerability);
        self
    }

    /// A secondary location.
    #[must_use]
    pub fn related(mut self, location: Location) -> Self {
        self.related.push(location);
        self
    }

    /// Finishes the finding.
    pub fn build(self) -> Finding {
        let path = self.location.path().unwrap_or_default();
        let identity = if self.identity.is_empty() {
            self.message.as_bytes().to_vec()
        } else {
            self.identity
        };
        let fingerprint = Fingerprint::compute(&self.gate, self.location.kind(), path, &identity);
        Finding {
            gate: self.gate,
            severity: self.severity,
            message: self.message,
            location: self.location,
            related: self.related,
            fingerprint,
            help: self.help,
            waived_by: None,
            vulnerability: self.vulnerability,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\ncdé\nfg";
        assert_eq!(line_col_at(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(line_col_at(text, 3), LineCol { line: 2, column: 1 });
        assert_eq!(line_col_at(text, 7), LineCol { line: 2, column: 4 });
        assert_eq!(line_col_at(text, 8), LineCol { line: 3, column: 1 });
        assert_eq!(line_col_at(text, 999), LineCol { line: 3, column: 3 });
    }

    #[test]
    fn fingerprint_ignores_position() {
        let gate = GateId::from_static("R7.runbooks");
        let at = |line| Location::File {
            path: "docs/a.md".into(),
            span: Some(Span {
                start: LineCol { line, column: 1 },
                end: LineCol { line, column: 5 },
            }),
            snippet: None,
            logical: None,
        };
        let one = FindingBuilder::new(gate.clone(), Severity::High, "m", at(3))
            .identity("x")
            .build();
        let two = FindingBuilder::new(gate.clone(), Severity::High, "m", at(40))
            .identity("x")
            .build();
        let other = FindingBuilder::new(gate, Severity::High, "m", at(3))
            .identity("y")
            .build();
        assert_eq!(one.fingerprint, two.fingerprint);
        assert_ne!(one.fingerprint, other.fingerprint);
        assert!(Fingerprint::parse(one.fingerprint.as_str()).is_some());
    }
}
