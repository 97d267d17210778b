//! `harden ledger verify|log|show|export`, tampering, and verification outside harden.

use std::process::Command;

use crate::{harden, ready_repo, stderr, stdout};

fn checked_repo(runs: usize) -> harden_test::TestRepo {
    let repo = ready_repo();
    for _ in 0..runs {
        assert_eq!(
            harden(repo.path())
                .arg("check")
                .output()
                .unwrap()
                .status
                .code(),
            Some(0)
        );
    }
    repo
}

#[test]
fn log_show_and_export() {
    let repo = checked_repo(3);
    let log = harden(repo.path())
        .args(["ledger", "log"])
        .output()
        .unwrap();
    assert_eq!(log.status.code(), Some(0));
    let text = stdout(&log);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("#3"), "newest first: {lines:?}");
    assert!(lines[0].contains("production") && lines[0].contains("0 failed"));

    let show = harden(repo.path())
        .args(["ledger", "show", "#2"])
        .output()
        .unwrap();
    let entry: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(entry["seq"], 2);
    assert_eq!(entry["body"]["schema"], "harden.report/v1");
    let head = harden(repo.path())
        .args(["ledger", "show", "head"])
        .output()
        .unwrap();
    assert!(stdout(&head).contains("\"seq\": 3"));
    let missing = harden(repo.path())
        .args(["ledger", "show", "9"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn an_export_verifies_without_harden() {
    let repo = checked_repo(3);
    let file = repo.path().join("export.jsonl");
    let export = harden(repo.path())
        .args(["ledger", "export", "--format", "jsonl", "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(export.status.code(), Some(0));
    let verify = harden(repo.path())
        .args(["ledger", "verify"])
        .output()
        .unwrap();
    let head = stdout(&verify)
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/verify-ledger-export.py"
    );
    let outside = Command::new("python3")
        .arg(script)
        .arg(&file)
        .arg(&head)
        .output()
        .expect("python3 is needed for this test");
    assert!(
        outside.status.success(),
        "{}{}",
        stdout(&outside),
        stderr(&outside)
    );
    assert!(stdout(&outside).starts_with("3 entries, chain intact"));

    // The same script catches an edited export.
    let text =
        std::fs::read_to_string(&file)
            .unwrap()
            .replacen("\"production\"", "\"prototype\"", 1);
    std::fs::write(&file, text).unwrap();
    let tampered = Command::new("python3")
        .arg(script)
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(tampered.status.code(), Some(1));
    assert!(stdout(&tampered).contains("entry #1: content does not match its hash"));
}

#[test]
fn tampering_fails_verify_and_the_gate() {
    let repo = checked_repo(3);
    let db = rusqlite::Connection::open(repo.path().join(".harden/ledger.db")).unwrap();
    db.execute_batch(
        "DROP TRIGGER ledger_entries_no_update;
         UPDATE ledger_entries SET body = replace(body, '\"profile\":\"production\"', '\"profile\":\"prototype\"') WHERE seq = 2;",
    )
    .unwrap();
    let verify = harden(repo.path())
        .args(["ledger", "verify"])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        stderr(&verify).contains("broken at entry #2"),
        "{}",
        stderr(&verify)
    );
    let check = harden(repo.path()).arg("check").output().unwrap();
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stdout(&check).contains("fail    R2.ledger.intact"),
        "{}",
        stdout(&check)
    );
    // A row mangled beyond recognition is reported, not a crash.
    // (harden reinstated the append-only guard when it opened the ledger; drop it again.)
    db.execute_batch(
        "DROP TRIGGER ledger_entries_no_update; UPDATE ledger_entries SET hash = 'x' WHERE seq = 1;",
    )
    .unwrap();
    let log = harden(repo.path())
        .args(["ledger", "log"])
        .output()
        .unwrap();
    assert_eq!(log.status.code(), Some(0), "{}", stderr(&log));
}

#[test]
fn verify_without_a_ledger_is_a_usage_error() {
    let repo = ready_repo();
    let output = harden(repo.path())
        .args(["ledger", "verify"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no ledger at"));
}

/// Rewrites the ledger of `repo` the way someone with write access to the database could:
/// `edit` changes entries' bodies, every hash after the first changed entry is recomputed so
/// the chain stays consistent, entries past `keep` are dropped, and the git anchor is deleted.
fn rewrite_whole_chain(
    repo: &harden_test::TestRepo,
    keep: i64,
    edit: impl Fn(i64, &str) -> String,
) {
    let db = rusqlite::Connection::open(repo.path().join(".harden/ledger.db")).unwrap();
    db.execute_batch(
        "DROP TRIGGER IF EXISTS ledger_entries_no_update; DROP TRIGGER IF EXISTS ledger_entries_no_delete;",
    )
    .unwrap();
    let rows: Vec<(i64, String, String, String)> = db
        .prepare("SELECT seq, kind, recorded_at, body FROM ledger_entries ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut prev = harden_ledger::chain::GENESIS.to_owned();
    for (seq, kind, recorded_at, body) in rows {
        if seq > keep {
            db.execute("DELETE FROM ledger_entries WHERE seq = ?1", [seq])
                .unwrap();
            continue;
        }
        let body = edit(seq, &body);
        let hash = harden_ledger::chain::entry_hash(
            u64::try_from(seq).unwrap(),
            &kind,
            &recorded_at,
            &prev,
            &body,
        );
        db.execute(
            "UPDATE ledger_entries SET body = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
            rusqlite::params![body, prev, hash, seq],
        )
        .unwrap();
        db.execute(
            "UPDATE ledger_head SET seq = ?1, hash = ?2 WHERE id = 1",
            rusqlite::params![seq, hash],
        )
        .unwrap();
        prev = hash;
    }
    let refs = Command::new("git")
        .args(["for-each-ref", "--format=%(refname)", "refs/harden/"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    for name in stdout(&refs).lines() {
        let deleted = Command::new("git")
            .args(["update-ref", "-d", name])
            .current_dir(repo.path())
            .status()
            .unwrap();
        assert!(deleted.success());
    }
}

#[test]
fn a_head_kept_elsewhere_catches_a_rewrite_of_the_whole_chain() {
    let repo = checked_repo(3);
    let head = harden(repo.path())
        .args(["ledger", "head"])
        .output()
        .unwrap();
    assert_eq!(head.status.code(), Some(0), "{}", stderr(&head));
    let anchor = stdout(&head).trim().to_owned();
    let (seq, hash) = anchor.split_once(':').unwrap();
    assert_eq!(seq, "3");
    assert_eq!(hash.len(), 64);
    let json = harden(repo.path())
        .args(["ledger", "head", "--format", "json"])
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        (value["seq"].as_u64(), value["hash"].as_str()),
        (Some(3), Some(hash))
    );
    let verify = |expect: &str| {
        harden(repo.path())
            .args(["ledger", "verify", "--expect-head", expect])
            .output()
            .unwrap()
    };
    let intact = verify(&anchor);
    assert_eq!(intact.status.code(), Some(0), "{}", stderr(&intact));
    assert!(
        stdout(&intact).contains("holds the expected head #3"),
        "{}",
        stdout(&intact)
    );
    // An earlier head of the same chain is still in it.
    let earlier = harden(repo.path())
        .args(["ledger", "show", "2"])
        .output()
        .unwrap();
    let earlier: serde_json::Value = serde_json::from_slice(&earlier.stdout).unwrap();
    let second = format!("2:{}", earlier["hash"].as_str().unwrap());
    assert_eq!(verify(&second).status.code(), Some(0));

    // Rewritten from the first entry on, consistently: the chain verifies on its own ...
    rewrite_whole_chain(&repo, 3, |seq, body| {
        if seq == 1 {
            body.replacen("\"profile\":\"production\"", "\"profile\":\"prototype\"", 1)
        } else {
            body.to_owned()
        }
    });
    let plain = harden(repo.path())
        .args(["ledger", "verify"])
        .output()
        .unwrap();
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    // ... but no longer holds the head recorded before.
    let rewritten = verify(&anchor);
    assert_eq!(rewritten.status.code(), Some(1));
    assert!(
        stderr(&rewritten).contains("does not hold the expected head #3: entry #3 is"),
        "{}",
        stderr(&rewritten)
    );
    assert!(!stderr(&rewritten).contains("panicked"));
    assert_eq!(verify(&second).status.code(), Some(1));

    // Cut back to two entries, consistently: the third is gone.
    rewrite_whole_chain(&repo, 2, |_, body| body.to_owned());
    let shrunk = verify(&anchor);
    assert_eq!(shrunk.status.code(), Some(1));
    assert!(
        stderr(&shrunk).contains("has no entry #3 (its head is #2)"),
        "{}",
        stderr(&shrunk)
    );

    // A head that is not N:HASH is a usage error.
    for bad in ["3", "x:abc", &format!("0:{hash}"), "3:abc"] {
        let output = verify(bad);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&output).contains("expected N:HASH"),
            "{}",
            stderr(&output)
        );
    }
}

fn openssl(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is needed for this test")
}

#[test]
fn signed_heads_verify_with_harden_and_with_openssl_and_a_moved_signature_is_caught() {
    let repo = checked_repo(1);
    let keys = tempfile::tempdir().unwrap();
    assert!(
        openssl(
            &["genpkey", "-algorithm", "ed25519", "-out", "key.pem"],
            keys.path()
        )
        .status
        .success()
    );
    assert!(
        openssl(
            &["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"],
            keys.path()
        )
        .status
        .success()
    );
    let key = keys.path().join("key.pem");
    let public = keys.path().join("pub.pem");
    // Checked with a key, a ledger with no signature at all fails: removing every signature
    // must not pass for "signing never began".
    let unsigned = harden(repo.path())
        .args(["ledger", "verify", "--public-key"])
        .arg(&public)
        .output()
        .unwrap();
    assert_eq!(unsigned.status.code(), Some(1), "{}", stdout(&unsigned));
    assert!(
        stderr(&unsigned).contains("no entry is signed by key"),
        "{}",
        stderr(&unsigned)
    );
    for _ in 0..2 {
        let check = harden(repo.path())
            .arg("check")
            .env("HARDEN_SIGNING_KEY_FILE", &key)
            .output()
            .unwrap();
        assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    }
    // The PEM itself in the environment (a CI secret) signs too.
    let pem = std::fs::read_to_string(&key).unwrap();
    let check = harden(repo.path())
        .arg("check")
        .env("HARDEN_SIGNING_KEY", &pem)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));

    let verify = harden(repo.path())
        .args(["ledger", "verify", "--public-key"])
        .arg(&public)
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", stderr(&verify));
    assert!(
        stdout(&verify).contains("3 heads signed by key")
            && stdout(&verify).contains("(1 entry before signing began)"),
        "{}",
        stdout(&verify)
    );
    let unchecked = harden(repo.path())
        .args(["ledger", "verify"])
        .output()
        .unwrap();
    assert!(
        stdout(&unchecked).contains("not checked: pass --public-key"),
        "{}",
        stdout(&unchecked)
    );

    // The export carries each signature; openssl verifies one with the public key alone.
    let export = harden(repo.path())
        .args(["ledger", "export"])
        .output()
        .unwrap();
    let last: serde_json::Value =
        serde_json::from_str(stdout(&export).lines().last().unwrap()).unwrap();
    let message = format!(
        "harden-ledger-head/1\n{}\n{}",
        last["seq"],
        last["hash"].as_str().unwrap()
    );
    std::fs::write(keys.path().join("head.txt"), &message).unwrap();
    let signature = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        last["signature"]["sig"].as_str().unwrap(),
    )
    .unwrap();
    std::fs::write(keys.path().join("head.sig"), signature).unwrap();
    let outside = openssl(
        &[
            "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "head.txt",
            "-sigfile", "head.sig",
        ],
        keys.path(),
    );
    assert!(
        outside.status.success(),
        "{}{}",
        stdout(&outside),
        stderr(&outside)
    );
    // ... and refuses it for another head.
    std::fs::write(
        keys.path().join("head.txt"),
        message.replace("\n4\n", "\n3\n"),
    )
    .unwrap();
    assert!(
        !openssl(
            &[
                "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "head.txt",
                "-sigfile", "head.sig"
            ],
            keys.path(),
        )
        .status
        .success()
    );

    // Entry #3's signature moved onto entry #4: the chain is intact, the signature is not.
    let db = rusqlite::Connection::open(repo.path().join(".harden/ledger.db")).unwrap();
    db.execute_batch(
        "DROP TRIGGER ledger_signatures_no_update;
         UPDATE ledger_signatures SET signature = (SELECT signature FROM ledger_signatures WHERE seq = 3) WHERE seq = 4;",
    )
    .unwrap();
    let moved = harden(repo.path())
        .args(["ledger", "verify", "--public-key"])
        .arg(&public)
        .output()
        .unwrap();
    assert_eq!(moved.status.code(), Some(1));
    assert!(
        stderr(&moved).contains("the signature of entry #4 fails: its signature does not verify"),
        "{}",
        stderr(&moved)
    );

    // A key file that is no key is a usage error that does not quote it.
    std::fs::write(keys.path().join("bad.pem"), "not-a-key-c2VjcmV0").unwrap();
    let bad = harden(repo.path())
        .args(["ledger", "verify", "--public-key"])
        .arg(keys.path().join("bad.pem"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(!stderr(&bad).contains("c2VjcmV0"), "{}", stderr(&bad));
    let bad = harden(repo.path())
        .arg("check")
        .env("HARDEN_SIGNING_KEY", "bogus bogus bogus")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("$HARDEN_SIGNING_KEY") && !stderr(&bad).contains("bogus"),
        "{}",
        stderr(&bad)
    );
}

fn ledger_text(repo: &harden_test::TestRepo, args: &[&str]) -> String {
    let output = harden(repo.path())
        .arg("ledger")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        stderr(&output)
    );
    stdout(&output).trim().to_owned()
}

fn check_proof(
    repo: &harden_test::TestRepo,
    file: &std::path::Path,
    root: Option<&str>,
) -> std::process::Output {
    let mut command = harden(repo.path());
    command.args(["ledger", "check-proof"]).arg(file);
    if let Some(root) = root {
        command.args(["--root", root]);
    }
    command.output().unwrap()
}

fn validates(schema: &str, proof: &std::path::Path) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/schemas/").to_owned() + schema,
        )
        .unwrap(),
    )
    .unwrap();
    let instance: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(proof).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn inclusion_and_consistency_proofs_hold_without_the_ledger_and_fail_for_tampering() {
    let repo = checked_repo(5);
    let root5 = ledger_text(&repo, &["root"]);
    let root3 = ledger_text(&repo, &["root", "--size", "3"]);
    assert!(root5.starts_with("5:") && root3.starts_with("3:") && root5 != root3);
    let dir = tempfile::tempdir().unwrap();
    let inclusion = dir.path().join("inclusion.json");
    ledger_text(
        &repo,
        &["prove", "2", "--output", inclusion.to_str().unwrap()],
    );
    validates("ledger-inclusion-v1.schema.json", &inclusion);
    let holds = check_proof(&repo, &inclusion, None);
    assert_eq!(holds.status.code(), Some(0), "{}", stderr(&holds));
    assert!(
        stdout(&holds).contains("entry #2 is in the ledger of 5 entries"),
        "{}",
        stdout(&holds)
    );
    assert_eq!(
        check_proof(&repo, &inclusion, Some(&root5)).status.code(),
        Some(0)
    );
    // Proven against another tree head than the one given.
    let other = check_proof(&repo, &inclusion, Some(&root3));
    assert_eq!(other.status.code(), Some(1));
    assert!(
        stderr(&other).contains("not for the tree head 3:"),
        "{}",
        stderr(&other)
    );

    // A proof of an entry against the tree of the first three entries.
    let small = dir.path().join("small.json");
    ledger_text(
        &repo,
        &[
            "prove",
            "#3",
            "--size",
            "3",
            "--output",
            small.to_str().unwrap(),
        ],
    );
    assert_eq!(
        check_proof(&repo, &small, Some(&root3)).status.code(),
        Some(0)
    );

    // An edited entry, or an edited path, fails.
    let text = std::fs::read_to_string(&inclusion).unwrap();
    let edited = dir.path().join("edited.json");
    std::fs::write(
        &edited,
        text.replacen("\\\"production\\\"", "\\\"prototype\\\"", 1),
    )
    .unwrap();
    let failed = check_proof(&repo, &edited, None);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("does not match its hash"),
        "{}",
        stderr(&failed)
    );
    let mut proof: serde_json::Value = serde_json::from_str(&text).unwrap();
    let first = proof["audit_path"][0].as_str().unwrap().to_owned();
    let flipped = format!(
        "{}{}",
        if first.starts_with('0') { "1" } else { "0" },
        &first[1..]
    );
    proof["audit_path"][0] = serde_json::Value::String(flipped);
    std::fs::write(&edited, serde_json::to_string(&proof).unwrap()).unwrap();
    let failed = check_proof(&repo, &edited, None);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("is not in the ledger of 5 entries"),
        "{}",
        stderr(&failed)
    );

    // The ledger of three entries grew into the ledger of five.
    let consistency = dir.path().join("consistency.json");
    ledger_text(
        &repo,
        &[
            "prove",
            "--from",
            "3",
            "--output",
            consistency.to_str().unwrap(),
        ],
    );
    validates("ledger-consistency-v1.schema.json", &consistency);
    let grew = check_proof(&repo, &consistency, Some(&root3));
    assert_eq!(grew.status.code(), Some(0), "{}", stderr(&grew));
    assert!(stdout(&grew).contains("the ledger of 3 entries grew into the ledger of 5 entries"));
    // Claimed the other way round (a shrunk ledger), it fails.
    let mut proof: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&consistency).unwrap()).unwrap();
    let (a, b) = (proof["first"].clone(), proof["second"].clone());
    proof["first"] = b;
    proof["second"] = a;
    let shrunk = dir.path().join("shrunk.json");
    std::fs::write(&shrunk, serde_json::to_string(&proof).unwrap()).unwrap();
    assert_eq!(check_proof(&repo, &shrunk, None).status.code(), Some(1));

    // Rewritten from the second entry on: the rewritten ledger's proofs are about another tree
    // than the head kept before, so they fail against it.
    rewrite_whole_chain(&repo, 5, |seq, body| {
        if seq == 2 {
            body.replacen("\"profile\":\"production\"", "\"profile\":\"prototype\"", 1)
        } else {
            body.to_owned()
        }
    });
    let rewritten = dir.path().join("rewritten.json");
    ledger_text(
        &repo,
        &[
            "prove",
            "--from",
            "3",
            "--output",
            rewritten.to_str().unwrap(),
        ],
    );
    assert_eq!(check_proof(&repo, &rewritten, None).status.code(), Some(0));
    let caught = check_proof(&repo, &rewritten, Some(&root3));
    assert_eq!(caught.status.code(), Some(1));
    assert_ne!(ledger_text(&repo, &["root"]), root5);

    // Not a proof at all, or no such entry: usage errors.
    std::fs::write(&edited, "{\"format\": \"something/1\"}").unwrap();
    assert_eq!(check_proof(&repo, &edited, None).status.code(), Some(2));
    let missing = harden(repo.path())
        .args(["ledger", "prove", "9"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let beyond = harden(repo.path())
        .args(["ledger", "root", "--size", "9"])
        .output()
        .unwrap();
    assert_eq!(beyond.status.code(), Some(2));
    assert!(
        stderr(&beyond).contains("has 5 entries, not 9"),
        "{}",
        stderr(&beyond)
    );
}

/// The Python interpreter that has `cryptography` and `in-toto-attestation` (.ci/run installs
/// them): $HARDEN_TEST_PYTHON, else python3.
fn python() -> Command {
    Command::new(std::env::var("HARDEN_TEST_PYTHON").unwrap_or_else(|_| "python3".into()))
}

#[test]
fn an_attestation_verifies_independently_and_promotes_on_another_machine() {
    let repo = ready_repo();
    let keys = tempfile::tempdir().unwrap();
    assert!(
        openssl(
            &["genpkey", "-algorithm", "ed25519", "-out", "key.pem"],
            keys.path()
        )
        .status
        .success()
    );
    assert!(
        openssl(
            &["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"],
            keys.path()
        )
        .status
        .success()
    );
    let (key, public) = (keys.path().join("key.pem"), keys.path().join("pub.pem"));
    let commit = String::from_utf8(
        Command::new("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(repo.path())
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    let digest = format!("sha256:{}", "4e".repeat(32));
    let check = harden(repo.path())
        .args(["check", "--artifact", &digest])
        .env("HARDEN_SIGNING_KEY_FILE", &key)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let envelope = keys.path().join("attestation.json");
    let attest = harden(repo.path())
        .args([
            "ledger",
            "attest",
            "--subject",
            &digest,
            "--subject-name",
            "app.tar",
            "--output",
        ])
        .arg(&envelope)
        .env("HARDEN_SIGNING_KEY_FILE", &key)
        .output()
        .unwrap();
    assert_eq!(attest.status.code(), Some(0), "{}", stderr(&attest));

    // An independent implementation: Python's cryptography for Ed25519 and DSSE, in-toto's
    // own reference library for the Statement.
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/verify-attestation.py"
    );
    let outside = python()
        .arg(script)
        .arg(&envelope)
        .arg(&public)
        .arg(&digest)
        .output()
        .expect("python3 is needed for this test");
    assert_eq!(
        outside.status.code(),
        Some(0),
        "{}{} (pip install cryptography in-toto-attestation)",
        stdout(&outside),
        stderr(&outside)
    );
    assert!(
        stdout(&outside).contains(&format!("of commit {commit}")),
        "{}",
        stdout(&outside)
    );

    // The predicate follows harden's published schema, and carries no finding's content.
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&envelope).unwrap()).unwrap();
    let payload = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        value["payload"].as_str().unwrap(),
    )
    .unwrap();
    let statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    let predicate = dir_file(
        keys.path(),
        "predicate.json",
        &statement["predicate"].to_string(),
    );
    validates("attestation-run-v1.schema.json", &predicate);
    assert_eq!(statement["subject"][0]["name"], "app.tar");
    assert_eq!(statement["predicate"]["ledger"]["seq"], 1);

    // Another machine: no repository, no ledger, only the envelope and the public key.
    let elsewhere = tempfile::tempdir().unwrap();
    let promote = |file: &std::path::Path, public: &std::path::Path| {
        harden(elsewhere.path())
            .args([
                "promote",
                "check",
                "--commit",
                &commit,
                "--artifact",
                &digest,
                "--attestation",
            ])
            .arg(file)
            .arg("--public-key")
            .arg(public)
            .output()
            .unwrap()
    };
    let allowed = promote(&envelope, &public);
    assert_eq!(
        allowed.status.code(),
        Some(0),
        "{}{}",
        stdout(&allowed),
        stderr(&allowed)
    );
    assert!(
        stdout(&allowed).contains("promotion allowed"),
        "{}",
        stdout(&allowed)
    );
    assert!(
        !elsewhere.path().join(".harden").exists(),
        "no ledger is made elsewhere"
    );
    // Another artifact is not vouched for.
    let other = harden(elsewhere.path())
        .args([
            "promote",
            "check",
            "--commit",
            &commit,
            "--artifact",
            &format!("sha256:{}", "5f".repeat(32)),
            "--attestation",
        ])
        .arg(&envelope)
        .arg("--public-key")
        .arg(&public)
        .output()
        .unwrap();
    assert_eq!(other.status.code(), Some(1), "{}", stdout(&other));

    // A changed payload fails both verifiers; so does another key.
    let mut changed = value.clone();
    let text = String::from_utf8(payload.clone())
        .unwrap()
        .replace("\"failed\":0", "\"failed\":1");
    changed["payload"] = serde_json::Value::String(base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        text,
    ));
    let tampered = dir_file(keys.path(), "tampered.json", &changed.to_string());
    assert_eq!(
        python()
            .arg(script)
            .arg(&tampered)
            .arg(&public)
            .output()
            .unwrap()
            .status
            .code(),
        Some(1)
    );
    let refused = promote(&tampered, &public);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stdout(&refused).contains("does not verify"),
        "{}",
        stdout(&refused)
    );
    assert!(
        openssl(
            &["genpkey", "-algorithm", "ed25519", "-out", "other.pem"],
            keys.path()
        )
        .status
        .success()
    );
    assert!(
        openssl(
            &["pkey", "-in", "other.pem", "-pubout", "-out", "other.pub"],
            keys.path()
        )
        .status
        .success()
    );
    assert_eq!(
        promote(&envelope, &keys.path().join("other.pub"))
            .status
            .code(),
        Some(1)
    );
    // Without a public key there is nothing to verify with: a usage error.
    let keyless = harden(elsewhere.path())
        .args(["promote", "check", "--commit", &commit, "--attestation"])
        .arg(&envelope)
        .output()
        .unwrap();
    assert_eq!(keyless.status.code(), Some(2));
    // Attesting needs the signing key.
    let unsigned = harden(repo.path())
        .args(["ledger", "attest", "--subject", &digest])
        .output()
        .unwrap();
    assert_eq!(unsigned.status.code(), Some(2));
    // A run edited in the database behind the ledger's back is not signed for anyone.
    let db = rusqlite::Connection::open(repo.path().join(".harden/ledger.db")).unwrap();
    db.execute_batch(
        "DROP TRIGGER ledger_entries_no_update;
         UPDATE ledger_entries SET body = replace(body, '\"profile\":\"production\"', '\"profile\":\"prototype\"') WHERE seq = 1;",
    )
    .unwrap();
    let refused = harden(repo.path())
        .args(["ledger", "attest", "--subject", &digest])
        .env("HARDEN_SIGNING_KEY_FILE", &key)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1), "{}", stdout(&refused));
    assert!(
        stderr(&refused).contains("refusing to attest"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn an_attestation_of_a_run_with_a_leaked_key_does_not_carry_the_key() {
    let repo = ready_repo();
    let keys = tempfile::tempdir().unwrap();
    assert!(
        openssl(
            &["genpkey", "-algorithm", "ed25519", "-out", "key.pem"],
            keys.path()
        )
        .status
        .success()
    );
    // The repository itself leaks a private key: the secret scan reports it.
    assert!(
        openssl(
            &["genpkey", "-algorithm", "ed25519", "-out", "leaked.pem"],
            keys.path()
        )
        .status
        .success()
    );
    let leaked = std::fs::read_to_string(keys.path().join("leaked.pem")).unwrap();
    repo.write("deploy/leaked.pem", &leaked);
    repo.commit("leak", "2026-11-21T09:00:00Z");
    let check = harden(repo.path())
        .arg("check")
        .env("HARDEN_SIGNING_KEY_FILE", keys.path().join("key.pem"))
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1), "{}", stdout(&check));
    let attest = harden(repo.path())
        .args([
            "ledger",
            "attest",
            "--subject",
            &format!("sha256:{}", "4e".repeat(32)),
        ])
        .env("HARDEN_SIGNING_KEY_FILE", keys.path().join("key.pem"))
        .output()
        .unwrap();
    assert_eq!(attest.status.code(), Some(0), "{}", stderr(&attest));
    let value: serde_json::Value = serde_json::from_slice(&attest.stdout).unwrap();
    let payload = String::from_utf8(
        base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            value["payload"].as_str().unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let body = leaked.lines().nth(1).unwrap();
    assert!(
        payload.contains("\"R3.secrets.tree\",\"outcome\":\"fail\""),
        "{payload}"
    );
    assert!(
        !payload.contains(body) && !payload.contains(&body[..12]),
        "{payload}"
    );
    assert!(
        !payload.contains("leaked.pem"),
        "no finding's location either: {payload}"
    );
}

fn dir_file(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}
