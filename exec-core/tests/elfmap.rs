//! `elfmap` on real files: an object goes at its own addresses; when they are taken (or
//! below the window, as for a shared object linked at 0) it moves once, every segment by
//! the same aligned delta, to the range `find_free_range` gives, bytes equal to the file;
//! a failure at any address-space call leaves the space empty; too many headers and each
//! kind of malformed header are rejected with their own error before anything is mapped.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use elf_stream::{Errno, ProgramHeader, ProgramType};
use exec_core::elfmap::decode_table;
use exec_core::*;
use std::path::{Path, PathBuf};
use test_support::space::{check_loads, MockSpace};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

const TARGET: ElfmapTarget =
    ElfmapTarget { page: PageSize::K4, min: UserAddr(0x10000), end: UserAddr(0x7fff_ffff_f000) };

/// The file's bytes and its program header table.
fn object(path: &Path) -> (Vec<u8>, Vec<ProgramHeader>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(&bytes[..]).unwrap();
    let phdrs = elf.program_headers().map(Result::unwrap).collect();
    (bytes, phdrs)
}

fn exec_object() -> (Vec<u8>, Vec<ProgramHeader>) {
    object(&repo().join("testdata/bin/x86_64-dyn-exec"))
}

/// Every PT_LOAD byte at `p_vaddr + bias` equals the file (zero past `p_filesz`).
fn check_bytes(space: &MockSpace, file: &[u8], phdrs: &[ProgramHeader], bias: u64) {
    check_loads(phdrs, bias, space.page, file, &space.pages);
}

fn span(phdrs: &[ProgramHeader]) -> AddrRange {
    let loads = phdrs.iter().filter(|p| p.kind == ProgramType::LOAD);
    let lo = loads.clone().map(|p| p.vaddr.0 & !0xfff).min().unwrap();
    let hi = loads.map(|p| (p.vaddr.0 + p.memsz + 0xfff) & !0xfff).max().unwrap();
    AddrRange::new(UserAddr(lo), UserAddr(hi))
}

#[test]
fn maps_at_its_own_addresses() {
    let (file, phdrs) = exec_object();
    for mode in [LoadMode::Eager, LoadMode::Mapped] {
        let mut space = MockSpace::new(&file, &[]);
        let m = elfmap(&file[..], &phdrs, TARGET, &mut space, mode).unwrap();
        assert_eq!((m.base, m.bias, m.relocated), (UserAddr(0x40_0000), 0, false));
        assert_eq!(space.reserved, vec![span(&phdrs)]);
        check_bytes(&space, &file, &phdrs, 0);
        assert!(!space.calls.iter().any(|c| c.starts_with("find_free_range")));
    }
}

#[test]
fn a_taken_range_moves_every_segment_by_one_aligned_delta() {
    let (file, phdrs) = exec_object();
    let own = span(&phdrs);
    let mut space = MockSpace {
        occupied: vec![AddrRange::new(UserAddr(own.start.0 + 0x1000), UserAddr(own.start.0 + 0x2000))],
        free_from: Some(0x7000_0123),
        ..MockSpace::new(&file, &[])
    };
    let m = elfmap(&file[..], &phdrs, TARGET, &mut space, LoadMode::Mapped).unwrap();
    assert!(m.relocated);
    assert_eq!(m.base.0, 0x7000_1000, "the first aligned free address");
    assert_eq!(m.bias, 0x7000_1000 - 0x40_0000);
    check_bytes(&space, &file, &phdrs, m.bias);
    assert!(space.pages.keys().all(|&p| p >= m.base.0), "nothing left at the taken addresses");
    assert_eq!(space.calls.iter().filter(|c| c.starts_with("find_free_range")).count(), 1);
    // Asked for the span plus the largest alignment.
    assert!(space.calls.contains(&format!("find_free_range {:#x} 0x1000", own.len() + 0x1000)));

    // Downwards too (a wrapping bias).
    let mut space =
        MockSpace { occupied: vec![own], free_from: Some(0x20_0000), ..MockSpace::new(&file, &[]) };
    let m = elfmap(&file[..], &phdrs, TARGET, &mut space, LoadMode::Eager).unwrap();
    assert_eq!((m.base.0, m.bias), (0x20_0000, 0x20_0000u64.wrapping_sub(0x40_0000)));
    check_bytes(&space, &file, &phdrs, m.bias);
    // Below the window: refused, nothing mapped.
    let mut space = MockSpace { occupied: vec![own], free_from: Some(0x1000), ..MockSpace::new(&file, &[]) };
    let err = elfmap(&file[..], &phdrs, TARGET, &mut space, LoadMode::Eager).unwrap_err();
    assert!(matches!(err, ExecError::OutsideUserRange { .. }), "{err:?}");
    assert!(space.is_empty());

    // A kernel without find_free_range: the reservation's EEXIST, nothing mapped.
    let mut space =
        MockSpace { free_from: None, ..MockSpace { occupied: vec![own], ..MockSpace::new(&file, &[]) } };
    let err = elfmap(&file[..], &phdrs, TARGET, &mut space, LoadMode::Mapped).unwrap_err();
    assert_eq!(err, ExecError::AddressSpace { op: exec_core::SpaceOp::Reserve, errno: Errno::EEXIST });
    assert!(space.is_empty());
}

#[test]
fn a_shared_object_linked_at_zero_goes_where_the_space_says_aligned() {
    // glibc's MIPS n64 libc: linked at 0, 64 KiB p_align.
    let (file, phdrs) = object(Path::new("/usr/mips64el-linux-gnuabi64/lib/libc.so.6"));
    let align = phdrs.iter().filter(|p| p.kind == ProgramType::LOAD).map(|p| p.align).max().unwrap();
    assert_eq!(align, 0x10000);
    let mut space = MockSpace { free_from: Some(0x1_2345_6000), ..MockSpace::new(&file, &[]) };
    let m = elfmap(&file[..], &phdrs, TARGET, &mut space, LoadMode::Mapped).unwrap();
    assert!(m.relocated && m.bias % align == 0 && m.base.0 == 0x1_2346_0000, "{m:?}");
    check_bytes(&space, &file, &phdrs, m.bias);
    // Without find_free_range it cannot go anywhere: the segment below the window.
    let mut space = MockSpace::new(&file, &[]);
    let err = elfmap(&file[..], &phdrs, TARGET, &mut space, LoadMode::Mapped).unwrap_err();
    assert!(matches!(err, ExecError::OutsideUserRange { .. }), "{err:?}");
    assert!(space.is_empty());
}

#[test]
fn a_failure_at_any_call_leaves_the_space_empty() {
    let (file, phdrs) = exec_object();
    let own = span(&phdrs);
    let setup = || MockSpace {
        occupied: vec![AddrRange::new(own.start, UserAddr(own.start.0 + 0x1000))],
        free_from: Some(0x7000_0000),
        ..MockSpace::new(&file, &[])
    };
    for mode in [LoadMode::Eager, LoadMode::Mapped] {
        let mut space = setup();
        elfmap(&file[..], &phdrs, TARGET, &mut space, mode).unwrap();
        let n = space.calls.len();
        assert!(n >= 6, "{:?}", space.calls);
        for at in 1..=n {
            let mut space = MockSpace { fail_at: Some(at), ..setup() };
            let r = elfmap(&file[..], &phdrs, TARGET, &mut space, mode);
            if at == 1 {
                // The fixed reservation (taken here anyway): ENOMEM there means "no room",
                // the one failure that moves the object.
                assert!(r.unwrap().relocated);
                continue;
            }
            assert!(r.is_err(), "{mode:?}: failing call {at} ({}) went unnoticed", space.calls[at - 1]);
            assert!(
                space.is_empty(),
                "{mode:?}: call {at} left {:?}",
                space.pages.keys().collect::<Vec<_>>()
            );
        }
    }
}

#[test]
fn too_many_headers_and_malformed_ones_are_rejected_before_mapping() {
    let (file, phdrs) = exec_object();
    let mut space = MockSpace::new(&file, &[]);
    let many = vec![phdrs[0]; MAX_ELFMAP_PHDRS + 1];
    let err = elfmap(&file[..], &many, TARGET, &mut space, LoadMode::Mapped).unwrap_err();
    assert_eq!(err, ExecError::TooManyProgramHeaders { count: 65, cap: 64 });
    assert_eq!(err.errno(), Errno::E2BIG);
    // The raw table a runtime linker passes: the cap, and a table shorter than its count.
    let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(&file[..]).unwrap();
    let h = *elf.header();
    let table = &file[h.phoff.0 as usize..][..phdrs.len() * 56];
    assert_eq!(decode_table(table, phdrs.len(), h.class, h.endian).unwrap().as_slice(), &phdrs[..]);
    assert!(matches!(
        decode_table(table, 65, h.class, h.endian),
        Err(ExecError::TooManyProgramHeaders { .. })
    ));
    assert!(matches!(decode_table(&table[..100], 2, h.class, h.endian), Err(ExecError::InvalidParameter(_))));
    // The same rules straight from the table (the C entry point's path), nothing mapped.
    let ce = (h.class, h.endian);
    let short = ExecError::InvalidParameter(Parameter::ElfmapTableShort);
    let raw = |t: &[u8], n: usize, space: &mut MockSpace| {
        exec_core::elfmap::elfmap_table(&file[..], t, n, ce, TARGET, space, LoadMode::Mapped)
    };
    assert_eq!(raw(&table[..100], 2, &mut space).unwrap_err(), short);
    assert!(matches!(
        raw(table, 65, &mut space),
        Err(ExecError::TooManyProgramHeaders { count: 65, cap: 64 })
    ));
    assert!(space.reserved.is_empty() && space.pages.is_empty(), "{:?}", space.calls);
    // And the object maps from its raw table exactly as from its decoded headers.
    let mut decoded = MockSpace::new(&file, &[]);
    let want = elfmap(&file[..], &phdrs, TARGET, &mut decoded, LoadMode::Eager).unwrap();
    let mut direct = MockSpace::new(&file, &[]);
    let got = exec_core::elfmap::elfmap_table(
        &file[..],
        table,
        phdrs.len(),
        ce,
        TARGET,
        &mut direct,
        LoadMode::Eager,
    );
    assert_eq!(got.unwrap(), want);
    assert_eq!((&direct.reserved, &direct.calls), (&decoded.reserved, &decoded.calls));
    check_bytes(&direct, &file, &phdrs, 0);

    let load = phdrs.iter().position(|p| p.kind == ProgramType::LOAD && p.filesz > 0).unwrap();
    let with = |f: &dyn Fn(&mut ProgramHeader)| {
        let mut v = phdrs.clone();
        f(&mut v[load]);
        v
    };
    let index = load as u32;
    let cases: Vec<(Vec<ProgramHeader>, ExecError)> = vec![
        (with(&|p| p.filesz = p.memsz + 1), ExecError::FileSizeExceedsMemSize { index }),
        (with(&|p| p.vaddr.0 += 8), ExecError::Misaligned { index }),
        (with(&|p| p.vaddr.0 = !0xfff), ExecError::OutsideUserRange { index }),
        (
            with(&|p| p.offset.0 = (file.len() as u64 + 0xfff) & !0xfff),
            ExecError::Elf { role: Role::Main, error: elf_stream::Error::SegmentOutsideFile { index } },
        ),
        (
            with(&|p| p.vaddr = phdrs.iter().filter(|q| q.kind == ProgramType::LOAD).nth(1).unwrap().vaddr),
            ExecError::OverlappingSegments { first: 2, second: 3 },
        ),
        (with(&|p| p.memsz = u64::MAX - 0x10), ExecError::OutsideUserRange { index }),
        (phdrs.iter().filter(|p| p.kind != ProgramType::LOAD).copied().collect(), ExecError::NoLoadSegment),
    ];
    for (headers, want) in cases {
        let mut space = MockSpace { free_from: Some(0x7000_0000), ..MockSpace::new(&file, &[]) };
        let err = elfmap(&file[..], &headers, TARGET, &mut space, LoadMode::Mapped).unwrap_err();
        assert_eq!(err, want);
        assert!(space.calls.is_empty(), "{want:?}: {:?}", space.calls);
    }
}
