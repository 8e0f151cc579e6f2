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

mod json_oracle;

#[test]
fn execplan_json_equals_the_arm64_kernel_for_every_aarch64_program() {
    let progs: Vec<common::Program> =
        common::programs().into_iter().filter(|p| p.endian == test_support::elf::Endian::Little).collect();
    let corpus = progs.iter().filter(|p| p.path.starts_with(test_support::corpus::corpus_bin())).count();
    assert!(corpus >= 16, "only {corpus} aarch64 corpus programs");
    let refs: Vec<&common::Program> = progs.iter().collect();
    let seen = common::oracle(common::A57, &refs);
    let mut bad = Vec::new();
    for p in &progs {
        let o = &seen[&p.name];
        assert_eq!(o.errno, None, "{}: the kernel refused it", p.name);
        let execfn = common::guest_path(p);
        let args = ["--arch", "aarch64", "--va-bits", "48", "--page-size", "4096"];
        let v = json_oracle::plan_json(&args, common::ENV, &execfn, &p.root, &p.path);
        for d in json_oracle::differences(&v, o, &json_oracle::AUXV, &execfn, p.interp.as_deref()) {
            bad.push(format!("{}: {d}", p.name));
        }
    }
    assert!(bad.is_empty(), "{} differences:\n{}", bad.len(), bad.join("\n"));
}
