use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The stable identifier of a gate, `R<round>.<area>.<name>` (e.g. `R4.pinning.actions`).
///
/// Ids are part of the user contract: they appear in `harden.toml`, waivers, reports and the ledger,
/// so they never change once released.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GateId(Cow<'static, str>);

/// Why a string is not a valid [`GateId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{given}` is not a gate id: expected `R<0-7>.<area>[.<name>]` in lowercase, e.g. `R3.secrets.history`"
)]
pub struct GateIdError {
    /// The rejected text.
    pub given: String,
}

impl GateId {
    /// A gate id known at compile time. Its form is checked by the registry meta-tests.
    pub const fn from_static(id: &'static str) -> Self {
        Self(Cow::Borrowed(id))
    }

    /// Parses and validates a gate id given by a user.
    pub fn parse(text: &str) -> Result<Self, GateIdError> {
        if Self::is_well_formed(text) {
            Ok(Self(Cow::Owned(text.to_owned())))
        } else {
            Err(GateIdError {
                given: text.to_owned(),
            })
        }
    }

    /// `R<digit 0-7>` then one or more dot-separated segments of `[a-z0-9-]` (`R4.vulns`,
    /// `R4.pinning.actions`).
    pub fn is_well_formed(text: &str) -> bool {
        let mut parts = text.split('.');
        let Some(round) = parts.next() else {
            return false;
        };
        if Round::from_prefix(round).is_none() {
            return false;
        }
        let rest: Vec<&str> = parts.collect();
        !rest.is_empty()
            && rest.iter().all(|segment| {
                !segment.is_empty()
                    && !segment.starts_with('-')
                    && segment
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            })
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The round named by the id's prefix. Valid ids always have one.
    pub fn round(&self) -> Option<Round> {
        self.0.split('.').next().and_then(Round::from_prefix)
    }

    /// Whether `pattern` selects this id: an exact id, `*`, or a prefix ending in `.*`
    /// (`R3.*`, `R4.pinning.*`).
    pub fn matches_pattern(&self, pattern: &str) -> bool {
        if pattern == "*" {
            return true;
        }
        match pattern.strip_suffix(".*") {
            Some(prefix) => self
                .0
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('.')),
            None => self.0 == pattern,
        }
    }
}

impl fmt::Display for GateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for GateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GateId({})", self.0)
    }
}

impl Serialize for GateId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for GateId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for GateId {
    fn schema_name() -> Cow<'static, str> {
        "GateId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^R[0-7](\\.[a-z0-9][a-z0-9-]*)+$",
            "description": "A gate id such as `R3.secrets.history`."
        })
    }
}

/// The eight hardening rounds, in the order the method works through them.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub enum Round {
    /// Scope lock & contracts.
    R0,
    /// Identity & tenancy.
    R1,
    /// Audit & evidence.
    R2,
    /// Secrets & key hygiene.
    R3,
    /// Build integrity.
    R4,
    /// Data correctness.
    R5,
    /// Integration integrity.
    R6,
    /// Launch readiness.
    R7,
}

impl Round {
    /// Every round, in order.
    pub const ALL: [Round; 8] = [
        Round::R0,
        Round::R1,
        Round::R2,
        Round::R3,
        Round::R4,
        Round::R5,
        Round::R6,
        Round::R7,
    ];

    /// `R0` … `R7`.
    pub fn code(self) -> &'static str {
        match self {
            Round::R0 => "R0",
            Round::R1 => "R1",
            Round::R2 => "R2",
            Round::R3 => "R3",
            Round::R4 => "R4",
            Round::R5 => "R5",
            Round::R6 => "R6",
            Round::R7 => "R7",
        }
    }

    /// The round's name as the method states it.
    pub fn name(self) -> &'static str {
        match self {
            Round::R0 => "Scope lock & contracts",
            Round::R1 => "Identity & tenancy",
            Round::R2 => "Audit & evidence",
            Round::R3 => "Secrets & key hygiene",
            Round::R4 => "Build integrity",
            Round::R5 => "Data correctness",
            Round::R6 => "Integration integrity",
            Round::R7 => "Launch readiness",
        }
    }

    /// Parses `R0` … `R7`.
    pub fn from_prefix(prefix: &str) -> Option<Round> {
        Round::ALL.into_iter().find(|round| round.code() == prefix)
    }
}

impl fmt::Display for Round {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How bad a finding is. Configuration may remap a gate's default; the run records the remap.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never blocks by itself in reports of other tools.
    Info,
    /// Minor weakness.
    Low,
    /// Should be fixed before production.
    Medium,
    /// Must be fixed before production.
    High,
    /// Exploitable or already leaked.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// Lowercase name as written in config and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses the lowercase name.
    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a gate examines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Files, git history and configuration of a repository.
    Repository,
    /// A running service reached over HTTP.
    Service,
}

/// The built-in depth levels a gate can belong to. A profile of a level runs every gate whose
/// level is at or below it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ProfileLevel {
    /// R0 and the basic R3/R4 gates: what a prototype should already hold.
    Prototype,
    /// Every gate.
    Production,
}

impl ProfileLevel {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileLevel::Prototype => "prototype",
            ProfileLevel::Production => "production",
        }
    }

    /// Parses the lowercase name.
    pub fn parse(text: &str) -> Option<ProfileLevel> {
        match text {
            "prototype" => Some(ProfileLevel::Prototype),
            "production" => Some(ProfileLevel::Production),
            _ => None,
        }
    }
}

/// The type of a gate-specific option in `[gates."<id>"]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// `true` / `false`.
    Bool,
    /// A non-negative integer.
    Integer,
    /// A string.
    String,
    /// An array of strings.
    StringList,
    /// A duration such as `"90d"`, `"12h"`, `"30m"`.
    Duration,
    /// One of these strings.
    Choice(&'static [&'static str]),
}

impl OptionKind {
    /// How the expected form is described in diagnostics.
    pub fn expectation(self) -> String {
        match self {
            OptionKind::Bool => "a boolean (true or false)".into(),
            OptionKind::Integer => "a non-negative integer".into(),
            OptionKind::String => "a string".into(),
            OptionKind::StringList => "an array of strings".into(),
            OptionKind::Duration => "a duration string such as \"90d\", \"12h\" or \"30m\"".into(),
            OptionKind::Choice(values) => format!(
                "one of {}",
                values
                    .iter()
                    .map(|v| format!("\"{v}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// One gate-specific option: its key, type and documentation.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    /// The key inside `[gates."<id>"]`.
    pub key: &'static str,
    /// Its type.
    pub kind: OptionKind,
    /// What it does, for `harden explain` and the config schema.
    pub help: &'static str,
}

/// Static description of a gate. `harden explain`, the generated catalogue, SARIF rule
/// descriptors and the registry meta-tests all read this one source.
#[derive(Debug)]
pub struct GateMeta {
    /// Stable id.
    pub id: GateId,
    /// Must agree with the id's prefix (checked by a meta-test).
    pub round: Round,
    /// One-line title.
    pub title: &'static str,
    /// Default severity of its findings.
    pub severity: Severity,
    /// Repository or running service.
    pub target: Target,
    /// The lowest built-in profile that runs it.
    pub min_profile: ProfileLevel,
    /// What it checks, why it matters and how to fix a failure.
    pub rationale: &'static str,
    /// Evidence keys it promises to record.
    pub evidence: &'static [&'static str],
    /// Gate-specific options accepted in `[gates."<id>"]`.
    pub options: &'static [OptionSpec],
    /// For gates that judge each thing of a kind (each Dockerfile, each workflow): what those
    /// things are. With none in the repository such a gate is "not applicable", a choice
    /// `harden init` writes into the config. `None` for gates whose point is that something must
    /// exist: those are never not applicable by absence.
    pub items: Option<Items>,
}

/// The things a per-item gate judges.
#[derive(Debug, Clone, Copy)]
pub struct Items {
    /// What they are called, plural (`Dockerfiles`, `CI workflows`).
    pub name: &'static str,
    /// Repository-relative globs that find them (`**/Dockerfile`, `.github/workflows/*.yml`).
    pub globs: &'static [&'static str],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_id_forms() {
        for ok in [
            "R0.scope.declared",
            "R4.ci.ignore-errors",
            "R7.slo.defined.v2",
        ] {
            assert!(GateId::is_well_formed(ok), "{ok}");
        }
        for bad in [
            "",
            "R8.scope.declared",
            "R0",
            "r0.scope.declared",
            "R0..declared",
            "R0.Scope.declared",
            "R0.scope.-x",
            "R0.scope.decl ared",
        ] {
            assert!(!GateId::is_well_formed(bad), "{bad}");
        }
    }

    #[test]
    fn gate_id_patterns() {
        let id = GateId::from_static("R4.pinning.actions");
        assert!(id.matches_pattern("R4.*"));
        assert!(id.matches_pattern("R4.pinning.*"));
        assert!(id.matches_pattern("R4.pinning.actions"));
        assert!(id.matches_pattern("*"));
        assert!(!id.matches_pattern("R4.pin*"));
        assert!(!id.matches_pattern("R4.pinning.actions.*"));
        assert!(!id.matches_pattern("R3.*"));
        assert_eq!(id.round(), Some(Round::R4));
    }
}
