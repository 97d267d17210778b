use std::collections::BTreeMap;

use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{
    GateId, GateMeta, ProfileLevel, Round, Secret, Severity, Target, mask_url_credentials,
};

use crate::support::{config_location, file_location};

/// `R3.env.required`: required deployment flags hold allowed values and required secret
/// variables are present, in the process environment or the configured env files.
pub(crate) struct EnvRequired;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R3.env.required"),
    round: Round::R3,
    title: "Required deployment flags and secret variables are set",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "A rollout is only as hardened as its configuration: `AUTH_MODE=permissive` or a \
missing vault secret silently undoes the work of every other round. This gate reads `[deploy.flags]` \
(each flag and its allowed values) and `[deploy.secrets] required` from harden.toml and checks the \
process environment, then the env files named in `[deploy.secrets] env-files`. A flag that is \
missing or holds a value outside its allowed list fails; a secret that is missing or empty fails. \
Secret values are never recorded: only their presence and a salted hash (set HARDEN_ENV_SALT to \
a private value to keep the hash from being guessed for weak secrets), so a rotation shows up as \
a changed hash. A break-glass fallback (e.g. AUTH_MODE=legacy during an incident) goes through a \
waiver with an owner and an expiry. Fix: set the variables in the deployment environment.",
    evidence: &["flags", "secrets", "sources"],
    options: &[],
    items: None,
};

impl Gate for EnvRequired {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let deploy = &cx.config().deploy;
        if deploy.flags.is_empty() && deploy.secrets_required.is_empty() {
            return Err(GateError::Skip(
                "no [deploy.flags] or [deploy.secrets] required declared in harden.toml".into(),
            ));
        }
        // Values from env files, first file first; the process environment wins over them.
        let mut from_files: BTreeMap<String, (String, String)> = BTreeMap::new();
        for file in &deploy.env_files {
            if !cx.repo().is_file(file) {
                out.finding(
                    cx.finding(
                        format!(
                            "env file {file} (listed in [deploy.secrets] env-files) does not exist"
                        ),
                        file_location(file),
                    )
                    .identity(format!("env-file:{file}"))
                    .build(),
                );
                continue;
            }
            let Some(bytes) = crate::support::read_parsed_into(cx, out, file)? else {
                continue;
            };
            out.examined("env files", 1);
            for item in dotenvy::from_read_iter(&bytes[..]) {
                match item {
                    Ok((key, value)) => {
                        from_files.entry(key).or_insert((value, file.clone()));
                    }
                    Err(error) => {
                        return Err(GateError::Failed {
                            message: format!("{file} is not a valid env file: {error}"),
                            location: Some(file_location(file)),
                        });
                    }
                }
            }
        }
        let lookup = |name: &str| -> Option<(String, String)> {
            cx.env()
                .var(name)
                .map(|v| (v, "environment".to_owned()))
                .or_else(|| from_files.get(name).cloned())
        };
        for (flag, allowed) in &deploy.flags {
            out.examined("flags", 1);
            match lookup(flag) {
                Some((value, source)) if allowed.contains(&value) => {
                    out.fact(&format!("flag.{flag}"), format!("{value} ({source})"));
                }
                Some((value, source)) => {
                    out.fact(
                        &format!("flag.{flag}"),
                        format!("{} ({source})", mask_url_credentials(&value)),
                    );
                    out.finding(
                    cx.finding(
                        format!(
                            "{flag}={} ({source}) is not allowed: expected {}",
                            mask_url_credentials(&value),
                            allowed.join(" or ")
                        ),
                        config_location(cx, None),
                    )
                    .identity(format!("flag:{flag}"))
                    .help(format!("set {flag} to {} in the deployment, or waive it with an owner and expiry for a break-glass fallback", allowed.join(" or ")))
                    .build(),
                    );
                }
                None => out.finding(
                    cx.finding(
                        format!("{flag} is not set (expected {})", allowed.join(" or ")),
                        config_location(cx, None),
                    )
                    .identity(format!("flag:{flag}"))
                    .help(format!("set {flag} in the deployment environment"))
                    .build(),
                ),
            }
        }
        let salt = cx.env().var("HARDEN_ENV_SALT").unwrap_or_else(|| {
            format!(
                "harden-env/1:{}",
                cx.config().service.name.as_deref().unwrap_or_default()
            )
        });
        for name in &deploy.secrets_required {
            out.examined("secrets", 1);
            match lookup(name) {
                Some((value, source)) if !value.is_empty() => {
                    let digest = Secret::new(value).keyed_digest(salt.as_bytes());
                    out.fact(
                        &format!("secret.{name}"),
                        format!("present ({source}), salted sha256 {}", &digest[..16]),
                    );
                }
                Some((_, source)) => out.finding(
                    cx.finding(
                        format!("{name} is set but empty ({source})"),
                        config_location(cx, None),
                    )
                    .identity(format!("secret:{name}"))
                    .help(format!("provide {name} from the secret store"))
                    .build(),
                ),
                None => out.finding(
                    cx.finding(
                        format!("required secret {name} is not set"),
                        config_location(cx, None),
                    )
                    .identity(format!("secret:{name}"))
                    .help(format!("provide {name} from the secret store"))
                    .build(),
                ),
            }
        }
        Ok(())
    }
}
