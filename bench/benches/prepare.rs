//! Full `prepare` (program + interpreter + stack image plan) of the same files the header
//! benchmark reads, in memory: the interpreter (the host's ld.so) is served by `MemHost`,
//! so the time is the library's, not `open(2)`'s.

use divan::{black_box, Bencher};
use execcore_bench::fixtures::{self, Fixture};
use execcore_bench::host::MemHost;
use std::collections::BTreeMap;
use std::sync::LazyLock;

fn main() {
    divan::main();
}

static FILES: LazyLock<BTreeMap<&'static str, Vec<u8>>> =
    LazyLock::new(|| fixtures::comparison_set().iter().map(|f: &Fixture| (f.name, f.bytes())).collect());
static LD_SO: LazyLock<Vec<u8>> = LazyLock::new(fixtures::ld_so);

#[divan::bench(args = ["static", "dynpie", "big"])]
fn prepare(b: Bencher, name: &str) {
    let main = &FILES[name][..];
    let interp = &LD_SO[..];
    assert!(execcore_bench::prepare_x86_64(main, &mut MemHost::new(interp)).is_ok(), "{name}");
    b.bench(|| {
        let mut host = MemHost::new(interp);
        execcore_bench::prepare_x86_64(black_box(main), &mut host).map(|p| p.plan.entry)
    });
}
