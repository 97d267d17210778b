#![no_main]
//! Terraform (hcl-edit) and Bicep: parsing never panics, never recurses without bound, and
//! every position it reports lies inside the text.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().count().max(1) + 1;
    if let Ok(tf) = harden_formats::terraform::Terraform::parse(&text) {
        for resource in tf.resources() {
            let (line, _) = tf.position(resource.block);
            assert!(line as usize <= lines);
        }
    }
    for resource in harden_formats::bicep::resources(&text) {
        assert!(resource.line as usize <= lines);
        let _ = resource.body.text();
    }
});
