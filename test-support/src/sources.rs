//! `ReadAt` sources that misbehave on purpose: one byte per call, failure at call N.

use elf_stream::{Errno, ReadAt, ReadFailure};
use std::cell::Cell;

/// Returns at most one byte per call.
pub struct OneByte<'a>(pub &'a [u8]);

impl ReadAt for OneByte<'_> {
    type Error = ReadFailure;

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, ReadFailure> {
        let n = buf.len().min(1);
        self.0.read_at(offset, &mut buf[..n]).map_err(|e| match e {})
    }
}

/// How a [`FailAt`] source misbehaves at its chosen call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The call returns an I/O error (EIO).
    Error,
    /// The call and every later one report end of file.
    Eof,
    /// The call returns fewer bytes than asked (half, at least one).
    Short,
}

/// Behaves like the slice until call number `at` (1-based), then fails as told.
pub struct FailAt<'a> {
    data: &'a [u8],
    at: usize,
    how: Failure,
    calls: Cell<usize>,
}

impl<'a> FailAt<'a> {
    /// A source over `data` that fails at call `at` in the way `how`.
    pub fn new(data: &'a [u8], at: usize, how: Failure) -> Self {
        Self { data, at, how, calls: Cell::new(0) }
    }

    /// Calls made so far.
    pub fn calls(&self) -> usize {
        self.calls.get()
    }
}

impl ReadAt for FailAt<'_> {
    type Error = ReadFailure;

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, ReadFailure> {
        let call = self.calls.get() + 1;
        self.calls.set(call);
        let ok = |b: &mut [u8]| self.data.read_at(offset, b).map_err(|e| match e {});
        if call < self.at {
            return ok(buf);
        }
        match self.how {
            Failure::Error => Err(ReadFailure::new(Errno::EIO)),
            Failure::Eof => Ok(0),
            Failure::Short if call == self.at => {
                let n = (buf.len() / 2).max(1).min(buf.len());
                ok(&mut buf[..n])
            }
            Failure::Short => ok(buf),
        }
    }
}

/// A slice that hides its size: `size()` is `None`, so readers cannot reject out-of-file
/// ranges early and must rely on end of file.
pub struct NoSize<'a>(pub &'a [u8]);

impl ReadAt for NoSize<'_> {
    type Error = ReadFailure;

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, ReadFailure> {
        self.0.read_at(offset, buf).map_err(|e| match e {})
    }
}

/// A source whose every read fails with the given errno.
pub struct Broken(pub Errno);

impl ReadAt for Broken {
    type Error = ReadFailure;

    fn read_at(&self, _offset: u64, _buf: &mut [u8]) -> Result<usize, ReadFailure> {
        Err(ReadFailure::new(self.0))
    }
}
