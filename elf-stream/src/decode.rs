//! The tiny decoding layer: fixed-size fields out of byte slices, in the file's byte order.
//! Every access is bounds-checked and returns `None` instead of panicking.

use crate::{Class, Endian};

/// Reads fields of one structure held in `data`.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    data: &'a [u8],
    endian: Endian,
}

impl<'a> Fields<'a> {
    pub(crate) const fn new(data: &'a [u8], endian: Endian) -> Self {
        Self { data, endian }
    }

    fn array<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        self.data.get(at..)?.get(..N)?.try_into().ok()
    }

    pub(crate) fn u8(&self, at: usize) -> Option<u8> {
        self.data.get(at).copied()
    }

    pub(crate) fn u16(&self, at: usize) -> Option<u16> {
        self.array(at).map(|b| self.endian.u16(b))
    }

    pub(crate) fn u32(&self, at: usize) -> Option<u32> {
        self.array(at).map(|b| self.endian.u32(b))
    }

    pub(crate) fn u64(&self, at: usize) -> Option<u64> {
        self.array(at).map(|b| self.endian.u64(b))
    }

    /// A class-sized word (`Elf32_Addr`/`Elf64_Addr`, `_Off`, `_Xword`), widened to `u64`;
    /// `at32` and `at64` are its offsets in the two layouts.
    pub(crate) fn word(&self, class: Class, at32: usize, at64: usize) -> Option<u64> {
        match class {
            Class::Elf32 => self.u32(at32).map(u64::from),
            Class::Elf64 => self.u64(at64),
        }
    }
}
