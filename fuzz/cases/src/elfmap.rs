//! `elfmap` (a runtime linker mapping a shared object) on a fuzzed object and program
//! header table, against the mock address space: its own range free, taken, or outside the
//! window, a `find_free_range` that answers or not, and the space failing at a fuzzed call.
//!
//! Invariants checked: a failed `elfmap` leaves the address space empty; a successful one
//! put every PT_LOAD's bytes (then zeros) at `p_vaddr + bias` in eager and mapped modes
//! and registered every page in lazy mode, moved the object only by a multiple of its
//! largest alignment, kept it inside the window, and reports the lowest page as its base.

use crate::sections;
use elf_stream::{Class, ElfFile, Endian, ProgramHeader, ProgramType};
use exec_core::elfmap::{decode_table, elfmap as map_object, ElfmapTarget, MAX_ELFMAP_PHDRS};
use exec_core::{AddrRange, LoadMode, PageSize, UserAddr};
use test_support::space::{check_loads, MockSpace};

/// Populated pages the mock space allows (64 MiB of 4 KiB pages).
const MAX_PAGES: usize = 16 * 1024;

/// The fuzz target: see the module documentation. Input: [`sections`] options (mode,
/// where the free range is, whether the object's own range is taken, the failing call,
/// where the table comes from), the object, a raw program header table (used when the
/// options ask for it, decoded as a runtime linker passes it).
pub fn elfmap(data: &[u8]) {
    let [options, file, table] = sections::<3>(data);
    let byte = |i: usize| options.get(i).copied().unwrap_or(0);
    let mode = match byte(0) % 3 {
        0 => LoadMode::Eager,
        1 => LoadMode::Mapped,
        _ => LoadMode::Lazy,
    };
    let headers: Vec<ProgramHeader> = if byte(1) & 1 == 0 {
        // The table a runtime linker read from the object itself.
        let Ok(elf) = ElfFile::<&[u8]>::open(file) else { return };
        match elf.program_headers().take(MAX_ELFMAP_PHDRS + 1).collect::<Result<_, _>>() {
            Ok(v) => v,
            Err(_) => return,
        }
    } else {
        let class = if byte(1) & 2 == 0 { Class::Elf64 } else { Class::Elf32 };
        let endian = if byte(1) & 4 == 0 { Endian::Little } else { Endian::Big };
        let count = table.len() / class.program_header_size() + usize::from(byte(1) >> 3 & 1);
        match decode_table(table, count, class, endian) {
            Ok(v) => v.to_vec(),
            Err(e) => {
                let _ = e.errno();
                return;
            }
        }
    };
    let page = if byte(2) & 1 == 0 { PageSize::K4 } else { PageSize::new(16384).expect("page size") };
    let target = ElfmapTarget { page, min: UserAddr(0x10000), end: UserAddr(0x7fff_ffff_f000) };
    let mut space = MockSpace::new(file, &[]);
    space.page = page.get();
    space.max_pages = Some(MAX_PAGES);
    space.free_from = (byte(2) & 2 != 0).then(|| u64::from(byte(3)) << 28);
    let loads: Vec<&ProgramHeader> = headers.iter().filter(|p| p.kind == ProgramType::LOAD).collect();
    if byte(2) & 4 != 0 {
        // Something already holds the page of the lowest PT_LOAD.
        if let Some(lo) = loads.iter().map(|p| p.vaddr.0 & !(page.get() - 1)).min() {
            space.occupied.push(AddrRange::new(UserAddr(lo), UserAddr(lo.saturating_add(page.get()))));
        }
    }
    space.fail_at = (byte(4) != 0).then(|| usize::from(byte(4)));

    let m = match map_object(file, &headers, target, &mut space, mode) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.errno();
            assert!(space.is_empty(), "a failed elfmap left {:?}", space.calls);
            return;
        }
    };
    let align =
        loads.iter().map(|p| p.align).filter(|a| a.is_power_of_two()).max().unwrap_or(1).max(page.get());
    assert!(!m.relocated || m.bias % align == 0, "moved by {:#x}, not a multiple of {align:#x}", m.bias);
    let lowest = loads.iter().map(|p| p.vaddr.0 & !(page.get() - 1)).min().expect("elfmap mapped PT_LOADs");
    assert_eq!(m.base.0, lowest.wrapping_add(m.bias), "base is the lowest page, moved");
    // A PT_LOAD of p_memsz 0 maps nothing: only the others must lie in the window.
    for p in loads.iter().filter(|p| p.memsz > 0) {
        let start = p.vaddr.0.wrapping_add(m.bias);
        let end = start.checked_add(p.memsz).expect("a mapped segment wraps");
        assert!(target.min.0 <= start && end <= target.end.0, "segment {} outside the window", p.index);
    }
    check_object(&headers, file, page, m.bias, mode, &space);
    match mode {
        LoadMode::Lazy => {
            for p in &loads {
                let at = p.vaddr.0.wrapping_add(m.bias);
                let registered = space.lazy.iter().any(|(r, _)| r.start.0 <= at && at < r.end.0);
                assert!(p.memsz == 0 || registered, "segment {} not registered", p.index);
            }
        }
        _ => check_loads(&headers, m.bias, page.get(), file, &space.pages),
    }
}

/// The mapped object passes the plan invariants (`test_support::invariants`): its mappings
/// (the image `elfmap` validated, moved by `bias`) sorted, aligned, disjoint, file bytes
/// inside; an eager or mapped load holds exactly the pages those mappings describe.
fn check_object(
    headers: &[ProgramHeader],
    file: &[u8],
    page: PageSize,
    bias: u64,
    mode: LoadMode,
    space: &MockSpace,
) {
    use exec_core::{Image, Mapping, MappingFlags, Role};
    use test_support::invariants::{check_mappings, expected_pages, same_pages};
    let header = exec_core::elfmap::HEADER;
    let in_file = |range: elf_stream::FileRange, index| match range.end() {
        Some(end) if end <= file.len() as u64 => Ok(()),
        _ => Err(elf_stream::Error::SegmentOutsideFile { index }),
    };
    let mut img = Image::from_headers(
        header,
        headers.len() as u32,
        headers.iter().map(|h| Ok(*h)),
        in_file,
        Role::Main,
        page,
        exec_core::elfmap::ELFMAP_RULES,
        |p| (p, MappingFlags::NONE),
    )
    .expect("elfmap accepted these headers");
    img.bias = bias;
    img.file_size = Some(file.len() as u64);
    let maps: Vec<Mapping> = img.mappings().collect();
    if let Err(e) = check_mappings(&maps, None, page.get(), file.len() as u64, 0) {
        panic!("unsound elfmap: {e}");
    }
    if mode != LoadMode::Lazy {
        let want = expected_pages(&maps, page.get(), file, &[]).unwrap_or_else(|e| panic!("{e}"));
        if let Err(e) = same_pages("the mappings", &want, &format!("{mode:?}"), &space.pages) {
            panic!("elfmap: {e}");
        }
    }
}
