use std::path::Path;

use harden_engine::{BlobWalk, CommitInfo, History, PortError};

/// The git history of a repository, read with gix.
pub struct GitHistory {
    repo: gix::ThreadSafeRepository,
    /// Where the scanned root sits inside the repository's work tree (`services/api/`), so that
    /// root-relative paths can be looked up in commits; empty at the top.
    prefix: String,
    /// Whether gates may keep results under `.git/harden/cache/` (off for runs that must write
    /// nothing, such as `check --no-record`).
    cache_writes: bool,
}

/// HEAD and whether the working tree differs from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadState {
    /// HEAD commit, if there is one.
    pub commit: Option<String>,
    /// Whether tracked files differ from HEAD (untracked files do not count).
    pub dirty: bool,
    /// The default fetch remote's URL (`origin`), credentials removed: where the commits can be
    /// found again, for reports that link to them.
    pub remote: Option<String>,
}

impl GitHistory {
    /// Opens the repository containing `root`, or says why there is none (the reason becomes
    /// the skip reason of gates that need history).
    pub fn open(root: &Path) -> Result<Self, String> {
        let repo = gix::ThreadSafeRepository::discover(root).map_err(|error| {
            format!(
                "no git history: {} is not in a git repository ({error})",
                root.display()
            )
        })?;
        let workdir = repo
            .work_dir()
            .ok_or_else(|| format!("no git history: {} is a bare repository", root.display()))?
            .to_path_buf();
        let canonical =
            |p: &Path| fs_err::canonicalize(p).map_err(|e| format!("no git history: {e}"));
        let (root_abs, workdir_abs) = (canonical(root)?, canonical(&workdir)?);
        let relative = root_abs.strip_prefix(&workdir_abs).map_err(|_| {
            format!(
                "no git history: {} is outside the work tree {}",
                root.display(),
                workdir.display()
            )
        })?;
        let mut prefix = String::new();
        for component in relative.components() {
            prefix.push_str(&component.as_os_str().to_string_lossy());
            prefix.push('/');
        }
        Ok(Self {
            repo,
            prefix,
            cache_writes: false,
        })
    }

    /// Lets gates keep results under `.git/harden/cache/` for later runs.
    #[must_use]
    pub fn with_cache_writes(mut self, allowed: bool) -> Self {
        self.cache_writes = allowed;
        self
    }

    /// HEAD commit and dirty flag.
    pub fn head_state(&self) -> Result<HeadState, PortError> {
        let repo = self.repo.to_thread_local();
        let commit = match repo.head_id() {
            Ok(id) => Some(id.detach().to_string()),
            Err(_) => None,
        };
        let dirty = if commit.is_some() {
            repo.is_dirty()
                .map_err(|e| PortError::new(format!("git status: {e}")))?
        } else {
            // No commit yet: anything in the index makes the tree differ from "nothing".
            repo.index_or_empty()
                .is_ok_and(|index| !index.entries().is_empty())
        };
        let remote = repo
            .find_default_remote(gix::remote::Direction::Fetch)
            .and_then(Result::ok)
            .and_then(|remote| {
                let mut url = remote.url(gix::remote::Direction::Fetch)?.clone();
                // A token in a clone URL (`https://TOKEN@host/...`) must not reach a report.
                url.user = None;
                url.password = None;
                Some(url.to_bstring().to_string())
            });
        Ok(HeadState {
            commit,
            dirty,
            remote,
        })
    }

    fn commit_info(commit: &gix::Commit<'_>) -> Result<CommitInfo, PortError> {
        crate::blobs::commit_info(commit)
    }

    /// The commit a revision (`origin/main`, a tag, a hash) names, or why it names none.
    pub fn resolve(&self, revision: &str) -> Result<String, String> {
        let repo = self.repo.to_thread_local();
        let id = repo.rev_parse_single(revision).map_err(|e| e.to_string())?;
        let commit = id
            .object()
            .map_err(|e| e.to_string())?
            .peel_to_commit()
            .map_err(|e| e.to_string())?;
        Ok(commit.id.to_string())
    }

    /// Whether `relative` (a path from the root, `/`-separated) is tracked: in git's index.
    pub fn tracks(&self, relative: &str) -> Result<bool, PortError> {
        let repo = self.repo.to_thread_local();
        let index = repo
            .index_or_empty()
            .map_err(|e| PortError::new(format!("git index: {e}")))?;
        let path = format!("{}{relative}", self.prefix);
        Ok(index.entry_by_path(path.as_bytes().into()).is_some())
    }

    /// Files staged in the index whose content differs from HEAD (added or modified), with
    /// their blob ids: what a pre-commit hook must check.
    pub fn staged(&self) -> Result<Vec<(String, String)>, PortError> {
        let repo = self.repo.to_thread_local();
        let error = |e: &dyn std::fmt::Display| PortError::new(format!("git index: {e}"));
        let index = repo.index_or_empty().map_err(|e| error(&e))?;
        let head_tree = repo.head_commit().ok().and_then(|c| c.tree().ok());
        let mut staged = Vec::new();
        for entry in index.entries() {
            if entry.mode != gix::index::entry::Mode::FILE
                && entry.mode != gix::index::entry::Mode::FILE_EXECUTABLE
            {
                continue;
            }
            let path = entry.path(&index).to_string();
            let Some(relative) = path.strip_prefix(&self.prefix) else {
                continue;
            };
            let in_head = match &head_tree {
                Some(tree) => tree
                    .lookup_entry_by_path(&path)
                    .map_err(|e| error(&e))?
                    .map(|e| e.object_id()),
                None => None,
            };
            if in_head != Some(entry.id) {
                staged.push((relative.to_owned(), entry.id.to_string()));
            }
        }
        Ok(staged)
    }
}

impl GitHistory {
    /// `harden/cache/<key>.json` inside the git directory. Not in the work tree: there a
    /// repository could commit a forged cache (every blob of a secret marked binary) and hide
    /// its history; nothing a clone or a pull brings lands in `.git/`. `None` for a key that is
    /// not a plain name.
    fn cache_path(&self, key: &str) -> Option<std::path::PathBuf> {
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return None;
        }
        Some(self.cache_dir().join(format!("{key}.json")))
    }

    fn cache_dir(&self) -> std::path::PathBuf {
        self.repo
            .to_thread_local()
            .common_dir()
            .join("harden")
            .join("cache")
    }

    /// `harden` and `harden/cache` are real directories (created if `create`), never links.
    fn cache_dir_is_safe(&self, create: bool) -> Result<(), PortError> {
        let mut dir = self.repo.to_thread_local().common_dir().to_path_buf();
        for part in ["harden", "cache"] {
            dir.push(part);
            match fs_err::symlink_metadata(&dir) {
                Ok(meta) if meta.is_dir() => {}
                Ok(_) => {
                    return Err(PortError::at(
                        dir.display().to_string(),
                        "is not a directory (a link?): the history cache is not kept there",
                    ));
                }
                Err(_) if create => {
                    fs_err::create_dir(&dir).map_err(|e| PortError::new(e.to_string()))?;
                }
                Err(e) => return Err(PortError::new(e.to_string())),
            }
        }
        Ok(())
    }
}

/// Blobs read whole when no git executable can stream them.
const WHOLE_WITHOUT_GIT: u64 = 128 * 1024 * 1024;

/// `git cat-file blob <id>` as a stream; the child is reaped (killed if still running) on drop.
struct CatFile {
    child: std::process::Child,
    stdout: std::process::ChildStdout,
}

impl CatFile {
    fn spawn(git_dir: &Path, blob: &str) -> std::io::Result<Self> {
        if !blob.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(std::io::Error::other("not a blob id"));
        }
        #[allow(clippy::disallowed_methods)] // The history adapter: git streams what gix cannot.
        let mut command = std::process::Command::new("git");
        // Inherited GIT_* variables (set when harden runs inside a hook) could point git at
        // another object store or add configuration: only the repository's objects count.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("GIT_") {
                command.env_remove(name);
            }
        }
        let mut child = command
            .arg("--git-dir")
            .arg(git_dir)
            .args(["cat-file", "blob", blob])
            // Only the repository's objects matter: no user or system config, never a lazy
            // fetch from a promisor remote, no terminal prompt.
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_NO_LAZY_FETCH", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout"))?;
        Ok(Self { child, stdout })
    }
}

impl std::io::Read for CatFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.stdout.read(buf)?;
        if n == 0 && !buf.is_empty() {
            let status = self.child.wait()?;
            if !status.success() {
                return Err(std::io::Error::other(format!("git cat-file: {status}")));
            }
        }
        Ok(n)
    }
}

impl Drop for CatFile {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where ledger anchors live: one ref per ledger, each pointing at a small blob that records
/// the ledger's head. Refs under this prefix are harden's own and left out of history scans.
pub const ANCHOR_REFS: &str = "refs/harden/";

impl GitHistory {
    /// The anchor `name` (a ref under [`ANCHOR_REFS`]), if it exists: the blob it points at and
    /// that blob's content.
    pub fn read_anchor(&self, name: &str) -> Result<Option<(String, Vec<u8>)>, PortError> {
        let repo = self.repo.to_thread_local();
        let full = format!("{ANCHOR_REFS}{name}");
        let Some(mut reference) = repo
            .try_find_reference(full.as_str())
            .map_err(|e| PortError::at(&full, e))?
        else {
            return Ok(None);
        };
        let id = reference
            .peel_to_id()
            .map_err(|e| PortError::at(&full, e))?;
        let object = repo
            .find_object(id.detach())
            .map_err(|e| PortError::at(&full, e))?;
        Ok(Some((id.to_string(), object.data.clone())))
    }

    /// Points the anchor `name` at a blob holding `content`, only if it still points at
    /// `previous` (the blob id read before; `None`: it must not exist yet), so that two runs
    /// moving it at once cannot move it back.
    pub fn write_anchor(
        &self,
        name: &str,
        content: &[u8],
        previous: Option<&str>,
    ) -> Result<(), PortError> {
        use gix::refs::transaction::PreviousValue;
        let repo = self.repo.to_thread_local();
        let full = format!("{ANCHOR_REFS}{name}");
        let blob = repo
            .write_blob(content)
            .map_err(|e| PortError::at(&full, e))?
            .detach();
        let expected = match previous {
            Some(id) => PreviousValue::MustExistAndMatch(gix::refs::Target::Object(
                gix::ObjectId::from_hex(id.as_bytes()).map_err(|e| PortError::at(&full, e))?,
            )),
            None => PreviousValue::MustNotExist,
        };
        repo.reference(full.as_str(), blob, expected, "harden: ledger head")
            .map_err(|e| PortError::at(&full, e))?;
        Ok(())
    }
}

impl History for GitHistory {
    fn head(&self) -> Result<Option<CommitInfo>, PortError> {
        let repo = self.repo.to_thread_local();
        match repo.head_commit() {
            Ok(commit) => Self::commit_info(&commit).map(Some),
            Err(_) => Ok(None),
        }
    }

    fn last_change(&self, path: &str) -> Result<Option<CommitInfo>, PortError> {
        let repo = self.repo.to_thread_local();
        let Ok(head) = repo.head_id() else {
            return Ok(None);
        };
        let git_error =
            |e: &dyn std::fmt::Display| PortError::at(path, format!("git history: {e}"));
        let in_repo = format!("{}{}", self.prefix, path.trim_start_matches("./"));
        let entry_at = |commit: &gix::Commit<'_>| -> Result<Option<gix::ObjectId>, PortError> {
            let tree = commit.tree().map_err(|e| git_error(&e))?;
            let entry = tree
                .lookup_entry_by_path(&in_repo)
                .map_err(|e| git_error(&e))?;
            Ok(entry.map(|e| e.object_id()))
        };
        let walk = repo
            .rev_walk([head.detach()])
            .first_parent_only()
            .all()
            .map_err(|e| git_error(&e))?;
        // Newest first along the first-parent line: the first commit whose entry differs from its
        // parent's is the last change.
        for info in walk {
            let info = info.map_err(|e| git_error(&e))?;
            let commit = info.object().map_err(|e| git_error(&e))?;
            let Some(here) = entry_at(&commit)? else {
                continue;
            };
            let parent = match info.parent_ids().next() {
                Some(id) => {
                    let parent = repo.find_commit(id).map_err(|e| git_error(&e))?;
                    entry_at(&parent)?
                }
                None => None,
            };
            if parent != Some(here) {
                return Self::commit_info(&commit).map(Some);
            }
        }
        Ok(None)
    }

    fn blobs(
        &self,
        since: Option<&str>,
        include: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<BlobWalk, PortError> {
        let mut repo = self.repo.to_thread_local();
        repo.object_cache_size_if_unset(32 << 20);
        crate::blobs::walk(&repo, &self.prefix, since, include)
    }

    fn is_shallow(&self) -> bool {
        self.repo.to_thread_local().is_shallow().unwrap_or(false)
    }

    fn tips_digest(&self) -> Result<Option<String>, PortError> {
        use sha2::{Digest as _, Sha256};
        let repo = self.repo.to_thread_local();
        let mut lines = Vec::new();
        let platform = repo
            .references()
            .map_err(|e| PortError::new(format!("git refs: {e}")))?;
        for reference in platform
            .all()
            .map_err(|e| PortError::new(format!("git refs: {e}")))?
        {
            let Ok(reference) = reference else { continue };
            let name = reference.name().as_bstr().to_string();
            if name.starts_with(ANCHOR_REFS) {
                continue;
            }
            let target = match reference.target() {
                gix::refs::TargetRef::Object(id) => id.to_string(),
                gix::refs::TargetRef::Symbolic(name) => name.as_bstr().to_string(),
            };
            lines.push(format!("{name} {target}"));
        }
        if let Ok(head) = repo.head_id() {
            lines.push(format!("HEAD {head}"));
        }
        lines.sort();
        let mut hasher = Sha256::new();
        hasher.update(self.prefix.as_bytes());
        hasher.update(b"\n");
        for line in &lines {
            hasher.update(line.as_bytes());
            hasher.update(b"\n");
        }
        Ok(Some(hex::encode(hasher.finalize())))
    }

    fn cache_get(&self, key: &str) -> Option<Vec<u8>> {
        let path = self.cache_path(key)?;
        if self.cache_dir_is_safe(false).is_err() {
            return None;
        }
        // Never through a link: the file could have been planted in the work tree.
        let meta = fs_err::symlink_metadata(&path).ok()?;
        if !meta.is_file() {
            return None;
        }
        fs_err::read(path).ok()
    }

    fn cache_put(&self, key: &str, bytes: &[u8]) -> Result<(), PortError> {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let Some(path) = self.cache_path(key) else {
            return Ok(());
        };
        if !self.cache_writes {
            return Ok(());
        }
        self.cache_dir_is_safe(true)?;
        let temporary = path.with_extension(format!("tmp-{}", std::process::id()));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&temporary)
            .map_err(|e| PortError::at(temporary.display().to_string(), e))?;
        file.write_all(bytes)
            .map_err(|e| PortError::at(temporary.display().to_string(), e))?;
        drop(file);
        fs_err::rename(&temporary, &path).map_err(|e| PortError::new(e.to_string()))
    }

    fn blob_size(&self, blob: &str) -> Result<Option<u64>, PortError> {
        let id = gix::ObjectId::from_hex(blob.as_bytes())
            .map_err(|e| PortError::new(format!("blob id {blob}: {e}")))?;
        let repo = self.repo.to_thread_local();
        let header = repo
            .try_find_header(id)
            .map_err(|e| PortError::new(format!("git history: blob {id}: {e}")))?;
        Ok(header.map(|h| h.size()))
    }

    /// gix inflates a whole object into memory, so a large blob is streamed by `git cat-file`
    /// instead (which streams loose and undeltified packed blobs, the form git gives blobs over
    /// `core.bigFileThreshold`). Without a git executable, blobs up to [`WHOLE_WITHOUT_GIT`]
    /// are read whole and larger ones are refused with the reason.
    fn open_blob(
        &self,
        blob: &str,
    ) -> Result<Option<Box<dyn std::io::Read + Send + '_>>, PortError> {
        if self.blob_size(blob)?.is_none() {
            return Ok(None);
        }
        match CatFile::spawn(self.repo.git_dir(), blob) {
            Ok(stream) => Ok(Some(Box::new(stream))),
            Err(spawn_error) => match self.blob_size(blob)? {
                Some(size) if size <= WHOLE_WITHOUT_GIT => Ok(self
                    .read_blob(blob)?
                    .map(|b| Box::new(std::io::Cursor::new(b)) as Box<dyn std::io::Read + Send>)),
                _ => Err(PortError::new(format!(
                    "blob {blob} is too large to read whole and cannot be streamed ({spawn_error}): install git"
                ))),
            },
        }
    }

    fn merge_base(&self, revision: &str) -> Result<Option<CommitInfo>, PortError> {
        let repo = self.repo.to_thread_local();
        let git_error = |e: &dyn std::fmt::Display| PortError::new(format!("{revision}: {e}"));
        let Ok(head) = repo.head_id() else {
            return Ok(None);
        };
        let other = self.resolve(revision).map_err(|e| git_error(&e))?;
        let other = gix::ObjectId::from_hex(other.as_bytes()).map_err(|e| git_error(&e))?;
        let Some(base) = repo
            .merge_base(head.detach(), other)
            .map_err(|e| git_error(&e))?
        else {
            return Ok(None);
        };
        let commit = base.object().map_err(|e| git_error(&e))?.into_commit();
        Self::commit_info(&commit).map(Some)
    }

    fn files_at(&self, commit: &str) -> Result<Vec<(String, String)>, PortError> {
        let repo = self.repo.to_thread_local();
        let git_error = |e: &dyn std::fmt::Display| PortError::new(format!("commit {commit}: {e}"));
        let id = gix::ObjectId::from_hex(commit.as_bytes()).map_err(|e| git_error(&e))?;
        let tree = repo
            .find_commit(id)
            .map_err(|e| git_error(&e))?
            .tree_id()
            .map_err(|e| git_error(&e))?;
        crate::blobs::tree_files(&repo, tree.detach(), &self.prefix)
    }

    fn read_blob(&self, blob: &str) -> Result<Option<Vec<u8>>, PortError> {
        thread_local! {
            // One handle per thread, keeping its pack and object caches across reads.
            static REPO: std::cell::RefCell<Option<(std::path::PathBuf, gix::Repository)>> =
                const { std::cell::RefCell::new(None) };
        }
        let id = gix::ObjectId::from_hex(blob.as_bytes())
            .map_err(|e| PortError::new(format!("blob id {blob}: {e}")))?;
        REPO.with(|cell| {
            let mut cell = cell.borrow_mut();
            let git_dir = self.repo.git_dir().to_path_buf();
            if cell.as_ref().is_none_or(|(dir, _)| *dir != git_dir) {
                let mut repo = self.repo.to_thread_local();
                repo.object_cache_size_if_unset(16 << 20);
                *cell = Some((git_dir, repo));
            }
            let (_, repo) = cell.as_ref().expect("just set");
            let object = repo
                .try_find_object(id)
                .map_err(|e| PortError::new(format!("git history: blob {id}: {e}")))?;
            Ok(object.map(|object| object.data.clone()))
        })
    }
}
