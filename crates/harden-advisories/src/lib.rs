//! Known vulnerabilities, offline: OSV and RustSec advisory records, each ecosystem's version
//! ordering, severity, and whether a record affects a locked version. Pure: reading files and
//! keeping the index belong to `harden-advisory-db`.

pub mod matching;
pub mod model;
pub mod parse;
pub mod severity;
pub mod version;

pub use matching::{Unjudged, affects};
pub use model::{Advisory, Affected, Event, Range, RangeKind, package_key};
pub use severity::{Level, Rating, rate};
