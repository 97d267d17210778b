//! Every harden gate, one module per gate under `r0/` … `r7/`, and [`registry`], the one list
//! of them in report order.

mod catalogue;
pub mod checklist;
pub mod classify;
mod iac;
pub mod inventory;
mod live;
mod paths;
mod r0;
mod r1;
mod r2;
mod r3;
mod r4;
mod r6;
mod r7;
mod registry;
mod support;

pub use catalogue::catalogue_markdown;

/// The secret baseline file, shared by the gates that read it and `harden secrets baseline`.
pub mod secrets {
    pub use crate::r3::secret_scan::{Baseline, BaselineEntry, DEFAULT_BASELINE};
}
pub use registry::registry;

/// The marker `harden scaffold` leaves where only the team can answer; the document gates fail
/// while one remains.
pub const PLACEHOLDER: &str = "TODO(harden):";
