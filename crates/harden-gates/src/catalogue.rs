use std::fmt::Write as _;

use harden_model::{GateMeta, Round};

/// The gate catalogue as Markdown (`docs/GATES.md`), generated from the gates' metadata so the
/// documentation cannot drift from the code; a test fails when the file is stale.
pub fn catalogue_markdown(catalogue: &[&'static GateMeta]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Gate catalogue\n");
    let _ = writeln!(
        out,
        "Generated from the gates' metadata by `HARDEN_BLESS=1 cargo test -p harden --test generated`; do not edit.\n"
    );
    let _ = writeln!(
        out,
        "| Gate | Round | Severity | Profile | Title |\n|---|---|---|---|---|"
    );
    for gate in catalogue {
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} | {} | {} |",
            gate.id,
            gate.id.as_str().replace('.', "").to_lowercase(),
            gate.round.code(),
            gate.severity,
            gate.min_profile.as_str(),
            gate.title
        );
    }
    for round in Round::ALL {
        let gates: Vec<_> = catalogue.iter().filter(|g| g.round == round).collect();
        if gates.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n## {} {}", round.code(), round.name());
        for gate in gates {
            let _ = writeln!(out, "\n### {}\n", gate.id);
            let _ = writeln!(
                out,
                "**{}**. Severity {}, profile {} and above, target {:?}.\n",
                gate.title,
                gate.severity,
                gate.min_profile.as_str(),
                gate.target
            );
            let _ = writeln!(out, "{}\n", gate.rationale);
            let _ = writeln!(
                out,
                "Evidence: {}.",
                gate.evidence
                    .iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if !gate.options.is_empty() {
                let _ = writeln!(out, "\nOptions in `[gates.\"{}\"]`:\n", gate.id);
                for option in gate.options {
                    let _ = writeln!(
                        out,
                        "- `{}` ({}): {}",
                        option.key,
                        option.kind.expectation(),
                        option.help
                    );
                }
            }
        }
    }
    out
}
