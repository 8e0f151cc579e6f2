//! OS profiles: Linux and IRIX differ in auxv and errno numbering — as data, one code path.

use elf_stream::{Errno, Numbering};
use exec_core::{ExecError, ScriptError};

/// Which auxiliary vector an OS builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuxvStyle {
    /// Linux's full vector and order (plus `AT_PFETCHFD` last when needed).
    Linux,
    /// IRIX: for dynamic programs only AT_PHDR, AT_PHENT, AT_PHNUM, AT_ENTRY,
    /// (AT_PFETCHFD), AT_BASE rounded down to 64 KiB, AT_PAGESZ; static programs none.
    Irix,
}

/// The numbers and shapes one OS uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProfileData {
    /// "linux" or "irix".
    pub name: &'static str,
    /// The auxv.
    pub auxv: AuxvStyle,
    /// Invalid request (asm-generic 56).
    pub ebadrqc: Errno,
    /// Corrupted shared library (asm-generic 80).
    pub elibbad: Errno,
    /// File name too long (asm-generic 36).
    pub enametoolong: Errno,
    /// Too many `#!` interpreters in a row (asm-generic 40).
    pub eloop: Errno,
    /// A refused batch-job memory reservation: retry later.
    pub retry: Errno,
    /// Rounding of `AT_BASE` (IRIX: 64 KiB; Linux: none, 1).
    pub base_align: u64,
}

/// IRIX's "memory reservation failed, retry" errno.
pub const EMEMRETRY: Errno = Errno(1600);
/// Linux/MIPS and IRIX `EBADRQC`.
pub const MIPS_EBADRQC: Errno = Numbering::Mips.renumber(Errno::EBADRQC);
/// Linux/MIPS and IRIX `ELIBBAD`.
pub const MIPS_ELIBBAD: Errno = Numbering::Mips.renumber(Errno::ELIBBAD);
/// Linux/MIPS and IRIX `ENAMETOOLONG`.
pub const MIPS_ENAMETOOLONG: Errno = Numbering::Mips.renumber(Errno::ENAMETOOLONG);
/// Linux/MIPS and IRIX `ELOOP`.
pub const MIPS_ELOOP: Errno = Numbering::Mips.renumber(Errno::ELOOP);

const LINUX: ProfileData = ProfileData {
    name: "linux",
    auxv: AuxvStyle::Linux,
    ebadrqc: MIPS_EBADRQC,
    elibbad: MIPS_ELIBBAD,
    enametoolong: MIPS_ENAMETOOLONG,
    eloop: MIPS_ELOOP,
    retry: Errno::EAGAIN,
    base_align: 1,
};

const IRIX: ProfileData = ProfileData {
    name: "irix",
    auxv: AuxvStyle::Irix,
    ebadrqc: MIPS_EBADRQC,
    elibbad: MIPS_ELIBBAD,
    enametoolong: MIPS_ENAMETOOLONG,
    eloop: MIPS_ELOOP,
    retry: EMEMRETRY,
    base_align: 64 << 10,
};

/// The OS whose conventions the exec follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum OsProfile {
    /// Linux (default).
    #[default]
    Linux,
    /// IRIX.
    Irix,
}

impl OsProfile {
    /// The profile's data.
    pub const fn data(self) -> &'static ProfileData {
        match self {
            OsProfile::Linux => &LINUX,
            OsProfile::Irix => &IRIX,
        }
    }

    /// "linux" or "irix".
    pub const fn name(self) -> &'static str {
        self.data().name
    }

    /// Parses "linux" or "irix".
    pub fn from_name(s: &str) -> Option<OsProfile> {
        [OsProfile::Linux, OsProfile::Irix].into_iter().find(|p| p.name().eq_ignore_ascii_case(s))
    }

    /// The errno `err` is reported with: exec-core's asm-generic numbers renumbered for
    /// MIPS, a refused reservation as the profile's retry errno; errnos that came from the
    /// host (opening the interpreter, reading, entropy, address-space callbacks) unchanged.
    pub fn errno(self, err: &ExecError) -> Errno {
        let d = self.data();
        match err {
            ExecError::ReservationRefused { .. } => d.retry,
            ExecError::InterpreterOpen(e) | ExecError::Entropy(e) => *e,
            // ENOSYS is the one callback errno the library reads (as asm-generic's).
            ExecError::AddressSpace { errno, .. } if *errno == Errno::ENOSYS => {
                Numbering::Mips.renumber(*errno)
            }
            ExecError::AddressSpace { errno, .. } => *errno,
            ExecError::Elf { error: elf_stream::Error::Read { errno, .. }, .. } => *errno,
            ExecError::Script(ScriptError::InterpreterOpen(e) | ScriptError::Read(e)) => *e,
            other => match other.errno() {
                Errno::EBADRQC => d.ebadrqc,
                Errno::ELIBBAD => d.elibbad,
                Errno::ENAMETOOLONG => d.enametoolong,
                Errno::ELOOP => d.eloop,
                e => e,
            },
        }
    }
}
