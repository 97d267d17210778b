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

/// A transient progress line on an interactive stderr.
pub(crate) fn progress(done: usize, total: usize, gate: &str) {
    let mut stderr = anstream::stderr().lock();
    let _ = write!(stderr, "\r\x1b[2K[{done}/{total}] {gate}");
    let _ = stderr.flush();
}

/// Clears the progress line.
pub(crate) fn progress_clear() {
    let mut stderr = anstream::stderr().lock();
    let _ = write!(stderr, "\r\x1b[2K");
    let _ = stderr.flush();
}
