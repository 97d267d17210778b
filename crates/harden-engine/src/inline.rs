//! Inline waivers: `# harden: allow R4.ci.ignore-errors reason="flaky mirror" until=2026-12-31`
//! on the line of a finding or the line above it. Accepted only with a reason and an expiry; a
//! marker without them is itself a finding, so a bare "ignore" comment never silences a gate.

use std::collections::BTreeMap;

use harden_model::{
    FindingBuilder, GateResult, LineCol, Location, Outcome, Span, Waiver, WaiverOrigin,
};

use crate::ports::RepoView;

const MARKER: &str = "harden: allow ";

/// What a marker says, or why it is not acceptable.
fn parse_marker(text: &str) -> Option<Result<(String, String, jiff::civil::Date), String>> {
    let at = text.find(MARKER)?;
    let rest = &text[at + MARKER.len()..];
    let gate = rest
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    let reason = rest
        .find("reason=\"")
        .and_then(|i| {
            rest[i + 8..]
                .find('"')
                .map(|end| rest[i + 8..i + 8 + end].trim().to_owned())
        })
        .filter(|r| !r.is_empty());
    let until = rest
        .find("until=")
        .map(|i| rest[i + 6..].chars().take(10).collect::<String>())
        .and_then(|d| d.parse::<jiff::civil::Date>().ok());
    Some(match (reason, until) {
        (Some(reason), Some(until)) => Ok((gate, reason, until)),
        (None, _) => Err("an inline waiver needs reason=\"...\"".to_owned()),
        (_, None) => Err("an inline waiver needs until=YYYY-MM-DD".to_owned()),
    })
}

/// Finds inline waivers next to findings: returns waivers (each narrowed to its finding) and adds
/// a finding to the gate for every marker that is not acceptable.
pub(crate) fn collect(results: &mut [GateResult], repo: &dyn RepoView) -> Vec<Waiver> {
    let mut sources: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
    let mut waivers = Vec::new();
    for result in results.iter_mut() {
        let mut rejected = Vec::new();
        for finding in &result.findings {
            let Location::File {
                path,
                span: Some(span),
                ..
            } = &finding.location
            else {
                continue;
            };
            let lines = sources.entry(path.clone()).or_insert_with(|| {
                // Markers are looked for in files of a size gates parse; a larger file's
                // findings simply keep no inline waiver.
                if repo.size(path).ok().flatten().is_none_or(|n| n > 32 << 20) {
                    return None;
                }
                // Most files with findings hold no marker: one byte search decides, and only
                // the files that do are split into lines.
                repo.read(path).ok().map(|bytes| {
                    if memchr::memmem::find(&bytes, MARKER.as_bytes()).is_none() {
                        return Vec::new();
                    }
                    crate::lossy_text(&bytes)
                        .lines()
                        .map(str::to_owned)
                        .collect()
                })
            });
            let Some(lines) = lines else { continue };
            let line = span.start.line as usize;
            for candidate in [line, line.saturating_sub(1)] {
                let Some(text) = candidate.checked_sub(1).and_then(|i| lines.get(i)) else {
                    continue;
                };
                // A marker on the line above counts only on a line of its own, never trailing
                // another statement that may have findings of its own.
                let comment_only = ["#", "//", "--", ";"]
                    .iter()
                    .any(|c| text.trim_start().starts_with(c));
                if candidate != line && !comment_only {
                    continue;
                }
                match parse_marker(text) {
                    Some(Ok((gate, reason, until))) if gate == result.id.as_str() => {
                        waivers.push(Waiver {
                            id: format!("inline@{path}:{candidate}"),
                            gate: result.id.clone(),
                            fingerprint: Some(finding.fingerprint.clone()),
                            advisory: None,
                            path: None,
                            line: Some(span.start.line),
                            reason,
                            owner: "inline comment".into(),
                            reference: format!("{path}:{candidate}"),
                            expires: until,
                            origin: WaiverOrigin {
                                path: path.clone(),
                                line: u32::try_from(candidate).unwrap_or(0),
                            },
                        });
                        break;
                    }
                    Some(Err(why)) => {
                        let line = u32::try_from(candidate).unwrap_or(0);
                        let width = u32::try_from(text.chars().count()).unwrap_or(0);
                        let span = Span {
                            start: LineCol { line, column: 1 },
                            end: LineCol {
                                line,
                                column: width + 1,
                            },
                        };
                        rejected.push(
                            FindingBuilder::new(
                                result.id.clone(),
                                result.severity,
                                format!("inline waiver not accepted: {why} (a bare ignore comment does not silence a gate)"),
                                Location::File { path: path.clone(), span: Some(span), snippet: None, logical: None },
                            )
                            .identity(format!("inline:{path}:{candidate}"))
                            .help("write `harden: allow GATE reason=\"why\" until=YYYY-MM-DD`, or remove the comment")
                            .build(),
                        );
                        break;
                    }
                    _ => {}
                }
            }
        }
        for finding in rejected {
            if !result
                .findings
                .iter()
                .any(|f| f.fingerprint == finding.fingerprint)
            {
                result.findings.push(finding);
                result.outcome = Outcome::Fail;
                result.summary = format!("{} findings", result.findings.len());
            }
        }
    }
    waivers
}

#[cfg(test)]
mod tests {
    use super::parse_marker;

    #[test]
    fn markers_need_reason_and_expiry() {
        let ok = parse_marker("run: x || true  # harden: allow R4.ci.ignore-errors reason=\"flaky mirror\" until=2026-12-31").unwrap().unwrap();
        assert_eq!(ok.0, "R4.ci.ignore-errors");
        assert_eq!(ok.1, "flaky mirror");
        assert_eq!(ok.2.to_string(), "2026-12-31");
        assert!(
            parse_marker("# harden: allow R4.ci.ignore-errors")
                .unwrap()
                .is_err()
        );
        assert!(
            parse_marker("# harden: allow R4.ci.ignore-errors reason=\"x\" until=someday")
                .unwrap()
                .is_err()
        );
        assert!(parse_marker("nothing here").is_none());
    }
}
