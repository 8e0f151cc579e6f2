//! R5000 `cvt.[ds].l` text patching through the loader: in eager mode every page of a
//! `TEXT_PATCH` mapping with a hit reaches `patch_text` with exactly the offsets
//! `find_cvt_l` finds in the loaded bytes (and every one objdump shows), before the final
//! protection; programs marked clean (`OHW_R5KCVTL`), o32 programs and other CPUs get no
//! call; mapped and lazy mode leave the patching to the kernel (the mark on the mapping and
//! on the resolver's pages); a failing `patch_text` undoes the load.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use test_support::plan::plan_in;

use arch_mips::{find_cvt_l, CpuModel, CvtL, Mips};
use common::{objdump_cvt, Elf, MipsEdits, Program};
use elf_stream::Endian;
use exec_core::{load, resolve_fault, LoadMode, MappingFlags, UserAddr};
use std::collections::BTreeSet;
use test_support::space::MockSpace;

fn r5000(endian: Endian) -> Mips {
    // The corpus is built for MIPS64r2, past the R5000's MIPS IV.
    Mips { isa_check: false, ..Mips::model(CpuModel::R5000, endian) }
}

/// (page, offsets) `find_cvt_l` finds over every TEXT_PATCH page as loaded in `space`.
fn expected(
    plan: &exec_core::ExecPlan<arch_mips::Info>,
    space: &MockSpace,
    endian: Endian,
) -> Vec<(u64, Vec<u32>)> {
    let mut v = Vec::new();
    for m in plan.mappings().filter(|m| m.flags.contains(MappingFlags::TEXT_PATCH)) {
        for p in (m.range.start.0..m.range.end.0).step_by(4096) {
            let mut out = [0u32; 1024];
            let n = find_cvt_l(&space.pages[&p].bytes, endian, &mut out);
            if n > 0 {
                v.push((p, out[..n].to_vec()));
            }
        }
    }
    v
}

/// Every patch_text call merged per page (a page with many hits may come in several calls).
fn calls(space: &MockSpace) -> Vec<(u64, Vec<u32>)> {
    let mut v: Vec<(u64, Vec<u32>)> = Vec::new();
    for (page, offs, _) in &space.patches {
        match v.last_mut() {
            Some((p, o)) if p == page => o.extend(offs),
            _ => v.push((*page, offs.clone())),
        }
    }
    v
}

fn program(name: &str) -> Program {
    common::programs().into_iter().find(|p| p.name == name).unwrap_or_else(|| panic!("{name}"))
}

#[test]
fn musl_interpreter_is_patched_where_its_cvt_instructions_are() {
    // musl's ld.so is its libc: it uses cvt.d.l and cvt.s.l, and has no PT_MIPS_OPTIONS.
    let p = program("hello-mips-n64-le-musl-dynpie");
    let interp_path = "/lib/ld-musl-mips64el.so.1";
    let policy = r5000(Endian::Little);
    let plan = common::plan(&policy, &p).unwrap();
    assert!(plan.arch.text_patch.main && plan.arch.text_patch.interp);
    let (main, interp) = (p.bytes(), std::fs::read(interp_path).unwrap());
    let mut space = MockSpace::new(&main, &interp);
    let report = load(&plan, &main[..], Some(&interp[..]), &mut space, LoadMode::Eager).unwrap();

    let want = expected(&plan, &space, Endian::Little);
    assert_eq!(calls(&space), want);
    assert_eq!(report.patched_pages, want.len() as u64);
    // Each call saw the page already holding its final bytes.
    for (page, _, bytes) in &space.patches {
        assert_eq!(bytes, &space.pages[page].bytes);
    }
    // Every cvt objdump disassembles in the interpreter's code is among them.
    let bias = plan.interp.as_ref().unwrap().bias;
    let patched: BTreeSet<u64> =
        want.iter().flat_map(|(p, o)| o.iter().map(move |&o| p + u64::from(o))).collect();
    let theirs: BTreeSet<u64> = objdump_cvt(interp_path).iter().map(|a| a + bias).collect();
    assert!(theirs.len() >= 4, "{theirs:x?}");
    assert!(theirs.is_subset(&patched), "missed {:x?}", theirs.difference(&patched).collect::<Vec<_>>());
    // Patched before the page turned executable: each call precedes its mapping's protect.
    let first_patch = space.calls.iter().position(|c| c.starts_with("patch_text")).unwrap();
    let page = space.patches[0].0;
    let m = plan.mappings().find(|m| m.range.contains(UserAddr(page))).unwrap();
    let protect = format!("protect {:#x}-{:#x}", m.range.start.0, m.range.end.0);
    let protect_at = space.calls.iter().position(|c| c.starts_with(&protect)).unwrap();
    assert!(first_patch < protect_at);

    // The same program on a CPU without the workaround: no mark, no call.
    let plan = common::plan(&Mips { isa_check: false, ..Mips::model(CpuModel::R10000, Endian::Little) }, &p)
        .unwrap();
    let mut space = MockSpace::new(&main, &interp);
    let report = load(&plan, &main[..], Some(&interp[..]), &mut space, LoadMode::Eager).unwrap();
    assert!(space.patches.is_empty() && report.patched_pages == 0);
}

/// The executable PT_LOAD of `elf` and the file offset of `e_entry` in it.
fn entry_offset(elf: &Elf) -> (elf_stream::ProgramHeader, usize) {
    let file: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(&elf.bytes[..]).unwrap();
    let entry = file.header().entry.0;
    let text = elf
        .phdrs()
        .into_iter()
        .find(|ph| ph.kind == elf_stream::ProgramType::LOAD && ph.flags.executable())
        .unwrap();
    (text, (text.offset.0 + entry - text.vaddr.0) as usize)
}

/// `name` with a `cvt.d.l` written 8 bytes past its entry point and its ODK_HWPATCH set to
/// `hwpatch`; returns the bytes and the instruction's (unbiased) vaddr.
fn injected(name: &str, hwpatch: u32) -> (Vec<u8>, u64) {
    let mut elf = Elf::corpus(name);
    let (text, at) = entry_offset(&elf);
    elf.set_u32(at + 8, CvtL::D.encode(2, 4));
    elf.set_mips_option_info(4, hwpatch);
    let vaddr = text.vaddr.0 + (at + 8) as u64 - text.offset.0;
    (elf.bytes.clone(), vaddr)
}

fn plan_of(policy: &Mips, bytes: &[u8]) -> exec_core::ExecPlan<arch_mips::Info> {
    plan_in(policy, bytes, std::path::Path::new("/"), |_, _| {}).0.unwrap()
}

#[test]
fn unmarked_n32_and_n64_text_is_patched_and_clean_text_is_not() {
    for (name, endian) in
        [("tiny-mips-n64-le-options", Endian::Little), ("tiny-mips-n32-be-options", Endian::Big)]
    {
        // HWPATCH 0x1 (R4KEOP only): not clean of the R5000 bug.
        let (bytes, vaddr) = injected(name, 0x1);
        let plan = plan_of(&r5000(endian), &bytes);
        let mut space = MockSpace::new(&bytes, &[]);
        let report = load(&plan, &bytes[..], None::<&[u8]>, &mut space, LoadMode::Eager).unwrap();
        assert_eq!(calls(&space), vec![(vaddr & !0xfff, vec![(vaddr & 0xfff) as u32])], "{name}");
        assert_eq!(calls(&space), expected(&plan, &space, endian), "{name}");
        assert_eq!(report.patched_pages, 1);

        // Marked clean (0x9, as built): the cvt is there but trusted away.
        let (bytes, _) = injected(name, 0x9);
        let plan = plan_of(&r5000(endian), &bytes);
        assert!(plan.mappings().all(|m| m.flags == MappingFlags::NONE), "{name}");
        let mut space = MockSpace::new(&bytes, &[]);
        let report = load(&plan, &bytes[..], None::<&[u8]>, &mut space, LoadMode::Eager).unwrap();
        assert!(space.patches.is_empty() && report.patched_pages == 0, "{name}");
    }
    // o32 is outside the workaround.
    let (bytes, _) = injected("tiny-mips-o32-be-options", 0x1);
    let plan = plan_of(&r5000(Endian::Big), &bytes);
    let mut space = MockSpace::new(&bytes, &[]);
    load(&plan, &bytes[..], None::<&[u8]>, &mut space, LoadMode::Eager).unwrap();
    assert!(space.patches.is_empty());
}

#[test]
fn mapped_and_lazy_modes_leave_it_to_the_kernel_and_failures_undo() {
    let (bytes, vaddr) = injected("tiny-mips-n64-le-options", 0x1);
    let plan = plan_of(&r5000(Endian::Little), &bytes);
    for mode in [LoadMode::Mapped, LoadMode::Lazy] {
        let mut space = MockSpace::new(&bytes, &[]);
        let report = load(&plan, &bytes[..], None::<&[u8]>, &mut space, mode).unwrap();
        assert!(space.patches.is_empty() && report.patched_pages == 0, "{mode:?}");
    }
    // The resolver reports the mark on the text page (and not on others).
    let fill = resolve_fault(&plan, UserAddr(vaddr)).unwrap();
    assert!(fill.flags.contains(MappingFlags::TEXT_PATCH));
    let data = plan.mappings().find(|m| !m.prot.contains(exec_core::Prot::EXEC)).unwrap();
    assert!(!resolve_fault(&plan, data.range.start).unwrap().flags.contains(MappingFlags::TEXT_PATCH));

    // patch_text failing: the error names it and nothing stays mapped.
    let mut space = MockSpace::new(&bytes, &[]);
    load(&plan, &bytes[..], None::<&[u8]>, &mut space, LoadMode::Eager).unwrap();
    let at = space.calls.iter().position(|c| c.starts_with("patch_text")).unwrap() + 1;
    let mut space = MockSpace { fail_at: Some(at), ..MockSpace::new(&bytes, &[]) };
    let err = load(&plan, &bytes[..], None::<&[u8]>, &mut space, LoadMode::Eager).unwrap_err();
    assert_eq!(
        err,
        exec_core::ExecError::AddressSpace {
            op: exec_core::SpaceOp::PatchText,
            errno: elf_stream::Errno::ENOMEM
        }
    );
    assert!(space.is_empty());
}

#[test]
fn a_page_full_of_hits_comes_in_several_calls_in_order() {
    // glibc's static n64 program has no PT_MIPS_OPTIONS (not marked clean); fill the text
    // page after its entry with cvt.s.l: more hits than one call carries.
    let mut elf = Elf::corpus("hello-mips-n64-le-static");
    let (text, at) = entry_offset(&elf);
    let page = (at | 0xfff) + 1;
    assert!(page + 0x1000 <= (text.offset.0 + text.filesz) as usize);
    for i in 0..1024 {
        elf.set_u32(page + 4 * i, CvtL::S.encode(1, 3));
    }
    let plan = plan_of(&r5000(Endian::Little), &elf.bytes);
    let mut space = MockSpace::new(&elf.bytes, &[]);
    let report = load(&plan, &elf.bytes[..], None::<&[u8]>, &mut space, LoadMode::Eager).unwrap();
    let vpage = text.vaddr.0 + (page as u64 - text.offset.0);
    let full: Vec<_> = space.patches.iter().filter(|(p, _, _)| *p == vpage).collect();
    assert_eq!(full.len(), 1024 / exec_core::text_patch::MAX_PATCH_OFFSETS);
    assert!(space.patches.iter().all(|(_, o, _)| o.len() <= exec_core::text_patch::MAX_PATCH_OFFSETS));
    let merged = calls(&space);
    assert_eq!(merged, expected(&plan, &space, Endian::Little));
    let offsets = &merged.iter().find(|(p, _)| *p == vpage).unwrap().1;
    assert_eq!(*offsets, (0..1024).map(|i| 4 * i).collect::<Vec<u32>>());
    assert_eq!(report.patched_pages, merged.len() as u64);
}
