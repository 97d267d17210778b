use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_formats::pipeline::Kind;
use harden_model::{GateId, GateMeta, ProfileLevel, Round, Severity, Target};

use super::pipelines::{ITEMS, load, step_label};

/// `R4.ci.injection`: no attacker-controlled text is expanded into a shell, and privileged
/// triggers never run untrusted code.
pub(crate) struct CiInjection;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R4.ci.injection"),
    round: Round::R4,
    title: "No script injection or untrusted checkout in privileged workflows",
    severity: Severity::Critical,
    target: Target::Repository,
    min_profile: ProfileLevel::Prototype,
    rationale: "`${{ }}` expressions are expanded into the script text before the shell sees it. \
An issue title, pull-request body, branch name or commit message is written by whoever opens it, \
so `run: echo \"${{ github.event.issue.title }}\"` executes their shell code with the job's token \
and secrets. And `pull_request_target` or `workflow_run` workflows run with secrets and a write \
token: checking out the pull request's head there runs the attacker's code with them. This gate \
fails untrusted contexts (`github.event.*.title|body|head_ref|label|message|...`, \
`github.head_ref`, `inputs.*` of `workflow_dispatch` and of composite actions, which cannot know \
their callers) expanded inside `run:`, and checkouts of the \
untrusted head in privileged workflows. Fix: pass the value through `env:` and use \"$VAR\" in the \
script; in `pull_request_target`, never check out or run the head, or split the work into an \
unprivileged `pull_request` workflow.",
    evidence: &["pipelines", "expressions"],
    options: &[],
    items: Some(ITEMS),
};

/// Contexts whose text anyone opening an issue, pull request or commit controls.
const UNTRUSTED: &[&str] = &[
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages",
    "github.event.commits",
    "github.event.head_commit.message",
    "github.event.head_commit.author.email",
    "github.event.head_commit.author.name",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.head_ref",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit.message",
    "github.event.workflow_run.head_commit.author",
    "github.event.workflow_run.pull_requests",
];

/// Expressions naming the head of an untrusted pull request.
const UNTRUSTED_HEAD: &[&str] = &[
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.head_ref",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "refs/pull/",
];

/// Every `${{ ... }}` in `text`, with what makes it untrusted.
/// `typed` names the inputs whose values GitHub type-checks (a boolean, a choice, a number):
/// they cannot carry a command.
/// `inputs`: what the workflow's or action's `inputs.*` are, where they are untrusted.
fn untrusted_expressions(
    text: &str,
    inputs: Option<&str>,
    typed: &[String],
) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let expression = &rest[start..start + len + 2];
        let inner = expression.to_lowercase();
        if yields_literals_only(&expression[3..expression.len() - 2]) {
            // `inputs.dry == 'true' && '--dry' || ''`: its value is one of the workflow's own.
        } else if let Some(context) = UNTRUSTED.iter().find(|c| inner.contains(*c)) {
            found.push((expression.to_owned(), (*context).to_owned()));
        } else if let Some(label) = inputs
            && inputs_named(expression).any(|name| !typed.contains(&name))
        {
            found.push((expression.to_owned(), label.to_owned()));
        }
        rest = &rest[start + len + 2..];
    }
    found
}

/// Whether a job's `if:` runs it only for heads pushed to this repository itself, never a
/// fork's: it compares the head's repository with `github.repository` (fider's publish job on
/// `workflow_run`), or asks that the head repository is no fork.
fn same_repository_only(condition: Option<&harden_formats::pipeline::Text>) -> bool {
    let Some(condition) = condition else {
        return false;
    };
    let compact: String = condition.value.split_whitespace().collect();
    [
        "head_repository.full_name==github.repository",
        "github.repository==github.event.workflow_run.head_repository.full_name",
        "head.repo.full_name==github.repository",
        "github.repository==github.event.pull_request.head.repo.full_name",
        "head_repository.fork==false",
        "head.repo.fork==false",
        "!github.event.workflow_run.head_repository.fork",
        "!github.event.pull_request.head.repo.fork",
    ]
    .iter()
    .any(|test| compact.contains(test))
}

/// Whether an expression's value can only be a literal the workflow wrote or a boolean: each
/// operand of its top-level `&&` and `||` (whose value is one of their operands) is a string,
/// number or boolean literal, a comparison, a negation or a boolean function, or a
/// parenthesised expression of the same kind (`inputs.dry == 'true' && '--dry' || ''`, fider's
/// translation job). Whatever the untrusted value it compares, it never reaches the script.
fn yields_literals_only(inner: &str) -> bool {
    let operands = top_level_operands(inner);
    operands.len() > 1 && operands.iter().all(|operand| literal_valued(operand))
}

/// The operands of an expression's top-level `&&` and `||`.
fn top_level_operands(inner: &str) -> Vec<&str> {
    let mut operands = Vec::new();
    let (mut depth, mut quoted, mut from) = (0i32, false, 0);
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            b'&' | b'|' if !quoted && depth == 0 && bytes.get(i + 1) == Some(&bytes[i]) => {
                operands.push(&inner[from..i]);
                i += 2;
                from = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    operands.push(&inner[from..]);
    operands
}

/// Whether one operand's value is a literal or a boolean (see [`yields_literals_only`]).
fn literal_valued(operand: &str) -> bool {
    let operand = operand.trim();
    if let Some(group) = operand.strip_prefix('(').and_then(|o| o.strip_suffix(')'))
        && top_level(group).chars().all(|c| c != ')')
    {
        return top_level_operands(group).iter().all(|o| literal_valued(o));
    }
    let literal = operand.len() >= 2
        && operand.starts_with('\'')
        && operand.ends_with('\'')
        && !operand[1..operand.len() - 1]
            .replace("''", "")
            .contains('\'');
    literal
        || operand.parse::<f64>().is_ok()
        || matches!(operand, "true" | "false" | "null")
        || operand.starts_with('!')
        || ["==", "!=", "<=", ">=", "<", ">"]
            .iter()
            .any(|op| top_level(operand).contains(op))
        || [
            "contains(",
            "startsWith(",
            "endsWith(",
            "success(",
            "failure(",
            "always(",
            "cancelled(",
        ]
        .iter()
        .any(|f| operand.starts_with(f) && operand.ends_with(')'))
}

/// `text` with its quoted strings and what its parentheses hold blanked: what is left is what
/// applies to the whole (a comparison inside a call's arguments does not make the call one).
fn top_level(text: &str) -> String {
    let (mut quoted, mut depth) = (false, 0i32);
    text.chars()
        .map(|c| {
            if c == '\'' {
                quoted = !quoted;
                ' '
            } else if quoted {
                ' '
            } else if c == '(' {
                depth += 1;
                ' '
            } else if c == ')' {
                depth -= 1;
                if depth < 0 { ')' } else { ' ' }
            } else if depth > 0 {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The input names an expression reads: `inputs.version`, `github.event.inputs.version`,
/// `inputs['version']`.
fn inputs_named(expression: &str) -> impl Iterator<Item = String> + '_ {
    expression
        .match_indices("inputs")
        .filter_map(move |(at, _)| {
            let before = expression[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                return None;
            }
            let rest = &expression[at + "inputs".len()..];
            let name = rest
                .strip_prefix('.')
                .or_else(|| rest.strip_prefix("['"))
                .or_else(|| rest.strip_prefix("[\""))?;
            let end = name
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(name.len());
            (end > 0).then(|| name[..end].to_owned())
        })
}

impl Gate for CiInjection {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let mut expressions = 0;
        for source in load(cx, out)? {
            let pipeline = &source.pipeline;
            if pipeline.kind == Kind::Gitlab {
                continue;
            }
            let triggers: Vec<&str> = pipeline.triggers.iter().map(|t| t.0.as_str()).collect();
            // A composite action cannot know its callers: whatever a calling workflow passes
            // (an issue title, a branch name) arrives in `inputs`.
            let inputs = if pipeline.kind == Kind::GithubAction {
                Some("the action's inputs (whatever a calling workflow passes)")
            } else if triggers.contains(&"workflow_dispatch") {
                Some("workflow_dispatch inputs")
            } else {
                None
            };
            let privileged = triggers
                .iter()
                .any(|t| *t == "pull_request_target" || *t == "workflow_run");
            for job in &pipeline.jobs {
                let mut checked_out_head = None;
                for step in &job.steps {
                    if let Some(run) = &step.run {
                        for (index, line) in run.text.value.lines().enumerate() {
                            for (expression, context) in
                                untrusted_expressions(line, inputs, &pipeline.typed_inputs)
                            {
                                expressions += 1;
                                out.finding(
                                    cx.finding(
                                        format!("`{expression}` expands {context} into the shell script: whoever writes it runs commands here"),
                                        source.in_script(run, index, &expression),
                                    )
                                    .identity(format!("{}\n{expression}", run.text.logical))
                                    .help("pass it through `env:` (VALUE: ${{ ... }}) and use \"$VALUE\" in the script")
                                    .build(),
                                );
                            }
                        }
                    }
                    let checkout = step
                        .uses
                        .as_ref()
                        .is_some_and(|u| u.value.starts_with("actions/checkout@"));
                    if privileged
                        && checkout
                        && !same_repository_only(job.condition.as_ref())
                        && let Some((_, reference)) = step.with.iter().find(|(k, v)| {
                            k == "ref" && UNTRUSTED_HEAD.iter().any(|h| v.value.contains(h))
                        })
                    {
                        checked_out_head = Some((reference.clone(), step_label(job, step)));
                        out.finding(
                            cx.finding(
                                format!(
                                    "{} workflow checks out the untrusted pull-request head ({}) with secrets and a write token available",
                                    triggers.iter().find(|t| **t == "pull_request_target" || **t == "workflow_run").unwrap_or(&"privileged"),
                                    reference.value
                                ),
                                source.at(reference),
                            )
                            .identity(format!("checkout:{}", reference.logical))
                            .help("never check out or build the head in pull_request_target/workflow_run; use an unprivileged pull_request workflow")
                            .build(),
                        );
                    } else if let (Some((_, checkout)), Some(run)) = (&checked_out_head, &step.run)
                    {
                        out.finding(
                            cx.finding(
                                format!("{} runs code from the untrusted head checked out by {checkout} in a privileged workflow", step_label(job, step)),
                                source.at(&run.text),
                            )
                            .identity(format!("runs-head:{}", run.text.logical))
                            .build(),
                        );
                    }
                }
            }
        }
        out.count("expressions", expressions);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{untrusted_expressions, yields_literals_only};

    /// A choice between the workflow's own literals cannot carry the value it compares; one
    /// that can return the value itself, or anything untrusted besides, can.
    #[test]
    fn expressions_that_only_choose_literals() {
        for safe in [
            " inputs.dry == 'true' && '--dry' || '' ",
            "github.event_name == 'push' && 'main' || 'preview'",
            "!inputs.force && 'a' || 'b'",
            "contains(github.event.issue.title, 'x') && 1 || 0",
            "inputs.mode == 'a || b' && 'x' || 'y'",
            "(inputs.a == 'x' && 'y') || 'z'",
        ] {
            assert!(yields_literals_only(safe), "{safe}");
        }
        // A value inside parentheses, or a comparison inside a call's arguments.
        for unsafe_ in [
            "(inputs.kind == 'a' && inputs.v) || 'b'",
            "format('{0}{1}', inputs.a, inputs.b == 'y') && 'x' || 'z'",
            "(inputs.a) && 'y' || 'z'",
        ] {
            assert!(!yields_literals_only(unsafe_), "{unsafe_}");
        }
        for unsafe_ in [
            "inputs.dry",
            "inputs.tag || 'latest'",
            "inputs.dry == 'true' && inputs.flags || ''",
            "github.event.issue.title && 'x' || 'y'",
            "'it''s' || format('{0}', inputs.x)",
        ] {
            assert!(!yields_literals_only(unsafe_), "{unsafe_}");
        }
        let line = "./translate ${{ inputs.dry == 'true' && '--dry' || '' }} ${{ inputs.lang }}";
        assert_eq!(
            untrusted_expressions(line, Some("workflow_dispatch inputs"), &[]).len(),
            1
        );
    }

    #[test]
    fn untrusted_contexts() {
        assert_eq!(
            untrusted_expressions("echo \"${{ github.event.issue.title }}\"", None, &[]).len(),
            1
        );
        assert_eq!(
            untrusted_expressions("git checkout ${{ github.head_ref }}", None, &[]).len(),
            1
        );
        assert!(
            untrusted_expressions("echo ${{ github.sha }} ${{ secrets.TOKEN }}", None, &[])
                .is_empty()
        );
        assert!(untrusted_expressions("echo ${{ inputs.name }}", None, &[]).is_empty());
        assert_eq!(
            untrusted_expressions(
                "echo ${{ inputs.name }}",
                Some("workflow_dispatch inputs"),
                &[]
            )
            .len(),
            1
        );
        assert_eq!(untrusted_expressions("echo \"$TITLE\"", None, &[]).len(), 0);
        // A boolean or choice input is checked by GitHub before the run: no text gets through.
        let typed = ["include_latest".to_owned(), "env".to_owned()];
        assert!(
            untrusted_expressions(
                "push ${{ github.event.inputs.include_latest }} ${{ inputs['env'] }}",
                Some("workflow_dispatch inputs"),
                &typed
            )
            .is_empty()
        );
        assert_eq!(
            untrusted_expressions(
                "tag ${{ inputs.version }} ${{ inputs.include_latest }}",
                Some("workflow_dispatch inputs"),
                &typed
            )
            .len(),
            1
        );
        assert_eq!(
            untrusted_expressions(
                "${{ inputs.include_latest && inputs.version }}",
                Some("workflow_dispatch inputs"),
                &typed
            )
            .len(),
            1
        );
    }
}
