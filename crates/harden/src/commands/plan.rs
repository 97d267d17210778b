use std::fmt::Write as _;
use std::path::PathBuf;

use harden_config::ResolvedProfile;
use harden_config::plan::{PLAN_DIR, Plan, PlanState, load_plan, plan_template};
use harden_engine::RunOptions;
use harden_model::{ProfileLevel, RunReport};
use harden_rollout::plan::Exit;
use serde_json::json;

use crate::cli::{ExitState, RepoOption};
use crate::session::Session;
use crate::{ConfigInvalid, UsageError, output};

fn plan_path(session: &Session, id: &str) -> PathBuf {
    session.root.join(PLAN_DIR).join(format!("{id}.toml"))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

pub(crate) fn load(session: &Session, id: &str) -> anyhow::Result<Plan> {
    if !valid_id(id) {
        return Err(UsageError(format!(
            "`{id}` is not a plan id: expected lowercase letters, digits and dashes"
        ))
        .into());
    }
    let path = plan_path(session, id);
    if !path.is_file() {
        return Err(UsageError(format!(
            "no plan {id} ({} does not exist; `harden plan new` creates it)",
            path.display()
        ))
        .into());
    }
    let text = fs_err::read_to_string(&path)?;
    let shown = crate::discovery::display_path(&path);
    load_plan(&shown, id, &text, &session.catalogue).map_err(|d| ConfigInvalid(d).into())
}

/// Every plan under docs/hardening, by id.
pub(crate) fn all(session: &Session) -> anyhow::Result<Vec<Plan>> {
    let dir = session.root.join(PLAN_DIR);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<String> = fs_err::read_dir(&dir)?
        .filter_map(Result::ok)
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".toml"))
                .map(str::to_owned)
        })
        .collect();
    ids.sort();
    ids.iter().map(|id| load(session, id)).collect()
}

pub(crate) fn new(repo: &RepoOption, id: &str, title: &str) -> anyhow::Result<u8> {
    let session = Session::open(&repo.path, &repo.locations)?;
    if !valid_id(id) {
        return Err(UsageError(format!(
            "`{id}` is not a plan id: expected lowercase letters, digits and dashes"
        ))
        .into());
    }
    let path = plan_path(&session, id);
    if path.exists() {
        return Err(UsageError(format!("{} already exists", path.display())).into());
    }
    let text = plan_template(title);
    load_plan("template", id, &text, &session.catalogue)
        .map_err(|d| anyhow::anyhow!("the plan template is invalid (a bug):\n{d}"))?;
    crate::confined::write(&session.root, &path, &text)?;
    let entry = session.append(
        "plan.state",
        &json!({"plan": id, "title": title, "from": null, "to": "open"}),
        session.now(),
    )?;
    output::emit(
        &format!(
            "created {} (ledger #{}): fill in objective, references and actions\n",
            crate::discovery::display_path(&path),
            entry.seq
        ),
        None,
    )?;
    Ok(0)
}

pub(crate) fn from_findings(
    repo: &RepoOption,
    id: &str,
    patterns: &[String],
    title: Option<&str>,
) -> anyhow::Result<u8> {
    let session = Session::open(&repo.path, &repo.locations)?;
    if !valid_id(id) {
        return Err(UsageError(format!(
            "`{id}` is not a plan id: expected lowercase letters, digits and dashes"
        ))
        .into());
    }
    let path = plan_path(&session, id);
    if path.exists() {
        return Err(UsageError(format!("{} already exists", path.display())).into());
    }
    let Some(entry) = session.entries("run")?.pop() else {
        return Err(
            UsageError("the ledger holds no run yet: run `harden check` first".into()).into(),
        );
    };
    let body: serde_json::Value = serde_json::from_str(&entry.body).unwrap_or_default();
    let failing: Vec<harden_config::plan::FailingGate> = body["gates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|gate| gate["outcome"].as_str() == Some("fail"))
        .filter_map(|gate| {
            let id = harden_model::GateId::parse(gate["id"].as_str()?).ok()?;
            // Only gates this harden knows: the plan's actions must be verifiable.
            session.catalogue.iter().find(|meta| meta.id == id)?;
            if !patterns.is_empty() && !patterns.iter().any(|p| id.matches_pattern(p)) {
                return None;
            }
            let findings = gate["findings"].as_array().map_or(0, Vec::len);
            let first = gate["findings"].get(0).map(|finding| {
                (
                    finding["message"].as_str().unwrap_or_default().to_owned(),
                    finding["help"].as_str().map(str::to_owned),
                )
            });
            Some(harden_config::plan::FailingGate {
                title: gate["title"].as_str().unwrap_or_default().to_owned(),
                id,
                findings,
                first,
            })
        })
        .collect();
    if failing.is_empty() {
        output::emit(
            &format!(
                "no failing gate{} in run #{}: nothing to plan\n",
                if patterns.is_empty() {
                    ""
                } else {
                    " matching --gate"
                },
                entry.seq
            ),
            None,
        )?;
        return Ok(0);
    }
    let commit = body["commit"]
        .as_str()
        .map_or_else(|| "no commit".to_owned(), |c| c.chars().take(7).collect());
    let run = format!(
        "#{} (commit {commit}, profile {})",
        entry.seq,
        body["profile"].as_str().unwrap_or("?")
    );
    let default_title = format!("Fix the failing gates of run #{}", entry.seq);
    let title = title.unwrap_or(&default_title);
    let text = harden_config::plan::plan_from_findings(title, &run, &failing);
    load_plan("generated", id, &text, &session.catalogue)
        .map_err(|d| anyhow::anyhow!("the generated plan is invalid (a bug):\n{d}"))?;
    crate::confined::write(&session.root, &path, &text)?;
    let ledger = session.append(
        "plan.state",
        &json!({"plan": id, "title": title, "from": null, "to": "open", "run": entry.seq}),
        session.now(),
    )?;
    output::emit(
        &format!(
            "created {} (ledger #{}) from run {run}: {} action{}, one per failing gate ({}); `harden plan verify {id}` checks them\n",
            crate::discovery::display_path(&path),
            ledger.seq,
            failing.len(),
            if failing.len() == 1 { "" } else { "s" },
            failing
                .iter()
                .map(|gate| gate.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None,
    )?;
    Ok(0)
}

pub(crate) fn list(repo: &RepoOption) -> anyhow::Result<u8> {
    let session = Session::open_for_reading(&repo.path, &repo.locations)?;
    let mut out = String::new();
    for plan in all(&session)? {
        let _ = writeln!(
            out,
            "{:<24} {:<10} {} ({} actions)",
            plan.id,
            plan.state.as_str(),
            plan.title,
            plan.actions.len()
        );
    }
    if out.is_empty() {
        out =
            format!("no plans under {PLAN_DIR}/ (`harden plan new ID --title ...` creates one)\n");
    }
    output::emit(&out, None)?;
    Ok(0)
}

pub(crate) fn show(repo: &RepoOption, id: &str) -> anyhow::Result<u8> {
    let session = Session::open_for_reading(&repo.path, &repo.locations)?;
    let plan = load(&session, id)?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  {} [{}]\n",
        plan.id,
        plan.title,
        plan.state.as_str()
    );
    let _ = writeln!(
        out,
        "objective  {}\nscope      {}",
        plan.objective, plan.scope
    );
    for (name, text) in &plan.references {
        let _ = writeln!(out, "reference  {name}: {text}");
    }
    for action in &plan.actions {
        let gates: Vec<&str> = action
            .gates
            .iter()
            .map(harden_model::GateId::as_str)
            .collect();
        let _ = writeln!(
            out,
            "action     {} ({}): {}  verified by {}",
            action.id,
            action.reference,
            action.description,
            gates.join(", ")
        );
    }
    for risk in &plan.risks {
        let _ = writeln!(out, "risk       {risk}");
    }
    if let Some(residual) = &plan.residual_risk {
        let _ = writeln!(out, "residual   {residual}");
    }
    if let Some(reason) = &plan.state_reason {
        let _ = writeln!(out, "reason     {reason}");
    }
    output::emit(&out, None)?;
    Ok(0)
}

/// Runs the plan's gates (whatever the profile) strictly and records the run.
fn run_plan_gates(session: &Session, plan: &Plan) -> anyhow::Result<RunReport> {
    let gates: Vec<String> = plan.gates().iter().map(ToString::to_string).collect();
    let options = RunOptions {
        profile: ResolvedProfile {
            name: format!("plan:{}", plan.id),
            level: ProfileLevel::Production,
            include: gates.clone(),
            exclude: Vec::new(),
        },
        strict: true,
        only: gates,
        skip: Vec::new(),
        min_severity: None,
    };
    session.run_gates(&options, None, true)
}

fn verify_and_record(
    session: &Session,
    plan: &Plan,
) -> anyhow::Result<(harden_rollout::plan::Verification, String)> {
    let report = run_plan_gates(session, plan)?;
    let verification = harden_rollout::plan::verify(
        &plan.id,
        plan.actions
            .iter()
            .map(|action| (action.id.as_str(), action.gates.as_slice())),
        &report,
    );
    let mut out = String::new();
    for action in &verification.actions {
        let gates: Vec<String> = action
            .gates
            .iter()
            .map(|g| format!("{} {}", g.gate, g.outcome.as_str()))
            .collect();
        let _ = writeln!(
            out,
            "{} {}: {}",
            if action.verified {
                "verified    "
            } else {
                "NOT verified"
            },
            action.id,
            gates.join(", ")
        );
    }
    let entry = session.append(
        "plan.verify",
        &serde_json::to_value(&verification)?,
        session.now(),
    )?;
    let _ = writeln!(
        out,
        "plan {} {} (ledger #{})",
        plan.id,
        if verification.verified {
            "verified"
        } else {
            "not verified"
        },
        entry.seq
    );
    Ok((verification, out))
}

pub(crate) fn verify(repo: &RepoOption, id: &str) -> anyhow::Result<u8> {
    let session = Session::open(&repo.path, &repo.locations)?;
    let plan = load(&session, id)?;
    let (verification, text) = verify_and_record(&session, &plan)?;
    output::emit(&text, None)?;
    Ok(u8::from(!verification.verified))
}

pub(crate) fn close(
    repo: &RepoOption,
    id: &str,
    state: ExitState,
    reason: Option<&str>,
    residual: Option<&str>,
) -> anyhow::Result<u8> {
    let session = Session::open(&repo.path, &repo.locations)?;
    let plan = load(&session, id)?;
    let exit = match state {
        ExitState::Completed => Exit::Completed,
        ExitState::Blocked => Exit::Blocked,
        ExitState::Aborted => Exit::Aborted,
    };
    let residual_risk = residual.or(plan.residual_risk.as_deref());
    harden_rollout::plan::may_close(id, plan.state.as_str(), exit, reason, residual_risk)
        .map_err(|refusal| UsageError(refusal.to_string()))?;
    let target = match exit {
        Exit::Completed => PlanState::Completed,
        Exit::Blocked => PlanState::Blocked,
        Exit::Aborted => PlanState::Aborted,
    };
    let mut out = String::new();
    if exit == Exit::Completed {
        let (verification, text) = verify_and_record(&session, &plan)?;
        out.push_str(&text);
        if let Err(refusal) = harden_rollout::plan::may_complete(&verification) {
            let _ = writeln!(out, "refused: {refusal}");
            output::emit(&out, None)?;
            return Ok(1);
        }
    }
    let path = plan_path(&session, id);
    let text = fs_err::read_to_string(&path)?;
    let mut document: toml_edit::DocumentMut = text.parse()?;
    document["state"] = toml_edit::value(target.as_str());
    if let Some(reason) = reason {
        document["state-reason"] = toml_edit::value(reason);
    }
    if let Some(residual) = residual {
        document["residual-risk"] = toml_edit::value(residual);
    }
    document["closed"] =
        toml_edit::value(session.now().to_zoned(session.zone()).date().to_string());
    crate::confined::write(&session.root, &path, document.to_string())?;
    let entry = session.append(
        "plan.state",
        &json!({"plan": id, "from": plan.state.as_str(), "to": target.as_str(), "reason": reason, "residual_risk": residual.or(plan.residual_risk.as_deref())}),
        session.now(),
    )?;
    let _ = writeln!(out, "plan {id} {} (ledger #{})", target.as_str(), entry.seq);
    output::emit(&out, None)?;
    Ok(0)
}
