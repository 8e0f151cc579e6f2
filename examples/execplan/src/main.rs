//! `execplan`: print the exec plan execcore makes for an ELF file.
//!
//! ```text
//! execplan [--arch auto|x86_64|aarch64|mips] [--json] [--stats] [--root DIR]
//!          [--stack-rlimit BYTES|unlimited] [--page-size N] [--seed N] [--va-bits N]
//!          [--env K=V]... [--argv0 S] FILE [ARGS...]
//! ```
//! Defaults: ASLR off, 8 MiB stack rlimit, 4096-byte pages, empty environment.

mod output;

use elf_stream::{Counting, ElfFile, Errno, Machine};
use exec_core::fs_host::FsHost;
use exec_core::{ExecParams, Randomize, StackLimit, UserAddr, Window};
use std::process::ExitCode;

const USAGE: &str = "usage: execplan [--arch auto|x86_64|aarch64|mips] [--json] [--stats] [--root DIR] \
[--stack-rlimit BYTES|unlimited] [--page-size N] [--seed N] [--va-bits N] [--env K=V]... [--argv0 S] FILE [ARGS...]";

/// Parsed command line.
pub struct Options {
    arch: String,
    json: bool,
    stats: bool,
    root: String,
    stack_limit: StackLimit,
    page_size: u64,
    seed: Option<u64>,
    va_bits: Option<u32>,
    env: Vec<String>,
    argv0: Option<String>,
    file: String,
    args: Vec<String>,
}

fn parse_num(s: &str) -> Option<u64> {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut o = Options {
        arch: "auto".into(),
        json: false,
        stats: false,
        root: "/".into(),
        stack_limit: StackLimit::Bytes(8 << 20),
        page_size: 4096,
        seed: None,
        va_bits: None,
        env: Vec::new(),
        argv0: None,
        file: String::new(),
        args: Vec::new(),
    };
    let value =
        |it: &mut dyn Iterator<Item = String>, flag: &str| it.next().ok_or(format!("{flag} needs a value"));
    while let Some(a) = it.next() {
        match a.as_str() {
            "--arch" => o.arch = value(&mut it, &a)?,
            "--json" => o.json = true,
            "--stats" => o.stats = true,
            "--root" => o.root = value(&mut it, &a)?,
            "--stack-rlimit" => {
                let v = value(&mut it, &a)?;
                o.stack_limit = if v == "unlimited" {
                    StackLimit::Unlimited
                } else {
                    StackLimit::Bytes(parse_num(&v).ok_or(format!("bad --stack-rlimit {v}"))?)
                };
            }
            "--page-size" => {
                let v = value(&mut it, &a)?;
                o.page_size = parse_num(&v).ok_or(format!("bad --page-size {v}"))?;
            }
            "--seed" => {
                let v = value(&mut it, &a)?;
                o.seed = Some(parse_num(&v).ok_or(format!("bad --seed {v}"))?);
            }
            "--va-bits" => {
                let v = value(&mut it, &a)?;
                o.va_bits = Some(
                    v.parse().ok().filter(|b| (20..=57).contains(b)).ok_or(format!("bad --va-bits {v}"))?,
                );
            }
            "--env" => {
                let v = value(&mut it, &a)?;
                if !v.contains('=') {
                    return Err(format!("--env needs K=V, got {v}"));
                }
                o.env.push(v);
            }
            "--argv0" => o.argv0 = Some(value(&mut it, &a)?),
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            _ => {
                o.file = a;
                o.args = it.collect();
                break;
            }
        }
    }
    if o.file.is_empty() {
        return Err("no FILE given".into());
    }
    if !["auto", "x86_64", "aarch64", "mips"].contains(&o.arch.as_str()) {
        return Err(format!("unknown --arch {}", o.arch));
    }
    Ok(o)
}

/// Why planning failed: a stable kind, an errno and a message.
pub struct Failure {
    kind: String,
    errno: Errno,
    message: String,
}

impl From<exec_core::ExecError> for Failure {
    fn from(e: exec_core::ExecError) -> Self {
        Failure { kind: e.kind().into(), errno: e.errno(), message: e.to_string() }
    }
}

fn errno_name(e: Errno) -> String {
    e.name().map_or_else(|| format!("errno {}", e.0), str::to_string)
}

/// `FsHost` whose interpreter reads are counted too (`--stats`).
struct CountingHost(FsHost);

impl exec_core::ExecHost for CountingHost {
    type Interp = Counting<std::fs::File>;

    fn open_interpreter(&mut self, path: &[u8]) -> Result<exec_core::OpenedFile<Self::Interp>, Errno> {
        let f = self.0.open_interpreter(path)?;
        Ok(exec_core::OpenedFile { source: Counting::new(f.source), id: f.id })
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        self.0.random(buf)
    }
}

fn plan(o: &Options) -> Result<output::Report, Failure> {
    let file = std::fs::File::open(&o.file).map_err(|e| Failure {
        kind: "open_failed".into(),
        errno: Errno(e.raw_os_error().unwrap_or(2)),
        message: e.to_string(),
    })?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(Failure {
            kind: "is_directory".into(),
            errno: Errno(21),
            message: "is a directory".into(),
        });
    }
    let source = Counting::new(file);
    // Which architecture: asked, or the file's machine.
    let machine = ElfFile::<_>::open(&source).map(|f| f.header().machine).map_err(|e| Failure {
        kind: e.kind().into(),
        errno: e.errno(),
        message: e.to_string(),
    })?;
    let arch = match (o.arch.as_str(), machine) {
        ("auto", Machine::X86_64) | ("x86_64", _) => "x86_64",
        ("auto", Machine::AARCH64) | ("aarch64", _) => "aarch64",
        ("auto", Machine::MIPS) | ("mips", _) => "mips",
        _ => "unknown",
    };
    if arch != "x86_64" {
        return Err(Failure {
            kind: "unsupported_arch".into(),
            errno: Errno::ENOEXEC,
            message: format!("unsupported architecture {arch} (machine {machine}): this build plans x86_64"),
        });
    }
    if o.page_size != 4096 {
        return Err(Failure {
            kind: "invalid_parameter".into(),
            errno: Errno::EINVAL,
            message: format!("x86_64 uses 4096-byte pages, not {}", o.page_size),
        });
    }
    let argv0 = o.argv0.clone().unwrap_or_else(|| o.file.clone());
    let argv: Vec<&[u8]> =
        std::iter::once(argv0.as_bytes()).chain(o.args.iter().map(|a| a.as_bytes())).collect();
    let envp: Vec<&[u8]> = o.env.iter().map(|e| e.as_bytes()).collect();
    let argv_ref: &[&[u8]] = &argv;
    let envp_ref: &[&[u8]] = &envp;
    let mut params = ExecParams::new(o.file.as_bytes());
    params.argv = &argv_ref;
    params.envp = &envp_ref;
    params.stack_limit = o.stack_limit;
    if o.seed.is_some() {
        params.randomize = Randomize::On;
    }
    if let Some(bits) = o.va_bits {
        params.window = Some(Window { start: UserAddr(params.mmap_min_addr), end: UserAddr(1 << bits) });
    }
    let mut fs = FsHost::new(&o.root);
    fs.seed = o.seed;
    let mut host = CountingHost(fs);
    let policy = arch_x86_64::X86_64::default();
    let elf: ElfFile<_> = ElfFile::open(&source).map_err(|e| Failure {
        kind: e.kind().into(),
        errno: e.errno(),
        message: e.to_string(),
    })?;
    let phdrs: Vec<_> = elf.program_headers().collect::<Result<_, _>>().map_err(|e| Failure {
        kind: e.kind().into(),
        errno: e.errno(),
        message: e.to_string(),
    })?;
    let header = *elf.header();
    let before = (source.calls(), source.bytes());
    let prepared = exec_core::prepare(&policy, &source, &mut host, &params, None)?;
    let (icalls, ibytes) = prepared.interpreter.as_ref().map_or((0, 0), |i| (i.calls(), i.bytes()));
    Ok(output::Report {
        file: o.file.clone(),
        header,
        phdrs,
        plan: prepared.plan,
        read_calls: source.calls() - before.0 + icalls,
        bytes_read: source.bytes() - before.1 + ibytes,
    })
}

fn main() -> ExitCode {
    let o = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("execplan: {msg}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match plan(&o) {
        Ok(report) => {
            if o.json {
                println!("{}", output::json(&report, o.stats));
            } else {
                print!("{}", output::text(&report, o.stats));
            }
            ExitCode::SUCCESS
        }
        Err(f) => {
            eprintln!("execplan: {}: {} ({})", o.file, f.message, errno_name(f.errno));
            if o.json {
                let err =
                    serde_json::json!({"error": {"kind": f.kind, "errno": f.errno.0, "message": f.message}});
                println!("{err}");
            }
            ExitCode::from(1)
        }
    }
}
