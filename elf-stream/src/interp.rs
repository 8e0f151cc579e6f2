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
        if len < 2 {
            return Err(Error::InterpreterTooShort { len });
        }
        let cap = buf.len() as u64;
        let Some(dst) = usize::try_from(len).ok().and_then(|n| buf.get_mut(..n)) else {
            return Err(Error::InterpreterTooLong { len, cap });
        };
        self.check_in_file(ph.file_range(), ph.index)?;
        self.read_exact_at(ph.offset, dst)?;
        let Some((&last, path)) = dst.split_last() else { return Err(Error::InterpreterTooShort { len }) };
        if last != 0 {
            return Err(Error::InterpreterNotTerminated);
        }
        if let Some(at) = path.iter().position(|&b| b == 0) {
            return Err(Error::InterpreterEmbeddedNul { at: at as u64 });
        }
        Ok(Some(path))
    }

    /// The only program header of type `kind`, if any; a second one is
    /// [`Error::DuplicateSegment`].
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
