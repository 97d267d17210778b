//! The dependencies the Maven POMs of the repository declare, resolved as Maven's model
//! resolves them as far as the repository alone tells (maven.apache.org/pom.html,
//! "Inheritance", "Properties", "Importing Dependencies"):
//! - a POM inherits its parent's properties, dependencies and dependency management when the
//!   parent is the POM its `relativePath` names (`../pom.xml` by default) and that POM has the
//!   coordinates `<parent>` declares; otherwise the parent comes from a repository and is not
//!   known here;
//! - what a POM inherits is interpolated with the POM's own properties (a child's
//!   `<log4j.version>` decides the version its parent's dependency gets);
//! - a dependency without a version takes the one its POM's management gives for its
//!   coordinates, type and classifier, nearest first, then the one a BOM it imports
//!   (`<scope>import</scope>`) manages, interpolated in the BOM's own model;
//! - a dependency on one of the repository's own modules, at that module's version, is the
//!   project's code, not a package.
//!
//! Every step is bounded: parents and imports by depth, cycles by the POMs seen, and the whole
//! by a budget of management entries evaluated, past which what is left is listed as not
//! resolved rather than computed (the scanned repository may be built to make this slow).

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use harden_engine::{PortError, RepoView, RunCache};
use harden_formats::lockfiles::{self, Dependency, Pom, Problem};

use super::Inventory;

/// How deep a chain of parent POMs, or of BOM imports, is followed (real ones nest two or three
/// deep).
const MAX_DEPTH: usize = 8;

/// Management entries evaluated in one run, at most: real repositories use a few thousand.
const BUDGET: usize = 2_000_000;

/// What a dependency is managed by: coordinates, type and classifier.
type Key = (String, String, String, String);

/// Versions by key: as written, and as the model that manages them makes them.
type Management = HashMap<Key, (String, Option<String>)>;

/// The project's POMs and what is computed once from them.
struct Poms<'a> {
    by_path: BTreeMap<&'a str, Pom>,
    /// The repository's modules by coordinates, the first in path order.
    modules: BTreeMap<(String, String), &'a str>,
    management: std::cell::RefCell<HashMap<&'a str, Rc<Management>>>,
    budget: Cell<usize>,
}

/// Reads the project's POMs into `inventory` (see [`Inventory::declared`]).
pub(super) fn read(
    repo: &dyn RepoView,
    cache: &RunCache,
    inventory: &mut Inventory,
) -> Result<(), PortError> {
    let paths: Vec<&String> = repo
        .files()?
        .iter()
        .filter(|p| {
            (p.as_str() == "pom.xml" || p.ends_with("/pom.xml"))
                && crate::paths::deployed(p)
                && !p
                    .split('/')
                    .any(|part| matches!(part, "node_modules" | "target" | "vendor"))
        })
        .collect();
    let mut by_path: BTreeMap<&str, Pom> = BTreeMap::new();
    for path in &paths {
        if let Some(size) = repo.size(path)?
            && size > crate::support::MAX_PARSED_BYTES
        {
            inventory.unreadable.push((
                (*path).clone(),
                format!(
                    "{} MiB, more than the {} MiB harden parses whole",
                    size >> 20,
                    crate::support::MAX_PARSED_BYTES >> 20
                ),
            ));
            continue;
        }
        let bytes = cache.read(repo, path)?;
        match lockfiles::pom(path, &harden_engine::lossy_text(&bytes)) {
            Ok(pom) => {
                by_path.insert(path.as_str(), pom);
            }
            Err(problem) => {
                let message = match *problem {
                    Problem::Unparsable { message, span, .. } => {
                        format!("{}:{}: {message}", span.start.line, span.start.column)
                    }
                    _ => "not readable".into(),
                };
                inventory.unreadable.push(((*path).clone(), message));
            }
        }
    }
    let mut modules = BTreeMap::new();
    for (path, pom) in &by_path {
        let group = pom
            .group
            .clone()
            .or_else(|| pom.parent.as_ref().and_then(|p| p.group.clone()));
        if let (Some(group), Some(artifact)) = (group, pom.artifact.clone()) {
            modules.entry((group, artifact)).or_insert(*path);
        }
    }
    let poms = Poms {
        by_path,
        modules,
        management: std::cell::RefCell::default(),
        budget: Cell::new(BUDGET),
    };
    let mut seen: HashSet<(String, u32, String, String)> = HashSet::new();
    for path in poms.by_path.keys() {
        inventory.poms.push((*path).to_owned());
        for dependency in poms.declared(path, &mut inventory.unresolved) {
            // An inherited dependency resolved alike for the parent and its children is one.
            if seen.insert((
                dependency.path.clone(),
                dependency.span.start.line,
                dependency.name.clone(),
                dependency.version.clone(),
            )) {
                inventory.declared.push(dependency);
            }
        }
    }
    if poms.budget.get() == 0 {
        inventory.unresolved.push(format!(
            "more than {BUDGET} dependency declarations and management entries to evaluate: the rest were not resolved"
        ));
    }
    Ok(())
}

impl<'a> Poms<'a> {
    /// `path`'s POM and its parents in the repository, nearest first.
    fn chain(&self, path: &'a str) -> Vec<(&'a str, &Pom)> {
        let mut chain: Vec<(&'a str, &Pom)> = Vec::new();
        let mut at = path;
        while let Some((key, pom)) = self.by_path.get_key_value(at) {
            if chain.len() > MAX_DEPTH || chain.iter().any(|(seen, _)| seen == key) {
                break;
            }
            chain.push((key, pom));
            match self.parent_of(key, pom) {
                Some(parent) => at = parent,
                None => break,
            }
        }
        chain
    }

    /// The POM of the repository that is `pom`'s parent: the one its `relativePath` names, if
    /// it has the coordinates `<parent>` declares.
    fn parent_of(&self, path: &str, pom: &Pom) -> Option<&'a str> {
        let parent = pom.parent.as_ref()?;
        let relative = parent.relative_path.as_deref().unwrap_or("../pom.xml");
        if relative.is_empty() {
            return None;
        }
        let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        let mut joined = if dir.is_empty() {
            relative.to_owned()
        } else {
            format!("{dir}/{relative}")
        };
        if !std::path::Path::new(relative)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
        {
            joined = format!("{}/pom.xml", joined.trim_end_matches('/'));
        }
        let (key, candidate) = self.by_path.get_key_value(normal_path(&joined)?.as_str())?;
        let group = candidate
            .group
            .as_ref()
            .or_else(|| candidate.parent.as_ref().and_then(|p| p.group.as_ref()));
        let same = |declared: &Option<String>, found: Option<&String>| {
            declared.is_none() || declared.as_ref() == found
        };
        (same(&parent.group, group) && same(&parent.artifact, candidate.artifact.as_ref()))
            .then_some(*key)
    }

    /// The direct dependencies of `path`'s POM with one version each, its own and those it
    /// inherits; what cannot be told goes to `unresolved`.
    fn declared(&self, path: &'a str, unresolved: &mut Vec<String>) -> Vec<Dependency> {
        // What is noted quotes the POM's text: masked as every gate masks quoted file text.
        let mut note = |text: String| unresolved.push(crate::support::shown_text(&text));
        let chain = self.chain(path);
        let lookup = |name: &str| property(&chain, name);
        let mut out = Vec::new();
        let mut taken: HashSet<Key> = HashSet::new();
        for (index, (file, pom)) in chain.iter().enumerate() {
            for dependency in &pom.dependencies {
                if !self.spend() {
                    return out;
                }
                let (Some(group), Some(artifact)) = (
                    lockfiles::substitute(&dependency.group, &lookup),
                    lockfiles::substitute(&dependency.artifact, &lookup),
                ) else {
                    if index == 0 {
                        note(format!(
                            "{}:{} in {path}: coordinates from properties not defined in the repository",
                            dependency.group, dependency.artifact
                        ));
                    }
                    continue;
                };
                let (kind, classifier) = dependency.management_key();
                let key = (group, artifact, kind.to_owned(), classifier.to_owned());
                // The nearest declaration of a dependency wins.
                if !taken.insert(key.clone()) {
                    continue;
                }
                let name = format!("{}:{}", key.0, key.1);
                let version = match dependency.version.as_deref().filter(|v| !v.is_empty()) {
                    Some(written) => {
                        Some((written.to_owned(), lockfiles::substitute(written, &lookup)))
                    }
                    None => self.management(path, 0).get(&key).cloned(),
                };
                let Some((written, resolved)) = version else {
                    if index == 0 {
                        note(format!(
                            "{name} in {path}: no version here, in a parent POM or in a BOM of the repository"
                        ));
                    }
                    continue;
                };
                let exact = resolved.as_deref().and_then(lockfiles::exact_version);
                let Some(version) = exact else {
                    if index == 0 {
                        note(match resolved {
                            Some(other) => {
                                format!("{name} in {path}: version {other}: not one version")
                            }
                            None => format!(
                                "{name} in {path}: version {written} from a property not defined in the repository"
                            ),
                        });
                    }
                    continue;
                };
                if self.own_module(&key.0, &key.1, version) {
                    continue;
                }
                out.push(Dependency {
                    ecosystem: lockfiles::Ecosystem::Maven,
                    name,
                    version: version.to_owned(),
                    direct: true,
                    source: None,
                    integrity: None,
                    path: (*file).to_owned(),
                    span: dependency.span,
                });
            }
        }
        out
    }

    /// Whether `group:artifact` at `version` is one of the repository's modules.
    fn own_module(&self, group: &str, artifact: &str, version: &str) -> bool {
        let Some(module) = self.modules.get(&(group.to_owned(), artifact.to_owned())) else {
            return false;
        };
        let chain = self.chain(module);
        let lookup = |name: &str| property(&chain, name);
        property(&chain, "project.version")
            .and_then(|own| lockfiles::substitute(own, &lookup))
            .is_none_or(|own| own == version)
    }

    /// The dependency management of `path`'s POM: its own and its parents', interpolated with
    /// its properties, then what the BOMs they import manage. Computed once per POM.
    fn management(&self, path: &'a str, depth: usize) -> Rc<Management> {
        if let Some(known) = self.management.borrow().get(path) {
            return Rc::clone(known);
        }
        // Seen while being computed: an import cycle, which adds nothing.
        self.management
            .borrow_mut()
            .insert(path, Rc::new(Management::new()));
        let chain = self.chain(path);
        let lookup = |name: &str| property(&chain, name);
        let mut managed = Management::new();
        let mut imports: Vec<&'a str> = Vec::new();
        for (_, pom) in &chain {
            for entry in &pom.managed {
                if !self.spend() {
                    break;
                }
                let (Some(group), Some(artifact)) = (
                    lockfiles::substitute(&entry.group, &lookup),
                    lockfiles::substitute(&entry.artifact, &lookup),
                ) else {
                    continue;
                };
                if entry.scope.as_deref() == Some("import") {
                    if let Some(bom) = self.modules.get(&(group, artifact)) {
                        imports.push(*bom);
                    }
                    continue;
                }
                let Some(written) = entry.version.clone() else {
                    continue;
                };
                let (kind, classifier) = entry.management_key();
                let resolved = lockfiles::substitute(&written, &lookup);
                managed
                    .entry((group, artifact, kind.to_owned(), classifier.to_owned()))
                    .or_insert((written, resolved));
            }
        }
        if depth < MAX_DEPTH {
            for bom in imports {
                // Distinct keys, each inserted only where absent: the order does not matter.
                #[allow(clippy::iter_over_hash_type)]
                for (key, version) in self.management(bom, depth + 1).iter() {
                    managed
                        .entry(key.clone())
                        .or_insert_with(|| version.clone());
                }
            }
        }
        let managed = Rc::new(managed);
        self.management
            .borrow_mut()
            .insert(path, Rc::clone(&managed));
        managed
    }

    /// Takes one management entry from the run's budget; `false` once it is spent.
    fn spend(&self) -> bool {
        let left = self.budget.get();
        self.budget.set(left.saturating_sub(1));
        left > 0
    }
}

/// `path` with `.` and `..` resolved; `None` when it climbs out of the repository.
fn normal_path(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// A property as the POM at the head of `chain` sees it. The model's own values under their
/// `project.` (or old `pom.`) names first; other names from its `<properties>`, then its
/// parents'; the unprefixed `version`, `groupId` and `artifactId` fall back to the model last.
/// Environment and settings properties are not known here.
fn property<'p>(chain: &[(&str, &'p Pom)], name: &str) -> Option<&'p str> {
    let (_, pom) = chain.first()?;
    let parent = pom.parent.as_ref();
    let model = |field: &str| -> Option<&'p str> {
        match field {
            "version" => pom
                .version
                .as_deref()
                .or_else(|| parent.and_then(|p| p.version.as_deref())),
            "groupId" => pom
                .group
                .as_deref()
                .or_else(|| parent.and_then(|p| p.group.as_deref())),
            "artifactId" => pom.artifact.as_deref(),
            "parent.version" => parent.and_then(|p| p.version.as_deref()),
            "parent.groupId" => parent.and_then(|p| p.group.as_deref()),
            "parent.artifactId" => parent.and_then(|p| p.artifact.as_deref()),
            _ => None,
        }
    };
    if let Some(field) = name
        .strip_prefix("project.")
        .or_else(|| name.strip_prefix("pom."))
    {
        return model(field);
    }
    chain
        .iter()
        .find_map(|(_, pom)| pom.properties.get(name).map(String::as_str))
        .or_else(|| {
            // Maven 2's unprefixed forms (`${version}`, `${parent.version}`).
            model(name).filter(|_| {
                matches!(
                    name,
                    "version"
                        | "groupId"
                        | "artifactId"
                        | "parent.version"
                        | "parent.groupId"
                        | "parent.artifactId"
                )
            })
        })
}
