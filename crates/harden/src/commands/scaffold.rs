//! `harden scaffold`: the documents seed 001 asks for, with every team-specific answer left as a
//! `TODO(harden):` marker. A scaffold is a start, never a pass: `R7.runbooks` fails while a
//! marker remains in the disaster-recovery, migration-recovery or on-call document.

use std::fmt::Write as _;
use std::path::Path;

use crate::cli::ScaffoldKind;
use crate::{UsageError, output};

/// The marker that says "this still needs an answer".
pub(crate) const PLACEHOLDER: &str = harden_gates::PLACEHOLDER;

/// Each kind's documents: repository path and text.
fn documents(kind: ScaffoldKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        ScaffoldKind::IncidentResponse => &[(
            "sdlc/incident-response.md",
            include_str!("../scaffold/incident-response.md"),
        )],
        ScaffoldKind::Runbooks => &[
            (
                "sdlc/runbooks/disaster-recovery.md",
                include_str!("../scaffold/disaster-recovery.md"),
            ),
            (
                "sdlc/runbooks/migration-recovery.md",
                include_str!("../scaffold/migration-recovery.md"),
            ),
            (
                "sdlc/runbooks/on-call.md",
                include_str!("../scaffold/on-call.md"),
            ),
            (
                "sdlc/runbooks/database-issues.md",
                include_str!("../scaffold/database-issues.md"),
            ),
            (
                "sdlc/runbooks/high-traffic.md",
                include_str!("../scaffold/high-traffic.md"),
            ),
            (
                "sdlc/runbooks/third-party-outage.md",
                include_str!("../scaffold/third-party-outage.md"),
            ),
            (
                "sdlc/runbooks/deployment-failure.md",
                include_str!("../scaffold/deployment-failure.md"),
            ),
            (
                "sdlc/runbooks/security-incident.md",
                include_str!("../scaffold/security-incident.md"),
            ),
        ],
        ScaffoldKind::Observability => &[(
            "sdlc/observability.md",
            include_str!("../scaffold/observability.md"),
        )],
        ScaffoldKind::SecurityAudit => &[(
            "sdlc/security-audit.md",
            include_str!("../scaffold/security-audit.md"),
        )],
    }
}

/// Writes the documents of `kind` under `root`, leaving existing files alone unless `force`.
pub(crate) fn run(root: &Path, kind: ScaffoldKind, force: bool) -> anyhow::Result<u8> {
    if !root.is_dir() {
        return Err(UsageError(format!("{} is not a directory", root.display())).into());
    }
    let mut report = String::new();
    let mut placeholders = 0;
    for (relative, text) in documents(kind) {
        let path = root.join(relative);
        crate::confined::create_parents(root, &path)?;
        if path.exists() && !force {
            let _ = writeln!(report, "kept     {relative} (exists; --force to overwrite)");
            continue;
        }
        fs_err::write(&path, text)?;
        let count = text.matches(PLACEHOLDER).count();
        placeholders += count;
        let _ = writeln!(report, "wrote    {relative} ({count} placeholders)");
    }
    if placeholders > 0 {
        let _ = write!(
            report,
            "\nReplace every `{PLACEHOLDER}` marker ({placeholders} in all) with this team's answer: a scaffold is a start, never a pass, and R7.runbooks fails while one remains in a runbook.\n"
        );
    }
    output::emit(&report, None)?;
    Ok(0)
}
