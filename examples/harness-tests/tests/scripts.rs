//! `#!` scripts through the C harness against the host kernel: every case of Linux's
//! selftest `tools/testing/selftests/exec/binfmt_script.py` (27), the rules it does not
//! cover (CR, tabs, NUL, the empty argument, interpreters that are missing, directories,
//! not executable, text, empty, relative, a dynamic and a static ELF), nesting to five
//! scripts and the sixth's ELOOP, and 150 generated lines around the 256-byte boundary.
//!
//! Each script runs twice from the same directory with the same argv: through
//! `exec-harness --kernel` (the host kernel's execve, the oracle) and through
//! `exec-harness` (execcore_follow_scripts, then prepare and load). The interpreter at the
//! end prints its argv and AT_EXECFN; stdout and exit status must be equal, and a failure
//! must carry the same errno.
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};
use test_support::temp::TempDir;

use harness_tests::harness;

/// The interpreter at the end of every chain: argv (bytes outside printable ASCII
/// escaped, so CR, tab and empty strings show) and AT_EXECFN.
const PRINTER: &str = r#"
#include <stdio.h>
#include <sys/auxv.h>
static void show(const char *s) {
    putchar('[');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 32 && c < 127 && c != '\\') putchar(c); else printf("\\x%02x", c);
    }
    puts("]");
}
int main(int argc, char **argv) {
    printf("Executed interpreter! argc %d\n", argc);
    for (int i = 0; i < argc; i++) show(argv[i]);
    printf("execfn ");
    show((const char *)getauxval(AT_EXECFN));
    return 0;
}
"#;

/// A directory with the printer built dynamic (`printer`) and static (`printer-static`).
struct World {
    dir: TempDir,
}

impl World {
    fn new() -> World {
        let dir = TempDir::new("scripts");
        std::fs::write(dir.join("printer.c"), PRINTER).unwrap();
        for (name, extra) in [("printer", None), ("printer-static", Some("-static"))] {
            let out = Command::new("cc")
                .args(["-O1", "-o", name, "printer.c"])
                .args(extra)
                .current_dir(&*dir)
                .output()
                .expect("cc");
            assert!(out.status.success(), "cc: {}", String::from_utf8_lossy(&out.stderr));
        }
        World { dir }
    }

    fn printer(&self) -> String {
        self.dir.join("printer").to_str().unwrap().to_string()
    }

    /// Writes an executable file `name` (directories created).
    fn file(&self, name: &str, bytes: &[u8]) {
        self.file_mode(name, bytes, 0o755);
    }

    fn file_mode(&self, name: &str, bytes: &[u8], mode: u32) {
        let p = self.dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    fn run(&self, how: &[&str], script: &str) -> Output {
        Command::new(harness())
            .args(how)
            .arg(format!("./{script}"))
            .args(["arg one", "two"])
            .current_dir(&*self.dir)
            .env_clear()
            .env("LC_ALL", "C")
            .output()
            .expect("spawn exec-harness")
    }

    /// The host kernel's `execve` of `script`. A child another test thread forks while
    /// this one writes the script holds it open for writing until that child execs, so
    /// the kernel may answer ETXTBSY for a moment: that is the test's race, not an answer.
    fn kernel_run(&self, extra: &[&str], script: &str) -> Output {
        let how = [&["--kernel"], extra].concat();
        let mut out = self.run(&how, script);
        for _ in 0..50 {
            if errno_name(&out).as_deref() != Some("ETXTBSY") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            out = self.run(&how, script);
        }
        out
    }

    /// Runs `script` through the kernel and through the harness in `modes`; they must
    /// agree. Returns whether the kernel ran the interpreter.
    fn compare(&self, script: &str, modes: &[&str]) -> bool {
        self.compare_with(&[], script, modes)
    }

    /// [`World::compare`] with harness options `extra` on both sides.
    fn compare_with(&self, extra: &[&str], script: &str, modes: &[&str]) -> bool {
        let want = self.kernel_run(extra, script);
        for mode in modes {
            let got = self.run(&[&["--mode", mode], extra].concat(), script);
            let what = format!("{script} ({mode}): {:?}", std::fs::read(self.dir.join(script)).ok());
            assert_eq!(
                String::from_utf8_lossy(&got.stdout),
                String::from_utf8_lossy(&want.stdout),
                "{what}: stdout; stderr {}",
                String::from_utf8_lossy(&got.stderr)
            );
            assert_eq!(got.status.code(), want.status.code(), "{what}: exit status");
            assert_eq!(errno_name(&got), errno_name(&want), "{what}: errno");
        }
        want.status.success() && String::from_utf8_lossy(&want.stdout).starts_with("Executed interpreter")
    }
}

/// The errno name a failed exec printed: `exec-harness: PROG: message (ENAME)`.
fn errno_name(out: &Output) -> Option<String> {
    if out.status.code() != Some(127) {
        return None;
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err.lines().next().unwrap_or_default();
    let open = line.rfind('(')?;
    Some(line[open + 1..line.len() - 1].to_string())
}

const MODES: [&str; 3] = ["eager", "mapped", "lazy"];

/// BINPRM_BUF_SIZE.
const SIZE: usize = 256;
/// NAME_MAX of the test's file system (ext4, tmpfs, overlayfs: 255).
const NAME_MAX: usize = 255;

/// One case of binfmt_script.py: the same line construction (`size` bytes of line up to
/// the newline, path components at most NAME_MAX), the same target file at the end of
/// the path (here a script naming the printer, where the selftest has a perl script).
struct SelfTest<'a> {
    name: &'a str,
    size: usize,
    good: bool,
    leading: &'a str,
    root: &'a str,
    target: &'a str,
    fill: &'a str,
    arg: &'a str,
    newline: &'a str,
}

const DEFAULT: SelfTest<'static> = SelfTest {
    name: "",
    size: 0,
    good: true,
    leading: "",
    root: "./",
    target: "/perl",
    fill: "A",
    arg: "",
    newline: "\n",
};

impl SelfTest<'_> {
    fn build(&self, w: &World) -> String {
        let hashbang = "#!";
        let mut remaining = self.size
            - hashbang.len()
            - self.leading.len()
            - self.root.len()
            - self.target.len()
            - self.arg.len();
        let mut middle = String::new();
        while remaining >= NAME_MAX {
            middle += &self.fill.repeat(NAME_MAX - 1);
            middle += "/";
            remaining -= NAME_MAX;
        }
        middle += &self.fill.repeat(remaining);
        let dirpath = format!("{}{}", self.root, middle);
        if !self.target.is_empty() {
            std::fs::create_dir_all(w.dir.join(&dirpath)).unwrap();
            w.file(&format!("{dirpath}{}", self.target), format!("#!{}\n", w.printer()).as_bytes());
        }
        let mut buf = format!("{hashbang}{}{}{}{}{}", self.leading, self.root, middle, self.target, self.arg);
        buf += self.newline;
        if !self.newline.is_empty() {
            buf += "echo this is not really perl\n";
        }
        let script = format!("binfmt_script-{}", self.name);
        w.file(&script, buf.as_bytes());
        script
    }
}

#[test]
fn linux_selftest_binfmt_script() {
    let w = World::new();
    let d = DEFAULT;
    let half = SIZE / 2;
    let cases = [
        // FAIL (8 tests)
        SelfTest { name: "too-big", size: SIZE + 80, good: false, ..d },
        SelfTest { name: "exact", size: SIZE, good: false, ..d },
        SelfTest { name: "exact-space", size: SIZE, good: false, leading: " ", ..d },
        SelfTest { name: "whitespace-too-big", size: SIZE + 71, good: false, root: "", fill: " ", target: "", ..d },
        SelfTest { name: "truncated", size: SIZE + 17, good: false, leading: "                   ", ..d },
        SelfTest { name: "empty", size: 2, good: false, root: "", fill: "", target: "", newline: "", ..d },
        SelfTest { name: "spaces", size: SIZE - 1, good: false, root: "", fill: " ", target: "", newline: "", ..d },
        SelfTest {
            name: "newline-prefix",
            size: SIZE - 1,
            good: false,
            leading: "\n",
            root: "",
            fill: " ",
            target: "",
            ..d
        },
        // ok (19 tests)
        SelfTest {
            name: "test.pl",
            size: 439,
            leading: " ",
            root: "./nix/store/bwav8kz8b3y471wjsybgzw84mrh4js9-perl-5.28.1/bin",
            arg: " -I/nix/store/x6yyav38jgr924nkna62q3pkp0dgmzlx-perl5.28.1-File-Slurp-9999.25/lib/perl5/site_perl -I/nix/store/ha8v67sl8dac92r9z07vzr4gv1y9nwqz-perl5.28.1-Net-DBus-1.1.0/lib/perl5/site_perl -I/nix/store/dcrkvnjmwh69ljsvpbdjjdnqgwx90a9d-perl5.28.1-XML-Parser-2.44/lib/perl5/site_perl -I/nix/store/rmji88k2zz7h4zg97385bygcydrf2q8h-perl5.28.1-XML-Twig-3.52/lib/perl5/site_perl",
            ..d
        },
        SelfTest { name: "one-under", size: SIZE - 1, ..d },
        SelfTest { name: "two-under", size: SIZE - 2, ..d },
        SelfTest { name: "exact-trunc-whitespace", size: SIZE, arg: " ", ..d },
        SelfTest { name: "exact-trunc-arg", size: SIZE, arg: " f", ..d },
        SelfTest { name: "one-under-full-arg", size: SIZE - 1, arg: " f", ..d },
        SelfTest { name: "one-under-no-nl", size: SIZE - 1, newline: "", ..d },
        SelfTest { name: "half-under-no-nl", size: half, newline: "", ..d },
        SelfTest { name: "one-under-trunc-arg", size: SIZE - 1, arg: " ", ..d },
        SelfTest { name: "one-under-leading", size: SIZE - 1, leading: " ", ..d },
        SelfTest { name: "one-under-leading-trunc-arg", size: SIZE - 1, leading: " ", arg: " ", ..d },
        SelfTest { name: "two-under-no-nl", size: SIZE - 2, newline: "", ..d },
        SelfTest { name: "two-under-trunc-arg", size: SIZE - 2, arg: " ", ..d },
        SelfTest { name: "two-under-leading", size: SIZE - 2, leading: " ", ..d },
        SelfTest { name: "two-under-leading-trunc-arg", size: SIZE - 2, leading: " ", arg: " ", ..d },
        // The selftest reuses the four names below for the half-size variants.
        SelfTest { name: "half-two-under-no-nl", size: half, newline: "", ..d },
        SelfTest { name: "half-two-under-trunc-arg", size: half, arg: " ", ..d },
        SelfTest { name: "half-two-under-leading", size: half, leading: " ", ..d },
        SelfTest { name: "half-two-under-lead-trunc-arg", size: half, leading: " ", arg: " ", ..d },
    ];
    assert_eq!(cases.len(), 27);
    for case in &cases {
        let script = case.build(&w);
        let ran = w.compare(&script, &MODES);
        // The selftest's own verdict holds on both sides (they are equal).
        assert_eq!(ran, case.good, "{}: selftest expects good={}", case.name, case.good);
    }
}

#[test]
fn rules_the_selftest_does_not_cover() {
    let w = World::new();
    let p = w.printer();
    // A CR is part of the path and of the argument; here the path with CR exists.
    std::fs::copy(&p, format!("{p}\r")).unwrap();
    w.file("printer-text", b"echo not a binary\n");
    w.file("printer-empty", b"");
    w.file_mode("printer-noexec", &std::fs::read(&p).unwrap(), 0o644);
    std::fs::create_dir(w.dir.join("a-directory")).unwrap();
    let cases: Vec<(&str, Vec<u8>, bool)> = vec![
        ("plain", format!("#!{p}\n").into_bytes(), true),
        ("arg", format!("#!{p} -x\n").into_bytes(), true),
        ("arg-with-blanks", format!("#! {p}  a b\t c \t \n").into_bytes(), true),
        ("tabs", format!("#!\t{p}\t-x\t\n").into_bytes(), true),
        ("cr-path", format!("#!{p}\r\n").into_bytes(), true),
        ("cr-arg", format!("#!{p} -x\r\n").into_bytes(), true),
        ("cr-missing", format!("#!{p}-none\r\n").into_bytes(), false),
        ("vertical-tab-no-blank", format!("#!{p}\x0b-x\n").into_bytes(), false),
        ("nul-ends-name", format!("#!{p}\0 -x\n").into_bytes(), true),
        ("nul-ends-arg-keeps-blank", format!("#!{p} -x \0junk\n").into_bytes(), true),
        ("trailing-blank-no-newline", format!("#!{p} ").into_bytes(), true),
        ("no-newline", format!("#!{p} -x").into_bytes(), true),
        ("only-hashbang", b"#!".to_vec(), false),
        ("only-blanks", b"#! \t \n".to_vec(), false),
        ("nul-after-hashbang", format!("#!\0{p}\n").into_bytes(), false),
        ("missing", b"#!/nonexistent/interpreter\n".to_vec(), false),
        ("directory", b"#!./a-directory\n".to_vec(), false),
        ("not-executable", b"#!./printer-noexec\n".to_vec(), false),
        ("text", b"#!./printer-text\n".to_vec(), false),
        ("empty-file", b"#!./printer-empty\n".to_vec(), false),
        ("relative", b"#!./printer a\n".to_vec(), true),
        ("static-elf", b"#!./printer-static\n".to_vec(), true),
        ("dynamic-elf", format!("#!{p}\n").into_bytes(), true),
        ("script-of-script", b"#!./plain x\n".to_vec(), true),
        ("itself", b"#!./itself\n".to_vec(), false),
    ];
    for (name, bytes, _) in &cases {
        w.file(name, bytes);
    }
    for (name, _, good) in &cases {
        assert_eq!(w.compare(name, &MODES), *good, "{name}");
    }
    // argc 0: Linux supplies an empty argv[0], which the rewrite drops like any argv[0].
    for name in ["plain", "arg", "script-of-script", "trailing-blank-no-newline"] {
        assert!(w.compare_with(&["--empty-argv"], name, &MODES), "{name} with argc 0");
    }
    // The script itself must be executable, as any program.
    w.file_mode("noexec-script", format!("#!{p}\n").as_bytes(), 0o644);
    assert!(!w.compare("noexec-script", &MODES));
}

#[test]
fn five_nested_scripts_run_and_six_are_eloop() {
    let w = World::new();
    let p = w.printer();
    // n1 .. n6, each naming the next with an argument; n6 names the printer. Running n{k}
    // nests 7 - k scripts.
    for k in 1..=6 {
        let next = if k == 6 { p.clone() } else { format!("./n{}", k + 1) };
        w.file(&format!("n{k}"), format!("#!{next} a{k}\n").as_bytes());
    }
    for k in (1..=6).rev() {
        let ran = w.compare(&format!("n{k}"), &MODES);
        assert_eq!(ran, k >= 2, "{} nested scripts", 7 - k);
    }
    let out = w.run(&[], "n1");
    assert_eq!(errno_name(&out).as_deref(), Some("ELOOP"));
    // Following five scripts stays within the library's stack goal (8 KiB), the
    // harness's open callbacks included (--verify-faults paints the stack).
    let report = w.dir.join("report");
    let out = w.run(&["--verify-faults", report.to_str().unwrap()], "n2");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&report).unwrap();
    let words: Vec<&str> = text.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "follow_scripts_stack").expect("follow_scripts_stack reported");
    let used: u64 = words[at + 1].parse().unwrap();
    assert!((256..=8192).contains(&used), "follow_scripts_stack {used}");
    // The sixth script's own errors come first (Linux checks the depth after rewriting
    // and opening): a missing interpreter is ENOENT, an empty line ENOEXEC.
    for (last, errno) in [("#!./none\n", "ENOENT"), ("#!  \n", "ENOEXEC")] {
        w.file("n6", last.as_bytes());
        assert!(!w.compare("n1", &MODES));
        assert_eq!(errno_name(&w.run(&[], "n1")).as_deref(), Some(errno));
    }
}

/// The largest argument total (strings of `n` bytes with their NULs, in 100 KB pieces)
/// with which `how` runs `script` under a 1 MiB stack rlimit (a 256 KiB argument limit).
fn largest_arguments(w: &World, how: &[&str], script: &str) -> usize {
    let runs = |n: usize| {
        let mut args = Vec::new();
        let mut rest = n;
        while rest > 0 {
            let k = rest.min(100_000);
            args.push("x".repeat(k - 1));
            rest -= k;
        }
        let out = Command::new(harness())
            .args(how)
            .args(["--stack-rlimit", "1048576"])
            .arg(format!("./{script}"))
            .args(&args)
            .current_dir(&*w.dir)
            .env_clear()
            .output()
            .expect("spawn exec-harness");
        if !out.status.success() {
            assert_eq!(errno_name(&out).as_deref(), Some("E2BIG"), "{script} {how:?} with {n} bytes");
        }
        out.status.success()
    };
    let (mut lo, mut hi) = (200_000, 262_144);
    assert!(runs(lo) && !runs(hi), "{script} {how:?}: the limit is not between {lo} and {hi}");
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if runs(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// E2BIG at Linux's exact limit: the strings a rewrite adds count, their pointers do not
/// (Linux sizes the pointers from the argc given to execve), so a script may take 8
/// bytes of argument per added string more than its strings alone would suggest.
#[test]
fn arguments_too_large_at_linuxs_exact_limit() {
    let w = World::new();
    let p = w.printer();
    w.file("one", format!("#!{p} -x\n").as_bytes());
    w.file("two", b"#!./one\n");
    let mut last = None;
    for script in ["printer", "one", "two"] {
        let kernel = largest_arguments(&w, &["--kernel"], script);
        assert_eq!(largest_arguments(&w, &["--mode", "eager"], script), kernel, "{script}");
        // Each level costs its strings: the limits differ from file to file.
        assert_ne!(Some(kernel), last);
        last = Some(kernel);
    }
}

/// A small xorshift: the generated lines are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn generated_lines_around_the_buffer_end() {
    let w = World::new();
    let p = w.printer();
    let mut rng = Rng(0x5eed_5c21_97f0_0d15);
    let blanks = [b' ', b'\t'];
    let arg_bytes = [b'a', b'-', b' ', b'\t', b'\r', b'\n', 0];
    let mut ran = 0;
    for i in 0..150 {
        let mut line = b"#!".to_vec();
        for _ in 0..rng.below(4) {
            line.push(blanks[rng.below(2)]);
        }
        // Extra slashes stretch the same path up to and past the buffer's end.
        let target = 250usize.saturating_sub(line.len() + p.len()) + rng.below(16);
        line.extend(std::iter::repeat_n(b'/', target.saturating_sub(8)));
        line.extend_from_slice(p.as_bytes());
        match rng.below(4) {
            0 => {}
            1 => line.push(b'\n'),
            _ => {
                for _ in 0..1 + rng.below(3) {
                    line.push(blanks[rng.below(2)]);
                }
                for _ in 0..rng.below(12) {
                    line.push(arg_bytes[rng.below(arg_bytes.len())]);
                }
            }
        }
        if rng.below(2) == 0 {
            line.extend_from_slice(b"\nrest of the script\n");
        }
        let name = format!("gen-{i}");
        w.file(&name, &line);
        if w.compare(&name, &["eager"]) {
            ran += 1;
        }
    }
    // Both outcomes are well represented.
    assert!((30..=140).contains(&ran), "{ran} of 150 ran");
}
