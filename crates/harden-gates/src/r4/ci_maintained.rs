use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_formats::pipeline::Kind;
use harden_model::{GateId, GateMeta, ProfileLevel, Round, Severity, Target};

use super::pipelines::{ITEMS, load};

/// `R4.ci.maintained`: pipelines use maintained actions and current workflow commands.
pub(crate) struct CiMaintained;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R4.ci.maintained"),
    round: Round::R4,
    title: "No archived actions or retired workflow commands",
    severity: Severity::Medium,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "An archived action gets no security fixes and runs on whatever runtime it was \
left with, in a job that holds the repository's token. The workflow commands `::set-output` and \
`::save-state` were deprecated because any text a step prints could forge them, and `::set-env` \
and `::add-path` were disabled for the same reason. This gate fails uses of actions whose \
repositories their owners archived (`actions/create-release`, `actions/upload-release-asset`, \
`actions/setup-ruby`, `actions/setup-elixir`, `actions/setup-haskell`, `actions-rs/*`) and \
scripts that still print the retired commands. Fix: the maintained successor each finding names, \
and `echo \"name=value\" >> \"$GITHUB_OUTPUT\"` (or `$GITHUB_STATE`, `$GITHUB_ENV`, `$GITHUB_PATH`).",
    evidence: &["pipelines"],
    options: &[],
    items: Some(ITEMS),
};

/// Archived actions (by `owner/repo`, or `owner/` for a whole organization) and what replaces
/// them, from their repositories' own archive notices.
const ARCHIVED: &[(&str, &str)] = &[
    (
        "actions/create-release",
        "`gh release create` or softprops/action-gh-release",
    ),
    ("actions/upload-release-asset", "`gh release upload`"),
    ("actions/setup-ruby", "ruby/setup-ruby"),
    ("actions/setup-elixir", "erlef/setup-beam"),
    ("actions/setup-haskell", "haskell-actions/setup"),
    (
        "actions-rs/",
        "dtolnay/rust-toolchain and plain `cargo` commands",
    ),
];

/// Retired workflow commands and their replacement.
const RETIRED_COMMANDS: &[(&str, &str)] = &[
    ("::set-output ", "$GITHUB_OUTPUT"),
    ("::save-state ", "$GITHUB_STATE"),
    ("::set-env ", "$GITHUB_ENV"),
    ("::add-path::", "$GITHUB_PATH"),
];

fn archived(uses: &str) -> Option<(&'static str, &'static str)> {
    let action = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
    ARCHIVED.iter().copied().find(|(name, _)| {
        if name.ends_with('/') {
            action.starts_with(name)
        } else {
            action == *name || action.starts_with(&format!("{name}/"))
        }
    })
}

impl Gate for CiMaintained {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        for source in load(cx, out)? {
            if source.pipeline.kind == Kind::Gitlab {
                continue;
            }
            for job in &source.pipeline.jobs {
                for step in &job.steps {
                    if let Some(uses) = &step.uses
                        && let Some((name, successor)) = archived(&uses.value)
                    {
                        out.finding(
                            cx.finding(
                                format!("{} is archived by its owners: no fixes, in a job that holds the token", uses.value.split('@').next().unwrap_or(name)),
                                source.at(uses),
                            )
                            .identity(format!("archived:{}", uses.logical))
                            .help(format!("replace it with {successor}"))
                            .build(),
                        );
                    }
                    let Some(run) = &step.run else { continue };
                    for (index, line) in run.text.value.lines().enumerate() {
                        for (command, file) in RETIRED_COMMANDS {
                            if line.contains(command) {
                                let name = command.trim_matches(|c| c == ':' || c == ' ');
                                out.finding(
                                    cx.finding(
                                        format!("the script prints the retired `{name}` workflow command"),
                                        source.in_script(run, index, command.trim_end()),
                                    )
                                    .identity(format!("{}\n{name}", run.text.logical))
                                    .severity(Severity::Low)
                                    .help(format!("append to \"{file}\" instead (`echo \"name=value\" >> \"{file}\"`)"))
                                    .build(),
                                );
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::archived;

    #[test]
    fn archived_actions_by_name_and_organization() {
        assert!(archived("actions/create-release@v1").is_some());
        assert!(
            archived("actions-rs/toolchain@16499b5e05bf2e26879000db0c1d13f7e13fa3af").is_some()
        );
        assert!(archived("Actions/Setup-Ruby@v1").is_some());
        assert!(archived("actions/create-release-notes@v1").is_none());
        assert!(archived("ruby/setup-ruby@v1").is_none());
    }
}
