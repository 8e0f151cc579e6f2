//! The host kernel is the oracle: each program is started under ptrace with ASLR off and
//! stopped at its first instruction (never run further); what the kernel did — auxv,
//! start_brk, stack top, every mapping of the program and its interpreter — must equal
//! execcore's plan for the same file, argv and environment.
//!
//! Normalisation, applied identically to both sides: an image's mappings are its file-backed
//! VMAs plus the anonymous VMAs that directly follow them (bss); adjacent entries with the
//! same protection are merged (the kernel merges VMAs of one file with contiguous offsets).
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use exec_core::fs_host::FsHost;
use exec_core::{AuxType, ExecParams};
use std::path::{Path, PathBuf};
use test_support::hostkernel::{self, Exec, Launch, Run};

const ENV: &str = "ORACLE=1";

/// What the host kernel did with `path` (as the caller, ASLR off), if it ran it.
fn observe(path: &Path) -> Option<Run> {
    let run = hostkernel::run(path, &Launch { user: None, ..Launch::default() });
    matches!(run.exec, Exec::Ran).then_some(run)
}

type Maps = Vec<(u64, u64, String)>;

fn merge(mut v: Maps) -> Maps {
    v.sort();
    let mut out: Maps = Vec::new();
    for m in v {
        match out.last_mut() {
            Some(last) if last.1 == m.0 && last.2 == m.2 => last.1 = m.1,
            _ => out.push(m),
        }
    }
    out
}

/// The kernel's VMAs of the file at `real`, plus anonymous VMAs that directly follow them.
fn kernel_image(o: &Run, real: &Path) -> Maps {
    let name = real.to_str().unwrap();
    let mut out: Maps = Vec::new();
    for (i, m) in o.maps.iter().enumerate() {
        let follows = i > 0 && out.last().is_some_and(|l| l.1 == m.start) && o.maps[i - 1].end == m.start;
        if m.path == name || (m.path.is_empty() && follows) {
            out.push((m.start, m.end, m.perms[..3].to_string()));
        }
    }
    merge(out)
}

fn planned_image(img: &exec_core::Image) -> Maps {
    merge(img.mappings().map(|m| (m.range.start.0, m.range.end.0, m.prot.to_string())).collect())
}

fn interp_path(path: &Path) -> Option<PathBuf> {
    let bytes = std::fs::read(path).ok()?;
    let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(&bytes[..]).ok()?;
    let mut buf = [0u8; 4096];
    let p = elf.interpreter(&mut buf).ok()??;
    Some(PathBuf::from(std::str::from_utf8(p).ok()?))
}

/// Compares one file; returns the differences.
fn compare(path: &Path) -> Result<usize, Vec<String>> {
    let observed =
        observe(path).ok_or_else(|| vec![format!("{}: the kernel refused to exec it", path.display())])?;
    let execfn = path.to_str().unwrap().as_bytes();
    let argv: [&[u8]; 1] = [execfn];
    let envp: [&[u8]; 1] = [ENV.as_bytes()];
    let mut params = ExecParams::new(execfn);
    params.argv = &argv;
    params.envp = &envp;
    let file = std::fs::File::open(path).unwrap();
    let mut host = FsHost::new("/");
    let plan = exec_core::prepare(&arch_x86_64::X86_64::default(), &file, &mut host, &params, None)
        .map_err(|e| vec![format!("{}: kernel ran it, execcore refused: {e}", path.display())])?
        .plan;
    let mut diffs = Vec::new();
    let mut fields = 0;
    let mut check = |what: &str, kernel: String, planned: String| {
        fields += 1;
        if kernel != planned {
            diffs.push(format!("{}: {what}: kernel {kernel}, planned {planned}", path.display()));
        }
    };
    let aux = |k: u64| observed.aux(k);
    for t in [
        AuxType::AT_PHDR,
        AuxType::AT_PHENT,
        AuxType::AT_PHNUM,
        AuxType::AT_ENTRY,
        AuxType::AT_BASE,
        AuxType::AT_FLAGS,
    ] {
        check(t.name().unwrap(), format!("{:#x?}", aux(t.0)), format!("{:#x?}", plan.auxv.get(t)));
    }
    check("start_brk", format!("{:#x}", observed.start_brk), format!("{:#x}", plan.brk.0));
    check("stack top", format!("{:#x}", observed.stack_top), format!("{:#x}", plan.stack.top.0));
    let real = std::fs::canonicalize(path).unwrap();
    check("program found in maps", (!kernel_image(&observed, &real).is_empty()).to_string(), "true".into());
    check(
        "program mappings",
        format!("{:x?}", kernel_image(&observed, &real)),
        format!("{:x?}", planned_image(&plan.main)),
    );
    match (&plan.interp, interp_path(path)) {
        (Some(img), Some(ip)) => {
            let real = std::fs::canonicalize(ip).unwrap();
            check(
                "interpreter found in maps",
                (kernel_image(&observed, &real).len() >= 2).to_string(),
                "true".into(),
            );
            check(
                "interpreter mappings",
                format!("{:x?}", kernel_image(&observed, &real)),
                format!("{:x?}", planned_image(img)),
            );
        }
        (None, None) => {}
        _ => check("interpreter", "mismatch".into(), "present".into()),
    }
    if diffs.is_empty() {
        Ok(fields)
    } else {
        Err(diffs)
    }
}

fn is_x86_64_exec(p: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(p) else { return false };
    // setuid/setgid programs change credentials under ptrace; skip them.
    if !meta.is_file() || meta.mode() & 0o6000 != 0 || meta.mode() & 0o111 == 0 {
        return false;
    }
    let Ok(bytes) = std::fs::read(p) else { return false };
    bytes.len() > 64 && bytes[..4] == *b"\x7fELF" && bytes[18] == 62 && (bytes[16] == 2 || bytes[16] == 3)
}

fn files() -> Vec<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut v = Vec::new();
    for dir in [repo.join("testdata/bin"), repo.join("../shared/corpus/bin")] {
        let mut d: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| is_x86_64_exec(p))
            .collect();
        d.sort();
        v.extend(d);
    }
    let mut host: Vec<PathBuf> = std::fs::read_dir("/usr/bin").unwrap().map(|e| e.unwrap().path()).collect();
    host.sort();
    // Every third ELF program of /usr/bin, deterministic, at least 30 of them.
    let host: Vec<PathBuf> = host.into_iter().filter(|p| is_x86_64_exec(p)).step_by(3).take(60).collect();
    assert!(host.len() >= 30, "only {} host programs", host.len());
    v.extend(host);
    // ld.so run directly: ET_DYN without interpreter, brk moved to ELF_ET_DYN_BASE.
    v.push(std::fs::canonicalize("/lib64/ld-linux-x86-64.so.2").unwrap());
    v
}

#[test]
fn plans_equal_what_the_host_kernel_does() {
    let files = files();
    let fixtures = files.iter().filter(|p| p.to_str().unwrap().contains("testdata/bin")).count();
    assert!(fixtures >= 4, "x86_64 fixtures missing");
    let mut compared = 0;
    let mut fields = 0;
    let mut failures = Vec::new();
    for f in &files {
        match compare(f) {
            Ok(n) => {
                compared += 1;
                fields += n;
            }
            Err(d) => failures.extend(d),
        }
    }
    println!("kernel oracle: {compared} files, {fields} fields equal");
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
    assert!(compared >= 45);
}
