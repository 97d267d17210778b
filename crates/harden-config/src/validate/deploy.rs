//! `[deploy]`: required deployment flags and secrets.

use super::{Checker, Deploy, Item, keys};

impl Checker<'_> {
    pub(crate) fn deploy(&mut self, item: &Item) -> Deploy {
        let mut deploy = Deploy::default();
        let Some(section) = self.section(item, "deploy", keys::DEPLOY) else {
            return deploy;
        };
        if let Some(flags) = section.table.get("flags") {
            match flags.as_table_like() {
                Some(table) => {
                    for (name, values) in table.iter() {
                        let list =
                            self.strings_of(values, values.span(), &format!("deploy.flags.{name}"));
                        if list.is_empty() {
                            self.error(
                                values.span(),
                                format!("`deploy.flags.{name}` allows no value"),
                                Some(
                                    "a non-empty array of allowed values, e.g. [\"enforced\"]"
                                        .into(),
                                ),
                            );
                        }
                        deploy.flags.insert(name.to_owned(), list);
                    }
                }
                None => self.error(
                    flags.span(),
                    "`deploy.flags` must be a table",
                    Some("NAME = [\"allowed\", ...] entries".into()),
                ),
            }
        }
        if let Some(secrets) = section.table.get("secrets")
            && let Some(inner) = self.section(secrets, "deploy.secrets", keys::DEPLOY_SECRETS)
        {
            deploy.secrets_required = self.string_list(&inner, "required");
            deploy.env_files = self.repo_path_list(&inner, "env-files");
        }
        deploy
    }
}
