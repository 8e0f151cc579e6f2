//! callgrind-probe: the fixed work whose instruction count `ci/callgrind.sh` gates.
//!
//!   callgrind-probe headers|prepare
//!
//! `headers`: open + every program header of `testdata/bin/x86_64-dyn-pie`; `prepare`:
//! the full `prepare` of that program with `testdata/bin/x86_64-static-pie` served as its
//! interpreter (a committed ET_DYN, so the count never depends on the machine's ld.so).
//! Both are in memory. Each runs once to warm up (lazy symbol binding, first-touch
//! faults), then [`ROUNDS`] times inside `measured_*`, the only functions callgrind
//! collects (`--toggle-collect`); the gate divides by `ROUNDS`.

use execcore_bench::host::MemHost;
use std::hint::black_box;

/// Repetitions inside the measured function.
const ROUNDS: u64 = 100;

static MAIN: &[u8] = include_bytes!("../../../testdata/bin/x86_64-dyn-pie");
static INTERP: &[u8] = include_bytes!("../../../testdata/bin/x86_64-static-pie");

/// One run of a probe on the fixture, and the measured [`ROUNDS`] runs.
type Once = fn(&[u8]) -> u64;
type Measured = fn() -> u64;

fn headers_once(data: &[u8]) -> u64 {
    let Ok(elf) = elf_stream::ElfFile::<&[u8]>::open(data) else { return 0 };
    elf.program_headers().map_while(Result::ok).map(|p| p.vaddr.0 ^ p.filesz).fold(0, u64::wrapping_add)
}

fn prepare_once(data: &[u8]) -> u64 {
    let mut host = MemHost::new(INTERP);
    match execcore_bench::prepare_x86_64(data, &mut host) {
        Ok(p) => p.plan.entry.0,
        Err(_) => 0,
    }
}

#[inline(never)]
fn measured_headers() -> u64 {
    (0..ROUNDS).map(|_| headers_once(black_box(MAIN))).fold(0, u64::wrapping_add)
}

#[inline(never)]
fn measured_prepare() -> u64 {
    (0..ROUNDS).map(|_| prepare_once(black_box(MAIN))).fold(0, u64::wrapping_add)
}

fn main() -> std::process::ExitCode {
    let what = std::env::args().nth(1).unwrap_or_default();
    let (once, measured): (Once, Measured) = match what.as_str() {
        "headers" => (headers_once, measured_headers),
        "prepare" => (prepare_once, measured_prepare),
        _ => {
            eprintln!("usage: callgrind-probe headers|prepare");
            return std::process::ExitCode::from(2);
        }
    };
    if once(MAIN) == 0 {
        eprintln!("callgrind-probe: {what} failed on the fixture");
        return std::process::ExitCode::FAILURE;
    }
    println!("{what} {} rounds {}", measured(), ROUNDS);
    std::process::ExitCode::SUCCESS
}
