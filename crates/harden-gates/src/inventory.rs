//! The repository's locked packages: every lockfile the inventory reads, outside installed
//! packages, build output and test data. Shared by R4.vulns, R4.sbom and `harden sbom`.

mod maven;

use std::sync::Arc;

use harden_engine::{PortError, RepoView, RunCache};
use harden_formats::lockfiles::{self, Dependency, Problem};

/// Directories whose lockfiles are not the project's: installed packages, build output, and
/// test data that pins old versions on purpose.
pub const NOT_THE_PROJECT: &[&str] = &[
    "node_modules",
    "vendor",
    "target",
    ".venv",
    "venv",
    "dist",
    "build",
    "testdata",
    "fixtures",
    "__fixtures__",
];

/// What the lockfiles of a repository lock.
#[derive(Debug, Default)]
pub struct Inventory {
    /// Lockfiles read, in path order.
    pub lockfiles: Vec<String>,
    /// Every locked package, lockfile by lockfile.
    pub packages: Vec<Dependency>,
    /// Lockfiles that could not be parsed, with why.
    pub unreadable: Vec<(String, String)>,
    /// Maven POMs read: Maven records no lockfile, so what they declare is all there is.
    pub poms: Vec<String>,
    /// The direct dependencies the POMs declare with one version each (written there, managed
    /// there or in a parent POM of the repository, or set by a property of either): direct
    /// only, since what these pull in is only known by running Maven.
    pub declared: Vec<Dependency>,
    /// Declared dependencies whose version could not be told, with why (`g:a in path: ...`).
    pub unresolved: Vec<String>,
}

/// Whether `path` is a lockfile of the project (not one under installed packages or test data).
pub fn is_project_lockfile(path: &str) -> bool {
    lockfiles::is_lockfile(path) && !path.split('/').any(|part| NOT_THE_PROJECT.contains(&part))
}

/// The manifest beside a lockfile that does not say which of its packages are direct, and how
/// to read the names it asks for.
fn manifest_of(lockfile: &str) -> Option<(&'static str, ManifestKind)> {
    let name = lockfile.rsplit('/').next().unwrap_or(lockfile);
    Some(match name {
        "yarn.lock" | "package-lock.json" | "npm-shrinkwrap.json" => {
            ("package.json", ManifestKind::Npm)
        }
        "poetry.lock" | "pdm.lock" | "uv.lock" => ("pyproject.toml", ManifestKind::Python),
        "composer.lock" => ("composer.json", ManifestKind::Composer),
        _ => return None,
    })
}

#[derive(Clone, Copy)]
enum ManifestKind {
    Npm,
    Python,
    Composer,
}

/// Marks as direct the packages the manifest beside `lockfile` names, where the lockfile itself
/// does not record it (yarn.lock, package-lock v1, poetry.lock, pdm.lock, composer.lock). Every locked version
/// of a named package counts: a lockfile without importers does not say which one the root got.
fn mark_direct(
    repo: &dyn RepoView,
    lockfile: &str,
    packages: &mut [Dependency],
) -> Result<(), PortError> {
    if packages.iter().any(|p| p.direct) {
        return Ok(());
    }
    let Some((manifest, kind)) = manifest_of(lockfile) else {
        return Ok(());
    };
    let path = match lockfile.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{manifest}"),
        None => manifest.to_owned(),
    };
    if repo.files()?.binary_search(&path).is_err()
        || repo
            .size(&path)?
            .is_some_and(|size| size > crate::support::MAX_PARSED_BYTES)
    {
        return Ok(());
    }
    let text = harden_engine::lossy_text(&repo.read(&path)?).into_owned();
    let requirements = match kind {
        ManifestKind::Npm => lockfiles::npm_requirements(&path, &text),
        ManifestKind::Python => lockfiles::pyproject_requirements(&path, &text),
        ManifestKind::Composer => lockfiles::composer_requirements(&path, &text),
    }
    .unwrap_or_default();
    let key = |name: &str| match kind {
        ManifestKind::Npm => name.to_owned(),
        ManifestKind::Composer => name.to_ascii_lowercase(),
        ManifestKind::Python => harden_advisories::package_key("PyPI", name),
    };
    let named: std::collections::HashSet<String> =
        requirements.iter().map(|r| key(&r.name)).collect();
    for package in packages {
        package.direct = named.contains(&key(&package.name));
    }
    Ok(())
}

/// A package-lock.json or npm-shrinkwrap.json read once in this run for the lockfile gate
/// (its top level) and the inventory (every package).
pub(crate) fn npm_lock(
    cache: &RunCache,
    path: &str,
    text: &str,
) -> Arc<Result<lockfiles::NpmLock, Box<Problem>>> {
    cache.shared(&format!("npm-lock:{path}"), || {
        lockfiles::npm_lock_parsed(path, text)
    })
}

/// A bun.lock read once in this run for the lockfile gate (each workspace's recorded
/// requirements) and the inventory (its pinned packages).
pub(crate) fn bun_lock(
    cache: &RunCache,
    path: &str,
    text: &str,
) -> Arc<Result<lockfiles::BunLock, Box<Problem>>> {
    cache.shared(&format!("bun-lock:{path}"), || {
        lockfiles::bun_lock_parsed(path, text)
    })
}

/// A uv.lock, poetry.lock or pdm.lock read once in this run for the lockfile gate (its package
/// names) and the inventory (its pinned packages).
pub(crate) fn toml_lock(
    cache: &RunCache,
    path: &str,
    text: &str,
) -> Arc<Result<lockfiles::TomlLock, Box<Problem>>> {
    cache.shared(&format!("toml-lock:{path}"), || {
        lockfiles::toml_lock_parsed(path, text)
    })
}

/// The inventory of the repository a gate runs on, collected once in the run for every gate
/// that needs it (R4.vulns, R4.sbom).
pub(crate) fn shared(
    cx: &harden_engine::GateCx<'_>,
) -> Result<Arc<Inventory>, harden_engine::GateError> {
    let inventory = cx.shared("inventory", || collect(cx.repo(), cx.cache()).map(Arc::new));
    match &*inventory {
        Ok(inventory) => Ok(Arc::clone(inventory)),
        Err(e) => Err(e.clone().into()),
    }
}

/// Reads every project lockfile of `repo`, sharing parses through `cache` (a lockfile the
/// lockfile gate parsed in the same run is not parsed again).
pub fn collect(repo: &dyn RepoView, cache: &RunCache) -> Result<Inventory, PortError> {
    let mut inventory = Inventory::default();
    let limit = crate::support::MAX_PARSED_BYTES;
    for path in repo.files()?.iter().filter(|p| is_project_lockfile(p)) {
        // A parsed lockfile costs several times its text: past the bound it is not read.
        if let Some(size) = repo.size(path)?
            && size > limit
        {
            inventory.unreadable.push((
                path.clone(),
                format!(
                    "{} MiB, more than the {} MiB harden parses whole",
                    size >> 20,
                    limit >> 20
                ),
            ));
            continue;
        }
        let bytes = cache.read(repo, path)?;
        let text = harden_engine::lossy_text(&bytes);
        let name = path.rsplit('/').next().unwrap_or(path);
        let packages = if name == "package-lock.json" || name == "npm-shrinkwrap.json" {
            Some(match &*npm_lock(cache, path, &text) {
                Ok(lock) => Ok(lock.packages.clone()),
                Err(problem) => Err(problem.clone()),
            })
        } else if matches!(name, "uv.lock" | "poetry.lock" | "pdm.lock") {
            Some(match &*toml_lock(cache, path, &text) {
                Ok(lock) => Ok(lock.packages.clone()),
                Err(problem) => Err(problem.clone()),
            })
        } else if name == "bun.lock" {
            Some(match &*bun_lock(cache, path, &text) {
                Ok(lock) => Ok(lock.packages.clone()),
                Err(problem) => Err(problem.clone()),
            })
        } else if path.ends_with("pnpm-lock.yaml") {
            Some(lockfiles::pnpm_lock(
                path,
                &crate::support::yaml_documents(cache, path, &text),
            ))
        } else {
            lockfiles::locked_packages(path, &text)
        };
        match packages {
            Some(Ok(mut packages)) => {
                mark_direct(repo, path, &mut packages)?;
                inventory.lockfiles.push(path.clone());
                inventory.packages.extend(packages);
            }
            Some(Err(problem)) => {
                let message = match *problem {
                    Problem::Unparsable { message, span, .. } => {
                        format!("{}:{}: {message}", span.start.line, span.start.column)
                    }
                    _ => "not readable".into(),
                };
                inventory.unreadable.push((path.clone(), message));
            }
            None => {}
        }
    }
    // Bun's binary lockfile pins packages harden cannot list; one beside a text bun.lock, or
    // under a workspace root that has one, is a leftover Bun no longer reads.
    let files = repo.files()?;
    for path in files.iter().filter(|p| {
        p.rsplit('/').next() == Some(lockfiles::BUN_BINARY_LOCKFILE)
            && !p.split('/').any(|part| NOT_THE_PROJECT.contains(&part))
    }) {
        let mut dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let superseded = loop {
            let text_lock = if dir.is_empty() {
                "bun.lock".to_owned()
            } else {
                format!("{dir}/bun.lock")
            };
            if files.binary_search(&text_lock).is_ok() {
                break true;
            }
            if dir.is_empty() {
                break false;
            }
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        };
        if !superseded {
            inventory
                .unreadable
                .push((path.clone(), lockfiles::BUN_BINARY_UNREAD.to_owned()));
        }
    }
    maven::read(repo, cache, &mut inventory)?;
    Ok(inventory)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> harden_repo::MemoryTree {
        harden_repo::MemoryTree::new(
            "repo",
            files
                .iter()
                .map(|(p, t)| ((*p).to_owned(), t.as_bytes().to_vec())),
        )
    }

    /// yarn.lock and poetry.lock do not say which packages are direct: the manifest beside them
    /// does. Test data and installed packages are not the project's.
    #[test]
    fn direct_packages_come_from_the_manifest_beside_a_lockfile_that_does_not_say() {
        let repo = tree(&[
            (
                "web/package.json",
                "{\"dependencies\": {\"left-pad\": \"^1.3.0\"}}",
            ),
            (
                "web/yarn.lock",
                "left-pad@^1.3.0:\n  version \"1.3.0\"\n\nother@^2.0.0:\n  version \"2.0.1\"\n",
            ),
            (
                "ml/pyproject.toml",
                "[tool.poetry.dependencies]\npython = \"^3.11\"\nDemo_Tensors = \"^1.0\"\n",
            ),
            (
                "ml/poetry.lock",
                "[[package]]\nname = \"demo-tensors\"\nversion = \"1.0\"\n\n[[package]]\nname = \"idna\"\nversion = \"3.6\"\n",
            ),
            (
                "tests/fixtures/yarn.lock",
                "x@^1.0.0:\n  version \"1.0.0\"\n",
            ),
        ]);
        let inventory = collect(&repo, &RunCache::default()).unwrap();
        assert_eq!(inventory.lockfiles, ["ml/poetry.lock", "web/yarn.lock"]);
        let direct: Vec<(&str, bool)> = inventory
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.direct))
            .collect();
        assert_eq!(
            direct,
            [
                ("demo-tensors", true),
                ("idna", false),
                ("left-pad", true),
                ("other", false)
            ]
        );
    }

    /// A POM's direct dependencies with the version it writes, manages, or sets by a property,
    /// here or in a parent POM of the repository; the project's own modules are not packages;
    /// what cannot be told is listed, not guessed.
    #[test]
    fn maven_poms_declare_direct_dependencies_resolved_through_their_parents() {
        let parent = r"<project>
  <groupId>org.acme</groupId><artifactId>acme</artifactId><version>3.0.0</version>
  <properties><jackson.version>2.15.2</jackson.version><netty>4.1.94.Final</netty></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>io.netty</groupId><artifactId>netty-all</artifactId><version>${netty}</version></dependency>
    <dependency><groupId>org.acme</groupId><artifactId>acme-bom</artifactId><version>${project.version}</version><type>pom</type><scope>import</scope></dependency>
  </dependencies></dependencyManagement>
</project>";
        let bom = r"<project>
  <groupId>org.acme</groupId><artifactId>acme-bom</artifactId><version>3.0.0</version>
  <properties><spring.version>6.1.3</spring.version></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>org.springframework</groupId><artifactId>spring-core</artifactId><version>${spring.version}</version></dependency>
  </dependencies></dependencyManagement>
</project>";
        let child = r"<project>
  <parent><groupId>org.acme</groupId><artifactId>acme</artifactId><version>3.0.0</version></parent>
  <artifactId>billing</artifactId>
  <dependencies>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>${jackson.version}</version></dependency>
    <dependency><groupId>io.netty</groupId><artifactId>netty-all</artifactId></dependency>
    <dependency><groupId>org.acme</groupId><artifactId>ledger</artifactId><version>${project.version}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>[1.7,2.0)</version></dependency>
    <dependency><groupId>org.x</groupId><artifactId>y</artifactId><version>${env.Y_VERSION}</version></dependency>
    <dependency><groupId>org.springframework</groupId><artifactId>spring-core</artifactId></dependency>
    <dependency><groupId>org.yaml</groupId><artifactId>snakeyaml</artifactId></dependency>
  </dependencies>
</project>";
        let sibling = r"<project>
  <parent><groupId>org.acme</groupId><artifactId>acme</artifactId><version>3.0.0</version><relativePath>../pom.xml</relativePath></parent>
  <artifactId>ledger</artifactId>
</project>";
        let repo = tree(&[
            ("pom.xml", parent),
            ("bom/pom.xml", bom),
            ("billing/pom.xml", child),
            ("ledger/pom.xml", sibling),
            ("broken/pom.xml", "<project><dependencies>"),
            (
                "src/test/resources/fixtures/pom.xml",
                "<project><artifactId>t</artifactId></project>",
            ),
        ]);
        let inventory = collect(&repo, &RunCache::default()).unwrap();
        assert_eq!(
            inventory.poms,
            [
                "billing/pom.xml",
                "bom/pom.xml",
                "ledger/pom.xml",
                "pom.xml"
            ]
        );
        let declared: Vec<(&str, &str, bool, u32)> = inventory
            .declared
            .iter()
            .map(|d| {
                (
                    d.name.as_str(),
                    d.version.as_str(),
                    d.direct,
                    d.span.start.line,
                )
            })
            .collect();
        assert_eq!(
            declared,
            [
                (
                    "com.fasterxml.jackson.core:jackson-databind",
                    "2.15.2",
                    true,
                    5
                ),
                ("io.netty:netty-all", "4.1.94.Final", true, 6),
                ("org.springframework:spring-core", "6.1.3", true, 10)
            ]
        );
        assert!(
            inventory
                .declared
                .iter()
                .all(|d| d.ecosystem == lockfiles::Ecosystem::Maven
                    && d.path == "billing/pom.xml"
                    && d.from_registry())
        );
        assert_eq!(inventory.unresolved.len(), 3, "{:?}", inventory.unresolved);
        assert!(inventory.unresolved[0].contains("version [1.7,2.0): not one version"));
        assert!(inventory.unresolved[1].contains("${env.Y_VERSION}"));
        assert!(inventory.unresolved[2].contains("snakeyaml in billing/pom.xml: no version"));
        assert_eq!(inventory.unreadable.len(), 1);
        assert_eq!(inventory.unreadable[0].0, "broken/pom.xml");
        assert!(inventory.packages.is_empty() && inventory.lockfiles.is_empty());
    }

    /// Bun's binary lockfile is named as unread, with why, unless the text bun.lock Bun reads
    /// instead sits beside it; one in test data is not the project's.
    #[test]
    fn a_bun_binary_lockfile_is_unread_unless_its_text_successor_is_beside_it() {
        let repo = tree(&[
            (
                "worker/package.json",
                "{\"dependencies\": {\"hono\": \"^4\"}}",
            ),
            ("worker/bun.lockb", "bun-lockfile-format-v0\n\0\0"),
            ("site/bun.lockb", "bun-lockfile-format-v0\n\0\0"),
            (
                "site/bun.lock",
                "{\"lockfileVersion\": 1, \"workspaces\": {\"\": {}}, \"packages\": {}}",
            ),
            ("testdata/old/bun.lockb", "\0"),
            // A workspace member's leftover under a root that moved to the text lockfile.
            ("site/packages/ui/bun.lockb", "\0"),
        ]);
        let inventory = collect(&repo, &RunCache::default()).unwrap();
        assert_eq!(
            inventory.unreadable,
            [(
                "worker/bun.lockb".to_owned(),
                lockfiles::BUN_BINARY_UNREAD.to_owned()
            )]
        );
        assert_eq!(inventory.lockfiles, ["site/bun.lock"]);
    }

    /// Parents that point at each other, or out of the repository, end the chain.
    #[test]
    fn a_cycle_of_parent_poms_ends() {
        let to_b = "<project><parent><relativePath>../b</relativePath></parent><artifactId>a</artifactId>
  <dependencies><dependency><groupId>g</groupId><artifactId>x</artifactId><version>${v}</version></dependency></dependencies></project>";
        let to_a = "<project><parent><relativePath>../a/pom.xml</relativePath></parent><artifactId>b</artifactId></project>";
        let outside = "<project><parent><relativePath>../../../pom.xml</relativePath></parent><artifactId>c</artifactId>
  <dependencies><dependency><groupId>g</groupId><artifactId>z</artifactId><version>1.0</version></dependency></dependencies></project>";
        // Two BOMs that import each other.
        let import = |own: &str, other: &str| {
            format!(
                "<project><groupId>g</groupId><artifactId>{own}</artifactId>
  <dependencyManagement><dependencies><dependency><groupId>g</groupId><artifactId>{other}</artifactId><version>1</version><scope>import</scope></dependency></dependencies></dependencyManagement>
  <dependencies><dependency><groupId>g</groupId><artifactId>w</artifactId></dependency></dependencies></project>"
            )
        };
        let (to_e, to_d) = (import("d", "e"), import("e", "d"));
        let repo = tree(&[
            ("a/pom.xml", to_b),
            ("b/pom.xml", to_a),
            ("c/pom.xml", outside),
            ("d/pom.xml", &to_e),
            ("e/pom.xml", &to_d),
        ]);
        let inventory = collect(&repo, &RunCache::default()).unwrap();
        assert_eq!(inventory.unresolved.len(), 3, "{:?}", inventory.unresolved);
        assert_eq!(inventory.declared.len(), 1);
        assert_eq!(inventory.declared[0].name, "g:z");
    }

    /// Maven's model where it differs from a plain lookup: a parent at `../pom.xml` with other
    /// coordinates is not the parent (an aggregator above a Spring Boot module); a child's
    /// property decides the version of a dependency it inherits; management matches type and
    /// classifier; a repository module at another version than the one asked for is a package.
    #[test]
    fn maven_inheritance_follows_the_model() {
        let aggregator = r"<project><groupId>com.acme</groupId><artifactId>agg</artifactId><version>1</version>
  <properties><jackson.version>2.9.0</jackson.version></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>${jackson.version}</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>${log4j.version}</version></dependency>
  </dependencies>
  <properties><log4j.version>2.17.1</log4j.version></properties>
</project>";
        let boot = r"<project>
  <parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>3.2.0</version></parent>
  <artifactId>boot-app</artifactId>
  <dependencies>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId></dependency>
  </dependencies>
</project>";
        let child = r"<project>
  <parent><groupId>com.acme</groupId><artifactId>agg</artifactId><version>1</version><relativePath>..</relativePath></parent>
  <artifactId>legacy</artifactId>
  <properties><log4j.version>2.14.1</log4j.version></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>g</groupId><artifactId>t</artifactId><version>9.9</version><type>test-jar</type></dependency>
    <dependency><groupId>g</groupId><artifactId>t</artifactId><version>1.1</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>g</groupId><artifactId>t</artifactId></dependency>
    <dependency><groupId>com.acme</groupId><artifactId>agg</artifactId><version>0.5</version></dependency>
    <dependency><groupId>com.acme</groupId><artifactId>agg</artifactId><version>${project.parent.version}</version><type>pom</type></dependency>
  </dependencies>
</project>";
        let repo = tree(&[
            ("pom.xml", aggregator),
            ("boot/pom.xml", boot),
            ("legacy/pom.xml", child),
        ]);
        let inventory = collect(&repo, &RunCache::default()).unwrap();
        let declared: Vec<(&str, &str, &str)> = inventory
            .declared
            .iter()
            .map(|d| (d.path.as_str(), d.name.as_str(), d.version.as_str()))
            .collect();
        assert_eq!(
            declared,
            [
                ("legacy/pom.xml", "g:t", "1.1"),
                ("legacy/pom.xml", "com.acme:agg", "0.5"),
                ("pom.xml", "org.apache.logging.log4j:log4j-core", "2.14.1"),
                ("pom.xml", "org.apache.logging.log4j:log4j-core", "2.17.1"),
            ]
        );
        assert_eq!(
            inventory.unresolved,
            [
                "com.fasterxml.jackson.core:jackson-databind in boot/pom.xml: no version here, in a parent POM or in a BOM of the repository"
            ]
        );
    }

    /// A long chain of BOMs importing each other, and a POM of many dependencies each looked up
    /// in long management: bounded by depth and budget, and finished.
    #[test]
    fn hostile_maven_repositories_finish() {
        let mut files: Vec<(String, String)> = (0..2_000)
            .map(|n| {
                (
                    format!("b{n}/pom.xml"),
                    format!(
                        "<project><groupId>g</groupId><artifactId>b{n}</artifactId><version>1</version>
  <dependencyManagement><dependencies><dependency><groupId>g</groupId><artifactId>b{}</artifactId><version>1</version><scope>import</scope></dependency></dependencies></dependencyManagement>
  <dependencies><dependency><groupId>x</groupId><artifactId>y</artifactId></dependency></dependencies></project>",
                        n + 1
                    ),
                )
            })
            .collect();
        let many = (0..3_000)
            .map(|n| {
                format!(
                    "<dependency><groupId>g</groupId><artifactId>a{n}</artifactId></dependency>"
                )
            })
            .collect::<Vec<_>>()
            .concat();
        let managed = (0..3_000)
            .map(|n| format!("<dependency><groupId>h</groupId><artifactId>m{n}</artifactId><version>1</version></dependency>"))
            .collect::<Vec<_>>()
            .concat();
        files.push((
            "big/pom.xml".into(),
            format!("<project><artifactId>big</artifactId><dependencyManagement><dependencies>{managed}</dependencies></dependencyManagement><dependencies>{many}</dependencies></project>"),
        ));
        let repo = harden_repo::MemoryTree::new(
            "repo",
            files.into_iter().map(|(p, t)| (p, t.into_bytes())),
        );
        let inventory = collect(&repo, &RunCache::default()).unwrap();
        assert_eq!(inventory.poms.len(), 2_001);
        assert_eq!(inventory.unresolved.len(), 5_000);
    }

    /// What the evidence quotes of a POM is masked like any quoted file text.
    #[test]
    fn unresolved_maven_versions_are_quoted_masked() {
        // Assembled at run time: harden scans its own sources.
        let key = concat!("AKIA", "QYLPMN5HFIQR7PLB");
        let pom = format!(
            "<project><artifactId>a</artifactId><properties><v>[{key},)</v></properties>
  <dependencies><dependency><groupId>g</groupId><artifactId>x</artifactId><version>${{v}}</version></dependency></dependencies></project>"
        );
        let repo = tree(&[("pom.xml", &pom)]);
        let inventory = collect(&repo, &RunCache::default()).unwrap();
        assert_eq!(inventory.unresolved.len(), 1);
        assert!(inventory.unresolved[0].contains("not one version"));
        assert!(
            !inventory.unresolved[0].contains(key),
            "{:?}",
            inventory.unresolved
        );
    }
}
