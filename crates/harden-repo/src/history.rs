use std::path::Path;

use harden_engine::{CommitInfo, History, PortError};

/// The git history of a repository, read with gix.
pub struct GitHistory {
    repo: gix::ThreadSafeRepository,
    /// Where the scanned root sits inside the repository's work tree (`services/api/`), so that
    /// root-relative paths can be looked up in commits; empty at the top.
    prefix: String,
}

/// HEAD and whether the working tree differs from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadState {
    /// HEAD commit, if there is one.
    pub commit: Option<String>,
    /// Whether tracked files differ from HEAD (untracked files do not count).
    pub dirty: bool,
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
        Ok(Self { repo, prefix })
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
        Ok(HeadState { commit, dirty })
    }

    fn commit_info(commit: &gix::Commit<'_>) -> Result<CommitInfo, PortError> {
        let time = commit
            .time()
            .map_err(|e| PortError::new(format!("reading commit {}: {e}", commit.id)))?;
        let author = commit
            .author()
            .map(|a| a.name.to_string())
            .unwrap_or_default();
        Ok(CommitInfo {
            id: commit.id.to_string(),
            time: jiff::Timestamp::from_second(time.seconds).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            author,
        })
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
}
