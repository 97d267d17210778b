//! `[[waiver]]`: waivers, their selectors and expiry bounds.

use super::{Checker, Fingerprint, GateMeta, HashMap, Item, Waiver, WaiverOrigin, keys};

/// Gate, fingerprint, path and advisory: what selects a waiver's findings.
type Selector = (String, Option<String>, Option<String>, Option<String>);

impl Checker<'_> {
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
