pub(crate) mod decisions_revisit;
pub(crate) mod runbooks;
