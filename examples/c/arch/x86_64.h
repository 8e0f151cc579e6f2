/* x86_64 entry trampoline: sp = &argc, every register zero but rsp and rip
 * (rdx = 0: no exit hook for the program's libc, as Linux's ELF_PLAT_INIT). */
#ifndef EXEC_HARNESS_ARCH_X86_64_H
#define EXEC_HARNESS_ARCH_X86_64_H
#include <stdint.h>

static inline void __attribute__((noreturn)) harness_enter(uint64_t pc, uint64_t sp) {
    register uint64_t entry __asm__("rsi") = pc;
    register uint64_t stack __asm__("rdi") = sp;
    __asm__ volatile(
        "mov %%rdi, %%rsp\n\t"
        "xor %%eax, %%eax\n\t"
        "xor %%ebx, %%ebx\n\t"
        "xor %%ecx, %%ecx\n\t"
        "xor %%edx, %%edx\n\t"
        "xor %%ebp, %%ebp\n\t"
        "xor %%edi, %%edi\n\t"
        "xor %%r8d, %%r8d\n\t"
        "xor %%r9d, %%r9d\n\t"
        "xor %%r10d, %%r10d\n\t"
        "xor %%r11d, %%r11d\n\t"
        "xor %%r12d, %%r12d\n\t"
        "xor %%r13d, %%r13d\n\t"
        "xor %%r14d, %%r14d\n\t"
        "xor %%r15d, %%r15d\n\t"
        "jmp *%%rsi\n\t"
        :
        : "r"(entry), "r"(stack)
        : "memory");
    __builtin_unreachable();
}

/* Where the program's user window ends: below the harness's own stack and mmap area
 * (which sit just under 0x7ffffffff000), above everything a program plans. */
#define HARNESS_WINDOW_END 0x7f0000000000ULL
#define HARNESS_ARCH EXECCORE_ARCH_X86_64
#endif
