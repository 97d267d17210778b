//! Writes into the scanned repository that stay inside it.
//!
//! Paths that come from the repository (its harden.toml, its committed files) are untrusted:
//! a committed symbolic link such as `docs -> /etc` would otherwise carry a readiness snapshot,
//! a smoke record, a plan or the ledger out of the checkout. Every directory on the way and the
//! file itself must be real (no link), and the file is opened with `O_NOFOLLOW`.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Component, Path, PathBuf};

use crate::UsageError;

/// Checks that `path` (under `root`) can be written without leaving `root`: no `..`, no
/// component that is a symbolic link, and every existing parent a directory. Returns the path.
pub(crate) fn check(root: &Path, path: &Path) -> anyhow::Result<PathBuf> {
    let relative = path.strip_prefix(root).map_err(|_| outside(root, path))?;
    let mut current = root.to_path_buf();
    let parts: Vec<Component<'_>> = relative.components().collect();
    for (i, part) in parts.iter().enumerate() {
        let Component::Normal(name) = part else {
            if matches!(part, Component::CurDir) {
                continue;
            }
            return Err(outside(root, path));
        };
        // Git's own directory is not the repository's to write into (hooks, config).
        if name.eq_ignore_ascii_case(".git") {
            return Err(UsageError(format!(
                "{}: harden does not write into .git",
                path.display()
            ))
            .into());
        }
        current.push(name);
        match fs_err::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(UsageError(format!(
                    "{} is a symbolic link: harden does not write through links in the repository (it could lead outside it)",
                    current.display()
                ))
                .into());
            }
            Ok(meta) if i + 1 < parts.len() && !meta.is_dir() => {
                return Err(UsageError(format!("{} is not a directory", current.display())).into());
            }
            _ => {}
        }
    }
    Ok(path.to_path_buf())
}

fn outside(root: &Path, path: &Path) -> anyhow::Error {
    UsageError(format!(
        "{} is not inside the repository {}",
        path.display(),
        root.display()
    ))
    .into()
}

/// Creates the directories of `path` (under `root`) one by one, refusing links.
pub(crate) fn create_parents(root: &Path, path: &Path) -> anyhow::Result<()> {
    check(root, path)?;
    let Some(parent) = path.parent() else {
        return Ok(());
    };
    let relative = parent.strip_prefix(root).map_err(|_| outside(root, path))?;
    let mut current = root.to_path_buf();
    for part in relative.components() {
        current.push(part);
        match std::fs::create_dir(&current) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(anyhow::anyhow!("creating {}: {e}", current.display())),
        }
    }
    // Re-checked after creation: a link put in place meanwhile is still refused.
    check(root, path)?;
    Ok(())
}

/// Writes `bytes` to `path` (under `root`), creating its directories; never through a link.
pub(crate) fn write(root: &Path, path: &Path, bytes: impl AsRef<[u8]>) -> anyhow::Result<()> {
    create_parents(root, path)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    file.write_all(bytes.as_ref())
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_stay_inside_and_never_follow_links() {
        let outside_dir = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        std::os::unix::fs::symlink(outside_dir.path(), root.join("docs")).unwrap();
        std::os::unix::fs::symlink(outside_dir.path().join("x.md"), root.join("file.md")).unwrap();
        for target in ["docs/audits/readiness.md", "file.md"] {
            let error = write(root, &root.join(target), "x").unwrap_err();
            assert!(error.to_string().contains("symbolic link"), "{error}");
        }
        assert!(write(root, &root.join("../escape.md"), "x").is_err());
        assert!(write(root, &root.join(".git/hooks/pre-commit"), "x").is_err());
        assert_eq!(fs_err::read_dir(outside_dir.path()).unwrap().count(), 0);
        write(root, &root.join("real/dir/file.md"), "ok").unwrap();
        assert_eq!(
            fs_err::read_to_string(root.join("real/dir/file.md")).unwrap(),
            "ok"
        );
    }
}
