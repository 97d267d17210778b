//! `harden serve` and `harden serve token create`: the team server's process.

use crate::UsageError;
use crate::cli::{DatabaseArg, ServeArgs, ServeCommand, TokenCommand};
use crate::output;

fn database_url(arg: &DatabaseArg) -> anyhow::Result<&str> {
    arg.database.as_deref().ok_or_else(|| {
        UsageError(
            "the team server needs a PostgreSQL database: pass --database URL or set \
HARDEN_DATABASE_URL"
                .into(),
        )
        .into()
    })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

pub(crate) fn run(args: &ServeArgs) -> anyhow::Result<u8> {
    if let Some(ServeCommand::Token(TokenCommand::Create {
        database,
        org,
        project,
    })) = &args.command
    {
        return create_token(database, org, project.as_deref());
    }
    let config = harden_server::ServerConfig {
        database_url: database_url(&args.database)?.to_owned(),
        listen: args.listen,
        migrate: args.migrate,
        pool_size: args.pool_size.clamp(1, 1_000),
        secure_cookies: !args.insecure_cookies,
        rate_limit: args.rate_limit.max(1),
    };
    runtime()?.block_on(async {
        harden_server::serve(config, shutdown_signal(), |_| {})
            .await
            .map_err(|e| anyhow::Error::from(UsageError(e.to_string())))
    })?;
    Ok(0)
}

fn create_token(database: &DatabaseArg, org: &str, project: Option<&str>) -> anyhow::Result<u8> {
    for (what, name) in [("--org", Some(org)), ("--project", project)] {
        if let Some(name) = name
            && (name.is_empty()
                || name.len() > 100
                || name.chars().any(|c| c.is_control() || c == '/'))
        {
            return Err(UsageError(format!(
                "{what} `{name}`: 1 to 100 characters, no `/` or control characters"
            ))
            .into());
        }
    }
    let url = database_url(database)?;
    let token = runtime()?
        .block_on(harden_server::create_token(url, org, project))
        .map_err(|e| UsageError(e.to_string()))?;
    // The one place a token is printed in full: it is the command's output, shown once.
    output::emit_verbatim(&format!("{token}\n"), None)?;
    Ok(0)
}

/// Completes on SIGTERM (what orchestrators send) or Ctrl-C.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
