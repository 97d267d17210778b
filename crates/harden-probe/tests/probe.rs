//! The prober against real HTTP servers on 127.0.0.1 (axum, and a raw listener that never
//! answers): budgets, rate cap, timeouts, redirects and redaction hold as the server sees them.
#![allow(clippy::unwrap_used)] // Test code: a panic is a failure.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use harden_probe::{Limits, ProbeError, Prober, Request};

/// What the server saw: requests counted, with their arrival times.
#[derive(Default)]
struct Seen {
    count: AtomicUsize,
    arrivals: std::sync::Mutex<Vec<Instant>>,
}

/// An axum server on an ephemeral port, running on its own thread for the whole test.
fn serve(seen: Arc<Seen>) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let count = |seen: Arc<Seen>| {
                seen.count.fetch_add(1, Ordering::SeqCst);
                seen.arrivals.lock().unwrap().push(Instant::now());
            };
            let s1 = seen.clone();
            let s2 = seen.clone();
            let app = Router::new()
                .route(
                    "/",
                    get(move |headers: HeaderMap| {
                        let s = s1.clone();
                        async move {
                            count(s);
                            let echoed = headers
                                .get("authorization")
                                .map(|v| v.to_str().unwrap_or_default().to_owned())
                                .unwrap_or_default();
                            ([("x-echo", echoed)], "hello")
                        }
                    }),
                )
                .route(
                    "/away",
                    get(move || {
                        let s = s2.clone();
                        async move {
                            count(s);
                            (
                                StatusCode::FOUND,
                                [("location", "http://elsewhere.invalid/login?token=abc")],
                            )
                                .into_response()
                        }
                    }),
                );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{}/", rx.recv().unwrap())
}

fn limits() -> Limits {
    Limits {
        budget: 10,
        rate_per_second: 1000,
        timeout: Duration::from_secs(2),
        concurrency: 2,
        body_limit: 1024,
    }
}

#[test]
fn the_budget_is_never_exceeded() {
    let seen = Arc::new(Seen::default());
    let prober = Prober::new(&serve(seen.clone()), limits()).unwrap();
    let results: Vec<_> = (0..15).map(|_| prober.send(&Request::get("/"))).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 10);
    assert!(
        results[10..]
            .iter()
            .all(|r| matches!(r, Err(ProbeError::BudgetSpent(10))))
    );
    assert_eq!(seen.count.load(Ordering::SeqCst), 10);
    assert_eq!(prober.sent(), 10);
    assert_eq!(prober.transcript().len(), 10);
}

#[test]
fn the_rate_cap_holds_at_the_server() {
    let seen = Arc::new(Seen::default());
    let rate = 20;
    let prober = Prober::new(
        &serve(seen.clone()),
        Limits {
            rate_per_second: rate,
            concurrency: 4,
            ..limits()
        },
    )
    .unwrap();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..2 {
                    prober.send(&Request::get("/")).unwrap();
                }
            });
        }
    });
    let arrivals = seen.arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), 8);
    // Slots are 1/rate apart: eight requests span at least seven intervals (less a margin for
    // the scheduler), however many threads asked at once.
    let first = *arrivals.iter().min().unwrap();
    let last = *arrivals.iter().max().unwrap();
    assert!(
        last - first >= Duration::from_millis(7 * 1000 / u64::from(rate) - 20),
        "{:?}",
        last - first
    );
}

#[test]
fn a_service_that_never_answers_ends_in_a_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    // Accepts connections and never writes a byte.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    let prober = Prober::new(
        &format!("http://{address}/"),
        Limits {
            timeout: Duration::from_millis(300),
            ..limits()
        },
    )
    .unwrap();
    let started = Instant::now();
    let result = prober.send(&Request::get("/health"));
    assert!(matches!(result, Err(ProbeError::Timeout(_))), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    let transcript = prober.transcript();
    assert_eq!(transcript.len(), 1);
    assert!(
        transcript[0]
            .error
            .as_deref()
            .unwrap()
            .contains("no answer")
    );
    // After two timeouts in a row the service counts as hung: the rest fail at once, unsent.
    let started = Instant::now();
    let rest: Vec<_> = (0..10)
        .map(|_| prober.send(&Request::get("/ready")))
        .collect();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(rest[0], Err(ProbeError::Timeout(_))));
    assert!(
        rest[1..]
            .iter()
            .all(|r| matches!(r, Err(ProbeError::Failed(m)) if m.contains("stopped answering")))
    );
    assert_eq!(prober.sent(), 2);
}

#[test]
fn redirects_are_recorded_not_followed_and_other_hosts_are_refused() {
    let seen = Arc::new(Seen::default());
    let prober = Prober::new(&serve(seen.clone()), limits()).unwrap();
    let response = prober.send(&Request::get("/away")).unwrap();
    assert_eq!(response.status, 302);
    let exchange = &prober.transcript()[response.exchange];
    let redirect = exchange.redirect.as_deref().unwrap();
    assert!(
        redirect.starts_with("http://elsewhere.invalid/login"),
        "{redirect}"
    );
    assert!(!redirect.contains("token=abc"), "{redirect}");
    let refused = prober.send(&Request::get("http://elsewhere.invalid/"));
    assert!(
        matches!(refused, Err(ProbeError::OtherHost(_))),
        "{refused:?}"
    );
    assert_eq!(seen.count.load(Ordering::SeqCst), 1);
}

#[test]
fn credentials_sent_or_echoed_never_reach_the_transcript() {
    let seen = Arc::new(Seen::default());
    let prober = Prober::new(&serve(seen), limits()).unwrap();
    // Assembled at run time: harden scans its own sources.
    let token = format!(
        "{}{}",
        "eyJhbGciOiJIUzI1NiJ9.", "eyJzdWIiOiJvcHMifQ.c2lnbmF0dXJlLXZhbHVl"
    );
    let query_token = format!("{}{}", "q7Vt2Lm9", "Xr4Kp8Wz");
    let request = Request::get(&format!("/?page=1&access_token={query_token}"))
        .header("Authorization", &format!("Bearer {token}"));
    let response = prober.send(&request).unwrap();
    assert_eq!(response.status, 200);
    // The server echoed the header back: the prober sees it, the transcript does not.
    assert!(response.header("x-echo").unwrap().contains(&token));
    let json = serde_json::to_string(&prober.transcript()).unwrap();
    assert!(!json.contains(&token), "{json}");
    assert!(!json.contains(&query_token), "{json}");
    assert!(json.contains("Bearer"), "{json}");
    assert!(!format!("{prober:?}").contains(&query_token));
}

/// A raw TCP server on 127.0.0.1 that answers the first bytes it reads with `reply` and closes:
/// a TLS server's first flight, as the legacy-protocol probe sees it.
fn raw_server(reply: &'static [u8]) -> String {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(2) {
            let mut stream = stream.unwrap();
            let mut hello = [0u8; 512];
            let _ = stream.read(&mut hello);
            // A ClientHello record offering TLS 1.x (record 0x16, handshake type 1).
            assert_eq!(hello[0], 0x16);
            assert_eq!(hello[5], 0x01);
            let _ = stream.write_all(reply);
        }
    });
    format!("https://{address}/")
}

#[test]
fn legacy_tls_is_seen_accepted_or_refused() {
    // A server that answers with a ServerHello of TLS 1.0 (0x0301), like an old OpenSSL would.
    const SERVER_HELLO_TLS10: &[u8] = &[
        0x16, 0x03, 0x01, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x03, 0x01, 0, 0, 0, 0, 0, 0,
    ];
    // One that refuses with a protocol_version alert (70).
    const ALERT: &[u8] = &[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 70];
    let old = Prober::new(&raw_server(SERVER_HELLO_TLS10), limits()).unwrap();
    assert_eq!(old.accepts_legacy_tls(1), Ok(true));
    let modern = Prober::new(&raw_server(ALERT), limits()).unwrap();
    assert_eq!(modern.accepts_legacy_tls(1), Ok(false));
    // Both count against the budget; a plain-http target is not probed at all.
    assert_eq!(old.sent() + modern.sent(), 2);
    let plain = Prober::new("http://127.0.0.1:9/", limits()).unwrap();
    assert!(plain.accepts_legacy_tls(1).is_err());
    assert_eq!(plain.sent(), 0);
}
