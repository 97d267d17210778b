//! The keys of `harden.toml`, section by section: one table read by the validator (allowed keys,
//! expected types) and by the JSON Schema generator, so the two cannot drift apart.

/// The type a key expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// A string.
    Str,
    /// An array of strings.
    StrList,
    /// A boolean.
    Bool,
    /// A non-negative integer.
    Int,
    /// A date `YYYY-MM-DD` (TOML date or string).
    Date,
    /// A duration string such as `"180d"`.
    Duration,
    /// A number (integer or decimal).
    Number,
    /// A nested table described elsewhere.
    Table,
    /// An array of tables described elsewhere.
    TableArray,
}

impl Ty {
    /// How the expected form is stated in diagnostics.
    pub fn expectation(self) -> &'static str {
        match self {
            Ty::Str => "a string",
            Ty::StrList => "an array of strings",
            Ty::Bool => "a boolean (true or false)",
            Ty::Int => "a non-negative integer",
            Ty::Date => "a date like 2026-09-30",
            Ty::Duration => "a duration string such as \"180d\", \"24h\" or \"20m\"",
            Ty::Number => "a number such as 3.5",
            Ty::Table => "a table",
            Ty::TableArray => "an array of tables ([[...]])",
        }
    }
}

/// One key: its name, type, whether it must be present, and its documentation.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// Name as written in the file.
    pub name: &'static str,
    /// Expected type.
    pub ty: Ty,
    /// Whether the key is required in its table.
    pub required: bool,
    /// Documentation, shown by editors through the JSON Schema.
    pub help: &'static str,
}

const fn key(name: &'static str, ty: Ty, help: &'static str) -> Key {
    Key {
        name,
        ty,
        required: false,
        help,
    }
}

const fn required(name: &'static str, ty: Ty, help: &'static str) -> Key {
    Key {
        name,
        ty,
        required: true,
        help,
    }
}

/// Top level.
pub const ROOT: &[Key] = &[
    required(
        "version",
        Ty::Int,
        "Config format version; this build reads version 1.",
    ),
    key(
        "service",
        Ty::Table,
        "What is being hardened and who answers for it (R0).",
    ),
    key(
        "profiles",
        Ty::Table,
        "Custom profiles: [profiles.<name>] with extends, include, exclude.",
    ),
    key(
        "contracts",
        Ty::Table,
        "Where the API and event contracts live (R0).",
    ),
    key(
        "deploy",
        Ty::Table,
        "Required deployment flags and secret variables.",
    ),
    key(
        "preflight",
        Ty::TableArray,
        "Commands run before a rollout decision.",
    ),
    key(
        "drill",
        Ty::TableArray,
        "Commands that prove a checklist item (a backup restored, a failover, a load test).",
    ),
    key(
        "waiver",
        Ty::TableArray,
        "Bounded exceptions: gate, selector, reason, owner, reference, expiry.",
    ),
    key(
        "runbooks",
        Ty::Table,
        "Launch-readiness documents (R7.runbooks).",
    ),
    key(
        "target",
        Ty::Table,
        "The running service probed by live gates.",
    ),
    key(
        "gates",
        Ty::Table,
        "Per-gate settings: [gates.\"<id>\"] with enabled, severity and gate options.",
    ),
    key("ledger", Ty::Table, "Where the evidence ledger lives."),
    key("smoke", Ty::Table, "The daily smoke record."),
    key(
        "exit-criteria",
        Ty::Table,
        "What must hold before the rollout exits.",
    ),
    key(
        "repository",
        Ty::Table,
        "What of the repository gates look at: `exclude` globs (fixtures, vendored code).",
    ),
    key(
        "decision",
        Ty::TableArray,
        "Decision register: deferred trade-offs and what brings each back.",
    ),
    key(
        "readiness",
        Ty::Table,
        "Where readiness snapshots are written.",
    ),
    key(
        "security-audit",
        Ty::Table,
        "Where `harden check --security-audit` writes the security audit document.",
    ),
    key(
        "waivers",
        Ty::Table,
        "Limits on waivers ([[waiver]] and inline).",
    ),
    key(
        "secrets",
        Ty::Table,
        "Secret detection: custom rules, allowlists, the baseline and the log files to scan.",
    ),
];

/// `[secrets]`.
pub const SECRETS: &[Key] = &[
    key(
        "disable",
        Ty::StrList,
        "Built-in rule ids to turn off (see `harden secrets rules`); turning all off is an error.",
    ),
    key(
        "allow",
        Ty::StrList,
        "Regular expressions: a secret value matching one is not reported (known test keys).",
    ),
    key(
        "allow-paths",
        Ty::StrList,
        "Globs of paths the secret gates do not scan.",
    ),
    key(
        "baseline",
        Ty::Str,
        "Baseline of accepted findings written by `harden secrets baseline` (default .harden-secrets-baseline.json).",
    ),
    key(
        "test-code",
        Ty::Str,
        "What secrets in test code (tests, fixtures, test data, snapshots) do: \"fail\" the gate like any other (default) or be \"ignore\"d.",
    ),
    key(
        "logs",
        Ty::StrList,
        "Globs of log files R3.secrets.logs scans (ignored files included), e.g. \"logs/**/*.log\".",
    ),
    key(
        "rule",
        Ty::TableArray,
        "Rules added to the built-in set: [[secrets.rule]] with id, regex, keywords, entropy.",
    ),
];

/// `[[secrets.rule]]`.
pub const SECRETS_RULE: &[Key] = &[
    required("id", Ty::Str, "Rule id, unique among all rules."),
    key("description", Ty::Str, "What it finds."),
    required(
        "regex",
        Ty::Str,
        "Regular expression; the secret is the first capture group (or the whole match).",
    ),
    key(
        "keywords",
        Ty::StrList,
        "Literals one of which must occur near a match (speeds scanning; without any the rule runs on every file).",
    ),
    key(
        "entropy",
        Ty::Number,
        "Minimum Shannon entropy of the secret in bits per character.",
    ),
];

/// `[repository]`.
pub const REPOSITORY: &[Key] = &[key(
    "exclude",
    Ty::StrList,
    "Globs of paths no gate examines, e.g. test fixtures that are broken on purpose.",
)];

/// `[[decision]]`.
pub const DECISION: &[Key] = &[
    required("decision", Ty::Str, "What was decided (or deferred)."),
    required("date", Ty::Date, "When."),
    required("owner", Ty::Str, "Who answers for it."),
    required("trigger", Ty::Str, "What brings it back before its date."),
    required(
        "revisit-by",
        Ty::Date,
        "The day it must be revisited; R7.decisions.revisit fails after it.",
    ),
];

/// `[readiness]`.
pub const READINESS: &[Key] = &[key(
    "path",
    Ty::Str,
    "Where snapshots go; `{date}` is replaced (default docs/audits/production-hardening-rollout-readiness-{date}.md).",
)];

/// `[security-audit]`.
pub const SECURITY_AUDIT: &[Key] = &[key(
    "path",
    Ty::Str,
    "Where the security audit document goes, inside the repository (default sdlc/security-audit.md).",
)];

/// `[waivers]`.
pub const WAIVERS: &[Key] = &[key(
    "max-days",
    Ty::Int,
    "How many days ahead a waiver may expire (default 365); one granted for longer covers nothing and fails its gate.",
)];

/// `[service]`.
pub const SERVICE: &[Key] = &[
    required("name", Ty::Str, "Service name."),
    key(
        "owners",
        Ty::StrList,
        "Who answers for the service (emails or team handles).",
    ),
    key(
        "scope",
        Ty::Str,
        "What the service does and what is out of scope.",
    ),
    key(
        "profile",
        Ty::Str,
        "prototype, production, or the name of a [profiles.<name>] table.",
    ),
];

/// `[profiles.<name>]`.
pub const PROFILE: &[Key] = &[
    required(
        "extends",
        Ty::Str,
        "The built-in profile it starts from: prototype or production.",
    ),
    key(
        "include",
        Ty::StrList,
        "Gate ids or patterns (R4.*) added to it.",
    ),
    key(
        "exclude",
        Ty::StrList,
        "Gate ids or patterns removed from it.",
    ),
];

/// `[contracts]`.
pub const CONTRACTS: &[Key] = &[
    key("openapi", Ty::StrList, "OpenAPI documents."),
    key("asyncapi", Ty::StrList, "AsyncAPI documents."),
    key(
        "json-schema",
        Ty::StrList,
        "JSON Schema documents of emitted events or payloads.",
    ),
];

/// `[deploy]`.
pub const DEPLOY: &[Key] = &[
    key(
        "flags",
        Ty::Table,
        "Required flags and their allowed values: NAME = [\"value\", ...].",
    ),
    key(
        "secrets",
        Ty::Table,
        "Secret variables that must be present (never their values).",
    ),
];

/// `[deploy.secrets]`.
pub const DEPLOY_SECRETS: &[Key] = &[
    key(
        "required",
        Ty::StrList,
        "Names of environment variables that must be set.",
    ),
    key(
        "env-files",
        Ty::StrList,
        "Env files read besides the process environment.",
    ),
];

/// `[[preflight]]`.
pub const PREFLIGHT: &[Key] = &[
    required("name", Ty::Str, "Unique name of the check."),
    required("run", Ty::Str, "Command line, run by sh -c."),
    key(
        "timeout",
        Ty::Duration,
        "Kill the command and its children after this long (default 10m).",
    ),
    key(
        "cwd",
        Ty::Str,
        "Working directory relative to the repository root.",
    ),
];

/// `[[drill]]`.
pub const DRILL: &[Key] = &[
    required(
        "name",
        Ty::Str,
        "Unique name of the drill (`harden drill run NAME`).",
    ),
    required(
        "proves",
        Ty::Str,
        "The checklist gate it proves (`R7.dr.drilled`), or its item as the checklist words it (`Backup/restore verified`).",
    ),
    required(
        "run",
        Ty::Str,
        "Command line, run by sh -c; exit 0 means the drill succeeded.",
    ),
    key(
        "timeout",
        Ty::Duration,
        "Kill the command and its children after this long (default 30m).",
    ),
    key(
        "cwd",
        Ty::Str,
        "Working directory relative to the repository root.",
    ),
    key(
        "expect-output",
        Ty::Str,
        "Text the output must contain as well, for commands whose exit code says too little.",
    ),
    key("owner", Ty::Str, "Who runs it and answers for it."),
    key(
        "every",
        Ty::Duration,
        "How often it must be run (`90d`); a result older than this no longer counts.",
    ),
];

/// `[[waiver]]`.
pub const WAIVER: &[Key] = &[
    required("gate", Ty::Str, "The gate id whose findings are waived."),
    key(
        "fingerprint",
        Ty::Str,
        "Only the finding with this fingerprint.",
    ),
    key(
        "path",
        Ty::Str,
        "Only findings in paths matching this glob.",
    ),
    key(
        "advisory",
        Ty::Str,
        "Only findings that report this advisory (R4.vulns): any of its ids, e.g. a CVE or GHSA id.",
    ),
    required("reason", Ty::Str, "Why the exception is acceptable."),
    required("owner", Ty::Str, "Who answers for it."),
    required(
        "reference",
        Ty::Str,
        "Ticket, incident or decision it refers to.",
    ),
    required("expires", Ty::Date, "Last day it is in force."),
];

/// `[runbooks]`.
pub const RUNBOOKS: &[Key] = &[
    key(
        "disaster-recovery",
        Ty::Str,
        "Path of the disaster-recovery procedure.",
    ),
    key(
        "migration-recovery",
        Ty::Str,
        "Path of the migration-recovery procedure.",
    ),
    key("on-call", Ty::Str, "Path of the on-call playbook."),
    key(
        "max-age",
        Ty::Duration,
        "Fail documents whose last commit is older than this (default 180d).",
    ),
];

/// `[target]`.
pub const TARGET: &[Key] = &[
    required(
        "base-url",
        Ty::Str,
        "Base URL of the running service (http or https).",
    ),
    key(
        "request-budget",
        Ty::Int,
        "Most requests a live run may send (default 500).",
    ),
    key(
        "rate-per-second",
        Ty::Int,
        "Most requests per second (default 10).",
    ),
    key(
        "identity",
        Ty::TableArray,
        "Callers the contract-driven gates act as: [[target.identity]] (the first is A, the second B). Secrets come from environment variables only.",
    ),
    key(
        "public",
        Ty::StrList,
        "Operations anyone may call, as \"GET /health\" or a path pattern (\"/docs*\", every method); contracts rarely say.",
    ),
    key(
        "destructive",
        Ty::StrList,
        "Operations never to call besides every DELETE, as \"POST /admin/reset*\" or a path pattern.",
    ),
    key(
        "path-values",
        Ty::Table,
        "Values for path parameters: { id = \"42\" } (used wherever a parameter of that name appears).",
    ),
    key(
        "bodies",
        Ty::Table,
        "Bodies for creating objects where the schema alone does not make a valid one: { \"POST /api/v1/payments\" = '{\"out\": false, \"amount\": 10, \"memo\": \"${marker}\"}' } (${marker} is a unique text the gates look for).",
    ),
    key(
        "objects",
        Ty::StrList,
        "Paths of objects identity A owns (\"/notes/17\"), besides those the gates create.",
    ),
    key(
        "paths",
        Ty::StrList,
        "More paths the live gates look at besides / (e.g. [\"/login\", \"/api/status\"]).",
    ),
    key(
        "gate-time",
        Ty::Duration,
        "Time one live gate may take before its further requests are refused (default \"60s\").",
    ),
    key(
        "ca-file",
        Ty::Str,
        "PEM file of a private certificate authority the target's certificate chains to (a staging CA), relative to the repository.",
    ),
    key(
        "headers",
        Ty::Table,
        "Headers sent with every request: { Name = \"value\" }, or \"env:VAR\" to read the value from the environment at run time.",
    ),
];

/// `[[target.identity]]`: a name and exactly one way to get the credential.
pub const IDENTITY: &[Key] = &[
    required("name", Ty::Str, "The identity's name, for evidence."),
    key(
        "bearer-env",
        Ty::Str,
        "Environment variable holding a bearer token (sent as Authorization: Bearer ...).",
    ),
    key(
        "header",
        Ty::Str,
        "Header the credential of value-env is sent in (X-Api-Key, Authorization).",
    ),
    key(
        "value-env",
        Ty::Str,
        "Environment variable holding the value of `header`.",
    ),
    key(
        "header-env",
        Ty::Str,
        "Environment variable holding one whole header line (\"Authorization: Basic ...\").",
    ),
    key(
        "user",
        Ty::Str,
        "User name for basic authentication (with password-env).",
    ),
    key(
        "password-env",
        Ty::Str,
        "Environment variable holding the basic-authentication password.",
    ),
    key(
        "login",
        Ty::Table,
        "A login request whose response yields the credential: [target.identity.login].",
    ),
    key(
        "jwt-key-env",
        Ty::Str,
        "Environment variable holding the HMAC key the service signs its JWTs with (a test environment's), so an expired token can be signed properly.",
    ),
];

/// `[target.identity.login]`.
pub const LOGIN: &[Key] = &[
    key(
        "method",
        Ty::Str,
        "Method of the login request (default POST).",
    ),
    required("path", Ty::Str, "Path of the login request on the target."),
    required(
        "body",
        Ty::Str,
        "Body of the login request; ${VAR} stands for the value of environment variable VAR (the password never goes in harden.toml).",
    ),
    key(
        "content-type",
        Ty::Str,
        "Content type of the body (default application/json).",
    ),
    key(
        "token",
        Ty::Str,
        "JSON pointer to the token in the response (\"/access_token\"); without it the response's cookies are the credential.",
    ),
    key(
        "header",
        Ty::Str,
        "Header the token is sent in (default Authorization).",
    ),
    key(
        "scheme",
        Ty::Str,
        "Word before the token in the header (default Bearer for Authorization, none otherwise).",
    ),
];

/// Keys every `[gates."<id>"]` table accepts, besides the gate's own options.
pub const GATE_COMMON: &[Key] = &[
    key(
        "enabled",
        Ty::Bool,
        "false turns the gate off; say why in a comment on the same line.",
    ),
    key(
        "severity",
        Ty::Str,
        "Remap the gate's severity: info, low, medium, high or critical.",
    ),
];

/// `[ledger]`.
pub const LEDGER: &[Key] = &[key(
    "url",
    Ty::Str,
    "A SQLite file inside the repository (default .harden/ledger.db). A ledger outside the repository or on a PostgreSQL server is named with --ledger or HARDEN_LEDGER, never here: the repository does not decide where harden writes or connects.",
)];

/// `[smoke]`.
pub const SMOKE: &[Key] = &[
    key(
        "timezone",
        Ty::Str,
        "IANA time zone deciding which day a smoke record belongs to.",
    ),
    key(
        "strict-gates",
        Ty::StrList,
        "Gate ids or patterns that form the strict set.",
    ),
];

/// `[exit-criteria]`.
pub const EXIT_CRITERIA: &[Key] = &[key(
    "consecutive-days",
    Ty::Int,
    "Consecutive strict-pass days required (default 7).",
)];
