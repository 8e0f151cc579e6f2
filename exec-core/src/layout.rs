//! Where things go: stack top, mmap base, load biases and brk, as Linux computes them,
//! for any address window.

use crate::addr::{AddrRange, PageSize, UserAddr};
use crate::error::ExecError;
use crate::image::Image;
use crate::params::{Randomize, StackLimit};
use crate::policy::{Layout, StaticPieAlign};

/// Linux's minimum gap between the stack top and the mmap base (128 MiB).
const MIN_GAP: u64 = 128 << 20;

/// The mmap area as the new process starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MmapArea {
    /// `mmap_base`: top of the top-down area (legacy layout: bottom of the bottom-up area).
    pub base: UserAddr,
    /// Free range where later mappings go (top-down from its end, or bottom-up from its start).
    pub free: AddrRange,
    /// Whether later mappings grow down from `free.end` (false: legacy bottom-up).
    pub top_down: bool,
}

/// Random draws for one exec's layout (all zero when ASLR is off).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LayoutRandom {
    /// Pages subtracted from the stack top.
    pub stack_pages: u64,
    /// Pages subtracted from the mmap base (and added to the PIE base).
    pub mmap_pages: u64,
    /// Pages added to the PIE base.
    pub pie_pages: u64,
    /// Raw value for the brk offset.
    pub brk: u64,
    /// Bytes subtracted from the stack pointer before alignment (`arch_align_stack`).
    pub sp_jitter: u64,
}

impl LayoutRandom {
    /// Draws from 40 random bytes according to `layout`'s widths.
    pub fn from_bytes(bytes: &[u8; 40], layout: &Layout, page: PageSize) -> LayoutRandom {
        let word = |i: usize| {
            let mut w = [0u8; 8];
            if let Some(src) = bytes.get(i..i.saturating_add(8)) {
                w.copy_from_slice(src);
            }
            u64::from_le_bytes(w)
        };
        let mask = |bits: u32| if bits >= 64 { u64::MAX } else { (1u64 << bits).wrapping_sub(1) };
        LayoutRandom {
            stack_pages: word(0) & mask(layout.stack_rnd_bits),
            mmap_pages: word(8) & mask(layout.mmap_rnd_bits),
            pie_pages: word(16) & mask(layout.mmap_rnd_bits),
            brk: word(24),
            sp_jitter: page.offset(word(32)),
        }
    }
}

/// Stack top after randomisation (`randomize_stack_top`).
pub fn stack_top(layout: &Layout, page: PageSize, rnd: &LayoutRandom) -> UserAddr {
    let top = page.down(layout.stack_top.0);
    UserAddr(top.saturating_sub(rnd.stack_pages.saturating_mul(page.get())))
}

/// `mmap_base`: top-down below the stack gap (`gap = clamp(rlimit + guard + stack
/// randomisation, 128 MiB, 5/6 of STACK_TOP)`), or the legacy base when `legacy`.
pub fn mmap_base(
    layout: &Layout,
    page: PageSize,
    limit: StackLimit,
    legacy: bool,
    randomize: Randomize,
    rnd: &LayoutRandom,
) -> UserAddr {
    let rnd_bytes = rnd.mmap_pages.saturating_mul(page.get());
    if legacy {
        return UserAddr(layout.legacy_mmap_base.0.saturating_add(rnd_bytes));
    }
    let rlim = match limit {
        StackLimit::Bytes(b) => b,
        StackLimit::Unlimited => u64::MAX,
    };
    let stack_random = match randomize {
        Randomize::On => {
            let mask = 1u64.checked_shl(layout.stack_rnd_bits).map_or(u64::MAX, |m| m.wrapping_sub(1));
            mask.saturating_mul(page.get())
        }
        Randomize::Off => 0,
    };
    let pad = layout.stack_guard_gap.saturating_add(stack_random);
    // Linux adds the pad only when it does not overflow (RLIM_INFINITY).
    let gap = rlim.checked_add(pad).unwrap_or(rlim);
    // mm/util.c's MAX_GAP is STACK_TOP / 6 * 5 (x86's own mmap_base uses TASK_SIZE, which
    // equals its STACK_TOP): riscv sv57's TASK_SIZE is 512 times its stack top.
    let max_gap = (layout.stack_top.0 / 6).saturating_mul(5);
    let gap = gap.max(MIN_GAP).min(max_gap);
    let base = layout.stack_top.0.saturating_sub(gap).saturating_sub(rnd_bytes);
    UserAddr(page.up(base).unwrap_or(base))
}

/// Allocation state of the mmap area while placing images.
#[derive(Clone, Copy, Debug)]
pub struct MmapAllocator {
    /// The area.
    pub area: MmapArea,
    page: PageSize,
}

impl MmapAllocator {
    /// An allocator over `[min, base)` (top-down) or `[base, stack_floor)` (bottom-up).
    pub fn new(base: UserAddr, min: UserAddr, stack_floor: UserAddr, top_down: bool, page: PageSize) -> Self {
        let free = if top_down { AddrRange::new(min, base) } else { AddrRange::new(base, stack_floor) };
        MmapAllocator { area: MmapArea { base, free, top_down }, page }
    }

    /// Places `size` bytes aligned to `align` where `mmap(NULL, size)` would, avoiding
    /// `taken`; shrinks the free range accordingly.
    pub fn allocate(&mut self, size: u64, align: u64, taken: &[AddrRange]) -> Result<UserAddr, ExecError> {
        let none = ExecError::NoSpace { what: crate::error::Placement::MmapArea };
        let size = self.page.up(size).ok_or(none)?;
        let mask = !(align.max(self.page.get()).wrapping_sub(1));
        let free = self.area.free;
        if self.area.top_down {
            let mut end = free.end.0;
            loop {
                let start = end.checked_sub(size).ok_or(none)? & mask;
                if start < free.start.0 {
                    return Err(none);
                }
                let candidate = AddrRange::new(UserAddr(start), UserAddr(start.saturating_add(size)));
                match taken.iter().find(|t| !t.is_empty() && t.overlaps(&candidate)) {
                    Some(t) => end = t.start.0,
                    None => {
                        self.area.free.end = UserAddr(start);
                        return Ok(UserAddr(start));
                    }
                }
            }
        } else {
            let mut start = free.start.0;
            loop {
                let aligned = start.checked_add(!mask).ok_or(none)? & mask;
                let end = aligned.checked_add(size).ok_or(none)?;
                if end > free.end.0 {
                    return Err(none);
                }
                let candidate = AddrRange::new(UserAddr(aligned), UserAddr(end));
                match taken.iter().find(|t| !t.is_empty() && t.overlaps(&candidate)) {
                    Some(t) => start = t.end.0,
                    None => {
                        self.area.free.start = UserAddr(end);
                        return Ok(UserAddr(aligned));
                    }
                }
            }
        }
    }
}

impl MmapAllocator {
    /// [`MmapAllocator::allocate`] for a file mapping at file offset `offset` placed by
    /// `thp_get_unmapped_area` (Linux ≥ 5.18, 64-bit): when the mapping covers a whole
    /// `huge` unit past the offset rounded up, `size + huge` is found and the mapping
    /// placed inside it congruent to `offset` modulo `huge` (top-down: one unit up when
    /// the found start already is).
    pub fn allocate_huge(
        &mut self,
        size: u64,
        offset: u64,
        huge: u64,
        align: u64,
        taken: &[AddrRange],
    ) -> Result<UserAddr, ExecError> {
        let none = ExecError::NoSpace { what: crate::error::Placement::MmapArea };
        let len = self.page.up(size).ok_or(none)?;
        let mask = huge.wrapping_sub(1);
        let off_align = offset.checked_add(mask).map(|o| o & !mask);
        let covers = match (offset.checked_add(len), off_align) {
            (Some(end), Some(a)) => end.checked_sub(a).is_some_and(|d| d >= huge),
            _ => false,
        };
        let Some(padded) = len.checked_add(huge).filter(|_| covers) else {
            return self.allocate(size, align, taken);
        };
        let saved = self.area;
        let Ok(ret) = self.allocate(padded, self.page.get(), taken) else {
            // Linux retries without the padding.
            self.area = saved;
            return self.allocate(size, align, taken);
        };
        let off_sub = offset.wrapping_sub(ret.0) & mask;
        // Inside the padded range: ret + off_sub < ret + huge <= ret + len + huge.
        let start = if self.area.top_down && off_sub == 0 {
            ret.0.saturating_add(huge)
        } else {
            ret.0.saturating_add(off_sub)
        };
        let start = start & !(align.max(self.page.get()).wrapping_sub(1));
        if self.area.top_down {
            self.area.free.end = UserAddr(start);
        } else {
            self.area.free.start = UserAddr(start.saturating_add(len));
        }
        Ok(UserAddr(start))
    }
}

/// Bias of an ET_DYN program with an interpreter: `ELF_ET_DYN_BASE` (+ randomisation)
/// aligned down to the largest PT_LOAD alignment, relative to the first PT_LOAD.
pub fn pie_bias(layout: &Layout, image: &Image, rnd: &LayoutRandom) -> u64 {
    let page = image.page;
    let base = layout.et_dyn_base.0.saturating_add(rnd.pie_pages.saturating_mul(page.get()));
    let base = base & !(image.max_align.wrapping_sub(1));
    page.down(base.wrapping_sub(image.first_vaddr.0))
}

/// Bias of an image placed in the mmap area (interpreter, static-pie): where `mmap(NULL,
/// total_size)` lands, relative to the first PT_LOAD's page.
pub fn mmap_bias(
    alloc: &mut MmapAllocator,
    layout: &Layout,
    image: &Image,
    honour_align: bool,
    taken: &[AddrRange],
) -> Result<u64, ExecError> {
    mmap_bias_placed(alloc, layout, image, honour_align, 0, 0, taken)
}

/// [`mmap_bias`] with the mapping also aligned to `colour` (MIPS cache colouring of file
/// mappings, [`ArchPolicy::mmap_colour`](crate::policy::ArchPolicy::mmap_colour); 0 for
/// none) and, when `huge` is a huge page size, placed as `thp_get_unmapped_area` does.
///
/// When the first PT_LOAD (table order) maps nothing from the file, Linux's first
/// `elf_load` maps nothing either: the bias stays `ELF_PAGESTART(0 - first p_vaddr)`
/// wherever that puts the image (the placement checks then refuse what Linux would fail
/// to map below `mmap_min_addr` or past `TASK_SIZE`).
pub fn mmap_bias_placed(
    alloc: &mut MmapAllocator,
    layout: &Layout,
    image: &Image,
    honour_align: bool,
    colour: u64,
    huge: u64,
    taken: &[AddrRange],
) -> Result<u64, ExecError> {
    let page = image.page;
    let first = image.first_vaddr.0;
    let first_page = page.down(first);
    if let Some(load) = image.first_load() {
        if !image.loader().maps_file(&load.ph, page) {
            // load_bias = ELF_PAGESTART(0 - p_vaddr), which nothing moves.
            return Ok(page.down(0u64.wrapping_sub(first)));
        }
    }
    // A static-pie asking for more than a page (6.10's rule): Linux maps the whole span
    // at "0" to find a place, unmaps it, aligns the address it got and takes
    // ELF_PAGESTART(aligned - first p_vaddr) as the bias.
    let aligned = honour_align
        && layout.static_pie_align == StaticPieAlign::HonouredSince6_10
        && image.max_align > page.get();
    let align = if aligned { image.max_align } else { page.get() };
    let align = if colour.is_power_of_two() { align.max(colour) } else { align };
    let offset = image.first_load().map_or(0, |s| s.ph.offset.0.wrapping_sub(page.offset(s.ph.vaddr.0)));
    let at = if huge.is_power_of_two() && huge > page.get() {
        alloc.allocate_huge(image.total_size(), offset, huge, align, taken)?
    } else {
        alloc.allocate(image.total_size(), align, taken)?
    };
    if aligned {
        // The first PT_LOAD (table order) lands at ELF_PAGESTART(bias + p_vaddr): one page
        // below the address found when p_vaddr is not page aligned.
        return Ok(page.down(at.0.wrapping_sub(first)));
    }
    // Otherwise the first PT_LOAD (table order) is mapped at the address found.
    Ok(at.0.wrapping_sub(first_page))
}

/// `start_brk`: after the program's highest segment, or — for a program run without
/// interpreter as ET_DYN (static-pie, ld.so) — at `ELF_ET_DYN_BASE`; randomised with ASLR.
pub fn brk(layout: &Layout, main: &Image, moved: bool, randomize: Randomize, rnd: &LayoutRandom) -> UserAddr {
    let page = main.page;
    let raw = if moved { layout.et_dyn_base.0 } else { main.brk_end().0 };
    let mut brk = page.up(raw).unwrap_or(raw);
    if randomize == Randomize::On && layout.brk_rnd_range > 0 {
        if !moved {
            brk = brk.saturating_add(page.get());
        }
        let pages = layout.brk_rnd_range.checked_div(page.get()).unwrap_or(0);
        if pages > 0 {
            brk = brk.saturating_add(rnd.brk.checked_rem(pages).unwrap_or(0).saturating_mul(page.get()));
        }
    }
    UserAddr(brk)
}
