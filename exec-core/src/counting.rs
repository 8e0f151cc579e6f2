//! `CountingSpace`: an address space that accepts everything and only counts — a dry run
//! of `load` and `write_stack` (what they would ask of a kernel), and the space the
//! benchmarks and stack measurements use, where the library's own cost is the point.

use crate::addr::{AddrRange, MappingFlags, Prot, UserAddr};
use crate::policy::Role;
use crate::space::AddressSpace;
use elf_stream::{Errno, FileOffset};

/// Accepts every operation and counts them; writes go nowhere. File mappings and lazy
/// registration succeed, so mapped and lazy loads cost what the library does.
#[derive(Debug, Default)]
pub struct CountingSpace {
    /// Operations performed.
    pub calls: u64,
    /// Bytes written (the partial pages a mapped load copies, the stack).
    pub written: u64,
}

impl CountingSpace {
    fn call(&mut self) -> Result<(), Errno> {
        self.calls = self.calls.saturating_add(1);
        Ok(())
    }
}

impl AddressSpace for CountingSpace {
    fn reserve(&mut self, _: AddrRange) -> Result<(), Errno> {
        self.call()
    }

    fn map_anonymous(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> {
        self.call()
    }

    fn map_file(
        &mut self,
        _: AddrRange,
        _: Role,
        _: FileOffset,
        _: Prot,
        _: MappingFlags,
    ) -> Result<(), Errno> {
        self.call()
    }

    fn map_lazy(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> {
        self.call()
    }

    fn write(&mut self, _: UserAddr, bytes: &[u8]) -> Result<(), Errno> {
        self.written = self.written.saturating_add(bytes.len() as u64);
        self.call()
    }

    fn protect(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> {
        self.call()
    }

    fn unmap(&mut self, _: AddrRange) -> Result<(), Errno> {
        self.call()
    }
}
