//! Rollout decisions computed from what the evidence ledger recorded: the daily smoke window and
//! its strict-pass streak, promotion checks by commit, exit criteria, and the readiness snapshot
//! (a typed, versioned ledger record). The CLI and a server call the same functions.
//!
//! Everything here is a pure function of ledger records and a time passed in, so that day
//! boundaries, gaps and time zones are tested without waiting for days to pass.

pub mod criteria;
pub mod plan;
pub mod promote;
pub mod readiness;
pub mod smoke;

pub use criteria::Criterion;
pub use promote::{PromotionQuery, Proof, Refusal, RunRecord, find_proof};
pub use readiness::Readiness;
pub use smoke::{SmokeRecord, Streak, streak};
