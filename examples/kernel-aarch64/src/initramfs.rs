//! The read-only file system: the initramfs (cpio "newc"), indexed once at boot.

use crate::Global;

/// One file or directory of the archive.
#[derive(Clone, Copy)]
pub struct Entry {
    /// Absolute path without the leading '/' ("" is the root).
    pub name: &'static [u8],
    /// `st_mode`.
    pub mode: u32,
    /// The contents, inside the initramfs (whose pages a mapping may use directly).
    pub data: &'static [u8],
}

/// Mode bits.
pub const S_IFMT: u32 = 0o170000;
/// Directory.
pub const S_IFDIR: u32 = 0o040000;
/// Regular file.
pub const S_IFREG: u32 = 0o100000;

const MAX_ENTRIES: usize = 512;

struct Index {
    entries: [Entry; MAX_ENTRIES],
    count: usize,
}

const ROOT: Entry = Entry { name: b"", mode: S_IFDIR | 0o755, data: b"" };
static INDEX: Global<Index> = Global::new(Index { entries: [ROOT; MAX_ENTRIES], count: 1 });

fn hex(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        v = v.checked_mul(16)? + (c as char).to_digit(16)?;
    }
    Some(v)
}

/// Indexes the archive `cpio` (entry 0 is the root directory).
pub fn init(cpio: &'static [u8]) {
    let idx = INDEX.get();
    let mut at = 0usize;
    while at + 110 <= cpio.len() {
        let h = &cpio[at..at + 110];
        if &h[..6] != b"070701" {
            crate::log!("initramfs: bad header at {}", at);
            break;
        }
        let field = |i: usize| hex(&h[6 + i * 8..14 + i * 8]).unwrap_or(0) as usize;
        let (mode, filesize, namesize) = (field(1), field(6), field(11));
        let name_at = at + 110;
        let name_full = &cpio[name_at..(name_at + namesize).min(cpio.len())];
        let name = name_full.split(|&c| c == 0).next().unwrap_or(b"");
        let data_at = (name_at + namesize + 3) & !3;
        let data = &cpio[data_at.min(cpio.len())..(data_at + filesize).min(cpio.len())];
        at = (data_at + filesize + 3) & !3;
        if name == b"TRAILER!!!" {
            break;
        }
        let name = name.strip_prefix(b"./").unwrap_or(name);
        let name = if name == b"." { b"" as &[u8] } else { name };
        if name.is_empty() || idx.count == MAX_ENTRIES {
            continue;
        }
        idx.entries[idx.count] = Entry { name, mode: mode as u32, data };
        idx.count += 1;
    }
    crate::log!("initramfs: {} entries, {} bytes", idx.count, cpio.len());
}

/// Entry `i`.
pub fn entry(i: usize) -> Option<Entry> {
    let idx = INDEX.get();
    idx.entries[..idx.count].get(i).copied()
}

/// The entry at absolute `path` (components "." and "..", repeated '/' resolved).
pub fn lookup(path: &[u8]) -> Option<usize> {
    let mut buf = [0u8; 512];
    let n = normalize(path, &mut buf)?;
    let want = &buf[..n];
    let idx = INDEX.get();
    idx.entries[..idx.count].iter().position(|e| e.name == want)
}

/// `path` without leading '/', '.' components and with '..' applied, into `out`.
pub fn normalize(path: &[u8], out: &mut [u8]) -> Option<usize> {
    let mut n = 0usize;
    for comp in path.split(|&c| c == b'/') {
        match comp {
            b"" | b"." => {}
            b".." => {
                while n > 0 && out[n - 1] != b'/' {
                    n -= 1;
                }
                n = n.saturating_sub(1);
            }
            c => {
                if n > 0 {
                    *out.get_mut(n)? = b'/';
                    n += 1;
                }
                out.get_mut(n..n + c.len())?.copy_from_slice(c);
                n += c.len();
            }
        }
    }
    Some(n)
}

/// The `pos`-th child of directory entry `dir` at or after index `from`: (index, name).
pub fn next_child(dir: usize, from: usize) -> Option<(usize, &'static [u8])> {
    let idx = INDEX.get();
    let d = idx.entries[dir].name;
    for i in from.max(1)..idx.count {
        let name = idx.entries[i].name;
        let rest = if d.is_empty() {
            name
        } else if name.len() > d.len() && name.starts_with(d) && name[d.len()] == b'/' {
            &name[d.len() + 1..]
        } else {
            continue;
        };
        if !rest.is_empty() && !rest.contains(&b'/') {
            return Some((i, rest));
        }
    }
    None
}
