//! A small `no_std` kernel for `qemu-system-aarch64 -M virt` that runs Linux arm64
//! programs through execcore. Read `README.md` first; `exec.rs` is the part to lift.
#![no_std]
#![no_main]

mod arch;
mod exec;
mod fdt;
mod fs;
mod initramfs;
mod log;
mod mm;
mod proc;
mod pt;
mod syscall;
mod trap;

use core::cell::UnsafeCell;

/// A kernel global: one CPU, no interrupts while the kernel runs (every entry runs to
/// completion with IRQs masked), so it is never used concurrently. `get` hands out
/// `&mut`: a path must not hold one while taking another of the same global (a kernel
/// with more than one CPU needs a lock here instead).
#[repr(transparent)]
pub struct Global<T>(UnsafeCell<T>);

// SAFETY: single CPU and no preemption inside the kernel: accesses never overlap.
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    /// A global holding `v`.
    pub const fn new(v: T) -> Self {
        Global(UnsafeCell::new(v))
    }

    /// The value. Callers never keep two of these for the same global at once.
    #[allow(clippy::mut_from_ref)]
    pub fn get(&self) -> &mut T {
        // SAFETY: see the `Sync` impl: one CPU, run-to-completion kernel entries; each
        // caller's borrow ends before another kernel path takes it.
        unsafe { &mut *self.0.get() }
    }
}

/// The kernel's entry from the boot code, with the MMU on, running in the upper half.
#[no_mangle]
extern "C" fn kmain(dtb_phys: u64) -> ! {
    let fdt = fdt::Fdt::at(mm::p2v(dtb_phys));
    let boot = fdt.map(|f| f.boot_info()).unwrap_or_default();
    log!(
        "kernel-aarch64: dtb {:#x} ram {:#x}+{:#x} initrd {:#x}..{:#x}",
        dtb_phys,
        boot.ram_start,
        boot.ram_size,
        boot.initrd_start,
        boot.initrd_end
    );
    // Free memory: RAM minus the kernel image, the initramfs and the device tree.
    let reserved = [
        (boot.ram_start, arch::kernel_phys_end()),
        (boot.initrd_start, boot.initrd_end),
        (dtb_phys, dtb_phys + fdt.map_or(0x10000, |f| f.total_size())),
    ];
    mm::init(boot.ram_start, boot.ram_start + boot.ram_size, &reserved);
    log!("pages: {} free", mm::free_pages());
    let initrd = mm::p2v_slice(boot.initrd_start, boot.initrd_end - boot.initrd_start);
    initramfs::init(initrd);
    let cmdline = fdt.map(|f| f.bootargs()).unwrap_or(b"");
    arch::init_cpu();
    arch::init_timer();
    proc::boot(cmdline)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    log!("kernel panic: {}", info);
    log::exit(99)
}
