pub(crate) mod env_required;
pub(crate) mod envfiles;
pub(crate) mod identity_federated;
pub(crate) mod secret_scan;
pub(crate) mod secrets_history;
pub(crate) mod secrets_logs;
pub(crate) mod secrets_tree;
