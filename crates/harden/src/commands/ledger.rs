use std::fmt::Write as _;
use std::path::Path;

use harden_ledger::LedgerStore;
use serde_json::{Value, json};

use crate::cli::{LedgerArgs, OutputFormat};
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

/// A head written `N:HASH` (`#N:HASH` too), as `harden ledger head` prints it.
fn parse_head(text: &str) -> Result<harden_ledger::Head, UsageError> {
    let invalid = |why: &str| {
        UsageError(format!(
            "--expect-head `{text}`: {why}: expected N:HASH, the entry number and its 64-hex-digit hash as `harden ledger head` prints them"
        ))
    };
    let (seq, hash) = text
        .trim()
        .split_once(':')
        .ok_or_else(|| invalid("no `:`"))?;
    let seq = seq
        .trim_start_matches('#')
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| invalid("the entry number is not a number from 1"))?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid("the hash is not 64 hexadecimal digits"));
    }
    Ok(harden_ledger::Head {
        seq,
        hash: hash.to_ascii_lowercase(),
    })
}

/// Why the chain does not hold `expected` any more, or `None` when it does.
fn missing_head(
    session: &Session,
    expected: &harden_ledger::Head,
) -> anyhow::Result<Option<String>> {
    with_store(session, |store| {
        Ok(match store.get(expected.seq)? {
            Some(entry) if entry.hash == expected.hash => None,
            Some(entry) => Some(format!(
                "entry #{} is {}, not the expected {}: the chain was rewritten from there or before",
                expected.seq, entry.hash, expected.hash
            )),
            None => Some(format!(
                "the ledger has no entry #{} (its head is {}): it was truncated or replaced",
                expected.seq,
                store
                    .head()?
                    .map_or_else(|| "empty".to_owned(), |h| format!("#{}", h.seq))
            )),
        })
    })
}

/// What the heads' signatures say, for `ledger verify`'s line: checked with the session's
/// public key, or noted as unchecked when the head is signed and there is no key; the first
/// entry whose signature fails otherwise.
fn signatures(session: &Session) -> anyhow::Result<Result<String, harden_ledger::Break>> {
    let Some(verifier) = &session.verifier else {
        let head_signed = with_store(session, |store| {
            Ok(match store.head()? {
                Some(head) => store.get(head.seq)?.and_then(|e| e.signature),
                None => None,
            })
        })?;
        return Ok(Ok(head_signed.map_or_else(String::new, |signature| {
            format!(
                ", heads signed by key {} (not checked: pass --public-key)",
                signature.key
            )
        })));
    };
    let checked = match with_store(session, |store| Ok(store.verify_signatures(verifier)?))? {
        Ok(checked) => checked,
        Err(broken) => return Ok(Err(broken)),
    };
    // Checking with a key means the ledger is signed: a ledger with no signature at all is one
    // whose signatures were removed (or one signing never began for), never a pass.
    if checked.signed == 0 && checked.unsigned_before > 0 {
        return Ok(Err(harden_ledger::Break {
            seq: checked.unsigned_before,
            reason: format!(
                "no entry is signed by key {}: the signatures were removed, or this ledger was never signed",
                verifier.key_id()
            ),
        }));
    }
    let mut note = format!(
        ", {} head{} signed by key {}",
        checked.signed,
        if checked.signed == 1 { "" } else { "s" },
        verifier.key_id()
    );
    if checked.unsigned_before > 0 {
        let _ = write!(
            note,
            " ({} entr{} before signing began)",
            checked.unsigned_before,
            if checked.unsigned_before == 1 {
                "y"
            } else {
                "ies"
            }
        );
    }
    Ok(Ok(note))
}

pub(crate) fn head(args: &LedgerArgs, format: OutputFormat) -> anyhow::Result<u8> {
    let session = open(args)?;
    let Some(head) = with_store(&session, |store| Ok(store.head()?))? else {
        return Err(UsageError("the ledger is empty: it has no head yet".into()).into());
    };
    let text = match format {
        OutputFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&json!({"seq": head.seq, "hash": head.hash}))?
        ),
        _ => format!("{}:{}\n", head.seq, head.hash),
    };
    output::emit_verbatim(&text, None)?;
    Ok(0)
}

pub(crate) fn verify(args: &LedgerArgs, expect_head: Option<&str>) -> anyhow::Result<u8> {
    let expected = expect_head.map(parse_head).transpose()?;
    let session = open(args)?;
    let health = harden_engine::LedgerCheck::verify(&session.ledger_port())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let location = &health.location;
    if health.broken.is_none()
        && let Some(expected) = &expected
        && let Some(why) = missing_head(&session, expected)?
    {
        output::error(&format!(
            "ledger {location} does not hold the expected head #{}: {why}",
            expected.seq
        ));
        return Ok(1);
    }
    let signed = if health.broken.is_none() {
        match signatures(&session)? {
            Ok(note) => note,
            Err(broken) => {
                output::error(&format!(
                    "ledger {location}: the signature of entry #{} fails: {}",
                    broken.seq, broken.reason
                ));
                return Ok(1);
            }
        }
    } else {
        String::new()
    };
    match &health.broken {
        None => {
            let head = health
                .head
                .map(|h| format!(", head #{} {h}", health.entries))
                .unwrap_or_default();
            let mut anchored = session
                .anchor()
                .map(|a| format!(" and matches {}", a.describe()))
                .unwrap_or_default();
            if let Some(expected) = &expected {
                let _ = write!(anchored, ", holds the expected head #{}", expected.seq);
            }
            output::emit(
                &format!(
                    "ledger {location}: {} entr{}, chain intact{anchored}{signed}{head}\n",
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
    let mut value = json!({
        "seq": entry.seq,
        "kind": entry.kind,
        "recorded_at": entry.recorded_at,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
        "body": body,
    });
    if let Some(signature) = &entry.signature {
        value["signature"] = json!({"key": signature.key, "sig": signature.sig});
    }
    value
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

/// The leaves of the tree of `size` entries (all when `None`), or a usage error naming why not.
fn leaves(
    session: &Session,
    size: Option<u64>,
) -> anyhow::Result<Vec<harden_ledger::merkle::Hash>> {
    with_store(session, |store| {
        store.leaves(size).map_err(|e| match e {
            harden_ledger::LedgerError::Format { message, .. } => UsageError(message).into(),
            other => anyhow::Error::from(other),
        })
    })
}

pub(crate) fn root(
    args: &LedgerArgs,
    size: Option<u64>,
    format: OutputFormat,
) -> anyhow::Result<u8> {
    let session = open(args)?;
    let head = harden_ledger::proof::tree_head(&leaves(&session, size)?);
    let text = match format {
        OutputFormat::Json => format!("{}\n", serde_json::to_string_pretty(&head)?),
        _ => format!("{head}\n"),
    };
    output::emit_verbatim(&text, None)?;
    Ok(0)
}

pub(crate) fn prove(
    args: &LedgerArgs,
    entry: Option<&str>,
    from: Option<u64>,
    size: Option<u64>,
    file: Option<&Path>,
) -> anyhow::Result<u8> {
    let session = open(args)?;
    let leaves = leaves(&session, size)?;
    let text = if let Some(from) = from {
        if from > leaves.len() as u64 {
            return Err(UsageError(format!(
                "--from {from}: the tree proven against has {} entries",
                leaves.len()
            ))
            .into());
        }
        let first = usize::try_from(from).unwrap_or(usize::MAX);
        serde_json::to_string_pretty(&harden_ledger::ConsistencyProof::build(&leaves, first))?
    } else {
        let which = entry.unwrap_or("head");
        let seq = if which == "head" {
            leaves.len() as u64
        } else {
            which.trim_start_matches('#').parse::<u64>().map_err(|_| {
                UsageError(format!(
                    "`{which}` is not an entry number: expected a number such as 12, #12, or head"
                ))
            })?
        };
        if seq == 0 || seq > leaves.len() as u64 {
            return Err(UsageError(format!(
                "no entry #{seq} in the tree of {} entries",
                leaves.len()
            ))
            .into());
        }
        let stored = with_store(&session, |store| {
            store
                .get(seq)?
                .ok_or_else(|| UsageError(format!("no entry #{seq} in the ledger")).into())
        })?;
        serde_json::to_string_pretty(&harden_ledger::InclusionProof::build(&leaves, stored))?
    };
    output::emit_verbatim(&format!("{text}\n"), file)?;
    Ok(0)
}

pub(crate) fn check_proof(file: &Path, root: Option<&str>) -> anyhow::Result<u8> {
    let expected = root
        .map(harden_ledger::TreeHead::parse)
        .transpose()
        .map_err(|e| UsageError(format!("--root {e}")))?;
    let text = fs_err::read_to_string(file).map_err(|e| UsageError(e.to_string()))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        UsageError(format!(
            "{}:{}:{}: not JSON: {e}",
            file.display(),
            e.line(),
            e.column()
        ))
    })?;
    let unreadable = |e: serde_json::Error| {
        UsageError(format!(
            "{}: not a {} proof: {e}",
            file.display(),
            value["format"].as_str().unwrap_or("harden ledger")
        ))
    };
    let (result, trees, what) = match value["format"].as_str() {
        Some(harden_ledger::proof::INCLUSION_FORMAT) => {
            let proof: harden_ledger::InclusionProof =
                serde_json::from_value(value.clone()).map_err(unreadable)?;
            let what = format!(
                "entry #{} is in the ledger of {} entries with root {}",
                proof.entry.seq, proof.tree.size, proof.tree.root
            );
            (proof.verify(), vec![proof.tree], what)
        }
        Some(harden_ledger::proof::CONSISTENCY_FORMAT) => {
            let proof: harden_ledger::ConsistencyProof =
                serde_json::from_value(value.clone()).map_err(unreadable)?;
            let what = format!(
                "the ledger of {} entries grew into the ledger of {} entries (root {}) without a change",
                proof.first.size, proof.second.size, proof.second.root
            );
            (proof.verify(), vec![proof.first, proof.second], what)
        }
        other => {
            return Err(UsageError(format!(
                "{}: `format` is {}: expected {} or {}",
                file.display(),
                other.map_or_else(|| "missing".to_owned(), |f| format!("`{f}`")),
                harden_ledger::proof::INCLUSION_FORMAT,
                harden_ledger::proof::CONSISTENCY_FORMAT
            ))
            .into());
        }
    };
    if let Err(why) = result {
        output::error(&format!(
            "{}: the proof does not hold: {why}",
            file.display()
        ));
        return Ok(1);
    }
    if let Some(expected) = &expected
        && !trees.contains(expected)
    {
        output::error(&format!(
            "{}: the proof holds, but for {}, not for the tree head {expected} given",
            file.display(),
            trees
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" and ")
        ));
        return Ok(1);
    }
    output::emit(&format!("{}: proof holds: {what}\n", file.display()), None)?;
    Ok(0)
}

pub(crate) fn attest(
    args: &LedgerArgs,
    entry: Option<&str>,
    subjects: &[String],
    subject_name: Option<&str>,
    file: Option<&Path>,
) -> anyhow::Result<u8> {
    use harden_ledger::attest::{Envelope, LedgerPosition, RunPredicate, Statement, Subject};
    let mut digests = Vec::new();
    for subject in subjects {
        let Some(hex) = subject.strip_prefix("sha256:").filter(|h| {
            h.len() == 64
                && h.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }) else {
            return Err(UsageError(format!(
                "--subject {subject}: expected sha256: followed by 64 lowercase hex digits"
            ))
            .into());
        };
        digests.push(hex.to_owned());
    }
    let Some(signer) = crate::session::signing_key(&args.locations)? else {
        return Err(UsageError(
            "an attestation is signed with the ledger's signing key: --signing-key FILE (or $HARDEN_SIGNING_KEY_FILE, $HARDEN_SIGNING_KEY)".into(),
        )
        .into());
    };
    let session = open(args)?;
    let stored = match entry {
        Some(which) => {
            let seq = which.trim_start_matches('#').parse::<u64>().map_err(|_| {
                UsageError(format!(
                    "`{which}` is not an entry number: expected a number such as 12 or #12"
                ))
            })?;
            with_store(&session, |store| {
                store
                    .get(seq)?
                    .ok_or_else(|| UsageError(format!("no entry #{seq} in the ledger")).into())
            })?
        }
        None => session.entries("run")?.pop().ok_or_else(|| {
            UsageError("the ledger holds no run yet: run `harden check` first".into())
        })?,
    };
    // Only what the chain vouches for is signed: a row edited behind the ledger's back (its
    // hash recomputed or not) must not leave this machine with a signature on it.
    let health = harden_engine::LedgerCheck::verify(&session.ledger_port())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(broken) = &health.broken {
        output::error(&format!(
            "ledger {} is broken at {broken}: refusing to attest",
            health.location
        ));
        return Ok(1);
    }
    let verifier = signer.verifier();
    if let Err(broken) = with_store(&session, |store| Ok(store.verify_signatures(&verifier)?))? {
        output::error(&format!(
            "ledger {}: the signature of entry #{} fails ({}): refusing to attest",
            health.location, broken.seq, broken.reason
        ));
        return Ok(1);
    }
    let tree = harden_ledger::proof::tree_head(&leaves(&session, None)?);
    let body: Value = serde_json::from_str(&stored.body).unwrap_or(Value::Null);
    let position = LedgerPosition {
        seq: stored.seq,
        hash: stored.hash.clone(),
        tree,
    };
    let Some(predicate) = (stored.kind == "run")
        .then(|| RunPredicate::from_report(&body, position))
        .flatten()
    else {
        return Err(UsageError(format!(
            "entry #{} is a `{}` entry, not a recorded run",
            stored.seq, stored.kind
        ))
        .into());
    };
    let statement = Statement {
        statement_type: harden_ledger::attest::STATEMENT_TYPE.to_owned(),
        subject: digests
            .into_iter()
            .map(|digest| Subject {
                name: subject_name.unwrap_or("_").to_owned(),
                digest: [("sha256".to_owned(), digest)].into(),
            })
            .collect(),
        predicate_type: harden_ledger::attest::PREDICATE_TYPE.to_owned(),
        predicate,
    };
    let envelope = Envelope::sign(&statement, &signer).map_err(|e| anyhow::anyhow!("{e}"))?;
    output::emit_verbatim(
        &format!("{}\n", serde_json::to_string_pretty(&envelope)?),
        file,
    )?;
    Ok(0)
}
