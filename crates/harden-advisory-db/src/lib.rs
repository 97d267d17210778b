//! The local advisory index: OSV records (directories of JSON, OSV's per-ecosystem `all.zip`
//! archives) and RustSec's native database, imported into one SQLite file keyed by ecosystem
//! and package, and read by `R4.vulns` through the engine's [`AdvisoryDb`] port.
//!
//! An import parses everything before it writes anything: a bad record is an error with its
//! file, line and column, and the index is left as it was. Re-importing the same data changes
//! nothing; a record with a newer `modified` time (or withdrawn since) replaces the old one.

use std::path::{Path, PathBuf};

use harden_advisories::{Advisory, model::package_key, parse};
use harden_engine::{AdvisoryDb, AdvisoryDbStatus, PortError};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

/// The index layout this version reads and writes (2: times normalized to fixed-width UTC; 3:
/// NuGet and Packagist names keyed without regard to case).
const SCHEMA_VERSION: &str = "3";

/// The index's tables, exactly: an index whose schema differs in anything (a view, a trigger,
/// a generated column) is refused, since a repository can bring its own `.harden/advisories.db`
/// and the reads below must stay the bounded lookups they are written as.
const SCHEMA: [&str; 4] = [
    "CREATE TABLE advisory (id TEXT PRIMARY KEY, modified TEXT NOT NULL, record TEXT NOT NULL)",
    "CREATE TABLE package (ecosystem TEXT NOT NULL, key TEXT NOT NULL, advisory TEXT NOT NULL, \
     PRIMARY KEY (ecosystem, key, advisory)) WITHOUT ROWID",
    "CREATE INDEX package_by_advisory ON package (advisory)",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
];

/// At most this many unreadable records are kept for the report (all are counted).
const LISTED_RECORD_ERRORS: usize = 1000;

/// The largest single record or archive entry read (a real OSV record is a few KiB).
const MAX_RECORD_BYTES: u64 = 16 << 20;

/// Where the index lives unless told otherwise, relative to the repository.
pub const DEFAULT_LOCATION: &str = ".harden/advisories.db";

/// Why the index could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// There is no index at the path.
    #[error(
        "no advisory database at {0}: run `harden db import PATH...` with OSV data (a directory of OSV JSON, an ecosystem's all.zip) or RustSec's advisory-db"
    )]
    Missing(String),
    /// The file is not an index of this version.
    #[error("{path}: not a harden advisory database ({message})")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Records that could not be read; nothing was written.
    #[error("{total} record(s) could not be read; nothing was imported")]
    Records {
        /// The first of them.
        listed: Vec<RecordError>,
        /// How many.
        total: usize,
    },
    /// Reading a source failed.
    #[error("{path}: {message}")]
    Io {
        /// The file or directory.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// SQLite failed.
    #[error("advisory database: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// One record that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// The file (and `!entry` inside an archive).
    pub source: String,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// 1-based column, where known.
    pub column: Option<usize>,
    /// What was expected.
    pub message: String,
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Records read from the sources.
    pub read: u64,
    /// New records.
    pub added: u64,
    /// Records that replaced an older or different one.
    pub replaced: u64,
    /// Records already there as they are (or an older copy of a newer one there).
    pub unchanged: u64,
    /// Withdrawn records among those read (kept, never matched).
    pub withdrawn: u64,
}

/// The index, open.
pub struct Index {
    connection: Connection,
    location: String,
}

fn io(path: &Path, error: impl std::fmt::Display) -> DbError {
    DbError::Io {
        path: path.display().to_string(),
        message: error.to_string(),
    }
}

impl Index {
    /// Opens the index at `path` for reading; [`DbError::Missing`] when there is none.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let location = path.display().to_string();
        if !path.is_file() {
            return Err(DbError::Missing(location));
        }
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let index = Self {
            connection,
            location,
        };
        index.defend()?;
        index.check_schema()?;
        Ok(index)
    }

    /// Opens the index at `path` for importing, creating it (and its directory) if needed.
    pub fn create(path: &Path) -> Result<Self, DbError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs_err::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        let fresh = !path.exists();
        let connection = Connection::open(path)?;
        let mut index = Self {
            connection,
            location: path.display().to_string(),
        };
        index.defend()?;
        if fresh {
            // One transaction: an interrupted creation leaves no half-made index behind.
            let transaction = index.connection.transaction()?;
            for statement in SCHEMA {
                transaction.execute(statement, [])?;
            }
            transaction.execute(
                "INSERT INTO meta (key, value) VALUES ('schema', ?1)",
                [SCHEMA_VERSION],
            )?;
            transaction.commit()?;
        }
        index.check_schema()?;
        Ok(index)
    }

    /// Treats the file as untrusted: no triggers, views or schema functions run, and the
    /// schema cannot be rewritten through the connection.
    fn defend(&self) -> Result<(), DbError> {
        use rusqlite::config::DbConfig;
        for (setting, on) in [
            (DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true),
            (DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false),
            (DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false),
            (DbConfig::SQLITE_DBCONFIG_ENABLE_VIEW, false),
        ] {
            self.connection.set_db_config(setting, on)?;
        }
        Ok(())
    }

    fn invalid(&self, message: impl Into<String>) -> DbError {
        DbError::Invalid {
            path: self.location.clone(),
            message: message.into(),
        }
    }

    fn check_schema(&self) -> Result<(), DbError> {
        let invalid = |e: rusqlite::Error| self.invalid(e.to_string());
        let mut statement = self
            .connection
            .prepare("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid")
            .map_err(invalid)?;
        let found = statement
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(invalid)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid)?;
        if found != SCHEMA {
            return Err(self.invalid(
                "its tables are not the ones harden creates; remove it and run `harden db import` again",
            ));
        }
        let version: Option<String> = self
            .connection
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(invalid)?;
        match version.as_deref() {
            Some(SCHEMA_VERSION) => Ok(()),
            other => Err(self.invalid(format!(
                "layout {}, this harden reads {SCHEMA_VERSION}; remove it and run `harden db import` again",
                other.unwrap_or("unknown")
            ))),
        }
    }

    /// Reads every record of `sources` (directories, `.zip` archives, single `.json` or
    /// `RUSTSEC-*.md` files) and writes them as they are read, in one transaction committed only
    /// if every record could be read: memory stays that of one record whatever the data's size.
    /// `progress` hears the count of records read so far; `now` is the RFC 3339 time recorded
    /// as the import's.
    pub fn import(
        &mut self,
        sources: &[PathBuf],
        now: &str,
        progress: &dyn Fn(u64),
    ) -> Result<ImportReport, DbError> {
        let transaction = self.connection.transaction()?;
        let mut report = ImportReport::default();
        let mut errors = RecordErrors::default();
        {
            let mut writer = Writer::new(&transaction)?;
            let mut sink = |advisory: Advisory| -> Result<(), DbError> {
                report.read += 1;
                writer.write(&advisory, &mut report)?;
                progress(report.read);
                Ok(())
            };
            for source in sources {
                read_source(source, &mut sink, &mut errors)?;
            }
        }
        if errors.total > 0 {
            // Dropping the transaction rolls every write back.
            return Err(DbError::Records {
                listed: errors.listed,
                total: errors.total,
            });
        }
        transaction.execute(
            "INSERT INTO meta (key, value) VALUES ('imported_at', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [now],
        )?;
        transaction.commit()?;
        Ok(report)
    }

    /// The same index, shown as `location` in messages and evidence (a path relative to the
    /// repository rather than the absolute one).
    #[must_use]
    pub fn shown_as(mut self, location: impl Into<String>) -> Self {
        self.location = location.into();
        self
    }

    /// Where it is.
    pub fn location(&self) -> &str {
        &self.location
    }
}

/// The records that could not be read: the first few kept, all counted.
#[derive(Default)]
struct RecordErrors {
    listed: Vec<RecordError>,
    total: usize,
}

impl RecordErrors {
    fn push(&mut self, error: RecordError) {
        self.total += 1;
        if self.listed.len() < LISTED_RECORD_ERRORS {
            self.listed.push(error);
        }
    }
}

/// The statements an import writes with, prepared once.
struct Writer<'c> {
    existing: rusqlite::Statement<'c>,
    upsert: rusqlite::Statement<'c>,
    forget: rusqlite::Statement<'c>,
    link: rusqlite::Statement<'c>,
}

impl<'c> Writer<'c> {
    fn new(connection: &'c Connection) -> Result<Self, DbError> {
        Ok(Self {
            existing: connection.prepare("SELECT modified, record FROM advisory WHERE id = ?1")?,
            upsert: connection.prepare(
                "INSERT INTO advisory (id, modified, record) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET modified = excluded.modified,
                     record = excluded.record",
            )?,
            forget: connection.prepare("DELETE FROM package WHERE advisory = ?1")?,
            link: connection.prepare(
                "INSERT OR IGNORE INTO package (ecosystem, key, advisory) VALUES (?1, ?2, ?3)",
            )?,
        })
    }

    fn write(&mut self, advisory: &Advisory, report: &mut ImportReport) -> Result<(), DbError> {
        if advisory.withdrawn.is_some() {
            report.withdrawn += 1;
        }
        let record = serde_json::to_string(advisory).map_err(|e| DbError::Io {
            path: advisory.id.clone(),
            message: e.to_string(),
        })?;
        let old: Option<(String, String)> = self
            .existing
            .query_row([&advisory.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match &old {
            Some((_, same)) if *same == record => {
                report.unchanged += 1;
                return Ok(());
            }
            // A copy older than the one indexed (the same advisory from two sources). Times
            // are normalized to fixed-width UTC when read: as text they compare as times.
            Some((modified, _)) if *modified > advisory.modified => {
                report.unchanged += 1;
                return Ok(());
            }
            Some(_) => report.replaced += 1,
            None => report.added += 1,
        }
        self.upsert
            .execute(params![advisory.id, advisory.modified, record])?;
        self.forget.execute([&advisory.id])?;
        for affected in &advisory.affected {
            self.link.execute(params![
                affected.ecosystem,
                package_key(&affected.ecosystem, &affected.name),
                advisory.id
            ])?;
        }
        Ok(())
    }
}

/// Where each record read goes.
type Sink<'a> = dyn FnMut(Advisory) -> Result<(), DbError> + 'a;

fn read_source(
    source: &Path,
    sink: &mut Sink<'_>,
    errors: &mut RecordErrors,
) -> Result<(), DbError> {
    if source.is_dir() {
        // Everything under the directory, hidden or ignored files too: it is data, not a
        // repository.
        let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(source)
            .standard_filters(false)
            .build()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
            .map(ignore::DirEntry::into_path)
            .collect();
        files.sort();
        for file in files {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let kind = if has_extension(&file, "json") {
                Kind::Osv
            } else if name.starts_with("RUSTSEC-") && has_extension(&file, "md") {
                Kind::RustSec
            } else if has_extension(&file, "zip") {
                read_zip(&file, sink, errors)?;
                continue;
            } else {
                continue;
            };
            let bytes = read_bounded(&file)?;
            one(&file.display().to_string(), &bytes, kind, sink, errors)?;
        }
        Ok(())
    } else if has_extension(source, "zip") {
        read_zip(source, sink, errors)
    } else if source.is_file() {
        let kind = if has_extension(source, "md") {
            Kind::RustSec
        } else {
            Kind::Osv
        };
        let bytes = read_bounded(source)?;
        one(&source.display().to_string(), &bytes, kind, sink, errors)
    } else {
        Err(io(source, "no such file or directory"))
    }
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

#[derive(Clone, Copy)]
enum Kind {
    Osv,
    RustSec,
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, DbError> {
    let size = fs_err::metadata(path).map_err(|e| io(path, e))?.len();
    if size > MAX_RECORD_BYTES {
        return Err(io(
            path,
            format!("{size} bytes: larger than any advisory record ({MAX_RECORD_BYTES} at most)"),
        ));
    }
    fs_err::read(path).map_err(|e| io(path, e))
}

fn one(
    source: &str,
    bytes: &[u8],
    kind: Kind,
    sink: &mut Sink<'_>,
    errors: &mut RecordErrors,
) -> Result<(), DbError> {
    let parsed = match kind {
        Kind::Osv => parse::osv(bytes),
        Kind::RustSec => match std::str::from_utf8(bytes) {
            Ok(text) => parse::rustsec(text),
            Err(e) => Err(parse::ParseError {
                message: format!("not UTF-8: {e}"),
                line: None,
                column: None,
            }),
        },
    };
    match parsed {
        Ok(advisory) => sink(advisory),
        Err(e) => {
            errors.push(RecordError {
                source: source.to_owned(),
                line: e.line,
                column: e.column,
                message: e.message,
            });
            Ok(())
        }
    }
}

fn read_zip(path: &Path, sink: &mut Sink<'_>, errors: &mut RecordErrors) -> Result<(), DbError> {
    use std::io::Read as _;
    let file = fs_err::File::open(path).map_err(|e| io(path, e))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| io(path, e))?;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| io(path, e))?;
        let Ok(entry_name) = entry.name().map(std::borrow::Cow::into_owned) else {
            continue;
        };
        if !entry.is_file() || !has_extension(Path::new(&entry_name), "json") {
            continue;
        }
        let name = format!("{}!{entry_name}", path.display());
        if entry.size() > MAX_RECORD_BYTES {
            return Err(DbError::Io {
                path: name,
                message: "larger than any advisory record".into(),
            });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        // The declared size can lie: read no more than the bound.
        (&mut entry)
            .take(MAX_RECORD_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io(path, e))?;
        if bytes.len() as u64 > MAX_RECORD_BYTES {
            return Err(DbError::Io {
                path: name,
                message: "larger than any advisory record".into(),
            });
        }
        one(&name, &bytes, Kind::Osv, sink, errors)?;
    }
    Ok(())
}

fn port_error(location: &str, error: impl std::fmt::Display) -> PortError {
    PortError::at(location, error)
}

impl Index {
    /// Records naming `package` (its lookup key) in `ecosystem`, as serialized [`Advisory`]s.
    pub fn records(&self, ecosystem: &str, package: &str) -> Result<Vec<String>, PortError> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT a.record FROM package p JOIN advisory a ON a.id = p.advisory
                 WHERE p.ecosystem = ?1 AND p.key = ?2 ORDER BY a.id",
            )
            .map_err(|e| port_error(&self.location, e))?;
        let rows = statement
            .query_map([ecosystem, package], |r| r.get::<_, String>(0))
            .map_err(|e| port_error(&self.location, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| port_error(&self.location, e))
    }

    /// What the index holds.
    pub fn status(&self) -> Result<AdvisoryDbStatus, PortError> {
        let error = |e: rusqlite::Error| port_error(&self.location, e);
        let mut statement = self
            .connection
            .prepare(
                "SELECT ecosystem, count(DISTINCT advisory) FROM package GROUP BY ecosystem
                 ORDER BY ecosystem",
            )
            .map_err(error)?;
        let records = statement
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(error)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(error)?
            .into_iter()
            .map(|(ecosystem, n)| (ecosystem, u64::try_from(n).unwrap_or(0)))
            .collect();
        let newest_modified = self
            .connection
            .query_row("SELECT max(modified) FROM advisory", [], |r| {
                r.get::<_, Option<String>>(0)
            })
            .map_err(error)?;
        let imported_at = self
            .connection
            .query_row(
                "SELECT value FROM meta WHERE key = 'imported_at'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map_err(error)?;
        Ok(AdvisoryDbStatus {
            location: self.location.clone(),
            records,
            newest_modified,
            imported_at,
        })
    }
}

// `Connection` is `Send` but not `Sync`; the port is read from one gate at a time, behind
// a lock.
/// [`Index`] shared between threads.
pub struct SharedIndex(std::sync::Mutex<Index>);

impl SharedIndex {
    /// Wraps an open index.
    pub fn new(index: Index) -> Self {
        Self(std::sync::Mutex::new(index))
    }
}

impl AdvisoryDb for SharedIndex {
    fn records(&self, ecosystem: &str, package: &str) -> Result<Vec<String>, PortError> {
        self.0
            .lock()
            .map_err(|_| PortError::at("advisory database", "poisoned lock"))?
            .records(ecosystem, package)
    }

    fn status(&self) -> Result<AdvisoryDbStatus, PortError> {
        self.0
            .lock()
            .map_err(|_| PortError::at("advisory database", "poisoned lock"))?
            .status()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OSV: &str = r#"{"id": "GHSA-aaaa-0001", "modified": "2024-01-01T00:00:00Z",
      "aliases": ["CVE-2024-1"], "summary": "first",
      "affected": [{"package": {"ecosystem": "PyPI", "name": "Demo_Pkg"},
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1"}]}]}]}"#;

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, text).unwrap();
    }

    #[test]
    fn an_import_is_idempotent_and_newer_records_replace_older_ones() {
        let data = tempfile::tempdir().unwrap();
        write(data.path(), "osv/GHSA-aaaa-0001.json", OSV);
        let db = data.path().join("index/advisories.db");
        let mut index = Index::create(&db).unwrap();
        let first = index
            .import(&[data.path().join("osv")], "2024-02-01T00:00:00Z", &|_| {})
            .unwrap();
        assert_eq!((first.read, first.added), (1, 1));
        let again = index
            .import(&[data.path().join("osv")], "2024-02-02T00:00:00Z", &|_| {})
            .unwrap();
        assert_eq!((again.added, again.replaced, again.unchanged), (0, 0, 1));
        write(
            data.path(),
            "osv/GHSA-aaaa-0001.json",
            &OSV.replace("2024-01-01", "2024-03-01")
                .replace("first", "second"),
        );
        let newer = index
            .import(&[data.path().join("osv")], "2024-03-02T00:00:00Z", &|_| {})
            .unwrap();
        assert_eq!(newer.replaced, 1);
        drop(index);
        let index = Index::open(&db).unwrap();
        let records = index.records("PyPI", "demo-pkg").unwrap();
        assert_eq!(records.len(), 1);
        assert!(records[0].contains("second"));
        let status = index.status().unwrap();
        assert_eq!(status.records, [("PyPI".to_owned(), 1)]);
        assert_eq!(
            status.newest_modified.as_deref(),
            Some("2024-03-01T00:00:00.000000000Z")
        );
        assert_eq!(status.imported_at.as_deref(), Some("2024-03-02T00:00:00Z"));
    }

    #[test]
    fn a_bad_record_is_located_and_nothing_is_written() {
        let data = tempfile::tempdir().unwrap();
        write(data.path(), "a/GHSA-aaaa-0001.json", OSV);
        write(
            data.path(),
            "a/GHSA-bad.json",
            "{\n  \"id\": \"X\",\n  oops\n}",
        );
        let db = data.path().join("advisories.db");
        let mut index = Index::create(&db).unwrap();
        let Err(DbError::Records { listed: errors, .. }) =
            index.import(&[data.path().join("a")], "now", &|_| {})
        else {
            panic!("a bad record must fail the import");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].column), (Some(3), Some(3)));
        assert!(errors[0].source.ends_with("GHSA-bad.json"));
        assert!(index.records("PyPI", "demo-pkg").unwrap().is_empty());
    }

    #[test]
    fn zip_archives_and_rustsec_directories_are_read() {
        use std::io::Write as _;
        let data = tempfile::tempdir().unwrap();
        let archive = data.path().join("all.zip");
        let mut zip = zip::ZipWriter::new(fs_err::File::create(&archive).unwrap());
        zip.start_file(
            "GHSA-aaaa-0001.json",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(OSV.as_bytes()).unwrap();
        zip.finish().unwrap();
        write(
            data.path(),
            "advisory-db/crates/demo/RUSTSEC-2099-0001.md",
            "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"demo\"\ndate = \"2099-01-01\"\n[versions]\npatched = [\">= 1.0.0\"]\n```\n# Demo\n",
        );
        let mut index = Index::create(&data.path().join("db")).unwrap();
        let report = index
            .import(&[archive, data.path().join("advisory-db")], "now", &|_| {})
            .unwrap();
        assert_eq!(report.added, 2);
        assert_eq!(index.records("crates.io", "demo").unwrap().len(), 1);
    }

    #[test]
    fn an_index_with_anything_but_its_own_tables_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        // A view that recurses without end, a trigger, an extra column: each would make reads
        // do what the file's author wants.
        for extra in [
            "CREATE VIEW forever AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n",
            "CREATE TRIGGER t AFTER INSERT ON meta BEGIN DELETE FROM advisory; END",
            "ALTER TABLE advisory ADD COLUMN big TEXT GENERATED ALWAYS AS (zeroblob(1000000000)) VIRTUAL",
        ] {
            let db = dir.path().join("forged.db");
            let _ = fs_err::remove_file(&db);
            drop(Index::create(&db).unwrap());
            Connection::open(&db).unwrap().execute_batch(extra).unwrap();
            let error = Index::open(&db).err().expect(extra);
            assert!(
                error.to_string().contains("not the ones harden creates"),
                "{extra}: {error}"
            );
        }
    }

    #[test]
    fn an_index_of_another_layout_says_how_to_rebuild_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("old.db");
        drop(Index::create(&db).unwrap());
        Connection::open(&db)
            .unwrap()
            .execute("UPDATE meta SET value = '1' WHERE key = 'schema'", [])
            .unwrap();
        let error = Index::open(&db).err().unwrap().to_string();
        assert!(error.contains("layout 1"), "{error}");
        assert!(error.contains("harden db import"), "{error}");
    }

    #[test]
    fn unreadable_records_are_counted_past_those_listed() {
        let data = tempfile::tempdir().unwrap();
        for n in 0..LISTED_RECORD_ERRORS + 5 {
            write(data.path(), &format!("bad/{n:05}.json"), "{");
        }
        let mut index = Index::create(&data.path().join("db")).unwrap();
        let Err(DbError::Records { listed, total }) =
            index.import(&[data.path().join("bad")], "now", &|_| {})
        else {
            panic!("bad records must fail the import");
        };
        assert_eq!(
            (listed.len(), total),
            (LISTED_RECORD_ERRORS, LISTED_RECORD_ERRORS + 5)
        );
    }

    #[test]
    fn a_missing_index_names_the_command_that_makes_one() {
        let dir = tempfile::tempdir().unwrap();
        let error = Index::open(&dir.path().join("none.db")).err().unwrap();
        assert!(error.to_string().contains("harden db import"), "{error}");
        fs_err::write(dir.path().join("junk.db"), "not sqlite at all, not at all").unwrap();
        assert!(Index::open(&dir.path().join("junk.db")).is_err());
    }
}
