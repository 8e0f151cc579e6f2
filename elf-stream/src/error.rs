//! The one error type of elf-stream: what was wrong, where, and the errno to return.

use crate::{Errno, ErrorCode};

/// Why a file could not be read as an executable ELF.
///
/// `Copy`, allocation-free, and precise: each rejection names the offending value or index.
/// [`Error::errno`] gives the errno a kernel returns from `execve`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The source failed.
    #[error("read at offset {offset} failed ({errno})")]
    Read {
        /// Offset of the failed read.
        offset: u64,
        /// The source's errno.
        errno: Errno,
    },
    /// The file ended inside a structure.
    #[error("file truncated: {len} bytes needed at offset {offset}")]
    Truncated {
        /// Start of the structure.
        offset: u64,
        /// Bytes it needs.
        len: u64,
    },
    /// The file ended before a structure Linux reads whole with `elf_read` (PT_INTERP's
    /// path, the interpreter's file header; a PT_GNU_PROPERTY shorter than its note's
    /// header and name): EIO, as `elf_read` and `parse_elf_properties` return.
    #[error("short read: {len} bytes needed at offset {offset}")]
    ShortRead {
        /// Start of the structure.
        offset: u64,
        /// Bytes it needs.
        len: u64,
    },
    /// A read Linux's `kernel_read` refuses: its position is past the largest file offset
    /// (EINVAL from `rw_verify_area`).
    #[error("read at offset {offset} is past the largest file offset")]
    BadReadOffset {
        /// The offset.
        offset: u64,
    },
    /// Not `\x7fELF`.
    #[error("not an ELF file (bad magic)")]
    BadMagic,
    /// `EI_CLASS` is neither ELFCLASS32 nor ELFCLASS64.
    #[error("invalid ELF class {0}")]
    BadClass(u8),
    /// `EI_DATA` is neither little nor big endian.
    #[error("invalid ELF data encoding {0}")]
    BadEncoding(u8),
    /// `EI_VERSION` is not 1.
    #[error("invalid ELF ident version {0}")]
    BadIdentVersion(u8),
    /// `e_version` is not 1.
    #[error("invalid ELF version {0}")]
    BadVersion(u32),
    /// `e_ehsize` is not the class's header size.
    #[error("e_ehsize is {found}, expected {expected}")]
    BadHeaderSize {
        /// The file's value.
        found: u16,
        /// The class's size.
        expected: u16,
    },
    /// `e_phentsize` is not the class's program header size.
    #[error("e_phentsize is {found}, expected {expected}")]
    BadProgramHeaderSize {
        /// The file's value.
        found: u16,
        /// The class's size.
        expected: u16,
    },
    /// `e_phnum` is PN_XNUM but section header 0 is missing or malformed.
    #[error("e_phnum is PN_XNUM but there is no valid section header 0")]
    BadExtendedPhnum,
    /// The program header table is larger than the cap.
    #[error("program header table of {size} bytes exceeds the {cap}-byte limit")]
    ProgramHeaderTableTooLarge {
        /// Its size (`e_phnum * e_phentsize`).
        size: u64,
        /// The cap.
        cap: u32,
    },
    /// The program header table does not lie inside the file.
    #[error("program header table at {offset} (+{size}) lies outside the file")]
    ProgramHeaderTableOutsideFile {
        /// `e_phoff`.
        offset: u64,
        /// Its size.
        size: u64,
    },
    /// A program header index beyond the table.
    #[error("program header {index} does not exist ({count} entries)")]
    NoSuchProgramHeader {
        /// Requested index.
        index: u32,
        /// Entries in the table.
        count: u32,
    },
    /// A segment's file range overflows or lies outside the file.
    #[error("segment {index} file range lies outside the file")]
    SegmentOutsideFile {
        /// Program header index.
        index: u32,
    },
    /// More than one PT_INTERP.
    #[error("second PT_INTERP at program header {index}")]
    DuplicateInterpreter {
        /// Index of the second one.
        index: u32,
    },
    /// PT_INTERP shorter than 2 bytes (a path and its NUL).
    #[error("PT_INTERP of {len} bytes is too short")]
    InterpreterTooShort {
        /// `p_filesz`.
        len: u64,
    },
    /// PT_INTERP longer than the caller's capacity (PATH_MAX by default).
    #[error("PT_INTERP of {len} bytes exceeds the {cap}-byte limit")]
    InterpreterTooLong {
        /// `p_filesz`.
        len: u64,
        /// The capacity.
        cap: u64,
    },
    /// The interpreter path's last byte is not NUL.
    #[error("PT_INTERP is not NUL-terminated")]
    InterpreterNotTerminated,
    /// A NUL inside the interpreter path.
    #[error("PT_INTERP has a NUL at byte {at}, before its end")]
    InterpreterEmbeddedNul {
        /// Position of the NUL.
        at: u64,
    },
    /// More than one segment of a kind that must be unique (PT_GNU_PROPERTY, PT_MIPS_ABIFLAGS).
    #[error("second {kind} segment at program header {index}")]
    DuplicateSegment {
        /// Which kind.
        kind: &'static str,
        /// Index of the second one.
        index: u32,
    },
    /// PT_GNU_PROPERTY larger than Linux's 1 KiB note buffer.
    #[error("PT_GNU_PROPERTY of {size} bytes exceeds 1024")]
    PropertyTooLarge {
        /// `p_filesz`.
        size: u64,
    },
    /// The property note's header is not a GNU NT_GNU_PROPERTY_TYPE_0 note.
    #[error("PT_GNU_PROPERTY does not hold a GNU property note")]
    PropertyNoteInvalid,
    /// A property runs past the note's descriptor or is misaligned.
    #[error("GNU property at descriptor offset {at} is malformed")]
    PropertyMalformed {
        /// Offset inside the descriptor.
        at: u32,
    },
    /// Properties not strictly ascending by type.
    #[error("GNU property {pr_type:#x} out of order")]
    PropertyUnsorted {
        /// The out-of-order type.
        pr_type: u32,
    },
    /// A known property with the wrong data size.
    #[error("GNU property {pr_type:#x} has {size} data bytes, expected 4")]
    PropertyBadSize {
        /// The property type.
        pr_type: u32,
        /// Its `pr_datasz`.
        size: u32,
    },
    /// A note header or its name/descriptor runs past its segment.
    #[error("note at offset {offset} runs past its segment")]
    NoteMalformed {
        /// File offset of the note.
        offset: u64,
    },
    /// PT_MIPS_ABIFLAGS shorter than its 24-byte record.
    #[error("PT_MIPS_ABIFLAGS of {size} bytes is shorter than 24")]
    MipsAbiFlagsTooShort {
        /// `p_filesz`.
        size: u64,
    },
    /// A MIPS option record whose size is 0 or below its 8-byte header.
    #[error("MIPS option record at offset {offset} has size {size}")]
    MipsOptionTooSmall {
        /// File offset of the record.
        offset: u64,
        /// Its size byte.
        size: u8,
    },
    /// A MIPS option record running past its segment.
    #[error("MIPS option record at offset {offset} (size {size}) runs past the segment")]
    MipsOptionPastSegment {
        /// File offset of the record.
        offset: u64,
        /// Its size byte.
        size: u8,
    },
}

impl Error {
    /// The kind of error, with its stable name, message and default errno.
    pub const fn code(&self) -> ErrorCode {
        match self {
            Error::Read { .. } => ErrorCode::ReadFailed,
            Error::Truncated { .. } => ErrorCode::Truncated,
            Error::BadMagic => ErrorCode::BadMagic,
            Error::BadClass(_) => ErrorCode::BadClass,
            Error::BadEncoding(_) => ErrorCode::BadEncoding,
            Error::BadIdentVersion(_) => ErrorCode::BadIdentVersion,
            Error::BadVersion(_) => ErrorCode::BadVersion,
            Error::BadHeaderSize { .. } => ErrorCode::BadHeaderSize,
            Error::BadProgramHeaderSize { .. } => ErrorCode::BadProgramHeaderSize,
            Error::BadExtendedPhnum => ErrorCode::BadExtendedPhnum,
            Error::ProgramHeaderTableTooLarge { .. } => ErrorCode::ProgramHeaderTableTooLarge,
            Error::ProgramHeaderTableOutsideFile { .. } => ErrorCode::ProgramHeaderTableOutsideFile,
            Error::NoSuchProgramHeader { .. } => ErrorCode::NoSuchProgramHeader,
            Error::SegmentOutsideFile { .. } => ErrorCode::SegmentOutsideFile,
            Error::DuplicateInterpreter { .. } => ErrorCode::DuplicateInterpreter,
            Error::InterpreterTooShort { .. } => ErrorCode::InterpreterTooShort,
            Error::InterpreterTooLong { .. } => ErrorCode::InterpreterTooLong,
            Error::InterpreterNotTerminated => ErrorCode::InterpreterNotTerminated,
            Error::InterpreterEmbeddedNul { .. } => ErrorCode::InterpreterEmbeddedNul,
            Error::DuplicateSegment { .. } => ErrorCode::DuplicateSegment,
            Error::PropertyTooLarge { .. } => ErrorCode::PropertyTooLarge,
            Error::PropertyNoteInvalid => ErrorCode::PropertyNoteInvalid,
            Error::PropertyMalformed { .. } => ErrorCode::PropertyMalformed,
            Error::PropertyUnsorted { .. } => ErrorCode::PropertyUnsorted,
            Error::PropertyBadSize { .. } => ErrorCode::PropertyBadSize,
            Error::NoteMalformed { .. } => ErrorCode::NoteMalformed,
            Error::MipsAbiFlagsTooShort { .. } => ErrorCode::MipsAbiFlagsTooShort,
            Error::MipsOptionTooSmall { .. } => ErrorCode::MipsOptionTooSmall,
            Error::MipsOptionPastSegment { .. } => ErrorCode::MipsOptionPastSegment,
            Error::ShortRead { .. } => ErrorCode::ShortRead,
            Error::BadReadOffset { .. } => ErrorCode::BadReadOffset,
        }
    }

    /// The errno a kernel returns for this error, as Linux does: the source's errno
    /// (EIO by default) for read failures, otherwise the code's (EINVAL for a short MIPS
    /// ABI flags record, ENOEXEC for every other malformation).
    pub const fn errno(&self) -> Errno {
        match self {
            Error::Read { errno, .. } => *errno,
            _ => self.code().errno(),
        }
    }

    /// The code's stable snake_case name (for logs and JSON).
    pub const fn kind(&self) -> &'static str {
        self.code().name()
    }
}
