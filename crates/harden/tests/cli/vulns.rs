//! R4.vulns end to end: `harden db import` of the RustSec slice under tests/data, then the gate
//! on harden's own Cargo.lock and on a lockfile of known-vulnerable versions, next to what
//! cargo-audit reports for the same lockfile and the same advisory snapshot.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{harden, stderr, stdout};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The snapshot is fixed in time: these tests are about matching, not freshness (the gate's
/// fixtures test that a stale database fails).
const CONFIG: &str = "version = 1\n\n[gates.\"R4.vulns\"]\nmax-age = \"36500d\"\n";

fn import(db: &Path) -> std::process::Output {
    import_from(db, &data().join("rustsec"))
}

fn import_from(db: &Path, source: &Path) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    harden(dir.path())
        .args(["db", "import", "--advisory-db"])
        .arg(db)
        .arg(source)
        .output()
        .unwrap()
}

/// Runs R4.vulns over a repository holding `lockfile` (under its own name) and `extra` config.
fn vulns(db: &Path, lockfile: &Path, extra: &str) -> serde_json::Value {
    let repo = tempfile::tempdir().unwrap();
    std::fs::copy(lockfile, repo.path().join(lockfile.file_name().unwrap())).unwrap();
    std::fs::write(repo.path().join("harden.toml"), format!("{CONFIG}{extra}")).unwrap();
    let output = harden(repo.path())
        .args([
            "check",
            ".",
            "--only",
            "R4.vulns",
            "--no-record",
            "--format",
            "json",
        ])
        .arg("--advisory-db")
        .arg(db)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(&output)));
    report["gates"][0].clone()
}

/// `id package version` of what the gate found, for the ids `keep` keeps.
fn pairs(gate: &serde_json::Value, keep: impl Fn(&str) -> bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for finding in gate["findings"].as_array().unwrap() {
        let v = &finding["vulnerability"];
        for id in v["ids"].as_array().unwrap() {
            let id = id.as_str().unwrap();
            if keep(id) {
                out.insert(format!(
                    "{id} {} {}",
                    v["package"].as_str().unwrap(),
                    v["version"].as_str().unwrap()
                ));
            }
        }
    }
    out
}

/// `kind id package version` lines of what the gate found, RustSec ids only.
fn found(gate: &serde_json::Value, kind: &str) -> BTreeSet<String> {
    pairs(gate, |id| id.starts_with("RUSTSEC-"))
        .into_iter()
        .map(|pair| format!("{kind} {pair}"))
        .collect()
}

#[test]
fn the_advisories_found_equal_cargo_audits() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("advisories.db");
    let output = import(&db);
    assert!(output.status.success(), "{}", stderr(&output));
    let expected: Vec<String> = std::fs::read_to_string(data().join("vulnerable/cargo-audit.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_owned)
        .collect();
    let vulnerabilities: BTreeSet<String> = expected
        .iter()
        .filter(|l| l.starts_with("vulnerability "))
        .cloned()
        .collect();
    assert!(vulnerabilities.len() > 50, "the comparison has substance");
    let lockfile = data().join("vulnerable/Cargo.lock");
    let gate = vulns(&db, &lockfile, "");
    assert_eq!(gate["outcome"], "fail");
    assert_eq!(found(&gate, "vulnerability"), vulnerabilities);
    // With informational advisories as findings too, the unsound and unmaintained ones that
    // cargo-audit warns about join them.
    let gate = vulns(&db, &lockfile, "informational = true\n");
    let everything: BTreeSet<String> = expected
        .iter()
        .map(|l| {
            let mut parts = l.splitn(2, ' ');
            let _kind = parts.next();
            format!("any {}", parts.next().unwrap())
        })
        .collect();
    assert_eq!(found(&gate, "any"), everything);
}

#[test]
fn harden_itself_locks_no_known_vulnerability() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("advisories.db");
    assert!(import(&db).status.success());
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock");
    let gate = vulns(&db, &own, "");
    assert_eq!(gate["outcome"], "pass", "{gate}");
    assert!(
        gate["evidence"]["counts"]["locked packages"]
            .as_u64()
            .unwrap()
            > 300
    );
}

#[test]
fn imports_are_idempotent_status_reports_and_bad_records_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("advisories.db");
    let first = import(&db);
    assert!(stdout(&first).contains("0 replaced"), "{}", stdout(&first));
    let again = stdout(&import(&db));
    assert!(again.contains(" 0 added, 0 replaced"), "{again}");
    let status = harden(dir.path())
        .args(["db", "status", "--advisory-db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(status.status.success());
    assert!(stdout(&status).contains("crates.io"), "{}", stdout(&status));
    // A record that is not JSON: exit 2, its file, line and column, and nothing written.
    let bad = dir.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        bad.join("GHSA-bad.json"),
        "{\n  \"id\": \"GHSA-x\",\n  oops\n}\n",
    )
    .unwrap();
    let before = std::fs::read(&db).unwrap();
    let output = harden(dir.path())
        .args(["db", "import", "--advisory-db"])
        .arg(&db)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("GHSA-bad.json:3:3"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn without_a_database_the_gate_fails_naming_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let gate = vulns(
        &dir.path().join("none.db"),
        &data().join("vulnerable/Cargo.lock"),
        "",
    );
    assert_eq!(gate["outcome"], "fail");
    assert!(
        gate["reason"]
            .as_str()
            .unwrap()
            .contains("harden db import"),
        "{gate}"
    );
}

/// A repository that commits its own `.harden/advisories.db` (one fresh record would pass the
/// gate) is not believed; the same file imported on this machine is used.
#[test]
fn a_database_the_repository_commits_is_not_trusted() {
    let repo = harden_test::TestRepo::new();
    repo.write("harden.toml", CONFIG);
    std::fs::copy(
        data().join("vulnerable/Cargo.lock"),
        repo.path().join("Cargo.lock"),
    )
    .unwrap();
    assert!(
        import_from(
            &repo.path().join(".harden/advisories.db"),
            &data().join("rustsec")
        )
        .status
        .success()
    );
    let run = || {
        let output = harden(repo.path())
            .args([
                "check",
                ".",
                "--only",
                "R4.vulns",
                "--no-record",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_str(&stdout(&output))
            .unwrap_or_else(|e| panic!("{e}: {}", stderr(&output)));
        report["gates"][0].clone()
    };
    let local = run();
    assert_eq!(local["outcome"], "fail", "{local}");
    assert!(!local["findings"].as_array().unwrap().is_empty(), "{local}");
    repo.git(&["add", "-f", ".harden/advisories.db"]);
    let committed = run();
    assert_eq!(committed["outcome"], "fail", "{committed}");
    assert!(
        committed["findings"].as_array().unwrap().is_empty(),
        "{committed}"
    );
    assert!(
        committed["reason"]
            .as_str()
            .unwrap()
            .contains("tracked by git"),
        "{committed}"
    );
}

/// `advisory = "<id>"` in a waiver covers that advisory's findings, by any of its ids.
#[test]
fn a_waiver_by_advisory_id_covers_its_findings() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("advisories.db");
    assert!(import(&db).status.success());
    let lockfile = data().join("vulnerable/Cargo.lock");
    let before = vulns(&db, &lockfile, "");
    let first = &before["findings"][0]["vulnerability"];
    // Waive it by its last id (an alias where it has one).
    let id = first["ids"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .as_str()
        .unwrap();
    let expires = jiff::Zoned::now()
        .date()
        .saturating_add(jiff::ToSpan::days(30));
    let waiver = format!(
        "\n[[waiver]]\ngate = \"R4.vulns\"\nadvisory = \"{id}\"\nreason = \"not reachable: the affected function is never called\"\nowner = \"platform@example.com\"\nreference = \"SEC-1\"\nexpires = {expires}\n"
    );
    let after = vulns(&db, &lockfile, &waiver);
    let waived: Vec<&serde_json::Value> = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["waived_by"].is_string())
        .collect();
    assert!(!waived.is_empty(), "{after}");
    assert!(waived.iter().all(|f| {
        f["vulnerability"]["ids"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i == id)
    }));
    assert_eq!(
        after["findings"].as_array().unwrap().len(),
        before["findings"].as_array().unwrap().len()
    );
}

/// Real PyPI records (PEP 440 ranges, explicit version lists, epochs and post-releases in the
/// wild): R4.vulns finds what pip's own version library, applying OSV's rules, finds.
#[test]
fn pypi_advisories_found_equal_an_independent_reading() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("advisories.db");
    let output = import_from(&db, &data().join("pypi/records"));
    assert!(output.status.success(), "{}", stderr(&output));
    let gate = vulns(&db, &data().join("pypi/poetry.lock"), "");
    let records: BTreeSet<String> = std::fs::read_dir(data().join("pypi/records"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".json")
                .to_owned()
        })
        .collect();
    let found = pairs(&gate, |id| records.contains(id));
    let expected: BTreeSet<String> = std::fs::read_to_string(data().join("pypi/reference.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_owned)
        .collect();
    assert!(expected.len() > 30);
    assert_eq!(found, expected);
}
