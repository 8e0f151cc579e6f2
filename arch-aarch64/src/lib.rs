//! # arch-aarch64
//!
//! The AArch64 [`ArchPolicy`], as Linux/arm64 6.x decides:
//!
//! - **Files**: `EM_AARCH64` (183), `ELFCLASS64`, little endian. Big-endian programs
//!   (`aarch64_be`) are recognised and rejected with their own error
//!   (`aarch64_be_unsupported`) unless [`Cpu::big_endian`] is set; they then get the
//!   [`ABI_BE`] ABI and the platform string `"aarch64_be"`.
//! - **Pages**: 4, 16 or 64 KiB ([`Cpu::page_size`]). Programs linked for 64 KiB pages (the
//!   AArch64 default `max-page-size`) load under any of them. A PT_LOAD whose `p_vaddr` and
//!   `p_offset` differ modulo the page size cannot be mapped; when its `p_align` is smaller
//!   than the page this is reported as `aarch64_page_size_too_large` (EINVAL, Linux's mmap
//!   error), otherwise exec-core's `misaligned_segment`.
//! - **Layout** ([`Aarch64::layout`]): the 64-bit map window is `1 << min(va_bits, 48)`
//!   (`DEFAULT_MAP_WINDOW_64`), `TASK_SIZE` and `STACK_TOP` are its end,
//!   `ELF_ET_DYN_BASE = 2 * window / 3` (`0xaaaaaaaaaaaa` for 48-bit VA, so a 64 KiB-aligned
//!   PIE lands at `0xaaaaaaaa0000`), `TASK_UNMAPPED_BASE = window / 4`, stack guard gap 256
//!   pages, `STACK_RND_MASK` 18/16/14 bits and `mmap_rnd_bits` 18/16/14 (Kconfig defaults
//!   for 4/16/64 KiB pages; [`Aarch64::mmap_rnd_bits`] overrides), brk randomised over 1 GiB.
//!   Static-pie alignment follows [`Cpu::static_pie_align`]; the default (`p_align`
//!   honoured) is what the Debian 6.1 oracle kernel (6.1.192) and Linux ≥ 6.10 do.
//! - **Auxv**: `AT_SYSINFO_EHDR` (when the caller maps a vDSO), then `AT_MINSIGSTKSZ` (or
//!   `AT_IGNORE` when [`Cpu::minsigstksz`] is `None`, exactly as arm64's `ARCH_DLINFO`),
//!   HWCAP/HWCAP2 (and HWCAP3/4 when set) from the [`Cpu`], platform `"aarch64"`.
//! - **Entry**: every register zero but pc and sp; x0 = 0 is listed explicitly
//!   (`ELF_PLAT_INIT`: no exit hook); sp 16-byte aligned.
//! - **BTI** (`arch_parse_elf_property`, `arch_elf_adjust_prot`): Linux reads the
//!   `PT_GNU_PROPERTY` note of the interpreter when there is one, else of the program, and
//!   puts `PROT_BTI` ([`Prot::BTI`]) on the executable mappings of *that* image when its
//!   `GNU_PROPERTY_AARCH64_FEATURE_1_AND` has the BTI bit and the kernel supports BTI
//!   ([`Cpu::bti`]). The main program of a dynamic exec never gets it from the kernel
//!   (ld.so applies it). A malformed note of the image Linux reads is ENOEXEC; the note of
//!   an image Linux does not read (the program, when it has an interpreter) is reported
//!   but never rejects the exec. PAC and GCS bits are recorded in [`Info`].
//!
//! ```
//! use arch_aarch64::{Aarch64, Cpu};
//! use exec_core::PageSize;
//! let policy = Aarch64::new(Cpu { page_size: PageSize::K16, va_bits: 47, hwcap: 0xefff, ..Cpu::default() });
//! # let _ = policy;
//! ```
#![no_std]
#![forbid(unsafe_code)]

use elf_stream::{aarch64_feature, Class, ElfFile, Endian, FileHeader, Machine, ProgramType, ReadAt};
use exec_core::auxv::{AuxType, Auxv, AuxvContext};
use exec_core::{
    Abi, ArchCode, ArchError, ArchPolicy, EntryRegisters, ExecError, ExecParams, HeaderCheck, Layout,
    MappingFlags, PageSize, Parameter, Prot, Role, StaticPieAlign, UserAddr,
};

/// The little-endian AArch64 ABI (LP64).
pub const ABI: Abi = Abi::Aarch64;
/// The big-endian AArch64 ABI (`aarch64_be`), accepted only when [`Cpu::big_endian`] is set.
pub const ABI_BE: Abi = Abi::Aarch64Be;

/// `AT_PLATFORM` of little-endian programs (`ELF_PLATFORM`).
pub const PLATFORM: &[u8] = b"aarch64";
/// `AT_PLATFORM` of big-endian programs.
pub const PLATFORM_BE: &[u8] = b"aarch64_be";

/// Largest 64-bit map window Linux gives without an explicit high hint
/// (`DEFAULT_MAP_WINDOW_64` is `1 << 48` even on 52-bit VA kernels).
pub const MAX_WINDOW_BITS: u32 = 48;
/// Smallest and largest supported user VA widths (Linux: 36 with 16 KiB pages .. 52).
pub const VA_BITS_RANGE: core::ops::RangeInclusive<u32> = 36..=52;

/// Register number of x0 in [`EntryRegisters::regs`].
pub const REG_X0: u8 = 0;

/// The caller's CPU and kernel description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// Page size (4, 16 or 64 KiB).
    pub page_size: PageSize,
    /// User virtual-address bits (`vabits_actual`): 48 or 39 with 4 KiB pages, 47 or 36
    /// with 16 KiB, 48 or 42 with 64 KiB, 52 with LPA/LPA2. Must lie in [`VA_BITS_RANGE`].
    pub va_bits: u32,
    /// `AT_HWCAP`.
    pub hwcap: u64,
    /// `AT_HWCAP2`.
    pub hwcap2: u64,
    /// `AT_HWCAP3`, if the kernel reports it.
    pub hwcap3: Option<u64>,
    /// `AT_HWCAP4`, if the kernel reports it.
    pub hwcap4: Option<u64>,
    /// `AT_MINSIGSTKSZ` (the signal frame size for this CPU's features); `None` puts
    /// `AT_IGNORE` in its slot, as Linux does when it has no value.
    pub minsigstksz: Option<u64>,
    /// The kernel maps `PROT_BTI` (BTI-capable CPU and kernel: `system_supports_bti()`).
    pub bti: bool,
    /// Accept big-endian (`aarch64_be`) programs.
    pub big_endian: bool,
    /// Static-pie alignment rule of the kernel being reproduced.
    pub static_pie_align: StaticPieAlign,
}

impl Default for Cpu {
    /// 4 KiB pages, 48-bit VA, no HWCAPs, no `AT_MINSIGSTKSZ` value, BTI on, little endian,
    /// static-pie `p_align` honoured.
    fn default() -> Self {
        Cpu {
            page_size: PageSize::K4,
            va_bits: 48,
            hwcap: 0,
            hwcap2: 0,
            hwcap3: None,
            hwcap4: None,
            minsigstksz: None,
            bti: true,
            big_endian: false,
            static_pie_align: StaticPieAlign::HonouredSince6_10,
        }
    }
}

impl Cpu {
    /// log2 of the page size.
    pub const fn page_shift(&self) -> u32 {
        self.page_size.get().trailing_zeros()
    }

    /// Bits of the default 64-bit map window: `min(va_bits, 48)`.
    pub const fn window_bits(&self) -> u32 {
        if self.va_bits < MAX_WINDOW_BITS {
            self.va_bits
        } else {
            MAX_WINDOW_BITS
        }
    }
}

/// Facts the policy records in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Info {
    /// The program's `GNU_PROPERTY_AARCH64_FEATURE_1_AND` bits (BTI 1, PAC 2, GCS 4), if
    /// its note has the property. Read also when Linux ignores it (dynamic programs).
    pub main_features: Option<u32>,
    /// The interpreter's `FEATURE_1_AND` bits, if any.
    pub interp_features: Option<u32>,
    /// The program's property note is malformed (ignored when it has an interpreter, as
    /// Linux reads only the interpreter's note then; the exec fails otherwise).
    pub main_property_error: Option<elf_stream::Error>,
    /// The image whose property note Linux honours: the interpreter when there is one,
    /// else the program (set by `finish`).
    pub property_image: Option<Role>,
    /// `FEATURE_1_AND` bits of [`Info::property_image`] (0 without the property).
    pub features: u32,
    /// The image whose executable mappings get `PROT_BTI`, if any.
    pub bti_on: Option<Role>,
    /// Pending rejection found while inspecting, reported by `finish` in Linux's order.
    pending: Pending,
}

/// Rejections found by `inspect` that Linux reports later (after the property notes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
struct Pending {
    interp_property: Option<elf_stream::Error>,
    main_misaligned: Option<u64>,
    interp_misaligned: Option<u64>,
}

impl Info {
    /// The honoured image asks for BTI (`GNU_PROPERTY_AARCH64_FEATURE_1_BTI`).
    pub const fn bti(&self) -> bool {
        self.features & aarch64_feature::BTI != 0
    }

    /// The honoured image is built with pointer authentication (PAC-RET); informational.
    pub const fn pac(&self) -> bool {
        self.features & aarch64_feature::PAC != 0
    }

    /// The honoured image is compatible with the Guarded Control Stack; informational
    /// (user space enables GCS through `prctl`, not the kernel at exec).
    pub const fn gcs(&self) -> bool {
        self.features & aarch64_feature::GCS != 0
    }
}

/// The AArch64 policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Aarch64 {
    /// The CPU description.
    pub cpu: Cpu,
    /// `vm.mmap_rnd_bits`; `None`: the arm64 Kconfig default (`ARCH_MMAP_RND_BITS_MIN`:
    /// 18, 16 or 14 bits for 4, 16 or 64 KiB pages).
    pub mmap_rnd_bits: Option<u32>,
}

impl Aarch64 {
    /// A policy for `cpu`.
    pub const fn new(cpu: Cpu) -> Self {
        Aarch64 { cpu, mmap_rnd_bits: None }
    }

    /// `ELF_ET_DYN_BASE`: two thirds of the map window, before alignment.
    pub const fn et_dyn_base(&self) -> u64 {
        let window = 1u64 << self.cpu.window_bits();
        // 2 * window / 3 without overflow (window <= 1 << 48).
        (window / 3).wrapping_mul(2).wrapping_add((window % 3).wrapping_mul(2) / 3)
    }

    /// `STACK_TOP` (= `TASK_SIZE` of the map window) for this CPU.
    pub const fn stack_top(&self) -> UserAddr {
        UserAddr(1u64 << self.cpu.window_bits())
    }

    /// Width of `STACK_RND_MASK` in pages: `0x3ffff >> (PAGE_SHIFT - 12)`.
    pub const fn stack_rnd_bits(&self) -> u32 {
        18u32.saturating_sub(self.cpu.page_shift().saturating_sub(12))
    }

    /// `mmap_rnd_bits` in effect.
    pub const fn effective_mmap_rnd_bits(&self) -> u32 {
        match self.mmap_rnd_bits {
            Some(b) => b,
            // ARCH_MMAP_RND_BITS_MIN: 18 (4K), 16 (16K), 14 (64K).
            None => 18u32.saturating_sub(self.cpu.page_shift().saturating_sub(12)),
        }
    }

    fn check_cpu(&self) -> Result<(), ExecError> {
        let page = self.cpu.page_size.get();
        if page != 4096 && page != 16384 && page != 65536 {
            return Err(ExecError::InvalidParameter(Parameter::Aarch64PageSize));
        }
        if !VA_BITS_RANGE.contains(&self.cpu.va_bits) {
            return Err(ExecError::InvalidParameter(Parameter::Aarch64VaBits));
        }
        Ok(())
    }
}

/// Error for a PT_LOAD linked for smaller pages than the CPU's (value: its `p_align`).
pub const fn page_size_too_large(p_align: u64) -> ExecError {
    ArchError::reject(
        ArchCode::Aarch64PageSizeTooLarge,
        "a PT_LOAD aligned to less than the CPU page size has p_vaddr and p_offset that differ \
         modulo the page size: the program was linked for smaller pages and cannot be mapped",
        p_align,
    )
}

impl ArchPolicy for Aarch64 {
    type Info = Info;

    fn name(&self) -> &'static str {
        "aarch64"
    }

    fn accept(&self, h: &FileHeader) -> Result<Abi, ExecError> {
        self.check_cpu()?;
        HeaderCheck {
            machine: Machine::AARCH64,
            wrong_machine: "not an AArch64 executable",
            class: Class::Elf64,
            wrong_class: "AArch64 executables must be ELFCLASS64 (AArch32 and ILP32 are not supported)",
            big_endian: None,
        }
        .check(h)?;
        match h.endian {
            Endian::Little => Ok(ABI),
            Endian::Big if self.cpu.big_endian => Ok(ABI_BE),
            Endian::Big => Err(ArchError::reject(
                ArchCode::Aarch64BigEndianUnsupported,
                "big-endian AArch64 (aarch64_be) is not enabled for this CPU",
                2,
            )),
        }
    }

    fn page_size(&self) -> PageSize {
        self.cpu.page_size
    }

    fn header_rule(&self) -> elf_stream::HeaderRule {
        // elf_check_arch reads only e_machine: the header is the kernel's ELF64, in its
        // byte order (little endian, or either when big-endian programs are enabled).
        let endian = if self.cpu.big_endian { None } else { Some(elf_stream::Endian::Little) };
        elf_stream::HeaderRule::Native { class: Some(elf_stream::Class::Elf64), endian }
    }

    fn layout(&self, abi: Abi) -> Result<Layout, ExecError> {
        let page = self.cpu.page_size;
        let window = 1u64 << self.cpu.window_bits();
        let quarter = window / 4;
        if abi != ABI && abi != ABI_BE {
            return Err(ExecError::InvalidParameter(Parameter::ForeignAbi));
        }
        Ok(Layout {
            min_addr: UserAddr(0),
            task_size: UserAddr(window),
            et_dyn_base: UserAddr(self.et_dyn_base()),
            stack_top: self.stack_top(),
            stack_guard_gap: page.get().saturating_mul(256),
            legacy_mmap_base: UserAddr(page.up(quarter).unwrap_or(quarter)),
            mmap_rnd_bits: self.effective_mmap_rnd_bits(),
            stack_rnd_bits: self.stack_rnd_bits(),
            brk_rnd_range: 1 << 30,
            static_pie_align: self.cpu.static_pie_align,
        })
    }

    fn platform(&self, abi: Abi) -> Option<&[u8]> {
        Some(if abi == ABI_BE { PLATFORM_BE } else { PLATFORM })
    }

    fn inspect<R: ReadAt, const W: usize>(
        &self,
        file: &ElfFile<R, W>,
        role: Role,
        info: &mut Info,
    ) -> Result<(), ExecError> {
        let misaligned = misaligned_load(file, self.cpu.page_size, role)?;
        // arm64 parses the note of the image it honours (ARCH_USE_GNU_PROPERTY); decide in
        // `finish` which one that is, so a bad note of the other image rejects nothing.
        let props = file.gnu_properties().map(|p| p.and_then(|p| p.aarch64_feature_1_and));
        match role {
            Role::Main => {
                info.pending.main_misaligned = misaligned;
                match props {
                    Ok(bits) => info.main_features = bits,
                    Err(e) => info.main_property_error = Some(e),
                }
            }
            Role::Interpreter => {
                info.pending.interp_misaligned = misaligned;
                match props {
                    Ok(bits) => info.interp_features = bits,
                    Err(e) => info.pending.interp_property = Some(e),
                }
            }
        }
        Ok(())
    }

    fn finish(&self, _abi: Abi, has_interp: bool, info: &mut Info) -> Result<(), ExecError> {
        // Linux's order: the honoured note (parse_elf_properties), then the program's
        // mappings, then the interpreter's.
        let (role, bits, bad) = if has_interp {
            (Role::Interpreter, info.interp_features, info.pending.interp_property)
        } else {
            (Role::Main, info.main_features, info.main_property_error)
        };
        if let Some(error) = bad {
            return Err(ExecError::Elf { role, error });
        }
        if let Some(align) = info.pending.main_misaligned {
            return Err(page_size_too_large(align));
        }
        if let Some(align) = info.pending.interp_misaligned.filter(|_| has_interp) {
            return Err(page_size_too_large(align));
        }
        info.property_image = Some(role);
        info.features = bits.unwrap_or(0);
        info.bti_on = (info.bti() && self.cpu.bti).then_some(role);
        Ok(())
    }

    fn adjust_mapping(&self, prot: Prot, role: Role, has_interp: bool, info: &Info) -> (Prot, MappingFlags) {
        // arch_elf_adjust_prot: only the image whose note was read (is_interp == has_interp).
        let honoured = (role == Role::Interpreter) == has_interp;
        if honoured && info.bti_on == Some(role) && prot.contains(Prot::EXEC) {
            return (prot.union(Prot::BTI), MappingFlags::NONE);
        }
        (prot, MappingFlags::NONE)
    }

    fn arch_auxv(&self, ctx: &AuxvContext<'_>, _info: &Info, out: &mut Auxv) -> Result<(), ExecError> {
        if let Some(vdso) = ctx.params.sysinfo_ehdr {
            out.push(AuxType::AT_SYSINFO_EHDR, vdso.0)?;
        }
        match self.cpu.minsigstksz {
            Some(size) if size != 0 => out.push(AuxType::AT_MINSIGSTKSZ, size),
            _ => out.push(AuxType::AT_IGNORE, 0),
        }
    }

    fn hwcaps(&self) -> [Option<u64>; 4] {
        [Some(self.cpu.hwcap), Some(self.cpu.hwcap2), self.cpu.hwcap3, self.cpu.hwcap4]
    }

    fn entry_registers(
        &self,
        pc: UserAddr,
        sp: UserAddr,
        _info: &Info,
        _params: &ExecParams<'_>,
    ) -> EntryRegisters {
        // ELF_PLAT_INIT: x0 = 0 (no exit handler for the dynamic linker to pass on).
        EntryRegisters { pc, sp, regs: [Some((REG_X0, 0)), None, None, None] }
    }
}

/// The `p_align` of the first PT_LOAD whose `p_align` is below the page size and whose
/// `p_vaddr` and `p_offset` disagree within a page. Out of line: its program header walk is
/// off the stack before `inspect` reads the GNU property note.
#[inline(never)]
fn misaligned_load<R: ReadAt, const W: usize>(
    file: &ElfFile<R, W>,
    page: PageSize,
    role: Role,
) -> Result<Option<u64>, ExecError> {
    let mut misaligned = None;
    for ph in file.program_headers() {
        let ph = ph.map_err(|e| ExecError::elf(role, e))?;
        // Only a segment mapped from the file (p_filesz != 0: elf_load) can fail so.
        if ph.kind == ProgramType::LOAD
            && ph.filesz > 0
            && ph.align < page.get()
            && page.offset(ph.vaddr.0) != page.offset(ph.offset.0)
        {
            misaligned.get_or_insert(ph.align);
        }
    }
    Ok(misaligned)
}
