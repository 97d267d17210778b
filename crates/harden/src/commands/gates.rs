use std::fmt::Write as _;

use harden_model::GateMeta;
use serde_json::json;

use crate::cli::{ExplainArgs, GatesArgs, OutputFormat};
use crate::{UsageError, output};

/// Each checklist item with what proves it and its state from the ledger.
fn checklist(args: &GatesArgs) -> anyhow::Result<u8> {
    use harden_gates::checklist::{ITEMS, Proof};
    let session = crate::session::Session::open_for_reading(&args.repo.path, &args.repo.locations)?;
    // The newest run's outcome of every gate, and the newest result of every drill.
    let last_run: Option<(u64, serde_json::Value)> = session
        .entries("run")?
        .pop()
        .and_then(|entry| Some((entry.seq, serde_json::from_str(&entry.body).ok()?)));
    let records = harden_engine::LedgerCheck::records(
        &session.ledger_port(),
        &[
            harden_gates::checklist::standing::ATTESTATION,
            harden_gates::checklist::standing::DRILL,
        ],
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let now = session.now();
    let outcome = |gate: &str| -> Option<String> {
        let (_, body) = last_run.as_ref()?;
        body["gates"]
            .as_array()?
            .iter()
            .find(|g| g["id"].as_str() == Some(gate))
            .and_then(|g| g["outcome"].as_str().map(str::to_owned))
    };
    let mut rows = Vec::new();
    for item in ITEMS {
        let (proven_by, state) = match item.proof {
            Proof::Automatic(gates) => {
                let outcomes: Vec<Option<String>> = gates.iter().map(|g| outcome(g)).collect();
                let state = match &last_run {
                    None => "no run recorded".to_owned(),
                    Some((seq, _)) if outcomes.iter().all(|o| o.as_deref() == Some("pass")) => {
                        format!("pass (run #{seq})")
                    }
                    Some((seq, _)) if outcomes.iter().any(|o| o.as_deref() == Some("fail")) => {
                        format!("fail (run #{seq})")
                    }
                    Some((seq, _)) => format!("not proven (run #{seq}: skipped or not run)"),
                };
                (gates.join(", "), state)
            }
            Proof::Drillable(gate) | Proof::Attested(gate) => {
                let review = session
                    .config
                    .gates
                    .iter()
                    .find(|(id, _)| id.as_str() == gate)
                    .and_then(|(_, settings)| harden_gates::checklist::review_of(settings));
                let standing = harden_gates::checklist::standing(
                    item,
                    &records,
                    &session.config.drills,
                    review,
                    now,
                );
                let drill = harden_gates::checklist::drill_for(item, &session.config.drills);
                let by = match drill {
                    Some(drill) => format!("{gate} (drill {})", drill.name),
                    None => gate.to_owned(),
                };
                (by, standing.describe(now))
            }
        };
        rows.push((item, proven_by, state));
    }
    let text = if args.format == OutputFormat::Json {
        let items: Vec<_> = rows
            .iter()
            .map(|(item, by, state)| {
                json!({
                    "checklist": item.checklist.as_str(),
                    "item": item.text,
                    "class": item.proof.class(),
                    "proven_by": by,
                    "state": state,
                })
            })
            .collect();
        format!("{}\n", serde_json::to_string_pretty(&items)?)
    } else {
        let mut out = String::new();
        let mut current = "";
        for (item, by, state) in &rows {
            if item.checklist.as_str() != current {
                current = item.checklist.as_str();
                let _ = writeln!(out, "{current}");
            }
            let _ = writeln!(
                out,
                "  {:<10} {:<38} {:<40} {state}",
                item.proof.class(),
                item.text,
                by
            );
        }
        out
    };
    output::emit(&text, None)?;
    Ok(0)
}

pub(crate) fn list(args: &GatesArgs) -> anyhow::Result<u8> {
    if args.checklist {
        return checklist(args);
    }
    let catalogue = harden_gates::registry().catalogue();
    let text = match args.format {
        OutputFormat::Json => {
            let gates: Vec<_> = catalogue.iter().map(|g| meta_json(g)).collect();
            format!("{}\n", serde_json::to_string_pretty(&gates)?)
        }
        OutputFormat::Human => {
            let width = catalogue
                .iter()
                .map(|g| g.id.as_str().len())
                .max()
                .unwrap_or(0);
            let mut out = String::new();
            for gate in &catalogue {
                let _ = writeln!(
                    out,
                    "{:<width$}  {:<8}  {:<10}  {}",
                    gate.id.as_str(),
                    gate.severity.as_str(),
                    gate.min_profile.as_str(),
                    gate.title
                );
            }
            out
        }
        other => {
            return Err(UsageError(
                format!("`harden gates` prints human or json, not {other:?}").to_lowercase(),
            )
            .into());
        }
    };
    output::emit(&text, None)?;
    Ok(0)
}

fn meta_json(gate: &GateMeta) -> serde_json::Value {
    json!({
        "id": gate.id.as_str(),
        "round": gate.round.code(),
        "title": gate.title,
        "severity": gate.severity.as_str(),
        "target": gate.target,
        "profile": gate.min_profile.as_str(),
        "rationale": gate.rationale,
        "evidence": gate.evidence,
        "options": gate.options.iter().map(|o| json!({"key": o.key, "type": o.kind.expectation(), "help": o.help})).collect::<Vec<_>>(),
    })
}

/// What a secret rule finds and how: the rule id a secret finding names (`rule github-pat`).
fn explain_rule(rule: &harden_secrets::Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}\n", rule.id, rule.description);
    let _ = writeln!(
        out,
        "kind       secret rule, run by R3.secrets.tree, R3.secrets.history and R3.secrets.logs"
    );
    let _ = writeln!(out, "keywords   {}", rule.keywords.join(", "));
    let _ = writeln!(out, "pattern    {}", rule.pattern);
    if let Some(bits) = rule.min_entropy {
        let _ = writeln!(
            out,
            "entropy    at least {bits} bits per character (random-looking values only)"
        );
    }
    if rule.validator.is_some() {
        let _ = writeln!(
            out,
            "check      the value must also pass the format's own check (checksum, structure)"
        );
    }
    if rule.generic {
        let _ = writeln!(
            out,
            "judged by  the setting's name: sample values and names that are not secrets are dropped"
        );
    }
    if !rule.ignore_names.is_empty() {
        let _ = writeln!(
            out,
            "not for    names with {}",
            rule.ignore_names.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\nA finding of this rule is a credential that works until it is revoked: revoke and rotate it,\nthen load it from a secret store at runtime. A value that is not a secret: `allow` it in\n[secrets] (a regex of the value), `allow-paths` for fixtures, a waiver by the finding's\nfingerprint, or `# harden: allow R3.secrets.tree reason=\"...\" until=YYYY-MM-DD` on its\nline. Turn the rule off with [secrets] disable = [\"{}\"].",
        rule.id
    );
    out
}

pub(crate) fn explain(args: &ExplainArgs) -> anyhow::Result<u8> {
    let catalogue = harden_gates::registry().catalogue();
    if let Some(rule) = harden_secrets::RULES.iter().find(|r| r.id == args.id) {
        output::emit(&explain_rule(rule), None)?;
        return Ok(0);
    }
    let Some(gate) = catalogue.iter().find(|g| g.id.as_str() == args.id) else {
        let near: Vec<&str> = catalogue
            .iter()
            .map(|g| g.id.as_str())
            .chain(harden_secrets::RULES.iter().map(|r| r.id))
            .filter(|id| strsim::jaro_winkler(id, &args.id) > 0.85)
            .collect();
        let hint = if near.is_empty() {
            "see `harden gates` for the gates; secret rule ids (`github-pat`) are explained too"
                .to_owned()
        } else {
            format!("did you mean {}?", near.join(", "))
        };
        return Err(
            UsageError(format!("unknown gate or secret rule `{}`: {hint}", args.id)).into(),
        );
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}\n", gate.id, gate.title);
    let _ = writeln!(
        out,
        "round      {} {}",
        gate.round.code(),
        gate.round.name()
    );
    let _ = writeln!(
        out,
        "severity   {} (remap with [gates.\"{}\"] severity = \"...\")",
        gate.severity, gate.id
    );
    let _ = writeln!(out, "profile    {} and above", gate.min_profile.as_str());
    let _ = writeln!(
        out,
        "target     {}",
        if gate.target == harden_model::Target::Repository {
            "repository"
        } else {
            "running service"
        }
    );
    // What the gate reads, so a reader knows which languages and files it covers and why it
    // skips a repository that has none of them.
    if let Some(items) = &gate.items {
        let _ = writeln!(
            out,
            "{}",
            textwrap::fill(
                &format!("reads      {} ({})", items.name, items.globs.join(", ")),
                textwrap::Options::new(96).subsequent_indent("           "),
            )
        );
    }
    let _ = writeln!(out, "evidence   {}\n", gate.evidence.join(", "));
    let _ = writeln!(out, "{}", textwrap::fill(gate.rationale, 96));
    if !gate.options.is_empty() {
        let _ = writeln!(out, "\noptions in [gates.\"{}\"]:", gate.id);
        for option in gate.options {
            let _ = writeln!(
                out,
                "  {:<16} {}: {}",
                option.key,
                option.kind.expectation(),
                option.help
            );
        }
    }
    output::emit(&out, None)?;
    Ok(0)
}
