use crate::cli::ConfigCheckArgs;
use crate::discovery::load_config;
use crate::{UsageError, output};

pub(crate) fn check(args: &ConfigCheckArgs) -> anyhow::Result<u8> {
    let catalogue = harden_gates::registry().catalogue();
    let config = load_config(&args.path, args.config.as_deref(), &catalogue)?;
    match &config.source {
        Some(source) => {
            let profile = config
                .resolve_profile(None)
                .map(|p| p.name)
                .unwrap_or_default();
            output::emit(
                &format!(
                    "{}: valid (profile {profile}, {} gate settings, {} waivers, {} preflight commands)\n",
                    source.path,
                    config.gates.len(),
                    config.waivers.len(),
                    config.preflight.len()
                ),
                None,
            )?;
            Ok(0)
        }
        None => Err(UsageError(format!(
            "no {} in {} (run `harden init` to write one)",
            harden_config::FILE_NAME,
            args.path.display()
        ))
        .into()),
    }
}

pub(crate) fn schema() -> anyhow::Result<u8> {
    let catalogue = harden_gates::registry().catalogue();
    let schema = harden_config::json_schema(&catalogue);
    output::emit(
        &format!("{}\n", serde_json::to_string_pretty(&schema)?),
        None,
    )?;
    Ok(0)
}
