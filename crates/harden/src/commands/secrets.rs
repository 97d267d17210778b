//! `harden secrets scan|baseline|rules`: the secret gates run directly on a directory, a file,
//! standard input, the staged changes or the history, without a ledger.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use harden_config::{OptionValue, ValidConfig};
use harden_engine::{History as _, Ports, RepoView, RunContext, RunOptions};
use harden_gates::secrets::{Baseline, BaselineEntry, DEFAULT_BASELINE};
use harden_model::{GateId, Location, RunReport, RunTarget, ToolInfo};
use harden_repo::{GitHistory, MemoryTree, SingleFile, StreamTree, WorkTree};
use harden_report::RenderContext;

use crate::cli::SecretsScanArgs;
use crate::commands::check::format_of;
use crate::discovery::{display_path, load_config};
use crate::{UsageError, output};

const TREE_GATE: &str = "R3.secrets.tree";
const HISTORY_GATE: &str = "R3.secrets.history";

struct Scan {
    report: RunReport,
    catalogue: Vec<&'static harden_model::GateMeta>,
    root: PathBuf,
    config: ValidConfig,
}

fn run_scan(args: &SecretsScanArgs, ignore_baseline: bool) -> anyhow::Result<Scan> {
    let registry = harden_gates::registry();
    let catalogue = registry.catalogue();
    let stdin = args.path.as_os_str() == "-";
    if !stdin && !args.path.exists() {
        return Err(UsageError(format!("{} does not exist", args.path.display())).into());
    }
    let single_file = !stdin && args.path.is_file();
    if args.staged && (stdin || single_file) {
        return Err(UsageError(
            "--staged scans the git index of a directory, not a file or standard input".into(),
        )
        .into());
    }
    // A single file under the current directory is scanned as the repository-relative path it
    // has from here, so its findings match a baseline taken of the whole tree.
    let (root, file_name): (PathBuf, Option<String>) = if stdin {
        (PathBuf::from("."), None)
    } else if single_file {
        match args.path.strip_prefix(".").unwrap_or(&args.path) {
            relative if relative.is_relative() && !relative.starts_with("..") => (
                PathBuf::from("."),
                Some(
                    relative
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/"),
                ),
            ),
            _ => (
                args.path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
                args.path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned()),
            ),
        }
    } else {
        (args.path.clone(), None)
    };
    let mut config = load_config(&root, args.config.as_deref(), &catalogue)?;
    config.secrets.ignore_baseline = ignore_baseline;
    if stdin || single_file || args.staged {
        // The view holds only what is scanned; the baseline lives in the work tree.
        let baseline = root.join(
            config
                .secrets
                .baseline
                .as_deref()
                .unwrap_or(DEFAULT_BASELINE),
        );
        if baseline.is_file() {
            config.secrets.preloaded_baseline = Some(fs_err::read(&baseline)?);
        }
    }
    // A direct scan runs the secret gates whatever the profile or config says of them.
    for id in [TREE_GATE, HISTORY_GATE] {
        let settings = config.gates.entry(GateId::from_static(id)).or_default();
        settings.enabled = Some(true);
    }
    if let Some(since) = &args.since {
        config
            .gates
            .entry(GateId::from_static(HISTORY_GATE))
            .or_default()
            .options
            .insert("since".into(), OptionValue::String(since.clone()));
    }
    let git = if args.history || args.staged {
        // The history cache is kept only where harden already keeps its files.
        Some(
            GitHistory::open(&root)
                .map_err(UsageError)?
                .with_cache_writes(root.join(".harden").is_dir()),
        )
    } else {
        None
    };
    if let (Some(since), Some(git)) = (&args.since, &git) {
        git.resolve(since)
            .map_err(|e| UsageError(format!("--since {since}: {e}")))?;
    }
    // Standard input and single files are read as streams: a gigabyte on stdin costs a
    // chunk's worth of memory, not a gigabyte.
    let view: Box<dyn RepoView> = if stdin {
        Box::new(StreamTree::new("<stdin>", Box::new(std::io::stdin())))
    } else if single_file {
        Box::new(SingleFile::new(
            display_path(&args.path),
            file_name.unwrap_or_default(),
            &args.path,
        ))
    } else if let (true, Some(git)) = (args.staged, &git) {
        let mut files = Vec::new();
        for (path, blob) in git.staged()? {
            let bytes = git.read_blob(&blob)?.with_context(|| {
                format!("the staged version of {path} is not in the object store")
            })?;
            files.push((path, bytes));
        }
        Box::new(MemoryTree::new(
            format!("{} (staged)", display_path(&root)),
            files,
        ))
    } else {
        Box::new(
            WorkTree::excluding(&root, &config.repository_exclude)
                .map_err(|e| UsageError(e.to_string()))?,
        )
    };
    let mut only = vec![TREE_GATE.to_owned()];
    if args.history {
        only.push(HISTORY_GATE.to_owned());
    }
    let options = RunOptions {
        profile: config
            .resolve_profile(Some("production"))
            .context("the production profile")?,
        strict: false,
        only,
        skip: Vec::new(),
        min_severity: None,
    };
    let head = git.as_ref().and_then(|g| g.head_state().ok());
    let ports = Ports {
        repo: view.as_ref(),
        history: git
            .as_ref()
            .map(|g| g as &dyn harden_engine::History)
            .ok_or_else(|| "no --history".to_owned()),
        ledger: Err("`harden secrets scan` records nothing".into()),
        clock: &crate::clock::SystemClock,
        env: &crate::clock::ProcessEnvironment,
        service: Err("no [target] in harden.toml: live gates need a running service".into()),
        advisories: Err("no advisory database in this run".into()),
        cache: harden_engine::RunCache::default(),
    };
    let context = RunContext {
        run_id: crate::logging::run_id().to_owned(),
        tool: ToolInfo {
            name: "harden".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        target: RunTarget {
            repository: view.root_display(),
            commit: head.as_ref().and_then(|h| h.commit.clone()),
            dirty: head.as_ref().map(|h| h.dirty),
            remote: head.as_ref().and_then(|h| h.remote.clone()),
            base_url: None,
            artifact: None,
        },
    };
    let report = crate::output::with_progress(|progress| {
        harden_engine::run(&registry, &config, &ports, &options, context, progress)
    });
    Ok(Scan {
        report,
        catalogue,
        root,
        config,
    })
}

pub(crate) fn scan(args: &SecretsScanArgs) -> anyhow::Result<u8> {
    let scan = run_scan(args, false)?;
    let color = args.output.is_none() && output::stdout_color();
    let text = harden_report::render(
        &scan.report,
        format_of(args.format),
        &RenderContext {
            catalogue: &scan.catalogue,
            color,
            quiet: false,
        },
    );
    output::emit(&text, args.output.as_deref())?;
    Ok(harden_engine::exit_code(&scan.report))
}

fn place(location: &Location) -> Option<String> {
    let line = location.span().map_or(1, |s| s.start.line);
    match location {
        Location::Commit { commit, path, .. } => {
            Some(format!("{path}:{line}@{}", &commit[..commit.len().min(12)]))
        }
        other => other.path().map(|path| format!("{path}:{line}")),
    }
}

pub(crate) fn baseline(args: &SecretsScanArgs) -> anyhow::Result<u8> {
    if args.path.as_os_str() == "-" {
        return Err(
            UsageError("a baseline is taken of a directory, not of standard input".into()).into(),
        );
    }
    let scan = run_scan(args, true)?;
    // A gate that could not read what it had to is recorded as failed with an `error:` reason;
    // a baseline taken then would silently accept nothing and overwrite the last good one.
    if let Some(gate) = scan
        .report
        .gates
        .iter()
        .find(|g| g.reason.as_deref().is_some_and(|r| r.starts_with("error:")))
    {
        return Err(anyhow::anyhow!(
            "{} could not run, no baseline written: {}",
            gate.id,
            gate.summary
        ));
    }
    let mut secrets: Vec<BaselineEntry> = scan
        .report
        .gates
        .iter()
        .flat_map(|g| g.findings.iter())
        .map(|finding| BaselineEntry {
            fingerprint: finding.fingerprint.to_string(),
            gate: finding.gate.to_string(),
            shown: finding.message.clone(),
            locations: std::iter::once(&finding.location)
                .chain(&finding.related)
                .filter_map(place)
                .collect(),
        })
        .collect();
    secrets.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
    let count = secrets.len();
    let baseline = Baseline {
        version: 1,
        secrets,
    };
    let mut text = serde_json::to_string_pretty(&baseline)?;
    text.push('\n');
    // --output comes from the user; the configured path from the repository, so it stays in it.
    let path = if let Some(path) = &args.output {
        fs_err::write(path, text)?;
        path.clone()
    } else {
        let path = scan.root.join(
            scan.config
                .secrets
                .baseline
                .as_deref()
                .unwrap_or(DEFAULT_BASELINE),
        );
        crate::confined::write(&scan.root, &path, text)?;
        path
    };
    output::note(&format!(
        "baseline: {count} secret finding(s) recorded in {}; commit it, then only new secrets fail",
        display_path(&path)
    ));
    Ok(0)
}

pub(crate) fn rules() -> anyhow::Result<u8> {
    use std::fmt::Write as _;
    let registry = harden_gates::registry();
    let config = load_config(Path::new("."), None, &registry.catalogue())?;
    let mut text = String::new();
    for rule in harden_secrets::RULES {
        let disabled = config
            .secrets
            .detector
            .disabled
            .iter()
            .any(|d| d == rule.id);
        let _ = writeln!(
            text,
            "{:<36} {}{}",
            rule.id,
            rule.description,
            if disabled {
                "  (disabled in harden.toml)"
            } else {
                ""
            }
        );
    }
    for custom in &config.secrets.detector.custom {
        let _ = writeln!(
            text,
            "{:<36} {}  (harden.toml)",
            custom.id, custom.description
        );
    }
    let _ = writeln!(
        text,
        "\n{} built-in rules; add your own with [[secrets.rule]] in harden.toml.",
        harden_secrets::RULES.len()
    );
    output::emit(&text, None)?;
    Ok(0)
}
