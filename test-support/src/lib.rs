//! Test-only helpers shared by the execcore crates' tests.
//!
//! Lives apart from the kernel crates because the counting allocator needs `unsafe`,
//! which those crates forbid.
//!
//! Every synthetic ELF file a test makes comes from [`elf::Builder`] (and real files are
//! edited through [`elf::Image`]); the architecture tests' small runnable programs are
//! [`synth::Synth`] on top of it. The builder is here rather than in `elf-stream`'s tests
//! so that every crate uses the same one: `elf-stream` dev-depends on this crate, a cycle
//! cargo allows for integration tests (they link the one `elf-stream` this crate links; an
//! `elf-stream` unit test could not use it, its types would be another crate's).

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
