//! Planning one file: open it, pick the policy, run `prepare`, gather what is printed.

use crate::arch::{self, Arch};
use crate::cli::{ArchChoice, Options, PlacementChoice};
use crate::stack_meter::{high_water, on_measuring_thread};
use elf_stream::{
    Class, Counting, ElfFile, Endian, Errno, ExtendedCount, FileHeader, HeaderRule, Limits, ProgramHeader,
    MAX_PHDR_TABLE, PATH_MAX,
};
use exec_core::counting::CountingSpace;
use exec_core::fs_host::FsHost;
use exec_core::policy::Role;
use exec_core::{
    ArchPolicy, ExecError, ExecHost, ExecParams, ExecPlan, FilePlacement, OpenedFile, Randomize, UserAddr,
};
use serde_json::Value;
use std::fs::File;

/// Why a file was not planned: a stable snake_case kind, the errno `execve` would return
/// (in the OS profile's numbering) and its C name, a message, and any warnings `prepare`
/// logged before it failed.
#[derive(Debug)]
pub struct Failure {
    pub kind: String,
    pub errno: Errno,
    pub errno_name: String,
    pub message: String,
    pub warnings: Vec<String>,
}

impl From<ExecError> for Failure {
    fn from(e: ExecError) -> Self {
        let message = match e {
            // exec-core's message does not say which file an ELF error is about.
            ExecError::Elf { role: Role::Interpreter, .. } => format!("interpreter: {e}"),
            _ => e.to_string(),
        };
        Failure::new(e.kind(), e.errno(), message)
    }
}

impl Failure {
    pub fn new(kind: &str, errno: Errno, message: String) -> Failure {
        Failure { kind: kind.into(), errno, errno_name: errno_name(errno), message, warnings: Vec::new() }
    }
}

/// The main file, opened and its header read, plus the options.
pub struct Job<'a> {
    pub opts: &'a Options,
    /// The file planned: FILE, or the interpreter its `#!` scripts lead to.
    pub file: &'a File,
    pub header: FileHeader,
    /// argv as the program receives it (rewritten by scripts).
    pub argv: Vec<Vec<u8>>,
    /// argc as given to execve: what Linux counts pointers for against the argument limit.
    pub argc_given: usize,
}

/// The rewritten argv with the pointer count of the original (see
/// `StringList::counted_pointers`).
struct Argv<'a> {
    strings: &'a [&'a [u8]],
    counted: usize,
}

impl exec_core::StringList for Argv<'_> {
    fn count(&self) -> usize {
        self.strings.len()
    }
    fn get(&self, index: usize) -> Option<&[u8]> {
        self.strings.get(index).copied()
    }
    fn counted_pointers(&self) -> usize {
        self.counted
    }
}

/// One `#!` script followed: its path and its line.
#[derive(Clone, Debug)]
pub struct ScriptStep {
    pub file: String,
    pub interpreter: String,
    pub argument: Option<String>,
}

impl Job<'_> {
    /// Fails unless `--page-size` is one `arch` supports.
    pub fn require_page_size(&self, sizes: &[u64], arch: Arch) -> Result<(), Failure> {
        let n = self.opts.page_size;
        if sizes.contains(&n) {
            return Ok(());
        }
        let list: Vec<String> = sizes.iter().map(u64::to_string).collect();
        Err(Failure::new(
            "invalid_parameter",
            Errno::EINVAL,
            format!("{} does not support {n}-byte pages (supported: {})", arch.name(), list.join(", ")),
        ))
    }

    /// Fails if `--va-bits` asks for more user address bits than `arch` has.
    pub fn require_va_bits(&self, max: u32, arch: Arch) -> Result<(), Failure> {
        match self.opts.va_bits {
            Some(n) if n > max => Err(Failure::new(
                "invalid_parameter",
                Errno::EINVAL,
                format!("{} user space has at most {max} address bits, not {n}", arch.name()),
            )),
            _ => Ok(()),
        }
    }
}

/// Read statistics of `prepare` (program and interpreter), and what `--stats` measures
/// beyond them: the stack high-water of each entry point and the reads of an eager load.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub read_calls: u64,
    pub bytes_read: u64,
    /// Stack bytes `prepare` used (its interpreter-path buffer included), the plan
    /// returned by value.
    pub prepare_stack: usize,
    /// The same for `prepare_into`, the plan built in the caller's storage.
    pub prepare_into_stack: usize,
    /// The PATH_MAX buffer `prepare` holds while it reads PT_INTERP (0 without one).
    pub path_buffer: usize,
    /// The eager load and the stack builder, when they ran (see [`measure_load`]).
    pub load: Option<LoadStats>,
}

/// An eager `load` into an address space that only counts (every file byte through the
/// library's 256-byte bounce buffer: its deepest and most read-hungry path), then
/// `write_stack`.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadStats {
    pub load_stack: usize,
    pub read_calls: u64,
    pub bytes_read: u64,
    pub builder_stack: usize,
}

/// The outcome of `prepare`, arch facts already turned into JSON.
pub struct Planned {
    pub plan: ExecPlan<Value>,
    pub stats: Stats,
    pub warnings: Vec<String>,
}

/// Everything printed for one file.
pub struct Report {
    pub file: String,
    pub header: FileHeader,
    /// The real program header count (`e_phnum`, or section 0's `sh_info` for PN_XNUM).
    pub phnum: u32,
    pub phdrs: Vec<ProgramHeader>,
    pub interp: Option<String>,
    /// The `#!` scripts followed to reach the planned program, outermost first.
    pub scripts: Vec<ScriptStep>,
    /// The planned program's path when FILE is a script.
    pub program: Option<String>,
    /// argv as the program receives it.
    pub argv: Vec<String>,
    pub planned: Planned,
}

/// `FsHost` whose interpreter reads are counted (`--stats`), with the `--placement`
/// choice (probed on each interpreter opened when `Auto`).
struct CountingHost(FsHost, PlacementChoice, FilePlacement);

impl ExecHost for CountingHost {
    type Interp = Counting<File>;

    fn open_interpreter(&mut self, path: &[u8]) -> Result<OpenedFile<Self::Interp>, Errno> {
        let f = self.0.open_interpreter(path)?;
        self.2 = match self.1 {
            PlacementChoice::Auto => crate::placement::probe(&f.source),
            PlacementChoice::Fixed(p) => p,
        };
        Ok(OpenedFile { source: Counting::new(f.source), id: f.id })
    }

    fn interpreter_placement(&mut self) -> FilePlacement {
        self.2
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        self.0.random(buf)
    }

    fn log(&mut self, level: exec_core::LogLevel, message: &str) {
        self.0.log(level, message)
    }
}

/// splitmix64: spreads `--seed` so that small seeds (and 0, a fixed point of the
/// xorshift generator FsHost runs) still give well-mixed entropy.
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    match z ^ (z >> 31) {
        0 => 1,
        z => z,
    }
}

/// Runs `prepare` with `policy`; `info` turns the policy's facts into the `"arch"` object.
pub fn run<P: ArchPolicy>(
    policy: &P,
    job: &Job<'_>,
    info: impl Fn(&P::Info) -> Value,
) -> Result<Planned, Failure> {
    use std::os::unix::ffi::OsStrExt;
    let o = job.opts;
    let file_bytes = o.file.as_bytes();
    let argv: Vec<&[u8]> = job.argv.iter().map(Vec::as_slice).collect();
    let envp: Vec<&[u8]> = o.env.iter().map(Vec::as_slice).collect();
    let argv = Argv { strings: &argv, counted: job.argc_given };
    let envp: &[&[u8]] = &envp;
    let mut params = ExecParams::new(file_bytes);
    params.argv = &argv;
    params.envp = &envp;
    params.stack_limit = o.stack_limit;
    params.profile = o.profile;
    params.placement = match o.placement {
        PlacementChoice::Auto => crate::placement::probe(job.file),
        PlacementChoice::Fixed(p) => p,
    };
    if o.seed.is_some() {
        params.randomize = Randomize::On;
    }
    if o.batch {
        params.reservation = exec_core::MemoryReservation::Reserve;
    }
    if let Some(bits) = o.va_bits {
        params.window = Some(exec_core::Window {
            start: UserAddr(params.mmap_min_addr),
            end: UserAddr(1u64.checked_shl(bits).unwrap_or(u64::MAX)),
        });
    }
    let host_for = |fs_seed: Option<u64>| {
        let mut fs = FsHost::new(&o.root);
        fs.seed = fs_seed.map(mix);
        CountingHost(fs, o.placement, FilePlacement::Plain)
    };
    let mut host = host_for(o.seed);
    let source = Counting::new(job.file);
    // The plan is built in `out`, off the measured stack, as a kernel would keep it.
    let mut out = Box::new(None);
    let mut call =
        || exec_core::prepare_into(policy, &source, &mut host, &params, None, &mut out).map(|_| ());
    // Painting the stack is only safe on the measuring thread (`plan` starts one for --stats).
    let (result, prepare_into_stack) = if o.stats { high_water(call) } else { (call(), 0) };
    let result = result
        .and_then(|()| out.take().ok_or(ExecError::InvalidParameter(exec_core::Parameter::PlanMissing)));
    let warnings = host.0.messages.iter().map(|(_, m)| m.clone()).collect();
    match result {
        Ok(prepared) => {
            // The by-value `prepare` as well: the same work, its result on the stack.
            let prepare_stack = if o.stats {
                let mut host = host_for(o.seed);
                high_water(|| exec_core::prepare(policy, job.file, &mut host, &params, None).is_ok()).1
            } else {
                0
            };
            let (calls, bytes) = prepared.interpreter.as_ref().map_or((0, 0), |i| (i.calls(), i.bytes()));
            let mut stats = Stats {
                read_calls: source.calls().saturating_add(calls),
                bytes_read: source.bytes().saturating_add(bytes),
                prepare_stack,
                prepare_into_stack,
                path_buffer: if prepared.plan.interp.is_some() { PATH_MAX } else { 0 },
                load: None,
            };
            if o.stats {
                stats.load = measure_load(policy, &prepared, &source, &params);
            }
            Ok(Planned { plan: prepared.plan.map_arch(|i| info(&i)), stats, warnings })
        }
        // The policy's errno: an OS profile renumbers (MIPS: EBADRQC 54, ELIBBAD 84); the
        // name is the asm-generic errno's, which the number stands for.
        Err(e) => Err(Failure { warnings, errno: policy.errno(&e), ..Failure::from(e) }),
    }
}

/// Loads `prepared` eagerly into a [`CountingSpace`] and builds its stack there, measuring
/// both; `None` if either fails (the plan is still printed).
fn measure_load<P: ArchPolicy, S: elf_stream::ReadAt>(
    policy: &P,
    prepared: &exec_core::Prepared<P::Info, S>,
    main: &Counting<&File>,
    params: &ExecParams<'_>,
) -> Option<LoadStats> {
    let plan = &prepared.plan;
    let interp = prepared.interpreter.as_ref().map(Counting::new);
    let (calls0, bytes0) = (main.calls(), main.bytes());
    let mut space = CountingSpace::default();
    let mode = exec_core::LoadMode::Eager;
    let (loaded, load_stack) = high_water(|| exec_core::load(plan, main, interp.as_ref(), &mut space, mode));
    loaded.ok()?;
    let platforms = (policy.platform(plan.abi), policy.base_platform(plan.abi));
    let random = [0u8; 16];
    let (built, builder_stack) = high_water(|| {
        exec_core::write_stack(&plan.stack, params, platforms, &plan.auxv, &random, &mut space)
    });
    built.ok()?;
    let (icalls, ibytes) = interp.as_ref().map_or((0, 0), |i| (i.calls(), i.bytes()));
    Some(LoadStats {
        load_stack,
        read_calls: main.calls() - calls0 + icalls,
        bytes_read: main.bytes() - bytes0 + ibytes,
        builder_stack,
    })
}

/// The `io::Error` text without Rust's " (os error N)" suffix.
fn io_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(at) => s[..at].to_string(),
        None => s,
    }
}

/// An elf-stream error about the program, as `prepare` would report it.
fn main_elf(e: elf_stream::Error) -> Failure {
    ExecError::elf(Role::Main, e).into()
}

/// `FsHost` opening script interpreters as Linux's `open_exec`: a regular file with an
/// execute bit, else EACCES (an empty name is the current directory to the kernel).
struct ScriptHost(FsHost);

impl ExecHost for ScriptHost {
    type Interp = File;

    fn open_interpreter(&mut self, path: &[u8]) -> Result<OpenedFile<File>, Errno> {
        use std::os::unix::fs::PermissionsExt;
        let f = self.0.open_interpreter(if path.is_empty() { b"." } else { path })?;
        match f.source.metadata() {
            Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => Ok(f),
            Ok(_) => Err(EACCES),
            Err(e) => Err(Errno(e.raw_os_error().unwrap_or(Errno::EIO.0))),
        }
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        self.0.random(buf)
    }
}

/// What following FILE's scripts gives: the steps, the interpreter finally planned
/// (None: FILE itself) and the rewritten argv.
type Followed = (Vec<ScriptStep>, Option<File>, Vec<Vec<u8>>);

/// Follows FILE's `#!` scripts as Linux (interpreters under `--root`).
fn follow(o: &Options, file: &File) -> Result<Followed, Failure> {
    use std::os::unix::ffi::OsStrExt;
    let file_bytes = o.file.as_bytes();
    let argv0: &[u8] = o.argv0.as_deref().unwrap_or(file_bytes);
    let original: Vec<&[u8]> = std::iter::once(argv0).chain(o.args.iter().map(Vec::as_slice)).collect();
    let mut chain = exec_core::ScriptChain::new();
    let mut host = ScriptHost(FsHost::new(&o.root));
    let target = exec_core::follow_scripts(&mut chain, file, &mut host)?;
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let mut steps = Vec::new();
    let mut path = o.file.to_string_lossy().into_owned();
    for level in 0..chain.depth() {
        let Some(line) = chain.shebang(level) else { break };
        steps.push(ScriptStep {
            file: path,
            interpreter: text(line.interpreter),
            argument: line.argument.map(text),
        });
        path = text(line.interpreter);
    }
    let list = chain.argv(original.as_slice(), file_bytes);
    let argv = (0..exec_core::StringList::count(&list))
        .map(|i| exec_core::StringList::get(&list, i).unwrap_or_default().to_vec())
        .collect();
    let program = match target {
        exec_core::ExecTarget::Main(_) => None,
        exec_core::ExecTarget::Interpreter(f) => Some(f.source),
    };
    Ok((steps, program, argv))
}

/// Plans the file named by `o`.
pub fn plan(o: &Options) -> Result<Report, Failure> {
    let file = File::open(&o.file).map_err(|e| {
        Failure::new("open_failed", Errno(e.raw_os_error().unwrap_or(Errno::EIO.0)), io_message(&e))
    })?;
    // execve wants a regular file (Linux: EACCES otherwise); reading a FIFO could block.
    let meta = file.metadata().map_err(|e| {
        Failure::new("open_failed", Errno(e.raw_os_error().unwrap_or(Errno::EIO.0)), io_message(&e))
    })?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "is a directory" } else { "not a regular file" };
        return Err(Failure::new("not_regular_file", EACCES, what.into()));
    }
    let (scripts, interpreter, argv) = follow(o, &file)?;
    let program = scripts.last().map(|s| s.interpreter.clone());
    let file = interpreter.unwrap_or(file);
    // The machine picks the policy: read strictly, else as Linux's x86_64/arm64 read any
    // header (ELF64 little endian whatever e_ident says).
    let header = match ElfFile::<_>::open(&file) {
        Ok(f) => *f.header(),
        Err(strict) => {
            let native = HeaderRule::Native { class: Some(Class::Elf64), endian: Some(Endian::Little) };
            let limits = Limits::default().with_header(native).with_extended_count(ExtendedCount::Literal);
            *ElfFile::<_>::open_with(&file, limits.with_max_phdr_table(MAX_PHDR_TABLE))
                .map_err(|_| main_elf(strict))?
                .header()
        }
    };
    let arch = match o.arch {
        ArchChoice::Fixed(a) => a,
        ArchChoice::Auto => match Arch::detect(header.machine) {
            Some(a) => a,
            None => return Err(arch::unsupported(&header.machine.to_string(), &header)),
        },
    };
    let argv_text = argv.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    let job = Job { opts: o, file: &file, header, argv, argc_given: o.args.len() + 1 };
    // --stats measures stack use, which needs a thread whose stack it can paint.
    let planned = if o.stats { on_measuring_thread(|| arch.plan(&job))? } else { arch.plan(&job)? };
    // Details for the report, read after `prepare` (not counted in --stats), which has
    // validated the header, the program header table and PT_INTERP.
    let page = planned.plan.main.page.get();
    // The header as prepare read it (its class and byte order), the profile's rules.
    let header = planned.plan.main.header;
    let native = HeaderRule::Native { class: Some(header.class), endian: Some(header.endian) };
    let page = exec_core::PageSize::new(page).unwrap_or(exec_core::PageSize::K4);
    let elf: ElfFile<_> = ElfFile::open_with(&file, o.profile.limits(page, native)).map_err(main_elf)?;
    let phdrs: Vec<ProgramHeader> = elf.program_headers().collect::<Result<_, _>>().map_err(main_elf)?;
    let mut buf = vec![0u8; PATH_MAX];
    let path = match o.profile {
        exec_core::Profile::Hardened => elf.interpreter(&mut buf),
        exec_core::Profile::Linux(_) => elf.first_interpreter(&mut buf),
    };
    let interp = path.map_err(main_elf)?.map(|p| String::from_utf8_lossy(p).into_owned());
    Ok(Report {
        file: o.file.to_string_lossy().into_owned(),
        header,
        phnum: elf.phnum(),
        phdrs,
        interp,
        scripts,
        program,
        argv: argv_text,
        planned,
    })
}

/// `EACCES` (not among elf-stream's named constants).
pub const EACCES: Errno = Errno(13);

/// The C name of an errno, including the file-system ones `open` can return.
pub fn errno_name(e: Errno) -> String {
    if let Some(n) = e.name() {
        return n.to_string();
    }
    let n = match e.0 {
        4 => "EINTR",
        6 => "ENXIO",
        9 => "EBADF",
        13 => "EACCES",
        16 => "EBUSY",
        19 => "ENODEV",
        20 => "ENOTDIR",
        21 => "EISDIR",
        23 => "ENFILE",
        24 => "EMFILE",
        26 => "ETXTBSY",
        27 => "EFBIG",
        40 => "ELOOP",
        75 => "EOVERFLOW",
        _ => return format!("errno {}", e.0),
    };
    n.to_string()
}
