/*
 * proc.c - processes, the round-robin scheduler, and exec through libexeccore.a.
 */
#include "kernel.h"

struct proc procs[NPROC];
struct proc *cur;
static int next_pid = 1;
static uint8_t kstacks[NPROC][KSTACK_SIZE] __attribute__((aligned(4096)));

/* Plan storage off the stack: one per process (lazy faults consult it for the life of
   the image) plus one being prepared. */
#define NPLAN (NPROC + 2)
static execcore_plan plans[NPLAN];
static uint8_t plan_used[NPLAN];

static execcore_plan *plan_get(void)
{
    for (int i = 0; i < NPLAN; i++) {
        if (!plan_used[i]) {
            plan_used[i] = 1;
            return &plans[i];
        }
    }
    return 0;
}

static void plan_put(execcore_plan *p)
{
    if (p)
        plan_used[p - plans] = 0;
}

struct proc *proc_alloc(void)
{
    if (!cur) { /* first call: slot 0 becomes the kernel's init thread */
        cur = &procs[0];
        cur->state = P_RUNNING;
        kstrcpy(cur->cwd, "/", sizeof cur->cwd);
    }
    for (int i = 1; i < NPROC; i++) {
        struct proc *p = &procs[i];
        if (p->state != P_FREE)
            continue;
        memset(p, 0, sizeof *p);
        p->pid = next_pid++;
        p->ppid = cur->pid;
        p->kstack = kstacks[i];
        p->tf = (struct trapframe *)(p->kstack + KSTACK_SIZE - TF_SIZE);
        memset(p->tf, 0, sizeof *p->tf);
        /* swtch pops s0-s7, fp, ra (48 bytes) and returns to return_to_user with sp at
           the trap frame. */
        uint32_t *ctx = (uint32_t *)((uint8_t *)p->tf - 48);
        memset(ctx, 0, 48);
        ctx[9] = (uint32_t)return_to_user;
        p->ksp = (uint32_t)ctx;
        p->state = P_SLEEPING; /* not runnable until its image is ready */
        kstrcpy(p->cwd, cur->cwd, sizeof p->cwd);
        return p;
    }
    return 0;
}

/* ---- scheduling --------------------------------------------------------------------- */
static void switch_to(struct proc *next)
{
    struct proc *old = cur;
    if (old->user && old->state != P_ZOMBIE)
        fpu_save(&old->fpu, old->fr);
    old->refills += tlb_refills - old->refill_base;
    cur = next;
    next->state = P_RUNNING;
    next->refill_base = tlb_refills;
    cur_pgd = next->mm.pgd ? next->mm.pgd : empty_pgd_for_exit();
    cur_kstack_top = (uint32_t)next->kstack + KSTACK_SIZE;
    tlb_flush_all();
    if (next->user) {
        uint32_t st = read_status() & ~ST_FR;
        write_status(st | ST_CU1 | (next->fr ? ST_FR : 0));
        fpu_restore(&next->fpu, next->fr);
        if (cpu_has_ulri)
            mtc0(4, 2, next->tls);
    }
    swtch(&old->ksp, next->ksp);
}

/* Gives the CPU to the next runnable process, round robin; returns when this one runs
   again. */
static void schedule(void)
{
    int start = (int)(cur - procs);
    for (int k = 1; k <= NPROC; k++) {
        struct proc *p = &procs[(start + k) % NPROC];
        if (p->state == P_RUNNABLE) {
            if (cur->state == P_RUNNING)
                cur->state = P_RUNNABLE;
            if (p == cur) {
                p->state = P_RUNNING;
                return;
            }
            switch_to(p);
            return;
        }
    }
    if (cur->state == P_RUNNING)
        return;
    panic("no runnable process (deadlock)");
}

void sched_sleep(const void *chan)
{
    cur->chan = chan;
    cur->state = P_SLEEPING;
    schedule();
    cur->chan = 0;
}

void sched_wakeup(const void *chan)
{
    for (int i = 0; i < NPROC; i++) {
        if (procs[i].state == P_SLEEPING && procs[i].chan == chan)
            procs[i].state = P_RUNNABLE;
    }
}

void sched_yield_cpu(void)
{
    schedule();
}

/* ---- exit and wait ------------------------------------------------------------------ */
void proc_exit(struct proc *p, int wstatus)
{
    for (int i = 0; i < NFD; i++) {
        if (p->fd[i]) {
            file_put(p->fd[i]);
            p->fd[i] = 0;
        }
    }
    if (p->clear_child_tid) {
        uint32_t zero = 0;
        copy_to_user(&p->mm, p->clear_child_tid, &zero, 4, 0);
    }
    p->refills += tlb_refills - p->refill_base;
    p->refill_base = tlb_refills;
    kprintf("kmips: pid %d (%s) exit status %x: tlb refills %u, faults %u, file pages %u, pages "
            "copied %u\n",
            p->pid, p->exe, wstatus, p->refills, p->faults, p->file_pages, p->pages_copied);
    if (cur_pgd == p->mm.pgd)
        cur_pgd = empty_pgd_for_exit();
    mm_destroy(&p->mm);
    plan_put(p->mm.plan);
    p->mm.plan = 0;
    p->user = 0;
    p->wstatus = wstatus;
    /* Orphans go to init (slot 0). */
    for (int i = 1; i < NPROC; i++) {
        if (procs[i].state != P_FREE && procs[i].ppid == p->pid)
            procs[i].ppid = 0;
    }
    p->state = P_ZOMBIE;
    for (int i = 0; i < NPROC; i++) {
        if (procs[i].state != P_FREE && procs[i].pid == p->ppid)
            sched_wakeup(&procs[i]);
    }
}

void kill_current(int sig)
{
    proc_exit(cur, sig & 0x7f);
    schedule();
    panic("a zombie ran");
}

/* wait4: the pid reaped (its status in *wstatus), 0 with WNOHANG and none ready,
   -ECHILD. */
int do_wait(int pid, uint32_t *wstatus, int options)
{
    for (;;) {
        int have = 0;
        for (int i = 1; i < NPROC; i++) {
            struct proc *p = &procs[i];
            if (p->state == P_FREE || p->ppid != cur->pid || (pid > 0 && p->pid != pid))
                continue;
            have = 1;
            if (p->state == P_ZOMBIE) {
                *wstatus = (uint32_t)p->wstatus;
                int r = p->pid;
                p->state = P_FREE;
                return r;
            }
        }
        if (!have)
            return -ECHILD;
        if (options & 1)
            return 0;
        sched_sleep(cur);
    }
}

/* ---- fork --------------------------------------------------------------------------- */
int do_fork(struct trapframe *tf, uint32_t flags, uint32_t newsp, uint32_t tls, uint32_t ctid)
{
    struct proc *p = proc_alloc();
    if (!p)
        return -EAGAIN;
    p->mm.plan = 0;
    if (mm_fork(&p->mm, &cur->mm)) {
        p->state = P_FREE;
        return -ENOMEM;
    }
    if (cur->mm.plan) {
        p->mm.plan = plan_get();
        if (!p->mm.plan) {
            mm_destroy(&p->mm);
            p->state = P_FREE;
            return -EAGAIN;
        }
        kmemcpy(p->mm.plan, cur->mm.plan, sizeof(execcore_plan));
    }
    *p->tf = *tf;
    p->tf->r[2] = 0; /* child: v0 = 0, a3 = 0 */
    p->tf->r[7] = 0;
    if (newsp)
        p->tf->r[29] = newsp;
    fpu_save(&cur->fpu, cur->fr);
    p->fpu = cur->fpu;
    p->fr = cur->fr;
    p->tls = (flags & 0x80000) ? tls : cur->tls; /* CLONE_SETTLS */
    p->file_pages = cur->file_pages;
    p->user = 1;
    for (int i = 0; i < NFD; i++) {
        p->fd[i] = cur->fd[i];
        if (p->fd[i])
            p->fd[i]->refs++;
    }
    p->cloexec = cur->cloexec;
    memcpy(p->sig_handler, cur->sig_handler, sizeof p->sig_handler);
    memcpy(p->sigmask, cur->sigmask, sizeof p->sigmask);
    kstrcpy(p->exe, cur->exe, sizeof p->exe);
    kstrcpy(p->cwd, cur->cwd, sizeof p->cwd);
    uint32_t pid = (uint32_t)p->pid;
    if (flags & 0x01000000) /* CLONE_CHILD_SETTID */
        copy_to_user(&p->mm, ctid, &pid, 4, 0);
    if (flags & 0x00200000) /* CLONE_CHILD_CLEARTID */
        p->clear_child_tid = ctid;
    p->state = P_RUNNABLE;
    return p->pid;
}

/* ---- exec --------------------------------------------------------------------------- */
/* What the callbacks build into: the fresh address space of one exec. */
struct exec_ctx {
    struct mm *mm;
    int mode;
    uint32_t pages_copied;
};

static int file_of(uint64_t h)
{
    return (h >= 1 && h <= (uint64_t)rd_count) ? (int)h - 1 : -1;
}

static execcore_errno cb_read_at(void *c, uint64_t file, uint64_t off, uint8_t *buf, size_t len,
                                 size_t *out)
{
    (void)c;
    int f = file_of(file);
    if (f < 0)
        return EIO;
    uint32_t n = 0;
    if (off < rd[f].size) {
        n = rd[f].size - (uint32_t)off;
        if (n > len)
            n = len;
        kmemcpy(buf, rd[f].data + (uint32_t)off, n);
    }
    *out = n;
    return 0;
}

static execcore_errno cb_open_interp(void *c, const uint8_t *path, size_t len, uint64_t *out,
                                     execcore_file_id *id)
{
    (void)c;
    char p[PATH_MAX_K], norm[PATH_MAX_K];
    if (len >= sizeof p)
        return ENAMETOOLONG;
    memcpy(p, path, len);
    p[len] = 0;
    if (path_resolve("/", p, norm, sizeof norm))
        return ENAMETOOLONG;
    int f = rd_lookup(norm);
    if (f < 0)
        return ENOENT;
    /* As Linux's open_exec: a regular, executable file. */
    if (rd_is_dir(f) || (rd[f].mode & 0170000) != 0100000 || !(rd[f].mode & 0111))
        return EACCES;
    *out = (uint64_t)f + 1;
    id->device = 1;
    id->inode = (uint64_t)f + 1;
    id->generation = 0;
    return 0;
}

static execcore_errno cb_file_size(void *c, uint64_t file, uint64_t *out)
{
    (void)c;
    int f = file_of(file);
    if (f < 0)
        return EIO;
    *out = rd[f].size;
    return 0;
}

static execcore_errno cb_random(void *c, uint8_t *buf, size_t len)
{
    (void)c;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)random32();
    return 0;
}

/* The memory reservation (EXECCORE_EXEC_BATCH): the image must fit in the pages that
   are free and not promised to another exec, with a margin for page tables. */
static execcore_errno cb_reserve_memory(void *c, uint64_t bytes)
{
    (void)c;
    uint64_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    uint64_t need = pages + pages / 1024 + 8;
    if (need + reserved_pages > free_pages) {
        kprintf("kmips: reservation of %u pages refused (%u free, %u reserved)\n",
                (uint32_t)pages, free_pages, reserved_pages);
        return ENOMEM;
    }
    reserved_pages += (uint32_t)pages;
    return 0;
}

static void cb_release_memory(void *c, uint64_t bytes)
{
    (void)c;
    uint32_t pages = (uint32_t)((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
    reserved_pages = pages > reserved_pages ? 0 : reserved_pages - pages;
}

static void cb_log(void *c, uint32_t level, const uint8_t *msg, size_t len)
{
    (void)c;
    kputs(level ? "kmips: execcore: " : "kmips: execcore warning: ");
    for (size_t i = 0; i < len; i++)
        uart_putc(2, (char)msg[i]);
    kputs("\n");
}

static int range32(uint64_t start, uint64_t len)
{
    return start < USER_TOP && len <= USER_TOP - start;
}

static execcore_errno cb_reserve(void *c, uint64_t start, uint64_t len)
{
    struct exec_ctx *x = c;
    if (!range32(start, len))
        return ENOMEM;
    if (!mm_range_free(x->mm, (uint32_t)start, (uint32_t)len))
        return EEXIST;
    return mm_map_zero(x->mm, (uint32_t)start, (uint32_t)len, 0) ? ENOMEM : 0;
}

static execcore_errno cb_map_anonymous(void *c, uint64_t start, uint64_t len, uint32_t prot)
{
    struct exec_ctx *x = c;
    if (!range32(start, len) || mm_map_zero(x->mm, (uint32_t)start, (uint32_t)len, prot_to_pte(prot)))
        return ENOMEM;
    /* Zero-filled on first touch in every mode (the stack mapping spans the whole stack
       limit); the memory reservation already counted these pages. */
    return 0;
}

static execcore_errno cb_map_file(void *c, uint64_t start, uint64_t len, uint64_t file,
                                  uint64_t off, uint32_t prot)
{
    struct exec_ctx *x = c;
    int f = file_of(file);
    if (f < 0 || !range32(start, len) || off > 0xffffffffu)
        return EINVAL;
    return mm_map_file(x->mm, (uint32_t)start, (uint32_t)len, f, (uint32_t)off, prot_to_pte(prot),
                       &x->pages_copied)
               ? ENOMEM
               : 0;
}

static execcore_errno cb_map_lazy(void *c, uint64_t start, uint64_t len, uint32_t prot)
{
    struct exec_ctx *x = c;
    if (!range32(start, len))
        return ENOMEM;
    uint32_t s = (uint32_t)start;
    for (uint32_t va = s; va - s < (uint32_t)len; va += PAGE_SIZE) {
        uint32_t *pte = pte_get(x->mm, va, 1);
        if (!pte)
            return ENOMEM;
        if (*pte & PTE_PRESENT)
            page_deref(PTE_PFN(*pte));
        *pte = PTE_LAZY | prot_to_pte(prot);
    }
    return 0;
}

static uint32_t pages_spanned(uint64_t addr, uint64_t len)
{
    return (uint32_t)(((addr + len + PAGE_SIZE - 1) >> 12) - (addr >> 12));
}

static execcore_errno cb_write(void *c, uint64_t addr, const uint8_t *src, size_t len)
{
    struct exec_ctx *x = c;
    if (!range32(addr, len))
        return EFAULT;
    return copy_to_user(x->mm, (uint32_t)addr, src, len, 1) ? EFAULT : 0;
}

static execcore_errno cb_read_into(void *c, uint64_t file, uint64_t off, uint64_t addr,
                                   uint64_t len)
{
    struct exec_ctx *x = c;
    int f = file_of(file);
    if (f < 0 || off > rd[f].size || len > rd[f].size - off)
        return EIO;
    if (!range32(addr, len))
        return EFAULT;
    x->pages_copied += pages_spanned(addr, len);
    return copy_to_user(x->mm, (uint32_t)addr, rd[f].data + (uint32_t)off, (uint32_t)len, 1)
               ? EFAULT
               : 0;
}

static execcore_errno cb_protect(void *c, uint64_t start, uint64_t len, uint32_t prot)
{
    struct exec_ctx *x = c;
    if (!range32(start, len))
        return EINVAL;
    mm_protect(x->mm, (uint32_t)start, (uint32_t)len, prot_to_pte(prot));
    return 0;
}

static execcore_errno cb_unmap(void *c, uint64_t start, uint64_t len)
{
    struct exec_ctx *x = c;
    if (!range32(start, len))
        return EINVAL;
    mm_unmap(x->mm, (uint32_t)start, (uint32_t)len);
    return 0;
}

static execcore_errno cb_sync_icache(void *c, uint64_t start, uint64_t len)
{
    struct exec_ctx *x = c;
    if (range32(start, len))
        sync_icache_range(x->mm, (uint32_t)start, (uint32_t)len);
    return 0;
}

/* Copies the argument strings here before prepare: they must stay valid until
   execcore_build_stack, and the old image (where they live) is gone by then. */
#define ARGBUF 65536
#define MAXARGS 1024
static char argbuf[ARGBUF];
static const uint8_t *argvp[MAXARGS], *envpp[MAXARGS];

int do_exec(struct proc *p, const char *path, uint32_t argc, const char *const *argv,
            uint32_t envc, const char *const *envp)
{
    char norm[PATH_MAX_K];
    int err;
    if (!kstrcmp(path, "/proc/self/exe"))
        kstrcpy(norm, p->exe, sizeof norm);
    else if ((err = path_resolve(p->cwd, path, norm, sizeof norm)))
        return -err;
    int f = rd_lookup(norm);
    if (f == -1)
        return ENOENT;
    if (rd_is_dir(f) || (rd[f].mode & 0170000) != 0100000 || !(rd[f].mode & 0111))
        return EACCES;
    if (argc > MAXARGS || envc > MAXARGS)
        return E2BIG;
    /* Arguments into kernel memory (they may point into argbuf already: copy in order). */
    static char stage[ARGBUF];
    uint32_t used = 0;
    for (uint32_t i = 0; i < argc + envc; i++) {
        const char *s = i < argc ? argv[i] : envp[i - argc];
        uint32_t n = kstrlen(s) + 1;
        if (n > ARGBUF - used)
            return E2BIG;
        memcpy(stage + used, s, n);
        used += n;
    }
    memcpy(argbuf, stage, used);
    used = 0;
    for (uint32_t i = 0; i < argc + envc; i++) {
        const uint8_t *s = (const uint8_t *)argbuf + used;
        if (i < argc)
            argvp[i] = s;
        else
            envpp[i - argc] = s;
        used += kstrlen((const char *)s) + 1;
    }
    execcore_exec_params params;
    memset(&params, 0, sizeof params);
    params.argv = argvp;
    params.argc = argc;
    params.envp = envpp;
    params.envc = envc;
    params.execfn = (const uint8_t *)path;
    params.execfn_len = kstrlen(path);
    params.file = (uint64_t)f + 1;
    params.stack_rlimit = 8u << 20;
    params.flags = EXECCORE_EXEC_BATCH; /* reserve memory before the point of no return */
    params.clock_ticks = 100;
    static char execfn[PATH_MAX_K];
    kstrcpy(execfn, path, sizeof execfn);
    params.execfn = (const uint8_t *)execfn;

    struct mm nmm;
    struct exec_ctx x = {.mm = &nmm, .mode = load_mode, .pages_copied = 0};
    execcore_ops ops;
    memset(&ops, 0, sizeof ops);
    ops.ctx = &x;
    ops.read_at = cb_read_at;
    ops.open_interpreter = cb_open_interp;
    ops.random = cb_random;
    ops.reserve_memory = cb_reserve_memory;
    ops.release_memory = cb_release_memory;
    ops.log = cb_log;
    ops.reserve = cb_reserve;
    ops.map_anonymous = cb_map_anonymous;
    ops.map_file = load_mode == EXECCORE_LOAD_MAPPED ? cb_map_file : 0;
    ops.map_lazy = cb_map_lazy;
    ops.write = cb_write;
    ops.read_into = cb_read_into;
    ops.protect = cb_protect;
    ops.unmap = cb_unmap;
    ops.sync_icache = cb_sync_icache;
    ops.file_size = cb_file_size;

    /* #! scripts, as Linux's binfmt_script: the library reads the lines and opens the
       interpreters; the argv it returns points into `script` and our own strings. */
    static execcore_script script;
    static const uint8_t *sargv[MAXARGS + EXECCORE_SCRIPT_EXTRA_ARGS];
    size_t sargc = 0;
    execcore_error e;
    execcore_status st =
        execcore_follow_scripts(&cpu_desc, &params, &ops, &script, sargv,
                                sizeof sargv / sizeof sargv[0], &sargc, &e);
    if (st != EXECCORE_OK) {
        kprintf("kmips: exec %s: %s (errno %d)\n", norm, execcore_status_str(st), e.errno_value);
        return e.errno_value ? e.errno_value : ENOEXEC;
    }
    if (script.depth) {
        params.file = script.file;
        params.argv = sargv;
        params.argc = sargc;
    }

    execcore_plan *plan = plan_get();
    if (!plan)
        return EAGAIN;
    st = execcore_prepare(&cpu_desc, &params, &ops, plan, &e);
    if (st != EXECCORE_OK) {
        kprintf("kmips: exec %s: %s (status %d, errno %d)\n", norm, execcore_status_str(st), st,
                e.errno_value);
        plan_put(plan);
        return e.errno_value ? e.errno_value : ENOEXEC;
    }
    /* The new address space is built while the old one still exists: a failure below
       returns to the caller's image like any failed execve. */
    if (mm_create(&nmm)) {
        execcore_plan_discard(plan, &ops);
        plan_put(plan);
        return ENOMEM;
    }
    execcore_load_report rep;
    execcore_entry_state entry;
    st = execcore_load(plan, &ops, (uint32_t)load_mode, &rep, &e);
    if (st == EXECCORE_OK)
        st = execcore_build_stack(plan, &params, &ops, &entry, &e);
    if (st != EXECCORE_OK) {
        kprintf("kmips: exec %s: load: %s (errno %d)\n", norm, execcore_status_str(st),
                e.errno_value);
        mm_destroy(&nmm);
        execcore_plan_discard(plan, &ops);
        plan_put(plan);
        return e.errno_value ? e.errno_value : ENOMEM;
    }
    /* Pages of the images that hold file bytes (for the lazy-mode numbers). */
    static execcore_mapping maps[64];
    size_t nmaps = 0;
    uint32_t file_pages = 0;
    if (execcore_plan_mappings(plan, maps, 64, &nmaps) == EXECCORE_OK) {
        for (size_t i = 0; i < nmaps; i++) {
            if (maps[i].kind != EXECCORE_MAPPING_ZERO)
                file_pages += (uint32_t)((maps[i].end - maps[i].start) / PAGE_SIZE);
        }
    }
    execcore_memory mem;
    execcore_layout lay;
    execcore_plan_memory(plan, &mem);
    execcore_plan_layout(plan, &lay);
    /* The pages are allocated now: the reservation has done its job. */
    cb_release_memory(0, mem.reserved_bytes);

    /* Commit: the old image goes, the new one is the process's. */
    if (cur_pgd == p->mm.pgd)
        cur_pgd = nmm.pgd;
    mm_destroy(&p->mm);
    plan_put(p->mm.plan);
    nmm.plan = plan;
    nmm.brk_start = nmm.brk = (uint32_t)lay.brk;
    nmm.mmap_lo = (uint32_t)lay.mmap_start < 0x10000 ? 0x10000 : (uint32_t)lay.mmap_start;
    nmm.mmap_hi = (uint32_t)lay.mmap_end;
    p->mm = nmm;
    if (p == cur)
        tlb_flush_all();
    /* /proc/self/exe names what runs: a script's (last) interpreter, as in Linux. */
    if (script.depth)
        path_resolve("/", (const char *)sargv[0], p->exe, sizeof p->exe);
    else
        kstrcpy(p->exe, norm, sizeof p->exe);
    p->pages_copied = x.pages_copied;
    p->file_pages = file_pages;
    p->faults = 0;
    p->refills = 0;
    p->refill_base = tlb_refills;
    for (int i = 0; i < NFD; i++) {
        if ((p->cloexec >> i) & 1 && p->fd[i]) {
            file_put(p->fd[i]);
            p->fd[i] = 0;
        }
    }
    p->cloexec = 0;
    /* Caught signals back to default; ignored ones stay ignored (SIG_IGN = 1). */
    for (int i = 0; i < 65; i++) {
        if (p->sig_handler[i] > 1)
            p->sig_handler[i] = 0;
    }
    p->tls = 0;
    p->clear_child_tid = 0;
    p->robust_list = 0;
    /* FPU: the mode the plan chose, registers cleared, FCSR as planned. */
    memset(&p->fpu, 0, sizeof p->fpu);
    p->fpu.fcsr = entry.mips_fcsr;
    p->fr = entry.fp_mode != EXECCORE_MIPS_FR0;
    if (entry.fp_mode == EXECCORE_MIPS_FRE)
        kprintf("kmips: %s wants FRE; running FR=1 without FRE emulation\n", norm);
    p->user = 1;
    struct trapframe *tf = p->tf;
    memset(tf, 0, sizeof *tf);
    tf->epc = (uint32_t)entry.pc;
    tf->r[29] = (uint32_t)entry.sp;
    for (uint32_t i = 0; i < entry.nregs && i < 4; i++) {
        if (entry.reg_index[i] > 0 && entry.reg_index[i] < 32)
            tf->r[entry.reg_index[i]] = (uint32_t)entry.reg_value[i];
    }
    /* User mode with the timer interrupt on: preemption. */
    tf->status = ST_CU1 | (p->fr ? ST_FR : 0) | ST_IM7 | ST_UM | ST_EXL | ST_IE;
    if (p == cur) {
        write_status((read_status() & ~ST_FR) | ST_CU1 | (p->fr ? ST_FR : 0));
        fpu_restore(&p->fpu, p->fr);
        if (cpu_has_ulri)
            mtc0(4, 2, 0);
    }
    kprintf("kmips: pid %d exec %s: entry %x sp %x stack top %x FR=%u fcsr %x flags %x, %u "
            "mappings, %u file pages, %u pages copied\n",
            p->pid, norm, (uint32_t)entry.pc, (uint32_t)entry.sp, (uint32_t)lay.stack_top, p->fr,
            entry.mips_fcsr, entry.arch_flags, (uint32_t)rep.mappings, file_pages,
            x.pages_copied);
    exec_pages_copied += x.pages_copied;
    return 0;
}

uint32_t exec_pages_copied;
