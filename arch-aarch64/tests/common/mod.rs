//! Shared by the aarch64 tests: the programs (shared corpus and fixtures, selected by
//! e_machine), planning one as the oracle runs it, synthetic ELF files for rule tests, and
//! the real-kernel oracle (`sysoracle.sh aarch64`) with its cache.
#![allow(dead_code)]

use arch_aarch64::{Aarch64, Cpu, Info};
use exec_core::fs_host::FsHost;
use exec_core::{ExecError, ExecParams, ExecPlan, Prepared};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use test_support::temp::TempDir;

pub const EM_AARCH64: u16 = 183;

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

/// The sysroot for a program the manifest does not name: glibc's cross sysroot, or the
/// host for musl (Debian's musl:arm64 installs /lib/ld-musl-aarch64.so.1).
fn default_root(interp: Option<&str>) -> &'static str {
    match interp {
        Some(p) if p.contains("ld-linux-aarch64") => "/usr/aarch64-linux-gnu",
        _ => "/",
    }
}

/// Every AArch64 program (e_machine 183) of the shared corpus and of the fixtures.
pub fn programs() -> Vec<Program> {
    test_support::corpus::all()
        .into_iter()
        .filter_map(|e| {
            let (EM_AARCH64, big_endian) = e.machine()? else { return None };
            let root = e.sysroot.unwrap_or_else(|| default_root(e.interp.as_deref()).to_string());
            Some(Program { path: e.path, name: e.name, root: root.into(), interp: e.interp, big_endian })
        })
        .collect()
}

pub fn program(name: &str) -> Program {
    programs().into_iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no program {name}"))
}

/// The oracle machine: qemu's cortex-a57 (no BTI, no SVE) under the Debian 6.1 kernel.
pub fn oracle_cpu() -> Cpu {
    Cpu {
        hwcap: 0x8ff,
        hwcap2: 0,
        minsigstksz: Some(0x1270),
        bti: false,
        static_pie_align: exec_core::StaticPieAlign::HonouredSince6_10,
        ..Cpu::default()
    }
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
    // The oracle's kernel: Linux 6.1.
    params.profile = exec_core::Profile::Linux(exec_core::KernelVersion::new(6, 1));
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

/// A root directory holding `bytes` at the absolute path `at` (an interpreter), removed
/// when dropped.
pub fn root_with(tag: &str, at: &str, bytes: &[u8]) -> TempDir {
    let root = TempDir::new(tag);
    let path = root.join(at.trim_start_matches('/'));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    // Executable, as open_exec requires of an interpreter.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
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

pub use test_support::note::property_note;

// ---------------------------------------------------------------------------------------
// The oracle.

pub use test_support::sysoracle::Observed;

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

/// The host file sysoracle.sh copies into the guest as `p`'s interpreter.
fn oracle_interp(p: &Program) -> Option<PathBuf> {
    let interp = p.interp.as_deref()?;
    Some(match interp {
        "/lib/ld-linux-aarch64.so.1" => "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1".into(),
        other => other.into(),
    })
}

/// What the real arm64 kernel does with each of `progs` (cached; one boot for the programs
/// not cached).
pub fn oracle(boot: Boot, progs: &[&Program]) -> HashMap<String, Observed> {
    let run = test_support::sysoracle::Boot {
        arch: "aarch64",
        cache: cache_dir(boot),
        env: vec![
            ("CPU", boot.qemu_cpu),
            ("ORACLE_ENV", Some(ENV)),
            ("ORACLE_ARGS", Some("")),
            ("OUT_LINES", Some("8")),
            ("RANDMAPS", None),
            ("APPEND_EXTRA", None),
        ],
    };
    let subjects: Vec<_> = progs
        .iter()
        .map(|p| test_support::sysoracle::Subject { name: &p.name, path: &p.path, interp: oracle_interp(p) })
        .collect();
    test_support::sysoracle::observe(&run, &subjects)
}
