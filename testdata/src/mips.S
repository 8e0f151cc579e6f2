/* mips.S - freestanding MIPS fixture for every ABI: write(1, line) then exit(0), no libc.
 *
 * One source for o32, n32 and n64, either byte order. The ABI is what the compiler says it
 * is compiling for (_MIPS_SIM); only the syscall numbers and the pointer-sized add differ:
 *
 *   ABI   syscall base   write   exit
 *   o32   4000           4004    4001
 *   n64   5000           5001    5058
 *   n32   6000           6001    6058
 *
 * The code is position independent without a GOT: BAL puts the address of the instruction
 * after its delay slot in $ra, and the line lives in .text at a fixed distance from there.
 * So no $gp set-up and no relocation is needed, whatever the link mode.
 *
 * -DWITH_OPTIONS adds hand-written .MIPS.options records (see the end); link those builds
 * with mips-options.ld so that a PT_MIPS_OPTIONS program header covers the section.
 *
 * FIXTURE_NAME is a string literal given on the command line (-DFIXTURE_NAME='"..."').
 */
#ifndef FIXTURE_NAME
# error "build with -DFIXTURE_NAME='\"name\"'"
#endif

/* GCC defines only the constant of the ABI in use; give all three their <sgidefs.h> values. */
#ifndef _ABIO32
# define _ABIO32 1
#endif
#ifndef _ABIN32
# define _ABIN32 2
#endif
#ifndef _ABI64
# define _ABI64 3
#endif

#if _MIPS_SIM == _ABIO32
# define SYS_write (4000 + 4)
# define SYS_exit  (4000 + 1)
# define PTR_ADDIU addiu
#elif _MIPS_SIM == _ABI64
# define SYS_write (5000 + 1)
# define SYS_exit  (5000 + 58)
# define PTR_ADDIU daddiu
#elif _MIPS_SIM == _ABIN32
# define SYS_write (6000 + 1)
# define SYS_exit  (6000 + 58)
# define PTR_ADDIU addiu                       /* 32-bit pointers, sign-extended */
#else
# error "unknown MIPS ABI"
#endif

        .text
        .set    noreorder
line:
        .ascii  "fixture: ", FIXTURE_NAME, " ok\n"
        .set    line_len, . - line

        .p2align 2
        .globl  __start
        .type   __start, @function
        .ent    __start
__start:
        bal     1f
        nop                                     /* delay slot */
1:      PTR_ADDIU $a1, $ra, line - 1b           /* buf */
        li      $a0, 1                          /* fd: stdout */
        li      $a2, line_len                   /* count */
        li      $v0, SYS_write
        syscall
        /* Failure ($a3 != 0) or a short write: exit(1). */
        bnez    $a3, 2f
        li      $a0, 1                          /* delay slot: status if we branch */
        xori    $t1, $v0, line_len
        bnez    $t1, 2f
        nop
        move    $a0, $zero
2:      li      $v0, SYS_exit
        syscall
3:      b       3b                              /* not reached */
        nop
        .end    __start
        .size   __start, . - __start

#ifdef WITH_OPTIONS
/* .MIPS.options records (Elf_Options: kind u8, size u8 = whole record including this
 * 8-byte header, section u16, info u32; in the file's byte order, same layout for every ABI).
 *
 * ODK_EXCEPTIONS (2), info 0x00040f01:
 *   OEX_FPU_MIN (0x1f)     = 0x01  FP exceptions that must be enabled: inexact
 *   OEX_FPU_MAX (0x1f00)   = 0x0f  FP exceptions that may be enabled: inexact, underflow,
 *                                  overflow, divide-by-zero (min is a subset of max)
 *   OEX_PRECISEFP 0x40000  = set   precise floating-point exceptions required
 * ODK_HWPATCH (4), info 0x9 = OHW_R4KEOP (0x1) | OHW_R5KCVTL (0x8).
 */
# ifndef OPT_EXCEPTIONS
#  define OPT_EXCEPTIONS 0x00040f01
# endif
# ifndef OPT_HWPATCH
#  define OPT_HWPATCH 0x9
# endif
# if _MIPS_SIM == _ABI64
        /* The n64 assembler has already opened .MIPS.options (with its ODK_REGINFO record):
         * append to it with the same attributes. */
        .section .MIPS.options
# else
        /* o32/n32: make the section ourselves, typed SHT_MIPS_OPTIONS (0x7000000d). */
        .section .MIPS.options, "a", @0x7000000d
# endif
        .p2align 3
        .byte   2                               /* kind: ODK_EXCEPTIONS */
        .byte   8                               /* size */
        .2byte  0                               /* section: 0 = whole file */
        .4byte  OPT_EXCEPTIONS                  /* info */
        .byte   4                               /* kind: ODK_HWPATCH */
        .byte   8
        .2byte  0
        .4byte  OPT_HWPATCH
#endif

        .section .note.GNU-stack, "", @progbits /* non-executable stack */
