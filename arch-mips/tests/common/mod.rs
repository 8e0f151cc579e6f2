//! Shared by the MIPS tests: the programs (shared corpus and fixtures), planning one in the
//! oracle's conditions, and the real-kernel oracle (`sysoracle.sh mips64el`) with a cache.
#![allow(dead_code)]

use arch_mips::{Info, Mips, MipsAbi};
use elf_stream::Endian;
use exec_core::fs_host::FsHost;
use exec_core::{ExecError, ExecParams, ExecPlan, Prepared};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn corpus_bin() -> PathBuf {
    repo().join("../shared/corpus/bin")
}

/// A MIPS program and what it needs.
#[derive(Clone, Debug)]
pub struct Program {
    pub path: PathBuf,
    pub name: String,
    /// Root under which its PT_INTERP resolves.
    pub root: PathBuf,
    pub endian: Endian,
    pub class64: bool,
    pub flags: u32,
}

impl Program {
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap()
    }
}

fn sysroots(manifest: &Path, name_col: usize, root_col: usize) -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(manifest) else { return HashMap::new() };
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((f.get(name_col)?.to_string(), f.get(root_col)?.to_string()))
        })
        .collect()
}

/// The default sysroot for a program without a manifest entry, from its interpreter path.
fn root_for(interp: Option<&str>, endian: Endian) -> String {
    let le = endian == Endian::Little;
    match interp {
        None => "/".into(),
        Some(p) if p.starts_with("/lib/ld-musl") => "/".into(),
        Some("/lib/ld.so.1") => if le { "/usr/mipsel-linux-gnu" } else { "/usr/mips-linux-gnu" }.into(),
        Some(_) => if le { "/usr/mips64el-linux-gnuabi64" } else { "/usr/mips64-linux-gnuabi64" }.into(),
    }
}

fn interp_of(bytes: &[u8]) -> Option<String> {
    let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(bytes).ok()?;
    let mut buf = [0u8; 4096];
    let p = elf.interpreter(&mut buf).ok()??;
    Some(String::from_utf8_lossy(p).into_owned())
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
        let Ok(h) = elf_stream::FileHeader::parse(&bytes[..bytes.len().min(64)]) else { continue };
        if h.machine != elf_stream::Machine::MIPS {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let root = match roots.get(&name).map(String::as_str) {
            Some("-") | None => root_for(interp_of(&bytes).as_deref(), h.endian),
            Some(r) => r.to_string(),
        };
        out.push(Program {
            path,
            name,
            root: root.into(),
            endian: h.endian,
            class64: h.class == elf_stream::Class::Elf64,
            flags: h.flags,
        });
    }
}

/// Every MIPS program (e_machine 8) of the shared corpus and of the fixtures.
pub fn programs() -> Vec<Program> {
    let mut v = Vec::new();
    scan_dir(&corpus_bin(), &sysroots(&corpus_bin().join("MANIFEST.tsv"), 0, 2), &mut v);
    scan_dir(&repo().join("testdata/bin"), &sysroots(&repo().join("testdata/MANIFEST.tsv"), 0, 8), &mut v);
    v
}

pub fn little_endian() -> Vec<Program> {
    programs().into_iter().filter(|p| p.endian == Endian::Little).collect()
}

pub fn big_endian() -> Vec<Program> {
    programs().into_iter().filter(|p| p.endian == Endian::Big).collect()
}

pub const ENV: &str = "ORACLE=1";

/// argv[0] and AT_EXECFN under the oracle.
pub fn guest_path(p: &Program) -> String {
    format!("/t/{}", p.name)
}

/// Plans `p` as the oracle runs it: argv = ["/t/<name>"], env "ORACLE=1", 8 MiB stack,
/// ASLR off, the vDSO where Linux maps it.
/// `prepare`'s result for a program.
pub type PrepareResult = Result<Prepared<Info, std::fs::File>, ExecError>;

pub fn plan_as_oracle(policy: &Mips, p: &Program) -> (PrepareResult, Vec<(exec_core::LogLevel, String)>) {
    let file = std::fs::File::open(&p.path).unwrap();
    let execfn = guest_path(p);
    let argv: [&[u8]; 1] = [execfn.as_bytes()];
    let envp: [&[u8]; 1] = [ENV.as_bytes()];
    let mut params = ExecParams::new(execfn.as_bytes());
    params.argv = &argv;
    params.envp = &envp;
    let abi = if p.class64 {
        MipsAbi::N64
    } else if p.flags & arch_mips::flags::ABI2 != 0 {
        MipsAbi::N32
    } else {
        MipsAbi::O32
    };
    params.sysinfo_ehdr = Some(policy.vdso_base(abi));
    let mut host = FsHost::new(&p.root);
    host.seed = Some(1);
    let r = exec_core::prepare(policy, &file, &mut host, &params, None);
    (r, host.messages)
}

pub fn plan(policy: &Mips, p: &Program) -> Result<ExecPlan<Info>, ExecError> {
    plan_as_oracle(policy, p).0.map(|x| x.plan)
}

// ---------------------------------------------------------------------------------------
// The oracle.

/// What the real kernel did with one program.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    /// None: exec succeeded; Some(errno): failed.
    pub errno: Option<i32>,
    pub auxv: Vec<(u64, u64)>,
    pub sp: u64,
    pub pc: u64,
    pub stat: HashMap<String, u64>,
    pub maps: Vec<Vma>,
    pub stack_top: u64,
    pub stack: Vec<u8>,
    pub random: Vec<u8>,
    /// "FR=n" printed by the program.
    pub fr: Option<String>,
    pub exit: Option<String>,
}

pub use test_support::maps::Vma;

impl Observed {
    pub fn aux(&self, t: u64) -> Option<u64> {
        self.auxv.iter().find(|e| e.0 == t).map(|e| e.1)
    }
}

fn hex(s: &str) -> u64 {
    u64::from_str_radix(s.trim().trim_start_matches("0x"), 16).unwrap_or_else(|_| panic!("bad hex {s:?}"))
}

fn unhex(s: &str) -> Vec<u8> {
    let s = s.trim();
    (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap()).collect()
}

/// Parses one program's block of the serial log (the `o.*` lines and its output).
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
        } else if in_run {
            if let Some(fr) = line.trim().strip_prefix("FR=") {
                o.fr = Some(fr.to_string());
            }
        }
    }
    o
}

/// A kernel configuration the oracle boots: qemu `-cpu` and extra kernel arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Boot {
    pub qemu_cpu: &'static str,
    pub append: &'static str,
}

static ORACLE_LOCK: Mutex<()> = Mutex::new(());

fn cache_dir(boot: Boot) -> PathBuf {
    let base = std::env::var_os("MIPS_ORACLE_CACHE")
        .map_or_else(|| PathBuf::from("/tmp/execcore-mips-oracle"), PathBuf::from);
    base.join(format!(
        "{}{}",
        boot.qemu_cpu,
        if boot.append.is_empty() {
            String::new()
        } else {
            format!("-{}", boot.append.replace(['=', ' '], "_"))
        }
    ))
}

fn sha256_of(paths: &[PathBuf]) -> Vec<String> {
    if paths.is_empty() {
        return Vec::new();
    }
    let out = std::process::Command::new("sha256sum").args(paths).output().expect("sha256sum");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

/// The guest-side interpreter the oracle copies for `p` (same mapping as sysoracle.sh).
fn oracle_interp(p: &Program) -> Option<PathBuf> {
    let interp = interp_of(&p.bytes())?;
    Some(match interp.as_str() {
        "/lib/ld.so.1" => "/usr/mipsel-linux-gnu/lib/ld.so.1".into(),
        "/lib32/ld.so.1" => "/usr/mips64el-linux-gnuabi64/lib32/ld.so.1".into(),
        "/lib64/ld.so.1" => "/usr/mips64el-linux-gnuabi64/lib64/ld.so.1".into(),
        other => other.into(),
    })
}

/// What the real kernel does with each of `progs` under `boot`, from the cache (keyed by
/// the boot, the program's and its interpreter's SHA-256) or by booting the oracle once for
/// every program not cached. Panics when the oracle cannot run: never skips.
pub fn oracle(boot: Boot, progs: &[&Program]) -> HashMap<String, Observed> {
    let _guard = ORACLE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = cache_dir(boot);
    std::fs::create_dir_all(&dir).unwrap();
    let script = repo().join("../shared/sysoracle/sysoracle.sh");
    let tracer = repo().join("../shared/sysoracle/oracle-trace.c");
    let mut hash_inputs: Vec<PathBuf> = vec![script.clone(), tracer];
    for p in progs {
        hash_inputs.push(p.path.clone());
        hash_inputs.push(oracle_interp(p).unwrap_or_else(|| p.path.clone()));
    }
    let hashes = sha256_of(&hash_inputs);
    // The kernel the script downloaded (absent before the first boot: that run's results
    // are then keyed without it, and booted once more next time).
    let kcache = std::env::var_os("SYSORACLE_CACHE")
        .map_or_else(|| PathBuf::from("/tmp/execcore-sysoracle/cache"), PathBuf::from);
    let kernel = std::fs::read_to_string(kcache.join("mips64el/kernel.name")).unwrap_or_default();
    let tools =
        format!("{}{}-{}", &hashes[0][..16], &hashes[1][..16], kernel.trim().trim_start_matches("vmlinuz-"));
    let key = |i: usize| {
        format!("{}-{}-{}-{}", progs[i].name, &hashes[2 + 2 * i][..24], &hashes[3 + 2 * i][..16], tools)
    };
    let mut blocks: HashMap<String, String> = HashMap::new();
    let mut missing = Vec::new();
    for (i, p) in progs.iter().enumerate() {
        match std::fs::read_to_string(dir.join(key(i))) {
            Ok(b) => {
                blocks.insert(p.name.clone(), b);
            }
            Err(_) => missing.push(i),
        }
    }
    if !missing.is_empty() {
        let out = std::process::Command::new(&script)
            .arg("mips64el")
            .args(missing.iter().map(|&i| &progs[i].path))
            .env("CPU", boot.qemu_cpu)
            .env("APPEND_EXTRA", boot.append)
            .env("ORACLE_ENV", ENV)
            .env("ORACLE_ARGS", "")
            .env("OUT_LINES", "8")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let log = stdout.lines().rev().find_map(|l| l.strip_prefix("# log=")).unwrap_or_else(|| {
            panic!("sysoracle failed ({}):\n{stdout}\n{}", out.status, String::from_utf8_lossy(&out.stderr))
        });
        let text = std::fs::read_to_string(log).unwrap();
        assert!(text.contains("=== SYSORACLE DONE"), "the oracle kernel did not finish: see {log}");
        for &i in &missing {
            let name = &progs[i].name;
            let begin = format!("=== BEGIN {name}\n");
            let start =
                text.find(&begin).unwrap_or_else(|| panic!("{name} missing from {log}")) + begin.len();
            let end = start + text[start..].find(&format!("=== END {name}\n")).unwrap();
            let block = text[start..end].to_string();
            assert!(block.contains("o.exec="), "{name}: no exec result in {log}");
            std::fs::write(dir.join(key(i)), &block).unwrap();
            blocks.insert(name.clone(), block);
        }
    }
    blocks.into_iter().map(|(k, b)| (k, parse_block(&b))).collect()
}

// ---------------------------------------------------------------------------------------
// Editing ELF bytes for rule tests.

pub struct Elf {
    pub bytes: Vec<u8>,
    pub big: bool,
    pub class64: bool,
}

impl Elf {
    pub fn read(path: &Path) -> Elf {
        let bytes = std::fs::read(path).unwrap();
        let (big, class64) = (bytes[5] == 2, bytes[4] == 2);
        Elf { bytes, big, class64 }
    }

    pub fn corpus(name: &str) -> Elf {
        Elf::read(&corpus_bin().join(name))
    }

    pub fn put32(&mut self, at: usize, v: u32) {
        let b = if self.big { v.to_be_bytes() } else { v.to_le_bytes() };
        self.bytes[at..at + 4].copy_from_slice(&b);
    }

    pub fn get32(&self, at: usize) -> u32 {
        let b: [u8; 4] = self.bytes[at..at + 4].try_into().unwrap();
        if self.big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    }

    pub fn flags(&self) -> u32 {
        self.get32(if self.class64 { 0x30 } else { 0x24 })
    }

    pub fn set_flags(&mut self, f: u32) {
        let at = if self.class64 { 0x30 } else { 0x24 };
        self.put32(at, f);
    }

    /// (index, header) of every program header.
    pub fn phdrs(&self) -> Vec<elf_stream::ProgramHeader> {
        let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(&self.bytes[..]).unwrap();
        elf.program_headers().map(Result::unwrap).collect()
    }

    fn ph_base(&self, index: u32) -> usize {
        let off = if self.class64 {
            let b: [u8; 8] = self.bytes[0x20..0x28].try_into().unwrap();
            (if self.big { u64::from_be_bytes(b) } else { u64::from_le_bytes(b) }) as usize
        } else {
            self.get32(0x1c) as usize
        };
        off + index as usize * if self.class64 { 56 } else { 32 }
    }

    /// Sets `p_filesz` of program header `index` (values below 4 GiB).
    pub fn set_filesz(&mut self, index: u32, v: u32) {
        let base = self.ph_base(index);
        if self.class64 {
            let b = if self.big { u64::from(v).to_be_bytes() } else { u64::from(v).to_le_bytes() };
            self.bytes[base + 32..base + 40].copy_from_slice(&b);
        } else {
            self.put32(base + 16, v);
        }
    }

    /// Sets `p_type` of program header `index`.
    pub fn set_type(&mut self, index: u32, t: u32) {
        let base = self.ph_base(index);
        self.put32(base, t);
    }

    pub fn find(&self, kind: elf_stream::ProgramType) -> Option<elf_stream::ProgramHeader> {
        self.phdrs().into_iter().find(|p| p.kind == kind)
    }

    /// File offsets of the option records of the PT_MIPS_OPTIONS segment: (offset, kind, size).
    pub fn option_records(&self) -> Vec<(usize, u8, u8)> {
        let ph = self.find(elf_stream::ProgramType::MIPS_OPTIONS).expect("PT_MIPS_OPTIONS");
        let (mut at, end) = (ph.offset.0 as usize, (ph.offset.0 + ph.filesz) as usize);
        let mut v = Vec::new();
        while at + 8 <= end {
            let (kind, size) = (self.bytes[at], self.bytes[at + 1]);
            v.push((at, kind, size));
            if size == 0 {
                break;
            }
            at += size as usize;
        }
        v
    }

    /// Sets the info word of the first record of `kind`.
    pub fn set_option_info(&mut self, kind: u8, info: u32) {
        let (at, _, _) = *self.option_records().iter().find(|r| r.1 == kind).expect("record");
        self.put32(at + 4, info);
    }

    pub fn option_info(&self, kind: u8) -> Option<u32> {
        self.option_records().iter().find(|r| r.1 == kind).map(|r| self.get32(r.0 + 4))
    }

    /// Writes the bytes to a fresh temporary file.
    pub fn to_temp(&self, name: &str) -> PathBuf {
        let dir = temp_dir(name);
        let path = dir.join(name);
        std::fs::write(&path, &self.bytes).unwrap();
        path
    }
}

/// A fresh directory under the target's temporary space.
pub fn temp_dir(tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("arch-mips-test-{}-{n}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Plans raw bytes with interpreters under `root`; returns the result and the log.
pub fn plan_bytes(
    policy: &Mips,
    bytes: &[u8],
    root: &Path,
    configure: impl FnOnce(&mut ExecParams<'_>, &mut FsHost),
) -> (Result<ExecPlan<Info>, ExecError>, FsHost) {
    let argv: [&[u8]; 1] = [b"/t/prog"];
    let mut params = ExecParams::new(b"/t/prog");
    params.argv = &argv;
    let mut host = FsHost::new(root);
    host.seed = Some(3);
    configure(&mut params, &mut host);
    let r = exec_core::prepare(policy, bytes, &mut host, &params, None).map(|p| p.plan);
    (r, host)
}

/// The `cvt.[ds].l` addresses GNU objdump finds in `file`.
pub fn objdump_cvt(file: &str) -> std::collections::BTreeSet<u64> {
    let out = std::process::Command::new("mips64-linux-gnuabi64-objdump")
        .args(["-d", file])
        .output()
        .expect("mips64-linux-gnuabi64-objdump (binutils-mips64-linux-gnuabi64)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("\tcvt.s.l\t") || l.contains("\tcvt.d.l\t"))
        .map(|l| u64::from_str_radix(l.trim().split(':').next().unwrap(), 16).unwrap())
        .collect()
}
