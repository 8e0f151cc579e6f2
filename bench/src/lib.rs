//! # execcore-bench
//!
//! What execcore's benchmarks share: the files they run on ([`fixtures`]), an in-memory
//! [`host::MemHost`] that serves the interpreter, address spaces that copy into real
//! memory or only count ([`space`]), and the physical read limit the eager load is
//! compared with ([`limit`]). The benchmarks themselves are in `benches/` (divan); the
//! `bench-counts` binary prints the numbers that are not wall time (read calls, bytes,
//! heap) and `callgrind-probe` is what the instruction-count gate runs.
//!
//! Nothing here is a dependency of the `no_std` crates.

pub mod fixtures;
pub mod host;
pub mod limit;
pub mod space;

use exec_core::{prepare, ExecError, ExecParams, Prepared};

/// The argv every benchmark execs with.
pub const ARGV: [&[u8]; 1] = [b"bench"];

/// Exec parameters: ASLR off (a fixed layout), [`ARGV`], no environment.
pub fn params() -> ExecParams<'static> {
    let mut p = ExecParams::new(b"/bench");
    p.argv = &ARGV;
    p
}

/// `prepare` of `main` for Linux x86_64, the interpreter served by `host`.
pub fn prepare_x86_64<'a, R: elf_stream::ReadAt + ?Sized>(
    main: &R,
    host: &mut host::MemHost<'a>,
) -> Result<Prepared<arch_x86_64::Info, elf_stream::Counting<&'a [u8]>>, ExecError> {
    prepare(&arch_x86_64::X86_64::default(), main, host, &params(), None)
}
