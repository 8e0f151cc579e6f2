//! The auxiliary vector: entry types, a fixed-capacity list, and Linux's order.

use crate::addr::UserAddr;
use crate::error::ExecError;
use crate::params::ExecParams;
use crate::policy::{Abi, ArchPolicy};
use core::fmt;

/// Entries an auxv may hold (Linux uses about 24).
pub const MAX_AUXV: usize = 40;

/// Auxiliary vector entry type (`AT_*`), an open newtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AuxType(pub u64);

macro_rules! aux_types {
    ($($(#[$m:meta])* $name:ident = $v:expr,)*) => {
        impl AuxType {
            $($(#[$m])* pub const $name: AuxType = AuxType($v);)*

            /// The C name ("AT_PHDR"), or `None` for an unknown type.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($v => Some(stringify!($name)),)*
                    _ => None,
                }
            }
        }
    };
}

aux_types! {
    /// End of vector.
    AT_NULL = 0,
    /// Entry to ignore.
    AT_IGNORE = 1,
    /// File descriptor of the program.
    AT_EXECFD = 2,
    /// Program headers of the program.
    AT_PHDR = 3,
    /// Size of one program header.
    AT_PHENT = 4,
    /// Number of program headers.
    AT_PHNUM = 5,
    /// Page size.
    AT_PAGESZ = 6,
    /// Interpreter base address.
    AT_BASE = 7,
    /// Flags.
    AT_FLAGS = 8,
    /// Program entry point.
    AT_ENTRY = 9,
    /// Program is not ELF.
    AT_NOTELF = 10,
    /// Real uid.
    AT_UID = 11,
    /// Effective uid.
    AT_EUID = 12,
    /// Real gid.
    AT_GID = 13,
    /// Effective gid.
    AT_EGID = 14,
    /// Platform string.
    AT_PLATFORM = 15,
    /// Hardware capabilities.
    AT_HWCAP = 16,
    /// Clock ticks per second.
    AT_CLKTCK = 17,
    /// Secure mode.
    AT_SECURE = 23,
    /// Base platform string.
    AT_BASE_PLATFORM = 24,
    /// 16 random bytes.
    AT_RANDOM = 25,
    /// More hardware capabilities.
    AT_HWCAP2 = 26,
    /// rseq feature size.
    AT_RSEQ_FEATURE_SIZE = 27,
    /// rseq alignment.
    AT_RSEQ_ALIGN = 28,
    /// Hardware capabilities, word 3.
    AT_HWCAP3 = 29,
    /// Hardware capabilities, word 4.
    AT_HWCAP4 = 30,
    /// Path of the executed file.
    AT_EXECFN = 31,
    /// vDSO address.
    AT_SYSINFO_EHDR = 33,
    /// L1 instruction cache size in bytes (RISC-V, PowerPC; 0: unknown).
    AT_L1I_CACHESIZE = 40,
    /// L1 instruction cache geometry: associativity << 16 | line size (0: unknown).
    AT_L1I_CACHEGEOMETRY = 41,
    /// L1 data cache size.
    AT_L1D_CACHESIZE = 42,
    /// L1 data cache geometry.
    AT_L1D_CACHEGEOMETRY = 43,
    /// L2 cache size.
    AT_L2_CACHESIZE = 44,
    /// L2 cache geometry.
    AT_L2_CACHEGEOMETRY = 45,
    /// L3 cache size.
    AT_L3_CACHESIZE = 46,
    /// L3 cache geometry.
    AT_L3_CACHEGEOMETRY = 47,
    /// Minimal signal stack size.
    AT_MINSIGSTKSZ = 51,
    /// IRIX: descriptor for the runtime linker to patch R8000 prefetches.
    AT_PFETCHFD = 100,
}

impl fmt::Display for AuxType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "AT_{}", self.0),
        }
    }
}

/// One auxv entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuxEntry {
    /// Its type.
    pub kind: AuxType,
    /// Its value.
    pub value: u64,
}

/// A fixed-capacity auxiliary vector, in stack order, without the terminating AT_NULL.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Auxv {
    entries: heapless::Vec<AuxEntry, MAX_AUXV>,
}

impl Auxv {
    /// An empty vector.
    pub const fn new() -> Self {
        Self { entries: heapless::Vec::new() }
    }

    /// Appends an entry.
    pub fn push(&mut self, kind: AuxType, value: u64) -> Result<(), ExecError> {
        self.entries
            .push(AuxEntry { kind, value })
            .map_err(|_| ExecError::Capacity { what: crate::error::Table::Auxv })
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[AuxEntry] {
        &self.entries
    }

    /// The value of the first entry of type `kind`.
    pub fn get(&self, kind: AuxType) -> Option<u64> {
        self.entries.iter().find(|e| e.kind == kind).map(|e| e.value)
    }

    /// Number of entries (without AT_NULL).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keeps the low 32 bits of every value (a 32-bit program's `elf_addr_t`).
    pub fn truncate_to_u32(&mut self) {
        for e in self.entries.iter_mut() {
            e.value &= u64::from(u32::MAX);
        }
    }

    /// Replaces the value of every entry of type `kind` (used once stack addresses are known).
    pub fn set(&mut self, kind: AuxType, value: u64) {
        for e in self.entries.iter_mut().filter(|e| e.kind == kind) {
            e.value = value;
        }
    }
}

/// Everything the auxv is made from.
#[derive(Clone, Copy, Debug)]
pub struct AuxvContext<'a> {
    /// The ABI.
    pub abi: Abi,
    /// The exec's parameters (credentials, vDSO, rseq...).
    pub params: &'a ExecParams<'a>,
    /// Page size.
    pub page_size: u64,
    /// `AT_PHDR`.
    pub phdr: UserAddr,
    /// `AT_PHENT`.
    pub phent: u64,
    /// `AT_PHNUM`.
    pub phnum: u64,
    /// `AT_BASE`: interpreter bias, 0 without one.
    pub base: UserAddr,
    /// Whether there is an interpreter.
    pub has_interp: bool,
    /// `AT_ENTRY`: the program's own entry.
    pub entry: UserAddr,
    /// `AT_RANDOM`: address of the 16 random bytes.
    pub random: UserAddr,
    /// `AT_EXECFN`: address of the path string.
    pub execfn: UserAddr,
    /// `AT_PLATFORM`: address of the platform string, if any.
    pub platform: Option<UserAddr>,
    /// `AT_BASE_PLATFORM`: address of the base platform string, if any.
    pub base_platform: Option<UserAddr>,
}

/// Linux's auxv (`create_elf_tables`): arch entries, HWCAP, PAGESZ, CLKTCK, PHDR, PHENT,
/// PHNUM, BASE, FLAGS, ENTRY, UID, EUID, GID, EGID, SECURE, RANDOM, HWCAP2..4, EXECFN,
/// PLATFORM, BASE_PLATFORM, EXECFD, RSEQ.
pub fn linux_auxv<P: ArchPolicy + ?Sized>(
    policy: &P,
    ctx: &AuxvContext<'_>,
    info: &P::Info,
    out: &mut Auxv,
) -> Result<(), ExecError> {
    let p = ctx.params;
    let c = &p.credentials;
    policy.arch_auxv(ctx, info, out)?;
    let [hwcap, hwcap2, hwcap3, hwcap4] = policy.hwcaps();
    out.push(AuxType::AT_HWCAP, hwcap.unwrap_or(0))?;
    out.push(AuxType::AT_PAGESZ, ctx.page_size)?;
    out.push(AuxType::AT_CLKTCK, p.clock_ticks)?;
    out.push(AuxType::AT_PHDR, ctx.phdr.0)?;
    out.push(AuxType::AT_PHENT, ctx.phent)?;
    out.push(AuxType::AT_PHNUM, ctx.phnum)?;
    out.push(AuxType::AT_BASE, ctx.base.0)?;
    out.push(AuxType::AT_FLAGS, p.at_flags)?;
    out.push(AuxType::AT_ENTRY, ctx.entry.0)?;
    out.push(AuxType::AT_UID, c.uid)?;
    out.push(AuxType::AT_EUID, c.euid)?;
    out.push(AuxType::AT_GID, c.gid)?;
    out.push(AuxType::AT_EGID, c.egid)?;
    out.push(AuxType::AT_SECURE, u64::from(c.secure))?;
    out.push(AuxType::AT_RANDOM, ctx.random.0)?;
    for (kind, value) in
        [(AuxType::AT_HWCAP2, hwcap2), (AuxType::AT_HWCAP3, hwcap3), (AuxType::AT_HWCAP4, hwcap4)]
    {
        if let Some(v) = value {
            out.push(kind, v)?;
        }
    }
    out.push(AuxType::AT_EXECFN, ctx.execfn.0)?;
    if let Some(a) = ctx.platform {
        out.push(AuxType::AT_PLATFORM, a.0)?;
    }
    if let Some(a) = ctx.base_platform {
        out.push(AuxType::AT_BASE_PLATFORM, a.0)?;
    }
    if let Some(fd) = p.execfd {
        out.push(AuxType::AT_EXECFD, fd)?;
    }
    if let Some((size, align)) = p.rseq {
        out.push(AuxType::AT_RSEQ_FEATURE_SIZE, size)?;
        out.push(AuxType::AT_RSEQ_ALIGN, align)?;
    }
    Ok(())
}
