//! Boots the kmips kernel (`examples/kernel-mips`) under `qemu-system-mips`/`-mipsel` with
//! an initramfs holding a list of commands (`/etc/kmips.run`), and splits what the kernel
//! prints at its markers into one [`Outcome`] per command. The tests are in `tests/`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use test_support::temp::TempDir;

/// One qemu at a time (the machine is shared), and one kernel build per byte order.
static QEMU: Mutex<()> = Mutex::new(());
static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The workspace root.
pub fn repo() -> PathBuf {
    test_support::corpus::repo()
}

/// A byte order of the kernel: `make` target and the matching cross sysroot.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// `mips` or `mipsel`.
    pub name: &'static str,
    /// The glibc sysroot (`/usr/<triplet>`).
    pub sysroot: &'static str,
    /// The qemu-user binary for the comparison runs.
    pub qemu_user: &'static str,
}

/// Little-endian o32.
pub const MIPSEL: Target =
    Target { name: "mipsel", sysroot: "/usr/mipsel-linux-gnu", qemu_user: "qemu-mipsel-static" };
/// Big-endian o32.
pub const MIPS: Target =
    Target { name: "mips", sysroot: "/usr/mips-linux-gnu", qemu_user: "qemu-mips-static" };

/// Builds library and kernel for `t` (once per test process); returns the kernel ELF.
pub fn kernel(t: Target) -> PathBuf {
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let elf = repo().join(format!("target/kernel-mips/kmips-{}.elf", t.name));
    if !built.iter().any(|n| n == t.name) {
        let out = Command::new("make")
            .args(["-s", "-C"])
            .arg(repo().join("examples/kernel-mips"))
            .arg(format!("TARGET={}", t.name))
            .output()
            .expect("make");
        assert!(
            out.status.success(),
            "kernel build failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        built.push(t.name.to_string());
    }
    elf
}

/// Debian's busybox-static for mipsel (fetched once by examples/kernel-common/fetch-busybox.sh).
pub fn busybox_mipsel() -> PathBuf {
    let out = Command::new(repo().join("examples/kernel-common/fetch-busybox.sh"))
        .arg("mipsel")
        .arg(repo().join("target/kernel-mips"))
        .output()
        .expect("fetch-busybox.sh");
    assert!(out.status.success(), "busybox fetch: {}", String::from_utf8_lossy(&out.stderr));
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// What goes into the initramfs.
#[derive(Clone, Debug)]
pub enum Item {
    /// A program and, from the sysroot, its interpreter and libraries.
    Prog(PathBuf, String),
    /// A file as is.
    File(PathBuf, String),
}

/// One boot's parameters.
#[derive(Clone, Debug)]
pub struct Boot {
    /// Byte order.
    pub target: Target,
    /// qemu `-cpu`.
    pub cpu: &'static str,
    /// `eager`, `mapped` or `lazy`.
    pub mode: &'static str,
    /// RAM in MiB.
    pub mem: u32,
    /// Files.
    pub items: Vec<Item>,
    /// Commands (argv each), run one after the other.
    pub commands: Vec<Vec<String>>,
    /// More kernel arguments (`ieee754=relaxed`...).
    pub append: &'static str,
}

/// What one command did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Its standard output and error, merged.
    pub output: Vec<u8>,
    /// The Linux wait status (`None`: no end marker, or exec failed).
    pub status: Option<u32>,
    /// The errno of a failed exec.
    pub exec_errno: Option<u32>,
    /// Free pages before and after it.
    pub free_before: u32,
    /// Free pages after it (0 when it did not end).
    pub free_after: u32,
}

/// All commands' outcomes and the kernel log.
#[derive(Debug)]
pub struct Run {
    /// One per command, in order.
    pub outcomes: Vec<Outcome>,
    /// Free pages at the end (`None`: the kernel did not finish the list).
    pub done_free: Option<u32>,
    /// The kernel log (COM2).
    pub log: String,
    /// Wall time of the qemu run.
    pub elapsed: Duration,
}

/// Boots `b` and returns what every command did.
pub fn boot(b: &Boot) -> Run {
    let elf = kernel(b.target);
    let dir = TempDir::new("kmips");
    let initrd = dir.join("initrd");
    let mut pack = Command::new("python3");
    pack.arg(repo().join("examples/kernel-common/mkinitramfs.py"))
        .arg("-o")
        .arg(&initrd)
        .args(["--root", b.target.sysroot]);
    for it in &b.items {
        match it {
            Item::Prog(h, p) => pack.arg("--prog").arg(format!("{}={p}", h.display())),
            Item::File(h, p) => pack.arg("--add").arg(format!("{}={p}", h.display())),
        };
    }
    let list: Vec<String> = b.commands.iter().map(|c| c.join("\t")).collect();
    pack.arg("--text").arg(format!("etc/kmips.run={}\n", list.join("\n")));
    let st = pack.status().expect("mkinitramfs.py");
    assert!(st.success(), "mkinitramfs failed");
    let (out, log) = (dir.join("out"), dir.join("log"));
    let _one = QEMU.lock().unwrap_or_else(|e| e.into_inner());
    let start = Instant::now();
    let status = Command::new("timeout")
        .arg("240")
        .arg(format!("qemu-system-{}", b.target.name))
        .args(["-M", "malta", "-cpu", b.cpu, "-m", &b.mem.to_string(), "-kernel"])
        .arg(&elf)
        .arg("-initrd")
        .arg(&initrd)
        .args(["-append", &format!("kmips.mode={} {}", b.mode, b.append)])
        .args(["-vga", "none", "-net", "none", "-display", "none", "-monitor", "none", "-no-reboot"])
        .arg("-serial")
        .arg(format!("file:{}", out.display()))
        .arg("-serial")
        .arg(format!("file:{}", log.display()))
        .status()
        .expect("qemu-system");
    let elapsed = start.elapsed();
    let log = String::from_utf8_lossy(&std::fs::read(&log).unwrap_or_default()).into_owned();
    // Kept for reading after the run: target/kernel-mips/logs/<target>-<cpu>-<mode>-<mem>.log.
    let keep = repo().join("target/kernel-mips/logs");
    let _ = std::fs::create_dir_all(&keep);
    let name =
        format!("{}-{}-{}-{}{}.log", b.target.name, b.cpu, b.mode, b.mem, b.append.replace(['=', ' '], "-"));
    let _ = std::fs::write(keep.join(name), &log);
    assert!(status.success(), "qemu failed ({status}); kernel log:\n{log}");
    let data = std::fs::read(&out).expect("COM1 output");
    let (outcomes, done_free) = parse(&data);
    Run { outcomes, done_free, log, elapsed }
}

/// Splits COM1 at the kernel's markers (see examples/kernel-mips/markers.py).
pub fn parse(data: &[u8]) -> (Vec<Outcome>, Option<u32>) {
    let mut outcomes = Vec::new();
    let mut cur: Option<Outcome> = None;
    let mut done = None;
    let mut pos = 0;
    while let Some(i) = find(&data[pos..], b"\x1ekmips:") {
        let start = pos + i;
        let Some(nl) = data[start..].iter().position(|&c| c == b'\n') else { break };
        let text = String::from_utf8_lossy(&data[start + 7..start + nl]).into_owned();
        let mut words = text.split(' ');
        let kind = words.next().unwrap_or("");
        let nums: Vec<u32> = words.filter_map(|w| w.parse().ok()).collect();
        if let Some(c) = cur.as_mut() {
            c.output.extend_from_slice(&data[pos..start]);
        }
        match kind {
            "begin" => {
                cur = Some(Outcome {
                    output: Vec::new(),
                    status: None,
                    exec_errno: None,
                    free_before: nums.get(1).copied().unwrap_or(0),
                    free_after: 0,
                })
            }
            "end" => {
                if let Some(mut c) = cur.take() {
                    c.status = nums.get(1).copied();
                    c.free_after = nums.get(2).copied().unwrap_or(0);
                    outcomes.push(c);
                }
            }
            "execfail" => {
                if let Some(mut c) = cur.take() {
                    c.exec_errno = nums.get(1).copied();
                    outcomes.push(c);
                }
            }
            "done" => done = nums.first().copied(),
            _ => {}
        }
        pos = start + nl + 1;
    }
    if let Some(mut c) = cur.take() {
        c.output.extend_from_slice(&data[pos..]);
        outcomes.push(c);
    }
    (outcomes, done)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The environment every command gets (the kernel's init passes the same).
pub const ENV: [(&str, &str); 3] = [("PATH", "/bin:/usr/bin:/sbin"), ("HOME", "/"), ("TERM", "dumb")];

/// Runs `host` under qemu-user with `argv[0]` = `argv0`, the kernel's environment and `root`
/// as `-L`: (merged output, wait-style exit code).
pub fn qemu_user(t: Target, root: &str, host: &Path, argv0: &str, args: &[String]) -> (Vec<u8>, i32) {
    let dir = TempDir::new("kmips-user");
    let merged = dir.join("out");
    let f = std::fs::File::create(&merged).unwrap();
    let status = Command::new(t.qemu_user)
        .args(["-L", root, "-0", argv0])
        .arg(host)
        .args(args)
        .env_clear()
        .envs(ENV)
        .stdout(f.try_clone().unwrap())
        .stderr(f)
        .status()
        .expect("qemu-user");
    (std::fs::read(&merged).unwrap(), status.code().unwrap_or(-1))
}

/// The exit code of a wait status (128 + signal when killed), as run.sh reports it.
pub fn exit_code(status: u32) -> i32 {
    if status & 0x7f != 0 {
        128 + (status & 0x7f) as i32
    } else {
        ((status >> 8) & 0xff) as i32
    }
}
