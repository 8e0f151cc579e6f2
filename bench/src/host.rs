//! `MemHost`: an [`ExecHost`] that serves the interpreter from memory (so `prepare`
//! benchmarks time the library, not `open(2)`), with deterministic entropy.

use elf_stream::{Counting, Errno};
use exec_core::{ExecHost, OpenedFile};

/// Serves one interpreter image, whatever path PT_INTERP names; counts its reads.
#[derive(Clone, Copy, Debug)]
pub struct MemHost<'a> {
    interp: &'a [u8],
}

impl<'a> MemHost<'a> {
    /// A host whose interpreter is `interp`.
    pub fn new(interp: &'a [u8]) -> Self {
        MemHost { interp }
    }
}

impl<'a> ExecHost for MemHost<'a> {
    type Interp = Counting<&'a [u8]>;

    fn open_interpreter(&mut self, _path: &[u8]) -> Result<OpenedFile<Self::Interp>, Errno> {
        Ok(OpenedFile { source: Counting::new(self.interp), id: None })
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        buf.fill(0x5a);
        Ok(())
    }
}
