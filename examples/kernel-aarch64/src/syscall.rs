//! The Linux arm64 system calls these programs need (numbers from asm-generic unistd.h).

use crate::fs::{self, Fd, Io, Kind};
use crate::initramfs;
use crate::mm::PAGE;
use crate::proc::{self, Backing, Vma, MAX_FDS, PATH_LEN};
use crate::pt::{page_up, BTI, R, W, X};
use crate::trap::TrapFrame;
use crate::{log, Global};
use elf_stream::Errno;

const EBADF: Errno = Errno(9);
const ENOTDIR: Errno = Errno(20);
const EISDIR: Errno = Errno(21);
const EMFILE: Errno = Errno(24);
const ENOTTY: Errno = Errno(25);
const ESPIPE: Errno = Errno(29);
const ENOSYS: Errno = Errno(38);
const ERANGE: Errno = Errno(34);
const EEXIST: Errno = Errno(17);

const AT_FDCWD: i64 = -100;
/// End of the user address range (48-bit TTBR0, Linux's map window).
const USER_END: u64 = 1 << 48;

/// What a system call does to its caller.
enum Ret {
    /// Return this value in x0.
    Value(u64),
    /// The frame was replaced (exec, exit, blocking): leave x0 alone.
    Switched,
}

fn ok(v: u64) -> Result<Ret, Errno> {
    Ok(Ret::Value(v))
}

/// Handles the `svc` in `frame` (x8 the number, x0..x5 the arguments).
pub fn dispatch(frame: &mut TrapFrame) {
    let nr = frame.x[8];
    let a = [frame.x[0], frame.x[1], frame.x[2], frame.x[3], frame.x[4], frame.x[5]];
    match call(frame, nr, a) {
        Ok(Ret::Value(v)) => frame.x[0] = v,
        Ok(Ret::Switched) => {}
        Err(e) => frame.x[0] = (-(e.0 as i64)) as u64,
    }
}

static UNKNOWN_LOGGED: Global<[u64; 8]> = Global::new([0; 8]);

fn unknown(nr: u64) -> Result<Ret, Errno> {
    // Logged once per number (a bitmap of the first 512).
    let seen = UNKNOWN_LOGGED.get();
    let (w, b) = ((nr / 64) as usize, nr % 64);
    if w < seen.len() && seen[w] & (1 << b) == 0 {
        seen[w] |= 1 << b;
        log!("unknown system call {} (ENOSYS)", nr);
    }
    Err(ENOSYS)
}

fn call(frame: &mut TrapFrame, nr: u64, a: [u64; 6]) -> Result<Ret, Errno> {
    match nr {
        17 => getcwd(a[0], a[1]),
        23 => dup(a[0] as usize, None, false),
        24 => dup(a[0] as usize, Some(a[1] as usize), a[2] & 0o2000000 != 0),
        25 => fcntl(a[0] as usize, a[1], a[2]),
        29 => ioctl(a[0] as usize, a[1]),
        48 | 439 => faccessat(a[0] as i64, a[1]),
        49 => chdir(a[0]),
        56 => openat(a[0] as i64, a[1], a[2]),
        57 => close(a[0] as usize),
        59 => pipe2(a[0], a[1]),
        61 => getdents64(a[0] as usize, a[1], a[2]),
        62 => lseek(a[0] as usize, a[1] as i64, a[2]),
        63 => read(frame, a[0] as usize, a[1], a[2]),
        64 => write(frame, a[0] as usize, a[1], a[2]),
        65 => readv(frame, a[0] as usize, a[1], a[2]),
        66 => writev(frame, a[0] as usize, a[1], a[2]),
        67 => pread(a[0] as usize, a[1], a[2], a[3]),
        78 => readlinkat(a[0] as i64, a[1], a[2], a[3]),
        79 => fstatat(a[0] as i64, a[1], a[2], a[3]),
        80 => fstat(a[0] as usize, a[1]),
        93 | 94 => {
            proc::exit_current(frame, ((a[0] & 0xff) << 8) as i32);
            Ok(Ret::Switched)
        }
        96 => {
            let p = proc::current();
            p.clear_child_tid = a[0];
            ok(p.pid as u64)
        }
        98 => ok(0),        // futex: one thread per process, nothing to wait for
        99 => ok(0),        // set_robust_list: recorded nowhere (dropped at exec anyway)
        101 | 115 => ok(0), // nanosleep, clock_nanosleep: no timer, return at once
        113 => clock_gettime(a[1]),
        124 => {
            proc::yield_current(frame);
            Ok(Ret::Switched)
        }
        73 => ppoll(a[0], a[1]),
        129 | 131 => kill(frame, a),
        130 => kill(frame, [a[0], a[1], 0, 0, 0, 0]),
        134 => rt_sigaction(a[0] as usize, a[1], a[2]),
        135 => rt_sigprocmask(a[0], a[1], a[2]),
        132 => ok(0),                                // sigaltstack
        153..=157 => ok(proc::current().pid as u64), // pgid/sid: one session
        160 => uname(a[0]),
        166 => ok(0o022),
        167 => ok(0), // prctl: accepted, nothing to do
        172 | 178 => ok(proc::current().pid as u64),
        173 => ok(proc::current().ppid.max(0) as u64),
        174..=177 => ok(0),
        148 | 150 => {
            for ptr in &a[..3] {
                proc::copy_to_user(*ptr, &0u32.to_le_bytes())?;
            }
            ok(0)
        }
        214 => brk(a[0]),
        215 => munmap(a[0], a[1]),
        220 => {
            let pid = proc::fork(frame, a[0], a[1], a[2], a[3], a[4])?;
            ok(pid as u64)
        }
        221 => {
            crate::exec::sys_execve(frame, a[0], a[1], a[2])?;
            Ok(Ret::Switched)
        }
        222 => mmap(a[0], a[1], a[2] as u32, a[3] as u32, a[4] as i32, a[5]),
        226 => mprotect(a[0], a[1], a[2] as u32),
        233 => ok(0), // madvise: advice only
        260 => wait4(frame, a[0] as i32, a[1], a[2]),
        261 => prlimit(a[1] as u32, a[2], a[3]),
        278 => getrandom(a[0], a[1]),
        _ => unknown(nr),
    }
}

fn fd_get(fd: usize) -> Result<Fd, Errno> {
    proc::current().fds.get(fd).copied().flatten().ok_or(EBADF)
}

fn fd_install(file: usize, cloexec: bool, min: usize) -> Result<usize, Errno> {
    let p = proc::current();
    let slot = (min..MAX_FDS).find(|&i| p.fds[i].is_none()).ok_or(EMFILE)?;
    p.fds[slot] = Some(Fd { file, cloexec });
    Ok(slot)
}

/// Resolves `path` relative to `dirfd` (only AT_FDCWD and absolute paths; the cwd is
/// always the root) into `out`.
fn user_path(dirfd: i64, va: u64, out: &mut [u8; PATH_LEN]) -> Result<usize, Errno> {
    let n = proc::read_cstr(va, out)?;
    if n > 0 && out[0] != b'/' && dirfd != AT_FDCWD {
        let f = fs::get(fd_get(dirfd as usize)?.file);
        let Kind::Dir { entry } = f.kind else { return Err(ENOTDIR) };
        let dir = initramfs::entry(entry).ok_or(Errno::ENOENT)?.name;
        let mut joined = [0u8; PATH_LEN];
        let total = dir.len() + 2 + n;
        if total > PATH_LEN {
            return Err(Errno::ENAMETOOLONG);
        }
        joined[0] = b'/';
        joined[1..1 + dir.len()].copy_from_slice(dir);
        joined[1 + dir.len()] = b'/';
        joined[2 + dir.len()..total].copy_from_slice(&out[..n]);
        out[..total].copy_from_slice(&joined[..total]);
        return Ok(total);
    }
    Ok(n)
}

fn is_proc_self_exe(path: &[u8]) -> bool {
    path == b"/proc/self/exe"
}

fn openat(dirfd: i64, path_va: u64, flags: u64) -> Result<Ret, Errno> {
    let mut path = [0u8; PATH_LEN];
    let n = user_path(dirfd, path_va, &mut path)?;
    let path = &path[..n];
    const O_ACCMODE: u64 = 3;
    const O_CREAT: u64 = 0o100;
    const O_DIRECTORY: u64 = 0o200000;
    const O_CLOEXEC: u64 = 0o2000000;
    let entry = if is_proc_self_exe(path) {
        let p = proc::current();
        initramfs::lookup(&p.exe[..p.exe_len])
    } else if path == b"/dev/null" || path == b"/dev/tty" || path == b"/dev/console" {
        let f = fs::open_console()?;
        return ok(fd_install(f, flags & O_CLOEXEC != 0, 0)? as u64);
    } else {
        initramfs::lookup(path)
    };
    let entry = match entry {
        Some(e) => e,
        None if flags & O_CREAT != 0 => return Err(Errno(30)), // EROFS
        None => return Err(Errno::ENOENT),
    };
    let e = initramfs::entry(entry).ok_or(Errno::ENOENT)?;
    let is_dir = e.mode & initramfs::S_IFMT == initramfs::S_IFDIR;
    if flags & O_ACCMODE != 0 {
        return Err(if is_dir { EISDIR } else { Errno(30) });
    }
    if flags & O_DIRECTORY != 0 && !is_dir {
        return Err(ENOTDIR);
    }
    let f = fs::open_entry(entry)?;
    match fd_install(f, flags & O_CLOEXEC != 0, 0) {
        Ok(fd) => ok(fd as u64),
        Err(err) => {
            fs::close(f);
            Err(err)
        }
    }
}

fn close(fd: usize) -> Result<Ret, Errno> {
    let f = fd_get(fd)?;
    proc::current().fds[fd] = None;
    fs::close(f.file);
    proc::wake_all();
    ok(0)
}

fn dup(old: usize, new: Option<usize>, cloexec: bool) -> Result<Ret, Errno> {
    let f = fd_get(old)?;
    match new {
        None => {
            fs::dup_ref(f.file);
            ok(fd_install(f.file, false, 0)? as u64)
        }
        Some(new) => {
            if new >= MAX_FDS {
                return Err(EBADF);
            }
            if new == old {
                return Err(Errno::EINVAL);
            }
            fs::dup_ref(f.file);
            let p = proc::current();
            if let Some(prev) = p.fds[new].replace(Fd { file: f.file, cloexec }) {
                fs::close(prev.file);
                proc::wake_all();
            }
            ok(new as u64)
        }
    }
}

fn fcntl(fd: usize, cmd: u64, arg: u64) -> Result<Ret, Errno> {
    let f = fd_get(fd)?;
    match cmd {
        0 | 1030 => {
            // F_DUPFD, F_DUPFD_CLOEXEC
            fs::dup_ref(f.file);
            ok(fd_install(f.file, cmd == 1030, arg as usize)? as u64)
        }
        1 => ok(u64::from(f.cloexec)),
        2 => {
            proc::current().fds[fd] = Some(Fd { file: f.file, cloexec: arg & 1 != 0 });
            ok(0)
        }
        3 => ok(match fs::get(f.file).kind {
            Kind::PipeWrite(_) => 1,
            Kind::Console => 2,
            _ => 0,
        }),
        4 => ok(0),
        _ => Err(Errno::EINVAL),
    }
}

fn ioctl(fd: usize, _req: u64) -> Result<Ret, Errno> {
    fd_get(fd)?;
    // TIOCGWINSZ, TCGETS...: no terminal here.
    Err(ENOTTY)
}

fn faccessat(dirfd: i64, path_va: u64) -> Result<Ret, Errno> {
    let mut path = [0u8; PATH_LEN];
    let n = user_path(dirfd, path_va, &mut path)?;
    initramfs::lookup(&path[..n]).ok_or(Errno::ENOENT)?;
    ok(0)
}

fn chdir(path_va: u64) -> Result<Ret, Errno> {
    let mut path = [0u8; PATH_LEN];
    let n = proc::read_cstr(path_va, &mut path)?;
    let e = initramfs::lookup(&path[..n]).and_then(initramfs::entry).ok_or(Errno::ENOENT)?;
    if e.mode & initramfs::S_IFMT != initramfs::S_IFDIR {
        return Err(ENOTDIR);
    }
    if !e.name.is_empty() {
        return Err(Errno::EPERM); // the working directory stays the root
    }
    ok(0)
}

fn getcwd(buf: u64, size: u64) -> Result<Ret, Errno> {
    if size < 2 {
        return Err(ERANGE);
    }
    proc::copy_to_user(buf, b"/\0")?;
    ok(2)
}

fn pipe2(fds_va: u64, flags: u64) -> Result<Ret, Errno> {
    let (r, w) = fs::open_pipe()?;
    let cloexec = flags & 0o2000000 != 0;
    let rfd = match fd_install(r, cloexec, 0) {
        Ok(fd) => fd,
        Err(e) => {
            fs::close(r);
            fs::close(w);
            return Err(e);
        }
    };
    let wfd = match fd_install(w, cloexec, 0) {
        Ok(fd) => fd,
        Err(e) => {
            proc::current().fds[rfd] = None;
            fs::close(r);
            fs::close(w);
            return Err(e);
        }
    };
    let mut out = [0u8; 8];
    out[..4].copy_from_slice(&(rfd as u32).to_le_bytes());
    out[4..].copy_from_slice(&(wfd as u32).to_le_bytes());
    proc::copy_to_user(fds_va, &out)?;
    ok(0)
}

fn getdents64(fd: usize, buf: u64, len: u64) -> Result<Ret, Errno> {
    let f = fs::get(fd_get(fd)?.file);
    let Kind::Dir { entry } = f.kind else { return Err(ENOTDIR) };
    let mut written = 0u64;
    let mut rec = [0u8; 300];
    while let Some((i, name)) = initramfs::next_child(entry, f.offset as usize) {
        let reclen = (19 + name.len() + 1 + 7) & !7;
        if written + reclen as u64 > len {
            if written == 0 {
                return Err(Errno::EINVAL);
            }
            break;
        }
        let e = initramfs::entry(i).ok_or(Errno::EIO)?;
        rec[..reclen].fill(0);
        rec[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        rec[8..16].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        rec[16..18].copy_from_slice(&(reclen as u16).to_le_bytes());
        rec[18] = if e.mode & initramfs::S_IFMT == initramfs::S_IFDIR { 4 } else { 8 };
        rec[19..19 + name.len()].copy_from_slice(name);
        proc::copy_to_user(buf + written, &rec[..reclen])?;
        written += reclen as u64;
        f.offset = i as u64 + 1;
    }
    ok(written)
}

fn lseek(fd: usize, off: i64, whence: u64) -> Result<Ret, Errno> {
    let f = fs::get(fd_get(fd)?.file);
    let size = match f.kind {
        Kind::File { entry } => initramfs::entry(entry).map_or(0, |e| e.data.len() as i64),
        Kind::Dir { .. } => {
            if off == 0 && whence == 0 {
                f.offset = 0;
                return ok(0);
            }
            return Err(Errno::EINVAL);
        }
        _ => return Err(ESPIPE),
    };
    let base = match whence {
        0 => 0,
        1 => f.offset as i64,
        2 => size,
        _ => return Err(Errno::EINVAL),
    };
    let new = base.checked_add(off).filter(|&v| v >= 0).ok_or(Errno::EINVAL)?;
    f.offset = new as u64;
    ok(new as u64)
}

const CHUNK: usize = 1024;

fn read(frame: &mut TrapFrame, fd: usize, buf: u64, len: u64) -> Result<Ret, Errno> {
    let f = fs::get(fd_get(fd)?.file);
    match f.kind {
        Kind::Console => ok(0),
        Kind::Dir { .. } => Err(EISDIR),
        Kind::File { entry } => {
            let e = initramfs::entry(entry).ok_or(Errno::EIO)?;
            let start = (f.offset as usize).min(e.data.len());
            let n = (len as usize).min(e.data.len() - start);
            proc::copy_to_user(buf, &e.data[start..start + n])?;
            f.offset += n as u64;
            ok(n as u64)
        }
        Kind::PipeRead(p) => {
            let mut tmp = [0u8; CHUNK];
            let want = (len as usize).min(CHUNK);
            match fs::pipe_read(p, &mut tmp[..want]) {
                Io::Done(n) => {
                    proc::copy_to_user(buf, &tmp[..n])?;
                    ok(n as u64)
                }
                Io::Block => {
                    proc::block_current(frame);
                    Ok(Ret::Switched)
                }
            }
        }
        Kind::PipeWrite(_) => Err(EBADF),
    }
}

fn write(frame: &mut TrapFrame, fd: usize, buf: u64, len: u64) -> Result<Ret, Errno> {
    let f = fs::get(fd_get(fd)?.file);
    match f.kind {
        Kind::Console => {
            let mut tmp = [0u8; CHUNK];
            let mut done = 0u64;
            while done < len {
                let n = ((len - done) as usize).min(CHUNK);
                if let Err(e) = proc::copy_from_user(buf + done, &mut tmp[..n]) {
                    return if done > 0 { ok(done) } else { Err(e) };
                }
                crate::log::uart_write(&tmp[..n]);
                done += n as u64;
            }
            ok(done)
        }
        Kind::PipeWrite(p) => {
            let mut tmp = [0u8; CHUNK];
            let n = (len as usize).min(CHUNK);
            proc::copy_from_user(buf, &mut tmp[..n])?;
            match fs::pipe_write(p, &tmp[..n])? {
                Io::Done(k) => ok(k as u64),
                Io::Block => {
                    proc::block_current(frame);
                    Ok(Ret::Switched)
                }
            }
        }
        _ => Err(EBADF),
    }
}

fn iovecs(iov: u64, cnt: u64, mut each: impl FnMut(u64, u64) -> Result<Ret, Errno>) -> Result<Ret, Errno> {
    let mut total = 0u64;
    for i in 0..cnt.min(1024) {
        let mut v = [0u8; 16];
        proc::copy_from_user(iov + 16 * i, &mut v)?;
        let base = u64::from_le_bytes(v[..8].try_into().unwrap_or_default());
        let len = u64::from_le_bytes(v[8..].try_into().unwrap_or_default());
        if len == 0 {
            continue;
        }
        match each(base, len) {
            Ok(Ret::Value(n)) => {
                total += n;
                if n < len {
                    break;
                }
            }
            Ok(Ret::Switched) if total == 0 => return Ok(Ret::Switched),
            Ok(Ret::Switched) => break,
            Err(e) if total == 0 => return Err(e),
            Err(_) => break,
        }
    }
    ok(total)
}

fn writev(frame: &mut TrapFrame, fd: usize, iov: u64, cnt: u64) -> Result<Ret, Errno> {
    iovecs(iov, cnt, |b, l| write(frame, fd, b, l))
}

fn readv(frame: &mut TrapFrame, fd: usize, iov: u64, cnt: u64) -> Result<Ret, Errno> {
    iovecs(iov, cnt, |b, l| read(frame, fd, b, l))
}

fn pread(fd: usize, buf: u64, len: u64, off: u64) -> Result<Ret, Errno> {
    let f = fs::get(fd_get(fd)?.file);
    let Kind::File { entry } = f.kind else { return Err(ESPIPE) };
    let e = initramfs::entry(entry).ok_or(Errno::EIO)?;
    let start = (off as usize).min(e.data.len());
    let n = (len as usize).min(e.data.len() - start);
    proc::copy_to_user(buf, &e.data[start..start + n])?;
    ok(n as u64)
}

fn readlinkat(dirfd: i64, path_va: u64, buf: u64, size: u64) -> Result<Ret, Errno> {
    let mut path = [0u8; PATH_LEN];
    let n = user_path(dirfd, path_va, &mut path)?;
    if !is_proc_self_exe(&path[..n]) {
        initramfs::lookup(&path[..n]).ok_or(Errno::ENOENT)?;
        return Err(Errno::EINVAL); // not a symbolic link
    }
    let p = proc::current();
    let mut exe = [0u8; PATH_LEN + 1];
    exe[0] = b'/';
    let m = initramfs::normalize(&p.exe[..p.exe_len], &mut exe[1..]).ok_or(Errno::ENAMETOOLONG)?;
    let len = (m + 1).min(size as usize);
    proc::copy_to_user(buf, &exe[..len])?;
    ok(len as u64)
}

fn stat_of(entry: usize, out: u64) -> Result<Ret, Errno> {
    let e = initramfs::entry(entry).ok_or(Errno::ENOENT)?;
    let mut st = [0u8; 128];
    st[0..8].copy_from_slice(&1u64.to_le_bytes()); // st_dev
    st[8..16].copy_from_slice(&(entry as u64 + 1).to_le_bytes()); // st_ino
    st[16..20].copy_from_slice(&e.mode.to_le_bytes());
    st[20..24].copy_from_slice(&1u32.to_le_bytes()); // st_nlink
    st[48..56].copy_from_slice(&(e.data.len() as u64).to_le_bytes());
    st[56..60].copy_from_slice(&(PAGE as u32).to_le_bytes()); // st_blksize
    st[64..72].copy_from_slice(&(e.data.len() as u64).div_ceil(512).to_le_bytes());
    proc::copy_to_user(out, &st)?;
    ok(0)
}

fn stat_console(out: u64, mode: u32) -> Result<Ret, Errno> {
    let mut st = [0u8; 128];
    st[16..20].copy_from_slice(&mode.to_le_bytes());
    st[56..60].copy_from_slice(&(PAGE as u32).to_le_bytes());
    proc::copy_to_user(out, &st)?;
    ok(0)
}

fn fstat(fd: usize, out: u64) -> Result<Ret, Errno> {
    let f = fs::get(fd_get(fd)?.file);
    match f.kind {
        Kind::File { entry } | Kind::Dir { entry } => stat_of(entry, out),
        Kind::Console => stat_console(out, 0o020620),
        Kind::PipeRead(_) | Kind::PipeWrite(_) => stat_console(out, 0o010600),
    }
}

fn fstatat(dirfd: i64, path_va: u64, out: u64, flags: u64) -> Result<Ret, Errno> {
    const AT_EMPTY_PATH: u64 = 0x1000;
    let mut path = [0u8; PATH_LEN];
    let n = proc::read_cstr(path_va, &mut path)?;
    if n == 0 && flags & AT_EMPTY_PATH != 0 {
        return fstat(dirfd as usize, out);
    }
    let n = user_path(dirfd, path_va, &mut path)?;
    let entry = if is_proc_self_exe(&path[..n]) {
        let p = proc::current();
        initramfs::lookup(&p.exe[..p.exe_len])
    } else {
        initramfs::lookup(&path[..n])
    };
    stat_of(entry.ok_or(Errno::ENOENT)?, out)
}

fn clock_gettime(out: u64) -> Result<Ret, Errno> {
    let ticks = crate::arch::counter();
    let freq = crate::arch::counter_freq().max(1);
    let secs = ticks / freq;
    let nsec = (ticks % freq) * 1_000_000_000 / freq;
    let mut ts = [0u8; 16];
    ts[..8].copy_from_slice(&secs.to_le_bytes());
    ts[8..].copy_from_slice(&nsec.to_le_bytes());
    proc::copy_to_user(out, &ts)?;
    ok(0)
}

fn kill(frame: &mut TrapFrame, a: [u64; 6]) -> Result<Ret, Errno> {
    // kill(pid, sig) / tgkill(tgid, tid, sig): only a process signalling itself to die
    // (abort, raise) is supported: it ends with that signal.
    let (pid, sig) =
        if a[2] != 0 && a[1] != 0 { (a[1] as i32, a[2] as i32) } else { (a[0] as i32, a[1] as i32) };
    if pid == proc::current().pid && sig > 0 {
        let h = proc::current().handlers.get(sig as usize).copied().unwrap_or(0);
        if h == 1 {
            return ok(0);
        }
        proc::exit_current(frame, sig & 0x7f);
        return Ok(Ret::Switched);
    }
    if sig == 0 {
        return ok(0);
    }
    Err(Errno::EPERM)
}

/// `ppoll`: descriptors are always ready (console, files, pipes checked once); an
/// invalid one reports POLLNVAL (Rust's runtime checks 0, 1 and 2 this way).
fn ppoll(fds: u64, n: u64) -> Result<Ret, Errno> {
    let mut ready = 0;
    for i in 0..n.min(64) {
        let mut pfd = [0u8; 8];
        proc::copy_from_user(fds + 8 * i, &mut pfd)?;
        let fd = i32::from_le_bytes([pfd[0], pfd[1], pfd[2], pfd[3]]);
        let events = u16::from_le_bytes([pfd[4], pfd[5]]);
        let revents: u16 = if fd < 0 {
            0
        } else if fd_get(fd as usize).is_err() {
            0x20 // POLLNVAL
        } else {
            events & 0x5 // POLLIN | POLLOUT
        };
        if revents != 0 {
            ready += 1;
        }
        proc::copy_to_user(fds + 8 * i + 6, &revents.to_le_bytes())?;
    }
    ok(ready)
}

fn rt_sigaction(sig: usize, act: u64, old: u64) -> Result<Ret, Errno> {
    if sig == 0 || sig > 64 {
        return Err(Errno::EINVAL);
    }
    let p = proc::current();
    if old != 0 {
        let mut sa = [0u8; 32];
        sa[..8].copy_from_slice(&p.handlers[sig].to_le_bytes());
        proc::copy_to_user(old, &sa)?;
    }
    if act != 0 {
        let mut h = [0u8; 8];
        proc::copy_from_user(act, &mut h)?;
        proc::current().handlers[sig] = u64::from_le_bytes(h);
    }
    ok(0)
}

fn rt_sigprocmask(how: u64, set: u64, old: u64) -> Result<Ret, Errno> {
    let p = proc::current();
    if old != 0 {
        proc::copy_to_user(old, &p.sigmask.to_le_bytes())?;
    }
    if set != 0 {
        let mut s = [0u8; 8];
        proc::copy_from_user(set, &mut s)?;
        let s = u64::from_le_bytes(s);
        let p = proc::current();
        p.sigmask = match how {
            0 => p.sigmask | s,
            1 => p.sigmask & !s,
            2 => s,
            _ => return Err(Errno::EINVAL),
        };
    }
    ok(0)
}

fn uname(out: u64) -> Result<Ret, Errno> {
    let mut u = [0u8; 65 * 6];
    for (i, s) in
        [&b"Linux"[..], b"execcore", b"6.1.0", b"#1 kernel-aarch64", b"aarch64", b"(none)"].iter().enumerate()
    {
        u[65 * i..65 * i + s.len()].copy_from_slice(s);
    }
    proc::copy_to_user(out, &u)?;
    ok(0)
}

fn brk(new: u64) -> Result<Ret, Errno> {
    let p = proc::current();
    let (start, cur) = (p.brk_start, p.brk);
    if new < start {
        return ok(cur);
    }
    let space = p.space.as_mut().ok_or(Errno::EFAULT)?;
    let (old_end, new_end) = (page_up(cur), page_up(new));
    if new_end > USER_END {
        return ok(cur);
    }
    if new_end > old_end {
        if space.vmas.iter().flatten().any(|v| v.start < new_end && old_end < v.end) {
            return ok(cur);
        }
        if space.map(Vma { start: old_end, end: new_end, prot: R | W, backing: Backing::Anon }).is_err() {
            return ok(cur);
        }
    } else if new_end < old_end {
        space.remove(new_end, old_end)?;
        crate::arch::flush_tlb();
    }
    p.brk = new;
    ok(new)
}

fn prot_of(prot: u32) -> Result<u32, Errno> {
    const PROT_BTI: u32 = 0x10;
    if prot & !(7 | PROT_BTI) != 0 {
        return Err(Errno::EINVAL);
    }
    Ok((prot & 7) | if prot & PROT_BTI != 0 { BTI } else { 0 })
}

fn mmap(addr: u64, len: u64, prot: u32, flags: u32, fd: i32, off: u64) -> Result<Ret, Errno> {
    const MAP_SHARED: u32 = 1;
    const MAP_PRIVATE: u32 = 2;
    const MAP_FIXED: u32 = 0x10;
    const MAP_ANONYMOUS: u32 = 0x20;
    const MAP_FIXED_NOREPLACE: u32 = 0x100000;
    let prot = prot_of(prot)?;
    if len == 0 || !off.is_multiple_of(PAGE) || flags & (MAP_SHARED | MAP_PRIVATE) == 0 {
        return Err(Errno::EINVAL);
    }
    let len = page_up(len);
    let backing = if flags & MAP_ANONYMOUS != 0 {
        Backing::Anon
    } else {
        let f = fs::get(fd_get(fd as usize)?.file);
        match f.kind {
            Kind::File { entry } => {
                if flags & MAP_SHARED != 0 && prot & W != 0 {
                    return Err(Errno(13)); // EACCES: a read-only file system
                }
                Backing::File { entry, offset: off }
            }
            _ => return Err(Errno(19)), // ENODEV
        }
    };
    let p = proc::current();
    let top = p.mmap_top;
    let space = p.space.as_mut().ok_or(Errno::EFAULT)?;
    let fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0;
    let start = if fixed {
        if !addr.is_multiple_of(PAGE) {
            return Err(Errno::EINVAL);
        }
        if flags & MAP_FIXED_NOREPLACE != 0
            && space.vmas.iter().flatten().any(|v| v.start < addr + len && addr < v.end)
        {
            return Err(EEXIST);
        }
        addr
    } else {
        let hint = page_up(addr);
        let free = hint != 0
            && hint >= 0x10000
            && !space.vmas.iter().flatten().any(|v| v.start < hint + len && hint < v.end);
        if free {
            hint
        } else {
            space.free_range(len, PAGE, top).ok_or(Errno::ENOMEM)?
        }
    };
    let end = start.checked_add(len).filter(|&e| e <= USER_END).ok_or(Errno::ENOMEM)?;
    space.map(Vma { start, end, prot, backing })?;
    crate::arch::flush_tlb();
    ok(start)
}

fn munmap(addr: u64, len: u64) -> Result<Ret, Errno> {
    if !addr.is_multiple_of(PAGE) || len == 0 {
        return Err(Errno::EINVAL);
    }
    let space = proc::current().space.as_mut().ok_or(Errno::EFAULT)?;
    space.remove(addr, addr.saturating_add(page_up(len)))?;
    crate::arch::flush_tlb();
    ok(0)
}

fn mprotect(addr: u64, len: u64, prot: u32) -> Result<Ret, Errno> {
    let prot = prot_of(prot)?;
    if !addr.is_multiple_of(PAGE) {
        return Err(Errno::EINVAL);
    }
    let space = proc::current().space.as_mut().ok_or(Errno::EFAULT)?;
    space.protect(addr, addr.saturating_add(page_up(len)), prot)?;
    ok(0)
}

fn wait4(frame: &mut TrapFrame, pid: i32, status_va: u64, options: u64) -> Result<Ret, Errno> {
    const WNOHANG: u64 = 1;
    match proc::wait(pid)? {
        Some((child, status)) => {
            if status_va != 0 {
                proc::copy_to_user(status_va, &status.to_le_bytes())?;
            }
            ok(child as u64)
        }
        None if options & WNOHANG != 0 => ok(0),
        None => {
            proc::block_current(frame);
            Ok(Ret::Switched)
        }
    }
}

fn prlimit(resource: u32, new: u64, old: u64) -> Result<Ret, Errno> {
    if new != 0 {
        return Err(Errno::EPERM);
    }
    if old != 0 {
        const INF: u64 = u64::MAX;
        let (cur, max) = match resource {
            3 => (8 << 20, INF),                   // RLIMIT_STACK
            7 => (MAX_FDS as u64, MAX_FDS as u64), // RLIMIT_NOFILE
            _ => (INF, INF),
        };
        let mut r = [0u8; 16];
        r[..8].copy_from_slice(&u64::to_le_bytes(cur));
        r[8..].copy_from_slice(&u64::to_le_bytes(max));
        proc::copy_to_user(old, &r)?;
    }
    ok(0)
}

fn getrandom(buf: u64, len: u64) -> Result<Ret, Errno> {
    let mut tmp = [0u8; 256];
    let n = (len as usize).min(tmp.len());
    crate::arch::random(&mut tmp[..n]);
    proc::copy_to_user(buf, &tmp[..n])?;
    ok(n as u64)
}

#[allow(dead_code)]
const _: u32 = X;
