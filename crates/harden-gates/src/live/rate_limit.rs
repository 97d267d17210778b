use harden_config::OptionValue;
use harden_engine::{Gate, GateCx, GateError, GateOutput, HttpRequest};
use harden_model::{
    GateId, GateMeta, Location, OptionKind, OptionSpec, ProfileLevel, Round, Severity, Target,
};

/// `R7.http.rate-limit`: a burst against the service meets a limit before it ends.
pub(crate) struct RateLimit;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R7.http.rate-limit"),
    round: Round::R7,
    title: "Rate limiting answers a burst with 429",
    severity: Severity::Medium,
    target: Target::Service,
    min_profile: ProfileLevel::Production,
    rationale: "Without a rate limit one client can exhaust the service for everyone, guess \
passwords or tokens at full speed, or run up a cloud bill. This gate sends a bounded burst \
(`burst`, default 60 requests, back to back, within the run's request budget) to one endpoint \
(`path`, default `/`; point it at login or an expensive API) and passes when a 429 (or 503) \
arrives before the burst ends, recording after how many requests and the `Retry-After` it \
gave. Fix: a limiter at the edge or in the framework, keyed by client and by account.",
    evidence: &["requests", "facts"],
    options: &[
        OptionSpec {
            key: "path",
            kind: OptionKind::String,
            help: "Endpoint to burst (default \"/\"), e.g. \"/api/login\".",
        },
        OptionSpec {
            key: "burst",
            kind: OptionKind::Integer,
            help: "Requests in the burst (default 60).",
        },
    ],
    items: None,
};

impl Gate for RateLimit {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let service = cx.service()?;
        let path = match cx.option("path") {
            Some(OptionValue::String(path)) => path.clone(),
            _ => "/".to_owned(),
        };
        let burst = match cx.option("burst") {
            Some(OptionValue::Integer(n)) => u32::try_from(*n).unwrap_or(u32::MAX).max(1),
            _ => 60,
        };
        let results = service.burst(&HttpRequest::get(&path), burst);
        let mut sent = 0;
        for (index, result) in results.iter().enumerate() {
            let response = match result {
                Ok(response) => response,
                Err(error) => {
                    return Err(GateError::Failed {
                        message: format!(
                            "the burst to {path} stopped after {index} requests: {error}"
                        ),
                        location: None,
                    });
                }
            };
            sent += 1;
            if matches!(response.status, 429 | 503) {
                out.examined("requests", sent);
                out.fact(
                    "limited",
                    format!(
                        "{} after {sent} requests{}",
                        response.status,
                        response
                            .header("retry-after")
                            .map(|r| format!(", Retry-After: {r}"))
                            .unwrap_or_default()
                    ),
                );
                return Ok(());
            }
        }
        out.examined("requests", sent);
        out.finding(
            cx.finding(
                format!("{burst} requests back to back to {path} were all served: no rate limit answered 429 or 503"),
                Location::Http {
                    method: "GET".to_owned(),
                    url: format!("{}{}", service.base_url().trim_end_matches('/'), path),
                    status: results.last().and_then(|r| r.as_ref().ok()).map(|r| r.status),
                    summary: format!("burst of {burst}"),
                    exchange: None,
                },
            )
            .identity(format!("unlimited:{path}"))
            .help("limit requests per client (and per account on login) at the edge or in the framework, answering 429 with Retry-After")
            .build(),
        );
        Ok(())
    }
}
