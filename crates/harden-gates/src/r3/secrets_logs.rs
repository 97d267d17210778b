use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{GateId, GateMeta, Items, ProfileLevel, Round, Severity, Target};

use super::secret_scan::{Findings, detector, read_file, scan_all};

/// `R3.secrets.logs`: no secret in the configured log files.
pub(crate) struct SecretsLogs;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R3.secrets.logs"),
    round: Round::R3,
    title: "No secrets in logs",
    severity: Severity::Critical,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "Logs travel further than code: to aggregators, support tickets and vendors, with \
retention nobody audits. A token printed by a debug line or an error message is as leaked as one \
in git. This gate scans the files matched by `[secrets] logs` (ignored files included, since logs \
usually are) with the secret rules, including base64 and URL-encoded values such as request \
dumps. Fix: rotate what leaked, then redact at the logger (structured fields with a deny-list of \
secret-named keys) and purge the affected log streams.",
    evidence: &[
        "log files",
        "binary files skipped",
        "large files read in chunks",
        "secrets",
        "baselined",
    ],
    options: &[],
    items: Some(Items {
        name: "log files",
        globs: &["**/*.log", "**/logs/**"],
    }),
};

impl Gate for SecretsLogs {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let globs = &cx.config().secrets.logs;
        if globs.is_empty() {
            return Err(GateError::Skip(
                "no log files configured: list them in [secrets] logs (e.g. \"logs/**/*.log\")"
                    .into(),
            ));
        }
        let detector = detector(&cx.config().secrets.detector)?;
        let mut findings = Findings::new(cx)?;
        let paths = cx.repo().matching_all(globs)?;
        if paths.is_empty() {
            return Err(GateError::Failed {
                message: format!(
                    "no file matches [secrets] logs ({}): the logs this gate must read are missing",
                    globs.join(", ")
                ),
                location: None,
            });
        }
        let repo = cx.repo();
        let paths: Vec<&String> = paths.iter().collect();
        for scanned in scan_all(
            cx,
            &detector,
            &paths,
            "log files",
            |p| (p.as_str(), None),
            |p| read_file(repo, p),
        )? {
            findings.add(scanned);
        }
        findings.report(cx, out, "log files");
        Ok(())
    }
}
