//! proptest invariants over random valid layouts: mappings page-aligned, sorted,
//! non-overlapping, inside the user range; sp 16-aligned; auxv well formed; eager == lazy;
//! a failure at any address-space call leaves nothing behind.

use exec_core::*;
use proptest::prelude::*;
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
    fn layouts_hold_their_invariants(segs in prop::collection::vec(segment(), 1..5), pie in any::<bool>(), nargs in 0usize..6) {
        let img = image(&segs, pie);
        let args: Vec<Vec<u8>> = (0..nargs).map(|i| vec![b'a' + i as u8; i * 7]).collect();
        let argv: Vec<&[u8]> = args.iter().map(|a| &a[..]).collect();
        let argv_ref: &[&[u8]] = &argv;
        let mut params = ExecParams::new(b"/prog");
        params.argv = &argv_ref;
        let mut host = exec_core::fs_host::FsHost::new("/");
        let plan = match prepare(&arch_x86_64::X86_64::default(), &img[..], &mut host, &params, None) {
            Ok(p) => p.plan,
            // Some random layouts are legitimately rejected (e.g. overlapping same-page bss).
            Err(e) => { prop_assert!(matches!(e, ExecError::OverlappingSegments { .. } | ExecError::CrowdedPage { .. }), "{e:?}"); return Ok(()); }
        };
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
