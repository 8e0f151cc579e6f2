//! `AddressSpace`: the new process's (fresh, empty) address space, driven by the loader
//! and the stack builder through the kernel's primitives.

use crate::addr::{AddrRange, MappingFlags, PageSize, Prot, UserAddr};
use crate::error::{ExecError, SpaceOp};
use crate::policy::Role;
use elf_stream::{Errno, FileOffset, ReadAt};

/// Bytes of the bounce buffer used when the kernel offers no direct file-to-user read
/// (nor lends a buffer of its own): on the kernel's stack, at the bottom of the deepest
/// path of `load` and `elfmap`, hence small.
pub const BOUNCE: usize = 256;

/// The kernel's operations on the address space being built.
///
/// Errors are errnos; the loader wraps them with the operation's name. Optional
/// capabilities (file mappings, lazy registration, direct reads) have defaults that
/// report `ENOSYS` or fall back to plain writes.
pub trait AddressSpace {
    /// Reserves `range` (no access) so later fixed mappings inside it cannot collide.
    fn reserve(&mut self, range: AddrRange) -> Result<(), Errno>;

    /// Maps zero-filled anonymous memory over `range` (inside a reservation or free).
    fn map_anonymous(&mut self, range: AddrRange, prot: Prot, flags: MappingFlags) -> Result<(), Errno>;

    /// Maps `range` privately from the file of `role` at `offset` (page aligned).
    /// `ENOSYS` means "cannot map files": the loader copies instead.
    fn map_file(
        &mut self,
        range: AddrRange,
        role: Role,
        offset: FileOffset,
        prot: Prot,
        flags: MappingFlags,
    ) -> Result<(), Errno> {
        let _ = (range, role, offset, prot, flags);
        Err(Errno::ENOSYS)
    }

    /// Registers `range` for demand paging: nothing is populated; the kernel asks the
    /// fault resolver what each page holds. `ENOSYS` when unsupported.
    fn map_lazy(&mut self, range: AddrRange, prot: Prot, flags: MappingFlags) -> Result<(), Errno> {
        let _ = (range, prot, flags);
        Err(Errno::ENOSYS)
    }

    /// Writes `bytes` at `addr` (the range is mapped and the kernel may write it even if
    /// its final protection is read-only).
    fn write(&mut self, addr: UserAddr, bytes: &[u8]) -> Result<(), Errno>;

    /// Copies the file bytes of `copy` to its destination, straight into user memory when
    /// the kernel can (override this; [`FileCopy::pages`] walks the destination page by
    /// page); the default bounces through a small stack buffer and [`AddressSpace::write`].
    fn copy_from_file<S: ReadAt + ?Sized>(&mut self, copy: FileCopy<'_, S>) -> Result<(), ExecError> {
        bounce_copy(self, copy)
    }

    /// Zero-fills `len` bytes at `addr` (memory that may hold stale bytes).
    fn zero(&mut self, addr: UserAddr, len: u64) -> Result<(), Errno> {
        let zeros = [0u8; BOUNCE];
        for chunk in Chunks::every(addr, len, BOUNCE).ok_or(Errno::EFAULT)? {
            self.write(chunk.addr, zeros.get(..chunk.len).unwrap_or_default())?;
        }
        Ok(())
    }

    /// Sets the final protection of `range`.
    fn protect(&mut self, range: AddrRange, prot: Prot, flags: MappingFlags) -> Result<(), Errno>;

    /// Removes every mapping and reservation in `range` (used to undo a failed load).
    fn unmap(&mut self, range: AddrRange) -> Result<(), Errno>;

    /// Makes freshly written code visible to instruction fetch (icache flush); default no-op.
    fn sync_icache(&mut self, range: AddrRange) -> Result<(), Errno> {
        let _ = range;
        Ok(())
    }

    /// A free range of `len` bytes aligned to `align` (a power of two, at least a page),
    /// where a later fixed mapping would not collide: the kernel's `get_unmapped_area`.
    /// [`elfmap`](crate::elfmap::elfmap) asks once when an object's own addresses are taken.
    /// Default `ENOSYS`.
    fn find_free_range(&mut self, len: u64, align: u64) -> Result<UserAddr, Errno> {
        let _ = (len, align);
        Err(Errno::ENOSYS)
    }

    /// A text page needing an erratum patch: `page` holds code with the instruction
    /// offsets listed (MIPS R5000 `cvt.*.l`). Default: accept unpatched.
    fn patch_text(&mut self, page: UserAddr, offsets: &[u32]) -> Result<(), Errno> {
        let _ = (page, offsets);
        Ok(())
    }
}

/// A copy of file bytes into the new image, as [`AddressSpace::copy_from_file`] is asked
/// for it: `len` bytes of the file of `role`, read through `source` from `offset`, to `dest`.
pub struct FileCopy<'a, S: ?Sized> {
    /// Whose file (errors name it).
    pub role: Role,
    /// The file.
    pub source: &'a S,
    /// Where the bytes start in the file.
    pub offset: FileOffset,
    /// Where they go in the new address space.
    pub dest: UserAddr,
    /// How many.
    pub len: u64,
}

impl<S: ?Sized> Clone for FileCopy<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ?Sized> Copy for FileCopy<'_, S> {}

impl<S: ReadAt + ?Sized> FileCopy<'_, S> {
    /// The destination split at page boundaries: one [`Chunk`] per page it touches, for a
    /// kernel that reads each straight into the page behind it. A destination that wraps
    /// the address space is `EFAULT`.
    pub fn pages(&self, page: PageSize) -> Result<Chunks, ExecError> {
        Chunks::pages(self.dest, self.len, page).ok_or(WRAPS)
    }

    /// The destination split every `size` bytes from its start: one [`Chunk`] per
    /// buffer-full. A destination that wraps the address space is `EFAULT`.
    pub fn every(&self, size: usize) -> Result<Chunks, ExecError> {
        Chunks::every(self.dest, self.len, size).ok_or(WRAPS)
    }

    /// Reads the file bytes of `chunk` (one of [`FileCopy::pages`] or [`FileCopy::every`])
    /// into `buf`, which is `chunk.len` bytes long.
    pub fn read(&self, chunk: Chunk, buf: &mut [u8]) -> Result<(), ExecError> {
        let at = self
            .offset
            .0
            .checked_add(chunk.at)
            .ok_or(ExecError::AddressSpace { op: SpaceOp::CopyFromFile, errno: Errno::EIO })?;
        elf_stream::read_exact_at(self.source, at, buf).map_err(|e| ExecError::elf(self.role, e))
    }
}

/// A destination past the end of the address space.
const WRAPS: ExecError = ExecError::AddressSpace { op: SpaceOp::Write, errno: Errno::EFAULT };

/// `len` bytes of user memory from `start`, split into [`Chunk`]s that cross no boundary:
/// the page boundaries ([`Chunks::pages`]) or every `size` bytes from `start`
/// ([`Chunks::every`]). What a kernel walks to write into memory it keeps per page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunks {
    start: UserAddr,
    len: u64,
    /// Bytes already handed out.
    done: u64,
    /// The distance between boundaries (never 0).
    size: u64,
    /// The address the boundaries are counted from: 0 for pages, `start` for buffers.
    origin: u64,
}

/// One piece of [`Chunks`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// Where it starts in user memory.
    pub addr: UserAddr,
    /// Where it starts, counted from the start of the whole range (and of the file bytes
    /// of a [`FileCopy`]).
    pub at: u64,
    /// Its length: never 0, at most a page or a buffer.
    pub len: usize,
}

impl Chunks {
    /// One chunk per page of `page` bytes that `len` bytes at `start` touch; `None` if
    /// their end is past the last address.
    pub fn pages(start: UserAddr, len: u64, page: PageSize) -> Option<Chunks> {
        Chunks::new(start, len, page.get(), 0)
    }

    /// One chunk per `size` bytes (the last one shorter) of `len` bytes at `start`; `None`
    /// if `size` is 0 or they wrap the address space.
    pub fn every(start: UserAddr, len: u64, size: usize) -> Option<Chunks> {
        Chunks::new(start, len, size as u64, start.0)
    }

    fn new(start: UserAddr, len: u64, size: u64, origin: u64) -> Option<Chunks> {
        start.checked_add(len)?;
        (size > 0).then_some(Chunks { start, len, done: 0, size, origin })
    }
}

impl Iterator for Chunks {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        let addr = self.start.checked_add(self.done).filter(|_| self.done < self.len)?;
        let into = addr.0.wrapping_sub(self.origin).checked_rem(self.size)?;
        let n = self.size.saturating_sub(into).min(self.len.saturating_sub(self.done));
        let chunk = Chunk { addr, at: self.done, len: usize::try_from(n).ok()? };
        self.done = self.done.saturating_add(n);
        Some(chunk)
    }
}

/// The fallback copy: file bytes through a [`BOUNCE`]-byte stack buffer into `write`.
/// Out of line: the buffer is on the stack only while it is in use.
#[inline(never)]
pub fn bounce_copy<A: AddressSpace + ?Sized, S: ReadAt + ?Sized>(
    space: &mut A,
    copy: FileCopy<'_, S>,
) -> Result<(), ExecError> {
    bounce_copy_through(space, copy, &mut [0u8; BOUNCE])
}

/// The copy through a caller's buffer `buf` (empty: a [`BOUNCE`]-byte one): one read of
/// the source per buffer-full (more only if it returns short reads) and one `write`.
pub fn bounce_copy_through<A: AddressSpace + ?Sized, S: ReadAt + ?Sized>(
    space: &mut A,
    copy: FileCopy<'_, S>,
    buf: &mut [u8],
) -> Result<(), ExecError> {
    if buf.is_empty() {
        return bounce_copy(space, copy);
    }
    for chunk in copy.every(buf.len())? {
        let part = buf.get_mut(..chunk.len).unwrap_or_default();
        copy.read(chunk, part)?;
        space
            .write(chunk.addr, part)
            .map_err(|errno| ExecError::AddressSpace { op: SpaceOp::Write, errno })?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn split(chunks: Option<Chunks>) -> Vec<(u64, u64, usize)> {
        chunks.unwrap().map(|c| (c.addr.0, c.at, c.len)).collect()
    }

    #[test]
    fn pages_split_at_page_boundaries() {
        let got = split(Chunks::pages(UserAddr(0x1ff0), 0x2020, PageSize::K4));
        let want =
            [(0x1ff0, 0, 0x10), (0x2000, 0x10, 0x1000), (0x3000, 0x1010, 0x1000), (0x4000, 0x2010, 0x10)];
        assert_eq!(got, want);
        assert_eq!(split(Chunks::pages(UserAddr(0x2000), 0x1000, PageSize::K4)), [(0x2000, 0, 0x1000)]);
        assert_eq!(split(Chunks::pages(UserAddr(0x2345), 0x10, PageSize::K16)), [(0x2345, 0, 0x10)]);
    }

    #[test]
    fn every_splits_from_the_start() {
        let got = split(Chunks::every(UserAddr(0x1ff0), 1100, 512));
        assert_eq!(got, [(0x1ff0, 0, 512), (0x21f0, 512, 512), (0x23f0, 1024, 76)]);
    }

    #[test]
    fn empty_wrapping_and_zero_sized() {
        assert_eq!(split(Chunks::pages(UserAddr(0x1000), 0, PageSize::K4)), []);
        assert_eq!(
            split(Chunks::pages(UserAddr(u64::MAX - 0x1fff), 0x1000, PageSize::K4)),
            [(u64::MAX - 0x1fff, 0, 0x1000)]
        );
        // The end must be an address (ranges are half-open).
        assert!(Chunks::pages(UserAddr(u64::MAX - 0xfff), 0x1000, PageSize::K4).is_none());
        assert!(Chunks::every(UserAddr(0x1000), 10, 0).is_none());
    }

    /// Records every write; refuses nothing.
    #[derive(Default)]
    struct Writes(Vec<(u64, Vec<u8>)>);

    impl AddressSpace for Writes {
        fn reserve(&mut self, _: AddrRange) -> Result<(), Errno> {
            Ok(())
        }
        fn map_anonymous(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> {
            Ok(())
        }
        fn write(&mut self, addr: UserAddr, bytes: &[u8]) -> Result<(), Errno> {
            self.0.push((addr.0, bytes.to_vec()));
            Ok(())
        }
        fn protect(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> {
            Ok(())
        }
        fn unmap(&mut self, _: AddrRange) -> Result<(), Errno> {
            Ok(())
        }
    }

    #[test]
    fn the_bounce_copy_writes_one_buffer_full_at_a_time() {
        let file: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
        let copy = FileCopy {
            role: Role::Main,
            source: &file[..],
            offset: FileOffset(100),
            dest: UserAddr(0x1ff0),
            len: 2500,
        };
        let mut space = Writes::default();
        bounce_copy_through(&mut space, copy, &mut [0u8; 1024]).unwrap();
        let starts: Vec<(u64, usize)> = space.0.iter().map(|(a, b)| (*a, b.len())).collect();
        assert_eq!(starts, [(0x1ff0, 1024), (0x23f0, 1024), (0x27f0, 452)]);
        let copied: Vec<u8> = space.0.into_iter().flat_map(|(_, b)| b).collect();
        assert_eq!(copied, file[100..2600]);

        // The default: BOUNCE bytes at a time.
        let mut space = Writes::default();
        space.copy_from_file(copy).unwrap();
        assert_eq!(space.0.len(), 2500usize.div_ceil(BOUNCE));
        // A file too short is the file's error, named after its role.
        let short = FileCopy { len: 3000, ..copy };
        let err = bounce_copy(&mut Writes::default(), short).unwrap_err();
        assert!(matches!(err, ExecError::Elf { role: Role::Main, .. }), "{err:?}");
    }
}
