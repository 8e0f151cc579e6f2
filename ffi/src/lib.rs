//! # execcore's C ABI
//!
//! Every exported `execcore_*` function, as a normal (host-testable) Rust library; the
//! `execcore` staticlib crate in `ffi/staticlib` re-exports it as `libexeccore.a`, and
//! `include/execcore.h` is generated from it (cbindgen for the structs and functions,
//! `ffi/tests/header.rs` for the constant groups and the status table).
//!
//! Conventions (rustls-ffi style): fallible functions return an `execcore_status`
//! (integer, 0 = success); outputs go through trailing pointers written only on success,
//! `execcore_error` only on failure; buffers come with their capacity and an out-length;
//! callbacks are nullable function pointers taking `void *ctx` first and returning 0 or
//! an errno; every pointer is checked (in the `ptr` module alone). No heap: a plan lives in
//! caller-owned `execcore_plan` storage.
#![no_std]

#[cfg(not(any(
    feature = "arch-x86_64",
    feature = "arch-aarch64",
    feature = "arch-mips",
    feature = "arch-riscv64"
)))]
compile_error!("execcore's ffi needs at least one arch-* feature");

pub mod adapters;
mod any_policy;
pub mod arch;
pub mod convert;
pub mod elfmap;
pub mod exec;
pub mod fail;
pub mod plan;
mod ptr;
pub mod query;
pub mod script;
pub mod status;
pub mod strings;
pub mod types;

pub use elfmap::*;
pub use exec::*;
pub use query::*;
pub use script::*;
pub use status::*;
pub use types::*;
