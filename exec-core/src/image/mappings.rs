//! An image's page-level mappings, as Linux's `elf_load` leaves them: each PT_LOAD, in
//! program header order, maps its file pages (`elf_map`) and then its bss pages
//! (`vm_brk_flags`), each replacing whatever an earlier segment put on those pages. The
//! result is a sorted list of disjoint runs, each from one segment's file or anonymous.

use super::{Image, LoadSegment};
use crate::addr::{AddrRange, MappingFlags, Prot};
use crate::policy::Role;
use elf_stream::FileOffset;

/// Pieces a page can be assembled from in a [`PageFill`](crate::fault::PageFill) (a page
/// of a plan has at most one: each page comes from one segment).
pub const MAX_PIECES: usize = 4;

/// File bytes placed into part of a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Piece {
    /// Offset inside the page.
    pub page_offset: u64,
    /// Where the bytes are in the file.
    pub file_offset: FileOffset,
    /// How many bytes.
    pub len: u64,
}

/// What a mapping holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
    /// File bytes from `offset` (page aligned, for the mapping's first page) for `bytes`
    /// bytes; the rest of the mapping is zero. Can be a private file mapping.
    File {
        /// File offset of the mapping's first byte.
        offset: FileOffset,
        /// Valid file bytes from the mapping's start (at most its length).
        bytes: u64,
    },
    /// Zero-filled anonymous memory (bss).
    Zero,
}

/// A page-aligned run of the new address space and what goes there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// Addresses (page aligned).
    pub range: AddrRange,
    /// Protection.
    pub prot: Prot,
    /// Marks.
    pub flags: MappingFlags,
    /// Contents.
    pub content: Content,
    /// Which image.
    pub role: Role,
}

/// Which part of a segment a layer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    /// Its file pages (`elf_map`).
    File,
    /// Its bss pages (`vm_brk_flags`).
    Bss,
}

/// One segment's file pages or bss pages, unbiased: `[start, end)`.
#[derive(Clone, Copy, Debug)]
struct Layer {
    start: u64,
    end: u64,
    part: Part,
}

/// Iterator over an image's mappings (see [`Image::mappings`]).
pub struct Mappings<'a> {
    image: &'a Image,
    /// Unbiased address where the next mapping may start.
    cur: u64,
}

impl<'a> Mappings<'a> {
    pub(super) fn new(image: &'a Image) -> Self {
        Mappings { image, cur: image.min_vaddr() }
    }

    /// The file and bss layers of segment `s`, in mapping order (`None` where it maps
    /// nothing).
    fn layers(&self, s: &LoadSegment) -> [Option<Layer>; 2] {
        let img = self.image;
        let page = img.page;
        let v = s.ph.vaddr.0;
        let maps_file = img.loader().maps_file(&s.ph, page);
        // elf_map: p_filesz plus p_vaddr's page offset, in whole pages.
        let file_end = page.up(v.saturating_add(s.ph.filesz)).unwrap_or(u64::MAX);
        let file = maps_file.then_some(Layer { start: page.down(v), end: file_end, part: Part::File });
        // vm_brk_flags from the first page past the file pages; a segment mapping no
        // file page is anonymous from its first page (6.7's elf_load).
        let bss = (s.ph.memsz > s.ph.filesz).then(|| Layer {
            start: if maps_file { file_end } else { page.down(v) },
            end: page.up(v.saturating_add(s.ph.memsz)).unwrap_or(u64::MAX),
            part: Part::Bss,
        });
        [file, bss].map(|l| l.filter(|l| l.end > l.start))
    }

    /// The mapping of the run from `at` covered by `top` (segment `s`), ending at `end`.
    fn run(&self, s: &LoadSegment, top: Layer, at: u64, end: u64) -> Mapping {
        let img = self.image;
        let page = img.page;
        let range = AddrRange::new(img.at(at), img.at(end));
        let (prot, flags, content) = match top.part {
            Part::Bss => (s.bss_prot(img.exec_on_read), MappingFlags::NONE, Content::Zero),
            Part::File => {
                let v = s.ph.vaddr.0;
                let file_start = s.ph.offset.0.wrapping_sub(page.offset(v));
                let offset = file_start.wrapping_add(at.wrapping_sub(top.start));
                // padzero: the bytes past p_filesz in the last file page are zeroed when
                // bss follows and the page is writable; otherwise the file's bytes stay
                // (up to the end of the file: a source that does not know its size gets
                // zeros past p_filesz, never a read past the end).
                let zeroed = s.ph.memsz > s.ph.filesz && s.prot.contains(Prot::WRITE);
                let valid_end =
                    if zeroed || img.file_size.is_none() { v.saturating_add(s.ph.filesz) } else { top.end };
                let mut bytes = valid_end.min(end).saturating_sub(at);
                if let Some(size) = img.file_size {
                    bytes = bytes.min(size.saturating_sub(offset));
                }
                let content = if bytes == 0 {
                    Content::Zero
                } else {
                    Content::File { offset: FileOffset(offset), bytes }
                };
                (s.prot, s.flags, content)
            }
        };
        Mapping { range, prot, flags, content, role: img.role }
    }
}

impl Iterator for Mappings<'_> {
    type Item = Mapping;

    fn next(&mut self) -> Option<Mapping> {
        let loads: &[LoadSegment] = &self.image.loads;
        loop {
            let cur = self.cur;
            // One pass over the layers in mapping order: the last one over `cur` holds it
            // and its run ends where it ends or where a later layer starts; with none over
            // `cur`, a hole up to the nearest layer start.
            let mut top: Option<(&LoadSegment, Layer)> = None;
            let mut later_start = u64::MAX; // nearest start past `cur` after `top`
            let mut next_start: Option<u64> = None; // nearest start past `cur` of any layer
            for s in loads {
                for l in self.layers(s).into_iter().flatten() {
                    if l.start <= cur && cur < l.end {
                        top = Some((s, l));
                        later_start = u64::MAX;
                    } else if l.start > cur {
                        later_start = later_start.min(l.start);
                        next_start = Some(next_start.map_or(l.start, |n| n.min(l.start)));
                    }
                }
            }
            let Some((s, top)) = top else {
                self.cur = next_start?;
                continue;
            };
            let end = top.end.min(later_start);
            self.cur = end;
            return Some(self.run(s, top, cur, end));
        }
    }
}
