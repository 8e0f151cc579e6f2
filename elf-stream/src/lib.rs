//! # elf-stream
//!
//! A zero-allocation, streaming ELF reader for exec loaders. Every byte comes through a
//! [`ReadAt`] source (`pread`-like, short reads allowed); nothing is buffered beyond a
//! small fixed head window, and stack use does not depend on the file.
//!
//! It reads what an exec path needs — file header, program headers (PN_XNUM resolved),
//! PT_INTERP, notes and GNU properties, MIPS ABI flags and option records — for ELF32 and
//! ELF64, little and big endian, chosen at run time. It validates structure and leaves
//! policy (which machine, which type, where to load) to its caller.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use elf_stream::{Counting, ElfFile};
//! let bytes = std::fs::read("/bin/ls")?;
//! let source = Counting::new(&bytes[..]);
//! let elf: ElfFile<_> = ElfFile::open(&source)?;
//! for ph in elf.program_headers() {
//!     let ph = ph?;
//!     println!("{} {} {:#x}", ph.kind, ph.flags, ph.vaddr.get());
//! }
//! assert_eq!(source.calls(), 1); // header + program headers in one read
//! # Ok(()) }
//! ```
#![no_std]
#![forbid(unsafe_code)]

#[cfg(feature = "std")]
extern crate std;

mod code;
mod decode;
mod errno;
mod error;
mod file;
mod header;
mod interp;
mod mips;
mod note;
mod program;
mod source;
mod types;

pub use code::ErrorCode;
pub use errno::{Errno, Numbering};
pub use error::Error;
pub use file::{ElfFile, ExtendedCount, HeaderRule, Limits, DEFAULT_WINDOW, MAX_PHDR_TABLE};
pub use header::{parse_ident, parse_ident_with, FileHeader, EI_NIDENT, ELF_MAGIC, PN_XNUM};
pub use interp::PATH_MAX;
pub use mips::{MipsAbiFlags, MipsOption, MipsOptions, OptionKind, ABIFLAGS_SIZE, OPTION_HEADER_SIZE};
pub use note::{
    aarch64_feature, riscv_feature, x86_feature, GnuProperties, Note, Notes,
    GNU_PROPERTY_AARCH64_FEATURE_1_AND, GNU_PROPERTY_RISCV_FEATURE_1_AND, GNU_PROPERTY_X86_FEATURE_1_AND,
    MAX_PROPERTY_SEGMENT, NT_GNU_PROPERTY_TYPE_0,
};
pub use program::{ProgramHeader, ProgramHeaders};
pub use source::{read_at_least, read_exact_at, read_up_to, Counting, ReadAt, ReadFailure};
pub use types::{
    Class, ElfType, Endian, FileOffset, FileRange, Machine, ProgramType, SegmentFlags, VirtAddr,
};
