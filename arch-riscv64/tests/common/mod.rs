//! Shared by the riscv64 tests: the programs (shared corpus and fixtures, selected by
//! e_machine), planning one as the oracle runs it, synthetic ELF files for rule tests, and
//! the real-kernel oracle (`sysoracle.sh riscv64`) with its cache.
#![allow(dead_code)]

use arch_riscv64::{Info, Riscv64};
use exec_core::fs_host::FsHost;
use exec_core::{ExecError, ExecParams, ExecPlan, Prepared};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use test_support::temp::TempDir;

pub const EM_RISCV: u16 = 243;
pub const GLIBC_ROOT: &str = "/usr/riscv64-linux-gnu";
pub const GLIBC_LD: &str = "/lib/ld-linux-riscv64-lp64d.so.1";

/// A riscv64 program and the root its PT_INTERP resolves under.
#[derive(Clone, Debug)]
pub struct Program {
    pub path: PathBuf,
    pub name: String,
    pub root: PathBuf,
    pub interp: Option<String>,
}

impl Program {
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap()
    }
}

/// Every little-endian RISC-V program (e_machine 243) of the shared corpus and of the
/// fixtures.
pub fn programs() -> Vec<Program> {
    test_support::corpus::all()
        .into_iter()
        .filter_map(|e| {
            let (EM_RISCV, false) = e.machine()? else { return None };
            let root =
                e.sysroot.unwrap_or_else(|| if e.interp.is_some() { GLIBC_ROOT } else { "/" }.to_string());
            Some(Program { path: e.path, name: e.name, root: root.into(), interp: e.interp })
        })
        .collect()
}

pub fn program(name: &str) -> Program {
    programs().into_iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no program {name}"))
}

/// The oracle's environment (sysoracle.sh default) and argv[0].
pub const ENV: &str = "ORACLE=1";
/// `AT_RSEQ_FEATURE_SIZE` and `AT_RSEQ_ALIGN` of the 6.12 oracle kernel.
pub const RSEQ: (u64, u64) = (0x1c, 0x20);

pub fn guest_path(p: &Program) -> String {
    format!("/t/{}", p.name)
}

pub type PrepareResult = Result<Prepared<Info, std::fs::File>, ExecError>;

/// Plans `p` the way the oracle runs it: argv = ["/t/<name>"], envp = ["ORACLE=1"],
/// AT_EXECFN "/t/<name>", 8 MiB stack rlimit, ASLR off, the kernel's rseq entries, vDSO at
/// `vdso` when given.
pub fn plan_as_oracle(policy: &Riscv64, p: &Program, vdso: Option<u64>) -> PrepareResult {
    let file = std::fs::File::open(&p.path).unwrap();
    let execfn = guest_path(p);
    let argv: [&[u8]; 1] = [execfn.as_bytes()];
    let envp: [&[u8]; 1] = [ENV.as_bytes()];
    let mut params = ExecParams::new(execfn.as_bytes());
    params.argv = &argv;
    params.envp = &envp;
    params.rseq = Some(RSEQ);
    params.sysinfo_ehdr = vdso.map(exec_core::UserAddr);
    // The oracle's kernel: Linux 6.12.
    params.profile = exec_core::Profile::Linux(exec_core::KernelVersion::new(6, 12));
    let mut host = FsHost::new(&p.root);
    host.seed = Some(1);
    exec_core::prepare(policy, &file, &mut host, &params, None)
}

pub fn plan(policy: &Riscv64, p: &Program) -> Result<ExecPlan<Info>, ExecError> {
    plan_as_oracle(policy, p, None).map(|x| x.plan)
}

/// Plans raw bytes with interpreters under `root`.
pub fn plan_bytes(policy: &Riscv64, bytes: &[u8], root: &Path) -> Result<ExecPlan<Info>, ExecError> {
    plan_bytes_with(policy, bytes, root, |_| {})
}

pub fn plan_bytes_with(
    policy: &Riscv64,
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
    policy: &Riscv64,
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

/// A synthetic riscv64 executable: header and program headers at offset 0 (covered by
/// the first PT_LOAD), PT_INTERP at 0x600, code at 0x800 and PT_GNU_PROPERTY at 0x900.
#[derive(Clone, Debug)]
pub struct Synth {
    pub et_dyn: bool,
    /// EI_DATA says big endian (the contents stay little-endian: Linux reads them so).
    pub data_big: bool,
    pub class32: bool,
    pub machine: u16,
    pub flags: u32,
    pub entry: u64,
    pub loads: Vec<Seg>,
    pub interp: Option<String>,
    /// Raw bytes of the PT_GNU_PROPERTY segment (a note).
    pub property: Option<Vec<u8>>,
    /// PT_GNU_STACK: `Some(executable)`, or `None` for no PT_GNU_STACK.
    pub gnu_stack: Option<bool>,
    /// Instructions at the entry point (file offset 0x800).
    pub code: Vec<u32>,
}

/// `li a0, 0; li a7, 93; ecall`: exit(0).
pub const EXIT0: [u32; 3] = [0x0000_0513, 0x05d0_0893, 0x0000_0073];
/// RVC | double-float ABI: what gcc writes for rv64gc/lp64d.
pub const FLAGS_GC_LP64D: u32 = 0x5;

const PROPERTY_AT: u64 = 0x900;
const INTERP_AT: u64 = 0x600;
const CODE_AT: u64 = 0x800;

impl Synth {
    /// A static ET_EXEC at 0x10000 (text) and 0x11000 (data + bss), 4 KiB-aligned.
    pub fn exec() -> Synth {
        Synth {
            et_dyn: false,
            data_big: false,
            class32: false,
            machine: EM_RISCV,
            flags: FLAGS_GC_LP64D,
            entry: 0x10800,
            loads: vec![
                Seg {
                    vaddr: 0x10000,
                    offset: 0,
                    filesz: 0x1000,
                    memsz: 0x1000,
                    flags: PF_R | PF_X,
                    align: 0x1000,
                },
                Seg {
                    vaddr: 0x11000,
                    offset: 0x1000,
                    filesz: 0x100,
                    memsz: 0x3000,
                    flags: PF_R | PF_W,
                    align: 0x1000,
                },
            ],
            interp: None,
            property: None,
            gnu_stack: Some(false),
            code: EXIT0.to_vec(),
        }
    }

    /// An ET_DYN at 0 (text) and 0x1000 (data), 4 KiB-aligned.
    pub fn dyn_() -> Synth {
        let mut s = Synth::exec();
        s.et_dyn = true;
        s.entry = 0x800;
        s.loads[0].vaddr = 0;
        s.loads[1].vaddr = 0x1000;
        s
    }

    /// Moves every PT_LOAD so that the second starts `a` after the first and sets their
    /// alignment to `a`.
    pub fn align(mut self, a: u64) -> Synth {
        let base = self.loads[0].vaddr;
        self.loads[1].vaddr = base + a.max(0x1000);
        for l in &mut self.loads {
            l.align = a;
        }
        self
    }

    pub fn interp(mut self, path: &str) -> Synth {
        self.interp = Some(path.to_string());
        self
    }

    pub fn flags(mut self, flags: u32) -> Synth {
        self.flags = flags;
        self
    }

    /// A `GNU_PROPERTY_RISCV_FEATURE_1_AND` note with `bits`.
    pub fn features(mut self, bits: u32) -> Synth {
        self.property = Some(property_note(&[(0xc000_0000, &bits.to_le_bytes())]));
        self
    }

    pub fn property(mut self, note: Vec<u8>) -> Synth {
        self.property = Some(note);
        self
    }

    pub fn build(&self) -> Vec<u8> {
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
            phdrs.push((0x6474_e553, PF_R, PROPERTY_AT, base + PROPERTY_AT, n, n, 8));
        }
        if let Some(x) = self.gnu_stack {
            phdrs.push((0x6474_e551, PF_R | PF_W | if x { PF_X } else { 0 }, 0, 0, 0, 0, 16));
        }
        let end = self.loads.iter().map(|l| l.offset + l.filesz).max().unwrap_or(0).max(0x1000);
        let mut b = vec![0u8; end as usize];
        let put = |b: &mut Vec<u8>, at: usize, v: u64, n: usize| {
            b[at..at + n].copy_from_slice(&v.to_le_bytes()[..n])
        };
        b[..4].copy_from_slice(b"\x7fELF");
        b[4] = if self.class32 { 1 } else { 2 };
        b[5] = if self.data_big { 2 } else { 1 };
        b[6] = 1;
        put(&mut b, 16, if self.et_dyn { 3 } else { 2 }, 2);
        put(&mut b, 18, u64::from(self.machine), 2);
        put(&mut b, 20, 1, 4);
        put(&mut b, 24, self.entry, 8);
        put(&mut b, 32, 64, 8); // e_phoff
        put(&mut b, 48, u64::from(self.flags), 4);
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

/// One kernel configuration: the MMU mode the 6.12 kernel runs in on qemu's `rv64` hart
/// (sv57 hardware; `no5lvl` and `no4lvl` on the command line select sv48 and sv39).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Boot {
    pub mmu: arch_riscv64::Mmu,
}

impl Boot {
    /// The kernel command-line addition selecting the mode.
    pub const fn append(self) -> Option<&'static str> {
        match self.mmu {
            arch_riscv64::Mmu::Sv57 => None,
            arch_riscv64::Mmu::Sv48 => Some("no5lvl"),
            arch_riscv64::Mmu::Sv39 => Some("no4lvl"),
        }
    }
}

pub fn oracle_cache() -> PathBuf {
    std::env::var_os("RISCV64_ORACLE_CACHE")
        .map_or_else(|| PathBuf::from("/tmp/execcore-riscv64-oracle"), PathBuf::from)
}

/// The host file sysoracle.sh copies into the guest as `p`'s interpreter.
fn oracle_interp(p: &Program) -> Option<PathBuf> {
    let interp = p.interp.as_deref()?;
    Some(Path::new(GLIBC_ROOT).join(interp.trim_start_matches('/')))
}

/// What the real riscv64 kernel in `boot`'s mode does with each of `progs` (cached; one
/// boot for the programs not cached).
pub fn oracle(boot: Boot, progs: &[&Program]) -> HashMap<String, Observed> {
    let run = test_support::sysoracle::Boot {
        arch: "riscv64",
        cache: oracle_cache().join(boot.mmu.name()),
        env: vec![
            ("CPU", None),
            ("ORACLE_ENV", Some(ENV)),
            ("ORACLE_ARGS", Some("")),
            ("OUT_LINES", Some("8")),
            ("RANDMAPS", None),
            ("APPEND_EXTRA", boot.append()),
        ],
    };
    let subjects: Vec<_> = progs
        .iter()
        .map(|p| test_support::sysoracle::Subject { name: &p.name, path: &p.path, interp: oracle_interp(p) })
        .collect();
    test_support::sysoracle::observe(&run, &subjects)
}
