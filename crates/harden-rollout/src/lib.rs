//! Rollout decisions computed from what the evidence ledger recorded: the daily smoke window and
//! its strict-pass streak, promotion checks by commit, and exit criteria.
//!
//! Everything here is a pure function of ledger records and a time passed in, so that day
//! boundaries, gaps and time zones are tested without waiting for days to pass.

pub mod promote;
pub mod smoke;

pub use promote::{PromotionQuery, Proof, Refusal, RunRecord, find_proof};
pub use smoke::{SmokeRecord, Streak, streak};
