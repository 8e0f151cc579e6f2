//! The C entry points with fuzzed arguments: CPU description, exec parameters, load mode,
//! NULL pointers, small output capacities, fault addresses, text to scan, elfmap tables,
//! and callbacks that fail at a fuzzed call. The kernel side is the mock C kernel
//! of `test_support::ckernel`, keeping a ledger of what is reserved and mapped.
//!
//! Invariants checked: every status has a string and an errno; a failed `execcore_prepare`
//! leaves no memory reserved; a failed `execcore_load` or `execcore_elfmap` leaves nothing
//! reserved or mapped; plan queries never write past the capacity given.

use crate::sections;
use arbitrary::{Arbitrary, Unstructured};
use core::ffi::c_void;
use execcore_ffi::*;
use std::ffi::CString;
use test_support::ckernel::{full_ops, new_plan, FreeRange, Kernel, Writes};

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

/// The fuzzed kernel ([`test_support::ckernel`]): the main file and the interpreter (file
/// 1, whatever the path), writes only checked to land inside a mapping, a memory budget,
/// failures at the fuzzed call, and the callbacks `mode` leaves out.
fn kernel(files: Vec<Vec<u8>>, fail_at: Option<u16>) -> Box<Kernel> {
    Box::new(Kernel {
        files,
        interpreter: Some(1),
        writes: Writes::Checked,
        budget: Some(MEMORY_BUDGET),
        exec_fd: Some(Ok(3)),
        free_range: FreeRange::AboveReservations,
        fail_at: fail_at.map(usize::from),
        ..Default::default()
    })
}

/// Every callback but those `mode` leaves out: kernels offer different subsets of the
/// optional ones.
fn ops(k: &mut Kernel, mode: u8) -> execcore_ops {
    let mut ops = full_ops(k);
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
        profile: u32::from(input.exec_flags >> 3 & 1),
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
        linux_version: [0, EXECCORE_LINUX_6_1, EXECCORE_LINUX_6_12, 5 << 16 | 10]
            [usize::from(input.exec_flags >> 4 & 3)],
        personality: if input.exec_flags & 0x40 != 0 { EXECCORE_PER_READ_IMPLIES_EXEC } else { 0 },
        argc_counted: 0,
        reserved: [0; 2],
    };
    let mut k = kernel(vec![main.to_vec(), interp.to_vec()], input.fail_at);
    let ops = ops(&mut k, input.mode);
    let mut plan = new_plan();
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
        assert_eq!(k.reserved_bytes, 0, "failed prepare (status {st}) left memory reserved");
        assert!(k.is_empty(), "prepare touched the address space");
        // SAFETY: a plan slot that holds no plan may be discarded.
        unsafe { execcore_plan_discard(&mut *plan, &ops) };
        return;
    }
    query(&plan, usize::from(input.cap));
    check_c_mappings(&plan);
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
    assert_eq!(k.reserved_bytes, 0, "discarded plan left memory reserved");
    if let Some((phdrs, count, class, mode)) = &input.elfmap {
        let mut k = kernel(vec![main.to_vec()], input.fail_at);
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

/// The plan's mappings as the C ABI reports them pass the structural invariants
/// (`test_support::invariants::check_mappings`): sorted, page aligned, disjoint from each
/// other and the stack, file bytes inside their mapping. Not inside the file: the C ABI's
/// `read_at` gives no file size, so a segment past the end is found by the load (EIO).
fn check_c_mappings(plan: &execcore_plan) {
    use exec_core::{AddrRange, Content, Mapping, MappingFlags, Prot, Role, UserAddr};
    let (mut nmap, mut naux) = (0usize, 0usize);
    // SAFETY: valid plan and out pointers.
    check_status(unsafe { execcore_plan_counts(plan, &mut nmap, &mut naux) });
    let mut maps = vec![execcore_mapping::default(); nmap];
    let mut len = 0usize;
    // SAFETY: `maps` holds `nmap` entries.
    check_status(unsafe { execcore_plan_mappings(plan, maps.as_mut_ptr(), nmap, &mut len) });
    let mut layout = execcore_layout::default();
    // SAFETY: valid plan and out pointer.
    check_status(unsafe { execcore_plan_layout(plan, &mut layout) });
    let converted: Vec<Mapping> = maps[..len]
        .iter()
        .map(|m| Mapping {
            range: AddrRange::new(UserAddr(m.start), UserAddr(m.end)),
            prot: Prot(m.prot & 0xf),
            flags: MappingFlags::NONE,
            content: match m.kind {
                0 => Content::File { offset: elf_stream::FileOffset(m.file_offset), bytes: m.file_bytes },
                // Shared pages: their pieces are not in this view.
                _ => Content::Zero,
            },
            role: if m.image == 1 { Role::Interpreter } else { Role::Main },
        })
        .collect();
    let stack = AddrRange::new(UserAddr(layout.stack_start), UserAddr(layout.stack_top));
    if let Err(e) =
        test_support::invariants::check_mappings(&converted, Some(stack), 4096, u64::MAX, u64::MAX)
    {
        panic!("unsound plan through the C ABI: {e}");
    }
}

fn cstring(bytes: &[u8]) -> CString {
    CString::new(bytes.iter().map(|&b| if b == 0 { 1 } else { b }).collect::<Vec<u8>>()).expect("no NUL")
}
