//! An in-memory [`ExecHost`]: one interpreter image for whatever path PT_INTERP names,
//! fixed entropy, and a ledger of reserved memory, so a test can check that a failed exec
//! released everything it reserved.

use elf_stream::{Errno, ReadAt, ReadFailure};
use exec_core::{ExecHost, FileId, OpenedFile};

/// Owned file bytes as a `ReadAt` source that knows its size.
#[derive(Clone, Debug, Default)]
pub struct Bytes(pub Vec<u8>);

impl ReadAt for Bytes {
    type Error = ReadFailure;

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, ReadFailure> {
        self.0.as_slice().read_at(offset, buf).map_err(|e| match e {})
    }

    fn size(&self) -> Option<u64> {
        Some(self.0.len() as u64)
    }
}

/// The host: `interp` for every interpreter path, or only for `path` when set (ENOENT
/// otherwise, or when `interp` is `None`).
#[derive(Debug, Default)]
pub struct MemHost {
    /// The interpreter's bytes.
    pub interp: Option<Vec<u8>>,
    /// The one path the interpreter is found at; `None`: any path.
    pub path: Option<Vec<u8>>,
    /// Identity reported with the interpreter (enables the memory-requirement cache).
    pub id: Option<FileId>,
    /// Refuse `reserve_memory` with EAGAIN.
    pub refuse_reservation: bool,
    /// Bytes currently reserved.
    pub reserved: u64,
    /// Every path `open_interpreter` was asked for.
    pub opened: Vec<Vec<u8>>,
}

impl MemHost {
    /// A host whose interpreter is `interp`.
    pub fn new(interp: Option<&[u8]>) -> Self {
        MemHost { interp: interp.map(<[u8]>::to_vec), ..Default::default() }
    }
}

impl ExecHost for MemHost {
    type Interp = Bytes;

    fn open_interpreter(&mut self, path: &[u8]) -> Result<OpenedFile<Bytes>, Errno> {
        if self.path.as_deref().is_some_and(|p| p != path) {
            return Err(Errno::ENOENT);
        }
        self.opened.push(path.to_vec());
        let bytes = self.interp.clone().ok_or(Errno::ENOENT)?;
        Ok(OpenedFile { source: Bytes(bytes), id: self.id })
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        buf.fill(0x5a);
        Ok(())
    }

    fn reserve_memory(&mut self, bytes: u64) -> Result<(), Errno> {
        if self.refuse_reservation {
            return Err(Errno::EAGAIN);
        }
        self.reserved += bytes;
        Ok(())
    }

    fn release_memory(&mut self, bytes: u64) {
        self.reserved = self.reserved.checked_sub(bytes).expect("released more than was reserved");
    }
}
