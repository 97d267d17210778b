use serde::{Deserialize, Serialize};

use crate::{Evidence, Finding, GateId, Round, Severity, Waiver};

/// How a gate ended.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Examined something and found no open problem.
    Pass,
    /// Found open problems, errored, or relied on an expired waiver.
    Fail,
    /// Every finding is covered by a waiver in force.
    Waived,
    /// Did not judge anything; the reason is always stated.
    Skipped,
}

impl Outcome {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Waived => "waived",
            Outcome::Skipped => "skipped",
        }
    }
}

/// The result of one gate in one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GateResult {
    /// Gate id.
    pub id: GateId,
    /// Its round.
    pub round: Round,
    /// Its title.
    pub title: String,
    /// Severity in force for this run (after any remap).
    pub severity: Severity,
    /// The gate's default severity, recorded so a remap is visible.
    pub default_severity: Severity,
    /// How it ended.
    pub outcome: Outcome,
    /// One line saying what was examined or why it did not run.
    pub summary: String,
    /// For `skipped`: why. For `fail` without findings: what failed (an error, an expired waiver).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Problems found (with `waived_by` set on those under a waiver).
    pub findings: Vec<Finding>,
    /// What the gate recorded.
    pub evidence: Evidence,
    /// Wall time of the gate in milliseconds.
    pub duration_ms: u64,
}

impl GateResult {
    /// Findings not covered by a waiver.
    pub fn open_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.waived_by.is_none())
    }
}

/// Counts of outcomes.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Summary {
    /// Gates that passed.
    pub passed: u32,
    /// Gates that failed.
    pub failed: u32,
    /// Gates whose findings are all waived.
    pub waived: u32,
    /// Gates that did not run, with a reason.
    pub skipped: u32,
}

/// What state a waiver was in at the end of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WaiverState {
    /// In force and covering at least one finding.
    Active,
    /// Past its expiry date: covers nothing, and its gate fails.
    Expired,
    /// Granted for longer than `[waivers] max-days` allows: covers nothing, and its gate fails.
    TooLong,
    /// In force but matched no finding: it can be removed.
    Stale,
    /// Its gate did not run in this profile, so it was not evaluated.
    Unused,
}

/// A waiver and what happened to it in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WaiverReport {
    /// The waiver as declared.
    pub waiver: Waiver,
    /// Its state.
    pub state: WaiverState,
    /// Findings it covered (or, if expired, would have covered).
    pub matched: u32,
    /// Days until expiry (negative once expired).
    pub days_left: i64,
}

/// Name and version of the tool that produced a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ToolInfo {
    /// `harden`.
    pub name: String,
    /// Semantic version.
    pub version: String,
}

/// What a run looked at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunTarget {
    /// The repository root as given on the command line.
    pub repository: String,
    /// HEAD commit id, if the repository is a git repository with commits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Whether the working tree differs from HEAD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dirty: Option<bool>,
    /// The repository's default remote URL, credentials removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// Base URL of a running service, for live gates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Digest of a build artefact this run vouches for (`sha256:...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact: Option<String>,
}

/// Where a run was recorded in the evidence ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LedgerRef {
    /// Entry sequence number.
    pub seq: u64,
    /// Entry hash (hex SHA-256).
    pub hash: String,
}

/// A finished run: the one value every renderer and the ledger consume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunReport {
    /// Unique id of the run; also the correlation id of its logs.
    pub run_id: String,
    /// Tool that ran.
    pub tool: ToolInfo,
    /// Service name from the config.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Profile name.
    pub profile: String,
    /// Whether skipped required gates counted as failures.
    pub strict: bool,
    /// What was examined.
    pub target: RunTarget,
    /// SHA-256 of the config file, if there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<String>,
    /// Start time.
    #[schemars(with = "String")]
    pub started_at: jiff::Timestamp,
    /// End time.
    #[schemars(with = "String")]
    pub finished_at: jiff::Timestamp,
    /// Results in registry order.
    pub gates: Vec<GateResult>,
    /// Every configured waiver and its state.
    pub waivers: Vec<WaiverReport>,
    /// Outcome counts.
    pub summary: Summary,
    /// Where the run was recorded, once it has been.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger: Option<LedgerRef>,
    /// Every exchange with the running service, redacted, in the order they happened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcript: Vec<crate::HttpExchange>,
}

impl RunReport {
    /// Recomputes [`Summary`] from the gate results.
    pub fn summarize(gates: &[GateResult]) -> Summary {
        let mut summary = Summary::default();
        for gate in gates {
            match gate.outcome {
                Outcome::Pass => summary.passed += 1,
                Outcome::Fail => summary.failed += 1,
                Outcome::Waived => summary.waived += 1,
                Outcome::Skipped => summary.skipped += 1,
            }
        }
        summary
    }

    /// Whether any gate failed.
    pub fn has_failures(&self) -> bool {
        self.gates.iter().any(|g| g.outcome == Outcome::Fail)
    }

    /// Total wall time of the run in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        self.finished_at
            .duration_since(self.started_at)
            .as_millis()
            .try_into()
            .unwrap_or(0)
    }
}
