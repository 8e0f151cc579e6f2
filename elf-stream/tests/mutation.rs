//! Deterministic random mutations of valid images and real files: never a panic, errors
//! carry the expected errnos, and a one-byte source with no window agrees with a slice.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use common::{project_files, Summary};
use elf_stream::{Errno, Error, Limits, MipsAbiFlags, ProgramType};
use test_support::elf::{
    abiflags, gnu_property_note, mips_option, note, property, u32_bytes, Builder, Machine, Seg, KINDS, RX,
};
use test_support::sources::{NoSize, OneByte};

/// Mutations per seed (Miri runs the same walk on a few: it is ~1000x slower).
const ROUNDS: usize = if cfg!(miri) { 4 } else { 300 };

/// xorshift64*: a fixed, dependency-free generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (class, endian) in KINDS {
        let align = class.property_align();
        let props =
            gnu_property_note(class, endian, &[property(class, endian, 0xc000_0000, &u32_bytes(3, endian))]);
        let img = Builder::new(class, endian)
            .machine(Machine::AARCH64)
            .seg(Seg::interp(b"/lib/ld.so.1"))
            .seg(Seg::load(0, 0x100, 0x100, RX))
            .seg(Seg::new(ProgramType::GNU_PROPERTY, props.clone()).align(align as u64))
            .seg(
                Seg::new(ProgramType::NOTE, [props, note(endian, b"GNU", 3, &[1; 20], align)].concat())
                    .align(align as u64),
            )
            .seg(Seg::new(ProgramType::MIPS_ABIFLAGS, abiflags(endian, &MipsAbiFlags::default())))
            .seg(Seg::new(
                ProgramType::MIPS_OPTIONS,
                [mips_option(endian, 2, 8, 0, 1, &[]), mips_option(endian, 3, 16, 0, 0, &[0; 8])].concat(),
            ))
            .build();
        out.push(img.bytes);
    }
    // A few real files, cut to their first 8 KiB (what the mutations touch).
    for path in project_files().iter().step_by(if cfg!(miri) { 128 } else { 16 }) {
        let mut bytes = common::read(path);
        bytes.truncate(8192);
        out.push(bytes);
    }
    out
}

fn allowed(e: &Error) -> bool {
    match e {
        Error::MipsAbiFlagsTooShort { .. } => e.errno() == Errno::EINVAL,
        Error::Read { .. } => false,
        // A PT_GNU_PROPERTY note cut by the end of the file (parse_elf_properties' EIO).
        Error::ShortRead { .. } => e.errno() == Errno::EIO,
        _ => e.errno() == Errno::ENOEXEC,
    }
}

#[test]
fn random_mutations_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let seeds = seeds();
    let mut runs = 0;
    for seed in &seeds {
        let hot = seed.len().min(1024);
        for _ in 0..ROUNDS {
            let mut bytes = seed.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(hot);
                bytes[at] = match rng.below(4) {
                    0 => rng.next() as u8,
                    1 => 0xff,
                    2 => 0,
                    _ => bytes[at] ^ (1 << rng.below(8)),
                };
            }
            if rng.below(8) == 0 {
                let len = rng.below(bytes.len() + 1);
                bytes.truncate(len);
            }
            let limits = Limits::for_page_size(65536);
            let slice = Summary::of(&bytes[..], limits);
            let unsized_ = Summary::of(NoSize(&bytes), limits);
            let one = Summary::of(OneByte(&bytes), limits);
            assert_eq!(one, unsized_, "one-byte source differs");
            // The head window changes how many reads are made, never the result.
            let unsized_0 = Summary::with_window::<_, 0>(NoSize(&bytes), limits);
            let one_0 = Summary::with_window::<_, 0>(OneByte(&bytes), limits);
            assert_eq!(one_0, unsized_0, "one-byte source differs without a window");
            assert_eq!(unsized_0, unsized_, "results depend on the window");
            for s in [&slice, &unsized_, &unsized_0] {
                for (name, part) in s.parts() {
                    if let Err(e) = part {
                        assert!(allowed(&e), "{name}: {e:?}");
                    }
                }
            }
            runs += 1;
        }
    }
    println!("{runs} mutated images from {} seeds", seeds.len());
}
