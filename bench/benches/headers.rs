//! Header + all program headers: elf-stream (copies through `ReadAt`) against `object`,
//! `elf` and `goblin` (which borrow the in-memory file) and a hand-rolled copy floor,
//! on the same in-memory files. Every parser folds the same fields into a checksum so
//! none can skip the work.

use divan::{black_box, Bencher};
use execcore_bench::fixtures::{self, Fixture};
use std::collections::BTreeMap;
use std::sync::LazyLock;
use test_support::elf::{Phdr, ProgramType, SegmentFlags};

fn main() {
    // The same sums from every parser, or the comparison is meaningless.
    for (name, bytes) in FILES.iter() {
        let want = elf_stream_sum(bytes);
        assert!(want.is_some(), "{name}");
        for (parser, got) in [
            ("object", object_sum(bytes)),
            ("elf", elf_sum(bytes)),
            ("goblin", goblin_sum(bytes)),
            ("copy_floor", copy_floor_sum(bytes)),
        ] {
            assert_eq!(got, want, "{parser} on {name}");
        }
    }
    divan::main();
}

/// The files, by name, read once.
static FILES: LazyLock<BTreeMap<&'static str, Vec<u8>>> =
    LazyLock::new(|| fixtures::comparison_set().iter().map(|f: &Fixture| (f.name, f.bytes())).collect());

const NAMES: [&str; 3] = ["static", "dynpie", "big"];

/// Folds the program header fields every parser must deliver (all but `p_paddr`).
fn fold(acc: u64, r: Phdr) -> u64 {
    acc.wrapping_mul(31).wrapping_add(u64::from(r.kind.0) ^ u64::from(r.flags.0) << 32).wrapping_add(
        r.offset ^ r.vaddr.rotate_left(7) ^ r.filesz.rotate_left(13) ^ r.memsz.rotate_left(29) ^ r.align,
    )
}

/// A program header from type, flags and [offset, vaddr, filesz, memsz, align].
fn row_of(kind: u32, flags: u32, [offset, vaddr, filesz, memsz, align]: [u64; 5]) -> Phdr {
    Phdr {
        kind: ProgramType(kind),
        flags: SegmentFlags(flags),
        offset,
        vaddr,
        paddr: 0,
        filesz,
        memsz,
        align,
    }
}

fn elf_stream_sum(data: &[u8]) -> Option<u64> {
    let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(data).ok()?;
    let mut acc = elf.header().entry.0;
    for ph in elf.program_headers() {
        let p = ph.ok()?;
        acc = fold(acc, row_of(p.kind.0, p.flags.0, [p.offset.0, p.vaddr.0, p.filesz, p.memsz, p.align]));
    }
    Some(acc)
}

fn object_sum(data: &[u8]) -> Option<u64> {
    use object::read::elf::{FileHeader, ProgramHeader};
    let h = object::elf::FileHeader64::<object::Endianness>::parse(data).ok()?;
    let e = h.endian().ok()?;
    let mut acc = h.e_entry(e);
    for p in h.program_headers(e, data).ok()? {
        let words = [p.p_offset(e), p.p_vaddr(e), p.p_filesz(e), p.p_memsz(e), p.p_align(e)];
        acc = fold(acc, row_of(p.p_type(e).0, p.p_flags(e).0, words));
    }
    Some(acc)
}

fn elf_sum(data: &[u8]) -> Option<u64> {
    let file = elf::ElfBytes::<elf::endian::AnyEndian>::minimal_parse(data).ok()?;
    let mut acc = file.ehdr.e_entry;
    for p in file.segments()?.iter() {
        acc =
            fold(acc, row_of(p.p_type, p.p_flags, [p.p_offset, p.p_vaddr, p.p_filesz, p.p_memsz, p.p_align]));
    }
    Some(acc)
}

fn goblin_sum(data: &[u8]) -> Option<u64> {
    use goblin::elf::{program_header::ProgramHeader, Elf};
    let h = Elf::parse_header(data).ok()?;
    let ctx = goblin::container::Ctx::new(h.container().ok()?, h.endianness().ok()?);
    let mut acc = h.e_entry;
    for p in ProgramHeader::parse(data, h.e_phoff as usize, usize::from(h.e_phnum), ctx).ok()? {
        acc =
            fold(acc, row_of(p.p_type, p.p_flags, [p.p_offset, p.p_vaddr, p.p_filesz, p.p_memsz, p.p_align]));
    }
    Some(acc)
}

/// The floor for a reader that copies: the 64-byte header into a stack buffer, then the
/// table into another, decoded with `from_le_bytes` (ELF64 little endian only, checks
/// only what it needs to stay in bounds).
fn copy_floor_sum(data: &[u8]) -> Option<u64> {
    let mut head = [0u8; 64];
    head.copy_from_slice(data.get(..64)?);
    if head[..4] != *b"\x7fELF" || head[4] != 2 || head[5] != 1 {
        return None;
    }
    let u16_at = |b: &[u8], at: usize| u16::from_le_bytes([b[at], b[at + 1]]);
    let u32_at = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap_or_default());
    let u64_at = |b: &[u8], at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or_default());
    let phoff = usize::try_from(u64_at(&head, 32)).ok()?;
    let phnum = usize::from(u16_at(&head, 56));
    let len = phnum.checked_mul(56).filter(|&n| n <= 4096)?;
    let mut table = [0u8; 4096];
    table[..len].copy_from_slice(data.get(phoff..phoff.checked_add(len)?)?);
    let mut acc = u64_at(&head, 24);
    for e in table[..len].chunks_exact(56) {
        let words = [u64_at(e, 8), u64_at(e, 16), u64_at(e, 32), u64_at(e, 40), u64_at(e, 48)];
        acc = fold(acc, row_of(u32_at(e, 0), u32_at(e, 4), words));
    }
    Some(acc)
}

fn run(b: Bencher, name: &str, parse: fn(&[u8]) -> Option<u64>) {
    let bytes = &FILES[name][..];
    b.bench(|| parse(black_box(bytes)));
}

#[divan::bench(args = NAMES)]
fn elf_stream(b: Bencher, name: &str) {
    run(b, name, elf_stream_sum);
}

#[divan::bench(args = NAMES)]
fn object(b: Bencher, name: &str) {
    run(b, name, object_sum);
}

#[divan::bench(args = NAMES)]
fn elf(b: Bencher, name: &str) {
    run(b, name, elf_sum);
}

#[divan::bench(args = NAMES)]
fn goblin(b: Bencher, name: &str) {
    run(b, name, goblin_sum);
}

#[divan::bench(args = NAMES)]
fn copy_floor(b: Bencher, name: &str) {
    run(b, name, copy_floor_sum);
}
