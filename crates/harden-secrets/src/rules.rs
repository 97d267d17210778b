//! The built-in rules, written from the providers' published token formats.

use crate::validate;

/// One kind of credential.
#[derive(Debug)]
pub struct Rule {
    /// Stable id (`github-pat`).
    pub id: &'static str,
    /// What it finds.
    pub description: &'static str,
    /// Literal strings one of which must occur for the rule to run (case-insensitive).
    pub keywords: &'static [&'static str],
    /// The pattern; the secret is capture group 1 (or the whole match without groups).
    pub pattern: &'static str,
    /// Reject matches whose secret has less entropy (bits per character).
    pub min_entropy: Option<f64>,
    /// A format check the secret must pass.
    pub validator: Option<fn(&str) -> bool>,
}

const fn rule(
    id: &'static str,
    description: &'static str,
    keywords: &'static [&'static str],
    pattern: &'static str,
) -> Rule {
    Rule {
        id,
        description,
        keywords,
        pattern,
        min_entropy: None,
        validator: None,
    }
}

/// Every built-in rule.
pub static RULES: &[Rule] = &[
    rule(
        "aws-access-key-id",
        "AWS access key id",
        &["akia", "asia", "abia", "acca"],
        r"\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
    ),
    Rule {
        min_entropy: Some(4.0),
        ..rule(
            "aws-secret-access-key",
            "AWS secret access key next to its name",
            &["aws_secret", "secret_access_key", "secretaccesskey"],
            r#"(?i)(?:aws_?secret_?access_?key|secretaccesskey)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})\b"#,
        )
    },
    Rule {
        validator: Some(validate::github_checksum),
        ..rule(
            "github-pat",
            "GitHub personal access token (classic)",
            &["ghp_"],
            r"\b(ghp_[A-Za-z0-9]{36})\b",
        )
    },
    Rule {
        validator: Some(validate::github_checksum),
        ..rule(
            "github-oauth",
            "GitHub OAuth access token",
            &["gho_"],
            r"\b(gho_[A-Za-z0-9]{36})\b",
        )
    },
    Rule {
        validator: Some(validate::github_checksum),
        ..rule(
            "github-app-token",
            "GitHub App user-to-server or installation token",
            &["ghu_", "ghs_"],
            r"\b(gh[us]_[A-Za-z0-9]{36})\b",
        )
    },
    Rule {
        validator: Some(validate::github_checksum),
        ..rule(
            "github-refresh-token",
            "GitHub refresh token",
            &["ghr_"],
            r"\b(ghr_[A-Za-z0-9]{36})\b",
        )
    },
    rule(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        &["github_pat_"],
        r"\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b",
    ),
    rule(
        "gitlab-pat",
        "GitLab personal access token",
        &["glpat-"],
        r"\b(glpat-[A-Za-z0-9_-]{20,})\b",
    ),
    rule(
        "slack-bot-token",
        "Slack bot token",
        &["xoxb-"],
        r"\b(xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24,34})\b",
    ),
    rule(
        "slack-user-token",
        "Slack user token",
        &["xoxp-"],
        r"\b(xoxp-[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-[a-f0-9]{32})\b",
    ),
    rule(
        "slack-webhook",
        "Slack incoming webhook",
        &["hooks.slack.com"],
        r"(https://hooks\.slack\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24})",
    ),
    rule(
        "stripe-secret-key",
        "Stripe live secret or restricted key",
        &["sk_live_", "rk_live_"],
        r"\b([sr]k_live_[A-Za-z0-9]{24,99})\b",
    ),
    rule(
        "openai-api-key",
        "OpenAI API key (project, service account or legacy)",
        &["sk-proj-", "sk-svcacct-", "t3blbkfj"],
        r"\b(sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,200}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})\b",
    ),
    rule(
        "anthropic-api-key",
        "Anthropic API key",
        &["sk-ant-"],
        r"\b(sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,120})\b",
    ),
    rule(
        "huggingface-token",
        "Hugging Face access token",
        &["hf_"],
        r"\b(hf_[A-Za-z]{34})\b",
    ),
    rule(
        "npm-token",
        "npm access token",
        &["npm_"],
        r"\b(npm_[A-Za-z0-9]{36})\b",
    ),
    rule(
        "pypi-token",
        "PyPI upload token",
        &["pypi-ageichlwas5vcmc"],
        r"\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})",
    ),
    rule(
        "sendgrid-api-key",
        "SendGrid API key",
        &["sg."],
        r"\b(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})\b",
    ),
    rule(
        "twilio-api-key",
        "Twilio API key SID",
        &["twilio"],
        r"(?i)twilio[^\n]{0,40}\b(SK[0-9a-f]{32})\b",
    ),
    rule(
        "google-api-key",
        "Google API key",
        &["aiza"],
        r"\b(AIza[0-9A-Za-z_-]{35})\b",
    ),
    rule(
        "digitalocean-token",
        "DigitalOcean personal access token",
        &["dop_v1_"],
        r"\b(dop_v1_[a-f0-9]{64})\b",
    ),
    rule(
        "doppler-token",
        "Doppler service token",
        &["dp.st."],
        r"\b(dp\.st\.[A-Za-z0-9_-]{2,35}\.[A-Za-z0-9]{40,44})\b",
    ),
    rule(
        "linear-api-key",
        "Linear API key",
        &["lin_api_"],
        r"\b(lin_api_[A-Za-z0-9]{40})\b",
    ),
    rule(
        "shopify-token",
        "Shopify access token",
        &["shpat_", "shpca_", "shppa_"],
        r"\b(shp(?:at|ca|pa)_[a-fA-F0-9]{32})\b",
    ),
    rule(
        "postman-api-key",
        "Postman API key",
        &["pmak-"],
        r"\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b",
    ),
    Rule {
        validator: Some(validate::pem_body),
        ..rule(
            "private-key",
            "PEM private key (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted or not)",
            &["private key-----"],
            r"(-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----)",
        )
    },
    Rule {
        validator: Some(validate::pem_body),
        ..rule(
            "pgp-private-key",
            "PGP private key block",
            &["pgp private key block"],
            r"(-----BEGIN PGP PRIVATE KEY BLOCK-----[\s\S]+?-----END PGP PRIVATE KEY BLOCK-----)",
        )
    },
    Rule {
        validator: Some(validate::jwt),
        ..rule(
            "jwt",
            "JSON Web Token",
            &["eyj"],
            r"\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})",
        )
    },
    Rule {
        min_entropy: Some(2.5),
        ..rule(
            "url-credentials",
            "Password in a URL or connection string",
            &["://"],
            r"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|ftp|https?|sqlserver)://[^\s:/@'\x22]{1,64}:([^\s@/'\x22]{6,128})@[A-Za-z0-9.\-]+",
        )
    },
    Rule {
        min_entropy: Some(3.3),
        ..rule(
            "generic-secret-assignment",
            "High-entropy value assigned to a secret-named variable",
            &[
                "password",
                "passwd",
                "secret",
                "token",
                "api_key",
                "apikey",
                "api-key",
                "access_key",
                "private_key",
                "client_secret",
            ],
            r#"(?i)\b[a-z0-9_.-]*(?:password|passwd|secret|token|api_?key|api-key|access_?key|private_?key|client_?secret)[a-z0-9_.-]*["']?\s*(?:[:=]|:=|=>)\s*["']([A-Za-z0-9+/_\-.~!@#$%^&*]{12,128})["']"#,
        )
    },
    Rule {
        min_entropy: Some(3.5),
        validator: Some(validate::mixed_letters_and_digits),
        ..rule(
            "generic-secret-line",
            "High-entropy unquoted value of a secret-named setting (.env, YAML, properties)",
            &[
                "password",
                "passwd",
                "secret",
                "token",
                "api_key",
                "apikey",
                "access_key",
                "private_key",
            ],
            r"(?im)^[ \t]*(?:export[ \t]+)?[a-z0-9_.-]*(?:password|passwd|secret|token|api_?key|access_?key|private_?key)[a-z0-9_.-]*[ \t]*[:=][ \t]*([A-Za-z0-9+/_\-.~!@#%^*=]{16,128})[ \t]*\r?$",
        )
    },
];
