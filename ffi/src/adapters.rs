//! Adapters from the C callback table to exec-core's traits: `ReadAt` for a file handle,
//! `ExecHost`, and `AddressSpace`.

use crate::convert::prot_bits;
use crate::ptr;
use crate::types::*;
use elf_stream::{Errno, FileOffset, Numbering, ReadAt, ReadFailure};
use exec_core::{
    AddrRange, AddressSpace, ExecError, ExecHost, FileCopy, FileId, LogLevel, MappingFlags, OpenedFile, Prot,
    Role, SpaceOp, UserAddr,
};

/// Converts a callback's return into a result (a negative errno becomes EIO). The kernel
/// writes errnos in its architecture's `numbering`; its ENOSYS becomes exec-core's.
fn check_in(rc: execcore_errno, numbering: Numbering) -> Result<(), Errno> {
    match rc {
        0 => Ok(()),
        e if Errno(e) == numbering.renumber(Errno::ENOSYS) => Err(Errno::ENOSYS),
        e if e > 0 => Err(Errno(e)),
        _ => Err(Errno::EIO),
    }
}

/// [`check_in`] for callbacks whose errnos change nothing.
fn check(rc: execcore_errno) -> Result<(), Errno> {
    match rc {
        0 => Ok(()),
        e if e > 0 => Err(Errno(e)),
        _ => Err(Errno::EIO),
    }
}

/// ENOSYS: the callback is absent.
const ENOSYS: Errno = Errno::ENOSYS;

/// A file the kernel identifies by `handle`, read through `ops.read_at`.
#[derive(Clone, Copy)]
pub struct CFile<'a> {
    pub(crate) ops: &'a execcore_ops,
    pub(crate) handle: u64,
    /// Its size, from `file_size` when the kernel has one.
    pub(crate) size: Option<u64>,
}

impl<'a> CFile<'a> {
    /// The file `handle`, its size asked once from `ops.file_size` (when not NULL).
    pub fn new(ops: &'a execcore_ops, handle: u64) -> Result<CFile<'a>, Errno> {
        let size = match ops.file_size {
            Some(f) => {
                let mut size = 0u64;
                // SAFETY: `size` is a valid out pointer for the call.
                check(unsafe { f(ops.ctx, handle, &mut size) })?;
                Some(size)
            }
            None => None,
        };
        Ok(CFile { ops, handle, size })
    }

    /// The file `handle` without asking its size (files the library only maps or copies).
    pub const fn unsized_file(ops: &'a execcore_ops, handle: u64) -> CFile<'a> {
        CFile { ops, handle, size: None }
    }
}

impl ReadAt for CFile<'_> {
    type Error = ReadFailure;

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, ReadFailure> {
        let f = self.ops.read_at.ok_or(ReadFailure::new(Errno::EIO))?;
        let mut n = 0usize;
        // SAFETY: `buf` is valid for `buf.len()` writable bytes and `n` is a valid out
        // pointer; the callback contract is to write at most `len` bytes.
        let rc = unsafe { f(self.ops.ctx, self.handle, offset, buf.as_mut_ptr(), buf.len(), &mut n) };
        check(rc).map_err(ReadFailure::new)?;
        if n > buf.len() {
            return Err(ReadFailure::new(Errno::EIO));
        }
        Ok(n)
    }

    fn size(&self) -> Option<u64> {
        self.size
    }
}

/// `ExecHost` over the callback table.
pub struct CHost<'a> {
    pub(crate) ops: &'a execcore_ops,
    /// How the kernel places the interpreter's mappings (`EXECCORE_EXEC_INTERP_HUGE_ALIGNED`).
    pub(crate) interp_placement: exec_core::FilePlacement,
}

impl<'a> CHost<'a> {
    /// A host over `ops` placing the interpreter plainly.
    pub fn new(ops: &'a execcore_ops) -> Self {
        CHost { ops, interp_placement: exec_core::FilePlacement::Plain }
    }
}

impl<'a> ExecHost for CHost<'a> {
    type Interp = CFile<'a>;

    fn interpreter_placement(&mut self) -> exec_core::FilePlacement {
        self.interp_placement
    }

    fn open_interpreter(&mut self, path: &[u8]) -> Result<OpenedFile<CFile<'a>>, Errno> {
        let f = self.ops.open_interpreter.ok_or(Errno::ENOENT)?;
        let mut handle = 0u64;
        let mut id = execcore_file_id::default();
        // SAFETY: `path` is valid for `path.len()` bytes; the out pointers are valid.
        check(unsafe { f(self.ops.ctx, path.as_ptr(), path.len(), &mut handle, &mut id) })?;
        let id = (id != execcore_file_id::default()).then_some(FileId {
            device: id.device,
            inode: id.inode,
            generation: id.generation,
        });
        Ok(OpenedFile { source: CFile::new(self.ops, handle)?, id })
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        let f = self.ops.random.ok_or(ENOSYS)?;
        // SAFETY: `buf` is valid for `buf.len()` writable bytes.
        check(unsafe { f(self.ops.ctx, buf.as_mut_ptr(), buf.len()) })
    }

    fn reserve_memory(&mut self, bytes: u64) -> Result<(), Errno> {
        match self.ops.reserve_memory {
            // SAFETY: plain value arguments.
            Some(f) => check(unsafe { f(self.ops.ctx, bytes) }),
            None => Ok(()),
        }
    }

    fn release_memory(&mut self, bytes: u64) {
        if let Some(f) = self.ops.release_memory {
            // SAFETY: plain value arguments.
            unsafe { f(self.ops.ctx, bytes) }
        }
    }

    fn log(&mut self, level: LogLevel, message: &str) {
        if let Some(f) = self.ops.log {
            let level = match level {
                LogLevel::Warning => EXECCORE_LOG_WARNING,
                LogLevel::Info => EXECCORE_LOG_INFO,
            };
            // SAFETY: `message` is valid for its length.
            unsafe { f(self.ops.ctx, level, message.as_ptr(), message.len()) }
        }
    }
}

/// `AddressSpace` over the callback table.
pub struct CSpace<'a> {
    pub(crate) ops: &'a execcore_ops,
    pub(crate) main_file: u64,
    pub(crate) interp_file: u64,
    /// How the kernel numbers the errnos its callbacks return.
    pub(crate) numbering: Numbering,
}

impl CSpace<'_> {
    fn file(&self, role: Role) -> u64 {
        match role {
            Role::Main => self.main_file,
            Role::Interpreter => self.interp_file,
        }
    }
}

impl AddressSpace for CSpace<'_> {
    fn reserve(&mut self, r: AddrRange) -> Result<(), Errno> {
        let f = self.ops.reserve.ok_or(ENOSYS)?;
        // SAFETY: plain value arguments.
        check(unsafe { f(self.ops.ctx, r.start.0, r.len()) })
    }

    fn map_anonymous(&mut self, r: AddrRange, prot: Prot, flags: MappingFlags) -> Result<(), Errno> {
        let f = self.ops.map_anonymous.ok_or(ENOSYS)?;
        // SAFETY: plain value arguments.
        check(unsafe { f(self.ops.ctx, r.start.0, r.len(), prot_bits(prot, flags)) })
    }

    fn map_file(
        &mut self,
        r: AddrRange,
        role: Role,
        offset: FileOffset,
        prot: Prot,
        flags: MappingFlags,
    ) -> Result<(), Errno> {
        let f = self.ops.map_file.ok_or(ENOSYS)?;
        let file = self.file(role);
        // SAFETY: plain value arguments.
        check_in(
            unsafe { f(self.ops.ctx, r.start.0, r.len(), file, offset.0, prot_bits(prot, flags)) },
            self.numbering,
        )
    }

    fn map_lazy(&mut self, r: AddrRange, prot: Prot, flags: MappingFlags) -> Result<(), Errno> {
        let f = self.ops.map_lazy.ok_or(ENOSYS)?;
        // SAFETY: plain value arguments.
        check_in(unsafe { f(self.ops.ctx, r.start.0, r.len(), prot_bits(prot, flags)) }, self.numbering)
    }

    fn write(&mut self, addr: UserAddr, bytes: &[u8]) -> Result<(), Errno> {
        let f = self.ops.write.ok_or(ENOSYS)?;
        // SAFETY: `bytes` is valid for its length.
        check(unsafe { f(self.ops.ctx, addr.0, bytes.as_ptr(), bytes.len()) })
    }

    fn copy_from_file<S: ReadAt + ?Sized>(&mut self, copy: FileCopy<'_, S>) -> Result<(), ExecError> {
        match self.ops.read_into {
            Some(f) => {
                let file = self.file(copy.role);
                // SAFETY: plain value arguments; the kernel validates the user range.
                check(unsafe { f(self.ops.ctx, file, copy.offset.0, copy.dest.0, copy.len) })
                    .map_err(|errno| ExecError::AddressSpace { op: SpaceOp::CopyFromFile, errno })
            }
            None => {
                // SAFETY: the kernel's buffer is NULL (size then ignored) or valid for
                // `bounce_size` bytes and used by nothing else during the call.
                let buf = unsafe { ptr::out_slice(self.ops.bounce_buffer, self.ops.bounce_size) }
                    .unwrap_or_default();
                exec_core::space::bounce_copy_through(self, copy, buf)
            }
        }
    }

    fn protect(&mut self, r: AddrRange, prot: Prot, flags: MappingFlags) -> Result<(), Errno> {
        let f = self.ops.protect.ok_or(ENOSYS)?;
        // SAFETY: plain value arguments.
        check(unsafe { f(self.ops.ctx, r.start.0, r.len(), prot_bits(prot, flags)) })
    }

    fn unmap(&mut self, r: AddrRange) -> Result<(), Errno> {
        let f = self.ops.unmap.ok_or(ENOSYS)?;
        // SAFETY: plain value arguments.
        check(unsafe { f(self.ops.ctx, r.start.0, r.len()) })
    }

    fn sync_icache(&mut self, r: AddrRange) -> Result<(), Errno> {
        match self.ops.sync_icache {
            // SAFETY: plain value arguments.
            Some(f) => check(unsafe { f(self.ops.ctx, r.start.0, r.len()) }),
            None => Ok(()),
        }
    }

    fn find_free_range(&mut self, len: u64, align: u64) -> Result<UserAddr, Errno> {
        let f = self.ops.find_free_range.ok_or(ENOSYS)?;
        let mut start = 0u64;
        // SAFETY: plain value arguments and a valid out pointer.
        check_in(unsafe { f(self.ops.ctx, len, align, &mut start) }, self.numbering)?;
        Ok(UserAddr(start))
    }

    fn patch_text(&mut self, page: UserAddr, offsets: &[u32]) -> Result<(), Errno> {
        match self.ops.patch_text {
            // SAFETY: `offsets` is valid for its length.
            Some(f) => check(unsafe { f(self.ops.ctx, page.0, offsets.as_ptr(), offsets.len()) }),
            None => Ok(()),
        }
    }
}
