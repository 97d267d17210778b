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
`--no-verify`, curl/wget without certificate checks (`-k`, `--insecure`, \
`--no-check-certificate`), test and audit commands whose exit status is discarded (`npm audit || \
echo`, a test piped into `tee` without `pipefail`, GitLab `cargo test; echo`), and deploy steps \
that run `if: always()`. Cleanup, diagnostics and probes are best effort (`docker logs ... || \
true`, `rm -rf dist; true`, `x=$(query || true)`), and `set +e` followed by a read of `$?` \
handles the status: neither is reported. Each finding shows the command and why it hides failure. A bounded \
exception is a waiver with a reason, owner and expiry.",
    evidence: &["pipelines", "scripts"],
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
fn swallowing(line: &str, kind: Kind, pipefail: bool) -> Option<(String, &'static str)> {
    let code = line.split(" #").next().unwrap_or(line).trim();
    if code.starts_with('#') || code.is_empty() {
        return None;
    }
    let compact: String = without_quoted(code)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for (pattern, why) in [
        ("|| true", "`|| true` turns any failure into success"),
        ("||true", "`||true` turns any failure into success"),
        ("|| :", "`|| :` turns any failure into success"),
        ("|| exit 0", "`|| exit 0` turns any failure into success"),
    ] {
        if let Some(at) = compact.find(pattern)
            && !best_effort(&compact[..at])
        {
            return Some((pattern.to_owned(), why));
        }
    }
    if (compact.ends_with("; true") || compact.ends_with(";true"))
        && !best_effort(
            compact
                .trim_end_matches("true")
                .trim_end_matches([' ', ';']),
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
    if words.contains(&"--no-verify") {
        return Some((
            "--no-verify".to_owned(),
            "`--no-verify` skips the hooks that check the change",
        ));
    }
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
    ("gh", &["label", "pr", "issue"]),
    ("npm", &["cache"]),
    ("pnpm", &["store"]),
    ("apt-get", &["clean"]),
];

/// Whether the command guarded by `|| true` (the text before it) is best effort: a variable
/// set from a query (`x=$(cmd || true)`) or a command of [`BEST_EFFORT`]; a test, build, scan or
/// deploy never is.
fn best_effort(before: &str) -> bool {
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
    let Some(program) = words.first().map(|w| w.rsplit('/').next().unwrap_or(w)) else {
        return false;
    };
    if TEST_COMMANDS.iter().any(|t| last.contains(t)) {
        return false;
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
    let mut lines = 0;
    for (index, line) in script.text.value.lines().enumerate() {
        lines += 1;
        if let Some((fragment, why)) = swallowing(line, source.pipeline.kind, pipefail)
            && !(status_read && fragment == "set +e")
        {
            out.finding(
                cx.finding(format!("`{}` hides failures: {why}", crate::support::shown_text(line.trim())), source.in_script(script, index, &fragment))
                    .identity(format!("{}\n{}", script.text.logical, line.trim()))
                    .help("let the command fail the job; if the failure is truly acceptable, record a waiver with an expiry")
                    .build(),
            );
        }
    }
    lines
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
    let by_command = step.run.as_ref().is_some_and(|run| {
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
    });
    by_name || by_command
}

impl Gate for CiIgnoreErrors {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let mut scripts = 0;
        for source in load(cx, out)? {
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
                    .chain(job.steps.iter().filter_map(|s| {
                        s.continue_on_error
                            .as_ref()
                            .map(|flag| (flag, step_label(job, s)))
                    }));
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
                        scripts += check_script(cx, out, &source, run, step.shell.as_deref());
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
        let bad = [
            "npm test || true",
            "make lint ||true",
            "./flaky.sh || :",
            "./check.sh; true",
            "timeout 300 pytest -x || true",
            "update_label_if_needed \"${pr}\" || true",
            "set +e",
            "git commit --no-verify -m x",
            "curl -sSLk https://example.com/install.sh -o i.sh",
            "curl --insecure https://x",
            "wget --no-check-certificate https://x",
            "npm audit || echo 'audit failed'",
            "cargo test --workspace | tee test.log",
        ];
        for line in bad {
            assert!(
                swallowing(line, Kind::GithubWorkflow, false).is_some(),
                "{line}"
            );
        }
        assert!(swallowing("cargo test; echo done", Kind::Gitlab, false).is_some());
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
        ];
        for (i, line) in good.iter().enumerate() {
            let pipefail = i == 1;
            assert!(
                swallowing(line, Kind::GithubWorkflow, pipefail).is_none(),
                "{line}"
            );
        }
    }
}
