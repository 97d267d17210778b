//! The top level of harden.toml: `version`, `[service]`, `[ledger]`, `[runbooks]`, `[waivers]`, `[repository]`, and the dispatch to every other section.

use super::{
    Checker, GateMeta, Item, ProfileLevel, ROOT_NAME, Runbooks, Section, Service, ValidConfig, keys,
};

impl Checker<'_> {
    /// `[ledger] url`: a SQLite file inside the repository. The scanned repository is untrusted
    /// input, so it never names a server to connect to or a file outside itself to write.
    pub(super) fn ledger_url(&mut self, section: &Section<'_>) -> Option<String> {
        let text = self.string(section, "url")?;
        let span = section.table.get("url").and_then(Item::span);
        if text.contains("://") {
            self.error(
                span,
                "`ledger.url` names a server: a ledger on a server is named with --ledger or HARDEN_LEDGER, never in the repository's harden.toml".to_owned(),
                Some("a path inside the repository such as \".harden/ledger.db\", or remove the key and pass --ledger".into()),
            );
            return None;
        }
        self.repo_path(section, "url")
    }

    pub(crate) fn root(
        &mut self,
        root: &toml_edit::Table,
        catalogue: &[&'static GateMeta],
    ) -> ValidConfig {
        let mut config = ValidConfig::defaults();
        let top = self.section_of(root, Some(0..0), ROOT_NAME, keys::ROOT);
        if let Some(version) = self.integer(&top, "version")
            && version != crate::VERSION as u64
        {
            let span = top.table.get("version").and_then(Item::span);
            self.error(
                span,
                format!("unsupported config version {version}"),
                Some("version = 1".into()),
            );
        }
        let mut profile_span = None;
        if let Some(item) = top.table.get("service")
            && let Some(section) = self.section(item, "service", keys::SERVICE)
        {
            config.service = Service {
                name: self.string(&section, "name"),
                owners: self.string_list(&section, "owners"),
                scope: self.string(&section, "scope"),
                line: self.line_of(section.span.as_ref()),
            };
            if let Some(profile) = self.string(&section, "profile") {
                profile_span = section.table.get("profile").and_then(Item::span);
                config.profile = profile;
            }
        }
        if let Some(item) = top.table.get("profiles") {
            config.profiles = self.profiles(item, catalogue);
        }
        if ProfileLevel::parse(&config.profile).is_none()
            && !config.profiles.contains_key(&config.profile)
        {
            let mut names = vec!["prototype".to_owned(), "production".to_owned()];
            names.extend(config.profiles.keys().cloned());
            self.error(
                profile_span,
                format!("unknown profile `{}`", config.profile),
                Some(format!(
                    "one of {} or a [profiles.<name>] table",
                    names.join(", ")
                )),
            );
        }
        if let Some(item) = top.table.get("contracts")
            && let Some(section) = self.section(item, "contracts", keys::CONTRACTS)
        {
            config.contracts.openapi = self.repo_path_list(&section, "openapi");
            config.contracts.asyncapi = self.repo_path_list(&section, "asyncapi");
            config.contracts.json_schema = self.repo_path_list(&section, "json-schema");
        }
        if let Some(item) = top.table.get("deploy") {
            config.deploy = self.deploy(item);
        }
        if let Some(item) = top.table.get("preflight") {
            config.preflight = self.preflight(item);
        }
        if let Some(item) = top.table.get("drill") {
            config.drills = self.drills(item, catalogue);
        }
        if let Some(item) = top.table.get("runbooks")
            && let Some(section) = self.section(item, "runbooks", keys::RUNBOOKS)
        {
            config.runbooks = Runbooks {
                disaster_recovery: self.repo_path(&section, "disaster-recovery"),
                migration_recovery: self.repo_path(&section, "migration-recovery"),
                on_call: self.repo_path(&section, "on-call"),
                max_age: self.duration(&section, "max-age"),
            };
        }
        if let Some(item) = top.table.get("target") {
            config.target = self.target(item);
        }
        if let Some(item) = top.table.get("gates") {
            config.gates = self.gates(item, catalogue);
        }
        if let Some(item) = top.table.get("waiver") {
            config.waivers = self.waivers(item, catalogue);
        }
        if let Some(item) = top.table.get("repository")
            && let Some(section) = self.section(item, "repository", keys::REPOSITORY)
        {
            config.repository_exclude = self.globs(&section, "exclude");
        }
        if let Some(item) = top.table.get("decision") {
            for (table, span) in self.tables(item, "decision") {
                let section = self.section_of(table, span, "decision", keys::DECISION);
                let line = self.line_of(section.span.as_ref()).unwrap_or(0);
                let decision = self.string(&section, "decision");
                let date = self.date(&section, "date");
                let owner = self.string(&section, "owner");
                let trigger = self.string(&section, "trigger");
                let revisit_by = self.date(&section, "revisit-by");
                if let (Some(decision), Some(date), Some(owner), Some(trigger), Some(revisit_by)) =
                    (decision, date, owner, trigger, revisit_by)
                {
                    config.decisions.push(crate::Decision {
                        decision,
                        date,
                        owner,
                        trigger,
                        revisit_by,
                        line,
                    });
                }
            }
        }
        if let Some(item) = top.table.get("readiness")
            && let Some(section) = self.section(item, "readiness", keys::READINESS)
        {
            config.readiness_path = self.repo_path(&section, "path");
        }
        if let Some(item) = top.table.get("security-audit")
            && let Some(section) = self.section(item, "security-audit", keys::SECURITY_AUDIT)
        {
            config.security_audit_path = self.repo_path(&section, "path");
        }
        if let Some(item) = top.table.get("waivers")
            && let Some(section) = self.section(item, "waivers", keys::WAIVERS)
            && let Some(days) = self.integer(&section, "max-days")
        {
            if days == 0 {
                let span = section.table.get("max-days").and_then(Item::span);
                self.error(
                    span,
                    "`waivers.max-days` must be at least 1",
                    Some("an integer ≥ 1".into()),
                );
            } else {
                config.waiver_max_days = u32::try_from(days).unwrap_or(u32::MAX);
            }
        }
        if let Some(item) = top.table.get("secrets")
            && let Some(section) = self.section(item, "secrets", keys::SECRETS)
        {
            config.secrets = self.secrets(&section);
        }
        if let Some(item) = top.table.get("ledger")
            && let Some(section) = self.section(item, "ledger", keys::LEDGER)
        {
            config.ledger.url = self.ledger_url(&section);
        }
        if let Some(item) = top.table.get("smoke")
            && let Some(section) = self.section(item, "smoke", keys::SMOKE)
        {
            config.smoke.timezone = self.string(&section, "timezone");
            if let Some(zone) = &config.smoke.timezone
                && jiff::tz::TimeZone::get(zone).is_err()
            {
                let span = section.table.get("timezone").and_then(Item::span);
                self.error(
                    span,
                    format!("`{zone}` is not a known time zone"),
                    Some("an IANA time zone name such as \"Europe/Berlin\" or \"UTC\"".into()),
                );
            }
            config.smoke.strict_gates = self.patterns(&section, "strict-gates", catalogue);
        }
        if let Some(item) = top.table.get("exit-criteria")
            && let Some(section) = self.section(item, "exit-criteria", keys::EXIT_CRITERIA)
            && let Some(days) = self.integer(&section, "consecutive-days")
        {
            if days == 0 {
                let span = section.table.get("consecutive-days").and_then(Item::span);
                self.error(
                    span,
                    "`exit-criteria.consecutive-days` must be at least 1",
                    Some("an integer ≥ 1".into()),
                );
            } else {
                config.exit_criteria.consecutive_days = u32::try_from(days).unwrap_or(u32::MAX);
            }
        }
        config
    }
}
