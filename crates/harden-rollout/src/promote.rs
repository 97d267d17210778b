//! Promotion checks: is there a green run of the required profile for exactly this commit,
//! recent enough, and for this artefact?

use std::fmt;
use std::time::Duration;

use serde::Serialize;

/// What promotion needs to know of one recorded run (read from a ledger `run` entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRecord {
    /// Ledger entry number.
    pub seq: u64,
    /// Ledger entry hash.
    pub hash: String,
    /// Commit examined.
    pub commit: Option<String>,
    /// Whether the tree differed from the commit.
    pub dirty: Option<bool>,
    /// Profile name.
    pub profile: String,
    /// Gates that failed.
    pub failed: u32,
    /// When the run finished.
    pub finished_at: jiff::Timestamp,
    /// Artefact digest the run vouched for.
    pub artifact: Option<String>,
}

impl RunRecord {
    /// Reads the fields from a `harden.report/v1` body.
    pub fn from_report(seq: u64, hash: &str, body: &serde_json::Value) -> Option<Self> {
        Some(Self {
            seq,
            hash: hash.to_owned(),
            commit: body["commit"].as_str().map(str::to_owned),
            dirty: body["dirty"].as_bool(),
            profile: body["profile"].as_str()?.to_owned(),
            failed: u32::try_from(body["summary"]["failed"].as_u64()?).ok()?,
            finished_at: body["finished_at"].as_str()?.parse().ok()?,
            artifact: body["artifact"].as_str().map(str::to_owned),
        })
    }
}

/// What must be proven.
#[derive(Debug, Clone)]
pub struct PromotionQuery {
    /// Full commit id (a unique prefix of at least 7 hex digits is accepted).
    pub commit: String,
    /// Required profile.
    pub profile: String,
    /// Oldest acceptable run.
    pub max_age: Duration,
    /// Required artefact digest, if any.
    pub artifact: Option<String>,
}

/// The run that proves the promotion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proof {
    /// The proving run.
    pub run: RunRecord,
}

/// Why promotion is refused: every run of the commit and what disqualified it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The commit asked about.
    pub commit: String,
    /// `(seq, reason)` for each run of that commit that did not qualify, newest first.
    pub rejected: Vec<(u64, String)>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rejected.is_empty() {
            return write!(
                f,
                "no run of commit {} is recorded in the ledger",
                self.commit
            );
        }
        write!(f, "no qualifying run of commit {}:", self.commit)?;
        for (seq, reason) in &self.rejected {
            write!(f, "\n  #{seq}: {reason}")?;
        }
        Ok(())
    }
}

fn same_commit(recorded: &str, asked: &str) -> bool {
    asked.len() >= 7 && recorded.starts_with(asked)
}

/// Finds the newest run that proves `query` at `now`, or says why none does.
pub fn find_proof(
    runs: &[RunRecord],
    query: &PromotionQuery,
    now: jiff::Timestamp,
) -> Result<Proof, Refusal> {
    let mut rejected = Vec::new();
    let mut ordered: Vec<&RunRecord> = runs.iter().collect();
    ordered.sort_by_key(|run| std::cmp::Reverse(run.seq));
    for run in ordered {
        if !run
            .commit
            .as_deref()
            .is_some_and(|c| same_commit(c, &query.commit))
        {
            continue;
        }
        let age = now.duration_since(run.finished_at);
        let reason = if run.dirty != Some(false) {
            Some(
                "the working tree was dirty: the run does not vouch for the commit alone"
                    .to_owned(),
            )
        } else if run.profile != query.profile {
            Some(format!("profile {}, not {}", run.profile, query.profile))
        } else if run.failed > 0 {
            Some(format!(
                "{} gate{} failed",
                run.failed,
                if run.failed == 1 { "" } else { "s" }
            ))
        } else if age.as_secs() > i64::try_from(query.max_age.as_secs()).unwrap_or(i64::MAX) {
            Some(format!(
                "finished {} ago, older than the {}s window",
                human_age(age),
                query.max_age.as_secs()
            ))
        } else if age.is_negative() {
            Some("finished in the future (clock skew)".to_owned())
        } else if let Some(wanted) = &query.artifact {
            match &run.artifact {
                Some(artifact) if artifact == wanted => None,
                Some(artifact) => Some(format!("vouched for artefact {artifact}, not {wanted}")),
                None => Some("recorded no artefact digest".to_owned()),
            }
        } else {
            None
        };
        match reason {
            None => return Ok(Proof { run: run.clone() }),
            Some(reason) => rejected.push((run.seq, reason)),
        }
    }
    Err(Refusal {
        commit: query.commit.clone(),
        rejected,
    })
}

fn human_age(age: jiff::SignedDuration) -> String {
    let hours = age.as_secs() / 3600;
    if hours >= 48 {
        format!("{} days", hours / 24)
    } else {
        format!("{hours} h {} min", (age.as_secs() % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMIT: &str = "3f9c2e1aa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5";
    const ARTIFACT: &str =
        "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    fn run(
        seq: u64,
        commit: &str,
        dirty: bool,
        profile: &str,
        failed: u32,
        at: &str,
        artifact: Option<&str>,
    ) -> RunRecord {
        RunRecord {
            seq,
            hash: format!("hash{seq}"),
            commit: Some(commit.into()),
            dirty: Some(dirty),
            profile: profile.into(),
            failed,
            finished_at: at.parse().unwrap(),
            artifact: artifact.map(str::to_owned),
        }
    }

    fn query(artifact: Option<&str>) -> PromotionQuery {
        PromotionQuery {
            commit: COMMIT.into(),
            profile: "production".into(),
            max_age: Duration::from_hours(24),
            artifact: artifact.map(str::to_owned),
        }
    }

    fn now() -> jiff::Timestamp {
        "2026-11-22T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_green_clean_recent_run_of_the_commit_proves_it() {
        let runs = [run(
            4,
            COMMIT,
            false,
            "production",
            0,
            "2026-11-22T08:00:00Z",
            Some(ARTIFACT),
        )];
        assert_eq!(find_proof(&runs, &query(None), now()).unwrap().run.seq, 4);
        assert_eq!(
            find_proof(&runs, &query(Some(ARTIFACT)), now())
                .unwrap()
                .run
                .seq,
            4
        );
        let short = PromotionQuery {
            commit: COMMIT[..7].into(),
            ..query(None)
        };
        assert_eq!(find_proof(&runs, &short, now()).unwrap().run.seq, 4);
    }

    #[test]
    fn each_disqualification_is_refused_with_its_reason() {
        let other = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        let cases = [
            (
                run(
                    1,
                    other,
                    false,
                    "production",
                    0,
                    "2026-11-22T08:00:00Z",
                    None,
                ),
                None,
                "no run of commit",
            ),
            (
                run(
                    2,
                    COMMIT,
                    true,
                    "production",
                    0,
                    "2026-11-22T08:00:00Z",
                    None,
                ),
                None,
                "dirty",
            ),
            (
                run(
                    3,
                    COMMIT,
                    false,
                    "production",
                    0,
                    "2026-11-20T08:00:00Z",
                    None,
                ),
                None,
                "older than",
            ),
            (
                run(
                    4,
                    COMMIT,
                    false,
                    "production",
                    2,
                    "2026-11-22T08:00:00Z",
                    None,
                ),
                None,
                "2 gates failed",
            ),
            (
                run(
                    5,
                    COMMIT,
                    false,
                    "prototype",
                    0,
                    "2026-11-22T08:00:00Z",
                    None,
                ),
                None,
                "profile prototype",
            ),
            (
                run(
                    6,
                    COMMIT,
                    false,
                    "production",
                    0,
                    "2026-11-22T08:00:00Z",
                    Some("sha256:2222222222222222222222222222222222222222222222222222222222222222"),
                ),
                Some(ARTIFACT),
                "not sha256:1111",
            ),
        ];
        for (record, artifact, expected) in cases {
            let refusal =
                find_proof(std::slice::from_ref(&record), &query(artifact), now()).unwrap_err();
            assert!(
                refusal.to_string().contains(expected),
                "#{}: {refusal}",
                record.seq
            );
        }
    }

    #[test]
    fn the_newest_qualifying_run_is_named() {
        let runs = [
            run(
                1,
                COMMIT,
                false,
                "production",
                0,
                "2026-11-22T07:00:00Z",
                None,
            ),
            run(
                2,
                COMMIT,
                false,
                "production",
                1,
                "2026-11-22T09:00:00Z",
                None,
            ),
            run(
                3,
                COMMIT,
                false,
                "production",
                0,
                "2026-11-22T10:00:00Z",
                None,
            ),
        ];
        assert_eq!(find_proof(&runs, &query(None), now()).unwrap().run.seq, 3);
    }
}
