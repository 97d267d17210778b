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
    /// The body as canonical JSON.
    pub canonical: String,
    /// For a run: what the run tables index.
    pub run: Option<Box<RunFacts>>,
    /// For a smoke record: what the streaks read.
    pub smoke: Option<SmokeRecord>,
}

/// What the run and waiver tables keep of a run.
#[derive(Debug)]
pub struct RunFacts {
    run_id: String,
    commit: Option<String>,
    dirty: Option<bool>,
    artifact: Option<String>,
    profile: String,
    strict: bool,
    counts: [i32; 4],
    findings: i32,
    finished_at: jiff::Timestamp,
    outcomes: Value,
    waivers: Waivers,
}

/// The waivers of a run, column by column (inserted with one `unnest`).
#[derive(Debug, Default)]
struct Waivers {
    ids: Vec<String>,
    gates: Vec<String>,
    expires: Vec<Date>,
    states: Vec<String>,
    owners: Vec<String>,
    reasons: Vec<String>,
    references: Vec<String>,
}

impl RunFacts {
    /// Reads them from a run report, or says what is wrong with it.
    pub fn of(report: &ReportV1) -> Result<Self, String> {
        let finished_at = report
            .finished_at
            .parse()
            .map_err(|_| "finished_at: expected an RFC 3339 time".to_owned())?;
        let outcomes: serde_json::Map<String, Value> = report
            .gates
            .iter()
            .map(|g| (g.id.clone(), Value::String(g.outcome.as_str().to_owned())))
            .collect();
        let findings: usize = report.gates.iter().map(|g| g.findings.len()).sum();
        let count = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        let mut waivers = Waivers::default();
        for waiver in &report.waivers {
            // The report names its waivers uniquely; a repeated handle is kept once.
            if waivers.ids.contains(&waiver.id) {
                continue;
            }
            let date: Date = waiver
                .expires
                .parse()
                .map_err(|_| format!("waiver {}: expires: expected YYYY-MM-DD", waiver.id))?;
            waivers.ids.push(waiver.id.clone());
            waivers.gates.push(waiver.gate.clone());
            waivers.expires.push(date);
            waivers.states.push(
                serde_json::to_value(waiver.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
            );
            waivers.owners.push(waiver.owner.clone());
            waivers.reasons.push(waiver.reason.clone());
            waivers.references.push(waiver.reference.clone());
        }
        Ok(Self {
            run_id: report.run_id.clone(),
            commit: report.commit.clone(),
            dirty: report.dirty,
            artifact: report.artifact.clone(),
            profile: report.profile.clone(),
            strict: report.strict,
            counts: [
                count(report.summary.passed),
                count(report.summary.failed),
                count(report.summary.waived),
                count(report.summary.skipped),
            ],
            findings: i32::try_from(findings).unwrap_or(i32::MAX),
            finished_at,
            outcomes: Value::Object(outcomes),
            waivers,
        })
    }
}

/// The columns [`run_summary`] reads, of `harden_runs` aliased `r`.
const RUN_COLUMNS: &str = "r.seq, r.run_id, r.commit_id, r.dirty, r.profile, r.strict, r.passed, \
r.failed, r.waived, r.skipped, r.findings, r.finished_at";

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

const FIND_KEY: &str =
    "SELECT push_key, seq, hash FROM harden_entries WHERE project_id = $1 AND push_key = $2";
const INSERT_ENTRY: &str = "INSERT INTO harden_entries
    (org_id, project_id, seq, kind, recorded_at, prev_hash, hash, body, push_key)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
const INSERT_RUN: &str = "INSERT INTO harden_runs (org_id, project_id, seq, run_id, commit_id,
    dirty, artifact, profile, strict, passed, failed, waived, skipped, findings, finished_at,
    outcomes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
/// Moves the head from exactly where it was read under the lock; otherwise the statement
/// fails, and with it the transaction and the COMMIT pipelined behind it.
const MOVE_HEAD: &str = "WITH moved AS (
        UPDATE harden_projects SET head_seq = $2, head_hash = $3
        WHERE id = $1 AND head_seq = $4 RETURNING 1
    )
    SELECT CASE WHEN count(*) = 1 THEN 1
                ELSE harden_fail('the project''s head moved during an append') END
    FROM moved";
const INSERT_SMOKE: &str = "INSERT INTO harden_smoke (org_id, project_id, seq, day, pass, failing)
    VALUES ($1, $2, $3, $4, $5, $6)";
const INSERT_WAIVERS: &str = "INSERT INTO harden_waivers
    (org_id, project_id, seq, waiver, gate, expires, state, owner, reason, reference)
    SELECT $1, $2, $3, * FROM unnest($4::TEXT[], $5::TEXT[], $6::DATE[], $7::TEXT[],
                                     $8::TEXT[], $9::TEXT[], $10::TEXT[])";

/// Appends `entries` to `project`'s chain in order, under the project row's lock. An entry
/// whose key the project has already seen is not appended again: its first place is returned.
///
/// The statements of each step are pipelined (sent together, run in order by PostgreSQL): a
/// push costs three round trips whatever it holds (begin; the lock and the keys; the writes
/// with the commit). The transaction is committed here, or rolled back.
pub async fn append(
    tenant: Tenant,
    project: ProjectId,
    entries: Vec<NewEntry>,
    now: jiff::Timestamp,
) -> Result<(String, Vec<PushedEntry>), StoreError> {
    match chain_and_write(&tenant, project, entries, now).await {
        Ok((appended, true)) => {
            tenant.committed();
            Ok(appended)
        }
        Ok((appended, false)) => {
            tenant.commit().await?;
            Ok(appended)
        }
        Err(StoreError::Db(error)) => Err(StoreError::Db(error)),
        Err(expected) => {
            tenant.rollback().await;
            Err(expected)
        }
    }
}

/// Chains and writes; `true` when the writes were committed with them.
async fn chain_and_write(
    tenant: &Tenant,
    project: ProjectId,
    entries: Vec<NewEntry>,
    now: jiff::Timestamp,
) -> Result<((String, Vec<PushedEntry>), bool), StoreError> {
    // One equality lookup per key. `push_key = ANY($2)` has no plan that stays good: the
    // generic plan PostgreSQL caches for it while a chain is short reads every entry of the
    // project, so a push took time in proportion to its chain's length.
    // Both prepared first, so nothing is awaited before their requests leave: the lock is
    // asked for first and the keys are read once it is held.
    let (lock, find_key) = tokio::try_join!(
        tenant.statement(
            "SELECT name, head_seq, head_hash FROM harden_projects WHERE id = $1 FOR UPDATE"
        ),
        tenant.statement(FIND_KEY),
    )?;
    // Biased: when the lock fails, every lookup behind it fails with "transaction aborted",
    // and the lock's own error is the one to report.
    let (locked, known) = tokio::try_join!(
        biased;
        tenant.query_prepared_opt(&lock, vec![Box::new(project.0)]),
        futures_util::future::try_join_all(entries.iter().map(|entry| {
            tenant.query_prepared_opt(
                &find_key,
                vec![Box::new(project.0), Box::new(entry.key.clone())],
            )
        })),
    )?;
    let known: Vec<Row> = known.into_iter().flatten().collect();
    let row = locked.ok_or(StoreError::NoProject)?;
    let name: String = row.get(0);
    let mut head = match row.get::<_, i64>(1) {
        0 => None,
        n => Some(Head {
            seq: u64::try_from(n).unwrap_or(0),
            hash: row.get(2),
        }),
    };
    let mut seen: Vec<(String, u64, String)> = known
        .iter()
        .map(|r| {
            (
                r.get(0),
                u64::try_from(r.get::<_, i64>(1)).unwrap_or(0),
                r.get(2),
            )
        })
        .collect();
    let mut out = Vec::with_capacity(entries.len());
    let mut chained: Vec<(NewEntry, Entry)> = Vec::new();
    for mut entry in entries {
        if let Some((_, seq, hash)) = seen.iter().find(|(key, ..)| *key == entry.key) {
            out.push(PushedEntry {
                key: entry.key.clone(),
                seq: *seq,
                hash: hash.clone(),
                created: false,
            });
            continue;
        }
        let canonical = std::mem::take(&mut entry.canonical);
        let next = chain::next_entry_canonical(head.as_ref(), &entry.kind, now, canonical)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        seen.push((entry.key.clone(), next.seq, next.hash.clone()));
        out.push(PushedEntry {
            key: entry.key.clone(),
            seq: next.seq,
            hash: next.hash.clone(),
            created: true,
        });
        head = Some(Head {
            seq: next.seq,
            hash: next.hash.clone(),
        });
        chained.push((entry, next));
    }
    let Some(head) = head.filter(|_| !chained.is_empty()) else {
        return Ok(((name, out), false));
    };
    let before = chained.first().map_or(0, |(_, e)| e.seq.saturating_sub(1));
    write(tenant, project, chained, &head, before).await?;
    Ok(((name, out), true))
}

/// Writes chained entries, their run rows and the new head, and commits, pipelined. Every
/// statement is prepared first and the requests are sent in order ([`Tenant::pipeline`]), so
/// the COMMIT is the last thing PostgreSQL reads; a write that fails aborts the transaction,
/// and that COMMIT rolls it back.
async fn write(
    tenant: &Tenant,
    project: ProjectId,
    chained: Vec<(NewEntry, Entry)>,
    head: &Head,
    before: u64,
) -> Result<(), StoreError> {
    let (insert_entry, insert_run, insert_waivers, insert_smoke, move_head) = tokio::try_join!(
        tenant.statement(INSERT_ENTRY),
        tenant.statement(INSERT_RUN),
        tenant.statement(INSERT_WAIVERS),
        tenant.statement(INSERT_SMOKE),
        tenant.statement(MOVE_HEAD),
    )?;
    let org = tenant.org().0;
    let mut writes = Vec::new();
    for (entry, chained) in chained {
        let at = seq(chained.seq);
        writes.push(tenant.execute_prepared(
            &insert_entry,
            vec![
                Box::new(org),
                Box::new(project.0),
                Box::new(at),
                Box::new(chained.kind),
                Box::new(chained.recorded_at),
                Box::new(chained.prev_hash),
                Box::new(chained.hash),
                Box::new(chained.body),
                Box::new(entry.key),
            ],
        ));
        if let Some(smoke) = entry.smoke {
            writes.push(tenant.execute_prepared(
                &insert_smoke,
                vec![
                    Box::new(org),
                    Box::new(project.0),
                    Box::new(at),
                    Box::new(smoke.date),
                    Box::new(smoke.pass),
                    Box::new(smoke.failing),
                ],
            ));
        }
        if let Some(run) = entry.run {
            let RunFacts {
                run_id,
                commit,
                dirty,
                artifact,
                profile,
                strict,
                counts,
                findings,
                finished_at,
                outcomes,
                waivers,
            } = *run;
            writes.push(tenant.execute_prepared(
                &insert_run,
                vec![
                    Box::new(org),
                    Box::new(project.0),
                    Box::new(at),
                    Box::new(run_id),
                    Box::new(commit),
                    Box::new(dirty),
                    Box::new(artifact),
                    Box::new(profile),
                    Box::new(strict),
                    Box::new(counts[0]),
                    Box::new(counts[1]),
                    Box::new(counts[2]),
                    Box::new(counts[3]),
                    Box::new(findings),
                    Box::new(finished_at),
                    Box::new(outcomes),
                ],
            ));
            if !waivers.ids.is_empty() {
                writes.push(tenant.execute_prepared(
                    &insert_waivers,
                    vec![
                        Box::new(org),
                        Box::new(project.0),
                        Box::new(at),
                        Box::new(waivers.ids),
                        Box::new(waivers.gates),
                        Box::new(waivers.expires),
                        Box::new(waivers.states),
                        Box::new(waivers.owners),
                        Box::new(waivers.reasons),
                        Box::new(waivers.references),
                    ],
                ));
            }
        }
    }
    writes.push(tenant.execute_prepared(
        &move_head,
        vec![
            Box::new(project.0),
            Box::new(seq(head.seq)),
            Box::new(head.hash.clone()),
            Box::new(seq(before)),
        ],
    ));
    tenant.pipeline_and_commit(writes).await?;
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

/// Every project of the organisation (or the one named `only`) with its latest run, failing
/// gates, smoke streak and expiring waivers: the overview, in two queries whatever the number
/// of projects.
pub async fn projects(
    tenant: &Tenant,
    today: Date,
    only: Option<&str>,
) -> Result<Vec<ProjectSummary>, StoreError> {
    let horizon = today
        .checked_add(jiff::Span::new().days(14))
        .unwrap_or(today);
    let rows = tenant
        .query(
            &format!(
                "SELECT p.id, p.name, p.head_seq, r.outcomes,
                    (SELECT count(*) FROM harden_waivers w
                     WHERE w.project_id = p.id AND w.seq = r.seq AND w.expires <= $1),
                    {RUN_COLUMNS}
                 FROM harden_projects p
                 LEFT JOIN LATERAL (
                    SELECT * FROM harden_runs r WHERE r.project_id = p.id ORDER BY r.seq DESC LIMIT 1
                 ) r ON true
                 WHERE $2::TEXT IS NULL OR p.name = $2
                 ORDER BY p.name"
            ),
            &[&horizon, &only],
        )
        .await?;
    // The overview counts streaks over the last 120 days (a longer one shows as 120).
    let smoke = tenant
        .query(
            "SELECT p.id, s.day, s.pass, s.failing FROM harden_projects p
             CROSS JOIN LATERAL (
                SELECT day, pass, failing FROM harden_smoke s
                WHERE s.project_id = p.id AND s.day >= $1
             ) s
             WHERE $2::TEXT IS NULL OR p.name = $2",
            &[&window_start(today, 120), &only],
        )
        .await?;
    let mut records: std::collections::HashMap<i64, Vec<SmokeRecord>> =
        std::collections::HashMap::new();
    for row in &smoke {
        records
            .entry(row.get(0))
            .or_default()
            .push(smoke_of(row, 1));
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

/// The first day of a window of `days` ending `today`.
fn window_start(today: Date, days: i64) -> Date {
    today
        .checked_sub(jiff::Span::new().days(days))
        .unwrap_or(today)
}

fn smoke_of(row: &Row, at: usize) -> SmokeRecord {
    SmokeRecord {
        date: row.get(at),
        time: String::new(),
        commit: None,
        pass: row.get(at + 1),
        checks: None,
        failing: row.get(at + 2),
        run_seq: 0,
    }
}

/// The project's smoke records of the last `days` days, newest first: by the day they record,
/// not by count, so a project that records often still shows its whole streak.
pub async fn smoke_records(
    tenant: &Tenant,
    project: ProjectId,
    today: Date,
    days: i64,
) -> Result<Vec<SmokeRecord>, StoreError> {
    Ok(tenant
        .query(
            "SELECT day, pass, failing FROM harden_smoke
             WHERE project_id = $1 AND day >= $2 ORDER BY seq DESC",
            &[&project.0, &window_start(today, days)],
        )
        .await?
        .iter()
        .map(|row| smoke_of(row, 0))
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
                "SELECT {RUN_COLUMNS} FROM harden_runs r
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
                "SELECT {RUN_COLUMNS}, outcomes FROM harden_runs r
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
                "SELECT {RUN_COLUMNS}, e.hash, e.body FROM harden_runs r
                 JOIN harden_entries e ON e.project_id = r.project_id AND e.seq = r.seq
                 WHERE r.project_id = $1 AND r.seq = $2"
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::db::Db;

    async fn explain(client: &tokio_postgres::Client, sql: &str) -> String {
        let rows = client.query(sql, &[]).await.unwrap();
        rows.iter()
            .map(|row| row.get::<_, String>(0))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The plan a push's key lookup gets once PostgreSQL caches a generic plan for it, made
    /// while the table's statistics still said the project was small: it must still read the
    /// one entry through the unique key, not every entry of the project.
    #[test]
    fn the_key_lookup_keeps_its_unique_index_whatever_the_statistics_say() {
        let cluster = harden_test::PgCluster::start();
        let url = cluster.fresh_database();
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async {
                let db = Db::connect(&url, 2, Duration::from_secs(10)).unwrap();
                db.migrate().await.unwrap();
                db.create_token("a", Some("shop"), &[1; 32], "a")
                    .await
                    .unwrap();
                let client = db.raw_client_for_tests().await;
                // Autovacuum would refresh the statistics this test keeps stale on purpose.
                client
                    .batch_execute("ALTER TABLE harden_entries SET (autovacuum_enabled = false)")
                    .await
                    .unwrap();
                let insert = |from: i64, to: i64| {
                    format!(
                        "INSERT INTO harden_entries SELECT o.id, p.id, g, 'run', 't', 'p', 'h',
                         'b', 'run:' || g FROM harden_projects p JOIN harden_orgs o
                         ON o.id = p.org_id, generate_series({from}, {to}) g"
                    )
                };
                client.batch_execute(&insert(1, 3)).await.unwrap();
                client.batch_execute("ANALYZE").await.unwrap();
                client.batch_execute(&insert(4, 5_000)).await.unwrap();
                client
                    .batch_execute(&format!(
                        "SET plan_cache_mode = force_generic_plan;
                         PREPARE find_key(BIGINT, TEXT) AS {}",
                        super::FIND_KEY
                    ))
                    .await
                    .unwrap();
                let plan = explain(&client, "EXPLAIN EXECUTE find_key(1, 'run:4000')").await;
                assert!(
                    plan.starts_with(
                        "Index Scan using harden_entries_project_id_push_key_key on harden_entries"
                    ),
                    "{plan}"
                );
                // The same lookup for a list of keys (`push_key = ANY($2)`), what a push used
                // to send, gets the scan here: the statistics are as misleading as intended.
                client
                    .batch_execute(
                        "PREPARE find_keys(BIGINT, TEXT[]) AS SELECT push_key, seq, hash
                         FROM harden_entries WHERE project_id = $1 AND push_key = ANY($2)",
                    )
                    .await
                    .unwrap();
                let plan = explain(&client, "EXPLAIN EXECUTE find_keys(1, '{run:4000}')").await;
                assert!(!plan.contains("push_key_key"), "{plan}");

                // Reads are planned for each execution.
                drop(client);
                let tenant = db.tenant_reading(crate::db::OrgId(1)).await.unwrap();
                let mode = tenant.query("SHOW plan_cache_mode", &[]).await.unwrap();
                assert_eq!(mode[0].get::<_, String>(0), "force_custom_plan");
            });
    }
}
