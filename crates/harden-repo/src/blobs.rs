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

/// What the refs point at once tags are peeled: commits to walk, and the rare trees and blobs
/// tagged directly (`git tag name <blob>`), which are scanned as they are.
struct Tips {
    commits: Vec<ObjectId>,
    others: Vec<(String, ObjectId, gix::object::Kind)>,
}

/// Tips of every ref (branches, tags, remotes, stash) and HEAD, peeled.
fn tips(repo: &gix::Repository) -> Result<Tips, PortError> {
    let mut tips = Vec::new();
    let mut others = Vec::new();
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
        let name = reference.name().as_bstr().to_string();
        // harden's own ledger anchors are not part of the project's history.
        if name.starts_with(crate::history::ANCHOR_REFS) {
            continue;
        }
        if let Ok(object) = repo.find_object(id.detach()) {
            match object.kind {
                gix::object::Kind::Commit => tips.push(id.detach()),
                kind @ (gix::object::Kind::Tree | gix::object::Kind::Blob) => {
                    others.push((name, id.detach(), kind));
                }
                gix::object::Kind::Tag => {}
            }
        }
    }
    if let Ok(head) = repo.head_id() {
        tips.push(head.detach());
    }
    tips.sort();
    tips.dedup();
    Ok(Tips {
        commits: tips,
        others,
    })
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

/// Trees and blobs already visited. A tree is keyed by its id *and* path, and a blob counts as
/// seen only where it was in scope: the same content first met under a path that is left out
/// (`[repository] exclude`, `allow-paths`, outside the scanned directory) is still read when it
/// turns up under a path that is not.
struct Seen<'f> {
    trees: HashSet<(ObjectId, String)>,
    blobs: HashSet<ObjectId>,
    /// The scanned directory inside the work tree (`services/api/`), empty at the top.
    prefix: &'f str,
    /// Whether a path relative to `prefix` is scanned.
    include: &'f (dyn Fn(&str) -> bool + Sync),
}

impl Seen<'_> {
    /// Walks the tree `root`, calling `found` for in-scope blobs not seen before, with their
    /// paths relative to the prefix.
    fn walk(
        &mut self,
        repo: &gix::Repository,
        root: ObjectId,
        mut found: impl FnMut(ObjectId, String),
    ) -> Result<(), PortError> {
        let (trees, blobs, include) = (&mut self.trees, &mut self.blobs, self.include);
        walk_tree(
            repo,
            root,
            self.prefix,
            |tree_id, dir| trees.insert((tree_id, dir.to_owned())),
            |id, relative| {
                if include(relative) && blobs.insert(id) {
                    found(id, relative.to_owned());
                }
            },
        )
    }
}

/// The blobs of the tree `root` under `prefix` (links and submodules left out), each with its
/// path relative to `prefix`; directories are entered only on the way to or inside `prefix`,
/// and only where `enter` agrees (it sees each tree's id and path, for callers that skip trees
/// already walked).
fn walk_tree(
    repo: &gix::Repository,
    root: ObjectId,
    prefix: &str,
    mut enter: impl FnMut(ObjectId, &str) -> bool,
    mut blob: impl FnMut(ObjectId, &str),
) -> Result<(), PortError> {
    let mut stack = vec![(root, String::new())];
    while let Some((tree_id, dir)) = stack.pop() {
        if !enter(tree_id, &dir) {
            continue;
        }
        let tree = repo.find_tree(tree_id).map_err(git_error)?;
        for entry in tree.iter() {
            let entry = entry.map_err(git_error)?;
            // Names that are not UTF-8 are shown escaped, never lossily merged.
            let path = format!(
                "{dir}{}",
                harden_model::escape_path(entry.filename().as_ref())
            );
            match entry.mode().kind() {
                EntryKind::Tree => {
                    let sub = format!("{path}/");
                    if prefix.starts_with(&sub) || sub.starts_with(prefix) {
                        stack.push((entry.object_id(), sub));
                    }
                }
                EntryKind::Blob | EntryKind::BlobExecutable => {
                    if let Some(relative) = path.strip_prefix(prefix) {
                        blob(entry.object_id(), relative);
                    }
                }
                // Links hold a path, submodules a commit of another repository.
                EntryKind::Link | EntryKind::Commit => {}
            }
        }
    }
    Ok(())
}

/// Every file of the tree `root` under `prefix`, as paths relative to it with blob ids, sorted.
pub(crate) fn tree_files(
    repo: &gix::Repository,
    root: ObjectId,
    prefix: &str,
) -> Result<Vec<(String, String)>, PortError> {
    let mut files = Vec::new();
    walk_tree(
        repo,
        root,
        prefix,
        |_, _| true,
        |id, relative| files.push((relative.to_owned(), id.to_string())),
    )?;
    files.sort();
    Ok(files)
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

/// Every blob under `prefix` (the scanned directory inside the work tree) that `include`
/// accepts, once.
pub(crate) fn walk(
    repo: &gix::Repository,
    prefix: &str,
    since: Option<&str>,
    include: &(dyn Fn(&str) -> bool + Sync),
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
    let tips = tips(repo)?;
    let (order, parents) = commits_in_order(repo, tips.commits, hidden)?;
    let mut seen = Seen {
        trees: HashSet::new(),
        blobs: HashSet::new(),
        prefix,
        include,
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
            blobs.push(BlobOrigin {
                blob: blob.to_string(),
                path,
                commit: info.clone(),
            });
        }
    }
    // Trees and blobs tagged directly: named by the ref, with no commit date or author.
    for (name, id, kind) in tips.others {
        let origin = |path: String, blob: ObjectId| BlobOrigin {
            blob: blob.to_string(),
            path,
            commit: CommitInfo {
                id: name.clone(),
                time: jiff::Timestamp::UNIX_EPOCH,
                author: String::new(),
            },
        };
        if kind == gix::object::Kind::Tree {
            let mut found = Vec::new();
            seen.walk(repo, id, |blob, path| found.push((blob, path)))?;
            blobs.extend(found.into_iter().map(|(blob, path)| origin(path, blob)));
        } else if seen.blobs.insert(id) {
            blobs.push(origin(format!("({name})"), id));
        }
    }
    Ok(BlobWalk {
        blobs,
        commits: order.len() as u64,
    })
}
