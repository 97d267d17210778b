//! An independent secrets corpus (issue 17's second round): written by a session that never read the
//! rules, kept gzipped (`tests/data/secrets/independent-corpus.json.gz`: a binary file, so
//! harden's scan of its own repository does not read the made-up secrets in it), unpacked into
//! a temporary directory and scanned as users scan, with `harden secrets scan`. Recall and
//! precision are counted by file and starting line, as when it was built.

use std::collections::BTreeSet;
use std::io::Read as _;

use serde_json::Value;

#[test]
fn the_independent_corpus_keeps_precision_and_recall_above_0_97() {
    let packed = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/secrets/independent-corpus.json.gz"),
    )
    .unwrap();
    let mut json = String::new();
    flate2::read::GzDecoder::new(&packed[..])
        .read_to_string(&mut json)
        .unwrap();
    let corpus: Value = serde_json::from_str(&json).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for file in corpus["files"].as_array().unwrap() {
        let path = dir.path().join(file[0].as_str().unwrap());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, file[1].as_str().unwrap()).unwrap();
    }
    let mut labeled = BTreeSet::new();
    let mut ambiguous = BTreeSet::new();
    for label in corpus["labels"].as_array().unwrap() {
        let at = (
            label["file"].as_str().unwrap().to_owned(),
            label["line"].as_u64().unwrap(),
        );
        if label["ambiguous"].as_bool() == Some(true) {
            ambiguous.insert(at);
        } else {
            labeled.insert(at);
        }
    }
    let output = crate::harden(dir.path())
        .args(["secrets", "scan", ".", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut reported = BTreeSet::new();
    for finding in report["gates"][0]["findings"].as_array().unwrap() {
        // The same secret elsewhere is listed under the finding, not as a finding of its own.
        let others = finding["related"].as_array().into_iter().flatten();
        for location in std::iter::once(&finding["location"]).chain(others) {
            if let (Some(path), Some(line)) = (
                location["path"].as_str(),
                location["span"]["start"]["line"].as_u64(),
            ) {
                reported.insert((path.to_owned(), line));
            }
        }
    }
    let found = labeled.intersection(&reported).count();
    let recall = found as f64 / labeled.len() as f64;
    let false_positives: Vec<_> = reported
        .iter()
        .filter(|at| !labeled.contains(*at) && !ambiguous.contains(*at))
        .collect();
    // Hits on ambiguous lines count neither way.
    let judged = reported
        .iter()
        .filter(|at| !ambiguous.contains(*at))
        .count();
    let precision = 1.0 - false_positives.len() as f64 / judged as f64;
    let misses: Vec<_> = labeled.difference(&reported).collect();
    assert!(labeled.len() >= 300, "the corpus is there");
    assert!(recall >= 0.97, "recall {recall:.3}, missed: {misses:?}");
    assert!(
        precision >= 0.97,
        "precision {precision:.3}, reported where nothing was planted: {false_positives:?}"
    );
}
