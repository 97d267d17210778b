pub(crate) mod decisions_revisit;
pub(crate) mod migrations_reversible;
pub(crate) mod runbooks;
