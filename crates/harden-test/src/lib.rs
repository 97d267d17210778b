//! Test support for harden's crates (a dev-dependency only): [`TestRepo`] builds real git
//! repositories commit by commit, [`PgCluster`] starts a throwaway PostgreSQL server with
//! `initdb`/`pg_ctl`, [`notes`] is a multi-tenant API with switchable defects, and [`filters`] masks run-specific text in snapshots.
#![allow(clippy::disallowed_methods)] // Test support drives real processes and files by design.

mod git;
pub mod notes;
mod postgres;

pub use git::TestRepo;
pub use postgres::PgCluster;

/// `(regex, replacement)` pairs that mask what differs between runs (temp paths, durations,
/// run ids, hashes, commit ids, dates) so snapshots are stable.
pub fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
            "[RUN-ID]",
        ),
        (r"\b[0-9]+\.[0-9]{2} s\b", "[DURATION]"),
        (r#""duration_ms": [0-9]+"#, r#""duration_ms": 0"#),
        (r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\b", "[TIMESTAMP]"),
        (r"\b[0-9a-f]{64}\b", "[SHA256]"),
        (r"\b[0-9a-f]{40}\b", "[COMMIT]"),
        (r"ledger #[0-9]+ [0-9a-f]{6}…", "ledger #[N] [HASH]…"),
        (r"commit [0-9a-f]{7} ", "commit [SHORT] "),
        (r"harden [0-9]+\.[0-9]+\.[0-9]+", "harden [VERSION]"),
    ]
}
