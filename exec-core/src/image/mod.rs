//! One loaded image (the program or its interpreter): its validated PT_LOADs
//! ([`validation`]), its bias, and the page-level mappings they produce ([`mappings`]).

pub mod mappings;
pub mod validation;

pub use mappings::{Content, Mapping, Mappings, Piece, MAX_PIECES};
pub use validation::{ExecOnRead, SegmentRules};

use crate::addr::{AddrRange, MappingFlags, PageSize, Prot, UserAddr};
use crate::error::ExecError;
use crate::host::FileId;
use crate::policy::Role;
use crate::profile::{KernelVersion, SegmentLoader};
use elf_stream::{Class, ElfFile, FileHeader, FileRange, ProgramHeader, ReadAt, VirtAddr};

/// PT_LOADs per image (real programs have 2 to 5).
pub const MAX_LOADS: usize = 16;

/// A validated PT_LOAD with the protections its pages get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadSegment {
    /// The program header.
    pub ph: ProgramHeader,
    /// Protection of its file pages, after the arch's adjustment (BTI...).
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
    /// Program header count (`AT_PHNUM`).
    pub phnum: u32,
    /// Load bias: added to every `p_vaddr` (0 for ET_EXEC).
    pub bias: u64,
    /// PT_LOADs in program header order (Linux maps them in this order; a later mapping
    /// replaces an earlier one's pages).
    pub loads: heapless::Vec<LoadSegment, MAX_LOADS>,
    /// `p_vaddr` of the first PT_LOAD in table order (Linux biases relative to it).
    pub first_vaddr: VirtAddr,
    /// Largest power-of-two PT_LOAD `p_align`, at least a page (`maximum_alignment`).
    pub max_align: u64,
    /// Where `AT_PHDR` points, unbiased (Linux ≥ 5.18: the last PT_LOAD covering `e_phoff`
    /// in its file bytes; before: the first PT_LOAD's `p_vaddr - p_offset + e_phoff`),
    /// if a PT_LOAD gives it.
    pub phdr_vaddr: Option<VirtAddr>,
    /// PT_PHDR against the computed address.
    pub phdr_check: PhdrCheck,
    /// PT_GNU_STACK: `Some(true)` asks for an executable stack, `None` when absent.
    pub exec_stack: Option<bool>,
    /// The file's identity, when the host gave one.
    pub id: Option<FileId>,
    /// Page size the image was validated for.
    pub page: PageSize,
    /// The file's size when the source knows it: file bytes past it read as zero.
    pub file_size: Option<u64>,
    /// The Linux version whose `elf_load` the mappings follow.
    pub version: KernelVersion,
    /// READ_IMPLIES_EXEC (bss pages executable too).
    pub exec_on_read: ExecOnRead,
    /// The kernel's own class: Linux computes the image's addresses in its `unsigned
    /// long`, so on a 32-bit kernel they wrap at 4 GiB (on a 64-bit kernel a 32-bit
    /// program's do not: they fail `TASK_SIZE` instead).
    pub kernel_class: Class,
}

impl LoadSegment {
    /// Protection of the segment's bss pages past its last file page: Linux creates them
    /// with `vm_brk_flags`, read-write whatever the segment asks, executable if it is PF_X
    /// or under READ_IMPLIES_EXEC.
    pub fn bss_prot(&self, exec_on_read: ExecOnRead) -> Prot {
        let rw = Prot::READ.union(Prot::WRITE);
        if self.ph.flags.executable() || exec_on_read == ExecOnRead::On {
            rw.union(Prot::EXEC)
        } else {
            rw
        }
    }
}

impl Image {
    /// Reads and validates the PT_LOADs and the headers exec needs under `rules`; the
    /// bias is 0 until the layout places the image. `adjust` gives each segment its
    /// protection.
    pub fn scan<R: ReadAt, const W: usize>(
        file: &ElfFile<R, W>,
        role: Role,
        page: PageSize,
        rules: SegmentRules,
        adjust: impl FnMut(Prot) -> (Prot, MappingFlags),
    ) -> Result<Image, ExecError> {
        let mut img = Image::empty(role, *file.header(), file.phnum(), page);
        img.fill(file, rules, adjust)?;
        Ok(img)
    }

    /// Scans `file`'s program headers into `self`, made by [`Image::empty`], in place
    /// (`prepare` builds its images where the plan keeps them).
    pub(crate) fn fill<R: ReadAt, const W: usize>(
        &mut self,
        file: &ElfFile<R, W>,
        rules: SegmentRules,
        adjust: impl FnMut(Prot) -> (Prot, MappingFlags),
    ) -> Result<(), ExecError> {
        let role = self.role;
        self.file_size = file.file_size();
        let headers = file.program_headers().map(|ph| ph.map_err(|e| ExecError::elf(role, e)));
        let in_file = |range, index| file.check_in_file(range, index);
        self.fill_from(headers, in_file, rules, adjust)
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
            file_size: None,
            version: KernelVersion::NEWEST,
            exec_on_read: ExecOnRead::Off,
            kernel_class: Class::Elf64,
        }
    }

    /// [`Image::scan`] over program headers from anywhere (a table the kernel copied from
    /// user space for [`elfmap()`](crate::elfmap())), validated by the same rules; `in_file`
    /// says whether a file range lies inside the file.
    #[allow(clippy::too_many_arguments)]
    pub fn from_headers(
        header: FileHeader,
        phnum: u32,
        headers: impl IntoIterator<Item = Result<ProgramHeader, ExecError>>,
        in_file: impl Fn(FileRange, u32) -> Result<(), elf_stream::Error>,
        role: Role,
        page: PageSize,
        rules: SegmentRules,
        adjust: impl FnMut(Prot) -> (Prot, MappingFlags),
    ) -> Result<Image, ExecError> {
        let mut img = Image::empty(role, header, phnum, page);
        img.fill_from(headers, in_file, rules, adjust)?;
        Ok(img)
    }

    /// Unbiased page-aligned start of the lowest segment (`total_mapping_size` counts
    /// every PT_LOAD, empty ones included).
    pub fn min_vaddr(&self) -> u64 {
        self.loads.iter().map(|s| self.page.down(s.ph.vaddr.0)).min().unwrap_or(0)
    }

    /// Unbiased end of the highest segment (`p_vaddr + p_memsz`, not page aligned).
    pub fn max_vaddr(&self) -> u64 {
        self.loads.iter().map(|s| s.ph.vaddr.0.saturating_add(s.ph.memsz)).max().unwrap_or(0)
    }

    /// `total_mapping_size`: from the lowest page to the highest byte.
    pub fn total_size(&self) -> u64 {
        self.max_vaddr().saturating_sub(self.min_vaddr())
    }

    /// How Linux at the image's version maps its PT_LOADs.
    pub fn loader(&self) -> SegmentLoader {
        self.version.segment_loader(self.role)
    }

    /// The first PT_LOAD in table order.
    pub fn first_load(&self) -> Option<&LoadSegment> {
        self.loads.first()
    }

    /// `a + bias` in the new address space (wrapping as Linux's unsigned arithmetic;
    /// [`Image::check_placement`] guarantees no wrap for addresses inside the image).
    pub fn at(&self, vaddr: u64) -> UserAddr {
        UserAddr(self.wrap(vaddr.wrapping_add(self.bias)))
    }

    /// `a` as the kernel's `unsigned long` holds it (the low 32 bits on a 32-bit kernel).
    pub fn wrap(&self, a: u64) -> u64 {
        match self.kernel_class {
            Class::Elf32 => a & u64::from(u32::MAX),
            Class::Elf64 => a,
        }
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

    /// `AT_PHDR` as Linux computes it (bias alone when no PT_LOAD gives the table).
    pub fn phdr(&self) -> UserAddr {
        self.at(self.phdr_vaddr.map_or(0, |v| v.0))
    }

    /// End of the highest segment, biased: where brk starts before page rounding.
    pub fn brk_end(&self) -> UserAddr {
        self.at(self.max_vaddr())
    }

    /// Checks that with `bias` every segment lies inside `[min, end)` (page rounded) and
    /// the entry below `end` (Linux's `BAD_ADDR` on `e_entry + bias`, computed in the
    /// kernel's `unsigned long`).
    pub fn check_placement(&self, bias: u64, min: UserAddr, end: UserAddr) -> Result<(), ExecError> {
        self.check_segments_placed(bias, min, end)?;
        if self.wrap(self.header.entry.0.wrapping_add(bias)) >= end.0 {
            return Err(ExecError::BadEntry);
        }
        Ok(())
    }

    /// [`Image::check_placement`] without the entry (a program with an interpreter:
    /// Linux only checks the interpreter's entry).
    ///
    /// Linux computes each segment's address `bias + p_vaddr` in its `unsigned long`
    /// (wrapping), maps `[page(address), address + p_memsz)` (mmap and vm_brk fail past
    /// `TASK_SIZE` or below `mmap_min_addr`), and judges the address `elf_load` returns
    /// with `BAD_ADDR` even for a segment that maps nothing; the program's own segments
    /// must besides have `p_vaddr + p_memsz` (unbiased) within `TASK_SIZE`.
    pub fn check_segments_placed(&self, bias: u64, min: UserAddr, end: UserAddr) -> Result<(), ExecError> {
        let page = self.page;
        for s in &self.loads {
            let index = s.ph.index;
            let bad = ExecError::OutsideUserRange { index };
            let (v, memsz) = (s.ph.vaddr.0, s.ph.memsz);
            if self.role == Role::Main && (v >= end.0 || end.0.checked_sub(memsz).is_none_or(|room| room < v))
            {
                return Err(bad);
            }
            let start = self.wrap(page.down(v).wrapping_add(bias));
            if memsz == 0 && !self.loader().maps_file(&s.ph, page) {
                // Maps nothing: only the address elf_load returns is judged.
                if start >= end.0 {
                    return Err(bad);
                }
                continue;
            }
            let stop = start.checked_add(page.offset(v)).and_then(|a| a.checked_add(memsz)).ok_or(bad)?;
            let stop = page.up(stop).ok_or(bad)?;
            if start < min.0 || stop > end.0 {
                return Err(bad);
            }
        }
        Ok(())
    }

    /// Checks every private writable mapping Linux makes for this image against
    /// `overcommit`: each segment's file pages when writable (for the first PT_LOAD of an
    /// ET_DYN, the whole span `elf_map` reserves), and its bss pages (`vm_brk_flags`).
    pub fn check_commit(&self, overcommit: crate::params::Overcommit) -> Result<(), ExecError> {
        let crate::params::Overcommit::Heuristic { ram_and_swap } = overcommit else {
            return Ok(());
        };
        let page = self.page;
        for (i, s) in self.loads.iter().enumerate() {
            let v = s.ph.vaddr.0;
            let maps_file = self.loader().maps_file(&s.ph, page);
            let file_end = page.up(v.saturating_add(s.ph.filesz)).unwrap_or(u64::MAX);
            let file = if !maps_file || !s.prot.contains(Prot::WRITE) {
                0
            } else if i == 0 && self.header.elf_type == elf_stream::ElfType::DYN {
                page.up(self.total_size()).unwrap_or(u64::MAX)
            } else {
                file_end.saturating_sub(page.down(v))
            };
            let bss_start = if maps_file { file_end } else { page.down(v) };
            let bss = match s.ph.memsz > s.ph.filesz {
                true => page.up(v.saturating_add(s.ph.memsz)).unwrap_or(u64::MAX).saturating_sub(bss_start),
                false => 0,
            };
            if let Some(&bytes) = [file, bss].iter().find(|&&b| b > ram_and_swap) {
                return Err(ExecError::CommitRefused { index: s.ph.index, bytes });
            }
        }
        Ok(())
    }

    /// The page-level mappings of this image, lowest first.
    pub fn mappings(&self) -> Mappings<'_> {
        Mappings::new(self)
    }
}
