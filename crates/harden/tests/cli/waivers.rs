//! `harden waivers import`: gitleaks and zizmor suppressions become waivers of exactly the
//! findings they covered.

use crate::secrets::{SLACK, STRIPE};
use crate::{harden, ready_repo, stderr, stdout};

/// A second Stripe-format key, never suppressed anywhere.
const OTHER_STRIPE: &str = concat!("sk_live_", "Pd4WmX8rTq2Lz6Vn9Kb3Hy7F");

#[test]
fn suppressions_of_gitleaks_and_zizmor_become_waivers_of_their_findings() {
    let repo = ready_repo();
    repo.write(
        "app/settings.py",
        format!("STRIPE_KEY = \"{STRIPE}\"  # gitleaks:allow\nOTHER = \"{OTHER_STRIPE}\"\n"),
    )
    .write("deploy/slack.env.example", format!("# notifications\nSLACK_TOKEN={SLACK}\n"))
    .write(".gitleaksignore", "# accepted: a revoked demo token\ndeploy/slack.env.example:slack-bot-token:2\n")
    .write(
        ".github/workflows/ci.yml",
        "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4 # zizmor: ignore[unpinned-uses, artipacked]\n        with:\n          persist-credentials: false\n      - uses: actions/setup-node@v4\n",
    );
    repo.commit("suppressions kept for other tools", "2026-11-21T09:00:00Z");
    let expires = jiff::Zoned::now()
        .date()
        .saturating_add(jiff::ToSpan::days(90))
        .to_string();
    let import = |extra: &[&str]| {
        harden(repo.path())
            .args([
                "waivers",
                "import",
                "--owner",
                "platform@example.com",
                "--expires",
                &expires,
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let printed = import(&[]);
    assert_eq!(printed.status.code(), Some(0), "{}", stderr(&printed));
    let text = stdout(&printed);
    for expected in [
        "imported from gitleaks:allow at app/settings.py:1",
        "imported from .gitleaksignore at .gitleaksignore:2",
        "imported from zizmor: ignore[unpinned-uses] at .github/workflows/ci.yml:7",
        "gate = \"R4.pinning.actions\"",
        "owner = \"platform@example.com\"",
        &format!("expires = {expires}"),
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    // Never a secret, even from the files that hold them.
    for secret in [STRIPE, OTHER_STRIPE, SLACK] {
        assert!(!text.contains(secret) && !stderr(&printed).contains(secret));
    }
    // A zizmor audit harden has no gate for is said, not dropped.
    assert!(
        stderr(&printed).contains("`artipacked` has no harden gate"),
        "{}",
        stderr(&printed)
    );

    let appended = import(&["--append"]);
    assert_eq!(appended.status.code(), Some(0), "{}", stderr(&appended));
    let check = harden(repo.path())
        .args([
            "check",
            ".",
            "--only",
            "R3.secrets.tree",
            "--only",
            "R4.pinning.actions",
            "--no-record",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&stdout(&check)).unwrap();
    let open: Vec<String> = report["gates"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["findings"].as_array().unwrap().clone())
        .filter(|f| f["waived_by"].is_null())
        .map(|f| {
            let location = &f["location"];
            format!(
                "{}:{}",
                location["path"].as_str().unwrap(),
                location["span"]["start"]["line"]
            )
        })
        .collect();
    // Exactly what no suppression covered: the other key, the other unpinned action.
    assert_eq!(
        open,
        ["app/settings.py:2", ".github/workflows/ci.yml:10"],
        "{report}"
    );
}

#[test]
fn a_bad_expiry_or_baseline_is_a_usage_error() {
    let repo = ready_repo();
    let output = harden(repo.path())
        .args([
            "waivers",
            "import",
            "--owner",
            "a@example.com",
            "--expires",
            "soon",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--expires soon"),
        "{}",
        stderr(&output)
    );
    // Further ahead than [waivers] max-days allows: said now, not by every later run.
    let output = harden(repo.path())
        .args([
            "waivers",
            "import",
            "--owner",
            "a@example.com",
            "--expires",
            "2099-01-01",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("max-days"), "{}", stderr(&output));
    let expires = jiff::Zoned::now()
        .date()
        .saturating_add(jiff::ToSpan::days(30))
        .to_string();
    repo.write("gitleaks.json", "{\"not\": \"a report\"}");
    let output = harden(repo.path())
        .args([
            "waivers",
            "import",
            "--owner",
            "a@example.com",
            "--expires",
            &expires,
            "--gitleaks-baseline",
        ])
        .arg(repo.path().join("gitleaks.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("array of findings"),
        "{}",
        stderr(&output)
    );
}

/// A gitleaks report kept as a baseline: its places are read, its `Secret` never.
#[test]
fn a_gitleaks_baseline_waives_the_findings_it_lists() {
    let repo = ready_repo();
    repo.write("app/keys.py", format!("\nKEY = \"{STRIPE}\"\n"));
    repo.commit("a key", "2026-11-21T09:00:00Z");
    let baseline = tempfile::tempdir().unwrap();
    let report = baseline.path().join("gitleaks.json");
    std::fs::write(
        &report,
        serde_json::json!([{
            "RuleID": "stripe-access-token", "File": "app/keys.py", "StartLine": 2,
            "Commit": "", "Secret": STRIPE, "Match": format!("KEY = \"{STRIPE}\""),
        }])
        .to_string(),
    )
    .unwrap();
    let expires = jiff::Zoned::now()
        .date()
        .saturating_add(jiff::ToSpan::days(30))
        .to_string();
    let output = harden(repo.path())
        .args([
            "waivers",
            "import",
            "--owner",
            "a@example.com",
            "--expires",
            &expires,
        ])
        .arg("--gitleaks-baseline")
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("gate = \"R3.secrets.tree\""), "{text}");
    assert!(text.contains("imported from gitleaks baseline"), "{text}");
    assert!(!text.contains(STRIPE) && !stderr(&output).contains(STRIPE));
}
