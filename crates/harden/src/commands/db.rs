//! `harden db import|status`: the local advisory database.

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use harden_advisory_db::{DEFAULT_LOCATION, DbError, Index};

use crate::cli::DbArgs;
use crate::{UsageError, output};

/// Where the database is: named by the user (flag or environment), else the repository's
/// `.harden/advisories.db`, which must stay inside the repository.
pub(crate) fn location(repo: &Path, named: Option<&Path>) -> anyhow::Result<(PathBuf, bool)> {
    if let Some(path) = named {
        return Ok((path.to_path_buf(), true));
    }
    if !repo.is_dir() {
        return Err(UsageError(format!("{} is not a directory", repo.display())).into());
    }
    Ok((repo.join(DEFAULT_LOCATION), false))
}

/// The errors of records that could not be read, at most this many listed.
const LISTED_ERRORS: usize = 20;

fn usage(error: DbError) -> anyhow::Error {
    match error {
        DbError::Records { listed, total } => {
            for e in listed.iter().take(LISTED_ERRORS) {
                output::error(&e.to_string());
            }
            let more = total.saturating_sub(LISTED_ERRORS);
            let tail = if more > 0 {
                format!(" ({more} more not listed)")
            } else {
                String::new()
            };
            UsageError(format!(
                "{total} record(s) could not be read{tail}; nothing was imported"
            ))
            .into()
        }
        other => UsageError(other.to_string()).into(),
    }
}

pub(crate) fn import(args: &DbArgs, sources: &[PathBuf]) -> anyhow::Result<u8> {
    let (path, named) = location(&args.repo, args.database.as_deref())?;
    if !named {
        crate::confined::create_parents(&args.repo, &path)?;
    }
    let mut index = Index::create(&path).map_err(usage)?;
    let terminal = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let progress = |read: u64| {
        if terminal && read > 0 && read.is_multiple_of(5000) {
            output::note(&format!("read {read} records..."));
        }
    };
    let now = harden_engine::Clock::now(&crate::clock::SystemClock)
        .round(jiff::Unit::Second)
        .map_or_else(|_| String::new(), |t| t.to_string());
    let report = index.import(sources, &now, &progress).map_err(usage)?;
    output::emit(
        &format!(
            "{}: read {} records in {:.1} s: {} added, {} replaced, {} unchanged ({} withdrawn, never matched)\n",
            path.display(),
            report.read,
            started.elapsed().as_secs_f64(),
            report.added,
            report.replaced,
            report.unchanged,
            report.withdrawn,
        ),
        None,
    )?;
    Ok(0)
}

pub(crate) fn status(args: &DbArgs) -> anyhow::Result<u8> {
    let (path, named) = location(&args.repo, args.database.as_deref())?;
    if !named {
        crate::confined::check(&args.repo, &path)?;
    }
    let index = Index::open(&path).map_err(usage)?;
    let status = index.status().map_err(|e| UsageError(e.to_string()))?;
    let mut text = format!("{}\n", status.location);
    let total: u64 = status.records.iter().map(|(_, n)| n).sum();
    for (ecosystem, count) in &status.records {
        let _ = writeln!(text, "  {ecosystem:<12} {count:>7} advisories");
    }
    let _ = writeln!(text, "  {:<12} {total:>7}", "total");
    let now = harden_engine::Clock::now(&crate::clock::SystemClock);
    let age = |time: &Option<String>| -> String {
        time.as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .map_or_else(
                || "unknown".to_owned(),
                |t| {
                    let days = (now.as_second() - t.as_second()) / 86_400;
                    format!("{t} ({days} days ago)")
                },
            )
    };
    let _ = write!(
        text,
        "  newest record modified {}\n  imported {}\n",
        age(&status.newest_modified),
        age(&status.imported_at)
    );
    output::emit(&text, None)?;
    Ok(0)
}
