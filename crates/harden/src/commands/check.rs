use harden_engine::RunOptions;
use harden_report::{Format, RenderContext};

use crate::cli::{CheckArgs, OutputFormat};
use crate::session::Session;
use crate::{UsageError, output};

pub(crate) fn format_of(format: OutputFormat) -> Format {
    match format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Junit => Format::Junit,
        OutputFormat::Markdown => Format::Markdown,
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
    for pattern in &args.only {
        if !session
            .catalogue
            .iter()
            .any(|g| g.id.matches_pattern(pattern))
        {
            return Err(UsageError(format!(
                "--only {pattern}: matches no gate (see `harden gates`)"
            ))
            .into());
        }
    }
    let options = RunOptions {
        profile: session.profile(args.profile.as_deref())?,
        strict: args.strict,
        only: args.only.clone(),
    };
    let report = session.run_gates(&options, args.artifact.clone(), !args.no_record)?;
    let color = args.output.is_none() && output::stdout_color();
    let text = harden_report::render(
        &report,
        format_of(args.format),
        &RenderContext {
            catalogue: &session.catalogue,
            color,
        },
    );
    let code = harden_engine::exit_code(&report);
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
