//! The GitHub Action (`action.yml`) and the GitLab CI template, run the way their runners run
//! them: each shell step with the environment the runner gives it, against fixture repositories.
//! `uses:` steps (cache, SARIF upload) are the runner's and are only checked to be pinned.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use harden_formats::yaml::{self, Node};

use super::ready_repo;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn document(relative: &str) -> Node {
    let text = std::fs::read_to_string(workspace().join(relative)).unwrap();
    yaml::parse(&text)
        .unwrap_or_else(|e| panic!("{relative}: {e:?}"))
        .remove(0)
}

fn scalar(node: &Node) -> String {
    node.scalar_text().expect("a scalar")
}

fn map(node: Option<&Node>) -> BTreeMap<String, String> {
    node.map(|n| {
        n.entries()
            .iter()
            .map(|(k, v)| (k.text.clone(), scalar(v)))
            .collect()
    })
    .unwrap_or_default()
}

/// `${{ inputs.NAME }}` and `${{ steps.ID.outputs.NAME }}`: the only expressions the action's
/// step environments may use (anything else fails the test, so none slips in unevaluated).
fn expand(
    value: &str,
    inputs: &BTreeMap<String, String>,
    outputs: &BTreeMap<String, BTreeMap<String, String>>,
) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = start + rest[start..].find("}}").expect("a closed expression");
        let expression = rest[start + 3..end].trim();
        let value = if let Some(name) = expression.strip_prefix("inputs.") {
            inputs[name].clone()
        } else if let Some((id, name)) = expression
            .strip_prefix("steps.")
            .and_then(|p| p.split_once(".outputs."))
        {
            outputs[id][name].clone()
        } else {
            panic!("an expression the test does not evaluate: {expression}");
        };
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn key_values(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// A directory holding a `cargo` that records its arguments and "installs" the harden under
/// test where `--root` says, as `cargo install` would.
fn fake_cargo(dir: &Path) -> PathBuf {
    let bin = dir.join("fake-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("cargo");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" >> \"{log}\"\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = --root ]; then root=\"$2\"; fi\n  shift\ndone\nmkdir -p \"$root/bin\" && cp \"{harden}\" \"$root/bin/harden\"\n",
            log = dir.join("cargo.log").display(),
            harden = env!("CARGO_BIN_EXE_harden"),
        ),
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&script).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&script, permissions).unwrap();
    bin
}

struct ActionRun {
    /// The last step's exit code (the action's verdict).
    exit: i32,
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    log: String,
}

/// Runs action.yml's shell steps in `repo` as a GitHub runner would (`bash -e`, inputs through
/// `env`, `$GITHUB_OUTPUT`, `$GITHUB_PATH`, `$GITHUB_ACTION_PATH`), stopping at a failing step.
fn run_action(repo: &Path, scratch: &Path, fake_bin: &Path, given: &[(&str, &str)]) -> ActionRun {
    let action = document("action.yml");
    let mut inputs: BTreeMap<String, String> = action
        .get("inputs")
        .unwrap()
        .entries()
        .iter()
        .map(|(k, v)| {
            (
                k.text.clone(),
                v.get("default").map(scalar).unwrap_or_default(),
            )
        })
        .collect();
    for (name, value) in given {
        assert!(inputs.contains_key(*name), "no input {name}");
        inputs.insert((*name).to_owned(), (*value).to_owned());
    }
    let home = scratch.join("home");
    let temp = scratch.join("runner-temp");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&temp).unwrap();
    let github_path = scratch.join("github-path");
    let _ = std::fs::remove_file(&github_path);
    let mut outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut log = String::new();
    let mut exit = 0;
    let steps = action.get("runs").unwrap().get("steps").unwrap();
    for (index, step) in steps.items().iter().enumerate() {
        if let Some(uses) = step.get("uses") {
            let uses = scalar(uses);
            let (_, reference) = uses.split_once('@').expect("a ref");
            assert!(
                reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit()),
                "{uses} is not pinned to a commit"
            );
            continue;
        }
        let id = step
            .get("id")
            .map_or_else(|| format!("step{index}"), scalar);
        let script = scalar(step.get("run").expect("a run step"));
        let output_file = scratch.join(format!("output-{id}"));
        let _ = std::fs::remove_file(&output_file);
        let added_path = std::fs::read_to_string(&github_path).unwrap_or_default();
        let path = added_path
            .lines()
            .map(str::to_owned)
            .chain([
                fake_bin.display().to_string(),
                std::env::var("PATH").unwrap(),
            ])
            .collect::<Vec<_>>()
            .join(":");
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
            .current_dir(repo)
            .env("PATH", path)
            .env("HOME", &home)
            .env("RUNNER_TEMP", &temp)
            .env("GITHUB_ACTION_PATH", workspace())
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_PATH", &github_path)
            .env("NO_COLOR", "1");
        for (name, value) in map(step.get("env")) {
            command.env(name, expand(&value, &inputs, &outputs));
        }
        let output = command.output().unwrap();
        log.push_str(&String::from_utf8_lossy(&output.stdout));
        log.push_str(&String::from_utf8_lossy(&output.stderr));
        outputs.insert(id, key_values(&output_file));
        exit = output.status.code().unwrap_or(-1);
        if exit != 0 {
            break;
        }
    }
    ActionRun { exit, outputs, log }
}

const UNPINNED: &str = "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n";

#[test]
fn the_action_installs_once_fails_on_a_failing_gate_and_writes_sarif() {
    let repo = ready_repo();
    repo.write(".github/workflows/ci.yml", UNPINNED);
    repo.commit("an unpinned action", "2026-11-21T09:00:00Z");
    let scratch = tempfile::tempdir().unwrap();
    let fake_bin = fake_cargo(scratch.path());

    // The fixture has no running service: the live gates are skipped, which --strict fails.
    let inputs = [("strict", "false")];
    let failing = run_action(repo.path(), scratch.path(), &fake_bin, &inputs);
    assert_eq!(failing.exit, 1, "{}", failing.log);
    assert_eq!(failing.outputs["check"]["exit-code"], "1");
    assert_eq!(
        failing.outputs["version"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    // Findings as workflow annotations, in the log.
    assert!(
        failing.log.contains("::error") && failing.log.contains("R4.pinning.actions"),
        "{}",
        failing.log
    );
    // SARIF written for the upload, and valid.
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.path().join("harden.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    // Installed from this repository's source, with its lockfile.
    let cargo = std::fs::read_to_string(scratch.path().join("cargo.log")).unwrap();
    assert_eq!(cargo.lines().count(), 1, "{cargo}");
    assert!(cargo.starts_with("install --locked --root "), "{cargo}");
    assert!(
        cargo
            .trim_end()
            .ends_with(&format!("--path {}/crates/harden", workspace().display())),
        "{cargo}"
    );

    // Fixed: the action passes, and the cached harden is used as it is.
    repo.remove(".github/workflows/ci.yml");
    repo.commit("no workflow", "2026-11-22T09:00:00Z");
    std::fs::remove_file(repo.path().join("harden.sarif")).unwrap();
    let passing = run_action(repo.path(), scratch.path(), &fake_bin, &inputs);
    assert_eq!(passing.exit, 0, "{}", passing.log);
    assert_eq!(passing.outputs["check"]["exit-code"], "0");
    let cargo = std::fs::read_to_string(scratch.path().join("cargo.log")).unwrap();
    assert_eq!(cargo.lines().count(), 1, "installed again: {cargo}");
}

#[test]
fn harden_own_workflow_uses_the_action() {
    let workflow = document(".github/workflows/harden.yml");
    let steps = workflow
        .get("jobs")
        .unwrap()
        .get("harden")
        .unwrap()
        .get("steps")
        .unwrap();
    assert!(
        steps
            .items()
            .iter()
            .any(|s| s.get("uses").map(scalar).as_deref() == Some("./")),
        "the workflow runs the action of this repository"
    );
}

#[test]
fn the_gitlab_template_reports_code_quality_and_fails_on_a_failing_gate() {
    let template = document("templates/gitlab/harden.gitlab-ci.yml");
    let job = template.get("harden").unwrap();
    let script: Vec<String> = job
        .get("script")
        .unwrap()
        .items()
        .iter()
        .map(scalar)
        .collect();
    let reports = map(job.get("artifacts").unwrap().get("reports"));
    assert_eq!(reports["codequality"], "gl-code-quality-report.json");

    let repo = ready_repo();
    repo.write(".github/workflows/ci.yml", UNPINNED);
    repo.commit("an unpinned action", "2026-11-21T09:00:00Z");
    let scratch = tempfile::tempdir().unwrap();
    let fake_bin = fake_cargo(scratch.path());
    // GitLab runs the script lines in one shell, stopping at the first that fails.
    let mut command = Command::new("bash");
    command
        .args(["--noprofile", "--norc", "-e", "-c", &script.join("\n")])
        .current_dir(repo.path())
        .env(
            "PATH",
            format!("{}:{}", fake_bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("CI_PROJECT_DIR", repo.path())
        .env("HARDEN_SOURCE", "https://git.example/harden.git")
        .env("HARDEN_REF", "v0.1.0")
        .env("NO_COLOR", "1");
    for (name, value) in map(job.get("variables")) {
        command.env(name, value);
    }
    // As a project would override it: the fixture has no running service for the live gates.
    command.env("HARDEN_STRICT", "false");
    let output = command.output().unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(1), "{log}");
    let cargo = std::fs::read_to_string(scratch.path().join("cargo.log")).unwrap();
    assert!(
        cargo.contains("--git https://git.example/harden.git --rev v0.1.0 harden"),
        "{cargo}"
    );
    let quality: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.path().join("gl-code-quality-report.json")).unwrap(),
    )
    .unwrap();
    assert!(
        quality
            .as_array()
            .unwrap()
            .iter()
            .any(|issue| issue["check_name"] == "R4.pinning.actions"),
        "{quality}"
    );
    assert!(repo.path().join("harden.sarif").is_file());
}
