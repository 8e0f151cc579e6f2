//! Shared by the MIPS tests: the programs (shared corpus and fixtures), planning one in the
//! oracle's conditions, and the real-kernel oracle (`sysoracle.sh mips64el`) with a cache.
#![allow(dead_code)]

use arch_mips::{Info, Mips, MipsAbi};
use elf_stream::Endian;
use exec_core::{ExecError, ExecPlan, Prepared};
use std::collections::HashMap;
use std::path::PathBuf;
use test_support::elf::HeaderField;

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

pub use test_support::elf::Image as Elf;

/// MIPS edits of a real file (`test_support::elf::Image`, which also edits the option
/// records of PT_MIPS_OPTIONS).
pub trait MipsEdits {
    /// A program of the shared corpus.
    fn corpus(name: &str) -> Elf;
    /// `e_flags`.
    fn flags(&self) -> u32;
    /// Sets `e_flags`.
    fn set_flags(&mut self, f: u32);
    /// Every program header, as elf-stream reads them.
    fn phdrs(&self) -> Vec<elf_stream::ProgramHeader>;
    /// The first program header of type `kind`.
    fn find(&self, kind: elf_stream::ProgramType) -> Option<elf_stream::ProgramHeader>;
}

impl MipsEdits for Elf {
    fn corpus(name: &str) -> Elf {
        Elf::read(&corpus_bin().join(name))
    }

    fn flags(&self) -> u32 {
        self.ehdr(HeaderField::Flags) as u32
    }

    fn set_flags(&mut self, f: u32) {
        self.set_ehdr(HeaderField::Flags, f.into());
    }

    fn phdrs(&self) -> Vec<elf_stream::ProgramHeader> {
        let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(&self.bytes[..]).unwrap();
        elf.program_headers().map(Result::unwrap).collect()
    }

    fn find(&self, kind: elf_stream::ProgramType) -> Option<elf_stream::ProgramHeader> {
        self.phdrs().into_iter().find(|p| p.kind == kind)
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
