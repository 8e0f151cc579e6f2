//! One test per MIPS rule: ABI selection, ISA check, NaN policy, FPU-mode table, abiflags
//! and option-record errors, R5000 text marks, R8000 prefetch, OS profiles, errnos, the
//! batch-job reservation, READ_IMPLIES_EXEC, layout numbers and the entry state.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use test_support::plan::plan_in;

use arch_mips::fp::{choose_mode, fp_abi, FpHardware, FP_ABI_UNKNOWN};
use arch_mips::{
    flags, Cpu, CpuModel, FpMode, Ieee754, Isa, Kernel, Mips, MipsAbi, MipsError, OsProfile, PFETCHFD_UNSET,
};
use common::{Elf, MipsEdits};
use elf_stream::{Class, ElfType, Endian, Errno, FileHeader, Machine, ProgramType};
use exec_core::{ArchPolicy, AuxType, ExecError, LogLevel, MappingFlags, MemoryReservation, Prot, UserAddr};
use std::path::Path;
use test_support::elf::{Builder, PhdrField};

fn header(class: Class, endian: Endian, flags: u32) -> FileHeader {
    Builder::new(class, endian)
        .machine(Machine::MIPS)
        .e_type(ElfType::EXEC)
        .entry(0x400000)
        .flags(flags)
        .header()
}

fn kind(r: Result<exec_core::Abi, ExecError>) -> &'static str {
    match r {
        Ok(a) => a.name(),
        Err(e) => e.kind(),
    }
}

fn le() -> Mips {
    Mips::model(CpuModel::Mips5KEf, Endian::Little)
}

fn be(model: CpuModel) -> Mips {
    Mips::model(model, Endian::Big)
}

#[test]
fn abi_selection() {
    let p = le();
    let accept = |class, f| kind(p.accept(&header(class, Endian::Little, f)));
    assert_eq!(accept(Class::Elf64, 0x8000_0007), "mips-n64");
    assert_eq!(accept(Class::Elf64, flags::ABI2 | flags::ABI_O64), "mips-n64"); // class decides
    assert_eq!(accept(Class::Elf32, 0x8000_0027), "mips-n32");
    assert_eq!(accept(Class::Elf32, flags::ABI2 | flags::ABI_O32), "mips_n32_abi_field_set");
    assert_eq!(accept(Class::Elf32, 0x7000_1007), "mips-o32");
    assert_eq!(accept(Class::Elf32, 0x7000_0007), "mips-o32"); // EF_MIPS_ABI 0
    assert_eq!(accept(Class::Elf32, flags::ABI_O64), "mips_o64_rejected");
    assert_eq!(accept(Class::Elf32, flags::ABI_EABI32), "mips_eabi32_rejected");
    assert_eq!(accept(Class::Elf32, flags::ABI_EABI64), "mips_eabi64_rejected");
    assert_eq!(accept(Class::Elf32, 0x5000), "mips_unknown_abi");
    // Byte order must match the CPU's, both ways.
    assert_eq!(kind(p.accept(&header(Class::Elf64, Endian::Big, 0))), "wrong_endianness");
    assert_eq!(
        kind(be(CpuModel::R5000).accept(&header(Class::Elf64, Endian::Little, 0))),
        "wrong_endianness"
    );
    assert_eq!(kind(be(CpuModel::R5000).accept(&header(Class::Elf64, Endian::Big, 0))), "mips-n64");
    let mut x86 = header(Class::Elf64, Endian::Little, 0);
    x86.machine = Machine::X86_64;
    assert_eq!(kind(p.accept(&x86)), "wrong_machine");
    // Each rejection is ENOEXEC.
    for f in [flags::ABI_O64, flags::ABI_EABI32, flags::ABI_EABI64] {
        let e = p.accept(&header(Class::Elf32, Endian::Little, f)).unwrap_err();
        assert_eq!(p.errno(&e), Errno::ENOEXEC);
    }
    // A 32-bit kernel runs o32 only; without FP64 support, FP64 o32 is refused.
    let k32 = Mips::model(CpuModel::Mips32R2, Endian::Little);
    assert!(!k32.kernel.bits64);
    assert_eq!(kind(k32.accept(&header(Class::Elf64, Endian::Little, 0))), "mips_abi_not_supported");
    assert_eq!(
        kind(k32.accept(&header(Class::Elf32, Endian::Little, flags::ABI2))),
        "mips_abi_not_supported"
    );
    assert_eq!(kind(k32.accept(&header(Class::Elf32, Endian::Little, flags::FP64))), "mips-o32");
    let no_fp64 = Mips { kernel: Kernel { o32_fp64: false, ..Kernel::LINUX64 }, ..le() };
    assert_eq!(
        kind(no_fp64.accept(&header(Class::Elf32, Endian::Little, flags::FP64))),
        "mips_o32_fp64_unsupported"
    );
    let no_n32 = Mips { kernel: Kernel { n32: false, ..Kernel::LINUX64 }, ..le() };
    assert_eq!(
        kind(no_n32.accept(&header(Class::Elf32, Endian::Little, flags::ABI2))),
        "mips_abi_not_supported"
    );
}

#[test]
fn interpreter_must_have_the_same_abi() {
    // An o32 program whose /lib/ld.so.1 is the n32 one: ELIBBAD (84 on Linux/MIPS).
    let root = test_support::temp::TempDir::new("abi-mismatch");
    std::fs::create_dir_all(root.join("lib")).unwrap();
    std::fs::copy("/usr/mips64el-linux-gnuabi64/lib32/ld.so.1", root.join("lib/ld.so.1")).unwrap();
    let main = Elf::corpus("hello-mips-o32-le-dyn");
    let (r, _) = plan_in(&le(), &main.bytes, &root, |_, _| {});
    let e = r.unwrap_err();
    assert!(matches!(e, ExecError::InterpreterMismatch { what: exec_core::Mismatch::Abi }), "{e:?}");
    assert_eq!(le().errno(&e), Errno(84));
}

#[test]
fn isa_levels() {
    assert!(Isa::MIPS64R2.runs(Isa::MIPS32R2));
    assert!(Isa::MIPS64R2.runs(Isa::MIPS4));
    assert!(Isa::MIPS64R2.runs(Isa::MIPS1));
    assert!(!Isa::MIPS32R2.runs(Isa::MIPS3)); // 64-bit registers
    assert!(!Isa::MIPS4.runs(Isa::MIPS32)); // MIPS32 is past MIPS IV
    assert!(Isa::MIPS4.runs(Isa::MIPS3));
    assert!(!Isa::MIPS64R2.runs(Isa::MIPS64R6));
    assert!(Isa::MIPS64R6.runs(Isa::MIPS32R6));
    assert!(!Isa::MIPS32R6.runs(Isa::MIPS64R6));
    assert_eq!(Isa::from_e_flags(0x7000_1007), Some(Isa::MIPS32R2));
    assert_eq!(Isa::from_e_flags(0xa000_0000), Some(Isa::MIPS64R6));
    assert_eq!(Isa::from_e_flags(0xb000_0000), None);
    assert_eq!(Isa::MIPS64R2.to_string(), "mips64r2");
    assert_eq!(Isa::MIPS4.to_string(), "mips4");
}

#[test]
fn isa_above_the_cpu_is_ebadrqc() {
    // n64 program claiming MIPS64r6 on a MIPS64r2 CPU (its NaN encoding is fine).
    let mut f = Elf::corpus("tiny-mips-n64-le");
    f.set_flags((f.flags() & !flags::ARCH_MASK) | 0xa000_0000);
    // The check is opt-in (IRIX-style): Linux does not look at EF_MIPS_ARCH.
    let checked = Mips { isa_check: true, ..le() };
    let (r, _) = plan_in(&checked, &f.bytes, Path::new("/"), |_, _| {});
    let e = r.unwrap_err();
    assert_eq!(e.kind(), "mips_isa_unsupported");
    assert_eq!(le().errno(&e), Errno(54));
    assert_eq!(le().with_os(OsProfile::Irix).errno(&e), Errno(54));
    // Linux does not check EF_MIPS_ARCH: by default it plans.
    assert!(!le().isa_check);
    assert!(plan_in(&le(), &f.bytes, Path::new("/"), |_, _| {}).0.is_ok());
    // An unknown EF_MIPS_ARCH is above every CPU.
    f.set_flags((f.flags() & !flags::ARCH_MASK) | 0xf000_0000);
    assert_eq!(
        plan_in(&checked, &f.bytes, Path::new("/"), |_, _| {}).0.unwrap_err().kind(),
        "mips_isa_unsupported"
    );
    // MIPS IV R5000: the mips64r2 corpus program is above it, a MIPS IV one is not.
    let r5k = Mips { isa_check: true, ..be(CpuModel::R5000) };
    let mut n64 = Elf::corpus("tiny-mips-n64-be");
    assert_eq!(
        plan_in(&r5k, &n64.bytes, Path::new("/"), |_, _| {}).0.unwrap_err().kind(),
        "mips_isa_unsupported"
    );
    n64.set_flags((n64.flags() & !flags::ARCH_MASK) | 0x3000_0000);
    assert!(plan_in(&r5k, &n64.bytes, Path::new("/"), |_, _| {}).0.is_ok());
    // The interpreter is checked too: glibc's mips64r2 ld.so on the R5000.
    let mut dynamic = Elf::corpus("hello-mips-n64-be-dyn");
    dynamic.set_flags((dynamic.flags() & !flags::ARCH_MASK) | 0x3000_0000);
    let (r, _) = plan_in(&r5k, &dynamic.bytes, Path::new("/usr/mips64-linux-gnuabi64"), |_, _| {});
    assert_eq!(r.unwrap_err().kind(), "mips_isa_unsupported");
}

#[test]
fn nan_policy() {
    // (has legacy, has 2008) -> (legacy allowed, 2008 allowed), cpu_set_nan_2008.
    assert_eq!(Ieee754::Strict.allowed(true, false), (true, false));
    assert_eq!(Ieee754::Strict.allowed(false, true), (false, true));
    assert_eq!(Ieee754::Legacy.allowed(true, false), (true, false));
    assert_eq!(Ieee754::Legacy.allowed(false, true), (false, true));
    assert_eq!(Ieee754::Std2008.allowed(true, false), (true, false));
    assert_eq!(Ieee754::Std2008.allowed(true, true), (false, true));
    assert_eq!(Ieee754::Relaxed.allowed(true, false), (true, true));
    assert_eq!(Ieee754::Emulated.allowed(false, true), (true, true));
    assert_eq!(Ieee754::from_name("2008"), Some(Ieee754::Std2008));
    // Without an FPU the emulator decides (cpu_set_nofpu_2008).
    let c = CpuModel::Mips5KEc.cpu(Endian::Little);
    assert_eq!(c.nan_support(Ieee754::Strict), (true, true));
    assert_eq!(c.nan_support(Ieee754::Legacy), (true, false));
    assert_eq!(c.nan_support(Ieee754::Std2008), (false, true));
    let mips4_nofpu = Cpu { fpu: false, ..CpuModel::R10000.cpu(Endian::Big) };
    assert_eq!(mips4_nofpu.nan_support(Ieee754::Strict), (true, false));
    // R6 takes 2008 only; a legacy-NaN program is ENOEXEC there.
    let r6 = Mips::model(CpuModel::Mips64R6, Endian::Little);
    assert_eq!(r6.nan_allowed(), (false, true));
    let f = Elf::corpus("tiny-mips-n64-le");
    let e = plan_in(&r6, &f.bytes, Path::new("/"), |_, _| {}).0.unwrap_err();
    assert_eq!((e.kind(), r6.errno(&e)), ("mips_nan_not_allowed", Errno::ENOEXEC));
    let mut f2008 = Elf::corpus("tiny-mips-n64-le");
    f2008.set_flags(f2008.flags() | flags::NAN2008);
    let plan = plan_in(&r6, &f2008.bytes, Path::new("/"), |_, _| {}).0.unwrap();
    assert!(plan.arch.nan2008);
    assert_eq!(
        plan.arch.fcsr & (arch_mips::FCSR_NAN2008 | arch_mips::FCSR_ABS2008),
        arch_mips::FCSR_NAN2008 | arch_mips::FCSR_ABS2008
    );
}

#[test]
fn nan_mismatch_with_the_interpreter_is_elibbad() {
    // A 2008-NaN interpreter for a legacy-NaN program, accepted NaN-wise (relaxed).
    let root = test_support::temp::TempDir::new("nan");
    std::fs::create_dir_all(root.join("lib")).unwrap();
    let mut ld = Elf::read(Path::new("/usr/mipsel-linux-gnu/lib/ld.so.1"));
    ld.set_flags(ld.flags() | flags::NAN2008);
    std::fs::write(root.join("lib/ld.so.1"), &ld.bytes).unwrap();
    // Executable, as open_exec requires of an interpreter.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(root.join("lib/ld.so.1"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut relaxed = le();
    relaxed.kernel.ieee754 = Ieee754::Relaxed;
    let main = Elf::corpus("hello-mips-o32-le-dyn");
    let e = plan_in(&relaxed, &main.bytes, &root, |_, _| {}).0.unwrap_err();
    assert_eq!((e.kind(), relaxed.errno(&e)), ("mips_nan_mismatch", Errno(84)));
}

#[test]
fn fpu_mode_table() {
    let r2 = FpHardware { r6: false, prefers_fr1: true };
    let mips4 = FpHardware { r6: false, prefers_fr1: false };
    let r6 = FpHardware { r6: true, prefers_fr1: true };
    let o32 = |m: u8, i: Option<u8>, hw| choose_mode(true, i32::from(m), i.map(i32::from), hw);
    use FpMode::*;
    // Single images (o32).
    assert_eq!(o32(fp_abi::DOUBLE, None, r2), Ok(Fr0));
    assert_eq!(o32(fp_abi::DOUBLE, None, r6), Ok(Fre)); // R6 has no FR=0
    assert_eq!(o32(fp_abi::XX, None, r2), Ok(Fr1));
    assert_eq!(o32(fp_abi::XX, None, mips4), Ok(Fr0));
    assert_eq!(o32(fp_abi::FP64, None, r2), Ok(Fr1));
    assert_eq!(o32(fp_abi::FP64A, None, r2), Ok(Fr1));
    assert_eq!(o32(fp_abi::SOFT, None, r2), Ok(Fr0));
    assert_eq!(o32(fp_abi::ANY, None, r2), Ok(Fr1));
    assert_eq!(o32(fp_abi::SINGLE, None, mips4), Ok(Fr0));
    assert_eq!(o32(fp_abi::SINGLE, None, r2), Ok(Fr1));
    assert!(matches!(o32(fp_abi::OLD_64, None, r2), Err(MipsError::FpModeConflict { .. })));
    assert!(matches!(o32(8, None, r2), Err(MipsError::FpAbiUnsupported(8))));
    assert_eq!(choose_mode(true, FP_ABI_UNKNOWN, None, r2), Ok(Fr0));
    assert_eq!(choose_mode(true, FP_ABI_UNKNOWN, None, r6), Ok(Fre));
    // Program and interpreter together.
    assert_eq!(o32(fp_abi::DOUBLE, Some(fp_abi::FP64A), r2), Ok(Fre));
    assert_eq!(o32(fp_abi::FP64A, Some(fp_abi::DOUBLE), r2), Ok(Fre));
    assert_eq!(o32(fp_abi::XX, Some(fp_abi::FP64), r2), Ok(Fr1));
    assert_eq!(o32(fp_abi::XX, Some(fp_abi::DOUBLE), r2), Ok(Fr0));
    assert!(matches!(o32(fp_abi::DOUBLE, Some(fp_abi::FP64), r2), Err(MipsError::FpModeConflict { .. })));
    assert!(matches!(o32(fp_abi::SOFT, Some(fp_abi::DOUBLE), r2), Err(MipsError::FpModeConflict { .. })));
    // An interpreter without abiflags allows anything but FR=1: FP64 cannot pair with it,
    // FPXX can (FR0 is common to both).
    assert!(matches!(
        choose_mode(true, i32::from(fp_abi::FP64), Some(FP_ABI_UNKNOWN), r2),
        Err(MipsError::FpModeConflict { main: 6, interp: -1 })
    ));
    assert_eq!(choose_mode(true, i32::from(fp_abi::XX), Some(FP_ABI_UNKNOWN), r2), Ok(Fr0));
    // n32/n64: up to SOFT, FR1 by default.
    for m in [fp_abi::ANY, fp_abi::DOUBLE, fp_abi::SINGLE, fp_abi::SOFT] {
        assert!(choose_mode(false, i32::from(m), None, r2).is_ok(), "{m}");
    }
    assert_eq!(choose_mode(false, i32::from(fp_abi::DOUBLE), None, r2), Ok(Fr1));
    assert_eq!(choose_mode(false, FP_ABI_UNKNOWN, Some(FP_ABI_UNKNOWN), r2), Ok(Fr1));
    for m in [fp_abi::OLD_64, fp_abi::XX, fp_abi::FP64, fp_abi::FP64A] {
        assert_eq!(
            choose_mode(false, i32::from(m), None, r2),
            Err(MipsError::FpAbiUnsupported(i32::from(m)))
        );
    }
    // Errnos: ELIBBAD (84 on Linux/MIPS).
    let e: ExecError = MipsError::FpModeConflict { main: 1, interp: 6 }.into();
    assert_eq!(le().errno(&e), Errno(84));
    // A sixth nested #! script: ELOOP, 90 on Linux/MIPS and IRIX; a script interpreter's
    // open errno is the kernel's own, never renumbered.
    let e = ExecError::Script(exec_core::ScriptError::TooDeep);
    assert_eq!((le().errno(&e), le().with_os(OsProfile::Irix).errno(&e)), (Errno(90), Errno(90)));
    let e = ExecError::Script(exec_core::ScriptError::InterpreterOpen(Errno(78)));
    assert_eq!(le().errno(&e), Errno(78));
}

#[test]
fn fpu_mode_in_the_plan_and_native_support() {
    let f = Elf::corpus("tiny-mips-o32-le-fp64");
    let plan = plan_in(&le(), &f.bytes, Path::new("/"), |_, _| {}).0.unwrap();
    assert_eq!((plan.arch.fp_mode, plan.arch.fp_native, plan.arch.fp_abi), (FpMode::Fr1, true, 6));
    // No FPU: the kernel emulates whatever mode.
    let nofpu = Mips::model(CpuModel::Mips5KEc, Endian::Little);
    let plan = plan_in(&nofpu, &f.bytes, Path::new("/"), |_, _| {}).0.unwrap();
    assert_eq!((plan.arch.fp_mode, plan.arch.fp_native), (FpMode::Fr1, false));
    // EF_MIPS_FP64 without abiflags: OLD_64, which no mode runs (ELIBBAD).
    let mut old = Elf::corpus("tiny-mips-o32-le");
    let abiflags = old.find(ProgramType::MIPS_ABIFLAGS).unwrap();
    old.set_phdr(abiflags.index as usize, PhdrField::Type, 0x6474_e551); // PT_GNU_STACK-like: not processor specific
    old.set_flags(old.flags() | flags::FP64);
    let e = plan_in(&le(), &old.bytes, Path::new("/"), |_, _| {}).0.unwrap_err();
    assert_eq!((e.kind(), le().errno(&e)), ("mips_fp_mode_conflict", Errno(84)));
    // A kernel without FP64 support keeps o32 at FR0 and n64 at FR1, and refuses FP64 o32.
    let k = Mips { kernel: Kernel { o32_fp64: false, ..Kernel::LINUX64 }, ..le() };
    let plan = plan_in(&k, &Elf::corpus("tiny-mips-o32-le-fpxx").bytes, Path::new("/"), |_, _| {}).0.unwrap();
    assert_eq!(plan.arch.fp_mode, FpMode::Fr0);
    let plan = plan_in(&k, &Elf::corpus("tiny-mips-n64-le").bytes, Path::new("/"), |_, _| {}).0.unwrap();
    assert_eq!(plan.arch.fp_mode, FpMode::Fr1);
}

#[test]
fn short_abiflags_is_einval() {
    let mut f = Elf::corpus("tiny-mips-n64-le");
    let ph = f.find(ProgramType::MIPS_ABIFLAGS).unwrap();
    f.set_phdr(ph.index as usize, PhdrField::Filesz, 16);
    let e = plan_in(&le(), &f.bytes, Path::new("/"), |_, _| {}).0.unwrap_err();
    assert_eq!((e.kind(), le().errno(&e)), ("mips_abiflags_too_short", Errno::EINVAL));
}

#[test]
fn malformed_option_records_are_errors_not_loops() {
    for name in ["tiny-mips-n64-le-options", "tiny-mips-o32-be-options", "probe-mips-n32-le-dynpie-options"] {
        let base = Elf::corpus(name);
        let records = base.mips_options();
        assert!(records.len() >= 2, "{name}: {records:?}");
        let seg = base.find(ProgramType::MIPS_OPTIONS).unwrap();
        let endian = base.endian;
        let policy = Mips::model(CpuModel::Mips5KEf, endian);
        let root = if name.starts_with("probe") { "/usr/mips64el-linux-gnuabi64" } else { "/" };
        let seg_end = (seg.offset.0 + seg.filesz) as usize;
        for (size, what) in
            [(0u8, "mips_option_too_small"), (4, "mips_option_too_small"), (255, "mips_option_past_segment")]
        {
            let mut f = Elf::corpus(name);
            let (at, _, _) = *records.last().unwrap();
            if size == 255 && at + 255 <= seg_end {
                continue;
            }
            f.bytes[at + 1] = size;
            let e = plan_in(&policy, &f.bytes, Path::new(root), |_, _| {}).0.unwrap_err();
            assert_eq!((e.kind(), policy.errno(&e)), (what, Errno::ENOEXEC), "{name} size {size}");
        }
        // A segment that ends inside a record header.
        let mut f = Elf::corpus(name);
        f.set_phdr(seg.index as usize, PhdrField::Filesz, seg.filesz - 4);
        assert!(plan_in(&policy, &f.bytes, Path::new(root), |_, _| {}).0.is_err(), "{name}");
    }
}

fn text_patched(plan: &exec_core::ExecPlan<arch_mips::Info>, role: exec_core::Role) -> (usize, usize) {
    let ms: Vec<_> = plan.mappings().filter(|m| m.role == role).collect();
    for m in &ms {
        if m.flags.contains(MappingFlags::TEXT_PATCH) {
            assert!(m.prot.contains(Prot::EXEC) && !m.prot.contains(Prot::WRITE), "{m:?}");
        }
    }
    (ms.iter().filter(|m| m.flags.contains(MappingFlags::TEXT_PATCH)).count(), ms.len())
}

#[test]
fn r5000_cvt_workaround_marks_text() {
    use exec_core::Role::{Interpreter, Main};
    let r5k = Mips { isa_check: false, ..be(CpuModel::R5000) };
    let plan_of = |f: &Elf, root: &str| plan_in(&r5k, &f.bytes, Path::new(root), |_, _| {}).0.unwrap();
    // n64 without PT_MIPS_OPTIONS: not known clean, every read-only executable mapping marked.
    let plan = plan_of(&Elf::corpus("tiny-mips-n64-be"), "/");
    assert_eq!(text_patched(&plan, Main), (1, 3));
    assert!(plan.arch.text_patch.main && !plan.arch.text_patch.interp);
    // n32 too; o32 never.
    assert_eq!(text_patched(&plan_of(&Elf::corpus("tiny-mips-n32-be"), "/"), Main).0, 1);
    assert_eq!(text_patched(&plan_of(&Elf::corpus("tiny-mips-o32-be"), "/"), Main).0, 0);
    // OHW_R5KCVTL set (0x9): clean, nothing marked; cleared: marked.
    let mut opt = Elf::corpus("tiny-mips-n64-be-options");
    assert_eq!(opt.mips_option_info(4), Some(0x9));
    assert_eq!(text_patched(&plan_of(&opt, "/"), Main).0, 0);
    opt.set_mips_option_info(4, 0x1);
    assert_eq!(text_patched(&plan_of(&opt, "/"), Main).0, 1);
    // Dynamic: each image by its own records (glibc's ld.so has none).
    let plan = plan_of(&Elf::corpus("probe-mips-n64-be-dynpie-options"), "/usr/mips64-linux-gnuabi64");
    assert_eq!(text_patched(&plan, Main).0, 0);
    assert!(text_patched(&plan, Interpreter).0 >= 1);
    // Without the workaround nothing is marked.
    let plain = Mips { isa_check: false, ..be(CpuModel::R10000) };
    let plan = plan_in(&plain, &Elf::corpus("tiny-mips-n64-be").bytes, Path::new("/"), |_, _| {}).0.unwrap();
    assert_eq!(text_patched(&plan, Main).0, 0);
}

fn with_prefetch_bit(name: &str) -> Elf {
    let mut f = Elf::corpus(name);
    let bits = f.mips_option_info(4).unwrap();
    f.set_mips_option_info(4, bits | 0x2);
    f
}

#[test]
fn r8000_prefetch() {
    let r8k = Mips { isa_check: false, ..be(CpuModel::R8000) };
    // Static program with OHW_R8KPFETCH: warning logged, EBADRQC with strict prefetch.
    let stat = with_prefetch_bit("tiny-mips-n64-be-options");
    let (r, host) = plan_in(&r8k, &stat.bytes, Path::new("/"), |_, _| {});
    let e = r.unwrap_err();
    assert_eq!((e.kind(), r8k.errno(&e)), ("mips_r8000_prefetch", Errno(54)));
    assert!(
        host.messages.iter().any(|(l, m)| *l == LogLevel::Warning && m.contains("R8000")),
        "{:?}",
        host.messages
    );
    let lenient = Mips { strict_prefetch: false, ..r8k };
    let (r, host) = plan_in(&lenient, &stat.bytes, Path::new("/"), |_, _| {});
    let plan = r.unwrap();
    assert!(plan.arch.prefetch_warning && !plan.arch.prefetch_fd);
    assert_eq!(plan.auxv.get(AuxType::AT_PFETCHFD), None);
    assert_eq!(host.messages.iter().filter(|(l, _)| *l == LogLevel::Warning).count(), 1);
    // Dynamic: accepted, AT_PFETCHFD last with the kernel's descriptor (placeholder until given).
    let dynamic = with_prefetch_bit("probe-mips-n64-be-dynpie-options");
    let root = Path::new("/usr/mips64-linux-gnuabi64");
    let (r, host) = plan_in(&r8k, &dynamic.bytes, root, |_, _| {});
    let mut plan = r.unwrap();
    assert!(plan.arch.prefetch_fd && !plan.arch.prefetch_warning && host.messages.is_empty());
    assert_eq!(
        plan.auxv.entries().last().map(|e| (e.kind, e.value)),
        Some((AuxType::AT_PFETCHFD, PFETCHFD_UNSET))
    );
    plan.auxv.set(AuxType::AT_PFETCHFD, 9);
    assert_eq!(plan.auxv.get(AuxType::AT_PFETCHFD), Some(9));
    let with_fd = Mips { prefetch_fd: Some(5), ..r8k };
    let plan = plan_in(&with_fd, &dynamic.bytes, root, |_, _| {}).0.unwrap();
    assert_eq!(plan.auxv.get(AuxType::AT_PFETCHFD), Some(5));
    // Only on an R8000.
    for model in [CpuModel::R10000, CpuModel::R5000] {
        let other = Mips { isa_check: false, ..be(model) };
        assert!(plan_in(&other, &stat.bytes, Path::new("/"), |_, _| {}).0.is_ok());
        let plan = plan_in(&other, &dynamic.bytes, root, |_, _| {}).0.unwrap();
        assert_eq!(plan.auxv.get(AuxType::AT_PFETCHFD), None);
    }
}

#[test]
fn irix_profile_auxv_and_errnos() {
    let irix = Mips { os: OsProfile::Irix, prefetch_fd: Some(4), isa_check: false, ..be(CpuModel::R8000) };
    let root = Path::new("/usr/mips64-linux-gnuabi64");
    let dynamic = with_prefetch_bit("probe-mips-n64-be-dynpie-options");
    let plan = plan_in(&irix, &dynamic.bytes, root, |_, _| {}).0.unwrap();
    let base = plan.interp.as_ref().unwrap().bias;
    let got: Vec<(AuxType, u64)> = plan.auxv.entries().iter().map(|e| (e.kind, e.value)).collect();
    assert_eq!(
        got,
        vec![
            (AuxType::AT_PHDR, plan.main.phdr().0),
            (AuxType::AT_PHENT, 56),
            (AuxType::AT_PHNUM, u64::from(plan.main.phnum)),
            (AuxType::AT_ENTRY, plan.main.entry().0),
            (AuxType::AT_PFETCHFD, 4),
            (AuxType::AT_BASE, base & !0xffff),
            (AuxType::AT_PAGESZ, 4096),
        ]
    );
    // Without the prefetch bit, no AT_PFETCHFD.
    let plain = Elf::corpus("probe-mips-n64-be-dynpie-options");
    let plan = plan_in(&irix, &plain.bytes, root, |_, _| {}).0.unwrap();
    assert_eq!(plan.auxv.len(), 6);
    // Static programs get no auxv (only AT_NULL on the stack).
    let plan = plan_in(&irix, &Elf::corpus("tiny-mips-n64-be").bytes, Path::new("/"), |_, _| {}).0.unwrap();
    assert!(plan.auxv.is_empty());
    assert_eq!(plan.stack.sp.0 % 16, 0);
    // Errnos: MIPS numbering; host errnos untouched.
    for os in [OsProfile::Linux, OsProfile::Irix] {
        let p = Mips { os, ..irix };
        assert_eq!(p.errno(&MipsError::IsaUnsupported { flags: 0 }.into()), Errno(54));
        assert_eq!(p.errno(&ExecError::InterpreterMismatch { what: exec_core::Mismatch::Abi }), Errno(84));
        assert_eq!(p.errno(&ExecError::NoLoadSegment), Errno::ENOEXEC);
        assert_eq!(p.errno(&ExecError::InterpreterOpen(Errno(80))), Errno(80));
        assert_eq!(
            p.errno(&ExecError::AddressSpace { op: exec_core::SpaceOp::MapAnonymous, errno: Errno(56) }),
            Errno(56)
        );
    }
    assert_eq!(OsProfile::from_name("IRIX"), Some(OsProfile::Irix));
}

#[test]
fn batch_job_reservation() {
    let f = Elf::corpus("probe-mips-o32-le-dynpie");
    let root = Path::new("/usr/mipsel-linux-gnu");
    for (os, errno) in [(OsProfile::Linux, Errno::EAGAIN), (OsProfile::Irix, Errno(1600))] {
        let p = le().with_os(os);
        let (r, host) = plan_in(&p, &f.bytes, root, |params, host| {
            params.reservation = MemoryReservation::Reserve;
            host.refuse_reservations = true;
        });
        let e = r.unwrap_err();
        assert!(matches!(e, ExecError::ReservationRefused { .. }));
        assert_eq!(p.errno(&e), errno);
        assert_eq!(host.reserved, 0);
    }
    let (r, host) =
        plan_in(&le(), &f.bytes, root, |params, _| params.reservation = MemoryReservation::Reserve);
    let plan = r.unwrap();
    let m = plan.memory;
    assert!(m.main.eager > 0 && m.interp.eager > 0 && m.stack > 0);
    assert_eq!(plan.reserved, m.eager_bytes());
    assert_eq!(host.reserved, m.eager_bytes());
    // Interactive jobs reserve nothing but still report the requirement.
    let (r, host) = plan_in(&le(), &f.bytes, root, |_, _| {});
    assert_eq!((r.unwrap().reserved, host.reserved), (0, 0));
}

#[test]
fn read_implies_exec_without_rixi() {
    // tiny-mips-o32-le has no PT_GNU_STACK: on 5KEf (no RIXI) data and stack are executable.
    let f = Elf::corpus("tiny-mips-o32-le");
    let plan = plan_in(&le(), &f.bytes, Path::new("/"), |_, _| {}).0.unwrap();
    assert!(plan.arch.read_implies_exec && plan.stack.exec);
    assert!(plan.mappings().all(|m| m.prot.contains(Prot::EXEC)));
    // With RIXI, or with PT_GNU_STACK, they are not.
    let rixi = Mips::new(Cpu { rixi: true, ..CpuModel::Mips5KEf.cpu(Endian::Little) });
    let plan = plan_in(&rixi, &f.bytes, Path::new("/"), |_, _| {}).0.unwrap();
    assert!(!plan.arch.read_implies_exec && !plan.stack.exec);
    assert!(plan.mappings().any(|m| !m.prot.contains(Prot::EXEC)));
    let g = Elf::corpus("tiny-mips-o32-le-options");
    let plan = plan_in(&le(), &g.bytes, Path::new("/"), |_, _| {}).0.unwrap();
    assert!(plan.arch.gnu_stack && !plan.arch.read_implies_exec && !plan.stack.exec);
}

#[test]
fn layout_numbers() {
    let k = le();
    assert_eq!(k.stack_top(MipsAbi::O32), UserAddr(0x7fff_5000));
    assert_eq!(k.stack_top(MipsAbi::N32), UserAddr(0x7fff_5000));
    assert_eq!(k.stack_top(MipsAbi::N64), UserAddr(0xff_ffff_d000));
    assert_eq!(k.vdso_base(MipsAbi::O32), UserAddr(0x7fff_7000));
    assert_eq!(k.vdso_base(MipsAbi::N64), UserAddr(0xff_ffff_f000));
    let l = k.layout(MipsAbi::O32.abi()).unwrap();
    assert_eq!((l.et_dyn_base.0, l.task_size.0), (0x5555_0000, 0x7fff_8000));
    assert_eq!(k.layout(MipsAbi::N64.abi()).unwrap().et_dyn_base.0, 0xaa_aaaa_aaaa);
    // Another architecture's ABI is a typed error, not a silent n64 layout.
    let foreign = ExecError::InvalidParameter(exec_core::Parameter::ForeignAbi);
    assert_eq!(k.layout(exec_core::Abi::X86_64), Err(foreign));
    assert_eq!(MipsAbi::from_abi(exec_core::Abi::Riscv64), Err(foreign));
    for m in [MipsAbi::O32, MipsAbi::N32, MipsAbi::N64] {
        assert_eq!(MipsAbi::from_abi(m.abi()), Ok(m));
    }
    assert_eq!(k.kernel_word(), 8);
    let d = Mips::model(CpuModel::Mips64DspR2, Endian::Little);
    assert_eq!((d.stack_top(MipsAbi::O32).0, d.stack_top(MipsAbi::N64).0), (0x7fff_3000, 0xff_ffff_b000));
    assert_eq!(d.vdso_base(MipsAbi::N64).0, 0xff_ffff_d000);
    assert_eq!(d.mmap_colour(), 8192);
    // A 32-bit kernel: 2 GiB, three pages under it, 4-byte words at the stack top.
    let k32 = Mips::model(CpuModel::Mips32R2, Endian::Little);
    assert_eq!((k32.stack_top(MipsAbi::O32).0, k32.kernel_word()), (0x7fff_d000, 4));
    let plan = plan_in(&k32, &Elf::corpus("tiny-mips-o32-le").bytes, Path::new("/"), |_, _| {}).0.unwrap();
    assert_eq!(plan.stack.top.0, 0x7fff_d000);
    let plan64 = plan_in(&le(), &Elf::corpus("tiny-mips-o32-le").bytes, Path::new("/"), |_, _| {}).0.unwrap();
    // The kernel word only moves the strings: a 32-bit kernel reserves 4 bytes less at the top.
    assert_eq!(plan64.stack.top.0 - plan64.stack.execfn.0, plan.stack.top.0 - plan.stack.execfn.0 + 4);
    assert_eq!((plan64.stack.top_reserve, plan.stack.top_reserve), (8, 4));
    // Every model has a description; names round-trip.
    for m in CpuModel::ALL {
        assert_eq!(CpuModel::from_name(m.name()), Some(m));
        let p = Mips::model(m, Endian::Big);
        assert_eq!(p.kernel.bits64, m.cpu(Endian::Big).isa.is_64bit());
        assert!(p.stack_top(MipsAbi::O32).0 < 0x8000_0000);
    }
    assert!(CpuModel::R5000.cpu(Endian::Big).r5000_cvt && CpuModel::R8000.cpu(Endian::Big).r8000_prefetch);
    assert_eq!(CpuModel::R10000.cpu(Endian::Big).isa, Isa::MIPS4);
    assert_eq!(CpuModel::from_name("5KEf"), Some(CpuModel::Mips5KEf));
}

#[test]
fn entry_state() {
    for p in common::programs() {
        let policy = Mips { isa_check: false, ..Mips::model(CpuModel::Mips5KEc, p.endian) };
        let Ok(plan) = common::plan(&policy, &p) else { continue };
        // Every register zero but sp and pc ($v0, $ra, $t9 included).
        assert_eq!(plan.registers.regs, [None; 4], "{}", p.name);
        assert_eq!(plan.registers.sp, plan.stack.sp);
        assert_eq!(plan.registers.pc, plan.entry);
        assert_eq!(plan.stack.sp.0 % 16, 0, "{}", p.name);
        assert!(plan.arch.abi.is_some());
    }
}
