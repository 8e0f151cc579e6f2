//! Boot code, the kernel's own translation tables, system registers, CPU features.

use crate::pt::{AF, ATTR_NORMAL, PXN, SH_INNER, UXN};
use crate::Global;

/// A 4 KiB translation table.
#[repr(C, align(4096))]
pub struct Table(pub [u64; 512]);

const BLOCK: u64 = 0b01;

/// The kernel's upper-half table (TTBR1, 39-bit VA, starting at level 1): a linear map
/// of the first 4 GiB of physical memory, devices in the first GiB, RAM above. Only
/// block entries, so it is a constant (no pointer to relocate before the MMU is on).
#[no_mangle]
static KERNEL_L1: Table = {
    let mut t = [0u64; 512];
    t[0] = BLOCK | AF | PXN | UXN; // device nGnRnE (MAIR attr 0): PL011, GIC...
    let mut i = 1;
    while i < 4 {
        t[i] = (i as u64) << 30 | BLOCK | AF | SH_INNER | ATTR_NORMAL | UXN;
        i += 1;
    }
    Table(t)
};

/// The boot identity map (TTBR0 while turning the MMU on): RAM's first GiB at itself.
#[no_mangle]
static BOOT_L1_LOW: Table = {
    let mut t = [0u64; 512];
    t[1] = 1 << 30 | BLOCK | AF | SH_INNER | ATTR_NORMAL;
    Table(t)
};

/// The kernel's stack: every kernel entry starts at its top (entries run to completion).
#[repr(C, align(16))]
pub struct Stack(pub [u8; STACK_SIZE]);
/// Bytes of kernel stack.
pub const STACK_SIZE: usize = 256 * 1024;
#[no_mangle]
static KSTACK: Global<Stack> = Global::new(Stack([0; STACK_SIZE]));
/// The stack `kmain` runs on until the first process starts (the kernel stack's top
/// then receives that process's trap frame).
#[no_mangle]
static BOOT_STACK: Global<Stack> = Global::new(Stack([0; STACK_SIZE]));

/// TCR_EL1: 4 KiB granules, inner-shareable write-back walks, 40-bit physical
/// addresses, T1SZ 25 (39-bit kernel half); T0SZ 16 for processes (48-bit, Linux's
/// map window), 25 while the boot identity map is live.
pub const TCR_USER: u64 = 16
    | (1 << 8)
    | (1 << 10)
    | (3 << 12)
    | (25 << 16)
    | (1 << 24)
    | (1 << 26)
    | (3 << 28)
    | (2 << 30)
    | (2 << 32);

core::arch::global_asm!(
    r#"
.section .text.boot, "ax"
.global _start
_start:
    // The arm64 Image header (Documentation/arch/arm64/booting.rst): with it qemu loads
    // the flat image at RAM + text_offset and passes the device tree in x0.
    b       1f
    .long   0
    .quad   0x80000                      // text_offset
    .quad   __image_size                 // image_size (link.ld)
    .quad   0x2                          // flags: little endian, 4 KiB pages
    .quad   0, 0, 0
    .ascii  "ARM\x64"
    .long   0
1:
    mov     x19, x0
    msr     daifset, #0xf
    adrp    x1, BOOT_L1_LOW
    msr     ttbr0_el1, x1
    adrp    x1, KERNEL_L1
    msr     ttbr1_el1, x1
    ldr     x1, =0xff00                  // MAIR: attr0 device nGnRnE, attr1 normal WB
    msr     mair_el1, x1
    ldr     x1, ={tcr_boot}
    msr     tcr_el1, x1
    mov     x1, #(3 << 20)               // CPACR_EL1.FPEN: FP/SIMD for EL1 and EL0
    msr     cpacr_el1, x1
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    ldr     x1, ={sctlr}
    msr     sctlr_el1, x1
    isb
    ldr     x1, =2f                      // jump to the upper half
    br      x1
2:
    ldr     x1, =BOOT_STACK + {stack_size}
    mov     sp, x1
    ldr     x1, =__bss_start
    ldr     x2, =__bss_end
3:  cmp     x1, x2
    b.hs    4f
    str     xzr, [x1], #8
    b       3b
4:
    ldr     x1, =vectors
    msr     vbar_el1, x1
    ldr     x1, ={tcr_user}              // drop the identity map: TTBR0 is for processes
    msr     tcr_el1, x1
    msr     ttbr0_el1, xzr
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    mov     x0, x19
    bl      kmain
5:  wfi
    b       5b
.ltorg
"#,
    tcr_boot = const TCR_USER - 16 + 25,
    tcr_user = const TCR_USER,
    stack_size = const STACK_SIZE,
    // M, C, SA, SA0, I, DZE, UCT, nTWI, nTWE, UCI and the v8.0 RES1 bits; A (alignment
    // checks) off. BT0 stays 0: PACIxSP are landing pads for BLR too, as on Linux.
    sctlr = const 0x30D0_0800u64 | 1 | 4 | 8 | 16 | (1 << 12) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 18) | (1 << 26),
);

extern "C" {
    static __image_end: u8;
}

/// Physical address one past the kernel image (with its bss and stack).
pub fn kernel_phys_end() -> u64 {
    crate::mm::v2p(core::ptr::addr_of!(__image_end) as u64)
}

/// Reads a system register.
macro_rules! sysreg {
    ($name:literal) => {{
        let v: u64;
        // SAFETY: reading an ID or status register has no side effect.
        unsafe { core::arch::asm!(concat!("mrs {}, ", $name), out(reg) v, options(nomem, nostack)) };
        v
    }};
}
pub(crate) use sysreg;

/// What the CPU offers that this kernel enables, as Linux's HWCAPs.
#[derive(Clone, Copy, Default)]
pub struct Features {
    pub hwcap: u64,
    pub hwcap2: u64,
    /// FEAT_BTI: guarded pages are enforced.
    pub bti: bool,
    /// FEAT_RNG: RNDR gives entropy.
    pub rndr: bool,
}

pub static FEATURES: Global<Features> =
    Global::new(Features { hwcap: 0, hwcap2: 0, bti: false, rndr: false });

fn field(reg: u64, shift: u32) -> u64 {
    (reg >> shift) & 0xf
}

/// Reads the ID registers once: AT_HWCAP/AT_HWCAP2 list what user space may use, so
/// features this kernel does not switch on (SVE, SME, MTE, pointer authentication keys)
/// are left out, as Linux leaves out what it does not enable.
pub fn init_cpu() {
    let isar0 = sysreg!("id_aa64isar0_el1");
    let isar1 = sysreg!("id_aa64isar1_el1");
    let pfr0 = sysreg!("id_aa64pfr0_el1");
    let pfr1 = sysreg!("id_aa64pfr1_el1");
    let mut h = 0u64;
    let mut h2 = 0u64;
    let fp = field(pfr0, 16);
    let simd = field(pfr0, 20);
    if fp != 0xf {
        h |= 1; // FP
        if fp >= 1 {
            h |= 1 << 9; // FPHP
        }
    }
    if simd != 0xf {
        h |= 1 << 1; // ASIMD
        if simd >= 1 {
            h |= 1 << 10; // ASIMDHP
        }
    }
    let aes = field(isar0, 4);
    if aes >= 1 {
        h |= 1 << 3;
    }
    if aes >= 2 {
        h |= 1 << 4; // PMULL
    }
    if field(isar0, 8) >= 1 {
        h |= 1 << 5; // SHA1
    }
    if field(isar0, 12) >= 1 {
        h |= 1 << 6; // SHA2
    }
    if field(isar0, 12) >= 2 {
        h |= 1 << 21; // SHA512
    }
    if field(isar0, 16) >= 1 {
        h |= 1 << 7; // CRC32
    }
    if field(isar0, 20) >= 2 {
        h |= 1 << 8; // ATOMICS
    }
    if field(isar0, 28) >= 1 {
        h |= 1 << 12; // ASIMDRDM
    }
    if field(isar0, 32) >= 1 {
        h |= 1 << 17; // SHA3
    }
    if field(isar0, 36) >= 1 {
        h |= 1 << 18; // SM3
    }
    if field(isar0, 40) >= 1 {
        h |= 1 << 19; // SM4
    }
    if field(isar0, 44) >= 1 {
        h |= 1 << 20; // ASIMDDP
    }
    if field(isar0, 48) >= 1 {
        h |= 1 << 23; // ASIMDFHM
    }
    if field(isar0, 52) >= 1 {
        h |= 1 << 27; // FLAGM
    }
    if field(isar0, 52) >= 2 {
        h2 |= 1 << 7; // FLAGM2
    }
    let rndr = field(isar0, 60) >= 1;
    if rndr {
        h2 |= 1 << 16; // RNG
    }
    if field(isar1, 0) >= 1 {
        h |= 1 << 16; // DCPOP
    }
    if field(isar1, 0) >= 2 {
        h2 |= 1; // DCPODP
    }
    if field(isar1, 12) >= 1 {
        h |= 1 << 13; // JSCVT
    }
    if field(isar1, 16) >= 1 {
        h |= 1 << 14; // FCMA
    }
    if field(isar1, 20) >= 1 {
        h |= 1 << 15; // LRCPC
    }
    if field(isar1, 20) >= 2 {
        h |= 1 << 26; // ILRCPC
    }
    if field(isar1, 32) >= 1 {
        h2 |= 1 << 8; // FRINT
    }
    if field(isar1, 36) >= 1 {
        h |= 1 << 29; // SB
    }
    if field(isar1, 44) >= 1 {
        h2 |= 1 << 14; // BF16
    }
    if field(isar1, 52) >= 1 {
        h2 |= 1 << 13; // I8MM
    }
    if field(pfr0, 48) >= 1 {
        h |= 1 << 24; // DIT
    }
    let bti = field(pfr1, 0) >= 1;
    if bti {
        h2 |= 1 << 17; // BTI
    }
    *FEATURES.get() = Features { hwcap: h, hwcap2: h2, bti, rndr };
    crate::log!("cpu: hwcap {:#x} hwcap2 {:#x} bti {} rndr {}", h, h2, bti, rndr);
}

/// Switches TTBR0 to the process table at `root` (physical) and drops stale
/// translations (no ASIDs: one address space at a time).
pub fn set_user_table(root: u64) {
    // SAFETY: `root` is a valid level-0 table (or 0 with no process); the kernel itself
    // lives in TTBR1 and is unaffected.
    unsafe {
        core::arch::asm!("msr ttbr0_el1, {}", "isb", "tlbi vmalle1", "dsb nsh", "isb", in(reg) root, options(nostack))
    };
}

/// Drops every cached translation (after changing the current process's tables).
pub fn flush_tlb() {
    // SAFETY: TLB maintenance only.
    unsafe { core::arch::asm!("dsb ishst", "tlbi vmalle1", "dsb nsh", "isb", options(nostack)) };
}

/// Makes instructions written through the linear map visible to instruction fetch.
pub fn sync_icache() {
    // SAFETY: cache maintenance only.
    unsafe { core::arch::asm!("dsb ish", "ic iallu", "dsb nsh", "isb", options(nostack)) };
}

/// The virtual counter (ticks).
pub fn counter() -> u64 {
    let v: u64;
    // SAFETY: CNTVCT_EL0 is readable at EL1.
    unsafe { core::arch::asm!("isb", "mrs {}, cntvct_el0", out(reg) v, options(nostack)) };
    v
}

/// The counter's frequency in Hz.
pub fn counter_freq() -> u64 {
    sysreg!("cntfrq_el0")
}

static RNG: Global<u64> = Global::new(0);

/// Random bytes: RNDR where the CPU has it, else a counter-seeded xorshift.
pub fn random(buf: &mut [u8]) {
    let state = RNG.get();
    if *state == 0 {
        *state = counter() | 1;
    }
    for chunk in buf.chunks_mut(8) {
        let mut v = 0u64;
        if FEATURES.get().rndr {
            // SAFETY: RNDR (s3_3_c2_c4_0) exists (ID_AA64ISAR0.RNDR); NZCV reports failure,
            // in which case the xorshift value below is used.
            unsafe { core::arch::asm!("mrs {}, s3_3_c2_c4_0", out(reg) v, options(nomem, nostack)) };
        }
        let mut x = *state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *state = x;
        v ^= x;
        let bytes = v.to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
}

/// The top of the kernel stack (where every trap frame is saved).
pub fn kstack_top() -> u64 {
    KSTACK.get() as *mut Stack as u64 + STACK_SIZE as u64
}

/// The GICv2 of the virt board: distributor and CPU interface.
const GICD: u64 = 0x0800_0000;
const GICC: u64 = 0x0801_0000;
/// The EL1 virtual timer's private interrupt.
pub const TIMER_IRQ: u32 = 27;
/// Scheduler tick: 10 ms.
const TICK_HZ: u64 = 100;

fn mmio_write(addr: u64, v: u32) {
    // SAFETY: the GIC's registers lie in the kernel map's device block.
    unsafe { core::ptr::write_volatile(crate::mm::p2v(addr) as *mut u32, v) };
}

fn mmio_read(addr: u64) -> u32 {
    // SAFETY: as above.
    unsafe { core::ptr::read_volatile(crate::mm::p2v(addr) as *const u32) }
}

/// Turns on the GIC and the virtual timer: a tick preempts the running process (the
/// kernel itself always runs with interrupts masked).
pub fn init_timer() {
    mmio_write(GICD, 1); // GICD_CTLR: forward interrupts
    mmio_write(GICD + 0x100, 1 << TIMER_IRQ); // GICD_ISENABLER0
    mmio_write(GICC + 0x4, 0xff); // GICC_PMR: every priority
    mmio_write(GICC, 1); // GICC_CTLR
    rearm_timer();
}

/// Schedules the next tick.
pub fn rearm_timer() {
    let tval = counter_freq() / TICK_HZ;
    // SAFETY: the EL1 virtual timer registers; CTL 1 = enabled, not masked.
    unsafe { core::arch::asm!("msr cntv_tval_el0, {}", "msr cntv_ctl_el0, {}", in(reg) tval, in(reg) 1u64) };
}

/// Acknowledges the pending interrupt: its number (1023 when spurious).
pub fn irq_ack() -> u32 {
    mmio_read(GICC + 0xc) // GICC_IAR
}

/// Ends interrupt `iar`.
pub fn irq_end(iar: u32) {
    mmio_write(GICC + 0x10, iar); // GICC_EOIR
}
