//! Processes: address spaces (translation tables plus a list of regions), demand
//! paging, the process table, a round-robin scheduler, fork, exit and wait, and the
//! boot-time batch of programs.

use crate::fs::{self, Fd};
use crate::mm::{self, PAGE};
use crate::pt::{self, page_down, PageTable, BORROWED, COW, R, W, X};
use crate::trap::TrapFrame;
use crate::{log, Global};
use arch_aarch64::Info;
use elf_stream::Errno;
use exec_core::{Chunk, Chunks, ExecPlan, PageSize, Role, UserAddr};

/// Kinds of access that fault.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Access {
    Read,
    Write,
    Exec,
}

pub const SIGILL: i32 = 4;
pub const SIGTRAP: i32 = 5;
pub const SIGBUS: i32 = 7;
pub const SIGSEGV: i32 = 11;

/// What backs the pages of a region that are not yet present.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Backing {
    /// Reserved by the loader: no access, nothing to fill.
    Reserved,
    /// Zero-filled on first touch.
    Anon,
    /// A lazily loaded image: `resolve_fault` on the process's plan says what each page holds.
    Image,
    /// A file mapping (`mmap` of a descriptor, or `map_file`): initramfs entry and the
    /// file offset of the region's start.
    File { entry: usize, offset: u64 },
}

/// A region of a process's address space.
#[derive(Clone, Copy, Debug)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    pub prot: u32,
    pub backing: Backing,
}

impl Vma {
    /// The part of `self` in `[s, e)`.
    fn slice(&self, s: u64, e: u64) -> Vma {
        let s = s.max(self.start);
        let e = e.min(self.end);
        let backing = match self.backing {
            Backing::File { entry, offset } => Backing::File { entry, offset: offset + (s - self.start) },
            b => b,
        };
        Vma { start: s, end: e, prot: self.prot, backing }
    }
}

const MAX_VMAS: usize = 96;

/// An address space: translation tables and regions.
pub struct Space {
    pub pt: PageTable,
    pub vmas: [Option<Vma>; MAX_VMAS],
}

impl Space {
    /// An empty address space.
    pub fn new() -> Result<Space, Errno> {
        Ok(Space { pt: PageTable::new().ok_or(Errno::ENOMEM)?, vmas: [None; MAX_VMAS] })
    }

    /// The region holding `va`.
    pub fn find(&self, va: u64) -> Option<Vma> {
        self.vmas.iter().flatten().find(|v| v.start <= va && va < v.end).copied()
    }

    fn insert(&mut self, v: Vma) -> Result<(), Errno> {
        if v.start >= v.end {
            return Ok(());
        }
        let slot = self.vmas.iter_mut().find(|s| s.is_none()).ok_or(Errno::ENOMEM)?;
        *slot = Some(v);
        Ok(())
    }

    /// Removes every region and page in `[s, e)`.
    pub fn remove(&mut self, s: u64, e: u64) -> Result<(), Errno> {
        self.split_at(s)?;
        self.split_at(e)?;
        for slot in self.vmas.iter_mut() {
            if matches!(slot, Some(v) if v.start >= s && v.end <= e) {
                *slot = None;
            }
        }
        self.pt.unmap_range(s, e);
        Ok(())
    }

    /// Splits the region containing `at` (if any) in two at `at`.
    fn split_at(&mut self, at: u64) -> Result<(), Errno> {
        let Some(i) = self.vmas.iter().position(|v| matches!(v, Some(v) if v.start < at && at < v.end))
        else {
            return Ok(());
        };
        let v = self.vmas[i].ok_or(Errno::EINVAL)?;
        self.vmas[i] = Some(v.slice(v.start, at));
        self.insert(v.slice(at, v.end))
    }

    /// Maps a new region over whatever was there.
    pub fn map(&mut self, v: Vma) -> Result<(), Errno> {
        self.remove(v.start, v.end)?;
        self.insert(v)
    }

    /// Changes the protection of `[s, e)` (every page must be in a region: ENOMEM).
    pub fn protect(&mut self, s: u64, e: u64, prot: u32) -> Result<(), Errno> {
        let mut va = s;
        while va < e {
            let v = self.find(va).ok_or(Errno::ENOMEM)?;
            va = v.end;
        }
        self.split_at(s)?;
        self.split_at(e)?;
        for v in self.vmas.iter_mut().flatten() {
            if v.start >= s && v.end <= e {
                v.prot = prot;
            }
        }
        let mut err = Ok(());
        self.pt.for_each(s, e, &mut |_, pte| {
            let mut pa = pt::pte_addr(*pte);
            let mut borrowed = *pte & BORROWED;
            if *pte & COW != 0 {
                // Still shared after fork: stays read-only until written.
                *pte = pt::cow_attrs(pa | pt::leaf_attrs(prot));
                return;
            }
            if borrowed != 0 && prot & W != 0 {
                // A page of the initramfs becomes writable: the process gets its own copy.
                match mm::alloc_page() {
                    Some(p) => {
                        mm::page_bytes(p).copy_from_slice(mm::page_bytes(pa));
                        pa = p;
                        borrowed = 0;
                    }
                    None => err = Err(Errno::ENOMEM),
                }
            }
            *pte = pa | pt::leaf_attrs(prot) | borrowed;
        });
        crate::arch::flush_tlb();
        if prot & X != 0 {
            crate::arch::sync_icache();
        }
        err
    }

    /// A free range of `len` bytes aligned to `align`, searching down from `top`.
    pub fn free_range(&self, len: u64, align: u64, top: u64) -> Option<u64> {
        let mut cand = top.checked_sub(len)? & !(align - 1);
        loop {
            if cand < 0x10000 {
                return None;
            }
            match self.vmas.iter().flatten().find(|v| v.start < cand + len && cand < v.end) {
                None => return Some(cand),
                Some(v) => cand = v.start.checked_sub(len)? & !(align - 1),
            }
        }
    }

    /// A copy for fork (pages shared copy-on-write).
    pub fn duplicate(&mut self) -> Result<Space, Errno> {
        Ok(Space { pt: self.pt.duplicate()?, vmas: self.vmas })
    }

    /// Frees everything.
    pub fn destroy(self) {
        self.pt.destroy();
    }
}

/// A process's state.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum State {
    Free,
    Runnable,
    /// Waiting in a system call that is re-executed when woken.
    Blocked,
    /// Exited, status not yet collected.
    Zombie,
}

/// What exec measured, for BENCHMARKS.md.
#[derive(Clone, Copy, Default, Debug)]
pub struct Stats {
    /// Pages of the program and interpreter files (sum of their sizes in pages).
    pub file_pages: u64,
    /// Image pages filled by `resolve_fault` (lazy mode).
    pub image_faults: u64,
    /// `read_at` calls on the program and interpreter during exec.
    pub reads_at_exec: u64,
    /// File reads by lazy faults (one per piece of a page).
    pub fault_reads: u64,
    /// Pages written by the eager or mapped load (copies).
    pub pages_copied: u64,
    /// Pages mapped from the initramfs in place (mapped mode).
    pub pages_borrowed: u64,
    /// Counter ticks spent in exec.
    pub exec_ticks: u64,
}

pub const MAX_FDS: usize = 32;
const MAX_PROCS: usize = 24;
pub const PATH_LEN: usize = 256;

/// A process.
pub struct Process {
    pub state: State,
    pub pid: i32,
    pub ppid: i32,
    pub frame: TrapFrame,
    pub space: Option<Space>,
    /// The plan of the running image (kept for `resolve_fault`).
    pub plan: Option<ExecPlan<Info>>,
    /// Initramfs entries of the program and its interpreter.
    pub files: [Option<usize>; 2],
    pub fds: [Option<Fd>; MAX_FDS],
    pub brk_start: u64,
    pub brk: u64,
    pub mmap_top: u64,
    pub exe: [u8; PATH_LEN],
    pub exe_len: usize,
    /// Wait status (Linux encoding) once a zombie.
    pub status: i32,
    pub clear_child_tid: u64,
    /// rt_sigaction handlers (recorded, never delivered): 0 default, 1 ignore, else caught.
    pub handlers: [u64; 65],
    pub sigmask: u64,
    pub stats: Stats,
}

const NO_PROC: Process = Process {
    state: State::Free,
    pid: 0,
    ppid: 0,
    frame: TrapFrame::ZERO,
    space: None,
    plan: None,
    files: [None; 2],
    fds: [None; MAX_FDS],
    brk_start: 0,
    brk: 0,
    mmap_top: 0,
    exe: [0; PATH_LEN],
    exe_len: 0,
    status: 0,
    clear_child_tid: 0,
    handlers: [0; 65],
    sigmask: 0,
    stats: Stats {
        file_pages: 0,
        image_faults: 0,
        reads_at_exec: 0,
        fault_reads: 0,
        pages_copied: 0,
        pages_borrowed: 0,
        exec_ticks: 0,
    },
};

struct Table {
    procs: [Process; MAX_PROCS],
    current: usize,
    next_pid: i32,
}

static TABLE: Global<Table> = Global::new(Table { procs: [NO_PROC; MAX_PROCS], current: 0, next_pid: 1 });

/// The running process.
pub fn current() -> &'static mut Process {
    let t = TABLE.get();
    &mut t.procs[t.current]
}

/// Process slot `i`.
pub fn slot(i: usize) -> &'static mut Process {
    &mut TABLE.get().procs[i]
}

/// A free slot with a fresh pid, or EAGAIN.
pub fn alloc() -> Result<usize, Errno> {
    let t = TABLE.get();
    let i = t.procs.iter().position(|p| p.state == State::Free).ok_or(Errno::EAGAIN)?;
    let p = &mut t.procs[i];
    *p = NO_PROC;
    p.pid = t.next_pid;
    t.next_pid += 1;
    p.state = State::Blocked;
    Ok(i)
}

/// Boot-time load mode.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    Eager,
    Mapped,
    Lazy,
}

/// The load mode chosen on the command line.
pub static MODE: Global<Mode> = Global::new(Mode::Eager);

// ---- demand paging ----

fn allowed(prot: u32, access: Access) -> bool {
    match access {
        Access::Read => prot & (R | W | X) != 0,
        Access::Write => prot & W != 0,
        Access::Exec => prot & X != 0,
    }
}

/// Makes the page holding `va` present for `access` (a fault, or the kernel touching
/// user memory), returning its physical page. `Err` when the access is not allowed.
pub fn fault_in(p: &mut Process, va: u64, access: Access) -> Result<u64, Errno> {
    let space = p.space.as_mut().ok_or(Errno::EFAULT)?;
    let vma = space.find(va).ok_or(Errno::EFAULT)?;
    if !allowed(vma.prot, access) {
        return Err(Errno::EFAULT);
    }
    let page = page_down(va);
    if let Some(pte) = space.pt.lookup(page) {
        if access == Access::Write && pte & COW != 0 {
            // Copy on write: the last sharer takes the page back, the others copy it.
            let pa = pt::pte_addr(pte);
            let mine = if mm::is_shared(pa) {
                let copy = mm::alloc_page().ok_or(Errno::ENOMEM)?;
                mm::page_bytes(copy).copy_from_slice(mm::page_bytes(pa));
                space.pt.map(page, copy, pt::leaf_attrs(vma.prot))?;
                copy
            } else {
                let e = space.pt.entry(page, false).ok_or(Errno::EFAULT)?;
                *e = pa | pt::leaf_attrs(vma.prot);
                pa
            };
            crate::arch::flush_tlb();
            return Ok(mine);
        }
        if access == Access::Write && pte & BORROWED != 0 {
            let copy = mm::alloc_page().ok_or(Errno::ENOMEM)?;
            mm::page_bytes(copy).copy_from_slice(mm::page_bytes(pt::pte_addr(pte)));
            space.pt.map(page, copy, pt::leaf_attrs(vma.prot))?;
            crate::arch::flush_tlb();
            return Ok(copy);
        }
        return Ok(pt::pte_addr(pte));
    }
    let (pa, borrowed) = fill_page(p, &vma, page)?;
    let space = p.space.as_mut().ok_or(Errno::EFAULT)?;
    let attrs = pt::leaf_attrs(vma.prot) | if borrowed { BORROWED } else { 0 };
    if let Err(e) = space.pt.map(page, pa, attrs) {
        if !borrowed {
            mm::free_page(pa);
        }
        return Err(e);
    }
    if vma.prot & X != 0 {
        crate::arch::sync_icache();
    }
    Ok(pa)
}

/// The contents of a missing page of `vma`: (physical page, borrowed from the initramfs).
fn fill_page(p: &mut Process, vma: &Vma, page: u64) -> Result<(u64, bool), Errno> {
    match vma.backing {
        Backing::Reserved => Err(Errno::EFAULT),
        Backing::Anon => Ok((mm::alloc_zeroed().ok_or(Errno::ENOMEM)?, false)),
        Backing::Image => {
            // Lazy exec: the plan says which file bytes the page holds; the rest is zero.
            let plan = p.plan.as_ref().ok_or(Errno::EFAULT)?;
            let fill = exec_core::resolve_fault(plan, UserAddr(page)).map_err(|e| e.errno())?;
            let role = match fill.role {
                Role::Main => 0,
                Role::Interpreter => 1,
            };
            let entry = p.files[role].and_then(crate::initramfs::entry).ok_or(Errno::EIO)?;
            let pa = mm::alloc_zeroed().ok_or(Errno::ENOMEM)?;
            let bytes = mm::page_bytes(pa);
            for piece in fill.pieces() {
                p.stats.fault_reads += 1;
                let at = piece.page_offset as usize;
                let len = piece.len as usize;
                let n = fs::read_file(entry, piece.file_offset.0, &mut bytes[at..at + len]);
                if n != len {
                    mm::free_page(pa);
                    return Err(Errno::EIO);
                }
            }
            p.stats.image_faults += 1;
            Ok((pa, false))
        }
        Backing::File { entry, offset } => {
            let e = crate::initramfs::entry(entry).ok_or(Errno::EIO)?;
            let off = offset + (page - vma.start);
            let data_pa = mm::v2p(e.data.as_ptr() as u64) + off;
            if vma.prot & W == 0 && data_pa.is_multiple_of(PAGE) && off + PAGE <= e.data.len() as u64 {
                // A whole read-only page of the file: use the initramfs's own page.
                return Ok((data_pa, true));
            }
            let pa = mm::alloc_zeroed().ok_or(Errno::ENOMEM)?;
            fs::read_file(e, off, mm::page_bytes(pa));
            Ok((pa, false))
        }
    }
}

/// A fault from EL0: fill the page, or kill the process with SIGSEGV.
pub fn user_fault(frame: &mut TrapFrame, far: u64, access: Access) {
    let p = current();
    match fault_in(p, far, access) {
        Ok(_) => {}
        Err(Errno::ENOMEM) => kill_current(frame, 9, "out of memory", far, 0),
        Err(_) => kill_current(frame, SIGSEGV, "segmentation fault", far, access as u64),
    }
}

/// Copies `buf.len()` bytes from user address `va` of the current process.
pub fn copy_from_user(va: u64, buf: &mut [u8]) -> Result<(), Errno> {
    let p = current();
    for chunk in user_pages(va, buf.len())? {
        buf[chunk.at as usize..][..chunk.len].copy_from_slice(user_bytes(p, chunk, Access::Read)?);
    }
    Ok(())
}

/// Copies `buf` to user address `va` of the current process.
pub fn copy_to_user(va: u64, buf: &[u8]) -> Result<(), Errno> {
    copy_to(current(), va, buf)
}

/// Copies `buf` to user address `va` of process `p`.
pub fn copy_to(p: &mut Process, va: u64, buf: &[u8]) -> Result<(), Errno> {
    for chunk in user_pages(va, buf.len())? {
        user_bytes(p, chunk, Access::Write)?.copy_from_slice(&buf[chunk.at as usize..][..chunk.len]);
    }
    Ok(())
}

/// `len` bytes at user address `va`, page by page; EFAULT if they wrap.
fn user_pages(va: u64, len: usize) -> Result<Chunks, Errno> {
    Chunks::pages(UserAddr(va), len as u64, PageSize::K4).ok_or(Errno::EFAULT)
}

/// The bytes of `chunk` in `p`'s memory, faulted in for `access` (EFAULT if not allowed).
fn user_bytes(p: &mut Process, chunk: Chunk, access: Access) -> Result<&'static mut [u8], Errno> {
    let pa = fault_in(p, chunk.addr.0, access).map_err(|_| Errno::EFAULT)?;
    let off = (chunk.addr.0 % PAGE) as usize;
    Ok(&mut mm::page_bytes(pa)[off..off + chunk.len])
}

/// Reads a NUL-terminated string from user memory into `buf` (ENAMETOOLONG if longer).
pub fn read_cstr(va: u64, buf: &mut [u8]) -> Result<usize, Errno> {
    for (i, out) in buf.iter_mut().enumerate() {
        let mut b = [0u8];
        copy_from_user(va + i as u64, &mut b)?;
        if b[0] == 0 {
            return Ok(i);
        }
        *out = b[0];
    }
    Err(Errno::ENAMETOOLONG)
}

// ---- scheduling ----

/// Makes the current process wait: its system call runs again when it is woken.
pub fn block_current(frame: &mut TrapFrame) {
    frame.pc -= 4;
    let p = current();
    p.state = State::Blocked;
    p.frame = *frame;
    schedule(frame);
}

/// Gives the CPU to the next runnable process (the current one stays runnable).
pub fn yield_current(frame: &mut TrapFrame) {
    current().frame = *frame;
    schedule(frame);
}

/// Marks every blocked process runnable (they re-check their condition).
pub fn wake_all() {
    for p in TABLE.get().procs.iter_mut() {
        if p.state == State::Blocked && p.space.is_some() {
            p.state = State::Runnable;
        }
    }
}

/// Loads the next runnable process (round robin after the current one) into `frame`.
/// With nothing left alive, the batch moves to its next program.
pub fn schedule(frame: &mut TrapFrame) {
    loop {
        let t = TABLE.get();
        let n = t.procs.len();
        for k in 1..=n {
            let i = (t.current + k) % n;
            if t.procs[i].state == State::Runnable {
                t.current = i;
                *frame = t.procs[i].frame;
                crate::arch::set_user_table(t.procs[i].space.as_ref().map_or(0, |s| s.pt.root));
                return;
            }
        }
        if t.procs.iter().any(|p| p.state == State::Blocked || p.state == State::Zombie) {
            log!("deadlock: every process is blocked");
            for p in t.procs.iter() {
                if p.state != State::Free {
                    log!("  pid {} state {:?} pc {:#x}", p.pid, p.state, p.frame.pc);
                }
            }
            crate::log::exit(98);
        }
        batch_next();
    }
}

/// Ends the current process with wait status `status` and runs another.
pub fn exit_current(frame: &mut TrapFrame, status: i32) {
    let t = TABLE.get();
    let me = t.current;
    let p = &mut t.procs[me];
    if p.clear_child_tid != 0 {
        let _ = copy_to(p, p.clear_child_tid, &0u32.to_le_bytes());
    }
    crate::arch::set_user_table(0);
    release_resources(p);
    log_stats(p, status);
    let (pid, ppid) = (p.pid, p.ppid);
    // Orphans are adopted by the kernel, which reaps them itself.
    for c in t.procs.iter_mut() {
        if c.state != State::Free && c.ppid == pid {
            c.ppid = 0;
            if c.state == State::Zombie {
                c.state = State::Free;
            }
        }
    }
    let p = &mut t.procs[me];
    if ppid == 0 {
        p.state = State::Free;
        if pid == BATCH.get().first_pid {
            BATCH.get().status = status;
            // Like the init of a PID namespace: when the batch's program ends, whatever
            // it left running ends too.
            for (i, other) in t.procs.iter_mut().enumerate() {
                if i != me && other.state != State::Free {
                    log!("pid {}: killed (the batch program exited)", other.pid);
                    release_resources(other);
                    other.state = State::Free;
                }
            }
        }
    } else {
        p.state = State::Zombie;
        p.status = status;
    }
    wake_all();
    schedule(frame);
}

fn release_resources(p: &mut Process) {
    for fd in p.fds.iter_mut() {
        if let Some(f) = fd.take() {
            fs::close(f.file);
        }
    }
    if let Some(s) = p.space.take() {
        s.destroy();
    }
    p.plan = None;
}

fn log_stats(p: &Process, status: i32) {
    let s = &p.stats;
    log!(
        "exit: pid {} status {:#x} exe {} mode {:?} file_pages {} image_faults {} fault_reads {} read_at {} pages_copied {} pages_borrowed {} exec_ns {}",
        p.pid,
        status,
        core::str::from_utf8(&p.exe[..p.exe_len]).unwrap_or("?"),
        *MODE.get(),
        s.file_pages,
        s.image_faults,
        s.fault_reads,
        s.reads_at_exec,
        s.pages_copied,
        s.pages_borrowed,
        s.exec_ticks * 1_000_000_000 / crate::arch::counter_freq().max(1)
    );
}

/// Kills the current process with `sig` (a fault it cannot survive).
pub fn kill_current(frame: &mut TrapFrame, sig: i32, why: &str, addr: u64, esr: u64) {
    let p = current();
    log!(
        "pid {}: {} at {:#x} (pc {:#x}, esr {:#x}): killed by signal {}",
        p.pid,
        why,
        addr,
        frame.pc,
        esr,
        sig
    );
    exit_current(frame, sig & 0x7f);
}

/// `fork` (clone without CLONE_VM): the child gets a copy of everything.
pub fn fork(
    frame: &mut TrapFrame,
    flags: u64,
    newsp: u64,
    ptid: u64,
    tls: u64,
    ctid: u64,
) -> Result<i32, Errno> {
    const CLONE_VM: u64 = 0x100;
    const CLONE_SETTLS: u64 = 0x80000;
    const CLONE_PARENT_SETTID: u64 = 0x100000;
    const CLONE_CHILD_CLEARTID: u64 = 0x200000;
    const CLONE_CHILD_SETTID: u64 = 0x1000000;
    if flags & CLONE_VM != 0 {
        return Err(Errno::ENOSYS);
    }
    let i = alloc()?;
    let t = TABLE.get();
    let parent_idx = t.current;
    let space = match t.procs[parent_idx].space.as_mut().map(Space::duplicate) {
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            t.procs[i].state = State::Free;
            return Err(e);
        }
        None => {
            t.procs[i].state = State::Free;
            return Err(Errno::EFAULT);
        }
    };
    let parent = &t.procs[parent_idx];
    let (ppid, plan, files, fds, brk_start, brk, mmap_top, exe, exe_len, handlers, sigmask) = (
        parent.pid,
        parent.plan.clone(),
        parent.files,
        parent.fds,
        parent.brk_start,
        parent.brk,
        parent.mmap_top,
        parent.exe,
        parent.exe_len,
        parent.handlers,
        parent.sigmask,
    );
    let child = &mut t.procs[i];
    child.ppid = ppid;
    child.space = Some(space);
    child.plan = plan;
    child.files = files;
    child.fds = fds;
    for f in child.fds.iter().flatten() {
        fs::dup_ref(f.file);
    }
    child.brk_start = brk_start;
    child.brk = brk;
    child.mmap_top = mmap_top;
    child.exe = exe;
    child.exe_len = exe_len;
    child.handlers = handlers;
    child.sigmask = sigmask;
    child.frame = *frame;
    child.frame.x[0] = 0;
    if newsp != 0 {
        child.frame.sp = newsp;
    }
    if flags & CLONE_SETTLS != 0 {
        child.frame.tls = tls;
    }
    let pid = child.pid;
    if flags & CLONE_CHILD_SETTID != 0 {
        let _ = copy_to(child, ctid, &pid.to_le_bytes());
    }
    if flags & CLONE_CHILD_CLEARTID != 0 {
        child.clear_child_tid = ctid;
    }
    child.state = State::Runnable;
    if flags & CLONE_PARENT_SETTID != 0 {
        let _ = copy_to_user(ptid, &pid.to_le_bytes());
    }
    Ok(pid)
}

/// `wait4`: Some((pid, status)) of a reaped child, None if it must block.
pub fn wait(pid: i32) -> Result<Option<(i32, i32)>, Errno> {
    let t = TABLE.get();
    let me = t.procs[t.current].pid;
    let mut any = false;
    for c in t.procs.iter_mut() {
        if c.state == State::Free || c.ppid != me || (pid > 0 && c.pid != pid) {
            continue;
        }
        any = true;
        if c.state == State::Zombie {
            c.state = State::Free;
            return Ok(Some((c.pid, c.status)));
        }
    }
    if any {
        Ok(None)
    } else {
        Err(Errno(10)) // ECHILD
    }
}

// ---- the batch: the programs the kernel runs at boot ----

const MAX_ARGS: usize = 32;

struct Batch {
    lines: &'static [u8],
    at: usize,
    index: u32,
    markers: bool,
    first_pid: i32,
    status: i32,
    free_before: u64,
    running: bool,
}

impl Batch {
    /// Reports the running program's end (its exit code, the free pages before and
    /// after; framed by END with markers on) and moves on to the next line.
    fn finish(&mut self) {
        self.running = false;
        let after = mm::free_pages();
        let code = status_code(self.status);
        log!(
            "batch {}: exit code {} pages free before {} after {}",
            self.index,
            code,
            self.free_before,
            after
        );
        if self.markers {
            let mut buf = [0u8; 96];
            let n = fmt_into(
                &mut buf,
                format_args!("\x02END {} {} {} {}\x03", self.index, code, self.free_before, after),
            );
            crate::log::uart_write(&buf[..n]);
        }
        self.index += 1;
    }
}

static BATCH: Global<Batch> = Global::new(Batch {
    lines: b"",
    at: 0,
    index: 0,
    markers: false,
    first_pid: -1,
    status: 0,
    free_before: 0,
    running: false,
});

/// Reads the command line (`mode=eager|mapped|lazy`, `markers=1`), then runs the
/// programs of `/etc/batch` (one per line, arguments separated by tabs) one after the
/// other, each as the first process.
pub fn boot(cmdline: &[u8]) -> ! {
    for word in cmdline.split(|&c| c == b' ') {
        match word {
            b"mode=eager" => *MODE.get() = Mode::Eager,
            b"mode=mapped" => *MODE.get() = Mode::Mapped,
            b"mode=lazy" => *MODE.get() = Mode::Lazy,
            b"markers=1" => BATCH.get().markers = true,
            _ => {}
        }
    }
    log!("mode {:?}", *MODE.get());
    let Some(e) = crate::initramfs::lookup(b"/etc/batch").and_then(crate::initramfs::entry) else {
        log!("no /etc/batch in the initramfs");
        crate::log::exit(97);
    };
    BATCH.get().lines = e.data;
    let mut frame = TrapFrame::ZERO;
    schedule(&mut frame);
    crate::trap::enter_user(&frame)
}

fn status_code(status: i32) -> u32 {
    if status & 0x7f != 0 {
        128 + (status & 0x7f) as u32
    } else {
        ((status >> 8) & 0xff) as u32
    }
}

/// Finishes the running batch program (if any) and starts the next one; with none
/// left, ends the emulation with the last program's exit code.
fn batch_next() {
    let b = BATCH.get();
    if b.running {
        b.finish();
    }
    loop {
        let rest = &b.lines[b.at.min(b.lines.len())..];
        if rest.is_empty() {
            let code = status_code(b.status);
            log!("batch done: exit code {}", code);
            crate::log::exit(code);
        }
        let end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
        let line = &rest[..end];
        b.at += end + 1;
        if line.is_empty() {
            continue;
        }
        let mut args: [&[u8]; MAX_ARGS] = [b""; MAX_ARGS];
        let mut argc = 0;
        for a in line.split(|&c| c == b'\t') {
            if argc < MAX_ARGS {
                args[argc] = a;
                argc += 1;
            }
        }
        if b.markers {
            let mut buf = [0u8; 32];
            let n = fmt_into(&mut buf, format_args!("\x02BEGIN {}\x03", b.index));
            crate::log::uart_write(&buf[..n]);
        }
        b.free_before = mm::free_pages();
        b.running = true;
        b.status = 0;
        match spawn(&args[..argc]) {
            Ok(pid) => {
                b.first_pid = pid;
                return;
            }
            Err(e) => {
                log!("batch {}: exec failed: errno {}", b.index, e.0);
                // A shell's convention: 127 not found, 126 cannot execute.
                b.status = if e == Errno::ENOENT { 127 << 8 } else { 126 << 8 };
                b.first_pid = -1;
                // Report and go on to the next line.
                b.finish();
            }
        }
    }
}

/// The first process of a batch line: console descriptors, then exec.
fn spawn(args: &[&[u8]]) -> Result<i32, Errno> {
    let i = alloc()?;
    for fd in 0..3 {
        match fs::open_console() {
            Ok(file) => slot(i).fds[fd] = Some(Fd { file, cloexec: false }),
            Err(e) => {
                release_resources(slot(i));
                slot(i).state = State::Free;
                return Err(e);
            }
        }
    }
    // The environment the tests give qemu-user runs too (in the order qemu passes it on).
    let env: [&[u8]; 3] = [b"PATH=/usr/bin:/bin", b"LC_ALL=C", b"HOME=/root"];
    let path = args.first().copied().unwrap_or(b"");
    let result = crate::exec::exec(i, path, &args, &env);
    // Taken after exec, which uses the table itself.
    let p = slot(i);
    match result {
        Ok(()) => {
            p.state = State::Runnable;
            Ok(p.pid)
        }
        Err(e) => {
            release_resources(p);
            p.state = State::Free;
            Err(e)
        }
    }
}

/// Formats into `buf`, returning the length (truncated if too long).
pub fn fmt_into(buf: &mut [u8], args: core::fmt::Arguments) -> usize {
    struct W<'a> {
        buf: &'a mut [u8],
        n: usize,
    }
    impl core::fmt::Write for W<'_> {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let room = self.buf.len() - self.n;
            let k = s.len().min(room);
            self.buf[self.n..self.n + k].copy_from_slice(&s.as_bytes()[..k]);
            self.n += k;
            Ok(())
        }
    }
    let mut w = W { buf, n: 0 };
    let _ = core::fmt::Write::write_fmt(&mut w, args);
    w.n
}

/// The running process's slot.
pub fn current_index() -> usize {
    TABLE.get().current
}
