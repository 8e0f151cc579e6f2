//! The exported `execcore_*` functions.

use crate::adapters::{prot_bits, CFile, CHost, CSpace};
use crate::arch::AnyPolicy;
use crate::plan::StoredPlan;
use crate::status::*;
use crate::strings::CStrings;
use crate::types::*;
use core::ffi::c_char;
use exec_core::{
    ArchPolicy, Content, Credentials, ExecError, ExecParams, MemoryReservation, Randomize, Role, StackLimit,
    UserAddr, Window,
};

/// The ABI version this library implements; compare with `EXECCORE_ABI_VERSION` at boot.
pub const EXECCORE_ABI_VERSION: u32 = 1;

/// Returns [`EXECCORE_ABI_VERSION`] as compiled into the library.
#[no_mangle]
pub extern "C" fn execcore_abi_version() -> u32 {
    EXECCORE_ABI_VERSION
}

/// The Linux errno for `status` (0 for success and unknown statuses).
#[no_mangle]
pub extern "C" fn execcore_status_errno(status: execcore_status) -> i32 {
    row(status).map_or(0, |r| r.2 .0)
}

/// A static NUL-terminated message for `status` ("unknown status" when unknown).
#[no_mangle]
pub extern "C" fn execcore_status_str(status: execcore_status) -> *const c_char {
    row(status).map_or(c"unknown status".as_ptr(), |r| r.3.as_ptr().cast())
}

/// Bytes of `execcore_plan` storage ([`EXECCORE_PLAN_SIZE`]).
#[no_mangle]
pub extern "C" fn execcore_plan_size() -> usize {
    EXECCORE_PLAN_SIZE
}

/// Runs an entry point's body so that a non-NULL `out_error` always describes its failure:
/// cleared first, then filled from the status alone where the body returned early (NULL
/// argument, missing callback, invalid parameter) without a detailed error.
pub(crate) fn reporting(
    out_error: *mut execcore_error,
    body: impl FnOnce() -> execcore_status,
) -> execcore_status {
    // SAFETY: `out_error` is NULL or points to writable storage (caller contract).
    if let Some(out) = unsafe { out_error.as_mut() } {
        *out = execcore_error { status: EXECCORE_OK, errno_value: 0, value: 0 };
    }
    let status = body();
    // SAFETY: as above.
    if let Some(out) = unsafe { out_error.as_mut() } {
        if status != EXECCORE_OK && out.status == EXECCORE_OK {
            *out = execcore_error { status, errno_value: execcore_status_errno(status), value: 0 };
        }
    }
    status
}

pub(crate) fn fail(
    err: &ExecError,
    policy: Option<&AnyPolicy>,
    out_error: *mut execcore_error,
) -> execcore_status {
    let status = status_of(err);
    let errno = policy.map_or(err.errno(), |p| exec_core::ArchPolicy::errno(p, err));
    let value = match *err {
        ExecError::FileSizeExceedsMemSize { index }
        | ExecError::Misaligned { index }
        | ExecError::OutsideUserRange { index } => u64::from(index),
        ExecError::Arch(a) => a.value,
        _ => 0,
    };
    // SAFETY: `out_error` is NULL or points to writable storage (caller contract).
    if let Some(out) = unsafe { out_error.as_mut() } {
        *out = execcore_error { status, errno_value: errno.0, value };
    }
    status
}

fn params_from_c<'a>(p: &'a execcore_exec_params, argv: &'a CStrings, envp: &'a CStrings) -> ExecParams<'a> {
    let execfn = if p.execfn.is_null() {
        &[][..]
    } else {
        // SAFETY: the caller guarantees `execfn` is valid for `execfn_len` bytes.
        unsafe { core::slice::from_raw_parts(p.execfn, p.execfn_len) }
    };
    let mut params = ExecParams::new(execfn);
    params.argv = argv;
    params.envp = envp;
    params.stack_limit =
        if p.stack_rlimit == u64::MAX { StackLimit::Unlimited } else { StackLimit::Bytes(p.stack_rlimit) };
    params.randomize = if p.flags & EXECCORE_EXEC_RANDOMIZE != 0 { Randomize::On } else { Randomize::Off };
    params.credentials = Credentials {
        uid: p.uid,
        euid: p.euid,
        gid: p.gid,
        egid: p.egid,
        secure: p.flags & EXECCORE_EXEC_SECURE != 0,
    };
    params.at_flags = p.at_flags;
    if p.clock_ticks != 0 {
        params.clock_ticks = p.clock_ticks;
    }
    params.sysinfo_ehdr = (p.sysinfo_ehdr != 0).then_some(UserAddr(p.sysinfo_ehdr));
    params.rseq = (p.rseq_feature_size != 0).then_some((p.rseq_feature_size, p.rseq_align));
    params.execfd = p.execfd_plus_one.checked_sub(1);
    if p.window_end != 0 {
        params.window = Some(Window { start: UserAddr(p.window_start), end: UserAddr(p.window_end) });
    }
    if p.mmap_min_addr != 0 {
        params.mmap_min_addr = p.mmap_min_addr;
    }
    params.reservation =
        if p.flags & EXECCORE_EXEC_BATCH != 0 { MemoryReservation::Reserve } else { MemoryReservation::None };
    params
}

/// Plans an exec: reads and validates the executable (`params->file`) and its interpreter
/// (opened through `ops->open_interpreter`), places everything, sizes stack and memory,
/// and reserves memory for batch jobs. Touches no address space.
///
/// Needs `ops->read_at`; `open_interpreter` for dynamic programs; `random` with
/// `EXECCORE_EXEC_RANDOMIZE`; `exec_fd` for dynamic R8000 programs needing prefetch
/// patches (its descriptor becomes `AT_PFETCHFD`). On success the plan is in `*plan`; on failure `*plan` holds
/// no plan and `*out_error` (nullable) says why.
///
/// # Safety
/// Every pointer is NULL or valid for the call: `cpu`, `params`, `ops` readable, `plan`
/// and `out_error` writable; the strings in `params` valid and NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn execcore_prepare(
    cpu: *const execcore_cpu,
    params: *const execcore_exec_params,
    ops: *const execcore_ops,
    plan: *mut execcore_plan,
    out_error: *mut execcore_error,
) -> execcore_status {
    reporting(out_error, || {
        // SAFETY: NULL or valid, per the contract above.
        let (Some(cpu), Some(p), Some(ops), Some(storage)) =
            (unsafe { cpu.as_ref() }, unsafe { params.as_ref() }, unsafe { ops.as_ref() }, unsafe {
                plan.as_mut()
            })
        else {
            return EXECCORE_ERR_NULL_ARGUMENT;
        };
        StoredPlan::clear(storage);
        if ops.read_at.is_none() {
            return EXECCORE_ERR_MISSING_CALLBACK;
        }
        let policy = match AnyPolicy::from_cpu(cpu) {
            Ok(p) => p,
            Err(status) => return status,
        };
        let argv = CStrings { ptr: p.argv, count: p.argc };
        let envp = CStrings { ptr: p.envp, count: p.envc };
        let params = params_from_c(p, &argv, &envp);
        let main = CFile { ops, handle: p.file };
        let mut host = CHost { ops };
        // Built in the storage's scratch, not on this frame (kernel stack is short).
        let (slot, result) = StoredPlan::prepare_in(storage, |out| {
            exec_core::prepare_into(&policy, &main, &mut host, &params, None, out)
        });
        match result {
            Ok(prepared) => {
                if let Err((status, errno)) = supply_prefetch_fd(&mut prepared.plan, ops) {
                    // Transactional: nothing of this exec may outlive the failure.
                    if prepared.plan.reserved > 0 {
                        exec_core::ExecHost::release_memory(&mut host, prepared.plan.reserved);
                    }
                    // SAFETY: `out_error` is NULL or points to writable storage (caller contract).
                    if let Some(out) = unsafe { out_error.as_mut() } {
                        *out = execcore_error { status, errno_value: errno, value: 0 };
                    }
                    return status;
                }
                let interp_file = prepared.interpreter.map_or(0, |f| f.handle);
                slot.store(&prepared.plan, *cpu, p.file, interp_file);
                EXECCORE_OK
            }
            Err(e) => fail(&e, Some(&policy), out_error),
        }
    })
}

/// Puts the kernel's descriptor (`ops->exec_fd`) into `AT_PFETCHFD` when the MIPS policy
/// asked for one (a dynamic R8000 program needing prefetch patches); otherwise a no-op.
/// Errors: (status, errno) — a missing callback or the callback's own errno.
fn supply_prefetch_fd(
    plan: &mut exec_core::ExecPlan<crate::arch::AnyInfo>,
    ops: &execcore_ops,
) -> Result<(), (execcore_status, i32)> {
    let crate::arch::AnyInfo::Mips(info) = plan.arch else { return Ok(()) };
    if !info.prefetch_fd {
        return Ok(());
    }
    let f = ops.exec_fd.ok_or((EXECCORE_ERR_MISSING_CALLBACK, elf_stream::Errno::EINVAL.0))?;
    let mut fd = 0u64;
    // SAFETY: `fd` is a valid out pointer for the call.
    match unsafe { f(ops.ctx, &mut fd) } {
        0 => {
            plan.auxv.set(exec_core::AuxType::AT_PFETCHFD, fd);
            Ok(())
        }
        e => Err((EXECCORE_ERR_EXEC_FD_FAILED, if e > 0 { e } else { elf_stream::Errno::EIO.0 })),
    }
}

/// Releases what a plan holds (its memory reservation) when the exec is abandoned after
/// a successful `execcore_prepare`; the storage then holds no plan.
///
/// # Safety
/// `plan` and `ops` are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_plan_discard(
    plan: *mut execcore_plan,
    ops: *const execcore_ops,
) -> execcore_status {
    // SAFETY: NULL or valid, per the contract above.
    let (Some(storage), Some(ops)) = (unsafe { plan.as_mut() }, unsafe { ops.as_ref() }) else {
        return EXECCORE_ERR_NULL_ARGUMENT;
    };
    let Some(stored) = StoredPlan::load(storage) else { return EXECCORE_ERR_BAD_PLAN };
    let reserved = stored.plan.reserved;
    if reserved > 0 {
        exec_core::ExecHost::release_memory(&mut CHost { ops }, reserved);
    }
    StoredPlan::clear(storage);
    EXECCORE_OK
}

fn stored<'a>(plan: *const execcore_plan) -> Result<&'a StoredPlan, execcore_status> {
    // SAFETY: NULL or valid, per every caller's contract.
    let storage = unsafe { plan.as_ref() }.ok_or(EXECCORE_ERR_NULL_ARGUMENT)?;
    StoredPlan::load(storage).ok_or(EXECCORE_ERR_BAD_PLAN)
}

macro_rules! try_status {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(s) => return s,
        }
    };
}

/// Numbers of mappings and auxv entries in the plan (to size the arrays passed to
/// `execcore_plan_mappings` and `execcore_plan_auxv`).
///
/// # Safety
/// Pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_plan_counts(
    plan: *const execcore_plan,
    out_mappings: *mut usize,
    out_auxv: *mut usize,
) -> execcore_status {
    let s = try_status!(stored(plan));
    // SAFETY: NULL or valid.
    let (Some(m), Some(a)) = (unsafe { out_mappings.as_mut() }, unsafe { out_auxv.as_mut() }) else {
        return EXECCORE_ERR_NULL_ARGUMENT;
    };
    *m = s.plan.mappings().count();
    *a = s.plan.auxv.len();
    EXECCORE_OK
}

/// Copies the plan's mappings (program then interpreter, lowest first) into `out[0..cap]`
/// and their number into `*out_len`; `EXECCORE_ERR_BUFFER_TOO_SMALL` (nothing written)
/// when `cap` is too small.
///
/// # Safety
/// `out` valid for `cap` elements; other pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_plan_mappings(
    plan: *const execcore_plan,
    out: *mut execcore_mapping,
    cap: usize,
    out_len: *mut usize,
) -> execcore_status {
    let s = try_status!(stored(plan));
    if out.is_null() || out_len.is_null() {
        return EXECCORE_ERR_NULL_ARGUMENT;
    }
    let n = s.plan.mappings().count();
    if n > cap {
        return EXECCORE_ERR_BUFFER_TOO_SMALL;
    }
    for (i, m) in s.plan.mappings().enumerate() {
        let (kind, file_offset, file_bytes) = match m.content {
            Content::File { offset, bytes } => (0, offset.0, bytes),
            Content::Zero => (1, 0, 0),
            Content::Shared { pieces, count } => {
                (2, 0, pieces.iter().take(usize::from(count)).map(|p| p.len).sum())
            }
        };
        let c = execcore_mapping {
            start: m.range.start.0,
            end: m.range.end.0,
            prot: prot_bits(m.prot, m.flags),
            image: u32::from(m.role == Role::Interpreter),
            kind,
            reserved0: 0,
            file_offset,
            file_bytes,
        };
        // SAFETY: `i < n <= cap` and `out` is valid for `cap` elements.
        unsafe { out.add(i).write(c) };
    }
    // SAFETY: checked non-NULL above.
    unsafe { out_len.write(n) };
    EXECCORE_OK
}

/// Copies the auxv (stack order, without AT_NULL) into `out[0..cap]`, its length into
/// `*out_len`.
///
/// # Safety
/// `out` valid for `cap` elements; other pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_plan_auxv(
    plan: *const execcore_plan,
    out: *mut execcore_auxv_entry,
    cap: usize,
    out_len: *mut usize,
) -> execcore_status {
    let s = try_status!(stored(plan));
    if out.is_null() || out_len.is_null() {
        return EXECCORE_ERR_NULL_ARGUMENT;
    }
    let entries = s.plan.auxv.entries();
    if entries.len() > cap {
        return EXECCORE_ERR_BUFFER_TOO_SMALL;
    }
    for (i, e) in entries.iter().enumerate() {
        // SAFETY: `i < len <= cap`.
        unsafe { out.add(i).write(execcore_auxv_entry { kind: e.kind.0, value: e.value }) };
    }
    // SAFETY: checked non-NULL above.
    unsafe { out_len.write(entries.len()) };
    EXECCORE_OK
}

/// The layout: biases, entry, sp, brk, stack and mmap area.
///
/// # Safety
/// Pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_plan_layout(
    plan: *const execcore_plan,
    out: *mut execcore_layout,
) -> execcore_status {
    let s = try_status!(stored(plan));
    // SAFETY: NULL or valid.
    let Some(out) = (unsafe { out.as_mut() }) else { return EXECCORE_ERR_NULL_ARGUMENT };
    let p = &s.plan;
    *out = execcore_layout {
        main_bias: p.main.bias,
        interp_bias: p.interp.as_ref().map_or(0, |i| i.bias),
        has_interp: u32::from(p.interp.is_some()),
        exec_stack: u32::from(p.stack.exec),
        entry: p.entry.0,
        sp: p.stack.sp.0,
        brk: p.brk.0,
        stack_start: p.stack.extent.start.0,
        stack_top: p.stack.top.0,
        mmap_base: p.mmap.base.0,
        mmap_start: p.mmap.free.start.0,
        mmap_end: p.mmap.free.end.0,
        mmap_top_down: u32::from(p.mmap.top_down),
        reserved0: 0,
    };
    EXECCORE_OK
}

fn entry_state(s: &StoredPlan) -> execcore_entry_state {
    let r = &s.plan.registers;
    let mut out = execcore_entry_state { pc: r.pc.0, sp: r.sp.0, ..Default::default() };
    let mut n = 0usize;
    for (index, value) in r.regs.iter().flatten() {
        if let (Some(i), Some(v)) = (out.reg_index.get_mut(n), out.reg_value.get_mut(n)) {
            *i = u32::from(*index);
            *v = *value;
            n += 1;
        }
    }
    out.nregs = n as u32;
    if let Ok(policy) = AnyPolicy::from_cpu(&s.cpu) {
        policy.entry_arch(&s.plan.arch, &mut out);
    }
    out
}

/// The registers the kernel sets at entry.
///
/// # Safety
/// Pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_plan_entry(
    plan: *const execcore_plan,
    out: *mut execcore_entry_state,
) -> execcore_status {
    let s = try_status!(stored(plan));
    // SAFETY: NULL or valid.
    let Some(out) = (unsafe { out.as_mut() }) else { return EXECCORE_ERR_NULL_ARGUMENT };
    *out = entry_state(s);
    EXECCORE_OK
}

/// The memory requirement.
///
/// # Safety
/// Pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_plan_memory(
    plan: *const execcore_plan,
    out: *mut execcore_memory,
) -> execcore_status {
    let s = try_status!(stored(plan));
    // SAFETY: NULL or valid.
    let Some(out) = (unsafe { out.as_mut() }) else { return EXECCORE_ERR_NULL_ARGUMENT };
    let m = &s.plan.memory;
    *out = execcore_memory {
        eager_bytes: m.eager_bytes(),
        anonymous_bytes: m.anonymous_bytes(),
        interp_bytes: m.interp.eager,
        reserved_bytes: s.plan.reserved,
        interp_cached: u32::from(m.interp_cached),
        reserved0: 0,
    };
    EXECCORE_OK
}

/// Builds the initial stack: maps the stack, writes strings, 16 random bytes (from
/// `ops->random`), argv, envp and the auxv; writes the entry state on success.
/// `params` must be the ones given to `execcore_prepare`.
///
/// # Safety
/// Pointers NULL or valid; strings as for `execcore_prepare`.
#[no_mangle]
pub unsafe extern "C" fn execcore_build_stack(
    plan: *const execcore_plan,
    params: *const execcore_exec_params,
    ops: *const execcore_ops,
    out_entry: *mut execcore_entry_state,
    out_error: *mut execcore_error,
) -> execcore_status {
    reporting(out_error, || {
        let s = try_status!(stored(plan));
        // SAFETY: NULL or valid.
        let (Some(p), Some(ops)) = (unsafe { params.as_ref() }, unsafe { ops.as_ref() }) else {
            return EXECCORE_ERR_NULL_ARGUMENT;
        };
        if out_entry.is_null() {
            return EXECCORE_ERR_NULL_ARGUMENT;
        }
        let policy = match AnyPolicy::from_cpu(&s.cpu) {
            Ok(p) => p,
            Err(status) => return status,
        };
        let argv = CStrings { ptr: p.argv, count: p.argc };
        let envp = CStrings { ptr: p.envp, count: p.envc };
        let params = params_from_c(p, &argv, &envp);
        let mut random = [0u8; 16];
        let mut host = CHost { ops };
        if let Err(errno) = exec_core::ExecHost::random(&mut host, &mut random) {
            return fail(&ExecError::Entropy(errno), Some(&policy), out_error);
        }
        let mut space = CSpace { ops, main_file: s.main_file, interp_file: s.interp_file };
        let plats =
            (ArchPolicy::platform(&policy, s.plan.abi), ArchPolicy::base_platform(&policy, s.plan.abi));
        match exec_core::write_stack(&s.plan.stack, &params, plats, &s.plan.auxv, &random, &mut space) {
            Ok(()) => {
                // SAFETY: checked non-NULL above.
                unsafe { out_entry.write(entry_state(s)) };
                EXECCORE_OK
            }
            Err(e) => fail(&e, Some(&policy), out_error),
        }
    })
}

/// Builds the planned images into the new address space (`mode`: `EXECCORE_LOAD_EAGER`,
/// `_MAPPED` or `_LAZY`). Call after the point of no return; on failure everything mapped
/// is unmapped, and the caller still owns (and should discard) the plan.
///
/// Needs `reserve`, `map_anonymous`, `protect`, `unmap`, and `write` or `read_into`;
/// `map_file` for mapped mode (else copies); `map_lazy` for lazy mode.
///
/// # Safety
/// Pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_load(
    plan: *const execcore_plan,
    ops: *const execcore_ops,
    mode: u32,
    out_report: *mut execcore_load_report,
    out_error: *mut execcore_error,
) -> execcore_status {
    reporting(out_error, || {
        let s = try_status!(stored(plan));
        // SAFETY: NULL or valid.
        let Some(ops) = (unsafe { ops.as_ref() }) else { return EXECCORE_ERR_NULL_ARGUMENT };
        if out_report.is_null() {
            return EXECCORE_ERR_NULL_ARGUMENT;
        }
        let mode = match mode {
            EXECCORE_LOAD_EAGER => exec_core::LoadMode::Eager,
            EXECCORE_LOAD_MAPPED => exec_core::LoadMode::Mapped,
            EXECCORE_LOAD_LAZY => exec_core::LoadMode::Lazy,
            _ => return EXECCORE_ERR_INVALID_PARAMETER,
        };
        let policy = AnyPolicy::from_cpu(&s.cpu).ok();
        let main = CFile { ops, handle: s.main_file };
        let interp = CFile { ops, handle: s.interp_file };
        let mut space = CSpace { ops, main_file: s.main_file, interp_file: s.interp_file };
        match exec_core::load(&s.plan, &main, s.plan.interp.as_ref().map(|_| &interp), &mut space, mode) {
            Ok(r) => {
                let report = execcore_load_report {
                    mappings: r.mappings,
                    copy_calls: r.copy_calls,
                    bytes_copied: r.bytes_copied,
                    patched_pages: r.patched_pages,
                    reserved: [0; 4],
                };
                // SAFETY: checked non-NULL above.
                unsafe { out_report.write(report) };
                EXECCORE_OK
            }
            Err(e) => fail(&e, policy.as_ref(), out_error),
        }
    })
}

/// What the page containing `addr` holds (lazy mode): the file handle, up to 4 pieces
/// of file bytes, the rest zero, and the page's protection. No I/O.
///
/// # Safety
/// Pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_resolve_fault(
    plan: *const execcore_plan,
    addr: u64,
    out_fill: *mut execcore_page_fill,
) -> execcore_status {
    let s = try_status!(stored(plan));
    if out_fill.is_null() {
        return EXECCORE_ERR_NULL_ARGUMENT;
    }
    match exec_core::resolve_fault(&s.plan, UserAddr(addr)) {
        Ok(f) => {
            let mut out = execcore_page_fill {
                page: f.page.0,
                prot: prot_bits(f.prot, f.flags),
                image: u32::from(f.role == Role::Interpreter),
                file: if f.role == Role::Interpreter { s.interp_file } else { s.main_file },
                npieces: u32::from(f.count),
                ..Default::default()
            };
            for (i, p) in f.pieces().iter().enumerate() {
                if let (Some(o), Some(fo), Some(l)) =
                    (out.page_offset.get_mut(i), out.file_offset.get_mut(i), out.len.get_mut(i))
                {
                    *o = p.page_offset;
                    *fo = p.file_offset.0;
                    *l = p.len;
                }
            }
            // SAFETY: checked non-NULL above.
            unsafe { out_fill.write(out) };
            EXECCORE_OK
        }
        Err(e) => status_of(&e),
    }
}

/// Scans `len` bytes of text at `text` (a page, or a 4-byte aligned run of one) with the
/// plan's erratum scanner (MIPS: `cvt.s.l`/`cvt.d.l`, in the program's byte order) — what
/// `execcore_load` does itself in eager mode, for kernels that fill `EXECCORE_MAP_TEXT_PATCH`
/// pages themselves (mapped and lazy mode). Writes the byte offsets of the first `cap`
/// hits to `out` and the number of hits to `*out_count` (more than `cap`: call again on a
/// shorter run). A plan without a scanner finds nothing.
///
/// # Safety
/// `text` valid for `len` bytes, `out` for `cap` elements (NULL when `cap` is 0); other
/// pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_text_scan(
    plan: *const execcore_plan,
    text: *const u8,
    len: usize,
    out: *mut u32,
    cap: usize,
    out_count: *mut usize,
) -> execcore_status {
    let s = try_status!(stored(plan));
    if text.is_null() || out_count.is_null() || (out.is_null() && cap > 0) {
        return EXECCORE_ERR_NULL_ARGUMENT;
    }
    // SAFETY: the caller guarantees `text` is valid for `len` bytes.
    let text = unsafe { core::slice::from_raw_parts(text, len) };
    let out: &mut [u32] = if cap == 0 {
        &mut []
    } else {
        // SAFETY: the caller guarantees `out` is valid for `cap` writable elements.
        unsafe { core::slice::from_raw_parts_mut(out, cap) }
    };
    let n = s.plan.text_scan.map_or(0, |scan| scan(text, s.plan.main.header.endian, out));
    // SAFETY: checked non-NULL above.
    unsafe { out_count.write(n) };
    EXECCORE_OK
}

/// Most program headers `execcore_elfmap` takes (more: `EXECCORE_ERR_TOO_MANY_PROGRAM_HEADERS`, E2BIG).
pub const EXECCORE_ELFMAP_MAX_PHDRS: usize = exec_core::MAX_ELFMAP_PHDRS;

/// Maps a shared object for a runtime linker (IRIX `elfmap`): `phdrs` holds `count`
/// program headers (`Elf32_Phdr` for `elf_class` 1, `Elf64_Phdr` for 2, in the CPU's byte
/// order) as copied from user space; `file` is the object's handle for `read_at` and
/// `map_file`. Every PT_LOAD is validated as `execcore_prepare` validates one, then mapped
/// in `mode` (`EXECCORE_LOAD_*`) at its own address inside the user window of the ABI
/// `cpu` gives such a file. If those addresses are taken (`reserve` returns EEXIST or
/// ENOMEM) or below the window (an object linked at 0), one retry at
/// `find_free_range(span + largest p_align, largest p_align)`, every segment moved by the
/// same delta. On success `*out_base` is where the page of the lowest PT_LOAD landed (the
/// delta is `*out_base` minus that page's own address); on failure nothing stays mapped.
///
/// Needs `read_at`, `reserve`, `map_anonymous`, `protect`, `unmap`, and `write` or
/// `read_into`; `map_file` in mapped mode, `find_free_range` to move an object.
///
/// # Safety
/// `phdrs` valid for `count` entries of its class; other pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn execcore_elfmap(
    cpu: *const execcore_cpu,
    file: u64,
    phdrs: *const u8,
    count: usize,
    elf_class: u32,
    mode: u32,
    ops: *const execcore_ops,
    out_base: *mut u64,
    out_error: *mut execcore_error,
) -> execcore_status {
    reporting(out_error, || {
        // SAFETY: NULL or valid, per the contract above.
        let (Some(cpu), Some(ops)) = (unsafe { cpu.as_ref() }, unsafe { ops.as_ref() }) else {
            return EXECCORE_ERR_NULL_ARGUMENT;
        };
        if phdrs.is_null() || out_base.is_null() {
            return EXECCORE_ERR_NULL_ARGUMENT;
        }
        if ops.read_at.is_none() {
            return EXECCORE_ERR_MISSING_CALLBACK;
        }
        let class = match elf_class {
            1 => elf_stream::Class::Elf32,
            2 => elf_stream::Class::Elf64,
            _ => return EXECCORE_ERR_INVALID_PARAMETER,
        };
        let mode = match mode {
            EXECCORE_LOAD_EAGER => exec_core::LoadMode::Eager,
            EXECCORE_LOAD_MAPPED => exec_core::LoadMode::Mapped,
            EXECCORE_LOAD_LAZY => exec_core::LoadMode::Lazy,
            _ => return EXECCORE_ERR_INVALID_PARAMETER,
        };
        let policy = match AnyPolicy::from_cpu(cpu) {
            Ok(p) => p,
            Err(status) => return status,
        };
        if count > EXECCORE_ELFMAP_MAX_PHDRS {
            let err = ExecError::TooManyProgramHeaders {
                count: count as u64,
                cap: EXECCORE_ELFMAP_MAX_PHDRS as u32,
            };
            return fail(&err, Some(&policy), out_error);
        }
        // SAFETY: the caller guarantees `count` entries of the class; count is capped above.
        let table =
            unsafe { core::slice::from_raw_parts(phdrs, count.saturating_mul(class.program_header_size())) };
        let result = policy.elfmap_target(class).and_then(|(target, endian)| {
            let headers = exec_core::elfmap::decode_table(table, count, class, endian)?;
            let source = CFile { ops, handle: file };
            let mut space = CSpace { ops, main_file: file, interp_file: file };
            exec_core::elfmap(&source, &headers, target, &mut space, mode)
        });
        match result {
            Ok(m) => {
                // SAFETY: checked non-NULL above.
                unsafe { out_base.write(m.base.0) };
                EXECCORE_OK
            }
            Err(e) => fail(&e, Some(&policy), out_error),
        }
    })
}
