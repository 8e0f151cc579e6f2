//! Validating an image's program headers: what Linux's `load_elf_binary` and
//! `load_elf_interp` would refuse (before or after their point of no return), and what
//! the hardened profile refuses besides.

use super::{Image, LoadSegment, PhdrCheck, MAX_LOADS};
use crate::addr::{MappingFlags, PageSize, Prot};
use crate::error::ExecError;
use crate::profile::{KernelVersion, Profile, SegmentLoader, Strictness};
use elf_stream::{FileRange, ProgramHeader, ProgramType, VirtAddr};

/// Whether READ_IMPLIES_EXEC is in force for the new process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecOnRead {
    /// Pages are executable only when asked.
    Off,
    /// Every readable page is executable, bss included (the personality bit, or the
    /// arch's `elf_read_implies_exec`).
    On,
}

/// The rules an image's PT_LOADs are validated and laid out by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentRules {
    /// Linux at a version, or hardened.
    pub profile: Profile,
    /// READ_IMPLIES_EXEC.
    pub exec_on_read: ExecOnRead,
}

impl Default for SegmentRules {
    /// Linux, newest, without READ_IMPLIES_EXEC.
    fn default() -> Self {
        SegmentRules { profile: Profile::default(), exec_on_read: ExecOnRead::Off }
    }
}

impl Image {
    /// Validates `headers` into `self` (made by [`Image::empty`]): its segments in place.
    pub(crate) fn fill_from(
        &mut self,
        headers: impl IntoIterator<Item = Result<ProgramHeader, ExecError>>,
        in_file: impl Fn(FileRange, u32) -> Result<(), elf_stream::Error>,
        rules: SegmentRules,
        mut adjust: impl FnMut(Prot) -> (Prot, MappingFlags),
    ) -> Result<(), ExecError> {
        let (header, page) = (self.header, self.page);
        let version = rules.profile.version();
        self.version = version;
        self.exec_on_read = rules.exec_on_read;
        let mut first: Option<ProgramHeader> = None;
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
            check_segment(&ph, page, self.role, rules, self.file_size, &in_file)?;
            if ph.align.is_power_of_two() {
                max_align = max_align.max(ph.align);
            }
            // Linux ≥ 5.18 keeps the last PT_LOAD whose file bytes cover e_phoff.
            let covers = ph.offset.0 <= header.phoff.0
                && ph.offset.0.checked_add(ph.filesz).is_some_and(|end| header.phoff.0 < end);
            if covers {
                phdr_vaddr = ph.vaddr.checked_add(header.phoff.0.wrapping_sub(ph.offset.0));
            }
            first.get_or_insert(ph);
            let (prot, flags) = adjust(Prot::from_segment(ph.flags));
            let prot = match rules.exec_on_read {
                ExecOnRead::On if prot.contains(Prot::READ) => prot.union(Prot::EXEC),
                _ => prot,
            };
            self.loads
                .push(LoadSegment { ph, prot, flags })
                .map_err(|_| ExecError::TooManySegments { cap: MAX_LOADS as u32 })?;
        }
        let first = first.ok_or(ExecError::NoLoadSegment)?;
        self.first_vaddr = first.vaddr;
        if !version.at_least(KernelVersion::V5_18) {
            // Before 5.18: the first PT_LOAD's `p_vaddr - p_offset`, plus e_phoff.
            phdr_vaddr =
                Some(VirtAddr(first.vaddr.0.wrapping_sub(first.offset.0).wrapping_add(header.phoff.0)));
        }
        if rules.profile.strictness() == Strictness::Hardened {
            check_hardened(&self.loads, page)?;
        }
        self.phdr_check = match (pt_phdr, phdr_vaddr) {
            (None, _) => PhdrCheck::Absent,
            (Some(p), Some(c)) if p == c => PhdrCheck::Agrees,
            (Some(p), _) => PhdrCheck::Disagrees(p),
        };
        self.max_align = page.up(max_align).unwrap_or(page.get()).max(page.get());
        self.phdr_vaddr = phdr_vaddr;
        Ok(())
    }
}

/// One PT_LOAD: what Linux checks, before or after its point of no return (`elf_map`'s
/// mmap, the `TASK_SIZE` test after `elf_load`), and the hardened profile's file range.
fn check_segment(
    ph: &ProgramHeader,
    page: PageSize,
    role: crate::policy::Role,
    rules: SegmentRules,
    file_size: Option<u64>,
    in_file: impl Fn(FileRange, u32) -> Result<(), elf_stream::Error>,
) -> Result<(), ExecError> {
    let index = ph.index;
    // load_elf_binary: EINVAL after mapping (killed); refused here before.
    if ph.filesz > ph.memsz {
        return Err(ExecError::FileSizeExceedsMemSize { index });
    }
    let hardened = rules.profile.strictness() == Strictness::Hardened;
    let loader = rules.profile.version().segment_loader(role);
    let maps_file = loader.maps_file(ph, page);
    // The file mapping's offset must be page aligned (mmap EINVAL); a segment Linux
    // never maps from the file may have any offset.
    if (hardened || maps_file) && page.offset(ph.vaddr.0) != page.offset(ph.offset.0) {
        return Err(ExecError::Misaligned { index });
    }
    // The file range must not wrap (mmap EOVERFLOW/EINVAL); past the end of the file is
    // Linux's to map (the missing pages fault when touched), the hardened profile's not.
    let range = ph.file_range();
    if hardened {
        in_file(range, index).map_err(|e| ExecError::elf(role, e))?;
    } else if maps_file {
        // mmap's file_mmap_ok: the mapped range must end by MAX_LFS_FILESIZE (EOVERFLOW).
        let start = ph.offset.0.wrapping_sub(page.offset(ph.vaddr.0));
        let len = page.up(page.offset(ph.vaddr.0).saturating_add(ph.filesz));
        let end = len.and_then(|l| start.checked_add(l));
        if end.is_none_or(|e| e > i64::MAX as u64) {
            return Err(ExecError::FileRangeOverflow { index });
        }
        // padzero: zeroing the bss tail of a writable segment whose last file page lies
        // wholly past the end of the file faults (EFAULT); 6.1.y's backported elf_load
        // ignores the failure.
        let tail = ph.vaddr.0.wrapping_add(ph.filesz);
        let tail_page_offset = ph.offset.0.wrapping_add(ph.filesz).wrapping_sub(page.offset(tail));
        if loader != SegmentLoader::ElfLoadPadzeroIgnored
            && ph.filesz > 0
            && ph.memsz > ph.filesz
            && ph.flags.writable()
            && page.offset(tail) != 0
            && file_size.is_some_and(|size| tail_page_offset >= size)
        {
            return Err(ExecError::BssTailUnzeroable { index });
        }
    }
    let end = ph.vaddr.0.checked_add(ph.memsz).ok_or(ExecError::OutsideUserRange { index })?;
    page.up(end).ok_or(ExecError::OutsideUserRange { index })?;
    Ok(())
}

/// The hardened profile: no two PT_LOADs share a byte, and segments sharing a page have
/// one protection (Linux gives the page the later one's: text shared with data would
/// lose its execute or gain write).
fn check_hardened(loads: &[LoadSegment], page: PageSize) -> Result<(), ExecError> {
    for (i, a) in loads.iter().enumerate() {
        for b in loads.iter().skip(i.saturating_add(1)) {
            if a.ph.memsz == 0 || b.ph.memsz == 0 {
                continue;
            }
            let (a_start, a_end) = (a.ph.vaddr.0, a.ph.vaddr.0.saturating_add(a.ph.memsz));
            let (b_start, b_end) = (b.ph.vaddr.0, b.ph.vaddr.0.saturating_add(b.ph.memsz));
            let (first, second) = (a.ph.index.min(b.ph.index), a.ph.index.max(b.ph.index));
            if a_start < b_end && b_start < a_end {
                return Err(ExecError::OverlappingSegments { first, second });
            }
            let pages_meet = page.down(a_start) < page.up(b_end).unwrap_or(u64::MAX)
                && page.down(b_start) < page.up(a_end).unwrap_or(u64::MAX);
            if pages_meet && a.prot != b.prot {
                return Err(ExecError::SharedPageProtections { first, second });
            }
        }
    }
    Ok(())
}
