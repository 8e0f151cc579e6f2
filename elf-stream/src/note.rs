//! Notes (PT_NOTE, PT_GNU_PROPERTY) and the GNU property reader with Linux's rules.

use crate::decode::Fields;
use crate::{ElfFile, Error, FileOffset, FileRange, Machine, ProgramHeader, ProgramType, ReadAt};

/// `NT_GNU_PROPERTY_TYPE_0`.
pub const NT_GNU_PROPERTY_TYPE_0: u32 = 5;
/// AArch64 feature bits property (BTI, PAC, GCS).
pub const GNU_PROPERTY_AARCH64_FEATURE_1_AND: u32 = 0xc000_0000;
/// x86 feature bits property (IBT, SHSTK).
pub const GNU_PROPERTY_X86_FEATURE_1_AND: u32 = 0xc000_0002;
/// RISC-V feature bits property (Zicfilp landing pads, Zicfiss shadow stack); the same
/// processor-specific number as AArch64's, told apart by `e_machine`.
pub const GNU_PROPERTY_RISCV_FEATURE_1_AND: u32 = 0xc000_0000;
/// A note header and the 4-byte name "GNU": the least `parse_elf_properties` must read.
const NOTE_HEADER_AND_NAME: u64 = 16;
/// Linux's note buffer for PT_GNU_PROPERTY: larger segments are rejected.
pub const MAX_PROPERTY_SEGMENT: usize = 1024;

/// How much of a PT_GNU_PROPERTY outside the head window is read at once: what linkers
/// write (32 to 64 bytes) in one read; a larger note, up to [`MAX_PROPERTY_SEGMENT`], in
/// pieces as the walk reaches them, so a kernel stack never holds a 1 KiB buffer.
const PROPERTY_READ: usize = 128;

/// Bits of `GNU_PROPERTY_AARCH64_FEATURE_1_AND`.
pub mod aarch64_feature {
    /// Branch Target Identification.
    pub const BTI: u32 = 1;
    /// Pointer authentication.
    pub const PAC: u32 = 2;
    /// Guarded control stack.
    pub const GCS: u32 = 4;
}

/// Bits of `GNU_PROPERTY_X86_FEATURE_1_AND`.
pub mod x86_feature {
    /// Indirect branch tracking.
    pub const IBT: u32 = 1;
    /// Shadow stack.
    pub const SHSTK: u32 = 2;
}

/// Bits of `GNU_PROPERTY_RISCV_FEATURE_1_AND` (RISC-V psABI).
pub mod riscv_feature {
    /// Zicfilp landing pads, unlabeled scheme (`lpad` with label 0).
    pub const CFI_LP_UNLABELED: u32 = 1;
    /// Zicfiss shadow stack.
    pub const CFI_SS: u32 = 2;
    /// Zicfilp landing pads, function-signature labeled scheme.
    pub const CFI_LP_FUNC_SIG: u32 = 4;
}

/// Name bytes kept inline per note; longer names are reported by length only.
const NAME_CAP: usize = 16;

/// One note: its name, type and where its descriptor lies in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Note {
    /// File offset of the note header.
    pub offset: FileOffset,
    /// `n_type`.
    pub n_type: u32,
    /// `n_namesz` (including the NUL).
    pub namesz: u32,
    name: [u8; NAME_CAP],
    /// The descriptor's bytes in the file.
    pub desc: FileRange,
}

impl Note {
    /// The name without its trailing NUL, or `None` when longer than 16 bytes.
    pub fn name(&self) -> Option<&[u8]> {
        let len = usize::try_from(self.namesz).ok().filter(|&n| n <= NAME_CAP)?;
        let name = self.name.get(..len)?;
        Some(name.strip_suffix(&[0]).unwrap_or(name))
    }
}

/// Iterator over the notes of one segment; stops after the first error.
///
/// Padding is measured from the segment's start (as readelf, the gABI and Linux lay notes
/// out), so a segment whose file offset is not itself aligned still reads correctly.
pub struct Notes<'a, R, const W: usize> {
    file: &'a ElfFile<R, W>,
    /// File offset of the segment.
    start: u64,
    /// Offset of the next note, relative to `start`.
    pos: u64,
    /// Segment size (`p_filesz`).
    len: u64,
    align: u64,
    failed: bool,
}

fn align_up(n: u64, align: u64) -> Option<u64> {
    let mask = align.checked_sub(1)?;
    n.checked_add(mask).map(|v| v & !mask)
}

impl<R: ReadAt, const W: usize> Notes<'_, R, W> {
    fn read_note(&mut self) -> Result<Note, Error> {
        let rel = self.pos;
        let offset = self.start.checked_add(rel).ok_or(Error::NoteMalformed { offset: self.start })?;
        let bad = Error::NoteMalformed { offset };
        if self.len.checked_sub(rel).is_none_or(|left| left < 12) {
            return Err(bad);
        }
        let mut hdr = [0u8; 12];
        self.file.read_exact_at(FileOffset(offset), &mut hdr)?;
        let f = Fields::new(&hdr, self.file.header().endian);
        let (namesz, descsz, n_type) = (f.u32(0).unwrap_or(0), f.u32(4).unwrap_or(0), f.u32(8).unwrap_or(0));
        // Relative to the segment: name right after the header, descriptor aligned after it.
        let name_end = rel.checked_add(12).and_then(|n| n.checked_add(u64::from(namesz))).ok_or(bad)?;
        let desc_rel = align_up(name_end, self.align).ok_or(bad)?;
        let desc_end = desc_rel.checked_add(u64::from(descsz)).filter(|&e| e <= self.len).ok_or(bad)?;
        let name_at = offset.checked_add(12).ok_or(bad)?;
        let desc_at = self.start.checked_add(desc_rel).ok_or(bad)?;
        let mut name = [0u8; NAME_CAP];
        if let Some(dst) = usize::try_from(namesz).ok().and_then(|n| name.get_mut(..n)) {
            self.file.read_exact_at(FileOffset(name_at), dst)?;
        }
        // Padding after the last descriptor may be missing; never step past the segment.
        self.pos = align_up(desc_end, self.align).unwrap_or(self.len).min(self.len);
        Ok(Note {
            offset: FileOffset(offset),
            n_type,
            namesz,
            name,
            desc: FileRange { offset: FileOffset(desc_at), size: u64::from(descsz) },
        })
    }
}

impl<R: ReadAt, const W: usize> Iterator for Notes<'_, R, W> {
    type Item = Result<Note, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.len {
            return None;
        }
        let item = self.read_note();
        self.failed = item.is_err();
        Some(item)
    }
}

/// What the GNU property note says, decoded for the file's machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct GnuProperties {
    /// `GNU_PROPERTY_AARCH64_FEATURE_1_AND` bits (AArch64 files only); see [`aarch64_feature`].
    pub aarch64_feature_1_and: Option<u32>,
    /// `GNU_PROPERTY_X86_FEATURE_1_AND` bits (x86 files only); see [`x86_feature`].
    pub x86_feature_1_and: Option<u32>,
    /// `GNU_PROPERTY_RISCV_FEATURE_1_AND` bits (RISC-V files only); see [`riscv_feature`].
    pub riscv_feature_1_and: Option<u32>,
    /// Number of properties in the note, known or not.
    pub count: u32,
}

impl<R: ReadAt, const W: usize> ElfFile<R, W> {
    /// Iterates the notes of `segment` (a PT_NOTE or PT_GNU_PROPERTY header of this file).
    ///
    /// Each descriptor and each following note start at an offset from the segment's start
    /// aligned to 8 when the segment's `p_align` is 8, else to 4 (as readelf and the gABI).
    /// A note running past the segment is [`Error::NoteMalformed`]; the iterator then stops.
    pub fn notes(&self, segment: &ProgramHeader) -> Result<Notes<'_, R, W>, Error> {
        self.check_in_file(segment.file_range(), segment.index)?;
        let align = if segment.align == 8 { 8 } else { 4 };
        Ok(Notes { file: self, start: segment.offset.0, pos: 0, len: segment.filesz, align, failed: false })
    }

    /// Reads PT_GNU_PROPERTY with Linux's rules (`parse_elf_properties`): segment at most
    /// 1 KiB, read as far as the file goes — fewer bytes than a note header and its name
    /// is [`Error::ShortRead`] (EIO) —, one note named "GNU" (namesz 4) of type 5 within
    /// the bytes read, properties each within the descriptor, padded to 8 bytes (ELF64)
    /// or 4 (ELF32), types strictly ascending, FEATURE_1_AND with exactly 4 data bytes.
    /// `None` when there is no PT_GNU_PROPERTY; of several, the last (`load_elf_binary`
    /// keeps the last it sees).
    pub fn gnu_properties(&self) -> Result<Option<GnuProperties>, Error> {
        let Some(ph) = self.last_segment(ProgramType::GNU_PROPERTY)? else { return Ok(None) };
        if ph.filesz > MAX_PROPERTY_SEGMENT as u64 {
            return Err(Error::PropertyTooLarge { size: ph.filesz });
        }
        // kernel_read stops at the end of the file (and fails past the largest offset):
        // the note is what it read.
        let len = match self.file_size() {
            _ if ph.offset.0 > i64::MAX as u64 => 0,
            Some(size) => ph.filesz.min(size.saturating_sub(ph.offset.0)),
            None => ph.filesz,
        };
        if len < NOTE_HEADER_AND_NAME {
            return Err(Error::ShortRead { offset: ph.offset.0, len: NOTE_HEADER_AND_NAME });
        }
        let len = usize::try_from(len).map_err(|_| Error::PropertyTooLarge { size: len })?;
        // Typically the note sits in the head window: parse it there, with no copy.
        match self.window(ph.offset.0, len as u64) {
            Some(data) => parse_properties(len, self.header(), &mut InWindow(data)),
            None => parse_properties(
                len,
                self.header(),
                &mut Streamed {
                    file: self,
                    offset: ph.offset.0,
                    len,
                    buf: [0; PROPERTY_READ],
                    at: 0,
                    filled: 0,
                },
            ),
        }
        .map(Some)
    }
}

/// A GNU property note's bytes as `parse_properties` walks them: 4 bytes at a time, at
/// offsets from the note's start.
trait PropertyBytes {
    /// The 4 bytes at `at`, `None` past the note's end.
    fn bytes(&mut self, at: usize) -> Result<Option<[u8; 4]>, Error>;
}

/// A note inside the head window.
struct InWindow<'a>(&'a [u8]);

impl PropertyBytes for InWindow<'_> {
    fn bytes(&mut self, at: usize) -> Result<Option<[u8; 4]>, Error> {
        Ok(self.0.get(at..).and_then(|b| b.get(..4)).and_then(|b| b.try_into().ok()))
    }
}

/// A note outside the head window, read [`PROPERTY_READ`] bytes at a time from where the
/// walk is.
struct Streamed<'f, R, const W: usize> {
    file: &'f ElfFile<R, W>,
    offset: u64,
    len: usize,
    buf: [u8; PROPERTY_READ],
    /// Note offset of `buf[0]`, and how many bytes of `buf` hold the note.
    at: usize,
    filled: usize,
}

impl<R: ReadAt, const W: usize> PropertyBytes for Streamed<'_, R, W> {
    fn bytes(&mut self, at: usize) -> Result<Option<[u8; 4]>, Error> {
        if at.checked_add(4).is_none_or(|end| end > self.len) {
            return Ok(None);
        }
        let held = at.checked_sub(self.at).filter(|o| o.saturating_add(4) <= self.filled);
        let o = match held {
            Some(o) => o,
            None => {
                let n = self.len.saturating_sub(at).min(PROPERTY_READ);
                let buf = self.buf.get_mut(..n).ok_or(Error::PropertyNoteInvalid)?;
                let offset = self.offset.checked_add(at as u64).ok_or(Error::PropertyNoteInvalid)?;
                self.file.read_exact_at(FileOffset(offset), buf)?;
                (self.at, self.filled) = (at, n);
                0
            }
        };
        Ok(self.buf.get(o..).and_then(|b| b.get(..4)).and_then(|b| b.try_into().ok()))
    }
}

/// Linux's `parse_elf_properties` over the `len` bytes of the note.
fn parse_properties(
    len: usize,
    header: &crate::FileHeader,
    note: &mut impl PropertyBytes,
) -> Result<GnuProperties, Error> {
    let endian = header.endian;
    let mut u32_at = |at: usize| -> Result<Option<u32>, Error> { Ok(note.bytes(at)?.map(|b| endian.u32(b))) };
    let (namesz, descsz, n_type) = match (u32_at(0)?, u32_at(4)?, u32_at(8)?) {
        (Some(a), Some(b), Some(c)) => (a, b, c),
        _ => return Err(Error::PropertyNoteInvalid),
    };
    if n_type != NT_GNU_PROPERTY_TYPE_0 || namesz != 4 || u32_at(12)? != Some(endian.u32(*b"GNU\0")) {
        return Err(Error::PropertyNoteInvalid);
    }
    let align = header.class.property_align();
    let mut off = 16usize; // round_up(12 + 4, align) for both aligns
    let end = usize::try_from(descsz)
        .ok()
        .and_then(|d| off.checked_add(d))
        .filter(|&e| e <= len)
        .ok_or(Error::PropertyNoteInvalid)?;
    let mut props = GnuProperties::default();
    let mut prev: Option<u32> = None;
    while off != end {
        let at = off.saturating_sub(16) as u32;
        let bad = Error::PropertyMalformed { at };
        let left = end.checked_sub(off).ok_or(bad)?;
        if off.checked_rem(align) != Some(0) || left < 8 {
            return Err(bad);
        }
        let (pr_type, pr_datasz) = (u32_at(off)?.ok_or(bad)?, u32_at(off.saturating_add(4))?.ok_or(bad)?);
        let data_at = off.saturating_add(8);
        let step = align_up(u64::from(pr_datasz), align as u64)
            .and_then(|s| usize::try_from(s).ok())
            .filter(|&s| s <= left.saturating_sub(8))
            .ok_or(bad)?;
        if prev.is_some_and(|p| pr_type <= p) {
            return Err(Error::PropertyUnsorted { pr_type });
        }
        prev = Some(pr_type);
        props.count = props.count.saturating_add(1);
        let slot = match (header.machine, pr_type) {
            (Machine::AARCH64, GNU_PROPERTY_AARCH64_FEATURE_1_AND) => Some(&mut props.aarch64_feature_1_and),
            (Machine::X86_64 | Machine::I386, GNU_PROPERTY_X86_FEATURE_1_AND) => {
                Some(&mut props.x86_feature_1_and)
            }
            (Machine::RISCV, GNU_PROPERTY_RISCV_FEATURE_1_AND) => Some(&mut props.riscv_feature_1_and),
            _ => None,
        };
        if let Some(slot) = slot {
            if pr_datasz != 4 {
                return Err(Error::PropertyBadSize { pr_type, size: pr_datasz });
            }
            *slot = Some(u32_at(data_at)?.ok_or(bad)?);
        }
        off = data_at.saturating_add(step);
    }
    Ok(props)
}

#[cfg(test)]
// Test arithmetic on small known values (clippy.toml exempts the rest of the panic-free set).
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::{align_up, parse_properties, InWindow};
    use crate::{Class, ElfType, Endian, Error, FileHeader, FileOffset, Machine, VirtAddr};

    fn parse(data: &[u8], h: &FileHeader) -> Result<super::GnuProperties, Error> {
        parse_properties(data.len(), h, &mut InWindow(data))
    }

    fn header(class: Class, endian: Endian, machine: Machine) -> FileHeader {
        FileHeader {
            class,
            endian,
            os_abi: 0,
            abi_version: 0,
            elf_type: ElfType::DYN,
            machine,
            entry: VirtAddr(0),
            phoff: FileOffset(64),
            shoff: FileOffset(0),
            flags: 0,
            ehsize: 64,
            phentsize: 56,
            phnum: 0,
            shentsize: 0,
            shnum: 0,
            shstrndx: 0,
        }
    }

    #[test]
    fn align_up_checks_overflow() {
        assert_eq!(align_up(0, 8), Some(0));
        assert_eq!(align_up(1, 8), Some(8));
        assert_eq!(align_up(8, 8), Some(8));
        assert_eq!(align_up(13, 4), Some(16));
        assert_eq!(align_up(u64::MAX, 4), None);
        assert_eq!(align_up(u64::MAX - 3, 4), Some(u64::MAX - 3));
        assert_eq!(align_up(5, 0), None);
    }

    /// A little-endian ELF64 property note with the given descriptor.
    fn note64(desc: &[u8], descsz: u32) -> ([u8; 128], usize) {
        let mut n = [0u8; 128];
        n[0..4].copy_from_slice(&4u32.to_le_bytes());
        n[4..8].copy_from_slice(&descsz.to_le_bytes());
        n[8..12].copy_from_slice(&5u32.to_le_bytes());
        n[12..16].copy_from_slice(b"GNU\0");
        n[16..16 + desc.len()].copy_from_slice(desc);
        (n, 16 + desc.len())
    }

    #[test]
    fn parse_properties_directly() {
        let h = header(Class::Elf64, Endian::Little, Machine::AARCH64);
        // FEATURE_1_AND = BTI|PAC, padded to 8.
        let desc = [0x00, 0x00, 0x00, 0xc0, 4, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0];
        let (n, len) = note64(&desc, 16);
        let p = parse(&n[..len], &h).unwrap();
        assert_eq!((p.aarch64_feature_1_and, p.x86_feature_1_and, p.count), (Some(3), None, 1));
        // The descriptor may be shorter than the segment: the rest is ignored.
        assert_eq!(parse(&n[..len + 40], &h).unwrap().count, 1);
        // descsz one past the data.
        let (n, len) = note64(&desc, 17);
        assert_eq!(parse(&n[..len], &h), Err(Error::PropertyNoteInvalid));
        // Too short for the header and name.
        assert_eq!(parse(&n[..15], &h), Err(Error::PropertyNoteInvalid));
        assert_eq!(parse(&[], &h), Err(Error::PropertyNoteInvalid));
        // An ELF32 header reads the same bytes with 4-byte padding: the 4 trailing bytes
        // become a property header that is too short.
        let h32 = header(Class::Elf32, Endian::Little, Machine::AARCH64);
        assert_eq!(parse(&n[..len], &h32), Err(Error::PropertyNoteInvalid));
        let (n, len) = note64(&desc, 16);
        assert_eq!(parse(&n[..len], &h32), Err(Error::PropertyMalformed { at: 12 }));
    }
}
