//! The whole-file validator: walks the spanned TOML tree, checks every key against [`crate::keys`]
//! and every value against its expected form, and collects all problems before returning.
//!
//! Written over `toml_edit`'s spanned document rather than with serde derives because serde stops
//! at the first error and loses the comments we read as the reason for a disabled gate.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::time::Duration;

use harden_model::{
    Fingerprint, GateId, GateMeta, OptionKind, ProfileLevel, Severity, Waiver, WaiverOrigin,
};
use toml_edit::{Item, TableLike, Value};

use crate::keys::{self, Key, Ty};
use crate::{
    Credential, CustomProfile, Deploy, Diagnostic, Diagnostics, GateSettings, Identity, Login,
    OptionValue, Preflight, Runbooks, Service, TargetConfig, ValidConfig, parse_duration,
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

/// Gate, fingerprint, path and advisory: what selects a waiver's findings.
type Selector = (String, Option<String>, Option<String>, Option<String>);

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

    /// `[ledger] url`: a SQLite file inside the repository. The scanned repository is untrusted
    /// input, so it never names a server to connect to or a file outside itself to write.
    fn ledger_url(&mut self, section: &Section<'_>) -> Option<String> {
        let text = self.string(section, "url")?;
        let span = section.table.get("url").and_then(Item::span);
        if text.contains("://") {
            self.error(
                span,
                "`ledger.url` names a server: a ledger on a server is named with --ledger or HARDEN_LEDGER, never in the repository's harden.toml".to_owned(),
                Some("a path inside the repository such as \".harden/ledger.db\", or remove the key and pass --ledger".into()),
            );
            return None;
        }
        self.repo_path(section, "url")
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

    pub(crate) fn root(
        &mut self,
        root: &toml_edit::Table,
        catalogue: &[&'static GateMeta],
    ) -> ValidConfig {
        let mut config = ValidConfig::defaults();
        let top = self.section_of(root, Some(0..0), ROOT_NAME, keys::ROOT);
        if let Some(version) = self.integer(&top, "version")
            && version != crate::VERSION as u64
        {
            let span = top.table.get("version").and_then(Item::span);
            self.error(
                span,
                format!("unsupported config version {version}"),
                Some("version = 1".into()),
            );
        }
        let mut profile_span = None;
        if let Some(item) = top.table.get("service")
            && let Some(section) = self.section(item, "service", keys::SERVICE)
        {
            config.service = Service {
                name: self.string(&section, "name"),
                owners: self.string_list(&section, "owners"),
                scope: self.string(&section, "scope"),
                line: self.line_of(section.span.as_ref()),
            };
            if let Some(profile) = self.string(&section, "profile") {
                profile_span = section.table.get("profile").and_then(Item::span);
                config.profile = profile;
            }
        }
        if let Some(item) = top.table.get("profiles") {
            config.profiles = self.profiles(item, catalogue);
        }
        if ProfileLevel::parse(&config.profile).is_none()
            && !config.profiles.contains_key(&config.profile)
        {
            let mut names = vec!["prototype".to_owned(), "production".to_owned()];
            names.extend(config.profiles.keys().cloned());
            self.error(
                profile_span,
                format!("unknown profile `{}`", config.profile),
                Some(format!(
                    "one of {} or a [profiles.<name>] table",
                    names.join(", ")
                )),
            );
        }
        if let Some(item) = top.table.get("contracts")
            && let Some(section) = self.section(item, "contracts", keys::CONTRACTS)
        {
            config.contracts.openapi = self.repo_path_list(&section, "openapi");
            config.contracts.asyncapi = self.repo_path_list(&section, "asyncapi");
            config.contracts.json_schema = self.repo_path_list(&section, "json-schema");
        }
        if let Some(item) = top.table.get("deploy") {
            config.deploy = self.deploy(item);
        }
        if let Some(item) = top.table.get("preflight") {
            config.preflight = self.preflight(item);
        }
        if let Some(item) = top.table.get("runbooks")
            && let Some(section) = self.section(item, "runbooks", keys::RUNBOOKS)
        {
            config.runbooks = Runbooks {
                disaster_recovery: self.repo_path(&section, "disaster-recovery"),
                migration_recovery: self.repo_path(&section, "migration-recovery"),
                on_call: self.repo_path(&section, "on-call"),
                max_age: self.duration(&section, "max-age"),
            };
        }
        if let Some(item) = top.table.get("target") {
            config.target = self.target(item);
        }
        if let Some(item) = top.table.get("gates") {
            config.gates = self.gates(item, catalogue);
        }
        if let Some(item) = top.table.get("waiver") {
            config.waivers = self.waivers(item, catalogue);
        }
        if let Some(item) = top.table.get("repository")
            && let Some(section) = self.section(item, "repository", keys::REPOSITORY)
        {
            config.repository_exclude = self.globs(&section, "exclude");
        }
        if let Some(item) = top.table.get("decision") {
            for (table, span) in self.tables(item, "decision") {
                let section = self.section_of(table, span, "decision", keys::DECISION);
                let line = self.line_of(section.span.as_ref()).unwrap_or(0);
                let decision = self.string(&section, "decision");
                let date = self.date(&section, "date");
                let owner = self.string(&section, "owner");
                let trigger = self.string(&section, "trigger");
                let revisit_by = self.date(&section, "revisit-by");
                if let (Some(decision), Some(date), Some(owner), Some(trigger), Some(revisit_by)) =
                    (decision, date, owner, trigger, revisit_by)
                {
                    config.decisions.push(crate::Decision {
                        decision,
                        date,
                        owner,
                        trigger,
                        revisit_by,
                        line,
                    });
                }
            }
        }
        if let Some(item) = top.table.get("readiness")
            && let Some(section) = self.section(item, "readiness", keys::READINESS)
        {
            config.readiness_path = self.repo_path(&section, "path");
        }
        if let Some(item) = top.table.get("waivers")
            && let Some(section) = self.section(item, "waivers", keys::WAIVERS)
            && let Some(days) = self.integer(&section, "max-days")
        {
            if days == 0 {
                let span = section.table.get("max-days").and_then(Item::span);
                self.error(
                    span,
                    "`waivers.max-days` must be at least 1",
                    Some("an integer ≥ 1".into()),
                );
            } else {
                config.waiver_max_days = u32::try_from(days).unwrap_or(u32::MAX);
            }
        }
        if let Some(item) = top.table.get("secrets")
            && let Some(section) = self.section(item, "secrets", keys::SECRETS)
        {
            config.secrets = self.secrets(&section);
        }
        if let Some(item) = top.table.get("ledger")
            && let Some(section) = self.section(item, "ledger", keys::LEDGER)
        {
            config.ledger.url = self.ledger_url(&section);
        }
        if let Some(item) = top.table.get("smoke")
            && let Some(section) = self.section(item, "smoke", keys::SMOKE)
        {
            config.smoke.timezone = self.string(&section, "timezone");
            if let Some(zone) = &config.smoke.timezone
                && jiff::tz::TimeZone::get(zone).is_err()
            {
                let span = section.table.get("timezone").and_then(Item::span);
                self.error(
                    span,
                    format!("`{zone}` is not a known time zone"),
                    Some("an IANA time zone name such as \"Europe/Berlin\" or \"UTC\"".into()),
                );
            }
            config.smoke.strict_gates = self.patterns(&section, "strict-gates", catalogue);
        }
        if let Some(item) = top.table.get("exit-criteria")
            && let Some(section) = self.section(item, "exit-criteria", keys::EXIT_CRITERIA)
            && let Some(days) = self.integer(&section, "consecutive-days")
        {
            if days == 0 {
                let span = section.table.get("consecutive-days").and_then(Item::span);
                self.error(
                    span,
                    "`exit-criteria.consecutive-days` must be at least 1",
                    Some("an integer ≥ 1".into()),
                );
            } else {
                config.exit_criteria.consecutive_days = u32::try_from(days).unwrap_or(u32::MAX);
            }
        }
        config
    }

    /// A list of globs, each checked where it is written.
    fn globs(&mut self, section: &Section<'_>, key: &str) -> Vec<String> {
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

    /// `[secrets]`: every custom rule and allow pattern compiled here, so that a bad regex is
    /// reported at its line instead of failing a gate later.
    fn secrets(&mut self, section: &Section<'_>) -> crate::SecretsConfig {
        use harden_secrets::{CustomRule, Detector, DetectorConfig};
        let mut detector = DetectorConfig::default();
        let disabled = self.string_list(section, "disable");
        let disabled_spans = Self::element_spans(section, "disable");
        for (id, span) in disabled.iter().zip(disabled_spans) {
            if harden_secrets::RULES.iter().any(|r| r.id == id) {
                detector.disabled.push(id.clone());
            } else {
                let hint = harden_secrets::RULES
                    .iter()
                    .map(|r| (strsim::jaro_winkler(id, r.id), r.id))
                    .filter(|(score, _)| *score > 0.85)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, c)| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                self.error(
                    span,
                    format!("`{id}` is not a built-in secret rule{hint}"),
                    Some("a rule id listed by `harden secrets rules`".into()),
                );
            }
        }
        let allow = self.string_list(section, "allow");
        for (pattern, span) in allow.iter().zip(Self::element_spans(section, "allow")) {
            let probe = DetectorConfig {
                allow: vec![pattern.clone()],
                ..DetectorConfig::default()
            };
            if let Err(error) = Detector::with_config(&probe) {
                self.error(
                    span,
                    format!("`secrets.allow`: {error}"),
                    Some("a regular expression".into()),
                );
            } else {
                detector.allow.push(pattern.clone());
            }
        }
        if let Some(item) = section.table.get("rule") {
            for (table, span) in self.tables(item, "secrets.rule") {
                let rule = self.section_of(table, span, "secrets.rule", keys::SECRETS_RULE);
                let id = self.string(&rule, "id");
                let description = self.string(&rule, "description");
                let pattern = self.string(&rule, "regex");
                let keywords = self.string_list(&rule, "keywords");
                let min_entropy = self.number(&rule, "entropy");
                let (Some(id), Some(pattern)) = (id, pattern) else {
                    continue;
                };
                let custom = CustomRule {
                    description: description.unwrap_or_else(|| format!("custom rule {id}")),
                    id,
                    pattern,
                    keywords,
                    min_entropy,
                };
                let probe = DetectorConfig {
                    custom: detector
                        .custom
                        .iter()
                        .cloned()
                        .chain([custom.clone()])
                        .collect(),
                    ..DetectorConfig::default()
                };
                match Detector::with_config(&probe) {
                    Ok(_) => detector.custom.push(custom),
                    Err(error) => {
                        let at = error.rule_key().unwrap_or("regex");
                        let expected = match at {
                            "id" => "an id no built-in or other custom rule uses",
                            "keywords" => "non-empty literals",
                            "entropy" => "a number from 0 to 8",
                            _ => {
                                "a regular expression (Rust regex syntax, ASCII) that cannot match an empty string"
                            }
                        };
                        let span = rule.table.get(at).and_then(Item::span);
                        self.error(span, error.to_string(), Some(expected.into()));
                    }
                }
            }
        }
        if let Err(error @ harden_secrets::DetectorError::NoRuleActive) =
            Detector::with_config(&detector)
        {
            self.error(
                section.span.clone(),
                error.to_string(),
                Some("at least one active rule: disable fewer built-in rules or add a [[secrets.rule]]".into()),
            );
        }
        crate::SecretsConfig {
            detector,
            allow_paths: self.globs(section, "allow-paths"),
            baseline: self.repo_path(section, "baseline"),
            logs: self.globs(section, "logs"),
            ignore_test_code: match self.string(section, "test-code").as_deref() {
                None | Some("fail") => false,
                Some("ignore") => true,
                Some(other) => {
                    let span = section.table.get("test-code").and_then(Item::span);
                    self.error(
                        span,
                        format!("`secrets.test-code` is `{other}`"),
                        Some("\"fail\" or \"ignore\"".into()),
                    );
                    false
                }
            },
            ignore_baseline: false,
            preloaded_baseline: None,
        }
    }

    fn element_spans(section: &Section<'_>, key: &str) -> Vec<Option<Range<usize>>> {
        section
            .table
            .get(key)
            .and_then(Item::as_array)
            .map(|a| a.iter().map(Value::span).collect())
            .unwrap_or_default()
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

    /// Gate patterns (`R4.*`, exact ids) that must select at least one known gate.
    pub(crate) fn patterns(
        &mut self,
        section: &Section<'_>,
        key: &str,
        catalogue: &[&'static GateMeta],
    ) -> Vec<String> {
        let Some((item, span)) = Self::value(section, key) else {
            return Vec::new();
        };
        let patterns = self.strings_of(item, span, &section.qualified(key));
        let elements: Vec<Option<Range<usize>>> = item
            .as_array()
            .map(|a| a.iter().map(Value::span).collect())
            .unwrap_or_default();
        for (pattern, span) in patterns.iter().zip(elements) {
            if !catalogue.iter().any(|g| g.id.matches_pattern(pattern)) {
                self.error(
                    span,
                    format!("`{pattern}` matches no gate"),
                    Some(
                        "a gate id (see `harden gates`) or a prefix pattern such as `R4.*`".into(),
                    ),
                );
            }
        }
        patterns
    }

    pub(crate) fn profiles(
        &mut self,
        item: &Item,
        catalogue: &[&'static GateMeta],
    ) -> BTreeMap<String, CustomProfile> {
        let mut profiles = BTreeMap::new();
        let Some(table) = item.as_table_like() else {
            self.error(
                item.span(),
                "`profiles` must be a table of profiles",
                Some("[profiles.<name>] tables".into()),
            );
            return profiles;
        };
        for (name, entry) in table.iter() {
            let key_span = table.get_key_value(name).and_then(|(k, _)| k.span());
            if ProfileLevel::parse(name).is_some() {
                self.error(
                    key_span.clone(),
                    format!("`{name}` is a built-in profile and cannot be redefined"),
                    Some(format!("another name, with `extends = \"{name}\"`")),
                );
            }
            let Some(section) = self.section(entry, &format!("profiles.{name}"), keys::PROFILE)
            else {
                continue;
            };
            let extends = match self.string(&section, "extends") {
                Some(text) => {
                    if let Some(level) = ProfileLevel::parse(&text) {
                        level
                    } else {
                        let span = section.table.get("extends").and_then(Item::span);
                        self.error(
                            span,
                            format!("`{text}` is not a built-in profile"),
                            Some("prototype or production".into()),
                        );
                        ProfileLevel::Production
                    }
                }
                None => ProfileLevel::Production,
            };
            let include = self.patterns(&section, "include", catalogue);
            let exclude = self.patterns(&section, "exclude", catalogue);
            profiles.insert(
                name.to_owned(),
                CustomProfile {
                    extends,
                    include,
                    exclude,
                },
            );
        }
        profiles
    }

    pub(crate) fn deploy(&mut self, item: &Item) -> Deploy {
        let mut deploy = Deploy::default();
        let Some(section) = self.section(item, "deploy", keys::DEPLOY) else {
            return deploy;
        };
        if let Some(flags) = section.table.get("flags") {
            match flags.as_table_like() {
                Some(table) => {
                    for (name, values) in table.iter() {
                        let list =
                            self.strings_of(values, values.span(), &format!("deploy.flags.{name}"));
                        if list.is_empty() {
                            self.error(
                                values.span(),
                                format!("`deploy.flags.{name}` allows no value"),
                                Some(
                                    "a non-empty array of allowed values, e.g. [\"enforced\"]"
                                        .into(),
                                ),
                            );
                        }
                        deploy.flags.insert(name.to_owned(), list);
                    }
                }
                None => self.error(
                    flags.span(),
                    "`deploy.flags` must be a table",
                    Some("NAME = [\"allowed\", ...] entries".into()),
                ),
            }
        }
        if let Some(secrets) = section.table.get("secrets")
            && let Some(inner) = self.section(secrets, "deploy.secrets", keys::DEPLOY_SECRETS)
        {
            deploy.secrets_required = self.string_list(&inner, "required");
            deploy.env_files = self.repo_path_list(&inner, "env-files");
        }
        deploy
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

    /// `[target] path-values`: a table of strings (numbers are taken as written).
    fn path_values(&mut self, section: &Section<'_>) -> Vec<(String, String)> {
        let Some(item) = section.table.get("path-values") else {
            return Vec::new();
        };
        let Some(table) = item.as_table_like() else {
            self.error(
                item.span(),
                "`target.path-values` must be a table",
                Some("path-values = { id = \"42\" }".into()),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, value) in table.iter() {
            let text = value
                .as_str()
                .map(str::to_owned)
                .or_else(|| value.as_integer().map(|n| n.to_string()));
            match text {
                Some(text) if !text.is_empty() && !text.contains(['/', '?', '#']) => {
                    out.push((name.to_owned(), text));
                }
                _ => self.error(
                    value.span().or_else(|| item.span()),
                    format!("`target.path-values.{name}` must be one path segment"),
                    Some("a string or an integer without `/`, `?` or `#`".into()),
                ),
            }
        }
        out
    }

    /// `[target] bodies`: `"METHOD /path" = '<JSON>'`, the JSON valid once `${marker}` is text.
    fn bodies(&mut self, section: &Section<'_>) -> Vec<(String, String)> {
        let Some(item) = section.table.get("bodies") else {
            return Vec::new();
        };
        let Some(table) = item.as_table_like() else {
            self.error(
                item.span(),
                "`target.bodies` must be a table",
                Some("bodies = { \"POST /items\" = '{\"title\": \"${marker}\"}' }".into()),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (operation, value) in table.iter() {
            let span = value.span().or_else(|| item.span());
            let shaped = operation.split_once(' ').is_some_and(|(m, p)| {
                !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphabetic()) && p.starts_with('/')
            });
            if !shaped {
                self.error(
                    table.get_key_value(operation).and_then(|(k, _)| k.span()),
                    format!("`target.bodies` key `{operation}` is not an operation"),
                    Some("\"METHOD /path\", like \"POST /api/items\"".into()),
                );
                continue;
            }
            let Some(text) = value.as_str() else {
                self.error(
                    span,
                    format!("`target.bodies.\"{operation}\"` must be a string of JSON"),
                    Some("a JSON document in a string".into()),
                );
                continue;
            };
            if let Err(e) =
                serde_json::from_str::<serde_json::Value>(&text.replace("${marker}", "m"))
            {
                self.error(
                    span,
                    format!("`target.bodies.\"{operation}\"` is not JSON: {e}"),
                    Some("a JSON document (${marker} may stand inside a string)".into()),
                );
                continue;
            }
            out.push((operation.to_owned(), text.to_owned()));
        }
        out
    }

    /// `[[target.identity]]`: a unique name and exactly one way to get the credential.
    fn identities(&mut self, item: &Item) -> Vec<Identity> {
        let mut out: Vec<Identity> = Vec::new();
        for (table, span) in self.tables(item, "target.identity") {
            let section = self.section_of(table, span.clone(), "target.identity", keys::IDENTITY);
            let Some(name) = self.string(&section, "name") else {
                continue;
            };
            if out.iter().any(|i| i.name == name) {
                let span = section.table.get("name").and_then(Item::span);
                self.error(
                    span,
                    format!("duplicate identity `{name}`"),
                    Some("unique identity names".into()),
                );
                continue;
            }
            let bearer = self.string(&section, "bearer-env");
            let header = self.string(&section, "header");
            let value = self.string(&section, "value-env");
            let line = self.string(&section, "header-env");
            let user = self.string(&section, "user");
            let password = self.string(&section, "password-env");
            let login = section.table.get("login").and_then(|item| self.login(item));
            let mut kinds = Vec::new();
            if let Some(env) = bearer {
                kinds.push(Credential::Bearer { env });
            }
            match (header, value) {
                (Some(name), Some(env)) => kinds.push(Credential::Header { name, env }),
                (None, None) => {}
                _ => self.error(
                    span.clone().map(|s| s.start..s.start + 1),
                    format!("identity `{name}`: `header` and `value-env` go together"),
                    Some("header = \"X-Api-Key\" with value-env = \"VAR\"".into()),
                ),
            }
            if let Some(env) = line {
                kinds.push(Credential::HeaderLine { env });
            }
            match (user, password) {
                (Some(user), Some(password_env)) => {
                    kinds.push(Credential::Basic { user, password_env });
                }
                (None, None) => {}
                _ => self.error(
                    span.clone().map(|s| s.start..s.start + 1),
                    format!("identity `{name}`: `user` and `password-env` go together"),
                    Some("user = \"alice\" with password-env = \"VAR\"".into()),
                ),
            }
            if let Some(login) = login {
                kinds.push(Credential::Login(login));
            }
            if kinds.len() != 1 {
                self.error(
                    span.map(|s| s.start..s.start + 1),
                    format!(
                        "identity `{name}` needs exactly one credential, found {}",
                        kinds.len()
                    ),
                    Some("one of bearer-env, header + value-env, header-env, user + password-env, or [target.identity.login]".into()),
                );
                continue;
            }
            out.push(Identity {
                name,
                credential: kinds.remove(0),
                jwt_key_env: self.string(&section, "jwt-key-env"),
            });
        }
        out
    }

    fn login(&mut self, item: &Item) -> Option<Login> {
        let section = self.section(item, "target.identity.login", keys::LOGIN)?;
        let path = self.string(&section, "path")?;
        let body = self.string(&section, "body")?;
        let body_span = section.table.get("body").and_then(Item::span);
        if !path.starts_with('/') || path.starts_with("//") {
            let span = section.table.get("path").and_then(Item::span);
            self.error(
                span,
                format!("login path `{path}` is not a path on the target"),
                Some("a path that starts with a single `/`".into()),
            );
        }
        let login = Login {
            method: self
                .string(&section, "method")
                .unwrap_or_else(|| "POST".into())
                .to_ascii_uppercase(),
            path,
            body,
            content_type: self
                .string(&section, "content-type")
                .unwrap_or_else(|| "application/json".into()),
            token: self.string(&section, "token"),
            header: self
                .string(&section, "header")
                .unwrap_or_else(|| "Authorization".into()),
            scheme: self.string(&section, "scheme"),
        };
        if let Some(pointer) = &login.token
            && !pointer.starts_with('/')
        {
            let span = section.table.get("token").and_then(Item::span);
            self.error(
                span,
                format!("login token `{pointer}` is not a JSON pointer"),
                Some("a pointer such as \"/access_token\" or \"/data/token\"".into()),
            );
        }
        let variables = login.variables();
        let bad = variables
            .iter()
            .find(|v| v.is_empty() || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        if let Some(bad) = bad {
            self.error(
                body_span,
                format!("login body: `${{{bad}}}` is not an environment variable name"),
                Some("${VAR} with letters, digits and `_`".into()),
            );
        } else if variables.is_empty() {
            // The credential of a login is a password: it must come from the environment.
            self.error(
                body_span,
                "login body reads no environment variable: the password would be in harden.toml",
                Some("the secret as ${VAR}, e.g. {\"password\": \"${ALICE_PASSWORD}\"}".into()),
            );
        }
        Some(login)
    }

    pub(crate) fn preflight(&mut self, item: &Item) -> Vec<Preflight> {
        let mut out = Vec::new();
        let mut seen: HashMap<String, u32> = HashMap::new();
        for (table, span) in self.tables(item, "preflight") {
            let section = self.section_of(table, span, "preflight", keys::PREFLIGHT);
            let name = self.string(&section, "name");
            let run = self.string(&section, "run");
            let timeout = self
                .duration(&section, "timeout")
                .unwrap_or(Duration::from_mins(10));
            let cwd = self.repo_path(&section, "cwd");
            if let Some(name) = &name {
                let span = section.table.get("name").and_then(Item::span);
                let line = self.line_of(span.as_ref()).unwrap_or(0);
                if let Some(first) = seen.insert(name.clone(), line) {
                    self.error(
                        span,
                        format!("duplicate preflight `{name}` (first declared on line {first})"),
                        Some("unique preflight names".into()),
                    );
                }
            }
            if let (Some(name), Some(run)) = (name, run) {
                out.push(Preflight {
                    name,
                    run,
                    timeout,
                    cwd,
                });
            }
        }
        out
    }

    pub(crate) fn target(&mut self, item: &Item) -> Option<TargetConfig> {
        let section = self.section(item, "target", keys::TARGET)?;
        let base_url = self.string(&section, "base-url");
        if let Some(url) = &base_url {
            let span = section.table.get("base-url").and_then(Item::span);
            let rest = ["http://", "https://"]
                .iter()
                .find_map(|scheme| url.strip_prefix(scheme));
            let authority = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
            match authority {
                Some(authority) if authority.contains('@') => self.error(
                    span,
                    "`target.base-url` must not carry credentials",
                    Some("a URL without user or password; configure identities in [[target.identity]] with their secrets in environment variables".into()),
                ),
                Some(authority) if !authority.is_empty() => {}
                _ => self.error(
                    span,
                    "`target.base-url` is not an http(s) base URL",
                    Some("a URL like \"https://staging.example.com\"".into()),
                ),
            }
        }
        let request_budget = self.integer(&section, "request-budget").unwrap_or(500);
        let rate_per_second = self.integer(&section, "rate-per-second").unwrap_or(10);
        let identities = section
            .table
            .get("identity")
            .map(|item| self.identities(item))
            .unwrap_or_default();
        let path_values = self.path_values(&section);
        let bodies = self.bodies(&section);
        let paths = self.string_list(&section, "paths");
        for path in &paths {
            if !path.starts_with('/') || path.starts_with("//") {
                let span = section.table.get("paths").and_then(Item::span);
                self.error(
                    span,
                    format!("`target.paths` entry `{path}` is not a path on the target"),
                    Some("paths that start with a single `/`, like \"/login\"".into()),
                );
            }
        }
        let mut headers = Vec::new();
        if let Some(item) = section.table.get("headers") {
            match item.as_table_like() {
                Some(table) => {
                    for (name, value) in table.iter() {
                        let token = !name.is_empty()
                            && name
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
                        match value.as_str() {
                            Some(text) if token && !text.contains(['\r', '\n']) => {
                                headers.push((name.to_owned(), text.to_owned()));
                            }
                            _ => self.error(
                                value.span().or_else(|| item.span()),
                                format!("`target.headers.{name}` must be a header name with a one-line string value"),
                                Some("Name = \"value\" or Name = \"env:VAR\"".into()),
                            ),
                        }
                    }
                }
                None => self.error(
                    item.span(),
                    "`target.headers` must be a table",
                    Some("headers = { \"X-Tenant\" = \"acme\" }".into()),
                ),
            }
        }
        Some(TargetConfig {
            base_url: base_url?,
            request_budget,
            rate_per_second,
            identities,
            public: self.string_list(&section, "public"),
            destructive: self.string_list(&section, "destructive"),
            path_values,
            objects: self.string_list(&section, "objects"),
            bodies,
            paths,
            headers,
            ca_file: self.string(&section, "ca-file"),
            gate_time: self.duration(&section, "gate-time"),
        })
    }

    pub(crate) fn gates(
        &mut self,
        item: &Item,
        catalogue: &[&'static GateMeta],
    ) -> BTreeMap<GateId, GateSettings> {
        let mut gates = BTreeMap::new();
        let Some(table) = item.as_table_like() else {
            self.error(
                item.span(),
                "`gates` must be a table",
                Some("[gates.\"<gate id>\"] tables".into()),
            );
            return gates;
        };
        for (id, entry) in table.iter() {
            let key_span = table.get_key_value(id).and_then(|(k, _)| k.span());
            let Some(meta) = catalogue.iter().find(|g| g.id.as_str() == id) else {
                self.unknown_gate(key_span, id, catalogue);
                continue;
            };
            let mut allowed: Vec<Key> = keys::GATE_COMMON.to_vec();
            allowed.extend(meta.options.iter().map(|o| Key {
                name: o.key,
                ty: Ty::Str,
                required: false,
                help: o.help,
            }));
            let Some(section) = self.section(entry, &format!("gates.\"{id}\""), &allowed) else {
                continue;
            };
            let mut settings = GateSettings {
                enabled: self.boolean(&section, "enabled"),
                ..GateSettings::default()
            };
            if let Some((key, value)) = section.table.get_key_value("enabled") {
                settings.enabled_line = self.line_of(value.span().as_ref());
                settings.disabled_note = value
                    .as_value()
                    .and_then(|v| self.comment(v.decor().suffix()))
                    .or_else(|| self.comment(key.leaf_decor().prefix()));
            }
            if let Some(text) = self.string(&section, "severity") {
                settings.severity = Severity::parse(&text);
                if settings.severity.is_none() {
                    let span = section.table.get("severity").and_then(Item::span);
                    self.error(
                        span,
                        format!("`{text}` is not a severity"),
                        Some("info, low, medium, high or critical".into()),
                    );
                }
            }
            for option in meta.options {
                let Some(value) = section.table.get(option.key) else {
                    continue;
                };
                if let Some(parsed) = Self::option(value, option.kind) {
                    settings.options.insert(option.key.to_owned(), parsed);
                } else {
                    let what = if matches!(option.kind, OptionKind::Choice(_))
                        && value.as_str().is_some()
                    {
                        "is not one of its values"
                    } else {
                        "has the wrong type"
                    };
                    self.error(
                        value.span(),
                        format!("`gates.\"{id}\".{}` {what}", option.key),
                        Some(option.kind.expectation()),
                    );
                }
            }
            gates.insert(meta.id.clone(), settings);
        }
        gates
    }

    pub(crate) fn option(item: &Item, kind: OptionKind) -> Option<OptionValue> {
        match kind {
            OptionKind::Bool => item.as_bool().map(OptionValue::Bool),
            OptionKind::Integer => item
                .as_integer()
                .and_then(|i| u64::try_from(i).ok())
                .map(OptionValue::Integer),
            OptionKind::String => item.as_str().map(|s| OptionValue::String(s.to_owned())),
            OptionKind::Choice(values) => item
                .as_str()
                .filter(|s| values.contains(s))
                .map(|s| OptionValue::String(s.to_owned())),
            OptionKind::Duration => item
                .as_str()
                .and_then(parse_duration)
                .map(OptionValue::Duration),
            OptionKind::StringList => {
                let array = item.as_array()?;
                let strings: Option<Vec<String>> = array
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect();
                strings.map(OptionValue::StringList)
            }
        }
    }

    /// The text of a `# comment` in decor, without the hash.
    pub(crate) fn comment(&self, raw: Option<&toml_edit::RawString>) -> Option<String> {
        let raw = raw?;
        let text = match raw.as_str() {
            Some(text) => text.to_owned(),
            None => self.text.get(raw.span()?)?.to_owned(),
        };
        let comment = text
            .lines()
            .filter_map(|line| line.trim().strip_prefix('#'))
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        (!comment.is_empty()).then_some(comment)
    }

    pub(crate) fn unknown_gate(
        &mut self,
        span: Option<Range<usize>>,
        id: &str,
        catalogue: &[&'static GateMeta],
    ) {
        let ids: Vec<&str> = catalogue.iter().map(|g| g.id.as_str()).collect();
        let suggestion = ids
            .iter()
            .map(|candidate| (strsim::jaro_winkler(id, candidate), *candidate))
            .filter(|(score, _)| *score > 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, c)| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        let message = if GateId::is_well_formed(id) {
            format!("unknown gate `{id}`{suggestion}")
        } else {
            format!("`{id}` is not a gate id{suggestion}")
        };
        self.error(
            span,
            message,
            Some("a gate id listed by `harden gates`".into()),
        );
    }

    pub(crate) fn waivers(&mut self, item: &Item, catalogue: &[&'static GateMeta]) -> Vec<Waiver> {
        let mut waivers: Vec<Waiver> = Vec::new();
        let mut seen: HashMap<Selector, u32> = HashMap::new();
        for (table, span) in self.tables(item, "waiver") {
            let section = self.section_of(table, span, "waiver", keys::WAIVER);
            let line = self.line_of(section.span.as_ref()).unwrap_or(0);
            let gate = self.string(&section, "gate").and_then(|text| {
                let span = section.table.get("gate").and_then(Item::span);
                if let Some(meta) = catalogue.iter().find(|g| g.id.as_str() == text) {
                    Some(meta.id.clone())
                } else {
                    self.unknown_gate(span, &text, catalogue);
                    None
                }
            });
            let fingerprint = self.string(&section, "fingerprint").and_then(|text| {
                let parsed = Fingerprint::parse(&text);
                if parsed.is_none() {
                    let span = section.table.get("fingerprint").and_then(Item::span);
                    self.error(
                        span,
                        format!("`{text}` is not a finding fingerprint"),
                        Some("32 lowercase hex digits, as printed in reports".into()),
                    );
                }
                parsed
            });
            let path = self.string(&section, "path").and_then(|glob| {
                if let Err(error) = globset::Glob::new(&glob) {
                    let span = section.table.get("path").and_then(Item::span);
                    self.error(
                        span,
                        format!("`{glob}` is not a valid glob: {}", error.kind()),
                        Some("a glob such as \".github/workflows/*.yml\"".into()),
                    );
                    return None;
                }
                Some(glob)
            });
            let advisory = self.string(&section, "advisory");
            let reason = self.string(&section, "reason");
            let owner = self.string(&section, "owner");
            let reference = self.string(&section, "reference");
            let expires = self.date(&section, "expires");
            let (Some(gate), Some(reason), Some(owner), Some(reference), Some(expires)) =
                (gate, reason, owner, reference, expires)
            else {
                continue;
            };
            let identity = (
                gate.to_string(),
                fingerprint.as_ref().map(ToString::to_string),
                path.clone(),
                advisory.clone(),
            );
            if let Some(first) = seen.insert(identity, line) {
                let span = section.span.clone().map(|s| s.start..s.start + 1);
                self.error(
                    span,
                    format!("duplicate waiver for `{gate}` (the same gate and selector as the waiver on line {first})"),
                    Some("one waiver per gate and selector".into()),
                );
                continue;
            }
            waivers.push(Waiver {
                id: reference.clone(),
                gate,
                fingerprint,
                advisory,
                path,
                line: None,
                reason,
                owner,
                reference,
                expires,
                origin: WaiverOrigin {
                    path: self.path.to_owned(),
                    line,
                },
            });
        }
        // A reference shared by several waivers is not a unique handle; number those.
        let mut counts: HashMap<String, usize> = HashMap::new();
        for waiver in &waivers {
            *counts.entry(waiver.reference.clone()).or_default() += 1;
        }
        for (n, waiver) in waivers.iter_mut().enumerate() {
            if counts[&waiver.reference] > 1 {
                waiver.id = format!("{}#{}", waiver.reference, n + 1);
            }
        }
        waivers
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
