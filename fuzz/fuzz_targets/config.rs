#![no_main]
//! harden.toml and plan files: the spanned walker never panics and never recurses without
//! bound, and every diagnostic renders (a window of long lines, masked secrets).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(diagnostics) = harden_config::load("harden.toml", text, &[]) {
            let _ = diagnostics.to_string();
        }
        if let Err(diagnostics) = harden_config::plan::load_plan("plan.toml", "fuzz", text, &[]) {
            let _ = diagnostics.to_string();
        }
    }
});
