//! Hardening plans: whether each action's gates hold in a run (the `plan.verify` ledger record,
//! `harden.plan-verify/v1`), and whether a plan may leave its open state.

use harden_model::{GateId, Outcome, RunReport};
use serde::{Deserialize, Serialize};

/// The verification record's schema id.
pub const VERIFY_SCHEMA: &str = "harden.plan-verify/v1";

/// One gate of an action and its outcome in the run (`skipped` when it did not run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateOutcome {
    /// The gate.
    pub gate: String,
    /// Its outcome in the run.
    pub outcome: Outcome,
}

/// One action of a plan: verified when every gate it maps to passed or was waived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionVerdict {
    /// Each of its gates.
    pub gates: Vec<GateOutcome>,
    /// The action's id.
    pub id: String,
    /// Every gate passed or was waived.
    pub verified: bool,
}

/// A plan verified against a run. Fields in alphabetical order, as the untyped record it
/// replaces had them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// Per action.
    pub actions: Vec<ActionVerdict>,
    /// The plan's id.
    pub plan: String,
    /// The ledger entry of the run it was verified against.
    pub run_seq: Option<u64>,
    /// Always [`VERIFY_SCHEMA`].
    pub schema: String,
    /// Every action is verified.
    pub verified: bool,
}

/// Verifies a plan's actions, each given as its id and the gates that verify it, against a run.
pub fn verify<'a>(
    plan: &str,
    actions: impl IntoIterator<Item = (&'a str, &'a [GateId])>,
    report: &RunReport,
) -> Verification {
    let actions: Vec<ActionVerdict> = actions
        .into_iter()
        .map(|(id, gates)| {
            let gates: Vec<GateOutcome> = gates
                .iter()
                .map(|gate| GateOutcome {
                    gate: gate.to_string(),
                    outcome: report
                        .gates
                        .iter()
                        .find(|g| &g.id == gate)
                        .map_or(Outcome::Skipped, |g| g.outcome),
                })
                .collect();
            let verified = gates
                .iter()
                .all(|g| matches!(g.outcome, Outcome::Pass | Outcome::Waived));
            ActionVerdict {
                gates,
                id: id.to_owned(),
                verified,
            }
        })
        .collect();
    Verification {
        verified: actions.iter().all(|a| a.verified),
        actions,
        plan: plan.to_owned(),
        run_seq: report.ledger.as_ref().map(|l| l.seq),
        schema: VERIFY_SCHEMA.to_owned(),
    }
}

/// Where a plan ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every action done and verified.
    Completed,
    /// Cannot go on.
    Blocked,
    /// Given up.
    Aborted,
}

/// Why a plan may not end as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloseRefusal {
    /// Only an open plan ends.
    #[error("plan {plan} is already {state}")]
    NotOpen {
        /// The plan.
        plan: String,
        /// Its state.
        state: String,
    },
    /// Blocked and aborted plans say why and what risk remains.
    #[error("closing a plan as {exit} needs --reason and --residual-risk")]
    Unexplained {
        /// `blocked` or `aborted`.
        exit: &'static str,
    },
    /// A plan completes only once every action's gates hold.
    #[error("plan {plan} cannot be completed until every action's gates pass")]
    Unverified {
        /// The plan.
        plan: String,
    },
}

impl Exit {
    /// Its name, as the plan file and the ledger write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Blocked => "blocked",
            Self::Aborted => "aborted",
        }
    }
}

/// Whether a plan may end as `exit`, checked before anything is verified or written: it must
/// be open, and a blocked or aborted end needs a reason and a residual risk (the plan's own, or
/// one given now). Completion is judged afterwards by [`may_complete`].
pub fn may_close(
    plan: &str,
    state: &str,
    exit: Exit,
    reason: Option<&str>,
    residual_risk: Option<&str>,
) -> Result<(), CloseRefusal> {
    if state != "open" {
        return Err(CloseRefusal::NotOpen {
            plan: plan.to_owned(),
            state: state.to_owned(),
        });
    }
    if exit != Exit::Completed && (reason.is_none() || residual_risk.is_none()) {
        return Err(CloseRefusal::Unexplained {
            exit: exit.as_str(),
        });
    }
    Ok(())
}

/// Whether a verified plan may complete.
pub fn may_complete(verification: &Verification) -> Result<(), CloseRefusal> {
    if verification.verified {
        Ok(())
    } else {
        Err(CloseRefusal::Unverified {
            plan: verification.plan.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_open_plan_ends_and_a_blocked_one_says_why() {
        assert!(may_close("P-1", "open", Exit::Completed, None, None).is_ok());
        assert_eq!(
            may_close("P-1", "completed", Exit::Aborted, Some("r"), Some("x")),
            Err(CloseRefusal::NotOpen {
                plan: "P-1".into(),
                state: "completed".into()
            })
        );
        assert_eq!(
            may_close("P-1", "open", Exit::Blocked, Some("vendor down"), None),
            Err(CloseRefusal::Unexplained { exit: "blocked" })
        );
        assert!(may_close("P-1", "open", Exit::Blocked, Some("vendor down"), Some("x")).is_ok());
    }
}
