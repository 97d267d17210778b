//! The probe adapter: HTTP requests to one running service, bounded in number, rate, time and
//! concurrency, each kept in a redacted transcript that becomes the run's evidence.
//!
//! The API is blocking (gates run on rayon threads); requests run on a small tokio runtime the
//! prober owns. Nothing here follows a redirect or talks to a host other than the target's: a
//! redirect is recorded, a request elsewhere is refused before it is sent.

mod identity;
mod jwt;
mod redact;
mod tls;

use std::borrow::Cow;
use std::collections::HashMap;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

pub use identity::{Credential, Identity, Login};
pub use redact::MaskedUrl;

/// What one run may spend on a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Requests in all; the prober stops by itself when they are spent.
    pub budget: u32,
    /// Requests per second at most.
    pub rate_per_second: u32,
    /// Time for one exchange, connection and body included.
    pub timeout: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Bytes of a response body kept (the rest is not read).
    pub body_limit: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            budget: 200,
            rate_per_second: 50,
            timeout: Duration::from_secs(5),
            concurrency: 4,
            body_limit: 256 << 10,
        }
    }
}

pub use harden_engine::{
    HttpError as ProbeError, HttpRequest as Request, HttpResponse as Response,
};

/// One request and what came back, as the transcript keeps it (redacted).
pub use harden_model::HttpExchange as Exchange;

/// Timeouts in a row after which the service counts as hung: later requests fail at once, so
/// a service that accepts connections and never answers costs a run a few timeouts, not one
/// per request.
const HUNG_AFTER: u32 = 2;

/// Characters of a body shown in an exchange.
const EXCERPT: usize = 240;

/// A request ready to go, with its transcript entry begun.
struct Prepared {
    method: reqwest::Method,
    url: url::Url,
    request: Request,
    exchange: Exchange,
    timeout: Duration,
    limit: usize,
    withhold: bool,
}

/// What the transcript keeps of an answer, and how much of it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// An excerpt, the body read up to the body limit.
    Excerpt,
    /// Nothing of the body (a login answer carries the credential).
    Withheld,
    /// An excerpt, the body read up to this many bytes (a contract).
    Document(usize),
}

/// An identity's credential header (name, value) once obtained, or why it could not be.
type Session = Result<(String, String), String>;

/// Requests to one service.
pub struct Prober {
    base: url::Url,
    limits: Limits,
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    sent: AtomicU32,
    timeouts_in_a_row: AtomicU32,
    in_flight: tokio::sync::Semaphore,
    next_slot: tokio::sync::Mutex<Option<tokio::time::Instant>>,
    transcript: Mutex<Vec<Exchange>>,
    /// Sent with every request unless the request sets the same header.
    headers: Vec<(String, String)>,
    /// Paths the gates look at besides `/`.
    paths: Vec<String>,
    /// Certificate authorities trusted besides the system's (a staging CA).
    roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    /// Callers the gates may act as.
    identities: Vec<Identity>,
    /// Each identity's credential header once obtained, or why it could not be.
    sessions: Mutex<HashMap<String, Session>>,
    /// Values never shown in the transcript: credentials, tokens, passwords.
    secrets: Mutex<Vec<String>>,
}

impl harden_engine::Service for Prober {
    fn base_url(&self) -> String {
        self.base().to_string()
    }

    fn send(&self, request: &Request) -> Result<Response, ProbeError> {
        Prober::send(self, request)
    }

    fn burst(&self, request: &Request, count: u32) -> Vec<Result<Response, ProbeError>> {
        Prober::burst(self, request, count)
    }

    fn send_many(&self, requests: &[Request]) -> Vec<Result<Response, ProbeError>> {
        Prober::send_many(self, requests)
    }

    fn sent(&self) -> u32 {
        Prober::sent(self)
    }

    fn exchange(&self, index: usize) -> Option<Exchange> {
        self.transcript.lock().ok()?.get(index).cloned()
    }

    fn tls(&self) -> Result<harden_engine::TlsFacts, ProbeError> {
        Prober::tls(self)
    }

    fn accepts_legacy_tls(&self, minor: u8) -> Result<bool, ProbeError> {
        Prober::accepts_legacy_tls(self, minor)
    }

    fn paths(&self) -> Vec<String> {
        let mut paths = vec!["/".to_owned()];
        paths.extend(self.paths.iter().filter(|p| *p != "/").cloned());
        paths
    }

    fn identities(&self) -> Vec<String> {
        self.identities.iter().map(|i| i.name.clone()).collect()
    }

    fn identity(&self, name: &str) -> Result<harden_engine::IdentityInfo, ProbeError> {
        Prober::identity(self, name)
    }
}

impl std::fmt::Debug for Prober {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prober")
            .field("base", &MaskedUrl::new(self.base.clone()))
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Prober {
    /// A prober for the service at `base` (an `http` or `https` URL).
    pub fn new(base: &str, limits: Limits) -> Result<Self, ProbeError> {
        let base =
            url::Url::parse(base).map_err(|e| ProbeError::Failed(format!("base URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(ProbeError::Failed(format!(
                "base URL {} is not an http(s) URL with a host",
                MaskedUrl::new(base)
            )));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| ProbeError::Failed(format!("runtime: {e}")))?;
        let client = client(&limits, &[])?;
        Ok(Self {
            in_flight: tokio::sync::Semaphore::new(limits.concurrency.max(1)),
            base,
            limits,
            runtime,
            client,
            sent: AtomicU32::new(0),
            timeouts_in_a_row: AtomicU32::new(0),
            next_slot: tokio::sync::Mutex::new(None),
            transcript: Mutex::new(Vec::new()),
            headers: Vec::new(),
            paths: Vec::new(),
            roots: Vec::new(),
            identities: Vec::new(),
            sessions: Mutex::new(HashMap::new()),
            secrets: Mutex::new(Vec::new()),
        })
    }

    /// Trusts the certificate authorities of `pem` (a staging CA) besides the system's.
    pub fn with_root_certificates(mut self, pem: &[u8]) -> Result<Self, ProbeError> {
        use rustls::pki_types::pem::PemObject as _;
        let roots: Vec<_> = rustls::pki_types::CertificateDer::pem_slice_iter(pem)
            .collect::<Result<_, _>>()
            .map_err(|e| ProbeError::Failed(format!("certificate authority file: {e}")))?;
        if roots.is_empty() {
            return Err(ProbeError::Failed(
                "certificate authority file: no PEM certificate in it".into(),
            ));
        }
        self.client = client(&self.limits, &roots)?;
        self.roots = roots;
        Ok(self)
    }

    /// The target's host and port, for connections of our own.
    fn host_port(&self) -> Result<(String, u16), ProbeError> {
        let host = self
            .base
            .host_str()
            .ok_or_else(|| ProbeError::Failed("the base URL has no host".into()))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = self
            .base
            .port_or_known_default()
            .ok_or_else(|| ProbeError::Failed("the base URL has no port".into()))?;
        Ok((host, port))
    }

    /// One unit of the budget, for a connection that is not an HTTP exchange.
    fn spend(&self) -> Result<Duration, ProbeError> {
        let timeout = self.time_left()?;
        if self.timeouts_in_a_row.load(Ordering::Relaxed) >= HUNG_AFTER {
            return Err(ProbeError::Failed(
                "not sent: the service stopped answering".into(),
            ));
        }
        if self.sent.fetch_add(1, Ordering::Relaxed) >= self.limits.budget {
            return Err(ProbeError::BudgetSpent(self.limits.budget));
        }
        Ok(timeout)
    }

    /// A verified TLS handshake with the target.
    pub fn tls(&self) -> Result<harden_engine::TlsFacts, ProbeError> {
        if self.base.scheme() != "https" {
            return Err(ProbeError::Failed("the target is not https".into()));
        }
        let timeout = self.spend()?;
        let (host, port) = self.host_port()?;
        let roots = tls::root_store(&self.roots);
        self.runtime
            .block_on(tls::handshake(&host, port, roots, timeout))
    }

    /// Whether the target accepts a handshake offering only TLS 1.`minor`.
    pub fn accepts_legacy_tls(&self, minor: u8) -> Result<bool, ProbeError> {
        if self.base.scheme() != "https" {
            return Err(ProbeError::Failed("the target is not https".into()));
        }
        let timeout = self.spend()?;
        let (host, port) = self.host_port()?;
        self.runtime
            .block_on(tls::accepts_legacy(&host, port, minor, timeout))
    }

    /// Sends `headers` with every request (a request's own header of the same name wins).
    #[must_use]
    pub fn with_headers(mut self, headers: Vec<(String, String)>) -> Self {
        self.headers = headers;
        self
    }

    /// Lets the gates act as `identities` (the first is A, the second B).
    #[must_use]
    pub fn with_identities(mut self, identities: Vec<Identity>) -> Self {
        if let Ok(mut secrets) = self.secrets.lock() {
            secrets.extend(identities.iter().flat_map(Identity::secrets));
        }
        self.identities = identities;
        self
    }

    /// Remembers `value` as a secret the transcript never shows.
    fn keep_secret(&self, value: &str) {
        if let Ok(mut secrets) = self.secrets.lock()
            && !secrets.iter().any(|s| s == value)
        {
            secrets.push(value.to_owned());
        }
    }

    /// `text` with every known secret replaced by its length.
    fn scrub(&self, text: &str) -> String {
        let Ok(secrets) = self.secrets.lock() else {
            return text.to_owned();
        };
        let mut out = text.to_owned();
        // Longest first, so a token inside a longer header value goes with it.
        let mut ordered: Vec<&String> = secrets.iter().filter(|s| s.len() >= 4).collect();
        ordered.sort_by_key(|s| std::cmp::Reverse(s.len()));
        for secret in ordered {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), &format!("…({})", secret.chars().count()));
            }
        }
        out
    }

    fn scrub_exchange(&self, exchange: &mut Exchange) {
        exchange.url = self.scrub(&exchange.url);
        for (_, value) in exchange
            .request_headers
            .iter_mut()
            .chain(exchange.response_headers.iter_mut())
        {
            *value = self.scrub(value);
        }
        for text in [
            &mut exchange.excerpt,
            &mut exchange.error,
            &mut exchange.redirect,
        ]
        .into_iter()
        .flatten()
        {
            *text = self.scrub(text);
        }
    }

    /// The credential header of identity `name`, logging in the first time.
    fn session(&self, name: &str) -> Result<(String, String), ProbeError> {
        let known = self
            .sessions
            .lock()
            .map_err(|_| ProbeError::Failed("session lock poisoned".into()))?
            .get(name)
            .cloned();
        let session = if let Some(session) = known {
            session
        } else {
            {
                let identity = self
                    .identities
                    .iter()
                    .find(|i| i.name == name)
                    .ok_or_else(|| ProbeError::Failed(format!("no identity `{name}`")))?;
                let session = match &identity.credential {
                    Credential::Header { name, value } => Ok((name.clone(), value.clone())),
                    Credential::Unavailable(why) => Err(why.clone()),
                    Credential::Login(login) => self.login(login)?,
                };
                if let Ok((_, value)) = &session {
                    self.keep_secret(value);
                    for range in identity::jwt_ranges(value) {
                        self.keep_secret(&value[range]);
                    }
                    for cookie in value.split("; ").filter_map(|c| c.split_once('=')) {
                        self.keep_secret(cookie.1);
                    }
                }
                self.sessions
                    .lock()
                    .map_err(|_| ProbeError::Failed("session lock poisoned".into()))?
                    .insert(name.to_owned(), session.clone());
                session
            }
        };
        session.map_err(|why| ProbeError::Failed(format!("identity `{name}`: {why}")))
    }

    /// Sends a login request (its answer is kept out of the transcript): the credential, or
    /// why there is none. A failure to send at all is the caller's error.
    fn login(&self, login: &Login) -> Result<Result<(String, String), String>, ProbeError> {
        let request = Request {
            method: login.method.clone(),
            target: login.path.clone(),
            headers: vec![("Content-Type".to_owned(), login.content_type.clone())],
            body: Some(login.body.clone().into_bytes()),
            ..Request::default()
        };
        let response = self.send_recorded(&request, true, Keep::Withheld)?;
        Ok(identity::credential_from_login(
            login,
            response.status,
            &response.headers,
            &response.body,
        ))
    }

    /// What a gate may know of identity `name`, logging in if needed.
    pub fn identity(&self, name: &str) -> Result<harden_engine::IdentityInfo, ProbeError> {
        let (_, value) = self.session(name)?;
        let key = self
            .identities
            .iter()
            .find(|i| i.name == name)
            .and_then(|i| i.jwt_key.as_deref());
        let jwts = identity::jwt_ranges(&value);
        Ok(harden_engine::IdentityInfo {
            name: name.to_owned(),
            jwt: !jwts.is_empty(),
            can_sign: jwts.iter().any(|r| jwt::can_sign(&value[r.clone()], key)),
        })
    }

    /// The credential of `name` with each JWT in it forged as `forgery` says.
    fn forged(
        &self,
        name: &str,
        value: &str,
        forgery: harden_engine::Forgery,
    ) -> Result<String, ProbeError> {
        let key = self
            .identities
            .iter()
            .find(|i| i.name == name)
            .and_then(|i| i.jwt_key.as_deref());
        let ranges = identity::jwt_ranges(value);
        if ranges.is_empty() {
            return Err(ProbeError::Failed(format!(
                "identity `{name}`: its credential is not a JWT, so it cannot be forged"
            )));
        }
        // The service judges `exp` by the real time, not by the run's clock.
        #[allow(clippy::disallowed_methods)]
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let mut out = String::new();
        let mut at = 0;
        for range in ranges {
            out.push_str(&value[at..range.start]);
            let forged = jwt::forge(&value[range.clone()], forgery, key, now)
                .unwrap_or_else(|| value[range.clone()].to_owned());
            self.keep_secret(&forged);
            out.push_str(&forged);
            at = range.end;
        }
        out.push_str(&value[at..]);
        Ok(out)
    }

    /// Lets the gates look at `paths` besides `/`.
    #[must_use]
    pub fn with_paths(mut self, paths: Vec<String>) -> Self {
        self.paths = paths;
        self
    }

    /// The target's base URL, masked for printing.
    pub fn base(&self) -> MaskedUrl {
        MaskedUrl::new(self.base.clone())
    }

    /// Requests sent so far.
    pub fn sent(&self) -> u32 {
        self.sent.load(Ordering::Relaxed).min(self.limits.budget)
    }

    /// Every exchange so far, in the order they were recorded.
    pub fn transcript(&self) -> Vec<Exchange> {
        self.transcript
            .lock()
            .map(|t| t.clone())
            .unwrap_or_default()
    }

    /// The URL `target` stands for, if it is on the target's host.
    fn resolve(&self, target: &str) -> Result<url::Url, ProbeError> {
        let url = self
            .base
            .join(target)
            .map_err(|e| ProbeError::Failed(format!("{target}: {e}")))?;
        let same_host = url
            .host_str()
            .zip(self.base.host_str())
            .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b));
        if !same_host || !matches!(url.scheme(), "http" | "https") {
            return Err(ProbeError::OtherHost(MaskedUrl::new(url).to_string()));
        }
        Ok(url)
    }

    /// Sends `request` within the limits and records the exchange.
    pub fn send(&self, request: &Request) -> Result<Response, ProbeError> {
        self.send_paced(request, true)
    }

    /// Sends `count` copies of `request` back to back, outside the rate cap (a rate-limit test
    /// needs a burst) but within the budget and the other limits.
    pub fn burst(&self, request: &Request, count: u32) -> Vec<Result<Response, ProbeError>> {
        (0..count)
            .map(|_| self.send_paced(request, false))
            .collect()
    }

    /// Refuses to send once the running gate's time is spent; else the time one exchange may
    /// take (the per-request timeout, or less when the gate's deadline is nearer).
    fn time_left(&self) -> Result<Duration, ProbeError> {
        match harden_engine::service_deadline() {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    Err(ProbeError::Failed(
                        "not sent: the gate's time is spent ([target] gate-time)".into(),
                    ))
                } else {
                    Ok(left.min(self.limits.timeout))
                }
            }
            None => Ok(self.limits.timeout),
        }
    }

    fn send_paced(&self, request: &Request, paced: bool) -> Result<Response, ProbeError> {
        self.send_recorded(request, paced, Keep::Excerpt)
    }

    /// Fetches a document of the target (an OpenAPI contract), reading up to `limit` bytes of
    /// it instead of the usual body limit; within the budget and in the transcript.
    pub fn fetch_document(&self, target: &str, limit: usize) -> Result<Response, ProbeError> {
        self.send_recorded(&Request::get(target), true, Keep::Document(limit))
    }

    /// Sends `request`; `keep` says what the transcript keeps of the answer.
    fn send_recorded(
        &self,
        request: &Request,
        paced: bool,
        keep: Keep,
    ) -> Result<Response, ProbeError> {
        let prepared = self.prepare(request, keep)?;
        let outcome = self.runtime.block_on(self.exchange(
            prepared.method.clone(),
            prepared.url.clone(),
            &prepared.request,
            paced,
            (prepared.timeout, prepared.limit),
        ));
        let (exchange, result) = self.finish(&prepared, outcome);
        let index = {
            let mut transcript = self
                .transcript
                .lock()
                .map_err(|_| ProbeError::Failed("transcript lock poisoned".into()))?;
            transcript.push(exchange);
            transcript.len() - 1
        };
        result.map(|response| Response {
            exchange: index,
            ..response
        })
    }

    /// Sends `requests` concurrently (as many in flight as the limits allow, each paced by the
    /// rate cap and counted against the budget); the transcript keeps them in the order given,
    /// whatever order they are answered in, so a run stays reproducible.
    pub fn send_many(&self, requests: &[Request]) -> Vec<Result<Response, ProbeError>> {
        let prepared: Vec<Result<Prepared, ProbeError>> = requests
            .iter()
            .map(|r| self.prepare(r, Keep::Excerpt))
            .collect();
        // Slots in request order, filled as answers come.
        let slots: Vec<Option<usize>> = match self.transcript.lock() {
            Ok(mut transcript) => prepared
                .iter()
                .map(|p| {
                    p.as_ref().ok().map(|p| {
                        transcript.push(p.exchange.clone());
                        transcript.len() - 1
                    })
                })
                .collect(),
            Err(_) => {
                return requests
                    .iter()
                    .map(|_| Err(ProbeError::Failed("transcript lock poisoned".into())))
                    .collect();
            }
        };
        let outcomes = self.runtime.block_on(futures_util::future::join_all(
            prepared.iter().filter_map(|p| p.as_ref().ok()).map(|p| {
                self.exchange(
                    p.method.clone(),
                    p.url.clone(),
                    &p.request,
                    true,
                    (p.timeout, p.limit),
                )
            }),
        ));
        let mut outcomes = outcomes.into_iter();
        prepared
            .into_iter()
            .zip(slots)
            .map(|(prepared, slot)| {
                let prepared = prepared?;
                let outcome = outcomes
                    .next()
                    .unwrap_or(Err((ProbeError::Failed("not sent".into()), Duration::ZERO)));
                let (exchange, result) = self.finish(&prepared, outcome);
                let index = slot.unwrap_or_default();
                if let Ok(mut transcript) = self.transcript.lock()
                    && let Some(entry) = transcript.get_mut(index)
                {
                    *entry = exchange;
                }
                result.map(|response| Response {
                    exchange: index,
                    ..response
                })
            })
            .collect()
    }

    /// Everything about a request decided before it is sent: the budget spent, the identity's
    /// credential and the `[target]` headers added, the transcript entry begun.
    fn prepare(&self, request: &Request, keep: Keep) -> Result<Prepared, ProbeError> {
        let withhold = keep == Keep::Withheld;
        let limit = match keep {
            Keep::Document(limit) => limit,
            _ => self.limits.body_limit,
        };
        let url = self.resolve(&request.target)?;
        let timeout = self.time_left()?;
        let request: Cow<'_, Request> = match &request.identity {
            Some(name) => {
                let (header, mut value) = self.session(name)?;
                if let Some(forgery) = request.forgery {
                    value = self.forged(name, &value, forgery)?;
                }
                let mut owned = request.clone();
                owned
                    .headers
                    .retain(|(n, _)| !n.eq_ignore_ascii_case(&header));
                owned.headers.push((header, value));
                Cow::Owned(owned)
            }
            None => Cow::Borrowed(request),
        };
        let request = request.as_ref();
        let mut merged;
        let request = if self.headers.is_empty() || request.bare {
            request
        } else {
            merged = request.clone();
            for (name, value) in &self.headers {
                if !merged
                    .headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case(name))
                {
                    merged.headers.push((name.clone(), value.clone()));
                }
            }
            &merged
        };
        if self.timeouts_in_a_row.load(Ordering::Relaxed) >= HUNG_AFTER {
            return Err(ProbeError::Failed(format!(
                "not sent: the service stopped answering ({HUNG_AFTER} requests in a row got no answer within {:?})",
                self.limits.timeout
            )));
        }
        let previous = self.sent.fetch_add(1, Ordering::Relaxed);
        if previous >= self.limits.budget {
            return Err(ProbeError::BudgetSpent(self.limits.budget));
        }
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|e| ProbeError::Failed(format!("method {}: {e}", request.method)))?;
        let exchange = Exchange {
            gate: harden_engine::service_gate().map(str::to_owned),
            method: request.method.clone(),
            url: MaskedUrl::new(url.clone()).to_string(),
            request_headers: request
                .headers
                .iter()
                .map(|(n, v)| redact::header(n, v))
                .collect(),
            request_body_sha256: request
                .body
                .as_ref()
                .filter(|_| !withhold)
                .map(|b| hex::encode(Sha256::digest(b))),
            request_body_bytes: request.body.as_ref().map(Vec::len),
            status: None,
            response_headers: Vec::new(),
            redirect: None,
            elapsed_ms: 0,
            body_sha256: None,
            body_bytes: None,
            excerpt: None,
            error: None,
        };
        Ok(Prepared {
            method,
            url,
            request: request.clone(),
            exchange,
            timeout,
            limit,
            withhold,
        })
    }

    /// The transcript entry and the result of a prepared request's outcome.
    fn finish(
        &self,
        prepared: &Prepared,
        outcome: Result<Response, (ProbeError, Duration)>,
    ) -> (Exchange, Result<Response, ProbeError>) {
        let timeout = prepared.timeout;
        let withhold = prepared.withhold;
        let mut exchange = prepared.exchange.clone();
        let outcome = match outcome {
            // Cut short by the gate's deadline, not by the service's silence: not a sign of a
            // hung service, and said as what it is.
            Err((ProbeError::Timeout(_), elapsed)) if timeout < self.limits.timeout => Err((
                ProbeError::Failed(
                    "the gate's time ran out waiting for an answer ([target] gate-time)".into(),
                ),
                elapsed,
            )),
            other => other,
        };
        match &outcome {
            Err((ProbeError::Timeout(_), _)) => {
                self.timeouts_in_a_row.fetch_add(1, Ordering::Relaxed);
            }
            _ => self.timeouts_in_a_row.store(0, Ordering::Relaxed),
        }
        let result = match outcome {
            Ok(response) => {
                exchange.status = Some(response.status);
                exchange.response_headers = response
                    .headers
                    .iter()
                    .map(|(n, v)| redact::header(n, v))
                    .collect();
                exchange.elapsed_ms =
                    u64::try_from(response.elapsed.as_millis()).unwrap_or(u64::MAX);
                exchange.body_sha256 = Some(hex::encode(Sha256::digest(&response.body)));
                exchange.body_bytes = Some(response.body.len());
                exchange.excerpt = if withhold {
                    Some("(withheld: a login answer carries the credential)".to_owned())
                } else {
                    (!response.body.is_empty()).then(|| redact::excerpt(&response.body, EXCERPT))
                };
                if (300..400).contains(&response.status)
                    && let Some(location) = response.header("location")
                {
                    exchange.redirect = Some(match self.base.join(location) {
                        Ok(to) => MaskedUrl::new(to).to_string(),
                        Err(_) => harden_secrets::mask(location).into_owned(),
                    });
                }
                Ok(response)
            }
            Err((error, elapsed)) => {
                exchange.elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
                exchange.error = Some(harden_secrets::mask(&error.to_string()).into_owned());
                Err(error)
            }
        };
        self.scrub_exchange(&mut exchange);
        (exchange, result)
    }

    /// Waits for a rate slot: slots are `1 / rate` apart, handed out in order.
    async fn pace(&self) {
        let interval = Duration::from_secs(1) / self.limits.rate_per_second.max(1);
        let slot = {
            let mut next = self.next_slot.lock().await;
            let now = tokio::time::Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// One exchange on the wire; the answer's transcript index is set when it is recorded.
    async fn exchange(
        &self,
        method: reqwest::Method,
        url: url::Url,
        request: &Request,
        paced: bool,
        (timeout, limit): (Duration, usize),
    ) -> Result<Response, (ProbeError, Duration)> {
        let _permit = self
            .in_flight
            .acquire()
            .await
            .map_err(|e| (ProbeError::Failed(e.to_string()), Duration::ZERO))?;
        if paced {
            self.pace().await;
        }
        let started = Instant::now();
        let mut builder = self.client.request(method, url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let work = async move {
            let mut response = builder.send().await?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let mut body = Vec::new();
            let mut truncated = false;
            while let Some(chunk) = response.chunk().await? {
                let room = limit.saturating_sub(body.len());
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if chunk.len() > room {
                    truncated = true;
                    break;
                }
            }
            Ok::<_, reqwest::Error>((status, headers, body, truncated))
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(Ok((status, headers, body, truncated))) => Ok(Response {
                status,
                headers,
                body,
                truncated,
                elapsed: started.elapsed(),
                exchange: 0,
            }),
            Ok(Err(e)) => Err((ProbeError::Failed(describe(&e)), started.elapsed())),
            Err(_) => Err((ProbeError::Timeout(timeout), started.elapsed())),
        }
    }
}

/// The HTTP client: no redirects followed, no proxy, the given extra roots trusted.
fn client(
    limits: &Limits,
    roots: &[rustls::pki_types::CertificateDer<'static>],
) -> Result<reqwest::Client, ProbeError> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // Straight to the target: a proxy from the environment is another host.
        .no_proxy()
        .connect_timeout(limits.timeout)
        .user_agent(concat!("harden/", env!("CARGO_PKG_VERSION")));
    for root in roots {
        let certificate = reqwest::Certificate::from_der(root)
            .map_err(|e| ProbeError::Failed(format!("certificate authority: {e}")))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder
        .build()
        .map_err(|e| ProbeError::Failed(format!("client: {e}")))
}

/// A reqwest error with its causes, which name what actually failed (refused, reset, TLS).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
