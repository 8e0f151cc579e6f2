//! Every riscv64 program of the fixtures (`testdata/bin`) and of the shared corpus (found
//! by e_machine, with its manifest's sysroot for the interpreter) plans in
//! Linux-compatible mode under sv39, sv48 and sv57, and loads in eager, mapped and lazy
//! mode to exactly its file's bytes at `p_vaddr + bias` (zeros past `p_filesz`), the
//! three modes page for page equal. (The layout against the real kernel is
//! `tests/oracle.rs`; the runs through the C harness are examples/harness-tests.)
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use arch_riscv64::{Cpu, Mmu, Riscv64, REG_A0};
use elf_stream::ElfType;
use exec_core::fs_host::FsHost;
use exec_core::*;
use test_support::space::{check_against_segments, materialize, MockSpace};

/// The fixtures testdata/build.sh makes for riscv64.
const FIXTURES: [&str; 7] = [
    "riscv64-static",
    "riscv64-static-pie",
    "riscv64-static-pie-64k",
    "riscv64-glibc-static",
    "riscv64-dyn-pie",
    "riscv64-dyn-exec",
    "riscv64-rust-std",
];

#[test]
fn every_riscv64_program_plans_in_every_mmu_mode() {
    let progs = common::programs();
    for f in FIXTURES {
        assert!(progs.iter().any(|p| p.name == f), "fixture {f} missing");
    }
    for mmu in Mmu::ALL {
        let policy = Riscv64::new(Cpu { mmu, ..Cpu::default() });
        let window = mmu.window();
        for p in &progs {
            let plan = common::plan(&policy, p).unwrap_or_else(|e| panic!("{} ({mmu:?}): {e}", p.name));
            assert_eq!(plan.stack.top.0, window, "{}", p.name);
            assert_eq!(plan.stack.sp.0 % 16, 0, "{}", p.name);
            assert_eq!(plan.registers.regs[0], Some((REG_A0, 0)), "{}: a0 = 0", p.name);
            assert_eq!(plan.auxv.get(AuxType::AT_PHENT), Some(56));
            assert_eq!(plan.auxv.get(AuxType::AT_PAGESZ), Some(4096));
            assert_eq!(plan.auxv.get(AuxType::AT_HWCAP), Some(0x112d), "{}: RV64GC", p.name);
            assert_eq!(plan.interp.is_some(), p.interp.is_some(), "{}", p.name);
            let m = &plan.main;
            let et_dyn_base = window / 3 * 2;
            match (m.header.elf_type, plan.interp.is_some()) {
                (ElfType::DYN, true) => {
                    assert_eq!(m.bias, et_dyn_base & !(m.max_align - 1), "{}: PIE bias", p.name)
                }
                (ElfType::DYN, false) => {
                    assert_eq!(plan.brk.0, (et_dyn_base + 4095) & !4095, "{}: static-pie brk", p.name);
                    assert!(m.span().end <= plan.mmap.base, "{}", p.name);
                    assert_eq!(m.span().start.0 % m.max_align, 0, "{}", p.name);
                }
                _ => assert_eq!(m.bias, 0, "{}", p.name),
            }
        }
    }
}

#[test]
fn every_program_loads_as_its_file_bytes_in_every_mode() {
    let mut checked = 0;
    for p in common::programs() {
        let main = p.bytes();
        let plan = common::plan(&Riscv64::default(), &p).unwrap();
        let interp = match &p.interp {
            Some(path) => std::fs::read(FsHost::new(&p.root).resolve(path.as_bytes())).unwrap(),
            None => Vec::new(),
        };
        let src = plan.interp.as_ref().map(|_| &interp[..]);
        let mut eager = MockSpace::new(&main, &interp);
        load(&plan, &main[..], src, &mut eager, LoadMode::Eager).unwrap();
        let mut mapped = MockSpace::new(&main, &interp);
        load(&plan, &main[..], src, &mut mapped, LoadMode::Mapped).unwrap();
        let mut lazy = MockSpace::new(&main, &interp);
        load(&plan, &main[..], src, &mut lazy, LoadMode::Lazy).unwrap();
        assert!(lazy.pages.is_empty(), "{}: lazy populates nothing", p.name);
        assert_eq!(eager.pages, mapped.pages, "{}: eager vs mapped", p.name);
        assert_eq!(eager.pages, materialize(&plan, &main, &interp), "{}: eager vs lazy", p.name);
        check_against_segments(&plan.main, &main, &eager.pages);
        if let Some(i) = &plan.interp {
            check_against_segments(i, &interp, &eager.pages);
        }
        for m in plan.mappings() {
            assert_eq!(m.flags, MappingFlags::NONE, "{}: nothing to patch", p.name);
            for a in (m.range.start.0..m.range.end.0).step_by(4096) {
                assert_eq!(eager.pages[&a].prot, m.prot, "{} {a:#x}", p.name);
            }
        }
        checked += 1;
    }
    assert!(checked >= FIXTURES.len(), "{checked}");
}

#[test]
fn plans_are_deterministic_with_aslr_off_and_randomised_with_it_on() {
    let p = common::program("riscv64-dyn-pie");
    let policy = Riscv64::default();
    let a = common::plan(&policy, &p).unwrap();
    let b = common::plan(&policy, &p).unwrap();
    assert_eq!((a.main.bias, a.stack.sp, a.brk), (b.main.bias, b.stack.sp, b.brk));
    let bytes = p.bytes();
    let mut biases = std::collections::BTreeSet::new();
    for seed in 0..8u64 {
        let argv: [&[u8]; 1] = [b"/t/prog"];
        let mut params = ExecParams::new(b"/t/prog");
        params.argv = &argv;
        params.randomize = Randomize::On;
        let mut host = FsHost::new(&p.root);
        host.seed = Some(seed);
        let plan = prepare(&policy, &bytes[..], &mut host, &params, None).unwrap().plan;
        // 18 bits of pages below ELF_ET_DYN_BASE's alignment, inside the window.
        assert!(plan.main.bias <= 0x5555_5555_5000 + (1 << 30) && plan.main.bias % 4096 == 0);
        assert!(plan.stack.top.0 <= 1 << 47);
        biases.insert(plan.main.bias);
    }
    assert!(biases.len() > 4, "randomised: {biases:x?}");
}
