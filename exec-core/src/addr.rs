//! Addresses in the new address space, page sizes and protections.

use core::fmt;

/// An address in the new process's address space (after the load bias).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct UserAddr(pub u64);

impl UserAddr {
    /// The raw value.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// `self + n`, or `None` on overflow.
    pub const fn checked_add(self, n: u64) -> Option<UserAddr> {
        match self.0.checked_add(n) {
            Some(v) => Some(UserAddr(v)),
            None => None,
        }
    }

    /// `self - n`, or `None` on underflow.
    pub const fn checked_sub(self, n: u64) -> Option<UserAddr> {
        match self.0.checked_sub(n) {
            Some(v) => Some(UserAddr(v)),
            None => None,
        }
    }
}

impl fmt::Display for UserAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

/// A half-open range of user addresses `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct AddrRange {
    /// First address.
    pub start: UserAddr,
    /// One past the last address.
    pub end: UserAddr,
}

impl AddrRange {
    /// `[start, end)`.
    pub const fn new(start: UserAddr, end: UserAddr) -> Self {
        Self { start, end }
    }

    /// Length in bytes (0 if inverted).
    pub const fn len(&self) -> u64 {
        self.end.0.saturating_sub(self.start.0)
    }

    /// Whether the range is empty.
    pub const fn is_empty(&self) -> bool {
        self.end.0 <= self.start.0
    }

    /// Whether `addr` lies inside.
    pub const fn contains(&self, addr: UserAddr) -> bool {
        self.start.0 <= addr.0 && addr.0 < self.end.0
    }

    /// Whether the two ranges share a byte.
    pub const fn overlaps(&self, other: &AddrRange) -> bool {
        self.start.0 < other.end.0 && other.start.0 < self.end.0
    }
}

/// A page size: a power of two of at least 4 KiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PageSize(u64);

impl PageSize {
    /// 4 KiB.
    pub const K4: PageSize = PageSize(4096);
    /// 16 KiB.
    pub const K16: PageSize = PageSize(16384);
    /// 64 KiB.
    pub const K64: PageSize = PageSize(65536);

    /// A page size, if `bytes` is a power of two between 4 KiB and 1 GiB.
    pub const fn new(bytes: u64) -> Option<PageSize> {
        if bytes.is_power_of_two() && bytes >= 4096 && bytes <= (1 << 30) {
            Some(PageSize(bytes))
        } else {
            None
        }
    }

    /// Bytes per page.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// `size - 1`: the in-page offset bits (the size is a power of two, never 0).
    const fn mask(self) -> u64 {
        self.0.wrapping_sub(1)
    }

    /// The offset of `v` inside its page.
    pub const fn offset(self, v: u64) -> u64 {
        v & self.mask()
    }

    /// `v` rounded down to a page boundary.
    pub const fn down(self, v: u64) -> u64 {
        v & !self.mask()
    }

    /// `v` rounded up to a page boundary, or `None` on overflow.
    pub const fn up(self, v: u64) -> Option<u64> {
        match v.checked_add(self.mask()) {
            Some(x) => Some(x & !self.mask()),
            None => None,
        }
    }
}

/// Memory protection of a mapping, with the arch bits a kernel maps to its page tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Prot(pub u32);

impl Prot {
    /// No access.
    pub const NONE: Prot = Prot(0);
    /// Readable.
    pub const READ: Prot = Prot(1);
    /// Writable.
    pub const WRITE: Prot = Prot(2);
    /// Executable.
    pub const EXEC: Prot = Prot(4);
    /// AArch64 Branch Target Identification guarded page (`PROT_BTI`).
    pub const BTI: Prot = Prot(8);

    /// The protection ELF segment flags ask for.
    pub const fn from_segment(flags: elf_stream::SegmentFlags) -> Prot {
        let mut p = 0;
        if flags.readable() {
            p |= 1;
        }
        if flags.writable() {
            p |= 2;
        }
        if flags.executable() {
            p |= 4;
        }
        Prot(p)
    }

    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: Prot) -> bool {
        self.0 & other.0 == other.0
    }

    /// Both sets of bits.
    pub const fn union(self, other: Prot) -> Prot {
        Prot(self.0 | other.0)
    }
}

impl fmt::Display for Prot {
    /// `r-x` style (BTI not shown).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = |bit: Prot, ch: &'static str| if self.contains(bit) { ch } else { "-" };
        write!(f, "{}{}{}", c(Prot::READ, "r"), c(Prot::WRITE, "w"), c(Prot::EXEC, "x"))
    }
}

/// Marks on a mapping beyond its protection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct MappingFlags(pub u32);

impl MappingFlags {
    /// Nothing special.
    pub const NONE: MappingFlags = MappingFlags(0);
    /// Text that must be patched for a CPU erratum before it may run.
    pub const TEXT_PATCH: MappingFlags = MappingFlags(1);

    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: MappingFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Both sets of bits.
    pub const fn union(self, other: MappingFlags) -> MappingFlags {
        MappingFlags(self.0 | other.0)
    }
}
