use std::collections::BTreeMap;

use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{
    GateId, GateMeta, Location, ProfileLevel, Redacted, Round, Severity, Span, Target, line_col_at,
};
use harden_secrets::{Detector, Match, RULES};

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
as .env and .npmrc included; binaries and files over 10 MiB skipped and counted) with harden's \
secret rules: provider token formats with checksums where the format has one, private keys whose \
body decodes, JWTs, passwords in connection strings, and high-entropy values assigned to \
secret-named variables. Placeholders, variable references and documentation examples do not \
fire. The same secret in several files is one finding with every location. Fix: revoke and rotate \
the credential first, then remove it and load it from a secret store at runtime.",
    evidence: &[
        "files",
        "binary files skipped",
        "large files skipped",
        "secrets",
    ],
    options: &[],
    items: None,
};

/// Files larger than this are skipped (and counted): generated bundles and data, not config.
const MAX_BYTES: usize = 10 * 1024 * 1024;

fn detector() -> Result<&'static Detector, GateError> {
    crate::support::detector().map_err(|e| GateError::Failed {
        message: format!("secret rules do not compile: {e}"),
        location: None,
    })
}

fn location(path: &str, text: &str, found: &Match) -> Location {
    let line_text = text
        .lines()
        .nth(found.position.line as usize - 1)
        .unwrap_or_default();
    // Mask every secret on the whole line before cutting it, so neither this secret nor a
    // neighbour can show through a truncated snippet.
    let masked =
        crate::support::shown_text(&Redacted::masking(line_text, &found.secret).to_string());
    let mut snippet: String = masked.trim().chars().take(200).collect();
    if masked.trim().chars().count() > 200 {
        snippet.push('…');
    }
    Location::File {
        path: path.to_owned(),
        span: Some(Span {
            start: found.position,
            end: line_col_at(text, found.end),
        }),
        snippet: Some(Redacted::known_safe(snippet)),
        logical: Some(found.rule.to_owned()),
    }
}

impl Gate for SecretsTree {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let detector = detector()?;
        // Each distinct secret once, with every place it occurs.
        let mut secrets: BTreeMap<String, (Match, Vec<Location>)> = BTreeMap::new();
        let (mut binary, mut large) = (0, 0);
        for path in cx.repo().files()? {
            let bytes = cx.repo().read(path)?;
            if bytes.len() > MAX_BYTES {
                large += 1;
                continue;
            }
            if bytes[..bytes.len().min(8000)].contains(&0) {
                binary += 1;
                continue;
            }
            out.examined("files", 1);
            let text = String::from_utf8_lossy(&bytes);
            for found in detector.scan(&text) {
                let key = found.secret.keyed_digest(b"R3.secrets");
                let at = location(path, &text, &found);
                secrets
                    .entry(key)
                    .or_insert_with(|| (found, Vec::new()))
                    .1
                    .push(at);
            }
        }
        out.count("binary files skipped", binary);
        out.count("large files skipped", large);
        out.count("secrets", secrets.len() as u64);
        let description = |id: &'static str| -> &'static str {
            RULES
                .iter()
                .find(|r| r.id == id)
                .map_or(id, |r| r.description)
        };
        for (key, (found, mut locations)) in secrets {
            let primary = locations.remove(0);
            let places = locations.len() + 1;
            let mut finding = cx
                .finding(
                    format!(
                        "{} {}{}",
                        description(found.rule),
                        found.secret,
                        if places > 1 { format!(" in {places} places") } else { String::new() }
                    ),
                    primary,
                )
                .identity(&key)
                .help("revoke and rotate it now, then remove it and load it from a secret store at runtime");
            for other in locations.into_iter().take(50) {
                finding = finding.related(other);
            }
            out.finding(finding.build());
        }
        Ok(())
    }
}
