//! MIPS through the C entry points (`execcore_prepare`, `execcore_load`,
//! `execcore_build_stack`) with Rust callbacks, on the shared corpus: the ABI, FPU mode and
//! FP flags in the entry state, the layout equal to the Rust API's, the MIPS errnos of each
//! OS profile, `AT_PFETCHFD` from `exec_fd`, and the CPU description's validation.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
// The test kernel's blocks dereference its own context pointer and the buffers the
// library hands its callbacks, as the C ABI promises; one comment here, not one per block.
#![allow(clippy::undocumented_unsafe_blocks)]

mod common;

use common::*;
use execcore_ffi::arch::mips_policy;
use execcore_ffi::*;
use std::path::{Path, PathBuf};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/bin").join(name)
}

fn mips_cpu(model: u32, big: bool) -> execcore_cpu {
    execcore_cpu {
        arch: EXECCORE_ARCH_MIPS,
        mips_model: model,
        flags: if big { EXECCORE_CPU_BIG_ENDIAN } else { 0 },
        ..Default::default()
    }
}

/// One exec through the C ABI: the kernel, its plan storage and the outcome of prepare.
struct Exec {
    k: Box<Kernel>,
    plan: Box<execcore_plan>,
    status: execcore_status,
    err: execcore_error,
    args: Args,
}

impl Exec {
    fn prepare(
        cpu: &execcore_cpu,
        bytes: Vec<u8>,
        root: &str,
        flags: u32,
        tune: impl FnOnce(&mut Kernel),
    ) -> Exec {
        let mut k = Box::new(Kernel::program(bytes, root));
        tune(&mut k);
        let ops = mips_ops(&mut k);
        let args = Args::new(&["/t/prog"], "/t/prog");
        let mut params = args.params();
        params.flags = flags;
        let mut plan = new_plan();
        let mut err = execcore_error::default();
        let status = unsafe { execcore_prepare(cpu, &params, &ops, &mut *plan, &mut err) };
        Exec { k, plan, status, err, args }
    }

    fn file(cpu: &execcore_cpu, name: &str, root: &str) -> Exec {
        Exec::prepare(cpu, std::fs::read(corpus(name)).unwrap(), root, 0, |_| {})
    }

    fn ok(self) -> Exec {
        assert_eq!(self.status, EXECCORE_OK, "{:?}", self.err);
        self
    }

    fn entry(&self) -> execcore_entry_state {
        let mut e = execcore_entry_state::default();
        assert_eq!(unsafe { execcore_plan_entry(&*self.plan, &mut e) }, EXECCORE_OK);
        e
    }

    fn auxv(&self) -> Vec<(u64, u64)> {
        let mut aux = vec![execcore_auxv_entry::default(); 64];
        let mut n = 0;
        assert_eq!(unsafe { execcore_plan_auxv(&*self.plan, aux.as_mut_ptr(), 64, &mut n) }, EXECCORE_OK);
        aux[..n].iter().map(|e| (e.kind, e.value)).collect()
    }

    fn layout(&self) -> execcore_layout {
        let mut l = execcore_layout::default();
        assert_eq!(unsafe { execcore_plan_layout(&*self.plan, &mut l) }, EXECCORE_OK);
        l
    }
}

/// The Rust API's plan for the same CPU description and file.
fn rust_plan(cpu: &execcore_cpu, name: &str, root: &str) -> exec_core::ExecPlan<arch_mips::Info> {
    let policy = mips_policy(cpu).unwrap();
    let file = std::fs::File::open(corpus(name)).unwrap();
    let argv: [&[u8]; 1] = [b"/t/prog"];
    let mut params = exec_core::ExecParams::new(b"/t/prog");
    params.argv = &argv;
    let mut host = exec_core::fs_host::FsHost::new(root);
    exec_core::prepare(&policy, &file, &mut host, &params, None).unwrap().plan
}

/// (file, big endian, sysroot, ABI, FPU mode): o32, n32 and n64 in both byte orders,
/// static, dynamic and PIE.
const PROGRAMS: &[(&str, bool, &str, u32, u32)] = &[
    ("tiny-mips-o32-le-fp32", false, "/", EXECCORE_MIPS_ABI_O32, EXECCORE_MIPS_FR0),
    ("tiny-mips-o32-be-fpxx", true, "/", EXECCORE_MIPS_ABI_O32, EXECCORE_MIPS_FR1),
    ("tiny-mips-o32-le-fp64", false, "/", EXECCORE_MIPS_ABI_O32, EXECCORE_MIPS_FR1),
    ("hello-mips-o32-le-dynpie", false, "/usr/mipsel-linux-gnu", EXECCORE_MIPS_ABI_O32, EXECCORE_MIPS_FR1),
    ("hello-mips-o32-be-dyn", true, "/usr/mips-linux-gnu", EXECCORE_MIPS_ABI_O32, EXECCORE_MIPS_FR1),
    (
        "hello-mips-n32-le-dyn",
        false,
        "/usr/mips64el-linux-gnuabi64",
        EXECCORE_MIPS_ABI_N32,
        EXECCORE_MIPS_FR1,
    ),
    ("hello-mips-n32-be-static", true, "/", EXECCORE_MIPS_ABI_N32, EXECCORE_MIPS_FR1),
    (
        "hello-mips-n64-le-dynpie",
        false,
        "/usr/mips64el-linux-gnuabi64",
        EXECCORE_MIPS_ABI_N64,
        EXECCORE_MIPS_FR1,
    ),
    (
        "hello-mips-n64-be-dynpie",
        true,
        "/usr/mips64-linux-gnuabi64",
        EXECCORE_MIPS_ABI_N64,
        EXECCORE_MIPS_FR1,
    ),
    ("hello-mips-n64-le-static", false, "/", EXECCORE_MIPS_ABI_N64, EXECCORE_MIPS_FR1),
];

#[test]
fn corpus_programs_prepare_load_and_get_a_stack_through_the_c_abi() {
    for &(name, big, root, abi, fr) in PROGRAMS {
        let cpu = mips_cpu(EXECCORE_MIPS_CPU_5KEF, big);
        let mut x = Exec::file(&cpu, name, root).ok();
        let e = x.entry();
        assert_eq!((e.abi, e.fp_mode), (abi, fr), "{name}");
        assert_eq!(e.arch_flags & EXECCORE_MIPS_NAN2008, 0, "{name}");
        assert_eq!(e.arch_flags & EXECCORE_MIPS_FP_EMULATED, 0, "{name}: 5KEf runs FR0 and FR1");
        // The layout is the Rust API's for the same CPU.
        let rust = rust_plan(&cpu, name, root);
        let l = x.layout();
        assert_eq!(
            (l.entry, l.sp, l.brk, l.main_bias),
            (rust.entry.0, rust.stack.sp.0, rust.brk.0, rust.main.bias)
        );
        assert_eq!(l.has_interp == 1, root != "/", "{name}");
        let stack_top = if abi == EXECCORE_MIPS_ABI_N64 { 0xff_ffff_d000 } else { 0x7fff_5000 };
        assert_eq!(l.stack_top, stack_top, "{name}");

        let ops = mips_ops(&mut x.k);
        let mut report = execcore_load_report::default();
        let st =
            unsafe { execcore_load(&*x.plan, &ops, EXECCORE_LOAD_EAGER, &mut report, std::ptr::null_mut()) };
        assert_eq!(st, EXECCORE_OK, "{name}");
        assert!(report.bytes_copied > 0 && report.patched_pages == 0, "{name}: {report:?}");
        // The byte at the entry point is the file's (program or interpreter).
        let file = &x.k.files[if l.has_interp == 1 { 1 } else { 0 }];
        let mut fill = execcore_page_fill::default();
        assert_eq!(unsafe { execcore_resolve_fault(&*x.plan, l.entry, &mut fill) }, EXECCORE_OK);
        let at = fill.file_offset[0] + (l.entry - fill.page - fill.page_offset[0]);
        assert_eq!(x.k.memory[&l.entry], file[at as usize], "{name}");

        let params = x.args.params();
        let mut entry = execcore_entry_state::default();
        let st = unsafe { execcore_build_stack(&*x.plan, &params, &ops, &mut entry, std::ptr::null_mut()) };
        assert_eq!(st, EXECCORE_OK, "{name}");
        assert_eq!((entry.sp, entry.pc, entry.abi, entry.fp_mode), (l.sp, l.entry, abi, fr));
        assert_eq!(entry.sp % 16, 0);
        // argc = 1 in the program's word size and byte order.
        let width = if abi == EXECCORE_MIPS_ABI_N64 { 8 } else { 4 };
        let mut word: Vec<u8> = (0..width).map(|i| x.k.memory[&(entry.sp + i)]).collect();
        if !big {
            word.reverse();
        }
        assert_eq!(word.iter().fold(0u64, |a, b| a << 8 | u64::from(*b)), 1, "{name}: argc");
    }
}

#[test]
fn options_programs_report_exceptions_and_hwpatch_in_the_entry_state() {
    for (name, big) in [("tiny-mips-n64-le-options", false), ("tiny-mips-o32-be-options", true)] {
        let x = Exec::file(&mips_cpu(EXECCORE_MIPS_CPU_5KEF, big), name, "/").ok();
        let e = x.entry();
        // ODK_EXCEPTIONS 0x11f18: PAGE0, FPU_MAX 0x1f, FPU_MIN 0x18; ODK_HWPATCH 0x9.
        assert_eq!(e.mips_exceptions, 0x11f18, "{name}");
        assert_eq!(e.arch_value, 0x18);
        assert_eq!(e.mips_fcsr, 0x18 << 7);
        assert_eq!(e.mips_hwpatch, 0x9);
        let want = EXECCORE_MIPS_EXCEPTIONS | EXECCORE_MIPS_HWPATCH | EXECCORE_MIPS_PAGE0;
        let shown = want | EXECCORE_MIPS_PRECISE_FP | EXECCORE_MIPS_SPECULATIVE | EXECCORE_MIPS_SMM;
        assert_eq!(e.arch_flags & shown, want, "{name}: {:#x}", e.arch_flags);
    }
    // Without PT_MIPS_OPTIONS: none of it.
    let e = Exec::file(&mips_cpu(EXECCORE_MIPS_CPU_5KEF, false), "tiny-mips-n64-le", "/").ok().entry();
    assert_eq!((e.mips_exceptions, e.mips_hwpatch, e.arch_value, e.mips_fcsr), (0, 0, 0, 0));
    assert_eq!(e.arch_flags & (EXECCORE_MIPS_EXCEPTIONS | EXECCORE_MIPS_HWPATCH), 0);
}

#[test]
fn rejections_carry_the_mips_errnos_of_the_os_profile() {
    let le = mips_cpu(EXECCORE_MIPS_CPU_5KEF, false);
    // 2008 NaN on a legacy-NaN FPU under ieee754=strict: ENOEXEC; relaxed accepts it.
    let x = Exec::file(&le, "tiny-mips-o32-le-fp32-nan2008", "/");
    assert_eq!((x.status, x.err.errno_value), (arch_status(ArchCode::MipsNanNotAllowed), 8));
    let relaxed = execcore_cpu { mips_ieee754: 3, ..le };
    let e = Exec::file(&relaxed, "tiny-mips-o32-le-fp32-nan2008", "/").ok().entry();
    assert_eq!(e.arch_flags & EXECCORE_MIPS_NAN2008, EXECCORE_MIPS_NAN2008);
    assert_eq!(e.mips_fcsr & (3 << 18), 3 << 18, "NAN2008 and ABS2008 in FCSR");
    // n64 with an o32-only FP ABI: ELIBBAD in MIPS numbering (84, asm-generic 80).
    let x = Exec::file(&le, "tiny-mips-n64-le-fp64-bad", "/");
    assert_eq!((x.status, x.err.errno_value), (arch_status(ArchCode::MipsFpAbiUnsupported), 84));
    // An R6 program under ieee754=relaxed on a release 2 CPU: the opt-in ISA check,
    // EBADRQC 54 (asm-generic 56) under both profiles (over NO_ISA_CHECK too); without it
    // (the default, and NO_ISA_CHECK), Linux's FR1.
    for os in [EXECCORE_OS_LINUX, EXECCORE_OS_IRIX] {
        let flags = relaxed.flags
            | EXECCORE_CPU_MIPS_ISA_CHECK
            | if os == EXECCORE_OS_IRIX { EXECCORE_CPU_MIPS_NO_ISA_CHECK } else { 0 };
        let x = Exec::file(&execcore_cpu { os, flags, ..relaxed }, "tiny-mips-o32-le-r6", "/");
        assert_eq!((x.status, x.err.errno_value), (arch_status(ArchCode::MipsIsaUnsupported), 54), "os {os}");
    }
    assert_eq!(Exec::file(&relaxed, "tiny-mips-o32-le-r6", "/").ok().entry().fp_mode, EXECCORE_MIPS_FR1);
    let lax = execcore_cpu { flags: EXECCORE_CPU_MIPS_NO_ISA_CHECK, ..relaxed };
    assert_eq!(Exec::file(&lax, "tiny-mips-o32-le-r6", "/").ok().entry().fp_mode, EXECCORE_MIPS_FR1);
    // The other byte order: ENOEXEC (Linux reads the header in the kernel's byte order:
    // e_phentsize comes out garbled).
    let x = Exec::file(&mips_cpu(EXECCORE_MIPS_CPU_5KEF, true), "tiny-mips-n64-le", "/");
    assert_eq!((x.status, x.err.errno_value), (elf_status(elf_stream::ErrorCode::BadProgramHeaderSize), 8));
}

/// A corpus file with `bits` OR-ed into its ODK_HWPATCH record.
fn with_hwpatch(name: &str, bits: u32) -> Vec<u8> {
    let mut bytes = std::fs::read(corpus(name)).unwrap();
    let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(&bytes[..]).unwrap();
    let big = elf.header().endian == elf_stream::Endian::Big;
    let ph = elf
        .program_headers()
        .map(Result::unwrap)
        .find(|p| p.kind == elf_stream::ProgramType::MIPS_OPTIONS)
        .unwrap();
    let mut at = ph.offset.0 as usize;
    while bytes[at] != 4 {
        at += bytes[at + 1] as usize;
    }
    let word: [u8; 4] = bytes[at + 4..at + 8].try_into().unwrap();
    let v = if big { u32::from_be_bytes(word) } else { u32::from_le_bytes(word) } | bits;
    bytes[at + 4..at + 8].copy_from_slice(&if big { v.to_be_bytes() } else { v.to_le_bytes() });
    bytes
}

#[test]
fn r8000_prefetch_static_is_rejected_unless_lax_and_dynamic_gets_at_pfetchfd() {
    const OHW_R8KPFETCH: u32 = 0x2;
    const AT_PFETCHFD: u64 = 100;
    // The corpus is built for MIPS64r2, past the R8000's MIPS IV: no ISA check here.
    let r8k = execcore_cpu {
        os: EXECCORE_OS_IRIX,
        flags: EXECCORE_CPU_BIG_ENDIAN | EXECCORE_CPU_MIPS_NO_ISA_CHECK,
        ..mips_cpu(EXECCORE_MIPS_CPU_R8000, true)
    };
    let static_prog = with_hwpatch("tiny-mips-n64-be-options", OHW_R8KPFETCH);
    let x = Exec::prepare(&r8k, static_prog.clone(), "/", 0, |_| {});
    assert_eq!(
        (x.status, x.err.errno_value, x.err.value),
        (arch_status(ArchCode::MipsR8000Prefetch), 54, 0),
        "EBADRQC (IRIX)"
    );
    // Without the bit: accepted.
    Exec::file(&r8k, "tiny-mips-n64-be-options", "/").ok();
    let lax = execcore_cpu { flags: r8k.flags | EXECCORE_CPU_MIPS_LAX_PREFETCH, ..r8k };
    let e = Exec::prepare(&lax, static_prog, "/", 0, |_| {}).ok().entry();
    assert_eq!(
        e.arch_flags & (EXECCORE_MIPS_PREFETCH_WARNING | EXECCORE_MIPS_PREFETCH_FD),
        EXECCORE_MIPS_PREFETCH_WARNING
    );

    // Dynamic (Debian's mips64r2 glibc: past the R8000's MIPS IV, so no ISA check).
    let cpu =
        execcore_cpu { flags: r8k.flags | EXECCORE_CPU_MIPS_NO_ISA_CHECK, os: EXECCORE_OS_LINUX, ..r8k };
    let dynamic = with_hwpatch("probe-mips-n64-be-dynpie-options", OHW_R8KPFETCH);
    let root = "/usr/mips64-linux-gnuabi64";
    let x = Exec::prepare(&cpu, dynamic.clone(), root, 0, |k| k.exec_fd = Some(Ok(7))).ok();
    assert_eq!(x.entry().arch_flags & EXECCORE_MIPS_PREFETCH_FD, EXECCORE_MIPS_PREFETCH_FD);
    let aux = x.auxv();
    assert_eq!(aux.last(), Some(&(AT_PFETCHFD, 7)), "Linux profile: AT_PFETCHFD last");
    // IRIX: the short vector, AT_PFETCHFD before AT_BASE (rounded to 64 KiB).
    let irix = execcore_cpu { os: EXECCORE_OS_IRIX, ..cpu };
    let x = Exec::prepare(&irix, dynamic.clone(), root, 0, |k| k.exec_fd = Some(Ok(9))).ok();
    let kinds: Vec<u64> = x.auxv().iter().map(|e| e.0).collect();
    assert_eq!(kinds, [3, 4, 5, 9, AT_PFETCHFD, 7, 6]);
    let base = x.auxv()[5].1;
    assert_eq!((base & 0xffff, base, x.auxv()[4].1), (0, x.layout().interp_bias & !0xffff, 9));
    // The callback's errno, or its absence, fails the exec and releases the reservation.
    let x = Exec::prepare(&cpu, dynamic.clone(), root, EXECCORE_EXEC_BATCH, |k| k.exec_fd = Some(Err(24)));
    assert_eq!(
        (x.status, x.err.status, x.err.errno_value),
        (EXECCORE_ERR_EXEC_FD_FAILED, EXECCORE_ERR_EXEC_FD_FAILED, 24)
    );
    assert_eq!(x.k.reserved_bytes, 0, "reservation released");
    let x = Exec::prepare(&cpu, dynamic.clone(), root, EXECCORE_EXEC_BATCH, |k| k.exec_fd = Some(Ok(3)));
    assert!(x.status == EXECCORE_OK && x.k.reserved_bytes > 0, "held by the plan");
    let mut k = Box::new(Kernel::program(dynamic, root));
    let ops = execcore_ops { exec_fd: None, ..mips_ops(&mut k) };
    let args = Args::new(&["p"], "p");
    let mut plan = new_plan();
    let mut err = execcore_error::default();
    let st = unsafe { execcore_prepare(&cpu, &args.params(), &ops, &mut *plan, &mut err) };
    assert_eq!(st, EXECCORE_ERR_MISSING_CALLBACK);
    // Not an R8000: no descriptor asked for.
    let r10k = execcore_cpu {
        flags: EXECCORE_CPU_BIG_ENDIAN | EXECCORE_CPU_MIPS_NO_ISA_CHECK,
        ..mips_cpu(EXECCORE_MIPS_CPU_R10000, true)
    };
    let x = Exec::prepare(&r10k, with_hwpatch("probe-mips-n64-be-dynpie-options", 2), root, 0, |_| {}).ok();
    assert!(x.auxv().iter().all(|e| e.0 != AT_PFETCHFD));
}

#[test]
fn model_numbers_follow_cpu_model_all_and_a_custom_cpu_equals_its_model() {
    for (i, model) in arch_mips::CpuModel::ALL.iter().enumerate() {
        let p = mips_policy(&mips_cpu(i as u32 + 1, true)).unwrap();
        assert_eq!(p, arch_mips::Mips::model(*model, elf_stream::Endian::Big), "{model:?}");
    }
    // 5KEf field by field.
    let custom = execcore_cpu {
        mips_model: EXECCORE_MIPS_CPU_CUSTOM,
        mips_isa_level: 64,
        mips_isa_rev: 2,
        flags: EXECCORE_CPU_MIPS_FR0 | EXECCORE_CPU_MIPS_FR1 | EXECCORE_CPU_MIPS_NAN_LEGACY,
        ..mips_cpu(0, false)
    };
    let p = mips_policy(&custom).unwrap();
    let kef = arch_mips::Mips::model(arch_mips::CpuModel::Mips5KEf, elf_stream::Endian::Little);
    assert_eq!(arch_mips::Mips { cpu: arch_mips::Cpu { name: kef.cpu.name, ..p.cpu }, ..p }, kef);
    let a = Exec::file(&custom, "hello-mips-n64-le-dynpie", "/usr/mips64el-linux-gnuabi64").ok().layout();
    let b = Exec::file(
        &mips_cpu(EXECCORE_MIPS_CPU_5KEF, false),
        "hello-mips-n64-le-dynpie",
        "/usr/mips64el-linux-gnuabi64",
    )
    .ok()
    .layout();
    assert_eq!(a, b);
    // No FR flag: no FPU, the kernel emulates (5KEc-like).
    let nofpu = mips_policy(&execcore_cpu { flags: 0, ..custom }).unwrap();
    assert!(!nofpu.cpu.fpu);
    // Stack top override, OS, strict prefetch and ISA check switches.
    let p = mips_policy(&execcore_cpu {
        stack_top: 0x7000_0000,
        flags: EXECCORE_CPU_MIPS_LAX_PREFETCH | EXECCORE_CPU_MIPS_ISA_CHECK,
        ..custom
    })
    .unwrap();
    assert_eq!(exec_core::ArchPolicy::layout(&p, arch_mips::ABI_O32).unwrap().stack_top.0, 0x7000_0000);
    assert!(!p.strict_prefetch && p.isa_check);
    let default = mips_policy(&custom).unwrap();
    assert!(default.strict_prefetch && !default.isa_check, "strict prefetch, no ISA check by default");
}

#[test]
fn invalid_cpu_descriptions_are_refused() {
    let k = mips_cpu(EXECCORE_MIPS_CPU_5KEF, false);
    let custom = execcore_cpu { mips_model: 0, mips_isa_level: 64, mips_isa_rev: 2, ..k };
    let bad = [
        execcore_cpu { mips_model: 11, ..k },
        execcore_cpu { mips_isa_level: 0, ..custom },
        execcore_cpu { mips_isa_level: 7, ..custom },
        execcore_cpu { mips_isa_rev: 4, ..custom },
        execcore_cpu { flags: EXECCORE_CPU_MIPS_R6, ..custom },
        execcore_cpu { mips_ieee754: 5, ..k },
        execcore_cpu { os: 2, ..k },
        execcore_cpu { page_size: 3000, ..k },
        execcore_cpu { mips_dcache_alias: 3 << 12, ..k },
    ];
    for cpu in bad {
        let x = Exec::file(&cpu, "tiny-mips-n64-le", "/");
        assert_eq!(x.status, EXECCORE_ERR_INVALID_PARAMETER, "{cpu:?}");
    }
    let r6 = execcore_cpu { flags: EXECCORE_CPU_MIPS_R6 | EXECCORE_CPU_MIPS_FR1, mips_isa_rev: 6, ..custom };
    assert!(mips_policy(&r6).unwrap().cpu.isa.is_r6());
}

#[test]
fn r5000_text_is_patched_through_patch_text_and_scannable_for_lazy_kernels() {
    // musl's ld.so (the interpreter) holds cvt.d.l/cvt.s.l; the R5000 marks its text.
    let name = "hello-mips-n64-le-musl-dynpie";
    let cpu =
        execcore_cpu { flags: EXECCORE_CPU_MIPS_NO_ISA_CHECK, ..mips_cpu(EXECCORE_MIPS_CPU_R5000, false) };
    let mut x = Exec::file(&cpu, name, "/").ok();
    let e = x.entry();
    let both = EXECCORE_MIPS_TEXT_PATCH | EXECCORE_MIPS_TEXT_PATCH_INTERP;
    assert_eq!(e.arch_flags & both, both);
    let (mut nmap, mut naux) = (0, 0);
    unsafe { execcore_plan_counts(&*x.plan, &mut nmap, &mut naux) };
    let mut maps = vec![execcore_mapping::default(); nmap];
    unsafe { execcore_plan_mappings(&*x.plan, maps.as_mut_ptr(), nmap, &mut nmap) };
    let marked: Vec<_> = maps.iter().filter(|m| m.prot & EXECCORE_MAP_TEXT_PATCH != 0).copied().collect();
    assert!(
        !marked.is_empty()
            && marked
                .iter()
                .all(|m| m.prot & (EXECCORE_PROT_EXEC | EXECCORE_PROT_WRITE) == EXECCORE_PROT_EXEC)
    );

    let ops = mips_ops(&mut x.k);
    let mut report = execcore_load_report::default();
    let st = unsafe { execcore_load(&*x.plan, &ops, EXECCORE_LOAD_EAGER, &mut report, std::ptr::null_mut()) };
    assert_eq!(st, EXECCORE_OK);
    // What the kernel was told equals scanning each marked page as loaded, through
    // execcore_text_scan and through arch-mips's scanner.
    let mut want: Vec<(u64, Vec<u32>)> = Vec::new();
    for m in &marked {
        for page in (m.start..m.end).step_by(4096) {
            let bytes = x.k.memory.page(page).expect("a marked page is loaded");
            let (mut out, mut n) = ([0u32; 1024], 0usize);
            let st = unsafe {
                execcore_text_scan(&*x.plan, bytes.as_ptr(), bytes.len(), out.as_mut_ptr(), 1024, &mut n)
            };
            assert_eq!(st, EXECCORE_OK);
            let mut rust = [0u32; 1024];
            assert_eq!(arch_mips::find_cvt_l(bytes, elf_stream::Endian::Little, &mut rust), n);
            assert_eq!(out[..n], rust[..n]);
            if n > 0 {
                want.push((page, out[..n].to_vec()));
            }
        }
    }
    let mut got: Vec<(u64, Vec<u32>)> = Vec::new();
    for (page, offs) in &x.k.patches {
        match got.last_mut() {
            Some((p, o)) if p == page => o.extend(offs),
            _ => got.push((*page, offs.clone())),
        }
    }
    assert!(!want.is_empty());
    assert_eq!(got, want);
    assert_eq!(report.patched_pages, want.len() as u64);
    // Counting only: cap 0 and a NULL out.
    let mut n = 0;
    let word = arch_mips::CvtL::D.encode(1, 2).to_le_bytes();
    assert_eq!(
        unsafe { execcore_text_scan(&*x.plan, word.as_ptr(), 4, std::ptr::null_mut(), 0, &mut n) },
        EXECCORE_OK
    );
    assert_eq!(n, 1);

    // Lazy: no patch_text, the resolver's page carries the mark.
    let mut y = Exec::file(&cpu, name, "/").ok();
    let ops = execcore_ops { map_lazy: Some(map_anonymous), ..mips_ops(&mut y.k) };
    let st = unsafe { execcore_load(&*y.plan, &ops, EXECCORE_LOAD_LAZY, &mut report, std::ptr::null_mut()) };
    assert_eq!((st, report.patched_pages), (EXECCORE_OK, 0));
    assert!(y.k.patches.is_empty());
    let mut fill = execcore_page_fill::default();
    assert_eq!(unsafe { execcore_resolve_fault(&*y.plan, want[0].0, &mut fill) }, EXECCORE_OK);
    assert_ne!(fill.prot & EXECCORE_MAP_TEXT_PATCH, 0);

    // Not an R5000: nothing marked, nothing patched.
    let cpu = execcore_cpu { mips_model: EXECCORE_MIPS_CPU_5KEF, flags: 0, ..cpu };
    let mut z = Exec::file(&cpu, name, "/").ok();
    let ops = mips_ops(&mut z.k);
    let st = unsafe { execcore_load(&*z.plan, &ops, EXECCORE_LOAD_EAGER, &mut report, std::ptr::null_mut()) };
    assert_eq!((st, report.patched_pages), (EXECCORE_OK, 0));
    assert!(z.k.patches.is_empty());
}

/// The object's bytes, its raw program header table and entry count.
fn table_of(path: &Path) -> (Vec<u8>, Vec<u8>, usize, u32) {
    let bytes = std::fs::read(path).unwrap();
    let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(&bytes[..]).unwrap();
    let h = *elf.header();
    let n = elf.phnum() as usize;
    let size = h.class.program_header_size();
    let table = bytes[h.phoff.0 as usize..][..n * size].to_vec();
    (bytes.clone(), table, n, if h.class == elf_stream::Class::Elf64 { 2 } else { 1 })
}

fn elfmap_call(
    k: &mut Kernel,
    cpu: &execcore_cpu,
    table: &[u8],
    count: usize,
    class: u32,
) -> (execcore_status, u64, execcore_error) {
    let ops = mips_ops(k);
    let (mut base, mut err) = (0u64, execcore_error::default());
    let st = unsafe {
        execcore_elfmap(cpu, 0, table.as_ptr(), count, class, EXECCORE_LOAD_EAGER, &ops, &mut base, &mut err)
    };
    (st, base, err)
}

/// Every PT_LOAD's file bytes are in the kernel's memory at `p_vaddr + delta`.
fn assert_mapped(k: &Kernel, file: &[u8], delta: u64) {
    let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(file).unwrap();
    for ph in elf.program_headers().map(Result::unwrap).filter(|p| p.kind == elf_stream::ProgramType::LOAD) {
        for i in (0..ph.filesz).step_by(97) {
            let a = ph.vaddr.0.wrapping_add(delta) + i;
            assert_eq!(k.memory.get(&a), Some(&file[(ph.offset.0 + i) as usize]), "{a:#x}");
        }
    }
}

#[test]
fn elfmap_through_the_c_abi() {
    let cpu = mips_cpu(EXECCORE_MIPS_CPU_5KEF, false);
    // A shared object linked at 0: moved to the kernel's free range (64 KiB aligned).
    let (file, table, n, class) = table_of(Path::new("/usr/mips64el-linux-gnuabi64/lib/libc.so.6"));
    let mut k =
        Kernel { files: vec![file.clone()], free_range: FreeRange::At(0x1_2340_0000), ..Default::default() };
    let (st, base, err) = elfmap_call(&mut k, &cpu, &table, n, class);
    assert_eq!(st, EXECCORE_OK, "{err:?}");
    assert_eq!(base, 0x1_2340_0000);
    assert_mapped(&k, &file, base);
    assert!(k.calls.iter().any(|c| c.starts_with("find_free_range") && c.ends_with(" 0x10000")));
    // No free range: the callback's ENOMEM, nothing left (every reserve undone).
    let mut k = Kernel { files: vec![file.clone()], ..Default::default() };
    let (st, _, err) = elfmap_call(&mut k, &cpu, &table, n, class);
    assert_eq!((st, err.errno_value), (exec_status(ExecCode::AddressSpaceFailed), 12));
    assert!(!k.calls.iter().any(|c| c.starts_with("reserve")));

    // A fixed-address object (n64 ET_EXEC at 0x120000000) goes at its own addresses ...
    let exe = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/bin/mips-n64-le-static");
    let (file, table, n, class) = table_of(&exe);
    let mut k =
        Kernel { files: vec![file.clone()], free_range: FreeRange::At(0x7000_0000), ..Default::default() };
    let (st, own, _) = elfmap_call(&mut k, &cpu, &table, n, class);
    assert_eq!(st, EXECCORE_OK);
    assert_eq!(own, 0x1_2000_0000);
    assert_mapped(&k, &file, 0);
    assert!(!k.calls.iter().any(|c| c.starts_with("find_free_range")));
    // ... or, taken, moves once.
    let mut k = Kernel {
        files: vec![file.clone()],
        taken: vec![(own, own + 1)],
        free_range: FreeRange::At(0x7000_0000),
        ..Default::default()
    };
    let (st, base, _) = elfmap_call(&mut k, &cpu, &table, n, class);
    assert_eq!((st, base), (EXECCORE_OK, 0x7000_0000));
    assert_mapped(&k, &file, base.wrapping_sub(own));

    // Errors: too many headers (E2BIG), a bad class, a malformed header (EINVAL).
    let many = vec![0u8; 65 * 56];
    let (st, _, err) = elfmap_call(&mut k, &cpu, &many, 65, 2);
    assert_eq!((st, err.errno_value), (exec_status(ExecCode::TooManyProgramHeaders), 7));
    assert_eq!(elfmap_call(&mut k, &cpu, &table, n, 3).0, EXECCORE_ERR_INVALID_PARAMETER);
    let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(&file[..]).unwrap();
    let load =
        elf.program_headers().map(Result::unwrap).find(|p| p.kind == elf_stream::ProgramType::LOAD).unwrap();
    let mut bad = table.clone();
    let at = load.index as usize * 56 + 32; // p_filesz
    bad[at..at + 8].copy_from_slice(&(load.memsz + 1).to_le_bytes());
    let (st, _, err) = elfmap_call(&mut k, &cpu, &bad, n, class);
    assert_eq!(
        (st, err.errno_value, err.value),
        (exec_status(ExecCode::FileszExceedsMemsz), 22, u64::from(load.index))
    );
    // ELF32 on MIPS: the o32 window (the n64 object's addresses are above it).
    let (st, _, _) = elfmap_call(&mut k, &cpu, &[0u8; 32], 1, 1);
    assert_eq!(st, exec_status(ExecCode::NoLoadSegment));
}

unsafe extern "C" fn refuse_map(_ctx: *mut std::ffi::c_void, _start: u64, _len: u64, _prot: u32) -> i32 {
    12 // ENOMEM
}

#[test]
fn batch_reservation_is_held_by_the_plan_and_released_when_a_failed_load_is_discarded() {
    let cpu = execcore_cpu { os: EXECCORE_OS_IRIX, ..mips_cpu(EXECCORE_MIPS_CPU_5KEF, false) };
    let (name, root) = ("probe-mips-o32-le-dynpie", "/usr/mipsel-linux-gnu");
    let prog = std::fs::read(corpus(name)).unwrap();
    // Success: reserved at prepare, still held after load and build_stack (handed over).
    let mut x = Exec::prepare(&cpu, prog.clone(), root, EXECCORE_EXEC_BATCH, |_| {}).ok();
    let held = x.k.reserved_bytes;
    assert!(held > 0, "prepare reserved the requirement");
    let ops = mips_ops(&mut x.k);
    let mut report = execcore_load_report::default();
    let st = unsafe { execcore_load(&*x.plan, &ops, EXECCORE_LOAD_EAGER, &mut report, std::ptr::null_mut()) };
    assert_eq!(st, EXECCORE_OK);
    assert_eq!(x.k.reserved_bytes, held, "handed over with the new image");
    // A load that fails after the point of no return: nothing mapped stays, and discarding
    // the plan gives the reservation back.
    let mut x = Exec::prepare(&cpu, prog, root, EXECCORE_EXEC_BATCH, |_| {}).ok();
    assert_eq!(x.k.reserved_bytes, held);
    let ops = execcore_ops { map_anonymous: Some(refuse_map), ..mips_ops(&mut x.k) };
    let mut err = execcore_error::default();
    let st = unsafe { execcore_load(&*x.plan, &ops, EXECCORE_LOAD_EAGER, &mut report, &mut err) };
    assert_ne!(st, EXECCORE_OK);
    assert_eq!(err.errno_value, 12, "the address space's ENOMEM");
    assert_eq!(x.k.reserved_bytes, held, "the caller still owns the plan");
    assert_eq!(unsafe { execcore_plan_discard(&mut *x.plan, &ops) }, EXECCORE_OK);
    assert_eq!(x.k.reserved_bytes, 0, "released by discard");
}
