//! Notes (PT_NOTE) and the GNU property reader (PT_GNU_PROPERTY, Linux's rules).
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use elf_stream::{
    aarch64_feature, riscv_feature, x86_feature, Class, ElfFile, Endian, Errno, Error, GnuProperties, Note,
    ProgramType, GNU_PROPERTY_AARCH64_FEATURE_1_AND, GNU_PROPERTY_RISCV_FEATURE_1_AND,
    GNU_PROPERTY_X86_FEATURE_1_AND,
};
use test_support::elf::{
    align_up, gnu_property_note, gnu_property_seg, note, note_raw, property, u32_bytes, Builder, Image,
    Machine, PhdrField, Seg, KINDS, RX,
};
use test_support::sources::NoSize;

const AARCH64: Machine = Machine::AARCH64;
const X86_64: Machine = Machine::X86_64;
const I386: Machine = Machine::I386;
const MIPS: Machine = Machine::MIPS;
const RISCV: Machine = Machine::RISCV;
/// GNU_PROPERTY_X86_ISA_1_NEEDED: a property elf-stream counts but does not decode.
const X86_ISA_1_NEEDED: u32 = 0xc000_8002;
const AARCH64_UNKNOWN: u32 = 0xc000_0001;

fn props_image(class: Class, endian: Endian, machine: Machine, note: Vec<u8>) -> Image {
    Builder::new(class, endian)
        .machine(machine)
        .seg(Seg::load(0, 0x100, 0x100, RX))
        .seg(gnu_property_seg(class, note))
        .build()
}

fn props(bytes: &[u8]) -> Result<Option<GnuProperties>, Error> {
    let elf: ElfFile<&[u8]> = ElfFile::open(bytes).unwrap();
    let a = elf.gnu_properties();
    let elf: ElfFile<_> = ElfFile::open(NoSize(bytes)).unwrap();
    let b = elf.gnu_properties();
    // Without a head window the note is read from the source in pieces as the walk goes
    // instead of parsed in the window: the same answer either way.
    let elf: ElfFile<&[u8], 0> = ElfFile::open(bytes).unwrap();
    assert_eq!(elf.gnu_properties(), a, "no window");
    // A source without a size cannot read short: a note cut by the end of the file is
    // Truncated there.
    match (&a, &b) {
        (Err(Error::ShortRead { .. }) | Err(Error::PropertyNoteInvalid), Err(Error::Truncated { .. })) => {}
        _ => assert_eq!(a, b),
    }
    match &a {
        // parse_elf_properties: fewer bytes read than a note header and its name.
        Err(e @ Error::ShortRead { .. }) => assert_eq!(e.errno(), Errno::EIO, "{e:?}"),
        Err(e) => assert_eq!(e.errno(), Errno::ENOEXEC, "{e:?}"),
        Ok(_) => {}
    }
    a
}

fn u32p(class: Class, endian: Endian, pr_type: u32, v: u32) -> Vec<u8> {
    property(class, endian, pr_type, &u32_bytes(v, endian))
}

#[test]
fn aarch64_feature_bits_read_back() {
    for (class, endian) in KINDS {
        for bits in [aarch64_feature::BTI, aarch64_feature::PAC, aarch64_feature::GCS, 7, 0, 0xffff_fff8] {
            let n = gnu_property_note(
                class,
                endian,
                &[u32p(class, endian, GNU_PROPERTY_AARCH64_FEATURE_1_AND, bits)],
            );
            let img = props_image(class, endian, AARCH64, n);
            let p = props(&img.bytes).unwrap().unwrap();
            assert_eq!(
                p,
                GnuProperties {
                    aarch64_feature_1_and: Some(bits),
                    x86_feature_1_and: None,
                    riscv_feature_1_and: None,
                    count: 1
                }
            );
        }
        // Among other properties, sorted.
        let n = gnu_property_note(
            class,
            endian,
            &[
                property(class, endian, 0x10, &[1, 2, 3]),
                u32p(
                    class,
                    endian,
                    GNU_PROPERTY_AARCH64_FEATURE_1_AND,
                    aarch64_feature::BTI | aarch64_feature::PAC,
                ),
                property(class, endian, AARCH64_UNKNOWN, &[0; 8]),
            ],
        );
        let img = props_image(class, endian, AARCH64, n);
        let p = props(&img.bytes).unwrap().unwrap();
        assert_eq!(p.aarch64_feature_1_and, Some(3));
        assert_eq!(p.count, 3);
    }
}

#[test]
fn long_note_read_in_pieces() {
    // A note of several hundred bytes (up to Linux's 1 KiB) outside the head window is read
    // in pieces: the property after them, and a fault in the last one, are found as in the
    // window.
    for (class, endian) in KINDS {
        let mut list: Vec<Vec<u8>> = (0..40).map(|t| property(class, endian, 0x10 + t, &[7; 12])).collect();
        list.push(u32p(class, endian, GNU_PROPERTY_AARCH64_FEATURE_1_AND, aarch64_feature::BTI));
        let n = gnu_property_note(class, endian, &list);
        assert!(n.len() > 600 && n.len() <= 1024, "{}", n.len());
        let p = props(&props_image(class, endian, AARCH64, n).bytes).unwrap().unwrap();
        assert_eq!((p.aarch64_feature_1_and, p.count), (Some(aarch64_feature::BTI), 41));
        // The last property's size runs past the descriptor.
        let last = list.len() - 1;
        list[last] = property(class, endian, GNU_PROPERTY_AARCH64_FEATURE_1_AND, &[0; 4]);
        let at = list[..last].iter().map(Vec::len).sum::<usize>() as u32;
        let mut n = gnu_property_note(class, endian, &list);
        let len = n.len();
        let datasz_at = len - list[last].len() + 4;
        n[datasz_at..datasz_at + 4].copy_from_slice(&u32_bytes(0x100, endian));
        let r = props(&props_image(class, endian, AARCH64, n).bytes);
        assert_eq!(r, Err(Error::PropertyMalformed { at }));
    }
}

#[test]
fn x86_feature_bits_read_back() {
    for (class, endian) in KINDS {
        for machine in [X86_64, I386] {
            let bits = x86_feature::IBT | x86_feature::SHSTK;
            let n = gnu_property_note(
                class,
                endian,
                &[
                    u32p(class, endian, GNU_PROPERTY_X86_FEATURE_1_AND, bits),
                    u32p(class, endian, X86_ISA_1_NEEDED, 1),
                ],
            );
            let img = props_image(class, endian, machine, n);
            let p = props(&img.bytes).unwrap().unwrap();
            assert_eq!(
                p,
                GnuProperties {
                    aarch64_feature_1_and: None,
                    x86_feature_1_and: Some(3),
                    riscv_feature_1_and: None,
                    count: 2
                }
            );
            let n =
                gnu_property_note(class, endian, &[u32p(class, endian, GNU_PROPERTY_X86_FEATURE_1_AND, 1)]);
            let img = props_image(class, endian, machine, n);
            assert_eq!(props(&img.bytes).unwrap().unwrap().x86_feature_1_and, Some(x86_feature::IBT));
        }
    }
}

#[test]
fn riscv_feature_bits_read_back() {
    for (class, endian) in KINDS {
        let bits = riscv_feature::CFI_LP_UNLABELED | riscv_feature::CFI_SS;
        let n =
            gnu_property_note(class, endian, &[u32p(class, endian, GNU_PROPERTY_RISCV_FEATURE_1_AND, bits)]);
        let img = props_image(class, endian, RISCV, n.clone());
        let p = props(&img.bytes).unwrap().unwrap();
        assert_eq!(p, GnuProperties { riscv_feature_1_and: Some(3), count: 1, ..Default::default() });
        // The same number on AArch64 is AArch64's property, never RISC-V's.
        let img = props_image(class, endian, AARCH64, n);
        let p = props(&img.bytes).unwrap().unwrap();
        assert_eq!((p.aarch64_feature_1_and, p.riscv_feature_1_and), (Some(3), None));
        // Linux's size rule holds for it as for the others.
        let n = gnu_property_note(
            class,
            endian,
            &[property(class, endian, GNU_PROPERTY_RISCV_FEATURE_1_AND, &[0; 8])],
        );
        let img = props_image(class, endian, RISCV, n);
        assert_eq!(
            props(&img.bytes),
            Err(Error::PropertyBadSize { pr_type: GNU_PROPERTY_RISCV_FEATURE_1_AND, size: 8 })
        );
    }
}

#[test]
fn other_machines_count_but_do_not_decode() {
    for (class, endian) in KINDS {
        let n = gnu_property_note(
            class,
            endian,
            &[
                u32p(class, endian, GNU_PROPERTY_AARCH64_FEATURE_1_AND, 1),
                property(class, endian, GNU_PROPERTY_X86_FEATURE_1_AND, &[0; 8]),
            ],
        );
        // On MIPS neither is known, so even the 8-byte FEATURE_1_AND is just counted.
        let img = props_image(class, endian, MIPS, n.clone());
        assert_eq!(props(&img.bytes).unwrap().unwrap(), GnuProperties { count: 2, ..Default::default() });
        // On AArch64 the x86 one is unknown; on x86 the AArch64 one is.
        let img = props_image(class, endian, AARCH64, n.clone());
        assert_eq!(props(&img.bytes).unwrap().unwrap().aarch64_feature_1_and, Some(1));
        let img = props_image(class, endian, X86_64, n);
        assert_eq!(
            props(&img.bytes),
            Err(Error::PropertyBadSize { pr_type: GNU_PROPERTY_X86_FEATURE_1_AND, size: 8 })
        );
    }
}

#[test]
fn no_or_empty_property_segment() {
    for (class, endian) in KINDS {
        let img = Builder::new(class, endian).machine(AARCH64).seg(Seg::load(0, 0x100, 0x100, RX)).build();
        assert_eq!(props(&img.bytes), Ok(None));
        let n = gnu_property_note(class, endian, &[]);
        let img = props_image(class, endian, AARCH64, n);
        assert_eq!(props(&img.bytes), Ok(Some(GnuProperties::default())));
    }
}

#[test]
fn over_one_kib() {
    for (class, endian) in KINDS {
        let mut n =
            gnu_property_note(class, endian, &[u32p(class, endian, GNU_PROPERTY_AARCH64_FEATURE_1_AND, 1)]);
        // Exactly 1024 bytes: the note followed by padding the parser never looks at.
        n.resize(1024, 0);
        let img = props_image(class, endian, AARCH64, n.clone());
        assert_eq!(props(&img.bytes).unwrap().unwrap().aarch64_feature_1_and, Some(1));
        n.push(0);
        let img = props_image(class, endian, AARCH64, n);
        assert_eq!(props(&img.bytes), Err(Error::PropertyTooLarge { size: 1025 }));
        // A huge p_filesz is "too large", not an arithmetic accident.
        let mut img = props_image(class, endian, AARCH64, gnu_property_note(class, endian, &[]));
        let v = if class == Class::Elf64 { u64::MAX } else { u64::from(u32::MAX) };
        img.set_phdr(1, PhdrField::Filesz, v);
        assert_eq!(props(&img.bytes), Err(Error::PropertyTooLarge { size: v }));
    }
}

#[test]
fn wrong_note_type() {
    for (class, endian) in KINDS {
        for t in [0u32, 1, 3, 4, 6, 0x8000_0005] {
            let desc = u32p(class, endian, GNU_PROPERTY_AARCH64_FEATURE_1_AND, 1);
            let n = note(endian, b"GNU", t, &desc, class.property_align());
            let img = props_image(class, endian, AARCH64, n);
            assert_eq!(props(&img.bytes), Err(Error::PropertyNoteInvalid));
        }
    }
}

#[test]
fn namesz_not_four() {
    for (class, endian) in KINDS {
        let desc = u32p(class, endian, GNU_PROPERTY_AARCH64_FEATURE_1_AND, 1);
        for namesz in [0u32, 3, 5, 8, 0xffff_ffff] {
            let n = note_raw(endian, namesz, desc.len() as u32, 5, b"GNU\0", &desc, class.property_align());
            let img = props_image(class, endian, AARCH64, n);
            assert_eq!(props(&img.bytes), Err(Error::PropertyNoteInvalid), "namesz {namesz}");
        }
    }
}

#[test]
fn name_not_gnu() {
    for (class, endian) in KINDS {
        let desc = u32p(class, endian, GNU_PROPERTY_AARCH64_FEATURE_1_AND, 1);
        for name in [b"gnu\0", b"GNUX", b"GN\0\0", b"\0GNU", b"LLVM"] {
            let n = note_raw(endian, 4, desc.len() as u32, 5, name, &desc, class.property_align());
            let img = props_image(class, endian, AARCH64, n);
            assert_eq!(props(&img.bytes), Err(Error::PropertyNoteInvalid), "{name:?}");
        }
    }
}

#[test]
fn segment_shorter_than_note_header_and_name() {
    for (class, endian) in KINDS {
        let full = gnu_property_note(class, endian, &[]);
        // Linux reads p_filesz bytes and wants 16 (EIO), wherever the segment ends.
        for len in 0..16 {
            let img = props_image(class, endian, AARCH64, full[..len].to_vec());
            let offset = img.data_at[1] as u64;
            assert_eq!(props(&img.bytes), Err(Error::ShortRead { offset, len: 16 }), "len {len}");
        }
    }
}

#[test]
fn descsz_past_the_end() {
    for (class, endian) in KINDS {
        let desc = u32p(class, endian, GNU_PROPERTY_AARCH64_FEATURE_1_AND, 1);
        for extra in [1u32, 8, 0x1000, 0xffff_ffff - desc.len() as u32] {
            let descsz = desc.len() as u32 + extra;
            let n = note_raw(endian, 4, descsz, 5, b"GNU\0", &desc, class.property_align());
            let img = props_image(class, endian, AARCH64, n);
            assert_eq!(props(&img.bytes), Err(Error::PropertyNoteInvalid), "descsz {descsz}");
        }
        // The segment cut short of the descriptor.
        let n = gnu_property_note(class, endian, std::slice::from_ref(&desc));
        let img = props_image(class, endian, AARCH64, n[..n.len() - 4].to_vec());
        assert_eq!(props(&img.bytes), Err(Error::PropertyNoteInvalid));
    }
}

#[test]
fn pr_datasz_overflow() {
    for (class, endian) in KINDS {
        for datasz in [0xffff_ffffu32, 0xffff_fff8, 0xffff_fffc, 0x8000_0000, 9] {
            let mut pr = Vec::new();
            pr.extend_from_slice(&u32_bytes(GNU_PROPERTY_AARCH64_FEATURE_1_AND, endian));
            pr.extend_from_slice(&u32_bytes(datasz, endian));
            pr.extend_from_slice(&[0; 8]);
            let n = gnu_property_note(class, endian, &[pr]);
            let img = props_image(class, endian, AARCH64, n);
            assert_eq!(props(&img.bytes), Err(Error::PropertyMalformed { at: 0 }), "pr_datasz {datasz:#x}");
        }
        // The second property overflows: `at` is its offset in the descriptor.
        let first = u32p(class, endian, 1, 7);
        let at = first.len() as u32;
        let mut second = Vec::new();
        second.extend_from_slice(&u32_bytes(2, endian));
        second.extend_from_slice(&u32_bytes(0xffff_ffff, endian));
        let n = gnu_property_note(class, endian, &[first, second]);
        let img = props_image(class, endian, AARCH64, n);
        assert_eq!(props(&img.bytes), Err(Error::PropertyMalformed { at }));
    }
}

#[test]
fn misaligned_properties() {
    for (class, endian) in KINDS {
        let align = class.property_align();
        // Trailing bytes too few for a property header (4 on ELF32 and ELF64).
        let mut desc = u32p(class, endian, GNU_PROPERTY_AARCH64_FEATURE_1_AND, 1);
        let at = desc.len() as u32;
        desc.extend_from_slice(&[0; 4]);
        let n = note(endian, b"GNU", 5, &desc, align);
        let img = props_image(class, endian, AARCH64, n);
        assert_eq!(props(&img.bytes), Err(Error::PropertyMalformed { at }));
        // A 4-byte property without its padding to 8 is malformed on ELF64, fine on ELF32.
        let mut desc = Vec::new();
        desc.extend_from_slice(&u32_bytes(GNU_PROPERTY_AARCH64_FEATURE_1_AND, endian));
        desc.extend_from_slice(&u32_bytes(4, endian));
        desc.extend_from_slice(&u32_bytes(1, endian));
        let n = note(endian, b"GNU", 5, &desc, align);
        let img = props_image(class, endian, AARCH64, n);
        let expected = match class {
            Class::Elf64 => Err(Error::PropertyMalformed { at: 0 }),
            Class::Elf32 => {
                Ok(Some(GnuProperties { aarch64_feature_1_and: Some(1), count: 1, ..Default::default() }))
            }
        };
        assert_eq!(props(&img.bytes), expected);
        // Data of 1 byte: the next property starts at the aligned offset.
        let n = gnu_property_note(
            class,
            endian,
            &[property(class, endian, 1, &[9]), u32p(class, endian, GNU_PROPERTY_AARCH64_FEATURE_1_AND, 4)],
        );
        let img = props_image(class, endian, AARCH64, n);
        assert_eq!(props(&img.bytes).unwrap().unwrap().aarch64_feature_1_and, Some(4));
    }
}

#[test]
fn unsorted_or_duplicate_types() {
    for (class, endian) in KINDS {
        let a = |t| u32p(class, endian, t, 1);
        for (types, bad) in [
            (vec![2u32, 1], 1u32),
            (vec![1, 1], 1),
            (
                vec![GNU_PROPERTY_AARCH64_FEATURE_1_AND, GNU_PROPERTY_AARCH64_FEATURE_1_AND],
                GNU_PROPERTY_AARCH64_FEATURE_1_AND,
            ),
            (vec![1, 5, 3], 3),
            (vec![0xffff_ffff, 0], 0),
        ] {
            let n = gnu_property_note(class, endian, &types.iter().map(|&t| a(t)).collect::<Vec<_>>());
            let img = props_image(class, endian, AARCH64, n);
            assert_eq!(props(&img.bytes), Err(Error::PropertyUnsorted { pr_type: bad }), "{types:x?}");
        }
        // Type 0 first is fine (nothing before it).
        let n = gnu_property_note(class, endian, &[a(0), a(1)]);
        let img = props_image(class, endian, AARCH64, n);
        assert_eq!(props(&img.bytes).unwrap().unwrap().count, 2);
    }
}

#[test]
fn feature_1_and_wrong_size() {
    for (class, endian) in KINDS {
        for (machine, pr_type) in [
            (AARCH64, GNU_PROPERTY_AARCH64_FEATURE_1_AND),
            (X86_64, GNU_PROPERTY_X86_FEATURE_1_AND),
            (I386, GNU_PROPERTY_X86_FEATURE_1_AND),
        ] {
            for size in [0usize, 1, 2, 3, 5, 8, 16] {
                let n =
                    gnu_property_note(class, endian, &[property(class, endian, pr_type, &vec![0xff; size])]);
                let img = props_image(class, endian, machine, n);
                assert_eq!(props(&img.bytes), Err(Error::PropertyBadSize { pr_type, size: size as u32 }));
            }
        }
    }
}

#[test]
fn property_segment_outside_file_or_duplicated() {
    for (class, endian) in KINDS {
        let n =
            gnu_property_note(class, endian, &[u32p(class, endian, GNU_PROPERTY_AARCH64_FEATURE_1_AND, 1)]);
        // Linux reads what the file holds: 8 bytes are short of a note header and name
        // (EIO); 16 hold them but not the descriptor (ENOEXEC).
        let mut img = props_image(class, endian, AARCH64, n.clone());
        let end = img.bytes.len() as u64;
        img.set_phdr(1, PhdrField::Offset, end - 8);
        assert_eq!(props(&img.bytes), Err(Error::ShortRead { offset: end - 8, len: 16 }));
        img.bytes.extend_from_slice(&n[..16]);
        img.set_phdr(1, PhdrField::Offset, end);
        assert_eq!(props(&img.bytes), Err(Error::PropertyNoteInvalid));
        // Past the largest file offset kernel_read fails: EIO too.
        if class == Class::Elf64 {
            img.set_phdr(1, PhdrField::Offset, 1 << 63);
            assert_eq!(props(&img.bytes), Err(Error::ShortRead { offset: 1 << 63, len: 16 }));
        }
        // Two: Linux keeps the last, whatever the first holds.
        let single = props(&props_image(class, endian, AARCH64, n.clone()).bytes);
        assert!(matches!(single, Ok(Some(_))), "{single:?}");
        let mut img = Builder::new(class, endian)
            .machine(AARCH64)
            .seg(gnu_property_seg(class, n.clone()))
            .seg(gnu_property_seg(class, n))
            .build();
        img.set_phdr(0, PhdrField::Offset, img.bytes.len() as u64 - 8);
        assert_eq!(props(&img.bytes), single);
    }
}

// ---------------------------------------------------------------------------------------------
// The note iterator
// ---------------------------------------------------------------------------------------------

/// A note's name as written, as `Note::name` shows it, its type and descriptor size.
type Expected<'a> = (&'a [u8], Option<&'a [u8]>, u32, u64);

fn notes_of(img: &Image, index: u32) -> Vec<Result<Note, Error>> {
    let elf: ElfFile<&[u8]> = ElfFile::open(&img.bytes[..]).unwrap();
    let ph = elf.program_header(index).unwrap();
    let a: Vec<_> = elf.notes(&ph).unwrap().collect();
    // The same through a one-byte source and a tiny window (every read from the source).
    let one = test_support::sources::OneByte(&img.bytes);
    let elf: ElfFile<_, 0> = ElfFile::open(one).unwrap();
    let b: Vec<_> = elf.notes(&ph).unwrap().collect();
    assert_eq!(a, b);
    a
}

#[test]
fn notes_names_types_and_descriptors() {
    for (class, endian) in KINDS {
        for align in [4usize, 8] {
            let build_id: Vec<u8> = (0..20).collect();
            let abi_tag = [0u8, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0];
            let long_name = b"a-very-long-vendor-name";
            let parts = [
                note(endian, b"GNU", 3, &build_id, align),
                note(endian, b"GNU", 1, &abi_tag, align),
                note(endian, b"Go", 4, b"hello", align),
                note(endian, long_name, 0x1234_5678, &[], align),
                note(endian, b"stapsdt", 3, &[7; 9], align),
                note_raw(endian, 0, 3, 9, &[], b"xyz", align),
            ];
            let data = parts.concat();
            let img = Builder::new(class, endian)
                .seg(Seg::new(ProgramType::NOTE, data).align(align as u64))
                .build();
            let base = img.data_at[0] as u64;
            let notes: Vec<Note> = notes_of(&img, 0).into_iter().collect::<Result<_, _>>().unwrap();
            assert_eq!(notes.len(), parts.len());
            let mut at = base;
            let expect: [Expected; 6] = [
                (b"GNU", Some(b"GNU"), 3, 20),
                (b"GNU", Some(b"GNU"), 1, 16),
                (b"Go", Some(b"Go"), 4, 5),
                (long_name, None, 0x1234_5678, 0),
                (b"stapsdt", Some(b"stapsdt"), 3, 9),
                (b"", Some(b""), 9, 3),
            ];
            for ((n, part), (name, shown, n_type, descsz)) in notes.iter().zip(&parts).zip(expect) {
                let namesz = if name.is_empty() { 0 } else { name.len() as u32 + 1 };
                assert_eq!(n.offset.get(), at);
                assert_eq!((n.n_type, n.namesz, n.name()), (n_type, namesz, shown));
                let desc_at = at + align_up(12 + namesz as usize, align) as u64;
                assert_eq!((n.desc.offset.get(), n.desc.size), (desc_at, descsz), "{name:?} align {align}");
                let rel = (desc_at - at) as usize;
                assert_eq!(
                    &img.bytes[desc_at as usize..][..descsz as usize],
                    &part[rel..rel + descsz as usize]
                );
                at += part.len() as u64;
            }
            // The build-id descriptor really is where the note says.
            let d = notes[0].desc;
            assert_eq!(&img.bytes[d.offset.get() as usize..][..20], &build_id[..]);
        }
    }
}

#[test]
fn eight_byte_alignment_is_relative_to_the_segment() {
    for (class, endian) in KINDS {
        // The segment starts 4 bytes past an 8-byte boundary; padding follows note offsets.
        let desc = [0xaau8; 12];
        let data = [note(endian, b"GNU", 5, &desc, 8), note(endian, b"XY", 1, &[0xbb; 3], 8)].concat();
        let mut img =
            Builder::new(class, endian).seg(Seg::new(ProgramType::NOTE, Vec::new()).align(8)).build();
        let at = align_up(img.bytes.len(), 8) + 4;
        img.bytes.resize(at, 0);
        img.bytes.extend_from_slice(&data);
        img.set_phdr(0, PhdrField::Offset, at as u64);
        img.set_phdr(0, PhdrField::Filesz, data.len() as u64);
        let notes: Vec<Note> = notes_of(&img, 0).into_iter().collect::<Result<_, _>>().unwrap();
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0].desc.offset.get(), at as u64 + 16);
        assert_eq!(notes[1].offset.get(), at as u64 + 32);
        assert_eq!(notes[1].desc.offset.get(), at as u64 + 32 + 16);
        assert_eq!(notes[1].name(), Some(&b"XY"[..]));
    }
}

#[test]
fn odd_p_align_values_mean_four() {
    for (class, endian) in KINDS {
        for p_align in [0u64, 1, 2, 4, 16, 0x1000] {
            let data = [note(endian, b"ABCDE", 1, &[1; 5], 4), note(endian, b"Z", 2, &[2; 2], 4)].concat();
            let img =
                Builder::new(class, endian).seg(Seg::new(ProgramType::NOTE, data).align(p_align)).build();
            let notes: Vec<Note> = notes_of(&img, 0).into_iter().collect::<Result<_, _>>().unwrap();
            let base = img.data_at[0] as u64;
            assert_eq!(notes.iter().map(|n| n.desc.offset.get() - base).collect::<Vec<_>>(), [20, 28 + 16]);
        }
    }
}

#[test]
fn missing_final_padding_is_accepted() {
    for (class, endian) in KINDS {
        let mut data = note(endian, b"GNU", 1, &[1, 2, 3, 4, 5], 4);
        data.truncate(data.len() - 3);
        let img = Builder::new(class, endian).seg(Seg::new(ProgramType::NOTE, data).align(4)).build();
        let notes = notes_of(&img, 0);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].unwrap().desc.size, 5);
    }
}

#[test]
fn notes_running_past_the_segment() {
    for (class, endian) in KINDS {
        let good = note(endian, b"GNU", 3, &[1; 20], 4);
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("descsz too large", note_raw(endian, 4, 21, 3, b"GNU\0", &[1; 20], 4)),
            ("descsz huge", note_raw(endian, 4, 0xffff_ffff, 3, b"GNU\0", &[1; 20], 4)),
            ("namesz too large", note_raw(endian, 40, 0, 3, b"GNU\0", &[1; 20], 4)),
            ("namesz huge", note_raw(endian, 0xffff_fffd, 0, 3, b"GNU\0", &[], 4)),
            ("header cut", vec![0; 8]),
            ("header of 11 bytes", vec![0; 11]),
        ];
        for (what, bad) in cases {
            let data = [good.clone(), bad].concat();
            let img = Builder::new(class, endian).seg(Seg::new(ProgramType::NOTE, data).align(4)).build();
            let notes = notes_of(&img, 0);
            let offset = img.data_at[0] as u64 + good.len() as u64;
            assert_eq!(notes.len(), 2, "{what}: stops after the error");
            assert!(notes[0].is_ok());
            assert_eq!(notes[1], Err(Error::NoteMalformed { offset }), "{what}");
            assert_eq!(Error::NoteMalformed { offset }.errno(), Errno::ENOEXEC);
        }
    }
}

#[test]
fn notes_segment_checks() {
    for (class, endian) in KINDS {
        let img = Builder::new(class, endian).seg(Seg::new(ProgramType::NOTE, Vec::new())).build();
        assert!(notes_of(&img, 0).is_empty());
        let data = note(endian, b"GNU", 3, &[1; 20], 4);
        let mut img = Builder::new(class, endian).seg(Seg::new(ProgramType::NOTE, data)).build();
        img.set_phdr(0, PhdrField::Filesz, 1000);
        let elf: ElfFile<&[u8]> = ElfFile::open(&img.bytes[..]).unwrap();
        let ph = elf.program_header(0).unwrap();
        assert_eq!(elf.notes(&ph).err(), Some(Error::SegmentOutsideFile { index: 0 }));
        // Without a size, the read past the end fails cleanly instead.
        let elf: ElfFile<_> = ElfFile::open(NoSize(&img.bytes)).unwrap();
        let items: Vec<_> = elf.notes(&ph).unwrap().collect();
        assert!(items[0].is_ok());
        assert!(
            matches!(items.last(), Some(Err(Error::NoteMalformed { .. } | Error::Truncated { .. }))),
            "{items:?}"
        );
    }
}
