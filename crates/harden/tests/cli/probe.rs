//! `harden probe URL` against services on 127.0.0.1 (axum): the live gates with no repository,
//! a budget the server can count, and credentials that never show.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::HeaderMap;

use super::harden;

/// Serves `app` on 127.0.0.1 (its own thread and runtime, for the whole test); its address.
fn spawn(app: Router) -> std::net::SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

/// A service answering every path with `headers`; returns its base URL and its request count.
fn serve(headers: &'static [(&'static str, &'static str)]) -> (String, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let app = Router::new().fallback(move |_: HeaderMap| {
        let seen = seen.clone();
        async move {
            seen.fetch_add(1, Ordering::SeqCst);
            let mut response = axum::response::Response::new(axum::body::Body::from("ok"));
            for (name, value) in headers {
                response.headers_mut().insert(
                    axum::http::HeaderName::from_static(name),
                    axum::http::HeaderValue::from_static(value),
                );
            }
            response
        }
    });
    (format!("http://{}/", spawn(app)), count)
}

#[test]
fn probe_runs_the_live_gates_within_its_budget_and_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (weak, weak_count) = serve(&[("content-type", "text/html"), ("x-powered-by", "PHP/8.1.2")]);
    let output = harden(dir.path())
        .args(["probe", &weak, "--rate", "200", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let failed: Vec<&str> = report["gates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["outcome"] == "fail")
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert!(failed.contains(&"R7.http.headers"), "{failed:?}");
    assert!(failed.contains(&"R2.correlation"), "{failed:?}");
    // Nothing written where it ran: no ledger, no cache.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    let sent = weak_count.load(Ordering::SeqCst);
    // The posture pass, the rate-limit burst (60) included, stays far under the budget (200).
    assert!(sent > 60 && sent <= 100, "{sent} requests");
    assert!(failed.contains(&"R7.http.rate-limit"), "{failed:?}");

    // A budget smaller than the gates need: the server sees no more than it.
    let count = weak_count;
    count.store(0, Ordering::SeqCst);
    let output = harden(dir.path())
        .args(["probe", &weak, "--rate", "200", "--budget", "3"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(count.load(Ordering::SeqCst), 3);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("budget (3) is spent"), "{text}");
}

#[test]
fn probe_refuses_what_is_not_an_http_url() {
    let dir = tempfile::tempdir().unwrap();
    for url in ["ftp://files.example/", "not a url", "file:///etc/passwd"] {
        let output = harden(dir.path()).args(["probe", url]).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{url}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("error"),
            "{url}"
        );
    }
}

/// A repository's `[target]` alone never makes harden connect: `check` contacts it only with
/// `--live`.
#[test]
fn check_contacts_the_target_only_with_live() {
    let (url, count) = serve(&[
        ("content-type", "application/json"),
        ("x-content-type-options", "nosniff"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("harden.toml"),
        format!("version = 1\n\n[target]\nbase-url = \"{url}\"\nrate-per-second = 200\n"),
    )
    .unwrap();
    let output = harden(dir.path())
        .args([
            "check",
            "--no-record",
            "--only",
            "R7.http.headers",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["gates"][0]["outcome"], "skipped");
    assert!(
        report["gates"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("--live")
    );
    assert_eq!(count.load(Ordering::SeqCst), 0);
    let output = harden(dir.path())
        .args([
            "check",
            "--no-record",
            "--live",
            "--only",
            "R7.http.headers",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["gates"][0]["outcome"], "pass", "{report}");
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

/// A service that echoes what it was sent (the `Authorization` header and the query) in its
/// body, the worst case for a transcript; returns its base URL and the headers it saw.
fn serve_echo() -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = Router::new().fallback(move |request: axum::extract::Request| {
        let log = log.clone();
        async move {
            let auth = request
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            log.lock().unwrap().push(auth.clone());
            let body = format!(
                "<!doctype html><p>you sent Authorization: {auth} to {}</p>",
                request.uri()
            );
            let mut response = axum::response::Response::new(axum::body::Body::from(body));
            response.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("text/html"),
            );
            response
        }
    });
    (format!("http://{}/", spawn(app)), seen)
}

/// Credentials sent to the service (a header from the environment, a token in a configured
/// path's query) are used, and never shown in full: not in the report in any format, not in
/// the logs, not in the ledger's bytes, not in its export.
#[test]
fn credentials_sent_to_the_service_never_show_in_full() {
    let (url, seen) = serve_echo();
    // Assembled at run time: this repository's own secret scan must not see them either.
    let bearer = format!("{}{}", "Qm9vdGggdGhlIHRva2Vu", "X7rL2pW9vK4sT8");
    let query_token = format!("{}{}", "tq8Zx2Lm", "Vw5Rk9Pj3Hs7Dn4B");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("harden.toml"),
        format!(
            "version = 1\n\n[target]\nbase-url = \"{url}\"\nrate-per-second = 200\npaths = [\"/account?access_token={query_token}\"]\nheaders = {{ Authorization = \"env:PROBE_AUTH\" }}\n"
        ),
    )
    .unwrap();
    let mut shown = Vec::new();
    for format in ["json", "sarif", "markdown", "junit", "human"] {
        let output = harden(dir.path())
            .env("PROBE_AUTH", format!("Bearer {bearer}"))
            .args([
                "check",
                "-vv",
                "--live",
                "--log-format",
                "json",
                "--format",
                format,
            ])
            .args(["--only", "R7.http.headers", "--only", "R3.errors.leak"])
            .output()
            .unwrap();
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        shown.extend_from_slice(&output.stdout);
        shown.extend_from_slice(&output.stderr);
        if format == "json" {
            let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            let transcript = report["transcript"].as_array().unwrap();
            assert!(transcript.len() >= 2, "{report}");
            // The header was sent (masked in the transcript), the configured path requested.
            assert!(
                transcript.iter().any(|e| e["url"]
                    .as_str()
                    .unwrap()
                    .contains("/account?access_token=")),
                "{report}"
            );
        }
    }
    assert!(
        seen.lock().unwrap().iter().any(|a| a.ends_with(&bearer)),
        "the service got the header"
    );
    let export = harden(dir.path())
        .args(["ledger", "export"])
        .output()
        .unwrap();
    shown.extend_from_slice(&export.stdout);
    for entry in std::fs::read_dir(dir.path().join(".harden")).unwrap() {
        shown.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    // A CA file that is not there is a configuration error: exit 2, nothing recorded.
    let entries = |dir: &std::path::Path| {
        let export = harden(dir).args(["ledger", "export"]).output().unwrap();
        String::from_utf8_lossy(&export.stdout).lines().count()
    };
    let before = entries(dir.path());
    let config = std::fs::read_to_string(dir.path().join("harden.toml")).unwrap();
    std::fs::write(
        dir.path().join("harden.toml"),
        config.replace("[target]\n", "[target]\nca-file = \"missing-ca.pem\"\n"),
    )
    .unwrap();
    let output = harden(dir.path())
        .env("PROBE_AUTH", format!("Bearer {bearer}"))
        .args(["check", "--live", "--only", "R7.http.headers"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("ca-file"));
    assert_eq!(entries(dir.path()), before);
    let shown = String::from_utf8_lossy(&shown);
    assert!(
        shown.contains("access_token"),
        "the transcript names the parameter"
    );
    assert!(!shown.contains(&bearer), "the bearer token showed");
    assert!(!shown.contains(&query_token), "the query token showed");
}

/// The GET operations of the configured OpenAPI document that need no parameters are looked at
/// too; an operation with a path parameter is not invented.
#[test]
fn openapi_get_operations_are_probed() {
    let (url, count) = serve(&[
        ("content-type", "application/json"),
        ("x-content-type-options", "nosniff"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("openapi.yaml"),
        "openapi: 3.0.3\nservers:\n  - url: /api\npaths:\n  /status:\n    get: {}\n  /items/{id}:\n    get: {}\n  /items:\n    post: {}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("harden.toml"),
        format!("version = 1\n\n[contracts]\nopenapi = [\"openapi.yaml\"]\n\n[target]\nbase-url = \"{url}\"\nrate-per-second = 200\n"),
    )
    .unwrap();
    let output = harden(dir.path())
        .args([
            "check",
            "--no-record",
            "--live",
            "--only",
            "R7.http.headers",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["gates"][0]["outcome"], "pass", "{report}");
    let urls: Vec<&str> = report["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls.len(), 2, "{urls:?}");
    assert!(urls[1].ends_with("/api/status"), "{urls:?}");
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

/// A service that answers every request, slowly (400 ms): each live gate stops sending once its
/// `[target] gate-time` is spent, so a slow service costs the run about that per gate, not a
/// burst of slow answers; the gate says why it could not finish.
#[test]
fn a_slow_service_costs_each_gate_its_time_and_no_more() {
    let app = Router::new().fallback(|| async {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        "slow"
    });
    let url = format!("http://{}/", spawn(app));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("harden.toml"),
        format!("version = 1\n\n[target]\nbase-url = \"{url}\"\nrate-per-second = 200\ngate-time = \"2s\"\n"),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let output = harden(dir.path())
        .args([
            "check",
            "--no-record",
            "--live",
            "--only",
            "R7.http.rate-limit",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let gate = &report["gates"][0];
    assert_eq!(gate["outcome"], "fail", "{report}");
    assert!(
        gate["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("gate-time"),
        "{report}"
    );
    // A 60-request burst at 400 ms each would take 24 s; the gate's 2 s end it.
    assert!(elapsed < std::time::Duration::from_secs(10), "{elapsed:?}");
}

/// `harden probe URL --contract FILE` runs the contract-driven gate with no config: a service
/// that answers everyone fails R1.auth.enforced, and `--public` says what is open.
#[test]
fn probe_with_a_contract_checks_that_operations_refuse_anonymous_callers() {
    let (url, _) = serve(&[("content-type", "application/json")]);
    let dir = tempfile::tempdir().unwrap();
    let contract = dir.path().join("openapi.yaml");
    std::fs::write(
        &contract,
        "openapi: 3.0.3\nsecurity: [{bearer: []}]\npaths:\n  /health:\n    get: {}\n  /orders:\n    get: {}\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let output = harden(dir.path())
            .args([
                "probe",
                &url,
                "--rate",
                "200",
                "--format",
                "json",
                "--contract",
            ])
            .arg(&contract)
            .args(extra)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        report["gates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == "R1.auth.enforced")
            .unwrap()
            .clone()
    };
    let gate = run(&["--public", "GET /health"]);
    assert_eq!(gate["outcome"], "fail", "{gate}");
    let messages: Vec<&str> = gate["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "GET /orders answers 200 with a made-up bearer token",
            "GET /orders answers 200 without credentials"
        ]
    );
    // A contract that is not one is a usage error with its position.
    std::fs::write(&contract, "paths: [\n").unwrap();
    let output = harden(dir.path())
        .args(["probe", &url, "--contract"])
        .arg(&contract)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("openapi.yaml:"));
}
