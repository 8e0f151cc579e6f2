//! Text patching for CPU errata: after an eager load, every page of a mapping marked
//! [`MappingFlags::TEXT_PATCH`] is scanned with the policy's scanner and the kernel's
//! [`AddressSpace::patch_text`] gets the offsets found.
//!
//! The scanner is data the policy puts in the plan ([`ArchPolicy::text_scanner`]), so this
//! module knows no instruction set: it only feeds the scanner the bytes of each page.
//!
//! [`ArchPolicy::text_scanner`]: crate::policy::ArchPolicy::text_scanner

use crate::addr::{MappingFlags, PageSize, UserAddr};
use crate::error::{ExecError, SpaceOp};
use crate::fault::page_fill;
use crate::image::Mapping;
use crate::space::AddressSpace;
use elf_stream::{Endian, ReadAt};

/// Finds the instructions an erratum affects in `text` (a 4-byte aligned run of one page,
/// byte order `endian`): writes the byte offsets of the first `out.len()` of them to `out`
/// in increasing order and returns how many there are in all (MIPS: `arch_mips::find_cvt_l`).
pub type TextScanFn = fn(text: &[u8], endian: Endian, out: &mut [u32]) -> usize;

/// Bytes of a page read and scanned at once (a multiple of 4: windows stay word aligned).
pub const SCAN_WINDOW: usize = 512;

/// Offsets handed to one `patch_text` call; a page with more hits gets several calls, each
/// with increasing offsets.
pub const MAX_PATCH_OFFSETS: usize = 64;

/// Scans every page of `m` (its bytes re-read from `src` in [`SCAN_WINDOW`]-byte windows,
/// the rest of the page zero) and calls `patch_text` for each page with a hit. Returns the
/// number of pages patched. A mapping without the mark is left alone.
// Out of line: its scan window is on the stack only while a page is scanned.
#[inline(never)]
pub fn patch_mapping<A: AddressSpace + ?Sized, S: ReadAt + ?Sized>(
    m: &Mapping,
    page: PageSize,
    endian: Endian,
    scan: TextScanFn,
    src: &S,
    space: &mut A,
) -> Result<u64, ExecError> {
    if !m.flags.contains(MappingFlags::TEXT_PATCH) {
        return Ok(0);
    }
    let mut patched = 0u64;
    let mut at = m.range.start;
    while at < m.range.end {
        if patch_page(m, at, page, endian, scan, src, space)? {
            patched = patched.saturating_add(1);
        }
        at = at.checked_add(page.get()).ok_or(ExecError::NotMapped(at.0))?;
    }
    Ok(patched)
}

/// One page: true when `patch_text` was called for it.
fn patch_page<A: AddressSpace + ?Sized, S: ReadAt + ?Sized>(
    m: &Mapping,
    at: UserAddr,
    page: PageSize,
    endian: Endian,
    scan: TextScanFn,
    src: &S,
    space: &mut A,
) -> Result<bool, ExecError> {
    let fill = page_fill(m, at, page);
    let mut buf = [0u8; SCAN_WINDOW];
    let mut found = [0u32; SCAN_WINDOW / 4];
    let mut pending: heapless::Vec<u32, MAX_PATCH_OFFSETS> = heapless::Vec::new();
    let mut any = false;
    let flush = |pending: &mut heapless::Vec<u32, MAX_PATCH_OFFSETS>, space: &mut A| {
        if pending.is_empty() {
            return Ok(());
        }
        space
            .patch_text(at, pending)
            .map_err(|errno| ExecError::AddressSpace { op: SpaceOp::PatchText, errno })?;
        pending.clear();
        Ok::<(), ExecError>(())
    };
    let mut w = 0u64;
    while w < page.get() {
        let w_end = w.saturating_add(SCAN_WINDOW as u64).min(page.get());
        buf.fill(0);
        for p in fill.pieces() {
            let lo = p.page_offset.max(w);
            let hi = p.page_offset.saturating_add(p.len).min(w_end);
            if lo >= hi {
                continue;
            }
            let dst = buf
                .get_mut(lo.saturating_sub(w) as usize..hi.saturating_sub(w) as usize)
                .ok_or(ExecError::Capacity { what: crate::error::Table::TextScanWindow })?;
            let from = p.file_offset.0.saturating_add(lo.saturating_sub(p.page_offset));
            elf_stream::read_exact_at(src, from, dst).map_err(|e| ExecError::elf(m.role, e))?;
        }
        let text = buf.get(..w_end.saturating_sub(w) as usize).unwrap_or_default();
        let n = scan(text, endian, &mut found);
        for &off in found.iter().take(n) {
            // The window holds at most SCAN_WINDOW / 4 words, so nothing was cut off.
            if pending.is_full() {
                flush(&mut pending, space)?;
            }
            let _ = pending.push((w as u32).saturating_add(off));
            any = true;
        }
        w = w_end;
    }
    flush(&mut pending, space)?;
    Ok(any)
}
