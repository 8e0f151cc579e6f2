//! `examples/kernel-aarch64` under qemu-system-aarch64: real Linux arm64 programs run by a
//! `no_std` kernel through elf-stream, exec-core and arch-aarch64, one boot per load mode
//! (eager, mapped, lazy), many programs per boot (the kernel runs the lines of its
//! `/etc/batch` one after the other and frames each output with its exit code and the
//! free-page count before and after).
//!
//! Each program's output and exit status equal a `qemu-aarch64-static` run of the same
//! program (the aarch64 corpus and fixtures with the probes' stacks, busybox applets, BTI
//! misses static and through glibc's loader); where qemu-user cannot answer (fork and exec
//! of guest binaries, the guest's own root directory, a bad program exec'd from the
//! guest's shell, E2BIG then a successful re-exec, what exec resets, a spinning child
//! preempted by the timer) the test states Linux's answer. Every program returns every
//! page it took (200 fork+exec cycles included); lazy mode also runs a 72 MiB program.
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

mod cross;

use std::path::{Path, PathBuf};
use std::process::Command;
use test_support::temp::TempDir;

const GLIBC_ROOT: &str = "/usr/aarch64-linux-gnu";

/// What a program must print and return.
#[derive(Clone)]
enum Expect {
    /// What qemu-aarch64-static prints and returns for the same program and arguments.
    Qemu { host: PathBuf, root: Option<String>, cpu: &'static str },
    /// The corpus probe: the stack qemu's loader built (`cross::probe::same`), except
    /// AT_HWCAP/AT_HWCAP2, which the kernel masks to what it enables.
    Probe { host: PathBuf, root: Option<String> },
    /// A stated answer.
    Known { out: String, code: i32 },
}

struct Case {
    /// argv in the guest (argv[0] is the guest path).
    argv: Vec<String>,
    expect: Expect,
}

fn kernel_dir() -> PathBuf {
    cross::repo().join("examples/kernel-aarch64")
}

fn have(tool: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().is_ok_and(|o| o.status.success())
}

/// Runs `case` under qemu-user: (output, exit code as a shell reports it).
fn qemu_user(case: &Case, host: &Path, root: &Option<String>, cpu: &str) -> (String, i32) {
    let mut cmd = Command::new("qemu-aarch64-static");
    cmd.args(["-cpu", cpu]);
    if let Some(r) = root {
        cmd.arg("-L").arg(r);
    }
    cmd.arg("-0").arg(&case.argv[0]).arg(host).args(&case.argv[1..]);
    cmd.env_clear().envs(cross::ENV);
    let out = cmd.output().expect("spawn qemu-aarch64-static");
    let code = out.status.code().unwrap_or_else(|| {
        use std::os::unix::process::ExitStatusExt;
        128 + out.status.signal().unwrap_or(0)
    });
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    // qemu-user's own report of a fatal signal is not the program's output.
    for line in String::from_utf8_lossy(&out.stderr).split_inclusive('\n') {
        if !line.starts_with("qemu: uncaught target signal") {
            text.push_str(line);
        }
    }
    (text, code)
}

/// One program's framed result in the kernel's output.
#[derive(Debug)]
struct Ran {
    out: String,
    code: i32,
    free_before: u64,
    free_after: u64,
}

/// Splits the UART output at the \x02BEGIN n\x03 ... \x02END n code before after\x03 frames.
fn parse(out: &str) -> Vec<Ran> {
    let mut ran = Vec::new();
    for (i, part) in out.split("\x02BEGIN ").skip(1).enumerate() {
        let (head, rest) = part.split_once('\x03').expect("BEGIN frame");
        assert_eq!(head, i.to_string(), "frames out of order");
        let (body, end) =
            rest.split_once("\x02END ").unwrap_or_else(|| panic!("program {i} has no END: {rest:?}"));
        let end = end.split('\x03').next().unwrap_or_default();
        let f: Vec<u64> = end.split(' ').map(|x| x.parse().expect("END numbers")).collect();
        assert_eq!(f.len(), 4, "END frame {end:?}");
        assert_eq!(f[0], i as u64);
        ran.push(Ran { out: body.to_string(), code: f[1] as i32, free_before: f[2], free_after: f[3] });
    }
    ran
}

/// Boots the kernel in `mode` with `files` packed (host, guest, with libraries) and runs
/// every case; returns the framed results and the kernel log.
fn boot(mode: &str, dir: &Path, files: &[(PathBuf, String, bool)], cases: &[Case]) -> (Vec<Ran>, String) {
    let batch = dir.join(format!("batch-{mode}"));
    let lines: Vec<String> = cases.iter().map(|c| c.argv.join("\t")).collect();
    std::fs::write(&batch, lines.join("\n") + "\n").unwrap();
    let log = dir.join(format!("log-{mode}"));
    let mut cmd = Command::new(kernel_dir().join("run.sh"));
    cmd.args(["--mode", mode, "--root", GLIBC_ROOT, "--root", "/", "--log"])
        .arg(&log)
        .arg("--batch")
        .arg(&batch);
    for (host, guest, prog) in files {
        cmd.arg(if *prog { "--prog" } else { "--add" }).arg(format!("{}={guest}", host.display()));
    }
    let started = std::time::Instant::now();
    let out = cmd.output().expect("run.sh");
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    eprintln!("kernel-aarch64 {mode}: {} programs in {:?}", cases.len(), started.elapsed());
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let ran = parse(&stdout);
    assert_eq!(
        ran.len(),
        cases.len(),
        "{mode}: {} of {} programs reported; run.sh {:?}\nstderr {}\nlog tail {}",
        ran.len(),
        cases.len(),
        out.status,
        String::from_utf8_lossy(&out.stderr),
        log_text.lines().rev().take(30).collect::<Vec<_>>().join("\n")
    );
    (ran, log_text)
}

/// The value of auxv entry `ty` in a probe's output.
fn probe_auxv(out: &str, ty: u64) -> Option<(String, u64)> {
    let tag = format!("({ty:>2}) = ");
    out.lines().find(|l| l.starts_with("auxv[") && l.contains(&tag)).map(|l| {
        let v = l.rsplit(" = ").next().unwrap_or_default();
        (l.to_string(), u64::from_str_radix(v.trim_start_matches("0x"), 16).unwrap_or(0))
    })
}

/// HWCAP bits the kernel must not advertise: it does not enable SVE, pointer
/// authentication keys, SME or MTE (HWCAP_SVE, PACA, PACG; HWCAP2 SVE2, MTE, SME).
const NOT_ENABLED: [(u64, u64); 2] = [(16, 1 << 22 | 1 << 30 | 1 << 31), (26, 1 << 1 | 1 << 18 | 1 << 23)];

fn check_probe(what: &str, guest: &str, host: &Path, got: &str, want: &str) {
    // qemu-user was given the host path: AT_EXECFN names it.
    let mut want =
        want.replace(&format!("execfn.str=\"{}\"", host.display()), &format!("execfn.str=\"{guest}\""));
    for (ty, forbidden) in NOT_ENABLED {
        let (gline, g) = probe_auxv(got, ty).unwrap_or_else(|| panic!("{what}: no auxv {ty}"));
        let (wline, w) = probe_auxv(&want, ty).unwrap_or_else(|| panic!("{what}: qemu gave no auxv {ty}"));
        // qemu-user's own list is no reference for the set (it lacks e.g. DIT): only
        // what the kernel does not switch on is checked absent.
        let _ = w;
        assert_eq!(
            g & forbidden,
            0,
            "{what}: auxv {ty} {g:#x} advertises a feature the kernel does not enable"
        );
        assert!(g & 3 != 0 || ty == 26, "{what}: no FP/ASIMD in {g:#x}");
        // The rest of the comparison with the kernel's value in qemu's line.
        let wval = wline.rsplit(" = ").next().unwrap_or_default().to_string();
        let gval = gline.rsplit(" = ").next().unwrap_or_default().to_string();
        want = want.replace(&wline, &wline.replace(&wval, &gval));
    }
    cross::probe::same(what, got, &want);
}

fn check(mode: &str, cases: &[Case], ran: &[Ran]) {
    for (case, r) in cases.iter().zip(ran) {
        let what = format!("{mode}: {:?}", case.argv);
        if let Expect::Probe { host, root } = &case.expect {
            let (want, code) = qemu_user(case, host, root, "max");
            check_probe(&what, &case.argv[0], host, &r.out, &want);
            assert_eq!(r.code, code, "{what}: exit code");
            assert_eq!(r.free_before, r.free_after, "{what}: pages not returned to the allocator");
            continue;
        }
        let (out, code) = match &case.expect {
            Expect::Probe { .. } => unreachable!("handled above"),
            Expect::Qemu { host, root, cpu } => qemu_user(case, host, root, cpu),
            Expect::Known { out, code } => (out.clone(), *code),
        };
        assert_eq!(r.out, out, "{what}: output");
        assert_eq!(r.code, code, "{what}: exit code");
        assert_eq!(r.free_before, r.free_after, "{what}: pages not returned to the allocator");
    }
}

fn build(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let exe = dir.join(name);
    let st = Command::new("aarch64-linux-gnu-gcc").args(args).arg("-o").arg(&exe).status().expect("gcc");
    assert!(st.success(), "building {name}");
    exe
}

#[test]
fn linux_programs_run_on_kernel_aarch64_in_every_mode() {
    if !have("qemu-system-aarch64") {
        eprintln!(
            "\n\n*** SKIPPED: qemu-system-aarch64 is missing (ci/setup.sh installs qemu-system-arm) ***\n\n"
        );
        return;
    }
    let dir = TempDir::new("kernel-aarch64");
    let mut files: Vec<(PathBuf, String, bool)> = Vec::new();
    let mut cases: Vec<Case> = Vec::new();

    let progs = cross::aarch64_programs();
    for p in &progs {
        let guest = format!("/bin/{}", p.name);
        files.push((p.path.clone(), guest.clone(), true));
        let mut argv = vec![guest];
        argv.extend(cross::ARGS.iter().map(|s| s.to_string()));
        let (host, root) = (p.path.clone(), p.root.clone());
        let expect =
            if p.probe() { Expect::Probe { host, root } } else { Expect::Qemu { host, root, cpu: "max" } };
        cases.push(Case { argv, expect });
    }

    // BTI: a static program whose indirect branch misses a landing pad is killed
    // (SIGILL) when its property asks for BTI, and runs without the property.
    let src = kernel_dir().join("tests/bti-miss.S");
    let src = src.to_str().unwrap();
    for (name, flags) in [("bti-miss-property", &["-DPROPERTY"][..]), ("bti-miss-plain", &[][..])] {
        let mut args = vec!["-nostdlib", "-static", src];
        args.extend_from_slice(flags);
        let exe = build(&dir, name, &args);
        let guest = format!("/bin/{name}");
        files.push((exe.clone(), guest.clone(), true));
        cases.push(Case { argv: vec![guest], expect: Expect::Qemu { host: exe, root: None, cpu: "max" } });
    }
    assert_eq!(qemu_user(cases.last().unwrap(), &dir.join("bti-miss-property"), &None, "max").1, 128 + 4);

    // BTI through glibc's loader: the kernel guards only the interpreter (Linux's rule);
    // ld.so mprotects the program's text with PROT_BTI, and a branch off a landing pad
    // then raises SIGILL. Without the property the program runs.
    let src = kernel_dir().join("tests/bti-dyn.c");
    let src = src.to_str().unwrap();
    for (name, flags) in [
        ("bti-dyn-property", &["-mbranch-protection=standard", "-Wl,-z,force-bti"][..]),
        ("bti-dyn-plain", &[][..]),
    ] {
        let mut args = vec!["-O2", "-fPIE", "-pie", src];
        args.extend_from_slice(flags);
        let exe = build(&dir, name, &args);
        let guest = format!("/bin/{name}");
        files.push((exe.clone(), guest.clone(), true));
        let root = Some(GLIBC_ROOT.to_string());
        cases.push(Case { argv: vec![guest], expect: Expect::Qemu { host: exe, root, cpu: "max" } });
    }

    let guarded = cases.iter().rev().nth(1).expect("bti-dyn-property case");
    let root = Some(GLIBC_ROOT.to_string());
    assert_eq!(qemu_user(guarded, &dir.join("bti-dyn-property"), &root, "max").1, 128 + 4, "qemu-user: BTI");

    // execve over Linux's argument limits: E2BIG, and the caller runs on (qemu-user, whose
    // host kernel checks the same limits, answers the first two lines; it cannot exec
    // the guest binary for the third).
    let e2big =
        build(&dir, "e2big", &["-O2", "-static", kernel_dir().join("tests/e2big.c").to_str().unwrap()]);
    files.push((e2big.clone(), "/bin/e2big".into(), true));
    let limits =
        "a 131072-byte string: Argument list too long\n30 strings of 100000 bytes: Argument list too long\n";
    let on_host = Case {
        argv: vec![e2big.display().to_string()],
        expect: Expect::Known { out: String::new(), code: 0 },
    };
    let (qemu_out, _) = qemu_user(&on_host, &e2big, &None, "max");
    assert!(qemu_out.starts_with(limits), "qemu-user: {qemu_out:?}");
    cases.push(Case {
        argv: vec!["/bin/e2big".into()],
        expect: Expect::Known { out: format!("{limits}exec'd again: argc=2 argv[1]=fits\n"), code: 0 },
    });

    // A child that never blocks does not keep its parent from running (timer preemption).
    let spin = build(&dir, "spin", &["-O2", "-static", kernel_dir().join("tests/spin.c").to_str().unwrap()]);
    files.push((spin, "/bin/spin".into(), true));
    cases.push(Case {
        argv: vec!["/bin/spin".into()],
        expect: Expect::Known { out: "the parent ran while its child spun\n".into(), code: 0 },
    });

    // Kernel, null and huge addresses given to system calls: EFAULT or ENOMEM, no crash.
    let bad_ptr = build(
        &dir,
        "bad-pointers",
        &["-O2", "-static", kernel_dir().join("tests/bad-pointers.c").to_str().unwrap()],
    );
    files.push((bad_ptr.clone(), "/bin/bad-pointers".into(), true));
    cases.push(Case {
        argv: vec!["/bin/bad-pointers".into()],
        expect: Expect::Qemu { host: bad_ptr, root: None, cpu: "max" },
    });

    // What exec resets and keeps (descriptors, signal dispositions, the mask), exec'ing
    // itself through /proc/self/exe: Linux's answer (qemu-user cannot exec the guest).
    let reset = build(
        &dir,
        "exec-reset",
        &["-O2", "-static", kernel_dir().join("tests/exec-reset.c").to_str().unwrap()],
    );
    files.push((reset, "/bin/exec-reset".into(), true));
    cases.push(Case {
        argv: vec!["/bin/exec-reset".into()],
        expect: Expect::Known {
            out: "fd 3 closed, fd 4 open\nSIGUSR1 default\nSIGUSR2 ignored\nSIGTERM blocked\n".into(),
            code: 0,
        },
    });

    // busybox-static from Debian (fetched and unpacked by the test, not installed).
    let fetch = Command::new(kernel_dir().join("tests/fetch-busybox.sh"))
        .arg(kernel_dir().join("target/busybox-arm64"))
        .output()
        .expect("fetch-busybox.sh");
    assert!(
        fetch.status.success(),
        "fetching busybox-static:arm64: {}",
        String::from_utf8_lossy(&fetch.stderr)
    );
    let busybox = PathBuf::from(String::from_utf8(fetch.stdout).unwrap().trim());
    files.push((busybox.clone(), "/bin/busybox".into(), false));
    let data = cross::repo().join("README.md");
    files.push((data.clone(), "/data/readme".into(), false));
    // A program whose interpreter is not an ELF file (a copy of a corpus program naming
    // another interpreter path, where a text file lies): execve fails with ELIBBAD.
    let good = std::fs::read(cross::repo().join("../shared/corpus/bin/hello-aarch64-glibc-dynpie")).unwrap();
    let at = good.windows(26).position(|w| w == b"/lib/ld-linux-aarch64.so.1").expect("PT_INTERP path");
    let mut bad = good.clone();
    bad[at + 25] = b'X';
    std::fs::write(dir.join("bad"), bad).unwrap();
    files.push((dir.join("bad"), "/bin/bad".into(), false));
    files.push((data.clone(), "/lib/ld-linux-aarch64.so.X".into(), false));
    let bb = |args: &[&str]| {
        let mut argv = vec!["/bin/busybox".to_string()];
        argv.extend(args.iter().map(|s| s.to_string()));
        argv
    };
    for args in [&["echo", "hello", "world"][..], &["uname", "-m"], &["sh", "-c", "echo $((6*7)); exit 5"]] {
        cases.push(Case {
            argv: bb(args),
            expect: Expect::Qemu { host: busybox.clone(), root: None, cpu: "max" },
        });
    }
    let sum = Command::new("sha256sum").arg(&data).output().expect("sha256sum");
    let digest = String::from_utf8_lossy(&sum.stdout).split(' ').next().unwrap().to_string();
    let known =
        |argv: Vec<String>, out: String, code: i32| Case { argv, expect: Expect::Known { out, code } };
    cases.push(known(bb(&["sha256sum", "/data/readme"]), format!("{digest}  /data/readme\n"), 0));
    // The guest's own root: what the initramfs holds.
    cases.push(known(bb(&["ls", "/"]), "bin\ndata\netc\nlib\n".into(), 0));
    // fork, exec and wait in a loop; exec replacing the shell.
    cases.push(known(bb(&["sh", "-c", "for i in 1 2 3; do busybox echo $i; done"]), "1\n2\n3\n".into(), 0));
    cases.push(known(bb(&["sh", "-c", "exec busybox echo replaced"]), "replaced\n".into(), 0));
    // 200 fork+exec+exit cycles: every page comes back (checked for every case).
    cases.push(known(
        bb(&["sh", "-c", "i=0; while [ $i -lt 200 ]; do busybox true; i=$((i+1)); done; echo $i"]),
        "200\n".into(),
        0,
    ));
    // A bad program exec'd from a running shell: execve fails (ELIBBAD) before the
    // point of no return, the shell reports it (126: found but not executable) and goes on.
    cases.push(known(
        bb(&["sh", "-c", "/bin/bad; echo after $?"]),
        "sh: /bin/bad: Accessing a corrupted shared library\nafter 126\n".into(),
        0,
    ));

    // Lazy mode also runs a generated program over 64 MiB (testdata/src/big: it checks
    // every byte of its 72 MiB blob), paged in from the initramfs on demand.
    let big = big_program(&dir);
    let mut lazy_files = files.clone();
    lazy_files.push((big.clone(), "/bin/big".into(), true));
    let mut lazy_cases: Vec<Case> = Vec::new();
    lazy_cases.push(Case {
        argv: vec!["/bin/big".into()],
        expect: Expect::Qemu { host: big, root: None, cpu: "max" },
    });
    lazy_cases.extend(cases.iter().map(|c| Case { argv: c.argv.clone(), expect: c.expect.clone() }));

    for mode in ["eager", "mapped", "lazy"] {
        let (files, cases) = if mode == "lazy" { (&lazy_files, &lazy_cases) } else { (&files, &cases) };
        let (ran, log) = boot(mode, &dir, files, cases);
        check(mode, cases, &ran);
        assert!(
            log.contains(&format!("mode {}", capitalized(mode))),
            "{mode}: the kernel did not run in that mode"
        );
    }
}

/// Bytes of the generated program's initialised array.
const BIG: u64 = 72 << 20;

/// Builds `big.c` against a generated `BIG`-byte blob, static (as qemu_aarch64.rs does).
fn big_program(dir: &Path) -> PathBuf {
    let blob = dir.join("blob.bin");
    let bytes: Vec<u8> =
        (0..BIG).map(|i| ((i.wrapping_mul(0x9e37_79b1) >> 24) as u8) ^ ((i >> 20) as u8)).collect();
    std::fs::write(&blob, bytes).unwrap();
    let src = cross::repo().join("testdata/src/big");
    let (c, s) = (src.join("big.c"), src.join("blob.S"));
    let exe = build(
        dir,
        "big",
        &[
            "-O2",
            "-static",
            c.to_str().unwrap(),
            s.to_str().unwrap(),
            &format!("-DBLOB_BYTES={BIG}"),
            &format!("-Wa,-I{}", dir.display()),
        ],
    );
    assert!(std::fs::metadata(&exe).unwrap().len() > 64 << 20);
    exe
}

/// `run.sh PROG ARGS`: exactly the program's output (stdout and stderr merged) on
/// stdout, its exit status (128+signal when killed) as run.sh's.
#[test]
fn run_sh_prints_the_output_and_returns_the_status() {
    if !have("qemu-system-aarch64") {
        eprintln!(
            "\n\n*** SKIPPED: qemu-system-aarch64 is missing (ci/setup.sh installs qemu-system-arm) ***\n\n"
        );
        return;
    }
    let dir = TempDir::new("kernel-aarch64-run");
    let src = kernel_dir().join("tests/bti-miss.S");
    let bti = build(&dir, "bti-miss", &["-nostdlib", "-static", "-DPROPERTY", src.to_str().unwrap()]);
    let run = |args: &[&str]| {
        let out = Command::new(kernel_dir().join("run.sh")).args(args).output().expect("run.sh");
        (String::from_utf8_lossy(&out.stdout).into_owned(), out.status.code().unwrap_or(-1))
    };
    let bti = bti.to_str().unwrap();
    assert_eq!(run(&["--mode", "lazy", bti]), (String::new(), 128 + 4), "BTI miss, -cpu max");
    // cortex-a57 has no BTI: the same program runs.
    assert_eq!(run(&["--cpu", "cortex-a57", "--mode", "mapped", bti]), (String::new(), 0), "cortex-a57");
    let hello = cross::repo().join("../shared/corpus/bin/hello-aarch64-glibc-dynpie");
    assert_eq!(
        run(&["--root", GLIBC_ROOT, hello.to_str().unwrap(), "a", "b c"]),
        ("hello from /bin/hello-aarch64-glibc-dynpie argc=3\n".into(), 0)
    );
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}
