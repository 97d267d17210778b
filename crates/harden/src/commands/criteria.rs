use std::fmt::Write as _;

use harden_config::plan::PlanState;
use harden_engine::RunOptions;
use harden_rollout::criteria::{self, Criterion};

use crate::cli::RepoArgs;
use crate::commands::{plan, smoke};
use crate::output;
use crate::session::Session;

/// Evaluates the configured exit criteria; runs the strict gate set now (and records it).
pub(crate) fn evaluate(session: &Session) -> anyhow::Result<Vec<Criterion>> {
    let (_, streak) = smoke::current(session)?;
    let options = RunOptions {
        profile: session.profile(None)?,
        strict: true,
        only: session.config.smoke.strict_gates.clone(),
        skip: Vec::new(),
        min_severity: None,
    };
    let strict = session.run_gates(&options, None, true)?;
    let blocked_plans = plan::all(session)?
        .into_iter()
        .filter(|p| p.state == PlanState::Blocked)
        .map(|p| p.id)
        .collect();
    let today = harden_engine::today(&session.config, session.now());
    let expired_waivers = session
        .config
        .waivers
        .iter()
        .filter(|w| !w.in_force_on(today))
        .map(|w| format!("{} (expired {})", w.id, w.expires))
        .collect();
    Ok(criteria::evaluate(criteria::Inputs {
        needed: session.config.exit_criteria.consecutive_days,
        streak: &streak,
        strict: &criteria::StrictRun::of(&strict),
        blocked_plans,
        expired_waivers,
        waivers: session.config.waivers.len(),
    }))
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
