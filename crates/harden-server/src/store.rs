//! What the API and the dashboard read and write, as queries over one organisation's
//! [`Tenant`] transaction. Every read is served by an index on the project (and kind, or
//! sequence number); none scans a whole chain except verification, which pages through it.

use harden_ledger::chain::{self, Entry, Head, Verifier};
use harden_report::json::ReportV1;
use harden_rollout::smoke::SmokeRecord;
use jiff::civil::Date;
use serde_json::Value;
use tokio_postgres::Row;

use crate::db::{DbError, ProjectId, Tenant};
use crate::model::{
    FailingGate, GateOutcome, ProjectSummary, PushedEntry, RunSummary, Verification, WaiverInfo,
};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The entry cannot be chained (a float in the body, a bad kind).
    #[error("{0}")]
    Invalid(String),
    /// The project is not the caller's, or does not exist: the same answer either way.
    #[error("no such project")]
    NoProject,
}

/// An entry checked and ready to append.
#[derive(Debug)]
pub struct NewEntry {
    /// Kind.
    pub kind: String,
    /// Push key.
    pub key: String,
    /// Body.
    pub body: Value,
    /// For a run: the report, read from the body.
    pub run: Option<Box<ReportV1>>,
}

const RUN_COLUMNS: &str = "seq, run_id, commit_id, dirty, profile, strict, passed, failed, \
waived, skipped, findings, finished_at";

fn run_summary(row: &Row, at: usize) -> RunSummary {
    let count = |i: usize| u32::try_from(row.get::<_, i32>(at + i)).unwrap_or(0);
    RunSummary {
        seq: u64::try_from(row.get::<_, i64>(at)).unwrap_or(0),
        run_id: row.get(at + 1),
        commit: row.get(at + 2),
        dirty: row.get(at + 3),
        profile: row.get(at + 4),
        strict: row.get(at + 5),
        passed: count(6),
        failed: count(7),
        waived: count(8),
        skipped: count(9),
        findings: count(10),
        finished_at: row.get::<_, jiff::Timestamp>(at + 11).to_string(),
    }
}

fn seq(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Appends `entries` to `project`'s chain in order, under the project row's lock. An entry
/// whose key the project has already seen is not appended again: its first place is returned.
pub async fn append(
    tenant: &Tenant,
    project: ProjectId,
    entries: &[NewEntry],
    now: jiff::Timestamp,
) -> Result<(String, Vec<PushedEntry>), StoreError> {
    let row = tenant
        .query_opt(
            "SELECT name, head_seq, head_hash FROM harden_projects WHERE id = $1 FOR UPDATE",
            &[&project.0],
        )
        .await?
        .ok_or(StoreError::NoProject)?;
    let name: String = row.get(0);
    let mut head = match row.get::<_, i64>(1) {
        0 => None,
        n => Some(Head {
            seq: u64::try_from(n).unwrap_or(0),
            hash: row.get(2),
        }),
    };
    let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    let mut seen: Vec<(String, u64, String)> = tenant
        .query(
            "SELECT push_key, seq, hash FROM harden_entries
             WHERE project_id = $1 AND push_key = ANY($2)",
            &[&project.0, &keys],
        )
        .await?
        .iter()
        .map(|r| {
            (
                r.get(0),
                u64::try_from(r.get::<_, i64>(1)).unwrap_or(0),
                r.get(2),
            )
        })
        .collect();
    let org = tenant.org().0;
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        if let Some((_, seq, hash)) = seen.iter().find(|(key, ..)| *key == entry.key) {
            out.push(PushedEntry {
                key: entry.key.clone(),
                seq: *seq,
                hash: hash.clone(),
                created: false,
            });
            continue;
        }
        let chained = chain::next_entry(head.as_ref(), &entry.kind, now, &entry.body)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        tenant
            .execute(
                "INSERT INTO harden_entries
                 (org_id, project_id, seq, kind, recorded_at, prev_hash, hash, body, push_key)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    &org,
                    &project.0,
                    &seq(chained.seq),
                    &chained.kind,
                    &chained.recorded_at,
                    &chained.prev_hash,
                    &chained.hash,
                    &chained.body,
                    &entry.key,
                ],
            )
            .await?;
        if let Some(report) = &entry.run {
            insert_run(tenant, project, chained.seq, report).await?;
        }
        seen.push((entry.key.clone(), chained.seq, chained.hash.clone()));
        out.push(PushedEntry {
            key: entry.key.clone(),
            seq: chained.seq,
            hash: chained.hash.clone(),
            created: true,
        });
        head = Some(Head {
            seq: chained.seq,
            hash: chained.hash,
        });
    }
    if let Some(head) = &head {
        tenant
            .execute(
                "UPDATE harden_projects SET head_seq = $2, head_hash = $3
                 WHERE id = $1 AND head_seq < $2",
                &[&project.0, &seq(head.seq), &head.hash],
            )
            .await?;
    }
    Ok((name, out))
}

async fn insert_run(
    tenant: &Tenant,
    project: ProjectId,
    at: u64,
    report: &ReportV1,
) -> Result<(), StoreError> {
    let finished: jiff::Timestamp = report
        .finished_at
        .parse()
        .map_err(|e| StoreError::Invalid(format!("finished_at: {e}")))?;
    let outcomes: serde_json::Map<String, Value> = report
        .gates
        .iter()
        .map(|g| (g.id.clone(), Value::String(g.outcome.as_str().to_owned())))
        .collect();
    let findings: usize = report.gates.iter().map(|g| g.findings.len()).sum();
    let count = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    tenant
        .execute(
            "INSERT INTO harden_runs (org_id, project_id, seq, run_id, commit_id, dirty, artifact,
             profile, strict, passed, failed, waived, skipped, findings, finished_at, outcomes)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            &[
                &tenant.org().0,
                &project.0,
                &seq(at),
                &report.run_id,
                &report.commit,
                &report.dirty,
                &report.artifact,
                &report.profile,
                &report.strict,
                &count(report.summary.passed),
                &count(report.summary.failed),
                &count(report.summary.waived),
                &count(report.summary.skipped),
                &i32::try_from(findings).unwrap_or(i32::MAX),
                &finished,
                &Value::Object(outcomes),
            ],
        )
        .await?;
    if report.waivers.is_empty() {
        return Ok(());
    }
    let mut ids = Vec::new();
    let mut gates = Vec::new();
    let mut expires = Vec::new();
    let mut states = Vec::new();
    let mut owners = Vec::new();
    let mut reasons = Vec::new();
    let mut references = Vec::new();
    for waiver in &report.waivers {
        // Two waivers with one handle would break the key; the report names them uniquely.
        if ids.contains(&waiver.id) {
            continue;
        }
        let date: Date = waiver
            .expires
            .parse()
            .map_err(|e| StoreError::Invalid(format!("waiver {}: expires: {e}", waiver.id)))?;
        ids.push(waiver.id.clone());
        gates.push(waiver.gate.clone());
        expires.push(date);
        states.push(
            serde_json::to_value(waiver.state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        );
        owners.push(waiver.owner.clone());
        reasons.push(waiver.reason.clone());
        references.push(waiver.reference.clone());
    }
    tenant
        .execute(
            "INSERT INTO harden_waivers
             (org_id, project_id, seq, waiver, gate, expires, state, owner, reason, reference)
             SELECT $1, $2, $3, * FROM unnest($4::TEXT[], $5::TEXT[], $6::DATE[], $7::TEXT[],
                                              $8::TEXT[], $9::TEXT[], $10::TEXT[])",
            &[
                &tenant.org().0,
                &project.0,
                &seq(at),
                &ids,
                &gates,
                &expires,
                &states,
                &owners,
                &reasons,
                &references,
            ],
        )
        .await?;
    Ok(())
}

/// The organisation's name.
pub async fn organisation(tenant: &Tenant) -> Result<String, StoreError> {
    let row = tenant
        .query_opt(
            "SELECT name FROM harden_orgs WHERE id = $1",
            &[&tenant.org().0],
        )
        .await?
        .ok_or(StoreError::NoProject)?;
    Ok(row.get(0))
}

/// A project of the organisation by name: its id and head.
pub async fn project(tenant: &Tenant, name: &str) -> Result<(ProjectId, Option<Head>), StoreError> {
    let row = tenant
        .query_opt(
            "SELECT id, head_seq, head_hash FROM harden_projects WHERE name = $1",
            &[&name],
        )
        .await?
        .ok_or(StoreError::NoProject)?;
    let head = match row.get::<_, i64>(1) {
        0 => None,
        n => Some(Head {
            seq: u64::try_from(n).unwrap_or(0),
            hash: row.get(2),
        }),
    };
    Ok((ProjectId(row.get(0)), head))
}

fn failing(outcomes: &Value) -> Vec<FailingGate> {
    let mut failing: Vec<FailingGate> = outcomes
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, outcome)| outcome.as_str() == Some("fail"))
        .map(|(gate, _)| FailingGate {
            round: gate.split('.').next().unwrap_or_default().to_owned(),
            gate: gate.clone(),
        })
        .collect();
    failing.sort_by(|a, b| (&a.round, &a.gate).cmp(&(&b.round, &b.gate)));
    failing
}

/// Every project of the organisation with its latest run, failing gates, smoke streak and
/// expiring waivers: the overview, in three queries whatever the number of projects.
pub async fn projects(tenant: &Tenant, today: Date) -> Result<Vec<ProjectSummary>, StoreError> {
    let horizon = today
        .checked_add(jiff::Span::new().days(14))
        .unwrap_or(today);
    let rows = tenant
        .query(
            &format!(
                "SELECT p.id, p.name, p.head_seq, r.outcomes,
                    (SELECT count(*) FROM harden_waivers w
                     WHERE w.project_id = p.id AND w.seq = r.seq AND w.expires <= $1),
                    {}
                 FROM harden_projects p
                 LEFT JOIN LATERAL (
                    SELECT * FROM harden_runs r WHERE r.project_id = p.id ORDER BY r.seq DESC LIMIT 1
                 ) r ON true
                 ORDER BY p.name",
                RUN_COLUMNS
                    .split(", ")
                    .map(|c| format!("r.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &[&horizon],
        )
        .await?;
    let smoke = tenant
        .query(
            "SELECT p.id, e.body FROM harden_projects p
             CROSS JOIN LATERAL (
                SELECT body FROM harden_entries e
                WHERE e.project_id = p.id AND e.kind = 'smoke' ORDER BY e.seq DESC LIMIT 120
             ) e",
            &[],
        )
        .await?;
    let mut records: std::collections::HashMap<i64, Vec<SmokeRecord>> =
        std::collections::HashMap::new();
    for row in &smoke {
        if let Some(record) = smoke_record(row.get(1)) {
            records.entry(row.get(0)).or_default().push(record);
        }
    }
    Ok(rows
        .iter()
        .map(|row| {
            let id: i64 = row.get(0);
            let ran = row.get::<_, Option<i64>>(5).is_some();
            let streak = harden_rollout::smoke::streak(
                records.get(&id).map_or(&[][..], Vec::as_slice),
                today,
            );
            ProjectSummary {
                name: row.get(1),
                entries: u64::try_from(row.get::<_, i64>(2)).unwrap_or(0),
                last_run: ran.then(|| run_summary(row, 5)),
                failing: row
                    .get::<_, Option<Value>>(3)
                    .as_ref()
                    .map(failing)
                    .unwrap_or_default(),
                streak_days: streak.days,
                waivers_expiring: u32::try_from(row.get::<_, i64>(4)).unwrap_or(0),
            }
        })
        .collect())
}

fn smoke_record(body: &str) -> Option<SmokeRecord> {
    let value: Value = serde_json::from_str(body).ok()?;
    serde_json::from_value(value.get("record")?.clone()).ok()
}

/// The project's smoke records, newest first (at most `limit`).
pub async fn smoke_records(
    tenant: &Tenant,
    project: ProjectId,
    limit: i64,
) -> Result<Vec<SmokeRecord>, StoreError> {
    Ok(tenant
        .query(
            "SELECT body FROM harden_entries
             WHERE project_id = $1 AND kind = 'smoke' ORDER BY seq DESC LIMIT $2",
            &[&project.0, &limit],
        )
        .await?
        .iter()
        .filter_map(|row| smoke_record(row.get(0)))
        .collect())
}

/// Runs newest first, before entry `before` when given.
pub async fn runs(
    tenant: &Tenant,
    project: ProjectId,
    before: Option<u64>,
    limit: i64,
) -> Result<Vec<RunSummary>, StoreError> {
    let before = before.map_or(i64::MAX, seq);
    Ok(tenant
        .query(
            &format!(
                "SELECT {RUN_COLUMNS} FROM harden_runs
                 WHERE project_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3"
            ),
            &[&project.0, &before, &limit],
        )
        .await?
        .iter()
        .map(|row| run_summary(row, 0))
        .collect())
}

/// The latest run (strict runs only, when `strict`).
pub async fn latest_run(
    tenant: &Tenant,
    project: ProjectId,
    strict: bool,
) -> Result<Option<(RunSummary, Value)>, StoreError> {
    let row = tenant
        .query_opt(
            &format!(
                "SELECT {RUN_COLUMNS}, outcomes FROM harden_runs
                 WHERE project_id = $1 AND (strict OR NOT $2) ORDER BY seq DESC LIMIT 1"
            ),
            &[&project.0, &strict],
        )
        .await?;
    Ok(row.map(|row| (run_summary(&row, 0), row.get(12))))
}

/// One run with its entry hash and report.
pub async fn run(
    tenant: &Tenant,
    project: ProjectId,
    at: u64,
) -> Result<Option<(RunSummary, String, Value)>, StoreError> {
    let row = tenant
        .query_opt(
            &format!(
                "SELECT {}, e.hash, e.body FROM harden_runs r
                 JOIN harden_entries e ON e.project_id = r.project_id AND e.seq = r.seq
                 WHERE r.project_id = $1 AND r.seq = $2",
                RUN_COLUMNS
                    .split(", ")
                    .map(|c| format!("r.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &[&project.0, &seq(at)],
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let body: Value = serde_json::from_str(row.get(13))
        .map_err(|e| StoreError::Invalid(format!("stored run #{at}: {e}")))?;
    Ok(Some((run_summary(&row, 0), row.get(12), body)))
}

/// A gate's outcomes in the newest runs that ran it.
pub async fn gate_history(
    tenant: &Tenant,
    project: ProjectId,
    gate: &str,
    limit: i64,
) -> Result<Vec<GateOutcome>, StoreError> {
    Ok(tenant
        .query(
            "SELECT seq, commit_id, finished_at, outcomes ->> $2 FROM harden_runs
             WHERE project_id = $1 AND outcomes ? $2 ORDER BY seq DESC LIMIT $3",
            &[&project.0, &gate, &limit],
        )
        .await?
        .iter()
        .map(|row| GateOutcome {
            seq: u64::try_from(row.get::<_, i64>(0)).unwrap_or(0),
            commit: row.get(1),
            finished_at: row.get::<_, jiff::Timestamp>(2).to_string(),
            outcome: row.get(3),
        })
        .collect())
}

/// The waivers a run recorded, soonest expiry first.
pub async fn waivers(
    tenant: &Tenant,
    project: ProjectId,
    at: u64,
    today: Date,
) -> Result<Vec<WaiverInfo>, StoreError> {
    Ok(tenant
        .query(
            "SELECT waiver, gate, expires, state, owner, reason, reference FROM harden_waivers
             WHERE project_id = $1 AND seq = $2 ORDER BY expires, waiver",
            &[&project.0, &seq(at)],
        )
        .await?
        .iter()
        .map(|row| {
            let expires: Date = row.get(2);
            WaiverInfo {
                id: row.get(0),
                gate: row.get(1),
                expires: expires.to_string(),
                days_left: today
                    .until(expires)
                    .map_or(0, |span| i64::from(span.get_days())),
                state: row.get(3),
                owner: row.get(4),
                reason: row.get(5),
                reference: row.get(6),
            }
        })
        .collect())
}

/// The ids of the plans whose latest recorded state is `blocked`.
pub async fn blocked_plans(tenant: &Tenant, project: ProjectId) -> Result<Vec<String>, StoreError> {
    let rows = tenant
        .query(
            "SELECT body FROM harden_entries
             WHERE project_id = $1 AND kind = 'plan.state' ORDER BY seq",
            &[&project.0],
        )
        .await?;
    let mut states: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for row in &rows {
        let Ok(body) = serde_json::from_str::<Value>(row.get(0)) else {
            continue;
        };
        if let (Some(plan), Some(to)) = (body["plan"].as_str(), body["to"].as_str()) {
            states.insert(plan.to_owned(), to.to_owned());
        }
    }
    Ok(states
        .into_iter()
        .filter(|(_, state)| state == "blocked")
        .map(|(plan, _)| plan)
        .collect())
}

/// The runs of a commit (a prefix of at least 7 hex digits), as promotion reads them.
pub async fn runs_of_commit(
    tenant: &Tenant,
    project: ProjectId,
    commit: &str,
) -> Result<Vec<harden_rollout::promote::RunRecord>, StoreError> {
    let upper = format!("{commit}g");
    Ok(tenant
        .query(
            "SELECT r.seq, e.hash, r.commit_id, r.dirty, r.profile, r.failed, r.finished_at,
                    r.artifact
             FROM harden_runs r
             JOIN harden_entries e ON e.project_id = r.project_id AND e.seq = r.seq
             WHERE r.project_id = $1
               AND r.commit_id COLLATE \"C\" >= $2 AND r.commit_id COLLATE \"C\" < $3
             ORDER BY r.seq DESC LIMIT 200",
            &[&project.0, &commit, &upper],
        )
        .await?
        .iter()
        .map(|row| harden_rollout::promote::RunRecord {
            seq: u64::try_from(row.get::<_, i64>(0)).unwrap_or(0),
            hash: row.get(1),
            commit: row.get(2),
            dirty: row.get(3),
            profile: row.get(4),
            failed: u32::try_from(row.get::<_, i32>(5)).unwrap_or(0),
            finished_at: row.get(6),
            artifact: row.get(7),
        })
        .collect())
}

/// Recomputes the project's whole chain, a page at a time, against its recorded head.
pub async fn verify(
    tenant: &Tenant,
    project: ProjectId,
    head: Option<&Head>,
) -> Result<Verification, StoreError> {
    const PAGE: i64 = 2_000;
    let mut verifier = Verifier::new();
    let mut after = 0_i64;
    loop {
        let rows = tenant
            .query(
                "SELECT seq, kind, recorded_at, prev_hash, hash, body FROM harden_entries
                 WHERE project_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                &[&project.0, &after, &PAGE],
            )
            .await?;
        for row in &rows {
            let entry = Entry {
                seq: u64::try_from(row.get::<_, i64>(0)).unwrap_or(0),
                kind: row.get(1),
                recorded_at: row.get(2),
                prev_hash: row.get(3),
                hash: row.get(4),
                body: row.get(5),
                signature: None,
            };
            after = row.get(0);
            if let Err(broken) = verifier.push(&entry) {
                return Ok(Verification {
                    verified: false,
                    entries: entry.seq.saturating_sub(1),
                    head: head.map(|h| format!("{}:{}", h.seq, h.hash)),
                    broken: Some(broken.to_string()),
                });
            }
        }
        if rows.len() < usize::try_from(PAGE).unwrap_or(usize::MAX) {
            break;
        }
    }
    Ok(match verifier.finish(head) {
        Ok(verified) => Verification {
            verified: true,
            entries: verified.entries,
            head: verified.head.map(|h| format!("{}:{}", h.seq, h.hash)),
            broken: None,
        },
        Err(broken) => Verification {
            verified: false,
            entries: 0,
            head: head.map(|h| format!("{}:{}", h.seq, h.hash)),
            broken: Some(broken.to_string()),
        },
    })
}

/// The newest entries of one kind: `(seq, recorded_at, body)`.
pub async fn recent_entries(
    tenant: &Tenant,
    project: ProjectId,
    kind: &str,
    limit: i64,
) -> Result<Vec<(u64, String, Value)>, StoreError> {
    Ok(tenant
        .query(
            "SELECT seq, recorded_at, body FROM harden_entries
             WHERE project_id = $1 AND kind = $2 ORDER BY seq DESC LIMIT $3",
            &[&project.0, &kind, &limit],
        )
        .await?
        .iter()
        .filter_map(|row| {
            Some((
                u64::try_from(row.get::<_, i64>(0)).ok()?,
                row.get(1),
                serde_json::from_str(row.get(2)).ok()?,
            ))
        })
        .collect())
}
