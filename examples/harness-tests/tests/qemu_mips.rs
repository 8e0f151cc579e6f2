//! The cross-built MIPS harnesses (`make -C examples/c TARGET=mips|mipsel|mips64|mips64el`:
//! o32 and n64, both byte orders) under qemu-user: every program of the shared corpus and
//! of the fixtures for that qemu (glibc static, dynamic and dynamic PIE, musl, the
//! freestanding `tiny-mips-*` with each FP ABI, PT_MIPS_OPTIONS programs) runs with the
//! same output and exit status as a direct qemu run, in eager and mapped mode, with every
//! page equal to the fault resolver's (lazy mode); the FP-ABI programs print the FR mode
//! the harness switched to (PR_SET_FP_MODE from the plan's entry state).
//!
//! Programs the real kernel rejects on a legacy-NaN CPU (`-nan2008`, o32 `-r6`: ENOEXEC;
//! `fp64-bad`: ELIBBAD; see arch-mips's oracle test) are rejected by the harness with
//! that errno. A direct qemu run accepts the first two because qemu-user picks another
//! CPU model per program (P5600, mips32r6-generic); the harness runs on qemu's default CPU.
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

mod cross;

use cross::{Program, Target};

const TARGETS: [Target; 4] = [
    Target { make: "mips", qemu: "qemu-mips-static" },
    Target { make: "mipsel", qemu: "qemu-mipsel-static" },
    Target { make: "mips64", qemu: "qemu-mips64-static" },
    Target { make: "mips64el", qemu: "qemu-mips64el-static" },
];

/// The errno the real kernel (a legacy-NaN CPU, `ieee754=strict`) answers for `p`, if it
/// rejects it.
fn kernel_rejects(p: &Program) -> Option<&'static str> {
    if p.name.contains("-nan2008") || p.name.ends_with("-r6") {
        Some("ENOEXEC")
    } else if p.name.ends_with("-fp64-bad") {
        Some("ELIBBAD")
    } else {
        None
    }
}

fn run_target(t: Target) -> usize {
    let progs = cross::programs(t.qemu);
    let mut ran = 0;
    for p in &progs {
        if let Some(errno) = kernel_rejects(p) {
            for mode in cross::MODES {
                let out = cross::through_rejected(t, p, mode);
                let err = String::from_utf8_lossy(&out.stderr);
                assert_eq!(out.status.code(), Some(127), "{} ({mode}): {err}", p.name);
                assert!(err.trim_end().ends_with(&format!("({errno})")), "{} ({mode}): {err}", p.name);
            }
            continue;
        }
        cross::same(t, p, &cross::ARGS);
        ran += 1;
    }
    for kind in ["-static", "-dyn", "-dynpie", "tiny-mips-", "-options", "probe-"] {
        assert!(
            progs.iter().any(|p| p.name.contains(kind) && kernel_rejects(p).is_none()),
            "{}: no {kind}",
            t.make
        );
    }
    ran
}

#[test]
fn o32_big_endian() {
    assert!(run_target(TARGETS[0]) >= 15);
}

#[test]
fn o32_little_endian() {
    assert!(run_target(TARGETS[1]) >= 20);
}

#[test]
fn n64_big_endian() {
    assert!(run_target(TARGETS[2]) >= 6);
}

#[test]
fn n64_little_endian() {
    assert!(run_target(TARGETS[3]) >= 10);
}
