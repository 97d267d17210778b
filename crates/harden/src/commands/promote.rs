use harden_rollout::{PromotionQuery, RunRecord, find_proof};
use serde_json::json;

use crate::cli::{OutputFormat, RepoArgs};
use crate::commands::check::valid_artifact;
use crate::session::Session;
use crate::{UsageError, output};

pub(crate) fn check(
    repo: &RepoArgs,
    commit: &str,
    profile: &str,
    max_age: &str,
    artifact: Option<&str>,
    format: OutputFormat,
) -> anyhow::Result<u8> {
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
    session.profile(Some(profile))?;
    let runs: Vec<RunRecord> = session
        .entries("run")?
        .iter()
        .filter_map(|entry| {
            let body: serde_json::Value = serde_json::from_str(&entry.body).ok()?;
            RunRecord::from_report(entry.seq, &entry.hash, &body)
        })
        .collect();
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
