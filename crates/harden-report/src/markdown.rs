use std::fmt::Write as _;

use harden_model::{Outcome, RunReport, WaiverState};

use crate::{commit_label, summary_counts};

/// Escapes the characters that would break a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn state_name(state: WaiverState) -> &'static str {
    match state {
        WaiverState::Active => "active",
        WaiverState::Expired => "**expired**",
        WaiverState::TooLong => "**refused: expiry too far ahead**",
        WaiverState::Stale => "stale",
        WaiverState::Unused => "not evaluated",
    }
}

pub(crate) fn render(report: &RunReport) -> String {
    let mut out = String::new();
    let service = report.service.as_deref().unwrap_or("(no service declared)");
    let _ = writeln!(out, "# harden report: {service}\n");
    let _ = writeln!(
        out,
        "Profile **{}**{} · {} · {} {} · run `{}`",
        report.profile,
        if report.strict { " (strict)" } else { "" },
        commit_label(report),
        report.tool.name,
        report.tool.version,
        report.run_id
    );
    if let Some(ledger) = &report.ledger {
        let _ = writeln!(out, "Ledger entry #{} `{}`", ledger.seq, ledger.hash);
    }
    let _ = writeln!(out, "\n**{}**\n", summary_counts(report));
    let _ = writeln!(
        out,
        "| Round | Gate | Outcome | Summary |\n|---|---|---|---|"
    );
    for gate in &report.gates {
        let outcome = match gate.outcome {
            Outcome::Fail => "**fail**",
            other => other.as_str(),
        };
        let _ = writeln!(
            out,
            "| {} | `{}` | {outcome} | {} |",
            gate.round.code(),
            gate.id,
            cell(&gate.summary)
        );
    }
    let failing: Vec<_> = report
        .gates
        .iter()
        .filter(|g| g.outcome == Outcome::Fail)
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(out, "\n## Failures");
        for gate in failing {
            let _ = writeln!(out, "\n### `{}` {}\n", gate.id, gate.title);
            if let Some(reason) = &gate.reason {
                let _ = writeln!(out, "{reason}");
                if gate.open_findings().next().is_some() {
                    let _ = writeln!(out);
                }
            }
            for finding in gate.open_findings() {
                let _ = writeln!(out, "- `{}`: {}", finding.location.short(), finding.message);
                if let Some(help) = &finding.help {
                    let _ = writeln!(out, "  - help: {help}");
                }
            }
        }
    }
    let skipped: Vec<_> = report
        .gates
        .iter()
        .filter(|g| g.outcome == Outcome::Skipped)
        .collect();
    if !skipped.is_empty() {
        let _ = writeln!(out, "\n## Skipped\n");
        for gate in skipped {
            let _ = writeln!(
                out,
                "- `{}`: {}",
                gate.id,
                gate.reason.as_deref().unwrap_or("no reason recorded")
            );
        }
    }
    if !report.waivers.is_empty() {
        let _ = writeln!(
            out,
            "\n## Waivers\n\n| Waiver | Gate | Selector | Owner | Expires | State | Reason |\n|---|---|---|---|---|---|---|"
        );
        for waiver in &report.waivers {
            let w = &waiver.waiver;
            let selector = match (&w.fingerprint, &w.path) {
                (Some(f), _) => format!("fingerprint `{f}`"),
                (None, Some(p)) => format!("path `{p}`"),
                (None, None) => "all findings".to_owned(),
            };
            let _ = writeln!(
                out,
                "| {} | `{}` | {selector} | {} | {} | {} | {} |",
                cell(&w.id),
                w.gate,
                cell(&w.owner),
                w.expires,
                state_name(waiver.state),
                cell(&w.reason)
            );
        }
    }
    out
}
