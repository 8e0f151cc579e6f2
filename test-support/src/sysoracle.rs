//! The real-kernel oracle, `../shared/sysoracle/sysoracle.sh`: what a Debian arm64, MIPS
//! or riscv64 kernel did with each program at its first instruction. Results are cached per program,
//! keyed by the SHA-256 of the program, of the interpreter the oracle copies, of the script
//! and tracer, and by the kernel's name; programs not cached are run in one boot. Panics when
//! the oracle cannot run: a test using it never skips.

use crate::hostkernel::Reading;
use crate::maps::{observed_image, planned_image, Vma};
use crate::stack::initial_stack_bytes;
use core::fmt::Display;
use elf_stream::ElfType;
use exec_core::fs_host::FsHost;
use exec_core::{ArchPolicy, ExecError, ExecParams, ExecPlan, KernelVersion, Prepared, Profile};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What the real kernel did with one program.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    /// None: exec succeeded; Some(errno): it failed (-1: killed before its exec stop).
    pub errno: Option<i32>,
    /// The whole auxv, in order (without AT_NULL).
    pub auxv: Vec<(u64, u64)>,
    /// The stack pointer at the first instruction.
    pub sp: u64,
    /// The program counter at the first instruction.
    pub pc: u64,
    /// `/proc/PID/stat` fields by name (start_brk, start_stack...).
    pub stat: HashMap<String, u64>,
    /// `/proc/PID/maps`.
    pub maps: Vec<Vma>,
    /// The top of the stack mapping.
    pub stack_top: u64,
    /// Raw bytes from sp to the stack top.
    pub stack: Vec<u8>,
    /// The 16 AT_RANDOM bytes.
    pub random: Vec<u8>,
    /// The AT_PLATFORM string.
    pub platform: Option<String>,
    /// The AT_EXECFN string.
    pub execfn: Option<String>,
    /// How the program ended: `exit N` or `signal N`.
    pub exit: Option<String>,
    /// The program's non-empty output lines.
    pub output: Vec<String>,
    /// How much of the process the tracer read (see [`Reading::Low32`]).
    pub reading: Reading,
}

impl Observed {
    /// The value of auxv entry `t`.
    pub fn aux(&self, t: u64) -> Option<u64> {
        self.auxv.iter().find(|e| e.0 == t).map(|e| e.1)
    }

    /// The `FR=n` line the MIPS FPU-mode probes print (n: the FR bit they saw).
    pub fn fr(&self) -> Option<&str> {
        self.output.iter().find_map(|l| l.trim().strip_prefix("FR="))
    }
}

fn hex(s: &str) -> u64 {
    u64::from_str_radix(s.trim().trim_start_matches("0x"), 16).unwrap_or_else(|_| panic!("bad hex {s:?}"))
}

fn unhex(s: &str) -> Vec<u8> {
    let s = s.trim();
    (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap()).collect()
}

fn unquote(s: &str) -> String {
    s.trim().trim_matches('"').to_string()
}

/// Parses one program's block of the serial log: its `o.*` lines, then its output.
pub fn parse_block(block: &str) -> Observed {
    let mut o = Observed::default();
    let mut in_run = false;
    let mut wordsize = 8;
    for line in block.lines() {
        let Some(rest) = line.strip_prefix("o.") else {
            if in_run && !line.trim().is_empty() {
                o.output.push(line.to_string());
            }
            continue;
        };
        let (k, v) = rest.split_once('=').unwrap_or((rest, ""));
        match k {
            "exec" if v.starts_with("ok") => o.errno = None,
            "exec" => {
                let n = v.split("errno=").nth(1).unwrap_or("").split(|c: char| !c.is_ascii_digit()).next();
                o.errno = Some(n.unwrap_or("").parse().unwrap_or(-1));
            }
            "wordsize" => wordsize = v.trim().parse().unwrap_or(8),
            "reg.sp" => o.sp = hex(v),
            "reg.pc" => o.pc = hex(v),
            "stack_top" => o.stack_top = hex(v),
            "stack.hex" => o.stack = unhex(v),
            "random.bytes" => o.random = unhex(v),
            "platform.str" => o.platform = Some(unquote(v)),
            "execfn.str" => o.execfn = Some(unquote(v)),
            "maps" => {
                let f: Vec<&str> = v.split_whitespace().collect();
                let (s, e) = f[0].split_once('-').unwrap();
                o.maps.push(Vma {
                    start: hex(s),
                    end: hex(e),
                    perms: f[1].to_string(),
                    path: f.get(5).map_or(String::new(), |p| p.to_string()),
                });
            }
            "run.begin" => in_run = true,
            "exit" | "signal" => {
                in_run = false;
                o.exit = Some(format!("{k} {v}"));
            }
            k if k.starts_with("auxv[") => {
                let (t, val) = v.split_once(':').unwrap();
                o.auxv.push((t.parse().unwrap(), hex(val)));
            }
            k if k.starts_with("stat.") => {
                o.stat.insert(k["stat.".len()..].to_string(), hex(v));
            }
            _ => {}
        }
    }
    // The tracer reads words at the size the file's EI_CLASS says; the kernel's own
    // start_stack (printed whole from /proc) past 4 GiB shows a 64-bit process.
    if wordsize == 4 && o.stat.get("start_stack").is_some_and(|&s| s > u64::from(u32::MAX)) {
        o.reading = Reading::Low32;
        o.auxv = rebuild_auxv64(&o.auxv);
        o.stack.clear();
    }
    o
}

/// A 64-bit auxv from the 32-bit pairs a tracer read it as: each 64-bit entry is two
/// consecutive pairs (tag low, tag high), (value low, value high). The tracer stops at the
/// first pair whose first word is 0: the end, or a value whose low half is 0 (that entry's
/// high half was never read: it is left out).
fn rebuild_auxv64(pairs: &[(u64, u64)]) -> Vec<(u64, u64)> {
    pairs.chunks_exact(2).map(|p| (p[0].0 | p[0].1 << 32, p[1].0 | p[1].1 << 32)).collect()
}

/// One kernel configuration of the oracle.
#[derive(Clone, Debug)]
pub struct Boot<'a> {
    /// sysoracle.sh's architecture (`aarch64`, `mips64el`, `mipsel`, `riscv64`).
    pub arch: &'a str,
    /// Where this configuration's results are cached.
    pub cache: PathBuf,
    /// The script's environment: `(name, Some(value))` is set, `(name, None)` removed.
    pub env: Vec<(&'a str, Option<&'a str>)>,
}

/// A program for the oracle.
#[derive(Clone, Debug)]
pub struct Subject<'a> {
    /// Its file name: the oracle runs it as `/t/<name>` and logs it under that name.
    pub name: &'a str,
    /// The file.
    pub path: &'a Path,
    /// The host file the oracle copies into the guest as its interpreter, if any.
    pub interp: Option<PathBuf>,
}

static ORACLE_LOCK: Mutex<()> = Mutex::new(());

fn sha256_of(paths: &[&Path]) -> Vec<String> {
    let out = std::process::Command::new("sha256sum").args(paths).output().expect("sha256sum");
    assert!(out.status.success(), "sha256sum {paths:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

fn sysoracle() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/sysoracle")
}

/// What the kernel booted as `boot` did with each of `progs`, by name: from the cache, or
/// by booting the oracle once for every program not cached.
pub fn observe(boot: &Boot<'_>, progs: &[Subject<'_>]) -> HashMap<String, Observed> {
    observe_with(boot, progs, &[])
}

/// [`observe`], with `companions` in every boot that runs: files the guest gets beside
/// the programs (they run too; their results are not kept), so that what the programs'
/// PT_INTERP names is there even when no program copied it.
pub fn observe_with(
    boot: &Boot<'_>,
    progs: &[Subject<'_>],
    companions: &[&Path],
) -> HashMap<String, Observed> {
    if progs.is_empty() {
        return HashMap::new();
    }
    let _guard = ORACLE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    std::fs::create_dir_all(&boot.cache).unwrap();
    let script = sysoracle().join("sysoracle.sh");
    let tracer = sysoracle().join("oracle-trace.c");
    let mut inputs: Vec<&Path> = vec![&script, &tracer];
    for p in progs {
        inputs.push(p.path);
        inputs.push(p.interp.as_deref().unwrap_or(p.path));
    }
    let hashes = sha256_of(&inputs);
    // The kernel the script downloads on its first boot; until then nothing is cached.
    let kernel_name = || {
        let name =
            std::fs::read_to_string(cache_dir().join(boot.arch).join("kernel.name")).unwrap_or_default();
        name.trim().trim_start_matches("vmlinuz-").to_string()
    };
    let key = |i: usize, kernel: &str| {
        let (prog, interp) = (&hashes[2 + 2 * i], &hashes[3 + 2 * i]);
        format!(
            "{}-{}-{}-{}{}-{kernel}",
            progs[i].name,
            &prog[..20],
            &interp[..12],
            &hashes[0][..12],
            &hashes[1][..12]
        )
    };
    let kernel = kernel_name();
    let mut blocks: HashMap<String, String> = HashMap::new();
    let mut missing = Vec::new();
    for (i, p) in progs.iter().enumerate() {
        match std::fs::read_to_string(boot.cache.join(key(i, &kernel))) {
            Ok(b) if !kernel.is_empty() => {
                blocks.insert(p.name.to_string(), b);
            }
            _ => missing.push(i),
        }
    }
    // A boot that dies (qemu itself has crashed on a program running after its exec stop)
    // keeps what it observed: each program whose block ended, and the one it died in when
    // its exec-stop dump was complete (`o.run.begin` follows the dump); the rest boot again.
    let mut boots = 0;
    while !missing.is_empty() {
        boots += 1;
        let mut cmd = std::process::Command::new(&script);
        cmd.arg(boot.arch).args(companions).args(missing.iter().map(|&i| progs[i].path));
        for (name, value) in &boot.env {
            match value {
                Some(v) => cmd.env(name, v),
                None => cmd.env_remove(name),
            };
        }
        let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let log = stdout.lines().rev().find_map(|l| l.strip_prefix("# log=")).unwrap_or_else(|| {
            panic!("sysoracle failed ({}):\n{stdout}\n{}", out.status, String::from_utf8_lossy(&out.stderr))
        });
        let text = std::fs::read_to_string(log).unwrap();
        let done = text.contains("=== SYSORACLE DONE");
        let kernel = kernel_name();
        let mut still = Vec::new();
        for &i in &missing {
            let name = progs[i].name;
            let begin = format!("=== BEGIN {name}\n");
            let Some(start) = text.find(&begin).map(|s| s + begin.len()) else {
                assert!(!done, "{name} missing from {log}");
                still.push(i);
                continue;
            };
            let block = match text[start..].find(&format!("=== END {name}\n")) {
                Some(end) => text[start..start + end].to_string(),
                None => match text[start..].find("o.run.begin\n") {
                    Some(end) if !done => text[start..start + end].to_string(),
                    _ => {
                        assert!(!done, "{name}: no end in {log}");
                        still.push(i);
                        continue;
                    }
                },
            };
            assert!(block.contains("o.exec="), "{name}: no exec result in {log}");
            std::fs::write(boot.cache.join(key(i, &kernel)), &block).unwrap();
            blocks.insert(name.to_string(), block);
        }
        assert!(
            done || still.len() < missing.len(),
            "the oracle kernel did not finish and observed nothing: see {log}"
        );
        assert!(boots <= 8, "the oracle kernel died {boots} times: see {log}");
        missing = still;
    }
    blocks.into_iter().map(|(k, b)| (k, parse_block(&b))).collect()
}

/// The version of the kernel the oracle boots for `arch` (its image, downloaded into the
/// cache by the first boot), with its stable sublevel: read from the `Linux version`
/// banner in the image — Debian's kernel release (`6.1.0-57-arm64`) keeps the sublevel
/// out of `uname -r`, the banner names the upstream update (`Debian 6.1.192-3`). MIPS's
/// self-extracting image holds the banner inside its xz payload. Panics when the image
/// or its banner is missing.
pub fn kernel_version(arch: &str) -> exec_core::KernelVersion {
    static VERSIONS: Mutex<Vec<(String, exec_core::KernelVersion)>> = Mutex::new(Vec::new());
    let mut known = VERSIONS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, v)) = known.iter().find(|(a, _)| a == arch) {
        return *v;
    }
    let image = cache_dir().join(arch).join("vmlinuz");
    // Python's lzma decompresses the payload (the magic also occurs in the decompressor:
    // every candidate is tried).
    let script = [
        "import lzma,re,sys",
        "d=open(sys.argv[1],'rb').read()",
        "def unxz(at):",
        "    try: return lzma.LZMADecompressor().decompress(d[at:])",
        "    except lzma.LZMAError: return b''",
        "if b'Linux version ' not in d:",
        "    d=b''.join(unxz(m.start()) for m in re.finditer(b'\\xfd7zXZ\\x00',d))",
        "i=d.find(b'Linux version ')",
        "sys.stdout.write(d[i:].split(b'\\n')[0].split(b'\\0')[0].decode('latin-1') if i>=0 else '')",
    ]
    .join("\n");
    let out = std::process::Command::new("python3").arg("-c").arg(script).arg(&image).output();
    let banner = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    let version = version_from_banner(&banner)
        .unwrap_or_else(|| panic!("no Linux version banner in {} ({banner:?})", image.display()));
    known.push((arch.to_string(), version));
    version
}

/// The version a `Linux version RELEASE (...) #N SMP Debian UPSTREAM (date)` banner names:
/// Debian's upstream version when there is one, else the release.
pub fn version_from_banner(banner: &str) -> Option<exec_core::KernelVersion> {
    let release = banner.strip_prefix("Linux version ")?;
    match banner.split(" Debian ").nth(1) {
        Some(upstream) => exec_core::KernelVersion::parse(upstream),
        None => exec_core::KernelVersion::parse(release),
    }
}

fn cache_dir() -> PathBuf {
    std::env::var_os("SYSORACLE_CACHE")
        .map_or_else(|| PathBuf::from("/tmp/execcore-sysoracle/cache"), PathBuf::from)
}

/// How the oracle ran a program: argv `[execfn]`, AT_EXECFN `execfn`, environment `envp`,
/// and the AT_PLATFORM strings the policy gives the plan's ABI.
#[derive(Clone, Copy, Debug)]
pub struct Run<'a> {
    /// `argv[0]` and AT_EXECFN (`/t/<name>`).
    pub execfn: &'a str,
    /// The environment strings.
    pub envp: &'a [&'a [u8]],
    /// AT_PLATFORM and AT_BASE_PLATFORM.
    pub platforms: (Option<&'a [u8]>, Option<&'a [u8]>),
}

/// Every difference between `plan` and what the kernel did in `o`, in what every
/// architecture's oracle reports: sp, pc, stack top, start_brk, arg_start and env_start,
/// the whole auxv, the stack's bytes (written with the kernel's AT_RANDOM bytes), the
/// program's and the interpreter's (`interp`: its path in the guest) mappings, and the
/// stack mapping's end and protection.
pub fn differences<I>(plan: &ExecPlan<I>, o: &Observed, run: &Run<'_>, interp: Option<&str>) -> Vec<String> {
    let mut d = Vec::new();
    let mut eq = |what: &str, ours: u64, theirs: Option<u64>| {
        if Some(ours) != theirs {
            d.push(format!("{what} {ours:#x}, kernel {theirs:x?}"));
        }
    };
    let stat = |name: &str| o.stat.get(name).copied();
    eq("sp", plan.stack.sp.0, Some(o.sp));
    eq("pc", plan.entry.0, Some(o.pc));
    eq("stack top", plan.stack.top.0, Some(o.stack_top));
    eq("start_brk", plan.brk.0, stat("start_brk"));
    eq("arg_start", plan.stack.arg_start.0, stat("arg_start"));
    eq("env_start", plan.stack.env_start.0, stat("env_start"));
    let planned_auxv: Vec<(u64, u64)> = plan.auxv.entries().iter().map(|e| (e.kind.0, e.value)).collect();
    if planned_auxv != o.auxv {
        d.push(format!("auxv {planned_auxv:x?}\n   kernel {:x?}", o.auxv));
    }
    match <&[u8; 16]>::try_from(o.random.as_slice()) {
        Ok(random) => {
            let argv = [run.execfn.as_bytes()];
            let mut params = ExecParams::new(run.execfn.as_bytes());
            params.argv = &argv;
            params.envp = &run.envp;
            let stack = initial_stack_bytes(plan, &params, run.platforms, random);
            if stack != o.stack {
                d.push(format!("stack bytes differ:\n   ours   {stack:02x?}\n   kernel {:02x?}", o.stack));
            }
        }
        Err(_) => d.push(format!("the kernel reported {} AT_RANDOM bytes", o.random.len())),
    }
    let (main, kmain) = (planned_image(&plan.main), observed_image(&o.maps, run.execfn));
    if main != kmain {
        d.push(format!("main mappings {main:x?}\n   kernel {kmain:x?}"));
    }
    if let (Some(img), Some(path)) = (&plan.interp, interp) {
        let (ours, theirs) = (planned_image(img), observed_image(&o.maps, path));
        if ours != theirs {
            d.push(format!("interpreter mappings {ours:x?}\n   kernel {theirs:x?}"));
        }
    }
    let stack_vma = o.maps.iter().find(|v| v.path == "[stack]").map(|v| (v.end, v.perms[..3].to_string()));
    let rwx = if plan.stack.exec { "rwx" } else { "rw-" };
    if stack_vma != Some((plan.stack.top.0, rwx.to_string())) {
        d.push(format!("stack VMA {stack_vma:x?}, planned top {:#x} {rwx}", plan.stack.top.0));
    }
    d
}

/// The tracer's verdict when the child died before its exec stop (killed after the point
/// of no return: execve does not return).
pub const KILLED: i32 = -1;

/// Where Linux maps the vDSO after the images (`get_unmapped_area(NULL, vvar + vdso)`:
/// top-down first fit below mmap_base around the mapped segments): the address of its
/// text, AT_SYSINFO_EHDR. `vvar_pages` data pages lie below `vdso_pages` text pages.
pub fn linux_vdso<I>(plan: &ExecPlan<I>, vvar_pages: u64, vdso_pages: u64) -> u64 {
    let page = plan.main.page.get();
    let size = (vvar_pages + vdso_pages) * page;
    let mut taken: Vec<(u64, u64)> =
        plan.images().flat_map(|i| planned_image(i).into_iter().map(|(s, e, _)| (s, e))).collect();
    taken.sort_unstable();
    let mut end = plan.mmap.base.0;
    loop {
        let start = end - size;
        match taken.iter().rev().find(|&&(s, e)| s < end && e > start) {
            Some(&(s, _)) => end = s,
            None => return start + vvar_pages * page,
        }
    }
}

/// The first half of every architecture's comparison with the kernel: the outcome. A
/// rejection must carry the kernel's errno (`errno`: the policy's number for it), or the
/// kernel must have killed the program after its point of no return (execcore rejects
/// such a file up front: that is the point); a planned program must have run. Then the
/// plan is made again with the vDSO where Linux put it (`plan(Some(vdso))`, `vdso_pages`:
/// its vvar and text pages), and the kernel's `[vdso]` must start there. `Ok`: that plan,
/// for [`differences`]; `Err`: the differences found (empty when the rejection matches).
pub fn kernel_outcome<I, E: Display>(
    plan: impl Fn(Option<u64>) -> Result<ExecPlan<I>, E>,
    errno: impl Fn(&E) -> i32,
    o: &Observed,
    (vvar_pages, vdso_pages): (u64, u64),
) -> Result<ExecPlan<I>, Vec<String>> {
    let first = match (plan(None), o.errno) {
        (Err(_), Some(KILLED)) => return Err(Vec::new()),
        (Err(e), Some(kernel)) if errno(&e) == kernel => return Err(Vec::new()),
        (Err(e), Some(kernel)) => return Err(vec![format!("errno {} ({e}), kernel {kernel}", errno(&e))]),
        (Err(e), None) => return Err(vec![format!("rejected ({e}), the kernel ran it")]),
        (Ok(_), Some(kernel)) => return Err(vec![format!("planned, the kernel failed with errno {kernel}")]),
        (Ok(p), None) => p,
    };
    // The plan does not depend on the vDSO's address, only its auxv entry does.
    let vdso = linux_vdso(&first, vvar_pages, vdso_pages);
    let planned = plan(Some(vdso)).map_err(|e| vec![format!("rejected with a vDSO ({e})")])?;
    let kernel_vdso = o.maps.iter().find(|v| v.path == "[vdso]").map(|v| v.start);
    if kernel_vdso != Some(vdso) {
        return Err(vec![format!("vDSO {vdso:#x}, kernel {kernel_vdso:x?}")]);
    }
    Ok(planned)
}

/// The environment the oracle runs every program with (sysoracle.sh's default).
pub const ENV: &str = "ORACLE=1";

/// `argv[0]` and AT_EXECFN of the program `name` in the guest.
pub fn guest_path(name: &str) -> String {
    format!("/t/{name}")
}

/// Plans the program `name` at `path` the way the oracle runs it: argv `["/t/<name>"]`,
/// envp `[ENV]`, AT_EXECFN `/t/<name>`, 8 MiB stack rlimit, ASLR off, the Linux profile
/// at the oracle kernel's `version`, interpreters under `root`; `configure` adds what the
/// architecture's kernel gives (the vDSO, rseq). Returns the host too (its log).
pub fn plan_as_oracle<P: ArchPolicy>(
    policy: &P,
    (name, path, root): (&str, &Path, &Path),
    version: KernelVersion,
    configure: impl FnOnce(&mut ExecParams<'_>),
) -> (Result<Prepared<P::Info, std::fs::File>, ExecError>, FsHost) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let execfn = guest_path(name);
    let argv: [&[u8]; 1] = [execfn.as_bytes()];
    let envp: [&[u8]; 1] = [ENV.as_bytes()];
    let mut params = ExecParams::new(execfn.as_bytes());
    params.argv = &argv;
    params.envp = &envp;
    params.profile = Profile::Linux(version);
    configure(&mut params);
    let mut host = FsHost::new(root);
    host.seed = Some(1);
    let prepared = exec_core::prepare(policy, &file, &mut host, &params, None);
    (prepared, host)
}

/// Every difference between what `policy` plans (`plan(vdso)`) for the program `name`
/// and what the kernel did in `o`: the outcome and the vDSO ([`kernel_outcome`], `vdso`:
/// its vvar and text pages), everything [`differences`] compares, and whether an
/// interpreter was planned exactly when the program names one (`interp`). With them the
/// plan, when both execcore and the kernel ran the program (for the architecture's own
/// comparisons).
pub fn plan_differences<P: ArchPolicy>(
    policy: &P,
    plan: impl Fn(Option<u64>) -> Result<ExecPlan<P::Info>, ExecError>,
    o: &Observed,
    vdso: (u64, u64),
    (name, interp): (&str, Option<&str>),
) -> (Vec<String>, Option<ExecPlan<P::Info>>) {
    let plan = match kernel_outcome(plan, |e| policy.errno(e).0, o, vdso) {
        Ok(plan) => plan,
        Err(d) => return (d, None),
    };
    let execfn = guest_path(name);
    let run = Run {
        execfn: &execfn,
        envp: &[ENV.as_bytes()],
        platforms: (policy.platform(plan.abi), policy.base_platform(plan.abi)),
    };
    let mut d = differences(&plan, o, &run, interp);
    if plan.interp.is_some() != interp.is_some() {
        d.push(format!("interpreter: planned {}, PT_INTERP {interp:?}", plan.interp.is_some()));
    }
    (d, Some(plan))
}

/// The kind of program a plan is for, as the oracle tests count them to show each is
/// covered: dynamic PIE, dynamic ET_EXEC, static-pie or static ET_EXEC.
pub fn program_kind<I>(plan: &ExecPlan<I>) -> &'static str {
    match (plan.main.header.elf_type == ElfType::DYN, plan.interp.is_some()) {
        (true, true) => "dynamic PIE",
        (false, true) => "dynamic ET_EXEC",
        (true, false) => "static-pie",
        (false, false) => "static ET_EXEC",
    }
}

/// Writes a synthetic program `name` into `dir` (atomically, and only when its bytes
/// changed, so that concurrent tests and the cache keyed by its hash see a whole file);
/// returns its path.
pub fn write_program(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let path = dir.join(name);
    if std::fs::read(&path).ok().as_deref() != Some(bytes) {
        let tmp = dir.join(format!(".{name}.{}", std::process::id()));
        std::fs::write(&tmp, bytes).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The arm64 oracle's block for a 64-bit program whose EI_CLASS says 32 (seed
    /// 0x5eede1f020261202, m00425): the tracer read its auxv as 32-bit pairs.
    const MISREAD: &str = "o.exec=ok\no.wordsize=4\no.reg.sp=0xfffffdc0\no.reg.pc=0xf7fd8c40\n\
        o.auxv[0]=33:0\no.auxv[1]=4160729088:0xffff\no.auxv[2]=51:0\no.auxv[3]=4720:0\n\
        o.auxv[4]=16:0\no.auxv[5]=2303:0\no.auxv[6]=6:0\no.auxv[7]=4096:0\no.auxv[8]=17:0\n\
        o.auxv[9]=100:0\no.auxv[10]=3:0\no.auxv[11]=4194368:0\no.auxv[12]=4:0\no.auxv[13]=56:0\n\
        o.auxv[14]=5:0\no.auxv[15]=9:0\no.auxv[16]=7:0\no.auxv[17]=4160479232:0xffff\n\
        o.auxv[18]=8:0\no.auxv.count=19\no.stat.start_stack=0xfffffffffdc0\n";

    #[test]
    fn a_64_bit_process_read_as_32_bit_gets_its_auxv_rebuilt() {
        let o = parse_block(MISREAD);
        assert_eq!(o.reading, Reading::Low32);
        assert_eq!(o.aux(33), Some(0xffff_f7ff_b000));
        assert_eq!(o.aux(3), Some(0x40_0040));
        assert_eq!(o.aux(5), Some(9));
        assert_eq!(o.aux(7), Some(0xffff_f7fb_e000));
        // AT_FLAGS' value was cut (its low half 0 stopped the tracer); AT_ENTRY never read.
        assert_eq!((o.aux(8), o.aux(9)), (None, None));
        assert_eq!(o.auxv.len(), 9);
    }

    #[test]
    fn a_32_bit_process_keeps_its_reading() {
        let block = MISREAD.replace("0xfffffffffdc0", "0x7fff5000");
        let o = parse_block(&block);
        assert_eq!(o.reading, Reading::Whole);
        assert_eq!(o.auxv.len(), 19);
    }
}
