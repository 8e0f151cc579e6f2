//! A simulated address space for loader tests: pages in a map, every call recorded,
//! reservation rules enforced, failure at call N on request.

use elf_stream::{Errno, FileOffset, ProgramHeader, ProgramType};
use exec_core::{
    resolve_fault, AddrRange, AddressSpace, ExecPlan, Image, MappingFlags, Prot, Role, UserAddr,
};
use std::collections::BTreeMap;

/// One page of simulated memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its protection.
    pub prot: Prot,
}

/// The simulated address space.
#[derive(Debug, Default)]
pub struct MockSpace {
    /// Page size.
    pub page: u64,
    /// Populated pages by address.
    pub pages: BTreeMap<u64, Page>,
    /// Reservations.
    pub reserved: Vec<AddrRange>,
    /// Lazily registered ranges.
    pub lazy: Vec<(AddrRange, Prot)>,
    /// Files by role (program, interpreter) for `map_file`.
    pub files: [Vec<u8>; 2],
    /// Every call, in order.
    pub calls: Vec<String>,
    /// Fail the call with this 1-based number (ENOMEM).
    pub fail_at: Option<usize>,
    /// Refuse `map_file` with ENOSYS (a kernel that cannot map files).
    pub no_map_file: bool,
    /// `patch_text` calls: (page, offsets), with the page's bytes as they were then.
    pub patches: Vec<(u64, Vec<u32>, Vec<u8>)>,
    /// Ranges some other mapping holds: `reserve` over them fails with EEXIST.
    pub occupied: Vec<AddrRange>,
    /// Where `find_free_range` starts looking (upwards, skipping occupied and reserved
    /// ranges); `None`: ENOSYS, as a kernel without it.
    pub free_from: Option<u64>,
    /// Populated pages allowed at once; more fail with ENOMEM (bounds fuzzed images).
    pub max_pages: Option<usize>,
}

impl MockSpace {
    /// An empty space with 4 KiB pages knowing the program's (and interpreter's) bytes.
    pub fn new(main: &[u8], interp: &[u8]) -> Self {
        MockSpace { page: 4096, files: [main.to_vec(), interp.to_vec()], ..Default::default() }
    }

    /// Nothing mapped, reserved or registered.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty() && self.reserved.is_empty() && self.lazy.is_empty()
    }

    fn call(&mut self, what: String) -> Result<(), Errno> {
        self.calls.push(what);
        if self.fail_at == Some(self.calls.len()) {
            return Err(Errno::ENOMEM);
        }
        Ok(())
    }

    /// ENOMEM when populating `r` would exceed `max_pages`.
    fn room_for(&self, r: AddrRange) -> Result<(), Errno> {
        let wanted = (r.end.0 - r.start.0) / self.page;
        match self.max_pages {
            Some(max) if self.pages.len() as u64 + wanted > max as u64 => Err(Errno::ENOMEM),
            _ => Ok(()),
        }
    }

    fn pages_of(&self, r: AddrRange) -> impl Iterator<Item = u64> {
        (r.start.0..r.end.0).step_by(self.page as usize)
    }

    fn reserved_for(&self, r: AddrRange) -> bool {
        self.reserved.iter().any(|x| x.start <= r.start && r.end <= x.end)
    }
}

impl AddressSpace for MockSpace {
    fn reserve(&mut self, r: AddrRange) -> Result<(), Errno> {
        self.call(format!("reserve {:#x}-{:#x}", r.start.0, r.end.0))?;
        if self.reserved.iter().chain(&self.occupied).any(|x| x.overlaps(&r)) {
            return Err(Errno::EEXIST);
        }
        self.reserved.push(r);
        Ok(())
    }

    fn map_anonymous(&mut self, r: AddrRange, prot: Prot, _: MappingFlags) -> Result<(), Errno> {
        self.call(format!("map_anonymous {:#x}-{:#x} {prot}", r.start.0, r.end.0))?;
        self.room_for(r)?;
        let page = self.page as usize;
        for p in self.pages_of(r).collect::<Vec<_>>() {
            self.pages.insert(p, Page { bytes: vec![0; page], prot });
        }
        Ok(())
    }

    fn map_file(
        &mut self,
        r: AddrRange,
        role: Role,
        offset: FileOffset,
        prot: Prot,
        _: MappingFlags,
    ) -> Result<(), Errno> {
        self.call(format!("map_file {:#x}-{:#x} {:?}@{:#x} {prot}", r.start.0, r.end.0, role, offset.0))?;
        if self.no_map_file {
            return Err(Errno::ENOSYS);
        }
        assert!(self.reserved_for(r), "map_file outside a reservation");
        self.room_for(r)?;
        let file = &self.files[usize::from(role == Role::Interpreter)];
        for (i, p) in self.pages_of(r).collect::<Vec<_>>().into_iter().enumerate() {
            let mut bytes = vec![0; self.page as usize];
            let at = offset.0 as usize + i * self.page as usize;
            let n = file.len().saturating_sub(at).min(bytes.len());
            bytes[..n].copy_from_slice(&file[at..at + n]);
            self.pages.insert(p, Page { bytes, prot });
        }
        Ok(())
    }

    fn map_lazy(&mut self, r: AddrRange, prot: Prot, _: MappingFlags) -> Result<(), Errno> {
        self.call(format!("map_lazy {:#x}-{:#x} {prot}", r.start.0, r.end.0))?;
        self.lazy.push((r, prot));
        Ok(())
    }

    fn write(&mut self, addr: UserAddr, bytes: &[u8]) -> Result<(), Errno> {
        self.call(format!("write {:#x} {}", addr.0, bytes.len()))?;
        // Page by page, not byte by byte (Miri runs whole loads through this).
        let (mut at, mut rest) = (addr.0, bytes);
        while !rest.is_empty() {
            let offset = (at & (self.page - 1)) as usize;
            let n = rest.len().min(self.page as usize - offset);
            let page = self.pages.get_mut(&(at & !(self.page - 1))).ok_or(Errno::EFAULT)?;
            page.bytes[offset..offset + n].copy_from_slice(&rest[..n]);
            (at, rest) = (at + n as u64, &rest[n..]);
        }
        Ok(())
    }

    fn protect(&mut self, r: AddrRange, prot: Prot, _: MappingFlags) -> Result<(), Errno> {
        self.call(format!("protect {:#x}-{:#x} {prot}", r.start.0, r.end.0))?;
        for p in self.pages_of(r).collect::<Vec<_>>() {
            self.pages.get_mut(&p).ok_or(Errno::ENOMEM)?.prot = prot;
        }
        Ok(())
    }

    fn find_free_range(&mut self, len: u64, align: u64) -> Result<UserAddr, Errno> {
        self.call(format!("find_free_range {len:#x} {align:#x}"))?;
        // No room past the end of the address space: ENOMEM, as a kernel says.
        let up = |a: u64| a.checked_next_multiple_of(align).ok_or(Errno::ENOMEM);
        let mut at = up(self.free_from.ok_or(Errno::ENOSYS)?)?;
        loop {
            let r = AddrRange::new(UserAddr(at), UserAddr(at.checked_add(len).ok_or(Errno::ENOMEM)?));
            match self.reserved.iter().chain(&self.occupied).find(|x| x.overlaps(&r)) {
                Some(x) => at = up(x.end.0)?,
                None => return Ok(UserAddr(at)),
            }
        }
    }

    fn patch_text(&mut self, page: UserAddr, offsets: &[u32]) -> Result<(), Errno> {
        self.call(format!("patch_text {:#x} {}", page.0, offsets.len()))?;
        let bytes = self.pages.get(&page.0).ok_or(Errno::EFAULT)?.bytes.clone();
        self.patches.push((page.0, offsets.to_vec(), bytes));
        Ok(())
    }

    fn unmap(&mut self, r: AddrRange) -> Result<(), Errno> {
        self.calls.push(format!("unmap {:#x}-{:#x}", r.start.0, r.end.0));
        self.pages.retain(|a, _| !r.contains(UserAddr(*a)));
        self.reserved.retain(|x| !(r.start <= x.start && x.end <= r.end));
        self.lazy.retain(|(x, _)| !(r.start <= x.start && x.end <= r.end));
        Ok(())
    }
}

/// Every page of a lazily loaded plan, as the fault resolver says it is.
pub fn materialize<I>(plan: &ExecPlan<I>, main: &[u8], interp: &[u8]) -> BTreeMap<u64, Page> {
    try_materialize(plan, main, interp).unwrap_or_else(|e| panic!("{e}"))
}

/// [`materialize`], with a page that does not resolve, or a piece outside its page or
/// file, as an error.
pub fn try_materialize<I>(
    plan: &ExecPlan<I>,
    main: &[u8],
    interp: &[u8],
) -> Result<BTreeMap<u64, Page>, String> {
    let mut out = BTreeMap::new();
    let page = plan.main.page.get();
    for m in plan.mappings() {
        for p in (m.range.start.0..m.range.end.0).step_by(page as usize) {
            let fill = resolve_fault(plan, UserAddr(p + 123)).map_err(|e| format!("page {p:#x}: {e}"))?;
            if fill.page.0 != p {
                return Err(format!("page {p:#x} resolved as {:#x}", fill.page.0));
            }
            let file = if fill.role == Role::Interpreter { interp } else { main };
            let mut bytes = vec![0u8; page as usize];
            for piece in fill.pieces() {
                let (o, f, n) =
                    (piece.page_offset as usize, piece.file_offset.0 as usize, piece.len as usize);
                let (Some(dst), Some(src)) =
                    (bytes.get_mut(o..o.saturating_add(n)), file.get(f..f.saturating_add(n)))
                else {
                    return Err(format!("page {p:#x}: piece {piece:?} outside its page or file"));
                };
                dst.copy_from_slice(src);
            }
            out.insert(p, Page { bytes, prot: fill.prot });
        }
    }
    Ok(out)
}

/// Checks that `pages` hold what every PT_LOAD of `image` puts in memory, from the ELF
/// alone, replaying Linux's `elf_map`/`elf_load` as the image's version does for its role
/// (see [`check_loads_as`]);
/// panics naming the first wrong byte.
pub fn check_against_segments(image: &Image, file: &[u8], pages: &BTreeMap<u64, Page>) {
    let headers: Vec<ProgramHeader> = image.loads.iter().map(|s| s.ph).collect();
    check_loads_as(&headers, image.bias, image.page.get(), file, pages, image.loader());
}

/// [`check_against_segments`] for the PT_LOADs among `headers`, moved by `bias` (wrapping,
/// as an object `elfmap` relocated), in pages of `page` bytes, as the newest Linux.
pub fn check_loads(
    headers: &[ProgramHeader],
    bias: u64,
    page: u64,
    file: &[u8],
    pages: &BTreeMap<u64, Page>,
) {
    check_loads_as(headers, bias, page, file, pages, exec_core::SegmentLoader::ElfLoad)
}

/// The reference model of an image's bytes, written plainly and apart from
/// `exec_core`'s mappings: each PT_LOAD in table order maps its file pages (`p_filesz`
/// plus `p_vaddr`'s page offset; through `elf_map` also the page of an unaligned empty one),
/// zeroes the rest of its last file page when it has bss and is writable, then maps
/// zeroed bss pages (from its first page when it maps no file page) — each page
/// replacing what an earlier segment put there. Bytes past the end of the file are 0.
pub fn reference_pages(
    headers: &[ProgramHeader],
    bias: u64,
    page: u64,
    file: &[u8],
    loader: exec_core::SegmentLoader,
) -> BTreeMap<u64, Vec<u8>> {
    let down = |a: u64| a & !(page - 1);
    let up = |a: u64| (a + page - 1) & !(page - 1);
    let mut model: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
    for ph in headers.iter().filter(|p| p.kind == ProgramType::LOAD) {
        let v = ph.vaddr.0.wrapping_add(bias);
        let old = loader == exec_core::SegmentLoader::ElfMap;
        let maps_file = ph.filesz > 0 || (old && v % page != 0);
        let file_end = up(v + ph.filesz);
        if maps_file {
            let off = ph.offset.0 - (v - down(v));
            for p in (down(v)..file_end).step_by(page as usize) {
                let at = (off + (p - down(v))) as usize;
                let mut bytes = vec![0u8; page as usize];
                let n = file.len().saturating_sub(at).min(page as usize);
                if n > 0 {
                    bytes[..n].copy_from_slice(&file[at..at + n]);
                }
                model.insert(p, bytes);
            }
            let tail = v + ph.filesz;
            if ph.memsz > ph.filesz && ph.flags.writable() && tail % page != 0 {
                if let Some(last) = model.get_mut(&down(tail)) {
                    last[(tail % page) as usize..].fill(0);
                }
            }
        }
        if ph.memsz > ph.filesz {
            let start = if maps_file { file_end } else { down(v) };
            for p in (start..up(v + ph.memsz)).step_by(page as usize) {
                model.insert(p, vec![0u8; page as usize]);
            }
        }
    }
    model
}

/// Checks `pages` against [`reference_pages`]; panics naming the first wrong byte.
pub fn check_loads_as(
    headers: &[ProgramHeader],
    bias: u64,
    page: u64,
    file: &[u8],
    pages: &BTreeMap<u64, Page>,
    loader: exec_core::SegmentLoader,
) {
    let model = reference_pages(headers, bias, page, file, loader);
    for (addr, want) in &model {
        let got = &pages.get(addr).unwrap_or_else(|| panic!("page {addr:#x} not loaded")).bytes;
        if got != want {
            let k = (0..want.len()).find(|&k| got[k] != want[k]).expect("the pages differ in some byte");
            panic!("byte at {:#x}: {:#x}, want {:#x}", addr + k as u64, got[k], want[k]);
        }
    }
}
