//! Secret detection over bytes, independent of gates (like `grep-searcher` for ripgrep).
//!
//! A rule has keywords, a regular expression with the secret in one capture group, and optional
//! checks (minimum entropy, a format validator such as the CRC32 suffix of GitHub tokens). An
//! Aho-Corasick automaton over every rule's keywords finds where rules are worth running, and a
//! rule's regex then runs only on the lines around its keywords. Base64, URL-encoded and hex runs
//! that decode to text are scanned too (two layers deep, within a byte budget). Matches carry the
//! secret as a [`harden_model::Secret`], which never prints in full.

mod decode;
mod detector;
mod keywords;
mod mask;
mod rules;
mod validate;

pub use decode::Encoding;
pub use detector::{
    CHECKSUM_DOUBT, CustomRule, Detector, DetectorConfig, DetectorError, LETTERS_ONLY_DOUBT, Match,
    typed_placeholder,
};
pub use mask::{cached, mask, mask_also, mask_json};
pub use rules::{KeywordCheck, RULES, Rule};
pub use validate::shannon_entropy;
