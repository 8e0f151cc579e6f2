//! `libexeccore.a`: re-exports every `execcore_*` symbol of the `ffi` crate and owns the
//! panic handler, which calls the kernel-provided `execcore_panic`. Panics are unreachable
//! by construction (no unwrap, no indexing, checked arithmetic); this is the last line.
#![no_std]

pub use execcore_ffi::*;

#[cfg(all(feature = "panic-handler", not(test)))]
mod panic {
    extern "C" {
        /// Provided by the kernel: report `msg` (`len` bytes, not NUL-terminated) and stop.
        fn execcore_panic(msg: *const u8, len: usize) -> !;
    }

    #[panic_handler]
    fn on_panic(_info: &core::panic::PanicInfo<'_>) -> ! {
        const MSG: &str = "execcore: internal panic";
        // SAFETY: the kernel provides `execcore_panic`; MSG is valid for its length.
        unsafe { execcore_panic(MSG.as_ptr(), MSG.len()) }
    }
}

/// The precompiled `core` of hosted targets (x86_64-unknown-linux-gnu...) is built with
/// unwind tables that name `rust_eh_personality`; with `panic = "abort"` nothing ever
/// unwinds, so this symbol only satisfies the linker. Bare-metal targets do not need it.
#[cfg(all(feature = "panic-handler", not(target_os = "none"), not(test)))]
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}
