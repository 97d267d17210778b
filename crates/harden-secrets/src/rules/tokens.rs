//! Tokens with a prefix of their own, each written from its provider's documentation of the
//! format (the link above each rule).

use super::{Rule, checked, entropy, rule};
use crate::validate;

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
    // https://polar.sh/docs/api-reference/introduction
    entropy(
        rule(
            "polar-access-token",
            "Polar organization, personal or OAuth2 access/refresh token",
            &["polar_oat_", "polar_pat_", "polar_at_", "polar_rt_"],
            r"\b(polar_(?:oat|pat|at_[uo]|rt_[uo])_[A-Za-z0-9]{43})\b",
        ),
        3.5,
    ),
    // https://docs.convex.dev/cli/deploy-key-types
    entropy(
        rule(
            "convex-deploy-key",
            "Convex deploy key (production, preview, dev or project)",
            &["|eyj2"],
            r"\b((?:prod|dev|preview|project):[a-z0-9][a-z0-9:-]{2,127}\|eyJ2[A-Za-z0-9_+/=-]{20,600})",
        ),
        3.5,
    ),
    // https://pbs.proxmox.com/docs/user-management.html#api-tokens
    rule(
        "proxmox-backup-api-token",
        "Proxmox Backup Server API token (PBSAPIToken header value)",
        &["pbsapitoken="],
        r"(PBSAPIToken=[A-Za-z0-9._-]{1,64}@[A-Za-z0-9._-]{1,32}![A-Za-z0-9._-]{1,64}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    // https://docs.getunleash.io/concepts/api-tokens-and-client-keys
    entropy(
        rule(
            "unleash-api-token",
            "Unleash backend, frontend or admin API token",
            &[":development.", ":production.", ":default.", "*:*."],
            r"(?:^|[^A-Za-z0-9_*:.-])((?:\*|[A-Za-z0-9_-]{1,64}):(?:development|production|default|\*)\.[a-f0-9]{32,64})\b",
        ),
        3.0,
    ),
    // https://docs.flagsmith.com/deployment-self-hosting/edge-proxy
    // `ser.` is also a package segment (Jackson's `databind.ser.BeanSerializerModifier`, 22
    // letters): not after a dot, not followed by one, and with digits among the letters.
    checked(
        entropy(
            rule(
                "flagsmith-server-key",
                "Flagsmith server-side environment key",
                &["ser."],
                r"(?:^|[^A-Za-z0-9_.])(ser\.[A-Za-z0-9]{22})(?:[^A-Za-z0-9_.]|$)",
            ),
            3.5,
        ),
        validate::mixed_letters_and_digits,
    ),
    // https://clickup.com/api/developer-portal/authentication/
    entropy(
        rule(
            "clickup-personal-token",
            "ClickUp personal API token",
            &["pk_"],
            r"\b(pk_[0-9]{1,12}_[A-Z0-9]{32})\b",
        ),
        3.3,
    ),
    // https://www.jetbrains.com/help/youtrack/devportal/authentication-with-permanent-token.html
    entropy(
        rule(
            "youtrack-permanent-token",
            "JetBrains YouTrack / Hub permanent token",
            &["perm:"],
            r"\b(perm:[A-Za-z0-9+/=_-]{2,128}\.[A-Za-z0-9+/=_-]{2,128}\.[A-Za-z0-9]{30})\b",
        ),
        3.5,
    ),
    // https://registry.terraform.io/providers/cockroachdb/cockroach/latest/docs/resources/api_key
    entropy(
        rule(
            "cockroachdb-cloud-api-key",
            "CockroachDB Cloud API key (service account secret)",
            &["ccdb1_"],
            r"\b(CCDB1_[A-Za-z0-9]{22}_[A-Za-z0-9]{40})\b",
        ),
        3.5,
    ),
    // https://github.com/datastax/astrapy/blob/main/README.md
    entropy(
        rule(
            "datastax-astra-token",
            "DataStax Astra DB application token",
            &["astracs:"],
            r"\b(AstraCS:[A-Za-z]{24}:[a-f0-9]{64})\b",
        ),
        3.5,
    ),
    // https://github.com/NVIDIA/GenerativeAIExamples/blob/main/RAG/examples/basic_rag/langchain/README.md
    entropy(
        rule(
            "nvidia-api-key",
            "NVIDIA API key (build.nvidia.com / NGC personal key)",
            &["nvapi-"],
            r"\b(nvapi-[A-Za-z0-9_-]{40,80})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.5,
    ),
    // https://github.com/resend/resend-node/blob/main/readme.md
    entropy(
        rule(
            "resend-api-key",
            "Resend API key",
            &["re_"],
            r"\b(re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24})\b",
        ),
        3.5,
    ),
    // https://github.com/scaleway/scaleway-cli/blob/master/docs/commands/help.md
    entropy(
        rule(
            "scaleway-access-key-id",
            "Scaleway API access key ID",
            &["scw"],
            r"\b(SCW[A-Z0-9]{17})\b",
        ),
        3.0,
    ),
    // https://github.com/checkout/checkout-sdk-node/blob/master/README.md
    entropy(
        rule(
            "checkout-com-secret-key",
            "Checkout.com secret key (NAS, live or sandbox)",
            &["sk_sbox_", "sk_"],
            r"\b(sk_(?:sbox_)?[a-z2-7]{26}[a-z2-7*#$=])(?:[^A-Za-z0-9_*#$=]|$)",
        ),
        3.5,
    ),
    // https://buildkite.com/docs/platform/security/tokens
    entropy(
        rule(
            "buildkite-agent-token",
            "Buildkite agent registration or session token",
            &["bkct_", "bkar_", "bkaa_"],
            r"\b(bk(?:ct|ar|aa)_[A-Za-z0-9_-]{60,90})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.5,
    ),
    // https://buildkite.com/docs/platform/security/tokens
    entropy(
        rule(
            "buildkite-agent-job-token",
            "Buildkite agent job token",
            &["bkaj_"],
            r"\b(bkaj_[A-Za-z0-9_.-]{200,500})",
        ),
        3.5,
    ),
    // https://buildkite.com/docs/platform/security/tokens
    entropy(
        rule(
            "buildkite-registry-token",
            "Buildkite Package Registries token",
            &["bkpt_"],
            r"\b(bkpt_[A-Za-z0-9_.-]{150,260})",
        ),
        3.5,
    ),
    // https://buildkite.com/docs/platform/security/tokens
    entropy(
        rule(
            "buildkite-portal-token",
            "Buildkite portal token or portal secret",
            &["bkpat_", "bkps_"],
            r"\b(bk(?:pat|ps)_[A-Za-z0-9_-]{40,80})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.5,
    ),
    // https://upstash.com/docs/qstash/howto/local-development
    entropy(
        rule(
            "upstash-qstash-signing-key",
            "Upstash QStash request signing key",
            &["sig_"],
            r"\b(sig_[A-Za-z0-9]{28})\b",
        ),
        3.5,
    ),
    // https://upstash.com/docs/qstash/howto/local-development
    entropy(
        rule(
            "upstash-qstash-token",
            "Upstash QStash token",
            &["eyjvc2vysuqioi"],
            r"\b(eyJVc2VySUQiOi[A-Za-z0-9+/]{20,300}={0,2})",
        ),
        3.5,
    ),
    // https://elastic.co/docs/api/doc/elastic-cloud-serverless/authentication
    entropy(
        rule(
            "elastic-cloud-api-key",
            "Elastic Cloud (organization) API key",
            &["essu_"],
            r"\b(essu_[A-Za-z0-9+/]{60,200}={0,2})",
        ),
        4.0,
    ),
    // https://docs.k3s.io/cli/token
    entropy(
        rule(
            "k3s-cluster-token",
            "K3s cluster join token (secure format)",
            &["k10"],
            r"\b(K10[a-f0-9]{64}::(?:[A-Za-z0-9_-]{1,64}:[A-Za-z0-9._~+/=-]{6,256}|[a-z0-9]{6}\.[a-z0-9]{16}))",
        ),
        3.0,
    ),
    // https://www.prisma.io/docs/orm/reference/connection-urls
    entropy(
        rule(
            "prisma-accelerate-url",
            "Prisma Postgres / Accelerate connection URL with its API key",
            &["accelerate.prisma-data.net"],
            r"(prisma(?:\+postgres)?://accelerate\.prisma-data\.net/?\?api_key=eyJ[A-Za-z0-9_-]{10,1000}\.eyJ[A-Za-z0-9_-]{10,2000}\.[A-Za-z0-9_-]{10,500})",
        ),
        4.0,
    ),
    // https://docs.influxdata.com/influxdb3/core/api/auth-token/
    entropy(
        rule(
            "influxdb3-token",
            "InfluxDB 3 (Core/Enterprise) admin or resource token",
            &["apiv3_"],
            r"\b(apiv3_[A-Za-z0-9_-]{40,200})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.5,
    ),
    // https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token-expiry.html
    entropy(
        rule(
            "zoho-oauth-token",
            "Zoho OAuth access, refresh token or grant code",
            &["1000."],
            r"\b(1000\.[a-f0-9]{32}\.[a-f0-9]{32})\b",
        ),
        3.0,
    ),
    // https://docs.mercury.com/reference/getting-started-with-your-api
    entropy(
        rule(
            "mercury-api-token",
            "Mercury (banking) API token",
            &["secret-token:mercury_"],
            r"(secret-token:mercury_(?:production|sandbox)_[A-Za-z0-9_]{20,120})\b",
        ),
        3.5,
    ),
    // https://docs.ubidots.com/v1.6/reference/authentication
    entropy(
        rule(
            "ubidots-token",
            "Ubidots API token",
            &["bbff-"],
            r"\b(BBFF-[A-Za-z0-9]{30,60})\b",
        ),
        3.5,
    ),
    // https://api-docs.inngest.com/authentication
    entropy(
        rule(
            "inngest-signing-key",
            "Inngest environment signing key",
            &["signkey-"],
            r"\b(signkey-[a-z0-9]{2,16}-[a-f0-9]{64})\b",
        ),
        3.0,
    ),
    // https://api-docs.inngest.com/authentication
    entropy(
        rule(
            "inngest-api-key",
            "Inngest REST API key",
            &["sk-inn-api"],
            r"\b(sk-inn-api-?[A-Za-z0-9]{20,80})\b",
        ),
        3.5,
    ),
    // https://developers.cloudflare.com/fundamentals/api/get-started/token-formats/
    entropy(
        rule(
            "cloudflare-scannable-token",
            "Cloudflare global API key or user/account API token (scannable format)",
            &["cfk_", "cfut_", "cfat_"],
            r"\b(cf(?:k|ut|at)_[A-Za-z0-9_-]{44,56})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.5,
    ),
    // https://developers.cloudflare.com/fundamentals/api/get-started/token-formats/
    entropy(
        rule(
            "cloudflare-wrangler-oauth-token",
            "Cloudflare Wrangler OAuth access token",
            &["cfoat_"],
            r"\b(cfoat_[A-Za-z0-9_.-]{30,400})",
        ),
        3.5,
    ),
    // https://www.mergefreeze.com/blog/2023-06-26-enhanced-api-token-security
    entropy(
        rule(
            "mergefreeze-api-token",
            "MergeFreeze branch or organization API token",
            &["mfb_", "mfo_"],
            r"\b(mf[bo]_[A-Za-z0-9]{24})\b",
        ),
        3.3,
    ),
    // https://vercel.com/changelog/new-token-formats-and-secret-scanning
    entropy(
        rule(
            "vercel-prefixed-token",
            "Vercel personal access, integration, app access/refresh token or API key",
            &["vcp_", "vci_", "vca_", "vcr_"],
            r"\b(vc[pciar]_[A-Za-z0-9]{24,80})\b",
        ),
        3.5,
    ),
    // https://vercel.com/changelog/new-token-formats-and-secret-scanning
    entropy(
        rule(
            "vercel-api-key",
            "Vercel API key",
            &["vck_"],
            r"\b(vck_[A-Za-z0-9]{24,80})\b",
        ),
        3.5,
    ),
    // https://www.checklyhq.com/docs/ai/mcp-server/security-and-permissions/
    entropy(
        rule(
            "checkly-api-key",
            "Checkly user or service API key",
            &["cu_", "sv_"],
            r"\b((?:cu|sv)_[A-Za-z0-9]{20,64})\b",
        ),
        3.2,
    ),
    // https://xata.io/docs/connect/postgres/direct-access
    entropy(
        rule(
            "xata-api-key",
            "Xata API key",
            &["xau_"],
            r"\b(xau_[A-Za-z0-9]{20,64})\b",
        ),
        3.5,
    ),
    // https://github.com/louislam/uptime-kuma/wiki/Internal-API
    entropy(
        rule(
            "uptime-kuma-api-key",
            "Uptime Kuma API key next to the Kuma name",
            &["kuma"],
            r"(?i:kuma)[^\n]{0,40}?\b(uk[0-9]{1,6}_[A-Za-z0-9]{20,64})\b",
        ),
        3.5,
    ),
    // https://github.com/turbopuffer/turbopuffer-python/blob/main/README.md
    entropy(
        rule(
            "turbopuffer-api-key",
            "turbopuffer API key",
            &["tpuf_"],
            r"\b(tpuf_[A-Za-z0-9]{20,64})\b",
        ),
        3.5,
    ),
    // https://docs.gitlab.com/security/tokens/#token-prefixes
    entropy(
        rule(
            "gitlab-runner-token-registered",
            "GitLab runner authentication token created through a registration token",
            &["glrtr-"],
            r"\b(glrtr-[A-Za-z0-9_-]{20,300})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.3,
    ),
    // https://docs.gitlab.com/security/tokens/#token-prefixes
    entropy(
        rule(
            "gitlab-workspace-token",
            "GitLab workspace token",
            &["glwt-"],
            r"\b(glwt-[A-Za-z0-9_-]{20,300})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.3,
    ),
    // https://docs.gitlab.com/security/tokens/#token-prefixes
    entropy(
        rule(
            "gitlab-session-cookie",
            "GitLab session cookie",
            &["_gitlab_session="],
            r"(_gitlab_session=[0-9a-f]{32})\b",
        ),
        3.0,
    ),
    // https://github.com/aws/aws-bedrock-token-generator-python/blob/main/README.md
    entropy(
        rule(
            "aws-bedrock-short-term-api-key",
            "Amazon Bedrock short-term API key (bearer token)",
            &["bedrock-api-key-"],
            r"\b(bedrock-api-key-[A-Za-z0-9+/]{100,4000}={0,2})",
        ),
        4.0,
    ),
    // https://docs.dynatrace.com/docs/dynatrace-api/basics/dynatrace-api-authentication
    entropy(
        rule(
            "dynatrace-platform-token",
            "Dynatrace platform token, account API token, OAuth client secret or refresh token (dt0s prefixes)",
            &["dt0s"],
            r"\b(dt0s[0-9]{2}\.[A-Z0-9]{24}\.[A-Z0-9]{64})\b",
        ),
        3.5,
    ),
    // https://posthog.com/docs/api/oauth
    entropy(
        rule(
            "posthog-oauth-token",
            "PostHog OAuth access or refresh token",
            &["pha_", "phr_"],
            r"\b(ph[ar]_[A-Za-z0-9]{38,50})\b",
        ),
        3.5,
    ),
    // https://buildkite.com/docs/apis/oauth-token-exchange
    entropy(
        rule(
            "buildkite-exchanged-api-token",
            "Buildkite short-lived API token minted by OAuth token exchange",
            &["bktx_"],
            r"\b(bktx_[A-Za-z0-9_-]{20,120})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.5,
    ),
    // https://context7.com/docs/api-guide
    entropy(
        rule(
            "context7-api-key",
            "Context7 (Upstash) API key",
            &["ctx7sk"],
            r"\b(ctx7sk[-_][A-Za-z0-9_-]{20,80})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.3,
    ),
    // https://app.unpkg.com/@socketsecurity/lib@3.2.8/files/dist/constants/socket.d.ts
    entropy(
        rule(
            "socket-dev-api-token",
            "Socket.dev API token",
            &["sktsec_"],
            r"(?:^|[^A-Za-z0-9_-])(sktsec_[A-Za-z0-9_-]{30,80}_api)(?:[^A-Za-z0-9_-]|$)",
        ),
        3.0,
    ),
    // https://github.com/packagist/private-packagist-docs/blob/main/docs/composer-authentication.md
    rule(
        "private-packagist-token",
        "Private Packagist authentication token",
        &["packagist_"],
        r"\b(packagist_[a-z]{3}_[a-f0-9]{68})\b",
    ),
    // https://github.com/calcom/cal.com/blob/main/packages/trpc/server/routers/viewer/apiKeys/create.handler.ts
    rule(
        "calcom-api-key",
        "Cal.com API key",
        &["cal_"],
        r"\b(cal_(?:live_)?[a-f0-9]{32})\b",
    ),
    // https://dub.co/docs/api-reference/tokens
    rule(
        "dub-api-key",
        "Dub workspace API key",
        &["dub_"],
        r"\b(dub_[A-Za-z0-9]{24,64})\b",
    ),
    // https://docs.tolgee.io/platform/account_settings/api_keys_and_pat_tokens
    rule(
        "tolgee-project-api-key",
        "Tolgee project API key",
        &["tgpak_"],
        r"\b(tgpak_[a-z2-7]{30,100})\b",
    ),
    // https://github.com/tolgee/tolgee-platform/blob/main/backend/data/src/main/kotlin/io/tolgee/service/security/ApiKeyService.kt
    rule(
        "tolgee-personal-access-token",
        "Tolgee personal access token",
        &["tgpat_"],
        r"\b(tgpat_[a-z0-9]{30,80})\b",
    ),
    // https://github.com/formbricks/formbricks/blob/main/apps/web/modules/organization/settings/api-keys/lib/api-key.ts
    entropy(
        rule(
            "formbricks-api-key",
            "Formbricks organization API key",
            &["fbk_"],
            r"(?:^|[^A-Za-z0-9_-])(fbk_[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.5,
    ),
    // https://docs.stack-auth.com/docs/rest-api/overview
    rule(
        "stack-auth-secret-server-key",
        "Stack Auth secret server key",
        &["ssk_"],
        r"\b(ssk_[A-Za-z0-9]{30,80})\b",
    ),
    // https://docs.cartesia.ai/use-the-api/api-conventions
    rule(
        "cartesia-api-key",
        "Cartesia API key",
        &["sk_car_"],
        r"\b(sk_car_(?:admin_)?[A-Za-z0-9]{20,80})\b",
    ),
    // https://docs.statsig.com/api-reference/keys/create-key
    entropy(
        rule(
            "statsig-server-secret-key",
            "Statsig server secret key",
            &["secret-"],
            r"\b(secret-[A-Za-z0-9]{30,64})\b",
        ),
        3.5,
    ),
    // https://docs.asaas.com/changelog/novidade-novo-prefixo-de-identifica%C3%A7%C3%A3o-das-chaves-api
    rule(
        "asaas-api-key",
        "Asaas API key",
        &["$aact_"],
        r"(?:^|[^A-Za-z0-9_$])(\$aact_(?:prod|hmlg)_[A-Za-z0-9+/=_-]{40,300})",
    ),
    // https://docs.omise.co/api-authentication
    entropy(
        rule(
            "omise-secret-key",
            "Omise (Opn Payments) secret key",
            &["skey_"],
            r"\b(skey_(?:test_)?[a-z0-9]{19,40})\b",
        ),
        3.0,
    ),
    // https://apis.io/agent-skills/pubnub/pubnub-keyset-management/
    entropy(
        rule(
            "pubnub-secret-key",
            "PubNub secret key",
            &["sec-c-"],
            r"\b(sec-c-[A-Za-z0-9]{40,64})\b",
        ),
        3.5,
    ),
    // https://github.com/appwrite/appwrite/blob/main/src/Appwrite/Platform/Modules/Project/Http/Project/Keys/Standard/Create.php
    rule(
        "appwrite-api-key",
        "Appwrite standard API key",
        &["standard_"],
        r"\b(standard_[a-f0-9]{256})\b",
    ),
    // https://github.com/growthbook/growthbook/blob/main/packages/back-end/src/models/ApiKeyModel.ts
    entropy(
        rule(
            "growthbook-secret-key",
            "GrowthBook secret API key",
            &["secret_"],
            r"\b(secret_(?:(?:admin|readonly|user|visualEditor)_)?[A-Za-z0-9]{38,44})\b",
        ),
        3.5,
    ),
    // https://github.com/outline/outline/blob/main/server/models/ApiKey.ts
    rule(
        "outline-api-key",
        "Outline API key",
        &["ol_api_"],
        r"\b(ol_api_[A-Za-z0-9]{38})\b",
    ),
    // https://github.com/infiniflow/ragflow/blob/main/api/utils/api_utils.py
    rule(
        "ragflow-api-key",
        "RAGFlow API key",
        &["ragflow-"],
        r"(?:^|[^A-Za-z0-9_-])(ragflow-[A-Za-z0-9_.-]{32})(?:[^A-Za-z0-9_.-]|$)",
    ),
    // https://github.com/labring/FastGPT/blob/main/projects/app/src/pages/api/support/openapi/create.ts
    rule(
        "fastgpt-api-key",
        "FastGPT OpenAPI key",
        &["fastgpt-"],
        r"\b(fastgpt-[A-Za-z0-9]{52,65})\b",
    ),
    // https://www.mongodb.com/docs/api/doc/atlas-admin-api-v2/operation/operation-createprojectserviceaccountsecret
    rule(
        "mongodb-atlas-service-account-secret",
        "MongoDB Atlas service account client secret",
        &["mdb_sa_sk_"],
        r"(?:^|[^A-Za-z0-9_-])(mdb_sa_sk_[A-Za-z0-9_-]{20,100})(?:[^A-Za-z0-9_-]|$)",
    ),
    // https://www.tinybird.co/docs/forward/core-concepts/tokens
    rule(
        "tinybird-token",
        "Tinybird static token",
        &["p.eyj"],
        r"\b(p\.eyJ[A-Za-z0-9_-]{20,600}\.[A-Za-z0-9_-]{20,100})(?:[^A-Za-z0-9_-]|$)",
    ),
    // https://uptrace.dev/get
    rule(
        "uptrace-dsn",
        "Uptrace project DSN",
        &["api.uptrace.dev"],
        r"(https?://[A-Za-z0-9_-]{8,64}@api\.uptrace\.dev(?::[0-9]{1,5})?(?:/[0-9]{1,10})?(?:\?grpc=[0-9]{1,5})?)",
    ),
    // https://developer.sumup.com/online-payments/sdks/python
    rule(
        "sumup-api-key",
        "SumUp secret API key",
        &["sup_sk_"],
        r"\b(sup_sk_[A-Za-z0-9]{20,64})\b",
    ),
    // https://docs.creem.io/api-reference/introduction
    rule(
        "creem-api-key",
        "Creem API key",
        &["creem_"],
        r"\b(creem_(?:test_|live_)?[A-Za-z0-9]{16,64})\b",
    ),
    // https://www.dynamic.xyz/docs/api-reference
    entropy(
        rule(
            "dynamic-api-token",
            "Dynamic (dynamic.xyz) API token",
            &["dyn_"],
            r"\b(dyn_[A-Za-z0-9]{56})\b",
        ),
        3.5,
    ),
    // https://github.com/juanfont/headscale/blob/main/hscontrol/db/api_key.go
    entropy(
        rule(
            "headscale-api-key",
            "Headscale API key",
            &["hskey-api-"],
            r"(?:^|[^A-Za-z0-9_-])(hskey-api-[A-Za-z0-9_-]{12}-[A-Za-z0-9_-]{64})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.5,
    ),
    // https://github.com/juanfont/headscale/blob/main/hscontrol/db/preauth_keys.go
    entropy(
        rule(
            "headscale-preauth-key",
            "Headscale pre-authentication key",
            &["hskey-auth-"],
            r"(?:^|[^A-Za-z0-9_-])(hskey-auth-[A-Za-z0-9_-]{12}-[A-Za-z0-9_-]{64})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.5,
    ),
    // https://github.com/element-hq/synapse/blob/develop/synapse/handlers/auth.py
    rule(
        "matrix-synapse-access-token",
        "Matrix Synapse access or refresh token",
        &["syt_", "syr_"],
        r"\b(sy[tr]_[A-Za-z0-9+/]{1,340}_[A-Za-z]{20}_[0-9A-Za-z]{6})\b",
    ),
    // https://docs.datadoghq.com/account_management/personal-access-tokens/
    entropy(
        rule(
            "datadog-access-token",
            "Datadog personal/service access token or prefixed application key",
            &["ddpat_", "ddsat_", "ddapp_"],
            r"(?:^|[^A-Za-z0-9_-])((?:ddpat|ddsat|ddapp)_[A-Za-z0-9_-]{20,120})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.0,
    ),
    // https://github.com/lightdash/lightdash/blob/main/packages/common/src/types/auth.ts
    rule(
        "lightdash-token",
        "Lightdash personal access or service account token",
        &["ldpat_", "ldsvc_"],
        r"\b(ld(?:pat|svc)_[a-f0-9]{32})\b",
    ),
    // https://www.tigrisdata.com/docs/cli/access-keys/
    entropy(
        rule(
            "tigris-secret-access-key",
            "Tigris object storage secret access key",
            &["tsec_"],
            r"(?:^|[^A-Za-z0-9_-])(tsec_[A-Za-z0-9_-]{20,80})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.0,
    ),
    // https://docs.devcycle.com/essentials/keys
    entropy(
        rule(
            "devcycle-server-sdk-key",
            "DevCycle server SDK key",
            &["dvc_server_"],
            r"(?:^|[^A-Za-z0-9_-])(dvc_server_[A-Za-z0-9_-]{20,80})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.0,
    ),
    // https://upcloud.com/docs/guides/getting-started-upcloud-api/
    entropy(
        rule(
            "upcloud-api-token",
            "UpCloud API token",
            &["ucat_"],
            r"(?:^|[^A-Za-z0-9_-])(ucat_[A-Za-z0-9_-]{20,100})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.0,
    ),
    // https://github.com/teableio/teable/blob/develop/apps/nestjs-backend/src/features/access-token/access-token.encryptor.ts
    entropy(
        rule(
            "teable-personal-access-token",
            "Teable personal access token",
            &["teable_"],
            r"(?:^|[^A-Za-z0-9_])(teable_[A-Za-z0-9]{8,40}_[A-Za-z0-9+/]{20,400}={0,2})(?:[^A-Za-z0-9_+/=-]|$)",
        ),
        3.0,
    ),
    // https://github.com/unkeyed/unkey/blob/main/internal/keys/src/v1.ts
    entropy(
        rule(
            "unkey-root-key",
            "Unkey root key",
            &["unkey_"],
            r"\b(unkey_[A-Za-z0-9]{16,60})\b",
        ),
        3.0,
    ),
    // https://developers.savvycal.com/authentication
    entropy(
        rule(
            "savvycal-personal-access-token",
            "SavvyCal personal access token",
            &["pt_secret_"],
            r"(?:^|[^A-Za-z0-9_-])(pt_secret_[A-Za-z0-9_-]{16,100})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.0,
    ),
    // https://developers.tally.so/api-reference/api-keys
    entropy(
        rule(
            "tally-api-key",
            "Tally forms API key",
            &["tly-"],
            r"(?:^|[^A-Za-z0-9_-])(tly-[A-Za-z0-9_-]{16,100})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.2,
    ),
    // https://github.com/daytonaio/daytona/blob/main/apps/api/src/api-key/api-key.service.ts
    rule(
        "daytona-api-key",
        "Daytona API key",
        &["dtn_"],
        r"\b(dtn_[a-f0-9]{64})\b",
    ),
    // https://docs.tolt.com/authentication
    entropy(
        rule(
            "tolt-api-key",
            "Tolt affiliate platform API key",
            &["tlt_live_", "tlt_test_"],
            r"\b(tlt_(?:live|test)_[A-Za-z0-9]{16,64})\b",
        ),
        3.0,
    ),
    // https://github.com/pollinations/pollinations/issues/5329
    entropy(
        rule(
            "pollinations-secret-key",
            "Pollinations secret API key",
            &["plln_sk_"],
            r"(?:^|[^A-Za-z0-9_-])(plln_sk_[A-Za-z0-9_-]{16,100})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.0,
    ),
    // https://cloud.baidu.com/doc/qianfan/s/rmh4stn9m
    entropy(
        rule(
            "baidu-qianfan-api-key",
            "Baidu AI Cloud Qianfan (BCE v3) API key",
            &["bce-v3/altak-"],
            r"(?:^|[^A-Za-z0-9_/-])(bce-v3/ALTAK-[A-Za-z0-9]{10,40}/[A-Za-z0-9]{20,64})(?:[^A-Za-z0-9_/-]|$)",
        ),
        3.0,
    ),
    // https://github.com/phasehq/cli/blob/main/phase_cli/utils/const.py
    rule(
        "phase-secrets-token",
        "Phase secrets manager service or user token",
        &["pss_service:", "pss_user:"],
        r"(?:^|[^A-Za-z0-9_])(pss_(?:service|user):v[0-9]{1,2}:[a-fA-F0-9]{64}:[a-fA-F0-9]{64}:[a-fA-F0-9]{64}:[a-fA-F0-9]{64})(?:[^A-Za-z0-9_]|$)",
    ),
    // https://porkbun.com/llms/guides/getting-started
    entropy(
        rule(
            "porkbun-secret-api-key",
            "Porkbun secret API key",
            &["sk1_"],
            r"\b(sk1_[A-Za-z0-9]{32,80})\b",
        ),
        3.0,
    ),
    // https://github.com/seamapi/javascript-http/blob/main/src/lib/seam/connect/auth.ts
    entropy(
        rule(
            "seam-api-key",
            "Seam API key",
            &["seam_"],
            r"\b(seam_[A-Za-z0-9]{6,12}_[A-Za-z0-9]{20,40})\b",
        ),
        3.0,
    ),
    // https://github.com/databricks/dbt-databricks
    entropy(
        rule(
            "databricks-oauth-secret",
            "Databricks service principal OAuth client secret (dose...)",
            &["dose"],
            r"\b(dose[a-f0-9]{32,64})\b",
        ),
        3.0,
    ),
    // https://github.com/mintlify/docs/blob/main/api/introduction.mdx
    entropy(
        rule(
            "mintlify-admin-api-key",
            "Mintlify admin API key (mint_, server-side)",
            &["mint_"],
            r"\b(mint_[A-Za-z0-9]{20,80})\b",
        ),
        3.5,
    ),
    // https://docs.klarna.com/api-reference/authentication
    entropy(
        rule(
            "klarna-api-key",
            "Klarna API key (klarna_live_api_/klarna_test_api_)",
            &["klarna_"],
            r"\b(klarna_(?:live|test)_api_[A-Za-z0-9+/=_-]{20,300})",
        ),
        3.5,
    ),
    // https://gitlab.com/gitlab-org/auth/iam/-/merge_requests/588
    entropy(
        rule(
            "gitlab-iam-oauth-token",
            "GitLab IAM service OAuth access/refresh token or auth code (gliamat-/gliamrt-/gliamac-)",
            &["gliam"],
            r"\b(gliam(?:at|rt|ac)-[A-Za-z0-9_-]{20,100}\.[A-Za-z0-9_-]{20,100})(?:[^A-Za-z0-9_.-]|$)",
        ),
        3.5,
    ),
    // https://www.apollographql.com/docs/graphos/platform/access-management/api-keys/graph-api-keys
    entropy(
        rule(
            "apollo-graph-api-key",
            "Apollo GraphOS graph API key (APOLLO_KEY, service:<graph>:<secret>)",
            &["service:"],
            r"\b(service:[A-Za-z0-9][A-Za-z0-9_-]{0,63}:[A-Za-z0-9_-]{20,64})(?:[^A-Za-z0-9_:-]|$)",
        ),
        3.5,
    ),
    // https://docs.doppler.com/docs/Auth-token-formats
    entropy(
        rule(
            "doppler-service-account-identity-token",
            "Doppler service account identity token (short-lived, dp.said.)",
            &["dp.said."],
            r"\b(dp\.said\.[A-Za-z0-9]{40,44})\b",
        ),
        3.5,
    ),
    // https://open.dingtalk.com/document/robots/custom-robot-access
    rule(
        "dingtalk-robot-webhook",
        "DingTalk custom robot webhook URL (access_token in query)",
        &["oapi.dingtalk.com"],
        r"(https://oapi\.dingtalk\.com/robot/send\?access_token=[a-f0-9]{64})\b",
    ),
    // https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
    rule(
        "feishu-lark-bot-webhook",
        "Feishu / Lark custom bot webhook URL (v2 hook with token path segment)",
        &["/open-apis/bot/v2/hook/"],
        r"(https://open\.(?:feishu\.cn|larksuite\.com)/open-apis/bot/v2/hook/[A-Za-z0-9_-]{20,64})\b",
    ),
    // https://developer.work.weixin.qq.com/document/path/99110
    rule(
        "wecom-group-robot-webhook",
        "WeCom (WeChat Work) group robot webhook URL (key in query)",
        &["qyapi.weixin.qq.com"],
        r"(https://qyapi\.weixin\.qq\.com/cgi-bin/webhook/send\?key=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    // https://developers.google.com/workspace/chat/quickstart/webhooks
    rule(
        "google-chat-webhook",
        "Google Chat incoming webhook URL (space + key + token)",
        &["chat.googleapis.com"],
        r"(https://chat\.googleapis\.com/v1/spaces/[A-Za-z0-9_-]{6,32}/messages\?key=AIza[A-Za-z0-9_-]{35}&token=[A-Za-z0-9_%=-]{20,100})",
    ),
    // https://learn.microsoft.com/powershell/module/az.logicapp/get-azlogicapptriggercallbackurl
    rule(
        "azure-logic-app-trigger-url",
        "Azure Logic Apps request-trigger callback URL with SAS signature (sv=1.0&sig=)",
        &["logic.azure.com"],
        r"(https://prod-[0-9]{2}\.[a-z0-9]{2,30}\.logic\.azure\.com(?::443)?/workflows/[0-9a-f]{32}/triggers/[A-Za-z0-9_.-]{1,80}/(?:paths/invoke|run)\?[A-Za-z0-9_.%=&/-]{0,300}?sig=[A-Za-z0-9_-]{43})",
    ),
    // https://github.com/SumoLogic/sumologic-documentation/blob/main/docs/send-data/hosted-collectors/http-source/logs-metrics/upload-logs.md
    entropy(
        rule(
            "sumologic-http-source-url",
            "Sumo Logic HTTP Logs/Metrics source upload URL (unique collector code embeds the credential)",
            &["sumologic.com/receiver/v1/http/"],
            r"(https://(?:collectors|endpoint[0-9]{1,2}\.collection(?:\.[a-z]{2,4}[0-9]?)?)\.sumologic\.com/receiver/v1/http/[A-Za-z0-9+/_=-]{40,300})",
        ),
        3.5,
    ),
    // https://docs.meshy.ai/api/authentication
    entropy(
        rule(
            "meshy-api-key",
            "Meshy (AI 3D generation) API key (msy_)",
            &["msy_"],
            r"\b(msy_[A-Za-z0-9]{30,64})\b",
        ),
        3.5,
    ),
    // https://github.com/covalenthq/covalent-api-sdk-go/blob/d7e69fdddc3c4c8deeb9de8d6196bf0b31976e9c/utils/api_key_validator.go
    entropy(
        rule(
            "covalent-goldrush-api-key",
            "Covalent / GoldRush API key (cqt_ v2 or ckey_ v1)",
            &["cqt_", "ckey_"],
            r"\b(cqt_(?:wF|rQ)[A-Za-z0-9]{26}|ckey_[a-f0-9]{27})\b",
        ),
        3.5,
    ),
    // https://github.com/stytchauth/stytch-python/blob/6987801e7eb03b0c6b34dc46f042e5d532e7299a/README.md
    entropy(
        rule(
            "stytch-project-secret",
            "Stytch project secret (secret-test-/secret-live-)",
            &["secret-live-", "secret-test-"],
            r"\b(secret-(?:test|live)-[A-Za-z0-9_-]{35}=)",
        ),
        3.5,
    ),
    // https://github.com/pangeacyber/pangea-python/blob/1f411ae567833cd3035126db8960347230542153/packages/pangea-sdk/tests/testdata/specs/authn.openapi.json
    entropy(
        rule(
            "pangea-token",
            "Pangea token (pts_/ptu_/pti_/ptr_/pcl_ + 32 base32)",
            &["pts_", "ptu_", "pti_", "ptr_", "pcl_"],
            r"\b(p(?:ti|tr|ts|tu|cl)_[a-z2-7]{32})\b",
        ),
        3.5,
    ),
    // https://github.com/OpenPipe/OpenPipe/blob/1da9a24127973b65f40f5da0d7b52bd61b0bfedd/app/src/server/utils/generateApiKey.ts
    entropy(
        rule(
            "openpipe-api-key",
            "OpenPipe API key",
            &["opk_"],
            r"\b(opk_[a-f0-9]{42})\b",
        ),
        3.0,
    ),
    // https://github.com/usememos/memos/blob/76a762924306e782871204f131f4033be5e8e41a/server/auth/token.go
    entropy(
        rule(
            "memos-personal-access-token",
            "Memos personal access token",
            &["memos_pat_"],
            r"\b(memos_pat_[A-Za-z0-9]{32})\b",
        ),
        3.5,
    ),
    // https://github.com/portainer/portainer/blob/cc75167437c013a24d12f97d2e07c8468448cc35/api/apikey/service.go
    entropy(
        rule(
            "portainer-api-key",
            "Portainer API access token",
            &["ptr_"],
            r"\b(ptr_[A-Za-z0-9+/]{43}=)",
        ),
        3.5,
    ),
    // https://github.com/karakeep-app/karakeep/blob/7ca5ee236b96cd659096b1530c5be3fdcd8e4470/packages/trpc/auth.ts
    entropy(
        rule(
            "karakeep-api-key",
            "Karakeep (Hoarder) API key",
            &["ak1_", "ak2_"],
            r"\b(ak[12]_[a-f0-9]{20}_[a-f0-9]{32})\b",
        ),
        3.0,
    ),
    // https://github.com/hoppscotch/hoppscotch/blob/afc2cf181c16e56647b099e5d18cfe55710c6cdd/packages/hoppscotch-backend/src/access-token/access-token.service.ts
    entropy(
        rule(
            "hoppscotch-personal-access-token",
            "Hoppscotch personal access token (pat-<uuid>)",
            &["pat-"],
            r"\b(pat-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\b",
        ),
        3.0,
    ),
    // https://github.com/medusajs/medusa/blob/59e6747800133e091d20c2c167f600981abc5c0d/packages/modules/api-key/src/services/api-key-module-service.ts
    entropy(
        rule(
            "medusa-secret-api-key",
            "Medusa secret API key",
            &["sk_"],
            r"\b(sk_[a-f0-9]{64})\b",
        ),
        3.0,
    ),
    // https://github.com/go-vikunja/vikunja/blob/762dc4ebe6f3fbff15d90a0a119f0c6a4720e033/pkg/models/api_tokens.go
    entropy(
        rule(
            "vikunja-api-token",
            "Vikunja API token",
            &["tk_"],
            r"\b(tk_[a-f0-9]{40})\b",
        ),
        3.0,
    ),
    // https://github.com/reviewboard/reviewboard/blob/64cc5ea62aa2d33e6889b2e9c3df3de0cc6fe83b/docs/releasenotes/5.0.rst
    entropy(
        rule(
            "reviewboard-api-token",
            "Review Board API token (rbp_ with CRC32 checksum)",
            &["rbp_"],
            r"\b(rbp_[A-Za-z0-9]{251})\b",
        ),
        3.5,
    ),
    // https://github.com/khoj-ai/khoj/blob/ae229ca894c0b80ad84664afcfdde523b5e87057/src/khoj/database/adapters/__init__.py
    entropy(
        rule(
            "khoj-api-key",
            "Khoj API key",
            &["kk-"],
            r"(?:^|[^A-Za-z0-9_-])(kk-[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.5,
    ),
    // https://github.com/pterodactyl/panel/blob/706db62c64d180f224f56c62953172c27daa5826/app/Models/ApiKey.php
    entropy(
        rule(
            "pterodactyl-api-key",
            "Pterodactyl panel client/application API key",
            &["ptlc_", "ptla_"],
            r"\b(ptl[ac]_[A-Za-z0-9]{43})\b",
        ),
        3.5,
    ),
    // https://github.com/pelican-dev/panel/blob/235c8fb98fe6693ec2aea1c0d1597ead376b7819/app/Models/ApiKey.php
    entropy(
        rule(
            "pelican-panel-api-key",
            "Pelican panel client/application API key",
            &["pacc_", "papp_"],
            r"\b(pa(?:cc|pp)_[A-Za-z0-9]{43})\b",
        ),
        3.5,
    ),
    // https://github.com/MaterializeInc/terraform-provider-materialize/blob/49b83a0208b0727e3ba12a20e2500f5217dec51e/pkg/clients/frontegg_client.go
    entropy(
        rule(
            "materialize-app-password",
            "Materialize app password (mzp_ + two dashless UUIDs)",
            &["mzp_"],
            r"\b(mzp_[0-9a-fA-F]{64})\b",
        ),
        3.0,
    ),
    // https://github.com/wakatime/wakatime-cli/blob/bad54b47851b5f0478d7b9fbf011800a45e4d8e5/cmd/params/params.go
    entropy(
        rule(
            "wakatime-api-key",
            "WakaTime API key (waka_<uuid>)",
            &["waka_"],
            r"\b(waka_[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12})\b",
        ),
        3.0,
    ),
    // https://github.com/turbot/pipe-fittings/blob/dd8db75bcbf526463469ed4ab76767cebdd6c019/constants/default_workspaces.go
    entropy(
        rule(
            "turbot-pipes-token",
            "Turbot Pipes / Steampipe Cloud API token (tpt_/spt_)",
            &["tpt_", "spt_"],
            r"\b((?:tpt|spt)_[A-Za-z0-9_]{40,50})\b",
        ),
        3.5,
    ),
    // https://github.com/nostr-protocol/nips/blob/db5fe3de8c5d1443b634c9bbf66ecb004f337057/19.md
    entropy(
        rule(
            "nostr-private-key",
            "Nostr private key (nsec1 bech32, NIP-19)",
            &["nsec1"],
            r"\b(nsec1[a-z0-9]{58})\b",
        ),
        3.5,
    ),
    // https://github.com/moby/swarmkit/blob/3e72cb64da35ce043dcb9afa9ce9938ae7ca9379/ca/config.go
    entropy(
        rule(
            "docker-swarm-join-token",
            "Docker Swarm join token (SWMTKN-1-...)",
            &["swmtkn-"],
            r"\b(SWMTKN-(?:1|2-[01])-[0-9a-z]{50}-[0-9a-z]{25})\b",
        ),
        3.5,
    ),
    // https://github.com/moby/swarmkit/blob/3e72cb64da35ce043dcb9afa9ce9938ae7ca9379/manager/encryption/encryption.go
    entropy(
        rule(
            "docker-swarm-unlock-key",
            "Docker Swarm autolock unlock key (SWMKEY-1-...)",
            &["swmkey-1-"],
            r"(?:^|[^A-Za-z0-9+/-])(SWMKEY-1-[A-Za-z0-9+/]{43})(?:[^A-Za-z0-9+/=]|$)",
        ),
        3.5,
    ),
    // https://github.com/healthchecks/healthchecks/blob/29b5ec251059034b79e0120e2ff0c3e35d7bd9f8/hc/accounts/models.py
    entropy(
        rule(
            "healthchecks-api-key",
            "Healthchecks.io project API key (hcw_ read-write / hcr_ read-only)",
            &["hcw_", "hcr_"],
            r"\b(hc[wr]_[A-Za-z0-9]{28})\b",
        ),
        3.5,
    ),
    // https://github.com/adafruit/Marquee_Web/blob/main/docs/cfg-marquee.md
    entropy(
        rule(
            "adafruit-io-key",
            "Adafruit IO key (aio_ + 28 alphanumerics)",
            &["aio_"],
            r"\b(aio_[A-Za-z0-9]{28})\b",
        ),
        3.5,
    ),
];
