//! Open files: the console, initramfs files and directories, pipes.

use crate::initramfs;
use crate::Global;
use elf_stream::Errno;

/// A descriptor: an open file and its close-on-exec flag.
#[derive(Clone, Copy, Debug)]
pub struct Fd {
    pub file: usize,
    pub cloexec: bool,
}

/// What an open file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Console,
    File { entry: usize },
    Dir { entry: usize },
    PipeRead(usize),
    PipeWrite(usize),
}

/// An open file description (shared by dup and fork).
#[derive(Clone, Copy, Debug)]
pub struct OpenFile {
    pub kind: Kind,
    pub offset: u64,
    pub refs: u32,
}

const MAX_OPEN: usize = 128;
static OPEN: Global<[Option<OpenFile>; MAX_OPEN]> = Global::new([None; MAX_OPEN]);

const PIPE_BUF: usize = 4096;
const MAX_PIPES: usize = 16;

/// A pipe's buffer and ends.
pub struct Pipe {
    buf: [u8; PIPE_BUF],
    head: usize,
    len: usize,
    readers: u32,
    writers: u32,
}

const NO_PIPE: Pipe = Pipe { buf: [0; PIPE_BUF], head: 0, len: 0, readers: 0, writers: 0 };
static PIPES: Global<[Pipe; MAX_PIPES]> = Global::new([NO_PIPE; MAX_PIPES]);

/// Reads file `entry` at `offset` into `buf`; bytes read (short at the end of file).
pub fn read_file(entry: initramfs::Entry, offset: u64, buf: &mut [u8]) -> usize {
    let data = entry.data;
    let start = (offset as usize).min(data.len());
    let n = buf.len().min(data.len() - start);
    buf[..n].copy_from_slice(&data[start..start + n]);
    n
}

fn install(kind: Kind) -> Result<usize, Errno> {
    let table = OPEN.get();
    let i = table.iter().position(Option::is_none).ok_or(Errno(23))?; // ENFILE
    table[i] = Some(OpenFile { kind, offset: 0, refs: 1 });
    Ok(i)
}

/// A new open file on the console.
pub fn open_console() -> Result<usize, Errno> {
    install(Kind::Console)
}

/// Opens initramfs entry `entry` (a directory or a file).
pub fn open_entry(entry: usize) -> Result<usize, Errno> {
    let e = initramfs::entry(entry).ok_or(Errno::ENOENT)?;
    if e.mode & initramfs::S_IFMT == initramfs::S_IFDIR {
        install(Kind::Dir { entry })
    } else {
        install(Kind::File { entry })
    }
}

/// A new pipe: (read end, write end).
pub fn open_pipe() -> Result<(usize, usize), Errno> {
    let pipes = PIPES.get();
    let p = pipes.iter().position(|p| p.readers == 0 && p.writers == 0).ok_or(Errno(23))?;
    pipes[p] = NO_PIPE;
    let r = install(Kind::PipeRead(p))?;
    let w = match install(Kind::PipeWrite(p)) {
        Ok(w) => w,
        Err(e) => {
            OPEN.get()[r] = None;
            return Err(e);
        }
    };
    pipes[p].readers = 1;
    pipes[p].writers = 1;
    Ok((r, w))
}

/// The open file `i`.
pub fn get(i: usize) -> &'static mut OpenFile {
    OPEN.get()[i].as_mut().expect("descriptors point at open files")
}

/// One more reference (dup, fork).
pub fn dup_ref(i: usize) {
    let f = get(i);
    f.refs += 1;
    match f.kind {
        Kind::PipeRead(p) => PIPES.get()[p].readers += 1,
        Kind::PipeWrite(p) => PIPES.get()[p].writers += 1,
        _ => {}
    }
}

/// Drops a reference. The caller then calls `proc::wake_all` (not here: the caller may
/// hold the process table).
pub fn close(i: usize) {
    let f = get(i);
    match f.kind {
        Kind::PipeRead(p) => PIPES.get()[p].readers -= 1,
        Kind::PipeWrite(p) => PIPES.get()[p].writers -= 1,
        _ => {}
    }
    f.refs -= 1;
    if f.refs == 0 {
        OPEN.get()[i] = None;
    }
    // Waiters on a pipe end are woken by the caller once it holds no process (a closed
    // end changes what a blocked read or write sees).
}

/// Result of a pipe operation that may have to wait.
pub enum Io {
    Done(usize),
    Block,
}

/// Reads from pipe `p` into `out` (None: wait).
pub fn pipe_read(p: usize, out: &mut [u8]) -> Io {
    let pipe = &mut PIPES.get()[p];
    if pipe.len == 0 {
        return if pipe.writers == 0 { Io::Done(0) } else { Io::Block };
    }
    let n = out.len().min(pipe.len);
    for b in out[..n].iter_mut() {
        *b = pipe.buf[pipe.head];
        pipe.head = (pipe.head + 1) % PIPE_BUF;
    }
    pipe.len -= n;
    crate::proc::wake_all();
    Io::Done(n)
}

/// Writes `data` into pipe `p`; Err(EPIPE) without readers.
pub fn pipe_write(p: usize, data: &[u8]) -> Result<Io, Errno> {
    let pipe = &mut PIPES.get()[p];
    if pipe.readers == 0 {
        return Err(Errno(32));
    }
    let room = PIPE_BUF - pipe.len;
    if room == 0 {
        return Ok(Io::Block);
    }
    let n = data.len().min(room);
    for &b in &data[..n] {
        pipe.buf[(pipe.head + pipe.len) % PIPE_BUF] = b;
        pipe.len += 1;
    }
    crate::proc::wake_all();
    Ok(Io::Done(n))
}
