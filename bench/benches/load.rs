//! Loading: the eager load of a > 64 MiB program through the library against the machine's
//! physical limit (`pread` of every segment straight into the same, already faulted,
//! destination), and `prepare` + `load` in mapped and lazy mode for a small and a large
//! program (whose cost must not depend on the file's size).

use divan::{black_box, Bencher};
use exec_core::fs_host::FsHost;
use exec_core::{load, prepare, LoadMode, Prepared};
use execcore_bench::fixtures;
use execcore_bench::host::MemHost;
use execcore_bench::limit::{pread_segments, segment_bytes};
use execcore_bench::space::{MemorySpace, ReadChunk};
use std::fs::File;
use std::sync::LazyLock;
use test_support::counting::CountingSpace;

fn main() {
    divan::main();
}

/// The big program and its interpreter as files (the page cache is the "disk"), planned.
struct Big {
    main: File,
    prepared: Prepared<arch_x86_64::Info, File>,
}

static BIG: LazyLock<Big> = LazyLock::new(|| {
    let path = fixtures::big_dynpie().path;
    let main = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut host = FsHost::new("/");
    let prepared =
        prepare(&arch_x86_64::X86_64::default(), &main, &mut host, &execcore_bench::params(), None)
            .unwrap_or_else(|e| panic!("prepare {}: {e}", path.display()));
    Big { main, prepared }
});

/// Bytes one eager load of the big program copies (divan reports bytes/s from it).
fn big_bytes() -> u64 {
    segment_bytes(&BIG.prepared.plan)
}

fn eager_library(b: Bencher, chunk: ReadChunk) {
    let big = &*BIG;
    let mut space = MemorySpace::for_plan(&big.prepared.plan, chunk);
    b.counter(divan::counter::BytesCount::new(big_bytes())).bench_local(|| {
        load(&big.prepared.plan, &big.main, big.prepared.interpreter.as_ref(), &mut space, LoadMode::Eager)
    });
}

fn eager_limit(b: Bencher, chunk: ReadChunk) {
    let big = &*BIG;
    let mut space = MemorySpace::for_plan(&big.prepared.plan, chunk);
    b.counter(divan::counter::BytesCount::new(big_bytes())).bench_local(|| {
        pread_segments(&big.prepared.plan, &big.main, big.prepared.interpreter.as_ref(), &mut space)
    });
}

/// The eager load through the library, the address space reading each segment with one
/// `pread` straight into its destination.
#[divan::bench(sample_count = 30, sample_size = 1)]
fn eager_big_library_whole(b: Bencher) {
    eager_library(b, ReadChunk::Whole);
}

/// The same, in 2 MiB reads.
#[divan::bench(sample_count = 30, sample_size = 1)]
fn eager_big_library_2mib(b: Bencher) {
    eager_library(b, ReadChunk::MIB2);
}

/// The physical limit: `pread` of each segment, whole, into the same destination.
#[divan::bench(sample_count = 30, sample_size = 1)]
fn eager_big_limit_whole(b: Bencher) {
    eager_limit(b, ReadChunk::Whole);
}

/// The physical limit in 2 MiB `pread`s.
#[divan::bench(sample_count = 30, sample_size = 1)]
fn eager_big_limit_2mib(b: Bencher) {
    eager_limit(b, ReadChunk::MIB2);
}

/// What a page-by-page loader pays: one 4 KiB `pread` per page.
#[divan::bench(sample_count = 30, sample_size = 1)]
fn eager_big_limit_4kib(b: Bencher) {
    eager_limit(b, ReadChunk::PAGE);
}

static LD_SO: LazyLock<Vec<u8>> = LazyLock::new(fixtures::ld_so);

/// `prepare` + `load` of `name` ("small": 14 KiB, "big": > 64 MiB) in `mode`, the program
/// read from its file, the interpreter from memory, into an address space that only counts.
fn prepare_and_load(b: Bencher, name: &str, mode: LoadMode) {
    let path = match name {
        "small" => fixtures::small_dynpie().path,
        _ => fixtures::big_dynpie().path,
    };
    let main = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let interp = &LD_SO[..];
    b.bench_local(|| {
        let mut host = MemHost::new(interp);
        let prepared = execcore_bench::prepare_x86_64(black_box(&main), &mut host)?;
        let mut space = CountingSpace::default();
        load(&prepared.plan, &main, prepared.interpreter.as_ref(), &mut space, mode)
    });
}

#[divan::bench(args = ["small", "big"])]
fn mapped(b: Bencher, name: &str) {
    prepare_and_load(b, name, LoadMode::Mapped);
}

#[divan::bench(args = ["small", "big"])]
fn lazy(b: Bencher, name: &str) {
    prepare_and_load(b, name, LoadMode::Lazy);
}
