//! include/execcore.h is generated and checked in: this test regenerates it in memory and
//! fails on any difference (`EXECCORE_BLESS_HEADER=1` rewrites it). cbindgen (pinned)
//! writes the structs and functions; the constant groups (typedef next to its values)
//! and the status table come from the Rust lists (`execcore_ffi::GROUPS`,
//! `Status::all`), and every comment is tidied into plain C style. The header is then
//! checked: every `EXECCORE_*` it names is defined, it stays under 900 lines, and it
//! compiles as C89/C99/C11 and C++ (freestanding, -pedantic -Werror).
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use execcore_ffi::{CGroup, Status, GROUPS};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use test_support::temp::TempDir;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A C comment of `text` (lines joined as given) at `indent`: one line when short.
fn comment(indent: &str, text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    match lines.as_slice() {
        [] => String::new(),
        [one] => format!("{indent}/* {one} */\n"),
        [first, rest @ ..] => {
            let mut s = format!("{indent}/* {first}\n");
            for (i, l) in rest.iter().enumerate() {
                let end = if i + 1 == rest.len() { " */" } else { "" };
                let _ = writeln!(s, "{indent} * {l}{end}");
            }
            s
        }
    }
}

/// Rust doc markup out of a comment line: intra-doc links, headings, non-ASCII dashes.
fn plain(line: &str) -> String {
    let mut s = line.replace('—', "-").replace("# Safety", "Safety:");
    // [`name`](path) and [`name`] -> name (C brackets such as argv[0] stay).
    while let Some(open) = s.find("[`") {
        let Some(close) = s[open..].find(']').map(|c| open + c) else { break };
        let inner = s[open + 1..close].trim_matches('`').to_string();
        let mut end = close + 1;
        if s[end..].starts_with('(') {
            if let Some(p) = s[end..].find(')') {
                end += p + 1;
            }
        }
        s.replace_range(open..end, &inner);
    }
    s.replace('`', "")
}

/// cbindgen's `/*\n text\n */` blocks as compact C comments without rustdoc markup.
fn tidy(generated: &str) -> String {
    let mut out = String::new();
    let mut lines = generated.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed == "/*" {
            let indent = &line[..line.len() - trimmed.len()];
            let mut text = Vec::new();
            for l in lines.by_ref() {
                if l.trim() == "*/" {
                    break;
                }
                text.push(plain(l.trim()));
            }
            // A "Safety:" heading joins the line after it.
            let joined = text.join("\n").replace("Safety:\n", "Safety: ");
            out.push_str(&comment(indent, &joined));
            continue;
        }
        if line.trim().is_empty() && out.ends_with("\n\n") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn group(g: &CGroup) -> String {
    let mut s = comment("", &g.doc.lines().map(plain).collect::<Vec<_>>().join("\n"));
    if let Some(alias) = g.alias {
        let _ = writeln!(s, "typedef {} {alias};", g.c_type);
    }
    for (name, value, doc) in g.items {
        let value = if g.flags { format!("0x{value:x}") } else { value.to_string() };
        let _ = writeln!(s, "#define {name:<34} {value:>6} /* {} */", plain(doc.trim()));
    }
    s
}

/// The status table: one line per status with its errno and message, sorted by value.
fn statuses() -> String {
    let mut s = comment(
        "",
        "Every outcome of an execcore_* function: 0 is success, failures lie in 5000-5399\n\
         (C ABI 5000, file 5100, exec 5200, architecture 5300), above every errno, so a\n\
         status is never mistaken for one. Each line: the default errno (asm-generic\n\
         numbering; execcore_error.errno_value has the one to return) and the message\n\
         execcore_status_str gives.",
    );
    s.push_str("typedef int32_t execcore_status;\n");
    let mut all: Vec<Status> = Status::all().collect();
    all.sort_by_key(|s| s.code());
    for st in all {
        let name = match st {
            Status::Ok => "EXECCORE_OK".to_string(),
            _ => format!("EXECCORE_ERR_{}", st.name().to_uppercase()),
        };
        let errno = st.errno().name().unwrap_or("0");
        let message = st.message_nul().trim_end_matches('\0');
        let _ = writeln!(s, "#define {name:<50} {:>4} /* {errno}: {message} */", st.code());
    }
    s
}

fn generate(crate_dir: &Path) -> String {
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen")
        .write(&mut out);
    let mut constants = String::new();
    for g in GROUPS {
        constants.push_str(&group(g));
        constants.push('\n');
    }
    constants.push_str(&statuses());
    tidy(&String::from_utf8(out).unwrap()).replace("@constants@\n", &constants)
}

/// Compiles `header` with gcc in every C standard and with g++; returns the failures.
fn compile_errors(header: &Path) -> Vec<String> {
    let dir = TempDir::new("header");
    let body = format!(
        "#include \"{0}\"\n#include \"{0}\"\nstruct execcore_plan;\nint execcore_header_check(void);\n\
         int execcore_header_check(void) {{ return (int)sizeof(execcore_ops) + EXECCORE_ERR_TRUNCATED; }}\n",
        header.display()
    );
    let (c, cc) = (dir.join("unit.c"), dir.join("unit.cc"));
    std::fs::write(&c, &body).unwrap();
    std::fs::write(&cc, &body).unwrap();
    let strict = ["-Wall", "-Wextra", "-Werror", "-pedantic", "-ffreestanding", "-c"];
    let mut runs: Vec<(String, Command)> = Vec::new();
    for std in ["c89", "c99", "c11"] {
        let mut cmd = Command::new("gcc");
        cmd.arg(format!("-std={std}")).args(strict).arg(&c).arg("-o").arg(dir.join(format!("{std}.o")));
        runs.push((std.into(), cmd));
    }
    for std in ["c++98", "c++11", "c++17"] {
        let mut cmd = Command::new("g++");
        cmd.arg(format!("-std={std}")).args(strict).args(["-fno-exceptions", "-fno-rtti"]);
        cmd.arg(&cc).arg("-o").arg(dir.join(format!("{std}.o")));
        runs.push((std.into(), cmd));
    }
    let mut failures = Vec::new();
    for (name, mut cmd) in runs {
        let out = cmd.output().expect("gcc/g++");
        if !out.status.success() {
            failures.push(format!("{name}: {}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    failures
}

fn header_text() -> String {
    std::fs::read_to_string(root().join("include/execcore.h")).unwrap()
}

#[test]
#[cfg_attr(miri, ignore = "runs cbindgen")]
fn header_is_up_to_date() {
    let generated = generate(&root().join("ffi"));
    let path = root().join("include/execcore.h");
    if std::env::var_os("EXECCORE_BLESS_HEADER").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "include/execcore.h is stale: run `EXECCORE_BLESS_HEADER=1 cargo test -p ffi --test header`"
    );
}

/// Every `EXECCORE_*` name in `text` (comments included) not `#define`d in it; prefix
/// mentions (`EXECCORE_PROT_*`) aside.
fn undefined_names(text: &str) -> Vec<String> {
    let defined: std::collections::BTreeSet<&str> =
        text.lines().filter_map(|l| l.strip_prefix("#define ")?.split_whitespace().next()).collect();
    let mut missing = std::collections::BTreeSet::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(i) = text[at..].find("EXECCORE_").map(|i| at + i) {
        let end = i + text[i..]
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(text.len() - i);
        let name = &text[i..end];
        let prefix = bytes.get(end) == Some(&b'*') || name.ends_with('_');
        if !prefix && !defined.contains(name) {
            missing.insert(name.to_string());
        }
        at = end;
    }
    missing.into_iter().collect()
}

#[test]
#[cfg_attr(miri, ignore = "reads the header")]
fn every_name_the_header_mentions_is_defined() {
    let text = header_text();
    assert_eq!(undefined_names(&text), Vec::<String>::new());
    // The check itself catches a mention of an undefined name.
    let broken = format!("{text}\n/* see EXECCORE_NO_SUCH_THING */\n");
    assert_eq!(undefined_names(&broken), vec!["EXECCORE_NO_SUCH_THING".to_string()]);
}

#[test]
#[cfg_attr(miri, ignore = "reads the header")]
fn header_is_plain_c_and_short() {
    let text = header_text();
    let lines = text.lines().count();
    assert!(lines < 900, "{lines} lines");
    for (n, l) in text.lines().enumerate() {
        assert!(!l.contains("# Safety") && !l.contains("[`") && !l.contains("//"), "line {}: {l}", n + 1);
        assert!(l.is_ascii(), "line {}: {l}", n + 1);
    }
    // No lone comment delimiters, no anonymous structs (forward-declarable names only).
    assert!(!text.lines().any(|l| l.trim() == "/*" || l.trim() == "*/"));
    assert!(!text.contains("typedef struct {"));
}

#[test]
#[cfg_attr(miri, ignore = "reads the header")]
fn status_table_is_sorted_and_outside_errno_range() {
    let text = header_text();
    let mut values = Vec::new();
    for l in text
        .lines()
        .filter(|l| l.starts_with("#define EXECCORE_ERR_") || l.starts_with("#define EXECCORE_OK"))
    {
        let mut f = l.split_whitespace().skip(1);
        let (name, value) = (f.next().unwrap(), f.next().unwrap().parse::<i32>().unwrap());
        let status = Status::from_code(value).unwrap_or_else(|| panic!("{name} = {value} is no status"));
        assert!(l.contains(status.errno().name().unwrap_or("0")), "{l}");
        assert!(value == 0 || (5000..5400).contains(&value), "{l}");
        values.push(value);
    }
    assert_eq!(values.len(), Status::all().count(), "one line per status");
    assert!(values.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
}

#[test]
#[cfg_attr(miri, ignore = "spawns gcc")]
fn header_compiles_as_c89_c99_c11_and_cpp() {
    let failures = compile_errors(&root().join("include/execcore.h"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[cfg_attr(miri, ignore = "spawns gcc")]
fn a_broken_header_is_caught() {
    // The checks must fail when the header is wrong: a stale copy differs from the
    // generated one, and a syntax error does not compile.
    let dir = TempDir::new("header");
    let good = header_text();
    let broken = good.replacen("execcore_status;", "execcore_status", 1);
    assert_ne!(broken, good, "the mutation must change the header");
    assert_ne!(broken, generate(&root().join("ffi")));
    let path = dir.join("execcore.h");
    std::fs::write(&path, broken).unwrap();
    assert!(!compile_errors(&path).is_empty(), "a broken header compiled");
}
