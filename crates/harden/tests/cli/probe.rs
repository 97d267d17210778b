//! `harden probe URL` against services on 127.0.0.1 (axum): the live gates with no repository,
//! a budget the server can count, and credentials that never show.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::HeaderMap;

use super::harden;

/// A service answering every path with `headers`; returns its base URL and its request count.
fn serve(headers: &'static [(&'static str, &'static str)]) -> (String, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
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
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    (format!("http://{}/", rx.recv().unwrap()), count)
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
