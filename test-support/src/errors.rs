//! One value of every error variant, for the tests that check each has its own kind,
//! status, errno and message.

use elf_stream::{ElfType, Errno, Error};
use exec_core::{ExecError, Mismatch, Parameter, Placement, ScriptError, SpaceOp, Table};

/// Every [`elf_stream::Error`] variant, once.
pub fn every_file_error() -> Vec<Error> {
    vec![
        Error::Read { offset: 0, errno: Errno::EIO },
        Error::Truncated { offset: 0, len: 1 },
        Error::BadMagic,
        Error::BadClass(9),
        Error::BadEncoding(9),
        Error::BadIdentVersion(9),
        Error::BadVersion(9),
        Error::BadHeaderSize { found: 1, expected: 64 },
        Error::BadProgramHeaderSize { found: 1, expected: 56 },
        Error::BadExtendedPhnum,
        Error::ProgramHeaderTableTooLarge { size: 1, cap: 1 },
        Error::ProgramHeaderTableOutsideFile { offset: 1, size: 1 },
        Error::NoSuchProgramHeader { index: 1, count: 1 },
        Error::SegmentOutsideFile { index: 1 },
        Error::DuplicateInterpreter { index: 1 },
        Error::InterpreterTooShort { len: 1 },
        Error::InterpreterTooLong { len: 1, cap: 1 },
        Error::InterpreterNotTerminated,
        Error::InterpreterEmbeddedNul { at: 1 },
        Error::DuplicateSegment { kind: "x", index: 1 },
        Error::PropertyTooLarge { size: 1 },
        Error::PropertyNoteInvalid,
        Error::PropertyMalformed { at: 1 },
        Error::PropertyUnsorted { pr_type: 1 },
        Error::PropertyBadSize { pr_type: 1, size: 1 },
        Error::NoteMalformed { offset: 1 },
        Error::MipsAbiFlagsTooShort { size: 1 },
        Error::MipsOptionTooSmall { offset: 1, size: 1 },
        Error::MipsOptionPastSegment { offset: 1, size: 1 },
        Error::ShortRead { offset: 1, len: 1 },
        Error::BadReadOffset { offset: u64::MAX },
    ]
}

/// Every [`ExecError`] variant but the file errors it wraps (`Elf`, see
/// [`every_file_error`]), once; every [`ScriptError`] variant.
pub fn every_exec_error() -> Vec<ExecError> {
    vec![
        ExecError::NotExecutable(ElfType::REL),
        ExecError::InterpreterNotLoadable(ElfType::REL),
        ExecError::InterpreterNotElf(Error::BadMagic),
        ExecError::InterpreterMismatch { what: Mismatch::Abi },
        ExecError::InterpreterOpen(Errno::ENOENT),
        ExecError::NoLoadSegment,
        ExecError::TooManySegments { cap: 1 },
        ExecError::FileSizeExceedsMemSize { index: 1 },
        ExecError::Misaligned { index: 1 },
        ExecError::OverlappingSegments { first: 1, second: 2 },
        ExecError::SharedPageProtections { first: 1, second: 2 },
        ExecError::FileRangeOverflow { index: 1 },
        ExecError::BssTailUnzeroable { index: 1 },
        ExecError::CommitRefused { index: 1, bytes: 1 },
        ExecError::OutsideUserRange { index: 1 },
        ExecError::ProgramHeadersNotLoaded,
        ExecError::BadEntry,
        ExecError::NoSpace { what: Placement::MmapArea },
        ExecError::ArgumentsTooLarge { size: 1, limit: 1 },
        ExecError::StringTooLong { index: 1, len: 1 },
        ExecError::StackTooLarge { size: 1 },
        ExecError::Capacity { what: Table::Auxv },
        ExecError::ReservationRefused { bytes: 1 },
        ExecError::Entropy(Errno::EIO),
        ExecError::AddressSpace { op: SpaceOp::MapAnonymous, errno: Errno::ENOMEM },
        ExecError::TooManyProgramHeaders { count: 65, cap: 64 },
        ExecError::NotMapped(1),
        ExecError::InvalidParameter(Parameter::ElfmapTableShort),
        ExecError::Script(ScriptError::NoInterpreter),
        ExecError::Script(ScriptError::Truncated),
        ExecError::Script(ScriptError::TooDeep),
        ExecError::Script(ScriptError::InterpreterOpen(Errno::ENOENT)),
        ExecError::Script(ScriptError::Read(Errno::EIO)),
    ]
}
