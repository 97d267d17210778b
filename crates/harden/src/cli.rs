use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Production hardening as deterministic, evidence-producing gates.
///
/// harden runs the rounds of the hardening method (R0 scope lock & contracts … R7 launch
/// readiness) as gates over a repository, records every run in an append-only, hash-chained
/// evidence ledger, and renders results for terminals, CI and code scanning.
///
/// Exit codes: 0 all required gates passed or are waived; 1 a gate failed; 2 usage, config or
/// operational error (the message names the file, line and column where there is one).
#[derive(Debug, Parser)]
#[command(name = "harden", version, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options for every command.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Log format on stderr: `text` for people, `json` for log pipelines (one object per line,
    /// each carrying the run id as `run_id`).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub(crate) log_format: LogFormat,
    /// More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether
    /// stdout is a terminal.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    Human,
    Json,
    Sarif,
    Junit,
    Markdown,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Look at a repository and write a commented harden.toml for it.
    ///
    /// Detects languages, CI workflows, Dockerfiles, migrations, OpenAPI documents and runbooks,
    /// proposes paths for what is missing, and adds `.harden/` (the local ledger) to .gitignore so
    /// the ledger never makes the tree dirty. Refuses to overwrite an existing harden.toml
    /// unless --force is given.
    Init(InitArgs),
    /// Run the gates of a profile over a repository and record the run in the ledger.
    ///
    /// Gates run in parallel; results are reported in catalogue order. A gate that cannot judge
    /// anything is `skipped` with its reason; with --strict a skipped required gate fails. The
    /// run (tool version, commit and dirty flag, config digest, profile, outcomes, evidence and
    /// redacted findings) is appended to the evidence ledger before the report is printed.
    Check(CheckArgs),
    /// List every gate: id, round, default severity, profile and title.
    Gates(GatesArgs),
    /// Explain a gate: what it checks, why it matters, how to fix a failure, what it records.
    Explain(ExplainArgs),
    /// Validate harden.toml or print its JSON Schema.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Inspect and verify the evidence ledger.
    #[command(subcommand)]
    Ledger(LedgerCommand),
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Repository root (default: the current directory).
    #[arg(default_value = ".")]
    pub(crate) path: PathBuf,
    /// Overwrite an existing harden.toml.
    #[arg(long)]
    pub(crate) force: bool,
}

/// Where the config and ledger are.
#[derive(Debug, Args)]
pub(crate) struct Locations {
    /// Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the
    /// built-in defaults of the production profile.
    #[arg(
        long,
        env = "HARDEN_CONFIG",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub(crate) config: Option<PathBuf>,
    /// Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config,
    /// else .harden/ledger.db under the repository root.
    #[arg(
        long,
        env = "HARDEN_LEDGER",
        hide_env_values = true,
        value_name = "PATH|URL"
    )]
    pub(crate) ledger: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Repository root (default: the current directory).
    #[arg(default_value = ".")]
    pub(crate) path: PathBuf,
    #[command(flatten)]
    pub(crate) locations: Locations,
    /// Profile to run: prototype, production or a [profiles.<name>] of the config.
    #[arg(long)]
    pub(crate) profile: Option<String>,
    /// Fail required gates that were skipped (other than those disabled in the config).
    #[arg(long)]
    pub(crate) strict: bool,
    /// Run only gates matching these ids or patterns (`R7.*`). Repeatable.
    #[arg(long, value_name = "PATTERN")]
    pub(crate) only: Vec<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
    pub(crate) format: OutputFormat,
    /// Write the report to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Do not record the run in the ledger (R2.ledger.intact still verifies it).
    #[arg(long)]
    pub(crate) no_record: bool,
    /// Digest of the build artefact this run vouches for (`sha256:<64 hex>`), for promotion.
    #[arg(long, value_name = "sha256:HEX")]
    pub(crate) artifact: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct GatesArgs {
    /// Output format: human or json.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
    pub(crate) format: OutputFormat,
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// Gate id, e.g. R7.runbooks.
    pub(crate) id: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Validate the config and report every problem with file, line and column (exit 2 if any).
    Check(ConfigCheckArgs),
    /// Print the JSON Schema of harden.toml, for editor completion and validation.
    Schema,
}

#[derive(Debug, Args)]
pub(crate) struct ConfigCheckArgs {
    /// Repository root (default: the current directory).
    #[arg(default_value = ".")]
    pub(crate) path: PathBuf,
    /// Config file (default: as for `check`).
    #[arg(
        long,
        env = "HARDEN_CONFIG",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub(crate) config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct LedgerArgs {
    /// Repository root whose config and default ledger are used (default: the current directory).
    #[arg(long, default_value = ".")]
    pub(crate) repo: PathBuf,
    #[command(flatten)]
    pub(crate) locations: Locations,
}

#[derive(Debug, Subcommand)]
pub(crate) enum LedgerCommand {
    /// Recompute the whole hash chain; exit 1 naming the first broken entry if it does not verify.
    Verify(LedgerArgs),
    /// List entries, newest first.
    Log {
        #[command(flatten)]
        args: LedgerArgs,
        /// How many entries.
        #[arg(long, short = 'n', default_value_t = 20)]
        limit: u64,
    },
    /// Print one entry with its body.
    Show {
        #[command(flatten)]
        args: LedgerArgs,
        /// Entry number (`#12` or `12`), or `head`.
        entry: String,
    },
    /// Export every entry with its hashes, so the chain can be verified outside harden.
    Export {
        #[command(flatten)]
        args: LedgerArgs,
        /// Export format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
        /// Write to this file instead of stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    /// One JSON object per line: seq, kind, recorded_at, prev_hash, hash, body.
    Jsonl,
}
