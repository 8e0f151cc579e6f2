//! The physical limit of an eager load: `pread` of every PT_LOAD's file bytes into the
//! same (already faulted) destination the loader fills, with no loader in between.

use crate::space::{read_chunked, MemorySpace, ReadChunk};
use elf_stream::ReadAt;
use exec_core::ExecPlan;

/// Reads every segment's file bytes of `plan` (program from `main`, interpreter from
/// `interp`) into `space` at the addresses the loader uses, in `space`'s chunk size;
/// returns the number of `read_at` calls.
pub fn pread_segments<I, R: ReadAt + ?Sized, S: ReadAt + ?Sized>(
    plan: &ExecPlan<I>,
    main: &R,
    interp: Option<&S>,
    space: &mut MemorySpace,
) -> Result<u64, elf_stream::Error> {
    let chunk: ReadChunk = space.chunk();
    let mut calls = read_image(&plan.main, main, space, chunk)?;
    if let (Some(img), Some(src)) = (plan.interp.as_ref(), interp) {
        calls += read_image(img, src, space, chunk)?;
    }
    Ok(calls)
}

fn read_image<S: ReadAt + ?Sized>(
    img: &exec_core::Image,
    src: &S,
    space: &mut MemorySpace,
    chunk: ReadChunk,
) -> Result<u64, elf_stream::Error> {
    let mut calls = 0;
    for s in &img.loads {
        let dest = space
            .slice_mut(img.at(s.ph.vaddr.0), s.ph.filesz)
            .map_err(|errno| elf_stream::Error::Read { offset: s.ph.offset.0, errno })?;
        calls += read_chunked(src, s.ph.offset.0, dest, chunk)?;
    }
    Ok(calls)
}

/// File bytes of every PT_LOAD of `plan` (what an eager load copies).
pub fn segment_bytes<I>(plan: &ExecPlan<I>) -> u64 {
    std::iter::once(&plan.main)
        .chain(plan.interp.as_ref())
        .flat_map(|img| img.loads.iter())
        .map(|s| s.ph.filesz)
        .sum()
}
