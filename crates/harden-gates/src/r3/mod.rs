pub(crate) mod env_required;
pub(crate) mod secrets_tree;
