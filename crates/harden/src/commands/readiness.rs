//! `harden readiness`: runs the gates, takes the snapshot (harden-rollout), records it in the
//! ledger and writes its Markdown document (harden-report).

use harden_engine::RunOptions;
use harden_rollout::readiness::{self, Inputs};

use crate::cli::ReadinessArgs;
use crate::commands::smoke;
use crate::output;
use crate::session::Session;

const DEFAULT_PATH: &str = "docs/audits/production-hardening-rollout-readiness-{date}.md";

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
    let (flags, secrets, flags_checked) = readiness::deploy_checks(
        &report,
        &session.config.deploy.flags,
        &session.config.deploy.secrets_required,
    );
    let checklist_item = |gate: &str| harden_gates::checklist::item_of_gate(gate).map(|i| i.text);
    let snapshot = readiness::snapshot(Inputs {
        report: &report,
        now,
        zone: session.zone(),
        flags,
        secrets,
        flags_checked,
        checks,
        smoke: &records,
        streak: &streak,
        streak_target: session.config.exit_criteria.consecutive_days,
        checklist_item: &checklist_item,
    });
    let ready = snapshot.ready;
    let body = serde_json::to_value(&snapshot)?;
    let relative = session
        .config
        .readiness_path
        .clone()
        .unwrap_or_else(|| DEFAULT_PATH.to_owned())
        .replace("{date}", &snapshot.date);
    let path = session.root.join(&relative);
    crate::confined::check(&session.root, &path)?;
    let entry = session.append("readiness", &body, now)?;
    crate::confined::write(
        &session.root,
        &path,
        harden_secrets::mask(&harden_report::readiness::markdown(
            &snapshot,
            entry.seq,
            &entry.hash,
        ))
        .as_bytes(),
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
