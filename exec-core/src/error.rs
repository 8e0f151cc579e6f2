//! `ExecError`: every reason an exec can fail, each with its errno.

use crate::policy::Role;
use elf_stream::Errno;

/// An error raised by an architecture policy: a stable kind, a message and its errno.
///
/// Arch crates define their own precise error enums and convert them into this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchError {
    /// Stable snake_case kind ("mips_eabi_rejected").
    pub kind: &'static str,
    /// Human-readable message.
    pub message: &'static str,
    /// The errno to return.
    pub errno: Errno,
    /// The offending value (flags, ISA level, ...), 0 when none.
    pub value: u64,
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
        /// What differs ("machine", "class", "endianness", "abi").
        what: &'static str,
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
    /// More segments touch one page than a page can be assembled from.
    #[error("more than {cap} segments share the page at {page:#x}")]
    CrowdedPage {
        /// The page (unbiased).
        page: u64,
        /// The capacity.
        cap: u32,
    },
    /// A segment's addresses overflow or leave the user address range (Linux: EINVAL).
    #[error("segment {index} lies outside the user address range")]
    OutsideUserRange {
        /// Program header index.
        index: u32,
    },
    /// No PT_LOAD covers the program header table, so `AT_PHDR` would point at nothing
    /// (Linux passes the bare load bias; every libc would then crash).
    #[error("no PT_LOAD covers the program header table")]
    ProgramHeadersNotLoaded,
    /// The entry point lies outside the user address range (Linux: EINVAL).
    #[error("entry point lies outside the user address range")]
    BadEntry,
    /// The images, brk and stack cannot be placed in the address window.
    #[error("the image does not fit the address space ({what})")]
    NoSpace {
        /// What did not fit.
        what: &'static str,
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
        what: &'static str,
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
        /// Which operation ("reserve", "map", ...).
        op: &'static str,
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
    InvalidParameter(&'static str),
    /// The architecture policy rejected the file.
    #[error("{}", .0.message)]
    Arch(ArchError),
    /// A `#!` script cannot be executed (its line, its interpreter, the nesting depth).
    #[error("{}", .0.message())]
    Script(crate::script::ScriptError),
}

impl ExecError {
    /// The errno a kernel returns from `execve` for this error (Linux asm-generic numbering;
    /// an OS profile may renumber through its policy).
    pub const fn errno(&self) -> Errno {
        match self {
            ExecError::Elf { error, .. } => error.errno(),
            ExecError::InterpreterNotElf(_) | ExecError::InterpreterMismatch { .. } => Errno::ELIBBAD,
            ExecError::InterpreterNotLoadable(_)
            | ExecError::FileSizeExceedsMemSize { .. }
            | ExecError::Misaligned { .. }
            | ExecError::OutsideUserRange { .. }
            | ExecError::BadEntry
            | ExecError::InvalidParameter(_) => Errno::EINVAL,
            ExecError::InterpreterOpen(e) | ExecError::Entropy(e) => *e,
            ExecError::AddressSpace { errno, .. } => *errno,
            ExecError::NoSpace { .. } | ExecError::StackTooLarge { .. } => Errno::ENOMEM,
            ExecError::ArgumentsTooLarge { .. }
            | ExecError::StringTooLong { .. }
            | ExecError::TooManyProgramHeaders { .. } => Errno::E2BIG,
            ExecError::ReservationRefused { .. } => Errno::EAGAIN,
            ExecError::NotMapped(_) => Errno::EFAULT,
            ExecError::Arch(a) => a.errno,
            ExecError::Script(s) => s.errno(),
            ExecError::NotExecutable(_)
            | ExecError::NoLoadSegment
            | ExecError::TooManySegments { .. }
            | ExecError::OverlappingSegments { .. }
            | ExecError::CrowdedPage { .. }
            | ExecError::ProgramHeadersNotLoaded
            | ExecError::Capacity { .. } => Errno::ENOEXEC,
        }
    }

    /// A stable snake_case name for the error kind (logs, JSON).
    pub const fn kind(&self) -> &'static str {
        match self {
            ExecError::Elf { error, .. } => error.kind(),
            ExecError::NotExecutable(_) => "not_executable",
            ExecError::InterpreterNotLoadable(_) => "interpreter_not_loadable",
            ExecError::InterpreterNotElf(_) => "interpreter_not_elf",
            ExecError::InterpreterMismatch { .. } => "interpreter_mismatch",
            ExecError::InterpreterOpen(_) => "interpreter_open_failed",
            ExecError::NoLoadSegment => "no_load_segment",
            ExecError::TooManySegments { .. } => "too_many_segments",
            ExecError::FileSizeExceedsMemSize { .. } => "filesz_exceeds_memsz",
            ExecError::Misaligned { .. } => "misaligned_segment",
            ExecError::OverlappingSegments { .. } => "overlapping_segments",
            ExecError::CrowdedPage { .. } => "crowded_page",
            ExecError::OutsideUserRange { .. } => "outside_user_range",
            ExecError::ProgramHeadersNotLoaded => "program_headers_not_loaded",
            ExecError::BadEntry => "bad_entry",
            ExecError::NoSpace { .. } => "no_space",
            ExecError::ArgumentsTooLarge { .. } => "arguments_too_large",
            ExecError::StringTooLong { .. } => "string_too_long",
            ExecError::StackTooLarge { .. } => "stack_too_large",
            ExecError::Capacity { .. } => "capacity_exceeded",
            ExecError::ReservationRefused { .. } => "reservation_refused",
            ExecError::Entropy(_) => "entropy_failed",
            ExecError::AddressSpace { .. } => "address_space_failed",
            ExecError::TooManyProgramHeaders { .. } => "too_many_program_headers",
            ExecError::NotMapped(_) => "not_mapped",
            ExecError::InvalidParameter(_) => "invalid_parameter",
            ExecError::Arch(a) => a.kind,
            ExecError::Script(s) => s.kind(),
        }
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
