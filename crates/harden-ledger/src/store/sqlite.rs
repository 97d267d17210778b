use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::Value;

use super::{LedgerError, LedgerStore, build_entries};
use crate::chain::{Entry, Head};

/// The default ledger: one SQLite file, `.harden/ledger.db`.
pub struct SqliteLedger {
    connection: Connection,
    location: String,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS ledger_entries (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO ledger_meta (key, value) VALUES ('format', 'harden-ledger/1');
CREATE TRIGGER IF NOT EXISTS ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'the evidence ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'the evidence ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_head_kept BEFORE DELETE ON ledger_head
BEGIN SELECT RAISE(ABORT, 'the evidence ledger is append-only'); END;
";

impl SqliteLedger {
    /// Opens (creating if needed) the ledger at `path`.
    pub fn open(path: &Path) -> Result<Self, LedgerError> {
        let location = path.display().to_string();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs_create_dir_all(parent)?;
        }
        let wrap = |source| LedgerError::Sqlite {
            location: location.clone(),
            source,
        };
        let connection = Connection::open(path).map_err(wrap)?;
        // Concurrent `harden check` processes wait for the writer lock rather than fail.
        connection
            .busy_timeout(Duration::from_mins(1))
            .map_err(wrap)?;
        // WAL: readers never block the writer. synchronous=NORMAL in WAL mode keeps every
        // committed entry across a process kill; only a power loss can drop the newest commits,
        // and never leaves a partial or broken chain.
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(wrap)?;
        connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(wrap)?;
        let mut ledger = Self {
            connection,
            location,
        };
        ledger.init()?;
        Ok(ledger)
    }

    fn err(&self, source: rusqlite::Error) -> LedgerError {
        LedgerError::Sqlite {
            location: self.location.clone(),
            source,
        }
    }

    fn init(&mut self) -> Result<(), LedgerError> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| LedgerError::Sqlite {
                location: self.location.clone(),
                source: e,
            })?;
        tx.execute_batch(SCHEMA)
            .and_then(|()| tx.commit())
            .map_err(|e| LedgerError::Sqlite {
                location: self.location.clone(),
                source: e,
            })?;
        let format: String = self
            .connection
            .query_row(
                "SELECT value FROM ledger_meta WHERE key = 'format'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        if format != crate::chain::FORMAT {
            return Err(LedgerError::Format {
                location: self.location.clone(),
                message: format!("ledger format `{format}` is not supported by this harden"),
            });
        }
        Ok(())
    }

    /// Direct access for tests that play the attacker.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }
}

fn fs_create_dir_all(path: &Path) -> Result<(), LedgerError> {
    fs_err::create_dir_all(path).map_err(|e| LedgerError::Io(e.to_string()))
}

fn read_head(connection: &Connection) -> rusqlite::Result<Option<Head>> {
    connection
        .prepare_cached("SELECT seq, hash FROM ledger_head WHERE id = 1")?
        .query_row([], |row| {
            Ok(Head {
                seq: row.get::<_, i64>(0)? as u64,
                hash: row.get(1)?,
            })
        })
        .optional()
}

impl LedgerStore for SqliteLedger {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn append_batch(
        &mut self,
        kind: &str,
        bodies: &[Value],
        at: jiff::Timestamp,
    ) -> Result<Vec<Entry>, LedgerError> {
        let location = self.location.clone();
        let wrap = |source| LedgerError::Sqlite {
            location: location.clone(),
            source,
        };
        // IMMEDIATE takes the write lock before reading the head, so no other writer can append
        // between our read and our insert.
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(wrap)?;
        let head = read_head(&tx).map_err(wrap)?;
        let entries = build_entries(head, kind, bodies, at)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO ledger_entries (seq, kind, recorded_at, prev_hash, hash, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(wrap)?;
            for entry in &entries {
                insert
                    .execute(params![
                        entry.seq as i64,
                        entry.kind,
                        entry.recorded_at,
                        entry.prev_hash,
                        entry.hash,
                        entry.body
                    ])
                    .map_err(wrap)?;
            }
        }
        if let Some(last) = entries.last() {
            tx.prepare_cached(
                "INSERT INTO ledger_head (id, seq, hash) VALUES (1, ?1, ?2) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            )
            .and_then(|mut upsert| upsert.execute(params![last.seq as i64, last.hash]))
            .map_err(wrap)?;
        }
        tx.commit().map_err(wrap)?;
        Ok(entries)
    }

    fn begin_read(&mut self) -> Result<(), LedgerError> {
        // In WAL mode the snapshot is taken at the first read inside the transaction.
        self.connection
            .execute_batch("BEGIN DEFERRED")
            .map_err(|e| self.err(e))
    }

    fn end_read(&mut self) -> Result<(), LedgerError> {
        self.connection
            .execute_batch("COMMIT")
            .map_err(|e| self.err(e))
    }

    fn head(&mut self) -> Result<Option<Head>, LedgerError> {
        read_head(&self.connection).map_err(|e| self.err(e))
    }

    fn page(&mut self, after: u64, limit: u64) -> Result<Vec<Entry>, LedgerError> {
        let location = self.location.clone();
        let wrap = |source| LedgerError::Sqlite {
            location: location.clone(),
            source,
        };
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT seq, kind, recorded_at, prev_hash, hash, body FROM ledger_entries WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )
            .map_err(wrap)?;
        let rows = statement
            .query_map(params![after as i64, limit as i64], |row| {
                Ok(Entry {
                    seq: row.get::<_, i64>(0)? as u64,
                    kind: row.get(1)?,
                    recorded_at: row.get(2)?,
                    prev_hash: row.get(3)?,
                    hash: row.get(4)?,
                    body: row.get(5)?,
                })
            })
            .map_err(wrap)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(wrap)
    }
}
