//! One read and one parse of each input per run, shared by every gate.
//!
//! Gates run side by side and several read the same files: the secret scan, the mock and the
//! fail-fast gates read every source file; the lockfile, SBOM and vulnerability gates parse every
//! lockfile. The cache hands each of them the same bytes and the same parse. A value is computed
//! by the first gate that asks for it while the others wait for it (never twice), and lives until
//! the run ends.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::ports::{Bounded, PortError, RepoView};

/// Files up to this size are kept once read; larger ones are read for each gate that asks
/// (they are rare, and holding them would cost more memory than the reads cost time).
pub const CACHED_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// The most file bytes the cache holds at once. Past it files are read for each gate again:
/// the cache trades memory for reads only within a bound.
pub const CACHED_BYTES_BUDGET: u64 = 384 * 1024 * 1024;

type Cell = Arc<OnceLock<Arc<dyn Any + Send + Sync>>>;

/// What one run has read and parsed, by kind of value and key.
#[derive(Default)]
pub struct RunCache {
    values: Mutex<HashMap<(TypeId, String), Cell>>,
    held_bytes: AtomicU64,
    running: OnceLock<std::collections::BTreeSet<String>>,
}

impl std::fmt::Debug for RunCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunCache")
            .field("held_bytes", &self.held_bytes.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The bytes of a file as the cache keeps them: `Arc<Vec<u8>>` rather than `Arc<[u8]>`, because
/// wrapping the vector a read returns moves it where making a slice of it copies every file.
/// A file too large to hold, or read when the cache was full, is `Unheld` (with its size where
/// it is known): each gate that asks reads it again.
enum FileBytes {
    Held(Result<Arc<Vec<u8>>, PortError>),
    Unheld(Option<u64>),
}

impl RunCache {
    /// The value of type `T` under `key`, made by `make` the first time anyone asks. One key
    /// names one value per type: callers pick keys that say what was computed from what
    /// (`lockfile:<path>`, `inventory`). `make` must not ask for the same key and type again,
    /// nor wait on rayon work (`par_iter`, `join`): a thread waiting in rayon runs other queued
    /// gates meanwhile, and one of them asking for this key would wait on its own thread.
    pub fn shared<T: Send + Sync + 'static>(&self, key: &str, make: impl FnOnce() -> T) -> Arc<T> {
        let cell = {
            let mut values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(
                values
                    .entry((TypeId::of::<T>(), key.to_owned()))
                    .or_default(),
            )
        };
        // The map's lock is released: other keys are computed meanwhile, and another gate
        // asking for this one waits here instead of computing it again.
        let value = Arc::clone(cell.get_or_init(|| Arc::new(make()) as Arc<dyn Any + Send + Sync>));
        value
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("the cache keys values by their type"))
    }

    /// The bytes of a repository file, read once for all gates when it is small enough and the
    /// cache has room; read again otherwise.
    pub fn read(&self, repo: &dyn RepoView, path: &str) -> Result<Arc<Vec<u8>>, PortError> {
        match self.read_at_most(repo, path, u64::MAX)? {
            Bounded::Whole(bytes) => Ok(bytes),
            Bounded::Unread { .. } => repo.read(path).map(Arc::new),
        }
    }

    /// [`RunCache::read`] of a file that holds at most `limit` bytes: a larger one is left
    /// unread, with its size. The file is opened once to learn both its size and its bytes.
    pub fn read_at_most(
        &self,
        repo: &dyn RepoView,
        path: &str,
        limit: u64,
    ) -> Result<Bounded<Arc<Vec<u8>>>, PortError> {
        // The bytes this caller read and could not leave in the cache (it was full).
        let mut mine = None;
        let kept = self.shared(path, || match repo.read_at_most(path, CACHED_FILE_BYTES) {
            Err(error) => FileBytes::Held(Err(error)),
            Ok(Bounded::Unread { size }) => FileBytes::Unheld(size),
            Ok(Bounded::Whole(bytes)) => {
                let size = bytes.len() as u64;
                if self.held_bytes.fetch_add(size, Ordering::Relaxed) + size > CACHED_BYTES_BUDGET {
                    self.held_bytes.fetch_sub(size, Ordering::Relaxed);
                    mine = Some(bytes);
                    FileBytes::Unheld(Some(size))
                } else {
                    FileBytes::Held(Ok(Arc::new(bytes)))
                }
            }
        });
        let size = match &*kept {
            FileBytes::Held(Err(error)) => return Err(error.clone()),
            FileBytes::Held(Ok(bytes)) => {
                if bytes.len() as u64 > limit {
                    return Ok(Bounded::Unread {
                        size: Some(bytes.len() as u64),
                    });
                }
                return Ok(Bounded::Whole(Arc::clone(bytes)));
            }
            FileBytes::Unheld(size) => *size,
        };
        match (mine, size) {
            (_, Some(size)) if size > limit => Ok(Bounded::Unread { size: Some(size) }),
            (Some(bytes), _) => Ok(Bounded::Whole(Arc::new(bytes))),
            // A file of unknown size (a stream) is read whole, as a plain read would.
            (None, None) => repo.read(path).map(|bytes| Bounded::Whole(Arc::new(bytes))),
            (None, Some(_)) => match repo.read_at_most(path, limit)? {
                Bounded::Whole(bytes) => Ok(Bounded::Whole(Arc::new(bytes))),
                Bounded::Unread { size } => Ok(Bounded::Unread { size }),
            },
        }
    }

    /// Records the gates this run runs (the runner does, once, before any gate starts).
    pub fn set_running(&self, ids: impl IntoIterator<Item = String>) {
        let _ = self.running.set(ids.into_iter().collect());
    }

    /// Whether this run runs the gate `id`: a gate shares what it reads only when another
    /// gate of the run will read it too. Without a runner (a gate run on its own), every gate.
    pub fn runs(&self, id: &str) -> bool {
        self.running.get().is_none_or(|ids| ids.contains(id))
    }

    /// File bytes the cache holds now.
    pub fn held_bytes(&self) -> u64 {
        self.held_bytes.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    struct Counting {
        reads: AtomicUsize,
        files: Vec<String>,
    }

    impl Counting {
        fn empty() -> Self {
            Self {
                reads: AtomicUsize::new(0),
                files: Vec::new(),
            }
        }
    }

    impl RepoView for Counting {
        fn root_display(&self) -> String {
            "counting".into()
        }
        fn files(&self) -> Result<&[String], PortError> {
            Ok(&self.files)
        }
        fn read(&self, path: &str) -> Result<Vec<u8>, PortError> {
            self.reads.fetch_add(1, Ordering::Relaxed);
            match path {
                "big" => Ok(vec![b'x'; usize::try_from(CACHED_FILE_BYTES).unwrap() + 1]),
                "missing" => Err(PortError::at(path, "no such file")),
                _ => Ok(path.as_bytes().to_vec()),
            }
        }
        fn is_file(&self, _: &str) -> bool {
            true
        }
        fn size(&self, path: &str) -> Result<Option<u64>, PortError> {
            Ok(Some(match path {
                "big" => CACHED_FILE_BYTES + 1,
                _ => path.len() as u64,
            }))
        }
    }

    #[test]
    fn a_value_is_made_once_for_every_thread_that_asks() {
        let cache = RunCache::default();
        let made = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    let value = cache.shared("parse:a", || {
                        made.fetch_add(1, Ordering::Relaxed);
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        41 + 1
                    });
                    assert_eq!(*value, 42);
                });
            }
        });
        assert_eq!(made.load(Ordering::Relaxed), 1);
        // The same key holds one value per type.
        assert_eq!(*cache.shared("parse:a", || "text"), "text");
    }

    #[test]
    fn small_files_are_read_once_large_ones_each_time_and_errors_are_kept() {
        let (cache, repo) = (RunCache::default(), Counting::empty());
        for _ in 0..3 {
            assert_eq!(&*cache.read(&repo, "a.py").unwrap(), b"a.py");
        }
        assert_eq!(repo.reads.load(Ordering::Relaxed), 1);
        assert_eq!(cache.held_bytes(), 4);
        for _ in 0..2 {
            assert!(cache.read(&repo, "big").is_ok());
        }
        assert_eq!(repo.reads.load(Ordering::Relaxed), 3);
        let error = cache.read(&repo, "missing").unwrap_err();
        assert_eq!(error.path.as_deref(), Some("missing"));
        assert!(cache.read(&repo, "missing").is_err());
        assert_eq!(repo.reads.load(Ordering::Relaxed), 4);
    }

    /// A file over a gate's limit is not read at all; one within it is read once for all.
    #[test]
    fn a_bounded_read_leaves_a_larger_file_unread_and_says_its_size() {
        let (cache, repo) = (RunCache::default(), Counting::empty());
        for _ in 0..2 {
            assert!(matches!(
                cache.read_at_most(&repo, "big", CACHED_FILE_BYTES).unwrap(),
                Bounded::Unread { size: Some(size) } if size == CACHED_FILE_BYTES + 1
            ));
        }
        assert_eq!(repo.reads.load(Ordering::Relaxed), 0);
        // Within a larger limit a file too large to hold is read, each time.
        assert!(matches!(
            cache.read_at_most(&repo, "big", u64::MAX).unwrap(),
            Bounded::Whole(bytes) if bytes.len() as u64 == CACHED_FILE_BYTES + 1
        ));
        assert_eq!(repo.reads.load(Ordering::Relaxed), 1);
        // A held file is measured against each caller's own limit.
        assert!(matches!(
            cache.read_at_most(&repo, "notes.txt", 100).unwrap(),
            Bounded::Whole(bytes) if &**bytes == b"notes.txt"
        ));
        assert!(matches!(
            cache.read_at_most(&repo, "notes.txt", 4).unwrap(),
            Bounded::Unread { size: Some(9) }
        ));
        assert_eq!(repo.reads.load(Ordering::Relaxed), 2);
    }
}
