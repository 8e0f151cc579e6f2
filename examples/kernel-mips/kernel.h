/*
 * kernel.h - shared declarations of the kmips kernel (a freestanding MIPS32r2 C kernel for
 * qemu -M malta that loads programs through libexeccore.a; see README.md).
 */
#ifndef KMIPS_KERNEL_H
#define KMIPS_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include "execcore.h"

/* ---- constants -------------------------------------------------------------------- */
#define PAGE_SIZE 4096u
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define USER_TOP 0x80000000u
#define NPROC 32
#define NFD 32
#define KSTACK_SIZE 16384u
#define PATH_MAX_K 256

/* Trap frame: 32 GPRs, hi, lo, epc, status, cause, badvaddr (offsets mirrored in start.S). */
struct trapframe {
    uint32_t r[32];
    uint32_t hi, lo, epc, status, cause, badvaddr;
    uint32_t pad[2];
};
#define TF_SIZE 160

/* Status bits. */
#define ST_IE 0x1u
#define ST_EXL 0x2u
#define ST_ERL 0x4u
#define ST_UM 0x10u
#define ST_IM7 (1u << 15) /* the CP0 timer */
#define ST_BEV (1u << 22)
#define ST_FR (1u << 26)
#define ST_CU0 (1u << 28)
#define ST_CU1 (1u << 29)
#define CAUSE_BD (1u << 31)

/* Software page-table entries: bits 0..21 are the EntryLo the refill handler loads. */
#define PTE_G 0x1u
#define PTE_V 0x2u
#define PTE_D 0x4u
#define PTE_C 0x18u /* cacheable, noncoherent */
#define PTE_PFN_SHIFT 6
#define PTE_HW 0x3fffffu
#define PTE_R (1u << 22)
#define PTE_W (1u << 23)
#define PTE_X (1u << 24)
#define PTE_PROT (PTE_R | PTE_W | PTE_X)
#define PTE_PRESENT (1u << 25)
#define PTE_ZERO (1u << 26) /* in use, zero-filled on first touch */
#define PTE_LAZY (1u << 27) /* in use, filled by execcore_resolve_fault on first touch */
#define PTE_PFN(e) (((e) & PTE_HW) >> PTE_PFN_SHIFT)

/* Linux MIPS errno values. */
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EEXIST 17
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define EMFILE 24
#define ENOTTY 25
#define ESPIPE 29
#define EROFS 30
#define EPIPE 32
#define ERANGE 34
#define ENAMETOOLONG 78
#define ENOSYS 89
#define EOPNOTSUPP_K 122

/* Signals (MIPS numbering). */
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGFPE 8
#define SIGKILL 9
#define SIGBUS 10
#define SIGSEGV 11
#define SIGPIPE 13

/* ---- memory ----------------------------------------------------------------------- */
struct mm {
    uint32_t *pgd;          /* 1024 kseg0 pointers to page-table pages (empty_pt when none) */
    execcore_plan *plan;    /* the plan of the running image (lazy faults), NULL for none */
    uint32_t brk_start, brk;
    uint32_t mmap_lo, mmap_hi;
};

extern uint32_t *cur_pgd;       /* read by the TLB refill handler */
extern uint32_t cur_kstack_top; /* read by the general exception handler */
extern uint32_t tlb_refills;    /* incremented by the TLB refill handler */
extern uint32_t free_pages, reserved_pages, total_pages;

void mm_init(uint32_t lo, uint32_t hi, uint32_t rd_lo, uint32_t rd_hi);
void *page_alloc(void);
void page_ref_inc(uint32_t pfn);
void page_deref(uint32_t pfn);
int page_shared(uint32_t pfn);
int mm_create(struct mm *mm);
void mm_destroy(struct mm *mm);
int mm_fork(struct mm *dst, struct mm *src);
uint32_t *pte_get(struct mm *mm, uint32_t va, int create);
uint32_t prot_to_pte(uint32_t prot);
uint32_t pte_make(uint32_t pfn, uint32_t protbits);
/* What a user page access needs; FORCE ignores protection (the kernel's own writes). */
#define ACC_READ 0
#define ACC_WRITE 1
#define ACC_FORCE 2
uint8_t *mm_page(struct mm *mm, uint32_t va, int acc, int *sig);
int mm_fault(struct mm *mm, uint32_t va, int write);
int copy_to_user(struct mm *mm, uint32_t va, const void *src, uint32_t len, int force);
int copy_from_user(struct mm *mm, void *dst, uint32_t va, uint32_t len);
int strncpy_from_user(struct mm *mm, char *dst, uint32_t va, uint32_t cap);
int mm_map_zero(struct mm *mm, uint32_t start, uint32_t len, uint32_t protbits);
int mm_map_file(struct mm *mm, uint32_t start, uint32_t len, int file, uint32_t off,
                uint32_t protbits, uint32_t *copied);
void mm_unmap(struct mm *mm, uint32_t start, uint32_t len);
void mm_protect(struct mm *mm, uint32_t start, uint32_t len, uint32_t protbits);
int mm_range_free(struct mm *mm, uint32_t start, uint32_t len);
uint32_t mm_find_free(struct mm *mm, uint32_t len);
void tlb_flush_all(void);
uint32_t *empty_pgd_for_exit(void);
void tlb_update(uint32_t va, uint32_t asid);
void sync_icache_range(struct mm *mm, uint32_t start, uint32_t len);

/* ---- files ------------------------------------------------------------------------ */
struct rdent {
    const char *name; /* without the leading '/', not NUL-terminated at namelen */
    uint32_t namelen;
    uint32_t mode;
    const uint8_t *data;
    uint32_t size;
};
extern struct rdent rd[];
extern int rd_count;
void rd_init(const uint8_t *base, uint32_t size);
int rd_lookup(const char *path); /* absolute normalised path; -1 if absent */
int rd_is_dir(int i);
int path_resolve(const char *cwd, const char *path, char *out, uint32_t cap);

enum ftype { F_CONSOLE = 1, F_FILE, F_DIR, F_PIPE_R, F_PIPE_W, F_NULL };
struct pipe;
struct file {
    int type, refs, flags, ent;
    uint64_t off;
    struct pipe *pipe;
};
struct file *file_alloc(int type);
void file_put(struct file *f);
struct pipe *pipe_alloc(void);

/* ---- processes -------------------------------------------------------------------- */
enum pstate { P_FREE, P_RUNNABLE, P_RUNNING, P_SLEEPING, P_ZOMBIE };

struct fpu {
    uint64_t f[32];
    uint32_t fcsr;
    uint32_t pad;
};

struct proc {
    int pid, ppid, state, wstatus;
    struct mm mm;
    uint32_t ksp;
    uint8_t *kstack;
    struct trapframe *tf;
    const void *chan;
    struct fpu fpu;
    uint32_t fr;            /* Status.FR for this process */
    uint32_t tls;
    uint32_t clear_child_tid, robust_list;
    struct file *fd[NFD];
    uint32_t cloexec;
    uint32_t sig_handler[65];
    uint32_t sigmask[2];
    char exe[PATH_MAX_K];
    char cwd[PATH_MAX_K];
    uint32_t refill_base, refills, faults, pages_copied, file_pages;
    int user; /* has a user image */
};

extern struct proc procs[NPROC];
extern struct proc *cur;
void sched_sleep(const void *chan);
void sched_wakeup(const void *chan);
void sched_yield_cpu(void);
struct proc *proc_alloc(void);
void proc_exit(struct proc *p, int wstatus);
int do_exec(struct proc *p, const char *path, uint32_t argc, const char *const *argv,
            uint32_t envc, const char *const *envp);
int do_fork(struct trapframe *tf, uint32_t flags, uint32_t newsp, uint32_t tls,
            uint32_t ctid);
int do_wait(int pid, uint32_t *wstatus, int options);
void kill_current(int sig);
extern int load_mode;
extern uint32_t exec_pages_copied, lazy_faults;

/* ---- machine ---------------------------------------------------------------------- */
void uart_putc(int port, char c);
void kputs(const char *s);
void kprintf(const char *fmt, ...);
void console_write(const uint8_t *buf, uint32_t len);
void panic(const char *msg) __attribute__((noreturn));
void machine_reset(void) __attribute__((noreturn));
uint64_t time_ns(void);
uint32_t random32(void);
void timer_arm(void);
extern uint32_t cpu_has_ulri, cpu_ntlb, cpu_dline, cpu_iline;
extern execcore_cpu cpu_desc;

/* start.S */
void swtch(uint32_t *old_ksp, uint32_t new_ksp);
void return_to_user(void);
void fpu_save(struct fpu *f, uint32_t fr);
void fpu_restore(const struct fpu *f, uint32_t fr);
uint32_t read_fcsr(void);
uint32_t read_status(void);
void write_status(uint32_t v);
void cache_flush_page(uint32_t kva, uint32_t line);

/* syscall.c */
void syscall(struct trapframe *tf);

/* lib */
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t kstrlen(const char *s);
void kmemcpy(void *dst, const void *src, uint32_t n);
void zero_page(void *page);
int kstrcmp(const char *a, const char *b);
int kstrncmp(const char *a, const char *b, size_t n);
char *kstrcpy(char *d, const char *s, size_t cap);

#define KSEG0(pa) ((void *)((uint32_t)(pa) | 0x80000000u))
#define PADDR(kva) ((uint32_t)(kva) & 0x1fffffffu)

/* CP0 access */
#define mfc0(reg, sel)                                                                     \
    ({                                                                                     \
        uint32_t v_;                                                                       \
        __asm__ volatile("mfc0 %0, $" #reg ", " #sel : "=r"(v_));                          \
        v_;                                                                                \
    })
#define mtc0(reg, sel, v) __asm__ volatile("mtc0 %0, $" #reg ", " #sel "\n\tehb" ::"r"(v))

#endif
