use std::io::IsTerminal as _;
use std::sync::Mutex;

use anyhow::Context as _;
use harden_engine::{LedgerCheck, LedgerHealth, PortError, Ports, RunContext, RunOptions};
use harden_ledger::LedgerStore;
use harden_model::{LedgerRef, RunTarget, ToolInfo};
use harden_repo::{GitHistory, WorkTree};
use harden_report::{Format, RenderContext};

use crate::cli::{CheckArgs, OutputFormat};
use crate::clock::SystemClock;
use crate::discovery::{display_path, ledger_location, load_config};
use crate::{UsageError, output};

/// The ledger as the `R2.ledger.intact` gate sees it.
struct LedgerPort<'a>(&'a Mutex<Box<dyn LedgerStore>>);

impl LedgerCheck for LedgerPort<'_> {
    fn verify(&self) -> Result<LedgerHealth, PortError> {
        let mut store = self
            .0
            .lock()
            .map_err(|_| PortError::new("ledger lock poisoned"))?;
        let location = store.location();
        let verified = store
            .verify()
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

pub(crate) fn format_of(format: OutputFormat) -> Format {
    match format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Junit => Format::Junit,
        OutputFormat::Markdown => Format::Markdown,
    }
}

fn valid_artifact(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    })
}

pub(crate) fn run(args: &CheckArgs) -> anyhow::Result<u8> {
    let root = &args.path;
    if !root.is_dir() {
        return Err(UsageError(format!("{} is not a directory", root.display())).into());
    }
    if let Some(artifact) = &args.artifact
        && !valid_artifact(artifact)
    {
        return Err(UsageError(format!(
            "--artifact {artifact}: expected sha256: followed by 64 lowercase hex digits"
        ))
        .into());
    }
    let registry = harden_gates::registry();
    let catalogue = registry.catalogue();
    let config = load_config(root, args.locations.config.as_deref(), &catalogue)?;
    let profile = config
        .resolve_profile(args.profile.as_deref())
        .ok_or_else(|| {
            let mut names = vec!["prototype".to_owned(), "production".to_owned()];
            names.extend(config.profiles.keys().cloned());
            UsageError(format!(
                "unknown profile `{}`: expected one of {}",
                args.profile.as_deref().unwrap_or_default(),
                names.join(", ")
            ))
        })?;
    for pattern in &args.only {
        if !catalogue.iter().any(|g| g.id.matches_pattern(pattern)) {
            return Err(UsageError(format!(
                "--only {pattern}: matches no gate (see `harden gates`)"
            ))
            .into());
        }
    }
    let options = RunOptions {
        profile,
        strict: args.strict,
        only: args.only.clone(),
    };
    if !catalogue
        .iter()
        .any(|gate| harden_engine::selects(&config, &options, gate))
    {
        return Err(UsageError(format!(
            "no gate to run: profile {} selects none of --only {}",
            options.profile.name,
            args.only.join(", ")
        ))
        .into());
    }

    let run_id = uuid::Uuid::new_v4().to_string();
    let span = tracing::info_span!("run", run_id = %run_id);
    let _entered = span.enter();

    let worktree = WorkTree::new(root);
    let history = GitHistory::open(root);
    let head = match &history {
        Ok(history) => Some(history.head_state().context("reading git HEAD")?),
        Err(_) => None,
    };
    let location = ledger_location(root, args.locations.ledger.as_deref(), &config);
    let store = harden_ledger::open(&location).with_context(|| {
        format!(
            "opening the ledger {}",
            harden_ledger::redact_url(&location)
        )
    })?;
    let store = Mutex::new(store);
    let ledger_port = LedgerPort(&store);
    let clock = SystemClock;
    let ports = Ports {
        repo: &worktree,
        history: history
            .as_ref()
            .map(|h| h as &dyn harden_engine::History)
            .map_err(Clone::clone),
        ledger: Ok(&ledger_port),
        clock: &clock,
    };
    let context = RunContext {
        run_id: run_id.clone(),
        tool: ToolInfo {
            name: "harden".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        target: RunTarget {
            repository: display_path(root),
            commit: head.as_ref().and_then(|h| h.commit.clone()),
            dirty: head.as_ref().map(|h| h.dirty),
            base_url: config.target.as_ref().map(|t| t.base_url.clone()),
            artifact: args.artifact.clone(),
        },
    };
    tracing::info!(profile = %options.profile.name, strict = options.strict, "run started");
    let show_progress = std::io::stderr().is_terminal();
    let progress = |p: harden_engine::Progress<'_>| {
        tracing::debug!(gate = %p.gate, done = p.done, total = p.total, "gate finished");
        if show_progress {
            output::progress(p.done, p.total, p.gate.as_str());
        }
    };
    let mut report = harden_engine::run(&registry, &config, &ports, &options, context, &progress);
    if show_progress {
        output::progress_clear();
    }
    for gate in &report.gates {
        tracing::info!(gate = %gate.id, outcome = gate.outcome.as_str(), findings = gate.findings.len(), duration_ms = gate.duration_ms, "gate result");
    }

    if !args.no_record {
        let body = serde_json::to_value(harden_report::json::ReportV1::from(&report))
            .context("encoding the run")?;
        let mut store = store
            .lock()
            .map_err(|_| anyhow::anyhow!("ledger lock poisoned"))?;
        let entry = store
            .append("run", &body, report.finished_at)
            .with_context(|| format!("recording the run in {}", store.location()))?;
        tracing::info!(seq = entry.seq, hash = %entry.hash, "run recorded in the ledger");
        report.ledger = Some(LedgerRef {
            seq: entry.seq,
            hash: entry.hash,
        });
    }

    let format = format_of(args.format);
    let color = args.output.is_none() && output::stdout_color();
    let text = harden_report::render(
        &report,
        format,
        &RenderContext {
            catalogue: &catalogue,
            color,
        },
    );
    let code = harden_engine::exit_code(&report);
    if let Err(error) = output::emit(&text, args.output.as_deref()) {
        // `harden check | head` must still fail the pipeline when a gate failed.
        let broken_pipe = error
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe);
        if !broken_pipe {
            return Err(error);
        }
    }
    tracing::info!(
        failed = report.summary.failed,
        passed = report.summary.passed,
        exit_code = code,
        "run finished"
    );
    Ok(code)
}
