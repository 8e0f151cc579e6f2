/*
 * forkexec.c - fork, exec through /proc/self/exe, wait: the process calls the kmips
 * kernel provides to a program of either byte order (busybox covers little endian
 * only). A failed execve returns to the caller. Known output:
 *   child 0 / parent: child 0 exit 7 / ... (three times) / execve /nonexistent: ENOENT
 */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc > 1) {
        printf("child %s\n", argv[1]);
        return 7;
    }
    for (int i = 0; i < 3; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            char n[2] = {(char)('0' + i), 0};
            execl("/proc/self/exe", "forkexec", n, (char *)0);
            _exit(127);
        }
        int st = -1;
        waitpid(pid, &st, 0);
        printf("parent: child %d exit %d\n", i, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
    if (execl("/nonexistent", "x", (char *)0) < 0)
        printf("execve /nonexistent: %s\n", errno == ENOENT ? "ENOENT" : "other");
    return 0;
}
