use std::path::{Path, PathBuf};
use std::process::Command;

/// A real git repository in a temporary directory, built commit by commit with the `git` CLI
/// (deterministic author, committer and dates; no user or system git config).
pub struct TestRepo {
    dir: tempfile::TempDir,
}

impl TestRepo {
    /// An empty repository with `main` as its initial branch.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let repo = Self { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// A directory that is not a git repository.
    pub fn plain() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    /// The work tree.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating parent directories).
    pub fn write(&self, path: &str, content: impl AsRef<[u8]>) -> &Self {
        let full = self.dir.path().join(path);
        if let Some(parent) = full.parent() {
            fs_err::create_dir_all(parent).expect("create directories");
        }
        fs_err::write(full, content).expect("write file");
        self
    }

    /// Removes a file.
    pub fn remove(&self, path: &str) -> &Self {
        fs_err::remove_file(self.dir.path().join(path)).expect("remove file");
        self
    }

    /// Copies every file under `source` into the work tree.
    pub fn copy_tree(&self, source: &Path) -> &Self {
        copy_dir(source, self.dir.path());
        self
    }

    /// Copies every file under `source` into the directory `under` of the work tree.
    pub fn copy_tree_under(&self, source: &Path, under: &str) -> &Self {
        let target = self.dir.path().join(under);
        fs_err::create_dir_all(&target).expect("create directory");
        copy_dir(source, &target);
        self
    }

    /// Stages everything and commits at `date` (RFC 3339, e.g. `2026-01-02T03:04:05Z`).
    /// Returns the commit id.
    pub fn commit(&self, message: &str, date: &str) -> String {
        self.git(&["add", "-A"]);
        let mut command = self.command();
        command
            .args(["commit", "-q", "--allow-empty", "-m", message])
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date);
        run(&mut command);
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// Feeds a `git fast-import` stream (thousands of commits in a fraction of a second), then
    /// checks out `main`.
    pub fn fast_import(&self, stream: &str) -> &Self {
        use std::io::Write as _;
        let mut command = self.command();
        command
            .args(["fast-import", "--quiet"])
            .stdin(std::process::Stdio::piped());
        let mut child = command.spawn().expect("start git fast-import");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stream.as_bytes())
            .expect("write the stream");
        assert!(
            child.wait().expect("git fast-import").success(),
            "git fast-import failed"
        );
        self.git(&["checkout", "-q", "-f", "main"]);
        self
    }

    /// Runs git in the repository and returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let mut command = self.command();
        command.args(args);
        run(&mut command)
    }

    fn command(&self) -> Command {
        let mut command = Command::new("git");
        command
            .current_dir(self.dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Test Author")
            .env("GIT_AUTHOR_EMAIL", "author@example.com")
            .env("GIT_COMMITTER_NAME", "Test Author")
            .env("GIT_COMMITTER_EMAIL", "author@example.com");
        command
    }
}

impl Default for TestRepo {
    fn default() -> Self {
        Self::new()
    }
}

fn run(command: &mut Command) -> String {
    let output = command
        .output()
        .expect("git must be installed to run these tests");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn copy_dir(source: &Path, target: &Path) {
    for entry in fs_err::read_dir(source).expect("read fixture directory") {
        let entry = entry.expect("directory entry");
        let from: PathBuf = entry.path();
        let to = target.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            fs_err::create_dir_all(&to).expect("create directory");
            copy_dir(&from, &to);
        } else {
            fs_err::copy(&from, &to).expect("copy file");
        }
    }
}
