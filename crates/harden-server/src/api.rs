//! `/api/v1`: versioned JSON, described by the OpenAPI 3.1 document generated from these
//! handlers (`/api/v1/openapi.json`).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use harden_report::json::ReportV1;
use serde::Deserialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};

use crate::app::{ApiCaller, ApiPath, ApiQuery, AppState, Failure};
use crate::db::{ProjectId, Tenant};
use crate::model::{
    ApiError, CriterionInfo, ExitCriteria, FindingList, GateHistory, Health, ProjectList,
    Promotion, PushRequest, PushResponse, Rejected, RunDetail, RunList, SmokeDay, StreakInfo,
    Verification, WaiverList,
};
use crate::store::{self, NewEntry, RunFacts};

/// Entries one push may carry.
pub const MAX_ENTRIES: usize = 500;

/// How far back a streak is counted, in days (a longer one shows as this long).
const STREAK_DAYS: i64 = 400;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "harden team server",
        description = "Runs, gate history, findings, waivers, streaks, exit criteria, promotion \
and ledger verification for the projects of one organisation. Every route but the health checks \
takes a token (`Authorization: Bearer hst_…`) and answers for the token's organisation only.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    paths(
        push, projects, project, runs, run, gate_history, findings, waivers, streak,
        exit_criteria, promote, verify, healthz, readyz
    ),
    modifiers(&TokenAuth),
    tags(
        (name = "ingest", description = "Appending runs and records to a project's chain"),
        (name = "projects", description = "What the organisation's projects recorded"),
        (name = "rollout", description = "Streaks, exit criteria and promotion"),
        (name = "health", description = "Liveness and readiness")
    )
)]
struct ApiDoc;

struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("hst_ token")
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document of this server.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    env!("CARGO_PKG_VERSION").clone_into(&mut doc.info.version);
    doc
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/api/v1/entries", post(push))
        .route("/api/v1/projects", get(projects))
        .route("/api/v1/projects/{project}", get(project))
        .route("/api/v1/projects/{project}/runs", get(runs))
        .route("/api/v1/projects/{project}/runs/{seq}", get(run))
        .route("/api/v1/projects/{project}/gates/{gate}", get(gate_history))
        .route("/api/v1/projects/{project}/findings", get(findings))
        .route("/api/v1/projects/{project}/waivers", get(waivers))
        .route("/api/v1/projects/{project}/streak", get(streak))
        .route(
            "/api/v1/projects/{project}/exit-criteria",
            get(exit_criteria),
        )
        .route("/api/v1/projects/{project}/promote", get(promote))
        .route("/api/v1/projects/{project}/ledger/verify", get(verify))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn openapi_json() -> impl IntoResponse {
    Json(openapi())
}

/// Reads with a tenant transaction; commits it (reads leave nothing to commit, but a clean
/// end returns the connection to the pool).
pub(crate) async fn read<T>(
    state: &AppState,
    caller: &crate::db::Caller,
    f: impl AsyncFnOnce(&Tenant) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let tenant = state.db.tenant_reading(caller.org).await?;
    match f(&tenant).await {
        Ok(value) => {
            tenant.commit().await?;
            Ok(value)
        }
        // An answer the caller gets (not found): the connection goes back to the pool. After
        // a server error its state is unknown, and dropping the tenant closes it.
        Err(failure) if failure.status.is_client_error() => {
            tenant.rollback().await;
            Err(failure)
        }
        Err(failure) => Err(failure),
    }
}

async fn project_id(tenant: &Tenant, name: &str) -> Result<ProjectId, Failure> {
    Ok(store::project(tenant, name).await?.0)
}

/// Append entries to the token's project.
#[utoipa::path(
    post, path = "/api/v1/entries", tag = "ingest",
    request_body = PushRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried push harmless for entries that carry no key of their own: the same header value appends nothing twice")),
    responses(
        (status = 200, description = "Every entry is in the chain: appended now, or by an earlier push with the same key", body = PushResponse),
        (status = 400, description = "Not JSON", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "The token is an organisation token, which reads only", body = ApiError),
        (status = 413, description = "Body over 16 MiB", body = ApiError),
        (status = 422, description = "An entry is not what its kind requires", body = ApiError),
        (status = 429, description = "Too many failed attempts", body = ApiError)
    ),
    security(("token" = []))
)]
async fn push(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<PushResponse>, Failure> {
    let request: PushRequest = crate::app::json_body(&headers, &body)?;
    let idempotency = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(key)) if !key.is_empty() && key.len() <= 128 => Some(key.to_owned()),
        Some(_) => {
            return Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "Idempotency-Key: 1 to 128 visible ASCII characters",
            ));
        }
    };
    let Some(project) = caller.project else {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "an organisation token reads only: push with a project token",
        ));
    };
    if request.entries.is_empty() || request.entries.len() > MAX_ENTRIES {
        return Err(Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("a push carries 1 to {MAX_ENTRIES} entries"),
        ));
    }
    let entries = request
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, mut entry)| {
            if entry.key.is_none()
                && let Some(key) = &idempotency
            {
                entry.key = Some(format!("idempotency:{key}:{i}"));
            }
            checked(entry).map_err(|message| format!("entries[{i}]: {message}"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|message| Failure::new(StatusCode::UNPROCESSABLE_ENTITY, message))?;
    let tenant = state.db.tenant(caller.org).await?;
    let (name, pushed) = store::append(tenant, project, entries, state.clock.now()).await?;
    let created = pushed.iter().filter(|e| e.created).count();
    tracing::info!(project = %name, pushed = pushed.len(), created, "push");
    Ok(Json(PushResponse {
        project: name,
        entries: pushed,
    }))
}

/// Checks one pushed entry: its body's shape, and for a run the report it must be.
fn checked(entry: crate::model::PushEntry) -> Result<NewEntry, String> {
    use serde::Deserialize as _;
    if !entry.body.is_object() {
        return Err("body: expected a JSON object".into());
    }
    let canonical =
        harden_ledger::chain::canonical_json(&entry.body).map_err(|e| format!("body: {e}"))?;
    let smoke = if entry.kind == "smoke" {
        Some(
            harden_rollout::smoke::SmokeRecord::deserialize(&entry.body["record"])
                .map_err(|e| format!("body: not a smoke record ({{\"record\": {{...}}}}): {e}"))?,
        )
    } else {
        None
    };
    let run = if entry.kind == "run" {
        let report = ReportV1::deserialize(&entry.body)
            .map_err(|e| format!("body: not a harden.report/v1 run: {e}"))?;
        if report.schema != harden_report::json::SCHEMA {
            return Err(format!(
                "body: schema `{}`, expected {}",
                report.schema,
                harden_report::json::SCHEMA
            ));
        }
        Some(Box::new(
            RunFacts::of(&report).map_err(|e| format!("body: {e}"))?,
        ))
    } else {
        None
    };
    // Without a key a run is known by its id; any other entry is appended each time it is
    // sent (two identical plan states in a row are two events, not a retry).
    let key = match (entry.key, &entry.body["run_id"]) {
        (Some(key), _) => key,
        (None, serde_json::Value::String(run_id)) if run.is_some() => format!("run:{run_id}"),
        (None, _) => format!("unkeyed:{}", uuid::Uuid::new_v4()),
    };
    if key.is_empty() || key.len() > 200 {
        return Err("key: 1 to 200 characters".into());
    }
    Ok(NewEntry {
        kind: entry.kind,
        key,
        canonical,
        run,
        smoke,
    })
}

/// The organisation's projects, each with its latest state.
#[utoipa::path(
    get, path = "/api/v1/projects", tag = "projects",
    responses(
        (status = 200, description = "The projects", body = ProjectList),
        (status = 401, description = "No valid token", body = ApiError)
    ),
    security(("token" = []))
)]
async fn projects(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<ProjectList>, Failure> {
    read(&state, &caller, async |tenant| {
        Ok(Json(ProjectList {
            organisation: store::organisation(tenant).await?,
            projects: store::projects(tenant, state.clock.today(), None).await?,
        }))
    })
    .await
}

/// One project's latest state.
#[utoipa::path(
    get, path = "/api/v1/projects/{project}", tag = "projects",
    params(("project" = String, Path, description = "Project name")),
    responses(
        (status = 200, description = "The project", body = crate::model::ProjectSummary),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 404, description = "No such project in the organisation", body = ApiError)
    ),
    security(("token" = []))
)]
async fn project(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<crate::model::ProjectSummary>, Failure> {
    read(&state, &caller, async |tenant| {
        store::projects(tenant, state.clock.today(), Some(&name))
            .await?
            .into_iter()
            .next()
            .map(Json)
            .ok_or_else(Failure::not_found)
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Page {
    /// Runs before this entry number (the previous page's `next_before`).
    before: Option<u64>,
    /// At most this many (1 to 200, default 50).
    limit: Option<u32>,
}

fn limit(requested: Option<u32>, default: u32, max: u32) -> i64 {
    i64::from(requested.unwrap_or(default).clamp(1, max))
}

/// A project's runs, newest first.
#[utoipa::path(
    get, path = "/api/v1/projects/{project}/runs", tag = "projects",
    params(("project" = String, Path, description = "Project name"), Page),
    responses(
        (status = 200, description = "A page of runs", body = RunList),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 404, description = "No such project in the organisation", body = ApiError)
    ),
    security(("token" = []))
)]
async fn runs(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(name): ApiPath<String>,
    ApiQuery(page): ApiQuery<Page>,
) -> Result<Json<RunList>, Failure> {
    read(&state, &caller, async |tenant| {
        let project = project_id(tenant, &name).await?;
        let limit = limit(page.limit, 50, 200);
        let runs = store::runs(tenant, project, page.before, limit).await?;
        let next_before = (i64::try_from(runs.len()).unwrap_or(0) == limit)
            .then(|| runs.last().map(|r| r.seq))
            .flatten();
        Ok(Json(RunList { runs, next_before }))
    })
    .await
}

/// One run: its summary, entry hash and the report as pushed.
#[utoipa::path(
    get, path = "/api/v1/projects/{project}/runs/{seq}", tag = "projects",
    params(
        ("project" = String, Path, description = "Project name"),
        ("seq" = u64, Path, description = "The run's entry number in the project's chain")
    ),
    responses(
        (status = 200, description = "The run", body = RunDetail),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 404, description = "No such project or run", body = ApiError)
    ),
    security(("token" = []))
)]
async fn run(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath((name, seq)): ApiPath<(String, u64)>,
) -> Result<Json<RunDetail>, Failure> {
    read(&state, &caller, async |tenant| {
        let project = project_id(tenant, &name).await?;
        let (summary, hash, report) = store::run(tenant, project, seq)
            .await?
            .ok_or_else(Failure::not_found)?;
        Ok(Json(RunDetail {
            summary,
            hash,
            report,
        }))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct HistoryQuery {
    /// At most this many runs (1 to 500, default 100).
    limit: Option<u32>,
}

/// A gate's outcomes over the newest runs that ran it.
#[utoipa::path(
    get, path = "/api/v1/projects/{project}/gates/{gate}", tag = "projects",
    params(
        ("project" = String, Path, description = "Project name"),
        ("gate" = String, Path, description = "Gate id, e.g. R3.secrets.history"),
        HistoryQuery
    ),
    responses(
        (status = 200, description = "The gate's history", body = GateHistory),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 404, description = "No such project", body = ApiError)
    ),
    security(("token" = []))
)]
async fn gate_history(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath((name, gate)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> Result<Json<GateHistory>, Failure> {
    read(&state, &caller, async |tenant| {
        let project = project_id(tenant, &name).await?;
        let history =
            store::gate_history(tenant, project, &gate, limit(query.limit, 100, 500)).await?;
        Ok(Json(GateHistory { gate, history }))
    })
    .await
}

/// The findings of the latest run (snippets were redacted by the CLI before they were sent).
#[utoipa::path(
    get, path = "/api/v1/projects/{project}/findings", tag = "projects",
    params(("project" = String, Path, description = "Project name")),
    responses(
        (status = 200, description = "The latest run's findings", body = FindingList),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 404, description = "No such project", body = ApiError)
    ),
    security(("token" = []))
)]
async fn findings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<FindingList>, Failure> {
    read(&state, &caller, async |tenant| {
        let project = project_id(tenant, &name).await?;
        let Some((latest, _)) = store::latest_run(tenant, project, false).await? else {
            return Ok(Json(FindingList {
                seq: None,
                findings: Vec::new(),
            }));
        };
        let (_, _, report) = store::run(tenant, project, latest.seq)
            .await?
            .ok_or_else(Failure::not_found)?;
        Ok(Json(FindingList {
            seq: Some(latest.seq),
            findings: all_findings(&report),
        }))
    })
    .await
}

/// Every finding of a report, gate by gate.
pub(crate) fn all_findings(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["gates"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|gate| gate["findings"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The waivers of the latest run with their expiry.
#[utoipa::path(
    get, path = "/api/v1/projects/{project}/waivers", tag = "projects",
    params(("project" = String, Path, description = "Project name")),
    responses(
        (status = 200, description = "The latest run's waivers, soonest expiry first", body = WaiverList),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 404, description = "No such project", body = ApiError)
    ),
    security(("token" = []))
)]
async fn waivers(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<WaiverList>, Failure> {
    read(&state, &caller, async |tenant| {
        let project = project_id(tenant, &name).await?;
        let Some((latest, _)) = store::latest_run(tenant, project, false).await? else {
            return Ok(Json(WaiverList {
                seq: None,
                waivers: Vec::new(),
            }));
        };
        Ok(Json(WaiverList {
            seq: Some(latest.seq),
            waivers: store::waivers(tenant, project, latest.seq, state.clock.today()).await?,
        }))
    })
    .await
}

pub(crate) async fn streak_info(
    tenant: &Tenant,
    project: ProjectId,
    today: jiff::civil::Date,
) -> Result<StreakInfo, Failure> {
    let records = store::smoke_records(tenant, project, today, STREAK_DAYS).await?;
    let streak = harden_rollout::smoke::streak(&records, today);
    let mut calendar: Vec<SmokeDay> = Vec::new();
    for record in &records {
        let date = record.date.to_string();
        if let Some(day) = calendar.iter_mut().find(|d| d.date == date) {
            day.pass &= record.pass;
            for gate in &record.failing {
                if !day.failing.contains(gate) {
                    day.failing.push(gate.clone());
                }
            }
        } else if calendar.len() < 120 {
            calendar.push(SmokeDay {
                date,
                pass: record.pass,
                failing: record.failing.clone(),
            });
        }
    }
    Ok(StreakInfo {
        days: streak.days,
        since: streak.since.map(|d| d.to_string()),
        broken: streak.broken.map(|b| format!("{}: {}", b.date, b.reason)),
        calendar,
    })
}

/// The current smoke streak and the recorded days.
#[utoipa::path(
    get, path = "/api/v1/projects/{project}/streak", tag = "rollout",
    params(("project" = String, Path, description = "Project name")),
    responses(
        (status = 200, description = "The streak", body = StreakInfo),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 404, description = "No such project", body = ApiError)
    ),
    security(("token" = []))
)]
async fn streak(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<StreakInfo>, Failure> {
    read(&state, &caller, async |tenant| {
        let project = project_id(tenant, &name).await?;
        Ok(Json(
            streak_info(tenant, project, state.clock.today()).await?,
        ))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct CriteriaQuery {
    /// Consecutive strict-pass days required (default 7, as `[exit-criteria]` defaults).
    days: Option<u32>,
}

/// Whether the rollout may exit: the streak, the latest strict run, blocked plans and expired
/// waivers, judged by the same code as `harden exit-criteria`.
#[utoipa::path(
    get, path = "/api/v1/projects/{project}/exit-criteria", tag = "rollout",
    params(("project" = String, Path, description = "Project name"), CriteriaQuery),
    responses(
        (status = 200, description = "The criteria", body = ExitCriteria),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 404, description = "No such project", body = ApiError)
    ),
    security(("token" = []))
)]
async fn exit_criteria(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(name): ApiPath<String>,
    ApiQuery(query): ApiQuery<CriteriaQuery>,
) -> Result<Json<ExitCriteria>, Failure> {
    use harden_rollout::criteria::{self, StrictRun};
    read(&state, &caller, async |tenant| {
        let project = project_id(tenant, &name).await?;
        let today = state.clock.today();
        let records = store::smoke_records(tenant, project, today, STREAK_DAYS).await?;
        let streak = harden_rollout::smoke::streak(&records, today);
        let strict = match store::latest_run(tenant, project, true).await? {
            Some((summary, outcomes)) => StrictRun {
                seq: summary.seq,
                gates: outcomes.as_object().map_or(0, serde_json::Map::len),
                failing: outcomes
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(_, o)| o.as_str() == Some("fail"))
                    .map(|(g, _)| g.clone())
                    .collect(),
            },
            None => StrictRun {
                seq: 0,
                gates: 0,
                failing: vec!["no strict run recorded".into()],
            },
        };
        let latest = store::latest_run(tenant, project, false).await?;
        let waivers = match &latest {
            Some((run, _)) => store::waivers(tenant, project, run.seq, state.clock.today()).await?,
            None => Vec::new(),
        };
        let judged = criteria::evaluate(criteria::Inputs {
            needed: query.days.unwrap_or(7),
            streak: &streak,
            strict: &strict,
            blocked_plans: store::blocked_plans(tenant, project).await?,
            expired_waivers: waivers
                .iter()
                .filter(|w| w.days_left < 0)
                .map(|w| format!("{} (expired {})", w.id, w.expires))
                .collect(),
            waivers: waivers.len(),
        });
        Ok(Json(ExitCriteria {
            met: judged.iter().all(|c| c.holds),
            criteria: judged
                .into_iter()
                .map(|c| CriterionInfo {
                    name: c.name,
                    holds: c.holds,
                    evidence: c.evidence,
                })
                .collect(),
        }))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PromoteQuery {
    /// The commit (full id, or a prefix of at least 7 hex digits).
    commit: String,
    /// Oldest acceptable run, e.g. `24h`, `7d` (default 24h).
    #[serde(rename = "max-age")]
    #[param(rename = "max-age")]
    max_age: Option<String>,
    /// Required profile (default `production`).
    profile: Option<String>,
    /// Required artefact digest (`sha256:…`).
    artifact: Option<String>,
}

/// Whether a commit may be promoted: a green run of the profile for exactly that commit,
/// recent enough (and for that artefact), judged by the same code as `harden promote check`.
#[utoipa::path(
    get, path = "/api/v1/projects/{project}/promote", tag = "rollout",
    params(("project" = String, Path, description = "Project name"), PromoteQuery),
    responses(
        (status = 200, description = "The verdict: `allowed` with the proving run, or every rejected run and why", body = Promotion),
        (status = 400, description = "A parameter is malformed", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 404, description = "No such project", body = ApiError)
    ),
    security(("token" = []))
)]
async fn promote(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(name): ApiPath<String>,
    ApiQuery(query): ApiQuery<PromoteQuery>,
) -> Result<Json<Promotion>, Failure> {
    let commit = query.commit.to_ascii_lowercase();
    if commit.len() < 7 || commit.len() > 64 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "commit: expected at least 7 hex digits",
        ));
    }
    let max_age_text = query.max_age.as_deref().unwrap_or("24h");
    let max_age = harden_config::parse_duration(max_age_text).ok_or_else(|| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            format!("max-age {max_age_text}: expected a duration such as 24h or 7d"),
        )
    })?;
    read(&state, &caller, async |tenant| {
        let project = project_id(tenant, &name).await?;
        let runs = store::runs_of_commit(tenant, project, &commit).await?;
        let verdict = harden_rollout::promote::find_proof(
            &runs,
            &harden_rollout::promote::PromotionQuery {
                commit: commit.clone(),
                profile: query.profile.clone().unwrap_or_else(|| "production".into()),
                max_age,
                artifact: query.artifact.clone(),
            },
            state.clock.now(),
        );
        Ok(Json(match verdict {
            Ok(proof) => {
                let summary = store::run(tenant, project, proof.run.seq)
                    .await?
                    .map(|(summary, ..)| summary);
                Promotion {
                    allowed: true,
                    commit,
                    run: summary,
                    rejected: Vec::new(),
                }
            }
            Err(refusal) => Promotion {
                allowed: false,
                commit,
                run: None,
                rejected: refusal
                    .rejected
                    .into_iter()
                    .map(|(seq, reason)| Rejected { seq, reason })
                    .collect(),
            },
        }))
    })
    .await
}

/// Recomputes the project's hash chain.
#[utoipa::path(
    get, path = "/api/v1/projects/{project}/ledger/verify", tag = "projects",
    params(("project" = String, Path, description = "Project name")),
    responses(
        (status = 200, description = "Whether the chain verifies, and where it breaks", body = Verification),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 404, description = "No such project", body = ApiError)
    ),
    security(("token" = []))
)]
async fn verify(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Verification>, Failure> {
    read(&state, &caller, async |tenant| {
        let (project, head) = store::project(tenant, &name).await?;
        Ok(Json(store::verify(tenant, project, head.as_ref()).await?))
    })
    .await
}

/// The process is up.
#[utoipa::path(
    get, path = "/healthz", tag = "health",
    responses((status = 200, description = "Up", body = Health))
)]
async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

/// The database answers and its schema is current.
#[utoipa::path(
    get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database is unreachable or its schema is behind", body = Health)
    )
)]
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match state.db.schema_current().await {
        Ok(true) => (
            StatusCode::OK,
            Json(Health {
                status: "ok".into(),
            }),
        ),
        Ok(false) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "the database schema is behind: run harden serve --migrate".into(),
            }),
        ),
        Err(error) => {
            tracing::warn!(error = %error, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "the database is unreachable".into(),
                }),
            )
        }
    }
}
