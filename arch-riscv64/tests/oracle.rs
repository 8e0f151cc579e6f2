//! The real riscv64 Linux kernel is the oracle (`../shared/sysoracle/sysoracle.sh riscv64`:
//! Debian 13's 6.12 kernel under qemu-system `-M virt -cpu rv64`, OpenSBI, `norandmaps`,
//! 4 KiB pages, 8 MiB stack rlimit), booted three times: in its default mode (the hart has
//! sv57; the default map window stays sv48's `1 << 47`), with `no5lvl` (sv48) and with
//! `no4lvl` (sv39, `1 << 38`, what most boards have). Every riscv64 program of the fixtures
//! and of the shared corpus, 19 synthetic programs and the dynamic linker run directly are
//! stopped at their first instruction; the plan in Linux-compatible mode, with the same
//! argv (`/t/<name>`), environment (`ORACLE=1`), rseq entries and CPU description, must
//! equal what the kernel did: AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE, AT_ENTRY, start_brk,
//! the stack top, the mappings of the program and of its interpreter, the whole auxv in
//! order, sp, pc, arg_start/env_start, the initial stack byte for byte, the stack VMA and
//! where Linux puts the vDSO.
//!
//! Results are cached in /tmp/execcore-riscv64-oracle/<mode> keyed by the files' and the
//! oracle's SHA-256 and the kernel's version (a cold run boots the kernel once per mode,
//! about 2.5 s each after the first download). When the oracle cannot run the test fails:
//! it never skips.
//!
//! Mapping normalisation, the same on both sides: an image's mappings are the VMAs of its
//! file plus the anonymous VMAs directly following them (bss; `[heap]` when brk starts
//! right after); adjacent entries with the same protection are merged.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use arch_riscv64::{Cpu, Isa, Mmu, Riscv64, MINSIGSTKSZ_RV64GC};
use common::{Boot, Observed, Program, Synth, GLIBC_LD, GLIBC_ROOT};
use elf_stream::ElfType;
use std::path::PathBuf;
use test_support::elf::{Ident, R, RW, RX};
use test_support::synth::Load;
use test_support::sysoracle;

const PAGE: u64 = 4096;
/// The oracle's vDSO: 2 vvar pages below 1 text page (riscv 6.12).
const VVAR_PAGES: u64 = 2;
const VDSO_PAGES: u64 = 1;
/// The oracle hart's single letters (qemu `rv64`: rv64imafdch) and some multi-letter
/// extensions, as a device tree writes them: H is not in AT_HWCAP.
const ORACLE_ISA: &[u8] = b"rv64imafdch_zicbom_zicboz_zicsr_zifencei_zihintpause";

/// The oracle machine in `mmu` mode: no cache nodes in qemu's device tree.
fn oracle_cpu(mmu: Mmu) -> Cpu {
    Cpu {
        mmu,
        isa: Isa::parse(ORACLE_ISA).unwrap(),
        caches: arch_riscv64::Caches::default(),
        minsigstksz: Some(MINSIGSTKSZ_RV64GC),
    }
}

/// Every difference between the plan of `p` and what the kernel did.
fn plan_differences(policy: &Riscv64, p: &Program, o: &Observed) -> Vec<String> {
    let plan = |vdso| common::plan_as_oracle(policy, p, vdso).map(|x| x.plan);
    let vdso = (VVAR_PAGES, VDSO_PAGES);
    let (mut d, planned) = sysoracle::plan_differences(policy, plan, o, vdso, (&p.name, p.interp.as_deref()));
    if planned.is_none() {
        return d;
    }
    // A synthetic PIE has no PT_DYNAMIC for ld.so (it faults there); ld.so run without
    // arguments prints its usage and exits 1. Everything else ends with exit(0).
    let synthetic_dynamic = p.path.starts_with(synth_dir()) && p.interp.is_some();
    let expected = if p.name.starts_with("ld-") {
        "exit 1"
    } else if synthetic_dynamic {
        "signal 11 (Segmentation fault)"
    } else {
        "exit 0"
    };
    if o.exit.as_deref() != Some(expected) {
        d.push(format!("the program ended with {:?} under the kernel, not {expected}", o.exit));
    }
    d
}

fn synth_dir() -> PathBuf {
    common::oracle_cache().join("synth")
}

/// A static ET_EXEC above sv48's TASK_SIZE (`1 << 55`): only sv57 can map it.
const HIGH_EXEC: u64 = 1 << 55;

/// Synthetic programs for the rules the fixtures do not exercise (alignments, the e_flags
/// Linux ignores, property notes it does not read, rv32, an executable stack, a program
/// above the sv48 window), and the dynamic linker run directly. Written (atomically,
/// deterministically) under the oracle cache so their hashes key the cache (rewritten only
/// when they change).
fn synthetic_programs() -> Vec<Program> {
    let exec = common::exec;
    let pie = || common::dyn_().interp(GLIBC_LD);
    let bad_prop = test_support::synth::bad_feature_note();
    let mut rv32 = exec();
    rv32.ident.push((Ident::Class, 1));
    let mut ei_data_big = exec();
    ei_data_big.ident.push((Ident::Data, 2));
    let mut xstack = exec();
    xstack.gnu_stack = Some(true);
    let mut nostack = exec();
    nostack.gnu_stack = None;
    let mut high = exec();
    high.entry = HIGH_EXEC + 0x800;
    high.loads[0].vaddr = HIGH_EXEC;
    high.loads[1].vaddr = HIGH_EXEC + 0x1000;
    // Text, read-only data and data in three PT_LOADs, bss over several pages.
    let mut three = exec();
    three.loads = vec![
        Load { vaddr: 0x10000, offset: 0, filesz: 0x1000, memsz: 0x1000, flags: RX, align: 0x1000 },
        Load { vaddr: 0x12000, offset: 0x1000, filesz: 0x80, memsz: 0x80, flags: R, align: 0x1000 },
        Load { vaddr: 0x13080, offset: 0x1080, filesz: 0x100, memsz: 0x9000, flags: RW, align: 0x1000 },
    ];
    let cases: Vec<(&str, Synth, &str)> = vec![
        ("synth-exec", exec(), "/"),
        ("synth-exec-three-loads", three, "/"),
        ("synth-pie-4k", pie(), GLIBC_ROOT),
        ("synth-pie-64k", pie().realign(0x1_0000), GLIBC_ROOT),
        ("synth-pie-2m", pie().realign(0x20_0000), GLIBC_ROOT),
        ("synth-staticpie-2m", common::dyn_().realign(0x20_0000), "/"),
        ("synth-cfi-static", exec().features(3), "/"),
        ("synth-cfi-pie", pie().features(5), GLIBC_ROOT),
        ("synth-bad-property-static", exec().property(bad_prop.clone()), "/"),
        ("synth-bad-property-pie", pie().property(bad_prop), GLIBC_ROOT),
        ("synth-flags-soft", exec().flags(0), "/"),
        ("synth-flags-quad", exec().flags(0x6), "/"),
        ("synth-flags-rve-tso", exec().flags(0x1d), "/"),
        ("synth-flags-all", exec().flags(0xffff_ffff), "/"),
        ("synth-rv32", rv32, "/"),
        ("synth-ei-data-big", ei_data_big, "/"),
        ("synth-exec-stack", xstack, "/"),
        ("synth-no-gnu-stack", nostack, "/"),
        ("synth-exec-high", high, "/"),
    ];
    let mut v = test_support::synth::write_programs(&synth_dir(), cases);
    v.push(Program::direct(&format!("{GLIBC_ROOT}{GLIBC_LD}"), GLIBC_ROOT));
    v
}

/// Corpus, fixtures and synthetic programs: everything the oracle runs.
fn oracle_programs() -> Vec<Program> {
    let mut v = common::programs();
    v.extend(synthetic_programs());
    v
}

/// Where execcore and the kernel knowingly differ, each a row of the README's table
/// (none left: `synth-ei-data-big`, which Linux reads little-endian whatever EI_DATA
/// says, is read so by the Linux profile too).
const KNOWN: [(&str, &str); 0] = [];

/// Plans every program for the kernel booted in `mmu` mode and compares.
fn equals_the_kernel(mmu: Mmu) {
    let progs = oracle_programs();
    assert!(progs.len() >= 7 + 20, "{} riscv64 programs", progs.len());
    let refs: Vec<&Program> = progs.iter().collect();
    let seen = common::oracle(Boot { mmu }, &refs);
    let policy = Riscv64::new(oracle_cpu(mmu));
    let mut failures = Vec::new();
    let mut kinds = std::collections::BTreeSet::new();
    let mut refused = Vec::new();
    for p in &progs {
        let o = &seen[&p.name];
        // The oracle machine is the one described by oracle_cpu().
        match o.errno {
            Some(_) => refused.push(p.name.as_str()),
            None => {
                assert_eq!(o.aux(16), Some(0x112d), "{}: AT_HWCAP of the oracle hart (IMAFDC)", p.name);
                assert_eq!(o.aux(51), Some(MINSIGSTKSZ_RV64GC), "{}: AT_MINSIGSTKSZ", p.name);
                assert_eq!(o.platform, None, "{}: riscv has no AT_PLATFORM", p.name);
                assert_eq!(o.stack_top, mmu.window(), "{}", p.name);
            }
        }
        if let Some((_, kind)) = KNOWN.iter().find(|k| k.0 == p.name) {
            let ours = common::plan(&policy, p).expect_err("a known difference");
            assert_eq!(
                (ours.kind(), o.errno, o.exit.as_deref()),
                (*kind, None, Some("exit 0")),
                "{}",
                p.name
            );
            continue;
        }
        if let Ok(plan) = common::plan(&policy, p) {
            kinds.insert(sysoracle::program_kind(&plan));
        }
        for d in plan_differences(&policy, p, o) {
            failures.push(format!("{}: {d}", p.name));
        }
    }
    assert_eq!(kinds.len(), 4, "every kind of program is covered: {kinds:?}");
    let mut want_refused = vec!["synth-rv32"];
    if mmu != Mmu::Sv57 {
        want_refused.push("synth-exec-high");
    }
    refused.sort_unstable();
    want_refused.sort_unstable();
    assert_eq!(refused, want_refused, "the kernel refused exactly the programs built to be refused");
    assert!(failures.is_empty(), "{} differences from the kernel:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn layout_equals_the_riscv64_kernel_default_sv57() {
    equals_the_kernel(Mmu::Sv57);
}

#[test]
fn layout_equals_the_riscv64_kernel_sv48() {
    equals_the_kernel(Mmu::Sv48);
}

#[test]
fn layout_equals_the_riscv64_kernel_sv39() {
    equals_the_kernel(Mmu::Sv39);
}

/// The numbers the issue quotes, read off the oracle: stack top = the map window, mmap
/// base 128 MiB below it, PIE base 2/3 of the window aligned down to the largest p_align,
/// static-pie just below the mmap base aligned to its p_align with brk at ELF_ET_DYN_BASE
/// rounded up, the interpreter just below the mmap base.
#[test]
fn oracle_numbers() {
    let progs = oracle_programs();
    let refs: Vec<&Program> = progs.iter().collect();
    for (mmu, top, pie_4k, pie_64k, static_brk) in [
        (Mmu::Sv57, 0x8000_0000_0000, 0x5555_5555_5000, 0x5555_5555_0000, 0x5555_5555_6000),
        (Mmu::Sv48, 0x8000_0000_0000, 0x5555_5555_5000, 0x5555_5555_0000, 0x5555_5555_6000),
        (Mmu::Sv39, 0x40_0000_0000, 0x2a_aaaa_a000, 0x2a_aaaa_0000, 0x2a_aaaa_b000),
    ] {
        let seen = common::oracle(Boot { mmu }, &refs);
        let policy = Riscv64::new(oracle_cpu(mmu));
        let mut pies = 0;
        for p in &progs {
            let o = &seen[&p.name];
            let Ok(plan) = common::plan(&policy, p) else { continue };
            if o.errno.is_some() {
                continue;
            }
            assert_eq!(o.stack_top, top, "{}", p.name);
            assert_eq!(plan.mmap.base.0, top - (128 << 20), "{}", p.name);
            let m = &plan.main;
            let kstart = o.maps.iter().find(|v| v.path == common::guest_path(p)).unwrap().start;
            match (m.header.elf_type == ElfType::DYN, &plan.interp) {
                (true, Some(_)) => {
                    let want = match m.max_align {
                        0x1000 => pie_4k,
                        0x1_0000 => pie_64k,
                        a => (top / 3 * 2) & !(a - 1),
                    };
                    assert_eq!((m.bias, kstart), (want, want), "{}: PIE base", p.name);
                    pies += 1;
                }
                (true, None) => {
                    assert_eq!(o.stat["start_brk"], static_brk, "{}", p.name);
                    assert_eq!(kstart % m.max_align, 0, "{}: static-pie aligned to p_align", p.name);
                    assert!(m.span().end <= plan.mmap.base, "{}", p.name);
                }
                _ => {}
            }
            if let Some(i) = &plan.interp {
                // Top-down right below mmap_base, page aligned.
                assert!(i.span().end <= plan.mmap.base && i.span().end.0 + PAGE > plan.mmap.base.0);
            }
        }
        assert!(pies >= 5, "{mmu:?}: {pies} PIEs checked");
    }
}

/// The exec above the sv48 window runs on sv57 only: TASK_SIZE is `1 << 56` there while
/// the stack and the mmap area stay in the `1 << 47` window.
#[test]
fn sv57_maps_a_fixed_program_above_the_default_window() {
    let progs = oracle_programs();
    let p = progs.iter().find(|p| p.name == "synth-exec-high").unwrap();
    let seen = common::oracle(Boot { mmu: Mmu::Sv57 }, &[p]);
    let o = &seen[&p.name];
    assert_eq!((o.errno, o.exit.as_deref()), (None, Some("exit 0")));
    assert_eq!(o.pc, HIGH_EXEC + 0x800);
    let plan = common::plan(&Riscv64::new(oracle_cpu(Mmu::Sv57)), p).unwrap();
    assert_eq!(plan.main.span().start.0, HIGH_EXEC);
    assert_eq!(plan.stack.top.0, 1 << 47);
    for mmu in [Mmu::Sv48, Mmu::Sv39] {
        let e = common::plan(&Riscv64::new(oracle_cpu(mmu)), p).unwrap_err();
        assert_eq!((e.kind(), e.errno()), ("outside_user_range", elf_stream::Errno::EINVAL), "{mmu:?}: {e}");
    }
}
