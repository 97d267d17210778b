//! Identities for the live gates, their secrets read from the environment at run time: a
//! variable that is not set makes the identity unavailable (the gates needing it say so), it
//! never becomes an empty credential.

use base64::Engine as _;
use harden_config::Credential;
use harden_engine::Environment;
use harden_probe::{Credential as Probe, Identity, Login};

/// `[[target.identity]]` with the secrets of `env`.
pub(crate) fn from_config(
    identities: &[harden_config::Identity],
    env: &dyn Environment,
) -> Vec<Identity> {
    identities
        .iter()
        .map(|identity| Identity {
            name: identity.name.clone(),
            credential: credential(&identity.credential, env).unwrap_or_else(Probe::Unavailable),
            jwt_key: identity
                .jwt_key_env
                .as_ref()
                .and_then(|name| env.var(name))
                .map(String::into_bytes),
        })
        .collect()
}

fn read(env: &dyn Environment, name: &str) -> Result<String, String> {
    env.var(name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("the environment variable {name} is not set"))
}

fn credential(credential: &Credential, env: &dyn Environment) -> Result<Probe, String> {
    Ok(match credential {
        Credential::Bearer { env: name } => Probe::Header {
            name: "Authorization".into(),
            value: format!("Bearer {}", read(env, name)?),
        },
        Credential::Header { name, env: var } => Probe::Header {
            name: name.clone(),
            value: read(env, var)?,
        },
        Credential::HeaderLine { env: var } => header_line(var, &read(env, var)?)?,
        Credential::Basic { user, password_env } => {
            let password = read(env, password_env)?;
            let pair =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            Probe::Header {
                name: "Authorization".into(),
                value: format!("Basic {pair}"),
            }
        }
        Credential::Login(login) => {
            let mut body = login.body.clone();
            let mut secrets = Vec::new();
            for name in login.variables() {
                let value = read(env, name)?;
                // The value goes into a JSON string (or a form field): quoted as such.
                let escaped = if login.content_type.contains("json") {
                    let quoted = serde_json::to_string(&value).unwrap_or_default();
                    quoted[1..quoted.len() - 1].to_owned()
                } else {
                    percent_encoding::utf8_percent_encode(
                        &value,
                        percent_encoding::NON_ALPHANUMERIC,
                    )
                    .to_string()
                };
                body = body.replace(&format!("${{{name}}}"), &escaped);
                secrets.push(value);
                secrets.push(escaped);
            }
            Probe::Login(Login {
                method: login.method.clone(),
                path: login.path.clone(),
                body,
                secrets,
                content_type: login.content_type.clone(),
                token: login.token.clone(),
                header: login.header.clone(),
                scheme: login.scheme.clone(),
            })
        }
    })
}

/// A variable holding a whole header line, `Name: value`.
fn header_line(var: &str, line: &str) -> Result<Probe, String> {
    let (name, value) = line
        .split_once(':')
        .map(|(n, v)| (n.trim(), v.trim()))
        .filter(|(n, v)| {
            !n.is_empty()
                && !v.is_empty()
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
        })
        .ok_or_else(|| format!("{var} does not hold a header line `Name: value`"))?;
    Ok(Probe::Header {
        name: name.to_owned(),
        value: value.to_owned(),
    })
}

/// `--identity NAME=ENV_VAR` of `harden probe`: the variable holds one header line.
pub(crate) fn from_arguments(
    arguments: &[String],
    env: &dyn Environment,
) -> Result<Vec<Identity>, String> {
    let mut out: Vec<Identity> = Vec::new();
    for argument in arguments {
        let (name, var) = argument
            .split_once('=')
            .filter(|(n, v)| !n.is_empty() && !v.is_empty())
            .ok_or_else(|| format!("--identity {argument}: expected NAME=ENV_VAR"))?;
        if out.iter().any(|i| i.name == name) {
            return Err(format!("--identity {name} is given twice"));
        }
        let line = env.var(var).ok_or_else(|| {
            format!("--identity {name}: the environment variable {var} is not set")
        })?;
        let credential = header_line(var, &line).map_err(|e| format!("--identity {name}: {e}"))?;
        out.push(Identity {
            name: name.to_owned(),
            credential,
            jwt_key: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use harden_engine::FixedEnvironment;

    fn env(pairs: &[(&str, &str)]) -> FixedEnvironment {
        FixedEnvironment(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn credentials_come_from_the_environment() {
        let identities = vec![
            harden_config::Identity {
                name: "alice".into(),
                credential: Credential::Basic {
                    user: "alice".into(),
                    password_env: "ALICE_PW".into(),
                },
                jwt_key_env: None,
            },
            harden_config::Identity {
                name: "bob".into(),
                credential: Credential::Bearer {
                    env: "BOB_TOKEN".into(),
                },
                jwt_key_env: None,
            },
        ];
        let resolved = from_config(&identities, &env(&[("ALICE_PW", "pw")]));
        let Probe::Header { name, value } = &resolved[0].credential else {
            panic!("basic is a header");
        };
        assert_eq!(
            (name.as_str(), value.as_str()),
            ("Authorization", "Basic YWxpY2U6cHc=")
        );
        let Probe::Unavailable(why) = &resolved[1].credential else {
            panic!("unset variable");
        };
        assert!(why.contains("BOB_TOKEN is not set"));
    }

    #[test]
    fn login_bodies_quote_what_they_substitute() {
        let identities = vec![harden_config::Identity {
            name: "a".into(),
            credential: Credential::Login(harden_config::Login {
                method: "POST".into(),
                path: "/login".into(),
                body: r#"{"password": "${PW}"}"#.into(),
                content_type: "application/json".into(),
                token: None,
                header: "Authorization".into(),
                scheme: None,
            }),
            jwt_key_env: None,
        }];
        let resolved = from_config(&identities, &env(&[("PW", "a\"b")]));
        let Probe::Login(login) = &resolved[0].credential else {
            panic!("login");
        };
        assert_eq!(login.body, r#"{"password": "a\"b"}"#);
    }

    #[test]
    fn arguments_name_variables_holding_header_lines() {
        let env = env(&[("A", "Authorization: Basic eDp5"), ("B", "no colon")]);
        let ok = from_arguments(&["alice=A".into()], &env).unwrap();
        assert_eq!(ok[0].name, "alice");
        assert!(
            from_arguments(&["bob=B".into()], &env)
                .unwrap_err()
                .contains("header line")
        );
        assert!(
            from_arguments(&["bob".into()], &env)
                .unwrap_err()
                .contains("NAME=ENV_VAR")
        );
        assert!(
            from_arguments(&["c=UNSET".into()], &env)
                .unwrap_err()
                .contains("not set")
        );
    }
}
