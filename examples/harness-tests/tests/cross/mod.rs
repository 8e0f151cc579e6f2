//! Running programs of another architecture through the cross-built C harness under
//! qemu-user, and comparing them with a direct qemu run of the same program.
//!
//! qemu-user has no userfaultfd, so lazy mode is checked by `--verify-faults`: after an
//! eager (or mapped) load the harness compares every page of every mapping with what
//! `execcore_resolve_fault` says the page holds, and reports the pages, the mismatches,
//! the stack high-water of prepare + load and the file reads.
#![allow(dead_code)] // each test binary uses the part for its architectures

pub mod probe;

pub use harness_tests::repo;
use harness_tests::{assert_same_run, assert_same_text, Stream};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// A harness port: `make -C examples/c TARGET=<make>` builds `exec-harness-<make>`,
/// which runs under `qemu`.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub make: &'static str,
    pub qemu: &'static str,
}

impl Target {
    /// The harness binary, built once per test process.
    pub fn harness(&self) -> PathBuf {
        static BUILT: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
        let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
        let path = repo().join(format!("examples/c/exec-harness-{}", self.make));
        if !built.contains(&self.make) {
            let out = Command::new("make")
                .arg("-C")
                .arg(repo().join("examples/c"))
                .arg(format!("TARGET={}", self.make))
                .output()
                .expect("run make");
            assert!(
                out.status.success(),
                "make TARGET={} failed:\n{}{}",
                self.make,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            built.push(self.make);
        }
        path
    }
}

/// One program to run, with the sysroot its interpreter and libraries come from.
#[derive(Clone, Debug)]
pub struct Program {
    pub name: String,
    pub path: PathBuf,
    pub qemu: String,
    /// `-L` for qemu and `--root` for the harness; `None` for programs without PT_INTERP.
    pub root: Option<String>,
}

impl Program {
    pub fn probe(&self) -> bool {
        self.name.starts_with("probe")
    }
}

/// Reads a MANIFEST.tsv whose header names the columns `name`, `qemu` and `sysroot`.
fn manifest(path: &Path, dir: &Path) -> Vec<Program> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col =
        |n: &str| header.iter().position(|h| *h == n).unwrap_or_else(|| panic!("{}: no {n}", path.display()));
    let (name, qemu, root) = (col("name"), col("qemu"), col("sysroot"));
    lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f.len() > root)
        .map(|f| Program {
            name: f[name].to_string(),
            path: dir.join(f[name]),
            qemu: f[qemu].to_string(),
            root: (f[root] != "-").then(|| f[root].to_string()),
        })
        .collect()
}

/// Every program of the shared corpus and of the project's fixtures that runs under `qemu`.
pub fn programs(qemu: &str) -> Vec<Program> {
    let corpus = repo().join("../shared/corpus/bin");
    let fixtures = repo().join("testdata/bin");
    let mut all = manifest(&corpus.join("MANIFEST.tsv"), &corpus);
    all.extend(manifest(&repo().join("testdata/MANIFEST.tsv"), &fixtures));
    all.retain(|p| p.qemu == qemu);
    for p in &all {
        assert!(p.path.is_file(), "{} is listed but missing", p.path.display());
    }
    all
}

/// The aarch64 corpus and fixtures (qemu-aarch64-static), asserted to hold glibc static,
/// static-pie, dynamic PIE and ET_EXEC; musl static, static-pie, dynamic; Rust std (glibc
/// and musl); BTI-marked code.
pub fn aarch64_programs() -> Vec<Program> {
    let progs = programs("qemu-aarch64-static");
    for k in [
        "glibc-dyn",
        "glibc-dynpie",
        "glibc-static",
        "glibc-staticpie",
        "musl-dynpie",
        "musl-static",
        "musl-staticpie",
        "rusthello-aarch64-gnu",
        "rusthello-aarch64-musl",
        "aarch64-bti",
    ] {
        assert!(progs.iter().any(|p| p.name.contains(k)), "no {k} program");
    }
    progs
}

/// What `--verify-faults` wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub pages: u64,
    pub mismatches: u64,
    pub stack: u64,
    pub reads: u64,
    pub read_bytes: u64,
}

impl Report {
    fn parse(text: &str) -> Report {
        let kv: HashMap<&str, u64> = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .chunks(2)
            .map(|c| (c[0], c[1].parse().unwrap_or_else(|_| panic!("bad report {text:?}"))))
            .collect();
        let get = |k: &str| *kv.get(k).unwrap_or_else(|| panic!("report {text:?} lacks {k}"));
        Report {
            pages: get("pages"),
            mismatches: get("mismatches"),
            stack: get("stack"),
            reads: get("reads"),
            read_bytes: get("read_bytes"),
        }
    }
}

pub const ENV: [(&str, &str); 3] = [("PATH", "/usr/bin:/bin"), ("HOME", "/root"), ("LC_ALL", "C")];
pub const ARGS: [&str; 2] = ["one", "two words"];

fn qemu(p: &Program, qemu: &str) -> Command {
    let mut cmd = Command::new(qemu);
    if let Some(root) = &p.root {
        cmd.arg("-L").arg(root);
    }
    cmd.env_clear().envs(ENV);
    cmd
}

/// The program run directly by qemu.
pub fn direct(p: &Program, args: &[&str]) -> Output {
    qemu(p, &p.qemu).arg(&p.path).args(args).output().expect("spawn qemu")
}

/// qemu running the harness in `mode`, with `p`'s root; the caller adds options and `p`.
fn harness_cmd(t: Target, p: &Program, mode: &str) -> Command {
    let mut cmd = qemu(p, t.qemu);
    cmd.arg(t.harness()).args(["--mode", mode]);
    if let Some(root) = &p.root {
        cmd.args(["--root", root]);
    }
    cmd
}

/// The program loaded by the harness in `mode` (eager or mapped), with the fault
/// resolver checked against every loaded page.
pub fn through(t: Target, p: &Program, mode: &str, args: &[&str]) -> (Output, Report) {
    let report = std::env::temp_dir().join(format!(
        "execcore-verify-{}-{}-{mode}-{:?}",
        std::process::id(),
        p.name,
        std::thread::current().id()
    ));
    let _ = std::fs::remove_file(&report);
    let out = harness_cmd(t, p, mode)
        .arg("--verify-faults")
        .arg(&report)
        .arg(&p.path)
        .args(args)
        .output()
        .expect("spawn qemu");
    let text = std::fs::read_to_string(&report).unwrap_or_else(|_| {
        panic!("{} ({mode}): no report; stderr {}", p.name, String::from_utf8_lossy(&out.stderr))
    });
    let _ = std::fs::remove_file(&report);
    (out, Report::parse(&text))
}

/// A program the harness must reject: its output (no report is written).
pub fn through_rejected(t: Target, p: &Program, mode: &str) -> Output {
    harness_cmd(t, p, mode).arg(&p.path).output().expect("spawn qemu")
}

pub const MODES: [&str; 2] = ["eager", "mapped"];

/// Runs `p` directly and through the harness in each mode: exit status, stdout and stderr
/// equal (the probe: its stack contents, see [`probe::same`]), every page equal to the
/// fault resolver's. Returns the reports (eager, mapped).
pub fn same(t: Target, p: &Program, args: &[&str]) -> Vec<Report> {
    let want = direct(p, args);
    assert!(
        want.status.success() || p.name.contains("fail"),
        "{}: the direct qemu run failed: {}",
        p.name,
        String::from_utf8_lossy(&want.stderr)
    );
    let mut reports = Vec::new();
    for mode in MODES {
        let (got, report) = through(t, p, mode, args);
        let what = format!("{} ({mode})", p.name);
        assert_same_run(&what, &got, &want, |stream, got, want| match stream {
            // The probe prints its stack: compared entry by entry.
            Stream::Stdout if p.probe() => probe::same(&what, got, want),
            _ => assert_same_text(&what, stream, got, want),
        });
        assert!(report.pages > 0 && report.mismatches == 0, "{what}: fault resolver {report:?}");
        reports.push(report);
    }
    reports
}
