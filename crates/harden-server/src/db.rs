//! The connection pool, the schema migrations, and the two doors into the data: a tenant
//! transaction ([`Db::tenant`] to append, [`Db::tenant_reading`] to read) for everything an
//! organisation owns, and the few credential lookups that come before the organisation is known.
//!
//! Tenancy is structural: handlers never hold a raw connection. A [`Tenant`] is a transaction
//! running as the role `harden_tenant` with `harden.org` set, so PostgreSQL's row-level security
//! (see `migrations/0001_team_server.up.sql`) returns and accepts that organisation's rows only,
//! whatever a query forgets to say.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Row, Statement};

/// Why the database could not do what was asked. Messages name the database without its
/// password and never carry a query's parameters.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL or its TLS settings are unusable.
    #[error("database {location}: {message}")]
    Config {
        /// Redacted URL.
        location: String,
        /// What is wrong.
        message: String,
    },
    /// No connection could be had in time.
    #[error("database {location}: no connection: {message}")]
    Unavailable {
        /// Redacted URL.
        location: String,
        /// The pool's or the driver's message.
        message: String,
    },
    /// A statement failed.
    #[error("database: {0}")]
    Query(String),
}

impl DbError {
    fn query(error: &tokio_postgres::Error) -> Self {
        Self::Query(postgres_message(error))
    }
}

/// The server's own message where there is one (the CLI's PostgreSQL ledger words them so).
pub(crate) fn postgres_message(error: &tokio_postgres::Error) -> String {
    harden_ledger::postgres_message(error)
}

/// An organisation's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrgId(pub i64);

/// A project's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProjectId(pub i64);

/// Who a token or session speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The token's id.
    pub token: i64,
    /// Its organisation: every read and write is confined to it.
    pub org: OrgId,
    /// The project it may push to (`None`: an organisation token, which reads only).
    pub project: Option<ProjectId>,
}

/// One schema migration, embedded in the binary: `migrations/NNNN_name.up.sql` and its
/// `.down.sql`.
struct Migration {
    version: i64,
    name: &'static str,
    up: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "team_server",
        up: include_str!("../migrations/0001_team_server.up.sql"),
    },
    Migration {
        version: 2,
        name: "lz4_bodies",
        up: include_str!("../migrations/0002_lz4_bodies.up.sql"),
    },
];

/// Key of the advisory lock that serializes migrations across server instances.
const MIGRATION_LOCK: i64 = 0x6861_7264_656e_7376; // "hardensv"

/// The shared pool of connections to the server's database.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    location: String,
}

impl Db {
    /// A pool of at most `size` connections to `url` (libpq-style URL; `sslmode` and
    /// `sslrootcert` as the CLI's PostgreSQL ledger reads them). Connections are opened on
    /// demand; a caller waits at most `wait` for one.
    pub fn connect(url: &str, size: usize, wait: Duration) -> Result<Self, DbError> {
        let location = harden_ledger::redact_url(url);
        let (config, tls) =
            harden_ledger::async_client_config(url).map_err(|message| DbError::Config {
                location: location.clone(),
                message,
            })?;
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        // Without sslmode TLS the connector is never used; one type serves both cases.
        let tls = match tls {
            Some(tls) => tls,
            None => plain_connector().map_err(|message| DbError::Config {
                location: location.clone(),
                message,
            })?,
        };
        let manager = Manager::from_config(config, tls, manager_config);
        let pool = Pool::builder(manager)
            .max_size(size.max(1))
            .wait_timeout(Some(wait))
            .create_timeout(Some(wait))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| DbError::Config {
                location: location.clone(),
                message: e.to_string(),
            })?;
        Ok(Self { pool, location })
    }

    /// The database's URL without its password.
    pub fn location(&self) -> &str {
        &self.location
    }

    async fn client(&self) -> Result<Object, DbError> {
        self.pool.get().await.map_err(|e| DbError::Unavailable {
            location: self.location.clone(),
            message: match &e {
                deadpool_postgres::PoolError::Backend(error) => postgres_message(error),
                other => other.to_string(),
            },
        })
    }

    /// A raw connection, outside any tenant transaction: for tests that set the database up.
    #[cfg(test)]
    pub(crate) async fn raw_client_for_tests(&self) -> Object {
        self.client().await.unwrap_or_else(|e| panic!("{e}"))
    }

    /// Whether the database answers (`/readyz`).
    pub async fn ping(&self) -> Result<(), DbError> {
        let client = self.client().await?;
        client
            .simple_query("SELECT 1")
            .await
            .map_err(|e| DbError::query(&e))?;
        Ok(())
    }

    /// Applies the migrations the database lacks, in order, each in its own transaction, under
    /// an advisory lock so instances started together do not race. Returns the names applied.
    pub async fn migrate(&self) -> Result<Vec<String>, DbError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(|e| DbError::query(&e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(|e| DbError::query(&e))?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS harden_schema_migrations (
                version BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )",
        )
        .await
        .map_err(|e| DbError::query(&e))?;
        let applied: Vec<i64> = tx
            .query("SELECT version FROM harden_schema_migrations", &[])
            .await
            .map_err(|e| DbError::query(&e))?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let mut names = Vec::new();
        for migration in MIGRATIONS {
            if applied.contains(&migration.version) {
                continue;
            }
            tx.batch_execute(migration.up).await.map_err(|e| {
                DbError::Query(format!(
                    "migration {:04}_{}: {}",
                    migration.version,
                    migration.name,
                    postgres_message(&e)
                ))
            })?;
            tx.execute(
                "INSERT INTO harden_schema_migrations (version, name) VALUES ($1, $2)",
                &[&migration.version, &migration.name],
            )
            .await
            .map_err(|e| DbError::query(&e))?;
            names.push(format!("{:04}_{}", migration.version, migration.name));
        }
        tx.commit().await.map_err(|e| DbError::query(&e))?;
        Ok(names)
    }

    /// Whether every migration this build knows has been applied.
    pub async fn schema_current(&self) -> Result<bool, DbError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT to_regclass('harden_schema_migrations') IS NOT NULL",
                &[],
            )
            .await
            .map_err(|e| DbError::query(&e))?;
        if !row.get::<_, bool>(0) {
            return Ok(false);
        }
        let row = client
            .query_one(
                "SELECT coalesce(max(version), 0) FROM harden_schema_migrations",
                &[],
            )
            .await
            .map_err(|e| DbError::query(&e))?;
        let latest = MIGRATIONS.last().map_or(0, |m| m.version);
        Ok(row.get::<_, i64>(0) >= latest)
    }

    /// Opens a transaction confined to `org`'s rows, for appends: its statements (inserts,
    /// lookups by a unique key, the head's update by id) have one good plan whatever the
    /// tables hold, so PostgreSQL's cached generic plans serve them.
    pub async fn tenant(&self, org: OrgId) -> Result<Tenant, DbError> {
        self.begin(org, "").await
    }

    /// Opens a transaction confined to `org`'s rows, for reads, planned for each execution:
    /// a generic plan cached while a project was small (a bitmap scan and a sort of all its
    /// entries for one page of them) would otherwise stay with a connection as the project
    /// grows.
    pub async fn tenant_reading(&self, org: OrgId) -> Result<Tenant, DbError> {
        self.begin(org, "; SET LOCAL plan_cache_mode = force_custom_plan")
            .await
    }

    async fn begin(&self, org: OrgId, settings: &str) -> Result<Tenant, DbError> {
        // The guard exists before anything is sent: a request cancelled while BEGIN is in
        // flight drops it, and the connection leaves the pool instead of returning to it
        // inside the tenant's transaction.
        let tenant = Tenant {
            client: Some(self.client().await?),
            org,
        };
        // One round trip. The id is an integer formatted by Rust and the settings are
        // constants: nothing from a request is spliced into SQL.
        tenant
            .client()
            .batch_execute(&format!(
                "BEGIN; SET LOCAL ROLE harden_tenant; SET LOCAL harden.org = '{}'{settings}",
                org.0
            ))
            .await
            .map_err(|e| DbError::query(&e))?;
        Ok(tenant)
    }

    /// The caller a token speaks for, if the token exists and is not revoked.
    pub async fn caller_for_token(&self, digest: &[u8]) -> Result<Option<Caller>, DbError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "SELECT id, org_id, project_id FROM harden_tokens
                 WHERE digest = $1 AND revoked_at IS NULL",
            )
            .await
            .map_err(|e| DbError::query(&e))?;
        let row = client
            .query_opt(&statement, &[&digest])
            .await
            .map_err(|e| DbError::query(&e))?;
        Ok(row.map(|row| caller(&row)))
    }

    /// The caller a dashboard session speaks for, if the session is live.
    pub async fn caller_for_session(&self, digest: &[u8]) -> Result<Option<Caller>, DbError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "SELECT t.id, t.org_id, t.project_id FROM harden_sessions s
                 JOIN harden_tokens t ON t.id = s.token_id
                 WHERE s.digest = $1 AND s.expires_at > now() AND t.revoked_at IS NULL",
            )
            .await
            .map_err(|e| DbError::query(&e))?;
        let row = client
            .query_opt(&statement, &[&digest])
            .await
            .map_err(|e| DbError::query(&e))?;
        Ok(row.map(|row| caller(&row)))
    }

    /// Records a dashboard session for `caller`'s token, valid for `ttl`; drops expired ones.
    pub async fn open_session(
        &self,
        caller: &Caller,
        digest: &[u8],
        ttl: Duration,
    ) -> Result<(), DbError> {
        let client = self.client().await?;
        let seconds = ttl.as_secs() as f64;
        client
            .execute("DELETE FROM harden_sessions WHERE expires_at <= now()", &[])
            .await
            .map_err(|e| DbError::query(&e))?;
        client
            .execute(
                "INSERT INTO harden_sessions (digest, token_id, expires_at)
                 VALUES ($1, $2, now() + make_interval(secs => $3))",
                &[&digest, &caller.token, &seconds],
            )
            .await
            .map_err(|e| DbError::query(&e))?;
        Ok(())
    }

    /// Ends a dashboard session.
    pub async fn close_session(&self, digest: &[u8]) -> Result<(), DbError> {
        let client = self.client().await?;
        client
            .execute("DELETE FROM harden_sessions WHERE digest = $1", &[&digest])
            .await
            .map_err(|e| DbError::query(&e))?;
        Ok(())
    }

    /// Creates the organisation and project if needed and stores a token's digest for them
    /// (`project: None`: an organisation-wide read token). An administrator's act, from the
    /// command line with the database's credentials; no HTTP route reaches it.
    pub async fn create_token(
        &self,
        org: &str,
        project: Option<&str>,
        digest: &[u8],
        hint: &str,
    ) -> Result<(), DbError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(|e| DbError::query(&e))?;
        let org_id: i64 = tx
            .query_one(
                "INSERT INTO harden_orgs (name) VALUES ($1)
                 ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
                &[&org],
            )
            .await
            .map_err(|e| DbError::query(&e))?
            .get(0);
        let project_id: Option<i64> = match project {
            Some(name) => Some(
                tx.query_one(
                    "INSERT INTO harden_projects (org_id, name) VALUES ($1, $2)
                     ON CONFLICT (org_id, name) DO UPDATE SET name = excluded.name RETURNING id",
                    &[&org_id, &name],
                )
                .await
                .map_err(|e| DbError::query(&e))?
                .get(0),
            ),
            None => None,
        };
        tx.execute(
            "INSERT INTO harden_tokens (org_id, project_id, digest, hint) VALUES ($1, $2, $3, $4)",
            &[&org_id, &project_id, &digest, &hint],
        )
        .await
        .map_err(|e| DbError::query(&e))?;
        tx.commit().await.map_err(|e| DbError::query(&e))
    }
}

/// A token as `harden serve token list` shows it: never the token itself.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    /// Its id (what `token revoke` takes).
    pub id: i64,
    /// The project it pushes to (`None`: an organisation token).
    pub project: Option<String>,
    /// Its first characters.
    pub hint: String,
    /// When it was made.
    pub created_at: jiff::Timestamp,
    /// When it was revoked.
    pub revoked_at: Option<jiff::Timestamp>,
}

impl Db {
    /// The tokens of an organisation, oldest first.
    pub async fn tokens(&self, org: &str) -> Result<Vec<TokenInfo>, DbError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT t.id, p.name, t.hint, t.created_at, t.revoked_at FROM harden_tokens t
                 JOIN harden_orgs o ON o.id = t.org_id
                 LEFT JOIN harden_projects p ON p.id = t.project_id
                 WHERE o.name = $1 ORDER BY t.id",
                &[&org],
            )
            .await
            .map_err(|e| DbError::query(&e))?;
        Ok(rows
            .iter()
            .map(|row| TokenInfo {
                id: row.get(0),
                project: row.get(1),
                hint: row.get(2),
                created_at: row.get(3),
                revoked_at: row.get(4),
            })
            .collect())
    }

    /// Revokes a token of `org` (and so the dashboard sessions opened with it); `false` when
    /// the organisation has no such live token.
    pub async fn revoke_token(&self, org: &str, id: i64) -> Result<bool, DbError> {
        let client = self.client().await?;
        let revoked = client
            .execute(
                "UPDATE harden_tokens SET revoked_at = now()
                 WHERE id = $2 AND revoked_at IS NULL
                   AND org_id = (SELECT id FROM harden_orgs WHERE name = $1)",
                &[&org, &id],
            )
            .await
            .map_err(|e| DbError::query(&e))?;
        Ok(revoked == 1)
    }
}

fn caller(row: &Row) -> Caller {
    Caller {
        token: row.get(0),
        org: OrgId(row.get(1)),
        project: row.get::<_, Option<i64>>(2).map(ProjectId),
    }
}

fn plain_connector() -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    #[allow(deprecated)]
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// A transaction over one organisation's rows. Commit it with [`Tenant::commit`]; one dropped
/// before that takes its connection out of the pool, so PostgreSQL rolls it back and no later
/// request inherits the role or the organisation.
pub struct Tenant {
    client: Option<Object>,
    org: OrgId,
}

impl Tenant {
    /// The organisation this transaction is confined to.
    pub fn org(&self) -> OrgId {
        self.org
    }

    fn client(&self) -> &Object {
        self.client
            .as_ref()
            .unwrap_or_else(|| unreachable!("a finished tenant transaction is not used"))
    }

    /// Prepares `sql` (once per connection: the statement is cached).
    pub(crate) async fn statement(&self, sql: &str) -> Result<Statement, DbError> {
        self.client()
            .prepare_cached(sql)
            .await
            .map_err(|e| DbError::query(&e))
    }

    /// Rows of `sql`.
    pub(crate) async fn query(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, DbError> {
        let statement = self.statement(sql).await?;
        self.client()
            .query(&statement, params)
            .await
            .map_err(|e| DbError::query(&e))
    }

    /// At most one row of `sql`.
    pub(crate) async fn query_opt(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, DbError> {
        let statement = self.statement(sql).await?;
        self.client()
            .query_opt(&statement, params)
            .await
            .map_err(|e| DbError::query(&e))
    }

    /// Runs `sql`, returning the rows it touched.
    #[cfg(test)]
    pub(crate) async fn execute(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, DbError> {
        let statement = self.statement(sql).await?;
        self.client()
            .execute(&statement, params)
            .await
            .map_err(|e| DbError::query(&e))
    }

    /// Runs a prepared statement with owned parameters. Nothing is awaited before the request
    /// is sent, so futures made one after another and polled together reach PostgreSQL in
    /// that order (pipelined).
    pub(crate) async fn execute_prepared(
        &self,
        statement: &Statement,
        params: OwnedParams,
    ) -> Result<u64, DbError> {
        let refs = borrowed(&params);
        self.client()
            .execute(statement, &refs)
            .await
            .map_err(|e| DbError::query(&e))
    }

    /// At most one row of a prepared statement, with owned parameters, sent on the first
    /// poll like [`Tenant::execute_prepared`].
    pub(crate) async fn query_prepared_opt(
        &self,
        statement: &Statement,
        params: OwnedParams,
    ) -> Result<Option<Row>, DbError> {
        let refs = borrowed(&params);
        self.client()
            .query_opt(statement, &refs)
            .await
            .map_err(|e| DbError::query(&e))
    }

    /// Runs `writes` and then COMMIT as one pipeline: each request is sent in the order given
    /// (every future is polled in order, and a prepared statement's request leaves on its
    /// first poll), so PostgreSQL reads the COMMIT last. Any failure fails the whole: an
    /// aborted transaction's COMMIT rolls back. After success, [`Tenant::committed`].
    pub(crate) async fn pipeline_and_commit<'a>(
        &'a self,
        writes: Vec<impl Future<Output = Result<u64, DbError>> + Send + 'a>,
    ) -> Result<(), DbError> {
        use std::pin::Pin;
        use std::task::Poll;
        type Pending<'f> = Pin<Box<dyn Future<Output = Result<u64, DbError>> + Send + 'f>>;
        let mut pending: Vec<Pending<'a>> = writes
            .into_iter()
            .map(|w| Box::pin(w) as Pending<'a>)
            .collect();
        pending.push(Box::pin(async move {
            self.client()
                .batch_execute("COMMIT")
                .await
                .map(|()| 0)
                .map_err(|e| DbError::query(&e))
        }));
        let mut done: Vec<Option<Result<u64, DbError>>> = pending.iter().map(|_| None).collect();
        std::future::poll_fn(|cx| {
            for (future, result) in pending.iter_mut().zip(done.iter_mut()) {
                if result.is_none()
                    && let Poll::Ready(outcome) = future.as_mut().poll(cx)
                {
                    *result = Some(outcome);
                }
            }
            if done.iter().all(Option::is_some) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
        for result in done.into_iter().flatten() {
            result?;
        }
        Ok(())
    }

    /// Returns the connection of a transaction [`Tenant::pipeline_and_commit`] committed.
    pub(crate) fn committed(mut self) {
        drop(self.client.take());
    }

    /// Rolls back and returns the connection to the pool (an expected failure: a project that
    /// is not the caller's, a run that does not exist). A connection whose rollback fails is
    /// closed instead.
    pub async fn rollback(mut self) {
        if let Some(client) = self.client.take()
            && client.batch_execute("ROLLBACK").await.is_err()
        {
            drop(Object::take(client));
        }
    }

    /// Commits.
    pub async fn commit(mut self) -> Result<(), DbError> {
        let Some(client) = self.client.take() else {
            return Ok(());
        };
        match client.batch_execute("COMMIT").await {
            Ok(()) => Ok(()),
            Err(error) => {
                drop(Object::take(client));
                Err(DbError::query(&error))
            }
        }
    }
}

/// Parameters a pipelined request owns: it outlives the code that made them.
pub(crate) type OwnedParams = Vec<Box<dyn ToSql + Sync + Send>>;

fn borrowed(params: &OwnedParams) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

impl Drop for Tenant {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            // Out of the pool: the connection closes and the open transaction with it.
            drop(Object::take(client));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// Row-level security holds even for queries that name no organisation: what a handler
    /// forgets cannot leak, and the tenant role cannot write into another organisation or
    /// delete anything.
    #[test]
    fn a_tenant_transaction_sees_and_writes_only_its_organisation() {
        let cluster = harden_test::PgCluster::start();
        let url = cluster.fresh_database();
        runtime().block_on(async {
            let db = Db::connect(&url, 4, Duration::from_secs(10)).unwrap();
            assert!(!db.schema_current().await.unwrap());
            assert_eq!(
                db.migrate().await.unwrap(),
                ["0001_team_server", "0002_lz4_bodies"]
            );
            assert!(db.migrate().await.unwrap().is_empty(), "migrations apply once");
            assert!(db.schema_current().await.unwrap());
            db.create_token("a", Some("shop"), &[1; 32], "a").await.unwrap();
            db.create_token("b", Some("vault"), &[2; 32], "b").await.unwrap();
            let a = db.caller_for_token(&[1; 32]).await.unwrap().unwrap();
            let b = db.caller_for_token(&[2; 32]).await.unwrap().unwrap();
            assert_ne!(a.org, b.org);

            let tenant = db.tenant(a.org).await.unwrap();
            let names: Vec<String> = tenant
                .query("SELECT name FROM harden_projects", &[])
                .await
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            assert_eq!(names, ["shop"]);
            let orgs = tenant
                .query("SELECT id FROM harden_orgs", &[])
                .await
                .unwrap();
            assert_eq!(orgs.len(), 1);
            let moved = tenant
                .execute(
                    "UPDATE harden_projects SET head_seq = 5 WHERE name = 'vault'",
                    &[],
                )
                .await
                .unwrap();
            assert_eq!(moved, 0, "another organisation's head is out of reach");
            tenant.commit().await.unwrap();

            let tenant = db.tenant(a.org).await.unwrap();
            let vault = b.project.unwrap().0;
            let error = tenant
                .execute(
                    "INSERT INTO harden_entries (org_id, project_id, seq, kind, recorded_at,
                     prev_hash, hash, body, push_key) VALUES ($1, $2, 1, 'run', '', '', '', '{}', 'k')",
                    &[&b.org.0, &vault],
                )
                .await
                .unwrap_err();
            assert!(error.to_string().contains("row-level security"), "{error}");
            // Dropped mid-transaction (the statement failed): the connection leaves the pool.
            drop(tenant);

            let tenant = db.tenant(a.org).await.unwrap();
            let error = tenant
                .execute("DELETE FROM harden_entries", &[])
                .await
                .unwrap_err();
            assert!(error.to_string().contains("permission denied"), "{error}");
            drop(tenant);

            // A pipeline whose middle statement fails commits nothing, not even what came
            // before it: the COMMIT sent behind it rolls the aborted transaction back.
            let tenant = db.tenant(a.org).await.unwrap();
            let (advance, fail) = tokio::try_join!(
                tenant.statement("UPDATE harden_projects SET head_seq = head_seq + 1"),
                tenant.statement("SELECT harden_fail('stop')"),
            )
            .unwrap();
            let writes = vec![
                tenant.execute_prepared(&advance, Vec::new()),
                tenant.execute_prepared(&fail, Vec::new()),
                tenant.execute_prepared(&advance, Vec::new()),
            ];
            let error = tenant.pipeline_and_commit(writes).await.unwrap_err();
            assert!(error.to_string().contains("stop"), "{error}");
            drop(tenant);
            let tenant = db.tenant(a.org).await.unwrap();
            let head: i64 = tenant
                .query("SELECT head_seq FROM harden_projects", &[])
                .await
                .unwrap()[0]
                .get(0);
            assert_eq!(head, 0);
            tenant.commit().await.unwrap();

            // A connection back in the pool carries no tenant: outside a tenant transaction
            // the role is the server's own again.
            let client = db.client().await.unwrap();
            let role: String = client
                .query_one("SELECT current_user::text", &[])
                .await
                .unwrap()
                .get(0);
            assert_ne!(role, "harden_tenant");
        });
    }

    /// The down migrations undo the up migrations: applied, rolled back newest first and
    /// applied again.
    #[test]
    fn the_schema_migrations_roll_back_and_reapply() {
        const DOWN: [(i64, &str); 2] = [
            (2, include_str!("../migrations/0002_lz4_bodies.down.sql")),
            (1, include_str!("../migrations/0001_team_server.down.sql")),
        ];
        let cluster = harden_test::PgCluster::start();
        let url = cluster.fresh_database();
        runtime().block_on(async {
            let db = Db::connect(&url, 2, Duration::from_secs(10)).unwrap();
            db.migrate().await.unwrap();
            db.create_token("a", Some("shop"), &[1; 32], "a")
                .await
                .unwrap();
            let client = db.client().await.unwrap();
            let body_compression = async || -> String {
                client
                    .query_one(
                        "SELECT attcompression::text FROM pg_attribute
                         WHERE attrelid = 'harden_entries'::regclass AND attname = 'body'",
                        &[],
                    )
                    .await
                    .unwrap()
                    .get(0)
            };
            // lz4 where the server was built with it (Debian's is), pglz (the default) otherwise.
            let lz4 = client
                .batch_execute("SET default_toast_compression = lz4")
                .await
                .is_ok();
            assert_eq!(body_compression().await, if lz4 { "l" } else { "" });
            for (version, down) in DOWN {
                client.batch_execute(down).await.unwrap();
                client
                    .execute(
                        "DELETE FROM harden_schema_migrations WHERE version = $1",
                        &[&version],
                    )
                    .await
                    .unwrap();
                if version == 2 {
                    assert_eq!(body_compression().await, "");
                }
            }
            let left: i64 = client
                .query_one(
                    "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'harden_%'
                     AND tablename <> 'harden_schema_migrations'",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            assert_eq!(left, 0);
            drop(client);
            assert!(!db.schema_current().await.unwrap());
            assert_eq!(
                db.migrate().await.unwrap(),
                ["0001_team_server", "0002_lz4_bodies"]
            );
            db.create_token("a", Some("shop"), &[1; 32], "a")
                .await
                .unwrap();
        });
    }
}
