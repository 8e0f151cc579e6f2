//! proptest invariants over random layouts, in both profiles: every accepted plan passes
//! `test_support::invariants::check_plan` (mappings page-aligned, sorted, disjoint, file
//! bytes inside mapping and file, eager == mapped == lazy); mappings inside the user
//! range; sp 16-aligned; auxv well formed; a failure at any address-space call leaves
//! nothing behind. A second property throws arbitrary PT_LOAD tables (overlaps, empty
//! segments, any order) at the planner.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use exec_core::*;
use proptest::prelude::*;
use test_support::elf::{Builder, ElfType, Seg, SegmentFlags};
use test_support::invariants::check_plan;
use test_support::space::{materialize, MockSpace};

/// Segments as (flags, file length, bss length, gap pages before): placed one after
/// another, each starting `gap` pages after the previous end, sometimes on the same page.
fn image(segs: &[(u32, u64, u64, u64, bool)], pie: bool) -> Vec<u8> {
    let n = segs.len();
    let mut b = Builder::x86_64(if pie { ElfType::DYN } else { ElfType::EXEC }).len(0x1000);
    let mut vaddr = if pie { 0 } else { 0x40_0000 };
    let mut offset = 0u64;
    let mut file_end = 0x1000u64;
    for (i, &(flags, filesz, bss, gap, same_page)) in segs.iter().enumerate() {
        if i > 0 {
            vaddr = if same_page { vaddr } else { ((vaddr + 0xfff) & !0xfff) + gap * 0x1000 };
            offset = (file_end + 0xfff) & !0xfff;
            offset += vaddr & 0xfff;
        }
        let filesz = if i == 0 { filesz.max(64 + 56 * n as u64) } else { filesz };
        let data = (0..filesz).map(|k| (k as u8).wrapping_mul(31).wrapping_add(i as u8)).collect();
        b = b.seg(
            Seg::load(vaddr, filesz, filesz + bss, SegmentFlags(flags)).data(data).placed(offset as usize),
        );
        file_end = file_end.max(offset + filesz);
        vaddr += filesz + bss;
    }
    let entry = b.segs[0].vaddr + 0x40;
    b.entry(entry).bytes()
}

fn segment() -> impl Strategy<Value = (u32, u64, u64, u64, bool)> {
    (prop_oneof![Just(4u32), Just(5), Just(6)], 1u64..0x3000, 0u64..0x3000, 0u64..3, any::<bool>())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn layouts_hold_their_invariants(segs in prop::collection::vec(segment(), 1..5), pie in any::<bool>(), nargs in 0usize..6, hardened in any::<bool>()) {
        let img = image(&segs, pie);
        let args: Vec<Vec<u8>> = (0..nargs).map(|i| vec![b'a' + i as u8; i * 7]).collect();
        let argv: Vec<&[u8]> = args.iter().map(|a| &a[..]).collect();
        let argv_ref: &[&[u8]] = &argv;
        let mut params = ExecParams::new(b"/prog");
        params.argv = &argv_ref;
        if hardened {
            params.profile = Profile::Hardened;
        }
        let mut host = exec_core::fs_host::FsHost::new("/");
        let plan = match prepare(&arch_x86_64::X86_64::default(), &img[..], &mut host, &params, None) {
            Ok(p) => p.plan,
            // The hardened profile refuses overlapping same-page segments and pages shared
            // by different protections; Linux takes them all.
            Err(e) => {
                prop_assert!(hardened, "Linux profile refused: {e:?}");
                prop_assert!(matches!(e, ExecError::OverlappingSegments { .. } | ExecError::SharedPageProtections { .. }), "{e:?}");
                return Ok(());
            }
        };
        if let Err(e) = check_plan(&plan, &img, &[]) {
            prop_assert!(false, "unsound plan: {e}");
        }
        let maps: Vec<Mapping> = plan.mappings().collect();
        for w in maps.windows(2) {
            prop_assert!(w[0].range.end <= w[1].range.start, "sorted, non-overlapping: {:?}", w);
        }
        for m in &maps {
            prop_assert_eq!(m.range.start.0 % 4096, 0);
            prop_assert_eq!(m.range.end.0 % 4096, 0);
            prop_assert!(!m.range.is_empty());
            prop_assert!(m.range.start.0 >= 0x10000 && m.range.end.0 <= 0x7fff_ffff_f000);
            prop_assert!(plan.main.span().start <= m.range.start && m.range.end <= plan.main.span().end);
        }
        prop_assert_eq!(plan.stack.sp.0 % 16, 0);
        prop_assert!(plan.auxv.entries().iter().all(|e| e.kind.0 != 0));
        prop_assert_eq!(plan.auxv.get(AuxType::AT_PHDR), Some(plan.main.bias + plan.main.phdr_vaddr.unwrap().0));
        let mut eager = MockSpace::new(&img, &[]);
        load(&plan, &img[..], None::<&[u8]>, &mut eager, LoadMode::Eager).unwrap();
        prop_assert_eq!(&eager.pages, &materialize(&plan, &img, &[]));
        let calls = eager.calls.len();
        for at in [1, calls / 2 + 1, calls] {
            let mut space = MockSpace::new(&img, &[]);
            space.fail_at = Some(at);
            prop_assert!(load(&plan, &img[..], None::<&[u8]>, &mut space, LoadMode::Eager).is_err());
            prop_assert!(space.is_empty());
        }
    }
}

/// An ET_EXEC with the given PT_LOADs `(flags, offset, vaddr page, vaddr offset, filesz,
/// memsz)`, its program headers inside the first page of the file.
fn raw_image(loads: &[(u32, u64, u64, u64, u64, u64)]) -> Vec<u8> {
    let segs = loads.iter().map(|&(flags, off, page, voff, fsz, msz)| {
        Seg::load(0x40_0000 + page * 0x1000 + voff, fsz, msz.max(fsz), SegmentFlags(flags))
            .at(off * 0x1000 + voff)
    });
    Builder::x86_64(ElfType::EXEC)
        .entry(0x40_0000)
        .segs(segs)
        .len(0x6000)
        .background(|i| if i < 0x1000 { 0 } else { (i as u8).wrapping_mul(7) | 1 })
        .bytes()
}

fn raw_load() -> impl Strategy<Value = (u32, u64, u64, u64, u64, u64)> {
    (
        prop_oneof![Just(4u32), Just(5), Just(6), Just(7)],
        0u64..6,
        0u64..6,
        prop_oneof![Just(0u64), 1u64..0x1000],
        prop_oneof![Just(0u64), 1u64..0x3000],
        prop_oneof![Just(0u64), 1u64..0x4000],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Overlapping, empty, unordered PT_LOADs (the bug class of an empty segment sorted
    /// between two overlapping ones): every plan either profile accepts is sound.
    #[test]
    fn arbitrary_load_tables_give_sound_plans(
        loads in prop::collection::vec(raw_load(), 1..6),
        hardened in any::<bool>(),
        version in prop_oneof![Just(KernelVersion::NEWEST), Just(KernelVersion::new(6, 1))],
    ) {
        let img = raw_image(&loads);
        let argv: [&[u8]; 1] = [b"prog"];
        let mut params = ExecParams::new(b"/prog");
        params.argv = &argv;
        params.profile = if hardened { Profile::Hardened } else { Profile::Linux(version) };
        let mut host = exec_core::fs_host::FsHost::new("/");
        if let Ok(p) = prepare(&arch_x86_64::X86_64::default(), &img[..], &mut host, &params, None) {
            if let Err(e) = check_plan(&p.plan, &img, &[]) {
                prop_assert!(false, "unsound plan for {loads:x?}: {e}");
            }
        }
    }
}
