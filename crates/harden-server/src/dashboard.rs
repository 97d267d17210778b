//! The dashboard: server-rendered HTML that reads without JavaScript (charts are inline SVG),
//! behind a sign-in with a token that opens a session cookie.

use std::fmt::Write as _;
use std::time::Duration;

use axum::Form;
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;
use serde_json::Value;

use crate::api::{all_findings, read, streak_info};
use crate::app::{ApiPath, AppState, Failure, client_ip, same_origin};
use crate::auth;
use crate::db::Caller;
use crate::model::{ProjectSummary, RunSummary};
use crate::store;

/// The session cookie. `__Host-` binds it to this host, `Secure`, path `/`, no domain.
const COOKIE: &str = "__Host-harden_session";
/// The development variant, for plain HTTP (`--insecure-cookies`), where browsers refuse
/// `__Host-` cookies.
const COOKIE_PLAIN: &str = "harden_session";
/// How long a session lasts.
const SESSION: Duration = Duration::from_hours(12);

const STYLE: &str = include_str!("dashboard.css");

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(overview))
        .route("/login", get(login_form).post(login))
        .route("/logout", axum::routing::post(logout))
        .route("/projects/{project}", get(project_page))
        .route("/projects/{project}/runs/{seq}", get(run_page))
        .route("/static/style.css", get(style))
}

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}

fn cookie_name(state: &AppState) -> &'static str {
    if state.secure_cookies {
        COOKIE
    } else {
        COOKIE_PLAIN
    }
}

/// The session id a request's cookie carries, when it has the shape of one (43 characters of
/// base64url).
pub(crate) fn session_cookie<'a>(parts: &'a Parts, state: &AppState) -> Option<&'a str> {
    let name = cookie_name(state);
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|value| {
            value.len() == 43
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// The signed-in viewer; anyone else is sent to the sign-in page.
struct Viewer(Caller);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ip = client_ip(parts, state.client_ip_header.as_ref());
        let caller = match session_cookie(parts, state) {
            Some(_) if state.auth_limiter.blocked(ip) => None,
            Some(session) => {
                let caller = state
                    .db
                    .caller_for_session(&auth::digest(session))
                    .await
                    .map_err(|e| Failure::from(e).into_response())?;
                if caller.is_none() {
                    // A session that does not exist is a guess, counted like a wrong token.
                    state.auth_limiter.allow(ip);
                }
                caller
            }
            None => None,
        };
        caller
            .map(Viewer)
            .ok_or_else(|| Redirect::to("/login").into_response())
    }
}

fn page(title: &str, signed_in: bool, body: &Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · harden" }
                link rel="stylesheet" href="/static/style.css";
            }
            body {
                a class="skip" href="#main" { "Skip to content" }
                header class="top" {
                    a class="brand" href="/" { "harden" }
                    @if signed_in {
                        nav aria-label="Main" {
                            a href="/" { "Overview" }
                        }
                        form method="post" action="/logout" class="logout" {
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main id="main" { (body) }
            }
        }
    }
}

/// The page shown for a failure of a dashboard request.
pub(crate) fn error_page(failure: &Failure, request_id: &str) -> String {
    page(
        failure.status.canonical_reason().unwrap_or("Error"),
        false,
        &html! {
            h1 { (failure.status.as_u16()) " " (failure.status.canonical_reason().unwrap_or("")) }
            p { (failure.message) }
            p class="muted" { "Request id " code { (request_id) } }
        },
    )
    .into_string()
}

async fn login_form() -> Markup {
    login_page(None)
}

fn login_page(error: Option<&str>) -> Markup {
    page(
        "Sign in",
        false,
        &html! {
            h1 { "Sign in" }
            p { "Paste a token from " code { "harden serve token create" } ". An organisation token shows every project of the organisation." }
            @if let Some(error) = error {
                p class="error" role="alert" { (error) }
            }
            form method="post" action="/login" class="login" {
                label for="token" { "Token" }
                input id="token" name="token" type="password" autocomplete="off" required
                    aria-describedby="token-help";
                p id="token-help" class="muted" { "Starts with " code { "hst_" } "." }
                button type="submit" { "Sign in" }
            }
        },
    )
}

#[derive(Deserialize)]
struct LoginForm {
    token: String,
}

async fn login(State(state): State<AppState>, request: axum::extract::Request) -> Response {
    let (mut parts, body) = request.into_parts();
    if !same_origin(&parts) {
        return Failure::new(StatusCode::FORBIDDEN, "cross-site sign-in refused").into_response();
    }
    if !state
        .login_limiter
        .allow(client_ip(&parts, state.client_ip_header.as_ref()))
    {
        return Failure::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too many sign-in attempts; wait a minute",
        )
        .into_response();
    }
    let request = axum::extract::Request::from_parts(parts.clone(), body);
    let Ok(Form(form)) = Form::<LoginForm>::from_request(request, &state).await else {
        return (
            StatusCode::BAD_REQUEST,
            login_page(Some("The form was not readable.")),
        )
            .into_response();
    };
    let _ = &mut parts;
    let token = form.token.trim();
    let caller = if auth::well_formed(token) {
        match state.db.caller_for_token(&auth::digest(token)).await {
            Ok(caller) => caller,
            Err(error) => return Failure::from(error).into_response(),
        }
    } else {
        None
    };
    let Some(caller) = caller else {
        return (
            StatusCode::UNAUTHORIZED,
            login_page(Some("That token is not valid.")),
        )
            .into_response();
    };
    let Ok(session) = auth::new_session() else {
        return Failure::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    };
    if let Err(error) = state
        .db
        .open_session(&caller, &auth::digest(&session), SESSION)
        .await
    {
        return Failure::from(error).into_response();
    }
    let cookie = format!(
        "{}={session}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        cookie_name(&state),
        SESSION.as_secs(),
        if state.secure_cookies { "; Secure" } else { "" }
    );
    let mut response = Redirect::to("/").into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

use axum::extract::FromRequest as _;

async fn logout(State(state): State<AppState>, request: axum::extract::Request) -> Response {
    let (parts, _) = request.into_parts();
    if !same_origin(&parts) {
        return Failure::new(StatusCode::FORBIDDEN, "cross-site sign-out refused").into_response();
    }
    let name = cookie_name(&state);
    let session = session_cookie(&parts, &state);
    if let Some(session) = session
        && let Err(error) = state.db.close_session(&auth::digest(session)).await
    {
        return Failure::from(error).into_response();
    }
    let mut response = Redirect::to("/login").into_response();
    let expired = format!(
        "{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if state.secure_cookies { "; Secure" } else { "" }
    );
    if let Ok(value) = HeaderValue::from_str(&expired) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

const ROUNDS: [&str; 8] = ["R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7"];

fn short(commit: Option<&str>) -> String {
    commit.map_or_else(|| "—".to_owned(), |c| c.chars().take(10).collect())
}

fn when(finished: &str) -> String {
    finished.parse::<jiff::Timestamp>().map_or_else(
        |_| finished.to_owned(),
        |t| t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

fn verdict(run: &RunSummary) -> Markup {
    if run.failed > 0 {
        html! { span class="badge fail" { "fail" } }
    } else {
        html! { span class="badge pass" { "pass" } }
    }
}

async fn overview(
    State(state): State<AppState>,
    Viewer(caller): Viewer,
) -> Result<Markup, Failure> {
    let today = state.clock.today();
    let (organisation, projects) = read(&state, &caller, async |tenant| {
        Ok((
            store::organisation(tenant).await?,
            store::projects(tenant, today, None).await?,
        ))
    })
    .await?;
    Ok(page(
        &organisation,
        true,
        &html! {
            h1 { (organisation) }
            p class="muted" { (projects.len()) " projects" }
            table class="overview" {
                caption { "Each project's latest run, failing gates by round, smoke streak and waivers expiring within 14 days" }
                thead {
                    tr {
                        th scope="col" { "Project" }
                        th scope="col" { "Profile" }
                        th scope="col" { "Last run" }
                        th scope="col" { "Result" }
                        @for round in ROUNDS {
                            th scope="col" class="round" { abbr title=(format!("failing gates in {round}")) { (round) } }
                        }
                        th scope="col" { "Streak" }
                        th scope="col" { "Waivers expiring" }
                    }
                }
                tbody {
                    @for project in &projects {
                        (overview_row(project))
                    }
                }
            }
            @if projects.is_empty() {
                p { "No project has a token yet: " code { "harden serve token create --org ORG --project NAME" } }
            }
        },
    ))
}

fn overview_row(project: &ProjectSummary) -> Markup {
    html! {
        tr {
            th scope="row" { a href=(format!("/projects/{}", encode(&project.name))) { (project.name) } }
            @match &project.last_run {
                Some(run) => {
                    td { (run.profile) @if run.strict { " (strict)" } }
                    td { a href=(format!("/projects/{}/runs/{}", encode(&project.name), run.seq)) { (when(&run.finished_at)) } br; span class="muted" { code { (short(run.commit.as_deref())) } } }
                    td { (verdict(run)) }
                }
                None => {
                    td { "—" } td { "no run yet" } td { "—" }
                }
            }
            @for round in ROUNDS {
                @let failing: Vec<&str> = project.failing.iter().filter(|f| f.round == round).map(|f| f.gate.as_str()).collect();
                @if failing.is_empty() {
                    td class="round ok" { span class="sr-only" { "none failing" } "·" }
                } @else {
                    td class="round bad" title=(failing.join(", ")) { (failing.len()) span class="sr-only" { " failing: " (failing.join(", ")) } }
                }
            }
            td { (project.streak_days) " d" }
            td { @if project.waivers_expiring > 0 { span class="badge warn" { (project.waivers_expiring) } } @else { "0" } }
        }
    }
}

/// Percent-encodes a path segment (project names are free text).
fn encode(segment: &str) -> String {
    let mut out = String::new();
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

async fn project_page(
    State(state): State<AppState>,
    Viewer(caller): Viewer,
    ApiPath(name): ApiPath<String>,
) -> Result<Markup, Failure> {
    let today = state.clock.today();
    let (runs, streak, latest, readiness) = read(&state, &caller, async |tenant| {
        let (project, _) = store::project(tenant, &name).await?;
        let runs = store::runs(tenant, project, None, 30).await?;
        let streak = streak_info(tenant, project, today).await?;
        let latest = match runs.first() {
            Some(run) => store::run(tenant, project, run.seq).await?,
            None => None,
        };
        let readiness = store::recent_entries(tenant, project, "readiness", 10).await?;
        Ok((runs, streak, latest, readiness))
    })
    .await?;
    let findings = latest
        .as_ref()
        .map(|(_, _, report)| all_findings(report))
        .unwrap_or_default();
    Ok(page(
        &name,
        true,
        &html! {
            nav aria-label="Breadcrumb" class="crumbs" { a href="/" { "Overview" } " / " (name) }
            h1 { (name) }
            section aria-labelledby="chart-title" {
                h2 id="chart-title" { "Gate outcomes, last " (runs.len()) " runs" }
                (outcome_chart(&runs))
            }
            section aria-labelledby="streak-title" {
                h2 id="streak-title" { "Smoke streak: " (streak.days) " day" @if streak.days != 1 { "s" } }
                @if let Some(broken) = &streak.broken { p class="muted" { "Broken " (broken) } }
                (calendar(&streak.calendar, today))
            }
            section aria-labelledby="findings-title" {
                h2 id="findings-title" { "Findings of the latest run (" (findings.len()) ")" }
                (finding_table(&findings, 200, true))
            }
            section aria-labelledby="readiness-title" {
                h2 id="readiness-title" { "Readiness snapshots" }
                @if readiness.is_empty() { p class="muted" { "None pushed yet." } }
                @else {
                    table {
                        thead { tr { th scope="col" { "Date" } th scope="col" { "Ready" } th scope="col" { "Profile" } th scope="col" { "Failing rounds" } } }
                        tbody {
                            @for (_, _, body) in &readiness {
                                @let snapshot = harden_rollout::readiness::Readiness::from_record(body).ok();
                                @if let Some(snapshot) = snapshot {
                                    tr {
                                        td { (snapshot.date) }
                                        td { @if snapshot.ready { span class="badge pass" { "ready" } } @else { span class="badge fail" { "not ready" } } }
                                        td { (snapshot.profile) }
                                        td { (snapshot.rounds.iter().filter(|r| r.failed > 0).map(|r| r.round.as_str()).collect::<Vec<_>>().join(", ")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="runs-title" {
                h2 id="runs-title" { "Runs" }
                table {
                    thead { tr { th scope="col" { "#" } th scope="col" { "Finished" } th scope="col" { "Commit" } th scope="col" { "Profile" } th scope="col" { "Passed" } th scope="col" { "Failed" } th scope="col" { "Waived" } th scope="col" { "Skipped" } } }
                    tbody {
                        @for run in &runs {
                            tr {
                                td { a href=(format!("/projects/{}/runs/{}", encode(&name), run.seq)) { "#" (run.seq) } }
                                td { (when(&run.finished_at)) }
                                td { code { (short(run.commit.as_deref())) } }
                                td { (run.profile) }
                                td { (run.passed) } td { (run.failed) } td { (run.waived) } td { (run.skipped) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// Stacked bars of each run's judged gates (passed, waived, failed; skipped gates are left out,
/// they would drown the signal), oldest left, on one scale; every bar has a text alternative.
fn outcome_chart(runs: &[RunSummary]) -> Markup {
    const HEIGHT: f64 = 140.0;
    const TOP: f64 = 16.0;
    const BAR: f64 = 22.0;
    const GAP: f64 = 6.0;
    let scale = runs
        .iter()
        .map(|r| r.passed + r.failed + r.waived)
        .max()
        .unwrap_or(0)
        .max(1);
    let width = (runs.len().max(1) as f64) * (BAR + GAP);
    html! {
        svg class="chart" role="img" aria-labelledby="chart-desc" viewBox=(format!("0 0 {width} {}", HEIGHT + TOP)) width=(width) height=(HEIGHT + TOP) {
            title id="chart-desc" { "Passed, waived and failed gates of each run, oldest on the left; the number above a bar is its failed gates" }
            @for (i, run) in runs.iter().rev().enumerate() {
                @let x = i as f64 * (BAR + GAP);
                g {
                    title { "#" (run.seq) " " (when(&run.finished_at)) ": " (run.passed) " passed, " (run.failed) " failed, " (run.waived) " waived, " (run.skipped) " skipped" }
                    @for (class, top, h) in stack(run, HEIGHT, scale) {
                        rect class=(class) x=(x) y=(format!("{:.1}", top + TOP)) width=(BAR) height=(format!("{h:.1}")) {}
                    }
                    @if run.failed > 0 {
                        @let top = stack(run, HEIGHT, scale).last().map_or(HEIGHT, |(_, top, _)| *top);
                        text class="count" x=(format!("{:.1}", x + BAR / 2.0)) y=(format!("{:.1}", top + TOP - 3.0)) text-anchor="middle" { (run.failed) }
                    }
                }
            }
        }
        p class="legend" {
            span class="key pass" {} "passed " span class="key waived" {} "waived " span class="key fail" {} "failed"
            span class="muted" { " · skipped gates are not drawn" }
        }
    }
}

/// A run's bar: `(class, top, height)` for passed, waived and failed gates, stacked from the
/// bottom, `scale` gates being the full height.
fn stack(run: &RunSummary, height: f64, scale: u32) -> Vec<(&'static str, f64, f64)> {
    let mut bottom = height;
    [
        ("pass", run.passed),
        ("waived", run.waived),
        ("fail", run.failed),
    ]
    .into_iter()
    .map(|(class, count)| {
        let h = height * f64::from(count) / f64::from(scale);
        bottom -= h;
        (class, bottom, h)
    })
    .collect()
}

/// The smoke window of the last eight weeks as a calendar: a row per week (Monday first), a
/// square per day.
fn calendar(days: &[crate::model::SmokeDay], today: jiff::civil::Date) -> Markup {
    let monday = today
        .checked_sub(jiff::Span::new().days(i64::from(today.weekday().to_monday_zero_offset())))
        .unwrap_or(today);
    let first = monday
        .checked_sub(jiff::Span::new().weeks(7))
        .unwrap_or(monday);
    let weeks: Vec<Vec<jiff::civil::Date>> = (0..8)
        .map(|week| {
            (0..7)
                .filter_map(|day| {
                    first
                        .checked_add(jiff::Span::new().days(week * 7 + day))
                        .ok()
                })
                .collect()
        })
        .collect();
    html! {
        table class="calendar" {
            caption class="sr-only" { "Smoke records of the last eight weeks, a row per week" }
            thead {
                tr {
                    th scope="col" { span class="sr-only" { "Week of" } }
                    @for name in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] {
                        th scope="col" { (name) }
                    }
                }
            }
            tbody {
                @for week in &weeks {
                    tr {
                        th scope="row" class="week" { (week[0].strftime("%b %d").to_string()) }
                        @for date in week {
                            @let day = days.iter().find(|d| d.date == date.to_string());
                            @match day {
                                _ if *date > today => td class="day future" { span class="sr-only" { (date) } },
                                Some(day) if day.pass => td class="day pass" title=(format!("{date}: pass")) { span class="sr-only" { (date) ": pass" } },
                                Some(day) => td class="day fail" title=(format!("{date}: fail {}", day.failing.join(", "))) { span class="sr-only" { (date) ": fail " (day.failing.join(", ")) } },
                                None => td class="day none" title=(format!("{date}: no record")) { span class="sr-only" { (date) ": no record" } },
                            }
                        }
                    }
                }
            }
        }
        p class="legend" {
            span class="key pass" {} "strict pass " span class="key fail" {} "fail " span class="key none" {} "no record"
        }
    }
}

fn finding_table(findings: &[Value], max: usize, with_gate: bool) -> Markup {
    html! {
        @if findings.is_empty() { p class="muted" { "No findings." } }
        @else {
            table class="findings" {
                thead { tr { th scope="col" { "Severity" } @if with_gate { th scope="col" { "Gate" } } th scope="col" { "Where" } th scope="col" { "Message" } } }
                tbody {
                    @for finding in findings.iter().take(max) {
                        tr {
                            td { span class=(format!("sev {}", finding["severity"].as_str().unwrap_or(""))) { (finding["severity"].as_str().unwrap_or("")) } }
                            @if with_gate { td { code { (finding["gate"].as_str().unwrap_or("")) } } }
                            td { (location(&finding["location"])) }
                            td {
                                (finding["message"].as_str().unwrap_or(""))
                                @if let Some(snippet) = finding["location"]["snippet"].as_str() {
                                    // Snippets were redacted by the CLI; masked again here in case
                                    // an older CLI pushed one unredacted.
                                    pre class="snippet" { code { (harden_secrets::mask(snippet)) } }
                                }
                            }
                        }
                    }
                }
            }
            @if findings.len() > max { p class="muted" { (findings.len() - max) " more in the API." } }
        }
    }
}

fn location(location: &Value) -> Markup {
    let path = location["path"].as_str().unwrap_or("");
    let line = location["line"].as_u64();
    html! {
        @if !path.is_empty() {
            code { (path) @if let Some(line) = line { ":" (line) } }
        } @else if let Some(url) = location["url"].as_str() {
            code { (location["method"].as_str().unwrap_or("")) " " (url) }
        } @else { "—" }
    }
}

async fn run_page(
    State(state): State<AppState>,
    Viewer(caller): Viewer,
    ApiPath((name, seq)): ApiPath<(String, u64)>,
) -> Result<Markup, Failure> {
    let (summary, hash, report) = read(&state, &caller, async |tenant| {
        let (project, _) = store::project(tenant, &name).await?;
        store::run(tenant, project, seq)
            .await?
            .ok_or_else(Failure::not_found)
    })
    .await?;
    let gates = report["gates"].as_array().cloned().unwrap_or_default();
    Ok(page(
        &format!("{name} #{seq}"),
        true,
        &html! {
            nav aria-label="Breadcrumb" class="crumbs" { a href="/" { "Overview" } " / " a href=(format!("/projects/{}", encode(&name))) { (name) } " / #" (seq) }
            h1 { (name) " run #" (seq) " " (verdict(&summary)) }
            dl class="facts" {
                dt { "Finished" } dd { (when(&summary.finished_at)) }
                dt { "Commit" } dd { code { (summary.commit.as_deref().unwrap_or("—")) } @if summary.dirty == Some(true) { " (dirty tree)" } }
                dt { "Profile" } dd { (summary.profile) @if summary.strict { " (strict)" } }
                dt { "Outcomes" } dd { (summary.passed) " passed, " (summary.failed) " failed, " (summary.waived) " waived, " (summary.skipped) " skipped" }
                dt { "Entry hash" } dd { code class="hash" { (hash) } }
            }
            @let failing: Vec<&Value> = gates.iter().filter(|g| g["outcome"] == "fail").collect();
            @if !failing.is_empty() {
                section class="failing" aria-labelledby="failing-title" {
                    h2 id="failing-title" { (failing.len()) " failed" }
                    ul {
                        @for gate in &failing {
                            @let id = gate["id"].as_str().unwrap_or("");
                            li { a href=(format!("#{id}")) { code { (id) } } " " (gate["title"].as_str().unwrap_or("")) }
                        }
                    }
                }
            }
            @for round in harden_model::Round::ALL {
                @let in_round: Vec<&Value> = gates.iter().filter(|g| g["round"] == round.code()).collect();
                @if !in_round.is_empty() {
                    h2 { (round.code()) " " (round.name()) }
                    @for gate in in_round {
                        (gate_details(gate))
                    }
                }
            }
        },
    ))
}

/// One gate of a run: outcome, title and summary; findings and evidence when opened (failing
/// gates are open).
fn gate_details(gate: &Value) -> Markup {
    let outcome = gate["outcome"].as_str().unwrap_or("");
    let findings = gate["findings"].as_array().cloned().unwrap_or_default();
    let evidence = gate["evidence"].as_object().cloned().unwrap_or_default();
    html! {
        details class=(format!("gate {outcome}")) id=(gate["id"].as_str().unwrap_or("")) open[outcome == "fail"] {
            summary {
                span class=(format!("badge {outcome}")) { (outcome) } " "
                code { (gate["id"].as_str().unwrap_or("")) } " "
                (gate["title"].as_str().unwrap_or("")) " — "
                span class="muted" { (gate["summary"].as_str().unwrap_or("")) }
            }
            @if !findings.is_empty() { (finding_table(&findings, 100, false)) }
            @if !evidence.is_empty() {
                h3 { "Evidence" }
                dl class="evidence" {
                    @for (group, values) in &evidence {
                        dt { (group) }
                        dd {
                            @match values.as_object() {
                                Some(map) => {
                                    table class="facts-table" {
                                        tbody {
                                            @for (name, value) in map {
                                                tr { th scope="row" { (name) } td { (plain(value)) } }
                                            }
                                        }
                                    }
                                }
                                None => { (plain(values)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A JSON value as text for people, masked by the secret detector.
fn plain(value: &Value) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map_or_else(|| item.to_string(), str::to_owned)
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    harden_secrets::mask(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The colour a CSS custom property of the stylesheet sets.
    fn colour(name: &str) -> [f64; 3] {
        let at = STYLE
            .find(&format!("{name}: #"))
            .unwrap_or_else(|| panic!("{name}"));
        let hex = &STYLE[at + name.len() + 3..at + name.len() + 9];
        let channel = |i: usize| f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap());
        [channel(0), channel(2), channel(4)]
    }

    /// WCAG 2 contrast ratio of two sRGB colours.
    fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
        let luminance = |c: [f64; 3]| {
            let linear = |v: f64| {
                let v = v / 255.0;
                if v <= 0.039_28 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * linear(c[0]) + 0.7152 * linear(c[1]) + 0.0722 * linear(c[2])
        };
        let (x, y) = (luminance(a) + 0.05, luminance(b) + 0.05);
        x.max(y) / x.min(y)
    }

    /// Text meets WCAG AA (4.5:1) on its background: body, muted and link text on white, and
    /// the white text of every badge and failing cell on its colour.
    #[test]
    fn text_colours_meet_wcag_aa_contrast() {
        let white = [255.0, 255.0, 255.0];
        for text in ["--fg", "--muted", "--link", "--fail"] {
            let ratio = contrast(colour(text), colour("--bg"));
            assert!(ratio >= 4.5, "{text} on --bg: {ratio:.2}");
        }
        for badge in ["--pass", "--fail", "--waived", "--warn"] {
            let ratio = contrast(white, colour(badge));
            assert!(ratio >= 4.5, "white on {badge}: {ratio:.2}");
        }
    }

    #[test]
    fn project_names_are_encoded_in_links() {
        assert_eq!(encode("billing-api_v2.x"), "billing-api_v2.x");
        assert_eq!(encode("a b/c?d"), "a%20b%2Fc%3Fd");
    }
}
