//! Errno values a kernel returns from `execve`, as an open newtype.

use core::fmt;

/// A Linux errno number (the asm-generic numbering unless stated otherwise).
///
/// Open newtype: architectures and OS profiles with their own numbering (Linux/MIPS,
/// IRIX) construct their own values; the constants here are the common ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Errno(pub i32);

impl Errno {
    /// Operation not permitted.
    pub const EPERM: Errno = Errno(1);
    /// No such file or directory.
    pub const ENOENT: Errno = Errno(2);
    /// I/O error: the source failed.
    pub const EIO: Errno = Errno(5);
    /// Argument list too long.
    pub const E2BIG: Errno = Errno(7);
    /// Exec format error: the file is malformed or not for this machine.
    pub const ENOEXEC: Errno = Errno(8);
    /// Try again: a transient refusal (memory reservation under Linux).
    pub const EAGAIN: Errno = Errno(11);
    /// Out of memory, or the image does not fit the address space.
    pub const ENOMEM: Errno = Errno(12);
    /// Bad address.
    pub const EFAULT: Errno = Errno(14);
    /// Invalid argument.
    pub const EINVAL: Errno = Errno(22);
    /// File name too long.
    pub const ENAMETOOLONG: Errno = Errno(36);
    /// Too many levels of symbolic links, or of `#!` interpreters (asm-generic numbering;
    /// Linux/MIPS uses 90).
    pub const ELOOP: Errno = Errno(40);
    /// Invalid request code (asm-generic numbering; Linux/MIPS and IRIX use 54).
    pub const EBADRQC: Errno = Errno(56);
    /// Accessing a corrupted shared library (asm-generic numbering; Linux/MIPS uses 84).
    pub const ELIBBAD: Errno = Errno(80);

    /// The number.
    pub const fn get(self) -> i32 {
        self.0
    }

    /// The C name of a known asm-generic errno ("ENOEXEC"), or `None`.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            1 => "EPERM",
            2 => "ENOENT",
            5 => "EIO",
            7 => "E2BIG",
            8 => "ENOEXEC",
            11 => "EAGAIN",
            12 => "ENOMEM",
            14 => "EFAULT",
            22 => "EINVAL",
            36 => "ENAMETOOLONG",
            40 => "ELOOP",
            56 => "EBADRQC",
            80 => "ELIBBAD",
            _ => return None,
        })
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "errno {}", self.0),
        }
    }
}
