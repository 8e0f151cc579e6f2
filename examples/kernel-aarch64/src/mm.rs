//! Physical pages: the linear map and the page allocator (a free list threaded through
//! the free pages themselves; O(1), with a count so leaks show).

use crate::Global;

/// Where the linear map of physical memory starts (TTBR1).
pub const KVA: u64 = 0xffff_ff80_0000_0000;
/// Page size.
pub const PAGE: u64 = 4096;

/// The kernel virtual address of physical `pa`.
pub fn p2v(pa: u64) -> *mut u8 {
    (pa + KVA) as *mut u8
}

/// The physical address of kernel virtual `va` (linear map or image).
pub fn v2p(va: u64) -> u64 {
    va - KVA
}

/// `len` bytes of physical memory at `pa`, through the linear map.
pub fn p2v_slice(pa: u64, len: u64) -> &'static [u8] {
    // SAFETY: the range is RAM the allocator never hands out (the initramfs), mapped by
    // the kernel's linear map, and never written.
    unsafe { core::slice::from_raw_parts(p2v(pa), len as usize) }
}

/// The page at `pa` as bytes.
#[allow(clippy::mut_from_ref)]
pub fn page_bytes(pa: u64) -> &'static mut [u8; 4096] {
    // SAFETY: `pa` is a page the caller owns (allocated, not shared with a live borrow),
    // mapped by the linear map.
    unsafe { &mut *(p2v(pa & !(PAGE - 1)) as *mut [u8; 4096]) }
}

/// End of the physical memory the kernel's linear map covers (`arch::KERNEL_L1`).
const LINEAR_END: u64 = 4 << 30;

/// Pages of RAM the sharing counts cover (3 GiB, what the kernel map covers).
const MAX_PAGES: usize = 3 << 18;

/// How many address spaces share each page beyond its owner (copy-on-write after fork);
/// indexed by page number from the start of RAM.
static SHARES: Global<[u16; MAX_PAGES]> = Global::new([0; MAX_PAGES]);

fn share_slot(pa: u64) -> &'static mut u16 {
    let i = ((pa - ALLOC.get().ram_start) / PAGE) as usize;
    &mut SHARES.get()[i]
}

/// One more address space maps page `pa` (fork).
pub fn share(pa: u64) {
    *share_slot(pa) += 1;
}

/// Whether page `pa` is mapped by more than one address space.
pub fn is_shared(pa: u64) -> bool {
    *share_slot(pa) > 0
}

/// Drops one mapping of page `pa`: the page is freed with its last one.
pub fn unshare_or_free(pa: u64) {
    let n = share_slot(pa);
    if *n > 0 {
        *n -= 1;
    } else {
        free_page(pa);
    }
}

struct Allocator {
    head: u64,
    free: u64,
    ram_start: u64,
    ram_end: u64,
}

static ALLOC: Global<Allocator> = Global::new(Allocator { head: 0, free: 0, ram_start: 0, ram_end: 0 });

/// Hands RAM `[start, end)` minus `reserved` ranges to the allocator.
pub fn init(start: u64, end: u64, reserved: &[(u64, u64)]) {
    // The linear map (and the share counts) cover physical memory up to 4 GiB: RAM above
    // it (a -m over 3072) stays unused.
    let end = end.min(LINEAR_END);
    let a = ALLOC.get();
    a.ram_start = start;
    a.ram_end = end;
    let mut pa = end - PAGE;
    while pa >= start {
        let taken = reserved.iter().any(|&(s, e)| pa + PAGE > s && pa < e);
        if !taken {
            free_page(pa);
        }
        pa -= PAGE;
    }
}

/// A page, contents undefined.
pub fn alloc_page() -> Option<u64> {
    let a = ALLOC.get();
    if a.head == 0 {
        return None;
    }
    let pa = a.head;
    // SAFETY: a free page holds the next free page's address in its first word.
    a.head = unsafe { core::ptr::read(p2v(pa) as *const u64) };
    a.free -= 1;
    Some(pa)
}

/// A zero-filled page.
pub fn alloc_zeroed() -> Option<u64> {
    let pa = alloc_page()?;
    page_bytes(pa).fill(0);
    Some(pa)
}

/// Returns page `pa` to the allocator.
pub fn free_page(pa: u64) {
    let a = ALLOC.get();
    debug_assert!(pa >= a.ram_start && pa < a.ram_end && pa.is_multiple_of(PAGE));
    // SAFETY: the page is no longer used by anyone: its first word links the list.
    unsafe { core::ptr::write(p2v(pa) as *mut u64, a.head) };
    a.head = pa;
    a.free += 1;
}

/// Free pages now.
pub fn free_pages() -> u64 {
    ALLOC.get().free
}
