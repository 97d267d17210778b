#![no_main]
//! The YAML layer never panics and never recurses without bound.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = harden_formats::yaml::parse(text);
    }
});
