use std::collections::BTreeMap;

use harden_engine::{PortError, RepoView};

/// Files held in memory: standard input, or the staged versions of files for a pre-commit
/// hook. Paths are as given; there is nothing to walk and no link to follow.
pub struct MemoryTree {
    display: String,
    files: BTreeMap<String, Vec<u8>>,
    paths: Vec<String>,
}

impl MemoryTree {
    /// A tree named `display` holding `files` (path, bytes).
    pub fn new(
        display: impl Into<String>,
        files: impl IntoIterator<Item = (String, Vec<u8>)>,
    ) -> Self {
        let files: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
        let paths = files.keys().cloned().collect();
        Self {
            display: display.into(),
            files,
            paths,
        }
    }
}

impl RepoView for MemoryTree {
    fn root_display(&self) -> String {
        self.display.clone()
    }

    fn files(&self) -> Result<&[String], PortError> {
        Ok(&self.paths)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, PortError> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| PortError::at(path, "no such file"))
    }

    fn is_file(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }
}
