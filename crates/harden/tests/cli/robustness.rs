//! Issue 20: nothing silent, nothing unbounded, nothing the scanned repository can turn against
//! the scanner. One regression test per class, named after it.

use crate::secrets::{SLACK, STRIPE};
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
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, Some(1), "{report}");
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

/// `harden check . --format json` with `extra` arguments: the exit code and the report.
fn check_json(repo: &harden_test::TestRepo, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let output = harden(repo.path())
        .args(["check", ".", "--format", "json"])
        .args(extra)
        .timeout(std::time::Duration::from_mins(2))
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{output:?}"));
    (output.status.code(), report)
}

fn ledger(repo: &harden_test::TestRepo) -> std::path::PathBuf {
    repo.path().join(".harden/ledger.db")
}

fn r2_outcome(repo: &harden_test::TestRepo) -> (String, String) {
    let (_, report) = check_json(repo, &["--only", "R2.ledger.intact"]);
    let gate = &report["gates"][0];
    (
        gate["outcome"].as_str().unwrap_or_default().to_owned(),
        gate["findings"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// `rm ledger.db`, or all rows and the head deleted: the ledger that existed does not silently
/// become a new one; its anchor (a git ref) says how far it went.
#[test]
fn a_deleted_or_emptied_ledger_fails_against_its_anchor() {
    let repo = ready_repo();
    for _ in 0..3 {
        harden(repo.path()).args(["check", "."]).assert().success();
    }
    let refs = repo.git(&["for-each-ref", "refs/harden/"]);
    assert!(refs.contains("refs/harden/ledgers/"), "{refs}");
    // A fresh ledger after `rm`.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", ledger(&repo).display()));
    }
    let (outcome, message) = r2_outcome(&repo);
    assert_eq!(outcome, "fail", "{message}");
    assert!(message.contains("records entry #3"), "{message}");
    let verify = harden(repo.path())
        .args(["ledger", "verify"])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(1), "{verify:?}");
    assert!(crate::stderr(&verify).contains("anchor"), "{verify:?}");
    // Runs on the new chain go past the anchored number, but the anchor never moves onto a
    // chain that does not hold its entry: the replacement never verifies.
    let mut warned = 0;
    for _ in 0..4 {
        let output = harden(repo.path()).args(["check", "."]).output().unwrap();
        warned += usize::from(crate::stderr(&output).contains("the anchor stays"));
    }
    assert_eq!(warned, 2, "entries #4 and #5 would have moved it");
    let (outcome, message) = r2_outcome(&repo);
    assert_eq!(outcome, "fail", "{message}");

    // Every row and the head deleted (the triggers dropped first, as an attacker would).
    let repo = ready_repo();
    for _ in 0..2 {
        harden(repo.path()).args(["check", "."]).assert().success();
    }
    let connection = rusqlite::Connection::open(ledger(&repo)).unwrap();
    connection
        .execute_batch(
            "DROP TRIGGER ledger_entries_no_delete; DROP TRIGGER ledger_head_kept;
             DELETE FROM ledger_entries; DELETE FROM ledger_head;",
        )
        .unwrap();
    drop(connection);
    let (outcome, message) = r2_outcome(&repo);
    assert_eq!(outcome, "fail", "{message}");
    assert!(message.contains("holds 0 entries"), "{message}");
}

/// In CI the checkout is thrown away: the anchor is a file named by HARDEN_LEDGER_ANCHOR.
#[test]
fn the_anchor_can_be_a_file_named_in_the_environment() {
    let repo = ready_repo();
    let outside = tempfile::tempdir().unwrap();
    let anchor = outside.path().join("anchor.json");
    let ledger_path = outside.path().join("ci.db");
    let run = |args: &[&str]| {
        harden(repo.path())
            .args(args)
            .env("HARDEN_LEDGER", &ledger_path)
            .env("HARDEN_LEDGER_ANCHOR", &anchor)
            .output()
            .unwrap()
    };
    assert!(run(&["check", "."]).status.success());
    assert!(run(&["check", "."]).status.success());
    let text = std::fs::read_to_string(&anchor).unwrap();
    assert!(
        text.contains("harden-ledger-anchor/1") && text.contains("\"seq\": 2"),
        "{text}"
    );
    assert!(
        !repo
            .git(&["for-each-ref", "refs/harden/"])
            .contains("harden"),
        "the file replaces the git ref"
    );
    std::fs::remove_file(&ledger_path).unwrap();
    let verify = run(&["ledger", "verify"]);
    assert_eq!(verify.status.code(), Some(1), "{verify:?}");
    assert!(crate::stderr(&verify).contains("anchor file"), "{verify:?}");
}

/// A truncated file or dropped tables are reported, and the file is left exactly as it was.
#[test]
fn a_truncated_ledger_or_dropped_tables_are_errors_not_a_new_chain() {
    let repo = ready_repo();
    harden(repo.path()).args(["check", "."]).assert().success();
    std::fs::write(ledger(&repo), b"").unwrap();
    for args in [
        &["check", "."][..],
        &["ledger", "verify"],
        &["check", ".", "--no-record"],
    ] {
        let output = harden(repo.path()).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        assert!(
            crate::stderr(&output).contains("holds no harden ledger"),
            "{output:?}"
        );
        assert_eq!(
            std::fs::metadata(ledger(&repo)).unwrap().len(),
            0,
            "{args:?}"
        );
    }

    let repo = ready_repo();
    harden(repo.path()).args(["check", "."]).assert().success();
    let connection = rusqlite::Connection::open(ledger(&repo)).unwrap();
    connection
        .execute_batch("DROP TABLE ledger_entries; DROP TABLE ledger_head;")
        .unwrap();
    drop(connection);
    let output = harden(repo.path()).args(["check", "."]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let text = crate::stderr(&output);
    assert!(text.contains("2 of its 3 tables are missing"), "{text}");
    let connection = rusqlite::Connection::open(ledger(&repo)).unwrap();
    let tables: i64 = connection
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // ledger_meta and ledger_signatures, as they were.
    assert_eq!(tables, 2, "the schema was not re-created");
}

/// A tampered head sequence of -1 is named as such, never printed as 18446744073709551615;
/// SQLite's messages appear once.
#[test]
fn a_negative_sequence_number_is_shown_as_tampering() {
    let repo = ready_repo();
    harden(repo.path()).args(["check", "."]).assert().success();
    let connection = rusqlite::Connection::open(ledger(&repo)).unwrap();
    connection
        .execute_batch("UPDATE ledger_head SET seq = -1 WHERE id = 1")
        .unwrap();
    drop(connection);
    let verify = harden(repo.path())
        .args(["ledger", "verify"])
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&verify), crate::stderr(&verify));
    assert_ne!(verify.status.code(), Some(0), "{text}");
    assert!(text.contains("sequence number -1"), "{text}");
    assert!(!text.contains("18446744073709551615"), "{text}");
}

/// `--no-record` writes nothing, not even a new ledger; reads work on a ledger nobody may write.
#[test]
fn read_only_ledgers_are_read_and_no_record_writes_nothing() {
    let repo = ready_repo();
    harden(repo.path())
        .args(["check", ".", "--no-record"])
        .assert()
        .success();
    assert!(
        !repo.path().join(".harden").exists(),
        "--no-record created the ledger"
    );
    harden(repo.path()).args(["check", "."]).assert().success();
    // The ledger is made read-only, and every reader runs as a user who cannot write it
    // (as root, file modes do not stop writes: the readers run as `nobody`).
    let dir = repo.path().join(".harden");
    let before = std::fs::read(ledger(&repo)).unwrap();
    crate::as_reader(&dir, |command| {
        for args in [
            &["ledger", "verify"][..],
            &["ledger", "log"],
            &["ledger", "show", "head"],
            &["check", ".", "--no-record"],
        ] {
            let output = command().args(args).output().unwrap();
            let text = format!("{output:?}");
            assert!(output.status.success(), "{args:?}: {text}");
            assert!(!text.contains("readonly database"), "{args:?}: {text}");
        }
    });
    assert_eq!(
        std::fs::read(ledger(&repo)).unwrap(),
        before,
        "nothing was written"
    );
}

/// A pull request cannot make harden write outside the checkout or connect anywhere: not with
/// `[ledger] url`, not through committed symbolic links.
#[test]
fn the_repository_cannot_steer_writes_or_connections_outside_itself() {
    let outside = tempfile::tempdir().unwrap();
    let nothing_outside = || {
        let entries: Vec<_> = std::fs::read_dir(outside.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(entries.is_empty(), "written outside: {entries:?}");
    };
    for url in [
        format!("{}/other-app.db", outside.path().display()),
        "../../other-app.db".to_owned(),
        "postgres://attacker.example.com/ledger".to_owned(),
    ] {
        let repo = ready_repo();
        repo.write(
            "harden.toml",
            format!("{}\n[ledger]\nurl = \"{url}\"\n", crate::CONFIG),
        );
        let output = harden(repo.path()).args(["check", "."]).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{url}: {output:?}");
        assert!(crate::stderr(&output).contains("ledger.url"), "{output:?}");
        nothing_outside();
    }

    // Paths into git's own directory (a hook, the git config) are refused.
    let repo = ready_repo();
    repo.write(
        "harden.toml",
        format!(
            "{}\n[secrets]\nbaseline = \".git/hooks/pre-commit\"\n",
            crate::CONFIG
        ),
    );
    let output = harden(repo.path())
        .args(["secrets", "baseline"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());

    // Committed links: `.harden` (the default ledger), `docs` (readiness, smoke, plans) and the
    // configured baseline.
    let repo = ready_repo();
    std::os::unix::fs::symlink(outside.path(), repo.path().join(".harden")).unwrap();
    let output = harden(repo.path()).args(["check", "."]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        crate::stderr(&output).contains("symbolic link"),
        "{output:?}"
    );
    nothing_outside();

    let repo = ready_repo();
    repo.write(
        "harden.toml",
        format!(
            "{}\n[secrets]\nbaseline = \"docs/baseline.json\"\n",
            crate::CONFIG
        ),
    );
    std::fs::rename(repo.path().join("docs"), repo.path().join("real-docs")).unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.path().join("docs")).unwrap();
    for args in [
        &["readiness"][..],
        &["smoke", "record"],
        &["plan", "new", "rotate-keys", "--title", "Rotate the keys"],
        &["secrets", "baseline"],
    ] {
        let output = harden(repo.path()).args(args).output().unwrap();
        assert_ne!(output.status.code(), Some(0), "{args:?}: {output:?}");
        assert!(
            crate::stderr(&output).contains("symbolic link"),
            "{args:?}: {output:?}"
        );
        nothing_outside();
    }
}

/// A token pasted into harden.toml (a waiver reason, a deployment flag, a preflight command,
/// a decision, a misspelt key) is masked in every output, file and ledger entry, exactly like
/// a token in a scanned file.
#[test]
fn secrets_written_into_the_config_are_masked_everywhere() {
    let repo = ready_repo();
    let soon = harden_engine_free_date(30);
    repo.write(
        "harden.toml",
        format!(
            r#"{config}
[deploy.flags]
AUTH_MODE = ["enforced", "{SLACK}"]

[[preflight]]
name = "db"
run = "echo {STRIPE} >/dev/null"
timeout = "10s"

[[waiver]]
gate = "R7.runbooks"
path = "docs/legacy/*.md"
reason = "accepted until the rewrite, ask with {STRIPE}"
owner = "dana@example.com"
reference = "OPS-9 {SLACK}"
expires = {soon}

[[decision]]
decision = "Keep {STRIPE} for the pilot"
date = 2026-01-10
owner = "dana@example.com"
trigger = "a second customer asks for exports"
revisit-by = {soon}
"#,
            config = crate::CONFIG
        ),
    );
    repo.commit("config", "2026-11-21T09:00:00Z");
    let mut seen = String::new();
    let mut run = |args: &[&str]| {
        let output = harden(repo.path())
            .args(args)
            .env("AUTH_MODE", SLACK)
            .output()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&output.stdout));
        seen.push_str(&String::from_utf8_lossy(&output.stderr));
    };
    for format in ["human", "json", "sarif", "junit", "markdown"] {
        run(&["check", ".", "--format", format]);
    }
    run(&["check", ".", "-vv", "--log-format", "json"]);
    run(&["readiness", "--checks"]);
    run(&["smoke", "record", "--checks"]);
    run(&["ledger", "export", "--format", "jsonl"]);
    run(&["config", "check"]);
    run(&["secrets", "scan", "harden.toml"]);
    // A config error echoes its line.
    repo.write(
        "harden.toml",
        format!("{}\ntokn = \"{STRIPE}\"\n", crate::CONFIG),
    );
    run(&["config", "check"]);
    run(&["check", "."]);
    run(&["check", ".", "--log-format", "json"]);
    for entry in walk(&repo.path().join("docs")) {
        seen.push_str(&String::from_utf8_lossy(&std::fs::read(entry).unwrap()));
    }
    seen.push_str(&String::from_utf8_lossy(
        &std::fs::read(repo.path().join(".harden/ledger.db")).unwrap(),
    ));
    for canary in [STRIPE, SLACK] {
        assert!(!seen.contains(canary), "{} leaked", &canary[..8]);
    }
    // The texts did reach the outputs, masked.
    assert!(seen.contains("sk_l…(32)") && seen.contains("xoxb…(56)"));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A date `days` from now (the binary judges waivers by the real clock here).
fn harden_engine_free_date(days: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let date = jiff::Timestamp::from_second(i64::try_from(now).unwrap() + days * 86_400)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    date.to_string()
}

/// Under `--log-format json` every stderr line is a JSON object carrying the run id (gates on
/// worker threads included), config errors too.
#[test]
fn every_json_log_line_carries_the_run_id() {
    let repo = ready_repo();
    let output = harden(repo.path())
        .args([
            "check",
            ".",
            "-vv",
            "--log-format",
            "json",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let run_id = report["run_id"].as_str().unwrap();
    let lines: Vec<&str> = std::str::from_utf8(&output.stderr)
        .unwrap()
        .lines()
        .collect();
    assert!(lines.len() > 10, "{lines:?}");
    for line in lines {
        let event: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(event["run_id"].as_str(), Some(run_id), "{line}");
    }
    repo.write("harden.toml", "version = 1\n[servise]\n");
    let output = harden(repo.path())
        .args(["check", ".", "--log-format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    for line in std::str::from_utf8(&output.stderr).unwrap().lines() {
        let event: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(event["run_id"].is_string() && event["line"] == 2, "{line}");
    }
}

/// `until=9999-12-31` is a permanent exception: waivers (inline or declared) expire within
/// `[waivers] max-days` (365 by default) or cover nothing and fail their gate.
#[test]
fn waivers_cannot_be_granted_forever() {
    let repo = ready_repo();
    repo.remove("docs/runbooks/on-call.md");
    repo.write(
        ".github/workflows/ci.yml",
        "on: push\npermissions: {}\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test || true  # harden: allow R4.ci.ignore-errors reason=\"flaky\" until=9999-12-31\n",
    );
    let waiver = "[[waiver]]\ngate = \"R7.runbooks\"\npath = \"docs/runbooks/on-call.md\"\nreason = \"being written\"\nowner = \"dana@example.com\"\nreference = \"OPS-1\"\nexpires = 9999-12-31\n";
    repo.write("harden.toml", format!("{}\n{waiver}", crate::CONFIG));
    let outcome = |extra: &str| {
        repo.write("harden.toml", format!("{}\n{waiver}{extra}", crate::CONFIG));
        let (_, report) = check_json(
            &repo,
            &["--only", "R7.runbooks", "--only", "R4.ci.ignore-errors"],
        );
        report["gates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                format!(
                    "{} {} {}",
                    g["id"].as_str().unwrap(),
                    g["outcome"].as_str().unwrap(),
                    g["reason"].as_str().unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
    };
    let capped = outcome("");
    for gate in &capped {
        assert!(gate.contains(" fail "), "{gate}");
        assert!(gate.contains("at most 365 days"), "{gate}");
    }
    let allowed = outcome("\n[waivers]\nmax-days = 3000000\n");
    for gate in &allowed {
        assert!(gate.contains(" waived "), "{gate}");
    }
}

/// Quadratic paths: 40,000 unpinned `uses:` in one workflow were 111 s in one gate (a line
/// looked up by walking the file, once per finding). Not a benchmark (bench/scaling.sh is): a
/// guard with a bound two orders of magnitude above today's cost on a debug build.
#[test]
fn forty_thousand_findings_in_one_file_do_not_take_quadratic_time() {
    let repo = ready_repo();
    let mut workflow = String::from(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n",
    );
    for i in 0..40_000 {
        workflow.push_str("      - uses: actions/checkout@v");
        workflow.push_str(&i.to_string());
        workflow.push('\n');
    }
    repo.write(".github/workflows/ci.yml", workflow);
    let (code, report) = check_json(&repo, &["--only", "R4.pinning.actions", "--no-record"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        report["gates"][0]["findings"].as_array().unwrap().len(),
        40_000
    );
}

/// A secret in a file over 10 MiB was not scanned and the result said clean: large files are
/// read in chunks that overlap, from the tree, a named file, standard input and the history.
#[test]
fn a_secret_in_a_file_over_ten_mebibytes_is_found() {
    use std::io::Write as _;
    let repo = ready_repo();
    let filler = "INSERT INTO events VALUES (1, 'page_view', '2026-01-01');\n";
    let lines_before = 12 * 1024 * 1024 / filler.len();
    let mut big = filler.repeat(lines_before);
    big.push_str("-- stripe_key = '");
    big.push_str(STRIPE);
    big.push_str("'\n");
    big.push_str(&filler.repeat(1000));
    repo.write("data/dump.sql", &big);
    repo.commit("dump", "2026-11-21T09:00:00Z");
    let line = lines_before + 1;
    let expect_found = |output: std::process::Output, what: &str| {
        assert_eq!(
            output.status.code(),
            Some(1),
            "{what}: {}",
            crate::stderr(&output)
        );
        let text = stdout(&output);
        assert!(text.contains(&format!(":{line}:")), "{what}: {text}");
        assert!(!text.contains(STRIPE), "{what}");
    };
    for args in [
        &["check", ".", "--only", "R3.secrets.tree", "--no-record"][..],
        &["secrets", "scan", "data/dump.sql"],
        &["secrets", "scan", "--history"],
    ] {
        expect_found(
            harden(repo.path()).args(args).output().unwrap(),
            &args.join(" "),
        );
    }
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("harden"))
        .args(["secrets", "scan", "-"])
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(big.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    expect_found(output, "secrets scan -");
}

/// A lockfile too large to parse within the memory bound is listed as not examined, and a
/// strict run fails on it instead of passing over it.
#[test]
fn files_too_large_to_parse_are_listed_and_fail_a_strict_run() {
    let repo = ready_repo();
    repo.write(
        "package.json",
        "{\"name\": \"x\", \"dependencies\": {\"left-pad\": \"1.3.0\"}}\n",
    );
    let padding = "x".repeat(33 * 1024 * 1024);
    repo.write(
        "package-lock.json",
        format!(
            "{{\"lockfileVersion\": 3, \"packages\": {{\"node_modules/left-pad\": {{\"version\": \"1.3.0\"}}}}, \"padding\": \"{padding}\"}}\n"
        ),
    );
    let run = |strict: bool| {
        let mut args = vec!["--only", "R4.lockfiles", "--no-record"];
        if strict {
            args.push("--strict");
        }
        let (code, report) = check_json(&repo, &args);
        (code, report["gates"][0].clone())
    };
    let (code, gate) = run(false);
    assert_eq!(code, Some(0), "{gate}");
    assert!(
        gate["evidence"]["not_examined"]["package-lock.json"]
            .as_str()
            .is_some_and(|why| why.contains("32 MiB")),
        "{gate}"
    );
    assert!(
        gate["summary"].as_str().unwrap().contains("1 not examined"),
        "{gate}"
    );
    let (code, gate) = run(true);
    assert_eq!(code, Some(1), "{gate}");
    assert!(
        gate["reason"]
            .as_str()
            .unwrap()
            .contains("not examined (--strict)"),
        "{gate}"
    );
}

/// A file whose name is not UTF-8 is opened by its real name and reported under an escaped
/// one, in the tree and in the history.
#[test]
fn files_with_names_that_are_not_utf8_are_scanned_and_shown_escaped() {
    use std::os::unix::ffi::OsStrExt as _;
    let repo = ready_repo();
    let name = std::ffi::OsStr::from_bytes(b"conf\xFF\xFEig.env");
    std::fs::write(repo.path().join(name), format!("STRIPE_KEY={STRIPE}\n")).unwrap();
    repo.git(&["add", "-A"]);
    repo.commit("odd name", "2026-11-21T09:00:00Z");
    for args in [
        &["check", ".", "--only", "R3.secrets.tree", "--no-record"][..],
        &["secrets", "scan", "--history"],
    ] {
        let output = harden(repo.path()).args(args).output().unwrap();
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {text}");
        assert!(text.contains(r"conf\xFF\xFEig.env"), "{args:?}: {text}");
        assert!(!text.contains('\u{FFFD}'), "{args:?}: {text}");
    }
}

/// SQLite's message appears once, not three times (its error and its source repeat it).
#[test]
fn a_sqlite_error_is_reported_once() {
    let repo = ready_repo();
    std::fs::create_dir_all(repo.path().join(".harden")).unwrap();
    std::fs::write(
        ledger(&repo),
        b"this is not a database, just text ".repeat(200),
    )
    .unwrap();
    let output = harden(repo.path()).args(["check", "."]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let text = crate::stderr(&output);
    assert_eq!(text.matches("file is not a database").count(), 1, "{text}");
}
