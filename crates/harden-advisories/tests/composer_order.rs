//! harden's Composer ordering against Composer's own: every pair of a set of real and
//! hand-written versions, ordered by composer/semver (see the data file's header and
//! `bench/vulns/composer-reference.php`).

use std::cmp::Ordering;

use harden_advisories::version::Scheme;

#[test]
fn composer_versions_sort_as_composer_sorts_them() {
    let data = include_str!("data/composer-order.tsv");
    let mut compared = 0;
    let mut wrong = Vec::new();
    for line in data.lines().filter(|l| !l.starts_with('#')) {
        let mut fields = line.split('\t');
        let (Some(a), Some(b), Some(order)) = (fields.next(), fields.next(), fields.next()) else {
            panic!("a line of three fields: {line:?}");
        };
        let expected = match order {
            "-1" => Ordering::Less,
            "0" => Ordering::Equal,
            "1" => Ordering::Greater,
            other => panic!("an order of -1, 0 or 1: {other:?}"),
        };
        let (x, y) = (
            Scheme::Composer
                .parse(a)
                .unwrap_or_else(|| panic!("{a} parses")),
            Scheme::Composer
                .parse(b)
                .unwrap_or_else(|| panic!("{b} parses")),
        );
        if x.partial_cmp(&y) != Some(expected) {
            wrong.push(format!(
                "{a} vs {b}: Composer {expected:?}, harden {:?}",
                x.partial_cmp(&y)
            ));
        }
        compared += 1;
    }
    assert!(compared > 4_000, "{compared} pairs");
    assert!(
        wrong.is_empty(),
        "{} of {compared} pairs differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
