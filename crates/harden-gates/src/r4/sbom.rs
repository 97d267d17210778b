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
can only list what is locked. The gate finds every manifest of the shipped code (not tests, \
documentation, examples, vendored or generated code, project templates) that declares registry \
dependencies \
(Cargo.toml, package.json, pyproject.toml, Pipfile, go.mod, Gemfile, composer.json, .NET project \
files, build.gradle, pom.xml) and fails one with no lockfile at its directory or above (beside it \
for NuGet's packages.lock.json and Gradle's gradle.lockfile, which each project writes for \
itself), or whose lockfile cannot be read (Bun's binary bun.lockb among them: its format is not \
published): its dependencies cannot be listed. Maven records no \
lockfile, so a pom.xml passes only when the build writes its own SBOM (the CycloneDX plugin in it \
or in a parent POM above it), as a Gradle build without a lockfile may. The unlocked projects of \
one multi-project Gradle build, or of a .NET tree under one Directory.Build.props, are one \
finding at that root: one change locks them all. It then \
builds the CycloneDX 1.6 SBOM of every lockfile (what `harden sbom` writes: purls, versions, \
hashes where lockfiles record them, the lockfiles each package comes from, the direct \
dependencies) and records its SHA-256 in the ledger, so the SBOM of a release can be matched to \
the run that judged it. Fix: commit the lockfile (`cargo generate-lockfile`, `npm install`, `uv \
lock`, `pipenv lock`, `bundle lock`, `composer update --lock`, `RestorePackagesWithLockFile` for \
NuGet, `dependencyLocking { lockAllConfigurations() }` and `gradle dependencies --write-locks` for \
Gradle).",
    evidence: &["manifests", "lockfiles", "components", "sbom"],
    options: &[],
    items: Some(Items {
        name: "package manifests (Cargo.toml, package.json, pyproject.toml, Pipfile, go.mod, Gemfile, composer.json, *.csproj, *.fsproj, *.vbproj, build.gradle, build.gradle.kts, pom.xml)",
        globs: &[
            "**/Cargo.toml",
            "**/package.json",
            "**/pyproject.toml",
            "**/Pipfile",
            "**/go.mod",
            "**/Gemfile",
            "**/composer.json",
            "**/*.csproj",
            "**/*.fsproj",
            "**/*.vbproj",
            "**/build.gradle",
            "**/build.gradle.kts",
            "**/pom.xml",
        ],
    }),
};

/// The lockfiles that list a manifest's dependencies, by manifest file name.
fn locks_for(manifest: &str) -> Option<&'static [&'static str]> {
    if lockfiles::is_dotnet_project(manifest) {
        return Some(&["packages.lock.json"]);
    }
    Some(match manifest {
        "Cargo.toml" => &["Cargo.lock"],
        "package.json" => &[
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "bun.lock",
            lockfiles::BUN_BINARY_LOCKFILE,
        ],
        "pyproject.toml" => &["uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock"],
        "Pipfile" => &["Pipfile.lock"],
        "Gemfile" => &["Gemfile.lock"],
        "composer.json" => &["composer.lock"],
        "build.gradle" | "build.gradle.kts" => &["gradle.lockfile"],
        // Maven writes no lockfile: only a build that writes its own SBOM lists a pom's packages.
        "pom.xml" => &[],
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
        "composer.json" => {
            lockfiles::composer_requirements(path, text).is_ok_and(|r| !r.is_empty())
        }
        "build.gradle" | "build.gradle.kts" => gradle_declares_dependencies(text),
        "pom.xml" => maven_declares_dependencies(text),
        _ if lockfiles::is_dotnet_project(name) => lockfiles::project_references_packages(text),
        _ => true,
    }
}

/// Whether a Gradle build script declares a module dependency in a configuration that ends up
/// in a build (`implementation("g:a:v")`, `api libs.foo`, `runtimeOnly 'g:a:v'`, `implementation
/// group: 'g', name: 'a'`, `debugImplementation platform(...)`); test configurations, and
/// project, file and file-tree dependencies are not modules, and a root script with only
/// plugins and repositories declares none.
fn gradle_declares_dependencies(text: &str) -> bool {
    const CONFIGURATIONS: &[&str] = &[
        "implementation",
        "api",
        "compileOnly",
        "runtimeOnly",
        "compile",
        "runtime",
        "kapt",
        "ksp",
        "annotationProcessor",
    ];
    const VARIANT_SUFFIXES: &[&str] = &["Implementation", "Api", "CompileOnly", "RuntimeOnly"];
    const NOT_MODULES: &[&str] = &["project(", "projects.", "files(", "fileTree("];
    text.lines().any(|line| {
        let line = line.trim_start();
        let word_end = line
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(line.len());
        let (configuration, rest) = line.split_at(word_end);
        let ships = CONFIGURATIONS.contains(&configuration)
            || (VARIANT_SUFFIXES.iter().any(|s| configuration.ends_with(s))
                && !configuration.contains("test")
                && !configuration.contains("Test"));
        if !ships {
            return false;
        }
        // A call (`(`, or Groovy's space before a string, a map or an expression), not a
        // property (`implementation.extendsFrom`, `api = ...`) or a block.
        let argument = match rest.strip_prefix('(') {
            Some(inside) => inside.trim_start(),
            None if rest.starts_with(' ') => rest.trim_start(),
            None => return false,
        };
        argument.starts_with(|c: char| c == '\'' || c == '"' || c.is_ascii_alphabetic())
            && !NOT_MODULES.iter().any(|p| argument.starts_with(p))
    })
}

/// Why a manifest's packages cannot be listed.
fn missing_lock_message(path: &str, name: &str, locks: &[&str], text: &str) -> String {
    if locks.is_empty() {
        return format!(
            "{path} declares dependencies, Maven records no lockfile and the build writes no SBOM: \
no SBOM can list them"
        );
    }
    format!(
        "{path} declares dependencies but no lockfile ({}) records them{}: no SBOM can list them",
        locks.join(", "),
        // Said, so a reader sees it was chosen rather than forgotten.
        if lockfiles::is_dotnet_project(name) && text.contains("<RestorePackagesWithLockFile>false")
        {
            " (the project turns NuGet's lockfile off)"
        } else {
            ""
        }
    )
}

/// Whether a Maven or Gradle build writes a CycloneDX SBOM of its resolved dependencies (the
/// CycloneDX plugin in the build file, or in a build file of a directory above it, where a
/// parent POM or a root project applies it): that SBOM lists what no lockfile does.
fn builds_own_sbom(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
    files: &[String],
    dir: &str,
    name: &str,
    text: &str,
) -> Result<bool, GateError> {
    let build_files: &[&str] = match name {
        "pom.xml" => &["pom.xml"],
        "build.gradle" | "build.gradle.kts" => &["build.gradle", "build.gradle.kts"],
        _ => return Ok(false),
    };
    let maven = name == "pom.xml";
    if applies_cyclonedx(maven, text) {
        return Ok(true);
    }
    let mut current = dir;
    while !current.is_empty() {
        current = current.rsplit_once('/').map_or("", |(d, _)| d);
        for build in build_files {
            let candidate = if current.is_empty() {
                (*build).to_owned()
            } else {
                format!("{current}/{build}")
            };
            if files.binary_search(&candidate).is_ok()
                && let Some(bytes) = crate::support::read_parsed_into(cx, out, &candidate)?
                && applies_cyclonedx(maven, &harden_engine::lossy_text(&bytes))
            {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Whether the build applies the CycloneDX plugin, so that it writes the SBOM of what it
/// resolves: in a POM, `cyclonedx-maven-plugin` outside comments and `<pluginManagement>`
/// (declared there, it runs nowhere until a build names it); in a Gradle script, the
/// `org.cyclonedx.bom` plugin by id or through a version catalog alias.
fn applies_cyclonedx(maven: bool, text: &str) -> bool {
    if maven {
        pom_elements_found(
            text,
            &[
                ("<pluginManagement>", "</pluginManagement>"),
                ("<!--", "-->"),
            ],
            "cyclonedx-maven-plugin",
        )
    } else {
        text.lines().any(|line| {
            let line = line.trim_start();
            !line.starts_with("//")
                && (line.contains("org.cyclonedx.bom")
                    || (line.contains("alias(") && line.contains("cyclonedx")))
        })
    }
}

/// Whether a POM declares a dependency of its own: one outside `<dependencyManagement>` (which
/// only sets versions for the modules below) and outside plugins (build tooling).
fn maven_declares_dependencies(text: &str) -> bool {
    pom_elements_found(
        text,
        &[
            ("<dependencyManagement>", "</dependencyManagement>"),
            ("<plugins>", "</plugins>"),
            ("<pluginManagement>", "</pluginManagement>"),
            ("<!--", "-->"),
        ],
        "<dependency>",
    )
}

/// Whether `needle` occurs in a POM outside the sections `skipped` (opening and closing text).
/// One forward walk, each pattern's next position kept until the walk passes it, so a file of
/// many sections is read once per pattern; a section that is never closed hides the rest.
fn pom_elements_found(text: &str, skipped: &[(&str, &str)], needle: &str) -> bool {
    let find = |from: usize, pattern: &str| {
        text.get(from..)
            .and_then(|rest| rest.find(pattern))
            .map(|at| at + from)
    };
    let mut pos = 0;
    let mut next_needle = find(0, needle);
    let mut next_open: Vec<Option<usize>> = skipped.iter().map(|(open, _)| find(0, open)).collect();
    loop {
        if next_needle.is_some_and(|at| at < pos) {
            next_needle = find(pos, needle);
        }
        for (next, (open, _)) in next_open.iter_mut().zip(skipped) {
            if next.is_some_and(|at| at < pos) {
                *next = find(pos, open);
            }
        }
        let skip = next_open
            .iter()
            .enumerate()
            .filter_map(|(i, at)| at.map(|at| (at, i)))
            .min();
        match (next_needle, skip) {
            (Some(at), Some((section, _))) if at < section => return true,
            (Some(_), None) => return true,
            (None, None) => return false,
            (_, Some((section, i))) => {
                let (open, close) = skipped[i];
                match find(section + open.len(), close) {
                    Some(end) => pos = end + close.len(),
                    None => return false,
                }
            }
        }
    }
}

/// Where the projects of one build turn lockfiles on together: a Gradle build's settings script
/// (`settings.gradle.kts`), a .NET tree's `Directory.Build.props` (`RestorePackagesWithLockFile`
/// for every project under it). `None` for a project on its own.
fn build_root(files: &[String], path: &str, name: &str) -> Option<String> {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let roots: &[&str] = if name.starts_with("build.gradle") {
        &["settings.gradle", "settings.gradle.kts"]
    } else {
        &["Directory.Build.props"]
    };
    nearest(files, dir, roots, false)
}

/// Gradle and .NET projects that declare dependencies without a lockfile, one finding a build:
/// the projects of a multi-project build (Now in Android's 24 Gradle modules, Jellyfin's 24 .NET
/// projects) are locked by one change at its root; a project alone is reported at its own file.
fn report_unlocked(cx: &GateCx<'_>, out: &mut GateOutput, files: &[String], unlocked: &[String]) {
    let mut builds: std::collections::BTreeMap<(Option<String>, bool), Vec<&str>> =
        std::collections::BTreeMap::new();
    for path in unlocked {
        let name = path.rsplit('/').next().unwrap_or(path);
        let gradle = name.starts_with("build.gradle");
        builds
            .entry((build_root(files, path, name), gradle))
            .or_default()
            .push(path);
    }
    for ((root, gradle), projects) in builds {
        let (kind, lock) = if gradle {
            ("Gradle build", "gradle.lockfile")
        } else {
            (".NET projects", "packages.lock.json")
        };
        let singles = match &root {
            Some(root) if projects.len() > 1 => {
                const SHOWN: usize = 3;
                let shown = projects[..projects.len().min(SHOWN)].join(", ");
                let named = if projects.len() > SHOWN {
                    format!("{shown} and {} more", projects.len() - SHOWN)
                } else {
                    shown
                };
                let whose = if gradle {
                    format!("projects of the {kind} of {root}")
                } else {
                    format!("{kind} under {root}")
                };
                out.finding(
                    cx.finding(
                        format!(
                            "{} {whose} declare dependencies but no lockfile ({lock}) records them ({named}): no SBOM can list them",
                            projects.len()
                        ),
                        Location::File {
                            path: root.clone(),
                            span: None,
                            snippet: None,
                            logical: None,
                        },
                    )
                    .identity(format!("no-lockfile:{root}"))
                    .help(lock_help(projects[0].rsplit('/').next().unwrap_or_default()))
                    .build(),
                );
                continue;
            }
            _ => projects,
        };
        for path in singles {
            let name = path.rsplit('/').next().unwrap_or(path);
            out.finding(
                cx.finding(
                    missing_lock_message(path, name, &[lock], ""),
                    Location::File {
                        path: path.to_owned(),
                        span: None,
                        snippet: None,
                        logical: None,
                    },
                )
                .identity(format!("no-lockfile:{path}"))
                .help(lock_help(name))
                .build(),
            );
        }
    }
}

/// How to get the lockfile: NuGet and Gradle write one only when asked to; Maven never does.
fn lock_help(manifest: &str) -> &'static str {
    if manifest == "pom.xml" {
        "add org.cyclonedx:cyclonedx-maven-plugin to the build (here or in the parent POM) and \
publish the SBOM it writes with each release; Maven itself records no lockfile"
    } else if lockfiles::is_dotnet_project(manifest) {
        "set RestorePackagesWithLockFile to true (in the project or a Directory.Build.props), run \
`dotnet restore` and commit packages.lock.json; an SBOM lists what a lockfile pins"
    } else if manifest.starts_with("build.gradle") {
        "turn on dependency locking (`dependencyLocking { lockAllConfigurations() }`), run `gradle \
dependencies --write-locks` and commit gradle.lockfile, or apply the org.cyclonedx.bom plugin \
so that the build writes its SBOM"
    } else {
        "commit the lockfile the package manager writes; an SBOM lists what a lockfile pins"
    }
}

/// Lockfiles that each project writes beside itself: one found higher up belongs to another
/// project.
fn lock_beside(manifest: &str) -> bool {
    lockfiles::is_dotnet_project(manifest) || manifest.starts_with("build.gradle")
}

fn nearest(files: &[String], dir: &str, names: &[&str], beside: bool) -> Option<String> {
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
        if current.is_empty() || beside {
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
        let mut unlocked: Vec<String> = Vec::new();
        for path in files.iter().filter(|p| {
            !p.split('/')
                .any(|part| crate::inventory::NOT_THE_PROJECT.contains(&part))
        }) {
            let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
            let Some(locks) = locks_for(name) else {
                continue;
            };
            // Tests, documentation snippets and examples, vendored and generated code and
            // project templates are not what the project ships: their manifests are not the
            // build's inventory (the same judgement as R4.lockfiles').
            if !crate::paths::deployed_as(path, crate::paths::role(path))
                || crate::paths::in_project_template(path)
            {
                continue;
            }
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
            // NuGet names the lockfile for its project where several share a directory.
            let project_lock = lockfiles::is_dotnet_project(name)
                .then(|| lockfiles::nuget_lockfile_names(name)[1].clone());
            let mut locks_here: Vec<&str> = locks.to_vec();
            locks_here.extend(project_lock.as_deref());
            match nearest(files, dir, &locks_here, lock_beside(name)) {
                None if builds_own_sbom(cx, out, files, dir, name, &text)? => {
                    out.add("manifests whose build writes a CycloneDX SBOM", 1);
                }
                // The projects of one Gradle build or .NET tree are locked together (one
                // convention plugin, root script or Directory.Build.props turns locking on for
                // all): said once, after the walk. A project that turns NuGet's lockfile off
                // is told so on its own.
                None if name.starts_with("build.gradle")
                    || (lockfiles::is_dotnet_project(name)
                        && !text.contains("<RestorePackagesWithLockFile>false")) =>
                {
                    unlocked.push(path.clone());
                }
                None => out.finding(
                    cx.finding(missing_lock_message(path, name, locks, &text), location)
                        .identity(format!("no-lockfile:{path}"))
                        .help(lock_help(name))
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
                            .help(if lock.ends_with(lockfiles::BUN_BINARY_LOCKFILE) {
                                "run `bun install --save-text-lockfile`, commit the bun.lock it writes and delete bun.lockb"
                            } else {
                                "regenerate the lockfile with its package manager"
                            })
                            .build(),
                        );
                    }
                }
            }
        }
        report_unlocked(cx, out, files, &unlocked);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pom_declares_what_it_depends_on_not_what_it_manages() {
        let own = "<project><dependencies><dependency><artifactId>a</artifactId></dependency></dependencies></project>";
        assert!(maven_declares_dependencies(own));
        let managed = "<project><dependencyManagement><dependencies><dependency><artifactId>a</artifactId>\
</dependency></dependencies></dependencyManagement><build><plugins><plugin><dependencies><dependency>\
</dependency></dependencies></plugin></plugins></build></project>";
        assert!(!maven_declares_dependencies(managed));
        assert!(!maven_declares_dependencies(
            "<!-- <dependency> --><project/>"
        ));
        let managed_plugin = "<build><pluginManagement><plugins><plugin>\
<artifactId>cyclonedx-maven-plugin</artifactId></plugin></plugins></pluginManagement></build>";
        assert!(!applies_cyclonedx(true, managed_plugin));
        assert!(!applies_cyclonedx(true, "<!-- cyclonedx-maven-plugin -->"));
        assert!(applies_cyclonedx(
            true,
            "<build><plugins><plugin><artifactId>cyclonedx-maven-plugin</artifactId></plugin></plugins></build>"
        ));
        assert!(applies_cyclonedx(
            false,
            "plugins {\n  alias(libs.plugins.cyclonedx)\n}"
        ));
        assert!(applies_cyclonedx(
            false,
            "plugins {\n  id(\"org.cyclonedx.bom\") version \"3.2.0\"\n}"
        ));
        assert!(!applies_cyclonedx(
            false,
            "plugins {\n  // id 'org.cyclonedx.bom'\n}"
        ));
    }

    #[test]
    fn a_gradle_script_declares_modules_not_projects_or_plugins() {
        assert!(gradle_declares_dependencies(
            "dependencies {\n  implementation 'g:a:1'\n}"
        ));
        assert!(gradle_declares_dependencies(
            "dependencies {\n  api(libs.jackson)\n}"
        ));
        assert!(gradle_declares_dependencies(
            "dependencies {\n  runtimeOnly(\"g:a:1\")\n}"
        ));
        assert!(!gradle_declares_dependencies(
            "plugins {\n  id 'java'\n}\nimplementationClass = 'x'"
        ));
        assert!(!gradle_declares_dependencies(
            "dependencies {\n  implementation(project(\":core\"))\n}"
        ));
        for declares in [
            "dependencies {\n  implementation group: 'g', name: 'a', version: '1'\n}",
            "dependencies {\n  implementation platform('g:bom:1')\n}",
            "dependencies {\n  debugImplementation(libs.leak)\n}",
            "dependencies {\n  ksp(libs.room)\n}",
        ] {
            assert!(gradle_declares_dependencies(declares), "{declares}");
        }
        for declares_none in [
            "dependencies {\n  implementation(projects.core)\n}",
            "dependencies {\n  testImplementation 'g:a:1'\n  androidTestImplementation(libs.x)\n}",
            "configurations {\n  implementation.extendsFrom(x)\n  api { }\n}",
            "dependencies {\n  implementation files('libs/a.jar')\n}",
        ] {
            assert!(
                !gradle_declares_dependencies(declares_none),
                "{declares_none}"
            );
        }
    }
}
