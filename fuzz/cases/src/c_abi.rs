//! The C entry points with fuzzed arguments: CPU description, exec parameters, load mode,
//! NULL pointers, small output capacities, fault addresses, text to scan, elfmap tables,
//! and callbacks that fail at a fuzzed call. The kernel side is Rust over `extern "C"`
//! callbacks, keeping a ledger of what is reserved and mapped.
//!
//! Invariants checked: every status has a string and an errno; a failed `execcore_prepare`
//! leaves no memory reserved; a failed `execcore_load` or `execcore_elfmap` leaves nothing
//! reserved or mapped; plan queries never write past the capacity given.

use crate::sections;
use arbitrary::{Arbitrary, Unstructured};
use core::ffi::c_void;
use execcore_ffi::*;
use std::ffi::CString;

#[derive(Arbitrary, Debug)]
struct Input {
    /// 0 x86_64, 1 aarch64, 2-3 MIPS, 4 riscv64, 5 an arbitrary value.
    arch: u8,
    cpu_flags: u32,
    page_shift: u8,
    va_bits: u8,
    os: u8,
    mips_model: u8,
    stack_top: u64,
    exec_flags: u8,
    stack_rlimit: u64,
    window: Option<(u64, u64)>,
    mmap_min_addr: u16,
    argv: Vec<Vec<u8>>,
    envp: Vec<Vec<u8>>,
    execfn: Vec<u8>,
    mode: u8,
    /// Which callback call (1-based) fails, if any.
    fail_at: Option<u16>,
    /// Which pointer argument is NULL, if any.
    null_arg: u8,
    cap: u8,
    faults: Vec<u64>,
    text: Vec<u8>,
    elfmap: Option<(Vec<u8>, u8, u8, u8)>,
}

/// Bytes of memory the fuzzed kernel lets a plan map at once.
const MEMORY_BUDGET: u64 = 64 << 20;

#[derive(Default)]
struct Kernel {
    files: Vec<Vec<u8>>,
    reserved: Vec<(u64, u64)>,
    mapped: Vec<(u64, u64)>,
    mapped_bytes: u64,
    reserved_memory: u64,
    calls: usize,
    fail_at: Option<usize>,
}

impl Kernel {
    /// Counts a callback call; true when this one is to fail.
    fn fails(&mut self) -> bool {
        self.calls += 1;
        self.fail_at == Some(self.calls)
    }

    fn is_empty(&self) -> bool {
        self.reserved.is_empty() && self.mapped.is_empty()
    }

    fn map(&mut self, start: u64, len: u64) -> i32 {
        if self.fails() || self.mapped_bytes.saturating_add(len) > MEMORY_BUDGET {
            return 12;
        }
        let Some(end) = start.checked_add(len) else { return 22 };
        self.mapped.push((start, end));
        self.mapped_bytes += len;
        0
    }

    fn inside(&self, addr: u64, len: u64) -> bool {
        let end = addr.saturating_add(len);
        self.mapped.iter().any(|&(s, e)| s <= addr && end <= e)
    }
}

unsafe fn kernel<'a>(ctx: *mut c_void) -> &'a mut Kernel {
    // SAFETY: every ops table below carries a live `Kernel` as its context.
    unsafe { &mut *ctx.cast::<Kernel>() }
}

unsafe extern "C" fn read_at(
    ctx: *mut c_void,
    file: u64,
    offset: u64,
    buf: *mut u8,
    len: usize,
    out: *mut usize,
) -> i32 {
    // SAFETY: the library passes our context and a writable buffer of `len` bytes.
    let k = unsafe { kernel(ctx) };
    if k.fails() {
        return 5;
    }
    let Some(data) = k.files.get(file as usize) else { return 9 };
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(data.len());
    let n = len.min(data.len() - start);
    // SAFETY: `buf` holds `len >= n` writable bytes; `out` is writable.
    unsafe {
        std::ptr::copy_nonoverlapping(data[start..].as_ptr(), buf, n);
        *out = n;
    }
    0
}

unsafe extern "C" fn open_interpreter(
    ctx: *mut c_void,
    _path: *const u8,
    _len: usize,
    out_file: *mut u64,
    out_id: *mut execcore_file_id,
) -> i32 {
    // SAFETY: our context; the out pointers are writable.
    let k = unsafe { kernel(ctx) };
    if k.fails() || k.files.get(1).is_none_or(Vec::is_empty) {
        return 2;
    }
    unsafe {
        *out_file = 1;
        *out_id = execcore_file_id { device: 1, inode: 2, generation: 3 };
    }
    0
}

unsafe extern "C" fn random(ctx: *mut c_void, buf: *mut u8, len: usize) -> i32 {
    // SAFETY: our context; `buf` holds `len` writable bytes.
    if unsafe { kernel(ctx) }.fails() {
        return 5;
    }
    unsafe { std::ptr::write_bytes(buf, 0xa5, len) };
    0
}

unsafe extern "C" fn reserve_memory(ctx: *mut c_void, bytes: u64) -> i32 {
    // SAFETY: our context.
    let k = unsafe { kernel(ctx) };
    if k.fails() {
        return 11;
    }
    k.reserved_memory += bytes;
    0
}

unsafe extern "C" fn release_memory(ctx: *mut c_void, bytes: u64) {
    // SAFETY: our context.
    let k = unsafe { kernel(ctx) };
    k.reserved_memory = k.reserved_memory.checked_sub(bytes).expect("released more memory than reserved");
}

unsafe extern "C" fn log(_ctx: *mut c_void, _level: u32, msg: *const u8, len: usize) {
    // SAFETY: the message is `len` readable bytes.
    let text = unsafe { std::slice::from_raw_parts(msg, len) };
    assert!(std::str::from_utf8(text).is_ok(), "log message is not UTF-8");
}

unsafe extern "C" fn reserve(ctx: *mut c_void, start: u64, len: u64) -> i32 {
    // SAFETY: our context.
    let k = unsafe { kernel(ctx) };
    if k.fails() {
        return 12;
    }
    let Some(end) = start.checked_add(len) else { return 22 };
    if k.reserved.iter().any(|&(s, e)| start < e && s < end) {
        return 17;
    }
    k.reserved.push((start, end));
    0
}

unsafe extern "C" fn map_anonymous(ctx: *mut c_void, start: u64, len: u64, _prot: u32) -> i32 {
    // SAFETY: our context.
    unsafe { kernel(ctx) }.map(start, len)
}

unsafe extern "C" fn map_file(
    ctx: *mut c_void,
    start: u64,
    len: u64,
    file: u64,
    _off: u64,
    _prot: u32,
) -> i32 {
    // SAFETY: our context.
    let k = unsafe { kernel(ctx) };
    assert!(file < k.files.len() as u64, "map_file of an unknown handle {file}");
    k.map(start, len)
}

unsafe extern "C" fn write(ctx: *mut c_void, addr: u64, _src: *const u8, len: usize) -> i32 {
    // SAFETY: our context.
    let k = unsafe { kernel(ctx) };
    if k.fails() || !k.inside(addr, len as u64) {
        return 14;
    }
    0
}

unsafe extern "C" fn read_into(ctx: *mut c_void, file: u64, _offset: u64, addr: u64, len: u64) -> i32 {
    // SAFETY: our context.
    let k = unsafe { kernel(ctx) };
    if k.fails() || !k.inside(addr, len) || file >= k.files.len() as u64 {
        return 14;
    }
    0
}

unsafe extern "C" fn protect(ctx: *mut c_void, _start: u64, _len: u64, _prot: u32) -> i32 {
    // SAFETY: our context.
    if unsafe { kernel(ctx) }.fails() {
        return 12;
    }
    0
}

unsafe extern "C" fn unmap(ctx: *mut c_void, start: u64, len: u64) -> i32 {
    // SAFETY: our context. Unmapping never fails: it is the undo path.
    let k = unsafe { kernel(ctx) };
    let end = start.saturating_add(len);
    let before: u64 = k.mapped.iter().map(|&(s, e)| e - s).sum();
    k.mapped.retain(|&(s, e)| !(start <= s && e <= end));
    k.reserved.retain(|&(s, e)| !(start <= s && e <= end));
    let after: u64 = k.mapped.iter().map(|&(s, e)| e - s).sum();
    k.mapped_bytes -= before - after;
    0
}

unsafe extern "C" fn find_free_range(ctx: *mut c_void, len: u64, align: u64, out: *mut u64) -> i32 {
    // SAFETY: our context; `out` writable.
    let k = unsafe { kernel(ctx) };
    if k.fails() {
        return 12;
    }
    let top = k.reserved.iter().map(|&(_, e)| e).max().unwrap_or(0x1000_0000);
    let Some(at) = top.checked_next_multiple_of(align.max(1)).filter(|a| a.checked_add(len).is_some()) else {
        return 12;
    };
    unsafe { *out = at };
    0
}

unsafe extern "C" fn patch_text(ctx: *mut c_void, _page: u64, offsets: *const u32, count: usize) -> i32 {
    // SAFETY: our context; `offsets` holds `count` entries.
    let k = unsafe { kernel(ctx) };
    let offsets = unsafe { std::slice::from_raw_parts(offsets, count) };
    assert!(count <= 64, "patch_text with {count} offsets");
    assert!(offsets.iter().all(|o| o % 4 == 0), "unaligned patch offset");
    if k.fails() {
        return 12;
    }
    0
}

unsafe extern "C" fn exec_fd(ctx: *mut c_void, out: *mut u64) -> i32 {
    // SAFETY: our context; `out` writable.
    if unsafe { kernel(ctx) }.fails() {
        return 24;
    }
    unsafe { *out = 3 };
    0
}

fn ops(k: &mut Kernel, mode: u8) -> execcore_ops {
    let mut ops = execcore_ops {
        ctx: (k as *mut Kernel).cast(),
        read_at: Some(read_at),
        open_interpreter: Some(open_interpreter),
        random: Some(random),
        reserve_memory: Some(reserve_memory),
        release_memory: Some(release_memory),
        log: Some(log),
        reserve: Some(reserve),
        map_anonymous: Some(map_anonymous),
        map_file: Some(map_file),
        map_lazy: Some(map_anonymous),
        write: Some(write),
        read_into: Some(read_into),
        protect: Some(protect),
        unmap: Some(unmap),
        sync_icache: Some(protect_range),
        find_free_range: Some(find_free_range),
        patch_text: Some(patch_text),
        exec_fd: Some(exec_fd),
        file_size: None,
        bounce_buffer: std::ptr::null_mut(),
        bounce_size: 0,
    };
    // Kernels offer different subsets of the optional callbacks.
    if mode & 0x10 != 0 {
        ops.read_into = None;
    }
    if mode & 0x20 != 0 {
        ops.map_file = None;
        ops.sync_icache = None;
    }
    if mode & 0x40 != 0 {
        (ops.reserve_memory, ops.release_memory, ops.exec_fd) = (None, None, None);
    }
    if mode & 0x80 != 0 {
        ops.write = None;
    }
    ops
}

unsafe extern "C" fn protect_range(ctx: *mut c_void, start: u64, len: u64) -> i32 {
    // SAFETY: forwarded context.
    unsafe { protect(ctx, start, len, 0) }
}

fn check_status(status: execcore_status) {
    assert!(!execcore_status_str(status).is_null(), "status {status} has no string");
    let errno = execcore_status_errno(status);
    assert!(status == EXECCORE_OK || errno > 0, "status {status} maps to errno {errno}");
}

fn check_error(status: execcore_status, err: &execcore_error) {
    check_status(status);
    if status != EXECCORE_OK {
        assert_eq!(err.status, status, "execcore_error.status disagrees with the return value");
        assert!(err.errno_value > 0, "status {status} with errno {}", err.errno_value);
    }
}

/// The fuzz target. Input: [`sections`] main file, interpreter (none when empty), and
/// the rest decoded with `arbitrary`.
pub fn c_abi(data: &[u8]) {
    let [main, interp, rest] = sections::<3>(data);
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(rest)) else { return };
    let cpu = execcore_cpu {
        arch: match input.arch % 6 {
            0 => EXECCORE_ARCH_X86_64,
            1 => EXECCORE_ARCH_AARCH64,
            2 | 3 => EXECCORE_ARCH_MIPS,
            4 => EXECCORE_ARCH_RISCV64,
            _ => u32::from(input.arch),
        },
        flags: input.cpu_flags,
        page_size: if input.page_shift == 0 { 0 } else { 1u64 << (input.page_shift % 24) },
        va_bits: u32::from(input.va_bits),
        os: u32::from(input.os % 3),
        mips_model: u32::from(input.mips_model % 12),
        stack_top: input.stack_top,
        ..Default::default()
    };
    let argv: Vec<CString> = input.argv.iter().map(|a| cstring(a)).collect();
    let envp: Vec<CString> = input.envp.iter().map(|a| cstring(a)).collect();
    let argv_ptrs: Vec<*const u8> = argv.iter().map(|s| s.as_ptr().cast()).collect();
    let envp_ptrs: Vec<*const u8> = envp.iter().map(|s| s.as_ptr().cast()).collect();
    let (window_start, window_end) = input.window.unwrap_or((0, 0));
    let params = execcore_exec_params {
        argv: argv_ptrs.as_ptr(),
        argc: argv_ptrs.len(),
        envp: envp_ptrs.as_ptr(),
        envc: envp_ptrs.len(),
        execfn: input.execfn.as_ptr(),
        execfn_len: input.execfn.len(),
        file: 0,
        stack_rlimit: if input.stack_rlimit == 0 { 8 << 20 } else { input.stack_rlimit },
        flags: u32::from(input.exec_flags & 7),
        reserved0: 0,
        uid: 0,
        euid: 0,
        gid: 0,
        egid: 0,
        at_flags: 0,
        clock_ticks: 100,
        sysinfo_ehdr: 0,
        rseq_feature_size: 0,
        rseq_align: 0,
        execfd_plus_one: 0,
        window_start,
        window_end,
        mmap_min_addr: u64::from(input.mmap_min_addr),
        argc_counted: 0,
        reserved: [0; 3],
    };
    let mut k = Kernel { files: vec![main.to_vec(), interp.to_vec()], ..Default::default() };
    k.fail_at = input.fail_at.map(usize::from);
    let ops = ops(&mut k, input.mode);
    let mut plan = Box::new(execcore_plan { opaque: [0; EXECCORE_PLAN_WORDS] });
    let mut err = execcore_error { status: 0, errno_value: 0, value: 0 };
    let null = input.null_arg % 8;
    let pick = |i: u8, p: *const c_void| if null == i { std::ptr::null() } else { p };
    // SAFETY: every pointer is NULL or points to a live value of the right type.
    let st = unsafe {
        execcore_prepare(
            pick(1, (&cpu as *const execcore_cpu).cast()).cast(),
            pick(2, (&params as *const execcore_exec_params).cast()).cast(),
            pick(3, (&ops as *const execcore_ops).cast()).cast(),
            &mut *plan,
            &mut err,
        )
    };
    if null != 0 && null <= 3 {
        assert_eq!(st, EXECCORE_ERR_NULL_ARGUMENT);
    }
    check_error(st, &err);
    if st != EXECCORE_OK {
        assert_eq!(k.reserved_memory, 0, "failed prepare (status {st}) left memory reserved");
        assert!(k.is_empty(), "prepare touched the address space");
        // SAFETY: a plan slot that holds no plan may be discarded.
        unsafe { execcore_plan_discard(&mut *plan, &ops) };
        return;
    }
    query(&plan, usize::from(input.cap));
    let mut report = execcore_load_report::default();
    let mode = u32::from(input.mode & 0x0f) % 4;
    // SAFETY: plan prepared above; pointers valid.
    let st = unsafe { execcore_load(&*plan, &ops, mode, &mut report, &mut err) };
    check_error(st, &err);
    if st == EXECCORE_OK {
        let mut entry = execcore_entry_state::default();
        // SAFETY: as above.
        let st = unsafe { execcore_build_stack(&*plan, &params, &ops, &mut entry, &mut err) };
        check_error(st, &err);
        for &addr in &input.faults {
            let mut fill = execcore_page_fill::default();
            // SAFETY: as above.
            check_status(unsafe { execcore_resolve_fault(&*plan, addr, &mut fill) });
        }
        let mut offsets = [0u32; 64];
        let mut count = 0usize;
        let cap = usize::from(input.cap).min(offsets.len());
        // SAFETY: `offsets` holds `cap` entries; the text slice is live.
        let st = unsafe {
            execcore_text_scan(
                &*plan,
                input.text.as_ptr(),
                input.text.len(),
                offsets.as_mut_ptr(),
                cap,
                &mut count,
            )
        };
        check_status(st);
        assert!(count <= cap || st != EXECCORE_OK, "text_scan wrote {count} offsets into {cap}");
    } else {
        assert!(k.is_empty(), "failed load (status {st}) left {:?} {:?}", k.reserved, k.mapped);
    }
    // SAFETY: the plan is ours to discard.
    unsafe { execcore_plan_discard(&mut *plan, &ops) };
    assert_eq!(k.reserved_memory, 0, "discarded plan left memory reserved");
    if let Some((phdrs, count, class, mode)) = &input.elfmap {
        let mut k = Kernel { files: vec![main.to_vec()], ..Default::default() };
        k.fail_at = input.fail_at.map(usize::from);
        let ops = self::ops(&mut k, input.mode);
        let mut base = 0u64;
        // The contract: `phdrs` holds `count` entries of the class (32 or 56 bytes); an
        // unknown class is refused before the table is read.
        let class = u32::from(*class % 3);
        let entry = if class == 1 { 32 } else { 56 };
        // SAFETY: `phdrs` is live and holds `count` entries of the class.
        let st = unsafe {
            execcore_elfmap(
                &cpu,
                0,
                phdrs.as_ptr(),
                usize::from(*count).min(phdrs.len() / entry),
                class,
                u32::from(*mode % 4),
                &ops,
                &mut base,
                &mut err,
            )
        };
        check_error(st, &err);
        if st != EXECCORE_OK {
            assert!(k.is_empty(), "failed elfmap (status {st}) left {:?} {:?}", k.reserved, k.mapped);
        }
    }
}

/// Plan queries with a fuzzed capacity: each writes at most `cap` entries.
fn query(plan: &execcore_plan, cap: usize) {
    let (mut nmap, mut naux) = (0usize, 0usize);
    // SAFETY: valid plan and out pointers.
    check_status(unsafe { execcore_plan_counts(plan, &mut nmap, &mut naux) });
    let cap = cap.min(64);
    let mut maps = vec![execcore_mapping::default(); cap + 1];
    let mut len = 0usize;
    // SAFETY: `maps` holds `cap + 1` entries; the guard after `cap` must stay untouched.
    check_status(unsafe { execcore_plan_mappings(plan, maps.as_mut_ptr(), cap, &mut len) });
    assert_eq!(maps[cap], execcore_mapping::default(), "plan_mappings wrote past its capacity");
    let mut aux = vec![execcore_auxv_entry::default(); cap + 1];
    // SAFETY: as above.
    check_status(unsafe { execcore_plan_auxv(plan, aux.as_mut_ptr(), cap, &mut len) });
    assert_eq!(aux[cap], execcore_auxv_entry::default(), "plan_auxv wrote past its capacity");
    let mut layout = execcore_layout::default();
    let mut entry = execcore_entry_state::default();
    let mut memory = execcore_memory::default();
    // SAFETY: valid plan and out pointers.
    unsafe {
        check_status(execcore_plan_layout(plan, &mut layout));
        check_status(execcore_plan_entry(plan, &mut entry));
        check_status(execcore_plan_memory(plan, &mut memory));
    }
}

fn cstring(bytes: &[u8]) -> CString {
    CString::new(bytes.iter().map(|&b| if b == 0 { 1 } else { b }).collect::<Vec<u8>>()).expect("no NUL")
}
