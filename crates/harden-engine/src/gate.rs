use harden_config::{GateSettings, OptionValue, ValidConfig};
use harden_model::{Evidence, Finding, FindingBuilder, GateMeta, Location};

use crate::ports::{Clock, History, LedgerCheck, PortError, Ports, RepoView};

/// A check with a stable id that records findings and evidence.
pub trait Gate: Send + Sync {
    /// Static metadata.
    fn meta(&self) -> &'static GateMeta;
    /// Reads only through `cx`; records into `out`. Returning `Err(GateError::Skip)` skips the
    /// gate with that reason; any other error fails it with the error attached.
    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError>;
}

/// Why a gate stopped early.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GateError {
    /// It cannot judge anything here; the reason is recorded.
    #[error("{0}")]
    Skip(String),
    /// Something it needed could not be read or parsed.
    #[error("{message}")]
    Failed {
        /// What went wrong.
        message: String,
        /// Where, if known.
        location: Option<Location>,
    },
}

impl From<PortError> for GateError {
    fn from(error: PortError) -> Self {
        let location = error.path.clone().map(|path| Location::File {
            path,
            span: None,
            snippet: None,
            logical: None,
        });
        GateError::Failed {
            message: error.to_string(),
            location,
        }
    }
}

/// What a gate can see while it runs.
pub struct GateCx<'a> {
    pub(crate) meta: &'static GateMeta,
    pub(crate) config: &'a ValidConfig,
    pub(crate) settings: GateSettings,
    pub(crate) ports: &'a Ports<'a>,
    progress: &'a (dyn Fn(&str) + Sync),
}

fn no_progress(_: &str) {}

impl<'a> GateCx<'a> {
    /// Builds a context; the runner does this for every gate.
    pub fn new(meta: &'static GateMeta, config: &'a ValidConfig, ports: &'a Ports<'a>) -> Self {
        Self {
            meta,
            config,
            settings: config.gate(&meta.id),
            ports,
            progress: &no_progress,
        }
    }

    /// The same context, telling `progress` where a long gate is.
    #[must_use]
    pub fn with_progress(self, progress: &'a (dyn Fn(&str) + Sync)) -> Self {
        Self { progress, ..self }
    }

    /// Says where a long gate is (`walking the history`, `1,200 of 9,000 blobs`); shown on a
    /// terminal's progress line, nowhere else.
    pub fn progress(&self, detail: &str) {
        (self.progress)(detail);
    }

    /// The gate this context runs.
    pub fn meta(&self) -> &'static GateMeta {
        self.meta
    }

    /// The validated configuration.
    pub fn config(&self) -> &ValidConfig {
        self.config
    }

    /// The working tree.
    pub fn repo(&self) -> &dyn RepoView {
        self.ports.repo
    }

    /// The bytes of a repository file, read once in this run for every gate that asks this
    /// way (see [`crate::RunCache::read`]).
    pub fn read_shared(&self, path: &str) -> Result<std::sync::Arc<Vec<u8>>, PortError> {
        self.ports.cache.read(self.ports.repo, path)
    }

    /// What this run has read and parsed, for helpers shared with commands that run no gate.
    pub fn cache(&self) -> &crate::RunCache {
        &self.ports.cache
    }

    /// Whether this run also runs the gate `id` (see [`crate::RunCache::runs`]).
    pub fn also_runs(&self, id: &str) -> bool {
        self.ports.cache.runs(id)
    }

    /// A value computed once in this run and shared by every gate: a parse of a file, an
    /// inventory of the repository (see [`crate::RunCache::shared`]).
    pub fn shared<T: Send + Sync + 'static>(
        &self,
        key: &str,
        make: impl FnOnce() -> T,
    ) -> std::sync::Arc<T> {
        self.ports.cache.shared(key, make)
    }

    /// Git history, or a skip with the reason there is none.
    pub fn history(&self) -> Result<&dyn History, GateError> {
        self.ports
            .history
            .as_ref()
            .copied()
            .map_err(|reason| GateError::Skip(reason.clone()))
    }

    /// The running service, or a skip with the reason there is none.
    pub fn service(&self) -> Result<&dyn crate::ports::Service, GateError> {
        self.ports
            .service
            .as_ref()
            .copied()
            .map_err(|reason| GateError::Skip(reason.clone()))
    }

    /// The ledger, or a skip with the reason there is none.
    pub fn ledger(&self) -> Result<&dyn LedgerCheck, GateError> {
        self.ports
            .ledger
            .as_ref()
            .copied()
            .map_err(|reason| GateError::Skip(reason.clone()))
    }

    /// The advisory database, or why there is none. Not a skip: a vulnerability gate without
    /// its data must not pass by default, so the gate decides.
    pub fn advisories(&self) -> Result<&dyn crate::ports::AdvisoryDb, String> {
        self.ports
            .advisories
            .as_ref()
            .copied()
            .map_err(Clone::clone)
    }

    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        self.ports.clock
    }

    /// Today's date in the zone the config judges days in (`[smoke] timezone`, else UTC).
    pub fn today(&self) -> jiff::civil::Date {
        crate::runner::today(self.config, self.ports.clock.now())
    }

    /// The process environment.
    pub fn env(&self) -> &dyn crate::ports::Environment {
        self.ports.env
    }

    /// A gate option from `[gates."<id>"]`, type-checked at config load.
    pub fn option(&self, key: &str) -> Option<&OptionValue> {
        self.settings.options.get(key)
    }

    /// Starts a finding of this gate at its default severity (the engine applies remaps).
    pub fn finding(&self, message: impl Into<String>, location: Location) -> FindingBuilder {
        FindingBuilder::new(self.meta.id.clone(), self.meta.severity, message, location)
    }
}

/// What a gate records while it runs.
#[derive(Debug, Default)]
pub struct GateOutput {
    pub(crate) findings: Vec<Finding>,
    pub(crate) evidence: Evidence,
    pub(crate) summary: Option<String>,
}

impl GateOutput {
    /// Records a problem.
    pub fn finding(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Records that `count` items of `kind` were examined.
    pub fn examined(&mut self, kind: &str, count: u64) {
        *self.evidence.examined.entry(kind.to_owned()).or_default() += count;
    }

    /// Adds to a count.
    pub fn add(&mut self, key: &str, value: u64) {
        *self.evidence.counts.entry(key.to_owned()).or_default() += value;
    }

    /// Records a count.
    pub fn count(&mut self, key: &str, value: u64) {
        self.evidence.counts.insert(key.to_owned(), value);
    }

    /// Records the SHA-256 of an input.
    pub fn digest(&mut self, name: &str, sha256_hex: String) {
        self.evidence.digests.insert(name.to_owned(), sha256_hex);
    }

    /// Records a short fact (never secret material).
    pub fn fact(&mut self, key: &str, value: impl Into<String>) {
        self.evidence.facts.insert(key.to_owned(), value.into());
    }

    /// Records something the gate could not examine, and why; `--strict` fails a gate that
    /// passed over less than everything.
    pub fn not_examined(&mut self, item: &str, reason: impl Into<String>) {
        self.evidence
            .not_examined
            .insert(item.to_owned(), reason.into());
    }

    /// Sets the one-line summary shown beside the outcome.
    pub fn summary(&mut self, text: impl Into<String>) {
        self.summary = Some(text.into());
    }
}

/// The gates harden knows, in report order.
#[derive(Default)]
pub struct Registry {
    gates: Vec<Box<dyn Gate>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a gate at the end.
    pub fn register(&mut self, gate: Box<dyn Gate>) {
        self.gates.push(gate);
    }

    /// Orders the gates by round, keeping the order of registration within a round.
    pub fn sort_by_round(&mut self) {
        self.gates.sort_by_key(|gate| gate.meta().round);
    }

    /// The gates, in order.
    pub fn gates(&self) -> impl Iterator<Item = &dyn Gate> {
        self.gates.iter().map(AsRef::as_ref)
    }

    /// Metadata of every gate, in order.
    pub fn catalogue(&self) -> Vec<&'static GateMeta> {
        self.gates.iter().map(|g| g.meta()).collect()
    }

    /// Looks a gate up by id.
    pub fn get(&self, id: &str) -> Option<&dyn Gate> {
        self.gates().find(|g| g.meta().id.as_str() == id)
    }
}
