//! `gates`, `explain`, `config check`, `config schema`.

use crate::{harden, ready_repo, snapshot, stderr, stdout};
use harden_test::TestRepo;

#[test]
fn gates_lists_the_catalogue() {
    let repo = TestRepo::plain();
    let output = harden(repo.path()).arg("gates").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    snapshot!(stdout(&output));
    let json = harden(repo.path())
        .args(["gates", "--format", "json"])
        .output()
        .unwrap();
    let gates: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(
        gates
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["id"] == "R7.runbooks")
    );
}

#[test]
fn explain_tells_what_why_and_how() {
    let repo = TestRepo::plain();
    let output = harden(repo.path())
        .args(["explain", "R7.runbooks"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    snapshot!(stdout(&output));
    let unknown = harden(repo.path())
        .args(["explain", "R7.runbook"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("did you mean R7.runbooks"));
}

/// A gate that reads some languages or files only says which, so a skip for "none in the
/// repository" can be checked against it.
#[test]
fn explain_names_what_a_gate_reads() {
    let repo = TestRepo::plain();
    let output = harden(repo.path())
        .args(["explain", "R7.resilience.bounds"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    let reads = text
        .lines()
        .find(|l| l.starts_with("reads "))
        .expect("a reads line");
    assert!(
        reads.contains("Python, Rust, Go, JavaScript/TypeScript, Java/Kotlin or C# source"),
        "{reads}"
    );
    assert!(text.contains("**/*.cs"), "{text}");
}

/// The rule a secret finding names (`rule github-pat: ...`) is explained like a gate.
#[test]
fn explain_knows_the_secret_rules_findings_name() {
    let repo = TestRepo::plain();
    let output = harden(repo.path())
        .args(["explain", "github-pat"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    snapshot!(stdout(&output));
    let unknown = harden(repo.path())
        .args(["explain", "github-pt"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("did you mean github-pat"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn config_check_reports_valid_and_invalid() {
    let repo = ready_repo();
    let ok = harden(repo.path())
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    assert!(stdout(&ok).contains("harden.toml: valid"));
    repo.write("harden.toml", "version = 1\n[service]\nname = 3\n[[waiver]]\ngate = \"R7.runbooks\"\nexpires = 2026-02-30\n");
    let bad = harden(repo.path())
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    snapshot!(stderr(&bad));
    let none = harden(TestRepo::plain().path())
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(2));
}

#[test]
fn config_schema_is_json_schema() {
    let output = harden(TestRepo::plain().path())
        .args(["config", "schema"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(jsonschema::validator_for(&schema).is_ok());
    assert_eq!(schema["title"], "harden.toml");
}

#[test]
fn help_reads_like_a_manual() {
    let output = harden(TestRepo::plain().path())
        .args(["check", "--help"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let help = stdout(&output);
    for needle in [
        "--strict",
        "--format",
        "--ledger",
        "--profile",
        "skipped",
        "evidence ledger",
    ] {
        assert!(help.contains(needle), "check --help mentions {needle}");
    }
}
