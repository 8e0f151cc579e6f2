/* bti-miss.S: an indirect branch (BR) to an instruction that is not a landing pad.
 * Built with -DPROPERTY, its GNU property note asks for BTI: a kernel that enforces it
 * maps the text as guarded pages and the branch raises a Branch Target exception
 * (SIGILL). Without the property the same code runs and exits 0. Freestanding. */
        .text
        .globl  _start
_start:
        hint    34                      /* bti c: the entry is a landing pad anyway */
        adr     x0, target
        br      x0                      /* BTYPE 01: target must be BTI j or jc */
        mov     x0, #1
        mov     x8, #93
        svc     #0
target:
        mov     x0, #0                  /* not a landing pad */
        mov     x8, #93                 /* exit */
        svc     #0

#ifdef PROPERTY
        .section .note.gnu.property, "a"
        .p2align 3
        .word   4                       /* namesz */
        .word   16                      /* descsz */
        .word   5                       /* NT_GNU_PROPERTY_TYPE_0 */
        .asciz  "GNU"
        .word   0xc0000000              /* GNU_PROPERTY_AARCH64_FEATURE_1_AND */
        .word   4
        .word   1                       /* GNU_PROPERTY_AARCH64_FEATURE_1_BTI */
        .word   0
#endif
