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
pub(crate) enum SeverityArg {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    Human,
    Json,
    Sarif,
    Junit,
    Markdown,
    /// GitHub Actions workflow annotations.
    Github,
    /// GitLab code quality report.
    Gitlab,
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
    /// Run the live gates against a running service, with no config and nothing recorded.
    ///
    /// For a first look at a service: headers, cookies, CORS, health endpoints and request
    /// correlation, within a request budget and a rate cap. Only the URL's host is contacted; a
    /// redirect is recorded, never followed. `harden check` with `[target]` in harden.toml runs
    /// the same gates with the repository's settings and records the run.
    Probe(ProbeArgs),
    /// List every gate: id, round, default severity, profile and title.
    Gates(GatesArgs),
    /// Explain a gate (what it checks, why it matters, how to fix a failure, what it records) or
    /// a secret rule a finding names (what it matches and how to silence a false positive).
    Explain(ExplainArgs),
    /// Validate harden.toml or print its JSON Schema.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Inspect and verify the evidence ledger.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Record and inspect the daily smoke window of a rollout.
    #[command(subcommand)]
    Smoke(SmokeCommand),
    /// Record that a person vouches for a checklist item no scanner can prove (a penetration
    /// test, a trained team, a status page): who, when, the evidence (a file's digest, or a
    /// URL), and until when. `harden gates --checklist` shows it, and when it expires.
    Attest(AttestArgs),
    /// Drills: the `[[drill]]` commands that prove checklist items (a backup restored, a
    /// failover, a load test), run and recorded in the ledger as the item's evidence.
    #[command(subcommand)]
    Drill(DrillCommand),
    /// Decide whether the rollout may exit: every configured criterion with its evidence.
    ///
    /// Default criteria: N consecutive strict-pass days (`[exit-criteria] consecutive-days`, 7),
    /// all strict gates green now, no blocked procedure, no expired waiver. Exit 0 only if all hold.
    ExitCriteria(RepoArgs),
    /// Promotion checks by commit.
    #[command(subcommand)]
    Promote(PromoteCommand),
    /// Hardening procedures: objective, scope, references, actions mapped to verifying gates.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Write the rollout readiness snapshot of today.
    ///
    /// Runs the profile's gates and records the run, then writes
    /// docs/audits/production-hardening-rollout-readiness-YYYY-MM-DD.md (or `[readiness] path`):
    /// required deployment flags and their values, presence (never values) of required secrets,
    /// the gate summary per round with failures, waivers in force and expiring within 14 days,
    /// the ledger head, and with --checks the preflight commands. Re-running the same day
    /// rewrites the day's file; the ledger keeps every snapshot.
    Readiness(ReadinessArgs),
    /// Scan for secrets directly: any directory (git or not, with or without harden.toml),
    /// standard input, staged changes or the full history.
    #[command(subcommand)]
    Secrets(SecretsCommand),
    /// The local advisory database that R4.vulns matches locked packages against, offline.
    #[command(subcommand)]
    Db(DbCommand),
    /// Write the software bill of materials of a repository: every package its lockfiles lock.
    ///
    /// CycloneDX 1.6 or SPDX 2.3 JSON, from Cargo.lock, package-lock.json, yarn.lock,
    /// pnpm-lock.yaml, bun.lock, uv.lock, poetry.lock, pdm.lock, Pipfile.lock, go.mod, Gemfile.lock,
    /// NuGet's packages.lock.json, composer.lock, gradle.lockfile and pinned requirements
    /// files: purls, versions, hashes where the lockfile records them, the
    /// lockfiles each package comes from, and the direct dependencies of the repository.
    Sbom(SbomArgs),
    /// Write the documents a launch needs, with every team-specific answer left as a
    /// `TODO(harden):` marker: incident response (severities P0-P3, response per severity,
    /// escalation, communication and post-mortem templates), runbooks (disaster recovery,
    /// migration recovery, on-call with a first look per alert, database, high traffic,
    /// third-party outages, deployment failures, security incidents), observability, and the
    /// security audit. Existing files are kept unless --force. R7.runbooks fails while a
    /// marker remains in a runbook.
    Scaffold {
        /// Which documents.
        #[arg(value_enum)]
        kind: ScaffoldKind,
        /// Repository root (default: the current directory).
        #[arg(long = "repo", default_value = ".")]
        repo: PathBuf,
        /// Overwrite documents that exist.
        #[arg(long)]
        force: bool,
    },
    /// Waivers: bring in the suppressions a team already keeps for other tools.
    #[command(subcommand)]
    Waivers(WaiversCommand),
    /// Run the team server: many repositories' runs on one PostgreSQL database, an API under
    /// /api/v1 and a dashboard.
    ///
    /// Stateless: start any number of instances on one database behind a load balancer. Each
    /// project keeps its own hash chain; every query is confined to the caller's organisation
    /// by PostgreSQL row-level security. Logs are JSON lines on stderr. `harden serve token
    /// create` makes the tokens that `harden push` and `harden check --report-to` send.
    Serve(ServeArgs),
    /// Send the entries of the local ledger (runs, smoke records, readiness snapshots, plan
    /// states) to a team server, into the project of the token in HARDEN_TOKEN.
    ///
    /// Safe to repeat: the server recognises an entry it already holds (a run by its id, any
    /// other entry by its hash) and does not append it twice.
    Push(PushArgs),
    /// Print the shell completion script for SHELL (bash, zsh, fish, elvish, powershell).
    ///
    /// bash: `harden completions bash > ~/.local/share/bash-completion/completions/harden`;
    /// zsh: into a directory of $fpath as `_harden`; fish: `~/.config/fish/completions/harden.fish`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write the manual pages: `harden.1` and one page per command (`harden-check.1`), into DIR.
    Man {
        /// Directory to write the pages into (created if needed).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// `harden serve`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct ServeArgs {
    #[command(subcommand)]
    pub(crate) command: Option<ServeCommand>,
    #[command(flatten)]
    pub(crate) database: DatabaseArg,
    /// Address to listen on.
    #[arg(
        long,
        env = "HARDEN_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    pub(crate) listen: std::net::SocketAddr,
    /// Apply the server's schema migrations before serving (safe to run from every instance:
    /// they take an advisory lock).
    #[arg(long)]
    pub(crate) migrate: bool,
    /// Connections each instance keeps to the database at most.
    #[arg(long, default_value_t = 16, value_name = "N")]
    pub(crate) pool_size: usize,
    /// Requests per second one token may send to one instance (bursts of twice that);
    /// anonymous clients get 10 per address.
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub(crate) rate_limit: u32,
    /// Behind a load balancer: the header it writes the client's address into
    /// (`X-Forwarded-For`), so limits count clients, not the balancer. Only with a balancer
    /// that overwrites or appends it: clients can send it too.
    #[arg(long, value_name = "HEADER")]
    pub(crate) client_ip_header: Option<String>,
    /// Session cookies without `Secure` and the `__Host-` prefix, for a dashboard served over
    /// plain HTTP to a browser on another host. Never in production.
    #[arg(long)]
    pub(crate) insecure_cookies: bool,
}

/// The team server's database.
#[derive(Debug, Args)]
pub(crate) struct DatabaseArg {
    /// PostgreSQL URL (`postgres://user:password@host/db?sslmode=verify-full&sslrootcert=ca.pem`).
    #[arg(
        long,
        env = "HARDEN_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub(crate) database: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ServeCommand {
    /// Tokens for pushing and reading.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Create a token and print it (it is stored hashed and cannot be shown again). With
    /// --project, a token that pushes to that project and reads its organisation; without, one
    /// that reads the whole organisation (for the dashboard). The organisation and project are
    /// created if needed.
    Create {
        #[command(flatten)]
        database: DatabaseArg,
        /// Organisation.
        #[arg(long, value_name = "ORG")]
        org: String,
        /// Project.
        #[arg(long, value_name = "NAME")]
        project: Option<String>,
    },
    /// List an organisation's tokens: id, project, first characters, when made and revoked.
    List {
        #[command(flatten)]
        database: DatabaseArg,
        /// Organisation.
        #[arg(long, value_name = "ORG")]
        org: String,
    },
    /// Revoke a token by the id `token list` shows; its dashboard sessions end with it.
    Revoke {
        #[command(flatten)]
        database: DatabaseArg,
        /// Organisation.
        #[arg(long, value_name = "ORG")]
        org: String,
        /// The token's id.
        id: i64,
    },
}

/// `harden push`.
#[derive(Debug, Args)]
pub(crate) struct PushArgs {
    /// The team server's base URL (`https://harden.example.internal`).
    pub(crate) url: String,
    /// Repository root whose ledger is pushed (default: the current directory).
    #[arg(long = "repo", default_value = ".")]
    pub(crate) path: PathBuf,
    #[command(flatten)]
    pub(crate) locations: Locations,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SbomFormat {
    /// CycloneDX 1.6 JSON.
    CyclonedxJson,
    /// SPDX 2.3 JSON.
    SpdxJson,
}

#[derive(Debug, Args)]
pub(crate) struct SbomArgs {
    #[command(flatten)]
    pub(crate) repo: RepoArgs,
    /// Document format.
    #[arg(long, value_enum, default_value_t = SbomFormat::CyclonedxJson)]
    pub(crate) format: SbomFormat,
    /// Write to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum WaiversCommand {
    /// Turn other tools' suppressions into harden waivers: `gitleaks:allow` comments,
    /// `.gitleaksignore`, a gitleaks baseline report, `# zizmor: ignore[...]` comments and the
    /// ignore lists of zizmor.yml. Runs the matching gates and waives, by fingerprint, each
    /// finding the other tool had been told to accept, with a reason naming where it came from
    /// and the owner and expiry given here: a team switches without ignoring everything or
    /// failing on day one. Prints the `[[waiver]]` tables (or appends them with --append);
    /// suppressions that match no harden finding are listed on stderr.
    Import(WaiversImportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct WaiversImportArgs {
    #[command(flatten)]
    pub(crate) repo: RepoArgs,
    /// Who answers for the imported waivers.
    #[arg(long)]
    pub(crate) owner: String,
    /// When they expire (YYYY-MM-DD): imported acceptances are reviewed again by then.
    #[arg(long, value_name = "DATE")]
    pub(crate) expires: String,
    /// Ticket or document the import is tracked in (default: "imported from TOOL").
    #[arg(long)]
    pub(crate) reference: Option<String>,
    /// A gitleaks baseline (its JSON report) whose findings were accepted.
    #[arg(long, value_name = "FILE")]
    pub(crate) gitleaks_baseline: Option<PathBuf>,
    /// Append the waivers to the config file instead of printing them.
    #[arg(long)]
    pub(crate) append: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Import advisories: directories of OSV JSON, OSV's per-ecosystem all.zip archives, and
    /// RustSec's advisory-db (crates/<name>/RUSTSEC-*.md). Everything is read before anything
    /// is written: a bad record is reported with its file, line and column (exit 2) and the
    /// database stays as it was. Importing the same data again changes nothing; newer and
    /// withdrawn records replace older ones.
    Import {
        #[command(flatten)]
        args: DbArgs,
        /// OSV directories, .zip archives, single records, or a RustSec advisory-db checkout.
        #[arg(required = true, value_name = "PATH")]
        sources: Vec<PathBuf>,
    },
    /// Records per ecosystem, how current they are, and when they were imported.
    Status(DbArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DbArgs {
    /// Repository whose .harden/advisories.db is meant (default: the current directory).
    #[arg(long, default_value = ".")]
    pub(crate) repo: PathBuf,
    /// The database file instead ($HARDEN_ADVISORY_DB): one database shared by many
    /// repositories.
    #[arg(
        long = "advisory-db",
        env = "HARDEN_ADVISORY_DB",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub(crate) database: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SecretsCommand {
    /// Scan a directory (default `.`), a file, or `-` for standard input. Exit 1 if a secret is
    /// found, 0 if none; nothing is recorded in the ledger.
    Scan(SecretsScanArgs),
    /// Record the fingerprints of the secrets found now (never their values) so that later
    /// scans and the R3.secrets gates report only new ones.
    Baseline {
        #[command(flatten)]
        scan: SecretsScanArgs,
    },
    /// List the built-in rules (id and what each finds) and any from `[[secrets.rule]]`.
    Rules,
}

#[derive(Debug, Args)]
pub(crate) struct SecretsScanArgs {
    /// Directory or file to scan, or `-` for standard input.
    #[arg(default_value = ".")]
    pub(crate) path: PathBuf,
    /// Also scan every blob of the git history (each once), naming the introducing commit.
    #[arg(long)]
    pub(crate) history: bool,
    /// With --history: only commits not reachable from this revision (e.g. origin/main).
    #[arg(long, value_name = "REF", requires = "history")]
    pub(crate) since: Option<String>,
    /// Scan only what is staged in the git index (for a pre-commit hook).
    #[arg(long, conflicts_with = "history")]
    pub(crate) staged: bool,
    /// Config file for `[secrets]` rules and allowlists (default: harden.toml in PATH, if any).
    #[arg(long, value_name = "FILE", env = "HARDEN_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
    pub(crate) format: OutputFormat,
    /// Write the report (or the baseline) to this file instead of stdout (the baseline's
    /// default is `[secrets] baseline` or .harden-secrets-baseline.json in PATH).
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// A repository and where its config and ledger are.
#[derive(Debug, Args)]
pub(crate) struct RepoArgs {
    /// Repository root (default: the current directory).
    #[arg(default_value = ".")]
    pub(crate) path: PathBuf,
    #[command(flatten)]
    pub(crate) locations: Locations,
}

/// A repository given as an option, for commands whose positional argument is something else.
#[derive(Debug, Args)]
pub(crate) struct RepoOption {
    /// Repository root (default: the current directory).
    #[arg(long = "repo", default_value = ".")]
    pub(crate) path: PathBuf,
    #[command(flatten)]
    pub(crate) locations: Locations,
}

#[derive(Debug, Args)]
pub(crate) struct AttestArgs {
    #[command(flatten)]
    pub(crate) repo: RepoOption,
    /// The checklist gate (`R1.pentest.done`) or its item as `harden gates --checklist` words it
    /// ("Penetration test completed").
    #[arg(value_name = "GATE")]
    pub(crate) item: String,
    /// The evidence: a file (recorded by its SHA-256) or an http(s) URL.
    #[arg(long, value_name = "PATH|URL")]
    pub(crate) evidence: String,
    /// Who vouches for it.
    #[arg(long, value_name = "NAME")]
    pub(crate) by: String,
    /// How long the attestation holds.
    #[arg(long, default_value = "90d")]
    pub(crate) expires: String,
    /// A note kept with it.
    #[arg(long)]
    pub(crate) note: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DrillCommand {
    /// Run one drill: its command in its own process group, killed with its children at the
    /// timeout; its output's tail kept, redacted; the result recorded in the ledger. Exit 1 if
    /// it fails.
    Run {
        #[command(flatten)]
        repo: RepoOption,
        /// The drill's name.
        name: String,
    },
    /// Every drill with its last recorded result, and whether it is due.
    List(RepoOption),
}

#[derive(Debug, Subcommand)]
pub(crate) enum SmokeCommand {
    /// Run the strict gate set (`[smoke] strict-gates`, default the whole profile) under
    /// --strict, append a row to docs/audits/production-hardening-smoke-window-YYYY-MM.md and an
    /// entry to the ledger. Exit 1 if the record fails.
    Record {
        #[command(flatten)]
        repo: RepoArgs,
        /// Also run the `[[preflight]]` commands; the record passes only if they pass too.
        #[arg(long)]
        checks: bool,
    },
    /// Print the current consecutive-day strict-pass streak (days in `[smoke] timezone`, else
    /// UTC; a day passes only if all its records pass; a day without a record breaks it).
    Streak(RepoArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum PromoteCommand {
    /// Pass only if the ledger holds a green run of the profile for exactly this commit, on a
    /// clean tree, within --max-age, and for --artifact when given. Names the proving run.
    Check {
        #[command(flatten)]
        repo: RepoArgs,
        /// The commit to promote (full id, or a unique prefix of at least 7 hex digits).
        #[arg(long)]
        commit: String,
        /// Required profile.
        #[arg(long, default_value = "production")]
        profile: String,
        /// Oldest acceptable run, e.g. 24h, 7d.
        #[arg(long, default_value = "24h")]
        max_age: String,
        /// Artefact digest the run must vouch for (`harden check --artifact`).
        #[arg(long, value_name = "sha256:HEX")]
        artifact: Option<String>,
        /// Decide from this attestation (`harden ledger attest`) instead of the local ledger:
        /// its signature must verify with --public-key, and the run it carries must qualify.
        #[arg(long, value_name = "FILE")]
        attestation: Option<PathBuf>,
        /// Output format: human or json.
        #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PlanCommand {
    /// Create docs/hardening/<id>.toml from a template.
    New {
        #[command(flatten)]
        repo: RepoOption,
        /// Plan id (file name): lowercase letters, digits and dashes.
        id: String,
        /// Title.
        #[arg(long)]
        title: String,
    },
    /// Create docs/hardening/<id>.toml from the failing gates of the last recorded run: one
    /// action per gate, verified by that gate, with its findings as references.
    FromFindings {
        #[command(flatten)]
        repo: RepoOption,
        /// Plan id (file name): lowercase letters, digits and dashes.
        id: String,
        /// Only gates matching these patterns (`R4.*`, `R3.secrets.tree`).
        #[arg(long = "gate", value_name = "PATTERN")]
        gates: Vec<String>,
        /// Title (default: says which run it comes from).
        #[arg(long)]
        title: Option<String>,
    },
    /// List plans with their state.
    List(RepoOption),
    /// Show one plan.
    Show {
        #[command(flatten)]
        repo: RepoOption,
        /// Plan id.
        id: String,
    },
    /// Run the gates the plan's actions map to and record the result in the ledger.
    Verify {
        #[command(flatten)]
        repo: RepoOption,
        /// Plan id.
        id: String,
    },
    /// Close a plan. `completed` is refused until every action's gates pass; `blocked` and
    /// `aborted` need --reason and --residual-risk. Every state change is a ledger entry.
    Close {
        #[command(flatten)]
        repo: RepoOption,
        /// Plan id.
        id: String,
        /// Exit state.
        #[arg(long, value_enum)]
        state: ExitState,
        /// Why (required for blocked and aborted).
        #[arg(long)]
        reason: Option<String>,
        /// Risk that remains (required for blocked and aborted).
        #[arg(long)]
        residual_risk: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExitState {
    Completed,
    Blocked,
    Aborted,
}

#[derive(Debug, Args)]
pub(crate) struct ReadinessArgs {
    #[command(flatten)]
    pub(crate) repo: RepoArgs,
    /// Also run the `[[preflight]]` commands and include their results.
    #[arg(long)]
    pub(crate) checks: bool,
    /// Print the snapshot as JSON instead of writing the Markdown file.
    #[arg(long)]
    pub(crate) json: bool,
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
    /// File that keeps the ledger's head outside the ledger (in CI, where the checkout is
    /// thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository.
    #[arg(
        long,
        env = "HARDEN_LEDGER_ANCHOR",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub(crate) ledger_anchor: Option<PathBuf>,
    /// Advisory database (R4.vulns), as `harden db import` writes it. Default:
    /// .harden/advisories.db under the repository root.
    #[arg(
        long,
        env = "HARDEN_ADVISORY_DB",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub(crate) advisory_db: Option<PathBuf>,
    /// Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it)
    /// that signs the head of every entry appended. Never in harden.toml. The PEM itself may
    /// be given in $HARDEN_SIGNING_KEY instead (a CI secret).
    #[arg(
        long,
        env = "HARDEN_SIGNING_KEY_FILE",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub(crate) signing_key: Option<PathBuf>,
    /// Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify`
    /// checks the heads' signatures with. Default: the signing key's own.
    #[arg(
        long,
        env = "HARDEN_LEDGER_PUBLIC_KEY",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub(crate) public_key: Option<PathBuf>,
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
    /// Never run gates matching these ids or patterns (`R1.*`), whatever selects them.
    /// Repeatable.
    #[arg(long, value_name = "PATTERN")]
    pub(crate) skip: Vec<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
    pub(crate) format: OutputFormat,
    /// Write the report to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Also write the report in another format to a file, `FORMAT=PATH`
    /// (`sarif=harden.sarif`): people read the terminal while CI uploads the file, from one run.
    /// Repeatable.
    #[arg(long, value_name = "FORMAT=PATH")]
    pub(crate) report: Vec<String>,
    /// Also write the security audit document: the scan by round, the OWASP Top 10 category by
    /// category, dependencies, configuration, every open finding and the remediation tasks.
    /// To `--security-audit=PATH`, else to `[security-audit] path`, else to
    /// sdlc/security-audit.md in the repository. A document there that harden did not write (a
    /// team's own audit, `harden scaffold security-audit`) is never overwritten.
    #[arg(
        long,
        value_name = "PATH",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = ""
    )]
    pub(crate) security_audit: Option<String>,
    /// Leave findings below this severity out of the report: they fail nothing (each gate's
    /// evidence counts them).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub(crate) min_severity: Option<SeverityArg>,
    /// Show only the gates that failed, and the summary (human format).
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Exit 0 even when a gate failed (report-only runs, such as a code-scanning upload step);
    /// usage and configuration errors still exit 2.
    #[arg(long)]
    pub(crate) exit_zero: bool,
    /// Do not record the run in the ledger (R2.ledger.intact still verifies it).
    #[arg(long)]
    pub(crate) no_record: bool,
    /// Send the run to a team server (`harden serve`) as well, into the project of the token
    /// in HARDEN_TOKEN. A server that cannot be reached makes the command fail (exit 2) after
    /// the run is recorded locally; `harden push` sends it later.
    #[arg(long, value_name = "URL")]
    pub(crate) report_to: Option<String>,
    /// Let the live gates send requests to the service of `[target]` in harden.toml. Without
    /// it they are skipped: a repository's config alone never makes harden connect anywhere.
    #[arg(long)]
    pub(crate) live: bool,
    /// Digest of the build artefact this run vouches for (`sha256:<64 hex>`), for promotion.
    #[arg(long, value_name = "sha256:HEX")]
    pub(crate) artifact: Option<String>,
    /// Compare the API contracts with this revision (its merge base with HEAD), e.g.
    /// `origin/main`, for R0.contracts.breaking. In CI the pull or merge request's target
    /// branch is used without it.
    #[arg(long, value_name = "REF")]
    pub(crate) base: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ProbeArgs {
    /// Base URL of the service (`http://127.0.0.1:8080/`, `https://staging.example.org/`).
    pub(crate) url: String,
    /// Most requests to send.
    #[arg(long, default_value_t = 200)]
    pub(crate) budget: u32,
    /// Most requests per second.
    #[arg(long, default_value_t = 10)]
    pub(crate) rate: u32,
    /// PEM file of a private certificate authority to trust (a staging CA), besides the system's.
    #[arg(long, value_name = "PEM")]
    pub(crate) ca_file: Option<std::path::PathBuf>,
    /// The service's OpenAPI (3.x) or Swagger (2.0) document, a file or a URL on the target
    /// (`http://127.0.0.1:8080/openapi.json`): its operations are called by the
    /// contract-driven gates (R1.auth.enforced, R1.tenancy.isolation, R5.input.rejected,
    /// R6.idempotency) and its plain GETs looked at by the others.
    #[arg(long, value_name = "FILE|URL")]
    pub(crate) contract: Option<std::path::PathBuf>,
    /// An operation anyone may call (`GET /health`, `/docs*`); repeatable.
    #[arg(long = "public", value_name = "PATTERN")]
    pub(crate) public: Vec<String>,
    /// A caller the gates act as, `NAME=ENV_VAR`, the variable holding one header line
    /// (`Authorization: Bearer ...`); the first is A, the second B; repeatable.
    #[arg(long = "identity", value_name = "NAME=ENV_VAR")]
    pub(crate) identity: Vec<String>,
    /// Value of a path parameter, `NAME=VALUE` (`id=42`); repeatable.
    #[arg(long = "path-value", value_name = "NAME=VALUE")]
    pub(crate) path_value: Vec<String>,
    /// Seed of the generated invalid inputs (R5.input.rejected): the same seed sends the same
    /// requests.
    #[arg(long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
    pub(crate) format: OutputFormat,
}

#[derive(Debug, Args)]
pub(crate) struct GatesArgs {
    /// Output format: human or json.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
    pub(crate) format: OutputFormat,
    /// Seed 001's four checklists instead: each item's class (automatic, drillable,
    /// attested), the gates or drill that prove it, and its state from the ledger.
    #[arg(long)]
    pub(crate) checklist: bool,
    #[command(flatten)]
    pub(crate) repo: RepoOption,
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// Gate id (R7.runbooks) or secret rule id (github-pat).
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
    Verify {
        #[command(flatten)]
        args: LedgerArgs,
        /// A head recorded earlier (`harden ledger head` prints it: `N:HASH`): exit 1 unless the
        /// chain still holds entry N with that hash. A head kept outside the ledger (a CI
        /// artifact, a release note, the team server) catches a rewrite of the whole chain.
        #[arg(long, value_name = "N:HASH")]
        expect_head: Option<String>,
    },
    /// Print the Merkle tree head of the ledger, `SIZE:ROOT` (RFC 9162 hashing over the
    /// entries' hashes), to keep outside the ledger and prove entries and growth against.
    Root {
        #[command(flatten)]
        args: LedgerArgs,
        /// The tree of the first SIZE entries (default: all of them).
        #[arg(long)]
        size: Option<u64>,
        /// Output format: human (`SIZE:ROOT`) or json.
        #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
    /// Write a proof, checkable without the ledger: that one entry is in the ledger
    /// (inclusion), or with --from, that the ledger only grew since it had that many entries
    /// (consistency).
    Prove {
        #[command(flatten)]
        args: LedgerArgs,
        /// The entry to prove (`12`, `#12` or `head`); not with --from.
        #[arg(required_unless_present = "from", conflicts_with = "from")]
        entry: Option<String>,
        /// Prove the ledger of this many entries is a prefix of the ledger at --size.
        #[arg(long, value_name = "SIZE")]
        from: Option<u64>,
        /// The tree to prove against: the first SIZE entries (default: all of them).
        #[arg(long)]
        size: Option<u64>,
        /// Write to this file instead of stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Check a proof file `ledger prove` wrote, without the ledger: exit 1 if it does not hold,
    /// or if --root is given and the proof is about another tree.
    CheckProof {
        /// The proof (JSON).
        file: PathBuf,
        /// A tree head kept elsewhere (`SIZE:ROOT`, as `ledger root` prints it) the proof must
        /// be about: the tree of an inclusion proof, either tree of a consistency proof.
        #[arg(long, value_name = "SIZE:ROOT")]
        root: Option<String>,
    },
    /// Write a signed attestation of a recorded run: an in-toto Statement (v1) about the
    /// artifact, whose predicate is the run's gate results (outcomes and counts, never a
    /// finding's content), in a DSSE envelope signed with the ledger's signing key.
    Attest {
        #[command(flatten)]
        args: LedgerArgs,
        /// The run's entry (`12`, `#12`); default: the newest run.
        entry: Option<String>,
        /// The artifact the run vouches for, by digest (repeat for several).
        #[arg(long = "subject", value_name = "sha256:HEX", required = true)]
        subjects: Vec<String>,
        /// The artifact's name in the statement (default `_`: none that matters).
        #[arg(long, value_name = "NAME")]
        subject_name: Option<String>,
        /// Write to this file instead of stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print the current head, `N:HASH` (entry number and hash), to keep outside the ledger.
    Head {
        #[command(flatten)]
        args: LedgerArgs,
        /// Output format: human (`N:HASH`) or json.
        #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
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

/// The documents `harden scaffold` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ScaffoldKind {
    /// sdlc/incident-response.md.
    IncidentResponse,
    /// sdlc/runbooks/*.md.
    Runbooks,
    /// sdlc/observability.md.
    Observability,
    /// sdlc/security-audit.md.
    SecurityAudit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    /// One JSON object per line: seq, kind, recorded_at, prev_hash, hash, body.
    Jsonl,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
