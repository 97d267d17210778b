pub(crate) mod alerts_runbooks;
pub(crate) mod config_failfast;
pub(crate) mod decisions_revisit;
pub(crate) mod migrations_reversible;
pub(crate) mod resilience_bounds;
pub(crate) mod runbooks;
pub(crate) mod slo_defined;
