//! FPU mode and NaN encoding: Linux's `arch_check_elf` rules (arch/mips/kernel/elf.c),
//! applied to the program and its interpreter together.

use crate::error::MipsError;

/// `Val_GNU_MIPS_ABI_FP_*` values of `PT_MIPS_ABIFLAGS.fp_abi`.
pub mod fp_abi {
    /// No floating point.
    pub const ANY: u8 = 0;
    /// Hard float, double precision (FP32 on o32).
    pub const DOUBLE: u8 = 1;
    /// Hard float, single precision only.
    pub const SINGLE: u8 = 2;
    /// Soft float.
    pub const SOFT: u8 = 3;
    /// o32 `-mfp64` before the FP64A/FPXX work (`EF_MIPS_FP64` without abiflags).
    pub const OLD_64: u8 = 4;
    /// o32 FPXX: runs with FR=0 and FR=1.
    pub const XX: u8 = 5;
    /// o32 FP64 with odd single registers.
    pub const FP64: u8 = 6;
    /// o32 FP64A: FP64 without odd single registers.
    pub const FP64A: u8 = 7;
}

/// The FPU register mode a process runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FpMode {
    /// 32-bit FP registers (Status.FR = 0).
    Fr0,
    /// 64-bit FP registers (Status.FR = 1).
    Fr1,
    /// FR = 1 with FRE emulation of FR = 0 single-precision accesses (the hybrid mode).
    Fre,
}

impl FpMode {
    /// "FR0", "FR1", "FRE".
    pub const fn name(self) -> &'static str {
        match self {
            FpMode::Fr0 => "FR0",
            FpMode::Fr1 => "FR1",
            FpMode::Fre => "FRE",
        }
    }
}

/// Which FPU modes an FP ABI can run in (Linux's `struct mode_req`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ModeReq {
    single: bool,
    soft: bool,
    fr1: bool,
    frdefault: bool,
    fre: bool,
}

const fn req(single: bool, soft: bool, fr1: bool, frdefault: bool, fre: bool) -> ModeReq {
    ModeReq { single, soft, fr1, frdefault, fre }
}

/// Requirements of each FP ABI 0..=7 (`fpu_reqs`).
const FPU_REQS: [ModeReq; 8] = [
    req(true, true, true, true, true),      // ANY
    req(false, false, false, true, true),   // DOUBLE
    req(true, false, false, false, false),  // SINGLE
    req(false, true, false, false, false),  // SOFT
    req(false, false, false, false, false), // OLD_64
    req(false, false, true, true, true),    // XX
    req(false, false, true, false, false),  // 64
    req(false, false, true, false, true),   // 64A
];

/// Requirements without `PT_MIPS_ABIFLAGS`: anything but FR=1 (`none_req`).
const NONE_REQ: ModeReq = req(true, true, false, true, true);

/// `MIPS_ABI_FP_UNKNOWN`: no abiflags record (and no `EF_MIPS_FP64`).
pub const FP_ABI_UNKNOWN: i32 = -1;

/// What the FPU mode decision needs to know about the CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FpHardware {
    /// Release 6 (o32 defaults to FRE: R6 has no FR=0).
    pub r6: bool,
    /// The mode "preferred by the hardware" is FR=1: 64-bit FPRs (`FIR.F64`) on a release
    /// 2+ CPU (Linux keeps MIPS III/IV/MIPS64r1 at FR=0).
    pub prefers_fr1: bool,
}

/// Chooses the FPU mode of an exec (Linux `arch_check_elf` after the NaN checks).
///
/// `main` and `interp` are the FP ABIs found by the per-image scan ([`FP_ABI_UNKNOWN`]
/// when none); `o32` selects o32's rules (every FP ABI up to 64A, default FR0 or FRE on
/// R6) against n32/n64's (up to SOFT, default FR1).
pub fn choose_mode(o32: bool, main: i32, interp: Option<i32>, hw: FpHardware) -> Result<FpMode, MipsError> {
    let (abi0, abi1) = match interp {
        Some(i) => (main.min(i), main.max(i)),
        None => (main, main),
    };
    let (mut mode, max_abi) = if o32 {
        (if hw.r6 { FpMode::Fre } else { FpMode::Fr0 }, i32::from(fp_abi::FP64A))
    } else {
        (FpMode::Fr1, i32::from(fp_abi::SOFT))
    };
    for abi in [abi0, abi1] {
        if abi > max_abi && abi != FP_ABI_UNKNOWN {
            return Err(MipsError::FpAbiUnsupported(abi));
        }
    }
    let lookup = |abi: i32| -> Result<ModeReq, MipsError> {
        if abi == FP_ABI_UNKNOWN {
            return Ok(NONE_REQ);
        }
        usize::try_from(abi)
            .ok()
            .and_then(|i| FPU_REQS.get(i).copied())
            .ok_or(MipsError::FpAbiUnsupported(abi))
    };
    let a = lookup(abi0)?;
    let b = lookup(abi1)?;
    let r = ModeReq {
        single: a.single && b.single,
        soft: a.soft && b.soft,
        fr1: a.fr1 && b.fr1,
        frdefault: a.frdefault && b.frdefault,
        fre: a.fre && b.fre,
    };
    if r.fre && !r.frdefault && !r.fr1 {
        mode = FpMode::Fre;
    } else if (r.fr1 && r.frdefault) || (r.single && !r.frdefault) {
        mode = if hw.prefers_fr1 { FpMode::Fr1 } else { FpMode::Fr0 };
    } else if r.fr1 {
        mode = FpMode::Fr1;
    } else if !r.fre && !r.frdefault && !r.fr1 && !r.single && !r.soft {
        return Err(MipsError::FpModeConflict { main, interp: interp.unwrap_or(FP_ABI_UNKNOWN) });
    }
    Ok(mode)
}

/// The kernel's `ieee754=` setting: which NaN encodings programs may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Ieee754 {
    /// Only the encodings the FPU (or, without one, the emulator) supports (the default).
    #[default]
    Strict,
    /// Legacy NaN programs only (2008 ones when the CPU cannot do legacy).
    Legacy,
    /// 2008 NaN programs only (legacy ones when the CPU cannot do 2008).
    Std2008,
    /// Any program, whatever the FPU supports.
    Relaxed,
    /// Any program; the kernel emulates the encoding the FPU lacks.
    Emulated,
}

impl Ieee754 {
    /// The kernel command-line spelling ("strict", "legacy", "2008", "relaxed", "emulated").
    pub const fn name(self) -> &'static str {
        match self {
            Ieee754::Strict => "strict",
            Ieee754::Legacy => "legacy",
            Ieee754::Std2008 => "2008",
            Ieee754::Relaxed => "relaxed",
            Ieee754::Emulated => "emulated",
        }
    }

    /// Parses the command-line spelling.
    pub fn from_name(s: &str) -> Option<Ieee754> {
        [Ieee754::Strict, Ieee754::Legacy, Ieee754::Std2008, Ieee754::Relaxed, Ieee754::Emulated]
            .into_iter()
            .find(|m| m.name() == s)
    }

    /// (legacy allowed, 2008 allowed) for a CPU supporting the given encodings
    /// (`mips_use_nan_legacy`, `mips_use_nan_2008` after `cpu_set_nan_2008`).
    pub const fn allowed(self, has_legacy: bool, has_2008: bool) -> (bool, bool) {
        match self {
            Ieee754::Strict => (has_legacy, has_2008),
            Ieee754::Legacy => (has_legacy, !has_legacy),
            Ieee754::Std2008 => (!has_2008, has_2008),
            Ieee754::Relaxed | Ieee754::Emulated => (true, true),
        }
    }
}
