mod check;
mod config;
mod gates;
mod init;
mod ledger;

use crate::cli::{Cli, ColorChoice, Command, ConfigCommand, LedgerCommand};

/// Runs the command and returns its exit code (errors become exit code 2 in `main`).
pub(crate) fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    match cli.global.color {
        ColorChoice::Always => anstream::ColorChoice::Always.write_global(),
        ColorChoice::Never => anstream::ColorChoice::Never.write_global(),
        ColorChoice::Auto => {}
    }
    match cli.command {
        Command::Init(args) => init::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Gates(args) => gates::list(&args),
        Command::Explain(args) => gates::explain(&args),
        Command::Config(ConfigCommand::Check(args)) => config::check(&args),
        Command::Config(ConfigCommand::Schema) => config::schema(),
        Command::Ledger(LedgerCommand::Verify(args)) => ledger::verify(&args),
        Command::Ledger(LedgerCommand::Log { args, limit }) => ledger::log(&args, limit),
        Command::Ledger(LedgerCommand::Show { args, entry }) => ledger::show(&args, &entry),
        Command::Ledger(LedgerCommand::Export {
            args,
            format: _,
            output,
        }) => ledger::export(&args, output.as_deref()),
    }
}
