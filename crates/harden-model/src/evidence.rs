use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a gate recorded about its work: what it examined, what it counted, digests of the inputs
/// it judged and short facts. Sorted maps keep the serialized form deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Evidence {
    /// Items examined, by kind (`files`, `workflows`, `entries`). A gate that examined nothing is
    /// skipped, never passed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub examined: BTreeMap<String, u64>,
    /// Other counts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counts: BTreeMap<String, u64>,
    /// SHA-256 digests of inputs, by name (usually a repository path).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digests: BTreeMap<String, String>,
    /// Short facts (`owners = "platform@example.com"`). Never secret material.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, String>,
    /// What the gate could not examine (a path, a blob), with why. A pass with anything here is
    /// a pass over less than everything: `--strict` fails it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub not_examined: BTreeMap<String, String>,
}

impl Evidence {
    /// Total number of items examined, of any kind.
    pub fn examined_total(&self) -> u64 {
        self.examined.values().sum()
    }

    /// Whether nothing at all was recorded.
    pub fn is_empty(&self) -> bool {
        self.examined.is_empty()
            && self.counts.is_empty()
            && self.digests.is_empty()
            && self.facts.is_empty()
            && self.not_examined.is_empty()
    }
}
