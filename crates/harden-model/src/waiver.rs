use serde::{Deserialize, Serialize};

use crate::{Fingerprint, GateId};

/// A bounded exception: the findings of one gate, optionally narrowed to one fingerprint or a
/// path glob, are accepted until `expires`, for a stated reason, by a named owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Waiver {
    /// A short handle for reports: the reference if unique, else `waiver#<n>`.
    pub id: String,
    /// The gate whose findings it covers.
    pub gate: GateId,
    /// Only the finding with this fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Fingerprint>,
    /// Only findings that report this advisory (`CVE-...`, `GHSA-...`: any of its ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advisory: Option<String>,
    /// Only findings whose path matches this glob.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Only the finding that starts on this line (inline waivers, which sit next to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Why the exception is acceptable.
    pub reason: String,
    /// Who answers for it.
    pub owner: String,
    /// Ticket, incident or decision it refers to.
    pub reference: String,
    /// The last day it is in force.
    #[schemars(with = "String")]
    pub expires: jiff::civil::Date,
    /// Where it was declared.
    pub origin: WaiverOrigin,
}

/// Where a waiver was declared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WaiverOrigin {
    /// File that declares it.
    pub path: String,
    /// 1-based line.
    pub line: u32,
}

impl Waiver {
    /// Whether the waiver still holds on `today` (the expiry day itself is included).
    pub fn in_force_on(&self, today: jiff::civil::Date) -> bool {
        today <= self.expires
    }
}
