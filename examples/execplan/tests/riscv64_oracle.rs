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

mod json_oracle;

#[test]
fn execplan_json_equals_the_riscv64_kernel_for_every_riscv64_program() {
    let progs = common::programs();
    assert!(progs.len() >= 7, "only {} riscv64 programs", progs.len());
    let refs: Vec<&common::Program> = progs.iter().collect();
    let auxv: Vec<(&str, u64)> = json_oracle::AUXV.into_iter().chain([("AT_HWCAP", 16)]).collect();
    let mut bad = Vec::new();
    for (mmu, name) in [(arch_riscv64::Mmu::Sv48, "sv48"), (arch_riscv64::Mmu::Sv39, "sv39")] {
        let seen = common::oracle(common::Boot { mmu }, &refs);
        for p in &progs {
            let o = &seen[&p.name];
            assert_eq!(o.errno, None, "{}: the kernel refused it", p.name);
            let execfn = common::guest_path(p);
            let args = ["--arch", "riscv64", "--mmu", name, "--isa", "rv64imafdch", "--page-size", "4096"];
            let v = json_oracle::plan_json(&args, common::ENV, &execfn, &p.root, &p.path);
            for d in json_oracle::differences(&v, o, &auxv, &execfn, p.interp.as_deref()) {
                bad.push(format!("{} ({name}): {d}", p.name));
            }
        }
    }
    assert!(bad.is_empty(), "{} differences:\n{}", bad.len(), bad.join("\n"));
}
