use std::time::Duration;

use harden_config::OptionValue;
use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{
    GateId, GateMeta, OptionKind, OptionSpec, ProfileLevel, Round, Severity, Target,
};

use crate::support::{config_location, file_location, sha256_hex};

/// `R7.runbooks`: disaster-recovery, migration-recovery and on-call documents exist, say
/// something, and have been touched recently enough to be trusted.
pub(crate) struct Runbooks;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R7.runbooks"),
    round: Round::R7,
    title: "DR, migration-recovery and on-call runbooks present and current",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "At launch, someone will restore a database at 3 a.m. or roll back a migration \
under pressure. The procedures for that must exist before they are needed and must not have rotted. \
This gate looks for three documents: disaster recovery, migration recovery and the on-call playbook, \
at the paths in `[runbooks]` or at conventional paths (docs/runbooks/<name>.md, runbooks/<name>.md, \
sdlc/runbooks/<name>.md, docs/<name>.md). Each must have real content (not a placeholder, and no \
`TODO(harden):` marker left by `harden scaffold runbooks`) and its last commit must be \
younger than `max-age` (default 180 days). Fix: write the missing document, or review and commit \
the stale one after a drill.",
    evidence: &["documents", "digests", "last_commit"],
    options: &[OptionSpec {
        key: "min-lines",
        kind: OptionKind::Integer,
        help: "Fewest non-empty lines a runbook must have to count as written (default 3).",
    }],
    items: None,
};

const DEFAULT_MAX_AGE: Duration = Duration::from_hours(4320);

/// The three documents: config key, human name, conventional file stems.
const DOCUMENTS: [(&str, &str, &[&str]); 3] = [
    (
        "disaster-recovery",
        "disaster-recovery procedure",
        &["disaster-recovery", "dr", "disaster_recovery"],
    ),
    (
        "migration-recovery",
        "migration-recovery procedure",
        &[
            "migration-recovery",
            "migrations",
            "migration_recovery",
            "rollback",
        ],
    ),
    (
        "on-call",
        "on-call playbook",
        &["on-call", "oncall", "on_call"],
    ),
];

const DIRECTORIES: [&str; 5] = [
    "docs/runbooks",
    "runbooks",
    "sdlc/runbooks",
    "docs/ops",
    "docs",
];

fn conventional_paths(stems: &[&str]) -> Vec<String> {
    let mut paths = Vec::new();
    for directory in DIRECTORIES {
        for stem in stems {
            paths.push(format!("{directory}/{stem}.md"));
            paths.push(format!("{directory}/{stem}/README.md"));
        }
    }
    paths
}

/// The migration-recovery procedure of the repository, if it has one: the configured path, or
/// the first conventional one that exists.
pub(crate) fn migration_recovery(cx: &GateCx<'_>) -> Option<String> {
    if let Some(path) = cx.config().runbooks.migration_recovery.as_deref() {
        return cx.repo().is_file(path).then(|| path.to_owned());
    }
    let (_, _, stems) = DOCUMENTS[1];
    conventional_paths(stems)
        .into_iter()
        .find(|p| cx.repo().is_file(p))
}

impl Gate for Runbooks {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let runbooks = &cx.config().runbooks;
        let max_age = runbooks.max_age.unwrap_or(DEFAULT_MAX_AGE);
        let min_lines = match cx.option("min-lines") {
            Some(OptionValue::Integer(n)) => *n,
            _ => 3,
        };
        let now = cx.clock().now();
        let history = cx.history().ok();
        let mut found = 0;
        for (key, name, stems) in DOCUMENTS {
            let configured = match key {
                "disaster-recovery" => runbooks.disaster_recovery.as_deref(),
                "migration-recovery" => runbooks.migration_recovery.as_deref(),
                _ => runbooks.on_call.as_deref(),
            };
            out.examined("documents", 1);
            let path = match configured {
                Some(path) if cx.repo().is_file(path) => path.to_owned(),
                Some(path) => {
                    out.finding(
                        cx.finding(
                            format!(
                                "{name} missing: {path} (configured in [runbooks]) does not exist"
                            ),
                            file_location(path),
                        )
                        .identity(key)
                        .related(config_location(cx, None))
                        .help(format!(
                            "write {path}: the steps, who runs them, how to verify success"
                        ))
                        .build(),
                    );
                    continue;
                }
                None => {
                    if let Some(path) = conventional_paths(stems)
                        .into_iter()
                        .find(|p| cx.repo().is_file(p))
                    {
                        path
                    } else {
                        let proposed = format!("docs/runbooks/{key}.md");
                        out.finding(
                        cx.finding(format!("{name} missing: no {proposed} or other conventional path, and none configured in [runbooks]"), file_location(&proposed))
                            .identity(key)
                            .help(format!("write {proposed}, or set `[runbooks] {key} = \"path\"`"))
                            .build(),
                    );
                        continue;
                    }
                }
            };
            found += 1;
            let Some(bytes) = crate::support::read_parsed_into(cx, out, &path)? else {
                continue;
            };
            out.digest(&path, sha256_hex(&bytes));
            let text = harden_engine::lossy_text(&bytes);
            let lines = text.lines().filter(|l| !l.trim().is_empty()).count() as u64;
            if lines < min_lines {
                out.finding(
                    cx.finding(format!("{name} at {path} is a placeholder ({lines} non-empty lines, at least {min_lines} expected)"), file_location(&path))
                        .identity(key)
                        .help("write the procedure: steps, owners, how to verify it worked")
                        .build(),
                );
                continue;
            }
            // A scaffold (`harden scaffold runbooks`) is a start, never a pass.
            if let Some((index, first)) = text
                .lines()
                .enumerate()
                .find(|(_, line)| line.contains(crate::PLACEHOLDER))
            {
                let remaining = text.matches(crate::PLACEHOLDER).count();
                let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
                out.finding(
                    cx.finding(
                        format!(
                            "{name} at {path} still has {remaining} placeholder{} to fill (`{}`)",
                            if remaining == 1 { "" } else { "s" },
                            crate::PLACEHOLDER
                        ),
                        harden_model::Location::File {
                            path: path.clone(),
                            span: Some(crate::support::point(line, 1)),
                            snippet: Some(crate::support::shown(first.trim())),
                            logical: None,
                        },
                    )
                    .identity(format!("{key}-placeholder"))
                    .help("replace each marker with this team's answer: the command, the person, the link")
                    .build(),
                );
                continue;
            }
            let Some(history) = history else {
                out.fact(&format!("{key}.age"), "unknown: no git history");
                continue;
            };
            match history.last_change(&path)? {
                Some(commit) => {
                    let age = now.duration_since(commit.time);
                    let age_days = age.as_secs() / 86_400;
                    out.fact(
                        &format!("{key}.last_commit"),
                        format!("{} {}", &commit.id[..commit.id.len().min(12)], commit.time),
                    );
                    if age.as_secs() > i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX) {
                        out.finding(
                            cx.finding(
                                format!(
                                    "{name} at {path} is stale: last changed {age_days} days ago ({}), max-age {}",
                                    commit.time.strftime("%Y-%m-%d"),
                                    harden_config::format_duration(max_age)
                                ),
                                file_location(&path),
                            )
                            .identity(format!("{key}-stale"))
                            .help("review the procedure (ideally after a drill) and commit the update")
                            .build(),
                        );
                    }
                }
                None => out.fact(&format!("{key}.age"), "not committed yet"),
            }
        }
        out.count("present", found);
        Ok(())
    }
}
