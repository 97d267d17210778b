use harden_config::OptionValue;
use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{
    GateId, GateMeta, Location, OptionKind, OptionSpec, ProfileLevel, Round, Severity, Target,
};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::secret_scan::{CHUNK, Findings, Hit, Input, Scanned, detector, scan_all};

/// Bumped whenever what is cached changes meaning.
const CACHE_VERSION: u32 = 3;

/// What an earlier run learnt of the history: every blob it scanned, in history order, with
/// its outcome (hits hold masked secrets and digests only, never values).
#[derive(Serialize, Deserialize)]
struct HistoryCache {
    version: u32,
    /// [`harden_engine::History::tips_digest`] when it was written.
    tips: String,
    commits: u64,
    blobs: Vec<CachedBlob>,
}

#[derive(Serialize, Deserialize)]
struct CachedBlob {
    id: String,
    outcome: CachedOutcome,
    /// Path and introducing commit of a missing blob, for the finding that names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    missing_at: Option<(String, String)>,
}

/// A blob's outcome, as [`Scanned`] but kept across runs.
#[derive(Clone, Serialize, Deserialize)]
enum CachedOutcome {
    Binary,
    Missing,
    Large(Vec<Hit>),
    Text(Vec<Hit>),
}

impl From<Scanned> for CachedOutcome {
    fn from(scanned: Scanned) -> Self {
        match scanned {
            Scanned::Binary => Self::Binary,
            Scanned::Missing => Self::Missing,
            Scanned::Large(hits) => Self::Large(hits),
            Scanned::Text(hits) => Self::Text(hits),
        }
    }
}

impl CachedOutcome {
    fn into_scanned(self) -> Scanned {
        match self {
            Self::Binary => Scanned::Binary,
            Self::Missing => Scanned::Missing,
            Self::Large(hits) => Scanned::Large(hits),
            Self::Text(hits) => Scanned::Text(hits),
        }
    }
}

/// History that could not be read cannot be vouched for: a finding at the first blob missing.
fn missing_finding(
    cx: &GateCx<'_>,
    missing: u64,
    path: &str,
    commit: &str,
) -> harden_model::Finding {
    cx.finding(
        format!(
            "{missing} blob(s) of the history are not in this clone (a partial clone?) and were not scanned, first {path} in {}",
            commit.get(..12).unwrap_or(commit)
        ),
        Location::Commit {
            commit: commit.to_owned(),
            path: path.to_owned(),
            span: None,
            snippet: None,
        },
    )
    .identity("blobs-missing")
    .help("scan a full clone (git fetch --refetch, or clone without --filter)")
    .build()
}

/// The layout of what the cache keeps of a finding (2: whether a key is public by design).
const CACHED_HIT_LAYOUT: &str = "2";

/// Everything that decides a blob's outcome: harden's version, the built-in rules as written
/// (two builds of one version may differ in them), the layout of a cached finding, the
/// `[secrets]` configuration, what is left out, `since`, and the directory scanned.
fn cache_key(cx: &GateCx<'_>, since: Option<&str>) -> String {
    let config = cx.config();
    let mut hasher = Sha256::new();
    let mut rules = String::new();
    for r in harden_secrets::RULES {
        use std::fmt::Write as _;
        let _ = write!(
            rules,
            "{}\u{1f}{}\u{1f}{:?}\u{1f}{:?}\u{1f}{:?}\u{1f}{}{}{}{}{}{}\u{1f}{:?}\u{1e}",
            r.id,
            r.pattern,
            r.keywords,
            r.min_entropy,
            r.public,
            r.multiline,
            r.near,
            r.generic,
            r.checksum,
            r.known_values,
            r.following_lines,
            r.ignore_names,
        );
    }
    for part in [
        env!("CARGO_PKG_VERSION").to_owned(),
        CACHED_HIT_LAYOUT.to_owned(),
        rules,
        format!("{:?}", config.secrets.detector),
        format!("{:?}", config.secrets.allow_paths),
        format!("{:?}", config.repository_exclude),
        since.unwrap_or_default().to_owned(),
        // Paths in cached findings are relative to the scanned directory.
        cx.repo().root_display(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    format!("secrets-history-{}", &hex::encode(hasher.finalize())[..32])
}

/// `R3.secrets.history`: no secret in any blob of the git history.
pub(crate) struct SecretsHistory;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R3.secrets.history"),
    round: Round::R3,
    title: "No secrets in the git history",
    severity: Severity::Critical,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "Deleting a committed credential does not remove it: every clone keeps the commit \
that added it. This gate reads every blob reachable from any ref (branches, tags, remotes, stash) \
once, however many commits share it, with the same rules as R3.secrets.tree, and names the commit \
that introduced each secret, its author, date and path. With the `since` option (a revision such \
as origin/main) only blobs first appearing after it are read, for incremental runs in CI. A \
secret found in history is compromised: rotate it; rewriting history only limits further spread. \
Blobs a partial clone does not hold are counted as missing, not read. The outcome of every blob \
is kept under `.git/harden/cache/` (masked secrets and digests, never values), keyed by harden's \
version and the `[secrets]` settings: a second run on the same refs reads no blob, and after new \
commits only the new blobs are read.",
    evidence: &[
        "blobs",
        "commits",
        "binary files skipped",
        "large files read in chunks",
        "blobs missing",
        "blobs from cache",
        "secrets",
        "baselined",
    ],
    options: &[OptionSpec {
        key: "since",
        kind: OptionKind::String,
        help: "Only scan blobs introduced by commits not reachable from this revision (e.g. \"origin/main\").",
    }],
    items: None,
};

impl Gate for SecretsHistory {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let history = cx.history()?;
        let since = match cx.option("since") {
            Some(OptionValue::String(revision)) => Some(revision.as_str()),
            _ => None,
        };
        if history.is_shallow() {
            return Err(GateError::Skip(
                "shallow clone: the older history is not here to scan; fetch it (git fetch \
--unshallow, or actions/checkout with fetch-depth: 0)"
                    .into(),
            ));
        }
        let detector = detector(&cx.config().secrets.detector)?;
        let mut findings = Findings::new(cx)?;
        // `[repository] exclude` and `allow-paths` leave paths out of the history as they do of
        // the tree; the walk applies them before it deduplicates blobs.
        let excluded = harden_engine::glob_set(&cx.config().repository_exclude)?;
        let include = |path: &str| !findings.allowed_path(path) && !excluded.is_match(path);
        // Blobs scanned by an earlier run with the same rules are not read again: their
        // outcomes are kept in `.git/harden/cache/`, keyed by everything that decides them.
        let key = cache_key(cx, since);
        let tips = history.tips_digest()?;
        let cached: Option<HistoryCache> = history
            .cache_get(&key)
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .filter(|c: &HistoryCache| c.version == CACHE_VERSION);
        // The same refs: the same blobs in the same order, nothing to walk, unless a blob that
        // was missing has arrived since.
        let unchanged = |cache: &HistoryCache| {
            tips.as_ref() == Some(&cache.tips)
                && cache.blobs.iter().all(|b| {
                    !matches!(b.outcome, CachedOutcome::Missing)
                        || matches!(history.blob_size(&b.id), Ok(None))
                })
        };
        if let Some(cache) = cached.as_ref().filter(|c| unchanged(c)) {
            out.count("commits", cache.commits);
            out.count("blobs from cache", cache.blobs.len() as u64);
            let mut first_missing = None;
            for blob in &cache.blobs {
                if first_missing.is_none() {
                    first_missing = blob.missing_at.as_ref();
                }
                findings.add(blob.outcome.clone().into_scanned());
            }
            let missing = findings.missing();
            findings.report(cx, out, "blobs");
            if let Some((path, commit)) = first_missing {
                out.finding(missing_finding(cx, missing, path, commit));
            }
            if let Some(revision) = since {
                out.fact("since", revision);
            }
            return Ok(());
        }
        // Outcomes of blobs read before (a missing one is tried again).
        let known: std::collections::HashMap<&str, &CachedOutcome> = cached
            .as_ref()
            .map(|c| {
                c.blobs
                    .iter()
                    .filter(|b| !matches!(b.outcome, CachedOutcome::Missing))
                    .map(|b| (b.id.as_str(), &b.outcome))
                    .collect()
            })
            .unwrap_or_default();
        cx.progress("walking the history");
        let walk = history.blobs(since, &include)?;
        out.count("commits", walk.commits);
        let blobs: Vec<_> = walk.blobs.iter().collect();
        // Read the versions of one file one after another (their deltas share bases in the
        // pack cache), then take the results back in history order so that the first place a
        // secret is reported is the commit that introduced it.
        let mut by_path: Vec<usize> = (0..blobs.len())
            .filter(|&i| !known.contains_key(blobs[i].blob.as_str()))
            .collect();
        by_path.sort_by(|&a, &b| blobs[a].path.cmp(&blobs[b].path).then(a.cmp(&b)));
        let fresh = scan_all(
            cx,
            &detector,
            &by_path,
            "new blobs",
            |&i| (blobs[i].path.as_str(), Some(blobs[i])),
            |&i| {
                let blob = &blobs[i].blob;
                // Large blobs are streamed: a 2 GB file deleted long ago costs no more memory
                // than a small one.
                Ok(match history.blob_size(blob)? {
                    None => Input::Missing,
                    Some(size) if size > CHUNK as u64 => history
                        .open_blob(blob)?
                        .map_or(Input::Missing, Input::Stream),
                    Some(_) => history
                        .read_blob(blob)?
                        .map_or(Input::Missing, Input::Bytes),
                })
            },
        )?;
        let mut outcomes: Vec<Option<CachedOutcome>> = blobs
            .iter()
            .map(|b| known.get(b.blob.as_str()).map(|o| (*o).clone()))
            .collect();
        out.count(
            "blobs from cache",
            outcomes.iter().filter(|o| o.is_some()).count() as u64,
        );
        for (i, scanned) in by_path.into_iter().zip(fresh) {
            outcomes[i] = Some(CachedOutcome::from(scanned));
        }
        if let Some(tips) = tips {
            let cache = HistoryCache {
                version: CACHE_VERSION,
                tips,
                commits: walk.commits,
                blobs: blobs
                    .iter()
                    .zip(&outcomes)
                    .filter_map(|(b, o)| {
                        o.as_ref().map(|o| CachedBlob {
                            id: b.blob.clone(),
                            outcome: o.clone(),
                            missing_at: matches!(o, CachedOutcome::Missing)
                                .then(|| (b.path.clone(), b.commit.id.clone())),
                        })
                    })
                    .collect(),
            };
            if let Ok(bytes) = serde_json::to_vec(&cache) {
                // A cache that cannot be written only costs the next run its speed.
                let _ = history.cache_put(&key, &bytes);
            }
        }
        let in_history_order: Vec<(usize, Scanned)> = outcomes
            .into_iter()
            .enumerate()
            .map(|(i, o)| (i, o.unwrap_or(CachedOutcome::Missing).into_scanned()))
            .collect();
        let mut first_missing = None;
        for (i, scanned) in in_history_order {
            if matches!(scanned, Scanned::Missing) && first_missing.is_none() {
                first_missing = Some(i);
            }
            findings.add(scanned);
        }
        let missing = findings.missing();
        findings.report(cx, out, "blobs");
        if let Some(first) = first_missing {
            let blob = blobs[first];
            out.finding(missing_finding(cx, missing, &blob.path, &blob.commit.id));
        }
        if let Some(revision) = since {
            out.fact("since", revision);
        }
        Ok(())
    }
}
