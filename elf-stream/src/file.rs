//! `ElfFile`: an opened executable — its validated header, resolved program header count
//! and a small head window that serves most later reads without touching the source.

use crate::header::{parse_ident_with, EI_NIDENT, PN_XNUM};
use crate::program::{ProgramHeader, ProgramHeaders};
use crate::source::{read_at_least, read_up_to};
use crate::{Error, FileHeader, FileOffset, ReadAt};

/// Default head window: covers the header, a program header table of up to 17 ELF64
/// entries and, in typical binaries, PT_INTERP and the notes that follow it.
pub const DEFAULT_WINDOW: usize = 1024;

/// Linux's maximum program header table size (`65536` bytes; also at most one page).
pub const MAX_PHDR_TABLE: u32 = 65536;

/// How the file header's identity is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderRule {
    /// Every identity field: the magic, `EI_CLASS`, `EI_DATA`, `EI_VERSION`, `e_version`,
    /// `e_ehsize` and `e_phentsize`.
    Strict,
    /// What Linux's exec reads: the magic and `e_phentsize` only. The header is decoded in
    /// the kernel's own format — `class` (`None`: the one `EI_CLASS` names, which must be
    /// valid, as MIPS's `elf_check_arch` checks it) and byte order `endian` (`None`: the
    /// one `EI_DATA` names) — whatever the other identity bytes say.
    Native {
        /// The class the kernel reads (`None`: `EI_CLASS`'s).
        class: Option<crate::Class>,
        /// The kernel's byte order (`None`: `EI_DATA`'s, for a policy that takes both).
        endian: Option<crate::Endian>,
    },
}

/// What `e_phnum == PN_XNUM` means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtendedCount {
    /// The count is section header 0's `sh_info` (the ELF specification).
    Resolve,
    /// 0xffff headers, as Linux's exec takes it (which then finds the table too large).
    Literal,
}

/// Caps and rules applied while opening a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted program header table, in bytes.
    pub max_phdr_table: u32,
    /// How the header's identity is judged.
    pub header: HeaderRule,
    /// What PN_XNUM means.
    pub extended_count: ExtendedCount,
}

impl Limits {
    /// Linux's rule up to 6.16 for a given page size: 64 KiB and at most one page; every
    /// identity field checked, PN_XNUM resolved.
    pub const fn for_page_size(page_size: u32) -> Limits {
        let cap = if page_size < MAX_PHDR_TABLE { page_size } else { MAX_PHDR_TABLE };
        Limits { max_phdr_table: cap, header: HeaderRule::Strict, extended_count: ExtendedCount::Resolve }
    }

    /// These limits with the header judged by `rule`.
    pub const fn with_header(self, rule: HeaderRule) -> Limits {
        Limits { header: rule, ..self }
    }

    /// These limits with a program header table of up to `bytes`.
    pub const fn with_max_phdr_table(self, bytes: u32) -> Limits {
        Limits { max_phdr_table: bytes, ..self }
    }

    /// These limits with PN_XNUM read as `count`.
    pub const fn with_extended_count(self, count: ExtendedCount) -> Limits {
        Limits { extended_count: count, ..self }
    }
}

impl Default for Limits {
    /// Linux with 4 KiB pages: a 4096-byte table at most.
    fn default() -> Self {
        Limits::for_page_size(4096)
    }
}

/// An ELF file opened for exec: header validated, program header table located and checked.
///
/// `W` is the head window in bytes, read with one `read_at` call at open; reads that fall
/// inside it later (program headers, PT_INTERP, notes) cost no call. Any `W` works, 0
/// included: with a window smaller than the file header, the header is read through a
/// 64-byte stack buffer and everything else comes from the source.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use elf_stream::{ElfFile, ProgramType};
/// let bytes = std::fs::read("/bin/ls")?;
/// let elf: ElfFile<&[u8]> = ElfFile::open(&bytes[..])?;
/// let loads = elf.program_headers().filter(|ph| matches!(ph, Ok(p) if p.kind == ProgramType::LOAD)).count();
/// assert!(loads >= 1);
/// let mut path = [0u8; 4096];
/// if let Some(interp) = elf.interpreter(&mut path)? {
///     assert!(interp.starts_with(b"/"));
/// }
/// # Ok(()) }
/// ```
pub struct ElfFile<R, const W: usize = DEFAULT_WINDOW> {
    source: R,
    header: FileHeader,
    phnum: u32,
    head_len: usize,
    // Last: declared before `head_len`, some instances (a source passed by reference)
    // built the whole file, window included, on the stack in `open_in` and copied it into
    // the slot (1.1 KiB of kernel stack).
    head: [u8; W],
}

impl<R: ReadAt, const W: usize> ElfFile<R, W> {
    /// Opens `source` with Linux's default limits (4 KiB program header table cap).
    #[inline(always)]
    pub fn open(source: R) -> Result<Self, Error> {
        Self::open_with(source, Limits::default())
    }

    /// Opens `source`: reads the head window (one call for a well-behaved source), checks the
    /// header, resolves PN_XNUM and checks the table against `limits` and the file size.
    #[inline(always)]
    pub fn open_with(source: R, limits: Limits) -> Result<Self, Error> {
        let mut slot = None;
        Self::open_in(&mut slot, source, limits)?;
        slot.ok_or(Error::BadMagic) // never taken: `open_in` filled the slot
    }

    /// [`ElfFile::open_with`] into caller-provided storage: the file (its head window
    /// included) is built and filled where it will stay, never moved. For callers short of
    /// stack: each move of an opened file out of a `Result` is a window-sized copy.
    ///
    /// On failure `slot` holds the partly opened file; only the returned reference means
    /// it was opened.
    ///
    /// ```
    /// # fn main() -> Result<(), elf_stream::Error> {
    /// let bytes = std::fs::read("/bin/ls").unwrap();
    /// let mut slot = None;
    /// let elf = elf_stream::ElfFile::<&[u8]>::open_in(&mut slot, &bytes[..], Default::default())?;
    /// assert!(elf.phnum() > 0);
    /// # Ok(()) }
    /// ```
    pub fn open_in(slot: &mut Option<Self>, source: R, limits: Limits) -> Result<&mut Self, Error> {
        let file = slot.insert(ElfFile {
            source,
            header: FileHeader::PLACEHOLDER,
            phnum: 0,
            head: [0u8; W],
            head_len: 0,
        });
        let (header, head_len) = read_header(&file.source, &mut file.head, limits.header)?;
        file.header = header;
        file.phnum = u32::from(header.phnum);
        file.head_len = head_len;
        if header.phnum == PN_XNUM && limits.extended_count == ExtendedCount::Resolve {
            file.phnum = file.extended_phnum()?;
        }
        file.check_table(limits)?;
        Ok(file)
    }

    /// The validated header.
    pub fn header(&self) -> &FileHeader {
        &self.header
    }

    /// Number of program headers (PN_XNUM resolved).
    pub fn phnum(&self) -> u32 {
        self.phnum
    }

    /// The source.
    pub fn source(&self) -> &R {
        &self.source
    }

    /// Gives the source back.
    pub fn into_source(self) -> R {
        self.source
    }

    /// Iterates the program headers in table order.
    pub fn program_headers(&self) -> ProgramHeaders<'_, R, W> {
        ProgramHeaders::new(self)
    }

    /// Program header `index`.
    pub fn program_header(&self, index: u32) -> Result<ProgramHeader, Error> {
        if let Some(ph) = self.program_header_in_window(index) {
            return Ok(ph);
        }
        let class = self.header.class;
        let mut buf = [0u8; 56];
        let entry = buf.get_mut(..class.program_header_size()).unwrap_or_default();
        self.read_exact_at(self.program_header_offset(index)?, entry)?;
        ProgramHeader::decode(entry, class, self.header.endian, index)
            .ok_or(Error::NoSuchProgramHeader { index, count: self.phnum })
    }

    /// Fills `buf` with the file's bytes at `offset`: from the head window when it holds
    /// them, else from the source (looping over short reads).
    pub fn read_exact_at(&self, offset: FileOffset, buf: &mut [u8]) -> Result<(), Error> {
        if let Some(bytes) = self.window(offset.0, buf.len() as u64) {
            buf.copy_from_slice(bytes);
            return Ok(());
        }
        crate::source::read_exact_at(&self.source, offset.0, buf)
    }

    /// The file's size when the source knows it.
    pub fn file_size(&self) -> Option<u64> {
        self.source.size()
    }

    /// Checks that `range` lies inside the file (when its size is known) and does not overflow.
    pub fn check_in_file(&self, range: crate::FileRange, index: u32) -> Result<(), Error> {
        let end = range.end().ok_or(Error::SegmentOutsideFile { index })?;
        match self.file_size() {
            Some(size) if end > size => Err(Error::SegmentOutsideFile { index }),
            _ => Ok(()),
        }
    }

    /// The head window's bytes for `offset..offset+len`, if it holds all of them.
    #[inline]
    pub(crate) fn window(&self, offset: u64, len: u64) -> Option<&[u8]> {
        let start = usize::try_from(offset).ok()?;
        let len = usize::try_from(len).ok()?;
        self.head.get(..self.head_len)?.get(start..)?.get(..len)
    }

    #[inline]
    pub(crate) fn program_header_offset(&self, index: u32) -> Result<FileOffset, Error> {
        let count = self.phnum;
        let missing = Error::NoSuchProgramHeader { index, count };
        if index >= count {
            return Err(missing);
        }
        let rel = u64::from(index).checked_mul(self.header.class.program_header_size() as u64);
        rel.and_then(|r| self.header.phoff.checked_add(r)).ok_or(missing)
    }

    /// The whole program header table, when the head window holds it.
    #[inline]
    pub(crate) fn table_in_window(&self) -> Option<&[u8]> {
        let size = u64::from(self.phnum).checked_mul(self.header.class.program_header_size() as u64)?;
        self.window(self.header.phoff.0, size)
    }

    #[inline]
    pub(crate) fn program_header_in_window(&self, index: u32) -> Option<ProgramHeader> {
        let class = self.header.class;
        let offset = self.program_header_offset(index).ok()?;
        let bytes = self.window(offset.0, class.program_header_size() as u64)?;
        ProgramHeader::decode(bytes, class, self.header.endian, index)
    }

    /// The real count for PN_XNUM: `sh_info` of section header 0.
    fn extended_phnum(&self) -> Result<u32, Error> {
        let class = self.header.class;
        if self.header.shoff.0 == 0 || usize::from(self.header.shentsize) != class.section_header_size() {
            return Err(Error::BadExtendedPhnum);
        }
        let at = self.header.shoff.checked_add(if class == crate::Class::Elf32 { 28 } else { 44 });
        let at = at.ok_or(Error::BadExtendedPhnum)?;
        // Section header 0 must lie inside the file.
        let sh_end = self.header.shoff.checked_add(class.section_header_size() as u64);
        match (sh_end, self.file_size()) {
            (None, _) => return Err(Error::BadExtendedPhnum),
            (Some(end), Some(size)) if end.get() > size => return Err(Error::BadExtendedPhnum),
            _ => {}
        }
        let mut info = [0u8; 4];
        self.read_exact_at(at, &mut info).map_err(|e| match e {
            Error::Truncated { .. } => Error::BadExtendedPhnum,
            other => other,
        })?;
        Ok(self.header.endian.u32(info))
    }

    fn check_table(&self, limits: Limits) -> Result<(), Error> {
        let offset = self.header.phoff.0;
        let size = u64::from(self.phnum).saturating_mul(self.header.class.program_header_size() as u64);
        if size > u64::from(limits.max_phdr_table) {
            return Err(Error::ProgramHeaderTableTooLarge { size, cap: limits.max_phdr_table });
        }
        let outside = Error::ProgramHeaderTableOutsideFile { offset, size };
        let end = offset.checked_add(size).ok_or(outside)?;
        match self.file_size() {
            Some(file_size) if end > file_size => Err(outside),
            _ => Ok(()),
        }
    }
}

/// Reads and parses the file header, filling as much of `head` as one read gives.
///
/// A window smaller than the class's header is allowed (a kernel short of stack may want
/// none): the header is then read into a local buffer and `head` keeps its first bytes.
fn read_header<R: ReadAt>(
    source: &R,
    head: &mut [u8],
    rule: HeaderRule,
) -> Result<(FileHeader, usize), Error> {
    const MAX_HEADER: usize = 64;
    if head.len() >= MAX_HEADER {
        let len = read_head(source, head, rule)?;
        let header = FileHeader::parse_with(head.get(..len).unwrap_or_default(), rule)?;
        return Ok((header, len));
    }
    let mut buf = [0u8; MAX_HEADER];
    let len = read_head(source, &mut buf, rule)?;
    let header = FileHeader::parse_with(buf.get(..len).unwrap_or_default(), rule)?;
    let keep = len.min(head.len());
    if let (Some(dst), Some(src)) = (head.get_mut(..keep), buf.get(..keep)) {
        dst.copy_from_slice(src);
    }
    Ok((header, keep))
}

/// Reads the head window: asks for all of it, insists only on the identification bytes and
/// then on the class's header, so a typical file costs one call and a tiny one still opens.
fn read_head<R: ReadAt>(source: &R, head: &mut [u8], rule: HeaderRule) -> Result<usize, Error> {
    let len = read_up_to(source, 0, head, EI_NIDENT)?;
    // Judge the bytes that exist: a 3-byte text file is "not ELF", not "truncated".
    let (class, _) = parse_ident_with(head.get(..len).unwrap_or_default(), rule)?;
    let need = class.header_size();
    if len >= need {
        return Ok(len);
    }
    let rest = head.get_mut(len..).unwrap_or_default();
    let more = read_at_least(source, len as u64, rest, need.saturating_sub(len)).map_err(|e| match e {
        Error::Truncated { .. } => Error::Truncated { offset: 0, len: need as u64 },
        other => other,
    })?;
    Ok(len.saturating_add(more))
}
