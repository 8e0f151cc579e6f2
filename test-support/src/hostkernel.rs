//! The host kernel as an oracle: a program is executed under ptrace with ASLR off, as an
//! unprivileged user (so `vm.mmap_min_addr` applies to it), and stopped at its exec stop,
//! before its first instruction; what the kernel built — mappings, registers, auxv,
//! start_brk, stack top — is read from /proc, then the program is killed. It never runs.

use crate::maps::Vma;
use std::ffi::CString;
use std::path::Path;
use std::time::{Duration, Instant};

/// How an exec ended on the kernel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exec {
    /// Stopped at the first instruction of the new image.
    Ran,
    /// `execve` returned this errno: the old image survived.
    Failed(i32),
    /// The process died during the exec, after the point of no return (signal number).
    Killed(i32),
    /// Neither stopped nor ended within the time limit.
    Timeout,
}

/// What the kernel did with one program.
#[derive(Clone, Debug)]
pub struct Run {
    /// The exec's end.
    pub exec: Exec,
    /// The auxv (without AT_NULL); empty unless the exec ran.
    pub auxv: Vec<(u64, u64)>,
    /// Every mapping at the first instruction.
    pub maps: Vec<Vma>,
    /// The program counter at the first instruction.
    pub pc: u64,
    /// The stack pointer at the first instruction.
    pub sp: u64,
    /// `start_brk` (/proc/PID/stat field 47).
    pub start_brk: u64,
    /// The end of the `[stack]` mapping.
    pub stack_top: u64,
    /// How much of the process the tracer read.
    pub reading: Reading,
}

/// How much of a process's first-instruction state a tracer read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Reading {
    /// Everything, at the process's word size.
    #[default]
    Whole,
    /// A 64-bit process read as a 32-bit one (sysoracle's tracer takes the word size from
    /// the file's EI_CLASS, which arm64's own loader never reads): only the low 32 bits of
    /// pc and sp, and the auxv entries rebuilt from its 32-bit pairs up to where it stopped
    /// reading; maps, brk and stack top are whole.
    Low32,
}

impl Reading {
    /// The bits of pc and sp that were read.
    pub fn register_mask(self) -> u64 {
        match self {
            Reading::Whole => u64::MAX,
            Reading::Low32 => u64::from(u32::MAX),
        }
    }
}

impl Run {
    fn failed(exec: Exec) -> Run {
        Run {
            exec,
            auxv: Vec::new(),
            maps: Vec::new(),
            pc: 0,
            sp: 0,
            start_brk: 0,
            stack_top: 0,
            reading: Reading::Whole,
        }
    }

    /// The value of auxv entry `t`.
    pub fn aux(&self, t: u64) -> Option<u64> {
        self.auxv.iter().find(|e| e.0 == t).map(|e| e.1)
    }
}

/// How [`run`] starts a program.
#[derive(Clone, Debug)]
pub struct Launch {
    /// The uid and gid the program runs as (`None`: the caller's).
    pub user: Option<(u32, u32)>,
    /// `RLIMIT_STACK`.
    pub stack_limit: u64,
    /// The environment strings.
    pub envp: Vec<String>,
    /// How long the exec may take before the program is killed.
    pub timeout: Duration,
}

impl Default for Launch {
    /// nobody (65534) when run as root (the caller's user otherwise: unprivileged too),
    /// 8 MiB stack, `ORACLE=1`, ten seconds (an exec takes milliseconds; the limit only
    /// stops a hung one).
    fn default() -> Self {
        // SAFETY: geteuid has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        Launch {
            user: root.then_some((65534, 65534)),
            stack_limit: 8 << 20,
            envp: vec!["ORACLE=1".into()],
            timeout: Duration::from_secs(10),
        }
    }
}

/// `vm.mmap_min_addr` of the host (applies to unprivileged programs).
pub fn mmap_min_addr() -> u64 {
    std::fs::read_to_string("/proc/sys/vm/mmap_min_addr")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .expect("/proc/sys/vm/mmap_min_addr")
}

/// How the host kernel commits private writable memory: `vm.overcommit_memory` 0 (the
/// heuristic: RAM + swap from `/proc/meminfo`), else every mapping (mode 1; mode 2's
/// cumulative limit is not modelled).
pub fn overcommit() -> exec_core::Overcommit {
    let mode = std::fs::read_to_string("/proc/sys/vm/overcommit_memory").expect("overcommit_memory");
    if mode.trim() != "0" {
        return exec_core::Overcommit::Always;
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").expect("/proc/meminfo");
    let kib = |key: &str| -> u64 {
        let line = meminfo.lines().find(|l| l.starts_with(key)).unwrap_or_else(|| panic!("no {key}"));
        line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{line}"))
    };
    exec_core::Overcommit::Heuristic { ram_and_swap: (kib("MemTotal:") + kib("SwapTotal:")) << 10 }
}

/// The host kernel's version as (major, minor), from `uname -r` (`6.18.44-...` -> (6, 18)).
pub fn kernel_version() -> (u16, u16) {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").expect("osrelease");
    let mut parts = release.trim().split(['.', '-']).map(|p| p.parse::<u16>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

fn parse_maps(text: &str) -> Vec<Vma> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let (a, b) = f.first()?.split_once('-')?;
            Some(Vma {
                start: u64::from_str_radix(a, 16).ok()?,
                end: u64::from_str_radix(b, 16).ok()?,
                perms: f.get(1)?.to_string(),
                path: f.get(5).map_or(String::new(), |s| s.to_string()),
            })
        })
        .collect()
}

/// Waits for `pid` until `deadline`; `None` on timeout.
fn wait_until(pid: libc::pid_t, deadline: Instant) -> Option<i32> {
    loop {
        let mut status = 0;
        // SAFETY: polls our own child; `status` is a valid out-pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            return Some(status);
        }
        assert!(r == 0, "waitpid: {}", std::io::Error::last_os_error());
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn kill_and_reap(pid: libc::pid_t) {
    // SAFETY: kills and reaps our own child, which is stopped or running.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
        let mut status = 0;
        libc::waitpid(pid, &mut status, 0);
    }
}

/// Executes `path` (argv `[path]`) as `launch` says and reports what the kernel built at
/// the first instruction.
pub fn run(path: &Path, launch: &Launch) -> Run {
    let cpath = CString::new(path.to_str().expect("UTF-8 path")).unwrap();
    let envs: Vec<CString> = launch.envp.iter().map(|e| CString::new(e.as_str()).unwrap()).collect();
    let mut envp: Vec<*const libc::c_char> = envs.iter().map(|e| e.as_ptr()).collect();
    envp.push(std::ptr::null());
    let argv = [cpath.as_ptr(), std::ptr::null()];
    let rlim = libc::rlimit { rlim_cur: launch.stack_limit, rlim_max: libc::RLIM_INFINITY };
    let mut pipe = [0; 2];
    // SAFETY: `pipe` has room for the two descriptors.
    assert_eq!(unsafe { libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    // SAFETY: the child only makes async-signal-safe system calls on memory prepared
    // before the fork, then execs or exits.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
    if pid == 0 {
        // SAFETY: as above; every pointer is to memory allocated before the fork.
        unsafe {
            libc::close(pipe[0]);
            libc::setrlimit(libc::RLIMIT_STACK, &rlim);
            libc::personality(libc::ADDR_NO_RANDOMIZE as libc::c_ulong);
            if let Some((uid, gid)) = launch.user {
                if libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(gid) != 0
                    || libc::setuid(uid) != 0
                {
                    libc::_exit(126);
                }
            }
            libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0);
            libc::execve(cpath.as_ptr(), argv.as_ptr(), envp.as_ptr());
            let e = *libc::__errno_location();
            libc::write(pipe[1], (&e as *const i32).cast(), 4);
            libc::_exit(127);
        }
    }
    // SAFETY: closes our copy of the write end.
    unsafe { libc::close(pipe[1]) };
    let read_errno = || {
        let mut e = 0i32;
        // SAFETY: reads at most 4 bytes into `e`.
        let n = unsafe { libc::read(pipe[0], (&mut e as *mut i32).cast(), 4) };
        (n == 4).then_some(e)
    };
    let deadline = Instant::now() + launch.timeout;
    let result = match wait_until(pid, deadline) {
        None => {
            kill_and_reap(pid);
            Run::failed(Exec::Timeout)
        }
        Some(st) if libc::WIFSTOPPED(st) && libc::WSTOPSIG(st) == libc::SIGTRAP => {
            let r = observe(pid);
            kill_and_reap(pid);
            r
        }
        Some(st) if libc::WIFSTOPPED(st) => {
            // A signal during the exec (a fatal one after the point of no return).
            kill_and_reap(pid);
            Run::failed(Exec::Killed(libc::WSTOPSIG(st)))
        }
        Some(st) if libc::WIFEXITED(st) => match read_errno() {
            Some(e) => Run::failed(Exec::Failed(e)),
            None => panic!("{}: the child exited {} before its exec", path.display(), libc::WEXITSTATUS(st)),
        },
        Some(st) if libc::WIFSIGNALED(st) => Run::failed(Exec::Killed(libc::WTERMSIG(st))),
        Some(st) => panic!("{}: wait status {st:#x}", path.display()),
    };
    // SAFETY: closes our read end.
    unsafe { libc::close(pipe[0]) };
    result
}

/// Reads the stopped child's image.
fn observe(pid: libc::pid_t) -> Run {
    let proc = |f: &str| std::fs::read(format!("/proc/{pid}/{f}")).unwrap_or_default();
    let auxv: Vec<(u64, u64)> = proc("auxv")
        .chunks_exact(16)
        .map(|c| {
            (u64::from_ne_bytes(c[..8].try_into().unwrap()), u64::from_ne_bytes(c[8..].try_into().unwrap()))
        })
        .take_while(|e| e.0 != 0)
        .collect();
    let maps = parse_maps(&String::from_utf8_lossy(&proc("maps")));
    let stat = String::from_utf8_lossy(&proc("stat")).into_owned();
    let fields: Vec<&str> = stat[stat.rfind(')').map_or(0, |i| i + 2)..].split_whitespace().collect();
    // Field 47 (start_brk), counted from 1 with pid and comm before `fields`.
    let start_brk = fields.get(47 - 3).and_then(|f| f.parse().ok()).unwrap_or(0);
    let stack_top = maps.iter().find(|m| m.path == "[stack]").map_or(0, |m| m.end);
    let (pc, sp) = registers(pid);
    Run { exec: Exec::Ran, auxv, maps, pc, sp, start_brk, stack_top, reading: Reading::Whole }
}

#[cfg(target_arch = "x86_64")]
fn registers(pid: libc::pid_t) -> (u64, u64) {
    // SAFETY: user_regs_struct is plain integers; all-zero is a valid value.
    let mut regs: libc::user_regs_struct = unsafe { std::mem::zeroed() };
    // SAFETY: the child is stopped under our trace; `regs` is the buffer GETREGS fills.
    let r = unsafe { libc::ptrace(libc::PTRACE_GETREGS, pid, 0, &mut regs as *mut libc::user_regs_struct) };
    assert_eq!(r, 0, "PTRACE_GETREGS: {}", std::io::Error::last_os_error());
    (regs.rip, regs.rsp)
}

#[cfg(not(target_arch = "x86_64"))]
fn registers(_pid: libc::pid_t) -> (u64, u64) {
    (0, 0)
}
