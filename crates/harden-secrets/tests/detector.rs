//! The detector's contract: formats and positions, what must not fire, decoding layers,
//! configuration (custom rules, disabled rules, allow patterns) and robustness.
#![allow(clippy::unwrap_used)]

use harden_secrets::{CustomRule, Detector, DetectorConfig, Encoding, RULES};

fn detector() -> Detector {
    Detector::new(RULES).unwrap()
}

fn ids(text: &str) -> Vec<String> {
    detector()
        .scan(text)
        .iter()
        .map(|m| m.rule.to_string())
        .collect()
}

// Assembled from parts: harden scans its own sources, which must hold no credential.
const AWS_ID: &str = concat!("AKIA", "QYLPMN5HFIQR7PLB");
const STRIPE: &str = concat!("sk_live", "_51HcVb2KqW8x7Yz3Tq9Lm4Np");

#[test]
fn every_rule_compiles_with_keywords_and_a_unique_id() {
    let d = detector();
    assert_eq!(d.rule_count(), RULES.len());
    assert!(RULES.iter().all(|r| !r.keywords.is_empty()));
    let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), RULES.len(), "rule ids are unique");
}

#[test]
fn finds_real_formats_with_positions() {
    let text = format!(
        "let key = \"{AWS_ID}\";\nSTRIPE={STRIPE}\nDATABASE_URL=postgres://app:{}@db.internal:5432/app\n",
        concat!("Tr0ub4dor", "-9x")
    );
    let found = detector().scan(&text);
    let ids: Vec<&str> = found.iter().map(|m| &*m.rule).collect();
    assert_eq!(
        ids,
        ["aws-access-key-id", "stripe-secret-key", "url-credentials"]
    );
    assert_eq!((found[0].position.line, found[0].position.column), (1, 12));
    assert_eq!(
        (found[0].end_position.line, found[0].end_position.column),
        (1, 32)
    );
    assert_eq!(found[2].secret.expose(), concat!("Tr0ub4dor", "-9x"));
    assert_eq!(found[1].position.line, 2);
}

#[test]
fn columns_count_characters_and_invalid_utf8_is_scanned() {
    let mut bytes = "é → ".as_bytes().to_vec();
    bytes.extend_from_slice(AWS_ID.as_bytes());
    bytes.extend_from_slice(b"\n\xff\xfe ");
    bytes.extend_from_slice(STRIPE.as_bytes());
    let found = detector().scan(&bytes);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].position.column, 5);
    assert_eq!((found[1].position.line, found[1].position.column), (2, 4));
}

#[test]
fn placeholders_references_examples_hashes_and_public_keys_do_not_fire() {
    for text in [
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "password = \"${DB_PASSWORD}\"",
        "token: \"{{ .Values.token }}\"",
        "api_key = os.environ[\"API_KEY\"]",
        "password = \"changeme-please\"",
        "postgres://user:password@localhost/db",
        "STRIPE_KEY=sk_live_000000000000000000000000",
        "integrity sha512-7KAD1a0xq3t2uFHv5h7nN9yJ1C8HZk0tVt0zqgZ6sWgN0zCk2dX3bZQy6Wb1v8QfYlqYQ==",
        "id = \"3f9c2e1a-0b1c-4d3e-8f5a-6b7c8d9e0f1a\"",
        "checksum = \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"",
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----",
        "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
        "token_url = \"https://oauth2.example.com/token\"",
        "secret_name = \"prod/payments/stripe-api-key\"",
        "password_hash = \"Kx9vQ2mLp7RtZ4wYbN3c\"",
        "api_key = get_api_key_from_vault()\nSECRET_BACKEND=vault-production-cluster\n",
        "api_key = \"test-api-key-1234\"",
        "{\"files\":{\"src/token.rs\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}}",
        "\"data/boost-tokenizer_1.67.0_x64.list\":\"1b7c818da99efce3d8fc7cb75ab8770229b791f6e8ce835616d207f4709a06b2\"",
        "\"R3.secrets.tree\", \"R3.secrets.history\",",
        // Real-world look-alikes from public repositories' histories.
        "'{ \"tokensPerMessage\": 3, \"tokenizerModel\": \"gpt-4-turbo-2024-04-09\" }'",
        "('cluv2t5k3', NULL, 'TOKENS', 'gpt-4-turbo-2024-04-09')",
        "  token: \"--bg-surface-raised-2\",",
        "const STORAGE_KEY = \"trace2-json-expansion-state\";",
        "publishable-key=\"pk_live_51HcVb2KqW8x7Yz3Tq9Lm4NpQ8rS7tU6vW\"",
        "- datadog: see [GH](https://github.com/DataDog/dd-trace-js/commit/ed9b2c4f7a1e3d5b8c0f2a4e6d8b1c3f5a7e9d0b)",
        // A documentation example typed by counting.
        "//\thashedKey := hash.Sha256(\"unkey_1234567890abcdef\")",
        // A link's fragment next to a provider's name.
        "// https://developers.cloudflare.com/r2/api/tokens/#get-s3-api-credentials-from-an-api-token",
        "  password: \"Password123!\",",
        "max_completion_tokens: \"maxCompletionTokens\",",
    ] {
        assert!(ids(text).is_empty(), "{text}: {:?}", ids(text));
    }
}

#[test]
fn generic_assignments_need_entropy_and_a_secret_name() {
    assert_eq!(
        ids("client_secret = \"k8Zq2vL9xR4tW1mN7pB3cD6f\""),
        ["generic-secret-assignment"]
    );
    assert_eq!(
        ids("const dbPassword: string = \"k8Zq2vL9xR4tW1mN7pB3\";"),
        ["generic-secret-assignment"]
    );
    assert_eq!(
        ids("<add key=\"SMTP_PASSWORD\" value=\"k8Zq2vL9xR4tW1mN7pB3\" />"),
        ["generic-secret-assignment"]
    );
    assert!(ids("password = \"aaaaaaaaaaaaaaaa\"").is_empty());
    assert_eq!(
        ids(concat!("DB_PASSWORD=k8Zq2vL9x", "R4tW1mN7pB3\n")),
        ["generic-secret-line"]
    );
    assert_eq!(
        ids(concat!("  api_token: Qm93ZXJz", "Nzc4ODk5MDAxMjM0\n")),
        ["generic-secret-line"]
    );
}

#[test]
fn the_keyword_may_sit_far_from_the_secret_on_its_line_but_not_on_another_line() {
    let near = format!(
        "DATADOG_API_KEY {}= \"{}\"",
        " ".repeat(20),
        concat!("4f8a9c2e1b7d6f3a", "0e5c8b2d9a7f1e6c")
    );
    assert_eq!(ids(&near), ["datadog-api-key"]);
    let far = concat!(
        "# datadog\n\nvalue = \"4f8a9c2e1b7d6f3a",
        "0e5c8b2d9a7f1e6c\"\n"
    );
    assert!(ids(far).is_empty(), "{:?}", ids(far));
}

#[test]
fn a_keyword_everywhere_gives_the_same_findings_as_a_keyword_once() {
    // Over DENSE_WINDOWS lines with the keyword switch the rule to one whole-text search.
    let mut text = "task: ask for the disk risk\n".repeat(100);
    text.push_str(concat!(
        "TWILIO_KEY=SK",
        "4f8a9c2e1b7d6f3a0e5c8b2d9a7f1e6c\n"
    ));
    let found = detector().scan(&text);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].position.line, 101);
}

#[test]
fn secrets_inside_encoded_layers_are_found_at_the_encoded_run() {
    use base64::Engine as _;
    let line = format!("STRIPE_KEY={STRIPE}\n");
    let b64 = base64::engine::general_purpose::STANDARD.encode(&line);
    let twice = base64::engine::general_purpose::STANDARD.encode(format!("env: {b64}\n"));
    let hexed = hex::encode(&line);
    let url = format!(
        "redirect=postgres%3A%2F%2Fapp%3A{}%40db%2Fapp",
        concat!("Kx9vQ2", "mLp7RtZ")
    );
    let text = format!("a: {b64}\nb: {twice}\nc: {hexed}\nd: {url}\n");
    let found = detector().scan(&text);
    let layers: Vec<(u32, Vec<Encoding>)> = found
        .iter()
        .map(|m| (m.position.line, m.encodings.clone()))
        .collect();
    assert_eq!(
        layers,
        [
            (1, vec![Encoding::Base64]),
            (2, vec![Encoding::Base64, Encoding::Base64]),
            (3, vec![Encoding::Hex]),
            (4, vec![Encoding::Url]),
        ]
    );
    assert_eq!(found[0].secret.expose(), STRIPE);
    assert_eq!(
        (found[0].position.column, found[0].end_position.column),
        (4, 4 + b64.len() as u32)
    );
}

#[test]
fn custom_rules_disabled_rules_and_allow_patterns() {
    let config = DetectorConfig {
        disabled: vec!["aws-access-key-id".into()],
        custom: vec![CustomRule {
            id: "acme-key".into(),
            description: "ACME key".into(),
            pattern: r"\b(ACME_[A-Z0-9]{20})\b".into(),
            keywords: vec!["acme_".into()],
            min_entropy: Some(3.0),
        }],
        allow: vec![r"^sk_live_51HcVb".into()],
    };
    let d = Detector::with_config(&config).unwrap();
    assert_eq!(d.rule_count(), RULES.len());
    let text = format!("{AWS_ID} {STRIPE} ACME_7Q2MZ9XK4WBV8RTN3HLP");
    let found: Vec<String> = d.scan(&text).iter().map(|m| m.rule.to_string()).collect();
    assert_eq!(found, ["acme-key"]);
    // A custom rule without keywords runs on every text.
    let config = DetectorConfig {
        custom: vec![CustomRule {
            id: "internal".into(),
            description: "internal".into(),
            pattern: r"\b(int_[a-z0-9]{16})\b".into(),
            keywords: vec![],
            min_entropy: None,
        }],
        ..DetectorConfig::default()
    };
    let d = Detector::with_config(&config).unwrap();
    assert_eq!(d.scan("x = int_a8b7c6d5e4f3a2b1").len(), 1);
}

#[test]
fn configurations_that_cannot_work_are_errors() {
    let all = DetectorConfig {
        disabled: RULES.iter().map(|r| r.id.to_owned()).collect(),
        ..DetectorConfig::default()
    };
    assert_eq!(
        Detector::with_config(&all).unwrap_err(),
        harden_secrets::DetectorError::NoRuleActive
    );
    let unknown = DetectorConfig {
        disabled: vec!["no-such-rule".into()],
        ..DetectorConfig::default()
    };
    assert_eq!(
        Detector::with_config(&unknown).unwrap_err(),
        harden_secrets::DetectorError::UnknownDisabled("no-such-rule".into())
    );
    let taken = DetectorConfig {
        custom: vec![CustomRule {
            id: "github-pat".into(),
            description: String::new(),
            pattern: "x".into(),
            keywords: vec![],
            min_entropy: None,
        }],
        ..DetectorConfig::default()
    };
    let error = Detector::with_config(&taken).unwrap_err();
    assert_eq!(error.rule_key(), Some("id"));
    assert!(error.to_string().contains("already taken"));
}

#[test]
fn large_and_hostile_inputs_finish() {
    // One 1 MiB line of base64-looking text and a deep nest of encodings: bounded work.
    let line = "QUJD".repeat(1 << 18);
    assert!(detector().scan(&line).is_empty());
    let mut nested = format!("TOKEN={STRIPE}");
    for _ in 0..6 {
        use base64::Engine as _;
        nested = base64::engine::general_purpose::STANDARD.encode(&nested);
    }
    assert!(
        detector().scan(&nested).is_empty(),
        "deeper than two layers is not decoded"
    );
}

#[test]
fn names_are_judged_by_their_segments() {
    // Assembled from parts: harden scans its own sources, which must hold no credential.
    let value = concat!("Kx9vQ2mLp7", "RtZ4wYbN3c");
    for name in [
        "STORAGE_ACCOUNT_PASSWORD",
        "AWS_SECURITY_TOKEN",
        "HARNESS_API_KEY",
        "PROFILE_SECRET",
        "DIRECTLINE_SECRET",
        "SERVICE_ACCOUNT_TOKEN",
        "DB_PASS",
        "SMTP_PW",
        "redis_auth",
        "KEY_PASSPHRASE",
        "jwt.secret.value",
    ] {
        assert_eq!(ids(&format!("{name}={value}\n")).len(), 1, "{name}");
    }
    for name in [
        "token_url",
        "passwordHash",
        "SECRET_NAME",
        "src/token.rs",
        "author_id",
    ] {
        assert!(ids(&format!("{name} = \"{value}\"\n")).is_empty(), "{name}");
    }
    // Sample words count as whole words only.
    assert_eq!(ids(concat!("password = \"Latest2024", "Prod!x\"")).len(), 1);
    assert!(ids("password = \"test-pass-2024-x\"").is_empty());
}

#[test]
fn a_secret_inside_an_encoded_run_next_to_a_clear_one_is_found() {
    let text = format!(
        "GET /cb?t={STRIPE}&next=postgres%3A%2F%2Fapp%3A{}%40db.internal%2Fapp\n",
        concat!("hH2FDEEtfj", "gVvVqE1S")
    );
    let mut rules: Vec<String> = ids(&text);
    rules.sort();
    assert_eq!(rules, ["stripe-secret-key", "url-credentials"], "{rules:?}");
}

#[test]
fn long_github_refresh_tokens_are_found() {
    let token = format!(
        "ghr_{}",
        "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1".repeat(3)[..76].to_owned()
    );
    assert_eq!(
        ids(&format!("GITHUB_REFRESH_TOKEN={token}\n")),
        ["github-refresh-token"]
    );
}

#[test]
fn user_patterns_that_match_everything_are_refused() {
    let empty_allow = DetectorConfig {
        allow: vec![".*".into()],
        ..DetectorConfig::default()
    };
    assert!(
        Detector::with_config(&empty_allow)
            .unwrap_err()
            .to_string()
            .contains("empty string")
    );
    let rule = |pattern: &str, keywords: Vec<String>, entropy: Option<f64>| DetectorConfig {
        custom: vec![CustomRule {
            id: "x".into(),
            description: String::new(),
            pattern: pattern.into(),
            keywords,
            min_entropy: entropy,
        }],
        ..DetectorConfig::default()
    };
    assert!(
        Detector::with_config(&rule("a*", vec![], None))
            .unwrap_err()
            .to_string()
            .contains("empty string")
    );
    assert!(
        Detector::with_config(&rule("ab", vec![String::new()], None))
            .unwrap_err()
            .to_string()
            .contains("keyword")
    );
    assert!(
        Detector::with_config(&rule("ab", vec![], Some(9.0)))
            .unwrap_err()
            .to_string()
            .contains("entropy")
    );
    // A multi-line custom rule reaches past its keyword's line.
    let block = rule(
        r"(?is)BEGIN ACME KEY\s+([a-z0-9]{40})\s+END ACME KEY",
        vec!["begin acme".into()],
        None,
    );
    let d = Detector::with_config(&block).unwrap();
    let text = concat!(
        "BEGIN ACME KEY\n",
        "q8t1az3kb7lmn2pq5rs8tu1vw4xy7za0bc3de6fg",
        "\nEND ACME KEY\n"
    );
    assert_eq!(d.scan(text).len(), 1);
}

#[test]
fn base64_wrapped_over_lines_is_one_text() {
    use base64::Engine as _;
    let env =
        format!("DATABASE_HOST=db.internal.example.net\nDATABASE_PORT=5432\nSTRIPE_KEY={STRIPE}\n");
    let encoded = base64::engine::general_purpose::STANDARD.encode(&env);
    let wrapped: Vec<String> = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    assert!(wrapped.len() > 1, "the test needs a wrapped text");
    let text = format!("data:\n  env: |\n    {}\n", wrapped.join("\n    "));
    let found = detector().scan(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].secret.expose(), STRIPE);
    assert_eq!(found[0].position.line, 3);
}

/// Seen on real trees (issue 10): passkey authenticator ids named after password managers, and
/// Python class paths under `*_TOKEN_*_CLASS` names, are identifiers; a UUID under a key name
/// may be a credential and is still reported.
#[test]
fn identifiers_under_secret_looking_names_are_not_secrets() {
    let detector =
        harden_secrets::Detector::with_config(&harden_secrets::DetectorConfig::default()).unwrap();
    for quiet in [
        "  OnePassword = \"bada5566-a7aa-401f-bd96-45619a55120d\",\n",
        "  GooglePasswordManager = \"ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4\",\n",
        "TOKEN_GENERATOR_CLASS = \"django.contrib.auth.tokens.PasswordResetTokenGenerator\"\n",
        // openmrs-core: the name of another setting, and Jackson's `databind.ser` package
        // followed by a class name of 22 letters (Flagsmith keys start `ser.`).
        "public static final String GP_PASSWORD_RESET_VALIDTIME = \"security.validTime\";\n",
        "import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;\n",
    ] {
        assert!(detector.scan(quiet).is_empty(), "{quiet}");
    }
    for reported in [
        "API_KEY = \"3f1c9d2e-8b7a-4c6d-9e0f-1a2b3c4d5e6f\"\n",
        concat!("FLAGSMITH_KEY = \"ser.", "Hq7Vn2KdLp9Wc4Rt8Zx3Mb\"\n"),
        concat!("DB_PASSWORD = \"security.", "v4lidT1me\"\n"),
    ] {
        assert_eq!(detector.scan(reported).len(), 1, "{reported}");
    }
}

/// Seen in a `cargo vendor` tree: constants declared with a type path (windows-sys) and a C
/// call's arguments after a key-named one (sqlite3mc) are code. The same names holding values,
/// and a quoted name before a comma (a tuple, a call's arguments), are still read.
#[test]
fn type_paths_and_call_arguments_are_not_values() {
    for quiet in [
        "pub const TAPI_E_CALLCENTER_INVALPASSWORD: ::windows_sys::core::HRESULT = -2147221430i32;\n",
        "pub const STATUS_PASSWORD_EXPIRED: super::super::Foundation::NTSTATUS = -1073741711i32;\n",
        "  RijndaelInit(c->m_aes, MODE_CBC, c->m_key, RIJNDAEL_Direction_KeyLength_Key32Bytes, iv);\n",
    ] {
        assert!(ids(quiet).is_empty(), "{quiet}");
    }
    for reported in [
        concat!("log: DB_PASSWORD: Qm7vX2pL9", "kR4tw8Zc\n"),
        concat!(
            "set(\"signing_key\", \"Qm7vX2pL9kR4tw8Zc",
            "Xk9pL2mQ7vR4aB3dE5\")\n"
        ),
    ] {
        assert_eq!(ids(reported).len(), 1, "{reported}");
    }
}

/// PsExec's `-p` is the password of the account it runs as; a variable there is a reference.
#[test]
fn a_password_on_a_psexec_command_line_is_found() {
    let line = concat!(
        "PsExec64.exe \\\\build01 -u CORP\\deploy -",
        "p Qm7vX2pL9kR4tw -accepteula cmd\n"
    );
    assert_eq!(ids(line), ["cli-password-short-flag"], "{line}");
    for quiet in [
        "psexec \\\\build01 -u CORP\\deploy -p %DEPLOY_PASSWORD% cmd\n",
        "psexec \\\\build01 -u CORP\\deploy -p $env:DEPLOY_PASSWORD cmd\n",
    ] {
        assert!(ids(quiet).is_empty(), "{quiet}");
    }
}

/// Seen in an independent corpus: `.netrc`'s `default` entry, `sshpass -p` and a literal piped
/// into `--password-stdin` hold passwords; anonymous FTP's conventional login and a variable
/// piped in do not.
#[test]
fn netrc_default_entries_and_sshpass_passwords_are_found() {
    for (text, rule) in [
        (
            concat!("default login deploy password Qm7vX2pL9", "kR4tw\n"),
            "netrc-password",
        ),
        (
            concat!(
                "sshpass -",
                "p 'Qm7vX2pL9kR4tw' ssh deploy@10.0.0.5 uptime\n"
            ),
            "cli-password-short-flag",
        ),
        (
            concat!(
                "echo 'Qm7vX2pL9",
                "kR4tw' | docker login -u bot --password-stdin registry.internal\n"
            ),
            "cli-password-short-flag",
        ),
        (
            concat!(
                "echo -n 'Qm7vX2pL9",
                "kR4tw' | docker login -u bot --password-stdin registry.internal\n"
            ),
            "cli-password-short-flag",
        ),
    ] {
        assert_eq!(ids(text), [rule], "{text}");
    }
    for quiet in [
        "machine files.internal login anonymous password guest@\n",
        "echo \"$REGISTRY_PASSWORD\" | docker login -u bot --password-stdin registry.internal\n",
        // The remote command's own `-p` is not sshpass's.
        "sshpass -p \"$PW\" ssh deploy@10.0.0.5 \"mkdir -p releases/2024-01\"\n",
    ] {
        assert!(ids(quiet).is_empty(), "{quiet}");
    }
}

/// Credentials of a database on this machine are not reported; the same URL to another host is.
#[test]
fn url_credentials_to_loopback_hosts_are_development_defaults() {
    let detector =
        harden_secrets::Detector::with_config(&harden_secrets::DetectorConfig::default()).unwrap();
    for local in [
        "DB_URL := postgres://postgres:postgres@localhost/miniflux_test?sslmode=disable\n",
        "DIRECT_URL=\"postgresql://postgres:Xk9pL2mQ7vR4@127.0.0.1:5432/postgres\"\n",
    ] {
        assert!(detector.scan(local).is_empty(), "{local}");
    }
    // Assembled from parts: harden scans its own sources.
    let remote = concat!(
        "DIRECT_URL=\"postgresql://postgres:Xk9pL2mQ7",
        "vR4@db.internal:5432/postgres\"\n"
    );
    assert_eq!(detector.scan(remote).len(), 1, "{remote}");
}

/// Credentials made of sample words (in URLs, basic and bearer headers) are documentation; the
/// same slots holding random values are reported.
#[test]
fn placeholder_credentials_in_unstructured_slots_are_not_secrets() {
    use base64::Engine as _;
    let basic = |pair: &str| base64::engine::general_purpose::STANDARD.encode(pair);
    let quiet = [
        "notify: twilio://AccountSid:AuthToken@FromPhoneNo\n".to_owned(),
        "url = \"https://invalid:invalid@feeds.internal/rss\"\n".to_owned(),
        "proxy: http://username:password@proxy.internal:3128\n".to_owned(),
        format!(
            "{{\"with credentials\", \"Basic {}\"}}\n",
            basic("test:password")
        ),
        format!("Authorization: Basic {}\n", basic("admin:admin")),
        // RFC 7617's example, in reqwest's tests.
        format!("    \"Basic {}\"\n", basic("Aladdin:open sesame")),
        "Authorization: Bearer test_token_1234567890abcdef\n".to_owned(),
        // A JWT's header alone, `{"alg":"HS256","typ":"JWT"}`: it signs nothing.
        "    \"Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9\"\n".to_owned(),
    ];
    for text in &quiet {
        assert!(ids(text).is_empty(), "{text}");
    }
    let reported = [
        concat!(
            "url = \"https://feeds:Qm7vX2pL9",
            "kR4@feeds.internal/rss\"\n"
        )
        .to_owned(),
        format!(
            "Authorization: Basic {}\n",
            basic(concat!("deploy:Qm7vX2pL9", "kR4tw"))
        ),
        // One segment of JSON that is no JOSE header: an opaque token's own format.
        concat!(
            "Authorization: Bearer ",
            "eyJzaWQiOiJRbTd2WDJwTDlrUjR0d1p4OFliMyJ9\n"
        )
        .to_owned(),
    ];
    for text in &reported {
        assert_eq!(ids(text).len(), 1, "{text}");
    }
}

/// Vue and Angular attribute bindings hold expressions; a literal in the same attribute is text.
#[test]
fn template_bindings_are_expressions() {
    for quiet in [
        "<Share :inherited-auth=\"inheritedProperties?.auth\" />\n",
        "<app-login [authToken]=\"session.currentToken\"></app-login>\n",
        "<widget v-bind:api-key=\"settings.integrations.apiKey\" />\n",
    ] {
        assert!(ids(quiet).is_empty(), "{quiet}");
    }
    let literal = concat!("<widget api-key=\"Qm7vX2pL9", "kR4tw8ZcY3\" />\n");
    assert_eq!(ids(literal).len(), 1, "{literal}");
}

/// Provider formats matched by chance inside base64 of a binary file (an SVG's embedded PNG)
/// are not reported; a token in the same file outside the blob is.
#[test]
fn tokens_inside_binary_payloads_are_chance() {
    use base64::Engine as _;
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut state = 11u32;
    bytes.extend((0..3000).map(|_| {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (state >> 16) as u8
    }));
    let mut blob = base64::engine::general_purpose::STANDARD.encode(&bytes);
    // A token-shaped run after a `/` of the blob, as chance gives one in a large bundle (found in
    // an SVG and a bundle on real histories).
    let shaped: String = std::iter::once('/')
        .chain("EAAB".chars())
        .chain(blob[1000..1100].chars().filter(char::is_ascii_alphanumeric))
        .collect();
    blob.replace_range(400..400 + shaped.len(), &shaped);
    assert!(!ids(&format!("x = \"{}\"\n", &shaped[1..])).is_empty());
    let svg = format!("<svg><image href=\"data:image/png;base64,{blob}\"/></svg>\n");
    assert!(ids(&svg).is_empty());
    let with_key = format!("{svg}<!-- aws_access_key_id = {AWS_ID} -->\n");
    assert_eq!(ids(&with_key).len(), 1);
}

/// Values that are text about a secret, not one: camel-cased sample words, "replace me"
/// instructions, anti-forgery tokens, account names in signed URLs, a `date -u` format.
#[test]
fn text_about_secrets_is_not_a_secret() {
    for quiet in [
        "    const newSecret = \"updatedSecretKey123\";\n",
        "DATABASE_URL=postgresql://umami:replace-me-with-a-random-string@db:5432/umami\n",
        "<input type=\"hidden\" name=\"authenticity_token\" value=\"0PUsZq8RkT2vLm5Np9Wx3Yb7Hc4JQm7vX2pL9kR4tw8ZcY3a\" />\n",
        "https://storage.internal/o.png?X-Goog-Credential=backtest-server%40proj-278521.iam.gserviceaccount.com/20250101/auto/storage/goog4_request&x=1\n",
        "  run: claude --allowedTools \"Bash(date -u +%Y-%m-%dT00:00:00.000Z),Bash(uuidgen)\"\n",
    ] {
        assert!(ids(quiet).is_empty(), "{quiet}");
    }
    for reported in [
        concat!("    const newSecret = \"Qm7vX2pL9", "kR4tw8Zc\";\n"),
        concat!("curl -u deploy:Qm7", "vX2pL9kR4tw https://ci.internal/\n"),
    ] {
        assert_eq!(ids(reported).len(), 1, "{reported}");
    }
}

/// Classes judged false on real histories (miniflux, langfuse, outline, saleor, dagger).
#[test]
fn fillers_public_keys_and_code_are_not_secrets() {
    use base64::Engine as _;
    let docker_auth = base64::engine::general_purpose::STANDARD.encode("someone:password2");
    let quiet = [
        // A tail blanked out, an alphabet walk, a header-only JWT.
        "SLACK_SECRET=d2dc414f9953226bad0a356c794XXXXX\n".to_owned(),
        "const cleanGcsSecret = \"Ab3+/Cd4ef5GH6ij7KL8mn9OP0qr1ST2uv3WX4yz\";\n".to_owned(),
        "var validJwtToken = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9';\n".to_owned(),
        // Algolia DocSearch: search-only keys are public.
        "  algolia: {\n    appId: 'BH4D9OD16A',\n    apiKey: 'cd4551565ea091140ab8f6c968ea670f',\n    indexName: 'docs',\n  },\n".to_owned(),
        // Anti-forgery tokens and values named as not working.
        "<input type=\"hidden\" name=\"csrfmiddlewaretoken\" value=\"B8vX4dFwoOGcjdmRFS9zETaWJSJ2cy1ONwArWb5cDJT8\">\n".to_owned(),
        "INVALID_TOKEN = \"Y29kZTo1MF8yXzA2MDAwIHRva2VuOjEgdjoxLjE=\"\n".to_owned(),
        // Code, references and sample passwords in unstructured slots.
        "user.carts.open().exclude(token=user_carts_tokens[0]).update(\n".to_owned(),
        "export DATABASE_URL=postgres://$DB_USER:$DB_ENV_DB_PASS@db/$DB_NAME\n".to_owned(),
        "machine test.com login user2 password pass2\n".to_owned(),
        format!("{{\"auths\":{{\"ghcr.io\":{{\"auth\":\"{docker_auth}\"}}}}}}\n"),
        "pyxbgen -m x -u \"c:\\\\Windows\\My Documents\\x.xsd\"\n".to_owned(),
        // A browser library's key in its `<script>` tag reaches every visitor.
        "<script src=\"//cdn.example.net/notifier.min.js\" data-apikey=\"8165e2069605bc20ccd0792dbbfae7bf\"></script>\n".to_owned(),
        // Search-only keys named so, CAPTCHA site keys and map tiles' public tokens.
        "ALGOLIA_SEARCH_KEY=41d0180ef2545f2bf44f8b78d090064c\n".to_owned(),
        "recaptcha_site_key: 6LjeJxat_ZZz0xN1k-H2AFgYoBIby5rR2aBJgKgf\n".to_owned(),
        // A Firebase Storage download URL: its token lets anyone read that one file, which the
        // app ships to be read (Now in Android's topic images).
        "    \"imageUrl\": \"https://firebasestorage.googleapis.com/v0/b/demo.appspot.com/o/img%2Fic_topic_UI.svg?alt=media&token=0ee1842b-12e8-435f-87ba-a5bb02c47594\",\n".to_owned(),
        "  url = \"https://demo.firebasestorage.app/v0/b/demo/o/a.png?token=0ee1842b-12e8-435f-87ba-a5bb02c47594&alt=media\"\n".to_owned(),
        // Product analytics client keys ship in every page (papercups' PostHog default).
        "  REACT_APP_POSTHOG_TOKEN = 'cQo4wipp5ipWWXhTN8kTacBItgqo457yDRtzCMOr-Tw',\n".to_owned(),
        "MIXPANEL_PROJECT_TOKEN=8f2c61d0a4b94e7f9c3d5a1b2e6f7a8c\n".to_owned(),
        "SEGMENT_WRITE_KEY=Zk3q9LmN2pXv7RtY4wB8cJ6hD1sF5gA0\n".to_owned(),
        // A claim type's name and its label (Jellyfin), and C# that sets an SMB session's
        // `_password` field: no .npmrc.
        "    public const string IsApiKey = \"Jellyfin-IsApiKey\";\n".to_owned(),
        "                    _password = _session.Auth.GetAnsiHash(_session.transport.Server.EncryptionKey);\n".to_owned(),
        // Its object's name escaped: read again decoded, spaces and all.
        "      \"imageUrl\": \"https://firebasestorage.googleapis.com/v0/b/demo.appspot.com/o/img%2Fic_topic_Camera%20%26%20Media.svg?alt=media&token=1c4efeec-88fa-4777-b50b-fb79e5cdfef9\"\n".to_owned(),
    ];
    for text in &quiet {
        assert!(ids(text).is_empty(), "{text}: {:?}", ids(text));
    }
    let reported = [
        concat!("SLACK_SECRET=d2dc414f9953226bad0a356c794", "ab12f\n"),
        concat!(
            "  algolia: {\n    indexName: 'docs',\n    adminApiKey: 'cd455",
            "1565ea091140ab8f6c968ea670f',\n  },\n"
        ),
        concat!("  apiKey: 'cd455", "1565ea091140ab8f6c968ea670f',\n"),
        concat!(
            "machine ci.internal login deploy password Qm7vX2pL9",
            "kR4tw\n"
        ),
        // A password near the word "algolia" is no search key.
        concat!(
            "  ldap_bind_password = \"cQC8eZDx8g",
            "WvEqiNVEUD\"\n  algolia_app_id = \"BH4D9OD16A\"\n"
        ),
        // Outside a script tag the same attribute is a key like any other.
        concat!(
            "<div data-apikey=\"8165e2069605bc20ccd0",
            "792dbbfae7bf\"></div>\n"
        ),
        concat!("ALGOLIA_ADMIN_KEY=41d0180ef2545f2b", "f44f8b78d090064c\n"),
        // The same products' server-side secrets.
        concat!(
            "POSTHOG_PERSONAL_API_KEY=cQo4wipp5ipWWXhTN8k",
            "TacBItgqo457yDRtzCMOr\n"
        ),
        concat!("MIXPANEL_API_SECRET=8f2c61d0a4b94e7f", "9c3d5a1b2e6f7a8c\n"),
        // A key that starts with its name still has a random part.
        concat!(
            "    public const string ApiKey = \"apikey-7f8a9b2c",
            "4d5e6f7a8b9c\";\n"
        ),
        concat!(
            "//registry.example.com/:_password=c2VjcmV0UGFzc3dv",
            "cmQxMjM0\n"
        ),
        // The same token on another host's URL is a key like any other.
        concat!(
            "    \"imageUrl\": \"https://cdn.example.net/v0/b/demo/o/img.svg?alt=media&token=0ee1842b",
            "-12e8-435f-87ba-a5bb02c47594\",\n"
        ),
    ];
    for text in reported {
        assert_eq!(ids(text).len(), 1, "{text}");
    }
}

/// A token found inside an encoded value is reported once, by its provider's rule, not also by
/// a generic rule for the name the encoded value is assigned to.
#[test]
fn an_encoded_token_is_one_finding() {
    use base64::Engine as _;
    let token = concat!("glpat-", "Qm7vX2pL9kR4tw8ZcY3a");
    let encoded = base64::engine::general_purpose::STANDARD.encode(token);
    let text = format!("    encodedToken: \"{encoded}\",\n");
    let found = detector().scan(&text);
    assert_eq!(
        found.len(),
        1,
        "{:?}",
        found.iter().map(|m| &m.rule).collect::<Vec<_>>()
    );
    assert!(!found[0].encodings.is_empty());
    // memos: the encoded token in a URL's query, the value read on into its fragment.
    let url = format!("src=\"https://stars.example/embed?secret={encoded}#owner/repo&Date\"\n");
    let found = ids(&url);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_ne!(found[0], "generic-kv-in-line");
    assert_eq!(
        ids("machine test.com login user2 password pass2`,\n"),
        Vec::<String>::new()
    );
}

/// A provider token inside a basic header's credentials is one finding, the token's.
#[test]
fn a_token_inside_basic_credentials_is_one_finding() {
    use base64::Engine as _;
    let token = concat!("glpat-", "Qm7vX2pL9kR4tw8ZcY3a");
    let header = base64::engine::general_purpose::STANDARD.encode(format!("353353:{token}"));
    let found = ids(&format!("OTEL_HEADERS: \"Authorization=Basic {header}\"\n"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_ne!(found[0], "http-basic-auth");
}

/// uptime-kuma's package.json depends on `better-auth`: the name holds `auth`, the value is a
/// version range.
#[test]
fn a_version_under_a_secret_like_name_is_no_secret() {
    assert!(ids("    \"better-auth\": \"~1.4.0-beta.18\",\n").is_empty());
    assert!(ids("    \"passport-jwt-token\": \"^4.0.12\",\n").is_empty());
    assert!(ids("auth_token: \">=2.31.0\"\n").is_empty());
    // Nor is a validator's rule list (BookStack's controllers).
    assert!(ids("            'password' => 'required|min:8|confirmed',\n").is_empty());
    assert!(ids("    'password' => 'required_with:password_confirm|min:5|max:120',\n").is_empty());
    // A value that only opens like a version is judged as before.
    assert_eq!(ids("api_token = \"1.4.0-Xk9pL2mQ7vR4tZ8w/Qp3\"\n").len(), 1);
}

/// wallabag's Symfony `.env` ships `APP_SECRET=ch4n63m31fy0uc4n`: "change me if you can".
#[test]
fn a_placeholder_in_leet_is_a_sample() {
    assert!(ids("APP_SECRET=ch4n63m31fy0uc4n\n").is_empty());
}

#[test]
fn keyboard_fillers_are_samples() {
    assert!(ids("api_key = \"abc123def456ghi789\"\n").is_empty());
    assert!(ids("TOKEN=\"my_token_123456\"\n").is_empty());
}

/// `ghp_` + 30 random characters + the base62 CRC32 of them, as GitHub mints its tokens.
fn github_token(random: &str) -> String {
    const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut value = crc32fast::hash(random.as_bytes());
    let mut checksum = [b'0'; 6];
    for slot in checksum.iter_mut().rev() {
        *slot = B62[(value % 62) as usize];
        value /= 62;
    }
    // The prefix apart: harden scans its own sources.
    format!(
        "{}{random}{}",
        concat!("gh", "p_"),
        String::from_utf8_lossy(&checksum)
    )
}

#[test]
fn a_github_token_that_fails_its_checksum_is_still_reported_with_that_doubt() {
    let valid = github_token("q8RkT2vLm5Np9Wx3Yb7Hc4Jd6Fg1Zs");
    let scan = |token: &str| detector().scan(format!("GITHUB_TOKEN={token}\n"));
    let found = scan(&valid);
    assert_eq!(found.len(), 1);
    assert_eq!((&*found[0].rule, found[0].doubt), ("github-pat", None));
    // One character altered, or four cut off: exposure all the same, reported with its doubt,
    // and by no generic rule besides.
    let altered = format!(
        "{}{}",
        &valid[..valid.len() - 1],
        if valid.ends_with('A') { 'B' } else { 'A' }
    );
    for token in [altered.as_str(), &valid[..valid.len() - 4]] {
        let found = scan(token);
        assert_eq!(found.len(), 1, "{token}");
        assert_eq!(
            (&*found[0].rule, found[0].doubt),
            ("github-pat", Some(harden_secrets::CHECKSUM_DOUBT)),
            "{token}"
        );
    }
    // A made-up value of the same shape, with words and counting in it, is nothing.
    assert!(
        ids(&format!(
            "remote = https://ci-bot:{}NotARealTokenButLongEnough0123456789@git.example/x.git\n",
            concat!("gh", "p_")
        ))
        .iter()
        .all(|id| id == "url-credentials")
    );
    // A placeholder of the same shape is nothing.
    assert!(
        ids(&format!(
            "GITHUB_TOKEN={}{}\n",
            concat!("gh", "p_"),
            "x".repeat(36)
        ))
        .is_empty()
    );
}

/// Vikunja's code and changelog: a flag named in a message string, followed by the code after
/// the string, passes nothing; a commit id as a Markdown link's target is no provider's key.
#[test]
fn a_flag_in_a_message_and_a_commit_link_are_no_secrets() {
    let code = "return output.New(output.CodeAuth,\n\t\"OAuth flow timed out after %s - re-run init with --use-password or --token\", loopbackTimeout)\n";
    assert!(ids(code).is_empty(), "{:?}", ids(code));
    // The same flag in an argument list, its value quoted, is one.
    let argv = "cmd := exec.Command(\"vikunja\", \"--token\", \"Xq7vL2mRt9Kw4ZpN\")\n";
    assert_eq!(ids(argv), ["cli-secret-argument"]);
    let changelog =
        "* Add gitea issue template ([0612f4d](0612f4d0e03fbe85018f51056c4833557e78cd3f))\n";
    assert!(ids(changelog).is_empty(), "{:?}", ids(changelog));
}

/// A provider's token with no digit among 40 or more random characters was typed, not minted
/// (hedgedoc's token validator tests): still reported, with that doubt. One with digits has none.
#[test]
fn a_token_of_letters_only_is_reported_as_most_likely_made_up() {
    // The prefix apart: harden scans its own sources.
    let doubt = |id: &str, secret: &str| {
        let token = format!("{}{id}_{secret}", concat!("github", "_pat_"));
        let found = detector().scan(format!("const token = '{token}'\n"));
        assert_eq!(found.len(), 1, "{id}");
        found[0].doubt
    };
    assert_eq!(
        doubt(
            "mQxBhOixvuaSymoHqvXcrf",
            "KnvaFQDodxKaXCLKfQVQYgKTNISnrBITQkpJbpjcCSeNpBNVcKoYynZgfAO"
        ),
        Some(harden_secrets::LETTERS_ONLY_DOUBT)
    );
    assert_eq!(
        doubt(
            "11AQ7Z3YI0kVx9LmT2pWq4",
            "Rb8Nc5Hd1Gf6Jk3Ls7Pz0Xv2Mw9Qt4Yu8Ei1Oa5Sd3Fg7Hj2Kl6Zx0Cv9Bn4"
        ),
        None
    );
}

/// Real-code classes from redash and hoppscotch: base64 of a sample phrase is judged by what it
/// decodes to, and a `…_key` that names a document or a cache entry is an identifier.
#[test]
fn encoded_sample_phrases_and_identifier_keys_are_not_secrets() {
    use base64::Engine as _;
    let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let url_safe = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
    let quiet = [
        format!("      secret: \"{}\", // base64\n", encode("my-secret-key")),
        format!("API_TOKEN={}\n", url_safe("demo-token-for-the-docs")),
        format!("client_secret = \"{}\"\n", encode("<your client secret>")),
        "        test_spreadsheet_key = \"1S0mld7LMbUad8LYlo13Os9f7eNjw57MqVC0YiCd1Jis\"\n"
            .to_owned(),
        "  spreadsheetKey: '1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms',\n".to_owned(),
        "CACHE_KEY = \"u7Q2mX9pL4vR8tK3wZ6yB1nC5dF0gH2jK4lM6nP8qR\"\n".to_owned(),
        "routing_key = \"q7Xw2Lm9Pz4Rt8Kv3Nb6Yc1Hd5Gf0Js2Ua4Eo6Ii8\"\n".to_owned(),
        // documenso's documentation: a value to replace, a token that counts up.
        "  NEXT_PRIVATE_ENCRYPTION_KEY: 'REPLACE_WITH_32_CHAR_KEY'\n".to_owned(),
        "      \"token\": \"def456ghi789\",\n".to_owned(),
        // mealie, memos, getsentry/self-hosted: a type annotation, a percent-encoded sample
        // password, a value named as not working, a sample word and digits, a key body that
        // repeats a word.
        "    SFTP_PASSWORD: Optional[str]\n".to_owned(),
        "  \"postgresql://mealie:P%40ssword%21%40%23%24%25%25%5E%5E%26%26%2A%2A%28%29@postgres:5432/mealie\",\n".to_owned(),
        "\t\t{name: \"bad\", secret: \"whsec_not!base64\", wantErr: true},\n".to_owned(),
        "  - docker-compose run --rm web createuser --email test@sentry.io --password test123TEST\n".to_owned(),
        format!(
            "# github-app.private-key: |\n#   -----BEGIN RSA PRIVATE KEY-----\n{}#   -----END RSA PRIVATE KEY-----\n",
            "#   privatekeyprivatekeyprivatekeyprivatekey\n".repeat(6)
        ),
        // eShop and maybe: a fill-in in camel case, a sample of words and digits.
        "    \"CatalogDB\": \"Host=localhost;Database=CatalogDB;Username=postgres;Password=yourWeak(!)Password\"\n".to_owned(),
        "      password: \"SecurePass123!\",\n".to_owned(),
        // koel's old `.env.example`: fillers run together in camel case.
        "APP_KEY=SomeRandomString\n".to_owned(),
        "JWT_SECRET=SomeRandom32CharString\n".to_owned(),
        // Firefly III's compose file: the same filler in leet.
        "      - FF_APP_KEY=S0m3R@nd0mStr1ngOf32Ch@rsEx@ctly\n".to_owned(),
        // listmonk's Swagger UI bundle: code after a label.
        "x.a.createElement(\"label\",null,\"Password:\"),g?x.a.createElement(\"code\",null,\" ** \")\n"
            .to_owned(),
    ];
    for text in &quiet {
        assert!(ids(text).is_empty(), "{text}: {:?}", ids(text));
    }
    // A random password, encoded, is still a secret: printable, but no sample word in it.
    let encoded_password = encode(concat!("Qm7vX2pL9", "kR4tw8Zc!3"));
    let reported = [
        concat!("    SFTP_PASSWORD: \"Qm7vX2pL9", "kR4tw8Zc\"\n").to_owned(),
        concat!(
            "  \"postgresql://app:Qm7vX2pL9",
            "%40kR4tw8Zc@db:5432/app\",\n"
        )
        .to_owned(),
        concat!("  --password ", "Tq7vX2pL9kR4tw8Zc\n").to_owned(),
        format!("      secret: \"{encoded_password}\",\n"),
        // The word before `key` decides, not any word of the name.
        concat!(
            "SHEETS_API_KEY = \"u7Q2mX9pL4vR8tK3w",
            "Z6yB1nC5dF0gH2jK4lM6nP8qR\"\n"
        )
        .to_owned(),
        concat!(
            "cache_encryption_key = \"u7Q2mX9pL4vR8tK3w",
            "Z6yB1nC5dF0gH2jK4lM6nP8qR\"\n"
        )
        .to_owned(),
    ];
    for text in &reported {
        assert_eq!(ids(text).len(), 1, "{text}: {:?}", ids(text));
    }
}

/// bitwarden/server's seeder keys: a key given a name that says it is made up
/// (`TEST_FAKE_RSA_KEY_0`) is not reported; the same key under an ordinary name is.
#[test]
fn keys_named_as_made_up_are_not_secrets() {
    // A key body made at run time, so that no key sits in this file.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut body = String::new();
    for _ in 0..12 {
        for _ in 0..64 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            body.push(alphabet[(state % 64) as usize] as char);
        }
        body.push('\n');
    }
    let block = format!(
        "{}{}-----\n{body}{}{}-----",
        "-----BEGIN ", "PRIVATE KEY", "-----END ", "PRIVATE KEY"
    );
    for made_up in [
        format!("const TEST_FAKE_RSA_KEY_0: &str = \"{block}\";\n"),
        format!("dummy_signing_key: |\n  {}\n", block.replace('\n', "\n  ")),
    ] {
        assert!(ids(&made_up).is_empty(), "{made_up}: {:?}", ids(&made_up));
    }
    for real in [
        format!("const SIGNING_KEY: &str = \"{block}\";\n"),
        format!("signing_key: |\n  {}\n", block.replace('\n', "\n  ")),
    ] {
        assert_eq!(ids(&real), ["private-key"], "{real}");
    }
}
