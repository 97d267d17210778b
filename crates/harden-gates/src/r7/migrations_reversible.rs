use std::collections::BTreeMap;

use harden_config::OptionValue;
use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_formats::migrations::{self, Framework, Migration, Verdict};
use harden_model::{
    GateId, GateMeta, Items, OptionKind, OptionSpec, ProfileLevel, Round, Severity, Target,
};

/// `R7.migrations.reversible`: every migration can be undone, or its recovery is documented.
pub(crate) struct MigrationsReversible;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R7.migrations.reversible"),
    round: Round::R7,
    title: "Every database migration can be rolled back",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "A release that must be rolled back takes its migrations with it, and the moment \
to find out that one of them cannot be undone is not during the incident. This gate finds the \
migrations of sqlx, golang-migrate, diesel, Flyway and refinery, goose, dbmate, Alembic, Django, \
Rails, Knex and Sequelize, SeaORM, Liquibase (every changeset of its XML, YAML, JSON and formatted \
SQL changelogs) and Prisma by their conventions and judges each one's way back: \
a down file, undo migration, `downgrade()`, `down`, reverse code, invertible `change`, a \
Liquibase rollback block or changes Liquibase inverts by itself (`createTable`, not `dropTable` \
or `sql`). A \
missing down step fails, and so does one that is empty, comment-only, `pass`-only or raises \
(Django `RunPython`/`RunSQL` without `reverse_code`/`reverse_sql`; Rails `change` with `execute`, \
`change_column` or `remove_column` without a type). Prisma writes no down migrations: there the \
gate asks for the migration-recovery runbook. Migrations in tests, docs and vendored code are not \
judged, nor are Liquibase changesets limited to development or test contexts (`faker`, `dev`, \
`test`) or those of a baseline `liquibase generate-changelog` wrote (author `... (generated)`); \
the `after` option leaves migrations up to an id alone, for a project that adopts the rule \
from now on. Changesets of one Liquibase changelog that cannot be rolled back are one finding \
for the changelog, as a directory of up-only files is one. The evidence lists every migration \
and its verdict.",
    evidence: &["migrations", "reversible", "irreversible"],
    options: &[OptionSpec {
        key: "after",
        kind: OptionKind::String,
        help: "Judge only migrations whose id sorts after this one, compared on its length (\"0150\" leaves 0150_backfill alone too; \"20240101000000\"): older ones are counted, not judged.",
    }],
    items: Some(Items {
        name: "database migrations",
        globs: &[
            "**/migrations/**",
            "**/migration/**",
            "**/migrate/**",
            "**/versions/*.py",
            "**/db/**/*.sql",
        ],
    }),
};

/// At most this many migrations are listed one by one in the evidence.
const LISTED: usize = 300;

/// The directory a migration's convention is judged in: its own, or the one above when its
/// own is named for a release (`store/migration/sqlite/0.17/00__inbox.sql`, `v2/`), where every
/// release's directory follows the same convention.
fn directory(path: &str) -> &str {
    let dir = path.rsplit_once('/').map_or(".", |(dir, _)| dir);
    let (parent, last) = dir.rsplit_once('/').unwrap_or((".", dir));
    let release = last.strip_prefix(['v', 'V']).unwrap_or(last);
    let versioned = !release.is_empty()
        && release.starts_with(|c: char| c.is_ascii_digit())
        && release.contains('.')
        && release.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if versioned { parent } else { dir }
}

/// How a grouped finding names a migration: its id, under its release directory when the group
/// spans several (`0.17/00__inbox`).
fn label<'a>(migration: &'a Migration, group_dir: &str) -> std::borrow::Cow<'a, str> {
    let own = migration.path.rsplit_once('/').map_or(".", |(dir, _)| dir);
    match own
        .strip_prefix(group_dir)
        .and_then(|rest| rest.strip_prefix('/'))
    {
        Some(release) => format!("{release}/{}", migration.id).into(),
        None => migration.id.as_str().into(),
    }
}

/// Whether an irreversible verdict is the convention of its directory rather than one
/// migration's mistake: every migration there lacks its down step.
fn missing_down(verdict: &Verdict) -> bool {
    matches!(verdict, Verdict::Irreversible { reason, .. } if reason.starts_with("no ") || reason.starts_with("an up migration"))
}

/// How the evidence names a migration: its file, and for a changelog the changeset in it.
fn listed_name(migration: &Migration) -> String {
    if migration.framework == Framework::Liquibase {
        format!("{}#{}", migration.path, migration.id)
    } else {
        migration.path.clone()
    }
}

impl Gate for MigrationsReversible {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let after = match cx.option("after") {
            Some(OptionValue::String(id)) => Some(id.clone()),
            _ => None,
        };
        let paths: Vec<String> = cx.repo().files()?.to_vec();
        let mut judged: Vec<Migration> = Vec::new();
        let (mut outside, mut before) = (0, 0);
        let mut not_judged: BTreeMap<&str, u64> = BTreeMap::new();
        for candidate in migrations::candidates(&paths) {
            if !crate::paths::deployed(&candidate.path) {
                outside += 1;
                continue;
            }
            if after
                .as_deref()
                // `after = "0002"` leaves `0002_index` alone too: ids compare on its length.
                .is_some_and(|after| {
                    candidate.id.get(..after.len()).unwrap_or(&candidate.id) <= after
                })
            {
                before += 1;
                continue;
            }
            let Some(up) = crate::support::read_parsed_into(cx, out, &candidate.path)? else {
                continue;
            };
            let down = match &candidate.down {
                Some(path) => crate::support::read_parsed_into(cx, out, path)?,
                None => None,
            };
            let up = harden_engine::lossy_text(&up);
            let down = down.map(|d| harden_engine::lossy_text(&d).into_owned());
            for migration in migrations::judge(&candidate, &up, down.as_deref()) {
                if migration.verdict == Verdict::NotJudged(migrations::UNPARSED) {
                    out.not_examined(&migration.path, migrations::UNPARSED);
                } else if let Verdict::NotJudged(why) = migration.verdict {
                    *not_judged.entry(why).or_default() += 1;
                } else {
                    judged.push(migration);
                }
            }
        }
        if outside > 0 {
            out.count(
                "migrations in tests, docs or vendored code (not judged)",
                outside,
            );
        }
        for (why, n) in not_judged {
            out.count(&format!("{why} (not judged)"), n);
        }
        if before > 0 {
            out.count("migrations up to `after` (not judged)", before);
        }
        if judged.is_empty() {
            return Ok(());
        }
        judged.sort_by(|a, b| a.path.cmp(&b.path));
        out.examined("migrations", judged.len() as u64);
        let mut by_framework: BTreeMap<&str, u64> = BTreeMap::new();
        for migration in &judged {
            *by_framework.entry(migration.framework.name()).or_default() += 1;
        }
        out.fact(
            "frameworks",
            by_framework
                .iter()
                .map(|(name, n)| format!("{name}: {n}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        let listed: Vec<String> = judged
            .iter()
            .take(LISTED)
            .map(|m| {
                let verdict = match &m.verdict {
                    Verdict::Reversible => "reversible".to_owned(),
                    Verdict::Irreversible { reason, .. } => format!("irreversible: {reason}"),
                    Verdict::NoDownByDesign => "no down step by design".to_owned(),
                    Verdict::NotJudged(why) => format!("not judged: {why}"),
                };
                format!("{}: {verdict}", listed_name(m))
            })
            .collect();
        let more = judged.len().saturating_sub(LISTED);
        out.fact(
            "verdicts",
            if more > 0 {
                format!("{}; and {more} more", listed.join("; "))
            } else {
                listed.join("; ")
            },
        );
        let reversible = judged
            .iter()
            .filter(|m| m.verdict == Verdict::Reversible)
            .count();
        out.add("reversible", reversible as u64);
        // A directory whose every migration lacks its down step follows a convention: one
        // finding for it, not one per file.
        let mut directories: BTreeMap<(&str, Framework), Vec<&Migration>> = BTreeMap::new();
        for migration in &judged {
            directories
                .entry((directory(&migration.path), migration.framework))
                .or_default()
                .push(migration);
        }
        let mut irreversible = 0u64;
        let mut prisma: Vec<&Migration> = Vec::new();
        for ((dir, framework), group) in &directories {
            if *framework == Framework::Prisma {
                prisma.extend(group.iter().copied());
                continue;
            }
            let without_down: Vec<&&Migration> =
                group.iter().filter(|m| missing_down(&m.verdict)).collect();
            if group.len() > 1 && without_down.len() == group.len() {
                irreversible += group.len() as u64;
                // Releases in their numeric order (`0.9` before `0.10`), then ids.
                let order = |m: &&&Migration| {
                    let label = label(m, dir);
                    let release: Vec<u64> = label
                        .split_once('/')
                        .map(|(release, _)| {
                            release
                                .trim_start_matches(['v', 'V'])
                                .split('.')
                                .map(|n| n.parse().unwrap_or(0))
                                .collect()
                        })
                        .unwrap_or_default();
                    (release, m.id.clone())
                };
                let first = group.iter().min_by_key(order).unwrap_or(&group[0]);
                let last = group.iter().max_by_key(order).unwrap_or(&group[0]);
                out.finding(
                    cx.finding(
                        format!(
                            "none of the {} {} migrations in {dir}/ has a down step ({} to {}): a release with them cannot be rolled back",
                            group.len(),
                            framework.name(),
                            label(first, dir),
                            label(last, dir)
                        ),
                        crate::support::span_location(&first.path, crate::support::point(1, 1)),
                    )
                    .identity(format!("directory:{dir}:{}", framework.name()))
                    .help("write the down step of each migration from now on (and set `after` to the last one that has none), or document the recovery in the migration-recovery runbook and waive this with a reason")
                    .build(),
                );
                continue;
            }
            if *framework == Framework::Liquibase {
                irreversible += liquibase_findings(cx, out, group);
                continue;
            }
            for migration in group {
                if let Verdict::Irreversible { reason, line } = &migration.verdict {
                    irreversible += 1;
                    out.finding(
                        cx.finding(
                            format!(
                                "{} migration {} cannot be rolled back: {reason}",
                                framework.name(),
                                migration.id
                            ),
                            crate::support::span_location(&migration.path, crate::support::point(*line, 1)),
                        )
                        .identity(format!("migration:{}", migration.path))
                        .help("write its down step (for data migrations, the inverse transformation or an explicit no-op the team agreed on)")
                        .build(),
                    );
                }
            }
        }
        if !prisma.is_empty() {
            if let Some(runbook) = crate::r7::runbooks::migration_recovery(cx) {
                out.fact(
                    "Prisma",
                    format!(
                        "{} migrations without down steps (Prisma writes none); recovery documented in {runbook}",
                        prisma.len()
                    ),
                );
            } else {
                irreversible += prisma.len() as u64;
                out.finding(
                    cx.finding(
                        format!(
                            "{} Prisma migrations have no down steps (Prisma writes none) and no migration-recovery runbook says how to recover",
                            prisma.len()
                        ),
                        crate::support::span_location(&prisma[0].path, crate::support::point(1, 1)),
                    )
                    .identity("prisma:recovery")
                    .help("write docs/runbooks/migration-recovery.md (how to restore, how to write and apply a corrective migration), or set `[runbooks] migration-recovery`")
                    .build(),
                );
            }
        }
        out.add("irreversible", irreversible);
        Ok(())
    }
}

/// Findings for the Liquibase changesets of `group`, changelog by changelog: a changeset that
/// cannot be rolled back is one finding, several in one changelog are one (a release's changelog
/// is written, reviewed and frozen as a whole: openmrs-core's of 2008-2011 hold 267 such
/// changesets, which no one will roll back one by one). Returns how many cannot be rolled back.
fn liquibase_findings(cx: &GateCx<'_>, out: &mut GateOutput, group: &[&Migration]) -> u64 {
    let mut changelogs: BTreeMap<&str, Vec<&Migration>> = BTreeMap::new();
    for migration in group {
        changelogs
            .entry(&migration.path)
            .or_default()
            .push(migration);
    }
    let mut irreversible = 0u64;
    for (path, changesets) in changelogs {
        let stuck: Vec<(&Migration, &String, u32)> = changesets
            .iter()
            .filter_map(|m| match &m.verdict {
                Verdict::Irreversible { reason, line } => Some((*m, reason, *line)),
                _ => None,
            })
            .collect();
        let Some(&(first, reason, line)) = stuck.first() else {
            continue;
        };
        irreversible += stuck.len() as u64;
        let message = if stuck.len() == 1 {
            format!(
                "Liquibase changeset {} cannot be rolled back: {reason}",
                first.id
            )
        } else {
            let (last, _, last_line) = stuck[stuck.len() - 1];
            format!(
                "{} of the {} Liquibase changesets of this changelog cannot be rolled back ({} to {} at line {last_line}); {}: {reason}",
                stuck.len(),
                changesets.len(),
                first.id,
                last.id,
                first.id
            )
        };
        out.finding(
            cx.finding(
                message,
                crate::support::span_location(path, crate::support::point(line, 1)),
            )
            .identity(if stuck.len() == 1 {
                format!("migration:{path}#{}", first.id)
            } else {
                format!("changelog:{path}")
            })
            .help(if stuck.len() == 1 {
                "write its rollback block (for data changes, the inverse statements or an explicit empty rollback the team agreed on)"
            } else {
                "write a rollback block for each (the evidence lists them), or, for the changelog of a release no one will roll back to, document the recovery in the migration-recovery runbook and waive this with a reason"
            })
            .build(),
        );
    }
    irreversible
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_directories_are_judged_with_their_parent() {
        for (path, judged_in) in [
            (
                "store/migration/sqlite/0.17/00__inbox.sql",
                "store/migration/sqlite",
            ),
            ("db/migrations/v2.1/001_users.sql", "db/migrations"),
            (
                "service/db/migrations/0001_init.sql",
                "service/db/migrations",
            ),
            // A timestamped migration's own directory (Prisma) is no release.
            (
                "prisma/migrations/20240106000000_init/migration.sql",
                "prisma/migrations/20240106000000_init",
            ),
            ("migrations/2/001.sql", "migrations/2"),
        ] {
            assert_eq!(directory(path), judged_in, "{path}");
        }
    }
}
