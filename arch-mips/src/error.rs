//! Why the MIPS policy rejects a file, each reason with its own kind and errno.

use crate::abi::MipsAbi;
use elf_stream::Errno;
use exec_core::{ArchCode, ArchError, ExecError};

/// A MIPS rejection. Converts into [`ExecError::Arch`]; errnos are asm-generic here and
/// renumbered by the policy's OS profile ([`crate::OsProfile`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MipsError {
    /// `e_machine` is not EM_MIPS (ENOEXEC).
    WrongMachine(u16),
    /// The byte order differs from the CPU's (ENOEXEC).
    WrongEndianness {
        /// The file is big endian.
        big: bool,
    },
    /// `EF_MIPS_ABI2` with a non-zero `EF_MIPS_ABI` field (ENOEXEC).
    N32WithAbiField(u32),
    /// The O64 ABI (ENOEXEC).
    O64,
    /// The EABI32 ABI (ENOEXEC).
    Eabi32,
    /// The EABI64 ABI (ENOEXEC).
    Eabi64,
    /// An `EF_MIPS_ABI` value no ABI defines (ENOEXEC).
    UnknownAbi(u32),
    /// The kernel does not run this ABI (a 32-bit kernel and n32/n64...) (ENOEXEC).
    AbiNotSupported(MipsAbi),
    /// `EF_MIPS_FP64` o32 without kernel FP64 support (ENOEXEC).
    O32Fp64Unsupported,
    /// `EF_MIPS_ARCH` above the CPU's ISA (EBADRQC).
    IsaUnsupported {
        /// The file's `e_flags`.
        flags: u32,
    },
    /// The NaN encoding is not allowed by the CPU and the `ieee754=` policy (ENOEXEC).
    NanNotAllowed {
        /// The file asks for IEEE 754-2008 NaNs.
        nan2008: bool,
    },
    /// The program and its interpreter use different NaN encodings (ELIBBAD).
    NanMismatch,
    /// An FP ABI the ABI does not allow (n32/n64 with FPXX/FP64, or unknown) (ELIBBAD).
    FpAbiUnsupported(i32),
    /// No FPU mode satisfies both the program and the interpreter (ELIBBAD).
    FpModeConflict {
        /// Program FP ABI (-1: none).
        main: i32,
        /// Interpreter FP ABI (-1: none).
        interp: i32,
    },
    /// `PT_MIPS_ABIFLAGS` could not be read in full (EIO).
    AbiFlagsUnreadable,
    /// A static R8000 program that needs prefetch patching, with strict prefetch (EBADRQC).
    R8000Prefetch,
}

impl MipsError {
    /// The code (its name, generic message and errno).
    pub const fn code(&self) -> ArchCode {
        match self {
            MipsError::WrongMachine(_) => ArchCode::WrongMachine,
            MipsError::WrongEndianness { .. } => ArchCode::WrongEndianness,
            MipsError::N32WithAbiField(_) => ArchCode::MipsN32AbiFieldSet,
            MipsError::O64 => ArchCode::MipsO64Rejected,
            MipsError::Eabi32 => ArchCode::MipsEabi32Rejected,
            MipsError::Eabi64 => ArchCode::MipsEabi64Rejected,
            MipsError::UnknownAbi(_) => ArchCode::MipsUnknownAbi,
            MipsError::AbiNotSupported(_) => ArchCode::MipsAbiNotSupported,
            MipsError::O32Fp64Unsupported => ArchCode::MipsO32Fp64Unsupported,
            MipsError::IsaUnsupported { .. } => ArchCode::MipsIsaUnsupported,
            MipsError::NanNotAllowed { .. } => ArchCode::MipsNanNotAllowed,
            MipsError::NanMismatch => ArchCode::MipsNanMismatch,
            MipsError::FpAbiUnsupported(_) => ArchCode::MipsFpAbiUnsupported,
            MipsError::FpModeConflict { .. } => ArchCode::MipsFpModeConflict,
            MipsError::AbiFlagsUnreadable => ArchCode::MipsAbiFlagsUnreadable,
            MipsError::R8000Prefetch => ArchCode::MipsR8000Prefetch,
        }
    }

    /// The code's stable snake_case name.
    pub const fn kind(&self) -> &'static str {
        self.code().name()
    }

    /// Human-readable message.
    pub const fn message(&self) -> &'static str {
        match self {
            MipsError::WrongMachine(_) => "not a MIPS executable",
            MipsError::WrongEndianness { big: true } => "big-endian MIPS executable on a little-endian CPU",
            MipsError::WrongEndianness { big: false } => "little-endian MIPS executable on a big-endian CPU",
            MipsError::N32WithAbiField(_) => "n32 executable (EF_MIPS_ABI2) with an EF_MIPS_ABI value",
            MipsError::O64 => "the MIPS O64 ABI is not supported",
            MipsError::Eabi32 => "the MIPS EABI32 ABI is not supported",
            MipsError::Eabi64 => "the MIPS EABI64 ABI is not supported",
            MipsError::UnknownAbi(_) => "unknown EF_MIPS_ABI value",
            MipsError::AbiNotSupported(MipsAbi::O32) => "the kernel does not run o32 programs",
            MipsError::AbiNotSupported(MipsAbi::N32) => "the kernel does not run n32 programs",
            MipsError::AbiNotSupported(MipsAbi::N64) => "the kernel does not run n64 programs",
            MipsError::O32Fp64Unsupported => "o32 FP64 (EF_MIPS_FP64) is not supported by the kernel",
            MipsError::IsaUnsupported { .. } => "EF_MIPS_ARCH is above the CPU's instruction set",
            MipsError::NanNotAllowed { nan2008: true } => {
                "IEEE 754-2008 NaN programs are not allowed on this CPU"
            }
            MipsError::NanNotAllowed { nan2008: false } => "legacy NaN programs are not allowed on this CPU",
            MipsError::NanMismatch => "the program and its interpreter use different NaN encodings",
            MipsError::FpAbiUnsupported(_) => "FP ABI not supported for this ABI",
            MipsError::FpModeConflict { .. } => "no FPU mode suits both the program and its interpreter",
            MipsError::AbiFlagsUnreadable => "PT_MIPS_ABIFLAGS could not be read",
            MipsError::R8000Prefetch => "static program needs R8000 prefetch patches (strict prefetch is on)",
        }
    }

    /// The errno (asm-generic numbering; the OS profile renumbers).
    pub const fn errno(&self) -> Errno {
        self.code().errno()
    }

    /// The offending value.
    pub const fn value(&self) -> u64 {
        match *self {
            MipsError::WrongMachine(m) => m as u64,
            MipsError::WrongEndianness { big } => big as u64,
            MipsError::N32WithAbiField(v) | MipsError::UnknownAbi(v) => v as u64,
            MipsError::IsaUnsupported { flags } => (flags & crate::abi::flags::ARCH_MASK) as u64,
            MipsError::NanNotAllowed { nan2008 } => nan2008 as u64,
            MipsError::FpAbiUnsupported(a) => a as u32 as u64,
            MipsError::FpModeConflict { main, interp } => ((main as u8 as u64) << 8) | interp as u8 as u64,
            _ => 0,
        }
    }
}

impl From<MipsError> for ArchError {
    fn from(e: MipsError) -> Self {
        ArchError { code: e.code(), message: e.message(), value: e.value() }
    }
}

impl From<MipsError> for ExecError {
    fn from(e: MipsError) -> Self {
        ExecError::Arch(e.into())
    }
}
