//! Hardening procedures: `docs/hardening/<id>.toml`, validated like `harden.toml` (every problem
//! at once, with file, line and column).

use std::collections::BTreeMap;

use harden_model::{GateId, GateMeta};
use toml_edit::Item;

use crate::Diagnostics;
use crate::keys::{Key, Ty};
use crate::validate::{Checker, parse_document};

/// Where plan files live, relative to the repository root.
pub const PLAN_DIR: &str = "docs/hardening";

/// The exit states of a procedure, and `open` while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanState {
    /// In progress.
    Open,
    /// Every action done and verified by its gates.
    Completed,
    /// Cannot go on; the reason and residual risk are recorded.
    Blocked,
    /// Abandoned; the reason and residual risk are recorded.
    Aborted,
}

impl PlanState {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanState::Open => "open",
            PlanState::Completed => "completed",
            PlanState::Blocked => "blocked",
            PlanState::Aborted => "aborted",
        }
    }

    /// Parses the lowercase name.
    pub fn parse(text: &str) -> Option<PlanState> {
        [
            PlanState::Open,
            PlanState::Completed,
            PlanState::Blocked,
            PlanState::Aborted,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// One action of a procedure, mapped to a reference and to the gates that verify it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Action {
    /// Short id, unique in the plan (`A1`).
    pub id: String,
    /// What is done.
    pub description: String,
    /// Key of `[references]` it answers to.
    pub reference: String,
    /// Gates whose pass verifies it.
    pub gates: Vec<GateId>,
}

/// A validated hardening procedure.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Plan {
    /// File stem, the plan's id.
    pub id: String,
    /// Title.
    pub title: String,
    /// What the procedure achieves.
    pub objective: String,
    /// What it covers.
    pub scope: String,
    /// Current state.
    pub state: PlanState,
    /// Why it is blocked or aborted.
    pub state_reason: Option<String>,
    /// Threats, finding ids, standard sections it answers to, by name.
    pub references: BTreeMap<String, String>,
    /// The actions.
    pub actions: Vec<Action>,
    /// Risks of carrying it out.
    pub risks: Vec<String>,
    /// Risk that remains once it ends.
    pub residual_risk: Option<String>,
}

impl Plan {
    /// Every gate the plan's actions map to, deduplicated, in order of appearance.
    pub fn gates(&self) -> Vec<GateId> {
        let mut gates: Vec<GateId> = Vec::new();
        for action in &self.actions {
            for gate in &action.gates {
                if !gates.contains(gate) {
                    gates.push(gate.clone());
                }
            }
        }
        gates
    }
}

const PLAN: &[Key] = &[
    Key {
        name: "version",
        ty: Ty::Int,
        required: true,
        help: "Plan format version (1).",
    },
    Key {
        name: "title",
        ty: Ty::Str,
        required: true,
        help: "Title.",
    },
    Key {
        name: "objective",
        ty: Ty::Str,
        required: true,
        help: "What the procedure achieves.",
    },
    Key {
        name: "scope",
        ty: Ty::Str,
        required: true,
        help: "What it covers.",
    },
    Key {
        name: "state",
        ty: Ty::Str,
        required: true,
        help: "open, completed, blocked or aborted.",
    },
    Key {
        name: "state-reason",
        ty: Ty::Str,
        required: false,
        help: "Why it is blocked or aborted.",
    },
    Key {
        name: "residual-risk",
        ty: Ty::Str,
        required: false,
        help: "Risk that remains.",
    },
    Key {
        name: "risks",
        ty: Ty::StrList,
        required: false,
        help: "Risks of carrying it out.",
    },
    Key {
        name: "closed",
        ty: Ty::Str,
        required: false,
        help: "Day it was closed (written by `harden plan close`).",
    },
    Key {
        name: "references",
        ty: Ty::Table,
        required: true,
        help: "Threats, findings, standard sections: name = \"text\".",
    },
    Key {
        name: "action",
        ty: Ty::TableArray,
        required: true,
        help: "Actions: id, description, reference, gates.",
    },
];

const ACTION: &[Key] = &[
    Key {
        name: "id",
        ty: Ty::Str,
        required: true,
        help: "Short id, unique in the plan.",
    },
    Key {
        name: "description",
        ty: Ty::Str,
        required: true,
        help: "What is done.",
    },
    Key {
        name: "reference",
        ty: Ty::Str,
        required: true,
        help: "A key of [references].",
    },
    Key {
        name: "gates",
        ty: Ty::StrList,
        required: true,
        help: "Gate ids that verify it.",
    },
];

/// Parses and validates a plan file.
pub fn load_plan(
    path: &str,
    id: &str,
    text: &str,
    catalogue: &[&'static GateMeta],
) -> Result<Plan, Diagnostics> {
    let document = parse_document(path, text)?;
    let mut checker = Checker {
        path,
        text,
        diagnostics: Vec::new(),
        lines: harden_model::LineIndex::new(text),
    };
    let top = checker.section_of(document.as_table(), Some(0..0), "plan", PLAN);
    if let Some(version) = checker.integer(&top, "version")
        && version != 1
    {
        let span = top.table.get("version").and_then(Item::span);
        checker.error(
            span,
            format!("unsupported plan version {version}"),
            Some("version = 1".into()),
        );
    }
    let state_span = top.table.get("state").and_then(Item::span);
    let state = checker.string(&top, "state").and_then(|text| {
        let state = PlanState::parse(&text);
        if state.is_none() {
            checker.error(
                state_span.clone(),
                format!("`{text}` is not a plan state"),
                Some("open, completed, blocked or aborted".into()),
            );
        }
        state
    });
    let mut references = BTreeMap::new();
    if let Some(item) = top.table.get("references") {
        match item.as_table_like() {
            Some(table) => {
                for (name, value) in table.iter() {
                    match value.as_str() {
                        Some(text) if !text.trim().is_empty() => {
                            references.insert(name.to_owned(), text.to_owned());
                        }
                        _ => checker.error(
                            value.span(),
                            format!("`references.{name}` must be a non-empty string"),
                            Some("a threat, finding id or standard section".into()),
                        ),
                    }
                }
                if references.is_empty() {
                    checker.error(
                        item.span(),
                        "`references` is empty",
                        Some("at least one reference: threat, finding or standard".into()),
                    );
                }
            }
            None => checker.error(
                item.span(),
                "`references` must be a table",
                Some("[references] with name = \"text\" entries".into()),
            ),
        }
    }
    let mut actions: Vec<Action> = Vec::new();
    if let Some(item) = top.table.get("action") {
        for (table, span) in checker.tables(item, "action") {
            let section = checker.section_of(table, span.clone(), "action", ACTION);
            let id = checker.string(&section, "id");
            let description = checker.string(&section, "description");
            let reference = checker.string(&section, "reference");
            if let Some(reference) = &reference
                && !references.contains_key(reference)
            {
                let at = section.table.get("reference").and_then(Item::span);
                let known: Vec<&str> = references.keys().map(String::as_str).collect();
                checker.error(
                    at,
                    format!("action reference `{reference}` is not in [references]"),
                    Some(format!("one of {}", known.join(", "))),
                );
            }
            let mut gates = Vec::new();
            let gate_items: Vec<(Option<String>, Option<std::ops::Range<usize>>)> = section
                .table
                .get("gates")
                .and_then(Item::as_array)
                .map(|a| {
                    a.iter()
                        .map(|v| (v.as_str().map(str::to_owned), v.span()))
                        .collect()
                })
                .unwrap_or_default();
            let _ = checker.string_list(&section, "gates");
            for (name, at) in gate_items {
                let Some(name) = name else { continue };
                match catalogue.iter().find(|g| g.id.as_str() == name) {
                    Some(meta) => gates.push(meta.id.clone()),
                    None => checker.error(
                        at,
                        format!("unknown gate `{name}`"),
                        Some("a gate id listed by `harden gates`".into()),
                    ),
                }
            }
            if section.table.get("gates").is_some()
                && gates.is_empty()
                && checker.diagnostics.is_empty()
            {
                checker.error(
                    span.map(|s| s.start..s.start + 1),
                    "an action must name at least one verifying gate",
                    Some("gates = [\"R3.secrets.history\"]".into()),
                );
            }
            if let Some(id) = &id
                && actions.iter().any(|a| &a.id == id)
            {
                let at = section.table.get("id").and_then(Item::span);
                checker.error(
                    at,
                    format!("duplicate action id `{id}`"),
                    Some("unique action ids".into()),
                );
            }
            if let (Some(id), Some(description), Some(reference)) = (id, description, reference) {
                actions.push(Action {
                    id,
                    description,
                    reference,
                    gates,
                });
            }
        }
    }
    let state_reason = checker.string(&top, "state-reason");
    let residual_risk = checker.string(&top, "residual-risk");
    if matches!(state, Some(PlanState::Blocked | PlanState::Aborted))
        && (state_reason.is_none() || residual_risk.is_none())
    {
        checker.error(
            state_span,
            "a blocked or aborted plan records why and what risk remains",
            Some("`state-reason` and `residual-risk`".into()),
        );
    }
    let plan = Plan {
        id: id.to_owned(),
        title: checker.string(&top, "title").unwrap_or_default(),
        objective: checker.string(&top, "objective").unwrap_or_default(),
        scope: checker.string(&top, "scope").unwrap_or_default(),
        state: state.unwrap_or(PlanState::Open),
        state_reason,
        references,
        actions,
        risks: checker.string_list(&top, "risks"),
        residual_risk,
    };
    checker.finish()?;
    Ok(plan)
}

/// A new plan file: a valid skeleton whose text says what to write.
pub fn plan_template(title: &str) -> String {
    let title = serde_json::to_string(title).unwrap_or_else(|_| "\"\"".into());
    format!(
        r#"# A hardening procedure. `harden plan verify ID` runs the gates its actions map to;
# `harden plan close ID --state completed` is refused until they all pass.
version = 1
title = {title}
objective = "What will be true when this procedure is done"
scope = "What it covers, and what it deliberately leaves out"
state = "open"
risks = ["What could go wrong while carrying it out"]
residual-risk = "What risk remains once it is done"

[references]
threat = "The threat it answers (e.g. leaked credentials in git history)"
# finding = "a finding fingerprint from a harden report"
# standard = "OWASP ASVS 5.0 V13.3.1"

[[action]]
id = "A1"
description = "The first step"
reference = "threat"
gates = ["R0.scope.declared"]
"#
    )
}

use std::fmt::Write as _;

/// A failing gate of a recorded run, as a plan made from findings names it.
#[derive(Debug, Clone)]
pub struct FailingGate {
    /// The gate.
    pub id: GateId,
    /// Its title.
    pub title: String,
    /// How many findings it reported.
    pub findings: usize,
    /// Its first finding's message, and the help to fix it, if any.
    pub first: Option<(String, Option<String>)>,
}

/// The text of a plan whose actions are to make each of `failing` pass (seed 002's procedure:
/// objective, scope, references, actions mapped to the verifying gate, risks). `run` names the
/// run the findings come from (`#12, commit 3f9c2e1, profile production`).
pub fn plan_from_findings(title: &str, run: &str, failing: &[FailingGate]) -> String {
    let quote = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into());
    let ids: Vec<&str> = failing.iter().map(|gate| gate.id.as_str()).collect();
    let mut out = format!(
        "# A hardening procedure made from the failing gates of run {run}.\n\
# `harden plan verify ID` runs the gates its actions map to; `harden plan close ID --state\n\
# completed` is refused until they all pass. Edit the descriptions into real steps.\n\
version = 1\n\
title = {}\n\
objective = {}\n\
scope = {}\n\
state = \"open\"\n\
risks = [\"A fix changes behaviour: run the test suite, and `harden plan verify` before closing\"]\n\
residual-risk = \"What risk remains once it is done\"\n\n[references]\n",
        quote(title),
        quote(&format!(
            "Every gate that failed in run {run} passes: {}",
            ids.join(", ")
        )),
        quote(&format!(
            "The findings of {} in run {run}; nothing else",
            ids.join(", ")
        )),
    );
    for gate in failing {
        let first = gate
            .first
            .as_ref()
            .map(|(message, _)| format!(", first: {message}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{} = {}",
            quote(gate.id.as_str()),
            quote(&format!(
                "{} ({} finding{} in run {run}{first})",
                gate.title,
                gate.findings,
                if gate.findings == 1 { "" } else { "s" }
            ))
        );
    }
    for (index, gate) in failing.iter().enumerate() {
        let description = match gate.first.as_ref().and_then(|(_, help)| help.as_deref()) {
            Some(help) => format!("Make {} pass: {help}", gate.id),
            None => format!("Make {} pass ({})", gate.id, gate.title),
        };
        let _ = write!(
            out,
            "\n[[action]]\nid = \"A{}\"\ndescription = {}\nreference = {}\ngates = [{}]\n",
            index + 1,
            quote(&description),
            quote(gate.id.as_str()),
            quote(gate.id.as_str())
        );
    }
    out
}
