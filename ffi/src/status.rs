//! `execcore_status`: an integer with named constants (never a C enum), one per error kind,
//! each with its message and Linux errno.

use elf_stream::Errno;
use exec_core::ExecError;

/// Result of every fallible `execcore_*` function: 0 is success.
#[allow(non_camel_case_types)]
pub type execcore_status = i32;

/// Success.
pub const EXECCORE_OK: execcore_status = 0;
/// A required pointer argument was NULL.
pub const EXECCORE_ERR_NULL_ARGUMENT: execcore_status = 1;
/// An output buffer is too small; the out-length says how much is needed.
pub const EXECCORE_ERR_BUFFER_TOO_SMALL: execcore_status = 2;
/// A parameter value is invalid.
pub const EXECCORE_ERR_INVALID_PARAMETER: execcore_status = 3;
/// The CPU description names an architecture this library was not built with.
pub const EXECCORE_ERR_UNSUPPORTED_ARCH: execcore_status = 4;
/// A required callback is NULL.
pub const EXECCORE_ERR_MISSING_CALLBACK: execcore_status = 5;
/// The plan storage does not hold a prepared plan.
pub const EXECCORE_ERR_BAD_PLAN: execcore_status = 6;
/// Reading the file failed.
pub const EXECCORE_ERR_READ_FAILED: execcore_status = 100;
/// The file ends inside a structure.
pub const EXECCORE_ERR_TRUNCATED: execcore_status = 101;
/// Not an ELF file.
pub const EXECCORE_ERR_BAD_MAGIC: execcore_status = 102;
/// Invalid EI_CLASS.
pub const EXECCORE_ERR_BAD_CLASS: execcore_status = 103;
/// Invalid EI_DATA.
pub const EXECCORE_ERR_BAD_ENCODING: execcore_status = 104;
/// Invalid EI_VERSION.
pub const EXECCORE_ERR_BAD_IDENT_VERSION: execcore_status = 105;
/// Invalid e_version.
pub const EXECCORE_ERR_BAD_VERSION: execcore_status = 106;
/// Invalid e_ehsize.
pub const EXECCORE_ERR_BAD_HEADER_SIZE: execcore_status = 107;
/// Invalid e_phentsize.
pub const EXECCORE_ERR_BAD_PROGRAM_HEADER_SIZE: execcore_status = 108;
/// PN_XNUM without a valid section header 0.
pub const EXECCORE_ERR_BAD_EXTENDED_PHNUM: execcore_status = 109;
/// Program header table over the limit.
pub const EXECCORE_ERR_PROGRAM_HEADER_TABLE_TOO_LARGE: execcore_status = 110;
/// Program header table outside the file.
pub const EXECCORE_ERR_PROGRAM_HEADER_TABLE_OUTSIDE_FILE: execcore_status = 111;
/// No such program header.
pub const EXECCORE_ERR_NO_SUCH_PROGRAM_HEADER: execcore_status = 112;
/// Segment outside the file.
pub const EXECCORE_ERR_SEGMENT_OUTSIDE_FILE: execcore_status = 113;
/// Two PT_INTERP.
pub const EXECCORE_ERR_DUPLICATE_INTERPRETER: execcore_status = 114;
/// PT_INTERP too short.
pub const EXECCORE_ERR_INTERPRETER_TOO_SHORT: execcore_status = 115;
/// PT_INTERP too long.
pub const EXECCORE_ERR_INTERPRETER_TOO_LONG: execcore_status = 116;
/// PT_INTERP not NUL-terminated.
pub const EXECCORE_ERR_INTERPRETER_NOT_TERMINATED: execcore_status = 117;
/// NUL inside PT_INTERP.
pub const EXECCORE_ERR_INTERPRETER_EMBEDDED_NUL: execcore_status = 118;
/// A unique segment kind appears twice.
pub const EXECCORE_ERR_DUPLICATE_SEGMENT: execcore_status = 119;
/// PT_GNU_PROPERTY over 1 KiB.
pub const EXECCORE_ERR_PROPERTY_TOO_LARGE: execcore_status = 120;
/// Not a GNU property note.
pub const EXECCORE_ERR_PROPERTY_NOTE_INVALID: execcore_status = 121;
/// Malformed GNU property.
pub const EXECCORE_ERR_PROPERTY_MALFORMED: execcore_status = 122;
/// GNU properties out of order.
pub const EXECCORE_ERR_PROPERTY_UNSORTED: execcore_status = 123;
/// GNU property with a bad size.
pub const EXECCORE_ERR_PROPERTY_BAD_SIZE: execcore_status = 124;
/// Malformed note.
pub const EXECCORE_ERR_NOTE_MALFORMED: execcore_status = 125;
/// PT_MIPS_ABIFLAGS too short.
pub const EXECCORE_ERR_MIPS_ABIFLAGS_TOO_SHORT: execcore_status = 126;
/// MIPS option record too small.
pub const EXECCORE_ERR_MIPS_OPTION_TOO_SMALL: execcore_status = 127;
/// MIPS option record past its segment.
pub const EXECCORE_ERR_MIPS_OPTION_PAST_SEGMENT: execcore_status = 128;
/// Not ET_EXEC or ET_DYN.
pub const EXECCORE_ERR_NOT_EXECUTABLE: execcore_status = 200;
/// Interpreter not ET_EXEC or ET_DYN.
pub const EXECCORE_ERR_INTERPRETER_NOT_LOADABLE: execcore_status = 201;
/// Interpreter is not ELF.
pub const EXECCORE_ERR_INTERPRETER_NOT_ELF: execcore_status = 202;
/// Interpreter does not match the program.
pub const EXECCORE_ERR_INTERPRETER_MISMATCH: execcore_status = 203;
/// Interpreter could not be opened.
pub const EXECCORE_ERR_INTERPRETER_OPEN_FAILED: execcore_status = 204;
/// No PT_LOAD.
pub const EXECCORE_ERR_NO_LOAD_SEGMENT: execcore_status = 205;
/// Too many PT_LOADs.
pub const EXECCORE_ERR_TOO_MANY_SEGMENTS: execcore_status = 206;
/// p_filesz > p_memsz.
pub const EXECCORE_ERR_FILESZ_EXCEEDS_MEMSZ: execcore_status = 207;
/// p_vaddr and p_offset not congruent.
pub const EXECCORE_ERR_MISALIGNED_SEGMENT: execcore_status = 208;
/// Overlapping PT_LOADs.
pub const EXECCORE_ERR_OVERLAPPING_SEGMENTS: execcore_status = 209;
/// Too many segments share a page.
pub const EXECCORE_ERR_CROWDED_PAGE: execcore_status = 210;
/// Segment outside the user range.
pub const EXECCORE_ERR_OUTSIDE_USER_RANGE: execcore_status = 211;
/// Entry point outside the user range.
pub const EXECCORE_ERR_BAD_ENTRY: execcore_status = 212;
/// The image does not fit the address space.
pub const EXECCORE_ERR_NO_SPACE: execcore_status = 213;
/// Arguments and environment too large.
pub const EXECCORE_ERR_ARGUMENTS_TOO_LARGE: execcore_status = 214;
/// One string too long.
pub const EXECCORE_ERR_STRING_TOO_LONG: execcore_status = 215;
/// The initial stack does not fit.
pub const EXECCORE_ERR_STACK_TOO_LARGE: execcore_status = 216;
/// A fixed capacity was exceeded.
pub const EXECCORE_ERR_CAPACITY_EXCEEDED: execcore_status = 217;
/// Memory reservation refused: retry later.
pub const EXECCORE_ERR_RESERVATION_REFUSED: execcore_status = 218;
/// Entropy source failed.
pub const EXECCORE_ERR_ENTROPY_FAILED: execcore_status = 219;
/// An address-space callback failed.
pub const EXECCORE_ERR_ADDRESS_SPACE_FAILED: execcore_status = 220;
/// No PT_LOAD covers the program header table.
pub const EXECCORE_ERR_PROGRAM_HEADERS_NOT_LOADED: execcore_status = 222;
/// The `exec_fd` callback (a descriptor for `AT_PFETCHFD`) failed; `errno_value` is its errno.
pub const EXECCORE_ERR_EXEC_FD_FAILED: execcore_status = 223;
/// `execcore_elfmap` was given more program headers than `EXECCORE_ELFMAP_MAX_PHDRS`.
pub const EXECCORE_ERR_TOO_MANY_PROGRAM_HEADERS: execcore_status = 224;
/// A `#!` line names no interpreter (ENOEXEC).
pub const EXECCORE_ERR_SCRIPT_NO_INTERPRETER: execcore_status = 240;
/// A `#!` line fills the 256-byte buffer and its interpreter path may be cut (ENOEXEC).
pub const EXECCORE_ERR_SCRIPT_TRUNCATED: execcore_status = 241;
/// More than five nested `#!` scripts (ELOOP).
pub const EXECCORE_ERR_SCRIPT_TOO_DEEP: execcore_status = 242;
/// A script's interpreter could not be opened; `errno_value` is the callback's errno.
pub const EXECCORE_ERR_SCRIPT_INTERPRETER_OPEN_FAILED: execcore_status = 243;
/// Reading a script's first bytes failed; `errno_value` is the callback's errno.
pub const EXECCORE_ERR_SCRIPT_READ_FAILED: execcore_status = 244;
/// Address not part of the image.
pub const EXECCORE_ERR_NOT_MAPPED: execcore_status = 221;
/// The architecture policy rejected the file (see the arch-specific statuses 300-399).
pub const EXECCORE_ERR_ARCH_REJECTED: execcore_status = 300;
/// Wrong machine for this architecture.
pub const EXECCORE_ERR_WRONG_MACHINE: execcore_status = 301;
/// Wrong ELF class for this architecture.
pub const EXECCORE_ERR_WRONG_CLASS: execcore_status = 302;
/// Wrong byte order for this architecture.
pub const EXECCORE_ERR_WRONG_ENDIANNESS: execcore_status = 303;

/// (status, kind, errno, message with NUL) for every status.
pub(crate) const TABLE: &[(execcore_status, &str, Errno, &str)] = &[
    (EXECCORE_OK, "ok", Errno(0), "success\0"),
    (EXECCORE_ERR_NULL_ARGUMENT, "null_argument", Errno::EINVAL, "a required pointer argument is NULL\0"),
    (EXECCORE_ERR_BUFFER_TOO_SMALL, "buffer_too_small", Errno::EINVAL, "output buffer too small\0"),
    (EXECCORE_ERR_INVALID_PARAMETER, "invalid_parameter", Errno::EINVAL, "invalid parameter\0"),
    (EXECCORE_ERR_UNSUPPORTED_ARCH, "unsupported_arch", Errno::ENOEXEC, "unsupported architecture\0"),
    (EXECCORE_ERR_MISSING_CALLBACK, "missing_callback", Errno::EINVAL, "a required callback is NULL\0"),
    (EXECCORE_ERR_BAD_PLAN, "bad_plan", Errno::EINVAL, "plan storage does not hold a prepared plan\0"),
    (EXECCORE_ERR_READ_FAILED, "read_failed", Errno::EIO, "reading the file failed\0"),
    (EXECCORE_ERR_TRUNCATED, "truncated", Errno::ENOEXEC, "file truncated\0"),
    (EXECCORE_ERR_BAD_MAGIC, "bad_magic", Errno::ENOEXEC, "not an ELF file\0"),
    (EXECCORE_ERR_BAD_CLASS, "bad_class", Errno::ENOEXEC, "invalid ELF class\0"),
    (EXECCORE_ERR_BAD_ENCODING, "bad_encoding", Errno::ENOEXEC, "invalid ELF data encoding\0"),
    (EXECCORE_ERR_BAD_IDENT_VERSION, "bad_ident_version", Errno::ENOEXEC, "invalid ELF ident version\0"),
    (EXECCORE_ERR_BAD_VERSION, "bad_version", Errno::ENOEXEC, "invalid ELF version\0"),
    (EXECCORE_ERR_BAD_HEADER_SIZE, "bad_header_size", Errno::ENOEXEC, "invalid e_ehsize\0"),
    (
        EXECCORE_ERR_BAD_PROGRAM_HEADER_SIZE,
        "bad_program_header_size",
        Errno::ENOEXEC,
        "invalid e_phentsize\0",
    ),
    (
        EXECCORE_ERR_BAD_EXTENDED_PHNUM,
        "bad_extended_phnum",
        Errno::ENOEXEC,
        "PN_XNUM without a valid section header 0\0",
    ),
    (
        EXECCORE_ERR_PROGRAM_HEADER_TABLE_TOO_LARGE,
        "program_header_table_too_large",
        Errno::ENOEXEC,
        "program header table too large\0",
    ),
    (
        EXECCORE_ERR_PROGRAM_HEADER_TABLE_OUTSIDE_FILE,
        "program_header_table_outside_file",
        Errno::ENOEXEC,
        "program header table outside the file\0",
    ),
    (
        EXECCORE_ERR_NO_SUCH_PROGRAM_HEADER,
        "no_such_program_header",
        Errno::ENOEXEC,
        "no such program header\0",
    ),
    (
        EXECCORE_ERR_SEGMENT_OUTSIDE_FILE,
        "segment_outside_file",
        Errno::ENOEXEC,
        "segment lies outside the file\0",
    ),
    (
        EXECCORE_ERR_DUPLICATE_INTERPRETER,
        "duplicate_interpreter",
        Errno::ENOEXEC,
        "more than one PT_INTERP\0",
    ),
    (EXECCORE_ERR_INTERPRETER_TOO_SHORT, "interpreter_too_short", Errno::ENOEXEC, "PT_INTERP too short\0"),
    (EXECCORE_ERR_INTERPRETER_TOO_LONG, "interpreter_too_long", Errno::ENOEXEC, "PT_INTERP too long\0"),
    (
        EXECCORE_ERR_INTERPRETER_NOT_TERMINATED,
        "interpreter_not_terminated",
        Errno::ENOEXEC,
        "PT_INTERP not NUL-terminated\0",
    ),
    (
        EXECCORE_ERR_INTERPRETER_EMBEDDED_NUL,
        "interpreter_embedded_nul",
        Errno::ENOEXEC,
        "NUL inside PT_INTERP\0",
    ),
    (EXECCORE_ERR_DUPLICATE_SEGMENT, "duplicate_segment", Errno::ENOEXEC, "duplicate segment\0"),
    (EXECCORE_ERR_PROPERTY_TOO_LARGE, "property_too_large", Errno::ENOEXEC, "PT_GNU_PROPERTY too large\0"),
    (
        EXECCORE_ERR_PROPERTY_NOTE_INVALID,
        "property_note_invalid",
        Errno::ENOEXEC,
        "invalid GNU property note\0",
    ),
    (EXECCORE_ERR_PROPERTY_MALFORMED, "property_malformed", Errno::ENOEXEC, "malformed GNU property\0"),
    (EXECCORE_ERR_PROPERTY_UNSORTED, "property_unsorted", Errno::ENOEXEC, "GNU properties out of order\0"),
    (EXECCORE_ERR_PROPERTY_BAD_SIZE, "property_bad_size", Errno::ENOEXEC, "GNU property with a bad size\0"),
    (EXECCORE_ERR_NOTE_MALFORMED, "note_malformed", Errno::ENOEXEC, "malformed note\0"),
    (
        EXECCORE_ERR_MIPS_ABIFLAGS_TOO_SHORT,
        "mips_abiflags_too_short",
        Errno::EINVAL,
        "PT_MIPS_ABIFLAGS shorter than 24 bytes\0",
    ),
    (
        EXECCORE_ERR_MIPS_OPTION_TOO_SMALL,
        "mips_option_too_small",
        Errno::ENOEXEC,
        "MIPS option record too small\0",
    ),
    (
        EXECCORE_ERR_MIPS_OPTION_PAST_SEGMENT,
        "mips_option_past_segment",
        Errno::ENOEXEC,
        "MIPS option record runs past its segment\0",
    ),
    (EXECCORE_ERR_NOT_EXECUTABLE, "not_executable", Errno::ENOEXEC, "file type is not executable\0"),
    (
        EXECCORE_ERR_INTERPRETER_NOT_LOADABLE,
        "interpreter_not_loadable",
        Errno::EINVAL,
        "interpreter type is not loadable\0",
    ),
    (
        EXECCORE_ERR_INTERPRETER_NOT_ELF,
        "interpreter_not_elf",
        Errno::ELIBBAD,
        "interpreter is not a valid ELF file\0",
    ),
    (
        EXECCORE_ERR_INTERPRETER_MISMATCH,
        "interpreter_mismatch",
        Errno::ELIBBAD,
        "interpreter does not match the executable\0",
    ),
    (
        EXECCORE_ERR_INTERPRETER_OPEN_FAILED,
        "interpreter_open_failed",
        Errno::ENOENT,
        "cannot open the interpreter\0",
    ),
    (EXECCORE_ERR_NO_LOAD_SEGMENT, "no_load_segment", Errno::ENOEXEC, "no PT_LOAD segment\0"),
    (EXECCORE_ERR_TOO_MANY_SEGMENTS, "too_many_segments", Errno::ENOEXEC, "too many PT_LOAD segments\0"),
    (EXECCORE_ERR_FILESZ_EXCEEDS_MEMSZ, "filesz_exceeds_memsz", Errno::EINVAL, "p_filesz exceeds p_memsz\0"),
    (
        EXECCORE_ERR_MISALIGNED_SEGMENT,
        "misaligned_segment",
        Errno::EINVAL,
        "p_vaddr and p_offset not congruent modulo the page size\0",
    ),
    (EXECCORE_ERR_OVERLAPPING_SEGMENTS, "overlapping_segments", Errno::ENOEXEC, "PT_LOAD segments overlap\0"),
    (EXECCORE_ERR_CROWDED_PAGE, "crowded_page", Errno::ENOEXEC, "too many segments share one page\0"),
    (
        EXECCORE_ERR_OUTSIDE_USER_RANGE,
        "outside_user_range",
        Errno::EINVAL,
        "segment outside the user address range\0",
    ),
    (EXECCORE_ERR_BAD_ENTRY, "bad_entry", Errno::EINVAL, "entry point outside the user address range\0"),
    (EXECCORE_ERR_NO_SPACE, "no_space", Errno::ENOMEM, "the image does not fit the address space\0"),
    (
        EXECCORE_ERR_ARGUMENTS_TOO_LARGE,
        "arguments_too_large",
        Errno::E2BIG,
        "arguments and environment too large\0",
    ),
    (
        EXECCORE_ERR_STRING_TOO_LONG,
        "string_too_long",
        Errno::E2BIG,
        "argument or environment string too long\0",
    ),
    (EXECCORE_ERR_STACK_TOO_LARGE, "stack_too_large", Errno::ENOMEM, "initial stack too large\0"),
    (EXECCORE_ERR_CAPACITY_EXCEEDED, "capacity_exceeded", Errno::ENOEXEC, "fixed capacity exceeded\0"),
    (
        EXECCORE_ERR_RESERVATION_REFUSED,
        "reservation_refused",
        Errno::EAGAIN,
        "memory reservation refused, retry later\0",
    ),
    (EXECCORE_ERR_ENTROPY_FAILED, "entropy_failed", Errno::EIO, "entropy source failed\0"),
    (
        EXECCORE_ERR_ADDRESS_SPACE_FAILED,
        "address_space_failed",
        Errno::ENOMEM,
        "address space operation failed\0",
    ),
    (
        EXECCORE_ERR_PROGRAM_HEADERS_NOT_LOADED,
        "program_headers_not_loaded",
        Errno::ENOEXEC,
        "no PT_LOAD covers the program header table\0",
    ),
    (
        EXECCORE_ERR_EXEC_FD_FAILED,
        "exec_fd_failed",
        Errno::EIO,
        "the exec_fd callback failed to give a descriptor\0",
    ),
    (
        EXECCORE_ERR_TOO_MANY_PROGRAM_HEADERS,
        "too_many_program_headers",
        Errno::E2BIG,
        "more program headers than elfmap takes\0",
    ),
    (
        EXECCORE_ERR_SCRIPT_NO_INTERPRETER,
        "script_no_interpreter",
        Errno::ENOEXEC,
        "#! line names no interpreter\0",
    ),
    (
        EXECCORE_ERR_SCRIPT_TRUNCATED,
        "script_truncated",
        Errno::ENOEXEC,
        "#! line fills the buffer and the interpreter path may be truncated\0",
    ),
    (EXECCORE_ERR_SCRIPT_TOO_DEEP, "script_too_deep", Errno::ELOOP, "more than five nested #! scripts\0"),
    (
        EXECCORE_ERR_SCRIPT_INTERPRETER_OPEN_FAILED,
        "script_interpreter_open_failed",
        Errno::ENOENT,
        "cannot open the script's interpreter\0",
    ),
    (
        EXECCORE_ERR_SCRIPT_READ_FAILED,
        "script_read_failed",
        Errno::EIO,
        "reading the first bytes of the file failed\0",
    ),
    (EXECCORE_ERR_NOT_MAPPED, "not_mapped", Errno::EFAULT, "address is not part of the image\0"),
    (EXECCORE_ERR_ARCH_REJECTED, "arch_rejected", Errno::ENOEXEC, "rejected by the architecture policy\0"),
    (EXECCORE_ERR_WRONG_MACHINE, "wrong_machine", Errno::ENOEXEC, "wrong machine for this architecture\0"),
    (EXECCORE_ERR_WRONG_CLASS, "wrong_class", Errno::ENOEXEC, "wrong ELF class for this architecture\0"),
    (
        EXECCORE_ERR_WRONG_ENDIANNESS,
        "wrong_endianness",
        Errno::ENOEXEC,
        "wrong byte order for this architecture\0",
    ),
];
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
