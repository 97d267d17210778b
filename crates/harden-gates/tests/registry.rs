//! Meta-tests over the registry: the one list of gates is well-formed and covers the spec.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use harden_model::GateId;

/// Gate ids required by SPEC §3, with the issue that delivers each one not registered yet. As
/// gates land, they move from this list to the registry; the test keeps the two in step.
const SPEC: &[(&str, Option<&str>)] = &[
    ("R0.scope.declared", None),
    ("R0.contracts.present", None),
    ("R0.contracts.breaking", None),
    ("R1.auth.enforced", None),
    ("R1.tenancy.isolation", None),
    ("R1.network.exposure", None),
    ("R2.ledger.intact", None),
    ("R2.correlation", None),
    ("R3.secrets.tree", None),
    ("R3.secrets.history", None),
    ("R3.secrets.logs", None),
    ("R3.secrets.envfiles", None),
    ("R3.identity.federated", None),
    ("R3.errors.leak", None),
    ("R4.lockfiles", None),
    ("R4.pinning.actions", None),
    ("R4.pinning.images", None),
    ("R4.ci.ignore-errors", None),
    ("R4.ci.permissions", None),
    ("R4.ci.injection", None),
    ("R4.docker.hygiene", None),
    ("R4.deploy.promotion", None),
    ("R4.vulns", None),
    ("R4.sbom", None),
    ("R5.input.rejected", None),
    ("R6.mocks.production", None),
    ("R6.idempotency", None),
    ("R7.migrations.reversible", None),
    ("R7.runbooks", None),
    ("R7.alerts.runbooks", None),
    ("R7.slo.defined", None),
    ("R7.config.failfast", None),
    ("R7.resilience.bounds", None),
];

#[test]
fn ids_are_well_formed_unique_and_in_their_round() {
    let catalogue = harden_gates::registry().catalogue();
    let mut seen = BTreeSet::new();
    for gate in &catalogue {
        assert!(GateId::is_well_formed(gate.id.as_str()), "{}", gate.id);
        assert!(
            seen.insert(gate.id.as_str()),
            "{} registered twice",
            gate.id
        );
        assert_eq!(
            gate.id.round(),
            Some(gate.round),
            "{}: round disagrees with the id",
            gate.id
        );
        assert!(!gate.title.is_empty(), "{}: no title", gate.id);
        assert!(
            gate.rationale.len() >= 200,
            "{}: the rationale must say what, why and how to fix",
            gate.id
        );
        assert!(
            !gate.evidence.is_empty(),
            "{}: promises no evidence",
            gate.id
        );
    }
}

#[test]
fn catalogue_is_in_round_order() {
    let catalogue = harden_gates::registry().catalogue();
    let rounds: Vec<_> = catalogue.iter().map(|g| g.round).collect();
    let mut sorted = rounds.clone();
    sorted.sort();
    assert_eq!(rounds, sorted, "registry.rs lists gates in round order");
}

#[test]
fn every_spec_gate_is_registered_or_pending() {
    let registered: BTreeSet<&str> = harden_gates::registry()
        .catalogue()
        .iter()
        .map(|g| g.id.as_str())
        .collect();
    for (id, pending) in SPEC {
        match pending {
            None => assert!(
                registered.contains(id),
                "{id} is marked delivered but not registered"
            ),
            Some(issue) => assert!(
                !registered.contains(id),
                "{id} is registered: remove it from the pending list ({issue})"
            ),
        }
    }
}
