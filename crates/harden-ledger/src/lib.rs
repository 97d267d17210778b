//! The evidence ledger: an append-only, hash-chained log of runs and events.
//!
//! [`chain`] is pure: the canonical bytes of an entry, its hash, and verification of a sequence
//! of entries against the recorded head. [`store`] keeps entries in SQLite (the default, no setup)
//! or PostgreSQL (for the team server) behind one [`LedgerStore`] trait; both append inside one
//! transaction under a writer lock, so concurrent writers never fork the chain and a killed
//! process never leaves half an entry.

pub mod attest;
pub mod chain;
pub mod merkle;
pub mod proof;
pub mod sign;
pub mod store;

pub use chain::{Break, Entry, Head, Verified};
pub use proof::{ConsistencyProof, InclusionProof, TreeHead};
pub use sign::{HeadSignature, HeadSigner, HeadVerifier, SignatureCheck, SignaturesVerified};
pub use store::{
    LedgerError, LedgerStore, async_client_config, is_server, open, open_read_only,
    postgres_message, redact_url,
};
