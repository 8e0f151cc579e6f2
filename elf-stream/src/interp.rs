//! PT_INTERP: the path of the program interpreter (the dynamic linker).

use crate::{ElfFile, Error, ProgramHeader, ProgramType, ReadAt};

/// Linux's PATH_MAX: the default capacity for interpreter paths.
pub const PATH_MAX: usize = 4096;

impl<R: ReadAt, const W: usize> ElfFile<R, W> {
    /// The PT_INTERP program header, if any; a second one is an error.
    pub fn interpreter_header(&self) -> Result<Option<ProgramHeader>, Error> {
        self.unique_segment(ProgramType::INTERP).map_err(|e| match e {
            Error::DuplicateSegment { index, .. } => Error::DuplicateInterpreter { index },
            other => other,
        })
    }

    /// Reads the interpreter path into `buf` and returns it without its NUL, or `None` for a
    /// static executable. `buf.len()` is the capacity (use [`PATH_MAX`] for Linux's).
    ///
    /// Rules: `2 <= p_filesz <= buf.len()`, inside the file, last byte NUL, no NUL before it.
    pub fn interpreter<'b>(&self, buf: &'b mut [u8]) -> Result<Option<&'b [u8]>, Error> {
        let Some(ph) = self.interpreter_header()? else { return Ok(None) };
        let len = ph.filesz;
        let dst = path_bytes(len, buf)?;
        self.check_in_file(ph.file_range(), ph.index)?;
        self.read_exact_at(ph.offset, dst)?;
        let path = without_nul(dst, len)?;
        if let Some(at) = path.iter().position(|&b| b == 0) {
            return Err(Error::InterpreterEmbeddedNul { at: at as u64 });
        }
        Ok(Some(path))
    }

    /// The interpreter path as Linux's `load_elf_binary` reads it: the first PT_INTERP
    /// (later ones are ignored), `2 <= p_filesz <= buf.len()` (ENOEXEC), read whole (a
    /// file ending before it: [`Error::ShortRead`], EIO), its last byte NUL (ENOEXEC); the
    /// path is what precedes the first NUL (possibly empty: opening it then fails).
    pub fn first_interpreter<'b>(&self, buf: &'b mut [u8]) -> Result<Option<&'b [u8]>, Error> {
        let mut found = None;
        for ph in self.program_headers() {
            let ph = ph?;
            if ph.kind == ProgramType::INTERP {
                found = Some(ph);
                break;
            }
        }
        let Some(ph) = found else { return Ok(None) };
        let len = ph.filesz;
        let dst = path_bytes(len, buf)?;
        // kernel_read refuses a position past the largest file offset (EINVAL).
        if ph.offset.0.checked_add(len).is_none_or(|end| end > i64::MAX as u64) {
            return Err(Error::BadReadOffset { offset: ph.offset.0 });
        }
        let short = Error::ShortRead { offset: ph.offset.0, len };
        if self.check_in_file(ph.file_range(), ph.index).is_err() {
            return Err(short);
        }
        self.read_exact_at(ph.offset, dst).map_err(|e| match e {
            Error::Truncated { .. } => short,
            other => other,
        })?;
        let path = without_nul(dst, len)?;
        let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
        Ok(path.get(..end))
    }

    /// The last program header of type `kind`, if any (Linux keeps the last it sees).
    pub fn last_segment(&self, kind: ProgramType) -> Result<Option<ProgramHeader>, Error> {
        let mut found = None;
        for ph in self.program_headers() {
            let ph = ph?;
            if ph.kind == kind {
                found = Some(ph);
            }
        }
        Ok(found)
    }

    /// The only program header of type `kind`, if any; a second one is
    /// [`Error::DuplicateSegment`].
    // Out of line: its program header walk is off the stack while the caller reads what
    // it found (the GNU property note, the interpreter path).
    #[inline(never)]
    pub fn unique_segment(&self, kind: ProgramType) -> Result<Option<ProgramHeader>, Error> {
        let mut found: Option<ProgramHeader> = None;
        for ph in self.program_headers() {
            let ph = ph?;
            if ph.kind != kind {
                continue;
            }
            if found.is_some() {
                return Err(Error::DuplicateSegment {
                    kind: kind.name().unwrap_or("processor-specific"),
                    index: ph.index,
                });
            }
            found = Some(ph);
        }
        Ok(found)
    }
}

/// The `len` bytes of `buf` a PT_INTERP of `p_filesz` `len` is read into: at least a
/// character and its NUL, at most the buffer.
fn path_bytes(len: u64, buf: &mut [u8]) -> Result<&mut [u8], Error> {
    if len < 2 {
        return Err(Error::InterpreterTooShort { len });
    }
    let cap = buf.len() as u64;
    usize::try_from(len).ok().and_then(|n| buf.get_mut(..n)).ok_or(Error::InterpreterTooLong { len, cap })
}

/// The path read, without the NUL Linux requires as its last byte.
fn without_nul(read: &[u8], len: u64) -> Result<&[u8], Error> {
    match read.split_last() {
        Some((0, path)) => Ok(path),
        Some(_) => Err(Error::InterpreterNotTerminated),
        None => Err(Error::InterpreterTooShort { len }),
    }
}
