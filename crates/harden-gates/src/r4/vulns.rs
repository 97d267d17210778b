use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use harden_advisories::{Advisory, Level, affects, package_key, rate};
use harden_config::OptionValue;
use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_formats::lockfiles::Dependency;
use harden_model::{
    GateId, GateMeta, Items, Location, OptionKind, OptionSpec, ProfileLevel, Round, Severity,
    Target, Vulnerability,
};

/// `R4.vulns`: no locked package has a published vulnerability.
pub(crate) struct Vulns;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R4.vulns"),
    round: Round::R4,
    title: "No locked dependency has a known vulnerability",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "\"Dependency vulnerabilities patched\" is on every hardening checklist: a published \
advisory for a version the build locks is an attack someone has already written down. The gate \
reads every lockfile of the repository (Cargo.lock, package-lock.json, npm-shrinkwrap.json, \
yarn.lock, pnpm-lock.yaml, bun.lock, uv.lock, poetry.lock, Pipfile.lock, go.mod, Gemfile.lock, NuGet's \
packages.lock.json, composer.lock, gradle.lockfile, pinned requirements files) and the \
dependencies Maven POMs declare (Maven records no lockfile: direct dependencies only, with the \
version the POM writes, manages or sets by a property of its own or of a parent POM in the \
repository; those it cannot tell are listed), and matches each version against the local \
advisory database, offline: OSV ranges \
in each ecosystem's own version ordering, explicit version lists, RustSec's patched and \
unaffected requirements; withdrawn advisories never match, and aliases of one vulnerability \
(CVE, GHSA, RUSTSEC, PYSEC, GO) are one finding. Each finding names the package, version, \
advisory ids, summary, CVSS score, fixed versions, whether the dependency is direct, and the \
lockfile line. `fail-on` sets the lowest severity that fails (below it, advisories are listed \
in the evidence); waive one with `advisory = \"<id>\"`. No database, or one whose newest record \
is older than `max-age`, fails the gate: stale data is not a clean bill of health. Build the \
database with `harden db import` from OSV exports or RustSec's advisory-db. Fix: upgrade to a \
fixed version (`cargo update -p`, `npm install pkg@version`, `uv lock --upgrade-package`, `go \
get module@version`, `bundle update --conservative gem`, `dotnet add package Id --version`, \
`composer update vendor/package`, `gradle dependencies --write-locks` after raising the version, \
the `<version>` or its property in the POM).",
    evidence: &[
        "lockfiles",
        "locked packages",
        "Maven POMs",
        "dependencies declared in POMs (direct only)",
        "advisory database",
        "advisories matched",
    ],
    options: &[
        OptionSpec {
            key: "fail-on",
            kind: OptionKind::Choice(&["low", "medium", "high", "critical"]),
            help: "Lowest severity that fails: low, medium, high or critical (default low: every vulnerability). Advisories without a CVSS vector or a database rating count as medium.",
        },
        OptionSpec {
            key: "max-age",
            kind: OptionKind::Duration,
            help: "How old the database's newest record may be (default 7d).",
        },
        OptionSpec {
            key: "informational",
            kind: OptionKind::Bool,
            help: "Also fail on RustSec's informational advisories: unmaintained, unsound, notice (default false: they are listed in the evidence).",
        },
    ],
    items: Some(Items {
        name: "lockfiles (Cargo.lock, package-lock.json, yarn.lock, pnpm-lock.yaml, bun.lock, bun.lockb, uv.lock, poetry.lock, Pipfile.lock, go.mod, Gemfile.lock, packages.lock.json, composer.lock, gradle.lockfile, requirements*.txt)",
        globs: &[
            "**/Cargo.lock",
            "**/package-lock.json",
            "**/npm-shrinkwrap.json",
            "**/yarn.lock",
            "**/pnpm-lock.yaml",
            "**/bun.lock",
            "**/bun.lockb",
            "**/uv.lock",
            "**/poetry.lock",
            "**/Pipfile.lock",
            "**/go.mod",
            "**/Gemfile.lock",
            "**/packages.lock.json",
            "**/composer.lock",
            "**/gradle.lockfile",
            "**/requirements*.txt",
        ],
    }),
};

const DEFAULT_MAX_AGE: Duration = Duration::from_hours(7 * 24);

fn level(text: &str) -> Option<Level> {
    Some(match text {
        "low" => Level::Low,
        "medium" => Level::Medium,
        "high" => Level::High,
        "critical" => Level::Critical,
        _ => return None,
    })
}

fn severity(level: Level) -> Severity {
    match level {
        Level::Low => Severity::Low,
        Level::Medium => Severity::Medium,
        Level::High => Severity::High,
        Level::Critical => Severity::Critical,
    }
}

/// One package's matched advisories, aliases merged: ids of one vulnerability together.
fn merge(matched: Vec<&Advisory>) -> Vec<Vec<&Advisory>> {
    let mut groups: Vec<(BTreeSet<&str>, Vec<&Advisory>)> = Vec::new();
    for advisory in matched {
        let ids: BTreeSet<&str> = advisory.ids().collect();
        let mut joined: Option<usize> = None;
        let mut i = 0;
        while i < groups.len() {
            if groups[i].0.is_disjoint(&ids) {
                i += 1;
                continue;
            }
            match joined {
                None => {
                    groups[i].0.extend(ids.iter().copied());
                    groups[i].1.push(advisory);
                    joined = Some(i);
                    i += 1;
                }
                Some(j) => {
                    // This advisory bridges two groups: they are one vulnerability.
                    let (set, members) = groups.remove(i);
                    groups[j].0.extend(set);
                    groups[j].1.extend(members);
                }
            }
        }
        if joined.is_none() {
            groups.push((ids, vec![advisory]));
        }
    }
    groups.into_iter().map(|(_, members)| members).collect()
}

impl Gate for Vulns {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let fail_on = match cx.option("fail-on") {
            Some(OptionValue::String(text)) => level(text).ok_or_else(|| GateError::Failed {
                message: format!("fail-on = \"{text}\": expected low, medium, high or critical"),
                location: None,
            })?,
            _ => Level::Low,
        };
        let max_age = match cx.option("max-age") {
            Some(OptionValue::Duration(d)) => *d,
            _ => DEFAULT_MAX_AGE,
        };
        let informational = matches!(cx.option("informational"), Some(OptionValue::Bool(true)));
        let inventory = crate::inventory::shared(cx)?;
        for (path, why) in &inventory.unreadable {
            out.not_examined(path, why.clone());
        }
        if inventory.lockfiles.is_empty() && inventory.poms.is_empty() {
            // Lockfiles there but none readable (a bun.lockb, a truncated Cargo.lock): said as
            // such, not as a repository without any.
            if let Some((path, why)) = inventory.unreadable.first() {
                return Err(GateError::Skip(format!(
                    "no lockfile harden can read: {path}: {why}{}",
                    match inventory.unreadable.len() - 1 {
                        0 => String::new(),
                        more => format!(" (and {more} more)"),
                    }
                )));
            }
            // Nothing to match: the engine reports "not applicable".
            return Ok(());
        }
        // No data, or stale data, is never a pass.
        let db = cx.advisories().map_err(|reason| GateError::Failed {
            message: reason,
            location: None,
        })?;
        let status = db.status()?;
        let newest = status
            .newest_modified
            .as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .ok_or_else(|| GateError::Failed {
                message: format!(
                    "the advisory database at {} holds no records: run `harden db import` with OSV data or RustSec's advisory-db",
                    status.location
                ),
                location: None,
            })?;
        let age_seconds = cx.clock().now().as_second() - newest.as_second();
        // A record modified in the future would make any database look fresh forever: the
        // times cannot be trusted (a day's clock skew is tolerated).
        if age_seconds < -86_400 {
            return Err(GateError::Failed {
                message: format!(
                    "the advisory database at {} has a record modified in the future ({newest}): its times cannot be trusted; re-import current data with `harden db import`",
                    status.location
                ),
                location: None,
            });
        }
        let days = age_seconds / 86_400;
        let total: u64 = status.records.iter().map(|(_, n)| n).sum();
        out.fact(
            "advisory database",
            format!(
                "{} ({total} advisories; newest record modified {newest}, {days} {} before this run)",
                status.location,
                if days == 1 { "day" } else { "days" }
            ),
        );
        if u64::try_from(age_seconds).unwrap_or(0) > max_age.as_secs() {
            return Err(GateError::Failed {
                message: format!(
                    "the advisory database's newest record is {days} days old (max-age {} days): import current data with `harden db import`",
                    max_age.as_secs() / 86_400
                ),
                location: None,
            });
        }
        let mut cache: BTreeMap<(String, String), Vec<Advisory>> = BTreeMap::new();
        let policy = Policy {
            fail_on,
            informational,
        };
        let mut listed = Listed::default();
        let mut unjudged: BTreeSet<String> = BTreeSet::new();
        out.examined("lockfiles", inventory.lockfiles.len() as u64);
        out.add("locked packages", inventory.packages.len() as u64);
        if !inventory.poms.is_empty() {
            // Maven records no lockfile: a POM's direct dependencies are judged, what they pull
            // in is not known without running Maven.
            out.examined("Maven POMs", inventory.poms.len() as u64);
            out.add(
                "dependencies declared in POMs (direct only)",
                inventory.declared.len() as u64,
            );
        }
        if !inventory.unresolved.is_empty() {
            out.add(
                "declared dependencies without a known version",
                inventory.unresolved.len() as u64,
            );
            out.fact(
                "declared dependencies without a known version",
                inventory
                    .unresolved
                    .iter()
                    .take(20)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; "),
            );
        }
        for package in inventory
            .packages
            .iter()
            .chain(&inventory.declared)
            .filter(|p| p.from_registry())
        {
            let ecosystem = package.ecosystem.as_str();
            let key = package_key(ecosystem, &package.name);
            let cached = (ecosystem.to_owned(), key.clone());
            if !cache.contains_key(&cached) {
                let records = db.records(ecosystem, &key)?;
                let parsed = records
                    .iter()
                    .filter_map(|r| serde_json::from_str::<Advisory>(r).ok())
                    .collect();
                cache.insert(cached.clone(), parsed);
            }
            let mut matched: Vec<&Advisory> = Vec::new();
            for advisory in &cache[&cached] {
                match affects(advisory, ecosystem, &package.name, &package.version) {
                    Ok(Some(_)) => matched.push(advisory),
                    Ok(None) => {}
                    Err(why) => {
                        unjudged.insert(format!("{} {} ({why})", package.name, package.version));
                    }
                }
            }
            for group in merge(matched) {
                report(cx, out, package, &group, &policy, &mut listed);
            }
        }
        if !listed.below.is_empty() {
            out.fact(
                "below fail-on",
                listed.below.into_iter().collect::<Vec<_>>().join("; "),
            );
        }
        if !listed.notices.is_empty() {
            out.fact(
                "informational advisories",
                listed.notices.into_iter().collect::<Vec<_>>().join("; "),
            );
        }
        if !unjudged.is_empty() {
            out.add("versions that could not be compared", unjudged.len() as u64);
            out.fact(
                "versions that could not be compared",
                unjudged.into_iter().take(20).collect::<Vec<_>>().join("; "),
            );
        }
        Ok(())
    }
}

/// What fails, from the gate's options.
struct Policy {
    fail_on: Level,
    informational: bool,
}

/// Advisories that matched but do not fail: listed in the evidence.
#[derive(Default)]
struct Listed {
    below: BTreeSet<String>,
    notices: BTreeSet<String>,
}

/// Records one vulnerability (a group of aliased advisories) of `package`: a finding, or a line
/// of the evidence when it is below `fail-on` or only informational.
fn report(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
    package: &Dependency,
    group: &[&Advisory],
    policy: &Policy,
    listed: &mut Listed,
) {
    // The most severe rating of the group speaks for it; ids in a stable order.
    let (lead, rating) = group
        .iter()
        .map(|a| (*a, rate(a)))
        .max_by(|a, b| a.1.level.cmp(&b.1.level).then(b.0.id.cmp(&a.0.id)))
        .expect("a group has members");
    let mut ids: Vec<String> = Vec::new();
    for advisory in group {
        for id in advisory.ids() {
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_owned());
            }
        }
    }
    ids.sort_by_key(|id| (id != &lead.id, id.clone()));
    let label = format!("{} {} ({})", package.name, package.version, ids.join(", "));
    out.add("advisories matched", 1);
    if lead.informational.is_some() && group.iter().all(|a| a.informational.is_some()) {
        let kind = lead.informational.clone().unwrap_or_default();
        if !policy.informational {
            listed.notices.insert(format!("{label}: {kind}"));
            return;
        }
    }
    if rating.level < policy.fail_on {
        listed
            .below
            .insert(format!("{label}: {}", rating.level.as_str()));
        return;
    }
    let fixed: Vec<String> = group
        .iter()
        .flat_map(|a| {
            a.affected
                .iter()
                // This package's entries only: one record can cover several packages.
                .filter(|x| {
                    x.ecosystem == package.ecosystem.as_str()
                        && package_key(&x.ecosystem, &x.name)
                            == package_key(&x.ecosystem, &package.name)
                })
                .flat_map(Advisory::fixed_versions)
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let fix = if fixed.is_empty() {
        "no fixed version published".to_owned()
    } else {
        format!("fixed in {}", fixed.join(", "))
    };
    let how = if package.direct {
        "direct dependency"
    } else {
        "transitive dependency"
    };
    let score = rating.score.map(|s| format!("{s:.1}"));
    let message = format!(
        "{} {} has {}: {} ({}{}; {how}; {fix})",
        package.name,
        package.version,
        lead.id,
        lead.summary,
        rating.level.as_str(),
        score.as_ref().map(|s| format!(" {s}")).unwrap_or_default(),
    );
    out.finding(
            cx.finding(
                message,
                Location::File {
                    path: package.path.clone(),
                    span: Some(package.span),
                    snippet: None,
                    logical: None,
                },
            )
            .identity(format!("{}:{}:{}:{}", package.ecosystem.as_str(), package.name, package.version, lead.id))
            .severity(severity(rating.level))
            .help(if fixed.is_empty() {
                "no fixed release: replace the dependency, or waive with the reason it cannot be reached (advisory = \"<id>\")".to_owned()
            } else {
                format!("upgrade {} to a fixed version ({})", package.name, fixed.join(", "))
            })
            .vulnerability(Vulnerability {
                ecosystem: package.ecosystem.as_str().to_owned(),
                package: package.name.clone(),
                version: package.version.clone(),
                direct: package.direct,
                ids,
                summary: lead.summary.clone(),
                fixed,
                cvss: rating.vector.clone(),
                score,
                url: lead.url.clone(),
            })
            .build(),
        );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advisory(id: &str, aliases: &[&str]) -> Advisory {
        Advisory {
            id: id.into(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            summary: String::new(),
            modified: String::new(),
            withdrawn: None,
            cvss: Vec::new(),
            rated: None,
            informational: None,
            url: None,
            affected: Vec::new(),
        }
    }

    #[test]
    fn aliases_merge_into_one_vulnerability_even_through_a_third_record() {
        let ghsa = advisory("GHSA-1", &["CVE-1"]);
        let pysec = advisory("PYSEC-1", &["CVE-1"]);
        let other = advisory("GHSA-2", &["CVE-2"]);
        let bridge = advisory("OSV-3", &["CVE-2", "GHSA-1"]);
        let groups = merge(vec![&ghsa, &other, &pysec]);
        assert_eq!(groups.len(), 2);
        let groups = merge(vec![&ghsa, &other, &pysec, &bridge]);
        assert_eq!(groups.len(), 1, "the bridge joins both");
        assert_eq!(groups[0].len(), 4);
    }
}
