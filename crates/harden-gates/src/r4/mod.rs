//! R4 build integrity: CI pipelines (GitHub Actions, composite actions, GitLab CI).

pub(crate) mod ci_credentials;
pub(crate) mod ci_ignore_errors;
pub(crate) mod ci_injection;
pub(crate) mod ci_maintained;
pub(crate) mod ci_permissions;
pub(crate) mod deploy_promotion;
pub(crate) mod docker_hygiene;
mod images;
pub(crate) mod lockfiles;
pub(crate) mod pinning_actions;
pub(crate) mod pinning_images;
pub(crate) mod pipelines;
pub(crate) mod sbom;
mod token_scopes;
pub(crate) mod vulns;
