//! Dockerfiles: instructions with their line and column, continuation lines joined, comments and
//! parser directives skipped, heredoc bodies kept with their instruction.
//!
//! Written by hand: the grammar needed here is a line-oriented split into instruction and
//! arguments, and the available crates either lose positions or pull a parser generator in.

use harden_model::{LineCol, Span};

/// One instruction (`FROM`, `RUN`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-cased keyword.
    pub keyword: String,
    /// Arguments as written, continuation lines joined by a space.
    pub arguments: String,
    /// From the keyword to the end of the last continuation line.
    pub span: Span,
    /// Column (1-based) where the arguments start on the first line.
    pub arguments_column: u32,
}

/// A build stage: its `FROM` and the instructions after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The `FROM` instruction.
    pub from: Instruction,
    /// The image reference (after `--platform=...` flags), as written.
    pub image: String,
    /// `AS name`, lower-cased.
    pub name: Option<String>,
    /// Instructions of the stage, after `FROM`.
    pub instructions: Vec<Instruction>,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// `ARG`s declared before the first `FROM` (name, default).
    pub global_args: Vec<(String, Option<String>)>,
    /// Stages in order; the last is the final image.
    pub stages: Vec<Stage>,
}

fn continues(line: &str) -> bool {
    line.trim_end().ends_with('\\')
}

/// Splits a Dockerfile into instructions. Never fails: unknown text becomes an instruction with
/// whatever keyword it starts with, so gates can still point at it.
pub fn instructions(text: &str) -> Vec<Instruction> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i += 1;
            continue;
        }
        let indent = raw.len() - trimmed.len();
        let start_line = i + 1;
        let keyword_end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let keyword = trimmed[..keyword_end].to_uppercase();
        let first_args = trimmed[keyword_end..].trim_start();
        let arguments_column =
            u32::try_from(raw[..raw.len() - first_args.len()].chars().count()).unwrap_or(0) + 1;
        let mut arguments = first_args
            .trim_end()
            .trim_end_matches('\\')
            .trim_end()
            .to_owned();
        let mut last = i;
        let mut current = raw;
        while continues(current) && last + 1 < lines.len() {
            last += 1;
            let piece = lines[last].trim();
            // Docker drops comment and empty lines inside a continued instruction; the
            // instruction goes on after them.
            if piece.starts_with('#') || piece.is_empty() {
                continue;
            }
            current = lines[last];
            if !arguments.is_empty() && !piece.is_empty() {
                arguments.push(' ');
            }
            arguments.push_str(piece.trim_end_matches('\\').trim_end());
        }
        // Heredocs (`RUN <<EOF`): the body belongs to the instruction.
        if let Some(marker) = heredoc_marker(&arguments) {
            while last + 1 < lines.len() {
                last += 1;
                let body = lines[last];
                if body.trim() == marker {
                    break;
                }
                arguments.push('\n');
                arguments.push_str(body);
            }
        }
        let end_line = last + 1;
        let end_column = u32::try_from(lines[last].chars().count()).unwrap_or(0) + 1;
        out.push(Instruction {
            keyword,
            arguments,
            span: Span {
                start: LineCol {
                    line: u32::try_from(start_line).unwrap_or(u32::MAX),
                    column: u32::try_from(indent).unwrap_or(0) + 1,
                },
                end: LineCol {
                    line: u32::try_from(end_line).unwrap_or(u32::MAX),
                    column: end_column,
                },
            },
            arguments_column,
        });
        i = last + 1;
    }
    out
}

fn heredoc_marker(arguments: &str) -> Option<String> {
    let at = arguments.find("<<")?;
    let rest = arguments[at + 2..].trim_start_matches('-');
    let marker: String = rest
        .trim_matches(|c| c == '"' || c == '\'')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!marker.is_empty()
        && marker
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()))
    .then_some(marker)
}

/// Parses a Dockerfile into stages.
pub fn parse(text: &str) -> Dockerfile {
    let mut global_args = Vec::new();
    let mut stages: Vec<Stage> = Vec::new();
    for instruction in instructions(text) {
        if instruction.keyword == "FROM" {
            let words: Vec<&str> = instruction
                .arguments
                .split_whitespace()
                .filter(|w| !w.starts_with("--"))
                .collect();
            let image = words.first().copied().unwrap_or_default().to_owned();
            let name = match words.as_slice() {
                [_, as_, name, ..] if as_.eq_ignore_ascii_case("as") => Some(name.to_lowercase()),
                _ => None,
            };
            stages.push(Stage {
                from: instruction,
                image,
                name,
                instructions: Vec::new(),
            });
        } else if let Some(stage) = stages.last_mut() {
            stage.instructions.push(instruction);
        } else if instruction.keyword == "ARG" {
            let (name, default) = match instruction.arguments.split_once('=') {
                Some((n, d)) => (
                    n.trim().to_owned(),
                    Some(d.trim().trim_matches('"').to_owned()),
                ),
                None => (instruction.arguments.trim().to_owned(), None),
            };
            global_args.push((name, default));
        }
    }
    Dockerfile {
        global_args,
        stages,
    }
}

impl Dockerfile {
    /// The image of `stage` with global `ARG` defaults substituted (`${BASE}`, `$BASE`).
    pub fn resolved_image(&self, stage: &Stage) -> String {
        let mut image = stage.image.clone();
        for (name, default) in &self.global_args {
            if let Some(default) = default {
                image = image
                    .replace(&format!("${{{name}}}"), default)
                    .replace(&format!("${name}"), default);
            }
        }
        image
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_continuations_and_positions() {
        let text = "# syntax=docker/dockerfile:1\nARG BASE=node:20\nFROM ${BASE} AS build\nRUN apt-get update && \\\n    apt-get install -y curl\n\nFROM --platform=linux/amd64 gcr.io/distroless/nodejs20@sha256:abc AS final\nUSER 1000\n";
        let file = parse(text);
        assert_eq!(
            file.global_args,
            [("BASE".to_owned(), Some("node:20".to_owned()))]
        );
        assert_eq!(file.stages.len(), 2);
        assert_eq!(file.resolved_image(&file.stages[0]), "node:20");
        assert_eq!(file.stages[0].name.as_deref(), Some("build"));
        let run = &file.stages[0].instructions[0];
        assert_eq!(run.arguments, "apt-get update && apt-get install -y curl");
        assert_eq!((run.span.start.line, run.span.end.line), (4, 5));
        assert_eq!(run.arguments_column, 5);
        assert_eq!(
            file.stages[1].image,
            "gcr.io/distroless/nodejs20@sha256:abc"
        );
    }

    #[test]
    fn comments_inside_continuations_are_skipped() {
        let file = parse(
            "FROM alpine\nRUN apk add curl && \\\n    # fetch the installer\n\n    curl -fsSL https://x | sh\nUSER app\n",
        );
        let run = &file.stages[0].instructions[0];
        assert_eq!(run.arguments, "apk add curl && curl -fsSL https://x | sh");
        assert_eq!(file.stages[0].instructions[1].keyword, "USER");
    }

    #[test]
    fn heredocs_and_garbage_do_not_break_parsing() {
        let file = parse(
            "FROM alpine\nRUN <<EOF\nset -e\napk add curl\nEOF\nUSER app\n\\\n\u{0}weird line",
        );
        assert_eq!(
            file.stages[0].instructions[0].arguments,
            "<<EOF\nset -e\napk add curl"
        );
        assert_eq!(file.stages[0].instructions[1].keyword, "USER");
        assert!(parse("").stages.is_empty());
        assert!(parse("\\\n\\\n").stages.is_empty());
    }
}
