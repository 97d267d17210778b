//! harden's SBOMs against the published schemas: CycloneDX 1.6 (with the SPDX licence list and
//! JSF schemas it references), and the fields SPDX 2.3 requires.
#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

use harden_formats::lockfiles::locked_packages;
use harden_sbom::{Subject, cyclonedx, cyclonedx_bytes, spdx};

const CARGO_LOCK: &str = "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"serde\"]\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"ddc6f9cc94d67c0e21aaf7eda3a010fd3af78ebf6e096aa6e2e13c79749cce4f\"\n";
const PACKAGE_LOCK: &str = "{\n  \"name\": \"web\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\"dependencies\": {\"@scope/pkg\": \"^1.0.0\"}},\n    \"node_modules/@scope/pkg\": {\"version\": \"1.2.0\", \"integrity\": \"sha512-BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBw==\"},\n    \"node_modules/left-pad\": {\"version\": \"1.3.0\"}\n  }\n}\n";
const GO_MOD: &str =
    "module example.test/svc\n\ngo 1.22\n\nrequire golang.org/x/net v0.1.0 // indirect\n";

fn inventory() -> Vec<harden_formats::lockfiles::Dependency> {
    let mut all = Vec::new();
    for (path, text) in [
        ("Cargo.lock", CARGO_LOCK),
        ("web/package-lock.json", PACKAGE_LOCK),
        ("svc/go.mod", GO_MOD),
        // The same package locked twice is one component with two occurrences.
        ("tools/Cargo.lock", CARGO_LOCK),
    ] {
        all.extend(locked_packages(path, text).unwrap().unwrap());
    }
    all
}

/// The two schemas the CycloneDX schema references, from the files beside it (never fetched).
struct LocalSchemas;

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
        let text = match uri.as_str() {
            "http://cyclonedx.org/schema/spdx.schema.json" => {
                include_str!("schemas/cyclonedx-spdx.schema.json")
            }
            "http://cyclonedx.org/schema/jsf-0.82.schema.json" => {
                include_str!("schemas/cyclonedx-jsf-0.82.schema.json")
            }
            other => return Err(format!("no local copy of {other}").into()),
        };
        Ok(serde_json::from_str(text)?)
    }
}

fn subject() -> Subject<'static> {
    Subject {
        name: "demo",
        version: Some("0123abcd"),
        tool_version: "0.1.0",
        timestamp: Some("2026-12-05T12:00:00Z"),
    }
}

#[test]
fn cyclonedx_validates_against_the_1_6_schema() {
    let document = cyclonedx(&subject(), &inventory());
    let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
    let schema = parse(include_str!("schemas/cyclonedx-bom-1.6.schema.json"));
    let validator = jsonschema::options()
        .with_retriever(LocalSchemas)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let components = document["components"].as_array().unwrap();
    // app is the project itself; serde twice is one component.
    let purls: Vec<&str> = components
        .iter()
        .map(|c| c["purl"].as_str().unwrap())
        .collect();
    assert_eq!(
        purls,
        [
            "pkg:cargo/serde@1.0.200",
            "pkg:golang/golang.org/x/net@v0.1.0",
            "pkg:npm/%40scope/pkg@1.2.0",
            "pkg:npm/left-pad@1.3.0"
        ]
    );
    let serde = &components[0];
    assert_eq!(
        serde["evidence"]["occurrences"].as_array().unwrap().len(),
        2
    );
    assert_eq!(serde["hashes"][0]["alg"], "SHA-256");
    assert_eq!(components[2]["hashes"][0]["content"], "07".repeat(64));
    // The root depends on the direct ones: serde (from app) and @scope/pkg.
    assert_eq!(
        document["dependencies"][0]["dependsOn"],
        serde_json::json!(["pkg:cargo/serde@1.0.200", "pkg:npm/%40scope/pkg@1.2.0"])
    );
    // A broken document is caught: the test can fail.
    let mut broken = document.clone();
    broken["components"][0]["type"] = serde_json::json!("not-a-type");
    assert!(validator.iter_errors(&broken).next().is_some());
}

#[test]
fn the_same_inventory_makes_the_same_document() {
    let a = cyclonedx(&subject(), &inventory());
    let b = cyclonedx(&subject(), &inventory());
    assert_eq!(a, b);
    let fewer = cyclonedx(&subject(), &inventory()[..1]);
    assert_ne!(a["serialNumber"], fewer["serialNumber"]);
}

#[test]
fn the_bytes_the_gate_digests_are_the_document_harden_sbom_writes() {
    let document = cyclonedx(&subject(), &inventory());
    let (bytes, components) = cyclonedx_bytes(&subject(), &inventory());
    assert_eq!(bytes, serde_json::to_vec(&document).unwrap());
    assert_eq!(components, document["components"].as_array().unwrap().len());
    let timed = Subject {
        timestamp: None,
        version: None,
        ..subject()
    };
    let (bytes, _) = cyclonedx_bytes(&timed, &inventory());
    assert_eq!(
        bytes,
        serde_json::to_vec(&cyclonedx(&timed, &inventory())).unwrap()
    );
}

#[test]
fn spdx_has_what_2_3_requires() {
    let document = spdx(&subject(), &inventory());
    assert_eq!(document["spdxVersion"], "SPDX-2.3");
    assert_eq!(document["dataLicense"], "CC0-1.0");
    assert!(
        document["documentNamespace"]
            .as_str()
            .unwrap()
            .starts_with("urn:uuid:")
    );
    let packages = document["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 5, "the root and four components");
    for package in packages {
        for field in ["SPDXID", "name", "downloadLocation"] {
            assert!(package[field].is_string(), "{field} in {package}");
        }
    }
    assert_eq!(
        packages[1]["externalRefs"][0]["referenceLocator"],
        "pkg:cargo/serde@1.0.200"
    );
    assert_eq!(packages[1]["checksums"][0]["algorithm"], "SHA256");
}
