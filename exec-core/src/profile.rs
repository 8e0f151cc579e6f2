//! The exec profile: which rules `prepare` follows — Linux's, at a given kernel version,
//! or a hardened set — and the process inputs Linux takes besides the files
//! (personality, secure exec).

use crate::addr::PageSize;
use crate::policy::Role;
use elf_stream::{ExtendedCount, HeaderRule, Limits, ProgramHeader, MAX_PHDR_TABLE};

/// A Linux kernel version, `major.minor.sublevel`: the exec path changes between
/// releases, and a stable series (6.1.y) takes some of those changes as backports from a
/// given sublevel on (6.1.140 took 6.7's `elf_load`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KernelVersion {
    major: u16,
    minor: u16,
    sublevel: u16,
}

impl KernelVersion {
    /// `major.minor.0`: the release, before any stable update.
    pub const fn new(major: u16, minor: u16) -> KernelVersion {
        KernelVersion { major, minor, sublevel: 0 }
    }

    /// This release at stable update `sublevel` (`6.1` with 192: 6.1.192).
    pub const fn with_sublevel(self, sublevel: u16) -> KernelVersion {
        KernelVersion { sublevel, ..self }
    }

    /// The newest behaviour modelled (the host kernel of the measurements, 6.18).
    pub const NEWEST: KernelVersion = KernelVersion::new(6, 18);
    /// 5.18: AT_PHDR from the PT_LOAD covering the table, an empty `argv[0]` for argc 0,
    /// large file mappings aligned for transparent huge pages.
    pub const V5_18: KernelVersion = KernelVersion::new(5, 18);
    /// 6.1.140: the stable update that took 6.7's `elf_load` into `load_elf_binary` (the
    /// program only: the interpreter keeps `elf_map`), with `padzero`'s failure ignored
    /// (Debian's changelog of `linux` 6.1.140-1 lists the backports; the 6.1.176 and
    /// 6.1.192 sources show the code).
    pub const V6_1_140: KernelVersion = KernelVersion::new(6, 1).with_sublevel(140);
    /// 6.7: `elf_load` for the program and the interpreter — a `p_filesz` 0 segment is
    /// anonymous from its first page, a failed zeroing of a non-writable bss page is
    /// ignored.
    pub const V6_7: KernelVersion = KernelVersion::new(6, 7);
    /// 6.17: the program header table may take 64 KiB whatever the page size.
    pub const V6_17: KernelVersion = KernelVersion::new(6, 17);

    /// The major number.
    pub const fn major(self) -> u16 {
        self.major
    }

    /// The minor number.
    pub const fn minor(self) -> u16 {
        self.minor
    }

    /// The stable update (0: the release itself).
    pub const fn sublevel(self) -> u16 {
        self.sublevel
    }

    /// The C ABI's encoding, `major << 16 | sublevel << 8 | minor` (`EXECCORE_LINUX_*`;
    /// minor and sublevel saturate at 255, as Linux's own `KERNEL_VERSION` saturates the
    /// sublevel; a version without sublevel keeps the older `major << 16 | minor`).
    pub const fn to_u32(self) -> u32 {
        let minor = if self.minor > 255 { 255 } else { self.minor as u32 };
        let sublevel = if self.sublevel > 255 { 255 } else { self.sublevel as u32 };
        (self.major as u32) << 16 | sublevel << 8 | minor
    }

    /// From [`KernelVersion::to_u32`]'s encoding; 0 means the newest.
    pub const fn from_u32(v: u32) -> KernelVersion {
        if v == 0 {
            return KernelVersion::NEWEST;
        }
        KernelVersion::new((v >> 16) as u16, (v & 0xff) as u16).with_sublevel(((v >> 8) & 0xff) as u16)
    }

    /// Parses `major.minor` or `major.minor.sublevel` (what `uname -r` starts with; a
    /// suffix after the numbers, as in `6.1.0-57-arm64` or `6.12.117+deb13`, is ignored).
    pub fn parse(s: &str) -> Option<KernelVersion> {
        let end = s.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(s.len());
        let mut parts = s.get(..end)?.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let sublevel = match parts.next() {
            None => 0,
            Some(n) => n.parse().ok()?,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(KernelVersion::new(major, minor).with_sublevel(sublevel))
    }

    /// Whether this version is `v` or later.
    pub fn at_least(self, v: KernelVersion) -> bool {
        self >= v
    }

    /// How this version's `fs/binfmt_elf.c` maps the PT_LOADs of an image of `role`.
    pub fn segment_loader(self, role: Role) -> SegmentLoader {
        if self.at_least(KernelVersion::V6_7) {
            SegmentLoader::ElfLoad
        } else if role == Role::Main
            && self.major == 6
            && self.minor == 1
            && self.at_least(KernelVersion::V6_1_140)
        {
            SegmentLoader::ElfLoadPadzeroIgnored
        } else {
            SegmentLoader::ElfMap
        }
    }
}

impl core::fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if self.sublevel != 0 {
            write!(f, ".{}", self.sublevel)?;
        }
        Ok(())
    }
}

/// How Linux maps an image's PT_LOADs ([`KernelVersion::segment_loader`]): the code path
/// of `fs/binfmt_elf.c`, which differs between releases, stable updates and, in 6.1.y,
/// between the program and its interpreter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SegmentLoader {
    /// `elf_map` for every PT_LOAD (before 6.7; the interpreter in 6.1.y): a `p_filesz` 0
    /// segment starting inside a page maps that page from the file (its offset must then
    /// be congruent), and a bss start whose page cannot be zeroed fails the exec (EFAULT;
    /// modelled per writable segment as 6.7 does, not by the older kernels' single
    /// `padzero` of the highest file end).
    ElfMap,
    /// `elf_load` as 6.1.140 took it into `load_elf_binary`: a `p_filesz` 0 segment maps
    /// nothing from the file (anonymous from its first page, any offset), and a failed
    /// zeroing of the bss start (`padzero`) is ignored.
    ElfLoadPadzeroIgnored,
    /// `elf_load` since 6.7: as [`SegmentLoader::ElfLoadPadzeroIgnored`], but a failed
    /// zeroing of a writable segment's bss start fails the exec (EFAULT).
    ElfLoad,
}

impl SegmentLoader {
    /// Whether this path maps segment `ph` partly from the file: when it has file bytes,
    /// or — through `elf_map` — when it has none but starts inside a page (that page).
    pub fn maps_file(self, ph: &ProgramHeader, page: PageSize) -> bool {
        ph.filesz > 0 || (self == SegmentLoader::ElfMap && page.offset(ph.vaddr.0) != 0)
    }
}

/// Which rules an exec follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Profile {
    /// Accept and lay out exactly what Linux at this version does. Where Linux fails after
    /// its point of no return (the process is killed), the exec is refused before anything
    /// is touched, with the errno Linux's failing call returns (or EINVAL).
    Linux(KernelVersion),
    /// Linux's layout (newest), with stricter acceptance: every identity field of the
    /// header, segments inside the file, no overlapping PT_LOADs, no page shared by
    /// segments of different protections, one PT_INTERP without inner NUL, the program
    /// headers inside a PT_LOAD, PN_XNUM resolved, a table of at most one page.
    Hardened,
}

impl Default for Profile {
    /// Linux, newest behaviour.
    fn default() -> Self {
        Profile::Linux(KernelVersion::NEWEST)
    }
}

/// The strictness of a check that differs between the profiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strictness {
    /// Linux's rule.
    Linux,
    /// The hardened profile's stricter rule.
    Hardened,
}

impl Profile {
    /// The Linux version whose layout this profile builds (the newest for `Hardened`).
    pub const fn version(self) -> KernelVersion {
        match self {
            Profile::Linux(v) => v,
            Profile::Hardened => KernelVersion::NEWEST,
        }
    }

    /// Whether acceptance follows Linux or the hardened rules.
    pub const fn strictness(self) -> Strictness {
        match self {
            Profile::Linux(_) => Strictness::Linux,
            Profile::Hardened => Strictness::Hardened,
        }
    }

    /// Whether this is the hardened profile.
    pub const fn is_hardened(self) -> bool {
        matches!(self, Profile::Hardened)
    }

    /// The largest program header table (`elf_read_phdrs`): 64 KiB since 6.17, before
    /// that also at most one page; one page when hardened.
    pub fn max_phdr_table(self, page: PageSize) -> u32 {
        let one_page = (page.get().min(u64::from(MAX_PHDR_TABLE))) as u32;
        match self {
            Profile::Linux(v) if v.at_least(KernelVersion::V6_17) => MAX_PHDR_TABLE,
            _ => one_page,
        }
    }

    /// How elf-stream opens a file under this profile: Linux reads the header in the
    /// kernel's format `native` (only the magic and `e_phentsize` judged) and takes
    /// `e_phnum` literally; hardened checks every identity field and resolves PN_XNUM.
    pub fn limits(self, page: PageSize, native: HeaderRule) -> Limits {
        let base = Limits::for_page_size(page.get() as u32).with_max_phdr_table(self.max_phdr_table(page));
        match self {
            Profile::Linux(_) => base.with_header(native).with_extended_count(ExtendedCount::Literal),
            Profile::Hardened => base,
        }
    }
}

/// The process's personality (`personality(2)` bits Linux's exec looks at).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Personality(pub u32);

impl Personality {
    /// Linux's default (`PER_LINUX`): nothing set.
    pub const LINUX: Personality = Personality(0);
    /// `ADDR_NO_RANDOMIZE`: no ASLR (`setarch -R`).
    pub const ADDR_NO_RANDOMIZE: Personality = Personality(0x0004_0000);
    /// `ADDR_COMPAT_LAYOUT`: the legacy bottom-up mmap layout.
    pub const ADDR_COMPAT_LAYOUT: Personality = Personality(0x0020_0000);
    /// `READ_IMPLIES_EXEC`: every readable mapping is executable, bss and stack included.
    pub const READ_IMPLIES_EXEC: Personality = Personality(0x0040_0000);
    /// `ADDR_LIMIT_3GB`.
    pub const ADDR_LIMIT_3GB: Personality = Personality(0x0800_0000);
    /// `MMAP_PAGE_ZERO`: page 0 mapped (SVr4).
    pub const MMAP_PAGE_ZERO: Personality = Personality(0x0010_0000);
    /// `ADDR_LIMIT_32BIT`.
    pub const ADDR_LIMIT_32BIT: Personality = Personality(0x0080_0000);
    /// `PER_CLEAR_ON_SETID`: the bits a set-id exec clears (`ADDR_NO_RANDOMIZE`,
    /// `ADDR_COMPAT_LAYOUT`, `MMAP_PAGE_ZERO`, `READ_IMPLIES_EXEC`, `ADDR_LIMIT_32BIT`,
    /// `ADDR_LIMIT_3GB`: Linux's `include/uapi/linux/personality.h`).
    pub const CLEAR_ON_SETID: Personality =
        Personality(0x0004_0000 | 0x0020_0000 | 0x0010_0000 | 0x0040_0000 | 0x0080_0000 | 0x0800_0000);

    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: Personality) -> bool {
        self.0 & other.0 == other.0
    }

    /// Both sets of bits.
    pub const fn union(self, other: Personality) -> Personality {
        Personality(self.0 | other.0)
    }

    /// These bits without `other`'s.
    pub const fn without(self, other: Personality) -> Personality {
        Personality(self.0 & !other.0)
    }
}
