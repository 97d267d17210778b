//! Generated documentation and schemas are up to date with the code that defines them.
//! `HARDEN_BLESS=1 cargo test -p harden --test generated` rewrites them.
#![allow(clippy::disallowed_methods, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn check(relative: &str, expected: &str) {
    let path = root().join(relative);
    if std::env::var_os("HARDEN_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{relative} is stale: run `HARDEN_BLESS=1 cargo test -p harden --test generated` and commit the result"
    );
}

fn pretty(value: &serde_json::Value) -> String {
    format!("{}\n", serde_json::to_string_pretty(value).unwrap())
}

#[test]
fn gate_catalogue() {
    let catalogue = harden_gates::registry().catalogue();
    check(
        "docs/GATES.md",
        &harden_gates::catalogue_markdown(&catalogue),
    );
}

#[test]
fn config_schema() {
    let catalogue = harden_gates::registry().catalogue();
    check(
        "docs/schemas/harden-toml.schema.json",
        &pretty(&harden_config::json_schema(&catalogue)),
    );
}

/// The team server's API contract, generated from its handlers; `[contracts] openapi` in
/// harden.toml points at it, so harden's contract gates judge it like any service's.
#[test]
fn server_openapi() {
    let document = serde_json::to_value(harden_server::openapi()).unwrap();
    check("docs/api/openapi.json", &pretty(&document));
}

#[test]
fn report_schema() {
    check(
        "docs/schemas/report-v1.schema.json",
        &pretty(&harden_report::json::schema()),
    );
}

#[test]
fn ledger_proof_schemas() {
    check(
        "docs/schemas/ledger-inclusion-v1.schema.json",
        &pretty(&harden_ledger::proof::inclusion_schema()),
    );
    check(
        "docs/schemas/ledger-consistency-v1.schema.json",
        &pretty(&harden_ledger::proof::consistency_schema()),
    );
    check(
        "docs/schemas/attestation-run-v1.schema.json",
        &pretty(&harden_ledger::attest::predicate_schema()),
    );
}

fn harden(args: &[&str]) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_harden"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn shell_completions() {
    for (shell, file) in [
        ("bash", "docs/completions/harden.bash"),
        ("zsh", "docs/completions/_harden"),
        ("fish", "docs/completions/harden.fish"),
    ] {
        check(file, &harden(&["completions", shell]));
    }
}

#[test]
fn manual_pages() {
    let out = tempfile::tempdir().unwrap();
    harden(&["man", "--out", out.path().to_str().unwrap()]);
    let names = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let generated = names(out.path());
    assert!(
        generated.contains(&"harden-check.1".to_owned()),
        "{generated:?}"
    );
    for name in &generated {
        let page = std::fs::read_to_string(out.path().join(name)).unwrap();
        check(&format!("docs/man/{name}"), &page);
    }
    // A page whose command is gone is stale too.
    let committed = root().join("docs/man");
    for name in names(&committed) {
        if !generated.contains(&name) {
            if std::env::var_os("HARDEN_BLESS").is_some() {
                std::fs::remove_file(committed.join(&name)).unwrap();
            } else {
                panic!(
                    "docs/man/{name} documents a command that no longer exists: run `HARDEN_BLESS=1 cargo test -p harden --test generated`"
                );
            }
        }
    }
}

/// docs/ARCHITECTURE.md's crate table names each crate's workspace dependencies exactly as
/// Cargo.toml declares them (normal dependencies; `harden` depends on everything), and every
/// other crate it names is a real dependency.
#[test]
fn architecture_dependency_table_matches_cargo_metadata() {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut declared = std::collections::BTreeMap::<String, Vec<String>>::new();
    for package in metadata["packages"].as_array().unwrap() {
        let dependencies = package["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"].is_null())
            .map(|d| d["name"].as_str().unwrap().to_owned())
            .collect();
        declared.insert(package["name"].as_str().unwrap().to_owned(), dependencies);
    }
    let table = std::fs::read_to_string(root().join("docs/ARCHITECTURE.md")).unwrap();
    let mut rows = 0;
    let mut problems = Vec::new();
    for line in table.lines().filter(|l| l.starts_with("| `harden")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        let name = cells[0].trim_start_matches("| ").trim_matches('`');
        let listed: Vec<&str> = cells
            .last()
            .unwrap()
            .trim_end_matches(" |")
            .split(", ")
            .map(str::trim)
            .collect();
        let Some(actual) = declared.get(name) else {
            problems.push(format!("{name}: not a workspace crate"));
            continue;
        };
        rows += 1;
        let internal: std::collections::BTreeSet<String> = actual
            .iter()
            .filter_map(|d| d.strip_prefix("harden-").map(str::to_owned))
            .collect();
        if listed == ["everything"] || listed == ["—"] {
            continue;
        }
        let named: std::collections::BTreeSet<String> = listed
            .iter()
            .filter(|n| declared.contains_key(&format!("harden-{n}")))
            .map(|n| (*n).to_owned())
            .collect();
        if named != internal {
            problems.push(format!(
                "{name}: the table says {named:?}, Cargo.toml says {internal:?}"
            ));
        }
        for external in listed
            .iter()
            .filter(|n| !declared.contains_key(&format!("harden-{n}")))
        {
            if !actual.iter().any(|d| d == external) {
                problems.push(format!("{name}: `{external}` is not a dependency"));
            }
        }
    }
    assert!(rows >= 10, "no crate table found");
    assert!(
        problems.is_empty(),
        "docs/ARCHITECTURE.md is out of date:\n{}",
        problems.join("\n")
    );
}
