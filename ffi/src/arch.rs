//! Dispatch from the C CPU description to the arch policies compiled in.

use crate::fail::Fail;
use crate::status::FfiCode;
use crate::types::*;
use exec_core::ExecError;

/// Arch facts of any supported architecture (what the C plan stores).
#[derive(Clone, Copy, Debug, Default)]
pub enum AnyInfo {
    /// None yet.
    #[default]
    None,
    /// x86_64.
    #[cfg(feature = "arch-x86_64")]
    X86_64(arch_x86_64::Info),
    /// AArch64.
    #[cfg(feature = "arch-aarch64")]
    Aarch64(arch_aarch64::Info),
    /// MIPS.
    #[cfg(feature = "arch-mips")]
    Mips(arch_mips::Info),
    /// RISC-V 64.
    #[cfg(feature = "arch-riscv64")]
    Riscv64(arch_riscv64::Info),
}

/// A policy built from an [`execcore_cpu`].
pub enum AnyPolicy {
    /// x86_64.
    #[cfg(feature = "arch-x86_64")]
    X86_64(arch_x86_64::X86_64),
    /// AArch64.
    #[cfg(feature = "arch-aarch64")]
    Aarch64(arch_aarch64::Aarch64),
    /// MIPS.
    #[cfg(feature = "arch-mips")]
    Mips(arch_mips::Mips),
    /// RISC-V 64.
    #[cfg(feature = "arch-riscv64")]
    Riscv64(arch_riscv64::Riscv64),
}

impl AnyPolicy {
    /// The policy for `cpu`: `EXECCORE_ERR_UNSUPPORTED_ARCH` when its arch is not compiled
    /// in, `EXECCORE_ERR_INVALID_PARAMETER` when a field is out of range.
    pub fn from_cpu(cpu: &execcore_cpu) -> Result<AnyPolicy, Fail> {
        match cpu.arch {
            #[cfg(feature = "arch-x86_64")]
            EXECCORE_ARCH_X86_64 => Ok(AnyPolicy::X86_64(arch_x86_64::X86_64::new(arch_x86_64::Cpu {
                hwcap: cpu.hwcap,
                hwcap2: cpu.hwcap2,
                minsigstksz: (cpu.minsigstksz != 0).then_some(cpu.minsigstksz),
            }))),
            #[cfg(feature = "arch-aarch64")]
            EXECCORE_ARCH_AARCH64 => {
                let page = match cpu.page_size {
                    0 => exec_core::PageSize::K4,
                    n => exec_core::PageSize::new(n).ok_or(Fail::invalid_parameter())?,
                };
                Ok(AnyPolicy::Aarch64(arch_aarch64::Aarch64::new(arch_aarch64::Cpu {
                    page_size: page,
                    va_bits: if cpu.va_bits == 0 { 48 } else { cpu.va_bits },
                    hwcap: cpu.hwcap,
                    hwcap2: cpu.hwcap2,
                    hwcap3: (cpu.hwcap3 != 0).then_some(cpu.hwcap3),
                    hwcap4: (cpu.hwcap4 != 0).then_some(cpu.hwcap4),
                    minsigstksz: (cpu.minsigstksz != 0).then_some(cpu.minsigstksz),
                    bti: cpu.flags & EXECCORE_CPU_BTI != 0,
                    big_endian: cpu.flags & EXECCORE_CPU_AARCH64_BE != 0,
                    static_pie_align: exec_core::StaticPieAlign::HonouredSince6_10,
                })))
            }
            #[cfg(feature = "arch-mips")]
            EXECCORE_ARCH_MIPS => mips_policy(cpu).map(AnyPolicy::Mips),
            #[cfg(feature = "arch-riscv64")]
            EXECCORE_ARCH_RISCV64 => riscv64_policy(cpu).map(AnyPolicy::Riscv64),
            _ => Err(FfiCode::UnsupportedArch.into()),
        }
    }

    /// How the kernel of this architecture numbers errnos.
    pub fn numbering(&self) -> elf_stream::Numbering {
        // The catch-all arm is unreachable when MIPS is the only architecture compiled in.
        #[allow(unreachable_patterns)]
        match self {
            #[cfg(feature = "arch-mips")]
            AnyPolicy::Mips(_) => elf_stream::Numbering::Mips,
            _ => elf_stream::Numbering::Generic,
        }
    }

    /// Fills the arch part of the entry state.
    pub fn entry_arch(&self, info: &AnyInfo, out: &mut execcore_entry_state) {
        match info {
            #[cfg(feature = "arch-x86_64")]
            AnyInfo::X86_64(i) => out.arch_value = u64::from(i.feature_1_and.unwrap_or(0)),
            // BTI/PAC/GCS requested by the image whose properties Linux honours.
            #[cfg(feature = "arch-aarch64")]
            AnyInfo::Aarch64(i) => out.arch_flags = i.interp_features.or(i.main_features).unwrap_or(0),
            #[cfg(feature = "arch-mips")]
            AnyInfo::Mips(i) => mips_entry(i, out),
            // The Zicfilp/Zicfiss bits every image has; the program's e_flags.
            #[cfg(feature = "arch-riscv64")]
            AnyInfo::Riscv64(i) => {
                out.arch_flags = i.features();
                out.arch_value = u64::from(i.main_flags.0);
            }
            AnyInfo::None => {}
        }
    }

    /// The address window, page size and byte order `elfmap` maps an object of ELF class
    /// `class` for: the layout of the ABI the policy gives such a file (MIPS ELF32: o32,
    /// whose window n32 shares), above `vm.mmap_min_addr` (65536, Linux's default).
    pub fn elfmap_target(
        &self,
        class: elf_stream::Class,
    ) -> Result<(exec_core::ElfmapTarget, elf_stream::Endian), ExecError> {
        use exec_core::ArchPolicy;
        let (machine, endian) = match self {
            #[cfg(feature = "arch-x86_64")]
            AnyPolicy::X86_64(_) => (elf_stream::Machine::X86_64, elf_stream::Endian::Little),
            #[cfg(feature = "arch-aarch64")]
            AnyPolicy::Aarch64(p) => (
                elf_stream::Machine::AARCH64,
                if p.cpu.big_endian { elf_stream::Endian::Big } else { elf_stream::Endian::Little },
            ),
            #[cfg(feature = "arch-mips")]
            AnyPolicy::Mips(p) => (elf_stream::Machine::MIPS, p.cpu.endian),
            #[cfg(feature = "arch-riscv64")]
            AnyPolicy::Riscv64(_) => (elf_stream::Machine::RISCV, elf_stream::Endian::Little),
        };
        let header = elf_stream::FileHeader {
            class,
            endian,
            os_abi: 0,
            abi_version: 0,
            elf_type: elf_stream::ElfType::DYN,
            machine,
            entry: elf_stream::VirtAddr(0),
            phoff: elf_stream::FileOffset(0),
            shoff: elf_stream::FileOffset(0),
            flags: 0,
            ehsize: 0,
            phentsize: class.program_header_size() as u16,
            phnum: 0,
            shentsize: 0,
            shnum: 0,
            shstrndx: 0,
        };
        let (page, layout) = match self {
            #[cfg(feature = "arch-x86_64")]
            AnyPolicy::X86_64(p) => (p.page_size(), p.layout(p.accept(&header)?)?),
            #[cfg(feature = "arch-aarch64")]
            AnyPolicy::Aarch64(p) => (p.page_size(), p.layout(p.accept(&header)?)?),
            #[cfg(feature = "arch-mips")]
            AnyPolicy::Mips(p) => (p.page_size(), p.layout(p.accept(&header)?)?),
            #[cfg(feature = "arch-riscv64")]
            AnyPolicy::Riscv64(p) => (p.page_size(), p.layout(p.accept(&header)?)?),
        };
        let min = exec_core::UserAddr(layout.min_addr.0.max(exec_core::ExecParams::new(b"").mmap_min_addr));
        Ok((exec_core::ElfmapTarget { page, min, end: layout.task_size }, endian))
    }
}

/// The riscv64 policy for `c`: MMU mode from `va_bits`, ISA from `hwcap`, 4 KiB pages only.
#[cfg(feature = "arch-riscv64")]
fn riscv64_policy(c: &execcore_cpu) -> Result<arch_riscv64::Riscv64, Fail> {
    if !matches!(c.page_size, 0 | 4096) {
        return Err(Fail::invalid_parameter());
    }
    let mmu = match c.va_bits {
        0 => arch_riscv64::Mmu::Sv48,
        n => arch_riscv64::Mmu::from_va_bits(n).ok_or(Fail::invalid_parameter())?,
    };
    let isa = if c.hwcap == 0 { arch_riscv64::Isa::RV64GC } else { arch_riscv64::Isa(c.hwcap) };
    let profile = if c.flags & EXECCORE_CPU_RISCV_ISA_CHECK != 0 {
        arch_riscv64::Profile::Hardened
    } else {
        arch_riscv64::Profile::Linux
    };
    // size << 32 | ways << 16 | line: the auxv's size and geometry words.
    let cache = |w: u64| arch_riscv64::Cache { size: w >> 32, geometry: w & 0xffff_ffff };
    let [l1i, l1d, l2, l3] = c.riscv_caches.map(cache);
    let cpu = arch_riscv64::Cpu {
        mmu,
        isa,
        caches: arch_riscv64::Caches { l1i, l1d, l2, l3 },
        minsigstksz: (c.minsigstksz != 0).then_some(c.minsigstksz),
    };
    Ok(arch_riscv64::Riscv64::new(cpu).with_profile(profile))
}

/// `AT_BASE_PLATFORM` of a custom MIPS CPU: Linux's name for its ISA, when it has one.
#[cfg(feature = "arch-mips")]
fn mips_base_platform(isa: arch_mips::Isa) -> Option<&'static [u8]> {
    Some(match (isa.level, isa.rev) {
        (32, 1) => b"mips32",
        (32, 2) => b"mips32r2",
        (32, 6) => b"mips32r6",
        (64, 1) => b"mips64",
        (64, 2) => b"mips64r2",
        (64, 6) => b"mips64r6",
        _ => return None,
    })
}

/// A custom MIPS CPU from the `mips_isa_*` fields and the `EXECCORE_CPU_MIPS_*` flags.
#[cfg(feature = "arch-mips")]
fn mips_custom_cpu(c: &execcore_cpu, endian: elf_stream::Endian) -> Result<arch_mips::Cpu, Fail> {
    let level = u8::try_from(c.mips_isa_level).map_err(|_| Fail::invalid_parameter())?;
    let rev = u8::try_from(c.mips_isa_rev).map_err(|_| Fail::invalid_parameter())?;
    let isa = arch_mips::Isa { level, rev };
    let valid = match level {
        1..=5 => rev == 0,
        32 | 64 => matches!(rev, 1 | 2 | 3 | 5 | 6),
        _ => false,
    };
    let has = |f: u32| c.flags & f != 0;
    if !valid || has(EXECCORE_CPU_MIPS_R6) != isa.is_r6() {
        return Err(Fail::invalid_parameter());
    }
    let fr_modes = arch_mips::FrModes {
        fr0: has(EXECCORE_CPU_MIPS_FR0),
        fr1: has(EXECCORE_CPU_MIPS_FR1),
        fre: has(EXECCORE_CPU_MIPS_FRE),
    };
    Ok(arch_mips::Cpu {
        name: "custom",
        endian,
        isa,
        // No FR mode at all means no FPU: the kernel's emulator decides.
        fpu: fr_modes.fr0 || fr_modes.fr1 || fr_modes.fre,
        fpu_f64: fr_modes.fr1,
        fr_modes,
        nan_legacy: has(EXECCORE_CPU_MIPS_NAN_LEGACY),
        nan_2008: has(EXECCORE_CPU_MIPS_NAN2008),
        rixi: has(EXECCORE_CPU_MIPS_RIXI),
        dcache_alias: c.mips_dcache_alias,
        gic: has(EXECCORE_CPU_MIPS_GIC),
        r5000_cvt: has(EXECCORE_CPU_MIPS_R5K_CVT),
        r8000_prefetch: has(EXECCORE_CPU_MIPS_R8K_PREFETCH),
        hwcap: c.hwcap,
        platform: Some(b"mips"),
        base_platform: mips_base_platform(isa),
    })
}

/// The MIPS policy an [`execcore_cpu`] describes (see its `mips_model` field).
#[cfg(feature = "arch-mips")]
pub fn mips_policy(c: &execcore_cpu) -> Result<arch_mips::Mips, Fail> {
    let has = |f: u32| c.flags & f != 0;
    let endian =
        if has(EXECCORE_CPU_BIG_ENDIAN) { elf_stream::Endian::Big } else { elf_stream::Endian::Little };
    let cpu = match c.mips_model {
        EXECCORE_MIPS_CPU_CUSTOM => mips_custom_cpu(c, endian)?,
        n => {
            // Model numbers follow `CpuModel::ALL` from 1.
            let index = usize::try_from(n).ok().and_then(|n| n.checked_sub(1));
            let model = index
                .and_then(|i| arch_mips::CpuModel::ALL.get(i).copied())
                .ok_or(Fail::invalid_parameter())?;
            let base = model.cpu(endian);
            arch_mips::Cpu {
                r5000_cvt: base.r5000_cvt || has(EXECCORE_CPU_MIPS_R5K_CVT),
                r8000_prefetch: base.r8000_prefetch || has(EXECCORE_CPU_MIPS_R8K_PREFETCH),
                hwcap: if c.hwcap != 0 { c.hwcap } else { base.hwcap },
                dcache_alias: if c.mips_dcache_alias != 0 { c.mips_dcache_alias } else { base.dcache_alias },
                ..base
            }
        }
    };
    if cpu.dcache_alias != 0 && !cpu.dcache_alias.is_power_of_two() {
        return Err(Fail::invalid_parameter());
    }
    let mut kernel = arch_mips::Kernel::for_cpu(&cpu);
    kernel.page_size = match c.page_size {
        0 => exec_core::PageSize::K4,
        n => exec_core::PageSize::new(n).ok_or(Fail::invalid_parameter())?,
    };
    kernel.ieee754 = match c.mips_ieee754 {
        EXECCORE_MIPS_IEEE754_STRICT => arch_mips::Ieee754::Strict,
        EXECCORE_MIPS_IEEE754_LEGACY => arch_mips::Ieee754::Legacy,
        EXECCORE_MIPS_IEEE754_2008 => arch_mips::Ieee754::Std2008,
        EXECCORE_MIPS_IEEE754_RELAXED => arch_mips::Ieee754::Relaxed,
        EXECCORE_MIPS_IEEE754_EMULATED => arch_mips::Ieee754::Emulated,
        _ => return Err(Fail::invalid_parameter()),
    };
    let os = match c.os {
        EXECCORE_OS_LINUX => arch_mips::OsProfile::Linux,
        EXECCORE_OS_IRIX => arch_mips::OsProfile::Irix,
        _ => return Err(Fail::invalid_parameter()),
    };
    Ok(arch_mips::Mips {
        strict_prefetch: !has(EXECCORE_CPU_MIPS_LAX_PREFETCH),
        isa_check: has(EXECCORE_CPU_MIPS_ISA_CHECK),
        stack_top_override: (c.stack_top != 0).then_some(exec_core::UserAddr(c.stack_top)),
        ..arch_mips::Mips::new(cpu).with_kernel(kernel).with_os(os)
    })
}

/// The MIPS part of the entry state (bit layout on [`execcore_entry_state`]).
#[cfg(feature = "arch-mips")]
fn mips_entry(i: &arch_mips::Info, out: &mut execcore_entry_state) {
    use arch_mips::{FpMode, MipsAbi};
    out.abi = match i.abi {
        Some(MipsAbi::O32) => EXECCORE_MIPS_ABI_O32,
        Some(MipsAbi::N32) => EXECCORE_MIPS_ABI_N32,
        Some(MipsAbi::N64) => EXECCORE_MIPS_ABI_N64,
        None => EXECCORE_MIPS_ABI_NONE,
    };
    out.fp_mode = match i.fp_mode {
        FpMode::Fr0 => EXECCORE_MIPS_FR0,
        FpMode::Fr1 => EXECCORE_MIPS_FR1,
        FpMode::Fre => EXECCORE_MIPS_FRE,
    };
    let ex = i.exceptions;
    let bits = [
        (i.nan2008, EXECCORE_MIPS_NAN2008),
        (ex.is_some_and(|e| e.precise()), EXECCORE_MIPS_PRECISE_FP),
        (ex.is_some_and(|e| e.speculative()), EXECCORE_MIPS_SPECULATIVE),
        (i.text_patch.main, EXECCORE_MIPS_TEXT_PATCH),
        (i.text_patch.interp, EXECCORE_MIPS_TEXT_PATCH_INTERP),
        (i.prefetch_fd, EXECCORE_MIPS_PREFETCH_FD),
        (i.prefetch_warning, EXECCORE_MIPS_PREFETCH_WARNING),
        (!i.fp_native, EXECCORE_MIPS_FP_EMULATED),
        (ex.is_some(), EXECCORE_MIPS_EXCEPTIONS),
        (i.hwpatch.is_some(), EXECCORE_MIPS_HWPATCH),
        (ex.is_some_and(|e| e.page0()), EXECCORE_MIPS_PAGE0),
        (ex.is_some_and(|e| e.smm()), EXECCORE_MIPS_SMM),
        (i.read_implies_exec, EXECCORE_MIPS_READ_IMPLIES_EXEC),
    ];
    out.arch_flags = bits.iter().filter(|(on, _)| *on).fold(0, |a, (_, b)| a | b);
    out.arch_value = ex.map_or(0, |e| u64::from(e.enabled_mask()));
    out.mips_fcsr = i.fcsr;
    out.mips_hwpatch = i.hwpatch.unwrap_or(0);
    out.mips_exceptions = ex.map_or(0, |e| e.info);
}
