pub(crate) mod contracts_present;
pub(crate) mod scope_declared;
