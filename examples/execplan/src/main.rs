//! `execplan`: print the exec plan execcore makes for an ELF file (a `#!` script is
//! followed to its interpreter first, as Linux does).
//!
//! ```text
//! execplan [--arch auto|x86_64|aarch64|mips|riscv64] [--json] [--root DIR]
//!          [--stack-rlimit BYTES|unlimited] [--page-size N] [--seed N] [--va-bits N]
//!          [--env K=V]... [--argv0 S] [--stats] [--batch]
//!          [--cpu MODEL] [--os linux|irix] [--strict-prefetch on|off] [--isa-check on|off]
//!          [--] FILE [ARGS...]
//! ```
//! Defaults: ASLR off, 8 MiB stack rlimit, 4096-byte pages, empty environment,
//! argv = [argv0 or FILE, ARGS...], interpreter looked up under `/`.
//!
//! Exit status: 0 planned, 1 rejected (`execplan: FILE: message (ERRNO)` on stderr, and
//! `{"error": {...}}` on stdout with `--json`), 2 usage error.

mod arch;
mod cli;
mod output;
mod placement;
mod plan;
mod stack_meter;

use std::io::Write;
use std::process::ExitCode;

/// Writes `s` to stdout; a closed pipe (`execplan ... | head`) is not a panic.
fn emit(s: &str) -> bool {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes()).and_then(|()| out.flush()).is_ok()
}

/// Writes one line to stderr (unlike `eprintln!`, never panics if stderr is gone).
fn diag(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn main() -> ExitCode {
    let opts = match cli::parse(std::env::args_os().skip(1)) {
        Ok(cli::Command::Plan(o)) => o,
        Ok(cli::Command::Help) => {
            emit(&format!("{}\n", cli::HELP));
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            diag(&format!("execplan: {msg}\n{}", cli::USAGE));
            return ExitCode::from(2);
        }
    };
    let name = opts.file.to_string_lossy().into_owned();
    match plan::plan(&opts) {
        Ok(report) => {
            let s = if opts.json {
                format!("{}\n", output::json(&report, opts.stats))
            } else {
                output::text(&report, opts.stats)
            };
            if emit(&s) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(f) => {
            for w in &f.warnings {
                diag(&format!("execplan: {name}: warning: {w}"));
            }
            diag(&output::error_line(&name, &f));
            if opts.json {
                emit(&format!("{}\n", output::error_json(&f)));
            }
            ExitCode::from(1)
        }
    }
}
