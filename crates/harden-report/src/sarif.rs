use std::collections::BTreeMap;

use harden_model::{Finding, GateMeta, Location as HardenLocation, Outcome, RunReport, Severity};
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, PhysicalLocation,
    PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultLevel, Run, Sarif, Suppression, SupressionKind, SupressionStatus, Tool, ToolComponent,
    VersionControlDetails,
};

const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

fn level_name(severity: Severity) -> &'static str {
    match level(severity) {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        _ => "note",
    }
}

fn text(message: impl Into<String>) -> Message {
    Message {
        text: Some(message.into()),
        ..Message::default()
    }
}

fn message_string(text: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder()
        .text(text.to_owned())
        .build()
}

fn properties(values: BTreeMap<String, serde_json::Value>) -> Option<PropertyBag> {
    (!values.is_empty()).then(|| PropertyBag {
        additional_properties: values,
        ..PropertyBag::default()
    })
}

fn physical(path: &str, location: &HardenLocation) -> Location {
    let region = location.span().map(|span| Region {
        start_line: Some(i64::from(span.start.line.max(1))),
        start_column: Some(i64::from(span.start.column.max(1))),
        end_line: Some(i64::from(span.end.line.max(span.start.line).max(1))),
        end_column: Some(i64::from(span.end.column.max(1))),
        ..Region::default()
    });
    let mut extra = BTreeMap::new();
    if let HardenLocation::Commit { commit, .. } = location {
        extra.insert("commit".to_owned(), json!(commit));
    }
    // A file as it was in a commit is that revision's file, not the working tree's: its base is
    // the revision, which the run's version control provenance maps to the commit.
    let base = match location {
        HardenLocation::Commit { commit, .. } => revision_base(commit),
        _ => "%SRCROOT%".to_owned(),
    };
    Location {
        physical_location: Some(PhysicalLocation {
            artifact_location: Some(ArtifactLocation {
                uri: Some(path.to_owned()),
                uri_base_id: Some(base),
                ..ArtifactLocation::default()
            }),
            region,
            ..PhysicalLocation::default()
        }),
        properties: properties(extra),
        ..Location::default()
    }
}

fn location(location: &HardenLocation) -> Option<Location> {
    match location {
        HardenLocation::Http {
            method,
            url,
            status,
            summary,
            ..
        } => Some(Location {
            message: Some(text(format!(
                "{method} {url}{}: {summary}",
                status.map(|s| format!(" → {s}")).unwrap_or_default()
            ))),
            ..Location::default()
        }),
        other => other.path().map(|path| physical(path, other)),
    }
}

/// The base id of the files of `commit`.
fn revision_base(commit: &str) -> String {
    format!("REVISION_{commit}")
}

/// A finding's results: one per place it was found (a secret committed in three files is three
/// alerts, since code scanning shows a result at its first location only), all sharing the
/// finding's fingerprint, each also with its own.
fn results_of(finding: &Finding, rule_index: Option<usize>) -> Vec<SarifResult> {
    let places: Vec<&HardenLocation> = std::iter::once(&finding.location)
        .chain(finding.related.iter())
        .collect();
    if places.len() == 1 {
        return vec![result(finding, rule_index)];
    }
    places
        .iter()
        .enumerate()
        .map(|(i, place)| {
            let mut one = result(finding, rule_index);
            one.message = text(format!(
                "{} (place {} of {})",
                finding.message,
                i + 1,
                places.len()
            ));
            one.locations = location(place).map(|l| vec![l]);
            one.related_locations = None;
            if let Some(fingerprints) = one.partial_fingerprints.as_mut() {
                fingerprints.insert(
                    "harden/place/v1".to_owned(),
                    format!("{}/{i}", finding.fingerprint),
                );
            }
            one
        })
        .collect()
}

fn result(finding: &Finding, rule_index: Option<usize>) -> SarifResult {
    let mut extra = BTreeMap::new();
    extra.insert("severity".to_owned(), json!(finding.severity.as_str()));
    if let HardenLocation::Commit { commit, .. } = &finding.location {
        extra.insert("commit".to_owned(), json!(commit));
    }
    if let Some(help) = &finding.help {
        extra.insert("help".to_owned(), json!(help));
    }
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("harden/v1".to_owned(), finding.fingerprint.to_string());
    let mut result = SarifResult::builder()
        .message(text(finding.message.clone()))
        .rule_id(finding.gate.to_string())
        .level(level(finding.severity))
        .partial_fingerprints(fingerprints)
        .build();
    result.rule_index = rule_index.map(|i| i as i64);
    result.locations = location(&finding.location).map(|l| vec![l]);
    let related: Vec<Location> = finding.related.iter().filter_map(location).collect();
    result.related_locations = (!related.is_empty()).then_some(related);
    result.properties = properties(extra);
    result.suppressions = finding.waived_by.as_ref().map(|waiver| {
        vec![
            Suppression::builder()
                .kind(json!(SupressionKind::External))
                .status(json!(SupressionStatus::Accepted))
                .justification(format!("waiver {waiver}"))
                .build(),
        ]
    });
    result
}

/// GitHub code scanning's reading of a score: 9.0+ critical, 7.0+ high, 4.0+ medium, above 0 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        Severity::Info => "0.0",
    }
}

/// harden's repository, where the package names one: rules link to their documentation there.
const REPOSITORY: Option<&str> = match option_env!("CARGO_PKG_REPOSITORY") {
    Some(url) if !url.is_empty() => Some(url),
    _ => None,
};

/// Where a gate is documented (docs/GATES.md at this version), if harden's repository is known.
fn documentation(gate: &str) -> Option<String> {
    REPOSITORY.map(|repository| documentation_at(repository, env!("CARGO_PKG_VERSION"), gate))
}

fn documentation_at(repository: &str, version: &str, gate: &str) -> String {
    // The anchor a Markdown renderer gives the heading `### R4.vulns`.
    let anchor: String = gate
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    format!(
        "{}/blob/v{version}/docs/GATES.md#{anchor}",
        repository.trim_end_matches('/')
    )
}

/// The revisions the results point into, where the repository's remote is known: HEAD, mapped
/// to the source root, and each commit a history finding was introduced in, mapped to its own
/// base id.
fn provenance(report: &RunReport) -> Option<Vec<VersionControlDetails>> {
    let remote = report.target.remote.as_ref()?;
    let details = |commit: &str, base: String| {
        let mut details = VersionControlDetails::builder()
            .repository_uri(remote.clone())
            .build();
        details.revision_id = Some(commit.to_owned());
        details.mapped_to = Some(ArtifactLocation {
            uri_base_id: Some(base),
            ..ArtifactLocation::default()
        });
        details
    };
    let mut out = Vec::new();
    if let Some(head) = &report.target.commit {
        out.push(details(head, "%SRCROOT%".to_owned()));
    }
    let mut commits = std::collections::BTreeSet::new();
    for finding in report.gates.iter().flat_map(|g| &g.findings) {
        for place in std::iter::once(&finding.location).chain(&finding.related) {
            if let HardenLocation::Commit { commit, .. } = place {
                commits.insert(commit.as_str());
            }
        }
    }
    out.extend(commits.into_iter().map(|c| details(c, revision_base(c))));
    (!out.is_empty()).then_some(out)
}

pub(crate) fn render(report: &RunReport, catalogue: &[&'static GateMeta]) -> String {
    let rules: Vec<ReportingDescriptor> = report
        .gates
        .iter()
        .map(|gate| {
            let meta = catalogue.iter().find(|m| m.id == gate.id);
            let mut rule = ReportingDescriptor::builder()
                .id(gate.id.to_string())
                .name(gate.title.clone())
                .short_description(message_string(&gate.title))
                .build();
            rule.full_description = meta.map(|m| message_string(m.rationale));
            rule.help = meta.map(|m| {
                let mut help = message_string(m.rationale);
                help.markdown = Some(format!(
                    "{}\n\n`harden explain {}` says what the gate checks and how to pass it.",
                    m.rationale, gate.id
                ));
                help
            });
            rule.help_uri = documentation(gate.id.as_str());
            rule.default_configuration = Some(ReportingConfiguration {
                level: Some(json!(level_name(gate.severity))),
                ..ReportingConfiguration::default()
            });
            // Code scanning ranks alerts by `security-severity` (a CVSS-like score): the gate's
            // severity, or its most severe finding's where a finding was rated higher.
            let severest = gate
                .findings
                .iter()
                .map(|f| f.severity)
                .chain(std::iter::once(gate.severity))
                .max()
                .unwrap_or(gate.severity);
            rule.properties = properties(BTreeMap::from([
                ("round".to_owned(), json!(gate.round.code())),
                ("tags".to_owned(), json!(["security", gate.round.code()])),
                (
                    "security-severity".to_owned(),
                    json!(security_severity(severest)),
                ),
            ]));
            rule
        })
        .collect();
    let mut results = Vec::new();
    for (index, gate) in report.gates.iter().enumerate() {
        for finding in &gate.findings {
            results.extend(results_of(finding, Some(index)));
        }
        // A gate that failed without findings (an error, an expired waiver) still shows up.
        if gate.outcome == Outcome::Fail && gate.open_findings().next().is_none() {
            let config = report
                .config_digest
                .as_ref()
                .map(|_| HardenLocation::Config {
                    path: "harden.toml".to_owned(),
                    span: None,
                });
            let mut failed = SarifResult::builder()
                .message(text(
                    gate.reason.clone().unwrap_or_else(|| gate.summary.clone()),
                ))
                .rule_id(gate.id.to_string())
                .level(ResultLevel::Error)
                .build();
            failed.rule_index = Some(index as i64);
            failed.locations = config.as_ref().and_then(location).map(|l| vec![l]);
            results.push(failed);
        }
    }
    let mut run_properties = BTreeMap::new();
    run_properties.insert("run_id".to_owned(), json!(report.run_id));
    run_properties.insert("profile".to_owned(), json!(report.profile));
    if let Some(commit) = &report.target.commit {
        run_properties.insert("commit".to_owned(), json!(commit));
    }
    let waivers: Vec<serde_json::Value> = report
        .waivers
        .iter()
        .map(|w| {
            json!({
                "id": w.waiver.id,
                "gate": w.waiver.gate.as_str(),
                "state": crate::waiver_state_name(w.state),
                "expires": w.waiver.expires.to_string(),
                "owner": w.waiver.owner,
                "reason": w.waiver.reason,
                "matched": w.matched,
            })
        })
        .collect();
    run_properties.insert("waivers".to_owned(), json!(waivers));
    // The ledger's head after this run was recorded: an anchor to keep with the report
    // (`harden ledger verify --expect-head N:HASH`).
    if let Some(ledger) = &report.ledger {
        run_properties.insert(
            "ledger_head".to_owned(),
            json!(format!("{}:{}", ledger.seq, ledger.hash)),
        );
    }
    let mut driver = ToolComponent::builder()
        .name(report.tool.name.clone())
        .build();
    driver.semantic_version = Some(report.tool.version.clone());
    driver.information_uri = REPOSITORY.map(str::to_owned);
    driver.rules = Some(rules);
    let mut invocation = Invocation::builder().execution_successful(true).build();
    invocation.start_time_utc = Some(report.started_at.to_string());
    invocation.end_time_utc = Some(report.finished_at.to_string());
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .build();
    run.invocations = Some(vec![invocation]);
    run.version_control_provenance = provenance(report);
    run.results = Some(results);
    run.properties = properties(run_properties);
    let mut sarif = Sarif::builder()
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    sarif.schema = Some(SARIF_SCHEMA.to_owned());
    let mut out = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_link_to_their_heading_in_the_gate_reference() {
        assert_eq!(
            documentation_at("https://git.example/harden/", "1.2.0", "R4.vulns"),
            "https://git.example/harden/blob/v1.2.0/docs/GATES.md#r4vulns"
        );
    }
}
