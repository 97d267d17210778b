//! The runner's policy, with small gates written for these tests: outcomes, skips that are
//! never silent, strict mode, errors and panics as failures, remaps, and deterministic order.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use harden_config::ValidConfig;
use harden_engine::{
    FixedClock, Gate, GateCx, GateError, GateOutput, Ports, Registry, RunContext, RunOptions,
};
use harden_model::{
    GateId, GateMeta, Location, Outcome, ProfileLevel, Round, RunReport, RunTarget, Severity,
    Target, ToolInfo,
};
use harden_repo::WorkTree;

#[derive(Clone, Copy)]
enum Behaviour {
    Examines(u64),
    Finds(usize),
    Skips,
    Errors,
    Panics,
    NeedsHistory,
    Sleeps(u64),
    Reports,
}

struct TestGate(&'static GateMeta, Behaviour);

impl Gate for TestGate {
    fn meta(&self) -> &'static GateMeta {
        self.0
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        match self.1 {
            Behaviour::Examines(n) => out.examined("items", n),
            Behaviour::Finds(k) => {
                out.examined("items", 3);
                for i in 0..k {
                    let location = Location::File {
                        path: format!("f{i}.txt"),
                        span: None,
                        snippet: None,
                        logical: None,
                    };
                    out.finding(cx.finding(format!("problem {i}"), location).build());
                }
            }
            Behaviour::Skips => {
                return Err(GateError::Skip("not applicable: no Dockerfile".into()));
            }
            Behaviour::Errors => {
                return Err(GateError::Failed {
                    message: "cannot parse ci.yml".into(),
                    location: None,
                });
            }
            Behaviour::Panics => panic!("bug in a gate"),
            Behaviour::NeedsHistory => {
                cx.history()?;
                out.examined("commits", 1);
            }
            Behaviour::Reports => {
                cx.progress("1 of 2 items");
                out.examined("items", 2);
            }
            Behaviour::Sleeps(ms) => {
                std::thread::sleep(Duration::from_millis(ms));
                out.examined("items", 1);
            }
        }
        Ok(())
    }
}

macro_rules! meta {
    ($name:ident, $id:literal) => {
        static $name: GateMeta = GateMeta {
            id: GateId::from_static($id),
            round: Round::R5,
            title: $id,
            severity: Severity::High,
            target: Target::Repository,
            min_profile: ProfileLevel::Prototype,
            rationale: "test",
            evidence: &["items"],
            options: &[],
            items: None,
        };
    };
}

meta!(EXAMINES, "R5.test.examines");
meta!(EMPTY, "R5.test.empty");
meta!(FINDS, "R5.test.finds");
meta!(SKIPS, "R5.test.skips");
meta!(ERRORS, "R5.test.errors");
meta!(PANICS, "R5.test.panics");
meta!(HISTORY, "R5.test.history");
meta!(DISABLED, "R5.test.disabled");

fn registry() -> Registry {
    let mut registry = Registry::new();
    for (meta, behaviour) in [
        (&EXAMINES, Behaviour::Examines(2)),
        (&EMPTY, Behaviour::Examines(0)),
        (&FINDS, Behaviour::Finds(2)),
        (&SKIPS, Behaviour::Skips),
        (&ERRORS, Behaviour::Errors),
        (&PANICS, Behaviour::Panics),
        (&HISTORY, Behaviour::NeedsHistory),
        (&DISABLED, Behaviour::Finds(1)),
    ] {
        registry.register(Box::new(TestGate(meta, behaviour)));
    }
    registry
}

const CONFIG: &str = r#"version = 1
[gates."R5.test.disabled"]
enabled = false   # not applicable here
[gates."R5.test.finds"]
severity = "low"
"#;

fn run(registry: &Registry, strict: bool) -> RunReport {
    let config = harden_config::load("harden.toml", CONFIG, &registry.catalogue()).unwrap();
    run_with(registry, &config, strict)
}

fn run_with(registry: &Registry, config: &ValidConfig, strict: bool) -> RunReport {
    run_observed(registry, config, strict, &|_| {})
}

fn run_observed(
    registry: &Registry,
    config: &ValidConfig,
    strict: bool,
    progress: &(dyn Fn(harden_engine::Progress<'_>) + Sync),
) -> RunReport {
    let dir = tempfile::tempdir().unwrap();
    let tree = WorkTree::new(dir.path());
    let clock = FixedClock("2026-11-22T12:00:00Z".parse().unwrap());
    let ports = Ports {
        repo: &tree,
        history: Err("no git history: not a git repository".into()),
        ledger: Err("no ledger".into()),
        clock: &clock,
        env: &harden_engine::FixedEnvironment::default(),
        service: Err("no [target] in harden.toml: live gates need a running service".into()),
        advisories: Err("no advisory database in this run".into()),
        cache: harden_engine::RunCache::default(),
    };
    let options = RunOptions {
        profile: config.resolve_profile(None).unwrap(),
        strict,
        only: Vec::new(),
        skip: Vec::new(),
        min_severity: None,
    };
    let context = RunContext {
        run_id: "test".into(),
        tool: ToolInfo {
            name: "harden".into(),
            version: "test".into(),
        },
        target: RunTarget::default(),
    };
    harden_engine::run(registry, config, &ports, &options, context, progress)
}

fn outcome(report: &RunReport, id: &str) -> (Outcome, String) {
    let gate = report.gates.iter().find(|g| g.id.as_str() == id).unwrap();
    (gate.outcome, gate.reason.clone().unwrap_or_default())
}

#[test]
fn every_outcome_is_decided_by_the_engine() {
    let report = run(&registry(), false);
    assert_eq!(outcome(&report, "R5.test.examines").0, Outcome::Pass);
    assert_eq!(
        outcome(&report, "R5.test.empty"),
        (Outcome::Skipped, "nothing to examine".into())
    );
    assert_eq!(outcome(&report, "R5.test.finds").0, Outcome::Fail);
    assert_eq!(
        outcome(&report, "R5.test.skips"),
        (Outcome::Skipped, "not applicable: no Dockerfile".into())
    );
    assert_eq!(
        outcome(&report, "R5.test.errors"),
        (Outcome::Fail, "error: cannot parse ci.yml".into())
    );
    let (panicked, reason) = outcome(&report, "R5.test.panics");
    assert_eq!(panicked, Outcome::Fail);
    assert!(reason.contains("panicked"), "{reason}");
    assert_eq!(
        outcome(&report, "R5.test.history"),
        (
            Outcome::Skipped,
            "no git history: not a git repository".into()
        )
    );
    assert_eq!(
        outcome(&report, "R5.test.disabled"),
        (
            Outcome::Skipped,
            "disabled in harden.toml:3: not applicable here".into()
        )
    );
    assert_eq!(report.summary.passed, 1);
    assert_eq!(report.summary.failed, 3);
    assert_eq!(report.summary.skipped, 4);
    assert_eq!(harden_engine::exit_code(&report), 1);
}

#[test]
fn strict_fails_skipped_gates_but_not_disabled_ones() {
    let report = run(&registry(), true);
    for id in ["R5.test.empty", "R5.test.skips", "R5.test.history"] {
        let (outcome, reason) = outcome(&report, id);
        assert_eq!(outcome, Outcome::Fail, "{id}");
        assert!(
            reason.starts_with("required gate did not run (--strict)"),
            "{id}: {reason}"
        );
    }
    assert_eq!(outcome(&report, "R5.test.disabled").0, Outcome::Skipped);
}

#[test]
fn severity_remap_is_applied_and_recorded() {
    let report = run(&registry(), false);
    let finds = report
        .gates
        .iter()
        .find(|g| g.id.as_str() == "R5.test.finds")
        .unwrap();
    assert_eq!(finds.severity, Severity::Low);
    assert_eq!(finds.default_severity, Severity::High);
    assert!(finds.findings.iter().all(|f| f.severity == Severity::Low));
}

#[test]
fn results_keep_registry_order_whatever_finishes_first() {
    let ids: Vec<&'static str> = (0..24)
        .map(|i| &*Box::leak(format!("R5.order.g{i:02}").into_boxed_str()))
        .collect();
    let metas: Vec<&'static GateMeta> = ids
        .iter()
        .map(|id| {
            &*Box::leak(Box::new(GateMeta {
                id: GateId::from_static(id),
                round: Round::R5,
                title: "order",
                severity: Severity::Low,
                target: Target::Repository,
                min_profile: ProfileLevel::Prototype,
                rationale: "test",
                evidence: &[],
                options: &[],
                items: None,
            }))
        })
        .collect();
    let mut registry = Registry::new();
    for (i, meta) in metas.iter().enumerate() {
        // Later gates finish first.
        registry.register(Box::new(TestGate(
            meta,
            Behaviour::Sleeps(((24 - i) % 7) as u64 * 3),
        )));
    }
    let config = ValidConfig::defaults();
    for _ in 0..3 {
        let report = run_with(&registry, &config, false);
        let got: Vec<&str> = report.gates.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(got, ids);
    }
}

#[test]
fn exit_code_is_zero_when_failures_are_waived() {
    let mut registry = Registry::new();
    registry.register(Box::new(TestGate(&FINDS, Behaviour::Finds(1))));
    let config = harden_config::load(
        "harden.toml",
        "version = 1\n[[waiver]]\ngate = \"R5.test.finds\"\nreason = \"r\"\nowner = \"o\"\nreference = \"W-1\"\nexpires = 2027-01-01\n",
        &registry.catalogue(),
    )
    .unwrap();
    let report = run_with(&registry, &config, true);
    assert_eq!(report.gates[0].outcome, Outcome::Waived);
    assert_eq!(harden_engine::exit_code(&report), 0);
}

static PRODUCTION_ONLY: GateMeta = GateMeta {
    id: GateId::from_static("R5.test.production"),
    round: Round::R5,
    title: "production only",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "test",
    evidence: &["items"],
    options: &[],
    items: None,
};

#[test]
fn enabled_true_adds_a_gate_the_profile_leaves_out() {
    let mut registry = Registry::new();
    registry.register(Box::new(TestGate(&EXAMINES, Behaviour::Examines(1))));
    registry.register(Box::new(TestGate(&PRODUCTION_ONLY, Behaviour::Examines(1))));
    let load =
        |text: &str| harden_config::load("harden.toml", text, &registry.catalogue()).unwrap();
    let lean = load("version = 1\n[service]\nname = \"x\"\nprofile = \"prototype\"\n");
    let ids = |report: &RunReport| {
        report
            .gates
            .iter()
            .map(|g| g.id.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&run_with(&registry, &lean, false)),
        ["R5.test.examines"]
    );
    let opted_in = load(
        "version = 1\n[service]\nname = \"x\"\nprofile = \"prototype\"\n[gates.\"R5.test.production\"]\nenabled = true\n",
    );
    assert_eq!(
        ids(&run_with(&registry, &opted_in, false)),
        ["R5.test.examines", "R5.test.production"]
    );
}

meta!(REPORTS, "R5.test.reports");

/// Each gate is announced when it starts and when it finishes, and what a gate says of its
/// progress in between reaches the observer under its id.
#[test]
fn progress_names_each_gate_from_start_to_finish() {
    let mut registry = Registry::new();
    registry.register(Box::new(TestGate(&REPORTS, Behaviour::Reports)));
    registry.register(Box::new(TestGate(&EXAMINES, Behaviour::Examines(1))));
    let config =
        harden_config::load("harden.toml", "version = 1\n", &registry.catalogue()).unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    run_observed(&registry, &config, false, &|p| {
        let step = match p.step {
            harden_engine::Step::Started => "started".to_owned(),
            harden_engine::Step::Working(detail) => detail.to_owned(),
            harden_engine::Step::Finished => format!("finished {}/{}", p.done, p.total),
        };
        seen.lock().unwrap().push((p.gate.to_string(), step));
    });
    let seen = seen.into_inner().unwrap();
    let of = |gate: &str| -> Vec<String> {
        seen.iter()
            .filter(|(g, _)| g == gate)
            .map(|(_, s)| s.clone())
            .collect()
    };
    assert_eq!(of("R5.test.reports")[..2], ["started", "1 of 2 items"]);
    assert!(of("R5.test.reports")[2].starts_with("finished "));
    assert_eq!(of("R5.test.examines")[0], "started");
    let finished: Vec<&String> = seen
        .iter()
        .map(|(_, s)| s)
        .filter(|s| s.starts_with("finished"))
        .collect();
    assert_eq!(finished.len(), 2);
    assert!(finished.iter().any(|s| *s == "finished 2/2"));
}
