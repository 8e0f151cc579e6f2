//! Dispatch from the C CPU description to the arch policies compiled in.

use crate::adapters::{CFile, CHost};
use crate::types::*;
use exec_core::{ExecError, ExecParams, Prepared};

/// Arch facts of any supported architecture (what the C plan stores).
#[derive(Clone, Copy, Debug, Default)]
pub enum AnyInfo {
    /// None yet.
    #[default]
    None,
    /// x86_64.
    X86_64(arch_x86_64::Info),
    /// AArch64.
    Aarch64(arch_aarch64::Info),
}

/// A policy built from an [`execcore_cpu`].
pub enum AnyPolicy {
    /// x86_64.
    X86_64(arch_x86_64::X86_64),
    /// AArch64.
    Aarch64(arch_aarch64::Aarch64),
}

impl AnyPolicy {
    /// The policy for `cpu`, or `None` when its arch is not compiled in.
    pub fn from_cpu(cpu: &execcore_cpu) -> Option<AnyPolicy> {
        match cpu.arch {
            EXECCORE_ARCH_X86_64 => Some(AnyPolicy::X86_64(arch_x86_64::X86_64::new(arch_x86_64::Cpu {
                hwcap: cpu.hwcap,
                hwcap2: cpu.hwcap2,
                minsigstksz: (cpu.minsigstksz != 0).then_some(cpu.minsigstksz),
            }))),
            EXECCORE_ARCH_AARCH64 => {
                let page = match cpu.page_size {
                    0 => exec_core::PageSize::K4,
                    n => exec_core::PageSize::new(n)?,
                };
                Some(AnyPolicy::Aarch64(arch_aarch64::Aarch64::new(arch_aarch64::Cpu {
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
            _ => None,
        }
    }

    /// `prepare` with this policy, its arch facts wrapped in [`AnyInfo`].
    pub fn prepare<'a>(
        &self,
        main: &CFile<'a>,
        host: &mut CHost<'a>,
        params: &ExecParams<'_>,
    ) -> Result<Prepared<AnyInfo, CFile<'a>>, ExecError> {
        match self {
            AnyPolicy::X86_64(p) => exec_core::prepare(p, main, host, params, None)
                .map(|pr| Prepared { plan: pr.plan.map_arch(AnyInfo::X86_64), interpreter: pr.interpreter }),
            AnyPolicy::Aarch64(p) => exec_core::prepare(p, main, host, params, None)
                .map(|pr| Prepared { plan: pr.plan.map_arch(AnyInfo::Aarch64), interpreter: pr.interpreter }),
        }
    }

    /// The errno to report for `err` under this policy's OS profile.
    pub fn errno(&self, err: &ExecError) -> elf_stream::Errno {
        match self {
            AnyPolicy::X86_64(p) => exec_core::ArchPolicy::errno(p, err),
            AnyPolicy::Aarch64(p) => exec_core::ArchPolicy::errno(p, err),
        }
    }

    /// Fills the arch part of the entry state.
    pub fn entry_arch(&self, info: &AnyInfo, out: &mut execcore_entry_state) {
        match info {
            AnyInfo::X86_64(i) => out.arch_value = u64::from(i.feature_1_and.unwrap_or(0)),
            // BTI/PAC/GCS requested by the image whose properties Linux honours.
            AnyInfo::Aarch64(i) => out.arch_flags = i.interp_features.or(i.main_features).unwrap_or(0),
            AnyInfo::None => {}
        }
    }

    /// Platform strings for the stack.
    pub fn platforms(&self, abi: exec_core::Abi) -> (Option<&[u8]>, Option<&[u8]>) {
        match self {
            AnyPolicy::X86_64(p) => {
                (exec_core::ArchPolicy::platform(p, abi), exec_core::ArchPolicy::base_platform(p, abi))
            }
            AnyPolicy::Aarch64(p) => {
                (exec_core::ArchPolicy::platform(p, abi), exec_core::ArchPolicy::base_platform(p, abi))
            }
        }
    }
}
