//! Shared by the execplan oracle tests: running `execplan --json` the way a sysoracle
//! kernel ran a program, and comparing the printed plan with what the kernel did.

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use test_support::sysoracle::Observed;

/// The auxv entries compared on every architecture: AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE,
/// AT_ENTRY.
pub const AUXV: [(&str, u64); 5] =
    [("AT_PHDR", 3), ("AT_PHENT", 4), ("AT_PHNUM", 5), ("AT_BASE", 7), ("AT_ENTRY", 9)];

/// `execplan --json` with `args` (architecture, machine), an 8 MiB stack rlimit, the
/// oracle's environment and argv[0] `execfn`, interpreters under `root`, for `path`.
pub fn plan_json(args: &[&str], env: &str, execfn: &str, root: &Path, path: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_execplan"))
        .arg("--json")
        .args(args)
        .args(["--stack-rlimit", "8388608", "--env", env, "--argv0", execfn])
        .arg("--root")
        .arg(root)
        .arg(path)
        .output()
        .expect("run execplan");
    assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stdout));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn ranges(image: &Value) -> test_support::maps::Ranges {
    let maps = image["mappings"].as_array().unwrap();
    test_support::maps::merge(
        maps.iter()
            .map(|m| {
                (m["start"].as_u64().unwrap(), m["end"].as_u64().unwrap(), m["prot"].as_str().unwrap().into())
            })
            .collect(),
    )
}

/// Every difference between the printed plan `v` and what the kernel did in `o`: the
/// `auxv` entries named, start_brk, the stack top, and the program's (`execfn` in the
/// guest) and the interpreter's (`interp`) mappings.
pub fn differences(
    v: &Value,
    o: &Observed,
    auxv: &[(&str, u64)],
    execfn: &str,
    interp: Option<&str>,
) -> Vec<String> {
    let mut bad = Vec::new();
    let aux = |t: u64| {
        v["auxv"].as_array().unwrap().iter().find(|e| e["type"] == t).map(|e| e["value"].as_u64().unwrap())
    };
    let mut eq = |what: &str, ours: Option<u64>, theirs: Option<u64>| {
        if ours != theirs {
            bad.push(format!("{what} {ours:x?}, kernel {theirs:x?}"));
        }
    };
    for &(name, t) in auxv {
        eq(name, aux(t), o.aux(t));
    }
    eq("start_brk", v["brk"].as_u64(), o.stat.get("start_brk").copied());
    eq("stack top", v["stack"]["top"].as_u64(), Some(o.stack_top));
    let main = ranges(&v["image"]);
    if main != test_support::maps::observed_image(&o.maps, execfn) {
        bad.push(format!("program mappings {main:x?}\n  kernel {:x?}", o.maps));
    }
    if let Some(interp) = interp {
        let ld = ranges(&v["interp_image"]);
        if ld != test_support::maps::observed_image(&o.maps, interp) {
            bad.push(format!("interpreter mappings {ld:x?}\n  kernel {:x?}", o.maps));
        }
    }
    bad
}
