//! `harden push` and `harden check --report-to`: sending ledger entries to a team server.

use std::io::Write as _;
use std::time::Duration;

use harden_ledger::Entry;
use serde_json::{Value, json};

use crate::UsageError;
use crate::cli::PushArgs;
use crate::output;
use crate::session::Session;

/// Most entries in one request (the server takes up to 500).
const BATCH_ENTRIES: usize = 200;
/// Most body bytes in one request (the server takes up to 16 MiB).
const BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Attempts per request: a retry is safe, the server keys every entry.
const ATTEMPTS: u32 = 4;

/// The token for the server, from HARDEN_TOKEN only: a token on the command line would show in
/// process listings and shell history.
#[allow(clippy::disallowed_methods)] // The environment is where CI keeps the token.
fn token() -> anyhow::Result<String> {
    match std::env::var("HARDEN_TOKEN") {
        Ok(token) if !token.trim().is_empty() => Ok(token.trim().to_owned()),
        _ => Err(UsageError(
            "set HARDEN_TOKEN to a token from `harden serve token create` to send runs to a \
team server"
                .into(),
        )
        .into()),
    }
}

/// The ingest endpoint of `base`, refusing what would leak the token: credentials in the URL,
/// or plain HTTP to anything but this machine.
fn endpoint(base: &str) -> anyhow::Result<url::Url> {
    let url = url::Url::parse(base).map_err(|e| {
        UsageError(format!(
            "{base}: not a URL ({e}): expected https://host[:port]"
        ))
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UsageError(format!(
            "{}: credentials do not go in the URL; the token is read from HARDEN_TOKEN",
            harden_ledger::redact_url(base)
        ))
        .into());
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(UsageError(format!(
                "{base}: plain HTTP would send the token in the clear; use https://"
            ))
            .into());
        }
        other => {
            return Err(UsageError(format!("{base}: scheme {other}, expected https")).into());
        }
    }
    let mut path = url.path().trim_end_matches('/').to_owned();
    path.push_str("/api/v1/entries");
    let mut url = url;
    url.set_path(&path);
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// What the server answered for one entry.
#[derive(Debug, serde::Deserialize)]
struct Pushed {
    seq: u64,
    created: bool,
}

#[derive(Debug, serde::Deserialize)]
struct Response {
    project: String,
    entries: Vec<Pushed>,
}

struct Sender {
    client: reqwest::Client,
    url: url::Url,
    token: String,
    runtime: tokio::runtime::Runtime,
}

impl Sender {
    fn new(base: &str) -> anyhow::Result<Self> {
        let url = endpoint(base)?;
        let token = token()?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_mins(1))
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("harden/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(Self {
            client,
            url,
            token,
            runtime,
        })
    }

    /// Sends one batch of entries, each already JSON, retrying what may succeed on a second try
    /// (no connection, 429, 5xx).
    fn send(&self, entries: &[String]) -> anyhow::Result<Response> {
        let body = format!("{{\"entries\":[{}]}}", entries.join(","));
        let mut wait = Duration::from_millis(500);
        let mut attempt = 1;
        loop {
            let result = self.runtime.block_on(async {
                let response = self
                    .client
                    .post(self.url.clone())
                    .bearer_auth(&self.token)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone())
                    .send()
                    .await?;
                let status = response.status();
                let text = response.text().await?;
                Ok::<_, reqwest::Error>((status, text))
            });
            let retry = match &result {
                Err(_) => true,
                Ok((status, _)) => status.is_server_error() || status.as_u16() == 429,
            };
            if retry && attempt < ATTEMPTS {
                std::thread::sleep(wait);
                wait *= 2;
                attempt += 1;
                continue;
            }
            let (status, text) =
                result.map_err(|e| UsageError(format!("{}: {}", self.url, e.without_url())))?;
            if status.is_success() {
                return serde_json::from_str(&text).map_err(|e| {
                    UsageError(format!(
                        "{}: an answer harden does not understand: {e}",
                        self.url
                    ))
                    .into()
                });
            }
            let said = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_owned))
                .unwrap_or_default();
            let hint = if status.as_u16() == 401 {
                ": check HARDEN_TOKEN"
            } else {
                ""
            };
            return Err(UsageError(format!(
                "{} refused the push (HTTP {}){}{hint}",
                self.url,
                status.as_u16(),
                if said.is_empty() {
                    String::new()
                } else {
                    format!(": {said}")
                }
            ))
            .into());
        }
    }
}

/// The push form of a ledger entry, as JSON: its kind, body and the key that makes a retry
/// harmless.
fn push_entry(entry: &Entry) -> anyhow::Result<String> {
    let body: Value = serde_json::from_str(&entry.body)?;
    let key = match (entry.kind.as_str(), body["run_id"].as_str()) {
        ("run", Some(run_id)) => format!("run:{run_id}"),
        _ => format!("ledger:{}", entry.hash),
    };
    Ok(json!({"kind": entry.kind, "key": key, "body": body}).to_string())
}

/// Entries gathered into batches as the ledger is read, each batch sent when full: the ledger
/// is never held in memory whole.
struct Batches<'s> {
    sender: &'s Sender,
    batch: Vec<String>,
    bytes: usize,
    sent: usize,
    created: usize,
    known: usize,
    project: String,
    /// Whether a progress line is drawn (an interactive stderr; never in CI logs).
    show: bool,
}

impl Batches<'_> {
    fn add(&mut self, entry: String) -> anyhow::Result<()> {
        if !self.batch.is_empty()
            && (self.batch.len() >= BATCH_ENTRIES || self.bytes + entry.len() > BATCH_BYTES)
        {
            self.flush()?;
        }
        self.bytes += entry.len();
        self.batch.push(entry);
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let response = self.sender.send(&self.batch)?;
        for entry in &response.entries {
            if entry.created {
                self.created += 1;
            } else {
                self.known += 1;
            }
        }
        self.project = response.project;
        self.sent += self.batch.len();
        self.batch.clear();
        self.bytes = 0;
        if self.show {
            let mut stderr = anstream::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2Kpushed {} entries", self.sent);
            let _ = stderr.flush();
        }
        Ok(())
    }
}

pub(crate) fn run(args: &PushArgs) -> anyhow::Result<u8> {
    let sender = Sender::new(&args.url)?;
    let session = Session::open_for_reading(&args.path, &args.locations)?;
    let mut batches = Batches {
        sender: &sender,
        batch: Vec::new(),
        bytes: 0,
        sent: 0,
        created: 0,
        known: 0,
        project: String::new(),
        show: std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    {
        let mut store = session
            .store
            .lock()
            .map_err(|_| anyhow::anyhow!("ledger lock poisoned"))?;
        let Some(store) = store.as_mut() else {
            return Err(UsageError(format!(
                "no ledger at {} (run `harden check` first, or pass --ledger)",
                session.ledger_location
            ))
            .into());
        };
        store.begin_read()?;
        let mut after = 0;
        loop {
            let page = store.page(after, 5_000)?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for entry in &page {
                batches.add(push_entry(entry)?)?;
            }
        }
        batches.flush()?;
        store.end_read()?;
    }
    if batches.show {
        output::progress_clear();
    }
    let Batches {
        sent,
        created,
        known,
        project,
        ..
    } = batches;
    output::emit(
        &format!(
            "pushed {sent} entr{} to project {project}: {created} new, {known} already there\n",
            if sent == 1 { "y" } else { "ies" }
        ),
        None,
    )?;
    Ok(0)
}

/// Sends one run (`harden check --report-to`), returning where the server put it.
pub(crate) fn report_run(base: &str, body: &Value) -> anyhow::Result<(String, u64, bool)> {
    let sender = Sender::new(base)?;
    let key = body["run_id"]
        .as_str()
        .map(|id| format!("run:{id}"))
        .ok_or_else(|| anyhow::anyhow!("the run has no id"))?;
    let response = sender.send(&[json!({"kind": "run", "key": key, "body": body}).to_string()])?;
    let pushed = response
        .entries
        .first()
        .ok_or_else(|| UsageError("the server acknowledged no entry".into()))?;
    Ok((response.project, pushed.seq, pushed.created))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_refuses_what_would_leak_the_token() {
        assert_eq!(
            endpoint("https://harden.example.internal/")
                .unwrap()
                .as_str(),
            "https://harden.example.internal/api/v1/entries"
        );
        assert_eq!(
            endpoint("http://127.0.0.1:8080").unwrap().as_str(),
            "http://127.0.0.1:8080/api/v1/entries"
        );
        assert!(endpoint("http://harden.example.internal").is_err());
        assert!(endpoint("https://user:pw@harden.example.internal").is_err());
        assert!(endpoint("ftp://harden.example.internal").is_err());
        assert!(endpoint("not a url").is_err());
    }
}
