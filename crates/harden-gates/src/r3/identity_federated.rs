use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_formats::pipeline::{Job, Kind, Permissions, Pipeline, Step};
use harden_formats::terraform::{
    Span, Terraform, argument, literal_bool, literal_str, object_value,
};
use harden_model::{GateId, GateMeta, Items, ProfileLevel, Round, Severity, Target};

use crate::classify::Language;
use crate::r4::pipelines::{Source, load};

/// `R3.identity.federated`: workloads prove who they are instead of holding a shared secret.
pub(crate) struct IdentityFederated;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R3.identity.federated"),
    round: Round::R3,
    title: "Workloads use federated identity, not long-lived shared keys",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "Every shared secret is a hostage: a cloud access key copied into CI settings or \
minted by Terraform works from anywhere, for anyone who reads it, until someone remembers to \
rotate it. Workload identity replaces it: the CI provider's OIDC token is exchanged for \
short-lived cloud credentials bound to the repository, branch or environment. This gate reads \
GitHub workflows and composite actions: AWS logins with `aws-access-key-id` instead of \
`role-to-assume` alone, Azure logins with `creds` (a service principal's secret) instead of \
`client-id`/`tenant-id`/`subscription-id`, Google logins with `credentials_json` instead of \
`workload_identity_provider`, and OIDC logins in a job whose token lacks `id-token: write` (the \
exchange then fails, and the tempting fix is a key); in GitHub and GitLab pipelines alike, keys \
handed to jobs through the environment (`AWS_SECRET_ACCESS_KEY`, `AZURE_CLIENT_SECRET`, \
`ARM_CLIENT_SECRET`, `GOOGLE_CREDENTIALS`) and script logins with keys (`aws configure set \
aws_secret_access_key`, `gcloud auth activate-service-account --key-file`, `az login \
--service-principal` without `--federated-token`). It reads Terraform: IAM users' access keys \
(`aws_iam_access_key`), service account keys (`google_service_account_key`) and storage \
accounts that keep shared-key access on (`azurerm_storage_account` without \
`shared_access_key_enabled = false`, an AzAPI `Microsoft.Storage/storageAccounts` without \
`allowSharedKeyAccess = false`; a variable there is the caller's decision), databases and services \
that accept passwords or keys where Entra ID or IAM alone would do (`azurerm_mssql_server` without \
`azuread_authentication_only = true`, `azurerm_postgresql_flexible_server` without \
`password_auth_enabled = false`, Cosmos DB, Redis, Service Bus, Event Hubs, AI Search, Cognitive \
Services and Web PubSub with local authentication on, a container registry's admin user, Cloud \
SQL built-in users with passwords), and web and function apps whose settings or connection \
strings carry a key (`AccountKey=`, `SharedAccessKey=`, `Password=`, a `primary_access_key` or \
`primary_connection_string` reference). It reads Kubernetes workloads and ConfigMaps whose \
environment carries such a connection string, and Bicep templates for the same Azure settings \
(`allowSharedKeyAccess`, `disableLocalAuth`, `azureADOnlyAuthentication`, \
`authConfig.passwordAuth`, `adminUserEnabled`, app settings with keys or `listKeys(`). And it reads production code that builds credentials from \
a key where the SDK's default chain would find the workload's identity: AWS static credentials \
(boto3's `aws_access_key_id=`, Go's `NewStaticCredentialsProvider`, Java's `AwsBasicCredentials`, \
Rust's `Credentials::from_keys`, `new AWS.Credentials`), Azure's `StorageSharedKeyCredential` \
and `AzureNamedKeyCredential`, and connection strings holding an `AccountKey=`. A key the code \
is handed (an argument of the function, an object's stored settings such as a data source a user \
configured) is that user's, for the user's own resource, and a call that also passes \
`aws_session_token=` holds temporary credentials: neither is reported. Fix: trust the CI provider's OIDC issuer in the cloud \
account (an IAM role, a federated credential, a workload identity pool) and log in with it; give \
services roles and managed identities instead of keys.",
    evidence: &[
        "cloud logins",
        "federated logins",
        "terraform files",
        "bicep files",
        "source files",
    ],
    options: &[],
    items: Some(ITEMS),
};

/// What this gate reads.
const ITEMS: Items = Items {
    name: "CI pipelines, Terraform, Bicep, Kubernetes manifests or Python, JavaScript/TypeScript, Go, Java/Kotlin or Rust source",
    globs: &[
        ".github/workflows/*.yml",
        ".github/workflows/*.yaml",
        "**/action.yml",
        "**/action.yaml",
        ".gitlab-ci.yml",
        ".gitlab-ci.yaml",
        "**/*.tf",
        "**/*.bicep",
        "**/*.yaml",
        "**/*.py",
        "**/*.js",
        "**/*.ts",
        "**/*.go",
        "**/*.java",
        "**/*.kt",
        "**/*.rs",
    ],
};

/// A cloud login step: which cloud, the inputs that carry a long-lived secret, and the inputs
/// of its federated (OIDC) form.
struct Login {
    action: &'static str,
    cloud: &'static str,
    secrets: &'static [&'static str],
    federated: &'static [&'static str],
    instead: &'static str,
}

const LOGINS: [Login; 3] = [
    Login {
        action: "aws-actions/configure-aws-credentials",
        cloud: "AWS",
        secrets: &["aws-access-key-id", "aws-secret-access-key"],
        federated: &["role-to-assume"],
        instead: "`role-to-assume` with the repository trusted by the role's OIDC provider",
    },
    Login {
        action: "azure/login",
        cloud: "Azure",
        secrets: &["creds"],
        federated: &["client-id"],
        instead: "`client-id`, `tenant-id` and `subscription-id` with a federated credential on the app registration",
    },
    Login {
        action: "google-github-actions/auth",
        cloud: "Google Cloud",
        secrets: &["credentials_json"],
        federated: &["workload_identity_provider"],
        instead: "`workload_identity_provider` (and `service_account`) with a workload identity pool",
    },
];

fn login_of(step: &Step) -> Option<&'static Login> {
    let uses = step.uses.as_ref()?.value.as_str();
    let action = uses.split('@').next().unwrap_or(uses);
    LOGINS
        .iter()
        .find(|login| action.eq_ignore_ascii_case(login.action))
}

fn input<'s>(step: &'s Step, keys: &[&str]) -> Option<&'s harden_formats::pipeline::Text> {
    step.with
        .iter()
        .find(|(key, value)| keys.contains(&key.as_str()) && !value.value.trim().is_empty())
        .map(|(_, value)| value)
}

/// Whether the job's token may ask for an OIDC token: `id-token: write` in the job's
/// permissions, or in the workflow's when the job sets none (the default token never has it).
fn may_request_id_token(pipeline: &Pipeline, job: &Job) -> bool {
    match job.permissions.as_ref().or(pipeline.permissions.as_ref()) {
        Some(Permissions::WriteAll(_)) => true,
        Some(Permissions::Scopes(scopes)) => scopes
            .iter()
            .any(|(scope, level, _)| scope == "id-token" && level == "write"),
        Some(Permissions::ReadAll(_) | Permissions::None(_)) | None => false,
    }
}

fn check_logins(cx: &GateCx<'_>, out: &mut GateOutput, source: &Source) -> (u64, u64) {
    let pipeline = &source.pipeline;
    let (mut keyed, mut federated) = (0, 0);
    for job in &pipeline.jobs {
        for step in &job.steps {
            let Some(login) = login_of(step) else {
                continue;
            };
            if let Some(secret) = input(step, login.secrets) {
                keyed += 1;
                out.finding(
                    cx.finding(
                        format!(
                            "{} logs in to {} with a long-lived secret (`{}`) instead of the CI provider's OIDC token",
                            login.action,
                            login.cloud,
                            secret.logical.rsplit('.').next().unwrap_or_default()
                        ),
                        source.at(secret),
                    )
                    .identity(format!(
                        "ci-key:{}:{}:{}",
                        source.path, job.id, step.index
                    ))
                    .help(format!("log in with {}, and delete the stored key", login.instead))
                    .build(),
                );
                continue;
            }
            let Some(federation) = input(step, login.federated) else {
                continue;
            };
            federated += 1;
            // A composite action runs with its caller's token, and so does a reusable workflow
            // that sets no permissions: the caller's job decides.
            let reusable = !pipeline.triggers.is_empty()
                && pipeline.triggers.iter().all(|(t, _)| t == "workflow_call");
            if pipeline.kind == Kind::GithubWorkflow
                && !(reusable && job.permissions.is_none() && pipeline.permissions.is_none())
                && !may_request_id_token(pipeline, job)
            {
                out.finding(
                    cx.finding(
                        format!(
                            "{} logs in to {} with OIDC, but job `{}` may not ask for an OIDC token (no `id-token: write`)",
                            login.action, login.cloud, job.id
                        ),
                        source.at(federation),
                    )
                    .identity(format!(
                        "id-token:{}:{}:{}",
                        source.path, job.id, step.index
                    ))
                    .help("add `permissions: {id-token: write, contents: read}` to the job")
                    .build(),
                );
            }
        }
    }
    (keyed, federated)
}

/// Environment variables through which a cloud's own CLI, SDK or Terraform provider takes a
/// long-lived secret, and the cloud.
const KEY_VARIABLES: [(&str, &str); 4] = [
    ("AWS_SECRET_ACCESS_KEY", "AWS"),
    ("AZURE_CLIENT_SECRET", "Azure"),
    ("ARM_CLIENT_SECRET", "Azure"),
    ("GOOGLE_CREDENTIALS", "Google Cloud"),
];

/// A script line that logs in with a long-lived key: the command as written, and the cloud.
fn scripted_login(line: &str) -> Option<(&'static str, &'static str)> {
    if line.contains("aws configure set aws_secret_access_key") {
        return Some(("aws configure set aws_secret_access_key", "AWS"));
    }
    if line.contains("gcloud auth activate-service-account") && line.contains("--key-file") {
        return Some(("gcloud auth activate-service-account", "Google Cloud"));
    }
    // `az login --service-principal` takes a secret or a certificate unless given the CI
    // provider's token with `--federated-token`.
    if line.contains("az login")
        && line.contains("--service-principal")
        && !line.contains("--federated-token")
    {
        return Some(("az login", "Azure"));
    }
    None
}

/// Keys handed to jobs through their environment, and logins with keys in scripts: every
/// pipeline kind, GitLab included (its jobs log in from scripts and variables).
fn check_environments(cx: &GateCx<'_>, out: &mut GateOutput, source: &Source) -> u64 {
    let pipeline = &source.pipeline;
    let mut keyed = 0;
    let report = |out: &mut GateOutput, name: &str, value: &harden_formats::pipeline::Text| {
        let Some((_, cloud)) = KEY_VARIABLES.iter().find(|(key, _)| *key == name) else {
            return 0;
        };
        // A stored secret or variable (`${{ secrets.X }}`, `$X`); a literal is a local
        // emulator's dummy key (LocalStack's `test`, MinIO's `minioadmin`), no secret at all.
        let stored = value.value.contains("${{") || value.value.trim_start().starts_with('$');
        if !stored {
            return 0;
        }
        out.finding(
            cx.finding(
                format!("`{name}` hands {cloud} a long-lived secret through the environment instead of the CI provider's OIDC token"),
                source.at(value),
            )
            .identity(format!("ci-variable:{}:{}", source.path, value.logical))
            .help("federate the pipeline with the cloud (GitHub's OIDC token, GitLab's `id_tokens`) and delete the stored key")
            .build(),
        );
        1
    };
    for (name, value) in &pipeline.variables {
        keyed += report(out, name, value);
    }
    for job in &pipeline.jobs {
        for (name, value) in &job.variables {
            keyed += report(out, name, value);
        }
        for step in &job.steps {
            for (name, value) in &step.env {
                keyed += report(out, name, value);
            }
            let Some(script) = &step.run else { continue };
            for (index, line) in script.text.value.lines().enumerate() {
                let Some((command, cloud)) = scripted_login(line) else {
                    continue;
                };
                keyed += 1;
                out.finding(
                    cx.finding(
                        format!("`{command}` logs in to {cloud} with a long-lived key"),
                        source.in_script(script, index, command),
                    )
                    .identity(format!(
                        "ci-script:{}:{}:{}:{index}",
                        source.path, job.id, step.index
                    ))
                    .help("log in with the CI provider's OIDC token (`aws sts assume-role-with-web-identity`, `az login --federated-token`, `gcloud` with a workload identity credential file)")
                    .build(),
                );
            }
        }
    }
    keyed
}

/// Code that builds cloud credentials from a long-lived key, where the SDK's default credential
/// chain (a role, a managed identity, a federated token) would serve: the constructor as code
/// writes it, the cloud, and the language it is written in.
const STATIC_CREDENTIALS: [(&str, &str, Language); 8] = [
    ("aws_access_key_id=", "AWS", Language::Python),
    ("NewStaticCredentialsProvider(", "AWS", Language::Go),
    ("credentials.NewStaticCredentials(", "AWS", Language::Go),
    ("AwsBasicCredentials.create(", "AWS", Language::Jvm),
    ("new BasicAWSCredentials(", "AWS", Language::Jvm),
    ("Credentials::from_keys(", "AWS", Language::Rust),
    ("new AWS.Credentials(", "AWS", Language::JavaScript),
    (
        "StorageSharedKeyCredential(",
        "Azure Storage",
        Language::JavaScript,
    ),
];

/// Words that start a static credential in any language: the constructors above, Azure's
/// shared-key credential in Java and Python, and connection strings that carry an account key.
static CODE_MARKERS: std::sync::LazyLock<crate::support::Markers> =
    std::sync::LazyLock::new(|| {
        let mut words: Vec<&str> = STATIC_CREDENTIALS.iter().map(|(w, _, _)| *w).collect();
        words.extend(["AzureNamedKeyCredential(", "AccountKey="]);
        crate::support::Markers::exact(&words)
    });

/// The static credential a line of `language` builds: the words as written and the cloud.
fn static_credential(line: &str, language: Language) -> Option<(&'static str, &'static str)> {
    // A parameter (`def client(aws_access_key_id=None):`) or an explicit none is no key.
    if language == Language::Python
        && (line.trim_start().starts_with("def ")
            || line.contains("aws_access_key_id=None")
            || line.contains("aws_access_key_id = None"))
    {
        return None;
    }
    if let Some((words, cloud, _)) = STATIC_CREDENTIALS.iter().find(|(words, _, written_in)| {
        (*written_in == language
            || (*words == "StorageSharedKeyCredential(" && language == Language::Jvm))
            && line.contains(words)
    }) {
        return Some((words, cloud));
    }
    if line.contains("AzureNamedKeyCredential(") {
        return Some(("AzureNamedKeyCredential(", "Azure"));
    }
    // `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=...`: a key in the string, not
    // code that takes a connection string apart (`"AccountKey="` followed by its quote).
    // A key follows: written out, interpolated (`{key}`, `${key}`, `%s`) or concatenated after
    // the closing quote (`"AccountKey=" + key`); a pattern (`AccountKey=([A-Z...`) is none.
    let at = line.find("AccountKey=")?;
    let rest = &line[at + "AccountKey=".len()..];
    let next = rest.chars().next()?;
    let keyed = next.is_ascii_alphanumeric()
        || matches!(next, '{' | '$' | '%' | '<')
        || (matches!(next, '"' | '\'' | '`') && rest[1..].trim_start().starts_with('+'));
    keyed.then_some(("AccountKey=", "Azure Storage"))
}

/// Whether the boto3 call whose `aws_access_key_id=` sits at byte `at` of `text` takes the
/// service's own long-lived key. Not when the call also passes `aws_session_token=` (temporary
/// credentials, as `assume_role` returns them), nor when the key is data the call was handed:
/// an argument of the enclosing function or an object's stored settings (`parts.username` of a
/// webhook's target URL, `self.configuration.get("aws_access_key")` of a data source a user set
/// up). Such a key is a user's, for the user's own resource: no identity of the service's could
/// stand in for it. A key from the process's configuration (the environment, a settings module,
/// a literal, a module constant) is the service's.
fn python_service_key(text: &str, at: usize) -> bool {
    let Some(call) = crate::support::enclosing_brackets(text, at) else {
        return true;
    };
    let arguments = crate::support::top_level_items(&text[call.clone()]);
    let value = |name: &str| {
        arguments.iter().find_map(|argument| {
            let (key, value) = argument.split_once('=')?;
            (key.trim() == name).then(|| value.trim())
        })
    };
    if value("aws_session_token").is_some_and(|token| token != "None") {
        return false;
    }
    let Some(key) = value("aws_access_key_id") else {
        return true;
    };
    let line_start = text[..call.start].rfind('\n').map_or(0, |i| i + 1);
    let before: Vec<&str> = text[..line_start].lines().collect();
    let indent = indentation(&text[line_start..]);
    !python_call_data(key, &before, indent, 0)
}

/// [`python_service_key`] for Go: whether the constructor call whose arguments start at byte
/// `inside` of `text` takes the service's own key. Not when its first argument is data the
/// function was handed (a parameter or the receiver: memos's `s3Config.AccessKeyId` of a
/// storage a user configured), directly or through a local set from one (`id :=
/// cfg.AccessKey`); a key read from the environment or a package-level value is the service's.
fn go_service_key(text: &str, inside: usize) -> bool {
    let Some(call) = crate::support::enclosing_brackets(text, inside) else {
        return true;
    };
    let arguments = crate::support::top_level_items(&text[call.clone()]);
    let Some(first) = arguments.first() else {
        return true;
    };
    let before = &text[..call.start];
    // The enclosing function: the nearest `func` that starts a line.
    let Some(func) = before
        .rmatch_indices("func ")
        .map(|(at, _)| at)
        .find(|&at| at == 0 || text.as_bytes()[at - 1] == b'\n')
    else {
        return true;
    };
    let body = &before[func..];
    let mut handed: Vec<&str> = Vec::new();
    // `func (d *Driver) Name(a A, b, c B) ...`: the receiver's list, then the parameters'.
    let mut at = "func ".len();
    for _ in 0..2 {
        let rest = &body[at..];
        let Some(open) = rest.find('(') else { break };
        let Some(list) = crate::support::enclosing_brackets(body, at + open + 1) else {
            break;
        };
        handed.extend(
            crate::support::top_level_items(&body[list.clone()])
                .into_iter()
                .filter_map(|item| item.split_whitespace().next()),
        );
        // A receiver is followed by the function's name and its parameters; a plain function's
        // parameters end the signature.
        if !rest[..open].trim().is_empty() {
            break;
        }
        at = list.end + 1;
    }
    let root = |value: &str| -> String {
        value
            .trim()
            .trim_start_matches(['&', '*'])
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let mut value = first.trim().to_owned();
    for _ in 0..2 {
        if ["Getenv", "LookupEnv", "viper."]
            .iter()
            .any(|w| value.contains(w))
        {
            return true;
        }
        let name = root(&value);
        if name.is_empty() {
            return true;
        }
        if handed.contains(&name.as_str()) {
            return false;
        }
        // A local set earlier in the function: `id := cfg.AccessKey`.
        let assigned = body.lines().rev().find_map(|line| {
            let rest = line.trim_start().strip_prefix(name.as_str())?.trim_start();
            rest.strip_prefix(":=")
                .or_else(|| rest.strip_prefix('=').filter(|r| !r.starts_with('=')))
                .map(str::trim)
        });
        match assigned {
            Some(expression) => expression.clone_into(&mut value),
            None => return true,
        }
    }
    true
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Whether the Python expression `value`, written in a statement indented by `indent` after
/// the lines `before`, is data the code was handed: an attribute of `self`/`cls`, an argument of
/// the enclosing function, or a local set from one of those (followed twice at most).
fn python_call_data(value: &str, before: &[&str], indent: usize, followed: u8) -> bool {
    let lower = value.to_ascii_lowercase();
    // The process's configuration: `os.environ[...]`, `os.getenv(...)`, `settings.X`,
    // `config("X")` (python-decouple), `env("X")` (django-environ).
    if ["environ", "getenv", "settings", "config(", "env("]
        .iter()
        .any(|word| lower.contains(word))
    {
        return false;
    }
    let root: &str = value
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or_default();
    if root.is_empty() || root.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    if matches!(root, "self" | "cls") {
        return true;
    }
    // The enclosing function: the nearest `def` indented less than the statement.
    let def = before.iter().rposition(|line| {
        let trimmed = line.trim_start();
        (trimmed.starts_with("def ") || trimmed.starts_with("async def "))
            && indentation(line) < indent
    });
    let Some(def) = def else {
        return false;
    };
    let signature: String = before[def..]
        .iter()
        .take(20)
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(open) = signature.find('(')
        && let Some(close) = crate::support::enclosing_brackets(&signature, open + 1)
    {
        let parameter = |p: &&str| {
            p.trim()
                .trim_start_matches('*')
                .split([':', '='])
                .next()
                .unwrap_or_default()
                .trim()
                == root
        };
        if crate::support::top_level_items(&signature[close])
            .iter()
            .any(parameter)
        {
            return true;
        }
    }
    // A local of the function set before the statement: `key = self.params.get("key")`.
    if followed < 2 {
        for line in before[def + 1..].iter().rev() {
            let trimmed = line.trim_start();
            let Some(rest) = trimmed.strip_prefix(root) else {
                continue;
            };
            let rest = rest.trim_start();
            let rest = rest
                .strip_prefix(':')
                .and_then(|r| r.split_once('=').map(|(_, v)| v))
                .or_else(|| rest.strip_prefix('=').filter(|r| !r.starts_with('=')));
            if let Some(assigned) = rest {
                return python_call_data(assigned.trim(), &before[..=def], indent, followed + 1);
            }
        }
    }
    false
}

fn check_code(cx: &GateCx<'_>, out: &mut GateOutput) -> Result<u64, GateError> {
    let classified = crate::classify::classified(cx)?;
    let mut examined = 0;
    for class in classified.iter().filter(|c| c.production_source()) {
        let Some(language) = class.language() else {
            continue;
        };
        let Some(bytes) = crate::support::read_source_into(cx, out, &class.path)? else {
            continue;
        };
        examined += 1;
        if !CODE_MARKERS.is_match(&bytes[..]) {
            continue;
        }
        let text = harden_engine::lossy_text(&bytes);
        let production_lines = crate::support::production_lines(&text, language == Language::Rust);
        for (index, line) in crate::support::marked_line_texts(&text, &CODE_MARKERS) {
            if index >= production_lines {
                break;
            }
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") || trimmed.starts_with('#') || trimmed.starts_with('*') {
                continue;
            }
            let Some((words, cloud)) = static_credential(line, language) else {
                continue;
            };
            let column = line.find(words).unwrap_or(0);
            if words != "AccountKey=" && crate::support::in_string(line, column, &['"']) {
                continue;
            }
            // `line` is a slice of `text`: where it starts in it.
            let line_at = line.as_ptr() as usize - text.as_ptr() as usize;
            if words == "aws_access_key_id=" && !python_service_key(&text, line_at + column) {
                continue;
            }
            if matches!(
                words,
                "NewStaticCredentialsProvider(" | "credentials.NewStaticCredentials("
            ) && !go_service_key(&text, line_at + column + words.len())
            {
                continue;
            }
            out.finding(
                cx.finding(
                    format!("`{}` builds {cloud} credentials from a long-lived key", words.trim_end_matches(['(', '='])),
                    crate::support::span_location(
                        &class.path,
                        crate::support::point(
                            u32::try_from(index + 1).unwrap_or(u32::MAX),
                            u32::try_from(column + 1).unwrap_or(1),
                        ),
                    ),
                )
                .identity(format!("code:{}:{}:{}", class.path, index + 1, words))
                .help("let the SDK's default credential chain find the workload's identity (an IAM role, a managed identity, workload identity federation) and delete the key")
                .build(),
            );
        }
    }
    Ok(examined)
}

/// Terraform resources that are long-lived shared secrets, by type, and what to use instead.
const KEY_RESOURCES: [(&str, &str); 2] = [
    (
        "aws_iam_access_key",
        "an IAM user's access key: give the workload an IAM role (instance profile, IRSA, OIDC federation) instead",
    ),
    (
        "google_service_account_key",
        "a service account key: attach the service account to the workload or federate with workload identity instead",
    ),
];

/// Azure services that can turn their own keys and passwords off in favour of Entra ID: the
/// resource type, the argument, the value that turns local authentication off, whether unset
/// leaves it on, and what the keys are.
const LOCAL_AUTH: [(&str, &str, bool, &str); 7] = [
    (
        "azurerm_cosmosdb_account",
        "local_authentication_disabled",
        true,
        "account keys",
    ),
    (
        "azurerm_redis_cache",
        "access_keys_authentication_enabled",
        false,
        "access keys",
    ),
    (
        "azurerm_servicebus_namespace",
        "local_auth_enabled",
        false,
        "shared access keys",
    ),
    (
        "azurerm_eventhub_namespace",
        "local_auth_enabled",
        false,
        "shared access keys",
    ),
    (
        "azurerm_search_service",
        "local_authentication_enabled",
        false,
        "API keys",
    ),
    (
        "azurerm_cognitive_account",
        "local_auth_enabled",
        false,
        "API keys",
    ),
    (
        "azurerm_web_pubsub",
        "local_auth_enabled",
        false,
        "access keys",
    ),
];

/// Web and function apps whose settings hand the application its connection strings.
const APP_SETTINGS: [&str; 7] = [
    "azurerm_linux_web_app",
    "azurerm_windows_web_app",
    "azurerm_linux_function_app",
    "azurerm_windows_function_app",
    "azurerm_app_service",
    "azurerm_function_app",
    "azurerm_container_app",
];

/// Words of a connection string or reference that carry a key or password.
const KEYED_VALUES: [&str; 9] = [
    "accountkey=",
    "sharedaccesskey=",
    "password=",
    "pwd=",
    "primary_access_key",
    "secondary_access_key",
    "primary_connection_string",
    "secondary_connection_string",
    "primary_key",
];

/// The keyed word in a value, if any (compared without case).
/// Each word must start a word of its own: `OLDPWD=` in a shell script is no `Pwd=`.
fn keyed_value(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    KEYED_VALUES.iter().copied().find(|w| {
        lower.match_indices(w).any(|(at, _)| {
            lower[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_ascii_alphanumeric())
        })
    })
}

/// A Terraform finding: where, what and the fix.
struct TfFinding {
    at: Option<std::ops::Range<usize>>,
    message: String,
    help: &'static str,
}

/// The long-lived keys and passwords one Terraform file provisions or hands out.
fn terraform_findings(tf: &Terraform) -> Vec<TfFinding> {
    let mut found = Vec::new();
    for resource in tf.resources() {
        let (kind, name) = (resource.kind, resource.name);
        let body = &resource.block.body;
        let mut push = |at: Option<std::ops::Range<usize>>, message: String, help: &'static str| {
            found.push(TfFinding {
                at: at.or_else(|| resource.block.span()),
                message: format!("{kind}.{name} {message}"),
                help,
            });
        };
        if let Some((_, why)) = KEY_RESOURCES.iter().find(|(k, _)| *k == kind) {
            push(
                None,
                format!("creates a long-lived key: {why}"),
                "remove the key resource; grant the workload an identity the cloud issues short-lived credentials to",
            );
        } else if kind == "azapi_resource"
            && argument(body, "type")
                .and_then(literal_str)
                .is_some_and(|t| t.starts_with("Microsoft.Storage/storageAccounts@"))
        {
            // The ARM property, as AzAPI writes it inside `body = { properties = { ... } }`:
            // unset means shared keys are allowed; a variable or expression is the caller's
            // decision, not judged here.
            let setting = argument(body, "body")
                .and_then(|b| object_value(b, "properties"))
                .and_then(|p| object_value(p, "allowSharedKeyAccess"));
            if setting.is_none_or(|v| literal_bool(v) == Some(true)) {
                push(
                    None,
                    "(a storage account) keeps shared-key access on: anyone holding one of the account's two keys can read and write every container".to_owned(),
                    "set `allowSharedKeyAccess = false` in the body's properties and grant access with Entra ID roles (managed identities)",
                );
            }
        } else if kind == "azurerm_storage_account"
            // Unset means on; a variable is the caller's decision.
            && argument(body, "shared_access_key_enabled")
                .is_none_or(|v| literal_bool(v) == Some(true))
        {
            push(
                None,
                "keeps shared-key access on: anyone holding one of the account's two keys can read and write every container".to_owned(),
                "set `shared_access_key_enabled = false` and grant access with Entra ID roles (managed identities)",
            );
        } else if kind == "azurerm_mssql_server" {
            // Entra ID only, or the caller's decision (a variable).
            let entra_only = body.get_blocks("azuread_administrator").any(|admin| {
                argument(&admin.body, "azuread_authentication_only")
                    .is_some_and(|v| literal_bool(v) != Some(false))
            });
            if !entra_only {
                push(
                    None,
                    "accepts SQL logins with passwords: no `azuread_administrator` with `azuread_authentication_only = true`".to_owned(),
                    "make Entra ID the only way in (`azuread_authentication_only = true`) and connect with managed identities",
                );
            }
        } else if kind == "azurerm_postgresql_flexible_server" {
            let password = body
                .get_blocks("authentication")
                .next()
                .map_or(Some(true), |auth| {
                    argument(&auth.body, "password_auth_enabled").map_or(Some(true), literal_bool)
                });
            if password == Some(true) {
                push(
                    None,
                    "accepts password logins: no `authentication { password_auth_enabled = false }`".to_owned(),
                    "enable Entra ID authentication, turn password authentication off and connect with managed identities",
                );
            }
        } else if kind == "azurerm_container_registry"
            && argument(body, "admin_enabled").and_then(literal_bool) == Some(true)
        {
            push(
                body.get_attribute("admin_enabled").and_then(Span::span),
                "enables the admin user: one shared username and password for the whole registry"
                    .to_owned(),
                "turn the admin user off and pull with the workload's managed identity (AcrPull)",
            );
        } else if kind == "google_sql_user"
            && argument(body, "password").is_some()
            && argument(body, "type")
                .and_then(literal_str)
                .is_none_or(|t| t == "BUILT_IN")
        {
            push(
                body.get_attribute("password").and_then(Span::span),
                "is a built-in database user with a password".to_owned(),
                "use IAM database authentication (`type = \"CLOUD_IAM_SERVICE_ACCOUNT\"`) and connect through the Cloud SQL connector",
            );
        } else if let Some((_, key, off, keys)) = LOCAL_AUTH.iter().find(|(k, ..)| *k == kind) {
            let setting = argument(body, key);
            let on = setting.map_or(Some(true), |v| literal_bool(v).map(|b| b != *off));
            if on == Some(true) {
                push(
                    body.get_attribute(key).and_then(Span::span),
                    format!(
                        "keeps {keys} on: whoever holds one has the service without an identity"
                    ),
                    "turn local authentication off and grant access with Entra ID roles (managed identities)",
                );
            }
        } else if APP_SETTINGS.contains(&kind) {
            let settings = body
                .get_attribute("app_settings")
                .into_iter()
                .map(|a| (a.span(), tf.source(a.span())))
                .chain(
                    body.get_blocks("connection_string")
                        .map(|b| (b.span(), tf.source(b.span()))),
                )
                .chain(
                    body.get_blocks("secret")
                        .chain(body.get_blocks("env"))
                        .map(|b| (b.span(), tf.source(b.span()))),
                );
            for (span, text) in settings {
                if let Some(word) = keyed_value(text) {
                    push(
                        span,
                        format!("hands the application a connection string with a key (`{word}`)"),
                        "give the app a managed identity and let its SDK's default credential reach the service; delete the key from the settings",
                    );
                }
            }
        }
    }
    found
}

/// Words that start a keyed connection string in a manifest.
static MANIFEST_MARKERS: std::sync::LazyLock<crate::support::Markers> =
    std::sync::LazyLock::new(|| {
        crate::support::Markers::cased(&["AccountKey=", "SharedAccessKey=", "Password=", "Pwd="])
    });

/// Environment values of Kubernetes workloads and ConfigMap entries that carry a keyed
/// connection string: the node, the variable's name and the keyed word.
fn manifest_findings(
    documents: &[harden_formats::yaml::Node],
) -> Vec<(&harden_formats::yaml::Node, String, &'static str)> {
    use harden_formats::yaml::Node;
    let mut found = Vec::new();
    for document in documents {
        let kind = document
            .get("kind")
            .and_then(Node::as_str)
            .unwrap_or_default();
        if kind == "ConfigMap" {
            for (key, value) in document.get("data").map(Node::entries).unwrap_or_default() {
                if let Some(text) = value.as_str()
                    && let Some(word) = keyed_value(text)
                    && word.ends_with('=')
                {
                    found.push((value, key.text.clone(), word));
                }
            }
            continue;
        }
        let pod = match kind {
            "Pod" => document.get("spec"),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => document
                .get("spec")
                .and_then(|s| s.get("template"))
                .and_then(|t| t.get("spec")),
            "CronJob" => document.pointer("/spec/jobTemplate/spec/template/spec"),
            _ => None,
        };
        let Some(pod) = pod else { continue };
        for list in ["containers", "initContainers"] {
            for container in pod.get(list).map(Node::items).unwrap_or_default() {
                for variable in container.get("env").map(Node::items).unwrap_or_default() {
                    if let Some(value) = variable.get("value")
                        && let Some(text) = value.as_str()
                        && let Some(word) = keyed_value(text)
                        && word.ends_with('=')
                    {
                        let name = variable
                            .get("name")
                            .and_then(Node::scalar_text)
                            .unwrap_or_default();
                        found.push((value, name, word));
                    }
                }
            }
        }
    }
    found
}

fn check_manifests(cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
    let classified = crate::classify::classified(cx)?;
    for class in classified
        .iter()
        .filter(|c| crate::iac::is_deployed_yaml(c))
    {
        let Some(bytes) = crate::support::read_parsed_into(cx, out, &class.path)? else {
            continue;
        };
        if !MANIFEST_MARKERS.is_match(&bytes[..]) {
            continue;
        }
        let text = harden_engine::lossy_text(&bytes);
        let documents = crate::support::yaml_documents(cx.cache(), &class.path, &text);
        let Ok(documents) = &*documents else { continue };
        for (node, name, word) in manifest_findings(documents) {
            out.finding(
                cx.finding(
                    format!("`{name}` hands the workload a connection string with a key (`{word}`) in its manifest"),
                    crate::support::span_location(&class.path, node.span),
                )
                .identity(format!("manifest:{}:{name}", class.path))
                .help("give the workload an identity (workload identity, IRSA, a managed identity) and let its SDK's default credential reach the service; delete the key")
                .build(),
            );
        }
    }
    Ok(())
}

/// Azure resource types that can turn their keys off in favour of Entra ID, as Bicep writes
/// them: the type, the property under `properties`, the value that turns keys off, and what the
/// keys are.
const BICEP_LOCAL_AUTH: [(&str, &str, bool, &str); 7] = [
    (
        "Microsoft.DocumentDB/databaseAccounts",
        "disableLocalAuth",
        true,
        "account keys",
    ),
    (
        "Microsoft.ServiceBus/namespaces",
        "disableLocalAuth",
        true,
        "shared access keys",
    ),
    (
        "Microsoft.EventHub/namespaces",
        "disableLocalAuth",
        true,
        "shared access keys",
    ),
    (
        "Microsoft.Cache/redis",
        "disableAccessKeyAuthentication",
        true,
        "access keys",
    ),
    (
        "Microsoft.Search/searchServices",
        "disableLocalAuth",
        true,
        "API keys",
    ),
    (
        "Microsoft.CognitiveServices/accounts",
        "disableLocalAuth",
        true,
        "API keys",
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "allowSharedKeyAccess",
        false,
        "shared keys",
    ),
];

/// The keys and passwords one Bicep file's resources keep on or hand out: line, message, fix.
fn bicep_findings(
    resources: &[harden_formats::bicep::Resource],
) -> Vec<(u32, String, &'static str)> {
    use harden_formats::bicep::Value;
    const ENTRA: &str =
        "turn local authentication off and grant access with Entra ID roles (managed identities)";
    let mut found = Vec::new();
    // Entra-only SQL can be set on the server or as its own child resource.
    let entra_only_child = resources.iter().any(|r| {
        r.kind == "Microsoft.Sql/servers/azureADOnlyAuthentications"
            && r.body
                .get("properties")
                .and_then(|p| p.get("azureADOnlyAuthentication"))
                .is_some_and(|v| v.as_bool() != Some(false))
    });
    for resource in resources {
        let name = &resource.name;
        let kind = resource.kind.as_str();
        let properties = resource.body.get("properties");
        let property = |key: &str| properties.and_then(|p| p.entry(key));
        if let Some((_, key, off, keys)) = BICEP_LOCAL_AUTH.iter().find(|(k, ..)| *k == kind) {
            let on = match property(key) {
                None => true,
                Some((_, value)) => value.as_bool().is_some_and(|b| b != *off),
            };
            if on {
                let line = property(key).map_or(resource.line, |(l, _)| l);
                found.push((line, format!("{name} ({kind}) keeps {keys} on"), ENTRA));
            }
        } else if kind == "Microsoft.Sql/servers" && !entra_only_child {
            let entra_only = properties
                .and_then(|p| p.get("administrators"))
                .and_then(|a| a.get("azureADOnlyAuthentication"))
                .is_some_and(|v| v.as_bool() != Some(false));
            if !entra_only {
                found.push((
                    resource.line,
                    format!("{name} ({kind}) accepts SQL logins with passwords: no `azureADOnlyAuthentication: true`"),
                    "make Entra ID the only way in and connect with managed identities",
                ));
            }
        } else if kind == "Microsoft.DBforPostgreSQL/flexibleServers" {
            let password = properties
                .and_then(|p| p.get("authConfig"))
                .and_then(|a| a.get("passwordAuth"))
                .map_or(Some(true), |v| match v {
                    Value::Str(s) => Some(!s.eq_ignore_ascii_case("Disabled")),
                    _ => None,
                });
            if password == Some(true) {
                found.push((
                    resource.line,
                    format!("{name} ({kind}) accepts password logins: no `authConfig.passwordAuth: 'Disabled'`"),
                    "enable Entra ID authentication, turn password authentication off and connect with managed identities",
                ));
            }
        } else if kind == "Microsoft.ContainerRegistry/registries"
            && let Some((line, value)) = property("adminUserEnabled")
            && value.as_bool() == Some(true)
        {
            found.push((
                line,
                format!("{name} ({kind}) enables the admin user: one shared username and password for the whole registry"),
                "turn the admin user off and pull with the workload's managed identity (AcrPull)",
            ));
        } else if kind == "Microsoft.Web/sites" || kind == "Microsoft.Web/sites/config" {
            let settings = properties
                .and_then(|p| p.get("siteConfig"))
                .into_iter()
                .flat_map(|c| [c.get("appSettings"), c.get("connectionStrings")])
                .chain([properties.filter(|_| kind.ends_with("/config"))])
                .flatten();
            for setting in settings {
                let text = setting.text();
                let word = keyed_value(&text)
                    .or_else(|| text.contains("listKeys(").then_some("listKeys("));
                if let Some(word) = word {
                    found.push((
                        resource.line,
                        format!("{name} ({kind}) hands the application a connection string with a key (`{word}`)"),
                        "give the app a managed identity and let its SDK's default credential reach the service; delete the key from the settings",
                    ));
                    break;
                }
            }
        }
    }
    found
}

fn check_terraform(cx: &GateCx<'_>, out: &mut GateOutput, path: &str, tf: &Terraform) {
    for finding in terraform_findings(tf) {
        let (line, column) = tf.position_of(finding.at.clone());
        out.finding(
            cx.finding(
                finding.message.clone(),
                crate::support::span_location(path, crate::support::point(line, column)),
            )
            .identity(format!("tf:{path}:{}", finding.message))
            .help(finding.help)
            .build(),
        );
    }
}

impl Gate for IdentityFederated {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let (mut keyed, mut federated) = (0u64, 0u64);
        for source in load(cx, out)? {
            keyed += check_environments(cx, out, &source);
            // Login actions are GitHub's; GitLab jobs log in from scripts.
            if source.pipeline.kind == Kind::Gitlab {
                continue;
            }
            let (k, f) = check_logins(cx, out, &source);
            keyed += k;
            federated += f;
        }
        let terraform = crate::iac::terraform_files(cx)?;
        for path in &terraform {
            if let Some(parsed) = crate::iac::terraform(cx, out, path)?
                && let Ok(tf) = &*parsed
            {
                check_terraform(cx, out, path, tf);
            }
        }
        if keyed + federated > 0 {
            out.examined("cloud logins", keyed + federated);
            out.add("federated logins", federated);
        }
        if !terraform.is_empty() {
            out.examined("terraform files", terraform.len() as u64);
        }
        let classified = crate::classify::classified(cx)?;
        let mut bicep_files = 0;
        for class in classified.iter().filter(|c| crate::iac::is_bicep(c)) {
            let Some(resources) = crate::iac::bicep(cx, out, &class.path)? else {
                continue;
            };
            bicep_files += 1;
            for (line, message, help) in bicep_findings(&resources) {
                out.finding(
                    cx.finding(
                        message.clone(),
                        crate::support::span_location(&class.path, crate::support::point(line, 1)),
                    )
                    .identity(format!("bicep:{}:{message}", class.path))
                    .help(help)
                    .build(),
                );
            }
        }
        if bicep_files > 0 {
            out.examined("bicep files", bicep_files);
        }
        check_manifests(cx, out)?;
        let sources = check_code(cx, out)?;
        if sources > 0 {
            out.examined("source files", sources);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terraform_passwords_local_keys_and_app_settings() {
        let tf = Terraform::parse(r#"
resource "azurerm_mssql_server" "open" {
  azuread_administrator {
    login_username = "admins"
  }
}
resource "azurerm_mssql_server" "entra" {
  azuread_administrator {
    azuread_authentication_only = true
  }
}
resource "azurerm_postgresql_flexible_server" "pg" {
  authentication {
    active_directory_auth_enabled = true
  }
}
resource "azurerm_postgresql_flexible_server" "entra" {
  authentication {
    password_auth_enabled = false
  }
}
resource "azurerm_cosmosdb_account" "docs" {
  local_authentication_disabled = var.local
}
resource "azurerm_servicebus_namespace" "bus" {
  sku = "Standard"
}
resource "azurerm_redis_cache" "cache" {
  access_keys_authentication_enabled = false
}
resource "azurerm_container_registry" "acr" {
  admin_enabled = true
}
resource "google_sql_user" "app" {
  name     = "app"
  password = random_password.app.result
}
resource "google_sql_user" "iam" {
  name = "app@project.iam"
  type = "CLOUD_IAM_SERVICE_ACCOUNT"
}
resource "azurerm_linux_web_app" "api" {
  app_settings = {
    STORAGE = "DefaultEndpointsProtocol=https;AccountName=${azurerm_storage_account.s.name};AccountKey=${azurerm_storage_account.s.primary_access_key}"
    REGION  = "westeurope"
  }
  connection_string {
    name  = "db"
    type  = "SQLAzure"
    value = "Server=tcp:db;Authentication=Active Directory Default"
  }
}
"#).unwrap();
        let found: Vec<String> = terraform_findings(&tf)
            .into_iter()
            .map(|f| format!("{}: {}", tf.position_of(f.at).0, f.message))
            .collect();
        assert_eq!(
            found,
            [
                "2: azurerm_mssql_server.open accepts SQL logins with passwords: no `azuread_administrator` with `azuread_authentication_only = true`",
                "12: azurerm_postgresql_flexible_server.pg accepts password logins: no `authentication { password_auth_enabled = false }`",
                "25: azurerm_servicebus_namespace.bus keeps shared access keys on: whoever holds one has the service without an identity",
                "32: azurerm_container_registry.acr enables the admin user: one shared username and password for the whole registry",
                "36: google_sql_user.app is a built-in database user with a password",
                "43: azurerm_linux_web_app.api hands the application a connection string with a key (`accountkey=`)",
            ]
        );
    }

    #[test]
    fn bicep_keys_and_passwords() {
        let resources = harden_formats::bicep::resources(
            "resource st 'Microsoft.Storage/storageAccounts@2023-01-01' = {\n  name: 'st'\n  properties: {\n    minimumTlsVersion: 'TLS1_2'\n  }\n}\nresource off 'Microsoft.Storage/storageAccounts@2023-01-01' = {\n  name: 'off'\n  properties: {\n    allowSharedKeyAccess: false\n  }\n}\nresource sql 'Microsoft.Sql/servers@2021-11-01' = {\n  name: 'sql'\n  properties: {\n    administrators: {\n      azureADOnlyAuthentication: true\n    }\n  }\n}\nresource bus 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {\n  name: 'bus'\n  properties: {\n    disableLocalAuth: allowKeys\n  }\n}\nresource acr 'Microsoft.ContainerRegistry/registries@2023-07-01' = {\n  name: 'acr'\n  properties: {\n    adminUserEnabled: true\n  }\n}\nresource app 'Microsoft.Web/sites@2023-01-01' = {\n  name: 'app'\n  properties: {\n    siteConfig: {\n      appSettings: [\n        {\n          name: 'STORAGE'\n          value: 'DefaultEndpointsProtocol=https;AccountName=${st.name};AccountKey=${st.listKeys().keys[0].value}'\n        }\n      ]\n    }\n  }\n}\n",
        );
        let found: Vec<String> = bicep_findings(&resources)
            .into_iter()
            .map(|(line, message, _)| format!("{line}: {message}"))
            .collect();
        assert_eq!(
            found,
            [
                "1: st (Microsoft.Storage/storageAccounts) keeps shared keys on",
                "30: acr (Microsoft.ContainerRegistry/registries) enables the admin user: one shared username and password for the whole registry",
                "33: app (Microsoft.Web/sites) hands the application a connection string with a key (`accountkey=`)",
            ]
        );
    }

    #[test]
    fn keyed_words_start_a_word() {
        assert_eq!(keyed_value("Server=db;Pwd=x"), Some("pwd="));
        assert_eq!(keyed_value("export OLDPWD=/tmp"), None);
        assert_eq!(
            keyed_value("x.primary_access_key"),
            Some("primary_access_key")
        );
    }

    #[test]
    fn manifests_with_keyed_connection_strings() {
        let documents = harden_formats::yaml::parse("kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          env:\n            - name: STORAGE\n              value: \"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc\"\n            - name: DB\n              valueFrom:\n                secretKeyRef: {name: db, key: url}\n            - name: MODE\n              value: prod\n---\nkind: ConfigMap\ndata:\n  BUS: Endpoint=sb://x/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=abc\n  LOG: info\n").unwrap();
        let found: Vec<String> = manifest_findings(&documents)
            .into_iter()
            .map(|(node, name, word)| format!("{}: {name} {word}", node.span.start.line))
            .collect();
        assert_eq!(
            found,
            ["9: STORAGE accountkey=", "18: BUS sharedaccesskey="]
        );
    }

    #[test]
    fn static_credentials_in_code() {
        for (line, language) in [
            (
                "s3 = boto3.client(\"s3\", aws_access_key_id=KEY, aws_secret_access_key=SECRET)",
                Language::Python,
            ),
            (
                "cfg.Credentials = credentials.NewStaticCredentialsProvider(id, secret, \"\")",
                Language::Go,
            ),
            (
                "var creds = AwsBasicCredentials.create(id, secret);",
                Language::Jvm,
            ),
            (
                "const credential = new StorageSharedKeyCredential(account, key);",
                Language::JavaScript,
            ),
            (
                "StorageSharedKeyCredential credential = new StorageSharedKeyCredential(account, key);",
                Language::Jvm,
            ),
            (
                "conn = f\"DefaultEndpointsProtocol=https;AccountName={name};AccountKey={key}\"",
                Language::Python,
            ),
            (
                "var conn = \"AccountName=\" + name + \";AccountKey=\" + key;",
                Language::Jvm,
            ),
        ] {
            assert!(static_credential(line, language).is_some(), "{line}");
        }
        for (line, language) in [
            ("s3 = boto3.client(\"s3\")", Language::Python),
            ("if part.startswith(\"AccountKey=\"):", Language::Python),
            ("r\"(?i)AccountKey=([A-Za-z0-9+/]{86}==)\",", Language::Rust),
            ("cfg, err := config.LoadDefaultConfig(ctx)", Language::Go),
            // Written in another language's syntax: not this file's constructor.
            ("aws_access_key_id=...", Language::Go),
            ("def make_client(aws_access_key_id=None):", Language::Python),
            (
                "boto3.client(\"s3\", aws_access_key_id=None)",
                Language::Python,
            ),
        ] {
            assert!(static_credential(line, language).is_none(), "{line}");
        }
        let in_string = |line: &str, at: usize| crate::support::in_string(line, at, &['"']);
        assert!(in_string("    (\"Credentials::from_keys(\", \"AWS\"),", 6));
        assert!(!in_string(
            "let c = Credentials::from_keys(id, secret, None); // \"x\"",
            8
        ));
        assert!(!in_string(
            r#"log("a \" b"); Credentials::from_keys(a)"#,
            18
        ));
    }

    #[test]
    fn a_key_handed_to_the_code_is_not_the_services_own() {
        let service = |text: &str| {
            let at = text
                .find("aws_access_key_id=")
                .expect("a key in the fixture");
            python_service_key(text, at)
        };
        // The service's own key: from its environment, its settings, a constant or a literal.
        for text in [
            "s3 = boto3.client(\"s3\", aws_access_key_id=KEY, aws_secret_access_key=SECRET)\n",
            "def client():\n    return boto3.client(\"s3\", aws_access_key_id=os.environ[\"AWS_KEY\"])\n",
            "def client(region):\n    return boto3.client(\n        \"s3\",\n        region_name=region,\n        aws_access_key_id=settings.AWS_ACCESS_KEY_ID,\n    )\n",
            "class Store:\n    def client(self):\n        return boto3.client(\"s3\", aws_access_key_id=self.settings.key)\n",
            "def client(name):\n    key = os.getenv(\"AWS_ACCESS_KEY_ID\")\n    return boto3.client(name, aws_access_key_id=key)\n",
            "def client():\n    return boto3.client(\"s3\", aws_access_key_id=\"AKIA0000\", aws_session_token=None)\n",
            "def client(name):\n    return boto3.client(name, aws_access_key_id=current_app.config[\"AWS_KEY\"])\n",
        ] {
            assert!(service(text), "{text}");
        }
        // A user's key for the user's own resource, or temporary credentials.
        for text in [
            // saleor: the key of an SQS queue a webhook targets, from the target's URL.
            "def get_client(parts):\n    return boto3.client(\n        \"sqs\",\n        aws_access_key_id=parts.username,\n        aws_secret_access_key=parts.password,\n    )\n",
            // redash: a data source's configuration, as its user entered it.
            "class CloudWatch(BaseQueryRunner):\n    def _get_client(self):\n        return boto3.client(\n            \"cloudwatch\",\n            aws_access_key_id=self.configuration.get(\"aws_access_key\"),\n        )\n",
            // netbox: a data backend's parameters, through a local.
            "class S3Backend:\n    def fetch(self):\n        aws_access_key_id = self.params.get('aws_access_key_id')\n        s3 = boto3.resource(\n            's3',\n            aws_access_key_id=aws_access_key_id,\n        )\n",
            // Temporary credentials from `assume_role`.
            "def client(keys):\n    return boto3.client(\"redshift\", aws_access_key_id=keys[\"AccessKeyId\"], aws_secret_access_key=keys[\"SecretAccessKey\"], aws_session_token=keys[\"SessionToken\"])\n",
            "async def connect(\n    bucket: str,\n    access_key: str,\n):\n    return session.client(\"s3\", aws_access_key_id=access_key)\n",
        ] {
            assert!(!service(text), "{text}");
        }
    }

    #[test]
    fn a_go_key_handed_to_the_code_is_not_the_services_own() {
        let service = |text: &str| {
            let words = "NewStaticCredentialsProvider(";
            let at = text.find(words).expect("a constructor in the fixture");
            go_service_key(text, at + words.len())
        };
        for text in [
            "func client() aws.Config {\n\treturn credentials.NewStaticCredentialsProvider(os.Getenv(\"AWS_KEY\"), os.Getenv(\"AWS_SECRET\"), \"\")\n}\n",
            "var key = \"AKIA0000\"\n\nfunc client(region string) {\n\tcreds := credentials.NewStaticCredentialsProvider(key, secret, \"\")\n}\n",
            "func (s *Server) client() {\n\tid := os.Getenv(\"AWS_KEY\")\n\tcreds := credentials.NewStaticCredentialsProvider(id, secret, \"\")\n}\n",
        ] {
            assert!(service(text), "{text}");
        }
        for text in [
            // memos: the storage a user configured, handed to the driver.
            "func NewDriver(ctx context.Context, s3Config *storepb.StorageS3Config) (*Driver, error) {\n\topts := []func(*config.LoadOptions) error{\n\t\tconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(s3Config.AccessKeyId, s3Config.AccessKeySecret, \"\")),\n\t}\n}\n",
            "func (b *Backend) client() {\n\tcreds := credentials.NewStaticCredentialsProvider(b.accessKey, b.secretKey, \"\")\n}\n",
            "func connect(id, secret string) {\n\tkey := id\n\tcreds := credentials.NewStaticCredentialsProvider(key, secret, \"\")\n}\n",
        ] {
            assert!(!service(text), "{text}");
        }
    }

    #[test]
    fn scripted_logins_with_keys() {
        assert!(scripted_login("aws configure set aws_secret_access_key \"$AWS_KEY\"").is_some());
        assert!(
            scripted_login("gcloud auth activate-service-account --key-file=key.json").is_some()
        );
        assert!(
            scripted_login("az login --service-principal -u $ID -p $SECRET --tenant $T").is_some()
        );
        assert!(
            scripted_login("az login --service-principal -u $ID --tenant $T --federated-token $(cat $TOKEN_FILE)")
                .is_none()
        );
        assert!(scripted_login("aws sts assume-role-with-web-identity --role-arn $ROLE").is_none());
    }
}
