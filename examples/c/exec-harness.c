/*
 * exec-harness: a kernel's exec path in miniature, in user space. It uses only execcore.h
 * and libexeccore.a to load a real program (and its interpreter) into its own process,
 * builds the initial stack, and jumps to the entry point.
 *
 *   exec-harness [--mode eager|mapped|lazy] [--root DIR] [--profile linux|hardened]
 *                [--linux-version X.Y[.Z]] [--verify-faults REPORT] [--bench N] PROG [ARGS...]
 *   exec-harness --kernel PROG [ARGS...]
 *
 * --empty-argv (either way) execs PROG with argc 0, ARGS ignored (Linux >= 5.18 then
 * supplies an empty argv[0]; a script's rewrite drops it). --stack-rlimit BYTES (either
 * way, default 8 MiB) is the RLIMIT_STACK of the exec: the argument limit is a quarter.
 * PROG may be a `#!` script: the harness follows it to its interpreter as Linux does
 * (execcore_follow_scripts), and the interpreter runs with the rewritten argv.
 * --kernel hands PROG to the host kernel's execve instead (no shell fallback), failing
 * the same way: the oracle the tests compare with.
 * The environment is passed through; the program's output and exit status become the
 * harness's. A rejected file prints "exec-harness: PROG: <message> (<ERRNO>)", exits 127.
 * Lazy mode serves page faults with userfaultfd from a pager process that asks
 * execcore_resolve_fault what each page holds. --verify-faults (eager or mapped mode)
 * compares every loaded page with the resolver's answer before the program starts, which
 * checks lazy mode where userfaultfd is missing (qemu-user); REPORT gets the page count,
 * the mismatches, the stack high-water of prepare + load and their file reads.
 * --bench N times N execs of PROG each way, its output sent to /dev/null: fork + this
 * harness's in-process exec (open, prepare, load, stack, jump) + wait, against fork +
 * execve + wait by the kernel, alternating; prints "harness_ns H kernel_ns K ratio R"
 * (medians per exec).
 * Known limit of loading in-process: /proc/self/exe keeps naming the harness.
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64 /* 32-bit targets: files and offsets over 2 GiB */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "execcore.h"

#if defined(__x86_64__)
#include "arch/x86_64.h"
#elif defined(__aarch64__)
#include "arch/aarch64.h"
#elif defined(__mips__)
#include "arch/mips.h"
#elif defined(__riscv) && __riscv_xlen == 64
#include "arch/riscv64.h"
#else
#error "exec-harness: no entry trampoline for this architecture yet"
#endif

/* A user address of the new image as a pointer (the window keeps it below 4 GiB on
 * 32-bit targets). */
#define USER(a) ((void *)(uintptr_t)(a))

#define MAX_RESERVATIONS 8
#define PAGE 4096ULL
#define MAX_FILES (2 + EXECCORE_SCRIPT_MAX_OPENED)

struct harness {
    int fd[MAX_FILES];      /* file handles: 0 the program, 1 its interpreter; more while following scripts */
    const char *root;       /* prefix for the interpreter path, like qemu -L */
    uint64_t res_start[MAX_RESERVATIONS], res_end[MAX_RESERVATIONS];
    int nres;
    int uffd;               /* userfaultfd for lazy mode, -1 otherwise */
    uint64_t reads, read_bytes; /* read_at + read_into calls and bytes, for --verify-faults */
};

static struct harness H = {{-1, -1, -1, -1, -1, -1, -1, -1}, "", {0}, {0}, 0, -1, 0, 0};
static execcore_plan PLAN; /* static: the lazy-mode pager reads its copy after the fork */

void execcore_panic(const uint8_t *msg, size_t len) {
    fprintf(stderr, "exec-harness: execcore panic: %.*s\n", (int)len, (const char *)msg);
    abort();
}

static int prot_of(uint32_t p) {
    int prot = ((p & EXECCORE_PROT_READ) ? PROT_READ : 0) | ((p & EXECCORE_PROT_WRITE) ? PROT_WRITE : 0) |
               ((p & EXECCORE_PROT_EXEC) ? PROT_EXEC : 0);
#ifdef HARNESS_PROT_BTI
    if (p & EXECCORE_PROT_BTI) prot |= HARNESS_PROT_BTI;
#endif
    return prot;
}

static int reserved(uint64_t start, uint64_t len) {
    for (int i = 0; i < H.nres; i++)
        if (start >= H.res_start[i] && start + len <= H.res_end[i]) return 1;
    return 0;
}

static int cb_read_at(void *ctx, uint64_t file, uint64_t offset, uint8_t *buf, size_t len, size_t *out) {
    struct harness *h = ctx;
    if (file >= MAX_FILES || h->fd[file] < 0) return EBADF;
    ssize_t n;
    do n = pread(h->fd[file], buf, len, (off_t)offset); while (n < 0 && errno == EINTR);
    if (n < 0) return errno;
    *out = (size_t)n;
    h->reads++;
    h->read_bytes += (uint64_t)n;
    return 0;
}

/* Opens an interpreter (PT_INTERP's or a script's) as Linux's open_exec: a regular file
 * the caller may execute, else EACCES; an empty name is looked up as the current
 * directory (the kernel's own lookup of ""), hence EACCES too. --root prefixes absolute
 * names only. Takes the first free handle from 1. */
static int cb_open_interpreter(void *ctx, const uint8_t *path, size_t len, uint64_t *out_file,
                               execcore_file_id *out_id) {
    struct harness *h = ctx;
    /* Static, not on the stack: the stack report measures the library and its callbacks,
     * and a kernel resolves the path with its own (per-task) buffer. */
    static char full[8192];
    if (len == 0) {
        path = (const uint8_t *)".";
        len = 1;
    }
    const char *root = path[0] == '/' ? h->root : ""; /* a relative name is the caller's */
    if (snprintf(full, sizeof full, "%s%.*s", root, (int)len, (const char *)path) >= (int)sizeof full)
        return ENAMETOOLONG;
    uint64_t slot = 1;
    while (slot < MAX_FILES && h->fd[slot] >= 0) slot++;
    if (slot == MAX_FILES) return EMFILE;
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || access(full, X_OK) != 0) {
        close(fd);
        return EACCES;
    }
    out_id->device = st.st_dev;
    out_id->inode = st.st_ino;
    out_id->generation = (uint64_t)st.st_ctim.tv_sec;
    h->fd[slot] = fd;
    *out_file = slot;
    return 0;
}

static int cb_random(void *ctx, uint8_t *buf, size_t len) {
    (void)ctx;
    while (len > 0) {
        ssize_t n = getrandom(buf, len, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int cb_reserve(void *ctx, uint64_t start, uint64_t len) {
    struct harness *h = ctx;
    if (h->nres == MAX_RESERVATIONS) return ENOMEM;
    void *p = mmap(USER(start), len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
                   -1, 0);
    if (p == MAP_FAILED) return errno;
    if ((uint64_t)(uintptr_t)p != start) { /* some kernels treat the flag as a hint */
        munmap(p, len);
        return EEXIST;
    }
    h->res_start[h->nres] = start;
    h->res_end[h->nres] = start + len;
    h->nres++;
    return 0;
}

/* Inside a reservation MAP_FIXED replaces it; elsewhere (the stack) never clobber. */
static int fixed_flags(uint64_t start, uint64_t len) {
    return reserved(start, len) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
}

static int cb_map_anonymous(void *ctx, uint64_t start, uint64_t len, uint32_t prot) {
    (void)ctx;
    void *p = mmap(USER(start), len, prot_of(prot), MAP_PRIVATE | MAP_ANONYMOUS | fixed_flags(start, len), -1, 0);
    if (p == MAP_FAILED) return errno;
    return (uint64_t)(uintptr_t)p == start ? 0 : EEXIST;
}

static int cb_map_file(void *ctx, uint64_t start, uint64_t len, uint64_t file, uint64_t offset, uint32_t prot) {
    struct harness *h = ctx;
    if (file >= MAX_FILES) return EBADF;
    void *p = mmap(USER(start), len, prot_of(prot), MAP_PRIVATE | fixed_flags(start, len), h->fd[file], (off_t)offset);
    if (p == MAP_FAILED) return errno;
    return (uint64_t)(uintptr_t)p == start ? 0 : EEXIST;
}

static int cb_map_lazy(void *ctx, uint64_t start, uint64_t len, uint32_t prot) {
    struct harness *h = ctx;
    if (h->uffd < 0) return ENOSYS;
    void *p = mmap(USER(start), len, prot_of(prot), MAP_PRIVATE | MAP_ANONYMOUS | fixed_flags(start, len), -1, 0);
    if (p == MAP_FAILED) return errno;
    struct uffdio_register reg = {.range = {.start = start, .len = len}, .mode = UFFDIO_REGISTER_MODE_MISSING};
    if (ioctl(h->uffd, UFFDIO_REGISTER, &reg) < 0) return errno;
    return 0;
}

static int cb_write(void *ctx, uint64_t addr, const uint8_t *src, size_t len) {
    (void)ctx;
    memcpy(USER(addr), src, len);
    return 0;
}

static int cb_read_into(void *ctx, uint64_t file, uint64_t offset, uint64_t addr, uint64_t len) {
    struct harness *h = ctx;
    if (file >= MAX_FILES) return EBADF;
    h->reads++;
    h->read_bytes += len;
    while (len > 0) { /* straight from the file into the destination, large reads */
        ssize_t n = pread(h->fd[file], USER(addr), len, (off_t)offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return EIO;
        addr += (uint64_t)n;
        offset += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return 0;
}

static int cb_protect(void *ctx, uint64_t start, uint64_t len, uint32_t prot) {
    (void)ctx;
    return mprotect(USER(start), len, prot_of(prot)) < 0 ? errno : 0;
}

static int cb_unmap(void *ctx, uint64_t start, uint64_t len) {
    (void)ctx;
    return munmap(USER(start), len) < 0 ? errno : 0;
}

static int cb_sync_icache(void *ctx, uint64_t start, uint64_t len) {
    (void)ctx;
    __builtin___clear_cache((char *)USER(start), (char *)USER(start + len));
    return 0;
}

static void fail(const char *prog, execcore_status st, const execcore_error *err) {
    int e = err && err->errno_value ? err->errno_value : execcore_status_errno(st);
    const char *name = strerrorname_np(e);
    fprintf(stderr, "exec-harness: %s: %s (%s)\n", prog, execcore_status_str(st), name ? name : "?");
    exit(127);
}

/* Builds in `page` what the fault resolver says the page at `fill->page` holds. */
static int assemble_page(const execcore_page_fill *fill, uint8_t *page) {
    memset(page, 0, PAGE);
    for (uint32_t i = 0; i < fill->npieces; i++) {
        uint64_t done = 0;
        while (done < fill->len[i]) {
            ssize_t n = pread(H.fd[fill->image], page + fill->page_offset[i] + done, fill->len[i] - done,
                              (off_t)(fill->file_offset[i] + done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return -1;
            done += (uint64_t)n;
        }
    }
    return 0;
}

/* The lazy-mode pager: fills each missing page with what the plan says it holds. */
static void *pager(void *arg) {
    (void)arg;
    static uint8_t page[PAGE] __attribute__((aligned(4096)));
    for (;;) {
        struct pollfd pfd = {.fd = H.uffd, .events = POLLIN};
        if (poll(&pfd, 1, -1) < 0) continue;
        struct uffd_msg msg;
        if (read(H.uffd, &msg, sizeof msg) != sizeof msg) continue;
        if (msg.event != UFFD_EVENT_PAGEFAULT) continue;
        execcore_page_fill fill;
        if (execcore_resolve_fault(&PLAN, msg.arg.pagefault.address, &fill) != EXECCORE_OK) {
            fprintf(stderr, "exec-harness: fault at %#llx outside the image\n", (unsigned long long)msg.arg.pagefault.address);
            _exit(127);
        }
        if (fill.npieces == 0) {
            struct uffdio_zeropage z = {.range = {.start = fill.page, .len = PAGE}};
            ioctl(H.uffd, UFFDIO_ZEROPAGE, &z);
            continue;
        }
        if (assemble_page(&fill, page) != 0) _exit(127);
        struct uffdio_copy c = {.dst = fill.page, .src = (uint64_t)(uintptr_t)page, .len = PAGE};
        ioctl(H.uffd, UFFDIO_COPY, &c);
    }
    return NULL;
}

/* Stack high-water of prepare + load (with the callbacks they call): paint a region below
 * main's frame, run them, see how much of it was written. Both helpers have nearly the
 * same frame, so `area` lies at the same addresses in each; the paint reaches a little
 * lower, for calls that leave arguments on the stack (execcore_follow_scripts' seventh
 * and eighth on x86_64) while stack_used runs. */
#define STACK_PAINT (64 * 1024)
#define STACK_PAINT_SLACK 256
static void __attribute__((noinline)) paint_stack(void) {
    uint8_t area[STACK_PAINT + STACK_PAINT_SLACK];
    memset(area, 0xa5, sizeof area);
    __asm__ volatile("" : : "r"(area) : "memory"); /* keep the stores */
}
static size_t __attribute__((noinline)) stack_used(void) {
    uint8_t area[STACK_PAINT];
    const volatile uint8_t *p = area;
    __asm__ volatile("" : "+r"(p)); /* the bytes are whatever the stack holds: read them */
    size_t i = 0;
    while (i < STACK_PAINT && p[i] == 0xa5) i++;
    return STACK_PAINT - i;
}

/* --verify-faults: after an eager load, every page of every mapping must hold what the
 * fault resolver says it holds (lazy mode's answer), byte for byte. This checks lazy
 * loading where userfaultfd is missing (qemu-user). Writes "pages N mismatches M" to
 * `report` and returns M (or -1 when the plan cannot be read). */
#define MAX_MAPPINGS 64
static struct {
    unsigned long pages, mismatches;
    size_t prepare_stack, load_stack, build_stack; /* stack high-water of each entry point */
    size_t follow_stack;                            /* and of execcore_follow_scripts */
} VERIFY;
static long verify_faults(void) {
    static uint8_t page[PAGE] __attribute__((aligned(4096)));
    execcore_mapping maps[MAX_MAPPINGS];
    size_t nmaps = 0;
    if (execcore_plan_mappings(&PLAN, maps, MAX_MAPPINGS, &nmaps) != EXECCORE_OK) return -1;
    unsigned long pages = 0, bad = 0;
    for (size_t m = 0; m < nmaps; m++) {
        int unreadable = !(maps[m].prot & EXECCORE_PROT_READ);
        for (uint64_t a = maps[m].start; a < maps[m].end; a += PAGE) {
            execcore_page_fill fill;
            pages++;
            if (execcore_resolve_fault(&PLAN, a, &fill) != EXECCORE_OK || fill.page != a ||
                fill.image != maps[m].image || assemble_page(&fill, page) != 0) {
                bad++;
                continue;
            }
            if (unreadable && mprotect(USER(a), PAGE, PROT_READ) != 0) return -1;
            if (memcmp(USER(a), page, PAGE) != 0) {
                bad++;
                fprintf(stderr, "exec-harness: page %#llx differs from the fault resolver's\n", (unsigned long long)a);
            }
            if (unreadable && mprotect(USER(a), PAGE, prot_of(maps[m].prot)) != 0) return -1;
        }
    }
    VERIFY.pages = pages;
    VERIFY.mismatches = bad;
    return (long)bad;
}

/* Writes the --verify-faults report: pages and mismatches, the stack high-water of
 * prepare + load together ("stack") and of each entry point, and the file reads. */
static int write_report(const char *report) {
    FILE *f = fopen(report, "w");
    if (!f) return -1;
    size_t both = VERIFY.prepare_stack > VERIFY.load_stack ? VERIFY.prepare_stack : VERIFY.load_stack;
    fprintf(f,
            "pages %lu mismatches %lu stack %zu reads %llu read_bytes %llu prepare_stack %zu load_stack %zu "
            "build_stack_stack %zu follow_scripts_stack %zu\n",
            VERIFY.pages, VERIFY.mismatches, both, (unsigned long long)H.reads, (unsigned long long)H.read_bytes,
            VERIFY.prepare_stack, VERIFY.load_stack, VERIFY.build_stack, VERIFY.follow_stack);
    return fclose(f);
}

/* glibc registered rseq for this thread; the program's libc must be able to register its own. */
extern __attribute__((weak)) const ptrdiff_t __rseq_offset;
extern __attribute__((weak)) const unsigned int __rseq_size;
static void unregister_rseq(void) {
    if (&__rseq_size == NULL || __rseq_size == 0) return;
    void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
    if (syscall(SYS_rseq, area, 32, 1 /* RSEQ_FLAG_UNREGISTER */, 0x53053053) != 0)
        syscall(SYS_rseq, area, __rseq_size, 1, 0x53053053);
}

extern char **environ;

/* Monotonic nanoseconds. */
static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Forks a child that execs argv[0] through the harness (`in_process`: the child returns 1
 * to go on with main's exec path) or through the kernel's execve, and waits for it. The
 * parent returns 0 with the nanoseconds of fork + exec + wait in `*ns`, or -1. */
static int timed_exec(int in_process, char **argv, int devnull, uint64_t *ns) {
    uint64_t t0 = now_ns();
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(devnull, 1);
        if (in_process) return 1;
        execve(argv[0], argv, environ);
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "exec-harness: --bench: %s failed (status %#x)\n", argv[0], status);
        return -1;
    }
    *ns = now_ns() - t0;
    return 0;
}

/* --bench: `n` execs each way, alternating so both see the same machine, after n/10 + 1
 * untimed rounds (page cache, first faults). Medians in `*harness_ns` and `*kernel_ns`.
 * Returns 0 in the parent, 1 in a child that is to go on with the exec, -1 on failure. */
#define MAX_BENCH 100000
static int bench_execs(long n, char **argv, uint64_t *harness_ns, uint64_t *kernel_ns) {
    static uint64_t h[MAX_BENCH], k[MAX_BENCH];
    if (n > MAX_BENCH) n = MAX_BENCH;
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    long warm = n / 10 + 1;
    for (long i = 0; i < warm + n; i++) {
        uint64_t th = 0, tk = 0;
        int r = timed_exec(1, argv, devnull, &th);
        if (r != 0) return r;
        if (timed_exec(0, argv, devnull, &tk) != 0) return -1;
        if (i >= warm) {
            h[i - warm] = th;
            k[i - warm] = tk;
        }
    }
    close(devnull);
    qsort(h, (size_t)n, sizeof h[0], cmp_u64);
    qsort(k, (size_t)n, sizeof k[0], cmp_u64);
    *harness_ns = h[n / 2];
    *kernel_ns = k[n / 2];
    return 0;
}

/* Whether the kernel aligns large mappings of `fd` for transparent huge pages (Linux's
 * thp_get_unmapped_area on ext4/xfs): two hint-less mappings, 4 MiB and 4 MiB + 4 KiB,
 * both 2 MiB-aligned. Plain placement puts at most one of them on such a boundary. */
static int huge_aligned(int fd) {
    size_t lens[2] = {4u << 20, (4u << 20) + 4096};
    for (int k = 0; k < 2; k++) {
        void *p = mmap(NULL, lens[k], PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) return 0;
        munmap(p, lens[k]);
        if ((uintptr_t)p % (2u << 20) != 0) return 0;
    }
    return 1;
}

static void usage(void) {
    fprintf(stderr, "usage: exec-harness [--mode eager|mapped|lazy] [--root DIR] [--profile linux|hardened] [--linux-version X.Y[.Z]] "
                    "[--verify-faults REPORT] [--bounce BYTES] [--bench N] [--empty-argv] [--stack-rlimit BYTES] PROG [ARGS...]\n"
                    "       exec-harness --kernel [--empty-argv] [--stack-rlimit BYTES] PROG [ARGS...]\n");
    exit(2);
}

/* Closes every handle the script walk opened except `keep`, and makes `keep` handle 0
 * (the program): image 0 of the plan is read through handle 0, its interpreter through
 * the next handle opened (1). */
static void adopt_program(const execcore_script *script, uint64_t keep) {
    for (uint32_t k = 0; k < script->opened_count; k++) {
        uint64_t f = script->opened[k];
        if (f != keep && f < MAX_FILES && H.fd[f] >= 0) {
            close(H.fd[f]);
            H.fd[f] = -1;
        }
    }
    if (keep != 0 && keep < MAX_FILES) {
        close(H.fd[0]);
        H.fd[0] = H.fd[keep];
        H.fd[keep] = -1;
    }
}

/* --bounce N: the buffer a kernel without read_into lends the library. */
static uint8_t BOUNCE[1 << 20];

int main(int argc, char **argv) {
    uint32_t mode = EXECCORE_LOAD_EAGER;
    uint32_t profile = EXECCORE_PROFILE_LINUX, linux_version = EXECCORE_LINUX_NEWEST;
    const char *verify_report = NULL;
    long bench = 0, bounce = 0;
    int kernel = 0, empty_argv = 0;
    unsigned long long stack_rlimit = 8 << 20;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--kernel") == 0) {
            kernel = 1;
        } else if (strcmp(argv[i], "--empty-argv") == 0) {
            empty_argv = 1;
        } else if (strcmp(argv[i], "--stack-rlimit") == 0 && i + 1 < argc) {
            stack_rlimit = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
            const char *m = argv[++i];
            if (strcmp(m, "eager") == 0) mode = EXECCORE_LOAD_EAGER;
            else if (strcmp(m, "mapped") == 0) mode = EXECCORE_LOAD_MAPPED;
            else if (strcmp(m, "lazy") == 0) mode = EXECCORE_LOAD_LAZY;
            else usage();
        } else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) {
            H.root = argv[++i];
        } else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc) {
            const char *p = argv[++i];
            if (strcmp(p, "linux") == 0) profile = EXECCORE_PROFILE_LINUX;
            else if (strcmp(p, "hardened") == 0) profile = EXECCORE_PROFILE_HARDENED;
            else usage();
        } else if (strcmp(argv[i], "--linux-version") == 0 && i + 1 < argc) {
            /* MAJOR.MINOR[.SUBLEVEL]: major << 16 | sublevel << 8 | minor, the sublevel
             * saturating at 255 as Linux's KERNEL_VERSION does. */
            unsigned major, minor, sublevel = 0;
            int n = sscanf(argv[++i], "%u.%u.%u", &major, &minor, &sublevel);
            if (n < 2 || major > 0xffff || minor > 0xff) usage();
            if (sublevel > 0xff) sublevel = 0xff;
            linux_version = major << 16 | sublevel << 8 | minor;
        } else if (strcmp(argv[i], "--verify-faults") == 0 && i + 1 < argc) {
            verify_report = argv[++i];
        } else if (strcmp(argv[i], "--bounce") == 0 && i + 1 < argc) {
            bounce = strtol(argv[++i], NULL, 10);
            if (bounce <= 0 || bounce > (long)sizeof BOUNCE) usage();
        } else if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc) {
            bench = strtol(argv[++i], NULL, 10);
            if (bench <= 0) usage();
        } else {
            usage();
        }
    }
    if (i >= argc || (verify_report && mode == EXECCORE_LOAD_LAZY)) usage();
    if (execcore_abi_version() != EXECCORE_ABI_VERSION) {
        fprintf(stderr, "exec-harness: header ABI %u, library ABI %u\n", EXECCORE_ABI_VERSION, execcore_abi_version());
        return 127;
    }
    const char *prog = argv[i];
    if (kernel) { /* the oracle: the host kernel's execve, no shell fallback on ENOEXEC */
        struct rlimit rl = {stack_rlimit, stack_rlimit};
        if (setrlimit(RLIMIT_STACK, &rl) != 0) {
            fprintf(stderr, "exec-harness: --stack-rlimit %llu: %s\n", stack_rlimit, strerror(errno));
            return 127;
        }
        execve(prog, empty_argv ? &argv[argc] /* NULL */ : &argv[i], environ);
        int e = errno;
        fprintf(stderr, "exec-harness: %s: %s (%s)\n", prog, strerror(e), strerrorname_np(e));
        return 127;
    }
    if (bench > 0) {
        uint64_t harness_ns = 0, kernel_ns = 0;
        int r = bench_execs(bench, &argv[i], &harness_ns, &kernel_ns);
        if (r < 0) return 127;
        if (r == 0) { /* the parent: the children went on below */
            printf("harness_ns %llu kernel_ns %llu ratio %.3f\n", (unsigned long long)harness_ns,
                   (unsigned long long)kernel_ns, (double)harness_ns / (double)kernel_ns);
            return 0;
        }
    }
    H.fd[0] = open(prog, O_RDONLY | O_CLOEXEC);
    struct stat pst;
    if (H.fd[0] >= 0 && (fstat(H.fd[0], &pst) != 0 || !S_ISREG(pst.st_mode) || access(prog, X_OK) != 0))
        errno = EACCES; /* execve's open_exec: a regular file the caller may execute */
    else if (H.fd[0] >= 0)
        errno = 0;
    if (errno != 0) {
        fprintf(stderr, "exec-harness: %s: %s (%s)\n", prog, strerror(errno), strerrorname_np(errno));
        return 127;
    }
    if (mode == EXECCORE_LOAD_LAZY) {
        H.uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
        struct uffdio_api api = {.api = UFFD_API};
        if (H.uffd < 0 || ioctl(H.uffd, UFFDIO_API, &api) < 0) {
            fprintf(stderr, "exec-harness: lazy mode needs userfaultfd: %s\n", strerror(errno));
            return 127;
        }
    }

    size_t envc = 0;
    while (environ[envc]) envc++;
    execcore_cpu cpu = {0};
    cpu.arch = HARNESS_ARCH;
    cpu.page_size = PAGE;
    cpu.hwcap = getauxval(AT_HWCAP);
    cpu.hwcap2 = getauxval(AT_HWCAP2);
    cpu.minsigstksz = getauxval(51 /* AT_MINSIGSTKSZ */);
#ifdef HARNESS_HWCAP2_BTI
    if (cpu.hwcap2 & HARNESS_HWCAP2_BTI) cpu.flags |= EXECCORE_CPU_BTI;
#endif
#ifdef HARNESS_MIPS_MODEL
    cpu.mips_model = HARNESS_MIPS_MODEL;
#ifdef __MIPSEB__
    cpu.flags |= EXECCORE_CPU_BIG_ENDIAN;
#endif
#endif
    execcore_exec_params params = {0};
    params.argv = (const uint8_t *const *)&argv[i];
    params.argc = empty_argv ? 0 : (size_t)(argc - i);
    params.envp = (const uint8_t *const *)environ;
    params.envc = envc;
    params.execfn = (const uint8_t *)prog;
    params.execfn_len = strlen(prog);
    params.file = 0;
    params.stack_rlimit = stack_rlimit;
    params.flags = EXECCORE_EXEC_RANDOMIZE;
    params.uid = getuid();
    params.euid = geteuid();
    params.gid = getgid();
    params.egid = getegid();
    params.sysinfo_ehdr = getauxval(AT_SYSINFO_EHDR);
    params.rseq_feature_size = getauxval(27);
    params.rseq_align = getauxval(28);
    params.window_start = 0x10000;
    params.window_end = HARNESS_WINDOW_END;
    params.profile = profile;
    params.linux_version = linux_version;
    /* The interpreter is taken to live on the program's file system (or --root's). */
    if (huge_aligned(H.fd[0])) params.flags |= EXECCORE_EXEC_MAIN_HUGE_ALIGNED | EXECCORE_EXEC_INTERP_HUGE_ALIGNED;

    execcore_ops ops = {0};
    ops.ctx = &H;
    ops.read_at = cb_read_at;
    ops.open_interpreter = cb_open_interpreter;
    ops.random = cb_random;
    ops.reserve = cb_reserve;
    ops.map_anonymous = cb_map_anonymous;
    ops.map_file = cb_map_file;
    ops.map_lazy = cb_map_lazy;
    ops.write = cb_write;
    ops.read_into = cb_read_into;
    ops.protect = cb_protect;
    ops.unmap = cb_unmap;
    ops.sync_icache = cb_sync_icache;
    if (bounce > 0) {
        /* A kernel without read_into: file bytes through its bounce buffer. */
        ops.read_into = NULL;
        ops.bounce_buffer = BOUNCE;
        ops.bounce_size = (size_t)bounce;
    }

    execcore_error err = {0};
    /* #! scripts: the program becomes the interpreter, argv the rewritten one (its
     * pointers into SCRIPT and argv[]); AT_EXECFN stays PROG. */
    static execcore_script SCRIPT;
    size_t script_cap = params.argc + EXECCORE_SCRIPT_EXTRA_ARGS, script_argc = 0;
    const uint8_t **script_argv = malloc(script_cap * sizeof *script_argv);
    if (!script_argv) fail(prog, EXECCORE_ERR_ADDRESS_SPACE_FAILED, NULL);
    if (verify_report) paint_stack();
    execcore_status st =
        execcore_follow_scripts(&cpu, &params, &ops, &SCRIPT, script_argv, script_cap, &script_argc, &err);
    if (verify_report) VERIFY.follow_stack = stack_used();
    H.reads = H.read_bytes = 0; /* the report counts prepare + load; following read 256 bytes a file */
    adopt_program(&SCRIPT, st == EXECCORE_OK ? SCRIPT.file : 0);
    if (st != EXECCORE_OK) fail(prog, st, &err);
    /* Linux counts the argument pointers of the argv given to execve, not the rewrite's. */
    params.argc_counted = params.argc > 0 ? params.argc : 1;
    params.argv = script_argv;
    params.argc = script_argc;

    if (verify_report) paint_stack();
    st = execcore_prepare(&cpu, &params, &ops, &PLAN, &err);
    if (st != EXECCORE_OK) fail(prog, st, &err);
    if (verify_report) {
        VERIFY.prepare_stack = stack_used();
        paint_stack();
    }
    /* Point of no return (for a kernel: the old image would be dropped here). */
    execcore_load_report report;
    st = execcore_load(&PLAN, &ops, mode, &report, &err);
    if (st != EXECCORE_OK) fail(prog, st, &err);
    if (verify_report) VERIFY.load_stack = stack_used();
    if (verify_report && verify_faults() != 0) {
        write_report(verify_report); /* build_stack not reached: its stack is 0 */
        fprintf(stderr, "exec-harness: %s: the fault resolver disagrees with the eager load (see %s)\n", prog,
                verify_report);
        return 126;
    }
    if (mode == EXECCORE_LOAD_LAZY) {
        /* The pager is a child process, not a thread: a thread would keep the process
         * alive after the program's thread exits (freestanding programs call exit, not
         * exit_group), and programs expect to start single-threaded. A userfaultfd can be
         * served from another process; the pager dies with the program (PDEATHSIG). */
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0) fail(prog, EXECCORE_ERR_ADDRESS_SPACE_FAILED, NULL);
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent) _exit(0);
            close(0);
            close(1);
            pager(NULL);
            _exit(0);
        }
    }
    execcore_entry_state entry;
    if (verify_report) paint_stack();
    st = execcore_build_stack(&PLAN, &params, &ops, &entry, &err);
    if (st != EXECCORE_OK) fail(prog, st, &err);
    if (verify_report) {
        VERIFY.build_stack = stack_used();
        if (write_report(verify_report) != 0) {
            fprintf(stderr, "exec-harness: cannot write %s\n", verify_report);
            return 126;
        }
    }

    /* Leave the process as execve would: default signals, empty mask, flushed stdio,
     * no harness descriptors (the pager keeps its own), no rseq registration. */
    fflush(NULL);
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (mode != EXECCORE_LOAD_LAZY) {
        for (int f = 0; f < MAX_FILES; f++)
            if (H.fd[f] >= 0) close(H.fd[f]);
    }
    unregister_rseq();
#ifdef HARNESS_MIPS_MODEL
    int e = harness_arch_entry(&entry);
    if (e != 0) {
        fprintf(stderr, "exec-harness: %s: cannot set the FPU mode %u: %s\n", prog, entry.fp_mode, strerror(e));
        return 127;
    }
#endif
    harness_enter(entry.pc, entry.sp);
}
