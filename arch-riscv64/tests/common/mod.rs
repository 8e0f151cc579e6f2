//! Shared by the riscv64 tests: the programs (shared corpus and fixtures, selected by
//! e_machine), planning one as the oracle runs it, synthetic ELF files for rule tests, and
//! the real-kernel oracle (`sysoracle.sh riscv64`) with its cache.
#![allow(dead_code)]

use arch_riscv64::{Info, Riscv64};
use exec_core::{ExecError, ExecPlan, Prepared};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use test_support::elf::{Endian, Machine};

pub const EM_RISCV: u16 = 243;
pub const GLIBC_ROOT: &str = "/usr/riscv64-linux-gnu";
pub const GLIBC_LD: &str = "/lib/ld-linux-riscv64-lp64d.so.1";

pub use test_support::corpus::Program;

/// Every little-endian RISC-V program (e_machine 243) of the shared corpus and of the
/// fixtures.
pub fn programs() -> Vec<Program> {
    let root = |interp: Option<&str>, _| if interp.is_some() { GLIBC_ROOT } else { "/" }.to_string();
    let all = test_support::corpus::programs(Machine::RISCV, root);
    all.into_iter().filter(|p| p.endian == Endian::Little).collect()
}

pub fn program(name: &str) -> Program {
    test_support::corpus::named(programs(), name)
}

pub use test_support::sysoracle::ENV;
/// `AT_RSEQ_FEATURE_SIZE` and `AT_RSEQ_ALIGN` of the 6.12 oracle kernel.
pub const RSEQ: (u64, u64) = (0x1c, 0x20);

/// argv[0] and AT_EXECFN of `p` under the oracle.
pub fn guest_path(p: &Program) -> String {
    test_support::sysoracle::guest_path(&p.name)
}

pub type PrepareResult = Result<Prepared<Info, std::fs::File>, ExecError>;

/// Plans `p` the way the oracle runs it (`test_support::sysoracle::plan_as_oracle`) under
/// Linux 6.12, with the kernel's rseq entries, the vDSO at `vdso` when given.
pub fn plan_as_oracle(policy: &Riscv64, p: &Program, vdso: Option<u64>) -> PrepareResult {
    let version = exec_core::KernelVersion::new(6, 12);
    test_support::sysoracle::plan_as_oracle(policy, (&p.name, &p.path, &p.root), version, |params| {
        params.rseq = Some(RSEQ);
        params.sysinfo_ehdr = vdso.map(exec_core::UserAddr);
    })
    .0
}

pub fn plan(policy: &Riscv64, p: &Program) -> Result<ExecPlan<Info>, ExecError> {
    plan_as_oracle(policy, p, None).map(|x| x.plan)
}

// ---------------------------------------------------------------------------------------
// Synthetic ELF files.

pub use test_support::synth::Synth;

/// `li a0, 0; li a7, 93; ecall`: exit(0).
pub const EXIT0: [u32; 3] = [0x0000_0513, 0x05d0_0893, 0x0000_0073];
/// RVC | double-float ABI: what gcc writes for rv64gc/lp64d.
pub const FLAGS_GC_LP64D: u32 = 0x5;

/// A static ET_EXEC at 0x10000 (text) and 0x11000 (data + bss), 4 KiB-aligned, for
/// rv64gc/lp64d, that exits 0.
pub fn exec() -> Synth {
    Synth::exec(Machine::RISCV, 0x10000, 0, 0x1000, &EXIT0).flags(FLAGS_GC_LP64D)
}

/// An ET_DYN at 0 (text) and 0x1000 (data), 4 KiB-aligned.
pub fn dyn_() -> Synth {
    exec().pie()
}

// ---------------------------------------------------------------------------------------
// The oracle.

pub use test_support::sysoracle::Observed;

/// One kernel configuration: the MMU mode the 6.12 kernel runs in on qemu's `rv64` hart
/// (sv57 hardware; `no5lvl` and `no4lvl` on the command line select sv48 and sv39).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Boot {
    pub mmu: arch_riscv64::Mmu,
}

impl Boot {
    /// The kernel command-line addition selecting the mode.
    pub const fn append(self) -> Option<&'static str> {
        match self.mmu {
            arch_riscv64::Mmu::Sv57 => None,
            arch_riscv64::Mmu::Sv48 => Some("no5lvl"),
            arch_riscv64::Mmu::Sv39 => Some("no4lvl"),
        }
    }
}

pub fn oracle_cache() -> PathBuf {
    std::env::var_os("RISCV64_ORACLE_CACHE")
        .map_or_else(|| PathBuf::from("/tmp/execcore-riscv64-oracle"), PathBuf::from)
}

/// The host file sysoracle.sh copies into the guest as `p`'s interpreter.
fn oracle_interp(p: &Program) -> Option<PathBuf> {
    let interp = p.interp.as_deref()?;
    Some(Path::new(GLIBC_ROOT).join(interp.trim_start_matches('/')))
}

/// What the real riscv64 kernel in `boot`'s mode does with each of `progs` (cached; one
/// boot for the programs not cached).
pub fn oracle(boot: Boot, progs: &[&Program]) -> HashMap<String, Observed> {
    let run = test_support::sysoracle::Boot {
        arch: "riscv64",
        cache: oracle_cache().join(boot.mmu.name()),
        env: vec![
            ("CPU", None),
            ("ORACLE_ENV", Some(ENV)),
            ("ORACLE_ARGS", Some("")),
            ("OUT_LINES", Some("8")),
            ("RANDMAPS", None),
            ("APPEND_EXTRA", boot.append()),
        ],
    };
    let subjects: Vec<_> = progs
        .iter()
        .map(|p| test_support::sysoracle::Subject { name: &p.name, path: &p.path, interp: oracle_interp(p) })
        .collect();
    test_support::sysoracle::observe(&run, &subjects)
}
