use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{GateId, GateMeta, ProfileLevel, Round, Severity, Target};

use crate::support::config_location;

/// `R7.decisions.revisit`: no deferred trade-off in the decision register is past its
/// revisit-by date.
pub(crate) struct DecisionsRevisit;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R7.decisions.revisit"),
    round: Round::R7,
    title: "Deferred decisions are revisited by their date",
    severity: Severity::Medium,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "Hardening defers some trade-offs on purpose (a rate limit left generous, a legacy \
endpoint kept for one customer). A deferral is safe only if it comes back: each `[[decision]]` in \
harden.toml names its owner, the trigger that brings it back early, and a revisit-by date. This gate \
fails for every decision whose revisit-by date has passed (days are judged in `[smoke] timezone`, \
else UTC). Fix: revisit the decision, then record the outcome and a new revisit-by date, or remove \
it once settled.",
    evidence: &["decisions"],
    options: &[],
    items: None,
};

impl Gate for DecisionsRevisit {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let today = cx.today();
        let decisions = &cx.config().decisions;
        if decisions.is_empty() {
            return Err(GateError::Skip(
                "the decision register is empty: no [[decision]] in harden.toml".into(),
            ));
        }
        out.examined("decisions", decisions.len() as u64);
        for decision in decisions {
            if decision.revisit_by < today {
                let overdue = (today - decision.revisit_by).get_days();
                out.finding(
                    cx.finding(
                        format!(
                            "decision \"{}\" (owner {}) was due for revisit on {} ({overdue} days ago)",
                            decision.decision, decision.owner, decision.revisit_by
                        ),
                        config_location(cx, Some(decision.line)),
                    )
                    .identity(&decision.decision)
                    .help(format!("revisit it (trigger: {}), then set a new revisit-by date or remove it", decision.trigger))
                    .build(),
                );
            }
        }
        Ok(())
    }
}
