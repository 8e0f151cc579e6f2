//! `prepare_into` builds the same plan as `prepare`, in the caller's storage, and fails
//! the same way.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use exec_core::fs_host::FsHost;
use exec_core::*;

fn testdata(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/bin").join(name)
}

#[test]
fn the_same_plan_as_prepare() {
    let policy = arch_x86_64::X86_64::default();
    let argv: [&[u8]; 2] = [b"prog", b"arg"];
    let envp: [&[u8]; 1] = [b"K=V"];
    let mut params = ExecParams::new(b"/prog");
    params.argv = &argv;
    params.envp = &envp;
    params.randomize = Randomize::On;
    for f in [
        testdata("x86_64-static"),
        testdata("x86_64-static-pie"),
        testdata("x86_64-dyn-pie"),
        "/bin/ls".into(),
    ] {
        let bytes = std::fs::read(&f).unwrap();
        let host = || FsHost { seed: Some(7), ..FsHost::new("/") };
        let by_value = prepare(&policy, &bytes[..], &mut host(), &params, None).unwrap();
        // Storage that held another plan: everything in it is replaced.
        let mut out = Some(
            prepare(&policy, &std::fs::read("/bin/ls").unwrap()[..], &mut host(), &params, None).unwrap(),
        );
        let in_place = prepare_into(&policy, &bytes[..], &mut host(), &params, None, &mut out).unwrap();
        assert_eq!(format!("{:?}", in_place.plan), format!("{:?}", by_value.plan), "{}", f.display());
        assert_eq!(in_place.interpreter.is_some(), by_value.interpreter.is_some(), "{}", f.display());
    }
}

#[test]
fn the_same_errors_as_prepare() {
    let policy = arch_x86_64::X86_64::default();
    let params = ExecParams::new(b"/prog");
    let aarch64 = std::fs::read(testdata("aarch64-static")).unwrap();
    let mut truncated = std::fs::read(testdata("x86_64-dyn-pie")).unwrap();
    truncated.truncate(100);
    for bytes in [&b"#!/bin/sh\n"[..], &aarch64, &truncated] {
        let want = prepare(&policy, bytes, &mut FsHost::new("/"), &params, None).unwrap_err();
        let mut out = None;
        let got = prepare_into(&policy, bytes, &mut FsHost::new("/"), &params, None, &mut out).unwrap_err();
        assert_eq!(got, want);
    }
}
