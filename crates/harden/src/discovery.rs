use std::path::{Path, PathBuf};

use anyhow::Context as _;
use harden_config::ValidConfig;
use harden_model::GateMeta;

use crate::{ConfigInvalid, UsageError};

/// Finds and loads the config for the repository at `root`.
///
/// Precedence: `--config FILE` (or `HARDEN_CONFIG`, which clap folds into the same option) >
/// `harden.toml` at the repository root > the built-in defaults of the production profile.
/// Deliberately there is no user- or system-level config file: a run must be reproducible from
/// the repository and the config digest recorded with it.
pub(crate) fn load_config(
    root: &Path,
    explicit: Option<&Path>,
    catalogue: &[&'static GateMeta],
) -> anyhow::Result<ValidConfig> {
    let path = if let Some(path) = explicit {
        if !path.is_file() {
            return Err(
                UsageError(format!("config file {} does not exist", path.display())).into(),
            );
        }
        path.to_path_buf()
    } else {
        let candidate = root.join(harden_config::FILE_NAME);
        if !candidate.is_file() {
            return Ok(ValidConfig::defaults());
        }
        candidate
    };
    let text = fs_err::read_to_string(&path).context("reading the config")?;
    let shown = display_path(&path);
    harden_config::load(&shown, &text, catalogue)
        .map_err(|diagnostics| ConfigInvalid(diagnostics).into())
}

/// The ledger location: `--ledger` / `HARDEN_LEDGER` > `[ledger] url` > `.harden/ledger.db`.
pub(crate) fn ledger_location(root: &Path, explicit: Option<&str>, config: &ValidConfig) -> String {
    if let Some(location) = explicit {
        return location.to_owned();
    }
    if let Some(url) = &config.ledger.url {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return url.clone();
        }
        return root.join(url).display().to_string();
    }
    root.join(".harden").join("ledger.db").display().to_string()
}

/// A path as shown in messages: relative to the current directory when it is below it.
pub(crate) fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown: PathBuf = path
        .strip_prefix(&cwd)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf);
    let text = shown.display().to_string();
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}
