//! The PostgreSQL ledger over TLS (issue 20, item 9), against a real cluster that accepts TLS
//! connections only, with a certificate signed by a throwaway CA.
#![allow(clippy::disallowed_methods, clippy::unwrap_used)] // Test code: real processes; panics are failures.

use harden_ledger::open;
use harden_test::PgCluster;
use serde_json::json;

#[test]
fn postgres_ledger_connects_over_tls_with_sslmode_honoured() {
    let cluster = PgCluster::start_tls();
    let port = cluster.port();
    let ca = cluster.ca_file();
    let ca = ca.display();
    let at = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    // The server refuses plain connections, so each success below went over TLS.
    for url in [
        format!(
            "postgres://postgres@localhost:{port}/postgres?sslmode=verify-full&sslrootcert={ca}"
        ),
        format!(
            "postgres://postgres@127.0.0.1:{port}/postgres?sslmode=verify-full&sslrootcert={ca}"
        ),
        format!("postgres://postgres@127.0.0.1:{port}/postgres?sslmode=verify-ca&sslrootcert={ca}"),
        format!("postgres://postgres@127.0.0.1:{port}/postgres?sslmode=require"),
        // Loopback defaults to `prefer`: TLS when the server offers it.
        format!("postgres://postgres@127.0.0.1:{port}/postgres"),
    ] {
        let mut store = open(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
        store.append("run", &json!({ "url": "tls" }), at).unwrap();
        assert!(store.verify().unwrap().is_ok(), "{url}");
    }
    let mut store = open(&format!(
        "postgres://postgres@127.0.0.1:{port}/postgres?sslmode=require"
    ))
    .unwrap();
    assert_eq!(store.head().unwrap().unwrap().seq, 5);

    let refused = |url: String, expected: &str| {
        let error = open(&url)
            .err()
            .unwrap_or_else(|| panic!("{url} connected"));
        let text = format!("{error:#}");
        assert!(text.contains(expected), "{url}: {text}");
        assert!(
            !text.contains("sslrootcert=/"),
            "the URL is shown redacted: {text}"
        );
    };
    // Without TLS the server says no.
    refused(
        format!("postgres://postgres@127.0.0.1:{port}/postgres?sslmode=disable"),
        "no encryption",
    );
    // A certificate no trusted root vouches for is refused in the verifying modes.
    refused(
        format!(
            "postgres://postgres@localhost:{port}/postgres?sslmode=verify-full&sslrootcert=system"
        ),
        "UnknownIssuer",
    );
}
