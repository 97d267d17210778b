//! The repository's locked packages: every lockfile the inventory reads, outside installed
//! packages, build output and test data. Shared by R4.vulns, R4.sbom and `harden sbom`.

use std::sync::Arc;

use harden_engine::{PortError, RepoView, RunCache};
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

/// The manifest beside a lockfile that does not say which of its packages are direct, and how
/// to read the names it asks for.
fn manifest_of(lockfile: &str) -> Option<(&'static str, ManifestKind)> {
    let name = lockfile.rsplit('/').next().unwrap_or(lockfile);
    Some(match name {
        "yarn.lock" | "package-lock.json" | "npm-shrinkwrap.json" => {
            ("package.json", ManifestKind::Npm)
        }
        "poetry.lock" | "pdm.lock" | "uv.lock" => ("pyproject.toml", ManifestKind::Python),
        "composer.lock" => ("composer.json", ManifestKind::Composer),
        _ => return None,
    })
}

#[derive(Clone, Copy)]
enum ManifestKind {
    Npm,
    Python,
    Composer,
}

/// Marks as direct the packages the manifest beside `lockfile` names, where the lockfile itself
/// does not record it (yarn.lock, package-lock v1, poetry.lock, pdm.lock, composer.lock). Every locked version
/// of a named package counts: a lockfile without importers does not say which one the root got.
fn mark_direct(
    repo: &dyn RepoView,
    lockfile: &str,
    packages: &mut [Dependency],
) -> Result<(), PortError> {
    if packages.iter().any(|p| p.direct) {
        return Ok(());
    }
    let Some((manifest, kind)) = manifest_of(lockfile) else {
        return Ok(());
    };
    let path = match lockfile.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{manifest}"),
        None => manifest.to_owned(),
    };
    if repo.files()?.binary_search(&path).is_err()
        || repo
            .size(&path)?
            .is_some_and(|size| size > crate::support::MAX_PARSED_BYTES)
    {
        return Ok(());
    }
    let text = harden_engine::lossy_text(&repo.read(&path)?).into_owned();
    let requirements = match kind {
        ManifestKind::Npm => lockfiles::npm_requirements(&path, &text),
        ManifestKind::Python => lockfiles::pyproject_requirements(&path, &text),
        ManifestKind::Composer => lockfiles::composer_requirements(&path, &text),
    }
    .unwrap_or_default();
    let key = |name: &str| match kind {
        ManifestKind::Npm => name.to_owned(),
        ManifestKind::Composer => name.to_ascii_lowercase(),
        ManifestKind::Python => harden_advisories::package_key("PyPI", name),
    };
    let named: std::collections::HashSet<String> =
        requirements.iter().map(|r| key(&r.name)).collect();
    for package in packages {
        package.direct = named.contains(&key(&package.name));
    }
    Ok(())
}

/// A package-lock.json or npm-shrinkwrap.json read once in this run for the lockfile gate
/// (its top level) and the inventory (every package).
pub(crate) fn npm_lock(
    cache: &RunCache,
    path: &str,
    text: &str,
) -> Arc<Result<lockfiles::NpmLock, Box<Problem>>> {
    cache.shared(&format!("npm-lock:{path}"), || {
        lockfiles::npm_lock_parsed(path, text)
    })
}

/// A uv.lock, poetry.lock or pdm.lock read once in this run for the lockfile gate (its package
/// names) and the inventory (its pinned packages).
pub(crate) fn toml_lock(
    cache: &RunCache,
    path: &str,
    text: &str,
) -> Arc<Result<lockfiles::TomlLock, Box<Problem>>> {
    cache.shared(&format!("toml-lock:{path}"), || {
        lockfiles::toml_lock_parsed(path, text)
    })
}

/// The inventory of the repository a gate runs on, collected once in the run for every gate
/// that needs it (R4.vulns, R4.sbom).
pub(crate) fn shared(
    cx: &harden_engine::GateCx<'_>,
) -> Result<Arc<Inventory>, harden_engine::GateError> {
    let inventory = cx.shared("inventory", || collect(cx.repo(), cx.cache()).map(Arc::new));
    match &*inventory {
        Ok(inventory) => Ok(Arc::clone(inventory)),
        Err(e) => Err(e.clone().into()),
    }
}

/// Reads every project lockfile of `repo`, sharing parses through `cache` (a lockfile the
/// lockfile gate parsed in the same run is not parsed again).
pub fn collect(repo: &dyn RepoView, cache: &RunCache) -> Result<Inventory, PortError> {
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
        let bytes = cache.read(repo, path)?;
        let text = harden_engine::lossy_text(&bytes);
        let name = path.rsplit('/').next().unwrap_or(path);
        let packages = if name == "package-lock.json" || name == "npm-shrinkwrap.json" {
            Some(match &*npm_lock(cache, path, &text) {
                Ok(lock) => Ok(lock.packages.clone()),
                Err(problem) => Err(problem.clone()),
            })
        } else if matches!(name, "uv.lock" | "poetry.lock" | "pdm.lock") {
            Some(match &*toml_lock(cache, path, &text) {
                Ok(lock) => Ok(lock.packages.clone()),
                Err(problem) => Err(problem.clone()),
            })
        } else if path.ends_with("pnpm-lock.yaml") {
            Some(lockfiles::pnpm_lock(
                path,
                &crate::support::yaml_documents(cache, path, &text),
            ))
        } else {
            lockfiles::locked_packages(path, &text)
        };
        match packages {
            Some(Ok(mut packages)) => {
                mark_direct(repo, path, &mut packages)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> harden_repo::MemoryTree {
        harden_repo::MemoryTree::new(
            "repo",
            files
                .iter()
                .map(|(p, t)| ((*p).to_owned(), t.as_bytes().to_vec())),
        )
    }

    /// yarn.lock and poetry.lock do not say which packages are direct: the manifest beside them
    /// does. Test data and installed packages are not the project's.
    #[test]
    fn direct_packages_come_from_the_manifest_beside_a_lockfile_that_does_not_say() {
        let repo = tree(&[
            (
                "web/package.json",
                "{\"dependencies\": {\"left-pad\": \"^1.3.0\"}}",
            ),
            (
                "web/yarn.lock",
                "left-pad@^1.3.0:\n  version \"1.3.0\"\n\nother@^2.0.0:\n  version \"2.0.1\"\n",
            ),
            (
                "ml/pyproject.toml",
                "[tool.poetry.dependencies]\npython = \"^3.11\"\nDemo_Tensors = \"^1.0\"\n",
            ),
            (
                "ml/poetry.lock",
                "[[package]]\nname = \"demo-tensors\"\nversion = \"1.0\"\n\n[[package]]\nname = \"idna\"\nversion = \"3.6\"\n",
            ),
            (
                "tests/fixtures/yarn.lock",
                "x@^1.0.0:\n  version \"1.0.0\"\n",
            ),
        ]);
        let inventory = collect(&repo, &RunCache::default()).unwrap();
        assert_eq!(inventory.lockfiles, ["ml/poetry.lock", "web/yarn.lock"]);
        let direct: Vec<(&str, bool)> = inventory
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.direct))
            .collect();
        assert_eq!(
            direct,
            [
                ("demo-tensors", true),
                ("idna", false),
                ("left-pad", true),
                ("other", false)
            ]
        );
    }
}
