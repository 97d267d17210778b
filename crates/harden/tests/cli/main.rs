//! The real `harden` binary, driven as users drive it: on real git repositories, with real
//! ledgers, checking exit codes, output and what was recorded.
#![allow(clippy::disallowed_methods, clippy::unwrap_used)] // Test code: real files and processes.

mod check;
mod commands;
mod ledger;
mod robustness;
mod rollout;
mod secrets;

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
        .env("NO_COLOR", "1");
    command
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
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
