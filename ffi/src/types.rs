//! The `#[repr(C)]` types of the C ABI. Every layout is pinned with static assertions here
//! and mirrored by size checks in the C tests.

#![allow(non_camel_case_types)]

use core::ffi::c_void;
use static_assertions::const_assert_eq;

/// An errno value returned by a callback: 0 for success, a positive errno for failure.
pub type execcore_errno = i32;

/// Architecture selector in [`execcore_cpu::arch`].
pub type execcore_arch = u32;
/// x86_64.
pub const EXECCORE_ARCH_X86_64: execcore_arch = 1;
/// AArch64.
pub const EXECCORE_ARCH_AARCH64: execcore_arch = 2;
/// MIPS (o32, n32, n64; both byte orders).
pub const EXECCORE_ARCH_MIPS: execcore_arch = 3;
/// RISC-V 64 (Linux 6.12 riscv). `va_bits` is the kernel's MMU mode (39 sv39, 48 sv48,
/// 57 sv57; 0: sv48), `hwcap` the hart's extensions (bit `letter - 'a'` for single
/// letters, Linux's `AT_HWCAP` layout; `EXECCORE_RISCV_ISA_*` for multi-letter ones; 0:
/// rv64gc), `minsigstksz` as elsewhere (0: `AT_IGNORE`).
pub const EXECCORE_ARCH_RISCV64: execcore_arch = 4;
/// riscv64 `hwcap` bit: Ztso.
pub const EXECCORE_RISCV_ISA_ZTSO: u64 = 0x1_0000_0000;
/// riscv64 `hwcap` bit: Zicfilp.
pub const EXECCORE_RISCV_ISA_ZICFILP: u64 = 0x2_0000_0000;
/// riscv64 `hwcap` bit: Zicfiss.
pub const EXECCORE_RISCV_ISA_ZICFISS: u64 = 0x4_0000_0000;
static_assertions::const_assert_eq!(EXECCORE_RISCV_ISA_ZTSO, arch_riscv64::Isa::ZTSO.0);
static_assertions::const_assert_eq!(EXECCORE_RISCV_ISA_ZICFILP, arch_riscv64::Isa::ZICFILP.0);
static_assertions::const_assert_eq!(EXECCORE_RISCV_ISA_ZICFISS, arch_riscv64::Isa::ZICFISS.0);

/// Protection bit: readable.
pub const EXECCORE_PROT_READ: u32 = 1;
/// Protection bit: writable.
pub const EXECCORE_PROT_WRITE: u32 = 2;
/// Protection bit: executable.
pub const EXECCORE_PROT_EXEC: u32 = 4;
/// Protection bit: AArch64 BTI-guarded page.
pub const EXECCORE_PROT_BTI: u32 = 8;
/// Mapping mark: text that needs an erratum patch before it may run.
pub const EXECCORE_MAP_TEXT_PATCH: u32 = 0x100;

/// Load mode: copy every byte now.
pub const EXECCORE_LOAD_EAGER: u32 = 0;
/// Load mode: private file mappings plus anonymous bss.
pub const EXECCORE_LOAD_MAPPED: u32 = 1;
/// Load mode: register mappings empty; pages come from `execcore_resolve_fault`.
pub const EXECCORE_LOAD_LAZY: u32 = 2;

/// Flag in [`execcore_exec_params::flags`]: randomise the layout (ASLR).
pub const EXECCORE_EXEC_RANDOMIZE: u32 = 1;
/// Flag: batch job — reserve the memory requirement before the point of no return.
pub const EXECCORE_EXEC_BATCH: u32 = 2;
/// Flag: `AT_SECURE` (set-user-ID exec).
pub const EXECCORE_EXEC_SECURE: u32 = 4;

/// Flag in [`execcore_cpu::flags`]: the kernel supports BTI (AArch64).
pub const EXECCORE_CPU_BTI: u32 = 1;
/// Flag: accept big-endian AArch64 programs.
pub const EXECCORE_CPU_AARCH64_BE: u32 = 2;
/// Flag: MIPS R5000 `cvt.[ds].l` erratum workaround on.
pub const EXECCORE_CPU_MIPS_R5K_CVT: u32 = 4;
/// Flag: MIPS R8000 (TFP) prefetch check.
pub const EXECCORE_CPU_MIPS_R8K_PREFETCH: u32 = 8;
/// Flag: strict prefetch off — a static R8000-prefetch program is accepted with a logged
/// warning (default, flag clear: rejected with EBADRQC, as IRIX's strict setting).
pub const EXECCORE_CPU_MIPS_LAX_PREFETCH: u32 = 0x10;
/// Flag (custom MIPS CPU): release 6; requires `mips_isa_rev` 6 (else
/// `EXECCORE_ERR_INVALID_PARAMETER`).
pub const EXECCORE_CPU_MIPS_R6: u32 = 0x20;
/// Flag (custom MIPS CPU): the FPU runs FR=0 natively. A custom CPU with none of the FR
/// flags has no FPU (the kernel emulates).
pub const EXECCORE_CPU_MIPS_FR0: u32 = 0x40;
/// Flag (custom MIPS CPU): the FPU runs FR=1 natively (64-bit FPRs, `FIR.F64`).
pub const EXECCORE_CPU_MIPS_FR1: u32 = 0x80;
/// Flag (custom MIPS CPU): the FPU supports FRE.
pub const EXECCORE_CPU_MIPS_FRE: u32 = 0x100;
/// Flag (custom MIPS CPU): the FPU implements IEEE 754-2008 NaNs.
pub const EXECCORE_CPU_MIPS_NAN2008: u32 = 0x200;
/// Flag (custom MIPS CPU): the FPU implements legacy NaNs.
pub const EXECCORE_CPU_MIPS_NAN_LEGACY: u32 = 0x400;
/// Flag: big-endian CPU (MIPS; files of the other byte order are rejected).
pub const EXECCORE_CPU_BIG_ENDIAN: u32 = 0x800;
/// Flag (custom MIPS CPU): read-inhibit/execute-inhibit page bits (no READ_IMPLIES_EXEC).
pub const EXECCORE_CPU_MIPS_RIXI: u32 = 0x1000;
/// Flag (custom MIPS CPU): a GIC user page above the stack (one page lower stack top).
pub const EXECCORE_CPU_MIPS_GIC: u32 = 0x2000;
/// Flag: do not reject MIPS programs whose `EF_MIPS_ARCH` is above the CPU's ISA
/// (Linux does not check it; default, flag clear: EBADRQC).
pub const EXECCORE_CPU_MIPS_NO_ISA_CHECK: u32 = 0x4000;
/// Flag: riscv64 hardened check — refuse a program or interpreter whose `e_flags` need an
/// extension `hwcap` lacks (C, F, D, Q, Ztso; `EXECCORE_ERR_ARCH_REJECTED`, ENOEXEC). Clear
/// (default): as Linux, which reads no `e_flags`.
pub const EXECCORE_CPU_RISCV_ISA_CHECK: u32 = 0x8000;

/// `execcore_cpu.mips_model`: a CPU described field by field (`mips_isa_level` required).
pub const EXECCORE_MIPS_CPU_CUSTOM: u32 = 0;
/// `mips_model`: R5000 (MIPS IV, `cvt.[ds].l` workaround on).
pub const EXECCORE_MIPS_CPU_R5000: u32 = 1;
/// `mips_model`: R8000 / TFP (MIPS IV, prefetch check on).
pub const EXECCORE_MIPS_CPU_R8000: u32 = 2;
/// `mips_model`: R10000 (MIPS IV).
pub const EXECCORE_MIPS_CPU_R10000: u32 = 3;
/// `mips_model`: MIPS 5KEf (MIPS64r2, FPU, legacy NaN: qemu `5KEf`, the oracle's).
pub const EXECCORE_MIPS_CPU_5KEF: u32 = 4;
/// `mips_model`: MIPS 5KEc (MIPS64r2 without FPU: qemu `5KEc`).
pub const EXECCORE_MIPS_CPU_5KEC: u32 = 5;
/// `mips_model`: MIPS32r2 with a 64-bit FPU (32-bit kernel).
pub const EXECCORE_MIPS_CPU_MIPS32R2: u32 = 6;
/// `mips_model`: generic MIPS64r2 (qemu `MIPS64R2-generic`, 8 KiB cache aliasing).
pub const EXECCORE_MIPS_CPU_MIPS64R2: u32 = 7;
/// `mips_model`: MIPS64r2 with DSP r2 (qemu `mips64dspr2`).
pub const EXECCORE_MIPS_CPU_MIPS64DSPR2: u32 = 8;
/// `mips_model`: MIPS32r6 (32-bit kernel).
pub const EXECCORE_MIPS_CPU_MIPS32R6: u32 = 9;
/// `mips_model`: MIPS64r6.
pub const EXECCORE_MIPS_CPU_MIPS64R6: u32 = 10;

/// `execcore_entry_state.abi`: MIPS o32.
pub const EXECCORE_MIPS_ABI_O32: u32 = 1;
/// `execcore_entry_state.abi`: MIPS n32.
pub const EXECCORE_MIPS_ABI_N32: u32 = 2;
/// `execcore_entry_state.abi`: MIPS n64.
pub const EXECCORE_MIPS_ABI_N64: u32 = 3;

/// `execcore_entry_state.fp_mode`: Status.FR = 0.
pub const EXECCORE_MIPS_FR0: u32 = 0;
/// `execcore_entry_state.fp_mode`: Status.FR = 1.
pub const EXECCORE_MIPS_FR1: u32 = 1;
/// `execcore_entry_state.fp_mode`: FR = 1 with Config5.FRE.
pub const EXECCORE_MIPS_FRE: u32 = 2;

/// MIPS `arch_flags` bit: IEEE 754-2008 NaNs (`EF_MIPS_NAN2008`).
pub const EXECCORE_MIPS_NAN2008: u32 = 0x1;
/// MIPS `arch_flags` bit: precise FP exceptions (`OEX_PRECISEFP`).
pub const EXECCORE_MIPS_PRECISE_FP: u32 = 0x2;
/// MIPS `arch_flags` bit: speculative mode (`OEX_DISMISS`).
pub const EXECCORE_MIPS_SPECULATIVE: u32 = 0x4;
/// MIPS `arch_flags` bit: the program's text is mapped `EXECCORE_MAP_TEXT_PATCH` (R5000).
pub const EXECCORE_MIPS_TEXT_PATCH: u32 = 0x8;
/// MIPS `arch_flags` bit: the interpreter's text is mapped `EXECCORE_MAP_TEXT_PATCH`.
pub const EXECCORE_MIPS_TEXT_PATCH_INTERP: u32 = 0x10;
/// MIPS `arch_flags` bit: the auxv carries `AT_PFETCHFD` (from `exec_fd`).
pub const EXECCORE_MIPS_PREFETCH_FD: u32 = 0x20;
/// MIPS `arch_flags` bit: a static R8000-prefetch program accepted with a warning.
pub const EXECCORE_MIPS_PREFETCH_WARNING: u32 = 0x40;
/// MIPS `arch_flags` bit: the FPU does not run `fp_mode` natively (the kernel emulates).
pub const EXECCORE_MIPS_FP_EMULATED: u32 = 0x80;
/// MIPS `arch_flags` bit: the program has ODK_EXCEPTIONS (`mips_exceptions` is valid).
pub const EXECCORE_MIPS_EXCEPTIONS: u32 = 0x100;
/// MIPS `arch_flags` bit: the program has ODK_HWPATCH (`mips_hwpatch` is valid).
pub const EXECCORE_MIPS_HWPATCH: u32 = 0x200;
/// MIPS `arch_flags` bit: `OEX_PAGE0` (reported only).
pub const EXECCORE_MIPS_PAGE0: u32 = 0x400;
/// MIPS `arch_flags` bit: `OEX_SMM` (reported only).
pub const EXECCORE_MIPS_SMM: u32 = 0x800;
/// MIPS `arch_flags` bit: READ_IMPLIES_EXEC (no PT_GNU_STACK on a CPU without RIXI).
pub const EXECCORE_MIPS_READ_IMPLIES_EXEC: u32 = 0x1000;

/// OS profile: Linux auxv and errnos.
pub const EXECCORE_OS_LINUX: u32 = 0;
/// OS profile: IRIX auxv and errnos.
pub const EXECCORE_OS_IRIX: u32 = 1;

/// The CPU and kernel description an exec is planned for.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct execcore_cpu {
    /// `EXECCORE_ARCH_*`.
    pub arch: execcore_arch,
    /// `EXECCORE_CPU_*` flags.
    pub flags: u32,
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
    pub os: u32,
    /// MIPS ISA level (1..5, 32, 64).
    pub mips_isa_level: u32,
    /// MIPS ISA revision.
    pub mips_isa_rev: u32,
    /// MIPS `ieee754=` policy: 0 strict, 1 legacy, 2 2008, 3 relaxed, 4 emulated.
    pub mips_ieee754: u32,
    /// MIPS CPU: `EXECCORE_MIPS_CPU_*`. A named model fixes ISA, FPU, NaN, RIXI, GIC,
    /// cache aliasing and errata; `flags` may add the R5000/R8000 errata, nonzero `hwcap`
    /// and `mips_dcache_alias` replace the model's. `EXECCORE_MIPS_CPU_CUSTOM` (0) takes
    /// them from `mips_isa_level`/`_rev` and the `EXECCORE_CPU_MIPS_*` flags. Byte order,
    /// `page_size`, `mips_ieee754`, `os` and `stack_top` apply to both. Unknown values:
    /// `EXECCORE_ERR_INVALID_PARAMETER`.
    pub mips_model: u32,
    /// Stack top override for every ABI (0: the arch's default; MIPS derives it per ABI
    /// from the kernel, cache aliasing and GIC — prefer 0 there).
    pub stack_top: u64,
    /// MIPS data-cache alias span in bytes (`shm_align_mask + 1`; 0: none, or the model's).
    pub mips_dcache_alias: u64,
    /// Reserved, zero.
    pub reserved: [u64; 4],
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
    /// A log message (`level` 0 warning, 1 info).
    pub log: Option<unsafe extern "C" fn(ctx: *mut c_void, level: u32, msg: *const u8, len: usize)>,
    /// Reserves `[start, start+len)` with no access.
    pub reserve: Option<unsafe extern "C" fn(ctx: *mut c_void, start: u64, len: u64) -> execcore_errno>,
    /// Maps zero-filled anonymous memory with `prot` (`EXECCORE_PROT_*` | `EXECCORE_MAP_*`).
    pub map_anonymous:
        Option<unsafe extern "C" fn(ctx: *mut c_void, start: u64, len: u64, prot: u32) -> execcore_errno>,
    /// Maps `file` privately from `offset` (nullable: the library copies instead).
    pub map_file: Option<
        unsafe extern "C" fn(
            ctx: *mut c_void,
            start: u64,
            len: u64,
            file: u64,
            offset: u64,
            prot: u32,
        ) -> execcore_errno,
    >,
    /// Registers `[start, start+len)` for demand paging (nullable: lazy mode unsupported).
    pub map_lazy:
        Option<unsafe extern "C" fn(ctx: *mut c_void, start: u64, len: u64, prot: u32) -> execcore_errno>,
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
    pub protect:
        Option<unsafe extern "C" fn(ctx: *mut c_void, start: u64, len: u64, prot: u32) -> execcore_errno>,
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
}
const_assert_eq!(core::mem::size_of::<execcore_ops>(), 19 * core::mem::size_of::<usize>());

/// One `execve`: arguments, environment, limits, credentials, files.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct execcore_exec_params {
    /// `argc` strings, NUL-terminated.
    pub argv: *const *const u8,
    /// Number of `argv` strings (0 gets a single empty argv[0], as Linux).
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
    pub flags: u32,
    /// Reserved, zero.
    pub reserved0: u32,
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
    /// Reserved, zero.
    pub reserved: [u64; 4],
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
    pub prot: u32,
    /// 0 program, 1 interpreter.
    pub image: u32,
    /// 0 file-backed, 1 zero-filled, 2 assembled from several segments.
    pub kind: u32,
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
    /// Arch: MIPS ABI (1 o32, 2 n32, 3 n64), 0 elsewhere.
    pub abi: u32,
    /// Arch register numbers.
    pub reg_index: [u32; 4],
    /// Their values.
    pub reg_value: [u64; 4],
    /// Arch: MIPS FPU mode (0 FR0, 1 FR1, 2 FRE), 0 elsewhere.
    pub fp_mode: u32,
    /// Arch: flags (MIPS: the `EXECCORE_MIPS_*` bits — 0x1 NaN2008, 0x2 precise FP
    /// exceptions, 0x4 speculative, 0x8/0x10 program/interpreter text patched, 0x20
    /// AT_PFETCHFD, 0x40 prefetch warning, 0x80 FP mode emulated, 0x100 ODK_EXCEPTIONS,
    /// 0x200 ODK_HWPATCH, 0x400 PAGE0, 0x800 SMM, 0x1000 READ_IMPLIES_EXEC; AArch64: 1 BTI,
    /// 2 PAC, 4 GCS requested by the program's properties).
    pub arch_flags: u32,
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
    pub prot: u32,
    /// 0 program, 1 interpreter: whose file the pieces come from.
    pub image: u32,
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

/// Bytes of [`execcore_plan`] storage.
pub const EXECCORE_PLAN_SIZE: usize = 8192;
/// 64-bit words of [`execcore_plan`] storage (`EXECCORE_PLAN_SIZE / 8`).
pub const EXECCORE_PLAN_WORDS: usize = 1024;
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
    pub status: i32,
    /// The errno the kernel should return from execve (the callback's own errno for
    /// callback failures, the OS profile's numbering).
    pub errno_value: i32,
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
