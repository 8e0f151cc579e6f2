//! Shared by the MIPS tests: the programs (shared corpus and fixtures), planning one in the
//! oracle's conditions, and the real-kernel oracle (`sysoracle.sh mips64el`) with a cache.
#![allow(dead_code)]

use arch_mips::{Info, Mips, MipsAbi};
use elf_stream::Endian;
use exec_core::{ExecError, ExecPlan, Prepared};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use test_support::corpus::corpus_bin;

pub use test_support::corpus::Program;

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

/// Every MIPS program (e_machine 8) of the shared corpus and of the fixtures.
pub fn programs() -> Vec<Program> {
    test_support::corpus::programs(elf_stream::Machine::MIPS, root_for)
}

pub fn little_endian() -> Vec<Program> {
    programs().into_iter().filter(|p| p.endian == Endian::Little).collect()
}

pub fn big_endian() -> Vec<Program> {
    programs().into_iter().filter(|p| p.endian == Endian::Big).collect()
}

pub use test_support::sysoracle::ENV;

/// argv[0] and AT_EXECFN under the oracle.
pub fn guest_path(p: &Program) -> String {
    test_support::sysoracle::guest_path(&p.name)
}

/// `prepare`'s result for a program.
pub type PrepareResult = Result<Prepared<Info, std::fs::File>, ExecError>;

/// Plans `p` as the oracle runs it (`test_support::sysoracle::plan_as_oracle`) under
/// Linux 6.1, the vDSO where Linux maps it; with the log.
pub fn plan_as_oracle(policy: &Mips, p: &Program) -> (PrepareResult, Vec<(exec_core::LogLevel, String)>) {
    let abi = if p.class == elf_stream::Class::Elf64 {
        MipsAbi::N64
    } else if p.flags & arch_mips::flags::ABI2 != 0 {
        MipsAbi::N32
    } else {
        MipsAbi::O32
    };
    let version = exec_core::KernelVersion::new(6, 1);
    let (r, host) =
        test_support::sysoracle::plan_as_oracle(policy, (&p.name, &p.path, &p.root), version, |params| {
            params.sysinfo_ehdr = Some(policy.vdso_base(abi));
        });
    (r, host.messages)
}

pub fn plan(policy: &Mips, p: &Program) -> Result<ExecPlan<Info>, ExecError> {
    plan_as_oracle(policy, p).0.map(|x| x.plan)
}

// ---------------------------------------------------------------------------------------
// The oracle.

pub use test_support::sysoracle::Observed;

/// A kernel configuration the oracle boots: qemu `-cpu` and extra kernel arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Boot {
    pub qemu_cpu: &'static str,
    pub append: &'static str,
}

/// The guest-side interpreter the oracle copies for `p` (same mapping as sysoracle.sh).
fn oracle_interp(p: &Program) -> Option<PathBuf> {
    Some(match p.interp.as_deref()? {
        "/lib/ld.so.1" => "/usr/mipsel-linux-gnu/lib/ld.so.1".into(),
        "/lib32/ld.so.1" => "/usr/mips64el-linux-gnuabi64/lib32/ld.so.1".into(),
        "/lib64/ld.so.1" => "/usr/mips64el-linux-gnuabi64/lib64/ld.so.1".into(),
        other => other.into(),
    })
}

/// What the real kernel does with each of `progs` under `boot` (cached; one boot for the
/// programs not cached).
pub fn oracle(boot: Boot, progs: &[&Program]) -> HashMap<String, Observed> {
    let base = std::env::var_os("MIPS_ORACLE_CACHE")
        .map_or_else(|| PathBuf::from("/tmp/execcore-mips-oracle"), PathBuf::from);
    let config = match boot.append {
        "" => boot.qemu_cpu.to_string(),
        extra => format!("{}-{}", boot.qemu_cpu, extra.replace(['=', ' '], "_")),
    };
    let run = test_support::sysoracle::Boot {
        arch: "mips64el",
        cache: base.join(config),
        env: vec![
            ("CPU", Some(boot.qemu_cpu)),
            ("APPEND_EXTRA", Some(boot.append)),
            ("ORACLE_ENV", Some(ENV)),
            ("ORACLE_ARGS", Some("")),
            ("OUT_LINES", Some("8")),
        ],
    };
    let subjects: Vec<_> = progs
        .iter()
        .map(|p| test_support::sysoracle::Subject { name: &p.name, path: &p.path, interp: oracle_interp(p) })
        .collect();
    test_support::sysoracle::observe(&run, &subjects)
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
