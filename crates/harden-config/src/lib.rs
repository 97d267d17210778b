//! `harden.toml`: parse with spans, validate the whole file, and hand the engine a [`ValidConfig`].
//!
//! Validation collects every problem before reporting (file, line, column and the expected form of
//! each), so a user fixes a config in one round trip; nothing runs on an invalid config. The key
//! tables in [`keys`] are the single source for the validator, diagnostics and the JSON Schema.

mod diag;
mod duration;
pub mod keys;
pub mod plan;
mod schema;
mod validate;

use std::collections::BTreeMap;
use std::time::Duration;

use harden_model::{GateId, GateMeta, OptionKind, ProfileLevel, Severity, Waiver};
use sha2::{Digest, Sha256};

pub use diag::{Diagnostic, Diagnostics};
pub use duration::{format_duration, parse_duration};
pub use schema::json_schema;

/// The file name harden looks for at the repository root.
pub const FILE_NAME: &str = "harden.toml";

/// The config version this build understands.
pub const VERSION: i64 = 1;

/// How far ahead a waiver may expire unless `[waivers] max-days` says otherwise: a year, so
/// that every exception is looked at again at least once a year.
pub const DEFAULT_WAIVER_MAX_DAYS: u32 = 365;

/// A validated configuration. Built only by [`load`] or [`ValidConfig::defaults`].
#[derive(Debug, Clone, Default)]
pub struct ValidConfig {
    /// The file it came from, if any.
    pub source: Option<ConfigSource>,
    /// `[service]`.
    pub service: Service,
    /// Selected profile name (`prototype`, `production` or a custom one).
    pub profile: String,
    /// Custom profiles by name.
    pub profiles: BTreeMap<String, CustomProfile>,
    /// `[contracts]`.
    pub contracts: Contracts,
    /// `[deploy]`.
    pub deploy: Deploy,
    /// `[[preflight]]`, in file order.
    pub preflight: Vec<Preflight>,
    /// `[[drill]]`, in file order.
    pub drills: Vec<Drill>,
    /// `[[waiver]]`, in file order.
    pub waivers: Vec<Waiver>,
    /// `[runbooks]`.
    pub runbooks: Runbooks,
    /// `[target]`.
    pub target: Option<TargetConfig>,
    /// `[gates."<id>"]`, by id.
    pub gates: BTreeMap<GateId, GateSettings>,
    /// `[ledger]`.
    pub ledger: LedgerConfig,
    /// `[smoke]`.
    pub smoke: Smoke,
    /// `[exit-criteria]`.
    pub exit_criteria: ExitCriteria,
    /// `[[decision]]`, in file order.
    pub decisions: Vec<Decision>,
    /// `[readiness] path`: where snapshots go, with `{date}`.
    pub readiness_path: Option<String>,
    /// `[security-audit] path`: where `check --security-audit` writes the audit document.
    pub security_audit_path: Option<String>,
    /// `[waivers] max-days`: how far ahead a waiver may expire (default 365).
    pub waiver_max_days: u32,
    /// `[repository] exclude`: globs of paths no gate examines.
    pub repository_exclude: Vec<String>,
    /// `[secrets]`.
    pub secrets: SecretsConfig,
}

/// `[secrets]`: how the secret gates detect, what they accept, and which logs they read.
#[derive(Debug, Clone, Default)]
pub struct SecretsConfig {
    /// Rules disabled, rules added and values allowed, already checked to compile and to leave
    /// at least one rule active.
    pub detector: harden_secrets::DetectorConfig,
    /// Globs of paths the secret gates do not scan.
    pub allow_paths: Vec<String>,
    /// Baseline file, repository-relative.
    pub baseline: Option<String>,
    /// Globs of log files for R3.secrets.logs.
    pub logs: Vec<String>,
    /// `test-code = "ignore"`: secrets in test code are counted, not reported.
    pub ignore_test_code: bool,
    /// Set by `harden secrets baseline`, which must see every secret, baselined or not.
    pub ignore_baseline: bool,
    /// The baseline's bytes, read by the caller when the view being scanned does not hold the
    /// file (staged content, a single file, standard input).
    pub preloaded_baseline: Option<Vec<u8>>,
}

/// A deferred trade-off in the decision register.
#[derive(Debug, Clone)]
pub struct Decision {
    /// What was decided.
    pub decision: String,
    /// When.
    pub date: jiff::civil::Date,
    /// Who answers for it.
    pub owner: String,
    /// What brings it back early.
    pub trigger: String,
    /// When it must be revisited.
    pub revisit_by: jiff::civil::Date,
    /// Line of its `[[decision]]` header.
    pub line: u32,
}

/// Where the config came from.
#[derive(Debug, Clone)]
pub struct ConfigSource {
    /// The path as named by the user or found by discovery.
    pub path: String,
    /// Hex SHA-256 of the file's bytes, recorded with every run.
    pub digest: String,
}

/// `[service]`: what is being hardened and who answers for it.
#[derive(Debug, Clone, Default)]
pub struct Service {
    /// Service name.
    pub name: Option<String>,
    /// Owners (emails or team handles).
    pub owners: Vec<String>,
    /// The scope statement (R0: scope is written down).
    pub scope: Option<String>,
    /// Line of `[service]` in the file, for findings that point at it.
    pub line: Option<u32>,
}

/// `[profiles.<name>]`: a custom profile.
#[derive(Debug, Clone)]
pub struct CustomProfile {
    /// The built-in level it starts from.
    pub extends: ProfileLevel,
    /// Gate patterns added on top (`R7.runbooks`, `R4.*`).
    pub include: Vec<String>,
    /// Gate patterns removed.
    pub exclude: Vec<String>,
}

/// `[contracts]`: where the contracts are.
#[derive(Debug, Clone, Default)]
pub struct Contracts {
    /// OpenAPI documents.
    pub openapi: Vec<String>,
    /// AsyncAPI documents.
    pub asyncapi: Vec<String>,
    /// JSON Schema documents.
    pub json_schema: Vec<String>,
}

/// `[deploy]`: what a deployment must be configured with.
#[derive(Debug, Clone, Default)]
pub struct Deploy {
    /// Required flags and their allowed values.
    pub flags: BTreeMap<String, Vec<String>>,
    /// Secret variables that must be present (values are never read into reports).
    pub secrets_required: Vec<String>,
    /// Env files to read flags and secrets from, besides the process environment.
    pub env_files: Vec<String>,
}

/// `[[preflight]]`: a command run before a rollout decision.
#[derive(Debug, Clone)]
pub struct Preflight {
    /// Unique name.
    pub name: String,
    /// Shell command line.
    pub run: String,
    /// Kill it (with its process group) after this long.
    pub timeout: Duration,
    /// Working directory relative to the repository root.
    pub cwd: Option<String>,
}

/// `[[drill]]`: a command that proves a checklist item, run by `harden drill run`.
#[derive(Debug, Clone)]
pub struct Drill {
    /// Unique name.
    pub name: String,
    /// The checklist item it proves.
    pub proves: String,
    /// The command, its timeout and working directory.
    pub command: Preflight,
    /// Text the output must contain for the drill to pass.
    pub expect_output: Option<String>,
    /// Who answers for it.
    pub owner: Option<String>,
    /// How often it must be run.
    pub every: Option<Duration>,
}

/// `[runbooks]`: where the launch-readiness documents live and how old they may be.
#[derive(Debug, Clone, Default)]
pub struct Runbooks {
    /// Disaster recovery procedure.
    pub disaster_recovery: Option<String>,
    /// Migration recovery procedure.
    pub migration_recovery: Option<String>,
    /// On-call playbook.
    pub on_call: Option<String>,
    /// Maximum age by last commit.
    pub max_age: Option<Duration>,
}

/// `[target]`: the running service for live gates.
#[derive(Debug, Clone)]
pub struct TargetConfig {
    /// Base URL (`http://` or `https://`).
    pub base_url: String,
    /// Most requests a live run may send.
    pub request_budget: u64,
    /// Most requests per second.
    pub rate_per_second: u64,
    /// Callers the contract-driven gates act as, in order (the first is A, the second B).
    pub identities: Vec<Identity>,
    /// Operations anyone may call (`GET /health`, `/docs*`).
    pub public: Vec<String>,
    /// Operations never to call besides every DELETE.
    pub destructive: Vec<String>,
    /// Values for path parameters, by parameter name.
    pub path_values: Vec<(String, String)>,
    /// Paths of objects identity A owns.
    pub objects: Vec<String>,
    /// Bodies for creating objects, by operation (`POST /items`), `${marker}` left in.
    pub bodies: Vec<(String, String)>,
    /// Paths the live gates look at besides `/`.
    pub paths: Vec<String>,
    /// Headers sent with every request, as configured (`env:VAR` values unresolved).
    pub headers: Vec<(String, String)>,
    /// A private certificate authority to trust, relative to the repository.
    pub ca_file: Option<String>,
    /// Time one live gate may take (`gate-time`, default 60 s).
    pub gate_time: Option<Duration>,
}

/// A caller the live gates act as. Only names of environment variables are configured: the
/// secrets themselves never are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Its name, for evidence.
    pub name: String,
    /// How the credential is obtained.
    pub credential: Credential,
    /// Environment variable holding the service's JWT HMAC key (test environments).
    pub jwt_key_env: Option<String>,
}

/// How an identity's credential is obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: Bearer $env`.
    Bearer {
        /// The variable.
        env: String,
    },
    /// `name: $env`.
    Header {
        /// Header name.
        name: String,
        /// The variable holding the value.
        env: String,
    },
    /// `$env` holds a whole header line, `Name: value`.
    HeaderLine {
        /// The variable.
        env: String,
    },
    /// Basic authentication.
    Basic {
        /// User name.
        user: String,
        /// The variable holding the password.
        password_env: String,
    },
    /// A login request.
    Login(Login),
}

/// `[target.identity.login]`: a request whose response yields the credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// Method (default POST).
    pub method: String,
    /// Path on the target.
    pub path: String,
    /// Body, `${VAR}` standing for environment variables.
    pub body: String,
    /// Content type of the body.
    pub content_type: String,
    /// JSON pointer to the token; `None`: the response's cookies are the credential.
    pub token: Option<String>,
    /// Header the token goes in.
    pub header: String,
    /// Word before the token (`Bearer`).
    pub scheme: Option<String>,
}

impl Login {
    /// The environment variables the body reads, in order.
    pub fn variables(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = self.body.as_str();
        while let Some(start) = rest.find("${") {
            let after = &rest[start + 2..];
            match after.find('}') {
                Some(end) => {
                    out.push(&after[..end]);
                    rest = &after[end + 1..];
                }
                None => break,
            }
        }
        out
    }
}

/// `[gates."<id>"]`: switches, severity remap and gate-specific options.
#[derive(Debug, Clone, Default)]
pub struct GateSettings {
    /// `enabled = false` turns the gate off (a conscious, reviewable choice).
    pub enabled: Option<bool>,
    /// Why it was disabled: the comment on the `enabled` line, if any.
    pub disabled_note: Option<String>,
    /// Line of the `enabled` key.
    pub enabled_line: Option<u32>,
    /// Severity remap.
    pub severity: Option<Severity>,
    /// Gate-specific options, type-checked against the gate's [`harden_model::OptionSpec`]s.
    pub options: BTreeMap<String, OptionValue>,
}

/// A type-checked gate option value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionValue {
    /// A boolean.
    Bool(bool),
    /// A non-negative integer.
    Integer(u64),
    /// A string.
    String(String),
    /// Strings.
    StringList(Vec<String>),
    /// A duration.
    Duration(Duration),
}

impl OptionValue {
    /// The kind of this value.
    pub fn kind(&self) -> OptionKind {
        match self {
            OptionValue::Bool(_) => OptionKind::Bool,
            OptionValue::Integer(_) => OptionKind::Integer,
            OptionValue::String(_) => OptionKind::String,
            OptionValue::StringList(_) => OptionKind::StringList,
            OptionValue::Duration(_) => OptionKind::Duration,
        }
    }
}

/// `[ledger]`: where runs are recorded.
#[derive(Debug, Clone, Default)]
pub struct LedgerConfig {
    /// A path (SQLite) or a `postgres://` URL. Default `.harden/ledger.db`.
    pub url: Option<String>,
}

/// `[smoke]`: the daily smoke record.
#[derive(Debug, Clone, Default)]
pub struct Smoke {
    /// IANA time zone that decides which day a record belongs to.
    pub timezone: Option<String>,
    /// Gate patterns that make up the strict set.
    pub strict_gates: Vec<String>,
}

/// `[exit-criteria]`.
#[derive(Debug, Clone)]
pub struct ExitCriteria {
    /// Consecutive strict-pass days required.
    pub consecutive_days: u32,
}

impl Default for ExitCriteria {
    fn default() -> Self {
        Self {
            consecutive_days: 7,
        }
    }
}

/// A profile resolved to what it selects.
#[derive(Debug, Clone)]
pub struct ResolvedProfile {
    /// Its name.
    pub name: String,
    /// The built-in level it is or extends.
    pub level: ProfileLevel,
    /// Patterns added.
    pub include: Vec<String>,
    /// Patterns removed.
    pub exclude: Vec<String>,
}

impl ResolvedProfile {
    /// Whether the profile runs `gate`.
    pub fn selects(&self, gate: &GateMeta) -> bool {
        if self.exclude.iter().any(|p| gate.id.matches_pattern(p)) {
            return false;
        }
        gate.min_profile <= self.level || self.include.iter().any(|p| gate.id.matches_pattern(p))
    }
}

impl ValidConfig {
    /// The configuration used when a repository has no `harden.toml`: the production profile and
    /// nothing else declared (so R0.scope.declared fails and says what to add).
    pub fn defaults() -> Self {
        Self {
            profile: ProfileLevel::Production.as_str().to_owned(),
            waiver_max_days: DEFAULT_WAIVER_MAX_DAYS,
            ..Self::default()
        }
    }

    /// Resolves a profile name (the configured one if `name` is `None`).
    pub fn resolve_profile(&self, name: Option<&str>) -> Option<ResolvedProfile> {
        let name = name.unwrap_or(&self.profile);
        if let Some(level) = ProfileLevel::parse(name) {
            return Some(ResolvedProfile {
                name: name.to_owned(),
                level,
                include: Vec::new(),
                exclude: Vec::new(),
            });
        }
        self.profiles.get(name).map(|custom| ResolvedProfile {
            name: name.to_owned(),
            level: custom.extends,
            include: custom.include.clone(),
            exclude: custom.exclude.clone(),
        })
    }

    /// Settings of one gate (defaults if not configured).
    pub fn gate(&self, id: &GateId) -> GateSettings {
        self.gates.get(id).cloned().unwrap_or_default()
    }
}

/// Parses and validates `text` (the contents of `path`) against the gate catalogue.
///
/// Every problem is collected; any problem means `Err`, and the caller must run nothing.
pub fn load(
    path: &str,
    text: &str,
    catalogue: &[&'static GateMeta],
) -> Result<ValidConfig, Diagnostics> {
    let mut config = validate::validate(path, text, catalogue)?;
    config.source = Some(ConfigSource {
        path: path.to_owned(),
        digest: hex::encode(Sha256::digest(text.as_bytes())),
    });
    Ok(config)
}
