//! A small multi-tenant notes API for the contract-driven live gates: axum over a real SQLite
//! database, JWT (HS256) logins, an OpenAPI contract, and one switch per defect the gates must
//! catch. The correct app refuses everything the gates try; each defect opens one hole.
// Handlers return the refusal itself as the error: its size does not matter in a test app.
#![allow(clippy::result_large_err)]

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Mac as _;
use serde_json::{Value, json};

/// A hole in the notes app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Defect {
    /// `GET /api/stats` answers without a token.
    MissingAuth,
    /// Tokens with `alg: none` are accepted unsigned.
    AlgNone,
    /// `/api/notes/{id}` does not check the note's organisation.
    IdorById,
    /// `/api/search` searches every organisation's notes.
    IdorSearch,
    /// `priority` goes to the database unchecked: a wrong type is a constraint error, a 500.
    CrashOnWrongType,
    /// `Idempotency-Key` is ignored: a replay creates a second note.
    DuplicateOnReplay,
}

impl Defect {
    /// The defect a fixture names (`idor-by-id`).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "missing-auth" => Self::MissingAuth,
            "alg-none" => Self::AlgNone,
            "idor-by-id" => Self::IdorById,
            "idor-search" => Self::IdorSearch,
            "crash-on-wrong-type" => Self::CrashOnWrongType,
            "duplicate-on-replay" => Self::DuplicateOnReplay,
            _ => return None,
        })
    }
}

/// The users the app knows: (name, password, organisation).
pub const USERS: &[(&str, &str, i64)] = &[
    ("alice", "alice-test-password", 1),
    ("bob", "bob-test-password", 2),
];

/// The key the app signs its tokens with (a test environment's, given to harden as
/// `jwt-key-env` in some tests).
pub const JWT_KEY: &str = "notes-app-test-signing-key";

/// The app's OpenAPI contract.
pub const CONTRACT: &str = include_str!("notes-openapi.yaml");

struct AppState {
    db: Mutex<rusqlite::Connection>,
    defects: BTreeSet<Defect>,
    requests: AtomicU32,
    times: Mutex<Vec<(Instant, String)>>,
}

/// A running notes app on 127.0.0.1; stops when dropped.
pub struct NotesApp {
    /// Base URL, `http://127.0.0.1:PORT/`.
    pub base: String,
    state: Arc<AppState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for NotesApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl NotesApp {
    /// Starts the app with `defects`.
    pub fn start(defects: &[Defect]) -> Self {
        let db = rusqlite::Connection::open_in_memory().expect("sqlite");
        db.execute_batch(
            "CREATE TABLE notes (
                 id INTEGER PRIMARY KEY,
                 org INTEGER NOT NULL,
                 title TEXT NOT NULL,
                 body TEXT NOT NULL DEFAULT '',
                 priority INTEGER NOT NULL DEFAULT 3 CHECK (typeof(priority) = 'integer')
             ) STRICT;
             CREATE TABLE idempotency (org INTEGER, user TEXT, key TEXT, note INTEGER,
                 PRIMARY KEY (org, user, key)) STRICT;
             INSERT INTO notes (org, title) VALUES (2, 'bob''s first note');",
        )
        .expect("schema");
        let state = Arc::new(AppState {
            db: Mutex::new(db),
            defects: defects.iter().copied().collect(),
            requests: AtomicU32::new(0),
            times: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route(
                "/api/health",
                get(|| async { Json(json!({"status": "ok"})) }),
            )
            .route("/api/login", post(login))
            .route("/api/stats", get(stats))
            .route("/api/notes", get(list).post(create))
            .route("/api/notes/{id}", get(read).put(update).delete(remove))
            .route("/api/search", get(search))
            .route("/api/announcements", post(announce))
            .route(
                "/openapi.yaml",
                get(|| async { ([("content-type", "application/yaml")], CONTRACT) }),
            )
            .layer(axum::middleware::from_fn_with_state(state.clone(), count))
            .with_state(state.clone());
        let (tx, rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                tx.send(listener.local_addr().expect("address"))
                    .expect("send");
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        let address = rx.recv().expect("the app started");
        Self {
            base: format!("http://{address}/"),
            state,
            stop: Some(stop),
        }
    }

    /// A valid token of `user` (what its login answers), for `--identity` in tests.
    pub fn token(&self, user: &str) -> String {
        let org = USERS.iter().find(|(u, _, _)| *u == user).map_or(0, |u| u.2);
        issue(user, org)
    }

    /// Requests the app has received.
    pub fn requests(&self) -> u32 {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// The most requests to paths under `prefix` received within any one second.
    pub fn peak_per_second_under(&self, prefix: &str) -> usize {
        let times = self.state.times.lock().expect("times");
        let times: Vec<Instant> = times
            .iter()
            .filter(|(_, path)| path.starts_with(prefix))
            .map(|(t, _)| *t)
            .collect();
        (0..times.len())
            .map(|i| {
                times[i..]
                    .iter()
                    .take_while(|t| t.duration_since(times[i]).as_secs_f64() < 1.0)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    /// Notes stored, by organisation.
    pub fn notes_of(&self, org: i64) -> usize {
        let db = self.state.db.lock().expect("db");
        db.query_row("SELECT count(*) FROM notes WHERE org = ?1", [org], |r| {
            r.get::<_, i64>(0)
        })
        .map_or(0, |n| n as usize)
    }
}

async fn count(
    State(state): State<Arc<AppState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    state.requests.fetch_add(1, Ordering::SeqCst);
    if let Ok(mut times) = state.times.lock() {
        times.push((Instant::now(), request.uri().path().to_owned()));
    }
    next.run(request).await
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": message}))).into_response()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn sign(input: &str) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(JWT_KEY.as_bytes()).expect("key");
    mac.update(input.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn issue(user: &str, org: i64) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = URL_SAFE_NO_PAD
        .encode(json!({"sub": user, "org": org, "iat": now(), "exp": now() + 3600}).to_string());
    let input = format!("{header}.{claims}");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sign(&input)))
}

/// The caller: (user, organisation), or the refusal.
struct Caller {
    user: String,
    org: i64,
}

fn caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, Response> {
    let refuse = |why: &str| error(StatusCode::UNAUTHORIZED, why);
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| refuse("missing token"))?;
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refuse("malformed token"));
    };
    let decode = |segment: &str| -> Option<Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).ok()?).ok()
    };
    let header_json = decode(header).ok_or_else(|| refuse("malformed token"))?;
    let claims_json = decode(claims).ok_or_else(|| refuse("malformed token"))?;
    let alg = header_json["alg"].as_str().unwrap_or_default();
    let unsigned_ok = state.defects.contains(&Defect::AlgNone) && alg == "none";
    if !unsigned_ok {
        if alg != "HS256" {
            return Err(refuse("unexpected algorithm"));
        }
        let given = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| refuse("bad signature"))?;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(JWT_KEY.as_bytes()).expect("key");
        mac.update(format!("{header}.{claims}").as_bytes());
        mac.verify_slice(&given)
            .map_err(|_| refuse("bad signature"))?;
    }
    if claims_json["exp"].as_i64().is_none_or(|exp| exp <= now()) {
        return Err(refuse("expired"));
    }
    Ok(Caller {
        user: claims_json["sub"].as_str().unwrap_or_default().to_owned(),
        org: claims_json["org"].as_i64().unwrap_or(-1),
    })
}

async fn login(State(_): State<Arc<AppState>>, body: Json<Value>) -> Response {
    let user = body["user"].as_str().unwrap_or_default();
    let password = body["password"].as_str().unwrap_or_default();
    match USERS.iter().find(|(u, p, _)| *u == user && *p == password) {
        Some((user, _, org)) => Json(json!({"token": issue(user, *org)})).into_response(),
        None => error(StatusCode::UNAUTHORIZED, "wrong user or password"),
    }
}

async fn stats(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let org = if state.defects.contains(&Defect::MissingAuth) {
        caller(&state, &headers).map_or(1, |c| c.org)
    } else {
        match caller(&state, &headers) {
            Ok(c) => c.org,
            Err(refused) => return refused,
        }
    };
    let db = state.db.lock().expect("db");
    let notes: i64 = db
        .query_row("SELECT count(*) FROM notes WHERE org = ?1", [org], |r| {
            r.get(0)
        })
        .unwrap_or(0);
    Json(json!({"notes": notes})).into_response()
}

fn note_json(row: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    Ok(json!({
        "id": row.get::<_, i64>(0)?,
        "title": row.get::<_, String>(1)?,
        "body": row.get::<_, String>(2)?,
        "priority": row.get::<_, i64>(3)?,
    }))
}

fn notes_where(state: &AppState, clause: &str, params: &[&dyn rusqlite::ToSql]) -> Vec<Value> {
    let db = state.db.lock().expect("db");
    let mut statement = db
        .prepare(&format!(
            "SELECT id, title, body, priority FROM notes WHERE {clause} ORDER BY id"
        ))
        .expect("query");
    statement
        .query_map(params, note_json)
        .expect("rows")
        .filter_map(Result::ok)
        .collect()
}

async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let caller = match caller(&state, &headers) {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let limit = match query.get("limit").map(|l| l.parse::<i64>()) {
        None => 50,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => return error(StatusCode::BAD_REQUEST, "limit must be 1 to 100"),
    };
    let mut notes = notes_where(&state, "org = ?1", &[&caller.org]);
    notes.truncate(limit as usize);
    Json(json!({"items": notes})).into_response()
}

async fn search(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let caller = match caller(&state, &headers) {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let Some(q) = query.get("q").filter(|q| !q.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "q is required");
    };
    let pattern = format!("%{q}%");
    let notes = if state.defects.contains(&Defect::IdorSearch) {
        notes_where(&state, "title LIKE ?1 OR body LIKE ?1", &[&pattern])
    } else {
        notes_where(
            &state,
            "org = ?2 AND (title LIKE ?1 OR body LIKE ?1)",
            &[&pattern, &caller.org],
        )
    };
    Json(json!({"items": notes})).into_response()
}

/// The note's fields from a body, validated as the contract says (unless a defect skips it).
fn fields(state: &AppState, body: &Value) -> Result<(String, String, Value), Response> {
    let bad = |why: &str| error(StatusCode::UNPROCESSABLE_ENTITY, why);
    let object = body
        .as_object()
        .ok_or_else(|| bad("a JSON object is expected"))?;
    let title = object
        .get("title")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty() && t.chars().count() <= 80)
        .ok_or_else(|| bad("title: a string of 1 to 80 characters is required"))?;
    let text = match object.get("body") {
        None => "",
        Some(Value::String(s)) if s.chars().count() <= 2000 => s,
        Some(_) => return Err(bad("body: a string of at most 2000 characters")),
    };
    let priority = object.get("priority").cloned().unwrap_or(json!(3));
    if !state.defects.contains(&Defect::CrashOnWrongType)
        && !priority.as_i64().is_some_and(|p| (1..=5).contains(&p))
    {
        return Err(bad("priority: an integer from 1 to 5"));
    }
    Ok((title.to_owned(), text.to_owned(), priority))
}

fn sql_value(value: &Value) -> rusqlite::types::Value {
    match value {
        Value::Number(n) if n.is_i64() => rusqlite::types::Value::Integer(n.as_i64().unwrap_or(0)),
        Value::Number(n) => rusqlite::types::Value::Real(n.as_f64().unwrap_or(0.0)),
        other => rusqlite::types::Value::Text(other.to_string()),
    }
}

async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let caller = match caller(&state, &headers) {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let (title, text, priority) = match body
        .map_err(IntoResponse::into_response)
        .and_then(|Json(body)| fields(&state, &body))
    {
        Ok(f) => f,
        Err(refused) => return refused,
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|_| !state.defects.contains(&Defect::DuplicateOnReplay))
        .map(str::to_owned);
    let db = state.db.lock().expect("db");
    if let Some(key) = &key
        && let Ok(id) = db.query_row(
            "SELECT note FROM idempotency WHERE org = ?1 AND user = ?2 AND key = ?3",
            rusqlite::params![caller.org, caller.user, key],
            |r| r.get::<_, i64>(0),
        )
    {
        let note = db
            .query_row(
                "SELECT id, title, body, priority FROM notes WHERE id = ?1",
                [id],
                note_json,
            )
            .unwrap_or(Value::Null);
        return (StatusCode::CREATED, Json(note)).into_response();
    }
    let inserted = db.execute(
        "INSERT INTO notes (org, title, body, priority) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![caller.org, title, text, sql_value(&priority)],
    );
    if let Err(e) = inserted {
        // What an unchecked value costs: the database refuses it and the handler gives up.
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("database error: {e}"),
        );
    }
    let id = db.last_insert_rowid();
    if let Some(key) = &key {
        let _ = db.execute(
            "INSERT INTO idempotency (org, user, key, note) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![caller.org, caller.user, key, id],
        );
    }
    (
        StatusCode::CREATED,
        [("location", format!("/api/notes/{id}"))],
        Json(json!({"id": id, "title": title, "body": text, "priority": priority})),
    )
        .into_response()
}

/// Announcements reach every organisation: only the operator (none of [`USERS`]) may post one.
/// The body is parsed before the caller is known, as most frameworks do; its fields are checked
/// after.
async fn announce(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(body) => body,
        Err(rejection) => return rejection.into_response(),
    };
    match caller(&state, &headers) {
        Ok(c) if c.user == "operator" => {}
        Ok(_) => return error(StatusCode::FORBIDDEN, "operators only"),
        Err(refused) => return refused,
    }
    match body["message"].as_str() {
        Some(m) if !m.is_empty() && m.chars().count() <= 200 => {
            (StatusCode::CREATED, Json(json!({"message": m}))).into_response()
        }
        _ => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "message: a string of 1 to 200 characters",
        ),
    }
}

/// The note `id` if the caller may see it (or any note, with the IDOR defect).
fn owned_note(state: &AppState, caller: &Caller, id: &str) -> Result<i64, Response> {
    let not_found = || error(StatusCode::NOT_FOUND, "no such note");
    let id: i64 = id
        .parse()
        .map_err(|_| error(StatusCode::BAD_REQUEST, "id must be an integer"))?;
    let db = state.db.lock().expect("db");
    let org: i64 = db
        .query_row("SELECT org FROM notes WHERE id = ?1", [id], |r| r.get(0))
        .map_err(|_| not_found())?;
    if org != caller.org && !state.defects.contains(&Defect::IdorById) {
        return Err(not_found());
    }
    Ok(id)
}

async fn read(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let result = caller(&state, &headers).and_then(|c| owned_note(&state, &c, &id));
    match result {
        Ok(id) => {
            let notes = notes_where(&state, "id = ?1", &[&id]);
            Json(notes.into_iter().next().unwrap_or(Value::Null)).into_response()
        }
        Err(refused) => refused,
    }
}

async fn update(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let id = match caller(&state, &headers).and_then(|c| owned_note(&state, &c, &id)) {
        Ok(id) => id,
        Err(refused) => return refused,
    };
    let (title, text, priority) = match body
        .map_err(IntoResponse::into_response)
        .and_then(|Json(body)| fields(&state, &body))
    {
        Ok(f) => f,
        Err(refused) => return refused,
    };
    let db = state.db.lock().expect("db");
    match db.execute(
        "UPDATE notes SET title = ?1, body = ?2, priority = ?3 WHERE id = ?4",
        rusqlite::params![title, text, sql_value(&priority), id],
    ) {
        Ok(_) => Json(json!({"id": id, "title": title, "body": text, "priority": priority}))
            .into_response(),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("database error: {e}"),
        ),
    }
}

async fn remove(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match caller(&state, &headers).and_then(|c| owned_note(&state, &c, &id)) {
        Ok(id) => {
            let db = state.db.lock().expect("db");
            let _ = db.execute("DELETE FROM notes WHERE id = ?1", [id]);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(refused) => refused,
    }
}
