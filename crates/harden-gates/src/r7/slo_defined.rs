use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_formats::yaml::Node;
use harden_model::{GateId, GateMeta, Items, ProfileLevel, Round, Severity, Target};

/// `R7.slo.defined`: a deployable service says what "working" means, in numbers.
pub(crate) struct SloDefined;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R7.slo.defined"),
    round: Round::R7,
    title: "Service level objectives are defined",
    severity: Severity::Medium,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "Without an objective, every alert threshold is a guess and every incident \
review argues about what \"down\" meant. This gate reads OpenSLO documents (`apiVersion: \
openslo/v1` or `v1alpha`, `kind: SLO`, multi-document files included) and Sloth specs (`version: \
prometheus/v1` and the `PrometheusServiceLevel` resource). Each SLO needs an objective with a \
target and an indicator (inline, or an `indicatorRef` to an `SLI` document of the repository); \
a Sloth SLO needs an `objective` and an `sli`. A deployable service (a Dockerfile or a \
Kubernetes workload of its own) with no SLO at all fails.",
    evidence: &["SLO files", "objectives"],
    options: &[],
    items: Some(Items {
        name: "SLO definitions or deployable services",
        globs: &["**/*.yml", "**/*.yaml", "**/Dockerfile"],
    }),
};

fn text(node: Option<&Node>) -> Option<String> {
    node.and_then(Node::scalar_text)
}

/// What is wrong with an OpenSLO `SLO` document, given the names of the repository's `SLI`s.
fn openslo_problems<'n>(slo: &'n Node, indicators: &[String]) -> Vec<(String, &'n Node)> {
    let mut problems = Vec::new();
    let Some(spec) = slo.get("spec") else {
        return vec![("it has no spec".into(), slo)];
    };
    let objectives = spec.get("objectives").map(Node::items).unwrap_or_default();
    if objectives.is_empty() {
        problems.push(("it has no objectives".into(), spec));
    }
    for objective in objectives {
        if objective.get("target").is_none() && objective.get("targetPercent").is_none() {
            problems.push(("an objective has no target".into(), objective));
        }
    }
    match (spec.get("indicator"), text(spec.get("indicatorRef"))) {
        (Some(_), _) => {}
        (None, Some(reference)) if indicators.contains(&reference) => {}
        (None, Some(reference)) => problems.push((
            format!("its indicatorRef `{reference}` names no SLI document of this repository"),
            spec.get("indicatorRef").unwrap_or(spec),
        )),
        (None, None) => problems.push(("it has no indicator or indicatorRef".into(), spec)),
    }
    problems
}

/// What is wrong with one Sloth SLO (`slos[]`).
fn sloth_problems(slo: &Node) -> Vec<(String, &Node)> {
    let mut problems = Vec::new();
    if slo.get("objective").is_none() {
        problems.push(("it has no objective".into(), slo));
    }
    if slo.get("sli").is_none() {
        problems.push(("it has no sli".into(), slo));
    }
    problems
}

fn is_openslo(document: &Node) -> bool {
    text(document.get("apiVersion")).is_some_and(|v| v.starts_with("openslo/"))
}

impl Gate for SloDefined {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let classified = crate::classify::classified(cx)?;
        let mut parsed: Vec<(String, Vec<Node>)> = Vec::new();
        let mut deployable: Option<String> = None;
        for class in classified.iter().filter(|class| class.deployed) {
            let path = &class.path;
            let lower = path.to_ascii_lowercase();
            let name = lower.rsplit('/').next().unwrap_or(&lower);
            if deployable.is_none() && (name == "dockerfile" || name == "containerfile") {
                deployable = Some(path.clone());
            }
            if !class.yaml() {
                continue;
            }
            let Some(bytes) = crate::support::read_parsed_into(cx, out, path)? else {
                continue;
            };
            let content = harden_engine::lossy_text(&bytes);
            let workload = ["kind: Deployment", "kind: StatefulSet", "kind: DaemonSet"]
                .iter()
                .any(|k| content.contains(k));
            if deployable.is_none() && workload {
                deployable = Some(path.clone());
            }
            if !(content.contains("openslo/")
                || content.contains("prometheus/v1")
                || content.contains("PrometheusServiceLevel"))
            {
                continue;
            }
            match &*crate::support::yaml_documents(cx.cache(), path, &content) {
                Ok(documents) => parsed.push((path.clone(), documents.clone())),
                Err(e) => out.not_examined(
                    path,
                    format!("not YAML at {}:{}: {}", e.line, e.column, e.message),
                ),
            }
        }
        let indicators: Vec<String> = parsed
            .iter()
            .flat_map(|(_, documents)| documents)
            .filter(|d| is_openslo(d) && text(d.get("kind")).as_deref() == Some("SLI"))
            .filter_map(|d| text(d.get("metadata").and_then(|m| m.get("name"))))
            .collect();
        let mut objectives = 0u64;
        for (path, documents) in &parsed {
            let mut found = false;
            for document in documents {
                let problems: Vec<(String, &Node)> = if is_openslo(document)
                    && text(document.get("kind")).as_deref() == Some("SLO")
                {
                    objectives += 1;
                    openslo_problems(document, &indicators)
                } else if text(document.get("version")).as_deref() == Some("prometheus/v1")
                    || text(document.get("kind")).as_deref() == Some("PrometheusServiceLevel")
                {
                    let slos = document
                        .get("slos")
                        .or_else(|| document.get("spec").and_then(|s| s.get("slos")))
                        .map(Node::items)
                        .unwrap_or_default();
                    objectives += slos.len() as u64;
                    slos.iter().flat_map(sloth_problems).collect()
                } else {
                    continue;
                };
                found = true;
                let name = text(document.get("metadata").and_then(|m| m.get("name")))
                    .or_else(|| text(document.get("service")))
                    .unwrap_or_else(|| "unnamed".into());
                for (problem, node) in problems {
                    out.finding(
                        cx.finding(format!("SLO {name} is incomplete: {problem}"), crate::support::span_location(path, node.span))
                            .identity(format!("slo:{name}:{problem}"))
                            .help("give each objective a target (0.999) and an indicator (the good and total events)")
                            .build(),
                    );
                }
            }
            if found {
                out.examined("SLO files", 1);
            }
        }
        out.add("objectives", objectives);
        if objectives == 0
            && let Some(service) = deployable
        {
            out.examined("deployable services", 1);
            out.finding(
                cx.finding(
                    format!("the service deployed from {service} has no service level objective (no OpenSLO or Sloth definition in the repository)"),
                    crate::support::file_location(&service),
                )
                .identity("slo:none")
                .help("write slo/availability.yaml (OpenSLO: an SLO with a target and its indicator), or a Sloth spec")
                .build(),
            );
        }
        Ok(())
    }
}
