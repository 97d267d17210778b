//! Reading every pipeline file of the repository once per gate, with locations for findings.

use harden_engine::{GateCx, GateError, GateOutput};
use harden_formats::pipeline::{self, Kind, Pipeline, Text};
use harden_model::{Items, LineCol, Location, Span};

/// What the CI gates judge.
pub(crate) const ITEMS: Items = Items {
    name: "CI pipelines (GitHub workflows, actions, GitLab CI)",
    globs: &[
        ".github/workflows/*.yml",
        ".github/workflows/*.yaml",
        "**/action.yml",
        "**/action.yaml",
        ".gitlab-ci.yml",
        ".gitlab-ci.yaml",
    ],
};

/// A pipeline file and its source.
pub(crate) struct Source {
    pub(crate) path: String,
    pub(crate) text: String,
    pub(crate) lines: harden_model::LineIndex,
    pub(crate) pipeline: Pipeline,
}

impl Source {
    /// The source line (1-based), for snippets and column search.
    pub(crate) fn line(&self, line: u32) -> &str {
        self.lines.line(&self.text, line)
    }

    /// A location at a scalar.
    pub(crate) fn at(&self, text: &Text) -> Location {
        Location::File {
            path: self.path.clone(),
            span: Some(text.span),
            snippet: Some(crate::support::shown(
                self.line(text.span.start.line).trim(),
            )),
            logical: Some(text.logical.clone()),
        }
    }

    /// A location at a span (a key, a job).
    pub(crate) fn at_span(&self, span: Span, logical: &str) -> Location {
        Location::File {
            path: self.path.clone(),
            span: Some(span),
            snippet: Some(crate::support::shown(self.line(span.start.line).trim())),
            logical: Some(logical.to_owned()),
        }
    }

    /// The location of `fragment` on line `index` (0-based) of a script.
    pub(crate) fn in_script(
        &self,
        script: &pipeline::Script,
        index: usize,
        fragment: &str,
    ) -> Location {
        let line = if script.block {
            script.text.span.start.line + u32::try_from(index).unwrap_or(0)
        } else {
            script.text.span.start.line
        };
        let source = self.line(line);
        let column = source
            .find(fragment)
            .map_or(script.text.span.start.column, |byte| {
                u32::try_from(source[..byte].chars().count()).unwrap_or(0) + 1
            });
        let width = u32::try_from(fragment.chars().count()).unwrap_or(0);
        Location::File {
            path: self.path.clone(),
            span: Some(Span {
                start: LineCol { line, column },
                end: LineCol {
                    line,
                    column: column + width,
                },
            }),
            snippet: Some(crate::support::shown(source.trim())),
            logical: Some(script.text.logical.clone()),
        }
    }
}

/// The gate that reports a pipeline file that does not parse; the other CI gates list it as not
/// examined, so one broken file is one finding, not one per gate.
const REPORTS_PARSE_ERRORS: &str = "R4.pinning.actions";

/// Every pipeline file (and GitLab local include) parsed; a file that does not parse becomes a
/// finding of [`REPORTS_PARSE_ERRORS`] at the parser's position, and is not examined elsewhere.
pub(crate) fn load(cx: &GateCx<'_>, out: &mut GateOutput) -> Result<Vec<Source>, GateError> {
    let (sources, read) = load_uncounted(cx, out)?;
    if read > 0 {
        out.examined("pipelines", read);
    }
    Ok(sources)
}

/// [`load`] for a gate that judges only some pipelines (deploys, pushes) and counts what it
/// judged itself: the sources and how many files were read.
pub(crate) fn load_uncounted(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
) -> Result<(Vec<Source>, u64), GateError> {
    let mut read = 0;
    let mut queue: Vec<(String, Kind)> = cx
        .repo()
        .files()?
        .iter()
        .filter_map(|path| pipeline::kind_of(path).map(|kind| (path.clone(), kind)))
        .collect();
    let mut sources = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    while let Some((path, kind)) = queue.pop() {
        if seen.contains(&path) {
            continue;
        }
        seen.push(path.clone());
        let Some(bytes) = crate::support::read_parsed_into(cx, out, &path)? else {
            continue;
        };
        let text = harden_engine::lossy_text(&bytes).into_owned();
        read += 1;
        match pipeline::parse(kind, &text) {
            Ok(parsed) => {
                for include in &parsed.includes {
                    let included = include.value.trim_start_matches('/').to_owned();
                    if cx.repo().is_file(&included) {
                        queue.push((included, Kind::Gitlab));
                    }
                }
                sources.push(Source {
                    path,
                    lines: harden_model::LineIndex::new(&text),
                    text,
                    pipeline: parsed,
                });
            }
            Err(error) if cx.meta().id.as_str() != REPORTS_PARSE_ERRORS => {
                out.not_examined(
                    &path,
                    format!(
                        "not valid YAML at {}:{}: {}",
                        error.line, error.column, error.message
                    ),
                );
            }
            Err(error) => {
                let at = LineCol {
                    line: error.line,
                    column: error.column,
                };
                out.finding(
                    cx.finding(
                        format!("{path} is not valid YAML: {}", error.message),
                        Location::File {
                            path: path.clone(),
                            span: Some(Span { start: at, end: at }),
                            snippet: None,
                            logical: None,
                        },
                    )
                    .identity(format!("parse:{path}"))
                    .help("fix the syntax; a pipeline harden cannot read cannot be judged")
                    .build(),
                );
            }
        }
    }
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((sources, read))
}

/// How messages name a step: by its `name:`, else the action it uses, else its place
/// (`step 3`), and its job (`step "Deploy" of job release`).
pub(crate) fn step_label(
    job: &harden_formats::pipeline::Job,
    step: &harden_formats::pipeline::Step,
) -> String {
    let what = match (&step.name, &step.uses) {
        (Some(name), _) => format!("step \"{}\"", crate::support::shown_text(name)),
        (None, Some(uses)) => format!(
            "step `{}`",
            uses.value.split('@').next().unwrap_or_default()
        ),
        (None, None) => format!("step {}", step.index + 1),
    };
    format!("{what} of job {}", job.id)
}
