//! `ExecHost`: what the kernel provides during `prepare` — the interpreter file,
//! entropy, memory reservation and logging.

use elf_stream::{Errno, ReadAt};

/// Identity of a file, for caches that must never key on pointers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileId {
    /// Device number.
    pub device: u64,
    /// Inode number.
    pub inode: u64,
    /// Generation (or change counter): a new value means new contents.
    pub generation: u64,
}

/// An interpreter file opened by the host.
#[derive(Debug)]
pub struct OpenedFile<S> {
    /// Where its bytes come from.
    pub source: S,
    /// Its identity, if the host knows it (enables the memory requirement cache).
    pub id: Option<FileId>,
}

/// Severity of a log message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogLevel {
    /// Worth a kernel warning.
    Warning,
    /// Informational.
    Info,
}

/// Services the kernel provides to `prepare`.
pub trait ExecHost {
    /// The interpreter's source type.
    type Interp: ReadAt;

    /// Opens the interpreter named by PT_INTERP, or by a `#!` line
    /// ([`follow_scripts`](crate::script::follow_scripts)): `path` without NUL, possibly
    /// relative to a root the host chooses, possibly empty. Linux's `open_exec` for both:
    /// a file that is not regular or not executable is EACCES.
    fn open_interpreter(&mut self, path: &[u8]) -> Result<OpenedFile<Self::Interp>, Errno>;

    /// Fills `buf` with random bytes (AT_RANDOM, ASLR).
    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno>;

    /// Reserves `bytes` of memory for a batch job before the point of no return.
    /// `Err` refuses: the exec fails with a retryable error and nothing changes.
    fn reserve_memory(&mut self, bytes: u64) -> Result<(), Errno> {
        let _ = bytes;
        Ok(())
    }

    /// Releases a reservation made by [`ExecHost::reserve_memory`] (on a later failure).
    fn release_memory(&mut self, bytes: u64) {
        let _ = bytes;
    }

    /// A diagnostic message.
    fn log(&mut self, level: LogLevel, message: &str) {
        let _ = (level, message);
    }
}
