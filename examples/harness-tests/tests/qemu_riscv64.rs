//! The cross-built riscv64 harness (`make -C examples/c TARGET=riscv64`) under
//! qemu-riscv64: every riscv64 program of the fixtures and of the shared corpus (glibc
//! static, dynamic PIE and ET_EXEC with the cross sysroot; freestanding static and
//! static-pie aligned to 4 KiB and 64 KiB; a Rust std program) runs with the same output
//! and exit status as a direct qemu run, in eager and mapped mode, with every page equal to
//! what the fault resolver says (`--verify-faults`: lazy mode).
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

mod cross;

use cross::Target;

const RISCV64: Target = Target { make: "riscv64", qemu: "qemu-riscv64-static" };

#[test]
fn every_riscv64_program_runs_as_under_qemu() {
    let progs = cross::programs(RISCV64.qemu);
    // testdata/build.sh's seven riscv64 fixtures, every kind among them.
    assert!(progs.len() >= 7, "only {} riscv64 programs", progs.len());
    for k in ["-static", "-static-pie-64k", "-glibc-static", "-dyn-exec", "-rust-std"] {
        assert!(progs.iter().any(|p| p.name.ends_with(k)), "no *{k} program");
    }
    for p in &progs {
        let reports = cross::same(RISCV64, p, &cross::ARGS);
        // Lazy mode's pages (the fault resolver) were compared in both modes.
        assert_eq!(reports.len(), cross::MODES.len(), "{}", p.name);
        assert_eq!(reports[0].pages, reports[1].pages, "{}: eager and mapped load the same pages", p.name);
    }
}
