//! `execcore_status`: an integer with named constants (never a C enum), one per error kind,
//! each with its message and Linux errno.

use elf_stream::Errno;
use exec_core::ExecError;

/// Result of every fallible `execcore_*` function: 0 is success.
#[allow(non_camel_case_types)]
pub type execcore_status = i32;

macro_rules! statuses {
    ($($(#[$m:meta])* $name:ident = $code:expr, $kind:literal, $errno:expr, $msg:literal;)*) => {
        $($(#[$m])* pub const $name: execcore_status = $code;)*

        /// (status, kind, errno, message) for every status.
        pub(crate) const TABLE: &[(execcore_status, &str, Errno, &str)] = &[
            $(($code, $kind, $errno, concat!($msg, "\0")),)*
        ];
    };
}

statuses! {
    /// Success.
    EXECCORE_OK = 0, "ok", Errno(0), "success";
    /// A required pointer argument was NULL.
    EXECCORE_ERR_NULL_ARGUMENT = 1, "null_argument", Errno::EINVAL, "a required pointer argument is NULL";
    /// An output buffer is too small; the out-length says how much is needed.
    EXECCORE_ERR_BUFFER_TOO_SMALL = 2, "buffer_too_small", Errno::EINVAL, "output buffer too small";
    /// A parameter value is invalid.
    EXECCORE_ERR_INVALID_PARAMETER = 3, "invalid_parameter", Errno::EINVAL, "invalid parameter";
    /// The CPU description names an architecture this library was not built with.
    EXECCORE_ERR_UNSUPPORTED_ARCH = 4, "unsupported_arch", Errno::ENOEXEC, "unsupported architecture";
    /// A required callback is NULL.
    EXECCORE_ERR_MISSING_CALLBACK = 5, "missing_callback", Errno::EINVAL, "a required callback is NULL";
    /// The plan storage does not hold a prepared plan.
    EXECCORE_ERR_BAD_PLAN = 6, "bad_plan", Errno::EINVAL, "plan storage does not hold a prepared plan";

    /// Reading the file failed.
    EXECCORE_ERR_READ_FAILED = 100, "read_failed", Errno::EIO, "reading the file failed";
    /// The file ends inside a structure.
    EXECCORE_ERR_TRUNCATED = 101, "truncated", Errno::ENOEXEC, "file truncated";
    /// Not an ELF file.
    EXECCORE_ERR_BAD_MAGIC = 102, "bad_magic", Errno::ENOEXEC, "not an ELF file";
    /// Invalid EI_CLASS.
    EXECCORE_ERR_BAD_CLASS = 103, "bad_class", Errno::ENOEXEC, "invalid ELF class";
    /// Invalid EI_DATA.
    EXECCORE_ERR_BAD_ENCODING = 104, "bad_encoding", Errno::ENOEXEC, "invalid ELF data encoding";
    /// Invalid EI_VERSION.
    EXECCORE_ERR_BAD_IDENT_VERSION = 105, "bad_ident_version", Errno::ENOEXEC, "invalid ELF ident version";
    /// Invalid e_version.
    EXECCORE_ERR_BAD_VERSION = 106, "bad_version", Errno::ENOEXEC, "invalid ELF version";
    /// Invalid e_ehsize.
    EXECCORE_ERR_BAD_HEADER_SIZE = 107, "bad_header_size", Errno::ENOEXEC, "invalid e_ehsize";
    /// Invalid e_phentsize.
    EXECCORE_ERR_BAD_PROGRAM_HEADER_SIZE = 108, "bad_program_header_size", Errno::ENOEXEC, "invalid e_phentsize";
    /// PN_XNUM without a valid section header 0.
    EXECCORE_ERR_BAD_EXTENDED_PHNUM = 109, "bad_extended_phnum", Errno::ENOEXEC, "PN_XNUM without a valid section header 0";
    /// Program header table over the limit.
    EXECCORE_ERR_PROGRAM_HEADER_TABLE_TOO_LARGE = 110, "program_header_table_too_large", Errno::ENOEXEC, "program header table too large";
    /// Program header table outside the file.
    EXECCORE_ERR_PROGRAM_HEADER_TABLE_OUTSIDE_FILE = 111, "program_header_table_outside_file", Errno::ENOEXEC, "program header table outside the file";
    /// No such program header.
    EXECCORE_ERR_NO_SUCH_PROGRAM_HEADER = 112, "no_such_program_header", Errno::ENOEXEC, "no such program header";
    /// Segment outside the file.
    EXECCORE_ERR_SEGMENT_OUTSIDE_FILE = 113, "segment_outside_file", Errno::ENOEXEC, "segment lies outside the file";
    /// Two PT_INTERP.
    EXECCORE_ERR_DUPLICATE_INTERPRETER = 114, "duplicate_interpreter", Errno::ENOEXEC, "more than one PT_INTERP";
    /// PT_INTERP too short.
    EXECCORE_ERR_INTERPRETER_TOO_SHORT = 115, "interpreter_too_short", Errno::ENOEXEC, "PT_INTERP too short";
    /// PT_INTERP too long.
    EXECCORE_ERR_INTERPRETER_TOO_LONG = 116, "interpreter_too_long", Errno::ENOEXEC, "PT_INTERP too long";
    /// PT_INTERP not NUL-terminated.
    EXECCORE_ERR_INTERPRETER_NOT_TERMINATED = 117, "interpreter_not_terminated", Errno::ENOEXEC, "PT_INTERP not NUL-terminated";
    /// NUL inside PT_INTERP.
    EXECCORE_ERR_INTERPRETER_EMBEDDED_NUL = 118, "interpreter_embedded_nul", Errno::ENOEXEC, "NUL inside PT_INTERP";
    /// A unique segment kind appears twice.
    EXECCORE_ERR_DUPLICATE_SEGMENT = 119, "duplicate_segment", Errno::ENOEXEC, "duplicate segment";
    /// PT_GNU_PROPERTY over 1 KiB.
    EXECCORE_ERR_PROPERTY_TOO_LARGE = 120, "property_too_large", Errno::ENOEXEC, "PT_GNU_PROPERTY too large";
    /// Not a GNU property note.
    EXECCORE_ERR_PROPERTY_NOTE_INVALID = 121, "property_note_invalid", Errno::ENOEXEC, "invalid GNU property note";
    /// Malformed GNU property.
    EXECCORE_ERR_PROPERTY_MALFORMED = 122, "property_malformed", Errno::ENOEXEC, "malformed GNU property";
    /// GNU properties out of order.
    EXECCORE_ERR_PROPERTY_UNSORTED = 123, "property_unsorted", Errno::ENOEXEC, "GNU properties out of order";
    /// GNU property with a bad size.
    EXECCORE_ERR_PROPERTY_BAD_SIZE = 124, "property_bad_size", Errno::ENOEXEC, "GNU property with a bad size";
    /// Malformed note.
    EXECCORE_ERR_NOTE_MALFORMED = 125, "note_malformed", Errno::ENOEXEC, "malformed note";
    /// PT_MIPS_ABIFLAGS too short.
    EXECCORE_ERR_MIPS_ABIFLAGS_TOO_SHORT = 126, "mips_abiflags_too_short", Errno::EINVAL, "PT_MIPS_ABIFLAGS shorter than 24 bytes";
    /// MIPS option record too small.
    EXECCORE_ERR_MIPS_OPTION_TOO_SMALL = 127, "mips_option_too_small", Errno::ENOEXEC, "MIPS option record too small";
    /// MIPS option record past its segment.
    EXECCORE_ERR_MIPS_OPTION_PAST_SEGMENT = 128, "mips_option_past_segment", Errno::ENOEXEC, "MIPS option record runs past its segment";

    /// Not ET_EXEC or ET_DYN.
    EXECCORE_ERR_NOT_EXECUTABLE = 200, "not_executable", Errno::ENOEXEC, "file type is not executable";
    /// Interpreter not ET_EXEC or ET_DYN.
    EXECCORE_ERR_INTERPRETER_NOT_LOADABLE = 201, "interpreter_not_loadable", Errno::EINVAL, "interpreter type is not loadable";
    /// Interpreter is not ELF.
    EXECCORE_ERR_INTERPRETER_NOT_ELF = 202, "interpreter_not_elf", Errno::ELIBBAD, "interpreter is not a valid ELF file";
    /// Interpreter does not match the program.
    EXECCORE_ERR_INTERPRETER_MISMATCH = 203, "interpreter_mismatch", Errno::ELIBBAD, "interpreter does not match the executable";
    /// Interpreter could not be opened.
    EXECCORE_ERR_INTERPRETER_OPEN_FAILED = 204, "interpreter_open_failed", Errno::ENOENT, "cannot open the interpreter";
    /// No PT_LOAD.
    EXECCORE_ERR_NO_LOAD_SEGMENT = 205, "no_load_segment", Errno::ENOEXEC, "no PT_LOAD segment";
    /// Too many PT_LOADs.
    EXECCORE_ERR_TOO_MANY_SEGMENTS = 206, "too_many_segments", Errno::ENOEXEC, "too many PT_LOAD segments";
    /// p_filesz > p_memsz.
    EXECCORE_ERR_FILESZ_EXCEEDS_MEMSZ = 207, "filesz_exceeds_memsz", Errno::EINVAL, "p_filesz exceeds p_memsz";
    /// p_vaddr and p_offset not congruent.
    EXECCORE_ERR_MISALIGNED_SEGMENT = 208, "misaligned_segment", Errno::EINVAL, "p_vaddr and p_offset not congruent modulo the page size";
    /// Overlapping PT_LOADs.
    EXECCORE_ERR_OVERLAPPING_SEGMENTS = 209, "overlapping_segments", Errno::ENOEXEC, "PT_LOAD segments overlap";
    /// Too many segments share a page.
    EXECCORE_ERR_CROWDED_PAGE = 210, "crowded_page", Errno::ENOEXEC, "too many segments share one page";
    /// Segment outside the user range.
    EXECCORE_ERR_OUTSIDE_USER_RANGE = 211, "outside_user_range", Errno::EINVAL, "segment outside the user address range";
    /// Entry point outside the user range.
    EXECCORE_ERR_BAD_ENTRY = 212, "bad_entry", Errno::EINVAL, "entry point outside the user address range";
    /// The image does not fit the address space.
    EXECCORE_ERR_NO_SPACE = 213, "no_space", Errno::ENOMEM, "the image does not fit the address space";
    /// Arguments and environment too large.
    EXECCORE_ERR_ARGUMENTS_TOO_LARGE = 214, "arguments_too_large", Errno::E2BIG, "arguments and environment too large";
    /// One string too long.
    EXECCORE_ERR_STRING_TOO_LONG = 215, "string_too_long", Errno::E2BIG, "argument or environment string too long";
    /// The initial stack does not fit.
    EXECCORE_ERR_STACK_TOO_LARGE = 216, "stack_too_large", Errno::ENOMEM, "initial stack too large";
    /// A fixed capacity was exceeded.
    EXECCORE_ERR_CAPACITY_EXCEEDED = 217, "capacity_exceeded", Errno::ENOEXEC, "fixed capacity exceeded";
    /// Memory reservation refused: retry later.
    EXECCORE_ERR_RESERVATION_REFUSED = 218, "reservation_refused", Errno::EAGAIN, "memory reservation refused, retry later";
    /// Entropy source failed.
    EXECCORE_ERR_ENTROPY_FAILED = 219, "entropy_failed", Errno::EIO, "entropy source failed";
    /// An address-space callback failed.
    EXECCORE_ERR_ADDRESS_SPACE_FAILED = 220, "address_space_failed", Errno::ENOMEM, "address space operation failed";
    /// No PT_LOAD covers the program header table.
    EXECCORE_ERR_PROGRAM_HEADERS_NOT_LOADED = 222, "program_headers_not_loaded", Errno::ENOEXEC, "no PT_LOAD covers the program header table";
    /// Address not part of the image.
    EXECCORE_ERR_NOT_MAPPED = 221, "not_mapped", Errno::EFAULT, "address is not part of the image";

    /// The architecture policy rejected the file (see the arch-specific statuses 300-399).
    EXECCORE_ERR_ARCH_REJECTED = 300, "arch_rejected", Errno::ENOEXEC, "rejected by the architecture policy";
    /// Wrong machine for this architecture.
    EXECCORE_ERR_WRONG_MACHINE = 301, "wrong_machine", Errno::ENOEXEC, "wrong machine for this architecture";
    /// Wrong ELF class for this architecture.
    EXECCORE_ERR_WRONG_CLASS = 302, "wrong_class", Errno::ENOEXEC, "wrong ELF class for this architecture";
    /// Wrong byte order for this architecture.
    EXECCORE_ERR_WRONG_ENDIANNESS = 303, "wrong_endianness", Errno::ENOEXEC, "wrong byte order for this architecture";
}

/// The status for an error. Errors carrying a source or callback errno keep their kind;
/// the errno itself is what `execcore_status_errno` reports only for the fixed ones.
pub fn status_of(err: &ExecError) -> execcore_status {
    let kind = err.kind();
    match TABLE.iter().find(|(code, k, _, _)| *code != EXECCORE_OK && *k == kind) {
        Some((code, ..)) => *code,
        None if matches!(err, ExecError::Arch(_)) => EXECCORE_ERR_ARCH_REJECTED,
        None => EXECCORE_ERR_INVALID_PARAMETER,
    }
}

/// The table row of `status`.
pub(crate) fn row(
    status: execcore_status,
) -> Option<&'static (execcore_status, &'static str, Errno, &'static str)> {
    TABLE.iter().find(|(code, ..)| *code == status)
}
