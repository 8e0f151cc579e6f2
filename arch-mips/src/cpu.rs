//! The caller's CPU and kernel description, and the named CPU models.

use crate::abi::{AbiSupport, Isa};
use crate::fp::Ieee754;
use elf_stream::Endian;
use exec_core::{PageSize, StaticPieAlign};

/// Which FPU register modes the hardware runs natively (others are emulated by the kernel,
/// as Linux does, or unavailable).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrModes {
    /// Status.FR = 0 (32-bit FP registers).
    pub fr0: bool,
    /// Status.FR = 1 (64-bit FP registers).
    pub fr1: bool,
    /// Config5.FRE (FR = 1 with FR = 0 emulation).
    pub fre: bool,
}

/// `AT_HWCAP` bits of MIPS Linux (`HWCAP_MIPS_*`).
pub mod hwcap {
    /// Release 6.
    pub const R6: u64 = 1 << 0;
    /// MSA.
    pub const MSA: u64 = 1 << 1;
    /// CRC32.
    pub const CRC32: u64 = 1 << 2;
    /// MIPS16.
    pub const MIPS16: u64 = 1 << 3;
    /// MDMX.
    pub const MDMX: u64 = 1 << 4;
    /// MIPS-3D.
    pub const MIPS3D: u64 = 1 << 5;
    /// SmartMIPS.
    pub const SMARTMIPS: u64 = 1 << 6;
    /// DSP.
    pub const DSP: u64 = 1 << 7;
    /// DSP rev 2.
    pub const DSP2: u64 = 1 << 8;
    /// DSP rev 3.
    pub const DSP3: u64 = 1 << 9;
}

/// What the caller's CPU is and does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// Name ("5kef", or the caller's own).
    pub name: &'static str,
    /// Byte order the CPU runs in; files of the other order are rejected (ENOEXEC).
    pub endian: Endian,
    /// Instruction set; files whose `EF_MIPS_ARCH` is above it are rejected (EBADRQC).
    pub isa: Isa,
    /// A hardware FPU (without one, the kernel's emulator decides the NaN encodings).
    pub fpu: bool,
    /// The FPU has 64-bit registers (`FIR.F64`).
    pub fpu_f64: bool,
    /// FPU register modes run natively.
    pub fr_modes: FrModes,
    /// The FPU supports legacy NaNs.
    pub nan_legacy: bool,
    /// The FPU supports IEEE 754-2008 NaNs.
    pub nan_2008: bool,
    /// Read-inhibit / execute-inhibit page bits (without them Linux sets READ_IMPLIES_EXEC
    /// for programs without PT_GNU_STACK).
    pub rixi: bool,
    /// Data-cache alias span (`shm_align_mask + 1`) when the cache aliases, else 0: lowers
    /// the stack top and colours file mappings the kernel places.
    pub dcache_alias: u64,
    /// A GIC user page sits above the stack (one page lower stack top).
    pub gic: bool,
    /// R5000 `cvt.[ds].l` erratum workaround: n32/n64 text not marked clean
    /// (`OHW_R5KCVTL`) is mapped [`TEXT_PATCH`](exec_core::MappingFlags::TEXT_PATCH).
    pub r5000_cvt: bool,
    /// R8000 (TFP) prefetch check for programs with `OHW_R8KPFETCH`.
    pub r8000_prefetch: bool,
    /// `AT_HWCAP`.
    pub hwcap: u64,
    /// `AT_PLATFORM` string.
    pub platform: Option<&'static [u8]>,
    /// `AT_BASE_PLATFORM` string (the ISA: "mips64r2", ...).
    pub base_platform: Option<&'static [u8]>,
}

impl Cpu {
    /// Whether the FPU runs the mode natively.
    pub const fn runs_mode(&self, mode: crate::fp::FpMode) -> bool {
        self.fpu
            && match mode {
                crate::fp::FpMode::Fr0 => self.fr_modes.fr0,
                crate::fp::FpMode::Fr1 => self.fr_modes.fr1,
                crate::fp::FpMode::Fre => self.fr_modes.fre,
            }
    }

    /// (legacy, 2008) NaN encodings the hardware FPU — or, without one, the kernel's
    /// emulator under `ieee754` (`cpu_set_nofpu_2008`) — supports.
    pub const fn nan_support(&self, ieee754: Ieee754) -> (bool, bool) {
        if self.fpu {
            return (self.nan_legacy, self.nan_2008);
        }
        match ieee754 {
            Ieee754::Strict | Ieee754::Emulated => (true, matches!(self.isa.level, 32 | 64)),
            Ieee754::Legacy => (true, false),
            Ieee754::Std2008 => (false, true),
            Ieee754::Relaxed => (true, true),
        }
    }

    /// Whether the FPU (or emulator) prefers FR = 1: 64-bit FPRs on release 2+ (Linux:
    /// `FIR.F64 && cpu_has_mips_r2_r6`; the emulator reports F64 on release 2+).
    pub const fn prefers_fr1(&self) -> bool {
        (self.fpu_f64 || !self.fpu) && self.isa.is_r2_or_later()
    }
}

/// The named CPU models (`--cpu`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CpuModel {
    /// NEC/IDT R5000: MIPS IV, R5000 `cvt.[ds].l` workaround on.
    R5000,
    /// R8000 (TFP): MIPS IV, prefetch check on.
    R8000,
    /// R10000: MIPS IV.
    R10000,
    /// MIPS 5KEf: MIPS64r2 with FPU (legacy NaN) — qemu `5KEf`, the oracle's default.
    Mips5KEf,
    /// MIPS 5KEc: MIPS64r2 without FPU (the kernel emulates; both NaN encodings) — qemu `5KEc`.
    Mips5KEc,
    /// A MIPS32r2 CPU with a 64-bit FPU (legacy NaN), 32-bit kernel.
    Mips32R2,
    /// Generic MIPS64r2 with MIPS-3D and an aliasing data cache — qemu `MIPS64R2-generic`.
    Mips64R2,
    /// MIPS64r2 with DSP r2 and an aliasing data cache — qemu `mips64dspr2`.
    Mips64DspR2,
    /// MIPS32r6: FR1/FRE only, 2008 NaN only, RIXI; 32-bit kernel.
    Mips32R6,
    /// MIPS64r6: FR1/FRE only, 2008 NaN only, RIXI.
    Mips64R6,
}

impl CpuModel {
    /// Every model.
    pub const ALL: [CpuModel; 10] = [
        CpuModel::R5000,
        CpuModel::R8000,
        CpuModel::R10000,
        CpuModel::Mips5KEf,
        CpuModel::Mips5KEc,
        CpuModel::Mips32R2,
        CpuModel::Mips64R2,
        CpuModel::Mips64DspR2,
        CpuModel::Mips32R6,
        CpuModel::Mips64R6,
    ];

    /// The `--cpu` name.
    pub const fn name(self) -> &'static str {
        match self {
            CpuModel::R5000 => "r5000",
            CpuModel::R8000 => "r8000",
            CpuModel::R10000 => "r10000",
            CpuModel::Mips5KEf => "5kef",
            CpuModel::Mips5KEc => "5kec",
            CpuModel::Mips32R2 => "mips32r2",
            CpuModel::Mips64R2 => "mips64r2",
            CpuModel::Mips64DspR2 => "mips64dspr2",
            CpuModel::Mips32R6 => "mips32r6",
            CpuModel::Mips64R6 => "mips64r6",
        }
    }

    /// The model named `name` (case-insensitive).
    pub fn from_name(name: &str) -> Option<CpuModel> {
        CpuModel::ALL.into_iter().find(|m| m.name().eq_ignore_ascii_case(name))
    }

    /// The qemu-system `-cpu` model with the same properties, if there is one.
    pub const fn qemu_name(self) -> Option<&'static str> {
        match self {
            CpuModel::Mips5KEf => Some("5KEf"),
            CpuModel::Mips5KEc => Some("5KEc"),
            CpuModel::Mips64R2 => Some("MIPS64R2-generic"),
            CpuModel::Mips64DspR2 => Some("mips64dspr2"),
            _ => None,
        }
    }

    /// The description of this model running in byte order `endian`.
    ///
    /// Values for 5kef, 5kec, mips64r2 and mips64dspr2 are the ones Linux 6.1 reports for
    /// the qemu models (sysoracle); the MIPS IV models follow their manuals (R5000: 32 KiB
    /// two-way data cache, so 16 KiB aliasing; R8000 and R10000 without aliases).
    pub const fn cpu(self, endian: Endian) -> Cpu {
        const FR01: FrModes = FrModes { fr0: true, fr1: true, fre: false };
        const FR1E: FrModes = FrModes { fr0: false, fr1: true, fre: true };
        let base = Cpu {
            name: self.name(),
            endian,
            isa: Isa::MIPS64R2,
            fpu: true,
            fpu_f64: true,
            fr_modes: FR01,
            nan_legacy: true,
            nan_2008: false,
            rixi: false,
            dcache_alias: 0,
            gic: false,
            r5000_cvt: false,
            r8000_prefetch: false,
            hwcap: 0,
            platform: Some(b"mips"),
            base_platform: Some(b"mips64r2"),
        };
        let mips4 = Cpu { isa: Isa::MIPS4, fpu_f64: false, base_platform: None, ..base };
        match self {
            CpuModel::R5000 => Cpu { r5000_cvt: true, dcache_alias: 16 << 10, ..mips4 },
            CpuModel::R8000 => Cpu { r8000_prefetch: true, ..mips4 },
            CpuModel::R10000 => mips4,
            CpuModel::Mips5KEf => base,
            CpuModel::Mips64R2 => Cpu { dcache_alias: 8 << 10, hwcap: hwcap::MIPS3D, ..base },
            CpuModel::Mips5KEc => Cpu { fpu: false, fpu_f64: false, ..base },
            CpuModel::Mips32R2 => Cpu { isa: Isa::MIPS32R2, base_platform: Some(b"mips32r2"), ..base },
            CpuModel::Mips64DspR2 => {
                Cpu { dcache_alias: 8 << 10, hwcap: hwcap::MIPS3D | hwcap::DSP | hwcap::DSP2, ..base }
            }
            CpuModel::Mips32R6 => Cpu {
                isa: Isa::MIPS32R6,
                fr_modes: FR1E,
                nan_legacy: false,
                nan_2008: true,
                rixi: true,
                hwcap: hwcap::R6,
                base_platform: Some(b"mips32r6"),
                ..base
            },
            CpuModel::Mips64R6 => Cpu {
                isa: Isa::MIPS64R6,
                fr_modes: FR1E,
                nan_legacy: false,
                nan_2008: true,
                rixi: true,
                hwcap: hwcap::R6,
                base_platform: Some(b"mips64r6"),
                ..base
            },
        }
    }
}

/// 32-bit address-space limit of a 64-bit kernel (`TASK_SIZE32`).
pub const TASK_SIZE32: u64 = 0x7fff_8000;
/// Address-space limit of a 32-bit kernel (`TASK_SIZE`).
pub const TASK_SIZE_32BIT_KERNEL: u64 = 0x8000_0000;

/// What the kernel is built and booted with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kernel {
    /// 64-bit kernel: pointers on the stack are 8 bytes apart at the top (`kernel_word`),
    /// o32/n32 get [`TASK_SIZE32`].
    pub bits64: bool,
    /// Runs o32 programs (always on a 32-bit kernel; `CONFIG_MIPS32_O32` on a 64-bit one).
    pub o32: bool,
    /// Runs n32 programs (`CONFIG_MIPS32_N32`, 64-bit kernels only).
    pub n32: bool,
    /// `CONFIG_MIPS_O32_FP64_SUPPORT`: FP64 o32 accepted and the FPU mode chosen per exec.
    pub o32_fp64: bool,
    /// n64 `TASK_SIZE` (1 << 40; up to 1 << 48 with `CONFIG_MIPS_VA_BITS_48`).
    pub task_size64: u64,
    /// Page size.
    pub page_size: PageSize,
    /// `ieee754=`.
    pub ieee754: Ieee754,
    /// `CONFIG_MIPS_FP_SUPPORT`: a branch-delay-slot emulation page above the stack.
    pub fp_support: bool,
    /// Pages of the vDSO image above the stack (its data page is extra).
    pub vdso_pages: u64,
    /// Static-pie alignment rule (Debian's 6.1.176 already honours `p_align`).
    pub static_pie_align: StaticPieAlign,
}

impl Kernel {
    /// A 64-bit Linux kernel as the oracle's (Debian 12 `5kc-malta`, 6.1): o32, n32 and
    /// n64, FP64 o32, 1 TiB n64 space, 4 KiB pages, `ieee754=strict`.
    pub const LINUX64: Kernel = Kernel {
        bits64: true,
        o32: true,
        n32: true,
        o32_fp64: true,
        task_size64: 1 << 40,
        page_size: PageSize::K4,
        ieee754: Ieee754::Strict,
        fp_support: true,
        vdso_pages: 1,
        static_pie_align: StaticPieAlign::HonouredSince6_10,
    };

    /// A 32-bit Linux kernel: o32 only, 2 GiB space, 4-byte stack words.
    pub const LINUX32: Kernel = Kernel { bits64: false, o32: true, n32: false, ..Kernel::LINUX64 };

    /// [`Kernel::LINUX64`] for 64-bit CPUs, [`Kernel::LINUX32`] for 32-bit ones.
    pub const fn for_cpu(cpu: &Cpu) -> Kernel {
        if cpu.isa.is_64bit() {
            Kernel::LINUX64
        } else {
            Kernel::LINUX32
        }
    }

    /// The ABIs this kernel runs.
    pub const fn abi_support(&self) -> AbiSupport {
        AbiSupport { bits64: self.bits64, o32: self.o32, n32: self.n32, o32_fp64: self.o32_fp64 }
    }
}

impl Default for Kernel {
    fn default() -> Self {
        Kernel::LINUX64
    }
}
