/*
 * execreset.c - what execve resets, checked by the new image: close-on-exec descriptors
 * closed (others kept), caught signals back to SIG_DFL (ignored ones stay ignored), the
 * FPU's rounding mode back to the default. Known output:
 *   cloexec fd: closed / plain fd: open / caught signal: default / ignored signal: ignored
 *   rounding: nearest
 */
#include <fcntl.h>
#include <fenv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void on_usr1(int sig)
{
    (void)sig;
}

int main(int argc, char **argv)
{
    if (argc > 2) {
        int ce = atoi(argv[1]), plain = atoi(argv[2]);
        struct sigaction a, b;
        sigaction(SIGUSR1, NULL, &a);
        sigaction(SIGUSR2, NULL, &b);
        printf("cloexec fd: %s\n", fcntl(ce, F_GETFD) < 0 ? "closed" : "open");
        printf("plain fd: %s\n", fcntl(plain, F_GETFD) < 0 ? "closed" : "open");
        printf("caught signal: %s\n", a.sa_handler == SIG_DFL ? "default" : "kept");
        printf("ignored signal: %s\n", b.sa_handler == SIG_IGN ? "ignored" : "reset");
        printf("rounding: %s\n", fegetround() == FE_TONEAREST ? "nearest" : "kept");
        return 0;
    }
    int ce = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    int plain = open("/proc/self/exe", O_RDONLY);
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, SIG_IGN);
    fesetround(FE_UPWARD);
    char a[12], b[12];
    snprintf(a, sizeof a, "%d", ce);
    snprintf(b, sizeof b, "%d", plain);
    execl("/proc/self/exe", "execreset", a, b, (char *)0);
    perror("execl");
    return 1;
}
