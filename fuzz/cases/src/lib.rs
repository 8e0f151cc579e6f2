//! The bodies of execcore's fuzz targets. Each takes the raw fuzzer input, so a corpus or
//! crash file replays through the same function under stable `cargo test`
//! (`tests/replay.rs`) as under cargo-fuzz.
//!
//! A target fails (panics) only on a real finding: a panic inside execcore, an invariant
//! execcore promises broken (an address space left non-empty after an error, memory left
//! reserved, a stack that does not read back), or undefined behaviour caught by a
//! sanitizer.

mod c_abi;
mod elf;
mod elfmap;
mod exec;
mod stack;

pub use c_abi::c_abi;
pub use elf::{header, mips_records, notes};
pub use elfmap::elfmap;
pub use exec::exec;
pub use stack::stack;

/// A target's body: one fuzzer input in, a panic on a finding.
pub type Target = fn(&[u8]);

/// Every target, by the name cargo-fuzz knows it by.
pub const TARGETS: &[(&str, Target)] = &[
    ("header", header),
    ("notes", notes),
    ("mips_records", mips_records),
    ("exec", exec),
    ("stack", stack),
    ("c_abi", c_abi),
    ("elfmap", elfmap),
];

/// Splits an input into `N` parts: each of the first `N - 1` is preceded by its length
/// (u16, little endian; cut short at the end of the input), the last is the rest. The
/// seed script (`fuzz/seed.py`) writes this layout.
pub fn sections<const N: usize>(data: &[u8]) -> [&[u8]; N] {
    let mut rest = data;
    core::array::from_fn(|i| {
        if i + 1 == N {
            return core::mem::take(&mut rest);
        }
        let len = match rest {
            [a, b, tail @ ..] => {
                rest = tail;
                usize::from(u16::from_le_bytes([*a, *b]))
            }
            _ => core::mem::take(&mut rest).len(),
        };
        let (part, tail) = rest.split_at(len.min(rest.len()));
        rest = tail;
        part
    })
}
