use std::fmt::Write as _;

use harden_config::plan::PlanState;
use harden_engine::RunOptions;
use harden_model::Outcome;
use serde::Serialize;

use crate::cli::RepoArgs;
use crate::commands::{plan, smoke};
use crate::output;
use crate::session::Session;

/// One exit criterion and the evidence for its verdict.
#[derive(Debug, Serialize)]
pub(crate) struct Criterion {
    pub(crate) name: String,
    pub(crate) holds: bool,
    pub(crate) evidence: String,
}

/// Evaluates the configured exit criteria; runs the strict gate set now (and records it).
pub(crate) fn evaluate(session: &Session) -> anyhow::Result<Vec<Criterion>> {
    let mut criteria = Vec::new();
    let needed = session.config.exit_criteria.consecutive_days;
    let (_, streak) = smoke::current(session)?;
    criteria.push(Criterion {
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
    });
    let options = RunOptions {
        profile: session.profile(None)?,
        strict: true,
        only: session.config.smoke.strict_gates.clone(),
        skip: Vec::new(),
        min_severity: None,
    };
    let report = session.run_gates(&options, None, true)?;
    let failing: Vec<String> = report
        .gates
        .iter()
        .filter(|g| g.outcome == Outcome::Fail)
        .map(|g| g.id.to_string())
        .collect();
    criteria.push(Criterion {
        name: "all strict gates green now".into(),
        holds: failing.is_empty(),
        evidence: format!(
            "ledger #{}: {} gates, {}",
            report.ledger.as_ref().map_or(0, |l| l.seq),
            report.gates.len(),
            if failing.is_empty() {
                "none failed".to_owned()
            } else {
                format!("failed: {}", failing.join(", "))
            }
        ),
    });
    let blocked: Vec<String> = plan::all(session)?
        .into_iter()
        .filter(|p| p.state == PlanState::Blocked)
        .map(|p| p.id)
        .collect();
    criteria.push(Criterion {
        name: "no blocked procedure".into(),
        holds: blocked.is_empty(),
        evidence: if blocked.is_empty() {
            "no plan is blocked".into()
        } else {
            format!("blocked: {}", blocked.join(", "))
        },
    });
    let today = harden_engine::today(&session.config, session.now());
    let expired: Vec<String> = session
        .config
        .waivers
        .iter()
        .filter(|w| !w.in_force_on(today))
        .map(|w| format!("{} (expired {})", w.id, w.expires))
        .collect();
    criteria.push(Criterion {
        name: "no expired waiver".into(),
        holds: expired.is_empty(),
        evidence: if expired.is_empty() {
            format!("{} waivers, none expired", session.config.waivers.len())
        } else {
            expired.join(", ")
        },
    });
    Ok(criteria)
}

pub(crate) fn run(repo: &RepoArgs) -> anyhow::Result<u8> {
    let session = Session::open(&repo.path, &repo.locations)?;
    let criteria = evaluate(&session)?;
    let mut out = String::new();
    for criterion in &criteria {
        let _ = writeln!(
            out,
            "{}  {}: {}",
            if criterion.holds {
                "holds  "
            } else {
                "NOT met"
            },
            criterion.name,
            criterion.evidence
        );
    }
    let all = criteria.iter().all(|c| c.holds);
    let _ = writeln!(
        out,
        "\nexit criteria {}",
        if all {
            "met: the rollout may exit"
        } else {
            "not met"
        }
    );
    output::emit(&out, None)?;
    Ok(u8::from(!all))
}
