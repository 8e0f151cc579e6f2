//! The R5000 `cvt.s.l` / `cvt.d.l` scanner: finds the instructions a kernel must redirect
//! or rewrite in text pages marked [`MappingFlags::TEXT_PATCH`](exec_core::MappingFlags).

use elf_stream::Endian;

/// COP1 major opcode (bits 31..26).
pub const OP_COP1: u32 = 0x11;
/// COP1 format L: 64-bit fixed point (bits 25..21).
pub const FMT_L: u32 = 0x15;
/// Function `cvt.s` (bits 5..0).
pub const FUNCT_CVT_S: u32 = 0x20;
/// Function `cvt.d` (bits 5..0).
pub const FUNCT_CVT_D: u32 = 0x21;

/// Opcode, fmt and the `ft` field (zero in every `cvt`).
const MATCH_MASK: u32 = 0xffff_003f;
const BASE: u32 = (OP_COP1 << 26) | (FMT_L << 21);

/// Which conversion an instruction is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CvtL {
    /// `cvt.s.l fd, fs`.
    S,
    /// `cvt.d.l fd, fs`.
    D,
}

impl CvtL {
    /// The kind of `insn`, if it is `cvt.s.l` or `cvt.d.l` (fs and fd any, ft zero).
    pub const fn decode(insn: u32) -> Option<CvtL> {
        match insn & MATCH_MASK {
            x if x == BASE | FUNCT_CVT_S => Some(CvtL::S),
            x if x == BASE | FUNCT_CVT_D => Some(CvtL::D),
            _ => None,
        }
    }

    /// The instruction `cvt.[sd].l $f<fd>, $f<fs>`.
    pub const fn encode(self, fd: u8, fs: u8) -> u32 {
        let funct = match self {
            CvtL::S => FUNCT_CVT_S,
            CvtL::D => FUNCT_CVT_D,
        };
        BASE | (((fs & 31) as u32) << 11) | (((fd & 31) as u32) << 6) | funct
    }
}

/// Iterator over `(byte offset, kind)` of every `cvt.s.l` / `cvt.d.l` in a run of text
/// (instructions at 4-byte aligned offsets; a trailing partial word is ignored).
#[derive(Clone, Debug)]
pub struct CvtScan<'a> {
    words: core::slice::ChunksExact<'a, u8>,
    offset: u32,
    endian: Endian,
}

impl<'a> CvtScan<'a> {
    /// Scans `text` (the bytes of a page or any 4-byte aligned run) in byte order `endian`.
    pub fn new(text: &'a [u8], endian: Endian) -> Self {
        CvtScan { words: text.chunks_exact(4), offset: 0, endian }
    }
}

impl Iterator for CvtScan<'_> {
    type Item = (u32, CvtL);

    fn next(&mut self) -> Option<(u32, CvtL)> {
        for w in self.words.by_ref() {
            let at = self.offset;
            self.offset = self.offset.wrapping_add(4);
            let mut b = [0u8; 4];
            b.copy_from_slice(w);
            let insn = match self.endian {
                Endian::Little => u32::from_le_bytes(b),
                Endian::Big => u32::from_be_bytes(b),
            };
            if let Some(kind) = CvtL::decode(insn) {
                return Some((at, kind));
            }
        }
        None
    }
}

/// Finds every `cvt.s.l` and `cvt.d.l` in `page` (byte order `endian`), writes the byte
/// offsets of the first `out.len()` of them to `out`, in increasing order, and returns how
/// many there are in all (more than `out.len()` means `out` was too small).
///
/// ```
/// use arch_mips::cvt::{find_cvt_l, CvtL};
/// let mut page = [0u8; 16];
/// page[8..12].copy_from_slice(&CvtL::D.encode(2, 4).to_be_bytes());
/// let mut found = [0u32; 4];
/// assert_eq!(find_cvt_l(&page, elf_stream::Endian::Big, &mut found), 1);
/// assert_eq!(found[0], 8);
/// ```
pub fn find_cvt_l(page: &[u8], endian: Endian, out: &mut [u32]) -> usize {
    let mut n = 0usize;
    for (at, _) in CvtScan::new(page, endian) {
        if let Some(slot) = out.get_mut(n) {
            *slot = at;
        }
        n = n.saturating_add(1);
    }
    n
}
