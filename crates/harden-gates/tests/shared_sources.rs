//! The five gates that read every production source file share one read of each file through
//! the run cache when they run together: each must report exactly what it reports alone. (The
//! fixture harness runs every gate alone, so it never reaches the shared path.)
#![allow(clippy::disallowed_methods, clippy::unwrap_used)] // Test code: real files; panics are failures.

use std::path::Path;

use harden_config::ValidConfig;
use harden_engine::{FixedClock, Ports, RunCache, RunContext, RunOptions};
use harden_model::{GateResult, RunTarget, ToolInfo};
use harden_repo::WorkTree;
use harden_test::TestRepo;

/// The gates that read every production source file whole (`support::SOURCE_READERS` in the
/// crate, which is private to it: a sixth belongs in both lists).
const SOURCE_READERS: [&str; 5] = [
    "R3.secrets.tree",
    "R3.identity.federated",
    "R6.mocks.production",
    "R7.config.failfast",
    "R7.resilience.bounds",
];

/// Runs `gates` together over `root`; the results by gate, and the file bytes the run's cache
/// held at its end.
fn run(root: &Path, gates: &[&str]) -> (Vec<GateResult>, u64) {
    let registry = harden_gates::registry();
    let config = ValidConfig::defaults();
    let worktree = WorkTree::new(root);
    let clock = FixedClock("2026-12-01T00:00:00Z".parse().unwrap());
    let ports = Ports {
        repo: &worktree,
        history: Err("not a git repository".to_owned()),
        ledger: Err("no ledger configured".to_owned()),
        clock: &clock,
        env: &harden_engine::FixedEnvironment(std::collections::BTreeMap::default()),
        service: Err("no service".to_owned()),
        advisories: Err("no advisory database".to_owned()),
        cache: RunCache::default(),
    };
    let options = RunOptions {
        profile: config.resolve_profile(Some("production")).unwrap(),
        strict: false,
        only: gates.iter().map(|g| (*g).to_owned()).collect(),
        skip: Vec::new(),
        min_severity: None,
    };
    let context = RunContext {
        run_id: "shared-sources".into(),
        tool: ToolInfo {
            name: "harden".into(),
            version: "test".into(),
        },
        target: RunTarget::default(),
    };
    let report = harden_engine::run(&registry, &config, &ports, &options, context, &|_| {});
    (report.gates, ports.cache.held_bytes())
}

/// A result without its timings, to compare.
fn judged(result: &GateResult) -> serde_json::Value {
    let mut value = serde_json::to_value(result).unwrap();
    value["duration_ms"] = serde_json::json!(0);
    if let Some(evidence) = value.get_mut("evidence").and_then(|e| e.as_object_mut()) {
        evidence.remove("elapsed_ms");
    }
    value
}

#[test]
fn source_gates_together_report_what_each_reports_alone() {
    let repo = TestRepo::plain();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    // Each gate's failing fixture, side by side: every gate finds something in production
    // source another gate reads too. (Under a directory, the identity fixture's workflows are no
    // longer CI files; its Terraform, Bicep and Python still fail the gate.)
    for (gate, case) in [
        ("R3.secrets.tree", "planted-in-many-languages"),
        ("R3.identity.federated", "keys-in-ci-and-terraform"),
        ("R6.mocks.production", "doubles-in-production"),
        ("R7.config.failfast", "silent-defaults"),
        ("R7.resilience.bounds", "unbounded-calls"),
    ] {
        repo.copy_tree_under(
            &fixtures.join(gate).join("fail").join(case).join("repo"),
            gate,
        );
    }
    let (together, held_together) = run(repo.path(), &SOURCE_READERS);
    assert_eq!(together.len(), SOURCE_READERS.len());
    for result in &together {
        assert_eq!(
            result.outcome,
            harden_model::Outcome::Fail,
            "{} finds its fixture's defects",
            result.id
        );
        let (alone, held_alone) = run(repo.path(), &[result.id.as_str()]);
        assert_eq!(alone.len(), 1);
        assert_eq!(alone[0].id, result.id);
        assert_eq!(
            judged(&alone[0]),
            judged(result),
            "{} reports the same together and alone",
            result.id
        );
        // Together, the source files are held for the gates that read them after the first;
        // alone, a gate reads each once and holds none.
        assert!(
            held_together > held_alone,
            "{}: {held_together} bytes held together, {held_alone} alone",
            result.id
        );
    }
}
