//! Planning a file the way the architecture tests do: as `/t/prog` (argv `["/t/prog"]`),
//! interpreters opened under a root directory, a fixed random seed so that runs compare;
//! and what a policy's `accept` says of the headers every architecture tests.

use crate::elf::{Builder, Class, ElfType, Endian, Machine};
use elf_stream::Errno;
use exec_core::fs_host::FsHost;
use exec_core::{Abi, ArchPolicy, ExecError, ExecParams, ExecPlan};
use std::path::Path;

/// The random seed every plan here is made with.
pub const SEED: u64 = 3;

/// Plans `bytes` with interpreters under `root` after `configure` has set the parameters
/// and the host; returns the plan and the host (its log, what it opened).
pub fn plan_in<P: ArchPolicy>(
    policy: &P,
    bytes: &[u8],
    root: &Path,
    configure: impl FnOnce(&mut ExecParams<'_>, &mut FsHost),
) -> (Result<ExecPlan<P::Info>, ExecError>, FsHost) {
    let argv: [&[u8]; 1] = [b"/t/prog"];
    let mut params = ExecParams::new(b"/t/prog");
    params.argv = &argv;
    let mut host = FsHost::new(root);
    host.seed = Some(SEED);
    configure(&mut params, &mut host);
    let plan = exec_core::prepare(policy, bytes, &mut host, &params, None).map(|p| p.plan);
    (plan, host)
}

/// Plans `bytes` with interpreters under `root`.
pub fn plan_bytes<P: ArchPolicy>(
    policy: &P,
    bytes: &[u8],
    root: &Path,
) -> Result<ExecPlan<P::Info>, ExecError> {
    plan_in(policy, bytes, root, |_, _| {}).0
}

/// Plans `bytes` with interpreters under `root` after `configure` has set the parameters.
pub fn plan_bytes_with<P: ArchPolicy>(
    policy: &P,
    bytes: &[u8],
    root: &Path,
    configure: impl FnOnce(&mut ExecParams<'_>),
) -> Result<ExecPlan<P::Info>, ExecError> {
    plan_in(policy, bytes, root, |params, _| configure(params)).0
}

/// Plans `bytes` with the caller's parameters and interpreters under `root`.
pub fn plan_params<P: ArchPolicy>(
    policy: &P,
    bytes: &[u8],
    root: &Path,
    params: &ExecParams<'_>,
) -> Result<ExecPlan<P::Info>, ExecError> {
    let mut host = FsHost::new(root);
    host.seed = Some(SEED);
    exec_core::prepare(policy, bytes, &mut host, params, None).map(|p| p.plan)
}

/// What `policy.accept` says of four headers: ELF64 little-endian `machine`, the same of
/// `other` (another machine), ELF32 `machine`, big-endian ELF64 `machine`; the ABI, or
/// the error's kind and errno.
pub fn accept_verdicts<P: ArchPolicy>(
    policy: &P,
    machine: Machine,
    other: Machine,
) -> [Result<Abi, (&'static str, Errno)>; 4] {
    let verdict = |class, endian, machine| {
        let header = Builder::new(class, endian).machine(machine).e_type(ElfType::EXEC).header();
        policy.accept(&header).map_err(|e| (e.kind(), e.errno()))
    };
    [
        verdict(Class::Elf64, Endian::Little, machine),
        verdict(Class::Elf64, Endian::Little, other),
        verdict(Class::Elf32, Endian::Little, machine),
        verdict(Class::Elf64, Endian::Big, machine),
    ]
}

/// Plans `bytes` (a static program) with an `argv[1]` of every length from 0 to 39 bytes, so
/// that the strings end at every alignment; checks what every architecture promises of
/// the entry state (sp 16-byte aligned and the stack's, pc the entry) and returns the
/// plans for the architecture's own register checks.
pub fn entry_states<P: ArchPolicy>(policy: &P, bytes: &[u8]) -> Vec<ExecPlan<P::Info>> {
    (0..40usize)
        .map(|n| {
            let arg = "a".repeat(n);
            let argv: [&[u8]; 2] = [b"/t/prog", arg.as_bytes()];
            let mut params = ExecParams::new(b"/t/prog");
            params.argv = &argv;
            let p = plan_params(policy, bytes, Path::new("/"), &params).expect("planned");
            assert_eq!(p.registers.sp.0 % 16, 0, "argv[1] of {n} bytes");
            assert_eq!(p.registers.sp, p.stack.sp);
            assert_eq!(p.registers.pc, p.entry);
            p
        })
        .collect()
}
