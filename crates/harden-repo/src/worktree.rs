use std::collections::HashMap;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use harden_engine::{Bounded, PortError, RepoView};

/// The working tree of a repository (or any directory).
pub struct WorkTree {
    root: PathBuf,
    display: String,
    files: OnceLock<Result<Listing, PortError>>,
    exclude: Option<globset::GlobSet>,
    /// The real (relative) paths of files whose names are not UTF-8, by their escaped spelling:
    /// gates see the spelling, reads open the real file.
    escaped: Mutex<HashMap<String, PathBuf>>,
}

/// The walk's files, sorted, with the size of each once someone has learnt it.
struct Listing {
    paths: Vec<String>,
    /// Each path's place in `sizes`, hashed: every read and size question of every gate looks
    /// here, and a binary search over long shared path prefixes cost more than the hash.
    index: HashMap<String, usize>,
    /// Each file's size, [`UNKNOWN`] until a read (`fstat` of the open file) or a size question
    /// (`lstat`) learns it. The walk does not ask: an `lstat` a file looks its whole path up
    /// again, and was a fifth of the time of a run that reads few files.
    sizes: Vec<AtomicU64>,
}

/// A size not learnt yet (no file holds `u64::MAX` bytes).
const UNKNOWN: u64 = u64::MAX;

impl WorkTree {
    /// A view of the directory `root`.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            display: root.display().to_string(),
            files: OnceLock::new(),
            exclude: None,
            escaped: Mutex::new(HashMap::new()),
        }
    }

    /// A view that leaves out paths matching any of `globs` (`[repository] exclude`).
    pub fn excluding(root: &Path, globs: &[String]) -> Result<Self, PortError> {
        let mut tree = Self::new(root);
        if !globs.is_empty() {
            tree.exclude = Some(harden_engine::glob_set(globs)?);
        }
        Ok(tree)
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `path` relative to the root with `/` separators, if it lies under the root.
    fn relative(&self, path: &Path) -> Option<String> {
        let relative = path.strip_prefix(&self.root).ok()?;
        // Nearly every path is UTF-8 without a backslash, and the walk joins clean names: its
        // spelling is itself, without a string per component (2 % of a run on 51k files).
        if let Ok(text) = std::str::from_utf8(relative.as_os_str().as_bytes())
            && !text.contains('\\')
            && !text
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..")
        {
            return Some(text.to_owned());
        }
        let text = relative
            .components()
            .map(|c| harden_model::escape_path(c.as_os_str().as_bytes()))
            .collect::<Vec<_>>()
            .join("/");
        if relative.to_str() != Some(text.as_str()) {
            self.escaped
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(text.clone(), relative.to_path_buf());
        }
        Some(text)
    }

    /// Resolves a repository-relative path, refusing anything that leaves the tree.
    fn resolve(&self, path: &str) -> Result<PathBuf, PortError> {
        if let Some(real) = self
            .escaped
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(path)
        {
            return Ok(self.root.join(real));
        }
        let relative = Path::new(path);
        let escapes = relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        if escapes || path.is_empty() {
            return Err(PortError::at(path, "not a path inside the repository"));
        }
        Ok(self.root.join(relative))
    }

    /// The full path of a repository-relative one that stays in the tree and crosses no link.
    fn checked(&self, path: &str) -> Result<PathBuf, PortError> {
        let full = self.resolve(path)?;
        if self.through_link(path) {
            return Err(PortError::at(
                path,
                "is or lies under a symbolic link; harden does not follow links",
            ));
        }
        Ok(full)
    }

    /// Whether any component of `path` is a symbolic link (which could lead out of the tree).
    fn through_link(&self, path: &str) -> bool {
        let Ok(full) = self.resolve(path) else {
            return true;
        };
        let Ok(relative) = full.strip_prefix(&self.root) else {
            return true;
        };
        let mut current = self.root.clone();
        for part in relative
            .components()
            .filter(|c| matches!(c, Component::Normal(_)))
        {
            current.push(part);
            match fs_err::symlink_metadata(&current) {
                Ok(meta) if meta.file_type().is_symlink() => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    }

    /// Where the walk listed `path`, if it did. A listed file lies in directories the walk
    /// entered, which are real ones (it follows no link): reading it needs no check of each of
    /// them, only that the file itself is not a link (see [`open_listed`]).
    fn listed(&self, path: &str) -> Option<&AtomicU64> {
        let listing = self.files.get()?.as_ref().ok()?;
        listing.index.get(path).map(|&at| &listing.sizes[at])
    }

    /// Every regular file under the root (links not followed, `.git` left out) that `keep`
    /// accepts, sorted; with `honour_ignores`, `.gitignore` and friends apply.
    /// Directories are read on every core (ignore's parallel walker): the walk is most of the
    /// cost of a run that reads few files, and every gate waits for it.
    fn walk(
        &self,
        honour_ignores: bool,
        keep: impl Fn(&str) -> bool + Sync,
    ) -> Result<Vec<String>, PortError> {
        let mut builder = ignore::WalkBuilder::new(&self.root);
        if honour_ignores {
            builder
                .hidden(false)
                .git_ignore(true)
                .git_global(false)
                .git_exclude(true)
                .require_git(false);
        } else {
            builder.standard_filters(false);
        }
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let walker = builder
            .follow_links(false)
            .threads(threads)
            .filter_entry(|entry| entry.file_name() != ".git")
            .build_parallel();
        let found: Mutex<Vec<String>> = Mutex::new(Vec::new());
        let failure: Mutex<Option<PortError>> = Mutex::new(None);
        walker.run(|| {
            // Each thread gathers its own share and hands it over once, at its end.
            let mut share = Share {
                files: Vec::new(),
                into: &found,
            };
            let (keep, failure) = (&keep, &failure);
            Box::new(move |entry| {
                let fail = |e: &dyn std::fmt::Display| {
                    *failure
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) =
                        Some(PortError::new(format!("walking {}: {e}", self.display)));
                    ignore::WalkState::Quit
                };
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(e) => return fail(&e),
                };
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    return ignore::WalkState::Continue;
                }
                if let Some(text) = self.relative(entry.path())
                    && keep(&text)
                    && !self.exclude.as_ref().is_some_and(|e| e.is_match(&text))
                {
                    share.files.push(text);
                }
                ignore::WalkState::Continue
            })
        });
        if let Some(error) = failure
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            return Err(error);
        }
        let mut files = found
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        files.sort_unstable();
        Ok(files)
    }
}

/// One walker thread's files, added to the whole when the thread is done with them.
struct Share<'a> {
    files: Vec<String>,
    into: &'a Mutex<Vec<String>>,
}

impl Drop for Share<'_> {
    fn drop(&mut self) {
        self.into
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .append(&mut self.files);
    }
}

/// Opens a file the walk listed, refusing it if it has become a symbolic link since.
fn open_listed(full: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(full)
}

impl RepoView for WorkTree {
    fn root_display(&self) -> String {
        self.display.clone()
    }

    fn files(&self) -> Result<&[String], PortError> {
        let listing = self.files.get_or_init(|| {
            let paths = self.walk(true, |_| true)?;
            let index = paths
                .iter()
                .enumerate()
                .map(|(at, path)| (path.clone(), at))
                .collect();
            let sizes = paths.iter().map(|_| AtomicU64::new(UNKNOWN)).collect();
            Ok(Listing {
                paths,
                index,
                sizes,
            })
        });
        match listing {
            Ok(listing) => Ok(&listing.paths),
            Err(error) => Err(error.clone()),
        }
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, PortError> {
        if self.listed(path).is_some() {
            return match self.read_at_most(path, u64::MAX)? {
                Bounded::Whole(bytes) => Ok(bytes),
                Bounded::Unread { .. } => unreachable!("no file is larger than u64::MAX"),
            };
        }
        let full = self.checked(path)?;
        fs_err::read(&full).map_err(|e| PortError::at(path, e))
    }

    fn read_at_most(&self, path: &str, limit: u64) -> Result<Bounded, PortError> {
        let Some(known) = self.listed(path) else {
            let size = self.size(path)?.unwrap_or(UNKNOWN);
            if size > limit {
                return Ok(Bounded::Unread { size: Some(size) });
            }
            return self.read(path).map(Bounded::Whole);
        };
        let full = self.resolve(path)?;
        let file = open_listed(&full).map_err(|e| PortError::at(path, e))?;
        // The size from the open file (`fstat`): no second lookup of the path.
        let size = file.metadata().map_err(|e| PortError::at(path, e))?.len();
        known.store(size, Ordering::Relaxed);
        if size > limit {
            return Ok(Bounded::Unread { size: Some(size) });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
        // Through `Take`: `File::read_to_end` would ask for the size again (`fstat`, `lseek`).
        std::io::Read::read_to_end(&mut std::io::Read::take(file, u64::MAX), &mut bytes)
            .map_err(|e| PortError::at(path, e))?;
        Ok(Bounded::Whole(bytes))
    }

    fn size(&self, path: &str) -> Result<Option<u64>, PortError> {
        if let Some(known) = self.listed(path) {
            let size = known.load(Ordering::Relaxed);
            if size != UNKNOWN {
                return Ok(Some(size));
            }
            let full = self.resolve(path)?;
            let size = fs_err::symlink_metadata(&full)
                .map_err(|e| PortError::at(path, e))?
                .len();
            known.store(size, Ordering::Relaxed);
            return Ok(Some(size));
        }
        let full = self.checked(path)?;
        fs_err::metadata(&full)
            .map(|m| Some(m.len()))
            .map_err(|e| PortError::at(path, e))
    }

    fn open(&self, path: &str) -> Result<Box<dyn std::io::Read + Send + '_>, PortError> {
        if self.listed(path).is_some() {
            let full = self.resolve(path)?;
            let file = open_listed(&full).map_err(|e| PortError::at(path, e))?;
            return Ok(Box::new(file));
        }
        let full = self.checked(path)?;
        let file = fs_err::File::open(&full).map_err(|e| PortError::at(path, e))?;
        Ok(Box::new(file))
    }

    fn matching_all(&self, globs: &[String]) -> Result<Vec<String>, PortError> {
        let set = harden_engine::glob_set(globs)?;
        // Ignore rules are off on purpose: log files are usually listed in .gitignore.
        self.walk(false, |path| set.is_match(path))
    }

    fn is_file(&self, path: &str) -> bool {
        if self.listed(path).is_some() {
            return true;
        }
        !self.through_link(path)
            && self
                .resolve(path)
                .ok()
                .and_then(|full| fs_err::symlink_metadata(full).ok())
                .is_some_and(|m| m.file_type().is_file())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_reads_through_a_symbolic_link() {
        let outside = tempfile::tempdir().unwrap();
        fs_err::write(outside.path().join("secret.txt"), "outside the tree").unwrap();
        let root = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(root.path().join("docs")).unwrap();
        fs_err::write(root.path().join("docs/inside.md"), "inside").unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("linked")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            root.path().join("file-link"),
        )
        .unwrap();
        let tree = WorkTree::new(root.path());
        assert_eq!(tree.read("docs/inside.md").unwrap(), b"inside");
        assert!(tree.is_file("./docs/inside.md"));
        for through in ["linked/secret.txt", "file-link"] {
            assert!(!tree.is_file(through), "{through}");
            assert!(tree.read(through).is_err(), "{through}");
        }
        for escape in ["../x", "/etc/passwd", ""] {
            assert!(tree.read(escape).is_err(), "{escape}");
        }
        assert_eq!(
            tree.files().unwrap(),
            ["docs/inside.md"],
            "links are not walked"
        );
        assert_eq!(tree.size("docs/inside.md").unwrap(), Some(6));
        // A listed file that became a link after the walk is not read through it.
        fs_err::remove_file(root.path().join("docs/inside.md")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            root.path().join("docs/inside.md"),
        )
        .unwrap();
        assert!(tree.read("docs/inside.md").is_err());
        assert!(tree.open("docs/inside.md").is_err());
        assert!(tree.read_at_most("docs/inside.md", 100).is_err());
    }

    /// The walk learns no size; a read learns it from the open file, and a file over the
    /// caller's limit is left unread.
    #[test]
    fn a_bounded_read_learns_the_size_from_the_open_file() {
        let root = tempfile::tempdir().unwrap();
        fs_err::write(root.path().join("small.txt"), "twelve bytes").unwrap();
        fs_err::write(root.path().join("large.txt"), "x".repeat(4096)).unwrap();
        let tree = WorkTree::new(root.path());
        assert_eq!(tree.files().unwrap(), ["large.txt", "small.txt"]);
        assert!(matches!(
            tree.read_at_most("large.txt", 1024).unwrap(),
            Bounded::Unread { size: Some(4096) }
        ));
        assert!(matches!(
            tree.read_at_most("small.txt", 1024).unwrap(),
            Bounded::Whole(bytes) if bytes == b"twelve bytes"
        ));
        assert_eq!(tree.size("small.txt").unwrap(), Some(12));
        assert_eq!(tree.size("large.txt").unwrap(), Some(4096));
        // Not listed (ignored files are not walked): checked, measured and read all the same.
        fs_err::write(root.path().join(".gitignore"), "ignored.log\n").unwrap();
        fs_err::write(root.path().join("ignored.log"), "log line").unwrap();
        assert!(matches!(
            tree.read_at_most("ignored.log", 1024).unwrap(),
            Bounded::Whole(bytes) if bytes == b"log line"
        ));
        assert!(matches!(
            tree.read_at_most("ignored.log", 3).unwrap(),
            Bounded::Unread { size: Some(8) }
        ));
    }
}
