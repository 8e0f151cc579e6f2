//! Each riscv64 rule of the policy on synthetic programs and the fixtures: accepted files,
//! the e_flags Linux ignores and the hardened profile checks, layout numbers per MMU mode,
//! PIE bias per alignment, ISA strings and AT_HWCAP, auxv order with the cache entries,
//! entry registers, the control-flow properties (reported, never a protection), the
//! legacy layout and the executable stack.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use arch_riscv64::{
    Cache, Caches, Cpu, ElfFlags, FloatAbi, Info, Isa, Mmu, Profile, Riscv64, ABI, MINSIGSTKSZ_RV64GC, REG_A0,
};
use common::{Synth, GLIBC_LD, GLIBC_ROOT};
use elf_stream::{riscv_feature, Errno, Machine};
use exec_core::*;
use std::path::Path;
use test_support::elf::Ident;
use test_support::temp::root_with;

const TEST_LD: &str = "/lib/ld-test.so.1";

fn plan_with(policy: Riscv64, s: &Synth, root: &Path) -> Result<ExecPlan<Info>, ExecError> {
    test_support::plan::plan_bytes(&policy, &s.build(), root)
}

fn plan(cpu: Cpu, s: &Synth, root: &Path) -> Result<ExecPlan<Info>, ExecError> {
    plan_with(Riscv64::new(cpu), s, root)
}

fn kind(r: Result<ExecPlan<Info>, ExecError>) -> (&'static str, Errno, u64) {
    match r.expect_err("rejected") {
        e @ ExecError::Arch(a) => (e.kind(), e.errno(), a.value),
        e => (e.kind(), e.errno(), 0),
    }
}

#[test]
fn accepts_elf64_riscv_only() {
    let verdicts = test_support::plan::accept_verdicts(&Riscv64::default(), Machine::RISCV, Machine::AARCH64);
    let no = |kind| Err((kind, Errno::ENOEXEC));
    // Linux reads the header little-endian: a big-endian file's e_machine is not EM_RISCV.
    assert_eq!(verdicts, [Ok(ABI), no("wrong_machine"), no("wrong_class"), no("wrong_endianness")]);
    // Through prepare: an rv32 file, an x86_64 one.
    let mut rv32 = common::exec();
    rv32.ident.push((Ident::Class, 1));
    // (elf-stream already refuses the ELF64-laid-out header of this ELFCLASS32 file.)
    assert_eq!(kind(plan(Cpu::default(), &rv32, Path::new("/"))).1, Errno::ENOEXEC);
    let mut x86 = common::exec();
    x86.machine = Machine::X86_64;
    assert_eq!(kind(plan(Cpu::default(), &x86, Path::new("/"))), ("wrong_machine", Errno::ENOEXEC, 62));
}

/// Linux reads no e_flags bit: every combination plans, and the plan records them.
#[test]
fn e_flags_are_read_only_for_the_record() {
    for flags in [0, 0x1, 0x2, 0x4, 0x5, 0x6, 0x8, 0x10, 0x1d, 0xffff_ffff] {
        let p = plan(
            Cpu { isa: Isa::from_letters(b"i"), ..Cpu::default() },
            &common::exec().flags(flags),
            Path::new("/"),
        )
        .unwrap_or_else(|e| panic!("{flags:#x}: {e}"));
        assert_eq!(p.arch.main_flags, ElfFlags(flags));
        assert_eq!(p.arch.interp_flags, None);
    }
    let f = ElfFlags(0x1f);
    assert_eq!((f.rvc(), f.float_abi(), f.rve(), f.tso()), (true, FloatAbi::Quad, true, true));
    assert_eq!(ElfFlags(0x5).float_abi().name(), "double");
    assert_eq!(ElfFlags(0).float_abi(), FloatAbi::Soft);
    assert_eq!(ElfFlags(0x2).float_abi(), FloatAbi::Single);
    assert_eq!(ElfFlags(0x5).required_isa(), Isa::from_letters(b"cfd"));
    assert_eq!(ElfFlags(0x18).required_isa(), Isa::ZTSO, "RVE needs nothing beyond I");
}

/// The hardened profile refuses what the hart cannot run, in the program and in the
/// interpreter, naming the missing extensions; what the hart has passes.
#[test]
fn hardened_profile_refuses_what_the_hart_cannot_run() {
    let hardened = |isa: &[u8]| {
        Riscv64::new(Cpu { isa: Isa::parse(isa).unwrap(), ..Cpu::default() }).with_profile(Profile::Hardened)
    };
    let root = Path::new("/");
    let cases: [(&[u8], u32, Option<Isa>); 8] = [
        (b"rv64gc", 0x5, None),
        (b"rv64imafd", 0x5, Some(Isa::letter(b'c'))),
        (b"rv64imac", 0x4, Some(Isa::from_letters(b"fd"))),
        (b"rv64imafc", 0x5, Some(Isa::letter(b'd'))),
        (b"rv64gc", 0x6, Some(Isa::letter(b'q'))),
        (b"rv64gqc", 0x7, None),
        (b"rv64gc", 0x11, Some(Isa::ZTSO)),
        (b"rv64gc_ztso", 0x19, None),
    ];
    for (isa, flags, missing) in cases {
        let s = common::exec().flags(flags);
        let linux = plan(Cpu { isa: Isa::parse(isa).unwrap(), ..Cpu::default() }, &s, root);
        assert!(linux.is_ok(), "the Linux profile runs it");
        match missing {
            None => assert!(plan_with(hardened(isa), &s, root).is_ok(), "{flags:#x} on {isa:?}"),
            Some(m) => assert_eq!(
                kind(plan_with(hardened(isa), &s, root)),
                ("riscv_isa_missing", Errno::ENOEXEC, m.0),
                "{flags:#x} on {:?}",
                std::str::from_utf8(isa)
            ),
        }
    }
    // The interpreter is checked too: a compressed ld.so on a hart without C.
    let root = root_with("hardened-interp", TEST_LD, &common::dyn_().flags(0x5).build());
    let main = common::dyn_().flags(0x4).interp(TEST_LD);
    assert!(plan_with(hardened(b"rv64imafdc"), &main, &root).is_ok());
    assert_eq!(kind(plan_with(hardened(b"rv64imafd"), &main, &root)).0, "riscv_isa_missing");
    let p = plan(Cpu::default(), &main, &root).unwrap();
    assert_eq!((p.arch.main_flags, p.arch.interp_flags), (ElfFlags(0x4), Some(ElfFlags(0x5))));
}

#[test]
fn layout_numbers_per_mmu_mode() {
    for (mmu, task, window, et_dyn) in [
        (Mmu::Sv39, 1u64 << 38, 1u64 << 38, 0x2a_aaaa_aaaa),
        (Mmu::Sv48, 1 << 47, 1 << 47, 0x5555_5555_5554),
        (Mmu::Sv57, 1 << 56, 1 << 47, 0x5555_5555_5554),
    ] {
        let p = Riscv64::new(Cpu { mmu, ..Cpu::default() });
        assert_eq!((mmu.task_size(), mmu.window()), (task, window));
        assert_eq!(Mmu::from_va_bits(mmu.va_bits()), Some(mmu));
        let l = p.layout(ABI).unwrap();
        assert_eq!(l.task_size.0, task);
        assert_eq!(l.stack_top.0, window);
        assert_eq!(p.stack_top().0, window);
        assert_eq!(l.et_dyn_base.0, et_dyn);
        assert_eq!(l.legacy_mmap_base.0, 0x2a_aaab_0000 - 0x5000, "PAGE_ALIGN((1 << 39) / 3) in every mode");
        assert_eq!(
            (l.stack_guard_gap, l.mmap_rnd_bits, l.stack_rnd_bits, l.brk_rnd_range),
            (1 << 20, 18, 18, 1 << 30)
        );
        assert_eq!(p.page_size(), PageSize::K4);
        let s = plan(Cpu { mmu, ..Cpu::default() }, &common::exec(), Path::new("/")).unwrap();
        assert_eq!(s.stack.top.0, window);
        assert_eq!(s.mmap.base.0, window - (128 << 20));
        assert_eq!(s.brk.0, 0x14000);
    }
    assert_eq!(Mmu::from_va_bits(47), None);
    let tuned = Riscv64 { mmap_rnd_bits: Some(24), ..Riscv64::default() };
    assert_eq!(tuned.layout(ABI).unwrap().mmap_rnd_bits, 24);
}

#[test]
fn pie_bias_follows_the_largest_alignment() {
    let root = Path::new(GLIBC_ROOT);
    for (mmu, align, bias) in [
        (Mmu::Sv48, 0x1000, 0x5555_5555_5000),
        (Mmu::Sv48, 0x1_0000, 0x5555_5555_0000),
        (Mmu::Sv48, 0x20_0000, 0x5555_5540_0000),
        (Mmu::Sv57, 0x1000, 0x5555_5555_5000),
        (Mmu::Sv39, 0x1000, 0x2a_aaaa_a000),
        (Mmu::Sv39, 0x1_0000, 0x2a_aaaa_0000),
    ] {
        let p = plan(Cpu { mmu, ..Cpu::default() }, &common::dyn_().interp(GLIBC_LD).realign(align), root)
            .unwrap();
        assert_eq!(p.main.bias, bias, "{mmu:?} {align:#x}");
        // ld.so top-down right below the mmap base.
        let i = p.interp.as_ref().unwrap();
        assert_eq!(i.span().end.0, mmu.window() - (128 << 20), "{mmu:?}");
    }
}

#[test]
fn isa_strings_and_hwcap() {
    assert_eq!(Isa::parse(b"rv64gc"), Some(Isa::RV64GC));
    assert_eq!(Isa::parse(b"RV64IMAFDC"), Some(Isa::RV64GC));
    assert_eq!(Isa::parse(b"imafdc"), Some(Isa::RV64GC));
    assert_eq!(Isa::parse(b"rv64imafdc_zicsr_zifencei"), Some(Isa::RV64GC));
    assert_eq!(Isa::parse(b"rv64imafdczicsr_ztso"), Some(Isa::RV64GC.union(Isa::ZTSO)));
    assert_eq!(
        Isa::parse(b"rv64gcv_zicfilp_zicfiss"),
        Some(Isa::RV64GC.union(Isa::letter(b'v')).union(Isa::ZICFILP).union(Isa::ZICFISS))
    );
    assert_eq!(Isa::parse(b"rv64gc zba"), None);
    assert_eq!(Isa::parse(b"rv64g-c"), None);
    assert_eq!(Isa::parse(b""), Some(Isa::EMPTY));
    // AT_HWCAP: IMAFDC(V) only; H and Q are not reported; F without D is dropped.
    assert_eq!(Isa::parse(b"rv64imafdch").unwrap().hwcap(), 0x112d);
    assert_eq!(Isa::parse(b"rv64gcv").unwrap().hwcap(), 0x112d | 1 << 21);
    assert_eq!(Isa::parse(b"rv64gqc").unwrap().hwcap(), 0x112d);
    assert_eq!(Isa::parse(b"rv64imafc").unwrap().hwcap(), 0x1105);
    assert_eq!(Isa::parse(b"rv64gc_ztso").unwrap().hwcap(), 0x112d);
    assert_eq!(Isa::letter(b'7'), Isa::EMPTY);
    assert!(Isa::RV64GC.contains(Isa::letter(b'C')));
    assert_eq!(Isa::RV64GC.without(Isa::from_letters(b"fdc")), Isa::from_letters(b"ima"));
}

#[test]
fn auxv_has_the_cache_entries_after_the_vdso() {
    let caches = Caches {
        l1i: Cache::new(32 << 10, 4, 64),
        l1d: Cache::new(32 << 10, 8, 64),
        l2: Cache::new(2 << 20, 16, 64),
        l3: Cache::default(),
    };
    assert_eq!(caches.l1d.geometry, 8 << 16 | 64);
    let cpu =
        Cpu { caches, isa: Isa::parse(b"rv64gcv").unwrap(), minsigstksz: Some(0x1230), ..Cpu::default() };
    let bytes = common::exec().build();
    let p = test_support::plan::plan_bytes_with(&Riscv64::new(cpu), &bytes, Path::new("/"), |params| {
        params.sysinfo_ehdr = Some(UserAddr(0x7fff_f7ff_f000));
        params.rseq = Some((0x1c, 0x20));
    })
    .unwrap();
    let kinds: Vec<u64> = p.auxv.entries().iter().map(|e| e.kind.0).collect();
    assert_eq!(
        kinds,
        [
            33, 40, 41, 42, 43, 44, 45, 46, 47, 51, 16, 6, 17, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 23, 25, 31,
            27, 28
        ]
    );
    let values: Vec<u64> = p.auxv.entries()[1..9].iter().map(|e| e.value).collect();
    assert_eq!(values, [32 << 10, 4 << 16 | 64, 32 << 10, 8 << 16 | 64, 2 << 20, 16 << 16 | 64, 0, 0]);
    assert_eq!(p.auxv.get(AuxType::AT_MINSIGSTKSZ), Some(0x1230));
    assert_eq!(p.auxv.get(AuxType::AT_HWCAP), Some(0x112d | 1 << 21));
    assert_eq!(p.stack.platform, None, "no AT_PLATFORM");
    // No vDSO, no signal-stack size, no rseq: AT_IGNORE in the MINSIGSTKSZ slot.
    let cpu = Cpu { minsigstksz: None, ..Cpu::default() };
    let p = plan(cpu, &common::exec(), Path::new("/")).unwrap();
    let kinds: Vec<u64> = p.auxv.entries().iter().map(|e| e.kind.0).collect();
    assert_eq!(
        kinds,
        [40, 41, 42, 43, 44, 45, 46, 47, 1, 16, 6, 17, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 23, 25, 31]
    );
    assert_eq!(p.auxv.get(AuxType::AT_MINSIGSTKSZ), None);
    assert_eq!(Cpu::default().minsigstksz, Some(MINSIGSTKSZ_RV64GC));
}

#[test]
fn entry_state_a0_zero_and_sp_aligned() {
    for p in test_support::plan::entry_states(&Riscv64::default(), &common::exec().build()) {
        assert_eq!(p.registers.regs, [Some((REG_A0, 0)), None, None, None]);
    }
    // Dynamic: entry at the interpreter's entry.
    let root = root_with("entry", TEST_LD, &common::dyn_().build());
    let p = plan(Cpu::default(), &common::dyn_().interp(TEST_LD), &root).unwrap();
    assert_eq!(p.registers.pc, p.interp.as_ref().unwrap().entry());
    assert_ne!(p.registers.pc.0, p.auxv.get(AuxType::AT_ENTRY).unwrap());
}

/// Zicfilp/Zicfiss notes of both images are reported and change no protection; a
/// malformed note is reported and rejects nothing (riscv Linux does not parse them).
#[test]
fn control_flow_properties_are_reported_only() {
    let lp_ss = riscv_feature::CFI_LP_UNLABELED | riscv_feature::CFI_SS;
    let root = root_with("cfi", TEST_LD, &common::dyn_().features(lp_ss).build());
    let p = plan(
        Cpu::default(),
        &common::dyn_().features(riscv_feature::CFI_LP_UNLABELED).interp(TEST_LD),
        &root,
    )
    .unwrap();
    assert_eq!((p.arch.main_features, p.arch.interp_features), (Some(1), Some(3)));
    assert_eq!(p.arch.features(), 1, "the bits both images have");
    let plain = plan(Cpu::default(), &common::dyn_().interp(TEST_LD), &root).unwrap();
    assert_eq!(plain.arch.features(), 0, "a program without the note has none");
    for (a, b) in p.mappings().zip(plain.mappings()) {
        assert_eq!((a.range, a.prot, a.flags), (b.range, b.prot, b.flags));
    }
    let s = plan(Cpu::default(), &common::exec().features(lp_ss), Path::new("/")).unwrap();
    assert_eq!((s.arch.main_features, s.arch.features()), (Some(3), 3));
    let bad = test_support::synth::bad_feature_note();
    for profile in [Profile::Linux, Profile::Hardened] {
        let p = plan_with(
            Riscv64::default().with_profile(profile),
            &common::exec().property(bad.clone()),
            Path::new("/"),
        )
        .unwrap();
        assert_eq!(p.arch.main_features, None);
        assert_eq!(
            p.arch.main_property_error,
            Some(elf_stream::Error::PropertyBadSize { pr_type: 0xc000_0000, size: 8 })
        );
    }
    // The fixtures carry no note.
    let fixture = common::program("riscv64-static");
    let p = common::plan(&Riscv64::default(), &fixture).unwrap();
    assert_eq!((p.arch.main_features, p.arch.main_property_error), (None, None));
}

/// The glibc PIE planned in every MMU mode with RLIMIT_STACK `limit`.
fn plan_every_mmu(limit: StackLimit) -> Vec<(Mmu, ExecPlan<Info>)> {
    let bytes = common::dyn_().interp(GLIBC_LD).build();
    let plan = |mmu| {
        let policy = Riscv64::new(Cpu { mmu, ..Cpu::default() });
        test_support::plan::plan_bytes_with(&policy, &bytes, Path::new(GLIBC_ROOT), |p| p.stack_limit = limit)
    };
    Mmu::ALL.into_iter().map(|mmu| (mmu, plan(mmu).unwrap())).collect()
}

/// A finite stack rlimit beyond 5/6 of the window: the gap is clamped to 5/6 of STACK_TOP
/// (mm/util.c), the same on sv57 as on sv48 although sv57's TASK_SIZE is `1 << 56`.
#[test]
fn huge_stack_rlimit_gap_is_clamped_to_the_stack_top() {
    for (mmu, p) in plan_every_mmu(StackLimit::Bytes(120 << 40)) {
        let top = mmu.window();
        assert!(p.mmap.top_down);
        assert_eq!(p.mmap.base.0, (top - top / 6 * 5 + 0xfff) & !0xfff, "{mmu:?}");
        assert_eq!(p.interp.as_ref().unwrap().span().end, p.mmap.base, "{mmu:?}");
    }
}

/// RLIMIT_STACK unlimited: the generic legacy layout (bottom-up from TASK_UNMAPPED_BASE).
#[test]
fn unlimited_stack_selects_the_legacy_layout() {
    for (mmu, p) in plan_every_mmu(StackLimit::Unlimited) {
        assert!(!p.mmap.top_down);
        assert_eq!(p.mmap.base.0, 0x2a_aaab_0000 - 0x5000);
        // Bottom-up from the base, first fit: on sv39 the PIE (at 0x2aaaaaa000) covers
        // the base and ld.so follows it.
        let after = if mmu == Mmu::Sv39 { p.main.span().end } else { p.mmap.base };
        assert_eq!(p.interp.as_ref().unwrap().span().start, after, "{mmu:?}");
    }
}

#[test]
fn stack_executable_only_when_pt_gnu_stack_asks() {
    let exec = test_support::synth::stack_exec(&Riscv64::new(Cpu::default()), &common::exec());
    assert_eq!(exec, [true, false, false], "PT_GNU_STACK RWX, none, RW");
}

/// The policy is usable in a kernel: building it allocates nothing and is `const`.
#[test]
fn policy_is_const_constructible() {
    const P: Riscv64 = Riscv64::new(Cpu {
        mmu: Mmu::Sv39,
        isa: Isa::from_letters(b"imafdc"),
        caches: Caches {
            l1i: Cache::new(32 << 10, 2, 64),
            l1d: Cache::new(32 << 10, 4, 64),
            l2: Cache::new(1 << 20, 16, 64),
            l3: Cache { size: 0, geometry: 0 },
        },
        minsigstksz: None,
    })
    .with_profile(Profile::Hardened);
    assert_eq!(P.et_dyn_base(), 0x2a_aaaa_aaaa);
    assert_eq!(P.stack_top(), UserAddr(1 << 38));
    let _ = Info::default();
}
