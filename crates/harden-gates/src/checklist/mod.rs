//! Seed 001's four hardening checklists, item by item, with how each is proven: by gates that
//! already exist (automatic), by a command a team runs (drillable, `[[drill]] proves`), or by a
//! person who vouches with evidence (attested). `harden gates --checklist` prints it with each
//! item's state.

pub(crate) mod gates;
pub mod standing;

pub use gates::review_of;
pub use standing::{Standing, standing};

/// One of the four checklists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checklist {
    /// Security hardening.
    Security,
    /// Reliability hardening.
    Reliability,
    /// Observability hardening.
    Observability,
    /// Operational readiness.
    Operational,
}

impl Checklist {
    /// The checklist's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Checklist::Security => "Security",
            Checklist::Reliability => "Reliability",
            Checklist::Observability => "Observability",
            Checklist::Operational => "Operational",
        }
    }
}

/// How an item is proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// Existing gates prove it: the item holds when they all pass.
    Automatic(&'static [&'static str]),
    /// A command proves it: a `[[drill]]` whose `proves` names the item (or its gate), or a
    /// person's attestation. The gate it is.
    Drillable(&'static str),
    /// A person vouches for it, with evidence that expires. The gate it is.
    Attested(&'static str),
}

impl Proof {
    /// The class's name.
    pub fn class(self) -> &'static str {
        match self {
            Proof::Automatic(_) => "automatic",
            Proof::Drillable(_) => "drillable",
            Proof::Attested(_) => "attested",
        }
    }
}

/// One checklist item, worded as seed 001 words it.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    /// Its checklist.
    pub checklist: Checklist,
    /// The item, verbatim.
    pub text: &'static str,
    /// How it is proven.
    pub proof: Proof,
}

impl Item {
    /// The gate that is this item, for drillable and attested items.
    pub fn gate(&self) -> Option<&'static str> {
        match self.proof {
            Proof::Automatic(_) => None,
            Proof::Drillable(gate) | Proof::Attested(gate) => Some(gate),
        }
    }
}

const fn item(checklist: Checklist, text: &'static str, proof: Proof) -> Item {
    Item {
        checklist,
        text,
        proof,
    }
}

use Checklist::{Observability, Operational, Reliability, Security};
use Proof::{Attested, Automatic, Drillable};

/// Every item of the four checklists, in seed 001's order.
pub const ITEMS: &[Item] = &[
    item(
        Security,
        "Penetration test completed",
        Attested("R1.pentest.done"),
    ),
    item(
        Security,
        "OWASP Top 10 addressed",
        Attested("R1.owasp.addressed"),
    ),
    item(
        Security,
        "Dependency vulnerabilities patched",
        Automatic(&["R4.vulns"]),
    ),
    item(
        Security,
        "Secrets rotated and vaulted",
        Automatic(&[
            "R3.secrets.tree",
            "R3.secrets.history",
            "R3.identity.federated",
        ]),
    ),
    item(
        Security,
        "WAF/DDoS protection enabled",
        Attested("R1.waf.enabled"),
    ),
    item(
        Security,
        "Security headers configured",
        Automatic(&["R7.http.headers"]),
    ),
    item(
        Security,
        "Input validation comprehensive",
        Automatic(&["R5.input.rejected"]),
    ),
    item(
        Security,
        "Output encoding in place",
        Attested("R5.output.encoded"),
    ),
    item(
        Security,
        "CORS properly configured",
        Automatic(&["R1.http.cors"]),
    ),
    item(
        Security,
        "Rate limiting implemented",
        Automatic(&["R7.http.rate-limit"]),
    ),
    item(
        Reliability,
        "99.9% uptime architecture designed",
        Attested("R7.uptime.designed"),
    ),
    item(
        Reliability,
        "Auto-scaling configured",
        Attested("R7.autoscaling.configured"),
    ),
    item(
        Reliability,
        "Database failover tested",
        Drillable("R7.failover.drilled"),
    ),
    item(
        Reliability,
        "Backup/restore verified",
        Drillable("R7.dr.drilled"),
    ),
    item(
        Reliability,
        "Disaster recovery plan documented",
        Automatic(&["R7.runbooks"]),
    ),
    item(
        Reliability,
        "Load testing completed",
        Drillable("R7.load.tested"),
    ),
    item(
        Reliability,
        "Circuit breakers implemented",
        Automatic(&["R7.resilience.bounds"]),
    ),
    item(
        Reliability,
        "Graceful degradation planned",
        Attested("R7.degradation.planned"),
    ),
    item(
        Reliability,
        "Health checks comprehensive",
        Automatic(&["R7.health"]),
    ),
    item(
        Reliability,
        "Connection pooling optimized",
        Attested("R7.pooling.tuned"),
    ),
    item(
        Observability,
        "APM with distributed tracing",
        Automatic(&["R2.correlation"]),
    ),
    item(
        Observability,
        "Structured logging (JSON)",
        Attested("R2.logging.structured"),
    ),
    item(
        Observability,
        "Log aggregation configured",
        Attested("R2.logging.aggregated"),
    ),
    item(
        Observability,
        "Error tracking (Sentry, etc.)",
        Attested("R7.errors.tracked"),
    ),
    item(
        Observability,
        "Real user monitoring",
        Attested("R7.monitoring.rum"),
    ),
    item(
        Observability,
        "Synthetic monitoring",
        Attested("R7.monitoring.synthetic"),
    ),
    item(
        Observability,
        "Custom dashboards created",
        Attested("R7.dashboards.created"),
    ),
    item(
        Observability,
        "SLOs/SLAs defined",
        Automatic(&["R7.slo.defined"]),
    ),
    item(
        Observability,
        "Alerting rules comprehensive",
        Automatic(&["R7.alerts.runbooks"]),
    ),
    item(
        Observability,
        "On-call rotation established",
        Attested("R7.oncall.staffed"),
    ),
    item(
        Operational,
        "Runbooks for all critical paths",
        Automatic(&["R7.runbooks"]),
    ),
    item(
        Operational,
        "Incident response plan tested",
        Drillable("R7.incident.drilled"),
    ),
    item(
        Operational,
        "Post-mortem process defined",
        Attested("R7.postmortem.defined"),
    ),
    item(
        Operational,
        "Change management documented",
        Attested("R4.change.managed"),
    ),
    item(
        Operational,
        "Rollback procedures verified",
        Drillable("R7.rollback.drilled"),
    ),
    item(
        Operational,
        "Communication plan ready",
        Attested("R7.comms.ready"),
    ),
    item(
        Operational,
        "Status page configured",
        Attested("R7.statuspage.configured"),
    ),
    item(
        Operational,
        "Documentation complete",
        Attested("R7.docs.complete"),
    ),
    item(Operational, "Team trained", Attested("R7.team.trained")),
    item(
        Operational,
        "Compliance verified (if applicable)",
        Attested("R2.compliance.verified"),
    ),
];

/// The item named by its text or its gate's id (compared without regard to case or surrounding
/// space), as a drill's `proves` or `harden attest` names it.
pub fn item_named(name: &str) -> Option<&'static Item> {
    let name = name.trim();
    ITEMS.iter().find(|item| {
        item.text.eq_ignore_ascii_case(name)
            || item
                .gate()
                .is_some_and(|gate| gate.eq_ignore_ascii_case(name))
    })
}

/// The `[[drill]]` that proves `item`, if one is declared.
pub fn drill_for<'a>(
    item: &Item,
    drills: &'a [harden_config::Drill],
) -> Option<&'a harden_config::Drill> {
    drills
        .iter()
        .find(|d| item_named(&d.proves).is_some_and(|named| named.text == item.text))
}

/// The item whose gate this is.
pub fn item_of_gate(gate: &str) -> Option<&'static Item> {
    ITEMS.iter().find(|item| item.gate() == Some(gate))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seed 001's four checklists, verbatim: the catalogue holds every item, in order.
    const SEED_001: [(&str, &str); 4] = [
        (
            "Security",
            "Penetration test completed; OWASP Top 10 addressed; Dependency vulnerabilities patched; Secrets rotated and vaulted; WAF/DDoS protection enabled; Security headers configured; Input validation comprehensive; Output encoding in place; CORS properly configured; Rate limiting implemented",
        ),
        (
            "Reliability",
            "99.9% uptime architecture designed; Auto-scaling configured; Database failover tested; Backup/restore verified; Disaster recovery plan documented; Load testing completed; Circuit breakers implemented; Graceful degradation planned; Health checks comprehensive; Connection pooling optimized",
        ),
        (
            "Observability",
            "APM with distributed tracing; Structured logging (JSON); Log aggregation configured; Error tracking (Sentry, etc.); Real user monitoring; Synthetic monitoring; Custom dashboards created; SLOs/SLAs defined; Alerting rules comprehensive; On-call rotation established",
        ),
        (
            "Operational",
            "Runbooks for all critical paths; Incident response plan tested; Post-mortem process defined; Change management documented; Rollback procedures verified; Communication plan ready; Status page configured; Documentation complete; Team trained; Compliance verified (if applicable)",
        ),
    ];

    #[test]
    fn the_catalogue_holds_seed_001s_checklists_item_for_item() {
        let expected: Vec<(&str, &str)> = SEED_001
            .iter()
            .flat_map(|(list, items)| items.split("; ").map(move |item| (*list, item)))
            .collect();
        let actual: Vec<(&str, &str)> = ITEMS
            .iter()
            .map(|item| (item.checklist.as_str(), item.text))
            .collect();
        assert_eq!(actual, expected);
        assert_eq!(ITEMS.len(), 40);
    }

    #[test]
    fn every_automatic_item_names_gates_that_exist() {
        let catalogue = crate::registry().catalogue();
        for item in ITEMS {
            if let Proof::Automatic(gates) = item.proof {
                assert!(!gates.is_empty(), "{}", item.text);
                for gate in gates {
                    assert!(
                        catalogue.iter().any(|meta| meta.id.as_str() == *gate),
                        "{}: no gate {gate}",
                        item.text
                    );
                }
            }
        }
        assert_eq!(
            item_named(" backup/restore VERIFIED ").map(|i| i.text),
            Some("Backup/restore verified")
        );
    }
}
