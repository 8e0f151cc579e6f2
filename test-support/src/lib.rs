//! Test-only helpers shared by the execcore crates' tests.
//!
//! Lives apart from the kernel crates because the counting allocator needs `unsafe`,
//! which those crates forbid.

pub mod alloc_counter;
pub mod ckernel;
pub mod corpus;
pub mod counting;
pub mod differential;
pub mod elf;
pub mod errors;
pub mod host;
pub mod hostkernel;
pub mod invariants;
pub mod maps;
pub mod mutate;
pub mod plan;
pub mod sources;
pub mod space;
pub mod stack;
pub mod synth;
pub mod sysoracle;
pub mod temp;
