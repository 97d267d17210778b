use std::collections::HashMap;

use globset::{GlobBuilder, GlobSetBuilder};
use harden_model::{Finding, GateResult, Outcome, Waiver, WaiverReport, WaiverState};

/// Why a waiver covers nothing on a given day, if it does not.
fn unusable(waiver: &Waiver, today: jiff::civil::Date, max_days: u32) -> Option<String> {
    if !waiver.in_force_on(today) {
        return Some(format!(
            "{} expired {} ({}:{}): renew it with a new expiry or remove it",
            waiver.id, waiver.expires, waiver.origin.path, waiver.origin.line
        ));
    }
    let days = (waiver.expires - today).get_days();
    (i64::from(days) > i64::from(max_days)).then(|| {
        format!(
            "{} expires {}, {days} days ahead ({}:{}): waivers are granted for at most {max_days} days ([waivers] max-days); choose a nearer expiry",
            waiver.id, waiver.expires, waiver.origin.path, waiver.origin.line
        )
    })
}

/// The waivers that could cover a finding, found without trying each one: by gate and
/// fingerprint, by gate and path glob (one `GlobSet` per gate), and the gate's waivers that
/// select by neither.
struct WaiverIndex {
    by_fingerprint: HashMap<(String, String), Vec<usize>>,
    by_glob: HashMap<String, (globset::GlobSet, Vec<usize>)>,
    any_path: HashMap<String, Vec<usize>>,
}

impl WaiverIndex {
    fn new(waivers: &[Waiver]) -> Self {
        let mut by_fingerprint: HashMap<(String, String), Vec<usize>> = HashMap::new();
        let mut globs: HashMap<String, (GlobSetBuilder, Vec<usize>)> = HashMap::new();
        let mut any_path: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, waiver) in waivers.iter().enumerate() {
            let gate = waiver.gate.to_string();
            if let Some(fingerprint) = &waiver.fingerprint {
                by_fingerprint
                    .entry((gate, fingerprint.to_string()))
                    .or_default()
                    .push(index);
            } else if let Some(glob) = &waiver.path {
                // A glob that does not compile matches nothing (config validation reports it).
                if let Ok(glob) = GlobBuilder::new(glob).literal_separator(true).build() {
                    let (builder, indexes) = globs
                        .entry(gate)
                        .or_insert_with(|| (GlobSetBuilder::new(), Vec::new()));
                    builder.add(glob);
                    indexes.push(index);
                }
            } else {
                any_path.entry(gate).or_default().push(index);
            }
        }
        let by_glob = globs
            .into_iter()
            .filter_map(|(gate, (builder, indexes))| {
                builder.build().ok().map(|set| (gate, (set, indexes)))
            })
            .collect();
        Self {
            by_fingerprint,
            by_glob,
            any_path,
        }
    }

    /// Indexes of the waivers whose gate, fingerprint and path select `finding`, in
    /// declaration order (the first one in force covers it).
    fn candidates(&self, waivers: &[Waiver], finding: &Finding) -> Vec<usize> {
        let gate = finding.gate.to_string();
        let mut out: Vec<usize> = Vec::new();
        if let Some(indexes) = self
            .by_fingerprint
            .get(&(gate.clone(), finding.fingerprint.to_string()))
        {
            out.extend(indexes.iter().copied().filter(|&i| {
                waivers[i].path.as_ref().is_none_or(|glob| {
                    GlobBuilder::new(glob)
                        .literal_separator(true)
                        .build()
                        .is_ok_and(|g| {
                            finding
                                .location
                                .path()
                                .is_some_and(|p| g.compile_matcher().is_match(p))
                        })
                })
            }));
        }
        if let (Some((set, indexes)), Some(path)) =
            (self.by_glob.get(&gate), finding.location.path())
        {
            out.extend(set.matches(path).into_iter().map(|i| indexes[i]));
        }
        if let Some(indexes) = self.any_path.get(&gate) {
            out.extend(indexes);
        }
        out.retain(|&i| {
            waivers[i].advisory.as_ref().is_none_or(|id| {
                finding
                    .vulnerability
                    .as_ref()
                    .is_some_and(|v| v.ids.iter().any(|known| known.eq_ignore_ascii_case(id)))
            })
        });
        out.retain(|&i| {
            waivers[i].line.is_none_or(|line| {
                finding
                    .location
                    .span()
                    .is_some_and(|s| s.start.line == line)
            })
        });
        out.sort_unstable();
        out
    }
}

/// Applies waivers to finished gate results and reports the state of every waiver.
///
/// A finding is covered by the first usable waiver whose gate matches and whose selector
/// (fingerprint, path glob, line) matches. An expired waiver covers nothing and fails its gate,
/// even if nothing matched it, so that lapsed exceptions are renewed or removed rather than
/// forgotten; so does one granted for more than `max_days` ahead. A usable waiver that matched
/// nothing is `stale`; one whose gate did not run is `unused`. Waivers are looked up through an
/// index, so the cost grows with findings plus waivers, not their product.
pub fn apply_waivers(
    results: &mut [GateResult],
    waivers: &[Waiver],
    today: jiff::civil::Date,
    max_days: u32,
) -> Vec<WaiverReport> {
    let index = WaiverIndex::new(waivers);
    let refusal: Vec<Option<String>> = waivers
        .iter()
        .map(|w| unusable(w, today, max_days))
        .collect();
    let mut by_gate: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, waiver) in waivers.iter().enumerate() {
        by_gate.entry(waiver.gate.to_string()).or_default().push(i);
    }
    let mut matched = vec![0u32; waivers.len()];
    let mut gate_ran = vec![false; waivers.len()];
    for result in results.iter_mut() {
        let own = by_gate
            .get(result.id.as_str())
            .map_or(&[][..], Vec::as_slice);
        if result.outcome == Outcome::Skipped {
            continue;
        }
        for &i in own {
            gate_ran[i] = true;
        }
        for finding in &mut result.findings {
            for i in index.candidates(waivers, finding) {
                matched[i] += 1;
                if refusal[i].is_none() {
                    finding.waived_by = Some(waivers[i].id.clone());
                    break;
                }
            }
        }
        let refused: Vec<&str> = own.iter().filter_map(|&i| refusal[i].as_deref()).collect();
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
        if !refused.is_empty() {
            result.outcome = Outcome::Fail;
            let note = format!("waiver {}", refused.join("; "));
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
            } else if refusal[index].is_some() {
                WaiverState::TooLong
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

#[cfg(test)]
mod tests {
    use harden_model::{FindingBuilder, GateId, Location, Severity, WaiverOrigin};

    use super::*;

    fn finding(gate: &'static str, path: &str, identity: &str) -> Finding {
        FindingBuilder::new(
            GateId::from_static(gate),
            Severity::High,
            "x",
            Location::File {
                path: path.to_owned(),
                span: None,
                snippet: None,
                logical: None,
            },
        )
        .identity(identity)
        .build()
    }

    fn waiver(gate: &'static str, path: Option<&str>, fingerprint: Option<&Finding>) -> Waiver {
        Waiver {
            id: "W".into(),
            gate: GateId::from_static(gate),
            fingerprint: fingerprint.map(|f| f.fingerprint.clone()),
            advisory: None,
            path: path.map(str::to_owned),
            line: None,
            reason: "r".into(),
            owner: "o".into(),
            reference: "R".into(),
            expires: jiff::civil::date(2027, 1, 1),
            origin: WaiverOrigin {
                path: "harden.toml".into(),
                line: 1,
            },
        }
    }

    /// Quadratic paths (issue 20): a finding is matched against the waivers that can select it,
    /// found through the index, not against every waiver declared.
    #[test]
    fn waivers_are_found_through_an_index_not_tried_one_by_one() {
        let findings: Vec<Finding> = (0..2_000)
            .map(|i| finding("R7.runbooks", &format!("docs/{i}.md"), &i.to_string()))
            .collect();
        let mut waivers: Vec<Waiver> = findings
            .iter()
            .map(|f| waiver("R7.runbooks", None, Some(f)))
            .collect();
        waivers.extend((0..2_000).map(|i| {
            waiver(
                "R7.runbooks",
                Some(Box::leak(format!("docs/{i}.md").into_boxed_str())),
                None,
            )
        }));
        waivers.push(waiver("R4.lockfiles", None, None));
        waivers.push(waiver("R7.runbooks", None, None));
        let index = WaiverIndex::new(&waivers);
        for (i, f) in findings.iter().enumerate() {
            // Its fingerprint waiver, its path waiver and the gate-wide one: nothing else.
            assert_eq!(
                index.candidates(&waivers, f),
                [i, 2_000 + i, waivers.len() - 1],
                "finding {i}"
            );
        }
    }

    /// `advisory = "CVE-..."` covers the findings that report that advisory, under any of its
    /// ids and in any lockfile, and nothing else.
    #[test]
    fn an_advisory_waiver_covers_the_findings_of_that_advisory_only() {
        let vulnerable = |path: &str, ids: &[&str]| {
            FindingBuilder::new(
                GateId::from_static("R4.vulns"),
                Severity::High,
                "x",
                Location::File {
                    path: path.to_owned(),
                    span: None,
                    snippet: None,
                    logical: None,
                },
            )
            .identity(ids.join(","))
            .vulnerability(harden_model::Vulnerability {
                ecosystem: "npm".into(),
                package: "p".into(),
                version: "1.0.0".into(),
                direct: true,
                ids: ids.iter().map(|i| (*i).to_owned()).collect(),
                summary: String::new(),
                fixed: Vec::new(),
                cvss: None,
                score: None,
                url: None,
            })
            .build()
        };
        let mut by_cve = waiver("R4.vulns", None, None);
        by_cve.advisory = Some("cve-2099-0001".into());
        let waivers = vec![by_cve];
        let index = WaiverIndex::new(&waivers);
        let web = vulnerable("web/package-lock.json", &["GHSA-aaaa", "CVE-2099-0001"]);
        let api = vulnerable("api/package-lock.json", &["GHSA-aaaa", "CVE-2099-0001"]);
        let other = vulnerable("web/package-lock.json", &["GHSA-bbbb", "CVE-2099-0002"]);
        assert_eq!(index.candidates(&waivers, &web), [0]);
        assert_eq!(index.candidates(&waivers, &api), [0]);
        assert!(index.candidates(&waivers, &other).is_empty());
        assert!(
            index
                .candidates(&waivers, &finding("R4.vulns", "Cargo.lock", "x"))
                .is_empty(),
            "a finding without a vulnerability is not covered"
        );
    }

    #[test]
    fn a_waiver_granted_beyond_max_days_covers_nothing_and_fails_its_gate() {
        let today = jiff::civil::date(2026, 12, 5);
        let f = finding("R7.runbooks", "docs/a.md", "a");
        let mut far = waiver("R7.runbooks", Some("docs/*.md"), None);
        far.expires = jiff::civil::date(9999, 12, 31);
        let mut results = vec![GateResult {
            id: GateId::from_static("R7.runbooks"),
            round: harden_model::Round::R7,
            title: String::new(),
            severity: Severity::High,
            default_severity: Severity::High,
            outcome: Outcome::Fail,
            summary: String::new(),
            reason: None,
            findings: vec![f],
            evidence: harden_model::Evidence::default(),
            duration_ms: 0,
        }];
        let reports = apply_waivers(&mut results, &[far.clone()], today, 365);
        assert_eq!(reports[0].state, WaiverState::TooLong);
        assert_eq!(results[0].outcome, Outcome::Fail);
        assert!(results[0].findings[0].waived_by.is_none());
        assert!(
            results[0]
                .reason
                .as_deref()
                .unwrap()
                .contains("at most 365 days"),
            "{:?}",
            results[0].reason
        );
        far.expires = jiff::civil::date(2027, 12, 5);
        let reports = apply_waivers(&mut results, &[far], today, 365);
        assert_eq!(
            reports[0].state,
            WaiverState::Active,
            "365 days ahead is allowed"
        );
    }
}
