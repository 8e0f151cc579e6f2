//! The counting address space, now `exec_core::counting` (execplan uses it without this
//! test-only crate); re-exported for the benchmarks.

pub use exec_core::counting::CountingSpace;
