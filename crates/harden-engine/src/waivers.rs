use globset::GlobBuilder;
use harden_model::{GateResult, Outcome, Waiver, WaiverReport, WaiverState};

/// Applies waivers to finished gate results and reports the state of every waiver.
///
/// A finding is covered by the first waiver in force whose gate matches and whose selector
/// (fingerprint, path glob) matches. An expired waiver covers nothing and fails its gate, even if
/// nothing matched it, so that lapsed exceptions are renewed or removed rather than forgotten. A
/// waiver in force that matched nothing is `stale`; one whose gate did not run is `unused`.
pub fn apply_waivers(
    results: &mut [GateResult],
    waivers: &[Waiver],
    today: jiff::civil::Date,
) -> Vec<WaiverReport> {
    let matchers: Vec<Option<globset::GlobMatcher>> = waivers
        .iter()
        .map(|w| {
            w.path.as_ref().and_then(|glob| {
                GlobBuilder::new(glob)
                    .literal_separator(true)
                    .build()
                    .ok()
                    .map(|g| g.compile_matcher())
            })
        })
        .collect();
    let mut matched = vec![0u32; waivers.len()];
    let mut gate_ran = vec![false; waivers.len()];
    for result in results.iter_mut() {
        let ran = result.outcome != Outcome::Skipped;
        for (index, waiver) in waivers.iter().enumerate() {
            if waiver.gate == result.id && ran {
                gate_ran[index] = true;
            }
        }
        if !ran {
            continue;
        }
        for finding in &mut result.findings {
            for (index, waiver) in waivers.iter().enumerate() {
                if waiver.gate != finding.gate {
                    continue;
                }
                if waiver.line.is_some_and(|line| {
                    finding.location.span().is_none_or(|s| s.start.line != line)
                }) {
                    continue;
                }
                if waiver
                    .fingerprint
                    .as_ref()
                    .is_some_and(|f| *f != finding.fingerprint)
                {
                    continue;
                }
                if let Some(matcher) = &matchers[index]
                    && !finding.location.path().is_some_and(|p| matcher.is_match(p))
                {
                    continue;
                }
                matched[index] += 1;
                if waiver.in_force_on(today) {
                    finding.waived_by = Some(waiver.id.clone());
                    break;
                }
            }
        }
        let expired: Vec<&Waiver> = waivers
            .iter()
            .filter(|w| w.gate == result.id && !w.in_force_on(today))
            .collect();
        let open = result
            .findings
            .iter()
            .filter(|f| f.waived_by.is_none())
            .count();
        let waived = result.findings.len() - open;
        if result.outcome == Outcome::Fail && result.reason.is_none() && open == 0 && waived > 0 {
            result.outcome = Outcome::Waived;
            result.summary = format!(
                "{waived} finding{} under waiver",
                if waived == 1 { "" } else { "s" }
            );
        }
        if result.outcome == Outcome::Fail && waived > 0 && open > 0 {
            result.summary = format!(
                "{open} open finding{}, {waived} under waiver",
                if open == 1 { "" } else { "s" }
            );
        }
        if !expired.is_empty() {
            result.outcome = Outcome::Fail;
            let names: Vec<String> = expired
                .iter()
                .map(|w| {
                    format!(
                        "{} expired {} ({}:{})",
                        w.id, w.expires, w.origin.path, w.origin.line
                    )
                })
                .collect();
            let note = format!(
                "waiver {}: renew it with a new expiry or remove it",
                names.join("; ")
            );
            result.reason = Some(match result.reason.take() {
                Some(previous) => format!("{previous}; {note}"),
                None => note,
            });
        }
    }
    waivers
        .iter()
        .enumerate()
        .map(|(index, waiver)| {
            let state = if !waiver.in_force_on(today) {
                WaiverState::Expired
            } else if !gate_ran[index] {
                WaiverState::Unused
            } else if matched[index] == 0 {
                WaiverState::Stale
            } else {
                WaiverState::Active
            };
            WaiverReport {
                waiver: waiver.clone(),
                state,
                matched: matched[index],
                days_left: (waiver.expires - today).get_days().into(),
            }
        })
        .collect()
}
