//! # arch-aarch64
//!
//! The AArch64 [`ArchPolicy`]: EM_AARCH64, ELFCLASS64, little endian (big endian is
//! recognised and rejected unless the [`Cpu`] allows it); 4, 16 or 64 KiB pages; Linux's
//! layout for 48- or 39-bit VA (`ELF_ET_DYN_BASE` = 2/3 of the space, stack at the top);
//! platform "aarch64"; `AT_SYSINFO_EHDR` and `AT_MINSIGSTKSZ` first in the auxv; HWCAP,
//! HWCAP2 (and 3/4) from the caller; every register zero at entry but pc and sp.
//!
//! BTI follows Linux (`arch_elf_adjust_prot`): the `GNU_PROPERTY_AARCH64_FEATURE_1_AND` of
//! the interpreter when there is one, else of the static executable, puts `PROT_BTI` on
//! that image's executable mappings; the main program of a dynamic exec is left to ld.so.
//!
//! ```
//! use arch_aarch64::{Aarch64, Cpu};
//! let policy = Aarch64::new(Cpu { hwcap: 0xefff, ..Cpu::default() });
//! # let _ = policy;
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use elf_stream::{aarch64_feature, Class, ElfFile, Endian, Errno, FileHeader, Machine, ReadAt};
use exec_core::auxv::{AuxType, Auxv, AuxvContext};
use exec_core::{
    Abi, ArchError, ArchPolicy, ExecError, Layout, MappingFlags, PageSize, Prot, Role, StaticPieAlign,
    UserAddr,
};

/// The AArch64 ABI.
pub const ABI: Abi = Abi("aarch64");

/// The caller's CPU and kernel description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// Page size (4, 16 or 64 KiB).
    pub page_size: PageSize,
    /// User address bits (48 or 39 with 4 KiB pages; 47/42 with 16/64 KiB).
    pub va_bits: u32,
    /// `AT_HWCAP`.
    pub hwcap: u64,
    /// `AT_HWCAP2`.
    pub hwcap2: u64,
    /// `AT_HWCAP3`, if the kernel reports it.
    pub hwcap3: Option<u64>,
    /// `AT_HWCAP4`, if the kernel reports it.
    pub hwcap4: Option<u64>,
    /// `AT_MINSIGSTKSZ`; `None` omits it.
    pub minsigstksz: Option<u64>,
    /// The kernel maps PROT_BTI (BTI-capable CPU and kernel).
    pub bti: bool,
    /// Accept big-endian (aarch64_be) programs.
    pub big_endian: bool,
    /// Static-pie alignment rule of the kernel being reproduced.
    pub static_pie_align: StaticPieAlign,
}

impl Default for Cpu {
    /// 4 KiB pages, 48-bit VA, BTI on, little endian, Linux 6.10+ rules.
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

/// Facts the policy records in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Info {
    /// The program's FEATURE_1_AND bits (BTI 1, PAC 2, GCS 4), if it has the property.
    pub main_features: Option<u32>,
    /// The interpreter's FEATURE_1_AND bits, if any.
    pub interp_features: Option<u32>,
    /// Whether PROT_BTI is applied, and to which image.
    pub bti_on: Option<Role>,
}

/// The AArch64 policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Aarch64 {
    /// The CPU description.
    pub cpu: Cpu,
}

impl Aarch64 {
    /// A policy for `cpu`.
    pub const fn new(cpu: Cpu) -> Self {
        Aarch64 { cpu }
    }
}

const fn reject(kind: &'static str, message: &'static str, value: u64) -> ExecError {
    ExecError::Arch(ArchError { kind, message, errno: Errno::ENOEXEC, value })
}

impl ArchPolicy for Aarch64 {
    type Info = Info;

    fn name(&self) -> &'static str {
        "aarch64"
    }

    fn accept(&self, h: &FileHeader) -> Result<Abi, ExecError> {
        if h.machine != Machine::AARCH64 {
            return Err(reject("wrong_machine", "not an AArch64 executable", u64::from(h.machine.0)));
        }
        if h.class != Class::Elf64 {
            return Err(reject("wrong_class", "AArch64 executables must be ELFCLASS64", 1));
        }
        if h.endian == Endian::Big && !self.cpu.big_endian {
            return Err(reject(
                "aarch64_be_unsupported",
                "big-endian AArch64 (aarch64_be) is not enabled",
                2,
            ));
        }
        Ok(ABI)
    }

    fn page_size(&self) -> PageSize {
        self.cpu.page_size
    }

    fn layout(&self, _abi: Abi) -> Layout {
        let bits = self.cpu.va_bits.clamp(36, 52);
        let task = 1u64 << bits;
        let page = self.cpu.page_size;
        let third = task / 3;
        Layout {
            min_addr: UserAddr(0),
            task_size: UserAddr(task),
            // arm64: ELF_ET_DYN_BASE = 2 * DEFAULT_MAP_WINDOW_64 / 3.
            et_dyn_base: UserAddr(2 * (task / 3) + (2 * (task % 3)) / 3),
            stack_top: UserAddr(task),
            stack_guard_gap: 256 * page.get(),
            legacy_mmap_base: UserAddr(page.up(third).unwrap_or(third)),
            mmap_rnd_bits: bits.saturating_sub(page.get().trailing_zeros()).saturating_sub(15).min(33),
            stack_rnd_bits: bits.saturating_sub(page.get().trailing_zeros()).saturating_sub(18).max(1),
            brk_rnd_range: 1 << 30,
            static_pie_align: self.cpu.static_pie_align,
        }
    }

    fn platform(&self, _abi: Abi) -> Option<&[u8]> {
        Some(b"aarch64")
    }

    fn inspect<R: ReadAt, const W: usize>(
        &self,
        file: &ElfFile<R, W>,
        role: Role,
        info: &mut Info,
    ) -> Result<(), ExecError> {
        // arm64 parses the property note (Linux: ARCH_USE_GNU_PROPERTY): malformed is ENOEXEC.
        let props = file.gnu_properties().map_err(|e| ExecError::Elf { role, error: e })?;
        let bits = props.and_then(|p| p.aarch64_feature_1_and);
        match role {
            Role::Main => info.main_features = bits,
            Role::Interpreter => info.interp_features = bits,
        }
        Ok(())
    }

    fn finish(&self, _abi: Abi, has_interp: bool, info: &mut Info) -> Result<(), ExecError> {
        let (role, bits) = if has_interp {
            (Role::Interpreter, info.interp_features)
        } else {
            (Role::Main, info.main_features)
        };
        let wants = bits.is_some_and(|b| b & aarch64_feature::BTI != 0);
        info.bti_on = (wants && self.cpu.bti).then_some(role);
        Ok(())
    }

    fn adjust_mapping(&self, prot: Prot, role: Role, _has_interp: bool, info: &Info) -> (Prot, MappingFlags) {
        if info.bti_on == Some(role) && prot.contains(Prot::EXEC) {
            return (prot.union(Prot::BTI), MappingFlags::NONE);
        }
        (prot, MappingFlags::NONE)
    }

    fn arch_auxv(&self, ctx: &AuxvContext<'_>, _info: &Info, out: &mut Auxv) -> Result<(), ExecError> {
        if let Some(vdso) = ctx.params.sysinfo_ehdr {
            out.push(AuxType::AT_SYSINFO_EHDR, vdso.0)?;
        }
        if let Some(size) = self.cpu.minsigstksz {
            out.push(AuxType::AT_MINSIGSTKSZ, size)?;
        }
        Ok(())
    }

    fn hwcaps(&self) -> [Option<u64>; 4] {
        [Some(self.cpu.hwcap), Some(self.cpu.hwcap2), self.cpu.hwcap3, self.cpu.hwcap4]
    }
}
