#![no_main]
//! The Dockerfile parser accepts any text.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let file = harden_formats::dockerfile::parse(text);
        for stage in &file.stages {
            let _ = file.resolved_image(stage);
        }
    }
});
