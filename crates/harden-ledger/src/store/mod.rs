//! Where ledger entries live: SQLite (default) and PostgreSQL, behind [`LedgerStore`].

mod postgres;
mod sqlite;
mod tls;

use std::path::Path;

use serde_json::Value;

pub use self::postgres::PostgresLedger;
pub use self::sqlite::SqliteLedger;
pub use self::tls::async_client_config;
use crate::chain::{self, Break, ChainError, Entry, Head, Verified, Verifier};
use crate::merkle;
use crate::sign::{HeadSigner, HeadVerifier, SignatureCheck, SignaturesVerified};

/// A ledger failure. Messages name the ledger and never contain credentials.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// SQLite failed. The error is not a `source`: rusqlite's error and its own source repeat
    /// the same message, which a chained report would print three times.
    #[error("SQLite ledger {location}: {error}")]
    Sqlite {
        /// Path of the database.
        location: String,
        /// The error.
        error: rusqlite::Error,
    },
    /// PostgreSQL failed.
    #[error("PostgreSQL ledger {location}: {}", postgres_message(source))]
    Postgres {
        /// Redacted URL.
        location: String,
        /// The error.
        #[source]
        source: ::postgres::Error,
    },
    /// The entry cannot be encoded.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// Files around the database.
    #[error("{0}")]
    Io(String),
    /// The stored data is not a ledger of this format.
    #[error("{location}: {message}")]
    Format {
        /// Where.
        location: String,
        /// What.
        message: String,
    },
}

/// The server's own message where there is one: the client's `Display` says only "db error".
/// (The blocking and the async client share this error type: the team server uses it too.)
pub fn postgres_message(error: &::postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return format!("{}: {} ({})", db.severity(), db.message(), db.code().code());
    }
    // The cause of a failed TLS handshake or connection is in the source chain.
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

/// Rows read per page when streaming the chain.
pub(crate) const PAGE: u64 = 5_000;

/// An append-only, hash-chained store of entries.
pub trait LedgerStore: Send {
    /// Where the ledger is, for messages (a path, or a URL without its password).
    fn location(&self) -> String;

    /// Appends one entry, atomically and under the store's writer lock: concurrent appends are
    /// serialized, and a process killed mid-append leaves no partial entry.
    fn append(
        &mut self,
        kind: &str,
        body: &Value,
        at: jiff::Timestamp,
    ) -> Result<Entry, LedgerError> {
        let mut entries = self.append_batch(kind, std::slice::from_ref(body), at)?;
        Ok(entries.remove(0))
    }

    /// Appends several entries in one transaction (used for imports and benchmarks).
    fn append_batch(
        &mut self,
        kind: &str,
        bodies: &[Value],
        at: jiff::Timestamp,
    ) -> Result<Vec<Entry>, LedgerError>;

    /// Signs the head of every entry appended from now on with `signer` (stored beside the
    /// entry, in the same transaction).
    fn set_signer(&mut self, signer: HeadSigner);

    /// The recorded head (last sequence number and hash).
    fn head(&mut self) -> Result<Option<Head>, LedgerError>;

    /// Up to `limit` entries with `seq > after`, in order.
    fn page(&mut self, after: u64, limit: u64) -> Result<Vec<Entry>, LedgerError>;

    /// Up to `limit` `(seq, hash)` pairs with `seq > after`, in order: the entries without
    /// their bodies, for building the Merkle tree (by the primary key's index: rows numbered
    /// 0 or less, which [`LedgerStore::verify`] reports, are no leaves).
    fn page_hashes(&mut self, after: u64, limit: u64) -> Result<Vec<(u64, String)>, LedgerError> {
        Ok(self
            .page(after, limit)?
            .into_iter()
            .map(|e| (e.seq, e.hash))
            .collect())
    }

    /// One entry by sequence number.
    fn get(&mut self, seq: u64) -> Result<Option<Entry>, LedgerError> {
        Ok(self
            .page(seq.saturating_sub(1), 1)?
            .into_iter()
            .find(|e| e.seq == seq))
    }

    /// Starts a read snapshot: until [`LedgerStore::end_read`], reads see one consistent state
    /// even while other processes append.
    fn begin_read(&mut self) -> Result<(), LedgerError>;

    /// Ends the read snapshot.
    fn end_read(&mut self) -> Result<(), LedgerError>;

    /// Verifies the whole chain against the recorded head, streaming page by page inside one read
    /// snapshot (so a concurrent append is neither half-seen nor mistaken for tampering).
    fn verify(&mut self) -> Result<Result<Verified, Break>, LedgerError> {
        self.verify_anchored(None)
    }

    /// [`LedgerStore::verify`], then the chain against an `anchor` kept outside the ledger
    /// (`place` names it in messages): a ledger behind its anchor was emptied, replaced or
    /// rolled back.
    fn verify_anchored(
        &mut self,
        anchor: Option<(&Head, &str)>,
    ) -> Result<Result<Verified, Break>, LedgerError> {
        self.begin_read()?;
        let result = verify_snapshot(self).and_then(|verified| match (verified, anchor) {
            (Ok(verified), Some((anchor, place))) => {
                let at = if anchor.seq <= verified.entries {
                    self.get(anchor.seq)?
                } else {
                    None
                };
                Ok(chain::check_anchor(&verified, at.as_ref(), anchor, place).map(|()| verified))
            }
            (verified, _) => Ok(verified),
        });
        let ended = self.end_read();
        let result = result?;
        ended?;
        Ok(result)
    }

    /// The Merkle leaf hashes of the first `size` entries (every entry when `None`), read in
    /// one snapshot. Fails when the ledger has fewer entries or one is missing.
    fn leaves(&mut self, size: Option<u64>) -> Result<Vec<merkle::Hash>, LedgerError> {
        self.begin_read()?;
        let result = leaves_snapshot(self, size);
        let ended = self.end_read();
        let result = result?;
        ended?;
        Ok(result)
    }

    /// Checks every entry's head signature with `verifier`'s key, streaming page by page inside
    /// one read snapshot: the first entry whose signature is wrong, or missing once entries are
    /// signed, breaks it (see [`SignatureCheck`]).
    fn verify_signatures(
        &mut self,
        verifier: &HeadVerifier,
    ) -> Result<Result<SignaturesVerified, Break>, LedgerError> {
        self.begin_read()?;
        let result = signatures_snapshot(self, verifier);
        let ended = self.end_read();
        let result = result?;
        ended?;
        Ok(result)
    }
}

fn leaves_snapshot<S: LedgerStore + ?Sized>(
    store: &mut S,
    size: Option<u64>,
) -> Result<Vec<merkle::Hash>, LedgerError> {
    let location = store.location();
    let entries = store.head()?.map_or(0, |h| h.seq);
    let size = size.unwrap_or(entries);
    if size > entries {
        return Err(LedgerError::Format {
            location,
            message: format!("the ledger has {entries} entries, not {size}"),
        });
    }
    let mut leaves = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    let mut after = 0;
    while after < size {
        let page = store.page_hashes(after, PAGE.min(size - after))?;
        let Some(&(last, _)) = page.last() else {
            break;
        };
        for (seq, hash) in page {
            if seq != leaves.len() as u64 + 1 {
                return Err(LedgerError::Format {
                    location,
                    message: format!(
                        "entry #{} is missing: the chain is broken (run `harden ledger verify`)",
                        leaves.len() + 1
                    ),
                });
            }
            leaves.push(
                crate::proof::leaf_of(&hash).map_err(|message| LedgerError::Format {
                    location: location.clone(),
                    message: format!("entry #{seq}: {message}"),
                })?,
            );
        }
        after = last;
    }
    if (leaves.len() as u64) < size {
        return Err(LedgerError::Format {
            location,
            message: format!("entry #{} is missing", leaves.len() + 1),
        });
    }
    Ok(leaves)
}

fn signatures_snapshot<S: LedgerStore + ?Sized>(
    store: &mut S,
    verifier: &HeadVerifier,
) -> Result<Result<SignaturesVerified, Break>, LedgerError> {
    let mut check = SignatureCheck::new(verifier);
    let mut after = 0;
    loop {
        let page = store.page(after, PAGE)?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.seq;
        for entry in &page {
            if let Err(broken) = check.push(entry) {
                return Ok(Err(broken));
            }
        }
    }
    Ok(Ok(check.finish()))
}

fn verify_snapshot<S: LedgerStore + ?Sized>(
    store: &mut S,
) -> Result<Result<Verified, Break>, LedgerError> {
    let head = store.head()?;
    let mut verifier = Verifier::new();
    let mut after = 0;
    loop {
        let page = store.page(after, PAGE)?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.seq;
        for entry in &page {
            if let Err(broken) = verifier.push(entry) {
                return Ok(Err(broken));
            }
        }
    }
    Ok(verifier.finish(head.as_ref()))
}

/// Builds the entries that follow `head`; shared by both stores.
pub(crate) fn build_entries(
    head: Option<Head>,
    kind: &str,
    bodies: &[Value],
    at: jiff::Timestamp,
    signer: Option<&HeadSigner>,
) -> Result<Vec<Entry>, ChainError> {
    let mut head = head;
    let mut out = Vec::with_capacity(bodies.len());
    for body in bodies {
        let mut entry = chain::next_entry(head.as_ref(), kind, at, body)?;
        entry.signature = signer.map(|signer| signer.sign(entry.seq, &entry.hash));
        head = Some(Head {
            seq: entry.seq,
            hash: entry.hash.clone(),
        });
        out.push(entry);
    }
    Ok(out)
}

/// Whether `location` names a PostgreSQL ledger rather than a SQLite file.
pub fn is_server(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// Opens a ledger for appending: a `postgres://` or `postgresql://` URL, otherwise a SQLite file
/// path (created with its directory if there is no file there).
pub fn open(location: &str) -> Result<Box<dyn LedgerStore>, LedgerError> {
    if is_server(location) {
        Ok(Box::new(PostgresLedger::connect(location)?))
    } else {
        Ok(Box::new(SqliteLedger::open(Path::new(location))?))
    }
}

/// Opens an existing ledger for reading only: nothing is created, and read-only files,
/// file systems and database roles are fine.
pub fn open_read_only(location: &str) -> Result<Box<dyn LedgerStore>, LedgerError> {
    if is_server(location) {
        Ok(Box::new(PostgresLedger::connect_read_only(location)?))
    } else {
        Ok(Box::new(SqliteLedger::open_read_only(Path::new(location))?))
    }
}

/// A URL with any password replaced by `***`, safe for messages and reports.
pub fn redact_url(url: &str) -> String {
    harden_model::mask_url_credentials(url)
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn urls_lose_passwords() {
        assert_eq!(
            redact_url(concat!("postgres://u:", "s3cret@db:5432/x")),
            "postgres://u:***@db:5432/x"
        );
        assert_eq!(
            redact_url("postgres://u@db/x?password=s3cret"),
            "postgres://u@db/x?password=***"
        );
        assert_eq!(
            redact_url(concat!("postgres://u:", "pa/ss@db/x")),
            "postgres://u:***@db/x"
        );
        assert_eq!(redact_url("postgresql://db/x"), "postgresql://db/x");
        assert_eq!(redact_url(".harden/ledger.db"), ".harden/ledger.db");
    }
}
