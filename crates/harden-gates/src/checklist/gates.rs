//! One gate per drillable or attested checklist item (SPEC §3): it passes while the ledger holds
//! a valid attestation or a passing, fresh drill for the item, and fails when there is none, it
//! expired, or the newest drill failed.

use std::time::Duration;

use harden_engine::{Gate, GateCx, GateError, GateOutput, LedgerRecord};
use harden_model::{
    GateId, GateMeta, Items, OptionKind, OptionSpec, ProfileLevel, Round, Severity, Target,
};

use super::standing::{ATTESTATION, DRILL, Standing, standing};
use super::{Item, Proof, item_of_gate};
use crate::support::config_location;

/// `owner` and `review`, accepted by every checklist gate.
const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "owner",
        kind: OptionKind::String,
        help: "Who renews the attestation or runs the drill; `harden readiness` names them when the item falls due.",
    },
    OptionSpec {
        key: "review",
        kind: OptionKind::Duration,
        help: "How long an attestation or drill result counts at most, whatever its own expiry (e.g. \"180d\").",
    },
];

/// What an attested gate adds to its item's paragraph.
macro_rules! attested {
    () => {
        " No scanner can prove this, so a person vouches for it: `harden attest <gate> --evidence \
FILE|URL --by NAME [--expires 90d]` records who, when and the evidence (a file by its SHA-256, or a \
URL) in the ledger. The gate passes while the newest attestation is valid and fails when there is \
none or it has expired. `[gates.\"<gate>\"] owner` names who renews it and `review` caps how long \
any attestation counts; `harden readiness` lists items due within 14 days. A repository for which \
the item does not apply disables the gate with the reason."
    };
}

/// What a drillable gate adds to its item's paragraph.
macro_rules! drilled {
    () => {
        " A command proves this: a `[[drill]]` whose `proves` names the gate (or the item), run by \
`harden drill run NAME`, which records the result in the ledger. The gate passes while the newest \
drill result passed and is younger than the drill's `every` (90 days when it names none) and \
than the gate's `review`, if set; a failed drill fails it until a later run passes. An attestation (`harden attest <gate>`) \
counts too, for drills run outside harden. `harden readiness` lists items due within 14 days."
    };
}

macro_rules! meta {
    ($id:literal, $round:ident, $title:literal, $severity:ident, $why:literal, $how:ident) => {
        GateMeta {
            id: GateId::from_static($id),
            round: Round::$round,
            title: $title,
            severity: Severity::$severity,
            target: Target::Repository,
            min_profile: ProfileLevel::Production,
            rationale: concat!($why, $how!()),
            evidence: &[
                "records",
                "service",
                "proven_by",
                "evidence",
                "drill",
                "recorded_at",
                "due",
                "owner",
            ],
            options: OPTIONS,
            items: Some(DEPLOYABLE),
        }
    };
}

/// What makes a checklist item apply: a service that is deployed. `harden init` disables the
/// gates where it finds none; the gate itself also counts Kubernetes workloads.
const DEPLOYABLE: Items = Items {
    name: "deployable services",
    globs: &[
        "**/Dockerfile",
        "**/Containerfile",
        "**/Dockerfile.*",
        "**/*.dockerfile",
    ],
};

/// The checklist gates' metadata, in the order of seed 001's lists; a test holds it to the
/// catalogue's drillable and attested items.
pub(crate) static METAS: [GateMeta; 27] = [
    meta!(
        "R1.pentest.done",
        R1,
        "Penetration test completed",
        High,
        "Seed 001's security checklist asks for a penetration test before launch: people trying to break in find what no scanner models (chained flaws, business logic, tenancy).",
        attested
    ),
    meta!(
        "R1.owasp.addressed",
        R1,
        "OWASP Top 10 addressed",
        Medium,
        "Each OWASP Top 10 category has been reviewed against the service and either mitigated or accepted with a reason; the gates prove parts of it, a review proves the whole.",
        attested
    ),
    meta!(
        "R1.waf.enabled",
        R1,
        "WAF/DDoS protection enabled",
        Medium,
        "A web application firewall and volumetric DDoS protection sit in front of the public endpoints, so abuse is absorbed before it reaches the service.",
        attested
    ),
    meta!(
        "R5.output.encoded",
        R5,
        "Output encoding in place",
        Medium,
        "Everything rendered into HTML, SQL, shell or logs is encoded for its context, so data never becomes code.",
        attested
    ),
    meta!(
        "R7.uptime.designed",
        R7,
        "99.9% uptime architecture designed",
        Medium,
        "The architecture for the availability target is written down: no single point of failure on the request path, redundancy per zone, and an error budget of about 43 minutes a month.",
        attested
    ),
    meta!(
        "R7.autoscaling.configured",
        R7,
        "Auto-scaling configured",
        Medium,
        "The service scales out under load and back in, with bounds, on a signal that tracks its real bottleneck.",
        attested
    ),
    meta!(
        "R7.failover.drilled",
        R7,
        "Database failover tested",
        High,
        "A database failover has been performed and the service recovered: a replica promotion that was never tried is a hope, not a plan.",
        drilled
    ),
    meta!(
        "R7.dr.drilled",
        R7,
        "Backup/restore verified",
        High,
        "A backup has been restored into a scratch database and compared with its source (row counts and checksums): a disaster-recovery procedure is only known to work once it has been drilled in a sandbox. `scripts/drills/postgres-backup-restore.sh` is a working recipe for PostgreSQL.",
        drilled
    ),
    meta!(
        "R7.load.tested",
        R7,
        "Load testing completed",
        Medium,
        "A load test at the expected peak (and beyond) has run against a production-like environment and met its latency and error thresholds.",
        drilled
    ),
    meta!(
        "R7.degradation.planned",
        R7,
        "Graceful degradation planned",
        Medium,
        "For each dependency, what the service does when it is slow or down is decided: serve stale, queue, shed, or fail closed.",
        attested
    ),
    meta!(
        "R7.pooling.tuned",
        R7,
        "Connection pooling optimized",
        Medium,
        "Database and HTTP connection pools are sized against the backend's limits and the instance count, with timeouts on acquiring a connection.",
        attested
    ),
    meta!(
        "R2.logging.structured",
        R2,
        "Structured logging (JSON)",
        Medium,
        "The service logs JSON records with a timestamp, level, request id and message, so logs can be searched and correlated rather than grepped.",
        attested
    ),
    meta!(
        "R2.logging.aggregated",
        R2,
        "Log aggregation configured",
        Medium,
        "Logs from every instance reach one searchable store with a retention period, and outlive the instance that wrote them.",
        attested
    ),
    meta!(
        "R7.errors.tracked",
        R7,
        "Error tracking (Sentry, etc.)",
        Medium,
        "Unhandled errors are captured with their context, grouped and routed to the owning team.",
        attested
    ),
    meta!(
        "R7.monitoring.rum",
        R7,
        "Real user monitoring",
        Medium,
        "What users experience (page loads, client errors, latency by region) is measured from their side.",
        attested
    ),
    meta!(
        "R7.monitoring.synthetic",
        R7,
        "Synthetic monitoring",
        Medium,
        "Scripted probes exercise the critical paths from outside on a schedule and alert when they fail.",
        attested
    ),
    meta!(
        "R7.dashboards.created",
        R7,
        "Custom dashboards created",
        Medium,
        "Dashboards show the service's golden signals (traffic, errors, latency, saturation) and its business health.",
        attested
    ),
    meta!(
        "R7.oncall.staffed",
        R7,
        "On-call rotation established",
        High,
        "A rotation with named people, a schedule and escalation answers pages around the clock.",
        attested
    ),
    meta!(
        "R7.incident.drilled",
        R7,
        "Incident response plan tested",
        High,
        "The incident response plan has been exercised (a game day or tabletop run), so severities, roles and escalation work when it matters.",
        drilled
    ),
    meta!(
        "R7.postmortem.defined",
        R7,
        "Post-mortem process defined",
        Medium,
        "Incidents end in a blameless post-mortem with a timeline, causes and tracked actions (`harden scaffold incident-response` writes a template).",
        attested
    ),
    meta!(
        "R4.change.managed",
        R4,
        "Change management documented",
        Medium,
        "How a change reaches production is written down: review, approval, deployment windows and who may ship.",
        attested
    ),
    meta!(
        "R7.rollback.drilled",
        R7,
        "Rollback procedures verified",
        High,
        "A deployment has been rolled back with the documented procedure, including its migrations, and the service recovered.",
        drilled
    ),
    meta!(
        "R7.comms.ready",
        R7,
        "Communication plan ready",
        Medium,
        "Who tells customers and stakeholders what, on which channel and how soon, per severity, is decided before the first incident.",
        attested
    ),
    meta!(
        "R7.statuspage.configured",
        R7,
        "Status page configured",
        Medium,
        "A status page hosted apart from the service tells users about incidents and maintenance.",
        attested
    ),
    meta!(
        "R7.docs.complete",
        R7,
        "Documentation complete",
        Medium,
        "Architecture, operations and user documentation are current for the version that launches.",
        attested
    ),
    meta!(
        "R7.team.trained",
        R7,
        "Team trained",
        Medium,
        "Everyone on the rotation has been trained on the service, its runbooks and its tools.",
        attested
    ),
    meta!(
        "R2.compliance.verified",
        R2,
        "Compliance verified (if applicable)",
        Medium,
        "The regulatory and contractual obligations that apply (GDPR, SOC 2, HIPAA, PCI DSS, ...) have been checked by whoever answers for them.",
        attested
    ),
];

/// A drillable or attested checklist item as a gate.
pub(crate) struct ChecklistGate(pub(crate) &'static GateMeta);

/// The ledger records every checklist gate decides on, read once per run.
type Records = Result<Vec<LedgerRecord>, String>;

impl Gate for ChecklistGate {
    fn meta(&self) -> &'static GateMeta {
        self.0
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let item: &Item = item_of_gate(self.0.id.as_str())
            .ok_or_else(|| GateError::Skip("no checklist item for this gate".into()))?;
        let review = match cx.option("review") {
            Some(harden_config::OptionValue::Duration(d)) => Some(*d),
            _ => None,
        };
        let drills = &cx.config().drills;
        let drill = super::drill_for(item, drills);
        let owner = match cx.option("owner") {
            Some(harden_config::OptionValue::String(owner)) => Some(owner.clone()),
            _ => drill.and_then(|d| d.owner.clone()),
        };
        // An item applies to a deployable service, and wherever harden.toml says something of
        // it (an owner, a review interval, a drill); elsewhere it is not applicable, decided
        // before the ledger is read.
        match crate::classify::deployable_service(cx)? {
            Some(service) => {
                out.examined("deployable services", 1);
                out.fact("service", service);
            }
            None if owner.is_some() || review.is_some() || drill.is_some() => {
                out.examined("items configured", 1);
            }
            None => return Ok(()),
        }
        let ledger = cx.ledger()?;
        let records = cx.shared::<Records>("checklist.records", || {
            ledger
                .records(&[ATTESTATION, DRILL])
                .map_err(|e| e.to_string())
        });
        let records = match records.as_ref() {
            Ok(records) => records,
            Err(message) => {
                return Err(GateError::Failed {
                    message: format!("the ledger could not be read: {message}"),
                    location: None,
                });
            }
        };
        let now = cx.clock().now();
        let standing = standing(item, records, drills, review, now);
        let naming = records
            .iter()
            .filter(|entry| {
                serde_json::from_str::<serde_json::Value>(&entry.body)
                    .is_ok_and(|body| super::standing::names(item, entry, &body))
            })
            .count();
        out.count("records", naming as u64);
        if let Some(owner) = &owner {
            out.fact("owner", owner.clone());
        }
        if let Some(drill) = drill {
            out.fact("drill", drill.name.clone());
        }
        let gate = self.0.id.as_str();
        if let Standing::Valid(record) | Standing::Expired(record) | Standing::Failed(record) =
            &standing
        {
            out.fact("proven_by", record.who());
            out.fact("recorded_at", record.at.to_string());
            if let super::standing::Source::Attestation { evidence, .. } = &record.source {
                out.fact("evidence", evidence.clone());
            }
        }
        if let Standing::Valid(record) = &standing {
            out.fact("due", record.until.to_string());
            out.summary(standing.describe(now));
            return Ok(());
        }
        let how = match (item.proof, drill) {
            (Proof::Drillable(_), Some(drill)) => format!("run `harden drill run {}`", drill.name),
            (Proof::Drillable(_), None) => format!(
                "declare a [[drill]] with proves = \"{gate}\" and run it, or record evidence with `harden attest {gate} --evidence FILE|URL --by NAME`"
            ),
            _ => format!("`harden attest {gate} --evidence FILE|URL --by NAME [--expires 90d]`"),
        };
        out.summary(standing.describe(now));
        let message = format!("{}: {}", item.text, standing.describe(now));
        let help = match &owner {
            Some(owner) => format!("{how} (owner: {owner})"),
            None => how,
        };
        out.finding(
            cx.finding(message, config_location(cx, None))
                .identity(gate)
                .help(help)
                .build(),
        );
        Ok(())
    }
}

/// Every checklist gate, for the registry.
pub(crate) fn all() -> impl Iterator<Item = ChecklistGate> {
    METAS.iter().map(ChecklistGate)
}

/// The review interval a gate's `review` option parses to, for commands that read config.
pub fn review_of(settings: &harden_config::GateSettings) -> Option<Duration> {
    match settings.options.get("review") {
        Some(harden_config::OptionValue::Duration(d)) => Some(*d),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::ITEMS;

    #[test]
    fn every_drillable_or_attested_item_is_one_gate_with_its_text_as_title() {
        let gated: Vec<(&str, &str, bool)> = ITEMS
            .iter()
            .filter_map(|item| {
                item.gate()
                    .map(|g| (g, item.text, matches!(item.proof, Proof::Drillable(_))))
            })
            .collect();
        let metas: Vec<(&str, &str, bool)> = METAS
            .iter()
            .map(|m| {
                (
                    m.id.as_str(),
                    m.title,
                    m.rationale.contains("A command proves this"),
                )
            })
            .collect();
        assert_eq!(metas, gated);
    }
}
