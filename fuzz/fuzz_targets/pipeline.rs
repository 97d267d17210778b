#![no_main]
//! Every pipeline format parses any text into a model or an error, never a panic.

use harden_formats::pipeline::{Kind, parse};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for kind in [Kind::GithubWorkflow, Kind::GithubAction, Kind::Gitlab] {
            let _ = parse(kind, text);
        }
    }
});
