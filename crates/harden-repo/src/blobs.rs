//! Every blob of a history once: the walk behind `R3.secrets.history` and `secrets scan
//! --history`.
//!
//! Commits are visited parents first; a tree already visited is skipped whole (an unchanged
//! directory has the same tree id in every commit), and a blob already seen is not listed again.
//! So each object is decoded once however many commits share it, like `git rev-list --objects
//! --all`, and the first commit that holds a blob is the one that introduced it.

use std::collections::{HashMap, HashSet};

use gix::ObjectId;
use gix::objs::tree::EntryKind;
use harden_engine::{BlobOrigin, BlobWalk, CommitInfo, PortError};

fn git_error(error: impl std::fmt::Display) -> PortError {
    PortError::new(format!("git history: {error}"))
}

/// Tips of every ref (branches, tags, remotes, stash) and HEAD, peeled to commits.
fn tips(repo: &gix::Repository) -> Result<Vec<ObjectId>, PortError> {
    let mut tips = Vec::new();
    let platform = repo.references().map_err(git_error)?;
    for reference in platform
        .all()
        .map_err(git_error)?
        .peeled()
        .map_err(git_error)?
    {
        let Ok(reference) = reference else { continue };
        let Some(id) = reference.try_id() else {
            continue;
        };
        if let Ok(object) = repo.find_object(id.detach())
            && object.kind == gix::object::Kind::Commit
        {
            tips.push(id.detach());
        }
    }
    if let Ok(head) = repo.head_id() {
        tips.push(head.detach());
    }
    tips.sort();
    tips.dedup();
    Ok(tips)
}

/// Each walked commit's parents.
type Parents = HashMap<ObjectId, Vec<ObjectId>>;

/// Commits reachable from `tips` but not from `hidden`, parents before children.
fn commits_in_order(
    repo: &gix::Repository,
    tips: Vec<ObjectId>,
    hidden: Vec<ObjectId>,
) -> Result<(Vec<ObjectId>, Parents), PortError> {
    let mut parents: HashMap<ObjectId, Vec<ObjectId>> = HashMap::new();
    let mut walked = Vec::new();
    let walk = repo
        .rev_walk(tips)
        .with_hidden(hidden)
        .all()
        .map_err(git_error)?;
    for info in walk {
        let info = info.map_err(git_error)?;
        parents.insert(info.id, info.parent_ids.iter().copied().collect());
        walked.push(info.id);
    }
    // Depth-first post-order from the oldest end: every parent is placed before its children.
    let mut order = Vec::with_capacity(walked.len());
    let mut placed: HashSet<ObjectId> = HashSet::with_capacity(walked.len());
    for &start in walked.iter().rev() {
        let mut stack = vec![(start, false)];
        while let Some((id, expanded)) = stack.pop() {
            if placed.contains(&id) {
                continue;
            }
            if expanded {
                placed.insert(id);
                order.push(id);
                continue;
            }
            stack.push((id, true));
            for parent in parents.get(&id).into_iter().flatten() {
                if parents.contains_key(parent) && !placed.contains(parent) {
                    stack.push((*parent, false));
                }
            }
        }
    }
    Ok((order, parents))
}

struct Seen {
    trees: HashSet<ObjectId>,
    blobs: HashSet<ObjectId>,
}

impl Seen {
    /// Walks the tree `root`, calling `found` for blobs not seen before with their paths.
    fn walk(
        &mut self,
        repo: &gix::Repository,
        root: ObjectId,
        mut found: impl FnMut(ObjectId, String),
    ) -> Result<(), PortError> {
        let mut stack = vec![(root, String::new())];
        while let Some((tree_id, prefix)) = stack.pop() {
            if !self.trees.insert(tree_id) {
                continue;
            }
            let tree = repo.find_tree(tree_id).map_err(git_error)?;
            for entry in tree.iter() {
                let entry = entry.map_err(git_error)?;
                let path = format!("{prefix}{}", entry.filename());
                match entry.mode().kind() {
                    EntryKind::Tree => stack.push((entry.object_id(), format!("{path}/"))),
                    EntryKind::Blob | EntryKind::BlobExecutable => {
                        let id = entry.object_id();
                        if self.blobs.insert(id) {
                            found(id, path);
                        }
                    }
                    // Links hold a path, submodules a commit of another repository.
                    EntryKind::Link | EntryKind::Commit => {}
                }
            }
        }
        Ok(())
    }
}

pub(crate) fn commit_info(commit: &gix::Commit<'_>) -> Result<CommitInfo, PortError> {
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

/// Every blob under `prefix` (the scanned directory inside the work tree) once.
pub(crate) fn walk(
    repo: &gix::Repository,
    prefix: &str,
    since: Option<&str>,
) -> Result<BlobWalk, PortError> {
    let hidden = match since {
        Some(revision) => {
            let id = repo
                .rev_parse_single(revision)
                .map_err(|e| PortError::new(format!("--since {revision}: {e}")))?;
            let commit = id
                .object()
                .map_err(git_error)?
                .peel_to_commit()
                .map_err(|e| PortError::new(format!("--since {revision}: {e}")))?;
            vec![commit.id]
        }
        None => Vec::new(),
    };
    let (order, parents) = commits_in_order(repo, tips(repo)?, hidden)?;
    let mut seen = Seen {
        trees: HashSet::new(),
        blobs: HashSet::new(),
    };
    // What the boundary commits (hidden parents of walked commits) already hold is not new.
    for id in &order {
        for parent in parents.get(id).into_iter().flatten() {
            if !parents.contains_key(parent) {
                let tree = repo
                    .find_commit(*parent)
                    .and_then(|c| c.tree_id())
                    .map_err(git_error)?;
                seen.walk(repo, tree.detach(), |_, _| {})?;
            }
        }
    }
    let mut blobs = Vec::new();
    for id in &order {
        let commit = repo.find_commit(*id).map_err(git_error)?;
        let tree = commit.tree_id().map_err(git_error)?.detach();
        let mut introduced = Vec::new();
        seen.walk(repo, tree, |blob, path| introduced.push((blob, path)))?;
        if introduced.is_empty() {
            continue;
        }
        let info = commit_info(&commit)?;
        for (blob, path) in introduced {
            let Some(relative) = path.strip_prefix(prefix) else {
                continue;
            };
            blobs.push(BlobOrigin {
                blob: blob.to_string(),
                path: relative.to_owned(),
                commit: info.clone(),
            });
        }
    }
    Ok(BlobWalk {
        blobs,
        commits: order.len() as u64,
    })
}
