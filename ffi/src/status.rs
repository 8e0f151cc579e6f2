//! `execcore_status`: an integer (never a C enum) derived from the one list of error
//! codes: `exec_core::ErrorCode` (file, exec and architecture errors) and [`FfiCode`]
//! (failures of the C ABI itself). Every failure status lies in its family's range above
//! [`STATUS_BASE`], where no errno lives (Linux's errnos end at 4095), so a status can
//! never be mistaken for an errno.

use elf_stream::Errno;
use exec_core::{ErrorCode, ExecCode};

/// Result of every fallible `execcore_*` function: 0 is success.
// The C name is the ABI.
#[allow(non_camel_case_types)]
pub type execcore_status = i32;

elf_stream::error_codes! {
    /// Failures of the C ABI itself: arguments, storage, callbacks.
    pub enum FfiCode {
        NullArgument = 0, "null_argument", EINVAL, "a required pointer argument is NULL";
        BufferTooSmall = 1, "buffer_too_small", EINVAL, "output buffer too small";
        UnsupportedArch = 2, "unsupported_arch", ENOEXEC, "architecture not built into this library";
        MissingCallback = 3, "missing_callback", EINVAL, "a required callback is NULL";
        BadPlan = 4, "bad_plan", EINVAL, "plan storage does not hold a prepared plan";
        ExecFdFailed = 5, "exec_fd_failed", EIO, "the exec_fd callback failed to give a descriptor";
    }
}

/// The lowest failure status; each family has 100 numbers from its base.
pub const STATUS_BASE: execcore_status = 5000;
/// Codes per family.
pub const FAMILY_SIZE: execcore_status = 100;

/// Every outcome an `execcore_*` function reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Success (0).
    Ok,
    /// A failure of the C ABI itself (5000-5099).
    Ffi(FfiCode),
    /// A file (5100-5199), exec (5200-5299) or architecture (5300-5399) error.
    Error(ErrorCode),
}

impl Status {
    /// Every status: success, then the families in numeric order.
    pub fn all() -> impl Iterator<Item = Status> {
        let ffi = FfiCode::ALL.iter().map(|c| Status::Ffi(*c));
        core::iter::once(Status::Ok).chain(ffi).chain(ErrorCode::all().map(Status::Error))
    }

    /// The C value.
    pub const fn code(self) -> execcore_status {
        let (family, number): (execcore_status, u8) = match self {
            Status::Ok => return 0,
            Status::Ffi(c) => (0, c.number()),
            Status::Error(ErrorCode::Elf(c)) => (1, c.number()),
            Status::Error(ErrorCode::Exec(c)) => (2, c.number()),
            Status::Error(ErrorCode::Arch(c)) => (3, c.number()),
        };
        STATUS_BASE.wrapping_add(family.wrapping_mul(FAMILY_SIZE)).wrapping_add(number as execcore_status)
    }

    /// The status whose C value is `code`.
    pub fn from_code(code: execcore_status) -> Option<Status> {
        Status::all().find(|s| s.code() == code)
    }

    /// The stable name (the C constant is `EXECCORE_ERR_` and this, upper case; `ok` is
    /// `EXECCORE_OK`).
    pub const fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Ffi(c) => c.name(),
            Status::Error(c) => c.name(),
        }
    }

    /// The message, NUL-terminated.
    pub const fn message_nul(self) -> &'static str {
        match self {
            Status::Ok => "success\0",
            Status::Ffi(c) => c.message_nul(),
            Status::Error(c) => c.message_nul(),
        }
    }

    /// The default errno (asm-generic numbering; 0 for success).
    pub const fn errno(self) -> Errno {
        match self {
            Status::Ok => Errno(0),
            Status::Ffi(c) => c.errno(),
            Status::Error(c) => c.errno(),
        }
    }
}

impl From<FfiCode> for Status {
    fn from(c: FfiCode) -> Status {
        Status::Ffi(c)
    }
}

/// The Rust names of the statuses the C ABI code itself returns (the header defines every
/// status, generated from [`Status::all`]).
macro_rules! statuses {
    ($($(#[$doc:meta])* $name:ident = $status:expr;)*) => {
        $($(#[$doc])* pub const $name: execcore_status = $status.code();)*
    };
}

statuses! {
    /// Success.
    EXECCORE_OK = Status::Ok;
    /// A required pointer argument was NULL.
    EXECCORE_ERR_NULL_ARGUMENT = Status::Ffi(FfiCode::NullArgument);
    /// An output buffer is too small.
    EXECCORE_ERR_BUFFER_TOO_SMALL = Status::Ffi(FfiCode::BufferTooSmall);
    /// The CPU description names an architecture this library was not built with.
    EXECCORE_ERR_UNSUPPORTED_ARCH = Status::Ffi(FfiCode::UnsupportedArch);
    /// A required callback is NULL.
    EXECCORE_ERR_MISSING_CALLBACK = Status::Ffi(FfiCode::MissingCallback);
    /// The plan storage does not hold a prepared plan.
    EXECCORE_ERR_BAD_PLAN = Status::Ffi(FfiCode::BadPlan);
    /// The `exec_fd` callback failed.
    EXECCORE_ERR_EXEC_FD_FAILED = Status::Ffi(FfiCode::ExecFdFailed);
    /// A parameter value is invalid.
    EXECCORE_ERR_INVALID_PARAMETER = Status::Error(ErrorCode::Exec(ExecCode::InvalidParameter));
}

/// The status of an error code.
pub const fn status_of_code(code: ErrorCode) -> execcore_status {
    Status::Error(code).code()
}
