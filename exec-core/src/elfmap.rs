//! `elfmap`: the call a runtime linker makes to map a shared object (IRIX's `elfmap(2)`).
//!
//! The kernel passes the object's file and the program header table the runtime linker
//! read from it (copied from user space, at most [`MAX_ELFMAP_PHDRS`] entries). Every
//! PT_LOAD is validated as `prepare` validates an image ([`Image::from_headers`]) and the
//! segments are mapped at their own addresses. If that range is taken, the whole object
//! moves once, by one delta, to a free range the address space finds.

use crate::addr::{AddrRange, PageSize, UserAddr};
use crate::error::{ExecError, SpaceOp};
use crate::image::Image;
use crate::load::{load_image, undo, LoadMode, LoadReport};
use crate::policy::Role;
use crate::space::AddressSpace;
use elf_stream::{Class, ElfType, Endian, Errno, FileHeader, FileOffset, ProgramHeader, ReadAt};

/// Program headers `elfmap` takes (a shared object has 6 to 12; Linux's exec reads at most
/// 64 KiB of them). More is [`ExecError::TooManyProgramHeaders`] (E2BIG).
pub const MAX_ELFMAP_PHDRS: usize = 64;

/// The rules `elfmap` validates an object by: the hardened profile's (no overlapping
/// segments, every segment inside the file), as a runtime linker's request is not an
/// exec to imitate.
pub const ELFMAP_RULES: crate::image::SegmentRules = crate::image::SegmentRules {
    profile: crate::profile::Profile::Hardened,
    exec_on_read: crate::image::ExecOnRead::Off,
};

/// Where `elfmap` put the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ElfMapped {
    /// Where the page of the lowest PT_LOAD landed (IRIX returned the new address of the
    /// first segment): `page_down(lowest p_vaddr) + bias`.
    pub base: UserAddr,
    /// Added to every `p_vaddr` (wrapping): 0 when the object went at its own addresses.
    pub bias: u64,
    /// Whether the fixed range was taken and the object moved.
    pub relocated: bool,
    /// What the address space was asked to do (on the successful attempt).
    pub report: LoadReport,
}

/// The address window and page size an object is mapped for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ElfmapTarget {
    /// Page size.
    pub page: PageSize,
    /// Lowest mappable address (`mmap_min_addr`).
    pub min: UserAddr,
    /// One past the highest user address.
    pub end: UserAddr,
}

/// Decodes a program header table of `count` entries (`class`, `endian`) as a runtime
/// linker passes it; `bytes` holds at least `count` entries. Errors: more than
/// [`MAX_ELFMAP_PHDRS`] (E2BIG), a table shorter than `count` entries (EINVAL).
pub fn decode_table(
    bytes: &[u8],
    count: usize,
    class: Class,
    endian: Endian,
) -> Result<heapless::Vec<ProgramHeader, MAX_ELFMAP_PHDRS>, ExecError> {
    check_count(count)?;
    let size = class.program_header_size();
    let mut out = heapless::Vec::new();
    for (i, entry) in bytes.chunks(size).take(count).enumerate() {
        let ph = ProgramHeader::decode(entry, class, endian, i as u32)
            .ok_or(ExecError::InvalidParameter(crate::error::Parameter::ElfmapTableShort))?;
        out.push(ph).map_err(|_| ExecError::TooManyProgramHeaders { count: count as u64, cap: cap() })?;
    }
    if out.len() != count {
        return Err(ExecError::InvalidParameter(crate::error::Parameter::ElfmapTableShort));
    }
    Ok(out)
}

const fn cap() -> u32 {
    MAX_ELFMAP_PHDRS as u32
}

fn check_count(count: usize) -> Result<(), ExecError> {
    if count > MAX_ELFMAP_PHDRS {
        return Err(ExecError::TooManyProgramHeaders { count: count as u64, cap: cap() });
    }
    Ok(())
}

/// Maps the PT_LOADs of `headers` (the object in `file`) into `space` in `mode`.
///
/// 1. The count is capped ([`MAX_ELFMAP_PHDRS`], E2BIG); each PT_LOAD is validated as
///    `prepare` does (EINVAL/ENOEXEC errors of [`Image::from_headers`]; no PT_LOAD:
///    [`ExecError::NoLoadSegment`]).
/// 2. If its own addresses lie inside `target`'s window, the object's span is reserved
///    there and filled, as `load` fills an image (the file is [`Role::Main`] for
///    `map_file`/`copy_from_file`; no arch marks).
/// 3. Only if its own addresses are outside the window (an object linked at 0) or that
///    reservation fails with EEXIST or ENOMEM (the range is taken), one retry:
///    [`AddressSpace::find_free_range`]`(span + largest p_align, largest p_align)` gives a
///    free range and every segment moves by the same delta, a multiple of the largest
///    alignment (so offsets stay congruent). `find_free_range` answering ENOSYS returns the
///    reason of step 3 (the reservation's error, or `OutsideUserRange`); another errno, or a
///    misaligned answer (EINVAL), is `AddressSpace { op: SpaceOp::FindFreeRange }`; a range
///    outside the window `OutsideUserRange`.
///
/// Any other failure, or a failed retry, unmaps everything this call mapped.
pub fn elfmap<S: ReadAt + ?Sized, A: AddressSpace + ?Sized>(
    file: &S,
    headers: &[ProgramHeader],
    target: ElfmapTarget,
    space: &mut A,
    mode: LoadMode,
) -> Result<ElfMapped, ExecError> {
    map_headers(file, headers.len(), headers.iter().map(|h| Ok(*h)), target, space, mode)
}

/// [`elfmap`] straight from the table a runtime linker passes (`count` entries of
/// `class`/`endian` in `table`), decoding each header as it is validated: no decoded copy
/// of the table (up to [`MAX_ELFMAP_PHDRS`] headers, 3.5 KiB) on the stack, which keeps
/// the C entry point under 4 KiB. Errors as [`decode_table`]'s, then as [`elfmap`]'s.
#[allow(clippy::too_many_arguments)]
pub fn elfmap_table<S: ReadAt + ?Sized, A: AddressSpace + ?Sized>(
    file: &S,
    table: &[u8],
    count: usize,
    (class, endian): (Class, Endian),
    target: ElfmapTarget,
    space: &mut A,
    mode: LoadMode,
) -> Result<ElfMapped, ExecError> {
    check_count(count)?;
    let size = class.program_header_size();
    let short = ExecError::InvalidParameter(crate::error::Parameter::ElfmapTableShort);
    match count.checked_mul(size) {
        Some(needed) if table.len() >= needed => {}
        _ => return Err(short),
    }
    let headers = table.chunks(size).take(count).enumerate();
    let decoded =
        headers.map(|(i, entry)| ProgramHeader::decode(entry, class, endian, i as u32).ok_or(short));
    map_headers(file, count, decoded, target, space, mode)
}

/// The file header of an elfmap image, which has none: a shared object (`ET_DYN`) whose
/// program header table is not in any mapping (AT_PHDR is exec's business).
pub const HEADER: FileHeader =
    FileHeader { elf_type: ElfType::DYN, phoff: FileOffset(u64::MAX), ..FileHeader::PLACEHOLDER };

/// [`elfmap`] of `count` headers given one by one.
fn map_headers<S: ReadAt + ?Sized, A: AddressSpace + ?Sized>(
    file: &S,
    count: usize,
    headers: impl Iterator<Item = Result<ProgramHeader, ExecError>>,
    target: ElfmapTarget,
    space: &mut A,
    mode: LoadMode,
) -> Result<ElfMapped, ExecError> {
    check_count(count)?;
    // Capped above: fits in u32.
    let phnum = count as u32;
    // Built in place: `Image::from_headers` returns it by value, a possible second 1.3 KiB
    // copy on the C entry point's stack.
    let mut img = Image::empty(Role::Main, HEADER, phnum, target.page);
    validate(&mut img, file, headers)?;
    map_validated(&mut img, file, target, space, mode)
}

/// Validates `headers` into `img` by [`ELFMAP_RULES`]. Out of line: its working values are
/// off the stack while the object is mapped.
#[inline(never)]
fn validate<S: ReadAt + ?Sized>(
    img: &mut Image,
    file: &S,
    headers: impl Iterator<Item = Result<ProgramHeader, ExecError>>,
) -> Result<(), ExecError> {
    let in_file = |range: elf_stream::FileRange, index| {
        let end = range.end().ok_or(elf_stream::Error::SegmentOutsideFile { index })?;
        match file.size() {
            Some(size) if end > size => Err(elf_stream::Error::SegmentOutsideFile { index }),
            _ => Ok(()),
        }
    };
    img.fill_from(headers, in_file, ELFMAP_RULES, |p| (p, crate::addr::MappingFlags::NONE))?;
    img.file_size = file.size();
    Ok(())
}

/// Maps the validated `img`: at its own addresses, else moved once (see [`elfmap`]).
fn map_validated<S: ReadAt + ?Sized, A: AddressSpace + ?Sized>(
    img: &mut Image,
    file: &S,
    target: ElfmapTarget,
    space: &mut A,
    mode: LoadMode,
) -> Result<ElfMapped, ExecError> {
    // At its own addresses, unless they are outside the window (a vaddr-0 object).
    let fallback = match img.check_placement(0, target.min, target.end) {
        Err(outside) => outside,
        Ok(()) => match attempt(img, file, space, mode) {
            Ok(report) => return Ok(mapped(img, false, report)),
            Err(e @ ExecError::AddressSpace { op: SpaceOp::Reserve, errno })
                if errno == Errno::EEXIST || errno == Errno::ENOMEM =>
            {
                e
            }
            Err(e) => return Err(e),
        },
    };
    img.bias = relocation(img, space, fallback)?;
    // The move may be downwards (a wrapping bias), so check the moved span itself: each
    // segment was checked not to wrap, and the span holds them all.
    let moved = img.span();
    if moved.end < moved.start || moved.start < target.min || moved.end > target.end {
        let index = img.loads.first().map_or(0, |s| s.ph.index);
        return Err(ExecError::OutsideUserRange { index });
    }
    let report = attempt(img, file, space, mode)?;
    Ok(mapped(img, true, report))
}

fn mapped(img: &Image, relocated: bool, report: LoadReport) -> ElfMapped {
    ElfMapped { base: img.span().start, bias: img.bias, relocated, report }
}

/// One mapping attempt; undone entirely on failure.
fn attempt<S: ReadAt + ?Sized, A: AddressSpace + ?Sized>(
    img: &Image,
    file: &S,
    space: &mut A,
    mode: LoadMode,
) -> Result<LoadReport, ExecError> {
    let mut report = LoadReport::default();
    let mut reserved: heapless::Vec<AddrRange, 2> = heapless::Vec::new();
    match load_image(img, file, space, mode, None, &mut report, &mut reserved) {
        Ok(()) => Ok(report),
        Err(e) => {
            undo(space, &reserved);
            Err(e)
        }
    }
}

/// The bias that moves `img` into a free range of the address space (see [`elfmap`]).
/// `fallback` is why the object's own addresses did not do, returned when the address
/// space cannot find ranges.
fn relocation<A: AddressSpace + ?Sized>(
    img: &Image,
    space: &mut A,
    fallback: ExecError,
) -> Result<u64, ExecError> {
    let align = img.max_align;
    let span = img.span();
    let none = ExecError::NoSpace { what: crate::error::Placement::ElfmapRelocation };
    let len = span.len().checked_add(align).ok_or(none)?;
    let start = match space.find_free_range(len, align) {
        Ok(a) => a,
        Err(Errno::ENOSYS) => return Err(fallback),
        Err(errno) => return Err(ExecError::AddressSpace { op: SpaceOp::FindFreeRange, errno }),
    };
    if start.0 & align.wrapping_sub(1) != 0 {
        return Err(ExecError::AddressSpace { op: SpaceOp::FindFreeRange, errno: Errno::EINVAL });
    }
    // Keep the object's offset inside its largest alignment: delta is a multiple of it.
    let aligned_min = img.min_vaddr() & !align.wrapping_sub(1);
    Ok(start.0.wrapping_sub(aligned_min))
}
