//! A mock C kernel: the kernel side of the C ABI (`execcore_ops`) in Rust, for the ffi
//! tests and the `c_abi` fuzz target.
//!
//! [`Kernel`] holds the files by handle, a sparse memory of what the library wrote, a log
//! of the calls, and a ledger of the reserved and mapped ranges; every callback can be made
//! to fail at a chosen call ([`Kernel::fail_at`]). [`ops`], [`mips_ops`] and [`full_ops`]
//! build the callback table over a kernel (the table holds a raw pointer to it: the kernel
//! must stay in place while the table is used, e.g. boxed or borrowed for the test).
//!
//! Failed callbacks return Linux's generic errnos: EIO from reads, ENOENT from
//! `open_interpreter`, ENOMEM from mappings, EFAULT from writes outside a mapping, EEXIST
//! from a reservation over a taken range.

use core::ffi::c_void;
use execcore_ffi::{execcore_file_id, execcore_ops, execcore_plan, EXECCORE_PLAN_WORDS};
use std::collections::BTreeMap;
use std::path::PathBuf;

const EIO: i32 = 5;
const ENOENT: i32 = 2;
const EBADF: i32 = 9;
const EAGAIN: i32 = 11;
const ENOMEM: i32 = 12;
const EFAULT: i32 = 14;
const EEXIST: i32 = 17;
const EINVAL: i32 = 22;
const EMFILE: i32 = 24;
const ENOSYS: i32 = 38;

/// Where `find_free_range` finds room.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FreeRange {
    /// Nowhere: ENOMEM.
    #[default]
    None,
    /// At this address, whatever the length.
    At(u64),
    /// Above the highest reservation (at 256 MiB if there is none), aligned.
    AboveReservations,
}

/// What `write` keeps of the bytes the library writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Writes {
    /// Every byte, in [`Kernel::memory`].
    #[default]
    Stored,
    /// Nothing: only that each write lands inside one mapping (cheap, for fuzzing).
    Checked,
}

/// The kernel side of the C ABI.
#[derive(Debug, Default)]
pub struct Kernel {
    /// The files by handle (`execcore_exec_params.file` is an index into it).
    pub files: Vec<Vec<u8>>,
    /// The directory absolute interpreter paths resolve under; the opened file is appended
    /// to [`Kernel::files`].
    pub root: PathBuf,
    /// A handle `open_interpreter` returns whatever the path (ENOENT when that file is
    /// missing or empty), instead of resolving under [`Kernel::root`].
    pub interpreter: Option<u64>,
    /// The bytes written through `write` (with [`Writes::Stored`]).
    pub memory: Memory,
    /// What `write` keeps.
    pub writes: Writes,
    /// The calls that change the address space, one line each (`map_anonymous START LEN
    /// PROT`, `protect ...`, `reserve START LEN`, `unmap START LEN`, `find_free_range LEN
    /// ALIGN`, `map_file ...`, `sync_icache ...`).
    pub calls: Vec<String>,
    /// The messages of `log`.
    pub messages: Vec<(u32, String)>,
    /// `patch_text` calls: (page, offsets).
    pub patches: Vec<(u64, Vec<u32>)>,
    /// What `exec_fd` returns: `Ok(descriptor)` or `Err(errno)`; `None`: ENOSYS.
    pub exec_fd: Option<Result<u64, i32>>,
    /// Bytes currently held through `reserve_memory`.
    pub reserved_bytes: u64,
    /// Ranges (start, end) `reserve` refuses with EEXIST besides the reserved ones.
    pub taken: Vec<(u64, u64)>,
    /// What `find_free_range` answers.
    pub free_range: FreeRange,
    /// `read_at` calls: the lengths asked.
    pub reads: Vec<usize>,
    /// Reserved ranges (start, end), until unmapped.
    pub reserved: Vec<(u64, u64)>,
    /// Mapped ranges (start, end), until unmapped.
    pub mapped: Vec<(u64, u64)>,
    /// Bytes mapped at once at most (ENOMEM beyond); `None`: no limit.
    pub budget: Option<u64>,
    /// Callback calls so far (counted for [`Kernel::fail_at`]).
    pub ncalls: usize,
    /// The callback call (1-based) that fails, if any.
    pub fail_at: Option<usize>,
}

impl Kernel {
    /// A kernel holding one program (handle 0) whose interpreter paths resolve under
    /// `root`.
    pub fn program(bytes: Vec<u8>, root: impl Into<PathBuf>) -> Kernel {
        Kernel { files: vec![bytes], root: root.into(), ..Kernel::default() }
    }

    /// Counts a callback call; true when this one is to fail.
    fn fails(&mut self) -> bool {
        self.ncalls += 1;
        self.fail_at == Some(self.ncalls)
    }

    /// Nothing reserved or mapped.
    pub fn is_empty(&self) -> bool {
        self.reserved.is_empty() && self.mapped.is_empty()
    }

    /// Bytes mapped now.
    pub fn mapped_bytes(&self) -> u64 {
        self.mapped.iter().map(|&(s, e)| e - s).sum()
    }

    /// Whether `len` bytes at `addr` lie inside one mapping.
    pub fn inside(&self, addr: u64, len: u64) -> bool {
        let end = addr.saturating_add(len);
        self.mapped.iter().any(|&(s, e)| s <= addr && end <= e)
    }

    fn map(&mut self, start: u64, len: u64) -> i32 {
        if self.fails() || self.budget.is_some_and(|b| self.mapped_bytes().saturating_add(len) > b) {
            return ENOMEM;
        }
        let Some(end) = start.checked_add(len) else { return EINVAL };
        self.mapped.push((start, end));
        0
    }

    fn file(&self, handle: u64) -> Option<&Vec<u8>> {
        self.files.get(usize::try_from(handle).ok()?)
    }
}

/// Sparse memory in 4 KiB pages (a byte map made Miri runs of whole loads take hours).
/// A byte of a page never written reads as 0, one of a page never touched as absent.
#[derive(Debug, Default)]
pub struct Memory {
    pages: BTreeMap<u64, Box<[u8; 4096]>>,
}

impl Memory {
    /// Stores `bytes` at `addr`.
    pub fn write_all(&mut self, mut addr: u64, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let at = (addr & 0xfff) as usize;
            let n = bytes.len().min(4096 - at);
            let page = self.pages.entry(addr & !0xfff).or_insert_with(|| Box::new([0; 4096]));
            page[at..at + n].copy_from_slice(&bytes[..n]);
            (addr, bytes) = (addr + n as u64, &bytes[n..]);
        }
    }

    /// The page at `addr` (4 KiB aligned), if any byte of it was written.
    pub fn page(&self, addr: u64) -> Option<&[u8; 4096]> {
        self.pages.get(&addr).map(|p| &**p)
    }

    /// The byte at `addr`, if its page was written.
    pub fn get(&self, addr: &u64) -> Option<&u8> {
        self.pages.get(&(addr & !0xfff)).map(|p| &p[(addr & 0xfff) as usize])
    }
}

impl std::ops::Index<&u64> for Memory {
    type Output = u8;
    fn index(&self, addr: &u64) -> &u8 {
        self.get(addr).unwrap_or_else(|| panic!("no memory at {addr:#x}"))
    }
}

/// The kernel behind a callback table's context.
///
/// # Safety
/// `ctx` is the `ctx` of a table built by [`ops`] (or its variants) over a kernel that is
/// still alive and not otherwise borrowed.
pub unsafe fn kernel<'a>(ctx: *mut c_void) -> &'a mut Kernel {
    // SAFETY: the caller's contract: a live, unborrowed `Kernel`.
    unsafe { &mut *ctx.cast::<Kernel>() }
}

/// `read_at`: copies from the file (EIO when failing, EBADF for an unknown handle).
///
/// # Safety
/// As the C ABI: our context, `buf` writable for `len` bytes, `out` writable.
pub unsafe extern "C" fn read_at(
    ctx: *mut c_void,
    file: u64,
    offset: u64,
    buf: *mut u8,
    len: usize,
    out: *mut usize,
) -> i32 {
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    k.reads.push(len);
    if k.fails() {
        return EIO;
    }
    let Some(data) = k.file(file) else { return EBADF };
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(data.len());
    let n = len.min(data.len() - start);
    // SAFETY: `buf` holds `len >= n` writable bytes; `out` is writable.
    unsafe {
        std::ptr::copy_nonoverlapping(data[start..].as_ptr(), buf, n);
        *out = n;
    }
    0
}

/// `open_interpreter`: [`Kernel::interpreter`], or the path under [`Kernel::root`].
///
/// # Safety
/// As the C ABI: our context, `path` readable for `len` bytes, the outputs writable.
pub unsafe extern "C" fn open_interpreter(
    ctx: *mut c_void,
    path: *const u8,
    len: usize,
    out_file: *mut u64,
    out_id: *mut execcore_file_id,
) -> i32 {
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    if k.fails() {
        return ENOENT;
    }
    let handle = match k.interpreter {
        Some(h) if k.file(h).is_some_and(|f| !f.is_empty()) => h,
        Some(_) => return ENOENT,
        None => {
            // SAFETY: `path` holds `len` readable bytes.
            let path = unsafe { std::slice::from_raw_parts(path, len) };
            let Ok(path) = std::str::from_utf8(path) else { return ENOENT };
            let Ok(bytes) = std::fs::read(k.root.join(path.trim_start_matches('/'))) else { return ENOENT };
            k.files.push(bytes);
            k.files.len() as u64 - 1
        }
    };
    // SAFETY: the out pointers are writable.
    unsafe {
        *out_file = handle;
        *out_id = execcore_file_id { device: 1, inode: 2, generation: 3 };
    }
    0
}

/// `random`: 0xa5 bytes.
///
/// # Safety
/// As the C ABI: our context, `buf` writable for `len` bytes.
pub unsafe extern "C" fn random(ctx: *mut c_void, buf: *mut u8, len: usize) -> i32 {
    // SAFETY: the library passes our context.
    if unsafe { kernel(ctx) }.fails() {
        return EIO;
    }
    // SAFETY: `buf` holds `len` writable bytes.
    unsafe { std::ptr::write_bytes(buf, 0xa5, len) };
    0
}

/// `reserve_memory`: counted in [`Kernel::reserved_bytes`] (EAGAIN when failing).
///
/// # Safety
/// Our context.
pub unsafe extern "C" fn reserve_memory(ctx: *mut c_void, bytes: u64) -> i32 {
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    if k.fails() {
        return EAGAIN;
    }
    k.reserved_bytes += bytes;
    0
}

/// `release_memory`; panics when more is released than reserved.
///
/// # Safety
/// Our context.
pub unsafe extern "C" fn release_memory(ctx: *mut c_void, bytes: u64) {
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    k.reserved_bytes = k.reserved_bytes.checked_sub(bytes).expect("released more memory than reserved");
}

/// `log`: the message must be UTF-8; kept in [`Kernel::messages`].
///
/// # Safety
/// Our context; `msg` readable for `len` bytes.
pub unsafe extern "C" fn log(ctx: *mut c_void, level: u32, msg: *const u8, len: usize) {
    // SAFETY: the message is `len` readable bytes.
    let text = unsafe { std::slice::from_raw_parts(msg, len) };
    let text = std::str::from_utf8(text).expect("log message is not UTF-8");
    // SAFETY: the library passes our context.
    unsafe { kernel(ctx) }.messages.push((level, text.to_string()));
}

/// `reserve`: refused with EEXIST over a reserved or [`Kernel::taken`] range.
///
/// # Safety
/// Our context.
pub unsafe extern "C" fn reserve(ctx: *mut c_void, start: u64, len: u64) -> i32 {
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    k.calls.push(format!("reserve {start:#x} {len:#x}"));
    if k.fails() {
        return ENOMEM;
    }
    let Some(end) = start.checked_add(len) else { return EINVAL };
    if k.reserved.iter().chain(&k.taken).any(|&(s, e)| start < e && s < end) {
        return EEXIST;
    }
    k.reserved.push((start, end));
    0
}

/// `map_anonymous` (also `map_lazy` in [`full_ops`]).
///
/// # Safety
/// Our context.
pub unsafe extern "C" fn map_anonymous(ctx: *mut c_void, start: u64, len: u64, prot: u32) -> i32 {
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    k.calls.push(format!("map_anonymous {start:#x} {len:#x} {prot:#x}"));
    k.map(start, len)
}

/// `map_file`; panics on an unknown handle.
///
/// # Safety
/// Our context.
pub unsafe extern "C" fn map_file(
    ctx: *mut c_void,
    start: u64,
    len: u64,
    file: u64,
    offset: u64,
    prot: u32,
) -> i32 {
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    assert!(k.file(file).is_some(), "map_file of an unknown handle {file}");
    k.calls.push(format!("map_file {start:#x} {len:#x} {file} {offset:#x} {prot:#x}"));
    k.map(start, len)
}

/// `write`: EFAULT outside the mappings, else kept as [`Kernel::writes`] says.
///
/// # Safety
/// Our context; `src` readable for `len` bytes.
pub unsafe extern "C" fn write(ctx: *mut c_void, addr: u64, src: *const u8, len: usize) -> i32 {
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    if k.fails() || !k.inside(addr, len as u64) {
        return EFAULT;
    }
    if k.writes == Writes::Stored {
        // SAFETY: `src` holds `len` readable bytes.
        k.memory.write_all(addr, unsafe { std::slice::from_raw_parts(src, len) });
    }
    0
}

/// `read_into`: EFAULT outside the mappings or for an unknown handle; stores nothing.
///
/// # Safety
/// Our context.
pub unsafe extern "C" fn read_into(ctx: *mut c_void, file: u64, _offset: u64, addr: u64, len: u64) -> i32 {
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    if k.fails() || !k.inside(addr, len) || k.file(file).is_none() {
        return EFAULT;
    }
    0
}

/// `protect`.
///
/// # Safety
/// Our context.
pub unsafe extern "C" fn protect(ctx: *mut c_void, start: u64, len: u64, prot: u32) -> i32 {
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    k.calls.push(format!("protect {start:#x} {len:#x} {prot:#x}"));
    if k.fails() {
        return ENOMEM;
    }
    0
}

/// `sync_icache`.
///
/// # Safety
/// Our context.
pub unsafe extern "C" fn sync_icache(ctx: *mut c_void, start: u64, len: u64) -> i32 {
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    k.calls.push(format!("sync_icache {start:#x} {len:#x}"));
    if k.fails() {
        return ENOMEM;
    }
    0
}

/// `unmap`: drops the mappings and reservations inside the range; never fails (it is the
/// undo path).
///
/// # Safety
/// Our context.
pub unsafe extern "C" fn unmap(ctx: *mut c_void, start: u64, len: u64) -> i32 {
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    k.calls.push(format!("unmap {start:#x} {len:#x}"));
    let end = start.saturating_add(len);
    k.mapped.retain(|&(s, e)| !(start <= s && e <= end));
    k.reserved.retain(|&(s, e)| !(start <= s && e <= end));
    0
}

/// `find_free_range`, as [`Kernel::free_range`] says.
///
/// # Safety
/// Our context; `out` writable.
pub unsafe extern "C" fn find_free_range(ctx: *mut c_void, len: u64, align: u64, out: *mut u64) -> i32 {
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    k.calls.push(format!("find_free_range {len:#x} {align:#x}"));
    if k.fails() {
        return ENOMEM;
    }
    let at = match k.free_range {
        FreeRange::None => None,
        FreeRange::At(a) => Some(a),
        FreeRange::AboveReservations => {
            let top = k.reserved.iter().map(|&(_, e)| e).max().unwrap_or(0x1000_0000);
            top.checked_next_multiple_of(align.max(1)).filter(|a| a.checked_add(len).is_some())
        }
    };
    let Some(at) = at else { return ENOMEM };
    // SAFETY: `out` is writable.
    unsafe { *out = at };
    0
}

/// `patch_text`: kept in [`Kernel::patches`]; panics on more than 64 or unaligned offsets.
///
/// # Safety
/// Our context; `offsets` readable for `count` entries.
pub unsafe extern "C" fn patch_text(ctx: *mut c_void, page: u64, offsets: *const u32, count: usize) -> i32 {
    // SAFETY: `offsets` holds `count` entries.
    let offsets = unsafe { std::slice::from_raw_parts(offsets, count) }.to_vec();
    assert!(count <= 64, "patch_text with {count} offsets");
    assert!(offsets.iter().all(|o| o % 4 == 0), "unaligned patch offset");
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    if k.fails() {
        return ENOMEM;
    }
    k.patches.push((page, offsets));
    0
}

/// `exec_fd`: [`Kernel::exec_fd`] (EMFILE when failing).
///
/// # Safety
/// Our context; `out` writable.
pub unsafe extern "C" fn exec_fd(ctx: *mut c_void, out: *mut u64) -> i32 {
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    if k.fails() {
        return EMFILE;
    }
    match k.exec_fd {
        Some(Ok(fd)) => {
            // SAFETY: `out` is writable.
            unsafe { *out = fd };
            0
        }
        Some(Err(e)) => e,
        None => ENOSYS,
    }
}

/// `file_size` over the kernel's files.
///
/// # Safety
/// Our context; `out` writable.
pub unsafe extern "C" fn file_size(ctx: *mut c_void, file: u64, out: *mut u64) -> i32 {
    // SAFETY: the library passes our context.
    let k = unsafe { kernel(ctx) };
    let Some(data) = k.file(file) else { return EBADF };
    // SAFETY: `out` is writable.
    unsafe { *out = data.len() as u64 };
    0
}

/// The table of a kernel with only the required callbacks (and `reserve`): no
/// `map_file`, `read_into` or `map_lazy` (loads copy through `write`), no memory
/// accounting, no `log`.
pub fn ops(k: &mut Kernel) -> execcore_ops {
    execcore_ops {
        ctx: (k as *mut Kernel).cast(),
        read_at: Some(read_at),
        open_interpreter: Some(open_interpreter),
        random: Some(random),
        reserve_memory: None,
        release_memory: None,
        log: None,
        reserve: Some(reserve),
        map_anonymous: Some(map_anonymous),
        map_file: None,
        map_lazy: None,
        write: Some(write),
        read_into: None,
        protect: Some(protect),
        unmap: Some(unmap),
        sync_icache: None,
        find_free_range: None,
        patch_text: None,
        exec_fd: None,
        file_size: None,
        bounce_buffer: std::ptr::null_mut(),
        bounce_size: 0,
    }
}

/// [`ops`] with every optional callback a MIPS kernel offers: `patch_text`, `exec_fd`,
/// memory reservation, `find_free_range`.
pub fn mips_ops(k: &mut Kernel) -> execcore_ops {
    execcore_ops {
        patch_text: Some(patch_text),
        exec_fd: Some(exec_fd),
        reserve_memory: Some(reserve_memory),
        release_memory: Some(release_memory),
        find_free_range: Some(find_free_range),
        ..ops(k)
    }
}

/// Every callback but `file_size` (a kernel that cannot tell a file's size): `map_lazy`
/// maps anonymous memory.
pub fn full_ops(k: &mut Kernel) -> execcore_ops {
    execcore_ops {
        log: Some(log),
        map_file: Some(map_file),
        map_lazy: Some(map_anonymous),
        read_into: Some(read_into),
        sync_icache: Some(sync_icache),
        ..mips_ops(k)
    }
}

/// Zeroed plan storage, on the heap (it is large for a test's stack).
pub fn new_plan() -> Box<execcore_plan> {
    Box::new(execcore_plan { opaque: [0; EXECCORE_PLAN_WORDS] })
}
