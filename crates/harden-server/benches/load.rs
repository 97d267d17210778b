//! The team server under load, on this machine: pushes per second and their latency with two
//! server instances on one durable PostgreSQL cluster, against a floor of plain INSERTs of the
//! same bodies measured in the same run; then the overview's latency over 100 projects with
//! 1,000 runs each.
//!
//! `cargo bench -p harden-server --bench load` (figures in docs/BENCHMARKS.md). Environment:
//! `LOAD_SECONDS` (per phase, default 20), `LOAD_CLIENTS` (concurrent pushers, default 8),
//! `LOAD_DATABASE_URL` (an empty database to use instead of a throwaway cluster).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::disallowed_methods)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use harden_server::{Db, ServerConfig};
use serde_json::{Value, json};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A run report as a CI run of a typical service sends it: 70 gates, a handful failing with
/// findings.
fn run_body(n: u64, commit: &str) -> Value {
    let gates: Vec<Value> = (0..70)
        .map(|g| {
            let outcome = match g % 10 {
                0 => "fail",
                1..=5 => "pass",
                _ => "skipped",
            };
            let findings: Vec<Value> = if outcome == "fail" {
                (0..2)
                    .map(|f| {
                        json!({"gate": format!("R{}.gate.{g}", g % 8), "severity": "high",
                               "message": format!("finding {f} of gate {g}"),
                               "location": {"kind": "file", "path": format!("src/module_{g}.rs"),
                                            "line": 10 + f, "snippet": "let value = compute();"},
                               "fingerprint": format!("{:032x}", g * 100 + f)})
                    })
                    .collect()
            } else {
                Vec::new()
            };
            json!({"id": format!("R{}.gate.{g}", g % 8), "round": format!("R{}", g % 8),
                   "title": format!("Gate number {g}"), "severity": "high",
                   "default_severity": "high", "outcome": outcome,
                   "summary": format!("examined {} files", g * 3), "reason": null,
                   "findings": findings, "evidence": {"examined": {"files": g * 3}},
                   "duration_ms": g})
        })
        .collect();
    json!({
        "schema": "harden.report/v1", "run_id": format!("run-{n}"), "tool": "harden",
        "version": "0.1.0", "service": "bench", "profile": "production", "strict": true,
        "repository": ".", "commit": commit, "dirty": false, "base_url": null, "artifact": null,
        "config_digest": null, "started_at": "2026-12-06T10:00:00Z",
        "finished_at": "2026-12-06T10:00:05Z",
        "summary": {"passed": 35, "failed": 7, "waived": 0, "skipped": 28},
        "gates": gates, "waivers": [], "ledger": null
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(label: &str, count: usize, elapsed: Duration, mut latencies: Vec<Duration>) -> f64 {
    latencies.sort_unstable();
    let rate = count as f64 / elapsed.as_secs_f64();
    println!(
        "{label}: {count} in {:.1} s = {rate:.0}/s, p50 {:.1} ms, p99 {:.1} ms",
        elapsed.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
    );
    rate
}

async fn start_server(url: &str) -> SocketAddr {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let config = ServerConfig {
        database_url: url.to_owned(),
        listen: "127.0.0.1:0".parse().unwrap(),
        migrate: true,
        pool_size: 16,
        secure_cookies: true,
        rate_limit: 100_000,
        client_ip_header: None,
    };
    tokio::spawn(async move {
        harden_server::serve(config, std::future::pending(), move |address| {
            let _ = sender.send(address);
        })
        .await
        .unwrap();
    });
    receiver.await.unwrap()
}

/// The floor: the same bodies, one autocommit INSERT each, from as many clients, compressed as
/// the server compresses them.
async fn insert_floor(url: &str, clients: u64, seconds: u64, body: &str) -> f64 {
    let (config, _) = harden_ledger::async_client_config(url).unwrap();
    let (setup, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    setup
        .batch_execute(
            // Compressed as the server's entry bodies are (migration 0002): like for like.
            "CREATE TABLE IF NOT EXISTS floor (id BIGSERIAL PRIMARY KEY, project INT, body TEXT);
             DO $$ BEGIN ALTER TABLE floor ALTER COLUMN body SET COMPRESSION lz4;
             EXCEPTION WHEN feature_not_supported THEN NULL; END $$",
        )
        .await
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        let (stop, body) = (stop.clone(), body.to_owned());
        tasks.push(tokio::spawn(async move {
            let statement = client
                .prepare("INSERT INTO floor (project, body) VALUES ($1, $2)")
                .await
                .unwrap();
            let mut latencies = Vec::new();
            let project = i32::try_from(c).unwrap();
            while !stop.load(Ordering::Relaxed) {
                let at = Instant::now();
                client
                    .execute(&statement, &[&project, &body])
                    .await
                    .unwrap();
                latencies.push(at.elapsed());
            }
            latencies
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    report("plain INSERT floor", latencies.len(), elapsed, latencies)
}

fn main() {
    // The cluster's helpers block: set up before the runtime starts. `LOAD_DATABASE_URL`
    // names an empty database of a cluster of one's own instead (to profile it with
    // pg_stat_statements, say).
    let cluster;
    let url = if let Ok(url) = std::env::var("LOAD_DATABASE_URL") {
        url
    } else {
        cluster = harden_test::PgCluster::start_with(true);
        cluster.fresh_database()
    };
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(&url));
}

async fn run(url: &str) {
    let url = url.to_owned();
    let seconds = env_number("LOAD_SECONDS", 20);
    let clients = env_number("LOAD_CLIENTS", 8);
    let first = start_server(&url).await;
    let second = start_server(&url).await;
    println!(
        "two instances ({first}, {second}) on one durable PostgreSQL cluster; {clients} clients, {seconds} s per phase"
    );

    let projects: u64 = 20;
    let mut tokens = Vec::new();
    for p in 0..projects {
        tokens.push(
            harden_server::create_token(&url, "bench", Some(&format!("service-{p}")))
                .await
                .unwrap(),
        );
    }
    let sample = run_body(0, "3f9c2e1aa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5").to_string();
    println!("push body: one run of {} bytes", sample.len());

    let floor = insert_floor(&url, clients, seconds, &sample).await;

    // Pushes: each client a project of its own modulo 20, alternating instances.
    let stop = Arc::new(AtomicBool::new(false));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let token = tokens[usize::try_from(c % projects).unwrap()].clone();
        let (stop, http) = (stop.clone(), http.clone());
        let addresses = [first, second];
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut n = 0_u64;
            // The body is made once: a client that builds 20 kB of JSON per request would
            // take the CPU the servers are measured on.
            let template = json!({"entries": [{"kind": "run",
                "body": run_body(0, "3f9c2e1aa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5")}]})
            .to_string();
            while !stop.load(Ordering::Relaxed) {
                let body = template.replace("\"run-0\"", &format!("\"run-{c}-{n}\""));
                let address = addresses[usize::try_from(n % 2).unwrap()];
                let at = Instant::now();
                let response = http
                    .post(format!("http://{address}/api/v1/entries"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                let _ = response.bytes().await.unwrap();
                latencies.push(at.elapsed());
                n += 1;
            }
            latencies
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let pushes = report(
        "pushes (HTTP, two instances)",
        latencies.len(),
        started.elapsed(),
        latencies,
    );
    println!("pushes / floor: {:.2}", pushes / floor);

    // Every chain still verifies.
    for (p, token) in tokens.iter().enumerate() {
        let verify: Value = serde_json::from_slice(
            &http
                .get(format!(
                    "http://{first}/api/v1/projects/service-{p}/ledger/verify"
                ))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap(),
        )
        .unwrap();
        assert_eq!(verify["verified"], true, "{verify}");
    }

    overview(&url, first).await;
}

/// 100 projects × 1,000 runs (and 60 smoke records each), written straight into the tables
/// with valid chains, then the overview asked for 200 times.
async fn overview(url: &str, address: SocketAddr) {
    let db = Db::connect(url, 2, Duration::from_secs(10)).unwrap();
    let reader = harden_server::create_token(url, "fleet", None)
        .await
        .unwrap();
    let (config, _) = harden_ledger::async_client_config(url).unwrap();
    let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let seeded = Instant::now();
    for p in 0..100 {
        let name = format!("project-{p:03}");
        harden_server::create_token(url, "fleet", Some(&name))
            .await
            .unwrap();
        let row = client
            .query_one(
                "SELECT p.id, p.org_id FROM harden_projects p JOIN harden_orgs o ON o.id = p.org_id
                 WHERE o.name = 'fleet' AND p.name = $1",
                &[&name],
            )
            .await
            .unwrap();
        let (project, org): (i64, i64) = (row.get(0), row.get(1));
        let mut head: Option<harden_ledger::Head> = None;
        let at: jiff::Timestamp = "2026-12-06T00:00:00Z".parse().unwrap();
        let mut entries = Vec::new();
        let mut runs = Vec::new();
        for n in 0..1_060_u64 {
            let (kind, body) = if n < 1_000 {
                (
                    "run",
                    json!({"run_id": format!("{p}-{n}"), "profile": "production",
                               "summary": {"failed": n % 3}}),
                )
            } else {
                let day = jiff::civil::date(2026, 10, 1)
                    .checked_add(jiff::Span::new().days(i64::try_from(n - 1_000).unwrap()))
                    .unwrap();
                (
                    "smoke",
                    json!({"record": {"date": day.to_string(), "time": "09:00",
                    "commit": null, "pass": n % 17 != 0, "checks": null, "failing": [],
                    "run_seq": 1}}),
                )
            };
            let entry = harden_ledger::chain::next_entry(head.as_ref(), kind, at, &body).unwrap();
            head = Some(harden_ledger::Head {
                seq: entry.seq,
                hash: entry.hash.clone(),
            });
            if kind == "run" {
                runs.push(i64::try_from(entry.seq).unwrap());
            }
            entries.push(entry);
        }
        let seqs: Vec<i64> = entries
            .iter()
            .map(|e| i64::try_from(e.seq).unwrap())
            .collect();
        let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
        let recorded: Vec<&str> = entries.iter().map(|e| e.recorded_at.as_str()).collect();
        let prevs: Vec<&str> = entries.iter().map(|e| e.prev_hash.as_str()).collect();
        let hashes: Vec<&str> = entries.iter().map(|e| e.hash.as_str()).collect();
        let bodies: Vec<&str> = entries.iter().map(|e| e.body.as_str()).collect();
        client
            .execute(
                "INSERT INTO harden_entries (org_id, project_id, seq, kind, recorded_at, prev_hash,
                 hash, body, push_key)
                 SELECT $1, $2, s, k, r, ph, h, b, 'seed:' || s
                 FROM unnest($3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[])
                      AS t(s, k, r, ph, h, b)",
                &[&org, &project, &seqs, &kinds, &recorded, &prevs, &hashes, &bodies],
            )
            .await
            .unwrap();
        client
            .execute(
                "INSERT INTO harden_runs (org_id, project_id, seq, run_id, commit_id, dirty,
                 profile, strict, passed, failed, waived, skipped, findings, finished_at, outcomes)
                 SELECT $1, $2, s, 'run-' || s, md5(s::text), false, 'production', true,
                        40, (s % 3)::int, 0, 30, 4, now() - make_interval(hours => (1000 - s)::int),
                        jsonb_build_object('R3.secrets.tree', CASE WHEN s % 3 = 0 THEN 'pass' ELSE 'fail' END,
                                           'R4.ci.pinned', 'pass')
                 FROM unnest($3::BIGINT[]) AS s",
                &[&org, &project, &runs],
            )
            .await
            .unwrap();
        client
            .execute(
                "INSERT INTO harden_smoke (org_id, project_id, seq, day, pass, failing)
                 SELECT org_id, project_id, seq, (body::jsonb #>> '{record,date}')::date,
                        (body::jsonb #>> '{record,pass}')::boolean, ARRAY[]::TEXT[]
                 FROM harden_entries WHERE project_id = $1 AND kind = 'smoke'",
                &[&project],
            )
            .await
            .unwrap();
        let last = head.unwrap();
        client
            .execute(
                "UPDATE harden_projects SET head_seq = $2, head_hash = $3 WHERE id = $1",
                &[&project, &i64::try_from(last.seq).unwrap(), &last.hash],
            )
            .await
            .unwrap();
    }
    client.batch_execute("ANALYZE").await.unwrap();
    drop(db);
    println!(
        "seeded 100 projects x 1,000 runs + 60 smoke records in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    for (label, path) in [
        ("overview API (GET /api/v1/projects)", "/api/v1/projects"),
        (
            "one project's runs (GET /api/v1/projects/project-042/runs)",
            "/api/v1/projects/project-042/runs",
        ),
    ] {
        let mut latencies = Vec::new();
        let started = Instant::now();
        for _ in 0..200 {
            let at = Instant::now();
            let response = http
                .get(format!("http://{address}{path}"))
                .bearer_auth(&reader)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let body = response.bytes().await.unwrap();
            assert!(body.len() > 1_000);
            latencies.push(at.elapsed());
        }
        report(label, latencies.len(), started.elapsed(), latencies);
    }
}
