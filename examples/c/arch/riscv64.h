/* RISC-V 64 entry trampoline: sp = &argc, every general register zero but the jump
 * register, a0 = 0 (execve's return value: _start reads it as "no termination function"),
 * fcsr zero, as Linux's start_thread leaves them. The jump goes through t0, which keeps
 * the entry address (Linux has it zero). */
#ifndef EXEC_HARNESS_ARCH_RISCV64_H
#define EXEC_HARNESS_ARCH_RISCV64_H
#include <stdint.h>

static inline void __attribute__((noreturn)) harness_enter(uint64_t pc, uint64_t sp) {
    register uint64_t entry __asm__("t0") = pc;
    register uint64_t stack __asm__("t1") = sp;
    __asm__ volatile(
        "mv sp, t1\n\t"
        "fscsr zero\n\t"
        "li ra, 0\n\t"
        "li gp, 0\n\t"
        "li tp, 0\n\t"
        "li t1, 0\n\t"
        "li t2, 0\n\t"
        "li s0, 0\n\t"
        "li s1, 0\n\t"
        "li a0, 0\n\t"
        "li a1, 0\n\t"
        "li a2, 0\n\t"
        "li a3, 0\n\t"
        "li a4, 0\n\t"
        "li a5, 0\n\t"
        "li a6, 0\n\t"
        "li a7, 0\n\t"
        "li s2, 0\n\t"
        "li s3, 0\n\t"
        "li s4, 0\n\t"
        "li s5, 0\n\t"
        "li s6, 0\n\t"
        "li s7, 0\n\t"
        "li s8, 0\n\t"
        "li s9, 0\n\t"
        "li s10, 0\n\t"
        "li s11, 0\n\t"
        "li t3, 0\n\t"
        "li t4, 0\n\t"
        "li t5, 0\n\t"
        "li t6, 0\n\t"
        "jr t0\n\t"
        :
        : "r"(entry), "r"(stack)
        : "memory");
    __builtin_unreachable();
}

/* Where the program's user window ends: below qemu-riscv64's own stack and mmap area for
 * the harness (measured: they start at 0x4000000000 and above under qemu 7.2), so nothing
 * a program plans collides with the harness. */
#define HARNESS_WINDOW_END 0x3000000000ULL
#define HARNESS_ARCH EXECCORE_ARCH_RISCV64
#endif
