//! The real MIPS Linux kernel is the oracle (`../shared/sysoracle/sysoracle.sh mips64el`:
//! Debian 12's 6.1 `5kc-malta` kernel under qemu-system, ASLR off): every little-endian
//! program of the fixtures and the shared corpus, planned in Linux-compatible mode for the
//! matching CPU description, must equal what the kernel did — exec result and errno, the
//! whole auxv (AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE, AT_ENTRY, ...), sp, pc, start_brk,
//! stack top, the initial stack's bytes and the mappings of the program and its
//! interpreter; and the FPU mode (FR) each FP-ABI program printed, over several CPU models
//! and `ieee754=` settings. Big-endian programs (the oracle kernel is little endian) are
//! checked by the same layout rules through the plan alone, and against their
//! little-endian twins.
//!
//! Oracle results are cached in /tmp/execcore-mips-oracle keyed by the boot and the files'
//! SHA-256; a cold run boots the kernel once per configuration (~10 s each). When the
//! oracle cannot run the tests fail: they never skip.
//!
//! Mapping normalisation, the same on both sides: an image's mappings are the VMAs of its
//! file plus the anonymous VMAs directly following them (bss, labelled `[heap]` when brk
//! starts there); adjacent entries with the same protection are merged.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use arch_mips::{CpuModel, FpMode, Ieee754, Info, Mips, MipsAbi};
use common::{Boot, Observed, Program};
use elf_stream::{ElfType, Endian};
use exec_core::{ArchPolicy, ExecPlan};
use std::collections::HashMap;
use test_support::sysoracle::{differences, Run};

const PAGE: u64 = 4096;

fn policy(model: CpuModel, endian: Endian, ieee754: Ieee754) -> Mips {
    let mut p = Mips::model(model, endian);
    p.kernel.ieee754 = ieee754;
    p
}

/// Every difference between the plan of `p` under `policy` and what the kernel did.
fn plan_differences(policy: &Mips, p: &Program, o: &Observed) -> Vec<String> {
    let (r, _) = common::plan_as_oracle(policy, p);
    let plan = match (r, o.errno) {
        (Err(e), Some(errno)) if policy.errno(&e).0 == errno => return Vec::new(),
        (Err(e), Some(errno)) => return vec![format!("errno {} ({e}), kernel {errno}", policy.errno(&e).0)],
        (Err(e), None) => return vec![format!("rejected ({e}), the kernel ran it")],
        (Ok(_), Some(errno)) => return vec![format!("planned, the kernel failed with errno {errno}")],
        (Ok(prep), None) => prep.plan,
    };
    let execfn = common::guest_path(p);
    let run = Run {
        execfn: &execfn,
        envp: &[common::ENV.as_bytes()],
        platforms: (policy.platform(plan.abi), policy.base_platform(plan.abi)),
    };
    let mut d = differences(&plan, o, &run, p.interp.as_deref());
    if let Some(fr) = o.fr() {
        let ours = match plan.arch.fp_mode {
            FpMode::Fr0 => "0",
            FpMode::Fr1 | FpMode::Fre => "1",
        };
        if ours != fr {
            d.push(format!("FR={ours} ({:?}), the program saw FR={fr}", plan.arch.fp_mode));
        }
    }
    d
}

/// Layout rules every plan follows (checked against the kernel on little-endian files,
/// applied alone to big-endian ones).
fn rule_violations(policy: &Mips, plan: &ExecPlan<Info>) -> Vec<String> {
    let mut v = Vec::new();
    let abi = plan.arch.abi.unwrap();
    let lay = policy.layout(abi.abi()).unwrap();
    let page_up = |x: u64| (x + PAGE - 1) & !(PAGE - 1);
    let mut check = |ok: bool, what: String| {
        if !ok {
            v.push(what);
        }
    };
    check(plan.stack.top == policy.stack_top(abi), format!("stack top {:#x}", plan.stack.top.0));
    check(plan.stack.sp.0 % 16 == 0 && plan.stack.sp < plan.stack.top, format!("sp {:#x}", plan.stack.sp.0));
    check(plan.mmap.base.0 == plan.stack.top.0 - (128 << 20), format!("mmap base {:#x}", plan.mmap.base.0));
    let m = &plan.main;
    let dyn_main = m.header.elf_type == ElfType::DYN;
    match (dyn_main, &plan.interp) {
        (true, Some(_)) => {
            let base = lay.et_dyn_base.0 & !(m.max_align - 1);
            check(m.bias + (m.first_vaddr.0 & !(PAGE - 1)) == base, format!("PIE bias {:#x}", m.bias));
        }
        (true, None) => {
            let span = m.span();
            check(
                span.end <= plan.mmap.base && span.start.0 % m.max_align == 0,
                format!("static-pie {span:x?}"),
            );
            check(plan.brk.0 == page_up(lay.et_dyn_base.0), format!("static-pie brk {:#x}", plan.brk.0));
        }
        (false, _) => check(m.bias == 0, "ET_EXEC bias".into()),
    }
    if !(dyn_main && plan.interp.is_none()) {
        check(plan.brk.0 == page_up(m.brk_end().0), format!("brk {:#x}", plan.brk.0));
    }
    if let Some(i) = &plan.interp {
        let colour = policy.cpu.dcache_alias.max(PAGE);
        let end = i.span().end.0;
        check(
            end <= plan.mmap.base.0 && end + colour > plan.mmap.base.0,
            format!("interpreter end {end:#x}"),
        );
        check(i.span().start.0 % colour == 0, "interpreter colour".into());
    }
    let aux = |t: u64| plan.auxv.entries().iter().find(|e| e.kind.0 == t).map(|e| e.value);
    check(aux(3) == Some(m.phdr().0) && m.phdr().0 == m.bias + m.phdr_vaddr.unwrap().0, "AT_PHDR".into());
    check(aux(4) == Some(if abi == MipsAbi::N64 { 56 } else { 32 }), "AT_PHENT".into());
    check(aux(5) == Some(u64::from(m.phnum)), "AT_PHNUM".into());
    check(aux(9) == Some(m.bias + m.header.entry.0), "AT_ENTRY".into());
    check(aux(7) == Some(plan.interp.as_ref().map_or(0, |i| i.bias)), "AT_BASE".into());
    check(
        plan.registers.sp == plan.stack.sp && plan.registers.regs.iter().all(Option::is_none),
        "registers".into(),
    );
    v
}

fn report(failures: Vec<String>) {
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}

fn layout_against(boot: Boot, model: CpuModel) {
    let progs = common::little_endian();
    assert!(progs.len() >= 60, "{} little-endian MIPS programs", progs.len());
    let refs: Vec<&Program> = progs.iter().collect();
    let seen = common::oracle(boot, &refs);
    let policy = policy(model, Endian::Little, Ieee754::Strict);
    let mut failures = Vec::new();
    let mut ran = 0;
    for p in &progs {
        let o = &seen[&p.name];
        ran += usize::from(o.errno.is_none());
        for d in plan_differences(&policy, p, o) {
            failures.push(format!("{} [{}]: {d}", p.name, boot.qemu_cpu));
        }
        if let Ok(plan) = common::plan(&policy, p) {
            for r in rule_violations(&policy, &plan) {
                failures.push(format!("{} [{}]: rule: {r}", p.name, boot.qemu_cpu));
            }
        }
    }
    assert!(ran >= 50, "only {ran} programs ran under the oracle");
    report(failures);
}

#[test]
fn layout_equals_the_kernel_on_5kef() {
    layout_against(Boot { qemu_cpu: "5KEf", append: "" }, CpuModel::Mips5KEf);
}

#[test]
fn layout_equals_the_kernel_on_mips64dspr2_with_cache_aliasing() {
    layout_against(Boot { qemu_cpu: "mips64dspr2", append: "" }, CpuModel::Mips64DspR2);
}

#[test]
fn layout_equals_the_kernel_on_mips64r2_generic() {
    layout_against(Boot { qemu_cpu: "MIPS64R2-generic", append: "" }, CpuModel::Mips64R2);
}

/// The little-endian twin of a big-endian program's name.
fn le_twin(name: &str) -> String {
    name.replace("-be-", "-le-").replace("-be", "-le")
}

#[test]
fn big_endian_programs_follow_the_same_rules() {
    let le = common::little_endian();
    let by_name: HashMap<&str, &Program> = le.iter().map(|p| (p.name.as_str(), p)).collect();
    let be = common::big_endian();
    assert!(be.len() >= 40, "{} big-endian MIPS programs", be.len());
    let le_policy = policy(CpuModel::Mips5KEf, Endian::Little, Ieee754::Strict);
    let be_policy = policy(CpuModel::Mips5KEf, Endian::Big, Ieee754::Strict);
    let mut failures = Vec::new();
    let mut twins = 0;
    for p in &be {
        let ours = common::plan(&be_policy, p);
        // Every big-endian program is rejected by a little-endian CPU: Linux reads the
        // header in its own byte order (ENOEXEC, e_phentsize or e_machine garbled).
        let cross = common::plan(&le_policy, p).unwrap_err();
        assert_eq!(cross.errno(), elf_stream::Errno::ENOEXEC, "{}", p.name);
        if let Ok(plan) = &ours {
            for r in rule_violations(&be_policy, plan) {
                failures.push(format!("{}: rule: {r}", p.name));
            }
        }
        let Some(twin) = by_name.get(le_twin(&p.name).as_str()) else { continue };
        twins += 1;
        let theirs = common::plan(&le_policy, twin);
        let summary = |r: &Result<ExecPlan<Info>, exec_core::ExecError>, pol: &Mips| match r {
            Ok(pl) => format!(
                "ok {:?} {:?} top {:#x} exec-stack {} {:?}",
                pl.arch.abi, pl.arch.fp_mode, pl.stack.top.0, pl.stack.exec, pl.arch.exceptions
            ),
            Err(e) => format!("errno {}", pol.errno(e).0),
        };
        let (a, b) = (summary(&ours, &be_policy), summary(&theirs, &le_policy));
        if a != b {
            failures.push(format!("{}: {a}\n   LE twin {}: {b}", p.name, twin.name));
        }
    }
    assert!(twins >= 40, "{twins} big-endian programs with a little-endian twin");
    report(failures);
}

/// (qemu model, kernel argument, our model, our ieee754) — the FP matrix configurations.
const FP_BOOTS: [(&str, &str, CpuModel, Ieee754); 8] = [
    ("5KEf", "", CpuModel::Mips5KEf, Ieee754::Strict),
    ("5KEf", "ieee754=relaxed", CpuModel::Mips5KEf, Ieee754::Relaxed),
    ("5KEf", "ieee754=legacy", CpuModel::Mips5KEf, Ieee754::Legacy),
    ("5KEf", "ieee754=2008", CpuModel::Mips5KEf, Ieee754::Std2008),
    ("5KEc", "", CpuModel::Mips5KEc, Ieee754::Strict),
    ("5KEc", "ieee754=legacy", CpuModel::Mips5KEc, Ieee754::Legacy),
    ("MIPS64R2-generic", "", CpuModel::Mips64R2, Ieee754::Strict),
    ("mips64dspr2", "", CpuModel::Mips64DspR2, Ieee754::Strict),
];

fn is_fp_program(name: &str) -> bool {
    name.starts_with("tiny-mips-") && ["-fp", "-soft", "-single", "-r6"].iter().any(|k| name.contains(k))
}

#[test]
fn fp_matrix_equals_the_kernel() {
    let progs: Vec<Program> =
        common::little_endian().into_iter().filter(|p| is_fp_program(&p.name)).collect();
    assert!(progs.len() >= 16, "{} FP programs", progs.len());
    let be: Vec<Program> = common::big_endian().into_iter().filter(|p| is_fp_program(&p.name)).collect();
    let refs: Vec<&Program> = progs.iter().collect();
    let mut failures = Vec::new();
    let mut table = String::new();
    for (qemu, append, model, ieee) in FP_BOOTS {
        let boot = Boot { qemu_cpu: qemu, append };
        let seen = common::oracle(boot, &refs);
        // Linux-exact: no EF_MIPS_ARCH check.
        let linux = Mips { isa_check: false, ..policy(model, Endian::Little, ieee) };
        let strict_isa = policy(model, Endian::Little, ieee);
        for p in &progs {
            let o = &seen[&p.name];
            table.push_str(&format!(
                "{:32} {qemu:17} {append:16} {}\n",
                p.name,
                match (&o.errno, o.fr()) {
                    (Some(e), _) => format!("errno {e}"),
                    (None, Some(fr)) => format!("ok FR={fr}"),
                    (None, None) => "ok".into(),
                }
            ));
            for d in plan_differences(&linux, p, o) {
                failures.push(format!("{} [{qemu} {append}]: {d}", p.name));
            }
            // With the ISA check, a release 6 program on an R2 CPU is EBADRQC (54) where
            // Linux ran it; everything else is the same.
            let isa = arch_mips::Isa::from_e_flags(p.flags).unwrap();
            let ours = common::plan(&strict_isa, p);
            match (&ours, o.errno) {
                (Err(e), None) if !strict_isa.cpu.isa.runs(isa) => {
                    assert_eq!(strict_isa.errno(e).0, 54, "{}", p.name)
                }
                (Err(e), Some(k)) => assert_eq!(strict_isa.errno(e).0, k, "{}", p.name),
                (Ok(_), None) => {}
                (r, k) => failures.push(format!(
                    "{} [{qemu} {append}] ISA check: {:?} vs kernel {k:?}",
                    p.name,
                    r.as_ref().err()
                )),
            }
        }
        // Big-endian programs: the same decision as their little-endian twins.
        let be_policy = Mips { isa_check: false, ..policy(model, Endian::Big, ieee) };
        for b in &be {
            let Some(twin) = progs.iter().find(|p| p.name == le_twin(&b.name)) else { continue };
            let o = &seen[&twin.name];
            match (common::plan(&be_policy, b), o.errno) {
                (Ok(plan), None) => {
                    if let Some(fr) = o.fr() {
                        let ours = if plan.arch.fp_mode == FpMode::Fr0 { "0" } else { "1" };
                        if ours != fr {
                            failures.push(format!("{} [{qemu} {append}]: FR {ours}, LE kernel {fr}", b.name));
                        }
                    }
                }
                (Err(e), Some(k)) if be_policy.errno(&e).0 == k => {}
                (r, k) => {
                    failures.push(format!("{} [{qemu} {append}]: {:?}, LE kernel {k:?}", b.name, r.err()))
                }
            }
        }
    }
    println!("{table}");
    report(failures);
}
