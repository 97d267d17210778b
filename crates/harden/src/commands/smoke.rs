use std::path::PathBuf;

use harden_engine::RunOptions;
use harden_model::{Outcome, Secret};
use harden_rollout::{SmokeRecord, streak};
use serde_json::json;

use crate::cli::RepoArgs;
use crate::clock::ProcessEnvironment;
use crate::output;
use crate::preflight::{self, CheckResult};
use crate::session::Session;

/// Values of the required secret variables, so preflight output can be redacted.
pub(crate) fn known_secrets(session: &Session) -> Vec<Secret> {
    use harden_engine::Environment as _;
    session
        .config
        .deploy
        .secrets_required
        .iter()
        .filter_map(|name| ProcessEnvironment.var(name))
        .map(Secret::new)
        .collect()
}

/// Runs the `[[preflight]]` commands and records nothing; callers put the results in their entry.
pub(crate) fn run_checks(session: &Session) -> Vec<CheckResult> {
    preflight::run_all(
        &session.root,
        &session.config.preflight,
        &known_secrets(session),
    )
}

fn smoke_records(session: &Session) -> anyhow::Result<Vec<SmokeRecord>> {
    Ok(session
        .entries("smoke")?
        .iter()
        .filter_map(|entry| {
            let body: serde_json::Value = serde_json::from_str(&entry.body).ok()?;
            serde_json::from_value(body["record"].clone()).ok()
        })
        .collect())
}

fn month_file(session: &Session, year: i16, month: i8) -> PathBuf {
    session.root.join(format!(
        "docs/audits/production-hardening-smoke-window-{year:04}-{month:02}.md"
    ))
}

pub(crate) fn record(repo: &RepoArgs, checks: bool) -> anyhow::Result<u8> {
    let session = Session::open(&repo.path, &repo.locations)?;
    let options = RunOptions {
        profile: session.profile(None)?,
        strict: true,
        only: session.config.smoke.strict_gates.clone(),
        skip: Vec::new(),
        min_severity: None,
    };
    // Where the record goes is checked before anything is recorded.
    let today = session.now().to_zoned(session.zone()).date();
    crate::confined::check(
        &session.root,
        &month_file(&session, today.year(), today.month()),
    )?;
    let report = session.run_gates(&options, None, true)?;
    let checks = checks.then(|| run_checks(&session));
    let mut failing: Vec<String> = report
        .gates
        .iter()
        .filter(|g| g.outcome == Outcome::Fail)
        .map(|g| g.id.to_string())
        .collect();
    if let Some(checks) = &checks {
        failing.extend(
            checks
                .iter()
                .filter(|c| !c.passed)
                .map(|c| format!("check:{}", c.name)),
        );
    }
    let now = session.now();
    let local = now.to_zoned(session.zone());
    let record = SmokeRecord {
        date: local.date(),
        time: local.strftime("%H:%M").to_string(),
        commit: report.target.commit.clone(),
        pass: failing.is_empty(),
        checks: checks.as_ref().map(|c| c.iter().all(|c| c.passed)),
        failing,
        run_seq: report.ledger.as_ref().map_or(0, |l| l.seq),
    };
    let entry = session.append(
        "smoke",
        &json!({"record": record, "dirty": report.target.dirty, "checks": checks}),
        now,
    )?;
    let records = smoke_records(&session)?;
    let current = streak(&records, local.date());
    let file = month_file(&session, local.date().year(), local.date().month());
    let markdown = harden_rollout::smoke::month_markdown(
        (local.date().year(), local.date().month()),
        &records,
        &current,
    );
    crate::confined::write(
        &session.root,
        &file,
        harden_secrets::mask(&markdown).as_bytes(),
    )?;
    output::emit(
        &format!(
            "smoke {} {} strict {}{} · streak {} day{} · ledger #{} · {}\n",
            record.date,
            record.time,
            if record.pass { "pass" } else { "fail" },
            if record.failing.is_empty() {
                String::new()
            } else {
                format!(" ({})", record.failing.join(", "))
            },
            current.days,
            if current.days == 1 { "" } else { "s" },
            entry.seq,
            crate::discovery::display_path(&file)
        ),
        None,
    )?;
    Ok(u8::from(!record.pass))
}

pub(crate) fn show_streak(repo: &RepoArgs) -> anyhow::Result<u8> {
    let session = Session::open(&repo.path, &repo.locations)?;
    let today = session.now().to_zoned(session.zone()).date();
    let current = streak(&smoke_records(&session)?, today);
    let since = current
        .since
        .map(|d| format!(" since {d}"))
        .unwrap_or_default();
    let broken = current
        .broken
        .map(|b| format!(" (broken {} by {})", b.date, b.reason))
        .unwrap_or_default();
    output::emit(
        &format!(
            "strict-pass streak: {} day{}{since}{broken}\n",
            current.days,
            if current.days == 1 { "" } else { "s" }
        ),
        None,
    )?;
    Ok(0)
}

/// The records and current streak, for exit criteria and readiness.
pub(crate) fn current(
    session: &Session,
) -> anyhow::Result<(Vec<SmokeRecord>, harden_rollout::Streak)> {
    let today = session.now().to_zoned(session.zone()).date();
    let records = smoke_records(session)?;
    let current = streak(&records, today);
    Ok((records, current))
}
