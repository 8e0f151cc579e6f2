//! How an entry point fails: one [`Fail`] value, written to the caller's `execcore_error`
//! (only on failure) and returned as the status, by [`report`] alone.

use crate::arch::AnyPolicy;
use crate::ptr;
use crate::status::{execcore_status, FfiCode, Status, EXECCORE_OK};
use crate::types::execcore_error;
use elf_stream::Errno;
use exec_core::ExecError;

/// A failure: its status, the errno the kernel should return, and the offending value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fail {
    status: Status,
    errno: Errno,
    value: u64,
}

impl Fail {
    /// `err`, with the errno `policy` numbers it with (the arch's and OS profile's).
    pub fn exec(err: &ExecError, policy: Option<&AnyPolicy>) -> Fail {
        let errno = policy.map_or(err.errno(), |p| exec_core::ArchPolicy::errno(p, err));
        let value = match *err {
            ExecError::FileSizeExceedsMemSize { index }
            | ExecError::Misaligned { index }
            | ExecError::OutsideUserRange { index } => u64::from(index),
            ExecError::Arch(a) => a.value,
            _ => 0,
        };
        Fail { status: Status::Error(err.code()), errno, value }
    }

    /// A C ABI failure whose errno is not the code's (a callback's).
    pub const fn with_errno(code: FfiCode, errno: Errno) -> Fail {
        Fail { status: Status::Ffi(code), errno, value: 0 }
    }

    /// `EXECCORE_ERR_INVALID_PARAMETER`: a coded field or CPU description out of range.
    pub const fn invalid_parameter() -> Fail {
        let code = exec_core::ExecCode::InvalidParameter;
        Fail { status: Status::Error(exec_core::ErrorCode::Exec(code)), errno: code.errno(), value: 0 }
    }

    /// The status.
    pub const fn status(&self) -> execcore_status {
        self.status.code()
    }
}

impl From<FfiCode> for Fail {
    fn from(code: FfiCode) -> Fail {
        Fail { status: Status::Ffi(code), errno: code.errno(), value: 0 }
    }
}

/// Runs an entry point's body: success is `EXECCORE_OK` with `*out_error` untouched; a
/// failure is its status, described in `*out_error` when that is not NULL.
///
/// # Safety
/// `out_error` is NULL or valid for writing an `execcore_error`.
pub unsafe fn report(
    out_error: *mut execcore_error,
    body: impl FnOnce() -> Result<(), Fail>,
) -> execcore_status {
    match body() {
        Ok(()) => EXECCORE_OK,
        Err(f) => {
            // SAFETY: NULL or valid (this function's contract).
            if let Ok(out) = unsafe { ptr::out_mut(out_error) } {
                *out = execcore_error { status: f.status(), errno_value: f.errno.0, value: f.value };
            }
            f.status()
        }
    }
}

/// [`report`] for the entry points without an `execcore_error`.
pub fn status(body: impl FnOnce() -> Result<(), Fail>) -> execcore_status {
    body().err().map_or(EXECCORE_OK, |f| f.status())
}
