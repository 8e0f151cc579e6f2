//! execplan's command line, run as a program: every `--json` output validates against
//! plan.schema.json, exit statuses and the stderr line follow the contract, the x86_64
//! layout is Linux's (ASLR off), options change the plan the way they should, and no
//! input — garbage, empty, truncated, mutated, a directory — makes it panic.

use serde_json::{json, Value};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const EM_X86_64: u16 = 62;
const EM_AARCH64: u16 = 183;
const EM_MIPS: u16 = 8;
const EM_RISCV: u16 = 243;
const ENOEXEC: u64 = 8;
const E2BIG: u64 = 7;

fn execplan<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_execplan")).args(args).output().expect("run execplan")
}

fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("plan.schema.json");
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        jsonschema::draft202012::new(&schema).expect("schema compiles")
    })
}

/// Runs with `--json` first, checks the contract (one JSON line, schema, exit status,
/// stderr line) and returns the object.
fn json<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Value {
    let mut all: Vec<std::ffi::OsString> = vec!["--json".into()];
    all.extend(args.iter().map(|a| a.as_ref().to_owned()));
    let out = execplan(&all);
    let what = format!("{all:?}");
    let stdout = String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert_eq!(stdout.lines().count(), 1, "{what}: exactly one JSON line, got {stdout:?}");
    let value: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{what}: {e}: {stdout}"));
    let errors: Vec<String> =
        validator().iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert!(errors.is_empty(), "{what}: schema violations: {errors:?}\n{value}");
    match value.get("error") {
        Some(e) => {
            assert_eq!(out.status.code(), Some(1), "{what}: {value}");
            // The last stderr line is `execplan: FILE: <message> (<ERRNO NAME>[ <number>])`,
            // the number when the policy renumbers the errno.
            let last = stderr.lines().last().unwrap_or_default();
            let msg = e["message"].as_str().unwrap();
            assert!(last.starts_with("execplan: ") && last.contains(&format!(": {msg} (")), "{what}: {last}");
            let name = e["errno_name"].as_str().unwrap();
            let renumbered = format!("({name} {})", e["errno"]);
            assert!(last.ends_with(&format!("({name})")) || last.ends_with(&renumbered), "{what}: {last}");
        }
        None => assert_eq!(out.status.code(), Some(0), "{what}: {stderr}"),
    }
    value
}

/// A successful plan.
fn ok<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Value {
    let v = json(args);
    assert!(v.get("error").is_none(), "{:?}: {v}", args.iter().map(|a| a.as_ref()).collect::<Vec<_>>());
    v
}

/// A rejection: the `error` object.
fn err<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Value {
    let v = json(args);
    assert!(
        v.get("error").is_some(),
        "{:?}: expected an error",
        args.iter().map(|a| a.as_ref()).collect::<Vec<_>>()
    );
    v["error"].clone()
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a u64: {v}"))
}

fn aux(p: &Value, name: &str) -> Option<u64> {
    p["auxv"].as_array().unwrap().iter().find(|e| e["name"] == name).map(|e| u(&e["value"]))
}

/// `e_machine` of an ELF file, or None for anything else.
fn machine(path: &Path) -> Option<u16> {
    let b = std::fs::read(path).ok()?;
    if b.len() < 20 || &b[..4] != b"\x7fELF" {
        return None;
    }
    let m = [b[18], b[19]];
    Some(if b[5] == 2 { u16::from_be_bytes(m) } else { u16::from_le_bytes(m) })
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

fn corpus() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/bin");
    assert!(dir.is_dir(), "the reference corpus must be at {}", dir.display());
    dir
}

fn testdata() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/bin");
    if dir.is_dir() {
        sorted_files(&dir)
    } else {
        Vec::new()
    }
}

/// /bin/ls, /bin/sh and the first x86_64 ELF files of /usr/bin in name order.
fn host_programs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = vec!["/bin/ls".into(), "/bin/sh".into()];
    let usr: Vec<PathBuf> = sorted_files(Path::new("/usr/bin"))
        .into_iter()
        .filter(|p| std::fs::File::open(p).is_ok() && machine(p) == Some(EM_X86_64))
        .take(25)
        .collect();
    assert!(usr.len() >= 10, "too few /usr/bin programs: {usr:?}");
    v.extend(usr);
    v
}

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("execplan-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    /// An executable file (as an interpreter must be).
    fn file(&self, name: impl AsRef<Path>, bytes: &[u8]) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a plan must satisfy whatever the file: mappings page-aligned, sorted, inside the
/// window and off the stack; entry, sp and auxv consistent.
fn check_plan(p: &Value, window_end: u64) {
    let what = p["file"].as_str().unwrap();
    let mut ranges = Vec::new();
    for img in [&p["image"], &p["interp_image"]] {
        if img.is_null() {
            continue;
        }
        let mut prev_end = 0;
        for m in img["mappings"].as_array().unwrap() {
            let (s, e) = (u(&m["start"]), u(&m["end"]));
            assert!(s % 4096 == 0 && e % 4096 == 0 && s < e, "{what}: {m}");
            assert!(s >= prev_end, "{what}: mappings sorted and disjoint: {m}");
            assert!(s >= 0x10000 && e <= window_end, "{what}: {m} outside the window");
            if m["file_offset"].is_null() && u(&m["file_bytes"]) > 0 {
                assert_eq!(e - s, 4096, "{what}: a shared page is one page: {m}");
            }
            prev_end = e;
            ranges.push((s, e));
        }
    }
    let stack = &p["stack"];
    let (ss, se, top, sp) = (u(&stack["start"]), u(&stack["end"]), u(&stack["top"]), u(&stack["sp"]));
    assert!(ss < sp && sp < top && top <= se && se <= window_end, "{what}: stack {stack}");
    assert_eq!(sp % 16, 0, "{what}: sp 16-byte aligned");
    for (s, e) in &ranges {
        assert!(*e <= ss || *s >= se, "{what}: image overlaps the stack");
    }
    assert_eq!(p["registers"]["sp"], stack["sp"]);
    assert_eq!(p["registers"]["pc"], p["entry"]);
    let interp = &p["interp_image"];
    assert_eq!(p["interp"].is_null(), interp.is_null(), "{what}");
    let entry = if interp.is_null() { &p["image"]["entry"] } else { &interp["entry"] };
    assert_eq!(&p["entry"], entry, "{what}: entry is the interpreter's when dynamic");
    assert_eq!(aux(p, "AT_PHDR"), Some(u(&p["image"]["phdr"])), "{what}");
    assert_eq!(aux(p, "AT_ENTRY"), Some(u(&p["image"]["entry"])), "{what}");
    assert_eq!(aux(p, "AT_BASE"), Some(if interp.is_null() { 0 } else { u(&interp["bias"]) }), "{what}");
    assert_eq!(aux(p, "AT_PHNUM"), Some(u(&p["header"]["phnum"])), "{what}");
    assert_eq!(aux(p, "AT_PAGESZ"), Some(4096), "{what}");
    for name in ["AT_RANDOM", "AT_EXECFN", "AT_PLATFORM"] {
        let a = aux(p, name).unwrap();
        assert!(sp < a && a < top, "{what}: {name} {a:#x} on the stack");
    }
    let mmap = &p["mmap"];
    assert!(u(&mmap["start"]) <= u(&mmap["end"]) && u(&mmap["end"]) <= window_end, "{what}: {mmap}");
    assert!(u(&p["brk"]) % 4096 == 0 && u(&p["brk"]) < window_end, "{what}");
    assert!(u(&p["memory"]["bytes"]) >= u(&p["memory"]["anonymous_bytes"]), "{what}");
    assert_eq!(p["program_headers"].as_array().unwrap().len() as u64, u(&p["header"]["phnum"]));
}

const LINUX_X86_64_END: u64 = 0x7fff_ffff_f000;

#[test]
fn every_output_matches_the_schema() {
    let mut x86 = 0;
    let mut other = 0;
    for f in sorted_files(&corpus()).iter().chain(&testdata()) {
        let root = sysroot(f);
        let plain = json(&["--root".as_ref(), root.as_os_str(), f.as_os_str()]);
        let mut v = json(&["--stats".as_ref(), "--root".as_ref(), root.as_os_str(), f.as_os_str()]);
        if let Some(obj) = v.as_object_mut().filter(|o| o.contains_key("stats")) {
            let mut without = obj.clone();
            without.remove("stats");
            assert_eq!(Value::Object(without), plain, "{}: --stats adds stats only", f.display());
        } else {
            assert_eq!(v, plain);
        }
        let v = v;
        match machine(f) {
            Some(EM_X86_64) => {
                assert!(v.get("error").is_none(), "{}: {v}", f.display());
                assert_eq!(v["abi"], "x86_64");
                assert!(u(&v["stats"]["read_calls"]) >= 1);
                check_plan(&v, LINUX_X86_64_END);
                x86 += 1;
            }
            Some(EM_AARCH64) => {
                assert!(v.get("error").is_none(), "{}: {v}", f.display());
                assert_eq!(v["abi"], "aarch64");
                other += 1;
            }
            Some(EM_MIPS) => {
                check_mips_default(f, &v);
                other += 1;
            }
            Some(EM_RISCV) => {
                assert!(v.get("error").is_none(), "{}: {v}", f.display());
                assert_eq!((v["abi"].as_str(), v["arch"]["mmu"].as_str()), (Some("riscv64"), Some("sv48")));
                assert_eq!(u(&v["stack"]["top"]), 1 << 47, "{}", f.display());
                other += 1;
            }
            Some(m) => panic!("{}: unexpected machine {m}", f.display()),
            None => assert_eq!(v["error"]["kind"], "bad_magic", "{}: {v}", f.display()),
        }
    }
    assert!(x86 >= 11, "only {x86} x86_64 corpus/testdata files");
    assert!(other >= 50, "only {other} aarch64/MIPS files");
    for f in host_programs() {
        let v = ok(&["--stats".as_ref(), f.as_os_str()]);
        check_plan(&v, LINUX_X86_64_END);
        // Text mode plans the same file with the same exit status.
        let out = execplan(&[&f]);
        assert_eq!(out.status.code(), Some(0), "{}", f.display());
        let text = String::from_utf8(out.stdout).unwrap();
        for key in
            ["program headers:", "program image:", "entry ", "brk ", "stack ", "mmap ", "AT_PHDR", "memory "]
        {
            assert!(text.contains(key), "{}: no {key:?} in\n{text}", f.display());
        }
    }
    // A non-ELF file, an empty file, an aarch64 file, explicit aarch64/mips policies.
    let s = Scratch::new("schema");
    let text = s.file("text", b"echo hello\n");
    let empty = s.file("empty", b"");
    assert_eq!(err(&[&text])["kind"], "bad_magic");
    assert_eq!(err(&[&empty])["kind"], "truncated");
    let aarch64 = corpus().join("hello-aarch64-glibc-dynpie");
    assert_eq!(machine(&aarch64), Some(EM_AARCH64));
    let a64 = aarch64.to_str().unwrap().to_string();
    let mips = corpus().join("hello-mips-n64-le-dyn").to_str().unwrap().to_string();
    // aarch64 has a policy: its files plan (interpreter under the glibc sysroot) and an
    // x86_64 file forced through it is the aarch64 policy's wrong_machine.
    for args in [
        vec!["--root", "/usr/aarch64-linux-gnu", &a64],
        vec!["--arch", "aarch64", "--root", "/usr/aarch64-linux-gnu", &a64],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_execplan")).arg("--json").args(&args).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["abi"], "aarch64", "{args:?}: {v}");
        assert_eq!(u(&v["image"]["bias"]), 0xaaaa_aaaa_0000);
    }
    assert_eq!(err(&["--arch", "aarch64", "/bin/ls"])["kind"], "wrong_machine");
    // MIPS too: auto and --arch mips plan the same; an x86_64 file is its wrong_machine.
    let root = "/usr/mips64el-linux-gnuabi64";
    let auto = ok(&["--root", root, &mips]);
    assert_eq!(auto, ok(&["--arch", "mips", "--root", root, &mips]));
    assert_eq!((auto["abi"].as_str(), auto["arch"]["abi"].as_str()), (Some("mips-n64"), Some("n64")));
    let e = err(&["--arch", "mips", "/bin/ls"]);
    assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some("wrong_machine"), ENOEXEC));
    // Forcing x86_64 on an aarch64 file: the x86_64 policy rejects it.
    let e = err(&["--arch".as_ref(), "x86_64".as_ref(), aarch64.as_os_str()]);
    assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some("wrong_machine"), ENOEXEC));
}

#[test]
fn scripts_are_followed_to_the_program_planned() {
    use std::os::unix::fs::PermissionsExt;
    let s = Scratch::new("scripts");
    let exe = |name: &str, bytes: &[u8]| {
        let p = s.file(name, bytes);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p.to_str().unwrap().to_string()
    };
    let inner = exe("inner", b"#!/bin/sh -e -x \necho\n");
    let outer = exe("outer", format!("#!{inner}\n").as_bytes());
    let v = ok(&[&outer, "a"]);
    let steps = v["scripts"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!((steps[0]["file"].as_str(), steps[0]["interpreter"].as_str()), (Some(&*outer), Some(&*inner)));
    assert_eq!(
        (steps[1]["interpreter"].as_str(), steps[1]["argument"].as_str()),
        (Some("/bin/sh"), Some("-e -x"))
    );
    assert_eq!(v["argv"], serde_json::json!(["/bin/sh", "-e -x", inner, outer, "a"]));
    // The plan is /bin/sh's, with AT_EXECFN the name given.
    let sh = ok(&["/bin/sh"]);
    assert_eq!(v["header"], sh["header"]);
    assert!(v["file"].as_str() == Some(&*outer) && v["interp"] == sh["interp"]);
    let text = String::from_utf8(execplan(&[&outer]).stdout).unwrap();
    assert!(text.contains(&format!("script      {outer}: #! \"{inner}\"\n")), "{text}");
    assert!(text.contains("program     /bin/sh\n"), "{text}");
    // Linux's errors: six scripts ELOOP, a cut path ENOEXEC, `#!` alone EACCES (the empty
    // name is the current directory), a missing interpreter ENOENT.
    let mut next = "/bin/sh".to_string();
    for k in (1..=6).rev() {
        next = exe(&format!("n{k}"), format!("#!{next}\n").as_bytes());
    }
    let e = err(&[&next]);
    assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some("script_too_deep"), 40));
    assert_eq!(ok(&[&s.0.join("n2")])["scripts"].as_array().unwrap().len(), 5);
    let cut = exe("cut", &[b"#!/".as_slice(), &[b'a'; 300]].concat());
    assert_eq!(err(&[&cut])["kind"], "script_truncated");
    let bare = exe("bare", b"#!");
    assert_eq!(u(&err(&[&bare])["errno"]), 13);
    let missing = exe("missing", b"#!/nonexistent\n");
    assert_eq!(
        (err(&[&missing])["kind"].as_str(), u(&err(&[&missing])["errno"])),
        (Some("script_interpreter_open_failed"), 2)
    );
}

#[test]
fn bin_ls_is_planned_like_linux() {
    let p = ok(&["/bin/ls"]);
    check_plan(&p, LINUX_X86_64_END);
    let bias = u(&p["image"]["bias"]);
    assert_eq!(bias, 0x5555_5555_4000);
    assert_eq!(bias, 93_824_992_231_424);
    assert_eq!(u(&p["image"]["phdr"]), bias + 0x40);
    assert_eq!(aux(&p, "AT_PHDR"), Some(bias + 0x40));
    assert_eq!(u(&p["stack"]["top"]), 0x7fff_ffff_f000);
    assert_eq!(u(&p["mmap"]["base"]), 0x7fff_f7ff_f000, "stack top - 128 MiB (minimum gap)");
    assert_eq!(p["mmap"]["top_down"], true);
    assert_eq!(p["interp"], "/lib64/ld-linux-x86-64.so.2");
    assert_eq!(p["header"]["type"], "DYN");
    assert_eq!(p["header"]["class"], "ELF64");
    assert_eq!(p["header"]["endian"], "little");
    assert_eq!(u(&p["header"]["machine"]), EM_X86_64 as u64);
    // The interpreter sits right under mmap_base.
    let maps = p["interp_image"]["mappings"].as_array().unwrap();
    assert_eq!(maps.last().unwrap()["end"], p["mmap"]["base"]);
    assert_eq!(p["mmap"]["end"], p["interp_image"]["bias"]);
    // Linux's auxv order on x86_64 without a vDSO or AT_MINSIGSTKSZ.
    let names: Vec<&str> =
        p["auxv"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "AT_HWCAP",
            "AT_PAGESZ",
            "AT_CLKTCK",
            "AT_PHDR",
            "AT_PHENT",
            "AT_PHNUM",
            "AT_BASE",
            "AT_FLAGS",
            "AT_ENTRY",
            "AT_UID",
            "AT_EUID",
            "AT_GID",
            "AT_EGID",
            "AT_SECURE",
            "AT_RANDOM",
            "AT_HWCAP2",
            "AT_EXECFN",
            "AT_PLATFORM"
        ]
    );
    // Stats: the header and program headers in one read; a few more with the interpreter.
    let p = ok(&["--stats", "/bin/ls"]);
    let calls = u(&p["stats"]["read_calls"]);
    assert!((2..=6).contains(&calls), "{calls} reads");
    assert!(u(&p["stats"]["bytes_read"]) < 64 << 10, "prepare reads headers, not segments");
    assert!(p.get("stats").is_some() && ok(&["/bin/ls"]).get("stats").is_none());
    let text = String::from_utf8(execplan(&["--stats", "/bin/ls"]).stdout).unwrap();
    assert!(text.contains(&format!("reads       {calls} read_at calls")), "{text}");
    // The interpreter's reads are counted too: a static program needs fewer.
    let static_stats = ok(&["--stats".as_ref(), corpus().join("hello-x86_64-glibc-static").as_os_str()]);
    assert!(u(&static_stats["stats"]["read_calls"]) < calls, "{}", static_stats["stats"]);
    // Static and static-pie corpus programs.
    let static_exe = ok(&[corpus().join("hello-x86_64-glibc-static")]);
    assert!(static_exe["interp"].is_null() && static_exe["interp_image"].is_null());
    assert_eq!(u(&static_exe["image"]["bias"]), 0);
    let spie = ok(&[corpus().join("hello-x86_64-glibc-staticpie")]);
    assert!(spie["interp"].is_null());
    assert_eq!(u(&spie["brk"]), 0x5555_5555_5000, "static-pie brk moves to ELF_ET_DYN_BASE");
    assert_eq!(aux(&spie, "AT_BASE"), Some(0));
}

#[test]
fn va_bits_give_a_smaller_consistent_layout() {
    let default = ok(&["/bin/ls"]);
    let top = 1u64 << 39;
    for f in [
        PathBuf::from("/bin/ls"),
        corpus().join("hello-x86_64-glibc-staticpie"),
        corpus().join("hello-x86_64-glibc-static"),
    ] {
        let p = ok(&["--va-bits".as_ref(), "39".as_ref(), f.as_os_str()]);
        check_plan(&p, top);
        assert_eq!(u(&p["stack"]["top"]), top);
        for key in ["base", "start", "end"] {
            assert!(u(&p["mmap"][key]) < top, "{}: mmap {key}", f.display());
        }
        for e in p["auxv"].as_array().unwrap() {
            if ["AT_PHDR", "AT_BASE", "AT_ENTRY", "AT_RANDOM", "AT_EXECFN", "AT_PLATFORM"]
                .contains(&e["name"].as_str().unwrap())
            {
                assert!(u(&e["value"]) < top, "{e}");
            }
        }
        assert!(u(&p["brk"]) < top && u(&p["entry"]) < top);
    }
    let small = ok(&["--va-bits", "39", "/bin/ls"]);
    let bias = u(&small["image"]["bias"]);
    assert_eq!(bias, (top / 3 * 2) & !0xfff, "ET_DYN base at two thirds of the window");
    assert!(bias < u(&default["image"]["bias"]));
    let ibias = u(&small["interp_image"]["bias"]);
    assert!(
        bias < ibias
            && ibias < u(&small["mmap"]["base"])
            && u(&small["mmap"]["base"]) < u(&small["stack"]["start"])
    );
    // Text mode shows the mmap area.
    let text = String::from_utf8(execplan(&["--va-bits", "39", "/bin/ls"]).stdout).unwrap();
    assert!(text.contains(&format!("mmap        base {:#x}", u(&small["mmap"]["base"]))), "{text}");
    // Every window: a consistent plan or a clean rejection, never a crash.
    let mut planned = 0;
    for bits in 12..=56 {
        let v = json(&["--va-bits".to_string(), bits.to_string(), "/bin/ls".to_string()]);
        if v.get("error").is_none() {
            check_plan(&v, 1 << bits);
            planned += 1;
        }
    }
    assert!(planned >= 20, "{planned} windows planned");
    assert_eq!(err(&["--va-bits", "57", "/bin/ls"])["kind"], "invalid_parameter");
}

#[test]
fn unlimited_stack_rlimit_layout() {
    // x86_64 (arch/x86/mm/mmap.c): mmap_is_legacy() ignores RLIMIT_STACK, so an unlimited
    // stack keeps the top-down layout with the gap clamped to 5/6 of the address space
    // (the host kernel does the same: `ulimit -s unlimited; setarch -R cat /proc/self/maps`
    // shows ld.so ending at 0x155555556000).
    let p = ok(&["--stack-rlimit", "unlimited", "/bin/ls"]);
    check_plan(&p, LINUX_X86_64_END);
    let base = u(&p["mmap"]["base"]);
    assert_eq!(base, 0x1555_5555_6000);
    assert_eq!(base, (LINUX_X86_64_END - LINUX_X86_64_END / 6 * 5 + 0xfff) & !0xfff);
    assert_eq!(p["mmap"]["top_down"], true);
    let maps = p["interp_image"]["mappings"].as_array().unwrap();
    assert_eq!(u(&maps.last().unwrap()["end"]), base, "interpreter right under mmap_base");
    assert_eq!(u(&p["image"]["bias"]), 0x5555_5555_4000, "the program does not move");
    // A finite huge rlimit clamps the same way.
    let huge = ok(&["--stack-rlimit", "0x7fffffffffff", "/bin/ls"]);
    assert_eq!(huge["mmap"]["base"], p["mmap"]["base"]);
    // A 64 MiB rlimit: mmap_base = stack top - 128 MiB (minimum gap); 1 GiB: top - (1 GiB + guard gap).
    assert_eq!(u(&ok(&["--stack-rlimit", "67108864", "/bin/ls"])["mmap"]["base"]), 0x7fff_f7ff_f000);
    assert_eq!(
        u(&ok(&["--stack-rlimit", "1073741824", "/bin/ls"])["mmap"]["base"]),
        LINUX_X86_64_END - (1 << 30) - (256 << 12)
    );
}

#[test]
fn legacy_layout_where_the_arch_uses_it() {
    // The generic mmap_is_legacy() (arm64, MIPS) switches to the bottom-up layout on an
    // unlimited stack: the interpreter goes at or above the legacy base. Checked for every
    // dynamic aarch64/MIPS corpus program a policy plans (the rejections are the designed
    // MIPS ones, checked in every_output_matches_the_schema).
    let mut planned = 0;
    for f in sorted_files(&corpus()) {
        if !matches!(machine(&f), Some(EM_AARCH64 | EM_MIPS)) {
            continue;
        }
        let root = sysroot(&f);
        let v = json(&[
            "--stack-rlimit".as_ref(),
            "unlimited".as_ref(),
            "--root".as_ref(),
            root.as_os_str(),
            f.as_os_str(),
        ]);
        if let Some(e) = v.get("error") {
            assert!(e["kind"].as_str().unwrap().starts_with("mips_"), "{}: {v}", f.display());
            continue;
        }
        if v["interp_image"].is_null() {
            continue;
        }
        assert_eq!(v["mmap"]["top_down"], false, "{}", f.display());
        assert!(u(&v["interp_image"]["bias"]) >= u(&v["mmap"]["base"]), "{}: {}", f.display(), v["mmap"]);
        planned += 1;
    }
    assert!(planned >= 40, "legacy layout checked on only {planned} planned files");
}

#[test]
fn env_argv0_and_args_change_the_stack() {
    let plain = ok(&["/bin/ls"]);
    let sp = |v: &Value| u(&v["stack"]["sp"]);
    let env1 = ok(&["--env", "HOME=/root", "/bin/ls"]);
    let long = "X=".to_string() + &"y".repeat(200);
    let env2 = ok(&["--env", "HOME=/root", "--env", &long, "/bin/ls"]);
    assert!(sp(&env1) < sp(&plain), "an environment string moves sp down");
    assert!(sp(&env2) + 200 <= sp(&env1), "a longer environment moves it further");
    let argv0 = ok(&["--argv0", &"a".repeat(100), "/bin/ls"]);
    assert!(sp(&argv0) + 64 <= sp(&plain), "argv0 of 100 bytes vs 7");
    let args = ok(&["/bin/ls", "-l", "--color=never", &"z".repeat(64)]);
    assert!(sp(&args) + 64 <= sp(&plain), "ARGS are on the stack");
    // AT_EXECFN is the FILE name at the top of the stack whatever argv0 says.
    for v in [&env1, &env2, &argv0, &args] {
        assert_eq!(aux(v, "AT_EXECFN"), aux(&plain, "AT_EXECFN"));
        assert!(aux(v, "AT_RANDOM") <= aux(&plain, "AT_RANDOM"));
        assert_eq!(v["image"], plain["image"], "the images do not move");
    }
    // Same inputs, same plan.
    assert_eq!(ok(&["--env", "HOME=/root", "/bin/ls"]), env1);
    // Arguments beyond the rlimit-derived limit (128 KiB minimum): E2BIG.
    let big = "B=".to_string() + &"b".repeat(60_000);
    let e = err(&["--stack-rlimit", "65536", "--env", &big, "--env", &big, "--env", &big, "/bin/ls"]);
    assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some("arguments_too_large"), E2BIG));
    ok(&["--env", &big, "--env", &big, "--env", &big, "/bin/ls"]);
}

#[test]
fn seed_turns_randomisation_on_deterministically() {
    let plain = ok(&["/bin/ls"]);
    let seeded = ok(&["--seed", "7", "/bin/ls"]);
    check_plan(&seeded, LINUX_X86_64_END);
    assert_ne!(seeded["image"]["bias"], plain["image"]["bias"], "--seed randomises the PIE base");
    assert_ne!(seeded["stack"]["top"], plain["stack"]["top"], "and the stack top");
    assert_eq!(ok(&["--seed", "7", "/bin/ls"]), seeded, "same seed, same plan");
    assert_ne!(ok(&["--seed", "8", "/bin/ls"])["image"]["bias"], seeded["image"]["bias"]);
    let zero = ok(&["--seed", "0", "/bin/ls"]);
    assert_ne!(zero["image"]["bias"], plain["image"]["bias"], "seed 0 is a seed too");
}

#[test]
fn root_is_where_the_interpreter_is_found() {
    let s = Scratch::new("root");
    std::fs::create_dir_all(s.0.join("lib64")).unwrap();
    let real = std::fs::read("/lib64/ld-linux-x86-64.so.2").unwrap();
    s.file("lib64/ld-linux-x86-64.so.2", &real);
    let root = s.0.to_str().unwrap();
    let with_root = ok(&["--root", root, "/bin/ls"]);
    assert_eq!(with_root, ok(&["/bin/ls"]), "same interpreter bytes, same plan");
    let empty = Scratch::new("root-empty");
    let e = err(&["--root", empty.0.to_str().unwrap(), "/bin/ls"]);
    assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some("interpreter_open_failed"), 2));
    // An interpreter that is not ELF: ELIBBAD; shorter than an ELF header: EIO (Linux's
    // elf_read of the header comes first).
    s.file("lib64/ld-linux-x86-64.so.2", &b"not an interpreter at all, just text\n".repeat(3));
    let e = err(&["--root", root, "/bin/ls"]);
    assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some("interpreter_not_elf"), 80));
    s.file("lib64/ld-linux-x86-64.so.2", b"not an interpreter at all, just text\n");
    let e = err(&["--root", root, "/bin/ls"]);
    assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some("short_read"), 5));
    // Not executable, or a directory: EACCES, as open_exec.
    use std::os::unix::fs::PermissionsExt;
    let ld = s.0.join("lib64/ld-linux-x86-64.so.2");
    std::fs::set_permissions(&ld, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = err(&["--root", root, "/bin/ls"]);
    assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some("interpreter_open_failed"), 13));
    std::fs::remove_file(&ld).unwrap();
    std::fs::create_dir(&ld).unwrap();
    let e = err(&["--root", root, "/bin/ls"]);
    assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some("interpreter_open_failed"), 13));
    std::fs::remove_dir(&ld).unwrap();
    // A truncated interpreter (its program headers cut: Linux's load_elf_phdrs, ELIBBAD):
    // the message says which file.
    s.file("lib64/ld-linux-x86-64.so.2", &real[..100]);
    let e = err(&["--root", root, "/bin/ls"]);
    assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some("interpreter_not_elf"), 80));
    assert!(e["message"].as_str().unwrap().starts_with("interpreter "), "{e}");
}

#[test]
fn bad_inputs_are_clean_errors() {
    let s = Scratch::new("bad");
    let ls = std::fs::read("/bin/ls").unwrap();
    let garbage = s.file("garbage", b"\x7fELF\x02\x01\x01garbage");
    let random: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let noise = s.file("noise", &random);
    for (f, kind, errno) in [
        (s.file("empty", b""), "truncated", ENOEXEC),
        (garbage, "truncated", ENOEXEC),
        (noise, "bad_magic", ENOEXEC),
        (s.file("cut", &ls[..300]), "program_header_table_outside_file", ENOEXEC),
        (PathBuf::from("/nonexistent/file"), "open_failed", 2),
        (s.0.clone(), "not_regular_file", 13),
        (PathBuf::from("/dev/null"), "not_regular_file", 13),
    ] {
        let e = err(&[&f]);
        assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some(kind), errno), "{}", f.display());
    }
    // Every truncation of /bin/ls's headers, and of the whole file at a few points.
    for len in (0..=1024).step_by(7).chain([4095, 4096, 20_000, ls.len() / 2, ls.len() - 1]) {
        let f = s.file("trunc", &ls[..len.min(ls.len())]);
        let v = json(&[&f]);
        if len < 64 {
            assert!(v.get("error").is_some(), "{len}");
        }
    }
    // Text mode: the same stderr line, nothing on stdout.
    let out = execplan(&["/nonexistent/file"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "execplan: /nonexistent/file: No such file or directory (ENOENT)\n"
    );
    // A file name that is not UTF-8 is planned like any other.
    let odd = s.0.join(std::ffi::OsStr::from_bytes(b"ls-\xff\xfe"));
    std::fs::write(&odd, &ls).unwrap();
    let v = ok(&[&odd]);
    assert!(v["file"].as_str().unwrap().ends_with("ls-\u{fffd}\u{fffd}"));
}

#[test]
fn mutated_headers_never_crash() {
    let s = Scratch::new("mutate");
    let ls = std::fs::read("/bin/ls").unwrap();
    let table_end = 64 + 13 * 56;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut planned, mut rejected) = (0, 0);
    for _ in 0..150 {
        let mut b = ls.clone();
        for _ in 0..1 + next() % 3 {
            let at = (next() % table_end) as usize;
            b[at] = match next() % 4 {
                0 => 0,
                1 => 0xff,
                2 => b[at] ^ (1 << (next() % 8)),
                _ => next() as u8,
            };
        }
        let f = s.file("m", &b);
        let v = json(&[&f]);
        if v.get("error").is_some() {
            rejected += 1;
        } else {
            check_plan(&v, LINUX_X86_64_END);
            planned += 1;
        }
    }
    assert!(planned > 0 && rejected > 0, "{planned} planned, {rejected} rejected");
}

/// riscv64 files plan by detection and with `--arch riscv64`, for each MMU mode; the
/// e_flags are decoded (JSON and text, PT_RISCV_ATTRIBUTES named as on RISC-V), the
/// hardened profile refuses what `--isa` lacks, an x86_64 file is the policy's
/// wrong_machine.
#[test]
fn riscv64_files_plan_with_their_flags() {
    let root = "/usr/riscv64-linux-gnu";
    let dyn_pie = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/bin/riscv64-dyn-pie");
    let f = dyn_pie.to_str().unwrap();
    let auto = ok(&["--root", root, f]);
    assert_eq!(auto, ok(&["--arch", "riscv64", "--root", root, f]));
    assert_eq!(
        auto,
        ok(&["--mmu", "sv48", "--isa", "rv64gc", "--riscv-profile", "linux", "--root", root, f])
    );
    let a = &auto["arch"];
    assert_eq!(a["flags"], json!({"raw": 5, "rvc": true, "float_abi": "double", "rve": false, "tso": false}));
    assert_eq!(a["interp_flags"]["float_abi"], "double");
    assert_eq!((a["cfi_lp"].as_bool(), a["cfi_ss"].as_bool()), (Some(false), Some(false)));
    assert_eq!(u(&auto["image"]["bias"]), 0x5555_5555_5000);
    assert_eq!(aux(&auto, "AT_HWCAP"), Some(0x112d));
    assert_eq!(aux(&auto, "AT_PLATFORM"), None);
    let types: Vec<&Value> = auto["program_headers"].as_array().unwrap().iter().map(|p| &p["type"]).collect();
    assert!(types.contains(&&json!("RISCV_ATTRIBUTES")), "{types:?}");
    assert!(!types.contains(&&json!("MIPS_ABIFLAGS")), "{types:?}");
    for (mmu, top, bias) in [("sv39", 0x40_0000_0000, 0x2a_aaaa_a000), ("sv57", 1 << 47, 0x5555_5555_5000)] {
        let v = ok(&["--mmu", mmu, "--root", root, f]);
        assert_eq!((u(&v["stack"]["top"]), u(&v["image"]["bias"])), (top, bias), "{mmu}");
        assert_eq!(v["arch"]["mmu"], mmu);
    }
    assert_eq!(aux(&ok(&["--isa", "rv64imafdcv", "--root", root, f]), "AT_HWCAP"), Some(0x112d | 1 << 21));
    let text = String::from_utf8(execplan(&["--root", root, f]).stdout).unwrap();
    assert!(text.contains("EM_RISCV (243), flags 0x5 (RVC, double-float ABI)"), "{text}");
    assert!(text.contains("RISCV_ATTRIBUTES"), "{text}");
    let e = err(&["--riscv-profile", "hardened", "--isa", "rv64imafd", "--root", root, f]);
    assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some("riscv_isa_missing"), ENOEXEC));
    ok(&["--riscv-profile", "hardened", "--isa", "rv64imafdc", "--root", root, f]);
    let e = err(&["--arch", "riscv64", "/bin/ls"]);
    assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some("wrong_machine"), ENOEXEC));
    let e = err(&["--arch", "riscv64", "--page-size", "65536", f]);
    assert_eq!(e["kind"], "invalid_parameter");
}

/// `--linux-version` takes the stable sublevel: 6.1.y took 6.7's elf_load in 6.1.140, so
/// a PT_LOAD with p_filesz 0, an unaligned p_vaddr and an incongruent p_offset is refused
/// (EINVAL) by 6.1 and 6.1.139 and planned by 6.1.140 and 6.1.192, as by 6.18.
#[test]
fn linux_version_takes_the_sublevel() {
    let f = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/malformed/offset-incongruent-filesz-0-unaligned");
    let f = f.to_str().unwrap();
    for v in ["6.1", "6.1.139"] {
        let e = err(&["--linux-version", v, f]);
        assert_eq!(e["errno_name"], "EINVAL", "{v}: {e}");
    }
    for v in ["6.1.140", "6.1.192", "6.18"] {
        ok(&["--linux-version", v, f]);
    }
    for bad in ["6", "6.1.x", "6.1.192.1", "6.1.0-57-arm64"] {
        let out = execplan(&["--linux-version", bad, f]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["--bogus", "/bin/ls"],
        &["--json"],
        &["--arch", "riscv", "/bin/ls"],
        &["--mmu", "sv40", "/bin/ls"],
        &["--isa", "rv64+gc", "/bin/ls"],
        &["--riscv-profile", "strict", "/bin/ls"],
        &["--stack-rlimit", "lots", "/bin/ls"],
        &["--page-size", "1000", "/bin/ls"],
        &["--va-bits", "99", "/bin/ls"],
        &["--env", "NOEQUALS", "/bin/ls"],
        &["--seed"],
    ] {
        let out = execplan(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("execplan: ") && stderr.contains("usage: execplan"), "{stderr}");
    }
    let help = execplan(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("--va-bits"));
    // A page size x86_64 does not have is a rejection (exit 1), not a usage error.
    let e = err(&["--page-size", "16384", "/bin/ls"]);
    assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some("invalid_parameter"), 22));
    ok(&["--page-size", "4096", "/bin/ls"]);
}

#[test]
fn the_schema_rejects_what_it_should() {
    let good = ok(&["/bin/ls"]);
    let good_err = json(&["/nonexistent/file"]);
    assert!(validator().is_valid(&good) && validator().is_valid(&good_err));
    type Mutation = Box<dyn Fn(&mut Value)>;
    let bad: Vec<(&str, Mutation)> = vec![
        ("missing auxv", Box::new(|v| drop(v.as_object_mut().unwrap().remove("auxv")))),
        ("unknown key", Box::new(|v| v["surprise"] = 1.into())),
        ("prot with BTI letter", Box::new(|v| v["image"]["mappings"][0]["prot"] = "r-xb".into())),
        ("negative address", Box::new(|v| v["entry"] = (-1).into())),
        ("address as a string", Box::new(|v| v["brk"] = "0x1000".into())),
        ("fractional number", Box::new(|v| v["stack"]["sp"] = 1.5.into())),
        ("endian", Box::new(|v| v["header"]["endian"] = "LE".into())),
        ("class", Box::new(|v| v["header"]["class"] = "ELF16".into())),
        ("type", Box::new(|v| v["header"]["type"] = "REL".into())),
        ("abi", Box::new(|v| v["abi"] = "sparc".into())),
        ("auxv name", Box::new(|v| v["auxv"][0]["name"] = "HWCAP".into())),
        (
            "mapping without bti",
            Box::new(|v| drop(v["image"]["mappings"][0].as_object_mut().unwrap().remove("bti"))),
        ),
        ("stats without bytes", Box::new(|v| v["stats"] = serde_json::json!({"read_calls": 1}))),
        (
            "plan and error",
            Box::new(|v| v["error"] = serde_json::json!({"kind": "x", "errno": 8, "message": "m"})),
        ),
    ];
    for (what, mutate) in bad {
        let mut v = good.clone();
        mutate(&mut v);
        assert!(!validator().is_valid(&v), "schema accepts {what}");
    }
    for (what, e) in [
        ("no errno", serde_json::json!({"error": {"kind": "x", "message": "m"}})),
        (
            "kind not snake_case",
            serde_json::json!({"error": {"kind": "BadMagic", "errno": 8, "message": "m"}}),
        ),
        ("errno 0", serde_json::json!({"error": {"kind": "x", "errno": 0, "message": "m"}})),
        ("empty message", serde_json::json!({"error": {"kind": "x", "errno": 8, "message": ""}})),
        ("extra key", serde_json::json!({"error": {"kind": "x", "errno": 8, "message": "m"}, "file": "f"})),
    ] {
        assert!(!validator().is_valid(&e), "schema accepts an error with {what}");
    }
}

#[test]
fn prepare_warnings_are_reported() {
    // A PT_PHDR that disagrees with the PT_LOAD covering e_phoff: Linux ignores PT_PHDR,
    // so the plan stands (AT_PHDR from the PT_LOAD) and the disagreement is a warning.
    let s = Scratch::new("warn");
    let mut b = test_support::elf::Image::read(Path::new("/bin/ls"));
    assert_eq!(b.phdr(0).kind, elf_stream::ProgramType::PHDR, "/bin/ls starts with PT_PHDR");
    b.set_phdr(0, test_support::elf::PhdrField::Vaddr, 0x80);
    let f = s.file("ls-bad-phdr", &b.bytes);
    let p = ok(&[&f]);
    assert_eq!(u(&p["image"]["phdr"]), 0x5555_5555_4040);
    let w = p["warnings"].as_array().unwrap();
    assert!(w.len() == 1 && w[0].as_str().unwrap().contains("PT_PHDR"), "{w:?}");
    assert!(ok(&["/bin/ls"])["warnings"].as_array().unwrap().is_empty());
    let text = String::from_utf8(execplan(&[&f]).stdout).unwrap();
    assert!(text.contains("warning     PT_PHDR disagrees"), "{text}");
}

/// The interpreter root of a corpus or fixture file, from its MANIFEST.tsv ("/" when none).
fn sysroot(f: &std::path::Path) -> std::path::PathBuf {
    let name = f.file_name().unwrap().to_str().unwrap();
    let dir = f.parent().unwrap();
    let (manifest, column) = if dir.ends_with("testdata/bin") {
        (dir.join("../MANIFEST.tsv"), 8)
    } else {
        (dir.join("MANIFEST.tsv"), 2)
    };
    let text = std::fs::read_to_string(manifest).unwrap_or_default();
    let root = text
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|f| f.first() == Some(&name))
        .and_then(|f| f.get(column).map(|s| s.to_string()))
        .filter(|r| r != "-")
        .unwrap_or_else(|| "/".into());
    root.into()
}

/// The MIPS ABI a file's name says (`o32`, `n32`, `n64`).
fn mips_abi_of(f: &Path) -> &'static str {
    let name = f.file_name().unwrap().to_str().unwrap();
    ["o32", "n32", "n64"].into_iter().find(|a| name.contains(a)).unwrap_or_else(|| panic!("{name}"))
}

/// What the default CPU (5KEf, ieee754=strict) makes of a MIPS file: arch-mips/README.md's
/// FP matrix — 2008-NaN and R6 programs ENOEXEC, n64 with an o32 FP ABI ELIBBAD (84),
/// everything else planned, with its ABI, in the window of that ABI.
fn check_mips_default(f: &Path, v: &Value) {
    let name = f.file_name().unwrap().to_str().unwrap();
    let expected_errno = if name.contains("fp64-bad") {
        Some((84, "ELIBBAD"))
    } else if name.contains("nan2008") || name.ends_with("-r6") {
        Some((ENOEXEC, "ENOEXEC"))
    } else {
        None
    };
    let abi = mips_abi_of(f);
    match (v.get("error"), expected_errno) {
        (Some(e), Some((errno, errno_name))) => {
            assert_eq!((u(&e["errno"]), e["errno_name"].as_str()), (errno, Some(errno_name)), "{name}: {e}")
        }
        (None, None) => {
            assert_eq!(v["abi"], format!("mips-{abi}"), "{name}");
            assert_eq!(v["arch"]["abi"], abi, "{name}");
            let fp_mode = v["arch"]["fp_mode"].as_str().unwrap();
            if abi != "o32" {
                assert_eq!(fp_mode, "FR1", "{name}: n32/n64 run FR1");
            }
            assert_eq!(v["arch"]["text_patch"], false, "{name}: 5KEf has no R5000 workaround");
            assert_eq!(v["arch"]["prefetch_fd"], false, "{name}");
            check_plan(v, if abi == "n64" { 1 << 40 } else { 0x7fff_8000 });
        }
        (got, want) => panic!("{name}: {got:?}, expected errno {want:?}"),
    }
}

/// `bytes` (a MIPS ELF) with its ODK_HWPATCH info replaced by `f(old)`.
fn with_hwpatch(bytes: &[u8], f: impl Fn(u32) -> u32) -> Vec<u8> {
    const ODK_HWPATCH: u8 = 4;
    let mut img = test_support::elf::Image::parse(bytes.to_vec());
    let old = img.mips_option_info(ODK_HWPATCH).expect("an ODK_HWPATCH record");
    img.set_mips_option_info(ODK_HWPATCH, f(old));
    img.bytes
}

#[test]
fn mips_options_files_report_their_records() {
    let files: Vec<PathBuf> = sorted_files(&corpus())
        .into_iter()
        .chain(testdata())
        .filter(|f| machine(f) == Some(EM_MIPS) && f.to_str().unwrap().contains("options"))
        .collect();
    assert!(files.len() >= 14, "{files:?}");
    for f in &files {
        let root = sysroot(f);
        let v = ok(&["--root".as_ref(), root.as_os_str(), f.as_os_str()]);
        let a = &v["arch"];
        assert_eq!(a["hwpatch"], 9, "{}: R4KEOP | R5KCVTL", f.display());
        let ex = &a["fp_exceptions"];
        if f.starts_with(corpus()) {
            // 0x11f18: PAGE0, FPU_MAX 0x1f, FPU_MIN 0x18.
            assert_eq!((u(&ex["info"]), u(&ex["enabled_mask"])), (0x11f18, 0x18), "{}", f.display());
            assert_eq!(
                (&ex["precise"], &ex["speculative"], &ex["page0"]),
                (&false.into(), &false.into(), &true.into())
            );
        } else {
            // The fixtures' 0x40f01: PRECISEFP, FPU_MAX 0xf, FPU_MIN 0x1.
            assert_eq!((u(&ex["info"]), u(&ex["enabled_mask"])), (0x40f01, 0x1), "{}", f.display());
            assert_eq!((&ex["precise"], &ex["page0"]), (&true.into(), &false.into()));
        }
        assert_eq!(u(&a["fcsr"]) & 0xf80, u(&ex["enabled_mask"]) << 7);
    }
    let plain = ok(&[corpus().join("tiny-mips-n64-le")]);
    assert!(plain["arch"]["hwpatch"].is_null() && plain["arch"]["fp_exceptions"]["info"].is_null());
}

#[test]
fn mips_cpu_os_strict_prefetch_isa_check_and_batch() {
    let s = Scratch::new("mips");
    let tiny = corpus().join("tiny-mips-n64-le");
    let t = tiny.to_str().unwrap();
    // The default CPU is 5KEf.
    assert_eq!(ok(&[t]), ok(&["--cpu", "5kef", t]));
    let help = String::from_utf8(execplan(&["--help"]).stdout).unwrap();
    assert!(help.contains("default 5kef"), "{help}");
    // The corpus is MIPS64r2: on the MIPS IV R5000 the ISA check (opt-in; Linux has none)
    // refuses it (EBADRQC, 54).
    let e = err(&["--cpu", "r5000", "--isa-check", "on", t]);
    assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some("mips_isa_unsupported"), 54));
    // Without it (the default): n64 text not marked clean is marked TEXT_PATCH ...
    let v = ok(&["--cpu", "r5000", t]);
    assert_eq!(v["arch"]["text_patch"], true);
    let maps = v["image"]["mappings"].as_array().unwrap();
    assert!(maps.iter().any(|m| m["text_patch"] == true && m["prot"] == "r-x"));
    assert!(maps.iter().all(|m| m["text_patch"] == false || m["prot"] == "r-x"));
    // ... unlike a clean one (HWPATCH 9), o32, or the same file with the clean bit cleared.
    let clean = corpus().join("tiny-mips-n64-be-options");
    assert_eq!(
        ok(&["--cpu".as_ref(), "r5000".as_ref(), "--isa-check=off".as_ref(), clean.as_os_str()])["arch"]
            ["text_patch"],
        false
    );
    let o32 = corpus().join("tiny-mips-o32-le");
    assert_eq!(
        ok(&["--cpu".as_ref(), "r5000".as_ref(), "--isa-check=off".as_ref(), o32.as_os_str()])["arch"]
            ["text_patch"],
        false
    );
    let dirty = s.file("n64-be-dirty", &with_hwpatch(&std::fs::read(&clean).unwrap(), |_| 0x1));
    let v = ok(&["--cpu".as_ref(), "r5000".as_ref(), "--isa-check=off".as_ref(), dirty.as_os_str()]);
    assert_eq!((v["arch"]["text_patch"].clone(), u(&v["arch"]["hwpatch"])), (true.into(), 1));

    // R8000: a static program with OHW_R8KPFETCH is EBADRQC unless --strict-prefetch off.
    let pfetch = s.file("n64-be-pfetch", &with_hwpatch(&std::fs::read(&clean).unwrap(), |w| w | 0x2));
    let p = pfetch.to_str().unwrap();
    let e = err(&["--cpu", "r8000", "--isa-check", "off", p]);
    assert_eq!((e["kind"].as_str(), u(&e["errno"])), (Some("mips_r8000_prefetch"), 54));
    let e = err(&["--cpu", "r8000", "--isa-check", "off", "--os", "irix", p]);
    assert_eq!(u(&e["errno"]), 54, "IRIX's EBADRQC too");
    let v = ok(&["--cpu", "r8000", "--isa-check", "off", "--strict-prefetch", "off", p]);
    assert_eq!(
        (v["arch"]["prefetch_warning"].clone(), v["arch"]["prefetch_fd"].clone()),
        (true.into(), false.into())
    );
    assert!(!v["warnings"].as_array().unwrap().is_empty());
    assert_eq!(
        ok(&["--cpu", "r5000", "--isa-check", "off", p])["arch"]["prefetch_warning"],
        false,
        "R8000 only"
    );
    // A dynamic one gets AT_PFETCHFD (the kernel's descriptor; execplan shows the placeholder).
    let dynamic = corpus().join("probe-mips-n64-be-dynpie-options");
    let dyn_pf = s.file("dyn-pfetch", &with_hwpatch(&std::fs::read(&dynamic).unwrap(), |w| w | 0x2));
    let root = "/usr/mips64-linux-gnuabi64";
    let v = ok(&["--cpu", "r8000", "--isa-check", "off", "--root", root, dyn_pf.to_str().unwrap()]);
    assert_eq!(v["arch"]["prefetch_fd"], true);
    assert_eq!(v["auxv"].as_array().unwrap().last().unwrap()["type"], 100);

    // --os irix: IRIX's short auxv for a dynamic program, none for a static one.
    let dynpie = corpus().join("hello-mips-n64-le-dynpie");
    let d = dynpie.to_str().unwrap();
    let root = "/usr/mips64el-linux-gnuabi64";
    let linux = ok(&["--root", root, d]);
    let irix = ok(&["--os", "irix", "--root", root, d]);
    let names = |v: &Value| {
        v["auxv"].as_array().unwrap().iter().map(|e| e["type"].as_u64().unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(names(&irix), [3, 4, 5, 9, 7, 6], "AT_PHDR PHENT PHNUM ENTRY BASE PAGESZ");
    assert!(names(&linux).len() > 15);
    assert_eq!(aux(&irix, "AT_BASE"), Some(u(&irix["interp_image"]["bias"]) & !0xffff));
    assert_eq!(aux(&irix, "AT_PHDR"), aux(&linux, "AT_PHDR"));
    assert!(ok(&["--os", "irix", t])["auxv"].as_array().unwrap().is_empty());

    // --batch reserves the memory requirement.
    let v = ok(&["--batch", t]);
    assert_eq!(u(&v["memory"]["reserved_bytes"]), u(&v["memory"]["bytes"]));
    assert_eq!(u(&ok(&[t])["memory"]["reserved_bytes"]), 0);
}

#[test]
fn stats_stack_use_does_not_grow_with_the_file() {
    // Dynamic PIEs from 16 KiB to over 1 MiB: the same code path, so the same stack high-water
    // for each entry point, while the eager load's reads grow with the bytes (one per 256-byte
    // bounce buffer: the fallback path `--stats` measures).
    let files = [
        corpus().join("hello-x86_64-glibc-dynpie"),
        PathBuf::from("/usr/bin/ls"),
        PathBuf::from("/usr/bin/bash"),
    ];
    let stats: Vec<Value> =
        files.iter().map(|f| ok(&["--stats".as_ref(), f.as_os_str()])["stats"].clone()).collect();
    for (f, s) in files.iter().zip(&stats) {
        assert_eq!(s["stack"], stats[0]["stack"], "{}", f.display());
        assert_eq!(u(&s["stack"]["path_buffer"]), 4096, "{}: has PT_INTERP", f.display());
        assert!(u(&s["stack"]["prepare"]) > 1024 && u(&s["stack"]["load"]) > 512, "{}: {s}", f.display());
        let (calls, bytes) = (u(&s["load_read_calls"]), u(&s["load_bytes_read"]));
        assert!(calls >= bytes / 256 && bytes > 0, "{}: {calls} reads for {bytes} bytes", f.display());
    }
    assert!(u(&stats[2]["load_bytes_read"]) > 4 * u(&stats[0]["load_bytes_read"]));
    // A static program holds no interpreter path.
    let s = &ok(&["--stats".as_ref(), corpus().join("hello-x86_64-glibc-static").as_os_str()])["stats"];
    assert_eq!(u(&s["stack"]["path_buffer"]), 0);
}
