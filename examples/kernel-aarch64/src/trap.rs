//! Exception vectors and the trap frame. Every entry from EL0 saves the whole user
//! state (general and vector registers, TLS) at the top of the kernel stack, runs to
//! completion, and returns to whichever process the scheduler chose: the frame is
//! swapped in place, so there is no kernel-side context to switch.

/// The user state of a process, as saved on entry from EL0.
#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub struct TrapFrame {
    /// x0..x30.
    pub x: [u64; 31],
    /// SP_EL0.
    pub sp: u64,
    /// ELR_EL1: where the process resumes.
    pub pc: u64,
    /// SPSR_EL1.
    pub pstate: u64,
    /// TPIDR_EL0 (the TLS register).
    pub tls: u64,
    _pad: u64,
    /// q0..q31.
    pub q: [u128; 32],
    pub fpcr: u64,
    pub fpsr: u64,
}

impl TrapFrame {
    /// All zero: the state exec starts a program from.
    pub const ZERO: TrapFrame =
        TrapFrame { x: [0; 31], sp: 0, pc: 0, pstate: 0, tls: 0, _pad: 0, q: [0; 32], fpcr: 0, fpsr: 0 };
}

/// Bytes of the frame.
pub const FRAME_SIZE: usize = core::mem::size_of::<TrapFrame>();
const _: () = assert!(FRAME_SIZE == 816);

core::arch::global_asm!(
    r#"
// `op` (stp to save, ldp to restore) for registers `r`0..`r`(n-1) in pairs, register i
// at [base, #i*size]: x0..x29 from the frame's start, q0..q31 from its vector area. One
// description of the layout for both directions. (.altmacro: %(expr) is a number.)
.macro PAIR op, r, a, b, base, size
    \op     \r\a, \r\b, [\base, #(\a*\size)]
.endm
.macro PAIRS op, r, n, base, size
    .altmacro
    .set    .Lpair, 0
    .rept   \n / 2
    PAIR    \op, \r, %(.Lpair), %(.Lpair+1), \base, \size
    .set    .Lpair, .Lpair+2
    .endr
    .noaltmacro
.endm

.macro SAVE_EL0
    sub     sp, sp, #{frame}
    PAIRS   stp, x, 30, sp, 8
    mrs     x21, sp_el0
    stp     x30, x21, [sp, #240]
    mrs     x22, elr_el1
    mrs     x23, spsr_el1
    stp     x22, x23, [sp, #256]
    mrs     x24, tpidr_el0
    str     x24, [sp, #272]
    add     x0, sp, #288
    PAIRS   stp, q, 32, x0, 16
    mrs     x1, fpcr
    mrs     x2, fpsr
    add     x0, x0, #512
    stp     x1, x2, [x0]
    mov     x0, sp
.endm

.section .text
.balign 2048
.global vectors
vectors:
    // Current EL with SP0 (unused), then current EL with SPx: kernel faults.
    .balign 128
    b       kernel_fault_entry
    .balign 128
    b       kernel_fault_entry
    .balign 128
    b       kernel_fault_entry
    .balign 128
    b       kernel_fault_entry
    .balign 128
    b       kernel_fault_entry
    .balign 128
    b       kernel_fault_entry
    .balign 128
    b       kernel_fault_entry
    .balign 128
    b       kernel_fault_entry
    // Lower EL, AArch64: synchronous (system calls, aborts), IRQ, FIQ, SError. An entry
    // holds 32 instructions: each branches to its code below.
    .balign 128
    b       el0_sync_entry
    .balign 128
    b       el0_irq_entry
    .balign 128
    b       kernel_fault_entry
    .balign 128
    b       kernel_fault_entry
    // Lower EL, AArch32: not supported.
    .balign 128
    b       kernel_fault_entry
    .balign 128
    b       kernel_fault_entry
    .balign 128
    b       kernel_fault_entry
    .balign 128
    b       kernel_fault_entry

kernel_fault_entry:
    bl      kernel_fault

el0_sync_entry:
    SAVE_EL0
    bl      el0_sync
    b       user_return

el0_irq_entry:
    SAVE_EL0
    bl      el0_irq
    b       user_return

// Restores the frame at x0 (the top of the kernel stack) and returns to EL0.
.global user_return
user_return:
    mov     sp, x0
    add     x0, sp, #288
    PAIRS   ldp, q, 32, x0, 16
    add     x0, x0, #512
    ldp     x1, x2, [x0]
    msr     fpcr, x1
    msr     fpsr, x2
    ldp     x30, x21, [sp, #240]
    msr     sp_el0, x21
    ldp     x22, x23, [sp, #256]
    msr     elr_el1, x22
    msr     spsr_el1, x23
    ldr     x24, [sp, #272]
    msr     tpidr_el0, x24
    PAIRS   ldp, x, 30, sp, 8
    add     sp, sp, #{frame}
    eret
"#,
    frame = const FRAME_SIZE,
);

extern "C" {
    fn user_return(frame: *mut TrapFrame) -> !;
}

/// The frame slot at the top of the kernel stack.
pub fn frame_slot() -> *mut TrapFrame {
    let top = crate::arch::kstack_top();
    (top - FRAME_SIZE as u64) as *mut TrapFrame
}

/// Enters EL0 with `frame` (used once, from boot; later returns go through the vectors).
pub fn enter_user(frame: &TrapFrame) -> ! {
    let slot = frame_slot();
    // SAFETY: the slot is the top of the kernel stack, which is not in use: boot runs on
    // its own stack; `user_return` moves sp to the slot and never comes back.
    unsafe {
        core::ptr::write(slot, *frame);
        user_return(slot)
    }
}

/// Exception class of ESR_EL1.
const EC_SVC64: u64 = 0x15;
const EC_IABT_LOW: u64 = 0x20;
const EC_DABT_LOW: u64 = 0x24;
const EC_BTI: u64 = 0x0d;
const EC_FP: u64 = 0x07;
const EC_SVE: u64 = 0x19;
const EC_PC_ALIGN: u64 = 0x22;
const EC_SP_ALIGN: u64 = 0x26;
const EC_UNKNOWN: u64 = 0x00;
const EC_BRK: u64 = 0x3c;

#[no_mangle]
extern "C" fn el0_sync(frame: &mut TrapFrame) -> *mut TrapFrame {
    let esr = crate::arch::sysreg!("esr_el1");
    let far = crate::arch::sysreg!("far_el1");
    let ec = esr >> 26;
    match ec {
        EC_SVC64 => crate::syscall::dispatch(frame),
        EC_IABT_LOW | EC_DABT_LOW => {
            let iss = esr & 0x1ff_ffff;
            let access = if ec == EC_IABT_LOW {
                crate::proc::Access::Exec
            } else if iss & (1 << 6) != 0 {
                crate::proc::Access::Write
            } else {
                crate::proc::Access::Read
            };
            crate::proc::user_fault(frame, far, access);
        }
        EC_BTI => crate::proc::kill_current(frame, crate::proc::SIGILL, "branch target (BTI)", frame.pc, esr),
        EC_UNKNOWN | EC_FP | EC_SVE => {
            crate::proc::kill_current(frame, crate::proc::SIGILL, "undefined instruction", frame.pc, esr)
        }
        EC_PC_ALIGN | EC_SP_ALIGN => {
            crate::proc::kill_current(frame, crate::proc::SIGBUS, "alignment", frame.pc, esr)
        }
        EC_BRK => crate::proc::kill_current(frame, crate::proc::SIGTRAP, "brk", frame.pc, esr),
        _ => crate::proc::kill_current(frame, crate::proc::SIGILL, "unhandled exception", frame.pc, esr),
    }
    frame
}

/// An interrupt while a process ran: the timer tick gives the CPU to the next process.
#[no_mangle]
extern "C" fn el0_irq(frame: &mut TrapFrame) -> *mut TrapFrame {
    let iar = crate::arch::irq_ack();
    if iar & 0x3ff == crate::arch::TIMER_IRQ {
        crate::arch::rearm_timer();
        crate::arch::irq_end(iar);
        crate::proc::yield_current(frame);
    } else if iar & 0x3ff < 1020 {
        crate::arch::irq_end(iar);
    }
    frame
}

#[no_mangle]
extern "C" fn kernel_fault() -> ! {
    let esr = crate::arch::sysreg!("esr_el1");
    let elr = crate::arch::sysreg!("elr_el1");
    let far = crate::arch::sysreg!("far_el1");
    panic!("kernel exception: esr {:#x} elr {:#x} far {:#x}", esr, elr, far);
}
