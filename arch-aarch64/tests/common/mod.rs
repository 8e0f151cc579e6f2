//! Shared by the aarch64 tests: the programs (shared corpus and fixtures, selected by
//! e_machine), planning one as the oracle runs it, synthetic ELF files for rule tests, and
//! the real-kernel oracle (`sysoracle.sh aarch64`) with its cache.
#![allow(dead_code)]

use arch_aarch64::{Aarch64, Cpu, Info};
use exec_core::{ExecError, ExecPlan, Prepared};
use std::collections::HashMap;
use std::path::PathBuf;
use test_support::elf::{Endian, Machine};

pub const EM_AARCH64: u16 = 183;

pub use test_support::corpus::Program;

/// The sysroot for a program the manifest does not name: glibc's cross sysroot, or the
/// host for musl (Debian's musl:arm64 installs /lib/ld-musl-aarch64.so.1).
fn default_root(interp: Option<&str>, _: Endian) -> String {
    match interp {
        Some(p) if p.contains("ld-linux-aarch64") => "/usr/aarch64-linux-gnu".into(),
        _ => "/".into(),
    }
}

/// Every AArch64 program (e_machine 183) of the shared corpus and of the fixtures.
pub fn programs() -> Vec<Program> {
    test_support::corpus::programs(Machine::AARCH64, default_root)
}

pub fn program(name: &str) -> Program {
    test_support::corpus::named(programs(), name)
}

/// The oracle machine: qemu's cortex-a57 (no BTI, no SVE) under the Debian 6.1 kernel.
pub fn oracle_cpu() -> Cpu {
    Cpu {
        hwcap: 0x8ff,
        hwcap2: 0,
        minsigstksz: Some(0x1270),
        bti: false,
        static_pie_align: exec_core::StaticPieAlign::HonouredSince6_10,
        ..Cpu::default()
    }
}

pub use test_support::sysoracle::ENV;

/// argv[0] and AT_EXECFN of `p` under the oracle.
pub fn guest_path(p: &Program) -> String {
    test_support::sysoracle::guest_path(&p.name)
}

pub type PrepareResult = Result<Prepared<Info, std::fs::File>, ExecError>;

/// Plans `p` the way the oracle runs it (`test_support::sysoracle::plan_as_oracle`) under
/// Linux 6.1, the vDSO at `vdso` when given.
pub fn plan_as_oracle(policy: &Aarch64, p: &Program, vdso: Option<u64>) -> PrepareResult {
    let version = exec_core::KernelVersion::new(6, 1);
    test_support::sysoracle::plan_as_oracle(policy, (&p.name, &p.path, &p.root), version, |params| {
        params.sysinfo_ehdr = vdso.map(exec_core::UserAddr);
    })
    .0
}

pub fn plan(policy: &Aarch64, p: &Program) -> Result<ExecPlan<Info>, ExecError> {
    plan_as_oracle(policy, p, None).map(|x| x.plan)
}

pub fn plan_cpu(cpu: Cpu, p: &Program) -> Result<ExecPlan<Info>, ExecError> {
    plan(&Aarch64::new(cpu), p)
}

// ---------------------------------------------------------------------------------------
// Synthetic ELF files.

pub use test_support::synth::Synth;

/// `mov x0, #0; mov x8, #93; svc #0`: exit(0).
pub const EXIT0: [u32; 3] = [0xd280_0000, 0xd280_0ba8, 0xd400_0001];
/// `bti c`.
pub const BTI_C: u32 = 0xd503_245f;

/// A static ET_EXEC at 0x400000 (text) and 0x411000 (data + bss), 64 KiB-aligned, that
/// exits 0.
pub fn exec() -> Synth {
    Synth::exec(Machine::AARCH64, 0x400000, 0x10000, 0x10000, &EXIT0)
}

/// An ET_DYN at 0 (text) and 0x11000 (data), 64 KiB-aligned.
pub fn dyn_() -> Synth {
    exec().pie()
}

// ---------------------------------------------------------------------------------------
// The oracle.

pub use test_support::sysoracle::Observed;

/// The oracle's qemu CPU model: `None` is sysoracle's default (cortex-a57, no BTI).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Boot {
    pub qemu_cpu: Option<&'static str>,
}

/// cortex-a57: ARMv8.0, no BTI, no SVE.
pub const A57: Boot = Boot { qemu_cpu: None };
/// qemu's `max` (BTI, PAC, SVE...), with the fast pointer-authentication algorithm.
pub const MAX: Boot = Boot { qemu_cpu: Some("max,pauth-impdef=on") };

pub fn oracle_cache() -> PathBuf {
    std::env::var_os("AARCH64_ORACLE_CACHE")
        .map_or_else(|| PathBuf::from("/tmp/execcore-aarch64-oracle"), PathBuf::from)
}

fn cache_dir(boot: Boot) -> PathBuf {
    match boot.qemu_cpu {
        None => oracle_cache(),
        Some(cpu) => oracle_cache().join(format!("cpu-{}", cpu.replace([',', '='], "_"))),
    }
}

/// The host file sysoracle.sh copies into the guest as `p`'s interpreter.
fn oracle_interp(p: &Program) -> Option<PathBuf> {
    let interp = p.interp.as_deref()?;
    Some(match interp {
        "/lib/ld-linux-aarch64.so.1" => "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1".into(),
        other => other.into(),
    })
}

/// What the real arm64 kernel does with each of `progs` (cached; one boot for the programs
/// not cached).
pub fn oracle(boot: Boot, progs: &[&Program]) -> HashMap<String, Observed> {
    let run = test_support::sysoracle::Boot {
        arch: "aarch64",
        cache: cache_dir(boot),
        env: vec![
            ("CPU", boot.qemu_cpu),
            ("ORACLE_ENV", Some(ENV)),
            ("ORACLE_ARGS", Some("")),
            ("OUT_LINES", Some("8")),
            ("RANDMAPS", None),
            ("APPEND_EXTRA", None),
        ],
    };
    let subjects: Vec<_> = progs
        .iter()
        .map(|p| test_support::sysoracle::Subject { name: &p.name, path: &p.path, interp: oracle_interp(p) })
        .collect();
    test_support::sysoracle::observe(&run, &subjects)
}
