/* spin.c: the child spins forever; the parent still gets the CPU (the timer preempts
 * the child) and exits, which ends the child too (the kernel's batch program acts like
 * the init of a PID namespace). */
#include <stdio.h>
#include <unistd.h>

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (fork() == 0)
        for (;;) {
        }
    for (volatile unsigned long i = 0; i < 20000000; i++) {
    }
    printf("the parent ran while its child spun\n");
    return 0;
}
