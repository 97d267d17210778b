//! `harden probe URL`: the live gates against a service, with no repository, config or ledger.

use std::fmt::Write as _;

use harden_engine::{Ports, RunContext, RunOptions};
use harden_model::{RunTarget, Target, ToolInfo};
use harden_report::RenderContext;

use crate::cli::ProbeArgs;
use crate::commands::check::format_of;
use crate::{UsageError, output};

pub(crate) fn run(args: &ProbeArgs) -> anyhow::Result<u8> {
    let prober = harden_probe::Prober::new(
        &args.url,
        harden_probe::Limits {
            budget: args.budget,
            rate_per_second: args.rate,
            ..harden_probe::Limits::default()
        },
    )
    .map_err(|e| UsageError(format!("{}: {e}", args.url)))?;
    let prober = match &args.ca_file {
        Some(file) => {
            let pem = fs_err::read(file).map_err(|e| UsageError(format!("--ca-file: {e}")))?;
            prober
                .with_root_certificates(&pem)
                .map_err(|e| UsageError(format!("--ca-file {}: {e}", file.display())))?
        }
        None => prober,
    };
    let registry = harden_gates::registry();
    let catalogue = registry.catalogue();
    // The contract, read here and handed to the gates as the only file of the "repository".
    let contract = match &args.contract {
        Some(file) => {
            let shown = file.display().to_string();
            let bytes = if shown.starts_with("http://") || shown.starts_with("https://") {
                fetch_contract(&prober, &shown)?
            } else {
                fs_err::read(file).map_err(|e| UsageError(format!("--contract: {e}")))?
            };
            let name = if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
                "contract.json"
            } else {
                "contract.yaml"
            };
            harden_formats::openapi::operations(&String::from_utf8_lossy(&bytes)).map_err(|e| {
                UsageError(format!(
                    "--contract {shown}:{}:{}: {}",
                    e.line, e.column, e.message
                ))
            })?;
            Some((name, bytes))
        }
        None => None,
    };
    let paths = contract
        .as_ref()
        .map(|(_, bytes)| {
            harden_formats::openapi::plain_get_paths(&String::from_utf8_lossy(bytes))
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let identities =
        crate::identities::from_arguments(&args.identity, &crate::clock::ProcessEnvironment)
            .map_err(UsageError)?;
    let prober = prober
        .with_paths(paths.into_iter().take(20).collect())
        .with_identities(identities);
    // The URL goes through the same validation as `[target] base-url` in a config file.
    let mut toml = format!(
        "version = 1\n\n[service]\nname = {}\n\n[target]\nbase-url = {}\nrequest-budget = {}\nrate-per-second = {}\n",
        toml_string(&prober.base().to_string()),
        toml_string(&args.url),
        args.budget,
        args.rate
    );
    let public: Vec<String> = args.public.iter().map(|p| toml_string(p)).collect();
    let _ = writeln!(toml, "public = [{}]", public.join(", "));
    let mut values = Vec::new();
    for pair in &args.path_value {
        let (name, value) = pair
            .split_once('=')
            .filter(|(n, v)| !n.is_empty() && !v.is_empty())
            .ok_or_else(|| UsageError(format!("--path-value {pair}: expected NAME=VALUE")))?;
        values.push(format!("{} = {}", toml_string(name), toml_string(value)));
    }
    let _ = writeln!(toml, "path-values = {{ {} }}", values.join(", "));
    if let Some((name, _)) = &contract {
        let _ = write!(toml, "\n[contracts]\nopenapi = [{}]\n", toml_string(name));
    }
    let _ = write!(
        toml,
        "\n[gates.\"R5.input.rejected\"]\nseed = {}\nmax-requests = {}\n",
        args.seed,
        // The other gates need a share of the budget too.
        u64::from(args.budget) * 3 / 4
    );
    let config = harden_config::load("harden probe", &toml, &catalogue)
        .map_err(|diagnostics| UsageError(diagnostics.to_string()))?;
    let tree = harden_repo::MemoryTree::new(
        "(no repository)",
        contract.map(|(name, bytes)| (name.to_owned(), bytes)),
    );
    let ports = Ports {
        repo: &tree,
        history: Err("harden probe reads no repository".into()),
        ledger: Err("harden probe records nothing".into()),
        clock: &crate::clock::SystemClock,
        env: &crate::clock::ProcessEnvironment,
        service: Ok(&prober),
        advisories: Err("no advisory database in this run".into()),
        cache: harden_engine::RunCache::default(),
    };
    let live: Vec<String> = catalogue
        .iter()
        .filter(|gate| gate.target == Target::Service)
        .map(|gate| gate.id.to_string())
        .collect();
    let options = RunOptions {
        profile: config
            .resolve_profile(Some("production"))
            .ok_or_else(|| UsageError("the production profile is missing".into()))?,
        strict: false,
        only: live,
        skip: Vec::new(),
        min_severity: None,
    };
    let context = RunContext {
        run_id: crate::logging::run_id().to_owned(),
        tool: ToolInfo {
            name: "harden".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        target: RunTarget {
            base_url: Some(prober.base().to_string()),
            ..RunTarget::default()
        },
    };
    let mut report = crate::output::with_progress(|progress| {
        harden_engine::run(&registry, &config, &ports, &options, context, progress)
    });
    report.transcript = prober.transcript();
    let text = harden_report::render(
        &report,
        format_of(args.format),
        &RenderContext {
            catalogue: &catalogue,
            color: output::stdout_color(),
            quiet: false,
        },
    );
    output::emit(&text, None)?;
    Ok(harden_engine::exit_code(&report))
}

/// The largest contract read from the target.
const CONTRACT_LIMIT: usize = 32 << 20;

/// The contract at `url`, which must be on the target (the prober refuses any other host);
/// the request counts against the budget and is in the transcript.
fn fetch_contract(prober: &harden_probe::Prober, url: &str) -> anyhow::Result<Vec<u8>> {
    let response = prober
        .fetch_document(url, CONTRACT_LIMIT)
        .map_err(|e| UsageError(format!("--contract {url}: {e}")))?;
    if !(200..300).contains(&response.status) {
        return Err(UsageError(format!("--contract {url}: answered {}", response.status)).into());
    }
    if response.truncated {
        return Err(UsageError(format!(
            "--contract {url}: larger than {} MiB; save it and pass the file",
            CONTRACT_LIMIT >> 20
        ))
        .into());
    }
    Ok(response.body)
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let mut quoted = String::from('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(quoted, "\\u{:04X}", u32::from(c));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}
