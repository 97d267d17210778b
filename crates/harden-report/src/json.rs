//! The JSON wire format, version 1. These types are the contract: fields are only ever added in
//! a backwards-compatible way; anything else is a v2. Nested finding, location and evidence
//! shapes are the model's serialized forms, frozen as part of v1.

use harden_model::{Evidence, Finding, Outcome, Round, RunReport, Severity, Summary, WaiverState};
use serde::{Deserialize, Serialize};

/// The schema tag of this version.
pub const SCHEMA: &str = "harden.report/v1";

/// A run, as JSON v1.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReportV1 {
    /// Always `harden.report/v1`.
    pub schema: String,
    /// Unique run id.
    pub run_id: String,
    /// Tool name.
    pub tool: String,
    /// Tool version.
    pub version: String,
    /// Declared service name.
    pub service: Option<String>,
    /// Profile name.
    pub profile: String,
    /// Whether skipped required gates failed.
    pub strict: bool,
    /// Repository as given.
    pub repository: String,
    /// HEAD commit.
    pub commit: Option<String>,
    /// Whether the tree differed from HEAD.
    pub dirty: Option<bool>,
    /// The repository's default remote, credentials removed (absent without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// Base URL of the probed service.
    pub base_url: Option<String>,
    /// Artefact digest vouched for.
    pub artifact: Option<String>,
    /// SHA-256 of the config file.
    pub config_digest: Option<String>,
    /// RFC 3339 start.
    pub started_at: String,
    /// RFC 3339 end.
    pub finished_at: String,
    /// Outcome counts.
    pub summary: Summary,
    /// Gate results in catalogue order.
    pub gates: Vec<GateV1>,
    /// Every configured waiver.
    pub waivers: Vec<WaiverV1>,
    /// Ledger entry recording the run.
    pub ledger: Option<LedgerV1>,
    /// Every exchange with the running service (live gates), redacted: the run's evidence of
    /// what was asked and answered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcript: Vec<harden_model::HttpExchange>,
}

/// One gate's result.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GateV1 {
    /// Gate id.
    pub id: String,
    /// Round.
    pub round: Round,
    /// Title.
    pub title: String,
    /// Severity in force.
    pub severity: Severity,
    /// Default severity (differs when remapped).
    pub default_severity: Severity,
    /// Outcome.
    pub outcome: Outcome,
    /// One-line summary.
    pub summary: String,
    /// Why skipped, or what failed besides findings.
    pub reason: Option<String>,
    /// Findings (waived ones carry `waived_by`).
    pub findings: Vec<Finding>,
    /// Evidence.
    pub evidence: Evidence,
    /// Duration in milliseconds.
    pub duration_ms: u64,
}

/// A waiver and its state.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WaiverV1 {
    /// Handle.
    pub id: String,
    /// Gate.
    pub gate: String,
    /// Fingerprint selector.
    pub fingerprint: Option<String>,
    /// Path glob selector.
    pub path: Option<String>,
    /// Reason.
    pub reason: String,
    /// Owner.
    pub owner: String,
    /// Reference.
    pub reference: String,
    /// Last day in force, `YYYY-MM-DD`.
    pub expires: String,
    /// State at the end of the run.
    pub state: WaiverState,
    /// Findings matched.
    pub matched: u32,
    /// Days until expiry (negative once expired).
    pub days_left: i64,
    /// `file:line` where declared.
    pub declared_at: String,
}

/// Where the run was recorded.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LedgerV1 {
    /// Entry number.
    pub seq: u64,
    /// Entry hash.
    pub hash: String,
}

impl From<&RunReport> for ReportV1 {
    fn from(report: &RunReport) -> Self {
        Self {
            schema: SCHEMA.to_owned(),
            run_id: report.run_id.clone(),
            tool: report.tool.name.clone(),
            version: report.tool.version.clone(),
            service: report.service.clone(),
            profile: report.profile.clone(),
            strict: report.strict,
            repository: report.target.repository.clone(),
            commit: report.target.commit.clone(),
            dirty: report.target.dirty,
            remote: report.target.remote.clone(),
            base_url: report.target.base_url.clone(),
            artifact: report.target.artifact.clone(),
            config_digest: report.config_digest.clone(),
            started_at: report.started_at.to_string(),
            finished_at: report.finished_at.to_string(),
            summary: report.summary,
            gates: report
                .gates
                .iter()
                .map(|g| GateV1 {
                    id: g.id.to_string(),
                    round: g.round,
                    title: g.title.clone(),
                    severity: g.severity,
                    default_severity: g.default_severity,
                    outcome: g.outcome,
                    summary: g.summary.clone(),
                    reason: g.reason.clone(),
                    findings: g.findings.clone(),
                    evidence: g.evidence.clone(),
                    duration_ms: g.duration_ms,
                })
                .collect(),
            waivers: report
                .waivers
                .iter()
                .map(|w| WaiverV1 {
                    id: w.waiver.id.clone(),
                    gate: w.waiver.gate.to_string(),
                    fingerprint: w.waiver.fingerprint.as_ref().map(ToString::to_string),
                    path: w.waiver.path.clone(),
                    reason: w.waiver.reason.clone(),
                    owner: w.waiver.owner.clone(),
                    reference: w.waiver.reference.clone(),
                    expires: w.waiver.expires.to_string(),
                    state: w.state,
                    matched: w.matched,
                    days_left: w.days_left,
                    declared_at: format!("{}:{}", w.waiver.origin.path, w.waiver.origin.line),
                })
                .collect(),
            ledger: report.ledger.as_ref().map(|l| LedgerV1 {
                seq: l.seq,
                hash: l.hash.clone(),
            }),
            transcript: report.transcript.clone(),
        }
    }
}

/// The report as JSON v1 (pretty-printed, trailing newline).
pub fn render(report: &RunReport) -> String {
    to_json(&ReportV1::from(report))
}

/// The v1 value as pretty JSON.
pub fn to_json(value: &ReportV1) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON Schema of [`ReportV1`], as published in `docs/schemas/report-v1.schema.json`.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ReportV1)).unwrap_or_default()
}
