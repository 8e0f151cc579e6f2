//! The entry points that read: versions and statuses, and the facts of a prepared plan
//! (no I/O, no callbacks).

use crate::convert;
use crate::exec::stored;
use crate::fail::{status, Fail};
use crate::ptr::{in_slice, out_mut, out_slice};
use crate::status::{execcore_status, FfiCode, Status};
use crate::types::*;
use core::ffi::c_char;
use exec_core::UserAddr;

/// Returns `EXECCORE_ABI_VERSION` as compiled into the library.
#[no_mangle]
pub extern "C" fn execcore_abi_version() -> u32 {
    EXECCORE_ABI_VERSION
}

/// The errno (asm-generic numbering) for `status` (0 for success and unknown statuses).
#[no_mangle]
pub extern "C" fn execcore_status_errno(status: execcore_status) -> execcore_errno {
    Status::from_code(status).map_or(0, |s| s.errno().0)
}

/// A static NUL-terminated message for `status` ("unknown status" when unknown).
#[no_mangle]
pub extern "C" fn execcore_status_str(status: execcore_status) -> *const c_char {
    Status::from_code(status).map_or(c"unknown status".as_ptr(), |s| s.message_nul().as_ptr().cast())
}

/// Bytes of `execcore_plan` storage (`EXECCORE_PLAN_SIZE`).
#[no_mangle]
pub extern "C" fn execcore_plan_size() -> usize {
    EXECCORE_PLAN_SIZE
}

/// Numbers of mappings and auxv entries in the plan (to size the arrays passed to
/// `execcore_plan_mappings` and `execcore_plan_auxv`).
///
/// # Safety
/// Pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_plan_counts(
    plan: *const execcore_plan,
    out_mappings: *mut usize,
    out_auxv: *mut usize,
) -> execcore_status {
    status(|| {
        // SAFETY: NULL or valid (this function's contract).
        let (s, m, a) = unsafe { (stored(plan)?, out_mut(out_mappings)?, out_mut(out_auxv)?) };
        *m = mapping_count(&s.plan);
        *a = s.plan.auxv.len();
        Ok(())
    })
}

/// How many mappings the plan makes, one image at a time (see `execcore_plan_mappings`).
fn mapping_count<I>(plan: &exec_core::ExecPlan<I>) -> usize {
    plan.images().map(|img| img.mappings().count()).sum()
}

/// Copies the plan's mappings (program then interpreter, lowest first) into `out[0..cap]`
/// and their number into `*out_len`; `EXECCORE_ERR_BUFFER_TOO_SMALL` (nothing written)
/// when `cap` is too small.
///
/// # Safety
/// `out` valid for `cap` elements; other pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_plan_mappings(
    plan: *const execcore_plan,
    out: *mut execcore_mapping,
    cap: usize,
    out_len: *mut usize,
) -> execcore_status {
    status(|| {
        // SAFETY: NULL or valid (this function's contract).
        let (s, len) = unsafe { (stored(plan)?, out_mut(out_len)?) };
        let n = mapping_count(&s.plan);
        if n > cap {
            return Err(FfiCode::BufferTooSmall.into());
        }
        // SAFETY: valid for `cap` elements (this function's contract).
        let out = unsafe { out_slice(out, cap) }.and_then(|o| o.get_mut(..n).ok_or(FfiCode::NullArgument))?;
        // One image's mapping walk at a time: the plan's chained walk keeps both images'
        // page queues on the stack at once (4.4 KiB in all, over the 4 KiB promise).
        let mut slots = out.iter_mut();
        for img in s.plan.images() {
            // Mappings first: `zip` takes a slot only for a mapping that exists.
            for (m, slot) in img.mappings().zip(slots.by_ref()) {
                *slot = convert::mapping(&m);
            }
        }
        *len = n;
        Ok(())
    })
}

/// Copies the auxv (stack order, without AT_NULL) into `out[0..cap]`, its length into
/// `*out_len`.
///
/// # Safety
/// `out` valid for `cap` elements; other pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_plan_auxv(
    plan: *const execcore_plan,
    out: *mut execcore_auxv_entry,
    cap: usize,
    out_len: *mut usize,
) -> execcore_status {
    status(|| {
        // SAFETY: NULL or valid (this function's contract).
        let (s, len) = unsafe { (stored(plan)?, out_mut(out_len)?) };
        let entries = s.plan.auxv.entries();
        if entries.len() > cap {
            return Err(FfiCode::BufferTooSmall.into());
        }
        // SAFETY: valid for `cap` elements (this function's contract).
        let out = unsafe { out_slice(out, cap) }?;
        if out.len() < entries.len() {
            return Err(FfiCode::NullArgument.into());
        }
        for (slot, e) in out.iter_mut().zip(entries) {
            *slot = execcore_auxv_entry { kind: e.kind.0, value: e.value };
        }
        *len = entries.len();
        Ok(())
    })
}

/// Writes `f(plan)` to `*out`: the shape of every single-struct query.
///
/// # Safety
/// Pointers NULL or valid.
unsafe fn query<T>(
    plan: *const execcore_plan,
    out: *mut T,
    f: impl FnOnce(&crate::plan::StoredPlan) -> Result<T, Fail>,
) -> execcore_status {
    status(|| {
        // SAFETY: NULL or valid (this function's contract).
        let (s, out) = unsafe { (stored(plan)?, out_mut(out)?) };
        *out = f(s)?;
        Ok(())
    })
}

/// The layout: biases, entry, sp, brk, stack and mmap area.
///
/// # Safety
/// Pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_plan_layout(
    plan: *const execcore_plan,
    out: *mut execcore_layout,
) -> execcore_status {
    // SAFETY: NULL or valid (this function's contract).
    unsafe { query(plan, out, |s| Ok(convert::layout(s))) }
}

/// The registers the kernel sets at entry.
///
/// # Safety
/// Pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_plan_entry(
    plan: *const execcore_plan,
    out: *mut execcore_entry_state,
) -> execcore_status {
    // SAFETY: NULL or valid (this function's contract).
    unsafe { query(plan, out, |s| Ok(convert::entry_state(s))) }
}

/// The memory requirement.
///
/// # Safety
/// Pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_plan_memory(
    plan: *const execcore_plan,
    out: *mut execcore_memory,
) -> execcore_status {
    // SAFETY: NULL or valid (this function's contract).
    unsafe { query(plan, out, |s| Ok(convert::memory(s))) }
}

/// What the page containing `addr` holds (lazy mode): the file handle, up to 4 pieces
/// of file bytes, the rest zero, and the page's protection. No I/O.
///
/// # Safety
/// Pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_resolve_fault(
    plan: *const execcore_plan,
    addr: u64,
    out_fill: *mut execcore_page_fill,
) -> execcore_status {
    // SAFETY: NULL or valid (this function's contract).
    unsafe {
        query(plan, out_fill, |s| {
            let f = exec_core::resolve_fault(&s.plan, UserAddr(addr)).map_err(|e| Fail::exec(&e, None))?;
            Ok(convert::page_fill(s, &f))
        })
    }
}

/// Scans `len` bytes of text at `text` (a page, or a 4-byte aligned run of one) with the
/// plan's erratum scanner (MIPS: `cvt.s.l`/`cvt.d.l`, in the program's byte order) — what
/// `execcore_load` does itself in eager mode, for kernels that fill `EXECCORE_MAP_TEXT_PATCH`
/// pages themselves (mapped and lazy mode). Writes the byte offsets of the first `cap`
/// hits to `out` and the number of hits to `*out_count` (more than `cap`: call again on a
/// shorter run). A plan without a scanner finds nothing.
///
/// # Safety
/// `text` valid for `len` bytes, `out` for `cap` elements (NULL when `cap` is 0); other
/// pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_text_scan(
    plan: *const execcore_plan,
    text: *const u8,
    len: usize,
    out: *mut u32,
    cap: usize,
    out_count: *mut usize,
) -> execcore_status {
    status(|| {
        // SAFETY: NULL or valid for the lengths given (this function's contract).
        let (s, count, out) = unsafe { (stored(plan)?, out_mut(out_count)?, out_slice(out, cap)?) };
        if text.is_null() {
            return Err(FfiCode::NullArgument.into());
        }
        // SAFETY: non-NULL and valid for `len` bytes (this function's contract).
        let text = unsafe { in_slice(text, len)? };
        *count = s.plan.text_scan.map_or(0, |scan| scan(text, s.plan.main.header.endian, out));
        Ok(())
    })
}
