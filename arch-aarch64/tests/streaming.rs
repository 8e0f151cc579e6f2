//! The plan side of issue 5's items 3 and 5, for AArch64:
//!
//! - No kernel-side relocation exists for any kind of program: every AArch64 program of
//!   the corpus and the fixtures (ET_EXEC, static-pie, dynamic PIE and ET_EXEC, and their
//!   interpreters) loads, under 4, 16 and 64 KiB pages and in eager, mapped and lazy mode,
//!   to exactly its file's bytes at `p_vaddr + bias` (file pages as a private mapping
//!   gives them, zeros past `p_filesz`); nothing is patched, the entry is `e_entry + bias`. (The kernel oracle shows the same programs
//!   running from such an image; running them through the C harness comes with item 4.)
//! - A program larger than 64 MiB, read through a source that generates its bytes, plans
//!   with zero heap allocations and the same number of reads as a 1 MiB one, loads eagerly
//!   through reads of a bounded size with zero heap allocations, and its lazy pages (the
//!   fault resolver, page by page) equal its eager pages.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use arch_aarch64::{Aarch64, Cpu, Info};
use elf_stream::{Errno, FileOffset, ReadAt};
use exec_core::*;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::path::Path;
use test_support::alloc_counter::CountingAllocator;
use test_support::elf::{RW, RX};
use test_support::synth::Load;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::new();

/// Pages of a simulated address space (any page size).
struct Space {
    page: u64,
    pages: BTreeMap<u64, (Vec<u8>, Prot)>,
    files: [Vec<u8>; 2],
    lazy: Vec<(AddrRange, Prot)>,
}

impl Space {
    fn new(page: u64, main: &[u8], interp: &[u8]) -> Self {
        Space { page, pages: BTreeMap::new(), files: [main.to_vec(), interp.to_vec()], lazy: Vec::new() }
    }

    fn range(&self, r: AddrRange) -> impl Iterator<Item = u64> {
        (r.start.0..r.end.0).step_by(self.page as usize)
    }
}

impl AddressSpace for Space {
    fn reserve(&mut self, _: AddrRange) -> Result<(), Errno> {
        Ok(())
    }

    fn map_anonymous(&mut self, r: AddrRange, prot: Prot, _: MappingFlags) -> Result<(), Errno> {
        for p in self.range(r).collect::<Vec<_>>() {
            self.pages.insert(p, (vec![0; self.page as usize], prot));
        }
        Ok(())
    }

    fn map_file(
        &mut self,
        r: AddrRange,
        role: Role,
        off: FileOffset,
        prot: Prot,
        _: MappingFlags,
    ) -> Result<(), Errno> {
        let file = &self.files[usize::from(role == Role::Interpreter)];
        let mut out = Vec::new();
        for (i, p) in self.range(r).enumerate() {
            let at = off.0 as usize + i * self.page as usize;
            let mut bytes = vec![0; self.page as usize];
            let n = file.len().saturating_sub(at).min(bytes.len());
            bytes[..n].copy_from_slice(&file[at..at + n]);
            out.push((p, (bytes, prot)));
        }
        self.pages.extend(out);
        Ok(())
    }

    fn map_lazy(&mut self, r: AddrRange, prot: Prot, _: MappingFlags) -> Result<(), Errno> {
        self.lazy.push((r, prot));
        Ok(())
    }

    fn write(&mut self, addr: UserAddr, bytes: &[u8]) -> Result<(), Errno> {
        let mut done = 0usize;
        while done < bytes.len() {
            let a = addr.0 + done as u64;
            let page = a & !(self.page - 1);
            let off = (a - page) as usize;
            let n = (self.page as usize - off).min(bytes.len() - done);
            let p = self.pages.get_mut(&page).ok_or(Errno::EFAULT)?;
            p.0[off..off + n].copy_from_slice(&bytes[done..done + n]);
            done += n;
        }
        Ok(())
    }

    fn protect(&mut self, r: AddrRange, prot: Prot, _: MappingFlags) -> Result<(), Errno> {
        for p in self.range(r).collect::<Vec<_>>() {
            self.pages.get_mut(&p).ok_or(Errno::ENOMEM)?.1 = prot;
        }
        Ok(())
    }

    fn unmap(&mut self, r: AddrRange) -> Result<(), Errno> {
        self.pages.retain(|a, _| !r.contains(UserAddr(*a)));
        Ok(())
    }
}

/// The page at `page` of `img` computed from the program headers alone, as Linux's
/// `elf_load` leaves it (`test_support::space::reference_pages`).
fn expected_page(img: &Image, file: &[u8], page: u64, size: u64) -> Vec<u8> {
    let headers: Vec<_> = img.loads.iter().map(|s| s.ph).collect();
    let model = test_support::space::reference_pages(&headers, img.bias, size, file, img.loader());
    model.get(&page).cloned().unwrap_or_else(|| vec![0u8; size as usize])
}

fn plan_with(cpu: Cpu, p: &common::Program) -> Option<Prepared<Info, std::fs::File>> {
    common::plan_as_oracle(&Aarch64::new(cpu), p, None).ok()
}

#[test]
fn every_program_loads_as_its_file_bytes_in_every_mode_and_page_size() {
    let mut checked = 0;
    for p in common::programs() {
        let main = p.bytes();
        for (page, va_bits) in [(PageSize::K4, 48), (PageSize::K16, 47), (PageSize::K64, 48)] {
            let cpu = Cpu { page_size: page, va_bits, ..Cpu::default() };
            let prepared = plan_with(cpu, &p).unwrap_or_else(|| panic!("{} plans", p.name));
            let plan = &prepared.plan;
            let interp = match &plan.interp {
                Some(_) => {
                    let path = exec_core::fs_host::FsHost::new(&p.root)
                        .resolve(p.interp.as_ref().unwrap().as_bytes());
                    std::fs::read(path).unwrap()
                }
                None => Vec::new(),
            };
            assert!(plan.mappings().all(|m| m.flags == MappingFlags::NONE), "{}: nothing to patch", p.name);
            assert_eq!(plan.main.entry().0, plan.main.bias + plan.main.header.entry.0);
            let mut eager_pages = None;
            for mode in [LoadMode::Eager, LoadMode::Mapped, LoadMode::Lazy] {
                let mut space = Space::new(page.get(), &main, &interp);
                let interp_src: Option<&[u8]> = plan.interp.as_ref().map(|_| &interp[..]);
                load(plan, &main[..], interp_src, &mut space, mode).unwrap();
                if mode == LoadMode::Lazy {
                    assert!(space.pages.is_empty());
                    for (r, _) in space.lazy.clone() {
                        for a in (r.start.0..r.end.0).step_by(page.get() as usize) {
                            let fill = resolve_fault(plan, UserAddr(a + 5)).unwrap();
                            let file = if fill.role == Role::Interpreter { &interp } else { &main };
                            let mut bytes = vec![0u8; page.get() as usize];
                            for piece in fill.pieces() {
                                let (o, f, n) = (
                                    piece.page_offset as usize,
                                    piece.file_offset.0 as usize,
                                    piece.len as usize,
                                );
                                bytes[o..o + n].copy_from_slice(&file[f..f + n]);
                            }
                            space.pages.insert(a, (bytes, fill.prot));
                        }
                    }
                }
                for img in plan.images() {
                    let file = if img.role == Role::Interpreter { &interp } else { &main };
                    for m in img.mappings() {
                        for a in (m.range.start.0..m.range.end.0).step_by(page.get() as usize) {
                            let (bytes, prot) = &space.pages[&a];
                            assert_eq!(*prot, m.prot, "{} {mode:?} {a:#x}", p.name);
                            assert!(
                                *bytes == expected_page(img, file, a, page.get()),
                                "{} ({} KiB pages, {mode:?}): page {a:#x} is not the file's bytes",
                                p.name,
                                page.get() >> 10
                            );
                        }
                    }
                }
                match &eager_pages {
                    None => eager_pages = Some(space.pages),
                    Some(e) => assert!(*e == space.pages, "{} {mode:?} differs from eager", p.name),
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 3 * 16, "{checked}");
}

// ---------------------------------------------------------------------------------------
// A program larger than 64 MiB.

/// A file whose first page is real headers and whose rest is generated on the fly.
struct Generated {
    head: Vec<u8>,
    size: u64,
    reads: Cell<u64>,
    max_read: Cell<usize>,
}

fn pattern(o: u64) -> u8 {
    (o as u8) ^ ((o >> 9) as u8).wrapping_mul(31) ^ ((o >> 20) as u8)
}

impl Generated {
    fn byte(&self, o: u64) -> u8 {
        match self.head.get(o as usize) {
            Some(b) => *b,
            None => pattern(o),
        }
    }
}

impl ReadAt for Generated {
    type Error = Infallible;

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, Infallible> {
        self.reads.set(self.reads.get() + 1);
        self.max_read.set(self.max_read.get().max(buf.len()));
        let n = (self.size.saturating_sub(offset) as usize).min(buf.len());
        for (i, b) in buf[..n].iter_mut().enumerate() {
            *b = self.byte(offset + i as u64);
        }
        Ok(n)
    }

    fn size(&self) -> Option<u64> {
        Some(self.size)
    }
}

/// A static ET_EXEC: 64 KiB of text, `data` bytes of initialised data, 1 MiB of bss.
fn generated(data: u64) -> Generated {
    let mut s = common::exec();
    s.loads = vec![
        Load { vaddr: 0x400000, offset: 0, filesz: 0x10000, memsz: 0x10000, flags: RX, align: 0x10000 },
        Load {
            vaddr: 0x420000,
            offset: 0x10000,
            filesz: data,
            memsz: data + (1 << 20),
            flags: RW,
            align: 0x10000,
        },
    ];
    Generated {
        head: s.build_head(0x1000),
        size: 0x10000 + data,
        reads: Cell::new(0),
        max_read: Cell::new(0),
    }
}

/// Checks every byte the loader writes against the generator, storing nothing.
struct Checking<'a> {
    src: &'a Generated,
    img: &'a Image,
    written: u64,
    wrong: u64,
}

impl Checking<'_> {
    fn expect(&self, a: u64) -> u8 {
        for s in &self.img.loads {
            let start = self.img.bias + s.ph.vaddr.0;
            if a >= start && a < start + s.ph.filesz {
                return self.src.byte(s.ph.offset.0 + (a - start));
            }
        }
        0
    }
}

impl AddressSpace for Checking<'_> {
    fn reserve(&mut self, _: AddrRange) -> Result<(), Errno> {
        Ok(())
    }
    fn map_anonymous(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> {
        Ok(())
    }
    fn write(&mut self, addr: UserAddr, bytes: &[u8]) -> Result<(), Errno> {
        for (i, b) in bytes.iter().enumerate() {
            if *b != self.expect(addr.0 + i as u64) {
                self.wrong += 1;
            }
        }
        self.written += bytes.len() as u64;
        Ok(())
    }
    fn protect(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> {
        Ok(())
    }
    fn unmap(&mut self, _: AddrRange) -> Result<(), Errno> {
        Ok(())
    }
}

/// (plan, heap allocations while planning, reads while planning).
fn prepare_counted(src: &Generated) -> (ExecPlan<Info>, usize, u64) {
    let policy = Aarch64::default();
    let argv: [&[u8]; 1] = [b"/t/big"];
    let envp: [&[u8]; 1] = [b"ORACLE=1"];
    let mut params = ExecParams::new(b"/t/big");
    params.argv = &argv;
    params.envp = &envp;
    let mut host = exec_core::fs_host::FsHost::new(Path::new("/"));
    src.reads.set(0);
    let (r, allocs, _) = ALLOC.measure(|| prepare(&policy, src, &mut host, &params, None).map(|p| p.plan));
    (r.unwrap(), allocs, src.reads.get())
}

#[test]
fn a_program_over_64_mib_plans_and_loads_in_bounded_memory() {
    const BIG: u64 = 80 << 20;
    // Both on one small fixed stack: the stack the library needs does not grow either.
    let t = std::thread::Builder::new().stack_size(512 << 10).spawn(|| {
        let small = generated(1 << 20);
        let big = generated(BIG);
        let (small_plan, small_allocs, small_reads) = prepare_counted(&small);
        let (plan, allocs, reads) = prepare_counted(&big);
        assert_eq!((small_allocs, allocs), (0, 0), "prepare allocates nothing");
        assert_eq!(small_reads, reads, "prepare reads the same for 1 MiB and 80 MiB");
        assert!(big.max_read.get() <= 4096, "largest read {} bytes", big.max_read.get());
        // Eager memory: every page of the image (text, data, bss).
        assert_eq!(plan.memory.main.eager, 0x10000 + BIG + (1 << 20));
        assert_eq!(plan.brk.0, 0x420000 + BIG + (1 << 20));
        assert_eq!(small_plan.stack.sp, plan.stack.sp);

        // Eager: every byte comes through reads of bounded size, heap untouched.
        big.max_read.set(0);
        let mut space = Checking { src: &big, img: &plan.main, written: 0, wrong: 0 };
        let (r, allocs, _) = ALLOC.measure(|| load(&plan, &big, None::<&[u8]>, &mut space, LoadMode::Eager));
        let report = r.unwrap();
        assert_eq!(allocs, 0, "load allocates nothing");
        assert_eq!(space.wrong, 0);
        assert!(space.written >= BIG + 0x10000, "{} bytes written", space.written);
        assert_eq!(report.bytes_copied, BIG + 0x10000);
        assert!(report.copy_calls <= 4, "{} copy calls: one per contiguous run", report.copy_calls);
        assert!(big.max_read.get() <= exec_core::space::BOUNCE, "largest read {}", big.max_read.get());
        plan
    });
    let plan = t.unwrap().join().unwrap();

    // Lazy: the resolver's answer for every page equals what eager wrote.
    let big = generated(BIG);
    let mut pages = 0u64;
    for m in plan.mappings() {
        for a in (m.range.start.0..m.range.end.0).step_by(4096) {
            let fill = resolve_fault(&plan, UserAddr(a + 4095)).unwrap();
            assert_eq!(fill.page.0, a);
            let checker = Checking { src: &big, img: &plan.main, written: 0, wrong: 0 };
            let mut covered = 0u64;
            for piece in fill.pieces() {
                let start = a + piece.page_offset;
                for i in (0..piece.len).step_by(509).chain([piece.len - 1]) {
                    assert_eq!(big.byte(piece.file_offset.0 + i), checker.expect(start + i), "page {a:#x}");
                }
                covered += piece.len;
            }
            // The rest of the page is zero in both.
            let file_bytes: u64 = plan
                .main
                .loads
                .iter()
                .map(|s| (s.ph.vaddr.0 + s.ph.filesz).min(a + 4096).saturating_sub(s.ph.vaddr.0.max(a)))
                .sum();
            assert_eq!(covered, file_bytes, "page {a:#x}");
            pages += 1;
        }
    }
    assert_eq!(pages, (0x10000 + BIG + (1 << 20)) / 4096);
}
