use std::fmt::Write as _;

use harden_model::GateMeta;
use serde_json::json;

use crate::cli::{ExplainArgs, GatesArgs, OutputFormat};
use crate::{UsageError, output};

pub(crate) fn list(args: &GatesArgs) -> anyhow::Result<u8> {
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
