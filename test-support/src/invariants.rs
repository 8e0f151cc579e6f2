//! What every accepted plan promises, as one check shared by the fuzz targets, the
//! proptests and the differential test against the real kernels.
//!
//! [`check_plan`] returns the first broken promise as text instead of panicking, so a
//! caller can add the input that produced it (a mutant's recipe, a fuzz seed).

use crate::space::{try_materialize, MockSpace, Page};
use exec_core::{load, AddrRange, Content, ExecPlan, LoadMode, Mapping, Role};
use std::collections::BTreeMap;

/// Plans with more pages than this have their load modes compared on their first this
/// many pages only (each mode holds every page in memory three times over).
pub const MAX_COMPARED_PAGES: u64 = 16 * 1024;

/// Checks every soundness promise of an accepted `plan` for the program `main` and its
/// interpreter `interp` (empty without one):
///
/// 1. each image's mappings are non-empty, page aligned and sorted; the mappings of the
///    program, the interpreter and the stack are pairwise disjoint;
/// 2. each mapping's file bytes lie inside the mapping and inside its file;
/// 3. eager, mapped and lazy (`resolve_fault`) loads give the same pages, with the same
///    bytes and the same protection (the first [`MAX_COMPARED_PAGES`] pages).
pub fn check_plan<I>(plan: &ExecPlan<I>, main: &[u8], interp: &[u8]) -> Result<(), String> {
    let page = plan.main.page.get();
    let maps: Vec<Mapping> = plan.mappings().collect();
    let stack = AddrRange::new(plan.stack.extent.start, plan.stack.top);
    check_mappings(&maps, Some(stack), page, main.len() as u64, interp.len() as u64)?;
    compare_load_modes(plan, main, interp)
}

/// The structural half of [`check_plan`], for any list of mappings (a plan's, an
/// `elfmap`ped object's, what the C ABI reports): each image's mappings non-empty, page
/// aligned and sorted; all of them and `stack` pairwise disjoint; file bytes inside their
/// mapping and inside the file (`main_len` or `interp_len` bytes).
pub fn check_mappings(
    maps: &[Mapping],
    stack: Option<AddrRange>,
    page: u64,
    main_len: u64,
    interp_len: u64,
) -> Result<(), String> {
    let aligned = |a: u64| a % page == 0;
    let mut all: Vec<(AddrRange, String)> = Vec::new();
    let mut last_end = [0u64; 2];
    for m in maps {
        let r = m.range;
        let name = format!("{:?} {:#x}-{:#x} {}", m.role, r.start.0, r.end.0, m.prot);
        if r.is_empty() || !aligned(r.start.0) || !aligned(r.end.0) {
            return Err(format!("mapping {name} empty or not page aligned"));
        }
        let image = usize::from(m.role == Role::Interpreter);
        if r.start.0 < last_end[image] {
            return Err(format!("mappings not sorted at {name}"));
        }
        last_end[image] = r.end.0;
        check_file_bytes(m, if image == 1 { interp_len } else { main_len }, page)?;
        all.push((r, name));
    }
    if let Some(stack) = stack.filter(|s| !s.is_empty()) {
        all.push((stack, format!("stack {:#x}-{:#x}", stack.start.0, stack.end.0)));
    }
    all.sort_by_key(|(r, _)| r.start);
    for pair in all.windows(2) {
        if pair[0].0.overlaps(&pair[1].0) {
            return Err(format!("mappings overlap: {} and {}", pair[0].1, pair[1].1));
        }
    }
    Ok(())
}

/// What `maps` put in memory, page by page, read from their contents alone (the view
/// every load mode must reproduce).
pub fn expected_pages(
    maps: &[Mapping],
    page: u64,
    main: &[u8],
    interp: &[u8],
) -> Result<BTreeMap<u64, Page>, String> {
    let mut out = BTreeMap::new();
    for m in maps {
        let file = if m.role == Role::Interpreter { interp } else { main };
        for (i, p) in (m.range.start.0..m.range.end.0).step_by(page as usize).enumerate() {
            let mut bytes = vec![0u8; page as usize];
            let rel = i as u64 * page;
            let mut put = |at: u64, from: u64, len: u64| -> Result<(), String> {
                let (at, from, len) = (at as usize, from as usize, len as usize);
                let src =
                    file.get(from..from + len).ok_or(format!("page {p:#x}: file bytes outside the file"))?;
                bytes[at..at + len].copy_from_slice(src);
                Ok(())
            };
            match m.content {
                Content::Zero => {}
                Content::File { offset, bytes: n } => {
                    if rel < n {
                        put(0, offset.0 + rel, (n - rel).min(page))?;
                    }
                }
                Content::Shared { pieces, count } => {
                    for piece in pieces.iter().take(usize::from(count)) {
                        put(piece.page_offset, piece.file_offset.0, piece.len)?;
                    }
                }
            }
            out.insert(p, Page { bytes, prot: m.prot });
        }
    }
    Ok(out)
}

/// A mapping's file bytes lie inside it and inside the file of `file_len` bytes.
fn check_file_bytes(m: &Mapping, file_len: u64, page: u64) -> Result<(), String> {
    let inside_file = |offset: u64, len: u64| offset.checked_add(len).is_some_and(|end| end <= file_len);
    let name = format!("{:?} mapping {:#x}-{:#x}", m.role, m.range.start.0, m.range.end.0);
    match m.content {
        Content::Zero => Ok(()),
        Content::File { offset, bytes } => {
            if bytes > m.range.len() {
                return Err(format!("{name}: {bytes:#x} file bytes do not fit it"));
            }
            if offset.0 % page != 0 {
                return Err(format!("{name}: file offset {:#x} not page aligned", offset.0));
            }
            if !inside_file(offset.0, bytes) {
                return Err(format!(
                    "{name}: file bytes {:#x}+{bytes:#x} outside the file ({file_len:#x})",
                    offset.0
                ));
            }
            Ok(())
        }
        Content::Shared { pieces, count } => {
            if m.range.len() != page {
                return Err(format!("{name}: a shared page mapping spans more than a page"));
            }
            let used = pieces.get(..usize::from(count)).ok_or(format!("{name}: {count} pieces"))?;
            for p in used {
                if p.page_offset.checked_add(p.len).is_none_or(|end| end > page) {
                    return Err(format!("{name}: piece {p:?} leaves the page"));
                }
                if !inside_file(p.file_offset.0, p.len) {
                    return Err(format!("{name}: piece {p:?} outside the file ({file_len:#x})"));
                }
            }
            Ok(())
        }
    }
}

/// Eager, mapped and lazy loads, and the mappings' contents, of `plan` agree on every page (up to the budget).
fn compare_load_modes<I>(plan: &ExecPlan<I>, main: &[u8], interp: &[u8]) -> Result<(), String> {
    let page = plan.main.page.get();
    let pages: u64 = plan.mappings().map(|m| m.range.len() / page).sum();
    if pages > MAX_COMPARED_PAGES {
        return compare_prefix(plan, main, interp);
    }
    let interp_src = plan.interp.as_ref().map(|_| interp);
    let mut loaded = Vec::new();
    for mode in [LoadMode::Eager, LoadMode::Mapped] {
        let mut space = MockSpace::new(main, interp);
        space.page = page;
        load(plan, main, interp_src, &mut space, mode).map_err(|e| format!("{mode:?} load failed: {e}"))?;
        loaded.push((format!("{mode:?}"), space.pages));
    }
    loaded.push(("Lazy".into(), try_materialize(plan, main, interp)?));
    let maps: Vec<Mapping> = plan.mappings().collect();
    loaded.push(("the mappings".into(), expected_pages(&maps, page, main, interp)?));
    let (first, rest) = loaded.split_first().ok_or("no load")?;
    for (name, pages) in rest {
        same_pages(&first.0, &first.1, name, pages)?;
    }
    Ok(())
}

/// For a plan too large to load three times: the lazy view of its first pages against
/// what the mappings say (every page resolves, to its mapping's protection).
fn compare_prefix<I>(plan: &ExecPlan<I>, main: &[u8], interp: &[u8]) -> Result<(), String> {
    let page = plan.main.page.get();
    let mut left = MAX_COMPARED_PAGES;
    for m in plan.mappings() {
        for p in (m.range.start.0..m.range.end.0).step_by(page as usize) {
            if left == 0 {
                return Ok(());
            }
            left -= 1;
            let fill = exec_core::resolve_fault(plan, exec_core::UserAddr(p))
                .map_err(|e| format!("page {p:#x}: {e}"))?;
            if fill.prot != m.prot {
                return Err(format!("page {p:#x}: resolve_fault says {}, the mapping {}", fill.prot, m.prot));
            }
            let file = if fill.role == Role::Interpreter { interp } else { main };
            for piece in fill.pieces() {
                let end = piece.file_offset.0.checked_add(piece.len);
                if end.is_none_or(|e| e > file.len() as u64) || piece.page_offset + piece.len > page {
                    return Err(format!("page {p:#x}: piece {piece:?} outside its file or page"));
                }
            }
        }
    }
    Ok(())
}

/// The two page maps (named for the message) hold the same pages with the same bytes and protection.
pub fn same_pages(
    a_name: &str,
    a: &BTreeMap<u64, Page>,
    b_name: &str,
    b: &BTreeMap<u64, Page>,
) -> Result<(), String> {
    for (addr, pa) in a {
        let pb = b.get(addr).ok_or(format!("page {addr:#x}: in {a_name}, not in {b_name}"))?;
        if pa.prot != pb.prot {
            return Err(format!("page {addr:#x}: {a_name} {} but {b_name} {}", pa.prot, pb.prot));
        }
        if pa.bytes != pb.bytes {
            let k = pa.bytes.iter().zip(&pb.bytes).position(|(x, y)| x != y).unwrap_or(0);
            return Err(format!(
                "byte {:#x}: {a_name} {:#x} but {b_name} {:#x}",
                addr + k as u64,
                pa.bytes[k],
                pb.bytes[k]
            ));
        }
    }
    if let Some(addr) = b.keys().find(|k| !a.contains_key(k)) {
        return Err(format!("page {addr:#x}: in {b_name}, not in {a_name}"));
    }
    Ok(())
}
