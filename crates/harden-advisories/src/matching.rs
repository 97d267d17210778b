//! Does an advisory affect a locked version? OSV's rules: ranges of `introduced`, `fixed`,
//! `last_affected` and `limit` events in the range's ordering, explicit `versions`, withdrawn
//! records never; RustSec's: every version not matching a `patched` or `unaffected`
//! requirement.

use std::cmp::Ordering;

use crate::model::{Advisory, Affected, Event, RangeKind};
use crate::version::{Scheme, Version};

/// Why a version could not be judged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unjudged {
    /// The locked version is not a version of the ecosystem's ordering.
    #[error("`{version}` is not a {ecosystem} version")]
    Version {
        /// Ecosystem.
        ecosystem: String,
        /// The locked version.
        version: String,
    },
    /// harden has no ordering for the ecosystem.
    #[error("no version ordering for the {0} ecosystem")]
    Ecosystem(String),
    /// A range bound of the advisory is not a version of the range's ordering: dropping it
    /// would widen or narrow the range.
    #[error("{advisory}'s range bound `{bound}` is not a version of its ordering")]
    Bound {
        /// The advisory.
        advisory: String,
        /// The bound as written.
        bound: String,
    },
}

/// Whether `advisory` affects `version` of the package `name` in `ecosystem`. `Ok(None)` when
/// it does not; `Ok(Some(affected))` names the entry that matched.
pub fn affects<'a>(
    advisory: &'a Advisory,
    ecosystem: &str,
    name: &str,
    version: &str,
) -> Result<Option<&'a Affected>, Unjudged> {
    if advisory.withdrawn.is_some() {
        return Ok(None);
    }
    let key = crate::model::package_key(ecosystem, name);
    for affected in &advisory.affected {
        if affected.ecosystem != ecosystem
            || crate::model::package_key(&affected.ecosystem, &affected.name) != key
        {
            continue;
        }
        if entry_affects(affected, version).map_err(|bad| match bad {
            Unjudged::Bound { bound, .. } => Unjudged::Bound {
                advisory: advisory.id.clone(),
                bound,
            },
            other => other,
        })? {
            return Ok(Some(affected));
        }
    }
    Ok(None)
}

fn entry_affects(affected: &Affected, version: &str) -> Result<bool, Unjudged> {
    let ecosystem = affected.ecosystem.as_str();
    let scheme =
        Scheme::of_ecosystem(ecosystem).ok_or_else(|| Unjudged::Ecosystem(ecosystem.to_owned()))?;
    let unparsable = || Unjudged::Version {
        ecosystem: ecosystem.to_owned(),
        version: version.to_owned(),
    };
    if let Some(requirements) = &affected.unaffected_requirements {
        // RustSec: semver requirements, as cargo-audit reads them (pre-releases match a
        // requirement only where it names the same release triple).
        let parsed = semver::Version::parse(version).map_err(|_| unparsable())?;
        return Ok(!requirements
            .iter()
            .any(|r| semver::VersionReq::parse(r).is_ok_and(|req| req.matches(&parsed))));
    }
    let locked = scheme.parse(version).ok_or_else(unparsable)?;
    if affected
        .versions
        .iter()
        .any(|listed| listed == version || scheme.parse(listed).is_some_and(|v| v == locked))
    {
        return Ok(true);
    }
    for range in &affected.ranges {
        let scheme = match (range.kind, scheme) {
            (RangeKind::Git, _) => continue,
            // SEMVER ranges of Go modules are written without the `v`: the Go scheme reads both.
            (RangeKind::Semver, Scheme::Go) => Scheme::Go,
            (RangeKind::Semver, _) => Scheme::Semver,
            (RangeKind::Ecosystem, scheme) => scheme,
        };
        // A SEMVER range over a version that is not one cannot be judged either way.
        let locked = if scheme == Scheme::Semver && !matches!(locked, Version::Semver(_)) {
            scheme.parse(version).ok_or_else(unparsable)?
        } else {
            locked.clone()
        };
        let within = in_range(&range.events, scheme, &locked).map_err(|bound| Unjudged::Bound {
            advisory: String::new(),
            bound,
        })?;
        if within {
            return Ok(true);
        }
    }
    Ok(false)
}

/// OSV's evaluation: walk the events in version order; `introduced` at or below the version
/// opens, `fixed` at or below it closes, `last_affected` below it closes; a `limit` bounds the
/// whole range from above. `Err`: a bound that is not a version of `scheme`.
fn in_range(events: &[Event], scheme: Scheme, locked: &Version) -> Result<bool, String> {
    let parse = |text: &str| -> Result<Option<Version>, String> {
        // `0` is "before every version"; represented as None (lowest).
        if text == "0" {
            Ok(None)
        } else {
            scheme.parse(text).map(Some).ok_or_else(|| text.to_owned())
        }
    };
    let mut points: Vec<(Option<Version>, u8, &Event)> = Vec::new();
    let mut limits: Vec<Version> = Vec::new();
    let mut unlimited = false;
    for event in events {
        match event {
            Event::Introduced(v) => points.push((parse(v)?, 0, event)),
            // `fixed: 0` would close nothing: no version is below the first.
            Event::Fixed(v) | Event::LastAffected(v) => {
                if let Some(at) = parse(v)? {
                    points.push((Some(at), 1, event));
                }
            }
            Event::Limit(v) if v == "*" => unlimited = true,
            Event::Limit(v) => limits.push(scheme.parse(v).ok_or_else(|| v.clone())?),
        }
    }
    // The state at `locked` is that of the last event reached in version order (at one version,
    // an `introduced` before a `fixed`). Kept as a running maximum rather than by sorting the
    // events: an ordering that is not transitive (Maven's has corners) must not panic a sort.
    let order = |a: &(Option<Version>, u8, &Event), b: &(Option<Version>, u8, &Event)| {
        let by_version = match (&a.0, &b.0) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        };
        by_version.then(a.1.cmp(&b.1))
    };
    let reached = |point: &(Option<Version>, u8, &Event)| match (&point.0, point.2) {
        (None, _) => true,
        (Some(at), Event::LastAffected(_)) => at < locked,
        (Some(at), _) => at <= locked,
    };
    let last = points.iter().filter(|p| reached(p)).fold(
        None,
        |last: Option<&(Option<Version>, u8, &Event)>, point| match last {
            Some(last) if order(point, last) == Ordering::Less => Some(last),
            _ => Some(point),
        },
    );
    let mut affected = matches!(last, Some((_, _, Event::Introduced(_))));
    if affected && !unlimited && !limits.is_empty() {
        affected = limits.iter().any(|limit| locked < limit);
    }
    Ok(affected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Range;

    fn advisory(
        ecosystem: &str,
        kind: RangeKind,
        events: Vec<Event>,
        versions: &[&str],
    ) -> Advisory {
        Advisory {
            id: "TEST-1".into(),
            aliases: Vec::new(),
            summary: String::new(),
            modified: "2024-01-01T00:00:00Z".into(),
            withdrawn: None,
            cvss: Vec::new(),
            rated: None,
            informational: None,
            url: None,
            affected: vec![Affected {
                ecosystem: ecosystem.into(),
                name: "pkg".into(),
                ranges: vec![Range { kind, events }],
                versions: versions.iter().map(|v| (*v).to_owned()).collect(),
                unaffected_requirements: None,
                patched: Vec::new(),
            }],
        }
    }

    fn hit(advisory: &Advisory, ecosystem: &str, version: &str) -> bool {
        affects(advisory, ecosystem, "pkg", version)
            .unwrap()
            .is_some()
    }

    use Event::{Fixed, Introduced, LastAffected, Limit};

    #[test]
    fn introduced_and_fixed_bound_a_semver_range_with_pre_releases() {
        let a = advisory(
            "crates.io",
            RangeKind::Semver,
            vec![Introduced("0".into()), Fixed("1.0.0".into())],
            &[],
        );
        assert!(hit(&a, "crates.io", "0.9.9"));
        assert!(
            hit(&a, "crates.io", "1.0.0-rc.1"),
            "a pre-release of the fix is before it"
        );
        assert!(!hit(&a, "crates.io", "1.0.0"));
        assert!(!hit(&a, "crates.io", "1.0.1"));
    }

    #[test]
    fn last_affected_includes_its_version_and_limit_caps_the_range() {
        let a = advisory(
            "npm",
            RangeKind::Semver,
            vec![Introduced("1.2.0".into()), LastAffected("1.4.0".into())],
            &[],
        );
        assert!(!hit(&a, "npm", "1.1.9"));
        assert!(hit(&a, "npm", "1.2.0"));
        assert!(hit(&a, "npm", "1.4.0"));
        assert!(!hit(&a, "npm", "1.4.1"));
        let b = advisory(
            "npm",
            RangeKind::Semver,
            vec![Introduced("0".into()), Limit("2.0.0".into())],
            &[],
        );
        assert!(hit(&b, "npm", "1.9.9"));
        assert!(!hit(&b, "npm", "2.0.0"));
    }

    #[test]
    fn several_introduced_fixed_pairs_leave_gaps() {
        let a = advisory(
            "PyPI",
            RangeKind::Ecosystem,
            vec![
                Introduced("1.0".into()),
                Fixed("1.0.post1".into()),
                Introduced("2.0".into()),
                Fixed("2.1".into()),
            ],
            &[],
        );
        assert!(hit(&a, "PyPI", "1.0"));
        assert!(!hit(&a, "PyPI", "1.0.post1"));
        assert!(!hit(&a, "PyPI", "1.5"));
        assert!(hit(&a, "PyPI", "2.0.1"));
        assert!(
            !hit(&a, "PyPI", "1!0.1"),
            "an epoch sorts after every version without one"
        );
    }

    #[test]
    fn go_ranges_read_v_prefixes_pseudo_versions_and_incompatible() {
        let a = advisory(
            "Go",
            RangeKind::Semver,
            vec![Introduced("0".into()), Fixed("2.1.0".into())],
            &[],
        );
        assert!(hit(&a, "Go", "v0.0.0-20230102030405-abcdef123456"));
        assert!(hit(&a, "Go", "v2.0.0+incompatible"));
        assert!(!hit(&a, "Go", "v2.1.0"));
    }

    #[test]
    fn listed_versions_match_exactly_and_withdrawn_records_never() {
        let mut a = advisory("PyPI", RangeKind::Ecosystem, vec![], &["0.9", "1.0.0"]);
        assert!(hit(&a, "PyPI", "0.9"));
        assert!(hit(&a, "PyPI", "1.0"), "1.0 is 1.0.0 in PEP 440");
        assert!(!hit(&a, "PyPI", "0.9.1"));
        a.withdrawn = Some("2024-02-01T00:00:00Z".into());
        assert!(!hit(&a, "PyPI", "0.9"));
    }

    #[test]
    fn pypi_names_match_normalized() {
        let a = advisory(
            "PyPI",
            RangeKind::Ecosystem,
            vec![Introduced("0".into())],
            &[],
        );
        assert!(affects(&a, "PyPI", "PKG", "1.0").unwrap().is_some());
        assert!(
            affects(&a, "npm", "pkg", "1.0.0").unwrap().is_none(),
            "another ecosystem"
        );
    }

    #[test]
    fn rustsec_requirements_affect_what_they_do_not_match() {
        let mut a = advisory("crates.io", RangeKind::Semver, vec![], &[]);
        a.affected[0].ranges.clear();
        a.affected[0].unaffected_requirements = Some(vec![">= 1.2.0".into(), "< 0.5.0".into()]);
        assert!(!hit(&a, "crates.io", "0.4.9"));
        assert!(hit(&a, "crates.io", "0.5.0"));
        assert!(hit(&a, "crates.io", "1.1.9"));
        assert!(!hit(&a, "crates.io", "1.2.0"));
        // semver requirements do not match a pre-release of another triple.
        assert!(hit(&a, "crates.io", "1.3.0-beta.1"));
    }

    #[test]
    fn unparsable_versions_are_reported_not_passed() {
        let a = advisory(
            "crates.io",
            RangeKind::Semver,
            vec![Introduced("0".into())],
            &[],
        );
        assert!(matches!(
            affects(&a, "crates.io", "pkg", "not-a-version"),
            Err(Unjudged::Version { .. })
        ));
    }
}
