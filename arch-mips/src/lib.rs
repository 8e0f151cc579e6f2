//! execcore: MIPS architecture policy.
//!
//! Skeleton: filled in by the issue that owns this crate.
#![no_std]
#![forbid(unsafe_code)]
