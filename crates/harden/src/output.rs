//! The only place harden writes to the terminal, and to report files.
//!
//! Everything passes the secret detector on the way out: texts quoted from scanned files are
//! masked where they are quoted, but a secret can also come from the configuration (a token
//! pasted into a waiver reason, a password in a deployment flag), from a command's output or
//! from an error message. Masking here is the last net for all of them.

use std::io::Write as _;
use std::path::Path;

use anstyle::{AnsiColor, Style};

/// Writes `text` to stdout (ANSI stripped when colour is off) or to `file` (always plain).
pub(crate) fn emit(text: &str, file: Option<&Path>) -> anyhow::Result<()> {
    emit_verbatim(&harden_secrets::mask(text), file)
}

/// [`emit`] without masking: only for ledger entries shown or exported as recorded, whose
/// hashes must still verify (entries are masked when they are appended).
pub(crate) fn emit_verbatim(text: &str, file: Option<&Path>) -> anyhow::Result<()> {
    if let Some(path) = file {
        let plain = anstream::adapter::strip_str(text).to_string();
        fs_err::write(path, plain)?;
    } else {
        let mut stdout = anstream::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()?;
    }
    Ok(())
}

/// Whether coloured output would reach the terminal.
pub(crate) fn stdout_color() -> bool {
    !matches!(
        anstream::stdout().current_choice(),
        anstream::ColorChoice::Never
    )
}

/// An error message on stderr.
pub(crate) fn error(message: &str) {
    let message = harden_secrets::mask(message);
    let style = AnsiColor::Red.on_default().bold();
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(
        stderr,
        "{}error{}: {message}",
        style.render(),
        style.render_reset()
    );
}

/// A warning on stderr: something the user must know, which does not change the exit code.
pub(crate) fn warning(message: &str) {
    let message = harden_secrets::mask(message);
    let style = AnsiColor::Yellow.on_default().bold();
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(
        stderr,
        "{}warning{}: {message}",
        style.render(),
        style.render_reset()
    );
}

/// A note on stderr (progress, hints).
pub(crate) fn note(message: &str) {
    let message = harden_secrets::mask(message);
    let style = Style::new().dimmed();
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(
        stderr,
        "{}{message}{}",
        style.render(),
        style.render_reset()
    );
}

/// Raw text on stderr (config diagnostics, which format themselves).
pub(crate) fn stderr_raw(text: &str) {
    let text = harden_secrets::mask(text);
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(stderr, "{text}");
}

/// The transient progress line of a run on an interactive stderr: gates finished, the gate
/// that has been running longest and what it says it is doing, so a long history walk is
/// named while it runs rather than the last gate that finished.
#[derive(Default)]
pub(crate) struct ProgressLine {
    state: std::sync::Mutex<ProgressState>,
}

#[derive(Default)]
struct ProgressState {
    /// Running gates in the order they started, with their last detail.
    running: Vec<(String, Option<String>)>,
    drawn: Option<std::time::Instant>,
}

impl ProgressState {
    fn render(&self, done: usize, total: usize) -> String {
        match self.running.first() {
            Some((gate, detail)) => {
                let more = self.running.len() - 1;
                format!(
                    "[{done}/{total}] {gate}{}{}",
                    detail
                        .as_deref()
                        .map(|d| format!(": {d}"))
                        .unwrap_or_default(),
                    if more > 0 {
                        format!(" (+{more} running)")
                    } else {
                        String::new()
                    }
                )
            }
            None => format!("[{done}/{total}]"),
        }
    }
}

/// Redraws at most this often: a gate may report thousands of steps.
const REDRAW: std::time::Duration = std::time::Duration::from_millis(100);

/// Runs `run` with a progress line on stderr while it works, when stderr is a terminal (and
/// nothing otherwise: logs and pipes get no carriage returns); the line is cleared after.
pub(crate) fn with_progress<R>(
    run: impl FnOnce(&(dyn Fn(harden_engine::Progress<'_>) + Sync)) -> R,
) -> R {
    let show = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let line = ProgressLine::default();
    let progress = |p: harden_engine::Progress<'_>| {
        if p.step == harden_engine::Step::Finished {
            tracing::debug!(gate = %p.gate, done = p.done, total = p.total, "gate finished");
        }
        if show {
            line.update(&p);
        }
    };
    let result = run(&progress);
    if show {
        progress_clear();
    }
    result
}

impl ProgressLine {
    pub(crate) fn update(&self, progress: &harden_engine::Progress<'_>) {
        let Some(line) = self.apply(progress) else {
            return;
        };
        let mut stderr = anstream::stderr().lock();
        let _ = write!(stderr, "\r\x1b[2K{}", harden_secrets::mask(&line));
        let _ = stderr.flush();
    }

    /// Takes in one event; the line to draw, unless drawn less than [`REDRAW`] ago.
    fn apply(&self, progress: &harden_engine::Progress<'_>) -> Option<String> {
        use harden_engine::Step;
        let mut state = self.state.lock().ok()?;
        let gate = progress.gate.as_str();
        let now = std::time::Instant::now();
        match progress.step {
            Step::Started => state.running.push((gate.to_owned(), None)),
            Step::Working(detail) => {
                if let Some(entry) = state.running.iter_mut().find(|(g, _)| g == gate) {
                    entry.1 = Some(detail.to_owned());
                }
                if state
                    .drawn
                    .is_some_and(|at| now.duration_since(at) < REDRAW)
                {
                    return None;
                }
            }
            Step::Finished => state.running.retain(|(g, _)| g != gate),
        }
        state.drawn = Some(now);
        Some(state.render(progress.done, progress.total))
    }
}

/// Clears the progress line.
pub(crate) fn progress_clear() {
    let mut stderr = anstream::stderr().lock();
    let _ = write!(stderr, "\r\x1b[2K");
    let _ = stderr.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use harden_engine::{Progress, Step};
    use harden_model::GateId;

    #[test]
    fn the_progress_line_names_the_running_gate_and_what_it_does() {
        let history = GateId::from_static("R3.secrets.history");
        let tree = GateId::from_static("R3.secrets.tree");
        let line = ProgressLine::default();
        let event = |gate, step, done| Progress {
            gate,
            step,
            done,
            total: 16,
        };
        line.apply(&event(&history, Step::Started, 0));
        line.apply(&event(&tree, Step::Started, 0));
        let drawn = line.apply(&event(&tree, Step::Finished, 1));
        assert_eq!(drawn.as_deref(), Some("[1/16] R3.secrets.history"));
        // The first detail within the redraw interval is held back, the next one shown.
        std::thread::sleep(REDRAW);
        let drawn = line.apply(&event(
            &history,
            Step::Working("512 of 9000 new blobs scanned"),
            1,
        ));
        assert_eq!(
            drawn.as_deref(),
            Some("[1/16] R3.secrets.history: 512 of 9000 new blobs scanned")
        );
        assert_eq!(
            line.apply(&event(&history, Step::Working("768 of 9000"), 1)),
            None
        );
        let drawn = line.apply(&event(&history, Step::Finished, 2));
        assert_eq!(drawn.as_deref(), Some("[2/16]"));
    }
}
