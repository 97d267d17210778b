use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use harden_engine::RepoView as _;
use harden_formats::pipeline::Kind as PipelineKind;
use harden_gates::classify::FileKind;
use harden_model::GateMeta;
use harden_repo::WorkTree;

use crate::cli::InitArgs;
use crate::clock::SystemClock;
use crate::{UsageError, output};

/// What `init` saw in the repository.
#[derive(Debug, Default)]
struct Detected {
    languages: BTreeSet<&'static str>,
    workflows: Vec<String>,
    dockerfiles: Vec<String>,
    migrations: BTreeSet<String>,
    openapi: Vec<String>,
    runbooks: Vec<(&'static str, Option<String>)>,
}

const LANGUAGE_MARKERS: &[(&str, &str)] = &[
    ("Cargo.toml", "rust"),
    ("package.json", "javascript/typescript"),
    ("pyproject.toml", "python"),
    ("requirements.txt", "python"),
    ("Pipfile", "python"),
    ("go.mod", "go"),
    ("pom.xml", "java"),
    ("build.gradle", "java/kotlin"),
    ("Gemfile", "ruby"),
    ("composer.json", "php"),
];

fn detect(tree: &WorkTree) -> anyhow::Result<Detected> {
    let mut detected = Detected::default();
    let files = tree.files().map_err(|e| anyhow::anyhow!("{e}"))?;
    // The classifier the gates use: `init` proposes what the gates will then judge.
    for class in harden_gates::classify::classify(files) {
        let path = &class.path;
        let name = path.rsplit('/').next().unwrap_or(path);
        for (marker, language) in LANGUAGE_MARKERS {
            if name == *marker {
                detected.languages.insert(language);
            }
        }
        if class.kind == FileKind::Pipeline
            && harden_formats::pipeline::kind_of(path) != Some(PipelineKind::GithubAction)
        {
            detected.workflows.push(path.clone());
        }
        if class.kind == FileKind::Dockerfile {
            detected.dockerfiles.push(path.clone());
        }
        if let Some(dir) = path.rsplit_once('/').map(|(d, _)| d) {
            let last = dir.rsplit('/').next().unwrap_or(dir);
            if matches!(last, "migrations" | "migrate" | "alembic" | "versions")
                && !path.contains("node_modules/")
            {
                detected.migrations.insert(dir.to_owned());
            }
        }
        let lower = name.to_ascii_lowercase();
        if (lower.starts_with("openapi") || lower.starts_with("swagger"))
            && matches!(class.kind, FileKind::Yaml | FileKind::Json)
        {
            detected.openapi.push(path.clone());
        }
    }
    for (key, stems) in [
        ("disaster-recovery", &["disaster-recovery", "dr"][..]),
        (
            "migration-recovery",
            &["migration-recovery", "rollback"][..],
        ),
        ("on-call", &["on-call", "oncall"][..]),
    ] {
        let found = ["docs/runbooks", "runbooks", "docs/ops", "docs"]
            .iter()
            .flat_map(|dir| stems.iter().map(move |stem| format!("{dir}/{stem}.md")))
            .find(|p| tree.is_file(p));
        detected.runbooks.push((key, found));
    }
    Ok(detected)
}

/// A TOML basic string. JSON's string escapes are a subset of TOML's, so serde_json quotes
/// any text (quotes, backslashes, control characters) correctly.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

fn quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quoted(i)).collect();
    format!("[{}]", quoted.join(", "))
}

fn git_email(root: &Path) -> Option<String> {
    // Read the configured identity with gix rather than trusting the environment.
    let repo = gix::discover(root).ok()?;
    let email = repo.config_snapshot().string("user.email")?.to_string();
    (!email.trim().is_empty()).then_some(email)
}

/// Per-item gates with nothing to judge in this repository: `init` disables them with a comment,
/// so "not applicable" is a reviewed choice in the config rather than a silent skip.
fn not_applicable<'a>(
    catalogue: &[&'a GateMeta],
    files: &[String],
) -> Vec<(&'a GateMeta, &'static str)> {
    catalogue
        .iter()
        .filter_map(|gate| {
            let items = gate.items?;
            let mut builder = globset::GlobSetBuilder::new();
            for glob in items.globs {
                if let Ok(glob) = globset::GlobBuilder::new(glob)
                    .literal_separator(true)
                    .build()
                {
                    builder.add(glob);
                }
            }
            let set = builder.build().ok()?;
            (!files.iter().any(|f| set.is_match(f))).then_some((*gate, items.name))
        })
        .collect()
}

fn template(root: &Path, detected: &Detected, disabled: &[(&GateMeta, &str)]) -> String {
    let name = std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        .unwrap_or_else(|| "my-service".to_owned());
    let today = SystemClock.today();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# harden.toml: production hardening gates for this repository."
    );
    let _ = writeln!(
        out,
        "# Written by `harden init` on {today}. `harden explain GATE` tells what a gate checks;"
    );
    let _ = writeln!(
        out,
        "# `harden config check` validates this file; `harden config schema` gives editors its schema."
    );
    let _ = writeln!(out, "version = 1\n");
    let _ = writeln!(out, "[service]");
    let _ = writeln!(out, "name = {}", quoted(&name));
    match git_email(root) {
        Some(email) => {
            let _ = writeln!(
                out,
                "owners = [{}]   # who answers for this service; a team address is better",
                quoted(&email)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "owners = []   # who answers for this service, e.g. [\"platform@example.com\"]"
            );
        }
    }
    let _ = writeln!(
        out,
        "# R0: write down what the service does and what is deliberately out of scope."
    );
    let _ = writeln!(
        out,
        "# scope = \"HTTP API for invoices and payments; excludes the admin UI\""
    );
    let _ = writeln!(
        out,
        "profile = \"production\"   # prototype | production | a [profiles.<name>] table"
    );
    if !detected.languages.is_empty() {
        let languages: Vec<&str> = detected.languages.iter().copied().collect();
        let _ = writeln!(out, "# detected languages: {}", languages.join(", "));
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "[contracts]");
    if detected.openapi.is_empty() {
        let _ = writeln!(out, "# no OpenAPI document found; list yours here");
        let _ = writeln!(out, "openapi = []");
    } else {
        let _ = writeln!(
            out,
            "openapi = {}   # found by init",
            quoted_list(&detected.openapi)
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "[runbooks]   # R7.runbooks: documents found by init, or proposed paths to write"
    );
    for (key, found) in &detected.runbooks {
        match found {
            Some(path) => {
                let _ = writeln!(out, "{key} = {}", quoted(path));
            }
            None => {
                let _ = writeln!(
                    out,
                    "{key} = \"docs/runbooks/{key}.md\"   # missing: write it"
                );
            }
        }
    }
    let _ = writeln!(out, "max-age = \"180d\"");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "# What init saw, for the gates that judge each item of a kind:"
    );
    let _ = writeln!(
        out,
        "#   CI workflows: {}",
        count_or_none(&detected.workflows)
    );
    let _ = writeln!(
        out,
        "#   Dockerfiles:  {}",
        count_or_none(&detected.dockerfiles)
    );
    let migrations: Vec<String> = detected.migrations.iter().cloned().collect();
    let _ = writeln!(
        out,
        "#   migration directories: {}",
        count_or_none(&migrations)
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "[gates.\"R3.env.required\"]");
    let _ = writeln!(
        out,
        "enabled = false   # not applicable until [deploy.flags] or [deploy.secrets] are declared; then remove this"
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "[gates.\"R7.decisions.revisit\"]");
    let _ = writeln!(
        out,
        "enabled = false   # not applicable until the decision register has a [[decision]]; then remove this"
    );
    let _ = writeln!(out);
    for (gate, items) in disabled {
        let _ = writeln!(out, "[gates.\"{}\"]", gate.id);
        let _ = writeln!(
            out,
            "enabled = false   # not applicable: no {items} found by harden init on {today}"
        );
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "# [[waiver]]   # a bounded exception; every field but the selector is required"
    );
    let _ = writeln!(out, "# gate = \"R7.runbooks\"");
    let _ = writeln!(
        out,
        "# path = \"docs/runbooks/*.md\"   # or fingerprint = \"<32 hex from a report>\""
    );
    let _ = writeln!(
        out,
        "# reason = \"runbooks move to the ops wiki this quarter\""
    );
    let _ = writeln!(out, "# owner = \"dana@example.com\"");
    let _ = writeln!(out, "# reference = \"OPS-123\"");
    let _ = writeln!(out, "# expires = 2026-12-31");
    if !disabled
        .iter()
        .any(|(gate, _)| harden_gates::checklist::item_of_gate(gate.id.as_str()).is_some())
    {
        // A deployable service: the launch checklist applies. Say how its items are kept.
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "# The launch checklist (`harden gates --checklist`): a person vouches for an item with"
        );
        let _ = writeln!(
            out,
            "# `harden attest GATE --evidence FILE|URL --by NAME`, or a [[drill]] proves it. Name who"
        );
        let _ = writeln!(
            out,
            "# renews each and how often; disable one that does not apply, with the reason."
        );
        let _ = writeln!(out, "# [gates.\"R1.pentest.done\"]");
        let _ = writeln!(out, "# owner = \"security@example.com\"");
        let _ = writeln!(out, "# review = \"365d\"");
    }
    out
}

fn count_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// Adds `.harden/` to .gitignore (creating it if needed) unless an entry already covers it.
fn ignore_ledger(root: &Path) -> anyhow::Result<bool> {
    let path = root.join(".gitignore");
    let existing = if path.is_file() {
        fs_err::read_to_string(&path)?
    } else {
        String::new()
    };
    let covered = existing
        .lines()
        .map(str::trim)
        .any(|line| matches!(line, ".harden" | ".harden/" | "/.harden" | "/.harden/"));
    if covered {
        return Ok(false);
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# harden's local evidence ledger\n.harden/\n");
    crate::confined::write(root, &path, text)?;
    Ok(true)
}

pub(crate) fn run(args: &InitArgs) -> anyhow::Result<u8> {
    let root = &args.path;
    if !root.is_dir() {
        return Err(UsageError(format!("{} is not a directory", root.display())).into());
    }
    let config_path = root.join(harden_config::FILE_NAME);
    if config_path.exists() && !args.force {
        return Err(UsageError(format!(
            "{} already exists (use --force to overwrite it)",
            config_path.display()
        ))
        .into());
    }
    let tree = WorkTree::new(root);
    let detected = detect(&tree)?;
    let catalogue = harden_gates::registry().catalogue();
    let files = tree.files().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut disabled = not_applicable(&catalogue, files);
    // The launch checklist applies to a deployable service, found as its gates find one (a
    // Dockerfile in any spelling, or a Kubernetes workload): never written off where they
    // would judge.
    let classified = harden_gates::classify::classify(files);
    if harden_gates::classify::deployable_in(&classified, |path| {
        tree.read(path).ok().map(std::sync::Arc::new)
    })
    .is_some()
    {
        disabled
            .retain(|(gate, _)| harden_gates::checklist::item_of_gate(gate.id.as_str()).is_none());
    }
    let text = template(root, &detected, &disabled);
    // Never write a config that would not load.
    harden_config::load(harden_config::FILE_NAME, &text, &catalogue)
        .map_err(|d| anyhow::anyhow!("harden init produced an invalid config (a bug):\n{d}"))?;
    crate::confined::write(root, &config_path, &text).context("writing harden.toml")?;
    let ignored = ignore_ledger(root)?;
    let mut message = format!("wrote {}", config_path.display());
    if ignored {
        message.push_str("; added .harden/ to .gitignore");
    }
    output::note(&message);
    output::note("next: fill in [service] scope and owners, then run `harden check`");
    Ok(0)
}

#[cfg(test)]
mod tests {
    use harden_model::{GateId, GateMeta, Items, ProfileLevel, Round, Severity, Target};

    use super::not_applicable;

    static DOCKER: GateMeta = GateMeta {
        id: GateId::from_static("R4.docker.hygiene"),
        round: Round::R4,
        title: "t",
        severity: Severity::Medium,
        target: Target::Repository,
        min_profile: ProfileLevel::Production,
        rationale: "r",
        evidence: &[],
        options: &[],
        items: Some(Items {
            name: "Dockerfiles",
            globs: &["**/Dockerfile", "**/*.Dockerfile"],
        }),
    };
    static EXISTENCE: GateMeta = GateMeta {
        id: GateId::from_static("R7.runbooks"),
        round: Round::R7,
        title: "t",
        severity: Severity::High,
        target: Target::Repository,
        min_profile: ProfileLevel::Production,
        rationale: "r",
        evidence: &[],
        options: &[],
        items: None,
    };

    #[test]
    fn per_item_gates_without_items_are_not_applicable() {
        let catalogue = [&DOCKER, &EXISTENCE];
        let none = not_applicable(&catalogue, &["src/main.rs".to_owned()]);
        assert_eq!(
            none.len(),
            1,
            "only the per-item gate; existence gates never"
        );
        assert_eq!(none[0].1, "Dockerfiles");
        assert!(not_applicable(&catalogue, &["deploy/api/Dockerfile".to_owned()]).is_empty());
        assert!(not_applicable(&catalogue, &["Dockerfile".to_owned()]).is_empty());
    }
}
