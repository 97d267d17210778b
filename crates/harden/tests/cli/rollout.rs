//! The rollout loop over simulated days: the binary runs under `faketime` (Debian's package),
//! so no test-only clock exists in the product.

use std::path::Path;
use std::process::{Command, Output};

use harden_test::TestRepo;

use crate::{RUNBOOK, snapshot, stderr, stdout};

// Assembled from parts: harden scans its own sources, which must hold no credential.
const TOKEN: &str = concat!("svc-CANARY", "-token-5f4e3d2c1b0a");

const CONFIG: &str = r#"version = 1

[service]
name = "billing-api"
owners = ["platform@example.com"]
scope = "HTTP API for invoices and payments; excludes the admin UI"
profile = "production"

[deploy.flags]
AUTH_MODE = ["enforced"]

[deploy.secrets]
required = ["SERVICE_TOKEN"]

[[decision]]
decision = "Keep the legacy export endpoint for the pilot customer"
date = 2026-01-10
owner = "dana@example.com"
trigger = "a second customer asks for exports"
revisit-by = 2027-12-31

[gates."R3.secrets.logs"]
enabled = false   # the service logs to stdout; no log files to read

[gates."R7.migrations.reversible"]
enabled = false   # the service keeps no database of its own

[gates."R7.alerts.runbooks"]
enabled = false   # alerting lives in the platform team's repository

[gates."R7.slo.defined"]
enabled = false   # SLOs live in the platform team's repository

[gates."R7.config.failfast"]
enabled = false   # the service's code lives in another repository

[gates."R0.contracts.present"]
enabled = false   # the contracts live in the service's code repository

[gates."R0.contracts.breaking"]
enabled = false   # the contracts live in the service's code repository

[gates."R3.identity.federated"]
enabled = false   # cloud logins and Terraform live in the platform team's repository

[gates."R7.resilience.bounds"]
enabled = false   # the service's code lives in its own repository

[gates."R4.deploy.promotion"]
enabled = false   # deploys run from the platform team's repository

[gates."R1.network.exposure"]
enabled = false   # security groups and manifests live in the platform team's repository

[gates."R7.http.headers"]
enabled = false   # the live pass runs against staging in its own job

[gates."R7.http.cookies"]
enabled = false   # the live pass runs against staging in its own job

[gates."R7.health"]
enabled = false   # the live pass runs against staging in its own job

[gates."R2.correlation"]
enabled = false   # the live pass runs against staging in its own job

[gates."R3.errors.leak"]
enabled = false   # the live pass runs against staging in its own job

[gates."R7.http.rate-limit"]
enabled = false   # the live pass runs against staging in its own job

[gates."R7.http.tls"]
enabled = false   # the live pass runs against staging in its own job

[gates."R1.auth.enforced"]
enabled = false   # the live pass runs against staging in its own job

[gates."R1.tenancy.isolation"]
enabled = false   # the live pass runs against staging in its own job

[gates."R5.input.rejected"]
enabled = false   # the live pass runs against staging in its own job

[gates."R6.idempotency"]
enabled = false   # the live pass runs against staging in its own job

[smoke]
timezone = "Europe/Berlin"
strict-gates = ["R0.*", "R2.*", "R3.*", "R7.*"]

[exit-criteria]
consecutive-days = 3
"#;

fn rollout_repo(extra: &str) -> TestRepo {
    let repo = TestRepo::new();
    let checklist = crate::checklist_disabled("the launch checklist is kept by the platform team");
    repo.write("harden.toml", format!("{CONFIG}{checklist}{extra}"))
        .write(".gitignore", ".harden/\ndocs/audits/\n")
        .write("docs/runbooks/disaster-recovery.md", RUNBOOK)
        .write("docs/runbooks/migration-recovery.md", RUNBOOK)
        .write("docs/runbooks/on-call.md", RUNBOOK);
    repo.commit("ready for rollout", "2026-02-20T09:00:00Z");
    repo
}

/// Runs harden at a fixed UTC instant, with the deployment flag and secret set.
fn at(dir: &Path, when: &str, args: &[&str], auth_mode: &str) -> Output {
    crate::harden_at(dir, when)
        .args(args)
        .env("AUTH_MODE", auth_mode)
        .env("SERVICE_TOKEN", TOKEN)
        .output()
        .expect("faketime is needed for the rollout tests: apt-get install faketime")
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

fn streak_at(repo: &TestRepo, when: &str) -> String {
    let output = at(repo.path(), when, &["smoke", "streak"], "enforced");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    stdout(&output).trim().to_owned()
}

fn record(repo: &TestRepo, when: &str, auth_mode: &str) -> (i32, String) {
    let output = at(repo.path(), when, &["smoke", "record"], auth_mode);
    (
        code(&output),
        format!("{}{}", stdout(&output), stderr(&output)),
    )
}

#[test]
fn smoke_window_and_streak_across_days_failures_gaps_months_and_zones() {
    let repo = rollout_repo("");
    for (when, days) in [
        ("2026-02-27 09:00:00", 1),
        ("2026-02-28 09:00:00", 2),
        ("2026-03-01 09:00:00", 3),
    ] {
        let (code, out) = record(&repo, when, "enforced");
        assert_eq!(code, 0, "{out}");
        assert!(out.contains(&format!("streak {days} day")), "{when}: {out}");
    }
    // The month rolled over: one file per month.
    let february = std::fs::read_to_string(
        repo.path()
            .join("docs/audits/production-hardening-smoke-window-2026-02.md"),
    )
    .unwrap();
    assert_eq!(february.matches("| strict |").count(), 2);
    let criteria = at(
        repo.path(),
        "2026-03-01 10:00:00",
        &["exit-criteria"],
        "enforced",
    );
    assert_eq!(code(&criteria), 0, "{}", stdout(&criteria));

    // A failing record the same day fails the whole day.
    let (failed, out) = record(&repo, "2026-03-01 14:00:00", "permissive");
    assert_eq!(failed, 1, "{out}");
    assert!(out.contains("strict fail (R3.env.required)"), "{out}");
    assert_eq!(
        streak_at(&repo, "2026-03-01 15:00:00"),
        "strict-pass streak: 0 days (broken 2026-03-01 by failed: R3.env.required)"
    );
    let criteria = at(
        repo.path(),
        "2026-03-01 15:00:00",
        &["exit-criteria"],
        "enforced",
    );
    assert_eq!(code(&criteria), 1);
    assert!(
        stdout(&criteria).contains("NOT met  3 consecutive strict-pass days"),
        "{}",
        stdout(&criteria)
    );

    record(&repo, "2026-03-02 09:00:00", "enforced");
    record(&repo, "2026-03-03 09:00:00", "enforced");
    assert_eq!(
        streak_at(&repo, "2026-03-03 12:00:00"),
        "strict-pass streak: 2 days since 2026-03-02 (broken 2026-03-01 by failed: R3.env.required)"
    );
    // No record on 2026-03-04: the gap breaks the streak.
    record(&repo, "2026-03-05 09:00:00", "enforced");
    assert_eq!(
        streak_at(&repo, "2026-03-05 12:00:00"),
        "strict-pass streak: 1 day since 2026-03-05 (broken 2026-03-04 by no record)"
    );
    // 23:30 UTC on 5 March is 00:30 on 6 March in Berlin: the record counts for the 6th.
    record(&repo, "2026-03-05 23:30:00", "enforced");
    assert_eq!(
        streak_at(&repo, "2026-03-06 12:00:00"),
        "strict-pass streak: 2 days since 2026-03-05 (broken 2026-03-04 by no record)"
    );
    // The day is not over: no record yet on the 7th keeps the streak through the 6th.
    assert_eq!(
        streak_at(&repo, "2026-03-07 08:00:00"),
        "strict-pass streak: 2 days since 2026-03-05 (broken 2026-03-04 by no record)"
    );
    let march = std::fs::read_to_string(
        repo.path()
            .join("docs/audits/production-hardening-smoke-window-2026-03.md"),
    )
    .unwrap();
    snapshot!(march);
}

#[test]
fn promotion_is_refused_for_other_commits_dirty_trees_old_failed_runs_and_other_artefacts() {
    let repo = rollout_repo("");
    let good = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let artifact = format!("sha256:{}", "a".repeat(64));
    let other_artifact = format!("sha256:{}", "b".repeat(64));
    let check = at(
        repo.path(),
        "2026-03-01 09:00:00",
        &["check", "--artifact", &artifact],
        "enforced",
    );
    assert_eq!(code(&check), 0, "{}", stdout(&check));
    let promote = |when: &str, extra: &[&str], commit: &str| {
        let mut args = vec!["promote", "check", "--commit", commit];
        args.extend_from_slice(extra);
        let output = at(repo.path(), when, &args, "enforced");
        (
            code(&output),
            format!("{}{}", stdout(&output), stderr(&output)),
        )
    };
    let (ok, out) = promote("2026-03-01 12:00:00", &["--artifact", &artifact], &good);
    assert_eq!(ok, 0, "{out}");
    assert!(out.contains("proven by ledger entry #1"), "{out}");
    let (ok, out) = promote("2026-03-01 12:00:00", &[], &good[..7]);
    assert_eq!(ok, 0, "a unique prefix is enough: {out}");

    let cases: Vec<(&str, Vec<&str>, String, &str)> = vec![
        (
            "2026-03-01 12:00:00",
            vec![],
            "0123456789abcdef0123456789abcdef01234567".into(),
            "no run of commit",
        ),
        (
            "2026-03-01 12:00:00",
            vec!["--artifact", &other_artifact],
            good.clone(),
            "vouched for artefact sha256:aaaa",
        ),
        (
            "2026-03-03 12:00:00",
            vec![],
            good.clone(),
            "older than the 86400s window",
        ),
        (
            "2026-03-01 12:00:00",
            vec!["--profile", "prototype"],
            good.clone(),
            "profile production, not prototype",
        ),
    ];
    for (when, extra, commit, expected) in cases {
        let (refused, out) = promote(when, &extra, &commit);
        assert_eq!(refused, 1, "{expected}: {out}");
        assert!(out.contains(expected), "{expected}: {out}");
    }
    let (ok, out) = promote("2026-03-03 12:00:00", &["--max-age", "7d"], &good);
    assert_eq!(ok, 0, "a wider window accepts the older run: {out}");

    // A run of a dirty tree does not vouch for its commit.
    repo.write(
        "docs/runbooks/on-call.md",
        format!("{RUNBOOK}\n4. Edited but not committed.\n"),
    );
    let dirty = at(
        repo.path(),
        "2026-03-02 09:00:00",
        &["check", "--format", "json"],
        "enforced",
    );
    let report: serde_json::Value = serde_json::from_slice(&dirty.stdout).unwrap();
    assert_eq!(report["dirty"], true);
    repo.git(&["checkout", "--", "."]);
    repo.write("docs/extra.md", "more\n");
    let next = repo.commit("next", "2026-03-02T10:00:00Z");
    repo.write(
        "docs/runbooks/on-call.md",
        format!("{RUNBOOK}\n4. Dirty again.\n"),
    );
    at(repo.path(), "2026-03-02 11:00:00", &["check"], "enforced");
    let (refused, out) = promote("2026-03-02 12:00:00", &[], &next);
    assert_eq!(refused, 1);
    assert!(out.contains("the working tree was dirty"), "{out}");

    // A failed run does not vouch either.
    repo.git(&["checkout", "--", "."]);
    repo.remove("docs/runbooks/on-call.md");
    let broken = repo.commit("drop the on-call playbook", "2026-03-02T13:00:00Z");
    let failed = at(repo.path(), "2026-03-02 14:00:00", &["check"], "enforced");
    assert_eq!(code(&failed), 1);
    let (refused, out) = promote("2026-03-02 15:00:00", &[], &broken);
    assert_eq!(refused, 1);
    assert!(out.contains("1 gate failed"), "{out}");
}

#[test]
fn a_hanging_preflight_is_killed_with_its_children_and_secrets_are_redacted() {
    let repo = rollout_repo(
        r#"
[[preflight]]
name = "hangs"
run = "sleep 31.4159 & sleep 31.4158; echo never"
timeout = "1s"

[[preflight]]
name = "prints-the-token"
run = "echo connecting with token=$SERVICE_TOKEN"
timeout = "20s"
"#,
    );
    let started = std::time::Instant::now();
    let readiness = at(
        repo.path(),
        "2026-03-01 09:00:00",
        &["readiness", "--checks"],
        "enforced",
    );
    assert_eq!(
        code(&readiness),
        1,
        "a timed-out check makes the rollout not ready: {}",
        stdout(&readiness)
    );
    assert!(started.elapsed().as_secs() < 20, "the timeout fired");
    let survivors = Command::new("pgrep")
        .args(["-f", "sleep 31.415"])
        .output()
        .unwrap();
    assert!(
        survivors.stdout.is_empty(),
        "children outlived the timeout: {}",
        stdout(&survivors)
    );
    let snapshot = std::fs::read_to_string(
        repo.path()
            .join("docs/audits/production-hardening-rollout-readiness-2026-03-01.md"),
    )
    .unwrap();
    assert!(
        snapshot.contains("| hangs | `sleep 31.4159 & sleep 31.4158; echo never` | timed out |"),
        "{snapshot}"
    );
    let export = at(
        repo.path(),
        "2026-03-01 09:05:00",
        &["ledger", "export"],
        "enforced",
    );
    let ledger = stdout(&export);
    assert!(
        ledger.contains("connecting with token=svc-…"),
        "the output is kept, masked"
    );
    for text in [&snapshot, &ledger, &stdout(&readiness), &stderr(&readiness)] {
        assert!(
            !text.contains(TOKEN) && !text.contains(&TOKEN[4..]),
            "the token leaked"
        );
    }
    let smoke = at(
        repo.path(),
        "2026-03-01 09:10:00",
        &["smoke", "record", "--checks"],
        "enforced",
    );
    assert_eq!(code(&smoke), 1);
    assert!(stdout(&smoke).contains("check:hangs"), "{}", stdout(&smoke));
}

#[test]
fn readiness_snapshot_rewrites_the_day_and_the_ledger_keeps_both() {
    let repo = rollout_repo(
        r#"
[[preflight]]
name = "unit"
run = "true"

[[waiver]]
gate = "R7.runbooks"
path = "docs/legacy/*.md"
reason = "legacy runbooks are being rewritten"
owner = "dana@example.com"
reference = "OPS-9"
expires = 2026-03-10
"#,
    );
    let first = at(
        repo.path(),
        "2026-03-01 09:00:00",
        &["readiness", "--checks"],
        "enforced",
    );
    assert_eq!(code(&first), 0, "{}{}", stdout(&first), stderr(&first));
    let second = at(
        repo.path(),
        "2026-03-01 16:00:00",
        &["readiness", "--checks"],
        "permissive",
    );
    assert_eq!(code(&second), 1, "AUTH_MODE=permissive is not ready");
    let path = repo
        .path()
        .join("docs/audits/production-hardening-rollout-readiness-2026-03-01.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("| `AUTH_MODE` | `permissive` | enforced | **not enforced** |"),
        "{text}"
    );
    insta::with_settings!({ filters => vec![(r"\b[0-9a-f]{64}\b", "[HASH]"), (r"\b[0-9a-f]{40}\b", "[COMMIT]"), (r"[0-9]+\.[0-9] s \|", "[T] s |")] }, {
        insta::assert_snapshot!(text);
    });
    let json = at(
        repo.path(),
        "2026-03-01 16:05:00",
        &["readiness", "--json"],
        "enforced",
    );
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["ready"], true);
    let log = at(
        repo.path(),
        "2026-03-01 16:10:00",
        &["ledger", "log", "-n", "50"],
        "enforced",
    );
    assert_eq!(
        stdout(&log).matches(" readiness ").count(),
        3,
        "{}",
        stdout(&log)
    );
}

#[test]
fn procedures_close_only_when_their_gates_pass_and_every_change_is_recorded() {
    let repo = rollout_repo("");
    let new = at(
        repo.path(),
        "2026-03-01 09:00:00",
        &[
            "plan",
            "new",
            "runbook-drill",
            "--title",
            "Drill the runbooks",
        ],
        "enforced",
    );
    assert_eq!(code(&new), 0, "{}", stderr(&new));
    let path = repo.path().join("docs/hardening/runbook-drill.toml");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "gates = [\"R0.scope.declared\"]",
        "gates = [\"R7.runbooks\", \"R0.scope.declared\"]",
    );
    std::fs::write(&path, text).unwrap();
    repo.remove("docs/runbooks/on-call.md");
    repo.commit("the on-call playbook is missing", "2026-02-21T09:00:00Z");

    let verify = at(
        repo.path(),
        "2026-03-01 09:10:00",
        &["plan", "verify", "runbook-drill"],
        "enforced",
    );
    assert_eq!(code(&verify), 1);
    assert!(
        stdout(&verify).contains("NOT verified A1: R7.runbooks fail, R0.scope.declared pass"),
        "{}",
        stdout(&verify)
    );
    let refused = at(
        repo.path(),
        "2026-03-01 09:20:00",
        &["plan", "close", "runbook-drill", "--state", "completed"],
        "enforced",
    );
    assert_eq!(code(&refused), 1);
    assert!(stdout(&refused).contains("cannot be completed"));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("state = \"open\"")
    );

    repo.write("docs/runbooks/on-call.md", RUNBOOK);
    repo.commit("write the on-call playbook", "2026-02-28T09:00:00Z");
    let closed = at(
        repo.path(),
        "2026-03-01 10:00:00",
        &["plan", "close", "runbook-drill", "--state", "completed"],
        "enforced",
    );
    assert_eq!(code(&closed), 0, "{}{}", stdout(&closed), stderr(&closed));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("state = \"completed\"") && text.contains("closed = \"2026-03-01\""),
        "{text}"
    );
    let again = at(
        repo.path(),
        "2026-03-01 10:05:00",
        &["plan", "close", "runbook-drill", "--state", "aborted"],
        "enforced",
    );
    assert_eq!(code(&again), 2, "a closed plan stays closed");

    at(
        repo.path(),
        "2026-03-01 11:00:00",
        &[
            "plan",
            "new",
            "mtls",
            "--title",
            "Mutual TLS inside the VPC",
        ],
        "enforced",
    );
    let no_reason = at(
        repo.path(),
        "2026-03-01 11:05:00",
        &["plan", "close", "mtls", "--state", "blocked"],
        "enforced",
    );
    assert_eq!(code(&no_reason), 2);
    assert!(stderr(&no_reason).contains("needs --reason and --residual-risk"));
    let blocked = at(
        repo.path(),
        "2026-03-01 11:10:00",
        &[
            "plan",
            "close",
            "mtls",
            "--state",
            "blocked",
            "--reason",
            "the mesh vendor is not chosen",
            "--residual-risk",
            "plaintext between services inside the VPC",
        ],
        "enforced",
    );
    assert_eq!(code(&blocked), 0, "{}", stderr(&blocked));
    let list = at(
        repo.path(),
        "2026-03-01 11:15:00",
        &["plan", "list"],
        "enforced",
    );
    assert!(
        stdout(&list).contains("mtls                     blocked"),
        "{}",
        stdout(&list)
    );
    let criteria = at(
        repo.path(),
        "2026-03-01 11:20:00",
        &["exit-criteria"],
        "enforced",
    );
    assert!(
        stdout(&criteria).contains("NOT met  no blocked procedure: blocked: mtls"),
        "{}",
        stdout(&criteria)
    );
    let log = at(
        repo.path(),
        "2026-03-01 11:30:00",
        &["ledger", "log", "-n", "100"],
        "enforced",
    );
    assert_eq!(
        stdout(&log).matches(" plan.state ").count(),
        4,
        "new, completed, new, blocked: {}",
        stdout(&log)
    );

    // A plan file with mistakes is reported like harden.toml: file, line, column.
    std::fs::write(
        &path,
        std::fs::read_to_string(&path)
            .unwrap()
            .replace("R0.scope.declared", "R0.scope.declard"),
    )
    .unwrap();
    let bad = at(
        repo.path(),
        "2026-03-01 12:00:00",
        &["plan", "show", "runbook-drill"],
        "enforced",
    );
    assert_eq!(code(&bad), 2);
    assert!(
        stderr(&bad).contains("docs/hardening/runbook-drill.toml:"),
        "{}",
        stderr(&bad)
    );
    assert!(
        stderr(&bad).contains("unknown gate `R0.scope.declard`"),
        "{}",
        stderr(&bad)
    );
}
