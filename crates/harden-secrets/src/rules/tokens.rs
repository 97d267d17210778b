//! Tokens with a prefix of their own, each written from its provider's documentation of the
//! format (the link above each rule).

use super::{Rule, entropy, rule};

/// Rules for tokens a scanner recognises by their own prefix or shape.
pub(super) const TOKENS: &[Rule] = &[
    // https://axiom.co/docs/guides/go
    rule(
        "axiom-token",
        "Axiom API token or personal access token",
        &["xaat-", "xapt-"],
        r"\b(xa[ap]t-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    // https://logfire.pydantic.dev/docs/reference/advanced/migrate-to-new-project/
    entropy(
        rule(
            "pydantic-logfire-token",
            "Pydantic Logfire write or API token",
            &["pylf_v"],
            r"\b(pylf_v\d{1,2}_[a-z]{2,6}_[A-Za-z0-9]{30,64})\b",
        ),
        3.5,
    ),
    // https://docs.dependencytrack.org/getting-started/configuration/
    entropy(
        rule(
            "dependency-track-api-key",
            "OWASP Dependency-Track API key",
            &["odt_"],
            r"\b(odt_(?:[A-Za-z0-9]{8}_[A-Za-z0-9]{32}|[A-Za-z0-9]{32}))\b",
        ),
        3.5,
    ),
    // https://trigger.dev/docs/management/multiple-clients
    entropy(
        rule(
            "trigger-dev-secret-key",
            "Trigger.dev environment secret key",
            &["tr_dev_", "tr_prod_", "tr_stg_", "tr_preview_"],
            r"\b(tr_(?:dev|prod|stg|preview)_(?:sk_)?[A-Za-z0-9]{24})\b",
        ),
        3.3,
    ),
    // https://trigger.dev/docs/management/authentication
    entropy(
        rule(
            "trigger-dev-pat",
            "Trigger.dev personal access token",
            &["tr_pat_"],
            r"\b(tr_pat_[a-z0-9]{40})\b",
        ),
        3.3,
    ),
    // https://www.ory.sh/docs/security-compliance/token-formats
    entropy(
        rule(
            "ory-api-key",
            "Ory Network project API key",
            &["ory_pat_", "ory_apikey_"],
            r"\b(ory_(?:pat|apikey)_[A-Za-z0-9]{32,64})\b",
        ),
        3.5,
    ),
    // https://www.ory.sh/docs/security-compliance/token-formats
    entropy(
        rule(
            "ory-oauth2-token",
            "Ory OAuth2 access token, refresh token or authorization code",
            &["ory_at_", "ory_rt_", "ory_ac_"],
            r"\b(ory_(?:at|rt|ac)_[A-Za-z0-9_-]{20,64}\.[A-Za-z0-9_-]{20,64})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.5,
    ),
    // https://www.ory.sh/docs/security-compliance/token-formats
    entropy(
        rule(
            "ory-session-token",
            "Ory Identities (Kratos) session token",
            &["ory_st_"],
            r"\b(ory_st_[A-Za-z0-9]{32,64})\b",
        ),
        3.5,
    ),
    // https://docs.netbird.io/selfhosted/automated-setup
    entropy(
        rule(
            "netbird-pat",
            "NetBird personal access token",
            &["nbp_"],
            r"\b(nbp_[A-Za-z0-9]{36})\b",
        ),
        3.5,
    ),
    // https://github.com/e2b-dev/E2B/blob/main/packages/js-sdk/README.md
    entropy(
        rule(
            "e2b-api-key",
            "E2B API key",
            &["e2b_"],
            r"\b(e2b_[0-9a-f]{40})\b",
        ),
        3.0,
    ),
    // https://docs.runpod.io/public-endpoints/ai-coding-tools
    entropy(
        rule(
            "runpod-api-key",
            "Runpod API key",
            &["rpa_"],
            r"\b(rpa_[A-Za-z0-9]{30,64})\b",
        ),
        3.5,
    ),
    // https://docs.runpod.io/storage/s3-api
    entropy(
        rule(
            "runpod-s3-secret",
            "Runpod S3-compatible API secret",
            &["rps_"],
            r"\b(rps_[A-Za-z0-9]{30,64})\b",
        ),
        3.5,
    ),
    // https://docs.apify.com/platform/integrations/openclaw
    entropy(
        rule(
            "apify-api-token",
            "Apify API token",
            &["apify_api_"],
            r"\b(apify_api_[A-Za-z0-9]{30,40})\b",
        ),
        3.5,
    ),
    // https://zuplo.com/docs/concepts/api-keys#api-key-format
    entropy(
        rule(
            "zuplo-api-key",
            "Zuplo API key",
            &["zpka_"],
            r"\b(zpka_[a-f0-9]{32}_[a-f0-9]{8})\b",
        ),
        3.0,
    ),
    // https://www.chromatic.com/docs/configure/#options
    rule(
        "chromatic-project-token",
        "Chromatic project token",
        &["chpt_"],
        r"\b(chpt_[a-f0-9]{12,40})\b",
    ),
    // https://developers.plane.so/api-reference/introduction
    entropy(
        rule(
            "plane-api-key",
            "Plane API key",
            &["plane_api_"],
            r"\b(plane_api_[a-f0-9]{32})\b",
        ),
        3.0,
    ),
    // https://docs.firecrawl.dev/advanced-scraping-guide
    entropy(
        rule(
            "firecrawl-api-key",
            "Firecrawl API key",
            &["fc-"],
            r"\b(fc-[A-Za-z0-9]{24,64})\b",
        ),
        3.0,
    ),
    // https://github.com/tavily-ai/tavily-python/blob/master/README.md
    entropy(
        rule(
            "tavily-api-key",
            "Tavily API key",
            &["tvly-"],
            r"\b(tvly-(?:dev-|prod-)?[A-Za-z0-9]{24,64})\b",
        ),
        3.3,
    ),
    // https://github.com/run-llama/llama_cloud_services
    entropy(
        rule(
            "llamacloud-api-key",
            "LlamaCloud (LlamaParse) API key",
            &["llx-"],
            r"\b(llx-[A-Za-z0-9]{24,64})\b",
        ),
        3.5,
    ),
    // https://docs.ntfy.sh/config/#access-tokens
    entropy(
        rule(
            "ntfy-access-token",
            "ntfy access token",
            &["tk_"],
            r"\b(tk_[A-Za-z0-9]{29})\b",
        ),
        3.5,
    ),
    // https://github.com/akamai/AkamaiOPEN-edgegrid-python/blob/master/README.md
    rule(
        "akamai-edgegrid-token",
        "Akamai EdgeGrid client or access token",
        &["akab-"],
        r"\b(akab-[a-z0-9]{16,32}-[a-z0-9]{6,16})(?:[^A-Za-z0-9.-]|$)",
    ),
    // https://github.com/bitwarden/sdk-sm/blob/main/crates/fake-server/README.md
    rule(
        "bitwarden-sm-access-token",
        "Bitwarden Secrets Manager machine-account access token",
        &["bws", "bitwarden"],
        r"(?i:bws|bitwarden)[^\n]{0,40}?\b(0\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[A-Za-z0-9]{30}:[A-Za-z0-9+/]{22}==)",
    ),
    // https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication
    entropy(
        rule(
            "woocommerce-api-key",
            "WooCommerce REST API consumer key or consumer secret",
            &["ck_", "cs_"],
            r"\b(c[ks]_[a-f0-9]{40})\b",
        ),
        3.0,
    ),
    // https://github.com/cloudinary/cloudinary_npm/blob/master/README.md
    rule(
        "cloudinary-url",
        "Cloudinary URL with API key and secret",
        &["cloudinary://"],
        r"(cloudinary://[0-9]{10,20}:[A-Za-z0-9_-]{20,40}@[A-Za-z0-9_-]{1,64})",
    ),
    // https://developer.paddle.com/api-reference/about/authentication
    entropy(
        rule(
            "paddle-api-key",
            "Paddle Billing API key",
            &["pdl_live_apikey_", "pdl_sdbx_apikey_", "pdl_test_apikey_"],
            r"\b(pdl_(?:live|sdbx|test)_apikey_[0-9a-z]{26}_[A-Za-z0-9]{22}_[A-Za-z0-9]{3})\b",
        ),
        3.5,
    ),
    // https://github.com/Midtrans/midtrans-nodejs-client/blob/master/README.md
    entropy(
        rule(
            "midtrans-server-key",
            "Midtrans server key",
            &["mid-server-"],
            r"\b((?:SB-)?Mid-server-[A-Za-z0-9_-]{24})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.3,
    ),
    // https://github.com/xendit/xendit-node/blob/master/index.ts
    entropy(
        rule(
            "xendit-secret-key",
            "Xendit secret API key",
            &["xnd_production_", "xnd_development_"],
            r"\b(xnd_(?:production|development)_[A-Za-z0-9]{40,100})\b",
        ),
        3.5,
    ),
    // https://pve.proxmox.com/pve-docs/pveum.1.html
    rule(
        "proxmox-api-token",
        "Proxmox VE API token (PVEAPIToken header value)",
        &["pveapitoken="],
        r"(PVEAPIToken=[A-Za-z0-9._-]{1,64}@[A-Za-z0-9._-]{1,32}![A-Za-z0-9._-]{1,64}=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    // https://developer.konghq.com/konnect-api/#system-accounts-and-access-tokens
    entropy(
        rule(
            "kong-konnect-token",
            "Kong Konnect personal or system account access token",
            &["kpat_", "spat_"],
            r"\b((?:kpat|spat)_[A-Za-z0-9]{45,55})\b",
        ),
        3.5,
    ),
    // https://docs.mem0.ai/integrations/claude-code
    entropy(
        rule(
            "mem0-api-key",
            "Mem0 platform API key",
            &["m0-"],
            r"\b(m0-[A-Za-z0-9]{30,64})\b",
        ),
        3.5,
    ),
    // https://posthog.com/docs/api/personal-api-keys
    entropy(
        rule(
            "posthog-personal-api-key",
            "PostHog personal API key",
            &["phx_"],
            r"\b(phx_[A-Za-z0-9]{40,50})\b",
        ),
        3.5,
    ),
    // https://posthog.com/docs/api/project-secret-api-keys/overview
    entropy(
        rule(
            "posthog-project-secret-api-key",
            "PostHog project secret API key",
            &["phs_"],
            r"\b(phs_[A-Za-z0-9]{40,50})\b",
        ),
        3.5,
    ),
    // https://developers.pinterest.com/docs/developer-tools/token-debugger/
    entropy(
        rule(
            "pinterest-token",
            "Pinterest API v5 access or refresh token",
            &["pina_", "pinr_"],
            r"\b(pin[ar]_[A-Za-z0-9]{40,200})\b",
        ),
        3.0,
    ),
    // https://developer.amazon.com/docs/login-with-amazon/refresh-token.html
    entropy(
        rule(
            "amazon-lwa-token",
            "Login with Amazon (LWA) access or refresh token",
            &["atza|", "atzr|"],
            r"(Atz[ar]\|[A-Za-z0-9_-]{300,2000})",
        ),
        4.0,
    ),
];
