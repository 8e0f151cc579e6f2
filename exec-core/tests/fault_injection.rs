//! Fault injection on dynamic fixtures: the program's or the interpreter's source fails
//! (I/O error, end of file early, a short read) at call 1, 2, … N of `prepare` and of
//! `load`, and the address space fails at each of its calls in turn, with a batch
//! reservation held. An error or end of file is always an error, never a plan or image
//! built from missing bytes; a short read is retried and changes nothing; afterwards the
//! address space is empty and no memory is left reserved. Nothing panics.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use elf_stream::Errno;
use exec_core::*;
use std::cell::Cell;
use std::path::Path;
use test_support::host::MemHost;
use test_support::sources::{FailAt, Failure};
use test_support::space::MockSpace;

/// (program, interpreter) pairs: ELF64 (x86_64) and ELF32 (MIPS o32).
const CASES: [(&str, &str); 2] =
    [("x86_64-dyn-pie", "x86_64-static-pie"), ("mips-o32-le-dyn", "mips-o32-le-dyn-pie")];

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/bin").join(name)).expect("fixture")
}

/// A host whose interpreter source fails as told, with a reservation ledger.
struct FailingHost<'a> {
    interp: &'a [u8],
    fail: Option<(usize, Failure)>,
    reserved: Cell<u64>,
}

impl<'a> ExecHost for FailingHost<'a> {
    type Interp = FailAt<'a>;

    fn open_interpreter(&mut self, _path: &[u8]) -> Result<OpenedFile<FailAt<'a>>, Errno> {
        let (at, how) = self.fail.unwrap_or((usize::MAX, Failure::Error));
        Ok(OpenedFile { source: FailAt::new(self.interp, at, how), id: None })
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        buf.fill(3);
        Ok(())
    }

    fn reserve_memory(&mut self, bytes: u64) -> Result<(), Errno> {
        self.reserved.set(self.reserved.get() + bytes);
        Ok(())
    }

    fn release_memory(&mut self, bytes: u64) {
        self.reserved.set(self.reserved.get() - bytes);
    }
}

fn params() -> ExecParams<'static> {
    const ARGV: [&[u8]; 1] = [b"prog"];
    let mut p = ExecParams::new(b"/prog");
    p.argv = &ARGV;
    p.reservation = MemoryReservation::Reserve;
    p
}

/// What one injected run of `prepare` did.
struct Run {
    /// The plan's mappings, `None` on error.
    mappings: Option<Vec<Mapping>>,
    /// Bytes left reserved (after releasing a successful plan's own reservation).
    reserved: u64,
    /// Reads made of the failing source (only known for the main file, or on success).
    calls: usize,
}

/// Plans with the program's source failing as `main_fail` says, or the interpreter's as
/// `interp_fail` says.
fn plan_with<P: ArchPolicy>(
    policy: &P,
    (main, interp): (&[u8], &[u8]),
    main_fail: Option<(usize, Failure)>,
    interp_fail: Option<(usize, Failure)>,
) -> Run {
    let (at, how) = main_fail.unwrap_or((usize::MAX, Failure::Error));
    let source = FailAt::new(main, at, how);
    let mut host = FailingHost { interp, fail: interp_fail, reserved: Cell::new(0) };
    match prepare(policy, &source, &mut host, &params(), None) {
        Ok(p) => {
            host.release_memory(p.plan.reserved);
            let calls = match (main_fail, &p.interpreter) {
                (None, Some(i)) => i.calls(),
                _ => source.calls(),
            };
            Run { mappings: Some(p.plan.mappings().collect()), reserved: host.reserved.get(), calls }
        }
        Err(e) => {
            let _ = policy.errno(&e);
            Run { mappings: None, reserved: host.reserved.get(), calls: source.calls() }
        }
    }
}

fn check_prepare<P: ArchPolicy>(policy: &P, name: &str, files: (&[u8], &[u8])) {
    let clean = plan_with(policy, files, None, None);
    let want = clean.mappings.unwrap_or_else(|| panic!("{name} plans"));
    let mut noticed = 0;
    for role in ["program", "interpreter"] {
        for how in [Failure::Error, Failure::Eof, Failure::Short] {
            for at in 1..=12 {
                let fail = Some((at, how));
                let run = if role == "program" {
                    plan_with(policy, files, fail, None)
                } else {
                    plan_with(policy, files, None, fail)
                };
                let what = format!("{name}: {role} {how:?} at read {at}");
                assert_eq!(run.reserved, 0, "{what} left memory reserved");
                match (how, run.mappings) {
                    (Failure::Short, got) => assert_eq!(got.as_ref(), Some(&want), "{what} changed the plan"),
                    (_, Some(got)) => {
                        assert!(run.calls < at, "{what} went unnoticed");
                        assert_eq!(got, want, "{what} gave another plan");
                    }
                    (_, None) => noticed += 1,
                }
            }
        }
    }
    assert!(noticed >= 4, "{name}: only {noticed} injected failures reached prepare");
}

fn check_load<P: ArchPolicy>(policy: &P, name: &str, (main, interp): (&[u8], &[u8])) {
    let mut host = MemHost::new(Some(interp));
    let plan = prepare(policy, main, &mut host, &params(), None).expect("plans").plan;
    let page = policy.page_size().get();
    for mode in [LoadMode::Eager, LoadMode::Mapped, LoadMode::Lazy] {
        // The clean run's address-space calls, to fail each in turn.
        let mut space = MockSpace::new(main, interp);
        space.page = page;
        load(&plan, main, Some(interp), &mut space, mode).expect("loads");
        for at in 1..=space.calls.len() {
            let mut space = MockSpace::new(main, interp);
            (space.page, space.fail_at) = (page, Some(at));
            let err =
                load(&plan, main, Some(interp), &mut space, mode).expect_err("a failing call went unnoticed");
            assert!(matches!(err, ExecError::AddressSpace { .. }), "{name} {mode:?} call {at}: {err:?}");
            assert!(space.is_empty(), "{name} {mode:?} failing call {at} left {:?}", space.calls);
        }
        for role in [Role::Main, Role::Interpreter] {
            for how in [Failure::Error, Failure::Eof, Failure::Short] {
                for at in 1..=8 {
                    let fails = |r: Role| if r == role { (at, how) } else { (usize::MAX, how) };
                    let (m, i) = (
                        FailAt::new(main, fails(Role::Main).0, how),
                        FailAt::new(interp, fails(Role::Interpreter).0, how),
                    );
                    let failing = if role == Role::Main { &m } else { &i };
                    let mut space = MockSpace::new(main, interp);
                    space.page = page;
                    let what = format!("{name} {mode:?}: {role:?} {how:?} at read {at}");
                    match load(&plan, &m, Some(&i), &mut space, mode) {
                        Ok(_) => {
                            assert!(how == Failure::Short || failing.calls() < at, "{what} went unnoticed")
                        }
                        Err(e) => {
                            assert!(how != Failure::Short, "{what}: a short read failed the load: {e:?}");
                            assert!(
                                matches!(e, ExecError::Elf { role: r, .. } if r == role),
                                "{what}: {e:?}"
                            );
                            assert!(space.is_empty(), "{what} left {:?}", space.calls);
                        }
                    }
                }
            }
        }
    }
    // The file shrinking between prepare and load: an error, not a crash or a short image.
    let end = plan.main.loads.iter().map(|s| s.ph.offset.0 + s.ph.filesz).max().expect("a PT_LOAD");
    for cut in [main.len() / 2, end as usize - 1] {
        let short = &main[..cut];
        let mut space = MockSpace::new(short, interp);
        space.page = page;
        let err =
            load(&plan, short, Some(interp), &mut space, LoadMode::Eager).expect_err("shrunk file loaded");
        assert!(matches!(err, ExecError::Elf { role: Role::Main, .. }), "{name} cut to {cut}: {err:?}");
        assert!(space.is_empty());
    }
}

#[test]
fn prepare_survives_every_failing_read() {
    for (main, interp) in CASES {
        let (m, i) = (fixture(main), fixture(interp));
        match main.starts_with("x86_64") {
            true => check_prepare(&arch_x86_64::X86_64::default(), main, (&m, &i)),
            false => check_prepare(&arch_mips::Mips::default(), main, (&m, &i)),
        }
    }
}

#[test]
fn load_survives_every_failing_read_and_call() {
    for (main, interp) in CASES {
        let (m, i) = (fixture(main), fixture(interp));
        match main.starts_with("x86_64") {
            true => check_load(&arch_x86_64::X86_64::default(), main, (&m, &i)),
            false => check_load(&arch_mips::Mips::default(), main, (&m, &i)),
        }
    }
}
