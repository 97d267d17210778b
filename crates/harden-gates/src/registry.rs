use harden_engine::Registry;

/// Registers one gate; the order of these lines is the report order.
macro_rules! register {
    ($registry:ident, $gate:expr) => {
        $registry.register(Box::new($gate));
    };
}

/// Every gate harden ships, in catalogue order.
pub fn registry() -> Registry {
    let mut registry = Registry::new();
    register!(registry, crate::r0::scope_declared::ScopeDeclared);
    register!(registry, crate::r0::contracts_present::ContractsPresent);
    register!(registry, crate::r0::contracts_breaking::ContractsBreaking);
    register!(registry, crate::live::auth::AuthEnforced);
    register!(registry, crate::live::tenancy::TenancyIsolation);
    register!(registry, crate::r1::network_exposure::NetworkExposure);
    register!(registry, crate::live::cors::HttpCors);
    register!(registry, crate::r2::ledger_intact::LedgerIntact);
    register!(registry, crate::live::correlation::Correlation);
    register!(registry, crate::r3::secrets_tree::SecretsTree);
    register!(registry, crate::r3::secrets_history::SecretsHistory);
    register!(registry, crate::r3::secrets_logs::SecretsLogs);
    register!(registry, crate::r3::envfiles::EnvFiles);
    register!(registry, crate::r3::env_required::EnvRequired);
    register!(registry, crate::r3::identity_federated::IdentityFederated);
    register!(registry, crate::live::errors_leak::ErrorsLeak);
    register!(registry, crate::r4::lockfiles::Lockfiles);
    register!(registry, crate::r4::vulns::Vulns);
    register!(registry, crate::r4::sbom::Sbom);
    register!(registry, crate::r4::pinning_actions::PinningActions);
    register!(registry, crate::r4::ci_ignore_errors::CiIgnoreErrors);
    register!(registry, crate::r4::ci_permissions::CiPermissions);
    register!(registry, crate::r4::ci_credentials::CiCredentials);
    register!(registry, crate::r4::ci_maintained::CiMaintained);
    register!(registry, crate::r4::ci_injection::CiInjection);
    register!(registry, crate::r4::pinning_images::PinningImages);
    register!(registry, crate::r4::docker_hygiene::DockerHygiene);
    register!(registry, crate::r4::deploy_promotion::DeployPromotion);
    register!(registry, crate::live::input::InputRejected);
    register!(registry, crate::r6::mocks_production::MocksProduction);
    register!(registry, crate::live::idempotency::Idempotency);
    register!(registry, crate::r7::runbooks::Runbooks);
    register!(
        registry,
        crate::r7::migrations_reversible::MigrationsReversible
    );
    register!(registry, crate::r7::alerts_runbooks::AlertsRunbooks);
    register!(registry, crate::r7::slo_defined::SloDefined);
    register!(registry, crate::r7::config_failfast::ConfigFailfast);
    register!(registry, crate::r7::resilience_bounds::ResilienceBounds);
    register!(registry, crate::r7::decisions_revisit::DecisionsRevisit);
    register!(registry, crate::live::headers::HttpHeaders);
    register!(registry, crate::live::cookies::HttpCookies);
    register!(registry, crate::live::health::Health);
    register!(registry, crate::live::rate_limit::RateLimit);
    register!(registry, crate::live::tls::HttpTls);
    for gate in crate::checklist::gates::all() {
        register!(registry, gate);
    }
    // Checklist gates join their rounds; the order within a round stays as registered.
    registry.sort_by_round();
    registry
}
