use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{GateId, GateMeta, ProfileLevel, Round, Severity, Target};

use crate::support::file_location;

/// `R2.ledger.intact`: the evidence ledger's hash chain verifies end to end.
pub(crate) struct LedgerIntact;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R2.ledger.intact"),
    round: Round::R2,
    title: "Evidence ledger is append-only and intact",
    severity: Severity::Critical,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "Evidence is only evidence if it cannot be rewritten quietly. Every ledger entry \
carries the hash of the one before it and a hash of its own canonical content, and the ledger keeps \
its head (count and last hash) beside the chain. This gate recomputes the whole chain before the \
run is appended and fails at the first entry that was edited, deleted, inserted or reordered. \
After every append the head is also anchored outside the ledger (the git ref \
`refs/harden/ledgers/<key>` of the repository, or the file named by `HARDEN_LEDGER_ANCHOR` in CI), \
so a ledger that was deleted and re-created, truncated, emptied or rolled back fails too instead \
of verifying as a new, intact chain. Fix: restore the ledger from a backup or export; `harden \
ledger verify` names the broken entry. To start a new ledger on purpose, delete its anchor \
(`git update-ref -d refs/harden/ledgers/<key>`): a deliberate act, never a side effect.",
    evidence: &["ledgers", "entries", "head"],
    options: &[],
    items: None,
};

impl Gate for LedgerIntact {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let health = cx.ledger()?.verify()?;
        out.examined("ledgers", 1);
        out.count("entries", health.entries);
        if let Some(head) = &health.head {
            out.fact("head", head.clone());
        }
        match &health.broken {
            Some(broken) => out.finding(
                cx.finding(
                    format!("the evidence ledger is broken: {broken}"),
                    file_location(&health.location),
                )
                .identity(broken)
                .help("restore the ledger from a backup or export; `harden ledger verify` shows the break (to start a new ledger on purpose, delete its anchor ref or file)")
                .build(),
            ),
            None => out.summary(format!(
                "{} entr{}, chain intact",
                health.entries,
                if health.entries == 1 { "y" } else { "ies" }
            )),
        }
        Ok(())
    }
}
