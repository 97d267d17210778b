use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{GateId, GateMeta, ProfileLevel, Round, Severity, Target};

use harden_engine::CACHED_FILE_BYTES;

use super::secret_scan::{Findings, Input, detector, read_file, scan_all};
use crate::classify::FileClass;
use crate::support::MAX_PARSED_BYTES;

/// `R3.secrets.tree`: no secret in the files of the working tree.
pub(crate) struct SecretsTree;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R3.secrets.tree"),
    round: Round::R3,
    title: "No secrets in the working tree",
    severity: Severity::Critical,
    target: Target::Repository,
    min_profile: ProfileLevel::Prototype,
    rationale: "A credential committed to a repository is readable by everyone who can clone it, \
forever in its history, and is routinely harvested from public and leaked repositories within \
minutes. This gate scans every file of the working tree that git does not ignore (hidden files such \
as .env and .npmrc included; binaries skipped and counted; files over 8 MiB read as a stream in \
bounded chunks that overlap, so a secret across a chunk edge is still found) with harden's \
secret rules: over 170 provider token formats with checksums where the format has one, private \
keys whose body decodes, JWTs, passwords in connection strings, and high-entropy values assigned \
to secret-named variables, also inside base64, URL-encoded and hex text. Placeholders, variable \
references and documentation examples do not fire. The same secret in several files is one \
finding with every location; secrets in the baseline (`harden secrets baseline`) are counted, \
not reported. Client keys that a provider expects in code every browser downloads (a Sentry DSN's \
public key, a New Relic browser key) are listed in the evidence, not reported: nothing is leaked \
and nothing needs rotating. Fix: revoke and rotate the credential first, then remove it and load it from a \
secret store at runtime.",
    evidence: &[
        "files",
        "binary files skipped",
        "large files read in chunks",
        "secrets",
        "baselined",
    ],
    options: &[],
    items: None,
};

impl Gate for SecretsTree {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let detector = detector(&cx.config().secrets.detector)?;
        let mut findings = Findings::new(cx)?;
        let classified = crate::classify::classified(cx)?;
        let files: Vec<&FileClass> = classified
            .iter()
            .filter(|class| !findings.allowed_path(&class.path))
            .collect();
        let repo = cx.repo();
        // Structured files, and production source files when the mock or fail-fast gate runs,
        // are read whole by other gates of this run too: read once.
        let shared = crate::support::sources_shared(cx);
        for scanned in scan_all(
            cx,
            &detector,
            &files,
            "files",
            |class| (class.path.as_str(), None),
            |class| {
                if (class.structured() || (shared && class.production_source()))
                    && let harden_engine::Bounded::Whole(bytes) = cx.cache().read_at_most(
                        repo,
                        &class.path,
                        CACHED_FILE_BYTES.min(MAX_PARSED_BYTES),
                    )?
                {
                    return Ok(Input::Shared(bytes));
                }
                read_file(repo, &class.path)
            },
        )? {
            findings.add(scanned);
        }
        findings.report(cx, out, "files");
        Ok(())
    }
}
