//! The `#[repr(C)]` types of the C ABI. Every layout is pinned with static assertions here
//! and mirrored by size checks in the C tests.

// The C names (`execcore_plan`...) are the ABI.
#![allow(non_camel_case_types)]

use core::ffi::c_void;
use static_assertions::const_assert_eq;

/// A group of C constants: its typedef (when it has one) and its values, for the header
/// generator (`ffi/tests/header.rs`), which writes each group as one block.
#[derive(Debug)]
pub struct CGroup {
    /// The typedef's name, or `None` for plain sizes and versions.
    pub alias: Option<&'static str>,
    /// The C type the typedef names.
    pub c_type: &'static str,
    /// What the group is for.
    pub doc: &'static str,
    /// Bit flags (written in hex) rather than values.
    pub flags: bool,
    /// The constants: name, value, one-line description.
    pub items: &'static [(&'static str, u64, &'static str)],
}

/// Declares a typed group of C constants: the Rust alias and constants, and the group's
/// [`CGroup`] record. Generated items are invisible to cbindgen; the header generator
/// writes them from [`GROUPS`].
macro_rules! c_group {
    (
        $group:ident, $kind:ident, $(#[doc = $doc:literal])*
        $alias:ident = $ty:ty, $cty:literal;
        $($(#[doc = $idoc:literal])* $name:ident = $value:expr;)*
    ) => {
        $(#[doc = $doc])*
        // The C names are the ABI.
        #[allow(non_camel_case_types)]
        pub type $alias = $ty;
        $($(#[doc = $idoc])* pub const $name: $alias = $value;)*
        #[doc = concat!("The `", stringify!($alias), "` constants.")]
        pub const $group: CGroup = CGroup {
            alias: Some(stringify!($alias)),
            c_type: $cty,
            doc: concat!($($doc, "\n"),*),
            flags: c_group!(@flags $kind),
            items: &[$((stringify!($name), $name as u64, concat!($($idoc),*))),*],
        };
    };
    (@flags flags) => { true };
    (@flags values) => { false };
}

c_group! {
    ERRNO, values,
    /// An errno a callback returns: 0 for success, a positive errno (in the kernel's own
    /// numbering) for failure. Three change what the library does: ENOSYS (38; 89 on
    /// MIPS) from map_file, map_lazy or find_free_range means "not supported" (the library
    /// copies instead, or gives up moving an object); EEXIST (17) or ENOMEM (12) from
    /// reserve in execcore_elfmap means "range taken" (one retry elsewhere). Every other
    /// errno fails the call and is reported in execcore_error.errno_value.
    execcore_errno = i32, "int32_t";
}

c_group! {
    ARCH, values,
    /// Architecture selector (execcore_cpu.arch).
    execcore_arch = u32, "uint32_t";
    /// x86_64.
    EXECCORE_ARCH_X86_64 = 1;
    /// AArch64.
    EXECCORE_ARCH_AARCH64 = 2;
    /// MIPS (o32, n32, n64; both byte orders).
    EXECCORE_ARCH_MIPS = 3;
    /// RISC-V 64 (Linux 6.12): va_bits is the MMU mode (39, 48, 57; 0: 48), hwcap the
    /// hart's extensions (execcore_riscv_isa; 0: rv64gc), minsigstksz 0 puts AT_IGNORE.
    EXECCORE_ARCH_RISCV64 = 4;
}

c_group! {
    RISCV_ISA, flags,
    /// execcore_cpu.hwcap for EXECCORE_ARCH_RISCV64: bit (letter - 'a') for each
    /// single-letter extension (Linux's AT_HWCAP layout, of which Linux reports I M A F D C
    /// V), and these multi-letter ones.
    execcore_riscv_isa = u64, "uint64_t";
    /// Ztso (total store ordering).
    EXECCORE_RISCV_ISA_ZTSO = 0x1_0000_0000;
    /// Zicfilp (landing pads).
    EXECCORE_RISCV_ISA_ZICFILP = 0x2_0000_0000;
    /// Zicfiss (shadow stack).
    EXECCORE_RISCV_ISA_ZICFISS = 0x4_0000_0000;
}
#[cfg(feature = "arch-riscv64")]
static_assertions::const_assert_eq!(EXECCORE_RISCV_ISA_ZTSO, arch_riscv64::Isa::ZTSO.0);
#[cfg(feature = "arch-riscv64")]
static_assertions::const_assert_eq!(EXECCORE_RISCV_ISA_ZICFILP, arch_riscv64::Isa::ZICFILP.0);
#[cfg(feature = "arch-riscv64")]
static_assertions::const_assert_eq!(EXECCORE_RISCV_ISA_ZICFISS, arch_riscv64::Isa::ZICFISS.0);

c_group! {
    PROT, flags,
    /// Protection of a mapping, plus marks: the prot of mappings, callbacks and page fills.
    execcore_prot = u32, "uint32_t";
    /// Readable.
    EXECCORE_PROT_READ = 1;
    /// Writable.
    EXECCORE_PROT_WRITE = 2;
    /// Executable.
    EXECCORE_PROT_EXEC = 4;
    /// AArch64 BTI-guarded page.
    EXECCORE_PROT_BTI = 8;
    /// Mark: text that needs an erratum patch before it may run.
    EXECCORE_MAP_TEXT_PATCH = 0x100;
}

c_group! {
    LOAD_MODE, values,
    /// How execcore_load and execcore_elfmap build an image.
    execcore_load_mode = u32, "uint32_t";
    /// Copy every byte now.
    EXECCORE_LOAD_EAGER = 0;
    /// Private file mappings plus anonymous bss.
    EXECCORE_LOAD_MAPPED = 1;
    /// Register mappings empty; pages come from execcore_resolve_fault.
    EXECCORE_LOAD_LAZY = 2;
}

c_group! {
    EXEC_FLAGS, flags,
    /// execcore_exec_params.flags.
    execcore_exec_flags = u32, "uint32_t";
    /// Randomise the layout (ASLR).
    EXECCORE_EXEC_RANDOMIZE = 1;
    /// Batch job: reserve the memory requirement before the point of no return.
    EXECCORE_EXEC_BATCH = 2;
    /// A secure exec (set-user-ID, set-group-ID or capabilities gained): AT_SECURE, the
    /// stack limit clamped to 8 MiB, the personality's PER_CLEAR_ON_SETID bits cleared.
    EXECCORE_EXEC_SECURE = 4;
    /// The program's file system aligns large mappings for transparent huge pages (Linux's
    /// thp_get_unmapped_area: ext4, xfs; not tmpfs without huge=).
    EXECCORE_EXEC_MAIN_HUGE_ALIGNED = 8;
    /// The same for the interpreter's file system.
    EXECCORE_EXEC_INTERP_HUGE_ALIGNED = 16;
}

c_group! {
    PROFILE, values,
    /// Which rules an exec follows (execcore_exec_params.profile).
    execcore_profile = u32, "uint32_t";
    /// Accept and lay out exactly what Linux does, at execcore_exec_params.linux_version (the default).
    EXECCORE_PROFILE_LINUX = 0;
    /// Linux's layout with stricter acceptance (exec-core/README.md, the profile table).
    EXECCORE_PROFILE_HARDENED = 1;
}

c_group! {
    LINUX_VERSION, values,
    /// The Linux version the Linux profile imitates (execcore_exec_params.linux_version):
    /// major << 16 | sublevel << 8 | minor, minor and sublevel at most 255 (a larger
    /// sublevel saturates, as in Linux's KERNEL_VERSION); a sublevel matters where a stable
    /// series took a change as a backport (6.1.y: elf_load from 6.1.140).
    execcore_linux_version = u32, "uint32_t";
    /// The newest behaviour modelled (6.18).
    EXECCORE_LINUX_NEWEST = 0;
    /// Linux 6.1 (6.1.0), before the stable updates.
    EXECCORE_LINUX_6_1 = 6 << 16 | 1;
    /// Linux 6.1.140: the first 6.1.y with 6.7's elf_load for the program (the arm64 and
    /// MIPS oracles run 6.1.192 and 6.1.176).
    EXECCORE_LINUX_6_1_140 = 6 << 16 | 140 << 8 | 1;
    /// Linux 6.12, the riscv64 oracle's kernel.
    EXECCORE_LINUX_6_12 = 6 << 16 | 12;
    /// Linux 6.18, the host kernel of the measurements.
    EXECCORE_LINUX_6_18 = 6 << 16 | 18;
}

c_group! {
    PERSONALITY, flags,
    /// The calling process's personality bits the exec looks at (execcore_exec_params.personality).
    execcore_personality = u32, "uint32_t";
    /// ADDR_NO_RANDOMIZE: no ASLR.
    EXECCORE_PER_ADDR_NO_RANDOMIZE = 0x0004_0000;
    /// ADDR_COMPAT_LAYOUT: the legacy bottom-up mmap layout.
    EXECCORE_PER_ADDR_COMPAT_LAYOUT = 0x0020_0000;
    /// READ_IMPLIES_EXEC: every readable mapping executable (kept by MIPS; x86_64 and arm64 clear it for 64-bit programs).
    EXECCORE_PER_READ_IMPLIES_EXEC = 0x0040_0000;
}

c_group! {
    CPU_FLAGS, flags,
    /// execcore_cpu.flags. "Custom" flags apply to EXECCORE_MIPS_CPU_CUSTOM only.
    execcore_cpu_flags = u32, "uint32_t";
    /// The kernel supports BTI (AArch64).
    EXECCORE_CPU_BTI = 1;
    /// Accept big-endian AArch64 programs.
    EXECCORE_CPU_AARCH64_BE = 2;
    /// MIPS R5000 `cvt.[ds].l` erratum workaround on.
    EXECCORE_CPU_MIPS_R5K_CVT = 4;
    /// MIPS R8000 (TFP) prefetch check.
    EXECCORE_CPU_MIPS_R8K_PREFETCH = 8;
    /// Accept a static R8000-prefetch program with a warning (default: EBADRQC).
    EXECCORE_CPU_MIPS_LAX_PREFETCH = 0x10;
    /// Custom: release 6 (mips_isa_rev must be 6).
    EXECCORE_CPU_MIPS_R6 = 0x20;
    /// Custom: the FPU runs FR=0 (no FR flag at all: no FPU, the kernel emulates).
    EXECCORE_CPU_MIPS_FR0 = 0x40;
    /// Custom: the FPU runs FR=1 (64-bit FPRs).
    EXECCORE_CPU_MIPS_FR1 = 0x80;
    /// Custom: the FPU supports FRE.
    EXECCORE_CPU_MIPS_FRE = 0x100;
    /// Custom: IEEE 754-2008 NaNs.
    EXECCORE_CPU_MIPS_NAN2008 = 0x200;
    /// Custom: legacy NaNs.
    EXECCORE_CPU_MIPS_NAN_LEGACY = 0x400;
    /// Big-endian CPU (MIPS; files of the other byte order are rejected).
    EXECCORE_CPU_BIG_ENDIAN = 0x800;
    /// Custom: RI/XI page bits (no READ_IMPLIES_EXEC).
    EXECCORE_CPU_MIPS_RIXI = 0x1000;
    /// Custom: a GIC user page above the stack (one page lower stack top).
    EXECCORE_CPU_MIPS_GIC = 0x2000;
    /// No EF_MIPS_ARCH check: the default (Linux does not check it); kept so callers
    /// that set it keep their meaning. EXECCORE_CPU_MIPS_ISA_CHECK wins over it.
    EXECCORE_CPU_MIPS_NO_ISA_CHECK = 0x4000;
    /// riscv64, hardened: refuse a program or interpreter whose e_flags need an extension
    /// hwcap lacks (C, F, D, Q, Ztso; arch status, ENOEXEC). Clear: as Linux (no check).
    EXECCORE_CPU_RISCV_ISA_CHECK = 0x8000;
    /// MIPS, IRIX-style: refuse a program or interpreter whose EF_MIPS_ARCH is above the
    /// CPU's ISA (arch status, EBADRQC). Clear: as Linux (no check).
    EXECCORE_CPU_MIPS_ISA_CHECK = 0x10000;
}

c_group! {
    MIPS_CPU, values,
    /// execcore_cpu.mips_model: a named model fixes ISA, FPU, NaN, RIXI, GIC, cache
    /// aliasing and errata; flags may add the R5000/R8000 errata, nonzero hwcap and
    /// mips_dcache_alias replace the model's. Unknown values: invalid parameter.
    execcore_mips_cpu = u32, "uint32_t";
    /// Described field by field (mips_isa_level/rev and the custom CPU flags).
    EXECCORE_MIPS_CPU_CUSTOM = 0;
    /// R5000 (MIPS IV, `cvt.[ds].l` workaround on).
    EXECCORE_MIPS_CPU_R5000 = 1;
    /// R8000 / TFP (MIPS IV, prefetch check on).
    EXECCORE_MIPS_CPU_R8000 = 2;
    /// R10000 (MIPS IV).
    EXECCORE_MIPS_CPU_R10000 = 3;
    /// 5KEf (MIPS64r2, FPU, legacy NaN; qemu 5KEf).
    EXECCORE_MIPS_CPU_5KEF = 4;
    /// 5KEc (MIPS64r2 without FPU; qemu 5KEc).
    EXECCORE_MIPS_CPU_5KEC = 5;
    /// MIPS32r2 with a 64-bit FPU (32-bit kernel).
    EXECCORE_MIPS_CPU_MIPS32R2 = 6;
    /// Generic MIPS64r2 (qemu MIPS64R2-generic, 8 KiB cache aliasing).
    EXECCORE_MIPS_CPU_MIPS64R2 = 7;
    /// MIPS64r2 with DSP r2 (qemu mips64dspr2).
    EXECCORE_MIPS_CPU_MIPS64DSPR2 = 8;
    /// MIPS32r6 (32-bit kernel).
    EXECCORE_MIPS_CPU_MIPS32R6 = 9;
    /// MIPS64r6.
    EXECCORE_MIPS_CPU_MIPS64R6 = 10;
}

c_group! {
    MIPS_IEEE754, values,
    /// execcore_cpu.mips_ieee754: Linux's ieee754= boot policy.
    execcore_mips_ieee754 = u32, "uint32_t";
    /// strict (default): the NaN encoding the hardware supports.
    EXECCORE_MIPS_IEEE754_STRICT = 0;
    /// legacy: legacy NaN programs only.
    EXECCORE_MIPS_IEEE754_LEGACY = 1;
    /// 2008: IEEE 754-2008 NaN programs only.
    EXECCORE_MIPS_IEEE754_2008 = 2;
    /// relaxed: any encoding, the hardware's mode kept.
    EXECCORE_MIPS_IEEE754_RELAXED = 3;
    /// emulated: any encoding, the FPU emulator follows the program.
    EXECCORE_MIPS_IEEE754_EMULATED = 4;
}

c_group! {
    OS, values,
    /// execcore_cpu.os: whose auxv and errno conventions the exec follows (MIPS).
    execcore_os = u32, "uint32_t";
    /// Linux auxv and errnos.
    EXECCORE_OS_LINUX = 0;
    /// IRIX auxv and errnos.
    EXECCORE_OS_IRIX = 1;
}

c_group! {
    MIPS_ABI, values,
    /// execcore_entry_state.abi.
    execcore_mips_abi = u32, "uint32_t";
    /// Not MIPS.
    EXECCORE_MIPS_ABI_NONE = 0;
    /// MIPS o32.
    EXECCORE_MIPS_ABI_O32 = 1;
    /// MIPS n32.
    EXECCORE_MIPS_ABI_N32 = 2;
    /// MIPS n64.
    EXECCORE_MIPS_ABI_N64 = 3;
}

c_group! {
    MIPS_FP_MODE, values,
    /// execcore_entry_state.fp_mode (MIPS; 0 elsewhere).
    execcore_mips_fp_mode = u32, "uint32_t";
    /// Status.FR = 0.
    EXECCORE_MIPS_FR0 = 0;
    /// Status.FR = 1.
    EXECCORE_MIPS_FR1 = 1;
    /// FR = 1 with Config5.FRE.
    EXECCORE_MIPS_FRE = 2;
}

c_group! {
    ARCH_FLAGS, flags,
    /// execcore_entry_state.arch_flags: MIPS bits, or AArch64's features requested by
    /// the program's GNU properties.
    execcore_arch_flags = u32, "uint32_t";
    /// MIPS: IEEE 754-2008 NaNs (EF_MIPS_NAN2008).
    EXECCORE_MIPS_NAN2008 = 0x1;
    /// MIPS: precise FP exceptions (OEX_PRECISEFP).
    EXECCORE_MIPS_PRECISE_FP = 0x2;
    /// MIPS: speculative mode (OEX_DISMISS).
    EXECCORE_MIPS_SPECULATIVE = 0x4;
    /// MIPS: the program's text is mapped EXECCORE_MAP_TEXT_PATCH (R5000).
    EXECCORE_MIPS_TEXT_PATCH = 0x8;
    /// MIPS: the interpreter's text is mapped EXECCORE_MAP_TEXT_PATCH.
    EXECCORE_MIPS_TEXT_PATCH_INTERP = 0x10;
    /// MIPS: the auxv carries AT_PFETCHFD (from exec_fd).
    EXECCORE_MIPS_PREFETCH_FD = 0x20;
    /// MIPS: a static R8000-prefetch program accepted with a warning.
    EXECCORE_MIPS_PREFETCH_WARNING = 0x40;
    /// MIPS: the FPU does not run fp_mode natively (the kernel emulates).
    EXECCORE_MIPS_FP_EMULATED = 0x80;
    /// MIPS: the program has ODK_EXCEPTIONS (mips_exceptions is valid).
    EXECCORE_MIPS_EXCEPTIONS = 0x100;
    /// MIPS: the program has ODK_HWPATCH (mips_hwpatch is valid).
    EXECCORE_MIPS_HWPATCH = 0x200;
    /// MIPS: OEX_PAGE0 (reported only).
    EXECCORE_MIPS_PAGE0 = 0x400;
    /// MIPS: OEX_SMM (reported only).
    EXECCORE_MIPS_SMM = 0x800;
    /// MIPS: READ_IMPLIES_EXEC (no PT_GNU_STACK on a CPU without RIXI).
    EXECCORE_MIPS_READ_IMPLIES_EXEC = 0x1000;
    /// AArch64: BTI requested.
    EXECCORE_AARCH64_BTI = 0x1;
    /// AArch64: PAC requested.
    EXECCORE_AARCH64_PAC = 0x2;
    /// AArch64: GCS requested.
    EXECCORE_AARCH64_GCS = 0x4;
    /// riscv64: every image marked for Zicfilp unlabeled landing pads (reported only);
    /// arch_value holds the program's e_flags.
    EXECCORE_RISCV_CFI_LP_UNLABELED = 0x1;
    /// riscv64: every image marked for the Zicfiss shadow stack (reported only).
    EXECCORE_RISCV_CFI_SS = 0x2;
    /// riscv64: every image marked for Zicfilp function-signature landing pads.
    EXECCORE_RISCV_CFI_LP_FUNC_SIG = 0x4;
}

c_group! {
    IMAGE, values,
    /// Whose file a mapping or page comes from.
    execcore_image = u32, "uint32_t";
    /// The program.
    EXECCORE_IMAGE_PROGRAM = 0;
    /// Its interpreter.
    EXECCORE_IMAGE_INTERPRETER = 1;
}

c_group! {
    MAPPING_KIND, values,
    /// What fills a mapping (execcore_mapping.kind).
    execcore_mapping_kind = u32, "uint32_t";
    /// File bytes from file_offset (file_bytes of them), the rest zero.
    EXECCORE_MAPPING_FILE = 0;
    /// Zero-filled.
    EXECCORE_MAPPING_ZERO = 1;
}

c_group! {
    LOG_LEVEL, values,
    /// The level of a log callback message.
    execcore_log_level = u32, "uint32_t";
    /// Something the kernel's operator should know (an accepted but doubtful program).
    EXECCORE_LOG_WARNING = 0;
    /// Information.
    EXECCORE_LOG_INFO = 1;
}

c_group! {
    ELF_CLASS, values,
    /// The class of a program header table given to execcore_elfmap.
    execcore_elf_class = u32, "uint32_t";
    /// Elf32_Phdr entries.
    EXECCORE_ELFCLASS32 = 1;
    /// Elf64_Phdr entries.
    EXECCORE_ELFCLASS64 = 2;
}

/// Sizes and versions: plain integers (usable in `#if` and array bounds).
pub const SIZES: CGroup = CGroup {
    alias: None,
    c_type: "",
    doc: " Sizes and versions.\n",
    flags: false,
    items: &[
        (
            "EXECCORE_ABI_VERSION",
            EXECCORE_ABI_VERSION as u64,
            "The ABI of this header; execcore_abi_version() returns the library's.",
        ),
        ("EXECCORE_PLAN_SIZE", EXECCORE_PLAN_SIZE as u64, "Bytes of execcore_plan storage."),
        ("EXECCORE_PLAN_WORDS", EXECCORE_PLAN_WORDS as u64, "64-bit words of execcore_plan storage."),
        (
            "EXECCORE_ELFMAP_MAX_PHDRS",
            EXECCORE_ELFMAP_MAX_PHDRS as u64,
            "Most program headers execcore_elfmap takes.",
        ),
    ],
};

/// Every constant group, in header order.
pub const GROUPS: &[CGroup] = &[
    SIZES,
    ERRNO,
    ARCH,
    RISCV_ISA,
    CPU_FLAGS,
    MIPS_CPU,
    MIPS_IEEE754,
    OS,
    EXEC_FLAGS,
    PROFILE,
    LINUX_VERSION,
    PERSONALITY,
    LOAD_MODE,
    PROT,
    IMAGE,
    MAPPING_KIND,
    LOG_LEVEL,
    ELF_CLASS,
    MIPS_ABI,
    MIPS_FP_MODE,
    ARCH_FLAGS,
];

/// The ABI version this library implements. 2: typed constants, statuses from 5000,
/// `file_size`, the bounce buffer and the plan-stored interpreter path (1.0 of the header).
pub const EXECCORE_ABI_VERSION: u32 = 2;

/// Most program headers `execcore_elfmap` takes (more: E2BIG).
pub const EXECCORE_ELFMAP_MAX_PHDRS: usize = exec_core::MAX_ELFMAP_PHDRS;

/// The CPU and kernel description an exec is planned for.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct execcore_cpu {
    /// `EXECCORE_ARCH_*`.
    pub arch: execcore_arch,
    /// `EXECCORE_CPU_*` flags.
    pub flags: execcore_cpu_flags,
    /// Page size in bytes (0: the arch's default, 4096).
    pub page_size: u64,
    /// `AT_HWCAP`.
    pub hwcap: u64,
    /// `AT_HWCAP2`.
    pub hwcap2: u64,
    /// `AT_HWCAP3`.
    pub hwcap3: u64,
    /// `AT_HWCAP4`.
    pub hwcap4: u64,
    /// `AT_MINSIGSTKSZ` (0: omit).
    pub minsigstksz: u64,
    /// Virtual address bits of the user space (0: the arch's Linux default).
    pub va_bits: u32,
    /// `EXECCORE_OS_*`.
    pub os: execcore_os,
    /// MIPS ISA level (1..5, 32, 64).
    pub mips_isa_level: u32,
    /// MIPS ISA revision.
    pub mips_isa_rev: u32,
    /// MIPS `ieee754=` policy: `EXECCORE_MIPS_IEEE754_*`.
    pub mips_ieee754: execcore_mips_ieee754,
    /// MIPS CPU: `EXECCORE_MIPS_CPU_*`. Byte order, `page_size`, `mips_ieee754`, `os` and
    /// `stack_top` apply to named and custom CPUs alike.
    pub mips_model: execcore_mips_cpu,
    /// Stack top override for every ABI (0: the arch's default; MIPS derives it per ABI
    /// from the kernel, cache aliasing and GIC — prefer 0 there).
    pub stack_top: u64,
    /// MIPS data-cache alias span in bytes (`shm_align_mask + 1`; 0: none, or the model's).
    pub mips_dcache_alias: u64,
    /// riscv64: the hart's caches for the AT_L1I_CACHESIZE .. AT_L3_CACHEGEOMETRY auxv
    /// entries, L1I, L1D, L2, L3, each `size << 32 | ways << 16 | line size` (0: unknown,
    /// as Linux reports a cache the device tree does not describe). Zero for other
    /// architectures.
    pub riscv_caches: [u64; 4],
}
const_assert_eq!(core::mem::size_of::<execcore_cpu>(), 128);

/// Identity of a file (device, inode, generation) for caches; all zero when unknown.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct execcore_file_id {
    /// Device.
    pub device: u64,
    /// Inode.
    pub inode: u64,
    /// Generation.
    pub generation: u64,
}
const_assert_eq!(core::mem::size_of::<execcore_file_id>(), 24);

/// The kernel's callbacks. Every callback is nullable, takes `ctx` first and returns 0 or
/// an errno; `execcore_*` functions say which ones they need.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct execcore_ops {
    /// Passed as the first argument of every callback.
    pub ctx: *mut c_void,
    /// Reads up to `len` bytes of `file` at `offset` into `buf`; `*out_read` = bytes read
    /// (0 at end of file). Short reads are fine.
    pub read_at: Option<
        unsafe extern "C" fn(
            ctx: *mut c_void,
            file: u64,
            offset: u64,
            buf: *mut u8,
            len: usize,
            out_read: *mut usize,
        ) -> execcore_errno,
    >,
    /// Opens the interpreter named by PT_INTERP (`path`, `len` bytes, no NUL); writes a
    /// file handle for `read_at` and its identity (zeros if unknown).
    pub open_interpreter: Option<
        unsafe extern "C" fn(
            ctx: *mut c_void,
            path: *const u8,
            len: usize,
            out_file: *mut u64,
            out_id: *mut execcore_file_id,
        ) -> execcore_errno,
    >,
    /// Fills `buf` with `len` random bytes.
    pub random: Option<unsafe extern "C" fn(ctx: *mut c_void, buf: *mut u8, len: usize) -> execcore_errno>,
    /// Reserves `bytes` of memory for a batch job; nonzero refuses (retryable).
    pub reserve_memory: Option<unsafe extern "C" fn(ctx: *mut c_void, bytes: u64) -> execcore_errno>,
    /// Releases a reservation.
    pub release_memory: Option<unsafe extern "C" fn(ctx: *mut c_void, bytes: u64)>,
    /// A log message (`msg`: `len` bytes, no NUL).
    pub log:
        Option<unsafe extern "C" fn(ctx: *mut c_void, level: execcore_log_level, msg: *const u8, len: usize)>,
    /// Reserves `[start, start+len)` with no access.
    pub reserve: Option<unsafe extern "C" fn(ctx: *mut c_void, start: u64, len: u64) -> execcore_errno>,
    /// Maps zero-filled anonymous memory with `prot` (`EXECCORE_PROT_*` | `EXECCORE_MAP_*`).
    pub map_anonymous: Option<
        unsafe extern "C" fn(ctx: *mut c_void, start: u64, len: u64, prot: execcore_prot) -> execcore_errno,
    >,
    /// Maps `file` privately from `offset` (nullable: the library copies instead).
    pub map_file: Option<
        unsafe extern "C" fn(
            ctx: *mut c_void,
            start: u64,
            len: u64,
            file: u64,
            offset: u64,
            prot: execcore_prot,
        ) -> execcore_errno,
    >,
    /// Registers `[start, start+len)` for demand paging (nullable: lazy mode unsupported).
    pub map_lazy: Option<
        unsafe extern "C" fn(ctx: *mut c_void, start: u64, len: u64, prot: execcore_prot) -> execcore_errno,
    >,
    /// Writes `len` bytes at user address `addr`.
    pub write: Option<
        unsafe extern "C" fn(ctx: *mut c_void, addr: u64, src: *const u8, len: usize) -> execcore_errno,
    >,
    /// Reads `len` bytes of `file` at `offset` straight into user memory at `addr`
    /// (nullable: the library bounces through `read_at` and `write`).
    pub read_into: Option<
        unsafe extern "C" fn(ctx: *mut c_void, file: u64, offset: u64, addr: u64, len: u64) -> execcore_errno,
    >,
    /// Sets the protection of `[start, start+len)`.
    pub protect: Option<
        unsafe extern "C" fn(ctx: *mut c_void, start: u64, len: u64, prot: execcore_prot) -> execcore_errno,
    >,
    /// Unmaps `[start, start+len)`.
    pub unmap: Option<unsafe extern "C" fn(ctx: *mut c_void, start: u64, len: u64) -> execcore_errno>,
    /// Makes new code in `[start, start+len)` visible to instruction fetch (nullable).
    pub sync_icache: Option<unsafe extern "C" fn(ctx: *mut c_void, start: u64, len: u64) -> execcore_errno>,
    /// Finds a free range of `len` bytes aligned to `align` (nullable; elfmap retries).
    pub find_free_range: Option<
        unsafe extern "C" fn(ctx: *mut c_void, len: u64, align: u64, out_start: *mut u64) -> execcore_errno,
    >,
    /// A text page with erratum instructions at `offsets` (nullable: left unpatched).
    pub patch_text: Option<
        unsafe extern "C" fn(
            ctx: *mut c_void,
            page: u64,
            offsets: *const u32,
            count: usize,
        ) -> execcore_errno,
    >,
    /// A descriptor of the executable for the runtime linker (IRIX `AT_PFETCHFD`): called
    /// by `execcore_prepare` only for a dynamic program with `OHW_R8KPFETCH` on an R8000
    /// (NULL then: `EXECCORE_ERR_MISSING_CALLBACK`; an errno: `EXECCORE_ERR_EXEC_FD_FAILED`).
    pub exec_fd: Option<unsafe extern "C" fn(ctx: *mut c_void, out_fd: *mut u64) -> execcore_errno>,
    /// Writes the size of `file` in bytes (nullable: sizes unknown). With it,
    /// execcore_prepare rejects segments and tables outside the file (a truncated file)
    /// before the point of no return; without it they fail in execcore_load.
    pub file_size:
        Option<unsafe extern "C" fn(ctx: *mut c_void, file: u64, out_size: *mut u64) -> execcore_errno>,
    /// A buffer of `bounce_size` bytes the library copies file bytes through when
    /// `read_into` is NULL: one `read_at` and one `write` per buffer-full (a page or more
    /// is best). NULL: a 512-byte buffer on the library's stack.
    pub bounce_buffer: *mut u8,
    /// Bytes of `bounce_buffer`.
    pub bounce_size: usize,
}
const_assert_eq!(core::mem::size_of::<execcore_ops>(), core::mem::size_of::<[usize; 22]>());

/// One `execve`: arguments, environment, limits, credentials, files.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct execcore_exec_params {
    /// `argc` strings, NUL-terminated.
    pub argv: *const *const u8,
    /// Number of `argv` strings (0 gets a single empty `argv[0]`, as Linux).
    pub argc: usize,
    /// `envc` strings, NUL-terminated.
    pub envp: *const *const u8,
    /// Number of `envp` strings.
    pub envc: usize,
    /// The path given to execve (`AT_EXECFN`), `execfn_len` bytes, no NUL needed.
    pub execfn: *const u8,
    /// Length of `execfn`.
    pub execfn_len: usize,
    /// Handle of the executable for `read_at`.
    pub file: u64,
    /// `RLIMIT_STACK` in bytes; `UINT64_MAX` is unlimited (legacy mmap layout).
    pub stack_rlimit: u64,
    /// `EXECCORE_EXEC_*` flags.
    pub flags: execcore_exec_flags,
    /// `EXECCORE_PROFILE_*` (0: Linux).
    pub profile: execcore_profile,
    /// `AT_UID`.
    pub uid: u64,
    /// `AT_EUID`.
    pub euid: u64,
    /// `AT_GID`.
    pub gid: u64,
    /// `AT_EGID`.
    pub egid: u64,
    /// `AT_FLAGS`.
    pub at_flags: u64,
    /// `AT_CLKTCK` (0: 100).
    pub clock_ticks: u64,
    /// `AT_SYSINFO_EHDR` (0: none).
    pub sysinfo_ehdr: u64,
    /// `AT_RSEQ_FEATURE_SIZE` (0: no rseq entries).
    pub rseq_feature_size: u64,
    /// `AT_RSEQ_ALIGN`.
    pub rseq_align: u64,
    /// `AT_EXECFD` + 1 (0: none).
    pub execfd_plus_one: u64,
    /// User window start (0 with `window_end` 0: the arch's Linux window).
    pub window_start: u64,
    /// User window end.
    pub window_end: u64,
    /// `vm.mmap_min_addr` (0: 65536).
    pub mmap_min_addr: u64,
    /// The Linux version the Linux profile imitates, `major << 16 | sublevel << 8 | minor`
    /// (`EXECCORE_LINUX_*`; 0: the newest).
    pub linux_version: execcore_linux_version,
    /// The calling process's personality (`EXECCORE_PER_*` bits; 0: `PER_LINUX`).
    pub personality: execcore_personality,
    /// Argument pointers Linux counts against the argument limit: `max(argc, 1)` of the
    /// argv given to execve, which `execcore_follow_scripts`' rewrite does not change
    /// (Linux sizes them before any `#!` rewrite). 0: `argc` (no script followed).
    pub argc_counted: u64,
    /// Reserved, zero.
    pub reserved: [u64; 2],
}
#[cfg(target_pointer_width = "64")]
const_assert_eq!(core::mem::size_of::<execcore_exec_params>(), 208);
#[cfg(target_pointer_width = "32")]
const_assert_eq!(core::mem::size_of::<execcore_exec_params>(), 184);

/// One mapping of the plan.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct execcore_mapping {
    /// First address (page aligned).
    pub start: u64,
    /// End address (page aligned).
    pub end: u64,
    /// `EXECCORE_PROT_*` | `EXECCORE_MAP_*`.
    pub prot: execcore_prot,
    /// Whose mapping.
    pub image: execcore_image,
    /// What fills it.
    pub kind: execcore_mapping_kind,
    /// Reserved, zero.
    pub reserved0: u32,
    /// File offset of `start` (kind 0).
    pub file_offset: u64,
    /// Valid file bytes from `start` (kind 0), or the pieces' total (kind 2).
    pub file_bytes: u64,
}
const_assert_eq!(core::mem::size_of::<execcore_mapping>(), 48);

/// One auxv entry.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct execcore_auxv_entry {
    /// `AT_*`.
    pub kind: u64,
    /// Value.
    pub value: u64,
}
const_assert_eq!(core::mem::size_of::<execcore_auxv_entry>(), 16);

/// Where things went, and the entry state.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct execcore_layout {
    /// Program load bias.
    pub main_bias: u64,
    /// Interpreter load bias (`AT_BASE`), 0 without one.
    pub interp_bias: u64,
    /// 1 if the program has an interpreter.
    pub has_interp: u32,
    /// 1 if the stack is executable.
    pub exec_stack: u32,
    /// Entry pc.
    pub entry: u64,
    /// Stack pointer at entry.
    pub sp: u64,
    /// `start_brk`.
    pub brk: u64,
    /// Stack mapping start.
    pub stack_start: u64,
    /// Stack top.
    pub stack_top: u64,
    /// mmap base.
    pub mmap_base: u64,
    /// Free range for later mmaps: start.
    pub mmap_start: u64,
    /// Free range for later mmaps: end.
    pub mmap_end: u64,
    /// 1 if later mmaps grow down from `mmap_end`.
    pub mmap_top_down: u32,
    /// Reserved, zero.
    pub reserved0: u32,
}
const_assert_eq!(core::mem::size_of::<execcore_layout>(), 96);

/// Registers at entry: everything not listed is zero.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct execcore_entry_state {
    /// Program counter.
    pub pc: u64,
    /// Stack pointer.
    pub sp: u64,
    /// Number of valid `reg_index`/`reg_value` pairs.
    pub nregs: u32,
    /// MIPS ABI (`EXECCORE_MIPS_ABI_NONE` elsewhere).
    pub abi: execcore_mips_abi,
    /// Arch register numbers.
    pub reg_index: [u32; 4],
    /// Their values.
    pub reg_value: [u64; 4],
    /// MIPS FPU mode (`EXECCORE_MIPS_FR0` elsewhere).
    pub fp_mode: execcore_mips_fp_mode,
    /// `EXECCORE_MIPS_*` or `EXECCORE_AARCH64_*` bits.
    pub arch_flags: execcore_arch_flags,
    /// Arch: MIPS enabled FP exception mask (`OEX_FPU_MIN`: bit 0 inexact, 1 underflow,
    /// 2 overflow, 3 divide by zero, 4 invalid); x86_64 IBT/SHSTK feature bits.
    pub arch_value: u64,
    /// MIPS: FCSR to set at entry (2008 NaN/ABS bits 18-19, enables bits 7-11).
    pub mips_fcsr: u32,
    /// MIPS: the program's ODK_HWPATCH bits (valid with `EXECCORE_MIPS_HWPATCH`).
    pub mips_hwpatch: u32,
    /// MIPS: the program's raw ODK_EXCEPTIONS info (valid with `EXECCORE_MIPS_EXCEPTIONS`).
    pub mips_exceptions: u32,
    /// Reserved, zero.
    pub reserved0: u32,
    /// Reserved, zero.
    pub reserved: [u64; 1],
}
const_assert_eq!(core::mem::size_of::<execcore_entry_state>(), 112);

/// The memory requirement.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct execcore_memory {
    /// Bytes an eager load allocates (images and stack).
    pub eager_bytes: u64,
    /// Committed anonymous bytes (writable, bss, stack).
    pub anonymous_bytes: u64,
    /// The interpreter's share of `eager_bytes`.
    pub interp_bytes: u64,
    /// Bytes reserved through `reserve_memory` (batch jobs).
    pub reserved_bytes: u64,
    /// 1 if the interpreter's share came from the cache.
    pub interp_cached: u32,
    /// Reserved, zero.
    pub reserved0: u32,
}
const_assert_eq!(core::mem::size_of::<execcore_memory>(), 40);

/// What a page holds, for a demand-paging kernel.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct execcore_page_fill {
    /// The page's address.
    pub page: u64,
    /// `EXECCORE_PROT_*` | `EXECCORE_MAP_*` of the page.
    pub prot: execcore_prot,
    /// Whose file the pieces come from.
    pub image: execcore_image,
    /// Handle of that file.
    pub file: u64,
    /// Valid entries in the piece arrays; the rest of the page is zero.
    pub npieces: u32,
    /// Reserved, zero.
    pub reserved0: u32,
    /// Offset of each piece inside the page.
    pub page_offset: [u64; 4],
    /// File offset of each piece.
    pub file_offset: [u64; 4],
    /// Length of each piece.
    pub len: [u64; 4],
}
const_assert_eq!(core::mem::size_of::<execcore_page_fill>(), 128);

/// Bytes of [`execcore_plan`] storage: the plan, the scratch it is built in and the
/// interpreter path buffer (kept off the kernel stack).
pub const EXECCORE_PLAN_SIZE: usize = 16384;
/// 64-bit words of [`execcore_plan`] storage (`EXECCORE_PLAN_SIZE / 8`).
pub const EXECCORE_PLAN_WORDS: usize = 2048;
const_assert_eq!(EXECCORE_PLAN_WORDS * 8, EXECCORE_PLAN_SIZE);

/// Caller-owned storage for a prepared plan (no heap): opaque, 8-byte aligned.
#[repr(C)]
pub struct execcore_plan {
    /// Opaque.
    pub opaque: [u64; EXECCORE_PLAN_WORDS],
}
const_assert_eq!(core::mem::size_of::<execcore_plan>(), EXECCORE_PLAN_SIZE);

/// Details of a failure (written only when a function fails).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct execcore_error {
    /// The status returned.
    pub status: crate::status::execcore_status,
    /// The errno the kernel should return from execve (the callback's own errno for
    /// callback failures, the OS profile's numbering).
    pub errno_value: execcore_errno,
    /// The offending value (index, flags...), 0 when none.
    pub value: u64,
}
const_assert_eq!(core::mem::size_of::<execcore_error>(), 16);

/// What `execcore_load` did.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct execcore_load_report {
    /// Mappings created (reservations, anonymous, file, lazy).
    pub mappings: u64,
    /// `read_into` / bounce copies of file bytes.
    pub copy_calls: u64,
    /// File bytes copied.
    pub bytes_copied: u64,
    /// Text pages handed to `patch_text`.
    pub patched_pages: u64,
    /// Reserved, zero.
    pub reserved: [u64; 4],
}
const_assert_eq!(core::mem::size_of::<execcore_load_report>(), 64);
