//! The contract-driven live gates end to end: `harden probe URL --contract FILE --identity ...`
//! against the notes application of harden-test (axum over SQLite), correct and with each
//! defect, counted by the server.

use harden_test::notes::{CONTRACT, Defect, NotesApp};

use super::harden;

const GATES: [&str; 4] = [
    "R1.auth.enforced",
    "R1.tenancy.isolation",
    "R5.input.rejected",
    "R6.idempotency",
];

struct Run {
    report: serde_json::Value,
    stdout: String,
}

impl Run {
    fn gate(&self, id: &str) -> &serde_json::Value {
        self.report["gates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == id)
            .unwrap_or_else(|| panic!("{id} did not run"))
    }

    fn outcome(&self, id: &str) -> &str {
        self.gate(id)["outcome"].as_str().unwrap()
    }
}

fn probe(app: &NotesApp, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let contract = dir.path().join("openapi.yaml");
    std::fs::write(&contract, CONTRACT).unwrap();
    probe_with(app, contract.to_str().unwrap(), extra)
}

/// `harden probe` as alice and bob with the contract at `contract` (a file or a URL).
fn probe_with(app: &NotesApp, contract: &str, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let output = harden(dir.path())
        .env(
            "NOTES_ALICE",
            format!("Authorization: Bearer {}", app.token("alice")),
        )
        .env(
            "NOTES_BOB",
            format!("Authorization: Bearer {}", app.token("bob")),
        )
        .args([
            "probe", &app.base, "--format", "json", "--budget", "300", "--rate", "100",
        ])
        .args(["--contract", contract])
        .args([
            "--identity",
            "alice=NOTES_ALICE",
            "--identity",
            "bob=NOTES_BOB",
        ])
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&output.stderr)));
    Run { report, stdout }
}

#[test]
fn the_correct_app_passes_every_contract_gate_within_budget_and_rate() {
    let app = NotesApp::start(&[]);
    let run = probe(&app, &[]);
    for id in GATES {
        assert_eq!(run.outcome(id), "pass", "{id}: {}", run.gate(id));
    }
    // The server counts what harden sent: never more than the budget, never faster than the cap.
    let sent = run.report["transcript"].as_array().unwrap().len();
    assert_eq!(
        app.requests() as usize,
        sent,
        "every request is in the transcript"
    );
    assert!(sent <= 300, "{sent} requests for a budget of 300");
    // The contract gates' requests (all under /api/) keep to the cap; the rate-limit gate's
    // burst to `/` is the one documented exception.
    let peak = app.peak_per_second_under("/api/");
    assert!(peak <= 101, "peak {peak} per second");
    // The tokens never show, not even in part of the transcript's headers.
    for user in ["alice", "bob"] {
        let token = app.token(user);
        let signature = token.rsplit('.').next().unwrap();
        assert!(
            !run.stdout.contains(signature),
            "{user}'s token signature leaked"
        );
    }
    // What the gates created was deleted again: bob's one seeded note is all there is.
    assert_eq!((app.notes_of(1), app.notes_of(2)), (0, 1));
}

#[test]
fn each_defect_fails_its_gate_and_only_its_gate() {
    let cases = [
        (
            Defect::MissingAuth,
            "R1.auth.enforced",
            "GET /api/stats answers 200 without credentials",
        ),
        (
            Defect::IdorById,
            "R1.tenancy.isolation",
            "bob reads alice's object /api/notes/",
        ),
        (
            Defect::IdorSearch,
            "R1.tenancy.isolation",
            "GET /api/search as bob lists alice's object",
        ),
        (
            Defect::CrashOnWrongType,
            "R5.input.rejected",
            "fails with 500 `priority` of the wrong type",
        ),
        (
            Defect::DuplicateOnReplay,
            "R6.idempotency",
            "the replay created a second object",
        ),
    ];
    for (defect, failing, message) in cases {
        let app = NotesApp::start(&[defect]);
        let run = probe(&app, &[]);
        for id in GATES {
            let expected = if id == failing { "fail" } else { "pass" };
            assert_eq!(
                run.outcome(id),
                expected,
                "{defect:?}, {id}: {}",
                run.gate(id)
            );
        }
        let messages: Vec<&str> = run.gate(failing)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        assert!(
            messages.iter().any(|m| m.contains(message)),
            "{defect:?}: {messages:#?}"
        );
    }
}

/// `alg: none` needs a JWT identity: the probe's header-line identity is one.
#[test]
fn an_unsigned_token_is_caught() {
    let app = NotesApp::start(&[Defect::AlgNone]);
    let run = probe(&app, &[]);
    assert_eq!(run.outcome("R1.auth.enforced"), "fail");
    let findings = run.gate("R1.auth.enforced")["findings"].to_string();
    assert!(
        findings.contains("with an alg:none token of alice"),
        "{findings}"
    );
    assert!(!findings.contains("altered signature"), "{findings}");
}

/// The same seed sends the same invalid inputs; another seed others.
#[test]
fn invalid_inputs_are_reproducible_from_the_seed() {
    let sequence = |seed: &str| {
        let app = NotesApp::start(&[]);
        let run = probe(&app, &["--seed", seed]);
        let requests: Vec<String> = run.report["transcript"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["gate"] == "R5.input.rejected")
            .map(|e| {
                let url = e["url"].as_str().unwrap();
                let body = e["request_body_sha256"].as_str().unwrap_or("-");
                format!(
                    "{} {} {body}",
                    e["method"],
                    url.trim_start_matches(&app.base)
                )
            })
            .collect();
        (
            requests,
            run.gate("R5.input.rejected")["evidence"]["facts"].clone(),
        )
    };
    let (first, facts) = sequence("7");
    let (again, facts_again) = sequence("7");
    assert_eq!(first, again);
    assert_eq!(facts, facts_again);
    let (other, _) = sequence("8");
    assert_eq!(first.len(), other.len(), "the same cases, other values");
    assert_ne!(first, other);
}

/// An operation that refuses the identity's valid request (403: operators only) is sent only the
/// cases a server reads before it knows the caller (malformed JSON, a wrong media type): its
/// fields are checked after the door, where per-field cases would never arrive.
#[test]
fn an_operation_that_refuses_the_identity_gets_only_the_parsing_cases() {
    let app = NotesApp::start(&[]);
    let run = probe(&app, &[]);
    let sent: Vec<(String, u64)> = run.report["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["gate"] == "R5.input.rejected"
                && e["url"].as_str().unwrap().ends_with("/api/announcements")
        })
        .map(|e| {
            let content_type = e["request_headers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|h| h[0] == "Content-Type")
                .map_or(String::new(), |h| h[1].as_str().unwrap().to_owned());
            (content_type, e["status"].as_u64().unwrap())
        })
        .collect();
    // The valid request (refused), then malformed JSON and the body as text/plain (both
    // refused by the parser, before the door).
    let statuses: Vec<u64> = sent.iter().map(|s| s.1).collect();
    assert_eq!(statuses, [403, 400, 415], "{sent:?}");
    assert_eq!(sent[2].0, "text/plain");
    let gate = run.gate("R5.input.rejected");
    assert_eq!(
        gate["evidence"]["counts"]["operations that refused the identity (401/403): only malformed-body cases sent"],
        1,
        "{gate}"
    );
    // The operations the identity may call still get their per-field cases.
    let notes_cases = run.report["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["gate"] == "R5.input.rejected"
                && e["method"] == "POST"
                && e["url"].as_str().unwrap().ends_with("/api/notes")
        })
        .count();
    assert!(notes_cases > 8, "{notes_cases} cases for POST /api/notes");
}

/// `--contract URL` reads the contract from the target itself (within the budget, in the
/// transcript); a URL on another host is refused before anything is sent there.
#[test]
fn the_contract_can_come_from_the_target() {
    let app = NotesApp::start(&[Defect::IdorById]);
    let url = format!("{}openapi.yaml", app.base);
    let run = probe_with(&app, &url, &[]);
    assert_eq!(run.outcome("R1.tenancy.isolation"), "fail");
    assert!(
        run.report["transcript"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/openapi.yaml"),
        "the contract's fetch is the first exchange"
    );
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = harden(dir.path())
        .args([
            "probe",
            &app.base,
            "--contract",
            "http://127.0.0.2:9/openapi.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(elsewhere.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&elsewhere.stderr).contains("not on the target's host"),
        "{}",
        String::from_utf8_lossy(&elsewhere.stderr)
    );
}
