//! Canonical encoding, hashing and verification of ledger entries. No I/O.
//!
//! An entry's hash is SHA-256 over
//! `"harden-ledger/1\n" seq "\n" kind "\n" recorded_at "\n" prev_hash "\n" body`, where `seq` is
//! decimal, `recorded_at` is RFC 3339 UTC, `prev_hash` is the previous entry's hash in lowercase
//! hex (64 zeros for the first entry) and `body` is canonical JSON: object keys sorted by code
//! point, no insignificant whitespace, integers only (no floats), strings escaped as serde_json
//! and Python's `json.dumps(ensure_ascii=False)` both escape them. That makes exported entries
//! verifiable with a few lines of any language (see docs/LEDGER.md).

use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The format tag that starts every hashed entry.
pub const FORMAT: &str = "harden-ledger/1";

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One ledger entry as stored and exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Entry {
    /// 1-based position in the chain.
    pub seq: u64,
    /// What the entry records (`run`, `plan.state`, ...).
    pub kind: String,
    /// When it was appended (RFC 3339, UTC).
    pub recorded_at: String,
    /// Hash of the entry before it.
    pub prev_hash: String,
    /// Hash of this entry.
    pub hash: String,
    /// Canonical JSON body.
    pub body: String,
    /// The head's signature, when the ledger is signed (not part of the hash: see
    /// [`crate::sign`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<crate::sign::HeadSignature>,
}

/// The last entry as the store records it beside the chain, so truncation is detectable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Sequence number of the last entry.
    pub seq: u64,
    /// Its hash.
    pub hash: String,
}

/// Why an entry cannot be appended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// Ledger bodies are canonical JSON without floats, whose text forms differ across languages.
    #[error("ledger bodies must not contain floating-point numbers (at {0})")]
    Float(String),
    /// Kinds are short identifiers.
    #[error("`{0}` is not a ledger entry kind: expected lowercase letters, digits, `.`, `-`")]
    Kind(String),
}

/// The first place a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The sequence number of the first entry that does not verify (for a missing entry, the
    /// number that was expected there).
    pub seq: u64,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "entry #{}: {}", self.seq, self.reason)
    }
}

/// A chain that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Entries checked.
    pub entries: u64,
    /// The last entry.
    pub head: Option<Head>,
}

/// Writes `value` as canonical JSON.
pub fn canonical_json(value: &Value) -> Result<String, ChainError> {
    let mut out = String::new();
    write_canonical(value, &mut out).map_err(|mut path| {
        path.reverse();
        ChainError::Float(format!("${}", path.concat()))
    })?;
    Ok(out)
}

/// Writes `value`; on a float, the path to it as segments from the float up (built only then:
/// a path per value costs more than the encoding itself).
fn write_canonical(value: &Value, out: &mut String) -> Result<(), Vec<String>> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else {
                return Err(Vec::new());
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out).map_err(|mut path| {
                    path.push(format!("[{i}]"));
                    path
                })?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Sort explicitly: serde_json's map order depends on a cargo feature elsewhere in the
            // dependency graph (`preserve_order`), and the hash must not.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_canonical(&map[key], out).map_err(|mut path| {
                    path.push(format!(".{key}"));
                    path
                })?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    // Runs of characters that need no escape are copied whole: bodies are mostly such text.
    let mut start = 0;
    for (i, byte) in s.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..0x20 => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// The hash of an entry's content.
pub fn entry_hash(seq: u64, kind: &str, recorded_at: &str, prev_hash: &str, body: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(FORMAT.as_bytes());
    hasher.update(b"\n");
    hasher.update(seq.to_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(kind.as_bytes());
    hasher.update(b"\n");
    hasher.update(recorded_at.as_bytes());
    hasher.update(b"\n");
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(body.as_bytes());
    hex::encode(hasher.finalize())
}

fn valid_kind(kind: &str) -> bool {
    !kind.is_empty()
        && kind.len() <= 64
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
}

/// Builds the entry that follows `head`.
pub fn next_entry(
    head: Option<&Head>,
    kind: &str,
    recorded_at: jiff::Timestamp,
    body: &Value,
) -> Result<Entry, ChainError> {
    next_entry_canonical(head, kind, recorded_at, canonical_json(body)?)
}

/// [`next_entry`] for a body already in canonical form ([`canonical_json`]'s output), so a
/// caller that validated the body by encoding it does not encode it twice.
pub fn next_entry_canonical(
    head: Option<&Head>,
    kind: &str,
    recorded_at: jiff::Timestamp,
    body: String,
) -> Result<Entry, ChainError> {
    if !valid_kind(kind) {
        return Err(ChainError::Kind(kind.to_owned()));
    }
    let seq = head.map_or(1, |h| h.seq + 1);
    let prev_hash = head.map_or_else(|| GENESIS.to_owned(), |h| h.hash.clone());
    // Whole seconds with a fixed "Z" suffix keep the text form identical everywhere.
    let recorded_at = recorded_at.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let hash = entry_hash(seq, kind, &recorded_at, &prev_hash, &body);
    Ok(Entry {
        seq,
        kind: kind.to_owned(),
        recorded_at,
        prev_hash,
        hash,
        body,
        signature: None,
    })
}

/// Incremental verifier: feed entries in stored order, then [`Verifier::finish`] with the head.
#[derive(Debug, Default)]
pub struct Verifier {
    last: Option<Head>,
    count: u64,
}

impl Verifier {
    /// A verifier at the start of a chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the next stored entry.
    pub fn push(&mut self, entry: &Entry) -> Result<(), Break> {
        let expected_seq = self.last.as_ref().map_or(1, |h| h.seq + 1);
        let expected_prev = self.last.as_ref().map_or(GENESIS, |h| h.hash.as_str());
        if entry.seq != expected_seq {
            let reason = if entry.seq > expected_seq {
                format!("missing: the next stored entry is #{}", entry.seq)
            } else {
                format!(
                    "out of order: found #{} where #{expected_seq} was expected",
                    entry.seq
                )
            };
            return Err(Break {
                seq: expected_seq,
                reason,
            });
        }
        let recomputed = entry_hash(
            entry.seq,
            &entry.kind,
            &entry.recorded_at,
            &entry.prev_hash,
            &entry.body,
        );
        if recomputed != entry.hash {
            return Err(Break {
                seq: entry.seq,
                reason: "content does not match its hash (edited, or moved from another position)"
                    .into(),
            });
        }
        if entry.prev_hash != expected_prev {
            return Err(Break {
                seq: entry.seq,
                reason: "does not link to the entry before it (an entry was inserted, removed or rewritten before it)".into(),
            });
        }
        self.last = Some(Head {
            seq: entry.seq,
            hash: entry.hash.clone(),
        });
        self.count += 1;
        Ok(())
    }

    /// Compares the end of the chain with the recorded head.
    pub fn finish(self, recorded: Option<&Head>) -> Result<Verified, Break> {
        match (recorded, &self.last) {
            (None, None) => {}
            (Some(recorded), Some(last)) if recorded == last => {}
            (Some(recorded), Some(last)) if recorded.seq > last.seq => {
                return Err(Break {
                    seq: last.seq + 1,
                    reason: format!(
                        "missing: the ledger head records {} entries but the chain ends at #{}",
                        recorded.seq, last.seq
                    ),
                });
            }
            (Some(recorded), None) => {
                return Err(Break {
                    seq: 1,
                    reason: format!(
                        "missing: the ledger head records {} entries but none are stored",
                        recorded.seq
                    ),
                });
            }
            (Some(recorded), Some(last)) if recorded.seq < last.seq => {
                return Err(Break {
                    seq: recorded.seq + 1,
                    reason: format!(
                        "unexpected: entries after the recorded head #{} are stored",
                        recorded.seq
                    ),
                });
            }
            (Some(_), Some(last)) => {
                return Err(Break {
                    seq: last.seq,
                    reason: "the last entry's hash differs from the recorded head".into(),
                });
            }
            (None, Some(_)) => {
                return Err(Break {
                    seq: 1,
                    reason: "entries are stored but the ledger head is missing".into(),
                });
            }
        }
        Ok(Verified {
            entries: self.count,
            head: self.last,
        })
    }
}

/// Checks a verified chain against an anchor: a head recorded outside the ledger (a git ref
/// of the repository, or a file in CI) when an earlier entry was appended. A ledger that was
/// emptied, deleted and re-created, or rolled back has fewer entries than its anchor; one that
/// was rewritten has another hash at the anchored position. `at_anchor` is the stored entry at
/// the anchor's sequence number, if there is one.
pub fn check_anchor(
    verified: &Verified,
    at_anchor: Option<&Entry>,
    anchor: &Head,
    anchor_place: &str,
) -> Result<(), Break> {
    if verified.entries < anchor.seq {
        return Err(Break {
            seq: verified.entries + 1,
            reason: format!(
                "missing: {anchor_place} records entry #{} ({}) but the ledger holds {} entr{} (it was emptied, replaced or rolled back)",
                anchor.seq,
                short(&anchor.hash),
                verified.entries,
                if verified.entries == 1 { "y" } else { "ies" }
            ),
        });
    }
    match at_anchor {
        Some(entry) if entry.hash == anchor.hash => Ok(()),
        _ => Err(Break {
            seq: anchor.seq,
            reason: format!(
                "differs from {anchor_place}, which records its hash as {} (the ledger was rewritten or replaced)",
                short(&anchor.hash)
            ),
        }),
    }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// Verifies a whole chain held in memory.
pub fn verify<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
    head: Option<&Head>,
) -> Result<Verified, Break> {
    let mut verifier = Verifier::new();
    for entry in entries {
        verifier.push(entry)?;
    }
    verifier.finish(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn chain(n: usize) -> (Vec<Entry>, Option<Head>) {
        let mut entries: Vec<Entry> = Vec::new();
        let mut head = None;
        for i in 0..n {
            let at = jiff::Timestamp::from_second(1_700_000_000 + i as i64).unwrap();
            let entry = next_entry(
                head.as_ref(),
                "run",
                at,
                &json!({"i": i, "gates": ["a", "b"]}),
            )
            .unwrap();
            head = Some(Head {
                seq: entry.seq,
                hash: entry.hash.clone(),
            });
            entries.push(entry);
        }
        (entries, head)
    }

    #[test]
    fn canonical_json_sorts_and_rejects_floats() {
        let value = json!({"b": 1, "a": {"d": [true, null, "x\n\u{1}é"], "c": -2}});
        assert_eq!(
            canonical_json(&value).unwrap(),
            r#"{"a":{"c":-2,"d":[true,null,"x\n\u0001é"]},"b":1}"#
        );
        assert!(
            matches!(canonical_json(&json!({"x": 1.5})), Err(ChainError::Float(p)) if p == "$.x")
        );
        assert!(
            matches!(canonical_json(&json!({"a": [1, {"b": 0.5}]})), Err(ChainError::Float(p)) if p == "$.a[1].b")
        );
    }

    #[test]
    fn intact_chain_verifies() {
        let (entries, head) = chain(5);
        let verified = verify(&entries, head.as_ref()).unwrap();
        assert_eq!(verified.entries, 5);
        assert_eq!(verify(&[], None).unwrap().entries, 0);
    }

    #[derive(Debug, Clone)]
    enum Tamper {
        Edit(usize),
        EditAndRehash(usize),
        Delete(usize),
        Insert(usize),
        Swap(usize, usize),
    }

    fn tamper_strategy() -> impl Strategy<Value = (usize, Tamper)> {
        (2usize..25).prop_flat_map(|n| {
            let op = prop_oneof![
                (0..n).prop_map(Tamper::Edit),
                (0..n).prop_map(Tamper::EditAndRehash),
                (0..n).prop_map(Tamper::Delete),
                (0..=n).prop_map(Tamper::Insert),
                (0..n, 0..n)
                    .prop_filter("distinct", |(a, b)| a != b)
                    .prop_map(|(a, b)| Tamper::Swap(a.min(b), a.max(b))),
            ];
            (Just(n), op)
        })
    }

    proptest! {
        /// Any single-row change is detected, at the position where it happened.
        #[test]
        fn any_single_row_tamper_is_detected_at_its_position((n, tamper) in tamper_strategy()) {
            let (mut entries, head) = chain(n);
            let expected_seq = match tamper {
                Tamper::Edit(i) => {
                    entries[i].body = entries[i].body.replace("\"i\":", "\"i\": ");
                    i as u64 + 1
                }
                Tamper::EditAndRehash(i) => {
                    let e = &mut entries[i];
                    e.body = e.body.replace("\"a\"", "\"z\"");
                    e.hash = entry_hash(e.seq, &e.kind, &e.recorded_at, &e.prev_hash, &e.body);
                    // The next entry no longer links to it; for the last one the head disagrees.
                    if i + 1 < n { i as u64 + 2 } else { i as u64 + 1 }
                }
                Tamper::Delete(i) => {
                    entries.remove(i);
                    i as u64 + 1
                }
                Tamper::Insert(i) => {
                    // A forged entry that links correctly to its predecessor, renumbering nothing.
                    let prev = if i == 0 { None } else { Some(Head { seq: entries[i - 1].seq, hash: entries[i - 1].hash.clone() }) };
                    let at = jiff::Timestamp::from_second(1_800_000_000).unwrap();
                    let forged = next_entry(prev.as_ref(), "run", at, &json!({"forged": true})).unwrap();
                    entries.insert(i, forged);
                    if i < n { i as u64 + 2 } else { i as u64 + 1 }
                }
                Tamper::Swap(a, b) => {
                    // Rows keep their positions' sequence numbers, swap everything else.
                    let (sa, sb) = (entries[a].seq, entries[b].seq);
                    entries.swap(a, b);
                    entries[a].seq = sa;
                    entries[b].seq = sb;
                    a as u64 + 1
                }
            };
            let broken = verify(&entries, head.as_ref()).unwrap_err();
            prop_assert_eq!(broken.seq, expected_seq, "{:?}: {}", tamper, broken);
        }
    }
}
