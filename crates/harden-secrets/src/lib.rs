//! Secret detection over bytes, independent of gates (like `grep-searcher` for ripgrep).
//!
//! A rule has keywords, a regular expression with the secret in one capture group, and optional
//! checks (minimum entropy, a format validator such as the CRC32 suffix of GitHub tokens). An
//! Aho-Corasick automaton over every rule's keywords finds the rules worth running on a text, so
//! regexes run only on texts that contain one of their keywords. Matches carry the secret as a
//! [`harden_model::Secret`], which never prints in full.

mod detector;
mod rules;
mod validate;

pub use detector::{Detector, Match};
pub use rules::{RULES, Rule};
pub use validate::shannon_entropy;
