//! The JSON the API speaks (`/api/v1`). These types are the contract and the OpenAPI document
//! is generated from them: fields are only ever added.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A push: entries of the pushing repository's ledger, appended to the token's project in order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// At most 500 entries.
    pub entries: Vec<PushEntry>,
}

/// One entry to append.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushEntry {
    /// The entry's kind: `run` (a `harden.report/v1` document), `smoke`, `readiness`,
    /// `plan.state`, ... (lowercase letters, digits, `.` and `-`).
    pub kind: String,
    /// What makes a retry the same push: an entry whose key the project holds is not appended
    /// again. A run defaults to its `run_id`; any other entry without a key (and without an
    /// `Idempotency-Key` header) is appended every time it is sent.
    #[serde(default)]
    pub key: Option<String>,
    /// The entry's body: a JSON object without floating-point numbers.
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
}

/// What became of each pushed entry, in the order pushed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PushResponse {
    /// The project appended to.
    pub project: String,
    /// One per pushed entry.
    pub entries: Vec<PushedEntry>,
}

/// Where a pushed entry is in its project's chain.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushedEntry {
    /// The push key.
    pub key: String,
    /// Its number in the project's chain.
    pub seq: u64,
    /// Its hash.
    pub hash: String,
    /// `false` when an earlier push with the same key had appended it already.
    pub created: bool,
}

/// A run as the lists show it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RunSummary {
    /// Its number in the project's chain.
    pub seq: u64,
    /// The run's id.
    pub run_id: String,
    /// Commit examined.
    pub commit: Option<String>,
    /// Whether the tree differed from the commit.
    pub dirty: Option<bool>,
    /// Profile.
    pub profile: String,
    /// Whether skipped required gates failed.
    pub strict: bool,
    /// Gates passed.
    pub passed: u32,
    /// Gates failed.
    pub failed: u32,
    /// Gates waived.
    pub waived: u32,
    /// Gates skipped.
    pub skipped: u32,
    /// Findings in all.
    pub findings: u32,
    /// When the run finished (RFC 3339).
    pub finished_at: String,
}

/// A gate that failed in a project's latest run.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FailingGate {
    /// Gate id.
    pub gate: String,
    /// Its round (`R0` … `R7`).
    pub round: String,
}

/// A project with its latest state.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProjectSummary {
    /// Name, unique in the organisation.
    pub name: String,
    /// Entries in its chain.
    pub entries: u64,
    /// Its latest run.
    pub last_run: Option<RunSummary>,
    /// Gates that failed in the latest run.
    pub failing: Vec<FailingGate>,
    /// Current smoke streak in days.
    pub streak_days: u32,
    /// Waivers of the latest run that expire within 14 days (or have expired).
    pub waivers_expiring: u32,
}

/// The projects of the caller's organisation.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProjectList {
    /// The organisation.
    pub organisation: String,
    /// Its projects by name.
    pub projects: Vec<ProjectSummary>,
}

/// A page of runs, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunList {
    /// The runs.
    pub runs: Vec<RunSummary>,
    /// Pass as `before` for the next page, when there is one.
    pub next_before: Option<u64>,
}

/// One run with everything it recorded.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunDetail {
    /// The run.
    pub summary: RunSummary,
    /// Its ledger entry hash in the project's chain.
    pub hash: String,
    /// The `harden.report/v1` document as pushed.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
}

/// One gate's outcome in one run.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GateOutcome {
    /// Run entry number.
    pub seq: u64,
    /// Commit of the run.
    pub commit: Option<String>,
    /// When the run finished.
    pub finished_at: String,
    /// `pass`, `fail`, `waived` or `skipped`.
    pub outcome: String,
}

/// A gate's outcomes over time, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GateHistory {
    /// Gate id.
    pub gate: String,
    /// Outcomes of the runs that ran it.
    pub history: Vec<GateOutcome>,
}

/// A finding of the latest run, as the CLI recorded it (snippets redacted there).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FindingList {
    /// The run the findings come from.
    pub seq: Option<u64>,
    /// The findings.
    #[schema(value_type = Vec<Object>)]
    pub findings: Vec<serde_json::Value>,
}

/// A waiver of the latest run.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WaiverInfo {
    /// Handle.
    pub id: String,
    /// Gate it covers.
    pub gate: String,
    /// Last day in force (`YYYY-MM-DD`).
    pub expires: String,
    /// Days until expiry from today (negative once expired).
    pub days_left: i64,
    /// State in the run.
    pub state: String,
    /// Who answers for it.
    pub owner: String,
    /// Why it is acceptable.
    pub reason: String,
    /// Ticket or decision.
    pub reference: String,
}

/// The waivers of the latest run.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WaiverList {
    /// The run they come from.
    pub seq: Option<u64>,
    /// The waivers, soonest expiry first.
    pub waivers: Vec<WaiverInfo>,
}

/// A day of the smoke window.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SmokeDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Whether every record that day passed.
    pub pass: bool,
    /// Gates that failed that day.
    pub failing: Vec<String>,
}

/// The smoke streak.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StreakInfo {
    /// Consecutive strict-pass days.
    pub days: u32,
    /// First day of the streak.
    pub since: Option<String>,
    /// The day that broke it and why.
    pub broken: Option<String>,
    /// The recorded days, newest first (at most 120).
    pub calendar: Vec<SmokeDay>,
}

/// One exit criterion.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CriterionInfo {
    /// What must hold.
    pub name: String,
    /// Whether it holds.
    pub holds: bool,
    /// What the verdict rests on.
    pub evidence: String,
}

/// Whether the rollout may exit.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExitCriteria {
    /// Whether every criterion holds.
    pub met: bool,
    /// The criteria.
    pub criteria: Vec<CriterionInfo>,
}

/// A promotion verdict.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Promotion {
    /// Whether the commit may be promoted.
    pub allowed: bool,
    /// The commit asked about.
    pub commit: String,
    /// The proving run, when allowed.
    pub run: Option<RunSummary>,
    /// Runs of the commit that did not qualify and why, newest first.
    pub rejected: Vec<Rejected>,
}

/// A run that does not prove a promotion.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Rejected {
    /// Run entry number.
    pub seq: u64,
    /// Why.
    pub reason: String,
}

/// Whether a project's chain verifies.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Verification {
    /// Whether it verifies.
    pub verified: bool,
    /// Entries checked.
    pub entries: u64,
    /// The head, `N:HASH`.
    pub head: Option<String>,
    /// The first break, when it does not verify.
    pub broken: Option<String>,
}

/// An error. Never carries internals: the request id finds the details in the server's log.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiError {
    /// What went wrong, for people.
    pub error: String,
    /// The request's id (also in the `x-request-id` header).
    pub request_id: String,
}

/// `/healthz` and `/readyz`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok`, or what is not.
    pub status: String,
}
