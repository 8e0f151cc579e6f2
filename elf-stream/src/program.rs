//! Program headers (`Elf32_Phdr` / `Elf64_Phdr`) and the streaming iterator over the table.

use crate::decode::Fields;
use crate::file::ElfFile;
use crate::source::read_up_to;
use crate::{Class, Endian, Error, FileOffset, FileRange, ProgramType, ReadAt, SegmentFlags, VirtAddr};

/// One program header, decoded into native integers (not yet validated: the planner does).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ProgramHeader {
    /// Position in the table.
    pub index: u32,
    /// `p_type`.
    pub kind: ProgramType,
    /// `p_flags`.
    pub flags: SegmentFlags,
    /// `p_offset`.
    pub offset: FileOffset,
    /// `p_vaddr`.
    pub vaddr: VirtAddr,
    /// `p_paddr`.
    pub paddr: u64,
    /// `p_filesz`.
    pub filesz: u64,
    /// `p_memsz`.
    pub memsz: u64,
    /// `p_align`.
    pub align: u64,
}

impl ProgramHeader {
    /// Decodes entry `index` from its `class`-sized bytes (`None` when `bytes` is shorter
    /// than `class.program_header_size()`): the table inside a file, or one a runtime
    /// linker hands the kernel (exec-core's `elfmap`).
    #[inline]
    pub fn decode(bytes: &[u8], class: Class, endian: Endian, index: u32) -> Option<ProgramHeader> {
        // One branch on (class, endian) per entry, then fixed-offset loads from a fixed-size
        // array (no per-field bounds or byte-order checks): this is the hot loop of exec.
        Some(match (class, endian) {
            (Class::Elf64, Endian::Little) => decode64::<false>(bytes.get(..56)?.try_into().ok()?, index),
            (Class::Elf64, Endian::Big) => decode64::<true>(bytes.get(..56)?.try_into().ok()?, index),
            (Class::Elf32, _) => {
                let f = Fields::new(bytes, endian);
                ProgramHeader {
                    index,
                    kind: ProgramType(f.u32(0)?),
                    offset: FileOffset(f.u32(4)?.into()),
                    vaddr: VirtAddr(f.u32(8)?.into()),
                    paddr: f.u32(12)?.into(),
                    filesz: f.u32(16)?.into(),
                    memsz: f.u32(20)?.into(),
                    flags: SegmentFlags(f.u32(24)?),
                    align: f.u32(28)?.into(),
                }
            }
        })
    }

    /// The segment's bytes in the file (`p_offset`, `p_filesz`).
    pub const fn file_range(&self) -> FileRange {
        FileRange { offset: self.offset, size: self.filesz }
    }
}

/// An `Elf64_Phdr` in big (`BIG`) or little endian.
#[inline]
fn decode64<const BIG: bool>(b: &[u8; 56], index: u32) -> ProgramHeader {
    let u32_at = |at: usize| {
        let v = u32::from_le_bytes(array(b, at));
        if BIG {
            v.swap_bytes()
        } else {
            v
        }
    };
    let u64_at = |at: usize| {
        let v = u64::from_le_bytes(array(b, at));
        if BIG {
            v.swap_bytes()
        } else {
            v
        }
    };
    ProgramHeader {
        index,
        kind: ProgramType(u32_at(0)),
        flags: SegmentFlags(u32_at(4)),
        offset: FileOffset(u64_at(8)),
        vaddr: VirtAddr(u64_at(16)),
        paddr: u64_at(24),
        filesz: u64_at(32),
        memsz: u64_at(40),
        align: u64_at(48),
    }
}

/// `N` bytes of `b` at `at` (constant offsets inside the array: the checks fold away).
#[inline]
fn array<const N: usize, const L: usize>(b: &[u8; L], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(src) = b.get(at..).and_then(|s| s.get(..N)) {
        out.copy_from_slice(src);
    }
    out
}

/// Bytes of the iterator's own window when the table lies beyond the file's head window:
/// four ELF64 (seven ELF32) entries per read, whatever `e_phnum` is. Every iterator
/// carries it on its caller's stack, and iterators nest (an arch's scan, then the note's
/// lookup): 448 bytes made `execcore_prepare` exceed 4 KiB on arm64.
const CHUNK: usize = 224;

/// Iterator over the program header table, in table order.
///
/// Served from the file's head window when the table lies inside it (no reads);
/// otherwise streamed through a fixed 224-byte buffer, set up only then. Stops after the first error. A table
/// cut short by the end of the file yields its complete entries, then [`Error::Truncated`]
/// naming the first missing entry, whatever the window size and the source's read sizes.
pub struct ProgramHeaders<'a, R, const W: usize> {
    file: &'a ElfFile<R, W>,
    next: u32,
    /// The whole table when the head window holds it (the common case), else empty.
    table: &'a [u8],
    /// The streaming buffer, created on first use: most tables never need it, and
    /// zeroing it for every iteration would cost as much as decoding a small table.
    chunk: Option<[u8; CHUNK]>,
    /// Table indices held in `chunk`: `chunk_first .. chunk_first + chunk_count`.
    chunk_first: u32,
    chunk_count: u32,
    failed: bool,
}

impl<'a, R: ReadAt, const W: usize> ProgramHeaders<'a, R, W> {
    pub(crate) fn new(file: &'a ElfFile<R, W>) -> Self {
        let table = file.table_in_window().unwrap_or_default();
        Self { file, next: 0, table, chunk: None, chunk_first: 0, chunk_count: 0, failed: false }
    }

    /// Entry `index` from the table in the window: the hot path, kept small to inline.
    #[inline(always)]
    fn in_table(&self, index: u32) -> Option<ProgramHeader> {
        let header = self.file.header();
        let entsize = header.class.program_header_size();
        let at = (index as usize).checked_mul(entsize)?;
        let bytes = self.table.get(at..)?;
        if let (Class::Elf64, Endian::Little) = (header.class, header.endian) {
            // The common case decoded right here (the general `decode` is not inlined).
            return Some(decode64::<false>(bytes.get(..56)?.try_into().ok()?, index));
        }
        ProgramHeader::decode(bytes, header.class, header.endian, index)
    }

    /// Entry `index` when the table is not (all) in the window: streamed in chunks.
    #[inline(never)]
    fn entry(&mut self, index: u32) -> Result<ProgramHeader, Error> {
        let file = self.file;
        let class = file.header().class;
        let entsize = class.program_header_size();
        if let Some(ph) = file.program_header_in_window(index) {
            return Ok(ph);
        }
        let in_chunk = index.checked_sub(self.chunk_first).filter(|&i| i < self.chunk_count);
        let slot = match in_chunk {
            Some(slot) => slot,
            None => {
                let per_chunk = CHUNK.checked_div(entsize).unwrap_or(1) as u32;
                let count = file.phnum().saturating_sub(index).min(per_chunk);
                let len = (count as usize).saturating_mul(entsize);
                let offset = file.program_header_offset(index)?;
                let buf = self.chunk.get_or_insert([0; CHUNK]).get_mut(..len).unwrap_or_default();
                // Keep the whole entries that exist: a table cut by the end of the file fails
                // at its first missing entry, whatever the window and the source's read sizes.
                let got = read_up_to(file.source(), offset.0, buf, len)?;
                let complete = got.checked_div(entsize).unwrap_or(0) as u32;
                if complete == 0 {
                    return Err(Error::Truncated { offset: offset.0, len: entsize as u64 });
                }
                self.chunk_first = index;
                self.chunk_count = complete;
                0
            }
        };
        let start = (slot as usize).saturating_mul(entsize);
        let chunk = self.chunk.as_ref().map_or(&[][..], |c| &c[..]);
        let bytes = chunk.get(start..).and_then(|b| b.get(..entsize)).unwrap_or_default();
        ProgramHeader::decode(bytes, class, file.header().endian, index)
            .ok_or(Error::NoSuchProgramHeader { index, count: file.phnum() })
    }
}

impl<R: ReadAt, const W: usize> Iterator for ProgramHeaders<'_, R, W> {
    type Item = Result<ProgramHeader, Error>;

    // Always inlined (its slow path is out of line): returned through memory, each entry
    // would be stored and reloaded by the caller, a store-forwarding stall per field.
    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.next >= self.file.phnum() {
            return None;
        }
        let index = self.next;
        self.next = index.saturating_add(1);
        if let Some(ph) = self.in_table(index) {
            return Some(Ok(ph));
        }
        let item = self.entry(index);
        self.failed = item.is_err();
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.file.phnum().saturating_sub(self.next) as usize;
        (0, Some(left))
    }
}
