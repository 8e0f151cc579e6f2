//! `load`: builds the planned images into a fresh address space — eager copy, file
//! mappings, or lazy registration — and undoes everything on failure.

use crate::addr::{AddrRange, PageSize, Prot};
use crate::error::{ExecError, SpaceOp};
use crate::image::{Content, Image, Mapping};
use crate::plan::ExecPlan;
use crate::policy::Role;
use crate::space::{AddressSpace, FileCopy};
use crate::text_patch::TextScanFn;
use elf_stream::{Endian, Errno, FileOffset, ReadAt};

/// How segment bytes reach memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadMode {
    /// Copy every byte now, straight from the file into the destination pages.
    Eager,
    /// Private file mappings for whole file pages, anonymous memory for bss, and copies
    /// for pages that are partly file and partly zero.
    Mapped,
    /// Register every mapping empty; a demand-paging kernel fills pages from
    /// [`resolve_fault`](crate::fault::resolve_fault).
    Lazy,
}

/// What `load` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Reservations and mappings created.
    pub mappings: u64,
    /// `copy_from_file` calls.
    pub copy_calls: u64,
    /// File bytes copied.
    pub bytes_copied: u64,
    /// Pages handed to [`AddressSpace::patch_text`] (eager mode, mappings marked
    /// [`TEXT_PATCH`](crate::MappingFlags::TEXT_PATCH)).
    pub patched_pages: u64,
}

const fn op(op: SpaceOp) -> impl Fn(Errno) -> ExecError {
    move |errno| ExecError::AddressSpace { op, errno }
}

/// Loads every image of `plan` into `space` in `mode`. `interp` is the source returned
/// by `prepare` (required when the plan has an interpreter). The stack is written
/// separately by [`write_stack`](crate::stack::write_stack).
///
/// Each image's whole span is reserved once, then filled mapping by mapping. Every
/// contiguous run of file bytes is one `copy_from_file` call (never one per page). On any
/// failure everything reserved or mapped so far is unmapped and the error returned.
///
/// Mappings marked [`TEXT_PATCH`](crate::MappingFlags::TEXT_PATCH) (a CPU erratum): in
/// eager mode, once their bytes are in place and before their final protection, each page
/// is scanned with the plan's [`text_scan`](ExecPlan::text_scan) (its file bytes re-read
/// through a small stack buffer) and `patch_text` gets every page with a hit. In mapped
/// and lazy mode nothing is scanned: the kernel sees the mark on `map_file`,
/// `map_anonymous`, `protect` and `map_lazy` (and on the resolver's pages) and patches
/// the pages itself once they hold their bytes.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use exec_core::*;
/// # use exec_core::load::{load, LoadMode};
/// # use elf_stream::Errno;
/// # #[derive(Default)] struct Space { calls: usize }
/// # impl AddressSpace for Space {
/// #   fn reserve(&mut self, _: AddrRange) -> Result<(), Errno> { self.calls += 1; Ok(()) }
/// #   fn map_anonymous(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> { Ok(()) }
/// #   fn write(&mut self, _: UserAddr, _: &[u8]) -> Result<(), Errno> { Ok(()) }
/// #   fn protect(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> { Ok(()) }
/// #   fn unmap(&mut self, _: AddrRange) -> Result<(), Errno> { Ok(()) }
/// # }
/// let file = std::fs::File::open("/bin/ls")?;
/// let argv: [&[u8]; 1] = [b"ls"];
/// let mut params = ExecParams::new(b"/bin/ls");
/// params.argv = &argv;
/// let mut host = exec_core::fs_host::FsHost::new("/");
/// let prepared = prepare(&arch_x86_64::X86_64::default(), &file, &mut host, &params, None)?;
/// // Point of no return: build the new image into a fresh address space.
/// let mut space = Space::default();
/// let report = load(&prepared.plan, &file, prepared.interpreter.as_ref(), &mut space, LoadMode::Eager)?;
/// assert!(report.copy_calls >= 4);
/// # Ok(()) }
/// ```
pub fn load<I, A, R, S>(
    plan: &ExecPlan<I>,
    main: &R,
    interp: Option<&S>,
    space: &mut A,
    mode: LoadMode,
) -> Result<LoadReport, ExecError>
where
    A: AddressSpace + ?Sized,
    R: ReadAt + ?Sized,
    S: ReadAt + ?Sized,
{
    let mut report = LoadReport::default();
    let mut reserved: heapless::Vec<AddrRange, 2> = heapless::Vec::new();
    let result = (|| {
        // Only eager copies are scanned here (see above).
        let scan = plan.text_scan.filter(|_| mode == LoadMode::Eager);
        load_image(&plan.main, main, space, mode, scan, &mut report, &mut reserved)?;
        if let Some(img) = &plan.interp {
            let src = interp
                .ok_or(ExecError::InvalidParameter(crate::error::Parameter::InterpreterSourceMissing))?;
            load_image(img, src, space, mode, scan, &mut report, &mut reserved)?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(report),
        Err(e) => {
            undo(space, &reserved);
            Err(e)
        }
    }
}

/// Unmaps every reservation made so far (a failed load).
pub(crate) fn undo<A: AddressSpace + ?Sized>(space: &mut A, reserved: &[AddrRange]) {
    for r in reserved {
        // Best effort: the original error is what the caller needs.
        let _ = space.unmap(*r);
    }
}

/// Reserves `img`'s span, then builds each of its mappings in `mode` (`scan`: the erratum
/// scanner, eager mode only); every reservation made is pushed to `reserved` for undoing.
pub(crate) fn load_image<A: AddressSpace + ?Sized, S: ReadAt + ?Sized>(
    img: &Image,
    src: &S,
    space: &mut A,
    mode: LoadMode,
    scan: Option<TextScanFn>,
    report: &mut LoadReport,
    reserved: &mut heapless::Vec<AddrRange, 2>,
) -> Result<(), ExecError> {
    let span = img.span();
    space.reserve(span).map_err(op(SpaceOp::Reserve))?;
    reserved.push(span).map_err(|_| ExecError::Capacity { what: crate::error::Table::Reservations })?;
    report.mappings = report.mappings.saturating_add(1);
    for m in img.mappings() {
        match mode {
            LoadMode::Lazy => space.map_lazy(m.range, m.prot, m.flags).map_err(op(SpaceOp::MapLazy))?,
            LoadMode::Eager => {
                let patch = scan.map(|f| (f, img.page, img.header.endian));
                copy_mapping(&m, img.role, src, space, patch, report)?
            }
            LoadMode::Mapped => map_mapping(img, &m, src, space, report)?,
        }
        report.mappings = report.mappings.saturating_add(1);
        if mode != LoadMode::Lazy && m.prot.contains(Prot::EXEC) {
            space.sync_icache(m.range).map_err(op(SpaceOp::SyncIcache))?;
        }
    }
    Ok(())
}

/// The scanner with the image's page size and byte order.
type Patch = (TextScanFn, PageSize, Endian);

/// Anonymous writable memory, the file bytes copied in, erratum patches (`patch`), then
/// the final protection.
fn copy_mapping<A: AddressSpace + ?Sized, S: ReadAt + ?Sized>(
    m: &Mapping,
    role: Role,
    src: &S,
    space: &mut A,
    patch: Option<Patch>,
    report: &mut LoadReport,
) -> Result<(), ExecError> {
    space
        .map_anonymous(m.range, Prot::READ.union(Prot::WRITE), m.flags)
        .map_err(op(SpaceOp::MapAnonymous))?;
    let mut copy = |file: FileOffset, at: u64, len: u64| -> Result<(), ExecError> {
        if len == 0 {
            return Ok(());
        }
        let dest = m.range.start.checked_add(at).ok_or(ExecError::NotMapped(m.range.start.0))?;
        space.copy_from_file(FileCopy { role, source: src, offset: file, dest, len })?;
        report.copy_calls = report.copy_calls.saturating_add(1);
        report.bytes_copied = report.bytes_copied.saturating_add(len);
        Ok(())
    };
    match m.content {
        Content::File { offset, bytes } => copy(offset, 0, bytes.min(m.range.len()))?,
        Content::Zero => {}
    }
    if let Some((scan, page, endian)) = patch {
        let n = crate::text_patch::patch_mapping(m, page, endian, scan, src, space)?;
        report.patched_pages = report.patched_pages.saturating_add(n);
    }
    space.protect(m.range, m.prot, m.flags).map_err(op(SpaceOp::Protect))
}

/// File mappings for the pages wholly backed by the file; the partial last page (whose
/// tail must read as zero) is copied; bss is anonymous. Out of line: its mappings are not
/// in `load_image`'s frame while an eager copy runs.
#[inline(never)]
fn map_mapping<A: AddressSpace + ?Sized, S: ReadAt + ?Sized>(
    img: &Image,
    m: &Mapping,
    src: &S,
    space: &mut A,
    report: &mut LoadReport,
) -> Result<(), ExecError> {
    match m.content {
        Content::Zero => space.map_anonymous(m.range, m.prot, m.flags).map_err(op(SpaceOp::MapAnonymous)),
        Content::File { offset, bytes } => {
            let whole = img.page.down(bytes.min(m.range.len()));
            let split = m.range.start.checked_add(whole).ok_or(ExecError::NotMapped(m.range.start.0))?;
            if whole > 0 {
                let r = AddrRange::new(m.range.start, split);
                match space.map_file(r, img.role, offset, m.prot, m.flags) {
                    Ok(()) => {}
                    // The kernel cannot map files: copy instead.
                    Err(Errno::ENOSYS) => {
                        copy_mapping(&Mapping { range: r, ..*m }, img.role, src, space, None, report)?
                    }
                    Err(e) => return Err(op(SpaceOp::MapFile)(e)),
                }
            }
            if split < m.range.end {
                let rest = Mapping {
                    range: AddrRange::new(split, m.range.end),
                    content: Content::File {
                        offset: FileOffset(offset.0.saturating_add(whole)),
                        bytes: bytes.saturating_sub(whole),
                    },
                    ..*m
                };
                copy_mapping(&rest, img.role, src, space, None, report)?;
            }
            Ok(())
        }
    }
}
