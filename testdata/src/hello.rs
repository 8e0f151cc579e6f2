//! hello.rs - the Rust std fixture: std's runtime start-up (through glibc), a `println!`
//! through std's stdout, and an exit status. FIXTURE_NAME comes from the environment at
//! build time (`FIXTURE_NAME=name rustc ...`).

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let name = env!("FIXTURE_NAME");
    let mut out = std::io::stdout().lock();
    match writeln!(out, "fixture: {name} ok").and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
