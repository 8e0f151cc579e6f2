//! Each arm64 rule of the policy on synthetic programs (and the host's dynamic linker):
//! accepted files, CPU validation, layout numbers per page size and VA width, PIE bias per
//! alignment, page-size compatibility, BTI placement, property-note errors, auxv, entry
//! registers, static-pie alignment switch, legacy layout, executable stack.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use arch_aarch64::{Aarch64, Cpu, Info, ABI, ABI_BE};
use common::Synth;
use elf_stream::{Class, ElfType, Endian, Errno, FileHeader, Machine};
use exec_core::*;
use std::path::Path;
use test_support::elf::{property_note, Builder};
use test_support::temp::root_with;

const GLIBC_ROOT: &str = "/usr/aarch64-linux-gnu";
const GLIBC_LD: &str = "/lib/ld-linux-aarch64.so.1";
const TEST_LD: &str = "/lib/ld-test.so.1";

fn policy(cpu: Cpu) -> Aarch64 {
    Aarch64::new(cpu)
}

fn plan(cpu: Cpu, s: &Synth, root: &Path) -> Result<ExecPlan<Info>, ExecError> {
    test_support::plan::plan_bytes(&policy(cpu), &s.build(), root)
}

fn kind(r: Result<ExecPlan<Info>, ExecError>) -> (&'static str, Errno) {
    let e = r.expect_err("rejected");
    (e.kind(), e.errno())
}

/// A root holding `interp` at [`TEST_LD`].
fn interp_root(tag: &str, interp: &Synth) -> test_support::temp::TempDir {
    root_with(tag, TEST_LD, &interp.build())
}

fn header(class: Class, endian: Endian, machine: Machine) -> FileHeader {
    Builder::new(class, endian).machine(machine).e_type(ElfType::EXEC).entry(0x400000).header()
}

#[test]
fn accepts_elf64_little_endian_aarch64_only() {
    let verdicts =
        test_support::plan::accept_verdicts(&Aarch64::default(), Machine::AARCH64, Machine::X86_64);
    let no = |kind| Err((kind, Errno::ENOEXEC));
    assert_eq!(verdicts, [Ok(ABI), no("wrong_machine"), no("wrong_class"), no("aarch64_be_unsupported")]);
    // Through prepare: a whole x86_64 file, an aarch64_be file.
    let mut x86 = common::exec();
    x86.machine = Machine::X86_64;
    assert_eq!(kind(plan(Cpu::default(), &x86, Path::new("/"))), ("wrong_machine", Errno::ENOEXEC));
    let mut be = common::exec();
    be.endian = Endian::Big;
    // Linux reads a little-endian kernel's header: e_phentsize comes out byte-swapped.
    assert_eq!(kind(plan(Cpu::default(), &be, Path::new("/"))), ("bad_program_header_size", Errno::ENOEXEC));
    // The hardened profile decodes EI_DATA's byte order and names the reason.
    let hardened =
        test_support::plan::plan_bytes_with(&policy(Cpu::default()), &be.build(), Path::new("/"), |p| {
            p.profile = exec_core::Profile::Hardened
        });
    assert_eq!(kind(hardened), ("aarch64_be_unsupported", Errno::ENOEXEC));
}

#[test]
fn big_endian_when_the_cpu_enables_it() {
    let cpu = Cpu { big_endian: true, ..Cpu::default() };
    let p = policy(cpu);
    assert_eq!(p.accept(&header(Class::Elf64, Endian::Big, Machine::AARCH64)), Ok(ABI_BE));
    assert_eq!(p.accept(&header(Class::Elf64, Endian::Little, Machine::AARCH64)), Ok(ABI));
    let mut be = common::exec();
    be.endian = Endian::Big;
    let plan = plan(cpu, &be, Path::new("/")).unwrap();
    assert_eq!(plan.abi, ABI_BE);
    assert_eq!(p.platform(plan.abi), Some(&b"aarch64_be"[..]));
    assert_eq!(plan.stack.endian, Endian::Big);
    assert_eq!(plan.entry.0, 0x400800);
}

#[test]
fn cpu_description_is_validated() {
    let s = common::exec();
    for cpu in [
        Cpu { va_bits: 35, ..Cpu::default() },
        Cpu { va_bits: 53, ..Cpu::default() },
        Cpu { page_size: PageSize::new(8192).unwrap(), ..Cpu::default() },
        Cpu { page_size: PageSize::new(1 << 21).unwrap(), ..Cpu::default() },
    ] {
        let e = plan(cpu, &s, Path::new("/")).unwrap_err();
        assert!(matches!(e, ExecError::InvalidParameter(_)), "{cpu:?}: {e:?}");
        assert_eq!(e.errno(), Errno::EINVAL);
    }
}

#[test]
fn layout_numbers_per_page_size_and_va_width() {
    // (page, va_bits, ELF_ET_DYN_BASE, STACK_TOP, TASK_UNMAPPED_BASE, rnd bits, guard gap)
    let table: [(PageSize, u32, u64, u64, u64, u32, u64); 7] = [
        (PageSize::K4, 48, 0xaaaa_aaaa_aaaa, 1 << 48, 1 << 46, 18, 1 << 20),
        (PageSize::K4, 39, 0x55_5555_5555, 1 << 39, 1 << 37, 18, 1 << 20),
        (PageSize::K16, 47, 0x5555_5555_5555, 1 << 47, 1 << 45, 16, 4 << 20),
        (PageSize::K16, 36, 0xa_aaaa_aaaa, 1 << 36, 1 << 34, 16, 4 << 20),
        (PageSize::K64, 42, 0x2aa_aaaa_aaaa, 1 << 42, 1 << 40, 14, 16 << 20),
        (PageSize::K64, 48, 0xaaaa_aaaa_aaaa, 1 << 48, 1 << 46, 14, 16 << 20),
        // 52-bit VA: exec uses the 48-bit default window (DEFAULT_MAP_WINDOW_64).
        (PageSize::K64, 52, 0xaaaa_aaaa_aaaa, 1 << 48, 1 << 46, 14, 16 << 20),
    ];
    for (page, va_bits, base, top, legacy, rnd, gap) in table {
        let p = policy(Cpu { page_size: page, va_bits, ..Cpu::default() });
        let l = p.layout(ABI).unwrap();
        let what = format!("{} KiB / {va_bits} bits", page.get() >> 10);
        assert_eq!(l.et_dyn_base.0, base, "{what}");
        assert_eq!(l.stack_top.0, top, "{what}");
        assert_eq!(l.task_size.0, top, "{what}");
        assert_eq!(l.legacy_mmap_base.0, legacy, "{what}");
        assert_eq!((l.mmap_rnd_bits, l.stack_rnd_bits), (rnd, rnd), "{what}");
        assert_eq!(l.stack_guard_gap, gap, "{what}");
        assert_eq!(l.brk_rnd_range, 1 << 30);
        assert_eq!(l.min_addr.0, 0);
        assert_eq!(p.stack_top().0, top);
        assert_eq!(p.et_dyn_base(), base);
    }
    let p = Aarch64 { mmap_rnd_bits: Some(33), ..Aarch64::default() };
    assert_eq!(p.layout(ABI).unwrap().mmap_rnd_bits, 33);
    assert_eq!(p.page_size(), PageSize::K4);
    assert_eq!(p.name(), "aarch64");
}

/// ELF_ET_DYN_BASE aligned down to the largest PT_LOAD alignment (at least a page).
#[test]
fn pie_bias_follows_the_largest_alignment() {
    let root = Path::new(GLIBC_ROOT);
    for (align, va_bits, bias) in [
        (0x1000, 48, 0xaaaa_aaaa_a000u64),
        (0x10000, 48, 0xaaaa_aaaa_0000),
        (0x20_0000, 48, 0xaaaa_aaa0_0000),
        (0x10000, 39, 0x55_5555_0000),
        (0x800, 48, 0xaaaa_aaaa_a000),
    ] {
        let s = common::dyn_().interp(GLIBC_LD).align(align);
        let p = plan(Cpu { va_bits, ..Cpu::default() }, &s, root).unwrap();
        assert_eq!(p.main.bias, bias, "p_align {align:#x}, {va_bits} bits");
        assert_eq!(p.auxv.get(AuxType::AT_PHDR), Some(bias + 64));
        assert_eq!(p.auxv.get(AuxType::AT_ENTRY), Some(bias + 0x800));
        // The interpreter: top-down right below mmap_base (stack top - 128 MiB).
        let i = p.interp.as_ref().unwrap();
        assert_eq!(i.span().end.0, (1u64 << va_bits) - (128 << 20));
        assert_eq!(p.auxv.get(AuxType::AT_BASE), Some(i.bias));
        assert_eq!(p.entry, i.entry());
        // brk right after the program's bss, page aligned.
        assert_eq!(p.brk.0, bias + 0x14000);
    }
}

#[test]
fn programs_linked_for_64k_pages_load_under_every_page_size() {
    for page in [PageSize::K4, PageSize::K16, PageSize::K64] {
        let va_bits = if page == PageSize::K16 { 47 } else { 48 };
        let cpu = Cpu { page_size: page, va_bits, ..Cpu::default() };
        let p = plan(cpu, &common::exec(), Path::new("/")).unwrap();
        let maps: Vec<_> = p.mappings().map(|m| (m.range.start.0, m.range.end.0)).collect();
        assert!(maps.iter().all(|&(s, e)| s % page.get() == 0 && e % page.get() == 0), "{maps:x?}");
        assert_eq!(p.brk.0, page.up(0x414000).unwrap());
        let pie = plan(cpu, &common::dyn_().interp(GLIBC_LD), Path::new(GLIBC_ROOT)).unwrap();
        assert_eq!(pie.main.bias % 0x10000, 0);
    }
}

/// A program linked for 4 KiB pages whose data segment is not congruent modulo 16 or
/// 64 KiB cannot be mapped with those pages: a precise error (EINVAL as Linux's mmap).
#[test]
fn programs_linked_for_smaller_pages_are_rejected_when_unmappable() {
    let mut small = common::exec().align(0x1000);
    small.loads[1].vaddr = 0x412000; // offset 0x1000: congruent mod 4 KiB only
    assert!(plan(Cpu::default(), &small, Path::new("/")).is_ok());
    for (page, va_bits) in [(PageSize::K16, 47), (PageSize::K64, 42)] {
        let cpu = Cpu { page_size: page, va_bits, ..Cpu::default() };
        let e = plan(cpu, &small, Path::new("/")).unwrap_err();
        assert_eq!((e.kind(), e.errno()), ("aarch64_page_size_too_large", Errno::EINVAL), "{page:?}");
        assert!(matches!(e, ExecError::Arch(a) if a.value == 0x1000));
        // The same file as the interpreter of a PIE.
        let root = interp_root("small-interp", &{
            let mut i = common::dyn_().align(0x1000);
            i.loads[1].vaddr = 0x12000;
            i
        });
        let e = plan(cpu, &common::dyn_().interp(TEST_LD), &root).unwrap_err();
        assert_eq!(e.kind(), "aarch64_page_size_too_large");
    }
    // 4 KiB-aligned but congruent modulo 64 KiB: loads (as on Linux).
    let lucky = common::exec().align(0x1000);
    assert_eq!(lucky.loads[1].vaddr - lucky.loads[1].offset, 0x410000);
    let p = plan(Cpu { page_size: PageSize::K64, ..Cpu::default() }, &lucky, Path::new("/")).unwrap();
    assert!(p.mappings().all(|m| m.range.start.0 % 0x10000 == 0));
    // Not congruent even modulo its own (page-sized) alignment: exec-core's error.
    let mut bad = common::exec();
    bad.loads[1].vaddr = 0x411800;
    assert_eq!(kind(plan(Cpu::default(), &bad, Path::new("/"))), ("misaligned_segment", Errno::EINVAL));
}

/// Linux's order: a bad property note (ENOEXEC) is reported before an unmappable segment.
#[test]
fn property_errors_come_before_mapping_errors() {
    let mut s = common::exec().align(0x1000).property(test_support::synth::bad_feature_note());
    s.loads[1].vaddr = 0x412000;
    let cpu = Cpu { page_size: PageSize::K64, ..Cpu::default() };
    assert_eq!(kind(plan(cpu, &s, Path::new("/"))), ("property_bad_size", Errno::ENOEXEC));
}

fn exec_prots(img: &Image) -> Vec<bool> {
    img.mappings().filter(|m| m.prot.contains(Prot::EXEC)).map(|m| m.prot.contains(Prot::BTI)).collect()
}

fn no_bti_off_exec(p: &ExecPlan<Info>) {
    assert!(p.mappings().filter(|m| !m.prot.contains(Prot::EXEC)).all(|m| !m.prot.contains(Prot::BTI)));
}

#[test]
fn bti_on_the_static_program_when_it_asks() {
    for s in [common::exec().features(1), common::dyn_().features(3)] {
        let p = plan(Cpu::default(), &s, Path::new("/")).unwrap();
        assert_eq!(p.arch.bti_on, Some(Role::Main));
        assert_eq!(p.arch.property_image, Some(Role::Main));
        assert_eq!(exec_prots(&p.main), vec![true]);
        no_bti_off_exec(&p);
        let off = plan(Cpu { bti: false, ..Cpu::default() }, &s, Path::new("/")).unwrap();
        assert_eq!(off.arch.bti_on, None);
        assert!(off.mappings().all(|m| !m.prot.contains(Prot::BTI)));
        assert!(off.arch.bti());
    }
    // No property, other bits only: nothing.
    for s in [common::exec(), common::exec().features(2), common::exec().features(4)] {
        let p = plan(Cpu::default(), &s, Path::new("/")).unwrap();
        assert_eq!(p.arch.bti_on, None);
        assert!(p.mappings().all(|m| !m.prot.contains(Prot::BTI)));
    }
}

/// With an interpreter Linux reads only the interpreter's note and protects only the
/// interpreter; ld.so protects the program itself.
#[test]
fn bti_on_the_interpreter_only_when_there_is_one() {
    let cases = [
        // (program bits, interpreter bits) -> interpreter gets BTI
        (Some(1), Some(1), true),
        (None, Some(1), true),
        (Some(1), None, false),
        (Some(7), Some(6), false),
        (None, None, false),
    ];
    for (main_bits, interp_bits, expect) in cases {
        let mut main = common::dyn_().interp(TEST_LD);
        if let Some(b) = main_bits {
            main = main.features(b);
        }
        let mut interp = common::dyn_();
        if let Some(b) = interp_bits {
            interp = interp.features(b);
        }
        let root = interp_root("bti", &interp);
        let p = plan(Cpu::default(), &main, &root).unwrap();
        let what = format!("{main_bits:?}/{interp_bits:?}");
        assert_eq!(p.arch.main_features, main_bits, "{what}");
        assert_eq!(p.arch.interp_features, interp_bits, "{what}");
        assert_eq!(p.arch.property_image, Some(Role::Interpreter), "{what}");
        assert_eq!(p.arch.features, interp_bits.unwrap_or(0), "{what}");
        assert_eq!(p.arch.bti_on, expect.then_some(Role::Interpreter), "{what}");
        assert_eq!(exec_prots(p.interp.as_ref().unwrap()), vec![expect], "{what}");
        assert_eq!(exec_prots(&p.main), vec![false], "{what}: the program never");
        no_bti_off_exec(&p);
    }
    // PAC and GCS are recorded for the honoured image.
    let root = interp_root("gcs", &common::dyn_().features(6));
    let p = plan(Cpu::default(), &common::dyn_().interp(TEST_LD), &root).unwrap();
    assert_eq!((p.arch.bti(), p.arch.pac(), p.arch.gcs()), (false, true, true));
    // An ET_EXEC interpreter is protected the same way.
    let root = interp_root("exec-interp", &common::exec().features(1));
    let p = plan(Cpu::default(), &common::dyn_().interp(TEST_LD), &root).unwrap();
    assert_eq!(exec_prots(p.interp.as_ref().unwrap()), vec![true]);
}

/// Linux's `parse_elf_properties` rules (pr_datasz 4 for FEATURE_1_AND, one "GNU" note
/// of type 5, ascending types, at most 1 KiB) for the image Linux reads: ENOEXEC.
#[test]
fn malformed_property_notes() {
    let feat = 0xc000_0000u32;
    let mut wrong_name = property_note(&[(feat, &[1, 0, 0, 0])]);
    wrong_name[12..16].copy_from_slice(b"GNV\0");
    let mut wrong_type = property_note(&[(feat, &[1, 0, 0, 0])]);
    wrong_type[8] = 1;
    let mut desc_too_long = property_note(&[(feat, &[1, 0, 0, 0])]);
    desc_too_long[4] = 0x40;
    let huge = property_note(&[(0xc000_0001, &[0u8; 1100])]);
    let bad: [(&str, Vec<u8>); 7] = [
        ("property_bad_size", property_note(&[(feat, &[1, 0, 0, 0, 0, 0, 0, 0])])),
        ("property_bad_size", property_note(&[(feat, &[1, 0])])),
        ("property_unsorted", property_note(&[(feat, &[1, 0, 0, 0]), (0xc000_0000 - 1, &[0; 4])])),
        ("property_note_invalid", wrong_name),
        ("property_note_invalid", wrong_type),
        ("property_note_invalid", desc_too_long),
        ("property_too_large", huge),
    ];
    for (expect, note) in bad {
        // The static program's note: rejected.
        let s = common::exec().property(note.clone());
        let e = plan(Cpu::default(), &s, Path::new("/")).unwrap_err();
        assert_eq!((e.kind(), e.errno()), (expect, Errno::ENOEXEC));
        assert!(matches!(e, ExecError::Elf { role: Role::Main, .. }));
        // Even on a kernel without BTI (Linux parses the note regardless).
        assert!(plan(Cpu { bti: false, ..Cpu::default() }, &s, Path::new("/")).is_err());
        // The interpreter's note: rejected.
        let root = interp_root("bad-interp", &common::dyn_().property(note.clone()));
        let e = plan(Cpu::default(), &common::dyn_().interp(TEST_LD), &root).unwrap_err();
        assert_eq!((e.kind(), e.errno()), (expect, Errno::ENOEXEC));
        assert!(matches!(e, ExecError::Elf { role: Role::Interpreter, .. }));
        // A dynamic program's own note is not read by Linux: reported, not rejected.
        let root = interp_root("good-interp", &common::dyn_().features(1));
        let p = plan(Cpu::default(), &common::dyn_().interp(TEST_LD).property(note), &root).unwrap();
        assert_eq!(p.arch.main_property_error.map(|e| e.kind()), Some(expect));
        assert_eq!(p.arch.bti_on, Some(Role::Interpreter));
    }
    // Other properties (any size) and the x86 type are not the arm64 kernel's business.
    let ok = property_note(&[(feat, &[1, 0, 0, 0]), (0xc000_0001, &[0; 12]), (0xc000_0002, &[0; 8])]);
    let p = plan(Cpu::default(), &common::exec().property(ok), Path::new("/")).unwrap();
    assert_eq!(p.arch.main_features, Some(1));
    // An empty property list is fine.
    let p = plan(Cpu::default(), &common::exec().property(property_note(&[])), Path::new("/")).unwrap();
    assert_eq!((p.arch.main_features, p.arch.bti_on), (None, None));
}

#[test]
fn auxv_leads_with_the_arch_entries() {
    let cpu = Cpu {
        hwcap: 0x8ff,
        hwcap2: 0x2,
        hwcap3: Some(0x30),
        hwcap4: Some(0x40),
        minsigstksz: Some(0x1270),
        ..Cpu::default()
    };
    let bytes = common::exec().build();
    let p = test_support::plan::plan_bytes_with(&policy(cpu), &bytes, Path::new("/"), |params| {
        params.sysinfo_ehdr = Some(UserAddr(0xffff_f7ff_f000))
    })
    .unwrap();
    let kinds: Vec<u64> = p.auxv.entries().iter().map(|e| e.kind.0).collect();
    assert_eq!(kinds, [33, 51, 16, 6, 17, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 23, 25, 26, 29, 30, 31, 15]);
    assert_eq!(p.auxv.get(AuxType::AT_SYSINFO_EHDR), Some(0xffff_f7ff_f000));
    assert_eq!(p.auxv.get(AuxType::AT_MINSIGSTKSZ), Some(0x1270));
    assert_eq!(p.auxv.get(AuxType::AT_HWCAP), Some(0x8ff));
    assert_eq!(p.auxv.get(AuxType::AT_HWCAP2), Some(0x2));
    assert_eq!(p.auxv.get(AuxType::AT_HWCAP3), Some(0x30));
    assert_eq!(p.auxv.get(AuxType::AT_HWCAP4), Some(0x40));
    assert_eq!(p.auxv.get(AuxType::AT_PLATFORM), p.stack.platform.map(|a| a.0));
    assert_eq!(policy(cpu).platform(ABI), Some(&b"aarch64"[..]));
    // No vDSO and no signal-stack size: the MINSIGSTKSZ slot is AT_IGNORE (ARCH_DLINFO).
    let p = plan(Cpu::default(), &common::exec(), Path::new("/")).unwrap();
    let kinds: Vec<u64> = p.auxv.entries().iter().map(|e| e.kind.0).collect();
    assert_eq!(kinds, [1, 16, 6, 17, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 23, 25, 26, 31, 15]);
    assert_eq!(p.auxv.entries()[0].value, 0);
}

#[test]
fn entry_state_x0_zero_and_sp_aligned() {
    for p in test_support::plan::entry_states(&Aarch64::default(), &common::exec().build()) {
        assert_eq!(p.registers.regs, [Some((0, 0)), None, None, None]);
    }
    // Dynamic: entry at the interpreter's entry.
    let root = interp_root("entry", &common::dyn_());
    let p = plan(Cpu::default(), &common::dyn_().interp(TEST_LD), &root).unwrap();
    assert_eq!(p.registers.pc, p.interp.as_ref().unwrap().entry());
    assert_ne!(p.registers.pc.0, p.auxv.get(AuxType::AT_ENTRY).unwrap());
}

/// Static-pie below mmap_base: aligned to its p_align (the oracle kernel, Linux >= 6.10)
/// or to a page only (Linux < 6.10 without the backport), brk at ELF_ET_DYN_BASE.
#[test]
fn static_pie_alignment_switch() {
    let s = common::dyn_().align(0x20_0000);
    let base = (1u64 << 48) - (128 << 20);
    let honoured = plan(Cpu::default(), &s, Path::new("/")).unwrap();
    assert_eq!(honoured.main.span().start.0 % 0x20_0000, 0);
    assert_eq!(honoured.main.span().start.0, (base - 0x14000) & !0x1f_ffff);
    let page_only = plan(
        Cpu { static_pie_align: StaticPieAlign::PageOnlyBefore6_10, ..Cpu::default() },
        &s,
        Path::new("/"),
    )
    .unwrap();
    assert_eq!(page_only.main.span().start.0, base - 0x14000);
    for p in [&honoured, &page_only] {
        assert_eq!(p.brk.0, 0xaaaa_aaaa_b000);
        assert_eq!(p.auxv.get(AuxType::AT_BASE), Some(0));
    }
}

/// RLIMIT_STACK unlimited: the generic legacy layout (bottom-up from TASK_UNMAPPED_BASE).
#[test]
fn unlimited_stack_selects_the_legacy_layout() {
    let root = Path::new(GLIBC_ROOT);
    let bytes = common::dyn_().interp(GLIBC_LD).build();
    let p = test_support::plan::plan_bytes_with(&Aarch64::default(), &bytes, root, |params| {
        params.stack_limit = StackLimit::Unlimited;
    })
    .unwrap();
    assert!(!p.mmap.top_down);
    assert_eq!(p.mmap.base.0, 1 << 46);
    assert_eq!(p.interp.as_ref().unwrap().span().start.0, 1 << 46);
    assert_eq!(p.main.bias, 0xaaaa_aaaa_0000);
}

#[test]
fn stack_executable_only_when_pt_gnu_stack_asks() {
    let exec = test_support::synth::stack_exec(&policy(Cpu::default()), &common::exec());
    assert_eq!(exec, [true, false, false], "PT_GNU_STACK RWX, none, RW");
}

/// The policy is usable in a kernel: building it allocates nothing and is `const`.
#[test]
fn policy_is_const_constructible() {
    const P: Aarch64 = Aarch64::new(Cpu {
        page_size: PageSize::K64,
        va_bits: 42,
        hwcap: 0,
        hwcap2: 0,
        hwcap3: None,
        hwcap4: None,
        minsigstksz: None,
        bti: false,
        big_endian: false,
        static_pie_align: StaticPieAlign::HonouredSince6_10,
    });
    assert_eq!(P.et_dyn_base(), 0x2aa_aaaa_aaaa);
    assert_eq!(P.stack_top(), UserAddr(1 << 42));
    let _ = Info::default();
}
