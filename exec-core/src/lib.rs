//! execcore: exec planning, layout, loading and the initial stack, driven by an architecture policy.
//!
//! Skeleton: filled in by the issue that owns this crate.
#![no_std]
#![forbid(unsafe_code)]
