//! Where the C ABI's raw pointers become references: nowhere else in the crate. Each
//! function's contract is the one every `execcore_*` function documents for its pointer
//! arguments: NULL, or valid for the access and for the duration of the call, not aliased
//! by another argument that is written.

use crate::status::FfiCode;

/// `p` as a shared reference; NULL is `EXECCORE_ERR_NULL_ARGUMENT`.
///
/// # Safety
/// `p` is NULL or points to a valid, readable `T` that nothing writes during `'a`.
pub(crate) unsafe fn in_ref<'a, T>(p: *const T) -> Result<&'a T, FfiCode> {
    // SAFETY: NULL or valid and unaliased for 'a (the caller's contract).
    unsafe { p.as_ref() }.ok_or(FfiCode::NullArgument)
}

/// `p` as an exclusive reference; NULL is `EXECCORE_ERR_NULL_ARGUMENT`.
///
/// # Safety
/// `p` is NULL or points to a writable `T`, initialised (every C out-type of this crate
/// is plain integers, for which any bytes are a value) and accessed by nothing else
/// during `'a`.
pub(crate) unsafe fn out_mut<'a, T>(p: *mut T) -> Result<&'a mut T, FfiCode> {
    // SAFETY: NULL or valid and exclusive for 'a (the caller's contract).
    unsafe { p.as_mut() }.ok_or(FfiCode::NullArgument)
}

/// `len` elements at `p` as a writable slice; NULL is allowed only when `len` is 0.
///
/// # Safety
/// `p` is NULL or valid for `len` writable `T`s (plain integers), accessed by nothing
/// else during `'a`.
pub(crate) unsafe fn out_slice<'a, T>(p: *mut T, len: usize) -> Result<&'a mut [T], FfiCode> {
    if len == 0 {
        return Ok(&mut []);
    }
    if p.is_null() {
        return Err(FfiCode::NullArgument);
    }
    // SAFETY: non-NULL, valid for `len` writable elements and exclusive (the caller's contract).
    Ok(unsafe { core::slice::from_raw_parts_mut(p, len) })
}

/// `len` elements at `p` as a slice; NULL is allowed only when `len` is 0.
///
/// # Safety
/// `p` is NULL or valid for `len` readable `T`s that nothing writes during `'a`.
pub(crate) unsafe fn in_slice<'a, T>(p: *const T, len: usize) -> Result<&'a [T], FfiCode> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(FfiCode::NullArgument);
    }
    // SAFETY: non-NULL and valid for `len` readable elements (the caller's contract).
    Ok(unsafe { core::slice::from_raw_parts(p, len) })
}
