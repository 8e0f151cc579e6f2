//! Misbehaving sources: a one-byte-per-call source gives the same results as a slice, and a
//! source failing at call N (error, end of file, short read), for every N up to the number
//! of calls a clean run makes, gives the identical result or a clean error.
//!
//! Files: the project's fixtures (`testdata/bin`), the shared corpus when present, and a
//! few host binaries so that the test means something everywhere.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use common::{host_files, project_files, read, Summary};
use elf_stream::{Errno, Error, Limits};
use std::path::PathBuf;
use test_support::sources::{FailAt, Failure, NoSize, OneByte};

fn files() -> Vec<PathBuf> {
    let mut v = project_files();
    v.extend(host_files(24));
    v
}

fn limits() -> Limits {
    Limits::for_page_size(65536)
}

/// The slice and the size-less slice agree, except that only the former sees out-of-file
/// ranges before reading them.
fn same_modulo_size(sized: &Summary, unsized_: &Summary) -> bool {
    sized.parts().into_iter().zip(unsized_.parts()).all(|((_, a), (_, b))| match (a, b) {
        (
            Err(Error::SegmentOutsideFile { .. } | Error::ProgramHeaderTableOutsideFile { .. }),
            Err(Error::Truncated { .. }),
        ) => true,
        (a, b) => a == b,
    })
}

#[test]
fn one_byte_source_matches_slice() {
    let files = files();
    assert!(!files.is_empty());
    for path in &files {
        let bytes = read(path);
        let clean = Summary::of(&bytes[..], limits());
        let no_size = Summary::of(NoSize(&bytes), limits());
        assert!(same_modulo_size(&clean, &no_size), "{}:\n{clean:?}\n{no_size:?}", path.display());
        let one = Summary::of(OneByte(&bytes), limits());
        assert_eq!(one, no_size, "{}", path.display());
        let one_no_window = Summary::with_window::<_, 0>(OneByte(&bytes), limits());
        assert_eq!(one_no_window, no_size, "{}", path.display());
    }
    println!("one-byte source: {} files", files.len());
}

#[test]
fn failing_source_at_every_call() {
    failing_source::<{ elf_stream::DEFAULT_WINDOW }>();
}

#[test]
fn failing_source_at_every_call_without_window() {
    // No head window: every structure comes from its own reads, so many more calls fail.
    failing_source::<0>();
}

fn failing_source<const W: usize>() {
    let files = files();
    let mut runs = 0usize;
    for path in &files {
        let bytes = read(path);
        let counter = FailAt::new(&bytes, usize::MAX, Failure::Error);
        let clean = Summary::with_window::<_, W>(&counter, limits());
        let calls = counter.calls();
        assert!(calls >= 1);
        assert_eq!(clean, Summary::of(NoSize(&bytes), limits()));
        for n in 1..=calls + 1 {
            for how in [Failure::Error, Failure::Eof, Failure::Short] {
                runs += 1;
                let src = FailAt::new(&bytes, n, how);
                let got = Summary::with_window::<_, W>(&src, limits());
                let what = format!("{} failing at call {n} of {calls} ({how:?})", path.display());
                match how {
                    // Short reads are allowed by the contract: identical results.
                    Failure::Short => assert_eq!(got, clean, "{what}"),
                    Failure::Error => got
                        .consistent_with(&clean, |e| {
                            *e == Error::Read { offset: read_offset(e), errno: Errno::EIO }
                        })
                        .unwrap_or_else(|e| panic!("{what}: {e}")),
                    Failure::Eof => got
                        .consistent_with(&clean, |e| matches!(e, Error::Truncated { .. }))
                        .unwrap_or_else(|e| panic!("{what}: {e}")),
                }
                if n == 1 && how != Failure::Short {
                    assert!(got.header.is_err(), "{what}: the first call reads the header");
                }
                if n > calls {
                    assert_eq!(got, clean, "{what}: never reached");
                }
            }
        }
    }
    println!("failing source, window {W}: {} files, {runs} runs", files.len());
}

fn read_offset(e: &Error) -> u64 {
    match e {
        Error::Read { offset, .. } => *offset,
        _ => u64::MAX,
    }
}
