use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_formats::pipeline::{Kind, Permissions};
use harden_model::{GateId, GateMeta, ProfileLevel, Round, Severity, Span, Target};

use super::pipelines::{ITEMS, load};
use super::token_scopes::{job_needs, need_is_visible};

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
write scopes none of whose steps needs them. Which scopes a step needs is known for widely used \
actions and commands (releases, labels, comments, SARIF upload, OIDC, registries); a job with a \
script given the token or an action we do not know is counted as unknown, not judged. Fix: `permissions: contents: read` at the \
top, and grant each write scope only to the job that needs it.",
    evidence: &["workflows", "jobs"],
    options: &[],
    items: Some(ITEMS),
};

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

/// Which of the jobs sharing the workflow's grant use `scope`: `; only publish needs it (build,
/// test do not; lint runs an action harden does not know)`.
fn who_needs(pipeline: &harden_formats::pipeline::Pipeline, scope: &str) -> String {
    let (mut need, mut not, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
    for job in pipeline.jobs.iter().filter(|j| j.permissions.is_none()) {
        match job_needs(job) {
            Ok(needed) if needed.contains(scope) => need.push(job.id.as_str()),
            Ok(_) if need_is_visible(job, scope) => not.push(job.id.as_str()),
            _ => unknown.push(job.id.as_str()),
        }
    }
    let mut parts = Vec::new();
    if !not.is_empty() {
        parts.push(format!(
            "{} {} not use it",
            not.join(", "),
            if not.len() == 1 { "does" } else { "do" }
        ));
    }
    if !unknown.is_empty() {
        parts.push(format!("for {} harden cannot tell", unknown.join(", ")));
    }
    let needs = match need.as_slice() {
        [] => "no job is known to need it".to_owned(),
        [one] => format!("only {one} needs it"),
        many => format!("only {} need it", many.join(", ")),
    };
    if parts.is_empty() {
        String::new()
    } else {
        format!("; {needs} ({})", parts.join("; "))
    }
}

impl Gate for CiPermissions {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let (mut jobs, mut unknown) = (0, 0);
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
                // A reusable workflow (only `workflow_call`) gets its caller's token: what it
                // lacks is a narrowing of that, not the repository's defaults.
                let reusable_only = !pipeline.triggers.is_empty()
                    && pipeline.triggers.iter().all(|t| t.0 == "workflow_call");
                let whose = if reusable_only {
                    "whatever token permissions its callers grant"
                } else {
                    "the repository's default token permissions"
                };
                let mut finding = cx
                    .finding(
                        format!("no top-level `permissions:`: job{} {} {} with {whose}", if unscoped.len() == 1 { "" } else { "s" }, unscoped.join(", "), if unscoped.len() == 1 { "runs" } else { "run" }),
                        source.at_span(span, "permissions"),
                    )
                    .identity("no-permissions")
                    .help("add `permissions:\\n  contents: read` at the top, and grant write scopes per job");
                if reusable_only {
                    finding = finding.severity(Severity::Low);
                }
                out.finding(finding.build());
            }
            if let Some(top) = top {
                // Jobs with their own `permissions:` do not inherit the workflow's.
                for (scope, span) in writes(top) {
                    if scope == "write-all" || unscoped.len() > 1 {
                        let whom = if unscoped.len() == pipeline.jobs.len() {
                            format!("all {} jobs", unscoped.len())
                        } else {
                            format!("{} jobs ({})", unscoped.len(), unscoped.join(", "))
                        };
                        let which = if scope == "write-all" {
                            String::new()
                        } else {
                            who_needs(pipeline, scope.trim_end_matches(": write"))
                        };
                        out.finding(
                            cx.finding(format!("workflow-level `{scope}` is granted to {whom}{which}"), source.at_span(span, "permissions"))
                                .identity(format!("top:{scope}"))
                                .help("grant write scopes only in the `permissions:` of the job that needs them")
                                .build(),
                        );
                    }
                }
            }
            for job in &pipeline.jobs {
                jobs += 1;
                // A job without its own `permissions:` has the workflow's; when several share
                // them the broad grant is reported above, when one does it is judged here.
                let (permissions, inherited) = match (&job.permissions, top) {
                    (Some(own), _) => (own, false),
                    (None, Some(top)) if unscoped.len() == 1 => (top, true),
                    _ => continue,
                };
                let granted = writes(permissions);
                if granted.is_empty() {
                    continue;
                }
                let has = if inherited { "inherits" } else { "has" };
                let at = |span: Span| {
                    if inherited {
                        source.at_span(span, "permissions")
                    } else {
                        source.at_span(span, &format!("jobs.{}.permissions", job.id))
                    }
                };
                if let Some((scope, span)) = granted.iter().find(|(s, _)| s == "write-all") {
                    out.finding(
                        cx.finding(format!("job {} {has} `{scope}`: it grants every scope", job.id), at(*span))
                            .identity(format!("job:{}:{scope}", job.id))
                            .help("grant only the scopes its steps need, e.g. `contents: write` for a release")
                            .build(),
                    );
                    continue;
                }
                let Ok(needed) = job_needs(job) else {
                    unknown += 1;
                    continue;
                };
                for (scope, span) in &granted {
                    let name = scope.trim_end_matches(": write");
                    if needed.contains(name) {
                        continue;
                    }
                    if !need_is_visible(job, name) {
                        unknown += 1;
                        continue;
                    }
                    let why = if needed.is_empty() {
                        "but none of its steps writes through the token".to_owned()
                    } else {
                        let list: Vec<String> =
                            needed.iter().map(|s| format!("{s}: write")).collect();
                        format!("but its steps need only {}", list.join(", "))
                    };
                    out.finding(
                        cx.finding(format!("job {} {has} `{scope}` {why}", job.id), at(*span))
                            .identity(format!("job:{}:{scope}", job.id))
                            .help("remove the scope; grant a write scope only to the job whose step publishes, pushes or comments")
                            .build(),
                    );
                }
            }
        }
        out.count("jobs", jobs);
        // Jobs granted write scopes whose needs we cannot tell (an unlisted action, a script
        // given the token): not judged.
        out.count("jobs_needs_unknown", unknown);
        Ok(())
    }
}
