//! Every MIPS program of the shared corpus and the fixtures (e_machine 8, both byte
//! orders) plans in Linux mode with the ABI its name says; the designed rejections are
//! exactly the NaN-2008, release 6 and invalid-FP-ABI programs, with Linux's errnos; the
//! `*-options` programs report their ODK_EXCEPTIONS and ODK_HWPATCH records.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use arch_mips::{CpuModel, Ieee754, Mips, MipsAbi};
use elf_stream::{ElfType, Endian};
use exec_core::{ArchPolicy, AuxType};

fn five_kef(endian: Endian) -> Mips {
    Mips::model(CpuModel::Mips5KEf, endian)
}

fn abi_of_name(name: &str) -> MipsAbi {
    if name.contains("n64") {
        MipsAbi::N64
    } else if name.contains("n32") {
        MipsAbi::N32
    } else {
        assert!(name.contains("o32"), "{name}");
        MipsAbi::O32
    }
}

#[test]
fn every_mips_program_plans_in_linux_mode() {
    let progs = common::programs();
    assert!(progs.len() >= 100, "{} MIPS programs", progs.len());
    let mut planned = 0;
    for p in &progs {
        let policy = five_kef(p.endian);
        let expected_errno = if p.name.contains("fp64-bad") {
            Some(84) // ELIBBAD, Linux/MIPS numbering
        } else if p.name.contains("nan2008") || p.name.ends_with("-r6") {
            Some(8) // ENOEXEC: a legacy-NaN FPU with ieee754=strict
        } else {
            None
        };
        match (common::plan(&policy, p), expected_errno) {
            (Ok(plan), None) => {
                planned += 1;
                assert_eq!(plan.arch.abi, Some(abi_of_name(&p.name)), "{}", p.name);
                assert_eq!(plan.abi, abi_of_name(&p.name).abi(), "{}", p.name);
                assert_eq!(plan.stack.sp.0 % 16, 0, "{}", p.name);
                assert_eq!(
                    plan.interp.is_some(),
                    p.root != std::path::Path::new("/") || p.name.contains("musl-dyn"),
                    "{}: interpreter",
                    p.name
                );
                // Memory requirement reported: image pages, stack; the interpreter's when dynamic.
                assert!(plan.memory.main.eager > 0 && plan.memory.stack > 0, "{}", p.name);
                assert_eq!(plan.memory.interp.eager > 0, plan.interp.is_some(), "{}", p.name);
                // 5KEf has no R5000 workaround: nothing marked.
                assert!(plan.mappings().all(|m| m.flags == exec_core::MappingFlags::NONE), "{}", p.name);
            }
            (Err(e), Some(errno)) => assert_eq!(policy.errno(&e).0, errno, "{}: {e}", p.name),
            (r, want) => panic!("{}: {:?}, expected errno {want:?}", p.name, r.err()),
        }
        // A CPU without FPU (the kernel's emulator takes both NaN encodings) and no ISA
        // check runs everything but the invalid FP ABI.
        let emulated = Mips { isa_check: false, ..Mips::model(CpuModel::Mips5KEc, p.endian) };
        let r = common::plan(&emulated, p);
        assert_eq!(r.is_err(), p.name.contains("fp64-bad"), "{} on 5kec: {:?}", p.name, r.err());
        // ieee754=relaxed on 5KEf accepts the 2008-NaN programs too.
        let mut relaxed = Mips { isa_check: false, ..five_kef(p.endian) };
        relaxed.kernel.ieee754 = Ieee754::Relaxed;
        assert_eq!(common::plan(&relaxed, p).is_err(), p.name.contains("fp64-bad"), "{} relaxed", p.name);
    }
    assert!(planned >= 85, "{planned} planned");
}

#[test]
fn options_programs_report_their_records() {
    let progs: Vec<_> = common::programs().into_iter().filter(|p| p.name.contains("options")).collect();
    assert!(progs.len() >= 14, "{} *-options programs", progs.len());
    for p in &progs {
        let plan = common::plan(&five_kef(p.endian), p).unwrap_or_else(|e| panic!("{}: {e}", p.name));
        let fixture = p.path.starts_with(test_support::corpus::fixtures_bin());
        let exceptions = if fixture { 0x40f01 } else { 0x11f18 };
        let ex = plan.arch.exceptions.unwrap_or_else(|| panic!("{}: no ODK_EXCEPTIONS", p.name));
        assert_eq!(ex.info, exceptions, "{}", p.name);
        assert_eq!(plan.arch.hwpatch, Some(0x9), "{}", p.name);
        if fixture {
            // PRECISEFP, FPU_MAX 0xf, FPU_MIN 0x1.
            assert!(ex.precise() && !ex.speculative() && !ex.page0() && !ex.smm());
            assert_eq!((ex.min(), ex.max()), (0x01, 0x0f));
        } else {
            // PAGE0, FPU_MAX 0x1f, FPU_MIN 0x18 (overflow, divide by zero... per FCSR order).
            assert!(!ex.precise() && !ex.speculative() && ex.page0() && !ex.smm());
            assert_eq!((ex.min(), ex.max()), (0x18, 0x1f));
        }
        assert_eq!(plan.arch.fcsr & 0xf80, ex.fcsr_enables(), "{}", p.name);
        assert_eq!(ex.fcsr_enables(), u32::from(ex.min()) << 7);
        // The interpreter of the dynamic ones has no options.
        assert_eq!(plan.arch.interp_hwpatch, None);
    }
    // Programs without PT_MIPS_OPTIONS report nothing.
    let plain = common::programs().into_iter().find(|p| p.name == "tiny-mips-n64-le").unwrap();
    let plan = common::plan(&five_kef(Endian::Little), &plain).unwrap();
    assert_eq!((plan.arch.exceptions, plan.arch.hwpatch), (None, None));
}

#[test]
fn pie_and_interpreter_placement_per_abi() {
    for p in common::little_endian().iter().chain(common::big_endian().iter()) {
        let policy = five_kef(p.endian);
        let Ok(plan) = common::plan(&policy, p) else { continue };
        let abi = abi_of_name(&p.name);
        let (pie, top) = match abi {
            MipsAbi::N64 => (0xaa_aaaa_0000, 0xff_ffff_d000),
            _ => (0x5555_0000, 0x7fff_5000),
        };
        assert_eq!(plan.stack.top.0, top, "{}", p.name);
        if plan.main.header.elf_type == ElfType::DYN && plan.interp.is_some() {
            assert_eq!(plan.auxv.get(AuxType::AT_PHDR).unwrap() & !0xffff, pie, "{}", p.name);
        }
        if let Some(i) = &plan.interp {
            assert_eq!(i.span().end.0, top - (128 << 20), "{}: interpreter right below mmap_base", p.name);
        }
    }
}
