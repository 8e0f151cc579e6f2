//! `execcore_elfmap`: a shared object mapped for a runtime linker (IRIX `elfmap`).

use crate::adapters::{CFile, CSpace};
use crate::arch::AnyPolicy;
use crate::convert::{elf_class, load_mode};
use crate::fail::{report, Fail};
use crate::ptr::{in_ref, in_slice, out_mut};
use crate::status::{execcore_status, FfiCode};
use crate::types::*;
use exec_core::ExecError;

/// Maps a shared object for a runtime linker (IRIX `elfmap`): `phdrs` holds `count`
/// program headers (`Elf32_Phdr` for `EXECCORE_ELFCLASS32`, `Elf64_Phdr` for
/// `EXECCORE_ELFCLASS64`, in the CPU's byte order) as copied from user space; `file` is
/// the object's handle for `read_at` and `map_file`. Every PT_LOAD is validated as
/// `execcore_prepare` validates one, then mapped in `mode` at its own address inside the
/// user window of the ABI `cpu` gives such a file. If those addresses are taken
/// (`reserve` returns EEXIST or ENOMEM) or below the window (an object linked at 0), one
/// retry at `find_free_range(span + largest p_align, largest p_align)`, every segment
/// moved by the same delta. On success `*out_base` is where the page of the lowest
/// PT_LOAD landed; on failure nothing stays mapped. More than
/// `EXECCORE_ELFMAP_MAX_PHDRS` headers: `EXECCORE_ERR_TOO_MANY_PROGRAM_HEADERS` (E2BIG).
///
/// Needs `read_at`, `reserve`, `map_anonymous`, `protect`, `unmap`, and `write` or
/// `read_into`; `map_file` in mapped mode, `find_free_range` to move an object.
///
/// # Safety
/// `phdrs` valid for `count` entries of its class; other pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_elfmap(
    cpu: *const execcore_cpu,
    file: u64,
    phdrs: *const u8,
    count: usize,
    elf_class_: execcore_elf_class,
    mode: execcore_load_mode,
    ops: *const execcore_ops,
    out_base: *mut u64,
    out_error: *mut execcore_error,
) -> execcore_status {
    // SAFETY: every pointer NULL or valid (this function's contract).
    unsafe {
        report(out_error, || {
            let (cpu, ops, base) = (in_ref(cpu)?, in_ref(ops)?, out_mut(out_base)?);
            if phdrs.is_null() {
                return Err(FfiCode::NullArgument.into());
            }
            if ops.read_at.is_none() {
                return Err(FfiCode::MissingCallback.into());
            }
            let (class, mode) = (elf_class(elf_class_)?, load_mode(mode)?);
            // `phdrs` checked not NULL above; valid for `count` entries by contract.
            *base = map_object(cpu, ops, file, (phdrs, count), class, mode)?;
            Ok(())
        })
    }
}

/// `execcore_elfmap` once its pointers are checked: where the object landed. Out of line,
/// returning the base alone, and without the policy while the object is mapped (the
/// policy is built again only to number a failure's errno): none of it is on the stack
/// under the mapping's frames.
///
/// # Safety
/// `phdrs` is not NULL and valid for `count` entries of `class`.
#[inline(never)]
unsafe fn map_object(
    cpu: &execcore_cpu,
    ops: &execcore_ops,
    file: u64,
    (phdrs, count): (*const u8, usize),
    class: elf_stream::Class,
    mode: exec_core::LoadMode,
) -> Result<u64, Fail> {
    let (target, endian, numbering) = elfmap_setup(cpu, count, class)?;
    // SAFETY: `phdrs` is valid for `count` entries of its class (this function's
    // contract); capped by `elfmap_setup`, the product cannot overflow.
    let table = unsafe { in_slice(phdrs, count.saturating_mul(class.program_header_size())) }?;
    let map = || -> Result<u64, ExecError> {
        let source = CFile::new(ops, file).map_err(|errno| {
            ExecError::elf(exec_core::Role::Main, elf_stream::Error::Read { offset: 0, errno })
        })?;
        let mut space = CSpace { ops, main_file: file, interp_file: file, numbering };
        // Decoded header by header from the caller's table: no copy on the stack.
        let header = (class, endian);
        Ok(exec_core::elfmap::elfmap_table(&source, table, count, header, target, &mut space, mode)?.base.0)
    };
    map().map_err(|e| elfmap_failure(&e, cpu))
}

/// The policy's answers `execcore_elfmap` maps with: the target window, the byte order and
/// the errno numbering; the header count capped.
#[inline(never)]
fn elfmap_setup(
    cpu: &execcore_cpu,
    count: usize,
    class: elf_stream::Class,
) -> Result<(exec_core::ElfmapTarget, elf_stream::Endian, elf_stream::Numbering), Fail> {
    let policy = AnyPolicy::from_cpu(cpu)?;
    let fail = |e: ExecError| Fail::exec(&e, Some(&policy));
    if count > EXECCORE_ELFMAP_MAX_PHDRS {
        let cap = EXECCORE_ELFMAP_MAX_PHDRS as u32;
        return Err(fail(ExecError::TooManyProgramHeaders { count: count as u64, cap }));
    }
    let (target, endian) = policy.elfmap_target(class).map_err(fail)?;
    Ok((target, endian, policy.numbering()))
}

/// A mapping failure numbered by `cpu`'s policy (built again: `from_cpu` succeeded for
/// this `cpu` before the mapping, and is a pure function of it).
#[inline(never)]
fn elfmap_failure(e: &ExecError, cpu: &execcore_cpu) -> Fail {
    Fail::exec(e, AnyPolicy::from_cpu(cpu).ok().as_ref())
}
