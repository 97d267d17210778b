//! Engine overhead for 1,000 trivial gates: a full `harden_engine::run` (selection, parallel
//! execution, outcome decisions, waiver application, report assembly) against a reference
//! measured in the same run: calling the same gates' `check` directly in a loop.
//!
//! `cargo bench -p harden-engine --bench engine`
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::print_stdout,
    missing_docs
)]

use std::time::Instant;

use harden_config::ValidConfig;
use harden_engine::{
    FixedClock, Gate, GateCx, GateError, GateOutput, Ports, Registry, RunContext, RunOptions,
};
use harden_model::{GateId, GateMeta, ProfileLevel, Round, RunTarget, Severity, Target, ToolInfo};
use harden_repo::WorkTree;

struct Trivial(&'static GateMeta);

impl Gate for Trivial {
    fn meta(&self) -> &'static GateMeta {
        self.0
    }

    fn check(&self, _: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        out.examined("items", 1);
        Ok(())
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    const GATES: usize = 1_000;
    const RUNS: usize = 31;
    let mut registry = Registry::new();
    for i in 0..GATES {
        let id: &'static str = Box::leak(format!("R5.bench.g{i:04}").into_boxed_str());
        let meta: &'static GateMeta = Box::leak(Box::new(GateMeta {
            id: GateId::from_static(id),
            round: Round::R5,
            title: "trivial",
            severity: Severity::Low,
            target: Target::Repository,
            min_profile: ProfileLevel::Prototype,
            rationale: "bench",
            evidence: &[],
            options: &[],
            items: None,
        }));
        registry.register(Box::new(Trivial(meta)));
    }
    let config = ValidConfig::defaults();
    let dir = tempfile::tempdir().unwrap();
    let tree = WorkTree::new(dir.path());
    let clock = FixedClock("2026-11-22T12:00:00Z".parse().unwrap());
    let ports = Ports {
        repo: &tree,
        history: Err("none".into()),
        ledger: Err("none".into()),
        clock: &clock,
        env: &harden_engine::FixedEnvironment::default(),
        service: Err("no [target] in harden.toml: live gates need a running service".into()),
        advisories: Err("no advisory database in this run".into()),
        cache: harden_engine::RunCache::default(),
    };
    let options = RunOptions {
        profile: config.resolve_profile(None).unwrap(),
        strict: true,
        only: Vec::new(),
        skip: Vec::new(),
        min_severity: None,
    };
    let mut engine = Vec::new();
    let mut reference = Vec::new();
    for _ in 0..RUNS {
        let context = RunContext {
            run_id: "bench".into(),
            tool: ToolInfo {
                name: "harden".into(),
                version: "bench".into(),
            },
            target: RunTarget::default(),
        };
        let started = Instant::now();
        let report = harden_engine::run(&registry, &config, &ports, &options, context, &|_| {});
        engine.push(started.elapsed().as_secs_f64());
        assert_eq!(report.summary.passed as usize, GATES);

        let started = Instant::now();
        let mut examined = 0;
        for gate in registry.gates() {
            let cx = GateCx::new(gate.meta(), &config, &ports);
            let mut out = GateOutput::default();
            gate.check(&cx, &mut out).unwrap();
            examined += 1;
        }
        reference.push(started.elapsed().as_secs_f64());
        assert_eq!(examined, GATES);
    }
    let (engine, reference) = (median(engine), median(reference));
    println!(
        "engine run of {GATES} trivial gates: {:.3} ms (median of {RUNS}); direct calls: {:.3} ms; overhead {:.2} µs per gate; ratio {:.1}",
        engine * 1e3,
        reference * 1e3,
        (engine - reference) / GATES as f64 * 1e6,
        engine / reference
    );
}
