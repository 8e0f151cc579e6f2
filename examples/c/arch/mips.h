/* MIPS entry trampoline (o32 and n64, either byte order): $sp = &argc, every general
 * register zero but $sp and $t9, which holds the entry (the harness jumps through it, as
 * PIC start code may expect); $v0 = 0 (glibc's start code takes it as an exit hook) and
 * $ra = 0, as Linux's start_thread leaves them. Before the jump the harness switches the
 * FPU to the plan's mode (PR_SET_FP_MODE) and loads the plan's FCSR, as a kernel does
 * only after the exec succeeded. */
#ifndef EXEC_HARNESS_ARCH_MIPS_H
#define EXEC_HARNESS_ARCH_MIPS_H
#include <stdint.h>
#include <sys/prctl.h>

static inline void __attribute__((noreturn)) harness_enter(uint64_t pc, uint64_t sp) {
    register unsigned long entry __asm__("$25") = (unsigned long)pc;
    register unsigned long stack __asm__("$4") = (unsigned long)sp;
    __asm__ volatile(
        ".set push\n\t"
        ".set noreorder\n\t"
        ".set noat\n\t"
        "move $29, $4\n\t"
        "move $1, $0\n\t"
        "move $2, $0\n\t"
        "move $3, $0\n\t"
        "move $4, $0\n\t"
        "move $5, $0\n\t"
        "move $6, $0\n\t"
        "move $7, $0\n\t"
        "move $8, $0\n\t"
        "move $9, $0\n\t"
        "move $10, $0\n\t"
        "move $11, $0\n\t"
        "move $12, $0\n\t"
        "move $13, $0\n\t"
        "move $14, $0\n\t"
        "move $15, $0\n\t"
        "move $16, $0\n\t"
        "move $17, $0\n\t"
        "move $18, $0\n\t"
        "move $19, $0\n\t"
        "move $20, $0\n\t"
        "move $21, $0\n\t"
        "move $22, $0\n\t"
        "move $23, $0\n\t"
        "move $24, $0\n\t"
        "move $28, $0\n\t"
        "move $30, $0\n\t"
        "jr $25\n\t"
        "move $31, $0\n\t" /* delay slot */
        ".set pop\n\t"
        :
        : "r"(entry), "r"(stack)
        : "memory");
    __builtin_unreachable();
}

#ifndef PR_SET_FP_MODE
#define PR_SET_FP_MODE 45
#endif
#define HARNESS_PR_FP_MODE_FR (1 << 0)
#define HARNESS_PR_FP_MODE_FRE (1 << 1)

/* The plan's FPU mode and FCSR for the new program (0 on success, else an errno). */
static inline int harness_arch_entry(const execcore_entry_state *e) {
    unsigned long mode = e->fp_mode == EXECCORE_MIPS_FR1   ? HARNESS_PR_FP_MODE_FR
                         : e->fp_mode == EXECCORE_MIPS_FRE ? (HARNESS_PR_FP_MODE_FR | HARNESS_PR_FP_MODE_FRE)
                                                           : 0;
    if (prctl(PR_SET_FP_MODE, mode, 0, 0, 0) != 0) return errno;
#ifdef __mips_hard_float
    unsigned int fcsr = e->mips_fcsr;
    __asm__ volatile("ctc1 %0, $31" : : "r"(fcsr));
#endif
    return 0;
}

#define HARNESS_ARCH EXECCORE_ARCH_MIPS
#if _MIPS_SIM == _ABI64
/* qemu-mips64 puts the harness's stack and mmap area at 0x4000000000 and up. */
#define HARNESS_WINDOW_END 0x3f00000000ULL
#define HARNESS_MIPS_MODEL EXECCORE_MIPS_CPU_5KEF /* qemu-mips64's default CPU */
#else
/* qemu-mips (o32) puts the harness's stack at 0x40001000 and its mmap area just below
 * 0x40000000, growing down. */
#define HARNESS_WINDOW_END 0x3f000000ULL
#define HARNESS_MIPS_MODEL EXECCORE_MIPS_CPU_MIPS32R2 /* qemu-mips's default CPU, 24Kf */
#endif
#endif
