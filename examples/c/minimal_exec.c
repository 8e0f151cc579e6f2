/* minimal_exec.c - the smallest exec path through execcore.h, as a kernel would write it,
 * run in this Linux process: its own address space plays the new one (x86_64, static).
 *   make -C examples/c minimal_exec && examples/c/minimal_exec /bin/true
 * What a kernel must get right, marked below: (1) the plan storage is not on the stack,
 * (2) argv/envp/execfn are copies that outlive the old image and are the same for
 * execcore_prepare and execcore_build_stack, (3) callbacks return 0 or an errno, and a
 * failure returns execcore_error.errno_value from execve. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>
#include "execcore.h"

static execcore_plan PLAN;            /* (1) 16 KiB, static: never on a kernel stack */
static uint8_t BOUNCE[64 * 1024];     /* no read_into: file bytes come through this */
static char STRINGS[64 * 1024];       /* (2) the copies of argv/envp/execfn */
static const uint8_t *ARGV[64], *ENVP[256];
static int FD[2];                     /* file handles: 0 the program, 1 its interpreter */

static execcore_errno cb_read_at(void *c, uint64_t f, uint64_t off, uint8_t *buf, size_t len, size_t *n) {
    (void)c;
    ssize_t r = pread(FD[f], buf, len, (off_t)off);
    if (r < 0) return errno;       /* (3) an errno, never -1 */
    *n = (size_t)r;
    return 0;
}
static execcore_errno cb_file_size(void *c, uint64_t f, uint64_t *size) {
    off_t end = lseek(FD[f], 0, SEEK_END);
    (void)c;
    if (end < 0) return errno;
    *size = (uint64_t)end;
    return 0;
}
static execcore_errno cb_open_interp(void *c, const uint8_t *path, size_t len, uint64_t *f, execcore_file_id *id) {
    char p[4096];
    (void)c, (void)id;                               /* id stays zero: unknown */
    if (len >= sizeof p) return ENAMETOOLONG;
    memcpy(p, path, len), p[len] = 0;
    if ((FD[1] = open(p, O_RDONLY | O_CLOEXEC)) < 0) return errno;
    *f = 1;
    return 0;
}
static execcore_errno cb_random(void *c, uint8_t *buf, size_t len) {
    (void)c;
    return getrandom(buf, len, 0) == (ssize_t)len ? 0 : EIO;
}
static int prot_of(execcore_prot p) {
    return (p & EXECCORE_PROT_READ ? PROT_READ : 0) | (p & EXECCORE_PROT_WRITE ? PROT_WRITE : 0) |
           (p & EXECCORE_PROT_EXEC ? PROT_EXEC : 0);
}
static execcore_errno map(uint64_t start, uint64_t len, int prot, int fixed) {
    void *p = mmap((void *)start, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | fixed, -1, 0);
    if (p == MAP_FAILED) return errno;
    return p == (void *)start ? 0 : EEXIST;  /* EEXIST: the range is taken */
}
static execcore_errno cb_reserve(void *c, uint64_t start, uint64_t len) {
    (void)c;
    return map(start, len, PROT_NONE, MAP_FIXED_NOREPLACE);
}
static execcore_errno cb_map_anonymous(void *c, uint64_t start, uint64_t len, execcore_prot prot) {
    (void)c;
    return map(start, len, prot_of(prot), MAP_FIXED);
}
static execcore_errno cb_write(void *c, uint64_t addr, const uint8_t *src, size_t len) {
    (void)c;
    memcpy((void *)addr, src, len);             /* a kernel: copy_to_user */
    return 0;
}
static execcore_errno cb_protect(void *c, uint64_t start, uint64_t len, execcore_prot prot) {
    (void)c;
    return mprotect((void *)start, len, prot_of(prot)) == 0 ? 0 : errno;
}
static execcore_errno cb_unmap(void *c, uint64_t start, uint64_t len) {
    (void)c;
    return munmap((void *)start, len) == 0 ? 0 : errno;
}

/* Every kernel provides this; the library never calls it (no panic path is reachable). */
void execcore_panic(const uint8_t *msg, size_t len) {
    (void)!write(2, msg, len);
    _exit(127);
}

/* (2) Copies `n` strings into STRINGS from `at`; returns the new end or -1. */
static long copy_strings(long at, char **src, const uint8_t **dst, size_t n) {
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(src[i]) + 1;
        if (at + (long)len > (long)sizeof STRINGS) return -1;
        dst[i] = memcpy(STRINGS + at, src[i], len), at += (long)len;
    }
    return at;
}

int main(int argc, char **argv, char **envp) {
    size_t envc = 0;
    while (envp[envc] && envc < 256) envc++;
    if (argc < 2 || argc - 1 > 64 || copy_strings(copy_strings(0, argv + 1, ARGV, (size_t)argc - 1), envp, ENVP, envc) < 0)
        return fprintf(stderr, "usage: minimal_exec PROG [ARGS...] (64 args, 64 KiB)\n"), E2BIG;
    if ((FD[0] = open(argv[1], O_RDONLY | O_CLOEXEC)) < 0) return errno;

    execcore_cpu cpu = {0};
    execcore_exec_params params = {0};
    execcore_ops ops = {0};
    execcore_error err;
    execcore_entry_state entry;
    execcore_load_report report;
    cpu.arch = EXECCORE_ARCH_X86_64;
    params.argv = ARGV, params.argc = (size_t)argc - 1, params.envp = ENVP, params.envc = envc;
    params.execfn = ARGV[0], params.execfn_len = strlen((const char *)ARGV[0]);
    params.stack_rlimit = 8 << 20;
    params.window_start = 0x10000, params.window_end = 0x7f0000000000ULL; /* below our own stack */
    ops.read_at = cb_read_at, ops.file_size = cb_file_size, ops.open_interpreter = cb_open_interp;
    ops.random = cb_random, ops.reserve = cb_reserve, ops.map_anonymous = cb_map_anonymous;
    ops.write = cb_write, ops.protect = cb_protect, ops.unmap = cb_unmap;
    ops.bounce_buffer = BOUNCE, ops.bounce_size = sizeof BOUNCE;

    execcore_status st = execcore_prepare(&cpu, &params, &ops, &PLAN, &err);
    if (st == EXECCORE_OK) st = execcore_load(&PLAN, &ops, EXECCORE_LOAD_EAGER, &report, &err);
    if (st == EXECCORE_OK) st = execcore_build_stack(&PLAN, &params, &ops, &entry, &err);
    if (st != EXECCORE_OK) { /* (3) before the point of no return: execve fails with the errno */
        fprintf(stderr, "minimal_exec: %s: %s\n", argv[1], execcore_status_str(st));
        return err.errno_value;
    }
    /* Point of no return: a kernel drops the old image here and returns to user mode. */
    /* Enter as Linux does: sp at argc, rdx 0 (no exit hook). */
    __asm__ volatile("mov %%rdi, %%rsp\n\txor %%edx, %%edx\n\tjmp *%%rsi" : : "D"(entry.sp), "S"(entry.pc) : "memory");
    __builtin_unreachable();
}
