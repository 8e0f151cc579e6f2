//! Builds examples/c (libexeccore.a + exec-harness) and runs real programs through it in
//! each load mode, requiring stdout, stderr and exit status equal to a direct run.
//!
//! Comparable output: programs that print addresses or their own maps (the corpus `probe`
//! programs) are compared on exit status and on the lines that contain no hexadecimal
//! address and no path of the executable (`/proc/self/exe` names the harness when loaded
//! in-process; addresses differ because the harness plans within its own window).
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use test_support::temp::TempDir;

use harness_tests::{assert_same_run, assert_same_text, harness, repo};

const MODES: [&str; 3] = ["eager", "mapped", "lazy"];

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("spawn")
}

fn direct(prog: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    run(Command::new(prog).args(args).env_clear().envs(env.iter().copied()))
}

fn through(mode: &str, prog: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    run(Command::new(harness()).args(["--mode", mode, prog]).args(args).env_clear().envs(env.iter().copied()))
}

fn comparable(text: &str, prog: &str) -> Vec<String> {
    let addr = |l: &str| l.contains("0x") || l.split(|c: char| !c.is_ascii_hexdigit()).any(|w| w.len() >= 8);
    text.lines()
        .filter(|l| !addr(l) && !l.contains(prog) && !l.contains("exec-harness"))
        .map(str::to_string)
        .collect()
}

fn same(prog: &str, args: &[&str], env: &[(&str, &str)], exact: bool) {
    let want = direct(prog, args, env);
    for mode in MODES {
        let got = through(mode, prog, args, env);
        let what = format!("{prog} {args:?} ({mode})");
        assert_same_run(&what, &got, &want, |stream, got, want| {
            if exact {
                assert_same_text(&what, stream, got, want);
            } else {
                assert_eq!(comparable(got, prog), comparable(want, prog), "{what}: {stream}");
            }
        });
    }
}

const ENV: [(&str, &str); 3] = [("PATH", "/usr/bin:/bin"), ("HOME", "/root"), ("LC_ALL", "C")];

#[test]
fn project_fixtures() {
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(repo().join("testdata/bin"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("x86_64-"))
        .collect();
    fixtures.sort();
    let names: Vec<_> =
        fixtures.iter().map(|p| p.file_name().unwrap().to_str().unwrap().to_string()).collect();
    for want in ["x86_64-static", "x86_64-static-pie", "x86_64-dyn-pie", "x86_64-dyn-exec"] {
        assert!(names.iter().any(|n| n == want), "fixture {want} missing");
    }
    for f in &fixtures {
        same(f.to_str().unwrap(), &[], &ENV, true);
    }
}

#[test]
fn host_programs() {
    same("/bin/echo", &["hello"], &ENV, true);
    same("/bin/ls", &["/"], &ENV, true);
    same("/usr/bin/env", &[], &[("A", "1"), ("B", "two words"), ("EMPTY", "")], true);
    same("/bin/sh", &["-c", "exit 3"], &ENV, true);
    same("/bin/sh", &["-c", "echo out; echo err >&2; exit 7"], &ENV, true);
    same("/usr/bin/python3", &["-c", "print(2+2)"], &ENV, true);
}

#[test]
fn corpus_programs() {
    let dir = repo().join("../shared/corpus/bin");
    let mut n = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for f in files {
        let Ok(bytes) = std::fs::read(&f) else { continue };
        if bytes.len() < 64 || bytes[..4] != *b"\x7fELF" || bytes[18] != 62 {
            continue;
        }
        let name = f.file_name().unwrap().to_str().unwrap().to_string();
        // The exec-latency programs re-exec /proc/self/exe, which names the harness when a
        // program is loaded in-process (the documented limit), and print timings: they
        // measure the kernel, not a loader. Everything else runs.
        if name.starts_with("execchain") || name.starts_with("execbench") {
            continue;
        }
        same(f.to_str().unwrap(), &["a1", "b2"], &ENV, !name.starts_with("probe"));
        n += 1;
    }
    assert!(n >= 7, "only {n} x86_64 corpus programs");
}

#[test]
fn rejected_files_exit_127_with_a_message() {
    let dir = TempDir::new("harness-rejects");
    let text = dir.join("text");
    std::fs::write(&text, "echo hi\n").unwrap();
    let cut = dir.join("cut");
    std::fs::write(&cut, &std::fs::read("/bin/ls").unwrap()[..100]).unwrap();
    for f in [&text, &cut] {
        std::fs::set_permissions(f, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    for (f, errno) in [(&text, "ENOEXEC"), (&cut, "ENOEXEC")] {
        let out = run(Command::new(harness()).arg(f));
        assert_eq!(out.status.code(), Some(127));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with(&format!("exec-harness: {}: ", f.display()))
                && err.trim_end().ends_with(&format!("({errno})")),
            "{err}"
        );
    }
}

/// The `--verify-faults` report as numbers by key.
fn report(path: &Path) -> std::collections::HashMap<String, u64> {
    let text = std::fs::read_to_string(path).unwrap();
    let words: Vec<&str> = text.split_whitespace().collect();
    words.chunks(2).map(|c| (c[0].to_string(), c[1].parse().unwrap_or_else(|_| panic!("{text}")))).collect()
}

#[test]
fn stack_per_entry_point_and_reads_do_not_grow_with_the_file() {
    // Dynamic PIEs from 16 KiB to over 1 MiB: the same stack high-water per entry point,
    // and one read per contiguous run of file bytes (the harness has `read_into`), so the
    // calls stay few while the bytes grow.
    let dir = TempDir::new("harness-stack");
    let files = [
        repo().join("../shared/corpus/bin/hello-x86_64-glibc-dynpie"),
        "/usr/bin/ls".into(),
        "/usr/bin/bash".into(),
    ];
    let mut reports = Vec::new();
    for f in &files {
        let out = dir.join("report");
        let st = Command::new(harness())
            .arg("--verify-faults")
            .arg(&out)
            .arg(f)
            .arg("--version")
            .output()
            .unwrap();
        assert!(st.status.success(), "{}: {}", f.display(), String::from_utf8_lossy(&st.stderr));
        reports.push(report(&out));
    }
    for (f, r) in files.iter().zip(&reports) {
        for key in ["prepare_stack", "load_stack", "build_stack_stack", "stack"] {
            assert_eq!(r[key], reports[0][key], "{}: {key}", f.display());
            assert!(r[key] > 0, "{}: {key}", f.display());
            // The header's promise for every entry point (callbacks included).
            assert!(r[key] <= 4096, "{}: {key} {} bytes", f.display(), r[key]);
        }
        assert_eq!(r["stack"], r["prepare_stack"].max(r["load_stack"]), "{}", f.display());
        assert!(r["reads"] <= 16, "{}: {} reads", f.display(), r["reads"]);
    }
    assert!(reports[2]["read_bytes"] > 1 << 20, "bash's segments are read whole");
}

#[test]
fn bench_mode_times_both_ways() {
    let out = Command::new(harness())
        .args(["--bench", "3"])
        .arg(repo().join("testdata/bin/x86_64-static"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let words: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(
        words.iter().step_by(2).copied().collect::<Vec<_>>(),
        ["harness_ns", "kernel_ns", "ratio"],
        "{text}"
    );
    let ns: Vec<f64> = words.iter().skip(1).step_by(2).map(|w| w.parse().unwrap()).collect();
    assert!(ns.iter().all(|&n| n > 0.0), "{text}");
    assert!((ns[0] / ns[1] - ns[2]).abs() < 0.01, "{text}");
}
