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
use test_support::invariants::check_plan;
use test_support::space::{materialize, MockSpace};

/// Segments as (flags, file length, bss length, gap pages before): placed one after
/// another, each starting `gap` pages after the previous end, sometimes on the same page.
fn image(segs: &[(u32, u64, u64, u64, bool)], pie: bool) -> Vec<u8> {
    let n = segs.len();
    let mut phs = Vec::new();
    let mut vaddr = if pie { 0 } else { 0x40_0000 };
    let mut offset = 0u64;
    let mut file = vec![0u8; 0x1000];
    for (i, &(flags, filesz, bss, gap, same_page)) in segs.iter().enumerate() {
        if i > 0 {
            vaddr = if same_page { vaddr } else { ((vaddr + 0xfff) & !0xfff) + gap * 0x1000 };
            offset = (file.len() as u64 + 0xfff) & !0xfff;
            offset += vaddr & 0xfff;
        }
        let filesz = if i == 0 { filesz.max(64 + 56 * n as u64) } else { filesz };
        file.resize((offset + filesz) as usize, 0);
        for k in 0..filesz {
            file[(offset + k) as usize] = (k as u8).wrapping_mul(31).wrapping_add(i as u8);
        }
        phs.push((flags, offset, vaddr, filesz, filesz + bss));
        vaddr += filesz + bss;
    }
    let b = &mut file;
    b[..64].fill(0);
    b[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    b[16] = if pie { 3 } else { 2 };
    b[18] = 62;
    b[20] = 1;
    b[24..32].copy_from_slice(&(phs[0].2 + 0x40).to_le_bytes());
    b[32] = 64;
    b[52] = 64;
    b[54] = 56;
    b[56] = n as u8;
    for (i, &(flags, off, va, fsz, msz)) in phs.iter().enumerate() {
        let at = 64 + 56 * i;
        b[at..at + 56].fill(0);
        b[at] = 1;
        b[at + 4..at + 8].copy_from_slice(&flags.to_le_bytes());
        b[at + 8..at + 16].copy_from_slice(&off.to_le_bytes());
        b[at + 16..at + 24].copy_from_slice(&va.to_le_bytes());
        b[at + 32..at + 40].copy_from_slice(&fsz.to_le_bytes());
        b[at + 40..at + 48].copy_from_slice(&msz.to_le_bytes());
        b[at + 48..at + 56].copy_from_slice(&0x1000u64.to_le_bytes());
    }
    file
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
    let mut b = vec![0u8; 0x6000];
    for (i, byte) in b.iter_mut().enumerate().skip(0x1000) {
        *byte = (i as u8).wrapping_mul(7) | 1;
    }
    b[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    b[16] = 2;
    b[18] = 62;
    b[20] = 1;
    b[24..32].copy_from_slice(&0x40_0000u64.to_le_bytes());
    b[32] = 64;
    b[52] = 64;
    b[54] = 56;
    b[56] = loads.len() as u8;
    for (i, &(flags, off, page, voff, fsz, msz)) in loads.iter().enumerate() {
        let at = 64 + 56 * i;
        b[at] = 1;
        b[at + 4..at + 8].copy_from_slice(&flags.to_le_bytes());
        b[at + 8..at + 16].copy_from_slice(&(off * 0x1000 + voff).to_le_bytes());
        b[at + 16..at + 24].copy_from_slice(&(0x40_0000 + page * 0x1000 + voff).to_le_bytes());
        b[at + 32..at + 40].copy_from_slice(&fsz.to_le_bytes());
        b[at + 40..at + 48].copy_from_slice(&msz.max(fsz).to_le_bytes());
        b[at + 48..at + 56].copy_from_slice(&0x1000u64.to_le_bytes());
    }
    b
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
