use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_formats::pipeline::{Job, Kind, Step};
use harden_model::{GateId, GateMeta, ProfileLevel, Round, Severity, Target};

use super::pipelines::{ITEMS, Source, load};

/// `R4.ci.credentials`: workflow credentials stay where they are needed.
pub(crate) struct CiCredentials;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R4.ci.credentials"),
    round: Round::R4,
    title: "Workflow credentials stay where they are needed",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "A workflow's credentials leak in quieter ways than an echo. `actions/checkout` \
writes the job's token into `.git/config` unless told `persist-credentials: false`; a job that \
then uploads its checkout as an artifact publishes that token to everyone who can download \
artifacts (public repositories: everyone). `secrets: inherit` hands a called workflow every \
secret of the repository, not the ones it uses. And `${{ secrets.NAME }}` written inside a `run:` \
script is pasted into the script file on the runner's disk before the shell starts, visible to \
every process of the job, and GitHub can no longer mask it once the script transforms it. Fix: \
`persist-credentials: false` (or upload a subdirectory), pass each secret by name \
(`secrets: {TOKEN: ${{ secrets.TOKEN }}}`), and give a script its secret through `env:`.",
    evidence: &["pipelines", "jobs"],
    options: &[],
    items: Some(ITEMS),
};

fn action_named<'a>(step: &'a Step, name: &str) -> Option<&'a str> {
    let uses = step.uses.as_ref()?.value.as_str();
    let (action, _) = uses.split_once('@')?;
    (action.eq_ignore_ascii_case(name)).then_some(uses)
}

fn with<'a>(step: &'a Step, key: &str) -> Option<&'a str> {
    step.with
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.value.as_str())
}

/// Whether an upload path (one line of `with: path:`) holds the checkout in `dir` with its
/// `.git`: the workspace itself, `dir`, everything (`*`, `**`), or `dir/.git`.
fn uploads_checkout(path: &str, dir: &str) -> bool {
    let path = path.trim();
    if path.starts_with('!') || path.is_empty() {
        return false;
    }
    let path = path
        .trim_start_matches("${{ github.workspace }}")
        .trim_start_matches("$GITHUB_WORKSPACE")
        .trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/');
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    let dir = if dir == "." { "" } else { dir };
    matches!(path, "" | "." | "*" | "**" | "**/*")
        || path == dir
        || path == format!("{dir}/.git").trim_start_matches('/')
}

/// The `${{ ... }}` expressions of a script line that read `secrets.`.
fn secret_expressions(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find("${{") {
        let Some(length) = rest[start..].find("}}") else {
            break;
        };
        let expression = &rest[start..start + length + 2];
        if expression.contains("secrets.") || expression.contains("secrets[") {
            found.push(expression.to_owned());
        }
        rest = &rest[start + length + 2..];
    }
    found
}

fn persisted_uploads(cx: &GateCx<'_>, out: &mut GateOutput, source: &Source, job: &Job) {
    // Checkouts that leave the token in .git/config, by the directory they check out into.
    let mut persisted: Vec<(&str, &Step)> = Vec::new();
    for step in &job.steps {
        if action_named(step, "actions/checkout").is_some()
            && with(step, "persist-credentials").is_none_or(|v| v.trim() != "false")
        {
            persisted.push((with(step, "path").unwrap_or("."), step));
            continue;
        }
        let Some(uses) = action_named(step, "actions/upload-artifact") else {
            continue;
        };
        let paths = with(step, "path").unwrap_or_default();
        let Some((dir, checkout)) = persisted
            .iter()
            .find(|(dir, _)| paths.lines().any(|p| uploads_checkout(p, dir)))
        else {
            continue;
        };
        let at = step.with.iter().find(|(k, _)| k == "path").map_or_else(
            || step.uses.as_ref().map(|u| source.at(u)),
            |(_, v)| Some(source.at(v)),
        );
        let Some(at) = at else { continue };
        out.finding(
            cx.finding(
                format!(
                    "{} uploads the checkout of `{dir}` with the token the checkout at line {} left in .git/config: whoever can download the artifact has the token",
                    uses.split('@').next().unwrap_or(uses),
                    checkout.span.start.line
                ),
                at,
            )
            .identity(format!("artipacked:{}:{dir}", job.id))
            .help("set `persist-credentials: false` on the checkout, or upload only the build output directory")
            .build(),
        );
    }
}

impl Gate for CiCredentials {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        for source in load(cx, out)? {
            let pipeline = &source.pipeline;
            // GitLab hands secrets to jobs as variables, and a composite action cannot read
            // `secrets` at all: what this gate judges exists in workflows only.
            if pipeline.kind != Kind::GithubWorkflow {
                continue;
            }
            for job in &pipeline.jobs {
                out.examined("jobs", 1);
                if let Some(secrets) = job.secrets.as_ref().filter(|s| s.value == "inherit") {
                    out.finding(
                        cx.finding(
                            format!(
                                "job {} passes every secret of the repository to {} (`secrets: inherit`)",
                                job.id,
                                job.uses.as_ref().map_or("the called workflow", |u| u.value.as_str())
                            ),
                            source.at(secrets),
                        )
                        .identity(format!("inherit:{}", job.id))
                        .severity(Severity::Medium)
                        .help("pass only the secrets the workflow declares: `secrets: {NAME: ${{ secrets.NAME }}}`")
                        .build(),
                    );
                }
                persisted_uploads(cx, out, &source, job);
                for step in &job.steps {
                    let Some(run) = &step.run else { continue };
                    for (index, line) in run.text.value.lines().enumerate() {
                        for expression in secret_expressions(line) {
                            out.finding(
                                cx.finding(
                                    format!("`{expression}` is pasted into the script text: the secret is written to the runner's disk and escapes masking once transformed"),
                                    source.in_script(run, index, &expression),
                                )
                                .identity(format!("{}\n{expression}", run.text.logical))
                                .severity(Severity::Medium)
                                .help("pass it through `env:` (TOKEN: ${{ secrets.TOKEN }}) and use \"$TOKEN\" in the script")
                                .build(),
                            );
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{secret_expressions, uploads_checkout};

    #[test]
    fn uploads_that_carry_the_checkout() {
        assert!(uploads_checkout(".", "."));
        assert!(uploads_checkout("${{ github.workspace }}", "."));
        assert!(uploads_checkout("./", "."));
        assert!(uploads_checkout("src", "src"));
        assert!(uploads_checkout("src/.git", "src"));
        assert!(!uploads_checkout("dist/", "."));
        assert!(!uploads_checkout("!./", "."));
        assert!(!uploads_checkout("target/release/app", "."));
    }

    #[test]
    fn secrets_in_script_text() {
        assert_eq!(
            secret_expressions(
                "curl -H \"Authorization: ${{ secrets.API_TOKEN }}\" ${{ github.sha }}"
            ),
            ["${{ secrets.API_TOKEN }}"]
        );
        assert!(secret_expressions("curl -H \"Authorization: $API_TOKEN\"").is_empty());
        assert_eq!(secret_expressions("echo ${{ secrets['x'] }}").len(), 1);
    }
}
