//! Temporary directories for tests, removed when the test is done with them.

use std::path::{Path, PathBuf};

/// A fresh, empty directory for one test, removed with everything in it when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new directory under the system's temporary directory, named after `tag`.
    pub fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("execcore-test-{}-{n}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        TempDir(dir)
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A root directory holding `bytes` at the absolute path `at` (an interpreter), executable
/// as `open_exec` requires of one, removed when dropped.
pub fn root_with(tag: &str, at: &str, bytes: &[u8]) -> TempDir {
    use std::os::unix::fs::PermissionsExt;
    let root = TempDir::new(tag);
    let path = root.join(at.trim_start_matches('/'));
    std::fs::create_dir_all(path.parent().expect("an absolute path")).unwrap();
    std::fs::write(&path, bytes).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    root
}
