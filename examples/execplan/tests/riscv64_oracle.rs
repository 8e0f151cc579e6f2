//! `execplan --arch riscv64 --json` against the real riscv64 kernel: for every riscv64
//! program of the fixtures and of the shared corpus, run as the oracle runs it (argv
//! "/t/<name>", env "ORACLE=1", 8 MiB stack rlimit, ASLR off), with `--mmu sv48` and
//! `--mmu sv39` for the kernel booted in those modes, the printed plan equals what Linux
//! 6.12 did at the program's first instruction: AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE,
//! AT_ENTRY, AT_HWCAP, start_brk, stack top and the program's and interpreter's mappings.
//! (Not sp: the kernel adds AT_SYSINFO_EHDR and rseq entries, which execplan does not
//! give; arch-riscv64's oracle test plans with them and matches sp and the whole stack.)
//! The kernel's answers come from `../shared/sysoracle` through arch-riscv64's oracle
//! module (cached; one boot per mode when cold).
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

#[path = "../../../arch-riscv64/tests/common/mod.rs"]
mod common;

use serde_json::Value;
use std::process::Command;

fn plan_json(p: &common::Program, mmu: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_execplan"))
        .args(["--json", "--arch", "riscv64", "--mmu", mmu, "--isa", "rv64imafdch", "--page-size", "4096"])
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
fn execplan_json_equals_the_riscv64_kernel_for_every_riscv64_program() {
    let progs = common::programs();
    assert!(progs.len() >= 7, "only {} riscv64 programs", progs.len());
    let refs: Vec<&common::Program> = progs.iter().collect();
    let mut bad = Vec::new();
    for (mmu, name) in [(arch_riscv64::Mmu::Sv48, "sv48"), (arch_riscv64::Mmu::Sv39, "sv39")] {
        let seen = common::oracle(common::Boot { mmu }, &refs);
        for p in &progs {
            let o = &seen[&p.name];
            assert_eq!(o.errno, None, "{}: the kernel refused it", p.name);
            let v = plan_json(p, name);
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
                    bad.push(format!("{} ({name}): {what} {ours:x?}, kernel {theirs:x?}", p.name));
                }
            };
            for (what, t) in [
                ("AT_PHDR", 3),
                ("AT_PHENT", 4),
                ("AT_PHNUM", 5),
                ("AT_BASE", 7),
                ("AT_ENTRY", 9),
                ("AT_HWCAP", 16),
            ] {
                eq(what, aux(t), o.aux(t));
            }
            eq("start_brk", v["brk"].as_u64(), o.stat.get("start_brk").copied());
            eq("stack top", v["stack"]["top"].as_u64(), Some(o.stack_top));
            let main = ranges(&v["image"]);
            if main != test_support::maps::observed_image(&o.maps, &common::guest_path(p)) {
                bad.push(format!("{} ({name}): program mappings {main:x?}\n  kernel {:x?}", p.name, o.maps));
            }
            if let Some(interp) = &p.interp {
                let ld = ranges(&v["interp_image"]);
                if ld != test_support::maps::observed_image(&o.maps, interp) {
                    bad.push(format!(
                        "{} ({name}): interpreter mappings {ld:x?}\n  kernel {:x?}",
                        p.name, o.maps
                    ));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{} differences:\n{}", bad.len(), bad.join("\n"));
}
