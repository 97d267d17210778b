pub(crate) mod contracts_breaking;
pub(crate) mod contracts_present;
pub(crate) mod scope_declared;
