//! One model of CI pipelines: GitHub Actions workflows, composite actions (`action.yml`) and
//! GitLab CI (`.gitlab-ci.yml`), with a position on every node a gate may point at.

use harden_model::Span;

use crate::yaml::{self, Node, Value, YamlError};

/// Which format a pipeline file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `.github/workflows/*.yml`.
    GithubWorkflow,
    /// `action.yml` of a composite (or other) action.
    GithubAction,
    /// `.gitlab-ci.yml` and its local includes.
    Gitlab,
}

/// A scalar and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    /// The value as text.
    pub value: String,
    /// Where.
    pub span: Span,
    /// The YAML path, e.g. `jobs.build.steps[2].uses`.
    pub logical: String,
}

/// A script: the text of a `run:` / `script:` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    /// The commands.
    pub text: Text,
    /// Whether it is a block scalar whose lines start on `text.span.start.line`.
    pub block: bool,
}

/// `permissions:` as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Permissions {
    /// `read-all`.
    ReadAll(Span),
    /// `write-all`.
    WriteAll(Span),
    /// `{}`: nothing.
    None(Span),
    /// Scope by scope.
    Scopes(Vec<(String, String, Span)>),
}

/// A container image referenced by a job.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// The reference (`postgres:15`, `ghcr.io/x/y@sha256:...`).
    pub reference: Text,
}

/// One step of a job.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// 0-based index in its job.
    pub index: usize,
    /// Where the step is.
    pub span: Span,
    /// `name:`.
    pub name: Option<String>,
    /// `uses:`.
    pub uses: Option<Text>,
    /// `run:` (GitHub) or one entry of `script:` (GitLab).
    pub run: Option<Script>,
    /// `with:` inputs.
    pub with: Vec<(String, Text)>,
    /// `env:`.
    pub env: Vec<(String, Text)>,
    /// `if:`.
    pub condition: Option<Text>,
    /// `continue-on-error:` / `allow_failure:` as written.
    pub continue_on_error: Option<Text>,
    /// The shell its `run:` uses: the step's `shell:`, else the job's or the workflow's
    /// `defaults.run.shell`.
    pub shell: Option<String>,
}

/// One job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Job id.
    pub id: String,
    /// Where the job's key is.
    pub span: Span,
    /// `permissions:`.
    pub permissions: Option<Permissions>,
    /// `uses:` of a reusable workflow.
    pub uses: Option<Text>,
    /// `secrets:` of a reusable-workflow call, when it is a word (`inherit`).
    pub secrets: Option<Text>,
    /// `container:` and `services:` images (GitHub), `image:` and `services:` (GitLab).
    pub images: Vec<Image>,
    /// Steps in order.
    pub steps: Vec<Step>,
    /// `continue-on-error:` / `allow_failure:` of the job.
    pub continue_on_error: Option<Text>,
    /// `if:` of the job.
    pub condition: Option<Text>,
    /// The job's environment: `env:` (GitHub), `variables:` (GitLab).
    pub variables: Vec<(String, Text)>,
    /// The jobs it waits for (`needs:`), `None` where it does not say: a GitLab job then
    /// waits for every job of the earlier stages.
    pub needs: Option<Vec<String>>,
    /// `stage:` (GitLab; `test` where unset, as GitLab defaults).
    pub stage: Option<String>,
    /// The deployment environment it targets: `environment:` or `environment.name:`.
    pub environment: Option<String>,
}

/// A parsed pipeline file.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// Format.
    pub kind: Kind,
    /// Trigger events (`push`, `pull_request_target`, ...), with where they are written.
    pub triggers: Vec<(String, Span)>,
    /// Workflow-level `permissions:`.
    pub permissions: Option<Permissions>,
    /// Jobs in order.
    pub jobs: Vec<Job>,
    /// Local files this one includes (GitLab `include: local`).
    pub includes: Vec<Text>,
    /// Inputs of `workflow_dispatch`/`workflow_call` whose type GitHub checks before the run
    /// starts (`boolean`, `choice`, `number`, `environment`): their values cannot carry text.
    pub typed_inputs: Vec<String>,
    /// The environment of every job: the workflow's `env:` (GitHub), top-level `variables:`
    /// (GitLab).
    pub variables: Vec<(String, Text)>,
    /// GitLab's `stages:` in order (its default list where unset); empty for GitHub.
    pub stages: Vec<String>,
}

/// Parses a pipeline file of `kind`.
pub fn parse(kind: Kind, text: &str) -> Result<Pipeline, YamlError> {
    let documents = yaml::parse(text)?;
    let empty = Node {
        value: Value::Null,
        span: Span::default(),
    };
    let root = documents.first().unwrap_or(&empty);
    Ok(match kind {
        Kind::GithubWorkflow => github_workflow(root),
        Kind::GithubAction => github_action(root),
        Kind::Gitlab => gitlab(root),
    })
}

fn text(node: &Node, logical: String) -> Option<Text> {
    node.scalar_text().map(|value| Text {
        value,
        span: node.span,
        logical,
    })
}

fn pairs(node: Option<&Node>, logical: &str) -> Vec<(String, Text)> {
    node.map(|n| {
        n.entries()
            .iter()
            .filter_map(|(k, v)| {
                text(v, format!("{logical}.{}", k.text)).map(|t| (k.text.clone(), t))
            })
            .collect()
    })
    .unwrap_or_default()
}

/// `needs:` as job ids: a word, a list of words, or GitLab's `- job: name` entries.
fn needs(node: Option<&Node>) -> Option<Vec<String>> {
    let node = node?;
    Some(match &node.value {
        Value::Seq(items) => items
            .iter()
            .filter_map(|item| item.get("job").unwrap_or(item).scalar_text())
            .collect(),
        _ => node.scalar_text().into_iter().collect(),
    })
}

/// `environment:` as a name: a word, or a mapping's `name:`.
fn environment(node: Option<&Node>) -> Option<String> {
    let node = node?;
    node.get("name").unwrap_or(node).scalar_text()
}

fn permissions(node: &Node) -> Permissions {
    match &node.value {
        Value::Str(s) if s == "write-all" => Permissions::WriteAll(node.span),
        Value::Str(_) => Permissions::ReadAll(node.span),
        Value::Map(entries) if entries.is_empty() => Permissions::None(node.span),
        Value::Map(entries) => Permissions::Scopes(
            entries
                .iter()
                .map(|(k, v)| (k.text.clone(), v.scalar_text().unwrap_or_default(), v.span))
                .collect(),
        ),
        _ => Permissions::None(node.span),
    }
}

fn github_steps(steps: Option<&Node>, logical: &str, default_shell: Option<&str>) -> Vec<Step> {
    let Some(steps) = steps else {
        return Vec::new();
    };
    steps
        .items()
        .iter()
        .enumerate()
        .map(|(index, step)| {
            let at = format!("{logical}[{index}]");
            Step {
                index,
                span: step.span,
                name: step.get("name").and_then(Node::scalar_text),
                uses: step.get("uses").and_then(|n| text(n, format!("{at}.uses"))),
                run: step.get("run").and_then(|n| {
                    let block = n.span.start.line
                        > step.get_entry("run").map_or(0, |(k, _)| k.span.start.line);
                    text(n, format!("{at}.run")).map(|text| Script { text, block })
                }),
                with: pairs(step.get("with"), &format!("{at}.with")),
                env: pairs(step.get("env"), &format!("{at}.env")),
                condition: step.get("if").and_then(|n| text(n, format!("{at}.if"))),
                shell: step
                    .get("shell")
                    .and_then(Node::scalar_text)
                    .or_else(|| default_shell.map(str::to_owned)),
                continue_on_error: step
                    .get("continue-on-error")
                    .and_then(|n| text(n, format!("{at}.continue-on-error"))),
            }
        })
        .collect()
}

fn github_images(job: &Node, logical: &str) -> Vec<Image> {
    let mut images = Vec::new();
    if let Some(container) = job.get("container") {
        let node = container.get("image").unwrap_or(container);
        if let Some(reference) = text(node, format!("{logical}.container")) {
            images.push(Image { reference });
        }
    }
    if let Some(services) = job.get("services") {
        for (name, service) in services.entries() {
            let node = service.get("image").unwrap_or(service);
            if let Some(reference) = text(node, format!("{logical}.services.{}", name.text)) {
                images.push(Image { reference });
            }
        }
    }
    images
}

/// `defaults.run.shell` of a workflow or job.
fn default_shell(node: &Node) -> Option<String> {
    node.get("defaults")
        .and_then(|d| d.get("run"))
        .and_then(|r| r.get("shell"))
        .and_then(Node::scalar_text)
}

fn github_workflow(root: &Node) -> Pipeline {
    let workflow_shell = default_shell(root);
    let triggers = match root.get("on") {
        Some(node) => match &node.value {
            Value::Str(event) => vec![(event.clone(), node.span)],
            Value::Seq(items) => items
                .iter()
                .filter_map(|i| i.scalar_text().map(|t| (t, i.span)))
                .collect(),
            Value::Map(entries) => entries
                .iter()
                .map(|(k, _)| (k.text.clone(), k.span))
                .collect(),
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    let jobs = root
        .get("jobs")
        .map(|jobs| {
            jobs.entries()
                .iter()
                .map(|(key, job)| {
                    let logical = format!("jobs.{}", key.text);
                    Job {
                        id: key.text.clone(),
                        span: key.span,
                        permissions: job.get("permissions").map(permissions),
                        uses: job
                            .get("uses")
                            .and_then(|n| text(n, format!("{logical}.uses"))),
                        secrets: job
                            .get("secrets")
                            .and_then(|n| text(n, format!("{logical}.secrets"))),
                        images: github_images(job, &logical),
                        variables: pairs(job.get("env"), &format!("{logical}.env")),
                        steps: github_steps(
                            job.get("steps"),
                            &format!("{logical}.steps"),
                            default_shell(job)
                                .or_else(|| workflow_shell.clone())
                                .as_deref(),
                        ),
                        continue_on_error: job
                            .get("continue-on-error")
                            .and_then(|n| text(n, format!("{logical}.continue-on-error"))),
                        condition: job.get("if").and_then(|n| text(n, format!("{logical}.if"))),
                        needs: needs(job.get("needs")),
                        stage: None,
                        environment: environment(job.get("environment")),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let typed_inputs = ["workflow_dispatch", "workflow_call"]
        .iter()
        .filter_map(|event| root.get("on")?.get(event)?.get("inputs"))
        .flat_map(|inputs| inputs.entries().iter())
        .filter(|(_, input)| {
            input
                .get("type")
                .and_then(Node::as_str)
                .is_some_and(|t| matches!(t, "boolean" | "choice" | "number" | "environment"))
        })
        .map(|(key, _)| key.text.clone())
        .collect();
    Pipeline {
        kind: Kind::GithubWorkflow,
        triggers,
        permissions: root.get("permissions").map(permissions),
        jobs,
        includes: Vec::new(),
        typed_inputs,
        variables: pairs(root.get("env"), "env"),
        stages: Vec::new(),
    }
}

fn github_action(root: &Node) -> Pipeline {
    let runs = root.get("runs");
    let steps = github_steps(runs.and_then(|r| r.get("steps")), "runs.steps", None);
    let mut images = Vec::new();
    if let Some(runs) = runs
        && runs.get("using").and_then(Node::as_str) == Some("docker")
        && let Some(image) = runs.get("image").and_then(|n| text(n, "runs.image".into()))
        && !image.value.starts_with("Dockerfile")
    {
        images.push(Image { reference: image });
    }
    Pipeline {
        kind: Kind::GithubAction,
        triggers: Vec::new(),
        permissions: None,
        jobs: vec![Job {
            id: "runs".into(),
            span: runs.map(|r| r.span).unwrap_or_default(),
            permissions: None,
            uses: None,
            secrets: None,
            images,
            steps,
            continue_on_error: None,
            condition: None,
            variables: Vec::new(),
            needs: None,
            stage: None,
            environment: None,
        }],
        includes: Vec::new(),
        typed_inputs: Vec::new(),
        variables: Vec::new(),
        stages: Vec::new(),
    }
}

/// Top-level GitLab keys that are not jobs.
const GITLAB_RESERVED: &[&str] = &[
    "stages",
    "variables",
    "include",
    "default",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "pages:deploy",
];

fn gitlab_scripts(job: &Node, logical: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    for key in ["before_script", "script", "after_script"] {
        let Some(node) = job.get(key) else { continue };
        let lines: Vec<&Node> = match &node.value {
            Value::Seq(items) => items.iter().collect(),
            _ => vec![node],
        };
        let key_line = job.get_entry(key).map_or(0, |(k, _)| k.span.start.line);
        for (i, line) in lines.into_iter().enumerate() {
            let at = format!("{logical}.{key}[{i}]");
            // The line a sequence item starts on: its dash is on the key's line + i at the earliest.
            let item_line = if matches!(node.value, Value::Seq(_)) {
                dash_line(line, key_line)
            } else {
                key_line
            };
            if let Some(text) = text(line, at) {
                let index = steps.len();
                steps.push(Step {
                    index,
                    span: line.span,
                    name: None,
                    uses: None,
                    // `- |` puts the script on the lines after the dash.
                    run: Some(Script {
                        block: line.span.start.line > item_line,
                        text,
                    }),
                    with: Vec::new(),
                    env: Vec::new(),
                    condition: None,
                    continue_on_error: None,
                    shell: None,
                });
            }
        }
    }
    steps
}

fn gitlab(root: &Node) -> Pipeline {
    let mut includes = Vec::new();
    if let Some(include) = root.get("include") {
        let entries: Vec<&Node> = match &include.value {
            Value::Seq(items) => items.iter().collect(),
            _ => vec![include],
        };
        for entry in entries {
            let local = match &entry.value {
                Value::Str(_) => Some(entry),
                Value::Map(_) => entry.get("local"),
                _ => None,
            };
            if let Some(local) = local.and_then(|n| text(n, "include.local".into()))
                && !local.value.contains("://")
            {
                includes.push(local);
            }
        }
    }
    let jobs = root
        .entries()
        .iter()
        .filter(|(key, job)| {
            // Hidden templates (`.build:`) count too: `extends:` runs their scripts.
            !GITLAB_RESERVED.contains(&key.text.as_str()) && matches!(job.value, Value::Map(_))
        })
        .map(|(key, job)| {
            let logical = key.text.clone();
            let mut images = Vec::new();
            if let Some(image) = job.get("image") {
                let node = image.get("name").unwrap_or(image);
                if let Some(reference) = text(node, format!("{logical}.image")) {
                    images.push(Image { reference });
                }
            }
            for (i, service) in job
                .get("services")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let node = service.get("name").unwrap_or(service);
                if let Some(reference) = text(node, format!("{logical}.services[{i}]")) {
                    images.push(Image { reference });
                }
            }
            Job {
                id: key.text.clone(),
                span: key.span,
                permissions: None,
                uses: None,
                secrets: None,
                images,
                steps: gitlab_scripts(job, &logical),
                variables: pairs(job.get("variables"), &format!("{logical}.variables")),
                continue_on_error: job.get("allow_failure").and_then(|n| match &n.value {
                    Value::Map(_) => text(
                        &Node {
                            value: Value::Bool(true),
                            span: n.span,
                        },
                        format!("{logical}.allow_failure"),
                    ),
                    _ => text(n, format!("{logical}.allow_failure")),
                }),
                condition: job
                    .get("when")
                    .and_then(|n| text(n, format!("{logical}.when"))),
                needs: needs(job.get("needs")),
                stage: Some(
                    job.get("stage")
                        .and_then(Node::scalar_text)
                        .unwrap_or_else(|| "test".to_owned()),
                ),
                environment: environment(job.get("environment")),
            }
        })
        .collect::<Vec<Job>>();
    // Global `image:`/`services:` (top level or under `default:`) apply to every job.
    let mut jobs = jobs;
    let mut global_images = Vec::new();
    for (scope, node) in [("", Some(root)), ("default.", root.get("default"))] {
        let Some(node) = node else { continue };
        if let Some(image) = node.get("image") {
            let name = image.get("name").unwrap_or(image);
            if let Some(reference) = text(name, format!("{scope}image")) {
                global_images.push(Image { reference });
            }
        }
        for (i, service) in node
            .get("services")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let name = service.get("name").unwrap_or(service);
            if let Some(reference) = text(name, format!("{scope}services[{i}]")) {
                global_images.push(Image { reference });
            }
        }
    }
    if !global_images.is_empty() {
        jobs.push(Job {
            id: "(global)".into(),
            span: root.span,
            permissions: None,
            uses: None,
            secrets: None,
            images: global_images,
            steps: Vec::new(),
            continue_on_error: None,
            condition: None,
            variables: Vec::new(),
            needs: None,
            stage: None,
            environment: None,
        });
    }
    Pipeline {
        kind: Kind::Gitlab,
        triggers: Vec::new(),
        permissions: None,
        jobs,
        includes,
        typed_inputs: Vec::new(),
        variables: pairs(root.get("variables"), "variables"),
        // GitLab's default stages where the file lists none.
        stages: root.get("stages").map_or_else(
            || {
                [".pre", "build", "test", "deploy", ".post"]
                    .map(str::to_owned)
                    .to_vec()
            },
            |stages| {
                stages
                    .items()
                    .iter()
                    .filter_map(Node::scalar_text)
                    .collect()
            },
        ),
    }
}

/// The line of the `-` that introduces a sequence item: a block scalar's content starts on the
/// line after it; a plain scalar shares it.
fn dash_line(item: &Node, key_line: u32) -> u32 {
    match &item.value {
        // saphyr places a block scalar's span at its first content line.
        Value::Str(text) if text.contains('\n') => {
            item.span.start.line.saturating_sub(1).max(key_line)
        }
        _ => item.span.start.line,
    }
}

/// The kind of a repository path, if it is a pipeline file.
pub fn kind_of(path: &str) -> Option<Kind> {
    // Every CI gate asks this of every path of the tree: plain string tests, cheapest first
    // (`Path::extension` parsing each name was 0.7 % of a static run on 51k files).
    let name = path.rsplit('/').next().unwrap_or(path);
    if path
        .strip_prefix(".github/workflows/")
        .is_some_and(|rest| !rest.contains('/'))
        && is_yaml_name(name)
    {
        Some(Kind::GithubWorkflow)
    } else if name == "action.yml" || name == "action.yaml" {
        Some(Kind::GithubAction)
    } else if path == ".gitlab-ci.yml" || path == ".gitlab-ci.yaml" {
        Some(Kind::Gitlab)
    } else {
        None
    }
}

/// Whether a file name has a YAML extension, as `Path::extension` reads one (a dot file such as
/// `.yml` has none).
fn is_yaml_name(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(stem, extension)| {
        !stem.is_empty()
            && (extension.eq_ignore_ascii_case("yml") || extension.eq_ignore_ascii_case("yaml"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_names_are_read_as_path_extension_reads_them() {
        for name in [
            "ci.yml",
            "ci.YAML",
            "a.b.yaml",
            ".yml",
            "yml",
            "ci.yml.bak",
            "ci.",
            ".hidden.yml",
            "..yml",
        ] {
            let by_path = std::path::Path::new(name)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"));
            assert_eq!(is_yaml_name(name), by_path, "{name}");
        }
    }

    #[test]
    fn github_workflow_model_keeps_positions() {
        let text = "on:\n  pull_request_target:\n  push:\npermissions: read-all\njobs:\n  build:\n    runs-on: ubuntu-latest\n    container: node:20\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: main\n      - name: test\n        run: |\n          npm ci\n          npm test || true\n        continue-on-error: true\n  call:\n    uses: org/repo/.github/workflows/ci.yml@main\n";
        let pipeline = parse(Kind::GithubWorkflow, text).unwrap();
        assert_eq!(
            pipeline
                .triggers
                .iter()
                .map(|t| t.0.as_str())
                .collect::<Vec<_>>(),
            ["pull_request_target", "push"]
        );
        assert!(matches!(
            pipeline.permissions,
            Some(Permissions::ReadAll(_))
        ));
        let build = &pipeline.jobs[0];
        assert_eq!(build.images[0].reference.value, "node:20");
        let uses = build.steps[0].uses.as_ref().unwrap();
        assert_eq!((uses.span.start.line, uses.span.start.column), (10, 15));
        assert_eq!(uses.logical, "jobs.build.steps[0].uses");
        let run = build.steps[1].run.as_ref().unwrap();
        assert!(run.block);
        assert_eq!(run.text.span.start.line, 15);
        assert_eq!(
            build.steps[1].continue_on_error.as_ref().unwrap().value,
            "true"
        );
        assert_eq!(
            pipeline.jobs[1].uses.as_ref().unwrap().value,
            "org/repo/.github/workflows/ci.yml@main"
        );
    }

    #[test]
    fn gitlab_jobs_scripts_and_includes() {
        let text = ".defaults: &defaults\n  image: ruby:3.3\ninclude:\n  - local: ci/extra.yml\n  - remote: https://example.com/x.yml\nstages: [test]\ntest:\n  <<: *defaults\n  script:\n    - bundle exec rspec || true\n  allow_failure: true\n";
        let pipeline = parse(Kind::Gitlab, text).unwrap();
        assert_eq!(pipeline.includes.len(), 1);
        assert_eq!(pipeline.jobs.len(), 2, "the hidden template is judged too");
        let job = pipeline.jobs.iter().find(|j| j.id == "test").unwrap();
        assert_eq!(job.images[0].reference.value, "ruby:3.3");
        assert_eq!(
            job.steps[0].run.as_ref().unwrap().text.value,
            "bundle exec rspec || true"
        );
        assert_eq!(job.continue_on_error.as_ref().unwrap().value, "true");
    }

    #[test]
    fn gitlab_global_images() {
        let text = "image: node:latest\ndefault:\n  services:\n    - postgres:15\ntest:\n  script:\n    - npm test\n";
        let pipeline = parse(Kind::Gitlab, text).unwrap();
        let global = pipeline.jobs.iter().find(|j| j.id == "(global)").unwrap();
        let images: Vec<&str> = global
            .images
            .iter()
            .map(|i| i.reference.value.as_str())
            .collect();
        assert_eq!(images, ["node:latest", "postgres:15"]);
    }

    #[test]
    fn gitlab_block_scripts_keep_their_lines() {
        let text = "test:\n  script:\n    - |\n      cargo build\n      cargo test || true\n    - echo done\n";
        let pipeline = parse(Kind::Gitlab, text).unwrap();
        let steps = &pipeline.jobs[0].steps;
        let block = steps[0].run.as_ref().unwrap();
        assert!(block.block);
        assert_eq!(
            block.text.span.start.line, 4,
            "content starts after the dash line"
        );
        assert!(!steps[1].run.as_ref().unwrap().block);
    }

    #[test]
    fn kinds_by_path() {
        assert_eq!(
            kind_of(".github/workflows/ci.yml"),
            Some(Kind::GithubWorkflow)
        );
        assert_eq!(kind_of(".github/workflows/nested/ci.yml"), None);
        assert_eq!(
            kind_of("actions/setup/action.yml"),
            Some(Kind::GithubAction)
        );
        assert_eq!(kind_of(".gitlab-ci.yml"), Some(Kind::Gitlab));
        assert_eq!(kind_of("src/main.rs"), None);
    }
}
