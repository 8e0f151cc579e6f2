//! Full `prepare` (program + interpreter + stack image plan) of the same files the header
//! benchmark reads, in memory: the interpreter (the host's ld.so) is served by `MemHost`,
//! so the time is the library's, not `open(2)`'s. `prepare_into` is the same work with
//! the plan built in storage the caller keeps (reused here, as a kernel would).

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

#[divan::bench(args = ["static", "dynpie", "big"])]
fn prepare_into(b: Bencher, name: &str) {
    let main = &FILES[name][..];
    let interp = &LD_SO[..];
    let policy = arch_x86_64::X86_64::default();
    let params = execcore_bench::params();
    let mut out = None;
    b.bench_local(|| {
        let mut host = MemHost::new(interp);
        exec_core::prepare_into(&policy, black_box(main), &mut host, &params, None, &mut out)
            .map(|p| p.plan.entry)
    });
}
