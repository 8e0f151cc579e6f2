//! Output: the PL011 UART carries the programs' output; the kernel's log and the final
//! exit status go through semihosting (qemu's standard error and exit code), so the
//! program's bytes on the UART stay exactly its own.

use core::fmt::Write;

const UART: u64 = 0x0900_0000;

/// Writes `bytes` to the PL011 UART (program output).
pub fn uart_write(bytes: &[u8]) {
    let base = crate::mm::p2v(UART);
    for &b in bytes {
        // SAFETY: the device block of the kernel map covers the PL011 at 0x09000000;
        // FR (0x18) bit 5 is "transmit FIFO full", DR (0x00) takes one byte.
        unsafe {
            while core::ptr::read_volatile(base.add(0x18) as *const u32) & (1 << 5) != 0 {}
            core::ptr::write_volatile(base as *mut u32, u32::from(b));
        }
    }
}

/// A semihosting call (`HLT #0xF000`): `op` with the parameter block at `arg`.
fn semihost(op: u64, arg: u64) -> u64 {
    let ret;
    // SAFETY: qemu runs with -semihosting: the HLT traps to the emulator, which reads
    // the parameter block at `arg` and returns in x0.
    unsafe { core::arch::asm!("hlt #0xf000", inout("x0") op => ret, in("x1") arg, options(nostack)) };
    ret
}

struct Log {
    buf: [u8; 256],
    len: usize,
}

impl Log {
    fn flush(&mut self) {
        if self.len == 0 {
            return;
        }
        let n = self.len.min(self.buf.len() - 1);
        self.buf[n] = 0;
        semihost(0x04, self.buf.as_ptr() as u64); // SYS_WRITE0
        self.len = 0;
    }
}

impl Write for Log {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &b in s.as_bytes() {
            if self.len == self.buf.len() - 1 {
                self.flush();
            }
            self.buf[self.len] = if b == 0 { b'?' } else { b };
            self.len += 1;
        }
        Ok(())
    }
}

/// Writes one formatted line to the kernel log.
pub fn log_fmt(args: core::fmt::Arguments) {
    let mut l = Log { buf: [0; 256], len: 0 };
    let _ = l.write_fmt(args);
    let _ = l.write_str("\n");
    l.flush();
}

/// A line on the kernel log.
#[macro_export]
macro_rules! log {
    ($($t:tt)*) => { $crate::log::log_fmt(format_args!($($t)*)) };
}

/// Ends the emulation with `code` as qemu's exit status.
pub fn exit(code: u32) -> ! {
    // ADP_Stopped_ApplicationExit with the status (SYS_EXIT, AArch64 parameter block).
    let block = [0x20026u64, u64::from(code)];
    semihost(0x18, block.as_ptr() as u64);
    loop {
        // SAFETY: only reached if semihosting is off: stop here.
        unsafe { core::arch::asm!("wfi") };
    }
}
