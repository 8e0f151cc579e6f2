//! The files every benchmark runs on, in one process, so results compare as ratios.
//!
//! Small ones come from the repository (`testdata/bin`) and the shared corpus; the large
//! one (> 64 MiB) is generated into `target/bench/` on first use, never committed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Bytes of the generated program's initialised array: over 64 MiB.
pub const BIG_BLOB: u64 = 72 << 20;

/// One benchmark input.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// Short name used in benchmark and table rows.
    pub name: &'static str,
    /// Where it is.
    pub path: PathBuf,
}

impl Fixture {
    /// Its bytes (the in-memory benchmarks borrow from these).
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap_or_else(|e| panic!("{}: {e}", self.path.display()))
    }

    /// Its size in bytes.
    pub fn size(&self) -> u64 {
        std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0)
    }
}

/// The workspace root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn corpus(name: &str) -> PathBuf {
    repo().join("../shared/corpus/bin").join(name)
}

/// glibc static executable (ET_EXEC, no interpreter), ~750 KiB.
pub fn glibc_static() -> Fixture {
    Fixture { name: "static", path: corpus("hello-x86_64-glibc-static") }
}

/// glibc dynamic PIE (ET_DYN + ld.so), ~16 KiB.
pub fn glibc_dynpie() -> Fixture {
    Fixture { name: "dynpie", path: corpus("hello-x86_64-glibc-dynpie") }
}

/// The repository's own ~14 KiB glibc dynamic PIE (the small side of the size ratios).
pub fn small_dynpie() -> Fixture {
    Fixture { name: "small", path: repo().join("testdata/bin/x86_64-dyn-pie") }
}

/// The repository's freestanding static executable (the C harness exec benchmark).
pub fn tiny_static() -> Fixture {
    Fixture { name: "tiny-static", path: repo().join("testdata/bin/x86_64-static") }
}

/// A dynamic PIE over 64 MiB (`testdata/src/big`), built with `gcc` on first use.
pub fn big_dynpie() -> Fixture {
    let dir = repo().join("target/bench");
    let exe = dir.join("big-x86_64-dynpie");
    let want = BIG_BLOB;
    if std::fs::metadata(&exe).map(|m| m.len() > want).unwrap_or(false) {
        return Fixture { name: "big", path: exe };
    }
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let blob: Vec<u8> = (0..want).map(blob_byte).collect();
    std::fs::write(dir.join("blob.bin"), blob).unwrap_or_else(|e| panic!("blob.bin: {e}"));
    let src = repo().join("testdata/src/big");
    let status = Command::new("gcc")
        .args(["-O2", "-pie", "-fPIE", "-Wa,--noexecstack", "-o"])
        .arg(&exe)
        .arg(src.join("big.c"))
        .arg(src.join("blob.S"))
        .arg(format!("-DBLOB_BYTES={want}"))
        .arg(format!("-Wa,-I{}", dir.display()))
        .status()
        .unwrap_or_else(|e| panic!("gcc: {e}"));
    assert!(status.success(), "building {}", exe.display());
    Fixture { name: "big", path: exe }
}

/// The blob's byte at `i` (the formula `big.c` checks).
fn blob_byte(i: u64) -> u8 {
    ((i.wrapping_mul(0x9e37_79b1) >> 24) as u8) ^ ((i >> 20) as u8)
}

/// The files of the header and `prepare` comparisons: static, dynamic PIE, large.
pub fn comparison_set() -> Vec<Fixture> {
    vec![glibc_static(), glibc_dynpie(), big_dynpie()]
}

/// The interpreter the x86_64 fixtures name, from the host.
pub const LD_SO: &str = "/lib64/ld-linux-x86-64.so.2";

/// The host's dynamic linker's bytes.
pub fn ld_so() -> Vec<u8> {
    std::fs::read(LD_SO).unwrap_or_else(|e| panic!("{LD_SO}: {e}"))
}
