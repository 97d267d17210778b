//! Live gates: judged on a running service through the engine's `Service` port.

pub(crate) mod cookies;
pub(crate) mod correlation;
pub(crate) mod cors;
pub(crate) mod errors_leak;
pub(crate) mod headers;
pub(crate) mod health;
pub(crate) mod rate_limit;
