use std::fmt::Write as _;
use std::path::Path;

use harden_ledger::LedgerStore;
use serde_json::{Value, json};

use crate::cli::LedgerArgs;
use crate::session::Session;
use crate::{UsageError, output};

fn open(args: &LedgerArgs) -> anyhow::Result<Session> {
    let session = Session::open_for_reading(&args.repo, &args.locations)?;
    if !session.has_ledger_or_anchor() {
        return Err(UsageError(format!(
            "no ledger at {} (run `harden check` first, or pass --ledger)",
            session.ledger_location
        ))
        .into());
    }
    Ok(session)
}

/// Runs `f` on the open store, or says there is none.
fn with_store<T>(
    session: &Session,
    f: impl FnOnce(&mut dyn LedgerStore) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let mut store = session
        .store
        .lock()
        .map_err(|_| anyhow::anyhow!("ledger lock poisoned"))?;
    match store.as_mut() {
        Some(store) => f(store.as_mut()),
        None => Err(UsageError(format!(
            "no ledger at {} (run `harden check` first, or pass --ledger)",
            session.ledger_location
        ))
        .into()),
    }
}

pub(crate) fn verify(args: &LedgerArgs) -> anyhow::Result<u8> {
    let session = open(args)?;
    let health = harden_engine::LedgerCheck::verify(&session.ledger_port())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let location = &health.location;
    match &health.broken {
        None => {
            let head = health
                .head
                .map(|h| format!(", head #{} {h}", health.entries))
                .unwrap_or_default();
            let anchored = session
                .anchor()
                .map(|a| format!(" and matches {}", a.describe()))
                .unwrap_or_default();
            output::emit(
                &format!(
                    "ledger {location}: {} entr{}, chain intact{anchored}{head}\n",
                    health.entries,
                    if health.entries == 1 { "y" } else { "ies" }
                ),
                None,
            )?;
            Ok(0)
        }
        Some(broken) => {
            output::error(&format!("ledger {location} is broken at {broken}"));
            Ok(1)
        }
    }
}

fn summary_of(kind: &str, body: &Value) -> String {
    if kind != "run" {
        return String::new();
    }
    let commit = body["commit"]
        .as_str()
        .map_or("no commit".to_owned(), |c| c.chars().take(7).collect());
    let dirty = if body["dirty"].as_bool() == Some(true) {
        " dirty"
    } else {
        ""
    };
    let s = &body["summary"];
    format!(
        "{} {commit}{dirty} · {} failed · {} passed · {} waived · {} skipped",
        body["profile"].as_str().unwrap_or("?"),
        s["failed"],
        s["passed"],
        s["waived"],
        s["skipped"]
    )
}

pub(crate) fn log(args: &LedgerArgs, limit: u64) -> anyhow::Result<u8> {
    let session = open(args)?;
    let Some(mut entries) = with_store(&session, |store| {
        let Some(head) = store.head()? else {
            return Ok(None);
        };
        Ok(Some(store.page(head.seq.saturating_sub(limit), limit)?))
    })?
    else {
        output::emit("ledger is empty\n", None)?;
        return Ok(0);
    };
    entries.reverse();
    let mut out = String::new();
    for entry in entries {
        let body: Value = serde_json::from_str(&entry.body).unwrap_or(Value::Null);
        let _ = writeln!(
            out,
            "#{:<6} {}  {:<10} {}  {}",
            entry.seq,
            entry.recorded_at,
            entry.kind,
            entry.hash.get(..12).unwrap_or(&entry.hash),
            summary_of(&entry.kind, &body)
        );
    }
    output::emit(&out, None)?;
    Ok(0)
}

fn entry_json(entry: &harden_ledger::Entry) -> Value {
    let body: Value =
        serde_json::from_str(&entry.body).unwrap_or(Value::String(entry.body.clone()));
    json!({
        "seq": entry.seq,
        "kind": entry.kind,
        "recorded_at": entry.recorded_at,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
        "body": body,
    })
}

pub(crate) fn show(args: &LedgerArgs, which: &str) -> anyhow::Result<u8> {
    let session = open(args)?;
    let entry = with_store(&session, |store| {
        let seq = if which == "head" {
            store
                .head()?
                .map(|h| h.seq)
                .ok_or_else(|| UsageError("the ledger is empty".into()))?
        } else {
            which.trim_start_matches('#').parse::<u64>().map_err(|_| {
                UsageError(format!(
                    "`{which}` is not an entry number: expected a number such as 12, #12, or head"
                ))
            })?
        };
        Ok(store
            .get(seq)?
            .ok_or_else(|| UsageError(format!("no entry #{seq} in the ledger")))?)
    })?;
    output::emit_verbatim(
        &format!("{}\n", serde_json::to_string_pretty(&entry_json(&entry))?),
        None,
    )?;
    Ok(0)
}

pub(crate) fn export(args: &LedgerArgs, file: Option<&Path>) -> anyhow::Result<u8> {
    let session = open(args)?;
    let mut out = String::new();
    with_store(&session, |store| {
        store.begin_read()?;
        let mut after = 0;
        loop {
            let page = store.page(after, 5_000)?;
            let Some(last) = page.last() else {
                break;
            };
            after = last.seq;
            for entry in &page {
                out.push_str(&serde_json::to_string(&entry_json(entry))?);
                out.push('\n');
            }
        }
        store.end_read()?;
        Ok(())
    })?;
    output::emit_verbatim(&out, file)?;
    Ok(0)
}
