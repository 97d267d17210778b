//! A labeled corpus: valid-format secrets of every rule planted in realistic files of many
//! languages (in clear and inside base64, URL and hex layers), plus hard negatives
//! (placeholders, references, documentation examples, hashes, UUIDs, lockfile integrity strings,
//! public keys, secret-named settings that hold no secret). Deterministic for a seed.
//!
//! Every value is generated here from the format described by the provider; nothing is copied.

#![allow(
    unreachable_pub,
    dead_code,
    clippy::unnecessary_wraps,
    clippy::format_collect,
    clippy::too_many_lines,
    clippy::missing_panics_doc
)]

use base64::Engine as _;

mod more;

/// SplitMix64: small, fast and good enough to draw test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect()
    }
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX: &[u8] = b"0123456789abcdef";
const HEX_UPPER: &[u8] = b"0123456789ABCDEF";
const DIGITS: &[u8] = b"0123456789";
const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const LOWER_DIGITS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE32_LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
const BECH32_UPPER: &[u8] = b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";
const AZURE_SECRET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_~.-";
const PASSWORD: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@#%^*-_+=";

fn class(code: char) -> &'static [u8] {
    match code {
        'a' => ALNUM,
        'A' => UPPER_DIGITS,
        'U' => UPPER,
        'l' => LOWER,
        'L' => LETTERS,
        'h' => HEX,
        'H' => HEX_UPPER,
        'd' => DIGITS,
        'u' => BASE64URL,
        'b' => BASE64,
        'z' => LOWER_DIGITS,
        '2' => BASE32,
        '7' => BASE32_LOWER,
        'B' => BECH32_UPPER,
        'q' => AZURE_SECRET,
        'p' => PASSWORD,
        other => panic!("unknown class {other}"),
    }
}

/// Expands `{c:N}` (N characters of class c) and `{g}` (a UUID) in `spec`.
pub fn expand(rng: &mut Rng, spec: &str) -> String {
    let mut out = String::new();
    let mut rest = spec;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').expect("closed") + open;
        let token = &rest[open + 1..close];
        if token == "g" {
            out.push_str(&uuid(rng));
        } else {
            let (code, n) = token.split_once(':').expect("class:count");
            let n: usize = n.parse().expect("count");
            out.push_str(&rng.chars(class(code.chars().next().expect("class")), n));
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

fn uuid(rng: &mut Rng) -> String {
    format!(
        "{}-{}-4{}-{}{}-{}",
        rng.chars(HEX, 8),
        rng.chars(HEX, 4),
        rng.chars(HEX, 3),
        *rng.pick(&["8", "9", "a", "b"]),
        rng.chars(HEX, 3),
        rng.chars(HEX, 12)
    )
}

const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn github(rng: &mut Rng, prefix: &str) -> String {
    let body = rng.chars(ALNUM, 30);
    let mut value = crc32fast::hash(body.as_bytes());
    let mut encoded = [b'0'; 6];
    for slot in encoded.iter_mut().rev() {
        *slot = B62[(value % 62) as usize];
        value /= 62;
    }
    format!("{prefix}_{body}{}", String::from_utf8_lossy(&encoded))
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn jwt(rng: &mut Rng, role: Option<&str>) -> String {
    let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = match role {
        Some(role) => format!(
            r#"{{"iss":"supabase","ref":"{}","role":"{role}","iat":1700000000,"exp":2000000000}}"#,
            rng.chars(LOWER, 20)
        ),
        None => format!(
            r#"{{"sub":"{}","name":"{}","iat":{}}}"#,
            rng.chars(DIGITS, 10),
            rng.chars(LETTERS, 8),
            1_700_000_000 + rng.below(100_000_000)
        ),
    };
    format!(
        "{header}.{}.{}",
        b64url(claims.as_bytes()),
        rng.chars(BASE64URL, 43)
    )
}

fn pem_body(rng: &mut Rng, lines: usize) -> String {
    let mut body = String::new();
    for _ in 0..lines {
        body.push_str(&rng.chars(BASE64, 64));
        body.push('\n');
    }
    body.push_str(&rng.chars(BASE64, 18));
    body.push_str("==\n");
    body
}

/// One secret to plant: its value, the setting name it is usually given, and whether it is a
/// block placed as is (keys) rather than a value assigned in code.
pub struct Sample {
    pub value: String,
    pub name: String,
    pub block: bool,
}

fn value(v: String, name: &str) -> Option<Sample> {
    Some(Sample {
        value: v,
        name: name.to_owned(),
        block: false,
    })
}

fn block(v: String) -> Option<Sample> {
    Some(Sample {
        value: v,
        name: String::new(),
        block: true,
    })
}

/// A valid-format secret for `rule`, or `None` if the generator does not know the rule (a test
/// requires every built-in rule to be known).
pub fn sample(rule: &str, rng: &mut Rng) -> Option<Sample> {
    let spec = |rng: &mut Rng, s: &str, name: &str| value(expand(rng, s), name);
    match rule {
        "aws-access-key-id" => spec(rng, "AKIA{2:16}", "AWS_ACCESS_KEY_ID"),
        "aws-secret-access-key" => spec(rng, "{b:40}", "AWS_SECRET_ACCESS_KEY"),
        "aws-session-token" => spec(rng, "IQoJb3JpZ2luX2Vj{b:320}", "AWS_SESSION_TOKEN"),
        "amazon-mws-token" => spec(rng, "amzn.mws.{g}", "MWS_AUTH_TOKEN"),
        "gcp-service-account-key" => {
            let key = format!(
                "-----BEGIN PRIVATE KEY-----\\n{}-----END PRIVATE KEY-----\\n",
                pem_body(rng, 12).replace('\n', "\\n")
            );
            let project = expand(rng, "{l:8}-{d:6}");
            block(format!(
                "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"{project}\",\n  \"private_key_id\": \"{}\",\n  \"private_key\": \"{key}\",\n  \"client_email\": \"deployer@{project}.iam.gserviceaccount.com\",\n  \"client_id\": \"{}\"\n}}",
                rng.chars(HEX, 40),
                rng.chars(DIGITS, 21)
            ))
        }
        "gcp-oauth-client-secret" => spec(rng, "GOCSPX-{u:28}", "GOOGLE_CLIENT_SECRET"),
        "google-api-key" => spec(rng, "AIza{u:35}", "GOOGLE_API_KEY"),
        "google-oauth-access-token" => spec(rng, "ya29.{u:120}", "GOOGLE_ACCESS_TOKEN"),
        "google-oauth-refresh-token" => spec(rng, "1//0{u:60}", "GOOGLE_REFRESH_TOKEN"),
        "firebase-cloud-messaging-key" => spec(rng, "AAAA{u:7}:APA91b{u:134}", "FCM_SERVER_KEY"),
        "azure-storage-account-key" => spec(
            rng,
            "DefaultEndpointsProtocol=https;AccountName={z:12};AccountKey={b:86}==;EndpointSuffix=core.windows.net",
            "AZURE_STORAGE_CONNECTION_STRING",
        ),
        "azure-shared-access-key" => spec(
            rng,
            "Endpoint=sb://{z:10}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={b:43}=",
            "SERVICEBUS_CONNECTION",
        ),
        "azure-sas-token" => spec(
            rng,
            "https://{z:12}.blob.core.windows.net/exports/report.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-12-31T00:00:00Z&spr=https&sig={b:43}%3D",
            "EXPORT_SAS_URL",
        ),
        "azure-ad-client-secret" => spec(rng, "{a:3}{d:1}Q~{q:34}", "AZURE_CLIENT_SECRET"),
        "azure-devops-pat" => spec(rng, "{a:52}JQQJ99{a:4}AZDO{a:4}", "AZDO_TOKEN"),
        "azure-devops-legacy-pat" => spec(rng, "{7:52}", "AZURE_DEVOPS_PAT"),
        "alibaba-access-key-id" => spec(rng, "LTAI{a:20}", "ALIBABA_ACCESS_KEY_ID"),
        "tencent-secret-id" => spec(rng, "AKID{a:32}", "TENCENT_SECRET_ID"),
        "ibm-cloud-api-key" => spec(rng, "{u:44}", "IBM_CLOUD_API_KEY"),
        "github-pat" => value(github(rng, "ghp"), "GITHUB_TOKEN"),
        "github-oauth" => value(github(rng, "gho"), "GITHUB_OAUTH_TOKEN"),
        "github-app-token" => value(github(rng, "ghs"), "GITHUB_APP_TOKEN"),
        "github-refresh-token" => value(github(rng, "ghr"), "GITHUB_REFRESH_TOKEN"),
        "github-fine-grained-pat" => spec(rng, "github_pat_{a:22}_{a:59}", "GH_PAT"),
        "gitlab-pat" => spec(rng, "glpat-{u:20}", "GITLAB_TOKEN"),
        "gitlab-pipeline-trigger-token" => spec(rng, "glptt-{h:40}", "GITLAB_TRIGGER_TOKEN"),
        "gitlab-runner-token" => spec(rng, "glrt-{u:20}", "RUNNER_TOKEN"),
        "gitlab-runner-registration-token" => spec(rng, "GR1348941{u:20}", "REGISTRATION_TOKEN"),
        "gitlab-deploy-token" => spec(rng, "gldt-{u:20}", "GITLAB_DEPLOY_TOKEN"),
        "gitlab-oauth-app-secret" => spec(rng, "gloas-{u:64}", "GITLAB_APP_SECRET"),
        "gitlab-feed-token" => spec(rng, "glft-{u:20}", "GITLAB_FEED_TOKEN"),
        "gitlab-incoming-mail-token" => spec(rng, "glimt-{u:25}", "INCOMING_MAIL_TOKEN"),
        "gitlab-agent-token" => spec(rng, "glagent-{u:50}", "AGENT_TOKEN"),
        "gitlab-scim-token" => spec(rng, "glsoat-{u:20}", "SCIM_TOKEN"),
        "gitlab-cicd-job-token" => spec(rng, "glcbt-{h:2}_{u:20}", "JOB_TOKEN"),
        "bitbucket-app-password" => spec(rng, "ATBB{a:32}", "BITBUCKET_APP_PASSWORD"),
        "atlassian-api-token" => spec(rng, "ATATT3xFfGF0{u:180}={H:8}", "JIRA_API_TOKEN"),
        "npm-token" => spec(rng, "npm_{a:36}", "NPM_TOKEN"),
        "pypi-token" => spec(rng, "pypi-AgEIcHlwaS5vcmc{u:70}", "PYPI_TOKEN"),
        "crates-io-token" => spec(rng, "cio{a:32}", "CARGO_REGISTRY_TOKEN"),
        "rubygems-api-key" => spec(rng, "rubygems_{h:48}", "GEM_HOST_API_KEY"),
        "nuget-api-key" => spec(rng, "oy2{z:43}", "NUGET_API_KEY"),
        "docker-hub-token" => spec(rng, "dckr_pat_{u:27}", "DOCKERHUB_TOKEN"),
        "jfrog-api-key" => spec(rng, "AKCp{a:69}", "ARTIFACTORY_API_KEY"),
        "jfrog-reference-token" => spec(rng, "cmVmdGtuOjAxOj{a:50}", "JFROG_ACCESS_TOKEN"),
        "clojars-token" => spec(rng, "CLOJARS_{z:60}", "CLOJARS_TOKEN"),
        "npmrc-auth" => {
            let token = expand(rng, "{b:44}");
            block(format!(
                "registry=https://npm.{}.internal/\n//npm.{}.internal/:_authToken={token}\nalways-auth=true",
                rng.chars(LOWER, 6),
                rng.chars(LOWER, 6)
            ))
        }
        "docker-config-auth" => {
            let credentials = format!("{}:{}", rng.chars(LOWER, 8), rng.chars(ALNUM, 20));
            let auth = base64::engine::general_purpose::STANDARD.encode(credentials);
            block(format!(
                "{{\n  \"auths\": {{\n    \"registry.{}.io\": {{\n      \"auth\": \"{auth}\"\n    }}\n  }}\n}}",
                rng.chars(LOWER, 7)
            ))
        }
        "stripe-secret-key" => {
            let mode = *rng.pick(&["live", "test"]);
            spec(rng, &format!("sk_{mode}_{{a:48}}"), "STRIPE_SECRET_KEY")
        }
        "stripe-webhook-secret" => spec(rng, "whsec_{a:32}", "STRIPE_WEBHOOK_SECRET"),
        "square-access-token" => spec(rng, "EAAA{u:60}", "SQUARE_ACCESS_TOKEN"),
        "square-oauth-secret" => spec(rng, "sq0csp-{u:43}", "SQUARE_APP_SECRET"),
        "braintree-access-token" => spec(
            rng,
            "access_token$production${z:16}${h:32}",
            "BRAINTREE_ACCESS_TOKEN",
        ),
        "paypal-client-secret" => spec(rng, "{u:80}", "PAYPAL_CLIENT_SECRET"),
        "adyen-api-key" => spec(rng, "AQE{a:5}{b:100}", "ADYEN_API_KEY"),
        "razorpay-key-secret" => spec(rng, "{a:24}", "RAZORPAY_KEY_SECRET"),
        "asana-pat" => spec(rng, "2/{d:16}/{d:16}:{h:32}", "ASANA_ACCESS_TOKEN"),
        "zapier-webhook" => spec(
            rng,
            "https://hooks.zapier.com/hooks/catch/{d:7}/{z:7}/",
            "ZAPIER_HOOK_URL",
        ),
        "sourcegraph-token" => spec(rng, "sgp_{a:16}_{h:40}", "SRC_ACCESS_TOKEN"),
        "deno-deploy-token" => spec(rng, "ddp_{a:36}", "DENO_DEPLOY_TOKEN"),
        "gitlab-feature-flag-token" => spec(rng, "glffct-{u:20}", "UNLEASH_TOKEN"),
        "yandex-cloud-key" => spec(rng, "AQVN{u:36}", "YC_API_KEY"),
        "mollie-api-key" => spec(rng, "live_{a:30}", "MOLLIE_API_KEY"),
        "ably-api-key" => spec(rng, "{u:6}.{u:6}:{u:43}", "ABLY_API_KEY"),
        "wandb-api-key" => spec(rng, "{h:40}", "WANDB_API_KEY"),
        "azure-openai-key" => spec(rng, "{h:32}", "AZURE_OPENAI_API_KEY"),
        "pagerduty-api-key" => spec(rng, "u+{u:18}", "PAGERDUTY_TOKEN"),
        "gocardless-token" => spec(rng, "live_{u:40}", "GOCARDLESS_ACCESS_TOKEN"),
        "azure-storage-key" => spec(rng, "{b:86}==", "AZURE_STORAGE_ACCOUNT_KEY"),
        "default-password" => {
            let (name, password) = *rng.pick(&[
                ("POSTGRES_PASSWORD", "postgres"),
                ("MYSQL_ROOT_PASSWORD", "root"),
                ("RABBITMQ_DEFAULT_PASS", "guest"),
                ("MINIO_ROOT_PASSWORD", "minioadmin"),
                ("spring.datasource.password", "changeme"),
                ("GF_SECURITY_ADMIN_PASSWORD", "admin"),
                ("keystore.password", "changeit"),
            ]);
            let separator = *rng.pick(&[": ", "=", " = ", ": \""]);
            let close = if separator.ends_with('"') { "\"" } else { "" };
            block(format!("{name}{separator}{password}{close}"))
        }
        "netrc-password" => block(format!(
            "machine api.{}.com\n  login deploy\n  password {}",
            rng.chars(LOWER, 8),
            expand(rng, "{a:24}")
        )),
        "generic-secret-pair" => block(format!(
            "2026-11-20T10:00:0{}Z INFO connecting user=svc db_password={} host=db.internal",
            rng.below(10),
            expand(rng, "{a:20}")
        )),
        "generic-secret-argument" => {
            block(format!("define('AUTH_SALT', '{}');", expand(rng, "{p:40}")))
        }
        "cli-secret-argument" => block(format!(
            "./bin/release --env prod --api-token {} --verbose",
            expand(rng, "{a:32}")
        )),
        "cli-password-short-flag" => {
            let password = expand(rng, "{a:20}");
            block(match rng.below(4) {
                0 => format!("docker login -u deploybot -p {password} registry.internal"),
                1 => format!("mysql -h 10.0.0.5 -u app -p'{password}' shop < dump.sql"),
                2 => format!(
                    "PsExec.exe \\\\10.0.0.5 -u CORP\\svc-deploy -p \"{password}\" -accepteula cmd /c ipconfig"
                ),
                _ => format!("htpasswd -b -c /etc/nginx/.htpasswd admin '{password}'"),
            })
        }
        "secret-setting-in-text" => block(format!(
            "2024-05-01T10:00:00Z WARN settings override SMTP_PASSWORD: {} applied",
            expand(rng, "{a:24}")
        )),
        "kubernetes-env-secret" => block(format!(
            "        env:\n          - name: DB_PASSWORD\n            value: \"{}\"",
            expand(rng, "{a:22}")
        )),
        "xml-element-secret" => block(format!(
            "<settings>\n  <apiKey>{}</apiKey>\n</settings>",
            expand(rng, "{a:32}")
        )),
        "plaid-access-token" => spec(rng, "access-production-{g}", "PLAID_ACCESS_TOKEN"),
        "flutterwave-secret-key" => spec(rng, "FLWSECK-{h:32}-X", "FLW_SECRET_KEY"),
        "shippo-token" => spec(rng, "shippo_live_{h:40}", "SHIPPO_API_TOKEN"),
        "easypost-api-key" => spec(rng, "EZAK{a:54}", "EASYPOST_API_KEY"),
        "generic-key-assignment" => spec(rng, "{b:44}=", "SIGNING_KEY"),
        "duffel-token" => spec(rng, "duffel_live_{u:43}", "DUFFEL_ACCESS_TOKEN"),
        "coinbase-access-token" => spec(rng, "{b:64}", "COINBASE_API_SECRET"),
        "slack-bot-token" => spec(rng, "xoxb-{d:12}-{d:13}-{a:24}", "SLACK_BOT_TOKEN"),
        "slack-user-token" => spec(rng, "xoxp-{d:12}-{d:12}-{d:13}-{h:32}", "SLACK_USER_TOKEN"),
        "slack-app-token" => spec(rng, "xapp-1-A{A:10}-{d:13}-{h:64}", "SLACK_APP_TOKEN"),
        "slack-config-token" => spec(rng, "xoxe.xoxp-1-{a:160}", "SLACK_CONFIG_TOKEN"),
        "slack-legacy-token" => spec(rng, "xoxs-{d:12}-{a:40}", "SLACK_LEGACY_TOKEN"),
        "slack-webhook" => spec(
            rng,
            "https://hooks.slack.com/services/T{A:10}/B{A:10}/{a:24}",
            "SLACK_WEBHOOK_URL",
        ),
        "slack-workflow-webhook" => spec(
            rng,
            "https://hooks.slack.com/workflows/T{A:10}/A{A:10}/{d:18}/{a:24}",
            "SLACK_WORKFLOW_URL",
        ),
        "discord-webhook" => spec(
            rng,
            "https://discord.com/api/webhooks/{d:18}/{u:68}",
            "DISCORD_WEBHOOK_URL",
        ),
        "discord-bot-token" => spec(rng, "M{u:25}.{u:6}.{u:38}", "DISCORD_BOT_TOKEN"),
        "telegram-bot-token" => spec(rng, "{d:10}:AA{u:33}", "TELEGRAM_BOT_TOKEN"),
        "twilio-api-key" => spec(rng, "SK{h:32}", "TWILIO_API_KEY"),
        "twilio-auth-token" => spec(rng, "{h:32}", "TWILIO_AUTH_TOKEN"),
        "sendgrid-api-key" => spec(rng, "SG.{u:22}.{u:43}", "SENDGRID_API_KEY"),
        "mailgun-api-key" => spec(rng, "key-{h:32}", "MAILGUN_API_KEY"),
        "mailchimp-api-key" => spec(rng, "{h:32}-us{d:2}", "MAILCHIMP_API_KEY"),
        "postmark-server-token" => spec(rng, "{g}", "POSTMARK_SERVER_TOKEN"),
        "brevo-api-key" => spec(rng, "xkeysib-{h:64}-{a:16}", "BREVO_API_KEY"),
        "microsoft-teams-webhook" => spec(
            rng,
            "https://{z:8}.webhook.office.com/webhookb2/{g}@{g}/IncomingWebhook/{a:32}/{g}",
            "TEAMS_WEBHOOK_URL",
        ),
        "twitter-bearer-token" => spec(rng, "AAAAAAAAAAAAAAAAAAAAA{a:80}", "TWITTER_BEARER_TOKEN"),
        "facebook-access-token" => spec(rng, "EAA{a:120}", "FACEBOOK_ACCESS_TOKEN"),
        "openai-api-key" => spec(rng, "sk-proj-{u:156}", "OPENAI_API_KEY"),
        "openai-legacy-api-key" => spec(rng, "sk-{a:48}", "OPENAI_API_KEY"),
        "anthropic-api-key" => spec(rng, "sk-ant-api03-{u:93}AA", "ANTHROPIC_API_KEY"),
        "huggingface-token" => spec(rng, "hf_{L:34}", "HF_TOKEN"),
        "cohere-api-key" => spec(rng, "{a:40}", "COHERE_API_KEY"),
        "replicate-api-token" => spec(rng, "r8_{a:37}", "REPLICATE_API_TOKEN"),
        "groq-api-key" => spec(rng, "gsk_{a:52}", "GROQ_API_KEY"),
        "perplexity-api-key" => spec(rng, "pplx-{a:48}", "PERPLEXITY_API_KEY"),
        "xai-api-key" => spec(rng, "xai-{a:80}", "XAI_API_KEY"),
        "openrouter-api-key" => spec(rng, "sk-or-v1-{h:64}", "OPENROUTER_API_KEY"),
        "langsmith-api-key" => spec(rng, "lsv2_pt_{h:32}_{h:10}", "LANGSMITH_API_KEY"),
        "langfuse-secret-key" => spec(rng, "sk-lf-{g}", "LANGFUSE_SECRET_KEY"),
        "pinecone-api-key" => spec(rng, "pcsk_{a:6}_{a:64}", "PINECONE_API_KEY"),
        "mistral-api-key" => spec(rng, "{a:32}", "MISTRAL_API_KEY"),
        "datadog-api-key" => spec(rng, "{h:32}", "DATADOG_API_KEY"),
        "datadog-app-key" => spec(rng, "{h:40}", "DATADOG_APP_KEY"),
        "new-relic-user-key" => spec(rng, "NRAK-{A:27}", "NEW_RELIC_API_KEY"),
        "new-relic-insert-key" => spec(rng, "NRII-{u:32}", "NEW_RELIC_INSERT_KEY"),
        "new-relic-license-key" => spec(rng, "{h:36}NRAL", "NEW_RELIC_LICENSE_KEY"),
        "new-relic-browser-key" => spec(rng, "NRJS-{h:19}", "NEW_RELIC_BROWSER_KEY"),
        "sentry-dsn" => spec(
            rng,
            "https://{h:32}@o{d:6}.ingest.sentry.io/{d:7}",
            "SENTRY_DSN",
        ),
        "sentry-dsn-secret" => spec(
            rng,
            // Split so that harden's own scan does not read the template as a URL password.
            concat!("https://{h:32}:", "{h:32}@o{d:6}.ingest.sentry.io/{d:7}"),
            "SENTRY_DSN",
        ),
        "sentry-auth-token" => spec(rng, "sntryu_{h:64}", "SENTRY_AUTH_TOKEN"),
        "grafana-service-account-token" => {
            spec(rng, "glsa_{a:32}_{h:8}", "GRAFANA_SERVICE_ACCOUNT_TOKEN")
        }
        "grafana-cloud-token" => spec(rng, "glc_{b:120}", "GRAFANA_CLOUD_TOKEN"),
        "grafana-api-key" => spec(rng, "eyJrIjoi{b:70}==", "GRAFANA_API_KEY"),
        "honeycomb-ingest-key" => spec(rng, "hcaik_{z:58}", "HONEYCOMB_INGEST_KEY"),
        "honeycomb-api-key" => spec(rng, "{a:22}", "HONEYCOMB_API_KEY"),
        "dynatrace-token" => spec(rng, "dt0c01.{A:24}.{A:64}", "DT_API_TOKEN"),
        "splunk-hec-token" => spec(rng, "{g}", "SPLUNK_HEC_TOKEN"),
        "launchdarkly-key" => spec(rng, "sdk-{g}", "LAUNCHDARKLY_SDK_KEY"),
        "vault-token" => spec(rng, "hvs.{u:90}", "VAULT_TOKEN"),
        "vault-legacy-token" => spec(rng, "s.{a:24}", "VAULT_TOKEN"),
        "terraform-cloud-token" => spec(rng, "{a:14}.atlasv1.{u:67}", "TFE_TOKEN"),
        "doppler-token" => spec(rng, "dp.st.prd.{a:40}", "DOPPLER_TOKEN"),
        "doppler-personal-token" => spec(rng, "dp.pt.{a:43}", "DOPPLER_PERSONAL_TOKEN"),
        "onepassword-service-account-token" => {
            spec(rng, "ops_eyJ{b:200}", "OP_SERVICE_ACCOUNT_TOKEN")
        }
        "onepassword-secret-key" => spec(
            rng,
            "A3-{A:6}-{A:6}-{A:5}-{A:5}-{A:5}-{A:5}",
            "OP_SECRET_KEY",
        ),
        "digitalocean-token" => spec(rng, "dop_v1_{h:64}", "DIGITALOCEAN_TOKEN"),
        "heroku-api-key" => spec(rng, "HRKU-{u:60}", "HEROKU_API_KEY"),
        "heroku-legacy-api-key" => spec(rng, "{g}", "HEROKU_API_KEY"),
        "cloudflare-api-token" => spec(rng, "{u:40}", "CLOUDFLARE_API_TOKEN"),
        "cloudflare-global-api-key" => spec(rng, "{h:37}", "CLOUDFLARE_API_KEY"),
        "cloudflare-origin-ca-key" => spec(rng, "v1.0-{h:24}-{h:146}", "CF_ORIGIN_CA_KEY"),
        "fastly-api-token" => spec(rng, "{u:32}", "FASTLY_API_TOKEN"),
        "shopify-token" => spec(rng, "shpat_{h:32}", "SHOPIFY_ACCESS_TOKEN"),
        "linear-api-key" => spec(rng, "lin_api_{a:40}", "LINEAR_API_KEY"),
        "notion-token" => spec(rng, "ntn_{d:11}{a:35}", "NOTION_TOKEN"),
        "postman-api-key" => spec(rng, "PMAK-{h:24}-{h:34}", "POSTMAN_API_KEY"),
        "okta-api-token" => spec(rng, "00{u:40}", "OKTA_API_TOKEN"),
        "auth0-client-secret" => spec(rng, "{u:64}", "AUTH0_CLIENT_SECRET"),
        "supabase-service-role-key" => {
            value(jwt(rng, Some("service_role")), "SUPABASE_SERVICE_ROLE_KEY")
        }
        "supabase-secret-key" => spec(rng, "sb_secret_{u:31}", "SUPABASE_SECRET_KEY"),
        "netlify-token" => spec(rng, "nfp_{a:36}", "NETLIFY_AUTH_TOKEN"),
        "vercel-token" => spec(rng, "{a:24}", "VERCEL_TOKEN"),
        "flyio-token" => spec(rng, "fo1_{u:43}", "FLY_API_TOKEN"),
        "render-api-key" => spec(rng, "rnd_{a:32}", "RENDER_API_KEY"),
        "pulumi-access-token" => spec(rng, "pul-{h:40}", "PULUMI_ACCESS_TOKEN"),
        "buildkite-token" => spec(rng, "bkua_{h:40}", "BUILDKITE_API_TOKEN"),
        "circleci-token" => spec(rng, "CCIPAT_{a:22}_{h:40}", "CIRCLECI_TOKEN"),
        "sonarqube-token" => spec(rng, "sqp_{h:40}", "SONAR_TOKEN"),
        "snyk-token" => spec(rng, "{g}", "SNYK_TOKEN"),
        "databricks-token" => spec(rng, "dapi{h:32}", "DATABRICKS_TOKEN"),
        "planetscale-token" => spec(rng, "pscale_tkn_{u:43}", "PLANETSCALE_SERVICE_TOKEN"),
        "neon-api-key" => spec(rng, "napi_{z:64}", "NEON_API_KEY"),
        "age-secret-key" => spec(rng, "AGE-SECRET-KEY-1{B:58}", "SOPS_AGE_KEY"),
        "mapbox-secret-token" => spec(rng, "sk.eyJ{u:60}.{u:22}", "MAPBOX_SECRET_TOKEN"),
        "algolia-admin-key" => spec(rng, "{h:32}", "ALGOLIA_ADMIN_KEY"),
        "contentful-token" => spec(rng, "CFPAT-{u:43}", "CONTENTFUL_MANAGEMENT_TOKEN"),
        "typeform-token" => spec(rng, "tfp_{u:44}_{u:14}", "TYPEFORM_TOKEN"),
        "airtable-token" => spec(rng, "pat{a:14}.{h:64}", "AIRTABLE_TOKEN"),
        "figma-token" => spec(rng, "figd_{u:40}", "FIGMA_TOKEN"),
        "dropbox-token" => spec(rng, "sl.{u:140}", "DROPBOX_ACCESS_TOKEN"),
        "hubspot-private-app-token" => spec(rng, "pat-na1-{g}", "HUBSPOT_ACCESS_TOKEN"),
        "salesforce-access-token" => spec(rng, "00D{a:12}!{a:96}", "SF_ACCESS_TOKEN"),
        "tailscale-key" => spec(rng, "tskey-auth-{a:12}-{a:32}", "TS_AUTHKEY"),
        "ngrok-authtoken" => spec(rng, "{a:27}_{a:21}", "NGROK_AUTHTOKEN"),
        "prefect-api-key" => spec(rng, "pnu_{a:36}", "PREFECT_API_KEY"),
        "scalingo-token" => spec(rng, "tk-us-{u:48}", "SCALINGO_API_TOKEN"),
        "infracost-api-key" => spec(rng, "ico-{a:32}", "INFRACOST_API_KEY"),
        "readme-api-key" => spec(rng, "rdme_{z:70}", "README_API_KEY"),
        "frameio-token" => spec(rng, "fio-u-{u:64}", "FRAMEIO_TOKEN"),
        "harness-token" => spec(rng, "pat.{u:22}.{h:24}.{a:20}", "HARNESS_API_KEY"),
        "octopus-deploy-api-key" => spec(rng, "API-{A:26}", "OCTOPUS_API_KEY"),
        "lob-api-key" => spec(rng, "live_{h:35}", "LOB_API_KEY"),
        "twitch-client-secret" => spec(rng, "{z:30}", "TWITCH_CLIENT_SECRET"),
        "private-key" => {
            let kind = *rng.pick(&["RSA ", "EC ", "OPENSSH ", "ENCRYPTED ", "", "DSA "]);
            let lines = 6 + rng.below(20);
            block(format!(
                "-----BEGIN {kind}PRIVATE KEY-----\n{}-----END {kind}PRIVATE KEY-----",
                pem_body(rng, lines)
            ))
        }
        "pgp-private-key" => block(format!(
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{}={}\n-----END PGP PRIVATE KEY BLOCK-----",
            pem_body(rng, 20),
            rng.chars(BASE64, 4)
        )),
        "putty-private-key" => {
            let public: String = (0..4)
                .map(|_| format!("{}\n", rng.chars(BASE64, 64)))
                .collect();
            let private: String = (0..8)
                .map(|_| format!("{}\n", rng.chars(BASE64, 64)))
                .collect();
            block(format!(
                "PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nComment: {}@{}\nPublic-Lines: 4\n{public}Private-Lines: 8\n{private}Private-MAC: {}",
                rng.chars(LOWER, 6),
                rng.chars(LOWER, 6),
                rng.chars(HEX, 64)
            ))
        }
        "jwt" => value(jwt(rng, None), "SESSION_JWT"),
        "url-credentials" => {
            let scheme = *rng.pick(&[
                "postgres",
                "postgresql",
                "mysql",
                "mongodb+srv",
                "redis",
                "amqps",
                "ftp",
                "https",
            ]);
            spec(
                rng,
                &format!("{scheme}://{{z:8}}:{{a:18}}@db-{{z:6}}.internal.{{l:6}}.com/{{z:6}}"),
                "DATABASE_URL",
            )
        }
        "connection-string-password" => spec(
            rng,
            "Server=tcp:{z:8}.database.windows.net,1433;Database={z:6};User ID={z:6};Password={a:18};Encrypt=true;",
            "SQL_CONNECTION",
        ),
        "http-basic-auth" => {
            let credentials = format!("{}:{}", rng.chars(LOWER, 7), rng.chars(ALNUM, 18));
            let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
            block(format!(
                "curl -s -H \"Authorization: Basic {encoded}\" https://api.{}.com/v1/items",
                rng.chars(LOWER, 8)
            ))
        }
        "http-bearer-token" => block(format!(
            "headers = {{\"Authorization\": \"Bearer {}\", \"Accept\": \"application/json\"}}",
            expand(rng, "{u:48}")
        )),
        "generic-secret-assignment" => {
            let name = *rng.pick(&[
                "db_password",
                "admin_password",
                "client_secret",
                "jwt_secret",
                "api_token",
                "session_secret",
                "smtp_password",
                "auth_token",
                "webhook_secret",
            ]);
            spec(rng, "{p:22}", name)
        }
        "generic-secret-line" => {
            let name = *rng.pick(&["DB_PASSWORD", "API_SECRET", "AUTH_TOKEN", "REDIS_PASSWORD"]);
            spec(rng, "{a:24}", name)
        }
        other => more::MORE
            .iter()
            .find(|(id, _, _)| *id == other)
            .and_then(|(_, value, name)| spec(rng, value, name)),
    }
}

/// A file of a language, with a setting line for a secret named `name` (styled as that
/// language writes names).
struct Language {
    file: &'static str,
    header: &'static str,
    line: fn(&str, &str) -> String,
    /// Whether an unquoted value is the norm (dotenv, properties, YAML).
    unquoted: bool,
}

fn snake(name: &str) -> String {
    name.to_ascii_lowercase()
}

fn camel(name: &str) -> String {
    let mut out = String::new();
    for (i, part) in name.split('_').filter(|p| !p.is_empty()).enumerate() {
        let lower = part.to_ascii_lowercase();
        if i == 0 {
            out.push_str(&lower);
        } else {
            let mut chars = lower.chars();
            if let Some(first) = chars.next() {
                out.push(first.to_ascii_uppercase());
                out.extend(chars);
            }
        }
    }
    out
}

const LANGUAGES: &[Language] = &[
    Language {
        file: "settings.py",
        header: "import os\n\nDEBUG = False\n",
        line: |n, v| format!("{} = \"{v}\"", n.to_ascii_uppercase()),
        unquoted: false,
    },
    Language {
        file: "config.js",
        header: "'use strict';\n\nconst port = process.env.PORT || 3000;\n",
        line: |n, v| format!("const {} = '{v}';", camel(n)),
        unquoted: false,
    },
    Language {
        file: "env.ts",
        header: "export const region = \"eu-west-1\";\n",
        line: |n, v| format!("export const {}: string = \"{v}\";", camel(n)),
        unquoted: false,
    },
    Language {
        file: "main.go",
        header: "package main\n\nimport \"fmt\"\n\nfunc main() {\n",
        line: |n, v| format!("\t{} := \"{v}\"", camel(n)),
        unquoted: false,
    },
    Language {
        file: "Config.java",
        header: "package com.acme;\n\npublic final class Config {\n",
        line: |n, v| {
            format!(
                "    private static final String {} = \"{v}\";",
                n.to_ascii_uppercase()
            )
        },
        unquoted: false,
    },
    Language {
        file: "Program.cs",
        header: "using System;\n\nnamespace Acme;\n",
        line: |n, v| format!("var {} = \"{v}\";", camel(n)),
        unquoted: false,
    },
    Language {
        file: "config.rb",
        header: "require 'json'\n\n",
        line: |n, v| format!("{} = '{v}'", snake(n)),
        unquoted: false,
    },
    Language {
        file: "values.yaml",
        header: "replicaCount: 2\nimage:\n  tag: 1.4.2\nenv:\n",
        line: |n, v| format!("  {}: \"{v}\"", snake(n)),
        unquoted: false,
    },
    Language {
        file: "app.yaml",
        header: "service: api\nsettings:\n",
        line: |n, v| format!("  {}: {v}", snake(n)),
        unquoted: true,
    },
    Language {
        file: ".env.production",
        header: "NODE_ENV=production\nPORT=8080\n",
        line: |n, v| format!("{}={v}", n.to_ascii_uppercase()),
        unquoted: true,
    },
    Language {
        file: "deploy.sh",
        header: "#!/usr/bin/env bash\nset -euo pipefail\n",
        line: |n, v| format!("export {}=\"{v}\"", n.to_ascii_uppercase()),
        unquoted: false,
    },
    Language {
        file: "config.json",
        header: "{\n  \"name\": \"api\",\n",
        line: |n, v| format!("  \"{}\": \"{v}\",", camel(n)),
        unquoted: false,
    },
    Language {
        file: "config.toml",
        header: "[server]\nport = 8080\n\n[credentials]\n",
        line: |n, v| format!("{} = \"{v}\"", snake(n)),
        unquoted: false,
    },
    Language {
        file: "application.properties",
        header: "server.port=8080\nspring.application.name=api\n",
        line: |n, v| format!("app.{}={v}", snake(n).replace('_', "-")),
        unquoted: true,
    },
    Language {
        file: "Dockerfile",
        header: "FROM debian:bookworm-slim\nWORKDIR /app\n",
        line: |n, v| format!("ENV {}={v}", n.to_ascii_uppercase()),
        unquoted: true,
    },
    Language {
        file: "main.tf",
        header: "terraform {\n  required_version = \">= 1.5\"\n}\n\nlocals {\n",
        line: |n, v| format!("  {} = \"{v}\"", snake(n)),
        unquoted: false,
    },
    Language {
        file: "web.config",
        header: "<configuration>\n  <appSettings>\n",
        line: |n, v| {
            format!(
                "    <add key=\"{}\" value=\"{v}\" />",
                n.to_ascii_uppercase()
            )
        },
        unquoted: false,
    },
    Language {
        file: "config.php",
        header: "<?php\n\ndeclare(strict_types=1);\n",
        line: |n, v| format!("${} = '{v}';", snake(n)),
        unquoted: false,
    },
    Language {
        file: "config.rs",
        header: "//! Settings.\n\n",
        line: |n, v| format!("const {}: &str = \"{v}\";", n.to_ascii_uppercase()),
        unquoted: false,
    },
    Language {
        file: "Settings.kt",
        header: "package acme\n\n",
        line: |n, v| format!("val {} = \"{v}\"", camel(n)),
        unquoted: false,
    },
];

/// Whether a rule's secrets are only recognised next to their provider's name: never planted
/// bare.
fn needs_name(rule: &str) -> bool {
    NEEDS_NAME.contains(&rule) || harden_secrets::RULES.iter().any(|r| r.id == rule && r.near)
}

/// Rules whose secrets have no distinctive form of their own: they are recognised by the
/// setting or provider name next to them, so they are only planted with one.
pub const NEEDS_NAME: &[&str] = &[
    "aws-secret-access-key",
    "azure-devops-legacy-pat",
    "ibm-cloud-api-key",
    "paypal-client-secret",
    "coinbase-access-token",
    "discord-bot-token",
    "twilio-auth-token",
    "postmark-server-token",
    "cohere-api-key",
    "mistral-api-key",
    "datadog-api-key",
    "datadog-app-key",
    "honeycomb-api-key",
    "splunk-hec-token",
    "vault-legacy-token",
    "heroku-legacy-api-key",
    "cloudflare-api-token",
    "cloudflare-global-api-key",
    "fastly-api-token",
    "okta-api-token",
    "auth0-client-secret",
    "vercel-token",
    "snyk-token",
    "algolia-admin-key",
    "ngrok-authtoken",
    "twitch-client-secret",
    "generic-secret-assignment",
    "generic-secret-line",
    "openai-legacy-api-key",
    "generic-key-assignment",
    "razorpay-key-secret",
    "ably-api-key",
    "wandb-api-key",
    "azure-openai-key",
    "pagerduty-api-key",
    "gocardless-token",
    "azure-storage-key",
    "twilio-api-key",
    "asana-pat",
];

/// Places a secret appears without a setting name: calls, commands, comments, prose.
const BARE: &[(&str, &str)] = &[
    ("client.py", "client = ApiClient(\"\u{1}\", timeout=30)"),
    (
        "deploy.sh",
        "curl -fsS -H \"X-Api-Key: \u{1}\" https://api.internal.example/v1/deploy",
    ),
    (
        "notes.md",
        "The staging integration uses `\u{1}` until the rotation in March.",
    ),
    (
        "ci.yml",
        "      - run: ./publish --token \u{1} --dry-run=false",
    ),
    (
        "main.c",
        "static const char *creds[] = { \"\u{1}\", NULL };",
    ),
    (
        "test_api.py",
        "    assert login(\"\u{1}\") is not None  # FIXME remove",
    ),
    ("Makefile", "\tdocker run -e CREDS=\u{1} app:latest"),
    (
        "index.html",
        "<script>window.__CONFIG__ = {k: \"\u{1}\"};</script>",
    ),
];

/// Ordinary lines that surround a planted secret (no secret in them).
const FILLER: &[&str] = &[
    "# retry with exponential backoff, capped at 30 seconds",
    "timeout_seconds = 30",
    "max_connections = 20",
    "log_level = \"info\"",
    "// TODO: move to the shared client once the SDK supports pagination",
    "feature_flags = [\"new-checkout\", \"dark-mode\"]",
    "region = \"eu-west-1\"",
    "cache_ttl = 300",
];

fn filler(rng: &mut Rng) -> &'static str {
    FILLER[rng.below(FILLER.len())]
}

/// A planted secret: where it is and which rule it belongs to.
pub struct Planted {
    pub file: usize,
    pub rule: &'static str,
    pub start: usize,
    pub end: usize,
    pub encoding: Option<&'static str>,
}

pub struct Corpus {
    pub files: Vec<(String, String)>,
    pub planted: Vec<Planted>,
}

fn encode(rng: &mut Rng, text: &str, url_like: bool) -> (String, &'static str) {
    match rng.below(if url_like { 3 } else { 2 }) {
        0 => (
            base64::engine::general_purpose::STANDARD.encode(text),
            "base64",
        ),
        1 => (hex::encode(text), "hex"),
        _ => (
            percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                .to_string(),
            "url",
        ),
    }
}

/// Builds the corpus: `per_rule` positives of every rule in `rules`, spread over the languages,
/// one in eight inside an encoded layer, and the hard negatives.
pub fn build(seed: u64, per_rule: usize, rules: &[&'static str]) -> Corpus {
    let mut rng = Rng::new(seed);
    let mut files = Vec::new();
    let mut planted = Vec::new();
    for &rule in rules {
        for i in 0..per_rule {
            let sample =
                sample(rule, &mut rng).unwrap_or_else(|| panic!("no generator for {rule}"));
            let mut text = String::new();
            let (start, end, encoding, file) = if sample.block {
                let file = format!("keys/{rule}-{i}.txt");
                text.push_str("# material for the deployment\n");
                let start = text.len();
                text.push_str(&sample.value);
                let end = text.len();
                text.push('\n');
                (start, end, None, file)
            } else if i % 8 == 7 {
                // Encoded: a Kubernetes Secret whose data holds a base64 .env line, or a hex /
                // percent-encoded copy in a script.
                let line = format!("{}={}\n", sample.name, sample.value);
                let url_like = sample.value.contains("://");
                let (encoded, how) = encode(&mut rng, &line, url_like);
                text.push_str("apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-env\ntype: Opaque\ndata:\n  app.env: ");
                let start = text.len();
                text.push_str(&encoded);
                let end = text.len();
                text.push('\n');
                (start, end, Some(how), format!("k8s/{rule}-{i}-secret.yaml"))
            } else if i % 4 == 1 && !needs_name(rule) {
                let (file, line) = BARE[(i / 4 + rule.len()) % BARE.len()];
                text.push_str(filler(&mut rng));
                text.push('\n');
                let at = line.find('\u{1}').expect("marker");
                let start = text.len() + at;
                text.push_str(&line.replace('\u{1}', &sample.value));
                let end = start + sample.value.len();
                text.push('\n');
                (start, end, None, format!("bare/{rule}-{i}/{file}"))
            } else {
                let language = &LANGUAGES[(i + rule.len()) % LANGUAGES.len()];
                let language = if language.unquoted && rule == "generic-secret-assignment" {
                    &LANGUAGES[0]
                } else if !language.unquoted && rule == "generic-secret-line" {
                    &LANGUAGES[9]
                } else {
                    language
                };
                text.push_str(language.header);
                text.push_str(filler(&mut rng));
                text.push('\n');
                let marker = "\u{1}";
                let line = (language.line)(&sample.name, marker);
                let at = line.find(marker).expect("marker");
                let start = text.len() + at;
                text.push_str(&line.replace(marker, &sample.value));
                let end = start + sample.value.len();
                text.push('\n');
                text.push_str(filler(&mut rng));
                text.push('\n');
                (
                    start,
                    end,
                    None,
                    format!("src/{rule}-{i}/{}", language.file),
                )
            };
            planted.push(Planted {
                file: files.len(),
                rule,
                start,
                end,
                encoding,
            });
            files.push((file, text));
        }
    }
    for (name, text) in negatives(&mut rng) {
        files.push((name, text));
    }
    Corpus { files, planted }
}

/// Files that hold no secret but look like they might.
fn negatives(rng: &mut Rng) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for round in 0..12 {
        let mut text = String::new();
        let lines = [
            // Placeholders and documentation examples.
            "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE".to_owned(),
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_owned(),
            "STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx".to_owned(),
            "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx".to_owned(),
            "api_key: \"<your-api-key>\"".to_owned(),
            "DB_PASSWORD=your-db-password-here".to_owned(),
            "token = \"REPLACE_ME_WITH_A_REAL_TOKEN\"".to_owned(),
            "SLACK_BOT_TOKEN=xoxb-your-bot-token".to_owned(),
            "password: \"********\"".to_owned(),
            // Commands that read the password from elsewhere or prompt for it.
            "echo \"$REGISTRY_PASSWORD\" | docker login -u bot --password-stdin registry.internal".to_owned(),
            "docker login -u bot -p \"$REGISTRY_PASSWORD\" registry.internal".to_owned(),
            "mysql -h db -u root -p shop < dump.sql".to_owned(),
            "mysql -h db -P 3306 -u app -p\"${MYSQL_PASSWORD}\" shop".to_owned(),
            "htpasswd -c /etc/nginx/.htpasswd admin".to_owned(),
            "htpasswd -b /etc/nginx/.htpasswd admin \"$ADMIN_PASSWORD\"".to_owned(),
            "2024-05-01T10:00:00Z INFO rotated DB_PASSWORD: ok (next rotation in 30 days)".to_owned(),
            "RECAPTCHA_SITE_KEY=6LcX2aUpAAAAAJ8vNkS3hHqYt1b0wZpLmRcQeT4u".to_owned(),
            "MAPBOX_TOKEN=pk.eyJ1IjoiYWNtZSIsImEiOiJjbHh5ejEyMzQwMDAwMmpxcjZ5cXk0a2ZxIn0.dGVzdHRlc3R0ZXN0dGVzdA".to_owned(),
            // References to values kept elsewhere.
            "password: ${DB_PASSWORD}".to_owned(),
            "token: \"{{ .Values.apiToken }}\"".to_owned(),
            "api_key = os.environ[\"API_KEY\"]".to_owned(),
            "const secret = process.env.JWT_SECRET;".to_owned(),
            "client_secret = settings.OAUTH_CLIENT_SECRET".to_owned(),
            "DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app".to_owned(),
            "secret_ref: vault:secret/data/payments#stripe_key".to_owned(),
            "password = request.form[\"password\"]".to_owned(),
            "self.api_token = api_token".to_owned(),
            "token = jwt.encode(payload, signing_key, algorithm=\"HS256\")".to_owned(),
            // Secret-named settings that hold no secret.
            "token_url = \"https://oauth2.example.com/token\"".to_owned(),
            "password_min_length = 12".to_owned(),
            "secret_name = \"prod/payments/stripe-api-key\"".to_owned(),
            "api_key_header = \"X-Api-Key\"".to_owned(),
            "PASSWORD_HASH_ALGORITHM=argon2id".to_owned(),
            "private_key_path = \"/etc/ssl/private/server.key\"".to_owned(),
            "auth_token_ttl: 3600".to_owned(),
            format!("password_hash = \"$argon2id$v=19$m=65536,t=3,p=4${}\"", rng.chars(BASE64, 22)),
            format!("token_digest: \"{}\"", rng.chars(HEX, 64)),
            format!("secret_version_id = \"{}\"", uuid(rng)),
            // Hashes, ids, integrity strings.
            format!("checksum = \"{}\"", rng.chars(HEX, 64)),
            format!("commit: {}", rng.chars(HEX, 40)),
            format!("{}  release.tar.gz", rng.chars(HEX, 32)),
            format!("\"integrity\": \"sha512-{}==\",", rng.chars(BASE64, 86)),
            format!("github.com/acme/lib v1.2.3 h1:{}=", rng.chars(BASE64, 43)),
            format!("request_id = \"{}\"", uuid(rng)),
            format!("\"id\": \"{}\",", uuid(rng)),
            format!("tenant: {}", uuid(rng)),
            format!("image: registry.example.com/api@sha256:{}", rng.chars(HEX, 64)),
            format!("<script src=\"/static/main.{}.js\"></script>", rng.chars(HEX, 20)),
            format!("background: url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAA{}AAAAElFTkSuQmCC);", rng.chars(BASE64, 120)),
            format!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{} deploy@ci", rng.chars(BASE64, 43)),
            format!("let cacheKey = \"user:{}:profile\";", rng.chars(DIGITS, 6)),
            format!("version = \"{}.{}.{}\"", rng.below(10), rng.below(30), rng.below(100)),
            // URLs without credentials.
            "redis_url = \"redis://cache:6379/0\"".to_owned(),
            "url = \"https://api.example.com/v1/users?page=2&per_page=50\"".to_owned(),
            "mongodb+srv://cluster0.mongodb.net/test?retryWrites=true".to_owned(),
            "git clone https://git@github.com/acme/api.git".to_owned(),
            "http://user@proxy.internal:3128/".to_owned(),
            // Public material.
            format!("-----BEGIN PUBLIC KEY-----\n{}-----END PUBLIC KEY-----", pem_body(rng, 6)),
            format!("-----BEGIN CERTIFICATE-----\n{}-----END CERTIFICATE-----", pem_body(rng, 10)),
            // Long identifiers and words.
            "fn resolve_dependency_graph_for_workspace_members() {}".to_owned(),
            "const someVeryLongIdentifierNameForTheDashboard = 1;".to_owned(),
            "passwordResetTokenExpiresInMinutes = 30".to_owned(),
            // Lockfiles.
            format!("    \"node_modules/left-pad\": {{\n      \"version\": \"1.3.0\",\n      \"resolved\": \"https://registry.example.org/left-pad/-/left-pad-1.3.0.tgz\",\n      \"integrity\": \"sha512-{}==\"\n    }},", rng.chars(BASE64, 86)),
            format!("left-pad@^1.3.0:\n  version \"1.3.0\"\n  resolved \"https://registry.example.org/left-pad/-/left-pad-1.3.0.tgz#{}\"\n  integrity sha1-{}=", rng.chars(HEX, 40), rng.chars(BASE64, 27)),
            format!("[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"", rng.chars(HEX, 64)),
            format!("files = [\n    {{file = \"requests-2.32.0-py3-none-any.whl\", hash = \"sha256:{}\"}},\n]", rng.chars(HEX, 64)),
            format!("golang.org/x/net v0.24.0/go.mod h1:{}=", rng.chars(BASE64, 43)),
            format!("      \"reference\": \"{}\",", rng.chars(HEX, 40)),
            format!("  resolution: {{integrity: sha512-{}==}}", rng.chars(BASE64, 86)),
            // Ids next to provider names.
            format!("HEROKU_APP_ID={}", uuid(rng)),
            format!("splunk_index = \"main\"  # request {}", uuid(rng)),
            format!("postmark_message_id: {}", uuid(rng)),
            format!("DATADOG_TRACE_ID={}", rng.chars(DIGITS, 19)),
            format!("snyk_org_id = \"{}\"", uuid(rng)),
            // Public keys and documentation examples.
            format!("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{}-----END PGP PUBLIC KEY BLOCK-----", pem_body(rng, 8)),
            format!("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{} ops@bastion", rng.chars(BASE64, 300)),
            "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c".to_owned(),
            format!("<link rel=\"stylesheet\" href=\"/app.css\" integrity=\"sha384-{}\" crossorigin=\"anonymous\">", rng.chars(BASE64, 64)),
            format!("{{\"version\":3,\"sources\":[\"app.ts\"],\"mappings\":\"AAAA,SAAS,{};AACA\"}}", rng.chars(LETTERS, 30)),
            format!("$ANSIBLE_VAULT;1.1;AES256\n{}\n{}", rng.chars(HEX, 80), rng.chars(HEX, 80)),
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}".to_owned(),
            "{\"auths\": {}, \"credsStore\": \"desktop\"}".to_owned(),
            "api_key = \"test-api-key-1234\"".to_owned(),
            "password: \"P@ssw0rd_example\"".to_owned(),
        ];
        for (i, line) in lines.iter().enumerate() {
            if (i + round) % 3 == 0 || round == 0 {
                text.push_str(line);
                text.push('\n');
            }
        }
        files.push((format!("negatives/case-{round}.txt"), text));
    }
    files
}
