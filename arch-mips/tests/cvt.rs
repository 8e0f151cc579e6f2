//! The R5000 `cvt.[ds].l` scanner: encodings as GNU as emits them (mips64-linux-gnuabi64-as
//! -march=mips64r2), both byte orders, offsets, capacity, partial words, and real text.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use arch_mips::cvt::{find_cvt_l, CvtL, CvtScan};
use common::objdump_cvt;
use elf_stream::Endian;

/// (word, what GNU as disassembles it to).
const WORDS: [(u32, Option<CvtL>); 8] = [
    (0x46a0_1020, Some(CvtL::S)), // cvt.s.l $f0,$f2
    (0x46a0_3121, Some(CvtL::D)), // cvt.d.l $f4,$f6
    (0x4680_3121, None),          // cvt.d.w $f4,$f6 (fmt W)
    (0x4620_3125, None),          // cvt.l.d $f4,$f6 (the other direction)
    (0x4620_1860, None),          // cvt.s.d $f1,$f3
    (0x46a0_f7e1, Some(CvtL::D)), // cvt.d.l $f31,$f30
    (0x0000_0000, None),          // nop
    (0x46a1_3121, None),          // ft != 0: not a cvt
];

fn page(words: &[u32], endian: Endian) -> Vec<u8> {
    words
        .iter()
        .flat_map(|w| match endian {
            Endian::Big => w.to_be_bytes(),
            Endian::Little => w.to_le_bytes(),
        })
        .collect()
}

#[test]
fn decode_matches_the_assembler() {
    for (w, want) in WORDS {
        assert_eq!(CvtL::decode(w), want, "{w:#010x}");
    }
    assert_eq!(CvtL::S.encode(0, 2), 0x46a0_1020);
    assert_eq!(CvtL::D.encode(4, 6), 0x46a0_3121);
    assert_eq!(CvtL::D.encode(31, 30), 0x46a0_f7e1);
}

#[test]
fn finds_every_one_in_both_byte_orders() {
    let words: Vec<u32> = WORDS.iter().map(|w| w.0).collect();
    for endian in [Endian::Big, Endian::Little] {
        let text = page(&words, endian);
        let mut out = [0u32; 8];
        assert_eq!(find_cvt_l(&text, endian, &mut out), 3);
        assert_eq!(&out[..3], &[0, 4, 20]);
        let kinds: Vec<_> = CvtScan::new(&text, endian).collect();
        assert_eq!(kinds, vec![(0, CvtL::S), (4, CvtL::D), (20, CvtL::D)]);
        // The other byte order sees none of them.
        let other = if endian == Endian::Big { Endian::Little } else { Endian::Big };
        assert_eq!(find_cvt_l(&text, other, &mut out), 0);
    }
}

#[test]
fn full_page_capacity_and_partial_words() {
    // A 4 KiB page full of cvt.d.l: 1024 found, only as many offsets as the buffer holds.
    let text = page(&[CvtL::D.encode(2, 4); 1024], Endian::Big);
    let mut out = [0u32; 16];
    assert_eq!(find_cvt_l(&text, Endian::Big, &mut out), 1024);
    assert_eq!(out[15], 60);
    assert_eq!(find_cvt_l(&text, Endian::Big, &mut []), 1024);
    // A trailing partial word is not an instruction; an empty page has none.
    assert_eq!(find_cvt_l(&text[..4095], Endian::Big, &mut out), 1023);
    assert_eq!(find_cvt_l(&[], Endian::Big, &mut out), 0);
}

#[test]
fn real_text_page_by_page() {
    // glibc's n64 libm and libc use cvt.d.l / cvt.s.l; scanning the executable PT_LOAD a
    // page at a time finds every one objdump shows, at the same address, both byte orders.
    for file in [
        "/usr/mips64-linux-gnuabi64/lib/libm.so.6",
        "/usr/mips64el-linux-gnuabi64/lib/libm.so.6",
        "/usr/mips64-linux-gnuabi64/lib/libc.so.6",
    ] {
        let bytes = std::fs::read(file).unwrap();
        let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(&bytes[..]).unwrap();
        let endian = elf.header().endian;
        let mut ours = std::collections::BTreeSet::new();
        for ph in elf.program_headers().map(Result::unwrap) {
            if ph.kind != elf_stream::ProgramType::LOAD || !ph.flags.executable() {
                continue;
            }
            let text = &bytes[ph.offset.0 as usize..(ph.offset.0 + ph.filesz) as usize];
            let mut offsets = [0u32; 1024];
            for (i, chunk) in text.chunks(4096).enumerate() {
                let n = find_cvt_l(chunk, endian, &mut offsets);
                assert!(n <= offsets.len());
                ours.extend(offsets[..n].iter().map(|&o| ph.vaddr.0 + (i as u64) * 4096 + u64::from(o)));
            }
        }
        let theirs = objdump_cvt(file);
        assert!(!theirs.is_empty(), "{file}");
        let missing: Vec<_> = theirs.difference(&ours).collect();
        assert!(missing.is_empty(), "{file}: missed {missing:x?}");
        // Outside code (headers, read-only data) a matching word is rare.
        assert!(ours.len() - theirs.len() <= 2, "{file}: {} extra", ours.len() - theirs.len());
    }
}
