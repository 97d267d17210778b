use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use harden_engine::{Gate, GateCx, GateError, GateOutput};

use crate::classify::FileClass;
use harden_formats::lockfiles::{self, Dependency, Problem, Requirement};

use harden_model::{
    GateId, GateMeta, Items, Location, ProfileLevel, Round, Severity, Span, Target,
};

/// `R4.lockfiles`: every manifest has a lockfile, and they agree.
pub(crate) struct Lockfiles;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R4.lockfiles"),
    round: Round::R4,
    title: "Every manifest has a lockfile in sync with it",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Prototype,
    rationale: "Without a lockfile, every build resolves dependencies anew: two builds of one \
commit can ship different code, and a malicious release is picked up the moment it is published. \
A lockfile out of sync with its manifest is no better: the CI install either fails late or \
silently resolves again. This gate finds Cargo (workspaces, renamed and path dependencies), npm \
(package-lock v1-v3; pnpm and yarn lockfiles by name; Bun's bun.lock against what it recorded of \
each workspace's manifest; Bun's binary bun.lockb counts as a lockfile but is left unread, noted in \
the evidence), Python (requirements files pinned with \
`==`; pyproject and Pipfile projects need uv.lock, poetry.lock, pdm.lock or Pipfile.lock) and Go \
(go.mod against go.sum) manifests and fails a missing lockfile, a dependency the lockfile does not \
record, and a locked version that does not satisfy the manifest's requirement, pointing at both. \
Composer (composer.json and composer.lock) and Bundler (Gemfile and Gemfile.lock) projects need \
their lockfile beside the manifest and every package they ask for in it; a .NET project with a \
packages.lock.json must find every package it references there (versions are not evaluated for \
these three). Fix: regenerate the lockfile (`cargo update -p`, `npm install`, `uv lock`, `go mod \
tidy`, `composer update --lock`, `bundle lock`, `dotnet restore --force-evaluate`) and commit it.",
    evidence: &["manifests", "lockfiles", "locked packages"],
    options: &[],
    items: Some(Items {
        name: "package manifests (Cargo.toml, package.json, requirements*.txt, pyproject.toml, Pipfile, go.mod, composer.json, Gemfile, *.csproj, *.fsproj, *.vbproj)",
        globs: &[
            "**/Cargo.toml",
            "**/package.json",
            "**/requirements*.txt",
            "**/pyproject.toml",
            "**/Pipfile",
            "**/go.mod",
            "**/composer.json",
            "**/Gemfile",
            "**/gems.rb",
            "**/*.csproj",
            "**/*.fsproj",
            "**/*.vbproj",
        ],
    }),
};

const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "vendor",
    "target",
    ".venv",
    "venv",
    "dist",
    "build",
];

/// Whether one of the directories `path` lies in is one of [`SKIPPED_DIRS`].
fn in_skipped_dir(path: &str) -> bool {
    dir_of(path)
        .split('/')
        .any(|dir| SKIPPED_DIRS.contains(&dir))
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// The nearest directory at or above `dir` holding one of `names`.
fn nearest<'a>(files: &[String], dir: &str, names: &[&'a str]) -> Option<(String, &'a str)> {
    let mut current = dir.to_owned();
    loop {
        for name in names {
            let candidate = join(&current, name);
            if files.binary_search(&candidate).is_ok() {
                return Some((candidate, *name));
            }
        }
        if current.is_empty() {
            return None;
        }
        current = dir_of(&current).to_owned();
    }
}

fn file_location(path: &str, span: Span) -> Location {
    Location::File {
        path: path.to_owned(),
        span: Some(span),
        snippet: None,
        logical: None,
    }
}

/// Member globs of a workspace root.
struct Workspace {
    include: globset::GlobSet,
    exclude: globset::GlobSet,
}

impl Workspace {
    fn new(globs: &[String]) -> Self {
        let mut include = globset::GlobSetBuilder::new();
        let mut exclude = globset::GlobSetBuilder::new();
        for glob in globs {
            let (set, pattern) = match glob.strip_prefix('!') {
                Some(pattern) => (&mut exclude, pattern),
                None => (&mut include, glob.as_str()),
            };
            let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
            // A glob the package manager would reject names no member; it is left out.
            if let Ok(glob) = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
            {
                set.add(glob);
            }
        }
        Self {
            include: include
                .build()
                .unwrap_or_else(|_| globset::GlobSet::empty()),
            exclude: exclude
                .build()
                .unwrap_or_else(|_| globset::GlobSet::empty()),
        }
    }

    fn is_match(&self, relative: &str) -> bool {
        self.include.is_match(relative) && !self.exclude.is_match(relative)
    }
}

/// A Composer, NuGet or Bundler lockfile as the presence check reads it: its packages, and the
/// names it satisfies without a package of their own (Composer's provide and replace, gems of
/// other platforms).
struct ParsedLock {
    locked: Result<Vec<Dependency>, Box<Problem>>,
    /// Every name it answers for, in lower case: its packages' and the others.
    names: std::collections::HashSet<String>,
    /// Its packages' names alone, in lower case.
    packages: std::collections::HashSet<String>,
}

impl ParsedLock {
    fn new<'n>(
        locked: Result<Vec<Dependency>, Box<Problem>>,
        also_named: impl IntoIterator<Item = &'n str>,
    ) -> Self {
        let packages: std::collections::HashSet<String> = locked
            .iter()
            .flatten()
            .map(|d| d.name.to_ascii_lowercase())
            .collect();
        let mut names = packages.clone();
        names.extend(also_named.into_iter().map(str::to_ascii_lowercase));
        Self {
            locked,
            names,
            packages,
        }
    }
}

struct Run<'a, 'c> {
    cx: &'a GateCx<'c>,
    files: Vec<String>,
    inventory: Vec<Dependency>,
    not_examined: crate::support::NotExamined,
}

impl Run<'_, '_> {
    /// The text of `path`, or `None` (recorded as not examined) when it is too large to
    /// parse within harden's memory bound.
    fn read(&self, path: &str) -> Result<Option<String>, GateError> {
        let bytes = crate::support::read_parsed(self.cx, &self.not_examined, path)?;
        Ok(bytes.map(|b| harden_engine::lossy_text(&b).into_owned()))
    }

    fn report(&self, out: &mut GateOutput, problem: Problem) {
        let cx = self.cx;
        let finding = match problem {
            Problem::MissingLockfile { manifest, expected } => cx
                .finding(format!("{manifest} has dependencies but no lockfile ({expected})"), file_location(&manifest, Span::default()))
                .identity(format!("missing:{manifest}"))
                .help("generate the lockfile and commit it"),
            Problem::NotLocked { requirement, lockfile } => cx
                .finding(format!("{} ({}) is not recorded in {lockfile}", requirement.name, if requirement.requirement.is_empty() { "any version".to_owned() } else { crate::support::shown_text(&requirement.requirement) }), file_location(&requirement.path, requirement.span))
                .related(file_location(&lockfile, Span::default()))
                .identity(format!("not-locked:{}:{}", requirement.path, requirement.name))
                .help("regenerate the lockfile so it records every dependency of the manifest"),
            Problem::Mismatch { requirement, locked } => cx
                .finding(
                    format!("{} requires {} but {} locks {}", requirement.name, crate::support::shown_text(&requirement.requirement), locked.path, locked.version),
                    file_location(&requirement.path, requirement.span),
                )
                .related(file_location(&locked.path, locked.span))
                .identity(format!("mismatch:{}:{}:{}:{}", requirement.path, requirement.name, requirement.requirement, locked.version))
                .help("update the lockfile (or the requirement) so they agree"),
            Problem::Unpinned { path, span, line } => cx
                .finding(format!("`{line}` does not pin an exact version (use ==, ideally with --hash)"), file_location(&path, span))
                .identity(format!("unpinned:{path}:{line}"))
                .help("pin with `==` and generate hashes (`uv pip compile --generate-hashes`, `pip-compile --generate-hashes`)"),
            Problem::Unparsable { path, span, message } => cx
                .finding(format!("{path} cannot be read: {message}"), file_location(&path, span))
                .identity(format!("unparsable:{path}")),
        };
        out.finding(finding.build());
    }

    fn cargo(&mut self, out: &mut GateOutput) -> Result<(), GateError> {
        let manifests: Vec<String> = self
            .files
            .iter()
            .filter(|f| f.ends_with("Cargo.toml"))
            .cloned()
            .collect();
        let mut workspaces: BTreeMap<String, BTreeMap<String, Requirement>> = BTreeMap::new();
        let mut texts = BTreeMap::new();
        for manifest in &manifests {
            let Some(text) = self.read(manifest)? else {
                continue;
            };
            let (deps, members) = lockfiles::cargo_workspace(manifest, &text);
            if !deps.is_empty() || !members.is_empty() || text.contains("[workspace]") {
                workspaces.insert(dir_of(manifest).to_owned(), deps);
            }
            texts.insert(manifest.clone(), text);
        }
        let mut locks: BTreeMap<String, Vec<Dependency>> = BTreeMap::new();
        for manifest in &manifests {
            out.examined("manifests", 1);
            let Some(text) = texts.get(manifest) else {
                continue;
            };
            let workspace = {
                let mut dir = dir_of(manifest).to_owned();
                loop {
                    if let Some(deps) = workspaces.get(&dir) {
                        break deps.clone();
                    }
                    if dir.is_empty() {
                        break BTreeMap::new();
                    }
                    dir = dir_of(&dir).to_owned();
                }
            };
            let requirements = match lockfiles::cargo_requirements(manifest, text, &workspace) {
                Ok(r) => r,
                Err(problem) => {
                    self.report(out, *problem);
                    continue;
                }
            };
            if requirements.is_empty() {
                continue;
            }
            // A workspace member uses the workspace's lockfile; a stray one in its directory is
            // ignored by cargo.
            let mut start = dir_of(manifest).to_owned();
            let mut probe = start.clone();
            loop {
                if workspaces.contains_key(&probe) {
                    start.clone_from(&probe);
                    break;
                }
                if probe.is_empty() {
                    break;
                }
                probe = dir_of(&probe).to_owned();
            }
            let Some((lockfile, _)) = nearest(&self.files, &start, &["Cargo.lock"]) else {
                self.report(
                    out,
                    Problem::MissingLockfile {
                        manifest: manifest.clone(),
                        expected: "Cargo.lock",
                    },
                );
                continue;
            };
            if !locks.contains_key(&lockfile) {
                let Some(text) = self.read(&lockfile)? else {
                    continue;
                };
                match lockfiles::cargo_lock(&lockfile, &text) {
                    Ok(locked) => {
                        out.examined("lockfiles", 1);
                        locks.insert(lockfile.clone(), locked);
                    }
                    Err(problem) => {
                        self.report(out, *problem);
                        locks.insert(lockfile.clone(), Vec::new());
                        continue;
                    }
                }
            }
            let locked = locks
                .get_mut(&lockfile)
                .map(std::mem::take)
                .unwrap_or_default();
            let mut locked = locked;
            for problem in lockfiles::check_cargo(&requirements, &mut locked, &lockfile) {
                self.report(out, problem);
            }
            locks.insert(lockfile, locked);
        }
        self.inventory.extend(locks.into_values().flatten());
        Ok(())
    }

    fn npm(&mut self, out: &mut GateOutput) -> Result<(), GateError> {
        let manifests: Vec<String> = self
            .files
            .iter()
            .filter(|f| f.ends_with("package.json"))
            .cloned()
            .collect();
        for manifest in manifests {
            out.examined("manifests", 1);
            let Some(text) = self.read(&manifest)? else {
                continue;
            };
            let requirements = match lockfiles::npm_requirements(&manifest, &text) {
                Ok(r) => r,
                Err(problem) => {
                    self.report(out, *problem);
                    continue;
                }
            };
            if requirements.is_empty() {
                continue;
            }
            let Some((lockfile, kind, root)) = self.npm_lockfile(&manifest)? else {
                self.report(
                    out,
                    Problem::MissingLockfile {
                        manifest,
                        expected: "package-lock.json, pnpm-lock.yaml, yarn.lock or bun.lock",
                    },
                );
                continue;
            };
            if kind == lockfiles::BUN_BINARY_LOCKFILE {
                // The manifest is locked; whether in sync cannot be told from here.
                out.not_examined(&lockfile, lockfiles::BUN_BINARY_UNREAD);
                continue;
            }
            let overridden = match self.read(&join(&root, "package.json"))? {
                Some(root_manifest) => lockfiles::npm_overrides(&root_manifest),
                None => std::collections::BTreeSet::default(),
            };
            out.examined("lockfiles", 1);
            let Some(lock_text) = self.read(&lockfile)? else {
                continue;
            };
            if kind == "package-lock.json" || kind == "npm-shrinkwrap.json" {
                match &*crate::inventory::npm_lock(self.cx.cache(), &lockfile, &lock_text) {
                    Ok(lock) => {
                        let mut locked = lock.top_level().to_vec();
                        for problem in
                            lockfiles::check_npm(&requirements, &mut locked, &lockfile, &overridden)
                        {
                            self.report(out, problem);
                        }
                        self.inventory.extend(locked);
                    }
                    Err(problem) => self.report(out, (**problem).clone()),
                }
            } else {
                let problems = if kind == "yarn.lock" {
                    lockfiles::check_yarn(&requirements, &lock_text, &lockfile, &overridden)
                } else if kind == "bun.lock" {
                    // Bun records each workspace under its directory, the root as "".
                    let importer = dir_of(&manifest)
                        .strip_prefix(dir_of(&lockfile))
                        .map_or("", |r| r.trim_start_matches('/'));
                    match &*crate::inventory::bun_lock(self.cx.cache(), &lockfile, &lock_text) {
                        Ok(lock) => lockfiles::check_bun(
                            &requirements,
                            lock,
                            &lock_text,
                            importer,
                            &lockfile,
                        ),
                        Err(problem) => vec![(**problem).clone()],
                    }
                } else {
                    // The importer key is the manifest's directory relative to the lockfile's.
                    let lock_dir = dir_of(&lockfile);
                    let manifest_dir = dir_of(&manifest);
                    let importer = manifest_dir
                        .strip_prefix(lock_dir)
                        .map(|r| r.trim_start_matches('/'))
                        .filter(|r| !r.is_empty())
                        .unwrap_or(".");
                    lockfiles::check_pnpm(
                        &requirements,
                        &crate::support::yaml_documents(self.cx.cache(), &lockfile, &lock_text),
                        importer,
                        &lockfile,
                    )
                };
                for problem in problems {
                    self.report(out, problem);
                }
            }
        }
        Ok(())
    }

    /// The lockfile that governs an npm `manifest`, its kind and the directory it is in: the
    /// workspace root's when an ancestor declares the manifest's directory a member (npm and
    /// yarn `workspaces`, `pnpm-workspace.yaml`), else one beside the manifest. A lockfile of
    /// an unrelated project higher up does not count, nor a member's own stale lockfile (the
    /// package manager ignores it in a workspace).
    fn npm_lockfile(
        &self,
        manifest: &str,
    ) -> Result<Option<(String, &'static str, String)>, GateError> {
        const NAMES: [&str; 6] = [
            "package-lock.json",
            "npm-shrinkwrap.json",
            "pnpm-lock.yaml",
            "yarn.lock",
            "bun.lock",
            lockfiles::BUN_BINARY_LOCKFILE,
        ];
        let dir = dir_of(manifest);
        let mut ancestor = dir.to_owned();
        while !ancestor.is_empty() {
            dir_of(&ancestor.clone()).clone_into(&mut ancestor);
            let relative = if ancestor.is_empty() {
                dir
            } else {
                &dir[ancestor.len() + 1..]
            };
            if self.workspace_globs(&ancestor)?.is_match(relative) {
                let found = NAMES
                    .iter()
                    .map(|name| (join(&ancestor, name), *name))
                    .find(|(path, _)| self.files.binary_search(path).is_ok());
                return Ok(found.map(|(path, kind)| (path, kind, ancestor)));
            }
        }
        Ok(NAMES
            .iter()
            .map(|name| (join(dir, name), *name))
            .find(|(path, _)| self.files.binary_search(path).is_ok())
            .map(|(path, kind)| (path, kind, dir.to_owned())))
    }

    /// The uv.lock of the uv workspace whose root (an ancestor's pyproject.toml with
    /// `[tool.uv.workspace] members`) lists `dir`.
    fn uv_workspace_lock(&self, dir: &str) -> Result<Option<String>, GateError> {
        let mut ancestor = dir.to_owned();
        while !ancestor.is_empty() {
            dir_of(&ancestor.clone()).clone_into(&mut ancestor);
            let manifest = join(&ancestor, "pyproject.toml");
            let lock = join(&ancestor, "uv.lock");
            if self.files.binary_search(&manifest).is_err()
                || self.files.binary_search(&lock).is_err()
            {
                continue;
            }
            let Some(text) = self.read(&manifest)? else {
                continue;
            };
            let relative = if ancestor.is_empty() {
                dir
            } else {
                &dir[ancestor.len() + 1..]
            };
            if Workspace::new(&lockfiles::uv_workspace_members(&text)).is_match(relative) {
                return Ok(Some(lock));
            }
        }
        Ok(None)
    }

    /// The member globs a directory declares (package.json `workspaces`, pnpm-workspace.yaml
    /// `packages`); `!` globs exclude.
    fn workspace_globs(&self, dir: &str) -> Result<Workspace, GateError> {
        let mut globs = Vec::new();
        let manifest = join(dir, "package.json");
        if self.files.binary_search(&manifest).is_ok()
            && let Some(text) = self.read(&manifest)?
        {
            globs.extend(lockfiles::npm_workspaces(&text));
        }
        let pnpm = join(dir, "pnpm-workspace.yaml");
        if self.files.binary_search(&pnpm).is_ok()
            && let Some(text) = self.read(&pnpm)?
            && let Ok(documents) = harden_formats::yaml::parse(&text)
            && let Some(packages) = documents.first().and_then(|d| d.get("packages"))
        {
            globs.extend(
                packages
                    .items()
                    .iter()
                    .filter_map(harden_formats::yaml::Node::scalar_text),
            );
        }
        Ok(Workspace::new(&globs))
    }

    fn python_and_go(&mut self, out: &mut GateOutput) -> Result<(), GateError> {
        let files = self.files.clone();
        for path in &files {
            let name = path.rsplit('/').next().unwrap_or(path);
            let dir = dir_of(path);
            if name.starts_with("requirements")
                && std::path::Path::new(name)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
            {
                out.examined("manifests", 1);
                let Some(text) = self.read(path)? else {
                    continue;
                };
                let (pinned, problems) = lockfiles::requirements_txt(path, &text);
                for problem in problems {
                    self.report(out, problem);
                }
                self.inventory.extend(pinned);
            } else if name == "pyproject.toml" || name == "Pipfile" {
                let Some(text) = self.read(path)? else {
                    continue;
                };
                let declares = text.contains("dependencies") || text.contains("[packages]");
                if !declares {
                    continue;
                }
                out.examined("manifests", 1);
                let locks: &[&str] = if name == "Pipfile" {
                    &["Pipfile.lock"]
                } else {
                    &[
                        "uv.lock",
                        "poetry.lock",
                        "pdm.lock",
                        "requirements.txt",
                        "requirements.lock",
                    ]
                };
                let found = match locks
                    .iter()
                    .map(|l| join(dir, l))
                    .find(|l| files.binary_search(l).is_ok())
                {
                    Some(found) => Some(found),
                    // A uv workspace member is locked in the workspace root's uv.lock.
                    None if name == "pyproject.toml" => self.uv_workspace_lock(dir)?,
                    None => None,
                };
                if let Some(lockfile) = &found
                    && name == "pyproject.toml"
                    && ["uv.lock", "poetry.lock", "pdm.lock"]
                        .iter()
                        .any(|l| lockfile.ends_with(l))
                {
                    match lockfiles::pyproject_requirements(path, &text) {
                        Ok(requirements) => {
                            let Some(lock_text) = self.read(lockfile)? else {
                                continue;
                            };
                            let parsed =
                                crate::inventory::toml_lock(self.cx.cache(), lockfile, &lock_text);
                            let locked = parsed
                                .as_ref()
                                .as_ref()
                                .map_or(&[][..], |lock| &lock.names[..]);
                            for problem in lockfiles::check_python(&requirements, locked, lockfile)
                            {
                                self.report(out, problem);
                            }
                        }
                        Err(problem) => self.report(out, *problem),
                    }
                }
                if found.is_none() {
                    self.report(
                        out,
                        Problem::MissingLockfile {
                            manifest: path.clone(),
                            expected: if name == "Pipfile" {
                                "Pipfile.lock"
                            } else {
                                "uv.lock, poetry.lock or pdm.lock"
                            },
                        },
                    );
                }
            } else if name == "go.mod" {
                out.examined("manifests", 1);
                let Some(text) = self.read(path)? else {
                    continue;
                };
                let requirements = lockfiles::go_requirements(path, &text);
                if requirements.is_empty() {
                    continue;
                }
                let go_sum = join(dir, "go.sum");
                if files.binary_search(&go_sum).is_err() {
                    self.report(
                        out,
                        Problem::MissingLockfile {
                            manifest: path.clone(),
                            expected: "go.sum",
                        },
                    );
                    continue;
                }
                out.examined("lockfiles", 1);
                let Some(sums) = self.read(&go_sum)? else {
                    continue;
                };
                for problem in lockfiles::check_go(&requirements, &sums, &go_sum) {
                    self.report(out, problem);
                }
            }
        }
        Ok(())
    }
}

impl Run<'_, '_> {
    /// The lockfile at `path` (a composer.lock, packages.lock.json or Gemfile.lock, as `kind`
    /// says), read and parsed the first time it is asked for; `None` when it is too large.
    fn parsed_lock(
        &self,
        parsed: &mut HashMap<String, Option<Rc<ParsedLock>>>,
        path: &str,
        kind: &str,
    ) -> Result<Option<Rc<ParsedLock>>, GateError> {
        if let Some(known) = parsed.get(path) {
            return Ok(known.clone());
        }
        let lock = self.read(path)?.map(|text| {
            Rc::new(match kind {
                "composer.lock" => ParsedLock::new(
                    lockfiles::composer_lock(path, &text),
                    lockfiles::composer_provided(&text)
                        .iter()
                        .map(String::as_str),
                ),
                "packages.lock.json" => ParsedLock::new(lockfiles::nuget_lock(path, &text), []),
                _ => ParsedLock::new(
                    Ok(lockfiles::gemfile_lock(path, &text)),
                    // Gems of other platforms are asked for but have no spec here.
                    lockfiles::gemfile_lock_dependencies(&text),
                ),
            })
        });
        parsed.insert(path.to_owned(), lock.clone());
        Ok(lock)
    }

    /// Composer, Bundler and NuGet: a composer.json or Gemfile that asks for packages needs its
    /// lockfile beside it (both tools resolve anew without one); a .NET project that has a
    /// packages.lock.json (NuGet writes one only when asked) must find every package it
    /// references there. Requirements are checked for presence: harden does not evaluate
    /// Composer constraints or RubyGems requirements.
    fn composer_bundler_nuget(&mut self, out: &mut GateOutput) -> Result<(), GateError> {
        let files = self.files.clone();
        // Each lockfile read and parsed once: a root composer.lock answers for every package
        // of its path repositories, and a repository may hold thousands of them.
        let mut parsed: HashMap<String, Option<Rc<ParsedLock>>> = HashMap::new();
        for path in &files {
            let name = path.rsplit('/').next().unwrap_or(path);
            let dir = dir_of(path);
            // Names satisfied without a package of their own (Composer's provide and replace).
            let mut provided: Vec<String> = Vec::new();
            // A Composer package of a path repository is locked in the root's composer.lock.
            let mut package_name: Option<String> = None;
            let (requirements, lock, required) = match name {
                "composer.json" => {
                    let Some(text) = self.read(path)? else {
                        continue;
                    };
                    provided = lockfiles::composer_provided(&text);
                    package_name = lockfiles::composer_package_name(&text);
                    match lockfiles::composer_requirements(path, &text) {
                        Ok(requirements) => (requirements, "composer.lock", true),
                        Err(problem) => {
                            self.report(out, *problem);
                            continue;
                        }
                    }
                }
                "Gemfile" | "gems.rb" => {
                    let Some(text) = self.read(path)? else {
                        continue;
                    };
                    let lock = if name == "Gemfile" {
                        "Gemfile.lock"
                    } else {
                        "gems.locked"
                    };
                    (lockfiles::gemfile_requirements(path, &text), lock, true)
                }
                _ if lockfiles::is_dotnet_project(name) => {
                    let Some(text) = self.read(path)? else {
                        continue;
                    };
                    (
                        lockfiles::project_package_references(path, &text),
                        "packages.lock.json",
                        false,
                    )
                }
                _ => continue,
            };
            if requirements.is_empty() {
                continue;
            }
            out.examined("manifests", 1);
            let mut lockfile = join(dir, lock);
            if lock == "packages.lock.json" && files.binary_search(&lockfile).is_err() {
                // Where several projects share a directory, each lockfile is named for its
                // project.
                lockfile = join(dir, &lockfiles::nuget_lockfile_names(name)[1]);
            }
            let beside = files.binary_search(&lockfile).is_ok();
            if !beside
                && let Some(name) = &package_name
                && let Some((root_lock, _)) = nearest(&files, dir_of(dir), &["composer.lock"])
                && let Some(root) = self.parsed_lock(&mut parsed, &root_lock, "composer.lock")?
                && root.packages.contains(&name.to_ascii_lowercase())
            {
                lockfile = root_lock;
            }
            if files.binary_search(&lockfile).is_err() {
                if required {
                    self.report(
                        out,
                        Problem::MissingLockfile {
                            manifest: path.clone(),
                            expected: lock,
                        },
                    );
                }
                continue;
            }
            if beside {
                out.examined("lockfiles", 1);
            }
            let Some(lock_parsed) = self.parsed_lock(&mut parsed, &lockfile, lock)? else {
                continue;
            };
            match &lock_parsed.locked {
                Ok(locked) => {
                    let names = if provided.is_empty() {
                        std::borrow::Cow::Borrowed(&lock_parsed.names)
                    } else {
                        let mut names = lock_parsed.names.clone();
                        names.extend(provided.iter().map(|n| n.to_ascii_lowercase()));
                        std::borrow::Cow::Owned(names)
                    };
                    for problem in lockfiles::check_presence(&requirements, &names, &lockfile) {
                        self.report(out, problem);
                    }
                    if beside {
                        self.inventory.extend(locked.iter().cloned());
                    }
                }
                Err(problem) => self.report(out, (**problem).clone()),
            }
        }
        Ok(())
    }
}

impl Gate for Lockfiles {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let classified = crate::classify::classified(cx)?;
        let files = classified
            .iter()
            .filter(|class| !in_skipped_dir(&class.path));
        // Manifests of test fixtures, vendored and generated code are never installed from
        // this repository: counted, not judged.
        // Project templates (`runtime/template/pyproject.toml`) are copied into new projects,
        // which lock their own dependencies.
        let (files, elsewhere): (Vec<&FileClass>, Vec<&FileClass>) = files
            .partition(|class| class.deployed && !crate::paths::in_project_template(&class.path));
        let not_judged = elsewhere
            .iter()
            .filter(|class| {
                let name = class.path.rsplit('/').next().unwrap_or(&class.path);
                matches!(
                    name,
                    "Cargo.toml"
                        | "package.json"
                        | "pyproject.toml"
                        | "Pipfile"
                        | "go.mod"
                        | "composer.json"
                        | "Gemfile"
                        | "gems.rb"
                ) || lockfiles::is_dotnet_project(name)
                    || (name.starts_with("requirements")
                        && std::path::Path::new(name)
                            .extension()
                            .is_some_and(|e| e.eq_ignore_ascii_case("txt")))
            })
            .count();
        if not_judged > 0 {
            out.count(
                "manifests in tests, docs, templates, vendored or generated code (not judged)",
                not_judged as u64,
            );
        }
        let mut run = Run {
            cx,
            files: files.into_iter().map(|class| class.path.clone()).collect(),
            inventory: Vec::new(),
            not_examined: crate::support::NotExamined::default(),
        };
        run.cargo(out)?;
        run.npm(out)?;
        run.python_and_go(out)?;
        run.composer_bundler_nuget(out)?;
        run.not_examined.record(out);
        let mut by_ecosystem: BTreeMap<&str, u64> = BTreeMap::new();
        for dependency in &run.inventory {
            *by_ecosystem
                .entry(dependency.ecosystem.as_str())
                .or_default() += 1;
        }
        for (ecosystem, count) in by_ecosystem {
            out.count(&format!("locked packages ({ecosystem})"), count);
        }
        Ok(())
    }
}
