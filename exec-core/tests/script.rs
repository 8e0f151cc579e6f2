//! `follow_scripts` over an in-memory file system: nesting depth (five rewrites run, a
//! sixth is ELOOP after its interpreter is opened), the argv at every depth, errors from
//! the line, the open and the read, and planning the interpreter a script names (a
//! dynamic ELF with its own PT_INTERP). The same rules against the host kernel run in
//! examples/harness-tests/tests/scripts.rs.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use elf_stream::{Errno, ReadFailure};
use exec_core::script::{
    follow_scripts, ExecTarget, ScriptChain, ScriptError, ScriptHead, MAX_SCRIPT_REWRITES,
};
use exec_core::{prepare, ExecError, ExecHost, ExecParams, OpenedFile, StringList};
use std::collections::HashMap;

/// Files by path; every open is logged.
#[derive(Default)]
struct MemHost {
    files: HashMap<Vec<u8>, Vec<u8>>,
    opened: Vec<Vec<u8>>,
}

/// An in-memory file that can be told to fail its reads.
#[derive(Debug)]
struct Mem {
    bytes: Vec<u8>,
    fail: Option<Errno>,
}

impl elf_stream::ReadAt for Mem {
    type Error = ReadFailure;
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, ReadFailure> {
        if let Some(e) = self.fail {
            return Err(ReadFailure::new(e));
        }
        let start = (offset as usize).min(self.bytes.len());
        // One byte at a time: short reads must be continued.
        let n = buf.len().min(self.bytes.len() - start).min(1);
        buf[..n].copy_from_slice(&self.bytes[start..start + n]);
        Ok(n)
    }
}

impl ExecHost for MemHost {
    type Interp = Mem;
    fn open_interpreter(&mut self, path: &[u8]) -> Result<OpenedFile<Mem>, Errno> {
        self.opened.push(path.to_vec());
        match self.files.get(path) {
            Some(b) if b.as_slice() == b"<unreadable>" => {
                Ok(OpenedFile { source: Mem { bytes: vec![], fail: Some(Errno::EIO) }, id: None })
            }
            Some(b) => Ok(OpenedFile { source: Mem { bytes: b.clone(), fail: None }, id: None }),
            None => Err(Errno::ENOENT),
        }
    }
    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        buf.fill(1);
        Ok(())
    }
}

fn argv_of(list: &dyn StringList) -> Vec<Vec<u8>> {
    (0..list.count()).map(|i| list.get(i).unwrap().to_vec()).collect()
}

fn strs(v: &[&str]) -> Vec<Vec<u8>> {
    v.iter().map(|s| s.as_bytes().to_vec()).collect()
}

/// A chain of `n` scripts `/s1 .. /sn` (s1 names s2, ...; the last names `/bin/final`),
/// `/s{k}`'s line carrying argument `a{k}` when k is odd.
fn chain_host(n: usize) -> (MemHost, Vec<u8>) {
    let mut host = MemHost::default();
    let line = |k: usize| {
        let next = if k == n { "/bin/final".to_string() } else { format!("/s{}", k + 1) };
        if k % 2 == 1 {
            format!("#!{next} a{k}\necho\n")
        } else {
            format!("#! {next}\n")
        }
    };
    for k in 2..=n {
        host.files.insert(format!("/s{k}").into_bytes(), line(k).into_bytes());
    }
    host.files.insert(b"/bin/final".to_vec(), b"\x7fELF not really".to_vec());
    (host, line(1).into_bytes())
}

#[test]
fn five_rewrites_run_and_the_sixth_is_eloop() {
    for n in 1..=MAX_SCRIPT_REWRITES {
        let (mut host, first) = chain_host(n);
        let mut chain = ScriptChain::new();
        let main = Mem { bytes: first, fail: None };
        let target = follow_scripts(&mut chain, &main, &mut host).unwrap();
        assert_eq!(chain.depth(), n);
        let ExecTarget::Interpreter(f) = &target else { panic!("depth {n}: not followed") };
        assert_eq!(f.source.bytes, b"\x7fELF not really");
        // argv: deepest interpreter first; each script's path is what the previous
        // line named; the original argv[0] is replaced by the execve name.
        let original: [&[u8]; 3] = [b"argv0", b"x", b"y"];
        let argv = chain.argv(&original, b"./s1");
        let mut want = Vec::new();
        for k in (1..=n).rev() {
            want.push(if k == n { "/bin/final".to_string() } else { format!("/s{}", k + 1) });
            if k % 2 == 1 {
                want.push(format!("a{k}"));
            }
        }
        want.extend(["./s1".to_string(), "x".into(), "y".into()]);
        assert_eq!(
            argv_of(&argv),
            want.iter().map(|s| s.clone().into_bytes()).collect::<Vec<_>>(),
            "depth {n}"
        );
    }
    let (mut host, first) = chain_host(MAX_SCRIPT_REWRITES + 1);
    let mut chain = ScriptChain::new();
    let err = follow_scripts(&mut chain, &Mem { bytes: first, fail: None }, &mut host).unwrap_err();
    assert_eq!(err, ExecError::Script(ScriptError::TooDeep));
    assert_eq!(err.errno(), Errno::ELOOP);
    // The sixth script's interpreter was opened before the depth check, as in Linux.
    assert_eq!(host.opened.last().unwrap(), b"/bin/final");
    assert_eq!(host.opened.len(), 6);
}

#[test]
fn the_sixth_level_reports_its_own_errors_first() {
    // Linux parses the sixth script and opens its interpreter before the depth check:
    // a bad line is ENOEXEC, a missing interpreter ENOENT, not ELOOP.
    for (last, want) in [
        (&b"#!\n"[..], ScriptError::NoInterpreter),
        (b"#!/nowhere\n", ScriptError::InterpreterOpen(Errno::ENOENT)),
    ] {
        let (mut host, first) = chain_host(MAX_SCRIPT_REWRITES + 1);
        host.files.insert(format!("/s{}", MAX_SCRIPT_REWRITES + 1).into_bytes(), last.to_vec());
        let mut chain = ScriptChain::new();
        let err = follow_scripts(&mut chain, &Mem { bytes: first, fail: None }, &mut host).unwrap_err();
        assert_eq!(err, ExecError::Script(want));
    }
}

#[test]
fn not_a_script_is_the_file_itself() {
    let mut host = MemHost::default();
    let mut chain = ScriptChain::new();
    let main = Mem { bytes: b"\x7fELF".to_vec(), fail: None };
    let target = follow_scripts(&mut chain, &main, &mut host).unwrap();
    assert!(matches!(target, ExecTarget::Main(_)));
    assert_eq!(chain.depth(), 0);
    assert!(host.opened.is_empty());
    let original: [&[u8]; 2] = [b"prog", b"1"];
    assert_eq!(argv_of(&chain.argv(&original, b"/x/prog")), strs(&["prog", "1"]));
    // A chain reused after a script: following a plain file resets it.
    let (mut host, first) = chain_host(2);
    follow_scripts(&mut chain, &Mem { bytes: first, fail: None }, &mut host).unwrap();
    assert_eq!(chain.depth(), 2);
    follow_scripts(&mut chain, &main, &mut host).unwrap();
    assert_eq!(chain.depth(), 0);
}

#[test]
fn errors_and_their_errnos() {
    let mut chain = ScriptChain::new();
    let cases: [(&[u8], ScriptError, Errno); 4] = [
        (b"#!/missing\n", ScriptError::InterpreterOpen(Errno::ENOENT), Errno::ENOENT),
        (b"#!   \n", ScriptError::NoInterpreter, Errno::ENOEXEC),
        (&[b'a'; 300], ScriptError::NoInterpreter, Errno::ENOEXEC),
        (b"#!/unreadable\n", ScriptError::Read(Errno::EIO), Errno::EIO),
    ];
    for (bytes, want, errno) in cases {
        let mut host = MemHost::default();
        host.files.insert(b"/unreadable".to_vec(), b"<unreadable>".to_vec());
        let mut v = bytes.to_vec();
        if v[0] == b'a' {
            v[..2].copy_from_slice(b"#!");
            v[2] = b' ';
            v[3..].fill(b' ');
        }
        let err = follow_scripts(&mut chain, &Mem { bytes: v, fail: None }, &mut host).unwrap_err();
        assert_eq!(err, ExecError::Script(want));
        assert_eq!(err.errno(), errno);
        assert_eq!(err.kind(), want.kind());
    }
    // The script itself unreadable.
    let mut host = MemHost::default();
    let err =
        follow_scripts(&mut chain, &Mem { bytes: vec![], fail: Some(Errno(13)) }, &mut host).unwrap_err();
    assert_eq!(err.errno(), Errno(13));
    // A path that may be cut: 254 path bytes, no newline in the buffer.
    let mut v = b"#!/".to_vec();
    v.resize(300, b'p');
    let err = follow_scripts(&mut chain, &Mem { bytes: v, fail: None }, &mut host).unwrap_err();
    assert_eq!(err, ExecError::Script(ScriptError::Truncated));
    assert_eq!(err.errno(), Errno::ENOEXEC);
}

#[test]
fn head_of_a_short_file_is_zero_padded() {
    let head = ScriptHead::read(&b"#!/bin/sh"[..]).unwrap();
    assert_eq!(&head.bytes()[..9], b"#!/bin/sh");
    assert!(head.bytes()[9..].iter().all(|&b| b == 0));
    let long = vec![b'x'; 1000];
    let head = ScriptHead::read(long.as_slice()).unwrap();
    assert_eq!(head.bytes().len(), 256);
    assert!(!head.is_script());
}

/// A script whose interpreter is a dynamic ELF: the interpreter is planned as the
/// program, its PT_INTERP opened in turn; AT_EXECFN stays the script's name.
#[test]
fn a_script_plans_its_dynamic_interpreter() {
    let ls = std::fs::read("/bin/ls").unwrap();
    let ld = std::fs::read("/lib64/ld-linux-x86-64.so.2").unwrap();
    let mut host = MemHost::default();
    host.files.insert(b"/bin/ls".to_vec(), ls);
    host.files.insert(b"/lib64/ld-linux-x86-64.so.2".to_vec(), ld);
    let script = Mem { bytes: b"#!/bin/ls -l\n".to_vec(), fail: None };
    let mut chain = ScriptChain::new();
    let target = follow_scripts(&mut chain, &script, &mut host).unwrap();
    let original: [&[u8]; 2] = [b"x", b"/"];
    let argv = chain.argv(&original, b"./x.sh");
    assert_eq!(argv_of(&argv), strs(&["/bin/ls", "-l", "./x.sh", "/"]));
    let mut params = ExecParams::new(b"./x.sh");
    params.argv = &argv;
    let prepared = prepare(&arch_x86_64::X86_64::default(), &target, &mut host, &params, None).unwrap();
    assert!(prepared.plan.interp.is_some());
    assert_eq!(prepared.plan.stack.argc, 4);
    assert_eq!(host.opened, strs(&["/bin/ls", "/lib64/ld-linux-x86-64.so.2"]));
    // The interpreter's header is the program's: ls is ET_DYN with PT_INTERP.
    assert_eq!(prepared.plan.main.header.elf_type, elf_stream::ElfType::DYN);
}

/// A script naming a file that is neither a script nor ELF: Linux's ENOEXEC.
#[test]
fn a_script_naming_a_text_file_is_enoexec() {
    let mut host = MemHost::default();
    host.files.insert(b"/text".to_vec(), b"echo hi\n".to_vec());
    host.files.insert(b"/empty".to_vec(), Vec::new());
    for interp in ["/text", "/empty"] {
        let script = Mem { bytes: format!("#!{interp}\n").into_bytes(), fail: None };
        let mut chain = ScriptChain::new();
        let target = follow_scripts(&mut chain, &script, &mut host).unwrap();
        let original: [&[u8]; 1] = [b"x"];
        let argv = chain.argv(&original, b"x");
        let mut params = ExecParams::new(b"x");
        params.argv = &argv;
        let err = prepare(&arch_x86_64::X86_64::default(), &target, &mut host, &params, None).unwrap_err();
        assert_eq!(err.errno(), Errno::ENOEXEC, "{interp}: {err:?}");
    }
}

/// Linux sizes argument pointers from the argc given to execve, before a rewrite: the
/// strings a script adds count against the limit, their pointers do not. At the exact
/// limit the rewritten argv plans; one byte more is E2BIG (the host kernel's boundary is
/// compared through the C harness in examples/harness-tests/tests/scripts.rs).
#[test]
fn rewritten_argv_meets_linuxs_exact_argument_limit() {
    let ls = std::fs::read("/bin/ls").unwrap();
    let ld = std::fs::read("/lib64/ld-linux-x86-64.so.2").unwrap();
    let plan = |last: usize| {
        let mut host = MemHost::default();
        host.files.insert(b"/bin/ls".to_vec(), ls.clone());
        host.files.insert(b"/lib64/ld-linux-x86-64.so.2".to_vec(), ld.clone());
        let script = Mem { bytes: b"#!/bin/ls -l\n".to_vec(), fail: None };
        let mut chain = ScriptChain::new();
        let target = follow_scripts(&mut chain, &script, &mut host).unwrap();
        let (a, b, c) = (vec![b'a'; 99_999], vec![b'b'; 99_999], vec![b'c'; last]);
        let original: [&[u8]; 4] = [b"x", &a, &b, &c];
        let argv = chain.argv(&original, b"./x.sh");
        assert_eq!(argv.counted_pointers(), 4);
        assert_eq!(argv.count(), 6);
        let mut params = ExecParams::new(b"./x.sh");
        params.argv = &argv;
        params.stack_limit = exec_core::StackLimit::Bytes(1 << 20);
        prepare(&arch_x86_64::X86_64::default(), &target, &mut host, &params, None).map(|_| ())
    };
    // 256 KiB less 4 pointers; the strings: execfn, /bin/ls, -l, ./x.sh, three arguments.
    let room = (256 << 10) - 4 * 8 - ("./x.sh".len() + 1) * 2 - 8 - 3 - 2 * 100_000;
    assert_eq!(plan(room - 1), Ok(()));
    assert_eq!(plan(room).unwrap_err().errno(), Errno::E2BIG);
}
