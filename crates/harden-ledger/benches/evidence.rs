//! Verifiable evidence, measured: appends with signed heads against appends without on SQLite
//! and PostgreSQL (chunks alternated, same machine noise), and Merkle proofs over a
//! 100,000-entry ledger (tree head, inclusion and consistency proofs, made and checked).
//!
//! `cargo bench -p harden-ledger --bench evidence` (`HARDEN_BENCH_APPENDS`, default 10,000 per
//! variant and backend; `HARDEN_BENCH_ENTRIES`, default 100,000, for the proofs).
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::print_stdout,
    missing_docs
)]

use std::time::Instant;

use harden_ledger::{ConsistencyProof, HeadSigner, InclusionProof, LedgerStore, open};
use serde_json::{Value, json};

const CHUNKS: usize = 5;

fn body(i: usize) -> Value {
    json!({"schema": "harden.report/v1", "i": i, "profile": "production", "commit": "3f9c2e1aa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5",
           "summary": {"failed": 0, "passed": 12, "waived": 1, "skipped": 2},
           "gates": (0..12).map(|g| json!({"id": format!("R{}.gate.{g}", g % 8), "outcome": "pass"})).collect::<Vec<_>>()})
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn signer() -> HeadSigner {
    use ed25519_dalek::pkcs8::EncodePrivateKey as _;
    let pem = ed25519_dalek::SigningKey::from_bytes(&[7; 32])
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .unwrap();
    HeadSigner::from_pem(&pem).unwrap()
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Appends `total` entries to each store, chunk by chunk alternately; prints both rates.
fn appends(name: &str, plain: &mut dyn LedgerStore, signed: &mut dyn LedgerStore, total: usize) {
    let chunk = total / CHUNKS;
    let at = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let (mut plain_rates, mut signed_rates) = (Vec::new(), Vec::new());
    let rate = |store: &mut dyn LedgerStore, c: usize| {
        let started = Instant::now();
        for i in 0..chunk {
            store.append("run", &body(c * chunk + i), at).unwrap();
        }
        chunk as f64 / started.elapsed().as_secs_f64()
    };
    for c in 0..CHUNKS {
        plain_rates.push(rate(plain, c));
        signed_rates.push(rate(signed, c));
    }
    let verifier = signer().verifier();
    let started = Instant::now();
    let checked = signed.verify_signatures(&verifier).unwrap().unwrap();
    let check_s = started.elapsed().as_secs_f64();
    assert_eq!(checked.signed as usize, chunk * CHUNKS);
    let (plain, signed) = (median(plain_rates), median(signed_rates));
    println!(
        "{name:<22} append unsigned {plain:>8.0}/s  signed {signed:>8.0}/s  ratio {:.2} (medians of {CHUNKS} chunks)  signatures of {} entries checked in {check_s:.3} s",
        plain / signed,
        chunk * CHUNKS
    );
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        last = Some(f());
        times.push(started.elapsed().as_secs_f64());
    }
    (median(times), last.unwrap())
}

fn main() {
    let appends_total = env_number("HARDEN_BENCH_APPENDS", 10_000);
    let entries = env_number("HARDEN_BENCH_ENTRIES", 100_000);
    let dir = tempfile::tempdir().unwrap();

    let mut plain = open(dir.path().join("plain.db").to_str().unwrap()).unwrap();
    let mut signed = open(dir.path().join("signed.db").to_str().unwrap()).unwrap();
    signed.set_signer(signer());
    appends(
        "SQLite (WAL, NORMAL)",
        plain.as_mut(),
        signed.as_mut(),
        appends_total,
    );

    let cluster = harden_test::PgCluster::start_with(true);
    let mut plain = open(&cluster.fresh_database()).unwrap();
    let mut signed = open(&cluster.fresh_database()).unwrap();
    signed.set_signer(signer());
    appends(
        "PostgreSQL 15 (fsync)",
        plain.as_mut(),
        signed.as_mut(),
        appends_total,
    );

    // Proofs over a ledger of `entries` entries, filled in batches.
    let mut store = open(dir.path().join("proofs.db").to_str().unwrap()).unwrap();
    let at = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    for start in (0..entries).step_by(5_000) {
        let bodies: Vec<Value> = (start..(start + 5_000).min(entries)).map(body).collect();
        store.append_batch("run", &bodies, at).unwrap();
    }
    let (read_s, leaves) = time(5, || store.leaves(None).unwrap());
    assert_eq!(leaves.len(), entries);
    let (root_s, head) = time(5, || harden_ledger::proof::tree_head(&leaves));
    let picks: Vec<u64> = (1..=9).map(|k| (entries as u64 * k) / 10).collect();
    let mut prove_times = Vec::new();
    let mut check_times = Vec::new();
    for &seq in &picks {
        let entry = store.get(seq).unwrap().unwrap();
        let (prove_s, proof) = time(3, || InclusionProof::build(&leaves, entry.clone()));
        let (check_s, result) = time(3, || proof.verify());
        result.unwrap();
        assert_eq!(proof.tree, head);
        prove_times.push(prove_s);
        check_times.push(check_s);
    }
    let (consistency_s, proof) = time(5, || ConsistencyProof::build(&leaves, entries / 3));
    let (consistency_check_s, result) = time(5, || proof.verify());
    result.unwrap();
    println!(
        "proofs over {entries} entries (SQLite): read the leaves {read_s:.3} s, tree head {root_s:.3} s; inclusion proof made {:.4} s, checked {:.6} s (medians over 9 entries, path of {}); consistency {} -> {entries} made {consistency_s:.4} s, checked {consistency_check_s:.6} s (path of {})",
        median(prove_times),
        median(check_times),
        InclusionProof::build(&leaves, store.get(picks[4]).unwrap().unwrap())
            .audit_path
            .len(),
        entries / 3,
        proof.path.len()
    );
}
