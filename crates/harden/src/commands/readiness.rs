use std::fmt::Write as _;

use harden_engine::RunOptions;
use harden_model::{GateResult, Outcome, Round, RunReport, WaiverState};
use serde::Serialize;
use serde_json::json;

use crate::cli::ReadinessArgs;
use crate::commands::smoke;
use crate::output;
use crate::preflight::CheckResult;
use crate::session::Session;

/// Waivers expiring within this many days are called out.
const EXPIRING_SOON_DAYS: i64 = 14;

const DEFAULT_PATH: &str = "docs/audits/production-hardening-rollout-readiness-{date}.md";

#[derive(Debug, Serialize)]
struct Flag {
    name: String,
    value: Option<String>,
    allowed: Vec<String>,
    ok: bool,
}

#[derive(Debug, Serialize)]
struct SecretPresence {
    name: String,
    present: bool,
}

#[derive(Debug, Serialize)]
struct RoundSummary {
    round: String,
    name: String,
    passed: u32,
    failed: u32,
    waived: u32,
    skipped: u32,
    failing: Vec<String>,
}

/// A drillable or attested checklist item that needs its owner within the window: failing now,
/// or valid but expiring within [`EXPIRING_SOON_DAYS`].
#[derive(Debug, Serialize)]
struct DueItem {
    gate: String,
    item: String,
    owner: Option<String>,
    /// When its evidence expires; `None` when it is due now.
    due: Option<String>,
    state: String,
}

/// The checklist items due within the window, from this run's checklist gates.
fn due_items(report: &RunReport, now: jiff::Timestamp) -> Vec<DueItem> {
    let soon = now
        .checked_add(jiff::SignedDuration::from_hours(24 * EXPIRING_SOON_DAYS))
        .unwrap_or(jiff::Timestamp::MAX);
    report
        .gates
        .iter()
        .filter_map(|gate| {
            let item = harden_gates::checklist::item_of_gate(gate.id.as_str())?;
            let facts = &gate.evidence.facts;
            let due = facts
                .get("due")
                .and_then(|d| d.parse::<jiff::Timestamp>().ok());
            let listed = match gate.outcome {
                Outcome::Fail => true,
                Outcome::Pass => due.is_some_and(|due| due <= soon),
                _ => false,
            };
            listed.then(|| DueItem {
                gate: gate.id.to_string(),
                item: item.text.to_owned(),
                owner: facts.get("owner").cloned(),
                due: due
                    .filter(|_| gate.outcome == Outcome::Pass)
                    .map(|d| d.strftime("%Y-%m-%d").to_string()),
                state: gate.summary.clone(),
            })
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct Snapshot {
    date: String,
    generated_at: String,
    service: Option<String>,
    profile: String,
    commit: Option<String>,
    dirty: Option<bool>,
    ready: bool,
    flags: Vec<Flag>,
    secrets: Vec<SecretPresence>,
    flags_checked: bool,
    rounds: Vec<RoundSummary>,
    signals: Vec<(String, String, String)>,
    waivers: Vec<serde_json::Value>,
    due: Vec<DueItem>,
    /// Whether any checklist gate judged this run (none: the profile leaves them out, or the
    /// repository deploys no service).
    checklist_judged: bool,
    checks: Option<Vec<CheckResult>>,
    streak_days: u32,
    streak_target: u32,
    last_smoke: Option<String>,
    run: Option<(u64, String)>,
}

fn env_gate(report: &RunReport) -> Option<&GateResult> {
    report
        .gates
        .iter()
        .find(|g| g.id.as_str() == "R3.env.required" && g.outcome != Outcome::Skipped)
}

fn flags_and_secrets(
    session: &Session,
    report: &RunReport,
) -> (Vec<Flag>, Vec<SecretPresence>, bool) {
    let gate = env_gate(report);
    let fact = |key: String| gate.and_then(|g| g.evidence.facts.get(&key)).cloned();
    let flags = session
        .config
        .deploy
        .flags
        .iter()
        .map(|(name, allowed)| {
            let value = fact(format!("flag.{name}"))
                .map(|v| v.split(" (").next().unwrap_or_default().to_owned());
            let ok = value.as_ref().is_some_and(|v| allowed.contains(v));
            Flag {
                name: name.clone(),
                value,
                allowed: allowed.clone(),
                ok,
            }
        })
        .collect();
    let secrets = session
        .config
        .deploy
        .secrets_required
        .iter()
        .map(|name| SecretPresence {
            name: name.clone(),
            present: fact(format!("secret.{name}")).is_some_and(|v| v.starts_with("present")),
        })
        .collect();
    (flags, secrets, gate.is_some())
}

fn rounds(report: &RunReport) -> Vec<RoundSummary> {
    Round::ALL
        .iter()
        .filter_map(|round| {
            let gates: Vec<&GateResult> =
                report.gates.iter().filter(|g| g.round == *round).collect();
            if gates.is_empty() {
                return None;
            }
            let count = |o: Outcome| gates.iter().filter(|g| g.outcome == o).count() as u32;
            Some(RoundSummary {
                round: round.code().to_owned(),
                name: round.name().to_owned(),
                passed: count(Outcome::Pass),
                failed: count(Outcome::Fail),
                waived: count(Outcome::Waived),
                skipped: count(Outcome::Skipped),
                failing: gates
                    .iter()
                    .filter(|g| g.outcome == Outcome::Fail)
                    .map(|g| {
                        let open: Vec<&str> =
                            g.open_findings().map(|f| f.message.as_str()).collect();
                        let why = if open.is_empty() {
                            g.reason.clone().unwrap_or_else(|| g.summary.clone())
                        } else {
                            open.join("; ")
                        };
                        format!("{}: {why}", g.id)
                    })
                    .collect(),
            })
        })
        .collect()
}

pub(crate) fn run(args: &ReadinessArgs) -> anyhow::Result<u8> {
    let session = Session::open(&args.repo.path, &args.repo.locations)?;
    let options = RunOptions {
        profile: session.profile(None)?,
        strict: false,
        only: Vec::new(),
        skip: Vec::new(),
        min_severity: None,
    };
    let report = session.run_gates(&options, None, true)?;
    let checks = args.checks.then(|| smoke::run_checks(&session));
    let (records, streak) = smoke::current(&session)?;
    let now = session.now();
    let local = now.to_zoned(session.zone());
    let date = local.date();
    let (flags, secrets, flags_checked) = flags_and_secrets(&session, &report);
    let waivers: Vec<serde_json::Value> = report
        .waivers
        .iter()
        .filter(|w| !matches!(w.state, WaiverState::Expired | WaiverState::TooLong))
        .map(|w| {
            json!({
                "id": w.waiver.id, "gate": w.waiver.gate.as_str(), "owner": w.waiver.owner,
                "expires": w.waiver.expires.to_string(), "days_left": w.days_left,
                "expiring_soon": w.days_left <= EXPIRING_SOON_DAYS, "reason": w.waiver.reason,
            })
        })
        .collect();
    let signals = report
        .gates
        .iter()
        .filter(|g| matches!(g.round, Round::R2 | Round::R7))
        .map(|g| {
            (
                g.id.to_string(),
                g.outcome.as_str().to_owned(),
                g.summary.clone(),
            )
        })
        .collect();
    let ready = !report.has_failures()
        && checks.as_ref().is_none_or(|c| c.iter().all(|c| c.passed))
        && flags.iter().all(|f| f.ok)
        && secrets.iter().all(|s| s.present);
    let snapshot = Snapshot {
        date: date.to_string(),
        generated_at: local.strftime("%Y-%m-%d %H:%M %Z").to_string(),
        service: report.service.clone(),
        profile: report.profile.clone(),
        commit: report.target.commit.clone(),
        dirty: report.target.dirty,
        ready,
        flags,
        secrets,
        flags_checked,
        rounds: rounds(&report),
        signals,
        waivers,
        due: due_items(&report, now),
        checklist_judged: report.gates.iter().any(|g| {
            harden_gates::checklist::item_of_gate(g.id.as_str()).is_some()
                && matches!(g.outcome, Outcome::Pass | Outcome::Fail)
        }),
        checks,
        streak_days: streak.days,
        streak_target: session.config.exit_criteria.consecutive_days,
        last_smoke: records.last().map(|r| {
            format!(
                "{} {} {}",
                r.date,
                r.time,
                if r.pass { "pass" } else { "fail" }
            )
        }),
        run: report.ledger.as_ref().map(|l| (l.seq, l.hash.clone())),
    };
    let body = serde_json::to_value(&snapshot)?;
    let relative = session
        .config
        .readiness_path
        .clone()
        .unwrap_or_else(|| DEFAULT_PATH.to_owned())
        .replace("{date}", &date.to_string());
    let path = session.root.join(&relative);
    crate::confined::check(&session.root, &path)?;
    let entry = session.append("readiness", &body, now)?;
    crate::confined::write(
        &session.root,
        &path,
        harden_secrets::mask(&markdown(&snapshot, entry.seq, &entry.hash)).as_bytes(),
    )?;
    if args.json {
        output::emit(&format!("{}\n", serde_json::to_string_pretty(&body)?), None)?;
    } else {
        output::emit(
            &format!(
                "{}: {} (ledger #{})\n",
                crate::discovery::display_path(&path),
                if ready { "ready" } else { "not ready" },
                entry.seq
            ),
            None,
        )?;
    }
    Ok(u8::from(!ready))
}

fn markdown(s: &Snapshot, seq: u64, hash: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Production hardening rollout readiness — {}\n",
        s.date
    );
    let _ = writeln!(
        out,
        "- Service: {}",
        s.service.as_deref().unwrap_or("(not declared)")
    );
    let _ = writeln!(out, "- Profile: {}", s.profile);
    let _ = writeln!(
        out,
        "- Commit: {}{}",
        s.commit
            .as_deref()
            .map_or("none".to_owned(), |c| format!("`{c}`")),
        if s.dirty == Some(true) {
            " (dirty working tree)"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "- Generated: {}", s.generated_at);
    let _ = writeln!(
        out,
        "- Verdict: **{}**",
        if s.ready { "ready" } else { "not ready" }
    );
    let _ = writeln!(out, "- Ledger head: #{seq} `{hash}`");

    let _ = writeln!(out, "\n## Preflight\n");
    match &s.checks {
        None => {
            let _ = writeln!(
                out,
                "Not run (`harden readiness --checks` runs the `[[preflight]]` commands)."
            );
        }
        Some(checks) if checks.is_empty() => {
            let _ = writeln!(out, "No `[[preflight]]` commands are configured.");
        }
        Some(checks) => {
            let _ = writeln!(
                out,
                "| Check | Command | Result | Exit | Duration |\n|---|---|---|---|---|"
            );
            for c in checks {
                let result = if c.timed_out {
                    "timed out"
                } else if c.passed {
                    "pass"
                } else {
                    "fail"
                };
                let exit = c.exit_code.map_or("—".to_owned(), |e| e.to_string());
                let _ = writeln!(
                    out,
                    "| {} | `{}` | {result} | {exit} | {:.1} s |",
                    c.name,
                    c.command.replace('|', "\\|"),
                    c.duration_ms as f64 / 1000.0
                );
            }
        }
    }

    let _ = writeln!(out, "\n## Enforced baseline flags\n");
    if s.flags.is_empty() {
        let _ = writeln!(out, "No `[deploy.flags]` are configured.");
    } else if !s.flags_checked {
        let _ = writeln!(out, "Not checked: the R3.env.required gate did not run.");
    } else {
        let _ = writeln!(
            out,
            "| Flag | Value | Allowed | Status |\n|---|---|---|---|"
        );
        for f in &s.flags {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                f.name,
                f.value
                    .as_deref()
                    .map_or("unset".to_owned(), |v| format!("`{v}`")),
                f.allowed.join(", "),
                if f.ok { "ok" } else { "**not enforced**" }
            );
        }
    }
    if !s.secrets.is_empty() && s.flags_checked {
        let _ = writeln!(
            out,
            "\nRequired secrets (presence only, never values):\n\n| Variable | Present |\n|---|---|"
        );
        for secret in &s.secrets {
            let _ = writeln!(
                out,
                "| `{}` | {} |",
                secret.name,
                if secret.present { "yes" } else { "**no**" }
            );
        }
    }

    let _ = writeln!(
        out,
        "\n## Gate summary by round\n\n| Round | Pass | Fail | Waived | Skipped |\n|---|---|---|---|---|"
    );
    for r in &s.rounds {
        let _ = writeln!(
            out,
            "| {} {} | {} | {} | {} | {} |",
            r.round, r.name, r.passed, r.failed, r.waived, r.skipped
        );
    }
    let failing: Vec<&String> = s.rounds.iter().flat_map(|r| &r.failing).collect();
    if !failing.is_empty() {
        let _ = writeln!(out, "\nFailing gates:\n");
        for f in failing {
            let _ = writeln!(out, "- {f}");
        }
    }

    let _ = writeln!(out, "\n## Observability signals\n");
    if s.signals.is_empty() {
        let _ = writeln!(out, "No audit (R2) or launch-readiness (R7) gate ran.");
    } else {
        for (gate, outcome, summary) in &s.signals {
            let _ = writeln!(out, "- `{gate}`: {outcome} ({summary})");
        }
    }

    let _ = writeln!(out, "\n## Waivers in force\n");
    if s.waivers.is_empty() {
        let _ = writeln!(out, "None.");
    } else {
        let _ = writeln!(
            out,
            "| Waiver | Gate | Owner | Expires | Reason |\n|---|---|---|---|---|"
        );
        for w in &s.waivers {
            let soon = if w["expiring_soon"].as_bool() == Some(true) {
                format!(" (**in {} days**)", w["days_left"])
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {}{soon} | {} |",
                w["id"].as_str().unwrap_or_default(),
                w["gate"].as_str().unwrap_or_default(),
                w["owner"].as_str().unwrap_or_default(),
                w["expires"].as_str().unwrap_or_default(),
                w["reason"].as_str().unwrap_or_default().replace('|', "\\|")
            );
        }
    }

    let _ = writeln!(
        out,
        "\n## Checklist items due within {EXPIRING_SOON_DAYS} days\n"
    );
    if s.due.is_empty() {
        let _ = writeln!(
            out,
            "None{}.",
            if s.checklist_judged {
                ""
            } else {
                " judged: no checklist gate ran (disabled, left out by the profile, or no deployable service)"
            }
        );
    } else {
        let _ = writeln!(
            out,
            "| Gate | Item | Owner | Due | State |\n|---|---|---|---|---|"
        );
        for d in &s.due {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                d.gate,
                d.item.replace('|', "\\|"),
                d.owner
                    .as_deref()
                    .unwrap_or("(no owner)")
                    .replace('|', "\\|"),
                d.due.as_deref().unwrap_or("**now**"),
                d.state.replace('|', "\\|")
            );
        }
    }

    let _ = writeln!(out, "\n## Smoke evidence\n");
    let _ = writeln!(
        out,
        "- Current strict-pass streak: {} day{}",
        s.streak_days,
        if s.streak_days == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        out,
        "- Last smoke record: {}",
        s.last_smoke.as_deref().unwrap_or("none")
    );

    let _ = writeln!(out, "\n## Exit criteria\n");
    let _ = writeln!(
        out,
        "- {} consecutive strict-pass days: {} ({} so far)",
        s.streak_target,
        if s.streak_days >= s.streak_target {
            "met"
        } else {
            "not met"
        },
        s.streak_days
    );
    let _ = writeln!(
        out,
        "- Gates green in this run: {}",
        if s.rounds.iter().all(|r| r.failed == 0) {
            "yes"
        } else {
            "no"
        }
    );
    let _ = writeln!(
        out,
        "- `harden exit-criteria` evaluates every criterion with its evidence."
    );
    out
}
