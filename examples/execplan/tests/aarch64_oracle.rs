//! `execplan --arch aarch64 --json` against the real arm64 kernel: for every aarch64
//! program of the shared corpus and of the fixtures, run as the oracle runs it (argv
//! "/t/<name>", env "ORACLE=1", 48-bit VA, 4 KiB pages, 8 MiB stack rlimit, ASLR off),
//! the printed plan equals what Linux 6.1 did at the program's first instruction:
//! AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE, AT_ENTRY, start_brk, stack top and the
//! program's and interpreter's mappings. (Not sp: the kernel adds AT_SYSINFO_EHDR for its
//! vDSO, which execplan does not map; arch-aarch64's oracle test plans with it and
//! matches sp and the whole stack.) The kernel's answers come from
//! `../shared/sysoracle` through arch-aarch64's oracle module (cached; one boot when cold).
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

#[path = "../../../arch-aarch64/tests/common/mod.rs"]
mod common;

use serde_json::Value;
use std::process::Command;

fn plan_json(p: &common::Program) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_execplan"))
        .args(["--json", "--arch", "aarch64", "--va-bits", "48", "--page-size", "4096"])
        .args(["--stack-rlimit", "8388608", "--env", common::ENV, "--argv0", &common::guest_path(p)])
        .arg("--root")
        .arg(&p.root)
        .arg(&p.path)
        .output()
        .expect("run execplan");
    assert!(out.status.success(), "{}: {}", p.name, String::from_utf8_lossy(&out.stdout));
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

#[test]
fn execplan_json_equals_the_arm64_kernel_for_every_aarch64_program() {
    let progs: Vec<common::Program> = common::programs().into_iter().filter(|p| !p.big_endian).collect();
    let corpus = progs.iter().filter(|p| p.path.starts_with(test_support::corpus::corpus_bin())).count();
    assert!(corpus >= 16, "only {corpus} aarch64 corpus programs");
    let refs: Vec<&common::Program> = progs.iter().collect();
    let seen = common::oracle(common::A57, &refs);
    let mut bad = Vec::new();
    for p in &progs {
        let o = &seen[&p.name];
        assert_eq!(o.errno, None, "{}: the kernel refused it", p.name);
        let v = plan_json(p);
        let aux = |t: u64| {
            v["auxv"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["type"] == t)
                .map(|e| e["value"].as_u64().unwrap())
        };
        let mut eq = |what: &str, ours: Option<u64>, theirs: Option<u64>| {
            if ours != theirs {
                bad.push(format!("{}: {what} {ours:x?}, kernel {theirs:x?}", p.name));
            }
        };
        for (name, t) in [("AT_PHDR", 3), ("AT_PHENT", 4), ("AT_PHNUM", 5), ("AT_BASE", 7), ("AT_ENTRY", 9)] {
            eq(name, aux(t), o.aux(t));
        }
        eq("start_brk", v["brk"].as_u64(), o.stat.get("start_brk").copied());
        eq("stack top", v["stack"]["top"].as_u64(), Some(o.stack_top));
        let main = ranges(&v["image"]);
        if main != test_support::maps::observed_image(&o.maps, &common::guest_path(p)) {
            bad.push(format!("{}: program mappings {main:x?}\n  kernel {:x?}", p.name, o.maps));
        }
        if let Some(interp) = &p.interp {
            let ld = ranges(&v["interp_image"]);
            if ld != test_support::maps::observed_image(&o.maps, interp) {
                bad.push(format!("{}: interpreter mappings {ld:x?}\n  kernel {:x?}", p.name, o.maps));
            }
        }
    }
    assert!(bad.is_empty(), "{} differences:\n{}", bad.len(), bad.join("\n"));
}
