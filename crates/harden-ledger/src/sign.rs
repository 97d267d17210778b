//! Signed heads: each appended entry's head (its sequence number and hash, which commits to
//! every entry before it) signed with an Ed25519 key that lives outside the ledger and outside
//! harden.toml. Whoever can write the database can recompute a consistent chain, but cannot sign
//! it: verifying the signatures with the public key, kept elsewhere, shows which entries the
//! key holder appended.
//!
//! The signed message is `harden-ledger-head/1\n<seq>\n<hash>` (no trailing newline), so an
//! export verifies with standard tools (docs/LEDGER.md shows it with `openssl pkeyutl`).

use base64::Engine as _;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::chain::{Break, Entry};

/// The format tag that starts every signed head.
pub const HEAD_FORMAT: &str = "harden-ledger-head/1";

/// The bytes signed for the head at entry `seq` with hash `hash`.
pub fn head_message(seq: u64, hash: &str) -> String {
    format!("{HEAD_FORMAT}\n{seq}\n{hash}")
}

/// A head's signature as stored beside its entry and exported with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HeadSignature {
    /// Which key signed: the first 16 hex digits of SHA-256 over its 32-byte public key.
    pub key: String,
    /// The 64-byte Ed25519 signature, base64 (standard alphabet, padded).
    pub sig: String,
}

/// Why a key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(String);

fn key_id(public: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(public.as_bytes())[..8])
}

/// The private key that signs heads.
pub struct HeadSigner {
    key: SigningKey,
    id: String,
}

impl std::fmt::Debug for HeadSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself.
        f.debug_struct("HeadSigner")
            .field("key", &self.id)
            .finish_non_exhaustive()
    }
}

impl HeadSigner {
    /// A signer from an Ed25519 private key in PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, as
    /// `openssl genpkey -algorithm ed25519` writes it). The error never quotes the text.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = SigningKey::from_pkcs8_pem(pem.trim()).map_err(|e| {
            KeyError(format!(
                "not an Ed25519 private key in PKCS#8 PEM (`openssl genpkey -algorithm ed25519` writes one): {e}"
            ))
        })?;
        let id = key_id(&key.verifying_key());
        Ok(Self { key, id })
    }

    /// The key's id, as signatures name it.
    pub fn key_id(&self) -> &str {
        &self.id
    }

    /// The key itself, for the attestations signed with it.
    pub(crate) fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The matching public key, to verify with.
    pub fn verifier(&self) -> HeadVerifier {
        HeadVerifier {
            key: self.key.verifying_key(),
            id: self.id.clone(),
        }
    }

    /// Signs the head at entry `seq` with hash `hash`.
    pub fn sign(&self, seq: u64, hash: &str) -> HeadSignature {
        let signature = self.key.sign(head_message(seq, hash).as_bytes());
        HeadSignature {
            key: self.id.clone(),
            sig: base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
        }
    }
}

/// The public key that verifies heads.
#[derive(Debug, Clone)]
pub struct HeadVerifier {
    key: VerifyingKey,
    id: String,
}

impl HeadVerifier {
    /// A verifier from an Ed25519 public key in SPKI PEM (`-----BEGIN PUBLIC KEY-----`, as
    /// `openssl pkey -pubout` writes it).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = VerifyingKey::from_public_key_pem(pem.trim()).map_err(|e| {
            KeyError(format!(
                "not an Ed25519 public key in PEM (`openssl pkey -in KEY -pubout` writes one): {e}"
            ))
        })?;
        let id = key_id(&key);
        Ok(Self { key, id })
    }

    /// The key's id, as signatures name it.
    pub fn key_id(&self) -> &str {
        &self.id
    }

    /// The key itself, for the attestations it verifies.
    pub(crate) fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Whether `signature` is this key's signature of the head at `seq` with `hash`, or why not.
    pub fn check(&self, seq: u64, hash: &str, signature: &HeadSignature) -> Result<(), String> {
        if signature.key != self.id {
            return Err(format!(
                "signed by key {}, not by the key given ({})",
                signature.key, self.id
            ));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&signature.sig)
            .map_err(|_| "its signature is not base64".to_owned())?;
        let bytes: [u8; 64] = bytes
            .try_into()
            .map_err(|_| "its signature is not 64 bytes long".to_owned())?;
        self.key
            .verify(
                head_message(seq, hash).as_bytes(),
                &ed25519_dalek::Signature::from_bytes(&bytes),
            )
            .map_err(|_| "its signature does not verify".to_owned())
    }
}

/// Checks the signatures of a chain's entries, in order. Entries before the first signed one
/// were appended before signing was set up; from the first signed entry on, every entry must
/// carry a valid signature: a removed signature is as much a break as a forged one.
#[derive(Debug)]
pub struct SignatureCheck<'v> {
    verifier: &'v HeadVerifier,
    first_signed: Option<u64>,
    signed: u64,
    unsigned: u64,
}

/// What a signature check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignaturesVerified {
    /// Entries with a valid signature.
    pub signed: u64,
    /// Entries appended before signing began.
    pub unsigned_before: u64,
}

impl<'v> SignatureCheck<'v> {
    /// A check with `verifier`'s key.
    pub fn new(verifier: &'v HeadVerifier) -> Self {
        Self {
            verifier,
            first_signed: None,
            signed: 0,
            unsigned: 0,
        }
    }

    /// Checks the next entry.
    pub fn push(&mut self, entry: &Entry) -> Result<(), Break> {
        match (&entry.signature, self.first_signed) {
            (Some(signature), _) => {
                self.verifier
                    .check(entry.seq, &entry.hash, signature)
                    .map_err(|reason| Break {
                        seq: entry.seq,
                        reason,
                    })?;
                self.first_signed.get_or_insert(entry.seq);
                self.signed += 1;
                Ok(())
            }
            (None, Some(first)) => Err(Break {
                seq: entry.seq,
                reason: format!(
                    "it has no signature, though the entries from #{first} on are signed"
                ),
            }),
            (None, None) => {
                self.unsigned += 1;
                Ok(())
            }
        }
    }

    /// The result once every entry was pushed.
    pub fn finish(self) -> SignaturesVerified {
        SignaturesVerified {
            signed: self.signed,
            unsigned_before: self.unsigned,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test key from a fixed seed, as PKCS#8 PEM (built here: a key written out in the
    /// source would be one more key in the repository for harden's own secret scan).
    fn test_key(seed: u8) -> String {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        SigningKey::from_bytes(&[seed; 32])
            .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .unwrap()
            .to_string()
    }

    fn entry(seq: u64, hash: &str, signature: Option<HeadSignature>) -> Entry {
        Entry {
            seq,
            kind: "run".into(),
            recorded_at: "2026-12-06T00:00:00Z".into(),
            prev_hash: String::new(),
            hash: hash.into(),
            body: "{}".into(),
            signature,
        }
    }

    #[test]
    fn a_signature_verifies_for_its_head_only() {
        let signer = HeadSigner::from_pem(&test_key(7)).unwrap();
        let verifier = signer.verifier();
        let signature = signer.sign(3, "ab");
        assert_eq!(verifier.check(3, "ab", &signature), Ok(()));
        assert!(verifier.check(4, "ab", &signature).is_err());
        assert!(verifier.check(3, "ac", &signature).is_err());
        let other = HeadSignature {
            key: "0000000000000000".into(),
            ..signature.clone()
        };
        assert!(
            verifier
                .check(3, "ab", &other)
                .unwrap_err()
                .contains("not by the key given")
        );
        assert!(!format!("{signer:?}").contains("MC4C"));
    }

    #[test]
    fn from_the_first_signed_entry_every_entry_must_be_signed() {
        let signer = HeadSigner::from_pem(&test_key(7)).unwrap();
        let verifier = signer.verifier();
        let mut check = SignatureCheck::new(&verifier);
        check.push(&entry(1, "a", None)).unwrap();
        check
            .push(&entry(2, "b", Some(signer.sign(2, "b"))))
            .unwrap();
        let removed = check.push(&entry(3, "c", None)).unwrap_err();
        assert_eq!(removed.seq, 3);
        let mut check = SignatureCheck::new(&verifier);
        check
            .push(&entry(1, "a", Some(signer.sign(1, "a"))))
            .unwrap();
        let forged = check
            .push(&entry(2, "b", Some(signer.sign(2, "x"))))
            .unwrap_err();
        assert_eq!(
            (forged.seq, forged.reason.as_str()),
            (2, "its signature does not verify")
        );
        let mut check = SignatureCheck::new(&verifier);
        check.push(&entry(1, "a", None)).unwrap();
        check
            .push(&entry(2, "b", Some(signer.sign(2, "b"))))
            .unwrap();
        assert_eq!(
            check.finish(),
            SignaturesVerified {
                signed: 1,
                unsigned_before: 1
            }
        );
    }

    #[test]
    fn keys_that_are_not_ed25519_pem_are_refused_without_quoting_them() {
        let error = HeadSigner::from_pem(
            "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----",
        )
        .unwrap_err();
        assert!(!error.to_string().contains("c2VjcmV0"));
        assert!(HeadVerifier::from_pem(&test_key(7)).is_err());
    }
}
