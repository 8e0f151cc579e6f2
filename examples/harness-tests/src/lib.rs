//! What the integration tests under `tests/` share: where the repository is and the
//! host harness built from examples/c (see examples/c/README.md).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
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

/// One of a process's output streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl std::fmt::Display for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        })
    }
}

/// Asserts that `got` (the program loaded through the harness) ended as `want` (the
/// program run directly) did: the same exit status (`got`'s stderr in the message), then
/// each stream as `same(stream, got, want)` asserts (the text lossily decoded).
pub fn assert_same_run(what: &str, got: &Output, want: &Output, same: impl Fn(Stream, &str, &str)) {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    assert_eq!(got.status.code(), want.status.code(), "{what}: exit status; stderr {}", text(&got.stderr));
    same(Stream::Stdout, &text(&got.stdout), &text(&want.stdout));
    same(Stream::Stderr, &text(&got.stderr), &text(&want.stderr));
}

/// The stream comparison of [`assert_same_run`] when the texts must be equal.
pub fn assert_same_text(what: &str, stream: Stream, got: &str, want: &str) {
    assert_eq!(got, want, "{what}: {stream}");
}
