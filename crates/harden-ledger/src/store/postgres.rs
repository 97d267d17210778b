use postgres::{Client, NoTls, Statement};
use serde_json::Value;

use super::sqlite::stored_seq;
use super::{LedgerError, LedgerStore, build_entries, redact_url};
use crate::chain::{Entry, Head};
use crate::sign::{HeadSignature, HeadSigner};

/// The team ledger on PostgreSQL.
pub struct PostgresLedger {
    client: Client,
    location: String,
    statements: Option<Statements>,
    /// Signs each appended head, when a signing key is set.
    signer: Option<HeadSigner>,
    /// Whether the database has the signatures table (one of an older harden opened read-only
    /// has none: its entries read as unsigned).
    signatures: bool,
}

/// Statements prepared once per connection: an append is then five round trips.
struct Statements {
    lock_head: Statement,
    insert: Statement,
    insert_signature: Statement,
    set_head: Statement,
}

/// Key of the advisory lock that serializes schema creation across processes (appends queue on
/// the head row's lock instead).
const SCHEMA_LOCK: i64 = 0x6861_7264_656e; // "harden"

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS harden_ledger_entries (
    seq BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS harden_ledger_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
-- The head row exists from the start (seq 0: empty), so appenders can queue on its row lock.
INSERT INTO harden_ledger_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')
ON CONFLICT (id) DO NOTHING;
CREATE OR REPLACE FUNCTION harden_ledger_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the evidence ledger is append-only'; END
$$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER harden_ledger_entries_append_only BEFORE UPDATE OR DELETE ON harden_ledger_entries
FOR EACH ROW EXECUTE FUNCTION harden_ledger_append_only();
CREATE OR REPLACE TRIGGER harden_ledger_entries_no_truncate BEFORE TRUNCATE ON harden_ledger_entries
FOR EACH STATEMENT EXECUTE FUNCTION harden_ledger_append_only();
CREATE OR REPLACE TRIGGER harden_ledger_head_kept BEFORE DELETE ON harden_ledger_head
FOR EACH ROW EXECUTE FUNCTION harden_ledger_append_only();
CREATE OR REPLACE TRIGGER harden_ledger_head_no_truncate BEFORE TRUNCATE ON harden_ledger_head
FOR EACH STATEMENT EXECUTE FUNCTION harden_ledger_append_only();
CREATE TABLE IF NOT EXISTS harden_ledger_signatures (
    seq BIGINT PRIMARY KEY,
    key TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE OR REPLACE TRIGGER harden_ledger_signatures_append_only BEFORE UPDATE OR DELETE ON harden_ledger_signatures
FOR EACH ROW EXECUTE FUNCTION harden_ledger_append_only();
CREATE OR REPLACE TRIGGER harden_ledger_signatures_no_truncate BEFORE TRUNCATE ON harden_ledger_signatures
FOR EACH STATEMENT EXECUTE FUNCTION harden_ledger_append_only();
";

impl PostgresLedger {
    /// Connects and creates the schema if needed.
    pub fn connect(url: &str) -> Result<Self, LedgerError> {
        let mut ledger = Self::connect_only(url)?;
        ledger.init()?;
        Ok(ledger)
    }

    /// Connects to an existing ledger for reading: no schema is created or changed.
    pub fn connect_read_only(url: &str) -> Result<Self, LedgerError> {
        let mut ledger = Self::connect_only(url)?;
        let tables: i64 = ledger
            .client
            .query_one(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('harden_ledger_entries', 'harden_ledger_head')",
                &[],
            )
            .map_err(|e| ledger.err(e))?
            .get(0);
        if tables != 2 {
            return Err(LedgerError::Format {
                location: ledger.location.clone(),
                message: "this database holds no harden ledger (its tables are missing)".into(),
            });
        }
        let signatures: i64 = ledger
            .client
            .query_one(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'harden_ledger_signatures'",
                &[],
            )
            .map_err(|e| ledger.err(e))?
            .get(0);
        ledger.signatures = signatures == 1;
        Ok(ledger)
    }

    fn connect_only(url: &str) -> Result<Self, LedgerError> {
        let location = redact_url(url);
        let wrap = |source| LedgerError::Postgres {
            location: location.clone(),
            source,
        };
        let (config, tls) =
            super::tls::client_config(url).map_err(|message| LedgerError::Format {
                location: location.clone(),
                message,
            })?;
        let client = match tls {
            Some(tls) => config.connect(tls),
            None => config.connect(NoTls),
        }
        .map_err(wrap)?;
        Ok(Self {
            client,
            location,
            statements: None,
            signer: None,
            // A read-only connection checks; a writing one creates the table.
            signatures: true,
        })
    }

    fn err(&self, source: postgres::Error) -> LedgerError {
        LedgerError::Postgres {
            location: self.location.clone(),
            source,
        }
    }

    fn init(&mut self) -> Result<(), LedgerError> {
        let result = (|| {
            let mut tx = self.client.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
            tx.batch_execute(SCHEMA)?;
            tx.commit()
        })();
        result.map_err(|e| self.err(e))
    }

    fn prepare(&mut self) -> Result<(), LedgerError> {
        if self.statements.is_none() {
            let prepared = (|| {
                Ok::<_, postgres::Error>(Statements {
                    // READ COMMITTED re-reads a row after waiting for its lock, so the head
                    // returned is the one the insert extends, whoever appended before us.
                    lock_head: self.client.prepare("SELECT seq, hash FROM harden_ledger_head WHERE id = 1 FOR UPDATE")?,
                    insert: self.client.prepare(
                        "INSERT INTO harden_ledger_entries (seq, kind, recorded_at, prev_hash, hash, body) VALUES ($1, $2, $3, $4, $5, $6)",
                    )?,
                    insert_signature: self.client.prepare(
                        "INSERT INTO harden_ledger_signatures (seq, key, signature) VALUES ($1, $2, $3)",
                    )?,
                    set_head: self.client.prepare(
                        "INSERT INTO harden_ledger_head (id, seq, hash) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash",
                    )?,
                })
            })();
            self.statements = Some(prepared.map_err(|e| self.err(e))?);
        }
        Ok(())
    }

    /// Direct access for tests that play the attacker.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }
}

impl LedgerStore for PostgresLedger {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn append_batch(
        &mut self,
        kind: &str,
        bodies: &[Value],
        at: jiff::Timestamp,
    ) -> Result<Vec<Entry>, LedgerError> {
        self.prepare()?;
        let location = self.location.clone();
        let wrap = |source| LedgerError::Postgres {
            location: location.clone(),
            source,
        };
        let Some(statements) = self.statements.as_ref() else {
            return Err(LedgerError::Io("statements not prepared".into()));
        };
        let mut tx = self.client.transaction().map_err(wrap)?;
        let head = tx
            .query_opt(&statements.lock_head, &[])
            .map_err(wrap)?
            .map(|row| {
                Ok::<_, LedgerError>(Head {
                    seq: stored_seq(row.get::<_, i64>(0), "ledger head", &location)?,
                    hash: row.get(1),
                })
            })
            .transpose()?
            .filter(|head| head.seq > 0);
        let entries = build_entries(head, kind, bodies, at, self.signer.as_ref())?;
        for entry in &entries {
            tx.execute(
                &statements.insert,
                &[
                    &(entry.seq as i64),
                    &entry.kind,
                    &entry.recorded_at,
                    &entry.prev_hash,
                    &entry.hash,
                    &entry.body,
                ],
            )
            .map_err(wrap)?;
        }
        for entry in &entries {
            if let Some(signature) = &entry.signature {
                tx.execute(
                    &statements.insert_signature,
                    &[&(entry.seq as i64), &signature.key, &signature.sig],
                )
                .map_err(wrap)?;
            }
        }
        if let Some(last) = entries.last() {
            tx.execute(&statements.set_head, &[&(last.seq as i64), &last.hash])
                .map_err(wrap)?;
        }
        tx.commit().map_err(wrap)?;
        Ok(entries)
    }

    fn begin_read(&mut self) -> Result<(), LedgerError> {
        self.client
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .map_err(|e| LedgerError::Postgres {
                location: self.location.clone(),
                source: e,
            })
    }

    fn end_read(&mut self) -> Result<(), LedgerError> {
        self.client
            .batch_execute("COMMIT")
            .map_err(|e| LedgerError::Postgres {
                location: self.location.clone(),
                source: e,
            })
    }

    fn set_signer(&mut self, signer: HeadSigner) {
        self.signer = Some(signer);
    }

    fn head(&mut self) -> Result<Option<Head>, LedgerError> {
        let row = self
            .client
            .query_opt("SELECT seq, hash FROM harden_ledger_head WHERE id = 1", &[])
            .map_err(|e| LedgerError::Postgres {
                location: self.location.clone(),
                source: e,
            })?;
        let head = row
            .map(|row| {
                Ok::<_, LedgerError>(Head {
                    seq: stored_seq(row.get::<_, i64>(0), "ledger head", &self.location)?,
                    hash: row.get(1),
                })
            })
            .transpose()?;
        Ok(head.filter(|head| head.seq > 0))
    }

    fn page_hashes(&mut self, after: u64, limit: u64) -> Result<Vec<(u64, String)>, LedgerError> {
        let rows = self
            .client
            .query(
                "SELECT seq, hash FROM harden_ledger_entries WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&(after as i64), &(limit as i64)],
            )
            .map_err(|e| LedgerError::Postgres {
                location: self.location.clone(),
                source: e,
            })?;
        rows.into_iter()
            .map(|row| {
                Ok((
                    stored_seq(row.get::<_, i64>(0), "ledger entry", &self.location)?,
                    row.get(1),
                ))
            })
            .collect()
    }

    fn page(&mut self, after: u64, limit: u64) -> Result<Vec<Entry>, LedgerError> {
        // Negative numbers are read too: they are tampering to report, not rows to skip.
        let query = if self.signatures {
            "SELECT e.seq, e.kind, e.recorded_at, e.prev_hash, e.hash, e.body, s.key, s.signature FROM harden_ledger_entries e LEFT JOIN harden_ledger_signatures s ON s.seq = e.seq WHERE e.seq > $1 OR $1 = 0 ORDER BY e.seq LIMIT $2"
        } else {
            "SELECT seq, kind, recorded_at, prev_hash, hash, body, NULL::TEXT, NULL::TEXT FROM harden_ledger_entries WHERE seq > $1 OR $1 = 0 ORDER BY seq LIMIT $2"
        };
        let rows = self
            .client
            .query(query, &[&(after as i64), &(limit as i64)])
            .map_err(|e| LedgerError::Postgres {
                location: self.location.clone(),
                source: e,
            })?;
        rows.into_iter()
            .map(|row| {
                Ok(Entry {
                    seq: stored_seq(row.get::<_, i64>(0), "ledger entry", &self.location)?,
                    kind: row.get(1),
                    recorded_at: row.get(2),
                    prev_hash: row.get(3),
                    hash: row.get(4),
                    body: row.get(5),
                    signature: match (row.get(6), row.get(7)) {
                        (Some(key), Some(sig)) => Some(HeadSignature { key, sig }),
                        _ => None,
                    },
                })
            })
            .collect()
    }
}
