//! `harden sbom`: CycloneDX and SPDX documents of a repository's lockfiles.

use super::{harden, stderr, stdout};

#[test]
fn sbom_lists_every_locked_package_in_either_format() {
    let repo = tempfile::tempdir().unwrap();
    let lock =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vulnerable/Cargo.lock");
    std::fs::copy(&lock, repo.path().join("Cargo.lock")).unwrap();
    let output = harden(repo.path()).args(["sbom", "."]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let document: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(document["specVersion"], "1.6");
    // 80 crates from the registry; the lockfile's own root package is the subject, not a part.
    assert_eq!(document["components"].as_array().unwrap().len(), 80);
    assert!(document["metadata"]["timestamp"].is_string());
    let file = repo.path().join("sbom.spdx.json");
    let output = harden(repo.path())
        .args(["sbom", ".", "--format", "spdx-json", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let spdx: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    assert_eq!(spdx["packages"].as_array().unwrap().len(), 81);
    // A lockfile that cannot be read is named, and the exit code says the SBOM is partial.
    std::fs::write(repo.path().join("Cargo.lock"), "[[package]\n").unwrap();
    let output = harden(repo.path()).args(["sbom", "."]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("Cargo.lock"),
        "{}",
        stderr(&output)
    );
}
