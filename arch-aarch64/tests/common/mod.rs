//! Shared by the aarch64 tests: the programs (shared corpus and fixtures, selected by
//! e_machine), planning one as the oracle runs it, synthetic ELF files for rule tests, and
//! the real-kernel oracle (`sysoracle.sh aarch64`) with its cache.
#![allow(dead_code)]

use arch_aarch64::{Aarch64, Cpu, Info};
use exec_core::fs_host::FsHost;
use exec_core::{ExecError, ExecParams, ExecPlan, Prepared};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub const EM_AARCH64: u16 = 183;

/// The workspace root (this module is also used by examples/execplan's tests).
pub fn repo() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().find(|p| p.join("Cargo.lock").is_file()).unwrap_or(here).to_path_buf()
}

pub fn corpus_bin() -> PathBuf {
    repo().join("../shared/corpus/bin")
}

pub fn fixtures_bin() -> PathBuf {
    repo().join("testdata/bin")
}

/// An AArch64 program and the root its PT_INTERP resolves under.
#[derive(Clone, Debug)]
pub struct Program {
    pub path: PathBuf,
    pub name: String,
    pub root: PathBuf,
    pub interp: Option<String>,
    pub big_endian: bool,
}

impl Program {
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap()
    }
}

/// name -> sysroot column of a MANIFEST.tsv (absent file: empty).
fn sysroots(manifest: &Path, root_col: usize) -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(manifest) else { return HashMap::new() };
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((f.first()?.to_string(), f.get(root_col)?.to_string()))
        })
        .collect()
}

pub fn interp_of(bytes: &[u8]) -> Option<String> {
    let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(bytes).ok()?;
    let mut buf = [0u8; 4096];
    let p = elf.interpreter(&mut buf).ok()??;
    Some(String::from_utf8_lossy(p).into_owned())
}

/// The sysroot for a program the manifest does not name: glibc's cross sysroot, or the
/// host for musl (Debian's musl:arm64 installs /lib/ld-musl-aarch64.so.1).
fn default_root(interp: Option<&str>) -> &'static str {
    match interp {
        Some(p) if p.contains("ld-linux-aarch64") => "/usr/aarch64-linux-gnu",
        _ => "/",
    }
}

fn machine_of(bytes: &[u8]) -> Option<(u16, bool)> {
    if bytes.len() < 20 || &bytes[..4] != b"\x7fELF" {
        return None;
    }
    let big = bytes[5] == 2;
    let m = [bytes[18], bytes[19]];
    Some((if big { u16::from_be_bytes(m) } else { u16::from_le_bytes(m) }, big))
}

fn scan_dir(dir: &Path, roots: &HashMap<String, String>, out: &mut Vec<Program>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        if !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let Some((EM_AARCH64, big_endian)) = machine_of(&bytes) else { continue };
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let interp = interp_of(&bytes);
        let root = match roots.get(&name).map(String::as_str) {
            Some("-") | None => default_root(interp.as_deref()).to_string(),
            Some(r) => r.to_string(),
        };
        out.push(Program { path, name, root: root.into(), interp, big_endian });
    }
}

/// Every AArch64 program (e_machine 183) of the shared corpus and of the fixtures.
pub fn programs() -> Vec<Program> {
    let mut v = Vec::new();
    scan_dir(&corpus_bin(), &sysroots(&corpus_bin().join("MANIFEST.tsv"), 2), &mut v);
    scan_dir(&fixtures_bin(), &sysroots(&repo().join("testdata/MANIFEST.tsv"), 8), &mut v);
    v
}

pub fn program(name: &str) -> Program {
    programs().into_iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no program {name}"))
}

/// The oracle's environment (sysoracle.sh default) and argv[0].
pub const ENV: &str = "ORACLE=1";

pub fn guest_path(p: &Program) -> String {
    format!("/t/{}", p.name)
}

pub type PrepareResult = Result<Prepared<Info, std::fs::File>, ExecError>;

/// Plans `p` the way the oracle runs it: argv = ["/t/<name>"], envp = ["ORACLE=1"],
/// AT_EXECFN "/t/<name>", 8 MiB stack rlimit, ASLR off, vDSO at `vdso` when given.
pub fn plan_as_oracle(policy: &Aarch64, p: &Program, vdso: Option<u64>) -> PrepareResult {
    let file = std::fs::File::open(&p.path).unwrap();
    let execfn = guest_path(p);
    let argv: [&[u8]; 1] = [execfn.as_bytes()];
    let envp: [&[u8]; 1] = [ENV.as_bytes()];
    let mut params = ExecParams::new(execfn.as_bytes());
    params.argv = &argv;
    params.envp = &envp;
    params.sysinfo_ehdr = vdso.map(exec_core::UserAddr);
    let mut host = FsHost::new(&p.root);
    host.seed = Some(1);
    exec_core::prepare(policy, &file, &mut host, &params, None)
}

pub fn plan(policy: &Aarch64, p: &Program) -> Result<ExecPlan<Info>, ExecError> {
    plan_as_oracle(policy, p, None).map(|x| x.plan)
}

pub fn plan_cpu(cpu: Cpu, p: &Program) -> Result<ExecPlan<Info>, ExecError> {
    plan(&Aarch64::new(cpu), p)
}

/// Plans raw bytes with interpreters under `root`.
pub fn plan_bytes(policy: &Aarch64, bytes: &[u8], root: &Path) -> Result<ExecPlan<Info>, ExecError> {
    plan_bytes_with(policy, bytes, root, |_| {})
}

pub fn plan_bytes_with(
    policy: &Aarch64,
    bytes: &[u8],
    root: &Path,
    configure: impl FnOnce(&mut ExecParams<'_>),
) -> Result<ExecPlan<Info>, ExecError> {
    let argv: [&[u8]; 1] = [b"/t/prog"];
    let mut params = ExecParams::new(b"/t/prog");
    params.argv = &argv;
    configure(&mut params);
    let mut host = FsHost::new(root);
    host.seed = Some(3);
    exec_core::prepare(policy, bytes, &mut host, &params, None).map(|p| p.plan)
}

/// Plans raw bytes with the caller's parameters.
pub fn plan_params(
    policy: &Aarch64,
    bytes: &[u8],
    root: &Path,
    params: &ExecParams<'_>,
) -> Result<ExecPlan<Info>, ExecError> {
    let mut host = FsHost::new(root);
    host.seed = Some(3);
    exec_core::prepare(policy, bytes, &mut host, params, None).map(|p| p.plan)
}

/// A fresh directory for one test.
pub fn temp_dir(tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("arch-aarch64-test-{}-{n}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A root directory holding `bytes` at the absolute path `at` (an interpreter).
pub fn root_with(tag: &str, at: &str, bytes: &[u8]) -> PathBuf {
    let root = temp_dir(tag);
    let path = root.join(at.trim_start_matches('/'));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    root
}

// ---------------------------------------------------------------------------------------
// Synthetic ELF files.

pub const PF_X: u32 = 1;
pub const PF_W: u32 = 2;
pub const PF_R: u32 = 4;

/// One PT_LOAD of a synthetic file.
#[derive(Clone, Copy, Debug)]
pub struct Seg {
    pub vaddr: u64,
    pub offset: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub flags: u32,
    pub align: u64,
}

/// A synthetic AArch64 executable: header and program headers at offset 0 (covered by
/// the first PT_LOAD), PT_INTERP at 0x600, code at 0x800 and PT_GNU_PROPERTY at 0x900.
#[derive(Clone, Debug)]
pub struct Synth {
    pub et_dyn: bool,
    pub big: bool,
    pub class32: bool,
    pub machine: u16,
    pub entry: u64,
    pub loads: Vec<Seg>,
    pub interp: Option<String>,
    /// Raw bytes of the PT_GNU_PROPERTY segment (a note).
    pub property: Option<Vec<u8>>,
    /// PT_GNU_PROPERTY `p_align` (Linux does not look at it).
    pub property_align: u64,
    /// PT_GNU_STACK: `Some(executable)`, or `None` for no PT_GNU_STACK.
    pub gnu_stack: Option<bool>,
    /// Instructions at the entry point (file offset 0x800).
    pub code: Vec<u32>,
}

/// `mov x0, #0; mov x8, #93; svc #0`: exit(0).
pub const EXIT0: [u32; 3] = [0xd280_0000, 0xd280_0ba8, 0xd400_0001];
/// `bti c`.
pub const BTI_C: u32 = 0xd503_245f;

const PROPERTY_AT: u64 = 0x900;
const INTERP_AT: u64 = 0x600;
const CODE_AT: u64 = 0x800;

impl Synth {
    /// A static ET_EXEC at 0x400000 (text) and 0x410000 (data + bss), 64 KiB-aligned.
    pub fn exec() -> Synth {
        Synth {
            et_dyn: false,
            big: false,
            class32: false,
            machine: EM_AARCH64,
            entry: 0x400800,
            loads: vec![
                Seg {
                    vaddr: 0x400000,
                    offset: 0,
                    filesz: 0x1000,
                    memsz: 0x1000,
                    flags: PF_R | PF_X,
                    align: 0x10000,
                },
                Seg {
                    vaddr: 0x411000,
                    offset: 0x1000,
                    filesz: 0x100,
                    memsz: 0x3000,
                    flags: PF_R | PF_W,
                    align: 0x10000,
                },
            ],
            interp: None,
            property: None,
            property_align: 8,
            gnu_stack: Some(false),
            code: EXIT0.to_vec(),
        }
    }

    /// An ET_DYN at 0 (text) and 0x11000 (data), 64 KiB-aligned.
    pub fn dyn_() -> Synth {
        let mut s = Synth::exec();
        s.et_dyn = true;
        s.entry = 0x800;
        s.loads[0].vaddr = 0;
        s.loads[1].vaddr = 0x11000;
        s
    }

    /// Sets every PT_LOAD's alignment.
    pub fn align(mut self, a: u64) -> Synth {
        for l in &mut self.loads {
            l.align = a;
        }
        self
    }

    pub fn interp(mut self, path: &str) -> Synth {
        self.interp = Some(path.to_string());
        self
    }

    pub fn features(mut self, bits: u32) -> Synth {
        self.property = Some(property_note(&[(0xc000_0000, &bits.to_le_bytes())]));
        self
    }

    pub fn property(mut self, note: Vec<u8>) -> Synth {
        self.property = Some(note);
        self
    }

    pub fn build(&self) -> Vec<u8> {
        self.build_sized(None)
    }

    /// The file's first `len` bytes only (headers, interpreter path, code, note): for
    /// sources that generate the rest.
    pub fn build_head(&self, len: usize) -> Vec<u8> {
        self.build_sized(Some(len))
    }

    fn build_sized(&self, len: Option<usize>) -> Vec<u8> {
        let mut phdrs: Vec<(u32, u32, u64, u64, u64, u64, u64)> = Vec::new(); // type flags off vaddr filesz memsz align
        let base = self.loads.first().map_or(0, |l| l.vaddr - l.offset);
        if let Some(i) = &self.interp {
            let n = i.len() as u64 + 1;
            phdrs.push((3, PF_R, INTERP_AT, base + INTERP_AT, n, n, 1));
        }
        for l in &self.loads {
            phdrs.push((1, l.flags, l.offset, l.vaddr, l.filesz, l.memsz, l.align));
        }
        if let Some(p) = &self.property {
            let n = p.len() as u64;
            phdrs.push((0x6474_e553, PF_R, PROPERTY_AT, base + PROPERTY_AT, n, n, self.property_align));
        }
        if let Some(x) = self.gnu_stack {
            phdrs.push((0x6474_e551, PF_R | PF_W | if x { PF_X } else { 0 }, 0, 0, 0, 0, 16));
        }
        let end = self.loads.iter().map(|l| l.offset + l.filesz).max().unwrap_or(0).max(0x1000);
        let mut b = vec![0u8; len.unwrap_or(end as usize).max(0x1000)];
        let big = self.big;
        let put = |b: &mut Vec<u8>, at: usize, v: u64, n: usize| {
            let bytes = if big { v.to_be_bytes() } else { v.to_le_bytes() };
            let src = if big { &bytes[8 - n..] } else { &bytes[..n] };
            b[at..at + n].copy_from_slice(src);
        };
        b[..4].copy_from_slice(b"\x7fELF");
        b[4] = if self.class32 { 1 } else { 2 };
        b[5] = if big { 2 } else { 1 };
        b[6] = 1;
        put(&mut b, 16, if self.et_dyn { 3 } else { 2 }, 2);
        put(&mut b, 18, u64::from(self.machine), 2);
        put(&mut b, 20, 1, 4);
        put(&mut b, 24, self.entry, 8);
        put(&mut b, 32, 64, 8); // e_phoff
        put(&mut b, 52, 64, 2); // e_ehsize
        put(&mut b, 54, 56, 2); // e_phentsize
        put(&mut b, 56, phdrs.len() as u64, 2);
        for (i, (t, f, off, va, fs, ms, al)) in phdrs.iter().enumerate() {
            let at = 64 + 56 * i;
            put(&mut b, at, u64::from(*t), 4);
            put(&mut b, at + 4, u64::from(*f), 4);
            put(&mut b, at + 8, *off, 8);
            put(&mut b, at + 16, *va, 8);
            put(&mut b, at + 24, *va, 8);
            put(&mut b, at + 32, *fs, 8);
            put(&mut b, at + 40, *ms, 8);
            put(&mut b, at + 48, *al, 8);
        }
        assert!(64 + 56 * phdrs.len() <= INTERP_AT as usize && self.code.len() <= 64);
        if let Some(p) = &self.property {
            if b.len() < PROPERTY_AT as usize + p.len() {
                b.resize(PROPERTY_AT as usize + p.len(), 0);
            }
            b[PROPERTY_AT as usize..PROPERTY_AT as usize + p.len()].copy_from_slice(p);
        }
        if let Some(i) = &self.interp {
            b[INTERP_AT as usize..INTERP_AT as usize + i.len()].copy_from_slice(i.as_bytes());
        }
        for (k, insn) in self.code.iter().enumerate() {
            let at = CODE_AT as usize + 4 * k;
            b[at..at + 4].copy_from_slice(&insn.to_le_bytes());
        }
        b
    }
}

/// A little-endian ELF64 `NT_GNU_PROPERTY_TYPE_0` note holding `props` (type, data), each
/// padded to 8 bytes.
pub fn property_note(props: &[(u32, &[u8])]) -> Vec<u8> {
    let mut desc = Vec::new();
    for (t, data) in props {
        desc.extend_from_slice(&t.to_le_bytes());
        desc.extend_from_slice(&(data.len() as u32).to_le_bytes());
        desc.extend_from_slice(data);
        while desc.len() % 8 != 0 {
            desc.push(0);
        }
    }
    let mut n = Vec::new();
    n.extend_from_slice(&4u32.to_le_bytes());
    n.extend_from_slice(&(desc.len() as u32).to_le_bytes());
    n.extend_from_slice(&5u32.to_le_bytes());
    n.extend_from_slice(b"GNU\0");
    n.extend_from_slice(&desc);
    n
}

// ---------------------------------------------------------------------------------------
// The oracle.

/// What the real kernel did with one program at its first instruction.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    /// None: exec succeeded; Some(errno): it failed.
    pub errno: Option<i32>,
    /// The whole auxv, in order (without AT_NULL).
    pub auxv: Vec<(u64, u64)>,
    pub sp: u64,
    pub pc: u64,
    pub stat: HashMap<String, u64>,
    pub maps: Vec<Vma>,
    pub stack_top: u64,
    /// Raw bytes from sp to the stack top.
    pub stack: Vec<u8>,
    /// The 16 AT_RANDOM bytes.
    pub random: Vec<u8>,
    pub platform: Option<String>,
    pub execfn: Option<String>,
    pub exit: Option<String>,
    /// Program output lines.
    pub output: Vec<String>,
}

impl Observed {
    pub fn aux(&self, t: u64) -> Option<u64> {
        self.auxv.iter().find(|e| e.0 == t).map(|e| e.1)
    }
}

pub use test_support::maps::Vma;

fn hex(s: &str) -> u64 {
    let s = s.trim();
    if s == "0" {
        return 0;
    }
    u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap_or_else(|_| panic!("bad hex {s:?}"))
}

fn unhex(s: &str) -> Vec<u8> {
    let s = s.trim();
    (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap()).collect()
}

fn unquote(s: &str) -> String {
    s.trim().trim_matches('"').to_string()
}

/// Parses one program's block of the serial log (`o.*` lines, then its output).
pub fn parse_block(block: &str) -> Observed {
    let mut o = Observed::default();
    let mut in_run = false;
    for line in block.lines() {
        if let Some(rest) = line.strip_prefix("o.") {
            let (k, v) = rest.split_once('=').unwrap_or((rest, ""));
            match k {
                "exec" if v.starts_with("ok") => o.errno = None,
                "exec" => {
                    let n =
                        v.split("errno=").nth(1).unwrap_or("").split(|c: char| !c.is_ascii_digit()).next();
                    o.errno = Some(n.unwrap_or("").parse().unwrap_or(-1));
                }
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
        } else if in_run && !line.trim().is_empty() {
            o.output.push(line.to_string());
        }
    }
    o
}

static ORACLE_LOCK: Mutex<()> = Mutex::new(());

/// The oracle's qemu CPU model: `None` is sysoracle's default (cortex-a57, no BTI).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Boot {
    pub qemu_cpu: Option<&'static str>,
}

/// cortex-a57: ARMv8.0, no BTI, no SVE.
pub const A57: Boot = Boot { qemu_cpu: None };
/// qemu's `max` (BTI, PAC, SVE...), with the fast pointer-authentication algorithm.
pub const MAX: Boot = Boot { qemu_cpu: Some("max,pauth-impdef=on") };

pub fn oracle_cache() -> PathBuf {
    std::env::var_os("AARCH64_ORACLE_CACHE")
        .map_or_else(|| PathBuf::from("/tmp/execcore-aarch64-oracle"), PathBuf::from)
}

fn cache_dir(boot: Boot) -> PathBuf {
    match boot.qemu_cpu {
        None => oracle_cache(),
        Some(cpu) => oracle_cache().join(format!("cpu-{}", cpu.replace([',', '='], "_"))),
    }
}

fn sha256_of(paths: &[PathBuf]) -> Vec<String> {
    let out = std::process::Command::new("sha256sum").args(paths).output().expect("sha256sum");
    assert!(out.status.success(), "sha256sum {paths:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

/// The host file sysoracle.sh copies into the guest as `p`'s interpreter.
fn oracle_interp(p: &Program) -> Option<PathBuf> {
    let interp = p.interp.as_deref()?;
    Some(match interp {
        "/lib/ld-linux-aarch64.so.1" => "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1".into(),
        other => other.into(),
    })
}

/// What the real arm64 kernel does with each of `progs`: from the cache (keyed by the
/// oracle's script, tracer and kernel, the program's and its interpreter's SHA-256), or by
/// booting the oracle once for every program not cached. Panics when the oracle cannot run:
/// never skips.
pub fn oracle(boot: Boot, progs: &[&Program]) -> HashMap<String, Observed> {
    let _guard = ORACLE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = cache_dir(boot);
    std::fs::create_dir_all(&dir).unwrap();
    let script = repo().join("../shared/sysoracle/sysoracle.sh");
    let tracer = repo().join("../shared/sysoracle/oracle-trace.c");
    let mut inputs: Vec<PathBuf> = vec![script.clone(), tracer];
    for p in progs {
        inputs.push(p.path.clone());
        inputs.push(oracle_interp(p).unwrap_or_else(|| p.path.clone()));
    }
    let hashes = sha256_of(&inputs);
    let kcache = std::env::var_os("SYSORACLE_CACHE")
        .map_or_else(|| PathBuf::from("/tmp/execcore-sysoracle/cache"), PathBuf::from);
    let kernel = std::fs::read_to_string(kcache.join("aarch64/kernel.name")).unwrap_or_default();
    let tools =
        format!("{}{}-{}", &hashes[0][..12], &hashes[1][..12], kernel.trim().trim_start_matches("vmlinuz-"));
    let key = |i: usize| {
        format!("{}-{}-{}-{}", progs[i].name, &hashes[2 + 2 * i][..20], &hashes[3 + 2 * i][..12], tools)
    };
    let mut blocks: HashMap<String, String> = HashMap::new();
    let mut missing = Vec::new();
    for (i, p) in progs.iter().enumerate() {
        match std::fs::read_to_string(dir.join(key(i))) {
            Ok(b) if !kernel.is_empty() => {
                blocks.insert(p.name.clone(), b);
            }
            _ => missing.push(i),
        }
    }
    if !missing.is_empty() {
        let mut cmd = std::process::Command::new(&script);
        match boot.qemu_cpu {
            Some(cpu) => cmd.env("CPU", cpu),
            None => cmd.env_remove("CPU"),
        };
        let out = cmd
            .arg("aarch64")
            .args(missing.iter().map(|&i| &progs[i].path))
            .env("ORACLE_ENV", ENV)
            .env("ORACLE_ARGS", "")
            .env("OUT_LINES", "8")
            .env_remove("RANDMAPS")
            .env_remove("APPEND_EXTRA")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let log = stdout.lines().rev().find_map(|l| l.strip_prefix("# log=")).unwrap_or_else(|| {
            panic!("sysoracle failed ({}):\n{stdout}\n{}", out.status, String::from_utf8_lossy(&out.stderr))
        });
        let text = std::fs::read_to_string(log).unwrap();
        assert!(text.contains("=== SYSORACLE DONE"), "the oracle kernel did not finish: see {log}");
        // The kernel name exists now (the first run downloads it): key by it.
        let kernel = std::fs::read_to_string(kcache.join("aarch64/kernel.name")).unwrap_or_default();
        let tools = format!(
            "{}{}-{}",
            &hashes[0][..12],
            &hashes[1][..12],
            kernel.trim().trim_start_matches("vmlinuz-")
        );
        for &i in &missing {
            let name = &progs[i].name;
            let begin = format!("=== BEGIN {name}\n");
            let start =
                text.find(&begin).unwrap_or_else(|| panic!("{name} missing from {log}")) + begin.len();
            let end = start + text[start..].find(&format!("=== END {name}\n")).unwrap();
            let block = text[start..end].to_string();
            assert!(block.contains("o.exec="), "{name}: no exec result in {log}");
            let key = format!("{}-{}-{}-{}", name, &hashes[2 + 2 * i][..20], &hashes[3 + 2 * i][..12], tools);
            std::fs::write(dir.join(key), &block).unwrap();
            blocks.insert(name.clone(), block);
        }
    }
    blocks.into_iter().map(|(k, b)| (k, parse_block(&b))).collect()
}
