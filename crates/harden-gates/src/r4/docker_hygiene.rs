use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_formats::dockerfile::Instruction;
use harden_model::{
    GateId, GateMeta, Items, LineCol, Location, OptionKind, OptionSpec, ProfileLevel, Redacted,
    Round, Secret, Severity, Span, Target,
};

use super::images::{DockerSource, dockerfiles};

/// `R4.docker.hygiene`: Dockerfiles build images that do not run as root, fetch nothing
/// unverified, carry no secrets and pin their packages.
pub(crate) struct DockerHygiene;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R4.docker.hygiene"),
    round: Round::R4,
    title: "Dockerfile hygiene: non-root, no remote ADD, no curl|sh, no secrets, pinned packages",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "The Dockerfile decides what runs in production and with which rights. This gate \
fails a final stage that runs as root (no `USER`, or `USER root`/`0`; earlier build stages do not \
matter; a base or build image, one without CMD, ENTRYPOINT or EXPOSE or named `*.base`, \
`*.build`, `ci/`, is left to the image built from it unless it says `USER root`), `ADD` of a URL (unverified download baked into the image), `curl|wget ... | sh` (a remote \
script executed unseen), secrets in `ENV`/`ARG` (they stay in the image history for anyone who \
pulls it), and apt, apk, pip or npm installs without version pins (the image changes on every \
build), and `RUN a | b` without `pipefail` where `a` can fail (a download piped into `tar` or \
`gpg`: the shell keeps only `b`'s status and the image is built without it). A service image (one \
that `EXPOSE`s a port) without `HEALTHCHECK` is a warning; a RUN that `cd`s instead of using \
`WORKDIR` is counted. Fix: add a non-root `USER`, `COPY` verified artefacts, use BuildKit secret \
mounts, pin package versions, `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]`.",
    evidence: &["dockerfiles", "stages", "base or build images"],
    options: &[OptionSpec {
        key: "dockerfiles",
        kind: OptionKind::StringList,
        help: "More Dockerfiles, as globs from the repository root (e.g. [\"docker/*.build\"]), besides Dockerfile, Containerfile, Dockerfile.* and *.dockerfile in any case.",
    }],
    items: Some(Items {
        name: "Dockerfiles",
        globs: &[
            "**/Dockerfile",
            "**/Dockerfile.*",
            "**/*.Dockerfile",
            "**/dockerfile",
            "**/dockerfile.*",
            "**/*.dockerfile",
            "**/Containerfile",
            "**/Containerfile.*",
        ],
    }),
};

const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
];

fn location(source: &DockerSource, instruction: &Instruction, fragment: Option<&str>) -> Location {
    // Look for the fragment on every line of the instruction (continuations included).
    let found = fragment.and_then(|f| {
        (instruction.span.start.line..=instruction.span.end.line).find_map(|line| {
            let text = source.lines.line(&source.text, line);
            let byte = text.find(f)?;
            Some((
                line,
                u32::try_from(text[..byte].chars().count()).unwrap_or(0) + 1,
                u32::try_from(f.chars().count()).unwrap_or(1),
            ))
        })
    });
    let (line, column, width) = found.unwrap_or((
        instruction.span.start.line,
        instruction.span.start.column,
        u32::try_from(instruction.keyword.len()).unwrap_or(1),
    ));
    Location::File {
        path: source.path.clone(),
        span: Some(Span {
            start: LineCol { line, column },
            end: LineCol {
                line,
                column: column + width,
            },
        }),
        snippet: None,
        logical: Some(instruction.keyword.clone()),
    }
}

/// Package-manager options whose next word is their value, not a package.
const VALUE_OPTIONS: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-t",
    "--target",
    "--virtual",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-e",
    "--editable",
    "-f",
    "--find-links",
    "--repository",
    "-X",
    // pip's and uv's install options that take a value (their documented option lists):
    // indexes, files, platforms and policies, not packages (`--index-strategy unsafe-best-match`).
    "--requirements",
    "--constraints",
    "--overrides",
    "--build-constraints",
    "--index",
    "--default-index",
    "--index-strategy",
    "--keyring-provider",
    "--resolution",
    "--prerelease",
    "--fork-strategy",
    "--exclude-newer",
    "--link-mode",
    "--python-preference",
    "--python",
    "-p",
    "--python-version",
    "--python-platform",
    "--platform",
    "--implementation",
    "--abi",
    "--prefix",
    "--root",
    "--src",
    "--upgrade-strategy",
    "--upgrade-package",
    "-P",
    "--reinstall-package",
    "--config-settings",
    "-C",
    "--global-option",
    "--no-binary",
    "--only-binary",
    "--no-build-package",
    "--progress-bar",
    "--root-user-action",
    "--report",
    "--log",
    "--proxy",
    "--retries",
    "--timeout",
    "--exists-action",
    "--trusted-host",
    "--allow-insecure-host",
    "--cert",
    "--client-cert",
    "--cache-dir",
    "--torch-backend",
    "--extra",
    "--group",
];

/// The package manager a shell command runs and where its package list starts: options may come
/// before the subcommand (`apk --no-cache add`, `apt-get -y -q install`), after `sudo` or
/// environment assignments (`DEBIAN_FRONTEND=noninteractive apt-get install`).
/// A package manager's name, where its packages start, and how a pinned package looks.
type Install = (&'static str, usize, fn(&str) -> bool);

fn package_install<'a>(words: &[&'a str]) -> Option<Install> {
    let first = words
        .iter()
        .position(|w| *w != "sudo" && !is_env_assignment(w))?;
    let program = words[first].rsplit('/').next().unwrap_or(words[first]);
    // The first word after the program that is not an option (or an option's value).
    let subcommand = |from: usize| -> Option<(usize, &'a str)> {
        let mut skip_value = false;
        for (i, word) in words.iter().enumerate().skip(from) {
            if skip_value {
                skip_value = false;
            } else if word.starts_with('-') {
                skip_value = MANAGER_VALUE_OPTIONS.contains(word);
            } else {
                return Some((i, word));
            }
        }
        None
    };
    let (manager, verb, pinned): (&'static str, &[&str], fn(&str) -> bool) = match program {
        "apt-get" | "apt" | "aptitude" => ("apt", &["install"], |p| p.contains('=')),
        "apk" => ("apk", &["add"], |p| p.contains('=')),
        // RPM pins are `name-1.2.3` or `name-1.2.3-4.el9`: a dash followed by a digit.
        "dnf" | "yum" | "microdnf" | "tdnf" | "zypper" => ("rpm", &["install", "in"], |p| {
            p.match_indices('-')
                .any(|(i, _)| p[i + 1..].starts_with(|c: char| c.is_ascii_digit()))
        }),
        "pip" | "pip3" | "uv" => ("pip", &["install"], pip_pinned),
        "python" | "python3" => {
            return match words.get(first + 1..first + 4) {
                Some(["-m", "pip", "install"]) => Some(("pip", first + 4, pip_pinned)),
                _ => None,
            };
        }
        "npm" if words.contains(&"-g") || words.contains(&"--global") => {
            ("npm", &["install", "i"], |p| {
                p.rfind('@').is_some_and(|i| i > 0)
            })
        }
        _ => return None,
    };
    let (at, word) = subcommand(first + 1)?;
    // `uv pip install`: the subcommand is one word further.
    let (at, word) = if program == "uv" && word == "pip" {
        subcommand(at + 1)?
    } else {
        (at, word)
    };
    verb.contains(&word).then_some((manager, at + 1, pinned))
}

fn pip_pinned(package: &str) -> bool {
    package.contains("==")
        || package.contains(".whl")
        || package.starts_with('.')
        || package.starts_with('/')
}

fn is_env_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    })
}

/// Options of the package managers themselves (before the subcommand) that take a value.
const MANAGER_VALUE_OPTIONS: &[&str] = &[
    "-o",
    "-c",
    "-t",
    "-X",
    "--repository",
    "--root",
    "-p",
    "--installroot",
    "--releasever",
    "--setopt",
    "--enablerepo",
    "--disablerepo",
];

/// Package installs without versions, as `(manager, package)`.
fn unpinned_packages(command: &str) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    for part in command.split(['&', ';', '|']) {
        let words: Vec<&str> = part.split_whitespace().collect();
        let Some((manager, start, pinned)) = package_install(&words) else {
            continue;
        };
        let mut skip_value = false;
        let mut in_comment = false;
        for package in words.iter().skip(start) {
            // An inline comment (`` `# needed by lxml` ``, a shell `#`) names no package.
            if in_comment {
                in_comment = !package.ends_with('`');
                continue;
            }
            if package.starts_with("`#") {
                in_comment = !(package.len() > 2 && package.ends_with('`'));
                continue;
            }
            if package.starts_with('#') {
                break;
            }
            if skip_value {
                skip_value = false;
                continue;
            }
            // Options that take a value: the value is not a package.
            if VALUE_OPTIONS.contains(package) {
                skip_value = true;
                continue;
            }
            if package.starts_with('-')
                || package.starts_with('$')
                || package.is_empty()
                || *package == "install"
                || is_env_assignment(package)
            {
                continue;
            }
            // A local file (`./pkg.deb`, `/tmp/tool.apk`, `app.tgz`) is what it is: its version
            // is the file's, checked where it was downloaded.
            let local = package.starts_with("./")
                || package.starts_with('/')
                || [".deb", ".apk", ".rpm", ".tgz", ".tar.gz", ".whl"]
                    .iter()
                    .any(|e| package.ends_with(e));
            if !local && !pinned(package) {
                found.push((manager, (*package).to_owned()));
            }
        }
    }
    found
}

/// `Dockerfile.base`, `build.Dockerfile`, `docker/deb-builder.dockerfile`, `ci/Dockerfile`:
/// named after what it is for, and that is not running a service.
fn named_base_or_builder(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let (dirs, name) = lower.rsplit_once('/').unwrap_or(("", &lower));
    // The words around `Dockerfile` say what the image is for; a file named by the `dockerfiles`
    // option (`api.build`) has no such convention.
    let conventional = name.contains("dockerfile") || name.contains("containerfile");
    let named = conventional
        && name.split(['.', '-', '_']).any(|word| {
            matches!(
                word,
                "base"
                    | "build"
                    | "builder"
                    | "buildenv"
                    | "ci"
                    | "deb"
                    | "rpm"
                    | "packaging"
                    | "toolchain"
            )
        });
    // Directories too, but not `build/` alone: Go projects keep their service's Dockerfile in
    // `build/package/`.
    named
        || dirs
            .split('/')
            .any(|dir| matches!(dir, "ci" | "packaging" | "deb" | "rpm" | "toolchain"))
}

fn non_root_by_default(image: &str) -> bool {
    let image = image.split('@').next().unwrap_or(image);
    let tag = image.rsplit_once(':').map(|(_, t)| t).unwrap_or_default();
    tag.split('-').any(|part| part == "nonroot")
        || (image.starts_with("cgr.dev/chainguard/") && !tag.contains("dev"))
}

fn check_file(cx: &GateCx<'_>, out: &mut GateOutput, source: &DockerSource) {
    let Some(last) = source.file.stages.last() else {
        return;
    };
    out.add("stages", source.file.stages.len() as u64);
    // `USER` carries over from the stage this one is built `FROM`.
    let mut stage = last;
    let mut user = None;
    for _ in 0..source.file.stages.len() {
        user = stage
            .instructions
            .iter()
            .rev()
            .find(|i| i.keyword == "USER");
        let parent = source
            .file
            .stages
            .iter()
            .find(|s| s.name.as_deref() == Some(stage.image.to_ascii_lowercase().as_str()));
        match (user, parent) {
            (None, Some(parent)) if !std::ptr::eq(parent, stage) => stage = parent,
            _ => break,
        }
    }
    let root = match user {
        // Images whose default user is not root: distroless `:nonroot`, Chainguard images
        // other than their `-dev` variants.
        None => !non_root_by_default(&stage.image),
        Some(user) => {
            let who = user.arguments.split(':').next().unwrap_or_default().trim();
            who == "root" || who == "0"
        }
    };
    // An image that says nothing about how it runs (no USER, CMD, ENTRYPOINT or EXPOSE in its
    // final stage) or is named a base or build image is a base for other images or a build
    // tool: whoever runs it or builds `FROM` it decides the user. An explicit `USER root` is
    // still reported.
    let base_or_builder = user.is_none()
        && !last
            .instructions
            .iter()
            .any(|i| i.keyword == "EXPOSE" || i.keyword == "HEALTHCHECK")
        && (!last
            .instructions
            .iter()
            .any(|i| i.keyword == "CMD" || i.keyword == "ENTRYPOINT")
            || named_base_or_builder(&source.path));
    if base_or_builder {
        out.add("base or build images", 1);
    }
    if root && !base_or_builder {
        let at = user.unwrap_or(&last.from);
        out.finding(
            cx.finding(
                format!(
                    "the final stage{} ({}) runs as root",
                    last.name
                        .as_deref()
                        .map(|n| format!(" `{n}`"))
                        .unwrap_or_default(),
                    last.image
                ),
                location(source, at, None),
            )
            .identity(format!("root:{}", last.image))
            .help("add `USER <non-root uid>` to the final stage")
            .build(),
        );
    }
    let all = std::iter::once(&last.from).chain(
        source
            .file
            .stages
            .iter()
            .flat_map(|s| s.instructions.iter()),
    );
    for instruction in all {
        let args = &instruction.arguments;
        match instruction.keyword.as_str() {
            "ADD" => {
                // `ADD --checksum=sha256:...` verifies the download: that is the fix, not a finding.
                let verified = args
                    .split_whitespace()
                    .any(|w| w.starts_with("--checksum="));
                if let Some(url) = args
                    .split_whitespace()
                    .find(|w| w.starts_with("http://") || w.starts_with("https://"))
                    .filter(|_| !verified)
                {
                    out.finding(
                        cx.finding(format!("ADD {} bakes an unverified download into the image", crate::support::shown_text(url)), location(source, instruction, Some(url)))
                            .identity(format!("add:{url}"))
                            .help("download in a build stage with a checksum check, or use `ADD --checksum=sha256:...`")
                            .build(),
                    );
                }
            }
            "RUN" => {
                let lowered = args.to_lowercase();
                let fetch = lowered.contains("curl ") || lowered.contains("wget ");
                let pipes_to_shell = pipes_into_shell(&lowered);
                if fetch && pipes_to_shell {
                    out.finding(
                        cx.finding("RUN pipes a downloaded script into a shell: it runs unseen and unverified", location(source, instruction, Some("curl").filter(|_| lowered.contains("curl")).or(Some("wget"))))
                            .identity(format!("curl-sh:{args}"))
                            .help("download, verify a checksum or signature, then run")
                            .build(),
                    );
                }
                // One finding per manager and RUN, naming its packages: twenty unpinned apt
                // packages in one layer are one decision, not twenty.
                let unpinned = unpinned_packages(args);
                let mut managers: Vec<&str> = unpinned.iter().map(|(m, _)| *m).collect();
                managers.dedup();
                for manager in managers {
                    let packages: Vec<&str> = unpinned
                        .iter()
                        .filter(|(m, _)| *m == manager)
                        .map(|(_, p)| p.as_str())
                        .collect();
                    let shown = packages
                        .iter()
                        .take(5)
                        .map(|p| format!("`{}`", crate::support::shown_text(p)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let more = packages.len().saturating_sub(5);
                    let (kind, severity) = match manager {
                        // Distribution packages move only within a release's security updates
                        // (and old versions vanish from the mirrors, so pins break builds):
                        // lower risk than a language package that can change entirely.
                        "apt" | "apk" | "rpm" => ("distribution package", Severity::Low),
                        _ => ("package", Severity::Medium),
                    };
                    let what = match packages.len() {
                        1 => format!("the {kind} {shown}"),
                        n => format!(
                            "{n} {kind}s ({shown}{})",
                            if more > 0 {
                                format!(" and {more} more")
                            } else {
                                String::new()
                            }
                        ),
                    };
                    out.finding(
                        cx.finding(
                            format!(
                                "{manager} installs {what} without a version: the image changes on every build"
                            ),
                            location(source, instruction, packages.first().copied()),
                        )
                        .identity(format!("unpinned:{manager}:{}", packages.join(",")))
                        .severity(severity)
                        .help("pin them (`pkg=1.2.3`, `pkg-1.2.3`, `pkg==1.2.3`, `pkg@1.2.3`), or install from a lockfile")
                        .build(),
                    );
                }
            }
            "ENV" | "ARG" => {
                let pairs: Vec<(&str, &str)> = if args.contains('=') {
                    args.split_whitespace()
                        .filter_map(|w| w.split_once('='))
                        .collect()
                } else {
                    args.split_once(char::is_whitespace).into_iter().collect()
                };
                for (name, value) in pairs {
                    let upper = name.to_uppercase();
                    let value = value.trim_matches('"').trim_matches('\'');
                    if SECRET_WORDS.iter().any(|w| upper.contains(w))
                        && !value.is_empty()
                        && !value.starts_with('$')
                    {
                        let secret = Secret::new(value);
                        let mut at = location(source, instruction, Some(name));
                        if let Location::File { snippet, .. } = &mut at {
                            *snippet = Some(Redacted::masking(
                                &format!("{} {name}={value}", instruction.keyword),
                                &secret,
                            ));
                        }
                        out.finding(
                            cx.finding(format!("{} {name} holds a secret ({secret}) that stays in the image history", instruction.keyword), at)
                                .identity(format!("secret:{name}:{}", secret.keyed_digest(b"dockerfile")))
                                .help("use a BuildKit secret mount (`RUN --mount=type=secret,id=...`) or inject it at runtime")
                                .build(),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    swallowed_pipes(cx, out, source);
    let exposes = last.instructions.iter().any(|i| i.keyword == "EXPOSE");
    let healthcheck = last.instructions.iter().any(|i| i.keyword == "HEALTHCHECK");
    if exposes && !healthcheck {
        out.finding(
            cx.finding(format!("the service image ({}) exposes a port but declares no HEALTHCHECK", last.image), location(source, &last.from, None))
                .identity(format!("healthcheck:{}", last.image))
                .severity(Severity::Low)
                .help("add `HEALTHCHECK CMD ...` (or rely on an orchestrator probe and waive this with a reason)")
                .build(),
        );
    }
}

impl Gate for DockerHygiene {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        for source in dockerfiles(cx, out)? {
            check_file(cx, out, &source);
        }
        Ok(())
    }
}

/// RUN pipelines whose earlier commands may fail unseen: a shell runs `a | b` and keeps only
/// `b`'s status, so a failed download piped into `tar` or `gpg` builds an image without it.
/// Fine where the stage's `SHELL` (or the stage it is built from) sets `pipefail`, where the
/// RUN sets it, and where what feeds the pipe cannot fail (`echo`, `printf`). A RUN that `cd`s
/// is counted, not reported: WORKDIR is clearer, but nothing breaks.
fn swallowed_pipes(cx: &GateCx<'_>, out: &mut GateOutput, source: &DockerSource) {
    let mut pipefail_stages: Vec<&str> = Vec::new();
    for stage in &source.file.stages {
        let from_stage = pipefail_stages
            .iter()
            .any(|name| stage.image.eq_ignore_ascii_case(name));
        let mut pipefail = from_stage;
        let mut posix_shell = true;
        for instruction in &stage.instructions {
            let args = instruction.arguments.as_str();
            match instruction.keyword.as_str() {
                "SHELL" => {
                    pipefail = args.contains("pipefail");
                    let lowered = args.to_ascii_lowercase();
                    posix_shell = !(lowered.contains("powershell") || lowered.contains("cmd"));
                }
                // The exec form (`RUN ["a", "b"]`) runs no shell.
                "RUN" if posix_shell && !args.trim_start().starts_with('[') => {
                    if args.split_whitespace().any(|w| w == "cd") {
                        out.add("RUN steps that cd instead of WORKDIR", 1);
                    }
                    if pipefail || args.contains("pipefail") {
                        continue;
                    }
                    let lowered = args.to_lowercase();
                    // A download piped into a shell is reported on its own, more severely.
                    if pipes_into_shell(&lowered)
                        && (lowered.contains("curl ") || lowered.contains("wget "))
                    {
                        continue;
                    }
                    if let Some(feeder) = failing_pipe(args) {
                        out.finding(
                            cx.finding(
                                format!("RUN pipes `{}` into another command without pipefail: if it fails, the build goes on without it", crate::support::shown_text(feeder)),
                                location(source, instruction, Some(feeder)),
                            )
                            .identity(format!("pipefail:{args}"))
                            .severity(Severity::Medium)
                            .help("add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before it (or start the RUN with `set -o pipefail &&`)")
                            .build(),
                        );
                    }
                }
                _ => {}
            }
        }
        if pipefail && let Some(name) = stage.name.as_deref() {
            pipefail_stages.push(name);
        }
    }
}

/// The first command of a pipeline in `run` that could fail unseen (not the last stage of its
/// pipe, not `echo`/`printf`/`yes`/`cat`). Quotes are skipped; `||` is not a pipe, nor is the
/// `|` between a `case` statement's patterns (`dev|beta)`).
fn failing_pipe(run: &str) -> Option<&str> {
    let bytes = run.as_bytes();
    let mut quote = None;
    let mut command_start = 0;
    // Open `case` statements, whether `case x` waits for its `in`, and whether the text is in
    // a pattern list (after `in` or `;;`, up to its `)`).
    let (mut cases, mut case_word, mut pattern) = (0usize, false, false);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let word_starts =
            quote.is_none() && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b';'));
        if word_starts {
            let word = run[i..]
                .split(|c: char| c.is_whitespace() || c == ';')
                .next()
                .unwrap_or_default();
            match word {
                "case" => (cases, case_word) = (cases + 1, true),
                "in" if case_word => (case_word, pattern) = (false, true),
                "esac" if cases > 0 => (cases, pattern) = (cases - 1, false),
                _ => {}
            }
        }
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'\'' | b'"' => quote = Some(b),
                b'|' | b'(' if pattern => {}
                b')' if pattern => {
                    pattern = false;
                    command_start = i + 1;
                }
                b';' if cases > 0 && bytes.get(i + 1) == Some(&b';') => {
                    pattern = true;
                    i += 1;
                    command_start = i + 1;
                }
                b'|' if bytes.get(i + 1) == Some(&b'|') => {
                    i += 1;
                    command_start = i + 1;
                }
                b'|' => {
                    let feeder = run[command_start..i].trim();
                    let program = feeder
                        .split_whitespace()
                        .find(|w| !w.contains('='))
                        .unwrap_or_default();
                    if !matches!(program, "echo" | "printf" | "yes" | "cat" | "true" | "") {
                        return Some(feeder);
                    }
                    command_start = i + 1;
                }
                // `2>&1` and `&>` redirect; `&&` and a lone `&` separate commands.
                b'&' if i > 0 && matches!(bytes[i - 1], b'>' | b'<')
                    || bytes.get(i + 1) == Some(&b'>') => {}
                b';' | b'&' | b'(' | b')' => command_start = i + 1,
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// Whether a command line pipes into a shell interpreter: a pipe stage whose program is `sh`,
/// `bash` and the like (`| sha256sum -c -` is a checksum, not a shell).
fn pipes_into_shell(line: &str) -> bool {
    line.split('|').skip(1).any(|stage| {
        let mut words = stage.split_whitespace();
        let mut program = words.next().unwrap_or_default();
        if program == "sudo" || program == "env" {
            program = words.next().unwrap_or_default();
        }
        let program = program.rsplit('/').next().unwrap_or(program);
        matches!(program, "sh" | "bash" | "zsh" | "dash" | "ash" | "ksh")
    })
}

#[cfg(test)]
mod tests {
    use super::{
        failing_pipe, named_base_or_builder, non_root_by_default, pipes_into_shell,
        unpinned_packages,
    };

    #[test]
    fn pipes_that_can_fail_unseen() {
        assert_eq!(
            failing_pipe("curl -fsSL https://x/a.tgz | tar xz -C /opt"),
            Some("curl -fsSL https://x/a.tgz")
        );
        assert_eq!(
            failing_pipe("apt-get update && wget -qO- https://x/key | gpg --dearmor -o /k"),
            Some("wget -qO- https://x/key")
        );
        assert_eq!(failing_pipe("echo \"abc  a.tgz\" | sha256sum -c -"), None);
        assert_eq!(failing_pipe("make || true"), None);
        assert_eq!(failing_pipe("grep -q 'a|b' file"), None);
        assert_eq!(failing_pipe("cat /etc/os-release | grep ID"), None);
        assert_eq!(failing_pipe("echo x 2>&1 | tee /log"), None);
        // The `|` of a case statement's patterns (paperless-ngx's Dockerfile) is no pipe; a
        // pipe inside a branch still is.
        let case = "set -eux && case \"${TAG}\" in dev|beta|fix*) sed -i s/a/b/ f ;; \
            rc|final) curl -fsSL https://x/a | tar xz ;; esac";
        assert_eq!(failing_pipe(case), Some("curl -fsSL https://x/a"));
        assert_eq!(
            failing_pipe("case \"$A\" in dev|beta) echo dev ;; *) echo other ;; esac"),
            None
        );
        assert_eq!(
            failing_pipe("make build 2>&1 | tee build.log"),
            Some("make build 2>&1")
        );
    }

    #[test]
    fn base_and_build_images_by_name() {
        for path in [
            "Dockerfile.base",
            "build.Dockerfile",
            "packaging/docker/Dockerfile",
            "docker/deb-builder.dockerfile",
            "ci/Dockerfile",
        ] {
            assert!(named_base_or_builder(path), "{path}");
        }
        for path in [
            "Dockerfile",
            "services/api/Dockerfile",
            "Dockerfile.prod",
            "database.Dockerfile",
            "build/package/Dockerfile",
            "deploy/api.build",
        ] {
            assert!(!named_base_or_builder(path), "{path}");
        }
    }

    #[test]
    fn package_pins() {
        assert_eq!(unpinned_packages("apt-get update && apt-get install -y --no-install-recommends curl ca-certificates=20230311").len(), 1);
        assert_eq!(
            unpinned_packages(
                "apt-get install -y libxslt1-dev `# is needed by lxml (PyPI)` libcurl4=7.88 # trailing words"
            ),
            [("apt", "libxslt1-dev".to_owned())]
        );
        assert!(non_root_by_default(
            "gcr.io/distroless/base-debian13:nonroot"
        ));
        assert!(non_root_by_default("cgr.dev/chainguard/node:latest"));
        assert!(!non_root_by_default("cgr.dev/chainguard/node:latest-dev"));
        assert!(!non_root_by_default("python:3.12-slim"));
        assert!(unpinned_packages("apk add --no-cache curl=8.5.0-r0").is_empty());
    }

    #[test]
    fn options_before_the_subcommand_and_the_rpm_family() {
        let managers = |command| {
            unpinned_packages(command)
                .into_iter()
                .map(|(m, p)| format!("{m}:{p}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            managers("apk --no-cache add curl git=2.45.2-r0"),
            ["apk:curl"]
        );
        assert_eq!(
            managers("DEBIAN_FRONTEND=noninteractive apt-get -y -o Dpkg::Use-Pty=0 install tini"),
            ["apt:tini"]
        );
        assert_eq!(managers("sudo apt -qq install jq"), ["apt:jq"]);
        assert_eq!(
            managers("dnf install -y --setopt=tsflags=nodocs nginx python3-3.9.18"),
            ["rpm:nginx"]
        );
        assert_eq!(
            managers("microdnf install shadow-utils"),
            ["rpm:shadow-utils"]
        );
        assert_eq!(
            managers("yum -y install httpd-2.4.57-5.el9"),
            Vec::<String>::new()
        );
        assert_eq!(managers("uv pip install --system httpx"), ["pip:httpx"]);
        assert!(managers("apt-get -y update").is_empty());
        assert!(managers("apk --no-cache upgrade").is_empty());
        assert!(managers("dnf clean all").is_empty());
    }

    #[test]
    fn only_a_shell_at_the_end_of_a_pipe_runs_a_download() {
        assert!(pipes_into_shell("curl -fsSL https://x/install.sh | sh"));
        assert!(pipes_into_shell(
            "curl -fsSL https://x | sudo bash -s -- --yes"
        ));
        assert!(pipes_into_shell("wget -qO- https://x | /bin/sh"));
        assert!(!pipes_into_shell(
            "curl -fsSLO https://x/a.tgz && echo \"abc  a.tgz\" | sha256sum -c -"
        ));
        assert!(!pipes_into_shell(
            "curl -fsSL https://x/key.gpg | gpg --dearmor -o /k.gpg"
        ));
        assert_eq!(
            unpinned_packages("pip install requests flask==3.0.0").len(),
            1
        );
        assert!(unpinned_packages("pip install -r requirements.txt").is_empty());
        // Options that take a value: paperless-ngx's image installs from a requirements file.
        assert!(
            unpinned_packages(
                "uv pip install --no-cache --system --python-preference system --index https://pypi.org/simple --index-strategy unsafe-best-match --requirements requirements.txt"
            )
            .is_empty()
        );
        assert_eq!(
            unpinned_packages("pip install --no-binary :all: --progress-bar off flask"),
            [("pip", "flask".to_owned())]
        );
        assert!(unpinned_packages("apk add --virtual .build-deps gcc=13.2.1-r0").is_empty());
        assert_eq!(unpinned_packages("npm install -g pnpm").len(), 1);
        assert!(unpinned_packages("npm install -g pnpm@9.1.0").is_empty());
        assert!(
            unpinned_packages("npm install").is_empty(),
            "local installs follow the lockfile"
        );
    }
}
