//! `ExecError`: every reason an exec can fail, and the one list of error codes (with
//! their names, messages and errnos) the C ABI's status table is derived from.

use crate::policy::Role;
use elf_stream::Errno;

elf_stream::error_codes! {
    /// What kind of [`ExecError`] (besides file and architecture errors) happened.
    pub enum ExecCode {
        NotExecutable = 0, "not_executable", ENOEXEC, "file type is not executable";
        InterpreterNotLoadable = 1, "interpreter_not_loadable", EINVAL, "interpreter type is not loadable";
        InterpreterNotElf = 2, "interpreter_not_elf", ELIBBAD, "interpreter is not a valid ELF file";
        InterpreterMismatch = 3, "interpreter_mismatch", ELIBBAD, "interpreter does not match the executable";
        InterpreterOpenFailed = 4, "interpreter_open_failed", ENOENT, "cannot open the interpreter";
        NoLoadSegment = 5, "no_load_segment", ENOEXEC, "no PT_LOAD segment";
        TooManySegments = 6, "too_many_segments", ENOEXEC, "too many PT_LOAD segments";
        FileszExceedsMemsz = 7, "filesz_exceeds_memsz", EINVAL, "p_filesz exceeds p_memsz";
        MisalignedSegment = 8, "misaligned_segment", EINVAL, "p_vaddr and p_offset not congruent modulo the page size";
        OverlappingSegments = 9, "overlapping_segments", ENOEXEC, "PT_LOAD segments overlap";
        OutsideUserRange = 11, "outside_user_range", EINVAL, "segment outside the user address range";
        BadEntry = 12, "bad_entry", EINVAL, "entry point outside the user address range";
        NoSpace = 13, "no_space", ENOMEM, "the image does not fit the address space";
        ArgumentsTooLarge = 14, "arguments_too_large", E2BIG, "arguments and environment too large";
        StringTooLong = 15, "string_too_long", E2BIG, "argument or environment string too long";
        StackTooLarge = 16, "stack_too_large", ENOMEM, "initial stack too large";
        CapacityExceeded = 17, "capacity_exceeded", ENOEXEC, "fixed capacity exceeded";
        ReservationRefused = 18, "reservation_refused", EAGAIN, "memory reservation refused, retry later";
        EntropyFailed = 19, "entropy_failed", EIO, "entropy source failed";
        AddressSpaceFailed = 20, "address_space_failed", ENOMEM, "address space operation failed";
        NotMapped = 21, "not_mapped", EFAULT, "address is not part of the image";
        ProgramHeadersNotLoaded = 22, "program_headers_not_loaded", ENOEXEC, "no PT_LOAD covers the program header table";
        TooManyProgramHeaders = 23, "too_many_program_headers", E2BIG, "more program headers than elfmap takes";
        InvalidParameter = 24, "invalid_parameter", EINVAL, "invalid parameter";
        ScriptNoInterpreter = 25, "script_no_interpreter", ENOEXEC, "#! line names no interpreter";
        ScriptTruncated = 26, "script_truncated", ENOEXEC, "#! line fills the buffer and the interpreter path may be truncated";
        ScriptTooDeep = 27, "script_too_deep", ELOOP, "more than five nested #! scripts";
        ScriptInterpreterOpenFailed = 28, "script_interpreter_open_failed", ENOENT, "cannot open the script's interpreter";
        ScriptReadFailed = 29, "script_read_failed", EIO, "reading the first bytes of the file failed";
        SharedPageProtections = 30, "shared_page_protections", ENOEXEC, "segments of different protections share a page";
        FileRangeOverflow = 31, "file_range_overflow", EINVAL, "a segment's file range overflows";
        BssTailUnzeroable = 32, "bss_tail_unzeroable", EFAULT, "a writable segment's bss starts in a page past the end of the file";
        CommitRefused = 33, "commit_refused", ENOMEM, "a writable mapping larger than the memory the kernel commits";
    }
}

elf_stream::error_codes! {
    /// Why an architecture policy rejected a file (every architecture's reasons, so that
    /// the C ABI can give each its own status).
    pub enum ArchCode {
        WrongMachine = 0, "wrong_machine", ENOEXEC, "wrong machine for this architecture";
        WrongClass = 1, "wrong_class", ENOEXEC, "wrong ELF class for this architecture";
        WrongEndianness = 2, "wrong_endianness", ENOEXEC, "wrong byte order for this architecture";
        Aarch64BigEndianUnsupported = 3, "aarch64_be_unsupported", ENOEXEC, "big-endian AArch64 programs are not accepted";
        Aarch64PageSizeTooLarge = 4, "aarch64_page_size_too_large", EINVAL, "program linked for pages smaller than the CPU's";
        MipsN32AbiFieldSet = 5, "mips_n32_abi_field_set", ENOEXEC, "n32 executable with an EF_MIPS_ABI value";
        MipsO64Rejected = 6, "mips_o64_rejected", ENOEXEC, "the MIPS O64 ABI is not supported";
        MipsEabi32Rejected = 7, "mips_eabi32_rejected", ENOEXEC, "the MIPS EABI32 ABI is not supported";
        MipsEabi64Rejected = 8, "mips_eabi64_rejected", ENOEXEC, "the MIPS EABI64 ABI is not supported";
        MipsUnknownAbi = 9, "mips_unknown_abi", ENOEXEC, "unknown EF_MIPS_ABI value";
        MipsAbiNotSupported = 10, "mips_abi_not_supported", ENOEXEC, "the kernel does not run this MIPS ABI";
        MipsO32Fp64Unsupported = 11, "mips_o32_fp64_unsupported", ENOEXEC, "o32 FP64 is not supported by the kernel";
        MipsIsaUnsupported = 12, "mips_isa_unsupported", EBADRQC, "EF_MIPS_ARCH is above the CPU's instruction set";
        MipsNanNotAllowed = 13, "mips_nan_not_allowed", ENOEXEC, "the NaN encoding is not allowed on this CPU";
        MipsNanMismatch = 14, "mips_nan_mismatch", ELIBBAD, "program and interpreter use different NaN encodings";
        MipsFpAbiUnsupported = 15, "mips_fp_abi_unsupported", ELIBBAD, "FP ABI not supported for this ABI";
        MipsFpModeConflict = 16, "mips_fp_mode_conflict", ELIBBAD, "no FPU mode suits both program and interpreter";
        MipsAbiFlagsUnreadable = 17, "mips_abiflags_unreadable", EIO, "PT_MIPS_ABIFLAGS could not be read";
        MipsR8000Prefetch = 18, "mips_r8000_prefetch", EBADRQC, "static program needs R8000 prefetch patches";
        RiscvIsaMissing = 19, "riscv_isa_missing", ENOEXEC, "the file needs an extension this RISC-V CPU lacks";
    }
}

/// The kind of any [`ExecError`]: a file error, an exec error or an architecture's
/// rejection. Each has a stable name, message and default errno.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    /// The file could not be read as ELF.
    Elf(elf_stream::ErrorCode),
    /// Exec planning, loading or the stack failed.
    Exec(ExecCode),
    /// The architecture policy rejected the file.
    Arch(ArchCode),
}

impl ErrorCode {
    /// Every code: file errors, then exec errors, then architecture rejections.
    pub fn all() -> impl Iterator<Item = ErrorCode> {
        let elf = elf_stream::ErrorCode::ALL.iter().map(|c| ErrorCode::Elf(*c));
        let exec = ExecCode::ALL.iter().map(|c| ErrorCode::Exec(*c));
        elf.chain(exec).chain(ArchCode::ALL.iter().map(|c| ErrorCode::Arch(*c)))
    }

    /// The stable snake_case name.
    pub const fn name(self) -> &'static str {
        match self {
            ErrorCode::Elf(c) => c.name(),
            ErrorCode::Exec(c) => c.name(),
            ErrorCode::Arch(c) => c.name(),
        }
    }

    /// A short message.
    pub const fn message(self) -> &'static str {
        match self {
            ErrorCode::Elf(c) => c.message(),
            ErrorCode::Exec(c) => c.message(),
            ErrorCode::Arch(c) => c.message(),
        }
    }

    /// The message with a trailing NUL (a C string).
    pub const fn message_nul(self) -> &'static str {
        match self {
            ErrorCode::Elf(c) => c.message_nul(),
            ErrorCode::Exec(c) => c.message_nul(),
            ErrorCode::Arch(c) => c.message_nul(),
        }
    }

    /// The default errno (asm-generic numbering).
    pub const fn errno(self) -> Errno {
        match self {
            ErrorCode::Elf(c) => c.errno(),
            ErrorCode::Exec(c) => c.errno(),
            ErrorCode::Arch(c) => c.errno(),
        }
    }
}

/// An error raised by an architecture policy: its code, a message and the offending value.
///
/// Arch crates define their own precise error enums and convert them into this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchError {
    /// What was rejected (its errno is the code's).
    pub code: ArchCode,
    /// Human-readable message, more precise than the code's.
    pub message: &'static str,
    /// The offending value (flags, ISA level, ...), 0 when none.
    pub value: u64,
}

impl ArchError {
    /// A policy's rejection: [`ExecError::Arch`] of `code` with its precise `message` and
    /// the offending `value`.
    pub const fn reject(code: ArchCode, message: &'static str, value: u64) -> ExecError {
        ExecError::Arch(ArchError { code, message, value })
    }
}

/// An [`AddressSpace`](crate::AddressSpace) operation, named in [`ExecError::AddressSpace`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpaceOp {
    /// `reserve`.
    Reserve,
    /// `map_anonymous`.
    MapAnonymous,
    /// `map_file`.
    MapFile,
    /// `map_lazy`.
    MapLazy,
    /// Mapping the stack.
    MapStack,
    /// `write`.
    Write,
    /// `copy_from_file` (read_into, or the bounce copy's read).
    CopyFromFile,
    /// `protect`.
    Protect,
    /// `unmap`.
    Unmap,
    /// `sync_icache`.
    SyncIcache,
    /// `find_free_range`.
    FindFreeRange,
    /// `patch_text`.
    PatchText,
}

impl SpaceOp {
    /// The operation's name.
    pub const fn name(self) -> &'static str {
        match self {
            SpaceOp::Reserve => "reserve",
            SpaceOp::MapAnonymous => "map_anonymous",
            SpaceOp::MapFile => "map_file",
            SpaceOp::MapLazy => "map_lazy",
            SpaceOp::MapStack => "map_stack",
            SpaceOp::Write => "write",
            SpaceOp::CopyFromFile => "copy_from_file",
            SpaceOp::Protect => "protect",
            SpaceOp::Unmap => "unmap",
            SpaceOp::SyncIcache => "sync_icache",
            SpaceOp::FindFreeRange => "find_free_range",
            SpaceOp::PatchText => "patch_text",
        }
    }
}

impl core::fmt::Display for SpaceOp {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Generates a detail enum whose variants each carry a fixed description.
macro_rules! detail_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// A short description.
            pub const fn describe(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.describe())
            }
        }
    };
}

detail_enum! {
    /// What differs between the interpreter and the program ([`ExecError::InterpreterMismatch`]).
    Mismatch {
        /// `e_machine`.
        Machine => "machine",
        /// ELF class.
        Class => "class",
        /// Byte order.
        Endianness => "endianness",
        /// The ABI the policy selects (MIPS o32/n32/n64, AArch64 byte order).
        Abi => "abi",
    }
}

detail_enum! {
    /// What did not fit the address window ([`ExecError::NoSpace`]).
    Placement {
        /// The interpreter's span overlaps the program's.
        InterpreterOverlapsProgram => "interpreter overlaps the program",
        /// An image reaches into the stack area.
        ImageOverlapsStack => "image overlaps the stack",
        /// No free range in the mmap area.
        MmapArea => "mmap area",
        /// No free range to relocate an `elfmap` image to.
        ElfmapRelocation => "elfmap relocation",
    }
}

detail_enum! {
    /// Which fixed-capacity table is full ([`ExecError::Capacity`]).
    Table {
        /// The auxiliary vector.
        Auxv => "auxv",
        /// The text scanner's window.
        TextScanWindow => "text scan window",
        /// The loader's list of reservations.
        Reservations => "reservations",
    }
}

detail_enum! {
    /// Which caller-supplied parameter is invalid ([`ExecError::InvalidParameter`]).
    Parameter {
        /// The plan slot is empty after planning.
        PlanMissing => "no plan",
        /// The plan has an interpreter but no interpreter source was given.
        InterpreterSourceMissing => "the plan needs its interpreter's source",
        /// `elfmap`: the program header table is shorter than its count.
        ElfmapTableShort => "elfmap: program header table shorter than its count",
        /// AArch64: the page size is not 4, 16 or 64 KiB.
        Aarch64PageSize => "aarch64 page size must be 4, 16 or 64 KiB",
        /// AArch64: `va_bits` is not between 36 and 52.
        Aarch64VaBits => "aarch64 va_bits must be between 36 and 52",
        /// A script needs `execfn` (its path becomes an argument).
        ScriptExecfnMissing => "a script needs params->execfn (its path becomes an argument)",
        /// A policy was handed an ABI it does not select.
        ForeignAbi => "an ABI this policy does not select",
    }
}

/// Why `prepare`, `load`, the stack builder or the fault resolver failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExecError {
    /// The file could not be read as an ELF executable.
    #[error("{error}")]
    Elf {
        /// Which file.
        role: Role,
        /// What was wrong.
        error: elf_stream::Error,
    },
    /// `e_type` is neither ET_EXEC nor ET_DYN.
    #[error("ELF type {0} is not executable")]
    NotExecutable(elf_stream::ElfType),
    /// The interpreter is neither ET_EXEC nor ET_DYN (Linux: EINVAL).
    #[error("interpreter ELF type {0} is not loadable")]
    InterpreterNotLoadable(elf_stream::ElfType),
    /// The interpreter is not an ELF file (Linux: ELIBBAD).
    #[error("interpreter is not a valid ELF file: {0}")]
    InterpreterNotElf(elf_stream::Error),
    /// The interpreter's machine, class, byte order or ABI differs from the program's.
    #[error("interpreter does not match the executable ({what})")]
    InterpreterMismatch {
        /// What differs.
        what: Mismatch,
    },
    /// The interpreter could not be opened.
    #[error("cannot open the interpreter ({0})")]
    InterpreterOpen(Errno),
    /// The image has no PT_LOAD.
    #[error("no PT_LOAD segment")]
    NoLoadSegment,
    /// More PT_LOADs than the fixed capacity.
    #[error("more than {cap} PT_LOAD segments")]
    TooManySegments {
        /// The capacity.
        cap: u32,
    },
    /// `p_filesz > p_memsz` (Linux: EINVAL).
    #[error("segment {index}: p_filesz exceeds p_memsz")]
    FileSizeExceedsMemSize {
        /// Program header index.
        index: u32,
    },
    /// `p_vaddr` and `p_offset` differ modulo the page size (Linux: mmap EINVAL).
    #[error("segment {index}: p_vaddr and p_offset are not congruent modulo the page size")]
    Misaligned {
        /// Program header index.
        index: u32,
    },
    /// Two PT_LOADs of one image share bytes.
    #[error("segments {first} and {second} overlap")]
    OverlappingSegments {
        /// Lower program header index.
        first: u32,
        /// Higher program header index.
        second: u32,
    },
    /// Two PT_LOADs of different protections share a page (hardened profile: Linux gives
    /// the page the later segment's protection).
    #[error("segments {first} and {second} share a page with different protections")]
    SharedPageProtections {
        /// Lower program header index.
        first: u32,
        /// Higher program header index.
        second: u32,
    },
    /// The segment's file range overflows or ends past the largest file offset Linux maps
    /// (`MAX_LFS_FILESIZE`; its mmap fails after the point of no return).
    #[error("segment {index}: file range overflows")]
    FileRangeOverflow {
        /// Program header index.
        index: u32,
    },
    /// The page holding the end of a writable segment's file bytes lies wholly past the end
    /// of the file: zeroing its bss tail faults (Linux's `padzero`: EFAULT, after the point
    /// of no return).
    #[error("segment {index}: the page its bss starts in lies past the end of the file")]
    BssTailUnzeroable {
        /// Program header index.
        index: u32,
    },
    /// One private writable mapping of a segment (its bss, or its file pages when
    /// writable) is larger than the kernel commits (`Overcommit::Heuristic`: Linux's
    /// `__vm_enough_memory` fails it with ENOMEM after the point of no return).
    #[error("segment {index}: a writable mapping of {bytes} bytes is more than the kernel commits")]
    CommitRefused {
        /// Program header index.
        index: u32,
        /// The mapping's size.
        bytes: u64,
    },
    /// A segment's addresses overflow or leave the user address range (Linux: EINVAL).
    #[error("segment {index} lies outside the user address range")]
    OutsideUserRange {
        /// Program header index.
        index: u32,
    },
    /// No PT_LOAD covers the program header table, so `AT_PHDR` would point at nothing
    /// (hardened profile; Linux passes the bare load bias).
    #[error("no PT_LOAD covers the program header table")]
    ProgramHeadersNotLoaded,
    /// The entry point lies outside the user address range (Linux: EINVAL).
    #[error("entry point lies outside the user address range")]
    BadEntry,
    /// The images, brk and stack cannot be placed in the address window.
    #[error("the image does not fit the address space ({what})")]
    NoSpace {
        /// What did not fit.
        what: Placement,
    },
    /// Arguments and environment exceed the limit derived from the stack rlimit.
    #[error("arguments and environment take {size} bytes, limit {limit}")]
    ArgumentsTooLarge {
        /// Bytes needed (strings and pointers).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// One argument or environment string exceeds MAX_ARG_STRLEN.
    #[error("string {index} of {len} bytes exceeds the per-string limit")]
    StringTooLong {
        /// Index (argv first, then envp).
        index: u64,
        /// Its length with NUL.
        len: u64,
    },
    /// The initial stack does not fit the stack rlimit or the stack area.
    #[error("the initial stack needs {size} bytes, more than the stack allows")]
    StackTooLarge {
        /// Bytes needed.
        size: u64,
    },
    /// A fixed-capacity table (auxv) is full.
    #[error("capacity of {what} exceeded")]
    Capacity {
        /// Which table.
        what: Table,
    },
    /// The kernel refused the memory reservation; retry later (EAGAIN, EMEMRETRY on IRIX).
    #[error("memory reservation of {bytes} bytes refused")]
    ReservationRefused {
        /// Bytes asked for.
        bytes: u64,
    },
    /// The entropy source failed.
    #[error("entropy source failed ({0})")]
    Entropy(Errno),
    /// An address-space callback failed.
    #[error("address space operation {op} failed ({errno})")]
    AddressSpace {
        /// Which operation.
        op: SpaceOp,
        /// The callback's errno.
        errno: Errno,
    },
    /// `elfmap` was handed more program headers than it takes (E2BIG: the table a runtime
    /// linker passes is bounded, as the kernel copies it from user space).
    #[error("{count} program headers, more than the {cap} elfmap takes")]
    TooManyProgramHeaders {
        /// Headers passed.
        count: u64,
        /// The capacity ([`MAX_ELFMAP_PHDRS`](crate::elfmap::MAX_ELFMAP_PHDRS)).
        cap: u32,
    },
    /// The faulting address is not part of the image.
    #[error("address {0:#x} is not part of the image")]
    NotMapped(u64),
    /// A caller-supplied parameter is invalid.
    #[error("invalid parameter: {0}")]
    InvalidParameter(Parameter),
    /// The architecture policy rejected the file.
    #[error("{}", .0.message)]
    Arch(ArchError),
    /// A `#!` script cannot be executed (its line, its interpreter, the nesting depth).
    #[error("{}", .0.message())]
    Script(crate::script::ScriptError),
}

impl ExecError {
    /// The kind of error, with its stable name, message and default errno.
    pub const fn code(&self) -> ErrorCode {
        let exec = match self {
            ExecError::Elf { error, .. } => return ErrorCode::Elf(error.code()),
            ExecError::Arch(a) => return ErrorCode::Arch(a.code),
            ExecError::NotExecutable(_) => ExecCode::NotExecutable,
            ExecError::InterpreterNotLoadable(_) => ExecCode::InterpreterNotLoadable,
            ExecError::InterpreterNotElf(_) => ExecCode::InterpreterNotElf,
            ExecError::InterpreterMismatch { .. } => ExecCode::InterpreterMismatch,
            ExecError::InterpreterOpen(_) => ExecCode::InterpreterOpenFailed,
            ExecError::NoLoadSegment => ExecCode::NoLoadSegment,
            ExecError::TooManySegments { .. } => ExecCode::TooManySegments,
            ExecError::FileSizeExceedsMemSize { .. } => ExecCode::FileszExceedsMemsz,
            ExecError::Misaligned { .. } => ExecCode::MisalignedSegment,
            ExecError::OverlappingSegments { .. } => ExecCode::OverlappingSegments,
            ExecError::SharedPageProtections { .. } => ExecCode::SharedPageProtections,
            ExecError::FileRangeOverflow { .. } => ExecCode::FileRangeOverflow,
            ExecError::BssTailUnzeroable { .. } => ExecCode::BssTailUnzeroable,
            ExecError::CommitRefused { .. } => ExecCode::CommitRefused,
            ExecError::OutsideUserRange { .. } => ExecCode::OutsideUserRange,
            ExecError::ProgramHeadersNotLoaded => ExecCode::ProgramHeadersNotLoaded,
            ExecError::BadEntry => ExecCode::BadEntry,
            ExecError::NoSpace { .. } => ExecCode::NoSpace,
            ExecError::ArgumentsTooLarge { .. } => ExecCode::ArgumentsTooLarge,
            ExecError::StringTooLong { .. } => ExecCode::StringTooLong,
            ExecError::StackTooLarge { .. } => ExecCode::StackTooLarge,
            ExecError::Capacity { .. } => ExecCode::CapacityExceeded,
            ExecError::ReservationRefused { .. } => ExecCode::ReservationRefused,
            ExecError::Entropy(_) => ExecCode::EntropyFailed,
            ExecError::AddressSpace { .. } => ExecCode::AddressSpaceFailed,
            ExecError::TooManyProgramHeaders { .. } => ExecCode::TooManyProgramHeaders,
            ExecError::NotMapped(_) => ExecCode::NotMapped,
            ExecError::InvalidParameter(_) => ExecCode::InvalidParameter,
            ExecError::Script(s) => s.code(),
        };
        ErrorCode::Exec(exec)
    }

    /// The errno a kernel returns from `execve` for this error: the errno of the failed
    /// source or callback where there is one, else the code's (Linux asm-generic
    /// numbering; an OS profile may renumber through its policy).
    pub const fn errno(&self) -> Errno {
        match self {
            ExecError::Elf { error, .. } => error.errno(),
            ExecError::InterpreterOpen(e) | ExecError::Entropy(e) => *e,
            ExecError::AddressSpace { errno, .. } => *errno,
            ExecError::Script(s) => s.errno(),
            _ => self.code().errno(),
        }
    }

    /// The code's stable snake_case name (logs, JSON).
    pub const fn kind(&self) -> &'static str {
        self.code().name()
    }

    /// Wraps an elf-stream error from the file playing `role`.
    pub const fn elf(role: Role, error: elf_stream::Error) -> ExecError {
        ExecError::Elf { role, error }
    }
}

impl From<ArchError> for ExecError {
    fn from(e: ArchError) -> Self {
        ExecError::Arch(e)
    }
}
