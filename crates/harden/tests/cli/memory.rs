//! Issue 20, item 5: memory follows no input. The binary runs on gigabyte inputs and its peak
//! resident set must stay under a fixed bound.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::ready_repo;

/// The bound: a fixed figure, whatever the input.
const BOUND_KIB: i64 = 512 * 1024;

/// Runs harden with `args` in `dir` under GNU time (Debian's `time` package), feeding `stdin`
/// if given, and returns its exit code and peak resident set in KiB (GNU time takes it from
/// `wait4`, which includes the children harden waited for, such as `git cat-file`).
fn peak_rss(
    dir: &std::path::Path,
    args: &[&str],
    stdin: Option<Box<dyn FnOnce(std::process::ChildStdin) + Send>>,
) -> (i32, i64) {
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut command = Command::new("/usr/bin/time");
    command
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(report.path())
        .arg(assert_cmd::cargo::cargo_bin("harden"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("HARDEN_CONFIG")
        .env_remove("HARDEN_LEDGER")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = command
        .spawn()
        .expect("GNU time is needed for this test: apt-get install time");
    let feeder = stdin.map(|feed| {
        let pipe = child.stdin.take().unwrap();
        std::thread::spawn(move || feed(pipe))
    });
    let status = child.wait().unwrap();
    if let Some(feeder) = feeder {
        feeder.join().unwrap();
    }
    let text = std::fs::read_to_string(report.path()).unwrap();
    let kib = text
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("GNU time wrote {text:?}"));
    #[allow(clippy::print_stderr)] // The figures, for docs/BENCHMARKS.md (`-- --nocapture`).
    {
        eprintln!("harden {}: peak {} MiB", args.join(" "), kib / 1024);
    }
    (status.code().unwrap_or(-1), kib)
}

#[test]
fn peak_memory_stays_bounded_on_huge_inputs() {
    // Assembled from parts: harden scans its own sources, which must hold no credential.
    let stripe = concat!("sk_live_", "Zq8RkT2vLm5Np9Wx3Yb7Hc4J");

    // A 3 GB sparse file and a 136 MB package-lock in the working tree.
    let repo = ready_repo();
    let sparse = std::fs::File::create(repo.path().join("disk.img")).unwrap();
    sparse.set_len(3 << 30).unwrap();
    drop(sparse);
    repo.write(
        "package.json",
        "{\"name\": \"x\", \"dependencies\": {\"left-pad\": \"1.3.0\"}}\n",
    );
    let mut lock = std::fs::File::create(repo.path().join("package-lock.json")).unwrap();
    lock.write_all(b"{\"lockfileVersion\": 3, \"packages\": {\"node_modules/left-pad\": {\"version\": \"1.3.0\"}}, \"padding\": [")
        .unwrap();
    let item = b"\"abcdefghijklmnopqrstuvwxyz0123456789\",".repeat(1 << 14);
    for _ in 0..(136 << 20) / item.len() {
        lock.write_all(&item).unwrap();
    }
    lock.write_all(b"0]}\n").unwrap();
    drop(lock);
    let (code, kib) = peak_rss(repo.path(), &["check", ".", "--no-record"], None);
    assert!(code == 0 || code == 1, "exit {code}");
    assert!(
        kib < BOUND_KIB,
        "3 GB sparse file and 136 MB lockfile: peak {kib} KiB"
    );
    let (code, kib) = peak_rss(repo.path(), &["secrets", "scan", "disk.img"], None);
    assert_eq!(code, 0);
    assert!(
        kib < BOUND_KIB,
        "secrets scan of a 3 GB sparse file: peak {kib} KiB"
    );

    // A 2 GB blob committed, then deleted from the tree: it is still in the history.
    let repo = ready_repo();
    let blob = std::fs::File::create(repo.path().join("dump.bin")).unwrap();
    blob.set_len(2 << 30).unwrap();
    drop(blob);
    repo.commit("a large dump", "2026-11-21T09:00:00Z");
    repo.remove("dump.bin");
    repo.commit("remove the dump", "2026-11-22T09:00:00Z");
    let (code, kib) = peak_rss(repo.path(), &["check", ".", "--no-record"], None);
    assert_eq!(code, 0);
    assert!(kib < BOUND_KIB, "2 GB blob in the history: peak {kib} KiB");

    // 1 GB of text on standard input, a secret at its end.
    let line = b"2026-11-21T09:00:00Z INFO request served path=/api/v1/invoices status=200 ms=12\n";
    let feed = move |mut pipe: std::process::ChildStdin| {
        let block = line.repeat((8 << 20) / line.len());
        for _ in 0..(1 << 30) / block.len() {
            if pipe.write_all(&block).is_err() {
                return;
            }
        }
        let _ = pipe.write_all(format!("stripe_key={stripe}\n").as_bytes());
    };
    let (code, kib) = peak_rss(repo.path(), &["secrets", "scan", "-"], Some(Box::new(feed)));
    assert_eq!(code, 1, "the secret at the end of 1 GB of stdin is found");
    assert!(kib < BOUND_KIB, "1 GB on standard input: peak {kib} KiB");
}
