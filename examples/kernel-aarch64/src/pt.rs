//! A process's translation tables (TTBR0, 4 KiB granule, four levels, 48-bit VA).

use crate::mm::{self, PAGE};
use elf_stream::Errno;

// Descriptor bits (the kernel's own block map in arch.rs uses the shared ones too).
const VALID: u64 = 1;
const TABLE: u64 = 0b11;
const ADDR_MASK: u64 = 0x0000_ffff_ffff_f000;
/// Access flag.
pub const AF: u64 = 1 << 10;
const NG: u64 = 1 << 11;
/// Inner shareable.
pub const SH_INNER: u64 = 3 << 8;
/// MAIR attribute 1: normal memory.
pub const ATTR_NORMAL: u64 = 1 << 2;
const AP_EL0_RW: u64 = 1 << 6;
const AP_RO: u64 = 3 << 6;
/// Privileged execute-never.
pub const PXN: u64 = 1 << 53;
/// Unprivileged execute-never.
pub const UXN: u64 = 1 << 54;
/// FEAT_BTI guarded page: indirect branches into it must land on a BTI instruction.
const GP: u64 = 1 << 50;
/// Software bit: the page is not the process's own (an initramfs page mapped in place):
/// never freed, copied before anyone writes it.
pub const BORROWED: u64 = 1 << 55;

/// Software bit: the page is shared copy-on-write with another address space (after
/// fork); it is mapped read-only whatever its region allows, and a write copies it.
pub const COW: u64 = 1 << 56;

/// Protection bits (exec-core's `Prot` values).
pub const R: u32 = 1;
/// Writable.
pub const W: u32 = 2;
/// Executable.
pub const X: u32 = 4;
/// Guarded (BTI).
pub const BTI: u32 = 8;

/// The leaf attributes for `prot`. A page without access stays valid but EL1-only, so
/// EL0 gets a permission fault.
pub fn leaf_attrs(prot: u32) -> u64 {
    let mut a = TABLE | AF | NG | SH_INNER | ATTR_NORMAL | PXN;
    if prot & (R | W | X) == 0 {
        return a | UXN;
    }
    a |= if prot & W != 0 { AP_EL0_RW } else { AP_RO };
    if prot & X == 0 {
        a |= UXN;
    } else if prot & BTI != 0 && crate::arch::FEATURES.get().bti {
        a |= GP;
    }
    a
}

/// `entry` made copy-on-write: no write access at any level (AP 01 becomes 11, 00
/// becomes 10: EL0 keeps exactly its read access) and the COW mark.
pub fn cow_attrs(entry: u64) -> u64 {
    let ap = match entry & (3 << 6) {
        0 => 2 << 6,
        AP_EL0_RW => AP_RO,
        other => other,
    };
    (entry & !(3 << 6)) | ap | COW
}

/// Physical page of a leaf entry.
pub fn pte_addr(pte: u64) -> u64 {
    pte & ADDR_MASK
}

/// A process's level-0 table (physical address).
pub struct PageTable {
    pub root: u64,
}

fn entries(table_pa: u64) -> &'static mut [u64; 512] {
    // SAFETY: table pages are owned by this page table and reached through the linear map.
    unsafe { &mut *(mm::p2v(table_pa) as *mut [u64; 512]) }
}

fn index(va: u64, level: u32) -> usize {
    ((va >> (39 - 9 * level)) & 511) as usize
}

impl PageTable {
    /// An empty table.
    pub fn new() -> Option<PageTable> {
        Some(PageTable { root: mm::alloc_zeroed()? })
    }

    /// The level-3 entry of `va`, creating the intermediate tables when `create`.
    pub fn entry(&self, va: u64, create: bool) -> Option<&'static mut u64> {
        let mut table = self.root;
        for level in 0..3 {
            let e = &mut entries(table)[index(va, level)];
            if *e & VALID == 0 {
                if !create {
                    return None;
                }
                *e = mm::alloc_zeroed()? | TABLE;
            }
            table = *e & ADDR_MASK;
        }
        Some(&mut entries(table)[index(va, 3)])
    }

    /// The leaf entry of `va`, if a page is mapped.
    pub fn lookup(&self, va: u64) -> Option<u64> {
        self.entry(va, false).map(|e| *e).filter(|e| e & VALID != 0)
    }

    /// Maps page `pa` at `va` with `attrs` (leaf attributes, plus `BORROWED`).
    pub fn map(&mut self, va: u64, pa: u64, attrs: u64) -> Result<(), Errno> {
        let e = self.entry(va, true).ok_or(Errno::ENOMEM)?;
        if *e & VALID != 0 {
            release(*e);
        }
        *e = pa | attrs;
        Ok(())
    }

    /// Calls `f(va, entry)` for every mapped page in `[start, end)`.
    pub fn for_each(&self, start: u64, end: u64, f: &mut dyn FnMut(u64, &mut u64)) {
        walk(self.root, 0, 0, start, end, f);
    }

    /// A copy for `fork`: every private page is shared copy-on-write (read-only in both
    /// address spaces until one writes it), borrowed initramfs pages are shared as they are.
    pub fn duplicate(&mut self) -> Result<PageTable, Errno> {
        let copy = PageTable::new().ok_or(Errno::ENOMEM)?;
        let mut result = Ok(());
        self.for_each(0, 1 << 48, &mut |va, e| {
            if result.is_err() {
                return;
            }
            if *e & BORROWED == 0 {
                *e = cow_attrs(*e);
                mm::share(pte_addr(*e));
            }
            let entry = *e;
            match copy.entry(va, true) {
                Some(slot) => *slot = entry,
                None => {
                    if entry & BORROWED == 0 {
                        mm::unshare_or_free(pte_addr(entry));
                    }
                    result = Err(Errno::ENOMEM);
                }
            }
        });
        crate::arch::flush_tlb();
        match result {
            Ok(()) => Ok(copy),
            Err(e) => {
                copy.destroy();
                Err(e)
            }
        }
    }

    /// Frees every page and table.
    pub fn destroy(self) {
        free_table(self.root, 0);
    }
}

fn release(pte: u64) {
    if pte & BORROWED == 0 {
        mm::unshare_or_free(pte_addr(pte));
    }
}

fn walk(table: u64, level: u32, base: u64, start: u64, end: u64, f: &mut dyn FnMut(u64, &mut u64)) {
    let span = 1u64 << (39 - 9 * level);
    for (i, e) in entries(table).iter_mut().enumerate() {
        let va = base + i as u64 * span;
        if va >= end || va + span <= start || *e & VALID == 0 {
            continue;
        }
        if level == 3 {
            f(va, e);
        } else {
            walk(*e & ADDR_MASK, level + 1, va, start, end, f);
        }
    }
}

fn free_table(table: u64, level: u32) {
    for e in entries(table).iter() {
        if *e & VALID == 0 {
            continue;
        }
        if level == 3 {
            release(*e);
        } else {
            free_table(*e & ADDR_MASK, level + 1);
        }
    }
    mm::free_page(table);
}

/// Page-aligned bounds.
pub fn page_down(v: u64) -> u64 {
    v & !(PAGE - 1)
}

/// `v` rounded up to a page.
pub fn page_up(v: u64) -> u64 {
    v.saturating_add(PAGE - 1) & !(PAGE - 1)
}

impl PageTable {
    /// Unmaps every page in `[start, end)` (freeing the process's own pages).
    pub fn unmap_range(&mut self, start: u64, end: u64) {
        self.for_each(start, end, &mut |_, e| {
            release(*e);
            *e = 0;
        });
    }
}
