use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{GateId, GateMeta, ProfileLevel, Round, Severity, Target};

use crate::support::config_location;

/// `R0.scope.declared`: the config says what the service is, who owns it and what is in scope.
pub(crate) struct ScopeDeclared;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R0.scope.declared"),
    round: Round::R0,
    title: "Service, owners and scope are declared",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Prototype,
    rationale: "Hardening starts by freezing scope: what the service is, who answers for it and what \
is deliberately out of scope. Without that, every later round argues about what it covers. This \
gate reads `[service]` in harden.toml and fails unless it names the service, lists at least one \
owner and writes down the scope in a sentence or more. Fix: run `harden init`, or add \
`[service] name = ..., owners = [...], scope = \"...\"`.",
    evidence: &["declarations", "service", "owners"],
    options: &[],
    items: None,
};

/// A scope shorter than this says nothing ("api", "tbd").
const MIN_SCOPE_CHARS: usize = 12;

impl Gate for ScopeDeclared {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let config = cx.config();
        let service = &config.service;
        let at = config_location(cx, service.line);
        out.examined("declarations", 3);
        if config.source.is_none() {
            out.finding(
                cx.finding(
                    "no harden.toml: service, owners and scope are not declared",
                    at,
                )
                .identity("no-config")
                .help("run `harden init` and fill in [service]")
                .build(),
            );
            return Ok(());
        }
        match &service.name {
            Some(name) => out.fact("service", name.clone()),
            None => out.finding(
                cx.finding("[service] name is not declared", at.clone())
                    .identity("name")
                    .help("add `[service]` with `name = \"...\"`")
                    .build(),
            ),
        }
        out.count("owners", service.owners.len() as u64);
        let owners: Vec<&String> = service
            .owners
            .iter()
            .filter(|o| !o.trim().is_empty())
            .collect();
        if owners.is_empty() {
            out.finding(
                cx.finding(
                    "[service] owners is empty: nobody answers for this service",
                    at.clone(),
                )
                .identity("owners")
                .help("add `owners = [\"team@example.com\"]`")
                .build(),
            );
        } else {
            out.fact(
                "owners",
                owners
                    .iter()
                    .map(|o| o.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        match service.scope.as_deref().map(str::trim) {
            Some(scope) if scope.chars().count() >= MIN_SCOPE_CHARS => {
                out.count("scope_chars", scope.chars().count() as u64);
            }
            Some(_) => out.finding(
                cx.finding(
                    "[service] scope is too short to state what is in and out of scope",
                    at,
                )
                .identity("scope")
                .help("write a sentence: what the service does and what it excludes")
                .build(),
            ),
            None => out.finding(
                cx.finding("[service] scope is not written down", at)
                    .identity("scope")
                    .help("add `scope = \"...\"`: what the service does and what it excludes")
                    .build(),
            ),
        }
        Ok(())
    }
}
