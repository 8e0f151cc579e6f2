//! What the oracle tests share: execplan's JSON plan for a program run as the oracle runs
//! it, and its differences from what the real kernel showed at the program's first
//! instruction.

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use test_support::sysoracle::Observed;

/// How the oracle ran a program: its argv[0] in the guest and its one environment string.
pub struct Guest<'a> {
    pub argv0: &'a str,
    pub env: &'a str,
}

/// `execplan --json` with the architecture's options `args` for `path` (interpreter under
/// `root`), as `guest` ran it with an 8 MiB stack rlimit.
pub fn plan_json(args: &[&str], guest: &Guest, root: &Path, path: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_execplan"))
        .arg("--json")
        .args(args)
        .args(["--stack-rlimit", "8388608", "--env", guest.env, "--argv0", guest.argv0])
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

/// Where plan `v` differs from the kernel's observation `o`, one line each starting with
/// `label`: the auxv entries `auxv` (name, type), start_brk, the stack top, the program's
/// mappings (the kernel's at `argv0`) and the interpreter's (at `interp`).
pub fn differences(
    label: &str,
    v: &Value,
    o: &Observed,
    auxv: &[(&str, u64)],
    argv0: &str,
    interp: Option<&str>,
) -> Vec<String> {
    let mut bad = Vec::new();
    let aux = |t: u64| {
        v["auxv"].as_array().unwrap().iter().find(|e| e["type"] == t).map(|e| e["value"].as_u64().unwrap())
    };
    let mut eq = |what: &str, ours: Option<u64>, theirs: Option<u64>| {
        if ours != theirs {
            bad.push(format!("{label}: {what} {ours:x?}, kernel {theirs:x?}"));
        }
    };
    for &(name, t) in auxv {
        eq(name, aux(t), o.aux(t));
    }
    eq("start_brk", v["brk"].as_u64(), o.stat.get("start_brk").copied());
    eq("stack top", v["stack"]["top"].as_u64(), Some(o.stack_top));
    let main = ranges(&v["image"]);
    if main != test_support::maps::observed_image(&o.maps, argv0) {
        bad.push(format!("{label}: program mappings {main:x?}\n  kernel {:x?}", o.maps));
    }
    if let Some(interp) = interp {
        let ld = ranges(&v["interp_image"]);
        if ld != test_support::maps::observed_image(&o.maps, interp) {
            bad.push(format!("{label}: interpreter mappings {ld:x?}\n  kernel {:x?}", o.maps));
        }
    }
    bad
}

/// The auxv entries every oracle test compares.
pub const AUXV: [(&str, u64); 5] =
    [("AT_PHDR", 3), ("AT_PHENT", 4), ("AT_PHNUM", 5), ("AT_BASE", 7), ("AT_ENTRY", 9)];
