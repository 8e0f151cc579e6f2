//! execplan's command line: every --json output validates against plan.schema.json, the
//! x86_64 layout is Linux's, errors are one JSON object plus a stderr line, never a panic.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn execplan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_execplan")).args(args).output().expect("run execplan")
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("plan.schema.json")).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// Runs with --json, checks the exit status matches success/error and the schema; returns the object.
fn json(args: &[&str], v: &jsonschema::Validator) -> (Value, Output) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = execplan(&all);
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(text.lines().count(), 1, "{args:?}: exactly one JSON line, got {text:?}");
    let value: Value = serde_json::from_str(&text).unwrap();
    let errors: Vec<String> = v.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert!(errors.is_empty(), "{args:?}: schema violations: {errors:?}");
    let is_error = value.get("error").is_some();
    assert_eq!(out.status.code(), Some(if is_error { 1 } else { 0 }), "{args:?}");
    if is_error {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("execplan: ") && stderr.trim_end().ends_with(')'), "{stderr}");
        assert!(!stderr.contains("panicked"));
    }
    (value, out)
}

fn files() -> Vec<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut v: Vec<PathBuf> = Vec::new();
    for dir in [repo.join("testdata/bin"), repo.join("../shared/corpus/bin")] {
        let mut d: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        d.sort();
        v.extend(d);
    }
    for p in [
        "/bin/ls",
        "/bin/sh",
        "/usr/bin/env",
        "/usr/bin/python3",
        "/usr/bin/git",
        "/lib64/ld-linux-x86-64.so.2",
    ] {
        if Path::new(p).exists() {
            v.push(p.into());
        }
    }
    v
}

#[test]
fn every_output_matches_the_schema() {
    let v = validator();
    let mut plans = 0;
    for f in files() {
        let (value, _) = json(&["--stats", f.to_str().unwrap()], &v);
        if value.get("error").is_none() {
            plans += 1;
            assert_eq!(value["abi"], "x86_64");
        } else {
            // Only non-x86_64 files or non-ELF metadata files may fail.
            let kind = value["error"]["kind"].as_str().unwrap();
            assert!(
                matches!(kind, "unsupported_arch" | "bad_magic" | "truncated"),
                "{}: {value}",
                f.display()
            );
        }
    }
    assert!(plans >= 15, "only {plans} plans");
}

#[test]
fn bin_ls_is_planned_like_linux() {
    let v = validator();
    let (p, _) = json(&["/bin/ls"], &v);
    let bias = p["image"]["bias"].as_u64().unwrap();
    assert_eq!(bias, 0x5555_5555_4000);
    assert_eq!(p["image"]["phdr"].as_u64().unwrap(), bias + 0x40);
    assert_eq!(p["stack"]["top"].as_u64().unwrap(), 0x7fff_ffff_f000);
    assert_eq!(p["interp"], "/lib64/ld-linux-x86-64.so.2");
    let phdr = p["auxv"].as_array().unwrap().iter().find(|e| e["name"] == "AT_PHDR").unwrap();
    assert_eq!(phdr["value"].as_u64().unwrap(), bias + 0x40);
    // Stats: the header and program headers in one read, at most 4 with the interpreter.
    let (p, _) = json(&["--stats", "/bin/ls"], &v);
    let calls = p["stats"]["read_calls"].as_u64().unwrap();
    assert!((1..=4).contains(&calls), "{calls} reads");
}

#[test]
fn options_change_the_plan() {
    let v = validator();
    let (small, _) = json(&["--va-bits", "39", "/bin/ls"], &v);
    let top = 1u64 << 39;
    assert_eq!(small["stack"]["top"].as_u64().unwrap(), top);
    for img in [&small["image"], &small["interp_image"]] {
        for m in img["mappings"].as_array().unwrap() {
            assert!(m["end"].as_u64().unwrap() <= top);
        }
    }
    assert!(small["mmap"]["end"].as_u64().unwrap() < top);
    let (unl, _) = json(&["--stack-rlimit", "unlimited", "/bin/ls"], &v);
    assert_eq!(unl["mmap"]["base"].as_u64().unwrap(), 0x1555_5555_6000, "x86_64: 5/6 gap on unlimited stack");
    let (plain, _) = json(&["/bin/ls"], &v);
    let (env, _) =
        json(&["--env", "HOME=/root/with/a/long/path", "--env", "A=B", "--argv0", "ls", "/bin/ls", "-l"], &v);
    assert!(env["stack"]["sp"].as_u64() < plain["stack"]["sp"].as_u64());
    let (seeded, _) = json(&["--seed", "7", "/bin/ls"], &v);
    assert_ne!(seeded["image"]["bias"], plain["image"]["bias"], "--seed randomises");
    let (again, _) = json(&["--seed", "7", "/bin/ls"], &v);
    assert_eq!(seeded, again, "same seed, same plan");
}

#[test]
fn bad_inputs_are_clean_errors() {
    let v = validator();
    let dir = std::env::temp_dir().join(format!("execplan-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty");
    std::fs::write(&empty, b"").unwrap();
    let garbage = dir.join("garbage");
    std::fs::write(&garbage, b"\x7fELF\x02\x01\x01garbage").unwrap();
    let ls = std::fs::read("/bin/ls").unwrap();
    let cut = dir.join("cut");
    std::fs::write(&cut, &ls[..300]).unwrap();
    for (f, kind) in [
        (empty.to_str().unwrap(), "truncated"),
        (garbage.to_str().unwrap(), "truncated"),
        (cut.to_str().unwrap(), "program_header_table_outside_file"),
        ("/etc/hostname", "bad_magic"),
        ("/nonexistent/file", "open_failed"),
        (dir.to_str().unwrap(), "is_directory"),
    ] {
        let (value, _) = json(&[f], &v);
        assert_eq!(value["error"]["kind"], kind, "{f}");
    }
    let out = execplan(&["--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let out = execplan(&[]);
    assert_eq!(out.status.code(), Some(2));
}
