//! The C entry points called from Rust through the C callback table, on real files:
//! every output agrees with the Rust API, errors come back as statuses with errnos,
//! NULL pointers are refused, outputs are untouched on failure.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
// The test kernel's blocks dereference its own context pointer and the buffers the
// library hands its callbacks, as the C ABI promises; one comment here, not one per block.
#![allow(clippy::undocumented_unsafe_blocks)]

mod common;

use common::*;
use execcore_ffi::*;

#[test]
fn prepares_bin_ls_like_the_rust_api() {
    let mut k = Kernel::program(std::fs::read("/bin/ls").unwrap(), "/");
    let ops = ops(&mut k);
    let args = Args::new(&["ls"], "/bin/ls");
    let params = args.params();
    let cpu = x86_cpu();
    let mut plan = new_plan();
    let st = unsafe { execcore_prepare(&cpu, &params, &ops, &mut *plan, std::ptr::null_mut()) };
    assert_eq!(st, EXECCORE_OK);

    // The Rust API on the same file gives the same layout.
    let file = std::fs::File::open("/bin/ls").unwrap();
    let argv: [&[u8]; 1] = [b"ls"];
    let mut rp = exec_core::ExecParams::new(b"/bin/ls");
    rp.argv = &argv;
    let mut host = exec_core::fs_host::FsHost::new("/");
    let rust = exec_core::prepare(&arch_x86_64::X86_64::default(), &file, &mut host, &rp, None).unwrap().plan;

    let mut layout = execcore_layout::default();
    assert_eq!(unsafe { execcore_plan_layout(&*plan, &mut layout) }, EXECCORE_OK);
    assert_eq!(layout.main_bias, rust.main.bias);
    assert_eq!(layout.interp_bias, rust.interp.as_ref().unwrap().bias);
    assert_eq!(layout.entry, rust.entry.0);
    assert_eq!(layout.sp, rust.stack.sp.0);
    assert_eq!(layout.brk, rust.brk.0);
    assert_eq!(layout.has_interp, 1);

    let (mut nmap, mut naux) = (0usize, 0usize);
    assert_eq!(unsafe { execcore_plan_counts(&*plan, &mut nmap, &mut naux) }, EXECCORE_OK);
    let mut maps = vec![execcore_mapping::default(); nmap];
    let mut got = usize::MAX;
    // Too small: refused, nothing written.
    assert_eq!(
        unsafe { execcore_plan_mappings(&*plan, maps.as_mut_ptr(), nmap - 1, &mut got) },
        EXECCORE_ERR_BUFFER_TOO_SMALL
    );
    assert_eq!(got, usize::MAX);
    assert_eq!(unsafe { execcore_plan_mappings(&*plan, maps.as_mut_ptr(), nmap, &mut got) }, EXECCORE_OK);
    assert_eq!(got, nmap);
    let rust_maps: Vec<_> = rust.mappings().collect();
    assert_eq!(maps.len(), rust_maps.len());
    for (c, r) in maps.iter().zip(&rust_maps) {
        assert_eq!((c.start, c.end), (r.range.start.0, r.range.end.0));
        assert_eq!(c.prot & 7, r.prot.0 & 7);
    }

    let mut aux = vec![execcore_auxv_entry::default(); naux];
    assert_eq!(unsafe { execcore_plan_auxv(&*plan, aux.as_mut_ptr(), naux, &mut got) }, EXECCORE_OK);
    let rust_aux: Vec<_> = rust.auxv.entries().iter().map(|e| (e.kind.0, e.value)).collect();
    assert_eq!(aux.iter().map(|e| (e.kind, e.value)).collect::<Vec<_>>(), rust_aux);

    // The stack builder writes argc, argv[0] -> "ls", and the entry state.
    let mut entry = execcore_entry_state::default();
    let st = unsafe { execcore_build_stack(&*plan, &params, &ops, &mut entry, std::ptr::null_mut()) };
    assert_eq!(st, EXECCORE_OK);
    assert_eq!(entry.sp, layout.sp);
    assert_eq!(entry.pc, layout.entry);
    let word = |a: u64| u64::from_le_bytes(std::array::from_fn(|i| k.memory[&(a + i as u64)]));
    assert_eq!(word(entry.sp), 1);
    let argv0 = word(entry.sp + 8);
    assert_eq!([k.memory[&argv0], k.memory[&(argv0 + 1)], k.memory[&(argv0 + 2)]], *b"ls\0");
    assert!(k.calls[0].starts_with("map_anonymous"));
}

#[test]
fn errors_are_statuses_with_errnos() {
    let mut k = Kernel::program(b"#!/bin/sh\necho not elf\n".to_vec(), "/");
    let ops = ops(&mut k);
    let args = Args::new(&["x"], "x");
    let params = args.params();
    let cpu = x86_cpu();
    let mut plan = new_plan();
    let mut err = execcore_error::default();
    let st = unsafe { execcore_prepare(&cpu, &params, &ops, &mut *plan, &mut err) };
    assert_eq!(st, elf_status(elf_stream::ErrorCode::BadMagic));
    assert_eq!(err.status, st);
    assert_eq!(err.errno_value, 8); // ENOEXEC
    assert_eq!(execcore_status_errno(st), 8);
    let msg = unsafe { std::ffi::CStr::from_ptr(execcore_status_str(st)) };
    assert_eq!(msg.to_str().unwrap(), "not an ELF file");
    // No plan in the storage after a failure.
    let mut layout = execcore_layout::default();
    assert_eq!(unsafe { execcore_plan_layout(&*plan, &mut layout) }, EXECCORE_ERR_BAD_PLAN);

    // A missing interpreter: the callback's errno comes back.
    let mut bytes = std::fs::read("/bin/ls").unwrap();
    let at = bytes.windows(10).position(|w| w == b"/lib64/ld-").unwrap();
    bytes[at + 1] = b'X';
    // Through the context pointer the callbacks use: writing through `k` itself would
    // invalidate that pointer (Miri's Stacked Borrows caught the first version of this).
    unsafe { kernel(ops.ctx) }.files = vec![bytes];
    let st = unsafe { execcore_prepare(&cpu, &params, &ops, &mut *plan, &mut err) };
    assert_eq!(st, exec_status(ExecCode::InterpreterOpenFailed));
    assert_eq!(err.errno_value, 2); // ENOENT from open_interp
}

#[test]
fn null_pointers_and_unknown_arch_are_refused() {
    let mut k = Kernel::program(std::fs::read("/bin/ls").unwrap(), "/");
    let ops = ops(&mut k);
    let args = Args::new(&["ls"], "/bin/ls");
    let params = args.params();
    let cpu = x86_cpu();
    let mut plan = new_plan();
    let null = std::ptr::null_mut();
    unsafe {
        assert_eq!(
            execcore_prepare(std::ptr::null(), &params, &ops, &mut *plan, null),
            EXECCORE_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            execcore_prepare(&cpu, std::ptr::null(), &ops, &mut *plan, null),
            EXECCORE_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            execcore_prepare(&cpu, &params, std::ptr::null(), &mut *plan, null),
            EXECCORE_ERR_NULL_ARGUMENT
        );
        assert_eq!(execcore_prepare(&cpu, &params, &ops, null.cast(), null), EXECCORE_ERR_NULL_ARGUMENT);
        let mut no_read = ops;
        no_read.read_at = None;
        assert_eq!(
            execcore_prepare(&cpu, &params, &no_read, &mut *plan, null),
            EXECCORE_ERR_MISSING_CALLBACK
        );
        let other = execcore_cpu { arch: 99, ..Default::default() };
        assert_eq!(execcore_prepare(&other, &params, &ops, &mut *plan, null), EXECCORE_ERR_UNSUPPORTED_ARCH);
        assert_eq!(
            execcore_plan_layout(std::ptr::null(), &mut execcore_layout::default()),
            EXECCORE_ERR_NULL_ARGUMENT
        );
        assert_eq!(execcore_prepare(&cpu, &params, &ops, &mut *plan, null), EXECCORE_OK);
        assert_eq!(execcore_plan_layout(&*plan, std::ptr::null_mut()), EXECCORE_ERR_NULL_ARGUMENT);
        assert_eq!(execcore_plan_discard(&mut *plan, &ops), EXECCORE_OK);
        assert_eq!(execcore_plan_discard(&mut *plan, &ops), EXECCORE_ERR_BAD_PLAN);
    }
    assert_eq!(execcore_abi_version(), EXECCORE_ABI_VERSION);
}

#[test]
fn every_status_has_a_message_and_a_kind() {
    // Every status of the one list: its own value outside the errno range, its message
    // and errno through the C functions.
    let mut seen = std::collections::BTreeSet::new();
    for st in Status::all() {
        let code = st.code();
        assert!(seen.insert(code), "{st:?} shares {code}");
        assert!(code == 0 || code >= 4096, "{st:?} = {code} could be an errno");
        let msg = unsafe { std::ffi::CStr::from_ptr(execcore_status_str(code)) };
        assert_eq!(msg.to_bytes_with_nul(), st.message_nul().as_bytes(), "status {code}");
        assert_eq!(execcore_status_errno(code), st.errno().0);
    }
    let unknown = unsafe { std::ffi::CStr::from_ptr(execcore_status_str(12345)) };
    assert_eq!(unknown.to_str().unwrap(), "unknown status");
}

#[test]
fn every_error_kind_has_its_own_status() {
    use exec_core::{ExecError, Role};
    use test_support::errors::{every_exec_error, every_file_error};
    let mut seen = std::collections::BTreeSet::new();
    // Every code has its example: a new variant without one fails here.
    for c in ExecCode::ALL {
        assert!(every_exec_error().iter().any(|e| e.code() == ErrorCode::Exec(*c)), "{c:?} has no example");
    }
    for c in elf_stream::ErrorCode::ALL {
        assert!(every_file_error().iter().any(|e| e.code() == *c), "{c:?} has no example");
    }
    let elf = every_file_error().into_iter().map(|error| ExecError::Elf { role: Role::Main, error });
    for err in elf.chain(every_exec_error()) {
        let status = status_of_code(err.code());
        assert!(status >= 5100, "{err:?} is {status}");
        assert!(seen.insert(status), "{err:?} shares status {status}");
        assert_eq!(execcore_status_errno(status), err.errno().0, "{err:?}: fixed errno differs");
    }
}

#[test]
fn loads_and_resolves_faults_through_the_c_entry_points() {
    let ls = std::fs::read("/bin/ls").unwrap();
    let mut k = Kernel::program(ls.clone(), "/");
    let ops = ops(&mut k);
    let args = Args::new(&["ls"], "/bin/ls");
    let params = args.params();
    let cpu = x86_cpu();
    let mut plan = new_plan();
    assert_eq!(
        unsafe { execcore_prepare(&cpu, &params, &ops, &mut *plan, std::ptr::null_mut()) },
        EXECCORE_OK
    );
    let mut report = execcore_load_report::default();
    // An early refusal still describes itself in `out_error` (found by the c_abi fuzzer:
    // it used to leave a stale error there).
    let mut err = execcore_error { status: 5, errno_value: 99, value: 7 };
    let st = unsafe { execcore_load(&*plan, &ops, 7, &mut report, &mut err) };
    assert_eq!(st, EXECCORE_ERR_INVALID_PARAMETER);
    assert_eq!((err.status, err.errno_value, err.value), (st, 22, 0));
    let st = unsafe { execcore_load(&*plan, &ops, EXECCORE_LOAD_EAGER, &mut report, std::ptr::null_mut()) };
    assert_eq!(st, EXECCORE_OK);
    assert!(report.copy_calls >= 8 && report.bytes_copied > 100_000, "{report:?}");
    // The bytes at the entry point of ld.so are the file's, as the resolver says too.
    let mut layout = execcore_layout::default();
    unsafe { execcore_plan_layout(&*plan, &mut layout) };
    let mut fill = execcore_page_fill::default();
    assert_eq!(unsafe { execcore_resolve_fault(&*plan, layout.entry, &mut fill) }, EXECCORE_OK);
    assert_eq!(fill.image, 1);
    assert_eq!(fill.file, 1);
    assert!(fill.npieces == 1 && fill.prot & EXECCORE_PROT_EXEC != 0);
    let interp = &k.files[1];
    let rel = layout.entry - fill.page;
    let want = interp[(fill.file_offset[0] + rel) as usize];
    assert_eq!(k.memory[&layout.entry], want);
    assert_eq!(
        unsafe { execcore_resolve_fault(&*plan, 0x1000, &mut fill) },
        exec_status(ExecCode::NotMapped)
    );
}

#[test]
fn plans_an_aarch64_program_with_bti() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/bin/aarch64-bti");
    let mut k = Kernel::program(std::fs::read(&path).unwrap(), "/");
    let ops = ops(&mut k);
    let args = Args::new(&["bti"], "/bti");
    let params = args.params();
    let cpu = execcore_cpu { arch: EXECCORE_ARCH_AARCH64, flags: EXECCORE_CPU_BTI, ..Default::default() };
    let mut plan = new_plan();
    assert_eq!(
        unsafe { execcore_prepare(&cpu, &params, &ops, &mut *plan, std::ptr::null_mut()) },
        EXECCORE_OK
    );
    let (mut nmap, mut naux) = (0usize, 0usize);
    unsafe { execcore_plan_counts(&*plan, &mut nmap, &mut naux) };
    let mut maps = vec![execcore_mapping::default(); nmap];
    let mut got = 0;
    assert_eq!(unsafe { execcore_plan_mappings(&*plan, maps.as_mut_ptr(), nmap, &mut got) }, EXECCORE_OK);
    assert!(maps
        .iter()
        .filter(|m| m.prot & EXECCORE_PROT_EXEC != 0)
        .all(|m| m.prot & EXECCORE_PROT_BTI != 0));
    let mut entry = execcore_entry_state::default();
    unsafe { execcore_plan_entry(&*plan, &mut entry) };
    assert_eq!(entry.arch_flags & 1, 1, "BTI requested by the program");
    // Without kernel BTI support: no PROT_BTI.
    let cpu = execcore_cpu { arch: EXECCORE_ARCH_AARCH64, ..Default::default() };
    assert_eq!(
        unsafe { execcore_prepare(&cpu, &params, &ops, &mut *plan, std::ptr::null_mut()) },
        EXECCORE_OK
    );
    unsafe { execcore_plan_mappings(&*plan, maps.as_mut_ptr(), nmap, &mut got) };
    assert!(maps.iter().all(|m| m.prot & EXECCORE_PROT_BTI == 0));
}

#[test]
fn with_file_size_a_truncated_program_fails_in_prepare() {
    let mut ls = std::fs::read("/bin/ls").unwrap();
    ls.truncate(ls.len() / 2);
    let mut k = Kernel::program(ls, "/");
    let args = Args::new(&["ls"], "/bin/ls");
    let params = args.params();
    let mut plan = new_plan();
    let mut err = execcore_error::default();
    // Without file_size the truncation goes unseen until the load.
    let ops = ops(&mut k);
    assert_eq!(unsafe { execcore_prepare(&x86_cpu(), &params, &ops, &mut *plan, &mut err) }, EXECCORE_OK);
    let with_size = execcore_ops { file_size: Some(file_size), ..ops };
    // Linux maps segments past the end of the file, but zeroing the bss tail of the data
    // segment, whose page is now past it, faults (EFAULT after the point of no return).
    let st = unsafe { execcore_prepare(&x86_cpu(), &params, &with_size, &mut *plan, &mut err) };
    assert_eq!(st, exec_status(ExecCode::BssTailUnzeroable));
    assert_eq!((err.status, err.errno_value), (st, 14));
    // The hardened profile refuses any segment outside the file.
    let hardened = execcore_exec_params { profile: EXECCORE_PROFILE_HARDENED, ..params };
    let st = unsafe { execcore_prepare(&x86_cpu(), &hardened, &with_size, &mut *plan, &mut err) };
    assert_eq!(st, elf_status(elf_stream::ErrorCode::SegmentOutsideFile));
    assert_eq!((err.status, err.errno_value), (st, 8));
}

#[test]
fn without_read_into_one_read_at_per_bounce_buffer() {
    let ls = std::fs::read("/bin/ls").unwrap();
    let mut k = Kernel::program(ls, "/");
    let args = Args::new(&["ls"], "/bin/ls");
    let params = args.params();
    let mut plan = new_plan();
    let mut bounce = vec![0u8; 64 << 10];
    let ops = execcore_ops { bounce_buffer: bounce.as_mut_ptr(), bounce_size: bounce.len(), ..ops(&mut k) };
    assert_eq!(
        unsafe { execcore_prepare(&x86_cpu(), &params, &ops, &mut *plan, std::ptr::null_mut()) },
        EXECCORE_OK
    );
    let before = unsafe { kernel(ops.ctx) }.reads.len();
    let mut report = execcore_load_report::default();
    let st = unsafe { execcore_load(&*plan, &ops, EXECCORE_LOAD_EAGER, &mut report, std::ptr::null_mut()) };
    assert_eq!(st, EXECCORE_OK);
    let reads = &unsafe { kernel(ops.ctx) }.reads[before..];
    // Every copy is ceil(len / 64 KiB) reads of at most the buffer: never one per 512 bytes.
    let bound = report.copy_calls + report.bytes_copied.div_ceil(bounce.len() as u64);
    assert!(reads.len() as u64 <= bound, "{} reads for {report:?}", reads.len());
    assert!(reads.iter().all(|&n| n <= bounce.len()));
    assert!(reads.iter().any(|&n| n > 512), "the buffer is used");
    // The bytes arrived: ld.so's entry matches its file.
    let mut layout = execcore_layout::default();
    unsafe { execcore_plan_layout(&*plan, &mut layout) };
    let mut fill = execcore_page_fill::default();
    assert_eq!(unsafe { execcore_resolve_fault(&*plan, layout.entry, &mut fill) }, EXECCORE_OK);
    let k = unsafe { kernel(ops.ctx) };
    let want = k.files[1][(fill.file_offset[0] + layout.entry - fill.page) as usize];
    assert_eq!(k.memory[&layout.entry], want);
}

#[test]
fn a_failed_build_stack_leaves_the_new_space_empty() {
    let ls = std::fs::read("/bin/ls").unwrap();
    let mut k = Kernel::program(ls, "/");
    let args = Args::new(&["ls"], "/bin/ls");
    let params = args.params();
    let mut plan = new_plan();
    let ops = ops(&mut k);
    assert_eq!(
        unsafe { execcore_prepare(&x86_cpu(), &params, &ops, &mut *plan, std::ptr::null_mut()) },
        EXECCORE_OK
    );
    let mut report = execcore_load_report::default();
    let st = unsafe { execcore_load(&*plan, &ops, EXECCORE_LOAD_EAGER, &mut report, std::ptr::null_mut()) };
    assert_eq!(st, EXECCORE_OK);
    // The stack's writes fail: the stack and both images are unmapped again.
    let failing = execcore_ops { write: Some(refuse_write), ..ops };
    let mut entry = execcore_entry_state::default();
    let mut err = execcore_error::default();
    let calls_before = unsafe { kernel(ops.ctx) }.calls.len();
    let st = unsafe { execcore_build_stack(&*plan, &params, &failing, &mut entry, &mut err) };
    assert_eq!((st, err.errno_value), (exec_status(ExecCode::AddressSpaceFailed), 12));
    let mut layout = execcore_layout::default();
    unsafe { execcore_plan_layout(&*plan, &mut layout) };
    let unmapped: Vec<&String> =
        unsafe { kernel(ops.ctx) }.calls[calls_before..].iter().filter(|c| c.starts_with("unmap")).collect();
    assert_eq!(unmapped.len(), 3, "stack, program and interpreter unmapped: {unmapped:?}");
    assert!(
        unmapped.iter().any(|c| c.starts_with(&format!("unmap {:#x}", layout.stack_start))),
        "{unmapped:?}"
    );
}

unsafe extern "C" fn refuse_write(_: *mut std::ffi::c_void, _: u64, _: *const u8, _: usize) -> i32 {
    12
}
