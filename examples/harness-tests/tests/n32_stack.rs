//! MIPS n32 has no Rust target, so no harness: its programs are planned (arch-mips's plan
//! and oracle tests) and here the initial stack execcore builds for the n32 `probe`
//! programs is compared with the one qemu-mipsn32 gives them — argv, envp, auxv values,
//! alignment and positions, exactly as for the harness runs (see `cross::probe`). The
//! stack is written by `exec_core::write_stack` into a simulated address space and read
//! back the way the probe reads its own (n32 words are 4 bytes, in the file's byte order).
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

mod cross;

use arch_mips::{CpuModel, Mips};
use elf_stream::{ElfFile, Endian};
use exec_core::fs_host::FsHost;
use exec_core::{ArchPolicy, ExecParams};
use std::fmt::Write;
use test_support::space::MockSpace;

/// Reads 4-byte words and C strings from the simulated pages.
struct Memory<'a> {
    space: &'a MockSpace,
    endian: Endian,
}

impl Memory<'_> {
    fn byte(&self, a: u64) -> u8 {
        let page = a & !(self.space.page - 1);
        self.space.pages.get(&page).unwrap_or_else(|| panic!("{a:#x} is not mapped")).bytes
            [(a - page) as usize]
    }

    fn word(&self, a: u64) -> u64 {
        let b = [self.byte(a), self.byte(a + 1), self.byte(a + 2), self.byte(a + 3)];
        u64::from(match self.endian {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        })
    }

    fn cstr(&self, mut a: u64) -> String {
        let mut s = Vec::new();
        while self.byte(a) != 0 {
            s.push(self.byte(a));
            a += 1;
        }
        String::from_utf8_lossy(&s).into_owned()
    }
}

/// What probe.c would print about the stack execcore builds for `p` with `args` and the
/// environment `env`.
fn planned_probe_output(p: &cross::Program, args: &[&str], env: &[String]) -> String {
    let file = std::fs::File::open(&p.path).unwrap();
    let elf: ElfFile<_> = ElfFile::open(&file).unwrap();
    let endian = elf.header().endian;
    let policy = Mips::model(CpuModel::Mips5KEf, endian); // qemu-mipsn32's default CPU
    let path = p.path.to_str().unwrap();
    let argv: Vec<&[u8]> = std::iter::once(path).chain(args.iter().copied()).map(str::as_bytes).collect();
    let envp: Vec<&[u8]> = env.iter().map(|e| e.as_bytes()).collect();
    let mut params = ExecParams::new(path.as_bytes());
    let (argv, envp) = (&argv[..], &envp[..]);
    params.argv = &argv;
    params.envp = &envp;
    let mut host = FsHost::new(p.root.as_deref().unwrap_or("/"));
    let plan = exec_core::prepare(&policy, &file, &mut host, &params, None).unwrap().plan;
    let mut space = MockSpace::new(&[], &[]);
    let plats = (policy.platform(plan.abi), policy.base_platform(plan.abi));
    exec_core::write_stack(&plan.stack, &params, plats, &plan.auxv, &[7; 16], &mut space).unwrap();

    let mem = Memory { space: &space, endian };
    let sp = plan.stack.sp.0;
    let argc = mem.word(sp);
    let mut out = String::new();
    writeln!(out, "sizeof.word=4\nsp.entry={sp:#x}\nsp.entry.mod16={}", sp % 16).unwrap();
    writeln!(out, "sp.entry.argc_slot={argc} (argc={argc})\nargc={argc}").unwrap();
    let argv_at = sp + 4;
    let envp_at = argv_at + 4 * (argc + 1);
    writeln!(out, "argv={argv_at:#x}\nenvp={envp_at:#x}").unwrap();
    for i in 0..argc {
        let s = mem.word(argv_at + 4 * i);
        writeln!(out, "argv[{i}]={s:#x} \"{}\"", mem.cstr(s)).unwrap();
    }
    let mut at = envp_at;
    let mut envc = 0;
    while mem.word(at) != 0 {
        writeln!(out, "envp[{envc}]={:#x} \"{}\"", mem.word(at), mem.cstr(mem.word(at))).unwrap();
        envc += 1;
        at += 4;
    }
    at += 4;
    writeln!(out, "envc={envc}\nauxv={at:#x}").unwrap();
    let mut i = 0;
    loop {
        let (t, v) = (mem.word(at), mem.word(at + 4));
        if t == 0 {
            break;
        }
        writeln!(out, "auxv[{i}] AT ({t}) = {v:#x}").unwrap();
        match t {
            31 => writeln!(out, "execfn.str=\"{}\"", mem.cstr(v)).unwrap(),
            15 => writeln!(out, "platform.str=\"{}\"", mem.cstr(v)).unwrap(),
            _ => {}
        }
        at += 8;
        i += 1;
    }
    out
}

#[test]
fn n32_probe_stacks_equal_qemus() {
    let mut n = 0;
    for q in ["qemu-mipsn32-static", "qemu-mipsn32el-static"] {
        for p in cross::programs(q).iter().filter(|p| p.probe()) {
            let want = cross::direct(p, &cross::ARGS);
            assert!(want.status.success(), "{}: {}", p.name, String::from_utf8_lossy(&want.stderr));
            // qemu hands the environment over in its own order: build the stack from it.
            let want_out = String::from_utf8_lossy(&want.stdout);
            let got = planned_probe_output(p, &cross::ARGS, &cross::probe::envp(&want_out));
            cross::probe::same(&p.name, &got, &want_out);
            n += 1;
        }
    }
    assert!(n >= 8, "only {n} n32 probe programs");
}
