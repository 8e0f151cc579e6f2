//! What the integration tests under `tests/` share: where the repository is and the
//! host harness built from examples/c (see examples/c/README.md).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `examples/c/exec-harness`, built once per test binary (`make -C examples/c`).
pub fn harness() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let out =
                Command::new("make").arg("-C").arg(repo().join("examples/c")).output().expect("run make");
            assert!(out.status.success(), "make failed:\n{}", String::from_utf8_lossy(&out.stderr));
            repo().join("examples/c/exec-harness")
        })
        .clone()
}
