//! Every aarch64 program of the fixtures and the shared corpus plans in Linux-compatible
//! mode; PIE bias, BTI and the rejections follow Linux's arm64 rules. (The layout against
//! the real arm64 kernel, through sysoracle, is the next step of issue 5.)

use arch_aarch64::{Aarch64, Cpu};
use exec_core::fs_host::FsHost;
use exec_core::*;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// (file, sysroot for its interpreter) for every aarch64 program.
fn programs() -> Vec<(PathBuf, PathBuf)> {
    let mut v = Vec::new();
    let manifest = std::fs::read_to_string(repo().join("../shared/corpus/bin/MANIFEST.tsv")).unwrap();
    for line in manifest.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f[1] == "qemu-aarch64-static" {
            let root = if f[2] == "-" { "/" } else { f[2] };
            v.push((repo().join("../shared/corpus/bin").join(f[0]), PathBuf::from(root)));
        }
    }
    let fixtures = std::fs::read_to_string(repo().join("testdata/MANIFEST.tsv")).unwrap();
    for line in fixtures.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f[1] == "aarch64" {
            let root = if f[8] == "-" { "/" } else { f[8] };
            v.push((repo().join("testdata/bin").join(f[0]), PathBuf::from(root)));
        }
    }
    v
}

fn plan(path: &Path, root: &Path, cpu: Cpu) -> Result<ExecPlan<arch_aarch64::Info>, ExecError> {
    let file = std::fs::File::open(path).unwrap();
    let execfn = path.to_str().unwrap().as_bytes();
    let argv: [&[u8]; 1] = [execfn];
    let mut params = ExecParams::new(execfn);
    params.argv = &argv;
    let mut host = FsHost::new(root);
    prepare(&Aarch64::new(cpu), &file, &mut host, &params, None).map(|p| p.plan)
}

#[test]
fn every_aarch64_program_plans() {
    let progs = programs();
    assert!(progs.len() >= 18, "{} aarch64 programs", progs.len());
    for (path, root) in &progs {
        let p = plan(path, root, Cpu::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(p.stack.top, UserAddr(1 << 48));
        assert_eq!(p.stack.sp.0 % 16, 0);
        assert_eq!(p.auxv.get(AuxType::AT_PHENT), Some(56));
        let dyn_pie = p.main.header.elf_type == elf_stream::ElfType::DYN && p.interp.is_some();
        if dyn_pie && p.main.max_align == 0x10000 {
            assert_eq!(p.main.bias, 0xaaaa_aaaa_0000, "{}: PIE base for 64 KiB alignment", path.display());
        }
        // Same plans under 16 and 64 KiB pages for 64 KiB-aligned programs.
        if p.main.max_align >= 0x10000 && p.interp.as_ref().is_none_or(|i| i.max_align >= 0x10000) {
            for page in [PageSize::K16, PageSize::K64] {
                let cpu = Cpu { page_size: page, va_bits: 47, ..Cpu::default() };
                assert!(plan(path, root, cpu).is_ok(), "{} with {} pages", path.display(), page.get());
            }
        }
    }
}

#[test]
fn bti_goes_where_linux_puts_it() {
    let bti = repo().join("testdata/bin/aarch64-bti");
    let p = plan(&bti, Path::new("/"), Cpu::default()).unwrap();
    assert_eq!(p.arch.bti_on, Some(Role::Main));
    let execs: Vec<_> = p.mappings().filter(|m| m.prot.contains(Prot::EXEC)).collect();
    assert!(!execs.is_empty() && execs.iter().all(|m| m.prot.contains(Prot::BTI)));
    assert!(p.mappings().filter(|m| !m.prot.contains(Prot::EXEC)).all(|m| !m.prot.contains(Prot::BTI)));
    // A kernel without BTI support: no PROT_BTI, the property still reported.
    let p = plan(&bti, Path::new("/"), Cpu { bti: false, ..Cpu::default() }).unwrap();
    assert!(p.mappings().all(|m| !m.prot.contains(Prot::BTI)));
    assert_eq!(p.arch.main_features.map(|b| b & 1), Some(1));
    // A dynamic program: the main image never gets PROT_BTI (ld.so applies it itself).
    for (path, root) in programs() {
        let p = plan(&path, &root, Cpu::default()).unwrap();
        if p.interp.is_some() {
            assert!(p.main.mappings().all(|m| !m.prot.contains(Prot::BTI)), "{}", path.display());
        }
    }
}

#[test]
fn rejections() {
    let mut bytes = std::fs::read(repo().join("testdata/bin/aarch64-static")).unwrap();
    bytes[5] = 2; // big endian
    let params = ExecParams::new(b"/p");
    let policy = Aarch64::default();
    let err = prepare(&policy, &bytes[..], &mut FsHost::new("/"), &params, None).unwrap_err();
    assert!(
        matches!(err, ExecError::Arch(a) if a.kind == "aarch64_be_unsupported")
            || err.errno() == elf_stream::Errno::ENOEXEC,
        "{err:?}"
    );
    let x86 = std::fs::read(repo().join("testdata/bin/x86_64-static")).unwrap();
    let err = prepare(&policy, &x86[..], &mut FsHost::new("/"), &params, None).unwrap_err();
    assert!(matches!(err, ExecError::Arch(a) if a.kind == "wrong_machine"));
    // Aligned to 4 KiB only: cannot map under 64 KiB pages.
    let small = repo().join("testdata/bin/aarch64-static");
    let p = plan(&small, Path::new("/"), Cpu::default()).unwrap();
    if p.main.max_align < 0x10000 {
        let err =
            plan(&small, Path::new("/"), Cpu { page_size: PageSize::K64, va_bits: 42, ..Cpu::default() });
        assert!(err.is_err());
    }
}
