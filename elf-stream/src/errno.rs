//! Errno values a kernel returns from `execve`, as an open newtype, and the numbering of
//! the architectures whose errnos differ from asm-generic's.

use core::fmt;

/// A Linux errno number (the asm-generic numbering unless stated otherwise).
///
/// Open newtype: architectures and OS profiles with their own numbering (Linux/MIPS,
/// IRIX) construct their own values; the constants here are every number the library
/// itself uses, in asm-generic numbering ([`Numbering::renumber`] gives another ABI's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Errno(pub i32);

/// One errno per line: constant, asm-generic number, Linux/MIPS number, doc.
macro_rules! errnos {
    ($($name:ident = $generic:literal, $mips:literal, $doc:literal;)*) => {
        impl Errno {
            $(#[doc = $doc] pub const $name: Errno = Errno($generic);)*

            /// Every constant above, with its C name.
            pub const ALL: &'static [(&'static str, Errno)] = &[$((stringify!($name), Errno::$name)),*];

            /// The C name of a known asm-generic errno ("ENOEXEC"), or `None`.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($generic => Some(stringify!($name)),)*
                    _ => None,
                }
            }
        }

        impl Numbering {
            /// `errno` (asm-generic) as this numbering writes it.
            pub const fn renumber(self, errno: Errno) -> Errno {
                match self {
                    Numbering::Generic => errno,
                    Numbering::Mips => match errno.0 {
                        $($generic => Errno($mips),)*
                        _ => errno,
                    },
                }
            }

            /// `errno` written in this numbering, as asm-generic (the inverse of
            /// [`Numbering::renumber`] for the constants; other values unchanged).
            pub const fn to_generic(self, errno: Errno) -> Errno {
                match self {
                    Numbering::Generic => errno,
                    Numbering::Mips => match errno.0 {
                        $($mips => Errno($generic),)*
                        _ => errno,
                    },
                }
            }
        }
    };
}

errnos! {
    EPERM = 1, 1, "Operation not permitted.";
    ENOENT = 2, 2, "No such file or directory.";
    EIO = 5, 5, "I/O error: the source failed.";
    E2BIG = 7, 7, "Argument list too long.";
    ENOEXEC = 8, 8, "Exec format error: the file is malformed or not for this machine.";
    EAGAIN = 11, 11, "Try again: a transient refusal (memory reservation under Linux).";
    ENOMEM = 12, 12, "Out of memory, or the image does not fit the address space.";
    EACCES = 13, 13, "Permission denied.";
    EFAULT = 14, 14, "Bad address.";
    EEXIST = 17, 17, "File exists: an address-space range is already taken.";
    EINVAL = 22, 22, "Invalid argument.";
    ENAMETOOLONG = 36, 78, "File name too long.";
    ENOSYS = 38, 89, "Function not implemented: an optional callback is absent.";
    ELOOP = 40, 90, "Too many levels of symbolic links, or of `#!` interpreters.";
    EBADRQC = 56, 54, "Invalid request code.";
    ELIBBAD = 80, 84, "Accessing a corrupted shared library.";
}

/// How an ABI numbers its errnos: Linux/MIPS differs from asm-generic (which x86_64,
/// AArch64 and RISC-V share) for the errnos above 34.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Numbering {
    /// asm-generic (x86_64, AArch64, RISC-V).
    #[default]
    Generic,
    /// Linux/MIPS (`arch/mips/include/uapi/asm/errno.h`), also IRIX's for these.
    Mips,
}

impl Errno {
    /// The number.
    pub const fn get(self) -> i32 {
        self.0
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
