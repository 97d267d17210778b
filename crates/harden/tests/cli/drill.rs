//! `harden drill run|list`: commands that prove a checklist item, recorded in the ledger; the
//! PostgreSQL backup/restore recipe against a real throwaway cluster.

use std::os::unix::fs::PermissionsExt as _;

use crate::{CONFIG, harden, stderr, stdout};

const DRILLS: &str = r#"
[[drill]]
name = "backup-restore"
proves = "Backup/restore verified"
owner = "dba@example.com"
every = "90d"
run = 'scripts/drills/postgres-backup-restore.sh "$DRILL_DATABASE_URL"'
timeout = "2m"
expect-output = "backup/restore verified"

[[drill]]
name = "failover"
proves = "Database failover tested"
run = "echo promoting the replica; exit 3"

[[drill]]
name = "environment"
proves = "Team trained"
run = "env; cat \"$HARDEN_SIGNING_KEY_FILE\" 2>&1"

[[drill]]
name = "load"
proves = "Load testing completed"
run = "sleep 60 & sleep 60; echo never"
timeout = "1s"
"#;

fn drill_repo() -> harden_test::TestRepo {
    let repo = crate::ready_repo();
    repo.write("harden.toml", format!("{CONFIG}{DRILLS}"));
    let script = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/drills/postgres-backup-restore.sh"
    ))
    .unwrap();
    repo.write("scripts/drills/postgres-backup-restore.sh", &script);
    std::fs::set_permissions(
        repo.path()
            .join("scripts/drills/postgres-backup-restore.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    repo.commit("drills", "2026-11-21T09:00:00Z");
    repo
}

#[test]
fn the_postgres_backup_restore_drill_proves_its_item_against_a_real_cluster() {
    let cluster = harden_test::PgCluster::start();
    let url = cluster.fresh_database();
    // The server's own directory first (pg_dump and pg_restore of its version), then PATH
    // (psql comes with the client package).
    let path = format!(
        "{}:{}",
        cluster.bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let psql = |sql: &str| {
        let output = std::process::Command::new("psql")
            .env("PATH", &path)
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", &url, "-c", sql])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output).trim().to_owned()
    };
    psql(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, name text, balance numeric);
         INSERT INTO accounts SELECT g, 'account ' || g, g * 1.5 FROM generate_series(1, 500) g;
         CREATE SCHEMA billing;
         CREATE TABLE billing.invoices (id serial PRIMARY KEY, account bigint REFERENCES accounts, total numeric);
         INSERT INTO billing.invoices (account, total) SELECT g % 500 + 1, g FROM generate_series(1, 1200) g;",
    );
    let repo = drill_repo();
    let run = harden(repo.path())
        .args(["drill", "run", "backup-restore"])
        .env("DRILL_DATABASE_URL", &url)
        .env("PATH", &path)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}{}",
        stdout(&run),
        stderr(&run)
    );
    assert!(
        stdout(&run).contains("drill backup-restore (Backup/restore verified) succeeded"),
        "{}",
        stdout(&run)
    );
    // Recorded as the item's evidence, with the script's own account of what matched.
    let show = harden(repo.path())
        .args(["ledger", "show", "head"])
        .output()
        .unwrap();
    let entry: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(entry["kind"], "drill");
    assert_eq!(entry["body"]["passed"], true);
    let output = entry["body"]["output"].as_str().unwrap();
    assert!(
        output.contains("match    public.accounts: 500 rows"),
        "{output}"
    );
    assert!(
        output.contains("match    billing.invoices: 1200 rows"),
        "{output}"
    );
    // The throwaway database is gone again.
    assert_eq!(
        psql("SELECT count(*) FROM pg_database WHERE datname LIKE 'harden_drill_%'"),
        "0"
    );

    // The same drill against a database that does not exist fails, and says so.
    let missing = harden(repo.path())
        .args(["drill", "run", "backup-restore"])
        .env("DRILL_DATABASE_URL", cluster.url("no_such_database"))
        .env("PATH", &path)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1), "{}", stdout(&missing));
    let list = harden(repo.path())
        .args(["drill", "list"])
        .output()
        .unwrap();
    assert!(
        stdout(&list).contains("backup-restore") && stdout(&list).contains("FAILED on"),
        "{}",
        stdout(&list)
    );
}

#[test]
fn failing_and_hanging_drills_fail_and_hanging_ones_are_killed() {
    let repo = drill_repo();
    let failed = harden(repo.path())
        .args(["drill", "run", "failover"])
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stdout(&failed).contains("exited with 3"),
        "{}",
        stdout(&failed)
    );
    assert!(
        stdout(&failed).contains("| promoting the replica"),
        "{}",
        stdout(&failed)
    );

    let started = std::time::Instant::now();
    let hung = harden(repo.path())
        .args(["drill", "run", "load"])
        .output()
        .unwrap();
    assert_eq!(hung.status.code(), Some(1));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(
        stdout(&hung).contains("timed out after 1s and was killed with its children"),
        "{}",
        stdout(&hung)
    );
    let show = harden(repo.path())
        .args(["ledger", "show", "head"])
        .output()
        .unwrap();
    let entry: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(
        (
            entry["body"]["drill"].as_str(),
            entry["body"]["timed_out"].as_bool()
        ),
        (Some("load"), Some(true))
    );

    let list = harden(repo.path())
        .args(["drill", "list"])
        .output()
        .unwrap();
    let text = stdout(&list);
    assert!(
        text.contains("backup-restore") && text.contains("never run"),
        "{text}"
    );
    assert!(
        text.contains("failover") && text.contains("FAILED on"),
        "{text}"
    );

    // The ledger's signing key never reaches a drill: not the PEM, not the file's path.
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("key.pem");
    assert!(
        std::process::Command::new("openssl")
            .args(["genpkey", "-algorithm", "ed25519", "-out"])
            .arg(&key)
            .status()
            .unwrap()
            .success()
    );
    let pem = std::fs::read_to_string(&key).unwrap();
    let env = harden(repo.path())
        .args(["drill", "run", "environment"])
        .env("HARDEN_SIGNING_KEY", &pem)
        .output()
        .unwrap();
    let env_file = harden(repo.path())
        .args(["drill", "run", "environment"])
        .env("HARDEN_SIGNING_KEY_FILE", &key)
        .output()
        .unwrap();
    let export = harden(repo.path())
        .args(["ledger", "export"])
        .output()
        .unwrap();
    let body = pem.lines().nth(1).unwrap();
    for text in [stdout(&env), stdout(&env_file), stdout(&export)] {
        assert!(
            !text.contains(body) && !text.contains("PRIVATE KEY"),
            "{text}"
        );
    }

    let unknown = harden(repo.path())
        .args(["drill", "run", "nope"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("expected one of backup-restore, failover, environment, load"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn the_checklist_shows_every_item_with_what_proves_it_and_its_state() {
    let repo = drill_repo();
    harden(repo.path()).arg("check").output().unwrap();
    harden(repo.path())
        .args(["drill", "run", "failover"])
        .output()
        .unwrap();
    let listed = harden(repo.path())
        .args(["gates", "--checklist", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(listed.status.code(), Some(0), "{}", stderr(&listed));
    let items: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(items.len(), 40);
    let find = |text: &str| items.iter().find(|i| i["item"] == text).unwrap().clone();
    let failover = find("Database failover tested");
    assert_eq!(
        (failover["class"].as_str(), failover["proven_by"].as_str()),
        (
            Some("drillable"),
            Some("R7.failover.drilled (drill failover)")
        )
    );
    assert!(
        failover["state"]
            .as_str()
            .unwrap()
            .starts_with("drill failover failed on "),
        "{failover}"
    );
    assert_eq!(
        find("Backup/restore verified")["state"],
        "no attestation or drill in the ledger"
    );
    assert_eq!(
        find("Rollback procedures verified")["proven_by"],
        "R7.rollback.drilled"
    );
    let runbooks = find("Disaster recovery plan documented");
    assert_eq!(runbooks["class"], "automatic");
    assert!(
        runbooks["state"]
            .as_str()
            .unwrap()
            .starts_with("pass (run #"),
        "{runbooks}"
    );
    assert_eq!(find("Penetration test completed")["class"], "attested");
    // The list of checklist gates the other tests disable is the binary's.
    let gates: Vec<&str> = items
        .iter()
        .filter(|i| i["class"] != "automatic")
        .map(|i| i["proven_by"].as_str().unwrap().split(' ').next().unwrap())
        .collect();
    let mut expected = crate::CHECKLIST_GATES.to_vec();
    let mut sorted = gates.clone();
    sorted.sort_unstable();
    expected.sort_unstable();
    assert_eq!(sorted, expected);
    let human = harden(repo.path())
        .args(["gates", "--checklist"])
        .output()
        .unwrap();
    let text = stdout(&human);
    for list in ["Security", "Reliability", "Observability", "Operational"] {
        assert!(text.contains(&format!("{list}\n")), "{text}");
    }
}

#[test]
fn an_attestation_holds_until_it_expires_and_says_who_signed() {
    let repo = drill_repo();
    let evidence = repo.path().join("pentest-report.pdf");
    std::fs::write(&evidence, "findings: none of high severity").unwrap();
    let attest = harden(repo.path())
        .args([
            "attest",
            "Penetration test completed",
            "--by",
            "Ada (security lead)",
            "--expires",
            "30d",
            "--evidence",
        ])
        .arg(&evidence)
        .output()
        .unwrap();
    assert_eq!(attest.status.code(), Some(0), "{}", stderr(&attest));
    assert!(
        stdout(&attest).contains(
            "attested: Penetration test completed (R1.pentest.done), by Ada (security lead)"
        ),
        "{}",
        stdout(&attest)
    );
    let show = harden(repo.path())
        .args(["ledger", "show", "head"])
        .output()
        .unwrap();
    let entry: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(entry["kind"], "attestation");
    assert_eq!(
        entry["body"]["evidence"]["sha256"].as_str().map(str::len),
        Some(64)
    );
    let state = |when: Option<&str>| {
        let mut command = if let Some(when) = when {
            let mut c = std::process::Command::new("faketime");
            c.arg(when)
                .arg(assert_cmd::cargo::cargo_bin("harden"))
                .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
                .env("TZ", "UTC");
            c
        } else {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("harden"))
        };
        command
            .env_remove("HARDEN_LEDGER")
            .env_remove("HARDEN_CONFIG");
        let output = command
            .args(["gates", "--checklist", "--format", "json"])
            .current_dir(repo.path())
            .output()
            .expect("faketime is needed for this test");
        let items: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
        items
            .into_iter()
            .find(|i| i["item"] == "Penetration test completed")
            .unwrap()["state"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let now = state(None);
    assert!(
        now.starts_with("attested by Ada (security lead) on "),
        "{now}"
    );
    let later = state(Some("2099-01-01 00:00:00"));
    assert!(later.starts_with("expired on "), "{later}");

    // A URL as evidence, with credentials masked; items proven by gates, unknown items and
    // missing files are refused.
    let url = harden(repo.path())
        .args([
            "attest",
            "status page configured",
            "--by",
            "Bo",
            "--evidence",
            "https://user:hunter2-pass@status.example.com/",
        ])
        .output()
        .unwrap();
    assert_eq!(url.status.code(), Some(0), "{}", stderr(&url));
    let export = harden(repo.path())
        .args(["ledger", "export"])
        .output()
        .unwrap();
    assert!(!stdout(&export).contains("hunter2-pass"));
    for args in [
        vec![
            "attest",
            "Dependency vulnerabilities patched",
            "--by",
            "Bo",
            "--evidence",
            "https://x.example",
        ],
        vec![
            "attest",
            "Coffee brewed",
            "--by",
            "Bo",
            "--evidence",
            "https://x.example",
        ],
        vec![
            "attest",
            "Team trained",
            "--by",
            "Bo",
            "--evidence",
            "no-such-file.pdf",
        ],
        vec![
            "attest",
            "Team trained",
            "--by",
            "Bo",
            "--evidence",
            "https://x.example",
            "--expires",
            "soon",
        ],
    ] {
        let refused = harden(repo.path()).args(&args).output().unwrap();
        assert_eq!(refused.status.code(), Some(2), "{args:?}");
    }
}

/// Runs harden at a fixed UTC instant under `faketime`.
fn harden_at(dir: &std::path::Path, when: &str, args: &[&str]) -> std::process::Output {
    crate::harden_at(dir, when)
        .args(args)
        .output()
        .expect("faketime is needed for this test: apt-get install faketime")
}

/// The outcome and summary of `gate` in a `check --format json` output.
fn gate_result(output: &std::process::Output, gate: &str) -> (String, String) {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(output), stderr(output)));
    let result = report["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == gate)
        .unwrap_or_else(|| panic!("no {gate} in {report}"));
    (
        result["outcome"].as_str().unwrap().to_owned(),
        result["summary"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn checklist_gates_pass_on_valid_evidence_and_fail_when_missing_expired_or_failed() {
    let repo = drill_repo();
    // A deployable service: the checklist applies.
    repo.write("Dockerfile", "FROM scratch\nUSER 1000\n");
    repo.write(
        "harden.toml",
        format!(
            "{CONFIG}{DRILLS}\n[gates.\"R1.pentest.done\"]\nowner = \"ada@example.com\"\nreview = \"180d\"\n"
        ),
    );
    repo.commit("a service", "2026-11-22T09:00:00Z");
    let check = |when: &str| {
        harden_at(
            repo.path(),
            when,
            &[
                "check",
                "--no-record",
                "--format",
                "json",
                "--only",
                "R1.pentest.done",
                "--only",
                "R7.failover.drilled",
                "--only",
                "R7.dr.drilled",
                "--only",
                "R7.statuspage.configured",
            ],
        )
    };
    // Nothing vouches for anything yet: every item fails, saying how to prove it.
    let before = check("2026-12-01 09:00:00");
    assert_eq!(before.status.code(), Some(1), "{}", stderr(&before));
    for gate in [
        "R1.pentest.done",
        "R7.failover.drilled",
        "R7.dr.drilled",
        "R7.statuspage.configured",
    ] {
        assert_eq!(
            gate_result(&before, gate),
            (
                "fail".to_owned(),
                "no attestation or drill in the ledger".to_owned()
            ),
            "{gate}"
        );
    }
    let report = stdout(&before);
    assert!(report.contains("harden drill run failover"), "{report}");
    assert!(
        report.contains("harden attest R1.pentest.done --evidence FILE|URL --by NAME"),
        "{report}"
    );
    assert!(report.contains("(owner: ada@example.com)"), "{report}");

    // An attestation passes the gate, naming who signed and how old it is; the failover
    // drill fails its gate; an attestation stands in for the restore drill.
    std::fs::write(repo.path().join("pentest.pdf"), "no high findings").unwrap();
    std::fs::write(repo.path().join("restore.log"), "restored 1200 rows").unwrap();
    for args in [
        vec![
            "attest",
            "R1.pentest.done",
            "--by",
            "Ada",
            "--expires",
            "365d",
            "--evidence",
            "pentest.pdf",
        ],
        vec![
            "attest",
            "R7.dr.drilled",
            "--by",
            "Ops",
            "--expires",
            "30d",
            "--evidence",
            "restore.log",
        ],
        vec!["drill", "run", "failover"],
    ] {
        let output = harden_at(repo.path(), "2026-12-01 10:00:00", &args);
        assert!(
            output.status.code() == Some(0) || args[0] == "drill",
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let after = check("2026-12-11 09:00:00");
    assert_eq!(after.status.code(), Some(1));
    assert_eq!(
        gate_result(&after, "R1.pentest.done"),
        (
            "pass".to_owned(),
            // review = "180d" caps the 365-day attestation.
            "attested by Ada on 2026-12-01 (9 days ago), valid until 2027-05-30".to_owned()
        )
    );
    assert_eq!(gate_result(&after, "R7.dr.drilled").0, "pass");
    let (outcome, summary) = gate_result(&after, "R7.failover.drilled");
    assert_eq!(outcome, "fail");
    assert!(
        summary.starts_with("drill failover failed on 2026-12-01"),
        "{summary}"
    );

    // Readiness lists what falls due within 14 days, with its owner: failing items now, the
    // restore attestation on its expiry; the pentest, valid for months, is not listed.
    let readiness = harden_at(repo.path(), "2026-12-20 09:00:00", &["readiness"]);
    assert_eq!(readiness.status.code(), Some(1), "{}", stderr(&readiness));
    let snapshot = std::fs::read_to_string(
        repo.path()
            .join("docs/audits/production-hardening-rollout-readiness-2026-12-20.md"),
    )
    .unwrap();
    let due = snapshot
        .split("## Checklist items due within 14 days")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    assert!(
        due.contains("| `R7.dr.drilled` | Backup/restore verified | dba@example.com | 2026-12-31 | attested by Ops on 2026-12-01 (18 days ago), valid until 2026-12-31 |"),
        "{due}"
    );
    assert!(
        due.contains("| `R7.failover.drilled` | Database failover tested | (no owner) | **now** | drill failover failed on 2026-12-01"),
        "{due}"
    );
    assert!(due.contains("| `R7.statuspage.configured` |"), "{due}");
    assert!(!due.contains("R1.pentest.done"), "{due}");

    // Forty days on, the 30-day attestation has expired: its gate fails again.
    let later = check("2027-01-10 09:00:00");
    let (outcome, summary) = gate_result(&later, "R7.dr.drilled");
    assert_eq!(outcome, "fail");
    assert!(
        summary.starts_with("expired on 2026-12-31 (attested by Ops on 2026-12-01"),
        "{summary}"
    );
    assert_eq!(gate_result(&later, "R1.pentest.done").0, "pass");
    // Past the 180-day review interval, the pentest is due again too.
    assert_eq!(
        gate_result(&check("2027-06-01 09:00:00"), "R1.pentest.done").0,
        "fail"
    );
}

#[test]
fn checklist_gates_apply_to_deployable_services_and_to_items_the_config_names() {
    // No Dockerfile, no workload: not applicable, unless harden.toml says something of the item.
    let repo = crate::ready_repo();
    let only = [
        "check",
        "--no-record",
        "--format",
        "json",
        "--only",
        "R7.comms.ready",
        "--only",
        "R7.team.trained",
    ];
    let output = harden(repo.path()).args(only).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        gate_result(&output, "R7.comms.ready"),
        (
            "skipped".to_owned(),
            "not applicable: no deployable services in the repository".to_owned()
        )
    );
    repo.write(
        "harden.toml",
        format!("{CONFIG}\n[gates.\"R7.comms.ready\"]\nowner = \"comms@example.com\"\n"),
    );
    let output = harden(repo.path()).args(only).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(gate_result(&output, "R7.comms.ready").0, "fail");
    assert_eq!(gate_result(&output, "R7.team.trained").0, "skipped");
    // A Kubernetes workload makes it a service as well.
    repo.write(
        "deploy/api.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n",
    );
    let output = harden(repo.path()).args(only).output().unwrap();
    assert_eq!(gate_result(&output, "R7.team.trained").0, "fail");
}

#[test]
fn a_drill_must_prove_a_drillable_or_attested_item() {
    let repo = crate::ready_repo();
    repo.write(
        "harden.toml",
        format!(
            "{CONFIG}\n[[drill]]\nname = \"coffee\"\nproves = \"Coffee brewed\"\nrun = \"true\"\n"
        ),
    );
    let output = harden(repo.path())
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output) + &stdout(&output);
    assert!(
        text.contains("`Coffee brewed` is no drillable or attested checklist item"),
        "{text}"
    );
    assert!(text.contains("harden.toml:"), "{text}");
}
