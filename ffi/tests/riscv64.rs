//! riscv64 through the C entry points with Rust callbacks, on the riscv64 fixtures: the
//! plan equals the Rust API's for each MMU mode (`va_bits`), `hwcap` is the hart's ISA
//! (AT_HWCAP by Linux's rule), the entry state carries a0 = 0, the e_flags and the CFI
//! bits, `EXECCORE_CPU_RISCV_ISA_CHECK` refuses what the hart lacks, `riscv_caches` fills
//! the cache entries, and the CPU description is validated.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
// The test kernel's blocks dereference its own context pointer and the buffers the
// library hands its callbacks, as the C ABI promises; one comment here, not one per block.
#![allow(clippy::undocumented_unsafe_blocks)]

mod common;

use common::*;
use execcore_ffi::*;
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/bin").join(name)).unwrap()
}

fn riscv_cpu(va_bits: u32, hwcap: u64, flags: u32) -> execcore_cpu {
    execcore_cpu { arch: EXECCORE_ARCH_RISCV64, va_bits, hwcap, flags, ..Default::default() }
}

/// Prepares `bytes` (interpreters under the riscv64 glibc sysroot): the status, the
/// error, the plan.
fn prepare(cpu: &execcore_cpu, bytes: Vec<u8>) -> (execcore_status, execcore_error, Box<execcore_plan>) {
    let mut k = Kernel::program(bytes, "/usr/riscv64-linux-gnu");
    let ops = ops(&mut k);
    let args = Args::new(&["prog"], "/prog");
    let params = args.params();
    let mut plan = new_plan();
    let mut err = execcore_error::default();
    let status = unsafe { execcore_prepare(cpu, &params, &ops, &mut *plan, &mut err) };
    (status, err, plan)
}

fn auxv(plan: &execcore_plan) -> Vec<(u64, u64)> {
    let (mut nmap, mut naux) = (0usize, 0usize);
    unsafe { execcore_plan_counts(plan, &mut nmap, &mut naux) };
    let mut aux = vec![execcore_auxv_entry::default(); naux];
    let mut got = 0;
    assert_eq!(unsafe { execcore_plan_auxv(plan, aux.as_mut_ptr(), naux, &mut got) }, EXECCORE_OK);
    aux[..got].iter().map(|e| (e.kind, e.value)).collect()
}

#[test]
fn plans_riscv64_fixtures_like_the_rust_api() {
    for name in ["riscv64-static", "riscv64-static-pie-64k", "riscv64-dyn-pie", "riscv64-rust-std"] {
        for (va_bits, mmu) in
            [(0, arch_riscv64::Mmu::Sv48), (39, arch_riscv64::Mmu::Sv39), (57, arch_riscv64::Mmu::Sv57)]
        {
            let bytes = fixture(name);
            let (status, _, plan) = prepare(&riscv_cpu(va_bits, 0, 0), bytes.clone());
            assert_eq!(status, EXECCORE_OK, "{name} {va_bits}");
            let mut layout = execcore_layout::default();
            unsafe { execcore_plan_layout(&*plan, &mut layout) };
            // The Rust API with the same CPU (minsigstksz 0: AT_IGNORE in its slot).
            let cpu = arch_riscv64::Cpu { mmu, minsigstksz: None, ..arch_riscv64::Cpu::default() };
            let policy = arch_riscv64::Riscv64::new(cpu);
            let argv: [&[u8]; 1] = [b"prog"];
            let mut params = exec_core::ExecParams::new(b"/prog");
            params.argv = &argv;
            let mut host = exec_core::fs_host::FsHost::new("/usr/riscv64-linux-gnu");
            host.seed = Some(0);
            let rust = exec_core::prepare(&policy, &bytes[..], &mut host, &params, None).unwrap().plan;
            assert_eq!(layout.stack_top, mmu.window(), "{name}");
            assert_eq!(layout.stack_top, rust.stack.top.0);
            assert_eq!(layout.entry, rust.entry.0, "{name}");
            assert_eq!(layout.brk, rust.brk.0, "{name}");
            assert_eq!(layout.mmap_end, rust.mmap.free.end.0, "{name}");
            let kinds: Vec<u64> = auxv(&plan).iter().map(|e| e.0).collect();
            let want: Vec<u64> = rust.auxv.entries().iter().map(|e| e.kind.0).collect();
            assert_eq!(kinds, want, "{name}");
            let mut entry = execcore_entry_state::default();
            unsafe { execcore_plan_entry(&*plan, &mut entry) };
            assert_eq!(
                (entry.pc, entry.nregs, entry.reg_index[0], entry.reg_value[0]),
                (rust.entry.0, 1, 10, 0)
            );
            assert_eq!(entry.arch_value, 5, "{name}: e_flags RVC | double-float");
            assert_eq!(entry.arch_flags, 0, "{name}: no Zicfilp/Zicfiss note");
        }
    }
}

#[test]
fn hwcap_is_the_harts_isa_and_the_check_refuses_what_it_lacks() {
    let letters = |s: &[u8]| arch_riscv64::Isa::from_letters(s).0;
    let (status, _, plan) = prepare(&riscv_cpu(0, letters(b"imafdchv"), 0), fixture("riscv64-static"));
    assert_eq!(status, EXECCORE_OK);
    let hwcap = auxv(&plan).into_iter().find(|e| e.0 == 16).map(|e| e.1);
    assert_eq!(hwcap, Some(0x112d | 1 << 21), "IMAFDCV, H not reported");
    // Without C: Linux runs it (e_flags unread); the check refuses it, naming C.
    let no_c = riscv_cpu(0, letters(b"imafd"), 0);
    assert_eq!(prepare(&no_c, fixture("riscv64-dyn-pie")).0, EXECCORE_OK);
    let checked = riscv_cpu(0, letters(b"imafd"), EXECCORE_CPU_RISCV_ISA_CHECK);
    let (status, err, _) = prepare(&checked, fixture("riscv64-dyn-pie"));
    assert_eq!(
        (status, err.errno_value, err.value),
        (arch_status(ArchCode::RiscvIsaMissing), 8, letters(b"c"))
    );
    let full = riscv_cpu(0, letters(b"imafdc") | EXECCORE_RISCV_ISA_ZTSO, EXECCORE_CPU_RISCV_ISA_CHECK);
    assert_eq!(prepare(&full, fixture("riscv64-dyn-pie")).0, EXECCORE_OK);
}

/// The caches go to the eight AT_L* entries, size and geometry split from one word each.
#[test]
fn caches_become_the_cache_auxv_entries() {
    let word = |size: u64, ways: u64, line: u64| size << 32 | ways << 16 | line;
    let cpu = execcore_cpu {
        riscv_caches: [word(32 << 10, 4, 64), word(32 << 10, 8, 64), word(2 << 20, 16, 64), 0],
        ..riscv_cpu(0, 0, 0)
    };
    let (status, _, plan) = prepare(&cpu, fixture("riscv64-static"));
    assert_eq!(status, EXECCORE_OK);
    let cache: Vec<(u64, u64)> = auxv(&plan).into_iter().filter(|e| (40..=47).contains(&e.0)).collect();
    assert_eq!(
        cache,
        [
            (40, 32 << 10),
            (41, 4 << 16 | 64),
            (42, 32 << 10),
            (43, 8 << 16 | 64),
            (44, 2 << 20),
            (45, 16 << 16 | 64),
            (46, 0),
            (47, 0)
        ]
    );
}

#[test]
fn the_cpu_description_is_validated() {
    for va_bits in [32, 40, 47, 56, 64] {
        let (status, ..) = prepare(&riscv_cpu(va_bits, 0, 0), fixture("riscv64-static"));
        assert_eq!(status, EXECCORE_ERR_INVALID_PARAMETER, "va_bits {va_bits}");
    }
    let cpu = execcore_cpu { page_size: 16384, ..riscv_cpu(0, 0, 0) };
    assert_eq!(prepare(&cpu, fixture("riscv64-static")).0, EXECCORE_ERR_INVALID_PARAMETER);
    // An AArch64 file through the riscv64 policy.
    let (status, err, _) = prepare(&riscv_cpu(0, 0, 0), fixture("aarch64-static"));
    assert_eq!((status, err.errno_value), (arch_status(ArchCode::WrongMachine), 8));
}
