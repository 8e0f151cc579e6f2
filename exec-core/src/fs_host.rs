//! `FsHost`: an [`ExecHost`] over the host's file system, for tools and tests (feature `std`).

use crate::host::{ExecHost, FileId, LogLevel, OpenedFile};
use elf_stream::Errno;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

/// Opens interpreters under a root directory (like qemu's `-L`), draws entropy from
/// `/dev/urandom` or a seeded generator, accepts reservations and prints warnings.
#[derive(Debug)]
pub struct FsHost {
    /// Directory prepended to absolute interpreter paths (`/` for the host itself).
    pub root: PathBuf,
    /// Deterministic entropy (xorshift from this seed) instead of `/dev/urandom`.
    pub seed: Option<u64>,
    /// Messages logged by `prepare`.
    pub messages: std::vec::Vec<(LogLevel, std::string::String)>,
    /// Bytes reserved and not released.
    pub reserved: u64,
    /// Refuse every reservation (to exercise the retry path).
    pub refuse_reservations: bool,
}

impl FsHost {
    /// A host rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FsHost {
            root: root.into(),
            seed: None,
            messages: std::vec::Vec::new(),
            reserved: 0,
            refuse_reservations: false,
        }
    }

    /// The path an interpreter name resolves to.
    pub fn resolve(&self, path: &[u8]) -> PathBuf {
        use std::os::unix::ffi::OsStrExt;
        let p = std::path::Path::new(std::ffi::OsStr::from_bytes(path));
        match p.strip_prefix("/") {
            Ok(rel) => self.root.join(rel),
            Err(_) => p.to_path_buf(),
        }
    }
}

impl ExecHost for FsHost {
    type Interp = File;

    fn open_interpreter(&mut self, path: &[u8]) -> Result<OpenedFile<File>, Errno> {
        let full = self.resolve(path);
        let errno = |e: std::io::Error| Errno(e.raw_os_error().unwrap_or(Errno::ENOENT.0));
        let file = File::open(&full).map_err(errno)?;
        let meta = file.metadata().map_err(errno)?;
        // open_exec: a directory or other non-regular file, or one nobody may execute,
        // is EACCES (the execute bits are judged as for root: any of them will do).
        if !meta.is_file() || meta.mode() & 0o111 == 0 {
            return Err(Errno::EACCES);
        }
        let id = Some(FileId { device: meta.dev(), inode: meta.ino(), generation: meta.ctime() as u64 });
        Ok(OpenedFile { source: file, id })
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        match self.seed.as_mut() {
            Some(state) => {
                if *state == 0 {
                    // Zero is xorshift's fixed point: use the golden-ratio constant instead.
                    *state = 0x9e37_79b9_7f4a_7c15;
                }
                for b in buf.iter_mut() {
                    // xorshift64*: deterministic, good enough for reproducible layouts.
                    *state ^= *state >> 12;
                    *state ^= *state << 25;
                    *state ^= *state >> 27;
                    *b = (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8;
                }
                Ok(())
            }
            None => File::open("/dev/urandom").and_then(|mut f| f.read_exact(buf)).map_err(|_| Errno::EIO),
        }
    }

    fn reserve_memory(&mut self, bytes: u64) -> Result<(), Errno> {
        if self.refuse_reservations {
            return Err(Errno::EAGAIN);
        }
        self.reserved = self.reserved.saturating_add(bytes);
        Ok(())
    }

    fn release_memory(&mut self, bytes: u64) {
        self.reserved = self.reserved.saturating_sub(bytes);
    }

    fn log(&mut self, level: LogLevel, message: &str) {
        self.messages.push((level, message.into()));
    }
}
