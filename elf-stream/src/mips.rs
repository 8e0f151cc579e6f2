//! MIPS records: the `PT_MIPS_ABIFLAGS` record and `PT_MIPS_OPTIONS` option records.

use crate::decode::Fields;
use crate::{ElfFile, Error, FileOffset, FileRange, ProgramHeader, ProgramType, ReadAt};

/// Size of `Elf_MIPS_ABIFlags_v0`.
pub const ABIFLAGS_SIZE: usize = 24;
/// Size of an option record header (`Elf_Options`).
pub const OPTION_HEADER_SIZE: u8 = 8;

/// `PT_MIPS_ABIFLAGS` record (`Elf_MIPS_ABIFlags_v0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct MipsAbiFlags {
    /// Record version (0).
    pub version: u16,
    /// ISA level (1..5, 32, 64).
    pub isa_level: u8,
    /// ISA revision.
    pub isa_rev: u8,
    /// GPR size code.
    pub gpr_size: u8,
    /// FPR size code.
    pub cpr1_size: u8,
    /// COP2 register size code.
    pub cpr2_size: u8,
    /// FP ABI (`Val_GNU_MIPS_ABI_FP_*`).
    pub fp_abi: u8,
    /// Processor-specific ISA extension.
    pub isa_ext: u32,
    /// ASEs used.
    pub ases: u32,
    /// Flags word 1 (`MIPS_AFL_FLAGS1_ODDSPREG` = 1).
    pub flags1: u32,
    /// Flags word 2.
    pub flags2: u32,
}

/// Option record kind (`ODK_*`), an open newtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OptionKind(pub u8);

impl OptionKind {
    /// Register usage (`ODK_REGINFO`).
    pub const REGINFO: OptionKind = OptionKind(1);
    /// Exception control (`ODK_EXCEPTIONS`).
    pub const EXCEPTIONS: OptionKind = OptionKind(2);
    /// Padding (`ODK_PAD`).
    pub const PAD: OptionKind = OptionKind(3);
    /// Hardware patches applied or needed (`ODK_HWPATCH`).
    pub const HWPATCH: OptionKind = OptionKind(4);
}

/// One option record: header fields and where its payload is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MipsOption {
    /// File offset of the record.
    pub offset: FileOffset,
    /// `kind`.
    pub kind: OptionKind,
    /// `size`: the whole record, header included.
    pub size: u8,
    /// `section`.
    pub section: u16,
    /// `info`: the kind's flags (exception bits, hardware patch bits, ...).
    pub info: u32,
    /// The bytes after the 8-byte header.
    pub payload: FileRange,
}

/// Iterator over the records of a `PT_MIPS_OPTIONS` segment; stops after the first error.
pub struct MipsOptions<'a, R, const W: usize> {
    file: &'a ElfFile<R, W>,
    pos: u64,
    end: u64,
    failed: bool,
}

impl<R: ReadAt, const W: usize> MipsOptions<'_, R, W> {
    fn read_record(&mut self) -> Result<MipsOption, Error> {
        let offset = self.pos;
        let mut hdr = [0u8; 8];
        let avail = usize::try_from(self.end.saturating_sub(offset)).map_or(8, |left| left.min(8));
        self.file.read_exact_at(FileOffset(offset), hdr.get_mut(..avail).unwrap_or_default())?;
        let Some(size) = hdr.get(1).copied().filter(|_| avail >= 2) else {
            return Err(Error::MipsOptionPastSegment { offset, size: 0 });
        };
        if size < OPTION_HEADER_SIZE {
            return Err(Error::MipsOptionTooSmall { offset, size });
        }
        let next = offset.checked_add(u64::from(size)).filter(|&n| n <= self.end);
        let Some(next) = next else { return Err(Error::MipsOptionPastSegment { offset, size }) };
        let f = Fields::new(&hdr, self.file.header().endian);
        self.pos = next;
        Ok(MipsOption {
            offset: FileOffset(offset),
            kind: OptionKind(f.u8(0).unwrap_or(0)),
            size,
            section: f.u16(2).unwrap_or(0),
            info: f.u32(4).unwrap_or(0),
            payload: FileRange {
                offset: FileOffset(offset.saturating_add(8)),
                size: u64::from(size).saturating_sub(8),
            },
        })
    }
}

impl<R: ReadAt, const W: usize> Iterator for MipsOptions<'_, R, W> {
    type Item = Result<MipsOption, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.end {
            return None;
        }
        let item = self.read_record();
        self.failed = item.is_err();
        Some(item)
    }
}

impl<R: ReadAt, const W: usize> ElfFile<R, W> {
    /// Reads the `PT_MIPS_ABIFLAGS` record, if the file has one (a second is an error; a
    /// segment shorter than 24 bytes is [`Error::MipsAbiFlagsTooShort`], EINVAL as Linux).
    pub fn mips_abiflags(&self) -> Result<Option<MipsAbiFlags>, Error> {
        let Some(ph) = self.unique_segment(ProgramType::MIPS_ABIFLAGS)? else { return Ok(None) };
        if ph.filesz < ABIFLAGS_SIZE as u64 {
            return Err(Error::MipsAbiFlagsTooShort { size: ph.filesz });
        }
        self.check_in_file(ph.file_range(), ph.index)?;
        let mut rec = [0u8; ABIFLAGS_SIZE];
        self.read_exact_at(ph.offset, &mut rec)?;
        let f = Fields::new(&rec, self.header().endian);
        Ok(Some(MipsAbiFlags {
            version: f.u16(0).unwrap_or(0),
            isa_level: f.u8(2).unwrap_or(0),
            isa_rev: f.u8(3).unwrap_or(0),
            gpr_size: f.u8(4).unwrap_or(0),
            cpr1_size: f.u8(5).unwrap_or(0),
            cpr2_size: f.u8(6).unwrap_or(0),
            fp_abi: f.u8(7).unwrap_or(0),
            isa_ext: f.u32(8).unwrap_or(0),
            ases: f.u32(12).unwrap_or(0),
            flags1: f.u32(16).unwrap_or(0),
            flags2: f.u32(20).unwrap_or(0),
        }))
    }

    /// Iterates the option records of `segment` (a `PT_MIPS_OPTIONS` header of this file).
    /// A record of size 0, below 8, or running past the segment is an error, never a loop.
    pub fn mips_options(&self, segment: &ProgramHeader) -> Result<MipsOptions<'_, R, W>, Error> {
        self.check_in_file(segment.file_range(), segment.index)?;
        let end = segment.file_range().end().ok_or(Error::SegmentOutsideFile { index: segment.index })?;
        Ok(MipsOptions { file: self, pos: segment.offset.0, end, failed: false })
    }
}
