//! Precision and recall of the built-in rules on the labeled corpus (see labeled/mod.rs).
//! `cargo test -p harden-secrets --test corpus -- --nocapture` prints the table per rule.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "labeled/mod.rs"]
mod corpus;

use std::collections::BTreeMap;

use harden_secrets::{Detector, RULES};

#[derive(Default, Clone, Copy)]
struct Tally {
    planted: u32,
    found: u32,
    attributed: u32,
    reported: u32,
    false_positives: u32,
}

fn rule_ids() -> Vec<&'static str> {
    RULES.iter().map(|r| r.id).collect()
}

#[test]
fn every_rule_has_a_generator() {
    let mut rng = corpus::Rng::new(1);
    let missing: Vec<&str> = rule_ids()
        .into_iter()
        .filter(|id| corpus::sample(id, &mut rng).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a corpus generator: {missing:?}"
    );
    assert!(RULES.len() >= 450, "{} rules", RULES.len());
}

#[test]
fn precision_and_recall_per_rule() {
    let detector = Detector::new(RULES).unwrap();
    let corpus = corpus::build(0x005E_C2E7, 16, &rule_ids());
    let mut tally: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut false_positives = Vec::new();
    let mut misses = Vec::new();
    for (index, (path, text)) in corpus.files.iter().enumerate() {
        let found = detector.scan(text);
        let planted: Vec<&corpus::Planted> =
            corpus.planted.iter().filter(|p| p.file == index).collect();
        for p in &planted {
            let entry = tally.entry(p.rule).or_default();
            entry.planted += 1;
            let hits: Vec<_> = found
                .iter()
                .filter(|m| m.start < p.end && p.start < m.end)
                .collect();
            if hits.is_empty() {
                misses.push(format!("{} in {path} ({:?})", p.rule, p.encoding));
            } else {
                entry.found += 1;
                if hits.iter().any(|m| &*m.rule == p.rule) {
                    entry.attributed += 1;
                }
            }
        }
        for m in &found {
            let rule: &'static str = RULES.iter().find(|r| r.id == &*m.rule).unwrap().id;
            let entry = tally.entry(rule).or_default();
            entry.reported += 1;
            if !planted.iter().any(|p| m.start < p.end && p.start < m.end) {
                entry.false_positives += 1;
                false_positives.push(format!("{rule} {} at {path}:{}", m.secret, m.position.line));
            }
        }
    }
    println!(
        "{:<36} {:>7} {:>7} {:>9} {:>9}",
        "rule", "planted", "recall", "reported", "precision"
    );
    let (mut planted, mut found, mut reported, mut fps) = (0, 0, 0, 0);
    for (rule, t) in &tally {
        let recall = if t.planted == 0 {
            1.0
        } else {
            f64::from(t.found) / f64::from(t.planted)
        };
        let precision = if t.reported == 0 {
            1.0
        } else {
            f64::from(t.reported - t.false_positives) / f64::from(t.reported)
        };
        println!(
            "{rule:<36} {:>7} {recall:>7.3} {:>9} {precision:>9.3}",
            t.planted, t.reported
        );
        planted += t.planted;
        found += t.found;
        reported += t.reported;
        fps += t.false_positives;
    }
    let recall = f64::from(found) / f64::from(planted);
    let precision = f64::from(reported - fps) / f64::from(reported);
    println!(
        "overall: {planted} planted, recall {recall:.4}; {reported} reported, precision {precision:.4}; {} files",
        corpus.files.len()
    );
    println!("misses: {misses:#?}");
    println!("false positives: {false_positives:#?}");
    assert!(recall >= 0.97, "recall {recall:.4}: {misses:#?}");
    assert!(
        precision >= 0.97,
        "precision {precision:.4}: {false_positives:#?}"
    );
    // Every rule finds most of its own secrets: a rule that never fires is a defect.
    for (rule, t) in &tally {
        if t.planted > 0 {
            assert!(
                f64::from(t.found) / f64::from(t.planted) >= 0.8,
                "{rule}: {} of {} found",
                t.found,
                t.planted
            );
        }
    }
}
