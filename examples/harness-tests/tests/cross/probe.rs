//! Comparing what the corpus `probe` program (../shared/corpus/src/probe.c) found on its
//! initial stack when started by the harness with what it found under qemu's own loader.
//!
//! Addresses differ (each loader places the image and stack itself) and qemu orders its
//! auxv its own way (the Linux order execcore follows is checked against the real kernel
//! by the arch oracle tests). Compared here: argc, argv and envp entry for entry, the
//! alignment of sp and of each table and their distances, the auxv entries qemu provides
//! with every non-address value, the address entries by what they point to, and that the
//! program saw the same auxv through `getauxval`.

use std::collections::BTreeMap;

/// Entries execcore writes (as Linux does) that qemu-user may not: AT_IGNORE (the
/// MINSIGSTKSZ slot), AT_MINSIGSTKSZ, AT_SYSINFO_EHDR, AT_RSEQ_FEATURE_SIZE/ALIGN,
/// AT_HWCAP3/4, AT_BASE_PLATFORM, AT_PLATFORM (qemu has none for MIPS; Linux says "mips").
const NOT_FROM_QEMU: [u64; 9] = [1, 51, 33, 27, 28, 29, 30, 24, 15];
/// Entries whose values are addresses (compared by what they point to).
const ADDRESSES: [u64; 7] = [
    3,  /* PHDR */
    7,  /* BASE */
    9,  /* ENTRY */
    15, /* PLATFORM */
    24, /* BASE_PLATFORM */
    25, /* RANDOM */
    31, /* EXECFN */
];

#[derive(Debug, Default)]
struct Stack {
    sp: u64,
    sp_mod16: String,
    argc_slot: String,
    argv_at: u64,
    envp_at: u64,
    auxv_at: u64,
    argv: Vec<String>,
    envp: Vec<String>,
    auxv: Vec<(u64, u64)>,
    strings: BTreeMap<String, String>,
    mismatches: Vec<String>,
}

fn hex(s: &str) -> u64 {
    u64::from_str_radix(s.trim().trim_start_matches("0x"), 16).unwrap_or(0)
}

/// `argv[1]=0x5502821fc0 "x"` → the string.
fn quoted(v: &str) -> String {
    v.split_once(' ').map_or("", |(_, s)| s).trim_matches('"').to_string()
}

fn parse(out: &str) -> Stack {
    let mut s = Stack::default();
    for line in out.lines() {
        if let Some(rest) = line.strip_prefix("auxv.mismatch") {
            s.mismatches.push(rest.to_string());
            continue;
        }
        if line.starts_with("auxv[") {
            // auxv[3] AT_PAGESZ            ( 6) = 0x1000
            let ty = line.split_once('(').and_then(|(_, r)| r.split_once(')')).map(|(t, _)| t.trim());
            let val = line.rsplit_once("= ").map(|(_, v)| v);
            if let (Some(t), Some(v)) = (ty, val) {
                s.auxv.push((t.parse().unwrap(), hex(v)));
            }
            continue;
        }
        let Some((k, v)) = line.split_once('=') else { continue };
        match k {
            "sp.entry" => s.sp = hex(v),
            "sp.entry.mod16" => s.sp_mod16 = v.to_string(),
            "sp.entry.argc_slot" => s.argc_slot = v.to_string(),
            "argv" => s.argv_at = hex(v),
            "envp" => s.envp_at = hex(v),
            "auxv" => s.auxv_at = hex(v),
            "argc" | "envc" | "sizeof.word" | "execfn.str" | "platform.str" => {
                s.strings.insert(k.to_string(), v.to_string());
            }
            _ if k.starts_with("argv[") => s.argv.push(quoted(v)),
            _ if k.starts_with("envp[") => s.envp.push(quoted(v)),
            _ => {}
        }
    }
    s
}

/// The environment the probe printed, in its order.
pub fn envp(out: &str) -> Vec<String> {
    parse(out).envp
}

fn value(s: &Stack, ty: u64) -> Option<u64> {
    s.auxv.iter().find(|(t, _)| *t == ty).map(|&(_, v)| v)
}

/// Asserts the harness run (`got`) saw the stack qemu's loader built (`want`).
pub fn same(what: &str, got: &str, want: &str) {
    let (g, w) = (parse(got), parse(want));
    assert!(w.sp != 0 && !w.auxv.is_empty(), "{what}: the direct run printed no stack:\n{want}");
    assert!(g.sp != 0 && !g.auxv.is_empty(), "{what}: the harness run printed no stack:\n{got}");
    assert!(g.mismatches.is_empty(), "{what}: getauxval disagrees with the stack: {:?}", g.mismatches);
    for k in ["argc", "envc", "sizeof.word", "execfn.str"] {
        assert!(w.strings.contains_key(k), "{what}: the direct run printed no {k}");
        assert_eq!(g.strings.get(k), w.strings.get(k), "{what}: {k}");
    }
    // AT_PLATFORM: qemu-user has none on MIPS.
    if w.strings.contains_key("platform.str") {
        assert_eq!(g.strings.get("platform.str"), w.strings.get("platform.str"), "{what}: platform");
    }
    assert_eq!(g.argv, w.argv, "{what}: argv");
    assert_eq!(g.envp, w.envp, "{what}: envp");
    assert_eq!(
        (&g.sp_mod16, &g.argc_slot),
        (&w.sp_mod16, &w.argc_slot),
        "{what}: sp alignment and argc slot"
    );
    let layout = |s: &Stack| (s.argv_at - s.sp, s.envp_at - s.argv_at, s.auxv_at - s.envp_at, s.auxv_at % 16);
    assert_eq!(layout(&g), layout(&w), "{what}: argv/envp/auxv positions relative to sp");
    for &(ty, v) in &w.auxv {
        let mine = value(&g, ty).unwrap_or_else(|| panic!("{what}: auxv type {ty} missing"));
        if !ADDRESSES.contains(&ty) {
            assert_eq!(mine, v, "{what}: auxv type {ty}");
        }
    }
    for &(ty, _) in &g.auxv {
        assert!(
            value(&w, ty).is_some() || NOT_FROM_QEMU.contains(&ty),
            "{what}: auxv type {ty} is in the harness's stack but not qemu's"
        );
    }
    // Address entries: zero alike, AT_PHDR and AT_ENTRY in the same image.
    for ty in ADDRESSES {
        if let (Some(a), Some(b)) = (value(&g, ty), value(&w, ty)) {
            assert_eq!(a == 0, b == 0, "{what}: auxv type {ty} is {a:#x} vs {b:#x}");
        }
    }
    let phdr_to_entry = |s: &Stack| value(s, 9).unwrap_or(0).wrapping_sub(value(s, 3).unwrap_or(0));
    assert_eq!(phdr_to_entry(&g), phdr_to_entry(&w), "{what}: AT_ENTRY - AT_PHDR");
}
