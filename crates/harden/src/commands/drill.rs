//! `harden drill run|list`: the `[[drill]]` commands that prove a checklist item no scanner can
//! (a backup restored, a failover, a load test), run like preflight commands (own process
//! group, killed with its children at the timeout, bounded and redacted output) and recorded in
//! the ledger as the item's evidence.

use std::fmt::Write as _;

use serde_json::json;

use crate::cli::{AttestArgs, RepoOption};
use crate::session::Session;
use crate::{UsageError, output};

/// The ledger's record of one drill run.
const KIND: &str = "drill";

pub(crate) fn run(repo: &RepoOption, name: &str) -> anyhow::Result<u8> {
    let session = Session::open(&repo.path, &repo.locations)?;
    let Some(drill) = session.config.drills.iter().find(|d| d.name == name) else {
        let names: Vec<&str> = session
            .config
            .drills
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        return Err(UsageError(if names.is_empty() {
            format!("no drill `{name}`: harden.toml declares no [[drill]]")
        } else {
            format!("no drill `{name}`: expected one of {}", names.join(", "))
        })
        .into());
    };
    // A drill may take half an hour: say so on a terminal, and nothing in CI logs.
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        output::note(&format!(
            "running drill {} ({}), for up to {}…",
            drill.name,
            drill.proves,
            harden_config::format_duration(drill.command.timeout)
        ));
    }
    let secrets = crate::commands::smoke::known_secrets(&session);
    let result = crate::preflight::run_all(
        &session.root,
        std::slice::from_ref(&drill.command),
        &secrets,
    )
    .remove(0);
    let expected = drill
        .expect_output
        .as_deref()
        .is_none_or(|text| result.output.contains(text));
    let passed = result.passed && expected;
    let commit = session.head_commit();
    let entry = session.append(
        KIND,
        &json!({
            "drill": drill.name,
            "proves": drill.proves,
            "gate": harden_gates::checklist::item_named(&drill.proves).and_then(harden_gates::checklist::Item::gate),
            "owner": drill.owner,
            "commit": commit,
            "passed": passed,
            "exit_code": result.exit_code,
            "timed_out": result.timed_out,
            "expected_output_found": expected,
            "duration_ms": result.duration_ms,
            "command": result.command,
            "output": result.output,
        }),
        session.now(),
    )?;
    let why = if result.timed_out {
        format!(
            "timed out after {} and was killed with its children",
            harden_config::format_duration(drill.command.timeout)
        )
    } else if !result.passed {
        format!(
            "exited with {}",
            result
                .exit_code
                .map_or_else(|| "a signal".to_owned(), |c| c.to_string())
        )
    } else if !expected {
        format!(
            "exited 0 but its output lacks `{}`",
            drill.expect_output.as_deref().unwrap_or_default()
        )
    } else {
        "succeeded".to_owned()
    };
    let mut text = format!(
        "drill {} ({}) {why} in {:.1} s: recorded as ledger #{}\n",
        drill.name,
        drill.proves,
        result.duration_ms as f64 / 1000.0,
        entry.seq
    );
    if !passed {
        let tail: Vec<&str> = result.output.lines().rev().take(20).collect();
        for line in tail.into_iter().rev() {
            let _ = writeln!(text, "  | {line}");
        }
    }
    output::emit(&text, None)?;
    Ok(u8::from(!passed))
}

pub(crate) fn list(repo: &RepoOption) -> anyhow::Result<u8> {
    let session = Session::open_for_reading(&repo.path, &repo.locations)?;
    if session.config.drills.is_empty() {
        output::emit("no [[drill]] in harden.toml\n", None)?;
        return Ok(0);
    }
    let runs = session.entries(KIND)?;
    let now = session.now();
    let mut text = String::new();
    for drill in &session.config.drills {
        let last = runs.iter().rev().find_map(|entry| {
            let body: serde_json::Value = serde_json::from_str(&entry.body).ok()?;
            (body["drill"].as_str() == Some(drill.name.as_str())).then(|| {
                (
                    entry.recorded_at.clone(),
                    body["passed"].as_bool() == Some(true),
                )
            })
        });
        let state = match &last {
            None => "never run".to_owned(),
            Some((at, passed)) => {
                let age = at
                    .parse::<jiff::Timestamp>()
                    .ok()
                    .map(|t| now.duration_since(t));
                let due = drill.every.zip(age).is_some_and(|(every, age)| {
                    age.as_secs() > i64::try_from(every.as_secs()).unwrap_or(i64::MAX)
                });
                format!(
                    "{} on {}{}",
                    if *passed { "passed" } else { "FAILED" },
                    at.get(..10).unwrap_or(at),
                    if due { ", due again" } else { "" }
                )
            }
        };
        let _ = writeln!(
            text,
            "{:<20} {:<40} {:<16} {}",
            drill.name,
            drill.proves,
            drill.owner.as_deref().unwrap_or("(no owner)"),
            state
        );
    }
    output::emit(&text, None)?;
    Ok(0)
}

/// The ledger's record of an attestation.
pub(crate) const ATTESTATION: &str = "attestation";

pub(crate) fn attest(args: &AttestArgs) -> anyhow::Result<u8> {
    use harden_gates::checklist::{ITEMS, Item, Proof, item_named};
    let Some(item) = item_named(&args.item) else {
        let attestable: Vec<&str> = ITEMS.iter().filter_map(Item::gate).collect();
        return Err(UsageError(format!(
            "`{}` is no checklist gate or item: expected one of {} (or the item's text)",
            args.item,
            attestable.join(", ")
        ))
        .into());
    };
    if let Proof::Automatic(gates) = item.proof {
        return Err(UsageError(format!(
            "`{}` is proven by gates ({}), not by an attestation",
            item.text,
            gates.join(", ")
        ))
        .into());
    }
    let Some(valid_for) = harden_config::parse_duration(&args.expires) else {
        return Err(UsageError(format!(
            "--expires {}: expected a duration such as 90d",
            args.expires
        ))
        .into());
    };
    if args.by.trim().is_empty() {
        return Err(UsageError("--by: name who vouches for it".into()).into());
    }
    let evidence = if args.evidence.starts_with("https://") || args.evidence.starts_with("http://")
    {
        json!({"url": harden_model::mask_url_credentials(&args.evidence)})
    } else {
        let bytes =
            fs_err::read(&args.evidence).map_err(|e| UsageError(format!("--evidence: {e}")))?;
        json!({
            "file": args.evidence,
            "sha256": hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
            "bytes": bytes.len(),
        })
    };
    let session = Session::open(&args.repo.path, &args.repo.locations)?;
    let now = session.now();
    let until = now
        .checked_add(jiff::SignedDuration::try_from(valid_for).unwrap_or(jiff::SignedDuration::MAX))
        .unwrap_or(jiff::Timestamp::MAX);
    let entry = session.append(
        ATTESTATION,
        &json!({
            "item": item.text,
            "gate": item.gate(),
            "checklist": item.checklist.as_str(),
            "by": args.by,
            "evidence": evidence,
            "expires": until.to_string(),
            "note": args.note,
        }),
        now,
    )?;
    output::emit(
        &format!(
            "attested: {} ({}), by {}, until {}: ledger #{}\n",
            item.text,
            item.gate().unwrap_or_default(),
            args.by,
            until.strftime("%Y-%m-%d"),
            entry.seq
        ),
        None,
    )?;
    Ok(0)
}
