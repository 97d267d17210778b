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

#[test]
fn report_schema() {
    check(
        "docs/schemas/report-v1.schema.json",
        &pretty(&harden_report::json::schema()),
    );
}
