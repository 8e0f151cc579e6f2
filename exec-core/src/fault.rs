//! The fault resolver: what a page of a lazily loaded image holds.

use crate::addr::{MappingFlags, PageSize, Prot, UserAddr};
use crate::error::ExecError;
use crate::image::{Content, Mapping, Piece, MAX_PIECES};
use crate::plan::ExecPlan;
use crate::policy::Role;
use elf_stream::FileOffset;

/// The contents of one page: file pieces, the rest zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageFill {
    /// The page's address.
    pub page: UserAddr,
    /// Its protection.
    pub prot: Prot,
    /// Its marks (text that needs patching before it may run).
    pub flags: MappingFlags,
    /// Whose file the pieces come from.
    pub role: Role,
    /// File bytes placed in the page (only the first `count` are used).
    pub pieces: [Piece; MAX_PIECES],
    /// How many pieces.
    pub count: u8,
}

impl PageFill {
    /// The pieces in use.
    pub fn pieces(&self) -> &[Piece] {
        self.pieces.get(..usize::from(self.count)).unwrap_or_default()
    }
}

/// What the page containing `addr` holds, for a demand-paging kernel: no I/O, no heap.
/// An address outside every mapping of the plan is [`ExecError::NotMapped`] (EFAULT).
/// A page of a mapping marked [`MappingFlags::TEXT_PATCH`] carries the mark: the kernel
/// scans it (the policy's [`ExecPlan::text_scan`]) once filled, before it may run.
pub fn resolve_fault<I>(plan: &ExecPlan<I>, addr: UserAddr) -> Result<PageFill, ExecError> {
    let page_size = plan.main.page;
    let m = plan.mappings().find(|m| m.range.contains(addr)).ok_or(ExecError::NotMapped(addr.0))?;
    Ok(page_fill(&m, UserAddr(page_size.down(addr.0)), page_size))
}

/// The contents of `page` (page aligned, inside `m`).
pub(crate) fn page_fill(m: &Mapping, page: UserAddr, page_size: PageSize) -> PageFill {
    let mut fill = PageFill {
        page,
        prot: m.prot,
        flags: m.flags,
        role: m.role,
        pieces: [Piece::default(); MAX_PIECES],
        count: 0,
    };
    match m.content {
        Content::Zero => {}
        Content::File { offset, bytes } => {
            let rel = page.0.saturating_sub(m.range.start.0);
            if rel < bytes {
                if let Some(first) = fill.pieces.first_mut() {
                    *first = Piece {
                        page_offset: 0,
                        file_offset: FileOffset(offset.0.saturating_add(rel)),
                        len: bytes.saturating_sub(rel).min(page_size.get()),
                    };
                    fill.count = 1;
                }
            }
        }
    }
    fill
}
