//! `AddressSpace`: the new process's (fresh, empty) address space, driven by the loader
//! and the stack builder through the kernel's primitives.

use crate::addr::{AddrRange, MappingFlags, Prot, UserAddr};
use crate::error::{ExecError, SpaceOp};
use crate::policy::Role;
use elf_stream::{Errno, FileOffset, ReadAt};

/// Bytes of the bounce buffer used when the kernel offers no direct file-to-user read
/// (nor lends a buffer of its own): on the kernel's stack, at the bottom of the deepest
/// path of `load` and `elfmap`, hence small.
pub const BOUNCE: usize = 256;

/// The kernel's operations on the address space being built.
///
/// Errors are errnos; the loader wraps them with the operation's name. Optional
/// capabilities (file mappings, lazy registration, direct reads) have defaults that
/// report `ENOSYS` or fall back to plain writes.
pub trait AddressSpace {
    /// Reserves `range` (no access) so later fixed mappings inside it cannot collide.
    fn reserve(&mut self, range: AddrRange) -> Result<(), Errno>;

    /// Maps zero-filled anonymous memory over `range` (inside a reservation or free).
    fn map_anonymous(&mut self, range: AddrRange, prot: Prot, flags: MappingFlags) -> Result<(), Errno>;

    /// Maps `range` privately from the file of `role` at `offset` (page aligned).
    /// `ENOSYS` means "cannot map files": the loader copies instead.
    fn map_file(
        &mut self,
        range: AddrRange,
        role: Role,
        offset: FileOffset,
        prot: Prot,
        flags: MappingFlags,
    ) -> Result<(), Errno> {
        let _ = (range, role, offset, prot, flags);
        Err(Errno::ENOSYS)
    }

    /// Registers `range` for demand paging: nothing is populated; the kernel asks the
    /// fault resolver what each page holds. `ENOSYS` when unsupported.
    fn map_lazy(&mut self, range: AddrRange, prot: Prot, flags: MappingFlags) -> Result<(), Errno> {
        let _ = (range, prot, flags);
        Err(Errno::ENOSYS)
    }

    /// Writes `bytes` at `addr` (the range is mapped and the kernel may write it even if
    /// its final protection is read-only).
    fn write(&mut self, addr: UserAddr, bytes: &[u8]) -> Result<(), Errno>;

    /// Copies `len` bytes of the file of `role` from `offset` to `dest`, straight into
    /// user memory when the kernel can (override this); the default bounces through a
    /// small stack buffer and [`AddressSpace::write`].
    fn copy_from_file<S: ReadAt + ?Sized>(
        &mut self,
        role: Role,
        source: &S,
        offset: FileOffset,
        dest: UserAddr,
        len: u64,
    ) -> Result<(), ExecError> {
        bounce_copy(self, role, source, offset, dest, len)
    }

    /// Zero-fills `len` bytes at `addr` (memory that may hold stale bytes).
    fn zero(&mut self, addr: UserAddr, len: u64) -> Result<(), Errno> {
        let zeros = [0u8; BOUNCE];
        let mut done = 0u64;
        while done < len {
            let n = (len.saturating_sub(done)).min(BOUNCE as u64);
            let at = addr.checked_add(done).ok_or(Errno::EFAULT)?;
            self.write(at, zeros.get(..n as usize).unwrap_or_default())?;
            done = done.saturating_add(n);
        }
        Ok(())
    }

    /// Sets the final protection of `range`.
    fn protect(&mut self, range: AddrRange, prot: Prot, flags: MappingFlags) -> Result<(), Errno>;

    /// Removes every mapping and reservation in `range` (used to undo a failed load).
    fn unmap(&mut self, range: AddrRange) -> Result<(), Errno>;

    /// Makes freshly written code visible to instruction fetch (icache flush); default no-op.
    fn sync_icache(&mut self, range: AddrRange) -> Result<(), Errno> {
        let _ = range;
        Ok(())
    }

    /// A free range of `len` bytes aligned to `align` (a power of two, at least a page),
    /// where a later fixed mapping would not collide: the kernel's `get_unmapped_area`.
    /// [`elfmap`](crate::elfmap::elfmap) asks once when an object's own addresses are taken.
    /// Default `ENOSYS`.
    fn find_free_range(&mut self, len: u64, align: u64) -> Result<UserAddr, Errno> {
        let _ = (len, align);
        Err(Errno::ENOSYS)
    }

    /// A text page needing an erratum patch: `page` holds code with the instruction
    /// offsets listed (MIPS R5000 `cvt.*.l`). Default: accept unpatched.
    fn patch_text(&mut self, page: UserAddr, offsets: &[u32]) -> Result<(), Errno> {
        let _ = (page, offsets);
        Ok(())
    }
}

/// The fallback copy: file bytes through a [`BOUNCE`]-byte stack buffer into `write`.
/// Out of line: the buffer is on the stack only while it is in use.
#[inline(never)]
pub fn bounce_copy<A: AddressSpace + ?Sized, S: ReadAt + ?Sized>(
    space: &mut A,
    role: Role,
    source: &S,
    offset: FileOffset,
    dest: UserAddr,
    len: u64,
) -> Result<(), ExecError> {
    bounce_copy_through(space, role, source, offset, dest, len, &mut [0u8; BOUNCE])
}

/// The copy through a caller's buffer `buf` (empty: a [`BOUNCE`]-byte one): one read of the source (more
/// only if it returns short reads) and one `write` per buffer-full.
pub fn bounce_copy_through<A: AddressSpace + ?Sized, S: ReadAt + ?Sized>(
    space: &mut A,
    role: Role,
    source: &S,
    offset: FileOffset,
    dest: UserAddr,
    len: u64,
    buf: &mut [u8],
) -> Result<(), ExecError> {
    if buf.is_empty() {
        return bounce_copy(space, role, source, offset, dest, len);
    }
    let size = buf.len() as u64;
    let mut done = 0u64;
    while done < len {
        let n = len.saturating_sub(done).min(size) as usize;
        let chunk = buf.get_mut(..n).unwrap_or_default();
        let at = offset
            .0
            .checked_add(done)
            .ok_or(ExecError::AddressSpace { op: SpaceOp::CopyFromFile, errno: Errno::EIO })?;
        elf_stream::read_exact_at(source, at, chunk).map_err(|e| ExecError::elf(role, e))?;
        let to = dest
            .checked_add(done)
            .ok_or(ExecError::AddressSpace { op: SpaceOp::Write, errno: Errno::EFAULT })?;
        space.write(to, chunk).map_err(|errno| ExecError::AddressSpace { op: SpaceOp::Write, errno })?;
        done = done.saturating_add(n as u64);
    }
    Ok(())
}
