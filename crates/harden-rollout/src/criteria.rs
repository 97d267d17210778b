//! Exit criteria: whether a hardening rollout may end, each criterion with its evidence.

use harden_model::{Outcome, RunReport};
use serde::{Deserialize, Serialize};

use crate::smoke::Streak;

/// One criterion and whether it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// What must hold.
    pub name: String,
    /// Whether it holds now.
    pub holds: bool,
    /// What the verdict rests on, for people.
    pub evidence: String,
}

/// The strict gate set's latest run, as the criteria need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrictRun {
    /// Its ledger entry number (0 when not recorded).
    pub seq: u64,
    /// Gates it ran.
    pub gates: usize,
    /// Ids of the gates that failed.
    pub failing: Vec<String>,
}

impl StrictRun {
    /// What a run report says.
    pub fn of(report: &RunReport) -> Self {
        Self {
            seq: report.ledger.as_ref().map_or(0, |l| l.seq),
            gates: report.gates.len(),
            failing: report
                .gates
                .iter()
                .filter(|g| g.outcome == Outcome::Fail)
                .map(|g| g.id.to_string())
                .collect(),
        }
    }
}

/// What the criteria are judged on.
pub struct Inputs<'a> {
    /// Consecutive strict-pass days required.
    pub needed: u32,
    /// The current strict-pass streak.
    pub streak: &'a Streak,
    /// The strict gate set's run.
    pub strict: &'a StrictRun,
    /// Ids of the hardening plans that are blocked.
    pub blocked_plans: Vec<String>,
    /// Waivers no longer in force, each as `id (expired DATE)`.
    pub expired_waivers: Vec<String>,
    /// Waivers declared in all.
    pub waivers: usize,
}

/// Every criterion, in a fixed order: the streak, the strict gates now, no blocked plan, no
/// expired waiver.
pub fn evaluate(inputs: Inputs<'_>) -> Vec<Criterion> {
    let Inputs {
        needed,
        streak,
        strict,
        blocked_plans,
        expired_waivers,
        waivers,
    } = inputs;
    let failing = &strict.failing;
    vec![
        Criterion {
            name: format!("{needed} consecutive strict-pass days"),
            holds: streak.days >= needed,
            evidence: format!(
                "streak {} day{}{}{}",
                streak.days,
                if streak.days == 1 { "" } else { "s" },
                streak
                    .since
                    .map(|d| format!(" since {d}"))
                    .unwrap_or_default(),
                streak
                    .broken
                    .as_ref()
                    .map(|b| format!(", broken {} by {}", b.date, b.reason))
                    .unwrap_or_default()
            ),
        },
        Criterion {
            name: "all strict gates green now".into(),
            holds: failing.is_empty(),
            evidence: format!(
                "ledger #{}: {} gates, {}",
                strict.seq,
                strict.gates,
                if failing.is_empty() {
                    "none failed".to_owned()
                } else {
                    format!("failed: {}", failing.join(", "))
                }
            ),
        },
        Criterion {
            name: "no blocked procedure".into(),
            holds: blocked_plans.is_empty(),
            evidence: if blocked_plans.is_empty() {
                "no plan is blocked".into()
            } else {
                format!("blocked: {}", blocked_plans.join(", "))
            },
        },
        Criterion {
            name: "no expired waiver".into(),
            holds: expired_waivers.is_empty(),
            evidence: if expired_waivers.is_empty() {
                format!("{waivers} waivers, none expired")
            } else {
                expired_waivers.join(", ")
            },
        },
    ]
}
