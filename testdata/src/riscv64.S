/* riscv64.S - freestanding RISC-V 64 fixture: write(1, line) then exit(0), no libc.
 *
 * The line's address comes from `lla` (auipc + addi, PC-relative, resolved at link time),
 * so a static-pie built from this file needs no dynamic relocation.
 *
 * With -DWITH_CFI the entry point starts with a Zicfilp landing pad (`lpad 0`, spelled as
 * its encoding `auipc x0, 0`: a no-op on harts without Zicfilp) and the object carries a
 * .note.gnu.property saying GNU_PROPERTY_RISCV_FEATURE_1_AND = CFI_LP_UNLABELED | CFI_SS,
 * so the linker emits a PT_GNU_PROPERTY segment.
 *
 * FIXTURE_NAME is a string literal given on the command line (-DFIXTURE_NAME='"..."').
 */
#ifndef FIXTURE_NAME
# error "build with -DFIXTURE_NAME='\"name\"'"
#endif

#define SYS_write 64
#define SYS_exit  93

#define GNU_PROPERTY_RISCV_FEATURE_1_AND 0xc0000000
#define GNU_PROPERTY_RISCV_FEATURE_1_CFI_LP_UNLABELED 1
#define GNU_PROPERTY_RISCV_FEATURE_1_CFI_SS 2

        /* The line first: `li` and `addi` need its length as a known constant. */
        .section .rodata
line:
        .ascii  "fixture: ", FIXTURE_NAME, " ok\n"
        .set    line_len, . - line

        .text
        .globl  _start
        .type   _start, @function
        .p2align 2
_start:
#ifdef WITH_CFI
        .4byte  0x00000017                      /* lpad 0 = auipc x0, 0 */
#endif
        li      a7, SYS_write
        li      a0, 1                           /* fd: stdout */
        lla     a1, line                        /* buf */
        li      a2, line_len                    /* count */
        ecall
        /* A short or failed write is a failed fixture: exit(1). */
        addi    a0, a0, -line_len
        snez    a0, a0
        li      a7, SYS_exit
        ecall
1:      j       1b                              /* not reached */
        .size   _start, . - _start

#ifdef WITH_CFI
        /* One NT_GNU_PROPERTY_TYPE_0 note with one 4-byte property, padded to 8 bytes. */
        .section .note.gnu.property, "a"
        .p2align 3
        .word   4                               /* n_namesz: "GNU\0" */
        .word   16                              /* n_descsz: one property, 8-aligned */
        .word   5                               /* n_type: NT_GNU_PROPERTY_TYPE_0 */
        .asciz  "GNU"
        .word   GNU_PROPERTY_RISCV_FEATURE_1_AND
        .word   4                               /* pr_datasz */
        .word   GNU_PROPERTY_RISCV_FEATURE_1_CFI_LP_UNLABELED | GNU_PROPERTY_RISCV_FEATURE_1_CFI_SS
        .word   0                               /* pad to 8 */
#endif

        .section .note.GNU-stack, "", @progbits /* non-executable stack */
