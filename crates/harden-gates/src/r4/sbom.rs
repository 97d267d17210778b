use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_formats::lockfiles::{self, RequirementKind};
use harden_model::{GateId, GateMeta, Items, Location, ProfileLevel, Round, Severity, Target};
use sha2::Digest as _;

/// `R4.sbom`: a complete bill of materials can be produced for the build.
pub(crate) struct Sbom;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R4.sbom"),
    round: Round::R4,
    title: "A complete SBOM can be produced for every manifest",
    severity: Severity::Medium,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "A software bill of materials is what an incident responder, an auditor or a \
customer asks for first when an advisory lands: which versions of what does this build ship? It \
can only list what is locked. The gate finds every manifest that declares registry dependencies \
(Cargo.toml, package.json, pyproject.toml, Pipfile, go.mod, Gemfile) and fails one with no lockfile at its \
directory or above, or whose lockfile cannot be read: its dependencies cannot be listed. It then \
builds the CycloneDX 1.6 SBOM of every lockfile (what `harden sbom` writes: purls, versions, \
hashes where lockfiles record them, the lockfiles each package comes from, the direct \
dependencies) and records its SHA-256 in the ledger, so the SBOM of a release can be matched to \
the run that judged it. Fix: commit the lockfile (`cargo generate-lockfile`, `npm install`, `uv \
lock`, `pipenv lock`, `bundle lock`).",
    evidence: &["manifests", "lockfiles", "components", "sbom"],
    options: &[],
    items: Some(Items {
        name: "package manifests (Cargo.toml, package.json, pyproject.toml, Pipfile, go.mod, Gemfile)",
        globs: &[
            "**/Cargo.toml",
            "**/package.json",
            "**/pyproject.toml",
            "**/Pipfile",
            "**/go.mod",
            "**/Gemfile",
        ],
    }),
};

/// The lockfiles that list a manifest's dependencies, by manifest file name.
fn locks_for(manifest: &str) -> Option<&'static [&'static str]> {
    Some(match manifest {
        "Cargo.toml" => &["Cargo.lock"],
        "package.json" => &[
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
        ],
        "pyproject.toml" => &["uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock"],
        "Pipfile" => &["Pipfile.lock"],
        "Gemfile" => &["Gemfile.lock"],
        // go.mod lists every module version the build needs: it is its own inventory.
        "go.mod" => &["go.mod"],
        _ => return None,
    })
}

/// Whether the manifest declares any dependency from a registry (one without any needs no
/// lockfile: a tool's configuration, a package of nothing but scripts).
fn declares_dependencies(path: &str, name: &str, text: &str) -> bool {
    let registry = |requirements: Vec<lockfiles::Requirement>| {
        requirements
            .iter()
            .any(|r| r.kind == RequirementKind::Registry)
    };
    match name {
        "Cargo.toml" => {
            lockfiles::cargo_requirements(path, text, &std::collections::BTreeMap::default())
                .is_ok_and(registry)
        }
        "package.json" => lockfiles::npm_requirements(path, text).is_ok_and(registry),
        "pyproject.toml" => lockfiles::pyproject_requirements(path, text).is_ok_and(registry),
        "Pipfile" => text.contains("[packages]") || text.contains("[dev-packages]"),
        "Gemfile" => text.lines().any(|l| l.trim_start().starts_with("gem ")),
        _ => true,
    }
}

fn nearest(files: &[String], dir: &str, names: &[&str]) -> Option<String> {
    let mut current = dir.to_owned();
    loop {
        for name in names {
            let candidate = if current.is_empty() {
                (*name).to_owned()
            } else {
                format!("{current}/{name}")
            };
            if files.binary_search(&candidate).is_ok() {
                return Some(candidate);
            }
        }
        if current.is_empty() {
            return None;
        }
        current = current.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    }
}

impl Gate for Sbom {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let files = cx.repo().files()?;
        let inventory = crate::inventory::shared(cx)?;
        for path in files.iter().filter(|p| {
            !p.split('/')
                .any(|part| crate::inventory::NOT_THE_PROJECT.contains(&part))
        }) {
            let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
            let Some(locks) = locks_for(name) else {
                continue;
            };
            let Some(bytes) = crate::support::read_parsed_into(cx, out, path)? else {
                continue;
            };
            let text = harden_engine::lossy_text(&bytes).into_owned();
            if !declares_dependencies(path, name, &text) {
                continue;
            }
            out.examined("manifests", 1);
            let location = Location::File {
                path: path.clone(),
                span: None,
                snippet: None,
                logical: None,
            };
            match nearest(files, dir, locks) {
                None => out.finding(
                    cx.finding(
                        format!(
                            "{path} declares dependencies but no lockfile ({}) records them: no SBOM can list them",
                            locks.join(", ")
                        ),
                        location,
                    )
                    .identity(format!("no-lockfile:{path}"))
                    .help("commit the lockfile the package manager writes; an SBOM lists what a lockfile pins")
                    .build(),
                ),
                Some(lock) => {
                    if let Some((_, why)) = inventory.unreadable.iter().find(|(p, _)| *p == lock) {
                        out.finding(
                            cx.finding(
                                format!("{lock} cannot be read ({why}): no SBOM can list the dependencies of {path}"),
                                location,
                            )
                            .identity(format!("unreadable:{lock}"))
                            .help("regenerate the lockfile with its package manager")
                            .build(),
                        );
                    }
                }
            }
        }
        let subject = harden_sbom::Subject {
            name: cx.config().service.name.as_deref().unwrap_or("repository"),
            version: None,
            tool_version: env!("CARGO_PKG_VERSION"),
            timestamp: None,
        };
        let (bytes, components) = harden_sbom::cyclonedx_bytes(&subject, &inventory.packages);
        out.add("lockfiles", inventory.lockfiles.len() as u64);
        out.add("components", components as u64);
        out.digest("sbom", hex::encode(sha2::Sha256::digest(&bytes)));
        Ok(())
    }
}
