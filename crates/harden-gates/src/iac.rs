//! Infrastructure as code the identity, exposure and promotion gates read: Terraform files
//! parsed once per run, and the deployed Kubernetes manifests, Helm values and compose files.

use std::sync::Arc;

use harden_engine::{GateCx, GateError, GateOutput};
use harden_formats::terraform::{Terraform, TerraformError};

use crate::classify::{FileClass, FileKind};

/// Whether a classified file is Terraform the project applies: a `.tf` file outside tests,
/// examples and vendored modules.
pub(crate) fn is_terraform(class: &FileClass) -> bool {
    class.extension == "tf" && class.deployed && !class.test_support
}

/// The deployed Terraform files of the repository.
pub(crate) fn terraform_files(cx: &GateCx<'_>) -> Result<Vec<String>, GateError> {
    Ok(crate::classify::classified(cx)?
        .iter()
        .filter(|class| is_terraform(class))
        .map(|class| class.path.clone())
        .collect())
}

/// A Terraform file parsed once in this run for every gate that reads it; `None` where it is
/// too large to parse (noted) or does not parse (noted with the parser's line and column).
pub(crate) fn terraform(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
    path: &str,
) -> Result<Option<Arc<Result<Terraform, TerraformError>>>, GateError> {
    let Some(bytes) = crate::support::read_parsed_into(cx, out, path)? else {
        return Ok(None);
    };
    let parsed = cx.cache().shared(&format!("terraform:{path}"), || {
        Terraform::parse(&harden_engine::lossy_text(&bytes))
    });
    if let Err(e) = &*parsed {
        out.not_examined(path, format!("does not parse as Terraform: {e}"));
        return Ok(None);
    }
    Ok(Some(parsed))
}

/// Whether a classified file is a Bicep template the project deploys.
pub(crate) fn is_bicep(class: &FileClass) -> bool {
    class.extension == "bicep" && class.deployed && !class.test_support
}

/// The resources of a Bicep file, read once in this run for every gate that reads it; `None`
/// where it is too large to read whole (noted).
pub(crate) fn bicep(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
    path: &str,
) -> Result<Option<Arc<Vec<harden_formats::bicep::Resource>>>, GateError> {
    let Some(bytes) = crate::support::read_parsed_into(cx, out, path)? else {
        return Ok(None);
    };
    Ok(Some(cx.cache().shared(&format!("bicep:{path}"), || {
        harden_formats::bicep::resources(&harden_engine::lossy_text(&bytes))
    })))
}

/// Whether a compose file is a developer's by what it does, whatever its name: it builds an
/// image from the repository and bind-mounts the working copy itself into a container (`- ./:/home/app`,
/// `- .:/app`, `source: ..`), so the code runs as it is being edited, where a deployment runs
/// an image. shlink's `docker-compose.yml` and redash's `compose.yaml` are such files. A file
/// whose name or directory says it deploys (`prod`, `production`, `deploy`) is never one: a
/// self-hosted PHP setup may mount its code in production.
pub(crate) fn develops_working_copy(path: &str, bytes: &[u8]) -> bool {
    let lower = path.to_ascii_lowercase();
    let says_deployed = lower.split(['/', '.', '-', '_']).any(|w| {
        matches!(
            w,
            "prod" | "production" | "deploy" | "deployment" | "release"
        )
    });
    if says_deployed {
        return false;
    }
    let lines = || bytes.split(|&b| b == b'\n').map(<[u8]>::trim_ascii);
    let builds = lines().any(|line| line.starts_with(b"build:"));
    builds
        && lines().any(|line| {
            let entry = match line.strip_prefix(b"- ") {
                Some(short) => short.trim_ascii_start(),
                None => match line.strip_prefix(b"source:") {
                    // The long syntax: the source alone on its line.
                    Some(source) => {
                        let source = source.trim_ascii();
                        let source = source
                            .strip_prefix(b"\"")
                            .and_then(|s| s.strip_suffix(b"\""))
                            .or_else(|| {
                                source.strip_prefix(b"'").and_then(|s| s.strip_suffix(b"'"))
                            })
                            .unwrap_or(source);
                        return matches!(source, b"." | b"./" | b".." | b"../");
                    }
                    None => return false,
                },
            };
            let entry = entry
                .strip_prefix(b"\"")
                .or_else(|| entry.strip_prefix(b"'"))
                .unwrap_or(entry);
            [&b".:"[..], b"./:", b"..:", b"../:", b"${PWD}:", b"$PWD:"]
                .iter()
                .any(|root| entry.starts_with(root))
        })
}

/// Whether a classified file is a deployed compose file (not one that only runs tests).
pub(crate) fn is_deployed_compose(class: &FileClass) -> bool {
    class.kind == FileKind::Compose && !class.test_support
}

/// Whether a classified file is a YAML document that may hold Kubernetes manifests or Helm
/// values the project deploys.
pub(crate) fn is_deployed_yaml(class: &FileClass) -> bool {
    class.kind == FileKind::Yaml && class.deployed && !class.test_support
}
