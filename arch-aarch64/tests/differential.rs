//! Differential test against the real arm64 kernel (`../shared/sysoracle`, Debian 12's 6.1.y
//! under qemu-system, ASLR off, programs run as root): mutants of the small AArch64
//! programs of the fixtures and the corpus (`test_support::mutate`, fixed seed) are
//! executed there, stopped at the first instruction (then run with 2 s of CPU time), and
//! planned by execcore for the oracle's CPU; accept/reject, the errno, every page's
//! protection, the entry, AT_PHDR/AT_PHNUM/AT_ENTRY/AT_BASE, start_brk and the stack top
//! are compared (`test_support::differential`), every accepted plan is checked for
//! soundness.
//!
//! `cargo test` runs 60 mutants (one boot, cached by content afterwards);
//! `ci/differential.sh 500 aarch64` runs 500.

mod common;

use arch_aarch64::Aarch64;
use exec_core::fs_host::FsHost;
use exec_core::{ExecParams, Profile};
use test_support::differential::{self, errno_name, run_guest, Guest, GuestBase, GUEST_ENV};
use test_support::mutate::Config;
use test_support::sysoracle::kernel_version;

/// The agreement the 60 mutants reach today (percent, rounded down); the goal is 99.5.
const AGREEMENT_FLOOR: f64 = 90.0;

/// Bases small enough for hundreds of copies in one initramfs.
const MAX_BASE: usize = 100 * 1024;

#[test]
fn aarch64_kernel_agrees_on_mutants() {
    let bases: Vec<GuestBase> = common::programs()
        .into_iter()
        .filter(|p| !p.big_endian)
        .map(|p| GuestBase { bytes: p.bytes(), name: p.name, root: p.root })
        .filter(|b| b.bytes.len() <= MAX_BASE)
        .collect();
    assert!(bases.len() >= 8, "{} aarch64 bases", bases.len());
    // Interpreter paths a mutant may name: missing, directories (in the guest and the
    // sysroots alike).
    let interp_paths = ["/nonexistent/ld.so", "/lib", "/"];
    let config = Config { interp_paths: interp_paths.map(String::from).to_vec(), seed: differential::seed() };
    let n = differential::mutant_count(60);
    let policy = Aarch64::new(common::oracle_cpu());
    let guest = Guest { arch: "aarch64", cpu: "cortex-a57", batch: 250 };
    let summary = run_guest(
        &guest,
        &bases,
        n,
        &config,
        |path, execfn, root| {
            let argv: [&[u8]; 1] = [execfn.as_bytes()];
            let envp: [&[u8]; 1] = [GUEST_ENV.as_bytes()];
            let mut params = ExecParams::new(execfn.as_bytes());
            params.argv = &argv;
            params.envp = &envp;
            // The guest runs its programs as root: mmap_min_addr does not apply.
            params.mmap_min_addr = 0;
            // The oracle's kernel, with its stable sublevel (6.1.y took elf_load in 6.1.140).
            params.profile = Profile::Linux(kernel_version(guest.arch));
            let mut host = FsHost::new(root);
            host.seed = Some(1);
            let file = std::fs::File::open(path).unwrap();
            exec_core::prepare(&policy, &file, &mut host, &params, None)
                .map(|p| p.plan)
                .map_err(|e| (e.errno().0, e.to_string()))
        },
        &errno_name,
    );
    let version = kernel_version(guest.arch);
    println!("{}", summary.report(&format!("arm64 kernel {version} (sysoracle aarch64, cortex-a57)")));
    assert_eq!(summary.total, n);
    assert!(summary.unsound.is_empty(), "unsound plans: {:?}", summary.unsound);
    assert!(
        summary.agreement() >= AGREEMENT_FLOOR,
        "agreement {:.2} % below {AGREEMENT_FLOOR} %",
        summary.agreement()
    );
}
