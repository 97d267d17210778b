//! Production source files read once for every gate that reads them all, and kept only where
//! a gate will look again.
//!
//! Five gates read every production source file whole: the secret scan, and the identity, mock,
//! fail-fast and resilience gates, each of which looks closer only at the files where one of its
//! marker words occurs. Holding every file's bytes in the run cache for whichever of them reads
//! it last cost more than the reads: on 51k files, hundreds of MB of fresh pages the kernel had
//! to fault in and zero, a third of the CPU time the static set spent beyond the secret scan
//! alone. So whichever of these gates reaches a file first reads it and visits it for all the
//! ones this run runs: it scans it for secrets and searches each other gate's markers, and keeps
//! the bytes only where some gate's markers occur (a few percent of files). Every other file is
//! dropped at once, in memory the allocator hands to the next read.

use std::sync::{Arc, Mutex, PoisonError};

use harden_engine::{GateCx, GateError, GateOutput, PortError};

use crate::classify::FileClass;
use crate::r3::secret_scan::Scanned;
use crate::support::Markers;

/// Files up to this size are visited once for all; larger ones (rare) are read by each gate
/// on its own, as the run cache reads them.
const VISITED_BYTES: u64 = if harden_engine::CACHED_FILE_BYTES < crate::support::MAX_PARSED_BYTES {
    harden_engine::CACHED_FILE_BYTES
} else {
    crate::support::MAX_PARSED_BYTES
};

const SECRETS: &str = "R3.secrets.tree";

/// The gates that search every production source file for marker words first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reader {
    Identity,
    Mocks,
    FailFast,
    Resilience,
}

impl Reader {
    const ALL: [Reader; 4] = [
        Reader::Identity,
        Reader::Mocks,
        Reader::FailFast,
        Reader::Resilience,
    ];

    fn id(self) -> &'static str {
        match self {
            Reader::Identity => "R3.identity.federated",
            Reader::Mocks => "R6.mocks.production",
            Reader::FailFast => "R7.config.failfast",
            Reader::Resilience => "R7.resilience.bounds",
        }
    }

    fn markers(self) -> &'static Markers {
        match self {
            Reader::Identity => &crate::r3::identity_federated::CODE_MARKERS,
            Reader::Mocks => &crate::r6::mocks_production::MARKERS,
            Reader::FailFast => &crate::r7::config_failfast::MARKERS,
            Reader::Resilience => &crate::r7::resilience_bounds::MARKERS,
        }
    }
}

/// A production source file as a reading gate gets it.
pub(crate) enum Source {
    /// Not read: too large to read whole (noted in the gate's evidence).
    Unread,
    /// Read, and none of the gate's markers occurs in it.
    Unmarked,
    /// Read, with one of the gate's markers in it.
    Marked(Arc<Vec<u8>>),
}

/// One file as the first gate to reach it left it for the others.
struct Visit {
    /// The bytes where a running gate's markers occur (`None` elsewhere), or the read's error.
    bytes: Result<Option<Arc<Vec<u8>>>, PortError>,
    /// Whether each [`Reader`]'s markers occur, in [`Reader::ALL`] order.
    marked: [bool; 4],
    /// The secret scan's result, until the secret gate takes it.
    secrets: Mutex<Option<Scanned>>,
}

/// Whether this file is visited once for all: another source-reading gate runs, and the file is
/// production source small enough to be read whole.
fn visited(cx: &GateCx<'_>, class: &FileClass) -> Result<bool, PortError> {
    Ok(crate::support::sources_shared(cx)
        && class.production_source()
        && cx
            .repo()
            .size(&class.path)?
            .is_some_and(|size| size <= VISITED_BYTES))
}

fn visit(cx: &GateCx<'_>, class: &FileClass) -> Arc<Visit> {
    cx.shared(&class.path, || {
        let bytes = match cx.repo().read(&class.path) {
            Ok(bytes) => bytes,
            Err(e) => {
                return Visit {
                    bytes: Err(e),
                    marked: [false; 4],
                    secrets: Mutex::new(None),
                };
            }
        };
        let marked = Reader::ALL.map(|r| cx.also_runs(r.id()) && r.markers().is_match(&bytes[..]));
        // A detector that does not build leaves the file to the secret gate, which reports
        // the error itself.
        let secrets = if cx.also_runs(SECRETS) && !secrets_allowed(cx, &class.path) {
            crate::r3::secret_scan::detector(&cx.config().secrets.detector)
                .ok()
                .map(|detector| crate::r3::secret_scan::scan(&detector, &class.path, &bytes, None))
        } else {
            None
        };
        // Kept within the run cache's budget; past it a marked file is read again by each
        // gate that looks closer.
        let keep = marked.contains(&true) && cx.cache().hold(bytes.len() as u64);
        Visit {
            bytes: Ok(keep.then(|| Arc::new(bytes))),
            marked,
            secrets: Mutex::new(secrets),
        }
    })
}

/// Whether `[secrets] allow-paths` leaves `path` out of the secret scan (no need to scan it).
fn secrets_allowed(cx: &GateCx<'_>, path: &str) -> bool {
    let allow = cx.shared("sources:secrets-allow-paths", || {
        let globs = &cx.config().secrets.allow_paths;
        (!globs.is_empty())
            .then(|| harden_engine::glob_set(globs).ok())
            .flatten()
    });
    allow
        .as_ref()
        .as_ref()
        .is_some_and(|set| set.is_match(path))
}

/// A production source file as `reader` reads it. Read once for every gate of the run that
/// reads all production source (the bytes kept only where some gate's markers occur); read on
/// its own when no other such gate runs, when the file is not production source (a mock in a
/// hidden directory) or when it is larger than what is visited once.
pub(crate) fn read(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
    class: &FileClass,
    reader: Reader,
) -> Result<Source, GateError> {
    if !visited(cx, class)? {
        let Some(bytes) = crate::support::read_source_into(cx, out, &class.path)? else {
            return Ok(Source::Unread);
        };
        return Ok(if reader.markers().is_match(&bytes[..]) {
            Source::Marked(bytes)
        } else {
            Source::Unmarked
        });
    }
    let visit = visit(cx, class);
    let index = Reader::ALL
        .iter()
        .position(|r| *r == reader)
        .unwrap_or_default();
    match &visit.bytes {
        Err(e) => Err(e.clone().into()),
        Ok(_) if !visit.marked[index] => Ok(Source::Unmarked),
        Ok(Some(bytes)) => Ok(Source::Marked(Arc::clone(bytes))),
        // Marked but not kept: the cache's budget was spent.
        Ok(None) => Ok(Source::Marked(Arc::new(cx.repo().read(&class.path)?))),
    }
}

/// The secret scan of the production source file `class`, when it is visited once for all
/// (see [`read`]); `None` when the secret gate reads it itself.
pub(crate) fn secret_scan(
    cx: &GateCx<'_>,
    class: &FileClass,
) -> Result<Option<Scanned>, PortError> {
    if !visited(cx, class)? {
        return Ok(None);
    }
    let visit = visit(cx, class);
    if let Err(e) = &visit.bytes {
        return Err(e.clone());
    }
    Ok(visit
        .secrets
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take())
}
