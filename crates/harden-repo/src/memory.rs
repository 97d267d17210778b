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

/// One stream under one name (standard input): read once, in chunks, never held whole.
pub struct StreamTree {
    display: String,
    paths: Vec<String>,
    stream: std::sync::Mutex<Option<Box<dyn std::io::Read + Send>>>,
}

impl StreamTree {
    /// A view of `stream` as the file `name`.
    pub fn new(name: impl Into<String>, stream: Box<dyn std::io::Read + Send>) -> Self {
        let name = name.into();
        Self {
            display: name.clone(),
            paths: vec![name],
            stream: std::sync::Mutex::new(Some(stream)),
        }
    }

    fn take(&self, path: &str) -> Result<Box<dyn std::io::Read + Send>, PortError> {
        if path != self.paths[0] {
            return Err(PortError::at(path, "no such file"));
        }
        self.stream
            .lock()
            .map_err(|_| PortError::at(path, "stream lock poisoned"))?
            .take()
            .ok_or_else(|| PortError::at(path, "a stream can be read only once"))
    }
}

impl RepoView for StreamTree {
    fn root_display(&self) -> String {
        self.display.clone()
    }

    fn files(&self) -> Result<&[String], PortError> {
        Ok(&self.paths)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, PortError> {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut self.take(path)?, &mut bytes)
            .map_err(|e| PortError::at(path, e))?;
        Ok(bytes)
    }

    fn is_file(&self, path: &str) -> bool {
        path == self.paths[0]
    }

    fn size(&self, _path: &str) -> Result<Option<u64>, PortError> {
        Ok(None)
    }

    fn open(&self, path: &str) -> Result<Box<dyn std::io::Read + Send + '_>, PortError> {
        self.take(path)
    }
}

/// One file of the file system under a name of its own (`harden secrets scan FILE`): read
/// from disk when asked, streamed when large.
pub struct SingleFile {
    display: String,
    paths: Vec<String>,
    file: std::path::PathBuf,
}

impl SingleFile {
    /// `file`, seen as `name`.
    pub fn new(
        display: impl Into<String>,
        name: impl Into<String>,
        file: &std::path::Path,
    ) -> Self {
        Self {
            display: display.into(),
            paths: vec![name.into()],
            file: file.to_path_buf(),
        }
    }

    fn check(&self, path: &str) -> Result<(), PortError> {
        if path == self.paths[0] {
            Ok(())
        } else {
            Err(PortError::at(path, "no such file"))
        }
    }
}

impl RepoView for SingleFile {
    fn root_display(&self) -> String {
        self.display.clone()
    }

    fn files(&self) -> Result<&[String], PortError> {
        Ok(&self.paths)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, PortError> {
        self.check(path)?;
        fs_err::read(&self.file).map_err(|e| PortError::at(path, e))
    }

    fn is_file(&self, path: &str) -> bool {
        path == self.paths[0]
    }

    fn size(&self, path: &str) -> Result<Option<u64>, PortError> {
        self.check(path)?;
        fs_err::metadata(&self.file)
            .map(|m| Some(m.len()))
            .map_err(|e| PortError::at(path, e))
    }

    fn open(&self, path: &str) -> Result<Box<dyn std::io::Read + Send + '_>, PortError> {
        self.check(path)?;
        Ok(Box::new(
            fs_err::File::open(&self.file).map_err(|e| PortError::at(path, e))?,
        ))
    }
}
