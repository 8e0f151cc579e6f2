//! A global allocator that counts allocations, for tests that prove "zero heap".
//!
//! Install it in one integration test binary:
//! `#[global_allocator] static A: CountingAllocator = CountingAllocator::new();`

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

thread_local! {
    // Only the measuring thread counts; the test harness's own threads do not.
    static TRACKING: Cell<bool> = const { Cell::new(false) };
}

/// Counts allocations made by the current thread while tracking is on.
pub struct CountingAllocator {
    allocations: AtomicUsize,
    bytes: AtomicUsize,
}

impl CountingAllocator {
    /// A counter at zero.
    pub const fn new() -> Self {
        Self { allocations: AtomicUsize::new(0), bytes: AtomicUsize::new(0) }
    }

    /// Runs `f` with counting on for this thread and returns (result, allocations, bytes).
    pub fn measure<T>(&self, f: impl FnOnce() -> T) -> (T, usize, usize) {
        let a0 = self.allocations.load(Ordering::SeqCst);
        let b0 = self.bytes.load(Ordering::SeqCst);
        TRACKING.with(|t| t.set(true));
        let out = f();
        TRACKING.with(|t| t.set(false));
        let a = self.allocations.load(Ordering::SeqCst) - a0;
        let b = self.bytes.load(Ordering::SeqCst) - b0;
        (out, a, b)
    }

    fn note(&self, size: usize) {
        // `try_with` because the thread-local may be gone during thread teardown.
        if TRACKING.try_with(|t| t.get()).unwrap_or(false) {
            self.allocations.fetch_add(1, Ordering::SeqCst);
            self.bytes.fetch_add(size, Ordering::SeqCst);
        }
    }
}

impl Default for CountingAllocator {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every method forwards to `System` unchanged; counting has no effect on the
// memory handed out.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.note(layout.size());
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.note(layout.size());
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.note(new_size);
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
