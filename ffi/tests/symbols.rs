//! ci/build-lib.sh's symbol check must catch a library that needs more from the kernel than
//! execcore_panic and the memory builtins: build one with an extra undefined symbol.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use std::path::Path;
use std::process::Command;
use test_support::temp::TempDir;

fn check(lib: &Path) -> std::process::Output {
    Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../ci/build-lib.sh"))
        .env("LIBEXECCORE_CHECK_ONLY", lib)
        .output()
        .expect("run ci/build-lib.sh")
}

fn archive(dir: &Path, name: &str, source: &str) -> std::path::PathBuf {
    let c = dir.join(format!("{name}.c"));
    let o = dir.join(format!("{name}.o"));
    let a = dir.join(format!("lib{name}.a"));
    std::fs::write(&c, source).unwrap();
    assert!(Command::new("gcc")
        .args(["-O1", "-ffunction-sections", "-c"])
        .arg(&c)
        .arg("-o")
        .arg(&o)
        .status()
        .unwrap()
        .success());
    let _ = std::fs::remove_file(&a);
    assert!(Command::new("ar").arg("rcs").arg(&a).arg(&o).status().unwrap().success());
    a
}

#[test]
#[cfg_attr(miri, ignore = "spawns the build and gcc")]
fn symbol_check_accepts_builtins_and_rejects_anything_else() {
    let dir = TempDir::new("symbols");
    let good = archive(
        &dir,
        "good",
        "#include <string.h>\nvoid execcore_panic(const unsigned char *, unsigned long);\n\
         int execcore_good(char *d, const char *s, unsigned long n) { memcpy(d, s, n); if (!n) execcore_panic(0, 0); return 0; }\n",
    );
    let out = check(&good);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let bad = archive(
        &dir,
        "bad",
        "#include <stdlib.h>\nvoid *execcore_bad(unsigned long n) { return malloc(n); }\n",
    );
    let out = check(&bad);
    assert!(!out.status.success(), "a library calling malloc passed the check");
    assert!(String::from_utf8_lossy(&out.stderr).contains("malloc"));
}
