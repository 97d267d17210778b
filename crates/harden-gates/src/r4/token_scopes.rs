//! Which `GITHUB_TOKEN` scopes a workflow step needs, for the actions and commands we know.
//!
//! Written from each action's documented `permissions:` requirements. Anything not listed is
//! *unknown*: an action receives the token by default, so a third-party or local action may need
//! any scope, and the gate then says nothing rather than guess.

use std::collections::BTreeSet;

use harden_formats::pipeline::{Job, Step};

/// What one step needs from the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StepNeeds {
    /// These write scopes (possibly none), and why.
    Known(Vec<&'static str>),
    /// Cannot tell: names the step that could use the token in ways we do not know.
    Unknown(String),
}

/// Actions whose needs are documented, by `owner/repo[/path]` prefix (lower case, no `@ref`).
/// An empty list means the action needs no write scope.
const ACTIONS: &[(&str, &[&str])] = &[
    // Toolchains, caches and artifacts: read access at most.
    ("actions/checkout", &[]),
    ("actions/setup-", &[]),
    ("actions/cache", &[]),
    ("actions/upload-artifact", &[]),
    ("actions/download-artifact", &[]),
    ("actions/upload-pages-artifact", &[]),
    ("actions/configure-pages", &[]),
    ("dtolnay/rust-toolchain", &[]),
    ("swatinem/rust-cache", &[]),
    ("taiki-e/install-action", &[]),
    ("pnpm/action-setup", &[]),
    ("oven-sh/setup-bun", &[]),
    ("denoland/setup-deno", &[]),
    ("ruby/setup-ruby", &[]),
    ("shivammathur/setup-php", &[]),
    ("astral-sh/setup-uv", &[]),
    ("hashicorp/setup-", &[]),
    ("azure/setup-", &[]),
    ("docker/setup-buildx-action", &[]),
    ("docker/setup-qemu-action", &[]),
    ("docker/metadata-action", &[]),
    ("golangci/golangci-lint-action", &[]),
    ("aquasecurity/trivy-action", &[]),
    ("sigstore/cosign-installer", &[]),
    ("cachix/install-nix-action", &[]),
    ("jdx/mise-action", &[]),
    ("extractions/setup-just", &[]),
    ("arduino/setup-protoc", &[]),
    ("bufbuild/buf-setup-action", &[]),
    ("mozilla-actions/sccache-action", &[]),
    ("actions/dependency-review-action", &[]),
    ("codecov/codecov-action", &[]),
    // Registries: GHCR pushes need `packages: write`; other registries need none, and we do
    // not evaluate where an expression points, so the scope counts as needed.
    ("docker/login-action", &["packages"]),
    ("docker/build-push-action", &["packages"]),
    ("docker/bake-action", &["packages"]),
    ("actions/delete-package-versions", &["packages"]),
    // Releases, commits and pull requests.
    ("softprops/action-gh-release", &["contents"]),
    ("ncipollo/release-action", &["contents"]),
    ("actions/create-release", &["contents"]),
    ("actions/upload-release-asset", &["contents"]),
    ("svenstaro/upload-release-action", &["contents"]),
    ("peaceiris/actions-gh-pages", &["contents"]),
    ("jamesives/github-pages-deploy-action", &["contents"]),
    ("stefanzweifel/git-auto-commit-action", &["contents"]),
    ("endbug/add-and-commit", &["contents"]),
    ("benchmark-action/github-action-benchmark", &["contents"]),
    (
        "peter-evans/create-pull-request",
        &["contents", "pull-requests"],
    ),
    (
        "googleapis/release-please-action",
        &["contents", "pull-requests", "issues"],
    ),
    (
        "google-github-actions/release-please-action",
        &["contents", "pull-requests", "issues"],
    ),
    ("changesets/action", &["contents", "pull-requests"]),
    (
        "release-drafter/release-drafter",
        &["contents", "pull-requests"],
    ),
    (
        "goreleaser/goreleaser-action",
        &["contents", "packages", "id-token"],
    ),
    // Issues, labels and comments.
    ("actions/labeler", &["pull-requests", "issues"]),
    ("actions/stale", &["issues", "pull-requests", "actions"]),
    ("actions/first-interaction", &["issues", "pull-requests"]),
    (
        "peter-evans/create-or-update-comment",
        &["issues", "pull-requests"],
    ),
    ("peter-evans/find-comment", &[]),
    ("marocchino/sticky-pull-request-comment", &["pull-requests"]),
    (
        "thollander/actions-comment-pull-request",
        &["pull-requests"],
    ),
    (
        "amannn/action-semantic-pull-request",
        &["pull-requests", "statuses"],
    ),
    (
        "dessant/lock-threads",
        &["issues", "pull-requests", "discussions"],
    ),
    // Checks and statuses.
    ("dorny/test-reporter", &["checks"]),
    ("mikepenz/action-junit-report", &["checks"]),
    (
        "enricomi/publish-unit-test-result-action",
        &["checks", "pull-requests"],
    ),
    ("github/super-linter", &["statuses"]),
    ("super-linter/super-linter", &["statuses"]),
    // Code scanning and supply-chain attestations.
    ("github/codeql-action/upload-sarif", &["security-events"]),
    ("github/codeql-action/analyze", &["security-events"]),
    ("github/codeql-action/init", &[]),
    ("github/codeql-action/autobuild", &[]),
    ("ossf/scorecard-action", &["security-events", "id-token"]),
    ("actions/attest", &["id-token", "attestations"]),
    ("actions/deploy-pages", &["pages", "id-token"]),
    ("aws-actions/configure-aws-credentials", &["id-token"]),
    ("google-github-actions/auth", &["id-token"]),
    ("azure/login", &["id-token"]),
    ("pypa/gh-action-pypi-publish", &["id-token"]),
    (
        "slsa-framework/slsa-github-generator",
        &["id-token", "contents", "actions"],
    ),
    ("anchore/sbom-action", &["contents"]),
];

/// Commands in `run:` scripts that write through the API or the checkout's credentials.
const COMMANDS: &[(&str, &[&str])] = &[
    ("git push", &["contents"]),
    ("gh release", &["contents"]),
    ("gh pr ", &["contents", "pull-requests"]),
    ("gh issue", &["issues"]),
    ("gh label", &["issues"]),
    ("gh attestation", &["id-token", "attestations"]),
    ("--provenance", &["id-token"]),
    ("cosign sign", &["id-token"]),
    ("cosign attest", &["id-token"]),
    ("semantic-release", &["contents", "issues", "pull-requests"]),
    ("goreleaser", &["contents", "packages"]),
];

/// Commands that push to a registry: with `ghcr.io` in the script they write packages. Running
/// or pulling an image from it (`docker run ghcr.io/...`) writes nothing.
const REGISTRY_PUSHES: &[&str] = &[
    "docker push",
    "docker login",
    "docker buildx",
    "--push",
    "podman push",
    "buildah push",
    "crane push",
    "oras push",
    "helm push",
];

/// Commands that hand the token on to a program whose use of it the script does not show: a
/// container started with it in its environment.
const TOKEN_TO_PROGRAM: &[&str] = &["docker run", "podman run"];

/// Commands that reach the API in ways the script decides.
const OPEN_ENDED: &[&str] = &[
    "gh api",
    "gh workflow",
    "gh run",
    "api.github.com",
    "GITHUB_API_URL",
];

/// Ways a script receives the token.
const TOKEN_REFERENCES: &[&str] = &["GITHUB_TOKEN", "GH_TOKEN", "github.token"];

fn action_name(uses: &str) -> String {
    uses.split('@').next().unwrap_or(uses).to_ascii_lowercase()
}

/// What `step` needs.
pub(crate) fn step_needs(step: &Step) -> StepNeeds {
    if let Some(uses) = &step.uses {
        let name = action_name(&uses.value);
        if name.starts_with("./") || name.starts_with("docker://") {
            return StepNeeds::Unknown(name);
        }
        return match ACTIONS.iter().find(|(prefix, _)| name.starts_with(prefix)) {
            Some((_, scopes)) => StepNeeds::Known(scopes.to_vec()),
            None => StepNeeds::Unknown(name),
        };
    }
    let Some(run) = &step.run else {
        return StepNeeds::Known(Vec::new());
    };
    let script = run.text.value.as_str();
    let env_text = step.env.iter().map(|(_, v)| v.value.as_str());
    let token = TOKEN_REFERENCES
        .iter()
        .any(|t| script.contains(t) || env_text.clone().any(|v| v.contains(t)));
    if let Some(open) = OPEN_ENDED.iter().find(|c| script.contains(*c)) {
        return StepNeeds::Unknown(format!("`{open}` in a script"));
    }
    // A container given the token may use it for anything (listmonk's AI reviewer posting to
    // the pull request): what it needs cannot be read from the script.
    if token && TOKEN_TO_PROGRAM.iter().any(|c| script.contains(c)) {
        return StepNeeds::Unknown("a container given the token".to_owned());
    }
    let mut scopes: Vec<&'static str> = COMMANDS
        .iter()
        .filter(|(command, _)| script.contains(command))
        .flat_map(|(_, scopes)| scopes.iter().copied())
        .collect();
    if script.contains("ghcr.io") && REGISTRY_PUSHES.iter().any(|c| script.contains(c)) {
        scopes.push("packages");
    }
    // A tool told to log in with OIDC (`DAGGER_CLOUD_TOKEN: oidc`) or a script that asks for
    // the token itself uses `id-token`.
    let mentions = |needle: &str| {
        script.contains(needle) || step.env.iter().any(|(_, v)| v.value.contains(needle))
    };
    if mentions("oidc") || mentions("OIDC") || mentions("ACTIONS_ID_TOKEN_REQUEST") {
        scopes.push("id-token");
    }
    if scopes.is_empty() && token {
        return StepNeeds::Unknown("a script given the token".to_owned());
    }
    StepNeeds::Known(scopes)
}

/// Whether a job's need for `scope` can be told from its steps. Any program a script runs can
/// ask the runner for an OIDC token, unseen, so a job that runs scripts and shows no sign of
/// using `id-token` may still use it.
pub(crate) fn need_is_visible(job: &Job, scope: &str) -> bool {
    scope != "id-token" || job.steps.iter().all(|s| s.run.is_none())
}

/// What a job needs in all: `Ok(scopes)` when every step is known, else the first unknown step.
pub(crate) fn job_needs(job: &Job) -> Result<BTreeSet<&'static str>, String> {
    if let Some(uses) = &job.uses {
        return Err(format!("reusable workflow {}", uses.value));
    }
    let mut needed = BTreeSet::new();
    for step in &job.steps {
        match step_needs(step) {
            StepNeeds::Known(scopes) => needed.extend(scopes),
            StepNeeds::Unknown(what) => return Err(what),
        }
    }
    Ok(needed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use harden_formats::pipeline::{Kind, parse};

    fn needs(steps: &str) -> Result<BTreeSet<&'static str>, String> {
        let text = format!("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n{steps}");
        let pipeline = parse(Kind::GithubWorkflow, &text).unwrap();
        job_needs(&pipeline.jobs[0])
    }

    #[test]
    fn build_and_test_steps_need_nothing() {
        let got = needs(
            "      - uses: actions/checkout@v4\n      - uses: actions/setup-node@v4\n      - run: npm test\n",
        );
        assert_eq!(got, Ok(BTreeSet::new()));
    }

    #[test]
    fn known_writers_name_their_scopes() {
        let got = needs("      - uses: actions/labeler@v5\n      - run: git push origin HEAD\n");
        assert_eq!(
            got,
            Ok(BTreeSet::from(["contents", "issues", "pull-requests"]))
        );
        let got = needs("      - uses: github/codeql-action/upload-sarif@v3\n");
        assert_eq!(got, Ok(BTreeSet::from(["security-events"])));
    }

    #[test]
    fn scripts_and_unlisted_actions_are_unknown() {
        assert!(needs("      - uses: actions/github-script@v7\n").is_err());
        assert!(needs("      - uses: ./.github/actions/deploy\n").is_err());
        assert!(needs("      - run: gh api repos/x/y/labels\n").is_err());
        let handed = "      - run: ./publish.sh\n        env:\n          TOKEN: ${{ secrets.GITHUB_TOKEN }}\n";
        assert!(needs(handed).is_err());
        // listmonk: a container from ghcr.io given the token posts a review.
        let container = "      - run: |\n          docker run --rm -e GITHUB_TOKEN=${{ secrets.GITHUB_TOKEN }} ghcr.io/x/reviewer:1 --post\n";
        assert!(needs(container).is_err());
    }

    #[test]
    fn running_an_image_from_a_registry_writes_no_packages() {
        let got = needs("      - run: docker run --rm ghcr.io/x/linter:1 .\n");
        assert_eq!(got, Ok(BTreeSet::new()));
        let got = needs(
            "      - run: |\n          docker login ghcr.io -u x --password-stdin < token\n          docker push ghcr.io/x/app:1\n",
        );
        assert_eq!(got, Ok(BTreeSet::from(["packages"])));
    }

    #[test]
    fn oidc_use_is_seen_when_said_and_never_ruled_out_for_scripts() {
        let got = needs(
            "      - run: dagger call test\n        env:\n          DAGGER_CLOUD_TOKEN: oidc\n",
        );
        assert_eq!(got, Ok(BTreeSet::from(["id-token"])));
        let job = |steps: &str| {
            let text = format!("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n{steps}");
            parse(Kind::GithubWorkflow, &text).unwrap().jobs.remove(0)
        };
        // Any program may ask the runner for an OIDC token: a job with scripts is "cannot tell".
        assert!(!need_is_visible(
            &job("      - run: ./deploy.sh\n"),
            "id-token"
        ));
        assert!(need_is_visible(
            &job("      - run: ./deploy.sh\n"),
            "contents"
        ));
        assert!(need_is_visible(
            &job("      - uses: actions/checkout@v4\n"),
            "id-token"
        ));
    }
}
