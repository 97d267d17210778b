//! Issue 20: nothing silent, nothing unbounded, nothing the scanned repository can turn against
//! the scanner. One regression test per class, named after it.

use crate::{harden, ready_repo, stdout};

/// Deeply nested YAML, JSON and TOML are findings at their line, never a crashed run.
#[test]
fn deep_nesting_in_any_parsed_file_is_a_finding_not_a_crash() {
    let repo = ready_repo();
    let deep_yaml = format!(
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\nx:\n{}a\n",
        "- ".repeat(5_000)
    );
    repo.write(".github/workflows/ci.yml", deep_yaml)
        .write(
            "package.json",
            format!(
                "{{\"name\":\"x\",\"z\":{}{}}}",
                "[".repeat(5_000),
                "]".repeat(5_000)
            ),
        )
        .write(
            "Cargo.toml",
            format!(
                "[package]\nname = \"x\"\nversion = \"0.1.0\"\nz = {}{}\n",
                "[".repeat(5_000),
                "]".repeat(5_000)
            ),
        );
    let output = harden(repo.path())
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let messages: Vec<String> = report["gates"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["findings"].as_array().cloned().unwrap_or_default())
        .map(|f| format!("{} {}", f["location"]["path"], f["message"]))
        .collect();
    let text = messages.join("\n");
    assert!(
        text.contains("ci.yml") && text.contains("nesting deeper than 256"),
        "{text}"
    );
    assert!(
        text.contains("package.json") && text.contains("recursion limit"),
        "{text}"
    );
    assert!(
        text.contains("Cargo.toml") && text.contains("recursion"),
        "{text}"
    );
    // The run was recorded despite the hostile files.
    let log = harden(repo.path())
        .args(["ledger", "log"])
        .output()
        .unwrap();
    assert!(stdout(&log).contains("run"), "{log:?}");
}
