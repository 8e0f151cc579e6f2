//! The kernel side of the C ABI tests: files by handle, a sparse memory, a call log,
//! and the callback table over them.
// The test kernel's blocks dereference its own context pointer and the buffers the
// library hands its callbacks, as the C ABI promises; one comment here, not one per block.
#![allow(clippy::undocumented_unsafe_blocks)]
#![allow(dead_code)]

use core::ffi::c_void;
pub use exec_core::{ArchCode, ErrorCode, ExecCode};
use execcore_ffi::*;
use std::collections::BTreeMap;

/// The kernel side: files by handle, a sparse memory, a call log.
#[derive(Default)]
pub struct Kernel {
    pub files: Vec<Vec<u8>>,
    pub root: std::path::PathBuf,
    pub memory: Memory,
    pub calls: Vec<String>,
    /// `patch_text` calls: (page, offsets).
    pub patches: Vec<(u64, Vec<u32>)>,
    /// What `exec_fd` returns: Ok(descriptor) or Err(errno).
    pub exec_fd: Option<Result<u64, i32>>,
    /// Bytes currently reserved through `reserve_memory`.
    pub reserved_bytes: u64,
    /// Ranges (start, end) `reserve_checked` refuses with EEXIST.
    pub taken: Vec<(u64, u64)>,
    /// What `find_free_range` answers (None: ENOMEM).
    pub free_at: Option<u64>,
    /// `read_at` calls and the lengths asked.
    pub reads: Vec<usize>,
}

/// Sparse memory in 4 KiB pages (a byte map made Miri runs of whole loads take hours).
/// A byte of a page never written reads as 0, one of a page never touched as absent.
#[derive(Default)]
pub struct Memory {
    pages: BTreeMap<u64, Box<[u8; 4096]>>,
}

impl Memory {
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

pub unsafe fn kernel<'a>(ctx: *mut c_void) -> &'a mut Kernel {
    unsafe { &mut *ctx.cast::<Kernel>() }
}

pub unsafe extern "C" fn read_at(
    ctx: *mut c_void,
    file: u64,
    offset: u64,
    buf: *mut u8,
    len: usize,
    out: *mut usize,
) -> i32 {
    let k = unsafe { kernel(ctx) };
    k.reads.push(len);
    let Some(data) = k.files.get(file as usize) else { return 9 };
    let start = (offset as usize).min(data.len());
    let n = len.min(data.len() - start);
    unsafe {
        std::ptr::copy_nonoverlapping(data[start..].as_ptr(), buf, n);
        *out = n;
    }
    0
}

pub unsafe extern "C" fn open_interp(
    ctx: *mut c_void,
    path: *const u8,
    len: usize,
    out_file: *mut u64,
    out_id: *mut execcore_file_id,
) -> i32 {
    let k = unsafe { kernel(ctx) };
    let p = std::str::from_utf8(unsafe { std::slice::from_raw_parts(path, len) }).unwrap();
    let Ok(bytes) = std::fs::read(k.root.join(p.trim_start_matches('/'))) else { return 2 };
    k.files.push(bytes);
    unsafe {
        *out_file = (k.files.len() - 1) as u64;
        *out_id = execcore_file_id { device: 1, inode: 2, generation: 3 };
    }
    0
}

pub unsafe extern "C" fn random(_ctx: *mut c_void, buf: *mut u8, len: usize) -> i32 {
    unsafe { std::ptr::write_bytes(buf, 0xa5, len) };
    0
}

pub unsafe extern "C" fn map_anonymous(ctx: *mut c_void, start: u64, len: u64, prot: u32) -> i32 {
    unsafe { kernel(ctx) }.calls.push(format!("map_anonymous {start:#x} {len:#x} {prot:#x}"));
    0
}

pub unsafe extern "C" fn write(ctx: *mut c_void, addr: u64, src: *const u8, len: usize) -> i32 {
    let k = unsafe { kernel(ctx) };
    k.memory.write_all(addr, unsafe { std::slice::from_raw_parts(src, len) });
    0
}

pub unsafe extern "C" fn log_call(ctx: *mut c_void, start: u64, len: u64) -> i32 {
    unsafe { kernel(ctx) }.calls.push(format!("range {start:#x} {len:#x}"));
    0
}

pub unsafe extern "C" fn protect(ctx: *mut c_void, start: u64, len: u64, prot: u32) -> i32 {
    unsafe { kernel(ctx) }.calls.push(format!("protect {start:#x} {len:#x} {prot:#x}"));
    0
}

pub fn ops(k: &mut Kernel) -> execcore_ops {
    execcore_ops {
        ctx: (k as *mut Kernel).cast(),
        read_at: Some(read_at),
        open_interpreter: Some(open_interp),
        random: Some(random),
        reserve_memory: None,
        release_memory: None,
        log: None,
        reserve: Some(log_call),
        map_anonymous: Some(map_anonymous),
        map_file: None,
        map_lazy: None,
        write: Some(write),
        read_into: None,
        protect: Some(protect),
        unmap: Some(log_call),
        sync_icache: None,
        find_free_range: None,
        patch_text: None,
        exec_fd: None,
        file_size: None,
        bounce_buffer: std::ptr::null_mut(),
        bounce_size: 0,
    }
}

/// `file_size` over the kernel's files.
pub unsafe extern "C" fn file_size(ctx: *mut c_void, file: u64, out: *mut u64) -> i32 {
    let k = unsafe { kernel(ctx) };
    let Some(data) = k.files.get(file as usize) else { return 9 };
    unsafe { *out = data.len() as u64 };
    0
}

/// The status of a file error.
pub fn elf_status(c: elf_stream::ErrorCode) -> execcore_status {
    status_of_code(ErrorCode::Elf(c))
}

/// The status of an exec error.
pub fn exec_status(c: ExecCode) -> execcore_status {
    status_of_code(ErrorCode::Exec(c))
}

/// The status of an architecture rejection.
pub fn arch_status(c: ArchCode) -> execcore_status {
    status_of_code(ErrorCode::Arch(c))
}

pub unsafe extern "C" fn patch_text(ctx: *mut c_void, page: u64, offsets: *const u32, count: usize) -> i32 {
    let offsets = unsafe { std::slice::from_raw_parts(offsets, count) }.to_vec();
    unsafe { kernel(ctx) }.patches.push((page, offsets));
    0
}

pub unsafe extern "C" fn exec_fd(ctx: *mut c_void, out_fd: *mut u64) -> i32 {
    match unsafe { kernel(ctx) }.exec_fd {
        Some(Ok(fd)) => {
            unsafe { *out_fd = fd };
            0
        }
        Some(Err(e)) => e,
        None => 38,
    }
}

pub unsafe extern "C" fn reserve_memory(ctx: *mut c_void, bytes: u64) -> i32 {
    unsafe { kernel(ctx) }.reserved_bytes += bytes;
    0
}

pub unsafe extern "C" fn release_memory(ctx: *mut c_void, bytes: u64) {
    unsafe { kernel(ctx) }.reserved_bytes -= bytes;
}

/// `reserve` that refuses the `taken` ranges with EEXIST.
pub unsafe extern "C" fn reserve_checked(ctx: *mut c_void, start: u64, len: u64) -> i32 {
    let k = unsafe { kernel(ctx) };
    k.calls.push(format!("reserve {start:#x} {len:#x}"));
    if k.taken.iter().any(|&(s, e)| start < e && s < start + len) {
        return 17;
    }
    0
}

pub unsafe extern "C" fn find_free_range(ctx: *mut c_void, len: u64, align: u64, out: *mut u64) -> i32 {
    let k = unsafe { kernel(ctx) };
    k.calls.push(format!("find_free_range {len:#x} {align:#x}"));
    match k.free_at {
        Some(a) => {
            unsafe { *out = a };
            0
        }
        None => 12,
    }
}

/// [`ops`] with every optional callback a MIPS kernel offers: `patch_text`, `exec_fd`,
/// memory reservation.
pub fn mips_ops(k: &mut Kernel) -> execcore_ops {
    execcore_ops {
        patch_text: Some(patch_text),
        exec_fd: Some(exec_fd),
        reserve_memory: Some(reserve_memory),
        release_memory: Some(release_memory),
        reserve: Some(reserve_checked),
        find_free_range: Some(find_free_range),
        ..ops(k)
    }
}

pub fn x86_cpu() -> execcore_cpu {
    execcore_cpu { arch: EXECCORE_ARCH_X86_64, ..Default::default() }
}

pub struct Args {
    argv: Vec<std::ffi::CString>,
    ptrs: Vec<*const u8>,
    execfn: Vec<u8>,
}

impl Args {
    pub fn new(argv: &[&str], execfn: &str) -> Args {
        let argv: Vec<_> = argv.iter().map(|s| std::ffi::CString::new(*s).unwrap()).collect();
        let ptrs = argv.iter().map(|s| s.as_ptr().cast()).collect();
        Args { argv, ptrs, execfn: execfn.as_bytes().to_vec() }
    }

    pub fn params(&self) -> execcore_exec_params {
        execcore_exec_params {
            argv: self.ptrs.as_ptr(),
            argc: self.argv.len(),
            envp: std::ptr::null(),
            envc: 0,
            execfn: self.execfn.as_ptr(),
            execfn_len: self.execfn.len(),
            file: 0,
            stack_rlimit: 8 << 20,
            flags: 0,
            profile: EXECCORE_PROFILE_LINUX,
            uid: 0,
            euid: 0,
            gid: 0,
            egid: 0,
            at_flags: 0,
            clock_ticks: 0,
            sysinfo_ehdr: 0,
            rseq_feature_size: 0,
            rseq_align: 0,
            execfd_plus_one: 0,
            window_start: 0,
            window_end: 0,
            mmap_min_addr: 0,
            linux_version: EXECCORE_LINUX_NEWEST,
            personality: 0,
            argc_counted: 0,
            reserved: [0; 2],
        }
    }
}

pub fn new_plan() -> Box<execcore_plan> {
    Box::new(execcore_plan { opaque: [0; EXECCORE_PLAN_WORDS] })
}
