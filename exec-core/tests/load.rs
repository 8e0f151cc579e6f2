//! `load` on real programs in all three modes: every page holds what the file says (file
//! bytes, then zeros), eager == mapped == lazy (through the fault resolver), one copy per
//! contiguous file run. (Failures injected into loads: `fault_injection.rs`.)
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use exec_core::fs_host::FsHost;
use exec_core::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use test_support::elf::{Builder, ElfType, Seg, SegmentFlags};
use test_support::space::{check_against_segments, materialize, MockSpace, Page};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The x86_64 programs to load: the project's fixtures, corpus programs, /bin/ls.
fn programs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(repo().join("testdata/bin"))
        .expect("testdata/bin")
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("x86_64-"))
        .collect();
    v.sort();
    assert!(v.len() >= 4, "x86_64 fixtures missing: {v:?}");
    if cfg!(miri) {
        return v; // ~1000x slower: the fixtures only
    }
    for name in ["hello-x86_64-glibc-static", "hello-x86_64-glibc-staticpie", "hello-x86_64-glibc-dynpie"] {
        let p = repo().join("../shared/corpus/bin").join(name);
        if p.exists() {
            v.push(p);
        }
    }
    v.push("/bin/ls".into());
    v
}

struct Loaded {
    plan: ExecPlan<arch_x86_64::Info>,
    main: Vec<u8>,
    interp: Vec<u8>,
}

fn prepare_file(path: &Path) -> Loaded {
    let main = std::fs::read(path).unwrap();
    let argv: [&[u8]; 1] = [b"prog"];
    let mut params = ExecParams::new(b"/prog");
    params.argv = &argv;
    let mut host = FsHost::new("/");
    let p = prepare(&arch_x86_64::X86_64::default(), &main[..], &mut host, &params, None).unwrap();
    let interp = p.interpreter.map(|f| {
        use std::io::Read;
        let mut v = Vec::new();
        let mut f = f;
        f.read_to_end(&mut v).unwrap();
        v
    });
    Loaded { plan: p.plan, main, interp: interp.unwrap_or_default() }
}

fn run(l: &Loaded, mode: LoadMode) -> (MockSpace, LoadReport) {
    let mut space = MockSpace::new(&l.main, &l.interp);
    let interp = (!l.interp.is_empty()).then_some(&l.interp[..]);
    let report = load(&l.plan, &l.main[..], interp, &mut space, mode).unwrap();
    (space, report)
}

#[test]
fn three_modes_give_the_same_pages() {
    for path in programs() {
        let l = prepare_file(&path);
        let (eager, report) = run(&l, LoadMode::Eager);
        let (mapped, _) = run(&l, LoadMode::Mapped);
        let (lazy, _) = run(&l, LoadMode::Lazy);
        assert!(lazy.pages.is_empty(), "lazy populates nothing");
        assert_eq!(lazy.lazy.len(), l.plan.mappings().count());
        let resolved = materialize(&l.plan, &l.main, &l.interp);
        assert_eq!(eager.pages, mapped.pages, "{}: eager vs mapped", path.display());
        assert_eq!(eager.pages, resolved, "{}: eager vs lazy", path.display());
        check_against_segments(&l.plan.main, &l.main, &eager.pages);
        if let Some(i) = &l.plan.interp {
            check_against_segments(i, &l.interp, &eager.pages);
        }
        // Protections as planned.
        for m in l.plan.mappings() {
            for p in (m.range.start.0..m.range.end.0).step_by(4096) {
                assert_eq!(eager.pages[&p].prot, m.prot);
            }
        }
        // One copy per contiguous file run, never one per page.
        let runs: u64 = l
            .plan
            .mappings()
            .map(|m| match m.content {
                Content::File { .. } => 1,
                Content::Zero => 0,
            })
            .sum();
        assert_eq!(report.copy_calls, runs, "{}", path.display());
        let mapped_files = mapped.calls.iter().filter(|c| c.starts_with("map_file")).count();
        let whole_file_pages =
            l.plan.mappings().any(|m| matches!(m.content, Content::File { bytes, .. } if bytes >= 4096));
        assert_eq!(
            mapped_files > 0,
            whole_file_pages,
            "{}: mapped mode maps whole file pages",
            path.display()
        );
    }
}

#[test]
fn mapped_mode_without_file_mappings_copies() {
    let l = prepare_file(&repo().join("testdata/bin/x86_64-dyn-pie"));
    let (eager, _) = run(&l, LoadMode::Eager);
    let mut space = MockSpace::new(&l.main, &l.interp);
    space.no_map_file = true;
    load(&l.plan, &l.main[..], Some(&l.interp[..]), &mut space, LoadMode::Mapped).unwrap();
    assert_eq!(space.pages, eager.pages);
}

/// With the host's real ld.so as interpreter, and a static program (fault_injection.rs
/// covers the small fixture interpreters).
#[test]
fn every_address_space_failure_leaves_it_empty() {
    for name in ["x86_64-dyn-pie", "x86_64-static"] {
        let l = prepare_file(&repo().join("testdata/bin").join(name));
        for mode in [LoadMode::Eager, LoadMode::Mapped, LoadMode::Lazy] {
            let (clean, _) = run(&l, mode);
            // Under Miri (~10^4 times slower) the 400-odd 512-byte writes of ld.so's eager
            // copy are sampled: every other call fails, and every 32nd write.
            let sampled =
                |at: &usize| !cfg!(miri) || !clean.calls[at - 1].starts_with("write ") || at % 32 == 0;
            for at in (1..=clean.calls.len()).filter(sampled) {
                let mut space = MockSpace::new(&l.main, &l.interp);
                space.fail_at = Some(at);
                let interp = (!l.interp.is_empty()).then_some(&l.interp[..]);
                let err = load(&l.plan, &l.main[..], interp, &mut space, mode).unwrap_err();
                assert!(matches!(err, ExecError::AddressSpace { .. }), "{err:?}");
                assert!(space.is_empty(), "{name} {mode:?} failing at call {at}: {:?}", space.calls);
            }
        }
    }
}

#[test]
fn fault_resolver_refuses_addresses_outside_the_image() {
    let l = prepare_file(&repo().join("testdata/bin/x86_64-static"));
    assert_eq!(resolve_fault(&l.plan, UserAddr(0x1000)).unwrap_err(), ExecError::NotMapped(0x1000));
    let end = l.plan.main.span().end;
    assert!(resolve_fault(&l.plan, end).is_err());
    assert!(resolve_fault(&l.plan, UserAddr(end.0 - 1)).is_ok());
}

/// A synthetic ELF64 x86_64 ET_EXEC with the given (flags, offset, vaddr, filesz, memsz).
fn synthetic(segs: &[(u32, u64, u64, u64, u64)], size: usize) -> Vec<u8> {
    let loads = segs.iter().map(|&(flags, off, vaddr, filesz, memsz)| {
        Seg::load(vaddr, filesz, memsz, SegmentFlags(flags)).at(off)
    });
    Builder::x86_64(ElfType::EXEC)
        .entry(segs[0].2 + 0x100)
        .segs(loads)
        .len(size)
        .background(|i| (i * 7 + 3) as u8)
        .bytes()
}

fn load_synthetic(image: &[u8]) -> (ExecPlan<arch_x86_64::Info>, [BTreeMap<u64, Page>; 3]) {
    let params = ExecParams::new(b"/p");
    let mut host = FsHost::new("/");
    let plan = prepare(&arch_x86_64::X86_64::default(), image, &mut host, &params, None).unwrap().plan;
    let mut out = Vec::new();
    for mode in [LoadMode::Eager, LoadMode::Mapped] {
        let mut space = MockSpace::new(image, &[]);
        load(&plan, image, None::<&[u8]>, &mut space, mode).unwrap();
        out.push(space.pages);
    }
    out.push(materialize(&plan, image, &[]));
    let pages: [BTreeMap<u64, Page>; 3] = out.try_into().unwrap();
    (plan, pages)
}

#[test]
fn a_page_shared_by_bss_and_the_next_segment_comes_out_right() {
    const RX: u32 = 5;
    const RW: u32 = 6;
    const R: u32 = 4;
    // Segment 1 ends (with bss) mid-page; segment 2 starts on that page. Linux maps the
    // segments in header order and the later mapping replaces the page: it holds segment
    // 2's file page (the file's bytes over segment 1's bss), with segment 2's protection.
    let img = synthetic(
        &[
            (RX, 0, 0x400000, 0x900, 0x900),
            (RW, 0x1000, 0x401000, 0x200, 0x600),
            (RW, 0x1800, 0x401800, 0x100, 0x100),
        ],
        0x2000,
    );
    let (plan, [eager, mapped, lazy]) = load_synthetic(&img);
    assert_eq!(eager, mapped);
    assert_eq!(eager, lazy);
    let shared = &eager[&0x401000];
    assert_eq!(&shared.bytes[..], &img[0x1000..0x2000], "the later segment's file page");
    assert_eq!(shared.prot, Prot::READ.union(Prot::WRITE));
    assert_eq!(plan.mappings().count(), 2);
    // A read-only segment with bss: its last file page keeps the file's bytes past
    // p_filesz (padzero cannot write it; ignored since 6.7), up to the end of the file;
    // the bss pages past it are read-write (vm_brk_flags).
    let img = synthetic(&[(RX, 0, 0x400000, 0x900, 0x900), (R, 0x1000, 0x401000, 0x300, 0x2500)], 0x1400);
    let (_, [eager, mapped, lazy]) = load_synthetic(&img);
    assert_eq!(eager, mapped);
    assert_eq!(eager, lazy);
    let last = &eager[&0x401000];
    assert_eq!(last.prot, Prot::READ);
    assert_eq!(&last.bytes[..0x400], &img[0x1000..0x1400], "file bytes past p_filesz stay");
    assert!(last.bytes[0x400..].iter().all(|&b| b == 0), "past the end of the file: zero");
    for bss in [0x402000, 0x403000] {
        assert_eq!(eager[&bss].prot, Prot::READ.union(Prot::WRITE), "bss page {bss:#x}");
        assert!(eager[&bss].bytes.iter().all(|&b| b == 0));
    }
    // A PT_LOAD with p_filesz 0 (pure bss) and unsorted headers.
    let img = synthetic(&[(RW, 0x1000, 0x402000, 0, 0x1800), (RX, 0, 0x400000, 0x900, 0x900)], 0x1400);
    let (plan, [eager, mapped, lazy]) = load_synthetic(&img);
    assert_eq!(eager, mapped);
    assert_eq!(eager, lazy);
    check_against_segments(&plan.main, &img, &eager);
}
