//! Database migrations of every common framework, and whether each can be undone.
//!
//! A migration is found by its framework's conventions (paths, file names, the markers in the
//! file), then judged: reversible when it has a down step that does something, irreversible
//! when the down step is missing, empty, comment-only, `pass`-only or raises. Frameworks that
//! have no down steps at all (Prisma, refinery) are reported as such: their recovery is a
//! procedure, not a file.

mod code;
mod django;
mod liquibase;
mod rails;
mod sql;

use std::collections::BTreeMap;

/// Why a changelog that names itself one was not judged: it does not parse.
pub const UNPARSED: &str = "a Liquibase changelog that does not parse";

/// A migration framework (or file convention shared by several tools).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Framework {
    /// `NNN_name.up.sql` beside `NNN_name.down.sql` (sqlx, golang-migrate, migrate-rs).
    UpDownFiles,
    /// A numbered `.sql` file in `migrations/` with no down file (sqlx simple migrations).
    SingleSql,
    /// `migrations/<version>_<name>/up.sql` and `down.sql`.
    Diesel,
    /// `V<version>__<name>.sql`, undone by `U<version>__<name>.sql`.
    Flyway,
    /// `-- +goose Up` / `-- +goose Down` sections.
    Goose,
    /// `-- migrate:up` / `-- migrate:down` sections.
    Dbmate,
    /// `versions/*.py` with `upgrade()` and `downgrade()`.
    Alembic,
    /// `<app>/migrations/NNNN_*.py`.
    Django,
    /// `db/migrate/*.rb`.
    Rails,
    /// `migrations/*.{js,ts}` exporting `up` and `down` (Knex, Sequelize, node-pg-migrate).
    Knex,
    /// `migrate/*.rs` or `migration/src/m*.rs` implementing `MigrationTrait` (SeaORM).
    SeaOrm,
    /// `prisma/migrations/*/migration.sql`: Prisma writes no down migrations.
    Prisma,
    /// Liquibase changelogs (XML, YAML, JSON, formatted SQL): one migration per changeset.
    Liquibase,
}

impl Framework {
    /// How findings and evidence name it.
    pub fn name(self) -> &'static str {
        match self {
            Self::UpDownFiles => "up/down SQL (sqlx, golang-migrate)",
            Self::SingleSql => "SQL without a down file (sqlx simple)",
            Self::Diesel => "diesel",
            Self::Flyway => "Flyway/refinery",
            Self::Goose => "goose",
            Self::Dbmate => "dbmate",
            Self::Alembic => "Alembic",
            Self::Django => "Django",
            Self::Rails => "Rails",
            Self::Knex => "Knex/Sequelize",
            Self::SeaOrm => "SeaORM",
            Self::Prisma => "Prisma",
            Self::Liquibase => "Liquibase",
        }
    }
}

/// What a migration's down step is worth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A down step that does something.
    Reversible,
    /// No usable down step: why, and the 1-based line to point at.
    Irreversible {
        /// What is missing or empty.
        reason: String,
        /// Where.
        line: u32,
    },
    /// The framework writes no down steps (Prisma): recovery is a documented procedure.
    NoDownByDesign,
    /// Not judged, and why (a Liquibase changeset for development contexts only, which
    /// production never applies; one of a baseline generated from an existing database, which
    /// nothing comes before).
    NotJudged(&'static str),
}

/// One migration and its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// Framework.
    pub framework: Framework,
    /// The migration's (up) file.
    pub path: String,
    /// Its id (version and name), for ordering and the `after` option.
    pub id: String,
    /// The verdict.
    pub verdict: Verdict,
}

/// A migration found by its path, before its files are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Framework as far as the path tells (SQL files are refined by their content).
    pub framework: Framework,
    /// The (up) file.
    pub path: String,
    /// The down file, for frameworks that keep it apart.
    pub down: Option<String>,
    /// Id.
    pub id: String,
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn in_dir_named(path: &str, names: &[&str]) -> bool {
    let dir = parent(path);
    names.iter().any(|name| file_name(dir) == *name)
}

fn starts_with_digits(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

/// The migrations among `paths` (repository files, `/`-separated), grouped with their down
/// files. Only paths are read here: what the files say is judged by [`judge`].
pub fn candidates(paths: &[String]) -> Vec<Candidate> {
    let mut out = Vec::new();
    // Up/down pairs and Flyway undo files, by the key that pairs them.
    let mut downs: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut flyway_undo: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut diesel_downs: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for path in paths {
        let name = file_name(path);
        if name == "down.sql" {
            diesel_downs.insert(path.as_str());
        }
        if let Some(stem) = name.strip_suffix(".down.sql") {
            downs.insert((parent(path).to_owned(), stem.to_owned()), path.clone());
        } else if let Some(rest) = name.strip_prefix('U').filter(|r| starts_with_digits(r))
            && let Some((version, _)) = rest.split_once("__")
            && has_extension(name, "sql")
        {
            flyway_undo.insert((parent(path).to_owned(), version.to_owned()), path.clone());
        }
    }
    for path in paths {
        let name = file_name(path);
        let dir = parent(path);
        let lower = path.to_ascii_lowercase();
        let candidate = |framework, down: Option<String>, id: &str| Candidate {
            framework,
            path: path.clone(),
            down,
            id: id.to_owned(),
        };
        if let Some(stem) = name.strip_suffix(".up.sql") {
            let down = downs.get(&(dir.to_owned(), stem.to_owned())).cloned();
            out.push(candidate(Framework::UpDownFiles, down, stem));
        } else if name == "up.sql" && in_dir_named(dir, &["migrations"]) {
            let down = format!("{dir}/down.sql");
            let down = diesel_downs.contains(down.as_str()).then_some(down);
            out.push(candidate(Framework::Diesel, down, file_name(dir)));
        } else if name == "migration.sql" && lower.contains("prisma/migrations/") {
            out.push(candidate(Framework::Prisma, None, file_name(dir)));
        } else if let Some(rest) = name.strip_prefix('V').filter(|r| starts_with_digits(r))
            && let Some((version, _)) = rest.split_once("__")
            && (has_extension(name, "sql") || has_extension(name, "rs"))
        {
            let undo = flyway_undo
                .get(&(dir.to_owned(), version.to_owned()))
                .cloned();
            out.push(candidate(Framework::Flyway, undo, &format!("V{version}")));
        } else if ["xml", "yaml", "yml", "json", "sql"]
            .iter()
            .any(|e| has_extension(name, e))
            && (lower.contains("changelog") || lower.contains("liquibase"))
        {
            // Refined by content: only files that are changelogs hold changesets.
            let id = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
            out.push(candidate(Framework::Liquibase, None, id));
        } else if has_extension(name, "sql")
            && !name.ends_with(".down.sql")
            && starts_with_digits(name)
            && lower
                .split('/')
                .any(|part| part == "migrations" || part == "migration" || part == "db")
        {
            // Refined by content: goose and dbmate keep both directions in one file.
            out.push(candidate(
                Framework::SingleSql,
                None,
                name.trim_end_matches(".sql"),
            ));
        } else if has_extension(name, "py")
            && starts_with_digits(name)
            && in_dir_named(path, &["migrations"])
        {
            out.push(candidate(
                Framework::Django,
                None,
                name.trim_end_matches(".py"),
            ));
        } else if has_extension(name, "py")
            && in_dir_named(path, &["versions"])
            && !name.starts_with("__")
        {
            out.push(candidate(
                Framework::Alembic,
                None,
                name.trim_end_matches(".py"),
            ));
        } else if has_extension(name, "rb") && lower.contains("db/migrate/") {
            out.push(candidate(
                Framework::Rails,
                None,
                name.trim_end_matches(".rb"),
            ));
        } else if [".js", ".ts", ".cjs", ".mjs"]
            .iter()
            .any(|e| name.ends_with(e))
            && !name.ends_with(".d.ts")
            && starts_with_digits(name)
            && in_dir_named(path, &["migrations", "migrate"])
        {
            let id = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
            out.push(candidate(Framework::Knex, None, id));
        } else if has_extension(name, "rs")
            && name.starts_with('m')
            && name[1..].bytes().next().is_some_and(|b| b.is_ascii_digit())
            && lower.contains("migration")
        {
            out.push(candidate(
                Framework::SeaOrm,
                None,
                name.trim_end_matches(".rs"),
            ));
        }
    }
    out
}

/// Judges a candidate from its files' text (`up`; `down` for frameworks that keep it apart):
/// one migration, or one per changeset of a Liquibase changelog. Empty when the file is not a
/// migration after all (a Python file in `versions/` without `upgrade()`, SQL without
/// statements, an XML file that is no changelog).
pub fn judge(candidate: &Candidate, up: &str, down: Option<&str>) -> Vec<Migration> {
    if candidate.framework == Framework::Liquibase
        || (candidate.framework == Framework::SingleSql && liquibase::is_changelog(up))
    {
        if liquibase::is_changelog(up) {
            // A changelog that does not parse is said so, never silently left out.
            return liquibase::judge(candidate, up).unwrap_or_else(|| {
                vec![Migration {
                    framework: Framework::Liquibase,
                    path: candidate.path.clone(),
                    id: candidate.id.clone(),
                    verdict: Verdict::NotJudged(UNPARSED),
                }]
            });
        }
        // A numbered SQL file in a directory that merely mentions a changelog
        // (`changelog-service/db/migrations/0001_init.sql`) is judged as it would be elsewhere.
        let name = file_name(&candidate.path);
        let lower = candidate.path.to_ascii_lowercase();
        if has_extension(name, "sql")
            && starts_with_digits(name)
            && lower
                .split('/')
                .any(|part| part == "migrations" || part == "migration" || part == "db")
        {
            let single = Candidate {
                framework: Framework::SingleSql,
                ..candidate.clone()
            };
            return sql::judge_single(&single, up).into_iter().collect();
        }
        return Vec::new();
    }
    judge_one(candidate, up, down).into_iter().collect()
}

fn judge_one(candidate: &Candidate, up: &str, down: Option<&str>) -> Option<Migration> {
    let verdict = match candidate.framework {
        Framework::UpDownFiles | Framework::Diesel => sql::judge_down_file(candidate, down),
        Framework::Flyway => sql::judge_flyway(candidate, down),
        // One file for both directions (goose, dbmate), or an up step alone.
        Framework::SingleSql | Framework::Goose | Framework::Dbmate => {
            return sql::judge_single(candidate, up);
        }
        Framework::Prisma => Verdict::NoDownByDesign,
        Framework::Alembic => code::judge_alembic(up)?,
        Framework::Django => django::judge(up)?,
        Framework::Rails => rails::judge(up)?,
        Framework::Knex => code::judge_js(up)?,
        Framework::SeaOrm => code::judge_sea_orm(up)?,
        Framework::Liquibase => return None,
    };
    Some(Migration {
        framework: candidate.framework,
        path: candidate.path.clone(),
        id: candidate.id.clone(),
        verdict,
    })
}

/// Whether `name` ends with `.extension`, in any case.
fn has_extension(name: &str, extension: &str) -> bool {
    std::path::Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> u32 {
    u32::try_from(text[..offset.min(text.len())].matches('\n').count() + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<String> {
        list.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn sql_beside_the_word_changelog_is_still_judged() {
        let found = candidates(&paths(&["changelog-service/db/migrations/0001_init.sql"]));
        let judged = judge(&found[0], "-- +goose Up\nCREATE TABLE t (id int);\n", None);
        assert_eq!(judged.len(), 1);
        assert_eq!(judged[0].framework, Framework::Goose);
        let plain = candidates(&paths(&["db/changelog/notes.json"]));
        assert!(judge(&plain[0], "{\"a\": 1}", None).is_empty());
        let broken = candidates(&paths(&["db/changelog/broken.xml"]));
        let judged = judge(
            &broken[0],
            "<databaseChangeLog><changeSet></databaseChangeLog>",
            None,
        );
        assert_eq!(judged[0].verdict, Verdict::NotJudged(UNPARSED));
    }

    #[test]
    fn candidates_follow_each_frameworks_layout() {
        let found = candidates(&paths(&[
            "migrations/20240101_users.up.sql",
            "migrations/20240101_users.down.sql",
            "db/migrations/2024-01-01-000000_posts/up.sql",
            "db/migrations/2024-01-01-000000_posts/down.sql",
            "src/main/resources/db/migration/V2__add_email.sql",
            "src/main/resources/db/migration/U2__add_email.sql",
            "prisma/migrations/20240101000000_init/migration.sql",
            "shop/migrations/0001_initial.py",
            "shop/migrations/__init__.py",
            "alembic/versions/3f2a_add_table.py",
            "db/migrate/20240101000000_create_users.rb",
            "migrations/20240101_create_users.js",
            "migration/src/m20240101_000001_create_table.rs",
            "src/main/resources/db/changelog/db.changelog-master.yaml",
            "src/routes/users.rs",
            "docs/migrations.md",
        ]));
        let kinds: Vec<(Framework, Option<&str>)> = found
            .iter()
            .map(|c| (c.framework, c.down.as_deref()))
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    Framework::UpDownFiles,
                    Some("migrations/20240101_users.down.sql")
                ),
                (
                    Framework::Diesel,
                    Some("db/migrations/2024-01-01-000000_posts/down.sql")
                ),
                (
                    Framework::Flyway,
                    Some("src/main/resources/db/migration/U2__add_email.sql")
                ),
                (Framework::Prisma, None),
                (Framework::Django, None),
                (Framework::Alembic, None),
                (Framework::Rails, None),
                (Framework::Knex, None),
                (Framework::SeaOrm, None),
                (Framework::Liquibase, None),
            ]
        );
    }
}
