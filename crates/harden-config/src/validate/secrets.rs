//! `[secrets]`: disabled rules, custom rules and allow patterns, compiled here so that a bad one is reported at its key.

use super::{Checker, Item, Range, Section, Value, keys};

impl Checker<'_> {
    /// `[secrets]`: every custom rule and allow pattern compiled here, so that a bad regex is
    /// reported at its line instead of failing a gate later.
    pub(super) fn secrets(&mut self, section: &Section<'_>) -> crate::SecretsConfig {
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

    pub(super) fn element_spans(section: &Section<'_>, key: &str) -> Vec<Option<Range<usize>>> {
        section
            .table
            .get(key)
            .and_then(Item::as_array)
            .map(|a| a.iter().map(Value::span).collect())
            .unwrap_or_default()
    }
}
