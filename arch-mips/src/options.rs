//! `PT_MIPS_OPTIONS` records the policy acts on: ODK_EXCEPTIONS and ODK_HWPATCH.

/// `ODK_EXCEPTIONS` info bits.
pub mod oex {
    /// FP exceptions that must be enabled (`OEX_FPU_MIN`).
    pub const FPU_MIN: u32 = 0x1f;
    /// FP exceptions that may be enabled (`OEX_FPU_MAX`).
    pub const FPU_MAX: u32 = 0x1f00;
    /// Page zero must be mapped (`OEX_PAGE0`).
    pub const PAGE0: u32 = 0x1_0000;
    /// Sequential memory mode (`OEX_SMM`).
    pub const SMM: u32 = 0x2_0000;
    /// Precise FP exceptions (`OEX_PRECISEFP`, also `OEX_FPDBUG`).
    pub const PRECISEFP: u32 = 0x4_0000;
    /// Dismiss invalid-address faults: speculative mode (`OEX_DISMISS`).
    pub const DISMISS: u32 = 0x8_0000;
}

/// `ODK_HWPATCH` info bits.
pub mod ohw {
    /// R4000 end-of-page erratum patched (`OHW_R4KEOP`).
    pub const R4KEOP: u32 = 0x1;
    /// May need R8000 prefetch patches (`OHW_R8KPFETCH`).
    pub const R8KPFETCH: u32 = 0x2;
    /// R5000 end-of-page erratum patched (`OHW_R5KEOP`).
    pub const R5KEOP: u32 = 0x4;
    /// Clean of the R5000 `cvt.[ds].l` erratum (`OHW_R5KCVTL`).
    pub const R5KCVTL: u32 = 0x8;
}

/// FP exception state a program asks for through `ODK_EXCEPTIONS`, for the kernel to set
/// before entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct FpExceptions {
    /// The record's raw info word.
    pub info: u32,
}

impl FpExceptions {
    /// Exceptions that must be enabled (bit 0 inexact, 1 underflow, 2 overflow, 3 divide
    /// by zero, 4 invalid: the order of the FCSR enable field).
    pub const fn min(self) -> u8 {
        (self.info & oex::FPU_MIN) as u8
    }

    /// Exceptions that may be enabled (same bit order).
    pub const fn max(self) -> u8 {
        ((self.info & oex::FPU_MAX) >> 8) as u8
    }

    /// The enabled-exception mask the kernel sets: the required ones (`min`).
    pub const fn enabled_mask(self) -> u8 {
        self.min()
    }

    /// FCSR Enables field (bits 7..=11) for [`FpExceptions::enabled_mask`].
    pub const fn fcsr_enables(self) -> u32 {
        (self.enabled_mask() as u32) << 7
    }

    /// `OEX_PRECISEFP`: precise FP exceptions.
    pub const fn precise(self) -> bool {
        self.info & oex::PRECISEFP != 0
    }

    /// `OEX_DISMISS`: speculative mode (dismiss invalid-address faults).
    pub const fn speculative(self) -> bool {
        self.info & oex::DISMISS != 0
    }

    /// `OEX_PAGE0` (reported only).
    pub const fn page0(self) -> bool {
        self.info & oex::PAGE0 != 0
    }

    /// `OEX_SMM` (reported only).
    pub const fn smm(self) -> bool {
        self.info & oex::SMM != 0
    }
}
