//! Live gates: judged on a running service through the engine's `Service` port.

pub(crate) mod auth;
pub(crate) mod contract;
pub(crate) mod cookies;
pub(crate) mod correlation;
pub(crate) mod cors;
pub(crate) mod errors_leak;
pub(crate) mod headers;
pub(crate) mod health;
pub(crate) mod idempotency;
pub(crate) mod input;
pub(crate) mod rate_limit;
pub(crate) mod tenancy;
pub(crate) mod tls;
pub(crate) mod values;

use harden_engine::{HttpResponse, Service};
use harden_model::HttpExchange;

/// The transcript's record of `response`, for a finding to carry: the request and answer that
/// show it, redacted, so a reader can replay it.
pub(crate) fn exchange(
    service: &dyn Service,
    response: &HttpResponse,
) -> Option<Box<HttpExchange>> {
    service.exchange(response.exchange).map(Box::new)
}
