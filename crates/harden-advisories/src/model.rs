//! The advisory model: what harden keeps of an OSV record (or a RustSec one, converted).

use serde::{Deserialize, Serialize};

/// One advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advisory {
    /// `GHSA-...`, `RUSTSEC-...`, `PYSEC-...`, `GO-...`.
    pub id: String,
    /// Other ids of the same vulnerability (`CVE-...`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// One line.
    #[serde(default)]
    pub summary: String,
    /// RFC 3339 time of the last change.
    pub modified: String,
    /// RFC 3339 time it was withdrawn: it never matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// CVSS vectors (v3.x, v4.0), as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<String>,
    /// A severity word the database gives (`HIGH`, `MODERATE`), where there is no vector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rated: Option<String>,
    /// RustSec's kinds of non-vulnerability advisories: `unmaintained`, `unsound`, `notice`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
    /// Where to read more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The packages and versions it affects.
    pub affected: Vec<Affected>,
}

/// A package an advisory affects, and which of its versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    /// OSV ecosystem name (`crates.io`, `npm`, `PyPI`, `Go`, `Maven`, `RubyGems`).
    pub ecosystem: String,
    /// Package name as the ecosystem writes it.
    pub name: String,
    /// OSV ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Versions listed one by one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// RustSec's reading: every version is affected except those matching one of these
    /// requirements (`patched` and `unaffected`, `>= 0.9.1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unaffected_requirements: Option<Vec<String>>,
    /// RustSec's `patched` requirements alone: the fixes to name (its `unaffected` ones are
    /// versions that never had the flaw, not upgrades).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patched: Vec<String>,
}

/// An OSV range: events along one ordering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// Which ordering the events use.
    pub kind: RangeKind,
    /// The events, as listed.
    pub events: Vec<Event>,
}

/// The ordering of a range's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeKind {
    /// Semantic versioning.
    Semver,
    /// The ecosystem's own ordering.
    Ecosystem,
    /// Git commits (not comparable with a locked version; skipped).
    Git,
}

/// A point where a range starts or ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Affected from this version on (`0`: from the first).
    Introduced(String),
    /// Not affected from this version on.
    Fixed(String),
    /// Affected up to and including this version.
    LastAffected(String),
    /// Nothing at or above this version belongs to the range (`*`: no limit).
    Limit(String),
}

impl Advisory {
    /// Every id it is known by: its own and its aliases.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// Versions that fix it for `affected`, as the record states them.
    pub fn fixed_versions(affected: &Affected) -> Vec<String> {
        let mut fixed: Vec<String> = affected
            .ranges
            .iter()
            .flat_map(|r| &r.events)
            .filter_map(|e| match e {
                Event::Fixed(v) => Some(v.clone()),
                _ => None,
            })
            .collect();
        fixed.extend(affected.patched.iter().cloned());
        fixed.dedup();
        fixed
    }
}

/// The key a package is looked up by: PyPI names are compared normalized (PEP 503: case and
/// runs of `-`, `_`, `.` do not matter), NuGet ids and Packagist names without regard to case
/// (both registries treat them so); other ecosystems' names are exact.
pub fn package_key(ecosystem: &str, name: &str) -> String {
    if ecosystem == "PyPI" {
        let mut out = String::with_capacity(name.len());
        let mut separator = false;
        for c in name.chars() {
            if matches!(c, '-' | '_' | '.') {
                separator = true;
            } else {
                if separator && !out.is_empty() {
                    out.push('-');
                }
                separator = false;
                out.extend(c.to_lowercase());
            }
        }
        out
    } else if ecosystem == "NuGet" || ecosystem == "Packagist" {
        name.to_ascii_lowercase()
    } else {
        name.to_owned()
    }
}

/// The ecosystem part of an OSV ecosystem string (`Debian:11` → `Debian`).
pub fn base_ecosystem(ecosystem: &str) -> &str {
    ecosystem.split(':').next().unwrap_or(ecosystem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pypi_names_are_normalized_and_others_kept() {
        assert_eq!(
            package_key("PyPI", "Django_REST.framework"),
            "django-rest-framework"
        );
        assert_eq!(package_key("PyPI", "zope.interface"), "zope-interface");
        assert_eq!(package_key("npm", "@Scope/Pkg"), "@Scope/Pkg");
        assert_eq!(package_key("crates.io", "serde_json"), "serde_json");
        assert_eq!(package_key("NuGet", "Newtonsoft.Json"), "newtonsoft.json");
        assert_eq!(
            package_key("Packagist", "Symfony/Console"),
            "symfony/console"
        );
        assert_eq!(base_ecosystem("Debian:11"), "Debian");
    }
}
