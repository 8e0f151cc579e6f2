//! Which architecture policy plans a file.
//!
//! Adding an architecture whose policy crate exists is a few lines: a dependency in
//! Cargo.toml, and here an arm in [`Arch::plan`] that builds the policy (with the page
//! sizes it supports) and says how its `Info` appears in the `"arch"` object, plus the
//! architecture in [`Arch::has_policy`]. x86_64, aarch64, MIPS and riscv64 have theirs.

use crate::cli::DEFAULT_MIPS_CPU;
use crate::plan::{run, Failure, Job, Planned};
use elf_stream::Machine;
use serde_json::json;

/// An architecture `execplan` knows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    /// `arch-x86_64`.
    X86_64,
    /// `arch-aarch64`.
    Aarch64,
    /// `arch-mips`, every ABI, both byte orders.
    Mips,
    /// `arch-riscv64`.
    Riscv64,
}

impl Arch {
    /// Every architecture, in `--arch` order.
    pub const ALL: [Arch; 4] = [Arch::X86_64, Arch::Aarch64, Arch::Mips, Arch::Riscv64];

    /// The `--arch` name.
    pub const fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
            Arch::Mips => "mips",
            Arch::Riscv64 => "riscv64",
        }
    }

    /// The architecture named `name` on the command line.
    pub fn from_name(name: &str) -> Option<Arch> {
        Arch::ALL.into_iter().find(|a| a.name() == name)
    }

    /// "x86_64, aarch64, mips, riscv64".
    pub fn names() -> String {
        Arch::ALL.map(Arch::name).join(", ")
    }

    /// `--arch auto`: the architecture of `e_machine`, if execplan knows it.
    pub fn detect(machine: Machine) -> Option<Arch> {
        match machine {
            Machine::X86_64 => Some(Arch::X86_64),
            Machine::AARCH64 => Some(Arch::Aarch64),
            Machine::MIPS => Some(Arch::Mips),
            Machine::RISCV => Some(Arch::Riscv64),
            _ => None,
        }
    }

    /// Whether this build has the architecture's policy (an arm in [`Arch::plan`]).
    pub const fn has_policy(self) -> bool {
        matches!(self, Arch::X86_64 | Arch::Aarch64 | Arch::Mips | Arch::Riscv64)
    }

    /// Plans `job` with this architecture's policy.
    pub fn plan(self, job: &Job<'_>) -> Result<Planned, Failure> {
        match self {
            Arch::X86_64 => {
                job.require_page_size(&[4096], self)?;
                // 4-level paging gives 47 bits of user space, 5-level 56.
                job.require_va_bits(56, self)?;
                run(&arch_x86_64::X86_64::default(), job, |i: &arch_x86_64::Info| {
                    let bits = i.feature_1_and.unwrap_or(0);
                    json!({
                        "x86_feature_1_and": i.feature_1_and,
                        "ibt": bits & 1 != 0,
                        "shstk": bits & 2 != 0,
                    })
                })
            }
            Arch::Aarch64 => {
                job.require_page_size(&[4096, 16384, 65536], self)?;
                job.require_va_bits(52, self)?;
                let page = exec_core::PageSize::new(job.opts.page_size).unwrap_or(exec_core::PageSize::K4);
                let cpu = arch_aarch64::Cpu { page_size: page, ..arch_aarch64::Cpu::default() };
                run(&arch_aarch64::Aarch64::new(cpu), job, |i: &arch_aarch64::Info| {
                    json!({
                        "main_feature_1_and": i.main_features,
                        "interp_feature_1_and": i.interp_features,
                        "bti": i.bti_on.map(exec_core::Role::name),
                    })
                })
            }
            Arch::Mips => {
                job.require_page_size(&[4096, 16384, 65536], self)?;
                // n64 TASK_SIZE is 1 << 40, up to 1 << 48 with CONFIG_MIPS_VA_BITS_48.
                job.require_va_bits(48, self)?;
                run(&mips_policy(job), job, mips_info)
            }
            Arch::Riscv64 => {
                job.require_page_size(&[4096], self)?;
                // sv57's TASK_SIZE is 1 << 56.
                job.require_va_bits(56, self)?;
                let r = job.opts.riscv;
                let cpu = arch_riscv64::Cpu { mmu: r.mmu, isa: r.isa, ..arch_riscv64::Cpu::default() };
                let policy = arch_riscv64::Riscv64::new(cpu).with_profile(r.profile);
                run(&policy, job, |i: &arch_riscv64::Info| riscv64_info(r.mmu, i))
            }
        }
    }
}

/// The MIPS policy for `job`: `--cpu` (default [`DEFAULT_MIPS_CPU`]) in the file's byte
/// order, on the 64-bit (or, for 32-bit models, 32-bit) Linux kernel, `--os`,
/// `--strict-prefetch`, `--isa-check`, `--page-size`.
fn mips_policy(job: &Job<'_>) -> arch_mips::Mips {
    let m = job.opts.mips;
    let model = m.cpu.unwrap_or(DEFAULT_MIPS_CPU);
    let mut policy = arch_mips::Mips::model(model, job.header.endian).with_os(m.os);
    policy.kernel.page_size = exec_core::PageSize::new(job.opts.page_size).unwrap_or(exec_core::PageSize::K4);
    arch_mips::Mips { strict_prefetch: m.strict_prefetch, isa_check: m.isa_check, ..policy }
}

/// The MIPS `"arch"` object (plan.schema.json `mips_arch`).
fn mips_info(i: &arch_mips::Info) -> serde_json::Value {
    let ex = i.exceptions;
    json!({
        "abi": i.abi.map(arch_mips::MipsAbi::name),
        "fp_mode": i.fp_mode.name(),
        "fp_native": i.fp_native,
        "nan2008": i.nan2008,
        "fcsr": i.fcsr,
        "fp_exceptions": {
            "info": ex.map(|e| e.info),
            "precise": ex.is_some_and(|e| e.precise()),
            "speculative": ex.is_some_and(|e| e.speculative()),
            "enabled_mask": ex.map_or(0, |e| e.enabled_mask()),
            "page0": ex.is_some_and(|e| e.page0()),
            "smm": ex.is_some_and(|e| e.smm()),
        },
        "hwpatch": i.hwpatch,
        "interp_hwpatch": i.interp_hwpatch,
        "text_patch": i.text_patch.main || i.text_patch.interp,
        "prefetch_fd": i.prefetch_fd,
        "prefetch_warning": i.prefetch_warning,
        "read_implies_exec": i.read_implies_exec,
    })
}

/// The riscv64 `"arch"` object (plan.schema.json `riscv64_arch`): the MMU mode, the
/// program's and interpreter's e_flags decoded, the Zicfilp/Zicfiss property bits.
fn riscv64_info(mmu: arch_riscv64::Mmu, i: &arch_riscv64::Info) -> serde_json::Value {
    let flags = |f: arch_riscv64::ElfFlags| {
        json!({
            "raw": f.0,
            "rvc": f.rvc(),
            "float_abi": f.float_abi().name(),
            "rve": f.rve(),
            "tso": f.tso(),
        })
    };
    let features = i.features();
    json!({
        "mmu": mmu.name(),
        "flags": flags(i.main_flags),
        "interp_flags": i.interp_flags.map(flags),
        "main_feature_1_and": i.main_features,
        "interp_feature_1_and": i.interp_features,
        "cfi_lp": features & (elf_stream::riscv_feature::CFI_LP_UNLABELED | elf_stream::riscv_feature::CFI_LP_FUNC_SIG) != 0,
        "cfi_ss": features & elf_stream::riscv_feature::CFI_SS != 0,
        "property_error": i.main_property_error.or(i.interp_property_error).map(|e| e.kind()),
    })
}

/// The error for a file or `--arch` this build has no policy for: `what` is the
/// architecture's name, or the file's machine when execplan does not know it at all.
pub fn unsupported(what: &str, header: &elf_stream::FileHeader) -> Failure {
    let m = header.machine;
    Failure::new(
        "unsupported_arch",
        elf_stream::Errno::ENOEXEC,
        format!(
            "unsupported architecture {what}: this build plans {} (file e_machine {m}, {})",
            supported().join(", "),
            m.0
        ),
    )
}

/// Architectures this build has a policy for.
pub fn supported() -> Vec<&'static str> {
    Arch::ALL.into_iter().filter(|a| a.has_policy()).map(Arch::name).collect()
}
