//! `[gates."<id>"]`: per-gate settings and options, typed by each gate's `OptionSpec`s.

use super::{
    BTreeMap, Checker, GateId, GateMeta, GateSettings, Item, Key, OptionKind, OptionValue, Range,
    Severity, Ty, keys, parse_duration,
};

impl Checker<'_> {
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
}
