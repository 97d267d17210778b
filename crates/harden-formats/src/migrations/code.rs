//! Migrations written as code: Alembic (Python), Knex and Sequelize (JavaScript, TypeScript),
//! SeaORM (Rust). Each is judged by the body of its down function, read with just enough of the
//! language to find where the body starts and ends (strings and comments skipped).

use super::{Verdict, line_of};

// ---------------------------------------------------------------------------------------------
// Python

/// The body lines of `def name(...)` at any indentation, and the 1-based line of the `def`.
pub(super) fn python_function<'t>(text: &'t str, name: &str) -> Option<(u32, Vec<&'t str>)> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|line| {
        let trimmed = line.trim_start();
        let trimmed = trimmed.strip_prefix("async ").unwrap_or(trimmed);
        trimmed
            .strip_prefix("def ")
            .and_then(|rest| rest.trim_start().strip_prefix(name))
            .is_some_and(|rest| rest.trim_start().starts_with('('))
    })?;
    let indent = lines[start].len() - lines[start].trim_start().len();
    // A signature may span lines: the body starts after the line that ends it with `:`.
    let mut first = start;
    while first < lines.len() && !lines[first].trim_end().ends_with(':') {
        first += 1;
    }
    let body = lines
        .iter()
        .skip(first + 1)
        .take_while(|line| line.trim().is_empty() || line.len() - line.trim_start().len() > indent)
        .copied()
        .collect();
    Some((u32::try_from(start + 1).unwrap_or(u32::MAX), body))
}

/// What a Python body does, statement by statement: `None` if something, else why nothing
/// (`pass`, `...`, only a docstring and comments, or a `raise`).
pub(super) fn python_body_is_empty(body: &[&str]) -> Option<&'static str> {
    let mut statements = Vec::new();
    let mut in_docstring: Option<&str> = None;
    for line in body {
        let line = line.trim();
        if let Some(quote) = in_docstring {
            if line.contains(quote) {
                in_docstring = None;
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(quote) = ["\"\"\"", "'''"].iter().find(|q| line.starts_with(**q)) {
            // A docstring: to its closing quotes, on this line or a later one.
            if line.len() < 6 || !line[3..].contains(quote) {
                in_docstring = Some(quote);
            }
            continue;
        }
        statements.push(line);
    }
    if statements.is_empty() {
        return Some("is empty");
    }
    if statements.iter().all(|s| *s == "pass" || *s == "...") {
        return Some("only passes");
    }
    if statements
        .first()
        .is_some_and(|s| s.starts_with("raise ") || *s == "raise")
    {
        return Some("raises");
    }
    None
}

pub(super) fn judge_alembic(text: &str) -> Option<Verdict> {
    python_function(text, "upgrade")?;
    Some(match python_function(text, "downgrade") {
        None => Verdict::Irreversible {
            reason: "no downgrade()".into(),
            line: 1,
        },
        Some((line, body)) => match python_body_is_empty(&body) {
            Some(why) => Verdict::Irreversible {
                reason: format!("downgrade() {why}"),
                line,
            },
            None => Verdict::Reversible,
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Brace languages

/// The byte range of the `{...}` block opening at `open` (the `{`), strings and comments
/// skipped; `rust` reads `'` as a lifetime, not a string.
fn block(text: &str, open: usize, rust: bool) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(bytes.len(), |n| i + n + 4);
                continue;
            }
            quote @ (b'"' | b'`' | b'\'') if quote != b'\'' || !rust => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some((open + 1, i));
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `text` without comments, trimmed.
fn without_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, next)| next);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, next)| next);
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out.trim().to_owned()
}

/// Why a down body does nothing, if it does nothing.
fn code_body_is_empty(body: &str) -> Option<&'static str> {
    let code = without_comments(body);
    let statements: Vec<&str> = code
        .split([';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let nothing = |s: &&str| {
        matches!(
            *s,
            "return" | "return Promise.resolve()" | "return null" | "return undefined" | "Ok(())"
        )
    };
    if statements.is_empty() || statements.iter().all(nothing) {
        return Some("is empty");
    }
    let raising = |s: &&str| {
        s.starts_with("throw ")
            || ["todo!(", "unimplemented!(", "panic!("]
                .iter()
                .any(|m| s.starts_with(m))
    };
    // Raising first thing: the down step always fails. A `throw` further in (re-throwing an
    // error a loop collected) is code that runs.
    if statements.first().is_some_and(raising) {
        return Some("raises");
    }
    None
}

/// Where a JavaScript module defines `name` (`exports.down =`, `export async function down(`,
/// `down: async (...) =>`, `async down(...) {`): the offset just after the name.
fn js_definition(text: &str, name: &str) -> Option<usize> {
    let patterns = [
        format!("exports.{name}"),
        format!("function {name}("),
        format!("function {name} ("),
        format!("{name}:"),
        format!("{name} :"),
        format!("async {name}("),
        format!("const {name} ="),
        format!("\n  {name}("),
        format!("\n    {name}("),
    ];
    // `down:` inside `shutdown:` or `exports.downgrade` is another name: the match must stand
    // on identifier boundaries.
    let identifier = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    patterns
        .iter()
        .filter_map(|p| {
            text.match_indices(p.as_str()).find_map(|(at, _)| {
                let before_ok = p.starts_with(|c: char| !identifier(c))
                    || !text[..at].chars().next_back().is_some_and(identifier);
                let end = at + p.len();
                let after_ok =
                    !p.ends_with(identifier) || !text[end..].chars().next().is_some_and(identifier);
                (before_ok && after_ok).then_some(end)
            })
        })
        .min()
}

pub(super) fn judge_js(text: &str) -> Option<Verdict> {
    js_definition(text, "up")?;
    let Some(at) = js_definition(text, "down") else {
        return Some(Verdict::Irreversible {
            reason: "no down function".into(),
            line: 1,
        });
    };
    let line = line_of(text, at);
    // The body: a block, or an arrow function's expression.
    let brace = text[at..].find('{').map(|n| at + n);
    let arrow = text[at..].find("=>").map(|n| at + n);
    let verdict = match (arrow, brace) {
        (Some(arrow), brace) if brace.is_none_or(|b| b > arrow) => {
            let expression = text[arrow + 2..].trim_start();
            if expression.starts_with('{') {
                judge_block(
                    text,
                    arrow + 2 + (text[arrow + 2..].len() - expression.len()),
                    line,
                    false,
                )
            } else {
                let expression = expression
                    .split([',', '\n'])
                    .next()
                    .unwrap_or_default()
                    .trim();
                if matches!(
                    expression,
                    "null" | "undefined" | "Promise.resolve()" | "{}"
                ) {
                    empty(line, "is empty")
                } else {
                    Verdict::Reversible
                }
            }
        }
        (_, Some(brace)) => judge_block(text, brace, line, false),
        _ => empty(line, "has no body"),
    };
    Some(verdict)
}

fn empty(line: u32, why: &str) -> Verdict {
    Verdict::Irreversible {
        reason: format!("the down function {why}"),
        line,
    }
}

fn judge_block(text: &str, open: usize, line: u32, rust: bool) -> Verdict {
    match block(text, open, rust) {
        Some((start, end)) => match code_body_is_empty(&text[start..end]) {
            Some(why) => empty(line, why),
            None => Verdict::Reversible,
        },
        None => empty(line, "could not be read"),
    }
}

pub(super) fn judge_sea_orm(text: &str) -> Option<Verdict> {
    if !text.contains("MigrationTrait") {
        return None;
    }
    let Some(at) = text.find("fn down(") else {
        return Some(Verdict::Irreversible {
            reason: "no `fn down` (SeaORM's default down step fails)".into(),
            line: 1,
        });
    };
    let line = line_of(text, at);
    // After the signature's `->` return type, the first `{` opens the body.
    let open = text[at..].find('{').map(|n| at + n)?;
    Some(judge_block(text, open, line, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn irreversible(verdict: Option<Verdict>) -> bool {
        verdict.is_some_and(|v| matches!(v, Verdict::Irreversible { .. }))
    }

    #[test]
    fn alembic_downgrades() {
        let up = "def upgrade():\n    op.create_table('t')\n\n";
        assert_eq!(
            judge_alembic(&format!("{up}def downgrade():\n    op.drop_table('t')\n")),
            Some(Verdict::Reversible)
        );
        for down in [
            "def downgrade():\n    pass\n",
            "def downgrade() -> None:\n    \"\"\"Nothing to undo.\"\"\"\n    # see the runbook\n    pass\n",
            "def downgrade():\n    raise NotImplementedError('one way')\n",
            "def downgrade():\n    \"\"\"\n    Nothing.\n    \"\"\"\n",
        ] {
            assert!(
                irreversible(judge_alembic(&format!("{up}{down}"))),
                "{down}"
            );
        }
        assert!(irreversible(judge_alembic(up)));
        assert_eq!(judge_alembic("print('not a migration')\n"), None);
    }

    #[test]
    fn knex_and_sequelize_down_functions() {
        let reversible = [
            "exports.up = function(knex) { return knex.schema.createTable('t', t => {}); };\nexports.down = function(knex) { return knex.schema.dropTable('t'); };",
            "export async function up(knex) { await knex.schema.createTable('t', () => {}) }\nexport async function down(knex) {\n  // undo\n  await knex.schema.dropTable('t')\n}",
            "module.exports = {\n  up: async (queryInterface) => { await queryInterface.createTable('t', {}) },\n  down: (queryInterface) => queryInterface.dropTable('t'),\n};",
            "module.exports = {\n  async up(queryInterface, Sequelize) { await queryInterface.addColumn('t', 'c', {}) },\n  async down(queryInterface) { await queryInterface.removeColumn('t', 'c') },\n};",
        ];
        for text in reversible {
            assert_eq!(judge_js(text), Some(Verdict::Reversible), "{text}");
        }
        let irreversible_ones = [
            "exports.up = async (knex) => { await knex.raw('x') };\nexports.down = async () => {};",
            "export async function up(knex) { await knex.raw('x') }\nexport async function down() {\n  // cannot be undone\n}",
            "module.exports = {\n  up: async (q) => { await q.sequelize.query('x') },\n  down: async () => { throw new Error('irreversible') },\n};",
            "exports.up = function(knex) { return knex.raw('x'); };",
        ];
        for text in irreversible_ones {
            assert!(irreversible(judge_js(text)), "{text}");
        }
        // A throw after work (re-throwing what a loop collected) is not a down step that fails.
        assert_eq!(
            judge_js(
                "module.exports = {\n  up: async (q) => { await q.query('x') },\n  down: async (q) => {\n    let error;\n    for (const c of cs) { try { await q.query(c) } catch (e) { error = e } }\n    if (error) throw error;\n  },\n};"
            ),
            Some(Verdict::Reversible)
        );
        // A `{` inside a string does not end the body early.
        assert_eq!(
            judge_js(
                "exports.up = (k) => k.raw('{');\nexports.down = function (k) { return k.raw(\"}\" + 'x'); };"
            ),
            Some(Verdict::Reversible)
        );
    }

    #[test]
    fn sea_orm_down_steps() {
        let head = "use sea_orm_migration::prelude::*;\nimpl MigrationTrait for Migration {\n    async fn up(&self, m: &SchemaManager<'_>) -> Result<(), DbErr> { m.create_table(t()).await }\n";
        assert_eq!(
            judge_sea_orm(&format!(
                "{head}    async fn down(&self, m: &SchemaManager<'_>) -> Result<(), DbErr> {{\n        m.drop_table(Table::drop().table(Post::Table).to_owned()).await\n    }}\n}}\n"
            )),
            Some(Verdict::Reversible)
        );
        assert!(irreversible(judge_sea_orm(&format!(
            "{head}    async fn down(&self, _: &SchemaManager<'_>) -> Result<(), DbErr> {{\n        todo!()\n    }}\n}}\n"
        ))));
        assert!(irreversible(judge_sea_orm(&format!(
            "{head}    async fn down(&self, _: &SchemaManager<'_>) -> Result<(), DbErr> {{ Ok(()) }}\n}}\n"
        ))));
        assert!(irreversible(judge_sea_orm(&format!("{head}}}\n"))));
        assert_eq!(judge_sea_orm("fn main() {}"), None);
    }
}
