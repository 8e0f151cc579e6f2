//! Smoke test: the host's own `/bin/ls` plans like Linux would exec it (the layout is printed).
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use exec_core::fs_host::FsHost;
use exec_core::*;

#[test]
fn plans_bin_ls_like_linux() {
    let policy = arch_x86_64::X86_64::default();
    let file = std::fs::File::open("/bin/ls").unwrap();
    let argv: [&[u8]; 1] = [b"ls"];
    let mut params = ExecParams::new(b"/bin/ls");
    params.argv = &argv;
    let mut host = FsHost::new("/");
    let p = prepare(&policy, &file, &mut host, &params, None).unwrap().plan;
    eprintln!(
        "main bias {:#x} interp bias {:#x} brk {} sp {} entry {}",
        p.main.bias,
        p.interp.as_ref().unwrap().bias,
        p.brk,
        p.stack.sp,
        p.entry
    );
    for m in p.mappings() {
        eprintln!("{} {} {} {:?}", m.range.start, m.range.end, m.prot, m.content);
    }
    for e in p.auxv.entries() {
        eprintln!("{} {:#x}", e.kind, e.value);
    }
    assert_eq!(p.main.bias, 0x5555_5555_4000);
    assert_eq!(p.stack.top, UserAddr(0x7fff_ffff_f000));
}
