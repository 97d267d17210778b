use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{GateId, GateMeta, ProfileLevel, Round, Severity, Target};

use super::pipelines::{ITEMS, load};

/// `R4.pinning.actions`: every `uses:` of another repository's action or reusable workflow is
/// pinned to a full commit SHA.
pub(crate) struct PinningActions;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R4.pinning.actions"),
    round: Round::R4,
    title: "Actions and reusable workflows pinned to a full commit SHA",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Prototype,
    rationale: "A tag or branch in `uses: owner/repo@v4` is a moving pointer: whoever controls that \
repository (or steals its credentials) can change what runs in your pipeline with your secrets, \
as happened with compromised popular actions. Only a full 40-hex commit SHA names immutable code. \
This gate reads every step and job `uses:` in GitHub workflows and composite actions and fails \
any reference to another repository that is not pinned to a full SHA (short SHAs and SHA-looking \
tags fail too). Local actions (`./path`) pass; `docker://` images pass only with an `@sha256:` \
digest. Fix: pin to the SHA and keep the tag in a comment (`@<sha> # v4.1.7`); Dependabot and \
Renovate update such pins.",
    evidence: &["pipelines", "references"],
    options: &[],
    items: Some(ITEMS),
};

fn is_full_sha(reference: &str) -> bool {
    reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Why a `uses:` value is not pinned, or `None` if it is.
fn problem(uses: &str) -> Option<String> {
    let uses = uses.trim();
    if uses.starts_with("./") || uses.starts_with("../") {
        return None;
    }
    if let Some(image) = uses.strip_prefix("docker://") {
        return (!image.contains("@sha256:"))
            .then(|| format!("container action {image} is not pinned by @sha256: digest"));
    }
    match uses.rsplit_once('@') {
        None => Some(format!("{uses} names no version at all")),
        Some((_, reference)) if is_full_sha(reference) => None,
        Some((target, reference))
            if reference.len() >= 7 && reference.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Some(format!(
                "{target} is pinned to a short SHA `{reference}`, which can be made ambiguous"
            ))
        }
        Some((target, reference)) => Some(format!(
            "{target} is pinned to the tag or branch `{reference}`, which can move"
        )),
    }
}

impl Gate for PinningActions {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let mut references = 0;
        for source in load(cx, out)? {
            for job in &source.pipeline.jobs {
                let steps = job.steps.iter().filter_map(|s| s.uses.as_ref());
                for uses in job.uses.iter().chain(steps) {
                    references += 1;
                    if let Some(problem) = problem(&uses.value) {
                        out.finding(
                            cx.finding(crate::support::shown_text(&problem), source.at(uses))
                                .identity(&uses.value)
                                .help(if uses.value.trim().starts_with("docker://") {
                                    "pin the image by digest: `docker://image:tag@sha256:<digest>` (`docker buildx imagetools inspect image:tag` prints it)"
                                } else {
                                    "pin to the full 40-hex commit SHA and keep the tag in a comment: `@<sha> # v4.1.7`"
                                })
                                .build(),
                        );
                    }
                }
            }
        }
        out.count("references", references);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn what_counts_as_pinned() {
        assert!(problem("actions/checkout@8e5e7e5ab8b370d6c329ec480221332ada57f0ab").is_none());
        assert!(problem("./.github/actions/setup").is_none());
        assert!(problem("docker://alpine@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1").is_none());
        assert!(
            problem("actions/checkout@v4")
                .unwrap()
                .contains("tag or branch `v4`")
        );
        assert!(
            problem("actions/checkout@8e5e7e5")
                .unwrap()
                .contains("short SHA")
        );
        assert!(
            problem("org/repo/.github/workflows/ci.yml@main")
                .unwrap()
                .contains("`main`")
        );
        assert!(problem("docker://alpine:3.20").is_some());
        assert!(problem("actions/checkout").unwrap().contains("no version"));
    }
}
