pub(crate) mod env_required;
