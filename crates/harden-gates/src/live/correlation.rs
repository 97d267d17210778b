use harden_engine::{Gate, GateCx, GateError, GateOutput, HttpRequest};
use harden_model::{GateId, GateMeta, Location, ProfileLevel, Round, Severity, Target};

/// `R2.correlation`: a request's id comes back, so one request can be followed through logs.
pub(crate) struct Correlation;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R2.correlation"),
    round: Round::R2,
    title: "Request ids and trace context are echoed or propagated",
    severity: Severity::Medium,
    target: Target::Service,
    min_profile: ProfileLevel::Production,
    rationale: "When a user reports a failure, the request id in the answer is what finds the \
log lines, the trace and the audit record of that one request. This gate sends an \
`X-Request-ID` and a W3C `traceparent` and passes when the answer echoes the request id or \
carries the trace id (in `traceparent`, `traceresponse` or a request-id header); a service that \
mints its own id is accepted too, since the id then still comes back to the caller. Fix: a \
middleware that reads or mints the request id, puts it on every log line and returns it.",
    evidence: &["requests", "facts"],
    options: &[],
    items: None,
};

/// Headers a service may answer with an id in.
const ID_HEADERS: &[&str] = &[
    "x-request-id",
    "x-correlation-id",
    "request-id",
    "x-amzn-requestid",
    "x-trace-id",
    "traceparent",
    "traceresponse",
];

const REQUEST_ID: &str = "harden-probe-4f1c2a9e";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

impl Gate for Correlation {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let service = cx.service()?;
        let base = service.base_url();
        let request = HttpRequest::get("/")
            .header("X-Request-ID", REQUEST_ID)
            .header("traceparent", &format!("00-{TRACE_ID}-00f067aa0ba902b7-01"));
        let response = service.send(&request).map_err(|error| GateError::Failed {
            message: format!("GET {base} failed: {error}"),
            location: None,
        })?;
        out.examined("requests", 1);
        let echoed = ID_HEADERS.iter().find_map(|name| {
            response.header(name).and_then(|value| {
                if value.contains(REQUEST_ID) {
                    Some(format!("{name} echoes the request id"))
                } else if value.contains(TRACE_ID) {
                    Some(format!("{name} carries the trace id"))
                } else if !value.trim().is_empty() && !name.starts_with("trace") {
                    Some(format!("{name} carries an id the service minted"))
                } else {
                    None
                }
            })
        });
        match echoed {
            Some(how) => out.fact("correlation", how),
            None => out.finding(
                cx.finding(
                    "neither the request id nor the trace id comes back, and no id of the service's own: a failed request cannot be found in the logs",
                    Location::Http {
                        method: "GET".to_owned(),
                        url: base,
                        status: Some(response.status),
                        summary: format!("sent X-Request-ID: {REQUEST_ID} and a traceparent"),
                        exchange: super::exchange(service, &response),
                    },
                )
                .identity("no-correlation")
                .help("read X-Request-ID (or mint one), log it with every line and return it in the response")
                .build(),
            ),
        }
        Ok(())
    }
}
