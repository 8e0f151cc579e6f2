//! Holds only the integration test `tests/run.rs` (see examples/c/README.md).
