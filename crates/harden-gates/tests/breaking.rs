//! R0.contracts.breaking on real git repositories: the base version of a contract committed,
//! the new one in the working tree or on a branch, compared with the merge base that `--base`
//! (the `base` option), the CI's target branch or `origin/HEAD` names.
#![allow(clippy::disallowed_methods, clippy::unwrap_used)] // Test code: real files; panics are failures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use harden_config::{OptionValue, ValidConfig};
use harden_engine::{FixedClock, FixedEnvironment, Ports, RunContext, RunOptions};
use harden_model::{GateId, GateResult, Location, Outcome, RunTarget, ToolInfo};
use harden_repo::{GitHistory, WorkTree};
use harden_test::TestRepo;

const GATE: &str = "R0.contracts.breaking";
const DATE: &str = "2026-11-01T10:00:00Z";

fn case(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../harden-formats/tests/data/openapi-diff")
        .join(name)
}

/// A repository whose `main` holds the base version of `name` under `api/`, with the head
/// version written over it in the working tree (not committed).
fn repo_with_change(name: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.copy_tree(&case(name).join("base"));
    move_into_api(&repo);
    repo.commit("base", DATE);
    let head = tempfile::tempdir().unwrap();
    copy(&case(name).join("head"), head.path());
    for entry in walk(head.path()) {
        let relative = entry.strip_prefix(head.path()).unwrap();
        repo.write(
            &format!("api/{}", relative.to_string_lossy()),
            std::fs::read(&entry).unwrap(),
        );
    }
    repo
}

fn move_into_api(repo: &TestRepo) {
    for entry in walk(repo.path()) {
        let relative = entry.strip_prefix(repo.path()).unwrap().to_owned();
        if relative.starts_with(".git") {
            continue;
        }
        let text = std::fs::read(&entry).unwrap();
        std::fs::remove_file(&entry).unwrap();
        repo.write(&format!("api/{}", relative.to_string_lossy()), text);
    }
}

fn copy(from: &Path, to: &Path) {
    for entry in walk(from) {
        let target = to.join(entry.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&entry, target).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn run(repo: &TestRepo, base: Option<&str>, env: &[(&str, &str)]) -> GateResult {
    let mut config = ValidConfig::defaults();
    if let Some(base) = base {
        config
            .gates
            .entry(GateId::from_static(GATE))
            .or_default()
            .options
            .insert("base".into(), OptionValue::String(base.into()));
    }
    let worktree = WorkTree::new(repo.path());
    let history = GitHistory::open(repo.path()).unwrap();
    let clock = FixedClock("2026-11-22T12:00:00Z".parse().unwrap());
    let env = FixedEnvironment(
        env.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
    );
    let ports = Ports {
        repo: &worktree,
        history: Ok(&history),
        ledger: Err("none".into()),
        clock: &clock,
        env: &env,
        service: Err("none".into()),
        advisories: Err("none".into()),
        cache: harden_engine::RunCache::default(),
    };
    let options = RunOptions {
        profile: config.resolve_profile(Some("production")).unwrap(),
        strict: false,
        only: vec![GATE.into()],
        skip: Vec::new(),
        min_severity: None,
    };
    let context = RunContext {
        run_id: "breaking".into(),
        tool: ToolInfo {
            name: "harden".into(),
            version: "test".into(),
        },
        target: RunTarget::default(),
    };
    let registry = harden_gates::registry();
    let mut report = harden_engine::run(&registry, &config, &ports, &options, context, &|_| {});
    report.gates.remove(0)
}

fn messages(result: &GateResult) -> Vec<String> {
    result.findings.iter().map(|f| f.message.clone()).collect()
}

#[test]
fn a_breaking_change_fails_at_both_versions_locations() {
    let repo = repo_with_change("30-external-ref-breaking");
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let result = run(&repo, Some("main"), &[]);
    assert_eq!(result.outcome, Outcome::Fail, "{result:#?}");
    let [finding] = result.findings.as_slice() else {
        panic!("{:?}", messages(&result));
    };
    assert!(
        finding
            .message
            .contains("POST /items, request body .currency: a new required property"),
        "{}",
        finding.message
    );
    // Where it is now: the referenced file, at the property's line.
    let Location::File { path, span, .. } = &finding.location else {
        panic!("{:?}", finding.location);
    };
    assert_eq!(path, "api/schemas/new-item.yaml");
    assert_eq!(span.unwrap().start.line, 5);
    // Where it was: the same file at the base commit.
    let Some(Location::Commit { commit, path, .. }) = finding.related.first() else {
        panic!("{:?}", finding.related);
    };
    assert_eq!(commit, &base);
    assert_eq!(path, "api/schemas/new-item.yaml");
    assert_eq!(result.evidence.examined["contracts"], 1);
}

#[test]
fn additions_descriptions_refs_and_renamed_parameters_pass() {
    for name in [
        "20-additions",
        "22-inline-schema-moved-to-ref",
        "23-renamed-path-parameter",
        "31-inline-moved-to-external-file",
    ] {
        let repo = repo_with_change(name);
        let result = run(&repo, Some("main"), &[]);
        assert_eq!(
            result.outcome,
            Outcome::Pass,
            "{name}: {:?}",
            messages(&result)
        );
        assert!(result.evidence.counts["operations compared"] > 0);
    }
}

#[test]
fn a_deleted_contract_breaks_and_a_moved_one_is_compared_by_title() {
    let repo = repo_with_change("20-additions");
    std::fs::remove_file(repo.path().join("api/openapi.yaml")).unwrap();
    let result = run(&repo, Some("main"), &[]);
    assert_eq!(result.outcome, Outcome::Fail);
    assert!(
        messages(&result)[0].contains("api/openapi.yaml: the contract is gone (4 operations"),
        "{:?}",
        messages(&result)
    );
    // Moved, with its title: compared with the old path's version, and unchanged.
    repo.write(
        "docs/api/shop.yaml",
        std::fs::read(case("20-additions").join("base/openapi.yaml")).unwrap(),
    );
    let result = run(&repo, Some("main"), &[]);
    assert_eq!(result.outcome, Outcome::Pass, "{:?}", messages(&result));
}

#[test]
fn in_ci_the_pull_requests_base_branch_is_the_base() {
    let repo = TestRepo::new();
    repo.copy_tree(&case("10-removed-enum-value-input").join("base"));
    repo.commit("base", DATE);
    repo.git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.copy_tree(&case("10-removed-enum-value-input").join("head"));
    repo.commit("narrow the colours", "2026-11-02T10:00:00Z");
    // Committed on the branch: the working tree equals HEAD, the base is where it forked.
    let result = run(&repo, None, &[("GITHUB_BASE_REF", "main")]);
    assert_eq!(result.outcome, Outcome::Fail);
    assert!(messages(&result)[0].contains("`blue` no longer accepted"));
    assert!(result.evidence.facts["base"].contains("origin/main"));
    // Without CI and without origin/HEAD there is nothing to compare with: skipped, saying how.
    let result = run(&repo, None, &[]);
    assert_eq!(result.outcome, Outcome::Skipped);
    assert!(result.reason.as_deref().unwrap().contains("--base"));
    // The clone's default branch is the base when nothing else names one.
    repo.git(&[
        "symbolic-ref",
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/main",
    ]);
    assert_eq!(run(&repo, None, &[]).outcome, Outcome::Fail);
}

#[test]
fn a_base_that_does_not_exist_fails_the_gate_with_the_reason() {
    let repo = repo_with_change("20-additions");
    let result = run(&repo, Some("no-such-branch"), &[]);
    assert_eq!(result.outcome, Outcome::Fail);
    assert!(
        result.reason.as_deref().unwrap().contains("no-such-branch"),
        "{:?}",
        result.reason
    );
}
