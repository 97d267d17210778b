//! The readiness snapshot as the Markdown document a rollout keeps
//! (`docs/audits/production-hardening-rollout-readiness-DATE.md`).

use std::fmt::Write as _;

use harden_rollout::readiness::{EXPIRING_SOON_DAYS, Readiness};

/// The document for a snapshot recorded as ledger entry `seq` with hash `hash`.
pub fn markdown(s: &Readiness, seq: u64, hash: &str) -> String {
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
            let soon = if w.expiring_soon {
                format!(" (**in {} days**)", w.days_left)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {}{soon} | {} |",
                w.id,
                w.gate,
                w.owner,
                w.expires,
                w.reason.replace('|', "\\|")
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
