//! Error codes: one enum per error family, declared once with each code's number, stable
//! name, default errno and message. Everything else (the C status table, messages, test
//! lists) is derived from these declarations.

/// Declares a `#[repr(u8)]` error-code enum: `Variant = number, "name", ERRNO, "message";`
/// per line (`ERRNO` an [`Errno`](crate::Errno) constant). Generates `ALL`, `name`,
/// `message`, `message_nul` (the message with a trailing NUL, for C), `errno` and `number`.
#[macro_export]
macro_rules! error_codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($variant:ident = $number:literal, $kind:literal, $errno:ident, $message:literal;)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        $vis enum $name {
            $(#[doc = $message] $variant = $number,)*
        }

        impl $name {
            /// Every code, in declaration (numeric) order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable snake_case name (logs, JSON, the C constant's suffix).
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $kind,)*
                }
            }

            /// A short human-readable message.
            pub const fn message(self) -> &'static str {
                match self {
                    $($name::$variant => $message,)*
                }
            }

            /// [`Self::message`] with a trailing NUL (a C string).
            pub const fn message_nul(self) -> &'static str {
                match self {
                    $($name::$variant => concat!($message, "\0"),)*
                }
            }

            /// The errno a kernel returns for this code (asm-generic numbering) unless the
            /// error carries the errno of a failed source or callback.
            pub const fn errno(self) -> $crate::Errno {
                match self {
                    $($name::$variant => $crate::Errno::$errno,)*
                }
            }

            /// The stable number of the code inside its family.
            pub const fn number(self) -> u8 {
                self as u8
            }
        }
    };
}

error_codes! {
    /// What kind of [`Error`](crate::Error) a file has: [`Error::code`](crate::Error::code).
    pub enum ErrorCode {
        ReadFailed = 0, "read_failed", EIO, "reading the file failed";
        Truncated = 1, "truncated", ENOEXEC, "file truncated";
        BadMagic = 2, "bad_magic", ENOEXEC, "not an ELF file";
        BadClass = 3, "bad_class", ENOEXEC, "invalid ELF class";
        BadEncoding = 4, "bad_encoding", ENOEXEC, "invalid ELF data encoding";
        BadIdentVersion = 5, "bad_ident_version", ENOEXEC, "invalid ELF ident version";
        BadVersion = 6, "bad_version", ENOEXEC, "invalid ELF version";
        BadHeaderSize = 7, "bad_header_size", ENOEXEC, "invalid e_ehsize";
        BadProgramHeaderSize = 8, "bad_program_header_size", ENOEXEC, "invalid e_phentsize";
        BadExtendedPhnum = 9, "bad_extended_phnum", ENOEXEC, "PN_XNUM without a valid section header 0";
        ProgramHeaderTableTooLarge = 10, "program_header_table_too_large", ENOEXEC, "program header table too large";
        ProgramHeaderTableOutsideFile = 11, "program_header_table_outside_file", ENOEXEC, "program header table outside the file";
        NoSuchProgramHeader = 12, "no_such_program_header", ENOEXEC, "no such program header";
        SegmentOutsideFile = 13, "segment_outside_file", ENOEXEC, "segment lies outside the file";
        DuplicateInterpreter = 14, "duplicate_interpreter", ENOEXEC, "more than one PT_INTERP";
        InterpreterTooShort = 15, "interpreter_too_short", ENOEXEC, "PT_INTERP too short";
        InterpreterTooLong = 16, "interpreter_too_long", ENOEXEC, "PT_INTERP too long";
        InterpreterNotTerminated = 17, "interpreter_not_terminated", ENOEXEC, "PT_INTERP not NUL-terminated";
        InterpreterEmbeddedNul = 18, "interpreter_embedded_nul", ENOEXEC, "NUL inside PT_INTERP";
        DuplicateSegment = 19, "duplicate_segment", ENOEXEC, "a segment kind that must be unique appears twice";
        PropertyTooLarge = 20, "property_too_large", ENOEXEC, "PT_GNU_PROPERTY too large";
        PropertyNoteInvalid = 21, "property_note_invalid", ENOEXEC, "invalid GNU property note";
        PropertyMalformed = 22, "property_malformed", ENOEXEC, "malformed GNU property";
        PropertyUnsorted = 23, "property_unsorted", ENOEXEC, "GNU properties out of order";
        PropertyBadSize = 24, "property_bad_size", ENOEXEC, "GNU property with a bad size";
        NoteMalformed = 25, "note_malformed", ENOEXEC, "malformed note";
        MipsAbiFlagsTooShort = 26, "mips_abiflags_too_short", EINVAL, "PT_MIPS_ABIFLAGS shorter than 24 bytes";
        MipsOptionTooSmall = 27, "mips_option_too_small", ENOEXEC, "MIPS option record too small";
        MipsOptionPastSegment = 28, "mips_option_past_segment", ENOEXEC, "MIPS option record runs past its segment";
        ShortRead = 29, "short_read", EIO, "the file ends inside a structure read whole";
        BadReadOffset = 30, "bad_read_offset", EINVAL, "read past the largest file offset";
    }
}
