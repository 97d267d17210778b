//! `harden waivers import`: the suppressions a team keeps for gitleaks and zizmor, turned into
//! harden waivers by fingerprint.
//!
//! A suppression names a place (a file and line, sometimes a commit); harden's waivers name
//! findings. So the matching gates run, and each finding found at a suppressed place gets a
//! waiver: precise (another secret on the same file is still reported), and a suppression
//! harden has no finding for is said, not silently dropped. The formats are read from their
//! public documentation: `gitleaks:allow` on the secret's line, `.gitleaksignore` lines
//! (`[commit:]file:rule:line`), gitleaks' JSON report used as a baseline (`File`, `StartLine`,
//! `Commit`; its `Secret` and `Match` are never read), `# zizmor: ignore[audit, ...]` on the
//! offending line, and zizmor.yml's `rules.<audit>.ignore` (`file.yml`, `file.yml:line`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use harden_engine::RunOptions;
use harden_model::{Finding, Location};

use crate::UsageError;
use crate::cli::WaiversImportArgs;
use crate::session::Session;

const TREE: &str = "R3.secrets.tree";
const HISTORY: &str = "R3.secrets.history";

/// Files larger than this are not searched for suppression comments.
const MAX_SEARCHED_BYTES: u64 = 8 << 20;

/// Where another tool was told to accept what it found.
#[derive(Debug, Clone)]
struct Suppression {
    /// `gitleaks:allow`, `.gitleaksignore`, `zizmor: ignore[unpinned-uses]`...
    source: String,
    /// Where it was written (for the waiver's reason).
    written_at: String,
    /// The suppressed file: a repository path, or a bare file name (zizmor.yml names workflows
    /// by file name).
    path: String,
    by_name: bool,
    /// The suppressed line; `None`: the whole file.
    line: Option<u32>,
    /// The commit it was found in (history suppressions).
    commit: Option<String>,
    /// harden gates that judge what the other tool suppressed.
    gates: &'static [&'static str],
}

impl Suppression {
    fn covers(&self, location: &Location) -> bool {
        let (path, span, commit) = match location {
            Location::File { path, span, .. } => (path, span, None),
            Location::Commit {
                path, span, commit, ..
            } => (path, span, Some(commit.as_str())),
            _ => return false,
        };
        let same_file = if self.by_name {
            Path::new(path).file_name().and_then(|n| n.to_str()) == Some(self.path.as_str())
        } else {
            *path == self.path
        };
        let same_line = self
            .line
            .is_none_or(|line| span.is_some_and(|s| s.start.line == line));
        let same_commit = match (&self.commit, commit) {
            (None, _) => true,
            (Some(wanted), Some(found)) => found.starts_with(wanted.as_str()),
            (Some(_), None) => false,
        };
        same_file && same_line && same_commit
    }
}

/// The harden gates of a zizmor audit; none where harden has no equivalent yet.
fn zizmor_gates(audit: &str) -> &'static [&'static str] {
    match audit {
        "unpinned-uses" => &["R4.pinning.actions"],
        "excessive-permissions" | "undocumented-permissions" => &["R4.ci.permissions"],
        "template-injection" | "dangerous-triggers" => &["R4.ci.injection"],
        _ => &[],
    }
}

fn is_commit(text: &str) -> bool {
    (7..=40).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Suppression comments in the working tree's files.
fn comments(session: &Session, out: &mut Vec<Suppression>, notes: &mut Vec<String>) {
    let view = session.worktree();
    for path in view.files().map(<[String]>::to_vec).unwrap_or_default() {
        if view
            .size(&path)
            .ok()
            .flatten()
            .is_none_or(|size| size > MAX_SEARCHED_BYTES)
        {
            continue;
        }
        let Ok(bytes) = view.read(&path) else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        if !text.contains("gitleaks:allow") && !text.contains("zizmor:") {
            continue;
        }
        for (index, line) in text.lines().enumerate() {
            let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let written_at = format!("{path}:{number}");
            if line.contains("gitleaks:allow") {
                out.push(Suppression {
                    source: "gitleaks:allow".into(),
                    written_at: written_at.clone(),
                    path: path.clone(),
                    by_name: false,
                    line: Some(number),
                    commit: None,
                    gates: &[TREE, HISTORY],
                });
            }
            for audits in zizmor_ignores(line) {
                for audit in audits.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                    let gates = zizmor_gates(audit);
                    if gates.is_empty() {
                        notes.push(format!(
                            "{written_at}: zizmor audit `{audit}` has no harden gate to waive"
                        ));
                        continue;
                    }
                    out.push(Suppression {
                        source: format!("zizmor: ignore[{audit}]"),
                        written_at: written_at.clone(),
                        path: path.clone(),
                        by_name: false,
                        line: Some(number),
                        commit: None,
                        gates,
                    });
                }
            }
        }
    }
}

/// The audit lists of the `zizmor: ignore[a, b]` comments on a line.
fn zizmor_ignores(line: &str) -> Vec<&str> {
    line.match_indices("zizmor:")
        .filter_map(|(at, marker)| {
            let rest = line[at + marker.len()..]
                .trim_start()
                .strip_prefix("ignore[")?;
            rest.split_once(']').map(|(audits, _)| audits)
        })
        .collect()
}

/// `.gitleaksignore`: `commit:file:rule:line` (git scans) or `file:rule:line`.
fn gitleaksignore(text: &str, out: &mut Vec<Suppression>, notes: &mut Vec<String>) {
    for (index, raw) in text.lines().enumerate() {
        let entry = raw.trim();
        if entry.is_empty() || entry.starts_with('#') {
            continue;
        }
        let written_at = format!(".gitleaksignore:{}", index + 1);
        let mut parts: Vec<&str> = entry.rsplitn(3, ':').collect();
        parts.reverse();
        let [head, _rule, line] = parts[..] else {
            notes.push(format!(
                "{written_at}: expected [commit:]file:rule:line, not `{entry}`"
            ));
            continue;
        };
        let Ok(line) = line.parse::<u32>() else {
            notes.push(format!("{written_at}: `{line}` is not a line number"));
            continue;
        };
        let (commit, path) = match head.split_once(':') {
            Some((commit, path)) if is_commit(commit) => (Some(commit.to_owned()), path),
            _ => (None, head),
        };
        out.push(Suppression {
            source: ".gitleaksignore".into(),
            written_at,
            gates: if commit.is_some() {
                &[HISTORY]
            } else {
                &[TREE, HISTORY]
            },
            path: path.to_owned(),
            by_name: false,
            line: Some(line),
            commit,
        });
    }
}

/// A gitleaks JSON report kept as a baseline: its findings' places (never their secrets).
fn gitleaks_baseline(path: &Path, out: &mut Vec<Suppression>) -> anyhow::Result<()> {
    let shown = path.display().to_string();
    let text = fs_err::read_to_string(path)?;
    let report: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        UsageError(format!(
            "{shown}:{}:{}: not a gitleaks JSON report: {e}",
            e.line(),
            e.column()
        ))
    })?;
    let findings = report.as_array().ok_or_else(|| {
        UsageError(format!(
            "{shown}: a gitleaks JSON report is an array of findings"
        ))
    })?;
    for (index, finding) in findings.iter().enumerate() {
        let file = finding.get("File").and_then(serde_json::Value::as_str);
        let line = finding
            .get("StartLine")
            .and_then(serde_json::Value::as_u64)
            .and_then(|l| u32::try_from(l).ok());
        let (Some(file), Some(line)) = (file, line) else {
            return Err(UsageError(format!(
                "{shown}: finding {index} has no File and StartLine"
            ))
            .into());
        };
        let commit = finding
            .get("Commit")
            .and_then(serde_json::Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        out.push(Suppression {
            source: "gitleaks baseline".into(),
            written_at: format!("{shown} finding {index}"),
            gates: if commit.is_some() {
                &[HISTORY]
            } else {
                &[TREE, HISTORY]
            },
            path: file.trim_start_matches("./").to_owned(),
            by_name: false,
            line: Some(line),
            commit,
        });
    }
    Ok(())
}

/// zizmor.yml (or .github/zizmor.yml): `rules: {audit: {ignore: [file.yml, file.yml:12]}}`.
fn zizmor_config(session: &Session, out: &mut Vec<Suppression>, notes: &mut Vec<String>) {
    for config in ["zizmor.yml", ".github/zizmor.yml"] {
        let Ok(bytes) = session.worktree().read(config) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let Ok(documents) = harden_formats::yaml::parse(&text) else {
            notes.push(format!("{config}: not YAML, not imported"));
            continue;
        };
        let Some(rules) = documents.first().and_then(|d| d.get("rules")) else {
            continue;
        };
        for (audit, rule) in rules.entries() {
            let Some(ignore) = rule.get("ignore") else {
                continue;
            };
            let gates = zizmor_gates(&audit.text);
            for entry in ignore.items() {
                let Some(entry) = entry.scalar_text() else {
                    continue;
                };
                let written_at = format!("{config}:{}", audit.span.start.line);
                if gates.is_empty() {
                    notes.push(format!(
                        "{written_at}: zizmor audit `{}` has no harden gate to waive",
                        audit.text
                    ));
                    continue;
                }
                let mut parts = entry.split(':');
                let file = parts.next().unwrap_or_default().to_owned();
                let line = parts.next().and_then(|l| l.parse().ok());
                out.push(Suppression {
                    source: format!("zizmor.yml ignore of {}", audit.text),
                    written_at,
                    path: file,
                    by_name: true,
                    line,
                    commit: None,
                    gates,
                });
            }
        }
    }
}

/// TOML text of a string.
fn quoted(text: &str) -> String {
    toml_edit::Value::from(text).to_string().trim().to_owned()
}

pub(crate) fn import(args: &WaiversImportArgs) -> anyhow::Result<u8> {
    let expires: jiff::civil::Date = args.expires.parse().map_err(|e| {
        UsageError(format!(
            "--expires {}: expected a date YYYY-MM-DD ({e})",
            args.expires
        ))
    })?;
    let session = Session::open_for_reading(&args.repo.path, &args.repo.locations)?;
    // Said now, not by every later run: an imported waiver must be one the config accepts.
    let today = session.clock.today();
    let max_days = session.config.waiver_max_days;
    let latest = today.saturating_add(jiff::Span::new().days(i64::from(max_days)));
    if expires <= today || expires > latest {
        return Err(UsageError(format!(
            "--expires {expires}: expected a date after today and at most {max_days} days ahead (by {latest}; [waivers] max-days)"
        ))
        .into());
    }
    let mut suppressions = Vec::new();
    let mut notes = Vec::new();
    comments(&session, &mut suppressions, &mut notes);
    if let Ok(bytes) = session.worktree().read(".gitleaksignore") {
        gitleaksignore(
            &String::from_utf8_lossy(&bytes),
            &mut suppressions,
            &mut notes,
        );
    }
    if let Some(baseline) = &args.gitleaks_baseline {
        gitleaks_baseline(baseline, &mut suppressions)?;
    }
    zizmor_config(&session, &mut suppressions, &mut notes);
    for note in &notes {
        crate::output::note(note);
    }
    if suppressions.is_empty() {
        crate::output::note("no gitleaks or zizmor suppressions found: nothing to import");
        return Ok(0);
    }
    let gates: BTreeSet<&str> = suppressions
        .iter()
        .flat_map(|s| s.gates.iter().copied())
        .collect();
    let options = RunOptions {
        profile: session.profile(Some("production"))?,
        strict: false,
        only: gates.iter().map(|g| (*g).to_owned()).collect(),
        skip: Vec::new(),
        min_severity: None,
    };
    let report = session.run_gates(&options, None, false)?;
    // Each finding once, with every suppression that covers it.
    let mut waived: BTreeMap<String, (&Finding, Vec<&Suppression>)> = BTreeMap::new();
    let mut used = vec![false; suppressions.len()];
    for gate in &report.gates {
        for finding in gate.findings.iter().filter(|f| f.waived_by.is_none()) {
            let places: Vec<&Location> = std::iter::once(&finding.location)
                .chain(&finding.related)
                .collect();
            for (index, suppression) in suppressions.iter().enumerate() {
                if suppression.gates.contains(&gate.id.as_str())
                    && places.iter().any(|place| suppression.covers(place))
                {
                    used[index] = true;
                    waived
                        .entry(format!("{}/{}", gate.id, finding.fingerprint))
                        .or_insert((finding, Vec::new()))
                        .1
                        .push(suppression);
                }
            }
        }
    }
    for (suppression, used) in suppressions.iter().zip(&used) {
        if !used {
            crate::output::note(&format!(
                "{} ({}): harden finds nothing there to waive",
                suppression.written_at, suppression.source
            ));
        }
    }
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# Imported by `harden waivers import`: {} waiver(s) from {} suppression(s).",
        waived.len(),
        used.iter().filter(|u| **u).count()
    );
    for (finding, by) in waived.values() {
        let sources: BTreeSet<&str> = by.iter().map(|s| s.source.as_str()).collect();
        let places: BTreeSet<&str> = by.iter().map(|s| s.written_at.as_str()).collect();
        let reason = format!(
            "imported from {} at {}",
            sources.into_iter().collect::<Vec<_>>().join(", "),
            places.into_iter().collect::<Vec<_>>().join(", ")
        );
        let reference = args.reference.clone().unwrap_or_else(|| {
            let tool = if by[0].source.contains("zizmor") {
                "zizmor"
            } else {
                "gitleaks"
            };
            format!("imported from {tool}")
        });
        let _ = writeln!(text, "\n[[waiver]]");
        let _ = writeln!(text, "gate = {}", quoted(finding.gate.as_str()));
        let _ = writeln!(
            text,
            "fingerprint = {}",
            quoted(&finding.fingerprint.to_string())
        );
        let _ = writeln!(text, "reason = {}", quoted(&reason));
        let _ = writeln!(text, "owner = {}", quoted(&args.owner));
        let _ = writeln!(text, "reference = {}", quoted(&reference));
        let _ = writeln!(text, "expires = {expires}");
    }
    if args.append {
        append(&session, args, &text)?;
        crate::output::note(&format!("appended {} waiver(s)", waived.len()));
    } else {
        crate::output::emit(&text, None)?;
    }
    Ok(0)
}

/// Appends to the config file, keeping it as it was if the result does not load.
fn append(session: &Session, args: &WaiversImportArgs, text: &str) -> anyhow::Result<()> {
    let path = args
        .repo
        .locations
        .config
        .clone()
        .unwrap_or_else(|| session.root.join(harden_config::FILE_NAME));
    let before = fs_err::read_to_string(&path).unwrap_or_default();
    let separator = if before.is_empty() || before.ends_with("\n\n") {
        ""
    } else if before.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    fs_err::write(&path, format!("{before}{separator}{text}"))?;
    let catalogue = harden_gates::registry().catalogue();
    if let Err(error) =
        crate::discovery::load_config(&session.root, Some(path.as_path()), &catalogue)
    {
        fs_err::write(&path, before)?;
        return Err(error.context("the imported waivers did not load; the config is unchanged"));
    }
    Ok(())
}
