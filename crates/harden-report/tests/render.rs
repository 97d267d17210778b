//! Every output format rendered from one fixed report: snapshots, schema validation, and a
//! canary check that secret material never appears in full.
#![allow(clippy::unwrap_used)]

use harden_model::{
    Evidence, FindingBuilder, GateId, GateMeta, GateResult, LedgerRef, LineCol, Location, Outcome,
    ProfileLevel, Redacted, Round, RunReport, RunTarget, Secret, Severity, Span, Summary, Target,
    ToolInfo, Waiver, WaiverOrigin, WaiverReport, WaiverState,
};
use harden_report::{Format, RenderContext, render};

const CANARY: &str = "hk_live_CANARY_9f8e7d6c5b4a39281706";

static META: GateMeta = GateMeta {
    id: GateId::from_static("R7.runbooks"),
    round: Round::R7,
    title: "Runbooks present and current",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "Procedures must exist before they are needed.",
    evidence: &["documents"],
    options: &[],
    items: None,
};

fn span(line: u32, column: u32, end: u32) -> Span {
    Span {
        start: LineCol { line, column },
        end: LineCol { line, column: end },
    }
}

fn gate(id: &'static str, round: Round, outcome: Outcome, summary: &str) -> GateResult {
    GateResult {
        id: GateId::from_static(id),
        round,
        title: format!("Title of {id}"),
        severity: Severity::High,
        default_severity: Severity::High,
        outcome,
        summary: summary.to_owned(),
        reason: None,
        findings: Vec::new(),
        evidence: Evidence::default(),
        duration_ms: 12,
    }
}

fn date(text: &str) -> jiff::civil::Date {
    text.parse().unwrap()
}

fn waiver(
    id: &str,
    expires: &str,
    state: WaiverState,
    matched: u32,
    days_left: i64,
) -> WaiverReport {
    WaiverReport {
        waiver: Waiver {
            id: id.into(),
            gate: GateId::from_static("R7.runbooks"),
            fingerprint: None,
            advisory: None,
            path: Some("docs/runbooks/*.md".into()),
            line: None,
            reason: "moving to the ops wiki | this quarter".into(),
            owner: "dana@example.com".into(),
            reference: id.into(),
            expires: date(expires),
            origin: WaiverOrigin {
                path: "harden.toml".into(),
                line: 30,
            },
        },
        state,
        matched,
        days_left,
    }
}

fn report() -> RunReport {
    let secret = Secret::new(CANARY);
    let scope = gate(
        "R0.scope.declared",
        Round::R0,
        Outcome::Pass,
        "examined 3 declarations",
    );
    let mut leak = gate("R3.secrets.history", Round::R3, Outcome::Fail, "1 finding");
    leak.findings.push(
        FindingBuilder::new(
            leak.id.clone(),
            Severity::Critical,
            format!("payment API key {secret} in history"),
            Location::Commit {
                commit: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678".into(),
                path: "src/config.rs".into(),
                span: Some(span(12, 18, 52)),
                snippet: Some(Redacted::masking(
                    &format!("let key = \"{CANARY}\";"),
                    &secret,
                )),
            },
        )
        .identity(secret.keyed_digest(b"repo"))
        .help("rotate the key, then remove it from history")
        // The same key committed a second time, elsewhere.
        .related(Location::Commit {
            commit: "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c".into(),
            path: "deploy/.env".into(),
            span: Some(span(3, 13, 47)),
            snippet: None,
        })
        .build(),
    );
    leak.severity = Severity::Critical;
    let mut errors = gate("R5.input.rejected", Round::R5, Outcome::Fail, "1 finding");
    errors.findings.push(
        FindingBuilder::new(
            errors.id.clone(),
            Severity::Medium,
            "schema-violating input crashed the service (500)",
            Location::Http {
                method: "POST".into(),
                url: "https://staging.example.com/invoices".into(),
                status: Some(500),
                summary: "body {\"amount\": -1} → 500".into(),
                exchange: None,
            },
        )
        .build(),
    );
    // Rated below its gate: shown as a warning.
    errors.findings.push(
        FindingBuilder::new(
            errors.id.clone(),
            Severity::Low,
            "an unknown route answers with the framework's default error page",
            Location::Http {
                method: "GET".into(),
                url: "https://staging.example.com/nope".into(),
                status: Some(404),
                summary: "→ 404 with a framework banner".into(),
                exchange: None,
            },
        )
        .build(),
    );
    errors.severity = Severity::Medium;
    let mut runbooks = gate(
        "R7.runbooks",
        Round::R7,
        Outcome::Waived,
        "1 finding under waiver",
    );
    let mut waived = FindingBuilder::new(
        runbooks.id.clone(),
        Severity::High,
        "on-call playbook missing",
        Location::File {
            path: "docs/runbooks/on-call.md".into(),
            span: None,
            snippet: None,
            logical: None,
        },
    )
    .build();
    waived.waived_by = Some("OPS-1".into());
    runbooks.findings.push(waived);
    runbooks.evidence.examined.insert("documents".into(), 3);
    let mut broken = gate(
        "R2.ledger.intact",
        Round::R2,
        Outcome::Fail,
        "error: ledger unreadable",
    );
    broken.reason = Some("error: .harden/ledger.db: database disk image is malformed".into());
    let mut skipped = gate(
        "R4.docker.hygiene",
        Round::R4,
        Outcome::Skipped,
        "disabled in harden.toml:21: not applicable: no Dockerfile",
    );
    skipped.reason = Some(skipped.summary.clone());
    let gates = vec![scope, broken, leak, skipped, errors, runbooks];
    let summary = RunReport::summarize(&gates);
    RunReport {
        run_id: "0d6c8f0e-5a8f-4c1e-9b7a-2f3e4d5c6b7a".into(),
        tool: ToolInfo {
            name: "harden".into(),
            version: "0.1.0".into(),
        },
        service: Some("billing-api".into()),
        profile: "production".into(),
        strict: true,
        target: RunTarget {
            repository: ".".into(),
            commit: Some("3f9c2e1aa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5".into()),
            dirty: Some(false),
            remote: Some("https://git.example/billing/api.git".into()),
            base_url: None,
            artifact: None,
        },
        config_digest: Some("ab".repeat(32)),
        started_at: "2026-11-22T09:00:00Z".parse().unwrap(),
        finished_at: "2026-11-22T09:00:00.840Z".parse().unwrap(),
        gates,
        waivers: vec![
            waiver("OPS-1", "2026-12-31", WaiverState::Active, 1, 39),
            waiver("OPS-2", "2026-11-01", WaiverState::Expired, 0, -21),
            waiver("OPS-3", "2027-02-01", WaiverState::Stale, 0, 71),
        ],
        summary: Summary { ..summary },
        ledger: Some(LedgerRef {
            seq: 128,
            hash: "e3b0c442".repeat(8),
        }),
        transcript: Vec::new(),
    }
}

fn rendered(format: Format) -> String {
    let catalogue: Vec<&'static GateMeta> = vec![&META];
    render(
        &report(),
        format,
        &RenderContext {
            catalogue: &catalogue,
            color: false,
            quiet: false,
        },
    )
}

#[test]
fn human() {
    insta::assert_snapshot!(rendered(Format::Human));
}

/// `--quiet`: the failed gates with their findings, and the summary; nothing that passed or was
/// skipped.
#[test]
fn human_quiet_shows_failures_only() {
    let catalogue: Vec<&'static GateMeta> = vec![&META];
    let quiet = render(
        &report(),
        Format::Human,
        &RenderContext {
            catalogue: &catalogue,
            color: false,
            quiet: true,
        },
    );
    let full = rendered(Format::Human);
    assert!(quiet.lines().count() < full.lines().count());
    assert!(!quiet.contains("  pass ") && !quiet.contains("  skipped "));
    assert!(quiet.contains("  fail "));
    assert_eq!(
        quiet.lines().last(),
        full.lines().last(),
        "the same summary"
    );
    insta::assert_snapshot!(quiet);
}

#[test]
fn human_in_colour_differs_only_by_escapes() {
    let catalogue: Vec<&'static GateMeta> = vec![&META];
    let coloured = render(
        &report(),
        Format::Human,
        &RenderContext {
            catalogue: &catalogue,
            color: true,
            quiet: false,
        },
    );
    assert!(coloured.contains("\u{1b}["));
    let stripped = regex_lite_strip(&coloured);
    assert_eq!(stripped, rendered(Format::Human));
}

/// Removes ANSI SGR sequences.
fn regex_lite_strip(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn security_audit() {
    let mut report = report();
    let mut vulns = gate("R4.vulns", Round::R4, Outcome::Fail, "1 vulnerable package");
    vulns.findings.push(
        FindingBuilder::new(
            vulns.id.clone(),
            Severity::High,
            "tokio 1.18.0 is affected by RUSTSEC-2023-0001",
            Location::File {
                path: "Cargo.lock".into(),
                span: Some(span(210, 1, 20)),
                snippet: None,
                logical: None,
            },
        )
        .vulnerability(harden_model::Vulnerability {
            ecosystem: "crates.io".into(),
            package: "tokio".into(),
            version: "1.18.0".into(),
            direct: true,
            ids: vec!["RUSTSEC-2023-0001".into(), "GHSA-7rrj-xr53-82p7".into()],
            summary: "reject_remote_clients configuration may get dropped".into(),
            fixed: vec!["1.18.4".into()],
            cvss: None,
            score: None,
            url: None,
        })
        .help("upgrade tokio to 1.18.4 or later")
        .build(),
    );
    report.gates.insert(3, vulns);
    // An attested checklist item nobody has vouched for: not reviewed, rather than an issue.
    let mut encoded = gate(
        "R5.output.encoded",
        Round::R5,
        Outcome::Fail,
        "no attestation or drill in the ledger",
    );
    encoded.findings.push(
        FindingBuilder::new(
            encoded.id.clone(),
            Severity::Medium,
            "Output encoding in place: no attestation or drill in the ledger",
            Location::Config {
                path: "harden.toml".into(),
                span: None,
            },
        )
        .build(),
    );
    report.gates.insert(5, encoded);
    let catalogue: Vec<&'static GateMeta> = vec![&META];
    let text = render(
        &report,
        Format::SecurityAudit,
        &RenderContext {
            catalogue: &catalogue,
            color: false,
            quiet: false,
        },
    );
    // Every OWASP category has a verdict; the failing gates are remediation tasks.
    assert_eq!(
        harden_report::audit::OWASP_TOP_10
            .iter()
            .filter(|category| text.contains(&format!("| {} | ", category.name)))
            .count(),
        10
    );
    assert!(text.contains("- [ ] `R4.vulns`"));
    assert!(text.contains(
        "| Cross-site scripting (XSS) | not reviewed yet: `harden attest R5.output.encoded` |"
    ));
    assert!(!text.contains(CANARY));
    insta::assert_snapshot!(text);
}

#[test]
fn markdown() {
    insta::assert_snapshot!(rendered(Format::Markdown));
}

#[test]
fn github_annotations() {
    let text = rendered(Format::Github);
    // One workflow command per unwaived finding and per gate failing without findings, then a
    // summary line; nothing else starts with `::`.
    for line in text.lines().filter(|l| l.starts_with("::")) {
        assert!(
            ["::error ", "::warning ", "::notice "]
                .iter()
                .any(|p| line.starts_with(p)),
            "{line}"
        );
        assert!(!line[2..].contains('\n'));
    }
    insta::assert_snapshot!(text);
}

#[test]
fn gitlab_code_quality() {
    let text = rendered(Format::Gitlab);
    let issues: serde_json::Value = serde_json::from_str(&text).unwrap();
    for issue in issues.as_array().unwrap() {
        for field in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[field].is_string(), "{field}: {issue}");
        }
        assert!(issue["location"]["path"].is_string());
        assert!(issue["location"]["lines"]["begin"].is_u64());
    }
    insta::assert_snapshot!(text);
}

#[test]
fn junit() {
    let xml = rendered(Format::Junit);
    // Well-formed and faithful: it parses back with the same counts.
    let parsed = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    assert_eq!(parsed.tests, 6);
    assert_eq!(parsed.failures, 3);
    insta::assert_snapshot!(xml);
}

#[test]
fn json_v1() {
    let text = rendered(Format::Json);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let schema = harden_report::json::schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(value["schema"], "harden.report/v1");
    insta::assert_snapshot!(text);
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let text = rendered(Format::Sarif);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Every rule carries the score code scanning ranks alerts by.
    for rule in value["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
    {
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&score), "{rule}");
    }
    let results = value["runs"][0]["results"].as_array().unwrap();
    let leak = results
        .iter()
        .find(|r| r["ruleId"] == "R3.secrets.history")
        .unwrap();
    assert_eq!(
        leak["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/config.rs"
    );
    assert_eq!(
        leak["locations"][0]["physicalLocation"]["region"]["startLine"],
        12
    );
    assert_eq!(
        leak["properties"]["commit"],
        "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
    );
    assert!(leak["partialFingerprints"]["harden/v1"].is_string());
    // A secret in two places is two results (code scanning shows a result's first location
    // only), sharing the finding's fingerprint, each at its own revision's file.
    let places: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "R3.secrets.history")
        .collect();
    assert_eq!(places.len(), 2);
    assert_eq!(
        places[0]["partialFingerprints"]["harden/v1"],
        places[1]["partialFingerprints"]["harden/v1"]
    );
    assert_ne!(
        places[0]["partialFingerprints"]["harden/place/v1"],
        places[1]["partialFingerprints"]["harden/place/v1"]
    );
    let artifact =
        |r: &serde_json::Value| r["locations"][0]["physicalLocation"]["artifactLocation"].clone();
    assert_eq!(artifact(places[1])["uri"], "deploy/.env");
    assert_eq!(
        artifact(places[1])["uriBaseId"],
        "REVISION_0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"
    );
    // Each revision is mapped to its commit in the remote repository.
    let provenance = value["runs"][0]["versionControlProvenance"]
        .as_array()
        .unwrap();
    let revisions: Vec<(&str, &str)> = provenance
        .iter()
        .map(|p| {
            (
                p["revisionId"].as_str().unwrap(),
                p["mappedTo"]["uriBaseId"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(revisions.contains(&("3f9c2e1aa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5", "%SRCROOT%")));
    assert!(revisions.contains(&(
        "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
        "REVISION_a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
    )));
    assert!(
        provenance
            .iter()
            .all(|p| p["repositoryUri"] == "https://git.example/billing/api.git")
    );
    let waived = results
        .iter()
        .find(|r| r["ruleId"] == "R7.runbooks")
        .unwrap();
    assert_eq!(waived["suppressions"][0]["kind"], "external");
    // A gate that failed without findings still yields a result.
    assert!(results.iter().any(|r| r["ruleId"] == "R2.ledger.intact"));
    insta::assert_snapshot!(text);
}

#[test]
fn no_format_shows_the_secret_in_full() {
    for (name, format) in Format::ALL {
        let text = rendered(format);
        assert!(!text.contains(CANARY), "{name} leaks the secret");
        assert!(
            !text.contains(&CANARY[4..]),
            "{name} leaks the secret's tail"
        );
        assert!(
            text.contains("hk_l…("),
            "{name} does not show the masked form"
        );
    }
}

/// The readiness snapshot of the fixed report: its Markdown, its record read back, and a record
/// of another schema refused.
#[test]
fn readiness() {
    use harden_rollout::readiness::{self, Check, Flag, Inputs, Readiness, SecretPresence};
    let report = report();
    let streak = harden_rollout::Streak {
        days: 4,
        since: Some("2026-11-19".parse().unwrap()),
        broken: None,
    };
    let smoke = vec![harden_rollout::SmokeRecord {
        date: "2026-11-22".parse().unwrap(),
        time: "08:30".into(),
        commit: None,
        pass: true,
        checks: Some(true),
        failing: Vec::new(),
        run_seq: 127,
    }];
    let item = |gate: &str| (gate == "R7.runbooks").then_some("Runbooks written and rehearsed");
    let snapshot = readiness::snapshot(Inputs {
        report: &report,
        now: "2026-11-22T09:01:00Z".parse().unwrap(),
        zone: jiff::tz::TimeZone::UTC,
        flags: vec![Flag {
            name: "DEBUG".into(),
            value: Some("false".into()),
            allowed: vec!["false".into()],
            ok: true,
        }],
        secrets: vec![SecretPresence {
            name: "DATABASE_URL".into(),
            present: true,
        }],
        flags_checked: true,
        checks: Some(vec![Check {
            name: "migrations".into(),
            command: "make migrate-check".into(),
            passed: true,
            exit_code: Some(0),
            timed_out: false,
            duration_ms: 1200,
            output: String::new(),
        }]),
        smoke: &smoke,
        streak: &streak,
        streak_target: 7,
        checklist_item: &item,
    });
    // Failing gates make it not ready, whatever else holds.
    assert!(!snapshot.ready);
    assert_eq!(snapshot.schema, readiness::SCHEMA);
    assert_eq!(
        snapshot.waivers.len(),
        2,
        "the expired waiver is not in force"
    );
    let markdown = harden_report::readiness::markdown(&snapshot, 129, &"ab".repeat(32));
    assert!(!markdown.contains(CANARY), "a secret in full");
    insta::assert_snapshot!(markdown);
    let record = serde_json::to_value(&snapshot).unwrap();
    assert_eq!(Readiness::from_record(&record).unwrap(), snapshot);
    let mut legacy = record.clone();
    legacy.as_object_mut().unwrap().remove("schema");
    assert_eq!(Readiness::from_record(&legacy).unwrap(), snapshot);
    let mut other = record.clone();
    other["schema"] = "harden.readiness/v0".into();
    assert!(Readiness::from_record(&other).is_err());
    let mut broken = record;
    broken["streak_days"] = "four".into();
    assert!(Readiness::from_record(&broken).is_err());
}

/// Exit criteria over the fixed report: its failing gates, a blocked plan and an expired waiver
/// each stop the rollout, with the evidence named.
#[test]
fn exit_criteria() {
    use harden_rollout::criteria::{Inputs, StrictRun, evaluate};
    let report = StrictRun::of(&report());
    let streak = harden_rollout::Streak {
        days: 7,
        since: Some("2026-11-16".parse().unwrap()),
        broken: None,
    };
    let judged = |blocked: Vec<String>, expired: Vec<String>| {
        evaluate(Inputs {
            needed: 7,
            streak: &streak,
            strict: &report,
            blocked_plans: blocked,
            expired_waivers: expired,
            waivers: 3,
        })
    };
    let criteria = judged(Vec::new(), Vec::new());
    let holds: Vec<bool> = criteria.iter().map(|c| c.holds).collect();
    assert_eq!(holds, [true, false, true, true]);
    assert_eq!(
        criteria[1].evidence,
        "ledger #128: 6 gates, failed: R2.ledger.intact, R3.secrets.history, R5.input.rejected"
    );
    assert_eq!(criteria[0].evidence, "streak 7 days since 2026-11-16");
    let criteria = judged(
        vec!["P-1".into()],
        vec!["OPS-2 (expired 2026-11-01)".into()],
    );
    assert!(!criteria[2].holds && criteria[2].evidence == "blocked: P-1");
    assert!(!criteria[3].holds && criteria[3].evidence == "OPS-2 (expired 2026-11-01)");
}

/// A plan verified against the fixed report: an action holds when each of its gates passed or
/// was waived; a gate that did not run leaves its action unverified.
#[test]
fn plan_verification() {
    use harden_rollout::plan::{VERIFY_SCHEMA, Verification, may_complete, verify};
    let report = report();
    let scope = [GateId::from_static("R0.scope.declared")];
    let mixed = [
        GateId::from_static("R7.runbooks"),
        GateId::from_static("R3.secrets.history"),
    ];
    let absent = [GateId::from_static("R4.sbom")];
    let verification = verify(
        "P-7",
        [
            ("scope", &scope[..]),
            ("rotate", &mixed[..]),
            ("sbom", &absent[..]),
        ],
        &report,
    );
    let verified: Vec<bool> = verification.actions.iter().map(|a| a.verified).collect();
    assert_eq!(verified, [true, false, false]);
    assert_eq!(verification.actions[2].gates[0].outcome, Outcome::Skipped);
    assert!(!verification.verified);
    assert_eq!(verification.run_seq, Some(128));
    assert_eq!(verification.schema, VERIFY_SCHEMA);
    assert!(may_complete(&verification).is_err());
    let record = serde_json::to_value(&verification).unwrap();
    let back: Verification = serde_json::from_value(record).unwrap();
    assert_eq!(back, verification);
    let done = verify("P-8", [("scope", &scope[..])], &report);
    assert!(done.verified && may_complete(&done).is_ok());
}
