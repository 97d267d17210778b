#![no_main]
//! The secret detector takes any bytes (invalid UTF-8, nested encodings, huge lines) without
//! panicking, and every match lies inside the text with a position that agrees with its offset.

use std::sync::OnceLock;

use harden_secrets::{Detector, RULES};

fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| Detector::new(RULES).expect("built-in rules compile"))
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    for found in detector().scan(data) {
        assert!(found.start <= found.end && found.end <= data.len());
        let line = data[..found.start].iter().filter(|&&b| b == b'\n').count() + 1;
        assert_eq!(found.position.line as usize, line);
        assert!(!found.secret.expose().is_empty());
    }
});
