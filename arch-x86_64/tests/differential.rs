//! Differential test against the host kernel: mutants of the x86_64 fixtures, of the
//! shared corpus's x86_64 programs and of a few host programs (fixed seed,
//! `test_support::mutate`) are executed on the host kernel under ptrace — ASLR off, as
//! the unprivileged user nobody, stopped at the first instruction and killed — and planned
//! by execcore with the host's `mmap_min_addr`; accept/reject, the errno, every page's
//! protection, the entry, AT_PHDR/AT_PHNUM/AT_ENTRY/AT_BASE, start_brk and the stack top
//! are compared (`test_support::differential`).
//!
//! `cargo test` runs 300 mutants; `ci/differential.sh N` runs N (`DIFFERENTIAL_MUTANTS`)
//! and prints every class of difference.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use exec_core::fs_host::FsHost;
use exec_core::{ExecParams, KernelVersion, Personality, Profile};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use test_support::differential::{self, compare, errno_name, Planned, Summary, Verdict};
use test_support::hostkernel::{self, Launch};
use test_support::invariants;
use test_support::mutate::{Config, Mutant};

/// The agreement `cargo test`'s 300 mutants reach today (percent, rounded down): the test
/// fails when it drops. The goal is 99.5.
const AGREEMENT_FLOOR: f64 = 99.5;

/// A directory of fixed-length name (the interpreter paths written into mutants have the
/// same length on every run), open to nobody, removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Dir {
        let d = PathBuf::from(format!("/tmp/execcore-diff-{:010}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
        Dir(d)
    }

    fn write(&self, name: &str, bytes: &[u8], mode: u32) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        p
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn is_x86_64_exec(bytes: &[u8]) -> bool {
    bytes.len() > 64
        && bytes[..4] == *b"\x7fELF"
        && bytes[4] == 2
        && bytes[18] == 62
        && matches!(bytes[16], 2 | 3)
}

/// The base programs: every x86_64 executable of the fixtures and the corpus, and a few
/// host programs (a dynamic PIE, ld.so run directly).
fn bases() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = test_support::corpus::all()
        .into_iter()
        .filter(|e| is_x86_64_exec(&e.bytes))
        .map(|e| (e.name, e.bytes))
        .collect();
    for p in ["/usr/bin/true", "/usr/bin/env", "/lib64/ld-linux-x86-64.so.2"] {
        let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("{p}: {e}"));
        v.push((Path::new(p).file_name().unwrap().to_str().unwrap().to_string(), bytes));
    }
    assert!(v.len() >= 12, "{} x86_64 base programs", v.len());
    v
}

/// Runs `n` mutants on the kernel and through execcore.
fn run(n: usize) -> Summary {
    let dir = Dir::new("mutants");
    let ld = std::fs::read("/lib64/ld-linux-x86-64.so.2").unwrap();
    let static_exe = std::fs::read(test_support::corpus::fixtures_bin().join("x86_64-static")).unwrap();
    // Interpreter paths a mutant may name: missing, a directory, a file below a file, a
    // device, a non-executable copy of ld.so, a file too short for an ELF header, an empty
    // file, a non-ELF file, a PIE and an ET_EXEC program.
    let interp_paths: Vec<String> = vec![
        "/nonexistent/ld.so".into(),
        "/lib64".into(),
        "/lib64/ld-linux-x86-64.so.2/x".into(),
        "/dev/null".into(),
        dir.write("ld-noexec.so", &ld, 0o644).display().to_string(),
        dir.write("ld-short.so", &ld[..40], 0o755).display().to_string(),
        dir.write("ld-empty.so", &[], 0o755).display().to_string(),
        dir.write("ld-text.so", b"#!/bin/sh\necho not ELF\n", 0o755).display().to_string(),
        "/usr/bin/true".into(),
        dir.write("ld-exec", &static_exe, 0o755).display().to_string(),
    ];
    let config = Config { interp_paths, seed: differential::seed() };
    let bases = bases();
    let launch = Launch::default();
    let min_addr = hostkernel::mmap_min_addr();
    let mut summary = Summary::default();
    for m in differential::mutants(&bases, n, &config) {
        let path = dir.write(&m.name, &m.bytes, 0o755);
        let kernel = hostkernel::run(&path, &launch);
        let verdict = plan_and_compare(&path, &m, &kernel, min_addr);
        summary.add(&m, &verdict);
        std::fs::remove_file(&path).unwrap();
    }
    summary
}

fn plan_and_compare(path: &Path, m: &Mutant, kernel: &hostkernel::Run, min_addr: u64) -> Verdict {
    let execfn = path.to_str().unwrap().as_bytes();
    let argv: [&[u8]; 1] = [execfn];
    let envp: [&[u8]; 1] = [b"ORACLE=1"];
    let mut params = ExecParams::new(execfn);
    params.argv = &argv;
    params.envp = &envp;
    params.mmap_min_addr = min_addr;
    // The host kernel's version; the runner's personality (no ASLR).
    let (major, minor) = hostkernel::kernel_version();
    params.profile = Profile::Linux(KernelVersion::new(major, minor));
    params.personality = Personality::ADDR_NO_RANDOMIZE;
    params.overcommit = hostkernel::overcommit();
    let file = std::fs::File::open(path).unwrap();
    let mut host = FsHost::new("/");
    host.seed = Some(1);
    let prepared = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        exec_core::prepare(&arch_x86_64::X86_64::default(), &file, &mut host, &params, None)
    }));
    match prepared {
        Err(_) => Verdict::Differ { class: "execcore panicked".into(), detail: m.ops.join(" ") },
        Ok(Ok(p)) => {
            // The interpreter the plan was made from: the source prepare opened.
            let interp = match p.interpreter.as_ref() {
                Some(mut f) => {
                    use std::io::{Read, Seek};
                    let mut v = Vec::new();
                    f.rewind().and_then(|_| f.read_to_end(&mut v)).unwrap();
                    v
                }
                None => Vec::new(),
            };
            if let Err(e) = invariants::check_plan(&p.plan, &m.bytes, &interp) {
                return Verdict::Unsound(e);
            }
            compare(&Planned::Plan(&p.plan), kernel, &errno_name)
        }
        Ok(Err(e)) => compare::<()>(
            &Planned::Rejected { errno: e.errno().0, error: e.to_string() },
            kernel,
            &errno_name,
        ),
    }
}

#[test]
fn host_kernel_agrees_on_mutants() {
    let n = differential::mutant_count(300);
    let summary = run(n);
    let (major, minor) = hostkernel::kernel_version();
    println!("{}", summary.report(&format!("host kernel {major}.{minor} (x86_64)")));
    assert_eq!(summary.total, n);
    assert!(summary.unsound.is_empty(), "unsound plans: {:?}", summary.unsound);
    assert!(
        summary.agreement() >= AGREEMENT_FLOOR,
        "agreement {:.2} % below {AGREEMENT_FLOOR} %:\n{}",
        summary.agreement(),
        summary.report("host")
    );
}

/// One field of a kernel run changed.
type Change = fn(&mut hostkernel::Run);

fn aux(k: &mut hostkernel::Run, t: u64) {
    k.auxv.iter_mut().find(|e| e.0 == t).unwrap().1 += 8;
}

/// The comparison sees each field: the unchanged fixtures agree with the kernel, and a
/// kernel run changed in one field at a time differs in exactly that field.
#[test]
fn each_compared_field_can_differ() {
    let dir = Dir::new("fields");
    let min_addr = hostkernel::mmap_min_addr();
    for name in ["x86_64-static", "x86_64-dyn-pie"] {
        let bytes = std::fs::read(test_support::corpus::fixtures_bin().join(name)).unwrap();
        let m = Mutant::unchanged(name, bytes);
        let path = dir.write(name, &m.bytes, 0o755);
        let kernel = hostkernel::run(&path, &Launch::default());
        assert_eq!(plan_and_compare(&path, &m, &kernel, min_addr), Verdict::Agree("ran".into()), "{name}");
        let changes: [(&str, Change); 8] = [
            ("pages", |k| k.maps[0].perms = "rwxp".into()),
            ("entry", |k| k.pc += 1),
            ("AT_PHDR", |k| aux(k, 3)),
            ("AT_PHNUM", |k| aux(k, 5)),
            ("AT_BASE", |k| aux(k, 7)),
            ("AT_ENTRY", |k| aux(k, 9)),
            ("brk", |k| k.start_brk += 4096),
            ("stack top", |k| k.stack_top += 4096),
        ];
        for (field, change) in changes {
            let mut k = kernel.clone();
            change(&mut k);
            let v = plan_and_compare(&path, &m, &k, min_addr);
            assert_eq!(v.class(), format!("layout: {field}"), "{name}: {v:?}");
        }
        let mut failed = kernel.clone();
        failed.exec = hostkernel::Exec::Failed(8);
        assert!(!plan_and_compare(&path, &m, &failed, min_addr).agrees(), "{name}");
    }
}
