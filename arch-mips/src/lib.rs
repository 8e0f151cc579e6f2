//! # arch-mips
//!
//! The MIPS [`ArchPolicy`]: o32, n32 and n64 in either byte order, with Linux's rules
//! (arch/mips: `elf_check_arch`, `arch_elf_pt_proc`, `arch_check_elf`, the stack top below
//! the branch-emulation page, vvar and vDSO, READ_IMPLIES_EXEC without RIXI) and the IRIX
//! ones a MIPS kernel may want (`PT_MIPS_OPTIONS` exception modes and hardware patches, the
//! IRIX auxv and errnos), chosen by data: a [`Cpu`] description (or a named [`CpuModel`]),
//! a [`Kernel`] description and an [`OsProfile`].
//!
//! What [`Mips`] decides, in `prepare`'s order:
//! 1. `accept`: EM_MIPS, the CPU's byte order, ABI from class and `e_flags` — ELFCLASS64
//!    n64; ELFCLASS32 + `EF_MIPS_ABI2` n32 (with the `EF_MIPS_ABI` field 0); ELFCLASS32
//!    with `EF_MIPS_ABI` 0 or O32 o32; O64, EABI32, EABI64 each rejected with its own
//!    error (ENOEXEC). The interpreter must select the same ABI.
//! 2. `inspect` (each image): `PT_MIPS_ABIFLAGS` (FP ABI; shorter than 24 bytes: EINVAL),
//!    `EF_MIPS_FP64` (o32), `PT_MIPS_OPTIONS` records (ODK_EXCEPTIONS of the program,
//!    ODK_HWPATCH of each image; a record of size 0, below 8 or past the segment is an
//!    error), PT_GNU_STACK.
//! 3. `finish`: NaN encoding allowed by the CPU and `ieee754=` (ENOEXEC), program and
//!    interpreter agree on it (ELIBBAD), `EF_MIPS_ARCH` not above the CPU's ISA (EBADRQC,
//!    see [`Mips::isa_check`]), the FPU mode FR0/FR1/FRE for both images (Linux's table;
//!    ELIBBAD), the R8000 prefetch check, the R5000 `cvt.[ds].l` text marks.
//! 4. `adjust_mapping`: [`MappingFlags::TEXT_PATCH`] on read-only executable mappings of
//!    images that need the R5000 workaround (an eager load scans them with
//!    [`find_cvt_l`], the policy's `text_scanner`, and calls `patch_text` per page with
//!    hits); `PROT_EXEC` on readable mappings under READ_IMPLIES_EXEC.
//! 5. auxv per [`OsProfile`], with `AT_PFETCHFD` (100) for dynamic R8000 programs that
//!    need prefetch patches; errnos renumbered per profile (EBADRQC 54, ELIBBAD 84; a
//!    refused reservation EAGAIN on Linux, EMEMRETRY 1600 on IRIX).
//!
//! Entry state: every register zero but `$sp` (= &argc, 16-byte aligned for every ABI)
//! and the pc — `$v0` = 0 (no exit hook for glibc's start code), `$ra` = 0, `$t9` = 0 —
//! as Linux's `ELF_PLAT_INIT`; the ABI, FPU mode, NaN encoding, FCSR and FP exception
//! flags are in [`Info`] for the kernel to switch to only after success.
//!
//! ```
//! use arch_mips::{CpuModel, Mips};
//! let policy = Mips::model(CpuModel::R5000, elf_stream::Endian::Big);
//! assert!(policy.cpu.r5000_cvt);
//! ```
#![no_std]
#![forbid(unsafe_code)]

pub mod abi;
pub mod cpu;
pub mod cvt;
pub mod error;
pub mod fp;
pub mod options;
pub mod profile;

pub use abi::{flags, Isa, MipsAbi, ABI_N32, ABI_N64, ABI_O32};
pub use cpu::{Cpu, CpuModel, FrModes, Kernel};
pub use cvt::{find_cvt_l, CvtL, CvtScan};
pub use error::MipsError;
pub use fp::{FpMode, Ieee754};
pub use options::FpExceptions;
pub use profile::{AuxvStyle, OsProfile, ProfileData, EMEMRETRY};

use elf_stream::{ElfFile, Errno, FileHeader, FileOffset, OptionKind, ProgramType, ReadAt};
use exec_core::auxv::{AuxType, Auxv, AuxvContext};
use exec_core::{Abi, ArchPolicy, ExecError, Layout, MappingFlags, PageSize, Prot, Role, UserAddr};

/// `AT_PFETCHFD` value before the kernel supplies the descriptor: a dynamic R8000 program
/// got the entry but [`Mips::prefetch_fd`] was `None`; the caller replaces it
/// (`plan.auxv.set(AuxType::AT_PFETCHFD, fd)`) before writing the stack.
pub const PFETCHFD_UNSET: u64 = u64::MAX;

/// FCSR bit: IEEE 754-2008 NaN encoding.
pub const FCSR_NAN2008: u32 = 1 << 18;
/// FCSR bit: IEEE 754-2008 ABS.fmt/NEG.fmt.
pub const FCSR_ABS2008: u32 = 1 << 19;

/// Which images carry the R5000 `cvt.[ds].l` text mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct TextPatch {
    /// The program's read-only executable mappings.
    pub main: bool,
    /// The interpreter's.
    pub interp: bool,
}

/// What the MIPS policy found and decided, carried in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Info {
    /// The ABI (set by `finish`).
    pub abi: Option<MipsAbi>,
    /// The program's `e_flags`.
    pub flags: u32,
    /// The interpreter's `e_flags`, when there is one.
    pub interp_flags: Option<u32>,
    /// The program's FP ABI as Linux records it ([`fp::FP_ABI_UNKNOWN`] without abiflags).
    pub fp_abi: i32,
    /// The interpreter's FP ABI.
    pub interp_fp_abi: i32,
    /// The program's `PT_MIPS_ABIFLAGS` record (the last one, as Linux reads them).
    pub abiflags: Option<elf_stream::MipsAbiFlags>,
    /// The FPU mode for the process.
    pub fp_mode: FpMode,
    /// The CPU runs [`Info::fp_mode`] in hardware (otherwise the kernel emulates, as Linux).
    pub fp_native: bool,
    /// IEEE 754-2008 NaNs (`EF_MIPS_NAN2008`).
    pub nan2008: bool,
    /// The program's ODK_EXCEPTIONS record (first one), if any.
    pub exceptions: Option<FpExceptions>,
    /// FCSR for entry: 2008 NaN/ABS bits and the enabled exceptions of ODK_EXCEPTIONS.
    pub fcsr: u32,
    /// The program's ODK_HWPATCH bits (every record OR-ed), if it has any.
    pub hwpatch: Option<u32>,
    /// The interpreter's ODK_HWPATCH bits.
    pub interp_hwpatch: Option<u32>,
    /// Which images' text needs the R5000 `cvt.[ds].l` patching.
    pub text_patch: TextPatch,
    /// `AT_PFETCHFD` is in the auxv: a dynamic program with `OHW_R8KPFETCH` on an R8000.
    pub prefetch_fd: bool,
    /// A static program with `OHW_R8KPFETCH` on an R8000 (logged as a warning).
    pub prefetch_warning: bool,
    /// The program has PT_GNU_STACK.
    pub gnu_stack: bool,
    /// Linux's READ_IMPLIES_EXEC: no PT_GNU_STACK on a CPU without RIXI.
    pub read_implies_exec: bool,
}

impl Default for Info {
    fn default() -> Self {
        Info {
            abi: None,
            flags: 0,
            interp_flags: None,
            fp_abi: fp::FP_ABI_UNKNOWN,
            interp_fp_abi: fp::FP_ABI_UNKNOWN,
            abiflags: None,
            fp_mode: FpMode::Fr0,
            fp_native: false,
            nan2008: false,
            exceptions: None,
            fcsr: 0,
            hwpatch: None,
            interp_hwpatch: None,
            text_patch: TextPatch::default(),
            prefetch_fd: false,
            prefetch_warning: false,
            gnu_stack: false,
            read_implies_exec: false,
        }
    }
}

/// The MIPS policy: CPU, kernel, OS profile and switches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mips {
    /// The CPU.
    pub cpu: Cpu,
    /// The kernel.
    pub kernel: Kernel,
    /// Linux or IRIX conventions.
    pub os: OsProfile,
    /// A static R8000 program with `OHW_R8KPFETCH` is rejected (EBADRQC), not only
    /// warned about (default on).
    pub strict_prefetch: bool,
    /// Reject `EF_MIPS_ARCH` above the CPU's ISA (EBADRQC), IRIX-style. Default off:
    /// Linux does not check it (e.g. it runs an R6 program under `ieee754=relaxed` on a
    /// release 2 CPU, or a MIPS64r2-flagged o32 program on a 24Kf).
    pub isa_check: bool,
    /// The descriptor for `AT_PFETCHFD` (from the kernel's exec-fd callback); `None`
    /// writes [`PFETCHFD_UNSET`] for the caller to replace.
    pub prefetch_fd: Option<u64>,
    /// A stack top the kernel imposes for every ABI instead of [`Mips::stack_top`] (the C
    /// ABI's `execcore_cpu.stack_top`); `None` derives it from the CPU and kernel.
    pub stack_top_override: Option<UserAddr>,
}

impl Mips {
    /// A Linux-profile policy for `cpu` on [`Kernel::for_cpu`], strict prefetch on, the
    /// ISA check off (as Linux).
    pub const fn new(cpu: Cpu) -> Mips {
        Mips {
            cpu,
            kernel: Kernel::for_cpu(&cpu),
            os: OsProfile::Linux,
            strict_prefetch: true,
            isa_check: false,
            prefetch_fd: None,
            stack_top_override: None,
        }
    }

    /// [`Mips::new`] for a named model.
    pub const fn model(model: CpuModel, endian: elf_stream::Endian) -> Mips {
        Mips::new(model.cpu(endian))
    }

    /// The same policy on `kernel`.
    pub const fn with_kernel(self, kernel: Kernel) -> Mips {
        Mips { kernel, ..self }
    }

    /// The same policy with OS profile `os`.
    pub const fn with_os(self, os: OsProfile) -> Mips {
        Mips { os, ..self }
    }

    /// `TASK_SIZE` for `abi`.
    pub const fn task_size(&self, abi: MipsAbi) -> u64 {
        match abi {
            MipsAbi::N64 => self.kernel.task_size64,
            _ if self.kernel.bits64 => cpu::TASK_SIZE32,
            _ => cpu::TASK_SIZE_32BIT_KERNEL,
        }
    }

    /// Pages the kernel keeps between the stack top and the vDSO: branch-delay emulation
    /// (with FP support), then the vvar data page and a GIC page.
    const fn below_vdso(&self) -> u64 {
        let page = self.kernel.page_size.get();
        let emu = if self.kernel.fp_support { page } else { 0 };
        let gic = if self.cpu.gic { page } else { 0 };
        emu.saturating_add(page).saturating_add(gic)
    }

    /// `STACK_TOP` (`mips_stack_top`, ASLR off): `TASK_SIZE` less the emulation page, the
    /// vDSO and its data pages, and the cache-colour span on aliasing CPUs.
    pub const fn stack_top(&self, abi: MipsAbi) -> UserAddr {
        let page = self.kernel.page_size;
        let vdso = self.kernel.vdso_pages.saturating_mul(page.get());
        let top = page.down(self.task_size(abi));
        UserAddr(
            top.saturating_sub(self.below_vdso()).saturating_sub(vdso).saturating_sub(self.cpu.dcache_alias),
        )
    }

    /// Where Linux maps the vDSO (ASLR off): above the emulation and vvar pages over the
    /// stack top — the `sysinfo_ehdr` to pass in [`exec_core::ExecParams`].
    pub const fn vdso_base(&self, abi: MipsAbi) -> UserAddr {
        UserAddr(self.stack_top(abi).0.saturating_add(self.below_vdso()))
    }

    /// The NaN encodings programs may use: (legacy, 2008).
    pub const fn nan_allowed(&self) -> (bool, bool) {
        let (legacy, nan2008) = self.cpu.nan_support(self.kernel.ieee754);
        self.kernel.ieee754.allowed(legacy, nan2008)
    }

    fn text_patch_needed(&self, abi: MipsAbi, hwpatch: Option<u32>) -> bool {
        self.cpu.r5000_cvt
            && abi != MipsAbi::O32
            && hwpatch.is_none_or(|bits| bits & options::ohw::R5KCVTL == 0)
    }

    /// Reads the arch program headers of one image as Linux's `arch_elf_pt_proc` loop
    /// does, plus `PT_MIPS_OPTIONS` and PT_GNU_STACK.
    fn scan<R: ReadAt, const W: usize>(
        &self,
        file: &ElfFile<R, W>,
        role: Role,
        info: &mut Info,
    ) -> Result<(), ExecError> {
        let elf = |error| ExecError::Elf { role, error };
        let h = file.header();
        let fp64 = h.class == elf_stream::Class::Elf32 && h.flags & flags::FP64 != 0;
        let mut fp_abi = fp::FP_ABI_UNKNOWN;
        let mut hwpatch: Option<u32> = None;
        for ph in file.program_headers() {
            let ph = ph.map_err(elf)?;
            if ph.kind == ProgramType::GNU_STACK && role == Role::Main {
                info.gnu_stack = true;
            }
            if !(0x7000_0000..=0x7fff_ffff).contains(&ph.kind.0) {
                continue;
            }
            // Linux sets OLD_64 for every processor-specific header of an FP64 o32 file,
            // so an abiflags record read earlier is overridden by a later header.
            if fp64 {
                fp_abi = i32::from(fp::fp_abi::OLD_64);
            }
            if ph.kind == ProgramType::MIPS_ABIFLAGS {
                let rec = read_abiflags(file, ph.offset, ph.filesz, role)?;
                fp_abi = i32::from(rec.fp_abi);
                if role == Role::Main {
                    info.abiflags = Some(rec);
                }
            } else if ph.kind == ProgramType::MIPS_OPTIONS {
                for opt in file.mips_options(&ph).map_err(elf)? {
                    let opt = opt.map_err(elf)?;
                    if opt.kind == OptionKind::HWPATCH {
                        hwpatch = Some(hwpatch.unwrap_or(0) | opt.info);
                    } else if opt.kind == OptionKind::EXCEPTIONS
                        && role == Role::Main
                        && info.exceptions.is_none()
                    {
                        info.exceptions = Some(FpExceptions { info: opt.info });
                    }
                }
            }
        }
        match role {
            Role::Main => {
                info.flags = h.flags;
                info.fp_abi = fp_abi;
                info.hwpatch = hwpatch;
            }
            Role::Interpreter => {
                info.interp_flags = Some(h.flags);
                info.interp_fp_abi = fp_abi;
                info.interp_hwpatch = hwpatch;
            }
        }
        Ok(())
    }
}

/// Reads a `PT_MIPS_ABIFLAGS` record (Linux: EINVAL when shorter than 24 bytes, EIO when
/// it cannot be read in full).
fn read_abiflags<R: ReadAt, const W: usize>(
    file: &ElfFile<R, W>,
    offset: FileOffset,
    filesz: u64,
    role: Role,
) -> Result<elf_stream::MipsAbiFlags, ExecError> {
    if filesz < elf_stream::ABIFLAGS_SIZE as u64 {
        return Err(ExecError::Elf { role, error: elf_stream::Error::MipsAbiFlagsTooShort { size: filesz } });
    }
    let mut rec = [0u8; elf_stream::ABIFLAGS_SIZE];
    match file.read_exact_at(offset, &mut rec) {
        Ok(()) => {}
        Err(e @ elf_stream::Error::Read { .. }) => return Err(ExecError::Elf { role, error: e }),
        Err(_) => return Err(MipsError::AbiFlagsUnreadable.into()),
    }
    let big = file.header().endian == elf_stream::Endian::Big;
    let u16_at = |i: usize| {
        let b = [rec.get(i).copied().unwrap_or(0), rec.get(i.wrapping_add(1)).copied().unwrap_or(0)];
        if big {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        }
    };
    let u32_at = |i: usize| {
        let mut b = [0u8; 4];
        if let Some(s) = rec.get(i..i.saturating_add(4)) {
            b.copy_from_slice(s);
        }
        if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    };
    let byte = |i: usize| rec.get(i).copied().unwrap_or(0);
    Ok(elf_stream::MipsAbiFlags {
        version: u16_at(0),
        isa_level: byte(2),
        isa_rev: byte(3),
        gpr_size: byte(4),
        cpr1_size: byte(5),
        cpr2_size: byte(6),
        fp_abi: byte(7),
        isa_ext: u32_at(8),
        ases: u32_at(12),
        flags1: u32_at(16),
        flags2: u32_at(20),
    })
}

impl Default for Mips {
    /// The oracle's machine: a little-endian 5KEf on [`Kernel::LINUX64`], Linux profile.
    fn default() -> Self {
        Mips::model(CpuModel::Mips5KEf, elf_stream::Endian::Little)
    }
}

impl ArchPolicy for Mips {
    type Info = Info;

    fn name(&self) -> &'static str {
        "mips"
    }

    fn accept(&self, h: &FileHeader) -> Result<Abi, ExecError> {
        Ok(abi::select_abi(h, self.cpu.endian, self.kernel.abi_support())?.abi())
    }

    fn page_size(&self) -> PageSize {
        self.kernel.page_size
    }

    fn header_rule(&self) -> elf_stream::HeaderRule {
        // binfmt_elf, binfmt_elfn32 and binfmt_elfo32 each check EI_CLASS in their
        // elf_check_arch; the byte order is the kernel's (a foreign one garbles e_machine).
        elf_stream::HeaderRule::Native { class: None, endian: Some(self.cpu.endian) }
    }

    fn set_personality(&self, _abi: Abi, personality: exec_core::Personality) -> exec_core::Personality {
        // SET_PERSONALITY2 keeps READ_IMPLIES_EXEC.
        personality
    }

    fn read_implies_exec(&self, info: &Info) -> exec_core::ExecOnRead {
        if info.read_implies_exec {
            exec_core::ExecOnRead::On
        } else {
            exec_core::ExecOnRead::Off
        }
    }

    fn layout(&self, abi: Abi) -> Result<Layout, ExecError> {
        let m = MipsAbi::from_abi(abi)?;
        let page = self.kernel.page_size;
        let task = self.task_size(m);
        let third = task / 3;
        let compat = m.addr32();
        // STACK_RND_MASK 0x7ff >> (PAGE_SHIFT - 12): 11 bits with 4 KiB pages.
        let stack_rnd_bits = 11u32.saturating_sub(page.get().trailing_zeros().saturating_sub(12));
        Ok(Layout {
            min_addr: UserAddr(0),
            task_size: UserAddr(task),
            // ELF_ET_DYN_BASE = TASK_SIZE / 3 * 2.
            et_dyn_base: UserAddr(third.saturating_mul(2)),
            stack_top: self.stack_top_override.unwrap_or(self.stack_top(m)),
            stack_guard_gap: page.get().saturating_mul(256),
            legacy_mmap_base: UserAddr(page.up(third).unwrap_or(third)),
            // ARCH_MMAP_RND_BITS_MIN: 12 (64-bit), compat and 32-bit kernels 8.
            mmap_rnd_bits: if compat || !self.kernel.bits64 { 8 } else { 12 },
            stack_rnd_bits,
            brk_rnd_range: if compat { 32 << 20 } else { 1 << 30 },
            static_pie_align: self.kernel.static_pie_align,
        })
    }

    fn kernel_word(&self) -> u64 {
        if self.kernel.bits64 {
            8
        } else {
            4
        }
    }

    fn default_exec_stack(&self, _abi: Abi) -> bool {
        // VM_STACK_DEFAULT_FLAGS carry VM_EXEC under READ_IMPLIES_EXEC, which Linux sets
        // for programs without PT_GNU_STACK on CPUs without RIXI.
        !self.cpu.rixi
    }

    fn platform(&self, _abi: Abi) -> Option<&[u8]> {
        self.cpu.platform
    }

    fn base_platform(&self, _abi: Abi) -> Option<&[u8]> {
        self.cpu.base_platform
    }

    fn inspect<R: ReadAt, const W: usize>(
        &self,
        file: &ElfFile<R, W>,
        role: Role,
        info: &mut Info,
    ) -> Result<(), ExecError> {
        self.scan(file, role, info)
    }

    fn finish(&self, abi: Abi, has_interp: bool, info: &mut Info) -> Result<(), ExecError> {
        let m = MipsAbi::from_abi(abi)?;
        info.abi = Some(m);
        // NaN encoding (arch_check_elf).
        let nan2008 = info.flags & flags::NAN2008 != 0;
        let (legacy_ok, nan2008_ok) = self.nan_allowed();
        if !(if nan2008 { nan2008_ok } else { legacy_ok }) {
            return Err(MipsError::NanNotAllowed { nan2008 }.into());
        }
        info.nan2008 = nan2008;
        if let (true, Some(iflags)) = (has_interp, info.interp_flags) {
            if (info.flags ^ iflags) & flags::NAN2008 != 0 {
                return Err(MipsError::NanMismatch.into());
            }
        }
        // ISA (IRIX-style: Linux does not look at EF_MIPS_ARCH).
        if self.isa_check {
            for f in core::iter::once(info.flags).chain(info.interp_flags.filter(|_| has_interp)) {
                if !Isa::from_e_flags(f).is_some_and(|isa| self.cpu.isa.runs(isa)) {
                    return Err(MipsError::IsaUnsupported { flags: f }.into());
                }
            }
        }
        // FPU mode.
        info.fp_mode = if self.kernel.o32_fp64 {
            let hw = fp::FpHardware { r6: self.cpu.isa.is_r6(), prefers_fr1: self.cpu.prefers_fr1() };
            let interp = has_interp.then_some(info.interp_fp_abi);
            fp::choose_mode(m == MipsAbi::O32, info.fp_abi, interp, hw)?
        } else if m == MipsAbi::O32 {
            FpMode::Fr0
        } else {
            FpMode::Fr1
        };
        info.fp_native = self.cpu.runs_mode(info.fp_mode);
        info.fcsr = if nan2008 { FCSR_NAN2008 | FCSR_ABS2008 } else { 0 }
            | info.exceptions.map_or(0, FpExceptions::fcsr_enables);
        // R8000 prefetch.
        let pfetch = info.hwpatch.is_some_and(|b| b & options::ohw::R8KPFETCH != 0);
        if self.cpu.r8000_prefetch && pfetch {
            if has_interp {
                info.prefetch_fd = true;
            } else {
                info.prefetch_warning = true;
                if self.strict_prefetch {
                    return Err(MipsError::R8000Prefetch.into());
                }
            }
        }
        // R5000 cvt.[ds].l.
        info.text_patch = TextPatch {
            main: self.text_patch_needed(m, info.hwpatch),
            interp: has_interp && self.text_patch_needed(m, info.interp_hwpatch),
        };
        info.read_implies_exec = !self.cpu.rixi && !info.gnu_stack;
        Ok(())
    }

    fn warnings(&self, info: &Info, emit: &mut dyn FnMut(&'static str)) {
        if info.prefetch_warning {
            emit("static program may need R8000 prefetch patches (OHW_R8KPFETCH) and has no runtime linker to apply them");
        }
    }

    fn mmap_colour(&self) -> u64 {
        self.cpu.dcache_alias
    }

    fn adjust_mapping(&self, prot: Prot, role: Role, _has_interp: bool, info: &Info) -> (Prot, MappingFlags) {
        let patch = match role {
            Role::Main => info.text_patch.main,
            Role::Interpreter => info.text_patch.interp,
        };
        let flags = if patch && prot.contains(Prot::EXEC) && !prot.contains(Prot::WRITE) {
            MappingFlags::TEXT_PATCH
        } else {
            MappingFlags::NONE
        };
        let prot =
            if info.read_implies_exec && prot.contains(Prot::READ) { prot.union(Prot::EXEC) } else { prot };
        (prot, flags)
    }

    fn text_scanner(&self) -> Option<exec_core::TextScanFn> {
        // Only the R5000 workaround marks mappings; the scanner is the same for every CPU.
        Some(cvt::find_cvt_l)
    }

    fn auxv(&self, ctx: &AuxvContext<'_>, info: &Info, out: &mut Auxv) -> Result<(), ExecError> {
        let fd = self.prefetch_fd.unwrap_or(PFETCHFD_UNSET);
        match self.os.data().auxv {
            AuxvStyle::Linux => {
                exec_core::auxv::linux_auxv(self, ctx, info, out)?;
                if info.prefetch_fd {
                    out.push(AuxType::AT_PFETCHFD, fd)?;
                }
            }
            AuxvStyle::Irix if ctx.has_interp => {
                out.push(AuxType::AT_PHDR, ctx.phdr.0)?;
                out.push(AuxType::AT_PHENT, ctx.phent)?;
                out.push(AuxType::AT_PHNUM, ctx.phnum)?;
                out.push(AuxType::AT_ENTRY, ctx.entry.0)?;
                if info.prefetch_fd {
                    out.push(AuxType::AT_PFETCHFD, fd)?;
                }
                let align = self.os.data().base_align.max(1);
                out.push(AuxType::AT_BASE, ctx.base.0 & !(align.wrapping_sub(1)))?;
                out.push(AuxType::AT_PAGESZ, ctx.page_size)?;
            }
            AuxvStyle::Irix => {}
        }
        Ok(())
    }

    fn arch_auxv(&self, ctx: &AuxvContext<'_>, _info: &Info, out: &mut Auxv) -> Result<(), ExecError> {
        if let Some(vdso) = ctx.params.sysinfo_ehdr {
            out.push(AuxType::AT_SYSINFO_EHDR, vdso.0)?;
        }
        Ok(())
    }

    fn hwcaps(&self) -> [Option<u64>; 4] {
        [Some(self.cpu.hwcap), None, None, None]
    }

    fn errno(&self, err: &ExecError) -> Errno {
        self.os.errno(err)
    }
}
