use std::collections::{BTreeMap, BTreeSet};

use harden_config::OptionValue;
use harden_engine::{CommitInfo, Gate, GateCx, GateError, GateOutput, History};
use harden_formats::openapi_diff::{self, Change, Contract, Place};
use harden_model::{
    GateId, GateMeta, Location, OptionKind, OptionSpec, ProfileLevel, Round, Severity, Target,
};

use crate::classify::FileClass;

/// `R0.contracts.breaking`: no contract breaks its clients compared with the base revision.
pub(crate) struct ContractsBreaking;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R0.contracts.breaking"),
    round: Round::R0,
    title: "API contracts do not break their clients",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "A contract is a promise to every client already written against it. This gate \
compares each OpenAPI 3.x and Swagger 2.0 contract of the working tree with the same contract at \
the base revision (the merge base of HEAD and `--base REF`; without it, the pull or merge request's \
target branch in GitHub Actions and GitLab CI, else the clone's default branch `origin/HEAD`) and \
fails on every change that can break a client: a removed operation or success response, a new \
required parameter, request body or property, an optional one made required, a narrower request \
type, format, bound or enum, a response property removed, renamed or no longer guaranteed, a \
wider response type or a new response enum value, and security a client's credentials no longer \
satisfy. Additions, descriptions, order, a schema moved behind a `$ref` (in the same file or \
another) and renamed path parameters are not breaking. A contract that is gone, or moved without \
its `info.title`, is a breaking change too. Each finding shows where the thing was at the base and \
where it is now. Fix: keep the old shape (add instead of change, deprecate before removing), or \
version the API; a deliberate break is waived with its reason.",
    evidence: &[
        "base",
        "contracts",
        "operations compared",
        "breaking changes",
    ],
    options: &[OptionSpec {
        key: "base",
        kind: OptionKind::String,
        help: "The revision to compare with (its merge base with HEAD), e.g. \"origin/main\"; `harden check --base REF` sets it for one run.",
    }],
    items: None,
};

/// Most contracts compared in one run, and most files one contract may span: past these the
/// rest is listed as not examined.
const MAX_CONTRACTS: usize = 200;
/// A contract file read at the base is read whole: bounded like every parsed file.
const MAX_BASE_BYTES: u64 = crate::support::MAX_PARSED_BYTES;

/// Where the revision to compare with came from, for the evidence.
fn base_revision(cx: &GateCx<'_>) -> (String, &'static str) {
    if let Some(OptionValue::String(revision)) = cx.option("base") {
        return (revision.clone(), "--base or [gates] option");
    }
    let env = cx.env();
    if let Some(sha) = env
        .var("CI_MERGE_REQUEST_DIFF_BASE_SHA")
        .filter(|s| !s.is_empty())
    {
        return (sha, "the merge request's base (GitLab CI)");
    }
    if let Some(branch) = env.var("GITHUB_BASE_REF").filter(|s| !s.is_empty()) {
        return (
            format!("origin/{branch}"),
            "the pull request's base branch (GitHub Actions)",
        );
    }
    ("origin/HEAD".to_owned(), "the default branch (origin/HEAD)")
}

/// Whether a document may be an OpenAPI contract, by its first bytes' words.
fn maybe_openapi(text: &str) -> bool {
    text.contains("openapi") || text.contains("swagger")
}

fn candidate(class: &FileClass) -> bool {
    matches!(class.extension.as_str(), "yml" | "yaml" | "json")
        && !class.test_support
        && class.role() != crate::paths::PathRole::Vendored
}

/// The contracts of one version, by path.
type Contracts = BTreeMap<String, Contract>;

fn load_head(cx: &GateCx<'_>, out: &mut GateOutput) -> Result<Contracts, GateError> {
    let classified = crate::classify::classified(cx)?;
    let configured = &cx.config().contracts.openapi;
    let mut contracts = Contracts::new();
    for class in classified.iter().filter(|c| candidate(c)) {
        let path = &class.path;
        let Some(bytes) = crate::support::read_parsed_into(cx, out, path)? else {
            continue;
        };
        let text = harden_engine::lossy_text(&bytes);
        if !maybe_openapi(&text) && !configured.contains(path) {
            continue;
        }
        let repo = cx.repo();
        let read = |other: &str| -> Option<String> {
            (repo.is_file(other) && repo.size(other).ok()?? <= MAX_BASE_BYTES)
                .then(|| repo.read(other).ok())
                .flatten()
                .map(|b| harden_engine::lossy_text(&b).into_owned())
        };
        // A document that does not parse is R0.contracts.present's finding, not this one's.
        if let Ok(contract) = Contract::load(path, &text, &read)
            && contract.is_openapi()
        {
            if contracts.len() >= MAX_CONTRACTS {
                out.not_examined(path, format!("more than {MAX_CONTRACTS} contracts"));
                continue;
            }
            contracts.insert(path.clone(), contract);
        }
    }
    Ok(contracts)
}

fn load_base(
    history: &dyn History,
    commit: &str,
    head: &Contracts,
    out: &mut GateOutput,
    cx: &GateCx<'_>,
) -> Result<Contracts, GateError> {
    let files: BTreeMap<String, String> = history.files_at(commit)?.into_iter().collect();
    let read = |path: &str| -> Option<String> {
        let blob = files.get(path)?;
        if history.blob_size(blob).ok()?? > MAX_BASE_BYTES {
            return None;
        }
        history
            .read_blob(blob)
            .ok()?
            .map(|b| harden_engine::lossy_text(&b).into_owned())
    };
    let configured = &cx.config().contracts.openapi;
    let listed: BTreeSet<&str> = cx.repo().files()?.iter().map(String::as_str).collect();
    let mut contracts = Contracts::new();
    // The head's contracts as they were, and documents the working tree no longer has (a
    // contract deleted or moved).
    for path in files.keys() {
        let class = FileClass::of(path);
        if !candidate(&class) || (listed.contains(path.as_str()) && !head.contains_key(path)) {
            continue;
        }
        let Some(text) = read(path) else {
            continue;
        };
        if !maybe_openapi(&text) && !configured.contains(path) {
            continue;
        }
        if let Ok(contract) = Contract::load(path, &text, &read)
            && contract.is_openapi()
        {
            if contracts.len() >= MAX_CONTRACTS {
                out.not_examined(
                    path,
                    format!("more than {MAX_CONTRACTS} contracts at the base"),
                );
                continue;
            }
            contracts.insert(path.clone(), contract);
        }
    }
    Ok(contracts)
}

fn head_location(place: &Place) -> Location {
    crate::support::span_location(&place.file, place.span)
}

fn base_location(commit: &str, place: &Place) -> Location {
    Location::Commit {
        commit: commit.to_owned(),
        path: place.file.clone(),
        span: Some(place.span),
        snippet: None,
    }
}

impl ContractsBreaking {
    fn report(
        cx: &GateCx<'_>,
        out: &mut GateOutput,
        contract: &str,
        base: &CommitInfo,
        change: &Change,
    ) {
        let short = &base.id[..base.id.len().min(12)];
        let was = format!("{}:{}", change.base.file, change.base.span.start.line);
        let subject = if change.subject.is_empty() {
            String::new()
        } else {
            format!(", {}", change.subject)
        };
        let message = format!(
            "{} {}{subject}: {} (was {was} at {short})",
            contract, change.operation, change.detail
        );
        // A change to something that is gone is shown where it was.
        let (location, related) = match &change.head {
            Some(head) => (
                head_location(head),
                Some(base_location(&base.id, &change.base)),
            ),
            None => (base_location(&base.id, &change.base), None),
        };
        let mut finding = cx
            .finding(message, location)
            .identity(format!(
                "breaking:{contract}:{}:{}:{}",
                change.operation,
                change.kind.as_str(),
                change.subject
            ))
            .help("keep the old shape for existing clients (add rather than change; deprecate before removing) or publish a new API version; waive a deliberate break with its reason");
        if let Some(related) = related {
            finding = finding.related(related);
        }
        out.finding(finding.build());
    }
}

impl Gate for ContractsBreaking {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let history = cx.history()?;
        let (revision, source) = base_revision(cx);
        let base = match history.merge_base(&revision) {
            Ok(Some(base)) => base,
            Ok(None) => {
                return Err(GateError::Skip(format!(
                    "{revision} ({source}) shares no history with HEAD: nothing to compare with"
                )));
            }
            Err(e) if source.starts_with("the default branch") => {
                return Err(GateError::Skip(format!(
                    "no base revision to compare with ({e}): pass --base REF, or set `base` in [gates.\"R0.contracts.breaking\"]"
                )));
            }
            Err(e) => {
                return Err(GateError::Failed {
                    message: format!("the base revision {revision} ({source}): {e}"),
                    location: None,
                });
            }
        };
        out.fact(
            "base",
            format!(
                "{} ({revision}, {source})",
                &base.id[..base.id.len().min(12)]
            ),
        );
        let head = load_head(cx, out)?;
        let old = load_base(history, &base.id, &head, out, cx)?;
        // Pair by path; a contract that moved keeps its title.
        let mut pairs: Vec<(&str, &Contract, Option<&Contract>)> = Vec::new();
        let mut unpaired: Vec<(&String, &Contract)> = Vec::new();
        for (path, before) in &old {
            match head.get(path) {
                Some(after) => pairs.push((path, before, Some(after))),
                None => unpaired.push((path, before)),
            }
        }
        let paired_heads: BTreeSet<&str> = pairs.iter().map(|(p, _, _)| *p).collect();
        for (path, before) in unpaired {
            let moved = before.title().and_then(|title| {
                head.iter().find(|(p, c)| {
                    !paired_heads.contains(p.as_str())
                        && !old.contains_key(*p)
                        && c.title() == Some(title)
                })
            });
            pairs.push((path, before, moved.map(|(_, c)| c)));
        }
        let (mut operations, mut breaking) = (0u64, 0u64);
        for (path, before, after) in &pairs {
            operations += before.operations().len() as u64;
            let Some(after) = after else {
                breaking += 1;
                let root = before.document().map(|d| d.span).unwrap_or_default();
                out.finding(
                    cx.finding(
                        format!(
                            "{path}: the contract is gone ({} operations at {}): every client of it breaks",
                            before.operations().len(),
                            &base.id[..base.id.len().min(12)]
                        ),
                        base_location(
                            &base.id,
                            &Place {
                                file: (*path).to_owned(),
                                span: root,
                            },
                        ),
                    )
                    .identity(format!("breaking:{path}:removed-contract"))
                    .help("restore the contract, or move it keeping its info.title so it is compared")
                    .build(),
                );
                continue;
            };
            let (changes, more) = openapi_diff::breaking_changes(before, after);
            breaking += (changes.len() + more) as u64;
            for change in &changes {
                Self::report(cx, out, &after.root, &base, change);
            }
            if more > 0 {
                out.count("breaking changes not listed", more as u64);
            }
        }
        out.examined("contracts", pairs.len() as u64);
        out.count("operations compared", operations);
        out.count("breaking changes", breaking);
        Ok(())
    }
}
