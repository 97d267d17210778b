//! One test suite, run against both stores: SQLite in a temporary directory and PostgreSQL in a
//! throwaway cluster started by the harness (which fails, never skips, without PostgreSQL).
#![allow(clippy::disallowed_methods, clippy::unwrap_used)] // Test code: real files and processes; panics are failures.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use harden_ledger::chain::{self, Entry};
use harden_ledger::{LedgerStore, open};
use harden_test::PgCluster;
use serde_json::json;

enum Backend {
    // The directory is held so it lives as long as the backend.
    Sqlite(#[allow(dead_code)] tempfile::TempDir, PathBuf),
    Postgres(String),
}

fn cluster() -> &'static PgCluster {
    static CLUSTER: OnceLock<PgCluster> = OnceLock::new();
    CLUSTER.get_or_init(PgCluster::start)
}

impl Backend {
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.db");
        Backend::Sqlite(dir, path)
    }

    fn postgres() -> Self {
        Backend::Postgres(cluster().fresh_database())
    }

    fn location(&self) -> String {
        match self {
            Backend::Sqlite(_, path) => path.display().to_string(),
            Backend::Postgres(url) => url.clone(),
        }
    }

    fn open(&self) -> Box<dyn LedgerStore> {
        open(&self.location()).unwrap()
    }

    /// Opens without reinstating the append-only guards an attacker dropped.
    fn open_read_only(&self) -> Box<dyn LedgerStore> {
        harden_ledger::open_read_only(&self.location()).unwrap()
    }

    fn entries_table(&self) -> &'static str {
        match self {
            Backend::Sqlite(..) => "ledger_entries",
            Backend::Postgres(_) => "harden_ledger_entries",
        }
    }

    fn head_table(&self) -> &'static str {
        match self {
            Backend::Sqlite(..) => "ledger_head",
            Backend::Postgres(_) => "harden_ledger_head",
        }
    }

    /// Runs SQL as an attacker with direct database access.
    fn sql(&self, statements: &str) -> Result<(), String> {
        match self {
            // Raw connections: opening through harden would reinstate the append-only guards.
            Backend::Sqlite(_, path) => {
                let connection = rusqlite::Connection::open(path).unwrap();
                connection
                    .execute_batch(statements)
                    .map_err(|e| e.to_string())
            }
            Backend::Postgres(url) => {
                let mut client = ::postgres::Client::connect(url, ::postgres::NoTls).unwrap();
                client.batch_execute(statements).map_err(|e| {
                    e.as_db_error()
                        .map_or(e.to_string(), |d| d.message().to_owned())
                })
            }
        }
    }

    /// Removes the append-only triggers, as someone with write access to the database could.
    fn drop_guards(&self) {
        let sql = match self {
            Backend::Sqlite(..) => {
                "DROP TRIGGER ledger_entries_no_update; DROP TRIGGER ledger_entries_no_delete; DROP TRIGGER ledger_head_kept;"
            }
            Backend::Postgres(_) => {
                "DROP TRIGGER harden_ledger_entries_append_only ON harden_ledger_entries; DROP TRIGGER harden_ledger_head_kept ON harden_ledger_head;"
            }
        };
        self.sql(sql).unwrap();
    }

    fn insert_sql(&self, e: &Entry) -> String {
        format!(
            "INSERT INTO {} (seq, kind, recorded_at, prev_hash, hash, body) VALUES ({}, '{}', '{}', '{}', '{}', '{}');",
            self.entries_table(),
            e.seq,
            e.kind,
            e.recorded_at,
            e.prev_hash,
            e.hash,
            e.body.replace('\'', "''")
        )
    }
}

fn at(second: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_700_000_000 + second).unwrap()
}

fn fill(store: &mut dyn LedgerStore, n: usize) -> Vec<Entry> {
    (0..n)
        .map(|i| {
            store
                .append("run", &json!({"i": i, "outcome": "pass"}), at(i as i64))
                .unwrap()
        })
        .collect()
}

fn append_and_verify(backend: &Backend) {
    let mut store = backend.open();
    assert_eq!(store.verify().unwrap().unwrap().entries, 0);
    let entries = fill(store.as_mut(), 5);
    assert_eq!(
        entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(entries[0].prev_hash, chain::GENESIS);
    assert_eq!(entries[1].prev_hash, entries[0].hash);
    let verified = store.verify().unwrap().unwrap();
    assert_eq!(verified.entries, 5);
    assert_eq!(verified.head.unwrap().hash, entries[4].hash);
    assert_eq!(store.get(3).unwrap().unwrap(), entries[2]);
    assert_eq!(store.get(9).unwrap(), None);
    assert_eq!(store.page(1, 2).unwrap(), entries[1..3].to_vec());
    // Reopening continues the same chain.
    drop(store);
    let mut store = backend.open();
    let sixth = store.append("run", &json!({"i": 6}), at(6)).unwrap();
    assert_eq!(sixth.seq, 6);
    assert_eq!(sixth.prev_hash, entries[4].hash);
    assert_eq!(store.verify().unwrap().unwrap().entries, 6);
}

fn rejects_bad_bodies_without_writing(backend: &Backend) {
    let mut store = backend.open();
    fill(store.as_mut(), 2);
    assert!(store.append("run", &json!({"ratio": 0.5}), at(3)).is_err());
    assert!(store.append("Not A Kind", &json!({}), at(3)).is_err());
    assert_eq!(store.verify().unwrap().unwrap().entries, 2);
}

fn refuses_updates_and_deletes(backend: &Backend) {
    let mut store = backend.open();
    fill(store.as_mut(), 3);
    let table = backend.entries_table();
    let update = backend.sql(&format!("UPDATE {table} SET body = '{{}}' WHERE seq = 2"));
    assert!(update.unwrap_err().contains("append-only"));
    let delete = backend.sql(&format!("DELETE FROM {table} WHERE seq = 3"));
    assert!(delete.unwrap_err().contains("append-only"));
    let head = backend.head_table();
    let delete_head = backend.sql(&format!("DELETE FROM {head}"));
    assert!(delete_head.unwrap_err().contains("append-only"));
    if let Backend::Postgres(_) = backend {
        for target in [table, head] {
            let truncate = backend.sql(&format!("TRUNCATE {target}"));
            assert!(
                truncate.unwrap_err().contains("append-only"),
                "TRUNCATE {target}"
            );
        }
    }
    assert_eq!(store.verify().unwrap().unwrap().entries, 3);
}

/// Every single-row tamper of a five-entry ledger, exhaustively: each is detected, at the
/// position where it happened.
fn every_single_row_tamper_is_detected_at_its_position(backend: &Backend) {
    let mut store = backend.open();
    let pristine = fill(store.as_mut(), 5);
    backend.drop_guards();
    let (entries, head) = (backend.entries_table(), backend.head_table());
    let reset = || {
        let mut sql = format!("DELETE FROM {entries}; DELETE FROM {head};");
        for e in &pristine {
            sql.push_str(&backend.insert_sql(e));
        }
        let _ = write!(
            sql,
            "INSERT INTO {head} (id, seq, hash) VALUES (1, 5, '{}');",
            pristine[4].hash
        );
        backend.sql(&sql).unwrap();
    };
    let mut cases: Vec<(String, String, u64)> = Vec::new();
    for seq in 1..=5u64 {
        cases.push((
            format!("edit #{seq}"),
            format!("UPDATE {entries} SET body = '{{\"i\":99}}' WHERE seq = {seq}"),
            seq,
        ));
        cases.push((
            format!("delete #{seq}"),
            format!("DELETE FROM {entries} WHERE seq = {seq}"),
            seq,
        ));
        // A rewrite that recomputes the row's own hash is caught by the next link (or the head).
        let e = &pristine[seq as usize - 1];
        let body = "{\"i\":42}";
        let hash = chain::entry_hash(e.seq, &e.kind, &e.recorded_at, &e.prev_hash, body);
        let expected = if seq < 5 { seq + 1 } else { seq };
        cases.push((
            format!("rehashed edit #{seq}"),
            format!("UPDATE {entries} SET body = '{body}', hash = '{hash}' WHERE seq = {seq}"),
            expected,
        ));
    }
    // An entry appended behind the ledger's back, linking correctly to the last one.
    let forged = chain::next_entry(
        Some(&chain::Head {
            seq: 5,
            hash: pristine[4].hash.clone(),
        }),
        "run",
        at(99),
        &json!({"forged": true}),
    )
    .unwrap();
    cases.push(("insert #6".into(), backend.insert_sql(&forged), 6));
    // Swaps keep each position's sequence number and exchange everything else.
    for (a, b) in [(1u64, 2u64), (2, 4), (1, 5)] {
        let (ea, eb) = (&pristine[a as usize - 1], &pristine[b as usize - 1]);
        let set = |seq: u64, e: &Entry| {
            format!(
                "UPDATE {entries} SET kind = '{}', recorded_at = '{}', prev_hash = '{}', hash = '{}', body = '{}' WHERE seq = {seq};",
                e.kind, e.recorded_at, e.prev_hash, e.hash, e.body
            )
        };
        // Hashes are unique: park one row's hash while swapping.
        let sql = format!(
            "UPDATE {entries} SET hash = 'parked' WHERE seq = {a}; {} {}",
            set(b, ea).replace(&format!("hash = '{}'", ea.hash), "hash = 'parked-b'"),
            set(a, eb)
        ) + &format!("UPDATE {entries} SET hash = '{}' WHERE seq = {b};", ea.hash);
        cases.push((format!("swap #{a} #{b}"), sql, a));
    }
    for (name, sql, expected) in cases {
        reset();
        assert_eq!(
            store.verify().unwrap().unwrap().entries,
            5,
            "reset before {name}"
        );
        backend.sql(&sql).unwrap_or_else(|e| panic!("{name}: {e}"));
        let broken = store.verify().unwrap().expect_err(&name);
        assert_eq!(broken.seq, expected, "{name}: {broken}");
    }
}

fn concurrent_writers_never_fork_the_chain(backend: &Backend) {
    backend.open(); // create the schema once
    let location = backend.location();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let location = location.clone();
            std::thread::spawn(move || {
                let mut store = open(&location).unwrap();
                for i in 0..25 {
                    store
                        .append("run", &json!({"thread": t, "i": i}), at(i))
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let verified = backend.open().verify().unwrap().unwrap();
    assert_eq!(verified.entries, 100);
}

const CHILD: &str = "HARDEN_LEDGER_TEST_CHILD";

/// Child mode of the kill test: append until killed.
fn append_forever(location: &str) -> ! {
    let mut store = open(location).unwrap();
    let mut i = 0;
    loop {
        let bodies: Vec<_> = (0..20)
            .map(|j| json!({"i": i, "j": j, "padding": "x".repeat(512)}))
            .collect();
        store.append_batch("run", &bodies, at(i)).unwrap();
        i += 1;
    }
}

fn sigkill_mid_append_leaves_a_verifiable_ledger(backend: &Backend, test_name: &str) {
    if let Ok(location) = std::env::var(CHILD) {
        append_forever(&location);
    }
    backend.open();
    let mut last_count = 0;
    for round in 0..4u64 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", test_name, "--nocapture", "--test-threads=1"])
            .env(CHILD, backend.location())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Let it append for a while, then kill it at an arbitrary point (SIGKILL on unix).
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            std::thread::sleep(Duration::from_millis(37 + 11 * round));
            let count = backend.open().head().unwrap().map_or(0, |h| h.seq);
            if count > last_count + 40 || Instant::now() > deadline {
                break;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let verified = backend
            .open()
            .verify()
            .unwrap()
            .unwrap_or_else(|b| panic!("round {round}: {b}"));
        assert!(
            verified.entries > last_count,
            "round {round}: the child appended nothing"
        );
        // Batches are atomic: a killed batch left no part of itself behind.
        assert_eq!(
            verified.entries % 20,
            0,
            "round {round}: a partial batch was committed"
        );
        last_count = verified.entries;
    }
}

macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $case() { super::$case(&super::Backend::sqlite()); })*
            #[test]
            fn sigkill_mid_append_leaves_a_verifiable_ledger() {
                let backend = match std::env::var(super::CHILD) {
                    Ok(_) => super::Backend::Postgres(String::new()),
                    Err(_) => super::Backend::sqlite(),
                };
                super::sigkill_mid_append_leaves_a_verifiable_ledger(&backend, "sqlite::sigkill_mid_append_leaves_a_verifiable_ledger");
            }
        }
        mod postgres {
            $(#[test] fn $case() { super::$case(&super::Backend::postgres()); })*
            #[test]
            fn sigkill_mid_append_leaves_a_verifiable_ledger() {
                let backend = match std::env::var(super::CHILD) {
                    Ok(_) => super::Backend::Postgres(String::new()),
                    Err(_) => super::Backend::postgres(),
                };
                super::sigkill_mid_append_leaves_a_verifiable_ledger(&backend, "postgres::sigkill_mid_append_leaves_a_verifiable_ledger");
            }
        }
    };
}

suite!(
    append_and_verify,
    signed_heads_verify_and_a_changed_signature_is_caught_at_its_position,
    rejects_bad_bodies_without_writing,
    refuses_updates_and_deletes,
    every_single_row_tamper_is_detected_at_its_position,
    concurrent_writers_never_fork_the_chain,
);

const OPENER: &str = "HARDEN_LEDGER_TEST_OPENER";
const START: &str = "HARDEN_LEDGER_TEST_START";

/// Many processes' first runs at once: on a fresh path, and on a ledger an older harden left in
/// rollback-journal mode (switching it to WAL needs an exclusive lock that SQLite refuses with
/// BUSY without waiting). Every opener must wait its turn, never fail with "database is locked".
#[test]
fn concurrent_first_opens_of_a_sqlite_ledger_wait_for_each_other() {
    if let Ok(location) = std::env::var(OPENER) {
        // Child mode: one opener, as one `harden check` process would be. All start at once.
        let start: u128 = std::env::var(START).unwrap().parse().unwrap();
        while std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
            < start
        {
            std::hint::spin_loop();
        }
        let mut store = open(&location).unwrap_or_else(|e| panic!("{e}"));
        store
            .append("run", &json!({"pid": std::process::id()}), at(0))
            .unwrap();
        return;
    }
    for (round, older) in [false, true].into_iter().cycle().take(8).enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.db");
        if older {
            drop(open(&path.display().to_string()).unwrap());
            let connection = rusqlite::Connection::open(&path).unwrap();
            let mode: String = connection
                .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
                .unwrap();
            assert_eq!(mode, "delete");
        }
        let start = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
            + 400;
        let children: Vec<_> = (0..8)
            .map(|_| {
                Command::new(std::env::current_exe().unwrap())
                    .args([
                        "--exact",
                        "concurrent_first_opens_of_a_sqlite_ledger_wait_for_each_other",
                        "--nocapture",
                        "--test-threads=1",
                    ])
                    .env(OPENER, &path)
                    .env(START, start.to_string())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "round {round} (older ledger: {older}): {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let verified = open(&path.display().to_string())
            .unwrap()
            .verify()
            .unwrap()
            .unwrap();
        assert_eq!(verified.entries, 8, "round {round}");
        let mode: String = rusqlite::Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal", "round {round}");
    }
}

/// A test signing key made from a fixed seed, as PKCS#8 PEM (built here: a key written out in
/// the source would be a key in the repository for harden's own secret scan).
fn signing_key(seed: u8) -> String {
    use ed25519_dalek::pkcs8::EncodePrivateKey as _;
    ed25519_dalek::SigningKey::from_bytes(&[seed; 32])
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .unwrap()
        .to_string()
}

fn signed_heads_verify_and_a_changed_signature_is_caught_at_its_position(backend: &Backend) {
    let signer = harden_ledger::HeadSigner::from_pem(&signing_key(7)).unwrap();
    let verifier = signer.verifier();
    let mut store = backend.open();
    fill(store.as_mut(), 2);
    store.set_signer(harden_ledger::HeadSigner::from_pem(&signing_key(7)).unwrap());
    for i in 2..5 {
        store
            .append("run", &json!({"i": i}), at(i))
            .unwrap()
            .signature
            .expect("signed");
    }
    let checked = store.verify_signatures(&verifier).unwrap().unwrap();
    assert_eq!((checked.signed, checked.unsigned_before), (3, 2));
    // Read back through a fresh connection, signatures included.
    let mut reader = backend.open();
    assert!(reader.get(3).unwrap().unwrap().signature.is_some());
    assert!(reader.get(1).unwrap().unwrap().signature.is_none());
    // Another key's public half does not verify them.
    let other = harden_ledger::HeadSigner::from_pem(&signing_key(8))
        .unwrap()
        .verifier();
    let wrong = reader.verify_signatures(&other).unwrap().unwrap_err();
    assert_eq!(wrong.seq, 3);

    // An attacker moves entry #3's signature onto entry #4: the chain still verifies, the
    // signatures do not, and the first bad one is named.
    let table = match backend {
        Backend::Sqlite(..) => "ledger_signatures",
        Backend::Postgres(_) => "harden_ledger_signatures",
    };
    let unguard = match backend {
        Backend::Sqlite(..) => {
            "DROP TRIGGER ledger_signatures_no_update; DROP TRIGGER ledger_signatures_no_delete;"
        }
        Backend::Postgres(_) => {
            "DROP TRIGGER harden_ledger_signatures_append_only ON harden_ledger_signatures;"
        }
    };
    backend.sql(unguard).unwrap();
    backend
        .sql(&format!(
            "UPDATE {table} SET signature = (SELECT signature FROM {table} WHERE seq = 3) WHERE seq = 4;"
        ))
        .unwrap();
    let mut reader = backend.open_read_only();
    assert!(reader.verify().unwrap().is_ok());
    let moved = reader.verify_signatures(&verifier).unwrap().unwrap_err();
    assert_eq!(
        (moved.seq, moved.reason.as_str()),
        (4, "its signature does not verify")
    );
    // Removing the newest signature is caught too.
    backend.sql(unguard).ok();
    backend
        .sql(&format!("DELETE FROM {table} WHERE seq = 5;"))
        .unwrap();
    backend
        .sql(&format!(
            "UPDATE {table} SET signature = '{}' WHERE seq = 4;",
            signer.sign(4, &reader.get(4).unwrap().unwrap().hash).sig
        ))
        .unwrap();
    let removed = reader.verify_signatures(&verifier).unwrap().unwrap_err();
    assert_eq!(removed.seq, 5);
    assert!(
        removed.reason.contains("no signature"),
        "{}",
        removed.reason
    );
}
