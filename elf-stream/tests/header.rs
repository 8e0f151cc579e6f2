//! One test per file header / program header table rule, each with the malformed input that
//! breaks it, for ELF32 and ELF64 in both byte orders.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use elf_stream::{
    Class, ElfFile, ElfType, Endian, Errno, Error, FileHeader, Limits, Machine, ProgramType, ReadAt, PN_XNUM,
};
use test_support::elf::{put, Builder, HeaderField, Ident, Image, Seg, SegmentFlags, KINDS, R, RW, RX};
use test_support::sources::NoSize;

/// A small valid image: PT_PHDR, PT_INTERP, PT_LOAD.
fn valid(class: Class, endian: Endian) -> Image {
    Builder::new(class, endian)
        .seg(
            Seg::new(ProgramType::PHDR, Vec::new())
                .at(class.header_size() as u64)
                .filesz(3 * class.program_header_size() as u64),
        )
        .seg(Seg::interp(b"/lib/ld.so.1"))
        .seg(Seg::load(0x10000, 0x200, 0x300, RX))
        .build()
}

fn open(bytes: &[u8]) -> Result<ElfFile<&[u8]>, Error> {
    ElfFile::open(bytes)
}

fn open_err(bytes: &[u8]) -> Error {
    match open(bytes) {
        Ok(_) => panic!("opened a malformed file"),
        Err(e) => e,
    }
}

/// The rejection and its errno, for a slice and for a source without a size.
fn rejects(bytes: &[u8], expected: Error) {
    assert_eq!(open_err(bytes), expected);
    assert_eq!(expected.errno(), Errno::ENOEXEC, "{expected:?}");
    if let Err(e) = ElfFile::<_>::open(NoSize(bytes)) {
        assert_eq!(e.errno(), Errno::ENOEXEC, "{e:?}");
    }
}

#[test]
fn valid_images_open_and_decode() {
    for (class, endian) in KINDS {
        let img = valid(class, endian);
        let elf = open(&img.bytes).unwrap();
        let h = elf.header();
        assert_eq!((h.class, h.endian), (class, endian));
        assert_eq!(h.elf_type, ElfType::DYN);
        assert_eq!(h.entry.get(), 0x1040);
        assert_eq!(h.phoff.get(), class.header_size() as u64);
        assert_eq!(usize::from(h.ehsize), class.header_size());
        assert_eq!(usize::from(h.phentsize), class.program_header_size());
        assert_eq!((h.phnum, elf.phnum()), (3, 3));
        let phs: Vec<_> = elf.program_headers().collect::<Result<_, _>>().unwrap();
        assert_eq!(phs.len(), 3);
        assert_eq!(phs[0].kind, ProgramType::PHDR);
        assert_eq!(phs[1].kind, ProgramType::INTERP);
        assert_eq!(phs[1].offset.get(), img.data_at[1] as u64);
        assert_eq!(phs[1].filesz, 13);
        assert_eq!(phs[1].align, 1);
        let load = phs[2];
        assert_eq!((load.kind, load.index), (ProgramType::LOAD, 2));
        assert_eq!(
            (load.vaddr.get(), load.paddr, load.filesz, load.memsz, load.align),
            (0x10000, 0x10000, 0x200, 0x300, 0x1000)
        );
        assert!(load.flags.readable() && load.flags.executable() && !load.flags.writable());
        for (i, ph) in phs.iter().enumerate() {
            assert_eq!(elf.program_header(i as u32).unwrap(), *ph);
        }
        assert_eq!(elf.program_header(3), Err(Error::NoSuchProgramHeader { index: 3, count: 3 }));
        let mut buf = [0u8; 64];
        assert_eq!(elf.interpreter(&mut buf).unwrap(), Some(&b"/lib/ld.so.1"[..]));
        // The same through a source that does not know its size.
        let elf2: ElfFile<_> = ElfFile::open(NoSize(&img.bytes)).unwrap();
        assert_eq!(elf2.header(), elf.header());
        assert_eq!(elf2.program_headers().collect::<Result<Vec<_>, _>>().unwrap(), phs);
    }
}

#[test]
fn header_fields_both_endians() {
    for (class, endian) in KINDS {
        let mut b = Builder::new(class, endian);
        b.os_abi = 3;
        b.abi_version = 7;
        b.e_type = ElfType(0xfe01);
        b.machine = Machine(0x1234);
        b.flags = 0x7000_1234;
        b.entry = if class == Class::Elf64 { 0x1234_5678_9abc } else { 0x8765_4321 };
        let mut img = b.build();
        img.set_ehdr(HeaderField::Shoff, 0x4321);
        img.set_ehdr(HeaderField::Shentsize, 0x28);
        img.set_ehdr(HeaderField::Shnum, 0x29);
        img.set_ehdr(HeaderField::Shstrndx, 0x2a);
        let h = FileHeader::parse(&img.bytes).unwrap();
        assert_eq!(h.os_abi, 3);
        assert_eq!(h.abi_version, 7);
        assert_eq!(h.elf_type, ElfType(0xfe01));
        assert_eq!(h.elf_type.name(), None);
        assert_eq!(h.machine, Machine(0x1234));
        assert_eq!(h.flags, 0x7000_1234);
        assert_eq!(h.entry.get(), b.entry);
        assert_eq!(h.shoff.get(), 0x4321);
        assert_eq!((h.shentsize, h.shnum, h.shstrndx), (0x28, 0x29, 0x2a));
        assert_eq!(h.phnum, 0);
    }
}

#[test]
fn bad_magic() {
    for (class, endian) in KINDS {
        for i in 0..4 {
            let mut img = valid(class, endian);
            img.bytes[i] ^= 0x20;
            rejects(&img.bytes, Error::BadMagic);
        }
    }
    // Short files that are not ELF are "not ELF", not "truncated".
    assert_eq!(open_err(b"#!/bin/sh"), Error::BadMagic);
    assert_eq!(open_err(b"MZ"), Error::BadMagic);
    assert_eq!(FileHeader::parse(b"\x7fELG\x02\x01\x01").unwrap_err(), Error::BadMagic);
}

#[test]
fn bad_class() {
    for (class, endian) in KINDS {
        for v in [0u8, 3, 0xff] {
            let mut img = valid(class, endian);
            img.set_ident(Ident::Class, v);
            rejects(&img.bytes, Error::BadClass(v));
        }
    }
}

#[test]
fn bad_data_encoding() {
    for (class, endian) in KINDS {
        for v in [0u8, 3, 0xff] {
            let mut img = valid(class, endian);
            img.set_ident(Ident::Data, v);
            rejects(&img.bytes, Error::BadEncoding(v));
        }
    }
}

#[test]
fn bad_ident_version() {
    for (class, endian) in KINDS {
        for v in [0u8, 2, 0xff] {
            let mut img = valid(class, endian);
            img.set_ident(Ident::Version, v);
            rejects(&img.bytes, Error::BadIdentVersion(v));
        }
    }
}

#[test]
fn bad_e_version() {
    for (class, endian) in KINDS {
        for v in [0u64, 2, 0x0100_0000, 0xffff_ffff] {
            let mut img = valid(class, endian);
            img.set_ehdr(HeaderField::Version, v);
            rejects(&img.bytes, Error::BadVersion(v as u32));
        }
    }
}

#[test]
fn bad_e_ehsize() {
    for (class, endian) in KINDS {
        let expected = class.header_size() as u16;
        for v in [0u16, 1, 52 + 64 - expected, expected + 1, 0xffff] {
            let mut img = valid(class, endian);
            img.set_ehdr(HeaderField::Ehsize, v.into());
            rejects(&img.bytes, Error::BadHeaderSize { found: v, expected });
        }
    }
}

#[test]
fn bad_e_phentsize() {
    for (class, endian) in KINDS {
        let expected = class.program_header_size() as u16;
        for v in [0u16, 1, 32 + 56 - expected, 0xffff] {
            let mut img = valid(class, endian);
            img.set_ehdr(HeaderField::Phentsize, v.into());
            rejects(&img.bytes, Error::BadProgramHeaderSize { found: v, expected });
        }
    }
}

#[test]
fn e_type_is_recorded_not_judged() {
    for (class, endian) in KINDS {
        for t in [0u16, 1, 2, 3, 4, 0xfe00, 0xffff] {
            let mut img = valid(class, endian);
            img.set_ehdr(HeaderField::Type, t.into());
            assert_eq!(open(&img.bytes).unwrap().header().elf_type, ElfType(t));
        }
    }
}

fn xnum(class: Class, endian: Endian) -> Image {
    let mut b = Builder::new(class, endian)
        .seg(Seg::interp(b"/lib/ld-musl-mips.so.1"))
        .seg(Seg::load(0, 0x100, 0x100, R))
        .seg(Seg::load(0x1000, 0x100, 0x2000, RW));
    b.xnum = true;
    b.build()
}

#[test]
fn pn_xnum_with_valid_section_header_zero() {
    for (class, endian) in KINDS {
        let img = xnum(class, endian);
        let elf = open(&img.bytes).unwrap();
        assert_eq!(elf.header().phnum, PN_XNUM);
        assert_eq!(elf.phnum(), 3);
        let phs: Vec<_> = elf.program_headers().collect::<Result<_, _>>().unwrap();
        assert_eq!(
            phs.iter().map(|p| p.kind).collect::<Vec<_>>(),
            [ProgramType::INTERP, ProgramType::LOAD, ProgramType::LOAD]
        );
        assert_eq!(phs[2].memsz, 0x2000);
        let mut buf = [0u8; 64];
        assert_eq!(elf.interpreter(&mut buf).unwrap(), Some(&b"/lib/ld-musl-mips.so.1"[..]));
        let elf: ElfFile<_> = ElfFile::open(NoSize(&img.bytes)).unwrap();
        assert_eq!(elf.phnum(), 3);
        // The count really comes from sh_info: change it and the table changes with it.
        let mut img2 = img.clone();
        let info_at = img2.shoff.unwrap() + if class == Class::Elf64 { 44 } else { 28 };
        put(&mut img2.bytes, info_at, 4, 2, endian);
        assert_eq!(open(&img2.bytes).unwrap().phnum(), 2);
        // A huge count is checked against the cap like any other.
        put(&mut img2.bytes, info_at, 4, 0x10_0000, endian);
        let size = 0x10_0000 * class.program_header_size() as u64;
        rejects(&img2.bytes, Error::ProgramHeaderTableTooLarge { size, cap: 4096 });
    }
}

#[test]
fn pn_xnum_without_valid_section_header_zero() {
    for (class, endian) in KINDS {
        let img = xnum(class, endian);
        // No section header table.
        let mut a = img.clone();
        a.set_ehdr(HeaderField::Shoff, 0);
        rejects(&a.bytes, Error::BadExtendedPhnum);
        // Wrong e_shentsize.
        for v in [0u64, 1, 0x28 + 0x40 - class.section_header_size() as u64, 0xffff] {
            let mut b = img.clone();
            b.set_ehdr(HeaderField::Shentsize, v);
            rejects(&b.bytes, Error::BadExtendedPhnum);
        }
        // Section header 0 outside the file (also when the source cannot tell its size).
        for shoff in [img.bytes.len() as u64 - 8, img.bytes.len() as u64, 1 << 31] {
            let mut c = img.clone();
            c.set_ehdr(HeaderField::Shoff, shoff);
            rejects(&c.bytes, Error::BadExtendedPhnum);
            assert_eq!(ElfFile::<_>::open(NoSize(&c.bytes)).err(), Some(Error::BadExtendedPhnum));
        }
        // shoff + offset of sh_info overflows.
        if class == Class::Elf64 {
            let mut d = img.clone();
            d.set_ehdr(HeaderField::Shoff, u64::MAX - 20);
            rejects(&d.bytes, Error::BadExtendedPhnum);
        }
    }
}

#[test]
fn table_over_default_cap() {
    for (class, endian) in KINDS {
        let entsize = class.program_header_size();
        let max = 4096 / entsize; // 73 (ELF64) or 128 (ELF32)
        let make = |n: usize| {
            let mut b = Builder::new(class, endian);
            for i in 0..n {
                b = b.seg(Seg::load(i as u64 * 0x1000, 0, 0x1000, R));
            }
            b.build()
        };
        let ok = make(max);
        let elf = open(&ok.bytes).unwrap();
        assert_eq!(elf.program_headers().filter(|p| p.is_ok()).count(), max);
        let over = make(max + 1);
        let size = ((max + 1) * entsize) as u64;
        rejects(&over.bytes, Error::ProgramHeaderTableTooLarge { size, cap: 4096 });
        assert_eq!(
            ElfFile::<_>::open(NoSize(&over.bytes)).err(),
            Some(Error::ProgramHeaderTableTooLarge { size, cap: 4096 })
        );
        // 64 KiB pages: up to 64 KiB accepted.
        let big = Limits::for_page_size(65536);
        assert_eq!(big.max_phdr_table, 65536);
        let elf: ElfFile<&[u8]> = ElfFile::open_with(&over.bytes[..], big).unwrap();
        assert_eq!(elf.program_headers().filter(|p| p.is_ok()).count(), max + 1);
        let max64 = 65536 / entsize;
        let ok64 = make(max64);
        let elf: ElfFile<&[u8]> = ElfFile::open_with(&ok64.bytes[..], big).unwrap();
        let phs: Vec<_> = elf.program_headers().collect::<Result<_, _>>().unwrap();
        assert_eq!(phs.len(), max64);
        assert!(phs
            .iter()
            .enumerate()
            .all(|(i, p)| p.index as usize == i && p.vaddr.get() == i as u64 * 0x1000));
        let over64 = make(max64 + 1);
        let size = ((max64 + 1) * entsize) as u64;
        assert_eq!(
            ElfFile::<&[u8]>::open_with(&over64.bytes[..], big).err(),
            Some(Error::ProgramHeaderTableTooLarge { size, cap: 65536 })
        );
    }
    // Page sizes above 64 KiB keep Linux's 64 KiB table cap; smaller ones cap at a page.
    assert_eq!(Limits::for_page_size(1 << 20).max_phdr_table, 65536);
    assert_eq!(Limits::for_page_size(16384).max_phdr_table, 16384);
    assert_eq!(Limits::default(), Limits::for_page_size(4096));
}

#[test]
fn table_past_end_of_file() {
    for (class, endian) in KINDS {
        let img = valid(class, endian);
        let size = 3 * class.program_header_size() as u64;
        // Cut the file inside the table.
        let cut = &img.bytes[..img.phoff + size as usize - 1];
        rejects(cut, Error::ProgramHeaderTableOutsideFile { offset: img.phoff as u64, size });
        // Table moved so that it ends one byte past the end.
        let mut moved = img.clone();
        let phoff = img.bytes.len() as u64 - size + 1;
        moved.set_ehdr(HeaderField::Phoff, phoff);
        rejects(&moved.bytes, Error::ProgramHeaderTableOutsideFile { offset: phoff, size });
        // Without a known size, opening may succeed but iterating must fail cleanly.
        let elf: ElfFile<_> = ElfFile::open(NoSize(&moved.bytes)).unwrap();
        let items: Vec<_> = elf.program_headers().collect();
        assert!(matches!(items.last(), Some(Err(Error::Truncated { .. }))), "{items:?}");
        assert!(items[..items.len() - 1].iter().all(|r| r.is_ok()));
        // Ending exactly at the end of the file is fine.
        let mut exact = img.clone();
        exact.set_ehdr(HeaderField::Phoff, img.bytes.len() as u64 - size);
        let start = img.bytes.len() - size as usize;
        exact.bytes.copy_within(img.phoff..img.phoff + size as usize, start);
        let elf = open(&exact.bytes).unwrap();
        assert_eq!(elf.program_headers().collect::<Result<Vec<_>, _>>().unwrap().len(), 3);
    }
}

#[test]
fn table_offset_overflow() {
    for (class, endian) in KINDS {
        let img = valid(class, endian);
        let size = 3 * class.program_header_size() as u64;
        let max = if class == Class::Elf64 { u64::MAX } else { u64::from(u32::MAX) };
        for phoff in [max, max - size + 1, max - 8] {
            let mut bad = img.clone();
            bad.set_ehdr(HeaderField::Phoff, phoff);
            rejects(&bad.bytes, Error::ProgramHeaderTableOutsideFile { offset: phoff, size });
            let e = ElfFile::<_>::open(NoSize(&bad.bytes)).err();
            if class == Class::Elf64 {
                // phoff + size overflows u64: rejected even without a file size.
                assert_eq!(e, Some(Error::ProgramHeaderTableOutsideFile { offset: phoff, size }));
            } else {
                // No overflow in u64; reading finds the end of the file.
                let elf: ElfFile<_> = ElfFile::open(NoSize(&bad.bytes)).unwrap();
                assert!(matches!(elf.program_headers().next(), Some(Err(Error::Truncated { .. }))));
            }
        }
    }
}

#[test]
fn truncated_header() {
    for (class, endian) in KINDS {
        let img = valid(class, endian);
        for len in 0..class.header_size() {
            let e = open_err(&img.bytes[..len]);
            assert_eq!(
                e,
                Error::Truncated { offset: 0, len: if len < 16 { 16 } else { class.header_size() as u64 } }
            );
            assert_eq!(e.errno(), Errno::ENOEXEC);
            assert_eq!(FileHeader::parse(&img.bytes[..len]).err(), Some(e));
        }
    }
}

#[test]
fn zero_program_headers() {
    for (class, endian) in KINDS {
        let img = Builder::new(class, endian).build();
        let elf = open(&img.bytes).unwrap();
        assert_eq!(elf.phnum(), 0);
        assert_eq!(elf.program_headers().count(), 0);
        assert_eq!(elf.interpreter(&mut [0u8; 16]).unwrap(), None);
        assert_eq!(elf.gnu_properties().unwrap(), None);
        assert_eq!(elf.mips_abiflags().unwrap(), None);
    }
}

#[test]
fn table_beyond_head_window_is_streamed() {
    for (class, endian) in KINDS {
        // 60 entries: past the 1 KiB head window in both classes; the table starts at 2000.
        let mut b = Builder::new(class, endian);
        for i in 0..60u64 {
            b = b.seg(Seg::load(i * 0x1000, i, i + 1, SegmentFlags((i % 8) as u32)));
        }
        let mut img = b.build();
        let table = img.bytes[img.phoff..img.phoff + 60 * class.program_header_size()].to_vec();
        img.bytes.resize(2000, 0);
        img.bytes.extend_from_slice(&table);
        img.set_ehdr(HeaderField::Phoff, 2000);
        let check = |phs: Vec<elf_stream::ProgramHeader>| {
            assert_eq!(phs.len(), 60);
            for (i, p) in phs.iter().enumerate() {
                let i = i as u64;
                assert_eq!(
                    (p.index as u64, p.vaddr.get(), p.filesz, p.memsz, p.flags.get() as u64),
                    (i, i * 0x1000, i, i + 1, i % 8)
                );
            }
        };
        let elf = open(&img.bytes).unwrap();
        check(elf.program_headers().collect::<Result<_, _>>().unwrap());
        check((0..60).map(|i| elf.program_header(i).unwrap()).collect());
        let one = test_support::sources::OneByte(&img.bytes);
        let elf: ElfFile<_> = ElfFile::open(one).unwrap();
        check(elf.program_headers().collect::<Result<_, _>>().unwrap());
    }
}

/// A source whose reads fail with a chosen errno from a given offset on.
struct FailFrom<'a> {
    data: &'a [u8],
    from: u64,
    errno: Errno,
}

impl ReadAt for FailFrom<'_> {
    type Error = elf_stream::ReadFailure;

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, Self::Error> {
        if offset >= self.from {
            return Err(elf_stream::ReadFailure::new(self.errno));
        }
        let end = buf.len().min((self.from - offset) as usize);
        self.data.read_at(offset, &mut buf[..end]).map_err(|e| match e {})
    }
}

#[test]
fn read_failures_carry_the_source_errno() {
    let img = valid(Class::Elf64, Endian::Little);
    // The very first read fails.
    let e = ElfFile::<_>::open(test_support::sources::Broken(Errno(42))).err().unwrap();
    assert_eq!(e, Error::Read { offset: 0, errno: Errno(42) });
    assert_eq!(e.errno(), Errno(42));
    assert_eq!(e.kind(), "read_failed");
    // A later read (the rest of the header) fails: its offset and errno are reported.
    let src = FailFrom { data: &img.bytes, from: 20, errno: Errno::EIO };
    let e = ElfFile::<_>::open(src).err().unwrap();
    assert_eq!(e, Error::Read { offset: 20, errno: Errno::EIO });
    assert_eq!(e.errno(), Errno::EIO);
    // Reading the interpreter fails.
    let interp_at = img.data_at[1] as u64;
    let src = FailFrom { data: &img.bytes, from: interp_at, errno: Errno(4) };
    let elf: ElfFile<_, 16> = ElfFile::open(src).unwrap();
    assert_eq!(elf.interpreter(&mut [0u8; 64]), Err(Error::Read { offset: interp_at, errno: Errno(4) }));
    // A FailAt error is EIO.
    let src = test_support::sources::FailAt::new(&img.bytes, 1, test_support::sources::Failure::Error);
    assert_eq!(ElfFile::<_>::open(src).err().map(|e| e.errno()), Some(Errno::EIO));
}

#[test]
fn std_file_source() {
    use std::io::Write;
    let img = valid(Class::Elf32, Endian::Big);
    let path = std::env::temp_dir().join(format!("elf-stream-test-{}", std::process::id()));
    std::fs::File::create(&path).unwrap().write_all(&img.bytes).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let elf: ElfFile<_> = ElfFile::open(&file).unwrap();
    assert_eq!(elf.file_size(), Some(img.bytes.len() as u64));
    assert_eq!(elf.interpreter(&mut [0u8; 64]).unwrap(), Some(&b"/lib/ld.so.1"[..]));
    std::fs::remove_file(&path).unwrap();
    // std::io::Error keeps its errno.
    let failure: elf_stream::ReadFailure = std::io::Error::from_raw_os_error(21).into();
    assert_eq!(failure.errno(), Errno(21));
    let failure: elf_stream::ReadFailure = std::io::Error::other("x").into();
    assert_eq!(failure.errno(), Errno::EIO);
}

#[test]
fn lying_source_is_a_read_error() {
    /// Claims to have read more bytes than the buffer holds.
    struct Liar;
    impl ReadAt for Liar {
        type Error = core::convert::Infallible;
        fn read_at(&self, _offset: u64, buf: &mut [u8]) -> Result<usize, Self::Error> {
            Ok(buf.len() + 1)
        }
    }
    let e = ElfFile::<_>::open(Liar).err().unwrap();
    assert!(matches!(e, Error::Read { errno: Errno::EIO, .. }), "{e:?}");
}

#[test]
fn every_error_has_a_distinct_kind_an_errno_and_a_message() {
    let all = test_support::errors::every_file_error();
    // One per code: a new variant without its example here fails.
    let mut codes: Vec<_> = all.iter().map(|e| e.code()).collect();
    codes.dedup();
    assert_eq!(codes, elf_stream::ErrorCode::ALL, "every_file_error in code order, one per code");
    let mut kinds: Vec<&str> = all.iter().map(|e| e.kind()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(kinds.len(), all.len(), "kinds are distinct");
    for e in all {
        let expected = match e {
            Error::Read { errno, .. } => errno,
            Error::ShortRead { .. } => Errno::EIO,
            Error::MipsAbiFlagsTooShort { .. } | Error::BadReadOffset { .. } => Errno::EINVAL,
            _ => Errno::ENOEXEC,
        };
        assert_eq!(e.errno(), expected, "{e:?}");
        assert!(!e.to_string().is_empty());
        assert!(e.kind().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    }
    assert_eq!(Errno::ENOEXEC.to_string(), "ENOEXEC");
    assert_eq!(Errno(4242).to_string(), "errno 4242");
    assert_eq!(Error::Read { offset: 1, errno: Errno(77) }.errno(), Errno(77));
    assert_eq!(Error::Read { offset: 5, errno: Errno::EIO }.to_string(), "read at offset 5 failed (EIO)");
}
