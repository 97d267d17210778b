//! `R4.deploy.promotion`: a deploy promotes an artifact that was built once, tested green at the
//! same commit and pinned by digest; an image that is pushed is signed and carries its SBOM.

use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_formats::pipeline::{Job, Kind, Pipeline, Step};
use harden_model::{GateId, GateMeta, Items, Location, ProfileLevel, Round, Severity, Target};

use crate::r4::pipelines::{Source, load_uncounted};

/// `R4.deploy.promotion`.
pub(crate) struct DeployPromotion;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R4.deploy.promotion"),
    round: Round::R4,
    title: "Deploys promote a tested, pinned, signed artifact",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "Deploys earn promotion: what reaches production should be the artifact that was \
built once and tested green at the same commit, named by digest so that nothing can change \
under the name between test and deploy, and signed with its SBOM attested so that the cluster \
(and the auditor) can tell it from anything else with the same tag. This gate reads GitHub \
workflows and GitLab pipelines. A deploy job (a step that runs `kubectl apply`/`set image`, \
`helm upgrade`, `aws ecs update-service`, `gcloud run deploy`, `az webapp`/`containerapp`, \
`fly deploy`, `terraform apply`, `vercel`/`netlify`/`wrangler` deploys, or a deploy action of \
AWS, Azure, Google, Fly or Cloudflare, or a job bound to a production environment such as \
`environment: production`) fails where it does not depend on a test job of the same \
run (`needs:` directly or through the chain; in GitLab, an earlier stage where the job names no \
`needs:`; tests run earlier in the same job count, and a `workflow_run` trigger whose job checks \
the run's conclusion; a test job is one named or calling `test`/`ci`/`check`/`e2e`, or running a \
test command, and for infrastructure `terraform plan`/`validate` and `helm lint`), where it builds \
the artifact it deploys (`docker build`, `npm run build`, `cargo build`, `go build`, Maven and \
Gradle packaging, or a platform build such as `fly deploy` without `--image` and `gcloud run \
deploy --source`), and where it names an image by tag instead of `@sha256:` digest (a chart's `--set image.tag=` \
included). A step that \
pushes an image (`docker push`, `docker/build-push-action` with `push`, `--push`, `ko build`, \
`crane push`) fails where no step of the pipeline signs it (`cosign sign`, \
`actions/attest-build-provenance`) or attests its SBOM (`cosign attest --type cyclonedx|spdx`, \
`actions/attest-sbom`, `sbom: true`, `--sbom=true`). Kubernetes manifests that name images by \
tag are `R4.pinning.images`' to judge. Fix: build and push in a build job, test in a job it \
needs, deploy the pushed digest in a job that needs both, and sign and attest at push time.",
    evidence: &["deploy jobs", "pushed images"],
    options: &[],
    items: Some(ITEMS),
};

const ITEMS: Items = Items {
    name: "deploy jobs or image pushes in CI pipelines",
    globs: &[
        ".github/workflows/*.yml",
        ".github/workflows/*.yaml",
        ".gitlab-ci.yml",
        ".gitlab-ci.yaml",
    ],
};

/// Commands that deploy, as scripts write them.
const DEPLOY_COMMANDS: &[&str] = &[
    "kubectl apply",
    "kubectl set image",
    "kubectl rollout restart",
    "kubectl replace",
    "helm upgrade",
    "helm install",
    "helmfile apply",
    "helmfile sync",
    "aws ecs update-service",
    "aws lambda update-function-code",
    "aws deploy create-deployment",
    "sam deploy",
    "cdk deploy",
    "serverless deploy",
    "sls deploy",
    "gcloud run deploy",
    "gcloud app deploy",
    "gcloud functions deploy",
    "az webapp deploy",
    "az webapp up",
    "az containerapp update",
    "az containerapp up",
    "fly deploy",
    "flyctl deploy",
    "kamal deploy",
    "docker stack deploy",
    "docker service update",
    "terraform apply",
    "tofu apply",
    "pulumi up",
    "vercel deploy",
    "vercel --prod",
    "netlify deploy",
    "wrangler deploy",
    "wrangler publish",
    "heroku container:release",
    "railway up",
    "argocd app sync",
    "skaffold run",
    "skaffold deploy",
    "eb deploy",
    "copilot deploy",
    "azd deploy",
    "azd up",
    "azd provision",
];

/// Actions that deploy, by `owner/name` (compared without case).
const DEPLOY_ACTIONS: &[&str] = &[
    "aws-actions/amazon-ecs-deploy-task-definition",
    "azure/webapps-deploy",
    "azure/k8s-deploy",
    "azure/functions-action",
    "azure/container-apps-deploy-action",
    "google-github-actions/deploy-cloudrun",
    "google-github-actions/deploy-appengine",
    "google-github-actions/deploy-cloud-functions",
    "superfly/flyctl-actions",
    "cloudflare/wrangler-action",
    "cloudflare/pages-action",
    "amondnet/vercel-action",
    "akhileshns/heroku-deploy",
];

/// Commands that build the artifact.
const BUILD_COMMANDS: &[&str] = &[
    "docker build",
    "docker buildx build",
    "docker compose build",
    "docker-compose build",
    "podman build",
    "buildah bud",
    "npm run build",
    "yarn build",
    "yarn run build",
    "pnpm build",
    "pnpm run build",
    "cargo build",
    "go build",
    "mvn package",
    "mvn install",
    "./mvnw package",
    "./mvnw install",
    "gradle build",
    "gradle assemble",
    "./gradlew build",
    "./gradlew assemble",
    "./gradlew bootjar",
    "dotnet publish",
    "gcloud builds submit",
    "pack build",
    "ko build",
    "ko apply",
    "goreleaser",
    "next build",
    "vite build",
];

/// Actions that build an image.
const BUILD_ACTIONS: &[&str] = &["docker/build-push-action", "redhat-actions/buildah-build"];

/// Commands that test (or, for infrastructure, plan and validate) the commit.
const TEST_COMMANDS: &[&str] = &[
    "pytest",
    "tox",
    "nox",
    "npm test",
    "npm run test",
    "npm run ci",
    "yarn test",
    "yarn run test",
    "pnpm test",
    "pnpm run test",
    "jest",
    "vitest",
    "go test",
    "cargo test",
    "cargo nextest",
    "mvn test",
    "mvn verify",
    "./mvnw test",
    "./mvnw verify",
    "gradle test",
    "gradle check",
    "./gradlew test",
    "./gradlew check",
    "./gradlew build",
    "gradle build",
    "dotnet test",
    "make test",
    "make check",
    "rspec",
    "rake test",
    "php artisan test",
    "phpunit",
    "playwright test",
    "terraform plan",
    "terraform validate",
    "tofu plan",
    "helm lint",
];

/// Whether `line` runs `command` (at a word boundary, any case).
fn runs(line: &str, command: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    lower.match_indices(command).any(|(at, _)| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + command.len()..].chars().next();
        before.is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')))
            && after.is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | ':')))
    })
}

fn uses_action(step: &Step, actions: &[&'static str]) -> Option<&'static str> {
    let uses = step.uses.as_ref()?.value.to_ascii_lowercase();
    let name = uses.split('@').next().unwrap_or_default();
    actions
        .iter()
        .copied()
        .find(|a| name == *a || name.starts_with(&format!("{a}/")))
}

fn script_lines(step: &Step) -> impl Iterator<Item = (usize, &str)> {
    step.run
        .iter()
        .flat_map(|script| script.text.value.lines().enumerate())
}

/// What a step deploys with, where: the command or action, and the script line.
fn deploys(step: &Step) -> Option<(&'static str, Option<usize>)> {
    if let Some(action) = uses_action(step, DEPLOY_ACTIONS) {
        return Some((action, None));
    }
    script_lines(step).find_map(|(index, line)| {
        DEPLOY_COMMANDS
            .iter()
            .find(|c| runs(line, c))
            .map(|c| (*c, Some(index)))
    })
}

/// A platform deploy that builds from source as it deploys.
fn platform_build(line: &str) -> Option<(&'static str, &'static str)> {
    let lower = line.to_ascii_lowercase();
    if (runs(line, "fly deploy") || runs(line, "flyctl deploy"))
        && !lower.contains("--image ")
        && !lower.contains("--image=")
    {
        return Some(("`fly deploy` without `--image` builds the image", "deploy"));
    }
    if runs(line, "gcloud run deploy") && lower.contains("--source") {
        return Some(("`gcloud run deploy --source` builds the image", "--source"));
    }
    if runs(line, "gcloud app deploy") || runs(line, "gcloud functions deploy") {
        return Some(("`gcloud ... deploy` builds from source", "deploy"));
    }
    if (runs(line, "vercel deploy") || runs(line, "vercel --prod")) && !lower.contains("--prebuilt")
    {
        return Some(("`vercel` without `--prebuilt` builds from source", "vercel"));
    }
    if runs(line, "az webapp up") || runs(line, "az containerapp up") {
        return Some(("`az ... up` builds from source", "up"));
    }
    if (runs(line, "azd deploy") || runs(line, "azd up")) && !lower.contains("--from-package") {
        return Some(("`azd deploy` packages the source it deploys", "azd"));
    }
    if runs(line, "railway up") {
        return Some(("`railway up` builds from source", "railway up"));
    }
    None
}

/// How a step builds, if it builds: the words for the message, the fragment to point at and
/// the script line.
fn builds(step: &Step) -> Option<(String, &'static str, Option<usize>)> {
    if let Some(action) = uses_action(step, BUILD_ACTIONS) {
        return Some((format!("`{action}`"), action, None));
    }
    script_lines(step).find_map(|(index, line)| {
        BUILD_COMMANDS
            .iter()
            .find(|c| runs(line, c))
            .map(|c| (format!("`{c}`"), *c))
            .or_else(|| platform_build(line).map(|(words, at)| (words.to_owned(), at)))
            .map(|(words, at)| (words, at, Some(index)))
    })
}

fn tests(step: &Step) -> bool {
    script_lines(step).any(|(_, line)| TEST_COMMANDS.iter().any(|c| runs(line, c)))
}

/// Whether a job is a test job: by its id, the reusable workflow it calls, or a step that
/// runs tests.
fn test_job(job: &Job) -> bool {
    let id = job.id.to_ascii_lowercase();
    let named = id.split(['-', '_', ':', ' ', '.']).any(|w| {
        matches!(
            w,
            "test" | "tests" | "ci" | "check" | "checks" | "verify" | "e2e"
        )
    });
    let calls = job.uses.as_ref().is_some_and(|u| {
        let u = u.value.to_ascii_lowercase();
        u.contains("test") || u.contains("/ci.") || u.contains("check")
    });
    named || calls || job.steps.iter().any(tests)
}

/// Whether a job brings up a throwaway cluster (kind, minikube, k3d) or only dry-runs: its
/// deploys are tests.
fn throwaway_cluster(job: &Job) -> bool {
    job.steps.iter().any(|step| {
        step.uses.as_ref().is_some_and(|u| {
            let u = u.value.to_ascii_lowercase();
            u.contains("kind-action") || u.contains("setup-minikube") || u.contains("k3d")
        }) || script_lines(step).any(|(_, line)| {
            runs(line, "kind create cluster")
                || runs(line, "minikube start")
                || runs(line, "k3d cluster create")
                || line.contains("--dry-run")
        })
    })
}

/// The jobs `job` waits for, directly or through the chain.
fn ancestors<'p>(pipeline: &'p Pipeline, job: &Job) -> Vec<&'p Job> {
    let mut seen: Vec<&Job> = Vec::new();
    let mut queue: Vec<&Job> = direct_needs(pipeline, job);
    while let Some(next) = queue.pop() {
        if seen.iter().any(|j| j.id == next.id) {
            continue;
        }
        seen.push(next);
        queue.extend(direct_needs(pipeline, next));
    }
    seen
}

fn direct_needs<'p>(pipeline: &'p Pipeline, job: &Job) -> Vec<&'p Job> {
    match (&job.needs, pipeline.kind) {
        (Some(needs), _) => pipeline
            .jobs
            .iter()
            .filter(|j| needs.contains(&j.id))
            .collect(),
        // A GitLab job without `needs:` waits for every job of the earlier stages.
        (None, Kind::Gitlab) => {
            let stage_of = |j: &Job| {
                j.stage
                    .as_ref()
                    .and_then(|s| pipeline.stages.iter().position(|x| x == s))
            };
            match stage_of(job) {
                Some(mine) => pipeline
                    .jobs
                    .iter()
                    .filter(|j| stage_of(j).is_some_and(|theirs| theirs < mine))
                    .filter(|j| !j.id.starts_with('.'))
                    .collect(),
                None => Vec::new(),
            }
        }
        (None, _) => Vec::new(),
    }
}

/// An image a deploy line or input names by tag: the reference.
fn tagged_images(text: &str) -> Vec<String> {
    let mut images = Vec::new();
    // Chart values that name a tag, reported as written (`image.tag=1.2`).
    let mut tagged = Vec::new();
    // `${{ github.sha }}` is one word of the reference.
    let text = text.replace("${{ ", "${{").replace(" }}", "}}");
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        let value = if let Some(v) = word.strip_prefix("--image=") {
            Some(v)
        } else if *word == "--image" {
            words.get(i + 1).copied()
        } else {
            None
        };
        if let Some(value) = value {
            images.push(value.trim_matches(['"', '\'']).to_owned());
        }
    }
    if runs(&text, "kubectl set image") {
        // `kubectl set image deployment/api api=registry/api:1.2`
        images.extend(
            words
                .iter()
                .filter(|w| !w.starts_with('-') && w.contains('=') && w.contains(['/', ':']))
                .filter_map(|w| w.split_once('=').map(|(_, image)| image.to_owned())),
        );
    }
    // `helm upgrade --set image.tag=1.2`: a tag by its key, whatever its value, unless the
    // release also pins the digest.
    if runs(&text, "helm upgrade") || runs(&text, "helm install") {
        let digest = text.contains(".digest=");
        for (i, word) in words.iter().enumerate() {
            let setting = match *word {
                "--set" | "--set-string" => words.get(i + 1).copied(),
                _ => word
                    .strip_prefix("--set=")
                    .or_else(|| word.strip_prefix("--set-string=")),
            };
            let tags = setting
                .into_iter()
                .flat_map(|s| s.split(','))
                .filter_map(|pair| {
                    let (key, value) = pair.split_once('=')?;
                    (key.rsplit('.').next() == Some("tag")).then(|| format!("{key}={value}"))
                });
            if !digest {
                tagged.extend(tags);
            }
        }
    }
    images
        .into_iter()
        // `name@sha256:...`, or `name@${{ steps.push.outputs.digest }}`: by digest.
        // A reference held in a variable (`$IMAGE`, `${{ needs.build.outputs.image }}`) may
        // well be a digest: not judged.
        .filter(|image| {
            !image.is_empty()
                && !image.starts_with('$')
                && !image.rsplit('/').next().unwrap_or(image).contains('@')
        })
        .chain(tagged)
        .collect()
}

/// Where a step pushes an image: the command or action, and the script line.
fn pushes(step: &Step) -> Option<(&'static str, Option<usize>)> {
    if uses_action(step, &["docker/build-push-action"]).is_some() {
        let push = step
            .with
            .iter()
            .find(|(k, _)| k == "push")
            .map(|(_, v)| v.value.trim().to_ascii_lowercase());
        return push
            .filter(|v| v != "false")
            .map(|_| ("docker/build-push-action", None));
    }
    script_lines(step).find_map(|(index, line)| {
        let lower = line.to_ascii_lowercase();
        let found = if runs(line, "docker push") || runs(line, "podman push") {
            Some("docker push")
        } else if (runs(line, "docker buildx build") || runs(line, "docker build"))
            && lower.contains("--push")
        {
            Some("docker buildx build --push")
        } else if runs(line, "ko build") || runs(line, "ko publish") {
            Some("ko build")
        } else if runs(line, "crane push") {
            Some("crane push")
        } else {
            None
        };
        found.map(|c| (c, Some(index)))
    })
}

/// Whether a step signs an image.
fn signs(step: &Step) -> bool {
    uses_action(step, &["actions/attest-build-provenance", "actions/attest"]).is_some()
        || script_lines(step).any(|(_, line)| runs(line, "cosign sign"))
}

/// Whether a step attests an image's SBOM.
fn attests_sbom(step: &Step) -> bool {
    uses_action(step, &["actions/attest-sbom"]).is_some()
        || step
            .with
            .iter()
            .any(|(k, v)| k == "sbom" && v.value.trim() != "false")
        || script_lines(step).any(|(_, line)| {
            let lower = line.to_ascii_lowercase();
            (runs(line, "cosign attest") && (lower.contains("cyclonedx") || lower.contains("spdx")))
                || lower.contains("--sbom=true")
                || lower.contains("--attest type=sbom")
                || runs(line, "syft attest")
        })
}

/// Whether an environment's name says it is production (`production`, `prod-eu`, `live`).
fn production_environment(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| matches!(word, "prod" | "production" | "live" | "prd"))
}

/// A preview deployment (of a pull request, a branch, a storybook): a place to look at a
/// change before it is tested and merged, not a promotion.
fn preview(path: &str, job: &Job) -> bool {
    let words = format!(
        "{} {} {}",
        path.rsplit('/').next().unwrap_or(path),
        job.id,
        job.environment.as_deref().unwrap_or_default()
    )
    .to_ascii_lowercase();
    ["preview", "review", "storybook", "ephemeral"]
        .iter()
        .any(|w| words.contains(w))
}

fn location(source: &Source, step: &Step, line: Option<usize>, fragment: &str) -> Location {
    match (&step.run, line, &step.uses) {
        (Some(script), Some(index), _) => source.in_script(script, index, fragment),
        (_, _, Some(uses)) => source.at(uses),
        _ => source.at_span(step.span, "step"),
    }
}

/// Findings of one pipeline: deploy jobs and image pushes counted.
fn check_pipeline(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
    source: &Source,
    deploying_callees: &[&str],
) -> (u64, u64) {
    let pipeline = &source.pipeline;
    // A run after another workflow counts as gated only where a job checks that it succeeded
    // (`github.event.workflow_run.conclusion == 'success'`).
    let workflow_run = pipeline.triggers.iter().any(|(t, _)| t == "workflow_run")
        && pipeline.jobs.iter().any(|j| {
            j.condition
                .as_ref()
                .is_some_and(|c| c.value.contains("conclusion"))
        });
    // A reusable workflow is judged where it is called: its caller's `needs:` gate it.
    let reusable_only = !pipeline.triggers.is_empty()
        && pipeline.triggers.iter().all(|(t, _)| t == "workflow_call");
    let (mut deploy_jobs, mut image_pushes) = (0, 0);
    for job in &pipeline.jobs {
        if preview(&source.path, job) {
            continue;
        }
        if let Some(uses) = &job.uses
            && let Some(callee) = uses.value.strip_prefix("./")
            && deploying_callees.contains(&callee)
        {
            deploy_jobs += 1;
            let gated = workflow_run || ancestors(pipeline, job).into_iter().any(test_job);
            if !gated {
                out.finding(
                    cx.finding(
                        format!(
                            "job {} deploys (through `{callee}`) without depending on a test job of the same commit: no job it needs runs the tests",
                            job.id
                        ),
                        source.at(uses),
                    )
                    .identity(format!("untested:{}:{}", source.path, job.id))
                    .help("add the test job to the deploy job's `needs:` (directly or through the build job), so that only a green commit deploys")
                    .build(),
                );
            }
            continue;
        }
        // Hidden GitLab templates run only through the jobs that extend them; a test job that
        // deploys to a throwaway cluster (kind, minikube, k3d) or a dry run deploys nothing.
        if job.id.starts_with('.') || test_job(job) || throwaway_cluster(job) {
            continue;
        }
        // A deploy command, or else a job bound to a production environment (its own script
        // deploys: `./scripts/deploy.sh`), from its first step that runs something.
        let by_command = job.steps.iter().position(|s| deploys(s).is_some());
        let by_environment = || {
            job.environment
                .as_deref()
                .filter(|e| production_environment(e))
                .and_then(|_| {
                    job.steps
                        .iter()
                        .position(|s| s.run.is_some() || s.uses.is_some())
                })
        };
        let Some(deploy_at) = by_command.or_else(by_environment) else {
            continue;
        };
        deploy_jobs += 1;
        let deploy_step = &job.steps[deploy_at];
        let (command, line) = deploys(deploy_step).unwrap_or(("environment: production", None));
        let tested_before = job.steps[..deploy_at].iter().any(tests);
        let gated = workflow_run
            || reusable_only
            || tested_before
            || ancestors(pipeline, job).into_iter().any(test_job);
        if !gated {
            out.finding(
                cx.finding(
                    format!(
                        "job {} deploys (`{command}`) without depending on a test job of the same commit: no job it needs runs the tests",
                        job.id
                    ),
                    location(source, deploy_step, line, command),
                )
                .identity(format!("untested:{}:{}", source.path, job.id))
                .help("add the test job to the deploy job's `needs:` (directly or through the build job), so that only a green commit deploys")
                .build(),
            );
        }
        for step in &job.steps {
            if let Some((build, fragment, line)) = builds(step) {
                out.finding(
                    cx.finding(
                        format!(
                            "job {} builds what it deploys ({build}): the deployed artifact is not the one that was tested",
                            job.id
                        ),
                        location(source, step, line, fragment),
                    )
                    .identity(format!("build-in-deploy:{}:{}:{}", source.path, job.id, step.index))
                    .help("build and push once in a build job; deploy that artifact, by digest, in a job that needs the build and the tests")
                    .build(),
                );
                break;
            }
        }
        for step in &job.steps {
            let mut texts: Vec<(Option<usize>, String)> = script_lines(step)
                .filter(|(_, l)| DEPLOY_COMMANDS.iter().any(|c| runs(l, c)))
                .map(|(i, l)| (Some(i), l.to_owned()))
                .collect();
            if uses_action(step, DEPLOY_ACTIONS).is_some() {
                texts.extend(
                    step.with
                        .iter()
                        .filter(|(k, _)| matches!(k.as_str(), "image" | "images"))
                        .flat_map(|(_, v)| v.value.lines().map(|l| format!("--image={}", l.trim())))
                        .map(|l| (None, l)),
                );
            }
            for (line, text) in texts {
                for image in tagged_images(&text) {
                    out.finding(
                        cx.finding(
                            format!(
                                "job {} deploys image `{}` by tag: the tag can name another image by the time it runs",
                                job.id,
                                crate::support::shown_text(&image)
                            ),
                            location(source, step, line, &image),
                        )
                        .identity(format!("tag:{}:{}:{}", source.path, job.id, image))
                        .help("deploy `image@sha256:<digest>`: the digest the push step printed (build-push-action's `digest` output)")
                        .build(),
                    );
                }
            }
        }
    }
    let steps = || pipeline.jobs.iter().flat_map(|j| j.steps.iter());
    let signed = steps().any(signs);
    let attested = steps().any(attests_sbom);
    for job in &pipeline.jobs {
        for step in &job.steps {
            let Some((push, line)) = pushes(step) else {
                continue;
            };
            // A push to a registry on the runner itself (kind's, a test registry) publishes
            // nothing anyone deploys.
            if script_lines(step).any(|(_, l)| {
                l.contains("localhost:") || l.contains("127.0.0.1:") || l.contains("kind-registry")
            }) {
                continue;
            }
            image_pushes += 1;
            let missing: Vec<&str> = [(!signed, "a signature"), (!attested, "an SBOM attestation")]
                .into_iter()
                .filter_map(|(missing, what)| missing.then_some(what))
                .collect();
            if missing.is_empty() {
                continue;
            }
            out.finding(
                cx.finding(
                    format!(
                        "job {} pushes an image (`{push}`) without {}: nothing proves later that the running image is the one this pipeline built",
                        job.id,
                        missing.join(" or ")
                    ),
                    location(source, step, line, push),
                )
                .identity(format!("unsigned:{}:{}:{}", source.path, job.id, step.index))
                .help("sign the pushed digest (`cosign sign`, keyless with the CI provider's OIDC token, or `actions/attest-build-provenance`) and attest its SBOM (`actions/attest-sbom`, `cosign attest --type cyclonedx`)")
                .build(),
            );
        }
    }
    (deploy_jobs, image_pushes)
}

impl Gate for DeployPromotion {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let (mut deploy_jobs, mut image_pushes) = (0, 0);
        let (sources, _) = load_uncounted(cx, out)?;
        // Reusable workflows that deploy: a job that calls one deploys, and its `needs:` are
        // where the tests must be.
        let deploying_callees: Vec<&str> = sources
            .iter()
            .filter(|s| {
                s.pipeline
                    .triggers
                    .iter()
                    .any(|(t, _)| t == "workflow_call")
                    && s.pipeline
                        .jobs
                        .iter()
                        .any(|j| j.steps.iter().any(|step| deploys(step).is_some()))
            })
            .map(|s| s.path.as_str())
            .collect();
        for source in &sources {
            // Composite actions are steps of someone else's jobs.
            if source.pipeline.kind == Kind::GithubAction {
                continue;
            }
            let (d, p) = check_pipeline(cx, out, source, &deploying_callees);
            deploy_jobs += d;
            image_pushes += p;
        }
        if deploy_jobs + image_pushes > 0 {
            out.examined("deploy jobs", deploy_jobs);
            out.examined("pushed images", image_pushes);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_at_word_boundaries() {
        assert!(runs("  kubectl apply -f k8s/", "kubectl apply"));
        assert!(runs("cd web && npm run build", "npm run build"));
        assert!(!runs("npm run build:docs", "npm run build"));
        assert!(!runs("my-pytest-plugin", "pytest"));
        assert!(runs("python -m pytest -q", "pytest"));
        assert!(!runs("echo helm upgraded", "helm upgrade"));
    }

    #[test]
    fn production_environments_by_name() {
        for name in ["production", "prod-eu", "Production (EU)", "live", "prd"] {
            assert!(production_environment(name), "{name}");
        }
        for name in ["github-pages", "staging", "npm", "preview", "products"] {
            assert!(!production_environment(name), "{name}");
        }
    }

    #[test]
    fn images_by_tag() {
        assert_eq!(
            tagged_images("gcloud run deploy api --image gcr.io/p/api:latest --region x"),
            ["gcr.io/p/api:latest"]
        );
        assert!(tagged_images("gcloud run deploy api --image=gcr.io/p/api@sha256:abc").is_empty());
        assert_eq!(
            tagged_images(
                "helm upgrade --install api ./chart --set image.tag=${{ github.sha }},replicas=2"
            ),
            ["image.tag=${{github.sha}}"]
        );
        assert!(
            tagged_images(
                "helm upgrade api ./chart --set image.tag=1.2 --set image.digest=$DIGEST"
            )
            .is_empty()
        );
        assert!(tagged_images("helm upgrade api ./chart --set image.digest=$DIGEST").is_empty());
        assert!(
            tagged_images(
                "kubectl set image deploy/api api=ghcr.io/o/api@${{ needs.build.outputs.digest }}"
            )
            .is_empty()
        );
        assert_eq!(
            tagged_images("kubectl set image deployment/api api=ghcr.io/o/api:${GITHUB_SHA}"),
            ["ghcr.io/o/api:${GITHUB_SHA}"]
        );
    }

    #[test]
    fn gitlab_stages_gate_later_jobs() {
        let pipeline = harden_formats::pipeline::parse(
            Kind::Gitlab,
            "stages: [build, test, deploy]\nunit:\n  stage: test\n  script: [pytest]\ndeploy:\n  stage: deploy\n  script: [kubectl apply -f k8s]\nhotfix:\n  stage: deploy\n  needs: []\n  script: [kubectl apply -f k8s]\n",
        )
        .unwrap();
        let job = |id: &str| pipeline.jobs.iter().find(|j| j.id == id).unwrap();
        assert!(
            ancestors(&pipeline, job("deploy"))
                .into_iter()
                .any(test_job)
        );
        assert!(
            !ancestors(&pipeline, job("hotfix"))
                .into_iter()
                .any(test_job)
        );
    }
}
