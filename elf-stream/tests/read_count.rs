//! Read counts: opening a typical binary and iterating its program headers costs exactly one
//! `read_at` call; the interpreter path and the GNU property note of /bin/ls lie in the
//! same 1 KiB head window and cost nothing more.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use common::{corpus_files, fixture_files, read};
use elf_stream::{Class, Counting, ElfFile, Endian, ProgramType, PATH_MAX};
use std::path::Path;
use test_support::elf::{Builder, Seg, R};

/// Opens and iterates all program headers; returns the calls made so far and the file.
fn open_and_iterate<'a>(src: &'a Counting<&'a [u8]>) -> (u64, ElfFile<&'a Counting<&'a [u8]>>) {
    let elf: ElfFile<_> = ElfFile::open(src).unwrap();
    for ph in elf.program_headers() {
        ph.unwrap();
    }
    (src.calls(), elf)
}

#[test]
fn bin_ls_costs_one_read() {
    let path = Path::new("/bin/ls");
    if !path.exists() {
        eprintln!("no /bin/ls on this host; skipped");
        return;
    }
    let bytes = read(path);
    let src = Counting::new(&bytes[..]);
    let (calls, elf) = open_and_iterate(&src);
    assert_eq!(calls, 1, "open + program headers");
    let mut buf = [0u8; PATH_MAX];
    let interp = elf.interpreter(&mut buf).unwrap();
    assert!(interp.is_some_and(|p| p.starts_with(b"/")), "/bin/ls is dynamically linked");
    assert_eq!(src.calls(), 1, "the interpreter path lies in the head window");
    if elf
        .unique_segment(ProgramType::GNU_PROPERTY)
        .unwrap()
        .is_some_and(|p| p.file_range().end().unwrap() <= 1024)
    {
        elf.gnu_properties().unwrap();
        assert_eq!(src.calls(), 1, "the property note lies in the head window");
    }
    // The same through std::fs::File.
    let file = std::fs::File::open(path).unwrap();
    let src = Counting::new(&file);
    let elf: ElfFile<_> = ElfFile::open(&src).unwrap();
    assert_eq!(elf.program_headers().filter(|p| p.is_ok()).count() as u32, elf.phnum());
    let want = interp.map(<[u8]>::to_vec);
    assert_eq!(elf.interpreter(&mut [0u8; PATH_MAX]).unwrap().map(<[u8]>::to_vec), want);
    // Miri's file reads come back short on purpose (a test of the retry loop, which the
    // assertions above pass); the count is then Miri's, not the library's.
    if !cfg!(miri) {
        assert_eq!(src.calls(), 1);
    }
}

#[test]
fn x86_64_corpus_and_fixtures_cost_one_read() {
    let files: Vec<_> = fixture_files()
        .into_iter()
        .chain(corpus_files())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains("x86_64"))
        .collect();
    for path in &files {
        let bytes = read(path);
        let src = Counting::new(&bytes[..]);
        let (calls, elf) = open_and_iterate(&src);
        assert_eq!(calls, expected_calls(&elf), "{}", path.display());
        // Whatever lies in the window costs nothing more.
        let interp = elf.interpreter_header().unwrap();
        if interp.is_some_and(|p| p.file_range().end().unwrap() <= 1024) {
            elf.interpreter(&mut [0u8; PATH_MAX]).unwrap();
            assert_eq!(src.calls(), 1, "{}", path.display());
        }
    }
    println!("{} x86_64 files", files.len());
}

/// One call for the head window, plus one per 224-byte chunk of entries beyond it.
fn expected_calls<R: elf_stream::ReadAt>(elf: &ElfFile<R>) -> u64 {
    let h = elf.header();
    let entsize = h.class.program_header_size() as u64;
    let in_window = 1024u64.saturating_sub(h.phoff.get()) / entsize;
    let rest = u64::from(elf.phnum()).saturating_sub(in_window);
    1 + rest.div_ceil(224 / entsize)
}

#[test]
fn long_table_is_streamed_in_chunks() {
    // 30 ELF64 entries from offset 64: 17 lie in the 1 KiB window, the other 13 come in four
    // reads of at most 4 entries.
    let mut b = Builder::new(Class::Elf64, Endian::Little);
    for i in 0..30 {
        b = b.seg(Seg::load(i * 0x1000, 0, 0x1000, R));
    }
    let img = b.build();
    let src = Counting::new(&img.bytes[..]);
    let (calls, elf) = open_and_iterate(&src);
    assert_eq!(calls, 5);
    assert_eq!(expected_calls(&elf), 5);
    // A second pass does the same, no more.
    assert_eq!(elf.program_headers().count(), 30);
    assert_eq!(src.calls(), 9);
    // ELF32: 30 entries of 32 bytes from offset 52 fit in the window.
    let mut b = Builder::new(Class::Elf32, Endian::Big);
    for i in 0..30 {
        b = b.seg(Seg::load(i * 0x1000, 0, 0x1000, R));
    }
    let img = b.build();
    assert_eq!(open_and_iterate(&Counting::new(&img.bytes[..])).0, 1);
}
