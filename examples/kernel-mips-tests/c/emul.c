/*
 * emul.c - what the kmips kernel emulates or preserves for a program: `rdhwr $29` (the
 * thread pointer; the 24K, 34K and 74K trap it) in the delay slot of taken and not-taken
 * branches, jumps that link and an FPU branch; FPU registers across a switch to a child
 * that clobbers them. Prints one line per check; exits 0 when all hold.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

__asm__(".text\n.globl ret_only\n.type ret_only,@function\nret_only:\n jr $ra\n nop\n");

#define RDHWR_TP(v) __asm__ volatile(".set push\n.set mips32r2\nrdhwr %0, $29\n.set pop" : "=r"(v))
/* A case's code, in program order (noreorder: the instruction after a branch is its slot). */
#define NOREORDER(code) ".set push\n.set noreorder\n.set mips32r2\n" code "\n.set pop"

int main(void)
{
    void *want, *got[6];
    RDHWR_TP(want);
    /* b: taken */
    __asm__ volatile(NOREORDER(" b 1f\n rdhwr %0, $29\n move %0, $zero\n1:") : "=r"(got[0]));
    /* beq on unequal registers: not taken, falls through to the slot's successor */
    int x = 1, y = 2;
    __asm__ volatile(NOREORDER(" beq %1, %2, 1f\n rdhwr %0, $29\n b 2f\n nop\n1: move %0, $zero\n2:")
                     : "=&r"(got[1])
                     : "r"(x), "r"(y));
    /* bgezal: taken, links $ra */
    __asm__ volatile(NOREORDER(" bgezal $zero, 1f\n rdhwr %0, $29\n move %0, $zero\n1:")
                     : "=r"(got[2])
                     :
                     : "ra");
    /* jalr: to a function that returns right after the delay slot */
    __asm__ volatile(NOREORDER(" la $t9, ret_only\n jalr $t9\n rdhwr %0, $29") : "=r"(got[3]) : : "t9", "ra");
    /* bc1t on a true FP condition */
    __asm__ volatile(NOREORDER(".set hardfloat\n mtc1 $zero, $f0\n c.eq.s $f0, $f0\n bc1t 1f\n rdhwr %0, $29\n"
                               " move %0, $zero\n1:")
                     : "=r"(got[4])
                     :
                     : "$f0");
    /* bne on unequal registers: taken */
    __asm__ volatile(NOREORDER(" bne %1, %2, 1f\n rdhwr %0, $29\n move %0, $zero\n1:")
                     : "=&r"(got[5])
                     : "r"(x), "r"(y));
    int ok = 1;
    printf("thread pointer in delay slots:");
    for (int i = 0; i < 6; i++) {
        printf(" %s", got[i] == want ? "ok" : "WRONG");
        ok &= got[i] == want;
    }
    printf("\n");

    /* A callee-saved FPU register survives the child clobbering its own copy. */
    register double keep __asm__("$f20") = 3.25;
    __asm__ volatile("" : "+f"(keep));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        __asm__ volatile(".set push\n.set hardfloat\n.set mips32r2\n"
                         "mtc1 %0, $f20\n mthc1 %0, $f20\n.set pop" ::"r"(0x12345678)
                         : "$f20");
        _exit(0);
    }
    int st = -1;
    waitpid(pid, &st, 0);
    __asm__ volatile("" : "+f"(keep));
    printf("fpu registers across a switch: %s\n", keep == 3.25 ? "ok" : "WRONG");
    ok &= keep == 3.25 && st == 0;
    return ok ? 0 : 1;
}
