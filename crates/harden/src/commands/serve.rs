//! `harden serve` and `harden serve token create`: the team server's process.

use crate::UsageError;
use crate::cli::{DatabaseArg, ServeArgs, ServeCommand, TokenCommand};
use std::fmt::Write as _;

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
    match &args.command {
        Some(ServeCommand::Token(TokenCommand::Create {
            database,
            org,
            project,
        })) => return create_token(database, org, project.as_deref()),
        Some(ServeCommand::Token(TokenCommand::List { database, org })) => {
            return list_tokens(database, org);
        }
        Some(ServeCommand::Token(TokenCommand::Revoke { database, org, id })) => {
            return revoke_token(database, org, *id);
        }
        None => {}
    }
    let config = harden_server::ServerConfig {
        database_url: database_url(&args.database)?.to_owned(),
        listen: args.listen,
        migrate: args.migrate,
        pool_size: args.pool_size.clamp(1, 1_000),
        secure_cookies: !args.insecure_cookies,
        rate_limit: args.rate_limit.max(1),
        client_ip_header: args.client_ip_header.clone(),
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

fn list_tokens(database: &DatabaseArg, org: &str) -> anyhow::Result<u8> {
    let url = database_url(database)?;
    let tokens = runtime()?
        .block_on(harden_server::list_tokens(url, org))
        .map_err(|e| UsageError(e.to_string()))?;
    let mut out = String::new();
    for token in &tokens {
        let _ = writeln!(
            out,
            "{:>5}  {:<24} {:<10} created {}{}",
            token.id,
            token.project.as_deref().unwrap_or("(organisation)"),
            token.hint,
            token.created_at.strftime("%Y-%m-%d %H:%M"),
            token
                .revoked_at
                .map(|at| format!("  revoked {}", at.strftime("%Y-%m-%d %H:%M")))
                .unwrap_or_default()
        );
    }
    if tokens.is_empty() {
        out.push_str("no tokens\n");
    }
    output::emit(&out, None)?;
    Ok(0)
}

fn revoke_token(database: &DatabaseArg, org: &str, id: i64) -> anyhow::Result<u8> {
    let url = database_url(database)?;
    let revoked = runtime()?
        .block_on(harden_server::revoke_token(url, org, id))
        .map_err(|e| UsageError(e.to_string()))?;
    if !revoked {
        return Err(UsageError(format!("organisation {org} has no live token {id}")).into());
    }
    output::emit(&format!("revoked token {id} of {org}\n"), None)?;
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
