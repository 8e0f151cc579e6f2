/* exec-reset.c: what execve resets and what it keeps. Before: descriptor 3 close-on-exec,
 * descriptor 4 not; SIGUSR1 caught, SIGUSR2 ignored, SIGTERM blocked. After exec'ing
 * itself (through /proc/self/exe): 3 closed, 4 open, SIGUSR1 back to default, SIGUSR2
 * still ignored, SIGTERM still blocked (Linux's flush_signal_handlers and the kept mask). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void handler(int sig) { (void)sig; }

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1) {
        struct sigaction sa;
        sigset_t mask;
        printf("fd 3 %s, fd 4 %s\n", fcntl(3, F_GETFD) < 0 ? "closed" : "open",
               fcntl(4, F_GETFD) < 0 ? "closed" : "open");
        sigaction(SIGUSR1, NULL, &sa);
        printf("SIGUSR1 %s\n", sa.sa_handler == SIG_DFL ? "default" : "not default");
        sigaction(SIGUSR2, NULL, &sa);
        printf("SIGUSR2 %s\n", sa.sa_handler == SIG_IGN ? "ignored" : "not ignored");
        sigprocmask(SIG_BLOCK, NULL, &mask);
        printf("SIGTERM %s\n", sigismember(&mask, SIGTERM) ? "blocked" : "not blocked");
        return 0;
    }
    int a = open(argv[0], O_RDONLY | O_CLOEXEC), b = open(argv[0], O_RDONLY);
    if (a != 3 || b != 4)
        return 2;
    signal(SIGUSR1, handler);
    signal(SIGUSR2, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    char *args[] = {argv[0], "after", NULL};
    execv("/proc/self/exe", args);
    printf("execv: %s\n", strerror(errno));
    return 1;
}
