//! Keys with no form of their own (a bare 32-hex or 40-character key), recognised next to their
//! provider's name, each written from its provider's documentation (the link above each rule).

use super::{Rule, entropy, near, opened_by, value_follows};

/// Rules for keys a scanner recognises only next to their provider's name.
pub(super) const NAMED: &[Rule] = &[
    // https://github.com/particle-iot-archived/ruby-particlerb
    near(
        "particle-access-token",
        "Particle Cloud access token next to its name",
        &["particle"],
        r"(?i)particle[^\n]{0,40}?\b([a-f0-9]{40})\b",
    ),
    // https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/
    near(
        "trello-token",
        "Trello user token next to its name",
        &["trello"],
        r"(?i)trello[^\n]{0,40}?\b([a-f0-9]{64})\b",
    ),
    // https://opencagedata.com/guides/how-to-create-a-new-api-key
    near(
        "opencage-api-key",
        "OpenCage geocoding API key next to its name",
        &["opencage"],
        r"(?i)opencage[^\n]{0,40}?\b([A-Za-z0-9]{32})\b",
    ),
    // https://coinmarketcap.com/api/documentation/v1/#section/Quick-Start-Guide
    near(
        "coinmarketcap-api-key",
        "CoinMarketCap Pro API key next to its name",
        &["coinmarketcap", "cmc_pro"],
        r"(?i)(?:coinmarketcap|cmc_pro)[^\n]{0,40}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    // https://docs.ghost.org/admin-api#token-authentication
    near(
        "ghost-admin-api-key",
        "Ghost Admin API key (id:secret) next to its name",
        &["ghost"],
        r"(?i)ghost[^\n]{0,40}?\b([a-f0-9]{24}:[a-f0-9]{64})\b",
    ),
    // https://docs.ghost.org/content-api#key
    near(
        "ghost-content-api-key",
        "Ghost Content API key next to its name",
        &["ghost"],
        r"(?i)ghost[^\n]{0,40}?content[^\n]{0,30}?\b([a-f0-9]{26})\b",
    ),
    // https://github.com/jenkinsci/jenkins/blob/master/core/src/main/java/jenkins/security/apitoken/ApiTokenStore.java
    near(
        "jenkins-api-token",
        "Jenkins user API token next to its name",
        &["jenkins"],
        r"(?i)jenkins[^\n]{0,40}?\b((?:11)?[a-f0-9]{32})\b",
    ),
    // https://make.wordpress.org/core/2020/11/05/application-passwords-integration-guide/
    entropy(
        near(
            "wordpress-application-password",
            "WordPress application password next to its name",
            &["wordpress", "wp_app"],
            r"(?i)(?:wordpress|wp_app)[^\n]{0,40}?\b([A-Za-z0-9]{4}(?: [A-Za-z0-9]{4}){5}|[A-Za-z0-9]{24})\b",
        ),
        3.5,
    ),
    // https://support.kraken.com/articles/360029054811-what-is-the-authentication-algorithm-for-private-endpoints-
    entropy(
        near(
            "kraken-private-key",
            "Kraken exchange private API key (secret) next to its name",
            &["kraken"],
            r"(?i)kraken[^\n]{0,40}?(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{86}==)(?:[^A-Za-z0-9+/=]|$)",
        ),
        4.0,
    ),
    // https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security
    entropy(
        near(
            "binance-api-key",
            "Binance API key or secret key next to its name",
            &["binance"],
            r"(?i)binance[^\n]{0,40}?\b([A-Za-z0-9]{64})\b",
        ),
        4.0,
    ),
    // https://developer.zendesk.com/api-reference/introduction/security-and-auth/
    entropy(
        near(
            "zendesk-api-token",
            "Zendesk API token next to its name",
            &["zendesk"],
            r"(?i)zendesk[^\n]{0,40}?\b([A-Za-z0-9]{40})\b",
        ),
        3.5,
    ),
    // https://pushover.net/api
    entropy(
        near(
            "pushover-token",
            "Pushover application API token or user key next to its name",
            &["pushover"],
            r"(?i)pushover[^\n]{0,40}?\b([A-Za-z0-9]{30})\b",
        ),
        3.5,
    ),
    // https://github.com/toggl/toggl_api_docs
    opened_by(
        near(
            "toggl-api-token",
            "Toggl Track API token next to its name",
            &["toggl"],
            r"(?i)toggl[^\n]{0,40}?\b([a-f0-9]{32})\b",
        ),
        value_follows::<40, 32>,
    ),
    // https://github.com/smartsheet/smartsheet-python-sdk
    near(
        "smartsheet-access-token",
        "Smartsheet API access token next to its name",
        &["smartsheet"],
        r"(?i)smartsheet[^\n]{0,40}?\b([a-z0-9]{26})\b",
    ),
    // https://github.com/messagebird/go-rest-api
    entropy(
        near(
            "messagebird-access-key",
            "MessageBird (Bird) REST API access key next to its name",
            &["messagebird", "message_bird"],
            r"(?i)message_?bird[^\n]{0,40}?\b((?:live_|test_)?[A-Za-z0-9]{25})\b",
        ),
        3.5,
    ),
    // https://docs.opsgenie.com/docs/authentication
    near(
        "opsgenie-api-key",
        "Opsgenie API (GenieKey) key next to its name",
        &["opsgenie", "geniekey"],
        r"(?i)(?:opsgenie|geniekey)[^\n]{0,40}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    // https://developers.taxjar.com/api/reference/#authentication
    near(
        "taxjar-api-token",
        "TaxJar API token next to its name",
        &["taxjar"],
        r"(?i)taxjar[^\n]{0,40}?\b([a-f0-9]{28}(?:[a-f0-9]{4})?)\b",
    ),
    // https://uptimerobot.com/api/
    near(
        "uptimerobot-api-key",
        "UptimeRobot API key (account, read-only or monitor) next to its name",
        &["uptimerobot", "uptime_robot"],
        r"(?i)uptime_?robot[^\n]{0,40}?\b((?:ur|u|m)[0-9]{1,10}-[a-z0-9]{18,32})\b",
    ),
    // https://developer.authorize.net/api/reference/index.html
    near(
        "authorizenet-transaction-key",
        "Authorize.net transaction key next to its name",
        &["authorizenet", "authorize_net", "authnet"],
        r"(?i)(?:authorize[_.-]?net|authnet)[^\n]{0,40}?\b([A-Za-z0-9]{16})\b",
    ),
    // https://cloudinary.com/documentation/how_to_integrate_cloudinary#account_details
    entropy(
        near(
            "cloudinary-api-secret",
            "Cloudinary API secret next to its name",
            &["cloudinary"],
            r"(?i)cloudinary[^\n]{0,40}?(?:^|[^A-Za-z0-9_-])([A-Za-z0-9_-]{27})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.5,
    ),
    // https://duo.com/docs/authapi#authentication
    entropy(
        near(
            "duo-secret-key",
            "Duo Security (Cisco Duo) application secret key next to its name",
            &["duo_", "duosecret", "duosecurity"],
            r"(?i)(?:duo_|duosecret|duosecurity)[^\n]{0,40}?\b([A-Za-z0-9]{40})\b",
        ),
        3.5,
    ),
    // https://api.mattermost.com/#tag/authentication
    near(
        "mattermost-access-token",
        "Mattermost personal access or bot token next to its name",
        &["mattermost"],
        r"(?i)mattermost[^\n]{0,40}?\b([a-z0-9]{26})\b",
    ),
    // https://developers.sparkpost.com/api/#header-authorization
    near(
        "sparkpost-api-key",
        "SparkPost API key next to its name",
        &["sparkpost"],
        r"(?i)sparkpost[^\n]{0,40}?\b([a-f0-9]{40})\b",
    ),
    // https://www.infobip.com/docs/essentials/api-essentials/api-authentication#api-key-header
    near(
        "infobip-api-key",
        "Infobip API key next to its name",
        &["infobip"],
        r"(?i)infobip[^\n]{0,40}?\b([a-f0-9]{32}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    // https://wufoo.github.io/docs/#authentication
    near(
        "wufoo-api-key",
        "Wufoo API key next to its name",
        &["wufoo"],
        r"(?i)wufoo[^\n]{0,40}?\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b",
    ),
    // https://pipedrive.readme.io/docs/core-api-concepts-authentication
    near(
        "pipedrive-api-token",
        "Pipedrive personal API token next to its name",
        &["pipedrive"],
        r"(?i)pipedrive[^\n]{0,40}?\b([a-f0-9]{40})\b",
    ),
    // https://developer.statuspage.io/#section/Authentication
    near(
        "statuspage-api-key",
        "Atlassian Statuspage API key next to its name",
        &["statuspage", "status_page"],
        r"(?i)status_?page[^\n]{0,40}?\b([a-f0-9]{64})\b",
    ),
    // https://developers.deepl.com/docs/getting-started/auth
    near(
        "deepl-api-key",
        "DeepL API authentication key next to its name",
        &["deepl"],
        r"(?i)deepl[^\n]{0,40}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?::fx)?)\b",
    ),
    // https://www.bitmex.com/app/apiKeysUsage
    entropy(
        near(
            "bitmex-api-secret",
            "BitMEX API secret next to its name",
            &["bitmex"],
            r"(?i)bitmex[^\n]{0,40}?(?:^|[^A-Za-z0-9_-])([A-Za-z0-9_-]{48})(?:[^A-Za-z0-9_-]|$)",
        ),
        4.0,
    ),
    // https://pusher.com/docs/beams/reference/server-sdk-swift/
    near(
        "pusher-beams-secret-key",
        "Pusher Beams secret key next to its name",
        &["pusher"],
        r"(?i)pusher[^\n]{0,40}?\b([A-F0-9]{64})\b",
    ),
    // https://openweathermap.org/current
    near(
        "openweather-api-key",
        "OpenWeather (OpenWeatherMap) API key next to its name",
        &["openweather"],
        r"(?i)openweather[^\n]{0,40}?\b([a-f0-9]{32})\b",
    ),
    // https://developers.viber.com/docs/api/rest-bot-api/#authentication-token
    near(
        "viber-bot-auth-token",
        "Viber bot authentication token next to its name",
        &["viber"],
        r"(?i)viber[^\n]{0,40}?\b([a-z0-9]{16}-[a-z0-9]{16}-[a-z0-9]{16})\b",
    ),
    // https://docs.coinapi.io/authentication
    near(
        "coinapi-api-key",
        "CoinAPI API key next to its name",
        &["coinapi"],
        r"(?i)coinapi[^\n]{0,40}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    // https://documentation.onesignal.com/docs/accounts-and-keys#rest-api-key
    entropy(
        near(
            "onesignal-legacy-rest-api-key",
            "OneSignal legacy REST API key next to its name",
            &["onesignal", "one_signal"],
            r"(?i)one_?signal[^\n]{0,40}?(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{48})(?:[^A-Za-z0-9+/=]|$)",
        ),
        3.5,
    ),
    // https://docs.discourse.org/#section/Authentication
    near(
        "discourse-api-key",
        "Discourse API key next to its name",
        &["discourse"],
        r"(?i)discourse[^\n]{0,40}?\b([a-f0-9]{64})\b",
    ),
    // https://docs.gitea.com/development/api-usage#authentication
    near(
        "gitea-access-token",
        "Gitea / Forgejo / Codeberg access token next to its name",
        &["gitea", "forgejo", "codeberg"],
        r"(?i)(?:gitea|forgejo|codeberg)[^\n]{0,40}?\b([a-f0-9]{40})\b",
    ),
    // https://docs.rundeck.com/docs/api/#token-authentication
    entropy(
        near(
            "rundeck-api-token",
            "Rundeck API token next to its name",
            &["rundeck"],
            r"(?i)rundeck[^\n]{0,40}?\b([A-Za-z0-9]{32})\b",
        ),
        3.5,
    ),
    // https://eodhd.com/financial-apis/api-for-historical-data-and-volumes
    entropy(
        near(
            "eodhd-api-token",
            "EOD Historical Data (EODHD) API token next to its name",
            &["eodhd", "eodhistoricaldata", "eod_historical"],
            r"(?i)(?:eodhd|eodhistoricaldata|eod_?historical)[^\n]{0,40}?\b([A-Za-z0-9]{32})\b",
        ),
        3.5,
    ),
    // https://docs.checkr.com/#section/Getting-Started/Authentication
    opened_by(
        near(
            "checkr-api-key",
            "Checkr API key next to its name",
            &["checkr"],
            r"(?i)checkr[^\n]{0,40}?\b([a-f0-9]{40})\b",
        ),
        value_follows::<40, 40>,
    ),
    // https://developers.strava.com/docs/authentication/
    near(
        "strava-access-token",
        "Strava API access token or client secret next to its name",
        &["strava"],
        r"(?i)strava[^\n]{0,40}?\b([a-f0-9]{40})\b",
    ),
    // https://docs.hetzner.com/cloud/api/getting-started/generating-api-token/
    entropy(
        near(
            "hetzner-cloud-api-token",
            "Hetzner Cloud API token next to its name",
            &["hetzner", "hcloud"],
            r"(?i)(?:hetzner|hcloud)[^\n]{0,40}?\b([A-Za-z0-9]{64})\b",
        ),
        4.0,
    ),
    // https://docs.metamask.io/services/get-started/infura/
    near(
        "infura-api-key",
        "Infura (MetaMask Developer) API key / project ID or secret next to its name",
        &["infura"],
        r"(?i)infura[^\n]{0,40}?\b([a-f0-9]{32})\b",
    ),
    // https://docs.hcaptcha.com/#integration-testing-test-keys
    near(
        "hcaptcha-secret-key",
        "hCaptcha account secret key next to its name",
        &["hcaptcha"],
        r"(?i)hcaptcha[^\n]{0,40}?\b(0x[a-f0-9]{40})\b",
    ),
    // https://developers.cloudflare.com/turnstile/troubleshooting/testing/
    near(
        "cloudflare-turnstile-secret-key",
        "Cloudflare Turnstile secret key next to its name",
        &["turnstile"],
        r"(?i)turnstile[^\n]{0,40}?(?:^|[^A-Za-z0-9_-])(0x[A-Za-z0-9_-]{33})(?:[^A-Za-z0-9_-]|$)",
    ),
    // https://developer.cybersource.com/docs/cybs/en-us/platform/developer/all/rest/rest-getting-started/restgs-http-message-intro.html
    entropy(
        near(
            "cybersource-shared-secret",
            "CyberSource (Visa Acceptance) REST shared secret key next to its name",
            &["cybersource", "cybs_"],
            r"(?i)(?:cybersource|cybs_)[^\n]{0,40}?(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{43}=)(?:[^A-Za-z0-9+/=]|$)",
        ),
        4.0,
    ),
    // https://secure.nmi.com/merchants/resources/integration/integration_portal.php
    entropy(
        near(
            "nmi-security-key",
            "NMI (Network Merchants) payment gateway security key next to its name",
            &["nmi_", "nmisecurity", "networkmerchants"],
            r"(?i)(?:nmi_|nmisecurity|networkmerchants)[^\n]{0,40}?\b([A-Za-z0-9]{32})\b",
        ),
        3.5,
    ),
    // https://github.com/payeezy/payeezy_direct_API
    near(
        "payeezy-api-secret",
        "Payeezy (First Data / Fiserv) API secret next to its name",
        &["payeezy"],
        r"(?i)payeezy[^\n]{0,40}?\b([a-f0-9]{64})\b",
    ),
    // https://docs.mux.com/core/make-api-requests#http-basic-auth
    entropy(
        near(
            "mux-token-secret",
            "Mux API access token secret next to its name",
            &["mux_", "muxtoken"],
            r"(?i)(?:mux_|muxtoken)[^\n]{0,40}?(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{75})(?:[^A-Za-z0-9+/=]|$)",
        ),
        4.0,
    ),
    // https://developer.elavon.com/products/opayo-pi/v1/test-in-sandbox
    entropy(
        near(
            "opayo-integration-key",
            "Opayo (Sage Pay / Elavon) Pi integration key or password next to its name",
            &["opayo", "sagepay", "sage_pay"],
            r"(?i)(?:opayo|sage_?pay)[^\n]{0,40}?\b([A-Za-z0-9]{65}|[A-Za-z0-9]{50})\b",
        ),
        4.0,
    ),
    // https://fred.stlouisfed.org/docs/api/fred/series_observations.html#api_key
    near(
        "fred-api-key",
        "FRED (Federal Reserve Bank of St. Louis) API key next to its name",
        &["fred_api", "fredapi", "stlouisfed"],
        r"(?i)(?:fred_?api|stlouisfed)[^\n]{0,40}?\b([a-z0-9]{32})\b",
    ),
    // https://min.io/docs/minio/linux/developers/python/minio-py.html
    entropy(
        near(
            "minio-secret-key",
            "MinIO access secret key next to its name",
            &["minio"],
            r"(?i)minio[^\n]{0,40}?(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{40})(?:[^A-Za-z0-9+/=]|$)",
        ),
        4.0,
    ),
    // https://kubernetes.io/docs/reference/access-authn-authz/bootstrap-tokens/#token-format
    near(
        "kubeadm-bootstrap-token",
        "Kubernetes bootstrap (kubeadm join) token next to its name",
        &["kubeadm", "bootstrap-token", "bootstrap_token"],
        r"(?i)(?:kubeadm|bootstrap[_-]token)[^\n]{0,40}?\b([a-z0-9]{6}\.[a-z0-9]{16})\b",
    ),
    // https://help.ovhcloud.com/csm/en-gb-api-getting-started-ovhcloud-api
    entropy(
        near(
            "ovh-application-secret",
            "OVHcloud API application secret or consumer key next to its name",
            &["ovh_", "ovhapplication", "ovhconsumer"],
            r"(?i)ovh(?:_|application|consumer)[^\n]{0,40}?\b([A-Za-z0-9]{32})\b",
        ),
        3.5,
    ),
    // https://www.duckdns.org/install.jsp
    near(
        "duckdns-token",
        "Duck DNS account token next to its name",
        &["duckdns"],
        r"(?i)duckdns[^\n]{0,60}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    // https://www.namecheap.com/support/api/intro/
    near(
        "namecheap-api-key",
        "Namecheap API key next to its name",
        &["namecheap"],
        r"(?i)namecheap[^\n]{0,40}?\b([a-f0-9]{31,35})\b",
    ),
    // https://developer.ibm.com/apis/catalog/ns1--ibm-ns1-connect-api/Introduction
    entropy(
        near(
            "ns1-api-key",
            "NS1 (IBM NS1 Connect) API key next to its name",
            &["nsone", "ns1_", "ns1api"],
            r"(?i)(?:nsone|ns1_|ns1api)[^\n]{0,40}?\b([A-Za-z0-9]{20})\b",
        ),
        3.5,
    ),
    // https://www.scaleway.com/en/docs/iam/concepts/#api-key
    near(
        "scaleway-secret-key",
        "Scaleway API secret key next to its name",
        &["scaleway", "scw_secret", "scwsecret"],
        r"(?i)(?:scaleway[^\n]{0,20}?secret|scw_?secret)[^\n]{0,40}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    // https://www.tencentcloud.com/document/api/213/33224
    entropy(
        near(
            "tencent-cloud-secret-key",
            "Tencent Cloud API SecretKey next to its name",
            &["tencent"],
            r"(?i)tencent[^\n]{0,30}?secret_?key[^\n]{0,20}?\b([A-Za-z0-9]{32})\b",
        ),
        3.5,
    ),
    // https://cloud.baidu.com/doc/Reference/s/njwvz1yfu
    near(
        "baidu-cloud-secret-key",
        "Baidu AI Cloud (BCE) access key / secret key next to its name",
        &["baidu", "bce_"],
        r"(?i)(?:baidu|bce_)[^\n]{0,40}?\b([a-f0-9]{32})\b",
    ),
    // https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-sdk-java.html
    entropy(
        near(
            "huawei-cloud-secret-key",
            "Huawei Cloud secret access key (SK) next to its name",
            &["huawei", "hwcloud"],
            r"(?i)(?:huawei|hwcloud)[^\n]{0,40}?\b([A-Za-z0-9]{40})\b",
        ),
        3.5,
    ),
    // https://docs.ucloud.cn/api/summary/signature
    near(
        "ucloud-private-key",
        "UCloud API private key next to its name",
        &["ucloud"],
        r"(?i)ucloud[^\n]{0,40}?\b([a-f0-9]{40})\b",
    ),
    // https://manual.seafile.com/develop/web_api_v2.1/
    near(
        "seafile-api-token",
        "Seafile Web API token next to its name",
        &["seafile"],
        r"(?i)seafile[^\n]{0,40}?\b([a-f0-9]{40})\b",
    ),
    // https://www.elastic.co/guide/en/elasticsearch/reference/current/security-api-create-api-key.html
    entropy(
        near(
            "elasticsearch-encoded-api-key",
            "Elasticsearch / Elastic Cloud encoded API key next to its name",
            &["elastic", "es_api_key"],
            r"(?i)(?:elastic|es_api_key)[^\n]{0,40}?(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{56,58}={1,2})(?:[^A-Za-z0-9+/=]|$)",
        ),
        4.0,
    ),
    // https://netboxlabs.com/docs/netbox/en/stable/integrations/rest-api/#authentication
    near(
        "netbox-api-token",
        "NetBox / Nautobot (v1, 40-hex) API token next to its name",
        &["netbox", "nautobot"],
        r"(?i)(?:netbox|nautobot)[^\n]{0,40}?\b([a-f0-9]{40})\b",
    ),
    // https://docs.defectdojo.com/en/api/api-v2-docs/#authentication
    near(
        "defectdojo-api-key",
        "DefectDojo API v2 key next to its name",
        &["defectdojo", "dojo_api"],
        r"(?i)(?:defectdojo|dojo_api)[^\n]{0,40}?\b([a-f0-9]{40})\b",
    ),
    // https://developer.nokotime.com/v2/authentication/
    near(
        "noko-api-token",
        "Noko (formerly Freckle) time-tracking API token next to its name",
        &["noko_", "nokotoken", "freckle"],
        r"(?i)(?:noko_|nokotoken|freckle)[^\n]{0,40}?\b([a-z0-9]{31})\b",
    ),
    // https://developers.cloudflare.com/r2/api/tokens/#get-s3-api-credentials-from-an-api-token
    near(
        "cloudflare-r2-secret-access-key",
        "Cloudflare R2 S3 secret access key next to its name",
        &["r2_secret", "r2secret", "cloudflare_r2"],
        r"(?i)(?:r2_?secret|cloudflare_r2)[^\n]{0,40}?\b([a-f0-9]{64})\b",
    ),
    // https://guides.rubyonrails.org/security.html#session-storage
    near(
        "rails-secret-key-base",
        "Ruby on Rails secret_key_base next to its name",
        &["secret_key_base", "secretkeybase"],
        r"(?i)secret_?key_?base[^\n]{0,20}?\b([a-f0-9]{128})\b",
    ),
    // https://laravel.com/docs/encryption#configuration
    entropy(
        near(
            "laravel-app-key",
            "Laravel APP_KEY encryption key next to its name",
            &["app_key", "appkey"],
            r"(?i)app_?key[^\n]{0,10}?(?:^|[^A-Za-z0-9+/:])(base64:[A-Za-z0-9+/]{43}=)(?:[^A-Za-z0-9+/=]|$)",
        ),
        4.0,
    ),
    // https://symfony.com/doc/current/reference/configuration/framework.html#secret
    near(
        "symfony-app-secret",
        "Symfony APP_SECRET next to its name",
        &["app_secret", "appsecret"],
        r"(?i)app_?secret[^\n]{0,10}?\b([a-f0-9]{32})\b",
    ),
    // https://next-auth.js.org/configuration/options#secret
    entropy(
        near(
            "nextauth-secret",
            "NextAuth.js / Auth.js secret next to its name",
            &["nextauth_secret", "nextauthsecret", "auth_secret"],
            r"(?i)(?:nextauth_?secret|auth_secret)[^\n]{0,10}?(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{43}=)(?:[^A-Za-z0-9+/=]|$)",
        ),
        4.0,
    ),
    // https://hexdocs.pm/phoenix/Mix.Tasks.Phx.Gen.Secret.html
    entropy(
        near(
            "phoenix-secret-key-base",
            "Elixir Phoenix secret_key_base next to its name",
            &["secret_key_base", "secretkeybase"],
            r"(?i)secret_?key_?base[^\n]{0,20}?(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{64})(?:[^A-Za-z0-9+/=]|$)",
        ),
        4.0,
    ),
    // https://docs.djangoproject.com/en/stable/ref/settings/#secret-key
    entropy(
        near(
            "django-secret-key",
            "Django SECRET_KEY next to its name",
            &["django"],
            r#"(?i)django[^\n]{0,20}?secret_?key[^\n]{0,10}?(?:^|[\s'"=:])((?:django-insecure-)?[a-z0-9!@#$%^&*(\-_=+)]{50})(?:['"\s,;]|$)"#,
        ),
        3.5,
    ),
    // https://docs.goauthentik.io/docs/install-config/install/docker-compose#preparation
    entropy(
        near(
            "authentik-secret-key",
            "authentik AUTHENTIK_SECRET_KEY next to its name",
            &["authentik"],
            r"(?i)authentik_?secret_?key[^\n]{0,10}?(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{80})(?:[^A-Za-z0-9+/=]|$)",
        ),
        4.5,
    ),
    // https://github.com/bybit-exchange/bybit-official-api-docs
    entropy(
        near(
            "bybit-api-secret",
            "Bybit API secret next to its name",
            &["bybit"],
            r"(?i)bybit[^\n]{0,40}?\b([A-Za-z0-9]{36})\b",
        ),
        4.0,
    ),
    // https://docs.deribit.com/#public-auth
    entropy(
        near(
            "deribit-client-secret",
            "Deribit API client secret next to its name",
            &["deribit"],
            r"(?i)deribit[^\n]{0,40}?(?:^|[^A-Za-z0-9_-])([A-Z0-9]{32}|[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.5,
    ),
    // https://www.okx.com/docs-v5/en/#overview-rest-authentication-signature
    near(
        "okx-secret-key",
        "OKX (OKEx) API secret key next to its name",
        &["okx_", "okxsecret", "okex"],
        r"(?i)(?:okx_|okxsecret|okex)[^\n]{0,40}?\b([A-F0-9]{32})\b",
    ),
    // https://www.kucoin.com/docs/basic-info/connection-method/authentication/signing-a-message
    near(
        "kucoin-api-secret",
        "KuCoin API secret next to its name",
        &["kucoin"],
        r"(?i)kucoin[^\n]{0,40}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    // https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3
    entropy(
        near(
            "wechat-pay-api-key",
            "WeChat Pay merchant API key (v2) or WeChat AppSecret next to its name",
            &["wechat", "wxpay", "weixin"],
            r"(?i)(?:wechat|wxpay|weixin)[^\n]{0,40}?\b([A-Za-z0-9]{32})\b",
        ),
        3.5,
    ),
    // https://www.tencentcloud.com/document/product/647/35166
    near(
        "tencent-trtc-im-secret-key",
        "Tencent Cloud TRTC / IM UserSig secret key next to its name",
        &["trtc", "tencent", "tls_sig"],
        r"(?i)(?:trtc|tencent|tls_sig)[^\n]{0,40}?\b([a-f0-9]{64})\b",
    ),
    // https://www.mathworks.com/help/thingspeak/channel-control.html
    near(
        "thingspeak-api-key",
        "ThingSpeak channel write/read API key next to its name",
        &["thingspeak"],
        r"(?i)thingspeak[^\n]{0,40}?\b([A-Z0-9]{16})\b",
    ),
    // https://docs.blynk.io/en/blynk.cloud/device-https-api/get-multiple-datastream-values
    entropy(
        near(
            "blynk-auth-token",
            "Blynk device auth token next to its name",
            &["blynk"],
            r"(?i)blynk[^\n]{0,40}?(?:^|[^A-Za-z0-9_-])([A-Za-z0-9_-]{32})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.5,
    ),
    // https://developers-classic.mailerlite.com/docs/authentication
    near(
        "mailerlite-classic-api-key",
        "MailerLite Classic (API v2) API key next to its name",
        &["mailerlite"],
        r"(?i)mailerlite[^\n]{0,40}?\b([a-f0-9]{32})\b",
    ),
    // https://docs.scrapingdog.com/web-scraping-api/request-customization/javascript-rendering
    near(
        "scrapingdog-api-key",
        "ScrapingDog API key next to its name",
        &["scrapingdog"],
        r"(?i)scrapingdog[^\n]{0,40}?\b([a-f0-9]{24})\b",
    ),
    // https://docs.cron-job.org/rest-api.html
    entropy(
        near(
            "cron-job-org-api-key",
            "cron-job.org REST API key next to its name",
            &["cron-job.org", "cron_job_org", "cronjoborg"],
            r"(?i)cron[_.-]?job[_.-]?org[^\n]{0,40}?\b([A-Za-z0-9]{32})\b",
        ),
        3.5,
    ),
    // https://api.docs.cpanel.net/specifications/cpanel.openapi/api-token-management/create_full_access
    entropy(
        near(
            "cpanel-api-token",
            "cPanel / WHM API token next to its name",
            &["cpanel", "whm_api"],
            r"(?i)(?:cpanel|whm_api)[^\n]{0,40}?\b([A-Z0-9]{32})\b",
        ),
        3.5,
    ),
    // https://developer.nrel.gov/docs/api-key
    opened_by(
        entropy(
            near(
                "nrel-api-key",
                "NREL developer network (api.data.gov) API key next to its name",
                &["nrel"],
                r"(?i)nrel[^\n]{0,40}?\b([A-Za-z0-9]{40})\b",
            ),
            3.5,
        ),
        value_follows::<40, 40>,
    ),
    // https://api.data.gov/docs/developer-manual
    entropy(
        near(
            "api-data-gov-api-key",
            "api.data.gov API key (shared by participating US federal agency APIs) next to its name",
            &["data_gov", "datagov"],
            r"(?i)data[_.-]?gov[^\n]{0,40}?\b([A-Za-z0-9]{40})\b",
        ),
        3.5,
    ),
    // https://pastebin.com/doc_api
    near(
        "pastebin-api-dev-key",
        "Pastebin developer API key next to its name",
        &["pastebin"],
        r"(?i)pastebin[^\n]{0,40}?\b([a-f0-9]{32})\b",
    ),
    // https://docs.rapid7.com/insightops/token-tcp
    near(
        "rapid7-insightops-log-token",
        "Rapid7 InsightOps / Logentries log token next to its name",
        &["logentries", "insightops"],
        r"(?i)(?:logentries|insightops)[^\n]{0,40}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    // https://developer.vonage.com/account/code-snippets/create-a-secret
    entropy(
        near(
            "vonage-api-secret",
            "Vonage (Nexmo) API secret next to its name",
            &["vonage", "nexmo"],
            r"(?i)(?:vonage|nexmo)[^\n]{0,40}?secret[^\n]{0,20}?\b([A-Za-z0-9]{16,25})\b",
        ),
        3.2,
    ),
    // https://github.com/codecov/codecov-bash/issues/305
    near(
        "codecov-upload-token",
        "Codecov repository upload token next to its name",
        &["codecov"],
        r"(?i)codecov[^\n]{0,40}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ),
    // https://github.com/truenas/middleware/blob/66d9e1b9c32866b70851910c026041b59c432116/src/middlewared/middlewared/plugins/api_key/crud.py
    entropy(
        near(
            "truenas-api-key",
            "TrueNAS API key (<id>-<64 alphanumerics>) next to its name",
            &["truenas"],
            r"(?i)truenas[^\n]{0,40}?\b(\d{1,10}-[A-Za-z0-9]{64})\b",
        ),
        3.5,
    ),
    // https://github.com/OctoPrint/OctoPrint/blob/744c835969d6a0adc512a668a5d5abec0415dda0/src/octoprint/util/__init__.py
    entropy(
        near(
            "octoprint-api-key",
            "OctoPrint API key next to its name",
            &["octoprint"],
            r"(?i)octoprint[^\n]{0,40}?(?:^|[^A-Za-z0-9_-])([A-Za-z0-9_-]{43}|[0-9A-F]{32})(?:[^A-Za-z0-9_-]|$)",
        ),
        3.5,
    ),
    // https://github.com/redmine/redmine/blob/890812e49cc60e96c7c252b7dedbd881a4edba55/app/models/token.rb
    near(
        "redmine-api-key",
        "Redmine API access key next to its name",
        &["redmine"],
        r"(?i)redmine[^\n]{0,40}?\b([a-f0-9]{40})\b",
    ),
    // https://github.com/syncthing/syncthing/blob/328d910aee822178f55442c76bc7e35ce34d68cc/lib/config/guiconfiguration.go
    entropy(
        near(
            "syncthing-api-key",
            "Syncthing GUI/REST API key next to its name",
            &["syncthing"],
            r"(?i)syncthing[^\n]{0,40}?\b([A-Za-z0-9]{32})\b",
        ),
        3.5,
    ),
    // https://github.com/Mintplex-Labs/anything-llm/blob/72aabbd15481ae405434efd4c83d46026eef1173/server/models/apiKeys.js
    near(
        "anythingllm-api-key",
        "AnythingLLM developer API key next to its name",
        &["anythingllm", "anything_llm", "anything-llm"],
        r"(?i)anything[_-]?llm[^\n]{0,40}?\b((?:brx-)?[0-9A-Z]{7}-[0-9A-Z]{7}-[0-9A-Z]{7}-[0-9A-Z]{7})\b",
    ),
    // https://github.com/BookStackApp/BookStack/blob/6f1c54d018f7d55301eb4c31055b04769f5924d7/app/Api/UserApiTokenController.php
    entropy(
        near(
            "bookstack-api-token",
            "BookStack API token id/secret next to its name",
            &["bookstack"],
            r"(?i)bookstack[^\n]{0,40}?\b([A-Za-z0-9]{32})\b",
        ),
        3.5,
    ),
    // https://github.com/documenso/documenso/blob/75330166cc00b29c14399bc2e391e4b4d8080c00/packages/lib/server-only/public-api/create-api-token.ts
    near(
        "documenso-api-token",
        "Documenso API token (api_ + 16) next to its name",
        &["documenso"],
        r"(?i)documenso[^\n]{0,40}?\b(api_[a-z0-9]{16})\b",
    ),
    // https://github.com/Sonarr/Sonarr/blob/49df353fa14c453929b79f32144b2c8c86d94b09/src/NzbDrone.Core/Configuration/ConfigFileProvider.cs
    near(
        "servarr-api-key",
        "Sonarr/Radarr-family (*arr) API key next to the app name",
        &[
            "sonarr", "radarr", "lidarr", "readarr", "prowlarr", "whisparr",
        ],
        r"(?i)(?:sonarr|radarr|lidarr|readarr|prowlarr|whisparr)[^\n]{0,40}?\b([a-f0-9]{32})\b",
    ),
    // https://github.com/jellyfin/jellyfin/blob/c3ed1407ca698b0905de99da87b67415e6a62dbd/src/Jellyfin.Database/Jellyfin.Database.Implementations/Entities/Security/ApiKey.cs
    near(
        "jellyfin-api-key",
        "Jellyfin API key next to its name",
        &["jellyfin"],
        r"(?i)jellyfin[^\n]{0,40}?\b([a-f0-9]{32})\b",
    ),
    // https://github.com/Tautulli/Tautulli/blob/c7153deb6e3017b8dda46c8448fe548a61c5a47a/plexpy/__init__.py
    near(
        "tautulli-api-key",
        "Tautulli API key next to its name",
        &["tautulli"],
        r"(?i)tautulli[^\n]{0,40}?\b([a-f0-9]{32})\b",
    ),
    // https://github.com/shopware/shopware/blob/01fde55afeddf7542f6d0651ccee0e48deee8ed1/src/Core/Framework/Api/Util/AccessKeyHelper.php
    entropy(
        near(
            "shopware-secret-access-key",
            "Shopware secret access key next to its name",
            &["shopware"],
            r"(?i)shopware[^\n]{0,40}?\b([A-Za-z0-9]{51})\b",
        ),
        3.5,
    ),
    // https://github.com/WireGuard/wireguard-tools/blob/025f00454fec8fd0816607a28c1ee6cd9a54b134/src/man/wg.8
    entropy(
        near(
            "wireguard-private-key",
            "WireGuard PrivateKey / PresharedKey (base64 32 bytes) next to its setting name",
            &[
                "privatekey",
                "private_key",
                "private-key",
                "private key",
                "presharedkey",
                "preshared_key",
            ],
            r#"(?i:private|preshared)[ _-]?(?i:key)\s*[=:]\s*[\"']?([A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=)(?:[^A-Za-z0-9+/=]|$)"#,
        ),
        3.5,
    ),
    // https://github.com/rails/rails/blob/113d0dccd3c41689643179a3690214e3057f7dc9/activesupport/lib/active_support/encrypted_file.rb
    near(
        "rails-master-key",
        "Rails credentials master key (RAILS_MASTER_KEY)",
        &["rails_master_key"],
        r"(?i)rails_master_key[^\n]{0,10}?\b([a-f0-9]{32})\b",
    ),
    // https://github.com/dgtlmoon/changedetection.io/blob/fce24780e74199bf34c62a0d90188cc2fc12f061/changedetectionio/blueprint/settings/__init__.py
    near(
        "changedetection-api-key",
        "changedetection.io API access token next to its name",
        &["changedetection"],
        r"(?i)changedetection[^\n]{0,40}?\b([a-f0-9]{32})\b",
    ),
    // https://github.com/miniflux/v2/blob/106cdd09e1557222303f3ed1376e1dadf0638621/internal/storage/api_key.go
    near(
        "miniflux-api-key",
        "Miniflux API key next to its name",
        &["miniflux"],
        r"(?i)miniflux[^\n]{0,40}?\b([a-f0-9]{64})\b",
    ),
    // https://github.com/gogs/gogs/blob/eb1054e5432fc8397678372f08613429be233d7c/internal/database/access_tokens.go
    near(
        "gogs-access-token",
        "Gogs access token next to its name",
        &["gogs"],
        r"(?i)gogs[^\n]{0,40}?\b([a-f0-9]{40})\b",
    ),
    // https://github.com/immich-app/immich/blob/2f547ba110d674b6cf5b4f9dfe7c15e129f4b737/server/src/services/api-key.service.ts
    entropy(
        near(
            "immich-api-key",
            "Immich API key next to its name",
            &["immich"],
            r"(?i)immich[^\n]{0,40}?\b([A-Za-z0-9]{38,43})\b",
        ),
        3.5,
    ),
    // https://github.com/coder/coder/blob/15c6a2399ba247a562cc216735a75947be0284c4/coderd/apikey/apikey.go
    entropy(
        near(
            "coder-session-token",
            "Coder session / API token (10-char id + '-' + 22-char secret) next to CODER_SESSION_TOKEN",
            &[
                "coder_session_token",
                "coder-session-token",
                "coder_token",
                "coder-token",
            ],
            r"(?i)coder[_-](?:session[_-])?token[^\n]{0,10}?\b([A-Za-z0-9]{10}-[A-Za-z0-9]{22})\b",
        ),
        3.5,
    ),
    // https://io.adafruit.com/api/docs/#authentication
    near(
        "adafruit-io-key-legacy",
        "Older Adafruit IO key (32 hex) next to 'adafruit' or an AIO key setting",
        &["adafruit", "aio_key", "aio-key", "aiokey"],
        r"(?i)(?:adafruit|aio[_-]?key)[^\n]{0,40}?\b([a-f0-9]{32})\b",
    ),
    // https://thingsboard.io/docs/paas/reference/http-api/provisioning/
    entropy(
        near(
            "thingsboard-access-token",
            "ThingsBoard device access token (20 alphanumerics) next to its name",
            &["thingsboard"],
            r"(?i)thingsboard[^\n]{0,40}?\b((?:[0-9][A-Za-z0-9]{19}|[A-Za-z]{1}[0-9][A-Za-z0-9]{18}|[A-Za-z]{2}[0-9][A-Za-z0-9]{17}|[A-Za-z]{3}[0-9][A-Za-z0-9]{16}|[A-Za-z]{4}[0-9][A-Za-z0-9]{15}|[A-Za-z]{5}[0-9][A-Za-z0-9]{14}|[A-Za-z]{6}[0-9][A-Za-z0-9]{13}|[A-Za-z]{7}[0-9][A-Za-z0-9]{12}|[A-Za-z]{8}[0-9][A-Za-z0-9]{11}|[A-Za-z]{9}[0-9][A-Za-z0-9]{10}|[A-Za-z]{10}[0-9][A-Za-z0-9]{9}|[A-Za-z]{11}[0-9][A-Za-z0-9]{8}|[A-Za-z]{12}[0-9][A-Za-z0-9]{7}|[A-Za-z]{13}[0-9][A-Za-z0-9]{6}|[A-Za-z]{14}[0-9][A-Za-z0-9]{5}|[A-Za-z]{15}[0-9][A-Za-z0-9]{4}|[A-Za-z]{16}[0-9][A-Za-z0-9]{3}|[A-Za-z]{17}[0-9][A-Za-z0-9]{2}|[A-Za-z]{18}[0-9][A-Za-z0-9]{1}|[A-Za-z]{19}[0-9][A-Za-z0-9]{0}))\b",
        ),
        3.5,
    ),
    // https://github.com/codeclimate/test-reporter/blob/021c88d2f91a3fff09466cae311d571ab1771933/examples.md
    near(
        "codeclimate-test-reporter-id",
        "Code Climate test reporter ID (64 hex) in CC_TEST_REPORTER_ID",
        &["reporter_id", "reporter-id", "reporterid"],
        r"(?i)(?:cc_?test_?reporter_?id|test[_-]?reporter[_-]?id)[^\n]{0,20}?\b([a-f0-9]{64})\b",
    ),
    // Coveralls: "repo_token (found on your repository's page on Coveralls) ... should be kept
    // secret" (the ruby-coveralls manual); Code Climate's Travis add-on took its reporter ID as
    // `addons: code_climate: repo_token:`.
    near(
        "coverage-repo-token",
        "Coverage service repository token (Coveralls, Code Climate) in repo_token",
        &["repo_token", "repo-token", "repotoken"],
        r"(?i)repo[_-]?token[^\n]{0,8}?\b([A-Za-z0-9]{32,64})\b",
    ),
    // https://github.com/PandaDoc/pandadoc-api-sample-app-python/blob/2adfe81bf6ca49394e3c3a265102e23d31bf55b1/README.md
    near(
        "pandadoc-api-key",
        "PandaDoc API key (40 hex) next to its name",
        &["pandadoc"],
        r"(?i)pandadoc[^\n]{0,40}?(?:^|[^/A-Za-z0-9_])([a-f0-9]{40})\b",
    ),
    // https://developer.helpscout.com/mailbox-api/overview/authentication/
    near(
        "helpscout-access-token",
        "Help Scout Mailbox API access token (32 hex) next to its name",
        &["helpscout", "help_scout", "help-scout"],
        r"(?i)help[_-]?scout[^\n]{0,40}?\b([a-f0-9]{32})\b",
    ),
    // https://support.mailmodo.com/support/solutions/articles/84000351533-trigger-mails-via-api
    near(
        "mailmodo-api-key",
        "Mailmodo API key (four dash-separated groups of 7) next to its name or the mmApiKey header",
        &["mailmodo", "mmapikey"],
        r"(?i)(?:mailmodo|mmapikey)[^\n]{0,40}?\b([0-9A-Z]{7}-[0-9A-Z]{7}-[0-9A-Z]{7}-[0-9A-Z]{7})\b",
    ),
    // https://github.com/mockaroo/mockaroo-node/blob/940bb6fc0be13bbfcd41cdbb2eaee5905777bedf/examples/test.js
    entropy(
        near(
            "mockaroo-api-key",
            "Mockaroo API key (8 hex) in a key setting or key= parameter next to 'mockaroo'",
            &["mockaroo"],
            r"(?i)mockaroo[^\n]{0,60}?key\W{1,4}([a-f0-9]{8})\b",
        ),
        2.0,
    ),
];
