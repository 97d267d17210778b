//! The repository's locked packages: every lockfile the inventory reads, outside installed
//! packages, build output and test data. Shared by R4.vulns, R4.sbom and `harden sbom`.

use harden_engine::{PortError, RepoView};
use harden_formats::lockfiles::{self, Dependency, Problem};

/// Directories whose lockfiles are not the project's: installed packages, build output, and
/// test data that pins old versions on purpose.
pub const NOT_THE_PROJECT: &[&str] = &[
    "node_modules",
    "vendor",
    "target",
    ".venv",
    "venv",
    "dist",
    "build",
    "testdata",
    "fixtures",
    "__fixtures__",
];

/// What the lockfiles of a repository lock.
#[derive(Debug, Default)]
pub struct Inventory {
    /// Lockfiles read, in path order.
    pub lockfiles: Vec<String>,
    /// Every locked package, lockfile by lockfile.
    pub packages: Vec<Dependency>,
    /// Lockfiles that could not be parsed, with why.
    pub unreadable: Vec<(String, String)>,
}

/// Whether `path` is a lockfile of the project (not one under installed packages or test data).
pub fn is_project_lockfile(path: &str) -> bool {
    lockfiles::is_lockfile(path) && !path.split('/').any(|part| NOT_THE_PROJECT.contains(&part))
}

/// Reads every project lockfile of `repo`.
pub fn collect(repo: &dyn RepoView) -> Result<Inventory, PortError> {
    let mut inventory = Inventory::default();
    let limit = crate::support::MAX_PARSED_BYTES;
    for path in repo.files()?.iter().filter(|p| is_project_lockfile(p)) {
        // A parsed lockfile costs several times its text: past the bound it is not read.
        if let Some(size) = repo.size(path)?
            && size > limit
        {
            inventory.unreadable.push((
                path.clone(),
                format!(
                    "{} MiB, more than the {} MiB harden parses whole",
                    size >> 20,
                    limit >> 20
                ),
            ));
            continue;
        }
        let bytes = repo.read(path)?;
        let text = String::from_utf8_lossy(&bytes);
        match lockfiles::locked_packages(path, &text) {
            Some(Ok(packages)) => {
                inventory.lockfiles.push(path.clone());
                inventory.packages.extend(packages);
            }
            Some(Err(problem)) => {
                let message = match *problem {
                    Problem::Unparsable { message, span, .. } => {
                        format!("{}:{}: {message}", span.start.line, span.start.column)
                    }
                    _ => "not readable".into(),
                };
                inventory.unreadable.push((path.clone(), message));
            }
            None => {}
        }
    }
    Ok(inventory)
}
