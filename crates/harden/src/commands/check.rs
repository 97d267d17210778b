use harden_engine::RunOptions;
use harden_report::{Format, RenderContext};

use crate::cli::{CheckArgs, OutputFormat, SeverityArg};
use crate::session::Session;
use crate::{UsageError, output};

pub(crate) fn format_of(format: OutputFormat) -> Format {
    match format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Junit => Format::Junit,
        OutputFormat::Markdown => Format::Markdown,
        OutputFormat::Github => Format::Github,
        OutputFormat::Gitlab => Format::Gitlab,
    }
}

pub(crate) fn severity_of(severity: SeverityArg) -> harden_model::Severity {
    match severity {
        SeverityArg::Info => harden_model::Severity::Info,
        SeverityArg::Low => harden_model::Severity::Low,
        SeverityArg::Medium => harden_model::Severity::Medium,
        SeverityArg::High => harden_model::Severity::High,
        SeverityArg::Critical => harden_model::Severity::Critical,
    }
}

/// `FORMAT=PATH` of `--report`: the format and the file.
fn report_target(text: &str) -> anyhow::Result<(Format, std::path::PathBuf)> {
    use clap::ValueEnum as _;
    let (name, path) = text
        .split_once('=')
        .filter(|(n, p)| !n.is_empty() && !p.is_empty())
        .ok_or_else(|| {
            UsageError(format!(
                "--report {text}: expected FORMAT=PATH, such as sarif=harden.sarif"
            ))
        })?;
    let format = OutputFormat::from_str(name, true).map_err(|_| {
        UsageError(format!(
            "--report {text}: `{name}` is not a format (human, json, sarif, junit, markdown, github, gitlab)"
        ))
    })?;
    Ok((format_of(format), std::path::PathBuf::from(path)))
}

/// Where the security audit document goes when neither the command line nor the config says.
const SECURITY_AUDIT_PATH: &str = "sdlc/security-audit.md";

/// Writes the security audit document: to `path` as given on the command line, else inside the
/// repository where the config (untrusted, so confined) or the default says.
fn write_security_audit(
    session: &crate::session::Session,
    report: &harden_model::RunReport,
    path: &str,
) -> anyhow::Result<()> {
    let text = harden_report::render(
        report,
        Format::SecurityAudit,
        &RenderContext {
            catalogue: &session.catalogue,
            color: false,
            quiet: false,
        },
    );
    let text = harden_secrets::mask(&text);
    let (target, shown) = if path.is_empty() {
        let relative = session
            .config
            .security_audit_path
            .as_deref()
            .unwrap_or(SECURITY_AUDIT_PATH);
        let target = session.root.join(relative);
        crate::confined::check(&session.root, &target)?;
        (target, relative.to_owned())
    } else {
        (std::path::PathBuf::from(path), path.to_owned())
    };
    // A document people wrote (the scaffold, a team's own audit) is theirs: only one this
    // command wrote before is replaced.
    if let Ok(existing) = fs_err::read_to_string(&target)
        && !existing.contains(harden_report::audit::GENERATED_MARK)
    {
        return Err(UsageError(format!(
            "--security-audit: {shown} exists and was not written by harden check; choose another path with --security-audit=PATH or [security-audit] path"
        ))
        .into());
    }
    if path.is_empty() {
        crate::confined::write(&session.root, &target, text.as_bytes())
    } else {
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs_err::create_dir_all(parent)?;
        }
        output::emit(&text, Some(&target))
    }
}

/// `sha256:` and 64 lowercase hex digits.
pub(crate) fn valid_artifact(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

pub(crate) fn run(args: &CheckArgs) -> anyhow::Result<u8> {
    if let Some(artifact) = &args.artifact
        && !valid_artifact(artifact)
    {
        return Err(UsageError(format!(
            "--artifact {artifact}: expected sha256: followed by 64 lowercase hex digits"
        ))
        .into());
    }
    // --no-record writes nothing: not even a new, empty ledger.
    let mut session = if args.no_record {
        Session::open_for_reading(&args.path, &args.locations)?
    } else {
        Session::open(&args.path, &args.locations)?
    };
    if args.live {
        session.allow_live();
    }
    if let Some(base) = &args.base {
        session.compare_with(base)?;
    }
    for (flag, patterns) in [("--only", &args.only), ("--skip", &args.skip)] {
        if let Some(pattern) = patterns
            .iter()
            .find(|p| !session.catalogue.iter().any(|g| g.id.matches_pattern(p)))
        {
            return Err(UsageError(format!(
                "{flag} {pattern}: matches no gate (see `harden gates`)"
            ))
            .into());
        }
    }
    let reports = args
        .report
        .iter()
        .map(|r| report_target(r))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let options = RunOptions {
        profile: session.profile(args.profile.as_deref())?,
        strict: args.strict,
        only: args.only.clone(),
        skip: args.skip.clone(),
        min_severity: args.min_severity.map(crate::commands::check::severity_of),
    };
    let report = session.run_gates(&options, args.artifact.clone(), !args.no_record)?;
    if let Some(url) = &args.report_to {
        let body = serde_json::to_value(harden_report::json::ReportV1::from(&report))?;
        let (project, seq, created) = crate::commands::push::report_run(url, &body)?;
        tracing::info!(project = %project, seq, created, "run sent to the team server");
    }
    let color = args.output.is_none() && output::stdout_color();
    let text = harden_report::render(
        &report,
        format_of(args.format),
        &RenderContext {
            catalogue: &session.catalogue,
            color,
            quiet: args.quiet,
        },
    );
    // The extra reports first: a failing gate must not keep the SARIF from being uploaded.
    for (format, path) in &reports {
        let text = harden_report::render(
            &report,
            *format,
            &RenderContext {
                catalogue: &session.catalogue,
                color: false,
                quiet: false,
            },
        );
        output::emit(&text, Some(path))?;
    }
    if let Some(path) = &args.security_audit {
        write_security_audit(&session, &report, path)?;
    }
    let code = if args.exit_zero {
        0
    } else {
        harden_engine::exit_code(&report)
    };
    if let Err(error) = output::emit(&text, args.output.as_deref()) {
        // `harden check | head` must still fail the pipeline when a gate failed.
        let broken_pipe = error
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe);
        if !broken_pipe {
            return Err(error);
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    /// The security audit's OWASP table names gates that exist.
    #[test]
    fn the_owasp_categories_name_registered_gates() {
        let catalogue = harden_gates::registry().catalogue();
        for category in &harden_report::audit::OWASP_TOP_10 {
            for gate in category.gates {
                assert!(
                    catalogue.iter().any(|meta| meta.id.as_str() == *gate),
                    "{}: no gate {gate}",
                    category.name
                );
            }
            for gate in category.attested {
                assert!(
                    harden_gates::checklist::item_of_gate(gate).is_some(),
                    "{}: {gate} is no checklist gate",
                    category.name
                );
            }
        }
    }
}
