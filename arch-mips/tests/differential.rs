//! Differential test against the real MIPS kernels (`../shared/sysoracle`, Debian 12's 6.1.y
//! under qemu-system, ASLR off, programs run as root): mutants of the small little-endian
//! MIPS programs of the fixtures and the corpus (`test_support::mutate`, fixed seed) are
//! executed on the 64-bit kernel (`mips64el`, 5KEf: n64, n32 and o32) and on the 32-bit one
//! (`mipsel`, 24Kf: o32), stopped at the first instruction (then run with 2 s of CPU
//! time), and planned by execcore for the same CPU; accept/reject, the errno, every page's
//! protection, the entry, AT_PHDR/AT_PHNUM/AT_ENTRY/AT_BASE, start_brk and the stack top
//! are compared (`test_support::differential`), every accepted plan is checked for
//! soundness.
//!
//! `cargo test` runs 60 mutants per kernel (one boot each, cached by content afterwards);
//! `ci/differential.sh 500 mips64el` (or `mipsel`) runs 500.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use arch_mips::{CpuModel, Mips};
use elf_stream::Endian;
use test_support::differential::{errno_name, Guest, GuestBase, GuestCheck};

/// Bases small enough for hundreds of copies in one initramfs.
const MAX_BASE: usize = 100 * 1024;

/// Linux/MIPS errno names where MIPS numbers them apart from the generic table.
fn mips_errno_name(e: i32) -> String {
    match e {
        54 => "EBADRQC".into(),
        84 => "ELIBBAD".into(),
        _ => errno_name(e),
    }
}

/// The check of the MIPS kernel `guest` at `floor` percent: the goal, 99.5 %, no
/// difference among the 60 mutants of `cargo test` (100 % measured on 2026-12-02).
fn check(guest: Guest<'static>, floor: f64) -> GuestCheck<'static> {
    GuestCheck { guest, title: "MIPS kernel", mutants: 60, floor, errno_name: &mips_errno_name }
}

fn bases(o32_only: bool) -> Vec<GuestBase> {
    common::little_endian()
        .into_iter()
        .filter(|p| {
            !o32_only || (p.class == elf_stream::Class::Elf32 && p.flags & arch_mips::flags::ABI2 == 0)
        })
        .map(|p| GuestBase { bytes: p.bytes(), name: p.name, root: p.root })
        .filter(|b| b.bytes.len() <= MAX_BASE)
        .collect()
}

#[test]
fn mips64el_kernel_agrees_on_mutants() {
    // MemTotal 465696 kB, no swap (qemu -m 512M).
    let guest = Guest { arch: "mips64el", cpu: "5KEf", batch: 250, ram_and_swap: 465_696 << 10 };
    check(guest, 99.5).run(&Mips::model(CpuModel::Mips5KEf, Endian::Little), &bases(false));
}

#[test]
fn mipsel_kernel_agrees_on_mutants() {
    // MemTotal 241924 kB (the 32-bit kernel's lowmem), no swap (qemu -m 512M).
    let guest = Guest { arch: "mipsel", cpu: "24Kf", batch: 250, ram_and_swap: 241_924 << 10 };
    check(guest, 99.5).run(&Mips::model(CpuModel::Mips32R2, Endian::Little), &bases(true));
}
