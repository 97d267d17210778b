use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_formats::pipeline::{Kind, Script};
use harden_model::{GateId, GateMeta, ProfileLevel, Round, Severity, Target};

use super::pipelines::{ITEMS, Source, load, step_label};

/// `R4.ci.ignore-errors`: nothing in the pipeline swallows a failure.
pub(crate) struct CiIgnoreErrors;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R4.ci.ignore-errors"),
    round: Round::R4,
    title: "No \"ignore errors\" posture in the pipeline",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Prototype,
    rationale: "A pipeline that swallows failures certifies builds that failed: the test that \
crashed, the audit that found a CVE, the certificate that did not verify. This gate reads GitHub \
workflows, composite actions and GitLab CI and fails on `continue-on-error: true`, \
`allow_failure: true`, `|| true`, `|| :`, `|| exit 0`, a trailing `; true`, `set +e`, \
curl/wget without certificate checks (`-k`, `--insecure`, \
`--no-check-certificate`), test and audit commands whose exit status is discarded (`npm audit || \
echo`, a test piped into `tee` without `pipefail`, GitLab `cargo test; echo`), and deploy steps \
that run `if: always()`. Cleanup, diagnostics and probes are best effort (`docker logs ... || \
true`, `rm -rf dist; true`, `x=$(query || true)`), and `set +e` followed by a read of `$?` \
handles the status: neither is reported. Steps that verify nothing (notifications, comments, \
labels, caches, artifact uploads, Sentry releases) may fail quietly, and a generated workflow \
(\"DO NOT EDIT\") is judged at its source; `git commit --no-verify` is not reported either, since \
hooks are local checks and the pipeline runs its own. Each finding shows the command and why it hides failure. A bounded \
exception is a waiver with a reason, owner and expiry.",
    evidence: &[
        "pipelines",
        "scripts",
        "generated pipelines",
        "best-effort steps",
    ],
    options: &[],
    items: Some(ITEMS),
};

const TEST_COMMANDS: &[&str] = &[
    "cargo test",
    "cargo nextest",
    "cargo audit",
    "cargo deny",
    "npm test",
    "npm run test",
    "npm audit",
    "pnpm test",
    "pnpm audit",
    "yarn test",
    "yarn audit",
    "pytest",
    "tox",
    "nox",
    "go test",
    "go vet",
    "jest",
    "vitest",
    "rspec",
    "phpunit",
    "mvn test",
    "mvn verify",
    "gradle test",
    "./gradlew test",
    "make test",
    "make check",
    "pip-audit",
    "bundle audit",
    "trivy",
    "osv-scanner",
    "gitleaks",
    "harden check",
];

/// Why a script line hides a failure, with the fragment to point at.
fn swallowing(
    line: &str,
    kind: Kind,
    pipefail: bool,
    context: &ScriptContext,
) -> Option<(String, &'static str)> {
    let code = line.split(" #").next().unwrap_or(line).trim();
    if code.starts_with('#') || code.is_empty() {
        return None;
    }
    let compact: String = without_quoted(&unquote_variables(code))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // A bounded wait (`timeout 300 bash -c 'until [ -f ready ]; do sleep 1; done' || true`):
    // what it waited for is checked by what comes next.
    let waits = (code.contains("until ") || code.contains("while ")) && code.contains("sleep");
    for (pattern, why) in [
        ("|| true", "`|| true` turns any failure into success"),
        ("||true", "`||true` turns any failure into success"),
        ("|| :", "`|| :` turns any failure into success"),
        ("|| exit 0", "`|| exit 0` turns any failure into success"),
    ] {
        if let Some(at) = compact.find(pattern)
            && !context.in_substitution
            && !waits
            && !best_effort(&compact[..at], context)
        {
            return Some((pattern.to_owned(), why));
        }
    }
    if (compact.ends_with("; true") || compact.ends_with(";true"))
        && !best_effort(
            compact
                .trim_end_matches("true")
                .trim_end_matches([' ', ';']),
            context,
        )
    {
        return Some((
            "true".to_owned(),
            "a trailing `; true` makes the line succeed whatever ran before it",
        ));
    }
    let words: Vec<&str> = compact.split(' ').collect();
    if words.windows(2).any(|w| w == ["set", "+e"]) {
        return Some((
            "set +e".to_owned(),
            "`set +e` lets the script continue past failing commands",
        ));
    }
    // `git commit --no-verify` is not here: hooks are a developer's local checks, and what a
    // pipeline commits or pushes goes through the pipeline's own checks.
    let fetches = words.iter().any(|w| *w == "curl" || w.ends_with("/curl"));
    if fetches
        && let Some(flag) = words.iter().find(|w| {
            **w == "--insecure"
                || (w.starts_with('-') && !w.starts_with("--") && w.len() <= 8 && w.contains('k'))
        })
    {
        return Some((
            (*flag).to_owned(),
            "curl without certificate verification accepts any server",
        ));
    }
    if words.iter().any(|w| *w == "wget" || w.ends_with("/wget"))
        && words.contains(&"--no-check-certificate")
    {
        return Some((
            "--no-check-certificate".to_owned(),
            "wget without certificate verification accepts any server",
        ));
    }
    if let Some(test) = TEST_COMMANDS.iter().find(|t| compact.contains(*t)) {
        let after = &compact[compact.find(test).unwrap_or(0) + test.len()..];
        let fails_anyway = after.split("||").nth(1).is_some_and(|rest| {
            rest.contains("false")
                || rest.split("exit").skip(1).any(|code| {
                    code.trim_start()
                        .starts_with(|c: char| c.is_ascii_digit() && c != '0')
                })
        });
        if (after.contains("|| ") || after.contains("||echo")) && !fails_anyway {
            return Some((
                (*test).to_owned(),
                "the test or audit command's failure is replaced by the command after `||`",
            ));
        }
        let piped = after.split("||").next().unwrap_or_default().contains(" | ");
        if piped && !pipefail {
            return Some((
                (*test).to_owned(),
                "the exit status of a pipeline is its last command's: the test or audit failure is lost without `set -o pipefail`",
            ));
        }
        if kind == Kind::Gitlab && after.contains("; ") {
            return Some((
                (*test).to_owned(),
                "GitLab judges a script line by its last command: the test or audit failure before `;` is lost",
            ));
        }
    }
    None
}

/// The line with quoted text blanked out, so `echo "|| true"` is not mistaken for the operator.
/// Commands whose failure verifies nothing, so `|| true` after them hides nothing: cleanup,
/// diagnostics collected after the fact, probes whose answer may be "no", notifications.
const BEST_EFFORT: &[&str] = &[
    "rm",
    "rmdir",
    "unlink",
    "kill",
    "pkill",
    "killall",
    "umount",
    "tee",
    "cat",
    "ls",
    "echo",
    "printf",
    "mkdir",
    "cp",
    "mv",
    "ln",
    "chmod",
    "chown",
    "touch",
    "sleep",
    "wait",
    "ss",
    "netstat",
    "df",
    "du",
    "free",
    "ps",
    "top",
    "journalctl",
    "dmesg",
    "uptime",
    "grep",
    "pgrep",
    "base64",
    "which",
    "command",
    "type",
    "hash",
    "head",
    "tail",
    "wc",
    "sort",
    "uniq",
    "xargs",
    "find",
];

/// Sub-commands that clean up or collect diagnostics (`docker logs`, `kubectl describe`).
const BEST_EFFORT_SUBCOMMANDS: &[(&str, &[&str])] = &[
    (
        "docker",
        &[
            "rm",
            "rmi",
            "kill",
            "stop",
            "logs",
            "inspect",
            "ps",
            "network",
            "volume",
            "image",
            "system",
            "container",
            "buildx",
            "events",
            "stats",
            "logout",
        ],
    ),
    (
        "kubectl",
        &["logs", "describe", "get", "delete", "top", "events"],
    ),
    (
        "git",
        &[
            "branch",
            "tag",
            "remote",
            "worktree",
            "stash",
            "config",
            "clean",
            "rev-parse",
            "log",
            "show",
            "fetch",
        ],
    ),
    ("gh", &["label", "pr", "issue", "api"]),
    (
        "sentry-cli",
        &["releases", "sourcemaps", "send-event", "deploys"],
    ),
    ("npm", &["cache"]),
    ("pnpm", &["store"]),
    ("apt-get", &["clean"]),
];

/// Whether the command guarded by `|| true` (the text before it) is best effort: a variable
/// set from a query (`x=$(cmd || true)`) or a command of [`BEST_EFFORT`]; a test, build, scan or
/// deploy never is.
fn best_effort(before: &str, context: &ScriptContext) -> bool {
    // Inside `$(...)`: a query whose empty answer the script handles.
    if before.matches("$(").count() > before.matches(')').count() {
        return true;
    }
    // The last command of the list: `&&` separates commands, a lone `&` is part of `2>&1`.
    let before = before.replace("&&", ";");
    let last = before
        .rsplit(['|', ';', '('])
        .next()
        .unwrap_or_default()
        .trim();
    let words: Vec<&str> = last
        .split_whitespace()
        .skip_while(|w| {
            w.contains('=')
                || matches!(*w, "sudo" | "timeout" | "command" | "!")
                || w.parse::<u32>().is_ok()
        })
        .collect();
    let Some(program) = words.first().map(|w| program_name(w)) else {
        return false;
    };
    let program = program.as_str();
    if TEST_COMMANDS.iter().any(|t| last.contains(t)) {
        return false;
    }
    // A function of this script that only does best-effort things itself.
    if context.best_effort_functions.iter().any(|f| f == program) {
        return true;
    }
    // A redirect into a diagnostics file (`docker logs x > logs.txt`).
    BEST_EFFORT.contains(&program)
        || BEST_EFFORT_SUBCOMMANDS.iter().any(|(tool, subcommands)| {
            program == *tool && words.get(1).is_some_and(|w| subcommands.contains(w))
        })
        || (program == "docker"
            && words.get(1) == Some(&"compose")
            && words
                .iter()
                .any(|w| matches!(*w, "down" | "logs" | "ps" | "rm" | "stop" | "kill")))
}

/// The program a command word names: `/usr/bin/gh` and `$GH_BIN` are `gh`.
fn program_name(word: &str) -> String {
    let word = word.rsplit('/').next().unwrap_or(word);
    match word.strip_prefix('$') {
        Some(variable) => {
            let name = variable.trim_matches(['{', '}']).to_ascii_lowercase();
            ["_bin", "_cmd", "_path", "_exe", "_cli"]
                .iter()
                .find_map(|suffix| name.strip_suffix(suffix))
                .unwrap_or(&name)
                .to_owned()
        }
        None => word.to_owned(),
    }
}

/// `"$GH_BIN" pr edit`: a quoted variable alone is a command word, not text to blank out.
fn unquote_variables(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("\"$") {
        out.push_str(&rest[..at]);
        let inner = &rest[at + 1..];
        let close = inner.find('"');
        let variable = close.map(|c| &inner[..c]).filter(|v| {
            let name = v[1..].trim_start_matches('{').trim_end_matches('}');
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
        if let (Some(variable), Some(close)) = (variable, close) {
            out.push_str(variable);
            rest = &inner[close + 1..];
        } else {
            out.push('"');
            rest = inner;
        }
    }
    out.push_str(rest);
    out
}

/// What a line's judgement needs to know about the rest of its script.
#[derive(Default)]
struct ScriptContext {
    /// The line is inside a `$( ... )` opened on an earlier line: a query whose empty answer
    /// the script handles.
    in_substitution: bool,
    /// Functions defined in the script whose commands are all best effort.
    best_effort_functions: Vec<String>,
}

/// Programs a best-effort function may run besides [`BEST_EFFORT`]: shell syntax, builtins
/// and text tools.
const SHELL_WORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
    "in", "local", "return", "break", "continue", "true", "false", ":", "[", "[[", "test", "{",
    "}", "shift", "read", "declare", "export", "jq", "sed", "awk", "tr", "cut", "date", "gh", "!",
    ";;",
];

/// Shell syntax that comes before a command (`if ! cmd`, `then cmd`).
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "while", "until", "do", "!", "{", "time",
];

/// Shell functions of `lines` (continuations joined) whose every command is best effort, as
/// judged by [`best_effort`] or [`SHELL_WORDS`].
fn best_effort_functions(lines: &[String]) -> Vec<String> {
    let definition = |line: &str| -> Option<String> {
        let line = line.trim().strip_prefix("function ").unwrap_or(line.trim());
        let (name, rest) = line.split_once("()").or_else(|| line.split_once(" {"))?;
        let name = name.trim();
        (!name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            && rest.trim().starts_with('{'))
        .then(|| name.to_owned())
    };
    let names: Vec<String> = lines.iter().filter_map(|l| definition(l)).collect();
    let empty = ScriptContext::default();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let Some(name) = definition(line) else {
            continue;
        };
        // The body: until the braces opened by the definition close again.
        let mut depth = 0i32;
        let mut harmless = true;
        for body in &lines[start..] {
            let code = without_quoted(&unquote_variables(body));
            depth +=
                i32::try_from(code.matches('{').count() - code.matches("${").count()).unwrap_or(0);
            depth -= i32::try_from(code.matches('}').count()).unwrap_or(0)
                - i32::try_from(code.matches("${").count()).unwrap_or(0);
            // A definition line's own commands are those after its `{` (`f() { npm test; }`).
            let commands = if definition(body).is_some() {
                code.split_once('{').map_or("", |(_, rest)| rest).to_owned()
            } else {
                code.clone()
            };
            {
                for command in commands
                    .replace("&&", ";")
                    .replace("||", ";")
                    .split([';', '|'])
                {
                    let words: Vec<&str> = command
                        .split_whitespace()
                        .skip_while(|w| KEYWORDS.contains(w) || w.contains('='))
                        .collect();
                    let Some(first) = words.first() else { continue };
                    let program = program_name(first);
                    if !(SHELL_WORDS.contains(&program.as_str())
                        || first.starts_with(['-', '"', '\'', '>', '<', '$', '#'])
                        || names.contains(&program)
                        || best_effort(command, &empty))
                    {
                        harmless = false;
                    }
                }
            }
            if depth <= 0 {
                break;
            }
        }
        if harmless {
            found.push(name);
        }
    }
    found
}

/// The script's logical lines, continuations (`\` at the end) joined, each with the index of
/// its first physical line.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut open = false;
    for (index, line) in text.lines().enumerate() {
        let (content, continues) = match line.trim_end().strip_suffix('\\') {
            Some(head) => (head, true),
            None => (line, false),
        };
        match out.last_mut() {
            Some((_, joined)) if open => {
                joined.push(' ');
                joined.push_str(content.trim());
            }
            _ => out.push((index, content.to_owned())),
        }
        open = continues;
    }
    out
}

fn without_quoted(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                out.push(c);
            }
            Some(_) => out.push('_'),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None => out.push(c),
        }
    }
    out
}

fn check_script(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
    source: &Source,
    script: &Script,
    shell: Option<&str>,
) -> u64 {
    // GitHub runs `bash -e {0}` by default, and `bash -eo pipefail {0}` when `shell: bash` is explicit.
    let pipefail = shell.is_some_and(|s| s == "bash") || script.text.value.contains("pipefail");
    // `set +e` to capture an exit status (`set +e; out=$(cmd); code=$?; set -e`) and act on it
    // hides nothing.
    let status_read = script.text.value.contains("$?") || script.text.value.contains("PIPESTATUS");
    let text = &script.text.value;
    let (lines, found) = swallowed(text, source.pipeline.kind, pipefail, status_read);
    for Swallowed {
        index,
        line,
        fragment,
        why,
    } in found
    {
        // Point at the physical line of the continuation that holds the fragment.
        let physical = text
            .lines()
            .enumerate()
            .skip(index)
            .take(line.matches(' ').count() + 1)
            .find(|(_, l)| l.contains(fragment.as_str()))
            .map_or(index, |(i, _)| i);
        out.finding(
            cx.finding(format!("`{}` hides failures: {why}", crate::support::shown_text(line.trim())), source.in_script(script, physical, &fragment))
                .identity(format!("{}\n{}", script.text.logical, line.trim()))
                .help("let the command fail the job; if the failure is truly acceptable, record a waiver with an expiry")
                .build(),
        );
    }
    lines
}

/// A script line that hides a failure.
struct Swallowed {
    /// The index of its first physical line.
    index: usize,
    /// The logical line, continuations joined.
    line: String,
    fragment: String,
    why: &'static str,
}

/// The lines of a script that hide failures, each judged with the rest of the script
/// (continuations, `$(` opened on an earlier line, the script's functions), and the number of
/// logical lines read.
fn swallowed(text: &str, kind: Kind, pipefail: bool, status_read: bool) -> (u64, Vec<Swallowed>) {
    let logical = logical_lines(text);
    let texts: Vec<String> = logical.iter().map(|(_, l)| l.clone()).collect();
    let mut context = ScriptContext {
        in_substitution: false,
        best_effort_functions: best_effort_functions(&texts),
    };
    let mut depth = 0usize;
    let mut found = Vec::new();
    for (index, line) in &logical {
        context.in_substitution = depth > 0;
        // Counted on the raw line: a substitution often opens inside quotes (`arn="$({`).
        depth += line.matches("$(").count();
        if depth > 0 {
            depth = depth.saturating_sub(line.matches(')').count());
        }
        if let Some((fragment, why)) = swallowing(line, kind, pipefail, &context)
            && !(status_read && fragment == "set +e")
        {
            found.push(Swallowed {
                index: *index,
                line: line.clone(),
                fragment,
                why,
            });
        }
    }
    (logical.len() as u64, found)
}

/// Whether a step deploys or publishes: said by its name or action, or done by a command of its
/// script (a script that merely mentions a release, `cat /tmp/release-report`, does not).
fn deploys(step: &harden_formats::pipeline::Step) -> bool {
    let named = [
        step.name.as_deref(),
        step.uses.as_ref().map(|u| u.value.as_str()),
    ];
    let by_name = named.iter().flatten().any(|text| {
        let lower = text.to_lowercase();
        ["deploy", "publish", "release"]
            .iter()
            .any(|w| lower.contains(w))
    });
    by_name || deploys_by_command(step)
}

/// Whether a step's script runs a deploy or publish command.
fn deploys_by_command(step: &harden_formats::pipeline::Step) -> bool {
    step.run.as_ref().is_some_and(|run| {
        let lower = run.text.value.to_lowercase();
        [
            "kubectl apply",
            "helm upgrade",
            "helm install",
            "terraform apply",
            "npm publish",
            "cargo publish",
            "gh release create",
            "docker push",
            "twine upload",
            "vercel deploy",
            "fly deploy",
        ]
        .iter()
        .any(|w| lower.contains(w))
    })
}

/// Whether a step's purpose verifies nothing, so its failure may be tolerated: a notification,
/// a comment or label, a cache, an artifact upload, a Sentry release, telemetry. Said by its
/// name, its action, or (in a composite action) the action's directory. A deploy never is.
fn best_effort_step(step: &harden_formats::pipeline::Step, path: &str) -> bool {
    // "Register Sentry release" is named after a release but publishes nothing; a script that
    // runs `docker push` does.
    if deploys_by_command(step) {
        return false;
    }
    let uses = step.uses.as_ref().map(|u| u.value.to_ascii_lowercase());
    let by_action = uses.as_deref().is_some_and(|action| {
        [
            "actions/cache",
            "actions/upload-artifact",
            "getsentry/",
            "slackapi/",
            "codecov/",
            "peter-evans/create-or-update-comment",
            "marocchino/sticky-pull-request-comment",
            "thollander/actions-comment-pull-request",
            "actions/labeler",
        ]
        .iter()
        .any(|known| action.starts_with(known))
    });
    let composite = path
        .strip_suffix("/action.yml")
        .or_else(|| path.strip_suffix("/action.yaml"))
        .and_then(|dir| dir.rsplit('/').next());
    let by_words = [step.name.as_deref(), composite]
        .into_iter()
        .flatten()
        .flat_map(|text| {
            text.to_ascii_lowercase()
                .split(|c: char| !c.is_ascii_alphanumeric())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .any(|word| {
            matches!(
                word.as_str(),
                "notify"
                    | "notification"
                    | "notifications"
                    | "slack"
                    | "discord"
                    | "mattermost"
                    | "comment"
                    | "comments"
                    | "label"
                    | "labels"
                    | "sentry"
                    | "telemetry"
                    | "summary"
                    | "cache"
            )
        });
    by_action || by_words
}

impl Gate for CiIgnoreErrors {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let mut scripts = 0;
        for source in load(cx, out)? {
            // A generated workflow (gh-aw's `.lock.yml`, "DO NOT EDIT") is judged at its
            // source: the generator chose its best-effort steps.
            if crate::paths::generated_header(source.text.as_bytes()) {
                out.add("generated pipelines, judged at their source", 1);
                continue;
            }
            for job in &source.pipeline.jobs {
                let job_word = if source.pipeline.kind == Kind::Gitlab {
                    format!("job {}", job.id)
                } else {
                    format!("job {} and every step in it", job.id)
                };
                let flags = job
                    .continue_on_error
                    .iter()
                    .map(|flag| (flag, job_word.clone()))
                    .chain(
                        job.steps
                            .iter()
                            .filter(|s| !best_effort_step(s, &source.path))
                            .filter_map(|s| {
                                s.continue_on_error
                                    .as_ref()
                                    .map(|flag| (flag, step_label(job, s)))
                            }),
                    );
                for (flag, what) in flags {
                    if flag.value == "true" {
                        let key = if source.pipeline.kind == Kind::Gitlab {
                            "allow_failure"
                        } else {
                            "continue-on-error"
                        };
                        out.finding(
                            cx.finding(format!("`{key}: true` lets {what} fail without failing the pipeline"), source.at(flag))
                                .identity(&flag.logical)
                                .help(format!("remove `{key}`; an accepted exception belongs in a waiver with an expiry"))
                                .build(),
                        );
                    }
                }
                for step in &job.steps {
                    if let Some(run) = &step.run {
                        if best_effort_step(step, &source.path) {
                            scripts += run.text.value.lines().count() as u64;
                            out.add("best-effort steps (notifications, comments, caches)", 1);
                        } else {
                            scripts += check_script(cx, out, &source, run, step.shell.as_deref());
                        }
                    }
                    if let Some(condition) = &step.condition
                        && condition.value.contains("always()")
                        && deploys(step)
                    {
                        out.finding(
                            cx.finding(
                                format!("deploy {} runs `if: always()`, even after earlier steps failed", step_label(job, step)),
                                source.at(condition),
                            )
                            .identity(&condition.logical)
                            .help("deploy only on success: drop `always()` (use `success()` or no condition)")
                            .build(),
                        );
                    }
                }
            }
        }
        out.count("script lines", scripts);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swallowing_patterns() {
        let none = ScriptContext::default();
        let bad = [
            "npm test || true",
            "make lint ||true",
            "./flaky.sh || :",
            "./check.sh; true",
            "timeout 300 pytest -x || true",
            "update_label_if_needed \"${pr}\" || true",
            "set +e",
            "curl -sSLk https://example.com/install.sh -o i.sh",
            "curl --insecure https://x",
            "wget --no-check-certificate https://x",
            "npm audit || echo 'audit failed'",
            "cargo test --workspace | tee test.log",
        ];
        for line in bad {
            assert!(
                swallowing(line, Kind::GithubWorkflow, false, &none).is_some(),
                "{line}"
            );
        }
        assert!(swallowing("cargo test; echo done", Kind::Gitlab, false, &none).is_some());
        let good = [
            "cargo test --workspace",
            "cargo test --workspace | tee test.log",
            "curl -fsSL https://example.com -o x",
            "echo '|| true is bad' # a comment",
            "# set +e",
            "cargo test; echo done",
            "test -f x && echo yes",
            "go test ./... || exit 1",
            "npm test || { cat log; exit 2; }",
            // Best effort: cleanup, diagnostics, probes.
            "docker logs --timestamps \"$id\" > \"/tmp/diag/${s}.txt\" 2>&1 || true",
            "find .turbo/cache -type f -mtime +3 -delete 2>/dev/null || true",
            "ss -ltnp | tee /tmp/diag/listeners.txt || true",
            "docker compose -f ci.yml down -v || true",
            "url=$(printf '%s' \"$out\" | grep -Eo 'https://[^ ]+' | tail -n 1 || true)",
            "rm -rf dist; true",
            "echo \"$LOG_B64\" | base64 --decode || true",
            // In CI, hooks are a developer's checks; the pipeline runs its own.
            "git -c core.hooksPath=/dev/null commit --no-verify -m \"$PR_TITLE\"",
            // Metadata through the GitHub CLI, named by a variable.
            "\"$GH_BIN\" pr edit --repo \"$GITHUB_REPOSITORY\" \"$pr\" --add-reviewer someone || true",
            "gh api --method DELETE \"repos/${REPO}/issues/${n}/labels/x\" --silent || true",
            // A bounded wait whose result the next step checks.
            "timeout 300 bash -c 'until [ -f /tmp/up ]; do sleep 1; done' || true",
        ];
        for (i, line) in good.iter().enumerate() {
            let pipefail = i == 1;
            assert!(
                swallowing(line, Kind::GithubWorkflow, pipefail, &none).is_none(),
                "{line}"
            );
        }
    }

    /// Judged with the rest of the script: continuations, `$(` opened on an earlier line,
    /// and functions of the script.
    #[test]
    fn lines_in_their_script() {
        let script = r#"notify() {
  if ! gh api \
    --method POST "repos/x/issues/1/comments" \
    -f body="failed"; then
    echo "could not comment" >&2
    return 1
  fi
}
run_tests() {
  npm ci
  npm test
}
lint() { npm run lint; }
lint || true
arn="$({
  aws lambda list-images \
    --output text 2>/dev/null || true
} | tr -d '\r')"
gh api \
  --method DELETE "repos/x/labels/y" \
  --silent || true
notify || true
run_tests || true
"#;
        let texts: Vec<String> = logical_lines(script).into_iter().map(|(_, l)| l).collect();
        assert_eq!(best_effort_functions(&texts), ["notify"]);
        let (_, found) = swallowed(script, Kind::GithubWorkflow, true, false);
        let reported: Vec<usize> = found.iter().map(|s| s.index).collect();
        // Only the calls of the functions that run the tests and the linter.
        assert_eq!(reported, [13, 22]);
    }
}
