//! harden.toml: a full config loads; every kind of mistake gives a diagnostic with line, column
//! and the expected form, and all of a file's mistakes are reported at once.
#![allow(clippy::unwrap_used)]

use harden_config::{OptionValue, load};
use harden_model::{
    GateId, GateMeta, OptionKind, OptionSpec, ProfileLevel, Round, Severity, Target,
};

static RUNBOOKS: GateMeta = GateMeta {
    id: GateId::from_static("R7.runbooks"),
    round: Round::R7,
    title: "Runbooks",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "test",
    evidence: &[],
    options: &[
        OptionSpec {
            key: "min-lines",
            kind: OptionKind::Integer,
            help: "test",
        },
        OptionSpec {
            key: "level",
            kind: OptionKind::Choice(&["low", "high"]),
            help: "test",
        },
    ],
    items: None,
};

static IGNORE_ERRORS: GateMeta = GateMeta {
    id: GateId::from_static("R4.ci.ignore-errors"),
    round: Round::R4,
    title: "No ignore-errors posture",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Prototype,
    rationale: "test",
    evidence: &[],
    options: &[],
    items: Some(harden_model::Items {
        name: "CI workflows",
        globs: &[".github/workflows/*.yml"],
    }),
};

/// A checklist gate: the kind a `[[drill]]` proves (it takes `review`).
static RESTORE: GateMeta = GateMeta {
    id: GateId::from_static("R7.dr.drilled"),
    round: Round::R7,
    title: "Backup/restore verified",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "test",
    evidence: &[],
    options: &[OptionSpec {
        key: "review",
        kind: OptionKind::Duration,
        help: "test",
    }],
    items: None,
};

fn catalogue() -> Vec<&'static GateMeta> {
    vec![&IGNORE_ERRORS, &RUNBOOKS, &RESTORE]
}

const FULL: &str = r#"
version = 1

[service]
name = "billing-api"
owners = ["platform@example.com"]
scope = "HTTP API for invoices and payments; excludes the admin UI"
profile = "release"

[profiles.release]
extends = "prototype"
include = ["R7.*"]
exclude = ["R4.ci.ignore-errors"]

[contracts]
openapi = ["api/openapi.yaml"]

[runbooks]
disaster-recovery = "docs/runbooks/disaster-recovery.md"
max-age = "90d"

[gates."R4.ci.ignore-errors"]
enabled = false                 # not applicable: no CI workflow
severity = "medium"

[gates."R7.runbooks"]
min-lines = 5

[[waiver]]
gate = "R7.runbooks"
path = "docs/runbooks/*.md"
reason = "runbooks move to the wiki"
owner = "dana@example.com"
reference = "INC-231"
expires = 2026-12-31

[[waiver]]
gate = "R7.runbooks"
fingerprint = "0123456789abcdef0123456789abcdef"
reason = "accepted for the pilot"
owner = "dana@example.com"
reference = "INC-231"
expires = "2027-01-15"

[deploy.flags]
AUTH_MODE = ["enforced"]

[deploy.secrets]
required = ["DATABASE_URL"]

[[preflight]]
name = "tests"
run = "cargo test --workspace --locked"
timeout = "20m"

[target]
base-url = "https://staging.billing.example.com"

path-values = { id = "42", org = 7 }
public = ["GET /health"]

[[target.identity]]
name = "alice"
bearer-env = "ALICE_TOKEN"

[[target.identity]]
name = "bob"
[target.identity.login]
path = "/api/login"
body = '{"user": "bob", "password": "${BOB_PASSWORD}"}'
token = "/access_token"

[ledger]
url = "var/harden/ledger.db"

[smoke]
timezone = "Europe/Berlin"
strict-gates = ["R7.*", "R4.*"]

[exit-criteria]
consecutive-days = 5
"#;

#[test]
fn a_full_config_loads() {
    let config = load("harden.toml", FULL, &catalogue()).unwrap();
    assert_eq!(config.service.name.as_deref(), Some("billing-api"));
    assert_eq!(config.profile, "release");
    let profile = config.resolve_profile(None).unwrap();
    assert!(profile.selects(&RUNBOOKS), "include adds a production gate");
    assert!(
        !profile.selects(&IGNORE_ERRORS),
        "exclude removes a prototype gate"
    );
    let ignore = config.gate(&IGNORE_ERRORS.id);
    assert_eq!(ignore.enabled, Some(false));
    assert_eq!(
        ignore.disabled_note.as_deref(),
        Some("not applicable: no CI workflow")
    );
    assert_eq!(ignore.enabled_line, Some(23));
    assert_eq!(ignore.severity, Some(Severity::Medium));
    assert_eq!(
        config.gate(&RUNBOOKS.id).options["min-lines"],
        OptionValue::Integer(5)
    );
    assert_eq!(config.waivers.len(), 2);
    assert_eq!(
        config.waivers[0].id, "INC-231#1",
        "a shared reference is numbered"
    );
    assert_eq!(config.waivers[0].origin.line, 29);
    assert_eq!(config.waivers[1].expires.to_string(), "2027-01-15");
    assert_eq!(config.runbooks.max_age.unwrap().as_secs(), 90 * 86_400);
    assert_eq!(config.preflight[0].timeout.as_secs(), 1200);
    assert_eq!(config.deploy.flags["AUTH_MODE"], ["enforced"]);
    let target = config.target.as_ref().unwrap();
    assert_eq!(
        target.identities[0].credential,
        harden_config::Credential::Bearer {
            env: "ALICE_TOKEN".into()
        }
    );
    let harden_config::Credential::Login(login) = &target.identities[1].credential else {
        panic!("bob logs in: {:?}", target.identities[1]);
    };
    assert_eq!(login.variables(), ["BOB_PASSWORD"]);
    assert_eq!(
        (login.method.as_str(), login.header.as_str()),
        ("POST", "Authorization")
    );
    assert_eq!(
        target.path_values,
        [
            ("id".to_owned(), "42".to_owned()),
            ("org".to_owned(), "7".to_owned())
        ]
    );
    assert_eq!(config.exit_criteria.consecutive_days, 5);
    assert_eq!(config.source.unwrap().digest.len(), 64);
}

fn diagnostics(text: &str) -> String {
    match load("harden.toml", text, &catalogue()) {
        Ok(_) => panic!("expected diagnostics for:\n{text}"),
        Err(diagnostics) => diagnostics.to_string(),
    }
}

const WAIVER_TAIL: &str = "reason = \"r\"\nowner = \"o\"\nreference = \"REF-1\"\n";

macro_rules! malformed {
    ($($name:ident: $text:expr;)*) => {
        $(
            #[test]
            fn $name() {
                let text: String = $text;
                insta::assert_snapshot!(diagnostics(&text));
            }
        )*
    };
}

malformed! {
    unknown_top_level_key: "version = 1\n[servise]\nname = \"x\"\n".into();
    unknown_key_in_section: "version = 1\n[service]\nname = \"x\"\nowner = \"me\"\n".into();
    wrong_type_owners: "version = 1\n[service]\nname = \"x\"\nowners = \"me@example.com\"\n".into();
    wrong_type_version: "version = \"1\"\n".into();
    unsupported_version: "version = 2\n".into();
    missing_version: "[service]\nname = \"x\"\n".into();
    impossible_date_string: format!("version = 1\n[[waiver]]\ngate = \"R7.runbooks\"\n{WAIVER_TAIL}expires = \"2026-02-30\"\n");
    invalid_toml_date: format!("version = 1\n[[waiver]]\ngate = \"R7.runbooks\"\n{WAIVER_TAIL}expires = 2026-13-01\n");
    date_with_time: format!("version = 1\n[[waiver]]\ngate = \"R7.runbooks\"\n{WAIVER_TAIL}expires = 2026-12-01T10:00:00Z\n");
    waiver_missing_fields: "version = 1\n[[waiver]]\ngate = \"R7.runbooks\"\nexpires = 2026-12-31\n".into();
    duplicate_waiver: format!("version = 1\n[[waiver]]\ngate = \"R7.runbooks\"\n{WAIVER_TAIL}expires = 2026-12-31\n\n[[waiver]]\ngate = \"R7.runbooks\"\n{WAIVER_TAIL}expires = 2027-01-31\n");
    waiver_unknown_gate: format!("version = 1\n[[waiver]]\ngate = \"R7.runbook\"\n{WAIVER_TAIL}expires = 2026-12-31\n");
    waiver_bad_fingerprint: format!("version = 1\n[[waiver]]\ngate = \"R7.runbooks\"\nfingerprint = \"abc\"\n{WAIVER_TAIL}expires = 2026-12-31\n");
    waiver_bad_glob: format!("version = 1\n[[waiver]]\ngate = \"R7.runbooks\"\npath = \"docs/[unclosed\"\n{WAIVER_TAIL}expires = 2026-12-31\n");
    unknown_gate_table: "version = 1\n[gates.\"R9.nothing.here\"]\nenabled = false\n".into();
    gate_option_wrong_type: "version = 1\n[gates.\"R7.runbooks\"]\nmin-lines = \"three\"\n".into();
    gate_unknown_option: "version = 1\n[gates.\"R7.runbooks\"]\nmax-lines = 3\n".into();
    gate_option_not_a_choice: "version = 1\n[gates.\"R7.runbooks\"]\nlevel = \"severe\"\n".into();
    bad_severity: "version = 1\n[gates.\"R7.runbooks\"]\nseverity = \"urgent\"\n".into();
    unknown_profile: "version = 1\n[service]\nname = \"x\"\nprofile = \"staging\"\n".into();
    redefined_builtin_profile: "version = 1\n[profiles.production]\nextends = \"prototype\"\n".into();
    bad_duration: "version = 1\n[runbooks]\nmax-age = \"six months\"\n".into();
    unterminated_string: "version = 1\n[service]\nname = \"x\nowners = []\n".into();
    duplicate_preflight: "version = 1\n[[preflight]]\nname = \"tests\"\nrun = \"make test\"\n[[preflight]]\nname = \"tests\"\nrun = \"make check\"\n".into();
    drill_missing_proves_and_duplicate: "version = 1\n[[drill]]\nname = \"restore\"\nrun = \"./restore.sh\"\n[[drill]]\nname = \"restore\"\nproves = \"Backup/restore verified\"\nrun = \"./restore.sh\"\ntimeout = \"forever\"\ncwd = \"../elsewhere\"\n".into();
    drill_proves_no_checklist_item: "version = 1\n[[drill]]\nname = \"restore\"\nproves = \"Runbooks\"\nrun = \"./restore.sh\"\n[[drill]]\nname = \"by-id\"\nproves = \"r7.dr.drilled\"\nrun = \"./restore.sh\"\n".into();
    bad_base_url: "version = 1\n[target]\nbase-url = \"staging.example.com\"\n".into();
    negative_integer: "version = 1\n[exit-criteria]\nconsecutive-days = -3\n".into();
    strict_gate_pattern_matches_nothing: "version = 1\n[smoke]\nstrict-gates = [\"R5.*\"]\n".into();
    base_url_with_credentials: concat!("version = 1\n[target]\nbase-url = \"https://admin:", "hunter2-secret@staging.example.com\"\n").into();
    zero_duration: "version = 1\n[runbooks]\nmax-age = \"0d\"\n".into();
    runbook_path_outside_repo: "version = 1\n[runbooks]\non-call = \"../ops/on-call.md\"\ndisaster-recovery = \"/etc/dr.md\"\n".into();
    unknown_timezone: "version = 1\n[smoke]\ntimezone = \"Mars/Olympus\"\n".into();
    profile_exclude_matches_nothing: "version = 1\n[profiles.lean]\nextends = \"production\"\nexclude = [\"R7.runbook\"]\n".into();
    ledger_url_outside_the_repository: "version = 1\n[ledger]\nurl = \"../../other-app/data.db\"\n".into();
    ledger_url_absolute: "version = 1\n[ledger]\nurl = \"/var/lib/app/app.db\"\n".into();
    ledger_url_server_keeps_password_hidden: concat!("version = 1\n[ledger]\nurl = \"postgres://harden:", "s3cret-pw@db.example.com/ledger\"\n").into();
    ledger_url_typo_keeps_password_hidden: concat!("version = 1\n[ledger]\nuri = \"postgres://harden:", "s3cret-pw@db/ledger\"\n").into();
    repository_exclude_bad_glob: "version = 1\n[repository]\nexclude = [\"tests/**\", \"fixtures/[\"]\n".into();
    several_errors_at_once: "version = 2\n[service]\nname = 7\nteam = \"x\"\n[runbooks]\nmax-age = \"forever\"\n".into();
}

#[test]
fn schema_lists_every_validated_key() {
    let schema = harden_config::json_schema(&catalogue());
    let properties = schema["properties"].as_object().unwrap();
    for key in harden_config::keys::ROOT {
        assert!(
            properties.contains_key(key.name),
            "{} missing from the schema",
            key.name
        );
    }
    assert!(
        schema["properties"]["gates"]["properties"]["R7.runbooks"]["properties"]["min-lines"]
            .is_object()
    );
    // The schema itself is a valid JSON Schema and accepts the full example.
    let validator = jsonschema::validator_for(&schema).unwrap();
    let example: serde_json::Value = serde_json::json!({
        "version": 1,
        "service": {"name": "x", "owners": ["a@example.com"]},
        "gates": {"R7.runbooks": {"enabled": false, "min-lines": 4}},
    });
    assert!(validator.is_valid(&example));
    let bad = serde_json::json!({"version": 1, "servise": {}});
    assert!(!validator.is_valid(&bad));
}

#[test]
fn diagnostics_show_a_window_of_a_long_line_not_all_of_it() {
    let long = format!(
        "version = 1\n[service]\nname = \"{}\", owner = 1\n",
        "x".repeat(200_000)
    );
    let shown = diagnostics(&long);
    assert!(shown.len() < 1_000, "{} bytes shown", shown.len());
    assert!(shown.contains("…"), "{shown}");
    // The caret still points into the shown window.
    let lines: Vec<&str> = shown.lines().collect();
    let source = lines.iter().position(|l| l.starts_with("3 |")).unwrap();
    assert!(lines[source + 1].contains('^'), "{shown}");
}

#[test]
fn identities_take_exactly_one_credential_from_the_environment() {
    let base =
        "version = 1\n[service]\nname = \"x\"\n[target]\nbase-url = \"http://127.0.0.1:1\"\n";
    let two = format!(
        "{base}[[target.identity]]\nname = \"a\"\nbearer-env = \"A\"\nheader-env = \"B\"\n"
    );
    let shown = diagnostics(&two);
    assert!(
        shown.contains("identity `a` needs exactly one credential, found 2"),
        "{shown}"
    );
    let literal = format!(
        "{base}[[target.identity]]\nname = \"a\"\n[target.identity.login]\npath = \"/login\"\nbody = '{{\"password\": \"hunter2\"}}'\n"
    );
    let shown = diagnostics(&literal);
    assert!(
        shown.contains("the password would be in harden.toml"),
        "{shown}"
    );
    assert!(
        shown.contains("harden.toml:10:8"),
        "points at the body line: {shown}"
    );
    let twice = format!(
        "{base}[[target.identity]]\nname = \"a\"\nbearer-env = \"A\"\n[[target.identity]]\nname = \"a\"\nbearer-env = \"B\"\n"
    );
    assert!(diagnostics(&twice).contains("duplicate identity `a`"));
    let half = format!("{base}[[target.identity]]\nname = \"a\"\nuser = \"alice\"\n");
    assert!(diagnostics(&half).contains("`user` and `password-env` go together"));
}
