/*
 * start.S - entry, exception vectors, trap save/restore, context switch and FPU context.
 * Freestanding MIPS32r2, both byte orders (the code has no byte-order dependence).
 */
        .set    noreorder
        .set    noat

#define TF_HI   128
#define TF_LO   132
#define TF_EPC  136
#define TF_ST   140
#define TF_CAUSE 144
#define TF_BADVA 148
#define TF_SIZE 160

/* Save/restore lists, one for both directions (`op` a store or a load): the trap
   frame's general registers (register n at n*4: $0, $26, $27 and $29 are handled apart),
   the callee-saved registers swtch keeps, and the FPU registers (even ones, then with
   FR=1 ($a1 set) the odd ones; register n at n*8). */
        .macro  TF_GPRS op
        .irp    r, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 28, 30, 31
        \op     $\r, \r*4($sp)
        .endr
        .endm

        .macro  CALLEE_SAVED op
        .set    .Lslot, 0
        .irp    r, $s0, $s1, $s2, $s3, $s4, $s5, $s6, $s7, $fp, $ra
        \op     \r, .Lslot($sp)
        .set    .Lslot, .Lslot + 4
        .endr
        .endm

        .macro  FPU_REGS op
        .irp    r, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
        \op     $f\r, \r*8($a0)
        .endr
        beqz    $a1, 1f
        nop
        .irp    r, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31
        \op     $f\r, \r*8($a0)
        .endr
1:
        .endm

        .section .text.start, "ax"
        .globl  _start
_start:
        /* qemu enters in kernel mode, maybe with ERL set: a clean Status first (BEV clear
           only once EBase points at our vectors). */
        la      $t0, vectors
        mtc0    $t0, $15, 1             /* EBase */
        li      $t0, 0x10000000         /* CU0, everything else clear */
        mtc0    $t0, $12
        ehb
        la      $sp, boot_stack_top
        addiu   $sp, $sp, -16
        jal     kmain
        nop
1:      b       1b
        nop

/* ---- vectors: EBase + 0x000 TLB refill, EBase + 0x180 everything else ------------- */
        .section .vectors, "ax"
        .align  12
        .globl  vectors
vectors:
        /* TLB refill (kuseg): two loads through the current page directory. Empty
           directory slots point at a zero page table, so this never faults; a zero
           entry reaches the general handler as a TLB invalid exception. */
        lui     $k0, %hi(tlb_refills)
        lw      $k1, %lo(tlb_refills)($k0)
        addiu   $k1, $k1, 1
        sw      $k1, %lo(tlb_refills)($k0)
        mfc0    $k0, $8                 /* BadVAddr */
        lui     $k1, %hi(cur_pgd)
        lw      $k1, %lo(cur_pgd)($k1)
        srl     $k0, $k0, 22
        sll     $k0, $k0, 2
        addu    $k1, $k1, $k0
        lw      $k1, 0($k1)             /* page-table page */
        mfc0    $k0, $8
        srl     $k0, $k0, 10
        andi    $k0, $k0, 0xff8         /* even/odd pair */
        addu    $k1, $k1, $k0
        lw      $k0, 0($k1)
        lw      $k1, 4($k1)
        ext     $k0, $k0, 0, 22         /* the hardware part of the software entry */
        ext     $k1, $k1, 0, 22
        mtc0    $k0, $2
        mtc0    $k1, $3
        ehb
        tlbwr
        eret

        .org    0x180
general:
        mfc0    $k0, $12
        andi    $k0, $k0, 0x10          /* UM: from user mode? */
        beqz    $k0, kernel_exception
        nop
        lui     $k1, %hi(cur_kstack_top)
        lw      $k1, %lo(cur_kstack_top)($k1)
        addiu   $k1, $k1, -TF_SIZE
        sw      $sp, 116($k1)
        move    $sp, $k1
        TF_GPRS sw
        sw      $0, 0($sp)
        sw      $0, 104($sp)
        sw      $0, 108($sp)
        mfhi    $t0
        sw      $t0, TF_HI($sp)
        mflo    $t0
        sw      $t0, TF_LO($sp)
        mfc0    $t0, $14
        sw      $t0, TF_EPC($sp)
        mfc0    $t0, $12
        sw      $t0, TF_ST($sp)
        mfc0    $t0, $13
        sw      $t0, TF_CAUSE($sp)
        mfc0    $t0, $8
        sw      $t0, TF_BADVA($sp)
        move    $a0, $sp
        addiu   $sp, $sp, -16
        jal     trap
        nop
        addiu   $sp, $sp, 16
        j       return_to_user
        nop

kernel_exception:
        /* A kernel-mode exception is a kernel bug: report it. */
        la      $sp, panic_stack_top
        addiu   $sp, $sp, -16
        mfc0    $a0, $13
        mfc0    $a1, $14
        mfc0    $a2, $8
        jal     kernel_fault
        move    $a3, $ra

        .text
/* return_to_user: sp points at a trap frame; restore it and eret. */
        .globl  return_to_user
return_to_user:
        lw      $t0, TF_HI($sp)
        mthi    $t0
        lw      $t0, TF_LO($sp)
        mtlo    $t0
        lw      $t0, TF_EPC($sp)
        mtc0    $t0, $14
        lw      $t0, TF_ST($sp)
        ori     $t0, $t0, 0x2           /* EXL: stay in kernel mode until eret */
        mtc0    $t0, $12
        ehb
        TF_GPRS lw
        lw      $sp, 116($sp)
        eret

/* swtch(uint32_t *old_ksp, uint32_t new_ksp): save callee-saved state, switch stacks. */
        .globl  swtch
swtch:
        addiu   $sp, $sp, -48
        CALLEE_SAVED sw
        sw      $sp, 0($a0)
        move    $sp, $a1
        CALLEE_SAVED lw
        jr      $ra
        addiu   $sp, $sp, 48

/* FPU context. Status.FR must already hold the mode the registers are saved in. FR=1:
   32 64-bit registers; FR=0: 16 even doubles hold all 32 singles. */
        .set    push
        .set    hardfloat
        .set    fp=64
        .set    oddspreg
#define FPU_ENABLE                      \
        mfc0    $t0, $12;               \
        li      $t1, 0x20000000;        \
        or      $t0, $t0, $t1;          \
        mtc0    $t0, $12;               \
        ehb

        .globl  fpu_save
fpu_save:                       /* a0 = struct fpu *, a1 = fr */
        FPU_ENABLE
        FPU_REGS sdc1
        cfc1    $t0, $31
        jr      $ra
        sw      $t0, 256($a0)

        .globl  fpu_restore
fpu_restore:                    /* a0 = const struct fpu *, a1 = fr */
        FPU_ENABLE
        lw      $t0, 256($a0)
        ctc1    $zero, $31              /* no pending cause while loading */
        FPU_REGS ldc1
        jr      $ra
        ctc1    $t0, $31

        .globl  read_fcsr
read_fcsr:
        FPU_ENABLE
        cfc1    $v0, $31
        jr      $ra
        nop
        .set    pop

        .globl  read_status
read_status:
        mfc0    $v0, $12
        jr      $ra
        nop

        .globl  write_status
write_status:
        mtc0    $a0, $12
        ehb
        jr      $ra
        nop

/* cache_flush_page(kva, line): write back the data lines and invalidate the
   instruction lines of the page at kseg0 address kva (new code visible to fetch). */
        .globl  cache_flush_page
cache_flush_page:
        addiu   $t0, $a0, 4096
1:      cache   0x15, 0($a0)            /* Hit_Writeback_Inv_D */
        addu    $a0, $a0, $a1
        bne     $a0, $t0, 1b
        nop
        sync
        addiu   $a0, $t0, -4096
2:      cache   0x10, 0($a0)            /* Hit_Invalidate_I */
        addu    $a0, $a0, $a1
        bne     $a0, $t0, 2b
        nop
        jr.hb   $ra
        nop

        .bss
        .align  12
boot_stack:
        .space  16384
        .globl  boot_stack_top
boot_stack_top:
        .space  4096
panic_stack_top:
