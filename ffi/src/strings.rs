//! argv/envp as C arrays of NUL-terminated strings, read in place (no copy, no heap).

use exec_core::StringList;

/// Longest string scanned for its NUL: beyond any per-string limit (32 pages of 64 KiB),
/// so an unterminated string is reported as too long instead of read forever.
const SCAN_LIMIT: usize = (2 << 20) + 2;

/// `count` C strings at `ptr`.
pub struct CStrings {
    pub(crate) ptr: *const *const u8,
    pub(crate) count: usize,
    /// Pointers counted against the argument limit (0: `count`).
    pub(crate) counted: usize,
}

impl StringList for CStrings {
    fn counted_pointers(&self) -> usize {
        match self.counted {
            0 => self.count(),
            n => n,
        }
    }

    fn count(&self) -> usize {
        if self.ptr.is_null() {
            0
        } else {
            self.count
        }
    }

    fn get(&self, index: usize) -> Option<&[u8]> {
        if self.ptr.is_null() || index >= self.count {
            return None;
        }
        // SAFETY: the caller of the execcore_* function guarantees `ptr` points to `count`
        // valid pointers for the duration of the call.
        let s = unsafe { *self.ptr.add(index) };
        if s.is_null() {
            return Some(&[]);
        }
        let mut len = 0usize;
        // SAFETY: each string is NUL-terminated; the scan stops at the NUL or the limit.
        while len < SCAN_LIMIT && unsafe { *s.add(len) } != 0 {
            len = len.saturating_add(1);
        }
        // SAFETY: the `len` bytes before the NUL (or limit) were just read.
        Some(unsafe { core::slice::from_raw_parts(s, len) })
    }
}
