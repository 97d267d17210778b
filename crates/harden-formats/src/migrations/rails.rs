//! Rails migrations: `up` with a `down` that does something, or a `change` made only of
//! commands Rails knows how to invert (outside `reversible`/`up_only` blocks, which say what to
//! do themselves).

use super::Verdict;

/// Whether a (trimmed) Ruby line opens a block that a later `end` closes.
fn opens_block(line: &str) -> bool {
    let code = line.split(" #").next().unwrap_or(line).trim_end();
    [
        "def ", "class ", "module ", "if ", "unless ", "case ", "while ", "until ", "for ",
    ]
    .iter()
    .any(|k| code.starts_with(k))
        || code == "begin"
        || code.ends_with(" do")
        || code.ends_with(" do |t|")
        || (code.contains(" do |") && code.ends_with('|'))
}

fn closes_block(line: &str) -> bool {
    line == "end" || line.starts_with("end ") || line.starts_with("end.")
}

/// The body lines of `def name`, with the 1-based line of the `def`.
fn method<'t>(lines: &[&'t str], name: &str) -> Option<(u32, Vec<(usize, &'t str)>)> {
    let start = lines.iter().position(|l| {
        let t = l.trim();
        t == format!("def {name}")
            || t.starts_with(&format!("def {name}("))
            || t.starts_with(&format!("def {name} "))
    })?;
    let mut depth = 1usize;
    let mut body = Vec::new();
    for (index, line) in lines.iter().enumerate().skip(start + 1) {
        let trimmed = line.trim();
        if closes_block(trimmed) {
            depth -= 1;
            if depth == 0 {
                break;
            }
        } else if opens_block(trimmed) {
            depth += 1;
        }
        body.push((index, trimmed));
    }
    Some((u32::try_from(start + 1).unwrap_or(u32::MAX), body))
}

/// The top-level arguments after a command (`remove_column :users, :email, :string`).
fn argument_count(arguments: &str) -> usize {
    let mut depth = 0i32;
    let mut count = usize::from(!arguments.trim().is_empty());
    for c in arguments.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => count += 1,
            _ => {}
        }
    }
    count
}

/// Why a command in `change` cannot be inverted by Rails, if it cannot.
fn irreversible_command(line: &str, next: Option<&str>) -> Option<&'static str> {
    let (command, arguments) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let command = command.trim_end_matches('(');
    match command {
        "execute" => Some("`execute` runs SQL Rails cannot invert"),
        "change_column" => Some("`change_column` does not record the old definition"),
        "change_column_default" if !(arguments.contains("from:") && arguments.contains("to:")) => {
            Some("`change_column_default` without `from:` and `to:`")
        }
        "remove_column" if argument_count(arguments) < 3 && !arguments.contains("type:") => {
            Some("`remove_column` without the column's type")
        }
        "remove_columns" if !arguments.contains("type:") => {
            Some("`remove_columns` without `type:`")
        }
        "drop_table"
            if !line.ends_with(" do")
                && !line.contains(" do |")
                && next.is_none_or(|n| !n.starts_with("t.")) =>
        {
            Some("`drop_table` without the table's definition (a block)")
        }
        "remove_index" if !arguments.contains("column:") && argument_count(arguments) < 2 => {
            Some("`remove_index` without the column")
        }
        _ => None,
    }
}

pub(super) fn judge(text: &str) -> Option<Verdict> {
    if !text.contains("ActiveRecord::Migration") {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    if method(&lines, "up").is_some() {
        return Some(match method(&lines, "down") {
            None => Verdict::Irreversible {
                reason: "`up` without `down`".into(),
                line: 1,
            },
            Some((line, body)) => {
                let code: Vec<&str> = body
                    .iter()
                    .map(|(_, l)| *l)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .collect();
                if code.is_empty() {
                    Verdict::Irreversible {
                        reason: "`down` is empty".into(),
                        line,
                    }
                } else if code
                    .iter()
                    .any(|l| l.starts_with("raise") && l.contains("IrreversibleMigration"))
                {
                    Verdict::Irreversible {
                        reason: "`down` raises ActiveRecord::IrreversibleMigration".into(),
                        line,
                    }
                } else {
                    Verdict::Reversible
                }
            }
        });
    }
    let (_, body) = method(&lines, "change")?;
    // Inside `reversible do |dir|` or `up_only do`, the author says what happens either way.
    let mut guarded = 0usize;
    for (position, (index, line)) in body.iter().enumerate() {
        if guarded > 0 {
            if closes_block(line) {
                guarded -= 1;
            } else if opens_block(line) {
                guarded += 1;
            }
            continue;
        }
        if line.starts_with("reversible") || line.starts_with("up_only") {
            if opens_block(line) {
                guarded = 1;
            }
            continue;
        }
        let next = body.get(position + 1).map(|(_, l)| *l);
        if let Some(why) = irreversible_command(line, next) {
            return Some(Verdict::Irreversible {
                reason: format!("{why}: `change` cannot be rolled back"),
                line: u32::try_from(index + 1).unwrap_or(u32::MAX),
            });
        }
    }
    Some(Verdict::Reversible)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migration(body: &str) -> Verdict {
        judge(&format!(
            "class AddEmail < ActiveRecord::Migration[7.1]\n{body}end\n"
        ))
        .unwrap()
    }

    #[test]
    fn change_made_of_invertible_commands() {
        assert_eq!(
            migration(
                "  def change\n    add_column :users, :email, :string\n    remove_column :users, :nick, :string\n    create_table :posts do |t|\n      t.string :title\n    end\n  end\n"
            ),
            Verdict::Reversible
        );
        assert_eq!(
            migration(
                "  def change\n    reversible do |dir|\n      dir.up { execute \"UPDATE users SET a = 1\" }\n      dir.down { execute \"UPDATE users SET a = 0\" }\n    end\n  end\n"
            ),
            Verdict::Reversible
        );
        assert!(matches!(
            migration("  def change\n    remove_column :users, :nick\n  end\n"),
            Verdict::Irreversible { line: 3, .. }
        ));
        assert!(matches!(
            migration("  def change\n    execute \"UPDATE users SET a = 1\"\n  end\n"),
            Verdict::Irreversible { .. }
        ));
        assert!(matches!(
            migration("  def change\n    drop_table :legacy\n  end\n"),
            Verdict::Irreversible { .. }
        ));
        assert_eq!(
            migration(
                "  def change\n    drop_table :legacy do |t|\n      t.string :name\n    end\n  end\n"
            ),
            Verdict::Reversible
        );
    }

    #[test]
    fn up_needs_a_down_that_does_something() {
        assert_eq!(
            migration(
                "  def up\n    add_column :users, :a, :int\n  end\n\n  def down\n    remove_column :users, :a\n  end\n"
            ),
            Verdict::Reversible
        );
        assert!(matches!(
            migration(
                "  def up\n    execute \"x\"\n  end\n\n  def down\n    raise ActiveRecord::IrreversibleMigration\n  end\n"
            ),
            Verdict::Irreversible { line: 6, .. }
        ));
        assert!(matches!(
            migration("  def up\n    execute \"x\"\n  end\n"),
            Verdict::Irreversible { .. }
        ));
    }
}
