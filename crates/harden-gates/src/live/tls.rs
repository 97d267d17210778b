use harden_config::OptionValue;
use harden_engine::{Gate, GateCx, GateError, GateOutput, HttpRequest};
use harden_model::{
    GateId, GateMeta, Location, OptionKind, OptionSpec, ProfileLevel, Round, Severity, Target,
};

/// `R7.http.tls`: the service speaks TLS 1.2 or later only, with a valid certificate that is
/// not about to expire, and plain http sends clients to https.
pub(crate) struct HttpTls;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R7.http.tls"),
    round: Round::R7,
    title: "TLS: 1.2 or later, a valid certificate not about to expire, http redirected",
    severity: Severity::High,
    target: Target::Service,
    min_profile: ProfileLevel::Production,
    rationale: "A service reached over plain http, or over TLS with an untrusted, expired or \
wrong-host certificate, or one still accepting TLS 1.0/1.1, exposes its users' traffic and \
credentials. On an https target this gate completes a verified handshake (the system's roots \
and `[target] ca-file`), records the protocol, cipher and certificate expiry, fails a certificate \
that does not verify for the host or expires within `expiry-days` (default 30), offers TLS 1.0 and \
1.1 alone and fails if the service accepts either, and asks plain http on `http-port` (default \
80): an answer that is not a redirect to https fails (no listener there is fine). A plain http \
target on another machine fails; one on this machine (a local test run) is skipped with that \
reason. Fix: TLS 1.2+ only at the edge, automated certificate renewal, a permanent redirect from \
http.",
    evidence: &["requests", "facts"],
    options: &[
        OptionSpec {
            key: "expiry-days",
            kind: OptionKind::Integer,
            help: "Fail a certificate that expires within this many days (default 30).",
        },
        OptionSpec {
            key: "http-port",
            kind: OptionKind::Integer,
            help: "Port where plain http is asked for a redirect (default 80).",
        },
    ],
    items: None,
};

fn integer_option(cx: &GateCx<'_>, key: &str, default: i64) -> i64 {
    match cx.option(key) {
        Some(OptionValue::Integer(n)) => i64::try_from(*n).unwrap_or(default),
        _ => default,
    }
}

/// `host` of `http(s)://host[:port]/...`, brackets kept for IPv6.
fn host_of(base: &str) -> &str {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    match authority.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or(authority, |(h, _)| h),
        None => authority.split(':').next().unwrap_or(authority),
    }
}

fn loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn at(base: &str, summary: String) -> Location {
    Location::Http {
        method: "TLS".to_owned(),
        url: base.to_owned(),
        status: None,
        summary,
        exchange: None,
    }
}

impl Gate for HttpTls {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let service = cx.service()?;
        let base = service.base_url();
        let host = host_of(&base).to_owned();
        if base.starts_with("http://") {
            if loopback(&host) {
                return Err(GateError::Skip(format!(
                    "the target {base} is plain http on this machine (a local run); TLS is judged on an https target"
                )));
            }
            out.examined("targets", 1);
            out.finding(
                cx.finding(
                    format!("the service is reached over plain http ({base}): traffic and credentials travel unencrypted"),
                    at(&base, "plain http".to_owned()),
                )
                .identity("plain-http")
                .help("serve https (TLS 1.2+) and point [target] base-url at it")
                .build(),
            );
            return Ok(());
        }
        let facts = service.tls().map_err(|error| GateError::Failed {
            message: format!("TLS handshake with {base}: {error}"),
            location: None,
        })?;
        out.examined("handshakes", 1);
        if let Some(error) = &facts.error {
            out.finding(
                cx.finding(
                    format!("the TLS handshake fails: {error}"),
                    at(&base, "verified handshake".to_owned()),
                )
                .identity("handshake")
                .help("serve a certificate for this host from a trusted CA (or set [target] ca-file for a private one), within its validity")
                .build(),
            );
        }
        if let Some(protocol) = &facts.protocol {
            out.fact("protocol", protocol.clone());
        }
        if let Some(cipher) = &facts.cipher {
            out.fact("cipher", cipher.clone());
        }
        if let Some(not_after) = facts.not_after {
            let window = integer_option(cx, "expiry-days", 30);
            let now = cx.clock().now().as_second();
            let days = (not_after - now).div_euclid(86_400);
            let date = jiff::Timestamp::from_second(not_after)
                .map(|t| t.strftime("%Y-%m-%d").to_string())
                .unwrap_or_default();
            out.fact("certificate expires", date.clone());
            if days < window {
                let subject = facts.subject.as_deref().unwrap_or("the certificate");
                out.finding(
                    cx.finding(
                        format!("{subject} expires in {days} days ({date}), within the {window}-day window"),
                        at(&base, format!("certificate valid until {date}")),
                    )
                    .identity("expiry")
                    .help("renew it now and automate renewal (ACME) well ahead of expiry")
                    .build(),
                );
            }
        }
        for (minor, name) in [(1u8, "TLS 1.0"), (2, "TLS 1.1")] {
            match service.accepts_legacy_tls(minor) {
                Ok(true) => out.finding(
                    cx.finding(
                        format!("the service accepts {name}: a protocol with known weaknesses, retired by RFC 8996"),
                        at(&base, format!("ClientHello offering only {name} → ServerHello")),
                    )
                    .identity(format!("legacy:{name}"))
                    .help("allow TLS 1.2 and 1.3 only (nginx `ssl_protocols TLSv1.2 TLSv1.3;`)")
                    .build(),
                ),
                Ok(false) => out.fact(&format!("{name} refused"), "yes"),
                Err(error) => {
                    return Err(GateError::Failed {
                        message: format!("{name} probe of {base}: {error}"),
                        location: None,
                    });
                }
            }
            out.examined("handshakes", 1);
        }
        let port = integer_option(cx, "http-port", 80);
        let plain = if host.contains(':') {
            format!("http://[{host}]:{port}/")
        } else {
            format!("http://{host}:{port}/")
        };
        match service.send(&HttpRequest::get(&plain)) {
            Ok(response) => {
                out.examined("requests", 1);
                let to_https = (300..400).contains(&response.status)
                    && response
                        .header("location")
                        .is_some_and(|l| l.starts_with("https://"));
                if to_https {
                    out.fact("http redirects to https", "yes");
                } else {
                    out.finding(
                        cx.finding(
                            format!(
                                "plain http on port {port} answers {} without redirecting to https",
                                response.status
                            ),
                            Location::Http {
                                method: "GET".to_owned(),
                                url: plain.clone(),
                                status: Some(response.status),
                                summary: format!("GET {plain} → {}", response.status),
                                exchange: super::exchange(service, &response),
                            },
                        )
                        .identity("http-redirect")
                        .help("answer plain http with a permanent redirect (301/308) to https")
                        .build(),
                    );
                }
            }
            // Nothing listening for plain http: nobody can be served without TLS there.
            Err(error) => out.fact("plain http", format!("not answered ({error})")),
        }
        Ok(())
    }
}
