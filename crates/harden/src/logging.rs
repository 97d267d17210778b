use tracing_subscriber::EnvFilter;

use crate::cli::LogFormat;

/// Sets up structured logs on stderr. `HARDEN_LOG` (an env-filter directive such as
/// `harden=debug`) overrides the level from `-v`.
pub(crate) fn init(format: LogFormat, verbose: u8) {
    let default = match (format, verbose) {
        (LogFormat::Json, 0) | (_, 1) => "info",
        (LogFormat::Text, 0) => "warn",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_env("HARDEN_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder.without_time().try_init(),
    };
}
