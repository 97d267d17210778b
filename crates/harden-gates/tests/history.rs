//! R3.secrets.history on histories built with `git fast-import`: a secret that stays in 1,000
//! commits is read once; a secret edited in 40 commits is one finding with 40 locations;
//! `since` reads only what is new; deleted secrets are found with their introducing commit.
#![allow(clippy::disallowed_methods, clippy::unwrap_used)] // Test code: real files; panics are failures.

use std::fmt::Write as _;

use harden_config::{OptionValue, ValidConfig};
use harden_engine::{FixedClock, Ports, RunContext, RunOptions};
use harden_model::{GateId, GateResult, RunTarget, ToolInfo};
use harden_repo::{GitHistory, WorkTree};
use harden_test::TestRepo;

// Assembled from parts: harden scans its own sources, which must hold no credential.
const SECRET: &str = concat!("sk_live_", "Zq8RkT2vLm5Np9Wx3Yb7Hc4J");

fn blob(text: &str) -> String {
    format!("data {}\n{text}\n", text.len())
}

/// `commits` commits on main: the first adds `config/app.env` with `SECRET` (and, when
/// `edit_secret_file`, every commit rewrites that file keeping the secret); each touches
/// `counter.txt`.
fn history(commits: usize, edit_secret_file: bool) -> TestRepo {
    let mut stream = String::new();
    for i in 1..=commits {
        let when = 1_700_000_000 + i * 60;
        write!(
            stream,
            "commit refs/heads/main\nmark :{i}\nauthor Dana <dana@example.com> {when} +0000\ncommitter Dana <dana@example.com> {when} +0000\n{}",
            blob(&format!("change {i}"))
        )
        .unwrap();
        if i > 1 {
            writeln!(stream, "from :{}", i - 1).unwrap();
        }
        write!(
            stream,
            "M 100644 inline counter.txt\n{}",
            blob(&i.to_string())
        )
        .unwrap();
        if i == 1 || edit_secret_file {
            write!(
                stream,
                "M 100644 inline config/app.env\n{}",
                blob(&format!("# revision {i}\nSTRIPE_KEY={SECRET}\n"))
            )
            .unwrap();
        }
    }
    let repo = TestRepo::new();
    repo.fast_import(&stream);
    repo
}

fn run(repo: &TestRepo, since: Option<&str>) -> GateResult {
    run_with(repo, ValidConfig::defaults(), since)
}

fn run_with(repo: &TestRepo, mut config: ValidConfig, since: Option<&str>) -> GateResult {
    if let Some(since) = since {
        config
            .gates
            .entry(GateId::from_static("R3.secrets.history"))
            .or_default()
            .options
            .insert("since".into(), OptionValue::String(since.into()));
    }
    let worktree = WorkTree::new(repo.path());
    let history = GitHistory::open(repo.path())
        .unwrap()
        .with_cache_writes(true);
    run_ports(&worktree, &history, &config)
}

fn run_ports(worktree: &WorkTree, history: &GitHistory, config: &ValidConfig) -> GateResult {
    let registry = harden_gates::registry();
    let clock = FixedClock("2026-11-22T12:00:00Z".parse().unwrap());
    let ports = Ports {
        repo: worktree,
        history: Ok(history),
        ledger: Err("none".into()),
        clock: &clock,
        env: &harden_engine::FixedEnvironment(std::collections::BTreeMap::default()),
        service: Err("no [target] in harden.toml: live gates need a running service".into()),
        advisories: Err("no advisory database in this run".into()),
        cache: harden_engine::RunCache::default(),
    };
    let options = RunOptions {
        profile: config.resolve_profile(Some("production")).unwrap(),
        strict: false,
        only: vec!["R3.secrets.history".into()],
        skip: Vec::new(),
        min_severity: None,
    };
    let context = RunContext {
        run_id: "history".into(),
        tool: ToolInfo {
            name: "harden".into(),
            version: "test".into(),
        },
        target: RunTarget::default(),
    };
    let mut report = harden_engine::run(&registry, config, &ports, &options, context, &|_| {});
    report.gates.remove(0)
}

fn examined(result: &GateResult, what: &str) -> u64 {
    let evidence = serde_json::to_value(&result.evidence).unwrap();
    evidence["examined"][what].as_u64().unwrap_or(0)
}

/// What git itself counts: every blob reachable from any ref (rev-list prints blobs with their
/// path; commits, which the filter cannot drop, without).
fn blobs_in_git(repo: &TestRepo) -> u64 {
    repo.git(&[
        "rev-list",
        "--objects",
        "--all",
        "--filter=object:type=blob",
    ])
    .lines()
    .filter(|line| line.contains(' '))
    .count() as u64
}

#[test]
fn a_secret_in_a_thousand_commits_is_read_once() {
    let repo = history(1000, false);
    let result = run(&repo, None);
    assert_eq!(result.outcome.as_str(), "fail");
    // Every distinct blob read exactly once: 1,000 counter versions and the one env file.
    assert_eq!(examined(&result, "blobs"), 1001);
    assert_eq!(examined(&result, "blobs"), blobs_in_git(&repo));
    assert_eq!(result.findings.len(), 1);
    let finding = &result.findings[0];
    assert!(finding.related.is_empty(), "one blob, one location");
    assert!(
        finding.message.contains("by Dana on 2023-11-14"),
        "{}",
        finding.message
    );
    let first = repo.git(&["rev-list", "--max-parents=0", "HEAD"]);
    let json = serde_json::to_string(&finding).unwrap();
    assert!(
        json.contains(first.trim()),
        "names the introducing commit: {json}"
    );
    assert!(!json.contains(SECRET), "never the secret itself");
}

#[test]
fn a_secret_edited_in_forty_commits_is_one_finding_with_forty_locations() {
    let repo = history(40, true);
    let result = run(&repo, None);
    assert_eq!(result.findings.len(), 1);
    assert_eq!(result.findings[0].related.len(), 39);
    assert!(
        result.findings[0].message.ends_with("in 40 places"),
        "{}",
        result.findings[0].message
    );
}

#[test]
fn since_reads_only_blobs_new_after_the_revision() {
    let repo = history(1000, false);
    let base = repo.git(&["rev-parse", "main~500"]);
    let result = run(&repo, Some(base.trim()));
    // The secret came long before: nothing new holds it.
    assert_eq!(result.outcome.as_str(), "pass", "{:?}", result.findings);
    assert_eq!(examined(&result, "blobs"), 500);
    let bad = run(&repo, Some("no-such-ref"));
    assert_eq!(bad.outcome.as_str(), "fail");
    assert!(bad.summary.contains("no-such-ref"), "{}", bad.summary);
}

#[test]
fn a_secret_on_another_branch_and_then_deleted_is_found() {
    let repo = TestRepo::new();
    repo.write("README.md", "service\n");
    repo.commit("init", "2026-01-01T10:00:00Z");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("deploy/env", format!("TOKEN={SECRET}\n"));
    let introduced = repo.commit("add deploy env", "2026-01-02T10:00:00Z");
    repo.remove("deploy/env");
    repo.commit("remove it", "2026-01-03T10:00:00Z");
    repo.git(&["checkout", "-q", "main"]);
    let result = run(&repo, None);
    assert_eq!(result.findings.len(), 1, "found on the feature branch");
    let json = serde_json::to_string(&result.findings[0]).unwrap();
    assert!(json.contains(&introduced), "{json}");
    assert!(json.contains("deploy/env"), "{json}");
}

#[test]
fn content_first_seen_under_a_left_out_path_is_read_where_it_is_scanned() {
    let repo = TestRepo::new();
    repo.write("fixtures/leak.env", format!("TOKEN={SECRET}\n"));
    repo.commit("fixture", "2026-01-01T10:00:00Z");
    repo.write("config/prod.env", format!("TOKEN={SECRET}\n"));
    let copied = repo.commit("copy it", "2026-01-02T10:00:00Z");
    repo.remove("config/prod.env");
    repo.commit("remove the copy", "2026-01-03T10:00:00Z");
    repo.write(
        "harden.toml",
        "version = 1\n\n[secrets]\nallow-paths = [\"fixtures/**\"]\n",
    );
    let registry = harden_gates::registry();
    let config = harden_config::load(
        "harden.toml",
        &std::fs::read_to_string(repo.path().join("harden.toml")).unwrap(),
        &registry.catalogue(),
    )
    .unwrap();
    let result = run_with(&repo, config, None);
    assert_eq!(result.findings.len(), 1, "{:?}", result.findings);
    let json = serde_json::to_string(&result.findings[0]).unwrap();
    assert!(
        json.contains("config/prod.env") && json.contains(&copied),
        "{json}"
    );
}

#[test]
fn blobs_tagged_directly_are_read() {
    let repo = TestRepo::new();
    repo.write("README.md", "service\n");
    repo.commit("init", "2026-01-01T10:00:00Z");
    repo.write("loose.txt", format!("TOKEN={SECRET}\n"));
    let blob = repo.git(&["hash-object", "-w", "loose.txt"]);
    repo.remove("loose.txt");
    repo.git(&["tag", "keep-this", blob.trim()]);
    let result = run(&repo, None);
    assert_eq!(result.findings.len(), 1, "{:?}", result.findings);
    assert!(
        serde_json::to_string(&result.findings[0])
            .unwrap()
            .contains("refs/tags/keep-this")
    );
}

#[test]
fn a_shallow_clone_is_skipped_with_the_way_out() {
    let origin = history(5, false);
    let shallow = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(shallow.path().join("clone"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .unwrap();
    assert!(status.success());
    let clone = shallow.path().join("clone");
    let worktree = WorkTree::new(&clone);
    let history = GitHistory::open(&clone).unwrap();
    let result = run_ports(&worktree, &history, &ValidConfig::defaults());
    assert_eq!(result.outcome.as_str(), "skipped", "{}", result.summary);
    assert!(
        result.summary.contains("fetch-depth: 0"),
        "{}",
        result.summary
    );
}

/// A second run on an unchanged history reads no blob: every outcome comes from
/// `.harden/cache/`, and the findings are the same. A new commit costs only its new blobs.
#[test]
fn a_second_run_reads_only_new_blobs() {
    let repo = history(300, true);
    let first = run(&repo, None);
    let counts = |r: &GateResult, key: &str| r.evidence.counts.get(key).copied().unwrap_or(0);
    assert_eq!(counts(&first, "blobs from cache"), 0);
    let second = run(&repo, None);
    assert_eq!(
        counts(&second, "blobs from cache"),
        600,
        "{:?}",
        second.evidence
    );
    assert_eq!(second.findings, first.findings);
    assert_eq!(second.evidence.examined, first.evidence.examined);
    // One more commit with two new blobs.
    let when = 1_800_000_000;
    repo.fast_import(&format!(
        "commit refs/heads/main\nauthor Dana <dana@example.com> {when} +0000\ncommitter Dana <dana@example.com> {when} +0000\n{}from refs/heads/main^0\nM 100644 inline counter.txt\n{}M 100644 inline config/new.env\n{}",
        blob("one more"),
        blob("301"),
        blob(&format!("OTHER_STRIPE_KEY={SECRET}x\n"))
    ));
    let third = run(&repo, None);
    assert_eq!(
        counts(&third, "blobs from cache"),
        600,
        "{:?}",
        third.evidence
    );
    assert_eq!(
        third.evidence.examined["blobs"],
        first.evidence.examined["blobs"] + 2
    );
    // A cache directory planted as a link is neither read nor written through.
    let outside = tempfile::tempdir().unwrap();
    std::fs::remove_dir_all(repo.path().join(".git/harden/cache")).unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.path().join(".git/harden/cache")).unwrap();
    let fourth = run(&repo, None);
    assert_eq!(counts(&fourth, "blobs from cache"), 0);
    assert_eq!(fourth.findings, third.findings);
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    // A cache committed to the work tree, with every outcome forged to "binary", is never
    // read: the cache lives in the git directory, where nothing a clone brings can land.
    std::fs::remove_file(repo.path().join(".git/harden/cache")).unwrap();
    let _ = run(&repo, None);
    let cache_dir = repo.path().join(".git/harden/cache");
    let cache = std::fs::read_dir(&cache_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    let mut forged: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    for blob in forged["blobs"].as_array_mut().unwrap() {
        blob["outcome"] = serde_json::json!("Binary");
    }
    for dir in [repo.path().join(".harden/cache"), cache_dir.clone()] {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(cache.file_name().unwrap()), forged.to_string()).unwrap();
    }
    // Planted in the git directory itself (which only a local user can do), it is trusted:
    assert!(
        run(&repo, None).findings.is_empty(),
        "the forged cache is what is read"
    );
    std::fs::remove_dir_all(&cache_dir).unwrap();
    let fifth = run(&repo, None);
    assert_eq!(fifth.findings, third.findings);
}
