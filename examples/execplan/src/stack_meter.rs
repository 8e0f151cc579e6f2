//! Stack high-water of one call: paint a region below the caller's frame, run the call,
//! find the lowest byte it changed. What `--stats` reports per entry point.
//!
//! Only meaningful on a thread whose stack is mapped well below the current frame:
//! [`on_measuring_thread`] gives one.

use std::hint::black_box;

/// Bytes painted: far more than any entry point may use, so a deep call is still seen.
const PAINT: usize = 256 << 10;
/// Bytes right below the measuring frame left unpainted: room for the painter's own frame.
const MARGIN: usize = 1024;
/// The paint (a value no return address or small integer is likely to be, byte after byte).
const PATTERN: u8 = 0xa5;
/// Stack of the measuring thread: the painted region and the measured call fit with room.
const THREAD_STACK: usize = 8 << 20;

/// Runs `f` on a fresh thread with a [`THREAD_STACK`]-byte stack and returns its result.
pub fn on_measuring_thread<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        let thread = std::thread::Builder::new().stack_size(THREAD_STACK).spawn_scoped(s, f);
        match thread.map(|t| t.join()) {
            Ok(Ok(v)) => v,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(e) => panic!("cannot start the measuring thread: {e}"),
        }
    })
}

/// Runs `f` and returns its result with the bytes of stack it used below this frame
/// (its own frames and everything it called; at least [`MARGIN`] is not resolved).
#[inline(never)]
pub fn high_water<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let marker = 0u8;
    let top = black_box(std::ptr::addr_of!(marker)) as usize;
    let base = top - MARGIN - PAINT;
    paint(base);
    let out = black_box(f)();
    let used = top - lowest_changed(base);
    (out, used)
}

#[inline(never)]
fn paint(base: usize) {
    for i in 0..PAINT {
        let p = std::ptr::with_exposed_provenance_mut::<u8>(base + i);
        // SAFETY: `[base, base + PAINT)` lies below the live frames of this thread, inside
        // its stack mapping (THREAD_STACK is far larger than PAINT + MARGIN + the frames
        // above); nothing live is there, and volatile keeps the stores.
        unsafe { p.write_volatile(PATTERN) };
    }
}

/// The lowest address in the painted region whose byte no longer holds the paint
/// (`base + PAINT` when nothing was touched).
#[inline(never)]
fn lowest_changed(base: usize) -> usize {
    (0..PAINT)
        .find(|&i| {
            let p = std::ptr::with_exposed_provenance::<u8>(base + i);
            // SAFETY: the same mapped, painted region as in `paint`; reading a byte the
            // measured call may have written is what this is for.
            unsafe { p.read_volatile() != PATTERN }
        })
        .map_or(base + PAINT, |i| base + i)
}

#[cfg(test)]
mod tests {
    use super::{high_water, on_measuring_thread};
    use std::hint::black_box;

    #[inline(never)]
    fn uses(n: usize) -> u8 {
        let mut frame = [0u8; 16 << 10];
        black_box(&mut frame[..n]).fill(1);
        black_box(&frame)[n / 2]
    }

    #[test]
    fn sees_a_frame_of_known_size() {
        let ((), small) = on_measuring_thread(|| high_water(|| ()));
        let (_, big) = on_measuring_thread(|| high_water(|| uses(16 << 10)));
        assert!(small < 2048, "an empty call used {small} bytes");
        assert!((16 << 10..20 << 10).contains(&big), "a 16 KiB frame measured as {big} bytes");
    }
}
