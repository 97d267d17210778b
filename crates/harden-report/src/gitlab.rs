//! GitLab's code quality report (a JSON array of issues, shown in merge requests): one issue per
//! unwaived finding, its fingerprint harden's, so GitLab tells new issues from known ones.

use harden_model::{RunReport, Severity};
use serde_json::{Value, json};

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "blocker",
        Severity::High => "critical",
        Severity::Medium => "major",
        Severity::Low => "minor",
        Severity::Info => "info",
    }
}

pub(crate) fn render(report: &RunReport) -> String {
    let issues: Vec<Value> = report
        .gates
        .iter()
        .flat_map(|gate| {
            gate.findings
                .iter()
                .filter(|f| f.waived_by.is_none())
                .map(move |finding| {
                    // Every issue needs a path; a finding about a running service has none, and
                    // is placed on the config that names the service.
                    let path = finding.location.path().unwrap_or("harden.toml");
                    let line = finding.location.span().map_or(1, |s| s.start.line);
                    json!({
                        "description": finding.message,
                        "check_name": gate.id.to_string(),
                        "fingerprint": finding.fingerprint.to_string(),
                        "severity": severity(finding.severity),
                        "location": {"path": path, "lines": {"begin": line}},
                    })
                })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}
