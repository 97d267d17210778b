use harden_rollout::{PromotionQuery, RunRecord, find_proof};
use serde_json::json;

use crate::cli::{OutputFormat, RepoArgs};
use crate::commands::check::valid_artifact;
use crate::session::Session;
use crate::{UsageError, output};

/// What `promote check` is asked.
pub(crate) struct Asked<'a> {
    pub(crate) commit: &'a str,
    pub(crate) profile: &'a str,
    pub(crate) max_age: &'a str,
    pub(crate) artifact: Option<&'a str>,
    /// Decide from this attestation instead of the local ledger.
    pub(crate) attestation: Option<&'a std::path::Path>,
}

/// The run an attestation carries, once its signature verifies with the session's public key;
/// `Err` with why not (a refusal, not a usage error: a bad attestation proves nothing).
fn attested_run(
    session: &Session,
    file: &std::path::Path,
    artifact: Option<&str>,
) -> anyhow::Result<Result<RunRecord, String>> {
    let Some(verifier) = &session.verifier else {
        return Err(UsageError(
            "--attestation needs the signing key's public half: --public-key FILE (or $HARDEN_LEDGER_PUBLIC_KEY)".into(),
        )
        .into());
    };
    let text = fs_err::read_to_string(file).map_err(|e| UsageError(e.to_string()))?;
    let envelope: harden_ledger::attest::Envelope = serde_json::from_str(&text).map_err(|e| {
        UsageError(format!(
            "{}:{}:{}: not a DSSE envelope: {e}",
            file.display(),
            e.line(),
            e.column()
        ))
    })?;
    let statement = match envelope.open(verifier) {
        Ok(statement) => statement,
        Err(e) => {
            return Ok(Err(format!(
                "the attestation {} does not verify: {e}",
                file.display()
            )));
        }
    };
    let run = &statement.predicate;
    let Some(finished_at) = run.finished_at.parse().ok() else {
        return Ok(Err(format!(
            "the attested run's finish time `{}` is not a timestamp",
            run.finished_at
        )));
    };
    // The statement's subject is the artifact the run vouches for.
    let attested = artifact
        .filter(|wanted| {
            statement.subject.iter().any(|s| {
                s.digest
                    .get("sha256")
                    .is_some_and(|d| Some(d.as_str()) == wanted.strip_prefix("sha256:"))
            })
        })
        .map(str::to_owned)
        .or_else(|| run.artifact.clone());
    Ok(Ok(RunRecord {
        seq: run.ledger.seq,
        hash: run.ledger.hash.clone(),
        commit: run.commit.clone(),
        dirty: run.dirty,
        profile: run.profile.clone(),
        failed: u32::try_from(run.summary.failed).unwrap_or(u32::MAX),
        finished_at,
        artifact: attested,
    }))
}

pub(crate) fn check(
    repo: &RepoArgs,
    asked: &Asked<'_>,
    format: OutputFormat,
) -> anyhow::Result<u8> {
    let Asked {
        commit,
        profile,
        max_age,
        artifact,
        attestation,
    } = *asked;
    let max_age = harden_config::parse_duration(max_age).ok_or_else(|| {
        UsageError(format!(
            "--max-age {max_age}: expected a duration such as 24h or 7d"
        ))
    })?;
    if commit.len() < 7 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(UsageError(format!(
            "--commit {commit}: expected a commit id (at least 7 hex digits)"
        ))
        .into());
    }
    if let Some(artifact) = artifact
        && !valid_artifact(artifact)
    {
        return Err(UsageError(format!(
            "--artifact {artifact}: expected sha256: followed by 64 lowercase hex digits"
        ))
        .into());
    }
    let session = Session::open_for_reading(&repo.path, &repo.locations)?;
    let runs: Vec<RunRecord> = if let Some(file) = attestation {
        // Another machine's run: its profile need not be one this config names.
        match attested_run(&session, file, artifact)? {
            Ok(run) => vec![run],
            Err(why) => {
                let text = match format {
                    OutputFormat::Json => format!(
                        "{}\n",
                        serde_json::to_string_pretty(&json!({"allowed": false, "refusal": why}))?
                    ),
                    _ => format!("promotion refused: {why}\n"),
                };
                output::emit(&text, None)?;
                return Ok(1);
            }
        }
    } else {
        session.profile(Some(profile))?;
        session
            .entries("run")?
            .iter()
            .filter_map(|entry| {
                let body: serde_json::Value = serde_json::from_str(&entry.body).ok()?;
                RunRecord::from_report(entry.seq, &entry.hash, &body)
            })
            .collect()
    };
    let query = PromotionQuery {
        commit: commit.to_lowercase(),
        profile: profile.to_owned(),
        max_age,
        artifact: artifact.map(str::to_owned),
    };
    let now = session.now();
    let verdict = find_proof(&runs, &query, now);
    let text = match (&verdict, format) {
        (Ok(proof), OutputFormat::Json) => format!(
            "{}\n",
            serde_json::to_string_pretty(&json!({"allowed": true, "proof": proof}))?
        ),
        (Err(refusal), OutputFormat::Json) => format!(
            "{}\n",
            serde_json::to_string_pretty(&json!({"allowed": false, "refusal": refusal}))?
        ),
        (Ok(proof), _) => {
            let run = &proof.run;
            format!(
                "promotion allowed: commit {} is proven by ledger entry #{} ({}), profile {}, {} gates failed, clean tree, finished {}{}\n",
                run.commit.as_deref().unwrap_or_default(),
                run.seq,
                run.hash,
                run.profile,
                run.failed,
                run.finished_at,
                run.artifact
                    .as_deref()
                    .map(|a| format!(", artefact {a}"))
                    .unwrap_or_default()
            )
        }
        (Err(refusal), _) => format!("promotion refused: {refusal}\n"),
    };
    output::emit(&text, None)?;
    Ok(u8::from(verdict.is_err()))
}
