pub(crate) mod check;
mod config;
mod criteria;
pub(crate) mod db;
mod drill;
mod gates;
mod init;
mod ledger;
mod manual;
mod plan;
mod probe;
mod promote;
pub(crate) mod push;
mod readiness;
mod sbom;
mod scaffold;
mod secrets;
mod serve;
mod smoke;
mod waivers;

use crate::cli::{
    Cli, ColorChoice, Command, ConfigCommand, DbCommand, DrillCommand, LedgerCommand, PlanCommand,
    PromoteCommand, SecretsCommand, SmokeCommand, WaiversCommand,
};

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
        Command::Probe(args) => probe::run(&args),
        Command::Gates(args) => gates::list(&args),
        Command::Explain(args) => gates::explain(&args),
        Command::Config(ConfigCommand::Check(args)) => config::check(&args),
        Command::Config(ConfigCommand::Schema) => config::schema(),
        Command::Scaffold { kind, repo, force } => scaffold::run(&repo, kind, force),
        Command::Attest(args) => drill::attest(&args),
        Command::Drill(DrillCommand::Run { repo, name }) => drill::run(&repo, &name),
        Command::Drill(DrillCommand::List(repo)) => drill::list(&repo),
        Command::Ledger(LedgerCommand::Verify { args, expect_head }) => {
            ledger::verify(&args, expect_head.as_deref())
        }
        Command::Ledger(LedgerCommand::Head { args, format }) => ledger::head(&args, format),
        Command::Ledger(LedgerCommand::Root { args, size, format }) => {
            ledger::root(&args, size, format)
        }
        Command::Ledger(LedgerCommand::Prove {
            args,
            entry,
            from,
            size,
            output,
        }) => ledger::prove(&args, entry.as_deref(), from, size, output.as_deref()),
        Command::Ledger(LedgerCommand::Attest {
            args,
            entry,
            subjects,
            subject_name,
            output,
        }) => ledger::attest(
            &args,
            entry.as_deref(),
            &subjects,
            subject_name.as_deref(),
            output.as_deref(),
        ),
        Command::Ledger(LedgerCommand::CheckProof { file, root }) => {
            ledger::check_proof(&file, root.as_deref())
        }
        Command::Ledger(LedgerCommand::Log { args, limit }) => ledger::log(&args, limit),
        Command::Ledger(LedgerCommand::Show { args, entry }) => ledger::show(&args, &entry),
        Command::Ledger(LedgerCommand::Export {
            args,
            format: _,
            output,
        }) => ledger::export(&args, output.as_deref()),
        Command::Smoke(SmokeCommand::Record { repo, checks }) => smoke::record(&repo, checks),
        Command::Smoke(SmokeCommand::Streak(repo)) => smoke::show_streak(&repo),
        Command::ExitCriteria(repo) => criteria::run(&repo),
        Command::Db(DbCommand::Import { args, sources }) => db::import(&args, &sources),
        Command::Db(DbCommand::Status(args)) => db::status(&args),
        Command::Sbom(args) => sbom::run(&args),
        Command::Waivers(WaiversCommand::Import(args)) => waivers::import(&args),
        Command::Completions { shell } => manual::completions(shell),
        Command::Man { out } => manual::pages(&out),
        Command::Promote(PromoteCommand::Check {
            repo,
            commit,
            profile,
            max_age,
            artifact,
            attestation,
            format,
        }) => promote::check(
            &repo,
            &promote::Asked {
                commit: &commit,
                profile: &profile,
                max_age: &max_age,
                artifact: artifact.as_deref(),
                attestation: attestation.as_deref(),
            },
            format,
        ),
        Command::Plan(PlanCommand::New { repo, id, title }) => plan::new(&repo, &id, &title),
        Command::Plan(PlanCommand::FromFindings {
            repo,
            id,
            gates,
            title,
        }) => plan::from_findings(&repo, &id, &gates, title.as_deref()),
        Command::Plan(PlanCommand::List(repo)) => plan::list(&repo),
        Command::Plan(PlanCommand::Show { repo, id }) => plan::show(&repo, &id),
        Command::Plan(PlanCommand::Verify { repo, id }) => plan::verify(&repo, &id),
        Command::Plan(PlanCommand::Close {
            repo,
            id,
            state,
            reason,
            residual_risk,
        }) => plan::close(
            &repo,
            &id,
            state,
            reason.as_deref(),
            residual_risk.as_deref(),
        ),
        Command::Readiness(args) => readiness::run(&args),
        Command::Secrets(SecretsCommand::Scan(args)) => secrets::scan(&args),
        Command::Secrets(SecretsCommand::Baseline { scan }) => secrets::baseline(&scan),
        Command::Secrets(SecretsCommand::Rules) => secrets::rules(),
        Command::Serve(args) => serve::run(&args),
        Command::Push(args) => push::run(&args),
    }
}
