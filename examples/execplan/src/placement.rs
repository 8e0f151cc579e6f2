//! Whether the kernel aligns large mappings of a file for transparent huge pages: the
//! per-file fact `FilePlacement` stands for, found by asking the running kernel.

use exec_core::FilePlacement;
use std::fs::File;
use std::os::fd::AsRawFd;

/// 2 MiB: the huge page size `thp_get_unmapped_area` aligns to.
const HUGE: usize = 2 << 20;

/// Maps `file` twice without an address hint, 4 MiB and 4 MiB + 4 KiB long, read-only.
/// Where its file system places file mappings with `thp_get_unmapped_area` (ext4, xfs;
/// tmpfs only with `huge=`), both land 2 MiB-aligned (congruent to offset 0); plain
/// top-down placement puts two lengths one page apart at most once on such a boundary.
/// A file that cannot be mapped is plain.
pub fn probe(file: &File) -> FilePlacement {
    let aligned = |len: usize| -> bool {
        // SAFETY: a fresh private read-only mapping with no address hint touches no
        // existing memory; it is unmapped right away and never read.
        unsafe {
            let p = libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                0,
            );
            if p == libc::MAP_FAILED {
                return false;
            }
            libc::munmap(p, len);
            (p as usize) % HUGE == 0
        }
    };
    if aligned(2 * HUGE) && aligned(2 * HUGE + 4096) {
        FilePlacement::HugeAligned
    } else {
        FilePlacement::Plain
    }
}
