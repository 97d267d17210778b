use std::fmt::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde_json::Value;

use super::{LedgerError, LedgerStore, build_entries};
use crate::chain::{Entry, Head};
use crate::sign::{HeadSignature, HeadSigner};

/// The default ledger: one SQLite file, `.harden/ledger.db`.
pub struct SqliteLedger {
    connection: Connection,
    location: String,
    /// Signs each appended head, when a signing key is set.
    signer: Option<HeadSigner>,
    /// Whether the file has the signatures table (a ledger of an older harden opened
    /// read-only has none: its entries read as unsigned).
    signatures: bool,
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
CREATE TABLE IF NOT EXISTS ledger_signatures (
    seq INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS ledger_signatures_no_update BEFORE UPDATE ON ledger_signatures
BEGIN SELECT RAISE(ABORT, 'the evidence ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_signatures_no_delete BEFORE DELETE ON ledger_signatures
BEGIN SELECT RAISE(ABORT, 'the evidence ledger is append-only'); END;
";

impl SqliteLedger {
    /// Opens the ledger at `path` for appending, creating it (and its directory) if there is no
    /// file there. A file that exists but holds no ledger (truncated to 0 bytes, tables dropped)
    /// is an error, never silently replaced by a new chain.
    pub fn open(path: &Path) -> Result<Self, LedgerError> {
        let location = path.display().to_string();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs_create_dir_all(parent)?;
        }
        match fs_err::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_new(path, &location)?,
            Err(e) => return Err(LedgerError::Io(e.to_string())),
            // Opening an empty file for writing would turn it into a new database: said, not done.
            Ok(meta) if meta.len() == 0 => return Err(not_a_ledger(&location, 0)),
            Ok(_) => {}
        }
        let wrap = |source| LedgerError::Sqlite {
            location: location.clone(),
            error: source,
        };
        // No CREATE flag: a file deleted since the check above is an error, not a new ledger.
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NOFOLLOW
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(wrap)?;
        // Concurrent `harden check` processes wait for the writer lock rather than fail.
        connection
            .busy_timeout(Duration::from_mins(1))
            .map_err(wrap)?;
        // Before anything is written: a file that is not a ledger stays as it is.
        let mut ledger = Self {
            connection,
            location,
            signer: None,
            signatures: true,
        };
        ledger.check_schema()?;
        // WAL: readers never block the writer. synchronous=NORMAL in WAL mode keeps every
        // committed entry across a process kill; only a power loss can drop the newest commits,
        // and never leaves a partial or broken chain.
        ledger.ensure_wal()?;
        ledger
            .connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| ledger.err(e))?;
        // Reinstates the append-only triggers should someone have dropped them.
        ledger.init()?;
        Ok(ledger)
    }

    /// Opens an existing ledger for reading only: nothing is created or changed, and a
    /// read-only file or file system is fine.
    pub fn open_read_only(path: &Path) -> Result<Self, LedgerError> {
        let location = path.display().to_string();
        if !path.is_file() {
            return Err(LedgerError::Io(format!("no ledger at {location}")));
        }
        let connect = |immutable: bool| -> rusqlite::Result<Connection> {
            let connection = if immutable {
                // A WAL database on a read-only medium without its -shm file can only be read
                // as immutable: nobody can be writing to it there anyway.
                let mut uri = String::from("file:");
                for &byte in path.as_os_str().as_encoded_bytes() {
                    if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
                        uri.push(char::from(byte));
                    } else {
                        let _ = write!(uri, "%{byte:02X}");
                    }
                }
                uri.push_str("?immutable=1");
                Connection::open_with_flags(
                    uri,
                    OpenFlags::SQLITE_OPEN_READ_ONLY
                        | OpenFlags::SQLITE_OPEN_URI
                        | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?
            } else {
                Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?
            };
            connection.busy_timeout(Duration::from_mins(1))?;
            connection.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
            Ok(connection)
        };
        // Immutable mode ignores the -wal file, so it is only a fallback for a ledger that cannot
        // be opened read-only otherwise (no -shm on a read-only medium) and has no pending WAL.
        let wal = std::path::PathBuf::from(format!("{}-wal", path.display()));
        let no_pending_wal = fs_err::metadata(&wal).map_or(true, |m| m.len() == 0);
        let connection = connect(false)
            .or_else(|error| {
                let cannot_open = matches!(
                    error.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
                );
                if cannot_open && no_pending_wal {
                    connect(true)
                } else {
                    Err(error)
                }
            })
            .map_err(|source| LedgerError::Sqlite {
                location: location.clone(),
                error: source,
            })?;
        let mut ledger = Self {
            connection,
            location,
            signer: None,
            signatures: false,
        };
        ledger.check_schema()?;
        ledger.signatures = ledger
            .connection
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'ledger_signatures'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map_err(|e| ledger.err(e))?
            == 1;
        Ok(ledger)
    }

    /// Fails unless the ledger's tables and format marker are there.
    fn check_schema(&self) -> Result<(), LedgerError> {
        let tables: i64 = self
            .connection
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('ledger_entries', 'ledger_head', 'ledger_meta')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        if tables != 3 {
            return Err(not_a_ledger(&self.location, 3 - tables));
        }
        let format: String = self
            .connection
            .query_row(
                "SELECT value FROM ledger_meta WHERE key = 'format'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?
            .unwrap_or_default();
        if format != crate::chain::FORMAT {
            return Err(LedgerError::Format {
                location: self.location.clone(),
                message: format!("ledger format `{format}` is not supported by this harden"),
            });
        }
        Ok(())
    }

    /// New ledgers are born in WAL mode; one from an older harden is switched once. The switch
    /// needs an exclusive lock and SQLite answers BUSY to it without calling the busy handler,
    /// so concurrent first runs retry it here rather than fail.
    fn ensure_wal(&self) -> Result<(), LedgerError> {
        let deadline = std::time::Instant::now() + Duration::from_mins(1);
        loop {
            let mode: String = self
                .connection
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .map_err(|e| self.err(e))?;
            if mode.eq_ignore_ascii_case("wal") {
                return Ok(());
            }
            match self
                .connection
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            {
                Ok(_) => {}
                Err(e)
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(self.err(e)),
            }
        }
    }

    fn err(&self, source: rusqlite::Error) -> LedgerError {
        LedgerError::Sqlite {
            location: self.location.clone(),
            error: source,
        }
    }

    fn init(&mut self) -> Result<(), LedgerError> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| LedgerError::Sqlite {
                location: self.location.clone(),
                error: e,
            })?;
        tx.execute_batch(SCHEMA)
            .and_then(|()| tx.commit())
            .map_err(|e| LedgerError::Sqlite {
                location: self.location.clone(),
                error: e,
            })
    }

    /// Direct access for tests that play the attacker.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }
}

/// Creates a new, empty ledger at `path` without ever replacing a file there: the schema is
/// written to a private file first, which is then linked into place (a hard link fails if the
/// name exists), so concurrent first runs agree on one ledger and none sees a half-made one.
fn create_new(path: &Path, location: &str) -> Result<(), LedgerError> {
    static CREATED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // The private file is created exclusively and never through a link: a name planted in
    // the repository (`.ledger.db.new-7-0 -> /elsewhere`) makes this attempt fail, not write
    // elsewhere.
    let mut attempt = 0;
    let temporary = loop {
        let n = CREATED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let candidate = path.with_file_name(format!(".{name}.new-{}-{n}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&candidate)
        {
            Ok(_) => break candidate,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 16 => {
                attempt += 1;
            }
            Err(e) => return Err(LedgerError::Io(format!("creating {location}: {e}"))),
        }
    };
    let result = (|| {
        let mut connection = Connection::open_with_flags(
            &temporary,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NOFOLLOW
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // WAL is recorded in the file header, so every process that opens the linked ledger
        // finds it in WAL mode and none has to switch modes under contention.
        connection.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))?;
        let tx = connection.transaction()?;
        tx.execute_batch(SCHEMA)?;
        tx.commit()?;
        connection.close().map_err(|(_, e)| e)
    })();
    let linked = result
        .map_err(|source| LedgerError::Sqlite {
            location: location.to_owned(),
            error: source,
        })
        .and_then(|()| match fs_err::hard_link(&temporary, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(LedgerError::Io(format!("creating {location}: {e}"))),
        });
    let _ = fs_err::remove_file(&temporary);
    linked
}

/// A file that holds no ledger: empty (`missing` 0) or missing some of its 3 tables.
fn not_a_ledger(location: &str, missing: i64) -> LedgerError {
    LedgerError::Format {
        location: location.to_owned(),
        message: format!(
            "this file holds no harden ledger ({}): a ledger that existed must not silently become a new one; restore it from a backup or export, or move the file away to start a new ledger",
            if missing == 0 || missing == 3 {
                "it is empty".to_owned()
            } else {
                format!("{missing} of its 3 tables are missing")
            }
        ),
    }
}

/// A sequence number as stored; a negative one is tampering, never wrapped into a huge number.
pub(super) fn stored_seq(value: i64, what: &str, location: &str) -> Result<u64, LedgerError> {
    u64::try_from(value).map_err(|_| LedgerError::Format {
        location: location.to_owned(),
        message: format!(
            "the {what} has sequence number {value}, which harden never writes: the ledger was tampered with"
        ),
    })
}

fn fs_create_dir_all(path: &Path) -> Result<(), LedgerError> {
    fs_err::create_dir_all(path).map_err(|e| LedgerError::Io(e.to_string()))
}

fn read_head(connection: &Connection, location: &str) -> Result<Option<Head>, LedgerError> {
    let row = connection
        .prepare_cached("SELECT seq, hash FROM ledger_head WHERE id = 1")
        .and_then(|mut statement| {
            statement
                .query_row([], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
                })
                .optional()
        })
        .map_err(|source| LedgerError::Sqlite {
            location: location.to_owned(),
            error: source,
        })?;
    row.map(|(seq, hash)| {
        Ok(Head {
            seq: stored_seq(seq, "ledger head", location)?,
            hash,
        })
    })
    .transpose()
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
            error: source,
        };
        // IMMEDIATE takes the write lock before reading the head, so no other writer can append
        // between our read and our insert.
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(wrap)?;
        let head = read_head(&tx, &location)?;
        let entries = build_entries(head, kind, bodies, at, self.signer.as_ref())?;
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
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO ledger_signatures (seq, key, signature) VALUES (?1, ?2, ?3)",
                )
                .map_err(wrap)?;
            for entry in &entries {
                if let Some(signature) = &entry.signature {
                    insert
                        .execute(params![entry.seq as i64, signature.key, signature.sig])
                        .map_err(wrap)?;
                }
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

    fn set_signer(&mut self, signer: HeadSigner) {
        self.signer = Some(signer);
    }

    fn head(&mut self) -> Result<Option<Head>, LedgerError> {
        read_head(&self.connection, &self.location)
    }

    fn page_hashes(&mut self, after: u64, limit: u64) -> Result<Vec<(u64, String)>, LedgerError> {
        let location = self.location.clone();
        let wrap = |source| LedgerError::Sqlite {
            location: location.clone(),
            error: source,
        };
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT seq, hash FROM ledger_entries WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )
            .map_err(wrap)?;
        let rows = statement
            .query_map(params![after as i64, limit as i64], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(wrap)?;
        rows.map(|row| {
            let (seq, hash) = row.map_err(wrap)?;
            Ok((stored_seq(seq, "ledger entry", &location)?, hash))
        })
        .collect()
    }

    fn page(&mut self, after: u64, limit: u64) -> Result<Vec<Entry>, LedgerError> {
        let location = self.location.clone();
        let wrap = |source| LedgerError::Sqlite {
            location: location.clone(),
            error: source,
        };
        // Every row from the first page on, negative numbers included: they are tampering to
        // report, not rows to skip.
        let query = if self.signatures {
            "SELECT e.seq, e.kind, e.recorded_at, e.prev_hash, e.hash, e.body, s.key, s.signature FROM ledger_entries e LEFT JOIN ledger_signatures s ON s.seq = e.seq WHERE e.seq > ?1 OR ?1 = 0 ORDER BY e.seq LIMIT ?2"
        } else {
            "SELECT seq, kind, recorded_at, prev_hash, hash, body, NULL, NULL FROM ledger_entries WHERE seq > ?1 OR ?1 = 0 ORDER BY seq LIMIT ?2"
        };
        let mut statement = self.connection.prepare_cached(query).map_err(wrap)?;
        let rows = statement
            .query_map(params![after as i64, limit as i64], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    Entry {
                        seq: 0,
                        kind: row.get(1)?,
                        recorded_at: row.get(2)?,
                        prev_hash: row.get(3)?,
                        hash: row.get(4)?,
                        body: row.get(5)?,
                        signature: match (row.get(6)?, row.get(7)?) {
                            (Some(key), Some(sig)) => Some(HeadSignature { key, sig }),
                            _ => None,
                        },
                    },
                ))
            })
            .map_err(wrap)?;
        rows.map(|row| {
            let (seq, mut entry) = row.map_err(wrap)?;
            entry.seq = stored_seq(seq, "ledger entry", &location)?;
            Ok(entry)
        })
        .collect()
    }
}
