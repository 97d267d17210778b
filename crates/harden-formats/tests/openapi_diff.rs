//! The contract-pair corpus under `tests/data/openapi-diff/`: each case holds `base/` and
//! `head/` versions of a contract (`openapi.yaml`, and the files it references) and
//! `expected.txt`, one breaking change per line (`kind operation subject`) or `none`. The same
//! corpus is what `bench/contracts-compare.sh` gives to other diff tools.
#![allow(clippy::disallowed_methods, clippy::unwrap_used)] // Test code: real files; panics are failures.

use std::path::{Path, PathBuf};

use harden_formats::openapi_diff::{Contract, breaking_changes};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/openapi-diff")
}

fn load(dir: &Path) -> Contract {
    let text = std::fs::read_to_string(dir.join("openapi.yaml")).unwrap();
    let read = |path: &str| std::fs::read_to_string(dir.join(path)).ok();
    Contract::load("openapi.yaml", &text, &read).unwrap()
}

#[test]
fn every_case_of_the_corpus_reports_exactly_its_breaking_changes() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 25, "the corpus is there");
    let mut failures = Vec::new();
    for case in &cases {
        let (base, head) = (load(&case.join("base")), load(&case.join("head")));
        assert!(base.is_openapi() && head.is_openapi(), "{}", case.display());
        let (changes, more) = breaking_changes(&base, &head);
        assert_eq!(more, 0);
        let mut found: Vec<String> = changes
            .iter()
            .map(|c| {
                format!("{} {} {}", c.kind.as_str(), c.operation, c.subject)
                    .trim_end()
                    .to_owned()
            })
            .collect();
        found.sort();
        let expected_text = std::fs::read_to_string(case.join("expected.txt")).unwrap();
        let mut expected: Vec<String> = expected_text
            .lines()
            .filter(|l| !l.is_empty() && *l != "none")
            .map(str::to_owned)
            .collect();
        expected.sort();
        if found != expected {
            failures.push(format!(
                "{}:\n  expected {expected:#?}\n  found    {found:#?}",
                case.file_name().unwrap().to_string_lossy()
            ));
        }
        // Every change names where it was; a change to something still there, where it is.
        for change in &changes {
            assert!(change.base.span.start.line > 0, "{change:?}");
            if let Some(head) = &change.head {
                assert!(head.span.start.line > 0, "{change:?}");
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_contract_compared_with_itself_has_no_breaking_change() {
    let case = corpus().join("01-removed-operation/base");
    let contract = load(&case);
    assert!(!contract.operations().is_empty());
    assert_eq!(breaking_changes(&contract, &contract).0, Vec::new());
}

#[test]
fn changes_point_at_both_versions_in_the_file_that_holds_them() {
    let case = corpus().join("30-external-ref-breaking");
    let (base, head) = (load(&case.join("base")), load(&case.join("head")));
    let (changes, _) = breaking_changes(&base, &head);
    let [change] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    // The new property is written in the referenced file, at its own line.
    let head = change.head.as_ref().unwrap();
    assert_eq!(head.file, "schemas/new-item.yaml");
    assert_eq!(head.span.start.line, 5);
    assert_eq!(change.base.file, "schemas/new-item.yaml");
}

#[test]
fn recursive_schemas_and_reference_cycles_end() {
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /tree:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Node'}\ncomponents:\n  schemas:\n    Node:\n      type: object\n      properties:\n        children:\n          type: array\n          items: {$ref: '#/components/schemas/Node'}\n        loop: {$ref: '#/components/schemas/Loop'}\n    Loop: {$ref: '#/components/schemas/Loop'}\n";
    let none = |_: &str| None;
    let base = Contract::load("a.yaml", text, &none).unwrap();
    let head = Contract::load(
        "a.yaml",
        &text.replace(
            "        children:",
            "        name: {type: string}\n        children:",
        ),
        &none,
    )
    .unwrap();
    assert_eq!(breaking_changes(&base, &head).0, Vec::new());
    let head = Contract::load(
        "a.yaml",
        &text.replace("        loop: {$ref: '#/components/schemas/Loop'}\n", ""),
        &none,
    )
    .unwrap();
    let (changes, _) = breaking_changes(&base, &head);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].subject, "response 200 .loop");
}
