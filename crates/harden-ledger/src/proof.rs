//! Inclusion and consistency proofs as files: versioned JSON that carries everything needed to
//! check it (the entry itself, the tree size and root, the audit path), verifiable without the
//! ledger. See [`crate::merkle`] for the hashing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::chain::{self, Entry};
use crate::merkle::{self, Hash};

/// The format tag of an inclusion proof.
pub const INCLUSION_FORMAT: &str = "harden-ledger-inclusion/1";
/// The format tag of a consistency proof.
pub const CONSISTENCY_FORMAT: &str = "harden-ledger-consistency/1";

/// A ledger's Merkle tree at one size: what an anchor of the whole ledger records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TreeHead {
    /// Entries in the tree (the first `size` entries of the ledger).
    pub size: u64,
    /// The tree's root, lowercase hex.
    pub root: String,
}

impl TreeHead {
    /// `SIZE:ROOT`, as `harden ledger root` prints it and `--root` takes it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (size, root) = text
            .trim()
            .split_once(':')
            .ok_or_else(|| format!("`{text}`: expected SIZE:ROOT"))?;
        let size = size
            .parse::<u64>()
            .map_err(|_| format!("`{text}`: the size is not a number"))?;
        if root.len() != 64 || !root.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{text}`: the root is not 64 hexadecimal digits"));
        }
        Ok(Self {
            size,
            root: root.to_ascii_lowercase(),
        })
    }
}

impl std::fmt::Display for TreeHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.size, self.root)
    }
}

/// Proof that one entry is in a ledger of a given size and root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InclusionProof {
    /// Always `harden-ledger-inclusion/1`.
    pub format: String,
    /// The tree the entry is proven part of.
    pub tree: TreeHead,
    /// The entry as stored (body in canonical JSON), with its signature if the ledger is
    /// signed. Its leaf index is `seq - 1`.
    pub entry: Entry,
    /// Sibling hashes from the leaf up, lowercase hex (RFC 9162 inclusion path).
    pub audit_path: Vec<String>,
}

/// Proof that a ledger of one size is a prefix of the same ledger at a larger size: it only
/// grew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConsistencyProof {
    /// Always `harden-ledger-consistency/1`.
    pub format: String,
    /// The earlier tree.
    pub first: TreeHead,
    /// The later tree.
    pub second: TreeHead,
    /// The RFC 9162 consistency path, lowercase hex.
    pub path: Vec<String>,
}

/// The leaf data of an entry: its 32-byte chain hash.
pub fn leaf_of(hash: &str) -> Result<Hash, String> {
    let bytes = hex::decode(hash).map_err(|_| format!("`{hash}` is not hexadecimal"))?;
    let data: [u8; 32] = bytes
        .try_into()
        .map_err(|_| format!("`{hash}` is not a 32-byte hash"))?;
    Ok(merkle::leaf_hash(&data))
}

fn decode_all(hashes: &[String]) -> Result<Vec<Hash>, String> {
    hashes
        .iter()
        .map(|h| {
            hex::decode(h)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| format!("`{h}` is not a 32-byte hexadecimal hash"))
        })
        .collect()
}

fn decode(hash: &str) -> Result<Hash, String> {
    decode_all(&[hash.to_owned()]).map(|v| v[0])
}

/// The tree head of `leaves` (leaf hashes, in entry order).
pub fn tree_head(leaves: &[Hash]) -> TreeHead {
    TreeHead {
        size: leaves.len() as u64,
        root: hex::encode(merkle::root(leaves)),
    }
}

impl InclusionProof {
    /// The proof for `entry` within the tree of `leaves`.
    pub fn build(leaves: &[Hash], entry: Entry) -> Self {
        let index = usize::try_from(entry.seq.saturating_sub(1)).unwrap_or(usize::MAX);
        Self {
            format: INCLUSION_FORMAT.to_owned(),
            tree: tree_head(leaves),
            audit_path: merkle::inclusion_proof(leaves, index)
                .iter()
                .map(hex::encode)
                .collect(),
            entry,
        }
    }

    /// Checks the proof on its own: the entry's content hashes to its stated hash, and the
    /// audit path leads from that leaf to the stated root. Says what fails.
    pub fn verify(&self) -> Result<(), String> {
        if self.format != INCLUSION_FORMAT {
            return Err(format!(
                "format `{}` is not `{INCLUSION_FORMAT}`",
                self.format
            ));
        }
        let e = &self.entry;
        if chain::entry_hash(e.seq, &e.kind, &e.recorded_at, &e.prev_hash, &e.body) != e.hash {
            return Err(format!(
                "entry #{}: its content does not match its hash",
                e.seq
            ));
        }
        if e.seq == 0 {
            return Err("entry #0 is no ledger entry".into());
        }
        let leaf = leaf_of(&e.hash)?;
        let path = decode_all(&self.audit_path)?;
        let root = decode(&self.tree.root)?;
        if merkle::verify_inclusion(&leaf, e.seq - 1, self.tree.size, &path, &root) {
            Ok(())
        } else {
            Err(format!(
                "entry #{} is not in the ledger of {} entries with root {}",
                e.seq, self.tree.size, self.tree.root
            ))
        }
    }
}

impl ConsistencyProof {
    /// The proof that the first `first` of `leaves` are a prefix of all of them.
    pub fn build(leaves: &[Hash], first: usize) -> Self {
        let first = first.min(leaves.len());
        Self {
            format: CONSISTENCY_FORMAT.to_owned(),
            first: tree_head(&leaves[..first]),
            second: tree_head(leaves),
            path: merkle::consistency_proof(leaves, first)
                .iter()
                .map(hex::encode)
                .collect(),
        }
    }

    /// Checks the proof on its own: the earlier tree is a prefix of the later one.
    pub fn verify(&self) -> Result<(), String> {
        if self.format != CONSISTENCY_FORMAT {
            return Err(format!(
                "format `{}` is not `{CONSISTENCY_FORMAT}`",
                self.format
            ));
        }
        let path = decode_all(&self.path)?;
        let (first, second) = (decode(&self.first.root)?, decode(&self.second.root)?);
        if merkle::verify_consistency(self.first.size, self.second.size, &path, &first, &second) {
            Ok(())
        } else {
            Err(format!(
                "the ledger of {} entries (root {}) is not a prefix of the ledger of {} entries (root {})",
                self.first.size, self.first.root, self.second.size, self.second.root
            ))
        }
    }
}

/// The JSON Schema of [`InclusionProof`], as published in
/// `docs/schemas/ledger-inclusion-v1.schema.json`.
pub fn inclusion_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(InclusionProof)).unwrap_or_default()
}

/// The JSON Schema of [`ConsistencyProof`], as published in
/// `docs/schemas/ledger-consistency-v1.schema.json`.
pub fn consistency_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ConsistencyProof)).unwrap_or_default()
}
