//! # arch-x86_64
//!
//! The x86_64 [`ArchPolicy`]: EM_X86_64, ELFCLASS64, little endian; Linux's 47-bit user
//! space (stack top `0x7ffffffff000`, `ELF_ET_DYN_BASE` `0x555555554aaa`), platform
//! "x86_64", `AT_SYSINFO_EHDR` and `AT_MINSIGSTKSZ` first in the auxv, HWCAP/HWCAP2
//! from the caller's CPU description, every register zero at entry but rip and rsp
//! (rdx = 0: no exit hook). IBT/SHSTK GNU properties are reported, not enforced (Linux
//! enables user shadow stacks through `arch_prctl`, not the ELF note).
//!
//! ```
//! use arch_x86_64::{Cpu, X86_64};
//! let policy = X86_64::new(Cpu { hwcap: 0x178bfbff, hwcap2: 2, minsigstksz: Some(3632) });
//! # let _ = policy;
//! ```
#![no_std]
#![forbid(unsafe_code)]

use elf_stream::{Class, ElfFile, FileHeader, Machine, ReadAt};
use exec_core::auxv::{AuxType, Auxv, AuxvContext};
use exec_core::{
    Abi, ArchPolicy, ExecError, HeaderCheck, Layout, PageSize, Parameter, Role, StaticPieAlign, UserAddr,
};

/// The x86_64 ABI.
pub const ABI: Abi = Abi::X86_64;

/// Linux's `TASK_SIZE` (and `STACK_TOP`) for 4-level paging: `(1 << 47) - 4096`.
pub const TASK_SIZE: u64 = 0x7fff_ffff_f000;

/// What the caller's CPU reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Cpu {
    /// `AT_HWCAP` (CPUID.1:EDX on Linux).
    pub hwcap: u64,
    /// `AT_HWCAP2` (ring-3 MONITOR/MWAIT, FSGSBASE bits).
    pub hwcap2: u64,
    /// `AT_MINSIGSTKSZ` (signal frame size for the enabled XSAVE features); `None` omits it.
    pub minsigstksz: Option<u64>,
}

/// Facts the x86_64 policy records in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Info {
    /// The program's `GNU_PROPERTY_X86_FEATURE_1_AND` bits (IBT = 1, SHSTK = 2), if any.
    pub feature_1_and: Option<u32>,
}

/// The x86_64 policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct X86_64 {
    /// The CPU description.
    pub cpu: Cpu,
}

impl X86_64 {
    /// A policy for `cpu`.
    pub const fn new(cpu: Cpu) -> Self {
        X86_64 { cpu }
    }
}

impl ArchPolicy for X86_64 {
    type Info = Info;

    fn name(&self) -> &'static str {
        "x86_64"
    }

    fn accept(&self, h: &FileHeader) -> Result<Abi, ExecError> {
        HeaderCheck {
            machine: Machine::X86_64,
            wrong_machine: "not an x86_64 executable",
            class: Class::Elf64,
            wrong_class: "x86_64 executables must be ELFCLASS64",
            big_endian: Some("x86_64 executables must be little endian"),
        }
        .check(h)?;
        Ok(ABI)
    }

    fn page_size(&self) -> PageSize {
        PageSize::K4
    }

    fn layout(&self, abi: Abi) -> Result<Layout, ExecError> {
        if abi != ABI {
            return Err(ExecError::InvalidParameter(Parameter::ForeignAbi));
        }
        Ok(Layout {
            min_addr: UserAddr(0),
            task_size: UserAddr(TASK_SIZE),
            et_dyn_base: UserAddr(TASK_SIZE / 3 * 2),
            stack_top: UserAddr(TASK_SIZE),
            stack_guard_gap: 256 * 4096,
            legacy_mmap_base: UserAddr((TASK_SIZE / 3 + 4095) & !4095),
            mmap_rnd_bits: 28,
            stack_rnd_bits: 22,
            brk_rnd_range: 1 << 30,
            static_pie_align: StaticPieAlign::HonouredSince6_10,
        })
    }

    fn legacy_layout_on_unlimited_stack(&self) -> bool {
        // arch/x86/mm/mmap.c: mmap_is_legacy() looks only at the personality and sysctl.
        false
    }

    fn platform(&self, _abi: Abi) -> Option<&[u8]> {
        Some(b"x86_64")
    }

    fn inspect<R: ReadAt, const W: usize>(
        &self,
        file: &ElfFile<R, W>,
        role: Role,
        info: &mut Info,
    ) -> Result<(), ExecError> {
        // Reported only: Linux/x86 does not parse the property note, so a malformed one
        // must not reject a file Linux runs.
        if role == Role::Main {
            info.feature_1_and = file.gnu_properties().ok().flatten().and_then(|p| p.x86_feature_1_and);
        }
        Ok(())
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
        [Some(self.cpu.hwcap), Some(self.cpu.hwcap2), None, None]
    }
}
