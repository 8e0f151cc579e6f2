//! The real arm64 Linux kernel is the oracle (`../shared/sysoracle/sysoracle.sh aarch64`:
//! Debian 12's 6.1 arm64 kernel under qemu-system `-M virt -cpu cortex-a57`, `norandmaps`,
//! 4 KiB pages, 48-bit VA, 8 MiB stack rlimit). Every AArch64 program of the fixtures and
//! of the shared corpus is run there once (one boot for all of them) and stopped at its
//! first instruction; its plan in Linux-compatible mode, with the same argv
//! (`/t/<name>`), environment (`ORACLE=1`) and CPU description, must equal what the kernel
//! did: AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE, AT_ENTRY, start_brk, the stack top, the
//! mappings of the program and of its interpreter — and beyond that the whole auxv in
//! order, sp, pc, arg_start/env_start, the initial stack byte for byte, the stack VMA and
//! where Linux puts the vDSO.
//!
//! Results are cached in /tmp/execcore-aarch64-oracle keyed by the files' and the oracle's
//! SHA-256 and the kernel's version (a cold run boots the kernel once, a few seconds after
//! the first download). When the oracle cannot run the test fails: it never skips.
//!
//! Mapping normalisation, the same on both sides: an image's mappings are the VMAs of its
//! file plus the anonymous VMAs directly following them (bss; `[heap]` when brk starts
//! right after); adjacent entries with the same protection are merged.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use arch_aarch64::{Aarch64, Cpu};
use common::{oracle_cpu, Observed, Program, Synth};
use elf_stream::ElfType;
use exec_core::Prot;
use exec_core::StaticPieAlign;
use std::collections::HashMap;
use std::path::PathBuf;
use test_support::elf::{Endian, R, RW, RX};
use test_support::synth::Load;
use test_support::sysoracle;

const PAGE: u64 = 4096;
/// The oracle's vDSO: 2 vvar pages below 1 text page (arm64 6.1, VVAR_NR_PAGES = 2).
const VVAR_PAGES: u64 = 2;
const VDSO_PAGES: u64 = 1;

/// Every difference between the plan of `p` and what the kernel did.
fn plan_differences(policy: &Aarch64, p: &Program, o: &Observed) -> Vec<String> {
    let plan = |vdso| common::plan_as_oracle(policy, p, vdso).map(|x| x.plan);
    let vdso = (VVAR_PAGES, VDSO_PAGES);
    let (mut d, planned) = sysoracle::plan_differences(policy, plan, o, vdso, (&p.name, p.interp.as_deref()));
    if planned.is_some() && !is_synthetic(p) && o.exit.as_deref() != Some("exit 0") {
        d.push(format!("the program did not exit 0 under the kernel: {:?}", o.exit));
    }
    d
}

/// `bti j`.
const BTI_J: u32 = 0xd503_249f;
/// `HWCAP2_BTI`.
const HWCAP2_BTI: u64 = 1 << 17;

fn synth_dir() -> PathBuf {
    common::oracle_cache().join("synth")
}

fn is_synthetic(p: &Program) -> bool {
    p.path.starts_with(synth_dir()) || p.name.starts_with("ld-")
}

const GLIBC_LD: &str = "/lib/ld-linux-aarch64.so.1";
const GLIBC_ROOT: &str = "/usr/aarch64-linux-gnu";

/// Synthetic programs for the rules the corpus does not exercise (alignments other than
/// 64 KiB, an executable stack, bad property notes, unmappable segments, big endian),
/// and the two dynamic linkers run directly. Written (atomically, deterministically)
/// under the oracle cache so their hashes key the cache (rewritten only when they change).
fn synthetic_programs() -> Vec<Program> {
    let exec = common::exec;
    let pie = || common::dyn_().interp(GLIBC_LD);
    let bad_prop = test_support::synth::bad_feature_note();
    let mut misaligned = exec();
    misaligned.loads[1].vaddr = 0x411800;
    let mut misaligned_small = misaligned.clone();
    misaligned_small.loads[1].align = 0x800;
    let mut bti = exec().features(3);
    bti.code = [common::BTI_C].into_iter().chain(common::EXIT0).collect();
    let mut big = exec();
    big.endian = Endian::Big;
    let mut xstack = exec();
    xstack.gnu_stack = Some(true);
    let mut nostack = exec();
    nostack.gnu_stack = None;
    // Text, read-only data and data in three PT_LOADs, bss over several pages.
    let mut three = exec();
    three.loads = vec![
        Load { vaddr: 0x400000, offset: 0, filesz: 0x1000, memsz: 0x1000, flags: RX, align: 0x1000 },
        Load { vaddr: 0x402000, offset: 0x1000, filesz: 0x80, memsz: 0x80, flags: R, align: 0x1000 },
        Load { vaddr: 0x403080, offset: 0x1080, filesz: 0x100, memsz: 0x9000, flags: RW, align: 0x1000 },
    ];
    // `adr x1, 8; br x1` to the next-but-one instruction: a BTI fault unless the target is
    // a `bti j` landing pad or its page is not PROT_BTI.
    let jump = |mut s: Synth, pad: bool| {
        s.code = vec![0x1000_0041, 0xd61f_0020];
        if pad {
            s.code.push(BTI_J);
        }
        s.code.extend(common::EXIT0);
        s
    };
    let cases: Vec<(&str, Synth, &str)> = vec![
        ("synth-bti-trap", jump(exec().features(1), false), "/"),
        ("synth-bti-pad", jump(exec().features(3), true), "/"),
        ("synth-nobti-trap", jump(exec(), false), "/"),
        ("synth-pac-gcs-trap", jump(exec().features(6), false), "/"),
        ("synth-bti-trap-staticpie", jump(common::dyn_().features(1), false), "/"),
        ("synth-exec-64k", exec(), "/"),
        ("synth-exec-4k", exec().align(0x1000), "/"),
        ("synth-exec-three-loads", three, "/"),
        ("synth-pie-4k", pie().align(0x1000), GLIBC_ROOT),
        ("synth-pie-64k", pie(), GLIBC_ROOT),
        ("synth-pie-2m", pie().align(0x20_0000), GLIBC_ROOT),
        ("synth-staticpie-4k", common::dyn_().align(0x1000), "/"),
        ("synth-staticpie-2m", common::dyn_().align(0x20_0000), "/"),
        ("synth-bti-static", bti, "/"),
        ("synth-bad-property-static", exec().property(bad_prop.clone()), "/"),
        ("synth-bad-property-dyn", pie().property(bad_prop), GLIBC_ROOT),
        ("synth-misaligned", misaligned, "/"),
        ("synth-misaligned-small-align", misaligned_small, "/"),
        ("synth-big-endian", big, "/"),
        ("synth-exec-stack", xstack, "/"),
        ("synth-no-gnu-stack", nostack, "/"),
    ];
    let mut v = test_support::synth::write_programs(&synth_dir(), cases);
    v.push(Program::direct("/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1", GLIBC_ROOT));
    v.push(Program::direct("/lib/ld-musl-aarch64.so.1", "/"));
    v
}

/// Corpus, fixtures and synthetic programs: everything the oracle runs.
fn oracle_programs() -> Vec<Program> {
    let mut v = common::programs();
    v.extend(synthetic_programs());
    v
}

/// Under the kernel, the `*-trap` programs die of SIGILL exactly when the plan puts
/// PROT_BTI on the page they branch in.
fn bti_outcomes(policy: &Aarch64, progs: &[Program], seen: &HashMap<String, Observed>) -> Vec<String> {
    let mut d = Vec::new();
    for p in progs
        .iter()
        .filter(|p| p.name.ends_with("-trap") || p.name.contains("-trap-") || p.name.ends_with("-pad"))
    {
        let plan = common::plan(policy, p).unwrap();
        let target = plan.main.entry().0 + 8;
        let m = plan.mappings().find(|m| m.range.contains(exec_core::UserAddr(target))).unwrap();
        let faults = m.prot.contains(Prot::BTI) && p.name.contains("trap");
        let expect = if faults { "signal 4 (Illegal instruction)" } else { "exit 0" };
        let got = seen[&p.name].exit.clone().unwrap_or_default();
        if got != expect {
            d.push(format!("{}: plan {:?} (BTI on {:?}), kernel {got}", p.name, m.prot, plan.arch.bti_on));
        }
    }
    d
}

#[test]
fn layout_equals_the_arm64_kernel() {
    let progs = oracle_programs();
    assert!(progs.len() >= 16 + 18, "{} aarch64 programs", progs.len());
    let refs: Vec<&Program> = progs.iter().collect();
    let seen = common::oracle(common::A57, &refs);
    let policy = Aarch64::new(oracle_cpu());
    let mut failures = bti_outcomes(&policy, &progs, &seen);
    let mut kinds = std::collections::BTreeSet::new();
    let mut ran_not = 0;
    for p in &progs {
        let o = &seen[&p.name];
        // The oracle machine is the one described by oracle_cpu().
        if o.errno.is_some() {
            ran_not += 1;
        } else {
            assert_eq!(o.aux(16), Some(oracle_cpu().hwcap), "{}: AT_HWCAP of the oracle CPU", p.name);
            assert_eq!(o.aux(51), oracle_cpu().minsigstksz, "{}: AT_MINSIGSTKSZ of the oracle CPU", p.name);
            assert_eq!(o.platform.as_deref(), Some("aarch64"), "{}", p.name);
        }
        if let Ok(plan) = common::plan(&policy, p) {
            kinds.insert(sysoracle::program_kind(&plan));
        }
        for d in plan_differences(&policy, p, o) {
            failures.push(format!("{}: {d}", p.name));
        }
    }
    assert_eq!(kinds.len(), 4, "every kind of program is covered: {kinds:?}");
    assert_eq!(ran_not, 4, "the kernel refused exactly the four programs built to be refused");
    assert!(failures.is_empty(), "{} differences from the kernel:\n{}", failures.len(), failures.join("\n"));
}

/// The numbers the issue quotes, read off the oracle: PIE bias 0xaaaaaaaa0000 for
/// 64 KiB-aligned programs, stack top 1 << 48, mmap base 128 MiB below it, static-pie
/// just below it aligned to its p_align with brk at ELF_ET_DYN_BASE.
#[test]
fn oracle_numbers() {
    let progs = oracle_programs();
    let refs: Vec<&Program> = progs.iter().collect();
    let seen = common::oracle(common::A57, &refs);
    let policy = Aarch64::new(oracle_cpu());
    let mut static_pie_2m_seen = false;
    for p in &progs {
        let o = &seen[&p.name];
        let Ok(plan) = common::plan(&policy, p) else { continue };
        assert_eq!(o.stack_top, 1 << 48);
        assert_eq!(plan.mmap.base.0, (1 << 48) - (128 << 20), "{}", p.name);
        let m = &plan.main;
        match (m.header.elf_type == ElfType::DYN, &plan.interp) {
            (true, Some(_)) if m.max_align == 0x10000 => {
                assert_eq!(m.bias, 0xaaaa_aaaa_0000, "{}", p.name);
                assert_eq!(o.aux(3).unwrap() & !0xffff, 0xaaaa_aaaa_0000, "{}", p.name);
            }
            (true, None) => {
                assert_eq!(o.stat["start_brk"], 0xaaaa_aaaa_b000, "{}", p.name);
                // The oracle kernel (6.1.192) honours p_align for static-pie like Linux
                // >= 6.10: the pre-6.10 rule would put this one elsewhere.
                if p.name == "synth-staticpie-2m" {
                    let old = Aarch64::new(Cpu {
                        static_pie_align: StaticPieAlign::PageOnlyBefore6_10,
                        ..oracle_cpu()
                    });
                    let old = common::plan(&old, p).unwrap();
                    assert_ne!(old.main.phdr().0, o.aux(3).unwrap());
                    assert_eq!(plan.main.phdr().0, o.aux(3).unwrap());
                    static_pie_2m_seen = true;
                }
                let kstart = o.maps.iter().find(|v| v.path == common::guest_path(p)).unwrap().start;
                assert_eq!(
                    kstart % m.max_align,
                    0,
                    "{}: static-pie aligned to p_align by the kernel",
                    p.name
                );
                assert!(m.span().end <= plan.mmap.base && m.span().start.0 % m.max_align == 0);
            }
            _ => {}
        }
        if let Some(i) = &plan.interp {
            // Top-down right below mmap_base, page aligned (not p_align aligned).
            assert!(i.span().end <= plan.mmap.base && i.span().end.0 + PAGE > plan.mmap.base.0);
        }
    }
    assert!(static_pie_2m_seen);
}

/// The same programs on a BTI-capable CPU (qemu `max`): the same layout (with this CPU's
/// HWCAPs and signal-frame size), and the kernel enforces BTI exactly where the plan puts
/// PROT_BTI: on the static program (ET_EXEC or static-pie) whose note asks for it.
#[test]
fn layout_and_bti_equal_the_arm64_kernel_on_a_bti_cpu() {
    let progs = oracle_programs();
    let refs: Vec<&Program> = progs.iter().collect();
    let seen = common::oracle(common::MAX, &refs);
    let o = &seen["aarch64-static"];
    let cpu = Cpu {
        hwcap: o.aux(16).unwrap(),
        hwcap2: o.aux(26).unwrap(),
        minsigstksz: o.aux(51),
        bti: true,
        ..oracle_cpu()
    };
    assert_ne!(cpu.hwcap2 & HWCAP2_BTI, 0, "the oracle CPU has BTI");
    let policy = Aarch64::new(cpu);
    let mut failures = bti_outcomes(&policy, &progs, &seen);
    for p in &progs {
        for d in plan_differences(&policy, p, &seen[&p.name]) {
            failures.push(format!("{}: {d}", p.name));
        }
    }
    let trapped =
        progs.iter().filter(|p| seen[&p.name].exit.as_deref() == Some("signal 4 (Illegal instruction)"));
    assert_eq!(trapped.count(), 2, "the two BTI-marked trap programs fault");
    assert!(failures.is_empty(), "{} differences from the kernel:\n{}", failures.len(), failures.join("\n"));
}
