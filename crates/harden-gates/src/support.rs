//! Small helpers shared by gates.

use harden_model::Location;
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
