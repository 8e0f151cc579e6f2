//! On-disk constants and addresses as open newtypes: unknown values stay representable.

use core::fmt;

/// ELF class (`EI_CLASS`): the word size of the file's structures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// `ELFCLASS32`.
    Elf32,
    /// `ELFCLASS64`.
    Elf64,
}

impl Class {
    /// The class for an `EI_CLASS` byte, if valid.
    pub const fn from_ident(byte: u8) -> Option<Class> {
        match byte {
            1 => Some(Class::Elf32),
            2 => Some(Class::Elf64),
            _ => None,
        }
    }

    /// Size of the file header (`e_ehsize` must equal it).
    pub const fn header_size(self) -> usize {
        match self {
            Class::Elf32 => 52,
            Class::Elf64 => 64,
        }
    }

    /// Size of one program header (`e_phentsize` must equal it).
    pub const fn program_header_size(self) -> usize {
        match self {
            Class::Elf32 => 32,
            Class::Elf64 => 56,
        }
    }

    /// Size of one section header.
    pub const fn section_header_size(self) -> usize {
        match self {
            Class::Elf32 => 40,
            Class::Elf64 => 64,
        }
    }

    /// Alignment of GNU property records (`ELF_GNU_PROPERTY_ALIGN`).
    pub const fn property_align(self) -> usize {
        match self {
            Class::Elf32 => 4,
            Class::Elf64 => 8,
        }
    }

    /// "ELF32" or "ELF64".
    pub const fn name(self) -> &'static str {
        match self {
            Class::Elf32 => "ELF32",
            Class::Elf64 => "ELF64",
        }
    }
}

/// Byte order (`EI_DATA`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endian {
    /// `ELFDATA2LSB`.
    Little,
    /// `ELFDATA2MSB`.
    Big,
}

impl Endian {
    /// The byte order for an `EI_DATA` byte, if valid.
    pub const fn from_ident(byte: u8) -> Option<Endian> {
        match byte {
            1 => Some(Endian::Little),
            2 => Some(Endian::Big),
            _ => None,
        }
    }

    /// "little" or "big".
    pub const fn name(self) -> &'static str {
        match self {
            Endian::Little => "little",
            Endian::Big => "big",
        }
    }

    /// Decodes a `u16`.
    #[inline]
    pub const fn u16(self, b: [u8; 2]) -> u16 {
        match self {
            Endian::Little => u16::from_le_bytes(b),
            Endian::Big => u16::from_be_bytes(b),
        }
    }

    /// Decodes a `u32`.
    #[inline]
    pub const fn u32(self, b: [u8; 4]) -> u32 {
        match self {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        }
    }

    /// Decodes a `u64`.
    #[inline]
    pub const fn u64(self, b: [u8; 8]) -> u64 {
        match self {
            Endian::Little => u64::from_le_bytes(b),
            Endian::Big => u64::from_be_bytes(b),
        }
    }
}

macro_rules! open_newtype {
    ($(#[$m:meta])* $name:ident($inner:ty) { $($(#[$cm:meta])* $c:ident = $v:expr => $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub $inner);

        impl $name {
            $($(#[$cm])* pub const $c: $name = $name($v);)*

            /// The raw value.
            pub const fn get(self) -> $inner {
                self.0
            }

            /// The conventional name of a known value, or `None`.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $(v if v == $v => Some($s),)*
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{:#x}", self.0),
                }
            }
        }
    };
}

open_newtype! {
    /// Object file type (`e_type`).
    ElfType(u16) {
        /// No file type.
        NONE = 0 => "NONE",
        /// Relocatable file.
        REL = 1 => "REL",
        /// Executable linked at a fixed address.
        EXEC = 2 => "EXEC",
        /// Shared object or position-independent executable.
        DYN = 3 => "DYN",
        /// Core dump.
        CORE = 4 => "CORE",
    }
}

open_newtype! {
    /// Machine (`e_machine`).
    Machine(u16) {
        /// Intel 80386.
        I386 = 3 => "EM_386",
        /// MIPS (both endiannesses, all ABIs).
        MIPS = 8 => "EM_MIPS",
        /// MIPS R3000 little endian (obsolete).
        MIPS_RS3_LE = 10 => "EM_MIPS_RS3_LE",
        /// 32-bit Arm.
        ARM = 40 => "EM_ARM",
        /// x86-64.
        X86_64 = 62 => "EM_X86_64",
        /// 64-bit Arm.
        AARCH64 = 183 => "EM_AARCH64",
        /// RISC-V.
        RISCV = 243 => "EM_RISCV",
    }
}

open_newtype! {
    /// Program header type (`p_type`). Processor-specific values share numbers across
    /// machines; the names given here are the MIPS ones.
    ProgramType(u32) {
        /// Unused entry.
        NULL = 0 => "NULL",
        /// Loadable segment.
        LOAD = 1 => "LOAD",
        /// Dynamic linking information.
        DYNAMIC = 2 => "DYNAMIC",
        /// Path of the program interpreter.
        INTERP = 3 => "INTERP",
        /// Notes.
        NOTE = 4 => "NOTE",
        /// Reserved.
        SHLIB = 5 => "SHLIB",
        /// The program header table itself.
        PHDR = 6 => "PHDR",
        /// Thread-local storage template.
        TLS = 7 => "TLS",
        /// `.eh_frame_hdr`.
        GNU_EH_FRAME = 0x6474_e550 => "GNU_EH_FRAME",
        /// Stack executability request.
        GNU_STACK = 0x6474_e551 => "GNU_STACK",
        /// Read-only after relocation.
        GNU_RELRO = 0x6474_e552 => "GNU_RELRO",
        /// GNU property note (`.note.gnu.property`).
        GNU_PROPERTY = 0x6474_e553 => "GNU_PROPERTY",
        /// MIPS register usage information.
        MIPS_REGINFO = 0x7000_0000 => "MIPS_REGINFO",
        /// MIPS runtime procedure table.
        MIPS_RTPROC = 0x7000_0001 => "MIPS_RTPROC",
        /// MIPS option records (`.MIPS.options`).
        MIPS_OPTIONS = 0x7000_0002 => "MIPS_OPTIONS",
        /// MIPS ABI flags (`.MIPS.abiflags`).
        MIPS_ABIFLAGS = 0x7000_0003 => "MIPS_ABIFLAGS",
    }
}

/// Segment permissions (`p_flags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct SegmentFlags(pub u32);

impl SegmentFlags {
    /// Execute.
    pub const X: SegmentFlags = SegmentFlags(1);
    /// Write.
    pub const W: SegmentFlags = SegmentFlags(2);
    /// Read.
    pub const R: SegmentFlags = SegmentFlags(4);

    /// The raw value.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: SegmentFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// `PF_R` set.
    pub const fn readable(self) -> bool {
        self.contains(Self::R)
    }

    /// `PF_W` set.
    pub const fn writable(self) -> bool {
        self.contains(Self::W)
    }

    /// `PF_X` set.
    pub const fn executable(self) -> bool {
        self.contains(Self::X)
    }
}

impl fmt::Display for SegmentFlags {
    /// `r-x` style.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = |on: bool, ch: &'static str| if on { ch } else { "-" };
        write!(f, "{}{}{}", c(self.readable(), "r"), c(self.writable(), "w"), c(self.executable(), "x"))
    }
}

/// A virtual address in the file's address space (before any load bias).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct VirtAddr(pub u64);

/// A byte offset in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileOffset(pub u64);

macro_rules! addr_ops {
    ($t:ident) => {
        impl $t {
            /// The raw value.
            pub const fn get(self) -> u64 {
                self.0
            }

            /// `self + n`, or `None` on overflow.
            pub const fn checked_add(self, n: u64) -> Option<$t> {
                match self.0.checked_add(n) {
                    Some(v) => Some($t(v)),
                    None => None,
                }
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:#x}", self.0)
            }
        }
    };
}
addr_ops!(VirtAddr);
addr_ops!(FileOffset);

/// A byte range of the file: where a segment's or record's bytes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct FileRange {
    /// First byte.
    pub offset: FileOffset,
    /// Length in bytes.
    pub size: u64,
}

impl FileRange {
    /// One past the last byte, or `None` on overflow.
    pub const fn end(self) -> Option<u64> {
        self.offset.0.checked_add(self.size)
    }
}
