//! The cross-built aarch64 harness (`make -C examples/c TARGET=aarch64`) under
//! qemu-aarch64: every aarch64 program of the shared corpus and of the fixtures (glibc
//! dynamic PIE and ET_EXEC, static, static-pie; musl dynamic PIE, static, static-pie;
//! Rust std for gnu and musl; BTI-marked code) runs with the same output and exit status
//! as a direct qemu run, in eager and mapped mode, with every page equal to what the fault
//! resolver says (lazy mode); a generated program over 64 MiB runs the same way, with
//! the stack and reads of a small one.
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

mod cross;

use cross::{Program, Target};
use std::process::Command;
use test_support::temp::TempDir;

const AARCH64: Target = Target { make: "aarch64", qemu: "qemu-aarch64-static" };

#[test]
fn every_aarch64_program_runs_as_under_qemu() {
    let progs = cross::aarch64_programs();
    for p in &progs {
        cross::same(AARCH64, p, &cross::ARGS);
    }
    assert!(progs.len() >= 20, "only {} aarch64 programs", progs.len());
}

/// Bytes of the generated program's initialised array: over 64 MiB.
const BIG: u64 = 72 << 20;

/// Builds `big.c` (testdata/src/big/) against a generated `BIG`-byte blob, static and as
/// a dynamic PIE, in a directory removed when the test ends (the blob is 72 MiB).
fn big_programs() -> (TempDir, Vec<Program>) {
    let dir = TempDir::new("big-aarch64");
    let blob = dir.join("blob.bin");
    let bytes: Vec<u8> = (0..BIG).map(big_byte).collect();
    std::fs::write(&blob, bytes).unwrap();
    let src = cross::repo().join("testdata/src/big");
    let mut out = Vec::new();
    for (kind, flags, root) in
        [("static", "-static", None), ("dynpie", "-pie", Some("/usr/aarch64-linux-gnu"))]
    {
        let exe = dir.join(format!("big-aarch64-{kind}"));
        let st = Command::new("aarch64-linux-gnu-gcc")
            .args(["-O2", flags, "-o"])
            .arg(&exe)
            .arg(src.join("big.c"))
            .arg(src.join("blob.S"))
            .arg(format!("-DBLOB_BYTES={BIG}"))
            .arg(format!("-Wa,-I{}", dir.display()))
            .status()
            .expect("aarch64-linux-gnu-gcc");
        assert!(st.success(), "building {}", exe.display());
        out.push(Program {
            name: format!("big-aarch64-{kind}"),
            path: exe,
            qemu: AARCH64.qemu.into(),
            root: root.map(String::from),
        });
    }
    (dir, out)
}

/// The blob's byte at `i` (big.c computes the same).
fn big_byte(i: u64) -> u8 {
    ((i.wrapping_mul(0x9e37_79b1) >> 24) as u8) ^ ((i >> 20) as u8)
}

#[test]
fn a_program_over_64_mib_runs_in_the_memory_of_a_small_one() {
    let (_dir, big) = big_programs();
    let corpus = cross::programs(AARCH64.qemu);
    for b in &big {
        // The same kind of program, small: hello-aarch64-glibc-{static,dynpie}.
        let twin = b.name.replace("big-", "hello-").replace("aarch64-", "aarch64-glibc-");
        let s = corpus.iter().find(|p| p.name == twin).unwrap_or_else(|| panic!("no {twin}"));
        let size = std::fs::metadata(&b.path).unwrap().len();
        assert!(size > 64 << 20, "{} is only {size} bytes", b.name);
        let out = cross::direct(b, &[]);
        assert_eq!(String::from_utf8_lossy(&out.stdout), format!("big: {BIG} bytes ok\n"), "{}", b.name);
        let big_reports = cross::same(AARCH64, b, &[]);
        let small_reports = cross::same(AARCH64, s, &[]);
        for (mode, (br, sr)) in cross::MODES.iter().zip(big_reports.iter().zip(&small_reports)) {
            eprintln!("{} ({mode}): {br:?}; {}: {sr:?}", b.name, s.name);
            // Working memory does not grow with the file: the stack high-water of prepare +
            // load (callbacks included) is a small one's, and stays bounded.
            assert_eq!(br.stack, sr.stack, "{} ({mode}): stack high-water", b.name);
            assert!(br.stack <= 48 << 10, "{} ({mode}): stack {br:?}", b.name);
            // Streaming: each segment goes straight to its destination in one large read.
            assert_eq!(br.reads, sr.reads, "{} ({mode}): read calls", b.name);
        }
        assert!(big_reports[0].read_bytes >= BIG, "eager load read {:?}", big_reports[0]);
        assert!(big_reports[1].read_bytes < 1 << 20, "mapped load read {:?}", big_reports[1]);
    }
}
