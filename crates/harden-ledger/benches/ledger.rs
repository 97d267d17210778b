//! Ledger append and verify rates for 100,000 entries on SQLite and PostgreSQL, each against a
//! reference measured in the same run: plain INSERTs of the same rows, one transaction each, with
//! no hashing, locking or head bookkeeping.
//!
//! `cargo bench -p harden-ledger --bench ledger` (`HARDEN_BENCH_ENTRIES` changes the size).
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::print_stdout,
    missing_docs
)]

use std::time::Instant;

use harden_ledger::{LedgerStore, open};
use serde_json::{Value, json};

const CHUNKS: usize = 5;

fn body(i: usize) -> Value {
    // About the size of a small run report's summary.
    json!({"schema": "harden.report/v1", "i": i, "profile": "production", "commit": "3f9c2e1aa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5",
           "summary": {"failed": 0, "passed": 12, "waived": 1, "skipped": 2},
           "gates": (0..12).map(|g| json!({"id": format!("R{}.gate.{g}", g % 8), "outcome": "pass"})).collect::<Vec<_>>()})
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn measure(name: &str, store: &mut dyn LedgerStore, reference: &mut dyn FnMut(&str), total: usize) {
    let chunk = total / CHUNKS;
    let at = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let mut rates = Vec::new();
    let mut reference_rates = Vec::new();
    for c in 0..CHUNKS {
        // Alternate harden and reference chunks so both see the same machine noise.
        let started = Instant::now();
        for i in 0..chunk {
            store.append("run", &body(c * chunk + i), at).unwrap();
        }
        rates.push(chunk as f64 / started.elapsed().as_secs_f64());
        let started = Instant::now();
        for i in 0..chunk {
            reference(&body(c * chunk + i).to_string());
        }
        reference_rates.push(chunk as f64 / started.elapsed().as_secs_f64());
    }
    let mut verify_times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let verified = store.verify().unwrap().unwrap();
        verify_times.push(started.elapsed().as_secs_f64());
        assert_eq!(verified.entries as usize, chunk * CHUNKS);
    }
    let verify_s = median(verify_times);
    let (append, reference) = (median(rates), median(reference_rates));
    println!(
        "{name:<22} append {append:>8.0}/s (median of {CHUNKS} chunks)  reference INSERT {reference:>8.0}/s  ratio {:.2}  verify {} entries {verify_s:.3} s = {:>9.0}/s (median of 5)",
        reference / append,
        chunk * CHUNKS,
        (chunk * CHUNKS) as f64 / verify_s
    );
}

fn main() {
    let total: usize = std::env::var("HARDEN_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();

    let path = dir.path().join("ledger.db");
    let mut store = open(path.to_str().unwrap()).unwrap();
    let reference_db = rusqlite::Connection::open(dir.path().join("reference.db")).unwrap();
    reference_db.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE t (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);").unwrap();
    let mut sqlite_reference = |body: &str| {
        reference_db
            .execute("INSERT INTO t (body) VALUES (?1)", [body])
            .unwrap();
    };
    measure(
        "SQLite (WAL, NORMAL)",
        store.as_mut(),
        &mut sqlite_reference,
        total,
    );

    let cluster = harden_test::PgCluster::start_with(true);
    let url = cluster.fresh_database();
    let mut store = open(&url).unwrap();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute("CREATE TABLE t (seq BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)")
        .unwrap();
    let mut pg_reference = |body: &str| {
        client
            .execute("INSERT INTO t (body) VALUES ($1)", &[&body])
            .unwrap();
    };
    measure(
        "PostgreSQL 15 (fsync)",
        store.as_mut(),
        &mut pg_reference,
        total,
    );
}
