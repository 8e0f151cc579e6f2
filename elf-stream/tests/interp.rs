//! PT_INTERP rules: 2 <= p_filesz <= capacity, inside the file, NUL-terminated with no NUL
//! before the end, at most one PT_INTERP.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use elf_stream::{Class, ElfFile, Endian, Errno, Error, ProgramType, PATH_MAX};
use test_support::elf::{Builder, Image, PhdrField, Seg, KINDS, RW, RX};
use test_support::sources::NoSize;

fn with_interp(class: Class, endian: Endian, data: Vec<u8>) -> Image {
    Builder::new(class, endian)
        .seg(Seg::load(0, 0x100, 0x100, RX))
        .seg(Seg::new(ProgramType::INTERP, data).align(1))
        .seg(Seg::load(0x1000, 0x100, 0x100, RW))
        .build()
}

/// The interpreter as read from a slice and from a size-less source (which must agree, save
/// for out-of-file ranges that only the slice can see early).
fn interp(bytes: &[u8], cap: usize) -> Result<Option<Vec<u8>>, Error> {
    let mut buf = vec![0u8; cap];
    let elf: ElfFile<&[u8]> = ElfFile::open(bytes).unwrap();
    let a = elf.interpreter(&mut buf).map(|p| p.map(<[u8]>::to_vec));
    let elf: ElfFile<_> = ElfFile::open(NoSize(bytes)).unwrap();
    let b = elf.interpreter(&mut buf).map(|p| p.map(<[u8]>::to_vec));
    match (&a, &b) {
        (Err(Error::SegmentOutsideFile { .. }), Err(Error::Truncated { .. })) => {}
        _ => assert_eq!(a, b),
    }
    if let Err(e) = a {
        assert_eq!(e.errno(), Errno::ENOEXEC, "{e:?}");
    }
    a
}

#[test]
fn valid_paths() {
    for (class, endian) in KINDS {
        for path in [&b"/"[..], b"/lib64/ld-linux-x86-64.so.2", b"x"] {
            let mut data = path.to_vec();
            data.push(0);
            let img = with_interp(class, endian, data);
            assert_eq!(interp(&img.bytes, PATH_MAX).unwrap().as_deref(), Some(path));
            // Capacity exactly the segment size is enough.
            assert_eq!(interp(&img.bytes, path.len() + 1).unwrap().as_deref(), Some(path));
        }
        // The interpreter header itself.
        let img = with_interp(class, endian, b"/ld\0".to_vec());
        let elf: ElfFile<&[u8]> = ElfFile::open(&img.bytes[..]).unwrap();
        let ph = elf.interpreter_header().unwrap().unwrap();
        assert_eq!((ph.index, ph.filesz, ph.offset.get()), (1, 4, img.data_at[1] as u64));
    }
}

#[test]
fn no_interpreter() {
    for (class, endian) in KINDS {
        let img = Builder::new(class, endian).seg(Seg::load(0, 0x100, 0x100, RX)).build();
        assert_eq!(interp(&img.bytes, PATH_MAX), Ok(None));
        let elf: ElfFile<&[u8]> = ElfFile::open(&img.bytes[..]).unwrap();
        assert_eq!(elf.interpreter_header(), Ok(None));
    }
}

#[test]
fn length_zero_and_one() {
    for (class, endian) in KINDS {
        let img = with_interp(class, endian, Vec::new());
        assert_eq!(interp(&img.bytes, PATH_MAX), Err(Error::InterpreterTooShort { len: 0 }));
        let img = with_interp(class, endian, vec![0]);
        assert_eq!(interp(&img.bytes, PATH_MAX), Err(Error::InterpreterTooShort { len: 1 }));
        let img = with_interp(class, endian, b"/".to_vec());
        assert_eq!(interp(&img.bytes, PATH_MAX), Err(Error::InterpreterTooShort { len: 1 }));
    }
}

#[test]
fn over_capacity() {
    for (class, endian) in KINDS {
        // PATH_MAX bytes including the NUL is the largest accepted.
        let mut data = vec![b'a'; PATH_MAX - 1];
        data.push(0);
        let img = with_interp(class, endian, data.clone());
        assert_eq!(interp(&img.bytes, PATH_MAX).unwrap().unwrap().len(), PATH_MAX - 1);
        data.insert(0, b'/');
        let img = with_interp(class, endian, data);
        let len = PATH_MAX as u64 + 1;
        assert_eq!(
            interp(&img.bytes, PATH_MAX),
            Err(Error::InterpreterTooLong { len, cap: PATH_MAX as u64 })
        );
        // A smaller caller capacity.
        let img = with_interp(class, endian, b"/lib/ld.so\0".to_vec());
        assert_eq!(interp(&img.bytes, 10), Err(Error::InterpreterTooLong { len: 11, cap: 10 }));
        // A p_filesz that does not even fit in usize/u32 arithmetic.
        let mut huge = with_interp(class, endian, b"/ld\0".to_vec());
        let v = if class == Class::Elf64 { u64::MAX } else { u64::from(u32::MAX) };
        huge.set_phdr(1, PhdrField::Filesz, v);
        assert_eq!(
            interp(&huge.bytes, PATH_MAX),
            Err(Error::InterpreterTooLong { len: v, cap: PATH_MAX as u64 })
        );
    }
}

#[test]
fn past_end_of_file() {
    for (class, endian) in KINDS {
        let img = with_interp(class, endian, b"/lib/ld.so\0".to_vec());
        // Cut the last byte (the NUL) off.
        let cut = &img.bytes[..img.data_at[1] + 10];
        assert_eq!(interp(cut, PATH_MAX), Err(Error::SegmentOutsideFile { index: 1 }));
        // Point it past the end.
        let mut moved = img.clone();
        moved.set_phdr(1, PhdrField::Offset, img.bytes.len() as u64);
        assert_eq!(interp(&moved.bytes, PATH_MAX), Err(Error::SegmentOutsideFile { index: 1 }));
        // p_offset + p_filesz overflows.
        if class == Class::Elf64 {
            let mut ovf = img.clone();
            ovf.set_phdr(1, PhdrField::Offset, u64::MAX - 4);
            let elf: ElfFile<_> = ElfFile::open(NoSize(&ovf.bytes)).unwrap();
            assert_eq!(elf.interpreter(&mut [0u8; 64]), Err(Error::SegmentOutsideFile { index: 1 }));
        }
    }
}

#[test]
fn missing_nul() {
    for (class, endian) in KINDS {
        let img = with_interp(class, endian, b"/lib/ld.so".to_vec());
        assert_eq!(interp(&img.bytes, PATH_MAX), Err(Error::InterpreterNotTerminated));
        let img = with_interp(class, endian, b"/lib/ld.so\0x".to_vec());
        assert_eq!(interp(&img.bytes, PATH_MAX), Err(Error::InterpreterNotTerminated));
    }
}

#[test]
fn nul_inside() {
    for (class, endian) in KINDS {
        let img = with_interp(class, endian, b"/lib\0ld.so\0".to_vec());
        assert_eq!(interp(&img.bytes, PATH_MAX), Err(Error::InterpreterEmbeddedNul { at: 4 }));
        let img = with_interp(class, endian, b"\0\0".to_vec());
        assert_eq!(interp(&img.bytes, PATH_MAX), Err(Error::InterpreterEmbeddedNul { at: 0 }));
        let img = with_interp(class, endian, b"/ld\0\0".to_vec());
        assert_eq!(interp(&img.bytes, PATH_MAX), Err(Error::InterpreterEmbeddedNul { at: 3 }));
    }
}

#[test]
fn two_interpreters() {
    for (class, endian) in KINDS {
        let img = Builder::new(class, endian)
            .seg(Seg::interp(b"/lib/ld-a.so"))
            .seg(Seg::load(0, 0x100, 0x100, RX))
            .seg(Seg::interp(b"/lib/ld-b.so"))
            .build();
        assert_eq!(interp(&img.bytes, PATH_MAX), Err(Error::DuplicateInterpreter { index: 2 }));
        let elf: ElfFile<&[u8]> = ElfFile::open(&img.bytes[..]).unwrap();
        assert_eq!(elf.interpreter_header(), Err(Error::DuplicateInterpreter { index: 2 }));
        assert_eq!(Error::DuplicateInterpreter { index: 2 }.errno(), Errno::ENOEXEC);
    }
}

#[test]
fn interpreter_beyond_head_window() {
    for (class, endian) in KINDS {
        let mut img = with_interp(class, endian, b"/far/away/ld.so\0".to_vec());
        let at = 5000;
        img.bytes.resize(at, 0);
        img.bytes.extend_from_slice(b"/far/away/ld.so\0");
        img.set_phdr(1, PhdrField::Offset, at as u64);
        assert_eq!(interp(&img.bytes, PATH_MAX).unwrap().as_deref(), Some(&b"/far/away/ld.so"[..]));
        let src = elf_stream::Counting::new(&img.bytes[..]);
        let elf: ElfFile<_> = ElfFile::open(&src).unwrap();
        elf.interpreter(&mut [0u8; 64]).unwrap();
        assert_eq!(src.calls(), 2, "head window + the path");
    }
}
