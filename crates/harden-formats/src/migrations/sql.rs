//! SQL migrations: up/down file pairs, Flyway undo files, and goose or dbmate sections.

use super::{Candidate, Framework, Migration, Verdict, line_of};

/// Whether SQL text holds a statement: anything besides whitespace and comments.
pub(super) fn has_statement(sql: &str) -> bool {
    let mut rest = sql;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, next)| next);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, next)| next);
        } else {
            // A lone `;` (or several) is no statement either.
            return !rest
                .trim_start_matches([';', ' ', '\t', '\r', '\n'])
                .is_empty();
        }
    }
}

pub(super) fn judge_down_file(candidate: &Candidate, down: Option<&str>) -> Verdict {
    let wanted = match candidate.framework {
        Framework::Diesel => "down.sql",
        _ => "a .down.sql file",
    };
    match down {
        None => Verdict::Irreversible {
            reason: format!("no down migration ({wanted} beside it)"),
            line: 1,
        },
        Some(text) if !has_statement(text) => Verdict::Irreversible {
            reason: format!(
                "the down migration {} is empty (comments only)",
                candidate.down.as_deref().unwrap_or(wanted)
            ),
            line: 1,
        },
        Some(_) => Verdict::Reversible,
    }
}

pub(super) fn judge_flyway(candidate: &Candidate, undo: Option<&str>) -> Verdict {
    match undo {
        None => Verdict::Irreversible {
            reason: format!(
                "no undo migration (U{}__*.sql beside it)",
                candidate.id.trim_start_matches('V')
            ),
            line: 1,
        },
        Some(text) if !has_statement(text) => Verdict::Irreversible {
            reason: "the undo migration is empty (comments only)".into(),
            line: 1,
        },
        Some(_) => Verdict::Reversible,
    }
}

/// A numbered SQL file: goose (`-- +goose Down`), dbmate (`-- migrate:down`), or an up step
/// alone. `None` when it holds no statement at all (not a migration).
pub(super) fn judge_single(candidate: &Candidate, text: &str) -> Option<Migration> {
    let lower = text.to_ascii_lowercase();
    let sections = [
        (Framework::Goose, "-- +goose up", "-- +goose down"),
        (Framework::Dbmate, "-- migrate:up", "-- migrate:down"),
    ];
    let (framework, verdict) = match sections.iter().find(|(_, up, _)| lower.contains(up)) {
        Some((framework, _, down_marker)) => {
            let verdict = match lower.find(down_marker) {
                None => Verdict::Irreversible {
                    reason: format!("no `{down_marker}` section"),
                    line: 1,
                },
                Some(at) => {
                    // The down section runs to the end (goose and dbmate put it last).
                    let body = &text[at + down_marker.len()..];
                    if has_statement(body) {
                        Verdict::Reversible
                    } else {
                        Verdict::Irreversible {
                            reason: format!("the `{down_marker}` section is empty"),
                            line: line_of(text, at),
                        }
                    }
                }
            };
            (*framework, verdict)
        }
        None if has_statement(text) => (
            Framework::SingleSql,
            Verdict::Irreversible {
                reason: "an up migration with no down migration (no .down.sql beside it)".into(),
                line: 1,
            },
        ),
        None => return None,
    };
    Some(Migration {
        framework,
        path: candidate.path.clone(),
        id: candidate.id.clone(),
        verdict,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_semicolons_are_not_statements() {
        assert!(!has_statement("-- nothing to undo\n/* really */\n;\n"));
        assert!(has_statement("-- undo\nDROP TABLE users;"));
    }

    fn single(text: &str) -> Option<Migration> {
        let candidate = Candidate {
            framework: Framework::SingleSql,
            path: "migrations/0001_users.sql".into(),
            down: None,
            id: "0001_users".into(),
        };
        judge_single(&candidate, text)
    }

    #[test]
    fn goose_and_dbmate_sections() {
        let goose =
            single("-- +goose Up\nCREATE TABLE t (id int);\n-- +goose Down\nDROP TABLE t;\n")
                .unwrap();
        assert_eq!(
            (goose.framework, goose.verdict),
            (Framework::Goose, Verdict::Reversible)
        );
        let empty =
            single("-- +goose Up\nCREATE TABLE t (id int);\n\n-- +goose Down\n-- nothing\n")
                .unwrap();
        assert!(matches!(
            empty.verdict,
            Verdict::Irreversible { line: 4, .. }
        ));
        let dbmate = single("-- migrate:up\nCREATE TABLE t (id int);\n").unwrap();
        assert_eq!(dbmate.framework, Framework::Dbmate);
        assert!(matches!(dbmate.verdict, Verdict::Irreversible { .. }));
        assert!(single("-- just a comment\n").is_none());
        assert!(matches!(
            single("CREATE TABLE t (id int);").unwrap().verdict,
            Verdict::Irreversible { .. }
        ));
    }
}
