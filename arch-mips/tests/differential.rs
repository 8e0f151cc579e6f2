//! Differential test against the real MIPS kernels (`../shared/sysoracle`, Debian 12's 6.1.y
//! under qemu-system, ASLR off, programs run as root): mutants of the small little-endian
//! MIPS programs of the fixtures and the corpus (`test_support::mutate`, fixed seed) are
//! executed on the 64-bit kernel (`mips64el`, 5KEf: n64, n32 and o32) and on the 32-bit one
//! (`mipsel`, 24Kf: o32), stopped at the first instruction (then run with 2 s of CPU
//! time), and planned by execcore for the same CPU; accept/reject, the errno, every page's
//! protection, the entry, AT_PHDR/AT_PHNUM/AT_ENTRY/AT_BASE, start_brk and the stack top
//! are compared (`test_support::differential`), every accepted plan is checked for
//! soundness.
//!
//! `cargo test` runs 60 mutants per kernel (one boot each, cached by content afterwards);
//! `ci/differential.sh 500 mips64el` (or `mipsel`) runs 500.

mod common;

use arch_mips::{CpuModel, Mips};
use elf_stream::Endian;
use exec_core::fs_host::FsHost;
use exec_core::{ArchPolicy, ExecParams, Profile};
use test_support::differential::{self, errno_name, run_guest, Guest, GuestBase, GUEST_ENV};
use test_support::mutate::Config;
use test_support::sysoracle::kernel_version;

/// Bases small enough for hundreds of copies in one initramfs.
const MAX_BASE: usize = 100 * 1024;

/// Linux/MIPS errno names where MIPS numbers them apart from the generic table.
fn mips_errno_name(e: i32) -> String {
    match e {
        54 => "EBADRQC".into(),
        84 => "ELIBBAD".into(),
        _ => errno_name(e),
    }
}

/// Runs the mutants of `bases` through the kernel of `guest` and `policy`, prints the
/// report and asserts the agreement reaches `floor` percent (what the 60 mutants of
/// `cargo test` reach today, rounded down; the goal is 99.5).
fn run(guest: &Guest<'_>, policy: &Mips, bases: Vec<GuestBase>, floor: f64) {
    assert!(bases.len() >= 8, "{} MIPS bases for {}", bases.len(), guest.arch);
    // Interpreter paths a mutant may name: missing, directories (in the guest and the
    // sysroots alike).
    let interp_paths = ["/nonexistent/ld.so", "/lib", "/"];
    let config = Config { interp_paths: interp_paths.map(String::from).to_vec(), seed: differential::seed() };
    let n = differential::mutant_count(60);
    let summary = run_guest(
        guest,
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
            exec_core::prepare(policy, &file, &mut host, &params, None)
                .map(|p| p.plan)
                .map_err(|e| (policy.errno(&e).0, e.to_string()))
        },
        &mips_errno_name,
    );
    let version = kernel_version(guest.arch);
    println!(
        "{}",
        summary.report(&format!("MIPS kernel {version} (sysoracle {}, {})", guest.arch, guest.cpu))
    );
    assert_eq!(summary.total, n);
    assert!(summary.unsound.is_empty(), "unsound plans: {:?}", summary.unsound);
    assert!(summary.agreement() >= floor, "agreement {:.2} % below {floor} %", summary.agreement());
}

fn bases(o32_only: bool) -> Vec<GuestBase> {
    common::little_endian()
        .into_iter()
        .filter(|p| !o32_only || (!p.class64 && p.flags & arch_mips::flags::ABI2 == 0))
        .map(|p| GuestBase { bytes: p.bytes(), name: p.name, root: p.root })
        .filter(|b| b.bytes.len() <= MAX_BASE)
        .collect()
}

#[test]
fn mips64el_kernel_agrees_on_mutants() {
    let guest = Guest { arch: "mips64el", cpu: "5KEf", batch: 250 };
    run(&guest, &Mips::model(CpuModel::Mips5KEf, Endian::Little), bases(false), 88.0);
}

#[test]
fn mipsel_kernel_agrees_on_mutants() {
    let guest = Guest { arch: "mipsel", cpu: "24Kf", batch: 250 };
    run(&guest, &Mips::model(CpuModel::Mips32R2, Endian::Little), bases(true), 90.0);
}
