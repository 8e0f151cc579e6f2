//! Zero heap: with a counting global allocator installed, reading real binaries (and
//! rejecting malformed ones) makes no allocation. Files are read into memory (or opened)
//! before measuring; only elf-stream's work is inside the measured closure.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use common::{host_files, project_files};
use elf_stream::{Class, ElfFile, Endian, Error, ProgramType, ReadAt, PATH_MAX};
use std::path::PathBuf;
use test_support::alloc_counter::CountingAllocator;
use test_support::elf::{Builder, PhdrField, Seg};
use test_support::sources::{FailAt, Failure, OneByte};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::new();

/// Everything elf-stream can read from a file, folded into a checksum so nothing is
/// optimised away. Errors are folded in too (no formatting: that would allocate).
fn walk<R: ReadAt, const W: usize>(source: R) -> u64 {
    let elf: ElfFile<R, W> = match ElfFile::open(source) {
        Ok(elf) => elf,
        Err(e) => return fold_err(&e),
    };
    let mut sum = elf.header().entry.get() ^ u64::from(elf.phnum());
    for ph in elf.program_headers() {
        let ph = match ph {
            Ok(ph) => ph,
            Err(e) => return sum ^ fold_err(&e),
        };
        sum = sum.rotate_left(5) ^ ph.vaddr.get() ^ ph.filesz;
        if ph.kind == ProgramType::NOTE || ph.kind == ProgramType::GNU_PROPERTY {
            match elf.notes(&ph) {
                Ok(notes) => {
                    for n in notes {
                        match n {
                            Ok(n) => {
                                sum ^= u64::from(n.n_type)
                                    ^ n.desc.offset.get()
                                    ^ n.name().map_or(0, |s| s.len() as u64)
                            }
                            Err(e) => sum ^= fold_err(&e),
                        }
                    }
                }
                Err(e) => sum ^= fold_err(&e),
            }
        }
        if ph.kind == ProgramType::MIPS_OPTIONS {
            match elf.mips_options(&ph) {
                Ok(options) => {
                    for o in options {
                        match o {
                            Ok(o) => sum ^= u64::from(o.info) ^ u64::from(o.kind.0) ^ o.payload.size,
                            Err(e) => sum ^= fold_err(&e),
                        }
                    }
                }
                Err(e) => sum ^= fold_err(&e),
            }
        }
    }
    let mut path = [0u8; PATH_MAX];
    match elf.interpreter(&mut path) {
        Ok(p) => sum ^= p.map_or(1, |p| p.len() as u64),
        Err(e) => sum ^= fold_err(&e),
    }
    match elf.gnu_properties() {
        Ok(p) => sum ^= p.map_or(2, |p| u64::from(p.count) ^ u64::from(p.aarch64_feature_1_and.unwrap_or(0))),
        Err(e) => sum ^= fold_err(&e),
    }
    match elf.mips_abiflags() {
        Ok(f) => sum ^= f.map_or(3, |f| u64::from(f.fp_abi) ^ u64::from(f.isa_level)),
        Err(e) => sum ^= fold_err(&e),
    }
    sum
}

fn fold_err(e: &Error) -> u64 {
    e.errno().get() as u64 ^ e.kind().len() as u64
}

#[test]
fn reading_real_binaries_allocates_nothing() {
    let mut paths: Vec<PathBuf> = project_files();
    paths.extend(host_files(40));
    paths.push("/bin/ls".into());
    paths.retain(|p| p.exists());
    // Outside the measurement: read the files, open handles, build malformed images.
    let files: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let handles: Vec<std::fs::File> =
        paths.iter().take(20).map(|p| std::fs::File::open(p).unwrap()).collect();
    let mut bad = Vec::new();
    for class in [Class::Elf32, Class::Elf64] {
        let img = Builder::new(class, Endian::Big)
            .seg(Seg::interp(b"/lib/ld.so.1"))
            .seg(Seg::new(ProgramType::GNU_PROPERTY, vec![0; 40]).align(8))
            .seg(Seg::new(ProgramType::MIPS_OPTIONS, vec![2, 0, 0, 0, 0, 0, 0, 0]))
            .seg(Seg::new(ProgramType::MIPS_ABIFLAGS, vec![0; 10]))
            .seg(Seg::new(ProgramType::NOTE, vec![0xff; 20]))
            .build();
        bad.push(img.bytes.clone());
        for cut in [0, 3, 20, img.phoff + 10, img.bytes.len() - 1] {
            bad.push(img.bytes[..cut].to_vec());
        }
        let mut two = img.clone();
        two.set_phdr(1, PhdrField::Type, 3);
        bad.push(two.bytes);
    }
    let (sum, allocations, bytes) = ALLOC.measure(|| {
        let mut sum = 0u64;
        for data in &files {
            sum ^= walk::<_, 1024>(&data[..]);
            sum ^= walk::<_, 0>(&data[..]);
            sum ^= walk::<_, 4096>(OneByte(data));
            sum ^= walk::<_, 1024>(&FailAt::new(data, 2, Failure::Error));
            sum ^= walk::<_, 1024>(&FailAt::new(data, 1, Failure::Short));
        }
        for file in &handles {
            sum ^= walk::<_, 1024>(file);
        }
        for data in &bad {
            sum ^= walk::<_, 1024>(&data[..]);
            sum ^= walk::<_, 64>(OneByte(data));
        }
        sum
    });
    println!(
        "{} files, {} handles, {} malformed images; checksum {sum:#x}",
        files.len(),
        handles.len(),
        bad.len()
    );
    assert_eq!((allocations, bytes), (0, 0), "elf-stream allocated");
    // Under Miri the fixtures (and /bin/ls) stand for the host's files.
    assert!(files.len() >= if cfg!(miri) { 20 } else { 40 }, "{} files", files.len());
    // The counter does count: a deliberate allocation inside a measurement is seen.
    let (_, allocations, _) = ALLOC.measure(|| std::hint::black_box(vec![0u8; 10]));
    assert_eq!(allocations, 1);
}
