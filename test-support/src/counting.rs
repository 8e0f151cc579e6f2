//! `CountingSpace`: an address space that accepts everything and only counts — for
//! benchmarks and stack measurements, where the library's own cost is the point.

use elf_stream::{Errno, FileOffset};
use exec_core::{AddrRange, AddressSpace, MappingFlags, Prot, Role, UserAddr};

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
        self.calls += 1;
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
        self.written += bytes.len() as u64;
        self.call()
    }

    fn protect(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> {
        self.call()
    }

    fn unmap(&mut self, _: AddrRange) -> Result<(), Errno> {
        self.call()
    }
}
