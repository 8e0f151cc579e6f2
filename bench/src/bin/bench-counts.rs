//! bench-counts: the benchmark numbers that are not wall time, one `key value` per line
//! (`ci/bench.sh` turns them into the BENCHMARKS.md table):
//!
//! - `read_at` calls and bytes of `prepare` per file (program + interpreter);
//! - `read_at` calls and bytes of the eager load of the > 64 MiB program, per read size
//!   of the address space, and through the library's 512-byte bounce fallback;
//! - heap allocations (count and bytes) of `prepare` + `load` + `write_stack`, counted by
//!   a global allocator: peak heap is 0 when both are 0.

use elf_stream::Counting;
use exec_core::{load, write_stack, ArchPolicy, LoadMode};
use execcore_bench::fixtures::{self, Fixture};
use execcore_bench::host::MemHost;
use execcore_bench::limit::segment_bytes;
use execcore_bench::space::{MemorySpace, ReadChunk};
use std::fs::File;
use test_support::alloc_counter::CountingAllocator;
use test_support::counting::CountingSpace;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::new();

fn open(f: &Fixture) -> File {
    File::open(&f.path).unwrap_or_else(|e| panic!("{}: {e}", f.path.display()))
}

/// `prepare`'s reads of `f` (program from its file, interpreter from memory).
fn prepare_reads(f: &Fixture, ld_so: &[u8]) {
    let file = open(f);
    let main = Counting::new(&file);
    let mut host = MemHost::new(ld_so);
    let p = execcore_bench::prepare_x86_64(&main, &mut host).unwrap_or_else(|e| panic!("{}: {e}", f.name));
    let (ic, ib) = p.interpreter.as_ref().map_or((0, 0), |i| (i.calls(), i.bytes()));
    println!("prepare.{}.read_calls {}", f.name, main.calls() + ic);
    println!("prepare.{}.bytes_read {}", f.name, main.bytes() + ib);
    println!("file.{}.size {}", f.name, f.size());
}

/// The eager load's reads of `f` with `chunk`-sized reads (`None`: the bounce fallback).
fn eager_reads(f: &Fixture, ld_so: &[u8], chunk: Option<ReadChunk>, label: &str) {
    let file = open(f);
    let mut host = MemHost::new(ld_so);
    let p = execcore_bench::prepare_x86_64(&file, &mut host).unwrap_or_else(|e| panic!("{}: {e}", f.name));
    let main = Counting::new(&file);
    let interp = p.interpreter.as_ref().map(|i| Counting::new(*i.get_ref()));
    let result = match chunk {
        Some(c) => {
            load(&p.plan, &main, interp.as_ref(), &mut MemorySpace::for_plan(&p.plan, c), LoadMode::Eager)
        }
        None => load(&p.plan, &main, interp.as_ref(), &mut CountingSpace::default(), LoadMode::Eager),
    };
    result.unwrap_or_else(|e| panic!("load {}: {e}", f.name));
    let (ic, ib) = interp.as_ref().map_or((0, 0), |i| (i.calls(), i.bytes()));
    println!("eager.{}.{label}.read_calls {}", f.name, main.calls() + ic);
    println!("eager.{}.{label}.bytes_read {}", f.name, main.bytes() + ib);
    println!("eager.{}.segment_bytes {}", f.name, segment_bytes(&p.plan));
}

/// Allocations of `prepare` + eager `load` + `write_stack` of `f` (the destination memory
/// is allocated before counting starts).
fn heap(f: &Fixture, ld_so: &[u8]) {
    let file = open(f);
    let policy = arch_x86_64::X86_64::default();
    let params = execcore_bench::params();
    let mut host = MemHost::new(ld_so);
    let planned =
        execcore_bench::prepare_x86_64(&file, &mut host).unwrap_or_else(|e| panic!("{}: {e}", f.name));
    let mut memory = MemorySpace::for_plan(&planned.plan, ReadChunk::MIB2);
    let mut stack = CountingSpace::default();
    let (ok, allocations, bytes) = ALLOC.measure(|| {
        let mut host = MemHost::new(ld_so);
        let Ok(p) = execcore_bench::prepare_x86_64(&file, &mut host) else { return false };
        let loaded = load(&p.plan, &file, p.interpreter.as_ref(), &mut memory, LoadMode::Eager);
        let platforms = (policy.platform(p.plan.abi), policy.base_platform(p.plan.abi));
        let built = write_stack(&p.plan.stack, &params, platforms, &p.plan.auxv, &[7; 16], &mut stack);
        loaded.is_ok() && built.is_ok()
    });
    assert!(ok, "{}: prepare + load + write_stack failed", f.name);
    println!("heap.{}.allocations {allocations}", f.name);
    println!("heap.{}.bytes {bytes}", f.name);
}

fn main() {
    let ld_so = fixtures::ld_so();
    let set = fixtures::comparison_set();
    for f in set.iter().chain([fixtures::small_dynpie()].iter()) {
        prepare_reads(f, &ld_so);
        heap(f, &ld_so);
    }
    let big = fixtures::big_dynpie();
    eager_reads(&big, &ld_so, Some(ReadChunk::Whole), "whole");
    eager_reads(&big, &ld_so, Some(ReadChunk::MIB2), "2mib");
    eager_reads(&big, &ld_so, Some(ReadChunk::PAGE), "4kib");
    eager_reads(&big, &ld_so, None, "bounce");
}
