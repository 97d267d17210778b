//! `harden init` and `harden check`: exit codes, formats, recording, concurrency.

use std::process::Stdio;

use crate::{CONFIG, RUNBOOK, harden, ready_repo, snapshot, stderr, stdout};
use harden_test::TestRepo;

#[test]
fn init_then_check_works_in_a_fresh_repository() {
    let repo = TestRepo::new();
    repo.write("README.md", "# demo\n");
    repo.commit("initial", "2026-11-01T09:00:00Z");
    let init = harden(repo.path()).arg("init").output().unwrap();
    assert_eq!(init.status.code(), Some(0), "{}", stderr(&init));
    let config = std::fs::read_to_string(repo.path().join("harden.toml")).unwrap();
    assert!(config.contains("[service]") && config.contains("[runbooks]"));
    // No service to deploy: the launch checklist is written off as not applicable, each gate
    // with its reason, and no word about keeping it.
    assert!(config.contains(
        "[gates.\"R1.pentest.done\"]\nenabled = false   # not applicable: no deployable services found by harden init"
    ), "{config}");
    assert!(!config.contains("# The launch checklist"), "{config}");
    assert!(
        std::fs::read_to_string(repo.path().join(".gitignore"))
            .unwrap()
            .contains(".harden/")
    );

    // Scope and runbooks are missing: gates fail, exit code 1.
    let first = harden(repo.path()).arg("check").output().unwrap();
    assert_eq!(
        first.status.code(),
        Some(1),
        "{}{}",
        stdout(&first),
        stderr(&first)
    );
    assert!(stdout(&first).contains("fail    R0.scope.declared"));
    assert!(repo.path().join(".harden/ledger.db").is_file());

    // Fill them in and commit: every gate passes, exit code 0.
    let config = config.replace("# scope = ", "scope = ");
    repo.write("harden.toml", config);
    for doc in ["disaster-recovery", "migration-recovery", "on-call"] {
        repo.write(&format!("docs/runbooks/{doc}.md"), RUNBOOK);
    }
    repo.commit("hardening", "2026-11-20T09:00:00Z");
    let second = harden(repo.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        second.status.code(),
        Some(0),
        "{}{}",
        stdout(&second),
        stderr(&second)
    );
    let report: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    // The ledger lives in .harden/, which init ignored: the tree stays clean.
    assert_eq!(report["dirty"], false);
    assert_eq!(report["ledger"]["seq"], 2);
    assert!(repo.git(&["status", "--porcelain"]).trim().is_empty());
    // init refuses to overwrite.
    let again = harden(repo.path()).arg("init").output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already exists"));
}

#[test]
fn human_output() {
    let repo = ready_repo();
    let output = harden(repo.path()).arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    snapshot!(stdout(&output));
}

#[test]
fn failing_run_in_every_format() {
    let repo = TestRepo::new();
    repo.write(
        "harden.toml",
        "version = 1\n[service]\nname = \"x\"\nowners = []\n",
    );
    repo.commit("bare", "2026-11-20T09:00:00Z");
    for format in [
        "human", "json", "sarif", "junit", "markdown", "github", "gitlab",
    ] {
        let file = repo.path().join(format!("report.{format}"));
        let output = harden(repo.path())
            .args(["check", "--format", format, "--output"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format}: exit code 1 in every format"
        );
        assert!(
            stdout(&output).is_empty(),
            "{format}: --output keeps stdout empty"
        );
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains('\u{1b}'), "{format}: files are plain text");
        if matches!(format, "json" | "sarif" | "gitlab") {
            let _: serde_json::Value = serde_json::from_str(&text).unwrap();
        }
        assert!(text.contains("R0.scope.declared"), "{format}");
    }
}

/// One run, several outputs: the terminal for people, files for machines; `--exit-zero` for
/// report-only steps; `--skip` leaves gates out whatever selects them.
#[test]
fn extra_reports_exit_zero_and_skip() {
    let repo = TestRepo::new();
    repo.write(
        "harden.toml",
        "version = 1\n[service]\nname = \"x\"\nowners = []\n",
    );
    repo.commit("bare", "2026-11-20T09:00:00Z");
    let sarif = repo.path().join("harden.sarif");
    let gitlab = repo.path().join("gl-code-quality.json");
    let output = harden(repo.path())
        .args(["check", "--no-record", "--exit-zero", "--report"])
        .arg(format!("sarif={}", sarif.display()))
        .arg("--report")
        .arg(format!("GitLab={}", gitlab.display()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("R0.scope.declared"),
        "the terminal report"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let gitlab: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&gitlab).unwrap()).unwrap();
    assert!(
        gitlab
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["check_name"] == "R0.scope.declared")
    );
    // Without --exit-zero the same run fails; skipping the failing gate passes it.
    let failing = harden(repo.path())
        .args(["check", "--no-record"])
        .output()
        .unwrap();
    assert_eq!(failing.status.code(), Some(1));
    let skipped = harden(repo.path())
        .args(["check", "--no-record", "--format", "json", "--skip", "R0.*"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&stdout(&skipped)).unwrap();
    assert!(
        report["gates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| !g["id"].as_str().unwrap().starts_with("R0."))
    );
    // Findings below --min-severity are left out and fail nothing; the evidence counts them.
    let filtered = harden(repo.path())
        .args([
            "check",
            "--no-record",
            "--format",
            "json",
            "--only",
            "R0.*",
            "--min-severity",
            "critical",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&stdout(&filtered)).unwrap();
    let scope = &report["gates"][0];
    assert_eq!(scope["id"], "R0.scope.declared");
    assert!(scope["findings"].as_array().unwrap().is_empty(), "{scope}");
    assert!(
        scope["evidence"]["counts"]["findings below --min-severity"]
            .as_u64()
            .unwrap()
            > 0
    );
    // Bad values are usage errors.
    for bad in [
        vec!["--report", "sarif"],
        vec!["--report", "yaml=x.yaml"],
        vec!["--skip", "R9.*"],
        vec!["--min-severity", "urgent"],
    ] {
        let output = harden(repo.path())
            .args(["check", "--no-record"])
            .args(&bad)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn usage_and_config_errors_exit_2_and_record_nothing() {
    let repo = ready_repo();
    assert_eq!(
        harden(repo.path())
            .arg("check")
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );
    let entries = || {
        let db = rusqlite::Connection::open(repo.path().join(".harden/ledger.db")).unwrap();
        db.query_row("SELECT count(*) FROM ledger_entries", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
    };
    assert_eq!(entries(), 1);

    repo.write(
        "harden.toml",
        format!("{CONFIG}\n[runbooks]\nmax-age = \"soon\"\nowner = \"me\"\n"),
    );
    let output = harden(repo.path()).arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    snapshot!(stderr(&output));
    assert_eq!(
        entries(),
        1,
        "an invalid config runs nothing and records nothing"
    );

    repo.write("harden.toml", CONFIG);
    for args in [
        vec!["check", "--profile", "staging"],
        vec!["check", "--only", "R9.*"],
        vec!["check", "does-not-exist"],
        vec!["check", "--artifact", "md5:abc"],
        vec!["check", "--format", "yaml"],
        vec!["check", "--profile", "prototype", "--only", "R7.runbooks"],
        vec!["explain", "R7.runbook"],
        vec!["frobnicate"],
    ] {
        let output = harden(repo.path()).args(&args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).is_empty(), "{args:?} says why");
    }
    assert_eq!(entries(), 1);
}

#[test]
fn concurrent_checks_never_fork_the_chain() {
    let repo = ready_repo();
    let binary = assert_cmd::cargo::cargo_bin("harden");
    let children: Vec<_> = (0..6)
        .map(|_| {
            std::process::Command::new(&binary)
                .arg("check")
                .current_dir(repo.path())
                .env("NO_COLOR", "1")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let verify = harden(repo.path())
        .args(["ledger", "verify"])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0));
    assert!(
        stdout(&verify).contains("6 entries, chain intact"),
        "{}",
        stdout(&verify)
    );
}

#[test]
fn json_logs_carry_the_run_id() {
    let repo = ready_repo();
    let output = harden(repo.path())
        .args(["--log-format", "json", "check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let run_id = report["run_id"].as_str().unwrap();
    let lines: Vec<serde_json::Value> = stderr(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 4, "start, gates, ledger, finish");
    for line in &lines {
        assert_eq!(line["span"]["run_id"], run_id, "{line}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == "run recorded in the ledger")
    );
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let repo = ready_repo();
    let plain = harden(repo.path()).arg("check").output().unwrap();
    assert!(!stdout(&plain).contains('\u{1b}'));
    let coloured = harden(repo.path())
        .args(["--color", "always", "check"])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(stdout(&coloured).contains('\u{1b}'));
}

#[test]
fn a_ledger_password_is_never_printed() {
    let repo = ready_repo();
    let output = harden(repo.path())
        .args([
            "check",
            "--ledger",
            concat!(
                "postgres://harden:",
                "CANARY-PASSWORD-31337@127.0.0.1:9/ledger"
            ),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert!(!all.contains("CANARY-PASSWORD-31337"), "{all}");
    assert!(all.contains("harden:***@127.0.0.1"), "{all}");
}

#[test]
fn a_service_in_a_subdirectory_of_a_monorepo_is_judged_by_its_own_history() {
    let repo = TestRepo::new();
    repo.write("services/api/harden.toml", CONFIG)
        .write("services/api/docs/runbooks/disaster-recovery.md", RUNBOOK)
        .write("services/api/docs/runbooks/migration-recovery.md", RUNBOOK)
        .write("services/api/docs/runbooks/on-call.md", RUNBOOK)
        .write(".gitignore", ".harden/\n");
    repo.commit("runbooks written long ago", "2024-01-10T09:00:00Z");
    let output = harden(repo.path())
        .args(["check", "services/api", "--only", "R7.runbooks"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("is stale: last changed"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn init_quotes_whatever_the_directory_is_called() {
    let parent = tempfile::tempdir().unwrap();
    let odd = parent.path().join("svc\"quoted\\name");
    std::fs::create_dir(&odd).unwrap();
    let output = harden(&odd).arg("init").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let config = harden(&odd).args(["config", "check"]).output().unwrap();
    assert_eq!(config.status.code(), Some(0), "{}", stderr(&config));
}

/// Reports name the repository's remote, so SARIF can map commits to it, without the token a
/// clone URL may carry.
#[test]
fn the_remote_is_reported_without_credentials() {
    let repo = ready_repo();
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://ci-bot:ghp_NotARealTokenButLongEnough0123456789@git.example/acme/api.git",
    ]);
    for format in ["json", "sarif"] {
        let output = harden(repo.path())
            .args([
                "check",
                ".",
                "--only",
                "R7.runbooks",
                "--no-record",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        let text = stdout(&output);
        assert!(!text.contains("NotARealToken"), "{text}");
        assert!(!text.contains("ci-bot"), "{text}");
        assert!(
            text.contains("https://git.example/acme/api.git"),
            "{format}: {text}"
        );
    }
}

#[test]
fn check_writes_the_security_audit_document_inside_the_repository() {
    let repo = ready_repo();
    repo.write(
        "src/billing.py",
        format!("STRIPE_KEY = \"{}\"\n", crate::secrets::STRIPE),
    );
    repo.commit("a key", "2026-11-21T09:00:00Z");
    let output = harden(repo.path())
        .args(["check", "--security-audit"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let audit = std::fs::read_to_string(repo.path().join("sdlc/security-audit.md")).unwrap();
    assert!(
        audit.starts_with("# Security audit: billing-api\n"),
        "{audit}"
    );
    for section in [
        "## 1. Security scan",
        "## 2. OWASP Top 10",
        "## 3. Dependencies",
        "## 4. Configuration",
        "## 5. Findings",
        "## 6. Remediation",
    ] {
        assert!(audit.contains(section), "{section}: {audit}");
    }
    assert!(
        audit.contains("| Sensitive data exposure | **issues found** | `R3.secrets.tree` **fail**"),
        "{audit}"
    );
    assert!(audit.contains("- [ ] `R3.secrets.tree`"), "{audit}");
    assert!(audit.contains("- Evidence: ledger entry #1 "), "{audit}");
    assert!(!audit.contains(crate::secrets::STRIPE), "{audit}");

    // The config names another place inside the repository; a path outside it is refused
    // before anything runs.
    let config = format!("{CONFIG}\n[security-audit]\npath = \"docs/audit.md\"\n");
    repo.write("harden.toml", &config);
    let output = harden(repo.path())
        .args(["check", "--security-audit", "--no-record"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(repo.path().join("docs/audit.md").is_file());
    repo.write(
        "harden.toml",
        format!("{CONFIG}\n[security-audit]\npath = \"../outside.md\"\n"),
    );
    let output = harden(repo.path())
        .args(["check", "--security-audit", "--no-record"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("harden.toml:"),
        "{}",
        stderr(&output)
    );
    assert!(!repo.path().join("../outside.md").exists());
}

#[test]
fn init_on_a_service_says_how_the_launch_checklist_is_kept() {
    let repo = TestRepo::new();
    repo.write("Dockerfile", "FROM scratch\nUSER 1000\n");
    repo.commit("initial", "2026-11-01T09:00:00Z");
    let init = harden(repo.path()).arg("init").output().unwrap();
    assert_eq!(init.status.code(), Some(0), "{}", stderr(&init));
    let config = std::fs::read_to_string(repo.path().join("harden.toml")).unwrap();
    assert!(config.contains("# The launch checklist"), "{config}");
    assert!(
        !config.contains("[gates.\"R1.pentest.done\"]\nenabled"),
        "{config}"
    );
    // The commented example is valid once uncommented.
    let uncommented = config
        .replace(
            "# [gates.\"R1.pentest.done\"]",
            "[gates.\"R1.pentest.done\"]",
        )
        .replace(
            "# owner = \"security@example.com\"",
            "owner = \"security@example.com\"",
        )
        .replace("# review = \"365d\"", "review = \"365d\"");
    repo.write("harden.toml", uncommented);
    let checked = harden(repo.path())
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(
        checked.status.code(),
        Some(0),
        "{}{}",
        stdout(&checked),
        stderr(&checked)
    );
}

#[test]
fn init_counts_a_kubernetes_workload_as_a_service() {
    // No Dockerfile, a Deployment: the launch checklist applies, as the gates see it.
    let repo = TestRepo::new();
    repo.write(
        "deploy/api.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n",
    );
    repo.commit("initial", "2026-11-01T09:00:00Z");
    let init = harden(repo.path()).arg("init").output().unwrap();
    assert_eq!(init.status.code(), Some(0), "{}", stderr(&init));
    let config = std::fs::read_to_string(repo.path().join("harden.toml")).unwrap();
    assert!(
        !config.contains("[gates.\"R7.dr.drilled\"]\nenabled"),
        "{config}"
    );
    assert!(config.contains("# The launch checklist"), "{config}");
}

#[test]
fn the_security_audit_never_overwrites_a_document_people_wrote() {
    let repo = ready_repo();
    let scaffold = harden(repo.path())
        .args(["scaffold", "security-audit"])
        .output()
        .unwrap();
    assert_eq!(scaffold.status.code(), Some(0), "{}", stderr(&scaffold));
    let written = std::fs::read_to_string(repo.path().join("sdlc/security-audit.md")).unwrap();
    let refused = harden(repo.path())
        .args(["check", "--security-audit", "--no-record"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "{}", stdout(&refused));
    assert!(
        stderr(&refused)
            .contains("sdlc/security-audit.md exists and was not written by harden check"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("sdlc/security-audit.md")).unwrap(),
        written
    );
    // Elsewhere, by `=`: the value is never taken for the repository path.
    let elsewhere = harden(repo.path())
        .args([
            "check",
            "--security-audit=audit/latest.md",
            "--no-record",
            ".",
        ])
        .output()
        .unwrap();
    assert_eq!(elsewhere.status.code(), Some(0), "{}", stderr(&elsewhere));
    assert!(repo.path().join("audit/latest.md").is_file());
    // Its own earlier document is replaced.
    let again = harden(repo.path())
        .args(["check", "--security-audit=audit/latest.md", "--no-record"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
}
