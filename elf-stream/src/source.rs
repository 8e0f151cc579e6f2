//! Where the bytes come from: the `ReadAt` trait and its helpers.

use crate::{Errno, Error};
use core::cell::Cell;
use core::convert::Infallible;

/// Why a source could not deliver bytes, as the errno the kernel should return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadFailure {
    errno: Errno,
}

impl ReadFailure {
    /// A failure reported as `errno`.
    pub const fn new(errno: Errno) -> Self {
        Self { errno }
    }

    /// The errno to report.
    pub const fn errno(self) -> Errno {
        self.errno
    }
}

impl From<Infallible> for ReadFailure {
    fn from(never: Infallible) -> Self {
        match never {}
    }
}

#[cfg(feature = "std")]
impl From<std::io::Error> for ReadFailure {
    fn from(err: std::io::Error) -> Self {
        Self::new(err.raw_os_error().map_or(Errno::EIO, Errno))
    }
}

/// Random-access reads from an executable: the only way bytes enter execcore.
///
/// Short reads are allowed: callers loop, and `Ok(0)` means end of file. Reads take
/// `&self` (like `pread`) so one source can serve several readers at once.
///
/// ```
/// use elf_stream::ReadAt;
/// let bytes: &[u8] = b"\x7fELF";
/// let mut buf = [0u8; 2];
/// assert_eq!(bytes.read_at(2, &mut buf), Ok(2));
/// assert_eq!(&buf, b"LF");
/// ```
pub trait ReadAt {
    /// The source's own error; it becomes an errno through [`ReadFailure`].
    type Error: Into<ReadFailure>;

    /// Reads up to `buf.len()` bytes at `offset`; returns how many were read (0 at end of file).
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, Self::Error>;

    /// The file's size in bytes when known; lets readers reject out-of-file ranges early.
    fn size(&self) -> Option<u64> {
        None
    }
}

impl ReadAt for [u8] {
    type Error = Infallible;

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, Infallible> {
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let available = self.get(start..).unwrap_or(&[]);
        let n = available.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), available.get(..n)) {
            dst.copy_from_slice(src);
        }
        Ok(n)
    }

    fn size(&self) -> Option<u64> {
        u64::try_from(self.len()).ok()
    }
}

impl<T: ReadAt + ?Sized> ReadAt for &T {
    type Error = T::Error;

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, T::Error> {
        (**self).read_at(offset, buf)
    }

    fn size(&self) -> Option<u64> {
        (**self).size()
    }
}

#[cfg(feature = "std")]
impl ReadAt for std::fs::File {
    type Error = std::io::Error;

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, std::io::Error> {
        loop {
            match std::os::unix::fs::FileExt::read_at(self, buf, offset) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }

    fn size(&self) -> Option<u64> {
        self.metadata().ok().map(|m| m.len())
    }
}

/// Wraps a source and counts its `read_at` calls and the bytes they returned.
///
/// ```
/// use elf_stream::{Counting, ReadAt};
/// let src = Counting::new(&b"hello"[..]);
/// let mut buf = [0u8; 8];
/// src.read_at(0, &mut buf).unwrap();
/// assert_eq!((src.calls(), src.bytes()), (1, 5));
/// ```
#[derive(Debug)]
pub struct Counting<R> {
    inner: R,
    calls: Cell<u64>,
    bytes: Cell<u64>,
}

impl<R> Counting<R> {
    /// Counts the calls made to `inner`.
    pub const fn new(inner: R) -> Self {
        Self { inner, calls: Cell::new(0), bytes: Cell::new(0) }
    }

    /// `read_at` calls so far.
    pub fn calls(&self) -> u64 {
        self.calls.get()
    }

    /// Bytes returned so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.get()
    }

    /// The wrapped source.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }
}

impl<R: ReadAt> ReadAt for Counting<R> {
    type Error = R::Error;

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, R::Error> {
        self.calls.set(self.calls.get().saturating_add(1));
        let n = self.inner.read_at(offset, buf)?;
        self.bytes.set(self.bytes.get().saturating_add(n as u64));
        Ok(n)
    }

    fn size(&self) -> Option<u64> {
        self.inner.size()
    }
}

/// Reads into `buf` from `offset`, looping over short reads, until at least `min` bytes
/// are in or the file ends; returns how many bytes were read (possibly fewer than `min`).
///
/// Asking for the whole buffer but settling for `min` lets one call fetch a window whose
/// tail may lie past the end of the file. A failing source is [`Error::Read`].
pub fn read_up_to<R: ReadAt + ?Sized>(
    source: &R,
    offset: u64,
    buf: &mut [u8],
    min: usize,
) -> Result<usize, Error> {
    let min = min.min(buf.len());
    let mut done = 0usize;
    while done < min {
        let Some(at) = offset.checked_add(done as u64) else { break };
        let rest = buf.get_mut(done..).unwrap_or_default();
        let n = source.read_at(at, rest).map_err(|e| Error::Read { offset: at, errno: e.into().errno() })?;
        if n == 0 {
            break;
        }
        // A source claiming more than it was given is treated as a failing source.
        done = done
            .checked_add(n)
            .filter(|&d| d <= buf.len())
            .ok_or(Error::Read { offset: at, errno: Errno::EIO })?;
    }
    Ok(done)
}

/// Like [`read_up_to`], but end of file before `min` bytes is [`Error::Truncated`].
pub fn read_at_least<R: ReadAt + ?Sized>(
    source: &R,
    offset: u64,
    buf: &mut [u8],
    min: usize,
) -> Result<usize, Error> {
    let n = read_up_to(source, offset, buf, min)?;
    if n < min.min(buf.len()) {
        return Err(Error::Truncated { offset, len: min as u64 });
    }
    Ok(n)
}

/// Fills all of `buf` from `offset` (see [`read_at_least`]).
pub fn read_exact_at<R: ReadAt + ?Sized>(source: &R, offset: u64, buf: &mut [u8]) -> Result<(), Error> {
    read_at_least(source, offset, buf, buf.len()).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::{read_at_least, read_exact_at, read_up_to, Counting, ReadAt, ReadFailure};
    use crate::{Errno, Error};

    /// At most `chunk` bytes per call.
    struct Chunked<'a>(&'a [u8], usize);

    impl ReadAt for Chunked<'_> {
        type Error = ReadFailure;
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, ReadFailure> {
            let n = buf.len().min(self.1);
            self.0.read_at(offset, &mut buf[..n]).map_err(|e| match e {})
        }
    }

    #[test]
    fn read_up_to_loops_until_min() {
        let data = [7u8; 100];
        let src = Counting::new(Chunked(&data, 3));
        let mut buf = [0u8; 50];
        // Stops as soon as `min` is reached (3 calls of 3 bytes for min 7).
        assert_eq!(read_up_to(&src, 0, &mut buf, 7), Ok(9));
        assert_eq!((src.calls(), src.bytes()), (3, 9));
        // `min` above the buffer is capped to it.
        assert_eq!(read_up_to(&data[..], 0, &mut buf, 500), Ok(50));
        // End of file before `min` is not an error here, but is for read_at_least.
        assert_eq!(read_up_to(&data[..], 90, &mut buf, 20), Ok(10));
        assert_eq!(read_at_least(&data[..], 90, &mut buf, 20), Err(Error::Truncated { offset: 90, len: 20 }));
        assert_eq!(read_exact_at(&data[..], 60, &mut buf), Err(Error::Truncated { offset: 60, len: 50 }));
        assert_eq!(read_exact_at(&data[..], 50, &mut buf), Ok(()));
        // Empty buffers make no call.
        let src = Counting::new(&data[..]);
        assert_eq!(read_up_to(&src, 0, &mut [], 10), Ok(0));
        assert_eq!(src.calls(), 0);
    }

    #[test]
    fn offsets_at_the_end_of_the_address_space() {
        let data = [1u8; 4];
        let mut buf = [0u8; 4];
        assert_eq!(read_up_to(&data[..], u64::MAX, &mut buf, 4), Ok(0));
        assert_eq!(
            read_exact_at(&data[..], u64::MAX, &mut buf),
            Err(Error::Truncated { offset: u64::MAX, len: 4 })
        );
        assert_eq!(data[..].read_at(u64::MAX, &mut buf), Ok(0));
    }

    #[test]
    fn failures_carry_offset_and_errno() {
        struct Fails;
        impl ReadAt for Fails {
            type Error = ReadFailure;
            fn read_at(&self, _: u64, _: &mut [u8]) -> Result<usize, ReadFailure> {
                Err(ReadFailure::new(Errno(61)))
            }
        }
        let mut buf = [0u8; 4];
        assert_eq!(read_up_to(&Fails, 12, &mut buf, 1), Err(Error::Read { offset: 12, errno: Errno(61) }));
    }
}
