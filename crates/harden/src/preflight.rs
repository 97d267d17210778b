//! Runs the `[[preflight]]` commands: each in its own process group, killed with all its
//! children at its timeout, output captured (bounded) and redacted before it is kept anywhere.
#![allow(clippy::disallowed_methods)] // This module is the adapter that runs processes.

use std::io::Read as _;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harden_config::Preflight;
use harden_model::{Redacted, Secret, mask_url_credentials};

/// Most output kept per command: its tail.
const KEEP_BYTES: usize = 16 * 1024;

/// The result of one preflight command: the readiness record's own type.
pub(crate) use harden_rollout::readiness::Check as CheckResult;

/// Runs every command in order. `secrets` are values that must never appear in the kept output.
pub(crate) fn run_all(root: &Path, checks: &[Preflight], secrets: &[Secret]) -> Vec<CheckResult> {
    checks
        .iter()
        .map(|check| run_one(root, check, secrets))
        .collect()
}

fn run_one(root: &Path, check: &Preflight, secrets: &[Secret]) -> CheckResult {
    let started = Instant::now();
    let cwd = check
        .cwd
        .as_deref()
        .map_or_else(|| root.to_path_buf(), |c| root.join(c));
    let spawned = Command::new("sh")
        .arg("-c")
        .arg(&check.run)
        .current_dir(&cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // The ledger's signing key is harden's, never a command's to read or print.
        .env_remove("HARDEN_SIGNING_KEY")
        .env_remove("HARDEN_SIGNING_KEY_FILE")
        // Its own process group, so a timeout kills the children it started too.
        .process_group(0)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(error) => {
            return CheckResult {
                name: check.name.clone(),
                command: redact(&check.run, secrets),
                passed: false,
                exit_code: None,
                timed_out: false,
                duration_ms: 0,
                output: format!("could not start: {error}"),
            };
        }
    };
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|mut stream| {
        let buffer = Arc::clone(&buffer);
        std::thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(n) = stream.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                if let Ok(mut kept) = buffer.lock() {
                    kept.extend_from_slice(&chunk[..n]);
                    let excess = kept.len().saturating_sub(KEEP_BYTES * 2);
                    kept.drain(..excess);
                }
            }
        })
    })
    .collect();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= check.timeout => {
                timed_out = true;
                // TERM first, so a drill's cleanup (a throwaway database, a dump) can run; KILL
                // whatever is left after a grace period.
                signal_group(child.id(), "-TERM");
                let grace = Instant::now() + GRACE;
                while Instant::now() < grace && matches!(child.try_wait(), Ok(None)) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                signal_group(child.id(), "-KILL");
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break None,
        }
    };
    // A descendant that left the group could hold the pipes open: wait briefly, not forever.
    let deadline = Instant::now() + Duration::from_secs(2);
    for reader in readers {
        while !reader.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let raw = buffer.lock().map(|b| b.clone()).unwrap_or_default();
    let text = String::from_utf8_lossy(&raw);
    let tail: String = {
        let chars: Vec<char> = text.chars().collect();
        chars[chars.len().saturating_sub(KEEP_BYTES)..]
            .iter()
            .collect()
    };
    let exit_code = status.and_then(|s| s.code());
    CheckResult {
        name: check.name.clone(),
        command: redact(&check.run, secrets),
        passed: !timed_out && exit_code == Some(0),
        exit_code,
        timed_out,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        output: redact(&tail, secrets),
    }
}

/// How long a timed-out command's group has to exit after TERM before it is killed.
const GRACE: Duration = Duration::from_secs(5);

fn signal_group(pid: u32, signal: &str) {
    // `kill -SIG -- -PGID` signals the whole group; std has no portable group kill.
    let _ = Command::new("kill")
        .args([signal, "--", &format!("-{pid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

fn redact(text: &str, secrets: &[Secret]) -> String {
    let mut shown = mask_url_credentials(text);
    for secret in secrets.iter().filter(|s| s.expose().len() >= 4) {
        Redacted::masking(&shown, secret)
            .as_str()
            .clone_into(&mut shown);
    }
    shown
}
