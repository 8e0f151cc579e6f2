//! The stack builder, read back the way a libc start routine reads it: argc, argv, envp,
//! auxv; every pointer inside the stack, every string intact, sp aligned, Linux's order.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use elf_stream::{Errno, ReadAt};
use exec_core::*;
use test_support::elf::{Builder, ElfType, Seg, RX};
use test_support::space::MockSpace;
use test_support::stack::{InitialStack, StackReader};

struct NoInterp;
impl ExecHost for NoInterp {
    type Interp = &'static [u8];
    fn open_interpreter(&mut self, _: &[u8]) -> Result<OpenedFile<&'static [u8]>, Errno> {
        Err(Errno::ENOENT)
    }
    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        buf.fill(1);
        Ok(())
    }
}

/// A minimal static ET_EXEC (x86_64).
fn static_exec() -> Vec<u8> {
    Builder::x86_64(ElfType::EXEC)
        .entry(0x400100)
        .seg(Seg::load(0x400000, 0x800, 0x800, RX))
        .len(0x1000)
        .bytes()
}

/// The plan and the address space after `write_stack`.
fn build(argv: &[&[u8]], envp: &[&[u8]], execfn: &[u8]) -> (ExecPlan<arch_x86_64::Info>, MockSpace) {
    let image = static_exec();
    let mut params = ExecParams::new(execfn);
    params.argv = &argv;
    params.envp = &envp;
    let policy = arch_x86_64::X86_64::default();
    let plan = prepare(&policy, &image[..], &mut NoInterp, &params, None).unwrap().plan;
    let mut mem = MockSpace::new(&image, &[]);
    let random = [0xabu8; 16];
    let plats = (policy.platform(plan.abi), None);
    write_stack(&plan.stack, &params, plats, &plan.auxv, &random, &mut mem).unwrap();
    (plan, mem)
}

/// What a start routine finds at the plan's sp.
fn parse(mem: &MockSpace, plan: &ExecPlan<arch_x86_64::Info>) -> InitialStack {
    StackReader::new(mem, &plan.stack).read(plan.stack.sp.0)
}

#[test]
fn reads_back_like_a_libc_start_routine() {
    let argv: [&[u8]; 3] = [b"prog", b"", b"third arg"];
    let envp: [&[u8]; 2] = [b"A=1", b"PATH=/bin"];
    let (plan, mem) = build(&argv, &envp, b"/usr/bin/prog");
    let sp = plan.stack.sp.0;
    assert_eq!(sp % 16, 0);
    let p = parse(&mem, &plan);
    let read = StackReader::new(&mem, &plan.stack);
    assert_eq!(p.argc, 3);
    assert_eq!(p.argv, argv.iter().map(|s| s.to_vec()).collect::<Vec<_>>());
    assert_eq!(p.envp, envp.iter().map(|s| s.to_vec()).collect::<Vec<_>>());
    let want: Vec<(u64, u64)> = plan.auxv.entries().iter().map(|e| (e.kind.0, e.value)).collect();
    assert_eq!(p.auxv, want);
    let get = |k: AuxType| p.auxv.iter().find(|e| e.0 == k.0).unwrap().1;
    assert_eq!(read.cstr(get(AuxType::AT_EXECFN)), b"/usr/bin/prog");
    assert_eq!(read.cstr(get(AuxType::AT_PLATFORM)), b"x86_64");
    let r = get(AuxType::AT_RANDOM);
    assert!((0..16).all(|i| read.byte(r + i) == 0xab));
    // Linux's order: HWCAP ... EXECFN, PLATFORM.
    let order: Vec<u64> = p.auxv.iter().map(|e| e.0).collect();
    let names = [16, 6, 17, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 23, 25, 26, 31, 15];
    assert_eq!(order, names, "auxv order");
    // Top: 8 zero bytes above the AT_EXECFN string, which ends at top - 8.
    let top = plan.stack.top.0;
    // (anonymous memory is zero: the builder leaves those bytes untouched or zero)
    assert!((top - 8..top).all(|a| read.byte(a) == 0));
    assert_eq!(get(AuxType::AT_EXECFN) + b"/usr/bin/prog\0".len() as u64, top - 8);
    // Strings ascending: argv, envp, execfn; the stack mapping holds everything.
    assert!((sp & !0xfff..top).step_by(4096).all(|p| mem.pages[&p].prot == Prot(3)));
    assert!(!mem.pages.contains_key(&top), "the stack mapping ends at the top");
}

#[test]
fn argc_zero_reads_back_as_one_empty_argument() {
    let (plan, mem) = build(&[], &[], b"/p");
    let p = parse(&mem, &plan);
    assert_eq!(p.argc, 1);
    assert_eq!(p.argv, vec![Vec::<u8>::new()]);
}

#[test]
fn many_shapes_of_arguments() {
    // Deterministic sweep over counts and lengths: sp always 16-aligned, everything reads back.
    let long = vec![b'x'; 5000];
    for n in 0..12usize {
        for len in [0usize, 1, 7, 8, 15, 16, 17, 100, 5000] {
            let s = &long[..len];
            let argv: Vec<&[u8]> = (0..n).map(|_| s).collect();
            let envp: Vec<&[u8]> = (0..(n % 5)).map(|_| s).collect();
            let (plan, mem) = build(&argv, &envp, s);
            assert_eq!(plan.stack.sp.0 % 16, 0);
            let p = parse(&mem, &plan);
            assert_eq!(p.argc as usize, n.max(1));
            if n > 0 {
                assert!(p.argv.iter().all(|a| a == s));
            }
            assert_eq!(p.envp.len(), n % 5);
            assert!(plan.stack.extent.start.0 <= plan.stack.sp.0);
        }
    }
}

#[test]
fn a_failing_write_is_reported() {
    struct Refuses;
    impl AddressSpace for Refuses {
        fn reserve(&mut self, _: AddrRange) -> Result<(), Errno> {
            Ok(())
        }
        fn map_anonymous(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> {
            Err(Errno::ENOMEM)
        }
        fn write(&mut self, _: UserAddr, _: &[u8]) -> Result<(), Errno> {
            Ok(())
        }
        fn protect(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> {
            Ok(())
        }
        fn unmap(&mut self, _: AddrRange) -> Result<(), Errno> {
            Ok(())
        }
    }
    let image = static_exec();
    let params = ExecParams::new(b"/p");
    let plan =
        prepare(&arch_x86_64::X86_64::default(), &image[..], &mut NoInterp, &params, None).unwrap().plan;
    let err =
        write_stack(&plan.stack, &params, (None, None), &plan.auxv, &[0; 16], &mut Refuses).unwrap_err();
    assert_eq!(err, ExecError::AddressSpace { op: exec_core::SpaceOp::MapStack, errno: Errno::ENOMEM });
    let _ = image.as_slice().size();
}
