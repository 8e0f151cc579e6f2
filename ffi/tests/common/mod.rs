//! What the C ABI tests share: the mock C kernel (`test_support::ckernel`), the status
//! of each error code, the exec parameters of an argument vector.
// Each test file uses its own part.
#![allow(dead_code)]

pub use exec_core::{ArchCode, ErrorCode, ExecCode};
use execcore_ffi::*;
pub use test_support::ckernel::*;

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
