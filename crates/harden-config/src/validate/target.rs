//! `[target]`: the running service, its identities (and their logins), path values and bodies.

use super::{Checker, Credential, Identity, Item, Login, Section, TargetConfig, keys};

impl Checker<'_> {
    /// `[target] path-values`: a table of strings (numbers are taken as written).
    pub(super) fn path_values(&mut self, section: &Section<'_>) -> Vec<(String, String)> {
        let Some(item) = section.table.get("path-values") else {
            return Vec::new();
        };
        let Some(table) = item.as_table_like() else {
            self.error(
                item.span(),
                "`target.path-values` must be a table",
                Some("path-values = { id = \"42\" }".into()),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, value) in table.iter() {
            let text = value
                .as_str()
                .map(str::to_owned)
                .or_else(|| value.as_integer().map(|n| n.to_string()));
            match text {
                Some(text) if !text.is_empty() && !text.contains(['/', '?', '#']) => {
                    out.push((name.to_owned(), text));
                }
                _ => self.error(
                    value.span().or_else(|| item.span()),
                    format!("`target.path-values.{name}` must be one path segment"),
                    Some("a string or an integer without `/`, `?` or `#`".into()),
                ),
            }
        }
        out
    }

    /// `[target] bodies`: `"METHOD /path" = '<JSON>'`, the JSON valid once `${marker}` is text.
    pub(super) fn bodies(&mut self, section: &Section<'_>) -> Vec<(String, String)> {
        let Some(item) = section.table.get("bodies") else {
            return Vec::new();
        };
        let Some(table) = item.as_table_like() else {
            self.error(
                item.span(),
                "`target.bodies` must be a table",
                Some("bodies = { \"POST /items\" = '{\"title\": \"${marker}\"}' }".into()),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (operation, value) in table.iter() {
            let span = value.span().or_else(|| item.span());
            let shaped = operation.split_once(' ').is_some_and(|(m, p)| {
                !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphabetic()) && p.starts_with('/')
            });
            if !shaped {
                self.error(
                    table.get_key_value(operation).and_then(|(k, _)| k.span()),
                    format!("`target.bodies` key `{operation}` is not an operation"),
                    Some("\"METHOD /path\", like \"POST /api/items\"".into()),
                );
                continue;
            }
            let Some(text) = value.as_str() else {
                self.error(
                    span,
                    format!("`target.bodies.\"{operation}\"` must be a string of JSON"),
                    Some("a JSON document in a string".into()),
                );
                continue;
            };
            if let Err(e) =
                serde_json::from_str::<serde_json::Value>(&text.replace("${marker}", "m"))
            {
                self.error(
                    span,
                    format!("`target.bodies.\"{operation}\"` is not JSON: {e}"),
                    Some("a JSON document (${marker} may stand inside a string)".into()),
                );
                continue;
            }
            out.push((operation.to_owned(), text.to_owned()));
        }
        out
    }

    /// `[[target.identity]]`: a unique name and exactly one way to get the credential.
    pub(super) fn identities(&mut self, item: &Item) -> Vec<Identity> {
        let mut out: Vec<Identity> = Vec::new();
        for (table, span) in self.tables(item, "target.identity") {
            let section = self.section_of(table, span.clone(), "target.identity", keys::IDENTITY);
            let Some(name) = self.string(&section, "name") else {
                continue;
            };
            if out.iter().any(|i| i.name == name) {
                let span = section.table.get("name").and_then(Item::span);
                self.error(
                    span,
                    format!("duplicate identity `{name}`"),
                    Some("unique identity names".into()),
                );
                continue;
            }
            let bearer = self.string(&section, "bearer-env");
            let header = self.string(&section, "header");
            let value = self.string(&section, "value-env");
            let line = self.string(&section, "header-env");
            let user = self.string(&section, "user");
            let password = self.string(&section, "password-env");
            let login = section.table.get("login").and_then(|item| self.login(item));
            let mut kinds = Vec::new();
            if let Some(env) = bearer {
                kinds.push(Credential::Bearer { env });
            }
            match (header, value) {
                (Some(name), Some(env)) => kinds.push(Credential::Header { name, env }),
                (None, None) => {}
                _ => self.error(
                    span.clone().map(|s| s.start..s.start + 1),
                    format!("identity `{name}`: `header` and `value-env` go together"),
                    Some("header = \"X-Api-Key\" with value-env = \"VAR\"".into()),
                ),
            }
            if let Some(env) = line {
                kinds.push(Credential::HeaderLine { env });
            }
            match (user, password) {
                (Some(user), Some(password_env)) => {
                    kinds.push(Credential::Basic { user, password_env });
                }
                (None, None) => {}
                _ => self.error(
                    span.clone().map(|s| s.start..s.start + 1),
                    format!("identity `{name}`: `user` and `password-env` go together"),
                    Some("user = \"alice\" with password-env = \"VAR\"".into()),
                ),
            }
            if let Some(login) = login {
                kinds.push(Credential::Login(login));
            }
            if kinds.len() != 1 {
                self.error(
                    span.map(|s| s.start..s.start + 1),
                    format!(
                        "identity `{name}` needs exactly one credential, found {}",
                        kinds.len()
                    ),
                    Some("one of bearer-env, header + value-env, header-env, user + password-env, or [target.identity.login]".into()),
                );
                continue;
            }
            out.push(Identity {
                name,
                credential: kinds.remove(0),
                jwt_key_env: self.string(&section, "jwt-key-env"),
            });
        }
        out
    }

    pub(super) fn login(&mut self, item: &Item) -> Option<Login> {
        let section = self.section(item, "target.identity.login", keys::LOGIN)?;
        let path = self.string(&section, "path")?;
        let body = self.string(&section, "body")?;
        let body_span = section.table.get("body").and_then(Item::span);
        if !path.starts_with('/') || path.starts_with("//") {
            let span = section.table.get("path").and_then(Item::span);
            self.error(
                span,
                format!("login path `{path}` is not a path on the target"),
                Some("a path that starts with a single `/`".into()),
            );
        }
        let login = Login {
            method: self
                .string(&section, "method")
                .unwrap_or_else(|| "POST".into())
                .to_ascii_uppercase(),
            path,
            body,
            content_type: self
                .string(&section, "content-type")
                .unwrap_or_else(|| "application/json".into()),
            token: self.string(&section, "token"),
            header: self
                .string(&section, "header")
                .unwrap_or_else(|| "Authorization".into()),
            scheme: self.string(&section, "scheme"),
        };
        if let Some(pointer) = &login.token
            && !pointer.starts_with('/')
        {
            let span = section.table.get("token").and_then(Item::span);
            self.error(
                span,
                format!("login token `{pointer}` is not a JSON pointer"),
                Some("a pointer such as \"/access_token\" or \"/data/token\"".into()),
            );
        }
        let variables = login.variables();
        let bad = variables
            .iter()
            .find(|v| v.is_empty() || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        if let Some(bad) = bad {
            self.error(
                body_span,
                format!("login body: `${{{bad}}}` is not an environment variable name"),
                Some("${VAR} with letters, digits and `_`".into()),
            );
        } else if variables.is_empty() {
            // The credential of a login is a password: it must come from the environment.
            self.error(
                body_span,
                "login body reads no environment variable: the password would be in harden.toml",
                Some("the secret as ${VAR}, e.g. {\"password\": \"${ALICE_PASSWORD}\"}".into()),
            );
        }
        Some(login)
    }

    pub(crate) fn target(&mut self, item: &Item) -> Option<TargetConfig> {
        let section = self.section(item, "target", keys::TARGET)?;
        let base_url = self.string(&section, "base-url");
        if let Some(url) = &base_url {
            let span = section.table.get("base-url").and_then(Item::span);
            let rest = ["http://", "https://"]
                .iter()
                .find_map(|scheme| url.strip_prefix(scheme));
            let authority = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
            match authority {
                Some(authority) if authority.contains('@') => self.error(
                    span,
                    "`target.base-url` must not carry credentials",
                    Some("a URL without user or password; configure identities in [[target.identity]] with their secrets in environment variables".into()),
                ),
                Some(authority) if !authority.is_empty() => {}
                _ => self.error(
                    span,
                    "`target.base-url` is not an http(s) base URL",
                    Some("a URL like \"https://staging.example.com\"".into()),
                ),
            }
        }
        let request_budget = self.integer(&section, "request-budget").unwrap_or(500);
        let rate_per_second = self.integer(&section, "rate-per-second").unwrap_or(10);
        let identities = section
            .table
            .get("identity")
            .map(|item| self.identities(item))
            .unwrap_or_default();
        let path_values = self.path_values(&section);
        let bodies = self.bodies(&section);
        let paths = self.string_list(&section, "paths");
        for path in &paths {
            if !path.starts_with('/') || path.starts_with("//") {
                let span = section.table.get("paths").and_then(Item::span);
                self.error(
                    span,
                    format!("`target.paths` entry `{path}` is not a path on the target"),
                    Some("paths that start with a single `/`, like \"/login\"".into()),
                );
            }
        }
        let mut headers = Vec::new();
        if let Some(item) = section.table.get("headers") {
            match item.as_table_like() {
                Some(table) => {
                    for (name, value) in table.iter() {
                        let token = !name.is_empty()
                            && name
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
                        match value.as_str() {
                            Some(text) if token && !text.contains(['\r', '\n']) => {
                                headers.push((name.to_owned(), text.to_owned()));
                            }
                            _ => self.error(
                                value.span().or_else(|| item.span()),
                                format!("`target.headers.{name}` must be a header name with a one-line string value"),
                                Some("Name = \"value\" or Name = \"env:VAR\"".into()),
                            ),
                        }
                    }
                }
                None => self.error(
                    item.span(),
                    "`target.headers` must be a table",
                    Some("headers = { \"X-Tenant\" = \"acme\" }".into()),
                ),
            }
        }
        Some(TargetConfig {
            base_url: base_url?,
            request_budget,
            rate_per_second,
            identities,
            public: self.string_list(&section, "public"),
            destructive: self.string_list(&section, "destructive"),
            path_values,
            objects: self.string_list(&section, "objects"),
            bodies,
            paths,
            headers,
            ca_file: self.string(&section, "ca-file"),
            gate_time: self.duration(&section, "gate-time"),
        })
    }
}
