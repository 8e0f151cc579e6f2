/* aarch64.S - freestanding AArch64 fixture: write(1, line) then exit(0), no libc.
 *
 * Addresses come from ADRP/ADD (PC-relative, resolved at link time), so no dynamic
 * relocation is needed.
 *
 * Built with -mbranch-protection=standard the compiler defines __ARM_FEATURE_BTI_DEFAULT
 * (and __ARM_FEATURE_PAC_DEFAULT); then the entry point starts with a BTI C landing pad and
 * the object carries its own .note.gnu.property saying GNU_PROPERTY_AARCH64_FEATURE_1_AND
 * = BTI (| PAC), so the linker (also given -z force-bti) emits a PT_GNU_PROPERTY segment.
 *
 * FIXTURE_NAME is a string literal given on the command line (-DFIXTURE_NAME='"..."').
 */
#ifndef FIXTURE_NAME
# error "build with -DFIXTURE_NAME='\"name\"'"
#endif

#define SYS_write 64
#define SYS_exit  93

#define GNU_PROPERTY_AARCH64_FEATURE_1_AND 0xc0000000
#define GNU_PROPERTY_AARCH64_FEATURE_1_BTI 1
#define GNU_PROPERTY_AARCH64_FEATURE_1_PAC 2

        .text
        .globl  _start
        .type   _start, %function
        .p2align 2
_start:
#if defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT
        hint    34                              /* bti c (spelled as a hint: any -march) */
#endif
        mov     x8, #SYS_write
        mov     x0, #1                          /* fd: stdout */
        adrp    x1, line
        add     x1, x1, :lo12:line              /* buf */
        mov     x2, #line_len                   /* count */
        svc     #0
        /* A short or failed write is a failed fixture: exit(1). */
        cmp     x0, #line_len
        cset    x0, ne
        mov     x8, #SYS_exit
        svc     #0
1:      b       1b                              /* not reached */
        .size   _start, . - _start

        .section .rodata
line:
        .ascii  "fixture: ", FIXTURE_NAME, " ok\n"
        .set    line_len, . - line

#if defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT
# if defined(__ARM_FEATURE_PAC_DEFAULT) && __ARM_FEATURE_PAC_DEFAULT
#  define FEATURE_BITS (GNU_PROPERTY_AARCH64_FEATURE_1_BTI | GNU_PROPERTY_AARCH64_FEATURE_1_PAC)
# else
#  define FEATURE_BITS GNU_PROPERTY_AARCH64_FEATURE_1_BTI
# endif
        /* One NT_GNU_PROPERTY_TYPE_0 note with one 4-byte property, padded to 8 bytes. */
        .section .note.gnu.property, "a"
        .p2align 3
        .word   4                               /* n_namesz: "GNU\0" */
        .word   16                              /* n_descsz: one property, 8-aligned */
        .word   5                               /* n_type: NT_GNU_PROPERTY_TYPE_0 */
        .asciz  "GNU"
        .word   GNU_PROPERTY_AARCH64_FEATURE_1_AND
        .word   4                               /* pr_datasz */
        .word   FEATURE_BITS
        .word   0                               /* pad to 8 */
#endif

        .section .note.GNU-stack, "", %progbits /* non-executable stack */
