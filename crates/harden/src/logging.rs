use std::io::Write;
use std::sync::OnceLock;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::cli::LogFormat;

/// The id of this process's run, on every JSON log line (a gate's log line on a worker thread
/// included, where the run's span is not entered) and in the run's report.
pub(crate) fn run_id() -> &'static str {
    static RUN_ID: OnceLock<String> = OnceLock::new();
    RUN_ID.get_or_init(|| uuid::Uuid::new_v4().to_string())
}

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
        .with_writer(MaskedStderr {
            json: format == LogFormat::Json,
        })
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

/// One JSON log line for a config diagnostic (under `--log-format json`, where a plain-text
/// block on stderr would break a log pipeline).
pub(crate) fn json_line(level: &str, message: &str, fields: serde_json::Value) -> String {
    let mut line = serde_json::json!({
        "timestamp": harden_engine::Clock::now(&crate::clock::SystemClock).to_string(),
        "level": level,
        "message": message,
        "run_id": run_id(),
    });
    if let (Some(line), serde_json::Value::Object(fields)) = (line.as_object_mut(), fields) {
        line.extend(fields);
    }
    line.to_string()
}

/// stderr for log lines: each line masked by the secret detector, and under JSON the run id
/// added to every line.
struct MaskedStderr {
    json: bool,
}

impl<'a> MakeWriter<'a> for MaskedStderr {
    type Writer = MaskedLine;

    fn make_writer(&'a self) -> Self::Writer {
        MaskedLine {
            json: self.json,
            buffer: Vec::new(),
        }
    }
}

/// One event: tracing-subscriber formats an event whole, then writes it through one writer,
/// which is dropped afterwards; the line is written out on drop.
struct MaskedLine {
    json: bool,
    buffer: Vec<u8>,
}

impl Write for MaskedLine {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for MaskedLine {
    fn drop(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&self.buffer);
        let masked = harden_secrets::mask(&text);
        let line = match masked.strip_prefix('{') {
            Some(rest) if self.json && !rest.starts_with("\"run_id\"") => {
                format!("{{\"run_id\":\"{}\",{rest}", run_id())
            }
            _ => masked.into_owned(),
        };
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}
