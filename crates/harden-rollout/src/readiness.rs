//! The readiness snapshot: what one `harden readiness` run found, as one typed and versioned
//! ledger record (`harden.readiness/v1`). The CLI writes it and renders it as Markdown; a server
//! reads it back with [`Readiness::from_record`], never by string keys.

use harden_model::{GateResult, Outcome, Round, RunReport, WaiverState};
use serde::{Deserialize, Serialize};

use crate::smoke::{SmokeRecord, Streak};

/// The record's schema id; a record of another schema is refused when read back.
pub const SCHEMA: &str = "harden.readiness/v1";

/// Waivers and checklist items that fall due within this many days are called out.
pub const EXPIRING_SOON_DAYS: i64 = 14;

/// A deploy flag the environment must set to one of its allowed values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// The flag (an environment variable).
    pub name: String,
    /// The value the environment gate saw; `None` when unset.
    pub value: Option<String>,
    /// Values that enforce the baseline.
    pub allowed: Vec<String>,
    /// Whether its value is one of them.
    pub ok: bool,
}

/// A required secret: whether the environment has it, never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretPresence {
    /// The variable.
    pub name: String,
    /// Whether the environment has it.
    pub present: bool,
}

/// One round's gate outcomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundSummary {
    /// `R0` to `R7`.
    pub round: String,
    /// Round name (`Secrets`).
    pub name: String,
    /// Gates passed.
    pub passed: u32,
    /// Gates failed.
    pub failed: u32,
    /// Gates waived.
    pub waived: u32,
    /// Gates skipped.
    pub skipped: u32,
    /// `gate: why`, one per failing gate.
    pub failing: Vec<String>,
}

/// A waiver in force. Fields in alphabetical order: the record's bytes are the same as those
/// of the untyped object it replaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverNote {
    /// Days until it expires (negative once expired).
    pub days_left: i64,
    /// Expiry date.
    pub expires: String,
    /// Whether it expires within the window.
    pub expiring_soon: bool,
    /// The gate it waives.
    pub gate: String,
    /// Its id.
    pub id: String,
    /// Who owns it.
    pub owner: String,
    /// Why it was granted.
    pub reason: String,
}

/// A drillable or attested checklist item that needs its owner within the window: failing now,
/// or valid but expiring within [`EXPIRING_SOON_DAYS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueItem {
    /// The checklist gate.
    pub gate: String,
    /// The item, as the checklist words it.
    pub item: String,
    /// Who answers for it.
    pub owner: Option<String>,
    /// When its evidence expires; `None` when it is due now.
    pub due: Option<String>,
    /// The gate's summary (who signed, when, or why it fails).
    pub state: String,
}

/// The result of one preflight command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Its name in `[[preflight]]`.
    pub name: String,
    /// The command line.
    pub command: String,
    /// Exit code 0 within its timeout.
    pub passed: bool,
    /// Exit code, if it exited.
    pub exit_code: Option<i32>,
    /// Whether it was stopped at its timeout.
    pub timed_out: bool,
    /// Wall time.
    pub duration_ms: u64,
    /// The tail of stdout and stderr, redacted.
    pub output: String,
}

/// The snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The local date it was taken (`YYYY-MM-DD`).
    pub date: String,
    /// Local time and zone, for people.
    pub generated_at: String,
    /// The service the repository declares.
    pub service: Option<String>,
    /// Profile the gates ran in.
    pub profile: String,
    /// Commit of the working tree.
    pub commit: Option<String>,
    /// Whether the working tree had uncommitted changes.
    pub dirty: Option<bool>,
    /// Every gate passed or was waived, every preflight check passed, every flag is enforced
    /// and every required secret is present.
    pub ready: bool,
    /// The deploy flags (`[deploy.flags]`).
    pub flags: Vec<Flag>,
    /// The required secrets (`[deploy] secrets_required`).
    pub secrets: Vec<SecretPresence>,
    /// Whether the environment gate ran (flags and secrets are unknown otherwise).
    pub flags_checked: bool,
    /// Gate outcomes by round.
    pub rounds: Vec<RoundSummary>,
    /// The audit (R2) and launch-readiness (R7) gates: `(gate, outcome, summary)`.
    pub signals: Vec<(String, String, String)>,
    /// Waivers in force.
    pub waivers: Vec<WaiverNote>,
    /// Checklist items due within the window.
    pub due: Vec<DueItem>,
    /// Whether any checklist gate judged this run (none: the profile leaves them out, or the
    /// repository deploys no service).
    pub checklist_judged: bool,
    /// The preflight commands, when they were run.
    pub checks: Option<Vec<Check>>,
    /// The current strict-pass streak, in days.
    pub streak_days: u32,
    /// The streak the exit criteria ask for.
    pub streak_target: u32,
    /// `date time pass|fail` of the newest smoke record.
    pub last_smoke: Option<String>,
    /// The ledger entry of the gate run it summarises: `(seq, hash)`.
    pub run: Option<(u64, String)>,
}

/// A record that is not a readiness snapshot of this schema.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Another schema, or none.
    #[error("a readiness record of schema {found:?} (expected {SCHEMA})")]
    Schema {
        /// The schema it names.
        found: Option<String>,
    },
    /// The right schema id over fields that do not fit it.
    #[error("a readiness record that does not read as {SCHEMA}: {0}")]
    Shape(#[from] serde_json::Error),
}

impl Readiness {
    /// Reads a ledger record back, refusing another schema. Records written before the schema
    /// id was added have the same fields without it and read as this schema.
    pub fn from_record(body: &serde_json::Value) -> Result<Self, RecordError> {
        match body.get("schema") {
            None => {
                let mut body = body.clone();
                if let Some(fields) = body.as_object_mut() {
                    fields.insert("schema".into(), SCHEMA.into());
                }
                Ok(Self::deserialize(body)?)
            }
            Some(schema) if schema.as_str() == Some(SCHEMA) => Ok(Self::deserialize(body)?),
            Some(schema) => Err(RecordError::Schema {
                found: Some(schema.to_string()),
            }),
        }
    }
}

/// Everything a snapshot is made of besides the gate run itself.
pub struct Inputs<'a> {
    /// The gate run the snapshot summarises.
    pub report: &'a RunReport,
    /// When the snapshot is taken.
    pub now: jiff::Timestamp,
    /// The zone its date is in.
    pub zone: jiff::tz::TimeZone,
    /// From [`deploy_checks`].
    pub flags: Vec<Flag>,
    /// From [`deploy_checks`].
    pub secrets: Vec<SecretPresence>,
    /// From [`deploy_checks`].
    pub flags_checked: bool,
    /// The preflight commands' results, when they were run.
    pub checks: Option<Vec<Check>>,
    /// Smoke records, oldest first.
    pub smoke: &'a [SmokeRecord],
    /// The current strict-pass streak.
    pub streak: &'a Streak,
    /// Consecutive strict-pass days the exit criteria ask for.
    pub streak_target: u32,
    /// The checklist item a gate stands for (its text), if it is a checklist gate.
    pub checklist_item: &'a dyn Fn(&str) -> Option<&'static str>,
}

/// The snapshot of a run.
pub fn snapshot(inputs: Inputs<'_>) -> Readiness {
    let report = inputs.report;
    let local = inputs.now.to_zoned(inputs.zone.clone());
    let waivers: Vec<WaiverNote> = report
        .waivers
        .iter()
        .filter(|w| !matches!(w.state, WaiverState::Expired | WaiverState::TooLong))
        .map(|w| WaiverNote {
            days_left: w.days_left,
            expires: w.waiver.expires.to_string(),
            expiring_soon: w.days_left <= EXPIRING_SOON_DAYS,
            gate: w.waiver.gate.as_str().to_owned(),
            id: w.waiver.id.clone(),
            owner: w.waiver.owner.clone(),
            reason: w.waiver.reason.clone(),
        })
        .collect();
    let signals = report
        .gates
        .iter()
        .filter(|g| matches!(g.round, Round::R2 | Round::R7))
        .map(|g| {
            (
                g.id.to_string(),
                g.outcome.as_str().to_owned(),
                g.summary.clone(),
            )
        })
        .collect();
    let ready = !report.has_failures()
        && inputs
            .checks
            .as_ref()
            .is_none_or(|c| c.iter().all(|c| c.passed))
        && inputs.flags.iter().all(|f| f.ok)
        && inputs.secrets.iter().all(|s| s.present);
    Readiness {
        schema: SCHEMA.to_owned(),
        date: local.date().to_string(),
        generated_at: local.strftime("%Y-%m-%d %H:%M %Z").to_string(),
        service: report.service.clone(),
        profile: report.profile.clone(),
        commit: report.target.commit.clone(),
        dirty: report.target.dirty,
        ready,
        flags: inputs.flags,
        secrets: inputs.secrets,
        flags_checked: inputs.flags_checked,
        rounds: rounds(report),
        signals,
        waivers,
        due: due_items(report, inputs.now, inputs.checklist_item),
        checklist_judged: report.gates.iter().any(|g| {
            (inputs.checklist_item)(g.id.as_str()).is_some()
                && matches!(g.outcome, Outcome::Pass | Outcome::Fail)
        }),
        checks: inputs.checks,
        streak_days: inputs.streak.days,
        streak_target: inputs.streak_target,
        last_smoke: inputs.smoke.last().map(|r| {
            format!(
                "{} {} {}",
                r.date,
                r.time,
                if r.pass { "pass" } else { "fail" }
            )
        }),
        run: report.ledger.as_ref().map(|l| (l.seq, l.hash.clone())),
    }
}

/// The deploy flags and required secrets as the environment gate (`R3.env.required`) saw them,
/// and whether it ran.
pub fn deploy_checks<'c>(
    report: &RunReport,
    flags: impl IntoIterator<Item = (&'c String, &'c Vec<String>)>,
    secrets_required: &[String],
) -> (Vec<Flag>, Vec<SecretPresence>, bool) {
    let gate = report
        .gates
        .iter()
        .find(|g| g.id.as_str() == "R3.env.required" && g.outcome != Outcome::Skipped);
    let fact = |key: String| gate.and_then(|g| g.evidence.facts.get(&key)).cloned();
    let flags = flags
        .into_iter()
        .map(|(name, allowed)| {
            let value = fact(format!("flag.{name}"))
                .map(|v| v.split(" (").next().unwrap_or_default().to_owned());
            let ok = value.as_ref().is_some_and(|v| allowed.contains(v));
            Flag {
                name: name.clone(),
                value,
                allowed: allowed.clone(),
                ok,
            }
        })
        .collect();
    let secrets = secrets_required
        .iter()
        .map(|name| SecretPresence {
            name: name.clone(),
            present: fact(format!("secret.{name}")).is_some_and(|v| v.starts_with("present")),
        })
        .collect();
    (flags, secrets, gate.is_some())
}

fn rounds(report: &RunReport) -> Vec<RoundSummary> {
    Round::ALL
        .iter()
        .filter_map(|round| {
            let gates: Vec<&GateResult> =
                report.gates.iter().filter(|g| g.round == *round).collect();
            if gates.is_empty() {
                return None;
            }
            let count = |o: Outcome| gates.iter().filter(|g| g.outcome == o).count() as u32;
            Some(RoundSummary {
                round: round.code().to_owned(),
                name: round.name().to_owned(),
                passed: count(Outcome::Pass),
                failed: count(Outcome::Fail),
                waived: count(Outcome::Waived),
                skipped: count(Outcome::Skipped),
                failing: gates
                    .iter()
                    .filter(|g| g.outcome == Outcome::Fail)
                    .map(|g| {
                        let open: Vec<&str> =
                            g.open_findings().map(|f| f.message.as_str()).collect();
                        let why = if open.is_empty() {
                            g.reason.clone().unwrap_or_else(|| g.summary.clone())
                        } else {
                            open.join("; ")
                        };
                        format!("{}: {why}", g.id)
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The checklist items due within the window, from this run's checklist gates.
fn due_items(
    report: &RunReport,
    now: jiff::Timestamp,
    checklist_item: &dyn Fn(&str) -> Option<&'static str>,
) -> Vec<DueItem> {
    let soon = now
        .checked_add(jiff::SignedDuration::from_hours(24 * EXPIRING_SOON_DAYS))
        .unwrap_or(jiff::Timestamp::MAX);
    report
        .gates
        .iter()
        .filter_map(|gate| {
            let item = checklist_item(gate.id.as_str())?;
            let facts = &gate.evidence.facts;
            let due = facts
                .get("due")
                .and_then(|d| d.parse::<jiff::Timestamp>().ok());
            let listed = match gate.outcome {
                Outcome::Fail => true,
                Outcome::Pass => due.is_some_and(|due| due <= soon),
                _ => false,
            };
            listed.then(|| DueItem {
                gate: gate.id.to_string(),
                item: item.to_owned(),
                owner: facts.get("owner").cloned(),
                due: due
                    .filter(|_| gate.outcome == Outcome::Pass)
                    .map(|d| d.strftime("%Y-%m-%d").to_string()),
                state: gate.summary.clone(),
            })
        })
        .collect()
}
