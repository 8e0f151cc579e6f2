/* e2big.c: execve with arguments over Linux's limits fails with E2BIG and the caller
 * runs on; then an ordinary execve of itself succeeds. Limits (8 MiB stack rlimit): one
 * string at most 32 pages (MAX_ARG_STRLEN, 128 KiB), all strings and pointers at most a
 * quarter of the stack limit (2 MiB). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char one[32 * 4096 + 1];   /* 128 KiB + 1 with its NUL: one byte too long */
static char part[100000];

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0); /* the output before a successful exec is not lost */
    if (argc > 1) {
        printf("exec'd again: argc=%d argv[1]=%s\n", argc, argv[1]);
        return 0;
    }
    memset(one, 'a', sizeof one - 1);
    char *a1[] = {argv[0], one, NULL};
    execv(argv[0], a1);
    printf("a %zu-byte string: %s\n", sizeof one - 1, strerror(errno));
    memset(part, 'b', sizeof part - 1);
    char *a2[32];
    a2[0] = argv[0];
    for (int i = 1; i < 31; i++)
        a2[i] = part;
    a2[31] = NULL;
    execv(argv[0], a2);
    printf("30 strings of %zu bytes: %s\n", sizeof part, strerror(errno));
    char *a3[] = {argv[0], "fits", NULL};
    execv(argv[0], a3);
    printf("execv: %s\n", strerror(errno));
    return 1;
}
