use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use harden_model::{Outcome, Round, RunReport, WaiverState};

use crate::{commit_label, summary_counts};

fn paint(text: &str, style: Style, color: bool) -> String {
    if color {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_owned()
    }
}

fn outcome_style(outcome: Outcome) -> Style {
    match outcome {
        Outcome::Pass => AnsiColor::Green.on_default(),
        Outcome::Fail => AnsiColor::Red.on_default().bold(),
        Outcome::Waived => AnsiColor::Yellow.on_default(),
        Outcome::Skipped => AnsiColor::Cyan.on_default().dimmed(),
    }
}

pub(crate) fn render(report: &RunReport, color: bool, quiet: bool) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let service = report.service.as_deref().unwrap_or("(no service declared)");
    let _ = writeln!(
        out,
        "{} {} · {service} · profile {}{} · {}\n",
        paint(&report.tool.name, bold, color),
        report.tool.version,
        report.profile,
        if report.strict { " (strict)" } else { "" },
        commit_label(report)
    );
    let width = report
        .gates
        .iter()
        .map(|g| g.id.as_str().len())
        .max()
        .unwrap_or(0);
    for round in Round::ALL {
        // `--quiet`: failures only (the summary line still counts everything).
        let gates: Vec<_> = report
            .gates
            .iter()
            .filter(|g| g.round == round && (!quiet || g.outcome == Outcome::Fail))
            .collect();
        if gates.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "{}",
            paint(&format!("{} {}", round.code(), round.name()), bold, color)
        );
        for gate in gates {
            let label = format!("{:<7}", gate.outcome.as_str());
            let _ = writeln!(
                out,
                "  {} {:<width$}  {}",
                paint(&label, outcome_style(gate.outcome), color),
                gate.id.as_str(),
                gate.summary
            );
            let indent = " ".repeat(10);
            if let Some(reason) = &gate.reason
                && gate.outcome == Outcome::Fail
                && *reason != gate.summary
            {
                let _ = writeln!(out, "{indent}{reason}");
            }
            if gate.outcome == Outcome::Fail {
                let findings: Vec<_> = gate.open_findings().collect();
                // A help shared by every finding is said once, after them, not under each.
                let shared_help = findings
                    .first()
                    .and_then(|f| f.help.as_ref())
                    .filter(|first| findings.iter().all(|f| f.help.as_ref() == Some(*first)));
                for finding in &findings {
                    // A finding the gate rates below itself (a missing HEALTHCHECK among
                    // root images) is marked, so it reads as the lesser thing it is.
                    let marker = (finding.severity < gate.severity).then(|| {
                        let (word, hue) = if finding.severity == harden_model::Severity::Info {
                            ("note:", AnsiColor::Cyan)
                        } else {
                            ("warning:", AnsiColor::Yellow)
                        };
                        format!("{} ", paint(word, hue.on_default().bold(), color))
                    });
                    let _ = writeln!(
                        out,
                        "{indent}{}  {}{}",
                        paint(&finding.location.short(), bold, color),
                        marker.unwrap_or_default(),
                        finding.message
                    );
                    // The offending line, as the gate quoted it (secrets already masked).
                    if let Some(snippet) = snippet(&finding.location) {
                        let _ = writeln!(
                            out,
                            "{indent}  {}",
                            paint(&format!("| {snippet}"), dim, color)
                        );
                    }
                    if shared_help.is_none()
                        && let Some(help) = &finding.help
                    {
                        let _ = writeln!(
                            out,
                            "{indent}{}",
                            paint(&format!("help: {help}"), dim, color)
                        );
                    }
                }
                if let Some(help) = shared_help {
                    let _ = writeln!(
                        out,
                        "{indent}{}",
                        paint(&format!("help: {help}"), dim, color)
                    );
                }
            }
        }
    }
    if !report.waivers.is_empty() {
        let _ = writeln!(out, "\n{}", paint("Waivers", bold, color));
        for waiver in &report.waivers {
            let w = &waiver.waiver;
            let state = match waiver.state {
                WaiverState::Active => format!("active, covers {}", waiver.matched),
                WaiverState::Expired => "EXPIRED".to_owned(),
                WaiverState::TooLong => {
                    "REFUSED: expiry too far ahead ([waivers] max-days)".to_owned()
                }
                WaiverState::Stale => "stale: matched nothing, remove it".to_owned(),
                WaiverState::Unused => "not evaluated: gate did not run".to_owned(),
            };
            let days = if waiver.days_left >= 0 {
                format!("expires {} (in {} days)", w.expires, waiver.days_left)
            } else {
                format!("expired {} ({} days ago)", w.expires, -waiver.days_left)
            };
            let _ = writeln!(
                out,
                "  {:<12} {}  {days}  owner {}  [{state}]",
                w.id, w.gate, w.owner
            );
        }
    }
    let ledger = report
        .ledger
        .as_ref()
        .map(|l| format!(" · ledger #{} {}…", l.seq, &l.hash[..l.hash.len().min(6)]))
        .unwrap_or_default();
    let seconds = report.duration_ms() as f64 / 1000.0;
    let _ = writeln!(
        out,
        "\n{} · {seconds:.2} s{ledger}",
        paint(&summary_counts(report), bold, color)
    );
    out
}

/// The first line of a finding's quoted source, trimmed and bounded for a terminal.
fn snippet(location: &harden_model::Location) -> Option<String> {
    let text = match location {
        harden_model::Location::File { snippet, .. }
        | harden_model::Location::Commit { snippet, .. } => snippet.as_ref()?.as_str(),
        _ => return None,
    };
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut shown: String = line.chars().take(160).collect();
    if line.chars().count() > 160 {
        shown.push('…');
    }
    Some(shown)
}
