//! Each ecosystem's version ordering: what "between introduced and fixed" means for a locked
//! version. crates.io and npm use semantic versioning with pre-releases, PyPI PEP 440 (the
//! `pep440_rs` crate, made for it), Go semantic versions with a `v` prefix, `+incompatible` and
//! pseudo-versions, RubyGems `Gem::Version`, Maven `ComparableVersion`, NuGet's `NuGetVersion`
//! and Composer's normalized `version_compare` (Packagist).
//!
//! RubyGems, Maven, NuGet and Composer are written here: no maintained crate implements these
//! orderings as the ecosystem's own tool does, and each fits in a page of the rules its
//! documentation states.

use std::cmp::Ordering;
use std::str::FromStr;

/// How an ecosystem orders its versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Semantic versioning 2.0 (crates.io, npm, and OSV `SEMVER` ranges).
    Semver,
    /// Go modules: semantic versions written with a `v`.
    Go,
    /// PEP 440 (PyPI).
    Pep440,
    /// `Gem::Version` (RubyGems).
    RubyGems,
    /// `ComparableVersion` (Maven).
    Maven,
    /// `NuGetVersion`: up to four numbers, then semantic-versioning pre-release labels compared
    /// without regard to case.
    NuGet,
    /// Composer (Packagist): the version normalized as Composer does, then PHP's
    /// `version_compare`.
    Composer,
}

impl Scheme {
    /// The ordering of an OSV ecosystem name (`crates.io`, `npm`, `PyPI`, `Go`, `RubyGems`,
    /// `Maven`); `None` for ecosystems harden does not order.
    pub fn of_ecosystem(ecosystem: &str) -> Option<Self> {
        // OSV allows a suffix after a colon (`Debian:11`); these ecosystems have none.
        Some(match ecosystem {
            "crates.io" | "npm" => Self::Semver,
            "Go" => Self::Go,
            "PyPI" => Self::Pep440,
            "RubyGems" => Self::RubyGems,
            "Maven" => Self::Maven,
            "NuGet" => Self::NuGet,
            "Packagist" => Self::Composer,
            _ => return None,
        })
    }

    /// Parses `text` in this ordering; `None` when it is not a version of this scheme.
    pub fn parse(self, text: &str) -> Option<Version> {
        let text = text.trim();
        // No real version is longer; Maven's sub-lists nest once per `-`, and comparing them
        // recurses.
        if text.len() > MAX_VERSION_BYTES {
            return None;
        }
        match self {
            Self::Semver => semver_lenient(text).map(Version::Semver),
            Self::Go => {
                let bare = text.strip_prefix('v').unwrap_or(text);
                semver_strict(bare).map(Version::Semver)
            }
            Self::Pep440 => pep440_rs::Version::from_str(text).ok().map(Version::Pep440),
            Self::RubyGems => Gem::parse(text).map(Version::RubyGems),
            Self::Maven => Some(Version::Maven(Maven::parse(text))),
            Self::NuGet => NuGet::parse(text).map(Version::NuGet),
            Self::Composer => Composer::parse(text).map(Version::Composer),
        }
    }
}

/// The longest version text read.
const MAX_VERSION_BYTES: usize = 256;

/// A parsed version. Versions of different schemes are not comparable.
#[derive(Debug, Clone)]
pub enum Version {
    /// Semantic version, build metadata dropped (it has no precedence).
    Semver(semver::Version),
    /// PEP 440.
    Pep440(pep440_rs::Version),
    /// RubyGems.
    RubyGems(Gem),
    /// Maven.
    Maven(Maven),
    /// NuGet.
    NuGet(NuGet),
    /// Composer.
    Composer(Composer),
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Self::Semver(a), Self::Semver(b)) => Some(a.cmp(b)),
            (Self::Pep440(a), Self::Pep440(b)) => Some(a.cmp(b)),
            (Self::RubyGems(a), Self::RubyGems(b)) => Some(a.cmp(b)),
            (Self::Maven(a), Self::Maven(b)) => Some(a.cmp(b)),
            (Self::NuGet(a), Self::NuGet(b)) => Some(a.cmp(b)),
            (Self::Composer(a), Self::Composer(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

fn semver_strict(text: &str) -> Option<semver::Version> {
    let mut version = semver::Version::parse(text).ok()?;
    // Build metadata (`+incompatible`, `+build.5`) does not take part in precedence.
    version.build = semver::BuildMetadata::EMPTY;
    Some(version)
}

/// npm accepts `v1.2.3` and `=1.2.3` as 1.2.3; OSV's `0` means "the lowest version".
fn semver_lenient(text: &str) -> Option<semver::Version> {
    let bare = text.trim_start_matches(['v', '=']);
    semver_strict(bare).or_else(|| {
        // `0`, `1.2`: fill the missing parts with zeros.
        let parts: Vec<&str> = bare.split('.').collect();
        if parts.len() < 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            let mut full = parts.join(".");
            for _ in parts.len()..3 {
                full.push_str(".0");
            }
            semver_strict(&full)
        } else {
            None
        }
    })
}

/// Compares two digit strings as the numbers they are, however long.
fn compare_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

// ---------------------------------------------------------------------------------------------
// RubyGems

/// One segment of a gem version: a number or a run of letters.
#[derive(Debug, Clone, PartialEq, Eq)]
enum GemSegment {
    Number(String),
    Letters(String),
}

/// A RubyGems version (`Gem::Version`): segments of digits or letters; any letter makes it a
/// pre-release, which sorts before the release (`1.0.a < 1.0`); trailing zeros do not count
/// (`1.0 == 1`).
#[derive(Debug, Clone)]
pub struct Gem {
    segments: Vec<GemSegment>,
}

impl Gem {
    fn parse(text: &str) -> Option<Self> {
        // Gem::Version accepts digits, letters, dots and dashes (a dash is read as `.pre.`).
        if text.is_empty()
            || !text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        {
            return None;
        }
        let text = text.replace('-', ".pre.");
        let mut segments = Vec::new();
        for part in text.split('.').filter(|p| !p.is_empty()) {
            let mut rest = part;
            while !rest.is_empty() {
                let digits = rest.bytes().next().is_some_and(|b| b.is_ascii_digit());
                let end = rest
                    .bytes()
                    .position(|b| b.is_ascii_digit() != digits)
                    .unwrap_or(rest.len());
                let (run, tail) = rest.split_at(end);
                segments.push(if digits {
                    GemSegment::Number(run.to_owned())
                } else {
                    GemSegment::Letters(run.to_owned())
                });
                rest = tail;
            }
        }
        Some(Self { segments })
    }

    /// The release part and the pre-release part, each without trailing zeros.
    fn canonical(&self) -> Vec<&GemSegment> {
        let zero =
            |s: &&GemSegment| matches!(s, GemSegment::Number(n) if n.bytes().all(|b| b == b'0'));
        let split = self
            .segments
            .iter()
            .position(|s| matches!(s, GemSegment::Letters(_)))
            .unwrap_or(self.segments.len());
        let mut release: Vec<&GemSegment> = self.segments[..split].iter().collect();
        while release.last().is_some_and(zero) {
            release.pop();
        }
        let mut pre: Vec<&GemSegment> = self.segments[split..].iter().collect();
        while pre.last().is_some_and(zero) {
            pre.pop();
        }
        release.extend(pre);
        release
    }
}

impl Ord for Gem {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.canonical(), other.canonical());
        // `Gem::Version#<=>`: a missing segment is 0; letters sort before a number.
        let zero = GemSegment::Number("0".to_owned());
        for i in 0..a.len().max(b.len()) {
            let order = match (
                a.get(i).copied().unwrap_or(&zero),
                b.get(i).copied().unwrap_or(&zero),
            ) {
                (GemSegment::Number(x), GemSegment::Number(y)) => compare_digits(x, y),
                (GemSegment::Letters(x), GemSegment::Letters(y)) => x.cmp(y),
                (GemSegment::Letters(_), GemSegment::Number(_)) => Ordering::Less,
                (GemSegment::Number(_), GemSegment::Letters(_)) => Ordering::Greater,
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for Gem {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Gem {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Gem {}

// ---------------------------------------------------------------------------------------------
// Maven

/// An item of a Maven version: a number, a qualifier, or a sub-list (after `-`, or where
/// letters turn into digits).
#[derive(Debug, Clone)]
enum MavenItem {
    Number(String),
    Qualifier(String),
    List(Vec<MavenItem>),
}

/// A Maven version (`ComparableVersion`): `.`/`-` separated items; well-known qualifiers in
/// their order (alpha < beta < milestone < rc < snapshot < release < sp), others after them
/// in lexical order; trailing zeros and release qualifiers do not count.
#[derive(Debug, Clone)]
pub struct Maven {
    items: Vec<MavenItem>,
}

/// The rank of a qualifier; unknown ones rank after every known one, among themselves by text.
fn qualifier_rank(qualifier: &str) -> (u8, &str) {
    let canonical = match qualifier {
        "cr" => "rc",
        "ga" | "final" | "release" => "",
        other => other,
    };
    match canonical {
        "alpha" => (0, ""),
        "beta" => (1, ""),
        "milestone" => (2, ""),
        "rc" => (3, ""),
        "snapshot" => (4, ""),
        "" => (5, ""),
        "sp" => (6, ""),
        other => (7, other),
    }
}

impl Maven {
    fn parse(text: &str) -> Self {
        let text = text.to_ascii_lowercase();
        // A stack of lists: `-` opens a sub-list, as does a change from letters to digits.
        let mut stack: Vec<Vec<MavenItem>> = vec![Vec::new()];
        let mut token = String::new();
        let mut digits = false;
        let flush = |token: &mut String, digits: bool, list: &mut Vec<MavenItem>| {
            if token.is_empty() {
                list.push(MavenItem::Number("0".into()));
            } else if digits {
                list.push(MavenItem::Number(std::mem::take(token)));
            } else {
                list.push(MavenItem::Qualifier(std::mem::take(token)));
            }
        };
        // `a`, `b` and `m` directly followed by a number are short for alpha, beta and
        // milestone (`1.0a1`); alone (`1.0-a`) they are qualifiers like any other.
        let expand = |token: &mut String| {
            let long = match token.as_str() {
                "a" => "alpha",
                "b" => "beta",
                "m" => "milestone",
                _ => return,
            };
            long.clone_into(token);
        };
        for c in text.chars() {
            match c {
                '.' => {
                    let list = stack.last_mut().expect("a list");
                    flush(&mut token, digits, list);
                }
                '-' => {
                    let list = stack.last_mut().expect("a list");
                    flush(&mut token, digits, list);
                    stack.push(Vec::new());
                }
                c if c.is_ascii_digit() => {
                    if !digits && !token.is_empty() {
                        // Letters then digits (`rc1`): the number starts a sub-list.
                        expand(&mut token);
                        let list = stack.last_mut().expect("a list");
                        flush(&mut token, false, list);
                        stack.push(Vec::new());
                    }
                    digits = true;
                    token.push(c);
                }
                c => {
                    if digits && !token.is_empty() {
                        let list = stack.last_mut().expect("a list");
                        flush(&mut token, true, list);
                        stack.push(Vec::new());
                    }
                    digits = false;
                    token.push(c);
                }
            }
        }
        if !token.is_empty() {
            let list = stack.last_mut().expect("a list");
            flush(&mut token, digits, list);
        }
        // Close the sub-lists from the innermost out, each normalized.
        let mut items = normalize(stack.pop().unwrap_or_default());
        while let Some(mut parent) = stack.pop() {
            if !items.is_empty() {
                parent.push(MavenItem::List(items));
            }
            items = normalize(parent);
        }
        Self { items }
    }
}

/// Drops what does not count from the end of a list, looking past sub-lists: zeros, release
/// qualifiers and empty lists (`1.0-alpha` is `1-alpha`).
fn normalize(mut list: Vec<MavenItem>) -> Vec<MavenItem> {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        let nothing = match &list[i] {
            MavenItem::Number(n) => n.bytes().all(|b| b == b'0'),
            MavenItem::Qualifier(q) => qualifier_rank(q).0 == 5,
            MavenItem::List(l) => l.is_empty(),
        };
        if nothing {
            list.remove(i);
        } else if !matches!(list[i], MavenItem::List(_)) {
            break;
        }
    }
    list
}

/// An item compared with nothing (the other version ended): how it sorts against a release.
fn against_nothing(item: &MavenItem) -> Ordering {
    match item {
        MavenItem::Number(n) if n.bytes().all(|b| b == b'0') => Ordering::Equal,
        MavenItem::Number(_) => Ordering::Greater,
        MavenItem::Qualifier(q) => qualifier_rank(q).cmp(&(5, "")),
        // Every item speaks, not the first alone (MNG-6964): otherwise the ordering is not
        // transitive and sorting may panic.
        MavenItem::List(l) => l
            .iter()
            .map(against_nothing)
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal),
    }
}

fn compare_items(a: &MavenItem, b: &MavenItem) -> Ordering {
    use MavenItem::{List, Number, Qualifier};
    match (a, b) {
        (Number(x), Number(y)) => compare_digits(x, y),
        (Number(_), _) | (List(_), Qualifier(_)) => Ordering::Greater,
        (Qualifier(x), Qualifier(y)) => qualifier_rank(x).cmp(&qualifier_rank(y)),
        (Qualifier(_), _) | (List(_), Number(_)) => Ordering::Less,
        (List(x), List(y)) => compare_lists(x, y),
    }
}

fn compare_lists(a: &[MavenItem], b: &[MavenItem]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let order = match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => compare_items(x, y),
            (Some(x), None) => against_nothing(x),
            (None, Some(y)) => against_nothing(y).reverse(),
            (None, None) => Ordering::Equal,
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

impl Ord for Maven {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_lists(&self.items, &other.items)
    }
}

impl PartialOrd for Maven {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Maven {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Maven {}

// ---------------------------------------------------------------------------------------------
// NuGet

/// A NuGet version (`NuGetVersion`): `major.minor.patch.revision` with missing numbers 0, then
/// dot-separated pre-release labels (numeric ones compared as numbers and before alphanumeric
/// ones, alphanumeric ones without regard to case); a release sorts after its pre-releases and
/// build metadata (`+...`) does not count.
#[derive(Debug, Clone)]
pub struct NuGet {
    numbers: [String; 4],
    labels: Vec<String>,
}

impl NuGet {
    fn parse(text: &str) -> Option<Self> {
        let text = text.split_once('+').map_or(text, |(version, _)| version);
        let (release, labels) = match text.split_once('-') {
            Some((release, labels)) => (release, Some(labels)),
            None => (text, None),
        };
        let parts: Vec<&str> = release.split('.').collect();
        if parts.is_empty()
            || parts.len() > 4
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        let numbers = std::array::from_fn(|i| {
            parts
                .get(i)
                .map_or("0", |p| p.trim_start_matches('0'))
                .to_owned()
        });
        let labels = match labels {
            Some(labels) => {
                let labels: Vec<String> = labels.split('.').map(str::to_ascii_lowercase).collect();
                if labels.iter().any(|l| {
                    l.is_empty() || !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                }) {
                    return None;
                }
                labels
            }
            None => Vec::new(),
        };
        Some(Self { numbers, labels })
    }
}

/// Semantic versioning's pre-release identifier order: numbers by value, before words.
fn compare_label(a: &str, b: &str) -> Ordering {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match (numeric(a), numeric(b)) {
        (true, true) => compare_digits(a, b),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

impl Ord for NuGet {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.numbers.iter().zip(&other.numbers) {
            let order = compare_digits(a, b);
            if order != Ordering::Equal {
                return order;
            }
        }
        match (self.labels.is_empty(), other.labels.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => self
                .labels
                .iter()
                .zip(&other.labels)
                .map(|(a, b)| compare_label(a, b))
                .find(|o| o.is_ne())
                .unwrap_or_else(|| self.labels.len().cmp(&other.labels.len())),
        }
    }
}

impl PartialOrd for NuGet {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NuGet {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NuGet {}

// ---------------------------------------------------------------------------------------------
// Composer (Packagist)

/// One part of a Composer version after PHP's canonical split: a number, or a special form
/// ranked as `version_compare` ranks them.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ComposerPart {
    Number(String),
    Form(i8),
}

/// The rank of a number among special forms (`#` in PHP's table).
const COMPOSER_NUMBER_RANK: i8 = 4;

/// PHP's `version_compare` ranks: `dev < alpha = a < beta = b < RC = rc < # < pl = p`, matched
/// by prefix in that order (so `patch` is `p`); any other word sorts before them all.
fn composer_form(word: &str) -> i8 {
    const FORMS: &[(&str, i8)] = &[
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("rc", 3),
        ("#", COMPOSER_NUMBER_RANK),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(form, _)| word.starts_with(form))
        .map_or(-1, |&(_, rank)| rank)
}

/// A Composer version: normalized as Composer's `VersionParser` does (a leading `v` and build
/// metadata dropped, four numbers, `stable` meaning nothing), then split as PHP's
/// `version_compare` splits (at `.`, `-`, `_`, `+` and between digits and letters). A branch
/// (`dev-main`) is no version.
#[derive(Debug, Clone)]
pub struct Composer {
    parts: Vec<ComposerPart>,
}

impl Composer {
    fn parse(text: &str) -> Option<Self> {
        let text = text.trim().to_ascii_lowercase();
        if text.is_empty() || text.starts_with("dev-") || text.ends_with(".x-dev") {
            return None;
        }
        let text = text.split_once('+').map_or(text.as_str(), |(v, _)| v);
        let text = match text.strip_prefix('v') {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
            _ => text,
        };
        let mut parts = Vec::new();
        let mut token = String::new();
        let flush = |token: &mut String, parts: &mut Vec<ComposerPart>| {
            if token.is_empty() {
                return;
            }
            let part = if token.bytes().all(|b| b.is_ascii_digit()) {
                ComposerPart::Number(token.trim_start_matches('0').to_owned())
            } else if token == "stable" {
                token.clear();
                return;
            } else {
                ComposerPart::Form(composer_form(token))
            };
            parts.push(part);
            token.clear();
        };
        for c in text.chars() {
            if matches!(c, '.' | '-' | '_' | '+') {
                flush(&mut token, &mut parts);
            } else if !c.is_ascii_alphanumeric() {
                return None;
            } else {
                if token
                    .chars()
                    .last()
                    .is_some_and(|last| last.is_ascii_digit() != c.is_ascii_digit())
                {
                    flush(&mut token, &mut parts);
                }
                token.push(c);
            }
        }
        flush(&mut token, &mut parts);
        // Composer writes every version with four numbers (`1.2` is `1.2.0.0`).
        let numbers = parts
            .iter()
            .take_while(|p| matches!(p, ComposerPart::Number(_)))
            .count();
        if numbers == 0 {
            return None;
        }
        for _ in numbers..4 {
            parts.insert(numbers, ComposerPart::Number(String::new()));
        }
        Some(Self { parts })
    }
}

fn composer_rank(part: &ComposerPart) -> i8 {
    match part {
        ComposerPart::Number(_) => COMPOSER_NUMBER_RANK,
        ComposerPart::Form(rank) => *rank,
    }
}

impl Ord for Composer {
    fn cmp(&self, other: &Self) -> Ordering {
        for i in 0..self.parts.len().max(other.parts.len()) {
            let order = match (self.parts.get(i), other.parts.get(i)) {
                (Some(ComposerPart::Number(a)), Some(ComposerPart::Number(b))) => {
                    compare_digits(a, b)
                }
                (Some(a), Some(b)) => composer_rank(a).cmp(&composer_rank(b)),
                // The longer version's next part decides: a number makes it later, a
                // pre-release form earlier, `p` later.
                (Some(ComposerPart::Number(_)), None) => Ordering::Greater,
                (Some(a), None) => composer_rank(a).cmp(&COMPOSER_NUMBER_RANK),
                (None, Some(ComposerPart::Number(_))) => Ordering::Less,
                (None, Some(b)) => COMPOSER_NUMBER_RANK.cmp(&composer_rank(b)),
                (None, None) => Ordering::Equal,
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for Composer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Composer {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Composer {}

#[cfg(test)]
mod tests {
    use super::*;

    fn lt(scheme: Scheme, a: &str, b: &str) {
        let (x, y) = (scheme.parse(a).unwrap(), scheme.parse(b).unwrap());
        assert!(x < y, "{scheme:?}: {a} < {b}");
        assert!(y > x, "{scheme:?}: {b} > {a}");
    }

    fn eq(scheme: Scheme, a: &str, b: &str) {
        let (x, y) = (scheme.parse(a).unwrap(), scheme.parse(b).unwrap());
        assert!(x == y, "{scheme:?}: {a} == {b}");
    }

    #[test]
    fn semver_orders_pre_releases_before_their_release() {
        let s = Scheme::Semver;
        lt(s, "1.0.0-rc.1", "1.0.0");
        lt(s, "1.0.0-alpha", "1.0.0-alpha.1");
        lt(s, "1.0.0-alpha.1", "1.0.0-alpha.beta");
        lt(s, "1.0.0-beta.2", "1.0.0-beta.11");
        lt(s, "1.0.0-rc.1", "1.0.0-rc.1.1");
        lt(s, "0.0.0-0", "0.0.1");
        lt(s, "1.9.0", "1.10.0");
        eq(s, "1.0.0+build.1", "1.0.0");
        eq(s, "v1.2.3", "1.2.3");
        eq(s, "0", "0.0.0");
        assert!(s.parse("not.a.version").is_none());
        assert!(s.parse("1.2.3.4").is_none());
    }

    #[test]
    fn go_reads_the_v_prefix_incompatible_and_pseudo_versions() {
        let g = Scheme::Go;
        eq(g, "v2.0.0+incompatible", "2.0.0");
        lt(g, "v0.0.0-20230102030405-abcdef123456", "v0.0.1");
        lt(
            g,
            "v0.0.0-20230102030405-abcdef123456",
            "v0.0.0-20230102030406-000000000000",
        );
        // A pseudo-version after a tag sorts after the tag, before the next release.
        lt(g, "v1.2.3", "v1.2.4-0.20230102030405-abcdef123456");
        lt(g, "v1.2.4-0.20230102030405-abcdef123456", "v1.2.4");
        lt(g, "1.6.0", "v1.10.0");
    }

    #[test]
    fn pep440_reads_epochs_pre_post_dev_and_local_versions() {
        let p = Scheme::Pep440;
        lt(p, "1.0", "1.0.post1");
        lt(p, "1.0.post1", "1.1");
        lt(p, "1.0.dev1", "1.0a1");
        lt(p, "1.0a1", "1.0b1");
        lt(p, "1.0b1", "1.0rc1");
        lt(p, "1.0rc1", "1.0");
        lt(p, "2.0", "1!0.1");
        lt(p, "1.0", "1.0+local.1");
        eq(p, "1.0", "1.0.0");
        eq(p, "1.0RC1", "1.0rc1");
        assert!(p.parse("1.0-not-pep440!!").is_none());
    }

    #[test]
    fn rubygems_reads_letters_as_pre_releases_and_ignores_trailing_zeros() {
        let r = Scheme::RubyGems;
        lt(r, "1.0.a", "1.0");
        lt(r, "1.0.0.rc1", "1.0.0");
        lt(r, "1.0.a", "1.0.b");
        lt(r, "1.0.a9", "1.0.a10");
        lt(r, "1.9", "1.10");
        lt(r, "1.0.0-1", "1.0.0");
        eq(r, "1.0", "1");
        eq(r, "1.0.0", "1");
        // A missing segment is 0, and a letter sorts before it (`Gem::Version#<=>`).
        lt(r, "1.a.0.b", "1.a");
        eq(r, "1.a.0", "1.a");
        assert!(r.parse("1.0 beta").is_none());
    }

    #[test]
    fn maven_orders_qualifiers_and_ignores_release_suffixes() {
        let m = Scheme::Maven;
        lt(m, "1.0-alpha-1", "1.0-beta-1");
        lt(m, "1.0-beta1", "1.0-rc1");
        lt(m, "1.0-rc1", "1.0-SNAPSHOT");
        lt(m, "1.0-SNAPSHOT", "1.0");
        lt(m, "1.0", "1.0-sp1");
        lt(m, "1.0", "1.0.1");
        eq(m, "1.0-alpha", "1-alpha");
        lt(m, "1.9", "1.10");
        lt(m, "2.0.0-M1", "2.0.0-RC1");
        eq(m, "1.0", "1.0.0");
        eq(m, "1.0-final", "1.0");
        eq(m, "1.0.ga", "1");
        eq(m, "1.0-cr1", "1.0-rc1");
        // `a`, `b`, `m` abbreviate only when a number follows.
        eq(m, "1.0a1", "1.0-alpha-1");
        lt(m, "1.0", "1.0-a");
        lt(m, "1.0-b1", "1.0-a");
        // A sub-list against nothing is judged by all its items (MNG-6964).
        lt(m, "1-0-alpha", "1");
        lt(m, "1-0.0-alpha", "1");
    }

    #[test]
    fn overlong_versions_are_not_read() {
        let long = "1-".repeat(200_000);
        for scheme in [
            Scheme::Semver,
            Scheme::Go,
            Scheme::Pep440,
            Scheme::RubyGems,
            Scheme::Maven,
        ] {
            assert!(scheme.parse(&long).is_none(), "{scheme:?}");
        }
        assert!(Scheme::Maven.parse(&"1-".repeat(100)).is_some());
    }

    #[test]
    fn nuget_orders_four_numbers_and_labels_without_case() {
        lt(Scheme::NuGet, "1.0.0-beta", "1.0.0");
        lt(Scheme::NuGet, "1.0.0", "1.0.0.1");
        lt(Scheme::NuGet, "1.0.0-alpha.2", "1.0.0-alpha.10");
        lt(Scheme::NuGet, "1.0.0-alpha.9", "1.0.0-alpha.beta");
        lt(Scheme::NuGet, "4.9", "4.10.0");
        eq(Scheme::NuGet, "1.0", "1.0.0.0");
        eq(Scheme::NuGet, "1.0.0-RC.1", "1.0.0-rc.1");
        eq(Scheme::NuGet, "1.0.0+build.5", "1.0.0");
        assert!(Scheme::NuGet.parse("1.0.0.0.0").is_none());
        assert!(Scheme::NuGet.parse("latest").is_none());
    }

    #[test]
    fn composer_normalizes_then_orders_as_version_compare() {
        lt(Scheme::Composer, "2.0.0-dev", "2.0.0-alpha1");
        lt(Scheme::Composer, "2.0.0-alpha1", "2.0.0-beta");
        lt(Scheme::Composer, "2.0.0-beta2", "2.0.0-RC1");
        lt(Scheme::Composer, "2.0.0-RC1", "2.0.0");
        lt(Scheme::Composer, "2.0.0", "2.0.0-patch1");
        lt(Scheme::Composer, "v5.4.9", "5.4.20");
        lt(Scheme::Composer, "1.2", "1.2.0.1");
        eq(Scheme::Composer, "v6.4.1", "6.4.1.0");
        eq(Scheme::Composer, "1.0.0-stable", "1.0");
        eq(Scheme::Composer, "1.0.0-b2", "1.0.0-beta2");
        assert!(Scheme::Composer.parse("dev-main").is_none());
        assert!(Scheme::Composer.parse("2.x-dev").is_none());
    }

    #[test]
    fn versions_of_different_schemes_do_not_compare() {
        let a = Scheme::Semver.parse("1.0.0").unwrap();
        let b = Scheme::Pep440.parse("1.0.0").unwrap();
        assert_eq!(a.partial_cmp(&b), None);
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;
        use std::fmt::Write as _;

        fn semver_text() -> impl Strategy<Value = String> {
            (
                0u64..20,
                0u64..20,
                0u64..20,
                proptest::option::of("(alpha|beta|rc)(\\.([1-9][0-9]?|0))?"),
            )
                .prop_map(|(a, b, c, pre)| match pre {
                    Some(pre) => format!("{a}.{b}.{c}-{pre}"),
                    None => format!("{a}.{b}.{c}"),
                })
        }

        fn pep440_text() -> impl Strategy<Value = String> {
            (
                proptest::option::of(0u64..3),
                0u64..20,
                0u64..20,
                proptest::option::of("(a|b|rc)[0-9]"),
                proptest::option::of(0u64..3),
                proptest::option::of(0u64..3),
            )
                .prop_map(|(epoch, a, b, pre, post, dev)| {
                    let mut text = epoch.map_or(String::new(), |e| format!("{e}!"));
                    let _ = write!(text, "{a}.{b}");
                    if let Some(pre) = pre {
                        text.push_str(&pre);
                    }
                    if let Some(post) = post {
                        let _ = write!(text, ".post{post}");
                    }
                    if let Some(dev) = dev {
                        let _ = write!(text, ".dev{dev}");
                    }
                    text
                })
        }

        fn gem_text() -> impl Strategy<Value = String> {
            proptest::collection::vec("[0-9]{1,2}|[a-c]{1,2}", 1..5).prop_map(|s| s.join("."))
        }

        fn nuget_text() -> impl Strategy<Value = String> {
            (
                proptest::collection::vec(0u64..12, 1..5),
                proptest::option::of("(alpha|Beta|rc|[0-9])(\\.(alpha|[0-9]{1,2}))?"),
            )
                .prop_map(|(numbers, label)| {
                    let numbers: Vec<String> = numbers.iter().map(u64::to_string).collect();
                    match label {
                        Some(l) => format!("{}-{l}", numbers.join(".")),
                        None => numbers.join("."),
                    }
                })
        }

        fn composer_text() -> impl Strategy<Value = String> {
            (
                proptest::option::of("v"),
                proptest::collection::vec(0u64..12, 1..5),
                proptest::option::of("(dev|alpha|a|beta|b|RC|stable|patch|pl|p)[0-9]?"),
            )
                .prop_map(|(v, numbers, suffix)| {
                    let numbers: Vec<String> = numbers.iter().map(u64::to_string).collect();
                    let mut text = format!("{}{}", v.unwrap_or_default(), numbers.join("."));
                    if let Some(suffix) = suffix {
                        text.push('-');
                        text.push_str(&suffix);
                    }
                    text
                })
        }

        fn maven_text() -> impl Strategy<Value = String> {
            (
                proptest::collection::vec(0u64..12, 1..4),
                proptest::option::of("(alpha|beta|rc|SNAPSHOT|sp|final|foo)[0-9]?"),
            )
                .prop_map(|(numbers, qualifier)| {
                    let numbers: Vec<String> = numbers.iter().map(u64::to_string).collect();
                    match qualifier {
                        Some(q) => format!("{}-{q}", numbers.join(".")),
                        None => numbers.join("."),
                    }
                })
        }

        /// Maven's own ordering is not transitive where a bare qualifier meets a sub-list
        /// (`m2.b < m2-m2 < m2 < m2.b`, as `ComparableVersion` has it): harden never sorts by
        /// it, and these only check that two versions always compare one way.
        fn maven_any_text() -> impl Strategy<Value = String> {
            // Items of every kind (zeros, release words, letters running into digits) joined
            // by both separators, so that sub-lists meet the end of the other version.
            proptest::collection::vec(
                (
                    "0|[1-9]|alpha|a1|b|m2|rc1|SNAPSHOT|sp|final|ga|foo|1a",
                    "[.-]",
                ),
                1..6,
            )
            .prop_map(|items| {
                let mut text = String::new();
                for (i, (item, separator)) in items.iter().enumerate() {
                    if i > 0 {
                        text.push_str(separator);
                    }
                    text.push_str(item);
                }
                text
            })
        }

        /// A total order: antisymmetric and transitive, equal to itself.
        #[allow(clippy::many_single_char_names)] // three versions and their parses
        fn total(scheme: Scheme, a: &str, b: &str, c: &str) -> Result<(), TestCaseError> {
            let (x, y, z) = (
                scheme.parse(a).unwrap(),
                scheme.parse(b).unwrap(),
                scheme.parse(c).unwrap(),
            );
            prop_assert_eq!(x.partial_cmp(&x), Some(Ordering::Equal));
            let xy = x.partial_cmp(&y).unwrap();
            prop_assert_eq!(y.partial_cmp(&x).unwrap(), xy.reverse(), "{} {}", a, b);
            let yz = y.partial_cmp(&z).unwrap();
            if xy != Ordering::Greater && yz != Ordering::Greater {
                prop_assert_ne!(
                    x.partial_cmp(&z).unwrap(),
                    Ordering::Greater,
                    "{} {} {}",
                    a,
                    b,
                    c
                );
            }
            Ok(())
        }

        proptest! {
            #[test]
            fn semver_is_a_total_order(a in semver_text(), b in semver_text(), c in semver_text()) {
                total(Scheme::Semver, &a, &b, &c)?;
            }

            #[test]
            fn semver_agrees_with_the_release_triple(a in semver_text(), b in semver_text()) {
                let (x, y) = (semver::Version::parse(&a).unwrap(), semver::Version::parse(&b).unwrap());
                if (x.major, x.minor, x.patch) != (y.major, y.minor, y.patch) {
                    prop_assert_eq!(
                        Scheme::Semver.parse(&a).unwrap().partial_cmp(&Scheme::Semver.parse(&b).unwrap()),
                        Some((x.major, x.minor, x.patch).cmp(&(y.major, y.minor, y.patch)))
                    );
                }
            }

            #[test]
            fn pep440_is_a_total_order(a in pep440_text(), b in pep440_text(), c in pep440_text()) {
                total(Scheme::Pep440, &a, &b, &c)?;
            }

            #[test]
            fn rubygems_is_a_total_order(a in gem_text(), b in gem_text(), c in gem_text()) {
                total(Scheme::RubyGems, &a, &b, &c)?;
            }

            #[test]
            fn nuget_is_a_total_order(a in nuget_text(), b in nuget_text(), c in nuget_text()) {
                total(Scheme::NuGet, &a, &b, &c)?;
            }

            #[test]
            fn composer_is_a_total_order(a in composer_text(), b in composer_text(), c in composer_text()) {
                total(Scheme::Composer, &a, &b, &c)?;
            }

            #[test]
            fn maven_is_a_total_order(a in maven_text(), b in maven_text(), c in maven_text()) {
                total(Scheme::Maven, &a, &b, &c)?;
            }

            #[test]
            fn maven_compares_any_two_versions_one_way(a in maven_any_text(), b in maven_any_text()) {
                let (x, y) = (Scheme::Maven.parse(&a).unwrap(), Scheme::Maven.parse(&b).unwrap());
                prop_assert_eq!(x.partial_cmp(&y).map(Ordering::reverse), y.partial_cmp(&x));
            }

            #[test]
            fn go_ignores_incompatible(a in semver_text()) {
                let plain = Scheme::Go.parse(&format!("v{a}")).unwrap();
                let tagged = Scheme::Go.parse(&format!("v{a}+incompatible")).unwrap();
                prop_assert!(plain == tagged);
            }
        }
    }
}
