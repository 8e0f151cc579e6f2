//! `execve` through execcore: the part of this kernel to lift into yours.
//!
//! The order of calls (see README.md):
//! 1. copy argv and envp out of the caller's memory into kernel storage (E2BIG);
//! 2. open the program as a [`ReadAt`] ([`InitrdFile`]);
//! 3. [`exec_core::prepare_into`]: validate, open the interpreter through [`Host`], plan
//!    the layout, the stack and the auxv — nothing touched yet;
//! 4. build a *new* address space while the old one still runs: [`exec_core::load`]
//!    through [`NewSpace`] (an `AddressSpace`), then [`exec_core::write_stack`];
//!    any error so far frees the new space and returns the errno to the caller;
//! 5. the point of no return: install the new space, free the old one, reset what exec
//!    resets, and enter EL0 at the plan's registers.

use crate::fs;
use crate::initramfs::{self, Entry};
use crate::mm::{self, PAGE};
use crate::proc::{self, Backing, Mode, Process, Space, Vma};
use crate::pt::{self, page_down, page_up, BORROWED, W};
use crate::trap::TrapFrame;
use crate::Global;
use arch_aarch64::{Aarch64, Cpu, Info};
use core::sync::atomic::{AtomicU64, Ordering};
use elf_stream::{Errno, FileOffset, ReadAt};
use exec_core::{
    AddrRange, AddressSpace, ArchPolicy, Chunk, Chunks, ExecError, ExecHost, ExecParams, FileCopy, LoadMode,
    MappingFlags, OpenedFile, PageSize, Prepared, Prot, Randomize, Role, StringList, UserAddr,
};

/// `read_at` calls on initramfs files (BENCHMARKS.md).
pub static READS: AtomicU64 = AtomicU64::new(0);

/// A file of the initramfs as execcore reads it: bytes at an offset, nothing else.
#[derive(Clone, Copy, Debug)]
pub struct InitrdFile {
    /// Its initramfs entry.
    pub entry: usize,
    data: &'static [u8],
}

impl InitrdFile {
    /// The regular file at `path`: ENOENT, EACCES (a directory or not executable).
    pub fn open(path: &[u8]) -> Result<InitrdFile, Errno> {
        let entry = initramfs::lookup(path).ok_or(Errno::ENOENT)?;
        let e: Entry = initramfs::entry(entry).ok_or(Errno::ENOENT)?;
        if e.mode & initramfs::S_IFMT != initramfs::S_IFREG || e.mode & 0o111 == 0 {
            return Err(Errno::EACCES);
        }
        Ok(InitrdFile { entry, data: e.data })
    }
}

impl ReadAt for InitrdFile {
    type Error = core::convert::Infallible;

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, Self::Error> {
        READS.fetch_add(1, Ordering::Relaxed);
        self.data.read_at(offset, buf)
    }

    fn size(&self) -> Option<u64> {
        Some(self.data.len() as u64)
    }
}

/// What `prepare` asks of the kernel: the interpreter's file and entropy.
struct Host;

impl ExecHost for Host {
    type Interp = InitrdFile;

    fn open_interpreter(&mut self, path: &[u8]) -> Result<OpenedFile<InitrdFile>, Errno> {
        let file = InitrdFile::open(path)?;
        let id = exec_core::FileId { device: 1, inode: file.entry as u64, generation: 0 };
        Ok(OpenedFile { source: file, id: Some(id) })
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        crate::arch::random(buf);
        Ok(())
    }

    fn log(&mut self, _level: exec_core::LogLevel, message: &str) {
        crate::log!("exec: {}", message);
    }
}

/// The policy for this CPU: 4 KiB pages, 48-bit VA, the HWCAPs this kernel enables,
/// BTI when the CPU has it (the GP bit is then set on the pages the plan marks).
fn policy() -> Aarch64 {
    let f = crate::arch::FEATURES.get();
    Aarch64::new(Cpu { hwcap: f.hwcap, hwcap2: f.hwcap2, bti: f.bti, ..Cpu::default() })
}

/// The address space being built, as execcore drives it.
pub struct NewSpace<'a> {
    space: &'a mut Space,
    /// Initramfs entries of the program and the interpreter (for `map_file`).
    files: [Option<InitrdFile>; 2],
    mode: Mode,
    copied: u64,
    borrowed: u64,
}

fn role_index(role: Role) -> usize {
    match role {
        Role::Main => 0,
        Role::Interpreter => 1,
    }
}

impl NewSpace<'_> {
    /// The page behind `chunk` (one of a range's [`Chunks::pages`]) for the kernel to
    /// write, and where the chunk starts in it; allocated zeroed if missing, unless the
    /// chunk is the whole page. The kernel writes through its linear map, whatever the
    /// region's final protection.
    fn page_for_chunk(&mut self, chunk: Chunk) -> Result<(u64, usize), Errno> {
        let va = chunk.addr.0;
        let vma = self.space.find(va).ok_or(Errno::EFAULT)?;
        let page = page_down(va);
        let off = (va - page) as usize;
        let whole = chunk.len == PAGE as usize;
        if let Some(pte) = self.space.pt.lookup(page) {
            if pte & BORROWED == 0 {
                return Ok((pt::pte_addr(pte), off));
            }
        }
        let pa = if whole { mm::alloc_page() } else { mm::alloc_zeroed() }.ok_or(Errno::ENOMEM)?;
        if let Err(e) = self.space.pt.map(page, pa, pt::leaf_attrs(vma.prot)) {
            mm::free_page(pa);
            return Err(e);
        }
        self.copied += 1;
        Ok((pa, off))
    }
}

fn range(r: AddrRange) -> (u64, u64) {
    (r.start.0, r.end.0)
}

impl AddressSpace for NewSpace<'_> {
    fn reserve(&mut self, r: AddrRange) -> Result<(), Errno> {
        let (start, end) = range(r);
        self.space.map(Vma { start, end, prot: 0, backing: Backing::Reserved })
    }

    fn map_anonymous(&mut self, r: AddrRange, prot: Prot, _flags: MappingFlags) -> Result<(), Errno> {
        let (start, end) = range(r);
        self.space.map(Vma { start, end, prot: prot.0, backing: Backing::Anon })
    }

    /// Mapped mode: read-only file pages are the initramfs's own pages (the archive
    /// packs file data page-aligned). Writable ones are refused with ENOSYS, which makes
    /// execcore copy them — private pages are never shared.
    fn map_file(
        &mut self,
        r: AddrRange,
        role: Role,
        offset: FileOffset,
        prot: Prot,
        _f: MappingFlags,
    ) -> Result<(), Errno> {
        let file = self.files[role_index(role)].ok_or(Errno::EINVAL)?;
        let data_pa = mm::v2p(file.data.as_ptr() as u64) + offset.0;
        if self.mode != Mode::Mapped || prot.0 & W != 0 || !data_pa.is_multiple_of(PAGE) {
            return Err(Errno::ENOSYS);
        }
        let (start, end) = range(r);
        if offset.0 + (end - start) > file.data.len() as u64 {
            return Err(Errno::ENOSYS);
        }
        self.space.map(Vma {
            start,
            end,
            prot: prot.0,
            backing: Backing::File { entry: file.entry, offset: offset.0 },
        })?;
        let attrs = pt::leaf_attrs(prot.0) | BORROWED;
        for page in Chunks::pages(r.start, r.len(), PageSize::K4).ok_or(Errno::EFAULT)? {
            self.space.pt.map(page.addr.0, data_pa + page.at, attrs)?;
            self.borrowed += 1;
        }
        Ok(())
    }

    /// Lazy mode: only the region is recorded; aborts fill its pages from `resolve_fault`.
    fn map_lazy(&mut self, r: AddrRange, prot: Prot, _flags: MappingFlags) -> Result<(), Errno> {
        let (start, end) = range(r);
        self.space.map(Vma { start, end, prot: prot.0, backing: Backing::Image })
    }

    fn write(&mut self, addr: UserAddr, bytes: &[u8]) -> Result<(), Errno> {
        for chunk in Chunks::pages(addr, bytes.len() as u64, PageSize::K4).ok_or(Errno::EFAULT)? {
            let (pa, off) = self.page_for_chunk(chunk)?;
            let from = &bytes[chunk.at as usize..][..chunk.len];
            mm::page_bytes(pa)[off..off + chunk.len].copy_from_slice(from);
        }
        Ok(())
    }

    /// Straight from the file into the new pages: one `read_at` per destination page.
    fn copy_from_file<S: ReadAt + ?Sized>(&mut self, copy: FileCopy<'_, S>) -> Result<(), ExecError> {
        for chunk in copy.pages(PageSize::K4)? {
            // A whole page is overwritten (or the read fails and the load is undone).
            let (pa, off) = self
                .page_for_chunk(chunk)
                .map_err(|errno| ExecError::AddressSpace { op: exec_core::SpaceOp::Write, errno })?;
            copy.read(chunk, &mut mm::page_bytes(pa)[off..off + chunk.len])?;
        }
        Ok(())
    }

    fn protect(&mut self, r: AddrRange, prot: Prot, _flags: MappingFlags) -> Result<(), Errno> {
        let (start, end) = range(r);
        self.space.protect(start, end, prot.0)
    }

    fn unmap(&mut self, r: AddrRange) -> Result<(), Errno> {
        let (start, end) = range(r);
        self.space.remove(start, end)
    }

    fn sync_icache(&mut self, _r: AddrRange) -> Result<(), Errno> {
        crate::arch::sync_icache();
        Ok(())
    }

    fn find_free_range(&mut self, len: u64, align: u64) -> Result<UserAddr, Errno> {
        self.space.free_range(len, align, 1 << 47).map(UserAddr).ok_or(Errno::ENOMEM)
    }
}

/// argv/envp copied out of user memory: bytes and (start, len) spans.
struct Strings {
    bytes: [u8; ARG_BYTES],
    used: usize,
    spans: [(u32, u32); MAX_STRINGS],
    count: usize,
}

/// Room for more than Linux's limit (a quarter of the 8 MiB stack limit): execcore decides E2BIG.
const ARG_BYTES: usize = 3 << 20;
const MAX_STRINGS: usize = 16384;

static STRINGS: Global<Strings> =
    Global::new(Strings { bytes: [0; ARG_BYTES], used: 0, spans: [(0, 0); MAX_STRINGS], count: 0 });

/// A list inside [`Strings`].
struct List {
    first: usize,
    count: usize,
}

impl StringList for List {
    fn count(&self) -> usize {
        self.count
    }
    fn get(&self, index: usize) -> Option<&[u8]> {
        let s = STRINGS.get();
        let (start, len) = *s.spans.get(self.first + index)?;
        s.bytes.get(start as usize..(start + len) as usize)
    }
}

/// Copies the NULL-terminated array of user strings at `va` (E2BIG past the limits).
fn copy_strings(va: u64) -> Result<List, Errno> {
    let s = STRINGS.get();
    let first = s.count;
    let mut n = 0;
    if va == 0 {
        return Ok(List { first, count: 0 });
    }
    loop {
        let mut ptr = [0u8; 8];
        proc::copy_from_user(va + 8 * n as u64, &mut ptr)?;
        let ptr = u64::from_le_bytes(ptr);
        if ptr == 0 {
            return Ok(List { first, count: n });
        }
        if s.count == MAX_STRINGS {
            return Err(Errno::E2BIG);
        }
        let start = s.used;
        let len = proc::read_cstr(ptr, &mut s.bytes[start..]).map_err(|e| {
            if e == Errno::ENAMETOOLONG {
                Errno::E2BIG
            } else {
                e
            }
        })?;
        s.used += len;
        s.spans[s.count] = (start as u32, len as u32);
        s.count += 1;
        n += 1;
    }
}

/// The `execve` system call of the current process.
pub fn sys_execve(frame: &mut TrapFrame, path_va: u64, argv_va: u64, envp_va: u64) -> Result<(), Errno> {
    let mut path = [0u8; proc::PATH_LEN];
    let mut n = proc::read_cstr(path_va, &mut path)?;
    if &path[..n] == b"/proc/self/exe" {
        // The running program's own file (what Linux's /proc/self/exe link names).
        let p = proc::current();
        n = p.exe_len;
        path[..n].copy_from_slice(&p.exe[..n]);
    }
    let s = STRINGS.get();
    s.used = 0;
    s.count = 0;
    let argv = copy_strings(argv_va)?;
    let envp = copy_strings(envp_va)?;
    let t = crate::proc::current_index();
    exec(t, &path[..n], &argv, &envp)?;
    // The process now runs the new image: resume it there.
    *frame = proc::slot(t).frame;
    crate::arch::set_user_table(proc::slot(t).space.as_ref().map_or(0, |s| s.pt.root));
    Ok(())
}

static PREPARED: Global<Option<Prepared<Info, InitrdFile>>> = Global::new(None);

/// Executes `path` in process slot `slot` with `argv` and `envp` (kernel memory).
/// On error the process is untouched and the errno is returned.
pub fn exec(slot: usize, path: &[u8], argv: &dyn StringList, envp: &dyn StringList) -> Result<(), Errno> {
    let t0 = crate::arch::counter();
    let reads0 = READS.load(Ordering::Relaxed);
    let file = InitrdFile::open(path)?;
    let mode = *proc::MODE.get();

    let policy = policy();
    let mut params = ExecParams::new(path);
    params.argv = argv;
    params.envp = envp;
    params.randomize = Randomize::On;
    // Planned in kernel memory (a static slot, not this stack).
    let prepared = exec_core::prepare_into(&policy, &file, &mut Host, &params, None, PREPARED.get())
        .map_err(|e| {
            crate::log!("exec {}: {}", core::str::from_utf8(path).unwrap_or("?"), e);
            e.errno()
        })?;
    let plan = &prepared.plan;
    let interp = prepared.interpreter;

    // The new address space, built while the caller's still exists.
    let mut space = Space::new()?;
    let mut ns = NewSpace { space: &mut space, files: [Some(file), interp], mode, copied: 0, borrowed: 0 };
    let load_mode = match mode {
        Mode::Eager => LoadMode::Eager,
        Mode::Mapped => LoadMode::Mapped,
        Mode::Lazy => LoadMode::Lazy,
    };
    let mut random = [0u8; 16];
    crate::arch::random(&mut random);
    let platform = (policy.platform(plan.abi), policy.base_platform(plan.abi));
    let built = exec_core::load(plan, &file, interp.as_ref(), &mut ns, load_mode)
        .and_then(|_| exec_core::write_stack(&plan.stack, &params, platform, &plan.auxv, &random, &mut ns));
    let (copied, borrowed) = (ns.copied, ns.borrowed);
    // The stack may grow down to the rlimit (8 MiB), demand-zero.
    let stack_floor = plan.stack.top.0 - (8 << 20);
    let grown = built.map_err(|e| e.errno()).and_then(|_| {
        space.map(Vma { start: stack_floor, end: plan.stack.extent.start.0, prot: 3, backing: Backing::Anon })
    });
    if let Err(e) = grown {
        crate::log!("exec {}: load failed: errno {}", core::str::from_utf8(path).unwrap_or("?"), e.0);
        space.destroy();
        return Err(e);
    }

    // ---- the point of no return: from here the old image is gone ----
    let running = proc::current_index() == slot;
    let p: &mut Process = proc::slot(slot);
    let old = p.space.replace(space);
    if running {
        crate::arch::set_user_table(p.space.as_ref().map_or(0, |s| s.pt.root));
    }
    if let Some(old) = old {
        old.destroy();
    }
    p.plan = Some(plan.clone());
    p.files = [Some(file.entry), interp.map(|i| i.entry)];
    p.brk_start = plan.brk.0;
    p.brk = plan.brk.0;
    p.mmap_top = plan.mmap.base.0;
    let n = path.len().min(proc::PATH_LEN);
    p.exe = [0; proc::PATH_LEN];
    p.exe[..n].copy_from_slice(&path[..n]);
    p.exe_len = n;
    // What exec resets (Linux: flush_old_exec, setup_new_exec, start_thread).
    for fd in p.fds.iter_mut() {
        if matches!(fd, Some(f) if f.cloexec) {
            if let Some(f) = fd.take() {
                fs::close(f.file);
            }
        }
    }
    proc::wake_all();
    let p: &mut Process = proc::slot(slot);
    for h in p.handlers.iter_mut() {
        if *h > 1 {
            *h = 0; // caught signals back to default; ignored ones stay ignored
        }
    }
    p.clear_child_tid = 0;
    p.frame = TrapFrame::ZERO; // TLS register, FP/SIMD state, every register cleared
    p.frame.pc = plan.registers.pc.0;
    p.frame.sp = plan.registers.sp.0;
    for (reg, value) in plan.registers.regs.iter().flatten() {
        if let Some(x) = p.frame.x.get_mut(usize::from(*reg)) {
            *x = *value;
        }
    }
    crate::log!(
        "exec {}: entry {:#x} sp {:#x} brk {:#x}",
        core::str::from_utf8(path).unwrap_or("?"),
        p.frame.pc,
        p.frame.sp,
        p.brk
    );
    let file_pages = |f: Option<InitrdFile>| f.map_or(0, |f| page_up(f.data.len() as u64) / PAGE);
    p.stats = proc::Stats {
        file_pages: file_pages(Some(file)) + file_pages(interp),
        image_faults: 0,
        reads_at_exec: READS.load(Ordering::Relaxed) - reads0,
        fault_reads: 0,
        pages_copied: copied,
        pages_borrowed: borrowed,
        exec_ticks: crate::arch::counter() - t0,
    };
    Ok(())
}
