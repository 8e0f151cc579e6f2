/* execcore.h - the C ABI of execcore, version 1.0 (EXECCORE_ABI_VERSION 2).
 * Generated from ffi/ by ffi/tests/header.rs (cbindgen for structs and functions); do not
 * edit; the test there says how to regenerate it.
 *
 * Kernel-safe C89 to C11 and C++: needs only stddef.h and stdint.h, no libc calls.
 * Conventions: functions return an execcore_status (0 = EXECCORE_OK); out-pointers are
 * written only on success, execcore_error only on failure; callbacks take ctx first and
 * return 0 or an errno (execcore_errno). Order of an exec: execcore_prepare (reads and
 * validates, touches no address space), then into a fresh address space execcore_load and
 * execcore_build_stack (each unmaps what it mapped on failure); the point of no return
 * is after execcore_build_stack. */
#ifndef EXECCORE_H
#define EXECCORE_H

#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Sizes and versions. */
#define EXECCORE_ABI_VERSION                    2 /* The ABI of this header; execcore_abi_version() returns the library's. */
#define EXECCORE_PLAN_SIZE                  16384 /* Bytes of execcore_plan storage. */
#define EXECCORE_PLAN_WORDS                  2048 /* 64-bit words of execcore_plan storage. */
#define EXECCORE_ELFMAP_MAX_PHDRS              64 /* Most program headers execcore_elfmap takes. */

/* An errno a callback returns: 0 for success, a positive errno (in the kernel's own
 * numbering) for failure. Three change what the library does: ENOSYS (38; 89 on
 * MIPS) from map_file, map_lazy or find_free_range means "not supported" (the library
 * copies instead, or gives up moving an object); EEXIST (17) or ENOMEM (12) from
 * reserve in execcore_elfmap means "range taken" (one retry elsewhere). Every other
 * errno fails the call and is reported in execcore_error.errno_value. */
typedef int32_t execcore_errno;

/* Architecture selector (execcore_cpu.arch). */
typedef uint32_t execcore_arch;
#define EXECCORE_ARCH_X86_64                    1 /* x86_64. */
#define EXECCORE_ARCH_AARCH64                   2 /* AArch64. */
#define EXECCORE_ARCH_MIPS                      3 /* MIPS (o32, n32, n64; both byte orders). */
#define EXECCORE_ARCH_RISCV64                   4 /* RISC-V 64 (Linux 6.12): va_bits is the MMU mode (39, 48, 57; 0: 48), hwcap the hart's extensions (execcore_riscv_isa; 0: rv64gc), minsigstksz 0 puts AT_IGNORE. */

/* execcore_cpu.hwcap for EXECCORE_ARCH_RISCV64: bit (letter - 'a') for each
 * single-letter extension (Linux's AT_HWCAP layout, of which Linux reports I M A F D C
 * V), and these multi-letter ones. */
typedef uint64_t execcore_riscv_isa;
#define EXECCORE_RISCV_ISA_ZTSO            0x100000000 /* Ztso (total store ordering). */
#define EXECCORE_RISCV_ISA_ZICFILP         0x200000000 /* Zicfilp (landing pads). */
#define EXECCORE_RISCV_ISA_ZICFISS         0x400000000 /* Zicfiss (shadow stack). */

/* execcore_cpu.flags. "Custom" flags apply to EXECCORE_MIPS_CPU_CUSTOM only. */
typedef uint32_t execcore_cpu_flags;
#define EXECCORE_CPU_BTI                      0x1 /* The kernel supports BTI (AArch64). */
#define EXECCORE_CPU_AARCH64_BE               0x2 /* Accept big-endian AArch64 programs. */
#define EXECCORE_CPU_MIPS_R5K_CVT             0x4 /* MIPS R5000 cvt.[ds].l erratum workaround on. */
#define EXECCORE_CPU_MIPS_R8K_PREFETCH        0x8 /* MIPS R8000 (TFP) prefetch check. */
#define EXECCORE_CPU_MIPS_LAX_PREFETCH       0x10 /* Accept a static R8000-prefetch program with a warning (default: EBADRQC). */
#define EXECCORE_CPU_MIPS_R6                 0x20 /* Custom: release 6 (mips_isa_rev must be 6). */
#define EXECCORE_CPU_MIPS_FR0                0x40 /* Custom: the FPU runs FR=0 (no FR flag at all: no FPU, the kernel emulates). */
#define EXECCORE_CPU_MIPS_FR1                0x80 /* Custom: the FPU runs FR=1 (64-bit FPRs). */
#define EXECCORE_CPU_MIPS_FRE               0x100 /* Custom: the FPU supports FRE. */
#define EXECCORE_CPU_MIPS_NAN2008           0x200 /* Custom: IEEE 754-2008 NaNs. */
#define EXECCORE_CPU_MIPS_NAN_LEGACY        0x400 /* Custom: legacy NaNs. */
#define EXECCORE_CPU_BIG_ENDIAN             0x800 /* Big-endian CPU (MIPS; files of the other byte order are rejected). */
#define EXECCORE_CPU_MIPS_RIXI             0x1000 /* Custom: RI/XI page bits (no READ_IMPLIES_EXEC). */
#define EXECCORE_CPU_MIPS_GIC              0x2000 /* Custom: a GIC user page above the stack (one page lower stack top). */
#define EXECCORE_CPU_MIPS_NO_ISA_CHECK     0x4000 /* No EF_MIPS_ARCH check: the default (Linux does not check it); kept so callers that set it keep their meaning. EXECCORE_CPU_MIPS_ISA_CHECK wins over it. */
#define EXECCORE_CPU_RISCV_ISA_CHECK       0x8000 /* riscv64, hardened: refuse a program or interpreter whose e_flags need an extension hwcap lacks (C, F, D, Q, Ztso; arch status, ENOEXEC). Clear: as Linux (no check). */
#define EXECCORE_CPU_MIPS_ISA_CHECK        0x10000 /* MIPS, IRIX-style: refuse a program or interpreter whose EF_MIPS_ARCH is above the CPU's ISA (arch status, EBADRQC). Clear: as Linux (no check). */

/* execcore_cpu.mips_model: a named model fixes ISA, FPU, NaN, RIXI, GIC, cache
 * aliasing and errata; flags may add the R5000/R8000 errata, nonzero hwcap and
 * mips_dcache_alias replace the model's. Unknown values: invalid parameter. */
typedef uint32_t execcore_mips_cpu;
#define EXECCORE_MIPS_CPU_CUSTOM                0 /* Described field by field (mips_isa_level/rev and the custom CPU flags). */
#define EXECCORE_MIPS_CPU_R5000                 1 /* R5000 (MIPS IV, cvt.[ds].l workaround on). */
#define EXECCORE_MIPS_CPU_R8000                 2 /* R8000 / TFP (MIPS IV, prefetch check on). */
#define EXECCORE_MIPS_CPU_R10000                3 /* R10000 (MIPS IV). */
#define EXECCORE_MIPS_CPU_5KEF                  4 /* 5KEf (MIPS64r2, FPU, legacy NaN; qemu 5KEf). */
#define EXECCORE_MIPS_CPU_5KEC                  5 /* 5KEc (MIPS64r2 without FPU; qemu 5KEc). */
#define EXECCORE_MIPS_CPU_MIPS32R2              6 /* MIPS32r2 with a 64-bit FPU (32-bit kernel). */
#define EXECCORE_MIPS_CPU_MIPS64R2              7 /* Generic MIPS64r2 (qemu MIPS64R2-generic, 8 KiB cache aliasing). */
#define EXECCORE_MIPS_CPU_MIPS64DSPR2           8 /* MIPS64r2 with DSP r2 (qemu mips64dspr2). */
#define EXECCORE_MIPS_CPU_MIPS32R6              9 /* MIPS32r6 (32-bit kernel). */
#define EXECCORE_MIPS_CPU_MIPS64R6             10 /* MIPS64r6. */

/* execcore_cpu.mips_ieee754: Linux's ieee754= boot policy. */
typedef uint32_t execcore_mips_ieee754;
#define EXECCORE_MIPS_IEEE754_STRICT            0 /* strict (default): the NaN encoding the hardware supports. */
#define EXECCORE_MIPS_IEEE754_LEGACY            1 /* legacy: legacy NaN programs only. */
#define EXECCORE_MIPS_IEEE754_2008              2 /* 2008: IEEE 754-2008 NaN programs only. */
#define EXECCORE_MIPS_IEEE754_RELAXED           3 /* relaxed: any encoding, the hardware's mode kept. */
#define EXECCORE_MIPS_IEEE754_EMULATED          4 /* emulated: any encoding, the FPU emulator follows the program. */

/* execcore_cpu.os: whose auxv and errno conventions the exec follows (MIPS). */
typedef uint32_t execcore_os;
#define EXECCORE_OS_LINUX                       0 /* Linux auxv and errnos. */
#define EXECCORE_OS_IRIX                        1 /* IRIX auxv and errnos. */

/* execcore_exec_params.flags. */
typedef uint32_t execcore_exec_flags;
#define EXECCORE_EXEC_RANDOMIZE               0x1 /* Randomise the layout (ASLR). */
#define EXECCORE_EXEC_BATCH                   0x2 /* Batch job: reserve the memory requirement before the point of no return. */
#define EXECCORE_EXEC_SECURE                  0x4 /* A secure exec (set-user-ID, set-group-ID or capabilities gained): AT_SECURE, the stack limit clamped to 8 MiB, the personality's PER_CLEAR_ON_SETID bits cleared. */
#define EXECCORE_EXEC_MAIN_HUGE_ALIGNED       0x8 /* The program's file system aligns large mappings for transparent huge pages (Linux's thp_get_unmapped_area: ext4, xfs; not tmpfs without huge=). */
#define EXECCORE_EXEC_INTERP_HUGE_ALIGNED    0x10 /* The same for the interpreter's file system. */

/* Which rules an exec follows (execcore_exec_params.profile). */
typedef uint32_t execcore_profile;
#define EXECCORE_PROFILE_LINUX                  0 /* Accept and lay out exactly what Linux does, at execcore_exec_params.linux_version (the default). */
#define EXECCORE_PROFILE_HARDENED               1 /* Linux's layout with stricter acceptance (exec-core/README.md, the profile table). */

/* The Linux version the Linux profile imitates (execcore_exec_params.linux_version):
 * major << 16 | sublevel << 8 | minor, minor and sublevel at most 255 (a larger
 * sublevel saturates, as in Linux's KERNEL_VERSION); a sublevel matters where a stable
 * series took a change as a backport (6.1.y: elf_load from 6.1.140). */
typedef uint32_t execcore_linux_version;
#define EXECCORE_LINUX_NEWEST                   0 /* The newest behaviour modelled (6.18). */
#define EXECCORE_LINUX_6_1                 393217 /* Linux 6.1 (6.1.0), before the stable updates. */
#define EXECCORE_LINUX_6_1_140             429057 /* Linux 6.1.140: the first 6.1.y with 6.7's elf_load for the program (the arm64 and MIPS oracles run 6.1.192 and 6.1.176). */
#define EXECCORE_LINUX_6_12                393228 /* Linux 6.12, the riscv64 oracle's kernel. */
#define EXECCORE_LINUX_6_18                393234 /* Linux 6.18, the host kernel of the measurements. */

/* The calling process's personality bits the exec looks at (execcore_exec_params.personality). */
typedef uint32_t execcore_personality;
#define EXECCORE_PER_ADDR_NO_RANDOMIZE     0x40000 /* ADDR_NO_RANDOMIZE: no ASLR. */
#define EXECCORE_PER_ADDR_COMPAT_LAYOUT    0x200000 /* ADDR_COMPAT_LAYOUT: the legacy bottom-up mmap layout. */
#define EXECCORE_PER_READ_IMPLIES_EXEC     0x400000 /* READ_IMPLIES_EXEC: every readable mapping executable (kept by MIPS; x86_64 and arm64 clear it for 64-bit programs). */

/* How execcore_load and execcore_elfmap build an image. */
typedef uint32_t execcore_load_mode;
#define EXECCORE_LOAD_EAGER                     0 /* Copy every byte now. */
#define EXECCORE_LOAD_MAPPED                    1 /* Private file mappings plus anonymous bss. */
#define EXECCORE_LOAD_LAZY                      2 /* Register mappings empty; pages come from execcore_resolve_fault. */

/* Protection of a mapping, plus marks: the prot of mappings, callbacks and page fills. */
typedef uint32_t execcore_prot;
#define EXECCORE_PROT_READ                    0x1 /* Readable. */
#define EXECCORE_PROT_WRITE                   0x2 /* Writable. */
#define EXECCORE_PROT_EXEC                    0x4 /* Executable. */
#define EXECCORE_PROT_BTI                     0x8 /* AArch64 BTI-guarded page. */
#define EXECCORE_MAP_TEXT_PATCH             0x100 /* Mark: text that needs an erratum patch before it may run. */

/* Whose file a mapping or page comes from. */
typedef uint32_t execcore_image;
#define EXECCORE_IMAGE_PROGRAM                  0 /* The program. */
#define EXECCORE_IMAGE_INTERPRETER              1 /* Its interpreter. */

/* What fills a mapping (execcore_mapping.kind). */
typedef uint32_t execcore_mapping_kind;
#define EXECCORE_MAPPING_FILE                   0 /* File bytes from file_offset (file_bytes of them), the rest zero. */
#define EXECCORE_MAPPING_ZERO                   1 /* Zero-filled. */

/* The level of a log callback message. */
typedef uint32_t execcore_log_level;
#define EXECCORE_LOG_WARNING                    0 /* Something the kernel's operator should know (an accepted but doubtful program). */
#define EXECCORE_LOG_INFO                       1 /* Information. */

/* The class of a program header table given to execcore_elfmap. */
typedef uint32_t execcore_elf_class;
#define EXECCORE_ELFCLASS32                     1 /* Elf32_Phdr entries. */
#define EXECCORE_ELFCLASS64                     2 /* Elf64_Phdr entries. */

/* execcore_entry_state.abi. */
typedef uint32_t execcore_mips_abi;
#define EXECCORE_MIPS_ABI_NONE                  0 /* Not MIPS. */
#define EXECCORE_MIPS_ABI_O32                   1 /* MIPS o32. */
#define EXECCORE_MIPS_ABI_N32                   2 /* MIPS n32. */
#define EXECCORE_MIPS_ABI_N64                   3 /* MIPS n64. */

/* execcore_entry_state.fp_mode (MIPS; 0 elsewhere). */
typedef uint32_t execcore_mips_fp_mode;
#define EXECCORE_MIPS_FR0                       0 /* Status.FR = 0. */
#define EXECCORE_MIPS_FR1                       1 /* Status.FR = 1. */
#define EXECCORE_MIPS_FRE                       2 /* FR = 1 with Config5.FRE. */

/* execcore_entry_state.arch_flags: MIPS bits, or AArch64's features requested by
 * the program's GNU properties. */
typedef uint32_t execcore_arch_flags;
#define EXECCORE_MIPS_NAN2008                 0x1 /* MIPS: IEEE 754-2008 NaNs (EF_MIPS_NAN2008). */
#define EXECCORE_MIPS_PRECISE_FP              0x2 /* MIPS: precise FP exceptions (OEX_PRECISEFP). */
#define EXECCORE_MIPS_SPECULATIVE             0x4 /* MIPS: speculative mode (OEX_DISMISS). */
#define EXECCORE_MIPS_TEXT_PATCH              0x8 /* MIPS: the program's text is mapped EXECCORE_MAP_TEXT_PATCH (R5000). */
#define EXECCORE_MIPS_TEXT_PATCH_INTERP      0x10 /* MIPS: the interpreter's text is mapped EXECCORE_MAP_TEXT_PATCH. */
#define EXECCORE_MIPS_PREFETCH_FD            0x20 /* MIPS: the auxv carries AT_PFETCHFD (from exec_fd). */
#define EXECCORE_MIPS_PREFETCH_WARNING       0x40 /* MIPS: a static R8000-prefetch program accepted with a warning. */
#define EXECCORE_MIPS_FP_EMULATED            0x80 /* MIPS: the FPU does not run fp_mode natively (the kernel emulates). */
#define EXECCORE_MIPS_EXCEPTIONS            0x100 /* MIPS: the program has ODK_EXCEPTIONS (mips_exceptions is valid). */
#define EXECCORE_MIPS_HWPATCH               0x200 /* MIPS: the program has ODK_HWPATCH (mips_hwpatch is valid). */
#define EXECCORE_MIPS_PAGE0                 0x400 /* MIPS: OEX_PAGE0 (reported only). */
#define EXECCORE_MIPS_SMM                   0x800 /* MIPS: OEX_SMM (reported only). */
#define EXECCORE_MIPS_READ_IMPLIES_EXEC    0x1000 /* MIPS: READ_IMPLIES_EXEC (no PT_GNU_STACK on a CPU without RIXI). */
#define EXECCORE_AARCH64_BTI                  0x1 /* AArch64: BTI requested. */
#define EXECCORE_AARCH64_PAC                  0x2 /* AArch64: PAC requested. */
#define EXECCORE_AARCH64_GCS                  0x4 /* AArch64: GCS requested. */
#define EXECCORE_RISCV_CFI_LP_UNLABELED       0x1 /* riscv64: every image marked for Zicfilp unlabeled landing pads (reported only); arch_value holds the program's e_flags. */
#define EXECCORE_RISCV_CFI_SS                 0x2 /* riscv64: every image marked for the Zicfiss shadow stack (reported only). */
#define EXECCORE_RISCV_CFI_LP_FUNC_SIG        0x4 /* riscv64: every image marked for Zicfilp function-signature landing pads. */

/* Every outcome of an execcore_* function: 0 is success, failures lie in 5000-5399
 * (C ABI 5000, file 5100, exec 5200, architecture 5300), above every errno, so a
 * status is never mistaken for one. Each line: the default errno (asm-generic
 * numbering; execcore_error.errno_value has the one to return) and the message
 * execcore_status_str gives. */
typedef int32_t execcore_status;
#define EXECCORE_OK                                           0 /* 0: success */
#define EXECCORE_ERR_NULL_ARGUMENT                         5000 /* EINVAL: a required pointer argument is NULL */
#define EXECCORE_ERR_BUFFER_TOO_SMALL                      5001 /* EINVAL: output buffer too small */
#define EXECCORE_ERR_UNSUPPORTED_ARCH                      5002 /* ENOEXEC: architecture not built into this library */
#define EXECCORE_ERR_MISSING_CALLBACK                      5003 /* EINVAL: a required callback is NULL */
#define EXECCORE_ERR_BAD_PLAN                              5004 /* EINVAL: plan storage does not hold a prepared plan */
#define EXECCORE_ERR_EXEC_FD_FAILED                        5005 /* EIO: the exec_fd callback failed to give a descriptor */
#define EXECCORE_ERR_READ_FAILED                           5100 /* EIO: reading the file failed */
#define EXECCORE_ERR_TRUNCATED                             5101 /* ENOEXEC: file truncated */
#define EXECCORE_ERR_BAD_MAGIC                             5102 /* ENOEXEC: not an ELF file */
#define EXECCORE_ERR_BAD_CLASS                             5103 /* ENOEXEC: invalid ELF class */
#define EXECCORE_ERR_BAD_ENCODING                          5104 /* ENOEXEC: invalid ELF data encoding */
#define EXECCORE_ERR_BAD_IDENT_VERSION                     5105 /* ENOEXEC: invalid ELF ident version */
#define EXECCORE_ERR_BAD_VERSION                           5106 /* ENOEXEC: invalid ELF version */
#define EXECCORE_ERR_BAD_HEADER_SIZE                       5107 /* ENOEXEC: invalid e_ehsize */
#define EXECCORE_ERR_BAD_PROGRAM_HEADER_SIZE               5108 /* ENOEXEC: invalid e_phentsize */
#define EXECCORE_ERR_BAD_EXTENDED_PHNUM                    5109 /* ENOEXEC: PN_XNUM without a valid section header 0 */
#define EXECCORE_ERR_PROGRAM_HEADER_TABLE_TOO_LARGE        5110 /* ENOEXEC: program header table too large */
#define EXECCORE_ERR_PROGRAM_HEADER_TABLE_OUTSIDE_FILE     5111 /* ENOEXEC: program header table outside the file */
#define EXECCORE_ERR_NO_SUCH_PROGRAM_HEADER                5112 /* ENOEXEC: no such program header */
#define EXECCORE_ERR_SEGMENT_OUTSIDE_FILE                  5113 /* ENOEXEC: segment lies outside the file */
#define EXECCORE_ERR_DUPLICATE_INTERPRETER                 5114 /* ENOEXEC: more than one PT_INTERP */
#define EXECCORE_ERR_INTERPRETER_TOO_SHORT                 5115 /* ENOEXEC: PT_INTERP too short */
#define EXECCORE_ERR_INTERPRETER_TOO_LONG                  5116 /* ENOEXEC: PT_INTERP too long */
#define EXECCORE_ERR_INTERPRETER_NOT_TERMINATED            5117 /* ENOEXEC: PT_INTERP not NUL-terminated */
#define EXECCORE_ERR_INTERPRETER_EMBEDDED_NUL              5118 /* ENOEXEC: NUL inside PT_INTERP */
#define EXECCORE_ERR_DUPLICATE_SEGMENT                     5119 /* ENOEXEC: a segment kind that must be unique appears twice */
#define EXECCORE_ERR_PROPERTY_TOO_LARGE                    5120 /* ENOEXEC: PT_GNU_PROPERTY too large */
#define EXECCORE_ERR_PROPERTY_NOTE_INVALID                 5121 /* ENOEXEC: invalid GNU property note */
#define EXECCORE_ERR_PROPERTY_MALFORMED                    5122 /* ENOEXEC: malformed GNU property */
#define EXECCORE_ERR_PROPERTY_UNSORTED                     5123 /* ENOEXEC: GNU properties out of order */
#define EXECCORE_ERR_PROPERTY_BAD_SIZE                     5124 /* ENOEXEC: GNU property with a bad size */
#define EXECCORE_ERR_NOTE_MALFORMED                        5125 /* ENOEXEC: malformed note */
#define EXECCORE_ERR_MIPS_ABIFLAGS_TOO_SHORT               5126 /* EINVAL: PT_MIPS_ABIFLAGS shorter than 24 bytes */
#define EXECCORE_ERR_MIPS_OPTION_TOO_SMALL                 5127 /* ENOEXEC: MIPS option record too small */
#define EXECCORE_ERR_MIPS_OPTION_PAST_SEGMENT              5128 /* ENOEXEC: MIPS option record runs past its segment */
#define EXECCORE_ERR_SHORT_READ                            5129 /* EIO: the file ends inside a structure read whole */
#define EXECCORE_ERR_BAD_READ_OFFSET                       5130 /* EINVAL: read past the largest file offset */
#define EXECCORE_ERR_NOT_EXECUTABLE                        5200 /* ENOEXEC: file type is not executable */
#define EXECCORE_ERR_INTERPRETER_NOT_LOADABLE              5201 /* EINVAL: interpreter type is not loadable */
#define EXECCORE_ERR_INTERPRETER_NOT_ELF                   5202 /* ELIBBAD: interpreter is not a valid ELF file */
#define EXECCORE_ERR_INTERPRETER_MISMATCH                  5203 /* ELIBBAD: interpreter does not match the executable */
#define EXECCORE_ERR_INTERPRETER_OPEN_FAILED               5204 /* ENOENT: cannot open the interpreter */
#define EXECCORE_ERR_NO_LOAD_SEGMENT                       5205 /* ENOEXEC: no PT_LOAD segment */
#define EXECCORE_ERR_TOO_MANY_SEGMENTS                     5206 /* ENOEXEC: too many PT_LOAD segments */
#define EXECCORE_ERR_FILESZ_EXCEEDS_MEMSZ                  5207 /* EINVAL: p_filesz exceeds p_memsz */
#define EXECCORE_ERR_MISALIGNED_SEGMENT                    5208 /* EINVAL: p_vaddr and p_offset not congruent modulo the page size */
#define EXECCORE_ERR_OVERLAPPING_SEGMENTS                  5209 /* ENOEXEC: PT_LOAD segments overlap */
#define EXECCORE_ERR_OUTSIDE_USER_RANGE                    5211 /* EINVAL: segment outside the user address range */
#define EXECCORE_ERR_BAD_ENTRY                             5212 /* EINVAL: entry point outside the user address range */
#define EXECCORE_ERR_NO_SPACE                              5213 /* ENOMEM: the image does not fit the address space */
#define EXECCORE_ERR_ARGUMENTS_TOO_LARGE                   5214 /* E2BIG: arguments and environment too large */
#define EXECCORE_ERR_STRING_TOO_LONG                       5215 /* E2BIG: argument or environment string too long */
#define EXECCORE_ERR_STACK_TOO_LARGE                       5216 /* ENOMEM: initial stack too large */
#define EXECCORE_ERR_CAPACITY_EXCEEDED                     5217 /* ENOEXEC: fixed capacity exceeded */
#define EXECCORE_ERR_RESERVATION_REFUSED                   5218 /* EAGAIN: memory reservation refused, retry later */
#define EXECCORE_ERR_ENTROPY_FAILED                        5219 /* EIO: entropy source failed */
#define EXECCORE_ERR_ADDRESS_SPACE_FAILED                  5220 /* ENOMEM: address space operation failed */
#define EXECCORE_ERR_NOT_MAPPED                            5221 /* EFAULT: address is not part of the image */
#define EXECCORE_ERR_PROGRAM_HEADERS_NOT_LOADED            5222 /* ENOEXEC: no PT_LOAD covers the program header table */
#define EXECCORE_ERR_TOO_MANY_PROGRAM_HEADERS              5223 /* E2BIG: more program headers than elfmap takes */
#define EXECCORE_ERR_INVALID_PARAMETER                     5224 /* EINVAL: invalid parameter */
#define EXECCORE_ERR_SCRIPT_NO_INTERPRETER                 5225 /* ENOEXEC: #! line names no interpreter */
#define EXECCORE_ERR_SCRIPT_TRUNCATED                      5226 /* ENOEXEC: #! line fills the buffer and the interpreter path may be truncated */
#define EXECCORE_ERR_SCRIPT_TOO_DEEP                       5227 /* ELOOP: more than five nested #! scripts */
#define EXECCORE_ERR_SCRIPT_INTERPRETER_OPEN_FAILED        5228 /* ENOENT: cannot open the script's interpreter */
#define EXECCORE_ERR_SCRIPT_READ_FAILED                    5229 /* EIO: reading the first bytes of the file failed */
#define EXECCORE_ERR_SHARED_PAGE_PROTECTIONS               5230 /* ENOEXEC: segments of different protections share a page */
#define EXECCORE_ERR_FILE_RANGE_OVERFLOW                   5231 /* EINVAL: a segment's file range overflows */
#define EXECCORE_ERR_BSS_TAIL_UNZEROABLE                   5232 /* EFAULT: a writable segment's bss starts in a page past the end of the file */
#define EXECCORE_ERR_COMMIT_REFUSED                        5233 /* ENOMEM: a writable mapping larger than the memory the kernel commits */
#define EXECCORE_ERR_WRONG_MACHINE                         5300 /* ENOEXEC: wrong machine for this architecture */
#define EXECCORE_ERR_WRONG_CLASS                           5301 /* ENOEXEC: wrong ELF class for this architecture */
#define EXECCORE_ERR_WRONG_ENDIANNESS                      5302 /* ENOEXEC: wrong byte order for this architecture */
#define EXECCORE_ERR_AARCH64_BE_UNSUPPORTED                5303 /* ENOEXEC: big-endian AArch64 programs are not accepted */
#define EXECCORE_ERR_AARCH64_PAGE_SIZE_TOO_LARGE           5304 /* EINVAL: program linked for pages smaller than the CPU's */
#define EXECCORE_ERR_MIPS_N32_ABI_FIELD_SET                5305 /* ENOEXEC: n32 executable with an EF_MIPS_ABI value */
#define EXECCORE_ERR_MIPS_O64_REJECTED                     5306 /* ENOEXEC: the MIPS O64 ABI is not supported */
#define EXECCORE_ERR_MIPS_EABI32_REJECTED                  5307 /* ENOEXEC: the MIPS EABI32 ABI is not supported */
#define EXECCORE_ERR_MIPS_EABI64_REJECTED                  5308 /* ENOEXEC: the MIPS EABI64 ABI is not supported */
#define EXECCORE_ERR_MIPS_UNKNOWN_ABI                      5309 /* ENOEXEC: unknown EF_MIPS_ABI value */
#define EXECCORE_ERR_MIPS_ABI_NOT_SUPPORTED                5310 /* ENOEXEC: the kernel does not run this MIPS ABI */
#define EXECCORE_ERR_MIPS_O32_FP64_UNSUPPORTED             5311 /* ENOEXEC: o32 FP64 is not supported by the kernel */
#define EXECCORE_ERR_MIPS_ISA_UNSUPPORTED                  5312 /* EBADRQC: EF_MIPS_ARCH is above the CPU's instruction set */
#define EXECCORE_ERR_MIPS_NAN_NOT_ALLOWED                  5313 /* ENOEXEC: the NaN encoding is not allowed on this CPU */
#define EXECCORE_ERR_MIPS_NAN_MISMATCH                     5314 /* ELIBBAD: program and interpreter use different NaN encodings */
#define EXECCORE_ERR_MIPS_FP_ABI_UNSUPPORTED               5315 /* ELIBBAD: FP ABI not supported for this ABI */
#define EXECCORE_ERR_MIPS_FP_MODE_CONFLICT                 5316 /* ELIBBAD: no FPU mode suits both program and interpreter */
#define EXECCORE_ERR_MIPS_ABIFLAGS_UNREADABLE              5317 /* EIO: PT_MIPS_ABIFLAGS could not be read */
#define EXECCORE_ERR_MIPS_R8000_PREFETCH                   5318 /* EBADRQC: static program needs R8000 prefetch patches */
#define EXECCORE_ERR_RISCV_ISA_MISSING                     5319 /* ENOEXEC: the file needs an extension this RISC-V CPU lacks */

/* Provided by the kernel: called if the library ever panics (unreachable by construction:
 * no unwrap, no indexing, checked arithmetic). msg is len bytes, not NUL-terminated.
 * Must not return. */
void execcore_panic(const uint8_t *msg, size_t len);

/* Nested #! scripts Linux runs; one more fails with ELOOP. */
#define EXECCORE_SCRIPT_MAX_DEPTH 5

/* Interpreter handles one execcore_follow_scripts call can open (a sixth script's
 * interpreter is opened before its ELOOP, as in Linux). */
#define EXECCORE_SCRIPT_MAX_OPENED 6

/* argv entries scripts add at most: an interpreter and an argument per script, and the
 * script path when argc is 0. argc + EXECCORE_SCRIPT_EXTRA_ARGS pointers always suffice. */
#define EXECCORE_SCRIPT_EXTRA_ARGS 11

/* 64-bit words of execcore_script.opaque (the script lines argv points into). */
#define EXECCORE_SCRIPT_WORDS 200

/* The CPU and kernel description an exec is planned for. */
typedef struct execcore_cpu {
  /* EXECCORE_ARCH_*. */
  execcore_arch arch;
  /* EXECCORE_CPU_* flags. */
  execcore_cpu_flags flags;
  /* Page size in bytes (0: the arch's default, 4096). */
  uint64_t page_size;
  /* AT_HWCAP. */
  uint64_t hwcap;
  /* AT_HWCAP2. */
  uint64_t hwcap2;
  /* AT_HWCAP3. */
  uint64_t hwcap3;
  /* AT_HWCAP4. */
  uint64_t hwcap4;
  /* AT_MINSIGSTKSZ (0: omit). */
  uint64_t minsigstksz;
  /* Virtual address bits of the user space (0: the arch's Linux default). */
  uint32_t va_bits;
  /* EXECCORE_OS_*. */
  execcore_os os;
  /* MIPS ISA level (1..5, 32, 64). */
  uint32_t mips_isa_level;
  /* MIPS ISA revision. */
  uint32_t mips_isa_rev;
  /* MIPS ieee754= policy: EXECCORE_MIPS_IEEE754_*. */
  execcore_mips_ieee754 mips_ieee754;
  /* MIPS CPU: EXECCORE_MIPS_CPU_*. Byte order, page_size, mips_ieee754, os and
   * stack_top apply to named and custom CPUs alike. */
  execcore_mips_cpu mips_model;
  /* Stack top override for every ABI (0: the arch's default; MIPS derives it per ABI
   * from the kernel, cache aliasing and GIC - prefer 0 there). */
  uint64_t stack_top;
  /* MIPS data-cache alias span in bytes (shm_align_mask + 1; 0: none, or the model's). */
  uint64_t mips_dcache_alias;
  /* riscv64: the hart's caches for the AT_L1I_CACHESIZE .. AT_L3_CACHEGEOMETRY auxv
   * entries, L1I, L1D, L2, L3, each size << 32 | ways << 16 | line size (0: unknown,
   * as Linux reports a cache the device tree does not describe). Zero for other
   * architectures. */
  uint64_t riscv_caches[4];
} execcore_cpu;

/* Identity of a file (device, inode, generation) for caches; all zero when unknown. */
typedef struct execcore_file_id {
  /* Device. */
  uint64_t device;
  /* Inode. */
  uint64_t inode;
  /* Generation. */
  uint64_t generation;
} execcore_file_id;

/* The kernel's callbacks. Every callback is nullable, takes ctx first and returns 0 or
 * an errno; execcore_* functions say which ones they need. */
typedef struct execcore_ops {
  /* Passed as the first argument of every callback. */
  void *ctx;
  /* Reads up to len bytes of file at offset into buf; *out_read = bytes read
   * (0 at end of file). Short reads are fine. */
  execcore_errno (*read_at)(void *ctx, uint64_t file, uint64_t offset, uint8_t *buf, size_t len, size_t *out_read);
  /* Opens the interpreter named by PT_INTERP (path, len bytes, no NUL); writes a
   * file handle for read_at and its identity (zeros if unknown). */
  execcore_errno (*open_interpreter)(void *ctx, const uint8_t *path, size_t len, uint64_t *out_file, struct execcore_file_id *out_id);
  /* Fills buf with len random bytes. */
  execcore_errno (*random)(void *ctx, uint8_t *buf, size_t len);
  /* Reserves bytes of memory for a batch job; nonzero refuses (retryable). */
  execcore_errno (*reserve_memory)(void *ctx, uint64_t bytes);
  /* Releases a reservation. */
  void (*release_memory)(void *ctx, uint64_t bytes);
  /* A log message (msg: len bytes, no NUL). */
  void (*log)(void *ctx, execcore_log_level level, const uint8_t *msg, size_t len);
  /* Reserves [start, start+len) with no access. */
  execcore_errno (*reserve)(void *ctx, uint64_t start, uint64_t len);
  /* Maps zero-filled anonymous memory with prot (EXECCORE_PROT_* | EXECCORE_MAP_*). */
  execcore_errno (*map_anonymous)(void *ctx, uint64_t start, uint64_t len, execcore_prot prot);
  /* Maps file privately from offset (nullable: the library copies instead). */
  execcore_errno (*map_file)(void *ctx, uint64_t start, uint64_t len, uint64_t file, uint64_t offset, execcore_prot prot);
  /* Registers [start, start+len) for demand paging (nullable: lazy mode unsupported). */
  execcore_errno (*map_lazy)(void *ctx, uint64_t start, uint64_t len, execcore_prot prot);
  /* Writes len bytes at user address addr. */
  execcore_errno (*write)(void *ctx, uint64_t addr, const uint8_t *src, size_t len);
  /* Reads len bytes of file at offset straight into user memory at addr
   * (nullable: the library bounces through read_at and write). */
  execcore_errno (*read_into)(void *ctx, uint64_t file, uint64_t offset, uint64_t addr, uint64_t len);
  /* Sets the protection of [start, start+len). */
  execcore_errno (*protect)(void *ctx, uint64_t start, uint64_t len, execcore_prot prot);
  /* Unmaps [start, start+len). */
  execcore_errno (*unmap)(void *ctx, uint64_t start, uint64_t len);
  /* Makes new code in [start, start+len) visible to instruction fetch (nullable). */
  execcore_errno (*sync_icache)(void *ctx, uint64_t start, uint64_t len);
  /* Finds a free range of len bytes aligned to align (nullable; elfmap retries). */
  execcore_errno (*find_free_range)(void *ctx, uint64_t len, uint64_t align, uint64_t *out_start);
  /* A text page with erratum instructions at offsets (nullable: left unpatched). */
  execcore_errno (*patch_text)(void *ctx, uint64_t page, const uint32_t *offsets, size_t count);
  /* A descriptor of the executable for the runtime linker (IRIX AT_PFETCHFD): called
   * by execcore_prepare only for a dynamic program with OHW_R8KPFETCH on an R8000
   * (NULL then: EXECCORE_ERR_MISSING_CALLBACK; an errno: EXECCORE_ERR_EXEC_FD_FAILED). */
  execcore_errno (*exec_fd)(void *ctx, uint64_t *out_fd);
  /* Writes the size of file in bytes (nullable: sizes unknown). With it,
   * execcore_prepare rejects segments and tables outside the file (a truncated file)
   * before the point of no return; without it they fail in execcore_load. */
  execcore_errno (*file_size)(void *ctx, uint64_t file, uint64_t *out_size);
  /* A buffer of bounce_size bytes the library copies file bytes through when
   * read_into is NULL: one read_at and one write per buffer-full (a page or more
   * is best). NULL: a 512-byte buffer on the library's stack. */
  uint8_t *bounce_buffer;
  /* Bytes of bounce_buffer. */
  size_t bounce_size;
} execcore_ops;

/* Details of a failure (written only when a function fails). */
typedef struct execcore_error {
  /* The status returned. */
  execcore_status status;
  /* The errno the kernel should return from execve (the callback's own errno for
   * callback failures, the OS profile's numbering). */
  execcore_errno errno_value;
  /* The offending value (index, flags...), 0 when none. */
  uint64_t value;
} execcore_error;

/* One execve: arguments, environment, limits, credentials, files. */
typedef struct execcore_exec_params {
  /* argc strings, NUL-terminated. */
  const uint8_t *const *argv;
  /* Number of argv strings (0 gets a single empty argv[0], as Linux). */
  size_t argc;
  /* envc strings, NUL-terminated. */
  const uint8_t *const *envp;
  /* Number of envp strings. */
  size_t envc;
  /* The path given to execve (AT_EXECFN), execfn_len bytes, no NUL needed. */
  const uint8_t *execfn;
  /* Length of execfn. */
  size_t execfn_len;
  /* Handle of the executable for read_at. */
  uint64_t file;
  /* RLIMIT_STACK in bytes; UINT64_MAX is unlimited (legacy mmap layout). */
  uint64_t stack_rlimit;
  /* EXECCORE_EXEC_* flags. */
  execcore_exec_flags flags;
  /* EXECCORE_PROFILE_* (0: Linux). */
  execcore_profile profile;
  /* AT_UID. */
  uint64_t uid;
  /* AT_EUID. */
  uint64_t euid;
  /* AT_GID. */
  uint64_t gid;
  /* AT_EGID. */
  uint64_t egid;
  /* AT_FLAGS. */
  uint64_t at_flags;
  /* AT_CLKTCK (0: 100). */
  uint64_t clock_ticks;
  /* AT_SYSINFO_EHDR (0: none). */
  uint64_t sysinfo_ehdr;
  /* AT_RSEQ_FEATURE_SIZE (0: no rseq entries). */
  uint64_t rseq_feature_size;
  /* AT_RSEQ_ALIGN. */
  uint64_t rseq_align;
  /* AT_EXECFD + 1 (0: none). */
  uint64_t execfd_plus_one;
  /* User window start (0 with window_end 0: the arch's Linux window). */
  uint64_t window_start;
  /* User window end. */
  uint64_t window_end;
  /* vm.mmap_min_addr (0: 65536). */
  uint64_t mmap_min_addr;
  /* The Linux version the Linux profile imitates, major << 16 | sublevel << 8 | minor
   * (EXECCORE_LINUX_*; 0: the newest). */
  execcore_linux_version linux_version;
  /* The calling process's personality (EXECCORE_PER_* bits; 0: PER_LINUX). */
  execcore_personality personality;
  /* Argument pointers Linux counts against the argument limit: max(argc, 1) of the
   * argv given to execve, which execcore_follow_scripts' rewrite does not change
   * (Linux sizes them before any #! rewrite). 0: argc (no script followed). */
  uint64_t argc_counted;
  /* Reserved, zero. */
  uint64_t reserved[2];
} execcore_exec_params;

/* Caller-owned storage for a prepared plan (no heap): opaque, 8-byte aligned. */
typedef struct execcore_plan {
  /* Opaque. */
  uint64_t opaque[EXECCORE_PLAN_WORDS];
} execcore_plan;

/* What execcore_load did. */
typedef struct execcore_load_report {
  /* Mappings created (reservations, anonymous, file, lazy). */
  uint64_t mappings;
  /* read_into / bounce copies of file bytes. */
  uint64_t copy_calls;
  /* File bytes copied. */
  uint64_t bytes_copied;
  /* Text pages handed to patch_text. */
  uint64_t patched_pages;
  /* Reserved, zero. */
  uint64_t reserved[4];
} execcore_load_report;

/* Registers at entry: everything not listed is zero. */
typedef struct execcore_entry_state {
  /* Program counter. */
  uint64_t pc;
  /* Stack pointer. */
  uint64_t sp;
  /* Number of valid reg_index/reg_value pairs. */
  uint32_t nregs;
  /* MIPS ABI (EXECCORE_MIPS_ABI_NONE elsewhere). */
  execcore_mips_abi abi;
  /* Arch register numbers. */
  uint32_t reg_index[4];
  /* Their values. */
  uint64_t reg_value[4];
  /* MIPS FPU mode (EXECCORE_MIPS_FR0 elsewhere). */
  execcore_mips_fp_mode fp_mode;
  /* EXECCORE_MIPS_* or EXECCORE_AARCH64_* bits. */
  execcore_arch_flags arch_flags;
  /* Arch: MIPS enabled FP exception mask (OEX_FPU_MIN: bit 0 inexact, 1 underflow,
   * 2 overflow, 3 divide by zero, 4 invalid); x86_64 IBT/SHSTK feature bits. */
  uint64_t arch_value;
  /* MIPS: FCSR to set at entry (2008 NaN/ABS bits 18-19, enables bits 7-11). */
  uint32_t mips_fcsr;
  /* MIPS: the program's ODK_HWPATCH bits (valid with EXECCORE_MIPS_HWPATCH). */
  uint32_t mips_hwpatch;
  /* MIPS: the program's raw ODK_EXCEPTIONS info (valid with EXECCORE_MIPS_EXCEPTIONS). */
  uint32_t mips_exceptions;
  /* Reserved, zero. */
  uint32_t reserved0;
  /* Reserved, zero. */
  uint64_t reserved[1];
} execcore_entry_state;

/* One mapping of the plan. */
typedef struct execcore_mapping {
  /* First address (page aligned). */
  uint64_t start;
  /* End address (page aligned). */
  uint64_t end;
  /* EXECCORE_PROT_* | EXECCORE_MAP_*. */
  execcore_prot prot;
  /* Whose mapping. */
  execcore_image image;
  /* What fills it. */
  execcore_mapping_kind kind;
  /* Reserved, zero. */
  uint32_t reserved0;
  /* File offset of start (kind 0). */
  uint64_t file_offset;
  /* Valid file bytes from start (kind 0), or the pieces' total (kind 2). */
  uint64_t file_bytes;
} execcore_mapping;

/* One auxv entry. */
typedef struct execcore_auxv_entry {
  /* AT_*. */
  uint64_t kind;
  /* Value. */
  uint64_t value;
} execcore_auxv_entry;

/* Where things went, and the entry state. */
typedef struct execcore_layout {
  /* Program load bias. */
  uint64_t main_bias;
  /* Interpreter load bias (AT_BASE), 0 without one. */
  uint64_t interp_bias;
  /* 1 if the program has an interpreter. */
  uint32_t has_interp;
  /* 1 if the stack is executable. */
  uint32_t exec_stack;
  /* Entry pc. */
  uint64_t entry;
  /* Stack pointer at entry. */
  uint64_t sp;
  /* start_brk. */
  uint64_t brk;
  /* Stack mapping start. */
  uint64_t stack_start;
  /* Stack top. */
  uint64_t stack_top;
  /* mmap base. */
  uint64_t mmap_base;
  /* Free range for later mmaps: start. */
  uint64_t mmap_start;
  /* Free range for later mmaps: end. */
  uint64_t mmap_end;
  /* 1 if later mmaps grow down from mmap_end. */
  uint32_t mmap_top_down;
  /* Reserved, zero. */
  uint32_t reserved0;
} execcore_layout;

/* The memory requirement. */
typedef struct execcore_memory {
  /* Bytes an eager load allocates (images and stack). */
  uint64_t eager_bytes;
  /* Committed anonymous bytes (writable, bss, stack). */
  uint64_t anonymous_bytes;
  /* The interpreter's share of eager_bytes. */
  uint64_t interp_bytes;
  /* Bytes reserved through reserve_memory (batch jobs). */
  uint64_t reserved_bytes;
  /* 1 if the interpreter's share came from the cache. */
  uint32_t interp_cached;
  /* Reserved, zero. */
  uint32_t reserved0;
} execcore_memory;

/* What a page holds, for a demand-paging kernel. */
typedef struct execcore_page_fill {
  /* The page's address. */
  uint64_t page;
  /* EXECCORE_PROT_* | EXECCORE_MAP_* of the page. */
  execcore_prot prot;
  /* Whose file the pieces come from. */
  execcore_image image;
  /* Handle of that file. */
  uint64_t file;
  /* Valid entries in the piece arrays; the rest of the page is zero. */
  uint32_t npieces;
  /* Reserved, zero. */
  uint32_t reserved0;
  /* Offset of each piece inside the page. */
  uint64_t page_offset[4];
  /* File offset of each piece. */
  uint64_t file_offset[4];
  /* Length of each piece. */
  uint64_t len[4];
} execcore_page_fill;

/* Caller-owned storage for execcore_follow_scripts (no heap). Keep it, unmoved, until
 * the stack is built: the rewritten argv points into opaque. */
typedef struct execcore_script {
  /* The handle to plan: params->file when it is not a script, else the interpreter
   * the last script names (set on success). */
  uint64_t file;
  /* Scripts followed (0: not a script). */
  uint32_t depth;
  /* Number of handles in opened. */
  uint32_t opened_count;
  /* Every handle open_interpreter returned during the call, in order, on success and
   * on failure. All but file were only read: the kernel closes them. */
  uint64_t opened[EXECCORE_SCRIPT_MAX_OPENED];
  /* Opaque: the #! lines. */
  uint64_t opaque[EXECCORE_SCRIPT_WORDS];
} execcore_script;

/* Maps a shared object for a runtime linker (IRIX elfmap): phdrs holds count
 * program headers (Elf32_Phdr for EXECCORE_ELFCLASS32, Elf64_Phdr for
 * EXECCORE_ELFCLASS64, in the CPU's byte order) as copied from user space; file is
 * the object's handle for read_at and map_file. Every PT_LOAD is validated as
 * execcore_prepare validates one, then mapped in mode at its own address inside the
 * user window of the ABI cpu gives such a file. If those addresses are taken
 * (reserve returns EEXIST or ENOMEM) or below the window (an object linked at 0), one
 * retry at find_free_range(span + largest p_align, largest p_align), every segment
 * moved by the same delta. On success *out_base is where the page of the lowest
 * PT_LOAD landed; on failure nothing stays mapped. More than
 * EXECCORE_ELFMAP_MAX_PHDRS headers: EXECCORE_ERR_TOO_MANY_PROGRAM_HEADERS (E2BIG).
 * Needs read_at, reserve, map_anonymous, protect, unmap, and write or
 * read_into; map_file in mapped mode, find_free_range to move an object.
 * Safety: phdrs valid for count entries of its class; other pointers NULL or valid. */
execcore_status execcore_elfmap(const struct execcore_cpu *cpu, uint64_t file, const uint8_t *phdrs, size_t count, execcore_elf_class elf_class_, execcore_load_mode mode, const struct execcore_ops *ops, uint64_t *out_base, struct execcore_error *out_error);

/* Plans an exec: reads and validates the executable (params->file) and its interpreter
 * (opened through ops->open_interpreter), places everything, sizes stack and memory,
 * and reserves memory for batch jobs. Touches no address space.
 * Needs ops->read_at; open_interpreter for dynamic programs; random with
 * EXECCORE_EXEC_RANDOMIZE; exec_fd for dynamic R8000 programs needing prefetch
 * patches (its descriptor becomes AT_PFETCHFD); file_size (optional) to reject
 * truncated files here. On success the plan is in *plan; on failure *plan holds no
 * plan and *out_error (nullable) says why.
 * Safety: Every pointer is NULL or valid for the call: cpu, params, ops readable, plan
 * and out_error writable; the strings in params valid and NUL-terminated. */
execcore_status execcore_prepare(const struct execcore_cpu *cpu, const struct execcore_exec_params *params, const struct execcore_ops *ops, struct execcore_plan *plan, struct execcore_error *out_error);

/* Releases what a plan holds (its memory reservation) when the exec is abandoned after
 * a successful execcore_prepare; the storage then holds no plan.
 * Safety: plan and ops are NULL or valid. */
execcore_status execcore_plan_discard(struct execcore_plan *plan, const struct execcore_ops *ops);

/* Builds the planned images into the new, empty address space (mode:
 * EXECCORE_LOAD_*). On failure everything it mapped is unmapped: the address space is
 * empty again and the old process untouched, so the exec can still fail cleanly (the
 * point of no return comes after execcore_build_stack); the caller still owns (and
 * should discard) the plan.
 * Needs reserve, map_anonymous, protect, unmap, and write or read_into;
 * map_file for mapped mode (else copies); map_lazy for lazy mode. Without
 * read_into, file bytes go through bounce_buffer when given.
 * Safety: Pointers NULL or valid. */
execcore_status execcore_load(const struct execcore_plan *plan, const struct execcore_ops *ops, execcore_load_mode mode, struct execcore_load_report *out_report, struct execcore_error *out_error);

/* Builds the initial stack: maps the stack, writes strings, 16 random bytes (from
 * ops->random), argv, envp and the auxv; writes the entry state on success. params
 * must be the ones given to execcore_prepare (the same strings: copies made before
 * the old address space goes). On failure the stack and the images execcore_load
 * mapped are unmapped: the new address space is empty again. The point of no return is
 * after this call.
 * Safety: Pointers NULL or valid; strings as for execcore_prepare. */
execcore_status execcore_build_stack(const struct execcore_plan *plan, const struct execcore_exec_params *params, const struct execcore_ops *ops, struct execcore_entry_state *out_entry, struct execcore_error *out_error);

/* Returns EXECCORE_ABI_VERSION as compiled into the library. */
uint32_t execcore_abi_version(void);

/* The errno (asm-generic numbering) for status (0 for success and unknown statuses). */
execcore_errno execcore_status_errno(execcore_status status);

/* A static NUL-terminated message for status ("unknown status" when unknown). */
const char *execcore_status_str(execcore_status status);

/* Bytes of execcore_plan storage (EXECCORE_PLAN_SIZE). */
size_t execcore_plan_size(void);

/* Numbers of mappings and auxv entries in the plan (to size the arrays passed to
 * execcore_plan_mappings and execcore_plan_auxv).
 * Safety: Pointers NULL or valid. */
execcore_status execcore_plan_counts(const struct execcore_plan *plan, size_t *out_mappings, size_t *out_auxv);

/* Copies the plan's mappings (program then interpreter, lowest first) into out[0..cap]
 * and their number into *out_len; EXECCORE_ERR_BUFFER_TOO_SMALL (nothing written)
 * when cap is too small.
 * Safety: out valid for cap elements; other pointers NULL or valid. */
execcore_status execcore_plan_mappings(const struct execcore_plan *plan, struct execcore_mapping *out, size_t cap, size_t *out_len);

/* Copies the auxv (stack order, without AT_NULL) into out[0..cap], its length into
 * *out_len.
 * Safety: out valid for cap elements; other pointers NULL or valid. */
execcore_status execcore_plan_auxv(const struct execcore_plan *plan, struct execcore_auxv_entry *out, size_t cap, size_t *out_len);

/* The layout: biases, entry, sp, brk, stack and mmap area.
 * Safety: Pointers NULL or valid. */
execcore_status execcore_plan_layout(const struct execcore_plan *plan, struct execcore_layout *out);

/* The registers the kernel sets at entry.
 * Safety: Pointers NULL or valid. */
execcore_status execcore_plan_entry(const struct execcore_plan *plan, struct execcore_entry_state *out);

/* The memory requirement.
 * Safety: Pointers NULL or valid. */
execcore_status execcore_plan_memory(const struct execcore_plan *plan, struct execcore_memory *out);

/* What the page containing addr holds (lazy mode): the file handle, up to 4 pieces
 * of file bytes, the rest zero, and the page's protection. No I/O.
 * Safety: Pointers NULL or valid. */
execcore_status execcore_resolve_fault(const struct execcore_plan *plan, uint64_t addr, struct execcore_page_fill *out_fill);

/* Scans len bytes of text at text (a page, or a 4-byte aligned run of one) with the
 * plan's erratum scanner (MIPS: cvt.s.l/cvt.d.l, in the program's byte order) - what
 * execcore_load does itself in eager mode, for kernels that fill EXECCORE_MAP_TEXT_PATCH
 * pages themselves (mapped and lazy mode). Writes the byte offsets of the first cap
 * hits to out and the number of hits to *out_count (more than cap: call again on a
 * shorter run). A plan without a scanner finds nothing.
 * Safety: text valid for len bytes, out for cap elements (NULL when cap is 0); other
 * pointers NULL or valid. */
execcore_status execcore_text_scan(const struct execcore_plan *plan, const uint8_t *text, size_t len, uint32_t *out, size_t cap, size_t *out_count);

/* Follows #! scripts from params->file as Linux does (fs/binfmt_script.c: the
 * first 256 bytes, one optional argument, the truncation rule; five nested scripts, a
 * sixth ELOOP), opening each interpreter through ops->open_interpreter.
 * On success script->file is the handle to plan and argv[0..*out_argc] the argument
 * vector to plan and build the stack with: params->argv unchanged when the file is no
 * script, else [interpreter, argument?, ..., script path, argv[1..]], the script path
 * being params->execfn. Then set params->file, argv, argc from them and call
 * execcore_prepare (keep execfn: AT_EXECFN is the name given to execve).
 * Errors: the EXECCORE_ERR_SCRIPT_* statuses with Linux's errno; EXECCORE_ERR_BUFFER_TOO_SMALL
 * with *out_argc the pointers needed (argc + EXECCORE_SCRIPT_EXTRA_ARGS always suffice).
 * Handles opened are in script->opened either way.
 * Safety: Every pointer is NULL or valid for the call: cpu, params, ops readable;
 * script, out_argc, out_error writable; argv writable for argv_capacity
 * pointers. params->execfn must be a C string (a NUL at execfn_len): it becomes an
 * argument. The pointers written stay valid while script and params' strings do. */
execcore_status execcore_follow_scripts(const struct execcore_cpu *cpu, const struct execcore_exec_params *params, const struct execcore_ops *ops, struct execcore_script *script, const uint8_t **argv, size_t argv_capacity, size_t *out_argc, struct execcore_error *out_error);

#ifdef __cplusplus
}
#endif

#endif /* EXECCORE_H */
