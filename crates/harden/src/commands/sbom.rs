//! `harden sbom`: the bill of materials of a repository's lockfiles.

use crate::cli::{SbomArgs, SbomFormat};
use crate::output;
use crate::session::Session;

pub(crate) fn run(args: &SbomArgs) -> anyhow::Result<u8> {
    let session = Session::open_for_reading(&args.repo.path, &args.repo.locations)?;
    let inventory =
        harden_gates::inventory::collect(session.worktree(), &harden_engine::RunCache::default())?;
    for (path, why) in &inventory.unreadable {
        output::warning(&format!("{path}: {why}: its packages are not in the SBOM"));
    }
    let name = session.config.service.name.clone().unwrap_or_else(|| {
        std::fs::canonicalize(&args.repo.path)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "repository".to_owned())
    });
    let commit = session.head_commit();
    let now = harden_engine::Clock::now(&session.clock)
        .round(jiff::Unit::Second)
        .map_or_else(|_| String::new(), |t| t.to_string());
    let subject = harden_sbom::Subject {
        name: &name,
        version: commit.as_deref(),
        tool_version: env!("CARGO_PKG_VERSION"),
        timestamp: Some(&now),
    };
    let document = match args.format {
        SbomFormat::CyclonedxJson => harden_sbom::cyclonedx(&subject, &inventory.packages),
        SbomFormat::SpdxJson => harden_sbom::spdx(&subject, &inventory.packages),
    };
    let text = format!("{}\n", serde_json::to_string_pretty(&document)?);
    output::emit(&text, args.output.as_deref())?;
    if inventory.unreadable.is_empty() {
        Ok(0)
    } else {
        Ok(1)
    }
}
