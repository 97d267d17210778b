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
/// than [`MAX_PARSED_BYTES`].
pub(crate) fn read_parsed(
    cx: &GateCx<'_>,
    skipped: &NotExamined,
    path: &str,
) -> Result<Option<Vec<u8>>, GateError> {
    if let Some(size) = cx.repo().size(path)?
        && size > MAX_PARSED_BYTES
    {
        skipped.add(
            path,
            format!(
                "{} MiB, more than the {} MiB harden parses whole",
                size >> 20,
                MAX_PARSED_BYTES >> 20
            ),
        );
        return Ok(None);
    }
    Ok(Some(cx.repo().read(path)?))
}

/// [`read_parsed`], noting a file left unread straight into the gate's evidence.
pub(crate) fn read_parsed_into(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
    path: &str,
) -> Result<Option<Vec<u8>>, GateError> {
    let skipped = NotExamined::default();
    let bytes = read_parsed(cx, &skipped, path)?;
    skipped.record(out);
    Ok(bytes)
}

/// Whether `path` names a YAML file (`.yml`, `.yaml`, any case).
pub(crate) fn is_yaml(path: &str) -> bool {
    std::path::Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

/// `relative` read from the repository directory `dir` (`/`-separated), `..` resolved; `None`
/// when it climbs out of the repository.
pub(crate) fn join_relative(dir: &str, relative: &str) -> Option<String> {
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
