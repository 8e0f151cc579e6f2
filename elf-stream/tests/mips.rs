//! MIPS records: PT_MIPS_ABIFLAGS (24 bytes, shorter is EINVAL) and PT_MIPS_OPTIONS records.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use elf_stream::{
    ElfFile, Errno, Error, MipsAbiFlags, MipsOption, OptionKind, ProgramType, ABIFLAGS_SIZE,
    OPTION_HEADER_SIZE,
};
use test_support::elf::{abiflags, mips_option, Builder, Image, Machine, PhdrField, Seg, KINDS, RX};
use test_support::sources::{NoSize, OneByte};

const MIPS: Machine = Machine::MIPS;

fn sample_flags(seed: u8) -> MipsAbiFlags {
    MipsAbiFlags {
        version: 0x0102 + u16::from(seed),
        isa_level: 32 + seed,
        isa_rev: 2 + seed,
        gpr_size: 1,
        cpr1_size: 2,
        cpr2_size: 3,
        fp_abi: 5 + seed,
        isa_ext: 0x0a0b_0c0d,
        ases: 0x1122_3344,
        flags1: 0x5566_7788,
        flags2: 0x99aa_bbcc ^ u32::from(seed),
    }
}

fn abiflags_of(bytes: &[u8]) -> Result<Option<MipsAbiFlags>, Error> {
    let elf: ElfFile<&[u8]> = ElfFile::open(bytes).unwrap();
    let a = elf.mips_abiflags();
    let elf: ElfFile<_, 0> = ElfFile::open(OneByte(bytes)).unwrap();
    let b = elf.mips_abiflags();
    match (&a, &b) {
        (Err(Error::SegmentOutsideFile { .. }), Err(Error::Truncated { .. })) => {}
        _ => assert_eq!(a, b),
    }
    a
}

#[test]
fn abiflags_decoded_both_endians() {
    for (class, endian) in KINDS {
        for seed in [0u8, 1, 7] {
            let flags = sample_flags(seed);
            let mut data = abiflags(endian, &flags);
            assert_eq!(data.len(), ABIFLAGS_SIZE);
            for extra in [0usize, 8] {
                data.resize(ABIFLAGS_SIZE + extra, 0xee);
                let img = Builder::new(class, endian)
                    .machine(MIPS)
                    .seg(Seg::load(0, 0x100, 0x100, RX))
                    .seg(Seg::new(ProgramType::MIPS_ABIFLAGS, data.clone()).align(8))
                    .build();
                assert_eq!(abiflags_of(&img.bytes), Ok(Some(flags)));
            }
        }
        // Byte order matters: the big-endian record read as the other order differs.
        let flags = sample_flags(0);
        let img = Builder::new(class, endian)
            .seg(Seg::new(ProgramType::MIPS_ABIFLAGS, abiflags(endian, &flags)))
            .build();
        let got = abiflags_of(&img.bytes).unwrap().unwrap();
        assert_eq!((got.version, got.isa_ext, got.flags2), (0x0102, 0x0a0b_0c0d, 0x99aa_bbcc));
    }
}

#[test]
fn abiflags_absent() {
    for (class, endian) in KINDS {
        let img = Builder::new(class, endian).seg(Seg::load(0, 0x100, 0x100, RX)).build();
        assert_eq!(abiflags_of(&img.bytes), Ok(None));
    }
}

#[test]
fn abiflags_shorter_than_24_is_einval() {
    for (class, endian) in KINDS {
        let full = abiflags(endian, &sample_flags(0));
        for len in [0usize, 1, 8, 23] {
            let img = Builder::new(class, endian)
                .seg(Seg::new(ProgramType::MIPS_ABIFLAGS, full[..len].to_vec()))
                .build();
            let e = abiflags_of(&img.bytes).unwrap_err();
            assert_eq!(e, Error::MipsAbiFlagsTooShort { size: len as u64 });
            assert_eq!(e.errno(), Errno::EINVAL);
            assert_eq!(e.kind(), "mips_abiflags_too_short");
        }
    }
}

#[test]
fn abiflags_outside_file_or_duplicated() {
    for (class, endian) in KINDS {
        let data = abiflags(endian, &sample_flags(0));
        let mut img =
            Builder::new(class, endian).seg(Seg::new(ProgramType::MIPS_ABIFLAGS, data.clone())).build();
        img.set_phdr(0, PhdrField::Offset, img.bytes.len() as u64 - 10);
        let e = abiflags_of(&img.bytes).unwrap_err();
        assert_eq!(e, Error::SegmentOutsideFile { index: 0 });
        assert_eq!(e.errno(), Errno::ENOEXEC);
        let img = Builder::new(class, endian)
            .seg(Seg::new(ProgramType::MIPS_ABIFLAGS, data.clone()))
            .seg(Seg::load(0, 0x100, 0x100, RX))
            .seg(Seg::new(ProgramType::MIPS_ABIFLAGS, data))
            .build();
        assert_eq!(abiflags_of(&img.bytes), Err(Error::DuplicateSegment { kind: "MIPS_ABIFLAGS", index: 2 }));
    }
}

fn options_image(class: elf_stream::Class, endian: elf_stream::Endian, data: Vec<u8>) -> Image {
    Builder::new(class, endian)
        .machine(MIPS)
        .seg(Seg::load(0, 0x100, 0x100, RX))
        .seg(Seg::new(ProgramType::MIPS_OPTIONS, data).align(8))
        .build()
}

/// All items of the options iterator, through a slice and through a one-byte source with
/// no window (which must agree).
fn options_of(img: &Image) -> Vec<Result<MipsOption, Error>> {
    let elf: ElfFile<&[u8]> = ElfFile::open(&img.bytes[..]).unwrap();
    let ph = elf.program_header(1).unwrap();
    let a: Vec<_> = elf.mips_options(&ph).unwrap().collect();
    let elf: ElfFile<_, 0> = ElfFile::open(OneByte(&img.bytes)).unwrap();
    let b: Vec<_> = elf.mips_options(&ph).unwrap().collect();
    assert_eq!(a, b);
    a
}

#[test]
fn options_valid_sequence_decoded() {
    for (class, endian) in KINDS {
        let reginfo_payload: Vec<u8> = (0..32).collect();
        let records = [
            mips_option(endian, 2, 8, 0, 0x11f18, &[]),
            mips_option(endian, 4, 8, 0x1234, 0x9, &[]),
            mips_option(endian, 1, 40, 0xfff1, 0xdead_beef, &reginfo_payload),
            mips_option(endian, 3, 16, 0, 0, &[0; 8]),
            mips_option(endian, 0xee, 9, 7, 1, &[0x55]),
        ];
        let img = options_image(class, endian, records.concat());
        let base = img.data_at[1] as u64;
        let items: Vec<MipsOption> = options_of(&img).into_iter().collect::<Result<_, _>>().unwrap();
        let expect = [
            (OptionKind::EXCEPTIONS, 8u8, 0u16, 0x11f18u32),
            (OptionKind::HWPATCH, 8, 0x1234, 0x9),
            (OptionKind::REGINFO, 40, 0xfff1, 0xdead_beef),
            (OptionKind::PAD, 16, 0, 0),
            (OptionKind(0xee), 9, 7, 1),
        ];
        assert_eq!(items.len(), expect.len());
        let mut at = base;
        for (o, (kind, size, section, info)) in items.iter().zip(expect) {
            assert_eq!((o.offset.get(), o.kind, o.size, o.section, o.info), (at, kind, size, section, info));
            assert_eq!((o.payload.offset.get(), o.payload.size), (at + 8, u64::from(size) - 8));
            at += u64::from(size);
        }
        let p = items[2].payload;
        assert_eq!(&img.bytes[p.offset.get() as usize..][..32], &reginfo_payload[..]);
        assert_eq!(OPTION_HEADER_SIZE, 8);
    }
}

fn expect_error_after_good(
    class: elf_stream::Class,
    endian: elf_stream::Endian,
    bad: Vec<u8>,
    expected: fn(u64) -> Error,
) {
    let good = mips_option(endian, 2, 8, 0, 0x11f18, &[]);
    let img = options_image(class, endian, [good.clone(), bad].concat());
    let items = options_of(&img);
    let offset = img.data_at[1] as u64 + good.len() as u64;
    assert_eq!(items.len(), 2, "stops after the error: {items:?}");
    assert!(items[0].is_ok());
    let e = items[1].unwrap_err();
    assert_eq!(e, expected(offset));
    assert_eq!(e.errno(), Errno::ENOEXEC);
}

#[test]
fn options_size_zero() {
    for (class, endian) in KINDS {
        let bad = mips_option(endian, 2, 0, 0, 0, &[0; 8]);
        expect_error_after_good(class, endian, bad, |offset| Error::MipsOptionTooSmall { offset, size: 0 });
        // As the only record too: an error, never a loop.
        let img = options_image(class, endian, vec![0; 64]);
        let items = options_of(&img);
        assert_eq!(items, [Err(Error::MipsOptionTooSmall { offset: img.data_at[1] as u64, size: 0 })]);
    }
}

#[test]
fn options_size_below_header() {
    for (class, endian) in KINDS {
        for size in [1u8, 4, 7] {
            let bad = mips_option(endian, 4, size, 0, 0, &[0; 8]);
            let expected = match size {
                1 => |offset| Error::MipsOptionTooSmall { offset, size: 1 },
                4 => |offset| Error::MipsOptionTooSmall { offset, size: 4 },
                _ => |offset| Error::MipsOptionTooSmall { offset, size: 7 },
            };
            expect_error_after_good(class, endian, bad, expected);
        }
    }
}

#[test]
fn options_past_segment() {
    for (class, endian) in KINDS {
        // Claims 16 bytes, 12 present.
        let bad = mips_option(endian, 1, 16, 0, 0, &[0; 4]);
        expect_error_after_good(class, endian, bad, |offset| Error::MipsOptionPastSegment {
            offset,
            size: 16,
        });
        let bad = mips_option(endian, 1, 255, 0, 0, &[0; 8]);
        expect_error_after_good(class, endian, bad, |offset| Error::MipsOptionPastSegment {
            offset,
            size: 255,
        });
    }
}

#[test]
fn options_header_cut_by_segment_end() {
    for (class, endian) in KINDS {
        let full = mips_option(endian, 4, 8, 0, 9, &[]);
        for keep in 2..8 {
            expect_error_after_good(class, endian, full[..keep].to_vec(), |offset| {
                Error::MipsOptionPastSegment { offset, size: 8 }
            });
        }
        // One byte left: not even the size byte.
        expect_error_after_good(class, endian, full[..1].to_vec(), |offset| Error::MipsOptionPastSegment {
            offset,
            size: 0,
        });
    }
}

#[test]
fn options_segment_checks() {
    for (class, endian) in KINDS {
        let img = options_image(class, endian, Vec::new());
        assert!(options_of(&img).is_empty());
        let mut img = options_image(class, endian, mips_option(endian, 2, 8, 0, 0, &[]));
        img.set_phdr(1, PhdrField::Filesz, 100);
        let elf: ElfFile<&[u8]> = ElfFile::open(&img.bytes[..]).unwrap();
        let ph = elf.program_header(1).unwrap();
        assert_eq!(elf.mips_options(&ph).err(), Some(Error::SegmentOutsideFile { index: 1 }));
        // Unknown size: the records are read until the file ends, then a clean error.
        let elf: ElfFile<_> = ElfFile::open(NoSize(&img.bytes)).unwrap();
        let items: Vec<_> = elf.mips_options(&ph).unwrap().collect();
        assert!(items[0].is_ok());
        assert!(matches!(items.last(), Some(Err(Error::Truncated { .. }))), "{items:?}");
    }
}
