//! Pure renderers of a [`RunReport`]: terminal, JSON v1, SARIF 2.1.0, JUnit XML, Markdown,
//! GitHub workflow annotations and GitLab code quality.
//!
//! Renderers take the finished report and return text; they never print and never decide exit
//! codes. Every text a renderer shows comes from the report, whose snippets are already redacted.

pub mod audit;
mod github;
mod gitlab;
mod human;
pub mod json;
mod junit;
mod markdown;
pub mod readiness;
mod sarif;

use harden_model::{GateMeta, RunReport};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Coloured terminal text grouped by round.
    Human,
    /// JSON, versioned schema `harden.report/v1`.
    Json,
    /// SARIF 2.1.0 for code-scanning upload.
    Sarif,
    /// JUnit XML, one test case per gate.
    Junit,
    /// Markdown, for pull-request comments and audit folders.
    Markdown,
    /// GitHub Actions workflow commands: annotations on a pull request's diff.
    Github,
    /// GitLab code quality report (JSON), for merge requests.
    Gitlab,
    /// The security audit document (Markdown, `sdlc/security-audit.md`).
    SecurityAudit,
}

impl Format {
    /// Every format with its command-line name.
    pub const ALL: [(&'static str, Format); 8] = [
        ("human", Format::Human),
        ("json", Format::Json),
        ("sarif", Format::Sarif),
        ("junit", Format::Junit),
        ("markdown", Format::Markdown),
        ("github", Format::Github),
        ("gitlab", Format::Gitlab),
        ("security-audit", Format::SecurityAudit),
    ];
}

/// What renderers may need besides the report.
pub struct RenderContext<'a> {
    /// The gate catalogue (for rule descriptions in SARIF).
    pub catalogue: &'a [&'static GateMeta],
    /// Whether to emit ANSI colours (human format only).
    pub color: bool,
    /// Only failures and the summary (human format only: `--quiet`).
    pub quiet: bool,
}

/// Renders `report` in `format`.
pub fn render(report: &RunReport, format: Format, cx: &RenderContext<'_>) -> String {
    match format {
        Format::Human => human::render(report, cx.color, cx.quiet),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report, cx.catalogue),
        Format::Junit => junit::render(report),
        Format::Markdown => markdown::render(report),
        Format::Github => github::render(report),
        Format::Gitlab => gitlab::render(report),
        Format::SecurityAudit => audit::render(report),
    }
}

/// `commit 3f9c2e1 (clean)`, `commit 3f9c2e1 (dirty)`, `no commit yet` in a git repository
/// without one, `not a git repository`.
pub(crate) fn commit_label(report: &RunReport) -> String {
    match (&report.target.commit, report.target.dirty) {
        (Some(commit), dirty) => format!(
            "commit {} ({})",
            &commit[..commit.len().min(7)],
            if dirty == Some(true) {
                "dirty"
            } else {
                "clean"
            }
        ),
        (None, Some(_)) => "no commit yet".to_owned(),
        (None, None) => "not a git repository".to_owned(),
    }
}

/// The lowercase name of a waiver state.
pub(crate) fn waiver_state_name(state: harden_model::WaiverState) -> &'static str {
    match state {
        harden_model::WaiverState::Active => "active",
        harden_model::WaiverState::Expired => "expired",
        harden_model::WaiverState::TooLong => "too-long",
        harden_model::WaiverState::Stale => "stale",
        harden_model::WaiverState::Unused => "unused",
    }
}

/// `2 failed · 9 passed · 1 waived · 1 skipped`.
pub(crate) fn summary_counts(report: &RunReport) -> String {
    let s = report.summary;
    format!(
        "{} failed · {} passed · {} waived · {} skipped",
        s.failed, s.passed, s.waived, s.skipped
    )
}
