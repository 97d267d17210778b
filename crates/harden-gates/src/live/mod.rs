//! Live gates: judged on a running service through the engine's `Service` port.

pub(crate) mod headers;
