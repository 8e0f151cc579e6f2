//! A process's mappings as `/proc/PID/maps` shows them, and the image ranges the kernel
//! oracles compare with a plan's.

/// One `/proc/PID/maps` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vma {
    /// First address.
    pub start: u64,
    /// One past the last address.
    pub end: u64,
    /// `rwxp`-style permissions.
    pub perms: String,
    /// The mapped file's path, `[stack]`-style name, or empty.
    pub path: String,
}

/// Address ranges with their `rwx` permissions, lowest first.
pub type Ranges = Vec<(u64, u64, String)>;

/// Joins adjacent ranges with the same permissions.
pub fn merge(v: Ranges) -> Ranges {
    let mut out: Ranges = Vec::new();
    for (s, e, p) in v {
        match out.last_mut() {
            Some(last) if last.1 == s && last.2 == p => last.1 = e,
            _ => out.push((s, e, p)),
        }
    }
    out
}

/// The kernel's mappings of the file at `path`, with the anonymous ones that continue
/// them (bss), merged.
pub fn observed_image(maps: &[Vma], path: &str) -> Ranges {
    let mut out = Vec::new();
    let mut last_end = None;
    let mut maps = maps.to_vec();
    maps.sort_by_key(|v| v.start);
    for v in &maps {
        let anon = v.path.is_empty() || v.path == "[heap]";
        if v.path == path || (anon && last_end == Some(v.start)) {
            out.push((v.start, v.end, v.perms[..3].to_string()));
            last_end = Some(v.end);
        } else {
            last_end = None;
        }
    }
    merge(out)
}

/// The ranges a plan maps for `image`, merged as [`observed_image`] merges the kernel's.
pub fn planned_image(image: &exec_core::Image) -> Ranges {
    merge(image.mappings().map(|m| (m.range.start.0, m.range.end.0, m.prot.to_string())).collect())
}
