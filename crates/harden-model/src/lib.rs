//! The vocabulary every other harden crate speaks.
//!
//! This crate does no I/O: it defines what a gate is ([`GateMeta`]), what it reports
//! ([`Finding`], [`Location`], [`Evidence`]), how exceptions are expressed ([`Waiver`]) and what a
//! finished run looks like ([`RunReport`]). Types that may hold secret material ([`Secret`],
//! [`Redacted`]) mask themselves in `Display` and `Debug`.

mod evidence;
mod finding;
mod gate;
mod redact;
mod report;
mod waiver;

pub use evidence::Evidence;
pub use finding::{
    Finding, FindingBuilder, Fingerprint, HttpExchange, LineCol, LineIndex, Location, Span,
    Vulnerability, escape_path, line_col_at,
};
pub use gate::{
    GateId, GateIdError, GateMeta, Items, OptionKind, OptionSpec, ProfileLevel, Round, Severity,
    Target,
};
pub use redact::{Redacted, Secret, mask_url_credentials};
pub use report::{
    GateResult, LedgerRef, Outcome, RunReport, RunTarget, Summary, ToolInfo, WaiverReport,
    WaiverState,
};
pub use waiver::{Waiver, WaiverOrigin};
