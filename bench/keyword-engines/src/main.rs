//! How fast can harden's first pass be? Single-threaded throughput, over a tree's text files held
//! in memory (those harden scans: no NUL in the first 8,000 bytes, at most 10 MiB), of:
//!
//! - `detector`: harden's secret detector with its built-in rules, everything it does per text;
//! - `detector floor`: the same detector with every built-in rule turned off and one rule whose
//!   keyword never occurs: finding and decoding base64, hex and URL-encoded runs, and walking a
//!   one-keyword automaton, but no keyword hit and so no rule run;
//! - `hyperscan`: Intel Hyperscan (the engine of Hyperscan-class scanners) finding every
//!   occurrence of the built-in rules' keywords, ASCII-case-insensitively, as harden's keyword
//!   pass does, and counting them;
//! - `aho-corasick`: the aho-corasick crate's DFA doing the same, as a reference: both must count
//!   the same occurrences.
//!
//! Usage: `cargo run --release -- TREE [ROUNDS]` (Debian: `apt-get install libhyperscan-dev`).
//! Medians of ROUNDS (default 5) rounds, each engine in turn within a round.

// A benchmark outside harden: it reads the tree itself, not through harden's ports.
#![allow(clippy::disallowed_methods)]

use harden_secrets::{CustomRule, Detector, DetectorConfig, RULES};
use hyperscan::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Files harden scans whole or in chunks: larger ones are outside this comparison.
const MAX_FILE: usize = 10 << 20;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(tree) = args.next() else {
        eprintln!("usage: harden-keyword-engines TREE [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args
        .next()
        .map_or(5, |r| r.parse().expect("ROUNDS is a number"));
    if rounds == 0 {
        eprintln!("ROUNDS must be at least 1");
        std::process::exit(2);
    }
    let texts = texts(Path::new(&tree));
    let bytes: usize = texts.iter().map(Vec::len).sum();
    println!("{} text files, {} bytes", texts.len(), bytes);

    let mut keywords: Vec<String> = Vec::new();
    for rule in RULES {
        for keyword in rule.keywords {
            let keyword = keyword.to_ascii_lowercase();
            if !keywords.contains(&keyword) {
                keywords.push(keyword);
            }
        }
    }
    println!(
        "{} rules, {} distinct keywords (shortest {} bytes)",
        RULES.len(),
        keywords.len(),
        keywords.iter().map(String::len).min().unwrap_or(0)
    );

    let detector = Detector::with_config(&DetectorConfig::default()).expect("built-in rules");
    let floor = Detector::with_config(&DetectorConfig {
        disabled: RULES.iter().map(|r| r.id.to_owned()).collect(),
        custom: vec![CustomRule {
            id: "never".into(),
            description: "a keyword no text holds".into(),
            pattern: "never-found-keyword-q7zv3x=([a-z]{40})".into(),
            keywords: vec!["never-found-keyword-q7zv3x".into()],
            min_entropy: None,
        }],
        allow: Vec::new(),
    })
    .expect("one custom rule");
    // Hyperscan's literal syntax is a regular expression's: every byte but a letter or digit is
    // written as an escape.
    let patterns: Patterns = keywords
        .iter()
        .enumerate()
        .map(|(id, keyword)| {
            let escaped: String = keyword
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() {
                        char::from(b).to_string()
                    } else {
                        format!("\\x{b:02x}")
                    }
                })
                .collect();
            let mut pattern =
                Pattern::with_flags(escaped, CompileFlags::CASELESS).expect("a literal pattern");
            pattern.id = Some(id);
            pattern
        })
        .collect();
    let database: BlockDatabase = patterns.build().expect("Hyperscan compiles the keywords");
    let scratch = database.alloc_scratch().expect("Hyperscan scratch space");
    let automaton = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&keywords)
        .expect("aho-corasick builds the keywords");

    let mut times: [Vec<Duration>; 4] = Default::default();
    let mut counts = [0usize; 4];
    for _ in 0..rounds {
        let (time, found) = timed(|| texts.iter().map(|t| detector.scan(t).len()).sum());
        times[0].push(time);
        counts[0] = found;
        let (time, found) = timed(|| texts.iter().map(|t| floor.scan(t).len()).sum());
        times[1].push(time);
        counts[1] = found;
        let (time, found) = timed(|| {
            let mut found = 0;
            for text in &texts {
                database
                    .scan(text.as_slice(), &scratch, |_, _, _, _| {
                        found += 1;
                        Matching::Continue
                    })
                    .expect("Hyperscan scans");
            }
            found
        });
        times[2].push(time);
        counts[2] = found;
        let (time, found) = timed(|| {
            texts
                .iter()
                .map(|t| automaton.find_overlapping_iter(t.as_slice()).count())
                .sum()
        });
        times[3].push(time);
        counts[3] = found;
    }
    assert_eq!(
        counts[2], counts[3],
        "Hyperscan and aho-corasick count the same keyword occurrences"
    );
    println!("median of {rounds} rounds, one thread        time        GB/s   found");
    let names = [
        ("detector", "secrets"),
        ("detector floor", "secrets"),
        ("hyperscan keywords", "occurrences"),
        ("aho-corasick keywords", "occurrences"),
    ];
    for ((name, what), (runs, found)) in names.iter().zip(times.iter_mut().zip(counts)) {
        runs.sort();
        let median = runs[runs.len() / 2];
        println!(
            "{name:<32} {:>8.1} ms {:>7.2}   {found} {what}",
            median.as_secs_f64() * 1e3,
            bytes as f64 / median.as_secs_f64() / 1e9
        );
    }
}

fn timed(work: impl FnOnce() -> usize) -> (Duration, usize) {
    let start = Instant::now();
    let found = std::hint::black_box(work());
    (start.elapsed(), found)
}

/// The text files under `root`, `.git` left out, as harden's walk reads them.
fn texts(root: &Path) -> Vec<Vec<u8>> {
    let mut texts = Vec::new();
    let mut pending: Vec<PathBuf> = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() && entry.file_name() != ".git" {
                pending.push(entry.path());
            } else if kind.is_file()
                && entry.metadata().is_ok_and(|m| m.len() <= MAX_FILE as u64)
                && let Ok(bytes) = std::fs::read(entry.path())
                && !bytes[..bytes.len().min(8000)].contains(&0)
            {
                texts.push(bytes);
            }
        }
    }
    texts
}
