/* AArch64 entry trampoline: sp = &argc, every general register zero but the branch
 * register, as Linux's start_thread (x0 = 0: no exit hook for the program's libc).
 * The branch goes through x17 so a `bti c` landing pad at the entry accepts it on
 * BTI-guarded pages (x17 keeps the entry address; Linux has it zero). */
#ifndef EXEC_HARNESS_ARCH_AARCH64_H
#define EXEC_HARNESS_ARCH_AARCH64_H
#include <stdint.h>

static inline void __attribute__((noreturn)) harness_enter(uint64_t pc, uint64_t sp) {
    register uint64_t entry __asm__("x17") = pc;
    register uint64_t stack __asm__("x16") = sp;
    __asm__ volatile(
        "mov sp, x16\n\t"
        "mov x0, xzr\n\t"
        "mov x1, xzr\n\t"
        "mov x2, xzr\n\t"
        "mov x3, xzr\n\t"
        "mov x4, xzr\n\t"
        "mov x5, xzr\n\t"
        "mov x6, xzr\n\t"
        "mov x7, xzr\n\t"
        "mov x8, xzr\n\t"
        "mov x9, xzr\n\t"
        "mov x10, xzr\n\t"
        "mov x11, xzr\n\t"
        "mov x12, xzr\n\t"
        "mov x13, xzr\n\t"
        "mov x14, xzr\n\t"
        "mov x15, xzr\n\t"
        "mov x16, xzr\n\t"
        "mov x18, xzr\n\t"
        "mov x19, xzr\n\t"
        "mov x20, xzr\n\t"
        "mov x21, xzr\n\t"
        "mov x22, xzr\n\t"
        "mov x23, xzr\n\t"
        "mov x24, xzr\n\t"
        "mov x25, xzr\n\t"
        "mov x26, xzr\n\t"
        "mov x27, xzr\n\t"
        "mov x28, xzr\n\t"
        "mov x29, xzr\n\t"
        "mov x30, xzr\n\t"
        "br x17\n\t"
        :
        : "r"(entry), "r"(stack)
        : "memory");
    __builtin_unreachable();
}

/* Where the program's user window ends. Under qemu-aarch64 (7.x) the harness's own stack
 * and mmap area start at 0x5500000000; everything a program plans stays below. On a real
 * arm64 kernel the harness sits at the top of the 48-bit space and this leaves room too. */
#define HARNESS_WINDOW_END 0x5000000000ULL
#define HARNESS_ARCH EXECCORE_ARCH_AARCH64
/* PROT_BTI (asm/mman.h): guarded pages where the plan asks for them, when the CPU has BTI. */
#define HARNESS_PROT_BTI 0x10
#define HARNESS_HWCAP2_BTI (1UL << 17)
#endif
