//! `check_plan` accepts the plans of real programs and names what a broken plan breaks.

use exec_core::{prepare, ExecParams, UserAddr};
use test_support::corpus::fixtures_bin;
use test_support::host::MemHost;
use test_support::invariants::check_plan;

fn plan_of(name: &str) -> (exec_core::ExecPlan<()>, Vec<u8>, Vec<u8>) {
    let main = std::fs::read(fixtures_bin().join(name)).expect("fixture");
    let interp = std::fs::read("/lib64/ld-linux-x86-64.so.2").expect("the host's ld.so");
    let argv: [&[u8]; 1] = [b"prog"];
    let mut params = ExecParams::new(b"/prog");
    params.argv = &argv;
    let mut host = MemHost::new(Some(&interp));
    let prepared =
        prepare(&arch_x86_64::X86_64::default(), &main[..], &mut host, &params, None).expect("prepare");
    let uses_interp = prepared.plan.interp.is_some();
    (prepared.plan.map_arch(|_| ()), main, if uses_interp { interp } else { Vec::new() })
}

#[test]
fn real_plans_are_sound() {
    for name in ["x86_64-static", "x86_64-static-pie", "x86_64-dyn-pie", "x86_64-dyn-exec"] {
        let (plan, main, interp) = plan_of(name);
        check_plan(&plan, &main, &interp).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn broken_plans_are_named() {
    // The interpreter moved onto the program.
    let (mut plan, main, interp) = plan_of("x86_64-dyn-pie");
    let interp_img = plan.interp.as_mut().expect("dynamic");
    interp_img.bias = plan.main.bias;
    let err = check_plan(&plan, &main, &interp).expect_err("overlapping images");
    assert!(err.contains("overlap"), "{err}");

    // The stack moved onto the program.
    let (mut plan, main, interp) = plan_of("x86_64-static");
    let span = plan.main.span();
    plan.stack.extent.start = span.start;
    plan.stack.top = UserAddr(span.start.0 + 4096);
    let err = check_plan(&plan, &main, &interp).expect_err("stack over the program");
    assert!(err.contains("stack"), "{err}");

    // A file shorter than the plan says: file bytes outside the file.
    let (plan, main, interp) = plan_of("x86_64-static");
    let err = check_plan(&plan, &main[..main.len() / 2], &interp).expect_err("short file");
    assert!(err.contains("outside the file"), "{err}");
}
