use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{
    GateId, GateMeta, Items, OptionKind, OptionSpec, ProfileLevel, Round, Severity, Target,
};

use super::images::{ImageRef, dockerfile_references, dockerfiles, yaml_references};
use super::pipelines;

/// `R4.pinning.images`: container images are pinned by digest.
pub(crate) struct PinningImages;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R4.pinning.images"),
    round: Round::R4,
    title: "Container images pinned by digest, never latest",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "An image tag is a mutable name: `node:20` today is not `node:20` next week, and \
`latest` (or no tag at all) is whatever was pushed last. Builds and deployments that resolve tags \
are neither reproducible nor reviewable, and a compromised registry account changes what you run. \
This gate reads Dockerfile `FROM` lines (with global ARG defaults resolved; build stages and \
`scratch` excluded), compose `image:`, `image:` anywhere in Kubernetes objects (rendered \
manifests), and CI job `container:`/`services:` images, and fails every reference without an \
`@sha256:` digest, with a separate message for `latest` and untagged images. Fix: pin \
`name:tag@sha256:<digest>` (the tag stays readable) and let Renovate or Dependabot bump digests.",
    evidence: &[
        "dockerfiles",
        "compose files",
        "kubernetes objects",
        "pipelines",
        "images",
    ],
    options: &[OptionSpec {
        key: "dockerfiles",
        kind: OptionKind::StringList,
        help: "More Dockerfiles, as globs from the repository root (e.g. [\"docker/*.build\"]), besides Dockerfile, Containerfile, Dockerfile.* and *.dockerfile in any case.",
    }],
    items: Some(Items {
        name: "container images (Dockerfiles, compose files, Kubernetes manifests)",
        globs: &[
            "**/Dockerfile",
            "**/Dockerfile.*",
            "**/*.Dockerfile",
            "**/dockerfile",
            "**/dockerfile.*",
            "**/*.dockerfile",
            "**/Containerfile",
            "**/Containerfile.*",
            "**/docker-compose*.yml",
            "**/docker-compose*.yaml",
            "**/compose.yml",
            "**/compose.yaml",
            "**/k8s/**",
            "**/kubernetes/**",
            "**/manifests/**",
            "**/deploy/**",
            "**/helm/**",
            "**/charts/**",
        ],
    }),
};

fn is_digest(reference: &str) -> bool {
    reference
        .split_once("@sha256:")
        .is_some_and(|(_, hex)| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether the image is in a registry on the machine that runs the build (`localhost:5000/app:
/// base`): a pipeline that starts its own registry pushes there the base it built a step before
/// (lldap's CI images), and nobody else can move its tags.
fn in_local_registry(reference: &str) -> bool {
    let Some((host, _)) = reference.split_once('/') else {
        return false;
    };
    let host = host.strip_prefix('[').map_or_else(
        || host.split(':').next().unwrap_or(host),
        |bracketed| bracketed.split(']').next().unwrap_or(bracketed),
    );
    matches!(host, "localhost" | "127.0.0.1" | "::1")
}

/// Why a reference is not pinned, or `None`.
fn problem(reference: &str) -> Option<String> {
    if is_digest(reference) || in_local_registry(reference) {
        return None;
    }
    if reference.contains('$') || reference.contains("{{") {
        return Some(format!(
            "{reference} is built from variables, so its digest cannot be verified"
        ));
    }
    // The tag is after the last `:` that follows the last `/` (a registry port is not a tag).
    let name_part = reference.rsplit('/').next().unwrap_or(reference);
    match name_part.split_once(':') {
        None => Some(format!(
            "{reference} has no tag or digest: it means `latest`, whatever was pushed last"
        )),
        Some((_, "latest")) => Some(format!(
            "{reference} uses `latest`, whatever was pushed last"
        )),
        Some((_, tag)) => Some(format!(
            "{reference} is pinned to the tag `{tag}`, which can be moved to another image"
        )),
    }
}

impl Gate for PinningImages {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let mut refs: Vec<ImageRef> = dockerfile_references(&dockerfiles(cx, out)?);
        refs.extend(yaml_references(cx, out)?);
        for source in pipelines::load(cx, out)? {
            for job in &source.pipeline.jobs {
                for image in &job.images {
                    refs.push(ImageRef {
                        reference: image.reference.value.clone(),
                        location: source.at(&image.reference),
                    });
                }
            }
        }
        // YAML aliases and GitLab templates can name one written reference several times.
        let mut seen = std::collections::BTreeSet::new();
        refs.retain(|r| seen.insert((r.location.short(), r.reference.clone())));
        out.count("images", refs.len() as u64);
        for image in refs {
            if let Some(problem) = problem(&image.reference) {
                out.finding(
                    cx.finding(crate::support::shown_text(&problem), image.location)
                        .identity(&image.reference)
                        .help("pin by digest: `name:tag@sha256:<digest>` (`docker buildx imagetools inspect name:tag` prints it)")
                        .build(),
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn what_counts_as_pinned() {
        let digest = "sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1";
        assert!(problem(&format!("node:20@{digest}")).is_none());
        assert!(problem(&format!("registry.example.com:5000/team/app@{digest}")).is_none());
        assert!(problem("node").unwrap().contains("no tag"));
        assert!(problem("node:latest").unwrap().contains("`latest`"));
        assert!(
            problem("registry.example.com:5000/team/app")
                .unwrap()
                .contains("no tag")
        );
        assert!(problem("postgres:15").unwrap().contains("tag `15`"));
        // The build's own registry, on its machine.
        assert!(problem("localhost:5000/lldap/lldap:alpine-base").is_none());
        assert!(problem("127.0.0.1:5000/app").is_none());
        assert!(problem("[::1]:5000/app:base").is_none());
        assert!(problem("localhost.example.com/app:base").is_some());
        assert!(
            problem("localhost:base").is_some(),
            "an image named localhost"
        );
        assert!(problem("${BASE}").unwrap().contains("variables"));
        assert!(
            problem("node@sha256:abc").is_some(),
            "a truncated digest is not a digest"
        );
    }
}
