#![no_main]
//! Manifest and lockfile parsers accept any text.

use std::collections::BTreeMap;

use harden_formats::lockfiles;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (workspace, _) = lockfiles::cargo_workspace("Cargo.toml", text);
        let _ = lockfiles::cargo_requirements("Cargo.toml", text, &workspace);
        let _ = lockfiles::cargo_requirements("Cargo.toml", text, &BTreeMap::new());
        let _ = lockfiles::cargo_lock("Cargo.lock", text);
        let _ = lockfiles::npm_requirements("package.json", text);
        let _ = lockfiles::npm_lock("package-lock.json", text);
        let _ = lockfiles::pyproject_requirements("pyproject.toml", text);
        let _ = lockfiles::python_locked_names(text);
        let requested = lockfiles::npm_requirements("package.json", text).unwrap_or_default();
        let overridden = lockfiles::npm_overrides(text);
        let _ = lockfiles::npm_workspaces(text);
        let _ = lockfiles::uv_workspace_members(text);
        let _ = lockfiles::check_yarn(&requested, text, "yarn.lock", &overridden);
        let _ = lockfiles::check_pnpm(
            &requested,
            &harden_formats::yaml::parse(text),
            ".",
            "pnpm-lock.yaml",
        );
        let _ = lockfiles::requirements_txt("requirements.txt", text);
        let requirements = lockfiles::go_requirements("go.mod", text);
        let _ = lockfiles::check_go(&requirements, text, "go.sum");
    }
});
