/* bad-pointers.c: system calls given kernel, null and huge addresses fail with EFAULT or
 * ENOMEM and the caller runs on (compared with qemu-user). */
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    long r = syscall(SYS_write, 1, (void *)0xffffff8040080000ul, 16);
    printf("write kernel ptr: %ld %s\n", r, strerror(errno));
    r = syscall(SYS_write, 1, (void *)8, 16);
    printf("write null ptr: %ld %s\n", r, strerror(errno));
    void *p = mmap((void *)0x7ffffffff000ul, 1ul << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("mmap huge fixed: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
    r = syscall(SYS_brk, 1ul << 60);
    printf("brk huge: %s\n", r == (1l << 60) ? "moved" : "refused");
    return 0;
}
