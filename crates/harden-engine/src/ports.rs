use std::fmt;

/// An error from a port (file, git, ledger), naming what it was reading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PortError {
    /// The path or resource involved.
    pub path: Option<String>,
    /// What went wrong.
    pub message: String,
}

impl PortError {
    /// An error about `path`.
    pub fn at(path: impl Into<String>, message: impl fmt::Display) -> Self {
        Self {
            path: Some(path.into()),
            message: message.to_string(),
        }
    }

    /// An error not tied to one path.
    pub fn new(message: impl fmt::Display) -> Self {
        Self {
            path: None,
            message: message.to_string(),
        }
    }
}

impl fmt::Display for PortError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{path}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The files of a repository's working tree.
pub trait RepoView: Send + Sync {
    /// The root as the user named it, for messages.
    fn root_display(&self) -> String;
    /// Every file that is not ignored, as repository-relative `/`-separated paths, sorted.
    fn files(&self) -> Result<&[String], PortError>;
    /// The bytes of a repository-relative file.
    fn read(&self, path: &str) -> Result<Vec<u8>, PortError>;
    /// Whether a repository-relative path is a regular file (ignored files included).
    fn is_file(&self, path: &str) -> bool;
    /// The size of a file in bytes, if it is known without reading the file (`None` for a
    /// stream such as standard input).
    fn size(&self, path: &str) -> Result<Option<u64>, PortError> {
        self.read(path).map(|bytes| Some(bytes.len() as u64))
    }
    /// The bytes of a file that holds at most `limit` bytes; a larger file, or one whose size
    /// is not known (a stream), is left unread. A working tree learns the size from the open
    /// file instead of looking its path up a second time.
    fn read_at_most(&self, path: &str, limit: u64) -> Result<Bounded, PortError> {
        match self.size(path)? {
            Some(size) if size <= limit => self.read(path).map(Bounded::Whole),
            size => Ok(Bounded::Unread { size }),
        }
    }
    /// The bytes of a file as a stream, for files too large to hold in memory: gates read
    /// those in bounded chunks.
    fn open(&self, path: &str) -> Result<Box<dyn std::io::Read + Send + '_>, PortError> {
        Ok(Box::new(std::io::Cursor::new(self.read(path)?)))
    }
    /// Every regular file matching one of `globs`, ignored files included (log files usually
    /// are ignored), sorted. Links are not followed.
    fn matching_all(&self, globs: &[String]) -> Result<Vec<String>, PortError> {
        let set = glob_set(globs)?;
        Ok(self
            .files()?
            .iter()
            .filter(|f| set.is_match(f.as_str()))
            .cloned()
            .collect())
    }
}

/// What [`RepoView::read_at_most`] (and [`crate::RunCache::read_at_most`]) found.
#[derive(Debug)]
pub enum Bounded<B = Vec<u8>> {
    /// The whole file.
    Whole(B),
    /// Not read: larger than the limit, or of a size not known (`None`) until it is read.
    Unread {
        /// The file's size, where it is known.
        size: Option<u64>,
    },
}

/// Compiles `globs` (`/` is a separator: `*` does not cross directories, `**` does).
pub fn glob_set(globs: &[String]) -> Result<globset::GlobSet, PortError> {
    let mut builder = globset::GlobSetBuilder::new();
    for glob in globs {
        let glob = globset::GlobBuilder::new(glob)
            .literal_separator(true)
            .build()
            .map_err(|e| PortError::new(format!("glob {glob}: {e}")))?;
        builder.add(glob);
    }
    builder.build().map_err(PortError::new)
}

/// A blob of the history, with the first commit (oldest first along the history) that holds
/// it and the path it had there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobOrigin {
    /// Hex object id of the blob.
    pub blob: String,
    /// Repository-relative path in the introducing commit.
    pub path: String,
    /// The introducing commit.
    pub commit: CommitInfo,
}

/// The blobs of a history walk, each once.
#[derive(Debug, Clone, Default)]
pub struct BlobWalk {
    /// Each distinct blob once, in the order its commits were visited (oldest first).
    pub blobs: Vec<BlobOrigin>,
    /// Commits walked.
    pub commits: u64,
}

/// A commit, as far as gates need to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full hex id.
    pub id: String,
    /// Committer time.
    pub time: jiff::Timestamp,
    /// Author name.
    pub author: String,
}

/// The git history of the repository.
pub trait History: Send + Sync {
    /// The commit HEAD points to, if any.
    fn head(&self) -> Result<Option<CommitInfo>, PortError>;
    /// The newest commit reachable from HEAD that changed `path` (added or modified it).
    fn last_change(&self, path: &str) -> Result<Option<CommitInfo>, PortError>;
    /// Every blob reachable from any ref whose path `include` accepts, once, with the commit
    /// that introduced it; with `since`, only blobs first appearing in commits not reachable
    /// from that revision.
    fn blobs(
        &self,
        since: Option<&str>,
        include: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<BlobWalk, PortError> {
        let _ = (since, include);
        Err(PortError::new("this history cannot list its blobs"))
    }
    /// The commit a change is compared with: the merge base of HEAD and `revision` (a branch,
    /// tag or commit id), or `None` when they share no history.
    fn merge_base(&self, revision: &str) -> Result<Option<CommitInfo>, PortError> {
        Err(PortError::new(format!(
            "this history cannot compare with {revision}"
        )))
    }
    /// Every file of `commit` (a full id) under the scanned root, as root-relative paths with
    /// their blob ids (read with [`History::read_blob`]), sorted.
    fn files_at(&self, commit: &str) -> Result<Vec<(String, String)>, PortError> {
        Err(PortError::new(format!(
            "this history cannot list commit {commit}"
        )))
    }
    /// The bytes of a blob listed by [`History::blobs`], or `None` if the object store does
    /// not have it (a partial clone).
    fn read_blob(&self, blob: &str) -> Result<Option<Vec<u8>>, PortError> {
        Err(PortError::new(format!("cannot read blob {blob}")))
    }
    /// The size of a blob in bytes, read from its header without inflating it; `None` if the
    /// object store does not have it.
    fn blob_size(&self, blob: &str) -> Result<Option<u64>, PortError> {
        Ok(self.read_blob(blob)?.map(|bytes| bytes.len() as u64))
    }
    /// A blob as a stream, for blobs too large to hold in memory; `None` if the object store
    /// does not have it.
    fn open_blob(
        &self,
        blob: &str,
    ) -> Result<Option<Box<dyn std::io::Read + Send + '_>>, PortError> {
        Ok(self
            .read_blob(blob)?
            .map(|bytes| Box::new(std::io::Cursor::new(bytes)) as Box<dyn std::io::Read + Send>))
    }
    /// A digest of where every ref points (and of the scanned directory): equal digests mean
    /// the same history. `None` when it cannot be told.
    fn tips_digest(&self) -> Result<Option<String>, PortError> {
        Ok(None)
    }
    /// What a gate kept under `key` in an earlier run (under `.git/harden/cache/`), if anything.
    fn cache_get(&self, key: &str) -> Option<Vec<u8>> {
        let _ = key;
        None
    }
    /// Keeps `bytes` under `key` for later runs.
    fn cache_put(&self, key: &str, bytes: &[u8]) -> Result<(), PortError> {
        let _ = (key, bytes);
        Ok(())
    }
    /// Whether the history is cut short (a shallow clone): older commits are not here.
    fn is_shallow(&self) -> bool {
        false
    }
}

/// Wall-clock time, injected so that runs are reproducible in tests.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> jiff::Timestamp;
}

/// A clock stopped at one instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub jiff::Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> jiff::Timestamp {
        self.0
    }
}

/// What a ledger says about its own integrity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerHealth {
    /// Where the ledger is (path or redacted URL).
    pub location: String,
    /// Entries verified.
    pub entries: u64,
    /// Hash of the last entry.
    pub head: Option<String>,
    /// The first break, if the chain is not intact.
    pub broken: Option<String>,
}

/// One ledger entry as a gate reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRecord {
    /// Its position in the chain.
    pub seq: u64,
    /// What it records (`attestation`, `drill`, `run`, ...).
    pub kind: String,
    /// When it was appended (RFC 3339, UTC).
    pub recorded_at: String,
    /// Its canonical JSON body.
    pub body: String,
}

/// Read access to the evidence ledger: its integrity for `R2.ledger.intact`, and the records
/// the checklist gates decide on (attestations, drills).
pub trait LedgerCheck: Send + Sync {
    /// Verifies the whole chain.
    fn verify(&self) -> Result<LedgerHealth, PortError>;
    /// The entries of these kinds, oldest first, read in one pass.
    fn records(&self, kinds: &[&str]) -> Result<Vec<LedgerRecord>, PortError>;
}

/// What the local advisory database holds, for `R4.vulns` and `harden db status`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdvisoryDbStatus {
    /// Where it is.
    pub location: String,
    /// Records by ecosystem.
    pub records: Vec<(String, u64)>,
    /// Newest `modified` time of any record (RFC 3339): how current the data is.
    pub newest_modified: Option<String>,
    /// When the last import finished (RFC 3339).
    pub imported_at: Option<String>,
}

/// Read access to the local advisory database.
pub trait AdvisoryDb: Send + Sync {
    /// Records that name `package` in `ecosystem` (its lookup key: PyPI names normalized), each
    /// serialized as `harden_advisories::Advisory` JSON.
    fn records(&self, ecosystem: &str, package: &str) -> Result<Vec<String>, PortError>;
    /// What it holds.
    fn status(&self) -> Result<AdvisoryDbStatus, PortError>;
}

/// The process environment, for gates that check deployment configuration.
pub trait Environment: Send + Sync {
    /// The value of a variable, if set.
    fn var(&self, name: &str) -> Option<String>;
}

/// A fixed set of variables: for replaying a run with a recorded environment, and for tests.
#[derive(Debug, Clone, Default)]
pub struct FixedEnvironment(pub std::collections::BTreeMap<String, String>);

impl Environment for FixedEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// Everything a run can reach. Optional ports are absent with a stated reason, so gates needing
/// them are skipped by construction.
pub struct Ports<'a> {
    /// The working tree.
    pub repo: &'a dyn RepoView,
    /// Git history, or why there is none.
    pub history: Result<&'a dyn History, String>,
    /// The ledger, or why there is none.
    pub ledger: Result<&'a dyn LedgerCheck, String>,
    /// The clock.
    pub clock: &'a dyn Clock,
    /// The process environment.
    pub env: &'a dyn Environment,
    /// The running service, or why there is none.
    pub service: Result<&'a dyn Service, String>,
    /// The local advisory database, or why there is none.
    pub advisories: Result<&'a dyn AdvisoryDb, String>,
    /// What gates have read and parsed in this run, shared between them. A new run gets
    /// a new cache (`RunCache::default()`): the files may have changed in between.
    pub cache: crate::cache::RunCache,
}

// ---------------------------------------------------------------------------------------------
// The running service (live gates)

/// A request to the target: a path (or an absolute URL on the target's host), headers and body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `POST`, `OPTIONS`...
    pub method: String,
    /// Path and query relative to the base URL, or an absolute URL on the same host.
    pub target: String,
    /// Headers to send.
    pub headers: Vec<(String, String)>,
    /// Body to send.
    pub body: Option<Vec<u8>>,
    /// Send only these headers: not the ones `[target] headers` adds to every request (an
    /// anonymous call must not carry the configured credentials).
    pub bare: bool,
    /// Send as this identity (`[[target.identity]]` name): the prober adds its credential.
    pub identity: Option<String>,
    /// Send the identity's JWT altered this way instead of as issued.
    pub forgery: Option<Forgery>,
}

/// A way to tamper with an identity's JWT: each must be refused by a service that checks
/// its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Forgery {
    /// `exp` an hour in the past (signed with the configured key when there is one, else
    /// keeping the issued signature).
    Expired,
    /// Header `{"alg":"none"}` and no signature.
    AlgNone,
    /// The issued claims with a changed signature.
    AlteredSignature,
}

impl Forgery {
    /// Every forgery, in the order gates try them.
    pub const ALL: [Forgery; 3] = [
        Forgery::AlgNone,
        Forgery::AlteredSignature,
        Forgery::Expired,
    ];

    /// How evidence names it.
    pub fn describe(self) -> &'static str {
        match self {
            Forgery::Expired => "an expired token",
            Forgery::AlgNone => "an alg:none token",
            Forgery::AlteredSignature => "a token with an altered signature",
        }
    }
}

/// What a gate may know of an identity: never its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityInfo {
    /// Its name.
    pub name: String,
    /// Whether its credential is a JWT (so forgeries of it can be tried).
    pub jwt: bool,
    /// Whether an expired token can be properly signed (the service's key is configured).
    pub can_sign: bool,
}

impl HttpRequest {
    /// A `GET` of `target`.
    pub fn get(target: &str) -> Self {
        Self {
            method: "GET".to_owned(),
            target: target.to_owned(),
            ..Self::default()
        }
    }

    /// The same request with one more header.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// A response as the prober read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers in the order received (names lower-cased).
    pub headers: Vec<(String, String)>,
    /// The body, up to the prober's body limit.
    pub body: Vec<u8>,
    /// Whether the body was longer than what was kept.
    pub truncated: bool,
    /// Time from sending to the end of the kept body.
    pub elapsed: std::time::Duration,
    /// Index of this exchange in the transcript.
    pub exchange: usize,
}

impl HttpResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of header `name` (`Set-Cookie` comes several times).
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request was not answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The run's request budget is spent: nothing was sent.
    #[error("the request budget ({0}) is spent")]
    BudgetSpent(u32),
    /// No complete answer within the timeout.
    #[error("no answer within {0:?}")]
    Timeout(std::time::Duration),
    /// The request names a host other than the target's: nothing was sent.
    #[error("{0} is not on the target's host; harden only talks to the target")]
    OtherHost(String),
    /// The connection failed or the request could not be built.
    #[error("{0}")]
    Failed(String),
}

/// The running service a live gate probes: bounded, rate-capped HTTP to one host, every
/// exchange kept in a redacted transcript (implemented by `harden-probe`).
pub trait Service: Send + Sync {
    /// The target's base URL, credentials masked.
    fn base_url(&self) -> String;

    /// Sends `request` to the target within the run's limits.
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError>;

    /// Sends `count` copies of `request` back to back, outside the rate cap but within the
    /// budget (what a rate-limit test needs).
    fn burst(&self, request: &HttpRequest, count: u32) -> Vec<Result<HttpResponse, HttpError>>;

    /// Sends `requests`, possibly several at once, within the run's limits; the answers and the
    /// transcript keep the order given.
    fn send_many(&self, requests: &[HttpRequest]) -> Vec<Result<HttpResponse, HttpError>> {
        requests.iter().map(|r| self.send(r)).collect()
    }

    /// Requests sent so far.
    fn sent(&self) -> u32;

    /// The transcript's record of exchange `index` (an [`HttpResponse::exchange`]), redacted.
    fn exchange(&self, index: usize) -> Option<harden_model::HttpExchange>;

    /// The paths gates that judge pages look at: `/` and those `[target] paths` adds.
    fn paths(&self) -> Vec<String>;

    /// A TLS handshake with the target (https only): what was negotiated and the certificate
    /// it showed, or why the handshake failed. Counts as one request.
    fn tls(&self) -> Result<TlsFacts, HttpError>;

    /// Whether the target completes a handshake offering only TLS `1.0` or `1.1` (`minor` 1
    /// or 2). Counts as one request.
    fn accepts_legacy_tls(&self, minor: u8) -> Result<bool, HttpError>;

    /// The names of the configured identities, in order (the first is A, the second B).
    fn identities(&self) -> Vec<String> {
        Vec::new()
    }

    /// Identity `name` ready to use (logged in if its credential comes from a login
    /// request, which counts as one request), or why it cannot be used.
    fn identity(&self, name: &str) -> Result<IdentityInfo, HttpError> {
        Err(HttpError::Failed(format!("no identity `{name}`")))
    }
}

/// What a TLS handshake with the target showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFacts {
    /// `TLSv1.3`, `TLSv1.2`.
    pub protocol: Option<String>,
    /// The negotiated cipher suite.
    pub cipher: Option<String>,
    /// The leaf certificate's end of validity, seconds since the Unix epoch.
    pub not_after: Option<i64>,
    /// The leaf certificate's subject, for messages.
    pub subject: Option<String>,
    /// Why the handshake failed (an untrusted, expired or wrong-host certificate), if it did.
    pub error: Option<String>,
}
