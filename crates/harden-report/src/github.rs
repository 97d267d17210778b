//! GitHub Actions workflow commands: one annotation per unwaived finding (on the diff of a pull
//! request, where the file and line are known), and one for each gate that failed with an error
//! rather than findings. Waived findings and skipped gates make no annotation.

use std::fmt::Write as _;

use harden_model::{Outcome, RunReport, Severity};

/// A message, as a workflow command's data: `%`, CR and LF escaped.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: also `:` and `,`, which separate properties.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

pub(crate) fn render(report: &RunReport) -> String {
    let mut out = String::new();
    for gate in &report.gates {
        for finding in gate.findings.iter().filter(|f| f.waived_by.is_none()) {
            let mut properties = Vec::new();
            if let Some(path) = finding.location.path() {
                properties.push(format!("file={}", property(path)));
                if let Some(span) = finding.location.span() {
                    properties.push(format!("line={}", span.start.line));
                    properties.push(format!("col={}", span.start.column));
                    if span.end.line > span.start.line {
                        properties.push(format!("endLine={}", span.end.line));
                    }
                }
            }
            properties.push(format!(
                "title={}",
                property(&format!("{} ({})", gate.id, finding.severity))
            ));
            let mut message = finding.message.clone();
            if let Some(help) = &finding.help {
                let _ = write!(message, "\nhelp: {help}");
            }
            let _ = writeln!(
                out,
                "::{} {}::{}",
                level(finding.severity),
                properties.join(","),
                data(&message)
            );
        }
        if gate.outcome == Outcome::Fail && gate.findings.is_empty() {
            let _ = writeln!(
                out,
                "::error title={}::{}",
                property(&gate.id.to_string()),
                data(gate.reason.as_deref().unwrap_or(&gate.summary))
            );
        }
    }
    let failed = report
        .gates
        .iter()
        .filter(|g| g.outcome == Outcome::Fail)
        .count();
    let _ = writeln!(
        out,
        "harden: {failed} failed of {} gates ({})",
        report.gates.len(),
        crate::commit_label(report)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_text_is_escaped() {
        assert_eq!(data("50%\nnext"), "50%25%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
