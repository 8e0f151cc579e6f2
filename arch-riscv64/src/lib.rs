//! # arch-riscv64
//!
//! The RISC-V 64-bit [`ArchPolicy`], as Linux/riscv 6.12 decides (measured against Debian
//! 13's 6.12 kernel under qemu-system, `../shared/sysoracle`):
//!
//! - **Files** (`elf_check_arch`): `EM_RISCV` (243) and `ELFCLASS64`, nothing else. Linux
//!   reads neither `e_flags` (float ABI, RVC, RVE, TSO) nor `EI_DATA`: it reads the header
//!   little-endian, so a big-endian file's `e_machine` is not `EM_RISCV` to it (ENOEXEC).
//!   rv32 files are ENOEXEC for this 64-bit policy (the oracle kernel has no COMPAT).
//!   [`Profile::Hardened`] also refuses a program or interpreter whose `e_flags` need an
//!   extension the CPU lacks ([`ElfFlags::required_isa`]: C, F, D, Q, Ztso).
//! - **Layout** ([`Riscv64::layout`]): the MMU mode ([`Mmu`]) gives `TASK_SIZE` (half the
//!   VA space: `1 << 38`, `1 << 47`, `1 << 56`) and the default map window
//!   `DEFAULT_MAP_WINDOW`, capped at sv48's `1 << 47` even on sv57. `STACK_TOP` is the
//!   window, `ELF_ET_DYN_BASE = window / 3 * 2` (`0x555555555554` for sv48/sv57,
//!   `0x2aaaaaaaaa` for sv39), `TASK_UNMAPPED_BASE = PAGE_ALIGN((1 << 39) / 3)` for every
//!   mode, guard gap 256 pages, `STACK_RND_MASK` and `mmap_rnd_bits` 18 bits, brk
//!   randomised over 1 GiB, 4 KiB pages, static-pie aligned to its `p_align`.
//! - **Auxv** (`ARCH_DLINFO`): `AT_SYSINFO_EHDR` (when the caller maps a vDSO), the eight
//!   cache entries `AT_L1I_CACHESIZE` .. `AT_L3_CACHEGEOMETRY` (values from the caller's
//!   [`Caches`], 0 when unknown), `AT_MINSIGSTKSZ` (or `AT_IGNORE`), then the generic order
//!   with `AT_HWCAP` from the CPU's single-letter extensions ([`Isa::hwcap`]); no
//!   `AT_HWCAP2`, no `AT_PLATFORM` (`ELF_PLATFORM` is NULL). `AT_RSEQ_*` come last when the
//!   caller asks ([`ExecParams::rseq`]).
//! - **Entry**: pc and sp; a0 = 0 (execve's return value, which the psABI's `_start`
//!   reads as "no termination function"); every other register zero; sp 16-byte aligned.
//! - **Control-flow integrity**: the `GNU_PROPERTY_RISCV_FEATURE_1_AND` bits (Zicfilp
//!   landing pads, Zicfiss shadow stack) of both images are reported in [`Info`], like
//!   x86's IBT/SHSTK, and never change a protection: riscv Linux does not parse GNU
//!   properties, so a malformed note rejects nothing either.
//!
//! ```
//! use arch_riscv64::{Caches, Cpu, Isa, Mmu, Riscv64};
//! let policy = Riscv64::new(Cpu {
//!     mmu: Mmu::Sv39,
//!     isa: Isa::parse(b"rv64imafdc_zicsr_zifencei").unwrap(),
//!     ..Cpu::default()
//! });
//! assert_eq!(policy.stack_top().0, 0x40_0000_0000);
//! # let _ = Caches::default();
//! ```
#![no_std]
#![forbid(unsafe_code)]

use elf_stream::{Class, ElfFile, FileHeader, Machine, ReadAt};
use exec_core::auxv::{AuxType, Auxv, AuxvContext};
use exec_core::{
    Abi, ArchCode, ArchError, ArchPolicy, EntryRegisters, ExecError, ExecParams, HeaderCheck, Layout,
    PageSize, Parameter, Role, StaticPieAlign, UserAddr,
};

/// The RISC-V 64-bit Linux ABI (LP64 with any float ABI: Linux does not tell them apart).
pub const ABI: Abi = Abi::Riscv64;

/// Register number of a0 (x10) in [`EntryRegisters::regs`].
pub const REG_A0: u8 = 10;

/// `AT_MINSIGSTKSZ` of an RV64GC hart without the V extension (the signal frame of
/// Linux 6.12, measured on the oracle: `0x440`).
pub const MINSIGSTKSZ_RV64GC: u64 = 0x440;

/// `MMAP_MIN_VA_BITS` (sv39): `TASK_UNMAPPED_BASE` is a third of `1 << 39` in every mode.
const MMAP_MIN_VA_BITS: u32 = 39;

/// The kernel's user address-translation mode (`satp.MODE`): the user VA width.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mmu {
    /// 39-bit VA, 3-level page tables: most boards shipped so far.
    Sv39,
    /// 48-bit VA, 4 levels.
    Sv48,
    /// 57-bit VA, 5 levels (qemu's default `rv64` CPU).
    Sv57,
}

impl Mmu {
    /// Every mode, narrowest first.
    pub const ALL: [Mmu; 3] = [Mmu::Sv39, Mmu::Sv48, Mmu::Sv57];

    /// Virtual-address bits (`VA_BITS`): 39, 48 or 57.
    pub const fn va_bits(self) -> u32 {
        match self {
            Mmu::Sv39 => 39,
            Mmu::Sv48 => 48,
            Mmu::Sv57 => 57,
        }
    }

    /// The mode for `va_bits` 39, 48 or 57.
    pub const fn from_va_bits(bits: u32) -> Option<Mmu> {
        match bits {
            39 => Some(Mmu::Sv39),
            48 => Some(Mmu::Sv48),
            57 => Some(Mmu::Sv57),
            _ => None,
        }
    }

    /// "sv39", "sv48" or "sv57".
    pub const fn name(self) -> &'static str {
        match self {
            Mmu::Sv39 => "sv39",
            Mmu::Sv48 => "sv48",
            Mmu::Sv57 => "sv57",
        }
    }

    /// `TASK_SIZE`: the user half of the VA space, `1 << (va_bits - 1)`. Fixed mappings
    /// (an ET_EXEC) may reach it.
    pub const fn task_size(self) -> u64 {
        1u64 << self.va_bits().saturating_sub(1)
    }

    /// `DEFAULT_MAP_WINDOW`: `1 << (min(va_bits, 48) - 1)`. Stack, mmap area and PIE
    /// base lie in it; sv57's upper part is reached only through mmap hints.
    pub const fn window(self) -> u64 {
        match self {
            Mmu::Sv39 => Mmu::Sv39.task_size(),
            Mmu::Sv48 | Mmu::Sv57 => Mmu::Sv48.task_size(),
        }
    }
}

/// A set of RISC-V extensions: the 26 single-letter ones (bit `letter - 'a'`, the layout
/// of Linux's `AT_HWCAP`) and the multi-letter ones this policy knows ([`Isa::ZTSO`],
/// [`Isa::ZICFILP`], [`Isa::ZICFISS`], above bit 31).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Isa(pub u64);

impl Isa {
    /// No extension.
    pub const EMPTY: Isa = Isa(0);
    /// RV64GC: I, M, A, F, D, C (G = IMAFD + Zicsr + Zifencei).
    pub const RV64GC: Isa = Isa::from_letters(b"imafdc");
    /// Ztso: total store ordering.
    pub const ZTSO: Isa = Isa(1 << 32);
    /// Zicfilp: landing pads.
    pub const ZICFILP: Isa = Isa(1 << 33);
    /// Zicfiss: shadow stack.
    pub const ZICFISS: Isa = Isa(1 << 34);
    /// The single letters Linux 6.12 reports in `AT_HWCAP` (`riscv_fill_hwcap`'s table).
    pub const HWCAP_LETTERS: Isa = Isa::from_letters(b"imafdcv");

    /// The single-letter extension `letter` (either case); `EMPTY` for a non-letter.
    pub const fn letter(letter: u8) -> Isa {
        let l = letter.to_ascii_lowercase();
        if l.is_ascii_lowercase() {
            Isa(1 << l.wrapping_sub(b'a'))
        } else {
            Isa::EMPTY
        }
    }

    /// The single-letter extensions in `letters` (other bytes ignored).
    pub const fn from_letters(letters: &[u8]) -> Isa {
        let mut bits = 0;
        let mut rest = letters;
        while let [first, tail @ ..] = rest {
            bits |= Isa::letter(*first).0;
            rest = tail;
        }
        Isa(bits)
    }

    /// Parses an ISA string as a device tree's `riscv,isa` or `/proc/cpuinfo` writes it:
    /// an optional `rv64`/`rv32` prefix, single letters (`g` = `imafd`), then
    /// `_`-separated multi-letter extensions, of which Ztso, Zicfilp and Zicfiss are kept
    /// and the others skipped. `None` for a byte that is not a letter, digit or `_`.
    pub fn parse(s: &[u8]) -> Option<Isa> {
        let lower = |b: &u8| b.to_ascii_lowercase();
        let body = match s.get(..4) {
            Some(p) if p.iter().map(lower).eq(*b"rv64") || p.iter().map(lower).eq(*b"rv32") => s.get(4..)?,
            _ => s,
        };
        if !body.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_') {
            return None;
        }
        let mut isa = Isa::EMPTY;
        let mut parts = body.split(|b| *b == b'_');
        // The single letters run until the first multi-letter extension (z, s, x).
        let first = parts.next().unwrap_or(&[]);
        let split = first.iter().position(|b| matches!(lower(b), b'z' | b's' | b'x')).unwrap_or(first.len());
        let (letters, multi) = first.split_at(split);
        for &b in letters.iter().filter(|b| b.is_ascii_alphabetic()) {
            isa = isa.union(if lower(&b) == b'g' { Isa::from_letters(b"imafd") } else { Isa::letter(b) });
        }
        for ext in core::iter::once(multi).chain(parts) {
            let named =
                |name: &[u8]| ext.len() == name.len() && ext.iter().map(lower).eq(name.iter().copied());
            if named(b"ztso") {
                isa = isa.union(Isa::ZTSO);
            } else if named(b"zicfilp") {
                isa = isa.union(Isa::ZICFILP);
            } else if named(b"zicfiss") {
                isa = isa.union(Isa::ZICFISS);
            }
        }
        Some(isa)
    }

    /// Both sets.
    pub const fn union(self, other: Isa) -> Isa {
        Isa(self.0 | other.0)
    }

    /// Every extension of `other` is in `self`.
    pub const fn contains(self, other: Isa) -> bool {
        self.0 & other.0 == other.0
    }

    /// The extensions of `self` that `other` lacks.
    pub const fn without(self, other: Isa) -> Isa {
        Isa(self.0 & !other.0)
    }

    /// No extension at all.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// `AT_HWCAP` as Linux 6.12 computes it: the letters I, M, A, F, D, C and V only
    /// (H, Q, B... are not reported), and F dropped without D (Linux does not support F
    /// without D).
    pub const fn hwcap(self) -> u64 {
        let mut bits = self.0 & Isa::HWCAP_LETTERS.0;
        let (f, d) = (Isa::letter(b'f').0, Isa::letter(b'd').0);
        if bits & f != 0 && bits & d == 0 {
            bits &= !f;
        }
        bits
    }
}

/// One cache as Linux reports it in the auxv (`get_cache_size`, `get_cache_geometry`);
/// zero fields mean unknown (qemu's `virt` board describes no caches).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Cache {
    /// Size in bytes.
    pub size: u64,
    /// `ways << 16 | line size` (ways 0xffff: fully associative).
    pub geometry: u64,
}

impl Cache {
    /// A cache of `size` bytes, `ways`-way set associative with `line`-byte lines.
    pub const fn new(size: u64, ways: u16, line: u16) -> Cache {
        // Widening casts only.
        Cache { size, geometry: (ways as u64) << 16 | line as u64 }
    }
}

/// The caches of the hart, for the eight `AT_L*` auxv entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Caches {
    /// Level-1 instruction cache.
    pub l1i: Cache,
    /// Level-1 data cache.
    pub l1d: Cache,
    /// Level-2 unified cache.
    pub l2: Cache,
    /// Level-3 unified cache.
    pub l3: Cache,
}

impl Caches {
    /// The eight auxv entries in Linux's order.
    pub const fn entries(&self) -> [(AuxType, u64); 8] {
        [
            (AuxType::AT_L1I_CACHESIZE, self.l1i.size),
            (AuxType::AT_L1I_CACHEGEOMETRY, self.l1i.geometry),
            (AuxType::AT_L1D_CACHESIZE, self.l1d.size),
            (AuxType::AT_L1D_CACHEGEOMETRY, self.l1d.geometry),
            (AuxType::AT_L2_CACHESIZE, self.l2.size),
            (AuxType::AT_L2_CACHEGEOMETRY, self.l2.geometry),
            (AuxType::AT_L3_CACHESIZE, self.l3.size),
            (AuxType::AT_L3_CACHEGEOMETRY, self.l3.geometry),
        ]
    }
}

/// The caller's hart and kernel description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// The kernel's MMU mode.
    pub mmu: Mmu,
    /// The hart's extensions (`AT_HWCAP` and the hardened checks).
    pub isa: Isa,
    /// The caches for the auxv.
    pub caches: Caches,
    /// `AT_MINSIGSTKSZ` (the signal frame size, larger with V); `None` or 0 puts
    /// `AT_IGNORE` in its slot, as Linux does without a value.
    pub minsigstksz: Option<u64>,
}

impl Default for Cpu {
    /// sv48, RV64GC, caches unknown, `AT_MINSIGSTKSZ` [`MINSIGSTKSZ_RV64GC`].
    fn default() -> Self {
        Cpu {
            mmu: Mmu::Sv48,
            isa: Isa::RV64GC,
            caches: Caches::default(),
            minsigstksz: Some(MINSIGSTKSZ_RV64GC),
        }
    }
}

/// The float ABI of `e_flags` (`EF_RISCV_FLOAT_ABI`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatAbi {
    /// Soft float (lp64): floating-point arguments in integer registers.
    Soft,
    /// Single (lp64f): needs F.
    Single,
    /// Double (lp64d, Debian's): needs D.
    Double,
    /// Quad (lp64q): needs Q.
    Quad,
}

impl FloatAbi {
    /// "soft", "single", "double" or "quad".
    pub const fn name(self) -> &'static str {
        match self {
            FloatAbi::Soft => "soft",
            FloatAbi::Single => "single",
            FloatAbi::Double => "double",
            FloatAbi::Quad => "quad",
        }
    }

    /// The extension the ABI's registers need.
    pub const fn required_isa(self) -> Isa {
        match self {
            FloatAbi::Soft => Isa::EMPTY,
            FloatAbi::Single => Isa::letter(b'f'),
            FloatAbi::Double => Isa::from_letters(b"fd"),
            FloatAbi::Quad => Isa::from_letters(b"fdq"),
        }
    }
}

/// A RISC-V file's `e_flags` (psABI); Linux reads none of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ElfFlags(pub u32);

impl ElfFlags {
    /// `EF_RISCV_RVC`: the file contains compressed instructions.
    pub const RVC: u32 = 0x1;
    /// `EF_RISCV_FLOAT_ABI` mask.
    pub const FLOAT_ABI: u32 = 0x6;
    /// `EF_RISCV_RVE`: the RV32E/RV64E base (16 integer registers).
    pub const RVE: u32 = 0x8;
    /// `EF_RISCV_TSO`: needs total store ordering (Ztso).
    pub const TSO: u32 = 0x10;

    /// Compressed instructions.
    pub const fn rvc(self) -> bool {
        self.0 & Self::RVC != 0
    }

    /// The float ABI.
    pub const fn float_abi(self) -> FloatAbi {
        match self.0 & Self::FLOAT_ABI {
            0 => FloatAbi::Soft,
            2 => FloatAbi::Single,
            4 => FloatAbi::Double,
            _ => FloatAbi::Quad,
        }
    }

    /// The E base ISA.
    pub const fn rve(self) -> bool {
        self.0 & Self::RVE != 0
    }

    /// Total store ordering.
    pub const fn tso(self) -> bool {
        self.0 & Self::TSO != 0
    }

    /// The extensions a hart needs to run the file: C for RVC, F/D/Q for the float ABI,
    /// Ztso for TSO. (An RVE program runs on an I hart: E is a subset.)
    pub const fn required_isa(self) -> Isa {
        let c = if self.rvc() { Isa::letter(b'c') } else { Isa::EMPTY };
        let tso = if self.tso() { Isa::ZTSO } else { Isa::EMPTY };
        c.union(tso).union(self.float_abi().required_isa())
    }
}

/// How strictly files are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// Exactly what Linux accepts: `EM_RISCV` and `ELFCLASS64`.
    #[default]
    Linux,
    /// Also refuse a program or interpreter that needs an extension the CPU lacks
    /// ([`isa_missing`], ENOEXEC) instead of letting it die of SIGILL.
    Hardened,
}

/// Facts the policy records in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Info {
    /// The program's `e_flags`.
    pub main_flags: ElfFlags,
    /// The interpreter's `e_flags`, if there is one.
    pub interp_flags: Option<ElfFlags>,
    /// The program's `GNU_PROPERTY_RISCV_FEATURE_1_AND` bits (Zicfilp 1 and 4, Zicfiss 2),
    /// if its note has the property.
    pub main_features: Option<u32>,
    /// The interpreter's.
    pub interp_features: Option<u32>,
    /// A malformed property note of the program (reported only: Linux does not read it).
    pub main_property_error: Option<elf_stream::Error>,
    /// A malformed property note of the interpreter (reported only).
    pub interp_property_error: Option<elf_stream::Error>,
}

impl Info {
    /// The feature bits every image of the exec has (an AND, as the linker merges them):
    /// 0 when an image has none.
    pub const fn features(&self) -> u32 {
        let main = match self.main_features {
            Some(b) => b,
            None => 0,
        };
        match (self.interp_flags, self.interp_features) {
            (None, _) => main,
            (Some(_), Some(i)) => main & i,
            (Some(_), None) => 0,
        }
    }
}

/// The riscv64 policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Riscv64 {
    /// The hart and kernel.
    pub cpu: Cpu,
    /// Linux (default) or hardened checks.
    pub profile: Profile,
    /// `vm.mmap_rnd_bits`; `None`: the Kconfig default, 18.
    pub mmap_rnd_bits: Option<u32>,
}

impl Riscv64 {
    /// The Linux policy for `cpu`.
    pub const fn new(cpu: Cpu) -> Self {
        Riscv64 { cpu, profile: Profile::Linux, mmap_rnd_bits: None }
    }

    /// The same policy with `profile`.
    pub const fn with_profile(self, profile: Profile) -> Self {
        Riscv64 { profile, ..self }
    }

    /// `ELF_ET_DYN_BASE`: `DEFAULT_MAP_WINDOW / 3 * 2`, before alignment.
    pub const fn et_dyn_base(&self) -> u64 {
        (self.cpu.mmu.window() / 3).wrapping_mul(2)
    }

    /// `STACK_TOP`: the default map window's end.
    pub const fn stack_top(&self) -> UserAddr {
        UserAddr(self.cpu.mmu.window())
    }
}

/// The hardened profile's error for an image needing `missing` extensions (value: their
/// [`Isa`] bits).
pub const fn isa_missing(missing: Isa) -> ExecError {
    ArchError::reject(
        ArchCode::RiscvIsaMissing,
        "the file's e_flags need an extension this CPU lacks (compressed instructions, a \
         hardware float ABI or Ztso): it would die of SIGILL",
        missing.0,
    )
}

impl ArchPolicy for Riscv64 {
    type Info = Info;

    fn name(&self) -> &'static str {
        "riscv64"
    }

    fn accept(&self, h: &FileHeader) -> Result<Abi, ExecError> {
        // A big-endian file: Linux reads the header little-endian, and this e_machine is not
        // EM_RISCV to it.
        HeaderCheck {
            machine: Machine::RISCV,
            wrong_machine: "not a RISC-V executable",
            class: Class::Elf64,
            wrong_class: "riscv64 executables must be ELFCLASS64 (rv32 is not supported)",
            big_endian: Some("riscv64 executables must be little endian"),
        }
        .check(h)?;
        Ok(ABI)
    }

    fn page_size(&self) -> PageSize {
        PageSize::K4
    }

    fn header_rule(&self) -> elf_stream::HeaderRule {
        // riscv's elf_check_arch also checks EI_CLASS (ELFCLASS64 on a 64-bit kernel);
        // the byte order is the kernel's.
        elf_stream::HeaderRule::Native { class: None, endian: Some(elf_stream::Endian::Little) }
    }

    fn layout(&self, abi: Abi) -> Result<Layout, ExecError> {
        let legacy = (1u64 << MMAP_MIN_VA_BITS) / 3;
        if abi != ABI {
            return Err(ExecError::InvalidParameter(Parameter::ForeignAbi));
        }
        Ok(Layout {
            min_addr: UserAddr(0),
            task_size: UserAddr(self.cpu.mmu.task_size()),
            et_dyn_base: UserAddr(self.et_dyn_base()),
            stack_top: self.stack_top(),
            stack_guard_gap: 256 * 4096,
            legacy_mmap_base: UserAddr(PageSize::K4.up(legacy).unwrap_or(legacy)),
            mmap_rnd_bits: self.mmap_rnd_bits.unwrap_or(18),
            stack_rnd_bits: 18,
            brk_rnd_range: 1 << 30,
            static_pie_align: StaticPieAlign::HonouredSince6_10,
        })
    }

    fn inspect<R: ReadAt, const W: usize>(
        &self,
        file: &ElfFile<R, W>,
        role: Role,
        info: &mut Info,
    ) -> Result<(), ExecError> {
        let flags = ElfFlags(file.header().flags);
        // Reported only: riscv Linux does not parse the property note.
        let (features, error) = match file.gnu_properties() {
            Ok(p) => (p.and_then(|p| p.riscv_feature_1_and), None),
            Err(e) => (None, Some(e)),
        };
        match role {
            Role::Main => {
                info.main_flags = flags;
                info.main_features = features;
                info.main_property_error = error;
            }
            Role::Interpreter => {
                info.interp_flags = Some(flags);
                info.interp_features = features;
                info.interp_property_error = error;
            }
        }
        let missing = flags.required_isa().without(self.cpu.isa);
        if self.profile == Profile::Hardened && !missing.is_empty() {
            return Err(isa_missing(missing));
        }
        Ok(())
    }

    fn arch_auxv(&self, ctx: &AuxvContext<'_>, _info: &Info, out: &mut Auxv) -> Result<(), ExecError> {
        if let Some(vdso) = ctx.params.sysinfo_ehdr {
            out.push(AuxType::AT_SYSINFO_EHDR, vdso.0)?;
        }
        for (kind, value) in self.cpu.caches.entries() {
            out.push(kind, value)?;
        }
        match self.cpu.minsigstksz {
            Some(size) if size != 0 => out.push(AuxType::AT_MINSIGSTKSZ, size),
            _ => out.push(AuxType::AT_IGNORE, 0),
        }
    }

    fn hwcaps(&self) -> [Option<u64>; 4] {
        [Some(self.cpu.isa.hwcap()), None, None, None]
    }

    fn entry_registers(
        &self,
        pc: UserAddr,
        sp: UserAddr,
        _info: &Info,
        _params: &ExecParams<'_>,
    ) -> EntryRegisters {
        EntryRegisters { pc, sp, regs: [Some((REG_A0, 0)), None, None, None] }
    }
}
