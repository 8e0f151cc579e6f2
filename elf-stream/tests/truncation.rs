//! Every truncation of a valid ELF32/ELF64 image (both byte orders) is an error, never a
//! panic and never `Ok` with wrong data: open, iterate every program header, read the
//! interpreter (and, for a richer image, notes, GNU properties and MIPS records).
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use common::Summary;
use elf_stream::{Class, ElfFile, Endian, Error, Limits, MipsAbiFlags, ProgramType, ReadAt};
use test_support::elf::{
    abiflags, gnu_property_note, mips_option, note, property, u32_bytes, Builder, Image, Machine, Seg, KINDS,
    RW, RX,
};
use test_support::sources::{NoSize, OneByte};

/// Header, program header table, then the interpreter path as the file's last bytes.
fn minimal(class: Class, endian: Endian) -> Image {
    Builder::new(class, endian)
        .seg(Seg::new(ProgramType::PHDR, Vec::new()).at(class.header_size() as u64).filesz(4 * 56))
        .seg(Seg::load(0, 0x100, 0x100, RX))
        .seg(Seg::load(0x1000, 0x100, 0x200, RW))
        .seg(Seg::interp(b"/lib/ld-linux.so.2"))
        .build()
}

/// Everything elf-stream reads, the interpreter last in the file.
fn rich(class: Class, endian: Endian) -> Image {
    let align = class.property_align();
    let props =
        gnu_property_note(class, endian, &[property(class, endian, 0xc000_0000, &u32_bytes(3, endian))]);
    Builder::new(class, endian)
        .machine(Machine::AARCH64)
        .seg(Seg::load(0, 0x100, 0x100, RX))
        .seg(Seg::new(ProgramType::GNU_PROPERTY, props.clone()).align(align as u64))
        .seg(
            Seg::new(ProgramType::NOTE, [props, note(endian, b"GNU", 3, &[9; 20], align)].concat())
                .align(align as u64),
        )
        .seg(Seg::new(
            ProgramType::MIPS_ABIFLAGS,
            abiflags(endian, &MipsAbiFlags { isa_level: 32, ..Default::default() }),
        ))
        .seg(Seg::new(
            ProgramType::MIPS_OPTIONS,
            [mips_option(endian, 2, 8, 0, 0x11f18, &[]), mips_option(endian, 4, 8, 0, 9, &[])].concat(),
        ))
        .seg(Seg::interp(b"/lib/ld-linux-aarch64.so.1"))
        .build()
}

fn summary<R: ReadAt>(source: R) -> Summary {
    Summary::of(source, Limits::default())
}

/// The lengths to cut `img` at: every one natively; under Miri (~10^4 times slower) each
/// structure's first and last byte and its neighbours, and every 61st length between.
fn cuts(img: &Image) -> Vec<usize> {
    let len = img.bytes.len();
    if !cfg!(miri) {
        return (0..len).collect();
    }
    let table_end = img.phoff + img.data_at.len() * img.class.program_header_size();
    let mut edges = vec![0, 16, img.class.header_size(), img.phoff, table_end, len];
    edges.extend(&img.data_at);
    let mut v: Vec<usize> = (0..len).step_by(61).collect();
    v.extend(edges.iter().flat_map(|&e| [e.saturating_sub(1), e, e + 1]).filter(|&c| c < len));
    v.sort_unstable();
    v.dedup();
    v
}

fn check_prefixes(img: &Image, exact: bool) {
    let full = summary(&img.bytes[..]);
    for (name, part) in full.parts() {
        assert!(part.is_ok(), "the full image must parse: {name} {part:?}");
    }
    let header_end = img.class.header_size();
    let table_end = img.phoff + (full.header.as_ref().unwrap().1 as usize) * img.class.program_header_size();
    for cut in cuts(img) {
        let bytes = &img.bytes[..cut];
        let runs = [
            ("slice", summary(bytes)),
            ("no size", summary(NoSize(bytes))),
            ("one byte", summary(OneByte(bytes))),
            ("no window", Summary::with_window::<&[u8], 0>(bytes, Limits::default())),
        ];
        // Neither the window nor the read sizes change a result; only knowing the size does.
        assert_eq!(runs[0].1, runs[3].1, "cut at {cut}: window changes the result");
        assert_eq!(runs[1].1, runs[2].1, "cut at {cut}: read sizes change the result");
        for (how, s) in &runs {
            let what = format!("{:?} {:?} cut at {cut} ({how})", img.class, img.endian);
            // Never Ok with different data.
            s.consistent_with(&full, |_| true).unwrap_or_else(|e| panic!("{what}: {e}"));
            // The interpreter is the last thing in the file: always lost.
            assert!(s.interp.is_err(), "{what}: {:?}", s.interp);
            // Errors are structural (ENOEXEC), never a read failure of a healthy source; a
            // property note the cut leaves under 16 bytes is Linux's short read (EIO).
            for (name, part) in s.parts() {
                if let Err(e) = part {
                    let errno = match e {
                        elf_stream::Error::ShortRead { .. } if name == "props" => elf_stream::Errno::EIO,
                        _ => elf_stream::Errno::ENOEXEC,
                    };
                    assert_eq!(e.errno(), errno, "{what}: {name} {e:?}");
                }
            }
            if exact {
                let open_ok = s.header.is_ok();
                let phdrs_ok = s.phdrs.is_ok();
                if cut < header_end {
                    assert!(matches!(s.header, Err(Error::Truncated { .. })), "{what}: {:?}", s.header);
                } else if cut < table_end {
                    // A known size rejects at open; otherwise iterating finds the end.
                    if *how == "slice" || *how == "no window" {
                        assert!(
                            matches!(s.header, Err(Error::ProgramHeaderTableOutsideFile { .. })),
                            "{what}"
                        );
                    } else {
                        assert!(
                            open_ok && matches!(s.phdrs, Err(Error::Truncated { .. })),
                            "{what}: {:?}",
                            s.phdrs
                        );
                    }
                } else {
                    assert!(open_ok && phdrs_ok, "{what}");
                    let expected = if *how == "slice" || *how == "no window" {
                        Error::SegmentOutsideFile { index: 3 }
                    } else {
                        Error::Truncated { offset: img.data_at[3] as u64, len: 19 }
                    };
                    assert_eq!(s.interp, Err(expected), "{what}");
                }
            }
        }
    }
}

#[test]
fn every_truncation_of_header_table_and_interp_fails() {
    for (class, endian) in KINDS {
        check_prefixes(&minimal(class, endian), true);
    }
}

#[test]
fn every_truncation_of_a_rich_image_fails_cleanly() {
    for (class, endian) in KINDS {
        check_prefixes(&rich(class, endian), false);
    }
}

#[test]
fn every_truncation_with_a_tiny_window() {
    // With no head window every structure is read from the source: the same guarantees.
    for (class, endian) in KINDS {
        let img = minimal(class, endian);
        for cut in cuts(&img) {
            let bytes = &img.bytes[..cut];
            let Ok(elf) = ElfFile::<_, 0>::open(NoSize(bytes)) else { continue };
            let phs: Result<Vec<_>, _> = elf.program_headers().collect();
            let interp = elf.interpreter(&mut [0u8; 64]).map(|p| p.map(<[u8]>::to_vec));
            assert!(phs.is_err() || interp.is_err(), "cut at {cut}");
        }
    }
}
