//! A tiny flattened-device-tree reader: RAM, the initramfs and the command line.

/// A device tree blob in memory.
#[derive(Clone, Copy)]
pub struct Fdt {
    blob: &'static [u8],
}

/// What the kernel needs from the device tree.
#[derive(Default, Clone, Copy)]
pub struct BootInfo {
    pub ram_start: u64,
    pub ram_size: u64,
    pub initrd_start: u64,
    pub initrd_end: u64,
}

fn be32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).map_or(0, |s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// A big-endian number of 1 or 2 cells.
fn cells(v: &[u8]) -> u64 {
    match v.len() {
        4 => u64::from(be32(v, 0)),
        8 => u64::from(be32(v, 0)) << 32 | u64::from(be32(v, 4)),
        _ => 0,
    }
}

impl Fdt {
    /// The blob at `ptr` if it has the FDT magic.
    pub fn at(ptr: *const u8) -> Option<Fdt> {
        // SAFETY: the boot protocol puts the device tree in RAM, inside the linear map;
        // the header is read first and the blob's own size bounds the slice.
        let head = unsafe { core::slice::from_raw_parts(ptr, 8) };
        if be32(head, 0) != 0xd00d_feed {
            return None;
        }
        let size = be32(head, 4) as usize;
        // SAFETY: as above, `size` bytes from the header.
        Some(Fdt { blob: unsafe { core::slice::from_raw_parts(ptr, size) } })
    }

    /// Bytes of the blob.
    pub fn total_size(&self) -> u64 {
        self.blob.len() as u64
    }

    /// Calls `f(depth, node name, property name, value)` for every property.
    fn walk(&self, mut f: impl FnMut(usize, &'static [u8], &'static [u8], &'static [u8])) {
        let b = self.blob;
        let mut at = be32(b, 8) as usize;
        let strings = be32(b, 12) as usize;
        let mut depth = 0usize;
        let mut names: [&'static [u8]; 8] = [b""; 8];
        while at + 4 <= b.len() {
            let token = be32(b, at);
            at += 4;
            match token {
                1 => {
                    let end = b[at..].iter().position(|&c| c == 0).map_or(b.len(), |p| at + p);
                    if depth < names.len() {
                        names[depth] = &b[at..end];
                    }
                    depth += 1;
                    at = (end + 4) & !3;
                }
                2 => depth = depth.saturating_sub(1),
                3 => {
                    let len = be32(b, at) as usize;
                    let nameoff = be32(b, at + 4) as usize;
                    let value: &'static [u8] = b.get(at + 8..at + 8 + len).unwrap_or(b"");
                    let name_start = strings + nameoff;
                    let name_end =
                        b[name_start..].iter().position(|&c| c == 0).map_or(b.len(), |p| name_start + p);
                    let node = if depth >= 1 && depth <= names.len() { names[depth - 1] } else { b"" };
                    f(depth, node, &b[name_start..name_end], value);
                    at = (at + 8 + len + 3) & !3;
                }
                4 => {}
                _ => break,
            }
        }
    }

    /// RAM and the initramfs (`/memory` `reg`, `/chosen` `linux,initrd-*`).
    pub fn boot_info(&self) -> BootInfo {
        let mut info = BootInfo::default();
        let (mut acells, mut scells) = (2usize, 2usize);
        self.walk(|depth, node, prop, v| match (depth, prop) {
            (1, b"#address-cells") => acells = be32(v, 0) as usize,
            (1, b"#size-cells") => scells = be32(v, 0) as usize,
            (2, b"reg") if node.starts_with(b"memory") && info.ram_size == 0 => {
                info.ram_start = cells(&v[..acells * 4]);
                info.ram_size = cells(&v[acells * 4..(acells + scells) * 4]);
            }
            (2, b"linux,initrd-start") if node == b"chosen" => info.initrd_start = cells(v),
            (2, b"linux,initrd-end") if node == b"chosen" => info.initrd_end = cells(v),
            _ => {}
        });
        info
    }

    /// `/chosen` `bootargs` (qemu's `-append`), without its NUL.
    pub fn bootargs(&self) -> &'static [u8] {
        let mut args: &'static [u8] = b"";
        self.walk(|depth, node, prop, v| {
            if depth == 2 && node == b"chosen" && prop == b"bootargs" {
                args = v;
            }
        });
        args.split(|&c| c == 0).next().unwrap_or(b"")
    }
}
