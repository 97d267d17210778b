//! `harden`: production hardening as deterministic, evidence-producing gates.
//!
//! The binary is the CLI definition plus glue: it discovers the config, wires the adapters into
//! the engine's ports, records runs in the ledger, prints, and maps results to exit codes
//! (0 all required gates pass or are waived, 1 a gate failed, 2 usage, config or operational error).

mod anchor;
mod cli;
mod clock;
mod commands;
mod confined;
mod discovery;
mod identities;
mod logging;
mod output;
mod preflight;
mod session;

use std::process::ExitCode;

use clap::Parser;

/// An error that ends the process with exit code 2 after its message is printed.
#[derive(Debug)]
pub(crate) struct UsageError(pub(crate) String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// An invalid config: its diagnostics are printed as they are (they carry their own `error:`).
#[derive(Debug)]
pub(crate) struct ConfigInvalid(pub(crate) harden_config::Diagnostics);

impl std::fmt::Display for ConfigInvalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for ConfigInvalid {}

/// The run's worker pool, unless `RAYON_NUM_THREADS` sets it: two workers a core. Gates read
/// every file of a tree, and from a cold page cache a worker waiting on the disk leaves its core
/// idle; twice as many keep the disk busy. Measured with bench/secrets.sh on a `cargo vendor`
/// tree (docs/BENCHMARKS.md): cold cache 1.50× ripgrep's time with one worker a core, 1.08×
/// with two; warm, 4% slower.
fn thread_pool() {
    if std::env::var_os("RAYON_NUM_THREADS").is_some() {
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    // Fails only when a pool exists already, which then serves as it is.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(cores * 2)
        .build_global();
}

fn main() -> ExitCode {
    // A panic message can quote the data being processed (a line that holds a secret): show only
    // where it happened. A panicking gate is still recorded as a failed gate by the engine.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        output::error(&format!(
            "internal error{at} (a bug in harden; please report it)"
        ));
    }));
    let cli = cli::Cli::parse();
    // The team server logs JSON lines: its logs go to a collector, not to a person.
    let serving = matches!(&cli.command, cli::Command::Serve(args) if args.command.is_none());
    let log_format = if serving {
        cli::LogFormat::Json
    } else {
        cli.global.log_format
    };
    logging::init(log_format, cli.global.verbose);
    thread_pool();
    let json_logs = matches!(cli.global.log_format, cli::LogFormat::Json);
    match commands::dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            // A closed pipe (`harden gates | head`) is not an error worth a message.
            if error.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            match (error.downcast_ref::<ConfigInvalid>(), json_logs) {
                // Under --log-format json every line on stderr is a JSON object.
                (Some(invalid), true) => {
                    for d in &invalid.0.0 {
                        output::stderr_raw(&logging::json_line(
                            "ERROR",
                            &d.message,
                            serde_json::json!({
                                "file": d.path,
                                "line": d.line,
                                "column": d.column,
                                "expected": d.expected,
                            }),
                        ));
                    }
                }
                (Some(invalid), false) => output::stderr_raw(&invalid.to_string()),
                (None, true) => output::stderr_raw(&logging::json_line(
                    "ERROR",
                    &format!("{error:#}"),
                    serde_json::json!({}),
                )),
                (None, false) => output::error(&format!("{error:#}")),
            }
            ExitCode::from(2)
        }
    }
}
