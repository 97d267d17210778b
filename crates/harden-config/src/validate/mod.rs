//! The whole-file validator: walks the spanned TOML tree, checks every key against [`crate::keys`]
//! and every value against its expected form, and collects all problems before returning.
//!
//! Written over `toml_edit`'s spanned document rather than with serde derives because serde stops
//! at the first error and loses the comments we read as the reason for a disabled gate.
//!
//! This module is the checking kit (typed readers of spanned keys that record every problem);
//! each section of harden.toml has its reader in a file of its own.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::time::Duration;

use harden_model::{
    Fingerprint, GateId, GateMeta, OptionKind, ProfileLevel, Severity, Waiver, WaiverOrigin,
};
use toml_edit::{Item, TableLike, Value};

use crate::keys::{self, Key, Ty};
use crate::{
    Credential, CustomProfile, Deploy, Diagnostic, Diagnostics, Drill, GateSettings, Identity,
    Login, OptionValue, Preflight, Runbooks, Service, TargetConfig, ValidConfig, parse_duration,
};

pub(crate) struct Checker<'a> {
    pub(crate) path: &'a str,
    pub(crate) text: &'a str,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Line starts of `text`: a line is looked up per waiver and decision, so walking the text
    /// each time would make loading quadratic in the number of waivers.
    pub(crate) lines: harden_model::LineIndex,
}

/// A table being read: its keys are checked once against the allowed list, then values are taken.
pub(crate) struct Section<'t> {
    pub(crate) table: &'t dyn TableLike,
    pub(crate) span: Option<Range<usize>>,
    pub(crate) name: String,
}

impl Section<'_> {
    /// `section.key` as written in the file (just `key` at the top level).
    fn qualified(&self, key: &str) -> String {
        if self.name == ROOT_NAME {
            key.to_owned()
        } else {
            format!("{}.{key}", self.name)
        }
    }
}

const ROOT_NAME: &str = "harden.toml";

pub(crate) fn validate(
    path: &str,
    text: &str,
    catalogue: &[&'static GateMeta],
) -> Result<ValidConfig, Diagnostics> {
    let document = parse_document(path, text)?;
    let mut checker = Checker {
        path,
        text,
        diagnostics: Vec::new(),
        lines: harden_model::LineIndex::new(text),
    };
    let config = checker.root(document.as_table(), catalogue);
    checker.finish()?;
    Ok(config)
}

/// Parses `text` as TOML, or returns the parse error as the one diagnostic.
pub(crate) fn parse_document(
    path: &str,
    text: &str,
) -> Result<toml_edit::Document<String>, Diagnostics> {
    toml_edit::Document::parse(text.to_owned()).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim().to_owned();
        Diagnostics(vec![Diagnostic::at(
            path,
            text,
            span,
            &format!("invalid TOML: {message}"),
            None,
        )])
    })
}

mod deploy;
mod drill;
mod gates;
mod preflight;
mod profiles;
mod root;
mod secrets;
mod target;
mod waivers;

impl Checker<'_> {
    /// Every diagnostic collected, sorted by position; `Ok` if there is none.
    pub(crate) fn finish(mut self) -> Result<(), Diagnostics> {
        if self.diagnostics.is_empty() {
            Ok(())
        } else {
            self.diagnostics.sort_by_key(|d| (d.line, d.column));
            Err(Diagnostics(self.diagnostics))
        }
    }

    pub(crate) fn error(
        &mut self,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        expected: Option<String>,
    ) {
        let span = span.unwrap_or(0..0);
        self.diagnostics.push(Diagnostic::at_indexed(
            self.path,
            self.text,
            &self.lines,
            span,
            &message.into(),
            expected,
        ));
    }

    /// Reports `name` of a `[[kind]]` table when an earlier table of the same kind has it too;
    /// `seen` holds the names met so far with their lines.
    pub(crate) fn unique_name(
        &mut self,
        section: &Section<'_>,
        kind: &str,
        name: Option<&String>,
        seen: &mut HashMap<String, u32>,
    ) {
        let Some(name) = name else {
            return;
        };
        let span = section.table.get("name").and_then(Item::span);
        let line = self.line_of(span.as_ref()).unwrap_or(0);
        if let Some(first) = seen.insert(name.clone(), line) {
            self.error(
                span,
                format!("duplicate {kind} `{name}` (first declared on line {first})"),
                Some(format!("unique {kind} names")),
            );
        }
    }

    pub(crate) fn line_of(&self, span: Option<&Range<usize>>) -> Option<u32> {
        span.map(|s| self.lines.line_col(self.text, s.start).line)
    }

    /// Checks the keys of the table `item` against `allowed` and that required ones are there.
    pub(crate) fn section<'t>(
        &mut self,
        item: &'t Item,
        name: &str,
        allowed: &[Key],
    ) -> Option<Section<'t>> {
        let Some(table) = item.as_table_like() else {
            self.error(
                item.span(),
                format!("`{name}` must be a table"),
                Some("a table".into()),
            );
            return None;
        };
        Some(self.section_of(table, item.span(), name, allowed))
    }

    pub(crate) fn section_of<'t>(
        &mut self,
        table: &'t dyn TableLike,
        span: Option<Range<usize>>,
        name: &str,
        allowed: &[Key],
    ) -> Section<'t> {
        for (key, _) in table.iter() {
            if !allowed.iter().any(|k| k.name == key) {
                let key_span = table.get_key_value(key).and_then(|(k, _)| k.span());
                let names: Vec<&str> = allowed.iter().map(|k| k.name).collect();
                self.unknown_key(key_span, key, name, &names);
            }
        }
        for required in allowed.iter().filter(|k| k.required) {
            if table.get(required.name).is_none() {
                let at = span.clone().map(|s| s.start..s.start + 1);
                self.error(
                    at,
                    format!("`{name}` is missing the required key `{}`", required.name),
                    Some(format!(
                        "`{} = ...` ({})",
                        required.name,
                        required.ty.expectation()
                    )),
                );
            }
        }
        Section {
            table,
            span,
            name: name.to_owned(),
        }
    }

    pub(crate) fn unknown_key(
        &mut self,
        span: Option<Range<usize>>,
        key: &str,
        section: &str,
        allowed: &[&str],
    ) {
        let suggestion = allowed
            .iter()
            .map(|candidate| (strsim::jaro_winkler(key, candidate), *candidate))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, candidate)| format!(" (did you mean `{candidate}`?)"))
            .unwrap_or_default();
        let list = allowed
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        self.error(
            span,
            format!("unknown key `{key}` in `{section}`{suggestion}"),
            Some(format!("one of {list}")),
        );
    }

    pub(crate) fn value<'t>(
        section: &Section<'t>,
        key: &str,
    ) -> Option<(&'t Item, Option<Range<usize>>)> {
        let item = section.table.get(key)?;
        Some((item, item.span()))
    }

    pub(crate) fn wrong_type(
        &mut self,
        section: &Section<'_>,
        key: &str,
        span: Option<Range<usize>>,
        ty: Ty,
    ) {
        self.error(
            span,
            format!("`{}` has the wrong type", section.qualified(key)),
            Some(ty.expectation().to_owned()),
        );
    }

    pub(crate) fn string(&mut self, section: &Section<'_>, key: &str) -> Option<String> {
        let (item, span) = Self::value(section, key)?;
        match item.as_str() {
            Some(text) if !text.trim().is_empty() => Some(text.to_owned()),
            Some(_) => {
                self.error(
                    span,
                    format!("`{}` is empty", section.qualified(key)),
                    Some("a non-empty string".into()),
                );
                None
            }
            None => {
                self.wrong_type(section, key, span, Ty::Str);
                None
            }
        }
    }

    /// A repository-relative path: no leading `/`, no `..`; a leading `./` is dropped.
    pub(crate) fn repo_path(&mut self, section: &Section<'_>, key: &str) -> Option<String> {
        let text = self.string(section, key)?;
        let span = section.table.get(key).and_then(Item::span);
        if let Some(normalized) = normalize_repo_path(&text) {
            Some(normalized)
        } else {
            self.error(
                span,
                format!("`{}` must be a path inside the repository", section.qualified(key)),
                Some("a relative path such as \"docs/runbooks/on-call.md\" (no leading `/`, no `..`, not in .git)".into()),
            );
            None
        }
    }

    pub(crate) fn repo_path_list(&mut self, section: &Section<'_>, key: &str) -> Vec<String> {
        let Some((item, _)) = Self::value(section, key) else {
            return Vec::new();
        };
        let paths = self.string_list(section, key);
        let spans: Vec<Option<Range<usize>>> = item
            .as_array()
            .map(|a| a.iter().map(Value::span).collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        for (path, span) in paths.iter().zip(spans) {
            match normalize_repo_path(path) {
                Some(normalized) => out.push(normalized),
                None => self.error(
                    span,
                    format!(
                        "`{path}` in `{}` is not a path inside the repository",
                        section.qualified(key)
                    ),
                    Some("relative paths (no leading `/`, no `..`)".into()),
                ),
            }
        }
        out
    }

    pub(crate) fn string_list(&mut self, section: &Section<'_>, key: &str) -> Vec<String> {
        let Some((item, span)) = Self::value(section, key) else {
            return Vec::new();
        };
        self.strings_of(item, span, &section.qualified(key))
    }

    pub(crate) fn strings_of(
        &mut self,
        item: &Item,
        span: Option<Range<usize>>,
        name: &str,
    ) -> Vec<String> {
        let Some(array) = item.as_array() else {
            self.error(
                span,
                format!("`{name}` has the wrong type"),
                Some(Ty::StrList.expectation().into()),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for element in array {
            match element.as_str() {
                Some(text) => out.push(text.to_owned()),
                None => self.error(
                    element.span(),
                    format!("`{name}` must hold only strings"),
                    Some(Ty::StrList.expectation().into()),
                ),
            }
        }
        out
    }

    pub(crate) fn boolean(&mut self, section: &Section<'_>, key: &str) -> Option<bool> {
        let (item, span) = Self::value(section, key)?;
        let value = item.as_bool();
        if value.is_none() {
            self.wrong_type(section, key, span, Ty::Bool);
        }
        value
    }

    pub(crate) fn integer(&mut self, section: &Section<'_>, key: &str) -> Option<u64> {
        let (item, span) = Self::value(section, key)?;
        match item.as_integer().map(u64::try_from) {
            Some(Ok(value)) => Some(value),
            Some(Err(_)) => {
                self.error(
                    span,
                    format!("`{}` must not be negative", section.qualified(key)),
                    Some(Ty::Int.expectation().into()),
                );
                None
            }
            None => {
                self.wrong_type(section, key, span, Ty::Int);
                None
            }
        }
    }

    pub(crate) fn duration(&mut self, section: &Section<'_>, key: &str) -> Option<Duration> {
        let (item, span) = Self::value(section, key)?;
        let parsed = item.as_str().and_then(parse_duration);
        if parsed.is_some_and(|d| d.is_zero()) {
            self.error(
                span,
                format!("`{}` must be longer than zero", section.qualified(key)),
                Some(Ty::Duration.expectation().into()),
            );
            return None;
        }
        if parsed.is_none() {
            self.error(
                span,
                format!("`{}` is not a duration", section.qualified(key)),
                Some(Ty::Duration.expectation().into()),
            );
        }
        parsed
    }

    pub(crate) fn date(&mut self, section: &Section<'_>, key: &str) -> Option<jiff::civil::Date> {
        let (item, span) = Self::value(section, key)?;
        let parsed = match item.as_value() {
            Some(Value::Datetime(datetime)) => {
                let datetime = datetime.value();
                match (datetime.date, datetime.time) {
                    (Some(date), None) => {
                        jiff::civil::Date::new(date.year as i16, date.month as i8, date.day as i8)
                            .ok()
                    }
                    _ => None,
                }
            }
            Some(Value::String(text)) => text.value().parse::<jiff::civil::Date>().ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.error(
                span,
                format!("`{}` is not a valid date", section.qualified(key)),
                Some(Ty::Date.expectation().into()),
            );
        }
        parsed
    }

    /// A list of globs, each checked where it is written.
    pub(super) fn globs(&mut self, section: &Section<'_>, key: &str) -> Vec<String> {
        let globs = self.string_list(section, key);
        for (glob, span) in globs.iter().zip(Self::element_spans(section, key)) {
            if let Err(error) = globset::Glob::new(glob) {
                self.error(
                    span,
                    format!("`{glob}` is not a valid glob: {}", error.kind()),
                    Some("a glob such as \"tests/fixtures/**\"".into()),
                );
            }
        }
        globs
    }

    pub(crate) fn number(&mut self, section: &Section<'_>, key: &str) -> Option<f64> {
        let (item, span) = Self::value(section, key)?;
        let value = item
            .as_float()
            .or_else(|| item.as_integer().map(|i| i as f64));
        match value {
            Some(v) if v >= 0.0 && v.is_finite() => Some(v),
            _ => {
                self.wrong_type(section, key, span, Ty::Number);
                None
            }
        }
    }

    pub(crate) fn tables<'t>(
        &mut self,
        item: &'t Item,
        name: &str,
    ) -> Vec<(&'t dyn TableLike, Option<Range<usize>>)> {
        match item {
            Item::ArrayOfTables(array) => array
                .iter()
                .map(|t| (t as &dyn TableLike, t.span()))
                .collect(),
            Item::Value(Value::Array(array)) => {
                let mut out = Vec::new();
                for element in array {
                    match element.as_inline_table() {
                        Some(table) => out.push((table as &dyn TableLike, table.span())),
                        None => self.error(
                            element.span(),
                            format!("`{name}` entries must be tables"),
                            Some(Ty::TableArray.expectation().into()),
                        ),
                    }
                }
                out
            }
            other => {
                self.error(
                    other.span(),
                    format!("`{name}` must be an array of tables"),
                    Some(format!("[[{name}]] entries")),
                );
                Vec::new()
            }
        }
    }
}

/// Normalizes a repository-relative path, or `None` if it leaves the repository.
pub(crate) fn normalize_repo_path(text: &str) -> Option<String> {
    let trimmed = text.trim_start_matches("./");
    // `.git` is inside the checkout but not the repository's to name: a path into it could
    // overwrite a hook or the git config.
    let escapes = trimmed.starts_with('/')
        || trimmed.contains('\\')
        || trimmed
            .split('/')
            .any(|part| part == ".." || part.eq_ignore_ascii_case(".git"));
    (!escapes && !trimmed.is_empty()).then(|| trimmed.to_owned())
}
