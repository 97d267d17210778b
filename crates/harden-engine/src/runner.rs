use std::time::Instant;

use harden_config::{ResolvedProfile, ValidConfig};
use harden_model::{GateId, GateResult, Outcome, RunReport, RunTarget, ToolInfo};
use rayon::prelude::*;

use crate::gate::{Gate, GateCx, GateError, GateOutput, Registry};
use crate::ports::Ports;
use crate::waivers::apply_waivers;

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The profile that selects gates.
    pub profile: ResolvedProfile,
    /// Under `--strict`, a required gate that was skipped (other than disabled in config) fails.
    pub strict: bool,
    /// If not empty, run only gates matching one of these patterns.
    pub only: Vec<String>,
    /// Never run gates matching one of these patterns (`--skip`), whatever selects them.
    pub skip: Vec<String>,
    /// Findings below this severity are left out of the report and decide nothing
    /// (`--min-severity`); how many were is counted in the gate's evidence.
    pub min_severity: Option<harden_model::Severity>,
}

/// Who is running and on what, for the report header.
#[derive(Debug, Clone)]
pub struct RunContext {
    /// Unique run id.
    pub run_id: String,
    /// Tool name and version.
    pub tool: ToolInfo,
    /// What is examined.
    pub target: RunTarget,
}

/// What happened to a gate (for progress display).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// The gate started.
    Started,
    /// The gate says where it is (`12,000 of 48,210 blobs`).
    Working(&'a str),
    /// The gate finished.
    Finished,
}

/// A gate started, moved on or finished (for progress display).
#[derive(Debug, Clone)]
pub struct Progress<'a> {
    /// The gate.
    pub gate: &'a GateId,
    /// What happened.
    pub step: Step<'a>,
    /// Gates finished so far.
    pub done: usize,
    /// Gates in the run.
    pub total: usize,
}

/// Runs the selected gates in parallel and returns the finished report (results in registry
/// order, whatever order the gates finished in).
pub fn run(
    registry: &Registry,
    config: &ValidConfig,
    ports: &Ports<'_>,
    options: &RunOptions,
    context: RunContext,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> RunReport {
    let started_at = ports.clock.now();
    let selected: Vec<&dyn Gate> = registry
        .gates()
        .filter(|gate| selects(config, options, gate.meta()))
        .collect();
    let total = selected.len();
    ports.cache.set_running(
        selected
            .iter()
            .filter(|gate| config.gate(&gate.meta().id).enabled != Some(false))
            .map(|gate| gate.meta().id.as_str().to_owned()),
    );
    let done = std::sync::atomic::AtomicUsize::new(0);
    let one = |gate: &&dyn Gate| {
        let id = &gate.meta().id;
        let report = |step: Step<'_>| {
            progress(Progress {
                gate: id,
                step,
                done: done.load(std::sync::atomic::Ordering::Relaxed),
                total,
            });
        };
        report(Step::Started);
        let result = run_one(*gate, config, ports, options.min_severity, &|detail| {
            report(Step::Working(detail));
        });
        let finished = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        progress(Progress {
            gate: id,
            step: Step::Finished,
            done: finished,
            total,
        });
        result
    };
    // Service gates run one after another in their own lane, beside the repository gates: their
    // requests do not interleave (a rate-limit burst is not shared with another gate's pacing),
    // and each has its own deadline (see `service_deadline`).
    let (service, repository): (Indexed<'_>, Indexed<'_>) = selected
        .iter()
        .copied()
        .enumerate()
        .partition(|(_, gate)| gate.meta().target == harden_model::Target::Service);
    let (mut lane, mut rest) = rayon::join(
        || {
            service
                .iter()
                .map(|(index, gate)| (*index, one(gate)))
                .collect::<Vec<_>>()
        },
        || {
            repository
                .par_iter()
                .map(|(index, gate)| (*index, one(gate)))
                .collect::<Vec<_>>()
        },
    );
    lane.append(&mut rest);
    lane.sort_by_key(|(index, _)| *index);
    let mut results: Vec<GateResult> = lane.into_iter().map(|(_, result)| result).collect();
    let today = today(config, started_at);
    let mut all_waivers = config.waivers.clone();
    all_waivers.extend(crate::inline::collect(&mut results, ports.repo));
    let waivers = apply_waivers(&mut results, &all_waivers, today, config.waiver_max_days);
    if options.strict {
        for result in &mut results {
            let disabled = config.gate(&result.id).enabled == Some(false);
            if result.outcome == Outcome::Skipped && !disabled {
                result.outcome = Outcome::Fail;
                let reason = result.reason.take().unwrap_or_default();
                result.reason = Some(format!("required gate did not run (--strict): {reason}"));
            }
            // A pass over less than everything is not a strict pass.
            if matches!(result.outcome, Outcome::Pass | Outcome::Waived)
                && let Some((item, why)) = result.evidence.not_examined.iter().next()
            {
                let n = result.evidence.not_examined.len();
                result.outcome = Outcome::Fail;
                result.reason = Some(format!(
                    "{n} item{} not examined (--strict): {item}: {why}",
                    if n == 1 { "" } else { "s" }
                ));
                result
                    .summary
                    .clone_from(result.reason.as_ref().unwrap_or(&String::new()));
            }
        }
    }
    let summary = RunReport::summarize(&results);
    RunReport {
        run_id: context.run_id,
        tool: context.tool,
        service: config.service.name.clone(),
        profile: options.profile.name.clone(),
        strict: options.strict,
        target: context.target,
        config_digest: config.source.as_ref().map(|s| s.digest.clone()),
        started_at,
        finished_at: ports.clock.now(),
        gates: results,
        waivers,
        summary,
        ledger: None,
        transcript: Vec::new(),
    }
}

/// Whether a run with `options` runs `gate`: the profile selects it (or the config enables it
/// explicitly with `enabled = true`), and `--only`, if given, names it.
pub fn selects(config: &ValidConfig, options: &RunOptions, gate: &harden_model::GateMeta) -> bool {
    let in_profile = options.profile.selects(gate) || config.gate(&gate.id).enabled == Some(true);
    in_profile
        && (options.only.is_empty() || options.only.iter().any(|p| gate.id.matches_pattern(p)))
        && !options.skip.iter().any(|p| gate.id.matches_pattern(p))
}

/// The calendar day waivers are judged on: in `[smoke] timezone` when configured, else UTC, so
/// that the same run gives the same verdict on every machine.
pub fn today(config: &ValidConfig, now: jiff::Timestamp) -> jiff::civil::Date {
    let zone = config
        .smoke
        .timezone
        .as_deref()
        .and_then(|name| jiff::tz::TimeZone::get(name).ok())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    now.to_zoned(zone).date()
}

/// Gates with their place in the catalogue.
type Indexed<'a> = Vec<(usize, &'a dyn Gate)>;

/// How long one service gate may take before its further requests are refused, unless
/// `[target] gate-time` says otherwise.
pub const SERVICE_GATE_TIME: std::time::Duration = std::time::Duration::from_mins(1);

thread_local! {
    static DEADLINE: std::cell::Cell<Option<Instant>> = const { std::cell::Cell::new(None) };
    static SERVICE_GATE: std::cell::Cell<Option<&'static str>> = const { std::cell::Cell::new(None) };
}

/// The id of the service gate running on this thread, if any: the transcript records which
/// gate sent each request.
pub fn service_gate() -> Option<&'static str> {
    SERVICE_GATE.with(std::cell::Cell::get)
}

/// The deadline of the service gate running on this thread, if any: the `Service` port
/// refuses to send once it has passed.
pub fn service_deadline() -> Option<Instant> {
    DEADLINE.with(std::cell::Cell::get)
}

/// Sets this thread's service deadline for as long as it lives.
struct DeadlineGuard;

impl DeadlineGuard {
    fn set(deadline: Instant, gate: &'static str) -> Self {
        DEADLINE.with(|d| d.set(Some(deadline)));
        SERVICE_GATE.with(|g| g.set(Some(gate)));
        Self
    }
}

impl Drop for DeadlineGuard {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(None));
        SERVICE_GATE.with(|g| g.set(None));
    }
}

fn run_one(
    gate: &dyn Gate,
    config: &ValidConfig,
    ports: &Ports<'_>,
    min_severity: Option<harden_model::Severity>,
    working: &(dyn Fn(&str) + Sync),
) -> GateResult {
    let meta = gate.meta();
    let settings = config.gate(&meta.id);
    let severity = settings.severity.unwrap_or(meta.severity);
    let mut result = GateResult {
        id: meta.id.clone(),
        round: meta.round,
        title: meta.title.to_owned(),
        severity,
        default_severity: meta.severity,
        outcome: Outcome::Skipped,
        summary: String::new(),
        reason: None,
        findings: Vec::new(),
        evidence: harden_model::Evidence::default(),
        duration_ms: 0,
    };
    if settings.enabled == Some(false) {
        let place = match (&config.source, settings.enabled_line) {
            (Some(source), Some(line)) => format!("{}:{line}", source.path),
            (Some(source), None) => source.path.clone(),
            _ => "config".to_owned(),
        };
        let note = settings
            .disabled_note
            .as_deref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default();
        result.reason = Some(format!("disabled in {place}{note}"));
        result.summary = result.reason.clone().unwrap_or_default();
        return result;
    }
    let started = Instant::now();
    let cx = GateCx::new(meta, config, ports).with_progress(working);
    // A service gate's requests stop being sent once its time is spent (the prober reads this
    // deadline), so a slow or hung service ends the gate instead of holding the run.
    let gate_time = config
        .target
        .as_ref()
        .and_then(|t| t.gate_time)
        .unwrap_or(SERVICE_GATE_TIME);
    let _deadline = (meta.target == harden_model::Target::Service)
        .then(|| DeadlineGuard::set(started + gate_time, meta.id.as_str()));
    let mut out = GateOutput::default();
    // A panicking gate is a failed gate, not a crashed run.
    let checked =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| gate.check(&cx, &mut out)))
            .unwrap_or_else(|_| {
                Err(GateError::Failed {
                    message: "the gate panicked (a bug in harden; please report it)".into(),
                    location: None,
                })
            });
    result.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    result.evidence = out.evidence;
    for mut finding in out.findings {
        // A gate may rate single findings lower (a warning among errors); a configured remap
        // applies to all of them.
        if settings.severity.is_some() {
            finding.severity = severity;
        }
        if min_severity.is_some_and(|min| finding.severity < min) {
            *result
                .evidence
                .counts
                .entry("findings below --min-severity".into())
                .or_default() += 1;
            continue;
        }
        result.findings.push(finding);
    }
    result.findings.sort_by(|a, b| {
        (
            a.location.path(),
            a.location.span().map(|s| s.start),
            &a.fingerprint,
        )
            .cmp(&(
                b.location.path(),
                b.location.span().map(|s| s.start),
                &b.fingerprint,
            ))
    });
    match checked {
        Err(GateError::Skip(reason)) => {
            result.summary.clone_from(&reason);
            result.reason = Some(reason);
        }
        Err(GateError::Failed { message, location }) => {
            result.outcome = Outcome::Fail;
            let at = location
                .map(|l| format!(" ({})", l.short()))
                .unwrap_or_default();
            result.reason = Some(format!("error: {message}{at}"));
            result.summary = format!("error: {message}");
        }
        Ok(()) => {
            if result.findings.is_empty() && result.evidence.examined_total() == 0 {
                // A pass over zero items is not a pass.
                let reason = match meta.items {
                    Some(items) => format!("not applicable: no {} in the repository", items.name),
                    None => "nothing to examine".to_owned(),
                };
                result.summary.clone_from(&reason);
                result.reason = Some(reason);
            } else {
                result.outcome = if result.findings.is_empty() {
                    Outcome::Pass
                } else {
                    Outcome::Fail
                };
                result.summary = out.summary.unwrap_or_else(|| default_summary(&result));
                let skipped = result.evidence.not_examined.len();
                if skipped > 0 {
                    result.summary = format!("{} ({skipped} not examined)", result.summary);
                }
            }
        }
    }
    result
}

fn default_summary(result: &GateResult) -> String {
    if result.findings.is_empty() {
        let parts: Vec<String> = result
            .evidence
            .examined
            .iter()
            .map(|(kind, n)| format!("{n} {}", noun(kind, *n)))
            .collect();
        format!("examined {}", parts.join(", "))
    } else {
        let n = result.findings.len();
        format!("{n} finding{}", if n == 1 { "" } else { "s" })
    }
}

/// `kind` (a plural: `files`, `entries`) in the number `n` asks for: `1 file`, `2 files`.
fn noun(kind: &str, n: u64) -> String {
    if n != 1 {
        return kind.to_owned();
    }
    if let Some(stem) = kind.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = kind.strip_suffix('s') {
        stem.to_owned()
    } else {
        kind.to_owned()
    }
}

/// The process exit code for a finished run: 0 when every gate passed, was waived or was
/// skipped without `--strict`; 1 when any gate failed. (2, for usage and config errors, is decided
/// before any gate runs.)
pub fn exit_code(report: &RunReport) -> u8 {
    u8::from(report.has_failures())
}

#[cfg(test)]
mod tests {
    use super::*;
    use harden_model::Summary;

    fn report(outcomes: &[Outcome]) -> RunReport {
        let gates: Vec<GateResult> = outcomes
            .iter()
            .map(|&outcome| GateResult {
                id: GateId::from_static("R0.scope.declared"),
                round: harden_model::Round::R0,
                title: String::new(),
                severity: harden_model::Severity::High,
                default_severity: harden_model::Severity::High,
                outcome,
                summary: String::new(),
                reason: None,
                findings: Vec::new(),
                evidence: harden_model::Evidence::default(),
                duration_ms: 0,
            })
            .collect();
        RunReport {
            run_id: String::new(),
            tool: ToolInfo {
                name: "harden".into(),
                version: "0".into(),
            },
            service: None,
            profile: "production".into(),
            strict: false,
            target: RunTarget::default(),
            config_digest: None,
            started_at: jiff::Timestamp::UNIX_EPOCH,
            finished_at: jiff::Timestamp::UNIX_EPOCH,
            summary: Summary::default(),
            gates,
            waivers: Vec::new(),
            ledger: None,
            transcript: Vec::new(),
        }
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(noun("files", 1), "file");
        assert_eq!(noun("entries", 1), "entry");
        assert_eq!(noun("env files", 1), "env file");
        assert_eq!(noun("files", 2), "files");
        assert_eq!(noun("files", 0), "files");
    }

    #[test]
    fn exit_code_policy() {
        assert_eq!(exit_code(&report(&[])), 0);
        assert_eq!(
            exit_code(&report(&[Outcome::Pass, Outcome::Waived, Outcome::Skipped])),
            0
        );
        assert_eq!(exit_code(&report(&[Outcome::Pass, Outcome::Fail])), 1);
        assert_eq!(exit_code(&report(&[Outcome::Fail])), 1);
    }
}
