//! Django migrations: the schema operations Django can reverse by itself, and `RunPython` and
//! `RunSQL`, which it can reverse only when given the way back (`reverse_code`, `reverse_sql`,
//! or a second argument; `RunPython.noop` counts: the author said there is nothing to undo).

use super::{Verdict, line_of};

/// The arguments of the call whose `(` is at `open`, split at top-level commas, and the
/// offset after its `)`.
fn arguments(text: &str, open: usize) -> Option<(Vec<&str>, usize)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut start = open + 1;
    let mut parts = Vec::new();
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'#' => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    parts.push(&text[start..i]);
                    return Some((
                        parts
                            .into_iter()
                            .map(str::trim)
                            .filter(|p| !p.is_empty())
                            .collect(),
                        i + 1,
                    ));
                }
            }
            b',' if depth == 1 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether an argument is a keyword argument (`name=value`, not `a == b`).
fn keyword(argument: &str) -> Option<&str> {
    let (name, rest) = argument.split_once('=')?;
    let name = name.trim();
    (!rest.starts_with('=')
        && !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    .then_some(name)
}

pub(super) fn judge(text: &str) -> Option<Verdict> {
    if !text.contains("class Migration") {
        return None;
    }
    for (operation, reverse) in [("RunPython", "reverse_code"), ("RunSQL", "reverse_sql")] {
        let mut from = 0;
        while let Some(found) = text[from..].find(operation) {
            let at = from + found;
            from = at + operation.len();
            // `RunPython(`, not `RunPython.noop` or a name that merely contains it.
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let Some(open) = text[from..]
                .find(|c: char| !c.is_whitespace())
                .map(|n| from + n)
                .filter(|&o| text.as_bytes()[o] == b'(')
            else {
                continue;
            };
            // An unclosed call runs to the end of the file: once is enough.
            let Some((arguments, _)) = arguments(text, open) else {
                break;
            };
            let positional = arguments.iter().filter(|a| keyword(a).is_none()).count();
            let reversed = positional >= 2
                || arguments.iter().any(|a| {
                    keyword(a) == Some(reverse)
                        && a.split_once('=').is_some_and(|(_, v)| v.trim() != "None")
                });
            if !reversed {
                return Some(Verdict::Irreversible {
                    reason: format!("{operation} without {reverse}: Django cannot undo it"),
                    line: line_of(text, at),
                });
            }
        }
    }
    Some(Verdict::Reversible)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = [\n";

    fn judged(operations: &str) -> Verdict {
        judge(&format!("{HEAD}{operations}    ]\n")).unwrap()
    }

    #[test]
    fn run_python_and_run_sql_need_a_way_back() {
        assert_eq!(
            judged(
                "        migrations.AddField('shop', 'name', models.CharField(max_length=10)),\n"
            ),
            Verdict::Reversible
        );
        assert_eq!(
            judged("        migrations.RunPython(forwards, migrations.RunPython.noop),\n"),
            Verdict::Reversible
        );
        assert_eq!(
            judged(
                "        migrations.RunPython(code=forwards, reverse_code=backwards, elidable=True),\n"
            ),
            Verdict::Reversible
        );
        assert_eq!(
            judged("        migrations.RunSQL(\"CREATE INDEX i ON t (a)\", \"DROP INDEX i\"),\n"),
            Verdict::Reversible
        );
        assert!(matches!(
            judged("        migrations.RunPython(forwards, elidable=True),\n"),
            Verdict::Irreversible { line: 5, .. }
        ));
        assert!(matches!(
            judged(
                "        migrations.RunSQL(\n            sql=\"UPDATE t SET a = (b, c)\",\n            reverse_sql=None,\n        ),\n"
            ),
            Verdict::Irreversible { .. }
        ));
        assert_eq!(judge("x = 1\n"), None);
    }
}
