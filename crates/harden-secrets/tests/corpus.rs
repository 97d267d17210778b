//! Precision and recall of the built-in rules on the labeled corpus (see labeled/mod.rs).
//! `cargo test -p harden-secrets --test corpus -- --nocapture` prints the table per rule.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::disallowed_methods)] // Test code: real files; panics are failures.

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

/// Text files under `dir` (this repository's own sources and documents): real code full of
/// `token`, `key`, `pass` and URLs that hold no secret.
fn real_texts(dir: &std::path::Path, texts: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            real_texts(&path, texts);
        } else if path
            .extension()
            .is_some_and(|e| ["rs", "md", "toml", "sh", "yml"].iter().any(|x| e == *x))
            && let Ok(bytes) = std::fs::read(&path)
        {
            texts.push((path.display().to_string(), bytes));
        }
    }
}

/// A rule's keyword check (`Rule::keyword_check`) only spares windows that hold no match: every
/// match of the rule's pattern, in a corpus of its own positives and in this repository's
/// sources, holds one of the rule's keywords at which the check passes.
#[test]
fn keyword_checks_keep_every_match() {
    let checked: Vec<&harden_secrets::Rule> =
        RULES.iter().filter(|r| r.keyword_check.is_some()).collect();
    assert!(checked.len() >= 10, "{} rules with a check", checked.len());
    let ids: Vec<&'static str> = checked.iter().map(|r| r.id).collect();
    let corpus = corpus::build(0x0C4E_C6ED, 200, &ids);
    let mut texts: Vec<(String, Vec<u8>)> = corpus
        .files
        .iter()
        .map(|(path, text)| (path.clone(), text.clone().into_bytes()))
        .collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for dir in ["crates", "docs", "bench", ".ci"] {
        real_texts(&root.join(dir), &mut texts);
    }
    for rule in checked {
        let check = rule.keyword_check.unwrap();
        // Compiled as the detector compiles it: bytes, not UTF-8 text.
        let regex = regex_automata::meta::Builder::new()
            .syntax(
                regex_automata::util::syntax::Config::new()
                    .unicode(false)
                    .utf8(false),
            )
            .build(rule.pattern)
            .unwrap();
        let keywords: Vec<Vec<u8>> = rule
            .keywords
            .iter()
            .map(|k| k.to_ascii_lowercase().into_bytes())
            .collect();
        let mut matches = 0;
        for (path, text) in &texts {
            let lower = text.to_ascii_lowercase();
            for m in regex.find_iter(text.as_slice()) {
                matches += 1;
                // Keyword occurrences that overlap the match.
                let from = m.start().saturating_sub(64);
                let to = (m.end() + 64).min(text.len());
                let passes = keywords.iter().any(|k| {
                    (from..to.saturating_sub(k.len() - 1)).any(|at| {
                        let end = at + k.len();
                        lower[at..end] == k[..]
                            && at < m.end()
                            && end > m.start()
                            && check(text, at, end)
                    })
                });
                assert!(
                    passes,
                    "{}: a match at {path}:{} opens no window: {:?}",
                    rule.id,
                    m.start(),
                    String::from_utf8_lossy(&text[m.start()..m.end().min(m.start() + 24)])
                );
            }
        }
        assert!(matches >= 100, "{}: only {matches} matches", rule.id);
    }
}
