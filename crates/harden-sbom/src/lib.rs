//! Software bills of materials from the lockfile inventory: CycloneDX 1.6 JSON and SPDX 2.3
//! JSON. Pure: the caller gives the packages, the subject's name, and the time.
//!
//! Written with serde_json rather than the `cyclonedx-bom` crate: its newest release writes
//! CycloneDX 1.5 at most, and the subset a lockfile inventory fills (components with purls,
//! hashes and occurrences, the root's dependencies) is a page of plain JSON, checked against
//! the published 1.6 schema in a test.

use std::collections::BTreeMap;

use base64::Engine as _;
use harden_formats::lockfiles::{Dependency, Ecosystem};
use serde_json::{Value, json};
use sha2::Digest as _;

/// What the SBOM describes.
pub struct Subject<'a> {
    /// The repository's (or service's) name.
    pub name: &'a str,
    /// Its version (the commit), if known.
    pub version: Option<&'a str>,
    /// harden's version, for the `tools` entry.
    pub tool_version: &'a str,
    /// RFC 3339 creation time; `None` leaves it out (for a digest that only changes with the
    /// content).
    pub timestamp: Option<&'a str>,
}

/// One component: a package at one version, wherever it is locked.
struct Component<'a> {
    purl: String,
    package: &'a Dependency,
    /// Lockfiles that lock it.
    locations: Vec<&'a str>,
    direct: bool,
}

/// The package URL of a locked package (`pkg:cargo/serde@1.0.0`, `pkg:npm/%40scope/name@1.0.0`,
/// `pkg:pypi/requests@2.31.0`, `pkg:golang/golang.org/x/net@v0.1.0`, `pkg:gem/rack@3.0.8`,
/// `pkg:nuget/Serilog@3.1.1`, `pkg:composer/symfony/console@v6.4.1`,
/// `pkg:maven/org.slf4j/slf4j-api@2.0.9`).
pub fn purl(package: &Dependency) -> String {
    let (kind, namespace, name) = match package.ecosystem {
        Ecosystem::Cargo => ("cargo", None, package.name.as_str()),
        Ecosystem::PyPI => ("pypi", None, package.name.as_str()),
        Ecosystem::Npm => match package
            .name
            .strip_prefix('@')
            .and_then(|n| n.split_once('/'))
        {
            Some((scope, name)) => ("npm", Some(format!("@{scope}")), name),
            None => ("npm", None, package.name.as_str()),
        },
        Ecosystem::Go => match package.name.rsplit_once('/') {
            Some((path, name)) => ("golang", Some(path.to_owned()), name),
            None => ("golang", None, package.name.as_str()),
        },
        Ecosystem::RubyGems => ("gem", None, package.name.as_str()),
        Ecosystem::NuGet => ("nuget", None, package.name.as_str()),
        Ecosystem::Packagist => match package.name.split_once('/') {
            Some((vendor, name)) => ("composer", Some(vendor.to_owned()), name),
            None => ("composer", None, package.name.as_str()),
        },
        Ecosystem::Maven => match package.name.split_once(':') {
            Some((group, artifact)) => ("maven", Some(group.to_owned()), artifact),
            None => ("maven", None, package.name.as_str()),
        },
    };
    let Ok(mut url) = packageurl::PackageUrl::new(kind, name) else {
        return format!("pkg:{kind}/{}", package.name);
    };
    if let Some(namespace) = &namespace {
        let _ = url.with_namespace(namespace.as_str());
    }
    let _ = url.with_version(package.version.as_str());
    url.to_string()
}

/// The hash a lockfile records, as CycloneDX names it: (algorithm, lowercase hex).
fn hash(package: &Dependency) -> Option<(&'static str, String)> {
    let integrity = package.integrity.as_deref()?;
    // Subresource integrity (npm): base64 of a digest of the algorithm's length.
    let sri = |b64: &str, len: usize| {
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .ok()
            .filter(|bytes| bytes.len() == len)
            .map(hex::encode)
    };
    if let Some(b64) = integrity.strip_prefix("sha512-") {
        return sri(b64, 64).map(|h| ("SHA-512", h));
    }
    if let Some(b64) = integrity.strip_prefix("sha1-") {
        return sri(b64, 20).map(|h| ("SHA-1", h));
    }
    let hex_of = |text: &str, len: usize| {
        (text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| text.to_ascii_lowercase())
    };
    if let Some(hex) = integrity.strip_prefix("sha256:") {
        return hex_of(hex, 64).map(|h| ("SHA-256", h));
    }
    // composer.lock's `dist.shasum`.
    if let Some(hex) = integrity.strip_prefix("sha1:") {
        return hex_of(hex, 40).map(|h| ("SHA-1", h));
    }
    // Cargo.lock's checksum: SHA-256 of the .crate, bare hex.
    if package.ecosystem == Ecosystem::Cargo {
        return hex_of(integrity, 64).map(|h| ("SHA-256", h));
    }
    None
}

fn components(packages: &[Dependency]) -> Vec<Component<'_>> {
    let mut by_purl: BTreeMap<String, Component<'_>> = BTreeMap::new();
    for package in packages.iter().filter(|p| p.from_registry()) {
        let purl = purl(package);
        let entry = by_purl.entry(purl.clone()).or_insert(Component {
            purl,
            package,
            locations: Vec::new(),
            direct: false,
        });
        if !entry.locations.contains(&package.path.as_str()) {
            entry.locations.push(package.path.as_str());
        }
        entry.direct |= package.direct;
    }
    by_purl.into_values().collect()
}

/// An https URL with no credentials in it (`https://user:token@host/...`) and no query (where
/// signed URLs carry theirs): the only kind an SBOM may repeat as a download location.
fn plain_url(url: &str) -> bool {
    url.strip_prefix("https://").is_some_and(|rest| {
        let authority = rest.split('/').next().unwrap_or_default();
        !authority.contains('@') && !rest.contains('?')
    })
}

/// A UUID (version 4 layout) derived from `seed`: the same inventory, the same serial number.
fn uuid_from(seed: &[u8]) -> String {
    let digest = sha2::Sha256::digest(seed);
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

const ROOT: &str = "root-component";

/// A CycloneDX 1.6 JSON document.
pub fn cyclonedx(subject: &Subject<'_>, packages: &[Dependency]) -> Value {
    let components = components(packages);
    serde_json::to_value(cyclonedx_document(subject, &components))
        .unwrap_or_else(|_| unreachable!("the document holds strings and numbers only"))
}

/// [`cyclonedx`] as its JSON bytes, and how many components it lists; written straight from
/// typed values: the SBOM gate digests the document on every run, and building the JSON tree
/// first cost it most of its time.
pub fn cyclonedx_bytes(subject: &Subject<'_>, packages: &[Dependency]) -> (Vec<u8>, usize) {
    let components = components(packages);
    let bytes = serde_json::to_vec(&cyclonedx_document(subject, &components))
        .unwrap_or_else(|_| unreachable!("the document holds strings and numbers only"));
    (bytes, components.len())
}

/// The CycloneDX document. Every struct declares its fields in the byte order of their JSON
/// names, the order in which a `serde_json::Value` writes keys: both spellings of a document
/// are the same bytes (tested).
#[derive(serde::Serialize)]
struct CycloneDx<'a> {
    #[serde(rename = "bomFormat")]
    bom_format: &'static str,
    components: Vec<CdxComponent<'a>>,
    dependencies: Vec<CdxDependency<'a>>,
    metadata: CdxMetadata<'a>,
    #[serde(rename = "serialNumber")]
    serial_number: String,
    #[serde(rename = "specVersion")]
    spec_version: &'static str,
    version: u32,
}

#[derive(serde::Serialize)]
struct CdxComponent<'a> {
    #[serde(rename = "bom-ref")]
    bom_ref: &'a str,
    evidence: CdxEvidence<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hashes: Option<[CdxHash; 1]>,
    name: &'a str,
    purl: &'a str,
    scope: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    version: &'a str,
}

#[derive(serde::Serialize)]
struct CdxEvidence<'a> {
    occurrences: Vec<CdxOccurrence<'a>>,
}

#[derive(serde::Serialize)]
struct CdxOccurrence<'a> {
    location: &'a str,
}

#[derive(serde::Serialize)]
struct CdxHash {
    alg: &'static str,
    content: String,
}

#[derive(serde::Serialize)]
struct CdxDependency<'a> {
    #[serde(rename = "dependsOn", skip_serializing_if = "Option::is_none")]
    depends_on: Option<Vec<&'a str>>,
    #[serde(rename = "ref")]
    reference: &'a str,
}

#[derive(serde::Serialize)]
struct CdxMetadata<'a> {
    component: CdxApplication<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<&'a str>,
    tools: CdxTools<'a>,
}

#[derive(serde::Serialize)]
struct CdxApplication<'a> {
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<&'static str>,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct CdxTools<'a> {
    components: [CdxApplication<'a>; 1],
}

fn cyclonedx_document<'a>(subject: &Subject<'a>, components: &'a [Component<'a>]) -> CycloneDx<'a> {
    let listed = components
        .iter()
        .map(|c| CdxComponent {
            bom_ref: &c.purl,
            evidence: CdxEvidence {
                occurrences: c
                    .locations
                    .iter()
                    .map(|location| CdxOccurrence { location })
                    .collect(),
            },
            hashes: hash(c.package).map(|(alg, content)| [CdxHash { alg, content }]),
            name: &c.package.name,
            purl: &c.purl,
            scope: "required",
            kind: "library",
            version: &c.package.version,
        })
        .collect();
    let direct: Vec<&str> = components
        .iter()
        .filter(|c| c.direct)
        .map(|c| c.purl.as_str())
        .collect();
    let mut dependencies = vec![CdxDependency {
        depends_on: Some(direct),
        reference: ROOT,
    }];
    // Each component is listed, its own dependencies unknown to a lockfile inventory.
    dependencies.extend(components.iter().map(|c| CdxDependency {
        depends_on: None,
        reference: &c.purl,
    }));
    let seed: Vec<u8> = components
        .iter()
        .flat_map(|c| c.purl.bytes().chain(std::iter::once(b'\n')))
        .collect();
    CycloneDx {
        bom_format: "CycloneDX",
        components: listed,
        dependencies,
        metadata: CdxMetadata {
            component: CdxApplication {
                bom_ref: Some(ROOT),
                name: subject.name,
                kind: "application",
                version: subject.version,
            },
            timestamp: subject.timestamp,
            tools: CdxTools {
                components: [CdxApplication {
                    bom_ref: None,
                    name: "harden",
                    kind: "application",
                    version: Some(subject.tool_version),
                }],
            },
        },
        serial_number: format!("urn:uuid:{}", uuid_from(&seed)),
        spec_version: "1.6",
        version: 1,
    }
}

/// An SPDX 2.3 JSON document.
pub fn spdx(subject: &Subject<'_>, packages: &[Dependency]) -> Value {
    let components = components(packages);
    let seed: Vec<u8> = components
        .iter()
        .flat_map(|c| c.purl.bytes().chain(std::iter::once(b'\n')))
        .collect();
    let id = |i: usize| format!("SPDXRef-Package-{}", i + 1);
    let mut listed = vec![json!({
        "SPDXID": "SPDXRef-Root",
        "name": subject.name,
        "versionInfo": subject.version.unwrap_or("NOASSERTION"),
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
    })];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": "SPDXRef-Root",
    })];
    for (i, c) in components.iter().enumerate() {
        let mut package = json!({
            "SPDXID": id(i),
            "name": c.package.name,
            "versionInfo": c.package.version,
            "downloadLocation": c.package.source.as_deref().filter(|s| plain_url(s)).unwrap_or("NOASSERTION"),
            "filesAnalyzed": false,
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": c.purl,
            }],
        });
        if let Some((alg, content)) = hash(c.package) {
            package["checksums"] =
                json!([{"algorithm": alg.replace('-', ""), "checksumValue": content}]);
        }
        listed.push(package);
        relationships.push(json!({
            "spdxElementId": "SPDXRef-Root",
            "relationshipType": if c.direct { "DEPENDS_ON" } else { "CONTAINS" },
            "relatedSpdxElement": id(i),
        }));
    }
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": subject.name,
        "documentNamespace": format!("urn:uuid:{}", uuid_from(&seed)),
        "creationInfo": {
            "created": subject.timestamp.unwrap_or("1970-01-01T00:00:00Z"),
            "creators": [format!("Tool: harden-{}", subject.tool_version)],
        },
        "packages": listed,
        "relationships": relationships,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(
        ecosystem: Ecosystem,
        name: &str,
        version: &str,
        integrity: Option<&str>,
    ) -> Dependency {
        Dependency {
            ecosystem,
            name: name.into(),
            version: version.into(),
            direct: true,
            source: None,
            integrity: integrity.map(str::to_owned),
            path: "lock".into(),
            span: harden_model::Span::default(),
        }
    }

    #[test]
    fn purls_follow_each_ecosystems_rules() {
        assert_eq!(
            purl(&package(Ecosystem::Cargo, "serde", "1.0.0", None)),
            "pkg:cargo/serde@1.0.0"
        );
        assert_eq!(
            purl(&package(Ecosystem::Npm, "@babel/core", "7.1.0", None)),
            "pkg:npm/%40babel/core@7.1.0"
        );
        assert_eq!(
            purl(&package(Ecosystem::PyPI, "Django_Rest", "3.0", None)),
            "pkg:pypi/django-rest@3.0"
        );
        assert_eq!(
            purl(&package(Ecosystem::Go, "golang.org/x/net", "v0.1.0", None)),
            "pkg:golang/golang.org/x/net@v0.1.0"
        );
        assert_eq!(
            purl(&package(
                Ecosystem::RubyGems,
                "concurrent-ruby",
                "1.2.3",
                None
            )),
            "pkg:gem/concurrent-ruby@1.2.3"
        );
        assert_eq!(
            purl(&package(Ecosystem::NuGet, "Serilog", "3.1.1", None)),
            "pkg:nuget/Serilog@3.1.1"
        );
        assert_eq!(
            purl(&package(
                Ecosystem::Packagist,
                "symfony/console",
                "v6.4.1",
                None
            )),
            "pkg:composer/symfony/console@v6.4.1"
        );
        assert_eq!(
            purl(&package(
                Ecosystem::Maven,
                "org.slf4j:slf4j-api",
                "2.0.9",
                None
            )),
            "pkg:maven/org.slf4j/slf4j-api@2.0.9"
        );
    }

    #[test]
    fn download_locations_never_carry_credentials() {
        assert!(plain_url("https://registry.example/x/-/x-1.0.0.tgz"));
        assert!(!plain_url(
            "https://user:npm_TOKEN@registry.example/x/-/x-1.0.0.tgz"
        ));
        assert!(!plain_url(
            "https://registry.example/x.tgz?X-Amz-Signature=abc"
        ));
        assert!(!plain_url("git+https://github.example/o/r.git"));
    }

    #[test]
    fn lockfile_hashes_become_hex_digests() {
        let b64 = base64::engine::general_purpose::STANDARD.encode([7u8; 64]);
        let npm = package(Ecosystem::Npm, "a", "1.0.0", Some(&format!("sha512-{b64}")));
        assert_eq!(hash(&npm), Some(("SHA-512", "07".repeat(64))));
        let short = package(Ecosystem::Npm, "a", "1.0.0", Some("sha512-AAEC"));
        assert_eq!(
            hash(&short),
            None,
            "a digest of the wrong length is not one"
        );
        let composer = package(
            Ecosystem::Packagist,
            "acme/log",
            "1.0.0",
            Some(&format!("sha1:{}", "AB".repeat(20))),
        );
        assert_eq!(hash(&composer), Some(("SHA-1", "ab".repeat(20))));
        let mut cargo = package(Ecosystem::Cargo, "a", "1.0.0", Some(&"ab".repeat(32)));
        cargo.source = Some("registry+index".into());
        assert_eq!(hash(&cargo).unwrap().0, "SHA-256");
        let odd = package(Ecosystem::Npm, "a", "1.0.0", Some("10c0/abc"));
        assert_eq!(hash(&odd), None);
    }
}
