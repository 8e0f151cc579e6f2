//! Address spaces for the load benchmarks: [`MemorySpace`] copies into real, already
//! faulted memory (the eager-load bandwidth comparison). Mapped and lazy loads, whose
//! cost must not depend on the file's size, use `test_support::counting::CountingSpace`.

use elf_stream::{Errno, ReadAt};
use exec_core::{AddrRange, AddressSpace, ExecError, ExecPlan, FileCopy, MappingFlags, Prot, UserAddr};
use std::num::NonZeroUsize;

/// How large the reads into the destination are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadChunk {
    /// One read per contiguous run the loader asks for (one `pread` per segment).
    Whole,
    /// At most this many bytes per read (2 MiB, or a 4 KiB page for the per-page approach).
    Bytes(NonZeroUsize),
}

impl ReadChunk {
    /// 2 MiB reads.
    pub const MIB2: ReadChunk = ReadChunk::Bytes(NonZeroUsize::new(2 << 20).unwrap());
    /// One 4 KiB page per read (what a page-by-page loader does).
    pub const PAGE: ReadChunk = ReadChunk::Bytes(NonZeroUsize::new(4096).unwrap());

    fn bytes(self) -> usize {
        match self {
            ReadChunk::Whole => usize::MAX,
            ReadChunk::Bytes(n) => n.get(),
        }
    }
}

/// One reserved image span and the memory behind it.
struct Region {
    range: AddrRange,
    memory: Vec<u8>,
}

/// The new image in real memory: one buffer per image span of a plan, allocated and
/// faulted in up front, so a load is timed on the copy alone (as the `pread` limit is).
///
/// `map_anonymous` is a no-op: the buffers start zeroed and a benchmark reloads the same
/// bytes into them, so re-zeroing would only add a memset the limit does not pay.
/// `copy_from_file` reads straight from the source into the destination in
/// [`ReadChunk`]-sized reads, as a kernel's direct file-to-user read does.
pub struct MemorySpace {
    regions: Vec<Region>,
    chunk: ReadChunk,
}

impl MemorySpace {
    /// Memory for every image span of `plan`, faulted in.
    pub fn for_plan<I>(plan: &ExecPlan<I>, chunk: ReadChunk) -> Self {
        let regions = std::iter::once(&plan.main)
            .chain(plan.interp.as_ref())
            .map(|img| {
                let range = img.span();
                // vec![0; n] may come straight from mmap untouched: fault every page now.
                let mut memory = vec![0u8; range.len() as usize];
                for b in memory.iter_mut().step_by(4096) {
                    *b = 1;
                }
                memory.fill(0);
                Region { range, memory }
            })
            .collect();
        MemorySpace { regions, chunk }
    }

    /// The destination bytes `[addr, addr + len)`.
    pub fn slice_mut(&mut self, addr: UserAddr, len: u64) -> Result<&mut [u8], Errno> {
        let end = addr.checked_add(len).ok_or(Errno::EFAULT)?;
        let r = self
            .regions
            .iter_mut()
            .find(|r| r.range.start <= addr && end <= r.range.end)
            .ok_or(Errno::EFAULT)?;
        let at = (addr.0 - r.range.start.0) as usize;
        r.memory.get_mut(at..at + len as usize).ok_or(Errno::EFAULT)
    }

    /// The chunk size of this space's reads.
    pub fn chunk(&self) -> ReadChunk {
        self.chunk
    }
}

/// Reads `dest.len()` bytes at `offset` from `source` into `dest`, `chunk` bytes at most
/// per call; returns the number of `read_at` calls.
pub fn read_chunked<S: ReadAt + ?Sized>(
    source: &S,
    offset: u64,
    dest: &mut [u8],
    chunk: ReadChunk,
) -> Result<u64, elf_stream::Error> {
    let mut calls = 0;
    let mut at = offset;
    for piece in dest.chunks_mut(chunk.bytes().clamp(1, dest.len().max(1))) {
        elf_stream::read_exact_at(source, at, piece)?;
        at += piece.len() as u64;
        calls += 1;
    }
    Ok(calls)
}

impl AddressSpace for MemorySpace {
    fn reserve(&mut self, range: AddrRange) -> Result<(), Errno> {
        self.slice_mut(range.start, range.len()).map(|_| ())
    }

    fn map_anonymous(&mut self, range: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> {
        self.slice_mut(range.start, range.len()).map(|_| ())
    }

    fn write(&mut self, addr: UserAddr, bytes: &[u8]) -> Result<(), Errno> {
        self.slice_mut(addr, bytes.len() as u64)?.copy_from_slice(bytes);
        Ok(())
    }

    fn copy_from_file<S: ReadAt + ?Sized>(&mut self, copy: FileCopy<'_, S>) -> Result<(), ExecError> {
        let chunk = self.chunk;
        let fault = |errno| ExecError::AddressSpace { op: exec_core::SpaceOp::CopyFromFile, errno };
        let dest = self.slice_mut(copy.dest, copy.len).map_err(fault)?;
        read_chunked(copy.source, copy.offset.0, dest, chunk).map_err(|e| ExecError::elf(copy.role, e))?;
        Ok(())
    }

    fn protect(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> {
        Ok(())
    }

    fn unmap(&mut self, _: AddrRange) -> Result<(), Errno> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{read_chunked, ReadChunk};
    use elf_stream::Counting;
    use std::num::NonZeroUsize;

    #[test]
    fn reads_in_chunks_of_the_asked_size() {
        let data: Vec<u8> = (0..100u8).collect();
        let src = Counting::new(&data[..]);
        let mut dest = [0u8; 10];
        let four = ReadChunk::Bytes(NonZeroUsize::new(4).unwrap());
        assert_eq!(read_chunked(&src, 20, &mut dest, four).unwrap(), 3);
        assert_eq!(dest.to_vec(), (20..30u8).collect::<Vec<_>>());
        assert_eq!(read_chunked(&src, 50, &mut dest, ReadChunk::Whole).unwrap(), 1);
        assert_eq!(dest[0], 50);
        assert_eq!(read_chunked(&src, 0, &mut [], ReadChunk::Whole).unwrap(), 0);
        assert_eq!(src.calls(), 4);
        // Past the end of the file is an error, not a short copy.
        assert!(read_chunked(&src, 95, &mut dest, four).is_err());
    }
}
