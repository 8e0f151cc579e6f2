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
    #[inline]
    pub(crate) const fn new(data: &'a [u8], endian: Endian) -> Self {
        Self { data, endian }
    }

    #[inline]
    fn array<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        self.data.get(at..)?.get(..N)?.try_into().ok()
    }

    #[inline]
    pub(crate) fn u8(&self, at: usize) -> Option<u8> {
        self.data.get(at).copied()
    }

    #[inline]
    pub(crate) fn u16(&self, at: usize) -> Option<u16> {
        self.array(at).map(|b| self.endian.u16(b))
    }

    #[inline]
    pub(crate) fn u32(&self, at: usize) -> Option<u32> {
        self.array(at).map(|b| self.endian.u32(b))
    }

    #[inline]
    pub(crate) fn u64(&self, at: usize) -> Option<u64> {
        self.array(at).map(|b| self.endian.u64(b))
    }

    /// A class-sized word (`Elf32_Addr`/`Elf64_Addr`, `_Off`, `_Xword`), widened to `u64`;
    /// `at32` and `at64` are its offsets in the two layouts.
    #[inline]
    pub(crate) fn word(&self, class: Class, at32: usize, at64: usize) -> Option<u64> {
        match class {
            Class::Elf32 => self.u32(at32).map(u64::from),
            Class::Elf64 => self.u64(at64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Fields;
    use crate::{Class, Endian};

    #[test]
    fn fields_in_both_orders() {
        let data = [1u8, 2, 3, 4, 5, 6, 7, 8, 9];
        let le = Fields::new(&data, Endian::Little);
        let be = Fields::new(&data, Endian::Big);
        assert_eq!(le.u8(8), Some(9));
        assert_eq!(le.u16(1), Some(0x0302));
        assert_eq!(be.u16(1), Some(0x0203));
        assert_eq!(le.u32(5), Some(0x0908_0706));
        assert_eq!(be.u32(0), Some(0x0102_0304));
        assert_eq!(le.u64(1), Some(0x0908_0706_0504_0302));
        assert_eq!(be.word(Class::Elf32, 0, 99), Some(0x0102_0304));
        assert_eq!(be.word(Class::Elf64, 99, 0), Some(0x0102_0304_0506_0708));
    }

    #[test]
    fn fields_out_of_bounds_are_none() {
        let data = [0u8; 8];
        let f = Fields::new(&data, Endian::Little);
        assert_eq!(f.u8(8), None);
        assert_eq!(f.u16(7), None);
        assert_eq!(f.u32(5), None);
        assert_eq!(f.u64(1), None);
        assert_eq!(f.u64(usize::MAX), None);
        assert_eq!(f.word(Class::Elf64, 0, 4), None);
        assert_eq!(f.word(Class::Elf32, 6, 0), None);
    }
}
