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
