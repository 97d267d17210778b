//! The router and what wraps every request: request ids, one log line per request, security
//! headers, bounded bodies and time, and error bodies that never carry internals.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::{Json, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::auth::{self, Limiter};
use crate::db::{Caller, Db, DbError};
use crate::model::ApiError;
use crate::store::StoreError;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Failed token presentations per address.
    pub auth_limiter: Arc<Limiter>,
    /// Sign-in attempts per address.
    pub login_limiter: Arc<Limiter>,
    /// Requests of anonymous clients, per address.
    pub anonymous: Arc<auth::Buckets>,
    /// Requests of clients presenting a credential, per credential.
    pub identified: Arc<auth::Buckets>,
    /// The header a load balancer puts the client's address in, when one is trusted.
    pub client_ip_header: Option<HeaderName>,
    /// Whether cookies are marked `Secure` (off only for plain-HTTP development).
    pub secure_cookies: bool,
    /// The time.
    pub clock: Arc<dyn Clock>,
}

/// Where the server reads the time: entries' `recorded_at`, waiver expiry, streaks and
/// promotion windows. Tests set it.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> jiff::Timestamp;

    /// Today by the UTC calendar: the server knows no project's time zone.
    fn today(&self) -> jiff::civil::Date {
        self.now().to_zoned(jiff::tz::TimeZone::UTC).date()
    }
}

/// The wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // This is the Clock port's implementation.
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

/// The largest request body accepted (a push of a large run with its findings).
pub const MAX_BODY: usize = 16 * 1024 * 1024;
/// The longest a request may take.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn acceptable_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// A failure a handler reports: its status and a message fit for the caller. The request-id
/// middleware turns it into the response body (JSON for the API, a page for the dashboard).
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    /// Status.
    pub status: StatusCode,
    /// For the caller.
    pub message: String,
}

impl Failure {
    /// A failure with `status`.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// 404 for anything the caller may not see: the same answer whether it exists or not.
    pub(crate) fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not found")
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

impl From<DbError> for Failure {
    fn from(error: DbError) -> Self {
        // Details go to the log under the request id, never to the caller.
        tracing::error!(error = %error, "database failure");
        match error {
            DbError::Unavailable { .. } => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is unavailable; try again",
            ),
            _ => Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Db(error) => error.into(),
            StoreError::Invalid(message) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, message),
            StoreError::NoProject => Self::not_found(),
        }
    }
}

/// A JSON request body, read with serde_json directly: axum's `Json` tracks the path of every
/// value it reads (for its error messages), which costs a tenth of a push's CPU. A body that
/// does not parse gets serde_json's message, with its line and column.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<T, Failure> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("application/json") || v.ends_with("+json")
        });
    if !json {
        return Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected a body of Content-Type: application/json",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        let status = if e.is_data() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::BAD_REQUEST
        };
        Failure::new(
            status,
            format!("the body is not what this route takes: {e}"),
        )
    })
}

/// Query string whose rejections are [`Failure`]s.
pub(crate) struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(Failure::new(StatusCode::BAD_REQUEST, rejection.body_text())),
        }
    }
}

/// Path parameters whose rejections are [`Failure`]s.
pub(crate) struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            // A path that does not parse names nothing the caller may see.
            Err(_) => Err(Failure::not_found()),
        }
    }
}

/// The client's address: the peer's, or behind a load balancer named with
/// `--client-ip-header`, the last address that header carries (the one the balancer itself
/// appended: earlier ones are the client's to forge).
pub(crate) fn client_ip(parts: &Parts, trusted: Option<&HeaderName>) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |info| info.0.ip());
    let Some(name) = trusted else {
        return peer;
    };
    parts
        .headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|v| v.trim().parse::<IpAddr>().ok())
        .next_back()
        .unwrap_or(peer)
}

/// The token of `Authorization: Bearer <token>`, if the request has one.
fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// The caller of an API request, from `Authorization: Bearer <token>`.
pub(crate) struct ApiCaller(pub Caller);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ip = client_ip(parts, state.client_ip_header.as_ref());
        if state.auth_limiter.blocked(ip) {
            return Err(Failure::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too many failed attempts; wait a minute",
            ));
        }
        let token = bearer(parts);
        let unauthorized = || {
            Failure::new(
                StatusCode::UNAUTHORIZED,
                "a valid token is required: Authorization: Bearer hst_…",
            )
        };
        let Some(token) = token else {
            return Err(unauthorized());
        };
        let caller = if auth::well_formed(token) {
            state.db.caller_for_token(&auth::digest(token)).await?
        } else {
            None
        };
        if let Some(caller) = caller {
            Ok(Self(caller))
        } else {
            state.auth_limiter.allow(ip);
            Err(unauthorized())
        }
    }
}

/// Gives every request an id (the caller's `x-request-id` when it is a plain token of at most
/// 64 characters, so it cannot forge log lines; else a new UUID), echoes it and any
/// `traceparent`, writes one log line, and renders failures.
async fn request_context(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable_id(v))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    let traceparent = request.headers().get("traceparent").cloned();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let html = !path.starts_with("/api/") && !path.ends_with('z');
    let span = tracing::info_span!("request", request_id = %id);
    let started = Instant::now();
    let mut response = tracing::Instrument::instrument(next.run(request), span.clone()).await;
    if let Some(failure) = response.extensions_mut().remove::<Failure>() {
        response = render_failure(&failure, &id, html);
    } else if (response.status().is_client_error() || response.status().is_server_error())
        && !response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| {
                v.as_bytes().starts_with(b"application/json")
                    || v.as_bytes().starts_with(b"text/html")
            })
    {
        // Responses no handler wrote (an unknown route, a method not allowed, a timeout, a
        // body over the limit) get the same shape.
        let status = response.status();
        let message = status.canonical_reason().unwrap_or("error").to_lowercase();
        let allow = response.headers().get(header::ALLOW).cloned();
        response = render_failure(&Failure::new(status, message), &id, html);
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
        }
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    if let Some(traceparent) = traceparent {
        response.headers_mut().insert("traceparent", traceparent);
    }
    let status = response.status().as_u16();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        tracing::info!(
            method = %method,
            path = %path,
            status,
            elapsed_ms,
            "request"
        );
    });
    response
}

/// The per-client rate limit: anonymous clients by address (a small burst: sign-in pages and
/// probes), clients with a credential by that credential (a large one: CI pushes). Health
/// checks are exempt: load balancers call them on a schedule.
async fn rate_limit(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path == "/healthz" || path == "/readyz" {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    // A credential of the right shape is charged its own bucket (many CI runners behind one
    // address); anything else, a made-up cookie included, is charged its address's.
    let credential = bearer(&parts)
        .filter(|token| auth::well_formed(token))
        .or_else(|| crate::dashboard::session_cookie(&parts, &state));
    let buckets = if credential.is_some() {
        &state.identified
    } else {
        &state.anonymous
    };
    if let Err(wait) = buckets.take(auth::client_key(
        credential,
        client_ip(&parts, state.client_ip_header.as_ref()),
    )) {
        let mut response = Failure::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too many requests; slow down",
        )
        .into_response();
        if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    next.run(Request::from_parts(parts, body)).await
}

fn render_failure(failure: &Failure, id: &str, html: bool) -> Response {
    let mut response = if html {
        Html(crate::dashboard::error_page(failure, id)).into_response()
    } else {
        Json(ApiError {
            error: failure.message.clone(),
            request_id: id.to_owned(),
        })
        .into_response()
    };
    *response.status_mut() = failure.status;
    if failure.status == StatusCode::UNAUTHORIZED && !html {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"harden\""),
        );
    }
    response
}

/// The content security policy: everything from this origin, nothing inline but styles, no
/// framing.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The whole application.
pub fn router(state: AppState) -> Router {
    let headers: [(HeaderName, &'static str); 7] = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ),
        (header::CACHE_CONTROL, "no-store"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    let mut app = crate::api::routes()
        .merge(crate::dashboard::routes())
        .fallback(|| async { Failure::not_found() })
        .method_not_allowed_fallback(|| async {
            Failure::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        })
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .with_state(state)
        // Both: the layer refuses a declared length over the limit before reading, and axum's
        // own extractor limit (2 MiB by default) is raised to the same.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a handler panicked");
            Failure::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }));
    // The headers go on last, outside the request context, so the failures it renders carry
    // them too.
    app = app.layer(middleware::from_fn(request_context));
    for (name, value) in headers {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    app
}

/// Whether a state-changing browser request comes from this origin. Browsers say so in
/// `Sec-Fetch-Site`; older ones name the page in `Origin` (which is `null` under our
/// `no-referrer` policy, hence the fetch metadata first) or `Referer`. A request that says
/// nothing is refused: only browsers post these forms.
pub(crate) fn same_origin(parts: &Parts) -> bool {
    if parts.method == Method::GET || parts.method == Method::HEAD {
        return true;
    }
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(host) = header("host") else {
        return false;
    };
    let source = header("origin")
        .filter(|origin| *origin != "null")
        .or_else(|| header("referer"));
    source.is_some_and(|source| {
        let rest = source
            .strip_prefix("https://")
            .or_else(|| source.strip_prefix("http://"))
            .unwrap_or("");
        let authority = rest.split('/').next().unwrap_or("");
        authority.eq_ignore_ascii_case(host)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_taken_only_when_plain_and_short() {
        assert!(acceptable_id("req-1234_abc.def:7"));
        assert!(!acceptable_id(""));
        assert!(!acceptable_id("a b"));
        assert!(!acceptable_id("line\nbreak"));
        assert!(!acceptable_id(&"x".repeat(65)));
    }

    fn post(headers: &[(&str, &str)]) -> Parts {
        let mut request = axum::http::Request::post("/login");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0
    }

    #[test]
    fn the_client_address_is_the_peer_unless_a_trusted_header_names_it() {
        let mut parts = post(&[("x-forwarded-for", "203.0.113.9, 198.51.100.7")]);
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 4000))));
        assert_eq!(client_ip(&parts, None), IpAddr::from([10, 0, 0, 1]));
        let header = HeaderName::from_static("x-forwarded-for");
        // The last address is the one the balancer appended; the first is the client's to forge.
        assert_eq!(
            client_ip(&parts, Some(&header)),
            IpAddr::from([198, 51, 100, 7])
        );
        let plain = post(&[]);
        assert_eq!(client_ip(&plain, Some(&header)), IpAddr::from([0, 0, 0, 0]));
    }

    #[test]
    fn forms_are_taken_from_this_origin_only() {
        assert!(same_origin(&post(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&post(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&post(&[
            ("sec-fetch-site", "same-site"),
            ("origin", "http://h:1"),
            ("host", "h:1")
        ])));
        assert!(same_origin(&post(&[
            ("host", "h:1"),
            ("origin", "http://h:1")
        ])));
        assert!(!same_origin(&post(&[
            ("host", "h:1"),
            ("origin", "http://evil:1")
        ])));
        assert!(same_origin(&post(&[
            ("host", "h:1"),
            ("origin", "null"),
            ("referer", "http://h:1/login")
        ])));
        assert!(!same_origin(&post(&[("host", "h:1"), ("origin", "null")])));
        assert!(!same_origin(&post(&[("host", "h:1")])));
    }
}
