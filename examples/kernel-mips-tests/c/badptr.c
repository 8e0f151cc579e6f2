/*
 * badptr.c - system calls given bad user pointers fail with EFAULT and the process goes
 * on: unmapped addresses, kernel addresses, read-only text as a read buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void check(const char *what, long r)
{
    printf("%s: %s\n", what, r == -1 && errno == EFAULT ? "EFAULT" : "unexpected");
}

int main(void)
{
    char *argv[] = {"x", 0};
    check("write from unmapped", syscall(SYS_write, 1, (void *)16, 4));
    check("write from kernel space", syscall(SYS_write, 1, (void *)0x80001000u, 4));
    check("open unmapped path", syscall(SYS_open, (char *)16, O_RDONLY));
    check("execve unmapped path", syscall(SYS_execve, (char *)16, argv, (char **)0));
    int fd = open("/proc/self/exe", O_RDONLY);
    check("read into text", syscall(SYS_read, fd, (void *)main, 4));
    check("read into unmapped", syscall(SYS_read, fd, (void *)16, 4));
    check("uname to unmapped", syscall(SYS_uname, (void *)16));
    return 0;
}
