//! Liquibase changelogs (XML, YAML, JSON and formatted SQL): every changeset is a migration.
//!
//! A changeset can be undone when it has a rollback block that does something, or when every
//! change in it is one Liquibase inverts by itself (`createTable` is undone by dropping the
//! table; `dropTable`, `sql` or `update` are not). Formatted SQL changesets are never inverted
//! automatically: each needs its `--rollback`. An empty rollback block (`<rollback/>`, a
//! `--rollback` with nothing after it, a block holding only `empty`) undoes nothing.

use quick_xml::events::{BytesStart, Event};

use super::{Candidate, Framework, Migration, Verdict, line_of};
use crate::xml::attribute;
use crate::yaml::{self, Node, Value};

/// Change types Liquibase knows how to invert without a rollback block (the changes that
/// implement an inverse in Liquibase's own change classes). Anything else (drops, `sql`,
/// `sqlFile`, data changes, `modifyDataType`, extension changes) needs an explicit rollback.
const INVERTIBLE: &[&str] = &[
    "addColumn",
    "addDefaultValue",
    "addForeignKeyConstraint",
    "addLookupTable",
    "addNotNullConstraint",
    "addPrimaryKey",
    "addUniqueConstraint",
    "createIndex",
    "createSequence",
    "createTable",
    "createView",
    "dropNotNullConstraint",
    "renameColumn",
    "renameSequence",
    "renameTable",
    "renameView",
    "tagDatabase",
    // Deletes the rows it loaded, by primary key.
    "loadUpdateData",
    "empty",
    "output",
    // A custom change may implement its own rollback (`CustomTaskRollback`); whether it does
    // is in Java code this parser does not read, so it gets the benefit of the doubt.
    "customChange",
];

/// Contexts that name development or test environments: a changeset limited to them is never
/// applied in production (JHipster's sample data runs under `faker`).
const DEVELOPMENT_CONTEXTS: &[&str] = &[
    "dev",
    "development",
    "local",
    "test",
    "tests",
    "testing",
    "e2e",
    "it",
    "faker",
    "demo",
    "sample",
    "samples",
];

/// Whether a context expression (`faker`, `dev, test`, `dev or e2e`) selects only development
/// or test environments. A negation (`!test`) runs everywhere else, so it does not.
fn development_only(expression: &str) -> bool {
    let terms: Vec<&str> = expression
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')'))
        .filter(|t| {
            !t.is_empty() && !t.eq_ignore_ascii_case("or") && !t.eq_ignore_ascii_case("and")
        })
        .collect();
    !terms.is_empty()
        && terms.iter().all(|term| {
            DEVELOPMENT_CONTEXTS
                .iter()
                .any(|c| c.eq_ignore_ascii_case(term))
        })
}

/// Children of a changeset that are not changes.
const NOT_CHANGES: &[&str] = &[
    "comment",
    "preConditions",
    "precondition",
    "validCheckSum",
    "modifySql",
    "id",
    "author",
    "context",
    "contextFilter",
    "labels",
    "dbms",
    "runAlways",
    "runOnChange",
    "failOnError",
    "runInTransaction",
    "objectQuotingStrategy",
    "created",
    "ignore",
    "logicalFilePath",
    "runOrder",
];

/// What a changeset says about its way back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rollback {
    Absent,
    /// Written, but undoes nothing.
    Empty,
    Present,
}

#[derive(Debug)]
struct Changeset {
    id: String,
    author: String,
    line: u32,
    changes: Vec<String>,
    rollback: Rollback,
    rollback_line: u32,
    /// Its `context` or `contextFilter` expression.
    contexts: String,
}

/// Whether `text` is a Liquibase changelog at all: the root element or key, or the formatted
/// SQL header.
pub(super) fn is_changelog(text: &str) -> bool {
    text.contains("databaseChangeLog") || formatted_sql_header(text)
}

fn formatted_sql_header(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .and_then(|line| line.strip_prefix("--"))
        .is_some_and(|rest| {
            rest.trim_start()
                .to_ascii_lowercase()
                .starts_with("liquibase formatted sql")
        })
}

/// The changesets of a changelog and each one's verdict. `None` when the file is not a
/// Liquibase changelog or cannot be parsed as one.
pub(super) fn judge(candidate: &Candidate, text: &str) -> Option<Vec<Migration>> {
    let (changesets, sql) = if formatted_sql_header(text) {
        (formatted_sql(text), true)
    } else if text.trim_start().starts_with('<') {
        (xml(text)?, false)
    } else {
        (yaml_or_json(text)?, false)
    };
    Some(
        changesets
            .into_iter()
            .map(|set| Migration {
                framework: Framework::Liquibase,
                path: candidate.path.clone(),
                verdict: verdict(&set, sql),
                id: format!("{}:{}", set.author, set.id),
            })
            .collect(),
    )
}

fn verdict(set: &Changeset, sql: bool) -> Verdict {
    if development_only(&set.contexts) {
        return Verdict::NotJudged("changesets for development or test contexts only");
    }
    // `liquibase generate-changelog` signs what it writes `<user> (generated)`: a snapshot of an
    // existing database that new installations start from. Nothing comes before a baseline,
    // so there is nothing to roll back to.
    if set.author.trim_end().ends_with("(generated)") {
        return Verdict::NotJudged("changesets of a baseline generated from a database");
    }
    match set.rollback {
        Rollback::Present => Verdict::Reversible,
        Rollback::Empty => Verdict::Irreversible {
            reason: "its rollback block is empty (it undoes nothing)".into(),
            line: set.rollback_line,
        },
        Rollback::Absent if sql => Verdict::Irreversible {
            reason: "no `--rollback` (formatted SQL changesets have no automatic rollback)".into(),
            line: set.line,
        },
        Rollback::Absent => {
            let mut manual: Vec<&str> = set
                .changes
                .iter()
                .map(String::as_str)
                .filter(|change| !INVERTIBLE.contains(change))
                .collect();
            manual.sort_unstable();
            manual.dedup();
            if manual.is_empty() {
                Verdict::Reversible
            } else {
                Verdict::Irreversible {
                    reason: format!(
                        "no rollback block, and Liquibase cannot invert {} by itself",
                        manual
                            .iter()
                            .map(|change| format!("`{change}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    line: set.line,
                }
            }
        }
    }
}

/// `--changeset author:id ...` opens a changeset; `--rollback ...` lines and
/// `/* liquibase rollback ... */` blocks are its way back.
fn formatted_sql(text: &str) -> Vec<Changeset> {
    let mut sets: Vec<Changeset> = Vec::new();
    let mut in_block_rollback = false;
    for (index, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let line = raw.trim();
        // A block left open ends where the next changeset starts, not at the end of the file.
        if in_block_rollback
            && line
                .strip_prefix("--")
                .is_some_and(|c| strip_word(c.trim_start(), "changeset").is_some())
        {
            in_block_rollback = false;
        }
        if in_block_rollback {
            let (body, closed) = match line.split_once("*/") {
                Some((body, _)) => (body, true),
                None => (line, false),
            };
            if let Some(set) = sets.last_mut()
                && !body.trim().is_empty()
            {
                set.rollback = Rollback::Present;
            }
            in_block_rollback = !closed;
            continue;
        }
        let comment = line.strip_prefix("--").map(str::trim_start);
        if let Some(rest) = comment.and_then(|c| strip_word(c, "changeset")) {
            let name = rest.split_whitespace().next().unwrap_or("");
            let (author, id) = name.split_once(':').unwrap_or(("", name));
            // `context:dev` or `contextFilter:"dev or test"`, among the other attributes.
            let contexts = rest
                .split_once("context:")
                .or_else(|| rest.split_once("contextFilter:"))
                .map_or("", |(_, value)| match value.strip_prefix('"') {
                    Some(quoted) => quoted.split('"').next().unwrap_or(""),
                    None => value.split_whitespace().next().unwrap_or(""),
                });
            sets.push(Changeset {
                id: id.to_owned(),
                author: author.to_owned(),
                line: line_no,
                changes: Vec::new(),
                rollback: Rollback::Absent,
                rollback_line: line_no,
                contexts: contexts.to_owned(),
            });
        } else if let Some(rest) = comment.and_then(|c| strip_word(c, "rollback")) {
            if let Some(set) = sets.last_mut() {
                if set.rollback == Rollback::Absent {
                    set.rollback_line = line_no;
                }
                let said = rest.trim();
                if !said.is_empty() && !said.eq_ignore_ascii_case("empty") {
                    set.rollback = Rollback::Present;
                } else if set.rollback == Rollback::Absent {
                    set.rollback = Rollback::Empty;
                }
            }
        } else if let Some(rest) = line.strip_prefix("/*")
            && let Some(rest) = strip_word(rest.trim_start(), "liquibase")
            && let Some(rest) = strip_word(rest.trim_start(), "rollback")
            && let Some(set) = sets.last_mut()
        {
            if set.rollback == Rollback::Absent {
                set.rollback = Rollback::Empty;
                set.rollback_line = line_no;
            }
            let (body, closed) = match rest.split_once("*/") {
                Some((body, _)) => (body, true),
                None => (rest, false),
            };
            if !body.trim().is_empty() {
                set.rollback = Rollback::Present;
            }
            in_block_rollback = !closed;
        }
    }
    sets
}

/// `rest` after `word` (case-insensitive) when `word` is a whole word at its start.
fn strip_word<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let head = text.get(..word.len())?;
    let rest = &text[word.len()..];
    (head.eq_ignore_ascii_case(word)
        && rest
            .chars()
            .next()
            .is_none_or(|c| c.is_whitespace() || c == ':'))
    .then_some(rest)
}

fn yaml_or_json(text: &str) -> Option<Vec<Changeset>> {
    let documents = yaml::parse(text).ok()?;
    let mut sets = Vec::new();
    for document in &documents {
        let Some(log) = document.get("databaseChangeLog") else {
            continue;
        };
        for entry in log.items() {
            let Some((key, set)) = entry.get_entry("changeSet") else {
                continue;
            };
            let text_of = |name: &str| set.get(name).and_then(Node::scalar_text);
            let changes = set
                .get("changes")
                .map(|changes| changes.items().iter().filter_map(change_name).collect())
                .unwrap_or_default();
            let (rollback, rollback_line) = match set.get_entry("rollback") {
                None => (Rollback::Absent, key.span.start.line),
                Some((key, node)) => (yaml_rollback(node), key.span.start.line),
            };
            sets.push(Changeset {
                id: text_of("id").unwrap_or_default(),
                author: text_of("author").unwrap_or_default(),
                line: key.span.start.line,
                changes,
                rollback,
                rollback_line,
                contexts: text_of("contextFilter")
                    .or_else(|| text_of("context"))
                    .unwrap_or_default(),
            });
        }
    }
    Some(sets)
}

/// The change type of one item of `changes:` (`- createTable: {...}`).
fn change_name(item: &Node) -> Option<String> {
    item.entries()
        .iter()
        .map(|(key, _)| key.text.as_str())
        .find(|name| !NOT_CHANGES.contains(name))
        .map(str::to_owned)
}

fn yaml_rollback(node: &Node) -> Rollback {
    let undoes = match &node.value {
        Value::Null => false,
        Value::Str(sql) => !sql.trim().is_empty(),
        Value::Seq(items) => items
            .iter()
            .any(|item| change_name(item).is_some_and(|name| name != "empty")),
        // A single change, or a reference to the changeset that undoes this one.
        Value::Map(entries) => entries.iter().any(|(key, _)| key.text != "empty"),
        Value::Bool(_) | Value::Int(_) | Value::Float(_) => true,
    };
    if undoes {
        Rollback::Present
    } else {
        Rollback::Empty
    }
}

fn local_name(element: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(element.local_name().as_ref()).into_owned()
}

/// The open changeset of an XML changelog while its elements are read.
struct OpenSet {
    set: Changeset,
    /// Element depth of the `<changeSet>` itself.
    depth: usize,
    /// Depth of an open `<rollback>`, and whether anything in it undoes something.
    rollback: Option<(usize, bool)>,
    /// Depth of an open `<comment>` inside the rollback: its text undoes nothing.
    comment: Option<usize>,
}

/// Text inside an open rollback block (not in its comment) makes it undo something.
fn mark_undoing(open: &mut Option<OpenSet>, body: &[u8]) {
    if let Some(OpenSet {
        rollback: Some((_, undoes)),
        comment: None,
        ..
    }) = open
        && !body.iter().all(u8::is_ascii_whitespace)
    {
        *undoes = true;
    }
}

fn xml(text: &str) -> Option<Vec<Changeset>> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut sets = Vec::new();
    let mut open: Option<OpenSet> = None;
    let mut depth = 0usize;
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().ok()?;
        let (element, empty) = match &event {
            Event::Start(element) => {
                depth += 1;
                (element, false)
            }
            Event::Empty(element) => (element, true),
            Event::End(_) => {
                if let Some(current) = &mut open {
                    if current.comment == Some(depth) {
                        current.comment = None;
                    }
                    if let Some((rollback_depth, undoes)) = current.rollback
                        && rollback_depth == depth
                    {
                        current.set.rollback = if undoes {
                            Rollback::Present
                        } else {
                            Rollback::Empty
                        };
                        current.rollback = None;
                    }
                    if current.depth == depth
                        && let Some(done) = open.take()
                    {
                        sets.push(done.set);
                    }
                }
                depth = depth.saturating_sub(1);
                continue;
            }
            // Words in a rollback (outside its comment) undo something; whitespace does not.
            Event::Text(body) => {
                mark_undoing(&mut open, body);
                continue;
            }
            Event::CData(body) => {
                mark_undoing(&mut open, body);
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = local_name(element);
        let line = line_of(text, at);
        match &mut open {
            None if name == "changeSet" => {
                let set = Changeset {
                    id: attribute(element, "id").unwrap_or_default(),
                    author: attribute(element, "author").unwrap_or_default(),
                    line,
                    changes: Vec::new(),
                    rollback: Rollback::Absent,
                    rollback_line: line,
                    contexts: attribute(element, "contextFilter")
                        .or_else(|| attribute(element, "context"))
                        .unwrap_or_default(),
                };
                if empty {
                    sets.push(set);
                } else {
                    open = Some(OpenSet {
                        set,
                        depth,
                        rollback: None,
                        comment: None,
                    });
                }
            }
            None => {}
            Some(current) => {
                if let Some((_, undoes)) = &mut current.rollback {
                    if name == "comment" {
                        if !empty {
                            current.comment = Some(depth);
                        }
                    } else if name != "empty" {
                        *undoes = true;
                    }
                    continue;
                }
                // A direct child: one level below the changeset (an empty element is not
                // counted in `depth`).
                let child = if empty {
                    depth == current.depth
                } else {
                    depth == current.depth + 1
                };
                if !child {
                    continue;
                }
                if name == "rollback" {
                    // `<rollback changeSetId=".." changeSetAuthor=".."/>` reruns the
                    // changeset that undoes this one.
                    let refers = attribute(element, "changeSetId").is_some();
                    current.set.rollback_line = line;
                    if empty {
                        current.set.rollback = if refers {
                            Rollback::Present
                        } else {
                            Rollback::Empty
                        };
                    } else {
                        current.rollback = Some((depth, refers));
                    }
                } else if !NOT_CHANGES.contains(&name.as_str()) {
                    current.set.changes.push(name);
                }
            }
        }
    }
    Some(sets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(path: &str, text: &str) -> Vec<(String, Verdict)> {
        let candidate = Candidate {
            framework: Framework::Liquibase,
            path: path.into(),
            down: None,
            id: "changelog".into(),
        };
        judge(&candidate, text)
            .unwrap()
            .into_iter()
            .map(|m| (m.id, m.verdict))
            .collect()
    }

    fn irreversible_at(verdict: &Verdict) -> Option<u32> {
        match verdict {
            Verdict::Irreversible { line, .. } => Some(*line),
            _ => None,
        }
    }

    #[test]
    fn xml_changesets_with_automatic_explicit_empty_and_missing_rollbacks() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
  <changeSet id="1" author="ana">
    <comment>users</comment>
    <createTable tableName="users">
      <column name="id" type="bigint"/>
    </createTable>
  </changeSet>
  <changeSet id="2" author="ana">
    <dropColumn tableName="users" columnName="nickname"/>
  </changeSet>
  <changeSet id="3" author="ana">
    <sql>UPDATE users SET active = true</sql>
    <rollback>
      <sql>UPDATE users SET active = false</sql>
    </rollback>
  </changeSet>
  <changeSet id="4" author="ana">
    <dropTable tableName="legacy"/>
    <rollback/>
  </changeSet>
  <changeSet id="5" author="ana">
    <dropTable tableName="old"/>
    <rollback changeSetId="1" changeSetAuthor="ana"/>
  </changeSet>
  <changeSet id="6" author="ana">
    <sql>DELETE FROM sessions</sql>
    <rollback><!-- nothing --><empty/></rollback>
  </changeSet>
  <changeSet id="7" author="ana">
    <sql>DELETE FROM carts</sql>
    <rollback><comment>carts cannot come back</comment></rollback>
  </changeSet>
</databaseChangeLog>
"#;
        let verdicts = judged("db/changelog/changes.xml", text);
        let ids: Vec<&str> = verdicts.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "ana:1", "ana:2", "ana:3", "ana:4", "ana:5", "ana:6", "ana:7"
            ]
        );
        let lines: Vec<Option<u32>> = verdicts.iter().map(|(_, v)| irreversible_at(v)).collect();
        assert_eq!(
            lines,
            [None, Some(9), None, Some(20), None, Some(28), Some(32)]
        );
        let Verdict::Irreversible { reason, .. } = &verdicts[1].1 else {
            unreachable!()
        };
        assert!(reason.contains("`dropColumn`"), "{reason}");
    }

    #[test]
    fn yaml_and_json_changesets() {
        let text = "databaseChangeLog:
  - include:
      file: other.yaml
  - changeSet:
      id: create-users
      author: bo
      changes:
        - createTable:
            tableName: users
            columns:
              - column: {name: id, type: bigint}
  - changeSet:
      id: drop-legacy
      author: bo
      changes:
        - dropTable:
            tableName: legacy
  - changeSet:
      id: backfill
      author: bo
      changes:
        - sql: UPDATE users SET active = true
      rollback: UPDATE users SET active = false
  - changeSet:
      id: purge
      author: bo
      changes:
        - delete: {tableName: sessions}
      rollback: []
";
        let verdicts = judged(
            "src/main/resources/db/changelog/db.changelog-master.yaml",
            text,
        );
        let lines: Vec<(&str, Option<u32>)> = verdicts
            .iter()
            .map(|(id, v)| (id.as_str(), irreversible_at(v)))
            .collect();
        assert_eq!(
            lines,
            [
                ("bo:create-users", None),
                ("bo:drop-legacy", Some(12)),
                ("bo:backfill", None),
                ("bo:purge", Some(29)),
            ]
        );
        let json = r#"{"databaseChangeLog": [
  {"changeSet": {"id": "1", "author": "cy", "changes": [{"addColumn": {"tableName": "t"}}]}},
  {"changeSet": {"id": "2", "author": "cy", "changes": [{"modifyDataType": {"tableName": "t"}}]}}
]}"#;
        let verdicts = judged("db/changelog/changes.json", json);
        assert_eq!(verdicts[0].1, Verdict::Reversible);
        assert_eq!(irreversible_at(&verdicts[1].1), Some(3));
    }

    #[test]
    fn formatted_sql_needs_a_rollback_per_changeset() {
        let text = "-- liquibase formatted sql

--changeset dee:1 labels:core
CREATE TABLE users (id bigint);
--rollback DROP TABLE users;

--changeset dee:2
CREATE INDEX users_id ON users (id);

--changeset dee:3
ALTER TABLE users ADD COLUMN nickname text;
--rollback

--changeset dee:4
UPDATE users SET nickname = 'x';
/* liquibase rollback
UPDATE users SET nickname = NULL;
*/
";
        let verdicts = judged("db/changelog/001-users.sql", text);
        let lines: Vec<(&str, Option<u32>)> = verdicts
            .iter()
            .map(|(id, v)| (id.as_str(), irreversible_at(v)))
            .collect();
        assert_eq!(
            lines,
            [
                ("dee:1", None),
                ("dee:2", Some(7)),
                ("dee:3", Some(12)),
                ("dee:4", None),
            ]
        );
    }

    #[test]
    fn changesets_for_development_contexts_and_generated_baselines_are_not_judged() {
        let xml = r#"<databaseChangeLog>
  <changeSet id="1-data" author="gen" context="faker">
    <loadData file="fake-data/users.csv" tableName="users"/>
  </changeSet>
  <changeSet id="2" author="gen" contextFilter="!test">
    <dropTable tableName="legacy"/>
  </changeSet>
  <changeSet id="1616003711789-3" author="ana (generated)">
    <insert tableName="role"><column name="role" value="admin"/></insert>
  </changeSet>
</databaseChangeLog>"#;
        let verdicts = judged("db/changelog/users.xml", xml);
        assert!(matches!(verdicts[2].1, Verdict::NotJudged(why) if why.contains("baseline")));
        assert!(matches!(verdicts[0].1, Verdict::NotJudged(_)));
        assert!(matches!(verdicts[1].1, Verdict::Irreversible { .. }));
        let sql = "--liquibase formatted sql\n--changeset gen:3 contextFilter:\"dev or e2e\"\nDELETE FROM t;\n--changeset gen:4 context:prod\nDELETE FROM t;\n";
        let verdicts = judged("db/changelog/data.sql", sql);
        assert!(matches!(verdicts[0].1, Verdict::NotJudged(_)));
        assert!(matches!(verdicts[1].1, Verdict::Irreversible { .. }));
        assert!(development_only("dev, test"));
        assert!(!development_only(""));
        assert!(!development_only("dev or production"));
    }

    #[test]
    fn an_unclosed_rollback_block_ends_at_the_next_changeset() {
        let text = "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE t (id int);\n/* liquibase rollback\nDROP TABLE t;\n--changeset a:2\nDELETE FROM t;\n";
        let verdicts = judged("db/changelog/x.sql", text);
        assert_eq!(verdicts.len(), 2);
        assert_eq!(verdicts[0].1, Verdict::Reversible);
        assert_eq!(irreversible_at(&verdicts[1].1), Some(6));
    }

    #[test]
    fn not_a_changelog() {
        assert!(!is_changelog(
            "<project><modelVersion>4.0.0</modelVersion></project>"
        ));
        assert!(!is_changelog("-- just sql\nSELECT 1;"));
        assert!(is_changelog("\n--liquibase formatted sql\n"));
        let candidate = Candidate {
            framework: Framework::Liquibase,
            path: "db/changelog/broken.xml".into(),
            down: None,
            id: "broken".into(),
        };
        assert!(
            judge(
                &candidate,
                "<databaseChangeLog><changeSet></databaseChangeLog>"
            )
            .is_none()
        );
    }
}
