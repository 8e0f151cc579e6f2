/* bti-dyn.c: a dynamic program calling, through a pointer, a function without a landing
 * pad. Linked with -z force-bti it carries the BTI property: the kernel guards only the
 * interpreter's pages (Linux's rule), and glibc's loader applies PROT_BTI to the program
 * itself with mprotect, so an indirect branch off a landing pad raises a Branch Target
 * exception (SIGILL). With Debian's crt files (built without BTI) the first such branch
 * is the loader's jump to _start; `nopad` is the second. Without the property the
 * program runs. */
#include <stdio.h>

__asm__(".text\n.globl nopad\n.type nopad, %function\nnopad:\n\tmov w0, #7\n\tret\n");
int nopad(void);

int main(void) {
    int (*volatile f)(void) = nopad;
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("calling\n");
    printf("returned %d\n", f());
    return 0;
}
