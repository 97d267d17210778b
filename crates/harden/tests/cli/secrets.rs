//! `harden secrets scan|baseline|rules` on plain directories, standard input, staged changes
//! and history; and the canary test: planted secrets never appear in full anywhere harden
//! writes (stdout, stderr, logs, every report format, the ledger and its export).

use harden_test::TestRepo;

use crate::{harden, ready_repo, stderr, stdout};

// Assembled from parts: harden scans its own sources, which must hold no credential.
pub(crate) const STRIPE: &str = concat!("sk_live_", "Zq8RkT2vLm5Np9Wx3Yb7Hc4J");
pub(crate) const SLACK: &str = concat!(
    "xoxb-",
    "248713954120-",
    "1890456213877-",
    "Tq3XbL9mKw2ZrV7cN5yP8dHf"
);
const DB_PASSWORD: &str = concat!("Vq7", "#mR2kX9pL4wZ");
/// Too short and plain for the detector; R3.secrets.envfiles reports it by its name.
const SHORT_PASSWORD: &str = concat!("Summer", "2024!");

#[test]
fn scans_a_plain_directory_without_config_or_git() {
    let dir = TestRepo::plain();
    dir.write("app/settings.py", format!("STRIPE_KEY = \"{STRIPE}\"\n"))
        .write("README.md", "nothing here\n");
    let out = harden(dir.path())
        .args(["secrets", "scan", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("app/settings.py:1:15"), "{text}");
    assert!(text.contains("sk_l…(32)#"), "{text}");
    assert!(!text.contains(STRIPE));
    assert!(
        !dir.path().join(".harden").exists(),
        "a scan records nothing"
    );

    let clean = TestRepo::plain();
    clean.write("README.md", "password = \"${DB_PASSWORD}\"\n");
    let out = harden(clean.path())
        .args(["secrets", "scan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn scans_standard_input_and_single_files() {
    let dir = TestRepo::plain();
    let out = harden(dir.path())
        .args(["secrets", "scan", "-", "--format", "json"])
        .write_stdin(format!(
            "curl -H 'Authorization: Bearer x' -d token={SLACK}\n"
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["gates"][0]["findings"][0]["location"]["path"],
        "<stdin>"
    );
    assert!(!stdout(&out).contains(SLACK));

    dir.write("one.env", format!("DB_PASSWORD={DB_PASSWORD}\n"));
    let out = harden(dir.path())
        .args(["secrets", "scan", "one.env"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let out = harden(dir.path())
        .args(["secrets", "scan", "missing.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn staged_scans_only_what_is_staged() {
    let repo = TestRepo::new();
    repo.write("README.md", "service\n");
    repo.commit("init", "2026-11-20T09:00:00Z");
    // Unstaged: not what the commit will contain.
    repo.write("local.env", format!("STRIPE_KEY={STRIPE}\n"));
    let out = harden(repo.path())
        .args(["secrets", "scan", "--staged"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    repo.git(&["add", "local.env"]);
    let out = harden(repo.path())
        .args(["secrets", "scan", "--staged"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("local.env:1:12"), "{}", stdout(&out));
    // Not a git repository: a usage error, not a silent pass.
    let plain = TestRepo::plain();
    let out = harden(plain.path())
        .args(["secrets", "scan", "--staged"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn history_findings_in_sarif_carry_commit_relative_path_and_lines() {
    let repo = TestRepo::new();
    repo.write("svc/config.yml", format!("slack:\n  token: {SLACK}\n"));
    let commit = repo.commit("add config", "2026-11-01T09:00:00Z");
    repo.remove("svc/config.yml");
    repo.commit("remove config", "2026-11-02T09:00:00Z");
    let out = harden(repo.path())
        .args(["secrets", "scan", ".", "--history", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let result = results
        .iter()
        .find(|r| r["ruleId"] == "R3.secrets.history")
        .expect("a history result");
    assert_eq!(result["properties"]["commit"], commit.as_str());
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "svc/config.yml");
    assert_eq!(location["region"]["startLine"], 2);
    assert_eq!(location["region"]["endLine"], 2);
    assert!(!stdout(&out).contains(SLACK));
}

#[test]
fn a_baseline_accepts_old_secrets_and_fails_on_new_ones() {
    let dir = TestRepo::plain();
    dir.write(
        "legacy/config.ini",
        format!("[db]\npassword = {DB_PASSWORD}\n"),
    );
    let out = harden(dir.path())
        .args(["secrets", "baseline"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let baseline =
        std::fs::read_to_string(dir.path().join(".harden-secrets-baseline.json")).unwrap();
    assert!(
        !baseline.contains(DB_PASSWORD),
        "the baseline holds fingerprints, not values"
    );
    let out = harden(dir.path())
        .args(["secrets", "scan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    dir.write(
        "new/app.js",
        format!("const stripe = require('stripe')('{STRIPE}');\n"),
    );
    let out = harden(dir.path())
        .args(["secrets", "scan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("new/app.js") && !text.contains("legacy/config.ini"),
        "{text}"
    );
}

#[test]
fn custom_rules_extend_and_a_config_without_rules_is_refused() {
    let dir = TestRepo::plain();
    dir.write(
        "harden.toml",
        "version = 1\n\n[[secrets.rule]]\nid = \"acme-key\"\nregex = '\\b(ACME_[A-Z0-9]{20})\\b'\nkeywords = [\"acme_\"]\n",
    )
    .write("a.txt", "key ACME_7Q2MZ9XK4WBV8RTN3HLP\n");
    let out = harden(dir.path())
        .args(["secrets", "scan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("custom rule acme-key"),
        "{}",
        stdout(&out)
    );

    let all: Vec<String> = harden_secrets::RULES
        .iter()
        .map(|r| format!("\"{}\"", r.id))
        .collect();
    dir.write(
        "harden.toml",
        format!("version = 1\n\n[secrets]\ndisable = [{}]\n", all.join(", ")),
    );
    let out = harden(dir.path())
        .args(["secrets", "scan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("harden.toml:3:1"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no secret rule is active"),
        "{}",
        stderr(&out)
    );

    dir.write(
        "harden.toml",
        "version = 1\n\n[[secrets.rule]]\nid = \"bad\"\nregex = '(unclosed'\n",
    );
    let out = harden(dir.path())
        .args(["secrets", "scan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("harden.toml:5:9"), "{}", stderr(&out));
}

#[test]
fn rules_are_listed() {
    let dir = TestRepo::plain();
    let out = harden(dir.path())
        .args(["secrets", "rules"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("github-pat") && text.contains("private-key"));
    assert!(text.lines().count() > 120);
}

/// Planted secrets never appear in full in anything harden writes.
#[test]
fn canaries_never_leave_in_full() {
    let repo = ready_repo();
    let encoded = base64_of(&format!(
        "DATABASE_URL=postgres://app:{DB_PASSWORD}@db:5432/app"
    ));
    repo.write(
        "config/prod.env",
        format!("STRIPE_KEY={STRIPE}\nSLACK_TOKEN={SLACK}\n"),
    )
    .write(".env", format!("DB_PASSWORD={SHORT_PASSWORD}\n"))
    .write("k8s/secret.yaml", format!("data:\n  app.env: {encoded}\n"))
    .write("logs/app.log", format!("ERROR auth failed token={SLACK}\n"));
    let config = format!(
        "{}\n[secrets]\nlogs = [\"logs/*.log\"]\n",
        std::fs::read_to_string(repo.path().join("harden.toml")).unwrap()
    );
    repo.write("harden.toml", config);
    repo.commit("leak", "2026-11-21T09:00:00Z");
    let ledger = repo.path().join(".harden/ledger.db");
    let mut written = Vec::new();
    for format in ["human", "json", "sarif", "junit", "markdown"] {
        let out = harden(repo.path())
            .args([
                "check",
                ".",
                "--format",
                format,
                "--log-format",
                "json",
                "-vv",
            ])
            .env("HARDEN_LOG", "debug")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        written.push((format!("check {format} stdout"), stdout(&out)));
        written.push((format!("check {format} stderr"), stderr(&out)));
        let report = repo.path().join(format!("report.{format}"));
        let out = harden(repo.path())
            .args([
                "secrets",
                "scan",
                ".",
                "--history",
                "--format",
                format,
                "--output",
            ])
            .arg(&report)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        written.push((
            format!("scan {format} file"),
            std::fs::read_to_string(&report).unwrap(),
        ));
        std::fs::remove_file(&report).unwrap();
    }
    let export = harden(repo.path())
        .args(["ledger", "export"])
        .output()
        .unwrap();
    written.push(("ledger export".into(), stdout(&export)));
    written.push((
        "ledger database".into(),
        String::from_utf8_lossy(&std::fs::read(&ledger).unwrap()).into_owned(),
    ));
    let baseline = harden(repo.path())
        .args(["secrets", "baseline", "--history"])
        .output()
        .unwrap();
    written.push(("baseline stderr".into(), stderr(&baseline)));
    written.push((
        "baseline file".into(),
        std::fs::read_to_string(repo.path().join(".harden-secrets-baseline.json")).unwrap(),
    ));
    for (place, text) in &written {
        for canary in [STRIPE, SLACK, DB_PASSWORD, SHORT_PASSWORD, encoded.as_str()] {
            assert!(
                !text.contains(canary),
                "{place} shows {}… in full",
                &canary[..6]
            );
        }
    }
    assert!(
        written.iter().any(|(_, t)| t.contains("sk_l…(32)#")),
        "the secrets were found"
    );
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn custom_rule_secrets_and_long_tails_never_show_in_snippets() {
    let dir = TestRepo::plain();
    let key1 = concat!("ACME-DMEN2KHVDGAJ8", "GXBENYJQWX4");
    let key2 = concat!("ACME-7Q2MZ9XK4WBV8", "RTN3HLP5QZ6");
    let encoded = base64_of(&format!("key: {key1}"));
    let long: String = concat!("LCfG8mQ2", "vR7xT4kW9zN3pB6j").repeat(13);
    dir.write(
        "harden.toml",
        "version = 1\n\n[[secrets.rule]]\nid = \"acme-key\"\nregex = '\\b(ACME-[A-Z0-9]{24})\\b'\nkeywords = [\"acme-\"]\n",
    )
    .write("pair.txt", format!("pair = \"{key1} {key2}\"\n"))
    .write("blob.yaml", format!("blob: {encoded}\n"))
    .write("curl.sh", format!("curl -d token={long} https://api.internal/\n"));
    let out = harden(dir.path())
        .args(["secrets", "scan", ".", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    for (what, value) in [
        ("key 1", key1),
        ("key 2", key2),
        ("encoded", &encoded),
        ("tail", &long[120..]),
    ] {
        assert!(!text.contains(value), "{what} shows in full: {text}");
    }
}

#[test]
fn staged_scans_honour_the_baseline_and_refuse_files() {
    let repo = TestRepo::new();
    repo.write("a.txt", format!("legacy STRIPE_KEY={STRIPE}\n"));
    repo.commit("legacy", "2026-11-20T09:00:00Z");
    let out = harden(repo.path())
        .args(["secrets", "baseline"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    repo.write("a.txt", format!("legacy STRIPE_KEY={STRIPE}\nmore text\n"));
    repo.git(&["add", "a.txt"]);
    let out = harden(repo.path())
        .args(["secrets", "scan", "--staged"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = harden(repo.path())
        .args(["secrets", "scan", "a.txt"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "single files honour it too: {}",
        stdout(&out)
    );
    for args in [
        &["secrets", "scan", "--staged", "a.txt"][..],
        &["secrets", "scan", "--history", "--since", "no-such-ref"][..],
        &["secrets", "baseline", "--history", "--since", "no-such-ref"][..],
    ] {
        let out = harden(repo.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn a_custom_rule_masks_its_secrets_in_every_gate_and_the_ledger() {
    let repo = TestRepo::new();
    let key = concat!("ACME-DMEN2KHVDGAJ8", "GXBENYJQWX4");
    repo.write(
        "harden.toml",
        "version = 1\n\n[[secrets.rule]]\nid = \"acme-key\"\nregex = '\\b(ACME-[A-Z0-9]{24})\\b'\nkeywords = [\"acme-\"]\n",
    )
    .write(".gitignore", ".harden/\n")
    // The pipeline gate quotes the line it judges: the key on it is only the custom rule's.
    .write(
        ".github/workflows/notify.yml",
        format!(
            "on: issues\npermissions: {{}}\njobs:\n  notify:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          curl -fsS -H \"X-Acme: {key}\" -d \"${{{{ github.event.issue.title }}}}\" https://hooks.example/\n"
        ),
    );
    repo.commit("image", "2026-11-20T09:00:00Z");
    let out = harden(repo.path())
        .args(["check", "--only", "R4.ci.injection", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("hooks.example"), "the line is quoted: {text}");
    assert!(!text.contains(key), "{text}");
    assert!(text.contains("ACME…(29)#"), "{text}");
    let export = harden(repo.path())
        .args(["ledger", "export"])
        .output()
        .unwrap();
    assert_eq!(export.status.code(), Some(0), "{}", stderr(&export));
    assert!(
        !stdout(&export).contains(key),
        "the ledger holds it in full"
    );
}
