//! ABI selection from the ELF header: o32, n32, n64, and the ISA a file asks for.

use crate::error::MipsError;
use elf_stream::{Class, Endian, FileHeader, Machine};
use exec_core::{Abi, ExecError, Parameter};

/// `e_flags` bits and fields of MIPS executables.
pub mod flags {
    /// Code may not be reordered (`EF_MIPS_NOREORDER`).
    pub const NOREORDER: u32 = 0x1;
    /// Position-independent code (`EF_MIPS_PIC`).
    pub const PIC: u32 = 0x2;
    /// Calls through PIC conventions (`EF_MIPS_CPIC`).
    pub const CPIC: u32 = 0x4;
    /// The n32 ABI (`EF_MIPS_ABI2`).
    pub const ABI2: u32 = 0x20;
    /// o32 with 64-bit FP registers (`EF_MIPS_FP64`).
    pub const FP64: u32 = 0x200;
    /// IEEE 754-2008 NaN encoding (`EF_MIPS_NAN2008`).
    pub const NAN2008: u32 = 0x400;
    /// The ABI field (`EF_MIPS_ABI`).
    pub const ABI_MASK: u32 = 0xf000;
    /// `EF_MIPS_ABI_O32`.
    pub const ABI_O32: u32 = 0x1000;
    /// `EF_MIPS_ABI_O64`.
    pub const ABI_O64: u32 = 0x2000;
    /// `EF_MIPS_ABI_EABI32`.
    pub const ABI_EABI32: u32 = 0x3000;
    /// `EF_MIPS_ABI_EABI64`.
    pub const ABI_EABI64: u32 = 0x4000;
    /// The architecture field (`EF_MIPS_ARCH`).
    pub const ARCH_MASK: u32 = 0xf000_0000;
}

/// The o32 ABI (exec-core's [`Abi`]).
pub const ABI_O32: Abi = Abi::MipsO32;
/// The n32 ABI (exec-core's [`Abi`]).
pub const ABI_N32: Abi = Abi::MipsN32;
/// The n64 ABI (exec-core's [`Abi`]).
pub const ABI_N64: Abi = Abi::MipsN64;

/// A MIPS ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MipsAbi {
    /// ELFCLASS32, 32-bit registers and addresses.
    O32,
    /// ELFCLASS32 + `EF_MIPS_ABI2`: 64-bit registers, 32-bit addresses.
    N32,
    /// ELFCLASS64.
    N64,
}

impl MipsAbi {
    /// The exec-core [`Abi`].
    pub const fn abi(self) -> Abi {
        match self {
            MipsAbi::O32 => ABI_O32,
            MipsAbi::N32 => ABI_N32,
            MipsAbi::N64 => ABI_N64,
        }
    }

    /// Short name ("o32", "n32", "n64").
    pub const fn name(self) -> &'static str {
        match self {
            MipsAbi::O32 => "o32",
            MipsAbi::N32 => "n32",
            MipsAbi::N64 => "n64",
        }
    }

    /// The MIPS ABI an exec-core [`Abi`] is; another architecture's ABI is
    /// [`Parameter::ForeignAbi`] (a policy handed an ABI it never selected).
    pub const fn from_abi(abi: Abi) -> Result<MipsAbi, ExecError> {
        match abi {
            Abi::MipsO32 => Ok(MipsAbi::O32),
            Abi::MipsN32 => Ok(MipsAbi::N32),
            Abi::MipsN64 => Ok(MipsAbi::N64),
            Abi::X86_64 | Abi::Aarch64 | Abi::Aarch64Be | Abi::Riscv64 => {
                Err(ExecError::InvalidParameter(Parameter::ForeignAbi))
            }
        }
    }

    /// Whether user addresses are 32 bits wide (o32, n32: `TIF_32BIT_ADDR`).
    pub const fn addr32(self) -> bool {
        !matches!(self, MipsAbi::N64)
    }
}

/// An instruction set: MIPS I–V (level 1–5, revision 0) or MIPS32/MIPS64 (level 32 or 64)
/// release `rev` (1, 2, 3, 5, 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Isa {
    /// 1–5, 32 or 64.
    pub level: u8,
    /// Release of MIPS32/MIPS64 (0 for MIPS I–V).
    pub rev: u8,
}

impl Isa {
    /// MIPS I.
    pub const MIPS1: Isa = Isa { level: 1, rev: 0 };
    /// MIPS II.
    pub const MIPS2: Isa = Isa { level: 2, rev: 0 };
    /// MIPS III.
    pub const MIPS3: Isa = Isa { level: 3, rev: 0 };
    /// MIPS IV (R5000, R8000, R10000).
    pub const MIPS4: Isa = Isa { level: 4, rev: 0 };
    /// MIPS V.
    pub const MIPS5: Isa = Isa { level: 5, rev: 0 };
    /// MIPS32 release 1.
    pub const MIPS32: Isa = Isa { level: 32, rev: 1 };
    /// MIPS64 release 1.
    pub const MIPS64: Isa = Isa { level: 64, rev: 1 };
    /// MIPS32 release 2.
    pub const MIPS32R2: Isa = Isa { level: 32, rev: 2 };
    /// MIPS64 release 2.
    pub const MIPS64R2: Isa = Isa { level: 64, rev: 2 };
    /// MIPS32 release 6.
    pub const MIPS32R6: Isa = Isa { level: 32, rev: 6 };
    /// MIPS64 release 6.
    pub const MIPS64R6: Isa = Isa { level: 64, rev: 6 };

    /// The ISA of an `EF_MIPS_ARCH` value (the whole `e_flags` may be passed); `None` for
    /// a value no MIPS ABI defines.
    pub const fn from_e_flags(e_flags: u32) -> Option<Isa> {
        Some(match (e_flags & flags::ARCH_MASK) >> 28 {
            0 => Isa::MIPS1,
            1 => Isa::MIPS2,
            2 => Isa::MIPS3,
            3 => Isa::MIPS4,
            4 => Isa::MIPS5,
            5 => Isa::MIPS32,
            6 => Isa::MIPS64,
            7 => Isa::MIPS32R2,
            8 => Isa::MIPS64R2,
            9 => Isa::MIPS32R6,
            10 => Isa::MIPS64R6,
            _ => return None,
        })
    }

    /// Whether the ISA has 64-bit registers (MIPS III, IV, V, MIPS64).
    pub const fn is_64bit(self) -> bool {
        matches!(self.level, 3 | 4 | 5 | 64)
    }

    /// Whether this is release 6 (which removed instructions of the earlier releases).
    pub const fn is_r6(self) -> bool {
        matches!(self.level, 32 | 64) && self.rev >= 6
    }

    /// Whether this is release 2 or later (Linux's `cpu_has_mips_r2_r6`).
    pub const fn is_r2_or_later(self) -> bool {
        matches!(self.level, 32 | 64) && self.rev >= 2
    }

    /// Rank along the MIPS I → V → MIPS32/64 r1 → r2 → r6 line (a 32-bit ISA shares its
    /// rank with its 64-bit counterpart).
    const fn generation(self) -> u8 {
        match self.level {
            32 | 64 => 5u8.saturating_add(if self.rev == 0 { 1 } else { self.rev }),
            l => l,
        }
    }

    /// Whether a CPU implementing `self` runs code built for `file`: `file` is not
    /// "above" `self` — no wider registers and no later generation. Earlier generations
    /// run, release 6 included (it is the kernel's business to emulate what R6 removed).
    pub const fn runs(self, file: Isa) -> bool {
        (self.is_64bit() || !file.is_64bit()) && file.generation() <= self.generation()
    }
}

impl core::fmt::Display for Isa {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.level {
            32 | 64 if self.rev <= 1 => write!(f, "mips{}", self.level),
            32 | 64 => write!(f, "mips{}r{}", self.level, self.rev),
            l => write!(f, "mips{l}"),
        }
    }
}

/// Which ABIs the kernel runs (Linux: `CONFIG_64BIT`, `CONFIG_MIPS32_O32`,
/// `CONFIG_MIPS32_N32`) and whether o32 FP64 is supported (`CONFIG_MIPS_O32_FP64_SUPPORT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AbiSupport {
    /// 64-bit kernel (n64 native).
    pub bits64: bool,
    /// o32 on a 64-bit kernel.
    pub o32: bool,
    /// n32 on a 64-bit kernel.
    pub n32: bool,
    /// `EF_MIPS_FP64` o32 programs are accepted.
    pub o32_fp64: bool,
}

/// Selects the ABI of `h` for a CPU of byte order `endian` (Linux's `elf_check_arch`
/// for o32/n32/n64, with each rejected ABI under its own error).
pub fn select_abi(h: &FileHeader, endian: Endian, support: AbiSupport) -> Result<MipsAbi, MipsError> {
    if h.machine != Machine::MIPS {
        return Err(MipsError::WrongMachine(h.machine.0));
    }
    if h.endian != endian {
        return Err(MipsError::WrongEndianness { big: h.endian == Endian::Big });
    }
    let f = h.flags;
    let abi = match h.class {
        Class::Elf64 => MipsAbi::N64,
        Class::Elf32 if f & flags::ABI2 != 0 => {
            if f & flags::ABI_MASK != 0 {
                return Err(MipsError::N32WithAbiField(f & flags::ABI_MASK));
            }
            MipsAbi::N32
        }
        Class::Elf32 => match f & flags::ABI_MASK {
            0 | flags::ABI_O32 => MipsAbi::O32,
            flags::ABI_O64 => return Err(MipsError::O64),
            flags::ABI_EABI32 => return Err(MipsError::Eabi32),
            flags::ABI_EABI64 => return Err(MipsError::Eabi64),
            other => return Err(MipsError::UnknownAbi(other)),
        },
    };
    let built_in = match abi {
        MipsAbi::N64 => support.bits64,
        MipsAbi::N32 => support.bits64 && support.n32,
        MipsAbi::O32 => !support.bits64 || support.o32,
    };
    if !built_in {
        return Err(MipsError::AbiNotSupported(abi));
    }
    if abi == MipsAbi::O32 && f & flags::FP64 != 0 && !support.o32_fp64 {
        return Err(MipsError::O32Fp64Unsupported);
    }
    Ok(abi)
}
