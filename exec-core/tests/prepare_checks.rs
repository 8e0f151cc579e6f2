//! One test per check of `prepare`: a valid synthetic image, then the malformation that
//! breaks exactly one rule, and the exact error (and errno) it must give — in the profile
//! that refuses it (the Linux profile where Linux does, else the hardened one), and what
//! the Linux profile makes of it where Linux runs it.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use elf_stream::Errno;
use exec_core::*;
use test_support::elf::{
    Builder, ElfType, HeaderField, Ident, Image, Machine, PhdrField, ProgramType, Seg, SegmentFlags, RW, RX,
};
use test_support::host::MemHost;

/// A page-aligned PT_LOAD of file bytes `offset..offset + filesz` at `vaddr`.
fn load(flags: SegmentFlags, offset: u64, vaddr: u64, filesz: u64, memsz: u64) -> Seg {
    Seg::load(vaddr, filesz, memsz, flags).at(offset)
}

/// An ELF64 little-endian x86_64 file: header, program headers at 64, optional
/// interpreter path at 0x200, file size `size`.
fn elf(e_type: ElfType, entry: u64, phs: &[Seg], interp: Option<&str>, size: usize) -> Image {
    let interp = interp.map(|path| Seg::interp(path.as_bytes()).placed(0x200).vaddr(0x200));
    Builder::x86_64(e_type).entry(entry).segs(interp).segs(phs.iter().cloned()).len(size).build()
}

/// A static ET_EXEC: text at 0x400000 (covering the headers), data+bss at 0x401000.
fn static_exec() -> Image {
    elf(
        ElfType::EXEC,
        0x400100,
        &[load(RX, 0, 0x400000, 0x800, 0x800), load(RW, 0x1000, 0x401000, 0x100, 0x3000)],
        None,
        0x1100,
    )
}

/// A dynamic PIE needing "/interp".
fn dyn_pie() -> Image {
    elf(
        ElfType::DYN,
        0x100,
        &[load(RX, 0, 0, 0x800, 0x800), load(RW, 0x1000, 0x1000, 0x100, 0x200)],
        Some("/interp"),
        0x1100,
    )
}

/// An interpreter: ET_DYN without its own PT_INTERP.
fn interp_image() -> Image {
    elf(
        ElfType::DYN,
        0x80,
        &[load(RX, 0, 0, 0x900, 0x900), load(RW, 0x1000, 0x1000, 0x80, 0x2000)],
        None,
        0x1080,
    )
}

/// The interpreter is `interp_image()`, found only at `/interp`.
fn host() -> MemHost {
    MemHost { path: Some(b"/interp".to_vec()), ..MemHost::new(Some(&interp_image())) }
}

fn plan_with(
    image: &[u8],
    host: &mut MemHost,
    params: &ExecParams<'_>,
) -> Result<ExecPlan<arch_x86_64::Info>, ExecError> {
    prepare(&arch_x86_64::X86_64::default(), image, host, params, None).map(|p| p.plan)
}

fn plan(image: &[u8]) -> Result<ExecPlan<arch_x86_64::Info>, ExecError> {
    plan_as(Profile::default(), image)
}

fn plan_as(profile: Profile, image: &[u8]) -> Result<ExecPlan<arch_x86_64::Info>, ExecError> {
    let argv: [&[u8]; 1] = [b"prog"];
    let mut params = ExecParams::new(b"/prog");
    params.argv = &argv;
    params.profile = profile;
    plan_with(image, &mut host(), &params)
}

#[test]
fn valid_images_plan() {
    let p = plan(&static_exec()).unwrap();
    assert_eq!(p.main.bias, 0);
    assert_eq!(p.entry, UserAddr(0x400100));
    assert_eq!(p.brk, UserAddr(0x404000));
    assert_eq!(p.auxv.get(AuxType::AT_PHDR), Some(0x400040));
    let p = plan(&dyn_pie()).unwrap();
    assert_eq!(p.main.bias, 0x5555_5555_4000);
    let interp = p.interp.as_ref().unwrap();
    assert_eq!(interp.span().end, UserAddr(0x7fff_f7ff_f000), "interpreter right below mmap_base");
    assert_eq!(p.entry, UserAddr(interp.bias + 0x80));
    assert_eq!(p.auxv.get(AuxType::AT_BASE), Some(interp.bias));
    assert_eq!(p.auxv.get(AuxType::AT_ENTRY), Some(0x5555_5555_4100));
}

#[test]
fn only_exec_and_dyn() {
    let mut img = static_exec();
    img.set_ehdr(HeaderField::Type, ElfType::REL.0.into());
    assert_eq!(plan(&img).unwrap_err(), ExecError::NotExecutable(elf_stream::ElfType::REL));
    img.set_ehdr(HeaderField::Type, ElfType::CORE.0.into());
    assert_eq!(plan(&img).unwrap_err().errno(), Errno::ENOEXEC);
}

#[test]
fn needs_a_load_segment() {
    let mut img = static_exec();
    img.set_phdr(0, PhdrField::Type, 0);
    img.set_phdr(1, PhdrField::Type, 0);
    assert_eq!(plan(&img).unwrap_err(), ExecError::NoLoadSegment);
}

#[test]
fn filesz_must_not_exceed_memsz() {
    let mut img = static_exec();
    img.set_phdr(1, PhdrField::Filesz, 0x4000);
    assert_eq!(plan(&img).unwrap_err(), ExecError::FileSizeExceedsMemSize { index: 1 });
    assert_eq!(ExecError::FileSizeExceedsMemSize { index: 1 }.errno(), Errno::EINVAL);
}

#[test]
fn file_range_inside_the_file() {
    let mut img = static_exec();
    img.set_phdr(1, PhdrField::Offset, 0x1000 + 0x10_0000);
    img.set_phdr(1, PhdrField::Vaddr, 0x401000);
    let err = plan_as(Profile::Hardened, &img).unwrap_err();
    assert_eq!(
        err,
        ExecError::Elf { role: Role::Main, error: elf_stream::Error::SegmentOutsideFile { index: 1 } }
    );
    // Linux maps it, but zeroing its bss tail in a page past the end of the file faults
    // (padzero: EFAULT, after the point of no return): refused before.
    assert_eq!(plan(&img).unwrap_err(), ExecError::BssTailUnzeroable { index: 1 });
    assert_eq!(ExecError::BssTailUnzeroable { index: 1 }.errno(), Errno::EFAULT);
    // Without bss Linux maps it; the plan takes no byte from past the end of the file.
    img.set_phdr(1, PhdrField::Memsz, 0x100);
    let p = plan(&img).unwrap();
    let data = p.mappings().find(|m| m.range.start == UserAddr(0x401000)).unwrap();
    assert_eq!(data.content, Content::Zero);
    let mut img = static_exec();
    img.set_phdr(1, PhdrField::Offset, u64::MAX - 0x10);
    assert!(matches!(
        plan(&img).unwrap_err(),
        ExecError::Elf { error: elf_stream::Error::SegmentOutsideFile { .. }, .. }
            | ExecError::Misaligned { .. }
    ));
}

#[test]
fn vaddr_congruent_with_offset() {
    let mut img = static_exec();
    img.set_phdr(1, PhdrField::Vaddr, 0x401010);
    assert_eq!(plan(&img).unwrap_err(), ExecError::Misaligned { index: 1 });
}

#[test]
fn overlapping_loads_are_rejected() {
    let mut img = static_exec();
    img.set_phdr(1, PhdrField::Vaddr, 0x400000);
    img.set_phdr(1, PhdrField::Offset, 0);
    assert_eq!(
        plan_as(Profile::Hardened, &img).unwrap_err(),
        ExecError::OverlappingSegments { first: 0, second: 1 }
    );
    // Linux maps the second over the first: its protection on the shared page.
    let p = plan(&img).unwrap();
    let first = p.mappings().next().unwrap();
    assert_eq!((first.range.start, first.prot), (UserAddr(0x400000), Prot::READ.union(Prot::WRITE)));
}

#[test]
fn unsorted_loads_plan_like_sorted() {
    let sorted = plan(&static_exec()).unwrap();
    let img = elf(
        ElfType::EXEC,
        0x400100,
        &[load(RW, 0x1000, 0x401000, 0x100, 0x3000), load(RX, 0, 0x400000, 0x800, 0x800)],
        None,
        0x1100,
    );
    let unsorted = plan(&img).unwrap();
    let a: Vec<_> = sorted.mappings().collect();
    let b: Vec<_> = unsorted.mappings().collect();
    assert_eq!(a, b);
    assert_eq!(sorted.brk, unsorted.brk);
}

#[test]
fn addresses_stay_in_user_space() {
    let mut img = static_exec();
    img.set_phdr(1, PhdrField::Memsz, u64::MAX - 0x401000 + 0x10);
    assert_eq!(plan(&img).unwrap_err(), ExecError::OutsideUserRange { index: 1 });
    // ET_EXEC above TASK_SIZE.
    let img =
        elf(ElfType::EXEC, 0x8000_0000_0100, &[load(RX, 0, 0x8000_0000_0000, 0x800, 0x800)], None, 0x1000);
    assert_eq!(plan(&img).unwrap_err(), ExecError::OutsideUserRange { index: 0 });
    // ET_EXEC below mmap_min_addr.
    let img = elf(ElfType::EXEC, 0x1100, &[load(RX, 0, 0x1000, 0x800, 0x800)], None, 0x1000);
    assert!(matches!(
        plan(&img).unwrap_err(),
        ExecError::OutsideUserRange { .. } | ExecError::ProgramHeadersNotLoaded
    ));
}

#[test]
fn pie_span_reaching_the_stack_is_rejected() {
    let img = elf(
        ElfType::DYN,
        0x100,
        &[load(RX, 0, 0, 0x800, 0x800), load(RW, 0x1000, 0x1000, 0x100, 0x2aaa_aaaa_0000)],
        Some("/interp"),
        0x1100,
    );
    let err = plan(&img).unwrap_err();
    assert!(matches!(err, ExecError::OutsideUserRange { .. } | ExecError::NoSpace { .. }), "{err:?}");
    assert!(matches!(err.errno(), Errno::EINVAL | Errno::ENOMEM));
}

#[test]
fn p_align_zero_and_non_power_of_two_mean_page() {
    let base = plan(&dyn_pie()).unwrap().main.bias;
    for align in [0u64, 3, 0x1001] {
        let mut img = dyn_pie();
        img.set_phdr(1, PhdrField::Align, align);
        img.set_phdr(2, PhdrField::Align, align);
        assert_eq!(plan(&img).unwrap().main.bias, base, "p_align {align}");
    }
    // A large power of two is honoured as Linux: 2 MiB aligns the PIE base down.
    let mut img = dyn_pie();
    img.set_phdr(1, PhdrField::Align, 0x20_0000);
    assert_eq!(plan(&img).unwrap().main.bias, 0x5555_5540_0000);
    // 2^47 aligns ELF_ET_DYN_BASE down to 0: below mmap_min_addr.
    let mut img = dyn_pie();
    img.set_phdr(1, PhdrField::Align, 1 << 47);
    assert!(matches!(plan(&img).unwrap_err(), ExecError::OutsideUserRange { .. }));
}

#[test]
fn program_headers_must_be_loaded() {
    // Text starting after the headers: nothing maps e_phoff.
    let img = elf(ElfType::EXEC, 0x401100, &[load(RX, 0x1000, 0x401000, 0x100, 0x100)], None, 0x1100);
    assert_eq!(plan_as(Profile::Hardened, &img).unwrap_err(), ExecError::ProgramHeadersNotLoaded);
    // Linux passes the load bias alone (0 for ET_EXEC) as AT_PHDR.
    assert_eq!(plan(&img).unwrap().auxv.get(AuxType::AT_PHDR), Some(0));
}

#[test]
fn pt_phdr_disagreeing_is_reported_not_used() {
    let mut phs = vec![load(RX, 0, 0x400000, 0x800, 0x800)];
    phs.insert(0, Seg::new(ProgramType::PHDR, Vec::new()).at(64).filesz(112).vaddr(0x400080).align(8));
    let p = plan(&elf(ElfType::EXEC, 0x400100, &phs, None, 0x1000)).unwrap();
    assert_eq!(p.main.phdr_check, PhdrCheck::Disagrees(elf_stream::VirtAddr(0x400080)));
    assert_eq!(p.auxv.get(AuxType::AT_PHDR), Some(0x400040));
}

#[test]
fn interpreter_checks() {
    let argv: [&[u8]; 1] = [b"prog"];
    let mut params = ExecParams::new(b"/prog");
    params.argv = &argv;
    let check = |interp: Vec<u8>| {
        let mut host = host();
        host.interp = Some(interp);
        plan_with(&dyn_pie(), &mut host, &params).map(|_| ())
    };
    assert!(check(interp_image().bytes).is_ok());
    // A short file: Linux's elf_read of the header fails (EIO).
    let err = check(b"#!/bin/sh\n".to_vec()).unwrap_err();
    assert_eq!(err.errno(), Errno::EIO);
    let err = check(b"#!/bin/sh\n".repeat(20)).unwrap_err();
    assert_eq!(err, ExecError::InterpreterNotElf(elf_stream::Error::BadMagic));
    assert_eq!(err.errno(), Errno::ELIBBAD);
    let mut rel = interp_image();
    rel.set_ehdr(HeaderField::Type, ElfType::REL.0.into());
    let err = check(rel.bytes).unwrap_err();
    assert_eq!(err, ExecError::InterpreterNotLoadable(elf_stream::ElfType::REL));
    assert_eq!(err.errno(), Errno::EINVAL);
    let mut arm = interp_image();
    arm.set_ehdr(HeaderField::Machine, Machine::AARCH64.0.into());
    assert_eq!(
        check(arm.bytes).unwrap_err(),
        ExecError::InterpreterMismatch { what: exec_core::Mismatch::Machine }
    );
    let mut be = interp_image();
    be.set_ident(Ident::Data, 2);
    // EI_DATA is not read by Linux: the kernel's byte order is used.
    assert!(check(be.bytes.clone()).is_ok());
    // The hardened profile decodes it big endian: garbage (e_version), "not ELF" (ELIBBAD).
    let mut hardened = ExecParams::new(b"/prog");
    hardened.argv = &argv;
    hardened.profile = Profile::Hardened;
    let mut h = host();
    h.interp = Some(be.bytes);
    assert_eq!(plan_with(&dyn_pie(), &mut h, &hardened).unwrap_err().errno(), Errno::ELIBBAD);
    // The interpreter's own PT_INTERP is ignored, as Linux does.
    let nested = elf(ElfType::DYN, 0x80, &[load(RX, 0, 0, 0x900, 0x900)], Some("/nonexistent"), 0x1000);
    assert!(check(nested.bytes).is_ok());
    // An interpreter that cannot be opened: the host's errno.
    let img = elf(ElfType::DYN, 0x100, &[load(RX, 0, 0, 0x800, 0x800)], Some("/missing"), 0x1000);
    assert_eq!(plan(&img).unwrap_err(), ExecError::InterpreterOpen(Errno::ENOENT));
}

#[test]
fn argc_zero_gets_an_empty_argv0() {
    let params = ExecParams::new(b"/prog");
    let p = plan_with(&static_exec(), &mut host(), &params).unwrap();
    assert_eq!(p.stack.argc, 1);
    assert!(p.stack.empty_argv0);
}

#[test]
fn argument_limits() {
    let img = static_exec();
    // A single string over 32 pages.
    let big = vec![b'a'; 32 * 4096];
    let argv: [&[u8]; 2] = [b"prog", &big];
    let mut params = ExecParams::new(b"/prog");
    params.argv = &argv;
    let err = plan_with(&img, &mut host(), &params).unwrap_err();
    assert_eq!(err, ExecError::StringTooLong { index: 1, len: 32 * 4096 + 1 });
    assert_eq!(err.errno(), Errno::E2BIG);
    // Total over max(min(6 MiB, rlimit/4), 128 KiB): 512 KiB rlimit gives 128 KiB.
    let chunk = vec![b'e'; 60 * 1024];
    let env: [&[u8]; 3] = [&chunk, &chunk, &chunk];
    let argv: [&[u8]; 1] = [b"prog"];
    let mut params = ExecParams::new(b"/prog");
    params.argv = &argv;
    params.envp = &env;
    params.stack_limit = StackLimit::Bytes(512 << 10);
    assert!(matches!(
        plan_with(&img, &mut host(), &params).unwrap_err(),
        ExecError::ArgumentsTooLarge { limit: 131072, .. }
    ));
    // The same environment fits under 8 MiB.
    params.stack_limit = StackLimit::Bytes(8 << 20);
    assert!(plan_with(&img, &mut host(), &params).is_ok());
}

#[test]
fn memory_requirement_and_cache() {
    let mut cache = MemoryCache::new();
    let id = FileId { device: 1, inode: 2, generation: 3 };
    let argv: [&[u8]; 1] = [b"prog"];
    let mut params = ExecParams::new(b"/prog");
    params.argv = &argv;
    let policy = arch_x86_64::X86_64::default();
    let img = dyn_pie();
    let mut host = host();
    host.id = Some(id);
    let p1 = prepare(&policy, &img[..], &mut host, &params, Some(&mut cache)).unwrap().plan;
    assert!(!p1.memory.interp_cached);
    // Interpreter: 1 text page + 2 data/bss pages = 3 pages eager, 2 anonymous (rw).
    assert_eq!(p1.memory.interp.eager, 3 * 4096);
    assert_eq!(p1.memory.interp.anonymous, 2 * 4096);
    assert_eq!(p1.memory.main.eager, 2 * 4096);
    assert!(p1.memory.stack >= 4096);
    assert_eq!(p1.memory.eager_bytes(), p1.memory.main.eager + p1.memory.interp.eager + p1.memory.stack);
    let p2 = prepare(&policy, &img[..], &mut host, &params, Some(&mut cache)).unwrap().plan;
    assert!(p2.memory.interp_cached);
    assert_eq!(p2.memory, MemoryRequirement { interp_cached: true, ..p1.memory });
    // A new generation is a new file: recomputed.
    host.id = Some(FileId { generation: 4, ..id });
    let p3 = prepare(&policy, &img[..], &mut host, &params, Some(&mut cache)).unwrap().plan;
    assert!(!p3.memory.interp_cached);
    assert_eq!(cache.stats(), (1, 2));
}

#[test]
fn batch_reservation() {
    let argv: [&[u8]; 1] = [b"prog"];
    let mut params = ExecParams::new(b"/prog");
    params.argv = &argv;
    params.reservation = MemoryReservation::Reserve;
    let mut accepting = host();
    let p = plan_with(&dyn_pie(), &mut accepting, &params).unwrap();
    assert_eq!(p.reserved, p.memory.eager_bytes());
    assert_eq!(accepting.reserved, p.reserved);
    let mut host = host();
    host.refuse_reservation = true;
    let err = plan_with(&dyn_pie(), &mut host, &params).unwrap_err();
    assert!(matches!(err, ExecError::ReservationRefused { .. }));
    assert_eq!(err.errno(), Errno::EAGAIN);
    assert_eq!(host.reserved, 0);
}

#[test]
fn unlimited_stack_on_x86_64_stays_top_down_with_the_largest_gap() {
    // x86_64's mmap_is_legacy() ignores RLIM_INFINITY (the generic one, used by arm64 and
    // MIPS, selects bottom-up): the gap is clamped to 5/6 of the address space, so the
    // interpreter ends at PAGE_ALIGN(TASK_SIZE - TASK_SIZE / 6 * 5) = 0x155555556000,
    // as `ulimit -s unlimited; setarch -R cat /proc/self/maps` shows on the host.
    let argv: [&[u8]; 1] = [b"prog"];
    let mut params = ExecParams::new(b"/prog");
    params.argv = &argv;
    params.stack_limit = StackLimit::Unlimited;
    let p = plan_with(&dyn_pie(), &mut host(), &params).unwrap();
    let interp = p.interp.as_ref().unwrap();
    assert!(p.mmap.top_down);
    assert_eq!(p.mmap.base, UserAddr(0x1555_5555_6000));
    assert_eq!(interp.span().end, UserAddr(0x1555_5555_6000));
    assert_eq!(p.main.bias, 0x5555_5555_4000);
}

#[test]
fn unlimited_stack_selects_the_legacy_layout_where_linux_does() {
    // A policy with the generic rule (arm64, MIPS): bottom-up from TASK_UNMAPPED_BASE.
    struct Generic(arch_x86_64::X86_64);
    impl ArchPolicy for Generic {
        type Info = arch_x86_64::Info;
        fn name(&self) -> &'static str {
            "generic"
        }
        fn accept(&self, h: &elf_stream::FileHeader) -> Result<Abi, ExecError> {
            self.0.accept(h)
        }
        fn page_size(&self) -> PageSize {
            PageSize::K4
        }
        fn layout(&self, abi: Abi) -> Result<Layout, ExecError> {
            self.0.layout(abi)
        }
    }
    let argv: [&[u8]; 1] = [b"prog"];
    let mut params = ExecParams::new(b"/prog");
    params.argv = &argv;
    params.stack_limit = StackLimit::Unlimited;
    let policy = Generic(arch_x86_64::X86_64::default());
    let p = prepare(&policy, &dyn_pie()[..], &mut host(), &params, None).unwrap().plan;
    assert!(!p.mmap.top_down);
    assert_eq!(p.interp.as_ref().unwrap().bias, 0x2aaa_aaaa_b000, "interpreter at TASK_UNMAPPED_BASE");
    assert_eq!(p.main.bias, 0x5555_5555_4000);
}

#[test]
fn small_windows_get_a_consistent_layout() {
    let argv: [&[u8]; 1] = [b"prog"];
    let mut params = ExecParams::new(b"/prog");
    params.argv = &argv;
    params.window = Some(Window { start: UserAddr(0x10000), end: UserAddr(1 << 30) });
    let p = plan_with(&dyn_pie(), &mut host(), &params).unwrap();
    let end = 1u64 << 30;
    assert_eq!(p.stack.top, UserAddr(end));
    assert_eq!(p.main.bias, (end / 3 * 2) & !0xfff);
    for m in p.mappings() {
        assert!(m.range.end.0 <= p.stack.extent.start.0, "{m:?} below the stack");
        assert!(m.range.start.0 >= 0x10000);
    }
    assert!(p.mmap.free.end.0 <= p.interp.as_ref().unwrap().span().start.0);
    // A 1 GiB bss cannot fit a 1 GiB window.
    let img = elf(
        ElfType::DYN,
        0x100,
        &[load(RX, 0, 0, 0x800, 0x800), load(RW, 0x1000, 0x1000, 0x100, 0x4000_0000)],
        Some("/interp"),
        0x1100,
    );
    let err = plan_with(&img, &mut host(), &params).unwrap_err();
    assert!(matches!(err, ExecError::OutsideUserRange { .. } | ExecError::NoSpace { .. }), "{err:?}");
}

#[test]
fn static_pie_goes_below_mmap_base_with_brk_moved() {
    let img = elf(
        ElfType::DYN,
        0x100,
        &[load(RX, 0, 0, 0x800, 0x800), load(RW, 0x1000, 0x1000, 0x100, 0x200)],
        None,
        0x1100,
    );
    let p = plan(&img).unwrap();
    assert_eq!(p.main.span().end, UserAddr(0x7fff_f7ff_f000));
    assert_eq!(p.brk, UserAddr(0x5555_5555_5000), "brk moved to ELF_ET_DYN_BASE rounded up");
}
