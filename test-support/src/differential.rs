//! Differential testing against a real kernel: a plan (or a rejection) compared with what
//! the kernel did with the same file — accept or reject, the errno, every page's
//! protection, the entry, AT_PHDR/AT_PHNUM/AT_ENTRY/AT_BASE, start_brk and the stack top —
//! and a summary of many such comparisons by class of disagreement.
//!
//! The one allowed difference: where Linux fails after its point of no return (the process
//! is killed during the exec, or it starts at an entry point that is not executable and
//! dies on its first instruction), execcore rejects before anything is touched.

use crate::hostkernel::{Exec, Reading, Run};
use crate::maps::{merge, Ranges, Vma};
use crate::sysoracle::Observed;
use exec_core::fs_host::FsHost;
use exec_core::{ArchPolicy, AuxType, ExecParams, ExecPlan, Overcommit, Profile};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What execcore made of a file.
#[derive(Debug)]
pub enum Planned<'a, I> {
    /// An accepted plan.
    Plan(&'a ExecPlan<I>),
    /// A rejection: its errno (in the architecture's numbering) and the error's text.
    Rejected {
        /// The errno `execve` would return.
        errno: i32,
        /// The error, displayed.
        error: String,
    },
}

/// The outcome of one comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Both sides agree (accepted with the same layout, or rejected with the same errno).
    Agree(String),
    /// execcore rejects what Linux kills after its point of no return.
    Allowed(String),
    /// An accepted plan that breaks a soundness promise (`invariants::check_plan`).
    Unsound(String),
    /// A difference: its class and the details.
    Differ {
        /// What differs, without addresses (the summary groups by it).
        class: String,
        /// The values on both sides.
        detail: String,
    },
}

impl Verdict {
    /// The class the summary counts this verdict under.
    pub fn class(&self) -> String {
        match self {
            Verdict::Agree(c) => format!("agree: {c}"),
            Verdict::Allowed(c) => format!("allowed: {c}"),
            Verdict::Differ { class, .. } => class.clone(),
            Verdict::Unsound(_) => "unsound plan".into(),
        }
    }

    /// Whether this verdict counts as agreement.
    pub fn agrees(&self) -> bool {
        matches!(self, Verdict::Agree(_) | Verdict::Allowed(_))
    }
}

/// A guest oracle's observation as a [`Run`] (the guest's tracer reports no signal number
/// for a process killed during its exec: 0).
pub fn from_observed(o: &Observed) -> Run {
    let exec = match o.errno {
        None => Exec::Ran,
        Some(-1) => Exec::Killed(0),
        Some(e) => Exec::Failed(e),
    };
    Run {
        exec,
        auxv: o.auxv.clone(),
        maps: o.maps.clone(),
        pc: o.pc,
        sp: o.sp,
        start_brk: o.stat.get("start_brk").copied().unwrap_or(0),
        stack_top: o.stack_top,
        reading: o.reading,
    }
}

/// The kernel's image mappings: every VMA below the stack's top but the stack and the
/// kernel's special ones (`[vdso]`, `[vvar]`...; MIPS's unnamed branch-emulation page sits
/// above the stack); `[heap]` stays (a bss VMA ending at start_brk).
pub fn kernel_pages(maps: &[Vma]) -> Ranges {
    let top = maps.iter().find(|m| m.path == "[stack]").map_or(u64::MAX, |m| m.end);
    let mut v: Ranges = maps
        .iter()
        .filter(|m| (!m.path.starts_with('[') || m.path == "[heap]") && m.start < top)
        .map(|m| (m.start, m.end, m.perms[..3].to_string()))
        .collect();
    v.sort();
    merge(v)
}

/// The plan's image mappings (program and interpreter), merged the same way. Overlapping
/// mappings (an unsound plan) are listed as planned.
pub fn planned_pages<I>(plan: &ExecPlan<I>) -> Ranges {
    let mut v: Ranges =
        plan.mappings().map(|m| (m.range.start.0, m.range.end.0, m.prot.to_string())).collect();
    v.sort();
    merge(v)
}

/// Whether `pc` is in an executable mapping of `maps`; only the bits of `mask` of the pc
/// are known (an address with those bits in an executable mapping counts).
fn executable(maps: &[Vma], pc: u64, mask: u64) -> bool {
    maps.iter().filter(|m| m.perms.as_bytes().get(2) == Some(&b'x')).any(|m| {
        let first = (m.start & !mask) | (pc & mask);
        let next = first.checked_add(mask.wrapping_add(1)).filter(|_| mask != u64::MAX);
        [Some(first), next].into_iter().flatten().any(|a| m.start <= a && a < m.end)
    })
}

/// The first range where two page lists differ, for a short report.
fn first_difference(ours: &Ranges, theirs: &Ranges) -> String {
    let n = ours.len().max(theirs.len());
    for i in 0..n {
        if ours.get(i) != theirs.get(i) {
            return format!("ours {:x?}, linux {:x?}", ours.get(i), theirs.get(i));
        }
    }
    String::new()
}

/// Compares execcore's answer with the kernel's run. `name` names an errno number.
pub fn compare<I>(planned: &Planned<'_, I>, k: &Run, name: &dyn Fn(i32) -> String) -> Verdict {
    let mask = k.reading.register_mask();
    let plan = match (planned, &k.exec) {
        (Planned::Rejected { errno, .. }, Exec::Failed(e)) if errno == e => return Verdict::Agree(name(*e)),
        (Planned::Rejected { errno, error }, Exec::Failed(e)) => {
            return Verdict::Differ {
                class: format!("errno: linux {}, execcore {}", name(*e), name(*errno)),
                detail: error.clone(),
            }
        }
        (Planned::Rejected { .. }, Exec::Killed(_)) => {
            return Verdict::Allowed("rejected, linux killed the process during its exec".into())
        }
        (Planned::Rejected { .. }, Exec::Ran) if !executable(&k.maps, k.pc, mask) => {
            return Verdict::Allowed("rejected, linux starts at an entry that is not executable".into())
        }
        (Planned::Rejected { errno, error }, Exec::Ran) => {
            return Verdict::Differ {
                class: format!("linux ran it, execcore rejected it ({})", name(*errno)),
                detail: error.clone(),
            }
        }
        (_, Exec::Timeout) => {
            return Verdict::Differ { class: "linux timed out".into(), detail: String::new() }
        }
        (Planned::Plan(_), Exec::Failed(e)) => {
            return Verdict::Differ {
                class: format!("linux failed ({}), execcore planned it", name(*e)),
                detail: String::new(),
            }
        }
        (Planned::Plan(_), Exec::Killed(s)) => {
            return Verdict::Differ {
                class: "linux killed the process during its exec, execcore planned it".into(),
                detail: format!("signal {s}"),
            }
        }
        (Planned::Plan(p), Exec::Ran) => *p,
    };
    let mut fields = Vec::new();
    let mut detail = String::new();
    let (ours, theirs) = (planned_pages(plan), kernel_pages(&k.maps));
    if ours != theirs {
        fields.push("pages");
        let _ = write!(detail, "pages: {}; ", first_difference(&ours, &theirs));
    }
    let mut eq = |what: &'static str, ours: Option<u64>, theirs: Option<u64>| {
        if ours != theirs {
            fields.push(what);
            let _ = write!(detail, "{what}: ours {ours:x?}, linux {theirs:x?}; ");
        }
    };
    eq("entry", Some(plan.entry.0 & mask), Some(k.pc & mask));
    for t in [AuxType::AT_PHDR, AuxType::AT_PHNUM, AuxType::AT_ENTRY, AuxType::AT_BASE] {
        let theirs = k.aux(t.0);
        // An entry the tracer never read (Reading::Low32) is not compared.
        if theirs.is_some() || k.reading == Reading::Whole {
            eq(t.name().unwrap_or("AT_?"), plan.auxv.get(t), theirs);
        }
    }
    eq("brk", Some(plan.brk.0), Some(k.start_brk));
    eq("stack top", Some(plan.stack.top.0), Some(k.stack_top));
    if !executable(&k.maps, k.pc, mask) && fields.is_empty() {
        // Both agree on a layout whose entry is not executable: Linux kills it on the first
        // instruction; a plan may take it (it is sound) or not.
        return Verdict::Agree("ran, entry not executable".into());
    }
    if fields.is_empty() {
        Verdict::Agree("ran".into())
    } else {
        Verdict::Differ { class: format!("layout: {}", fields.join(", ")), detail }
    }
}

/// The mutants of one class of verdict.
#[derive(Debug, Default)]
pub struct Class {
    /// How many.
    pub count: usize,
    /// Their mutation kinds, counted.
    pub kinds: BTreeMap<String, usize>,
    /// A few of them (differences only), with the values on both sides.
    pub examples: Vec<String>,
}

/// Many comparisons: counts by class, with examples of each difference.
#[derive(Debug, Default)]
pub struct Summary {
    /// Mutants compared.
    pub total: usize,
    /// Mutants whose verdict agrees (or is allowed).
    pub agreed: usize,
    /// Verdicts by class.
    pub classes: BTreeMap<String, Class>,
    /// Accepted plans that failed the soundness check: (mutant, what failed).
    pub unsound: Vec<(String, String)>,
}

impl Summary {
    /// Counts the verdict on mutant `m`; a mutant that differs is also written to the
    /// directory `DIFFERENTIAL_KEEP` names, if set, for a closer look.
    pub fn add(&mut self, m: &crate::mutate::Mutant, v: &Verdict) {
        if let (false, Some(dir)) = (v.agrees(), std::env::var_os("DIFFERENTIAL_KEEP")) {
            let dir = std::path::PathBuf::from(dir);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(&m.name), &m.bytes).unwrap();
        }
        self.total += 1;
        self.agreed += usize::from(v.agrees());
        let e = self.classes.entry(v.class()).or_default();
        e.count += 1;
        *e.kinds.entry(m.kind()).or_default() += 1;
        // The mutant's name, its mutations and the interpreter path Linux would open.
        let which = || {
            let interp = m
                .interp_path()
                .map_or(String::new(), |p| format!(" PT_INTERP {:?}", String::from_utf8_lossy(&p)));
            format!("{} [{}]{interp}", m.name, m.ops.join(" "))
        };
        match v {
            Verdict::Differ { detail, .. } if e.examples.len() < examples_per_class() => {
                e.examples.push(format!("{}: {detail}", which()))
            }
            Verdict::Unsound(what) => self.unsound.push((which(), what.clone())),
            _ => {}
        }
    }

    /// The share of agreeing mutants, in percent.
    pub fn agreement(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            100.0 * self.agreed as f64 / self.total as f64
        }
    }

    /// The number of mutants whose verdict is a difference.
    pub fn differences(&self) -> usize {
        self.total - self.agreed
    }

    /// The report: agreement, then every class with its count, the mutation kinds that
    /// produced it and, for differences, examples.
    pub fn report(&self, title: &str) -> String {
        let mut s = format!(
            "{title}: {} mutants, {} agree ({:.2} %), {} differ, {} unsound plans\n",
            self.total,
            self.agreed,
            self.agreement(),
            self.differences(),
            self.unsound.len()
        );
        let mut classes: Vec<_> = self.classes.iter().collect();
        classes.sort_by_key(|(c, k)| {
            (!c.starts_with("agree") && !c.starts_with("allowed"), usize::MAX - k.count)
        });
        for (class, Class { count: n, kinds, examples }) in classes {
            let mut kinds: Vec<_> = kinds.iter().collect();
            kinds.sort_by_key(|(k, n)| (usize::MAX - **n, (*k).clone()));
            let kinds: Vec<String> = kinds.iter().take(8).map(|(k, n)| format!("{k} {n}")).collect();
            let _ = writeln!(s, "  {n:5}  {class}   [{}]", kinds.join(", "));
            for e in examples {
                let _ = writeln!(s, "           e.g. {e}");
            }
        }
        for (m, what) in self.unsound.iter().take(10) {
            let _ = writeln!(s, "  unsound: {m}: {what}");
        }
        s
    }
}

/// Examples of each difference a report lists: `DIFFERENTIAL_EXAMPLES`, or 4.
fn examples_per_class() -> usize {
    std::env::var("DIFFERENTIAL_EXAMPLES").ok().and_then(|v| v.parse().ok()).unwrap_or(4)
}

/// The differential runs' seed (`DIFFERENTIAL_SEED` overrides it).
pub const SEED: u64 = 0x5eed_e1f0_2026_1202;

/// The number of mutants of a run: `DIFFERENTIAL_MUTANTS`, or `default`.
pub fn mutant_count(default: usize) -> usize {
    std::env::var("DIFFERENTIAL_MUTANTS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The run's seed: `DIFFERENTIAL_SEED` (decimal or 0x-hex), or [`SEED`].
pub fn seed() -> u64 {
    std::env::var("DIFFERENTIAL_SEED")
        .ok()
        .and_then(|v| match v.strip_prefix("0x") {
            Some(h) => u64::from_str_radix(h, 16).ok(),
            None => v.parse().ok(),
        })
        .unwrap_or(SEED)
}

/// Mutants `0..n` of `bases` (name, bytes), made one at a time (a few thousand copies of
/// megabyte programs would not fit in memory, nor fork quickly): mutant `i` comes from
/// base `i % bases.len()`.
pub fn mutants<'a>(
    bases: &'a [(String, Vec<u8>)],
    n: usize,
    config: &'a crate::mutate::Config,
) -> impl Iterator<Item = crate::mutate::Mutant> + 'a {
    assert!(!bases.is_empty(), "no base programs");
    (0..n).map(move |i| {
        let (name, bytes) = &bases[i % bases.len()];
        crate::mutate::mutant(name, bytes, i as u64, config)
    })
}

/// An errno's C name in the generic numbering (x86_64, arm64), or its number.
pub fn errno_name(e: i32) -> String {
    let extra = match e {
        13 => "EACCES",
        20 => "ENOTDIR",
        21 => "EISDIR",
        26 => "ETXTBSY",
        36 => "ENAMETOOLONG",
        40 => "ELOOP",
        _ => "",
    };
    match elf_stream::Errno(e).name() {
        Some(n) => n.to_string(),
        None if !extra.is_empty() => extra.to_string(),
        None => format!("errno {e}"),
    }
}

/// A base program for a guest kernel's run, with the root its interpreter resolves under.
#[derive(Clone, Debug)]
pub struct GuestBase {
    /// Its file name.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The sysroot (`/` for the host's, e.g. musl's).
    pub root: std::path::PathBuf,
}

/// A guest kernel of `../shared/sysoracle`.
#[derive(Clone, Debug)]
pub struct Guest<'a> {
    /// sysoracle.sh's architecture (`aarch64`, `mips64el`, `mipsel`).
    pub arch: &'a str,
    /// The qemu CPU (`CPU=`), part of the cache's name.
    pub cpu: &'a str,
    /// Mutants per boot.
    pub batch: usize,
    /// RAM plus swap the guest kernel commits against, in bytes (its `/proc/meminfo`
    /// MemTotal + SwapTotal, measured in the guest; `vm.overcommit_memory` is 0 there).
    pub ram_and_swap: u64,
}

/// The environment each program runs with in the guest (sysoracle's default)...
pub const GUEST_ENV: &str = "ORACLE=1";

/// ...started through a shell that bounds its CPU time and, through busybox's `timeout`,
/// the tracer's wall time (the tracer lets the program run after the exec stop and waits
/// for it; a mutant may block without using CPU: seen once, a whole boot lost), and gives
/// it no input: `ORACLE_ENV` and `ORACLE_ARGS` are pasted into the guest's init script
/// around `/bin/oracle-trace /t/NAME`. The results, taken at the exec stop, are the same.
const GUEST_ORACLE_ENV: &str =
    r#"ORACLE=1 /bin/sh -c "ulimit -t 2; exec /bin/timeout -s KILL 20 \"\$@\"" sh"#;

/// Runs `n` mutants of `bases` through the guest kernel (cached by content; one boot per
/// `guest.batch` mutants not cached) and through `plan`, which plans a mutant file (given
/// its guest path `/t/NAME` and its base's root) or returns its errno and error. Every
/// accepted plan goes through [`crate::invariants::check_plan`].
pub fn run_guest<I>(
    guest: &Guest<'_>,
    bases: &[GuestBase],
    n: usize,
    config: &crate::mutate::Config,
    mut plan: impl FnMut(&std::path::Path, &str, &std::path::Path) -> Result<ExecPlan<I>, (i32, String)>,
    name: &dyn Fn(i32) -> String,
) -> Summary {
    use crate::sysoracle::{observe_with, Boot, Subject};
    let pairs: Vec<(String, Vec<u8>)> = bases.iter().map(|b| (b.name.clone(), b.bytes.clone())).collect();
    let mutants: Vec<crate::mutate::Mutant> = mutants(&pairs, n, config).collect();
    let dir = crate::temp::TempDir::new(&format!("differential-{}", guest.arch));
    let paths: Vec<std::path::PathBuf> = mutants
        .iter()
        .map(|m| {
            let p = dir.join(&m.name);
            std::fs::write(&p, &m.bytes).unwrap();
            p
        })
        .collect();
    let roots: Vec<&std::path::Path> = (0..n).map(|i| bases[i % bases.len()].root.as_path()).collect();
    let interps: Vec<Option<std::path::PathBuf>> = mutants
        .iter()
        .zip(&roots)
        .map(|(m, root)| {
            let path = m.interp_path()?;
            let p = root.join(std::str::from_utf8(&path).ok()?.trim_start_matches('/'));
            p.is_file().then_some(p)
        })
        .collect();
    // sysoracle.sh runs under `set -e -o pipefail` and reads each file's PT_INTERP with
    // readelf, which fails on some mutants: a readelf that always succeeds goes first in
    // its PATH.
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let readelf = bin.join("readelf");
    std::fs::write(&readelf, "#!/bin/sh\n/usr/bin/readelf \"$@\"\nexit 0\n").unwrap();
    std::fs::set_permissions(&readelf, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    // The unchanged bases go into every boot too: their interpreters and libraries are in
    // the guest whatever the batch (sysoracle copies what each file's PT_INTERP names).
    let base_paths: Vec<std::path::PathBuf> = bases
        .iter()
        .map(|b| {
            let p = dir.join(format!("base-{}", b.name));
            std::fs::write(&p, &b.bytes).unwrap();
            p
        })
        .collect();
    let companions: Vec<&std::path::Path> = base_paths.iter().map(|p| p.as_path()).collect();
    let cache =
        std::env::temp_dir().join("execcore-differential").join(format!("{}-{}", guest.arch, guest.cpu));
    let boot = Boot {
        arch: guest.arch,
        cache,
        env: vec![
            ("CPU", Some(guest.cpu)),
            ("APPEND_EXTRA", Some("")),
            ("ORACLE_ENV", Some(GUEST_ORACLE_ENV)),
            ("ORACLE_ARGS", Some("</dev/null")),
            ("OUT_LINES", Some("2")),
            ("TIMEOUT", Some("1200")),
            ("PATH", Some(&path)),
        ],
    };
    let mut seen = std::collections::HashMap::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(guest.batch.max(1)) {
        let subjects: Vec<Subject<'_>> = chunk
            .iter()
            .map(|&i| Subject { name: &mutants[i].name, path: &paths[i], interp: interps[i].clone() })
            .collect();
        seen.extend(observe_with(&boot, &subjects, &companions));
    }
    let mut summary = Summary::default();
    for (i, m) in mutants.iter().enumerate() {
        let o = seen.get(&m.name).unwrap_or_else(|| panic!("{}: no oracle result", m.name));
        let kernel = from_observed(o);
        let guest_path = format!("/t/{}", m.name);
        let verdict = match plan(&paths[i], &guest_path, roots[i]) {
            Ok(p) => {
                // The interpreter the plan opened: PT_INTERP's path under the base's root.
                let interp = match (&p.interp, m.interp_path()) {
                    (Some(_), Some(path)) => {
                        let path = roots[i].join(String::from_utf8_lossy(&path).trim_start_matches('/'));
                        std::fs::read(path).unwrap_or_default()
                    }
                    _ => Vec::new(),
                };
                match crate::invariants::check_plan(&p, &m.bytes, &interp) {
                    Err(e) => Verdict::Unsound(e),
                    Ok(()) => compare(&Planned::Plan(&p), &kernel, name),
                }
            }
            Err((errno, error)) => compare::<I>(&Planned::Rejected { errno, error }, &kernel, name),
        };
        summary.add(m, &verdict);
    }
    summary
}

/// Interpreter paths a guest run's mutants may name: missing, and directories (in the guest
/// and the sysroots alike), so both sides resolve them the same way.
pub const GUEST_INTERP_PATHS: [&str; 3] = ["/nonexistent/ld.so", "/lib", "/"];

/// Plans the mutant at `path` the way the guest kernel execs it as `execfn` (`/t/NAME`):
/// the guest's argv and environment, `profile`, no `mmap_min_addr` (the guest runs its
/// programs as root), interpreters resolved under `root`, fixed entropy. A rejection
/// comes back as the policy's errno (its architecture's numbering) and the error's text.
pub fn plan_as_guest<P: ArchPolicy>(
    policy: &P,
    profile: Profile,
    overcommit: Overcommit,
    path: &std::path::Path,
    execfn: &str,
    root: &std::path::Path,
) -> Result<ExecPlan<P::Info>, (i32, String)> {
    let argv: [&[u8]; 1] = [execfn.as_bytes()];
    let envp: [&[u8]; 1] = [GUEST_ENV.as_bytes()];
    let mut params = ExecParams::new(execfn.as_bytes());
    params.argv = &argv;
    params.envp = &envp;
    params.mmap_min_addr = 0;
    params.profile = profile;
    params.overcommit = overcommit;
    let mut host = FsHost::new(root);
    host.seed = Some(1);
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    exec_core::prepare(policy, &file, &mut host, &params, None)
        .map(|p| p.plan)
        .map_err(|e| (policy.errno(&e).0, e.to_string()))
}

/// One guest kernel's differential check, as the per-architecture tests state it.
pub struct GuestCheck<'a> {
    /// The guest kernel.
    pub guest: Guest<'a>,
    /// What the report calls the kernel (e.g. `arm64 kernel`; its version follows).
    pub title: &'a str,
    /// Mutants `cargo test` runs (`DIFFERENTIAL_MUTANTS` overrides it).
    pub mutants: usize,
    /// The agreement to reach, in percent.
    pub floor: f64,
    /// The errno names in the guest's numbering.
    pub errno_name: &'a dyn Fn(i32) -> String,
}

impl GuestCheck<'_> {
    /// Runs the mutants of `bases` (at least 8) through the guest kernel and through
    /// `policy` ([`run_guest`], [`plan_as_guest`]) with the Linux profile at the guest
    /// kernel's full version ([`kernel_version`](crate::sysoracle::kernel_version): 6.1.y
    /// took 6.7's `elf_load` in 6.1.140), prints the report and asserts every accepted
    /// plan is sound and the agreement reaches the floor.
    pub fn run<P: ArchPolicy>(&self, policy: &P, bases: &[GuestBase]) {
        let guest = &self.guest;
        assert!(bases.len() >= 8, "{} bases for {}", bases.len(), guest.arch);
        let config = crate::mutate::Config {
            interp_paths: GUEST_INTERP_PATHS.map(String::from).to_vec(),
            seed: seed(),
        };
        let n = mutant_count(self.mutants);
        let summary = run_guest(
            guest,
            bases,
            n,
            &config,
            |path, execfn, root| {
                // Known once the first boot has fetched the kernel.
                let profile = Profile::Linux(crate::sysoracle::kernel_version(guest.arch));
                let overcommit = Overcommit::Heuristic { ram_and_swap: guest.ram_and_swap };
                plan_as_guest(policy, profile, overcommit, path, execfn, root)
            },
            self.errno_name,
        );
        let version = crate::sysoracle::kernel_version(guest.arch);
        let title = format!("{} {version} (sysoracle {}, {})", self.title, guest.arch, guest.cpu);
        println!("{}", summary.report(&title));
        assert_eq!(summary.total, n);
        assert!(summary.unsound.is_empty(), "unsound plans: {:?}", summary.unsound);
        let floor = self.floor;
        assert!(summary.agreement() >= floor, "agreement {:.2} % below {floor} %", summary.agreement());
    }
}
