//! One loaded image (the program or its interpreter): its validated PT_LOADs, its bias,
//! and the page-level mappings they produce.

use crate::addr::{AddrRange, MappingFlags, PageSize, Prot, UserAddr};
use crate::error::ExecError;
use crate::host::FileId;
use crate::policy::Role;
use elf_stream::{ElfFile, FileHeader, FileOffset, FileRange, ProgramHeader, ProgramType, ReadAt, VirtAddr};

/// PT_LOADs per image (real programs have 2 to 5).
pub const MAX_LOADS: usize = 16;
/// Segments that may share one page (each contributes a piece of it).
pub const MAX_PIECES: usize = 4;

/// A validated PT_LOAD with the protection the arch gave it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadSegment {
    /// The program header.
    pub ph: ProgramHeader,
    /// Protection after the arch's adjustment (BTI...).
    pub prot: Prot,
    /// Marks (text needing patches...).
    pub flags: MappingFlags,
}

/// What PT_PHDR says compared with the address Linux computes for AT_PHDR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhdrCheck {
    /// No PT_PHDR.
    Absent,
    /// PT_PHDR's `p_vaddr` equals the computed address.
    Agrees,
    /// PT_PHDR disagrees: its `p_vaddr` (unbiased). Linux ignores PT_PHDR; so do we.
    Disagrees(VirtAddr),
}

/// An image of the exec: validated segments, bias and derived addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// Program or interpreter.
    pub role: Role,
    /// Its file header.
    pub header: FileHeader,
    /// Program header count (PN_XNUM resolved).
    pub phnum: u32,
    /// Load bias: added to every `p_vaddr` (0 for ET_EXEC).
    pub bias: u64,
    /// PT_LOADs sorted by address.
    pub loads: heapless::Vec<LoadSegment, MAX_LOADS>,
    /// `p_vaddr` of the first PT_LOAD in table order (Linux biases relative to it).
    pub first_vaddr: VirtAddr,
    /// Largest power-of-two PT_LOAD `p_align`, at least a page (`maximum_alignment`).
    pub max_align: u64,
    /// Where the PT_LOAD covering `e_phoff` puts the table (unbiased), if one does.
    pub phdr_vaddr: Option<VirtAddr>,
    /// PT_PHDR against the computed address.
    pub phdr_check: PhdrCheck,
    /// PT_GNU_STACK: `Some(true)` asks for an executable stack, `None` when absent.
    pub exec_stack: Option<bool>,
    /// The file's identity, when the host gave one.
    pub id: Option<FileId>,
    /// Page size the image was validated for.
    pub page: PageSize,
}

impl Image {
    /// Reads and validates the PT_LOADs and the headers exec needs; the bias is 0 until
    /// the layout places the image. `adjust` gives each segment its protection.
    pub fn scan<R: ReadAt, const W: usize>(
        file: &ElfFile<R, W>,
        role: Role,
        page: PageSize,
        adjust: impl FnMut(Prot) -> (Prot, MappingFlags),
    ) -> Result<Image, ExecError> {
        let mut img = Image::empty(role, *file.header(), file.phnum(), page);
        img.fill(file, adjust)?;
        Ok(img)
    }

    /// Scans `file`'s program headers into `self`, made by [`Image::empty`], in place
    /// (`prepare` builds its images where the plan keeps them).
    pub(crate) fn fill<R: ReadAt, const W: usize>(
        &mut self,
        file: &ElfFile<R, W>,
        adjust: impl FnMut(Prot) -> (Prot, MappingFlags),
    ) -> Result<(), ExecError> {
        let role = self.role;
        let headers = file.program_headers().map(|ph| ph.map_err(|e| ExecError::elf(role, e)));
        let in_file = |range, index| file.check_in_file(range, index);
        self.fill_from(headers, in_file, adjust)
    }

    /// An image of `role` with no segments yet.
    pub(crate) fn empty(role: Role, header: FileHeader, phnum: u32, page: PageSize) -> Image {
        Image {
            role,
            header,
            phnum,
            bias: 0,
            loads: heapless::Vec::new(),
            first_vaddr: VirtAddr(0),
            max_align: page.get(),
            phdr_vaddr: None,
            phdr_check: PhdrCheck::Absent,
            exec_stack: None,
            id: None,
            page,
        }
    }

    /// [`Image::scan`] over program headers from anywhere (a table the kernel copied from
    /// user space for [`elfmap()`](crate::elfmap())): every PT_LOAD is validated the same way —
    /// `p_filesz <= p_memsz`, `p_vaddr` congruent to `p_offset` modulo the page, no
    /// address wrap, the file range inside the file (`in_file`), no overlap after sorting.
    pub fn from_headers(
        header: FileHeader,
        phnum: u32,
        headers: impl IntoIterator<Item = Result<ProgramHeader, ExecError>>,
        in_file: impl Fn(FileRange, u32) -> Result<(), elf_stream::Error>,
        role: Role,
        page: PageSize,
        adjust: impl FnMut(Prot) -> (Prot, MappingFlags),
    ) -> Result<Image, ExecError> {
        let mut img = Image::empty(role, header, phnum, page);
        img.fill_from(headers, in_file, adjust)?;
        Ok(img)
    }

    /// Validates `headers` into `self` (made by [`Image::empty`]): its segments in place.
    pub(crate) fn fill_from(
        &mut self,
        headers: impl IntoIterator<Item = Result<ProgramHeader, ExecError>>,
        in_file: impl Fn(FileRange, u32) -> Result<(), elf_stream::Error>,
        mut adjust: impl FnMut(Prot) -> (Prot, MappingFlags),
    ) -> Result<(), ExecError> {
        let (header, role, page) = (self.header, self.role, self.page);
        let mut first_vaddr = None;
        let mut max_align = 0u64;
        let mut phdr_vaddr = None;
        let mut pt_phdr = None;
        for ph in headers {
            let ph = ph?;
            match ph.kind {
                ProgramType::LOAD => {}
                ProgramType::GNU_STACK => {
                    self.exec_stack = Some(ph.flags.executable());
                    continue;
                }
                ProgramType::PHDR => {
                    pt_phdr = Some(ph.vaddr);
                    continue;
                }
                _ => continue,
            }
            check_segment(&ph, page, role, &in_file)?;
            if ph.align.is_power_of_two() {
                max_align = max_align.max(ph.align);
            }
            // Linux keeps the last PT_LOAD that covers e_phoff.
            let covers = ph.offset.0 <= header.phoff.0
                && ph.offset.0.checked_add(ph.filesz).is_some_and(|end| header.phoff.0 < end);
            if covers {
                let rel = header.phoff.0.saturating_sub(ph.offset.0);
                phdr_vaddr = ph.vaddr.checked_add(rel);
            }
            first_vaddr.get_or_insert(ph.vaddr);
            let (prot, flags) = adjust(Prot::from_segment(ph.flags));
            self.loads
                .push(LoadSegment { ph, prot, flags })
                .map_err(|_| ExecError::TooManySegments { cap: MAX_LOADS as u32 })?;
        }
        self.first_vaddr = first_vaddr.ok_or(ExecError::NoLoadSegment)?;
        self.loads.sort_unstable_by_key(|s| s.ph.vaddr);
        check_neighbours(&self.loads, page)?;
        self.phdr_check = match (pt_phdr, phdr_vaddr) {
            (None, _) => PhdrCheck::Absent,
            (Some(p), Some(c)) if p == c => PhdrCheck::Agrees,
            (Some(p), _) => PhdrCheck::Disagrees(p),
        };
        self.max_align = page.up(max_align).unwrap_or(page.get()).max(page.get());
        self.phdr_vaddr = phdr_vaddr;
        Ok(())
    }

    /// Unbiased page-aligned start of the lowest segment.
    pub fn min_vaddr(&self) -> u64 {
        self.loads.first().map_or(0, |s| self.page.down(s.ph.vaddr.0))
    }

    /// Unbiased end of the highest segment (`p_vaddr + p_memsz`, not page aligned).
    pub fn max_vaddr(&self) -> u64 {
        // Not simply the last one: a PT_LOAD of p_memsz 0 may sort after a larger one
        // starting at the same address (found by fuzzing: the span, the reservation and
        // brk came out too short).
        self.loads.iter().map(|s| s.ph.vaddr.0.saturating_add(s.ph.memsz)).max().unwrap_or(0)
    }

    /// `total_mapping_size`: from the lowest page to the highest byte.
    pub fn total_size(&self) -> u64 {
        self.max_vaddr().saturating_sub(self.min_vaddr())
    }

    /// `a + bias` in the new address space (wrapping as Linux's unsigned arithmetic;
    /// [`Image::check_placement`] guarantees no wrap for addresses inside the image).
    pub fn at(&self, vaddr: u64) -> UserAddr {
        UserAddr(vaddr.wrapping_add(self.bias))
    }

    /// The image's span in the new address space, page aligned.
    pub fn span(&self) -> AddrRange {
        let end = self.page.up(self.max_vaddr()).unwrap_or(u64::MAX);
        AddrRange::new(self.at(self.min_vaddr()), self.at(end))
    }

    /// Entry point in the new address space.
    pub fn entry(&self) -> UserAddr {
        self.at(self.header.entry.0)
    }

    /// `AT_PHDR` as Linux computes it (bias alone when no PT_LOAD covers the table).
    pub fn phdr(&self) -> UserAddr {
        self.at(self.phdr_vaddr.map_or(0, |v| v.0))
    }

    /// End of the highest segment, biased: where brk starts before page rounding.
    pub fn brk_end(&self) -> UserAddr {
        self.at(self.max_vaddr())
    }

    /// Checks that with `bias` every segment and the entry lie inside `[min, end)`.
    pub fn check_placement(&self, bias: u64, min: UserAddr, end: UserAddr) -> Result<(), ExecError> {
        for s in &self.loads {
            let index = s.ph.index;
            let bad = ExecError::OutsideUserRange { index };
            let start = self.page.down(s.ph.vaddr.0).checked_add(bias).ok_or(bad)?;
            let stop = s.ph.vaddr.0.checked_add(s.ph.memsz).and_then(|e| e.checked_add(bias)).ok_or(bad)?;
            let stop = self.page.up(stop).ok_or(bad)?;
            if start < min.0 || stop > end.0 {
                return Err(bad);
            }
        }
        let entry = self.header.entry.0.checked_add(bias).ok_or(ExecError::BadEntry)?;
        if entry >= end.0 {
            return Err(ExecError::BadEntry);
        }
        Ok(())
    }

    /// The page-level mappings of this image, lowest first.
    pub fn mappings(&self) -> Mappings<'_> {
        Mappings { image: self, next_load: 0, pending: heapless::Deque::new() }
    }
}

fn check_segment(
    ph: &ProgramHeader,
    page: PageSize,
    role: Role,
    in_file: impl Fn(FileRange, u32) -> Result<(), elf_stream::Error>,
) -> Result<(), ExecError> {
    let index = ph.index;
    if ph.filesz > ph.memsz {
        return Err(ExecError::FileSizeExceedsMemSize { index });
    }
    if page.offset(ph.vaddr.0) != page.offset(ph.offset.0) {
        return Err(ExecError::Misaligned { index });
    }
    in_file(ph.file_range(), index).map_err(|e| ExecError::elf(role, e))?;
    let end = ph.vaddr.0.checked_add(ph.memsz).ok_or(ExecError::OutsideUserRange { index })?;
    page.up(end).ok_or(ExecError::OutsideUserRange { index })?;
    Ok(())
}

/// Rejects byte overlaps and pages shared by more than [`MAX_PIECES`] segments.
fn check_neighbours(loads: &[LoadSegment], page: PageSize) -> Result<(), ExecError> {
    let mut run = 1u32; // segments touching the current shared page
    for pair in loads.windows(2) {
        let [a, b] = pair else { continue };
        let a_end = a.ph.vaddr.0.saturating_add(a.ph.memsz);
        if a.ph.memsz > 0 && b.ph.memsz > 0 && a_end > b.ph.vaddr.0 {
            let (first, second) = (a.ph.index.min(b.ph.index), a.ph.index.max(b.ph.index));
            return Err(ExecError::OverlappingSegments { first, second });
        }
        let shares =
            a.ph.memsz > 0 && b.ph.memsz > 0 && page.down(a_end.saturating_sub(1)) == page.down(b.ph.vaddr.0);
        run = if shares { run.saturating_add(1) } else { 1 };
        if run > MAX_PIECES as u32 {
            return Err(ExecError::CrowdedPage { page: page.down(b.ph.vaddr.0), cap: MAX_PIECES as u32 });
        }
    }
    Ok(())
}

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
    /// bytes; the rest of the last page is zero. Can be a private file mapping.
    File {
        /// File offset of the mapping's first byte.
        offset: FileOffset,
        /// Valid file bytes from the mapping's start.
        bytes: u64,
    },
    /// Zero-filled anonymous memory (bss).
    Zero,
    /// One page assembled from several segments that share it; the rest is zero.
    Shared {
        /// The pieces (only the first `count` are used).
        pieces: [Piece; MAX_PIECES],
        /// How many pieces.
        count: u8,
    },
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

/// Iterator over an image's mappings (see [`Image::mappings`]).
pub struct Mappings<'a> {
    image: &'a Image,
    next_load: usize,
    pending: heapless::Deque<Mapping, 3>,
}

impl Mappings<'_> {
    /// Whether load `i` shares its last page with load `i + 1`.
    fn shares_with_next(&self, i: usize) -> bool {
        let (Some(a), Some(b)) = (self.image.loads.get(i), self.image.loads.get(i.wrapping_add(1))) else {
            return false;
        };
        let page = self.image.page;
        let a_end = a.ph.vaddr.0.saturating_add(a.ph.memsz);
        a.ph.memsz > 0 && b.ph.memsz > 0 && page.down(a_end.saturating_sub(1)) == page.down(b.ph.vaddr.0)
    }

    /// The shared page starting at load `i`'s last page: every segment touching it.
    fn shared_page(&self, i: usize) -> (Mapping, usize) {
        let img = self.image;
        let page = img.page;
        let first = img.loads.get(i).map_or(0, |s| s.ph.vaddr.0.saturating_add(s.ph.memsz).saturating_sub(1));
        let p = page.down(first);
        let p_end = p.saturating_add(page.get());
        let mut pieces = [Piece::default(); MAX_PIECES];
        let mut count = 0usize;
        let mut prot = Prot::NONE;
        let mut flags = MappingFlags::NONE;
        let mut j = i;
        while let Some(s) = img.loads.get(j) {
            let v = s.ph.vaddr.0;
            let mem_end = v.saturating_add(s.ph.memsz);
            if j > i && page.down(v) != p {
                break;
            }
            if mem_end <= p && j > i {
                break;
            }
            prot = prot.union(s.prot);
            flags = flags.union(s.flags);
            let lo = v.max(p);
            let file_hi = v.saturating_add(s.ph.filesz).min(p_end);
            if file_hi > lo {
                if let Some(slot) = pieces.get_mut(count) {
                    *slot = Piece {
                        page_offset: lo.saturating_sub(p),
                        file_offset: FileOffset(s.ph.offset.0.saturating_add(lo.saturating_sub(v))),
                        len: file_hi.saturating_sub(lo),
                    };
                    count = count.saturating_add(1);
                }
            }
            if mem_end > p_end || !self.shares_with_next(j) {
                break;
            }
            j = j.saturating_add(1);
        }
        let mapping = Mapping {
            range: AddrRange::new(img.at(p), img.at(p_end)),
            prot,
            flags,
            content: Content::Shared { pieces, count: count as u8 },
            role: img.role,
        };
        (mapping, j)
    }
}

impl Iterator for Mappings<'_> {
    type Item = Mapping;

    fn next(&mut self) -> Option<Mapping> {
        let img = self.image;
        let page = img.page;
        while self.pending.is_empty() {
            let i = self.next_load;
            let s = img.loads.get(i)?;
            self.next_load = i.saturating_add(1);
            if s.ph.memsz == 0 {
                continue;
            }
            let v = s.ph.vaddr.0;
            let mut start = page.down(v);
            if i > 0 && self.shares_with_next(i.saturating_sub(1)) {
                start = start.saturating_add(page.get());
            }
            let mut end = page.up(v.saturating_add(s.ph.memsz)).unwrap_or(u64::MAX);
            let shared_tail = self.shares_with_next(i);
            if shared_tail {
                end = end.saturating_sub(page.get());
            }
            let file_end = v.saturating_add(s.ph.filesz);
            // No file bytes: all zero from the first page on, even when p_vaddr is not
            // page aligned (found by the elfmap fuzzer: that first page went unmapped).
            let file_stop =
                if s.ph.filesz == 0 { start } else { page.up(file_end).unwrap_or(u64::MAX).min(end) };
            let mk = |lo: u64, hi: u64, content| Mapping {
                range: AddrRange::new(img.at(lo), img.at(hi)),
                prot: s.prot,
                flags: s.flags,
                content,
                role: img.role,
            };
            // Emit in address order: file part, zero part, shared tail page.
            if s.ph.filesz > 0 && file_stop > start {
                let base = s.ph.offset.0.saturating_sub(page.offset(v));
                let offset = FileOffset(base.saturating_add(start.saturating_sub(page.down(v))));
                let bytes = file_end.saturating_sub(start);
                let _ = self.pending.push_back(mk(start, file_stop, Content::File { offset, bytes }));
            }
            let zero_start = file_stop.max(start);
            if end > zero_start {
                let _ = self.pending.push_back(mk(zero_start, end, Content::Zero));
            }
            if shared_tail {
                let (m, last) = self.shared_page(i);
                // Segments wholly inside the shared page are done.
                self.next_load = self.next_load.max(last);
                let _ = self.pending.push_back(m);
            }
        }
        self.pending.pop_front()
    }
}
