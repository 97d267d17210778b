use harden_config::OptionValue;
use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{
    GateId, GateMeta, Location, OptionKind, OptionSpec, ProfileLevel, Round, Severity, Target,
};

use super::secret_scan::{CHUNK, Findings, Input, Scanned, detector, scan_all};

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
Blobs a partial clone does not hold are counted as missing, not read.",
    evidence: &[
        "blobs",
        "commits",
        "binary files skipped",
        "large files read in chunks",
        "blobs missing",
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
        let walk = history.blobs(since, &include)?;
        out.count("commits", walk.commits);
        let blobs: Vec<_> = walk.blobs.iter().collect();
        // Read the versions of one file one after another (their deltas share bases in the
        // pack cache), then take the results back in history order so that the first place a
        // secret is reported is the commit that introduced it.
        let mut by_path: Vec<usize> = (0..blobs.len()).collect();
        by_path.sort_by(|&a, &b| blobs[a].path.cmp(&blobs[b].path).then(a.cmp(&b)));
        let scanned = scan_all(
            &detector,
            &by_path,
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
        let mut in_history_order: Vec<_> = by_path.into_iter().zip(scanned).collect();
        in_history_order.sort_by_key(|(i, _)| *i);
        let mut first_missing = None;
        for (i, scanned) in in_history_order {
            if matches!(scanned, Scanned::Missing) && first_missing.is_none() {
                first_missing = Some(i);
            }
            findings.add(scanned);
        }
        let missing = findings.missing();
        findings.report(cx, out, "blobs");
        // History that could not be read cannot be vouched for.
        if let Some(first) = first_missing {
            let blob = blobs[first];
            out.finding(
                cx.finding(
                    format!(
                        "{missing} blob(s) of the history are not in this clone (a partial clone?) \
and were not scanned, first {} in {}",
                        blob.path,
                        &blob.commit.id[..blob.commit.id.len().min(12)]
                    ),
                    Location::Commit {
                        commit: blob.commit.id.clone(),
                        path: blob.path.clone(),
                        span: None,
                        snippet: None,
                    },
                )
                .identity("blobs-missing")
                .help("scan a full clone (git fetch --refetch, or clone without --filter)")
                .build(),
            );
        }
        if let Some(revision) = since {
            out.fact("since", revision);
        }
        Ok(())
    }
}
