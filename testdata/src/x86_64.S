/* x86_64.S - freestanding x86_64 fixture: write(1, line) then exit(0), no libc.
 *
 * Every address is RIP-relative, so the same object links both as a classic static
 * ET_EXEC (-static -no-pie) and as an ET_DYN without PT_INTERP (-static-pie) that needs
 * no relocations at all: nothing has to run before _start to make the image usable.
 *
 * FIXTURE_NAME is a string literal given on the command line (-DFIXTURE_NAME='"..."');
 * the program prints "fixture: <FIXTURE_NAME> ok\n".
 */
#ifndef FIXTURE_NAME
# error "build with -DFIXTURE_NAME='\"name\"'"
#endif

#define SYS_write 1
#define SYS_exit  60

        .text
        .globl  _start
        .type   _start, @function
_start:
        mov     $SYS_write, %eax
        mov     $1, %edi                        /* fd: stdout */
        lea     line(%rip), %rsi                /* buf: PC-relative, no relocation */
        mov     $line_len, %edx                 /* count */
        syscall
        /* A short or failed write is a failed fixture: exit(1). */
        cmp     $line_len, %rax
        setne   %dil
        movzbl  %dil, %edi
        mov     $SYS_exit, %eax
        syscall
        hlt                                     /* not reached */
        .size   _start, . - _start

        .section .rodata
line:
        .ascii  "fixture: ", FIXTURE_NAME, " ok\n"
        .set    line_len, . - line

        .section .note.GNU-stack, "", @progbits /* non-executable stack */
