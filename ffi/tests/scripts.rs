//! `execcore_follow_scripts` through the C callback table: the rewritten argv as C
//! pointers in caller storage, the handles opened, planning the interpreter it ends at,
//! a too-small argv buffer, ELOOP in the CPU's numbering, NULL arguments.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
// The test kernel's blocks dereference its own context pointer and the buffers the
// library hands its callbacks, as the C ABI promises; one comment here, not one per block.
#![allow(clippy::undocumented_unsafe_blocks)]

mod common;

use common::*;
use execcore_ffi::*;
use std::ffi::CStr;
use test_support::temp::TempDir;

fn new_script() -> Box<execcore_script> {
    Box::new(execcore_script {
        file: 99,
        depth: 99,
        opened_count: 99,
        opened: [99; EXECCORE_SCRIPT_MAX_OPENED],
        opaque: [0x5a5a_5a5a_5a5a_5a5a; EXECCORE_SCRIPT_WORDS],
    })
}

/// A root with `/s2` (a script naming /bin/ls), /bin/ls and its ld.so.
fn root() -> TempDir {
    let dir = TempDir::new("ffi-scripts");
    for (name, bytes) in [
        ("s2", b"#!/bin/ls -l\n".to_vec()),
        ("bin/ls", std::fs::read("/bin/ls").unwrap()),
        ("lib64/ld-linux-x86-64.so.2", std::fs::read("/lib64/ld-linux-x86-64.so.2").unwrap()),
    ] {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    dir
}

fn strings(argv: &[*const u8]) -> Vec<String> {
    argv.iter().map(|&p| unsafe { CStr::from_ptr(p.cast()) }.to_str().unwrap().to_string()).collect()
}

#[test]
fn follows_two_scripts_and_plans_the_interpreter() {
    let dir = root();
    let mut k = Kernel::program(b"#!/s2 a b\n".to_vec(), dir.to_path_buf());
    let ops = ops(&mut k);
    // execfn as a C string: the NUL right after its length.
    let args = Args::new(&["argv0", "x"], "./s1\0");
    let mut params = args.params();
    params.execfn_len -= 1;
    let cpu = x86_cpu();
    let mut script = new_script();
    let mut argv = [std::ptr::null::<u8>(); 2 + EXECCORE_SCRIPT_EXTRA_ARGS];
    let mut argc = 0usize;
    let st = unsafe {
        execcore_follow_scripts(
            &cpu,
            &params,
            &ops,
            &mut *script,
            argv.as_mut_ptr(),
            argv.len(),
            &mut argc,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(st, EXECCORE_OK);
    assert_eq!(strings(&argv[..argc]), ["/bin/ls", "-l", "/s2", "a b", "./s1", "x"]);
    // The original strings are the caller's own pointers.
    assert_eq!(argv[5], unsafe { *params.argv.add(1) });
    assert_eq!((script.depth, script.opened_count), (2, 2));
    // Handles: 1 is /s2 (only read), 2 is /bin/ls, the file to plan.
    assert_eq!(&script.opened[..2], &[1, 2]);
    assert_eq!(script.file, 2);
    params.file = script.file;
    params.argv = argv.as_ptr();
    params.argc = argc;
    let mut plan = new_plan();
    let mut err = execcore_error::default();
    let st = unsafe { execcore_prepare(&cpu, &params, &ops, &mut *plan, &mut err) };
    assert_eq!(st, EXECCORE_OK, "{err:?}");
    let mut layout = execcore_layout::default();
    assert_eq!(unsafe { execcore_plan_layout(&*plan, &mut layout) }, EXECCORE_OK);
    assert_eq!(layout.has_interp, 1, "ls is dynamic: its ld.so is planned too");
}

/// One `execcore_follow_scripts` call on a kernel whose file 0 holds `first` and whose
/// interpreters are under `root`, with argv `["s1"]`, execfn `./s1` and `capacity` slots.
struct Follow {
    status: execcore_status,
    err: execcore_error,
    /// From `Box::into_raw`, freed on drop: the argv points into it, and moving a `Box`
    /// would (under Stacked Borrows) invalidate those pointers as C never would.
    script: *mut execcore_script,
    argv: Vec<*const u8>,
    argc: usize,
    /// The strings the original argv pointers point to.
    args: Args,
}

impl Drop for Follow {
    fn drop(&mut self) {
        // SAFETY: from `Box::into_raw` in `follow`, freed only here.
        drop(unsafe { Box::from_raw(self.script) });
    }
}

fn follow(cpu: &execcore_cpu, first: &[u8], root: &std::path::Path, capacity: usize) -> Follow {
    let mut k = Kernel::program(first.to_vec(), root.to_path_buf());
    let ops = ops(&mut k);
    let mut f = Follow {
        status: -1,
        err: execcore_error::default(),
        script: Box::into_raw(new_script()),
        argv: vec![std::ptr::null(); capacity],
        argc: 0,
        args: Args::new(&["s1"], "./s1\0"),
    };
    let params = f.args.params();
    f.status = unsafe {
        execcore_follow_scripts(
            cpu,
            &params,
            &ops,
            f.script,
            f.argv.as_mut_ptr(),
            capacity,
            &mut f.argc,
            &mut f.err,
        )
    };
    f
}

#[test]
fn a_file_that_is_no_script_keeps_its_argv() {
    let mut k = Kernel::program(std::fs::read("/bin/ls").unwrap(), "/");
    let ops = ops(&mut k);
    let args = Args::new(&["ls", "-a"], "/bin/ls");
    let params = args.params();
    let mut script = new_script();
    let mut argv = [std::ptr::null::<u8>(); 2];
    let mut argc = 0usize;
    let st = unsafe {
        execcore_follow_scripts(
            &x86_cpu(),
            &params,
            &ops,
            &mut *script,
            argv.as_mut_ptr(),
            2,
            &mut argc,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(st, EXECCORE_OK);
    assert_eq!((script.file, script.depth, script.opened_count, argc), (0, 0, 0, 2));
    let original = unsafe { std::slice::from_raw_parts(params.argv, 2) };
    assert_eq!(&argv[..], original);
}

#[test]
fn too_small_an_argv_says_how_many() {
    let dir = root();
    let f = follow(&x86_cpu(), b"#!/s2\n", &dir, 3);
    assert_eq!(
        (f.status, f.argc, f.err.status),
        (EXECCORE_ERR_BUFFER_TOO_SMALL, 4, EXECCORE_ERR_BUFFER_TOO_SMALL)
    );
    assert!(f.argv.iter().all(|p| p.is_null()), "nothing written");
    let f = follow(&x86_cpu(), b"#!/s2\n", &dir, 4);
    assert_eq!((f.status, f.argc), (EXECCORE_OK, 4));
    assert_eq!(strings(&f.argv), ["/bin/ls", "-l", "/s2", "./s1"]);
}

#[test]
fn errors_carry_linux_errnos() {
    // Six scripts in a row: ELOOP (40; 90 on Linux/MIPS), after six opens.
    let dir = TempDir::new("ffi-scripts-deep");
    for k in 2..=6 {
        std::fs::write(dir.join(format!("s{k}")), format!("#!/s{}\n", k + 1)).unwrap();
    }
    std::fs::write(dir.join("s7"), b"\x7fELF").unwrap();
    let mips =
        execcore_cpu { arch: EXECCORE_ARCH_MIPS, mips_model: EXECCORE_MIPS_CPU_5KEF, ..Default::default() };
    for (cpu, eloop) in [(x86_cpu(), 40), (mips, 90)] {
        let f = follow(&cpu, b"#!/s2\n", &dir, 16);
        assert_eq!((f.status, f.err.errno_value), (exec_status(ExecCode::ScriptTooDeep), eloop));
        assert_eq!(unsafe { (*f.script).opened_count }, 6);
    }
    // A missing interpreter: ENOENT from the callback; a line with no interpreter: ENOEXEC.
    for (line, status, errno) in [
        (&b"#!/nowhere\n"[..], exec_status(ExecCode::ScriptInterpreterOpenFailed), 2),
        (b"#! \n", exec_status(ExecCode::ScriptNoInterpreter), 8),
    ] {
        let f = follow(&x86_cpu(), line, &dir, 16);
        assert_eq!((f.status, f.err.errno_value), (status, errno));
        assert_eq!(execcore_status_errno(status), errno);
    }
}

#[test]
fn null_arguments_are_refused() {
    let mut k = Kernel::program(b"#!/s2\n".to_vec(), "/");
    let ops = ops(&mut k);
    let args = Args::new(&["s1"], "./s1\0");
    let params = args.params();
    let mut argc = 0usize;
    let mut script = new_script();
    let st = unsafe {
        execcore_follow_scripts(
            &x86_cpu(),
            &params,
            &ops,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
            &mut argc,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(st, EXECCORE_ERR_NULL_ARGUMENT);
    let st = unsafe {
        execcore_follow_scripts(
            std::ptr::null(),
            &params,
            &ops,
            &mut *script,
            std::ptr::null_mut(),
            0,
            &mut argc,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(st, EXECCORE_ERR_NULL_ARGUMENT);
}
