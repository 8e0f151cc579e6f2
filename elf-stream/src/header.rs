//! The ELF file header (`Elf32_Ehdr` / `Elf64_Ehdr`).

use crate::decode::Fields;
use crate::{Class, ElfType, Endian, Error, FileOffset, HeaderRule, Machine, VirtAddr};

/// `\x7fELF`.
pub const ELF_MAGIC: [u8; 4] = *b"\x7fELF";
/// Size of `e_ident`.
pub const EI_NIDENT: usize = 16;
/// `e_phnum` value meaning "the real count is in section header 0's `sh_info`".
pub const PN_XNUM: u16 = 0xffff;

/// A validated file header, decoded into native integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileHeader {
    /// `EI_CLASS`.
    pub class: Class,
    /// `EI_DATA`.
    pub endian: Endian,
    /// `EI_OSABI`.
    pub os_abi: u8,
    /// `EI_ABIVERSION`.
    pub abi_version: u8,
    /// `e_type`, any value (the planner decides what it accepts).
    pub elf_type: ElfType,
    /// `e_machine`.
    pub machine: Machine,
    /// `e_entry`.
    pub entry: VirtAddr,
    /// `e_phoff`.
    pub phoff: FileOffset,
    /// `e_shoff`.
    pub shoff: FileOffset,
    /// `e_flags`.
    pub flags: u32,
    /// `e_ehsize`.
    pub ehsize: u16,
    /// `e_phentsize`.
    pub phentsize: u16,
    /// `e_phnum` as stored (may be [`PN_XNUM`]; see `ElfFile::phnum` for the count).
    pub phnum: u16,
    /// `e_shentsize`.
    pub shentsize: u16,
    /// `e_shnum`.
    pub shnum: u16,
    /// `e_shstrndx`.
    pub shstrndx: u16,
}

/// The header's fields from `f` (the whole header of `class`), and `e_version`.
#[inline(always)]
fn decode_fields(f: Fields<'_>, class: Class, endian: Endian) -> (FileHeader, u32) {
    // Within the header every field exists; `unwrap_or(0)` is never taken.
    let u16_at = |a32: usize, a64: usize| f.u16(if class == Class::Elf32 { a32 } else { a64 }).unwrap_or(0);
    let header = FileHeader {
        class,
        endian,
        os_abi: f.u8(7).unwrap_or(0),
        abi_version: f.u8(8).unwrap_or(0),
        elf_type: ElfType(f.u16(16).unwrap_or(0)),
        machine: Machine(f.u16(18).unwrap_or(0)),
        entry: VirtAddr(f.word(class, 24, 24).unwrap_or(0)),
        phoff: FileOffset(f.word(class, 28, 32).unwrap_or(0)),
        shoff: FileOffset(f.word(class, 32, 40).unwrap_or(0)),
        flags: f.u32(if class == Class::Elf32 { 36 } else { 48 }).unwrap_or(0),
        ehsize: u16_at(40, 52),
        phentsize: u16_at(42, 54),
        phnum: u16_at(44, 56),
        shentsize: u16_at(46, 58),
        shnum: u16_at(48, 60),
        shstrndx: u16_at(50, 62),
    };
    (header, f.u32(20).unwrap_or(0))
}

/// Checks `e_ident` (magic, class, data, version) from its first bytes.
///
/// `ident` may be shorter than 16 bytes; whatever is present is checked and a short
/// ident that is right so far is [`Error::Truncated`].
#[inline]
pub fn parse_ident(ident: &[u8]) -> Result<(Class, Endian), Error> {
    // Byte by byte, not a slice comparison: that is a `memcmp` call for four bytes.
    if ident.iter().zip(ELF_MAGIC.iter()).any(|(a, b)| a != b) {
        return Err(Error::BadMagic);
    }
    let truncated = Error::Truncated { offset: 0, len: EI_NIDENT as u64 };
    let byte = |i: usize| ident.get(i).copied().ok_or(truncated);
    let class_byte = byte(4)?;
    let class = Class::from_ident(class_byte).ok_or(Error::BadClass(class_byte))?;
    let data_byte = byte(5)?;
    let endian = Endian::from_ident(data_byte).ok_or(Error::BadEncoding(data_byte))?;
    let version = byte(6)?;
    if version != 1 {
        return Err(Error::BadIdentVersion(version));
    }
    if ident.len() < EI_NIDENT {
        return Err(truncated);
    }
    Ok((class, endian))
}

/// [`parse_ident`] under `rule`: [`HeaderRule::Native`] checks the magic and takes the
/// class and byte order the kernel reads (`EI_CLASS` must be valid when the rule names no
/// class); `EI_DATA` and `EI_VERSION` are not looked at.
#[inline]
pub fn parse_ident_with(ident: &[u8], rule: HeaderRule) -> Result<(Class, Endian), Error> {
    let HeaderRule::Native { class, endian } = rule else { return parse_ident(ident) };
    if ident.iter().zip(ELF_MAGIC.iter()).any(|(a, b)| a != b) {
        return Err(Error::BadMagic);
    }
    let truncated = Error::Truncated { offset: 0, len: EI_NIDENT as u64 };
    let class = match class {
        Some(c) => c,
        None => {
            let b = ident.get(4).copied().ok_or(truncated)?;
            Class::from_ident(b).ok_or(Error::BadClass(b))?
        }
    };
    let endian = match endian {
        Some(e) => e,
        None => {
            let b = ident.get(5).copied().ok_or(truncated)?;
            Endian::from_ident(b).ok_or(Error::BadEncoding(b))?
        }
    };
    if ident.len() < EI_NIDENT {
        return Err(truncated);
    }
    Ok((class, endian))
}

impl FileHeader {
    /// A header no file has (all zero, ELF64 little-endian); stands in while an
    /// [`ElfFile`](crate::ElfFile) is being opened, and is the base of headers made up for
    /// program headers that come without a file header.
    pub const PLACEHOLDER: FileHeader = FileHeader {
        class: Class::Elf64,
        endian: Endian::Little,
        os_abi: 0,
        abi_version: 0,
        elf_type: ElfType(0),
        machine: Machine(0),
        entry: VirtAddr(0),
        phoff: FileOffset(0),
        shoff: FileOffset(0),
        flags: 0,
        ehsize: 0,
        phentsize: 0,
        phnum: 0,
        shentsize: 0,
        shnum: 0,
        shstrndx: 0,
    };

    /// Decodes and validates the header at the start of `bytes`.
    ///
    /// Checks magic, `EI_CLASS`, `EI_DATA`, `EI_VERSION`, `e_version`, `e_ehsize` and
    /// `e_phentsize`; records `e_type` and the rest without judging them.
    ///
    /// ```
    /// # fn main() -> Result<(), elf_stream::Error> {
    /// let mut ehdr = [0u8; 64];
    /// ehdr[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    /// ehdr[16] = 2; // ET_EXEC
    /// ehdr[20] = 1; // e_version
    /// ehdr[52] = 64; // e_ehsize
    /// ehdr[54] = 56; // e_phentsize
    /// let h = elf_stream::FileHeader::parse(&ehdr)?;
    /// assert_eq!(h.elf_type, elf_stream::ElfType::EXEC);
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn parse(bytes: &[u8]) -> Result<FileHeader, Error> {
        Self::parse_with(bytes, HeaderRule::Strict)
    }

    /// [`FileHeader::parse`] under `rule` ([`HeaderRule::Native`]: the magic and
    /// `e_phentsize` are all that is judged; `e_version` and `e_ehsize` are not).
    #[inline]
    pub fn parse_with(bytes: &[u8], rule: HeaderRule) -> Result<FileHeader, Error> {
        let (class, endian) = parse_ident_with(bytes, rule)?;
        let size = class.header_size();
        let truncated = Error::Truncated { offset: 0, len: size as u64 };
        // One arm per class, so each decodes from a slice of constant length: the field
        // offsets are constants and their bounds checks fold away.
        let (header, version) = match class {
            Class::Elf64 => {
                decode_fields(Fields::new(bytes.get(..64).ok_or(truncated)?, endian), class, endian)
            }
            Class::Elf32 => {
                decode_fields(Fields::new(bytes.get(..52).ok_or(truncated)?, endian), class, endian)
            }
        };
        if rule == HeaderRule::Strict {
            if version != 1 {
                return Err(Error::BadVersion(version));
            }
            let expected = size as u16;
            if header.ehsize != expected {
                return Err(Error::BadHeaderSize { found: header.ehsize, expected });
            }
        }
        let expected = class.program_header_size() as u16;
        if header.phentsize != expected {
            return Err(Error::BadProgramHeaderSize { found: header.phentsize, expected });
        }
        Ok(header)
    }
}
