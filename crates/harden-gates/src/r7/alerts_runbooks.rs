use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_formats::yaml::Node;
use harden_model::{GateId, GateMeta, Items, ProfileLevel, Round, Severity, Target};

/// `R7.alerts.runbooks`: every alert tells whoever it wakes what to do.
pub(crate) struct AlertsRunbooks;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R7.alerts.runbooks"),
    round: Round::R7,
    title: "Every alert links a runbook that exists",
    severity: Severity::Medium,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "An alert that fires at 3 a.m. without a runbook leaves the on-call engineer to \
reverse-engineer a PromQL expression under pressure. This gate reads Prometheus rule files and \
`PrometheusRule` resources (multi-document YAML included) and Grafana alert provisioning, and \
fails every alerting rule without a `runbook_url` annotation, or whose runbook is neither an \
https URL nor a file of this repository (a relative path, anchors allowed). Recording rules are \
not alerts and are not judged. Files that are templates (Helm's `{{ }}` outside strings) cannot \
be read as YAML and are listed as not examined.",
    evidence: &["rule files", "alerts"],
    options: &[],
    items: Some(Items {
        name: "alerting rules (Prometheus, PrometheusRule, Grafana provisioning)",
        globs: &["**/*.yml", "**/*.yaml"],
    }),
};

/// An alerting rule: its name, where it is, and its runbook if it names one.
struct Alert<'n> {
    name: String,
    node: &'n Node,
    runbook: Option<(String, &'n Node)>,
}

fn runbook_of(rule: &Node) -> Option<(String, &Node)> {
    ["annotations", "labels"].iter().find_map(|section| {
        let section = rule.get(section)?;
        ["runbook_url", "runbook", "runbook-url"]
            .iter()
            .find_map(|key| {
                section
                    .get(key)
                    .map(|n| (n.scalar_text().unwrap_or_default(), n))
            })
    })
}

/// The alerting rules of one YAML document: `groups[].rules[]` at the top (Prometheus, Grafana)
/// or under `spec` (`PrometheusRule`).
fn alerts(document: &Node) -> Vec<Alert<'_>> {
    let groups = document
        .get("groups")
        .or_else(|| document.get("spec").and_then(|s| s.get("groups")));
    let mut out = Vec::new();
    for group in groups.map(Node::items).unwrap_or_default() {
        for rule in group.get("rules").map(Node::items).unwrap_or_default() {
            // Prometheus names an alert with `alert:`; Grafana provisioning with `title:` and
            // a `condition:`. `record:` rules are recording rules.
            let name = rule.get("alert").and_then(Node::scalar_text).or_else(|| {
                rule.get("condition")
                    .and(rule.get("title"))
                    .and_then(Node::scalar_text)
            });
            if let Some(name) = name {
                out.push(Alert {
                    name,
                    node: rule,
                    runbook: runbook_of(rule),
                });
            }
        }
    }
    out
}

/// Why a runbook reference does not lead anywhere, if it does not.
fn unreachable_runbook(cx: &GateCx<'_>, rule_file: &str, url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return Some("its runbook_url is empty".into());
    }
    if url.starts_with("https://") {
        return None;
    }
    if url.starts_with("http://") {
        return Some(format!("its runbook {url} is not https"));
    }
    if url.contains("{{") || url.contains("://") {
        return Some(format!(
            "its runbook {url} is neither an https URL nor a file"
        ));
    }
    let path = url
        .split('#')
        .next()
        .unwrap_or(url)
        .trim_start_matches("./");
    let dir = rule_file.rsplit_once('/').map_or("", |(dir, _)| dir);
    let found = [
        harden_formats::yaml::join_relative("", path),
        harden_formats::yaml::join_relative(dir, path),
    ]
    .into_iter()
    .flatten()
    .any(|p| cx.repo().is_file(&p));
    (!found).then(|| format!("its runbook {path} is not a file of this repository"))
}

impl Gate for AlertsRunbooks {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let classified = crate::classify::classified(cx)?;
        let mut alert_count = 0u64;
        for path in classified
            .iter()
            .filter(|class| class.yaml() && class.deployed)
            .map(|class| &class.path)
        {
            let Some(bytes) = crate::support::read_parsed_into(cx, out, path)? else {
                continue;
            };
            let text = harden_engine::lossy_text(&bytes);
            // Cheap first: only files that can hold alerting rules are parsed.
            if !(text.contains("alert:") || text.contains("condition:")) || !text.contains("rules:")
            {
                continue;
            }
            let parsed = crate::support::yaml_documents(cx.cache(), path, &text);
            let documents = match &*parsed {
                Ok(documents) => documents,
                Err(e) => {
                    out.not_examined(
                        path,
                        format!("not YAML at {}:{}: {}", e.line, e.column, e.message),
                    );
                    continue;
                }
            };
            let found: Vec<Alert<'_>> = documents.iter().flat_map(alerts).collect();
            if found.is_empty() {
                continue;
            }
            out.examined("rule files", 1);
            for alert in found {
                alert_count += 1;
                let problem = match &alert.runbook {
                    None => Some("it has no runbook_url annotation".to_owned()),
                    Some((url, _)) => unreachable_runbook(cx, path, url),
                };
                let Some(problem) = problem else { continue };
                let at = alert.runbook.as_ref().map_or(alert.node, |(_, node)| *node);
                out.finding(
                    cx.finding(
                        format!("alert {} tells no one what to do: {problem}", alert.name),
                        crate::support::span_location(path, at.span),
                    )
                    .identity(format!("alert:{}", alert.name))
                    .help("add `annotations: runbook_url:` pointing to a runbook in this repository (docs/runbooks/<alert>.md) or an https page")
                    .build(),
                );
            }
        }
        out.add("alerts", alert_count);
        Ok(())
    }
}
