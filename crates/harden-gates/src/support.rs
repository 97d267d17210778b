//! Small helpers shared by gates.

use std::sync::Arc;

use harden_engine::{GateCx, GateError, GateOutput};
use harden_model::{Location, Redacted};
use harden_secrets::{Detector, DetectorConfig};
use sha2::{Digest, Sha256};

/// Hex SHA-256 of bytes, for evidence digests.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A location in the config file (or where it should be), optionally at a line.
pub(crate) fn config_location(cx: &harden_engine::GateCx<'_>, line: Option<u32>) -> Location {
    let path = cx
        .config()
        .source
        .as_ref()
        .map_or_else(|| harden_config::FILE_NAME.to_owned(), |s| s.path.clone());
    Location::Config {
        path,
        span: line.map(|line| harden_model::Span {
            start: harden_model::LineCol { line, column: 1 },
            end: harden_model::LineCol { line, column: 1 },
        }),
    }
}

/// A location naming a whole file.
pub(crate) fn file_location(path: &str) -> Location {
    Location::File {
        path: path.to_owned(),
        span: None,
        snippet: None,
        logical: None,
    }
}

/// A location at `span` of a file, without a quoted line.
pub(crate) fn span_location(path: &str, span: harden_model::Span) -> Location {
    Location::File {
        path: path.to_owned(),
        span: Some(span),
        snippet: None,
        logical: None,
    }
}

/// The span of one position (1-based line and column).
pub(crate) fn point(line: u32, column: u32) -> harden_model::Span {
    let at = harden_model::LineCol { line, column };
    harden_model::Span { start: at, end: at }
}

/// The built-in secret detector, compiled once per process and shared with the secret gates
/// (whose cache it is).
pub(crate) fn detector() -> Result<Arc<Detector>, GateError> {
    crate::r3::secret_scan::detector(&DetectorConfig::default())
}

/// Text taken from a scanned file, as it may be shown in a message or snippet: every secret the
/// detector recognises and every credential in a URL masked. Gates pass all quoted file text
/// through here, so a workflow line with a token in it never reaches a report in full.
pub(crate) fn shown_text(text: &str) -> String {
    harden_secrets::mask(text).into_owned()
}

/// [`shown_text`] as a snippet.
pub(crate) fn shown(text: &str) -> Redacted {
    Redacted::known_safe(shown_text(text))
}

/// Files harden parses whole (manifests, lockfiles, workflows, Dockerfiles, Kubernetes and
/// compose files, runbooks, env files) are read up to this size. A parsed tree costs several
/// times its text, and gates run side by side: beyond this a file would take harden past its
/// memory bound, so it is listed as not examined (which fails `--strict`) instead of read.
pub(crate) const MAX_PARSED_BYTES: u64 = 32 * 1024 * 1024;

/// Files a gate left unread, collected where `GateOutput` is not at hand.
#[derive(Default)]
pub(crate) struct NotExamined(std::sync::Mutex<std::collections::BTreeMap<String, String>>);

impl NotExamined {
    fn add(&self, path: &str, why: String) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(path.to_owned(), why);
    }

    /// Moves what was collected into the gate's evidence.
    pub(crate) fn record(&self, out: &mut GateOutput) {
        let items = std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for (path, why) in items {
            out.not_examined(&path, why);
        }
    }
}

/// The bytes of a file a gate parses whole, or `None` (noted in `skipped`) when it is larger
/// than [`MAX_PARSED_BYTES`]. Read once per run for all gates that parse it (see
/// [`GateCx::read_shared`]).
pub(crate) fn read_parsed(
    cx: &GateCx<'_>,
    skipped: &NotExamined,
    path: &str,
) -> Result<Option<Arc<Vec<u8>>>, GateError> {
    // The cache reads a stream (size unknown) whole: an unread file always has its size.
    match cx.cache().read_at_most(cx.repo(), path, MAX_PARSED_BYTES)? {
        harden_engine::Bounded::Whole(bytes) => Ok(Some(bytes)),
        harden_engine::Bounded::Unread { size } => {
            skipped.add(path, too_large_to_parse(size.unwrap_or(u64::MAX)));
            Ok(None)
        }
    }
}

/// Why a file was not parsed: its size.
fn too_large_to_parse(size: u64) -> String {
    format!(
        "{} MiB, more than the {} MiB harden parses whole",
        size >> 20,
        MAX_PARSED_BYTES >> 20
    )
}

/// Gates that read every production source file whole.
pub(crate) const SOURCE_READERS: &[&str] = &[
    "R3.secrets.tree",
    "R3.identity.federated",
    "R6.mocks.production",
    "R7.config.failfast",
    "R7.resilience.bounds",
];

/// Whether another gate of this run reads production source files whole too: only then are
/// they worth holding in the run's cache (a run of one such gate reads each file once anyway).
pub(crate) fn sources_shared(cx: &GateCx<'_>) -> bool {
    SOURCE_READERS
        .iter()
        .any(|id| *id != cx.meta().id.as_str() && cx.also_runs(id))
}

/// [`read_parsed_into`] for a production source file: shared with the other gates that read
/// every source file when one runs (see [`sources_shared`]).
pub(crate) fn read_source_into(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
    path: &str,
) -> Result<Option<Arc<Vec<u8>>>, GateError> {
    if sources_shared(cx) {
        return read_parsed_into(cx, out, path);
    }
    match cx.repo().read_at_most(path, MAX_PARSED_BYTES)? {
        harden_engine::Bounded::Whole(bytes) => Ok(Some(Arc::new(bytes))),
        harden_engine::Bounded::Unread { size: Some(size) } => {
            out.not_examined(path, too_large_to_parse(size));
            Ok(None)
        }
        // A size known only once read (a stream) is read whole, as it was before any bound.
        harden_engine::Bounded::Unread { size: None } => Ok(Some(Arc::new(cx.repo().read(path)?))),
    }
}

/// [`read_parsed`], noting a file left unread straight into the gate's evidence.
pub(crate) fn read_parsed_into(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
    path: &str,
) -> Result<Option<Arc<Vec<u8>>>, GateError> {
    let skipped = NotExamined::default();
    let bytes = read_parsed(cx, &skipped, path)?;
    skipped.record(out);
    Ok(bytes)
}

/// A YAML file's documents, or why it does not parse.
pub(crate) type YamlDocuments =
    Result<Vec<harden_formats::yaml::Node>, harden_formats::yaml::YamlError>;

/// The documents of the YAML file `path` (whose text is `text`), parsed once in this run for
/// every gate that reads it.
pub(crate) fn yaml_documents(
    cache: &harden_engine::RunCache,
    path: &str,
    text: &str,
) -> Arc<YamlDocuments> {
    cache.shared(&format!("yaml:{path}"), || {
        harden_formats::yaml::parse(text)
    })
}

/// Words a gate looks for in every file it reads, as code writes them: each as given, in lower
/// case, in upper case and capitalised (`mock`, `MOCK`, `Mock`). Mixed case such as `mOcK` is
/// not how code names things, and matching case lets the search run on aho-corasick's packed
/// (SIMD) searcher: measured over the sources of saleor, langfuse and dagger it scans at
/// 6 GB/s where an ASCII-case-insensitive automaton manages 0.8.
pub(crate) struct Markers {
    /// `None` where the CPU or the pattern set does not allow the packed searcher.
    packed: Option<aho_corasick::packed::Searcher>,
    automaton: aho_corasick::AhoCorasick,
}

impl Markers {
    pub(crate) fn cased(words: &[&str]) -> Self {
        let mut patterns: Vec<String> = Vec::new();
        for word in words {
            let mut capitalised = word.to_ascii_lowercase();
            if let Some(first) = capitalised.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            for form in [
                (*word).to_owned(),
                word.to_ascii_lowercase(),
                word.to_ascii_uppercase(),
                capitalised,
            ] {
                if !patterns.contains(&form) {
                    patterns.push(form);
                }
            }
        }
        Self::exact(&patterns)
    }

    /// The words exactly as given, pattern ids in their order.
    pub(crate) fn exact<P: AsRef<[u8]>>(words: &[P]) -> Self {
        Self {
            packed: aho_corasick::packed::Searcher::new(words.iter()),
            // Leftmost-first, as the packed searcher matches: the same results on every CPU.
            automaton: aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(words)
                .expect("literal patterns"),
        }
    }

    /// Whether `haystack` holds one of the words.
    pub(crate) fn is_match(&self, haystack: impl AsRef<[u8]>) -> bool {
        let haystack = haystack.as_ref();
        match &self.packed {
            Some(packed) => packed.find(haystack).is_some(),
            None => self.automaton.is_match(haystack),
        }
    }

    /// The words found in `haystack`, in order (non-overlapping): which pattern, and where it
    /// starts and ends.
    pub(crate) fn find_iter<'h>(
        &'h self,
        haystack: &'h [u8],
    ) -> Box<dyn Iterator<Item = (usize, usize, usize)> + 'h> {
        match &self.packed {
            Some(packed) => Box::new(
                packed
                    .find_iter(haystack)
                    .map(|m| (m.pattern().as_usize(), m.start(), m.end())),
            ),
            None => Box::new(
                self.automaton
                    .find_iter(haystack)
                    .map(|m| (m.pattern().as_usize(), m.start(), m.end())),
            ),
        }
    }
}

/// The byte range inside the innermost brackets (`()`, `[]`, `{}`) around byte `at` of `text`,
/// as far as 4 KiB either way: a call's arguments, a signature's parameters.
pub(crate) fn enclosing_brackets(text: &str, at: usize) -> Option<std::ops::Range<usize>> {
    const REACH: usize = 4096;
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut start = None;
    for i in (at.saturating_sub(REACH)..at).rev() {
        match bytes[i] {
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' if depth == 0 => {
                start = Some(i + 1);
                break;
            }
            b'(' | b'[' | b'{' => depth -= 1,
            _ => {}
        }
    }
    let start = start?;
    let mut depth = 0usize;
    for (i, byte) in bytes
        .iter()
        .enumerate()
        .take((at + REACH).min(bytes.len()))
        .skip(at)
    {
        match byte {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => return Some(start..i),
            b')' | b']' | b'}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// A call's arguments or a signature's parameters as written, split at the commas outside
/// brackets and quotes.
pub(crate) fn top_level_items(call: &str) -> Vec<&str> {
    let mut arguments = Vec::new();
    let (mut depth, mut quote, mut from) = (0usize, None, 0);
    for (i, c) in call.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                arguments.push(&call[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    arguments.push(&call[from..]);
    arguments
}

/// A repository's `package.json` files by directory: which JavaScript package a file belongs to.
pub(crate) struct NpmPackages<'c>(std::collections::HashMap<&'c str, &'c str>);

impl<'c> NpmPackages<'c> {
    pub(crate) fn of(classified: &'c [crate::classify::FileClass]) -> Self {
        Self(
            classified
                .iter()
                .map(|c| c.path.as_str())
                .filter(|p| *p == "package.json" || p.ends_with("/package.json"))
                .map(|m| (&m[..m.len() - "package.json".len()], m))
                .collect(),
        )
    }

    /// The `package.json` nearest above `path` (in its directory or a parent's): the manifest
    /// of the package the file belongs to. One lookup a directory level.
    pub(crate) fn manifest_of(&self, path: &str) -> Option<&'c str> {
        let mut end = path.len();
        while let Some(slash) = path[..end].rfind('/') {
            if let Some(manifest) = self.0.get(&path[..=slash]) {
                return Some(manifest);
            }
            end = slash;
        }
        self.0.get("").copied()
    }
}

/// Whether byte `at` of `line` is inside a string literal opened by one of `quotes`: a call's
/// name there is data (a pattern table, a log message), not a call.
pub(crate) fn in_string(line: &str, at: usize, quotes: &[char]) -> bool {
    let mut open: Option<char> = None;
    let mut escaped = false;
    let end = (0..=at.min(line.len()))
        .rev()
        .find(|i| line.is_char_boundary(*i))
        .unwrap_or(0);
    for c in line[..end].chars() {
        if c == '\\' && !escaped {
            escaped = true;
            continue;
        }
        if !escaped {
            match open {
                Some(q) if c == q => open = None,
                None if quotes.contains(&c) => open = Some(c),
                _ => {}
            }
        }
        escaped = false;
    }
    open.is_some()
}

/// Tells, for offsets visited in increasing order, whether each is inside a string literal or
/// a comment of source code, scanning the text once across lines: a name in a multi-line
/// string (a Rust `\\`-continued literal, a Python docstring) or a block comment is data, not a
/// call. A lexer's approximation: quotes of `quotes` open strings, `line_comment` and `/* */`
/// open comments; raw strings and nested template expressions are not modelled.
pub(crate) struct Literals {
    line_comment: &'static str,
    /// The bytes that can end code: a quote or a comment's first byte.
    opens: [bool; 256],
    /// Scanned up to here.
    at: usize,
    state: LiteralState,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LiteralState {
    Code,
    String(u8),
    LineComment,
    BlockComment,
}

impl Literals {
    pub(crate) fn new(quotes: &[char], line_comment: &'static str) -> Self {
        let mut opens = [false; 256];
        for quote in quotes.iter().filter(|q| q.is_ascii()) {
            opens[*quote as usize] = true;
        }
        if let Some(first) = line_comment.bytes().next() {
            opens[usize::from(first)] = true;
        }
        if line_comment == "//" {
            opens[usize::from(b'/')] = true;
        }
        Self {
            line_comment,
            opens,
            at: 0,
            state: LiteralState::Code,
        }
    }

    /// Whether byte `offset` of `text` (not before the last offset asked) is inside a string
    /// or a comment. Each state jumps to the next byte that can end it (memchr, or a byte
    /// table for code) instead of stepping through every byte: source files are mostly code
    /// between the few offsets asked about.
    pub(crate) fn inside(&mut self, text: &str, offset: usize) -> bool {
        let bytes = text.as_bytes();
        let comment = self.line_comment.as_bytes();
        let end = offset.min(bytes.len());
        let mut i = self.at;
        while i < end {
            match self.state {
                LiteralState::Code => {
                    let Some(next) = bytes[i..end]
                        .iter()
                        .position(|b| self.opens[usize::from(*b)])
                    else {
                        i = end;
                        break;
                    };
                    i += next;
                    let b = bytes[i];
                    if bytes[i..].starts_with(comment) {
                        self.state = LiteralState::LineComment;
                    } else if comment == b"//" && bytes[i..].starts_with(b"/*") {
                        self.state = LiteralState::BlockComment;
                        i += 1;
                    } else if b != b'/' && comment.first() != Some(&b) {
                        self.state = LiteralState::String(b);
                    }
                    i += 1;
                }
                LiteralState::String(quote) => {
                    match memchr::memchr2(quote, b'\\', &bytes[i..end]) {
                        Some(next) if bytes[i + next] == b'\\' => i += next + 2,
                        Some(next) => {
                            self.state = LiteralState::Code;
                            i += next + 1;
                        }
                        None => i = end,
                    }
                }
                LiteralState::LineComment => match memchr::memchr(b'\n', &bytes[i..end]) {
                    Some(next) => {
                        self.state = LiteralState::Code;
                        i += next + 1;
                    }
                    None => i = end,
                },
                LiteralState::BlockComment => {
                    // A `*/` that starts before `end` closes the comment, as a byte-wise scan
                    // up to `end` would see it.
                    match memchr::memchr(b'*', &bytes[i..end]) {
                        Some(next) if bytes[i + next..].starts_with(b"*/") => {
                            self.state = LiteralState::Code;
                            i += next + 2;
                        }
                        Some(next) => i += next + 1,
                        None => i = end,
                    }
                }
            }
        }
        self.at = self.at.max(i);
        self.state != LiteralState::Code
    }
}

/// The indices (0-based, as `str::lines` counts) of the lines of `text` holding a match of
/// `markers`, in order, each once. Gates that read only lines naming something find them with
/// one automaton pass instead of searching every line for each of their patterns.
pub(crate) fn marked_lines(text: &str, markers: &Markers) -> Vec<usize> {
    marked_line_texts(text, markers)
        .into_iter()
        .map(|(index, _)| index)
        .collect()
}

/// How many lines of `text` are production code: all of them, but in Rust (`rust`) the lines
/// before the `#[cfg(test)] mod tests { ... }` that keeps its unit tests at the end.
pub(crate) fn production_lines(text: &str, rust: bool) -> usize {
    if !rust {
        return usize::MAX;
    }
    let lines: Vec<&str> = text.lines().collect();
    (0..lines.len())
        .find(|&index| crate::paths::rust_test_module_starts(&lines[index..]))
        .unwrap_or(lines.len())
}

/// [`marked_lines`] with each line's text, as `str::lines` gives it: a file is not split into
/// all of its lines to look at the few that name something.
pub(crate) fn marked_line_texts<'t>(text: &'t str, markers: &Markers) -> Vec<(usize, &'t str)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let (mut line, mut counted_to, mut next_line) = (0usize, 0usize, 0usize);
    for (_, start, _) in markers.find_iter(bytes) {
        if start < next_line {
            continue;
        }
        line += memchr::memchr_iter(b'\n', &bytes[counted_to..start]).count();
        counted_to = start;
        let begin = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |i| i + 1);
        let (end, newline) = memchr::memchr(b'\n', &bytes[start..])
            .map_or((bytes.len(), false), |i| (start + i, true));
        // `\r\n` ends a line; a `\r` without `\n` after it does not.
        let shown = if newline && end > begin && bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        lines.push((line, &text[begin..shown]));
        next_line = end + 1;
    }
    lines
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_file_belongs_to_the_nearest_package() {
        let classified: Vec<crate::classify::FileClass> = [
            "package.json",
            "packages/web/package.json",
            "packages/web-admin/package.json",
            "packages/web/src/a.ts",
        ]
        .into_iter()
        .map(crate::classify::FileClass::of)
        .collect();
        let packages = super::NpmPackages::of(&classified);
        for (path, manifest) in [
            ("packages/web/src/a.ts", "packages/web/package.json"),
            ("packages/web/a.ts", "packages/web/package.json"),
            (
                "packages/web-admin/src/a.ts",
                "packages/web-admin/package.json",
            ),
            ("packages/webby/a.ts", "package.json"),
            ("server/a.ts", "package.json"),
            ("a.ts", "package.json"),
        ] {
            assert_eq!(packages.manifest_of(path), Some(manifest), "{path}");
        }
        let nested = super::NpmPackages::of(&classified[1..]);
        assert_eq!(nested.manifest_of("server/a.ts"), None);
    }
    /// The byte-at-a-time lexer `Literals` replaced, kept as the reference it must agree with.
    fn literals_reference(
        text: &str,
        quotes: &[u8],
        comment: &[u8],
        offsets: &[usize],
    ) -> Vec<bool> {
        #[derive(PartialEq)]
        enum State {
            Code,
            String(u8),
            Line,
            Block,
        }
        let bytes = text.as_bytes();
        let (mut state, mut i, mut out) = (State::Code, 0, Vec::new());
        for &offset in offsets {
            while i < offset.min(bytes.len()) {
                let b = bytes[i];
                match state {
                    State::Code if bytes[i..].starts_with(comment) => state = State::Line,
                    State::Code if comment == b"//" && bytes[i..].starts_with(b"/*") => {
                        state = State::Block;
                        i += 1;
                    }
                    State::Code if quotes.contains(&b) => state = State::String(b),
                    State::String(_) if b == b'\\' => i += 1,
                    State::String(q) if b == q => state = State::Code,
                    State::Line if b == b'\n' => state = State::Code,
                    State::Block if bytes[i..].starts_with(b"*/") => {
                        state = State::Code;
                        i += 1;
                    }
                    _ => {}
                }
                i += 1;
            }
            out.push(state != State::Code);
        }
        out
    }

    #[test]
    fn literals_agree_with_a_byte_at_a_time_lexer() {
        let alphabet = b"ab \n\"'`/*#\\x(";
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..2000 {
            let len = (next() % 60) as usize;
            let text: String = (0..len)
                .map(|_| char::from(alphabet[(next() % alphabet.len() as u64) as usize]))
                .collect();
            let mut offsets: Vec<usize> = (0..4)
                .map(|_| (next() % (len as u64 + 2)) as usize)
                .collect();
            offsets.sort_unstable();
            for (quotes, comment) in [
                (&['"', '\''][..], "#"),
                (&['"', '\'', '`'][..], "//"),
                (&['"'][..], "//"),
            ] {
                let mut literals = super::Literals::new(quotes, comment);
                let fast: Vec<bool> = offsets
                    .iter()
                    .map(|&at| literals.inside(&text, at))
                    .collect();
                let ascii: Vec<u8> = quotes.iter().map(|q| *q as u8).collect();
                let slow = literals_reference(&text, &ascii, comment.as_bytes(), &offsets);
                assert_eq!(
                    fast, slow,
                    "round {round}: {text:?} at {offsets:?} ({comment})"
                );
            }
        }
    }

    #[test]
    fn literals_span_lines() {
        let text = "let a = \"one \\\n  call( two\";\ncall(x); // call( here\n/* call(\n */ call(y)\nlet b = '\"'; call(z)";
        let mut literals = super::Literals::new(&['"'], "//");
        let found: Vec<bool> = text
            .match_indices("call(")
            .map(|(at, _)| literals.inside(text, at))
            .collect();
        // In the continued string, code, a line comment, a block comment, code; the last
        // one follows a quote in a char literal, which a `"`-only lexer reads as a string.
        assert_eq!(found, [true, false, true, true, false, true]);
    }

    #[test]
    fn cased_markers_find_the_cases_code_writes() {
        let markers = super::Markers::cased(&["mock", "LookupEnv"]);
        for text in [
            "gomock",
            "MOCK_MODE",
            "MockK",
            "os.LookupEnv",
            "lookupenv",
            "LOOKUPENV",
        ] {
            assert!(markers.is_match(text), "{text}");
        }
        assert!(!markers.is_match("mOcK lookUpEnv"));
    }

    #[test]
    fn marked_lines_are_counted_as_str_lines_counts_them() {
        let markers = super::Markers::cased(&["env", "mock"]);
        let text = "env\r\nnone\nmock env mock\n\n\nlast env";
        assert_eq!(super::marked_lines(text, &markers), vec![0, 2, 5]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[5].contains("env") && lines[2].contains("mock"));
        assert!(super::marked_lines("nothing here", &markers).is_empty());
    }

    #[test]
    fn marked_line_texts_are_the_lines_str_lines_gives() {
        let markers = super::Markers::cased(&["env", "mock"]);
        for text in [
            "env\r\nnone\nmock env mock\n\n\nlast env",
            "x\n\renv\r",
            "env",
            "\n\nmock\r\n",
            "a\r\rmock\r\r\nb env",
        ] {
            let all: Vec<&str> = text.lines().collect();
            let marked = super::marked_line_texts(text, &markers);
            let expected: Vec<(usize, &str)> = all
                .iter()
                .enumerate()
                .filter(|(_, line)| line.contains("env") || line.contains("mock"))
                .map(|(index, line)| (index, *line))
                .collect();
            assert_eq!(marked, expected, "{text:?}");
        }
    }
}
