//! Small helpers shared by gates.

use std::sync::Arc;

use harden_engine::GateError;
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
