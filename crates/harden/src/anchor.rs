//! The ledger's head kept outside the ledger, so that a ledger that existed cannot silently
//! become a new one: deleted and re-created, truncated, emptied or rolled back.
//!
//! After every append the new head is written to the anchor: a git ref of the repository
//! (`refs/harden/ledgers/<key>`, one per ledger, pointing at a small blob), or in CI the file
//! named by `--ledger-anchor` / `HARDEN_LEDGER_ANCHOR`, which outlives the checkout. Verifying
//! the ledger (`R2.ledger.intact`, `harden ledger verify`) then requires the anchored entry to
//! be there with the anchored hash.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use harden_ledger::Head;
use harden_repo::GitHistory;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

const FORMAT: &str = "harden-ledger-anchor/1";

/// Where one ledger's anchor is kept.
pub(crate) struct Anchor<'a> {
    place: Place<'a>,
    /// Identifies the ledger: a digest of its location.
    key: String,
    /// The ledger as shown in messages.
    ledger: String,
}

enum Place<'a> {
    Git(&'a GitHistory),
    File(PathBuf),
}

/// What an anchor records, for one ledger.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    format: String,
    ledger: String,
    seq: u64,
    hash: String,
}

/// An anchor file holds the records of every ledger anchored there.
#[derive(Debug, Default, Serialize, Deserialize)]
struct AnchorFile {
    format: String,
    ledgers: BTreeMap<String, Record>,
}

impl<'a> Anchor<'a> {
    /// The anchor of the ledger at `location`: the `file` if one is named, else a git ref of
    /// `history`; `None` outside a git repository without a file.
    pub(crate) fn new(
        location: &str,
        file: Option<&Path>,
        history: Option<&'a GitHistory>,
    ) -> Option<Self> {
        let place = match (file, history) {
            (Some(file), _) => Place::File(file.to_path_buf()),
            (None, Some(history)) => Place::Git(history),
            (None, None) => return None,
        };
        let identity = if harden_ledger::is_server(location) {
            harden_ledger::redact_url(location)
        } else {
            absolute(Path::new(location)).display().to_string()
        };
        let key = hex::encode(&Sha256::digest(identity.as_bytes())[..8]);
        Some(Self {
            place,
            key,
            ledger: harden_ledger::redact_url(location),
        })
    }

    /// The anchor as named in messages.
    pub(crate) fn describe(&self) -> String {
        match &self.place {
            Place::Git(_) => format!(
                "the anchor {}ledgers/{}",
                harden_repo::ANCHOR_REFS,
                self.key
            ),
            Place::File(path) => format!("the anchor file {}", path.display()),
        }
    }

    /// The anchored head, if this ledger was anchored before.
    pub(crate) fn read(&self) -> anyhow::Result<Option<Head>> {
        Ok(self.read_versioned()?.1.map(|r| Head {
            seq: r.seq,
            hash: r.hash,
        }))
    }

    /// The anchor's record and, for a git ref, the blob id it points at (the version a write
    /// must replace).
    fn read_versioned(&self) -> anyhow::Result<(Option<String>, Option<Record>)> {
        match &self.place {
            Place::Git(history) => match history.read_anchor(&format!("ledgers/{}", self.key))? {
                Some((id, bytes)) => Ok((
                    Some(id),
                    Some(
                        serde_json::from_slice::<Record>(&bytes)
                            .with_context(|| format!("reading {}", self.describe()))?,
                    ),
                )),
                None => Ok((None, None)),
            },
            Place::File(path) => Ok((None, self.read_file(path)?.ledgers.remove(&self.key))),
        }
    }

    fn read_file(&self, path: &Path) -> anyhow::Result<AnchorFile> {
        match fs_err::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .with_context(|| format!("reading {}", self.describe())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AnchorFile::default()),
            Err(e) => Err(e.into()),
        }
    }

    /// Moves the anchor to `head`. It never moves back (concurrent appends finish in any
    /// order), and it moves only along the chain it anchors: `holds(anchored)` must say the
    /// ledger still holds the anchored entry, otherwise a ledger that was rolled back or
    /// re-created could be anchored anew and then verify as intact.
    pub(crate) fn write(
        &self,
        head: &Head,
        mut holds: impl FnMut(&Head) -> bool,
    ) -> anyhow::Result<()> {
        let record = Record {
            format: FORMAT.to_owned(),
            ledger: self.ledger.clone(),
            seq: head.seq,
            hash: head.hash.clone(),
        };
        let mut check = |current: Option<&Record>| -> anyhow::Result<bool> {
            let Some(current) = current else {
                return Ok(true);
            };
            if current.seq >= head.seq {
                return Ok(false);
            }
            let anchored = Head {
                seq: current.seq,
                hash: current.hash.clone(),
            };
            anyhow::ensure!(
                holds(&anchored),
                "the ledger does not hold entry #{} as {} records it, so the anchor stays there (restore the ledger, or delete the anchor to start a new one)",
                current.seq,
                self.describe()
            );
            Ok(true)
        };
        match &self.place {
            Place::Git(history) => {
                let bytes = serde_json::to_vec_pretty(&record)?;
                // Compare-and-swap on the ref: a concurrent move makes this one retry.
                let mut attempts = 0;
                loop {
                    let (version, current) = self.read_versioned()?;
                    if !check(current.as_ref())? {
                        return Ok(());
                    }
                    match history.write_anchor(
                        &format!("ledgers/{}", self.key),
                        &bytes,
                        version.as_deref(),
                    ) {
                        Ok(()) => return Ok(()),
                        Err(_) if attempts < 20 => {
                            attempts += 1;
                            std::thread::sleep(std::time::Duration::from_millis(25));
                        }
                        Err(error) => return Err(error.into()),
                    }
                }
            }
            Place::File(path) => {
                // One writer at a time: the file holds the records of several ledgers.
                let lock = fs_err::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(path.with_extension("lock"))?;
                lock.file().lock()?;
                let mut file = self.read_file(path)?;
                if !check(file.ledgers.get(&self.key))? {
                    return Ok(());
                }
                FORMAT.clone_into(&mut file.format);
                file.ledgers.insert(self.key.clone(), record);
                // Written whole to a neighbour, then renamed: a reader never sees half a file.
                let temporary = path.with_extension(format!("tmp-{}", std::process::id()));
                fs_err::write(&temporary, serde_json::to_vec_pretty(&file)?)?;
                fs_err::rename(&temporary, path)?;
                Ok(())
            }
        }
    }
}

/// `path` made absolute without requiring it to exist (the ledger may not yet).
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    match (joined.parent(), joined.file_name()) {
        (Some(parent), Some(name)) => {
            fs_err::canonicalize(parent).map_or_else(|_| joined.clone(), |parent| parent.join(name))
        }
        _ => joined,
    }
}
