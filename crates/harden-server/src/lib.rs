//! The team server (`harden serve`): many repositories push their runs to one PostgreSQL
//! database, where each project keeps its own hash chain; an API under `/api/v1` and a
//! dashboard read them back. Instances keep no state of their own, so any number run behind a
//! load balancer on one database.
//!
//! - [`db`]: the pool, the migrations, and the tenant transaction every organisation query
//!   goes through (PostgreSQL row-level security underneath);
//! - [`store`]: the queries;
//! - `api`, `dashboard`: the routes; `app`: what wraps every request.

mod api;
mod app;
pub mod auth;
mod dashboard;
pub mod db;
pub mod model;
pub mod store;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use api::{MAX_ENTRIES, openapi};
pub use app::{AppState, Clock, MAX_BODY, SystemClock, router};
pub use db::{Db, DbError};

/// How to run a server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// PostgreSQL URL.
    pub database_url: String,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Apply the schema migrations before serving.
    pub migrate: bool,
    /// Connections in the pool.
    pub pool_size: usize,
    /// Mark cookies `Secure` (off only for plain-HTTP development).
    pub secure_cookies: bool,
    /// Requests per second each client presenting a token may send (bursts of twice that).
    pub rate_limit: u32,
    /// The header a trusted load balancer writes the client's address into
    /// (`X-Forwarded-For`); without one, the peer's address is the client's.
    pub client_ip_header: Option<String>,
}

/// Requests per second of an anonymous client (the sign-in page), bursts of three times that.
const ANONYMOUS_RATE: u32 = 10;

/// Why the server stopped or could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The database.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The listening socket.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The schema is behind and `--migrate` was not given.
    #[error(
        "the database schema of {0} is not current: run `harden serve --migrate` once (or with every deploy)"
    )]
    SchemaBehind(String),
    /// `--client-ip-header` is not a header name.
    #[error("--client-ip-header `{0}`: not an HTTP header name")]
    Header(String),
    /// The socket failed while serving.
    #[error("serving: {0}")]
    Serve(std::io::Error),
}

/// Connects, migrates if asked, and serves until `shutdown` completes; in-flight requests
/// finish first. `ready` receives the bound address (useful with port 0).
pub async fn serve(
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
    ready: impl FnOnce(SocketAddr) + Send,
) -> Result<(), ServerError> {
    let db = Db::connect(
        &config.database_url,
        config.pool_size,
        Duration::from_secs(5),
    )?;
    if config.migrate {
        let applied = db.migrate().await?;
        for name in &applied {
            tracing::info!(migration = %name, "applied");
        }
    }
    if !db.schema_current().await? {
        return Err(ServerError::SchemaBehind(db.location().to_owned()));
    }
    let client_ip_header = match &config.client_ip_header {
        Some(name) => Some(
            axum::http::HeaderName::try_from(name.as_str())
                .map_err(|_| ServerError::Header(name.clone()))?,
        ),
        None => None,
    };
    let state = AppState {
        db,
        auth_limiter: Arc::new(auth::Limiter::new(20, Duration::from_mins(1))),
        login_limiter: Arc::new(auth::Limiter::new(10, Duration::from_mins(1))),
        secure_cookies: config.secure_cookies,
        anonymous: Arc::new(auth::Buckets::new(ANONYMOUS_RATE * 3, ANONYMOUS_RATE)),
        identified: Arc::new(auth::Buckets::new(
            config.rate_limit.saturating_mul(2),
            config.rate_limit,
        )),
        client_ip_header,
        clock: Arc::new(SystemClock),
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServerError::Listen {
            address: config.listen,
            source,
        })?;
    let address = listener
        .local_addr()
        .map_err(|source| ServerError::Listen {
            address: config.listen,
            source,
        })?;
    tracing::info!(address = %address, "listening");
    ready(address);
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(ServerError::Serve)?;
    tracing::info!("stopped");
    Ok(())
}

/// Creates a token for `org` (and `project`: a token that pushes to it; without, one that
/// reads the whole organisation), creating both if needed. Returns the token, which is not
/// stored and cannot be shown again.
pub async fn create_token(
    database_url: &str,
    org: &str,
    project: Option<&str>,
) -> Result<String, ServerError> {
    let db = Db::connect(database_url, 1, Duration::from_secs(10))?;
    if !db.schema_current().await? {
        return Err(ServerError::SchemaBehind(db.location().to_owned()));
    }
    let token = auth::new_token()
        .map_err(|e| ServerError::Db(DbError::Query(format!("no randomness for a token: {e}"))))?;
    db.create_token(org, project, &auth::digest(&token), &auth::hint(&token))
        .await?;
    Ok(token)
}

/// The tokens of `org`, for `harden serve token list`.
pub async fn list_tokens(database_url: &str, org: &str) -> Result<Vec<db::TokenInfo>, ServerError> {
    let db = Db::connect(database_url, 1, Duration::from_secs(10))?;
    Ok(db.tokens(org).await?)
}

/// Revokes token `id` of `org`, for `harden serve token revoke`.
pub async fn revoke_token(database_url: &str, org: &str, id: i64) -> Result<bool, ServerError> {
    let db = Db::connect(database_url, 1, Duration::from_secs(10))?;
    Ok(db.revoke_token(org, id).await?)
}
