use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_formats::pipeline::{Job, Kind, Permissions};
use harden_model::{GateId, GateMeta, ProfileLevel, Round, Severity, Span, Target};

use super::pipelines::{ITEMS, load};

/// `R4.ci.permissions`: workflow tokens get least privilege.
pub(crate) struct CiPermissions;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R4.ci.permissions"),
    round: Round::R4,
    title: "Least-privilege token permissions in workflows",
    severity: Severity::Medium,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "Every GitHub Actions job gets a GITHUB_TOKEN; without a `permissions:` block it gets \
the repository default, which on many repositories is write access to contents, packages and more. \
A compromised step (a poisoned dependency, an injected script) then pushes code or publishes \
packages. This gate fails workflows without a top-level `permissions:` whose jobs do not set their \
own, `write-all` anywhere, workflow-level write scopes shared by several jobs, and jobs granted \
write scopes whose steps only check out, build and test. Fix: `permissions: contents: read` at the \
top, and grant each write scope only to the job that needs it.",
    evidence: &["workflows", "jobs"],
    options: &[],
    items: Some(ITEMS),
};

/// Actions and commands that legitimately need a write scope.
const WRITERS: &[&str] = &[
    "create-release",
    "action-gh-release",
    "create-pull-request",
    "upload-sarif",
    "deploy-pages",
    "docker/login-action",
    "docker/build-push-action",
    "release-please",
    "semantic-release",
    "changesets/action",
    "gh-pages",
    "pages-deploy",
    "git push",
    "gh release",
    "gh pr",
    "gh issue",
    "npm publish",
    "cargo publish",
    "docker push",
    "upload-release-asset",
    // security-events: write
    "codeql-action/",
    "upload-sarif",
    // id-token / attestations: write (OIDC federation, trusted publishing, provenance)
    "configure-aws-credentials",
    "google-github-actions/auth",
    "azure/login",
    "gh-action-pypi-publish",
    "attest-build-provenance",
    "actions/attest",
    "sigstore/",
    "cosign",
];

fn writes(permissions: &Permissions) -> Vec<(String, Span)> {
    match permissions {
        Permissions::WriteAll(span) => vec![("write-all".to_owned(), *span)],
        Permissions::Scopes(scopes) => scopes
            .iter()
            .filter(|(_, level, _)| level == "write")
            .map(|(scope, _, span)| (format!("{scope}: write"), *span))
            .collect(),
        Permissions::ReadAll(_) | Permissions::None(_) => Vec::new(),
    }
}

fn needs_write(job: &Job) -> bool {
    job.uses.is_some()
        || job.steps.iter().any(|step| {
            let texts = [
                step.uses.as_ref().map(|u| u.value.as_str()),
                step.run.as_ref().map(|r| r.text.value.as_str()),
            ];
            texts
                .iter()
                .flatten()
                .any(|t| WRITERS.iter().any(|w| t.contains(w)))
        })
}

impl Gate for CiPermissions {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        for source in load(cx, out)? {
            let pipeline = &source.pipeline;
            if pipeline.kind != Kind::GithubWorkflow {
                continue;
            }
            out.examined("workflows", 1);
            let top = pipeline.permissions.as_ref();
            let unscoped: Vec<&str> = pipeline
                .jobs
                .iter()
                .filter(|j| j.permissions.is_none())
                .map(|j| j.id.as_str())
                .collect();
            if top.is_none() && !unscoped.is_empty() {
                let span = pipeline.triggers.first().map(|t| t.1).unwrap_or_default();
                out.finding(
                    cx.finding(
                        format!("no top-level `permissions:`: job{} {} {} with the repository's default token permissions", if unscoped.len() == 1 { "" } else { "s" }, unscoped.join(", "), if unscoped.len() == 1 { "runs" } else { "run" }),
                        source.at_span(span, "permissions"),
                    )
                    .identity("no-permissions")
                    .help("add `permissions:\\n  contents: read` at the top, and grant write scopes per job")
                    .build(),
                );
            }
            if let Some(top) = top {
                for (scope, span) in writes(top) {
                    if scope == "write-all" || pipeline.jobs.len() > 1 {
                        out.finding(
                            cx.finding(format!("workflow-level `{scope}` is granted to all {} jobs", pipeline.jobs.len()), source.at_span(span, "permissions"))
                                .identity(format!("top:{scope}"))
                                .help("grant write scopes only in the `permissions:` of the job that needs them")
                                .build(),
                        );
                    }
                }
            }
            for job in &pipeline.jobs {
                out.count("jobs", 1);
                let Some(permissions) = &job.permissions else {
                    continue;
                };
                let granted = writes(permissions);
                if granted.is_empty() {
                    continue;
                }
                let write_all = granted.iter().any(|(s, _)| s == "write-all");
                if write_all || !needs_write(job) {
                    let (scope, span) = &granted[0];
                    let why = if write_all {
                        "grants every scope"
                    } else {
                        "but its steps only check out, build and test"
                    };
                    out.finding(
                        cx.finding(
                            format!("job {} has `{scope}` {why}", job.id),
                            source.at_span(*span, &format!("jobs.{}.permissions", job.id)),
                        )
                        .identity(format!("job:{}:{scope}", job.id))
                        .help("use `contents: read` unless a step publishes, pushes or comments")
                        .build(),
                    );
                }
            }
        }
        Ok(())
    }
}
