//! `harden completions SHELL` and `harden man --out DIR`: generated from the command line's own
//! definition, so they cannot drift from it (a test compares them with the committed copies).

use std::path::Path;

use clap::CommandFactory as _;

use crate::cli::Cli;

pub(crate) fn completions(shell: clap_complete::Shell) -> anyhow::Result<u8> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "harden", &mut out);
    crate::output::emit(&String::from_utf8_lossy(&out), None)?;
    Ok(0)
}

pub(crate) fn pages(dir: &Path) -> anyhow::Result<u8> {
    fs_err::create_dir_all(dir)?;
    // One page per command and subcommand (`harden-db-import.1`), each named for how it is
    // typed.
    clap_mangen::generate_to(Cli::command(), dir)?;
    Ok(0)
}
