//! The command line: flags, defaults and usage errors (exit status 2).
//!
//! Arguments are taken as `OsString`s: a file name or argument that is not UTF-8 is
//! planned like any other (its bytes go on the stack), never a panic.

use crate::arch::Arch;
use exec_core::{FilePlacement, KernelVersion, Profile, StackLimit};
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

/// The synopsis, shared by [`USAGE`] and [`HELP`] (a macro: `concat!` takes literals only).
macro_rules! synopsis {
    () => {
        "\
usage: execplan [--arch auto|x86_64|aarch64|mips|riscv64] [--json] [--root DIR]
                [--stack-rlimit BYTES|unlimited] [--page-size N] [--seed N] [--va-bits N]
                [--env K=V]... [--argv0 S] [--stats] [--batch]
                [--cpu MODEL] [--os linux|irix] [--strict-prefetch on|off]
                [--isa-check on|off] [--mmu sv39|sv48|sv57] [--isa ISA]
                [--riscv-profile linux|hardened] [--profile linux|hardened]
                [--linux-version X.Y[.Z]] [--placement auto|plain|huge] [--] FILE [ARGS...]"
    };
}

/// The synopsis printed with every usage error.
pub const USAGE: &str = concat!(synopsis!(), "\n       execplan --help");

/// `--help`: the synopsis and what every option does.
pub const HELP: &str = concat!(
    synopsis!(),
    "\n\n\
Prints the exec plan execcore makes for FILE: the layout Linux would give it with ASLR
off, an 8 MiB stack rlimit, 4096-byte pages and an empty environment; argv is
[argv0 or FILE, ARGS...]; the interpreter is looked up under --root (default /).
Numbers may be decimal or 0x-prefixed hex. Options may also be written --opt=VALUE.

  --arch A          policy to plan with; auto (default) follows the file's e_machine
  --json            print exactly one JSON object (plan.schema.json)
  --root DIR        directory prepended to the PT_INTERP path (like qemu -L)
  --stack-rlimit B  RLIMIT_STACK in bytes, or unlimited (= 0xffffffffffffffff)
  --page-size N     target page size (the architecture must support it)
  --seed N          turn randomisation on, with deterministic entropy from N
  --va-bits N       plan for the user window [mmap_min_addr, 1<<N)
  --env K=V         add an environment string (repeatable, in order)
  --argv0 S         argv[0] (default: FILE)
  --stats           count read_at calls and bytes read (program + interpreter)
  --batch           batch job: reserve the memory requirement before the point of no return
  --profile P       linux (default): accept and lay out exactly what Linux does; hardened:
                    Linux's layout, stricter acceptance (exec-core/README.md, the table)
  --linux-version V the Linux version the linux profile imitates, MAJOR.MINOR[.SUBLEVEL]
                    (default 6.18, the newest modelled): 6.1.192 for the arm64 oracle,
                    6.1.176 for the MIPS ones (6.1.y from 6.1.140 maps the program as 6.7
                    does), 6.12 for riscv64
  --placement P     how the kernel places the large file mappings it picks the address of
                    (a static-pie, the interpreter): auto (default) probes an mmap of each
                    file (2 MiB-aligned twice over: its file system aligns for transparent
                    huge pages), plain, or huge

MIPS (byte order from the file; 64-bit Linux kernel as Debian's malta, ieee754=strict):
  --cpu MODEL       r5000 r8000 r10000 5kef 5kec mips32r2 mips64r2 mips64dspr2 mips32r6
                    mips64r6 (default 5kef: the qemu CPU of the real-kernel oracle)
  --os P            linux (default) or irix: auxv and errno conventions
  --strict-prefetch on (default): a static R8000-prefetch program is rejected (EBADRQC);
                    off: accepted with a warning
  --isa-check O     off (default): EF_MIPS_ARCH not checked, as Linux; on: above the
                    CPU's ISA is rejected (EBADRQC), IRIX-style

riscv64 (Linux 6.12):
  --mmu M           the kernel's MMU mode sv39, sv48 (default) or sv57: stack top 1<<38,
                    1<<47, 1<<47 (sv57 keeps sv48's default window; TASK_SIZE 1<<56)
  --isa ISA         the hart's ISA string (default rv64gc): AT_HWCAP, hardened checks
  --riscv-profile P linux (default): EM_RISCV and ELFCLASS64 only, as Linux; hardened:
                    also refuse e_flags needing an extension the hart lacks (C, F, D, Q, Ztso)

Exit status: 0 planned, 1 the file was rejected, 2 usage error.",
);

/// `--arch`: a fixed policy or the file's own machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchChoice {
    /// Follow `e_machine`.
    Auto,
    /// Plan with this policy whatever the file says (it may then reject the file).
    Fixed(Arch),
}

/// A parsed command line.
#[derive(Debug)]
pub struct Options {
    pub arch: ArchChoice,
    pub json: bool,
    pub stats: bool,
    pub root: PathBuf,
    pub stack_limit: StackLimit,
    pub page_size: u64,
    pub seed: Option<u64>,
    pub va_bits: Option<u32>,
    pub env: Vec<Vec<u8>>,
    pub argv0: Option<Vec<u8>>,
    pub batch: bool,
    pub mips: MipsOptions,
    pub riscv: RiscvOptions,
    pub profile: Profile,
    pub placement: PlacementChoice,
    pub file: OsString,
    pub args: Vec<Vec<u8>>,
}

/// `--placement`: probe each file, or one answer for all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlacementChoice {
    /// Probe an mmap of each file.
    Auto,
    /// The same placement for every file.
    Fixed(FilePlacement),
}

/// The MIPS policy's switches (`--cpu`, `--os`, `--strict-prefetch`, `--isa-check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MipsOptions {
    /// `None`: the default model, [`DEFAULT_MIPS_CPU`].
    pub cpu: Option<arch_mips::CpuModel>,
    pub os: arch_mips::OsProfile,
    pub strict_prefetch: bool,
    pub isa_check: bool,
}

/// The riscv64 policy's switches (`--mmu`, `--isa`, `--riscv-profile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiscvOptions {
    pub mmu: arch_riscv64::Mmu,
    pub isa: arch_riscv64::Isa,
    pub profile: arch_riscv64::Profile,
}

/// The MIPS CPU without `--cpu`: the 5KEf the real-kernel oracle boots (arch-mips/README.md).
pub const DEFAULT_MIPS_CPU: arch_mips::CpuModel = arch_mips::CpuModel::Mips5KEf;

/// `on` or `off`.
fn on_off(flag: &str, v: &str) -> Result<bool, String> {
    match v {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("{flag}: expected on or off, got {v:?}")),
    }
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Plan a file.
    Plan(Box<Options>),
    /// `--help`: print the usage on stdout, exit 0.
    Help,
}

/// Decimal or `0x` hex.
pub fn parse_num(s: &str) -> Option<u64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) if !h.is_empty() => u64::from_str_radix(h, 16).ok(),
        Some(_) => None,
        None => s.parse().ok(),
    }
}

fn utf8(flag: &str, v: OsString) -> Result<String, String> {
    v.into_string().map_err(|v| format!("{flag}: not UTF-8: {}", v.to_string_lossy()))
}

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut it = args.into_iter();
    let mut o = Options {
        arch: ArchChoice::Auto,
        json: false,
        stats: false,
        root: PathBuf::from("/"),
        stack_limit: StackLimit::Bytes(8 << 20),
        page_size: 4096,
        seed: None,
        va_bits: None,
        env: Vec::new(),
        argv0: None,
        batch: false,
        mips: MipsOptions {
            cpu: None,
            os: arch_mips::OsProfile::Linux,
            strict_prefetch: true,
            isa_check: false,
        },
        riscv: RiscvOptions {
            mmu: arch_riscv64::Mmu::Sv48,
            isa: arch_riscv64::Isa::RV64GC,
            profile: arch_riscv64::Profile::Linux,
        },
        profile: Profile::default(),
        placement: PlacementChoice::Auto,
        file: OsString::new(),
        args: Vec::new(),
    };
    let mut version = None;
    let mut file = None;
    while let Some(arg) = it.next() {
        let bytes = arg.as_encoded_bytes();
        if bytes == b"--" {
            file = it.next();
            break;
        }
        if !bytes.starts_with(b"-") || bytes == b"-" {
            file = Some(arg);
            break;
        }
        // `--flag=value` or `--flag value`.
        let text = utf8("option", arg)?;
        let (flag, inline) = match text.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(OsString::from(v))),
            _ => (text.clone(), None),
        };
        let mut value = || -> Result<OsString, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => it.next().ok_or_else(|| format!("{flag} needs a value")),
            }
        };
        let takes_value = !matches!(flag.as_str(), "--json" | "--stats" | "--batch" | "-h" | "--help");
        if !takes_value && inline.is_some() {
            return Err(format!("{flag} takes no value"));
        }
        match flag.as_str() {
            "--json" => o.json = true,
            "--stats" => o.stats = true,
            "--batch" => o.batch = true,
            "--cpu" => {
                let v = utf8(&flag, value()?)?;
                let names: Vec<_> = arch_mips::CpuModel::ALL.iter().map(|m| m.name()).collect();
                o.mips.cpu = Some(
                    arch_mips::CpuModel::from_name(&v)
                        .ok_or_else(|| format!("--cpu: unknown CPU {v:?} ({})", names.join(", ")))?,
                );
            }
            "--os" => {
                let v = utf8(&flag, value()?)?;
                o.mips.os = arch_mips::OsProfile::from_name(&v)
                    .ok_or_else(|| format!("--os: expected linux or irix, got {v:?}"))?;
            }
            "--strict-prefetch" => o.mips.strict_prefetch = on_off(&flag, &utf8(&flag, value()?)?)?,
            "--isa-check" => o.mips.isa_check = on_off(&flag, &utf8(&flag, value()?)?)?,
            "--mmu" => {
                let v = utf8(&flag, value()?)?;
                o.riscv.mmu = arch_riscv64::Mmu::ALL
                    .into_iter()
                    .find(|m| m.name() == v)
                    .ok_or_else(|| format!("--mmu: expected sv39, sv48 or sv57, got {v:?}"))?;
            }
            "--isa" => {
                let v = utf8(&flag, value()?)?;
                o.riscv.isa = arch_riscv64::Isa::parse(v.as_bytes())
                    .filter(|i| !i.is_empty())
                    .ok_or_else(|| format!("--isa: not an ISA string: {v:?}"))?;
            }
            "--riscv-profile" => {
                o.riscv.profile = match utf8(&flag, value()?)?.as_str() {
                    "linux" => arch_riscv64::Profile::Linux,
                    "hardened" => arch_riscv64::Profile::Hardened,
                    v => return Err(format!("--riscv-profile: expected linux or hardened, got {v:?}")),
                }
            }
            "-h" | "--help" => return Ok(Command::Help),
            "--arch" => {
                let v = utf8(&flag, value()?)?;
                o.arch = match v.as_str() {
                    "auto" => ArchChoice::Auto,
                    name => ArchChoice::Fixed(Arch::from_name(name).ok_or_else(|| {
                        format!("--arch: unknown architecture {name:?} (auto, {})", Arch::names())
                    })?),
                };
            }
            "--root" => o.root = PathBuf::from(value()?),
            "--stack-rlimit" => {
                let v = utf8(&flag, value()?)?;
                o.stack_limit = match v.as_str() {
                    "unlimited" | "infinity" => StackLimit::Unlimited,
                    n => match parse_num(n) {
                        // RLIM_INFINITY is all ones, as setrlimit(2) sees it.
                        Some(u64::MAX) => StackLimit::Unlimited,
                        Some(b) => StackLimit::Bytes(b),
                        None => return Err(format!("--stack-rlimit: not a number: {n:?}")),
                    },
                };
            }
            "--page-size" => {
                let v = utf8(&flag, value()?)?;
                let n = parse_num(&v).ok_or_else(|| format!("--page-size: not a number: {v:?}"))?;
                if exec_core::PageSize::new(n).is_none() {
                    return Err(format!("--page-size: {n} is not a power of two from 4096 to 1 GiB"));
                }
                o.page_size = n;
            }
            "--seed" => {
                let v = utf8(&flag, value()?)?;
                o.seed = Some(parse_num(&v).ok_or_else(|| format!("--seed: not a number: {v:?}"))?);
            }
            "--va-bits" => {
                let v = utf8(&flag, value()?)?;
                let n = v
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (12..=63).contains(n))
                    .ok_or_else(|| format!("--va-bits: expected 12..63, got {v:?}"))?;
                o.va_bits = Some(n);
            }
            "--env" => {
                let v = value()?.into_vec();
                if !v.contains(&b'=') {
                    return Err(format!("--env: expected K=V, got {:?}", String::from_utf8_lossy(&v)));
                }
                o.env.push(v);
            }
            "--argv0" => o.argv0 = Some(value()?.into_vec()),
            "--profile" => {
                o.profile = match utf8(&flag, value()?)?.as_str() {
                    "linux" => Profile::default(),
                    "hardened" => Profile::Hardened,
                    v => return Err(format!("--profile: expected linux or hardened, got {v:?}")),
                }
            }
            "--linux-version" => {
                let v = utf8(&flag, value()?)?;
                let numbers = v.bytes().all(|c| c.is_ascii_digit() || c == b'.');
                let parsed = KernelVersion::parse(&v).filter(|_| numbers);
                version = Some(parsed.ok_or_else(|| {
                    format!("--linux-version: expected MAJOR.MINOR or MAJOR.MINOR.SUBLEVEL, got {v:?}")
                })?);
            }
            "--placement" => {
                o.placement = match utf8(&flag, value()?)?.as_str() {
                    "auto" => PlacementChoice::Auto,
                    "plain" => PlacementChoice::Fixed(FilePlacement::Plain),
                    "huge" => PlacementChoice::Fixed(FilePlacement::HugeAligned),
                    v => return Err(format!("--placement: expected auto, plain or huge, got {v:?}")),
                }
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    if let Some(v) = version {
        match o.profile {
            Profile::Linux(_) => o.profile = Profile::Linux(v),
            Profile::Hardened => return Err("--linux-version applies to --profile linux only".into()),
        }
    }
    o.file = file.ok_or("no FILE given")?;
    if o.file.is_empty() {
        return Err("FILE is empty".into());
    }
    o.args = it.map(OsString::into_vec).collect();
    Ok(Command::Plan(Box::new(o)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(a: &[&str]) -> Result<Command, String> {
        parse(a.iter().map(OsString::from))
    }

    fn opts(a: &[&str]) -> Options {
        match parse_strs(a) {
            Ok(Command::Plan(o)) => *o,
            other => panic!("{a:?}: {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let o = opts(&["/bin/ls"]);
        assert_eq!(o.arch, ArchChoice::Auto);
        assert_eq!(o.stack_limit, StackLimit::Bytes(8 << 20));
        assert_eq!((o.page_size, o.seed, o.va_bits, o.json, o.stats), (4096, None, None, false, false));
        assert_eq!(o.root, PathBuf::from("/"));
        assert!(o.env.is_empty() && o.argv0.is_none() && o.args.is_empty());
        assert!(!o.batch && o.mips.cpu.is_none() && o.mips.strict_prefetch && !o.mips.isa_check);
        assert_eq!(o.mips.os, arch_mips::OsProfile::Linux);
        assert_eq!(
            o.riscv,
            RiscvOptions {
                mmu: arch_riscv64::Mmu::Sv48,
                isa: arch_riscv64::Isa::RV64GC,
                profile: arch_riscv64::Profile::Linux
            }
        );
        let o = opts(&["--mmu", "sv39", "--isa=rv64imac_ztso", "--riscv-profile", "hardened", "f"]);
        assert_eq!(o.riscv.mmu, arch_riscv64::Mmu::Sv39);
        assert_eq!(o.riscv.isa, arch_riscv64::Isa::from_letters(b"imac").union(arch_riscv64::Isa::ZTSO));
        assert_eq!(o.riscv.profile, arch_riscv64::Profile::Hardened);
        let o = opts(&[
            "--cpu=R5000",
            "--os",
            "irix",
            "--strict-prefetch",
            "off",
            "--isa-check=on",
            "--batch",
            "f",
        ]);
        assert_eq!(o.mips.cpu, Some(arch_mips::CpuModel::R5000));
        assert_eq!(o.mips.os, arch_mips::OsProfile::Irix);
        assert!(o.batch && !o.mips.strict_prefetch && o.mips.isa_check);
    }

    #[test]
    fn flags_and_args() {
        let o = opts(&[
            "--arch=x86_64",
            "--json",
            "--stats",
            "--root",
            "/sysroot",
            "--stack-rlimit",
            "unlimited",
            "--seed",
            "0x10",
            "--va-bits=39",
            "--env",
            "A=1",
            "--env=B=2",
            "--argv0",
            "x",
            "/bin/ls",
            "--json",
            "-l",
        ]);
        assert_eq!(o.arch, ArchChoice::Fixed(Arch::X86_64));
        assert!(o.json && o.stats);
        assert_eq!(o.root, PathBuf::from("/sysroot"));
        assert_eq!(o.stack_limit, StackLimit::Unlimited);
        assert_eq!((o.seed, o.va_bits), (Some(16), Some(39)));
        assert_eq!(o.env, vec![b"A=1".to_vec(), b"B=2".to_vec()]);
        assert_eq!(o.argv0, Some(b"x".to_vec()));
        assert_eq!(o.file, OsString::from("/bin/ls"));
        assert_eq!(o.args, vec![b"--json".to_vec(), b"-l".to_vec()], "options after FILE are ARGS");
        let o = opts(&["--", "--weird-name", "a"]);
        assert_eq!((o.file, o.args), (OsString::from("--weird-name"), vec![b"a".to_vec()]));
    }

    #[test]
    fn usage_errors() {
        for bad in [
            &[][..],
            &["--json"],
            &["--bogus", "f"],
            &["--arch", "riscv", "f"],
            &["--mmu", "sv32", "f"],
            &["--isa", "rv64 gc", "f"],
            &["--isa", "", "f"],
            &["--riscv-profile", "strict", "f"],
            &["--arch"],
            &["--page-size", "3000", "f"],
            &["--page-size", "0x", "f"],
            &["--va-bits", "64", "f"],
            &["--va-bits", "x", "f"],
            &["--stack-rlimit", "-1", "f"],
            &["--env", "NOEQUALS", "f"],
            &["--json=1", "f"],
            &["--seed", "", "f"],
            &["", "x"],
            &["--cpu", "r4000", "f"],
            &["--os", "solaris", "f"],
            &["--strict-prefetch", "yes", "f"],
            &["--isa-check", "1", "f"],
            &["--batch=1", "f"],
        ] {
            assert!(parse_strs(bad).is_err(), "{bad:?}");
        }
        assert!(matches!(parse_strs(&["--help"]), Ok(Command::Help)));
        let o = opts(&["--stack-rlimit", "18446744073709551615", "f"]);
        assert_eq!(o.stack_limit, StackLimit::Unlimited, "RLIM_INFINITY");
    }
}
