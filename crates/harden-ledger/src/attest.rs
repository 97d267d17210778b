//! Attestations: a recorded run's gate results as an in-toto Statement (v1) about an artifact,
//! signed as a DSSE envelope with the ledger's signing key, so a promotion can be decided on
//! another machine from the envelope alone.
//!
//! The predicate (`harden-run/v1`, JSON Schema in `docs/schemas/attestation-run-v1.schema.json`)
//! carries outcomes and counts only: no finding's message, snippet or location, so nothing a
//! gate saw (a secret among them) ever enters a signed payload.

use base64::Engine as _;
use ed25519_dalek::{Signer as _, Verifier as _};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::proof::TreeHead;
use crate::sign::{HeadSigner, HeadVerifier};

/// The in-toto Statement type this module writes.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The predicate type of a run attestation: a non-resolving URI naming harden's format,
/// described by `docs/schemas/attestation-run-v1.schema.json`.
pub const PREDICATE_TYPE: &str = "urn:harden:predicate:run:v1";
/// The DSSE payload type of an in-toto Statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// What the attestation is about: an artifact, by digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Subject {
    /// The artifact's name, or `_` when it has none that matters.
    pub name: String,
    /// Its digests by algorithm (`sha256`), lowercase hex.
    pub digest: std::collections::BTreeMap<String, String>,
}

/// An in-toto Statement v1 with a run predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// Always [`STATEMENT_TYPE`].
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// The artifacts the run vouches for.
    pub subject: Vec<Subject>,
    /// Always [`PREDICATE_TYPE`].
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The run.
    pub predicate: RunPredicate,
}

/// Where the run is in its ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LedgerPosition {
    /// The run's entry number.
    pub seq: u64,
    /// The run's entry hash (it commits to every entry before it).
    pub hash: String,
    /// The ledger's Merkle tree head when the attestation was made (see `ledger prove`).
    pub tree: TreeHead,
}

/// Gate counts of the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Gates that failed.
    pub failed: u64,
    /// Gates that passed.
    pub passed: u64,
    /// Gates whose failures were all waived.
    pub waived: u64,
    /// Gates that did not run.
    pub skipped: u64,
}

/// One gate's result, without its findings' content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GateOutcome {
    /// Gate id (`R3.secrets.tree`).
    pub id: String,
    /// `pass`, `fail`, `waived` or `skipped`.
    pub outcome: String,
    /// The gate's severity.
    pub severity: String,
    /// How many findings it reported (their content stays in the ledger).
    pub findings: u64,
}

/// The predicate `urn:harden:predicate:run:v1`: one recorded run's gate results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RunPredicate {
    /// Always `harden-run/v1`.
    pub format: String,
    /// The run's id.
    pub run_id: String,
    /// harden's version that ran it.
    pub harden_version: String,
    /// The service, as harden.toml names it.
    pub service: Option<String>,
    /// The profile run.
    pub profile: String,
    /// Whether skipped required gates failed the run (`--strict`).
    pub strict: bool,
    /// The commit examined.
    pub commit: Option<String>,
    /// Whether the working tree differed from the commit.
    pub dirty: Option<bool>,
    /// The artifact digest the run was told it vouches for (`check --artifact`).
    pub artifact: Option<String>,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// When the run finished (RFC 3339).
    pub finished_at: String,
    /// Gate counts.
    pub summary: Summary,
    /// Every gate's outcome.
    pub gates: Vec<GateOutcome>,
    /// The run's place in the ledger.
    pub ledger: LedgerPosition,
}

/// The format tag of [`RunPredicate`].
pub const PREDICATE_FORMAT: &str = "harden-run/v1";

impl RunPredicate {
    /// The predicate of the run recorded as `body` (a `harden.report/v1` document) at
    /// `position`; `None` when the body is no run report.
    pub fn from_report(body: &serde_json::Value, position: LedgerPosition) -> Option<Self> {
        let text = |key: &str| body[key].as_str().map(str::to_owned);
        let count = |key: &str| body["summary"][key].as_u64();
        if body["schema"].as_str() != Some("harden.report/v1") {
            return None;
        }
        Some(Self {
            format: PREDICATE_FORMAT.to_owned(),
            run_id: text("run_id")?,
            harden_version: text("version")?,
            service: text("service"),
            profile: text("profile")?,
            strict: body["strict"].as_bool().unwrap_or(false),
            commit: text("commit"),
            dirty: body["dirty"].as_bool(),
            artifact: text("artifact"),
            started_at: text("started_at")?,
            finished_at: text("finished_at")?,
            summary: Summary {
                failed: count("failed")?,
                passed: count("passed")?,
                waived: count("waived")?,
                skipped: count("skipped")?,
            },
            gates: body["gates"]
                .as_array()?
                .iter()
                .filter_map(|gate| {
                    Some(GateOutcome {
                        id: gate["id"].as_str()?.to_owned(),
                        outcome: gate["outcome"].as_str()?.to_owned(),
                        severity: gate["severity"].as_str()?.to_owned(),
                        findings: gate["findings"].as_array().map_or(0, |f| f.len() as u64),
                    })
                })
                .collect(),
            ledger: position,
        })
    }
}

/// A DSSE envelope (v1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Envelope {
    /// Always [`PAYLOAD_TYPE`].
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// The Statement's JSON, base64 (standard, padded).
    pub payload: String,
    /// Its signatures.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One DSSE signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EnvelopeSignature {
    /// The signing key's id (as ledger signatures name it).
    pub keyid: String,
    /// Ed25519 over the pre-authentication encoding, base64.
    pub sig: String,
}

/// DSSE's pre-authentication encoding: `DSSEv1 <len(type)> <type> <len(body)> <body>`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// Why an envelope does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AttestationError(pub String);

impl Envelope {
    /// Signs `statement` with `signer`.
    pub fn sign(statement: &Statement, signer: &HeadSigner) -> Result<Self, AttestationError> {
        let payload = serde_json::to_vec(statement).map_err(|e| AttestationError(e.to_string()))?;
        let signature = signer.key().sign(&pae(PAYLOAD_TYPE, &payload));
        let b64 = base64::engine::general_purpose::STANDARD;
        Ok(Self {
            payload_type: PAYLOAD_TYPE.to_owned(),
            payload: b64.encode(&payload),
            signatures: vec![EnvelopeSignature {
                keyid: signer.key_id().to_owned(),
                sig: b64.encode(signature.to_bytes()),
            }],
        })
    }

    /// The statement, once a signature by `verifier`'s key verifies over it.
    pub fn open(&self, verifier: &HeadVerifier) -> Result<Statement, AttestationError> {
        let fail = |why: &str| AttestationError(why.to_owned());
        if self.payload_type != PAYLOAD_TYPE {
            return Err(AttestationError(format!(
                "payload type `{}` is not `{PAYLOAD_TYPE}`",
                self.payload_type
            )));
        }
        let b64 = base64::engine::general_purpose::STANDARD;
        let payload = b64
            .decode(&self.payload)
            .map_err(|_| fail("the payload is not base64"))?;
        let message = pae(&self.payload_type, &payload);
        let signed = self.signatures.iter().any(|signature| {
            b64.decode(&signature.sig)
                .ok()
                .and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
                .is_some_and(|bytes| {
                    verifier
                        .key()
                        .verify(&message, &ed25519_dalek::Signature::from_bytes(&bytes))
                        .is_ok()
                })
        });
        if !signed {
            return Err(AttestationError(format!(
                "no signature by key {} verifies over the payload",
                verifier.key_id()
            )));
        }
        let statement: Statement = serde_json::from_slice(&payload).map_err(|e| {
            AttestationError(format!("the payload is not a harden run statement: {e}"))
        })?;
        if statement.statement_type != STATEMENT_TYPE
            || statement.predicate_type != PREDICATE_TYPE
            || statement.predicate.format != PREDICATE_FORMAT
        {
            return Err(AttestationError(format!(
                "the statement is `{}` / `{}`, not an in-toto v1 statement of `{PREDICATE_TYPE}`",
                statement.statement_type, statement.predicate_type
            )));
        }
        Ok(statement)
    }
}

/// The JSON Schema of [`RunPredicate`], as published in
/// `docs/schemas/attestation-run-v1.schema.json`.
pub fn predicate_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(RunPredicate)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(seed: u8) -> HeadSigner {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        let pem = ed25519_dalek::SigningKey::from_bytes(&[seed; 32])
            .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .unwrap();
        HeadSigner::from_pem(&pem).unwrap()
    }

    fn statement() -> Statement {
        Statement {
            statement_type: STATEMENT_TYPE.into(),
            subject: vec![Subject {
                name: "_".into(),
                digest: [("sha256".to_owned(), "ab".repeat(32))].into(),
            }],
            predicate_type: PREDICATE_TYPE.into(),
            predicate: RunPredicate {
                format: PREDICATE_FORMAT.into(),
                run_id: "r".into(),
                harden_version: "0".into(),
                service: None,
                profile: "production".into(),
                strict: true,
                commit: Some("c".repeat(40)),
                dirty: Some(false),
                artifact: None,
                started_at: "2026-12-06T00:00:00Z".into(),
                finished_at: "2026-12-06T00:00:01Z".into(),
                summary: Summary {
                    failed: 0,
                    passed: 1,
                    waived: 0,
                    skipped: 0,
                },
                gates: vec![],
                ledger: LedgerPosition {
                    seq: 1,
                    hash: "0".repeat(64),
                    tree: TreeHead {
                        size: 1,
                        root: "1".repeat(64),
                    },
                },
            },
        }
    }

    #[test]
    fn an_envelope_opens_with_its_key_only_and_not_once_changed() {
        let (key, other) = (signer(3), signer(4));
        let envelope = Envelope::sign(&statement(), &key).unwrap();
        assert_eq!(envelope.open(&key.verifier()).unwrap(), statement());
        assert!(envelope.open(&other.verifier()).is_err());
        let mut changed = envelope.clone();
        let b64 = base64::engine::general_purpose::STANDARD;
        let text = String::from_utf8(b64.decode(&changed.payload).unwrap()).unwrap();
        changed.payload = b64.encode(text.replace("\"failed\":0", "\"failed\":1"));
        assert!(
            changed
                .open(&key.verifier())
                .unwrap_err()
                .0
                .contains("no signature")
        );
    }

    #[test]
    fn the_pre_authentication_encoding_is_dsse_v1() {
        assert_eq!(
            pae("application/vnd.in-toto+json", b"{}"),
            b"DSSEv1 28 application/vnd.in-toto+json 2 {}".to_vec()
        );
    }
}
