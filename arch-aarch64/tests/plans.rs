//! Every AArch64 program of the fixtures (`testdata/bin`) and of the shared corpus (found
//! by e_machine, with its manifest's sysroot for the interpreter) plans in Linux-compatible
//! mode under 4, 16 and 64 KiB pages; PIE bias, brk, entry state and BTI follow Linux's
//! arm64 rules. (The layout against the real kernel is `tests/oracle.rs`.)
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use arch_aarch64::{Aarch64, Cpu};
use elf_stream::ElfType;
use exec_core::*;

#[test]
fn every_aarch64_program_plans() {
    let progs = common::programs();
    assert!(progs.len() >= 16, "{} aarch64 programs", progs.len());
    assert!(progs.iter().any(|p| p.path.starts_with(test_support::corpus::fixtures_bin())), "fixtures found");
    for p in &progs {
        let plan = common::plan_cpu(Cpu::default(), p).unwrap_or_else(|e| panic!("{}: {e}", p.name));
        assert_eq!(plan.stack.top, UserAddr(1 << 48), "{}", p.name);
        assert_eq!(plan.stack.sp.0 % 16, 0, "{}", p.name);
        assert_eq!(plan.registers.sp, plan.stack.sp);
        assert_eq!(plan.registers.regs[0], Some((arch_aarch64::REG_X0, 0)), "{}: x0 = 0", p.name);
        assert_eq!(plan.auxv.get(AuxType::AT_PHENT), Some(56));
        assert_eq!(plan.auxv.get(AuxType::AT_PAGESZ), Some(4096));
        assert_eq!(plan.interp.is_some(), p.interp.is_some(), "{}", p.name);
        let m = &plan.main;
        match (m.header.elf_type, plan.interp.is_some()) {
            (ElfType::DYN, true) => {
                let expect = 0xaaaa_aaaa_aaaa & !(m.max_align - 1);
                assert_eq!(m.bias, expect, "{}: PIE bias", p.name);
                if m.max_align == 0x10000 {
                    assert_eq!(m.bias, 0xaaaa_aaaa_0000, "{}", p.name);
                }
            }
            (ElfType::DYN, false) => assert_eq!(plan.brk.0, 0xaaaa_aaaa_b000, "{}: static-pie brk", p.name),
            _ => assert_eq!(m.bias, 0, "{}", p.name),
        }
    }
}

/// 64 KiB-aligned programs (every program of the corpus and the fixtures) load under 16
/// and 64 KiB pages too, with the window of those configurations.
#[test]
fn every_program_plans_under_16k_and_64k_pages() {
    for p in common::programs() {
        for (page, va_bits) in
            [(PageSize::K16, 47), (PageSize::K16, 48), (PageSize::K64, 42), (PageSize::K64, 48)]
        {
            let cpu = Cpu { page_size: page, va_bits, ..Cpu::default() };
            let plan = common::plan_cpu(cpu, &p)
                .unwrap_or_else(|e| panic!("{} with {} KiB pages: {e}", p.name, page.get() >> 10));
            let window = 1u64 << va_bits;
            assert_eq!(plan.stack.top.0, window);
            assert_eq!(plan.auxv.get(AuxType::AT_PAGESZ), Some(page.get()));
            for m in plan.mappings() {
                assert_eq!(m.range.start.0 % page.get(), 0, "{}", p.name);
                assert_eq!(m.range.end.0 % page.get(), 0, "{}", p.name);
            }
            if plan.main.header.elf_type == ElfType::DYN && plan.interp.is_some() {
                assert_eq!(plan.main.bias, (2 * window / 3) & !0xffff, "{}", p.name);
            }
            assert_eq!(plan.stack.sp.0 % 16, 0);
        }
    }
}

#[test]
fn bti_fixture_gets_prot_bti_where_linux_puts_it() {
    let bti = common::program("aarch64-bti");
    let p = common::plan_cpu(Cpu::default(), &bti).unwrap();
    assert!(p.interp.is_none());
    assert_eq!(p.arch.main_features, Some(3), "BTI | PAC");
    assert_eq!((p.arch.bti(), p.arch.pac(), p.arch.gcs()), (true, true, false));
    assert_eq!(p.arch.property_image, Some(Role::Main));
    assert_eq!(p.arch.bti_on, Some(Role::Main));
    let execs: Vec<_> = p.mappings().filter(|m| m.prot.contains(Prot::EXEC)).collect();
    assert!(!execs.is_empty() && execs.iter().all(|m| m.prot.contains(Prot::BTI)));
    assert!(p.mappings().filter(|m| !m.prot.contains(Prot::EXEC)).all(|m| !m.prot.contains(Prot::BTI)));
    // A kernel without BTI support: no PROT_BTI, the property still reported.
    let p = common::plan_cpu(Cpu { bti: false, ..Cpu::default() }, &bti).unwrap();
    assert!(p.mappings().all(|m| !m.prot.contains(Prot::BTI)));
    assert_eq!(p.arch.bti_on, None);
    assert_eq!(p.arch.features, 3);
}

/// No program of the corpus has the property except the BTI fixture, and no host
/// interpreter has it: no mapping of theirs gets PROT_BTI; a dynamic program's own
/// mappings never do.
#[test]
fn no_prot_bti_without_the_property() {
    for p in common::programs() {
        let plan = common::plan_cpu(Cpu::default(), &p).unwrap();
        if plan.interp.is_some() {
            assert!(plan.main.mappings().all(|m| !m.prot.contains(Prot::BTI)), "{}", p.name);
        }
        if plan.arch.features & 1 == 0 {
            assert!(plan.mappings().all(|m| !m.prot.contains(Prot::BTI)), "{}", p.name);
        }
    }
}

#[test]
fn plans_are_deterministic_with_aslr_off_and_randomised_with_it_on() {
    let p = common::program("hello-aarch64-glibc-dynpie");
    let policy = Aarch64::default();
    let a = common::plan(&policy, &p).unwrap();
    let b = common::plan(&policy, &p).unwrap();
    assert_eq!((a.main.bias, a.brk, a.stack.sp), (b.main.bias, b.brk, b.stack.sp));
    let file = std::fs::read(&p.path).unwrap();
    let on = test_support::plan::plan_bytes_with(&policy, &file, &p.root, |params| {
        params.randomize = Randomize::On
    })
    .unwrap();
    // 18 bits of pages above ELF_ET_DYN_BASE, aligned to 64 KiB.
    assert!(on.main.bias >= 0xaaaa_aaaa_0000 && on.main.bias < 0xaaaa_aaaa_0000 + (1 << 30));
    assert_eq!(on.main.bias % 0x10000, 0);
    assert!(on.stack.top.0 <= 1 << 48 && on.stack.top.0 > (1 << 48) - (1 << 30));
    assert!(on.brk.0 > on.main.brk_end().0 && on.brk.0 <= on.main.brk_end().0 + (1 << 30) + 0x2000);
}
