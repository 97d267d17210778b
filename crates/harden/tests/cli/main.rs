//! The real `harden` binary, driven as users drive it: on real git repositories, with real
//! ledgers, checking exit codes, output and what was recorded.
#![allow(clippy::disallowed_methods, clippy::unwrap_used)] // Test code: real files and processes.

mod check;
mod ci_templates;
mod commands;
mod contract_gates;
mod dashboard;
mod drill;
mod independent_corpus;
mod ledger;
mod memory;
mod probe;
mod robustness;
mod rollout;
mod sbom;
mod scaffold;
mod secrets;
mod server;
mod vulns;
mod waivers;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use harden_test::TestRepo;

/// The binary under test, with an environment free of the caller's harden settings.
pub(crate) fn harden(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("harden").unwrap();
    command
        .current_dir(dir)
        .env_remove("HARDEN_CONFIG")
        .env_remove("HARDEN_LEDGER")
        .env_remove("HARDEN_LOG")
        .env_remove("HARDEN_ADVISORY_DB")
        .env_remove("HARDEN_LEDGER_ANCHOR")
        .env_remove("HARDEN_SIGNING_KEY")
        .env_remove("HARDEN_SIGNING_KEY_FILE")
        .env_remove("HARDEN_LEDGER_PUBLIC_KEY")
        .env("NO_COLOR", "1");
    command
}

/// The binary under test at a fixed UTC instant (`2026-03-01 09:00:00`), under Debian's
/// `faketime`: the product has no test-only clock.
pub(crate) fn harden_at(dir: &Path, when: &str) -> std::process::Command {
    let mut command = std::process::Command::new("faketime");
    command
        .arg(when)
        .arg(assert_cmd::cargo::cargo_bin("harden"))
        .current_dir(dir)
        .env("TZ", "UTC")
        // Instants keep running, so timeouts still fire under a frozen wall clock.
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .env("NO_COLOR", "1")
        .env_remove("HARDEN_CONFIG")
        .env_remove("HARDEN_LEDGER")
        .env_remove("HARDEN_LEDGER_ANCHOR");
    command
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The drillable and attested checklist gates (`harden gates --checklist`); a test in drill.rs
/// holds this list to the binary's.
pub(crate) const CHECKLIST_GATES: [&str; 27] = [
    "R1.pentest.done",
    "R1.owasp.addressed",
    "R1.waf.enabled",
    "R2.logging.structured",
    "R2.logging.aggregated",
    "R2.compliance.verified",
    "R4.change.managed",
    "R5.output.encoded",
    "R7.uptime.designed",
    "R7.autoscaling.configured",
    "R7.failover.drilled",
    "R7.dr.drilled",
    "R7.load.tested",
    "R7.degradation.planned",
    "R7.pooling.tuned",
    "R7.errors.tracked",
    "R7.monitoring.rum",
    "R7.monitoring.synthetic",
    "R7.dashboards.created",
    "R7.oncall.staffed",
    "R7.incident.drilled",
    "R7.postmortem.defined",
    "R7.rollback.drilled",
    "R7.comms.ready",
    "R7.statuspage.configured",
    "R7.docs.complete",
    "R7.team.trained",
];

/// `[gates."<id>"] enabled = false` for every checklist gate, with `reason`.
pub(crate) fn checklist_disabled(reason: &str) -> String {
    let mut out = String::new();
    for gate in CHECKLIST_GATES {
        let _ = write!(out, "\n[gates.\"{gate}\"]\nenabled = false   # {reason}\n");
    }
    out
}

pub(crate) const RUNBOOK: &str = "# Procedure\n\n1. Page the owner and open an incident channel.\n2. Run the steps below and log every command.\n3. Verify with the health endpoint and dashboards.\n";

pub(crate) const CONFIG: &str = r#"version = 1

[service]
name = "billing-api"
owners = ["platform@example.com"]
scope = "HTTP API for invoices and payments; excludes the admin UI"
profile = "production"
"#;

/// A repository on which every current gate passes.
pub(crate) fn ready_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("harden.toml", CONFIG)
        .write(".gitignore", ".harden/\n")
        .write("docs/runbooks/disaster-recovery.md", RUNBOOK)
        .write("docs/runbooks/migration-recovery.md", RUNBOOK)
        .write("docs/runbooks/on-call.md", RUNBOOK);
    repo.commit("ready", "2026-11-20T09:00:00Z");
    repo
}

/// Snapshots `text` with run-specific parts (ids, hashes, durations, dates) masked.
#[macro_export]
macro_rules! snapshot {
    ($text:expr) => {
        insta::with_settings!({ filters => harden_test::filters() }, {
            insta::assert_snapshot!($text);
        })
    };
}

/// Runs `body` with a command builder for a reader who cannot write `dir`: its files are made
/// read-only, and as root (whom file modes do not stop) the binary runs as `nobody`.
pub(crate) fn as_reader(dir: &Path, body: impl FnOnce(&dyn Fn() -> Command)) {
    use std::os::unix::fs::PermissionsExt as _;
    let set = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    for entry in std::fs::read_dir(dir).unwrap() {
        set(&entry.unwrap().path(), 0o444);
    }
    set(dir, 0o555);
    let root = rustix_is_root();
    let bin_dir = tempfile::tempdir().unwrap();
    let repo = dir.parent().unwrap().to_path_buf();
    if root {
        // `nobody` must reach the repository and a copy of the binary.
        let mut path = repo.clone();
        loop {
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            set(&path, mode | 0o555);
            if !path.pop() || path.as_os_str() == "/" {
                break;
            }
        }
        let status = std::process::Command::new("chmod")
            .args(["-R", "a+rX"])
            .arg(&repo)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::copy(
            assert_cmd::cargo::cargo_bin("harden"),
            bin_dir.path().join("harden"),
        )
        .unwrap();
        set(bin_dir.path(), 0o755);
    }
    let build = || {
        if root {
            let mut command = std::process::Command::new("runuser");
            command
                .args(["-u", "nobody", "--"])
                .arg(bin_dir.path().join("harden"))
                .current_dir(&repo)
                .env_remove("HARDEN_CONFIG")
                .env_remove("HARDEN_LEDGER")
                .env_remove("HARDEN_LOG")
                .env_remove("HARDEN_ADVISORY_DB")
                .env("HOME", "/nonexistent")
                .env("NO_COLOR", "1");
            Command::from_std(command)
        } else {
            harden(&repo)
        }
    };
    body(&build);
    set(dir, 0o755);
    for entry in std::fs::read_dir(dir).unwrap() {
        set(&entry.unwrap().path(), 0o644);
    }
}

fn rustix_is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
