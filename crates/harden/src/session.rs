//! What every command that runs gates or reads the ledger shares: the repository, its config,
//! the gate registry, the ledger, and the clock.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context as _;
use harden_config::{ResolvedProfile, ValidConfig};
use harden_engine::{
    Clock as _, LedgerCheck, LedgerHealth, PortError, Ports, Registry, RunContext, RunOptions,
};
use harden_ledger::{Entry, LedgerStore};
use harden_model::{GateMeta, LedgerRef, RunReport, RunTarget, ToolInfo};
use harden_repo::{GitHistory, HeadState, WorkTree};

use crate::UsageError;
use crate::cli::Locations;
use crate::clock::SystemClock;
use crate::discovery::{display_path, ledger_location, load_config};
use crate::output;

pub(crate) struct Session {
    pub(crate) root: PathBuf,
    pub(crate) registry: Registry,
    pub(crate) catalogue: Vec<&'static GateMeta>,
    pub(crate) config: ValidConfig,
    /// The ledger; `None` when a read-only session finds none there yet.
    pub(crate) store: Mutex<Option<Box<dyn LedgerStore>>>,
    /// Where the ledger is (redacted), for messages.
    pub(crate) ledger_location: String,
    /// The location as given (a URL with its password), for the anchor's key.
    ledger_raw: String,
    anchor_file: Option<PathBuf>,
    /// HEAD and the dirty flag, read when a run needs them: the ledger commands never do, and
    /// the dirty flag walks the work tree.
    head: std::sync::OnceLock<Option<HeadState>>,
    pub(crate) clock: SystemClock,
    worktree: WorkTree,
    history: Result<GitHistory, String>,
    /// Whether the user allowed live gates to contact `[target]` (`--live`): a repository's
    /// config alone never makes harden connect anywhere.
    live: bool,
    /// The advisory database, or why there is none (R4.vulns says so: never a silent pass).
    advisories: Result<harden_advisory_db::SharedIndex, String>,
    /// The key that verifies the heads' signatures (`--public-key`, else the signing key's).
    pub(crate) verifier: Option<harden_ledger::HeadVerifier>,
}

/// The signing key named by `--signing-key` / $HARDEN_SIGNING_KEY_FILE or given in
/// $HARDEN_SIGNING_KEY. Errors name the file, never its content.
pub(crate) fn signing_key(
    locations: &Locations,
) -> anyhow::Result<Option<harden_ledger::HeadSigner>> {
    // The PEM itself comes from the environment only: a command-line flag would show it in `ps`.
    #[allow(
        clippy::disallowed_methods,
        reason = "a secret is read from the environment, never from harden.toml or the command line"
    )]
    let from_environment = std::env::var("HARDEN_SIGNING_KEY").ok();
    let (pem, source) = match (&locations.signing_key, from_environment) {
        (Some(path), _) => (
            fs_err::read_to_string(path).map_err(|e| UsageError(format!("--signing-key: {e}")))?,
            format!("--signing-key {}", path.display()),
        ),
        (None, Some(pem)) => (pem, "$HARDEN_SIGNING_KEY".to_owned()),
        (None, None) => return Ok(None),
    };
    harden_ledger::HeadSigner::from_pem(&pem)
        .map(Some)
        .map_err(|e| UsageError(format!("{source}: {e}")).into())
}

/// The key that verifies signatures: `--public-key`, else the signing key's public half.
fn verifying_key(
    locations: &Locations,
    signer: Option<&harden_ledger::HeadSigner>,
) -> anyhow::Result<Option<harden_ledger::HeadVerifier>> {
    match &locations.public_key {
        Some(path) => {
            let pem = fs_err::read_to_string(path)
                .map_err(|e| UsageError(format!("--public-key: {e}")))?;
            harden_ledger::HeadVerifier::from_pem(&pem)
                .map(Some)
                .map_err(|e| UsageError(format!("--public-key {}: {e}", path.display())).into())
        }
        None => Ok(signer.map(harden_ledger::HeadSigner::verifier)),
    }
}

/// How a command uses the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// It appends: the ledger is created if there is none.
    Write,
    /// It only reads: nothing is created or changed, and a missing ledger is not an error.
    Read,
}

/// The ledger as the `R2.ledger.intact` gate sees it.
struct LedgerPort<'a>(&'a Session);

impl LedgerCheck for LedgerPort<'_> {
    fn records(&self, kinds: &[&str]) -> Result<Vec<harden_engine::LedgerRecord>, PortError> {
        let entries = self
            .0
            .entries_of(kinds)
            .map_err(|e| PortError::new(format!("{e:#}")))?;
        Ok(entries
            .into_iter()
            .map(|e| harden_engine::LedgerRecord {
                seq: e.seq,
                kind: e.kind,
                recorded_at: e.recorded_at,
                body: e.body,
            })
            .collect())
    }

    fn verify(&self) -> Result<LedgerHealth, PortError> {
        let session = self.0;
        let anchor = session.anchor();
        let anchored = match &anchor {
            Some(anchor) => anchor
                .read()
                .map_err(|e| PortError::new(format!("{e:#}")))?
                .map(|head| (head, anchor.describe())),
            None => None,
        };
        let mut store = session
            .store
            .lock()
            .map_err(|_| PortError::new("ledger lock poisoned"))?;
        let location = session.ledger_location.clone();
        let Some(store) = store.as_mut() else {
            return match anchored {
                Some((head, place)) => Ok(LedgerHealth {
                    location: location.clone(),
                    entries: 0,
                    head: None,
                    broken: Some(format!(
                        "there is no ledger at {location}, but {place} records entry #{} of it (it was deleted or moved)",
                        head.seq
                    )),
                }),
                // Nothing recorded yet and nothing anchored: an empty chain, intact.
                None => Ok(LedgerHealth {
                    location,
                    entries: 0,
                    head: None,
                    broken: None,
                }),
            };
        };
        let verified = store
            .verify_anchored(
                anchored
                    .as_ref()
                    .map(|(head, place)| (head, place.as_str())),
            )
            .map_err(|e| PortError::at(location.clone(), e))?;
        Ok(match verified {
            Ok(verified) => LedgerHealth {
                location,
                entries: verified.entries,
                head: verified.head.map(|h| h.hash),
                broken: None,
            },
            Err(broken) => LedgerHealth {
                location,
                entries: broken.seq.saturating_sub(1),
                head: None,
                broken: Some(broken.to_string()),
            },
        })
    }
}

/// Opens the advisory database read-only: the one named by the user, else the repository's
/// `.harden/advisories.db` (which must not lead outside the repository).
fn open_advisories(
    root: &Path,
    named: Option<&Path>,
    history: Option<&GitHistory>,
) -> Result<harden_advisory_db::SharedIndex, String> {
    let (path, named) = crate::commands::db::location(root, named).map_err(|e| e.to_string())?;
    if !named {
        crate::confined::check(root, &path).map_err(|e| e.to_string())?;
        // A database the checkout brings is the repository's word on its own vulnerabilities:
        // one fresh record would pass the gate. Only one imported here (or named) is trusted.
        if let Some(history) = history
            && history
                .tracks(harden_advisory_db::DEFAULT_LOCATION)
                .unwrap_or(false)
        {
            return Err(format!(
                "{} is tracked by git: an advisory database that comes with the repository is not trusted; untrack it (`git rm --cached`), then run `harden db import`, or name one with --advisory-db",
                harden_advisory_db::DEFAULT_LOCATION
            ));
        }
    }
    let shown = if named {
        path.display().to_string()
    } else {
        harden_advisory_db::DEFAULT_LOCATION.to_owned()
    };
    harden_advisory_db::Index::open(&path)
        .map(|index| harden_advisory_db::SharedIndex::new(index.shown_as(shown.clone())))
        .map_err(|e| match e {
            harden_advisory_db::DbError::Missing(_) => {
                harden_advisory_db::DbError::Missing(shown).to_string()
            }
            other => other.to_string(),
        })
}

impl Session {
    /// Loads the config (exit 2 on any problem) and opens the ledger.
    pub(crate) fn open(root: &Path, locations: &Locations) -> anyhow::Result<Self> {
        Self::open_with(root, locations, Access::Write)
    }

    /// [`Session::open`] for commands that only read the ledger.
    pub(crate) fn open_for_reading(root: &Path, locations: &Locations) -> anyhow::Result<Self> {
        Self::open_with(root, locations, Access::Read)
    }

    fn open_with(root: &Path, locations: &Locations, access: Access) -> anyhow::Result<Self> {
        if !root.is_dir() {
            return Err(UsageError(format!("{} is not a directory", root.display())).into());
        }
        let registry = harden_gates::registry();
        let catalogue = registry.catalogue();
        let config = load_config(root, locations.config.as_deref(), &catalogue)?;
        // From here on, whatever this command shows or records is masked with the repository's
        // own secret rules too.
        harden_secrets::mask_also(&config.secrets.detector.custom);
        let worktree = WorkTree::excluding(root, &config.repository_exclude)
            .map_err(|e| UsageError(e.to_string()))?;
        let history = GitHistory::open(root).map(|h| h.with_cache_writes(access == Access::Write));
        let location = ledger_location(root, locations.ledger.as_deref(), &config);
        // A ledger named by the repository (its config, or the default) stays inside it; one
        // named on the command line or in the environment is the user's choice.
        if locations.ledger.is_none() {
            let path = Path::new(&location);
            match access {
                Access::Write => crate::confined::create_parents(root, path)?,
                Access::Read => {
                    crate::confined::check(root, path)?;
                }
            }
        }
        let signer = signing_key(locations)?;
        let verifier = verifying_key(locations, signer.as_ref())?;
        let exists = harden_ledger::is_server(&location) || Path::new(&location).exists();
        let mut store = match access {
            Access::Write => Some(harden_ledger::open(&location)),
            Access::Read if exists => Some(harden_ledger::open_read_only(&location)),
            Access::Read => None,
        }
        .transpose()
        .context("opening the ledger")?;
        if let (Some(store), Some(signer)) = (store.as_mut(), signer) {
            store.set_signer(signer);
        }
        let advisories = open_advisories(
            root,
            locations.advisory_db.as_deref(),
            history.as_ref().ok(),
        );
        Ok(Self {
            root: root.to_path_buf(),
            advisories,
            registry,
            catalogue,
            config,
            store: Mutex::new(store),
            ledger_location: harden_ledger::redact_url(&location),
            ledger_raw: location,
            anchor_file: locations.ledger_anchor.clone(),
            head: std::sync::OnceLock::new(),
            clock: SystemClock,
            worktree,
            history,
            live: false,
            verifier,
        })
    }

    /// Resolves a profile name (the configured one if `None`), exit 2 if unknown.
    pub(crate) fn profile(&self, name: Option<&str>) -> anyhow::Result<ResolvedProfile> {
        self.config.resolve_profile(name).ok_or_else(|| {
            let mut names = vec!["prototype".to_owned(), "production".to_owned()];
            names.extend(self.config.profiles.keys().cloned());
            UsageError(format!(
                "unknown profile `{}`: expected one of {}",
                name.unwrap_or_default(),
                names.join(", ")
            ))
            .into()
        })
    }

    /// The working tree, for commands that read the repository themselves.
    pub(crate) fn worktree(&self) -> &dyn harden_engine::RepoView {
        &self.worktree
    }

    /// The commit HEAD points at, if this is a git repository with one.
    pub(crate) fn head_commit(&self) -> Option<String> {
        self.history.as_ref().ok()?.head_state().ok()?.commit
    }

    /// Lets live gates contact the `[target]` of the config (the user said `--live`).
    pub(crate) fn allow_live(&mut self) {
        self.live = true;
    }

    /// Runs the gates `options` select and, if `record`, appends the run to the ledger.
    pub(crate) fn run_gates(
        &self,
        options: &RunOptions,
        artifact: Option<String>,
        record: bool,
    ) -> anyhow::Result<RunReport> {
        if !self
            .catalogue
            .iter()
            .any(|gate| harden_engine::selects(&self.config, options, gate))
        {
            return Err(UsageError(format!(
                "no gate to run: profile {} selects none of {}",
                options.profile.name,
                options.only.join(", ")
            ))
            .into());
        }
        let run_id = crate::logging::run_id().to_owned();
        let span = tracing::info_span!("run", run_id = %run_id);
        let _entered = span.enter();
        let ledger_port = LedgerPort(self);
        // The prober (and its runtime) exists only when a selected gate talks to the service.
        let wants_service = self.catalogue.iter().any(|gate| {
            gate.target == harden_model::Target::Service
                && harden_engine::selects(&self.config, options, gate)
        });
        let prober = match (&self.config.target, wants_service && self.live) {
            (Some(target), true) => {
                let headers = resolve_headers(&target.headers)?;
                // A CA file that cannot be read or holds no certificate is a configuration
                // error (exit 2), like an unset header variable; read, never written, and a
                // path outside the repository is the user's own bundle (`/etc/ssl/...`).
                let ca = target
                    .ca_file
                    .as_ref()
                    .map(|file| {
                        fs_err::read(self.root.join(file))
                            .map_err(|e| UsageError(format!("[target] ca-file: {e}")))
                    })
                    .transpose()?;
                let prober = harden_probe::Prober::new(
                    &target.base_url,
                    harden_probe::Limits {
                        budget: u32::try_from(target.request_budget).unwrap_or(u32::MAX),
                        rate_per_second: u32::try_from(target.rate_per_second).unwrap_or(u32::MAX),
                        ..harden_probe::Limits::default()
                    },
                )
                .map(|p| {
                    p.with_headers(headers)
                        .with_paths(self.probe_paths(target))
                        .with_identities(crate::identities::from_config(
                            &target.identities,
                            &crate::clock::ProcessEnvironment,
                        ))
                });
                Some(match (prober, ca) {
                    (Ok(prober), Some(pem)) => Ok(prober
                        .with_root_certificates(&pem)
                        .map_err(|e| UsageError(format!("[target] {e}")))?),
                    (prober, _) => prober,
                })
            }
            _ => None,
        };
        let service: Result<&dyn harden_engine::Service, String> = match &prober {
            Some(Ok(prober)) => Ok(prober),
            Some(Err(e)) => Err(format!("[target] base-url: {e}")),
            None if self.config.target.is_some() => Err(
                "live gates contact [target] only with --live: the repository alone never makes harden connect anywhere"
                    .into(),
            ),
            None => Err("no [target] in harden.toml: live gates need a running service".into()),
        };
        let ports = Ports {
            repo: &self.worktree,
            history: self
                .history
                .as_ref()
                .map(|h| h as &dyn harden_engine::History)
                .map_err(Clone::clone),
            ledger: Ok(&ledger_port),
            clock: &self.clock,
            env: &crate::clock::ProcessEnvironment,
            service,
            advisories: self
                .advisories
                .as_ref()
                .map(|index| index as &dyn harden_engine::AdvisoryDb)
                .map_err(Clone::clone),
            cache: harden_engine::RunCache::default(),
        };
        let head = if let Some(head) = self.head.get() {
            head.clone()
        } else {
            let head = match &self.history {
                Ok(history) => Some(history.head_state().context("reading git HEAD")?),
                Err(_) => None,
            };
            self.head.get_or_init(|| head).clone()
        };
        let context = RunContext {
            run_id,
            tool: ToolInfo {
                name: "harden".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            target: RunTarget {
                repository: display_path(&self.root),
                commit: head.as_ref().and_then(|h| h.commit.clone()),
                dirty: head.as_ref().map(|h| h.dirty),
                remote: head.as_ref().and_then(|h| h.remote.clone()),
                base_url: self.config.target.as_ref().map(|t| t.base_url.clone()),
                artifact,
            },
        };
        tracing::info!(profile = %options.profile.name, strict = options.strict, "run started");
        let mut report = output::with_progress(|progress| {
            harden_engine::run(
                &self.registry,
                &self.config,
                &ports,
                options,
                context,
                progress,
            )
        });
        // What was asked of the service and what it answered is the run's evidence.
        // The run's cache holds every file read and parse of the run (hundreds of MB on a
        // large tree): freed beside the report's writing instead of before it.
        let cache = ports.cache;
        std::thread::spawn(move || drop(cache));
        if let Some(Ok(prober)) = &prober {
            report.transcript = prober.transcript();
        }
        for gate in &report.gates {
            tracing::info!(gate = %gate.id, outcome = gate.outcome.as_str(), findings = gate.findings.len(), duration_ms = gate.duration_ms, "gate result");
        }
        if record {
            let body = serde_json::to_value(harden_report::json::ReportV1::from(&report))
                .context("encoding the run")?;
            let entry = self.append("run", &body, report.finished_at)?;
            tracing::info!(seq = entry.seq, hash = %entry.hash, "run recorded in the ledger");
            report.ledger = Some(LedgerRef {
                seq: entry.seq,
                hash: entry.hash,
            });
        }
        tracing::info!(
            failed = report.summary.failed,
            passed = report.summary.passed,
            "run finished"
        );
        Ok(report)
    }

    /// The paths the live gates look at besides `/`: `[target] paths`, then the GET operations
    /// without path parameters of the configured OpenAPI documents, at most [`OPENAPI_PATHS`]
    /// of those (the request budget is for the gates). A document that does not parse is the
    /// contract gates' business: it adds no paths here.
    /// Makes R0.contracts.breaking compare with `revision` (`--base`), which must name a
    /// commit of the repository.
    pub(crate) fn compare_with(&mut self, revision: &str) -> Result<(), UsageError> {
        let history = self
            .history
            .as_ref()
            .map_err(|e| UsageError(format!("--base {revision}: {e}")))?;
        history
            .resolve(revision)
            .map_err(|e| UsageError(format!("--base {revision}: {e}")))?;
        self.config
            .gates
            .entry(harden_model::GateId::from_static("R0.contracts.breaking"))
            .or_default()
            .options
            .insert(
                "base".into(),
                harden_config::OptionValue::String(revision.to_owned()),
            );
        Ok(())
    }

    fn probe_paths(&self, target: &harden_config::TargetConfig) -> Vec<String> {
        use harden_engine::RepoView as _;
        let mut paths = target.paths.clone();
        let mut added = 0;
        for document in &self.config.contracts.openapi {
            let Ok(bytes) = self.worktree.read(document) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            match harden_formats::openapi::plain_get_paths(&text) {
                Ok(found) => {
                    for path in found {
                        if added < OPENAPI_PATHS && !paths.contains(&path) {
                            paths.push(path);
                            added += 1;
                        }
                    }
                }
                Err(error) => {
                    tracing::warn!(%document, %error, "OpenAPI document not read for probing");
                }
            }
        }
        paths
    }

    /// The ledger as `R2.ledger.intact` checks it: the chain, then against its anchor.
    pub(crate) fn ledger_port(&self) -> impl LedgerCheck + '_ {
        LedgerPort(self)
    }

    /// Whether there is a ledger, or an anchor saying there was one.
    pub(crate) fn has_ledger_or_anchor(&self) -> bool {
        self.store.lock().is_ok_and(|s| s.is_some())
            || self
                .anchor()
                .is_some_and(|anchor| !matches!(anchor.read(), Ok(None)))
    }

    /// Where this ledger's head is anchored, if anywhere.
    pub(crate) fn anchor(&self) -> Option<crate::anchor::Anchor<'_>> {
        crate::anchor::Anchor::new(
            &self.ledger_raw,
            self.anchor_file.as_deref(),
            self.history.as_ref().ok(),
        )
    }

    /// Appends one entry and moves the anchor to it.
    pub(crate) fn append(
        &self,
        kind: &str,
        body: &serde_json::Value,
        at: jiff::Timestamp,
    ) -> anyhow::Result<Entry> {
        let mut store = self
            .store
            .lock()
            .map_err(|_| anyhow::anyhow!("ledger lock poisoned"))?;
        let store = store
            .as_mut()
            .ok_or_else(|| anyhow::anyhow!("the ledger was opened for reading only"))?;
        let location = store.location();
        // The ledger is append-only: a secret recorded there could never be purged.
        let mut body = body.clone();
        harden_secrets::mask_json(&mut body);
        let entry = store
            .append(kind, &body, at)
            .with_context(|| format!("recording in the ledger {location}"))?;
        if let Some(anchor) = self.anchor() {
            let head = harden_ledger::Head {
                seq: entry.seq,
                hash: entry.hash.clone(),
            };
            // The entry is recorded either way; an anchor that cannot move is said, not hidden.
            let holds = |anchored: &harden_ledger::Head| {
                store
                    .get(anchored.seq)
                    .ok()
                    .flatten()
                    .is_some_and(|e| e.hash == anchored.hash)
            };
            if let Err(error) = anchor.write(&head, holds) {
                output::warning(&format!(
                    "entry #{} is recorded, but {} could not be updated: {error:#}",
                    entry.seq,
                    anchor.describe()
                ));
            }
        }
        Ok(entry)
    }

    /// Every entry of `kind`, oldest first, read in one snapshot (none without a ledger).
    pub(crate) fn entries(&self, kind: &str) -> anyhow::Result<Vec<Entry>> {
        self.entries_of(&[kind])
    }

    /// The entries of any of these kinds, oldest first, in one pass over the ledger.
    pub(crate) fn entries_of(&self, kinds: &[&str]) -> anyhow::Result<Vec<Entry>> {
        let mut store = self
            .store
            .lock()
            .map_err(|_| anyhow::anyhow!("ledger lock poisoned"))?;
        let Some(store) = store.as_mut() else {
            return Ok(Vec::new());
        };
        store.begin_read()?;
        let mut out = Vec::new();
        let mut after = 0;
        let result = (|| -> anyhow::Result<()> {
            loop {
                let page = store.page(after, 5_000)?;
                let Some(last) = page.last() else {
                    return Ok(());
                };
                after = last.seq;
                out.extend(
                    page.into_iter()
                        .filter(|e| kinds.contains(&e.kind.as_str())),
                );
            }
        })();
        store.end_read()?;
        result?;
        Ok(out)
    }

    /// The current time.
    pub(crate) fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// The time zone dates are judged in: `[smoke] timezone`, else UTC.
    pub(crate) fn zone(&self) -> jiff::tz::TimeZone {
        self.config
            .smoke
            .timezone
            .as_deref()
            .and_then(|name| jiff::tz::TimeZone::get(name).ok())
            .unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

/// `[target] headers` with `env:VAR` values read from the environment: a variable that is not
/// set is a usage error, not an empty header.
fn resolve_headers(headers: &[(String, String)]) -> anyhow::Result<Vec<(String, String)>> {
    headers
        .iter()
        .map(|(name, value)| match value.strip_prefix("env:") {
            Some(variable) => harden_engine::Environment::var(&crate::clock::ProcessEnvironment, variable)
                .map(|v| (name.clone(), v))
                .ok_or_else(|| {
                    UsageError(format!(
                        "[target] headers: {name} reads the environment variable {variable}, which is not set"
                    ))
                    .into()
                }),
            None => Ok((name.clone(), value.clone())),
        })
        .collect()
}

/// GET operations of the OpenAPI documents the live gates add to their paths, at most.
const OPENAPI_PATHS: usize = 20;
