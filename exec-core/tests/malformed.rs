//! The malformed-ELF corpus (`testdata/malformed`): one file per bug class other kernels'
//! loaders crashed or were exploited on, generated from the fixtures by
//! `testdata/malformed/generate.py`. Every file gets exactly the outcome its rows in
//! `EXPECTED.tsv` name, one per profile (the Linux profile at its newest, the hardened
//! profile, Linux 6.1 or a 6.1.y stable update where it differs): a precise error (compared in full, with its
//! errno) and an untouched address space, or a correct load — a sound plan
//! (`test_support::invariants::check_plan`) whose pages hold what Linux's `elf_load` puts
//! there (`check_against_segments`). `loads:` followed by `name=0xHEX` pairs (comma
//! separated) also pins where the load went: `main` (the program's lowest page), `entry`
//! (the first instruction), and auxv entries by name (`AT_ENTRY`, `AT_PHDR`, `AT_BASE`).
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use exec_core::*;
use std::path::{Path, PathBuf};
use test_support::host::MemHost;
use test_support::invariants::check_plan;
use test_support::space::{check_against_segments, materialize, MockSpace};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

struct Row {
    name: String,
    policy: String,
    interp: Option<PathBuf>,
    profile: Profile,
    expected: String,
    errno: String,
}

fn rows() -> Vec<Row> {
    let tsv = std::fs::read_to_string(testdata().join("malformed/EXPECTED.tsv")).expect("EXPECTED.tsv");
    tsv.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 7, "EXPECTED.tsv row {line:?}");
            let profile = match f[3] {
                "linux" => Profile::default(),
                "hardened" => Profile::Hardened,
                other => match other.strip_prefix("linux-").and_then(KernelVersion::parse) {
                    Some(v) => Profile::Linux(v),
                    None => panic!("EXPECTED.tsv names an unknown profile {other}"),
                },
            };
            Row {
                name: f[0].into(),
                policy: f[1].into(),
                interp: (f[2] != "-").then(|| testdata().join(f[2])),
                profile,
                expected: f[4].into(),
                errno: f[5].into(),
            }
        })
        .collect()
}

/// What one accepted file gave: its mappings and brk (compared by `same-plan:`), and the
/// addresses `loads:` pins.
#[derive(Debug, PartialEq)]
struct Loaded {
    pages: (Vec<Mapping>, UserAddr),
    entry: u64,
    auxv: Vec<(AuxType, u64)>,
}

impl Loaded {
    /// The value `loads:` names `name` (see the module's documentation).
    fn fact(&self, name: &str) -> Option<u64> {
        match name {
            "main" => self.pages.0.iter().find(|m| m.role == Role::Main).map(|m| m.range.start.0),
            "entry" => Some(self.entry),
            aux => self.auxv.iter().find(|(t, _)| t.name() == Some(aux)).map(|&(_, v)| v),
        }
    }

    /// Whether every `name=0xHEX` of `facts` holds.
    fn matches(&self, facts: &str) -> bool {
        facts.split(',').all(|fact| {
            let (name, value) = fact.split_once('=').expect("loads: name=0xHEX");
            let value = u64::from_str_radix(value.trim_start_matches("0x"), 16).expect("hex value");
            self.fact(name) == Some(value)
        })
    }
}

/// What one file did: what it loaded as, or the error and its errno.
type Outcome = Result<Loaded, (String, String)>;

fn argv() -> [&'static [u8]; 2] {
    [b"prog", b"arg"]
}

/// The arm64 oracle's memory (MemTotal, no swap), for the `aarch64-ram1g` policy: Linux's
/// heuristic overcommit there.
const ARM64_GUEST_MEMORY: Overcommit = Overcommit::Heuristic { ram_and_swap: 1_000_964 << 10 };

fn run<P: ArchPolicy>(policy: &P, profile: Profile, main: &[u8], interp: Option<&[u8]>) -> Outcome {
    run_with(policy, profile, main, interp, Overcommit::Always)
}

fn run_with<P: ArchPolicy>(
    policy: &P,
    profile: Profile,
    main: &[u8],
    interp: Option<&[u8]>,
    overcommit: Overcommit,
) -> Outcome {
    let argv = argv();
    let mut params = ExecParams::new(b"/prog");
    params.argv = &argv;
    params.profile = profile;
    params.overcommit = overcommit;
    let mut host = MemHost::new(interp);
    let fail = |e: ExecError| {
        let errno = policy.errno(&e);
        let errno = errno.name().map_or_else(|| errno.0.to_string(), str::to_string);
        (format!("{e:?}"), errno)
    };
    let prepared = match prepare(policy, main, &mut host, &params, None) {
        Ok(p) => p,
        Err(e) => {
            assert_eq!(host.reserved, 0);
            return Err(fail(e));
        }
    };
    let plan = prepared.plan;
    let interp_bytes = prepared.interpreter.map(|b| b.0).unwrap_or_default();
    if let Err(e) = check_plan(&plan, main, &interp_bytes) {
        panic!("unsound plan: {e}");
    }
    let mut eager = None;
    for mode in [LoadMode::Eager, LoadMode::Mapped, LoadMode::Lazy] {
        let mut space = MockSpace::new(main, &interp_bytes);
        space.page = policy.page_size().get();
        space.max_pages = Some(1 << 16);
        let src = plan.interp.as_ref().map(|_| &interp_bytes[..]);
        if let Err(e) = load(&plan, main, src, &mut space, mode) {
            assert!(space.is_empty(), "{mode:?}: a failed load left {:?}", space.calls);
            return Err(fail(e));
        }
        match mode {
            LoadMode::Eager => eager = Some(space.pages),
            LoadMode::Mapped => assert_eq!(Some(&space.pages), eager.as_ref(), "mapped differs from eager"),
            LoadMode::Lazy => {
                let pages = eager.as_ref().expect("eager ran first");
                assert_eq!(&materialize(&plan, main, &interp_bytes), pages, "lazy differs from eager");
                check_against_segments(&plan.main, main, pages);
                if let Some(img) = &plan.interp {
                    check_against_segments(img, &interp_bytes, pages);
                }
            }
        }
    }
    Ok(Loaded {
        pages: (plan.mappings().collect(), plan.brk),
        entry: plan.entry.0,
        auxv: plan.auxv.entries().iter().map(|e| (e.kind, e.value)).collect(),
    })
}

fn outcome(policy: &str, profile: Profile, main: &[u8], interp: Option<&[u8]>) -> Outcome {
    match policy {
        "x86_64" => run(&arch_x86_64::X86_64::default(), profile, main, interp),
        "aarch64" => run(&arch_aarch64::Aarch64::default(), profile, main, interp),
        "aarch64-64k" => {
            let cpu = arch_aarch64::Cpu {
                page_size: PageSize::new(65536).expect("page size"),
                ..Default::default()
            };
            run(&arch_aarch64::Aarch64::new(cpu), profile, main, interp)
        }
        "aarch64-ram1g" => {
            run_with(&arch_aarch64::Aarch64::default(), profile, main, interp, ARM64_GUEST_MEMORY)
        }
        "mips" => run(&arch_mips::Mips::default(), profile, main, interp),
        "mips32" => {
            let policy = arch_mips::Mips::model(arch_mips::CpuModel::Mips32R2, elf_stream::Endian::Little);
            run(&policy, profile, main, interp)
        }
        "mips-be" => {
            let policy = arch_mips::Mips::model(arch_mips::CpuModel::Mips5KEf, elf_stream::Endian::Big);
            run(&policy, profile, main, interp)
        }
        other => panic!("EXPECTED.tsv names an unknown policy {other}"),
    }
}

#[test]
fn every_malformed_file_gets_its_exact_outcome() {
    let rows = rows();
    assert!(rows.len() >= 100, "the corpus lost classes: {}", rows.len());
    // Every file has its Linux and its hardened outcome.
    for row in &rows {
        for p in [Profile::default(), Profile::Hardened] {
            assert!(rows.iter().any(|r| r.name == row.name && r.profile == p), "{}: no {p:?} row", row.name);
        }
    }
    let mut failures = Vec::new();
    for row in &rows {
        let main = std::fs::read(testdata().join("malformed").join(&row.name)).expect("corpus file");
        let interp = row.interp.as_ref().map(|p| std::fs::read(p).expect("interpreter file"));
        let got = outcome(&row.policy, row.profile, &main, interp.as_deref());
        let ok = match (row.expected.as_str(), &got) {
            ("loads", Ok(_)) => true,
            (want, Ok(loaded)) if want.starts_with("loads:") => loaded.matches(&want["loads:".len()..]),
            (want, Ok(plan)) if want.starts_with("same-plan:") => {
                let base = std::fs::read(testdata().join(&want["same-plan:".len()..])).expect("base fixture");
                let base = outcome(&row.policy, row.profile, &base, interp.as_deref());
                base.as_ref().map(|b| &b.pages) == Ok(&plan.pages)
            }
            (want, Err((debug, errno))) => want == debug && &row.errno == errno,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{} ({:?}): expected {} ({}), got {got:?}",
                row.name, row.profile, row.expected, row.errno
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} files:\n{}", failures.len(), rows.len(), failures.join("\n"));
}

#[test]
#[cfg_attr(miri, ignore = "spawns python3")]
fn the_generator_reproduces_the_committed_corpus() {
    let dir = std::env::temp_dir().join(format!("execcore-malformed-{}", std::process::id()));
    let status = std::process::Command::new("python3")
        .arg(testdata().join("malformed/generate.py"))
        .arg(&dir)
        .status()
        .expect("python3");
    assert!(status.success());
    for entry in std::fs::read_dir(&dir).expect("generated files") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name");
        let committed = std::fs::read(testdata().join("malformed").join(name))
            .unwrap_or_else(|_| panic!("{name:?} generated but not committed: run generate.py"));
        assert!(
            std::fs::read(&path).expect("generated") == committed,
            "{name:?} differs from generate.py's output"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A fixture cut at every offset inside its file header and program header table: the
/// header's or the table's exact truncation error, for both classes and byte orders.
#[test]
fn truncated_at_every_offset_of_header_and_table() {
    for (name, policy) in
        [("x86_64-dyn-pie", "x86_64"), ("mips-o32-be-dyn", "mips-be"), ("mips-n64-le-dyn", "mips")]
    {
        let file = std::fs::read(testdata().join("bin").join(name)).expect("fixture");
        let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(&file[..]).expect("valid fixture");
        let h = *elf.header();
        let (ehsize, phoff) = (u64::from(h.ehsize), h.phoff.0);
        let table = u64::from(h.phentsize) * u64::from(h.phnum);
        for cut in 0..phoff + table {
            let got = outcome(policy, Profile::default(), &file[..cut as usize], None)
                .expect_err("a truncated file planned");
            // e_ident first (16 bytes), then the rest of the header, then the table.
            let want = if cut < ehsize {
                let len = if cut < 16 { 16 } else { ehsize };
                format!("Elf {{ role: Main, error: Truncated {{ offset: 0, len: {len} }} }}")
            } else {
                format!("Elf {{ role: Main, error: ProgramHeaderTableOutsideFile {{ offset: {phoff}, size: {table} }} }}")
            };
            assert_eq!((got.0.as_str(), got.1.as_str()), (want.as_str(), "ENOEXEC"), "{name} cut at {cut}");
        }
    }
}

/// The argument classes: argc 0 (an empty argv[0], as Linux >= 5.18), argv + envp over
/// the rlimit/4 limit, one string over the 32-page limit — on a real fixture.
#[test]
fn argument_classes() {
    let file = std::fs::read(testdata().join("bin/x86_64-static")).expect("fixture");
    let policy = arch_x86_64::X86_64::default();
    let plan = |params: &ExecParams<'_>| prepare(&policy, &file[..], &mut MemHost::default(), params, None);
    let p = plan(&ExecParams::new(b"/prog")).expect("argc 0 plans").plan;
    assert_eq!((p.stack.argc, p.stack.empty_argv0), (1, true));

    let chunk = vec![b'e'; 100 * 1024];
    let env: [&[u8]; 2] = [&chunk, &chunk];
    let mut params = ExecParams::new(b"/prog");
    params.envp = &env;
    params.stack_limit = StackLimit::Bytes(512 << 10);
    let err = plan(&params).expect_err("over the limit");
    // Two 100 KiB strings with NULs, "/prog\0", the empty argv[0]'s NUL, three pointers:
    // 2 * 102401 + 6 + 1 + 3 * 8; the limit is max(rlimit / 4, 128 KiB).
    assert_eq!(format!("{err:?}"), "ArgumentsTooLarge { size: 204833, limit: 131072 }");
    assert_eq!(err.errno().name(), Some("E2BIG"));

    let big = vec![b'a'; 32 * 4096];
    let argv: [&[u8]; 2] = [b"prog", &big];
    let mut params = ExecParams::new(b"/prog");
    params.argv = &argv;
    let err = plan(&params).expect_err("a string over 32 pages");
    assert_eq!(err, ExecError::StringTooLong { index: 1, len: 32 * 4096 + 1 });
    assert_eq!(err.errno().name(), Some("E2BIG"));
}
