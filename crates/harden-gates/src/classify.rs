//! What each file of the repository is, decided once per run for every gate: its kind (source
//! code of which language, workflow, Dockerfile, compose file, lockfile, manifest, structured
//! document) and its role (test support, deployed). Gates and `harden init` ask here instead
//! of matching extensions and names each in their own way.

use std::sync::Arc;

use harden_engine::{GateCx, GateError, PortError};

use crate::paths::{self, PathRole};

/// A programming language harden reads source code of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// `.py`
    Python,
    /// `.js`, `.mjs`, `.cjs`, `.jsx` and TypeScript (`.ts`, `.mts`, `.cts`, `.tsx`).
    JavaScript,
    /// `.go`
    Go,
    /// `.rs`
    Rust,
    /// Java and Kotlin (`.java`, `.kt`).
    Jvm,
    /// `.rb`
    Ruby,
    /// `.cs`
    CSharp,
}

impl Language {
    /// The language of a path by its extension (any case), if harden reads it.
    pub fn of(path: &str) -> Option<Self> {
        let extension = extension(path);
        Some(match extension.as_str() {
            "py" => Self::Python,
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" => Self::JavaScript,
            "go" => Self::Go,
            "rs" => Self::Rust,
            "java" | "kt" => Self::Jvm,
            "rb" => Self::Ruby,
            "cs" => Self::CSharp,
            _ => return None,
        })
    }
}

/// What a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Source code.
    Source(Language),
    /// A CI pipeline: GitHub Actions workflow or action, GitLab CI.
    Pipeline,
    /// A Dockerfile or Containerfile.
    Dockerfile,
    /// A Docker Compose file.
    Compose,
    /// A package manager's lockfile (or pinned requirements).
    Lockfile,
    /// A package manifest: `Cargo.toml`, `package.json`, `pyproject.toml`, `go.mod`, `Pipfile`.
    Manifest,
    /// Any other YAML document.
    Yaml,
    /// Any other JSON document.
    Json,
    /// A GraphQL schema or query file.
    GraphQl,
    /// Anything else.
    Other,
}

/// One file, classified.
#[derive(Debug, Clone)]
pub struct FileClass {
    /// Repository-relative, `/`-separated.
    pub path: String,
    /// What it is.
    pub kind: FileKind,
    /// Its extension, lower case (`""` without one).
    pub extension: String,
    /// What it is for, from its path (see [`crate::paths::role`]).
    role: PathRole,
    /// Test code, a test helper or a mock package (see [`crate::paths::test_support_as`]).
    pub test_support: bool,
    /// Part of what the project builds and deploys (see [`crate::paths::deployed`]).
    pub deployed: bool,
}

impl FileClass {
    /// Classifies one path.
    pub fn of(path: &str) -> Self {
        let extension = extension(path);
        let name = path.rsplit('/').next().unwrap_or(path);
        let kind = if let Some(language) = Language::of(path) {
            FileKind::Source(language)
        } else if harden_formats::pipeline::kind_of(path).is_some() {
            FileKind::Pipeline
        } else if is_dockerfile(path) {
            FileKind::Dockerfile
        } else if is_compose(path) {
            FileKind::Compose
        } else if harden_formats::lockfiles::is_lockfile(path) {
            FileKind::Lockfile
        } else if matches!(
            name,
            "Cargo.toml" | "package.json" | "pyproject.toml" | "go.mod" | "Pipfile"
        ) {
            FileKind::Manifest
        } else if matches!(extension.as_str(), "yml" | "yaml") {
            FileKind::Yaml
        } else if extension == "json" {
            FileKind::Json
        } else if matches!(extension.as_str(), "graphql" | "gql") {
            FileKind::GraphQl
        } else {
            FileKind::Other
        };
        // The role once: the other two judgements start from it.
        let role = paths::role(path);
        Self {
            path: path.to_owned(),
            kind,
            extension,
            role,
            test_support: paths::test_support_as(path, role),
            deployed: paths::deployed_as(path, role),
        }
    }

    /// The role of the file by its path.
    pub(crate) fn role(&self) -> PathRole {
        self.role
    }

    /// Whether it is YAML by its extension (workflows and compose files included).
    pub fn yaml(&self) -> bool {
        matches!(self.extension.as_str(), "yml" | "yaml")
    }

    /// Whether gates other than the secret scan read it whole: configuration, manifests,
    /// lockfiles and structured documents (the contract, alert, SLO and image gates read every
    /// YAML and JSON document).
    pub fn structured(&self) -> bool {
        !matches!(
            self.kind,
            FileKind::Source(_) | FileKind::Other | FileKind::GraphQl
        )
    }

    /// Its language, if it is source code.
    pub fn language(&self) -> Option<Language> {
        match self.kind {
            FileKind::Source(language) => Some(language),
            _ => None,
        }
    }

    /// Production source code: source the project deploys, not tests or their helpers.
    /// Code under a hidden directory (`.semgrep/` rule tests, `.github/scripts/`,
    /// `.devcontainer/`, `.storybook/`) is tooling around the project, not part of it.
    pub fn production_source(&self) -> bool {
        self.language().is_some()
            && !self.test_support
            && self.deployed
            && !self
                .path
                .rsplit_once('/')
                .is_some_and(|(dirs, _)| dirs.split('/').any(|d| d.starts_with('.')))
    }
}

/// Every file of the working tree, classified, in path order.
pub type Classified = Vec<FileClass>;

/// Classifies every file of a listing (for `harden init` and tests; gates use [`classified`]).
pub fn classify(files: &[String]) -> Classified {
    // Sequential on purpose: this runs inside a shared value's initializer, and a rayon wait
    // there lets the initializing thread steal another gate that asks for the same value, which
    // then waits on itself (a deadlock seen in CI). Names only: 50,000 paths take milliseconds.
    files.iter().map(|path| FileClass::of(path)).collect()
}

/// The working tree's files, classified once in this run for all gates.
pub(crate) fn classified(cx: &GateCx<'_>) -> Result<Arc<Classified>, GateError> {
    let shared = cx.shared(
        "classified files",
        || -> Result<Arc<Classified>, PortError> { Ok(Arc::new(classify(cx.repo().files()?))) },
    );
    match &*shared {
        Ok(classes) => Ok(Arc::clone(classes)),
        Err(e) => Err(e.clone().into()),
    }
}

/// The first thing that makes the repository a deployable service: a Dockerfile of its own
/// (not under tests or examples) or a Kubernetes workload. Found once per run.
pub(crate) fn deployable_service(cx: &GateCx<'_>) -> Result<Option<String>, GateError> {
    let classified = classified(cx)?;
    let found = cx.shared("deployable service", || {
        deployable_in(&classified, |path| cx.read_shared(path).ok())
    });
    Ok((*found).clone())
}

/// [`deployable_service`] over classified files and a way to read them: `harden init` asks the
/// same question before it writes a checklist gate off as not applicable.
pub fn deployable_in(
    classified: &[FileClass],
    read: impl Fn(&str) -> Option<Arc<Vec<u8>>>,
) -> Option<String> {
    let deployed = || classified.iter().filter(|class| class.deployed);
    if let Some(class) = deployed().find(|class| is_dockerfile(&class.path)) {
        return Some(class.path.clone());
    }
    deployed()
        .filter(|class| class.yaml())
        .find(|class| {
            read(&class.path).is_some_and(|bytes| {
                let text = harden_engine::lossy_text(&bytes);
                ["kind: Deployment", "kind: StatefulSet", "kind: DaemonSet"]
                    .iter()
                    .any(|kind| text.contains(kind))
            })
        })
        .map(|class| class.path.clone())
}

fn extension(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Whether a repository path is a Dockerfile: `Dockerfile`, `dockerfile`, `Dockerfile.prod`,
/// `api.dockerfile`, `Containerfile`, in any case.
pub fn is_dockerfile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    // A template engine's source a Dockerfile is rendered from (vaultwarden's `Dockerfile.j2`,
    // `.jinja`, `.erb`, `.mustache`) is not one: its `FROM {{ base }}` names no image. A
    // `Dockerfile.template` (balena's, with `%%BALENA_ARCH%%` placeholders) or `.tmpl` is often
    // the only Dockerfile there is, built as it stands: still judged.
    if [".j2", ".jinja", ".jinja2", ".erb", ".mustache", ".hbs"]
        .iter()
        .any(|t| name.ends_with(t))
    {
        return false;
    }
    name == "dockerfile"
        || name == "containerfile"
        || name.starts_with("dockerfile.")
        || name.starts_with("containerfile.")
        || name.ends_with(".dockerfile")
        || name.ends_with(".containerfile")
}

/// Whether a repository path is a Docker Compose file (`docker-compose*.yml`, `compose.yaml`).
pub fn is_compose(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    (name.starts_with("docker-compose") || name.starts_with("compose."))
        && std::path::Path::new(name)
            .extension()
            .is_some_and(|e| e == "yml" || e == "yaml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfiles_by_name_and_not_their_templates() {
        for path in [
            "Dockerfile",
            "docker/Dockerfile.alpine",
            "build/api.Dockerfile",
            "Containerfile",
            "Dockerfile.template",
            "images/Dockerfile.tmpl",
        ] {
            assert!(is_dockerfile(path), "{path}");
        }
        for path in [
            "docker/Dockerfile.j2",
            "Dockerfile.jinja",
            "Dockerfile.erb",
            "docs/dockerfile.md.hbs",
            "dockerfiles.txt",
        ] {
            assert!(!is_dockerfile(path), "{path}");
        }
    }
}
