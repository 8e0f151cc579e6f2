/*
 * main.c - boot, console, CPU description, trap dispatch (including the emulation of
 * rdhwr $29 with branch emulation in delay slots) and the test init.
 */
#include <stdarg.h>
#include "kernel.h"

/* ---- UARTs: COM1 carries the programs' output, COM2 the kernel log ---------------- */
#define COM1 0xb80003f8u
#define COM2 0xb80002f8u

void uart_putc(int port, char c)
{
    volatile uint8_t *u = (volatile uint8_t *)(port == 1 ? COM1 : COM2);
    while (!(u[5] & 0x20))
        ;
    u[0] = (uint8_t)c;
}

void console_write(const uint8_t *buf, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        uart_putc(1, (char)buf[i]);
}

void kputs(const char *s)
{
    while (*s)
        uart_putc(2, *s++);
}

static void put_u32(uint32_t v, unsigned base, int width, char pad)
{
    char buf[12];
    int n = 0;
    do {
        unsigned d = v % base;
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    while (n < width)
        buf[n++] = pad;
    while (n)
        uart_putc(2, buf[--n]);
}

/* %s %c %d %u %x %08x %llx %p: enough for a log. */
void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            uart_putc(2, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, ll = 0;
        if (*fmt == '0')
            pad = '0', fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l')
            ll++, fmt++;
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            kputs(s ? s : "(null)");
            break;
        }
        case 'c':
            uart_putc(2, (char)va_arg(ap, int));
            break;
        case 'd': {
            int v = va_arg(ap, int);
            if (v < 0) {
                uart_putc(2, '-');
                v = -v;
            }
            put_u32((uint32_t)v, 10, width, pad);
            break;
        }
        case 'u':
            put_u32(va_arg(ap, uint32_t), 10, width, pad);
            break;
        case 'p':
        case 'x':
            if (ll >= 2) {
                uint64_t v = va_arg(ap, uint64_t);
                if (v >> 32) {
                    put_u32((uint32_t)(v >> 32), 16, 0, '0');
                    put_u32((uint32_t)v, 16, 8, '0');
                } else {
                    put_u32((uint32_t)v, 16, width, pad);
                }
            } else {
                put_u32(va_arg(ap, uint32_t), 16, width, pad);
            }
            break;
        default:
            uart_putc(2, *fmt);
        }
    }
    va_end(ap);
}

void machine_reset(void)
{
    /* Malta's board reset register; qemu runs with -no-reboot, so this ends the run. */
    *(volatile uint32_t *)0xbf000500u = 0x42;
    for (;;)
        ;
}

void panic(const char *msg)
{
    kprintf("kmips: panic: %s\n", msg);
    kputs("\x1ekmips:panic\n");
    const char *m = "\x1ekmips:panic\n";
    console_write((const uint8_t *)m, kstrlen(m));
    machine_reset();
}

void kernel_fault(uint32_t cause, uint32_t epc, uint32_t badva, uint32_t ra)
{
    kprintf("kmips: kernel exception cause %x epc %x badvaddr %x ra %x\n", cause, epc, badva,
            ra);
    panic("kernel exception");
}

void execcore_panic(const uint8_t *msg, size_t len)
{
    for (size_t i = 0; i < len; i++)
        uart_putc(2, (char)msg[i]);
    panic("execcore_panic");
}

/* ---- small string library (memcpy and friends come from libexeccore.a) ------------- */
size_t kstrlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int kstrcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int kstrncmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i] || !a[i])
            return (unsigned char)a[i] - (unsigned char)b[i];
    }
    return 0;
}

/* Word-wise copy when both sides share their alignment (pages, file data at page
   offsets): the library's memcpy goes byte by byte, which is slow under TCG. */
void kmemcpy(void *dst, const void *src, uint32_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if ((((uint32_t)d ^ (uint32_t)s) & 3) == 0) {
        while (n && ((uint32_t)d & 3)) {
            *d++ = *s++;
            n--;
        }
        uint32_t *dw = (uint32_t *)d;
        const uint32_t *sw = (const uint32_t *)s;
        for (; n >= 32; n -= 32, dw += 8, sw += 8) {
            uint32_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
            uint32_t f = sw[4], g = sw[5], h = sw[6], i = sw[7];
            dw[0] = a, dw[1] = b, dw[2] = c, dw[3] = e;
            dw[4] = f, dw[5] = g, dw[6] = h, dw[7] = i;
        }
        for (; n >= 4; n -= 4)
            *dw++ = *sw++;
        d = (uint8_t *)dw;
        s = (const uint8_t *)sw;
    }
    while (n--)
        *d++ = *s++;
}

void zero_page(void *page)
{
    uint32_t *w = page;
    for (uint32_t i = 0; i < PAGE_SIZE / 4; i += 8) {
        w[i] = w[i + 1] = w[i + 2] = w[i + 3] = 0;
        w[i + 4] = w[i + 5] = w[i + 6] = w[i + 7] = 0;
    }
}

char *kstrcpy(char *d, const char *s, size_t cap)
{
    size_t i = 0;
    for (; i + 1 < cap && s[i]; i++)
        d[i] = s[i];
    if (cap)
        d[i] = 0;
    return d;
}

/* ---- time and randomness ---------------------------------------------------------- */
static uint64_t count_acc;
static uint32_t count_last;

/* CP0 Count runs at half the CPU clock; qemu's malta CPU runs at 200 MHz. */
uint64_t time_ns(void)
{
    uint32_t c = mfc0(9, 0);
    count_acc += (uint32_t)(c - count_last);
    count_last = c;
    return count_acc * 10;
}

static uint32_t rng_state = 0x2545f491u;
uint32_t random32(void)
{
    uint32_t x = rng_state ^ mfc0(9, 0);
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

/* ---- CPU description from PRId and the Config registers ---------------------------- */
execcore_cpu cpu_desc;
uint32_t cpu_has_ulri, cpu_ntlb, cpu_dline, cpu_iline;
static const char *cpu_name = "?";

static void cpu_init(void)
{
    uint32_t prid = mfc0(15, 0);
    uint32_t c1 = mfc0(16, 1);
    uint32_t c3 = (mfc0(16, 0) >> 31) && ((c1 >> 31) & 1) ? mfc0(16, 3) : 0;
    uint32_t fir = 0;
    cpu_ntlb = ((c1 >> 25) & 0x3f) + 1;
    cpu_dline = ((c1 >> 10) & 7) ? 2u << ((c1 >> 10) & 7) : 0;
    cpu_iline = ((c1 >> 19) & 7) ? 2u << ((c1 >> 19) & 7) : 0;
    cpu_has_ulri = (c3 >> 13) & 1;
    if (c1 & 1) { /* FPU present */
        write_status(read_status() | ST_CU1);
        __asm__ volatile(".set push\n.set hardfloat\ncfc1 %0, $0\n.set pop" : "=r"(fir));
    }
    /* The data cache's way size above a page means aliasing (Linux's shm_align_mask). */
    uint32_t dsets = 64u << ((c1 >> 13) & 7), dways = ((c1 >> 7) & 7) + 1;
    uint32_t dway = cpu_dline ? dsets * cpu_dline : 0;
    (void)dways;
    memset(&cpu_desc, 0, sizeof cpu_desc);
    cpu_desc.arch = EXECCORE_ARCH_MIPS;
    cpu_desc.os = EXECCORE_OS_LINUX;
    cpu_desc.page_size = PAGE_SIZE;
    /* Linux does not check EF_MIPS_ARCH against the CPU (a P5600 runs the o32 r6 probe). */
    cpu_desc.flags = EXECCORE_CPU_MIPS_NO_ISA_CHECK;
#ifdef __MIPSEB__
    cpu_desc.flags |= EXECCORE_CPU_BIG_ENDIAN;
#endif
    cpu_desc.mips_dcache_alias = dway > PAGE_SIZE ? dway : 0;
    /* HWCAP as Linux reports it: MIPS16 (Config1.CA), DSP, DSP2 (Config3), MSA. */
    uint64_t hwcap = 0;
    if (c1 & 4)
        hwcap |= 0x8;
    if (c3 & (1u << 10))
        hwcap |= 0x80;
    if (c3 & (1u << 11))
        hwcap |= 0x100;
    if (c3 & (1u << 28))
        hwcap |= 0x2;
    cpu_desc.hwcap = hwcap;
    uint32_t company = (prid >> 16) & 0xff, imp = (prid >> 8) & 0xff;
    if (company == 1 && (imp == 0x93 || imp == 0x95 || imp == 0x97)) {
        /* 24K, 34K, 74K: MIPS32r2 with a legacy-NaN FPU that runs FR=0 and FR=1. */
        cpu_name = imp == 0x93 ? "24K" : imp == 0x95 ? "34K" : "74K";
        cpu_desc.mips_model = EXECCORE_MIPS_CPU_MIPS32R2;
    } else {
        /* Anything else (P5600...): described field by field from the registers. */
        cpu_name = (company == 1 && imp == 0xa8) ? "P5600" : "custom";
        cpu_desc.mips_model = EXECCORE_MIPS_CPU_CUSTOM;
        uint32_t ar = (mfc0(16, 0) >> 10) & 7;
        cpu_desc.mips_isa_level = 32;
        cpu_desc.mips_isa_rev = ar == 2 ? 6 : (ar == 1 ? 5 : 1);
        if (c1 & 1) {
            cpu_desc.flags |= EXECCORE_CPU_MIPS_FR0;
            if (fir & (1u << 22))
                cpu_desc.flags |= EXECCORE_CPU_MIPS_FR1;
            /* FIR.Has2008 without a writable NAN2008 bit: a 2008-only FPU (P5600). */
            cpu_desc.flags |= (fir & (1u << 23)) ? EXECCORE_CPU_MIPS_NAN2008
                                                 : EXECCORE_CPU_MIPS_NAN_LEGACY;
        }
        if (c3 & (1u << 12))
            cpu_desc.flags |= EXECCORE_CPU_MIPS_RIXI;
    }
    kprintf("kmips: cpu PRId %x (%s) Config1 %x Config3 %x FIR %x tlb %u dline %u alias %u ulri "
            "%u\n",
            prid, cpu_name, c1, c3, fir, cpu_ntlb, cpu_dline, (uint32_t)cpu_desc.mips_dcache_alias,
            cpu_has_ulri);
    /* rdhwr: CPUNum, SYNCI_Step, CC, CCRes, and UserLocal where the CPU has it. */
    mtc0(7, 0, 0xfu | (cpu_has_ulri ? (1u << 29) : 0));
}

/* ---- traps ------------------------------------------------------------------------- */
static int is_rdhwr_tp(uint32_t insn)
{
    return (insn & 0xffe0ffffu) == 0x7c00e83bu;
}

/* Where the branch at tf->epc goes (the rdhwr being emulated sits in its delay slot);
   links as the branch would. -1 for an instruction that is not a branch. */
static int branch_target(struct trapframe *tf, uint32_t insn, uint32_t *target)
{
    uint32_t epc = tf->epc, op = insn >> 26, rs = (insn >> 21) & 31, rt = (insn >> 16) & 31;
    int32_t off = (int16_t)(insn & 0xffff) * 4;
    uint32_t taken = epc + 4 + (uint32_t)off, next = epc + 8;
    int32_t vs = (int32_t)tf->r[rs];
    int cond;
    switch (op) {
    case 0: /* SPECIAL */
        if ((insn & 0x3f) == 8) { /* jr */
            *target = tf->r[rs];
            return 0;
        }
        if ((insn & 0x3f) == 9) { /* jalr */
            uint32_t rd = (insn >> 11) & 31;
            *target = tf->r[rs];
            if (rd)
                tf->r[rd] = next;
            return 0;
        }
        return -1;
    case 1: /* REGIMM */
        switch (rt) {
        case 0: case 2: cond = vs < 0; break;                           /* bltz(l) */
        case 1: case 3: cond = vs >= 0; break;                          /* bgez(l) */
        case 16: case 18: cond = vs < 0; tf->r[31] = next; break;       /* bltzal(l) */
        case 17: case 19: cond = vs >= 0; tf->r[31] = next; break;      /* bgezal(l) */
        default: return -1;
        }
        break;
    case 2: /* j */
    case 3: /* jal */
        if (op == 3)
            tf->r[31] = next;
        *target = ((epc + 4) & 0xf0000000u) | ((insn & 0x03ffffffu) << 2);
        return 0;
    case 4: case 20: cond = tf->r[rs] == tf->r[rt]; break;  /* beq(l) */
    case 5: case 21: cond = tf->r[rs] != tf->r[rt]; break;  /* bne(l) */
    case 6: case 22: cond = vs <= 0; break;                 /* blez(l) */
    case 7: case 23: cond = vs > 0; break;                  /* bgtz(l) */
    case 17: /* COP1: bc1f/bc1t(l) on condition code cc */
        if (rs == 8) {
            uint32_t cc = (insn >> 18) & 7, fcsr = read_fcsr();
            uint32_t bit = cc ? (1u << (24 + cc)) : (1u << 23);
            cond = ((fcsr & bit) != 0) == ((insn >> 16) & 1);
            break;
        }
        return -1;
    default:
        return -1;
    }
    *target = cond ? taken : next;
    return 0;
}

static uint32_t rdhwr_emulated, rdhwr_in_delay_slot;

static int emulate_ri(struct trapframe *tf)
{
    uint32_t pc = tf->epc + ((tf->cause & CAUSE_BD) ? 4 : 0), insn, br = 0;
    if (copy_from_user(&cur->mm, &insn, pc, 4))
        return SIGSEGV;
    if (!is_rdhwr_tp(insn))
        return SIGILL;
    if (tf->cause & CAUSE_BD) {
        uint32_t target;
        if (copy_from_user(&cur->mm, &br, tf->epc, 4) || branch_target(tf, br, &target))
            return SIGILL;
        tf->epc = target;
        rdhwr_in_delay_slot++;
    } else {
        tf->epc += 4;
    }
    tf->r[(insn >> 16) & 31] = cur->tls;
    tf->r[0] = 0;
    rdhwr_emulated++;
    return 0;
}

/* The timer: CP0 Compare raises IP7 every TICK counts (10 ms at qemu's 100 MHz Count). */
#define TICK 1000000u
static uint32_t timer_ticks;
void timer_arm(void)
{
    /* Count follows the host's clock under qemu: if it passed the new Compare before the
       write landed (the host preempted us), no interrupt would come for a whole Count
       period (43 s). Write again until Compare is ahead. */
    uint32_t next;
    do {
        next = mfc0(9, 0) + TICK;
        mtc0(11, 0, next);
    } while ((int32_t)(next - mfc0(9, 0)) <= 0);
}

void trap(struct trapframe *tf)
{
    uint32_t code = (tf->cause >> 2) & 31;
    int sig = 0;
    switch (code) {
    case 0: /* interrupt: only the timer is enabled; round robin among the runnable */
        timer_ticks++;
        timer_arm();
        sched_yield_cpu();
        return;
    case 1: /* TLB modified */
        sig = mm_fault(&cur->mm, tf->badvaddr, 1);
        break;
    case 2: /* TLB load / fetch */
    case 3: /* TLB store */
        sig = mm_fault(&cur->mm, tf->badvaddr, code == 3);
        break;
    case 4:
    case 5: /* address error */
        sig = tf->badvaddr >= USER_TOP ? SIGSEGV : SIGBUS;
        break;
    case 8:
        syscall(tf);
        return;
    case 9: /* break */
    case 13: /* trap */
        sig = SIGTRAP;
        break;
    case 10: /* reserved instruction */
        sig = emulate_ri(tf);
        break;
    case 11: /* coprocessor unusable (not the FPU: user processes always have CU1) */
        sig = SIGILL;
        break;
    case 15: /* floating point */
        sig = SIGFPE;
        break;
    default:
        kprintf("kmips: pid %d: exception %u at %x\n", cur->pid, code, tf->epc);
        sig = SIGILL;
    }
    if (sig) {
        kprintf("kmips: pid %d killed by signal %d (exception %u epc %x badvaddr %x)\n", cur->pid,
                sig, code, tf->epc, tf->badvaddr);
        kill_current(sig);
    }
}

/* ---- boot arguments and the test init ---------------------------------------------- */
static uint32_t parse_hex(const char *s, const char **end)
{
    uint64_t v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    for (;; s++) {
        char c = *s;
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (uint32_t)(c - 'A' + 10);
        else
            break;
        v = (v << 4) | d;
    }
    if (end)
        *end = s;
    /* rd_start is a sign-extended 64-bit kseg0 address: its low 32 bits are the pointer. */
    return (uint32_t)v;
}

static uint32_t parse_dec(const char *s)
{
    uint32_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint32_t)(*s++ - '0');
    return v;
}

static const char *find_opt(const char *cmdline, const char *key)
{
    size_t n = kstrlen(key);
    for (const char *p = cmdline; *p; p++) {
        if ((p == cmdline || p[-1] == ' ') && !kstrncmp(p, key, n))
            return p + n;
    }
    return 0;
}

int load_mode = EXECCORE_LOAD_EAGER;
static char cmdline[1024];
static const char *const init_env[] = {"PATH=/bin:/usr/bin:/sbin", "HOME=/", "TERM=dumb"};

static void put_num(char *buf, uint32_t *len, uint32_t v)
{
    char num[12];
    int k = 0;
    do
        num[k++] = (char)('0' + v % 10);
    while (v /= 10);
    buf[(*len)++] = ' ';
    while (k)
        buf[(*len)++] = num[--k];
}

/* "\x1ekmips:WHAT N [A [B]]\n" on COM1: begin N FREE, end N STATUS FREE, execfail N ERRNO,
   done FREE (FREE: free pages at that moment). */
static void marker(const char *what, uint32_t n, int a, int b)
{
    char buf[80];
    uint32_t len = 0;
    const char *pre = "\x1ekmips:";
    while (*pre)
        buf[len++] = *pre++;
    while (*what)
        buf[len++] = *what++;
    put_num(buf, &len, n);
    if (a >= 0)
        put_num(buf, &len, (uint32_t)a);
    if (b >= 0)
        put_num(buf, &len, (uint32_t)b);
    buf[len++] = '\n';
    console_write((const uint8_t *)buf, len);
}

/* Runs each line of /etc/kmips.run (arguments separated by TAB) as a process, one after
   the other, and brackets its output with markers on COM1 carrying its wait status. */
static void run_list(void)
{
    int ent = rd_lookup("/etc/kmips.run");
    if (ent < 0)
        panic("no /etc/kmips.run in the initramfs");
    static char line[4096];
    static const char *argv[64];
    const uint8_t *d = rd[ent].data;
    uint32_t size = rd[ent].size, pos = 0;
    int n = 0;
    while (pos < size) {
        uint32_t len = 0;
        while (pos < size && d[pos] != '\n' && len + 1 < sizeof line)
            line[len++] = (char)d[pos++];
        pos++;
        line[len] = 0;
        if (!len)
            continue;
        uint32_t argc = 0;
        char *s = line;
        argv[argc++] = s;
        for (; *s; s++) {
            if (*s == '\t' && argc < 63) {
                *s = 0;
                argv[argc++] = s + 1;
            }
        }
        n++;
        uint32_t before = free_pages;
        uint64_t started = time_ns();
        marker("begin", (uint32_t)n, (int)before, -1);
        struct proc *p = proc_alloc();
        if (!p)
            panic("no process slot for init");
        p->ppid = 0;
        for (int i = 0; i < 3; i++) {
            struct file *f = file_alloc(F_CONSOLE);
            p->fd[i] = f;
        }
        int err = do_exec(p, argv[0], argc, argv, 3, init_env);
        uint32_t status;
        if (err) {
            kprintf("kmips: exec %s: errno %d\n", argv[0], err);
            proc_exit(p, 127 << 8);
            do_wait(p->pid, &status, 0);
            marker("execfail", (uint32_t)n, (int)err, -1);
            continue;
        }
        p->state = P_RUNNABLE;
        if (do_wait(p->pid, &status, 0) < 0)
            panic("init lost its child");
        /* Orphans of this command were reparented to init: reap them too. */
        uint32_t st2;
        while (do_wait(-1, &st2, 1) > 0)
            ;
        marker("end", (uint32_t)n, (int)status, (int)free_pages);
        kprintf("kmips: command %d status %u free pages %u -> %u, %u ms\n", n, status, before,
                free_pages, (uint32_t)((time_ns() - started) / 1000000));
    }
    kprintf("kmips: done, free pages %u of %u; rdhwr emulated %u times (%u in delay slots); lazy "
            "faults %u; %u timer ticks\n",
            free_pages, total_pages, rdhwr_emulated, rdhwr_in_delay_slot, lazy_faults, timer_ticks);
    marker("done", free_pages, -1, -1);
}

extern uint8_t __kernel_end[];

void kmain(int argc, char **argv, char **envp, uint32_t ramsize)
{
    (void)envp;
    kputs("kmips: boot\n");
    /* qemu's argument block lives in low memory: copy it before anything reuses it. */
    if (argc > 1 && argv[1])
        kstrcpy(cmdline, argv[1], sizeof cmdline);
    kprintf("kmips: ram %u MiB, cmdline \"%s\"\n", ramsize >> 20, cmdline);
    if (execcore_abi_version() != EXECCORE_ABI_VERSION)
        panic("libexeccore.a ABI version mismatch");
    cpu_init();
    const char *v = find_opt(cmdline, "rd_start=");
    const char *sz = find_opt(cmdline, "rd_size=");
    if (!v || !sz)
        panic("no initramfs (rd_start=/rd_size=)");
    uint32_t rd_start = parse_hex(v, 0), rd_size = parse_dec(sz);
    /* Linux's ieee754= policy: strict (default), legacy, 2008, relaxed, emulated. */
    const char *ie = find_opt(cmdline, "ieee754=");
    static const char *const policies[] = {"strict", "legacy", "2008", "relaxed", "emulated"};
    for (uint32_t i = 0; ie && i < 5; i++) {
        size_t n = kstrlen(policies[i]);
        if (!kstrncmp(ie, policies[i], n) && (ie[n] == ' ' || !ie[n])) {
            cpu_desc.mips_ieee754 = i;
            kprintf("kmips: ieee754=%s\n", policies[i]);
        }
    }
    const char *m = find_opt(cmdline, "kmips.mode=");
    if (m && !kstrncmp(m, "mapped", 6))
        load_mode = EXECCORE_LOAD_MAPPED;
    else if (m && !kstrncmp(m, "lazy", 4))
        load_mode = EXECCORE_LOAD_LAZY;
    kprintf("kmips: initramfs at %x, %u bytes; load mode %s\n", rd_start, rd_size,
            load_mode == EXECCORE_LOAD_EAGER    ? "eager"
            : load_mode == EXECCORE_LOAD_MAPPED ? "mapped"
                                                : "lazy");
    if (ramsize > 0x10000000u)
        ramsize = 0x10000000u;
    /* The initramfs pages belong to the file system for good (mapped mode shares them). */
    mm_init(PADDR(__kernel_end), ramsize, PADDR(rd_start) & PAGE_MASK, PADDR(rd_start) + rd_size);
    rd_init((const uint8_t *)rd_start, rd_size);
    timer_arm();
    kprintf("kmips: %d initramfs entries, %u free pages\n", rd_count, free_pages);
    run_list();
    machine_reset();
}
